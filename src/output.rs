//! Output schema v1 (`schema/article.schema.json`): one JSON object per input article, the
//! mapping from the pipeline's domain results to it, and the reading of it back
//! ([`read_line`]; `aggregate` and `report` consume these same types, and the Parquet
//! read-back in `tables` builds them). Offsets are Unicode scalar (char) offsets into the input
//! `text`.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::actors::resolve::{Link, Resolution};
use crate::actors::speakers::speakers;
use crate::attribution::Kind;
use crate::error::{Failure, FailureKind};
use crate::findings::{Findings, Unscored};
pub use crate::record::ModelId;
use crate::record::{Analysis, Article, Outcome, Passthrough};
use crate::stance::{Score, Sums};

/// The keys of an output line; an input field of the same name is passed through renamed
/// (see [`passthrough_fields`]).
pub const OUTPUT_KEYS: &[&str] = &[
    "id",
    "status",
    "error",
    "model",
    "title",
    "date",
    "sentences",
    "entities",
    "actors",
    "statements",
    "unscored",
    "explain",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Error,
}

impl Status {
    /// The name written in the output (`status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ArticleOutput {
    pub id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorOut>,
    pub model: ModelId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Input fields we do not interpret, passed through (renamed where they clash).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    #[serde(default)]
    pub sentences: Vec<SentenceOut>,
    #[serde(default)]
    pub entities: Vec<EntityOut>,
    #[serde(default)]
    pub actors: Vec<ActorOut>,
    /// Who said what (schema v1.1; empty where the model has no attribution head).
    #[serde(default)]
    pub statements: Vec<StatementOut>,
    /// Present only where a limit left work undone in this article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unscored: Option<Unscored>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<ExplainSentence>>,
}

