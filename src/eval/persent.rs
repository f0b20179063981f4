//! PerSenT: document-level sentiment toward `TARGET_ENTITY`. The document goes through the
//! whole pipeline; the target is matched to a resolved actor and that actor's portrayal score
//! is read as a label (score ≥ POSITIVE_FROM positive, ≤ NEGATIVE_UP_TO negative, else
//! neutral). The two thresholds were chosen on PerSenT dev (`--choose-thresholds`), as news
//! portrayal runs negative: a text that merely reports on someone reads mildly negative.

use std::path::Path;

use crate::error::{Error, Result};
use crate::pipeline::{Analysis, Analyzer, Outcome};

use super::metrics::classification_report;
use super::TaskReport;

pub const LABELS: [&str; 3] = ["Negative", "Neutral", "Positive"];
/// Chosen on PerSenT dev for the bundled model (actorstance-minilm-v2) by
/// `actorstance eval persent --choose-thresholds` (grid step 0.05).
pub const NEGATIVE_UP_TO: f64 = -0.95;
pub const POSITIVE_FROM: f64 = -0.1;

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

/// The actor the target names (an index into the resolution's actors): same name or mention,
/// else an actor whose name ends with the target's last word. Actors are tried most mentioned first.
pub fn find_target(a: &Analysis, target: &str) -> Option<usize> {
    let t = target.trim().to_lowercase();
    let last = t.rsplit(' ').next().unwrap_or(&t).to_string();
    let actors = &a.resolution.actors;
    let ranked = || a.scores.iter().map(|s| s.actor);
    ranked()
        .find(|&i| {
            actors[i].name.to_lowercase() == t
                || actors[i]
                    .mentions
                    .iter()
                    .any(|&m| a.findings.mentions[m].text.to_lowercase() == t)
        })
        .or_else(|| ranked().find(|&i| actors[i].name.to_lowercase().rsplit(' ').next() == Some(last.as_str())))
}

/// The portrayal score of the target, if the target was found and portrayed.
pub fn target_portrayal(a: &Analysis, target: &str) -> (bool, Option<f64>) {
    let Some(i) = find_target(a, target) else {
        return (false, None);
    };
    let score = a
        .scores
        .iter()
        .find(|s| s.actor == i)
        .and_then(|s| s.portrayal.as_ref());
    (true, score.map(|p| f64::from(p.mean)))
}

pub fn label_of(portrayal: Option<f64>, negative_up_to: f64, positive_from: f64) -> usize {
    match portrayal {
        Some(s) if s >= positive_from => 2,
        Some(s) if s <= negative_up_to => 0,
        _ => 1,
    }
}

pub struct Evaluation {
    pub report: TaskReport,
    pub unresolved: usize,
    /// (negative_up_to, positive_from) when asked to choose them on this file.
    pub chosen: Option<(f64, f64)>,
}

/// Thresholds with the best macro F1 on these scores (grid step 0.05; ties keep the narrower band).
pub fn choose_thresholds(scores: &[Option<f64>], gold: &[usize]) -> (f64, f64, f64) {
    let mut best = (NEGATIVE_UP_TO, POSITIVE_FROM, -1.0);
    for n in 0..=36 {
        let neg = -0.95 + 0.05 * n as f64;
        for p in 0..=38 {
            let pos = -0.95 + 0.05 * p as f64;
            if pos <= neg {
                continue;
            }
            let pred: Vec<usize> = scores.iter().map(|&s| label_of(s, neg, pos)).collect();
            let f1 = classification_report(&LABELS, gold, &pred).f1_macro;
            if f1 > best.2 + 1e-9 {
                best = (neg, pos, f1);
            }
        }
    }
    best
}

pub fn evaluate(analyzer: &Analyzer, gold: &Path, choose: bool) -> Result<Evaluation> {
    let docs = read(gold)?;
    let outcomes = super::analyse_texts(
        analyzer,
        docs.iter()
            .enumerate()
            .map(|(i, d)| (i.to_string(), d.text.clone(), None)),
    )?;
    let mut scores = Vec::with_capacity(docs.len());
    let mut unresolved = 0;
    for (d, outcome) in docs.iter().zip(&outcomes) {
        let (found, score) = match outcome {
            Outcome::Analysed(_, a) => target_portrayal(a, &d.target),
            Outcome::Failed { .. } => (false, None),
        };
        unresolved += usize::from(!found);
        scores.push(score);
    }
    let gold: Vec<usize> = docs.iter().map(|d| d.label).collect();
    let (neg, pos) = if choose {
        let (n, p, _) = choose_thresholds(&scores, &gold);
        (n, p)
    } else {
        (NEGATIVE_UP_TO, POSITIVE_FROM)
    };
    let pred: Vec<usize> = scores.iter().map(|&s| label_of(s, neg, pos)).collect();
    let report = TaskReport {
        task: "persent",
        report: classification_report(&LABELS, &gold, &pred),
    };
    Ok(Evaluation {
        report,
        unresolved,
        chosen: choose.then_some((neg, pos)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_split_scores_into_three_labels() {
        assert_eq!(
            [Some(-0.97), Some(-0.5), Some(0.05), None].map(|s| label_of(s, -0.95, 0.05)),
            [0, 1, 2, 1]
        );
    }

    #[test]
    fn the_chosen_thresholds_separate_the_classes_of_the_scores() {
        let scores = [Some(-0.9), Some(-0.8), Some(0.0), Some(0.1), Some(0.6), Some(0.7)];
        let gold = [0, 0, 1, 1, 2, 2];
        let (neg, pos, f1) = choose_thresholds(&scores, &gold);
        assert!((-0.8..0.0).contains(&neg) && (0.1..0.6).contains(&pos), "{neg} {pos}");
        assert_eq!(f1, 1.0);
    }
}
