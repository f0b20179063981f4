//! The command line: flags and their help, as clap reads them (the binary's own module; the
//! library knows nothing of flags).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use actorstance::model::PrecisionChoice;
use actorstance::tables::TableFormat;
use actorstance::train::Task;

#[derive(Parser)]
#[command(
    name = "actorstance",
    version,
    about = "Who is hostile or friendly toward whom in news articles, with the evidence",
    after_help = "Exit codes: 0 all records ok, 1 could not run, 2 usage error, 3 some records failed (reported in the output),\n130/143 stopped by SIGINT/SIGTERM (every record before that point is written; -o FILE: resume with --resume)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Analyse articles; prints one JSON line per input article, in input order.
    #[command(
        after_help = "Examples:\n  actorstance analyze examples/azerbaijan-russia.txt\n  actorstance analyze corpus.jsonl -o out.jsonl --threads 2\n  cat corpus.jsonl | actorstance analyze - --explain\n\nInputs: JSONL (one article per line: id, text, optional title, date, source, url; other fields are passed through),\n.txt files (one article each, id = file stem), directories (recursive), '-' for stdin (the default)."
    )]
    Analyze(AnalyzeArgs),
    /// Fine-tune the encoder and heads (NER, target sentiment, directed stance).
    #[command(after_help = "Example:\n  actorstance train -o models/my-model --data ../shared/data --epochs 3")]
    Train(TrainArgs),
    /// Train the attribution head (who said what) on PolNeAR over a trained model's frozen
    /// encoder; writes the model with the head added.
    #[command(
        after_help = "Example:\n  actorstance train-attribution --model models/actorstance-minilm-v5 -o models/my-model --epochs 12"
    )]
    TrainAttribution {
        /// The trained model whose encoder the head reads (default: the bundled model).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Where the model with the head goes (may be --model itself).
        #[arg(long, short)]
        out: PathBuf,
        /// PolNeAR's folder (train/ and dev/, each with text/ and attributions/).
        #[arg(long, default_value = "../shared/data/polnear")]
        data: PathBuf,
        #[arg(long, default_value_t = 12)]
        epochs: usize,
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, default_value_t = 13)]
        seed: u64,
        /// At most this many articles of each split (smoke tests).
        #[arg(long)]
        limit: Option<usize>,
        /// Start from --model's own attribution head instead of a new one (a student distilled
        /// from a model that has one).
        #[arg(long)]
        warm_start: bool,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Choose the directed head's logit adjustment on dev and store it in the model's heads.json.
    #[command(
        after_help = "Example:\n  actorstance calibrate --model models/actorstance-minilm-v5 --data ../shared/data"
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
    /// Actor dictionaries learned from a corpus.
    #[command(subcommand)]
    Actors(ActorsCommand),
    /// Corpus-level stance per time bucket, from analyze's results (JSONL or Parquet tables, streamed).
    #[command(
        after_help = "Examples:\n  actorstance aggregate out.jsonl --by week\n  actorstance aggregate results/ --by month --rollup country --format parquet -o corpus-tables\n\nWrites two tables: pairs (bucket, source, target, score, mean, weight, weight_abs, confidence, n_sentences,\nn_articles) and actors (bucket, actor, kind, stance_*, portrayal_*, n_articles): a bucket scores a pair as one\narticle holding all its articles' sentences would. JSONL output has one object per row with \"table\".\nArticles without a date go into the bucket \"undated\"; failed records are skipped; a summary goes to stderr."
    )]
    Aggregate(AggregateArgs),
    /// One self-contained HTML page from analyze's results (JSONL or Parquet): a directed graph of the
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
        after_help = "Examples:\n  actorstance eval ner --gold conll2003/iob2/dev.txt\n  actorstance eval tsc --gold newsmtsc-rw/dev.jsonl\n  actorstance eval dsa --gold dsa/valid.txt [--end-to-end [--choose-cut]]\n  actorstance eval persent --gold persent/dev.csv\n  actorstance eval actors --gold tests/data/actors.jsonl\n  actorstance eval attribution --gold ../shared/data/polnear/dev\n  actorstance eval coref --gold ../shared/data/gap/gap-validation.tsv"
    )]
    Eval {
        task: EvalTask,
        #[arg(long)]
        gold: PathBuf,
        /// Model folder, or `default` or `fast` for a bundled tier (default: the bundled default model).
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
        /// attribution, coref: at most this many articles or examples (smoke tests).
        #[arg(long)]
        limit: Option<usize>,
        /// Tasks through the whole pipeline (actors, dsa --end-to-end, persent, attribution,
        /// coref): a PETRARCH dictionary, as for analyze (one written by `actors learn`, too).
        #[arg(long)]
        gazetteer: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ActorsCommand {
    /// Learn the countries that a corpus states for people ("French President A B", "A B,
    /// France's foreign minister", "Prime Minister A B of France", nationality lists), with the
    /// articles' dates; writes a PETRARCH dictionary for `analyze --gazetteer`.
    #[command(
        after_help = "Example:\n  actorstance actors learn corpus.jsonl -o learned.actors\n  actorstance analyze corpus.jsonl --gazetteer learned.actors -o out.jsonl\n\nInputs as for analyze, stdin too ('-'): learning reads them once.\nA summary (people learned, conflicts, surnames left out) goes to stderr."
    )]
    Learn(LearnArgs),
}

