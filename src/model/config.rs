//! The model folder's description: the encoder's Hugging Face `config.json` plus our
//! `heads.json` (label maps and head shapes). A folder without `heads.json` is read as a
//! plain Hugging Face token-classification model (NER only, labels from `id2label`).

use std::path::Path;

use rust_bert::bert::BertConfig;
use rust_bert::distilbert::DistilBertConfig;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const HEADS_FORMAT: &str = "actorstance-heads/1";

pub const TSC_LABELS: [&str; 3] = ["negative", "neutral", "positive"];
/// DSA's five classes, in the data set's label order.
pub const DSA_LABELS: [&str; 5] = [
    "neutral",
    "p_positive_to_q",
    "q_positive_to_p",
    "p_negative_to_q",
    "q_negative_to_p",
];

/// The DSA class of a pair with p and q swapped: neutral stays, p→q and q→p trade places.
pub const DSA_MIRRORED: [usize; 5] = [0, 2, 1, 4, 3];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeadsConfig {
    pub format: String,
    pub name: String,
    pub version: String,
    pub ner_labels: Vec<String>,
    /// Width of the learned word-shape embedding joined to token states (0 = none).
    pub shape_dim: i64,
    pub tsc_labels: Vec<String>,
    pub dsa_labels: Vec<String>,
    /// Added to the directed head's logits at inference: `−τ·log(prior)` per class, with τ
    /// chosen on dev (logit adjustment: the rare stance classes are otherwise under-predicted).
    #[serde(default)]
    pub dsa_logit_adjustment: Vec<f32>,
    /// The directed head was also trained on each pair mirrored (p and q swapped): at
    /// inference it reads both orders and averages their logits, mirrored back.
    #[serde(default)]
    pub dsa_mirrored: bool,
    /// NER labels are BIO (ours are: training converts IOB1): decoding then picks the most
    /// probable tag sequence with no I-X after anything but B-X or I-X, instead of per word.
    #[serde(default)]
    pub ner_bio_decoding: bool,
    /// Longest window (in pieces, specials included) the encoder sees at once.
    pub max_window: usize,
    pub lowercase: bool,
    /// The attribution head's labels (`attribution::LABELS`); empty where the model has no
    /// attribution head. Its weights are in their own file (`model::attribution::FILE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attribution_labels: Vec<String>,
}

impl HeadsConfig {
    pub fn new(name: &str, version: &str, ner_labels: Vec<String>, shape_dim: i64) -> Self {
        HeadsConfig {
            format: HEADS_FORMAT.into(),
            name: name.into(),
            version: version.into(),
            ner_labels,
            shape_dim,
            tsc_labels: TSC_LABELS.iter().map(|s| s.to_string()).collect(),
            dsa_labels: DSA_LABELS.iter().map(|s| s.to_string()).collect(),
            dsa_logit_adjustment: Vec::new(),
            dsa_mirrored: false,
            ner_bio_decoding: true,
            max_window: 256,
            lowercase: true,
            attribution_labels: Vec::new(),
        }
    }
    pub fn has_stance(&self) -> bool {
        !self.tsc_labels.is_empty() && !self.dsa_labels.is_empty()
    }
}

