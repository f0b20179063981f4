//! Training batches: examples tokenized once, sorted by length so a batch pads little,
//! then stored as tensors. The trainer shuffles the order of batches, not their contents.
//! Examples are shuffled (seeded) before the sort: the sort is stable and a data file may
//! be ordered by label (DSA's train.txt lists all neutral pairs first), which would
//! otherwise make batches of a single class.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use tch::Tensor;

use crate::data::{conll, dsa::PairExample, newsmtsc::TargetExample};
use crate::error::Result;
use crate::heads::{piece_range, PieceRange};
use crate::model::config::DSA_MIRRORED;
use crate::tokenize::{Pieces, WordPieceTokenizer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Ner,
    Tsc,
    Dsa,
    /// DSA's bracketed entities as partial NER labels: each span's first word is some B-X,
    /// its other words some I-X (see [`SPAN_BEGIN`] for the words outside). CoNLL-2003 is Reuters 1996;
    /// DSA is recent news, and its brackets carry the names (and the entity sense of words
    /// like "trump") that an uncased encoder trained on CoNLL alone misses.
    Spans,
    /// A transfer set for the target-sentiment head: DSA train's entities as targets, with no
    /// gold label, trained on the teacher's soft labels alone (distillation only). The
    /// teacher's outputs on NewsMTSC train, which it was fitted to, are near one-hot; on
    /// targets it never saw they carry how sure it is.
    Transfer,
}

impl Task {
    pub const ALL: [Task; 5] = [Task::Ner, Task::Tsc, Task::Dsa, Task::Spans, Task::Transfer];
    /// The tasks trained when none are named: those with gold labels.
    pub const GOLD: [Task; 4] = [Task::Ner, Task::Tsc, Task::Dsa, Task::Spans];

    pub fn name(self) -> &'static str {
        match self {
            Task::Ner => "ner",
            Task::Tsc => "tsc",
            Task::Dsa => "dsa",
            Task::Spans => "spans",
            Task::Transfer => "transfer",
        }
    }

    /// The head a task trains, whose learning rate its steps take.
    pub fn head(self) -> Task {
        match self {
            Task::Spans => Task::Ner,
            Task::Transfer => Task::Tsc,
            t => t,
        }
    }
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Task {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Task::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| format!("unknown task {s:?} (ner, tsc, dsa, spans or transfer)"))
    }
}

pub struct Batch {
    pub task: Task,
    /// [B, T] with [CLS] … [SEP] and padding.
    pub ids: Tensor,
    pub mask: Tensor,
    /// [B, T] word shapes (NER only).
    pub shapes: Option<Tensor>,
    /// NER: [B, T] label per position (-100 = ignored); span tasks: [N] class per span.
    pub labels: Tensor,
    /// Span tasks: [N] row of each span, [N, T] 0/1 masks of the span's positions.
    pub rows: Tensor,
    pub span_a: Tensor,
    pub span_b: Option<Tensor>,
}

/// Orders examples by length, ties in a seeded random order.
fn by_length<T>(items: &mut [T], len: impl Fn(&T) -> usize, seed: u64) {
    items.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    items.sort_by_key(len);
}

fn padded(rows: &[Vec<i64>], pad: i64) -> Tensor {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let flat: Vec<i64> = rows
        .iter()
        .flat_map(|r| r.iter().copied().chain(std::iter::repeat_n(pad, width - r.len())))
        .collect();
    Tensor::from_slice(&flat).view([rows.len() as i64, width as i64])
}

/// [CLS] ids [SEP] for the first `keep` pieces, with the mask and shapes.
fn wrap(tok: &WordPieceTokenizer, p: &Pieces, keep: usize) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
    let mut ids = vec![tok.cls_id];
    ids.extend_from_slice(&p.ids[..keep]);
    ids.push(tok.sep_id);
    let mut shapes = vec![0];
    shapes.extend_from_slice(&p.shapes[..keep]);
    shapes.push(0);
    (vec![1; ids.len()], ids, shapes)
}

