//! CI's smoke test of training: a few steps on a tiny subset of ../shared/data from the real
//! base encoder; the loss goes down, the saved model reloads and evaluates.

mod common;

use std::path::Path;

use common::*;

/// Runs `actorstance train ARGS --data ../shared/data -o OUT` and requires it to succeed.
fn train(args: &[&str], model: &Path, shared: &Path, out: &Path) {
    let run = bin()
        .arg("train")
        .args(args)
        .arg(model)
        .arg("--data")
        .arg(shared.join("data"))
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn a_few_steps_lower_the_loss_and_the_model_reloads() {
    let Some(shared) = shared() else { return };
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/base-model");
    if !base.join("model.safetensors").exists() {
        common::skip("the base model is absent (scripts/setup installs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    train(
        &[
            "--epochs",
            "3",
            "--limit",
            "16",
            "--max-steps",
            "8",
            "--dev-limit",
            "8",
            "--batch-size",
            "16",
            "--lr",
            "2e-4",
            "--lr-ner",
            "3e-4",
            "--base",
        ],
        &base,
        &shared,
        &out,
    );
    let log = std::fs::read_to_string(out.join("train-log.jsonl")).unwrap();
    let epochs: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(epochs.len(), 3);
    let loss = |e: &serde_json::Value| {
        e["mean_loss"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum::<f64>()
    };
    assert!(loss(&epochs[2]) < loss(&epochs[0]), "loss did not go down: {log}");
    for f in [
        "config.json",
        "heads.json",
        "tokenizer.json",
        "model.safetensors",
        "metrics.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics["config"]["task_lr"], serde_json::json!({"ner": 3e-4}));
    let heads: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("heads.json")).unwrap()).unwrap();
    assert_eq!(
        heads["dsa_mirrored"], true,
        "DSA pairs are trained in both orders by default"
    );
    let gold = tmp.path().join("gold.txt");
    std::fs::write(
        &gold,
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\ncall NN I-NP O\n",
    )
    .unwrap();
    let eval = bin()
        .args(["eval", "ner", "--gold"])
        .arg(&gold)
        .arg("--model")
        .arg(&out)
        .output()
        .unwrap();
    assert!(eval.status.success(), "{}", String::from_utf8_lossy(&eval.stderr));
    let report: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(
        (report["task"].as_str(), report["n_sentences"].as_u64()),
        (Some("ner"), Some(1))
    );
    assert!(report["per_type"].is_object());
}

/// A model folder's weights by name.
fn weights(dir: &Path) -> std::collections::BTreeMap<String, tch::Tensor> {
    tch::Tensor::read_safetensors(dir.join("model.safetensors"))
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn a_frozen_encoder_leaves_the_encoder_weights_as_they_were_and_moves_the_heads() {
    let Some(shared) = shared() else { return };
    let init = bundled_model_dir();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    train(
        &[
            "--freeze-encoder",
            "--epochs",
            "1",
            // Enough CoNLL sentences to hold every tag the model has (the labels must match).
            "--limit",
            "300",
            "--max-steps",
            "6",
            "--dev-limit",
            "8",
            "--lr",
            "1e-2",
            "--init",
        ],
        &init,
        &shared,
        &out,
    );
    let (before, after) = (weights(&init), weights(&out));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    // A BTreeMap iterates in name order, so `moved` comes out sorted.
    let moved: Vec<&str> = before
        .iter()
        .filter(|(name, w)| !w.equal(&after[*name]))
        .map(|(name, _)| name.as_str())
        .collect();
    // Six steps of a random mix of tasks touch at least one head; the encoder never moves.
    assert!(!moved.is_empty(), "no weight moved");
    assert!(
        moved
            .iter()
            .all(|n| n.starts_with("ner.") || n.starts_with("tsc.") || n.starts_with("dsa.")),
        "{moved:?}"
    );
}

#[test]
fn a_distilled_student_keeps_the_teachers_chosen_layers_and_trains_toward_its_states() {
    let Some(shared) = shared() else { return };
    let teacher = bundled_model_dir();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("student");
    train(
        &[
            "--student-layers",
            "1,3,5",
            "--epochs",
            "1",
            "--limit",
            "300",
            "--max-steps",
            "4",
            "--dev-limit",
            "8",
            "--tasks",
            "ner,tsc",
            "--distill-soft-weight",
            "1",
            "--distill-from",
        ],
        &teacher,
        &shared,
        &out,
    );
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["num_hidden_layers"], 3);
    let (t, s) = (weights(&teacher), weights(&out));
    let layers: std::collections::BTreeSet<&str> = s
        .keys()
        .filter_map(|k| k.strip_prefix("bert.encoder.layer.")?.split('.').next())
        .collect();
    assert_eq!(layers.into_iter().collect::<Vec<_>>(), ["0", "1", "2"]);
    // Every student weight has the shape of the teacher's weight it began as (student layer i
    // from teacher layer [1, 3, 5][i]).
    let teacher_name = |name: &str| match name.strip_prefix("bert.encoder.layer.") {
        Some(rest) => {
            let (i, tail) = rest.split_once('.').unwrap();
            format!("bert.encoder.layer.{}.{tail}", [1, 3, 5][i.parse::<usize>().unwrap()])
        }
        None => name.to_string(),
    };
    for (name, w) in &s {
        assert_eq!(w.size(), t[&teacher_name(name)].size(), "{name}");
    }
    // The heads it did not train (the directed head) are the teacher's, bit for bit.
    assert!(s["dsa.weight"].equal(&t["dsa.weight"]));
    // The log has the states' distance and the soft labels' divergence beside the gold losses
    // (a divergence is never negative; zero only if the student already answered as the
    // teacher, which three of its six layers cannot).
    let log = std::fs::read_to_string(out.join("train-log.jsonl")).unwrap();
    let epoch: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert!(epoch["mean_loss"]["distill"].as_f64().unwrap() > 0.0, "{epoch}");
    assert!(epoch["mean_loss"]["distill_soft"].as_f64().unwrap() > 0.0, "{epoch}");
    assert!(out.join("attribution.safetensors").exists());
}

#[test]
fn a_student_continues_on_the_transfer_set_with_the_teachers_soft_labels_alone() {
    let Some(shared) = shared() else { return };
    let teacher = bundled_model_dir();
    let tmp = tempfile::tempdir().unwrap();
    let (student, out) = (tmp.path().join("student"), tmp.path().join("continued"));
    let small = [
        "--epochs",
        "1",
        "--limit",
        "200",
        "--max-steps",
        "3",
        "--dev-limit",
        "8",
    ];
    let args = |more: &[&'static str]| [&small[..], more].concat();
    train(
        &args(&[
            "--tasks",
            "tsc",
            "--student-layers",
            "1,3,5",
            "--distill-soft-weight",
            "1",
            "--distill-from",
        ]),
        &teacher,
        &shared,
        &student,
    );
    // Without a teacher the transfer task has nothing to learn from: a clear error, no model.
    let lone = bin()
        .arg("train")
        .args(args(&["--tasks", "transfer", "--init"]))
        .arg(&student)
        .arg("--data")
        .arg(shared.join("data"))
        .arg("-o")
        .arg(tmp.path().join("lone"))
        .output()
        .unwrap();
    assert!(!lone.status.success());
    let stderr = String::from_utf8_lossy(&lone.stderr);
    assert!(stderr.contains("the transfer task has no gold labels"), "{stderr}");
    assert!(!tmp.path().join("lone").join("model.safetensors").exists());

    let mut run = args(&["--tasks", "transfer", "--distill-soft-weight", "1", "--init"]);
    run.push(student.to_str().unwrap());
    run.push("--distill-from");
    train(&run, &teacher, &shared, &out);
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["num_hidden_layers"], 3, "the student stays the student");
    let log = std::fs::read_to_string(out.join("train-log.jsonl")).unwrap();
    let epoch: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    let losses: Vec<&str> = epoch["mean_loss"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(losses, ["distill", "transfer"], "no gold loss: {epoch}");
    assert!(epoch["mean_loss"]["transfer"].as_f64().unwrap() > 0.0, "{epoch}");
    let (before, after) = (weights(&student), weights(&out));
    assert!(
        !after["tsc.weight"].equal(&before["tsc.weight"]),
        "the sentiment head learns"
    );
    assert!(
        after["dsa.weight"].equal(&before["dsa.weight"]),
        "the directed head is not trained"
    );
}
