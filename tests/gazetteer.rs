//! `--gazetteer` with a real PETRARCH dictionary (../shared/data/petrarch2) and the bundled
//! model: CAMEO codes by the article's date, and the affiliations they imply.

mod common;

use common::*;

fn analyze(dict: &std::path::Path, record: serde_json::Value) -> serde_json::Value {
    let mut cmd = bin();
    cmd.args(["analyze", "--gazetteer"]).arg(dict);
    let out = with_stdin(cmd, record.to_string().as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    lines(&out).remove(0)
}

#[test]
fn petrarch_codes_follow_the_article_date() {
    let Some(shared) = shared() else { return };
    let dict = shared.join("data/petrarch2/Phoenix.Countries.actors.txt");
    let text = "Ilham Aliyev met Vladimir Putin in Sochi on Monday.";
    let now = analyze(
        &dict,
        serde_json::json!({"id": "a", "date": "2025-06-30", "text": text}),
    );
    let actor = |v: &serde_json::Value, name: &str| {
        v["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {v}"))
    };
    let aliyev = actor(&now, "Ilham Aliyev");
    assert_eq!(
        (
            aliyev["id"].as_str(),
            aliyev["cameo"].as_str(),
            aliyev["affiliation"].as_str()
        ),
        (Some("AZEGOV"), Some("AZEGOV"), Some("AZE"))
    );
    let putin = actor(&now, "Vladimir Putin");
    assert_eq!(putin["affiliation"], "RUS");
    // Before August 2003 the dictionary has Aliyev as an elite member, not the government.
    let then = analyze(
        &dict,
        serde_json::json!({"id": "b", "date": "1999-05-01", "text": text}),
    );
    assert_eq!(actor(&then, "Ilham Aliyev")["cameo"], "AZEELI");
}
