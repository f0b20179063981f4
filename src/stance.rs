//! Article-level scores from sentence-level predictions.
//!
//! Each sentence contributes a signed value `s` in [-1, 1] with a weight `w` in [0, 1]:
//! - pair A → B, from the directed head on mentions p (of A) and q (of B):
//!   `s = (P(p+q) − P(p−q)) / w`, `w = P(p+q) + P(p−q)`, the probability that the sentence
//!   carries A's stance toward B (the reverse direction uses the q→p classes);
//! - portrayal of A, from the target-sentiment head on A's mention: `w = 1 − P(neutral)`,
//!   `s = (P(pos) − P(neg)) / w`.
//!
//! Several items of one sentence are averaged first, so a sentence counts once. Then
//! `mean = Σ w·s / Σ w`, `score = mean · (1 − e^(−Σ w))` (a lone weak sentence cannot give a
//! strong score), `agreement = |Σ w·s| / Σ w·|s|`, `confidence = agreement · (1 − e^(−Σ w))`,
//! and the evidence is the (at most three) sentences with the largest `w·|s|`.

use std::collections::BTreeMap;

mod actors;
pub use actors::{score_actors, ActorScores, Rollup};

/// One sentence-level contribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub sentence: usize,
    pub s: f32,
    pub w: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The mean scaled by how much evidence stands behind it: what to sort and filter by.
    pub score: f32,
    /// The weighted mean of the sentences' values, however little evidence there is.
    pub mean: f32,
    /// Σ w: how many sentences' worth of evidence stand behind the mean.
    pub weight: f32,
    pub confidence: f32,
    pub n_sentences: usize,
    /// (sentence, its own value s), strongest first.
    pub evidence: Vec<(usize, f32)>,
}

pub const MAX_EVIDENCE: usize = 3;

pub fn aggregate(items: &[Item]) -> Option<Score> {
    let mut per_sentence: BTreeMap<usize, (f32, f32, f32)> = BTreeMap::new();
    for it in items {
        let e = per_sentence.entry(it.sentence).or_default();
        e.0 += it.w * it.s;
        e.1 += it.w;
        e.2 += 1.0;
    }
    if per_sentence.is_empty() {
        return None;
    }
    // Per sentence: mean weight, and the weighted mean value.
    let sentences: Vec<(usize, f32, f32)> = per_sentence
        .into_iter()
        .map(|(k, (ws, w, n))| (k, if w > 0.0 { ws / w } else { 0.0 }, w / n))
        .collect();
    let sum_w: f32 = sentences.iter().map(|x| x.2).sum();
    let sum_ws: f32 = sentences.iter().map(|x| x.2 * x.1).sum();
    let sum_abs: f32 = sentences.iter().map(|x| x.2 * x.1.abs()).sum();
    let mean = if sum_w > 1e-6 {
        (sum_ws / sum_w).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let evidence_weight = 1.0 - (-sum_w).exp();
    let agreement = if sum_abs > 1e-6 { sum_ws.abs() / sum_abs } else { 0.0 };
    let mut ranked = sentences.clone();
    ranked.sort_by(|a, b| (b.2 * b.1.abs()).total_cmp(&(a.2 * a.1.abs())).then(a.0.cmp(&b.0)));
    let evidence = ranked
        .iter()
        .filter(|x| x.2 * x.1.abs() > 1e-3)
        .take(MAX_EVIDENCE)
        .map(|x| (x.0, x.1))
        .collect();
    Some(Score {
        score: mean * evidence_weight,
        mean,
        weight: sum_w,
        confidence: agreement * evidence_weight,
        n_sentences: sentences.len(),
        evidence,
    })
}

/// A → B and B → A items from the directed head's five class probabilities
/// (neutral, p+q, q+p, p−q, q−p), p being a mention of A and q of B.
pub fn directed_items(sentence: usize, probs: &[f32; 5]) -> (Item, Item) {
    let item = |pos: f32, neg: f32| {
        let w = pos + neg;
        Item {
            sentence,
            s: if w > 0.0 { (pos - neg) / w } else { 0.0 },
            w,
        }
    };
    (item(probs[1], probs[3]), item(probs[2], probs[4]))
}

/// Portrayal item from the target-sentiment probabilities (negative, neutral, positive).
pub fn portrayal_item(sentence: usize, probs: &[f32; 3]) -> Item {
    let w = 1.0 - probs[1];
    Item {
        sentence,
        s: if w > 0.0 { (probs[2] - probs[0]) / w } else { 0.0 },
        w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn it(sentence: usize, s: f32, w: f32) -> Item {
        Item { sentence, s, w }
    }

    #[test]
    fn weighted_mean_with_agreement_confidence_and_ranked_evidence() {
        let sc = aggregate(&[it(0, -1.0, 0.8), it(2, -0.5, 0.4), it(5, 1.0, 0.1)]).unwrap();
        // Σw = 1.3, Σws = -0.8 - 0.2 + 0.1 = -0.9, Σw|s| = 1.1
        assert!((sc.mean - (-0.9 / 1.3)).abs() < 1e-6);
        assert!((sc.score - (-0.9 / 1.3) * (1.0 - (-1.3f32).exp())).abs() < 1e-6);
        assert!((sc.weight - 1.3).abs() < 1e-6);
        assert!((sc.confidence - (0.9 / 1.1) * (1.0 - (-1.3f32).exp())).abs() < 1e-6);
        assert_eq!(sc.evidence, vec![(0, -1.0), (2, -0.5), (5, 1.0)]);
        assert_eq!(sc.n_sentences, 3);
    }

    #[test]
    fn a_sentence_counts_once() {
        let sc = aggregate(&[it(1, -1.0, 0.6), it(1, 0.0, 0.2), it(3, 1.0, 0.4)]).unwrap();
        // sentence 1: w = 0.4 (mean), s = -0.6/0.8 = -0.75
        assert!((sc.mean - ((0.4 * -0.75 + 0.4) / 0.8)).abs() < 1e-6);
        assert_eq!(sc.n_sentences, 2);
    }

    #[test]
    fn a_lone_weak_sentence_gives_a_weak_score_and_keeps_its_mean() {
        let weak = aggregate(&[it(0, 0.99, 0.3)]).unwrap();
        assert!((weak.mean - 0.99).abs() < 1e-6);
        assert!((weak.score - 0.99 * (1.0 - (-0.3f32).exp())).abs() < 1e-6);
        assert!(weak.score < 0.26);
        // Seven consistent sentences keep most of their mean.
        let strong = aggregate(&(0..7).map(|k| it(k, -0.9, 0.8)).collect::<Vec<_>>()).unwrap();
        assert!((strong.mean + 0.9).abs() < 1e-6);
        assert!(strong.score < -0.89 && strong.score > -0.9);
    }

    #[test]
    fn directed_probabilities_split_by_direction() {
        let (ab, ba) = directed_items(4, &[0.1, 0.1, 0.0, 0.6, 0.2]);
        assert!((ab.w - 0.7).abs() < 1e-6 && (ab.s - (-0.5 / 0.7)).abs() < 1e-6);
        assert!((ba.w - 0.2).abs() < 1e-6 && (ba.s + 1.0).abs() < 1e-6);
        assert!(aggregate(&[]).is_none());
    }
}
