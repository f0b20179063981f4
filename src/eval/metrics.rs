//! Evaluation metrics: conlleval-compatible entity (chunk) scores and
//! multi-class classification scores. Pure computation, no I/O.
//!
//! All scores are fractions in `[0, 1]`, not percentages.

use std::collections::{BTreeMap, BTreeSet};

/// One labelled span of a tag sequence: tokens `start..end` (end exclusive).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Chunk {
    pub label: String,
    pub start: usize,
    pub end: usize,
}

/// Precision, recall and F1 as fractions.
#[derive(Default, Clone, Debug, PartialEq, serde::Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    /// Scores from raw counts. Empty denominators give 0 rather than NaN,
    /// as conlleval does.
    pub fn from_counts(correct: usize, gold: usize, pred: usize) -> Prf {
        let ratio = |num: usize, den: usize| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };
        let precision = ratio(correct, pred);
        let recall = ratio(correct, gold);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf { precision, recall, f1 }
    }
}

/// Position marker of a tag. `O` also stands for anything unparseable.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    B,
    I,
    E,
    S,
    O,
}

/// Splits `B-PER` into (B, "PER"). Tags without a known prefix or with an
/// empty type are treated as outside, so junk never creates a chunk.
fn parse_tag(tag: &str) -> (Mark, &str) {
    let Some((prefix, ty)) = tag.split_once('-') else {
        return (Mark::O, "");
    };
    if ty.is_empty() {
        return (Mark::O, "");
    }
    match prefix {
        "B" => (Mark::B, ty),
        "I" => (Mark::I, ty),
        "E" => (Mark::E, ty),
        "S" => (Mark::S, ty),
        _ => (Mark::O, ""),
    }
}

/// conlleval's `endOfChunk`: does a chunk end at the previous token?
fn chunk_ends(prev: (Mark, &str), cur: (Mark, &str)) -> bool {
    use Mark::*;
    let by_marks = matches!((prev.0, cur.0), (B, B | O | S) | (I, B | O | S) | (E, _) | (S, _));
    by_marks || (prev.0 != O && prev.1 != cur.1)
}

/// conlleval's `startOfChunk`: does a chunk start at the current token?
/// `I-X` after `O` or after another type starts a chunk, which is what makes
/// IOB1 and ill-formed BIO come out the same way conlleval scores them.
fn chunk_starts(prev: (Mark, &str), cur: (Mark, &str)) -> bool {
    use Mark::*;
    let by_marks = matches!(cur.0, B | S) || matches!((prev.0, cur.0), (E | S | O, E | I));
    by_marks || (cur.0 != O && prev.1 != cur.1)
}

/// Chunks of one sentence's tag sequence, with conlleval's semantics.
///
/// Works for IOB1, IOB2/BIO (well- or ill-formed) and IOBES. A chunk starts
/// at `B-X`/`S-X`, or at `I-X`/`E-X` when the previous tag is `O`, `E-*`,
/// `S-*` or of another type; it ends before `O`, `B-*`, `S-*`, a tag of
/// another type, or after `E-*`/`S-*`. `O` and unparseable tags are outside.
pub fn chunks(tags: &[&str]) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut open: Option<(&str, usize)> = None;
    let mut prev = (Mark::O, "");
    // One extra step with an `O` sentinel closes a chunk running to the end.
    for i in 0..=tags.len() {
        let cur = tags.get(i).map_or((Mark::O, ""), |t| parse_tag(t));
        let ends = chunk_ends(prev, cur);
        let starts = chunk_starts(prev, cur);
        if ends || starts {
            if let Some((label, start)) = open.take() {
                out.push(Chunk {
                    label: label.to_string(),
                    start,
                    end: i,
                });
            }
        }
        if starts {
            open = Some((cur.1, i));
        }
        prev = cur;
    }
    out
}

/// Per-type counts behind entity-level scores.
#[derive(Default, Clone, Debug)]
struct Counts {
    correct: usize,
    gold: usize,
    pred: usize,
}

