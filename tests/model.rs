//! Model folders: ours round-trips; a plain Hugging Face token classifier loads for NER;
//! a missing or mis-shaped tensor is a loud error, never a silently untrained model.

mod common;

use actorstance::model::StanceModel;
use common::*;
use tch::Tensor;

fn rewrite(path: &std::path::Path, f: impl Fn(Vec<(String, Tensor)>) -> Vec<(String, Tensor)>) {
    let tensors = f(Tensor::read_safetensors(path).unwrap());
    Tensor::write_safetensors(&tensors, path).unwrap();
}

#[test]
fn a_missing_tensor_fails_loading_and_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tiny_model(tmp.path(), true, 4);
    rewrite(&dir.join("model.safetensors"), |t| {
        t.into_iter().filter(|(n, _)| n != "dsa.weight").collect()
    });
    let err = StanceModel::load(&dir).err().expect("must fail").to_string();
    assert!(err.contains("dsa.weight: missing"), "{err}");
}

#[test]
fn a_mis_shaped_tensor_fails_loading() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tiny_model(tmp.path(), true, 4);
    rewrite(&dir.join("model.safetensors"), |t| {
        t.into_iter()
            .map(|(n, x)| {
                if n == "tsc.bias" {
                    (n, Tensor::zeros([7], (tch::Kind::Float, tch::Device::Cpu)))
                } else {
                    (n, x)
                }
            })
            .collect()
    });
    let err = StanceModel::load(&dir).err().expect("must fail").to_string();
    assert!(err.contains("tsc.bias: shape [7] in file, [3] in model"), "{err}");
}

#[test]
fn saved_model_reloads_with_identical_weights() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tiny_model(tmp.path(), true, 4);
    let a = StanceModel::load(&dir).unwrap();
    a.save(&tmp.path().join("again")).unwrap();
    let b = StanceModel::load(&tmp.path().join("again")).unwrap();
    let (va, vb) = (a.vs.variables(), b.vs.variables());
    assert_eq!(va.len(), vb.len());
    for (name, t) in &va {
        assert!(t.equal(&vb[name]), "{name} differs");
    }
    assert_eq!(a.heads, b.heads);
}

/// Turns one of our NER-only folders into a Hugging Face token-classification folder:
/// id2label in config.json, the head named `classifier`, no heads.json.
fn as_hugging_face(ours: &std::path::Path, hf: &std::path::Path) {
    as_hugging_face_with_labels(ours, hf, &NER_LABELS);
}

/// The same, with the given labels in id2label.
fn as_hugging_face_with_labels(ours: &std::path::Path, hf: &std::path::Path, labels: &[&str]) {
    std::fs::create_dir_all(hf).unwrap();
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ours.join("config.json")).unwrap()).unwrap();
    config["id2label"] = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), serde_json::Value::from(*l)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    config["label2id"] = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.to_string(), serde_json::Value::from(i)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    std::fs::write(hf.join("config.json"), config.to_string()).unwrap();
    std::fs::copy(ours.join("tokenizer.json"), hf.join("tokenizer.json")).unwrap();
    let tensors: Vec<(String, Tensor)> = Tensor::read_safetensors(ours.join("model.safetensors"))
        .unwrap()
        .into_iter()
        .map(|(n, t)| (n.replace("ner.classifier.", "classifier."), t))
        .collect();
    Tensor::write_safetensors(&tensors, hf.join("model.safetensors")).unwrap();
}

fn analyze_one(model: &std::path::Path, text: &str) -> serde_json::Value {
    let mut cmd = bin();
    cmd.args(["analyze", "--model"]).arg(model);
    lines(&with_stdin(
        cmd,
        serde_json::json!({"id": "x", "text": text}).to_string().as_bytes(),
    ))
    .remove(0)
}

#[test]
fn a_hugging_face_bert_token_classifier_loads_for_ner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let hf = tmp.path().join("hf");
    as_hugging_face(&tiny_model(&tmp.path().join("ours"), false, 0), &hf);
    let m = StanceModel::load(&hf).unwrap();
    assert_eq!(m.heads.ner_labels, NER_LABELS);
    assert!(!m.heads.has_stance());
    let got = analyze_one(&hf, "Moscow condemned Baku.");
    assert_eq!(got["status"], "ok");
    assert!(got["actors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["toward"].as_array().unwrap().is_empty()));
}

#[test]
fn an_ontonotes_label_set_is_mapped_to_conll_types_and_an_unknown_type_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ours = tiny_model(&tmp.path().join("ours"), false, 0);
    let onto = [
        "O", "B-PERSON", "I-PERSON", "B-ORG", "I-ORG", "B-GPE", "I-GPE", "B-DATE", "I-DATE",
    ];
    let hf = tmp.path().join("onto");
    as_hugging_face_with_labels(&ours, &hf, &onto);
    let m = StanceModel::load(&hf).unwrap();
    assert_eq!(
        m.heads.ner_labels,
        ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]
    );
    let mut odd = onto;
    odd[7] = "B-ANIMAL";
    let bad = tmp.path().join("odd");
    as_hugging_face_with_labels(&ours, &bad, &odd);
    let err = StanceModel::load(&bad).err().expect("must fail").to_string();
    assert!(err.contains("\"B-ANIMAL\", whose entity type we cannot map"), "{err}");
}

