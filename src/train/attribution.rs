//! Training the attribution head on PolNeAR, over a trained model's frozen encoder: every
//! article goes through the analysis text stages and the encoder once (its piece states are
//! kept), then the head alone trains for some epochs, each ended by dev figures and a
//! checkpoint (a stopped run resumes at the next epoch). The best epoch on dev (mean token
//! F1 of source, cue and content, as `eval attribution` measures it) is kept.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use tch::nn::OptimizerConfig;
use tch::{nn, Reduction, Tensor};

use crate::attribution::{self, label_of, LABELS};
use crate::data::polnear::{self, GoldArticle};
use crate::encode::{encode_sentences, SentenceStates, TOKEN_BUDGET};
use crate::error::{Error, Result};
use crate::model::{AttributionHead, StanceModel};
use crate::pipeline::prepare;

#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// The trained model whose encoder the head reads (it is not changed).
    pub model: PathBuf,
    /// PolNeAR's train and dev folders (`text/`, `attributions/`).
    pub train: PathBuf,
    pub dev: PathBuf,
    /// The model folder to write: the model's files with the head added.
    pub out: PathBuf,
    pub epochs: usize,
    pub lr: f64,
    pub seed: u64,
    /// At most this many articles of each split (smoke tests).
    pub limit: Option<usize>,
    /// Start from the model's own attribution head instead of a new one: a student distilled
    /// from a model with a head reads states close to the ones that head was trained on.
    pub warm_start: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub loss: f64,
    /// Dev token F1 per role, and their mean.
    pub source: f64,
    pub cue: f64,
    pub content: f64,
    pub mean: f64,
    pub seconds: f64,
}

/// One article as the head sees it: piece states, features, gold labels per annotation.
pub struct Encoded {
    pub gold: GoldArticle,
    pub prepared: crate::pipeline::Prepared,
    /// Each sentence's states (None: no pieces), as analysis holds them.
    pub sentence_states: Vec<Option<SentenceStates>>,
    pub features: Tensor,
    pub labels: Vec<Tensor>,
}

/// Gold label of every piece (`attribution::LABELS`) from one annotation: a piece takes the
/// role of its first char; a word starts a span where its span differs from the last word's.
pub fn piece_labels(p: &crate::pipeline::Prepared, roles: &[Option<(attribution::Role, usize)>]) -> Vec<i64> {
    let mut out = Vec::new();
    let mut last_span = None;
    for (range, pieces) in p.sentences.iter().zip(&p.pieces) {
        let mut word_label = 0;
        for (i, &(a, _)) in pieces.offsets.iter().enumerate() {
            let here = roles.get(range.start + a).copied().flatten();
            if pieces.starts_word(i) {
                let begins = here.map(|h| h.1) != last_span;
                word_label = label_of(here.map(|h| h.0), begins);
                last_span = here.map(|h| h.1);
                out.push(word_label as i64);
            } else {
                // Inside a word: its role, continued.
                out.push(if word_label == 0 {
                    0
                } else {
                    label_of(attribution::role_of(word_label), false) as i64
                });
            }
        }
    }
    out
}

impl Encoded {
    /// The article's piece states in one [1, N, H] tensor, made per step rather than kept:
    /// a second copy of every article's states would double the training set's memory.
    fn states(&self) -> Tensor {
        let pieces: Vec<&Tensor> = self.sentence_states.iter().flatten().map(|s| &s.pieces).collect();
        Tensor::cat(&pieces, 0).unsqueeze(0)
    }
}

/// Runs every article of `gold` through the text stages and the frozen encoder.
pub fn encode_articles(model: &StanceModel, gold: Vec<GoldArticle>) -> Result<Vec<Encoded>> {
    let mut out = Vec::with_capacity(gold.len());
    for g in gold {
        let prepared = prepare(&model.tokenizer, &g.text)?;
        let refs: Vec<&crate::tokenize::Pieces> = prepared.pieces.iter().collect();
        let states = encode_sentences(model, &refs, TOKEN_BUDGET)?;
        let quoting = attribution::quoting(&prepared.chars);
        let mut features = Vec::new();
        for ((range, p), st) in prepared.sentences.iter().zip(&prepared.pieces).zip(&states) {
            if st.is_some() {
                features.extend(attribution::piece_features(&quoting, range.start, &p.offsets));
            }
        }
        if features.is_empty() {
            continue;
        }
        let labels = g
            .annotations
            .iter()
            .map(|a| Tensor::from_slice(&piece_labels(&prepared, &a.char_roles(prepared.chars.len()))))
            .collect();
        out.push(Encoded {
            features: Tensor::from_slice(&features).unsqueeze(0),
            labels,
            gold: g,
            prepared,
            sentence_states: states,
        });
    }
    Ok(out)
}

