//! Actor resolution benchmark (`actorstance eval actors`): short passages with the country that
//! each named actor belongs to, and names that must stay unresolved. Gold format (JSONL):
//!
//! ```json
//! {"id": "city-01", "rules": ["city"], "date": "2013-04-02", "text": "...",
//!  "expect": [{"mention": "Lyon", "kind": "location", "affiliation": "FRA"}],
//!  "unresolved": ["Cambridge"]}
//! ```
//!
//! A mention is the first occurrence of its text in the passage; the actor is the one with a
//! mention overlapping it most. An actor's country is its own id for a country, else its
//! affiliation. Precision counts every country given (to expected and to must-stay-unresolved
//! names), recall every expected country.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::actors::resolve::ActorKind;
use crate::error::{Error, Result};
use crate::pipeline::Analyzer;
use crate::record::{Analysis, Outcome};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    pub id: String,
    #[serde(default)]
    pub rules: Vec<String>,
    pub date: Option<String>,
    pub text: String,
    #[serde(default)]
    pub expect: Vec<Expected>,
    #[serde(default)]
    pub unresolved: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub mention: String,
    pub kind: ActorKind,
    pub affiliation: String,
}

pub fn read(path: &Path) -> Result<Vec<Passage>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let p: Passage = serde_json::from_str(line).map_err(|e| Error::data(path, i + 1, e.to_string()))?;
        for m in p.expect.iter().map(|e| &e.mention).chain(&p.unresolved) {
            if !p.text.contains(m.as_str()) {
                return Err(Error::data(path, i + 1, format!("{m:?} is not in the text")));
            }
        }
        out.push(p);
    }
    Ok(out)
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
}

impl Counts {
    fn finish(mut self) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.tp, self.tp + self.fp);
        self.recall = ratio(self.tp, self.tp + self.fn_);
        self
    }
}

#[derive(Debug, Serialize)]
pub struct Miss {
    pub id: String,
    pub mention: String,
    pub expected: Option<String>,
    pub got: Option<String>,
    /// No actor has a mention overlapping the name.
    pub not_found: bool,
}

#[derive(Debug, Serialize)]
pub struct ActorsReport {
    pub task: &'static str,
    pub n_passages: usize,
    pub n_expected: usize,
    pub n_unresolved: usize,
    #[serde(flatten)]
    pub overall: Counts,
    /// Share of the found expected actors whose kind is right.
    pub kind_accuracy: f64,
    pub per_rule: BTreeMap<String, Counts>,
    pub errors: Vec<Miss>,
}

/// (country, kind) of the actor whose mention overlaps `name`'s first occurrence most.
fn resolved(a: &Analysis, text: &str, name: &str) -> Option<(Option<String>, ActorKind)> {
    let byte = text.find(name)?;
    let start = text[..byte].chars().count();
    let res = &a.resolution;
    let actor = &res.actors[super::end_to_end::actor_at(a, start, start + name.chars().count())?];
    let country = match actor.kind {
        ActorKind::Country => Some(actor.id.clone()),
        _ => actor.affiliation.map(|c| res.actors[c].id.clone()),
    };
    Some((country, actor.kind))
}

pub fn evaluate(analyzer: &Analyzer, passages: &[Passage]) -> Result<ActorsReport> {
    let outcomes = super::analyse_texts(
        analyzer,
        passages.iter().map(|p| (p.id.clone(), p.text.clone(), p.date.clone())),
    )?;
    let mut overall = Counts::default();
    let mut per_rule: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut kinds_right, mut found) = (0, 0);
    let mut errors = Vec::new();
    for (p, outcome) in passages.iter().zip(&outcomes) {
        let Outcome::Analysed(_, a) = outcome else {
            return Err(Error::data(&p.id, 0, "passage could not be analysed"));
        };
        let tally = |c: &mut Counts, expected: Option<&str>, got: Option<&str>| match (expected, got) {
            (Some(e), Some(g)) if e == g => c.tp += 1,
            (Some(_), Some(_)) => {
                c.fp += 1;
                c.fn_ += 1;
            }
            (Some(_), None) => c.fn_ += 1,
            (None, Some(_)) => c.fp += 1,
            (None, None) => {}
        };
        let cases = p
            .expect
            .iter()
            .map(|e| (&e.mention, Some(e.affiliation.as_str()), Some(e.kind)))
            .chain(p.unresolved.iter().map(|u| (u, None, None)));
        for (mention, expected, kind) in cases {
            let got = resolved(a, &p.text, mention);
            let country = got.as_ref().and_then(|g| g.0.as_deref());
            if let (Some(k), Some((_, gk))) = (kind, &got) {
                found += 1;
                kinds_right += usize::from(k == *gk);
            }
            tally(&mut overall, expected, country);
            for r in &p.rules {
                tally(per_rule.entry(r.clone()).or_default(), expected, country);
            }
            if expected != country {
                errors.push(Miss {
                    id: p.id.clone(),
                    mention: mention.clone(),
                    expected: expected.map(String::from),
                    got: country.map(String::from),
                    not_found: got.is_none(),
                });
            }
        }
    }
    Ok(ActorsReport {
        task: "actors",
        n_passages: passages.len(),
        n_expected: passages.iter().map(|p| p.expect.len()).sum(),
        n_unresolved: passages.iter().map(|p| p.unresolved.len()).sum(),
        overall: overall.finish(),
        kind_accuracy: if found == 0 {
            0.0
        } else {
            kinds_right as f64 / found as f64
        },
        per_rule: per_rule.into_iter().map(|(k, c)| (k, c.finish())).collect(),
        errors,
    })
}