pub fn read_json<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> Result<T> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::model(dir, format!("{file}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| Error::model(dir, format!("{file}: {e}")))
}

/// The encoder's architecture, read from `model_type` in config.json.
#[derive(Debug, Clone)]
pub enum EncoderConfig {
    Bert(BertConfig),
    DistilBert(DistilBertConfig),
}

#[derive(Debug, Clone)]
pub struct Encoder {
    pub config: EncoderConfig,
    /// config.json as read, written back unchanged when saving.
    pub raw: serde_json::Value,
}

impl Encoder {
    pub fn read(dir: &Path) -> Result<Self> {
        Self::from_raw(dir, read_json(dir, "config.json")?)
    }

    /// The encoder a config.json's contents describe (`dir` names it in errors).
    pub fn from_raw(dir: &Path, raw: serde_json::Value) -> Result<Self> {
        let bad = |e: serde_json::Error| Error::model(dir, format!("config.json: {e}"));
        let config = match raw.get("model_type").and_then(|v| v.as_str()).unwrap_or("bert") {
            "distilbert" => EncoderConfig::DistilBert(serde_json::from_value(raw.clone()).map_err(bad)?),
            "bert" => EncoderConfig::Bert(serde_json::from_value(raw.clone()).map_err(bad)?),
            other => {
                return Err(Error::model(
                    dir,
                    format!("model_type {other:?} is not supported (bert, distilbert)"),
                ))
            }
        };
        Ok(Encoder { config, raw })
    }
    pub fn hidden_size(&self) -> i64 {
        match &self.config {
            EncoderConfig::Bert(c) => c.hidden_size,
            EncoderConfig::DistilBert(c) => c.dim,
        }
    }
    pub fn max_positions(&self) -> i64 {
        match &self.config {
            EncoderConfig::Bert(c) => c.max_position_embeddings,
            EncoderConfig::DistilBert(c) => c.max_position_embeddings,
        }
    }
    fn id2label(&self) -> Option<std::collections::HashMap<i64, String>> {
        match &self.config {
            EncoderConfig::Bert(c) => c.id2label.clone(),
            EncoderConfig::DistilBert(c) => c.id2label.clone(),
        }
    }
    /// The variable prefix of the encoder's weights.
    pub fn prefix(&self) -> &'static str {
        match &self.config {
            EncoderConfig::Bert(_) => "bert",
            EncoderConfig::DistilBert(_) => "distilbert",
        }
    }
}

/// Reads the encoder config and our heads config (or derives NER-only heads from id2label).
pub fn read(dir: &Path) -> Result<(Encoder, HeadsConfig)> {
    let bert = Encoder::read(dir)?;
    if dir.join("heads.json").exists() {
        let heads: HeadsConfig = read_json(dir, "heads.json")?;
        if heads.max_window < 3 || heads.max_window as i64 > bert.max_positions() {
            return Err(Error::model(
                dir,
                format!(
                    "heads.json max_window {} must be 3..={}",
                    heads.max_window,
                    bert.max_positions()
                ),
            ));
        }
        if heads.format != HEADS_FORMAT {
            return Err(Error::model(
                dir,
                format!("heads.json format {:?}, expected {HEADS_FORMAT:?}", heads.format),
            ));
        }
        return Ok((bert, heads));
    }
    let raw = bert.raw.clone();
    let id2label = bert.id2label().ok_or_else(|| {
        Error::model(
            dir,
            "no heads.json and config.json has no id2label: not a token-classification model",
        )
    })?;
    let mut labels = vec![String::new(); id2label.len()];
    for (id, label) in id2label {
        let slot = usize::try_from(id).ok().and_then(|i| labels.get_mut(i));
        *slot.ok_or_else(|| Error::model(dir, format!("id2label id {id} out of range")))? = label;
    }
    // Mapped once here, so that every later stage reads CoNLL-2003's entity types.
    let labels = labels
        .iter()
        .map(|l| {
            crate::ner::conll_label(l).ok_or_else(|| {
                Error::model(
                    dir,
                    format!(
                        "id2label has {l:?}, whose entity type we cannot map to {:?} (or to the types that never name a party, {:?})",
                        crate::ner::ENTITY_TYPES,
                        crate::ner::NON_NAME_TYPES
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let name = raw
        .get("_name_or_path")
        .and_then(|v| v.as_str())
        .unwrap_or("huggingface-token-classification");
    let mut heads = HeadsConfig::new(name, "external", labels, 0);
    // An external model's labels may be IOB1, where I-X may open an entity.
    heads.ner_bio_decoding = false;
    heads.tsc_labels.clear();
    heads.dsa_labels.clear();
    heads.max_window = bert.max_positions().min(512) as usize;
    // A cased checkpoint (e.g. bert-base-cased) must not be lowercased by a vocab.txt tokenizer;
    // Hugging Face keeps the flag in tokenizer_config.json.
    let tok_config: Option<serde_json::Value> = read_json(dir, "tokenizer_config.json").ok();
    heads.lowercase = [tok_config.as_ref(), Some(&raw)]
        .into_iter()
        .flatten()
        .find_map(|c| c.get("do_lower_case").and_then(|v| v.as_bool()))
        .unwrap_or(true);
    Ok((bert, heads))
}
