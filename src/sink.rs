//! Where a run's outcomes go, one per input record, in input order (ripgrep's `Sink` is the
//! model). [`JsonlSink`] writes schema v1 lines; [`CollectingSink`] keeps the domain results
//! for evaluation and tests. Tables and other formats plug in here.

use std::io::Write;

use crate::error::{Error, Result};
use crate::output::{ArticleOutput, ModelOut};
use crate::pipeline::Outcome;

pub trait Sink {
    /// One record's outcome.
    fn write(&mut self, outcome: Outcome) -> Result<()>;
    /// Called after each batch: what was written so far must reach its destination.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

/// JSON Lines, one object per record (schema v1). `name` says where the lines go in errors.
pub struct JsonlSink<W: Write> {
    out: W,
    name: String,
    model: ModelOut,
    explain: bool,
    line: Vec<u8>,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W, name: impl Into<String>, model: ModelOut, explain: bool) -> Self {
        JsonlSink {
            out,
            name: name.into(),
            model,
            explain,
            line: Vec::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn write(&mut self, outcome: Outcome) -> Result<()> {
        // Serialise the whole line first: a line reaches the writer whole or not at all, and
        // a write error stays an io::Error (a closed pipe ends quietly).
        self.line.clear();
        serde_json::to_writer(
            &mut self.line,
            &ArticleOutput::new(outcome, self.model.clone(), self.explain),
        )?;
        self.line.push(b'\n');
        self.out.write_all(&self.line).map_err(|e| Error::io(&self.name, e))
    }

    fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.name, e))
    }
}

/// Keeps every outcome in memory.
#[derive(Default)]
pub struct CollectingSink {
    pub outcomes: Vec<Outcome>,
}

impl Sink for CollectingSink {
    fn write(&mut self, outcome: Outcome) -> Result<()> {
        self.outcomes.push(outcome);
        Ok(())
    }
}
