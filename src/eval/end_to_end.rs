//! Directed stance end to end (`actorstance eval dsa --end-to-end`): what users get. Each DSA
//! sentence, its brackets removed, goes through the whole pipeline without roll-up; the two gold
//! entities are matched to actors by span overlap; the 5-class answer is read from the actors'
//! `toward` scores (the direction with the higher confidence, and its sign; neutral when both
//! confidences are under the cut). A pair not found counts as neutral.

use std::collections::BTreeMap;

use serde::Serialize;

use super::metrics::{classification_report, ClassReport};
use crate::actors::resolve::ActorKind;
use crate::data::dsa::PairExample;
use crate::error::Result;
use crate::pipeline::Analyzer;
use crate::record::{Analysis, Outcome};

/// Chosen on DSA valid with `--choose-cut` for the bundled model.
pub const DEFAULT_CUT: f64 = 0.34;

const LABELS: [&str; 5] = ["neutral", "p+q", "q+p", "p-q", "q-p"];

/// The actor whose mention overlaps the char span most.
pub fn actor_at(a: &Analysis, start: usize, end: usize) -> Option<usize> {
    let res = &a.resolution;
    a.findings
        .mentions
        .iter()
        .enumerate()
        .filter_map(|(m, x)| Some((res.mention_actor[m]?, x.end.min(end).saturating_sub(x.start.max(start)))))
        .filter(|&(_, overlap)| overlap > 0)
        .max_by_key(|&(actor, overlap)| (overlap, std::cmp::Reverse(actor)))
        .map(|(actor, _)| actor)
}

/// What the pipeline made of one gold pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found {
    /// A gold entity matched no actor.
    EntityNotFound,
    /// Both entities became one actor.
    Merged,
    /// An entity became a place named as a setting, which holds no stance.
    NotAParty,
    /// (confidence, score) of p → q and of q → p (0 where no item exists).
    Pair { pq: (f64, f64), qp: (f64, f64) },
}

fn found(a: &Analysis, e: &PairExample) -> Found {
    let (Some(p), Some(q)) = (actor_at(a, e.p.0, e.p.1), actor_at(a, e.q.0, e.q.1)) else {
        return Found::EntityNotFound;
    };
    if p == q {
        return Found::Merged;
    }
    let toward = |x: usize, y: usize| {
        a.scores
            .iter()
            .find(|s| s.actor == x)
            .and_then(|s| s.toward.iter().find(|t| t.0 == y))
            .map(|(_, s)| (s.confidence, s.score))
    };
    let actors = &a.resolution.actors;
    let place = actors[p].kind == ActorKind::Location || actors[q].kind == ActorKind::Location;
    match (toward(p, q), toward(q, p)) {
        (None, None) if place => Found::NotAParty,
        (pq, qp) => Found::Pair {
            pq: pq.unwrap_or((0.0, 0.0)),
            qp: qp.unwrap_or((0.0, 0.0)),
        },
    }
}

/// The 5-class answer (neutral, p+q, q+p, p−q, q−p) under a confidence cut.
pub fn label(f: Found, cut: f64) -> usize {
    let Found::Pair { pq, qp } = f else {
        return 0;
    };
    let (dir_pq, (conf, score)) = if pq.0 >= qp.0 { (true, pq) } else { (false, qp) };
    if conf < cut || score == 0.0 {
        return 0;
    }
    match (dir_pq, score > 0.0) {
        (true, true) => 1,
        (false, true) => 2,
        (true, false) => 3,
        (false, false) => 4,
    }
}

#[derive(Debug, Serialize)]
pub struct EndToEndReport {
    pub task: &'static str,
    pub n: usize,
    /// Share of gold pairs whose entities became two distinct actors (parties or places).
    pub pair_found: f64,
    pub cut: f64,
    pub accuracy: f64,
    pub f1_macro: f64,
    pub per_class: BTreeMap<String, super::metrics::Prf>,
    /// Counts of each kind of error.
    pub errors: BTreeMap<&'static str, usize>,
}

