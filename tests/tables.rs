//! Tables for tools: `--format parquet|csv` writes articles, actors, pairs and mentions that hold exactly
//! what the JSONL holds (read back with the Rust Parquet reader and the csv crate), and
//! `aggregate` turns results into per-bucket tables, counting what it skipped.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::{Array, Float64Array, StringArray};
use common::*;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn corpus(path: &Path) {
    let body: String = (0..30)
        .map(|i| {
            let mut r = serde_json::json!({
                "id": format!("a{i}"),
                "text": format!("Moscow condemned Kyiv on day {i}. Paris and Berlin urged calm, and Kyiv thanked Paris."),
            });
            if i % 3 != 0 {
                r["date"] = format!("2025-0{}-1{}", 1 + i % 4, i % 9).into();
            }
            if i % 11 == 4 {
                r["text"] = "".into();
            }
            r.to_string() + "\n"
        })
        .collect();
    std::fs::write(path, body).unwrap();
}

/// The tiny model's results for the test corpus, in `tmp`: `out.jsonl` and, as Parquet,
/// `tables/`. Returns (results, tables).
fn analysed(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let model = tiny_model(&tmp.join("m"), true, 4);
    let input = tmp.join("in.jsonl");
    corpus(&input);
    let results = tmp.join("out.jsonl");
    let tables = tmp.join("tables");
    analyze_path(&model, &["-o", results.to_str().unwrap()], &input);
    analyze_path(&model, &["--format", "parquet", "-o", tables.to_str().unwrap()], &input);
    (results, tables)
}

/// (column name → strings) of a Parquet file; numbers as their display.
fn read_parquet(path: &Path) -> BTreeMap<String, Vec<Option<String>>> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut cols: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for batch in reader {
        let batch = batch.unwrap();
        for (f, col) in batch.schema().fields().iter().zip(batch.columns()) {
            let out = cols.entry(f.name().clone()).or_default();
            for i in 0..col.len() {
                out.push(if col.is_null(i) {
                    None
                } else if let Some(s) = col.as_any().downcast_ref::<StringArray>() {
                    Some(s.value(i).to_string())
                } else if let Some(x) = col.as_any().downcast_ref::<Float64Array>() {
                    Some(x.value(i).to_string())
                } else {
                    Some(format!("{:?}", col.slice(i, 1)))
                });
            }
        }
    }
    cols
}

/// (article, source, target, score) of every pair in the JSONL, in order.
fn jsonl_pairs(lines: &[serde_json::Value]) -> Vec<(String, String, String, f64)> {
    lines
        .iter()
        .flat_map(|a| {
            a["actors"].as_array().unwrap().iter().flat_map(move |x| {
                x["toward"].as_array().unwrap().iter().map(move |t| {
                    (
                        a["id"].as_str().unwrap().to_string(),
                        x["id"].as_str().unwrap().to_string(),
                        t["target"].as_str().unwrap().to_string(),
                        t["score"].as_f64().unwrap(),
                    )
                })
            })
        })
        .collect()
}

