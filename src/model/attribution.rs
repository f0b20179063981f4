//! The attribution tagging head: a bidirectional LSTM over the whole article's piece states
//! (the encoder's, frozen) and a quoting feature, then a linear layer to the BIO labels of
//! `attribution::LABELS`. It reads the article at once because a source, its cue and its
//! content often sit in different sentences. It lives in its own file
//! (`attribution.safetensors`) with its own variable store, so that adding it leaves the
//! encoder and the other heads byte for byte as they were.

use std::path::Path;

use tch::nn::{self, Module, RNN};
use tch::{Device, Tensor};

use crate::attribution::{LABELS, N_FEATURES};
use crate::error::{Error, Result};

pub const FILE: &str = "attribution.safetensors";
const FEATURE_DIM: i64 = 16;
const HIDDEN: i64 = 128;

pub struct AttributionHead {
    pub vs: nn::VarStore,
    features: nn::Embedding,
    lstm: nn::LSTM,
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
        AttributionHead {
            vs,
            features,
            lstm,
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
}
