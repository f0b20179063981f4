//! Flat tables for tools (pandas, polars, DuckDB, Spark): `articles`, `actors`, `pairs`,
//! `mentions` and `statements`, written as CSV or Parquet by [`TableSink`]. Rows are flattened from the schema v1 output
//! ([`ArticleOutput`]), so tables and JSONL always agree. Each file is written as
//! `NAME.EXT.partial` and renamed when the run completes.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

use crate::error::{Error, Result};
use crate::output::{ArticleOutput, ModelId, ScoreOut, SpanOut};
use crate::record::Outcome;
use crate::sink::Sink;

mod read;
pub use read::read_parquet_results;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Parquet,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Number,
    Count,
}

/// One cell; `None` is null (an empty field in CSV).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
    Count(Option<u32>),
}

/// A table's columns as a `&[(&str, Kind)]`: `name: Kind` for one column, and
/// `scores "prefix"` for the six columns of one score, named and ordered as [`score_cells`]
/// writes them (`score`, `mean`, `weight`, `weight_abs`, `confidence`, `n_sentences`). The one
/// place that spells a score's columns, for the article tables and `aggregate`'s alike.
macro_rules! columns {
    (@acc [$($out:tt)*]) => { &[$($out)*] };
    (@acc [$($out:tt)*] scores $p:literal $(, $($rest:tt)*)?) => {
        columns!(@acc [$($out)*
            (concat!($p, "score"), $crate::tables::Kind::Number),
            (concat!($p, "mean"), $crate::tables::Kind::Number),
            (concat!($p, "weight"), $crate::tables::Kind::Number),
            (concat!($p, "weight_abs"), $crate::tables::Kind::Number),
            (concat!($p, "confidence"), $crate::tables::Kind::Number),
            (concat!($p, "n_sentences"), $crate::tables::Kind::Count),
        ] $($($rest)*)?)
    };
    (@acc [$($out:tt)*] $name:ident: $kind:ident $(, $($rest:tt)*)?) => {
        columns!(@acc [$($out)* (stringify!($name), $crate::tables::Kind::$kind),] $($($rest)*)?)
    };
    ($($rest:tt)*) => { columns!(@acc [] $($rest)*) };
}
pub(crate) use columns;

pub const ARTICLES: &[(&str, Kind)] = columns![
    article_id: Text,
    status: Text,
    error_kind: Text,
    error_message: Text,
    date: Text,
    title: Text,
    model: Text,
    model_version: Text,
    n_sentences: Count,
    n_entities: Count,
    n_actors: Count,
    input_fields: Text,
];

pub const ACTORS: &[(&str, Kind)] = columns![
    article_id: Text,
    date: Text,
    actor: Text,
    name: Text,
    kind: Text,
    affiliation: Text,
    cameo: Text,
    n_mentions: Count,
    scores "stance_",
    scores "portrayal_",
];

pub const PAIRS: &[(&str, Kind)] = columns![
    article_id: Text,
    date: Text,
    source: Text,
    target: Text,
    scores "",
    evidence: Text,
    evidence_sentence: Count,
    evidence_start: Count,
    evidence_end: Count,
    evidence_score: Number,
];

/// Each actor's mentions, in text order.
pub const MENTIONS: &[(&str, Kind)] = columns![
    article_id: Text,
    actor: Text,
    text: Text,
    start: Count,
    end: Count,
    sentence: Count,
    via: Text,
];

/// Who said what: one row per statement, in text order. Content spans and sentences are JSON
/// arrays (`[[start, end], …]`, `[k, …]`); `content_start`/`content_end` span them all.
pub const STATEMENTS: &[(&str, Kind)] = columns![
    article_id: Text,
    date: Text,
    statement: Count,
    source: Text,
    source_text: Text,
    source_start: Count,
    source_end: Count,
    cue: Text,
    cue_start: Count,
    cue_end: Count,
    kind: Text,
    content_start: Count,
    content_end: Count,
    content_spans: Text,
    sentences: Text,
];

/// A row as a JSON object (for JSONL output of tables).
pub fn json_row(columns: &[(&str, Kind)], row: &[Cell]) -> serde_json::Map<String, serde_json::Value> {
    columns
        .iter()
        .zip(row)
        .map(|(&(name, _), cell)| {
            let v = match cell {
                Cell::Text(s) => s.clone().map_or(serde_json::Value::Null, serde_json::Value::from),
                Cell::Number(x) => x.map_or(serde_json::Value::Null, serde_json::Value::from),
                Cell::Count(n) => n.map_or(serde_json::Value::Null, serde_json::Value::from),
            };
            (name.to_string(), v)
        })
        .collect()
}

pub(crate) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(Some(s.into()))
}

