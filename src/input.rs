//! Reading articles: JSONL (one article per line), `.txt` files (one article each, id = file
//! stem), directories (recursively, sorted) and stdin. A record that cannot be read is not
//! dropped: it becomes a [`Record::Failed`] with its id (or its location) and the reason.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, FailureKind, Result};
use crate::record::{Article, Passthrough, Record};

/// Parses one JSONL line; `location` ("file:line") stands in for a missing id.
pub fn parse_json_record(line: &str, location: &str) -> Record {
    match serde_json::from_str::<Value>(line) {
        Ok(value) => json_record(value, location),
        Err(e) => Record::failed(
            location,
            FailureKind::InvalidJson,
            e.to_string(),
            Passthrough::default(),
        ),
    }
}

/// One record from a JSON value (a parsed line, or a Python dict): an object with `id` and
/// `text`, optional string `title` and `date`, and any other fields (passed through).
/// `location` stands in for a missing id.
pub fn json_record(value: Value, location: &str) -> Record {
    let mut obj = match value {
        Value::Object(o) => o,
        _ => {
            return Record::failed(
                location,
                FailureKind::InvalidRecord,
                "a record must be a JSON object",
                Passthrough::default(),
            )
        }
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        bad => {
            // A failed record must not echo a whole article back.
            obj.remove("text");
            let (kind, message) = match bad {
                None => (FailureKind::MissingId, "record has no `id`"),
                Some(_) => (FailureKind::InvalidId, "`id` must be a non-empty string or a number"),
            };
            return Record::failed(location, kind, message, Passthrough::new(obj));
        }
    };
    let text = match obj.remove("text") {
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Record::failed(id, FailureKind::EmptyText, "`text` is empty", Passthrough::new(obj))
        }
        Some(Value::String(s)) => s,
        Some(_) => {
            return Record::failed(
                id,
                FailureKind::InvalidText,
                "`text` must be a string",
                Passthrough::new(obj),
            )
        }
        None => {
            return Record::failed(
                id,
                FailureKind::MissingText,
                "record has no `text`",
                Passthrough::new(obj),
            )
        }
    };
    // `title` and `date` are ours when they are strings; anything else is passed through
    // (renamed, since the output has those keys).
    let mut take = |k: &str| match obj.remove(k) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            obj.insert(k.to_string(), other);
            None
        }
        None => None,
    };
    let title = take("title");
    let date = take("date");
    Record::Ok(Article {
        id,
        text,
        title,
        date,
        extra: Passthrough::new(obj),
    })
}

/// The UTF-8 byte-order mark, which Windows tools put at the start of text files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An article from a whole text file's bytes. A leading byte-order mark is not part of the
/// text: offsets count chars from the first char after it.
pub fn text_record(id: String, mut bytes: Vec<u8>) -> Record {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    match String::from_utf8(bytes) {
        Ok(text) => text_article(id, text),
        Err(e) => Record::failed(id, FailureKind::InvalidUtf8, e.to_string(), Passthrough::default()),
    }
}

/// An article that is only a text (a file's, or a string given to the Python API).
pub fn text_article(id: String, text: String) -> Record {
    if text.trim().is_empty() {
        return Record::failed(id, FailureKind::EmptyText, "the text is empty", Passthrough::default());
    }
    Record::Ok(Article {
        id,
        text,
        title: None,
        date: None,
        extra: Passthrough::default(),
    })
}

/// A PETRARCH `.actors` dictionary file, and whether `actors learn` wrote it (then it lists
/// people only). The upstream dictionaries mix encodings: stray bytes are replaced, not fatal.
pub fn read_dictionary(path: &Path) -> Result<(crate::actors::petrarch::ActorDictionary, bool)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let dict = crate::actors::petrarch::parse_actors(&text).map_err(|e| match e {
        Error::Table { line, reason, .. } => Error::table(path.display().to_string(), line, reason),
        other => other,
    })?;
    Ok((dict, crate::actors::learn::is_learned(&text)))
}

/// Where records come from, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Stdin,
    Jsonl(PathBuf),
    Text(PathBuf),
    /// A folder whose listing failed part way: one failed record says so.
    Unlisted {
        dir: PathBuf,
        reason: String,
    },
}

/// Expands the command-line inputs: `-` is stdin, directories are walked (sorted),
/// `.txt` files are single articles, anything else is read as JSONL.
pub fn sources(inputs: &[PathBuf]) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    if inputs.is_empty() {
        out.push(Source::Stdin);
    }
    for p in inputs {
        if p.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if p.is_dir() {
            walk(p, &mut out)?;
        } else if !p.exists() {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ));
        } else {
            out.push(classify(p));
        }
    }
    Ok(out)
}

