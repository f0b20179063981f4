//! GAP (gendered ambiguous pronouns; Webster et al. 2018): TSV with a header, one pronoun per
//! row: `ID, Text, Pronoun, Pronoun-offset, A, A-offset, A-coref, B, B-offset, B-coref, URL`.
//! Offsets are char offsets into `Text`; `A-coref`/`B-coref` are TRUE or FALSE.

use std::path::Path;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct PronounExample {
    pub id: String,
    pub text: String,
    pub pronoun: String,
    pub pronoun_offset: usize,
    /// The two names, each (text, char offset, gold: the pronoun refers to it).
    pub names: [(String, usize, bool); 2],
}

fn flag(s: &str) -> std::result::Result<bool, String> {
    match s.to_ascii_uppercase().as_str() {
        "TRUE" => Ok(true),
        "FALSE" => Ok(false),
        _ => Err(format!("expected TRUE or FALSE, found {s:?}")),
    }
}

pub fn parse(text: &str, path: &Path) -> Result<Vec<PronounExample>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let row = || -> std::result::Result<PronounExample, String> {
            let c: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
            if c.len() < 10 {
                return Err(format!("{} columns, expected 11", c.len()));
            }
            let num = |s: &str| s.parse::<usize>().map_err(|e| format!("offset {s:?}: {e}"));
            let ex = PronounExample {
                id: c[0].to_string(),
                text: c[1].to_string(),
                pronoun: c[2].to_string(),
                pronoun_offset: num(c[3])?,
                names: [
                    (c[4].to_string(), num(c[5])?, flag(c[6])?),
                    (c[7].to_string(), num(c[8])?, flag(c[9])?),
                ],
            };
            let chars: Vec<char> = ex.text.chars().collect();
            let at = |s: &str, o: usize| {
                chars
                    .get(o..o + s.chars().count())
                    .is_some_and(|w| w.iter().copied().eq(s.chars()))
            };
            if !at(&ex.pronoun, ex.pronoun_offset) {
                return Err(format!("{:?} is not at char {}", ex.pronoun, ex.pronoun_offset));
            }
            Ok(ex)
        };
        out.push(row().map_err(|r| Error::data(path, i + 1, r))?);
    }
    Ok(out)
}

pub fn read(path: &Path) -> Result<Vec<PronounExample>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "ID\tText\tPronoun\tPronoun-offset\tA\tA-offset\tA-coref\tB\tB-offset\tB-coref\tURL\n";

    #[test]
    fn reads_a_row_and_checks_the_pronoun_offset() {
        let t = format!("{HEAD}x-1\tAna met Rui. She left.\tShe\t13\tAna\t0\tTRUE\tRui\t8\tFALSE\thttp://x\n");
        let ex = parse(&t, Path::new("g.tsv")).unwrap();
        assert_eq!(ex[0].names, [("Ana".into(), 0, true), ("Rui".into(), 8, false)]);
        let bad = format!("{HEAD}x-1\tAna met Rui. She left.\tShe\t12\tAna\t0\tTRUE\tRui\t8\tFALSE\thttp://x\n");
        let e = parse(&bad, Path::new("g.tsv")).unwrap_err().to_string();
        assert_eq!(e, "g.tsv:2: \"She\" is not at char 12");
    }
}
