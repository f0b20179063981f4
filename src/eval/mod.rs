//! `actorstance eval`: the model against gold files, with the standard metrics.

pub mod actors;
pub mod attribution;
pub mod coref;
pub mod end_to_end;
pub mod metrics;
pub mod persent;

use std::path::Path;

use serde::Serialize;

use crate::data::{conll, dsa, newsmtsc};
use crate::encode::{encode_sentences, TOKEN_BUDGET};
use crate::error::Result;
use crate::heads::{directed_stance, piece_range, tag_pieces, target_sentiment};
use crate::model::StanceModel;
use crate::tokenize::Pieces;
use metrics::{classification_report, ClassReport, NerScorer, Prf};

const CHUNK: usize = 256;

#[derive(Debug, Serialize)]
pub struct NerReport {
    pub task: &'static str,
    pub n_sentences: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub per_type: std::collections::BTreeMap<String, Prf>,
}

#[derive(Debug, Serialize)]
pub struct TaskReport {
    pub task: &'static str,
    #[serde(flatten)]
    pub report: ClassReport,
}

impl std::ops::Deref for TaskReport {
    type Target = ClassReport;
    fn deref(&self) -> &ClassReport {
        &self.report
    }
}

/// Runs texts (id, text, date) through the whole pipeline: one outcome per text, in order.
pub fn analyse_texts(
    analyzer: &crate::pipeline::Analyzer,
    texts: impl Iterator<Item = (String, String, Option<String>)>,
) -> Result<Vec<crate::record::Outcome>> {
    let records = texts.map(|(id, text, date)| {
        crate::record::Record::Ok(crate::record::Article {
            id,
            text,
            title: None,
            date,
            extra: Default::default(),
        })
    });
    let mut sink = crate::sink::CollectingSink::default();
    analyzer.run(records, &mut sink, &crate::pipeline::RunOptions::default())?;
    Ok(sink.outcomes)
}

/// Predicted BIO tag per word (the tag of its first piece; "O" for a word with no piece).
pub fn predict_word_tags(model: &StanceModel, sentences: &[Vec<&str>]) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::with_capacity(sentences.len());
    for chunk in sentences.chunks(CHUNK) {
        let pieces: Vec<Pieces> = chunk.iter().map(|w| model.tokenizer.words(w)).collect::<Result<_>>()?;
        let refs: Vec<&Pieces> = pieces.iter().collect();
        let states = encode_sentences(model, &refs, TOKEN_BUDGET)?;
        for ((words, p), st) in chunk.iter().zip(&pieces).zip(&states) {
            let mut tags = vec!["O".to_string(); words.len()];
            if let Some(st) = st {
                for (i, t) in tag_pieces(model, st, p)?.into_iter().enumerate() {
                    if p.starts_word(i) {
                        if let (Some(slot), Some(label)) =
                            (tags.get_mut(p.words[i]), model.heads.ner_labels.get(t.label))
                        {
                            *slot = label.clone();
                        }
                    }
                }
            }
            out.push(tags);
        }
    }
    Ok(out)
}

pub fn ner(model: &StanceModel, gold: &Path) -> Result<NerReport> {
    ner_on(model, &conll::read(gold)?)
}

pub fn ner_on(model: &StanceModel, data: &[conll::TaggedSentence]) -> Result<NerReport> {
    let words: Vec<Vec<&str>> = data
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect();
    let pred = predict_word_tags(model, &words)?;
    let mut scorer = NerScorer::new();
    for (s, p) in data.iter().zip(&pred) {
        let g: Vec<&str> = s.tags.iter().map(String::as_str).collect();
        let p: Vec<&str> = p.iter().map(String::as_str).collect();
        scorer.add(&g, &p);
    }
    let o = scorer.overall();
    Ok(NerReport {
        task: "ner",
        n_sentences: scorer.n_sentences(),
        precision: o.precision,
        recall: o.recall,
        f1: o.f1,
        per_type: scorer.per_type(),
    })
}

pub fn argmax(p: &[f32]) -> usize {
    (0..p.len()).fold(0, |best, i| if p[i] > p[best] { i } else { best })
}

/// Encodes the examples chunk by chunk and collects what `predict` makes of each one.
fn classify<E, T>(
    model: &StanceModel,
    examples: &[E],
    text: impl Fn(&E) -> &str,
    mut predict: impl FnMut(&StanceModel, Option<&crate::encode::SentenceStates>, &Pieces, &E) -> Result<Vec<T>>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for chunk in examples.chunks(CHUNK) {
        let pieces: Vec<Pieces> = chunk
            .iter()
            .map(|e| model.tokenizer.sentence(text(e)))
            .collect::<Result<_>>()?;
        let refs: Vec<&Pieces> = pieces.iter().collect();
        let states = encode_sentences(model, &refs, TOKEN_BUDGET)?;
        for ((e, p), st) in chunk.iter().zip(&pieces).zip(&states) {
            out.extend(predict(model, st.as_ref(), p, e)?);
        }
    }
    Ok(out)
}