/// Accumulates entity-level counts over sentences, conlleval-style.
///
/// Matching is strict: a predicted chunk is correct only if a gold chunk has
/// the same type and exactly the same start and end. A partial overlap thus
/// counts as one false positive and one false negative.
#[derive(Default, Clone, Debug)]
pub struct NerScorer {
    by_type: BTreeMap<String, Counts>,
    n_sentences: usize,
    length_mismatches: usize,
}

impl NerScorer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sentence. If the lengths differ, only the common prefix is
    /// compared (a chunk crossing the cut is truncated there) and the
    /// sentence is counted in [`NerScorer::length_mismatches`].
    pub fn add(&mut self, gold: &[&str], pred: &[&str]) {
        self.n_sentences += 1;
        let n = gold.len().min(pred.len());
        if gold.len() != pred.len() {
            self.length_mismatches += 1;
        }
        let gold_chunks: BTreeSet<Chunk> = chunks(&gold[..n]).into_iter().collect();
        let pred_chunks: BTreeSet<Chunk> = chunks(&pred[..n]).into_iter().collect();
        for c in &gold_chunks {
            self.by_type.entry(c.label.clone()).or_default().gold += 1;
        }
        for c in &pred_chunks {
            let counts = self.by_type.entry(c.label.clone()).or_default();
            counts.pred += 1;
            if gold_chunks.contains(c) {
                counts.correct += 1;
            }
        }
    }

    pub fn n_sentences(&self) -> usize {
        self.n_sentences
    }

    /// Sentences whose gold and predicted lengths differed.
    pub fn length_mismatches(&self) -> usize {
        self.length_mismatches
    }

    /// Micro-averaged scores over all chunk types.
    pub fn overall(&self) -> Prf {
        let (mut correct, mut gold, mut pred) = (0, 0, 0);
        for c in self.by_type.values() {
            correct += c.correct;
            gold += c.gold;
            pred += c.pred;
        }
        Prf::from_counts(correct, gold, pred)
    }

    /// Scores for every type seen in gold or predictions.
    pub fn per_type(&self) -> BTreeMap<String, Prf> {
        self.by_type
            .iter()
            .map(|(t, c)| (t.clone(), Prf::from_counts(c.correct, c.gold, c.pred)))
            .collect()
    }
}

/// Multi-class classification summary.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClassReport {
    pub n: usize,
    pub accuracy: f64,
    pub f1_macro: f64,
    pub per_class: BTreeMap<String, Prf>,
}

