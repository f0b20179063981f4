//! Scores from sentence-level predictions: one formula for an article and for a corpus.
//!
//! Each sentence contributes a signed value `s` in [-1, 1] with a weight `w` in [0, 1]:
//! - pair A → B, from the directed head on mentions p (of A) and q (of B):
//!   `s = (P(p+q) − P(p−q)) / w`, `w = P(p+q) + P(p−q)`, the probability that the sentence
//!   carries A's stance toward B (the reverse direction uses the q→p classes);
//! - portrayal of A, from the target-sentiment head on A's mention: `w = 1 − P(neutral)`,
//!   `s = (P(pos) − P(neg)) / w`.
//!
//! Several items of one sentence are averaged first, so a sentence counts once. A score is
//! then a function of three sums over its sentences ([`Sums`]): `mean = Σ w·s / Σ w`,
//! `score = mean · (1 − e^(−Σ w))` (a lone weak sentence cannot give a strong score),
//! `agreement = |Σ w·s| / Σ w·|s|`, `confidence = agreement · (1 − e^(−Σ w))`; the evidence
//! is the (at most three) sentences with the largest `w·|s|`. A corpus adds up its
//! articles' sums (the output carries `weight` = Σ w, `mean`, and `weight_abs` = Σ w·|s|), so
//! a corpus scores a pair as one article holding all its sentences would (to the rounding of
//! the written sums).

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

/// The sums behind a score: Σ w, Σ w·s and Σ w·|s| over sentences, and how many sentences.
/// Sentences add one at a time; sums of disjoint sets of sentences (articles) add up.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sums {
    pub w: f64,
    pub ws: f64,
    pub w_abs: f64,
    pub n_sentences: usize,
}

impl Sums {
    /// One sentence with value `s` and weight `w`.
    pub fn add_sentence(&mut self, s: f64, w: f64) {
        self.w += w;
        self.ws += w * s;
        self.w_abs += w * s.abs();
        self.n_sentences += 1;
    }

    pub fn add(&mut self, other: &Sums) {
        self.w += other.w;
        self.ws += other.ws;
        self.w_abs += other.w_abs;
        self.n_sentences += other.n_sentences;
    }

    /// The sums behind a written score (its `weight`, `mean` and `weight_abs`).
    pub fn of_score(weight: f64, mean: f64, weight_abs: f64, n_sentences: usize) -> Self {
        Sums {
            w: weight,
            ws: mean * weight,
            w_abs: weight_abs,
            n_sentences,
        }
    }

    pub fn mean(&self) -> f64 {
        if self.w > 1e-6 {
            (self.ws / self.w).clamp(-1.0, 1.0)
        } else {
            0.0
        }
    }

    /// 1 − e^(−Σ w): how much the amount of evidence lets the mean count.
    fn evidence_weight(&self) -> f64 {
        1.0 - (-self.w).exp()
    }

    pub fn score(&self) -> f64 {
        self.mean() * self.evidence_weight()
    }

