//! `actorstance._native`: the actorstance library in the Python process. An `Analyzer` holds
//! one loaded model; `analyze` streams one result dict per record (the JSONL schema, built
//! from the library's own output types by `pythonize`, no JSON text in between); `tables`
//! returns the flat tables as `pyarrow.Table`s built from the library's table code.
//!
//! The pipeline is the CLI's: `Analyzer::run` over the records, so batches, order and bytes
//! are the same. `analyze` runs it on a worker thread that reads the Python iterable (taking
//! the GIL per record) and hands each outcome over a bounded channel, so the caller's
//! generator is lazy and memory stays flat; the GIL is released while the caller waits.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use actorstance::error::{Error, FailureKind};
use actorstance::input::{json_record, read_dictionary, text_article};
use actorstance::model::{default_dir, PrecisionChoice, StanceModel};
use actorstance::output::ArticleOutput;
use actorstance::pipeline::{set_threads, Analyzer, Options, RunOptions, Summary};
use actorstance::record::{ModelId, Outcome, Passthrough, Record};
use actorstance::sink::Sink;
use actorstance::stance::Rollup;
use actorstance::tables::ArrowTables;
use arrow_pyarrow::IntoPyArrow;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyIterator, PyString};

/// How often a waiting `__next__` looks for Ctrl-C (Python runs signal handlers only between
/// its own bytecodes, never while native code waits).
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// An exception class from `actorstance._errors` (defined in Python, so that `ArgumentError`
/// can be a `ValueError` too), called with `args`.
fn raise<'py>(py: Python<'py>, class: &str, args: impl pyo3::call::PyCallArgs<'py>) -> PyErr {
    let made = py
        .import("actorstance._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1(args));
    match made {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

fn argument_error(py: Python<'_>, field: &str, message: impl Into<String>) -> PyErr {
    raise(py, "ArgumentError", (message.into(), field))
}

fn model_error(py: Python<'_>, path: &Path, e: &Error) -> PyErr {
    raise(py, "ModelError", (e.to_string(), path.to_path_buf()))
}

fn run_error(py: Python<'_>, message: String) -> PyErr {
    raise(py, "ActorstanceError", (message,))
}

/// Reads the caller's records from a Python iterator, one `Record` each: a `str` is an article
/// whose id is its position (from 0), a `dict` a JSONL record; anything else, or a dict that is
/// not JSON, becomes a failed record with its position (never an exception). An exception that
/// the iterator itself raises ends the input and is kept for the caller.
struct PyRecords {
    iter: Py<PyIterator>,
    position: usize,
    /// Only on the calling (main) thread: look for Ctrl-C before each record.
    check_signals: bool,
    error: Option<PyErr>,
}

impl PyRecords {
    fn new(iter: Py<PyIterator>, check_signals: bool) -> Self {
        PyRecords {
            iter,
            position: 0,
            check_signals,
            error: None,
        }
    }
}

fn record_of(item: &Bound<'_, PyAny>, location: String) -> Record {
    if let Ok(text) = item.cast::<PyString>() {
        return match text.to_cow() {
            Ok(text) => text_article(location, text.into_owned()),
            Err(e) => Record::failed(
                location,
                FailureKind::InvalidText,
                e.to_string(),
                Passthrough::default(),
            ),
        };
    }
    if item.is_instance_of::<PyDict>() {
        return match pythonize::depythonize::<serde_json::Value>(item) {
            Ok(value) => json_record(value, &location),
            Err(e) => {
                // Keep the record's own id where it has one, so the failure can be joined back.
                let id = item
                    .get_item("id")
                    .ok()
                    .and_then(|id| {
                        id.extract::<String>()
                            .ok()
                            .or_else(|| id.extract::<i64>().ok().map(|n| n.to_string()))
                    })
                    .filter(|id| !id.is_empty())
                    .unwrap_or(location);
                Record::failed(
                    id,
                    FailureKind::InvalidRecord,
                    format!("the record is not JSON data: {e}"),
                    Passthrough::default(),
                )
            }
        };
    }
    let kind = item.get_type().name().map(|n| n.to_string()).unwrap_or_default();
    Record::failed(
        location,
        FailureKind::InvalidRecord,
        format!("a record must be a str or a dict, not {kind}"),
        Passthrough::default(),
    )
}

impl Iterator for PyRecords {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.error.is_some() {
            return None;
        }
        Python::attach(|py| {
            if self.check_signals {
                if let Err(e) = py.check_signals() {
                    self.error = Some(e);
                    return None;
                }
            }
            let mut iter = self.iter.bind(py).clone();
            match iter.next()? {
                Ok(item) => {
                    let record = record_of(&item, self.position.to_string());
                    self.position += 1;
                    Some(record)
                }
                Err(e) => {
                    self.error = Some(e);
                    None
                }
            }
        })
    }
}

/// The records argument as an iterator: one `str` or `dict` is one record; bytes are refused
/// (a text is a `str`); anything else must be iterable.
fn records_iter(py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<Py<PyIterator>> {
    if records.is_instance_of::<PyString>() || records.is_instance_of::<PyDict>() {
        let one = pyo3::types::PyList::new(py, [records])?;
        return Ok(one.try_iter()?.unbind());
    }
    if records.is_instance_of::<PyBytes>() {
        return Err(argument_error(
            py,
            "records",
            "records must be str, not bytes: decode them first",
        ));
    }
    match records.try_iter() {
        Ok(iter) => Ok(iter.unbind()),
        Err(_) => Err(argument_error(
            py,
            "records",
            format!(
                "records must be a str, a dict or an iterable of them, not {}",
                records.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ),
        )),
    }
}

/// What the worker thread hands the generator.
enum Message {
    Outcome(Box<ArticleOutput>),
    End(End),
}

enum End {
    Done(Summary),
    /// The records iterator raised.
    Python(PyErr),
    /// The run failed (not a record: those are outcomes).
    Failed(String),
}

/// Sends each outcome, as its output type, to the generator; blocks while the channel is full.
struct ChannelSink {
    to: SyncSender<Message>,
    model: ModelId,
    explain: bool,
}

impl Sink for ChannelSink {
    fn write(&mut self, outcome: Outcome) -> actorstance::Result<()> {
        let out = ArticleOutput::new(outcome, self.model.clone(), self.explain);
        self.to.send(Message::Outcome(Box::new(out))).map_err(|_| {
            Error::io(
                "<python generator>",
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the generator was closed"),
            )
        })
    }
}

/// The loaded analyzer, shared by the Python object and the run that is using it. libtorch
/// modules are not `Sync`, and one run at a time keeps libtorch on one thread as in the CLI:
/// `busy` is taken when a run starts and refused, not waited for, when a run is going on (a
/// half-read generator would otherwise block the next call for ever).
struct Shared {
    analyzer: Mutex<Analyzer>,
    busy: AtomicBool,
    model: ModelId,
}

/// The right to run: held by one run, given back when that run ends.
struct Running(Arc<Shared>);

impl Running {
    fn take(py: Python<'_>, shared: &Arc<Shared>) -> PyResult<Self> {
        if shared.busy.swap(true, Ordering::SeqCst) {
            return Err(run_error(
                py,
                "this Analyzer is running another analysis: iterate its results to the end or call close() on them, or use a second Analyzer".into(),
            ));
        }
        Ok(Running(Arc::clone(shared)))
    }

    fn run(&self, records: &mut PyRecords, sink: &mut impl Sink, run: &RunOptions) -> actorstance::Result<Summary> {
        // Never poisoned in practice (a panic ends the process's use of the model anyway).
        let analyzer = self.0.analyzer.lock().unwrap_or_else(|p| p.into_inner());
        analyzer.run(records, sink, run)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::SeqCst);
    }
}

/// Loads a model once and analyses records with it.
#[pyclass(name = "Analyzer", module = "actorstance", frozen)]
struct PyAnalyzer {
    inner: Arc<Shared>,
    model_dir: PathBuf,
    precision: String,
    batch_articles: usize,
}

fn nonnegative(py: Python<'_>, field: &str, n: i64) -> PyResult<usize> {
    if n < 1 {
        return Err(argument_error(
            py,
            field,
            format!("{field} must be at least 1, not {n}"),
        ));
    }
    Ok(n as usize)
}

#[pymethods]
impl PyAnalyzer {
    #[new]
    #[pyo3(signature = (model=None, threads=2, rollup="country", precision="auto", gazetteer=None, batch_articles=32))]
    fn new(
        py: Python<'_>,
        model: Option<PathBuf>,
        threads: i64,
        rollup: &str,
        precision: &str,
        gazetteer: Option<PathBuf>,
        batch_articles: i64,
    ) -> PyResult<Self> {
        let threads = nonnegative(py, "threads", threads)?;
        let batch_articles = nonnegative(py, "batch_articles", batch_articles)?;
        let rollup = match rollup {
            "country" => Rollup::Country,
            "none" => Rollup::None,
            other => {
                return Err(argument_error(
                    py,
                    "rollup",
                    format!("rollup must be \"country\" or \"none\", not {other:?}"),
                ))
            }
        };
        let precision = PrecisionChoice::from_str(precision).map_err(|e| argument_error(py, "precision", e))?;
        let dir = model.unwrap_or_else(default_dir);
        let dictionary = match &gazetteer {
            Some(path) => Some(
                read_dictionary(path)
                    .map_err(|e| raise(py, "ArgumentError", (e.to_string(), "gazetteer", path.clone())))?,
            ),
            None => None,
        };
        let loaded = py.detach(|| -> actorstance::Result<Analyzer> {
            set_threads(threads);
            let mut model = StanceModel::load(&dir)?;
            model.set_precision(precision.resolve());
            let options = Options {
                rollup,
                ..Options::default()
            };
            Analyzer::new(model, options)
        });
        let mut analyzer = loaded.map_err(|e| model_error(py, &dir, &e))?;
        if let Some((dict, people)) = dictionary {
            analyzer = analyzer.with_dictionary(dict, people);
        }
        Ok(PyAnalyzer {
            precision: analyzer.model.precision().to_string(),
            inner: Arc::new(Shared {
                model: analyzer.model_info(),
                analyzer: Mutex::new(analyzer),
                busy: AtomicBool::new(false),
            }),
            model_dir: dir,
            batch_articles,
        })
    }

    /// Analyses `records` lazily: one result dict per record, in input order.
    #[pyo3(signature = (records, explain=false))]
    fn analyze(&self, py: Python<'_>, records: &Bound<'_, PyAny>, explain: bool) -> PyResult<Results> {
        let iter = records_iter(py, records)?;
        let running = Running::take(py, &self.inner)?;
        let (to, from) = sync_channel(self.batch_articles);
        let stop = Arc::new(AtomicBool::new(false));
        let (model, batch_articles, stopping) = (self.inner.model.clone(), self.batch_articles, Arc::clone(&stop));
        let worker = std::thread::Builder::new()
            .name("actorstance-run".into())
            .spawn(move || {
                let mut records = PyRecords::new(iter, false);
                let mut sink = ChannelSink {
                    to: to.clone(),
                    model,
                    explain,
                };
                let run = RunOptions {
                    batch_articles,
                    stop: Some(&stopping),
                    ..RunOptions::default()
                };
                let result = running.run(&mut records, &mut sink, &run);
                drop(running);
                let end = match (records.error.take(), result) {
                    (Some(e), _) => End::Python(e),
                    (None, Ok(summary)) => End::Done(summary),
                    (None, Err(e)) => End::Failed(e.to_string()),
                };
                // The generator may be gone (closed early): nobody to tell.
                let _ = to.send(Message::End(end));
            })
            .map_err(|e| run_error(py, format!("cannot start the analysis thread: {e}")))?;
        Ok(Results {
            from: Mutex::new(Some(from)),
            stop,
            worker: Mutex::new(Some(worker)),
            summary: Mutex::new(None),
        })
    }

    /// Analyses every record and returns the flat tables as a dict of `pyarrow.Table`s:
    /// `articles`, `actors`, `pairs`, `mentions`, `statements` (as `analyze --format parquet`
    /// writes them).
    fn tables<'py>(&self, py: Python<'py>, records: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let iter = records_iter(py, records)?;
        let running = Running::take(py, &self.inner)?;
        let mut records = PyRecords::new(iter, true);
        let mut sink = ArrowTables::new(self.inner.model.clone());
        let run = RunOptions {
            batch_articles: self.batch_articles,
            ..RunOptions::default()
        };
        let result = py.detach(|| running.run(&mut records, &mut sink, &run));
        if let Some(e) = records.error.take() {
            return Err(e);
        }
        result.map_err(|e| run_error(py, e.to_string()))?;
        let tables = sink.into_tables().map_err(|e| run_error(py, e.to_string()))?;
        let out = PyDict::new(py);
        for (name, schema, batches) in tables {
            let table = arrow_pyarrow::Table::try_new(batches, schema).map_err(|e| run_error(py, e.to_string()))?;
            out.set_item(name, table.into_pyarrow(py)?)?;
        }
        Ok(out)
    }

    /// The model's name (as results name it).
    #[getter]
    fn model_name(&self) -> String {
        self.inner.model.name.clone()
    }

    #[getter]
    fn model_version(&self) -> String {
        self.inner.model.version.clone()
    }

    /// The folder the model was loaded from.
    #[getter]
    fn model_path(&self) -> PathBuf {
        self.model_dir.clone()
    }

    /// What the encoder runs in ("fp32" or "bf16"; "auto" resolved for this CPU).
    #[getter]
    fn precision(&self) -> String {
        self.precision.clone()
    }

    fn __repr__(&self) -> String {
        let m = &self.inner.model;
        format!(
            "Analyzer(model={:?} {}, precision={})",
            m.name, m.version, self.precision
        )
    }
}