fn classify(p: &Path) -> Source {
    match p.extension().and_then(|e| e.to_str()) {
        Some("txt") => Source::Text(p.to_path_buf()),
        _ => Source::Jsonl(p.to_path_buf()),
    }
}

fn walk(dir: &Path, out: &mut Vec<Source>) -> Result<()> {
    let listing = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    walk_listing(dir, listing.map(|e| e.map(|e| e.path())), out)
}

/// A folder's entries, sorted and walked. An entry that cannot be listed is not skipped: it
/// becomes a source that yields one failed record (a listing error tends to repeat, so the
/// first ends the listing).
fn walk_listing(
    dir: &Path,
    listing: impl Iterator<Item = std::io::Result<PathBuf>>,
    out: &mut Vec<Source>,
) -> Result<()> {
    let mut entries = Vec::new();
    for entry in listing {
        match entry {
            Ok(p) => entries.push(p),
            Err(e) => {
                out.push(Source::Unlisted {
                    dir: dir.to_path_buf(),
                    reason: e.to_string(),
                });
                break;
            }
        }
    }
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "jsonl" | "ndjson")) {
            out.push(classify(&p));
        }
    }
    Ok(())
}

/// Streams the records of all sources, in order. Unreadable sources yield a failed record.
pub fn records(sources: Vec<Source>) -> impl Iterator<Item = Record> {
    sources.into_iter().flat_map(|s| -> Box<dyn Iterator<Item = Record>> {
        match s {
            Source::Text(p) => {
                let id = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                Box::new(std::iter::once(match std::fs::read(&p) {
                    Ok(b) => text_record(id, b),
                    Err(e) => Record::failed(id, FailureKind::Unreadable, e.to_string(), Passthrough::default()),
                }))
            }
            Source::Jsonl(p) => match std::fs::File::open(&p) {
                Ok(f) => Box::new(jsonl(BufReader::new(f), p.display().to_string())),
                Err(e) => Box::new(std::iter::once(Record::failed(
                    p.display().to_string(),
                    FailureKind::Unreadable,
                    e.to_string(),
                    Passthrough::default(),
                ))),
            },
            Source::Stdin => Box::new(jsonl(BufReader::new(std::io::stdin()), "<stdin>".into())),
            Source::Unlisted { dir, reason } => Box::new(std::iter::once(Record::failed(
                dir.display().to_string(),
                FailureKind::Unreadable,
                format!("listing this folder failed, so entries of it may be missing: {reason}"),
                Passthrough::default(),
            ))),
        }
    })
}

/// How many records `sources` hold, counted without parsing (non-blank lines of JSONL, one
/// per text file or unreadable file); `None` when one of them is stdin, which can be read once only.
pub fn count_records(sources: &[Source]) -> Option<usize> {
    let mut n = 0;
    for s in sources {
        n += match s {
            Source::Stdin => return None,
            Source::Text(_) | Source::Unlisted { .. } => 1,
            Source::Jsonl(p) => match std::fs::File::open(p) {
                Ok(f) => {
                    let mut reader = BufReader::new(f);
                    let (mut lines, mut buf) = (0, Vec::new());
                    while matches!(reader.read_until(b'\n', &mut buf), Ok(k) if k > 0) {
                        let line = buf.strip_prefix(BOM).unwrap_or(&buf);
                        lines += usize::from(!line.trim_ascii().is_empty());
                        buf.clear();
                    }
                    lines
                }
                Err(_) => 1,
            },
        };
    }
    Some(n)
}

