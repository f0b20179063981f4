//! Wires the stages. A run reads records in batches; per batch, the text stages run in
//! parallel (rayon), the encoder runs once over every sentence of the batch, then the
//! per-sentence step ([`findings`](crate::findings)), actor resolution and stance scoring run
//! per article in parallel. Every record gives exactly one [`Outcome`], in input order, into a
//! [`Sink`].

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::actors::gazetteer::Gazetteer;
use crate::actors::leaders::Leaders;
use crate::actors::petrarch::ActorDictionary;
use crate::actors::places::Places;
use crate::actors::resolve::{dictionary_index, Resolver};
use crate::encode::{encode_sentences, SentenceStates, TOKEN_BUDGET};
use crate::error::{Error, Failure, FailureKind, Result};
use crate::findings::{add_sentences, add_statements, ArticleStates, Findings, Unscored};
use crate::model::StanceModel;
use crate::record::{Analysis, Article, ModelId, Outcome, Record};
use crate::sink::Sink;
use crate::stance::{score_actors, Rollup};
use crate::tokenize::{Pieces, WordPieceTokenizer};
use crate::{clean, segment};

#[derive(Debug, Clone)]
pub struct Options {
    pub rollup: Rollup,
    /// Padded word pieces per encoder pass (see [`TOKEN_BUDGET`]).
    pub token_budget: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rollup: Rollup::Country,
            token_budget: TOKEN_BUDGET,
        }
    }
}

/// Threads for libtorch and for the text stages (rayon), process-wide. The first call sets
/// rayon's pool; later calls (tests, library users) change only libtorch's.
pub fn set_threads(n: usize) {
    tch::set_num_threads(n.max(1) as i32);
    let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
}

/// Records per batch unless a run says otherwise (`RunOptions::batch_articles`).
pub const BATCH_ARTICLES: usize = 32;

/// How a run goes through its records.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    /// Records analysed together (one encoder pass over their sentences). Batches start at
    /// record 0 and every multiple of this, so a resumed run sees the same batches.
    pub batch_articles: usize,
    /// Ids of the records that an earlier run already wrote, in order (resuming): they are
    /// checked against the input and not written again.
    pub done: &'a [String],
    /// Set (by a signal handler) to stop after the current batch.
    pub stop: Option<&'a AtomicBool>,
    /// Called after each batch with the number of records it settled (written or skipped).
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions {
            batch_articles: BATCH_ARTICLES,
            done: &[],
            stop: None,
            progress: None,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records written to the sink.
    pub ok: usize,
    pub failed: usize,
    /// Records an earlier run had written (resuming).
    pub skipped: usize,
    /// The run stopped early on request; the sink has every record before that point.
    pub interrupted: bool,
    /// What the written articles could not have scored, added up.
    pub unscored: Unscored,
}

impl Summary {
    /// Counts one outcome that was written.
    pub fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Analysed(_, a) => {
                self.ok += 1;
                self.unscored.add(&a.findings.unscored);
            }
            Outcome::Failed { .. } => self.failed += 1,
        }
    }
}

pub struct Analyzer {
    pub model: StanceModel,
    pub gazetteer: Gazetteer,
    pub places: Places,
    pub leaders: Leaders,
    pub dictionary: Option<(ActorDictionary, std::collections::HashMap<String, usize>)>,
    pub options: Options,
}

/// An article after the text stages: its chars, sentences (char ranges) and their pieces.
pub struct Prepared {
    pub chars: Vec<char>,
    pub sentences: Vec<Range<usize>>,
    pub pieces: Vec<Pieces>,
}

/// A record after the text stages: ready for the encoder, or already settled.
// Nearly every record is ready: boxing the article would only add an allocation per record.
#[allow(clippy::large_enum_variant)]
type Staged = std::result::Result<(Article, Prepared), Outcome>;

impl Analyzer {
    pub fn new(model: StanceModel, options: Options) -> Result<Self> {
        let gazetteer = Gazetteer::bundled()?;
        Ok(Analyzer {
            model,
            places: Places::bundled(&gazetteer)?,
            leaders: Leaders::bundled()?,
            gazetteer,
            dictionary: None,
            options,
        })
    }

    /// A user's PETRARCH dictionary: its CAMEO codes, and its people before the bundled
    /// office-holders. With `people` (a dictionary written by `actors learn`), every entry is a
    /// person. A dictionary given later comes first: its codes and people win over those given
    /// before.
    pub fn with_dictionary(mut self, dict: ActorDictionary, people: bool) -> Self {
        self.leaders = self.leaders.with_first(dict.clone(), people);
        let mut merged = dict;
        if let Some((earlier, _)) = self.dictionary.take() {
            merged.entries.extend(earlier.entries);
            merged.skipped_lines += earlier.skipped_lines;
        }
        let index = dictionary_index(&merged);
        self.dictionary = Some((merged, index));
        self
    }

