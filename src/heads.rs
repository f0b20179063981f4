//! Applying the heads to encoded sentences: NER tags per piece, target sentiment per
//! mention, directed stance per pair of mentions. Tensors stay in here; plain data leaves.
//! A tensor failure is an error of the batch, never empty predictions.

use tch::{Kind, Tensor};

use crate::encode::SentenceStates;
use crate::error::{Error, Result};
use crate::model::StanceModel;
use crate::ner::{viterbi_bio, WordTag};
use crate::tokenize::Pieces;

/// NER tag and its probability for every piece of one sentence (see [`decode_tags`]).
pub fn tag_pieces(model: &StanceModel, states: &SentenceStates, pieces: &Pieces) -> Result<Vec<WordTag>> {
    tch::no_grad(|| {
        let shapes = Tensor::from_slice(&pieces.shapes);
        let probs = model
            .ner_logits(&states.pieces, &shapes, false)
            .softmax(-1, Kind::Float);
        let n = probs.size().last().copied().unwrap_or(0) as usize;
        let flat = Vec::<f32>::try_from(&probs.contiguous().view([-1]))?;
        let bio = model
            .heads
            .ner_bio_decoding
            .then_some(model.heads.ner_labels.as_slice());
        Ok(decode_tags(&flat, n, pieces, bio))
    })
}

/// Tags from per-piece label probabilities (`probs`: `n_labels` per piece, row after row).
/// Word-start pieces carry the word's tag: the best valid BIO sequence over words when `bio`
/// gives the model's BIO labels, else each word's argmax. Other pieces carry their own argmax
/// (decoding reads word starts only).
pub fn decode_tags(probs: &[f32], n_labels: usize, pieces: &Pieces, bio: Option<&[String]>) -> Vec<WordTag> {
    let rows: Vec<&[f32]> = probs.chunks_exact(n_labels.max(1)).collect();
    let argmax = |r: &[f32]| (0..r.len()).fold(0, |b, l| if r[l] > r[b] { l } else { b });
    let mut tags: Vec<WordTag> = rows
        .iter()
        .map(|r| {
            let label = argmax(r);
            WordTag { label, prob: r[label] }
        })
        .collect();
    if let Some(labels) = bio {
        let starts: Vec<usize> = (0..rows.len()).filter(|&i| pieces.starts_word(i)).collect();
        let log_probs: Vec<Vec<f32>> = starts
            .iter()
            .map(|&i| rows[i].iter().map(|p| p.max(1e-12).ln()).collect())
            .collect();
        for (&i, label) in starts.iter().zip(viterbi_bio(&log_probs, labels)) {
            tags[i] = WordTag {
                label,
                prob: rows[i][label],
            };
        }
    }
    tags
}

/// A span as a piece range, end exclusive.
pub type PieceRange = (usize, usize);

/// Pieces overlapping the char span [start, end) of the sentence, as a piece range.
pub fn piece_range(pieces: &Pieces, start: usize, end: usize) -> Option<(usize, usize)> {
    let hits: Vec<usize> = (0..pieces.len())
        .filter(|&i| pieces.offsets[i].0 < end && pieces.offsets[i].1 > start)
        .collect();
    Some((*hits.first()?, *hits.last()? + 1))
}

fn mean(states: &SentenceStates, (a, b): (usize, usize)) -> Tensor {
    states
        .pieces
        .narrow(0, a as i64, (b - a) as i64)
        .mean_dim([0i64].as_slice(), false, Kind::Float)
}

/// The mean state of each distinct range, stacked [n_distinct, H], and each range's row: a
/// sentence's pairs share their mentions, so each mention is pooled once, not once per pair.
fn pooled(states: &SentenceStates, ranges: &[PieceRange]) -> (Tensor, Vec<i64>) {
    let mut distinct: Vec<PieceRange> = Vec::new();
    let rows = ranges
        .iter()
        .map(|r| match distinct.iter().position(|d| d == r) {
            Some(k) => k as i64,
            None => {
                distinct.push(*r);
                distinct.len() as i64 - 1
            }
        })
        .collect();
    let means: Vec<Tensor> = distinct.iter().map(|&r| mean(states, r)).collect();
    (Tensor::stack(&means, 0), rows)
}

