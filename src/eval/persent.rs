//! PerSenT: document-level sentiment toward `TARGET_ENTITY`. The document goes through the
//! whole pipeline; the target is matched to a resolved actor, and the net evidence of that
//! actor's portrayal, `mean · weight` (Σ w·s: positive minus negative sentences' worth, so a
//! target portrayed often counts more than one mentioned once), is read as a label (≥
//! POSITIVE_FROM positive, ≤ NEGATIVE_UP_TO negative, else neutral). The two thresholds were
//! chosen on PerSenT dev (`--choose-thresholds`); cross-validated F1 is printed beside.

use std::path::Path;

use crate::error::{Error, Result};
use crate::pipeline::Analyzer;
use crate::record::{Analysis, Outcome};
use crate::stance::Score;

use super::metrics::classification_report;
use super::TaskReport;

pub const LABELS: [&str; 3] = ["Negative", "Neutral", "Positive"];
/// Chosen on PerSenT dev for the bundled model (actorstance-minilm-v4) by
/// `actorstance eval persent --choose-thresholds` (grid step 0.1); the cross-validated F1 that
/// the command also prints is the figure that does not flatter them.
pub const NEGATIVE_UP_TO: f64 = -4.9;
pub const POSITIVE_FROM: f64 = 0.0;

/// Thresholds tried: `n` values from `from` by `step`.
#[derive(Debug, Clone, Copy)]
pub struct Grid {
    pub from: f64,
    pub step: f64,
    pub n: usize,
}

/// For the net evidence Σ w·s (in sentences).
pub const NET_GRID: Grid = Grid {
    from: -5.0,
    step: 0.1,
    n: 101,
};
/// For a score or mean in [-1, 1].
pub const UNIT_GRID: Grid = Grid {
    from: -1.0,
    step: 0.05,
    n: 41,
};

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

/// The portrayal of the target, if the target was found and portrayed.
pub fn target_portrayal<'a>(a: &'a Analysis, target: &str) -> (bool, Option<&'a Score>) {
    let Some(i) = find_target(a, target) else {
        return (false, None);
    };
    let score = a
        .scores
        .iter()
        .find(|s| s.actor == i)
        .and_then(|s| s.portrayal.as_ref());
    (true, score)
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
    /// F1 macro with the thresholds chosen by cross-validation: on each of [`FOLDS`] folds
    /// with thresholds chosen on the others, the predictions pooled. Per quantity read: `net`
    /// (what the label uses) and, for comparison, the portrayal `score` and `mean`.
    pub cross_validated: [(&'static str, f64); 3],
}

impl Evaluation {
    /// What `actorstance eval persent` prints: the report, with the unresolved targets, the
    /// chosen thresholds (if asked for) and the cross-validated F1 of each quantity.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        let mut v = serde_json::to_value(&self.report)?;
        v["unresolved_targets"] = self.unresolved.into();
        if let Some((neg, pos)) = self.chosen {
            v["chosen_thresholds"] = serde_json::json!({"negative_up_to": neg, "positive_from": pos});
        }
        for (field, f1) in self.cross_validated {
            v["cross_validated_f1_macro"][field] = f1.into();
        }
        Ok(v)
    }
}

pub const FOLDS: usize = 5;

/// Thresholds on `grid` with the best macro F1 on these scores (ties keep the first found,
/// the lowest thresholds).
pub fn choose_thresholds(scores: &[Option<f64>], gold: &[usize], grid: Grid) -> (f64, f64, f64) {
    let mut best = (NEGATIVE_UP_TO, POSITIVE_FROM, -1.0);
    for n in 0..grid.n {
        let neg = grid.from + grid.step * n as f64;
        for p in 0..grid.n {
            let pos = grid.from + grid.step * p as f64;
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

/// Macro F1 of predictions made on each fold (document i in fold i mod `folds`) with the
/// thresholds chosen on the other folds.
pub fn cross_validated_f1(scores: &[Option<f64>], gold: &[usize], folds: usize, grid: Grid) -> f64 {
    let mut pred = vec![1; scores.len()];
    for k in 0..folds {
        let rest: Vec<usize> = (0..scores.len()).filter(|i| i % folds != k).collect();
        let (neg, pos, _) = choose_thresholds(
            &rest.iter().map(|&i| scores[i]).collect::<Vec<_>>(),
            &rest.iter().map(|&i| gold[i]).collect::<Vec<_>>(),
            grid,
        );
        for i in (k..scores.len()).step_by(folds) {
            pred[i] = label_of(scores[i], neg, pos);
        }
    }
    classification_report(&LABELS, gold, &pred).f1_macro
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
    let mut shrunk = Vec::with_capacity(docs.len());
    let mut means = Vec::with_capacity(docs.len());
    let mut unresolved = 0;
    for (d, outcome) in docs.iter().zip(&outcomes) {
        let (found, score) = match outcome {
            Outcome::Analysed(_, a) => target_portrayal(a, &d.target),
            Outcome::Failed { .. } => (false, None),
        };
        unresolved += usize::from(!found);
        scores.push(score.map(|p| p.mean * p.weight));
        shrunk.push(score.map(|p| p.score));
        means.push(score.map(|p| p.mean));
    }
    let gold: Vec<usize> = docs.iter().map(|d| d.label).collect();
    let cross_validated = [
        ("net", cross_validated_f1(&scores, &gold, FOLDS, NET_GRID)),
        ("score", cross_validated_f1(&shrunk, &gold, FOLDS, UNIT_GRID)),
        ("mean", cross_validated_f1(&means, &gold, FOLDS, UNIT_GRID)),
    ];
    let (neg, pos) = if choose {
        let (n, p, _) = choose_thresholds(&scores, &gold, NET_GRID);
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
        cross_validated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_validation_chooses_on_the_other_folds() {
        // Separable: every fold's thresholds, chosen on the others, label its documents right.
        let scores: Vec<Option<f64>> = (0..30).map(|i| Some([-0.9, 0.0, 0.9][i % 3])).collect();
        let gold: Vec<usize> = (0..30).map(|i| i % 3).collect();
        assert!((cross_validated_f1(&scores, &gold, 5, UNIT_GRID) - 1.0).abs() < 1e-9);
        // No signal at all: nothing chosen elsewhere can help a fold.
        let flat = vec![Some(0.0); 30];
        assert!(cross_validated_f1(&flat, &gold, 5, UNIT_GRID) < 0.5);
    }

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
        let (neg, pos, f1) = choose_thresholds(&scores, &gold, UNIT_GRID);
        assert!((-0.8..0.0).contains(&neg) && (0.1..0.6).contains(&pos), "{neg} {pos}");
        assert_eq!(f1, 1.0);
    }
}
