//! A run that loses nothing, on the real binary and a tiny random model: byte-order marks,
//! clashing field names, kill -9 and --resume at random points, SIGTERM, a directory as the
//! output, a full disk, and output that does not depend on --threads.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use rand::{Rng, SeedableRng};

/// `n` small articles (every 13th has empty text and fails).
fn corpus(path: &Path, n: usize) {
    let body: String = (0..n)
        .map(|i| {
            let text = if i % 13 == 5 {
                String::new()
            } else {
                format!("Report {i}: Moscow and Kyiv traded accusations. Paris said nothing on day {i}.")
            };
            serde_json::json!({"id": format!("r{i}"), "text": text}).to_string() + "\n"
        })
        .collect();
    std::fs::write(path, body).unwrap();
}

fn analyze_to(model: &Path, input: &Path, out: &Path, extra: &[&str]) -> std::process::Command {
    let mut cmd = bin();
    cmd.args(["analyze", "--batch-articles", "4", "--model"])
        .arg(model)
        .arg("-o")
        .arg(out)
        .args(extra)
        .arg(input);
    cmd
}

fn run(mut cmd: std::process::Command) -> Output {
    cmd.output().unwrap()
}

fn partial(out: &Path) -> PathBuf {
    actorstance::resume::partial_path(out)
}

fn complete_lines(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
}

/// Waits until the partial output holds at least `lines` complete lines (or the child ends).
fn wait_for_lines(child: &mut Child, file: &Path, lines: usize) {
    let t0 = Instant::now();
    while complete_lines(file) < lines && child.try_wait().unwrap().is_none() {
        assert!(t0.elapsed() < Duration::from_secs(120), "no output after 120 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn kill_9_at_random_points_then_resume_gives_the_uninterrupted_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input, 240);
    let whole = tmp.path().join("whole.jsonl");
    let o = run(analyze_to(&model, &input, &whole, &[]));
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = std::fs::read(&whole).unwrap();
    assert_eq!(complete_lines(&whole), 240);
    assert!(!partial(&whole).exists());

    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let mut killed_mid_run = 0;
    for trial in 0..3 {
        let out = tmp.path().join(format!("killed{trial}.jsonl"));
        // Kill -9 twice at random points (after some records are out, plus a random delay),
        // resuming in between, then let the last resume finish.
        for round in 0..3 {
            let mut cmd = analyze_to(&model, &input, &out, if round == 0 { &[] } else { &["--resume"] });
            let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
            if round < 2 {
                let floor = complete_lines(&partial(&out)) + rng.gen_range(1..60);
                wait_for_lines(&mut child, &partial(&out), floor);
                std::thread::sleep(Duration::from_millis(rng.gen_range(0..40)));
                killed_mid_run += usize::from(child.try_wait().unwrap().is_none());
                child.kill().unwrap();
            }
            let status = child.wait().unwrap();
            if round == 2 {
                assert_eq!(status.code(), Some(3), "trial {trial}");
            }
        }
        assert_eq!(
            std::fs::read(&out).unwrap(),
            expected,
            "trial {trial}: resumed output differs from the uninterrupted run"
        );
        assert!(!partial(&out).exists());
    }
    assert!(
        killed_mid_run >= 3,
        "only {killed_mid_run} of 6 kills hit a running process"
    );
}

#[test]
fn a_torn_last_line_is_dropped_and_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input, 30);
    let whole = tmp.path().join("whole.jsonl");
    run(analyze_to(&model, &input, &whole, &[]));
    let expected = std::fs::read(&whole).unwrap();
    // Ten whole lines and half of the eleventh, as a crash mid-write leaves them.
    let ends: Vec<usize> = expected
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .map(|(i, _)| i)
        .collect();
    let out = tmp.path().join("out.jsonl");
    std::fs::write(partial(&out), &expected[..ends[9] + 1 + (ends[10] - ends[9]) / 2]).unwrap();
    let o = run(analyze_to(&model, &input, &out, &["--resume"]));
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), expected);
    // Resuming a finished file changes nothing; resuming over another input is refused.
    let o = run(analyze_to(&model, &input, &out, &["--resume"]));
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), expected);
    let other = tmp.path().join("other.jsonl");
    std::fs::write(&other, "{\"id\":\"x\",\"text\":\"Kyiv spoke.\"}\n").unwrap();
    let o = run(analyze_to(&model, &other, &out, &["--resume"]));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("record 1 of the output is \"r0\", but the input has \"x\""),
        "{err}"
    );
}