#[derive(clap::Args)]
pub struct LearnArgs {
    /// JSONL files, .txt files, directories, or '-' for stdin, as for analyze.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The dictionary to write (through FILE.partial, renamed when complete).
    #[arg(short, long)]
    pub out: PathBuf,
    /// A person is learned when at least this many articles state a country for them.
    #[arg(long, default_value_t = 2)]
    pub min_articles: usize,
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    #[arg(long, default_value_t = actorstance::pipeline::BATCH_ARTICLES)]
    pub batch_articles: usize,
    #[arg(long, default_value = "auto")]
    pub precision: PrecisionChoice,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// JSONL files, .txt files, directories, or '-' for stdin (default).
    pub inputs: Vec<PathBuf>,
    /// Write JSONL here instead of stdout (through FILE.partial, renamed when complete).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Output format: JSON Lines (schema v1), or the flat tables articles, actors, pairs and
    /// mentions as CSV or Parquet files in the folder given with -o.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Continue an interrupted run into the same -o FILE: records already there are kept
    /// (checked against the input by position and id) and the rest appended. Give the same
    /// inputs and --batch-articles as the first run.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Model folder: ours, or a Hugging Face BERT token-classification folder (NER only); or
    /// `default` (the bundled default model, used when none is given) or `fast` (the bundled
    /// fast tier: half the encoder's layers, distilled from the default).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Threads for the encoder and the text stages.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Count members' stance and portrayal for their country too.
    #[arg(long, value_enum, default_value_t = RollupArg::Country)]
    pub rollup: RollupArg,
    /// Add the raw per-sentence predictions (`explain`) to each article.
    #[arg(long)]
    pub explain: bool,
    /// A PETRARCH/TABARI .actors dictionary for CAMEO codes (dates checked against `date`);
    /// its people's countries come before the bundled office-holders. A file written by
    /// `actors learn` lists people only.
    #[arg(long)]
    pub gazetteer: Option<PathBuf>,
    /// First learn people's countries from the same inputs (as `actors learn` does: a first
    /// pass through the model), then analyse with them, after --gazetteer's and before the
    /// bundled office-holders. Not for stdin.
    #[arg(long)]
    pub learn_actors: bool,
    /// --learn-actors: a person is learned when at least this many articles state a country.
    #[arg(long, default_value_t = 2, requires = "learn_actors")]
    pub min_articles: usize,
    /// Articles analysed together (one encoder pass over their sentences); output reaches
    /// its destination after each batch.
    #[arg(long, default_value_t = actorstance::pipeline::BATCH_ARTICLES)]
    pub batch_articles: usize,
    /// The encoder's number format: fp32, bf16, or auto (bf16 on CPUs with AVX-512 BF16,
    /// where it is faster and holds the dev metrics; fp32 elsewhere).
    #[arg(long, default_value = "auto")]
    pub precision: PrecisionChoice,
    /// No progress bar (it is shown only when stderr is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::Args)]
pub struct AggregateArgs {
    /// Results of `actorstance analyze`: JSONL files, folders of them, or a folder of Parquet
    /// tables (--format parquet).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Time bucket.
    #[arg(long, value_enum, default_value_t = PeriodArg::Day)]
    pub by: PeriodArg,
    /// `country`: members' pairs and scores count for their country (once per article).
    #[arg(long, value_enum, default_value_t = RollupArg::None)]
    pub rollup: RollupArg,
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// JSONL: a file (default stdout); csv/parquet: a folder for pairs and actors.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
}

/// What `eval` measures (matched exhaustively: a task added here must be handled).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EvalTask {
    Ner,
    Tsc,
    Dsa,
    Persent,
    Actors,
    /// Who said what, against a PolNeAR folder (text/, attributions/).
    Attribution,
    /// Pronoun resolution, against a GAP file (.tsv).
    Coref,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
    Parquet,
}