fn span_mask(width: usize, (a, b): (usize, usize)) -> Vec<i64> {
    // +1: position 0 is [CLS].
    (0..width).map(|i| i64::from(i > a && i <= b)).collect()
}

/// ids, mask, shapes, labels of one sentence.
type NerItem = (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>);

pub fn ner_batches(
    tok: &WordPieceTokenizer,
    data: &[conll::TaggedSentence],
    labels: &[String],
    bs: usize,
    max_len: usize,
    seed: u64,
) -> Result<Vec<Batch>> {
    let mut items = Vec::with_capacity(data.len());
    for s in data {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let p = tok.words(&words)?;
        let bio = conll::to_bio(&s.tags);
        let keep = p.len().min(max_len - 2);
        let (mask, ids, shapes) = wrap(tok, &p, keep);
        let mut y = vec![-100i64; ids.len()];
        for i in 0..keep {
            if p.starts_word(i) {
                y[i + 1] = labels
                    .iter()
                    .position(|l| *l == bio[p.words[i]])
                    .map_or(-100, |l| l as i64);
            }
        }
        items.push((ids, mask, shapes, y));
    }
    by_length(&mut items, |it| it.0.len(), seed);
    Ok(items.chunks(bs.max(1)).map(|c| ner_batch(tok, c, Task::Ner)).collect())
}

fn ner_batch(tok: &WordPieceTokenizer, c: &[NerItem], task: Task) -> Batch {
    let col = |f: fn(&NerItem) -> &Vec<i64>| c.iter().map(|it| f(it).clone()).collect::<Vec<_>>();
    Batch {
        task,
        ids: padded(&col(|it| &it.0), tok.pad_id),
        mask: padded(&col(|it| &it.1), 0),
        shapes: Some(padded(&col(|it| &it.2), 0)),
        labels: padded(&col(|it| &it.3), -100),
        rows: Tensor::zeros([0], (tch::Kind::Int64, tch::Device::Cpu)),
        span_a: Tensor::zeros([0], (tch::Kind::Int64, tch::Device::Cpu)),
        span_b: None,
    }
}

/// A sentence with its spans: (span a, optional span b, class) in piece ranges.
struct SpanItem {
    ids: Vec<i64>,
    spans: Vec<(PieceRange, Option<PieceRange>, i64)>,
}

fn span_batches(tok: &WordPieceTokenizer, mut items: Vec<SpanItem>, task: Task, bs: usize, seed: u64) -> Vec<Batch> {
    items.retain(|it| !it.spans.is_empty());
    by_length(&mut items, |it| it.ids.len(), seed);
    items
        .chunks(bs.max(1))
        .map(|c| {
            let width = c.iter().map(|it| it.ids.len()).max().unwrap_or(0);
            let ids: Vec<Vec<i64>> = c.iter().map(|it| it.ids.clone()).collect();
            let mask: Vec<Vec<i64>> = c.iter().map(|it| vec![1; it.ids.len()]).collect();
            let (mut rows, mut a, mut b, mut y) = (vec![], vec![], vec![], vec![]);
            for (r, it) in c.iter().enumerate() {
                for &(sa, sb, class) in &it.spans {
                    rows.push(r as i64);
                    a.push(span_mask(width, sa));
                    b.extend(sb.map(|sb| span_mask(width, sb)));
                    y.push(class);
                }
            }
            Batch {
                task,
                ids: padded(&ids, tok.pad_id),
                mask: padded(&mask, 0),
                shapes: None,
                labels: Tensor::from_slice(&y),
                rows: Tensor::from_slice(&rows),
                span_a: padded(&a, 0),
                span_b: (!b.is_empty()).then(|| padded(&b, 0)),
            }
        })
        .collect()
}

