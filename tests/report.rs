//! The HTML report opened in a real browser (headless Chromium): the example article's graph
//! has the Azerbaijan and Russia nodes and the Azerbaijan → Russia edge; a screenshot is saved
//! under the tests' output folder. Skips, saying why, where no Chromium is installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

fn headless(browser: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]);
    cmd
}

#[test]
fn the_report_of_the_example_article_shows_who_stands_toward_whom() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("example.jsonl");
    let out = bin()
        .args(["analyze", "--model"])
        .arg(bundled_model_dir())
        .arg(root.join("examples/azerbaijan-russia.txt"))
        .arg("-o")
        .arg(&results)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = tmp.path().join("report.html");
    let out = bin().arg("report").arg(&results).arg("-o").arg(&html).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page fetches nothing"
    );

    let Some(browser) = chromium() else {
        common::skip("the browser check: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let url = format!("file://{}", html.display());
    let dom = headless(&browser).arg("--dump-dom").arg(&url).output().unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout);
    for node in ["AZE", "RUS"] {
        assert!(
            dom.contains(&format!("class=\"node\" data-actor=\"{node}\"")),
            "no {node} node"
        );
    }
    assert!(
        dom.contains("class=\"edge\" data-source=\"AZE\" data-target=\"RUS\""),
        "no Azerbaijan → Russia edge"
    );
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("azerbaijan-russia.png");
    let _ = std::fs::remove_file(&png);
    let shot = headless(&browser)
        .arg("--window-size=1000,1400")
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "screenshot {}",
        png.display()
    );
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn a_corpus_report_has_a_time_line_and_counts_what_it_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    let body: String = (0..12)
        .map(|i| {
            let text = if i == 5 {
                String::new()
            } else {
                "Moscow condemned Kyiv. Paris and Berlin urged calm.".into()
            };
            serde_json::json!({"id": i, "text": text, "date": format!("2025-0{}-15", 1 + i % 3)}).to_string() + "\n"
        })
        .collect();
    std::fs::write(&input, body).unwrap();
    let results = tmp.path().join("out.jsonl");
    analyze_path(&model, &["-o", results.to_str().unwrap()], &input);
    let html = tmp.path().join("r.html");
    let out = bin().arg("report").arg(&results).arg("-o").arg(&html).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("11 articles; 1 failed records skipped"), "{page}");
    assert!(page.contains("id=\"timeline\"") && page.contains("2025-03"));
}
