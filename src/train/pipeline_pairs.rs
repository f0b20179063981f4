//! DSA pairs re-anchored on the mentions the pipeline itself finds, so the directed head trains
//! on the spans it reads at inference (NER's boundaries, institution extensions) rather than on
//! the gold brackets alone.

use crate::data::dsa::PairExample;
use crate::error::Result;
use crate::eval::analyse_texts;
use crate::pipeline::{Analysis, Analyzer, Options, Outcome};
use crate::stance::Rollup;

/// How many pairs kept their gold spans, and why.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Reanchored {
    /// Both entities moved to (or already stood on) a mention of their own.
    pub both: usize,
    /// An entity overlapped no mention: the pair keeps its gold spans.
    pub unfound: usize,
    /// Both entities overlapped the same mention: the pair keeps its gold spans.
    pub shared: usize,
}

/// The mention (char span) that overlaps [start, end) most; ties go to the earlier mention.
pub fn best_mention(a: &Analysis, start: usize, end: usize) -> Option<(usize, usize)> {
    a.findings
        .mentions
        .iter()
        .enumerate()
        .filter(|(m, _)| a.resolution.mention_actor[*m].is_some())
        .map(|(_, x)| ((x.start, x.end), x.end.min(end).saturating_sub(x.start.max(start))))
        .filter(|&(_, overlap)| overlap > 0)
        .max_by_key(|&((s, _), overlap)| (overlap, std::cmp::Reverse(s)))
        .map(|(span, _)| span)
}

/// One pair with its entities moved onto the analysis' mentions, where both have their own.
pub fn reanchor(a: &Analysis, e: &PairExample, counts: &mut Reanchored) -> PairExample {
    match (best_mention(a, e.p.0, e.p.1), best_mention(a, e.q.0, e.q.1)) {
        (Some(p), Some(q)) if p != q => {
            counts.both += 1;
            PairExample { p, q, ..e.clone() }
        }
        (Some(_), Some(_)) => {
            counts.shared += 1;
            e.clone()
        }
        _ => {
            counts.unfound += 1;
            e.clone()
        }
    }
}

/// Runs the pipeline (this model's NER, the actor rules) over the pairs' sentences, each
/// distinct sentence once, and re-anchors every pair.
pub fn reanchor_all(analyzer: &Analyzer, data: &[PairExample]) -> Result<(Vec<PairExample>, Reanchored)> {
    let mut texts: Vec<&str> = data.iter().map(|e| e.text.as_str()).collect();
    texts.sort_unstable();
    texts.dedup();
    let outcomes = analyse_texts(
        analyzer,
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i.to_string(), t.to_string(), None)),
    )?;
    let mut counts = Reanchored::default();
    let pairs = data
        .iter()
        .map(|e| {
            let i = texts.binary_search(&e.text.as_str()).ok();
            match i.map(|i| &outcomes[i]) {
                Some(Outcome::Analysed(_, a)) => reanchor(a, e, &mut counts),
                _ => {
                    counts.unfound += 1;
                    e.clone()
                }
            }
        })
        .collect();
    Ok((pairs, counts))
}

/// The analyzer that re-anchoring runs: every actor kept apart (no country roll-up), as the
/// end-to-end measure reads them.
pub fn analyzer(model: crate::model::StanceModel) -> Result<Analyzer> {
    Analyzer::new(
        model,
        Options {
            rollup: Rollup::None,
            ..Options::default()
        },
    )
}
