//! Typed errors of the library. The binary turns them into messages and exit codes.
use std::path::PathBuf;

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
    #[error("{path}:{line}: {reason}")]
    Data { path: PathBuf, line: usize, reason: String },
    #[error("{0}")]
    Invalid(String),
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
}

pub type Result<T> = std::result::Result<T, Error>;