/// Accuracy, macro F1 and per-class scores; `labels[i]` names class `i`.
///
/// Macro F1 averages over ALL classes in `labels`: a class that is never
/// gold nor predicted has F1 0 and still counts in the average (as sklearn
/// does when `labels=` is given), so the figure is comparable across runs
/// whatever classes happen to occur.
///
/// `n` is `gold.len()`. If `pred` has a different length, only the first
/// `min(len)` items are compared and accuracy is over those. Indices outside
/// `labels` count for accuracy (by equality) but in no class.
pub fn classification_report(labels: &[&str], gold: &[usize], pred: &[usize]) -> ClassReport {
    let k = labels.len();
    let mut tp = vec![0usize; k];
    let mut n_gold = vec![0usize; k];
    let mut n_pred = vec![0usize; k];
    let mut correct = 0usize;
    let mut compared = 0usize;
    for (&g, &p) in gold.iter().zip(pred) {
        compared += 1;
        if g == p {
            correct += 1;
        }
        if let Some(c) = n_gold.get_mut(g) {
            *c += 1;
        }
        if let Some(c) = n_pred.get_mut(p) {
            *c += 1;
        }
        if g == p {
            if let Some(c) = tp.get_mut(g) {
                *c += 1;
            }
        }
    }
    let mut per_class = BTreeMap::new();
    let mut f1_sum = 0.0;
    for (i, name) in labels.iter().enumerate() {
        let prf = Prf::from_counts(tp[i], n_gold[i], n_pred[i]);
        f1_sum += prf.f1;
        per_class.insert(name.to_string(), prf);
    }
    ClassReport {
        n: gold.len(),
        accuracy: if compared == 0 {
            0.0
        } else {
            correct as f64 / compared as f64
        },
        f1_macro: if k == 0 { 0.0 } else { f1_sum / k as f64 },
        per_class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn assert_prf(got: &Prf, p: f64, r: f64, f: f64) {
        assert!(
            close(got.precision, p) && close(got.recall, r) && close(got.f1, f),
            "got {got:?}, want P={p} R={r} F={f}"
        );
    }

    fn ch(label: &str, start: usize, end: usize) -> Chunk {
        Chunk {
            label: label.into(),
            start,
            end,
        }
    }

    #[test]
    fn iob1_i_after_o_starts_and_b_splits_adjacent_same_type() {
        let tags = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC"];
        assert_eq!(chunks(&tags), vec![ch("PER", 0, 2), ch("LOC", 3, 4), ch("LOC", 4, 5)]);
    }

    #[test]
    fn bio_b_after_i_of_same_type_starts_a_new_chunk() {
        assert_eq!(
            chunks(&["B-ORG", "I-ORG", "B-ORG"]),
            vec![ch("ORG", 0, 2), ch("ORG", 2, 3)]
        );
    }

    #[test]
    fn ill_formed_bio_i_after_o_starts_a_chunk() {
        assert_eq!(chunks(&["O", "I-MISC", "I-MISC"]), vec![ch("MISC", 1, 3)]);
    }

    #[test]
    fn type_change_inside_chunk_splits_it() {
        assert_eq!(chunks(&["B-PER", "I-LOC"]), vec![ch("PER", 0, 1), ch("LOC", 1, 2)]);
    }

    #[test]
    fn outside_and_unparseable_tags_make_no_chunk() {
        assert_eq!(chunks(&["O", "B-", "X-PER", "PER", "", "B"]), vec![]);
        assert_eq!(chunks(&[]), vec![]);
        // Junk in the middle closes the chunk like `O` would.
        assert_eq!(
            chunks(&["B-PER", "??", "I-PER"]),
            vec![ch("PER", 0, 1), ch("PER", 2, 3)]
        );
    }

    #[test]
    fn iobes_tags_follow_conlleval() {
        let tags = ["B-PER", "E-PER", "S-LOC", "S-LOC", "E-ORG"];
        assert_eq!(
            chunks(&tags),
            vec![ch("PER", 0, 2), ch("LOC", 2, 3), ch("LOC", 3, 4), ch("ORG", 4, 5)]
        );
    }

    #[test]
    fn partial_overlap_is_one_false_positive_and_one_false_negative() {
        // gold: PER[0,2) LOC[3,4); pred: PER[0,1) LOC[3,4) ORG[4,5)
        // correct 1, pred 3, gold 2 -> P = 1/3, R = 1/2, F = 2*(1/6)/(5/6) = 0.4
        let mut s = NerScorer::new();
        s.add(
            &["B-PER", "I-PER", "O", "B-LOC", "O"],
            &["B-PER", "O", "O", "B-LOC", "B-ORG"],
        );
        assert_prf(&s.overall(), 1.0 / 3.0, 0.5, 0.4);
        assert_eq!(s.n_sentences(), 1);
        assert_eq!(s.length_mismatches(), 0);
    }

    #[test]
    fn per_type_and_overall_over_two_sentences() {
        // Gold: PER[0,2) ORG[3,4) | LOC[0,1) PER[2,3)
        // Pred: PER[0,2) LOC[3,4) | LOC[0,1) PER[2,4)
        // PER: correct 1, gold 2, pred 2 -> .5 .5 .5
        // ORG: correct 0, gold 1, pred 0 -> 0 0 0
        // LOC: correct 1, gold 1, pred 2 -> .5 1 2/3
        // all: correct 2, gold 4, pred 4 -> .5 .5 .5
        let mut s = NerScorer::new();
        s.add(&["B-PER", "I-PER", "O", "B-ORG"], &["B-PER", "I-PER", "O", "B-LOC"]);
        s.add(&["B-LOC", "O", "B-PER", "O"], &["B-LOC", "O", "B-PER", "I-PER"]);
        let per = s.per_type();
        assert_eq!(per.keys().collect::<Vec<_>>(), vec!["LOC", "ORG", "PER"]);
        assert_prf(&per["PER"], 0.5, 0.5, 0.5);
        assert_prf(&per["ORG"], 0.0, 0.0, 0.0);
        assert_prf(&per["LOC"], 0.5, 1.0, 2.0 / 3.0);
        assert_prf(&s.overall(), 0.5, 0.5, 0.5);
        assert_eq!(s.n_sentences(), 2);
    }

    #[test]
    fn length_mismatch_compares_common_prefix_and_is_counted() {
        // Compared: gold [B-PER] vs pred [B-PER]; the gold LOC past the cut is ignored.
        let mut s = NerScorer::new();
        s.add(&["B-PER", "B-LOC"], &["B-PER"]);
        assert_eq!(s.length_mismatches(), 1);
        assert_prf(&s.overall(), 1.0, 1.0, 1.0);
    }

    #[test]
    fn empty_scorer_scores_zero() {
        let s = NerScorer::default();
        assert_prf(&s.overall(), 0.0, 0.0, 0.0);
        assert!(s.per_type().is_empty());
        assert_eq!(s.n_sentences(), 0);
    }

    #[test]
    fn classification_three_classes_six_items() {
        // gold 0 0 1 1 2 2, pred 0 1 1 1 0 2: 4 of 6 right.
        // a: tp 1, gold 2, pred 2 -> .5 .5 .5
        // b: tp 2, gold 2, pred 3 -> 2/3 1 .8
        // c: tp 1, gold 2, pred 1 -> 1 .5 2/3
        // macro F1 = (1/2 + 4/5 + 2/3) / 3 = 59/90
        let r = classification_report(&["a", "b", "c"], &[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 0, 2]);
        assert_eq!(r.n, 6);
        assert!(close(r.accuracy, 4.0 / 6.0));
        assert_prf(&r.per_class["a"], 0.5, 0.5, 0.5);
        assert_prf(&r.per_class["b"], 2.0 / 3.0, 1.0, 0.8);
        assert_prf(&r.per_class["c"], 1.0, 0.5, 2.0 / 3.0);
        assert!(close(r.f1_macro, 59.0 / 90.0), "{}", r.f1_macro);
    }

    #[test]
    fn class_never_seen_still_counts_in_macro_f1() {
        let r = classification_report(&["a", "b", "c", "d"], &[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 0, 2]);
        assert_prf(&r.per_class["d"], 0.0, 0.0, 0.0);
        assert!(close(r.f1_macro, 59.0 / 120.0), "{}", r.f1_macro);
    }

    #[test]
    fn classification_tolerates_length_mismatch_and_bad_indices() {
        // Compared: (0,0) right, (1,7) wrong; 7 is in no class. n stays gold.len().
        let r = classification_report(&["a", "b"], &[0, 1, 1], &[0, 7]);
        assert_eq!(r.n, 3);
        assert!(close(r.accuracy, 0.5));
        assert_prf(&r.per_class["a"], 1.0, 1.0, 1.0);
        assert_prf(&r.per_class["b"], 0.0, 0.0, 0.0);
        assert!(close(r.f1_macro, 0.5));

        let empty = classification_report(&[], &[], &[]);
        assert_eq!((empty.n, empty.accuracy, empty.f1_macro), (0, 0.0, 0.0));
    }

    #[test]
    fn report_serializes_to_json() {
        let r = classification_report(&["a"], &[0], &[0]);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["per_class"]["a"]["f1"], 1.0);
        assert_eq!(v["n"], 1);
    }
}