#[test]
fn sigterm_writes_every_finished_record_and_resume_completes_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input, 400);
    let whole = tmp.path().join("whole.jsonl");
    run(analyze_to(&model, &input, &whole, &[]));
    let out = tmp.path().join("out.jsonl");
    let mut child = analyze_to(&model, &input, &out, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_lines(&mut child, &partial(&out), 8);
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
    assert!(!out.exists(), "an interrupted run must not look complete");
    let written = std::fs::read(partial(&out)).unwrap();
    assert_eq!(written.last(), Some(&b'\n'), "only whole records are written");
    assert!(complete_lines(&partial(&out)) < 400);
    let o = run(analyze_to(&model, &input, &out, &["--resume"]));
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&whole).unwrap());
}

#[test]
fn byte_order_marks_lose_no_record() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let body = "\u{feff}{\"id\":\"first\",\"text\":\"Moscow spoke.\"}\r\n   \n{\"id\":\"second\",\"text\":\"Kyiv answered.\"}\r\n";
    let input = tmp.path().join("bom.jsonl");
    std::fs::write(&input, body).unwrap();
    let from_file = analyze_path(&model, &[], &input);
    let mut cmd = bin();
    cmd.args(["analyze", "--model"]).arg(&model);
    let from_stdin = with_stdin(cmd, body.as_bytes());
    for out in [&from_file, &from_stdin] {
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let got = lines(out);
        let ids: Vec<&str> = got.iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["first", "second"]);
    }
    // In a .txt file the mark is not part of the text: offsets count from the char after it.
    let txt = tmp.path().join("bom.txt");
    std::fs::write(&txt, "\u{feff}Moscow spoke. Kyiv answered.").unwrap();
    let got = lines(&analyze_path(&model, &[], &txt));
    assert_eq!(got[0]["sentences"][0], serde_json::json!({"start": 0, "end": 13}));
    assert_offsets("Moscow spoke. Kyiv answered.", &got[0]);
}

/// Parses one output line and fails on any object that has a key twice (serde_json's `Value`
/// would silently keep the last one).
fn assert_no_duplicate_keys(line: &str) {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Checked;
    impl<'de> Deserialize<'de> for Checked {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(CheckedVisitor)
        }
    }
    struct CheckedVisitor;
    impl<'de> Visitor<'de> for CheckedVisitor {
        type Value = Checked;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = map.next_key::<String>()? {
                if !seen.insert(k.clone()) {
                    return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                }
                map.next_value::<Checked>()?;
            }
            Ok(Checked)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
            while seq.next_element::<Checked>()?.is_some() {}
            Ok(Checked)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
            Ok(Checked)
        }
        fn visit_unit<E>(self) -> Result<Checked, E> {
            Ok(Checked)
        }
    }
    serde_json::from_str::<Checked>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
}

#[test]
fn input_fields_named_like_output_keys_never_duplicate_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let body = [
        r#"{"id":"a","text":"Moscow spoke.","status":"draft","actors":"x","title":5,"date":{"y":2025},"error":1}"#,
        r#"{"text":"No id.","status":"ok","model":"mine"}"#,
        r#"{"id":"c","text":"  ","sentences":[],"input_status":"kept"}"#,
    ]
    .join("\n");
    let mut cmd = bin();
    cmd.args(["analyze", "--explain", "--model"]).arg(&model);
    let out = with_stdin(cmd, body.as_bytes());
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    for line in text.lines() {
        assert_no_duplicate_keys(line);
    }
    let got = lines(&out);
    assert_eq!(
        (&got[0]["status"], &got[0]["input_status"], &got[0]["input_actors"]),
        (
            &serde_json::json!("ok"),
            &serde_json::json!("draft"),
            &serde_json::json!("x")
        )
    );
    assert_eq!(
        (&got[0]["input_title"], &got[0]["input_date"], &got[0]["input_error"]),
        (
            &serde_json::json!(5),
            &serde_json::json!({"y": 2025}),
            &serde_json::json!(1)
        )
    );
    assert_eq!(
        (&got[1]["status"], &got[1]["input_status"]),
        (&serde_json::json!("error"), &serde_json::json!("ok"))
    );
    assert_eq!(got[1]["input_model"], "mine");
    assert_eq!(got[2]["error"]["kind"], "empty_text");
    assert_eq!(
        (&got[2]["input_status"], &got[2]["input_sentences"]),
        (&serde_json::json!("kept"), &serde_json::json!([]))
    );
}