pub fn tsc_batches(
    tok: &WordPieceTokenizer,
    data: &[TargetExample],
    bs: usize,
    max_len: usize,
    seed: u64,
) -> Result<Vec<Batch>> {
    let mut items = Vec::new();
    for ex in data {
        let p = tok.sentence(&ex.text)?;
        let keep = p.len().min(max_len - 2);
        let (_, ids, _) = wrap(tok, &p, keep);
        let spans = ex
            .targets
            .iter()
            .filter_map(|&(s, e, class)| {
                piece_range(&p, s, e)
                    .filter(|r| r.1 <= keep)
                    .map(|r| (r, None, class as i64))
            })
            .collect();
        items.push(SpanItem { ids, spans });
    }
    Ok(span_batches(tok, items, Task::Tsc, bs, seed))
}

/// With `mirror`, each pair is also trained with p and q swapped (label mirrored) on the same
/// encoder pass: p comes first in every DSA sentence, so "q toward p" is rare (5% of train)
/// and the head would otherwise learn word order instead of who acts on whom.
pub fn dsa_batches(
    tok: &WordPieceTokenizer,
    data: &[PairExample],
    bs: usize,
    max_len: usize,
    mirror: bool,
    seed: u64,
) -> Result<Vec<Batch>> {
    let mut items = Vec::new();
    for ex in data {
        let p = tok.sentence(&ex.text)?;
        let keep = p.len().min(max_len - 2);
        let (_, ids, _) = wrap(tok, &p, keep);
        let range = |(s, e)| piece_range(&p, s, e).filter(|r| r.1 <= keep);
        let spans = match (range(ex.p), range(ex.q)) {
            (Some(a), Some(b)) if mirror => vec![
                (a, Some(b), ex.label as i64),
                (b, Some(a), DSA_MIRRORED[ex.label] as i64),
            ],
            (Some(a), Some(b)) => vec![(a, Some(b), ex.label as i64)],
            _ => vec![],
        };
        items.push(SpanItem { ids, spans });
    }
    Ok(span_batches(tok, items, Task::Dsa, bs, seed))
}

/// Partial NER labels of one entity span's words: the first word begins an entity of some
/// type, the others continue one. Outside the spans, a word in lower case, with digits or of
/// punctuation is outside any entity (CoNLL tags almost none of them); a capitalised word
/// there stays unlabelled, since DSA brackets only the pair's two entities. Without these
/// in-domain negatives the head learned to tag words like "never" or "lanky" (CoNLL dev
/// precision 0.904 → 0.869).
pub const SPAN_BEGIN: i64 = 0;
pub const SPAN_INSIDE: i64 = 1;
pub const SPAN_OUTSIDE: i64 = 2;

/// The part of a bracketed span that names an entity: a leading article and punctuation
/// trimmed; `None` where what is left does not start with a capital (DSA brackets also hold
/// "they", "the past few years" or a lone apostrophe).
pub fn entity_span(text: &[char], (start, end): (usize, usize)) -> Option<(usize, usize)> {
    let (mut s, mut e) = (start.min(text.len()), end.min(text.len()));
    let trim = |c: char| !c.is_alphanumeric();
    while s < e && trim(text[s]) {
        s += 1;
    }
    while e > s && trim(text[e - 1]) {
        e -= 1;
    }
    let lower: String = text[s..e].iter().take(4).collect::<String>().to_lowercase();
    if lower == "the " {
        s += 4;
    }
    (e >= s + 2 && text[s].is_uppercase()).then_some((s, e))
}