impl Format {
    /// The table format, or None for JSONL.
    pub fn table(self) -> Option<TableFormat> {
        match self {
            Format::Jsonl => None,
            Format::Csv => Some(TableFormat::Csv),
            Format::Parquet => Some(TableFormat::Parquet),
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RollupArg {
    /// Members' scores also count for the country they belong to.
    Country,
    None,
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Base encoder folder (config.json, tokenizer.json, weights).
    #[arg(long, default_value = ".cache/base-model")]
    pub base: PathBuf,
    /// Start from this model folder (ours) instead of the base encoder with new heads.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Where the best epoch's model goes (a resumable checkpoint goes to OUT.checkpoint).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Folder laid out like ../shared/data.
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    #[arg(long, default_value_t = 3)]
    pub epochs: usize,
    #[arg(long, default_value_t = 7e-5)]
    pub lr: f64,
    /// Peak learning rate of NER steps, and of entity-span steps (default: --lr).
    #[arg(long)]
    pub lr_ner: Option<f64>,
    /// Peak learning rate of target-sentiment steps (default: --lr).
    #[arg(long)]
    pub lr_tsc: Option<f64>,
    /// Peak learning rate of directed-stance steps (default: --lr).
    #[arg(long)]
    pub lr_dsa: Option<f64>,
    /// Train DSA pairs in their given order only (default: also mirrored, p and q swapped).
    #[arg(long)]
    pub no_dsa_mirror: bool,
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 128)]
    pub max_len: usize,
    /// Width of the word-shape embedding joined to token states for NER (0: none).
    #[arg(long, default_value_t = 16)]
    pub shape_dim: i64,
    #[arg(long, default_value_t = 13)]
    pub seed: u64,
    /// At most this many training examples per task (smoke tests).
    #[arg(long)]
    pub limit: Option<usize>,
    /// At most this many steps per epoch (smoke tests).
    #[arg(long)]
    pub max_steps: Option<usize>,
    /// Evaluate on at most this many dev examples per file (smoke tests).
    #[arg(long)]
    pub dev_limit: Option<usize>,
    /// Tasks to train: ner (CoNLL), tsc (NewsMTSC), dsa (DSA pairs), spans (DSA's bracketed
    /// entities as partial NER labels), transfer (DSA's entities as sentiment targets, on the
    /// teacher's soft labels alone: distillation only). Dev figures always cover every head, to
    /// show any forgetting.
    #[arg(long, value_delimiter = ',', default_values_t = Task::GOLD)]
    pub tasks: Vec<Task>,
    /// Train the heads only, on states the encoder computes once (needs --init): refits the
    /// heads of a trained model to its final encoder.
    #[arg(long, requires = "init")]
    pub freeze_encoder: bool,
    /// Distil this trained model (the teacher) into a student of fewer layers
    /// (--student-layers): the student starts from the teacher's own layers and heads, and
    /// each step adds to the batch's gold loss the mean squared distance of the student's
    /// states to the teacher's (computed once, without dropout). With --init, distillation
    /// continues that student instead (its layers were chosen when it was made, so
    /// --student-layers is not given).
    #[arg(long, conflicts_with = "freeze_encoder")]
    pub distill_from: Option<PathBuf>,
    /// The teacher's layers the student keeps, in order (0 is the first), e.g. 1,3,5.
    #[arg(long, value_delimiter = ',', requires = "distill_from", conflicts_with = "init")]
    pub student_layers: Vec<usize>,
    /// Weight of the states' distance in the distilled loss.
    #[arg(long, default_value_t = 1.0)]
    pub distill_weight: f64,
    /// Weight of the soft-label term in the distilled loss: the divergence of the student's
    /// head outputs from the teacher's, softened (0 leaves it out).
    #[arg(long, default_value_t = 0.0, requires = "distill_from")]
    pub distill_soft_weight: f64,
    /// The model's name, written to heads.json and reported in analyze's output.
    #[arg(long, default_value = "actorstance-minilm")]
    pub name: String,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
}
