//! CoNLL-2003: one token per line (`token POS chunk NER`, the tag in the last column),
//! blank lines between sentences, `-DOCSTART-` lines between documents. IOB1 or IOB2.

use std::path::Path;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct TaggedSentence {
    pub words: Vec<String>,
    pub tags: Vec<String>,
    /// 1-based line of the first token, for messages.
    pub line: usize,
}

pub fn parse(text: &str, path: &Path) -> Result<Vec<TaggedSentence>> {
    let mut out = Vec::new();
    let mut cur = TaggedSentence {
        words: vec![],
        tags: vec![],
        line: 0,
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with("-DOCSTART-") {
            if !cur.words.is_empty() {
                out.push(std::mem::replace(
                    &mut cur,
                    TaggedSentence {
                        words: vec![],
                        tags: vec![],
                        line: 0,
                    },
                ));
            }
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (word, tag) = match (cols.first(), cols.last()) {
            (Some(w), Some(t)) if cols.len() >= 2 => (*w, *t),
            _ => {
                return Err(Error::data(
                    path,
                    i + 1,
                    format!("expected `token ... TAG`, got {line:?}"),
                ))
            }
        };
        if !(tag == "O" || tag.starts_with("B-") || tag.starts_with("I-")) {
            return Err(Error::data(path, i + 1, format!("tag {tag:?} is not O, B-X or I-X")));
        }
        if cur.words.is_empty() {
            cur.line = i + 1;
        }
        cur.words.push(word.to_string());
        cur.tags.push(tag.to_string());
    }
    if !cur.words.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

pub fn read(path: &Path) -> Result<Vec<TaggedSentence>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

/// IOB1 → IOB2 (BIO): an I- that does not continue an entity of its type becomes B-.
pub fn to_bio(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, tag) in tags.iter().enumerate() {
        match tag.strip_prefix("I-") {
            Some(ty) if i == 0 || tags[i - 1] == "O" || tags[i - 1][2..] != *ty => out.push(format!("B-{ty}")),
            _ => out.push(tag.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sentences_and_skips_docstart() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP I-PER\n";
        let s = parse(text, Path::new("x")).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].words, ["EU", "rejects"]);
        assert_eq!(s[0].tags, ["I-ORG", "O"]);
        assert_eq!(s[0].line, 3);
        assert_eq!(s[1].line, 6);
    }

    #[test]
    fn bad_lines_name_their_line_number() {
        let err = parse("EU NNP B-NP I-ORG\nrejects\n", Path::new("g.txt")).unwrap_err();
        assert_eq!(err.to_string(), "g.txt:2: expected `token ... TAG`, got \"rejects\"");
        let err = parse("EU NNP B-NP X-ORG\n", Path::new("g.txt")).unwrap_err();
        assert!(err.to_string().starts_with("g.txt:1: tag \"X-ORG\""));
    }

    #[test]
    fn iob1_becomes_bio() {
        let tags: Vec<String> = ["I-LOC", "I-LOC", "B-LOC", "O", "I-PER", "I-ORG"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(to_bio(&tags), ["B-LOC", "I-LOC", "B-LOC", "O", "B-PER", "B-ORG"]);
    }
}