fn rows<const N: usize>(probs: Tensor) -> Result<Vec<[f32; N]>> {
    let flat = Vec::<f32>::try_from(&probs.contiguous().view([-1]))?;
    Ok(flat
        .chunks_exact(N)
        .map(|c| {
            let mut row = [0.0; N];
            row.copy_from_slice(c);
            row
        })
        .collect())
}

/// P(negative, neutral, positive) toward each target piece range.
pub fn target_sentiment(model: &StanceModel, states: &SentenceStates, targets: &[PieceRange]) -> Result<Vec<[f32; 3]>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    tch::no_grad(|| {
        let t = Tensor::stack(&targets.iter().map(|&r| mean(states, r)).collect::<Vec<_>>(), 0);
        let cls = states.cls.unsqueeze(0).expand_as(&t);
        let logits = model
            .tsc_logits(&cls, &t, false)
            .ok_or(Error::MissingPart("target-sentiment head"))?;
        rows::<3>(logits.softmax(-1, Kind::Float))
    })
}

/// The five DSA class probabilities for each (p, q) pair of piece ranges.
pub fn directed_stance(
    model: &StanceModel,
    states: &SentenceStates,
    pairs: &[(PieceRange, PieceRange)],
) -> Result<Vec<[f32; 5]>> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    tch::no_grad(|| {
        let ends: Vec<PieceRange> = pairs.iter().flat_map(|&(p, q)| [p, q]).collect();
        let (pooled, at) = pooled(states, &ends);
        let p = pooled.index_select(
            0,
            &Tensor::from_slice(&at.iter().step_by(2).copied().collect::<Vec<_>>()),
        );
        let q = pooled.index_select(
            0,
            &Tensor::from_slice(&at.iter().skip(1).step_by(2).copied().collect::<Vec<_>>()),
        );
        let cls = states.cls.unsqueeze(0).expand_as(&p);
        let logits = model
            .dsa_logits(&cls, &p, &q, false)
            .ok_or(Error::MissingPart("directed-stance head"))?;
        rows::<5>(logits.softmax(-1, Kind::Float))
    })
}

/// Attribution label probabilities (`attribution::LABELS`) for every piece of each article,
/// in one packed pass of the head: per article, its sentences' piece states in order and one
/// feature id per piece (`attribution::feature_id`). Rows of `LABELS.len()`, piece after
/// piece; an article without pieces gets none.
pub fn attribution_probs(model: &StanceModel, articles: &[(&[&Tensor], &[i64])]) -> Result<Vec<Vec<f32>>> {
    let head = model
        .attribution
        .as_ref()
        .ok_or(Error::MissingPart("attribution head"))?;
    let read: Vec<usize> = (0..articles.len()).filter(|&i| !articles[i].1.is_empty()).collect();
    let mut out = vec![Vec::new(); articles.len()];
    if read.is_empty() {
        return Ok(out);
    }
    tch::no_grad(|| {
        let states: Vec<Tensor> = read.iter().map(|&i| Tensor::cat(articles[i].0, 0)).collect();
        let features: Vec<Tensor> = read.iter().map(|&i| Tensor::from_slice(articles[i].1)).collect();
        let probs = head
            .logits_packed(&states.iter().collect::<Vec<_>>(), &features.iter().collect::<Vec<_>>())
            .softmax(-1, Kind::Float);
        let flat = Vec::<f32>::try_from(&probs.contiguous().view([-1]))?;
        let mut at = 0;
        for &i in &read {
            let len = articles[i].1.len() * crate::attribution::LABELS.len();
            out[i] = flat[at..at + len].to_vec();
            at += len;
        }
        Ok(out)
    })
}
