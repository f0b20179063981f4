//! Output schema v1 (`schema/article.schema.json`): one JSON object per input article.
//! Offsets are Unicode scalar (char) offsets into the input `text`.

use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Serialize)]
pub struct ArticleOutput {
    pub id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorOut>,
    pub model: ModelOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Input fields we do not interpret, passed through.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    pub sentences: Vec<SentenceOut>,
    pub entities: Vec<EntityOut>,
    pub actors: Vec<ActorOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<ExplainSentence>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorOut {
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelOut {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct SentenceOut {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityOut {
    pub text: String,
    pub label: String,
    pub score: f64,
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MentionOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceOut {
    pub sentence: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// This sentence's own value in [-1, 1].
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreOut {
    pub score: f64,
    pub confidence: f64,
    pub n_sentences: usize,
    pub evidence: Vec<EvidenceOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TowardOut {
    pub target: String,
    #[serde(flatten)]
    pub score: ScoreOut,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorOut {
    pub id: String,
    pub name: String,
    pub kind: crate::actors::resolve::ActorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cameo: Option<String>,
    pub mentions: Vec<MentionOut>,
    pub stance: Option<ScoreOut>,
    pub portrayal: Option<ScoreOut>,
    pub toward: Vec<TowardOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainSentence {
    pub sentence: usize,
    pub mentions: Vec<ExplainMention>,
    pub pairs: Vec<ExplainPair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainMention {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub actor: Option<String>,
    /// P(negative, neutral, positive) toward this mention.
    pub portrayal: Option<[f64; 3]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainPair {
    pub p: String,
    pub q: String,
    pub p_actor: Option<String>,
    pub q_actor: Option<String>,
    /// P(neutral, p+q, q+p, p−q, q−p).
    pub probs: [f64; 5],
}

/// Four decimals are plenty for probabilities and keep the JSONL small.
pub fn round(x: f32) -> f64 {
    (f64::from(x) * 1e4).round() / 1e4
}

impl ArticleOutput {
    pub fn failed(id: String, kind: &str, message: String, model: ModelOut, extra: Map<String, Value>) -> Self {
        ArticleOutput {
            id,
            status: "error",
            error: Some(ErrorOut {
                kind: kind.into(),
                message,
            }),
            model,
            title: None,
            date: None,
            extra,
            sentences: vec![],
            entities: vec![],
            actors: vec![],
            explain: None,
        }
    }
}
