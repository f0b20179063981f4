//! The `actorstance` command: a thin layer over the library.
//!
//! Exit codes: 0 every record analysed; 1 could not run (model, input path, output);
//! 2 usage error; 3 finished, but some records failed (they are in the output as errors);
//! 130 / 143 stopped by SIGINT / SIGTERM after writing every record before that point.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use actorstance::actors::petrarch;
use actorstance::input;
use actorstance::model::{PrecisionChoice, StanceModel, BUNDLED_MODEL};
use actorstance::pipeline::{Analyzer, Options, RunOptions, Summary};
use actorstance::resume::OutputFile;
use actorstance::sink::{Destination, JsonlSink, Sink};
use actorstance::stance::Rollup;
use actorstance::tables::{TableFormat, TableSink};
use actorstance::train::{train, Task, TrainConfig};

#[derive(Parser)]
#[command(
    name = "actorstance",
    version,
    about = "Who is hostile or friendly toward whom in news articles, with the evidence",
    after_help = "Exit codes: 0 all records ok, 1 could not run, 2 usage error, 3 some records failed (reported in the output),\n130/143 stopped by SIGINT/SIGTERM (every record before that point is written; -o FILE: resume with --resume)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse articles; prints one JSON line per input article, in input order.
    #[command(
        after_help = "Examples:\n  actorstance analyze examples/azerbaijan-russia.txt\n  actorstance analyze corpus.jsonl -o out.jsonl --threads 2\n  cat corpus.jsonl | actorstance analyze - --explain\n\nInputs: JSONL (one article per line: id, text, optional title, date, source, url; other fields are passed through),\n.txt files (one article each, id = file stem), directories (recursive), '-' for stdin (the default)."
    )]
    Analyze(AnalyzeArgs),
    /// Fine-tune the encoder and heads (NER, target sentiment, directed stance).
    #[command(after_help = "Example:\n  actorstance train -o models/my-model --data ../shared/data --epochs 3")]
    Train(TrainArgs),
    /// Choose the directed head's logit adjustment on dev and store it in the model's heads.json.
    #[command(
        after_help = "Example:\n  actorstance calibrate --model models/actorstance-minilm-v4 --data ../shared/data"
    )]
    Calibrate {
        #[arg(long)]
        model: PathBuf,
        /// Folder laid out like ../shared/data (dsa/train.txt for the prior, dsa/valid.txt to choose).
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Corpus-level stance per time bucket, from analyze's JSONL results (streamed).
    #[command(
        after_help = "Examples:\n  actorstance aggregate out.jsonl --by week\n  actorstance aggregate results/ --by month --rollup country --format parquet -o corpus-tables\n\nWrites two tables: pairs (bucket, source, target, score, confidence, n_articles, n_sentences) and actors\n(bucket, actor, kind, stance_*, portrayal_*, n_articles). JSONL output has one object per row with \"table\".\nArticles without a date go into the bucket \"undated\"; failed records are skipped; a summary goes to stderr."
    )]
    Aggregate(AggregateArgs),
    /// One self-contained HTML page from analyze's JSONL results: a directed graph of the
    /// actors, the strongest pairs with their evidence, and a monthly time line for a corpus.
    #[command(
        after_help = "Example:\n  actorstance analyze examples/azerbaijan-russia.txt -o out.jsonl && actorstance report out.jsonl -o report.html"
    )]
    Report {
        /// Results of `actorstance analyze`: JSONL files, folders of them, or a folder of
        /// Parquet tables (--format parquet).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(short, long)]
        out: PathBuf,
        /// Heading of the page (default: the first input's name).
        #[arg(long)]
        title: Option<String>,
    },
    /// Measure a model against a gold file; prints one JSON object.
    #[command(
        after_help = "Examples:\n  actorstance eval ner --gold conll2003/iob2/dev.txt\n  actorstance eval tsc --gold newsmtsc-rw/dev.jsonl\n  actorstance eval dsa --gold dsa/valid.txt [--end-to-end [--choose-cut]]\n  actorstance eval persent --gold persent/dev.csv\n  actorstance eval actors --gold tests/data/actors.jsonl"
    )]
    Eval {
        task: EvalTask,
        #[arg(long)]
        gold: PathBuf,
        /// Model folder (default: the bundled model).
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// persent: choose the two portrayal thresholds on this file (dev only) and report them.
        #[arg(long)]
        choose_thresholds: bool,
        /// dsa: measure the whole path (NER, actors, directed head, aggregation) instead of the
        /// head on gold spans.
        #[arg(long)]
        end_to_end: bool,
        /// dsa --end-to-end: the confidence under which a pair reads neutral (default: the one
        /// chosen on DSA valid for the bundled model).
        #[arg(long)]
        cut: Option<f64>,
        /// dsa --end-to-end: choose the cut on this file (valid only) and report it.
        #[arg(long, conflicts_with = "cut")]
        choose_cut: bool,
        /// The encoder's number format (auto, fp32, bf16), as for analyze.
        #[arg(long, default_value = "auto")]
        precision: PrecisionChoice,
    },
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// JSONL files, .txt files, directories, or '-' for stdin (default).
    inputs: Vec<PathBuf>,
    /// Write JSONL here instead of stdout (through FILE.partial, renamed when complete).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Output format: JSON Lines (schema v1), or the flat tables articles, actors and pairs
    /// as CSV or Parquet files in the folder given with -o.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Continue an interrupted run into the same -o FILE: records already there are kept
    /// (checked against the input by position and id) and the rest appended. Give the same
    /// inputs and --batch-articles as the first run.
    #[arg(long, requires = "out")]
    resume: bool,
    /// Model folder: ours, or a Hugging Face BERT token-classification folder (NER only).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Threads for the encoder and the text stages.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Count members' stance and portrayal for their country too.
    #[arg(long, value_enum, default_value_t = RollupArg::Country)]
    rollup: RollupArg,
    /// Add the raw per-sentence predictions (`explain`) to each article.
    #[arg(long)]
    explain: bool,
    /// A PETRARCH/TABARI .actors dictionary for CAMEO codes (dates checked against `date`).
    #[arg(long)]
    gazetteer: Option<PathBuf>,
    /// Articles analysed together (one encoder pass over their sentences); output reaches
    /// its destination after each batch.
    #[arg(long, default_value_t = 32)]
    batch_articles: usize,
    /// The encoder's number format: fp32, bf16, or auto (bf16 on CPUs with AVX-512 BF16,
    /// where it is faster and holds the dev metrics; fp32 elsewhere).
    #[arg(long, default_value = "auto")]
    precision: PrecisionChoice,
    /// No progress bar (it is shown only when stderr is a terminal).
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct AggregateArgs {
    /// Results of `actorstance analyze`: JSONL files, folders of them, or a folder of Parquet
    /// tables (--format parquet).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Time bucket.
    #[arg(long, value_enum, default_value_t = PeriodArg::Day)]
    by: PeriodArg,
    /// `country`: members' pairs and scores count for their country (once per article).
    #[arg(long, value_enum, default_value_t = RollupArg::None)]
    rollup: RollupArg,
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// JSONL: a file (default stdout); csv/parquet: a folder for pairs and actors.
    #[arg(short, long)]
    out: Option<PathBuf>,
}

