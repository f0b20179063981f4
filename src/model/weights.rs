//! Reading and writing weights. Loading is strict: every variable of the model must be
//! found with its exact shape (rust-bert's `load_partial` would silently leave some untrained).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tch::{nn::VarStore, Kind, Tensor};

use crate::error::{Error, Result};

/// The weights file of a model folder, in order of preference.
pub fn weights_file(dir: &Path) -> Result<PathBuf> {
    ["model.safetensors", "rust_model.ot", "model.ot"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists())
        .ok_or_else(|| Error::model(dir, "no model.safetensors, rust_model.ot or model.ot"))
}

pub fn read(path: &Path) -> Result<Vec<(String, Tensor)>> {
    let tensors = if path.extension().is_some_and(|e| e == "safetensors") {
        Tensor::read_safetensors(path)
    } else {
        Tensor::load_multi(path)
    };
    tensors.map_err(|e| Error::model(path, e.to_string()))
}

/// Maps a checkpoint key to our variable name: Hugging Face checkpoints may lack the encoder
/// prefix (`bert.`, `distilbert.`; sentence-transformers files do) and name the NER head `classifier`.
fn our_name(key: &str, prefix: &str) -> Option<String> {
    let key = key.strip_prefix("model.").unwrap_or(key);
    if key.ends_with("position_ids") || key.contains("pooler.") || key.starts_with("cls.") || key.starts_with("vocab_")
    {
        return None;
    }
    if key.starts_with("embeddings.") || key.starts_with("encoder.") || key.starts_with("transformer.") {
        return Some(format!("{prefix}.{key}"));
    }
    if let Some(rest) = key.strip_prefix("classifier.") {
        return Some(format!("ner.classifier.{rest}"));
    }
    Some(key.to_string())
}

/// A teacher's weight name as its student's ([`crate::model::StanceModel::student`]): the
/// encoder layer `layers[i]` becomes layer `i`, the layers left out are dropped, and every
/// other weight (embeddings, heads) keeps its name.
pub fn student_key(key: &str, layers: &[usize]) -> Option<String> {
    let Some(at) = key.find("encoder.layer.") else {
        return Some(key.to_string());
    };
    let (head, rest) = key.split_at(at + "encoder.layer.".len());
    let (number, tail) = rest.split_once('.')?;
    let teacher_layer: usize = number.parse().ok()?;
    let i = layers.iter().position(|&l| l == teacher_layer)?;
    Some(format!("{head}{i}.{tail}"))
}

/// Copies `tensors` into `vs`. Variables for which `fresh` is true may be absent (new heads);
/// any other absent or mis-shaped variable is an error naming them all.
pub fn assign(
    vs: &mut VarStore,
    tensors: Vec<(String, Tensor)>,
    source: &Path,
    prefix: &str,
    fresh: impl Fn(&str) -> bool,
) -> Result<()> {
    let found: HashMap<String, Tensor> = tensors
        .into_iter()
        .filter_map(|(k, t)| our_name(&k, prefix).map(|n| (n, t)))
        .collect();
    let mut problems = Vec::new();
    let mut used = 0usize;
    tch::no_grad(|| {
        for (name, mut var) in vs.variables() {
            match found.get(&name) {
                Some(t) if t.size() == var.size() => {
                    var.copy_(&t.to_kind(var.kind()));
                    used += 1;
                }
                Some(t) => problems.push(format!(
                    "{name}: shape {:?} in file, {:?} in model",
                    t.size(),
                    var.size()
                )),
                None if fresh(&name) => {}
                None => problems.push(format!("{name}: missing")),
            }
        }
    });
    if !problems.is_empty() {
        problems.sort();
        let shown = problems.iter().take(8).cloned().collect::<Vec<_>>().join("; ");
        return Err(Error::model(
            source,
            format!("{} weight problem(s): {shown}", problems.len()),
        ));
    }
    if used == 0 {
        return Err(Error::model(source, "no weight of the file matches the model"));
    }
    tracing::debug!(used, unused = found.len() - used, "weights assigned");
    Ok(())
}

/// Saves every variable as fp16 safetensors (halves the shipped size; loading converts back).
pub fn save_half(vs: &VarStore, path: &Path) -> Result<()> {
    let mut named: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(n, t)| (n, t.to_kind(Kind::Half)))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Tensor::write_safetensors(&named, path).map_err(|e| Error::model(path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{our_name, student_key};

    #[test]
    fn a_student_renumbers_the_layers_it_keeps_and_drops_the_others() {
        let layers = [1, 3, 5];
        assert_eq!(
            student_key("bert.encoder.layer.3.attention.self.query.weight", &layers).as_deref(),
            Some("bert.encoder.layer.1.attention.self.query.weight")
        );
        assert_eq!(
            student_key("bert.encoder.layer.5.output.dense.bias", &layers).as_deref(),
            Some("bert.encoder.layer.2.output.dense.bias")
        );
        assert_eq!(student_key("bert.encoder.layer.0.output.dense.bias", &layers), None);
        assert_eq!(student_key("bert.encoder.layer.4.output.dense.bias", &layers), None);
        assert_eq!(
            student_key("bert.embeddings.word_embeddings.weight", &layers).as_deref(),
            Some("bert.embeddings.word_embeddings.weight")
        );
        assert_eq!(student_key("dsa.weight", &layers).as_deref(), Some("dsa.weight"));
    }

    #[test]
    fn checkpoint_keys_map_to_our_variables() {
        assert_eq!(
            our_name("embeddings.word_embeddings.weight", "bert").as_deref(),
            Some("bert.embeddings.word_embeddings.weight")
        );
        assert_eq!(
            our_name("bert.encoder.layer.0.output.dense.bias", "bert").as_deref(),
            Some("bert.encoder.layer.0.output.dense.bias")
        );
        assert_eq!(
            our_name("transformer.layer.0.ffn.lin1.weight", "distilbert").as_deref(),
            Some("distilbert.transformer.layer.0.ffn.lin1.weight")
        );
        assert_eq!(
            our_name("classifier.weight", "bert").as_deref(),
            Some("ner.classifier.weight")
        );
        assert_eq!(our_name("tsc.weight", "bert").as_deref(), Some("tsc.weight"));
        assert_eq!(our_name("embeddings.position_ids", "bert"), None);
        assert_eq!(our_name("pooler.dense.weight", "bert"), None);
    }
}