pub(crate) fn count(n: usize) -> Cell {
    Cell::Count(Some(count_of(n)))
}

/// The six score columns (`score`, `mean`, `weight`, `weight_abs`, `confidence`,
/// `n_sentences`), null where there is no score.
pub(crate) fn score_cells(s: Option<&ScoreOut>) -> [Cell; 6] {
    [
        Cell::Number(s.map(|s| s.score)),
        Cell::Number(s.map(|s| s.mean)),
        Cell::Number(s.map(|s| s.weight)),
        Cell::Number(s.and_then(|s| s.weight_abs)),
        Cell::Number(s.map(|s| s.confidence)),
        Cell::Count(s.map(|s| count_of(s.n_sentences))),
    ]
}

/// The rows of one article in the four tables.
pub struct Rows {
    pub article: Vec<Cell>,
    pub actors: Vec<Vec<Cell>>,
    pub pairs: Vec<Vec<Cell>>,
    pub mentions: Vec<Vec<Cell>>,
    pub statements: Vec<Vec<Cell>>,
}

pub fn rows(a: &ArticleOutput) -> Rows {
    let fields = &a.extra;
    let article = vec![
        text(&a.id),
        text(a.status.as_str()),
        Cell::Text(a.error.as_ref().map(|e| e.kind.as_str().to_string())),
        Cell::Text(a.error.as_ref().map(|e| e.message.clone())),
        Cell::Text(a.date.clone()),
        Cell::Text(a.title.clone()),
        text(&a.model.name),
        text(&a.model.version),
        count(a.sentences.len()),
        count(a.entities.len()),
        count(a.actors.len()),
        Cell::Text((!fields.is_empty()).then(|| serde_json::Value::Object(fields.clone()).to_string())),
    ];
    let date = || Cell::Text(a.date.clone());
    let mut actors = Vec::new();
    let mut pairs = Vec::new();
    let mut mentions = Vec::new();
    for actor in &a.actors {
        let mut row = vec![
            text(&a.id),
            date(),
            text(&actor.id),
            text(&actor.name),
            text(actor.kind.as_str()),
            Cell::Text(actor.affiliation.clone()),
            Cell::Text(actor.cameo.clone()),
            count(actor.mentions.len()),
        ];
        row.extend(score_cells(actor.stance.as_ref()));
        row.extend(score_cells(actor.portrayal.as_ref()));
        actors.push(row);
        for t in &actor.toward {
            let mut row = vec![text(&a.id), date(), text(&actor.id), text(&t.target)];
            row.extend(score_cells(Some(&t.score)));
            let first = t.score.evidence.first();
            row.extend([
                Cell::Text(first.map(|e| e.text.clone())),
                Cell::Count(first.map(|e| count_of(e.sentence))),
                Cell::Count(first.map(|e| count_of(e.start))),
                Cell::Count(first.map(|e| count_of(e.end))),
                Cell::Number(first.map(|e| e.score)),
            ]);
            pairs.push(row);
        }
        for m in &actor.mentions {
            mentions.push(vec![
                text(&a.id),
                text(&actor.id),
                text(&m.text),
                count(m.start),
                count(m.end),
                count(m.sentence),
                Cell::Text(m.via.map(|v| v.as_str().to_string())),
            ]);
        }
    }
    let statements = a
        .statements
        .iter()
        .enumerate()
        .map(|(k, st)| {
            let at = |s: Option<SpanOut>, f: fn(SpanOut) -> usize| Cell::Count(s.map(|s| count_of(f(s))));
            let spans: Vec<[usize; 2]> = st.content.iter().map(|c| [c.start, c.end]).collect();
            vec![
                text(&a.id),
                date(),
                count(k),
                Cell::Text(st.source.clone()),
                Cell::Text(st.source_text.clone()),
                at(st.source_span, |s| s.start),
                at(st.source_span, |s| s.end),
                Cell::Text(st.cue.clone()),
                at(st.cue_span, |s| s.start),
                at(st.cue_span, |s| s.end),
                text(st.kind.as_str()),
                at(st.content.first().copied(), |s| s.start),
                Cell::Count(st.content.iter().map(|c| count_of(c.end)).max()),
                text(serde_json::Value::from(spans.iter().map(|s| s.to_vec()).collect::<Vec<_>>()).to_string()),
                text(serde_json::Value::from(st.sentences.clone()).to_string()),
            ]
        })
        .collect();
    Rows {
        article,
        actors,
        pairs,
        mentions,
        statements,
    }
}

fn count_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Rows buffered before a Parquet row group is written: bounds memory on any corpus.
const ROW_GROUP: usize = 8192;

enum Writer {
    Csv(csv::Writer<BufWriter<File>>),
    Parquet {
        writer: ArrowWriter<File>,
        buffered: Vec<Vec<Cell>>,
    },
}