/// JSONL lines as records. Blank and whitespace-only lines are not records (but count for
/// line numbers); a line that is not UTF-8 fails alone; a byte-order mark at the start of the
/// stream is skipped.
pub fn jsonl<R: Read>(mut reader: BufReader<R>, name: String) -> impl Iterator<Item = Record> {
    let mut n = 0usize;
    let mut buf = Vec::new();
    let mut done = false;
    std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        buf.clear();
        n += 1;
        let location = format!("{name}:{n}");
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return None,
            Ok(_) => match std::str::from_utf8(buf.strip_prefix(BOM).filter(|_| n == 1).unwrap_or(&buf)) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => return Some(parse_json_record(line, &location)),
                Err(e) => {
                    return Some(Record::failed(
                        location,
                        FailureKind::InvalidUtf8,
                        e.to_string(),
                        Passthrough::default(),
                    ))
                }
            },
            Err(e) => {
                // A read error tends to repeat: report it once and end this source.
                done = true;
                return Some(Record::failed(
                    location,
                    FailureKind::Unreadable,
                    e.to_string(),
                    Passthrough::default(),
                ));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(input: &str) -> Vec<(String, Option<&'static str>)> {
        jsonl(BufReader::new(input.as_bytes()), "in".into())
            .map(|r| match r {
                Record::Ok(a) => (a.id, None),
                Record::Failed { id, failure, .. } => (id, Some(failure.kind.as_str())),
            })
            .collect()
    }

    #[test]
    fn records_are_counted_as_the_reader_will_yield_them() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(
            &jsonl,
            "\u{feff}{\"id\":\"a\",\"text\":\"T.\"}\n\n  \n{bad json\n{\"id\":\"b\"}",
        )
        .unwrap();
        let txt = dir.path().join("b.txt");
        std::fs::write(&txt, "One article.").unwrap();
        let sources = vec![
            Source::Jsonl(jsonl),
            Source::Text(txt),
            Source::Jsonl(dir.path().join("missing.jsonl")),
        ];
        assert_eq!(count_records(&sources), Some(records(sources.clone()).count()));
        assert_eq!(count_records(&sources), Some(5));
        assert_eq!(count_records(&[Source::Stdin]), None);
    }

    #[test]
    fn a_folder_entry_that_cannot_be_listed_becomes_a_failed_record() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "Lisbon spoke.").unwrap();
        let listing = vec![
            Ok(a.clone()),
            Err(std::io::Error::other("injected: the disk went away")),
            Ok(dir.path().join("never-reached.txt")),
        ];
        let mut sources = Vec::new();
        walk_listing(dir.path(), listing.into_iter(), &mut sources).unwrap();
        assert_eq!(count_records(&sources), Some(2));
        let got: Vec<_> = records(sources)
            .map(|r| match r {
                Record::Ok(a) => (a.id, String::new()),
                Record::Failed { id, failure, .. } => (id, format!("{}: {}", failure.kind.as_str(), failure.message)),
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    dir.path().display().to_string(),
                    "unreadable: listing this folder failed, so entries of it may be missing: injected: the disk went away"
                        .to_string()
                ),
                ("a".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn every_line_is_a_record_ok_or_failed() {
        let input = "{\"id\":\"a\",\"text\":\"T.\"}\n\n{bad json\n{\"text\":\"no id\"}\n{\"id\":7,\"text\":\"\"}\n[1]\n{\"id\":\"b\",\"text\":3}\n";
        assert_eq!(
            ids(input),
            [
                ("a".into(), None),
                ("in:3".into(), Some("invalid_json")),
                ("in:4".into(), Some("missing_id")),
                ("7".into(), Some("empty_text")),
                ("in:6".into(), Some("invalid_record")),
                ("b".into(), Some("invalid_text")),
            ]
        );
    }

    #[test]
    fn invalid_utf8_fails_only_its_line() {
        let mut bytes = b"{\"id\":\"a\",\"text\":\"x\"}\n".to_vec();
        bytes.extend_from_slice(b"{\"id\":\"\xff\"}\n{\"id\":\"c\",\"text\":\"y\"}");
        let got: Vec<_> = jsonl(BufReader::new(&bytes[..]), "f".into())
            .map(|r| r.id().to_string())
            .collect();
        assert_eq!(got, ["a", "f:2", "c"]);
    }

    #[test]
    fn known_fields_are_lifted_and_the_rest_passes_through() {
        let r = parse_json_record(
            r#"{"id":"x","text":"Hi.","title":"T","date":"2025-06-30","source":"wire","n":1}"#,
            "l",
        );
        let Record::Ok(a) = r else { panic!("{r:?}") };
        assert_eq!((a.title.as_deref(), a.date.as_deref()), (Some("T"), Some("2025-06-30")));
        assert_eq!(
            serde_json::Value::Object(a.extra.fields().clone()),
            serde_json::json!({"source":"wire","n":1})
        );
    }

    #[test]
    fn a_byte_order_mark_starts_no_record() {
        let with_bom = "\u{feff}{\"id\":\"a\",\"text\":\"T.\"}\n  \t\n{\"id\":\"b\",\"text\":\"U.\"}\r\n";
        assert_eq!(ids(with_bom), [("a".into(), None), ("b".into(), None)]);
        // Only at the start of the stream: elsewhere it is the record's own (bad) first char.
        assert_eq!(ids("\n\u{feff}{}")[0].1, Some("invalid_json"));
        let Record::Ok(a) = text_record("t".into(), "\u{feff}Lisbon spoke.".as_bytes().to_vec()) else {
            panic!()
        };
        assert_eq!(a.text, "Lisbon spoke.");
    }
}