/// The transfer set ([`Task::Transfer`]): target-sentiment targets of no gold class (-100),
/// each sentence of DSA train once with its distinct bracketed entities ([`entity_span`]).
/// CoNLL-2003's gold entities were tried beside them and lowered NewsMTSC dev (rw 0.784
/// against 0.792 after two epochs): its sports tables and wire lists are mostly neutral
/// targets unlike NewsMTSC's.
pub fn transfer_batches(
    tok: &WordPieceTokenizer,
    pairs: &[PairExample],
    bs: usize,
    max_len: usize,
    seed: u64,
) -> Result<Vec<Batch>> {
    let mut items = Vec::new();
    for (text, found) in sentence_spans(pairs) {
        let chars: Vec<char> = text.chars().collect();
        let p = tok.sentence(text)?;
        let keep = p.len().min(max_len - 2);
        let (_, ids, _) = wrap(tok, &p, keep);
        let mut targets: Vec<PieceRange> = found
            .into_iter()
            .filter_map(|sp| entity_span(&chars, sp))
            .filter_map(|(s, e)| piece_range(&p, s, e).filter(|r| r.1 <= keep))
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let spans = targets.into_iter().map(|r| (r, None, -100)).collect();
        items.push(SpanItem { ids, spans });
    }
    Ok(span_batches(tok, items, Task::Transfer, bs, seed))
}

/// Each distinct sentence of DSA train with the spans of every pair it holds, in text order.
fn sentence_spans(data: &[PairExample]) -> std::collections::BTreeMap<&str, Vec<(usize, usize)>> {
    let mut spans: std::collections::BTreeMap<&str, Vec<(usize, usize)>> = Default::default();
    for ex in data {
        spans.entry(ex.text.as_str()).or_default().extend([ex.p, ex.q]);
    }
    spans
}