    /// People learned by `actors learn` (or `analyze --learn-actors`): the same as giving the
    /// file it writes with [`with_dictionary`](Self::with_dictionary).
    pub fn with_learned(self, dict: ActorDictionary) -> Self {
        self.with_dictionary(dict, true)
    }

    pub fn model_info(&self) -> ModelId {
        ModelId {
            name: self.model.heads.name.clone(),
            version: self.model.heads.version.clone(),
        }
    }

    /// Runs `records` into `sink`, batch by batch. Fails only when the sink does, or when
    /// `run.done` does not match the input; a record that cannot be analysed is an outcome.
    ///
    /// The text stages of the next batch run on a second thread while this batch is in the
    /// encoder; records are read on the calling thread, so a stalled input never holds up the
    /// end of a run.
    pub fn run(
        &self,
        records: impl IntoIterator<Item = Record>,
        sink: &mut impl Sink,
        run: &RunOptions,
    ) -> Result<Summary> {
        let (to_prepare, inbox) = std::sync::mpsc::sync_channel::<(usize, Vec<Record>)>(1);
        let (outbox, prepared) = std::sync::mpsc::sync_channel::<(usize, Vec<Staged>)>(1);
        let tokenizer = &self.model.tokenizer;
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for (start, batch) in inbox {
                    if outbox.send((start, prepare_batch(tokenizer, batch))).is_err() {
                        break;
                    }
                }
            });
            // Both channel ends move in, so that returning (an error included) lets the thread end.
            self.run_prepared(records.into_iter(), to_prepare, prepared, sink, run)
        })
    }

    fn run_prepared(
        &self,
        mut records: impl Iterator<Item = Record>,
        to_prepare: std::sync::mpsc::SyncSender<(usize, Vec<Record>)>,
        prepared: std::sync::mpsc::Receiver<(usize, Vec<Staged>)>,
        sink: &mut impl Sink,
        run: &RunOptions,
    ) -> Result<Summary> {
        let stopped = || run.stop.is_some_and(|s| s.load(Ordering::SeqCst));
        let progress = |n| {
            if let Some(p) = run.progress {
                p(n)
            }
        };
        let mut summary = Summary::default();
        let mut position = 0;
        let mut in_flight = 0;
        let mut exhausted = false;
        loop {
            // Keep one batch in preparation ahead of the one going into the encoder.
            while in_flight < 2 && !exhausted && !stopped() {
                let batch: Vec<Record> = records.by_ref().take(run.batch_articles.max(1)).collect();
                if batch.is_empty() {
                    exhausted = true;
                    break;
                }
                let start = position;
                position += batch.len();
                for (k, r) in batch.iter().enumerate().take(run.done.len().saturating_sub(start)) {
                    if run.done[start + k] != r.id() {
                        return Err(Error::ResumeMismatch {
                            position: start + k + 1,
                            done: run.done[start + k].clone(),
                            input: r.id().to_string(),
                        });
                    }
                }
                if position <= run.done.len() {
                    summary.skipped += batch.len();
                    progress(batch.len());
                    continue;
                }
                // The thread that prepares only ends when this sender is dropped.
                let _ = to_prepare.send((start, batch));
                in_flight += 1;
            }
            if in_flight == 0 || stopped() {
                break;
            }
            let Ok((start, staged)) = prepared.recv() else {
                break;
            };
            in_flight -= 1;
            let n = staged.len();
            // A batch that an earlier run left half-written is analysed whole (the same
            // batch gives the same bytes) and only its missing records are written.
            for (k, outcome) in self.finish(staged).into_iter().enumerate() {
                if start + k < run.done.len() {
                    summary.skipped += 1;
                    continue;
                }
                summary.count(&outcome);
                sink.write(outcome)?;
            }
            sink.flush()?;
            progress(n);
        }
        summary.interrupted = stopped() && !(exhausted && in_flight == 0);
        if !summary.interrupted && position < run.done.len() {
            return Err(Error::ResumeMismatch {
                position: position + 1,
                done: run.done[position].clone(),
                input: "(end of input)".into(),
            });
        }
        Ok(summary)
    }

    /// One batch on the calling thread: an outcome per record, in order (the Python package's
    /// generator, which must hand back control between batches).
    pub fn analyze(&self, records: Vec<Record>) -> Vec<Outcome> {
        self.finish(prepare_batch(&self.model.tokenizer, records))
    }

    /// The encoder and heads over the whole batch, then actors and stance per article.
    // A record that stopped early carries its whole outcome as the error: no allocation needed.
    #[allow(clippy::result_large_err)]
    fn finish(&self, staged: Vec<Staged>) -> Vec<Outcome> {
        let prepared: Vec<&Prepared> = staged.iter().filter_map(|s| s.as_ref().ok()).map(|(_, p)| p).collect();
        let mut findings = self.model_stage(&prepared).into_iter();
        let staged: Vec<_> = staged
            .into_iter()
            .map(|s| s.map(|(a, p)| (a, p, findings.next())))
            .collect();
        let resolver = self.resolver();
        let rollup = self.options.rollup;
        staged
            .into_par_iter()
            .map(|s| match s {
                Err(outcome) => outcome,
                Ok((a, p, Some(Ok(f)))) => {
                    let resolution = resolver.resolve(&p.chars, &f.mentions, a.date.as_deref());
                    let scores = score_actors(&resolution, &f, rollup);
                    Outcome::Analysed(
                        a,
                        Analysis {
                            chars: p.chars,
                            findings: f,
                            resolution,
                            scores,
                        },
                    )
                }
                Ok((a, _, Some(Err(failure)))) => Outcome::failed(a, failure),
                Ok((a, _, None)) => Outcome::failed(
                    a,
                    Failure::new(FailureKind::AnalysisFailed, "the model stage gave no result"),
                ),
            })
            .collect()
    }

    /// One encoder pass over every sentence of the batch, then the heads per sentence.
    fn model_stage(&self, prepared: &[&Prepared]) -> Vec<std::result::Result<Findings, Failure>> {
        let model = &self.model;
        let all: Vec<&Pieces> = prepared.iter().flat_map(|p| p.pieces.iter()).collect();
        let states = match encode_sentences(model, &all, self.options.token_budget) {
            Ok(s) => s,
            Err(e) => {
                let failure = Failure::new(FailureKind::AnalysisFailed, format!("encoder: {e}"));
                return prepared.iter().map(|_| Err(failure.clone())).collect();
            }
        };
        let mut states = states.into_iter();
        // Each article takes its own sentences' states.
        let mut articles: Vec<(Findings, Vec<Option<SentenceStates>>)> = prepared
            .iter()
            .map(|p| {
                (
                    Findings::new(p.sentences.clone()),
                    states.by_ref().take(p.sentences.len()).collect(),
                )
            })
            .collect();
        let mut read: Vec<ArticleStates> = articles
            .iter_mut()
            .zip(prepared)
            .map(|((f, own), p)| (f, p.chars.as_slice(), p.pieces.as_slice(), own.as_slice()))
            .collect();
        // The heads over the whole batch at once, then who said what in one pass of its head.
        let done = add_sentences(model, &self.gazetteer, &mut read).and_then(|()| add_statements(model, &mut read));
        match done {
            Ok(()) => articles.into_iter().map(|(f, _)| Ok(f)).collect(),
            Err(e) => {
                let failure = Failure::new(FailureKind::AnalysisFailed, e.to_string());
                prepared.iter().map(|_| Err(failure.clone())).collect()
            }
        }
    }

    /// The actor resolver over this analyzer's tables.
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver {
            gazetteer: &self.gazetteer,
            places: &self.places,
            leaders: &self.leaders,
            dictionary: self.dictionary.as_ref().map(|d| &d.0),
            dictionary_index: self.dictionary.as_ref().map(|d| &d.1),
        }
    }
}