/// What `eval` measures (matched exhaustively: a task added here must be handled).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum EvalTask {
    Ner,
    Tsc,
    Dsa,
    Persent,
    Actors,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PeriodArg {
    Day,
    Week,
    Month,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Jsonl,
    Csv,
    Parquet,
}

impl Format {
    /// The table format, or None for JSONL.
    fn table(self) -> Option<TableFormat> {
        match self {
            Format::Jsonl => None,
            Format::Csv => Some(TableFormat::Csv),
            Format::Parquet => Some(TableFormat::Parquet),
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RollupArg {
    /// Members' scores also count for the country they belong to.
    Country,
    None,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Base encoder folder (config.json, tokenizer.json, weights).
    #[arg(long, default_value = ".cache/base-model")]
    base: PathBuf,
    /// Start from this model folder (ours) instead of the base encoder with new heads.
    #[arg(long)]
    init: Option<PathBuf>,
    /// Where the best epoch's model goes (a resumable checkpoint goes to OUT.checkpoint).
    #[arg(long, short)]
    out: PathBuf,
    /// Folder laid out like ../shared/data.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 7e-5)]
    lr: f64,
    /// Peak learning rate of NER steps, and of entity-span steps (default: --lr).
    #[arg(long)]
    lr_ner: Option<f64>,
    /// Peak learning rate of target-sentiment steps (default: --lr).
    #[arg(long)]
    lr_tsc: Option<f64>,
    /// Peak learning rate of directed-stance steps (default: --lr).
    #[arg(long)]
    lr_dsa: Option<f64>,
    /// Train DSA pairs in their given order only (default: also mirrored, p and q swapped).
    #[arg(long)]
    no_dsa_mirror: bool,
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    #[arg(long, default_value_t = 128)]
    max_len: usize,
    /// Width of the word-shape embedding joined to token states for NER (0: none).
    #[arg(long, default_value_t = 16)]
    shape_dim: i64,
    #[arg(long, default_value_t = 13)]
    seed: u64,
    /// At most this many training examples per task (smoke tests).
    #[arg(long)]
    limit: Option<usize>,
    /// At most this many steps per epoch (smoke tests).
    #[arg(long)]
    max_steps: Option<usize>,
    /// Evaluate on at most this many dev examples per file (smoke tests).
    #[arg(long)]
    dev_limit: Option<usize>,
    /// Tasks to train: ner (CoNLL), tsc (NewsMTSC), dsa (DSA pairs), spans (DSA's bracketed
    /// entities as partial NER labels). Dev figures always cover every head, to show any forgetting.
    #[arg(long, value_delimiter = ',', default_values_t = Task::ALL)]
    tasks: Vec<Task>,
    /// Train the heads only, on states the encoder computes once (needs --init): refits the
    /// heads of a trained model to its final encoder.
    #[arg(long, requires = "init")]
    freeze_encoder: bool,
    /// The model's name, written to heads.json and reported in analyze's output.
    #[arg(long, default_value = "actorstance-minilm")]
    name: String,
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn default_model() -> PathBuf {
    if let Ok(dir) = std::env::var("ACTORSTANCE_MODEL") {
        return dir.into();
    }
    let local = Path::new(BUNDLED_MODEL);
    if local.exists() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(BUNDLED_MODEL)
}

/// Articles done, articles/s and, once the inputs are counted (in the background; never for
/// stdin), the total and ETA, on stderr. Hidden unless stderr is a terminal.
fn progress_bar(quiet: bool, sources: &[input::Source]) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::no_length();
    let style = |template| {
        indicatif::ProgressStyle::with_template(template)
            .expect("a valid template")
            .with_key("rate", |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1} articles/s", s.per_sec());
            })
    };
    bar.set_style(style("{spinner} {pos} articles, {rate}, {elapsed}"));
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    let (counting, sources) = (bar.clone(), sources.to_vec());
    std::thread::spawn(move || {
        if let Some(total) = input::count_records(&sources) {
            counting.set_style(style("{bar:30} {pos}/{len} articles, {rate}, ETA {eta}"));
            counting.set_length(total as u64);
        }
    });
    bar
}

fn load_model(dir: &Path, precision: PrecisionChoice) -> anyhow::Result<StanceModel> {
    let mut model = StanceModel::load(dir).with_context(|| format!("loading model {}", dir.display()))?;
    model.set_precision(precision.resolve());
    tracing::debug!("encoder precision: {}", model.precision());
    Ok(model)
}

fn set_threads(n: usize) {
    tch::set_num_threads(n.max(1) as i32);
    // A second call (tests, library users) is harmless: keep the first pool.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,actorstance=info".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("actorstance: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Analyze(a) => analyze(a),
        Command::Aggregate(a) => aggregate(a),
        Command::Report { inputs, out, title } => {
            let mut report = actorstance::report::Report::default();
            actorstance::results::for_each_line(&inputs, |line| report.add_line(line))?;
            let title = title.unwrap_or_else(|| format!("actorstance: {}", inputs[0].display()));
            std::fs::write(&out, report.html(&title)).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("actorstance: report: {}", serde_json::to_string(report.counts())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Train(a) => {
            set_threads(a.threads);
            let d = &a.data;
            let cfg = TrainConfig {
                base: a.base,
                init: a.init,
                out: a.out,
                ner_train: d.join("conll2003/iob2/train.txt"),
                ner_dev: d.join("conll2003/iob2/dev.txt"),
                tsc_train: d.join("newsmtsc/train.jsonl"),
                tsc_dev: vec![
                    d.join("newsmtsc/newsmtsc-rw/dev.jsonl"),
                    d.join("newsmtsc/newsmtsc-mt/dev.jsonl"),
                ],
                dsa_train: d.join("dsa/train.txt"),
                dsa_dev: d.join("dsa/valid.txt"),
                epochs: a.epochs,
                lr: a.lr,
                task_lr: [(Task::Ner, a.lr_ner), (Task::Tsc, a.lr_tsc), (Task::Dsa, a.lr_dsa)]
                    .into_iter()
                    .filter_map(|(t, lr)| Some((t.name().to_string(), lr?)))
                    .collect(),
                dsa_mirror: !a.no_dsa_mirror,
                batch_size: a.batch_size,
                max_len: a.max_len,
                shape_dim: a.shape_dim,
                seed: a.seed,
                limit: a.limit,
                max_steps: a.max_steps,
                dev_limit: a.dev_limit,
                tasks: a.tasks,
                freeze_encoder: a.freeze_encoder,
                name: a.name,
                version: env!("CARGO_PKG_VERSION").into(),
            };
            train(&cfg)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate { model, data, threads } => {
            set_threads(threads);
            let mut m = StanceModel::load(&model).with_context(|| format!("loading model {}", model.display()))?;
            let report =
                actorstance::train::calibrate_dsa(&mut m, &data.join("dsa/train.txt"), &data.join("dsa/valid.txt"))?;
            m.save_heads(&model)?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            task,
            gold,
            model,
            threads,
            choose_thresholds,
            end_to_end,
            cut,
            choose_cut,
            precision,
        } => {
            set_threads(threads);
            let dir = model.unwrap_or_else(default_model);
            let m = load_model(&dir, precision)?;
            let json = match task {
                EvalTask::Ner => serde_json::to_string(&actorstance::eval::ner(&m, &gold)?)?,
                EvalTask::Tsc => serde_json::to_string(&actorstance::eval::tsc(&m, &gold)?)?,
                EvalTask::Dsa if end_to_end => {
                    use actorstance::eval::end_to_end;
                    let data = actorstance::data::dsa::read(&gold)?;
                    let gold_labels: Vec<usize> = data.iter().map(|e| e.label).collect();
                    let options = Options {
                        rollup: Rollup::None,
                        ..Options::default()
                    };
                    let found = end_to_end::findings(&Analyzer::new(m, options)?, &data)?;
                    let cut = match (choose_cut, cut) {
                        (true, _) => end_to_end::choose_cut(&found, &gold_labels),
                        (false, Some(c)) => c,
                        (false, None) => end_to_end::DEFAULT_CUT,
                    };
                    serde_json::to_string(&end_to_end::report(&found, &gold_labels, cut))?
                }
                EvalTask::Dsa => serde_json::to_string(&actorstance::eval::dsa(&m, &gold)?)?,
                EvalTask::Actors => {
                    let passages = actorstance::eval::actors::read(&gold)?;
                    let analyzer = Analyzer::new(m, Options::default())?;
                    serde_json::to_string(&actorstance::eval::actors::evaluate(&analyzer, &passages)?)?
                }
                EvalTask::Persent => {
                    let analyzer = Analyzer::new(m, Options::default())?;
                    let e = actorstance::eval::persent::evaluate(&analyzer, &gold, choose_thresholds)?;
                    let mut v = serde_json::to_value(&e.report)?;
                    v["unresolved_targets"] = e.unresolved.into();
                    if let Some((neg, pos)) = e.chosen {
                        v["chosen_thresholds"] = serde_json::json!({"negative_up_to": neg, "positive_from": pos});
                    }
                    for (field, f1) in e.cross_validated {
                        v["cross_validated_f1_macro"][field] = f1.into();
                    }
                    serde_json::to_string(&v)?
                }
            };
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// SIGINT and SIGTERM set `stop` (the run ends after its current batch) and record which
/// signal came; a second one ends the process at once.
fn stop_on_signals() -> anyhow::Result<(Arc<AtomicBool>, Arc<AtomicUsize>)> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    let which = Arc::new(AtomicUsize::new(0));
    for sig in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as it was before this signal.
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&stop))?;
        signal_hook::flag::register_usize(sig, Arc::clone(&which), sig as usize)?;
        signal_hook::flag::register(sig, Arc::clone(&stop))?;
    }
    Ok((stop, which))
}

fn analyze(a: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    set_threads(a.threads);
    let dir = a.model.unwrap_or_else(default_model);
    let model = load_model(&dir, a.precision)?;
    let options = Options {
        rollup: match a.rollup {
            RollupArg::Country => Rollup::Country,
            RollupArg::None => Rollup::None,
        },
        ..Options::default()
    };
    let mut analyzer = Analyzer::new(model, options)?;
    if let Some(path) = &a.gazetteer {
        let bytes = std::fs::read(path).with_context(|| format!("reading dictionary {}", path.display()))?;
        // The upstream dictionaries mix encodings: stray bytes are replaced, not fatal.
        let dict = petrarch::parse_actors(&String::from_utf8_lossy(&bytes))
            .with_context(|| format!("reading dictionary {}", path.display()))?;
        analyzer = analyzer.with_dictionary(dict);
    }
    let sources = input::sources(&a.inputs)?;
    let (stop, which) = stop_on_signals()?;
    let bar = progress_bar(a.quiet, &sources);
    let records = input::records(sources);
    let info = analyzer.model_info();
    let advance = |n: usize| bar.inc(n as u64);
    let run_options = |done| RunOptions {
        batch_articles: a.batch_articles,
        done,
        stop: Some(&stop),
        progress: Some(&advance),
    };
    let summary = match (&a.out, a.format.table()) {
        (_, Some(format)) => {
            let Some(dir) = &a.out else {
                eprintln!("actorstance: error: --format csv|parquet writes three tables into the folder given with -o");
                return Ok(ExitCode::from(2));
            };
            if a.resume {
                eprintln!("actorstance: error: --resume continues JSONL output only");
                return Ok(ExitCode::from(2));
            }
            let mut sink = TableSink::create(dir, format, info)?;
            let summary = analyzer.run(records, &mut sink, &run_options(&[]))?;
            bar.finish_and_clear();
            if summary.interrupted {
                eprintln!(
                    "actorstance: interrupted: the tables in {} are incomplete (*.partial)",
                    dir.display()
                );
            } else {
                sink.finish()?;
                report(&summary, dir);
            }
            summary
        }
        (None, None) => {
            let mut sink = JsonlSink::new(BufWriter::new(std::io::stdout().lock()), "<stdout>", info, a.explain);
            let summary = analyzer.run(records, &mut sink, &run_options(&[]))?;
            sink.finish()?;
            warn_unscored(&summary, Path::new("<stdout>"));
            summary
        }
        (Some(path), None) => {
            let mut out = if a.resume {
                OutputFile::resume(path)?
            } else {
                let partial = actorstance::resume::partial_path(path);
                if partial.exists() {
                    tracing::warn!(
                        "starting over: {} from an earlier run is overwritten (--resume continues it)",
                        partial.display()
                    );
                }
                OutputFile::create(path)?
            };
            let name = out.partial.display().to_string();
            let done = std::mem::take(&mut out.done);
            let mut sink = JsonlSink::new(out, &name, info, a.explain);
            let summary = analyzer.run(records, &mut sink, &run_options(&done))?;
            bar.finish_and_clear();
            if summary.interrupted {
                sink.flush()?;
                eprintln!(
                    "actorstance: interrupted: {} records are in {name}; run the same command with --resume to finish",
                    done.len() + summary.ok + summary.failed
                );
            } else {
                sink.finish()?;
                report(&summary, path);
            }
            summary
        }
    };
    bar.finish_and_clear();
    Ok(if summary.interrupted {
        ExitCode::from(128 + which.load(Ordering::SeqCst) as u8)
    } else if summary.failed > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn aggregate(a: AggregateArgs) -> anyhow::Result<ExitCode> {
    use actorstance::aggregate::{Aggregator, Period};
    use actorstance::tables::Table;
    let period = match a.by {
        PeriodArg::Day => Period::Day,
        PeriodArg::Week => Period::Week,
        PeriodArg::Month => Period::Month,
        PeriodArg::All => Period::All,
    };
    let mut agg = Aggregator::new(period, matches!(a.rollup, RollupArg::Country));
    actorstance::results::for_each_line(&a.inputs, |line| agg.add_line(line))?;
    let pairs: Vec<_> = agg.pair_rows().iter().map(actorstance::aggregate::pair_row).collect();
    let actors: Vec<_> = agg.actor_rows().iter().map(actorstance::aggregate::actor_row).collect();
    let c = &agg.counts;
    eprintln!("actorstance: aggregate: {}", serde_json::to_string(c)?);
    if c.models.len() > 1 {
        tracing::warn!(
            "the results come from {} model versions: {:?}",
            c.models.len(),
            c.models.keys()
        );
    }
    match (a.format.table(), &a.out) {
        // A file is written as FILE.partial and renamed when complete, as analyze's output is.
        (None, Some(p)) => write_aggregate_jsonl(OutputFile::create(p)?, &p.display().to_string(), &pairs, &actors)?,
        (None, None) => write_aggregate_jsonl(BufWriter::new(std::io::stdout().lock()), "<stdout>", &pairs, &actors)?,
        (Some(format), Some(dir)) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            for (name, columns, rows) in [
                ("pairs", actorstance::aggregate::AGGREGATE_PAIRS, pairs),
                ("actors", actorstance::aggregate::AGGREGATE_ACTORS, actors),
            ] {
                let mut t = Table::create(dir, name, columns, format)?;
                for row in rows {
                    t.push(row)?;
                }
                t.finish()?;
            }
        }
        (Some(_), None) => {
            eprintln!("actorstance: error: --format csv|parquet writes two tables into the folder given with -o");
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One JSON object per aggregate row, with its table's name under "table".
fn write_aggregate_jsonl(
    mut w: impl Destination,
    name: &str,
    pairs: &[Vec<actorstance::tables::Cell>],
    actors: &[Vec<actorstance::tables::Cell>],
) -> anyhow::Result<()> {
    use actorstance::tables;
    for (table, columns, rows) in [
        ("pairs", actorstance::aggregate::AGGREGATE_PAIRS, pairs),
        ("actors", actorstance::aggregate::AGGREGATE_ACTORS, actors),
    ] {
        for row in rows {
            let mut obj = serde_json::Map::new();
            obj.insert("table".into(), table.into());
            obj.extend(tables::json_row(columns, row));
            serde_json::to_writer(&mut w, &obj)?;
            w.write_all(b"\n").with_context(|| format!("writing {name}"))?;
        }
    }
    w.complete(name)?;
    Ok(())
}

/// Says what limits left undone in the run, where they did.
fn warn_unscored(s: &Summary, path: &Path) {
    let u = &s.unscored;
    if u.any() {
        tracing::warn!(
            "{}: limits left work unscored ({} sentences without word pieces, {} mentions without word pieces, {} mention pairs past {} mentions in a sentence); each article says so under \"unscored\"",
            path.display(),
            u.sentences,
            u.mentions,
            u.pairs,
            actorstance::findings::MAX_PAIRED_MENTIONS
        );
    }
}

fn report(s: &Summary, path: &Path) {
    warn_unscored(s, path);
    tracing::info!(
        "{}: {} records ok, {} failed{}",
        path.display(),
        s.ok,
        s.failed,
        if s.skipped > 0 {
            format!(", {} kept from the earlier run", s.skipped)
        } else {
            String::new()
        }
    );
}