pub fn tsc(model: &StanceModel, gold: &Path) -> Result<TaskReport> {
    tsc_on(model, &newsmtsc::read(gold)?)
}

pub fn tsc_on(model: &StanceModel, data: &[newsmtsc::TargetExample]) -> Result<TaskReport> {
    let neutral = 1;
    let pred = classify(
        model,
        data,
        |e| &e.text,
        |m, st, p, e| {
            e.targets
                .iter()
                .map(|&(s, t, _)| match (st, piece_range(p, s, t)) {
                    (Some(st), Some(r)) => Ok(target_sentiment(m, st, &[r])?.first().map_or(neutral, |pr| argmax(pr))),
                    _ => Ok(neutral),
                })
                .collect()
        },
    )?;
    let gold: Vec<usize> = data.iter().flat_map(|e| e.targets.iter().map(|t| t.2)).collect();
    let labels: Vec<&str> = model.heads.tsc_labels.iter().map(String::as_str).collect();
    Ok(TaskReport {
        task: "tsc",
        report: classification_report(&labels, &gold, &pred),
    })
}

pub fn dsa(model: &StanceModel, gold: &Path) -> Result<TaskReport> {
    dsa_on(model, &dsa::read(gold)?)
}

pub fn dsa_on(model: &StanceModel, data: &[dsa::PairExample]) -> Result<TaskReport> {
    let pred: Vec<usize> = dsa_probs(model, data)?.iter().map(|p| argmax(p)).collect();
    let gold: Vec<usize> = data.iter().map(|e| e.label).collect();
    let labels: Vec<&str> = model.heads.dsa_labels.iter().map(String::as_str).collect();
    Ok(TaskReport {
        task: "dsa",
        report: classification_report(&labels, &gold, &pred),
    })
}

const NEUTRAL_PAIR: [f32; 5] = [1.0, 0.0, 0.0, 0.0, 0.0];

/// The directed head's class probabilities per example (neutral when a span has no piece).
pub fn dsa_probs(model: &StanceModel, data: &[dsa::PairExample]) -> Result<Vec<[f32; 5]>> {
    classify(
        model,
        data,
        |e| &e.text,
        |m, st, p, e| {
            let pair = (piece_range(p, e.p.0, e.p.1), piece_range(p, e.q.0, e.q.1));
            Ok(vec![match (st, pair) {
                (Some(st), (Some(a), Some(b))) => directed_stance(m, st, &[(a, b)])?
                    .first()
                    .copied()
                    .unwrap_or(NEUTRAL_PAIR),
                _ => NEUTRAL_PAIR,
            }])
        },
    )
}

/// Chooses τ for the logit adjustment `−τ·log(prior)` of the directed head by dev macro F1
/// (τ from 0 to 3 by 0.25). `probs` must come from the unadjusted head.
/// Returns (τ, adjustment, dev macro F1).
pub fn choose_logit_adjustment(
    labels: &[&str],
    probs: &[[f32; 5]],
    gold: &[usize],
    prior: &[f64; 5],
) -> (f64, Vec<f32>, f64) {
    let mut best = (0.0, vec![0.0; 5], -1.0);
    for step in 0..=12 {
        let tau = step as f64 * 0.25;
        let adjust: Vec<f32> = prior.iter().map(|p| (-tau * p.max(1e-6).ln()) as f32).collect();
        let pred: Vec<usize> = probs
            .iter()
            .map(|p| argmax(&(0..5).map(|c| p[c].max(1e-12).ln() + adjust[c]).collect::<Vec<f32>>()))
            .collect();
        let f1 = classification_report(labels, gold, &pred).f1_macro;
        if f1 > best.2 + 1e-9 {
            best = (tau, adjust, f1);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logit_adjustment_recovers_a_rare_class_the_head_under_predicts() {
        let labels = ["a", "b", "c", "d", "e"];
        // Class 1 is rare and always scored just below class 0: only an adjustment finds it.
        let probs = [
            [0.6, 0.4, 0.0, 0.0, 0.0],
            [0.6, 0.4, 0.0, 0.0, 0.0],
            [0.9, 0.1, 0.0, 0.0, 0.0],
            [0.9, 0.1, 0.0, 0.0, 0.0],
        ];
        let gold = [1, 1, 0, 0];
        let prior = [0.8, 0.05, 0.05, 0.05, 0.05];
        let (tau, adjust, f1) = choose_logit_adjustment(&labels, &probs, &gold, &prior);
        assert!(tau > 0.0 && adjust[1] > adjust[0]);
        // Both classes right: per-class F1 1, 1, and 0 for the three absent classes.
        assert!((f1 - 2.0 / 5.0).abs() < 1e-9, "{f1}");
    }
}