/// The input fields an output line passes through. This is the one place where a field that
/// shares its name with an output key (`status`, `actors`, …) is renamed `input_<name>` (with
/// more `input_` prefixes while that name is taken too), so that no output line ever has a key
/// twice, whatever the record.
pub fn passthrough_fields(extra: Passthrough) -> Map<String, Value> {
    let (clashing, mut kept): (Map<String, Value>, Map<String, Value>) = extra
        .into_fields()
        .into_iter()
        .partition(|(k, _)| OUTPUT_KEYS.contains(&k.as_str()));
    for (k, v) in clashing {
        let mut name = format!("input_{k}");
        while kept.contains_key(&name) || OUTPUT_KEYS.contains(&name.as_str()) {
            name.insert_str(0, "input_");
        }
        kept.insert(name, v);
    }
    kept
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorOut {
    pub kind: FailureKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SentenceOut {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntityOut {
    pub text: String,
    pub label: String,
    pub score: f64,
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MentionOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
    /// How a mention that does not name its actor joined it (schema v1.1): `coreference`
    /// (a pronoun), `title` ("the minister"), `relative` ("…, who"). Absent for names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<Link>,
}

/// A char span `[start, end)` of the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanOut {
    pub start: usize,
    pub end: usize,
}

impl SpanOut {
    pub fn of(r: &Range<usize>) -> Self {
        SpanOut {
            start: r.start,
            end: r.end,
        }
    }
}

/// One reported statement (schema v1.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementOut {
    /// The speaker's actor id; null where the source is no actor (or there is none).
    pub source: Option<String>,
    /// The source span and its text ("the ministry", "she"), null where none was found.
    pub source_span: Option<SpanOut>,
    pub source_text: Option<String>,
    /// The cue ("said", "accused", "according to") and its span.
    pub cue: Option<String>,
    pub cue_span: Option<SpanOut>,
    pub content: Vec<SpanOut>,
    pub kind: Kind,
    /// Indices of the sentences the content touches.
    pub sentences: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceOut {
    pub sentence: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// This sentence's own value in [-1, 1].
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreOut {
    /// `mean` scaled by the weight of the evidence behind it.
    pub score: f64,
    pub mean: f64,
    /// Σ w, the sentences' worth of evidence behind `mean`.
    pub weight: f64,
    /// Σ w·|s|: with `weight` and `mean`, what adds this score into a corpus's. Always
    /// written; absent from results of versions before it, which read it as None.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_abs: Option<f64>,
    pub confidence: f64,
    pub n_sentences: usize,
    #[serde(default)]
    pub evidence: Vec<EvidenceOut>,
}

impl ScoreOut {
    /// The sums behind this score, for adding it to others (`aggregate`). A score without
    /// `weight_abs` (an older version's) is read as full agreement: Σ w·|s| = |Σ w·s|.
    pub fn sums(&self) -> Sums {
        let weight_abs = self.weight_abs.unwrap_or((self.mean * self.weight).abs());
        Sums::of_score(self.weight, self.mean, weight_abs, self.n_sentences)
    }

    /// A corpus-level score (`aggregate`): the same fields from the summed sentences, without
    /// evidence.
    pub fn of_sums(s: &Sums) -> Self {
        score_out(&Score::new(s, Vec::new()), &[], &[])
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TowardOut {
    pub target: String,
    #[serde(flatten)]
    pub score: ScoreOut,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActorOut {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub kind: crate::actors::resolve::ActorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cameo: Option<String>,
    #[serde(default)]
    pub mentions: Vec<MentionOut>,
    pub stance: Option<ScoreOut>,
    pub portrayal: Option<ScoreOut>,
    #[serde(default)]
    pub toward: Vec<TowardOut>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExplainSentence {
    pub sentence: usize,
    pub mentions: Vec<ExplainMention>,
    pub pairs: Vec<ExplainPair>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExplainMention {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub actor: Option<String>,
    /// P(negative, neutral, positive) toward this mention.
    #[serde(serialize_with = "optional_list")]
    pub portrayal: Option<[f64; 3]>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExplainPair {
    pub p: String,
    pub q: String,
    pub p_actor: Option<String>,
    pub q_actor: Option<String>,
    /// P(neutral, p+q, q+p, p−q, q−p).
    #[serde(serialize_with = "list")]
    pub probs: [f64; 5],
}

/// A fixed-size array written as a sequence: serde writes arrays as tuples, which JSON cannot
/// tell apart but the Python package's dicts could (a tuple is not a list).
fn list<S: serde::Serializer>(values: &[f64], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(values)
}

fn optional_list<S: serde::Serializer>(values: &Option<[f64; 3]>, s: S) -> Result<S::Ok, S::Error> {
    match values {
        Some(v) => list(v, s),
        None => s.serialize_none(),
    }
}

fn statements_out(res: &Resolution, f: &Findings, chars: &[char]) -> Vec<StatementOut> {
    let text = |r: &Range<usize>| {
        chars[r.start.min(chars.len())..r.end.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    f.statements
        .iter()
        .zip(speakers(&f.mentions, res, &f.statements))
        .map(|(st, speaker)| StatementOut {
            source: speaker.map(|a| res.actors[a].id.clone()),
            source_span: st.source.as_ref().map(SpanOut::of),
            source_text: st.source.as_ref().map(text),
            cue: st.cue.as_ref().map(text),
            cue_span: st.cue.as_ref().map(SpanOut::of),
            content: st.content.iter().map(SpanOut::of).collect(),
            kind: st.kind,
            sentences: st.sentences.clone(),
        })
        .collect()
}

/// Four decimals are plenty for probabilities and scores, and keep the JSONL small.
pub fn round(x: impl Into<f64>) -> f64 {
    (x.into() * 1e4).round() / 1e4
}

/// One results line read back; an error where it is no output line of ours.
pub fn read_line(line: &str) -> serde_json::Result<ArticleOutput> {
    serde_json::from_str(line)
}

impl ArticleOutput {
    /// The output line of one record, analysed or failed.
    pub fn new(outcome: Outcome, model: ModelId, explain: bool) -> Self {
        match outcome {
            Outcome::Analysed(article, analysis) => Self::ok(article, &analysis, model, explain),
            Outcome::Failed { id, failure, extra } => Self::failed(id, failure, model, extra),
        }
    }

    pub fn ok(a: Article, analysis: &Analysis, model: ModelId, explain: bool) -> Self {
        let Analysis {
            chars,
            findings: f,
            resolution: res,
            scores,
        } = analysis;
        let score_out = |s: &Score| score_out(s, &f.sentences, chars);
        let actors = scores
            .iter()
            .map(|sc| {
                let actor = &res.actors[sc.actor];
                let mut toward: Vec<TowardOut> = sc
                    .toward
                    .iter()
                    .map(|(y, s)| TowardOut {
                        target: res.actors[*y].id.clone(),
                        score: score_out(s),
                    })
                    .collect();
                // The most confident first; ties at the printed precision by target id.
                toward.sort_by(|x, y| {
                    y.score
                        .confidence
                        .total_cmp(&x.score.confidence)
                        .then_with(|| x.target.cmp(&y.target))
                });
                ActorOut {
                    id: actor.id.clone(),
                    name: actor.name.clone(),
                    kind: actor.kind,
                    affiliation: actor.affiliation.map(|c| res.actors[c].id.clone()),
                    cameo: actor.cameo.clone(),
                    mentions: actor
                        .mentions
                        .iter()
                        .map(|&m| {
                            let mm = &f.mentions[m];
                            MentionOut {
                                text: mm.text.clone(),
                                start: mm.start,
                                end: mm.end,
                                sentence: mm.sentence,
                                via: res.mention_links[m],
                            }
                        })
                        .collect(),
                    stance: sc.stance.as_ref().map(score_out),
                    portrayal: sc.portrayal.as_ref().map(score_out),
                    toward,
                }
            })
            .collect();
        ArticleOutput {
            id: a.id,
            status: Status::Ok,
            error: None,
            model,
            title: a.title,
            date: a.date,
            extra: passthrough_fields(a.extra),
            sentences: f
                .sentences
                .iter()
                .map(|r| SentenceOut {
                    start: r.start,
                    end: r.end,
                })
                .collect(),
            entities: f
                .entities
                .iter()
                .map(|e| EntityOut {
                    text: e.text.clone(),
                    label: e.label.clone(),
                    score: round(e.score),
                    start: e.start,
                    end: e.end,
                    sentence: e.sentence,
                })
                .collect(),
            actors,
            statements: statements_out(res, f, chars),
            unscored: f.unscored.any().then_some(f.unscored),
            explain: explain.then(|| explain_sentences(res, f)),
        }
    }

    pub fn failed(id: String, failure: Failure, model: ModelId, extra: Passthrough) -> Self {
        ArticleOutput {
            id,
            status: Status::Error,
            error: Some(ErrorOut {
                kind: failure.kind,
                message: failure.message,
            }),
            model,
            title: None,
            date: None,
            extra: passthrough_fields(extra),
            sentences: vec![],
            entities: vec![],
            actors: vec![],
            statements: vec![],
            unscored: None,
            explain: None,
        }
    }
}

fn score_out(s: &Score, sentences: &[Range<usize>], chars: &[char]) -> ScoreOut {
    ScoreOut {
        score: round(s.score),
        mean: round(s.mean),
        weight: round(s.weight),
        weight_abs: Some(round(s.weight_abs)),
        confidence: round(s.confidence),
        n_sentences: s.n_sentences,
        evidence: s
            .evidence
            .iter()
            .map(|&(k, v)| {
                let r = sentences[k].clone();
                EvidenceOut {
                    sentence: k,
                    start: r.start,
                    end: r.end,
                    text: chars[r].iter().collect(),
                    score: round(v),
                }
            })
            .collect(),
    }
}

fn explain_sentences(res: &Resolution, f: &Findings) -> Vec<ExplainSentence> {
    let actor_id = |m: usize| res.mention_actor[m].map(|a| res.actors[a].id.clone());
    (0..f.sentences.len())
        .map(|k| ExplainSentence {
            sentence: k,
            mentions: (0..f.mentions.len())
                .filter(|&m| f.mentions[m].sentence == k)
                .map(|m| {
                    let mm = &f.mentions[m];
                    ExplainMention {
                        text: mm.text.clone(),
                        start: mm.start,
                        end: mm.end,
                        label: mm.kind.label().to_string(),
                        actor: actor_id(m),
                        portrayal: mm.portrayal.map(|p| p.map(round)),
                    }
                })
                .collect(),
            pairs: f
                .pairs
                .iter()
                .filter(|(p, _, _)| f.mentions[*p].sentence == k)
                .map(|&(p, q, pr)| ExplainPair {
                    p: f.mentions[p].text.clone(),
                    q: f.mentions[q].text.clone(),
                    p_actor: actor_id(p),
                    q_actor: actor_id(q),
                    probs: pr.map(round),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keys_are_exactly_the_keys_an_article_can_have() {
        let mut out = ArticleOutput::failed(
            "a".into(),
            Failure::new(FailureKind::EmptyText, "empty"),
            ModelId {
                name: "m".into(),
                version: "1".into(),
            },
            Passthrough::default(),
        );
        out.title = Some("t".into());
        out.date = Some("2025-01-01".into());
        out.explain = Some(vec![]);
        out.unscored = Some(Unscored::default());
        let v = serde_json::to_value(&out).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = OUTPUT_KEYS.to_vec();
        keys.sort();
        expected.sort();
        assert_eq!(keys, expected);
    }

    #[test]
    fn input_fields_named_like_output_keys_are_renamed() {
        let fields = serde_json::json!({"status": "draft", "actors": "x", "title": 5, "input_status": 1, "n": 2});
        let serde_json::Value::Object(map) = fields else {
            unreachable!()
        };
        assert_eq!(
            serde_json::Value::Object(passthrough_fields(Passthrough::new(map))),
            serde_json::json!({"input_status": 1, "input_input_status": "draft", "input_actors": "x", "input_title": 5, "n": 2})
        );
    }
}
