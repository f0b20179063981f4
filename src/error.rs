//! The library's one error vocabulary. [`Error`] is what a call fails with (the binary turns it
//! into a message and an exit code); [`FailureKind`] is why one record failed while the run
//! went on (it appears in that record's output line as `error.kind`).
use std::path::PathBuf;

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("model {dir}: {reason}")]
    Model { dir: PathBuf, reason: String },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("torch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("encoder: {0}")]
    Encoder(#[from] rust_bert::RustBertError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// Rows that do not make an Arrow batch of their table's schema.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A gold or training file that does not parse.
    #[error("{path}:{line}: {reason}")]
    Data { path: PathBuf, line: usize, reason: String },
    /// A table or dictionary text (gazetteer, PETRARCH .actors) that does not parse.
    #[error("{table}: line {line}: {reason}")]
    Table { table: String, line: usize, reason: String },
    /// `--resume` found an output file that is not one of ours.
    #[error("cannot resume {path}: {reason}")]
    Resume { path: PathBuf, reason: String },
    /// Results read back (JSONL or Parquet tables) that cannot be read as written.
    #[error("{path}: {reason}")]
    Results { path: PathBuf, reason: String },
    /// `--resume` found an output written from another input.
    #[error("cannot resume: record {position} of the output is {done:?}, but the input has {input:?} there (resume with the same input and --batch-articles)")]
    ResumeMismatch {
        position: usize,
        done: String,
        input: String,
    },
    /// A head asked for that the model does not have, or a batch without what its task needs.
    #[error("model has no {0}")]
    MissingPart(&'static str),
    /// A training set-up with nothing to learn from (a task without its labels' source).
    #[error("cannot train: {0}")]
    TrainSetup(&'static str),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub fn model(dir: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Model {
            dir: dir.into(),
            reason: reason.into(),
        }
    }
    pub fn data(path: impl Into<PathBuf>, line: usize, reason: impl Into<String>) -> Self {
        Error::Data {
            path: path.into(),
            line,
            reason: reason.into(),
        }
    }
    pub fn table(table: impl Into<String>, line: usize, reason: impl Into<String>) -> Self {
        Error::Table {
            table: table.into(),
            line,
            reason: reason.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Why one record failed. Serialised as the snake_case name (`error.kind` in the output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The line is not JSON.
    InvalidJson,
    /// The line is JSON but not an object.
    InvalidRecord,
    MissingId,
    InvalidId,
    MissingText,
    InvalidText,
    EmptyText,
    InvalidUtf8,
    /// The file or stream could not be read.
    Unreadable,
    /// The model stage failed on this record's batch.
    AnalysisFailed,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::InvalidJson => "invalid_json",
            FailureKind::InvalidRecord => "invalid_record",
            FailureKind::MissingId => "missing_id",
            FailureKind::InvalidId => "invalid_id",
            FailureKind::MissingText => "missing_text",
            FailureKind::InvalidText => "invalid_text",
            FailureKind::EmptyText => "empty_text",
            FailureKind::InvalidUtf8 => "invalid_utf8",
            FailureKind::Unreadable => "unreadable",
            FailureKind::AnalysisFailed => "analysis_failed",
        }
    }
}

/// A record's failure: its kind and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_kinds_serialise_as_their_names() {
        for k in [
            FailureKind::InvalidJson,
            FailureKind::InvalidRecord,
            FailureKind::MissingId,
            FailureKind::InvalidId,
            FailureKind::MissingText,
            FailureKind::InvalidText,
            FailureKind::EmptyText,
            FailureKind::InvalidUtf8,
            FailureKind::Unreadable,
            FailureKind::AnalysisFailed,
        ] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
