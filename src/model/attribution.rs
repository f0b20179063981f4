//! The attribution tagging head: a bidirectional LSTM over the whole article's piece states
//! (the encoder's, frozen) and a quoting feature, then a linear layer to the BIO labels of
//! `attribution::LABELS`. It reads the article at once because a source, its cue and its
//! content often sit in different sentences. It lives in its own file
//! (`attribution.safetensors`) with its own variable store, so that adding it leaves the
//! encoder and the other heads byte for byte as they were.

use std::path::Path;

use tch::nn::{self, Module, RNN};
use tch::{Device, Kind, Tensor};

use crate::attribution::{LABELS, N_FEATURES};
use crate::error::{Error, Result};

pub const FILE: &str = "attribution.safetensors";
const FEATURE_DIM: i64 = 16;
const HIDDEN: i64 = 128;

pub struct AttributionHead {
    pub vs: nn::VarStore,
    features: nn::Embedding,
    lstm: nn::LSTM,
    /// The LSTM's weights in libtorch's flat order (forward, then reverse: w_ih, w_hh, b_ih,
    /// b_hh), sharing storage with `vs`, for the packed pass of [`AttributionHead::logits_packed`].
    lstm_params: Vec<Tensor>,
    out: nn::Linear,
    dropout: f64,
}

impl AttributionHead {
    /// Fresh weights for encoder states of width `hidden`.
    pub fn new(hidden: i64) -> Self {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root() / "attribution";
        let features = nn::embedding(&root / "features", N_FEATURES, FEATURE_DIM, Default::default());
        let config = nn::RNNConfig {
            bidirectional: true,
            batch_first: true,
            ..Default::default()
        };
        let lstm = nn::lstm(&root / "lstm", hidden + FEATURE_DIM, HIDDEN, config);
        let out = nn::linear(&root / "out", 2 * HIDDEN, LABELS.len() as i64, Default::default());
        let variables = vs.variables();
        let lstm_params = ["", "_reverse"]
            .iter()
            .flat_map(|d| {
                ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map(|w| format!("attribution.lstm.{w}_l0{d}"))
            })
            .map(|name| variables[&name].shallow_clone())
            .collect();
        AttributionHead {
            vs,
            features,
            lstm,
            lstm_params,
            out,
            dropout: 0.2,
        }
    }

    /// The head of a model folder, strictly: every variable with its shape.
    pub fn load(dir: &Path, hidden: i64) -> Result<Self> {
        let mut head = Self::new(hidden);
        let file = dir.join(FILE);
        let tensors = super::weights::read(&file)?;
        super::weights::assign(&mut head.vs, tensors, &file, "", |_| false)?;
        Ok(head)
    }

    /// Saved in fp32: the file is small (about 2 MB) and the LSTM is sensitive to rounding.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE);
        self.vs.save(&path).map_err(|e| Error::model(&path, e.to_string()))
    }

    /// Label logits [B, N, L] from piece states [B, N, H] and feature ids [B, N].
    pub fn logits(&self, states: &Tensor, features: &Tensor, train: bool) -> Tensor {
        let x =
            Tensor::cat(&[states.shallow_clone(), self.features.forward(features)], -1).dropout(self.dropout, train);
        let (h, _) = self.lstm.seq(&x);
        self.out.forward(&h.dropout(self.dropout, train))
    }

    /// Label logits [ΣN, L] for several articles in one pass, for inference: `states`
    /// [ΣN, H] and `features` [ΣN] hold the articles' pieces end to end, `lengths` each
    /// article's count (an article of none is allowed); rows in the same order. The articles
    /// go through the LSTM as one packed batch, so its sequential steps are the longest
    /// article's rather than the sum of all: one article at a time, these steps took a fifth
    /// of the fast tier's run on 2 cores. Equal to [`Self::logits`] per article.
    pub fn logits_packed(&self, states: &Tensor, features: &Tensor, lengths: &[usize]) -> Tensor {
        let (order, batch_sizes) = packing(lengths);
        let x = Tensor::cat(&[states.shallow_clone(), self.features.forward(features)], -1);
        let data = x.index_select(0, &Tensor::from_slice(&order));
        let zeros = Tensor::zeros(
            [2, batch_sizes.first().copied().unwrap_or(0), HIDDEN],
            (Kind::Float, Device::Cpu),
        );
        let (h, _, _) = Tensor::lstm_data(
            &data,
            &Tensor::from_slice(&batch_sizes),
            &[&zeros, &zeros],
            &self.lstm_params.iter().collect::<Vec<_>>(),
            true,
            1,
            0.0,
            false,
            true,
        );
        let mut unpack = vec![0i64; order.len()];
        for (k, &i) in order.iter().enumerate() {
            unpack[i as usize] = k as i64;
        }
        self.out.forward(&h.index_select(0, &Tensor::from_slice(&unpack)))
    }
}

/// The packed-sequence layout of sequences of `lengths` laid end to end: for each step t,
/// the row of every sequence longer than t, longest sequence first (ties in the order given),
/// and the number of such rows per step (libtorch's `batch_sizes`). An empty sequence has no
/// step.
pub fn packing(lengths: &[usize]) -> (Vec<i64>, Vec<i64>) {
    let starts: Vec<usize> = lengths
        .iter()
        .scan(0, |acc, &n| {
            let s = *acc;
            *acc += n;
            Some(s)
        })
        .collect();
    let mut by_length: Vec<usize> = (0..lengths.len()).collect();
    by_length.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    let longest = by_length.first().map_or(0, |&i| lengths[i]);
    let (mut order, mut batch_sizes) = (Vec::new(), Vec::with_capacity(longest));
    for t in 0..longest {
        let live: Vec<usize> = by_length.iter().copied().take_while(|&i| lengths[i] > t).collect();
        order.extend(live.iter().map(|&i| (starts[i] + t) as i64));
        batch_sizes.push(live.len() as i64);
    }
    (order, batch_sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_takes_each_step_of_the_sequences_still_running_longest_first() {
        // Sequences of 2, 3 and 1 rows at rows 0..2, 2..5 and 5..6.
        assert_eq!(packing(&[2, 3, 1]), (vec![2, 0, 5, 3, 1, 4], vec![3, 2, 1]));
        assert_eq!(packing(&[2, 0, 1]), (vec![0, 2, 1], vec![2, 1]));
        assert_eq!(packing(&[]), (vec![], vec![]));
    }

    #[test]
    fn the_packed_pass_over_several_articles_equals_one_article_at_a_time() {
        tch::manual_seed(7);
        let head = AttributionHead::new(8);
        let lengths = [5usize, 1, 9, 5];
        let states: Vec<Tensor> = lengths
            .iter()
            .map(|&n| Tensor::randn([n as i64, 8], (Kind::Float, Device::Cpu)))
            .collect();
        let features: Vec<Tensor> = lengths
            .iter()
            .map(|&n| Tensor::randint(N_FEATURES, [n as i64], (Kind::Int64, Device::Cpu)))
            .collect();
        let packed =
            tch::no_grad(|| head.logits_packed(&Tensor::cat(&states, 0), &Tensor::cat(&features, 0), &lengths));
        let one_by_one: Vec<Tensor> = states
            .iter()
            .zip(&features)
            .map(|(s, f)| tch::no_grad(|| head.logits(&s.unsqueeze(0), &f.unsqueeze(0), false).squeeze_dim(0)))
            .collect();
        assert_eq!(packed.size(), [20, LABELS.len() as i64]);
        let diff = (packed - Tensor::cat(&one_by_one, 0)).abs().max().double_value(&[]);
        assert!(diff < 1e-5, "largest difference {diff}");
    }
}
