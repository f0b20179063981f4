//! The Parquet read-back: a folder of tables written by [`TableSink`](super::TableSink) back
//! into the output's types, the tables merged as streams in the order they were written.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};

use super::parquet_error;
use crate::error::{Error, Result};
use crate::output::{
    ActorOut, ArticleOutput, ErrorOut, EvidenceOut, MentionOut, ModelId, ScoreOut, SpanOut, StatementOut, TowardOut,
};

/// Reads a folder of Parquet tables written by [`TableSink`] back into the output's types,
/// one article at a time: the tables are in article order, so they are merged as streams.
/// An article read back carries what the tables hold: its fields, its actors with their
/// mentions and scores, and each pair's first evidence sentence; its `sentences` and
/// `entities` lists are empty (the articles table only counts them).
///
/// Rows are only ever joined to the article of their id; tables whose rows were re-sorted or
/// whose article ids repeat cannot be merged as streams, and are refused with an error that
/// says so rather than read into a wrong aggregate.
pub fn read_parquet_results(dir: &Path, mut f: impl FnMut(ArticleOutput)) -> Result<()> {
    let mut articles = ParquetRows::open(&dir.join("articles.parquet"))?;
    let mut actors = ParquetRows::open(&dir.join("actors.parquet"))?;
    let mut pairs = ParquetRows::open(&dir.join("pairs.parquet"))?;
    let mentions_path = dir.join("mentions.parquet");
    if !mentions_path.exists() {
        return Err(Error::Results {
            path: mentions_path,
            reason: "absent: tables written before the mentions table (an earlier version) cannot be read back; read that run's JSONL, or analyze again".into(),
        });
    }
    let mut mentions = ParquetRows::open(&mentions_path)?;
    // Tables of schema v1 (before statements) have none to read.
    let statements_path = dir.join("statements.parquet");
    let mut statements = match statements_path.exists() {
        true => Some(ParquetRows::open(&statements_path)?),
        false => None,
    };
    let mut seen = std::collections::HashSet::new();
    while let Some(a) = articles.next_row()? {
        let id = a.text("article_id").unwrap_or_default();
        if !seen.insert(id.clone()) {
            return Err(Error::Results {
                path: articles.path.clone(),
                reason: format!(
                    "article {id:?} appears twice: tables whose article ids repeat cannot be joined by id (read that run's JSONL instead)"
                ),
            });
        }
        let of_article = |r: &Row| r.text("article_id").as_deref() == Some(id.as_str());
        let mut toward: BTreeMap<String, Vec<TowardOut>> = BTreeMap::new();
        while let Some(p) = pairs.next_if(of_article)? {
            let mut score = p.score("").unwrap_or_else(|| p.bad("score"))?;
            if let Some(text) = p.text("evidence") {
                score.evidence.push(EvidenceOut {
                    sentence: p.index("evidence_sentence")?,
                    start: p.index("evidence_start")?,
                    end: p.index("evidence_end")?,
                    text,
                    score: p.required("evidence_score")?,
                });
            }
            let target = p.text("target").unwrap_or_default();
            toward
                .entry(p.text("source").unwrap_or_default())
                .or_default()
                .push(TowardOut { target, score });
        }
        let mut mentioned: BTreeMap<String, Vec<MentionOut>> = BTreeMap::new();
        while let Some(m) = mentions.next_if(of_article)? {
            mentioned
                .entry(m.text("actor").unwrap_or_default())
                .or_default()
                .push(MentionOut {
                    text: m.text("text").unwrap_or_default(),
                    start: m.index("start")?,
                    end: m.index("end")?,
                    sentence: m.index("sentence")?,
                    via: m.text("via").map(|_| m.parsed("via")).transpose()?,
                });
        }
        let mut said = Vec::new();
        while let Some(s) = match statements.as_mut() {
            Some(rows) => rows.next_if(of_article)?,
            None => None,
        } {
            said.push(s.statement()?);
        }
        let mut actor_list = Vec::new();
        while let Some(x) = actors.next_if(of_article)? {
            let actor = x.text("actor").unwrap_or_default();
            actor_list.push(ActorOut {
                kind: x.parsed("kind")?,
                name: x.text("name").unwrap_or_default(),
                affiliation: x.text("affiliation"),
                cameo: x.text("cameo"),
                mentions: mentioned.remove(&actor).unwrap_or_default(),
                stance: x.score("stance_").transpose()?,
                portrayal: x.score("portrayal_").transpose()?,
                toward: toward.remove(&actor).unwrap_or_default(),
                id: actor,
            });
        }
        let error = match a.text("error_kind") {
            Some(_) => Some(ErrorOut {
                kind: a.parsed("error_kind")?,
                message: a.text("error_message").unwrap_or_default(),
            }),
            None => None,
        };
        let extra = match a.text("input_fields") {
            Some(json) => serde_json::from_str(&json).map_err(|e| a.error(&format!("input_fields: {e}")))?,
            None => serde_json::Map::new(),
        };
        f(ArticleOutput {
            status: a.parsed("status")?,
            error,
            model: ModelId {
                name: a.text("model").unwrap_or_default(),
                version: a.text("model_version").unwrap_or_default(),
            },
            title: a.text("title"),
            date: a.text("date"),
            extra,
            sentences: Vec::new(),
            entities: Vec::new(),
            actors: actor_list,
            statements: said,
            unscored: None,
            explain: None,
            id,
        });
    }
    for rows in [
        Some(&mut actors),
        Some(&mut pairs),
        Some(&mut mentions),
        statements.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(r) = rows.next_row()? {
            let id = r.text("article_id").unwrap_or_default();
            return Err(Error::Results {
                path: rows.path.clone(),
                reason: format!(
                    "a row of article {id:?} is out of the articles table's order (were the rows re-sorted?): keep the order analyze wrote, or read its JSONL"
                ),
            });
        }
    }
    Ok(())
}

