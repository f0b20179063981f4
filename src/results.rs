//! Reading results back (`aggregate`, `report`): JSONL files of `analyze`, folders of them,
//! stdin (`-`), and folders of its Parquet tables, streamed line by line. A line that is not
//! UTF-8 is handed on as [`Line::NotUtf8`] for the consumer to count, as it counts a line that
//! is not a result: one bad line never fails the whole read.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::{self, Source};

/// One non-blank line of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    Text(&'a str),
    NotUtf8,
}

/// Every non-blank line of the results in `inputs`, in order (Parquet table folders first).
pub fn for_each_line(inputs: &[PathBuf], mut f: impl FnMut(Line)) -> Result<()> {
    // A folder of Parquet tables (analyze --format parquet) is read back as results.
    let (tables, files): (Vec<PathBuf>, Vec<PathBuf>) = inputs
        .iter()
        .cloned()
        .partition(|p| p.join("articles.parquet").is_file());
    for dir in &tables {
        crate::tables::read_parquet_results(dir, |line| f(Line::Text(line)))?;
    }
    if files.is_empty() {
        return Ok(());
    }
    for source in input::sources(&files)? {
        match source {
            Source::Jsonl(p) | Source::Text(p) => {
                let file = std::fs::File::open(&p).map_err(|e| Error::io(&p, e))?;
                read_lines(file, &p, &mut f)?;
            }
            Source::Stdin => read_lines(std::io::stdin(), Path::new("<stdin>"), &mut f)?,
            Source::Unlisted { dir, reason } => {
                return Err(Error::Results {
                    path: dir,
                    reason: format!("listing this folder failed: {reason}"),
                })
            }
        }
    }
    Ok(())
}

/// The lines of one stream; a leading byte-order mark is skipped.
pub fn read_lines(reader: impl Read, path: &Path, f: &mut impl FnMut(Line)) -> Result<()> {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))? == 0 {
            return Ok(());
        }
        match std::str::from_utf8(&buf) {
            Ok(line) => {
                let line = line.trim_start_matches('\u{feff}').trim_end_matches(['\n', '\r']);
                if !line.trim().is_empty() {
                    f(Line::Text(line));
                }
            }
            Err(_) => f(Line::NotUtf8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_is_not_utf8_is_handed_on_and_the_read_goes_on() {
        let bytes = b"\xef\xbb\xbf{\"id\":\"a\"}\n\n{\"id\":\"\xff\"}\r\n  \n{\"id\":\"c\"}";
        let mut got = Vec::new();
        read_lines(&bytes[..], Path::new("r.jsonl"), &mut |l| {
            got.push(match l {
                Line::Text(t) => t.to_string(),
                Line::NotUtf8 => "<not utf-8>".to_string(),
            })
        })
        .unwrap();
        assert_eq!(got, ["{\"id\":\"a\"}", "<not utf-8>", "{\"id\":\"c\"}"]);
    }
}
