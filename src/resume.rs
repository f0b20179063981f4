//! Output files that survive an interrupted run. `-o FILE` writes `FILE.partial` and renames
//! it to `FILE` when the run is complete; `--resume` reads back what a killed run left (the
//! partial file, or a finished `FILE`), drops a torn last line, and appends the rest.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// An output file being written: bytes go to `FILE.partial` until [`OutputFile::finish`].
pub struct OutputFile {
    pub path: PathBuf,
    pub partial: PathBuf,
    out: BufWriter<File>,
    /// Ids of the records already in the file (resuming), in order.
    pub done: Vec<String>,
}

/// Where a run writes before its output is complete.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn check_not_dir(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory, not an output file"),
        ));
    }
    Ok(())
}

impl OutputFile {
    /// A fresh output: `FILE.partial`, truncated.
    pub fn create(path: &Path) -> Result<Self> {
        check_not_dir(path)?;
        let partial = partial_path(path);
        let file = File::create(&partial).map_err(|e| Error::io(&partial, e))?;
        Ok(OutputFile {
            path: path.to_path_buf(),
            partial,
            out: BufWriter::new(file),
            done: Vec::new(),
        })
    }

    /// Continues an earlier run's output (`FILE.partial`, else a finished `FILE`, else a fresh
    /// file): every complete line must be one of our records; a last line without its newline
    /// was torn by the interruption and is dropped.
    pub fn resume(path: &Path) -> Result<Self> {
        check_not_dir(path)?;
        let partial = partial_path(path);
        if !partial.exists() {
            if !path.exists() {
                return Self::create(path);
            }
            std::fs::rename(path, &partial).map_err(|e| Error::io(path, e))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&partial)
            .map_err(|e| Error::io(&partial, e))?;
        let (done, complete) = read_ids(&mut file, &partial)?;
        file.set_len(complete).map_err(|e| Error::io(&partial, e))?;
        file.seek(SeekFrom::End(0)).map_err(|e| Error::io(&partial, e))?;
        Ok(OutputFile {
            path: path.to_path_buf(),
            partial,
            out: BufWriter::new(file),
            done,
        })
    }

    /// The run is complete: the partial file, written out and synced, becomes `FILE`.
    pub fn finish(self) -> Result<()> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.partial, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.partial, e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| Error::io(&self.path, e))
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[derive(Deserialize)]
struct Line {
    id: String,
}

/// The ids of the complete lines and the byte length they take.
fn read_ids(file: &mut File, path: &Path) -> Result<(Vec<String>, u64)> {
    let mut reader = BufReader::new(file);
    let mut ids = Vec::new();
    let mut complete = 0u64;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 || buf.last() != Some(&b'\n') {
            break;
        }
        let line: Line = serde_json::from_slice(&buf).map_err(|e| Error::Resume {
            path: path.to_path_buf(),
            reason: format!("line {} is not an output record: {e}", ids.len() + 1),
        })?;
        ids.push(line.id);
        complete += n as u64;
    }
    Ok((ids, complete))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resuming_drops_a_torn_line_and_keeps_the_complete_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        std::fs::write(
            partial_path(&out),
            "{\"id\":\"a\",\"status\":\"ok\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"sta",
        )
        .unwrap();
        let o = OutputFile::resume(&out).unwrap();
        assert_eq!(o.done, ["a", "b"]);
        assert_eq!(
            std::fs::read_to_string(&o.partial).unwrap(),
            "{\"id\":\"a\",\"status\":\"ok\"}\n{\"id\":\"b\"}\n"
        );
        o.finish().unwrap();
        assert!(out.exists() && !partial_path(&out).exists());
    }

    #[test]
    fn a_finished_file_is_resumed_and_a_foreign_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("done.jsonl");
        std::fs::write(&out, "{\"id\":\"a\"}\n").unwrap();
        assert_eq!(OutputFile::resume(&out).unwrap().done, ["a"]);
        let other = dir.path().join("other.jsonl");
        std::fs::write(&other, "id,text\n").unwrap();
        let err = OutputFile::resume(&other).err().unwrap().to_string();
        assert!(err.contains("line 1 is not an output record"), "{err}");
        assert!(OutputFile::create(dir.path()).is_err());
    }
}
