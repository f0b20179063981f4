//! The run's records: plain data handed from stage to stage. [`input`](crate::input) makes
//! [`Record`]s, [`pipeline`](crate::pipeline) turns each into one [`Outcome`], and
//! [`output`](crate::output) and the sinks write outcomes out. This module sits below all of
//! them and imports none, so the run's types have one home and no import circle.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::actors::resolve::Resolution;
use crate::error::{Failure, FailureKind};
use crate::findings::Findings;
use crate::stance::ActorScores;

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Every other field of the input record, passed through to the output.
    pub extra: Passthrough,
}

/// One input record as read: an article, or what stopped it being one.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Ok(Article),
    Failed {
        id: String,
        failure: Failure,
        extra: Passthrough,
    },
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Ok(a) => &a.id,
            Record::Failed { id, .. } => id,
        }
    }

    pub fn failed(id: impl Into<String>, kind: FailureKind, message: impl Into<String>, extra: Passthrough) -> Self {
        Record::Failed {
            id: id.into(),
            failure: Failure::new(kind, message),
            extra,
        }
    }
}

/// Input fields that the pipeline does not interpret, as they were read. The output renames
/// those that share a name with one of its keys (see `output::OUTPUT_KEYS`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Passthrough(Map<String, Value>);

impl Passthrough {
    pub fn new(fields: Map<String, Value>) -> Self {
        Passthrough(fields)
    }

    pub fn fields(&self) -> &Map<String, Value> {
        &self.0
    }

    pub fn into_fields(self) -> Map<String, Value> {
        self.0
    }
}

/// Which model produced a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelId {
    pub name: String,
    pub version: String,
}

/// One article's results: plain data.
#[derive(Debug)]
pub struct Analysis {
    pub chars: Vec<char>,
    pub findings: Findings,
    pub resolution: Resolution,
    /// Per actor, the most mentioned first.
    pub scores: Vec<ActorScores>,
}

/// What became of one input record.
// Nearly every outcome is an analysis: boxing it would only add an allocation per article.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Outcome {
    Analysed(Article, Analysis),
    Failed {
        id: String,
        failure: Failure,
        extra: Passthrough,
    },
}

impl Outcome {
    pub fn failed(a: Article, failure: Failure) -> Self {
        Outcome::Failed {
            id: a.id,
            failure,
            extra: a.extra,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Outcome::Analysed(a, _) => &a.id,
            Outcome::Failed { id, .. } => id,
        }
    }
}