/// One table file being written.
pub struct Table {
    columns: &'static [(&'static str, Kind)],
    path: PathBuf,
    partial: PathBuf,
    writer: Writer,
}

/// A table's Arrow schema: every column nullable (Text → Utf8, Number → Float64, Count → UInt32).
pub fn arrow_schema(columns: &[(&str, Kind)]) -> Arc<Schema> {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|&(name, kind)| {
                let t = match kind {
                    Kind::Text => DataType::Utf8,
                    Kind::Number => DataType::Float64,
                    Kind::Count => DataType::UInt32,
                };
                Field::new(name, t, true)
            })
            .collect::<Vec<_>>(),
    ))
}

/// Rows of one table as one Arrow record batch (what a Parquet row group and the Python
/// package's tables are made of).
pub fn record_batch(columns: &[(&str, Kind)], rows: &[Vec<Cell>]) -> std::result::Result<RecordBatch, ArrowError> {
    let arrays: Vec<ArrayRef> = (0..columns.len())
        .map(|c| -> ArrayRef {
            let cells = rows.iter().map(|r| &r[c]);
            match columns[c].1 {
                Kind::Text => Arc::new(StringArray::from_iter(cells.map(|x| match x {
                    Cell::Text(s) => s.clone(),
                    _ => None,
                }))),
                Kind::Number => Arc::new(Float64Array::from_iter(cells.map(|x| match x {
                    Cell::Number(v) => *v,
                    _ => None,
                }))),
                Kind::Count => Arc::new(UInt32Array::from_iter(cells.map(|x| match x {
                    Cell::Count(v) => *v,
                    _ => None,
                }))),
            }
        })
        .collect();
    RecordBatch::try_new(arrow_schema(columns), arrays)
}

impl Table {
    pub fn create(
        dir: &Path,
        name: &str,
        columns: &'static [(&'static str, Kind)],
        format: TableFormat,
    ) -> Result<Self> {
        let path = dir.join(format!("{name}.{}", format.extension()));
        let partial = crate::resume::partial_path(&path);
        let file = File::create(&partial).map_err(|e| Error::io(&partial, e))?;
        let writer = match format {
            TableFormat::Csv => {
                let mut w = csv::Writer::from_writer(BufWriter::new(file));
                w.write_record(columns.iter().map(|c| c.0))
                    .map_err(|e| Error::io(&partial, e.into()))?;
                Writer::Csv(w)
            }
            TableFormat::Parquet => {
                let writer =
                    ArrowWriter::try_new(file, arrow_schema(columns), None).map_err(|e| parquet_error(&partial, e))?;
                Writer::Parquet {
                    writer,
                    buffered: Vec::new(),
                }
            }
        };
        Ok(Table {
            columns,
            path,
            partial,
            writer,
        })
    }

    pub fn push(&mut self, row: Vec<Cell>) -> Result<()> {
        debug_assert_eq!(row.len(), self.columns.len());
        match &mut self.writer {
            Writer::Csv(w) => {
                let fields = row.iter().map(|c| match c {
                    Cell::Text(s) => s.clone().unwrap_or_default(),
                    Cell::Number(x) => x.map(|x| x.to_string()).unwrap_or_default(),
                    Cell::Count(n) => n.map(|n| n.to_string()).unwrap_or_default(),
                });
                w.write_record(fields).map_err(|e| Error::io(&self.partial, e.into()))
            }
            Writer::Parquet { buffered, .. } => {
                buffered.push(row);
                if buffered.len() >= ROW_GROUP {
                    self.write_buffered()?;
                }
                Ok(())
            }
        }
    }

    fn write_buffered(&mut self) -> Result<()> {
        let Writer::Parquet { writer, buffered } = &mut self.writer else {
            return Ok(());
        };
        if buffered.is_empty() {
            return Ok(());
        }
        let batch =
            record_batch(self.columns, buffered).map_err(|e| Error::io(&self.partial, std::io::Error::other(e)))?;
        writer.write(&batch).map_err(|e| parquet_error(&self.partial, e))?;
        buffered.clear();
        Ok(())
    }

    pub fn flush(&mut self) -> Result<()> {
        match &mut self.writer {
            Writer::Csv(w) => w.flush().map_err(|e| Error::io(&self.partial, e)),
            // Row groups are written as they fill; a partial Parquet file is unreadable anyway.
            Writer::Parquet { .. } => Ok(()),
        }
    }

    /// Writes what is left and renames the file into place.
    pub fn finish(mut self) -> Result<()> {
        self.write_buffered()?;
        match self.writer {
            Writer::Csv(w) => {
                let inner = w.into_inner().map_err(|e| Error::io(&self.partial, e.into_error()))?;
                inner
                    .into_inner()
                    .map_err(|e| Error::io(&self.partial, e.into_error()))?
                    .sync_all()
                    .map_err(|e| Error::io(&self.partial, e))?;
            }
            Writer::Parquet { writer, .. } => {
                writer.close().map_err(|e| parquet_error(&self.partial, e))?;
            }
        }
        std::fs::rename(&self.partial, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

pub(crate) fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    Error::io(path, std::io::Error::other(e))
}

/// Writes each outcome's rows to `articles`, `actors`, `pairs`, `mentions` and `statements`
/// in a folder.
pub struct TableSink {
    model: ModelId,
    articles: Table,
    actors: Table,
    pairs: Table,
    mentions: Table,
    statements: Table,
}

impl TableSink {
    pub fn create(dir: &Path, format: TableFormat, model: ModelId) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Ok(TableSink {
            model,
            articles: Table::create(dir, "articles", ARTICLES, format)?,
            actors: Table::create(dir, "actors", ACTORS, format)?,
            pairs: Table::create(dir, "pairs", PAIRS, format)?,
            mentions: Table::create(dir, "mentions", MENTIONS, format)?,
            statements: Table::create(dir, "statements", STATEMENTS, format)?,
        })
    }
}