/// Trains the head, logging one JSON line per epoch to stderr and `out/attribution-log.jsonl`.
pub fn train(cfg: &Config) -> Result<Vec<EpochReport>> {
    tch::manual_seed(cfg.seed as i64);
    let mut model = StanceModel::load(&cfg.model)?;
    let read = |dir: &Path| -> Result<Vec<GoldArticle>> {
        let mut a = polnear::read_dir(dir)?;
        a.truncate(cfg.limit.unwrap_or(usize::MAX));
        Ok(a)
    };
    let log_path = cfg.out.join("attribution-log.jsonl");
    // `copy_model` never brings a log: what is here is this output's own.
    let mut reports: Vec<EpochReport> = std::fs::read_to_string(&log_path)
        .map(|t| t.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
        .unwrap_or_default();
    if reports.len() >= cfg.epochs {
        tracing::info!(
            epochs_done = reports.len(),
            "the head is trained: {}",
            log_path.display()
        );
        return Ok(Vec::new());
    }
    let t0 = std::time::Instant::now();
    let train_set = encode_articles(&model, read(&cfg.train)?)?;
    let dev_set = encode_articles(&model, read(&cfg.dev)?)?;
    tracing::info!(
        train = train_set.len(),
        dev = dev_set.len(),
        seconds = t0.elapsed().as_secs_f64(),
        "articles encoded"
    );
    copy_model(&cfg.model, &cfg.out)?;
    let ckpt = cfg.out.join("attribution-checkpoint");
    let head = if reports.is_empty() && cfg.warm_start {
        AttributionHead::load(&cfg.model, model.hidden_size())?
    } else if reports.is_empty() {
        AttributionHead::new(model.hidden_size())
    } else {
        tracing::info!(epochs_done = reports.len(), "resuming from {}", ckpt.display());
        AttributionHead::load(&ckpt, model.hidden_size())?
    };
    let mut opt = nn::Adam::default().build(&head.vs, cfg.lr)?;
    model.attribution = Some(head);
    model.heads.attribution_labels = LABELS.iter().map(|l| l.to_string()).collect();
    let mut order: Vec<(usize, usize)> = train_set
        .iter()
        .enumerate()
        .flat_map(|(i, e)| (0..e.labels.len()).map(move |k| (i, k)))
        .collect();
    let mut best = reports.iter().map(|r| r.mean).fold(f64::NEG_INFINITY, f64::max);
    for epoch in reports.len() + 1..=cfg.epochs {
        let t = std::time::Instant::now();
        let mut rng = rand::rngs::StdRng::seed_from_u64(cfg.seed + epoch as u64);
        order.shuffle(&mut rng);
        let head = model.attribution.as_ref().expect("set above");
        let mut total = 0.0;
        for &(i, k) in &order {
            let e = &train_set[i];
            let logits = head.logits(&e.states(), &e.features, true).squeeze_dim(0);
            let loss = logits.cross_entropy_loss::<Tensor>(&e.labels[k], None, Reduction::Mean, -100, 0.0);
            opt.backward_step_clip(&loss, 1.0);
            total += loss.double_value(&[]);
        }
        let dev = crate::eval::attribution::evaluate_encoded(
            &model,
            dev_set
                .iter()
                .map(|e| (&e.gold, &e.prepared, e.sentence_states.as_slice())),
        )?;
        let report = EpochReport {
            epoch,
            loss: total / order.len().max(1) as f64,
            source: dev.token_f1(attribution::Role::Source),
            cue: dev.token_f1(attribution::Role::Cue),
            content: dev.token_f1(attribution::Role::Content),
            mean: dev.mean_token_f1(),
            seconds: t.elapsed().as_secs_f64(),
        };
        let line = serde_json::to_string(&report)?;
        eprintln!("{line}");
        let head = model.attribution.as_ref().expect("set above");
        std::fs::create_dir_all(&ckpt).map_err(|e| Error::io(&ckpt, e))?;
        head.save(&ckpt)?;
        if report.mean > best {
            best = report.mean;
            head.save(&cfg.out)?;
            model.save_heads(&cfg.out)?;
        }
        append_line(&log_path, &line)?;
        reports.push(report);
    }
    Ok(reports)
}

/// The model's files into `out` (the head and its heads.json are then written over them).
fn copy_model(from: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    if from.canonicalize().ok() == out.canonicalize().ok() {
        return Ok(());
    }
    for entry in std::fs::read_dir(from).map_err(|e| Error::io(from, e))? {
        let path = entry.map_err(|e| Error::io(from, e))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        // A head the model already has is not carried over: this run trains its own.
        if path.is_file() && !name.starts_with("attribution") && !out.join(&name).exists() {
            let to = out.join(path.file_name().unwrap_or_default());
            std::fs::copy(&path, &to).map_err(|e| Error::io(&to, e))?;
        }
    }
    Ok(())
}

fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    writeln!(f, "{line}").map_err(|e| Error::io(path, e))
}
