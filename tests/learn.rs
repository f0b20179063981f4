//! `actors learn` and `analyze --learn-actors` with the bundled model: a corpus that titles a
//! person in some articles gives that person's untitled mentions their country.

mod common;

use std::path::Path;

use common::*;

/// Two articles that title Ana Quispe and Jan Kowal, then articles that do not.
const CORPUS: &[(&str, &str, &str)] = &[
    (
        "t1",
        "2025-02-03",
        "The Peruvian president, Ana Quispe, opened a new port on the Pacific coast on Monday. Jan Kowal, Poland's foreign minister, said talks on grain would resume.",
    ),
    (
        "t2",
        "2025-03-10",
        "Peruvian President Ana Quispe signed a mining law on Tuesday. Polish Foreign Minister Jan Kowal visited Kyiv the same day.",
    ),
    ("u1", "2025-06-01", "Quispe accused Chile of stalling a border agreement."),
    ("u2", "2025-06-02", "Jan Kowal praised Germany for its help with refugees."),
];

fn write_corpus(path: &Path) {
    let lines: Vec<String> = CORPUS
        .iter()
        .map(|(id, date, text)| serde_json::json!({"id": id, "date": date, "text": text}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn learn(input: &Path, out: &Path, threads: &str) {
    let o = bin()
        .args(["actors", "learn", "-q", "--threads", threads, "--model"])
        .arg(bundled_model_dir())
        .arg(input)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("actors learn: 2 people"), "{err}");
}

/// The country of the person actor named `name` in article `id`.
fn country_of(out: &[serde_json::Value], id: &str, name: &str) -> Option<String> {
    let article = out.iter().find(|a| a["id"] == id).unwrap();
    let person = article["actors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {article}"));
    person["affiliation"].as_str().map(String::from)
}

#[test]
fn a_learned_dictionary_gives_untitled_mentions_the_country_their_titles_state() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("corpus.jsonl");
    write_corpus(&input);
    let learned = tmp.path().join("learned.actors");
    learn(&input, &learned, "2");
    let text = std::fs::read_to_string(&learned).unwrap();
    assert!(text.starts_with(actorstance::actors::learn::HEADER), "{text}");
    for line in [
        "ANA_QUISPE_  # PER 2 article(s) 2025-02-03..2025-03-10; roles: president 2\n+QUISPE_\n\t[PER 250203-250310]\n\t[PER]\n",
        "JAN_KOWAL_  # POL 2 article(s) 2025-02-03..2025-03-10; roles: foreign minister 2\n+KOWAL_\n\t[POL 250203-250310]\n\t[POL]\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    // The same inputs give the same bytes whatever the threads.
    let one = tmp.path().join("one.actors");
    learn(&input, &one, "1");
    assert_eq!(std::fs::read(&one).unwrap(), text.as_bytes());

    let model = bundled_model_dir();
    let before = lines(&analyze_path(&model, &["--rollup", "none"], &input));
    assert_eq!(country_of(&before, "u1", "Quispe"), None);
    assert_eq!(country_of(&before, "u2", "Jan Kowal"), None);
    let with_file = analyze_path(
        &model,
        &["--rollup", "none", "--gazetteer", learned.to_str().unwrap()],
        &input,
    );
    let after = lines(&with_file);
    assert_eq!(country_of(&after, "u1", "Quispe").as_deref(), Some("PER"));
    assert_eq!(country_of(&after, "u2", "Jan Kowal").as_deref(), Some("POL"));
    // Learning in the same run gives the same output as the file.
    let in_run = analyze_path(&model, &["--rollup", "none", "--learn-actors"], &input);
    assert!(in_run.status.success(), "{}", String::from_utf8_lossy(&in_run.stderr));
    assert_eq!(in_run.stdout, with_file.stdout);
}

#[test]
fn a_users_dictionary_comes_before_the_learned_one() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("corpus.jsonl");
    write_corpus(&input);
    let mine = tmp.path().join("mine.actors");
    std::fs::write(&mine, "JAN_KOWAL_\n+KOWAL_\n\t[CZEGOV]\n").unwrap();
    let o = analyze_path(
        &bundled_model_dir(),
        &[
            "--rollup",
            "none",
            "--learn-actors",
            "--gazetteer",
            mine.to_str().unwrap(),
        ],
        &input,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = lines(&o);
    assert_eq!(country_of(&out, "u2", "Jan Kowal").as_deref(), Some("CZE"));
    assert_eq!(country_of(&out, "u1", "Quispe").as_deref(), Some("PER"));
}

#[test]
fn resuming_a_run_that_learns_gives_the_uninterrupted_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("corpus.jsonl");
    write_corpus(&input);
    let model = bundled_model_dir();
    let to = |out: &Path, extra: &[&str]| {
        let o = bin()
            .args(["analyze", "-q", "--learn-actors", "--batch-articles", "1", "--model"])
            .arg(&model)
            .args(extra)
            .arg(&input)
            .arg("-o")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let whole = tmp.path().join("whole.jsonl");
    to(&whole, &[]);
    let expected = std::fs::read(&whole).unwrap();
    let first_two = expected
        .split_inclusive(|&b| b == b'\n')
        .take(2)
        .collect::<Vec<_>>()
        .concat();
    let out = tmp.path().join("out.jsonl");
    std::fs::write(actorstance::resume::partial_path(&out), first_two).unwrap();
    to(&out, &["--resume"]);
    assert_eq!(std::fs::read(&out).unwrap(), expected);
}

#[test]
fn learning_in_the_run_refuses_stdin_with_a_reason_and_actors_learn_reads_it() {
    let model = bundled_model_dir();
    let mut analyze = bin();
    analyze.args(["analyze", "-", "--learn-actors", "--model"]).arg(&model);
    let o = with_stdin(analyze, b"{\"id\":\"a\",\"text\":\"Kyiv spoke.\"}\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("stdin"));
    // `actors learn` reads its input once: from stdin, the same file as from a path.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("corpus.jsonl");
    write_corpus(&input);
    let from_path = tmp.path().join("path.actors");
    learn(&input, &from_path, "1");
    let from_stdin = tmp.path().join("stdin.actors");
    let mut cmd = bin();
    cmd.args(["actors", "learn", "-q", "-", "-o"])
        .arg(&from_stdin)
        .arg("--model")
        .arg(&model);
    let o = with_stdin(cmd, &std::fs::read(&input).unwrap());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&from_stdin).unwrap(), std::fs::read(&from_path).unwrap());
}
