//! The encoder with its three heads. One encoder pass per sentence serves all heads:
//! span heads pool the target's piece states and join them with the sentence ([CLS]) state.

pub mod attribution;
pub mod config;
pub mod precision;
pub mod weights;

use std::path::{Path, PathBuf};

use rust_bert::bert::{BertEmbeddings, BertModel};
use rust_bert::distilbert::DistilBertModel;
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

pub use attribution::AttributionHead;
pub use config::{Encoder, EncoderConfig, HeadsConfig};
pub use precision::{Precision, PrecisionChoice};

use crate::error::{Error, Result};
use crate::tokenize::{WordPieceTokenizer, N_SHAPES};

/// The bundled default model's folder, relative to the repository root.
pub const BUNDLED_MODEL: &str = "models/actorstance-minilm-v5";

/// The bundled fast tier: a student of the default model with half its encoder layers,
/// distilled from it (`scripts/train-fast`; its card says what it trades).
pub const BUNDLED_FAST_MODEL: &str = "models/actorstance-minilm-fast-v3";

/// The model a run uses when none is given: `$ACTORSTANCE_MODEL`, else the bundled model
/// under the working directory, else the one in the source folder this library was built from
/// (the CLI and the Python package share this rule).
pub fn default_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("ACTORSTANCE_MODEL") {
        return dir.into();
    }
    bundled(BUNDLED_MODEL)
}

/// The folder a `--model` argument names: a path, or `default` or `fast` for the bundled
/// tiers (a folder of that name in the working directory comes first); none is [`default_dir`].
pub fn resolve_dir(arg: Option<PathBuf>) -> PathBuf {
    match arg {
        None => default_dir(),
        Some(p) if p.exists() => p,
        Some(p) if p == Path::new("default") => bundled(BUNDLED_MODEL),
        Some(p) if p == Path::new("fast") => bundled(BUNDLED_FAST_MODEL),
        Some(p) => p,
    }
}

fn bundled(folder: &str) -> PathBuf {
    let local = Path::new(folder);
    if local.exists() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(folder)
}

pub struct StanceModel {
    pub vs: nn::VarStore,
    pub encoder: Encoder,
    pub heads: HeadsConfig,
    pub tokenizer: WordPieceTokenizer,
    pub dir: PathBuf,
    /// Who said what (see [`AttributionHead`]); None where heads.json names no attribution labels.
    pub attribution: Option<AttributionHead>,
    network: Network,
    shape: Option<nn::Embedding>,
    ner: nn::Linear,
    tsc: Option<nn::Linear>,
    dsa: Option<nn::Linear>,
    dropout: f64,
    precision: Precision,
}

enum Network {
    Bert(BertModel<BertEmbeddings>),
    DistilBert(DistilBertModel),
}

impl StanceModel {
    /// A model with freshly initialised weights (tests, and the start of training).
    pub fn untrained(encoder: Encoder, heads: HeadsConfig, tokenizer_dir: &Path) -> Result<Self> {
        let tokenizer = WordPieceTokenizer::from_dir(tokenizer_dir, heads.lowercase)?;
        Ok(Self::build(encoder, heads, tokenizer, tokenizer_dir))
    }

    fn build(encoder: Encoder, heads: HeadsConfig, tokenizer: WordPieceTokenizer, dir: &Path) -> Self {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let h = encoder.hidden_size();
        let network = match &encoder.config {
            EncoderConfig::Bert(c) => Network::Bert(BertModel::new_with_optional_pooler(&root / "bert", c, false)),
            // DistilBertModel::new adds the `distilbert` level itself.
            EncoderConfig::DistilBert(c) => Network::DistilBert(DistilBertModel::new(&root, c)),
        };
        let shape = (heads.shape_dim > 0)
            .then(|| nn::embedding(&root / "ner" / "shape", N_SHAPES, heads.shape_dim, Default::default()));
        let ner = nn::linear(
            &root / "ner" / "classifier",
            h + heads.shape_dim,
            heads.ner_labels.len() as i64,
            Default::default(),
        );
        let tsc = (!heads.tsc_labels.is_empty())
            .then(|| nn::linear(&root / "tsc", 2 * h, heads.tsc_labels.len() as i64, Default::default()));
        let dsa = (!heads.dsa_labels.is_empty())
            .then(|| nn::linear(&root / "dsa", 4 * h, heads.dsa_labels.len() as i64, Default::default()));
        StanceModel {
            vs,
            encoder,
            heads,
            tokenizer,
            dir: dir.to_path_buf(),
            attribution: None,
            network,
            shape,
            ner,
            tsc,
            dsa,
            dropout: 0.1,
            precision: Precision::Fp32,
        }
    }

