//! NewsMTSC: JSONL, one sentence per line with `sentence_normalized` and `targets[]`
//! (`from`/`to` code-point offsets, `to` exclusive; polarity 2.0/4.0/6.0 = neg/neu/pos).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct TargetExample {
    pub text: String,
    /// Char offsets of each target and its class (0 negative, 1 neutral, 2 positive).
    pub targets: Vec<(usize, usize, usize)>,
}

#[derive(Deserialize)]
struct Line {
    sentence_normalized: String,
    targets: Vec<Target>,
}
#[derive(Deserialize)]
struct Target {
    from: usize,
    to: usize,
    polarity: f64,
}

pub fn parse(text: &str, path: &Path) -> Result<Vec<TargetExample>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(line).map_err(|e| Error::data(path, i + 1, e.to_string()))?;
        let n = l.sentence_normalized.chars().count();
        let mut targets = Vec::new();
        for t in l.targets {
            let class = match t.polarity {
                2.0 => 0,
                4.0 => 1,
                6.0 => 2,
                p => return Err(Error::data(path, i + 1, format!("polarity {p} is not 2.0, 4.0 or 6.0"))),
            };
            if t.from >= t.to || t.to > n {
                return Err(Error::data(
                    path,
                    i + 1,
                    format!("target {}..{} outside the {n}-char sentence", t.from, t.to),
                ));
            }
            targets.push((t.from, t.to, class));
        }
        out.push(TargetExample {
            text: l.sentence_normalized,
            targets,
        });
    }
    Ok(out)
}

pub fn read(path: &Path) -> Result<Vec<TargetExample>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_with_char_offsets() {
        let line = r#"{"sentence_normalized": "“Cruz” won", "targets": [{"from": 1, "to": 5, "mention": "Cruz", "polarity": 6.0}]}"#;
        let ex = parse(line, Path::new("d")).unwrap();
        assert_eq!(ex[0].targets, vec![(1, 5, 2)]);
    }

    #[test]
    fn rejects_unknown_polarity_with_line() {
        let text = "\n{\"sentence_normalized\": \"ab\", \"targets\": [{\"from\": 0, \"to\": 1, \"polarity\": 3.0}]}";
        assert_eq!(
            parse(text, Path::new("d")).unwrap_err().to_string(),
            "d:2: polarity 3 is not 2.0, 4.0 or 6.0"
        );
    }
}
