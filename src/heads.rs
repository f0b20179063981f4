//! Applying the heads to encoded sentences: NER tags per piece, target sentiment per
//! mention, directed stance per pair of mentions. Tensors stay in here; plain data leaves.

use tch::{Kind, Tensor};

use crate::encode::SentenceStates;
use crate::model::StanceModel;
use crate::ner::WordTag;
use crate::tokenize::Pieces;

/// NER tag (argmax and its probability) of every piece of one sentence.
pub fn tag_pieces(model: &StanceModel, states: &SentenceStates, pieces: &Pieces) -> Vec<WordTag> {
    tch::no_grad(|| {
        let shapes = Tensor::from_slice(&pieces.shapes);
        let probs = model
            .ner_logits(&states.pieces, &shapes, false)
            .softmax(-1, Kind::Float);
        let (p, label) = probs.max_dim(-1, false);
        let p = Vec::<f32>::try_from(&p).unwrap_or_default();
        let label = Vec::<i64>::try_from(&label).unwrap_or_default();
        label
            .into_iter()
            .zip(p)
            .map(|(l, prob)| WordTag {
                label: l as usize,
                prob,
            })
            .collect()
    })
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

fn rows<const N: usize>(probs: Tensor) -> Vec<[f32; N]> {
    let flat = Vec::<f32>::try_from(&probs.contiguous().view([-1])).unwrap_or_default();
    flat.chunks_exact(N).map(|c| c.try_into().unwrap_or([0.0; N])).collect()
}

/// P(negative, neutral, positive) toward each target piece range.
pub fn target_sentiment(model: &StanceModel, states: &SentenceStates, targets: &[PieceRange]) -> Vec<[f32; 3]> {
    if targets.is_empty() {
        return Vec::new();
    }
    tch::no_grad(|| {
        let t = Tensor::stack(&targets.iter().map(|&r| mean(states, r)).collect::<Vec<_>>(), 0);
        let cls = states.cls.unsqueeze(0).expand_as(&t);
        model
            .tsc_logits(&cls, &t, false)
            .map(|l| rows::<3>(l.softmax(-1, Kind::Float)))
            .unwrap_or_default()
    })
}

/// The five DSA class probabilities for each (p, q) pair of piece ranges.
pub fn directed_stance(
    model: &StanceModel,
    states: &SentenceStates,
    pairs: &[(PieceRange, PieceRange)],
) -> Vec<[f32; 5]> {
    if pairs.is_empty() {
        return Vec::new();
    }
    tch::no_grad(|| {
        let p = Tensor::stack(&pairs.iter().map(|&(p, _)| mean(states, p)).collect::<Vec<_>>(), 0);
        let q = Tensor::stack(&pairs.iter().map(|&(_, q)| mean(states, q)).collect::<Vec<_>>(), 0);
        let cls = states.cls.unsqueeze(0).expand_as(&p);
        model
            .dsa_logits(&cls, &p, &q, false)
            .map(|l| rows::<5>(l.softmax(-1, Kind::Float)))
            .unwrap_or_default()
    })
}