    /// Loads a model folder: ours (with heads.json) or a Hugging Face BERT token classifier.
    pub fn load(dir: &Path) -> Result<Self> {
        let (encoder, heads) = config::read(dir)?;
        let tokenizer = WordPieceTokenizer::from_dir(dir, heads.lowercase)?;
        let prefix = encoder.prefix();
        let mut model = Self::build(encoder, heads, tokenizer, dir);
        let file = weights::weights_file(dir)?;
        weights::assign(&mut model.vs, weights::read(&file)?, &file, prefix, |_| false)?;
        model.attribution = model.load_attribution(dir)?;
        Ok(model)
    }

    fn load_attribution(&self, dir: &Path) -> Result<Option<AttributionHead>> {
        let labels = &self.heads.attribution_labels;
        if labels.is_empty() {
            return Ok(None);
        }
        if !labels.iter().map(String::as_str).eq(crate::attribution::LABELS) {
            return Err(Error::model(
                dir,
                format!(
                    "attribution labels {labels:?}, this build reads {:?}",
                    crate::attribution::LABELS
                ),
            ));
        }
        AttributionHead::load(dir, self.hidden_size()).map(Some)
    }

    /// A student of the model folder `teacher` to distil into: an encoder of fewer layers,
    /// the teacher's `layers` (in that order, renumbered from 0), with the teacher's
    /// embeddings and every head. Starting from the teacher's own layers keeps its states'
    /// space, so the teacher's heads read the student's states from the first step.
    pub fn student(teacher: &Path, layers: &[usize]) -> Result<Self> {
        let (mut encoder, heads) = config::read(teacher)?;
        let EncoderConfig::Bert(c) = &encoder.config else {
            return Err(Error::model(teacher, "a student is made from a BERT encoder only"));
        };
        let depth = c.num_hidden_layers as usize;
        if layers.is_empty() || layers.windows(2).any(|w| w[0] >= w[1]) || layers.iter().any(|&l| l >= depth) {
            return Err(Error::model(
                teacher,
                format!("student layers {layers:?}: give increasing layer numbers below {depth}"),
            ));
        }
        encoder.raw["num_hidden_layers"] = layers.len().into();
        encoder = Encoder::from_raw(teacher, encoder.raw)?;
        let tokenizer = WordPieceTokenizer::from_dir(teacher, heads.lowercase)?;
        let prefix = encoder.prefix();
        let mut model = Self::build(encoder, heads, tokenizer, teacher);
        let file = weights::weights_file(teacher)?;
        let tensors = weights::read(&file)?
            .into_iter()
            .filter_map(|(k, t)| weights::student_key(&k, layers).map(|k| (k, t)))
            .collect();
        weights::assign(&mut model.vs, tensors, &file, prefix, |_| false)?;
        model.attribution = model.load_attribution(teacher)?;
        Ok(model)
    }

    /// A model to fine-tune: the encoder from a base folder (strictly), heads new.
    pub fn from_base(base: &Path, heads: HeadsConfig) -> Result<Self> {
        let encoder = Encoder::read(base)?;
        let tokenizer = WordPieceTokenizer::from_dir(base, heads.lowercase)?;
        let prefix = encoder.prefix();
        let mut model = Self::build(encoder, heads, tokenizer, base);
        let file = weights::weights_file(base)?;
        let is_head = |n: &str| !n.starts_with(&format!("{prefix}."));
        weights::assign(&mut model.vs, weights::read(&file)?, &file, prefix, is_head)?;
        Ok(model)
    }