/// One batch per `bs` sentences of DSA train, each sentence once with all its entity spans.
pub fn entity_span_batches(
    tok: &WordPieceTokenizer,
    data: &[PairExample],
    bs: usize,
    max_len: usize,
    seed: u64,
) -> Result<Vec<Batch>> {
    let spans = sentence_spans(data);
    let mut items = Vec::with_capacity(spans.len());
    for (text, found) in spans {
        let chars: Vec<char> = text.chars().collect();
        let p = tok.sentence(text)?;
        let keep = p.len().min(max_len - 2);
        let (mask, ids, shapes) = wrap(tok, &p, keep);
        let mut y = vec![-100i64; ids.len()];
        for (s, e) in found.into_iter().filter_map(|sp| entity_span(&chars, sp)) {
            let Some((a, b)) = piece_range(&p, s, e) else {
                continue;
            };
            // From the start of the word the span starts in, every word start up to its end.
            let first_word = (0..=a).rev().find(|&i| p.starts_word(i)).unwrap_or(0);
            for (k, i) in (first_word..b.min(keep)).filter(|&i| p.starts_word(i)).enumerate() {
                y[i + 1] = if k == 0 { SPAN_BEGIN } else { SPAN_INSIDE };
            }
        }
        if y.iter().any(|&l| l >= 0) {
            for i in 0..keep {
                if p.starts_word(i) && y[i + 1] < 0 && matches!(p.shapes[i], 1 | 5 | 6) {
                    y[i + 1] = SPAN_OUTSIDE;
                }
            }
            items.push((ids, mask, shapes, y));
        }
    }
    by_length(&mut items, |it| it.0.len(), seed);
    Ok(items
        .chunks(bs.max(1))
        .map(|c| ner_batch(tok, c, Task::Spans))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dsa::parse_line;

    fn span(text: &str, inner: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        let start = text.find(inner).map(|b| text[..b].chars().count()).unwrap();
        entity_span(&chars, (start, start + inner.chars().count())).map(|(s, e)| chars[s..e].iter().collect())
    }

    #[test]
    fn a_bracketed_span_names_an_entity_once_articles_and_punctuation_are_trimmed() {
        let text = "The Education Department said the Senate’s bill failed, they said.";
        assert_eq!(
            span(text, "The Education Department").as_deref(),
            Some("Education Department")
        );
        assert_eq!(span(text, "Senate’").as_deref(), Some("Senate"));
        assert_eq!(span(text, "they"), None);
        assert_eq!(span(text, "’"), None);
        assert_eq!(span(text, "the Senate"), Some("Senate".into()));
    }

    #[test]
    fn the_transfer_set_holds_each_sentence_once_with_its_entities_and_no_gold_class() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::model::BUNDLED_MODEL);
        let tok = WordPieceTokenizer::from_dir(&dir, true).unwrap();
        let text = "Senator [Charles Grassley] praised [Obama]’s remarks, [they] said.";
        let pairs: Vec<PairExample> = [
            format!("{text}\tCharles Grassley\tObama\t1"),
            format!("{text}\tObama\tCharles Grassley\t2"),
            format!("{text}\tthey\tObama\t0"),
        ]
        .iter()
        .map(|l| parse_line(l).unwrap())
        .collect();
        let batches = transfer_batches(&tok, &pairs, 8, 128, 13).unwrap();
        assert_eq!(batches.len(), 1);
        let b = &batches[0];
        assert_eq!(b.task, Task::Transfer);
        assert_eq!(Vec::<i64>::try_from(&b.labels).unwrap(), [-100, -100]);
        assert_eq!(
            Vec::<i64>::try_from(&b.rows).unwrap(),
            [0, 0],
            "one sentence, two targets"
        );
        let plain = "Senator Charles Grassley praised Obama’s remarks, they said.";
        let p = tok.sentence(plain).unwrap();
        let words = |row: i64| -> String {
            let m: Vec<i64> = Vec::try_from(b.span_a.get(row)).unwrap();
            let pieces: Vec<usize> = (0..m.len()).filter(|&i| m[i] == 1).map(|i| i - 1).collect();
            let (s, e) = (p.offsets[pieces[0]].0, p.offsets[*pieces.last().unwrap()].1);
            plain.chars().skip(s).take(e - s).collect()
        };
        assert_eq!(
            [words(0), words(1)],
            ["Charles Grassley", "Obama"],
            "\"they\" names no entity"
        );
    }

    #[test]
    fn entity_spans_label_their_words_and_lower_case_words_outside_them() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::model::BUNDLED_MODEL);
        let tok = WordPieceTokenizer::from_dir(&dir, true).unwrap();
        let pairs: Vec<PairExample> = [
            "Senator [Charles Grassley] praised [Obama]’s remarks on Twitter.\tCharles Grassley\tObama\t1",
            "Senator [Charles Grassley] praised [Obama]’s remarks on Twitter.\tObama\tCharles Grassley\t2",
        ]
        .iter()
        .map(|l| parse_line(l).unwrap())
        .collect();
        let batches = entity_span_batches(&tok, &pairs, 8, 128, 13).unwrap();
        assert_eq!(batches.len(), 1, "the sentence comes once");
        let labels: Vec<i64> = Vec::try_from(batches[0].labels.view([-1])).unwrap();
        let words: Vec<(String, i64)> = tok
            .sentence("Senator Charles Grassley praised Obama’s remarks on Twitter.")
            .unwrap()
            .offsets
            .iter()
            .zip(&labels[1..])
            .filter(|(_, &l)| l != -100)
            .map(|(&(s, e), &l)| {
                (
                    "Senator Charles Grassley praised Obama’s remarks on Twitter."
                        .chars()
                        .skip(s)
                        .take(e - s)
                        .collect(),
                    l,
                )
            })
            .collect();
        let expect = [
            ("Charles", SPAN_BEGIN),
            ("Grass", SPAN_INSIDE), // labels sit on each word's first piece
            ("praised", SPAN_OUTSIDE),
            ("Obama", SPAN_BEGIN),
            ("’", SPAN_OUTSIDE),
            ("s", SPAN_OUTSIDE),
            ("remarks", SPAN_OUTSIDE),
            ("on", SPAN_OUTSIDE),
            (".", SPAN_OUTSIDE),
        ];
        let expect: Vec<(String, i64)> = expect.iter().map(|&(w, l)| (w.to_string(), l)).collect();
        assert_eq!(
            words, expect,
            "\"Senator\" and \"Twitter\" are capitalised outside the brackets: unlabelled"
        );
    }
}
