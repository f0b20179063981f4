//! Reading articles: JSONL (one article per line), `.txt` files (one article each, id = file
//! stem), directories (recursively, sorted) and stdin. A record that cannot be read is not
//! dropped: it becomes a [`Record::Failed`] with its id (or its location) and the reason.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Every other field of the input record, passed through to the output.
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Ok(Article),
    Failed {
        id: String,
        kind: &'static str,
        message: String,
        extra: Map<String, Value>,
    },
}

impl Record {
    pub fn id(&self) -> &str {
        match self {
            Record::Ok(a) => &a.id,
            Record::Failed { id, .. } => id,
        }
    }
}

/// Parses one JSONL line; `location` ("file:line") stands in for a missing id.
pub fn parse_json_record(line: &str, location: &str) -> Record {
    let fail = |id: String, kind, message: String, extra| Record::Failed {
        id,
        kind,
        message,
        extra,
    };
    let mut obj = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(o)) => o,
        Ok(_) => {
            return fail(
                location.into(),
                "invalid_record",
                "a record must be a JSON object".into(),
                Map::new(),
            )
        }
        Err(e) => return fail(location.into(), "invalid_json", e.to_string(), Map::new()),
    };
    // A failed record must not echo a whole article back.
    let drop_text = |mut o: Map<String, Value>| {
        o.remove("text");
        o
    };
    let id = match obj.remove("id") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            return fail(
                location.into(),
                "invalid_id",
                "`id` must be a non-empty string or a number".into(),
                drop_text(obj),
            )
        }
        None => {
            return fail(
                location.into(),
                "missing_id",
                "record has no `id`".into(),
                drop_text(obj),
            )
        }
    };
    let text = match obj.remove("text") {
        Some(Value::String(s)) => s,
        Some(_) => return fail(id, "invalid_text", "`text` must be a string".into(), passthrough(obj)),
        None => return fail(id, "missing_text", "record has no `text`".into(), passthrough(obj)),
    };
    if text.trim().is_empty() {
        return fail(id, "empty_text", "`text` is empty".into(), passthrough(obj));
    }
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
        extra: obj,
    })
}

/// Output keys of our own; an input field of the same name is passed through as `input_<name>`.
pub const RESERVED: &[&str] = &[
    "id",
    "status",
    "error",
    "model",
    "title",
    "date",
    "sentences",
    "entities",
    "actors",
    "explain",
];

fn passthrough(obj: Map<String, Value>) -> Map<String, Value> {
    obj.into_iter()
        .map(|(k, v)| {
            if RESERVED.contains(&k.as_str()) {
                (format!("input_{k}"), v)
            } else {
                (k, v)
            }
        })
        .collect()
}

/// An article from a whole text file's bytes.
pub fn text_record(id: String, bytes: Vec<u8>) -> Record {
    match String::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => Record::Failed {
            id,
            kind: "empty_text",
            message: "file is empty".into(),
            extra: Map::new(),
        },
        Ok(text) => Record::Ok(Article {
            id,
            text,
            title: None,
            date: None,
            extra: Map::new(),
        }),
        Err(e) => Record::Failed {
            id,
            kind: "invalid_utf8",
            message: e.to_string(),
            extra: Map::new(),
        },
    }
}

/// Where records come from, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Stdin,
    Jsonl(PathBuf),
    Text(PathBuf),
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
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
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
                    Err(e) => Record::Failed {
                        id,
                        kind: "unreadable",
                        message: e.to_string(),
                        extra: Map::new(),
                    },
                }))
            }
            Source::Jsonl(p) => match std::fs::File::open(&p) {
                Ok(f) => Box::new(jsonl(BufReader::new(f), p.display().to_string())),
                Err(e) => Box::new(std::iter::once(Record::Failed {
                    id: p.display().to_string(),
                    kind: "unreadable",
                    message: e.to_string(),
                    extra: Map::new(),
                })),
            },
            Source::Stdin => Box::new(jsonl(BufReader::new(std::io::stdin()), "<stdin>".into())),
        }
    })
}

/// JSONL lines as records; blank lines are not records; a line that is not UTF-8 fails alone.
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
            Ok(_) => match std::str::from_utf8(&buf) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => return Some(parse_json_record(line, &location)),
                Err(e) => {
                    return Some(Record::Failed {
                        id: location,
                        kind: "invalid_utf8",
                        message: e.to_string(),
                        extra: Map::new(),
                    })
                }
            },
            Err(e) => {
                // A read error tends to repeat: report it once and end this source.
                done = true;
                return Some(Record::Failed {
                    id: location,
                    kind: "unreadable",
                    message: e.to_string(),
                    extra: Map::new(),
                });
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
                Record::Failed { id, kind, .. } => (id, Some(kind)),
            })
            .collect()
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
            serde_json::Value::Object(a.extra),
            serde_json::json!({"source":"wire","n":1})
        );
    }
}