/// How the cut under which a pair reads neutral is set.
#[derive(Debug, Clone, Copy)]
pub enum Cut {
    /// Chosen on the gold file itself (valid only).
    Choose,
    Given(f64),
}

/// DSA through the whole pipeline (actor resolution without the roll-up, as DSA's pairs are
/// between the entities named): the report at the cut.
pub fn evaluate(analyzer: &Analyzer, gold: &std::path::Path, cut: Cut) -> Result<EndToEndReport> {
    let data = crate::data::dsa::read(gold)?;
    let gold_labels: Vec<usize> = data.iter().map(|e| e.label).collect();
    let found = findings(analyzer, &data)?;
    let cut = match cut {
        Cut::Choose => choose_cut(&found, &gold_labels),
        Cut::Given(c) => c,
    };
    Ok(report(&found, &gold_labels, cut))
}

/// What the pipeline found for each example, in order.
pub fn findings(analyzer: &Analyzer, data: &[PairExample]) -> Result<Vec<Found>> {
    let outcomes = super::analyse_texts(
        analyzer,
        data.iter()
            .enumerate()
            .map(|(i, e)| (i.to_string(), e.text.clone(), None)),
    )?;
    Ok(data
        .iter()
        .zip(&outcomes)
        .map(|(e, o)| match o {
            Outcome::Analysed(_, a) => found(a, e),
            Outcome::Failed { .. } => Found::EntityNotFound,
        })
        .collect())
}

fn report_at(found: &[Found], gold: &[usize], cut: f64) -> ClassReport {
    let pred: Vec<usize> = found.iter().map(|&f| label(f, cut)).collect();
    classification_report(&LABELS, gold, &pred)
}

/// The cut with the best macro F1 (0 to 0.95 by 0.01; ties keep the lower cut).
pub fn choose_cut(found: &[Found], gold: &[usize]) -> f64 {
    (0..96)
        .map(|k| k as f64 * 0.01)
        .fold((0.0, -1.0), |best, cut| {
            let f1 = report_at(found, gold, cut).f1_macro;
            if f1 > best.1 + 1e-12 {
                (cut, f1)
            } else {
                best
            }
        })
        .0
}

pub fn report(found: &[Found], gold: &[usize], cut: f64) -> EndToEndReport {
    let r = report_at(found, gold, cut);
    let mut errors: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (&f, &g) in found.iter().zip(gold) {
        let p = label(f, cut);
        let kind = match f {
            Found::EntityNotFound => "entity_not_found",
            Found::Merged => "entities_merged",
            Found::NotAParty => "entity_not_a_party",
            Found::Pair { .. } if p == g => continue,
            Found::Pair { .. } if g == 0 => "stance_on_neutral_pair",
            Found::Pair { .. } if p == 0 => "stance_missed",
            // Classes 1/3 are p → q, 2/4 q → p; 1/2 positive, 3/4 negative.
            Found::Pair { .. } if (p % 2) != (g % 2) => "wrong_direction",
            Found::Pair { .. } => "wrong_sign",
        };
        *errors.entry(kind).or_default() += 1;
    }
    EndToEndReport {
        task: "dsa-end-to-end",
        n: gold.len(),
        pair_found: found
            .iter()
            .filter(|f| matches!(f, Found::Pair { .. } | Found::NotAParty))
            .count() as f64
            / gold.len().max(1) as f64,
        cut,
        accuracy: r.accuracy,
        f1_macro: r.f1_macro,
        per_class: r.per_class,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_more_confident_direction_and_its_sign_give_the_class() {
        let pair = |pq, qp| Found::Pair { pq, qp };
        assert_eq!(label(pair((0.6, -0.9), (0.2, 0.5)), 0.1), 3);
        assert_eq!(label(pair((0.2, -0.9), (0.6, 0.5)), 0.1), 2);
        assert_eq!(label(pair((0.05, -0.9), (0.02, 0.5)), 0.1), 0);
        assert_eq!(label(Found::Merged, 0.0), 0);
    }
}
