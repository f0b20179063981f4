//! The Spark path in local mode (`scripts/spark-analyze`, PySpark 4 from `scripts/setup-spark`):
//! every input record comes back as a row, ok or error, and the pairs table of the example
//! article holds Azerbaijan → Russia with a negative score. Skips, saying why, without Java or
//! without PySpark (`.ci/run` installs it).

use std::path::Path;
use std::process::Command;

mod common;

use arrow_array::{Array, Float64Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Every Parquet part file under `dir` (date partitions included).
fn parts(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(parts(&p));
        } else if p.extension().is_some_and(|x| x == "parquet") {
            out.push(p);
        }
    }
    out
}

/// (three string columns, a float column) rows of a partitioned table.
fn rows(dir: &Path, a: &str, b: &str, c: &str, d: &str) -> Vec<(String, String, String, f64)> {
    let mut out = Vec::new();
    for part in parts(dir) {
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&part).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let s = |name: &str| {
                batch
                    .column_by_name(name)
                    .unwrap()
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .unwrap()
                    .clone()
            };
            let (ca, cb, cc) = (s(a), s(b), s(c));
            let cd = batch
                .column_by_name(d)
                .unwrap()
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .clone();
            for i in 0..batch.num_rows() {
                let text = |x: &StringArray| {
                    if x.is_null(i) {
                        String::new()
                    } else {
                        x.value(i).to_string()
                    }
                };
                out.push((
                    text(&ca),
                    text(&cb),
                    text(&cc),
                    if cd.is_null(i) { f64::NAN } else { cd.value(i) },
                ));
            }
        }
    }
    out
}

#[test]
fn spark_local_mode_keeps_every_record_and_finds_the_example_pair() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        common::skip("no Java (PySpark local mode needs Java 17+)");
        return;
    }
    if !root.join(".cache/spark/pyspark").is_dir() {
        common::skip("PySpark is not installed (scripts/setup-spark)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let example = std::fs::read_to_string(root.join("examples/azerbaijan-russia.txt")).unwrap();
    let mut body = serde_json::json!({"id": "example", "text": example, "date": "2025-06-30"}).to_string() + "\n";
    for i in 0..240 {
        let text = if i % 60 == 7 {
            String::new()
        } else {
            format!(
                "Officials in Paris and Berlin met on day {i}. Kyiv welcomed the talks, and Moscow criticised them."
            )
        };
        let mut r = serde_json::json!({"id": format!("r{i}"), "text": text});
        if i % 2 == 0 {
            r["date"] = format!("2025-06-{:02}", 1 + i % 28).into();
        }
        body.push_str(&(r.to_string() + "\n"));
        if i % 50 == 0 {
            body.push('\n');
        }
    }
    std::fs::write(input.join("part-a.jsonl"), body).unwrap();
    let out_dir = tmp.path().join("out");
    let out = Command::new(root.join("scripts/spark-analyze"))
        .arg(&input)
        .arg(&out_dir)
        .args(["--partitions", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["records"], 241);
    assert_eq!(summary["results"], 241);
    assert_eq!(summary["failed"], 4);
    let n_articles: i64 = parts(&out_dir.join("articles"))
        .iter()
        .map(|p| {
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(p).unwrap())
                .unwrap()
                .metadata()
                .file_metadata()
                .num_rows()
        })
        .sum();
    assert_eq!(n_articles, 241);
    let pairs = rows(&out_dir.join("pairs"), "article_id", "source", "target", "score");
    let aze_rus: Vec<f64> = pairs
        .iter()
        .filter(|p| p.0 == "example" && p.1 == "AZE" && p.2 == "RUS")
        .map(|p| p.3)
        .collect();
    assert_eq!(aze_rus.len(), 1, "{pairs:?}");
    assert!(aze_rus[0] < 0.0, "AZE → RUS {}", aze_rus[0]);
    assert!(!parts(&out_dir.join("pair_day")).is_empty());
}