#[test]
fn a_directory_or_a_full_disk_as_output_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input, 200);
    let o = run(analyze_to(&model, &input, tmp.path(), &[]));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is a directory"), "{err}");

    // stdout on a device that is always full.
    let o = bin()
        .args(["analyze", "--model"])
        .arg(&model)
        .arg(&input)
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("<stdout>") && err.contains("No space left"), "{err}");

    // A real file system that fills up: a 64 KiB tmpfs, where one can be mounted (root).
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        common::skip("the tmpfs case: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)");
        return;
    }
    let out = mnt.join("out.jsonl");
    let o = run(analyze_to(&model, &input, &out, &[]));
    let written = complete_lines(&partial(&out));
    std::process::Command::new("umount").arg(&mnt).status().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("No space left"), "{err}");
    assert!(written < 200, "{written} lines fit in 64 KiB?");
}

#[test]
fn output_does_not_depend_on_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("m"), true, 4);
    let input = tmp.path().join("in.jsonl");
    corpus(&input, 60);
    let runs: Vec<Vec<u8>> = ["1", "2"]
        .iter()
        .map(|t| {
            let out = tmp.path().join(format!("t{t}.jsonl"));
            run(analyze_to(&model, &input, &out, &["--threads", t, "--explain"]));
            std::fs::read(&out).unwrap()
        })
        .collect();
    assert_eq!(runs[0], runs[1]);
}

#[test]
fn sentences_and_pairs_that_limits_leave_unscored_are_counted_per_article_and_for_the_run() {
    let countries = [
        "France",
        "Spain",
        "Italy",
        "Germany",
        "Poland",
        "Greece",
        "Portugal",
        "Austria",
        "Hungary",
        "Romania",
        "Bulgaria",
        "Sweden",
        "Norway",
        "Finland",
        "Denmark",
        "Ireland",
        "Belgium",
        "Croatia",
        "Serbia",
        "Albania",
        "Latvia",
        "Lithuania",
        "Estonia",
        "Slovakia",
        "Slovenia",
        "Ukraine",
        "Moldova",
        "Iceland",
        "Armenia",
        "Turkey",
    ];
    let list = format!(
        "Ministers from {} and {} met on Monday.",
        countries[..29].join(", "),
        countries[29]
    );
    let input = [
        serde_json::json!({"id": "list", "text": list}),
        serde_json::json!({"id": "short", "text": "France thanked Spain."}),
        // A paragraph of control characters: a sentence with nothing for the tokenizer to read.
        serde_json::json!({"id": "bell", "text": "Lisbon spoke.\n\n\u{7}\u{7}\n\nMadrid replied."}),
    ]
    .map(|r| r.to_string() + "\n")
    .concat();
    let mut cmd = bin();
    cmd.args(["analyze", "--model"]).arg(bundled_model_dir());
    let out = with_stdin(cmd, input.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = lines(&out);
    let mentions: usize = got[0]["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["mentions"].as_array().unwrap().len())
        .sum();
    assert_eq!(mentions, 30);
    // Mentions 25 to 30 would each pair with every mention before them: 24 + 25 + … + 29.
    assert_eq!(
        got[0]["unscored"],
        serde_json::json!({"sentences": 0, "mentions": 0, "pairs": 159})
    );
    assert!(got[1].get("unscored").is_none());
    assert_eq!(got[2]["sentences"].as_array().unwrap().len(), 3);
    assert_eq!(
        got[2]["unscored"],
        serde_json::json!({"sentences": 1, "mentions": 0, "pairs": 0})
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(1 sentences without word pieces, 0 mentions without word pieces, 159 mention pairs past 24 mentions in a sentence)"),
        "{err}"
    );
}