/// The lazy results of `Analyzer.analyze`: iterate for one dict per record.
#[pyclass(name = "Results", module = "actorstance")]
struct Results {
    from: Mutex<Option<Receiver<Message>>>,
    stop: Arc<AtomicBool>,
    worker: Mutex<Option<JoinHandle<()>>>,
    summary: Mutex<Option<Summary>>,
}

impl Results {
    /// Stops the run after its current batch and waits for the worker, without the GIL (the
    /// worker may be waiting for it to read a record).
    fn close_run(&mut self, py: Python<'_>) {
        self.stop.store(true, Ordering::SeqCst);
        // Dropping the receiver makes the worker's next send fail, wherever it waits.
        self.from.get_mut().map(|r| r.take()).ok();
        let worker = self.worker.get_mut().ok().and_then(|w| w.take());
        if let Some(worker) = worker {
            py.detach(|| {
                let _ = worker.join();
            });
        }
    }
}

#[pymethods]
impl Results {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let message = loop {
            // The receiver goes into the wait and back (it cannot be shared without the GIL).
            let Some(from) = self.from.get_mut().ok().and_then(|r| r.take()) else {
                return Ok(None);
            };
            let (from, polled) = py.detach(move || {
                let polled = from.recv_timeout(SIGNAL_POLL);
                (from, polled)
            });
            if let Ok(slot) = self.from.get_mut() {
                *slot = Some(from);
            }
            match polled {
                Ok(message) => break message,
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        self.close_run(py);
                        return Err(interrupt);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.close_run(py);
                    return Err(run_error(py, "the analysis thread ended without finishing".into()));
                }
            }
        };
        match message {
            Message::Outcome(out) => Ok(Some(
                pythonize::pythonize(py, &*out).map_err(|e| run_error(py, format!("result to Python: {e}")))?,
            )),
            Message::End(end) => {
                self.close_run(py);
                match end {
                    End::Done(summary) => {
                        if summary.unscored.any() {
                            let u = summary.unscored;
                            let warning = py.get_type::<pyo3::exceptions::PyUserWarning>();
                            PyErr::warn(
                                py,
                                warning.as_any(),
                                &std::ffi::CString::new(format!(
                                    "limits left work unscored ({} sentences without word pieces, {} mentions without word pieces, {} mention pairs past {} mentions in a sentence); each article says so under \"unscored\"",
                                    u.sentences, u.mentions, u.pairs, actorstance::findings::MAX_PAIRED_MENTIONS
                                ))
                                .unwrap_or_default(),
                                1,
                            )?;
                        }
                        *self.summary.get_mut().map_err(|_| run_error(py, "poisoned".into()))? = Some(summary);
                        Ok(None)
                    }
                    End::Python(e) => Err(e),
                    End::Failed(message) => Err(run_error(py, message)),
                }
            }
        }
    }

    /// Stops the run (after its current batch); further iteration ends.
    fn close(&mut self, py: Python<'_>) {
        self.close_run(py);
    }

    /// Once iteration has ended: counts of records analysed and failed, and of the work that
    /// limits left unscored; None before.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(s) = *self.summary.lock().map_err(|_| run_error(py, "poisoned".into()))? else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("ok", s.ok)?;
        d.set_item("failed", s.failed)?;
        d.set_item(
            "unscored",
            pythonize::pythonize(py, &s.unscored).map_err(|e| run_error(py, e.to_string()))?,
        )?;
        Ok(Some(d))
    }
}

impl Drop for Results {
    fn drop(&mut self) {
        if self.worker.get_mut().map(|w| w.is_some()).unwrap_or(false) {
            Python::attach(|py| self.close_run(py));
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAnalyzer>()?;
    m.add_class::<Results>()?;
    Ok(())
}