impl Sink for TableSink {
    fn write(&mut self, outcome: Outcome) -> Result<()> {
        let rows = rows(&ArticleOutput::new(outcome, self.model.clone(), false));
        self.articles.push(rows.article)?;
        for (table, rows) in [
            (&mut self.actors, rows.actors),
            (&mut self.pairs, rows.pairs),
            (&mut self.mentions, rows.mentions),
            (&mut self.statements, rows.statements),
        ] {
            for r in rows {
                table.push(r)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.articles.flush()?;
        self.actors.flush()?;
        self.pairs.flush()?;
        self.mentions.flush()?;
        self.statements.flush()
    }

    /// Every table is written and renamed into place, `articles` last: a folder with
    /// `articles.parquet` is read back as complete.
    fn finish(self) -> Result<()> {
        self.actors.finish()?;
        self.pairs.finish()?;
        self.mentions.finish()?;
        self.statements.finish()?;
        self.articles.finish()
    }
}

/// The five tables of [`TableSink`], kept in memory as Arrow record batches (the Python
/// package's `Analyzer.tables`): the same rows, in the same order, as the files.
pub struct ArrowTables {
    model: ModelId,
    tables: Vec<MemoryTable>,
}

/// One table of [`ArrowTables`]: its batches, every one of `schema`.
pub struct ArrowTable {
    pub name: &'static str,
    pub schema: Arc<Schema>,
    pub batches: Vec<RecordBatch>,
}

struct MemoryTable {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    buffered: Vec<Vec<Cell>>,
    batches: Vec<RecordBatch>,
}

impl MemoryTable {
    fn push(&mut self, row: Vec<Cell>) -> Result<()> {
        self.buffered.push(row);
        if self.buffered.len() >= ROW_GROUP {
            self.seal()?;
        }
        Ok(())
    }

    /// The buffered rows become a batch: a batch's arrays are compact, the rows are not.
    fn seal(&mut self) -> Result<()> {
        if !self.buffered.is_empty() {
            self.batches.push(record_batch(self.columns, &self.buffered)?);
            self.buffered.clear();
        }
        Ok(())
    }
}

impl ArrowTables {
    pub fn new(model: ModelId) -> Self {
        let table = |name, columns| MemoryTable {
            name,
            columns,
            buffered: Vec::new(),
            batches: Vec::new(),
        };
        ArrowTables {
            model,
            tables: vec![
                table("articles", ARTICLES),
                table("actors", ACTORS),
                table("pairs", PAIRS),
                table("mentions", MENTIONS),
                table("statements", STATEMENTS),
            ],
        }
    }

    /// The tables in the order `articles`, `actors`, `pairs`, `mentions`, `statements`.
    pub fn into_tables(mut self) -> Result<Vec<ArrowTable>> {
        for t in &mut self.tables {
            t.seal()?;
        }
        Ok(self
            .tables
            .into_iter()
            .map(|t| ArrowTable {
                name: t.name,
                schema: arrow_schema(t.columns),
                batches: t.batches,
            })
            .collect())
    }
}

impl Sink for ArrowTables {
    fn write(&mut self, outcome: Outcome) -> Result<()> {
        let rows = rows(&ArticleOutput::new(outcome, self.model.clone(), false));
        self.tables[0].push(rows.article)?;
        for (table, rows) in self.tables[1..]
            .iter_mut()
            .zip([rows.actors, rows.pairs, rows.mentions, rows.statements])
        {
            for r in rows {
                table.push(r)?;
            }
        }
        Ok(())
    }
}
