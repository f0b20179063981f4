//! `actorstance._native`: the actorstance library in the Python process. An `Analyzer` holds
//! one loaded model; `analyze` streams one result dict per record (the JSONL schema, built
//! from the library's own output types by `pythonize`, no JSON text in between); `tables`
//! returns the flat tables as `pyarrow.Table`s built from the library's table code.
//!
//! `analyze` is a generator that runs the pipeline one batch at a time on the caller's thread
//! (`Analyzer::analyze`), reading the next batch of records only when the results of the last
//! are taken, so memory stays flat and an endless iterable works; `tables` runs the CLI's
//! `Analyzer::run` (the text stages of the next batch on a second thread). libtorch always runs
//! on the thread that called, with the GIL released: run from a spawned thread, the same
//! encoder passes took 12–25% longer here (see docs/benchmarks.md).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use actorstance::error::{Error, FailureKind};
use actorstance::input::{json_record, read_dictionary, text_article};
use actorstance::model::{resolve_dir, PrecisionChoice, StanceModel};
use actorstance::output::ArticleOutput;
use actorstance::pipeline::{set_threads, Analyzer, Options, RunOptions, Summary};
use actorstance::record::{ModelId, Outcome, Passthrough, Record};
use actorstance::sink::Sink;
use actorstance::stance::Rollup;
use actorstance::tables::ArrowTables;
use arrow_pyarrow::IntoPyArrow;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyIterator, PyString};

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
    error: Option<PyErr>,
}

impl PyRecords {
    fn new(iter: Py<PyIterator>) -> Self {
        PyRecords {
            iter,
            position: 0,
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
            // Ctrl-C, before each record: Python runs signal handlers only between its own
            // bytecodes, never while native code runs.
            if let Err(e) = py.check_signals() {
                self.error = Some(e);
                return None;
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

    fn analyzer(&self) -> std::sync::MutexGuard<'_, Analyzer> {
        // Never contended (busy says who runs), and a panic leaves no half-changed state: the
        // model is only read.
        self.0.analyzer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run(&self, records: &mut PyRecords, sink: &mut impl Sink, run: &RunOptions) -> actorstance::Result<Summary> {
        self.analyzer().run(records, sink, run)
    }

    fn analyze(&self, batch: Vec<Record>) -> Vec<Outcome> {
        self.analyzer().analyze(batch)
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
        let dir = resolve_dir(model);
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
        Ok(Results {
            running: Some(Running::take(py, &self.inner)?),
            records: PyRecords::new(iter),
            batch_articles: self.batch_articles,
            explain,
            pending: VecDeque::new(),
            summary: Summary::default(),
            finished: None,
        })
    }

    /// Analyses every record and returns the flat tables as a dict of `pyarrow.Table`s:
    /// `articles`, `actors`, `pairs`, `mentions`, `statements` (as `analyze --format parquet`
    /// writes them).
    fn tables<'py>(&self, py: Python<'py>, records: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let iter = records_iter(py, records)?;
        let running = Running::take(py, &self.inner)?;
        let mut records = PyRecords::new(iter);
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
        for t in tables {
            let table = arrow_pyarrow::Table::try_new(t.batches, t.schema).map_err(|e| run_error(py, e.to_string()))?;
            out.set_item(t.name, table.into_pyarrow(py)?)?;
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
    /// The right to run, held until the records end, the run fails or `close()`.
    running: Option<Running>,
    records: PyRecords,
    batch_articles: usize,
    explain: bool,
    /// The analysed batch's results not yet taken.
    pending: VecDeque<ArticleOutput>,
    summary: Summary,
    /// The counts, once the last result was taken.
    finished: Option<Summary>,
}

impl Results {
    /// Analyses the next batch into `pending`; false when the records have ended.
    fn next_batch(&mut self, py: Python<'_>) -> PyResult<bool> {
        let Some(running) = &self.running else {
            return Ok(false);
        };
        let batch: Vec<Record> = self.records.by_ref().take(self.batch_articles).collect();
        // Ctrl-C while the records were read stops at once; another exception of the input
        // comes after the results of the records before it.
        let interrupted = |e: &PyErr| e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py);
        if batch.is_empty() || self.records.error.as_ref().is_some_and(interrupted) {
            return Ok(false);
        }
        let (explain, summary) = (self.explain, &mut self.summary);
        let outputs = py.detach(|| {
            let model = running.0.model.clone();
            let outcomes = running.analyze(batch);
            outcomes.iter().for_each(|o| summary.count(o));
            outcomes
                .into_iter()
                .map(|o| ArticleOutput::new(o, model.clone(), explain))
                .collect::<Vec<_>>()
        });
        self.pending.extend(outputs);
        Ok(true)
    }

    fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
        self.running = None;
        let u = self.summary.unscored;
        self.finished = Some(self.summary);
        if u.any() {
            let warning = py.get_type::<pyo3::exceptions::PyUserWarning>();
            let message = u.warning();
            PyErr::warn(
                py,
                warning.as_any(),
                &std::ffi::CString::new(message).unwrap_or_default(),
                1,
            )?;
        }
        Ok(())
    }
}

#[pymethods]
impl Results {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        loop {
            if let Some(out) = self.pending.pop_front() {
                let result =
                    pythonize::pythonize(py, &out).map_err(|e| run_error(py, format!("result to Python: {e}")))?;
                return Ok(Some(result));
            }
            // The records before an exception of the input are all given first.
            if let Some(e) = self.records.error.take() {
                self.running = None;
                return Err(e);
            }
            if self.running.is_none() {
                return Ok(None);
            }
            if !self.next_batch(py)? {
                if let Some(e) = self.records.error.take() {
                    self.running = None;
                    return Err(e);
                }
                self.finish(py)?;
                return Ok(None);
            }
        }
    }

    /// Stops the run: results not yet taken are dropped, and iteration ends.
    fn close(&mut self) {
        self.running = None;
        self.pending.clear();
    }

    /// Once iteration has ended: counts of records analysed and failed, and of the work that
    /// limits left unscored; None before.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(s) = self.finished else {
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

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAnalyzer>()?;
    m.add_class::<Results>()?;
    Ok(())
}
