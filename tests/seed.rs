//! Acceptance on the reference article (`../shared/seed/clash-report.txt`, read by path) with
//! the bundled model: who is who, and who stands where toward whom, with evidence.

mod common;

use common::*;

fn seed_output() -> Option<(String, serde_json::Value)> {
    let shared = shared()?;
    // The model ships with the repository: its absence is a failure, not a skip.
    let model = bundled_model_dir();
    let path = shared.join("seed/clash-report.txt");
    let out = bin()
        .args(["analyze", "--model"])
        .arg(&model)
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some((std::fs::read_to_string(&path).unwrap(), lines(&out).remove(0)))
}

/// Names under a country: its own mentions and the names of actors affiliated to it.
fn members(article: &serde_json::Value, id: &str) -> Vec<String> {
    let mut names: Vec<String> = actor(article, id)["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    for a in article["actors"].as_array().unwrap() {
        if a["affiliation"] == id {
            names.push(a["name"].as_str().unwrap().to_string());
        }
    }
    names
}

fn toward<'a>(article: &'a serde_json::Value, from: &str, to: &str) -> &'a serde_json::Value {
    actor(article, from)["toward"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == to)
        .unwrap_or_else(|| panic!("no {from} → {to}"))
}

#[test]
fn the_reference_article_resolves_its_actors() {
    let Some((text, article)) = seed_output() else {
        return;
    };
    assert_offsets(&text, &article);
    assert_valid(&schema(), &article);
    let aze = members(&article, "AZE");
    for name in ["Baku", "Aliyev", "Culture Ministry"] {
        assert!(aze.iter().any(|n| n.contains(name)), "{name} not under AZE: {aze:?}");
    }
    let rus = members(&article, "RUS");
    for name in ["Moscow", "Kremlin", "Zakharova", "Overchuk"] {
        assert!(rus.iter().any(|n| n.contains(name)), "{name} not under RUS: {rus:?}");
    }
    // The page furniture at the end is not part of the article.
    let last = article["sentences"].as_array().unwrap().last().unwrap()["end"]
        .as_u64()
        .unwrap() as usize;
    assert!(!text.chars().take(last).collect::<String>().contains("Asia-Pasific"));
}

#[test]
fn azerbaijan_and_russia_are_hostile_to_each_other_and_baku_friendly_to_kyiv() {
    let Some((_, article)) = seed_output() else {
        return;
    };
    for (from, to) in [("AZE", "RUS"), ("RUS", "AZE")] {
        let t = toward(&article, from, to);
        assert!(t["score"].as_f64().unwrap() <= -0.3, "{from} → {to}: {t}");
        assert!(t["evidence"].as_array().unwrap().len() >= 2, "{from} → {to}: {t}");
    }
    let t = toward(&article, "AZE", "UKR");
    assert!(t["score"].as_f64().unwrap() > 0.0, "AZE → UKR: {t}");
}
