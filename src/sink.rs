//! Where a run's outcomes go, one per input record, in input order (ripgrep's `Sink` is the
//! model). A sink owns its output's lifecycle: [`Sink::flush`] after each batch,
//! [`Sink::finish`] once the run is complete (a file written as `FILE.partial` is renamed into
//! place then, and only then). [`JsonlSink`] writes schema v1 lines; [`CollectingSink`] keeps
//! the domain results for evaluation and tests; tables plug in here too.

use std::io::{BufWriter, Write};

use crate::actors::learn::Learner;
use crate::error::{Error, Result};
use crate::output::{ArticleOutput, ModelId};
use crate::record::Outcome;
use crate::resume::OutputFile;

pub trait Sink {
    /// One record's outcome.
    fn write(&mut self, outcome: Outcome) -> Result<()>;
    /// Called after each batch: what was written so far must reach its destination.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
    /// The run is complete: the output becomes whole. An interrupted run does not call this,
    /// so its output stays partial (and resumable).
    fn finish(self) -> Result<()>
    where
        Self: Sized,
    {
        Ok(())
    }
}

/// A byte stream that a sink writes to, and what completes it (`name` for errors).
pub trait Destination: Write {
    fn complete(self, name: &str) -> Result<()>;
}

impl Destination for Vec<u8> {
    fn complete(self, _: &str) -> Result<()> {
        Ok(())
    }
}

impl<W: Write> Destination for BufWriter<W> {
    fn complete(mut self, name: &str) -> Result<()> {
        self.flush().map_err(|e| Error::io(name, e))
    }
}

impl Destination for OutputFile {
    /// Synced and renamed from `FILE.partial` to `FILE`.
    fn complete(self, _: &str) -> Result<()> {
        self.finish()
    }
}

/// JSON Lines, one object per record (schema v1). `name` says where the lines go in errors.
pub struct JsonlSink<W: Destination> {
    out: W,
    name: String,
    model: ModelId,
    explain: bool,
    line: Vec<u8>,
}

impl<W: Destination> JsonlSink<W> {
    pub fn new(out: W, name: impl Into<String>, model: ModelId, explain: bool) -> Self {
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

impl<W: Destination> Sink for JsonlSink<W> {
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

    fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.name, e))?;
        self.out.complete(&self.name)
    }
}

/// Hands each analysed article's stated affiliations to a [`Learner`] (`actors learn`), and
/// counts the records that failed.
#[derive(Default)]
pub struct LearningSink {
    pub learner: Learner,
    pub failed: usize,
}

impl Sink for LearningSink {
    fn write(&mut self, outcome: Outcome) -> Result<()> {
        match outcome {
            Outcome::Analysed(article, analysis) => {
                self.learner.add_article(&analysis.resolution, article.date.as_deref())
            }
            Outcome::Failed { .. } => self.failed += 1,
        }
        Ok(())
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
