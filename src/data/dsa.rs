//! DSA (directed sentiment between two entities): `sentence<TAB>p<TAB>q<TAB>label` with
//! both entities bracketed in the sentence. Brackets are removed and their spans kept.

use std::path::Path;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct PairExample {
    pub text: String,
    /// Char spans of p and q in `text`.
    pub p: (usize, usize),
    pub q: (usize, usize),
    pub label: usize,
}

pub fn parse_line(line: &str) -> std::result::Result<PairExample, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    let [sentence, p, q, label] = cols[..] else {
        return Err(format!("expected 4 tab-separated columns, got {}", cols.len()));
    };
    let label: usize = label
        .trim()
        .parse()
        .ok()
        .filter(|&l| l < 5)
        .ok_or_else(|| format!("label {label:?} is not 0-4"))?;
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let mut n = 0usize;
    for c in sentence.chars() {
        match (c, open.as_mut()) {
            ('[', None) => open = Some((n, String::new())),
            (']', Some(_)) => spans.extend(open.take().map(|(s, inner)| (s, n, inner))),
            (c, o) => {
                if let Some((_, inner)) = o {
                    inner.push(c);
                }
                text.push(c);
                n += 1;
            }
        }
    }
    let find = |name: &str, skip: Option<usize>| {
        spans
            .iter()
            .enumerate()
            .find(|(i, s)| Some(*i) != skip && s.2.trim() == name.trim())
            .map(|(i, _)| i)
    };
    let (pi, qi) = match (find(p, None), spans.len()) {
        (Some(pi), _) => (pi, find(q, Some(pi)).or_else(|| (0..spans.len()).find(|&i| i != pi))),
        (None, 2) => (0, Some(1)),
        _ => return Err(format!("entity {p:?} is not bracketed in the sentence")),
    };
    let qi = qi.ok_or_else(|| format!("entity {q:?} is not bracketed in the sentence"))?;
    Ok(PairExample {
        text,
        p: (spans[pi].0, spans[pi].1),
        q: (spans[qi].0, spans[qi].1),
        label,
    })
}

pub fn parse(text: &str, path: &Path) -> Result<Vec<PairExample>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| parse_line(l.trim_end_matches('\r')).map_err(|r| Error::data(path, i + 1, r)))
        .collect()
}

pub fn read(path: &Path) -> Result<Vec<PairExample>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_brackets_and_keeps_spans() {
        let ex = parse_line("President [Trump] is sympathetic to [Kasich’]s complaints.\tTrump\tKasich’\t3").unwrap();
        assert_eq!(ex.text, "President Trump is sympathetic to Kasich’s complaints.");
        assert_eq!((ex.p, ex.q, ex.label), ((10, 15), (34, 41), 3));
        let chars: Vec<char> = ex.text.chars().collect();
        assert_eq!(chars[34..41].iter().collect::<String>(), "Kasich’");
    }

    #[test]
    fn p_may_come_second_in_the_sentence() {
        let ex = parse_line("[Obama] praised [Merkel].\tMerkel\tObama\t1").unwrap();
        assert_eq!((ex.p, ex.q), ((14, 20), (0, 5)));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            parse("a\tb\n", Path::new("v.txt")).unwrap_err().to_string(),
            "v.txt:1: expected 4 tab-separated columns, got 2"
        );
        assert!(parse_line("[A] and [B]\tA\tB\t7").unwrap_err().contains("label"));
    }
}
