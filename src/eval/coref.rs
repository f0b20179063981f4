//! Pronoun resolution against GAP (`eval coref`), as its upstream scorer counts: every
//! (example, name) decision is one binary prediction, TRUE where the pronoun resolved to the
//! actor that has a mention over that name. A pronoun the pipeline gives no actor (or does
//! not see as a mention) answers FALSE for both names. Reported overall and by the pronoun's
//! gender (masculine: he, him, his; feminine: she, her, hers), with the bias ratio F/M.

use serde::Serialize;

use super::attribution::Counts;
use crate::data::gap::PronounExample;
use crate::error::{Error, Result};
use crate::pipeline::Analyzer;
use crate::record::Outcome;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Evaluation {
    pub examples: usize,
    /// Examples whose pronoun joined some actor.
    pub answered: usize,
    pub overall: Counts,
    pub masculine: Counts,
    pub feminine: Counts,
}

fn masculine(pronoun: &str) -> bool {
    matches!(pronoun.to_lowercase().as_str(), "he" | "him" | "his")
}

pub fn evaluate(analyzer: &Analyzer, examples: &[PronounExample]) -> Result<Evaluation> {
    let outcomes = super::analyse_texts(analyzer, examples.iter().map(|e| (e.id.clone(), e.text.clone(), None)))?;
    let mut ev = Evaluation::default();
    for (ex, outcome) in examples.iter().zip(outcomes) {
        let a = match outcome {
            Outcome::Analysed(_, a) => a,
            Outcome::Failed { id, failure, .. } => return Err(Error::data(&id, 0, failure.message)),
        };
        ev.examples += 1;
        let mentions = &a.findings.mentions;
        let actor = mentions
            .iter()
            .position(|m| m.start == ex.pronoun_offset)
            .and_then(|i| a.resolution.mention_actor[i]);
        ev.answered += usize::from(actor.is_some());
        for (name, offset, gold) in &ex.names {
            let end = offset + name.chars().count();
            let predicted = actor.is_some_and(|x| {
                mentions
                    .iter()
                    .zip(&a.resolution.mention_actor)
                    .any(|(m, &y)| y == Some(x) && m.start < end && *offset < m.end)
            });
            let by_gender = if masculine(&ex.pronoun) {
                &mut ev.masculine
            } else {
                &mut ev.feminine
            };
            for c in [&mut ev.overall, by_gender] {
                match (predicted, *gold) {
                    (true, true) => c.tp += 1,
                    (true, false) => c.fp += 1,
                    (false, true) => c.fn_ += 1,
                    _ => {}
                }
            }
        }
    }
    Ok(ev)
}

impl Evaluation {
    pub fn to_json(&self) -> serde_json::Value {
        let (o, m, f) = (self.overall.prf(), self.masculine.prf(), self.feminine.prf());
        let bias = if m.f1 > 0.0 { f.f1 / m.f1 } else { 0.0 };
        serde_json::json!({
            "examples": self.examples,
            "answered": self.answered,
            "f1": o.f1,
            "precision": o.precision,
            "recall": o.recall,
            "masculine": m,
            "feminine": f,
            "bias": bias,
            "counts": {"overall": self.overall, "masculine": self.masculine, "feminine": self.feminine},
        })
    }
}