#[test]
fn a_hugging_face_distilbert_token_classifier_loads_for_ner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let hf = tmp.path().join("hf");
    let ours = tiny_distilbert(&tmp.path().join("ours"), false);
    let names: Vec<String> = Tensor::read_safetensors(ours.join("model.safetensors"))
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("distilbert.transformer.layer.1.")),
        "{names:?}"
    );
    as_hugging_face(&ours, &hf);
    let m = StanceModel::load(&hf).unwrap();
    assert_eq!(m.hidden_size(), 32);
    assert_eq!(analyze_one(&hf, "Kyiv welcomed the envoy.")["status"], "ok");
}

#[test]
fn a_mirrored_directed_head_reads_a_pair_and_its_swap_as_mirror_images() {
    let tmp = tempfile::tempdir().unwrap();
    let mut m = StanceModel::load(&tiny_model(tmp.path(), true, 4)).unwrap();
    m.heads.dsa_mirrored = true;
    let h = m.hidden_size();
    tch::manual_seed(7);
    let (cls, p, q) = (
        Tensor::randn([3, h], FLOAT),
        Tensor::randn([3, h], FLOAT),
        Tensor::randn([3, h], FLOAT),
    );
    let forward = m.dsa_logits(&cls, &p, &q, false).unwrap();
    let swapped = m.dsa_logits(&cls, &q, &p, false).unwrap();
    // neutral stays; "p toward q" of one order is "q toward p" of the other.
    let back = Tensor::from_slice(&[0i64, 2, 1, 4, 3]);
    assert!(forward.allclose(&swapped.index_select(1, &back), 1e-5, 1e-6, false));
    m.heads.dsa_mirrored = false;
    let plain = m.dsa_logits(&cls, &p, &q, false).unwrap();
    assert!(
        !plain.allclose(&forward, 1e-5, 1e-6, false),
        "the plain head reads one order only"
    );
}

const FLOAT: (tch::Kind, tch::Device) = (tch::Kind::Float, tch::Device::Cpu);

fn bundled_model() -> StanceModel {
    StanceModel::load(&bundled_model_dir()).unwrap()
}

#[test]
fn the_bf16_encoder_stays_close_to_fp32_and_hands_the_heads_fp32_states() {
    use actorstance::encode::encode_sentences;
    use actorstance::model::Precision;
    let text = "The ministry summoned the ambassador on Monday after police in the capital detained two journalists.";
    let mut m = bundled_model();
    let pieces = m.tokenizer.sentence(text).unwrap();
    let fp32 = encode_sentences(&m, &[&pieces], 1024).unwrap().remove(0).unwrap();
    m.set_precision(Precision::Bf16);
    assert_eq!(m.precision(), Precision::Bf16);
    let bf16 = encode_sentences(&m, &[&pieces], 1024).unwrap().remove(0).unwrap();
    assert_eq!(bf16.pieces.kind(), tch::Kind::Float);
    assert_eq!(bf16.pieces.size(), fp32.pieces.size());
    let cos = tch::Tensor::cosine_similarity(&fp32.pieces, &bf16.pieces, -1, 1e-8);
    let worst = cos.min().double_value(&[]);
    assert!(worst > 0.99, "lowest per-piece cosine {worst}");
    // The heads keep fp32 weights, so their predictions come from fp32 arithmetic.
    let vars = m.vs.variables();
    assert_eq!(vars["ner.classifier.weight"].kind(), tch::Kind::Float);
    assert_eq!(
        vars["bert.encoder.layer.0.output.dense.weight"].kind(),
        tch::Kind::BFloat16
    );
}

#[test]
fn int8_is_refused_with_the_reason() {
    let out = with_stdin(
        {
            let mut c = bin();
            c.args(["analyze", "--precision", "int8"]);
            c
        },
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("int8 is not offered"), "{err}");
}
