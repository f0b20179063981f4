//! Who said what, with the bundled model: statements, their speakers through a pronoun or a
//! relative, and the stance a quote carries when its sentences do not name the speaker.
//! Passages in our own words (no names of the reference article).

mod common;

use common::*;

fn analyze(text: &str) -> serde_json::Value {
    let line = serde_json::json!({"id": "p", "text": text}).to_string();
    let mut cmd = bin();
    cmd.args(["analyze", "--model"]).arg(bundled_model_dir()).arg("-");
    let out = with_stdin(cmd, line.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    lines(&out).remove(0)
}

fn toward(article: &serde_json::Value, from: &str, to: &str) -> f64 {
    actor(article, from)["toward"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == to)
        .unwrap_or_else(|| panic!("no {from} → {to}"))["score"]
        .as_f64()
        .unwrap()
}

fn text_of(article_text: &str, span: &serde_json::Value) -> String {
    let (a, b) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    article_text.chars().skip(a).take(b - a).collect()
}

#[test]
fn a_quote_after_its_speaker_pronoun_is_her_stance_toward_the_party_it_names() {
    let text = "Chilean Foreign Minister Ana Lima spoke to reporters in Santiago on Monday. \
                “Peru has broken every promise it made on the border,” she said. “We will not accept it.”";
    let a = analyze(text);
    let st = a["statements"].as_array().unwrap();
    assert_eq!(st.len(), 1, "{st:?}");
    let s = &st[0];
    assert_eq!(s["source"], "ana-lima");
    assert_eq!(s["source_text"], "she");
    assert_eq!(s["cue"], "said");
    assert_eq!(s["kind"], "direct");
    assert_eq!(s["sentences"], serde_json::json!([1, 2]));
    let content: Vec<String> = s["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| text_of(text, c))
        .collect();
    // The quotation marks are part of the content, as the head tags them.
    assert_eq!(
        content,
        [
            "“Peru has broken every promise it made on the border,”",
            "“We will not accept it.”"
        ]
    );
    let she = &actor(&a, "ana-lima")["mentions"][1];
    assert_eq!(
        (she["text"].as_str(), she["via"].as_str()),
        (Some("she"), Some("coreference"))
    );
    // The quote names Peru, not its speaker: the stance is hers, and her country's.
    assert!(toward(&a, "ana-lima", "PER") < -0.3);
    assert!(toward(&a, "CHL", "PER") < -0.3);
}

#[test]
fn a_pronoun_subject_is_the_leader_named_in_the_sentence_before() {
    let a = analyze(
        "Peruvian President Luis Quispe addressed parliament on Tuesday. \
         He accused Chile of stealing water from the Lauca river.",
    );
    assert_eq!(a["statements"][0]["source"], "luis-quispe");
    assert_eq!(a["statements"][0]["cue"], "accused");
    assert!(toward(&a, "luis-quispe", "CHL") < -0.3);
    assert!(toward(&a, "PER", "CHL") < -0.3);
}

#[test]
fn the_schema_holds_statements_and_vias() {
    let a = analyze("Ana Lima, who leads the Chilean delegation, said Peru had acted in bad faith.");
    assert_valid(&schema(), &a);
    assert_eq!(a["statements"][0]["source"], "ana-lima");
}
