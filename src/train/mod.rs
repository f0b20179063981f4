//! Multi-task fine-tuning: one encoder, NER + target sentiment + directed stance heads,
//! batches of the three tasks interleaved at random (seeded). Each epoch ends with dev
//! metrics and a checkpoint, so a stopped run resumes at the next epoch.

pub mod attribution;
pub mod batches;

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;
use tch::nn::OptimizerConfig;
use tch::{nn, Reduction, Tensor};

use crate::data::{conll, dsa, newsmtsc};
use crate::error::{Error, Result};
use crate::eval;
use crate::model::{span_means, HeadsConfig, StanceModel};
use batches::Batch;
pub use batches::Task;

/// The gold files training reads.
#[derive(Debug, Clone, Serialize)]
pub struct DataFiles {
    pub ner_train: PathBuf,
    pub ner_dev: PathBuf,
    pub tsc_train: PathBuf,
    pub tsc_dev: Vec<PathBuf>,
    pub dsa_train: PathBuf,
    pub dsa_dev: PathBuf,
}

impl DataFiles {
    /// The files of a folder laid out like `../shared/data`.
    pub fn in_folder(d: &Path) -> Self {
        DataFiles {
            ner_train: d.join("conll2003/iob2/train.txt"),
            ner_dev: d.join("conll2003/iob2/dev.txt"),
            tsc_train: d.join("newsmtsc/train.jsonl"),
            tsc_dev: vec![
                d.join("newsmtsc/newsmtsc-rw/dev.jsonl"),
                d.join("newsmtsc/newsmtsc-mt/dev.jsonl"),
            ],
            dsa_train: d.join("dsa/train.txt"),
            dsa_dev: d.join("dsa/valid.txt"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainConfig {
    pub base: PathBuf,
    /// Start from this model folder (ours) instead of the base encoder with new heads.
    pub init: Option<PathBuf>,
    pub out: PathBuf,
    #[serde(flatten)]
    pub data: DataFiles,
    pub epochs: usize,
    pub lr: f64,
    /// Peak learning rate per task, where it differs from `lr` (steps of that task use it).
    pub task_lr: std::collections::BTreeMap<String, f64>,
    /// Also train each DSA pair mirrored (p and q swapped, label mirrored).
    pub dsa_mirror: bool,
    pub batch_size: usize,
    pub max_len: usize,
    pub shape_dim: i64,
    pub seed: u64,
    /// Use at most this many training examples per task (smoke tests).
    pub limit: Option<usize>,
    /// Stop each epoch after this many steps (smoke tests).
    pub max_steps: Option<usize>,
    /// Evaluate on at most this many dev examples per file (smoke tests).
    pub dev_limit: Option<usize>,
    /// The tasks trained (dev figures always cover every head, to show any forgetting).
    pub tasks: Vec<Task>,
    /// Train the heads only, on the encoder's states computed once (dropout off): a refit
    /// of the heads to the encoder as the last epoch of joint training left it.
    pub freeze_encoder: bool,
    /// Train a student of fewer layers against a teacher's states (the fast tier).
    pub distill: Option<Distillation>,
    pub name: String,
    pub version: String,
}

/// Distillation: the student is [`StanceModel::student`] of `teacher` with `layers`; a step's
/// loss is its gold loss plus `weight` × the mean squared distance, over the batch's real
/// pieces, between the student's final states and the teacher's, plus `soft_weight` × the
/// divergence of the student's head outputs from the teacher's ([`soft_label_divergence`]).
/// Matching the states serves every head at once, the attribution head too, which reads the
/// states over whole articles; matching the outputs passes on what the teacher learnt beyond
/// the one gold label (how close the other classes came).
#[derive(Debug, Clone, Serialize)]
pub struct Distillation {
    pub teacher: PathBuf,
    pub layers: Vec<usize>,
    pub weight: f64,
    pub soft_weight: f64,
}

/// The softening temperature of the teacher's and student's outputs in the soft-label term
/// (Hinton et al.'s usual 2: the runner-up classes' odds show without flattening the rest).
const SOFT_TEMPERATURE: f64 = 2.0;

/// What the teacher gives each batch, computed once: its final states (half precision) and,
/// where the soft-label term is on, its head's logits for the batch's task, without dropout
/// or logit adjustment.
struct TeacherOutputs {
    states: Vec<Tensor>,
    logits: Vec<Tensor>,
    weight: f64,
    soft_weight: f64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub steps: usize,
    pub mean_loss: BTreeLoss,
    pub seconds: f64,
    pub dev: serde_json::Value,
    pub selection_score: f64,
}
pub type BTreeLoss = std::collections::BTreeMap<String, f64>;

fn truncate<T>(mut v: Vec<T>, limit: Option<usize>) -> Vec<T> {
    if let Some(n) = limit {
        v.truncate(n);
    }
    v
}

/// Trains, logging one JSON line per epoch to stderr and `out/train-log.jsonl`.
/// The best epoch on dev (mean of the trained tasks' NER F1, TSC macro F1s, DSA macro F1) is
/// left in `out`.
pub fn train(cfg: &TrainConfig) -> Result<Vec<EpochReport>> {
    // Checked before any data is read or model loaded.
    if cfg.tasks.contains(&Task::Transfer) && !cfg.distill.as_ref().is_some_and(|d| d.soft_weight > 0.0) {
        return Err(Error::TrainSetup(
            "the transfer task has no gold labels: it needs a teacher's soft labels (--distill-from, --distill-soft-weight above 0)",
        ));
    }
    tch::manual_seed(cfg.seed as i64);
    let ner = truncate(conll::read(&cfg.data.ner_train)?, cfg.limit);
    let tsc = truncate(newsmtsc::read(&cfg.data.tsc_train)?, cfg.limit);
    let pairs = truncate(dsa::read(&cfg.data.dsa_train)?, cfg.limit);
    let mut labels: Vec<String> = vec!["O".into()];
    for s in &ner {
        for t in conll::to_bio(&s.tags) {
            if !labels.contains(&t) {
                labels.push(t);
            }
        }
    }
    labels[1..].sort_by(|a, b| (&a[2..], a).cmp(&(&b[2..], b)));
    let heads = HeadsConfig::new(&cfg.name, &cfg.version, labels, cfg.shape_dim);
    let ckpt = cfg.out.with_extension("checkpoint");
    let log_path = ckpt.join("train-log.jsonl");
    let mut reports: Vec<EpochReport> = std::fs::read_to_string(&log_path)
        .map(|t| t.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
        .unwrap_or_default();
    let mut model = if !reports.is_empty() {
        tracing::info!(epochs_done = reports.len(), "resuming from {}", ckpt.display());
        StanceModel::load(&ckpt.join("last"))?
    } else if let Some(start) = cfg.init.as_ref().or(cfg.distill.as_ref().map(|d| &d.teacher)) {
        // A distillation with --init continues a student made earlier (its layers fixed then).
        let mut m = match (&cfg.distill, &cfg.init) {
            (Some(d), None) => StanceModel::student(&d.teacher, &d.layers)?,
            _ => StanceModel::load(start)?,
        };
        if m.heads.ner_labels != heads.ner_labels {
            return Err(Error::model(start, "its NER labels differ from the training data's"));
        }
        // Continue training from raw logits: a stored adjustment is re-chosen by `calibrate`.
        m.heads.dsa_logit_adjustment.clear();
        m.heads.name = cfg.name.clone();
        m.heads.version = cfg.version.clone();
        m
    } else {
        StanceModel::from_base(&cfg.base, heads)?
    };

    if cfg.tasks.contains(&Task::Dsa) {
        model.heads.dsa_mirrored = cfg.dsa_mirror;
    }
    let tok = &model.tokenizer;
    let mut all = Vec::new();
    if cfg.tasks.contains(&Task::Ner) {
        all.extend(batches::ner_batches(
            tok,
            &ner,
            &model.heads.ner_labels,
            cfg.batch_size,
            cfg.max_len,
            cfg.seed,
        )?);
    }
    if cfg.tasks.contains(&Task::Tsc) {
        all.extend(batches::tsc_batches(
            tok,
            &tsc,
            cfg.batch_size / 2,
            cfg.max_len,
            cfg.seed,
        )?);
    }
    if cfg.tasks.contains(&Task::Dsa) {
        all.extend(batches::dsa_batches(
            tok,
            &pairs,
            cfg.batch_size / 2,
            cfg.max_len,
            cfg.dsa_mirror,
            cfg.seed,
        )?);
    }
    if cfg.tasks.contains(&Task::Spans) {
        all.extend(batches::entity_span_batches(
            tok,
            &pairs,
            cfg.batch_size,
            cfg.max_len,
            cfg.seed,
        )?);
    }
    if cfg.tasks.contains(&Task::Transfer) {
        all.extend(batches::transfer_batches(
            tok,
            &pairs,
            cfg.batch_size / 2,
            cfg.max_len,
            cfg.seed,
        )?);
    }
    let steps_per_epoch = cfg.max_steps.map_or(all.len(), |m| m.min(all.len()));
    let total = steps_per_epoch * cfg.epochs;
    let warmup = (total as f64 * 0.06).ceil() as usize;
    let mut opt = nn::AdamW::default().wd(0.01).build(&model.vs, cfg.lr)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(cfg.seed);
    // Batches are visited in a shuffled order of their indices: the same permutation as
    // shuffling the batches themselves, and the frozen states stay indexed by batch.
    let mut order: Vec<usize> = (0..all.len()).collect();
    for _ in 0..reports.len() {
        order.shuffle(&mut rng); // keep the batch order of an uninterrupted run
    }
    std::fs::create_dir_all(&ckpt).map_err(|e| Error::io(&ckpt, e))?;
    let frozen = if cfg.freeze_encoder && reports.len() < cfg.epochs {
        tracing::info!(batches = all.len(), "encoding every batch once (frozen encoder)");
        Some(frozen_states(&model, &all)?)
    } else {
        None
    };
    let teacher = match &cfg.distill {
        Some(d) if reports.len() < cfg.epochs => {
            tracing::info!(batches = all.len(), "the teacher encoding every batch once");
            let mut t = StanceModel::load(&d.teacher)?;
            // Soft targets are the raw logits, as the student's are during training.
            t.heads.dsa_logit_adjustment.clear();
            let states = frozen_states(&t, &all)?;
            let logits = if d.soft_weight > 0.0 {
                tch::no_grad(|| {
                    all.iter()
                        .zip(&states)
                        .map(|(b, h)| head_logits(&t, b, &h.to_kind(tch::Kind::Float), false))
                        .collect::<Result<Vec<_>>>()
                })?
            } else {
                Vec::new() // the soft term is off: no step reads them
            };
            Some(TeacherOutputs {
                states,
                logits,
                weight: d.weight,
                soft_weight: d.soft_weight,
            })
        }
        _ => None,
    };

    for epoch in reports.len() + 1..=cfg.epochs {
        let t0 = std::time::Instant::now();
        order.shuffle(&mut rng);
        let mut sums: BTreeLoss = Default::default();
        let mut counts: BTreeLoss = Default::default();
        for (i, &b) in order.iter().take(steps_per_epoch).enumerate() {
            let batch = &all[b];
            let step = (epoch - 1) * steps_per_epoch + i;
            let peak = cfg.task_lr.get(batch.task.head().name()).copied().unwrap_or(cfg.lr);
            let lr = if step < warmup {
                peak * (step + 1) as f64 / warmup as f64
            } else {
                peak * (total - step) as f64 / (total - warmup).max(1) as f64
            };
            opt.set_lr(lr);
            let hidden = match &frozen {
                Some(states) => states[b].to_kind(tch::Kind::Float),
                None => model.encode(&batch.ids, &batch.mask, true)?,
            };
            let logits = head_logits(&model, batch, &hidden, true)?;
            let mut add = |name: &str, value: &Tensor| {
                *sums.entry(name.into()).or_default() += value.double_value(&[]);
                *counts.entry(name.into()).or_default() += 1.0;
            };
            let mut loss = match gold_loss(&model, batch, &logits) {
                Some(gold) => {
                    add(batch.task.name(), &gold);
                    gold
                }
                None => Tensor::zeros([], (tch::Kind::Float, tch::Device::Cpu)),
            };
            if let Some(t) = &teacher {
                let distance = states_distance(&hidden, &t.states[b], &batch.mask);
                add("distill", &distance);
                loss += distance * t.weight;
                if t.soft_weight > 0.0 {
                    let soft = soft_label_divergence(&logits, &t.logits[b], batch);
                    add(
                        if batch.task == Task::Transfer {
                            "transfer"
                        } else {
                            "distill_soft"
                        },
                        &soft,
                    );
                    loss += soft * t.soft_weight;
                }
            }
            opt.backward_step_clip_norm(&loss, 1.0);
            if (i + 1) % 200 == 0 {
                tracing::info!(epoch, step = i + 1, of = steps_per_epoch, lr, "training");
            }
        }
        let mean_loss = sums.iter().map(|(k, v)| (k.clone(), v / counts[k])).collect();
        let (dev, score) = evaluate_dev(&model, cfg)?;
        let report = EpochReport {
            epoch,
            steps: steps_per_epoch,
            mean_loss,
            seconds: t0.elapsed().as_secs_f64(),
            dev,
            selection_score: score,
        };
        let line = serde_json::to_string(&report)?;
        eprintln!("{line}");
        model.save(&ckpt.join("last"))?;
        let best = reports
            .iter()
            .map(|r| r.selection_score)
            .fold(f64::NEG_INFINITY, f64::max);
        if score > best {
            model.save(&cfg.out)?;
            write_metrics(cfg, &report, &cfg.out)?;
        }
        reports.push(report);
        let log: String = reports
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .map(|l| l + "\n")
            .collect();
        std::fs::write(&log_path, &log).map_err(|e| Error::io(&log_path, e))?;
        std::fs::write(cfg.out.join("train-log.jsonl"), &log).map_err(|e| Error::io(&cfg.out, e))?;
    }
    Ok(reports)
}

/// Every batch's encoder states, without dropout or gradient, kept in half precision
/// (about 1.5 GB for the default tasks) since they are computed once for all epochs.
fn frozen_states(model: &StanceModel, all: &[Batch]) -> Result<Vec<Tensor>> {
    tch::no_grad(|| {
        all.iter()
            .map(|b| Ok(model.encode(&b.ids, &b.mask, false)?.to_kind(tch::Kind::Half)))
            .collect()
    })
}

/// Mean over the real pieces (`mask` [B, T]) of the squared distance per state dimension
/// between `student` and `teacher` states ([B, T, H]; the teacher's may be half precision).
fn states_distance(student: &Tensor, teacher: &Tensor, mask: &Tensor) -> Tensor {
    let m = mask.to_kind(tch::Kind::Float).unsqueeze(-1);
    let d = (student - teacher.to_kind(tch::Kind::Float)).square() * &m;
    d.sum(tch::Kind::Float) / (m.sum(tch::Kind::Float) * student.size()[2] as f64).clamp_min(1.0)
}

/// The batch's head logits from its encoder states `hidden` ([B, T, H]): NER [B, T, L] for
/// the NER and span tasks, [N, 3] or [N, 5] for the span-pair tasks.
fn head_logits(model: &StanceModel, b: &Batch, hidden: &Tensor, train: bool) -> Result<Tensor> {
    Ok(match b.task {
        Task::Ner | Task::Spans => {
            let shapes = b
                .shapes
                .as_ref()
                .ok_or(Error::MissingPart("word shapes in a NER batch"))?;
            model.ner_logits(hidden, shapes, train)
        }
        Task::Tsc | Task::Transfer => {
            let t = span_means(hidden, &b.rows, &b.span_a);
            let cls = hidden.select(1, 0).index_select(0, &b.rows);
            model
                .tsc_logits(&cls, &t, train)
                .ok_or(Error::MissingPart("target-sentiment head"))?
        }
        Task::Dsa => {
            let span_b = b.span_b.as_ref().ok_or(Error::MissingPart("q spans in a DSA batch"))?;
            let p = span_means(hidden, &b.rows, &b.span_a);
            let q = span_means(hidden, &b.rows, span_b);
            let cls = hidden.select(1, 0).index_select(0, &b.rows);
            model
                .dsa_logits(&cls, &p, &q, train)
                .ok_or(Error::MissingPart("directed-stance head"))?
        }
    })
}

/// The batch's gold loss from its head logits; `None` for a task without gold labels.
fn gold_loss(model: &StanceModel, b: &Batch, logits: &Tensor) -> Option<Tensor> {
    Some(match b.task {
        Task::Transfer => return None,
        Task::Spans => partial_label_loss(logits, &b.labels, &model.heads.ner_labels),
        Task::Ner | Task::Tsc | Task::Dsa => {
            let n = *logits.size().last().unwrap_or(&1);
            logits
                .view([-1, n])
                .cross_entropy_loss::<Tensor>(&b.labels.view([-1]), None, Reduction::Mean, -100, 0.0)
        }
    })
}

/// KL(teacher ‖ student) of the head outputs softened by [`SOFT_TEMPERATURE`], times its
/// square (so the gradient keeps the gold loss's scale), averaged over the batch's rows: the
/// real pieces of a NER or span batch (every piece, not only the labelled ones, since the
/// teacher's tags are known everywhere), the spans of a pair batch.
fn soft_label_divergence(student: &Tensor, teacher: &Tensor, b: &Batch) -> Tensor {
    let n = *student.size().last().unwrap_or(&1);
    let t = SOFT_TEMPERATURE;
    let log_s = (student / t).log_softmax(-1, tch::Kind::Float).view([-1, n]);
    let log_t = (teacher.to_kind(tch::Kind::Float) / t)
        .log_softmax(-1, tch::Kind::Float)
        .view([-1, n]);
    let per_row = (log_t.exp() * (&log_t - log_s)).sum_dim_intlist([-1i64].as_slice(), false, tch::Kind::Float);
    let weights = match b.task {
        Task::Ner | Task::Spans => b.mask.to_kind(tch::Kind::Float).view([-1]),
        Task::Tsc | Task::Dsa | Task::Transfer => Tensor::ones_like(&per_row),
    };
    (per_row * &weights).sum(tch::Kind::Float) / weights.sum(tch::Kind::Float).clamp_min(1.0) * (t * t)
}

/// −log of the probability of the allowed tags: any B-X on a span's first word, any I-X on
/// its others, O on a word marked outside; words without a label do not count.
fn partial_label_loss(logits: &Tensor, labels: &Tensor, tags: &[String]) -> Tensor {
    let allowed = |prefix: &str| {
        let m: Vec<f32> = tags
            .iter()
            .map(|t| if t.starts_with(prefix) { 0.0 } else { -1e4 })
            .collect();
        Tensor::from_slice(&m)
    };
    let logp = logits.log_softmax(-1, tch::Kind::Float);
    let begin = (&logp + allowed("B-")).logsumexp([-1], false);
    let inside = (&logp + allowed("I-")).logsumexp([-1], false);
    let outside = (&logp + allowed("O")).logsumexp([-1], false);
    let ll = begin.where_self(
        &labels.eq(batches::SPAN_BEGIN),
        &inside.where_self(&labels.eq(batches::SPAN_INSIDE), &outside),
    );
    let counted = labels.ge(0).to_kind(tch::Kind::Float);
    -(ll * &counted).sum(tch::Kind::Float) / counted.sum(tch::Kind::Float).clamp_min(1.0)
}

/// Dev figures of every head (also those not trained now, to see any forgetting) and the
/// selection score: the mean over the trained tasks only (an untrained head's score drifts
/// with the encoder and must not pick the epoch).
fn evaluate_dev(model: &StanceModel, cfg: &TrainConfig) -> Result<(serde_json::Value, f64)> {
    let ner = eval::ner_on(model, &truncate(conll::read(&cfg.data.ner_dev)?, cfg.dev_limit))?;
    let mut scores = vec![(Task::Ner, ner.f1)];
    let mut dev = serde_json::json!({ "ner": ner });
    for path in &cfg.data.tsc_dev {
        let r = eval::tsc_on(model, &truncate(newsmtsc::read(path)?, cfg.dev_limit))?;
        scores.push((Task::Tsc, r.f1_macro));
        let name = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        dev[format!("tsc:{name}")] = serde_json::to_value(&r).unwrap_or_default();
    }
    let d = eval::dsa_on(model, &truncate(dsa::read(&cfg.data.dsa_dev)?, cfg.dev_limit))?;
    scores.push((Task::Dsa, d.f1_macro));
    dev["dsa"] = serde_json::to_value(&d).unwrap_or_default();
    let trained: Vec<f64> = scores
        .iter()
        .filter(|(t, _)| cfg.tasks.iter().any(|x| x.head() == *t))
        .map(|&(_, s)| s)
        .collect();
    Ok((dev, trained.iter().sum::<f64>() / trained.len().max(1) as f64))
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    std::fs::read(path)
        .map(|b| format!("{:x}", sha2::Sha256::digest(&b)))
        .unwrap_or_else(|e| format!("unreadable: {e}"))
}

fn write_metrics(cfg: &TrainConfig, best: &EpochReport, dir: &Path) -> Result<()> {
    let files: Vec<&PathBuf> = [
        &cfg.data.ner_train,
        &cfg.data.ner_dev,
        &cfg.data.tsc_train,
        &cfg.data.dsa_train,
        &cfg.data.dsa_dev,
    ]
    .into_iter()
    .chain(&cfg.data.tsc_dev)
    .collect();
    let hashes: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|p| {
            (
                p.file_name()
                    .map(|n| {
                        format!(
                            "{}/{}",
                            p.parent()
                                .and_then(|d| d.file_name())
                                .map(|d| d.to_string_lossy().to_string())
                                .unwrap_or_default(),
                            n.to_string_lossy()
                        )
                    })
                    .unwrap_or_default(),
                sha256(p).into(),
            )
        })
        .collect();
    let metrics = serde_json::json!({
        "selected_epoch": best.epoch,
        "dev": best.dev,
        "seed": cfg.seed,
        "config": cfg,
        "data_sha256": hashes,
        "command": std::env::args().collect::<Vec<_>>().join(" "),
    });
    let text = serde_json::to_string_pretty(&metrics)?;
    std::fs::write(dir.join("metrics.json"), text + "\n").map_err(|e| Error::io(dir, e))
}

#[derive(Debug, Serialize)]
pub struct Calibration {
    pub tau: f64,
    pub prior: [f64; 5],
    pub adjustment: Vec<f32>,
    pub dev_f1_macro_before: f64,
    pub dev_f1_macro_after: f64,
}

/// Logit adjustment of the directed head: prior from the training labels, τ chosen on dev.
/// Also records the result in the model folder's metrics.json when there is one.
pub fn calibrate_dsa(model: &mut StanceModel, train: &Path, dev: &Path) -> Result<Calibration> {
    let counts = dsa::read(train)?.iter().fold([0f64; 5], |mut c, e| {
        c[e.label] += 1.0;
        c
    });
    let total: f64 = counts.iter().sum::<f64>().max(1.0);
    let prior = counts.map(|c| c / total);
    model.heads.dsa_logit_adjustment.clear();
    let dev = dsa::read(dev)?;
    let probs = eval::dsa_probs(model, &dev)?;
    let gold: Vec<usize> = dev.iter().map(|e| e.label).collect();
    let labels: Vec<&str> = model.heads.dsa_labels.iter().map(String::as_str).collect();
    let before = eval::choose_logit_adjustment(&labels, &probs, &gold, &[1.0; 5]).2;
    let (tau, adjustment, after) = eval::choose_logit_adjustment(&labels, &probs, &gold, &prior);
    model.heads.dsa_logit_adjustment = adjustment.clone();
    let report = Calibration {
        tau,
        prior,
        adjustment,
        dev_f1_macro_before: before,
        dev_f1_macro_after: after,
    };
    let metrics = model.dir.join("metrics.json");
    if let Ok(text) = std::fs::read_to_string(&metrics) {
        if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) {
            v["dsa_logit_adjustment"] = serde_json::to_value(&report).unwrap_or_default();
            let text = serde_json::to_string_pretty(&v)?;
            std::fs::write(&metrics, text + "\n").map_err(|e| Error::io(&metrics, e))?;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ner_batch(mask: &[i64]) -> Batch {
        let t = mask.len() as i64;
        Batch {
            task: Task::Ner,
            ids: Tensor::zeros([1, t], (tch::Kind::Int64, tch::Device::Cpu)),
            mask: Tensor::from_slice(mask).view([1, t]),
            shapes: None,
            labels: Tensor::zeros([1, t], (tch::Kind::Int64, tch::Device::Cpu)),
            rows: Tensor::zeros([0], (tch::Kind::Int64, tch::Device::Cpu)),
            span_a: Tensor::zeros([0], (tch::Kind::Int64, tch::Device::Cpu)),
            span_b: None,
        }
    }

    #[test]
    fn the_soft_label_term_is_zero_for_the_teachers_own_answer_and_skips_padding() {
        let teacher = Tensor::from_slice(&[2.0f32, 0.0, -1.0, 0.5, 0.5, 3.0]).view([1, 2, 3]);
        let b = ner_batch(&[1, 1]);
        assert!(soft_label_divergence(&teacher, &teacher, &b).double_value(&[]).abs() < 1e-6);
        // T² · KL(softmax([1, 0] / 2) ‖ softmax([0, 1] / 2)), worked out by hand:
        let two = |a: f32, b: f32| Tensor::from_slice(&[a, b]).view([1, 1, 2]);
        let kl = soft_label_divergence(&two(0.0, 1.0), &two(1.0, 0.0), &ner_batch(&[1])).double_value(&[]);
        let p = 1.0 / (1.0 + (-0.5f64).exp()); // the teacher's softened probability of class 0
        let expect = 4.0 * (p * (p / (1.0 - p)).ln() + (1.0 - p) * ((1.0 - p) / p).ln());
        assert!((kl - expect).abs() < 1e-5, "{kl} {expect}");
        // A padded piece does not count, whatever the student says there.
        let student = Tensor::from_slice(&[2.0f32, 0.0, -1.0, -9.0, 9.0, 0.0]).view([1, 2, 3]);
        let padded = soft_label_divergence(&student, &teacher, &ner_batch(&[1, 0])).double_value(&[]);
        assert!(padded.abs() < 1e-6, "{padded}");
    }
}