/// The text stages of a batch, in parallel: a record that stops here carries its outcome.
#[allow(clippy::result_large_err)]
fn prepare_batch(tokenizer: &WordPieceTokenizer, records: Vec<Record>) -> Vec<Staged> {
    records
        .into_par_iter()
        .map(|r| match r {
            Record::Failed { id, failure, extra } => Err(Outcome::Failed { id, failure, extra }),
            Record::Ok(a) => match prepare(tokenizer, &a.text) {
                Ok(p) => Ok((a, p)),
                Err(e) => Err(Outcome::failed(
                    a,
                    Failure::new(FailureKind::AnalysisFailed, e.to_string()),
                )),
            },
        })
        .collect()
}

/// The text stages of one article: clean → segment → tokenize (training reads gold articles
/// through the same stages as analysis).
pub fn prepare(tokenizer: &WordPieceTokenizer, text: &str) -> Result<Prepared> {
    let chars: Vec<char> = text.chars().collect();
    let sentences: Vec<Range<usize>> = clean::body_paragraphs(text)
        .into_iter()
        .flat_map(|p| segment::sentences(&chars, p))
        .collect();
    let pieces = sentences
        .iter()
        .map(|r| tokenizer.sentence(&chars[r.clone()].iter().collect::<String>()))
        .collect::<Result<_>>()?;
    Ok(Prepared {
        chars,
        sentences,
        pieces,
    })
}