#[test]
fn parquet_and_csv_tables_hold_what_the_jsonl_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input);
    let jsonl = lines(&analyze_path(&model, &[], &input));
    assert_eq!(jsonl.len(), 30);
    let expected = jsonl_pairs(&jsonl);
    assert!(!expected.is_empty());

    let pq = tmp.path().join("pq");
    let out = analyze_path(&model, &["--format", "parquet", "-o", pq.to_str().unwrap()], &input);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let articles = read_parquet(&pq.join("articles.parquet"));
    let ids: Vec<String> = jsonl.iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        articles["article_id"].iter().flatten().cloned().collect::<Vec<_>>(),
        ids
    );
    let statuses: Vec<&str> = articles["status"].iter().map(|s| s.as_deref().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "error").count(), 3);
    assert_eq!(articles["error_kind"][4].as_deref(), Some("empty_text"));
    assert_eq!(articles["date"][0], None);
    assert_eq!(articles["date"][1].as_deref(), Some("2025-02-11"));
    let pairs = read_parquet(&pq.join("pairs.parquet"));
    let got: Vec<(String, String, String, f64)> = (0..pairs["article_id"].len())
        .map(|i| {
            let s = |c: &str| pairs[c][i].clone().unwrap();
            (s("article_id"), s("source"), s("target"), s("score").parse().unwrap())
        })
        .collect();
    assert_eq!(got, expected);
    let n_actors: usize = jsonl.iter().map(|a| a["actors"].as_array().unwrap().len()).sum();
    assert_eq!(read_parquet(&pq.join("actors.parquet"))["actor"].len(), n_actors);
    // Every actor's mentions, in order, with their offsets.
    let mentions = read_parquet(&pq.join("mentions.parquet"));
    let want: Vec<(String, String)> = jsonl
        .iter()
        .flat_map(|a| {
            let id = a["id"].as_str().unwrap().to_string();
            a["actors"].as_array().unwrap().iter().flat_map(move |x| {
                let (id, actor) = (id.clone(), x["id"].as_str().unwrap().to_string());
                x["mentions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |m| (id.clone(), format!("{actor} {}", m["text"].as_str().unwrap())))
            })
        })
        .collect();
    let got: Vec<(String, String)> = (0..mentions["article_id"].len())
        .map(|i| {
            let s = |c: &str| mentions[c][i].clone().unwrap();
            (s("article_id"), format!("{} {}", s("actor"), s("text")))
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(std::fs::read_dir(&pq)
        .unwrap()
        .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".partial")));

    let csv_dir = tmp.path().join("csv");
    analyze_path(&model, &["--format", "csv", "-o", csv_dir.to_str().unwrap()], &input);
    let mut reader = csv::Reader::from_path(csv_dir.join("pairs.csv")).unwrap();
    let got: Vec<(String, String, String, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[2].to_string(),
                r[3].to_string(),
                r[4].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn tables_need_a_folder_and_do_not_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input);
    assert_eq!(
        analyze_path(&model, &["--format", "parquet"], &input).status.code(),
        Some(2)
    );
    let dir = tmp.path().join("t");
    let out = analyze_path(
        &model,
        &["--format", "csv", "--resume", "-o", dir.to_str().unwrap()],
        &input,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn aggregate_buckets_pairs_and_counts_what_it_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let (results, _) = analysed(tmp.path());
    let jsonl: Vec<serde_json::Value> = std::fs::read_to_string(&results)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // A stray line, a line that is not UTF-8 and a results file of another model are
    // reported, not fatal.
    let mut text = std::fs::read(&results).unwrap();
    text.extend_from_slice(b"not a result\n{\"id\":\"\xff\"}\n");
    std::fs::write(&results, text).unwrap();
    let out = bin()
        .args(["aggregate", "--by", "month"])
        .arg(&results)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(r#""articles":27,"failed_skipped":3,"undated":9,"unreadable_lines":2"#),
        "{err}"
    );
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pairs: Vec<&serde_json::Value> = rows.iter().filter(|r| r["table"] == "pairs").collect();
    // Every (month, source, target) of the articles appears once, counting its articles.
    let mut expected: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for a in jsonl.iter().filter(|a| a["status"] == "ok") {
        let bucket = a["date"].as_str().map_or("undated".to_string(), |d| d[..7].to_string());
        for x in a["actors"].as_array().unwrap() {
            for t in x["toward"].as_array().unwrap() {
                let key = (
                    bucket.clone(),
                    x["id"].as_str().unwrap().into(),
                    t["target"].as_str().unwrap().into(),
                );
                *expected.entry(key).or_default() += 1;
            }
        }
    }
    let got: BTreeMap<(String, String, String), u64> = pairs
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (
                (s("bucket"), s("source"), s("target")),
                r["n_articles"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(rows.iter().any(|r| r["table"] == "actors"));
}

/// The README's DuckDB example, run on the example article's tables where the duckdb package
/// is importable (`.ci/run` installs it into `.cache/python`).
#[test]
fn the_readme_duckdb_example_reads_the_tables() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let py_path = root.join(".cache/python");
    let python = || {
        let mut cmd = std::process::Command::new("python3");
        cmd.env("PYTHONPATH", &py_path);
        cmd
    };
    if !python()
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success())
    {
        common::skip("python3 cannot import duckdb (pip install --target .cache/python duckdb==2.0.1)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tables");
    let out = bin()
        .args(["analyze", "--format", "parquet", "--model"])
        .arg(bundled_model_dir())
        .arg("-o")
        .arg(&dir)
        .arg(root.join("examples/azerbaijan-russia.txt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = python()
        .arg(root.join("examples/duckdb_results.py"))
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 1);
    let worst = v["most_hostile"].as_array().unwrap();
    assert!(worst[2].as_f64().unwrap() < -0.5, "{v}");
}

#[test]
fn aggregate_and_report_read_parquet_tables_as_they_read_jsonl() {
    let tmp = tempfile::tempdir().unwrap();
    let (results, tables) = analysed(tmp.path());
    let aggregate = |from: &Path| {
        let out = bin()
            .args(["aggregate", "--by", "week", "--rollup", "country"])
            .arg(from)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (from_jsonl, summary) = aggregate(&results);
    assert!(from_jsonl.lines().count() > 10);
    assert_eq!(aggregate(&tables), (from_jsonl, summary));
    let page = |from: &Path| {
        let html = tmp.path().join("r.html");
        let out = bin()
            .arg("report")
            .arg(from)
            .arg("-o")
            .arg(&html)
            .args(["--title", "t"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::read_to_string(&html).unwrap()
    };
    assert_eq!(page(&tables), page(&results));
}

/// JSON lines of a file or of a command's stdout.
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_corpus_of_one_article_scores_each_pair_as_the_article_does() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("out.jsonl");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/azerbaijan-russia.txt");
    let o = analyze_path(&bundled_model_dir(), &["-o", results.to_str().unwrap()], &example);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let article = json_lines(&std::fs::read_to_string(&results).unwrap()).remove(0);
    for rollup in ["none", "country"] {
        let out = bin()
            .args(["aggregate", "--by", "all", "--rollup", rollup])
            .arg(&results)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let rows = json_lines(&String::from_utf8(out.stdout).unwrap());
        let mut checked = 0;
        for x in article["actors"].as_array().unwrap() {
            // With the roll-up, a member's pairs count for its country: compare the sides' own.
            if rollup == "country" && x["affiliation"].is_string() {
                continue;
            }
            for t in x["toward"].as_array().unwrap() {
                let row = rows
                    .iter()
                    .find(|r| r["table"] == "pairs" && r["source"] == x["id"] && r["target"] == t["target"]);
                let Some(row) = row else {
                    assert_eq!(rollup, "country", "{} → {} missing", x["id"], t["target"]);
                    continue;
                };
                for field in ["score", "mean", "weight", "confidence"] {
                    let (got, want) = (row[field].as_f64().unwrap(), t[field].as_f64().unwrap());
                    // Both are rounded to four decimals; the corpus's comes from rounded sums.
                    assert!(
                        (got - want).abs() <= 2e-4,
                        "{rollup}: {} → {} {field}: {got} vs {want}",
                        x["id"],
                        t["target"]
                    );
                }
                assert_eq!(
                    (row["n_sentences"].clone(), row["n_articles"].clone()),
                    (t["n_sentences"].clone(), 1.into())
                );
                checked += 1;
            }
        }
        assert!(checked >= 2, "{rollup}: {checked} pairs checked");
    }
}

#[test]
fn aggregate_writes_its_file_whole_through_a_partial_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (results, _) = analysed(tmp.path());
    let out = tmp.path().join("corpus.jsonl");
    let partial = tmp.path().join("corpus.jsonl.partial");
    // Where the partial file cannot be written, nothing is written at all.
    std::fs::create_dir(&partial).unwrap();
    let aggregate = || {
        bin()
            .args(["aggregate", "-o"])
            .arg(&out)
            .arg(&results)
            .output()
            .unwrap()
    };
    let failed = aggregate();
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("corpus.jsonl.partial"));
    assert!(!out.exists());
    std::fs::remove_dir(&partial).unwrap();
    let done = aggregate();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(!partial.exists());
    assert!(json_lines(&std::fs::read_to_string(&out).unwrap())
        .iter()
        .any(|r| r["table"] == "pairs"));
}

/// Rewrites a Parquet file with its rows as `arrange` orders them (indices into the rows).
fn rewrite_parquet(path: &Path, arrange: impl Fn(usize) -> Vec<usize>) {
    use arrow_array::RecordBatch;
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
    let schema = batches[0].schema();
    let rows: Vec<RecordBatch> = batches
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |i| b.slice(i, 1)))
        .collect();
    let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    for i in arrange(rows.len()) {
        w.write(&rows[i]).unwrap();
    }
    w.close().unwrap();
}

#[test]
fn parquet_tables_whose_rows_were_re_sorted_or_repeated_are_refused_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, tables) = analysed(tmp.path());
    let aggregate = |dir: &Path| bin().arg("aggregate").arg(dir).output().unwrap();
    assert!(aggregate(&tables).status.success());
    let copy = |name: &str| {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        for t in ["articles", "actors", "pairs", "mentions"] {
            std::fs::copy(tables.join(format!("{t}.parquet")), dir.join(format!("{t}.parquet"))).unwrap();
        }
        dir
    };
    let resorted = copy("resorted");
    rewrite_parquet(&resorted.join("pairs.parquet"), |n| (0..n).rev().collect());
    let o = aggregate(&resorted);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("pairs.parquet") && err.contains("out of the articles table's order"),
        "{err}"
    );
    let repeated = copy("repeated");
    rewrite_parquet(&repeated.join("articles.parquet"), |n| (0..n).chain(0..n).collect());
    let o = aggregate(&repeated);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("articles.parquet") && err.contains("\"a0\" appears twice"),
        "{err}"
    );
}