    /// Writes config.json, heads.json, tokenizer.json and fp16 model.safetensors.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let write = |file: &str, v: &serde_json::Value| {
            let text = serde_json::to_string_pretty(v)?;
            std::fs::write(dir.join(file), text + "\n").map_err(|e| Error::io(dir.join(file), e))
        };
        write("config.json", &self.encoder.raw)?;
        write("heads.json", &serde_json::to_value(&self.heads)?)?;
        self.tokenizer.save(&dir.join("tokenizer.json"))?;
        weights::save_half(&self.vs, &dir.join("model.safetensors"))?;
        match &self.attribution {
            Some(head) => head.save(dir),
            None => Ok(()),
        }
    }

    /// Rewrites heads.json alone (after calibration).
    pub fn save_heads(&self, dir: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.heads)?;
        std::fs::write(dir.join("heads.json"), text + "\n").map_err(|e| Error::io(dir.join("heads.json"), e))
    }

    /// Converts the encoder's weights (the heads stay fp32). From fp32 to bf16 and back loses
    /// the weights' low bits: load the model again to compare precisions exactly.
    pub fn set_precision(&mut self, precision: Precision) {
        let prefix = format!("{}.", self.encoder.prefix());
        let kind = precision.kind();
        tch::no_grad(|| {
            for (name, mut t) in self.vs.variables() {
                if name.starts_with(&prefix) && t.is_floating_point() && t.kind() != kind {
                    let converted = t.to_kind(kind);
                    t.set_data(&converted);
                }
            }
        });
        self.precision = precision;
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn hidden_size(&self) -> i64 {
        self.encoder.hidden_size()
    }

    /// Encoder states [B, T, H], fp32 whatever the encoder's precision, for padded ids [B, T]
    /// with attention mask [B, T].
    pub fn encode(&self, ids: &Tensor, mask: &Tensor, train: bool) -> Result<Tensor> {
        let out = match &self.network {
            Network::Bert(m) => m
                .forward_t(Some(ids), Some(mask), None, None, None, None, None, train)
                .map(|o| o.hidden_state),
            Network::DistilBert(m) => m.forward_t(Some(ids), Some(mask), None, train).map(|o| o.hidden_state),
        }?;
        Ok(match self.precision {
            Precision::Fp32 => out,
            _ => out.to_kind(Kind::Float),
        })
    }

    /// NER logits [..., L] from states [..., H] and word shapes [...].
    pub fn ner_logits(&self, states: &Tensor, shapes: &Tensor, train: bool) -> Tensor {
        let x = states.dropout(self.dropout, train);
        let x = match &self.shape {
            Some(emb) => Tensor::cat(&[x, emb.forward(shapes)], -1),
            None => x,
        };
        self.ner.forward(&x)
    }

    /// Target-sentiment logits [N, 3] from sentence states [N, H] and target means [N, H].
    pub fn tsc_logits(&self, cls: &Tensor, target: &Tensor, train: bool) -> Option<Tensor> {
        let head = self.tsc.as_ref()?;
        Some(head.forward(&Tensor::cat(&[cls, target], -1).dropout(self.dropout, train)))
    }

    /// Directed-stance logits [N, 5] from sentence states and the two spans' means.
    pub fn dsa_logits(&self, cls: &Tensor, p: &Tensor, q: &Tensor, train: bool) -> Option<Tensor> {
        let head = self.dsa.as_ref()?;
        let pq = p * q;
        let logits = head.forward(&Tensor::cat(&[cls, p, q, &pq], -1).dropout(self.dropout, train));
        let logits = if self.heads.dsa_mirrored && !train {
            let swapped = head.forward(&Tensor::cat(&[cls, q, p, &pq], -1));
            let back = Tensor::from_slice(&config::DSA_MIRRORED.map(|c| c as i64));
            (logits + swapped.index_select(1, &back)) * 0.5
        } else {
            logits
        };
        let adjust = &self.heads.dsa_logit_adjustment;
        Some(if train || adjust.len() != self.heads.dsa_labels.len() {
            logits
        } else {
            logits + Tensor::from_slice(adjust)
        })
    }
}

/// Mean of `states[rows[i]]` over the positions where `masks[i]` is 1: [B,T,H] × [N,T] → [N,H].
pub fn span_means(states: &Tensor, rows: &Tensor, masks: &Tensor) -> Tensor {
    let picked = states.index_select(0, rows);
    let m = masks.to_kind(Kind::Float).unsqueeze(-1);
    (picked * &m).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
        / m.sum_dim_intlist([1i64].as_slice(), false, Kind::Float).clamp_min(1.0)
}
