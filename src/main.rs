use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use actorstance::model::StanceModel;
use actorstance::train::{train, TrainConfig};

#[derive(Parser)]
#[command(name = "actorstance", version, about = "Who is hostile or friendly toward whom in news articles, with the evidence")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fine-tune the encoder and heads (NER, target sentiment, directed stance).
    Train(TrainArgs),
    /// Measure a model against a gold file; prints one JSON object.
    Eval {
        #[arg(value_parser = ["ner", "tsc", "dsa"])]
        task: String,
        #[arg(long)]
        gold: PathBuf,
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, default_value_t = 2)]
        threads: i32,
    },
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Base encoder folder (config.json, tokenizer.json, weights).
    #[arg(long, default_value = ".cache/base-model")]
    base: PathBuf,
    /// Where the best epoch's model goes.
    #[arg(long, short)]
    out: PathBuf,
    /// Folder laid out like ../shared/data.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 7e-5)]
    lr: f64,
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[arg(long, default_value_t = 128)]
    max_len: usize,
    #[arg(long, default_value_t = 16)]
    shape_dim: i64,
    #[arg(long, default_value_t = 13)]
    seed: u64,
    #[arg(long)]
    limit: Option<usize>,
    #[arg(long)]
    max_steps: Option<usize>,
    #[arg(long, default_value_t = 2)]
    threads: i32,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
    ).init();
    let cli = Cli::parse();
    match cli.command {
        Command::Train(a) => {
            tch::set_num_threads(a.threads);
            let d = &a.data;
            let cfg = TrainConfig {
                base: a.base, out: a.out,
                ner_train: d.join("conll2003/iob2/train.txt"), ner_dev: d.join("conll2003/iob2/dev.txt"),
                tsc_train: d.join("newsmtsc/train.jsonl"),
                tsc_dev: vec![d.join("newsmtsc/newsmtsc-rw/dev.jsonl"), d.join("newsmtsc/newsmtsc-mt/dev.jsonl")],
                dsa_train: d.join("dsa/train.txt"), dsa_dev: d.join("dsa/valid.txt"),
                epochs: a.epochs, lr: a.lr, batch_size: a.batch_size, max_len: a.max_len, shape_dim: a.shape_dim,
                seed: a.seed, limit: a.limit, max_steps: a.max_steps,
                name: "actorstance-minilm".into(), version: env!("CARGO_PKG_VERSION").into(),
            };
            train(&cfg)?;
        }
        Command::Eval { task, gold, model, threads } => {
            tch::set_num_threads(threads);
            let dir = model.unwrap_or_else(|| PathBuf::from("models/actorstance-minilm-v1"));
            let m = StanceModel::load(&dir).with_context(|| format!("loading model {}", dir.display()))?;
            let json = match task.as_str() {
                "ner" => serde_json::to_string(&actorstance::eval::ner(&m, &gold)?)?,
                "tsc" => serde_json::to_string(&actorstance::eval::tsc(&m, &gold)?)?,
                _ => serde_json::to_string(&actorstance::eval::dsa(&m, &gold)?)?,
            };
            println!("{json}");
        }
    }
    Ok(())
}