/// One row of a Parquet table, by column name.
struct Row<'a> {
    batch: &'a RecordBatch,
    i: usize,
    path: &'a Path,
}

impl Row<'_> {
    fn error(&self, reason: &str) -> Error {
        Error::Results {
            path: self.path.to_path_buf(),
            reason: reason.to_string(),
        }
    }

    fn bad<T>(&self, column: &str) -> Result<T> {
        Err(self.error(&format!("row {}: no {column}", self.i + 1)))
    }

    /// A count column that must be there (an index or offset).
    /// A number column that must be there.
    fn required(&self, name: &str) -> Result<f64> {
        self.number(name).map_or_else(|| self.bad(name), Ok)
    }

    fn index(&self, name: &str) -> Result<usize> {
        self.count(name).map(|n| n as usize).map_or_else(|| self.bad(name), Ok)
    }

    /// A text column read as the output's enum of that name (status, kind, error kind).
    fn parsed<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<T> {
        let text = self.text(name).map_or_else(|| self.bad(name), Ok)?;
        serde_json::from_value(serde_json::Value::String(text.clone()))
            .map_err(|_| self.error(&format!("row {}: {name} {text:?} is not one of ours", self.i + 1)))
    }

    /// The six score columns under `prefix` (`stance_`, `portrayal_`, or none); None where
    /// the score is null.
    fn score(&self, prefix: &str) -> Option<Result<ScoreOut>> {
        let col = |c: &str| format!("{prefix}{c}");
        let score = self.number(&col("score"))?;
        let num = |c: &str| self.required(&col(c));
        Some((|| {
            Ok(ScoreOut {
                score,
                mean: num("mean")?,
                weight: num("weight")?,
                weight_abs: self.number(&col("weight_abs")),
                confidence: num("confidence")?,
                n_sentences: self.index(&col("n_sentences"))?,
                evidence: Vec::new(),
            })
        })())
    }

    /// A row of the statements table.
    fn statement(&self) -> Result<StatementOut> {
        let span = |a: &str, b: &str| -> Result<Option<SpanOut>> {
            Ok(match self.count(a) {
                Some(start) => Some(SpanOut {
                    start: start as usize,
                    end: self.index(b)?,
                }),
                None => None,
            })
        };
        let json = |name: &str| -> Result<serde_json::Value> {
            let t = self.text(name).map_or_else(|| self.bad(name), Ok)?;
            serde_json::from_str(&t).map_err(|e| self.error(&format!("row {}: {name}: {e}", self.i + 1)))
        };
        let content: Vec<[usize; 2]> =
            serde_json::from_value(json("content_spans")?).map_err(|e| self.error(&format!("content_spans: {e}")))?;
        Ok(StatementOut {
            source: self.text("source"),
            source_span: span("source_start", "source_end")?,
            source_text: self.text("source_text"),
            cue: self.text("cue"),
            cue_span: span("cue_start", "cue_end")?,
            content: content.into_iter().map(|[start, end]| SpanOut { start, end }).collect(),
            kind: self.parsed("kind")?,
            sentences: serde_json::from_value(json("sentences")?)
                .map_err(|e| self.error(&format!("sentences: {e}")))?,
        })
    }

    fn column(&self, name: &str) -> Option<&ArrayRef> {
        let c = self.batch.column_by_name(name)?;
        (!c.is_null(self.i)).then_some(c)
    }
    fn text(&self, name: &str) -> Option<String> {
        let c = self.column(name)?;
        Some(c.as_any().downcast_ref::<StringArray>()?.value(self.i).to_string())
    }
    fn count(&self, name: &str) -> Option<u32> {
        let c = self.column(name)?;
        Some(c.as_any().downcast_ref::<UInt32Array>()?.value(self.i))
    }
    fn number(&self, name: &str) -> Option<f64> {
        let c = self.column(name)?;
        let any = c.as_any();
        any.downcast_ref::<Float64Array>()
            .map(|a| a.value(self.i))
            .or_else(|| any.downcast_ref::<UInt32Array>().map(|a| f64::from(a.value(self.i))))
    }
}

/// A Parquet table read batch by batch, row by row.
struct ParquetRows {
    path: PathBuf,
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    batch: Option<RecordBatch>,
    i: usize,
}

impl ParquetRows {
    fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| parquet_error(path, e))?;
        Ok(ParquetRows {
            path: path.to_path_buf(),
            reader,
            batch: None,
            i: 0,
        })
    }

    /// Makes sure a row is at hand; false at the end.
    fn fill(&mut self) -> Result<bool> {
        while self.batch.as_ref().is_none_or(|b| self.i >= b.num_rows()) {
            match self.reader.next() {
                Some(b) => {
                    self.batch = Some(b.map_err(|e| Error::io(&self.path, std::io::Error::other(e)))?);
                    self.i = 0;
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        self.next_if(|_| true)
    }

    /// The next row, if it passes `keep` (else it stays for the next call).
    fn next_if(&mut self, keep: impl Fn(&Row) -> bool) -> Result<Option<Row<'_>>> {
        if !self.fill()? {
            return Ok(None);
        }
        let Some(batch) = self.batch.as_ref() else {
            return Ok(None);
        };
        let path = &self.path;
        let row = Row { batch, i: self.i, path };
        if !keep(&row) {
            return Ok(None);
        }
        self.i += 1;
        Ok(Some(Row {
            batch,
            i: self.i - 1,
            path,
        }))
    }
}
