//! A tiny random-weight BERT written through the real saving path, for plumbing tests:
//! they assert structure, counts, order and offsets, never model quality.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use actorstance::model::{HeadsConfig, StanceModel, BUNDLED_MODEL};

pub const NER_LABELS: [&str; 9] = [
    "O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER",
];

fn vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in ('a'..='z').chain('0'..='9') {
        v.push(c.to_string());
        v.push(format!("##{c}"));
    }
    v.extend(".,;:!?'\"“”’‘-()…$%&".chars().map(String::from));
    v
}

/// The model folder that ships with the repository.
pub fn bundled_model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(BUNDLED_MODEL)
}

/// Writes a random tiny model (hidden 32, 2 layers, 16-piece windows) into `dir`.
pub fn tiny_model(dir: &Path, with_stance: bool, shape_dim: i64) -> PathBuf {
    let vocab = vocab();
    tiny_model_with(
        dir,
        with_stance,
        shape_dim,
        serde_json::json!({
            "model_type": "bert", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64,
            "max_position_embeddings": 64, "num_attention_heads": 2, "num_hidden_layers": 2,
            "type_vocab_size": 2, "vocab_size": vocab.len()
        }),
    )
}

/// A tiny DistilBERT (dim 32, 2 layers).
pub fn tiny_distilbert(dir: &Path, with_stance: bool) -> PathBuf {
    tiny_model_with(
        dir,
        with_stance,
        0,
        serde_json::json!({
            "model_type": "distilbert", "activation": "gelu", "attention_dropout": 0.1, "dim": 32, "dropout": 0.1,
            "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": 64, "n_heads": 2, "n_layers": 2,
            "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": false, "tie_weights_": true,
            "vocab_size": vocab().len()
        }),
    )
}

fn tiny_model_with(dir: &Path, with_stance: bool, shape_dim: i64, config: serde_json::Value) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let vocab = vocab();
    std::fs::write(dir.join("vocab.txt"), vocab.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let encoder = actorstance::model::Encoder::read(dir).unwrap();
    let mut heads = HeadsConfig::new(
        "tiny-random",
        "0.0.0",
        NER_LABELS.iter().map(|s| s.to_string()).collect(),
        shape_dim,
    );
    // Small windows so that ordinary test sentences exercise windowing.
    heads.max_window = 16;
    if !with_stance {
        heads.tsc_labels.clear();
        heads.dsa_labels.clear();
    }
    tch::manual_seed(7);
    let model = StanceModel::untrained(encoder, heads, dir).unwrap();
    model.save(dir).unwrap();
    std::fs::remove_file(dir.join("vocab.txt")).unwrap();
    dir.to_path_buf()
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_actorstance"))
}

/// `actorstance analyze --model MODEL [EXTRA ...] INPUT`.
pub fn analyze_path(model: &Path, extra: &[&str], input: &Path) -> Output {
    bin()
        .args(["analyze", "--model"])
        .arg(model)
        .args(extra)
        .arg(input)
        .output()
        .unwrap()
}

/// Runs `cmd` with `input` on its stdin and collects what it prints.
pub fn with_stdin(mut cmd: Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.join("data").exists() {
        Some(p)
    } else {
        skip("../shared is absent");
        None
    }
}

/// Where the skips of a test run are listed; `scripts/test` prints the list at the end.
pub const SKIPPED: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/skipped-tests.txt");

/// A test that cannot run because `why` (a dependency is missing). Under `CI=true` that is a
/// failure, since CI installs every dependency; elsewhere the caller returns early and the skip
/// is listed in [`SKIPPED`], so it is seen rather than passing quietly.
#[track_caller]
pub fn skip(why: &str) {
    let test = std::thread::current().name().unwrap_or("?").to_string();
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: a dependency is missing under CI=true: {why}");
    }
    eprintln!("skipped: {why}");
    use std::io::Write;
    let file = std::fs::OpenOptions::new().create(true).append(true).open(SKIPPED);
    if let Ok(mut f) = file {
        let _ = writeln!(f, "{test}: {why}");
    }
}

pub fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every offset must point at the text it claims, in chars.
pub fn assert_offsets(text: &str, article: &serde_json::Value) {
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: &serde_json::Value| -> String {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert!(
            a <= b && b <= chars.len(),
            "span {a}..{b} outside {} chars",
            chars.len()
        );
        chars[a..b].iter().collect()
    };
    let sentences = article["sentences"].as_array().unwrap();
    for e in article["entities"].as_array().unwrap() {
        assert_eq!(slice(e), e["text"].as_str().unwrap());
        let s = &sentences[e["sentence"].as_u64().unwrap() as usize];
        assert!(s["start"].as_u64() <= e["start"].as_u64() && e["end"].as_u64() <= s["end"].as_u64());
    }
    for a in article["actors"].as_array().unwrap() {
        for m in a["mentions"].as_array().unwrap() {
            assert_eq!(slice(m), m["text"].as_str().unwrap());
        }
        for t in a["toward"].as_array().unwrap() {
            for ev in t["evidence"].as_array().unwrap() {
                assert_eq!(slice(ev), ev["text"].as_str().unwrap());
            }
        }
    }
}

pub fn schema() -> jsonschema::JSONSchema {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/article.schema.json")).unwrap();
    jsonschema::JSONSchema::compile(&serde_json::from_str(&text).unwrap()).unwrap()
}

pub fn assert_valid(schema: &jsonschema::JSONSchema, v: &serde_json::Value) {
    if let Err(errors) = schema.validate(v) {
        let msgs: Vec<String> = errors.map(|e| format!("{} at {}", e, e.instance_path)).collect();
        panic!("output does not match the schema: {msgs:?}");
    }
}

/// The actor of an output article with this id.
pub fn actor<'a>(article: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    article["actors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no actor {id} in {article}"))
}