    pub fn confidence(&self) -> f64 {
        // Clamped: sums read back from rounded output can put |Σ w·s| a hair above Σ w·|s|.
        let agreement = if self.w_abs > 1e-6 {
            (self.ws.abs() / self.w_abs).min(1.0)
        } else {
            0.0
        };
        agreement * self.evidence_weight()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The mean scaled by how much evidence stands behind it: what to sort and filter by.
    pub score: f64,
    /// The weighted mean of the sentences' values, however little evidence there is.
    pub mean: f64,
    /// Σ w: how many sentences' worth of evidence stand behind the mean.
    pub weight: f64,
    /// Σ w·|s|: with `weight` and `mean`, what a corpus needs to add this score to others.
    pub weight_abs: f64,
    pub confidence: f64,
    pub n_sentences: usize,
    /// (sentence, its own value s), strongest first.
    pub evidence: Vec<(usize, f64)>,
}

impl Score {
    pub fn new(sums: &Sums, evidence: Vec<(usize, f64)>) -> Self {
        Score {
            score: sums.score(),
            mean: sums.mean(),
            weight: sums.w,
            weight_abs: sums.w_abs,
            confidence: sums.confidence(),
            n_sentences: sums.n_sentences,
            evidence,
        }
    }
}

pub const MAX_EVIDENCE: usize = 3;

/// The score of an article's items, or None without any.
pub fn score_items(items: &[Item]) -> Option<Score> {
    let mut per_sentence: BTreeMap<usize, (f64, f64, f64)> = BTreeMap::new();
    for it in items {
        let e = per_sentence.entry(it.sentence).or_default();
        e.0 += f64::from(it.w) * f64::from(it.s);
        e.1 += f64::from(it.w);
        e.2 += 1.0;
    }
    if per_sentence.is_empty() {
        return None;
    }
    // Per sentence: the weighted mean value, and the mean weight.
    let sentences: Vec<(usize, f64, f64)> = per_sentence
        .into_iter()
        .map(|(k, (ws, w, n))| (k, if w > 0.0 { ws / w } else { 0.0 }, w / n))
        .collect();
    let mut sums = Sums::default();
    for &(_, s, w) in &sentences {
        sums.add_sentence(s, w);
    }
    let mut ranked = sentences;
    ranked.sort_by(|a, b| (b.2 * b.1.abs()).total_cmp(&(a.2 * a.1.abs())).then(a.0.cmp(&b.0)));
    let evidence = ranked
        .iter()
        .filter(|x| x.2 * x.1.abs() > 1e-3)
        .take(MAX_EVIDENCE)
        .map(|x| (x.0, x.1))
        .collect();
    Some(Score::new(&sums, evidence))
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
        let sc = score_items(&[it(0, -1.0, 0.8), it(2, -0.5, 0.4), it(5, 1.0, 0.1)]).unwrap();
        // Σw = 1.3, Σws = -0.8 - 0.2 + 0.1 = -0.9, Σw|s| = 1.1
        assert!((sc.mean - (-0.9 / 1.3)).abs() < 1e-6);
        assert!((sc.score - (-0.9 / 1.3) * (1.0 - (-1.3f64).exp())).abs() < 1e-6);
        assert!((sc.weight - 1.3).abs() < 1e-6);
        assert!((sc.confidence - (0.9 / 1.1) * (1.0 - (-1.3f64).exp())).abs() < 1e-6);
        assert_eq!(sc.evidence, vec![(0, -1.0), (2, -0.5), (5, 1.0)]);
        assert_eq!(sc.n_sentences, 3);
    }

    #[test]
    fn a_sentence_counts_once() {
        let sc = score_items(&[it(1, -1.0, 0.6), it(1, 0.0, 0.2), it(3, 1.0, 0.4)]).unwrap();
        // sentence 1: w = 0.4 (mean), s = -0.6/0.8 = -0.75
        assert!((sc.mean - ((0.4 * -0.75 + 0.4) / 0.8)).abs() < 1e-6);
        assert_eq!(sc.n_sentences, 2);
    }

    #[test]
    fn a_lone_weak_sentence_gives_a_weak_score_and_keeps_its_mean() {
        let weak = score_items(&[it(0, 0.99, 0.3)]).unwrap();
        assert!((weak.mean - 0.99).abs() < 1e-6);
        assert!((weak.score - 0.99 * (1.0 - (-0.3f64).exp())).abs() < 1e-6);
        assert!(weak.score < 0.26);
        // Seven consistent sentences keep most of their mean.
        let strong = score_items(&(0..7).map(|k| it(k, -0.9, 0.8)).collect::<Vec<_>>()).unwrap();
        assert!((strong.mean + 0.9).abs() < 1e-6);
        assert!(strong.score < -0.89 && strong.score > -0.9);
    }

    #[test]
    fn directed_probabilities_split_by_direction() {
        let (ab, ba) = directed_items(4, &[0.1, 0.1, 0.0, 0.6, 0.2]);
        assert!((ab.w - 0.7).abs() < 1e-6 && (ab.s - (-0.5 / 0.7)).abs() < 1e-6);
        assert!((ba.w - 0.2).abs() < 1e-6 && (ba.s + 1.0).abs() < 1e-6);
        assert!(score_items(&[]).is_none());
    }

    fn sums(sc: &Score) -> Sums {
        Sums::of_score(sc.weight, sc.mean, sc.weight_abs, sc.n_sentences)
    }

    #[test]
    fn a_corpus_scores_as_one_article_holding_all_its_sentences() {
        let a = score_items(&[it(0, -1.0, 0.8), it(1, 0.5, 0.4)]).unwrap();
        let b = score_items(&[it(0, -0.6, 0.7)]).unwrap();
        let both = score_items(&[it(0, -1.0, 0.8), it(1, 0.5, 0.4), it(2, -0.6, 0.7)]).unwrap();
        let mut corpus = sums(&a);
        corpus.add(&sums(&b));
        assert!((corpus.score() - both.score).abs() < 1e-9);
        assert!((corpus.confidence() - both.confidence).abs() < 1e-9);
        assert!((corpus.mean() - both.mean).abs() < 1e-9);
        assert_eq!(corpus.n_sentences, 3);
        // A corpus of one article is that article.
        assert!((sums(&a).score() - a.score).abs() < 1e-9);
        assert!((sums(&a).confidence() - a.confidence).abs() < 1e-9);
    }
}
