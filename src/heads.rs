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
    Ok(tag_sentences(model, &[(states, pieces)])?.pop().unwrap_or_default())
}

/// [`tag_pieces`] for many sentences in one pass of the head (a batch's sentences: one
/// operation per batch rather than a dozen per sentence).
pub fn tag_sentences(model: &StanceModel, sentences: &[(&SentenceStates, &Pieces)]) -> Result<Vec<Vec<WordTag>>> {
    if sentences.is_empty() {
        return Ok(Vec::new());
    }
    tch::no_grad(|| {
        let states = Tensor::cat(&sentences.iter().map(|(s, _)| &s.pieces).collect::<Vec<_>>(), 0);
        let shapes: Vec<i64> = sentences.iter().flat_map(|(_, p)| p.shapes.iter().copied()).collect();
        let probs = model
            .ner_logits(&states, &Tensor::from_slice(&shapes), false)
            .softmax(-1, Kind::Float);
        let n = probs.size().last().copied().unwrap_or(0) as usize;
        let flat = Vec::<f32>::try_from(&probs.contiguous().view([-1]))?;
        let bio = model
            .heads
            .ner_bio_decoding
            .then_some(model.heads.ner_labels.as_slice());
        let mut at = 0;
        Ok(sentences
            .iter()
            .map(|(_, pieces)| {
                let rows = &flat[at * n..(at + pieces.len()) * n];
                at += pieces.len();
                decode_tags(rows, n, pieces, bio)
            })
            .collect())
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

/// The mean state of each distinct range ([H] each), and each range's index among them: a
/// sentence's pairs share their mentions, so each mention is pooled once, not once per pair.
fn pooled(states: &SentenceStates, ranges: &[PieceRange]) -> (Vec<Tensor>, Vec<i64>) {
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
    (distinct.iter().map(|&r| mean(states, r)).collect(), rows)
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
    Ok(target_sentiment_many(model, &[(states, targets)])?
        .pop()
        .unwrap_or_default())
}

/// [`target_sentiment`] for many sentences' targets in one pass of the head.
pub fn target_sentiment_many(
    model: &StanceModel,
    sentences: &[(&SentenceStates, &[PieceRange])],
) -> Result<Vec<Vec<[f32; 3]>>> {
    let counts: Vec<usize> = sentences.iter().map(|(_, t)| t.len()).collect();
    if counts.iter().sum::<usize>() == 0 {
        return Ok(counts.iter().map(|_| Vec::new()).collect());
    }
    tch::no_grad(|| {
        let means: Vec<Tensor> = sentences
            .iter()
            .flat_map(|(st, targets)| targets.iter().map(|&r| mean(st, r)))
            .collect();
        let t = Tensor::stack(&means, 0);
        let cls = sentence_rows(sentences.iter().map(|(st, _)| *st), &counts);
        let logits = model
            .tsc_logits(&cls, &t, false)
            .ok_or(Error::MissingPart("target-sentiment head"))?;
        Ok(split(rows::<3>(logits.softmax(-1, Kind::Float))?, &counts))
    })
}

/// The five DSA class probabilities for each (p, q) pair of piece ranges.
pub fn directed_stance(
    model: &StanceModel,
    states: &SentenceStates,
    pairs: &[(PieceRange, PieceRange)],
) -> Result<Vec<[f32; 5]>> {
    Ok(directed_stance_many(model, &[(states, pairs)])?
        .pop()
        .unwrap_or_default())
}

/// [`directed_stance`] for many sentences' pairs in one pass of the head.
pub fn directed_stance_many(
    model: &StanceModel,
    sentences: &[(&SentenceStates, &[(PieceRange, PieceRange)])],
) -> Result<Vec<Vec<[f32; 5]>>> {
    let counts: Vec<usize> = sentences.iter().map(|(_, p)| p.len()).collect();
    if counts.iter().sum::<usize>() == 0 {
        return Ok(counts.iter().map(|_| Vec::new()).collect());
    }
    tch::no_grad(|| {
        let (mut means, mut p_rows, mut q_rows) = (Vec::new(), Vec::new(), Vec::new());
        for (st, pairs) in sentences {
            let ends: Vec<PieceRange> = pairs.iter().flat_map(|&(p, q)| [p, q]).collect();
            let (pooled, at) = pooled(st, &ends);
            let base = means.len() as i64;
            means.extend(pooled);
            p_rows.extend(at.iter().step_by(2).map(|r| base + r));
            q_rows.extend(at.iter().skip(1).step_by(2).map(|r| base + r));
        }
        let pooled = Tensor::stack(&means, 0);
        let p = pooled.index_select(0, &Tensor::from_slice(&p_rows));
        let q = pooled.index_select(0, &Tensor::from_slice(&q_rows));
        let cls = sentence_rows(sentences.iter().map(|(st, _)| *st), &counts);
        let logits = model
            .dsa_logits(&cls, &p, &q, false)
            .ok_or(Error::MissingPart("directed-stance head"))?;
        Ok(split(rows::<5>(logits.softmax(-1, Kind::Float))?, &counts))
    })
}

/// Each sentence's [CLS] state, repeated `counts[i]` times: [Σ counts, H].
fn sentence_rows<'a>(states: impl Iterator<Item = &'a SentenceStates>, counts: &[usize]) -> Tensor {
    let cls: Vec<&Tensor> = states.map(|s| &s.cls).collect();
    let index: Vec<i64> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| std::iter::repeat_n(i as i64, n))
        .collect();
    Tensor::stack(&cls, 0).index_select(0, &Tensor::from_slice(&index))
}

/// `rows` cut into consecutive runs of `counts`.
fn split<T>(rows: Vec<T>, counts: &[usize]) -> Vec<Vec<T>> {
    let mut rows = rows.into_iter();
    counts.iter().map(|&n| rows.by_ref().take(n).collect()).collect()
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
    let lengths: Vec<usize> = articles.iter().map(|(_, f)| f.len()).collect();
    if lengths.iter().sum::<usize>() == 0 {
        return Ok(lengths.iter().map(|_| Vec::new()).collect());
    }
    tch::no_grad(|| {
        let states = Tensor::cat(
            &articles.iter().flat_map(|(s, _)| s.iter().copied()).collect::<Vec<_>>(),
            0,
        );
        let features: Vec<i64> = articles.iter().flat_map(|(_, f)| f.iter().copied()).collect();
        let probs = head
            .logits_packed(&states, &Tensor::from_slice(&features), &lengths)?
            .softmax(-1, Kind::Float);
        let flat = Vec::<f32>::try_from(&probs.contiguous().view([-1]))?;
        let n = crate::attribution::LABELS.len();
        Ok(split(flat, &lengths.iter().map(|&len| len * n).collect::<Vec<_>>()))
    })
}
