//! Reading results back (`aggregate`, `report`): JSONL files of `analyze`, folders of them,
//! stdin (`-`), and folders of its Parquet tables, streamed article by article as the output's
//! own types ([`ArticleOutput`]). A line that is not UTF-8, or not one of our output lines, is
//! handed on as [`Item::NotAResult`] for the consumer to count: one bad line never fails the
//! whole read.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::{self, Source};
use crate::output::{read_line, ArticleOutput};

/// One article of results, or a line that is none.
#[derive(Debug)]
pub enum Item {
    Article(Box<ArticleOutput>),
    NotAResult,
}

impl Item {
    pub fn of_line(line: &str) -> Self {
        match read_line(line) {
            Ok(a) => Item::Article(Box::new(a)),
            Err(_) => Item::NotAResult,
        }
    }
}

/// Every article (and every non-blank line that is none) of the results in `inputs`, in order
/// (Parquet table folders first).
pub fn for_each(inputs: &[PathBuf], mut f: impl FnMut(Item)) -> Result<()> {
    // A folder of Parquet tables (analyze --format parquet) is read back as results.
    let (tables, files): (Vec<PathBuf>, Vec<PathBuf>) = inputs
        .iter()
        .cloned()
        .partition(|p| p.join("articles.parquet").is_file());
    for dir in &tables {
        crate::tables::read_parquet_results(dir, |article| f(Item::Article(Box::new(article))))?;
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

/// The results lines of one stream; a leading byte-order mark is skipped.
fn read_lines(reader: impl Read, path: &Path, f: &mut impl FnMut(Item)) -> Result<()> {
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
                    f(Item::of_line(line));
                }
            }
            Err(_) => f(Item::NotAResult),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_is_not_utf8_or_no_result_is_handed_on_and_the_read_goes_on() {
        let ok =
            |id: &str| format!("{{\"id\":\"{id}\",\"status\":\"ok\",\"model\":{{\"name\":\"m\",\"version\":\"1\"}}}}");
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend(ok("a").bytes());
        bytes.extend(b"\n\n{\"id\":\"\xff\"}\r\n  \nnot json\n");
        bytes.extend(ok("c").bytes());
        let mut got = Vec::new();
        read_lines(&bytes[..], Path::new("r.jsonl"), &mut |item| {
            got.push(match item {
                Item::Article(a) => a.id,
                Item::NotAResult => "<none>".to_string(),
            })
        })
        .unwrap();
        assert_eq!(got, ["a", "<none>", "<none>", "c"]);
    }
}
