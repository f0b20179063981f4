//! The `actorstance` command: a thin layer over the library.
//!
//! Exit codes: 0 every record analysed; 1 could not run (model, input path, output);
//! 2 usage error; 3 finished, but some records failed (they are in the output as errors);
//! 130 / 143 stopped by SIGINT / SIGTERM after writing every record before that point.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use actorstance::actors::petrarch;
use actorstance::input;
use actorstance::model::{resolve_dir, PrecisionChoice, StanceModel};
use actorstance::pipeline::{set_threads, Analyzer, Options, RunOptions, Summary};
use actorstance::resume::OutputFile;
use actorstance::sink::{Destination, JsonlSink, Sink};
use actorstance::stance::Rollup;
use actorstance::tables::TableSink;
use actorstance::train::{train, DataFiles, Distillation, Task, TrainConfig};

mod cli;
use cli::{ActorsCommand, AggregateArgs, AnalyzeArgs, Cli, Command, EvalTask, LearnArgs, PeriodArg, RollupArg};

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
        Command::Actors(ActorsCommand::Learn(a)) => learn_command(a),
        Command::Aggregate(a) => aggregate(a),
        Command::Report { inputs, out, title } => {
            let mut report = actorstance::report::Report::default();
            actorstance::results::for_each(&inputs, |item| report.add_item(&item))?;
            let title = title.unwrap_or_else(|| format!("actorstance: {}", inputs[0].display()));
            std::fs::write(&out, report.html(&title)).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("actorstance: report: {}", serde_json::to_string(report.counts())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Train(a) => {
            set_threads(a.threads);
            let cfg = TrainConfig {
                base: a.base,
                init: a.init,
                out: a.out,
                data: DataFiles::in_folder(&a.data),
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
                distill: a.distill_from.map(|teacher| Distillation {
                    teacher,
                    layers: a.student_layers,
                    weight: a.distill_weight,
                    soft_weight: a.distill_soft_weight,
                }),
                name: a.name,
                version: env!("CARGO_PKG_VERSION").into(),
            };
            train(&cfg)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::TrainAttribution {
            model,
            out,
            data,
            epochs,
            lr,
            seed,
            limit,
            warm_start,
            threads,
        } => {
            set_threads(threads);
            let cfg = actorstance::train::attribution::Config {
                model: resolve_dir(model),
                train: data.join("train"),
                dev: data.join("dev"),
                out,
                epochs,
                lr,
                seed,
                limit,
                warm_start,
            };
            actorstance::train::attribution::train(&cfg)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate { model, data, threads } => {
            set_threads(threads);
            let mut m = StanceModel::load(&model).with_context(|| format!("loading model {}", model.display()))?;
            let files = DataFiles::in_folder(&data);
            let report = actorstance::train::calibrate_dsa(&mut m, &files.dsa_train, &files.dsa_dev)?;
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
            limit,
            gazetteer,
        } => {
            set_threads(threads);
            let dir = resolve_dir(model);
            let m = load_model(&dir, precision)?;
            let dictionary = gazetteer.as_deref().map(input::read_dictionary).transpose()?;
            let with_dictionary = |a: Analyzer| match &dictionary {
                Some((dict, people)) => a.with_dictionary(dict.clone(), *people),
                None => a,
            };
            let json = match task {
                EvalTask::Ner => serde_json::to_string(&actorstance::eval::ner(&m, &gold)?)?,
                EvalTask::Tsc => serde_json::to_string(&actorstance::eval::tsc(&m, &gold)?)?,
                EvalTask::Dsa if end_to_end => {
                    use actorstance::eval::end_to_end::{evaluate, Cut, DEFAULT_CUT};
                    let options = Options {
                        rollup: Rollup::None,
                        ..Options::default()
                    };
                    let cut = if choose_cut {
                        Cut::Choose
                    } else {
                        Cut::Given(cut.unwrap_or(DEFAULT_CUT))
                    };
                    serde_json::to_string(&evaluate(&with_dictionary(Analyzer::new(m, options)?), &gold, cut)?)?
                }
                EvalTask::Dsa => serde_json::to_string(&actorstance::eval::dsa(&m, &gold)?)?,
                EvalTask::Actors => {
                    let passages = actorstance::eval::actors::read(&gold)?;
                    let analyzer = with_dictionary(Analyzer::new(m, Options::default())?);
                    serde_json::to_string(&actorstance::eval::actors::evaluate(&analyzer, &passages)?)?
                }
                EvalTask::Attribution => {
                    let analyzer = with_dictionary(Analyzer::new(m, Options::default())?);
                    let e = actorstance::eval::attribution::evaluate(&analyzer, &gold, limit)?;
                    serde_json::to_string(&e.to_json())?
                }
                EvalTask::Coref => {
                    let analyzer = with_dictionary(Analyzer::new(m, Options::default())?);
                    let mut examples = actorstance::data::gap::read(&gold)?;
                    examples.truncate(limit.unwrap_or(usize::MAX));
                    serde_json::to_string(&actorstance::eval::coref::evaluate(&analyzer, &examples)?.to_json())?
                }
                EvalTask::Persent => {
                    let analyzer = with_dictionary(Analyzer::new(m, Options::default())?);
                    let e = actorstance::eval::persent::evaluate(&analyzer, &gold, choose_thresholds)?;
                    serde_json::to_string(&e.to_json()?)?
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
    let dir = resolve_dir(a.model);
    let model = load_model(&dir, a.precision)?;
    let options = Options {
        rollup: match a.rollup {
            RollupArg::Country => Rollup::Country,
            RollupArg::None => Rollup::None,
        },
        ..Options::default()
    };
    let mut analyzer = Analyzer::new(model, options)?;
    let sources = input::sources(&a.inputs)?;
    let (stop, which) = stop_on_signals()?;
    if a.learn_actors {
        if sources.iter().any(|s| matches!(s, input::Source::Stdin)) {
            eprintln!("actorstance: error: --learn-actors reads the inputs twice, which stdin cannot be read; give files (or run `actors learn` first)");
            return Ok(ExitCode::from(2));
        }
        let Some(learner) = learn(&analyzer, &sources, a.batch_articles, a.quiet, &stop)? else {
            return Ok(ExitCode::from(128 + which.load(Ordering::SeqCst) as u8));
        };
        let learned = learner.finish(a.min_articles);
        // Read back from the text, so that a run with the file written by `actors learn`
        // and one with --learn-actors use the same entries.
        let text = learned.to_actors(a.min_articles);
        report_learned(&learned, None);
        analyzer = analyzer.with_learned(petrarch::parse_actors(&text)?);
    }
    if let Some(path) = &a.gazetteer {
        let (dict, people) = input::read_dictionary(path)?;
        analyzer = analyzer.with_dictionary(dict, people);
    }
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
                eprintln!("actorstance: error: --format csv|parquet writes four tables into the folder given with -o");
                return Ok(ExitCode::from(2));
            };
            if a.resume {
                eprintln!("actorstance: error: --resume continues JSONL output only");
                return Ok(ExitCode::from(2));
            }
            let sink = TableSink::create(dir, format, info)?;
            let left = format!("the tables in {} are incomplete (*.partial)", dir.display());
            run_to_file(&analyzer, records, sink, &run_options(&[]), &bar, dir, |_| left)?
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
            let sink = JsonlSink::new(out, &name, info, a.explain);
            let left = |s: &Summary| {
                format!(
                    "{} records are in {name}; run the same command with --resume to finish",
                    done.len() + s.ok + s.failed
                )
            };
            run_to_file(&analyzer, records, sink, &run_options(&done), &bar, path, left)?
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

/// The first pass of `actors learn` and `analyze --learn-actors`: the stated affiliations of
/// every input article. None when a signal stopped it.
fn learn(
    analyzer: &Analyzer,
    sources: &[input::Source],
    batch_articles: usize,
    quiet: bool,
    stop: &AtomicBool,
) -> anyhow::Result<Option<actorstance::actors::learn::Learner>> {
    let bar = progress_bar(quiet, sources);
    let advance = |n: usize| bar.inc(n as u64);
    let mut sink = actorstance::sink::LearningSink::default();
    let summary = analyzer.run(
        input::records(sources.to_vec()),
        &mut sink,
        &RunOptions {
            batch_articles,
            done: &[],
            stop: Some(stop),
            progress: Some(&advance),
        },
    )?;
    bar.finish_and_clear();
    if summary.interrupted {
        eprintln!("actorstance: interrupted while learning actors: nothing written");
        return Ok(None);
    }
    if sink.failed > 0 {
        tracing::warn!("learning actors: {} records failed and state nothing", sink.failed);
    }
    Ok(Some(sink.learner))
}

/// What was learned, on stderr: counts, then each conflict and each surname left out.
fn report_learned(learned: &actorstance::actors::learn::Learned, out: Option<&Path>) {
    let with_synonym = learned.entries.iter().filter(|e| !e.synonyms.is_empty()).count();
    eprintln!(
        "actorstance: actors learn: {} people ({} with a one-word name) from {} articles ({} dated); {} stated in too few articles; {} with more than one country; {} surnames shared by several people left out{}",
        learned.entries.len(),
        with_synonym,
        learned.articles,
        learned.dated,
        learned.below_min,
        learned.conflicts.len(),
        learned.shared_surnames.len(),
        out.map(|p| format!("; written to {}", p.display())).unwrap_or_default()
    );
    for (name, counts) in &learned.conflicts {
        let c: Vec<String> = counts.iter().map(|(iso, n)| format!("{iso} {n}")).collect();
        eprintln!("  conflict: {name}: {} (majority per period kept)", c.join(", "));
    }
    for s in &learned.shared_surnames {
        eprintln!("  surname left out (several people): {s}");
    }
}

fn learn_command(a: LearnArgs) -> anyhow::Result<ExitCode> {
    set_threads(a.threads);
    let model = load_model(&resolve_dir(a.model), a.precision)?;
    let analyzer = Analyzer::new(model, Options::default())?;
    // One pass: stdin serves as well as files.
    let sources = input::sources(&a.inputs)?;
    let (stop, which) = stop_on_signals()?;
    let Some(learner) = learn(&analyzer, &sources, a.batch_articles, a.quiet, &stop)? else {
        return Ok(ExitCode::from(128 + which.load(Ordering::SeqCst) as u8));
    };
    let learned = learner.finish(a.min_articles);
    let mut out = OutputFile::create(&a.out)?;
    out.write_all(learned.to_actors(a.min_articles).as_bytes())
        .with_context(|| format!("writing {}", a.out.display()))?;
    out.complete(&a.out.display().to_string())?;
    report_learned(&learned, Some(&a.out));
    Ok(ExitCode::SUCCESS)
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
    actorstance::results::for_each(&a.inputs, |item| agg.add_item(&item))?;
    let tables = agg.tables();
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
        (None, Some(p)) => write_aggregate_jsonl(OutputFile::create(p)?, &p.display().to_string(), &tables)?,
        (None, None) => write_aggregate_jsonl(BufWriter::new(std::io::stdout().lock()), "<stdout>", &tables)?,
        (Some(format), Some(dir)) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            for table in tables {
                let mut t = Table::create(dir, table.name, table.columns, format)?;
                for row in table.rows {
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
    tables: &[actorstance::aggregate::Table],
) -> anyhow::Result<()> {
    for table in tables {
        for row in &table.rows {
            let mut obj = serde_json::Map::new();
            obj.insert("table".into(), table.name.into());
            obj.extend(actorstance::tables::json_row(table.columns, row));
            serde_json::to_writer(&mut w, &obj)?;
            w.write_all(b"\n").with_context(|| format!("writing {name}"))?;
        }
    }
    w.complete(name)?;
    Ok(())
}

/// Runs into an output file (or folder): completed, renamed into place, when the run is
/// complete; else flushed and left partial, and `left` says what is where.
fn run_to_file(
    analyzer: &Analyzer,
    records: impl Iterator<Item = actorstance::record::Record>,
    mut sink: impl Sink,
    run: &RunOptions,
    bar: &indicatif::ProgressBar,
    path: &Path,
    left: impl FnOnce(&Summary) -> String,
) -> anyhow::Result<Summary> {
    let summary = analyzer.run(records, &mut sink, run)?;
    bar.finish_and_clear();
    if summary.interrupted {
        sink.flush()?;
        eprintln!("actorstance: interrupted: {}", left(&summary));
    } else {
        sink.finish()?;
        report(&summary, path);
    }
    Ok(summary)
}

/// Says what limits left undone in the run, where they did.
fn warn_unscored(s: &Summary, path: &Path) {
    let u = &s.unscored;
    if u.any() {
        tracing::warn!("{}: {}", path.display(), u.warning());
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
