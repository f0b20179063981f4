//! PerSenT: document-level sentiment toward `TARGET_ENTITY`. The document goes through the
//! whole pipeline; the target is matched to a resolved actor and that actor's portrayal score
//! is read as a label (score ≥ +T positive, ≤ −T negative, else neutral; T = 0.15).

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::{Article, Record};
use crate::output::ActorOut;
use crate::pipeline::Analyzer;

use super::metrics::classification_report;
use super::TaskReport;

pub const LABELS: [&str; 3] = ["Negative", "Neutral", "Positive"];
pub const THRESHOLD: f64 = 0.15;

pub struct Document {
    pub target: String,
    pub text: String,
    pub label: usize,
}

pub fn read(path: &Path) -> Result<Vec<Document>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| Error::data(path, 1, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::data(path, 1, e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::data(path, 1, format!("no {name} column")))
    };
    let (target, doc, label) = (col("TARGET_ENTITY")?, col("DOCUMENT")?, col("TRUE_SENTIMENT")?);
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| Error::data(path, e.position().map_or(0, |p| p.line() as usize), e.to_string()))?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        let l = row.get(label).unwrap_or("");
        let label = LABELS.iter().position(|x| *x == l).ok_or_else(|| {
            Error::data(
                path,
                line,
                format!("TRUE_SENTIMENT {l:?} is not Negative, Neutral or Positive"),
            )
        })?;
        out.push(Document {
            target: row.get(target).unwrap_or("").to_string(),
            text: row.get(doc).unwrap_or("").to_string(),
            label,
        });
    }
    Ok(out)
}

/// The actor the target names: same name, or a person whose name ends with the target's last word.
pub fn find_target<'a>(actors: &'a [ActorOut], target: &str) -> Option<&'a ActorOut> {
    let t = target.trim().to_lowercase();
    let last = t.rsplit(' ').next().unwrap_or(&t).to_string();
    actors
        .iter()
        .find(|a| a.name.to_lowercase() == t || a.mentions.iter().any(|m| m.text.to_lowercase() == t))
        .or_else(|| {
            actors
                .iter()
                .find(|a| a.name.to_lowercase().rsplit(' ').next() == Some(last.as_str()))
        })
}

pub fn label_of(actor: Option<&ActorOut>) -> usize {
    match actor.and_then(|a| a.portrayal.as_ref()).map(|p| p.score) {
        Some(s) if s >= THRESHOLD => 2,
        Some(s) if s <= -THRESHOLD => 0,
        _ => 1,
    }
}

pub fn evaluate(analyzer: &Analyzer, gold: &Path) -> Result<(TaskReport, usize)> {
    let docs = read(gold)?;
    let mut pred = Vec::with_capacity(docs.len());
    let mut unresolved = 0;
    for chunk in docs.chunks(32) {
        let records = chunk
            .iter()
            .enumerate()
            .map(|(i, d)| {
                Record::Ok(Article {
                    id: i.to_string(),
                    text: d.text.clone(),
                    title: None,
                    date: None,
                    extra: Default::default(),
                })
            })
            .collect();
        for (d, out) in chunk.iter().zip(analyzer.analyze(records)) {
            let actor = find_target(&out.actors, &d.target);
            unresolved += usize::from(actor.is_none());
            pred.push(label_of(actor));
        }
    }
    let gold: Vec<usize> = docs.iter().map(|d| d.label).collect();
    Ok((
        TaskReport {
            task: "persent",
            report: classification_report(&LABELS, &gold, &pred),
        },
        unresolved,
    ))
}
