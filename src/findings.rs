//! The per-sentence step after the encoder: NER tags → entities → mentions → target
//! sentiment per mention → directed stance per pair of mentions (the pairing policy lives
//! here). Input: one article's sentences with their encoder states; output: plain data.

use std::ops::Range;

use crate::actors::gazetteer::Gazetteer;
use crate::actors::mentions::{sentence_mentions, Mention};
use crate::attribution::{self, Statement, LABELS};
use crate::encode::SentenceStates;
use crate::error::Result;
use crate::heads::{
    attribution_probs, directed_stance_many, piece_range, tag_sentences, target_sentiment_many, PieceRange,
};
use crate::model::StanceModel;
use crate::ner::{entities, viterbi_bio, Entity, EntityKind};
use crate::tokenize::Pieces;
use tch::Tensor;

/// Mentions of one sentence that enter pairs (the first ones, in text order): at most 276 pairs.
pub const MAX_PAIRED_MENTIONS: usize = 24;

/// What the model stage found in one article.
#[derive(Debug, Default)]
pub struct Findings {
    pub sentences: Vec<Range<usize>>,
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    /// (mention p, mention q, P(neutral, p+q, q+p, p−q, q−p)), p before q in the text.
    pub pairs: Vec<(usize, usize, [f32; 5])>,
    /// Who said what, in text order (empty where the model has no attribution head).
    pub statements: Vec<Statement>,
    pub unscored: Unscored,
}

/// What the model stage could not score in an article, counted so that no limit drops work
/// unseen (the output says so per article, the run in its summary).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unscored {
    /// Sentences with no word pieces: nothing for the encoder to read.
    pub sentences: usize,
    /// Mentions that cover no word piece of their own: no portrayal and no pairs.
    pub mentions: usize,
    /// Pairs of mentions past the first [`MAX_PAIRED_MENTIONS`] of a sentence: not scored.
    pub pairs: usize,
}

impl Unscored {
    pub fn any(&self) -> bool {
        *self != Unscored::default()
    }

    /// What a run's warning says when limits left work undone (the CLI and the Python package).
    pub fn warning(&self) -> String {
        format!(
            "limits left work unscored ({} sentences without word pieces, {} mentions without word pieces, {} mention pairs past {} mentions in a sentence); each article says so under \"unscored\"",
            self.sentences, self.mentions, self.pairs, MAX_PAIRED_MENTIONS
        )
    }

    pub fn add(&mut self, other: &Unscored) {
        self.sentences += other.sentences;
        self.mentions += other.mentions;
        self.pairs += other.pairs;
    }
}

impl Findings {
    pub fn new(sentences: Vec<Range<usize>>) -> Self {
        Findings {
            sentences,
            ..Default::default()
        }
    }
}

/// What the heads read of one sentence, between the passes.
struct SentenceWork {
    mentions: Vec<Mention>,
    /// (mention, its piece range) for the mentions that cover a piece.
    spans: Vec<(usize, PieceRange)>,
    pairs: Vec<(usize, usize, (PieceRange, PieceRange))>,
    pairs_past_cap: usize,
}

/// The per-sentence step over a batch of articles, each head in one pass over all their
/// sentences: NER tags → entities → mentions → target sentiment per mention → directed
/// stance per pair of mentions. One pass per head rather than a dozen small operations per
/// sentence: on 2 cores these took 2.2 s of a PerSenT dev run.
pub fn add_sentences(model: &StanceModel, gazetteer: &Gazetteer, articles: &mut [ArticleStates<'_>]) -> Result<()> {
    let texts: Vec<_> = articles.iter().map(|(_, c, p, s)| (*c, *p, *s)).collect();
    // (article, sentence, pieces, states) of every sentence with pieces, in text order.
    let read: Vec<(usize, usize, &Pieces, &SentenceStates)> = texts
        .iter()
        .enumerate()
        .flat_map(|(a, (_, pieces, states))| {
            pieces
                .iter()
                .zip(states.iter())
                .enumerate()
                .filter_map(move |(k, (p, s))| Some((a, k, p, s.as_ref()?)))
        })
        .collect();
    for ((f, ..), (_, _, states)) in articles.iter_mut().zip(&texts) {
        f.unscored.sentences += states.iter().filter(|s| s.is_none()).count();
    }
    let tags = tag_sentences(model, &read.iter().map(|&(_, _, p, s)| (s, p)).collect::<Vec<_>>())?;
    let mut work = Vec::with_capacity(read.len());
    for (&(a, k, pieces, _), tags) in read.iter().zip(&tags) {
        let f = &mut *articles[a].0;
        let chars = texts[a].0;
        let range = f.sentences[k].clone();
        let first_entity = f.entities.len();
        f.entities
            .extend(entities(pieces, tags, &model.heads.ner_labels, chars, range.start, k));
        let ents: Vec<(usize, &Entity)> = (first_entity..f.entities.len()).map(|i| (i, &f.entities[i])).collect();
        let text: String = chars[range.clone()].iter().collect();
        let mentions = sentence_mentions(gazetteer, &text, range.start, k, &ents);
        let spans: Vec<(usize, PieceRange)> = mentions
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((i, piece_range(pieces, m.start - range.start, m.end - range.start)?)))
            .collect();
        // Pronouns and titles take no part in pairs: on DSA valid end to end they cost 2.4
        // and 0.7 points of F1 (a wrong antecedent carries a pair to the wrong actor). A
        // speaker's pronoun or title carries its stance through the statement instead.
        let named: Vec<(usize, PieceRange)> = spans
            .iter()
            .copied()
            .filter(|&(i, _)| !matches!(mentions[i].kind, EntityKind::Pronoun | EntityKind::Title))
            .collect();
        work.push(SentenceWork {
            pairs_past_cap: pairs_past_cap(&mentions, &named),
            pairs: pairs(&mentions, &named),
            mentions,
            spans,
        });
    }
    let (portrayals, stances) = if model.heads.has_stance() {
        let ranges: Vec<Vec<PieceRange>> = work.iter().map(|w| w.spans.iter().map(|x| x.1).collect()).collect();
        let pair_ranges: Vec<Vec<(PieceRange, PieceRange)>> =
            work.iter().map(|w| w.pairs.iter().map(|x| x.2).collect()).collect();
        let states = read.iter().map(|r| r.3);
        let portrayals = target_sentiment_many(
            model,
            &states.clone().zip(ranges.iter().map(Vec::as_slice)).collect::<Vec<_>>(),
        )?;
        let stances = directed_stance_many(
            model,
            &states.zip(pair_ranges.iter().map(Vec::as_slice)).collect::<Vec<_>>(),
        )?;
        (portrayals, stances)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut portrayals = portrayals.into_iter();
    let mut stances = stances.into_iter();
    for (&(a, ..), mut w) in read.iter().zip(work) {
        let f = &mut *articles[a].0;
        if model.heads.has_stance() {
            for (&(i, _), pr) in w.spans.iter().zip(portrayals.next().unwrap_or_default()) {
                w.mentions[i].portrayal = Some(pr);
            }
            f.unscored.mentions += w.mentions.len() - w.spans.len();
            f.unscored.pairs += w.pairs_past_cap;
            let base = f.mentions.len();
            for ((i, j, _), pr) in w.pairs.iter().zip(stances.next().unwrap_or_default()) {
                f.pairs.push((base + i, base + j, pr));
            }
        }
        f.mentions.extend(w.mentions);
    }
    Ok(())
}

impl Findings {
    /// The attribution head over this one article (see [`add_statements`]).
    pub fn add_statements(
        &mut self,
        model: &StanceModel,
        chars: &[char],
        pieces: &[Pieces],
        states: &[Option<SentenceStates>],
    ) -> Result<()> {
        add_statements(model, &mut [(self, chars, pieces, states)])
    }
}

/// One article as the heads read it: its findings (sentences in; entities, mentions, pairs and
/// statements out), chars, pieces per sentence and states per sentence (None: no pieces).
pub type ArticleStates<'a> = (&'a mut Findings, &'a [char], &'a [Pieces], &'a [Option<SentenceStates>]);

/// What the attribution head reads of one article, and its words to read the tags back.
struct AttributionInput<'a> {
    quoting: Vec<attribution::Quoting>,
    states: Vec<&'a Tensor>,
    features: Vec<i64>,
    /// (first char, end char, first piece of the article) per word, in text order.
    words: Vec<(usize, usize, usize)>,
}

fn attribution_input<'a>(
    sentences: &[Range<usize>],
    chars: &[char],
    pieces: &[Pieces],
    states: &'a [Option<SentenceStates>],
) -> AttributionInput<'a> {
    let quoting = attribution::quoting(chars);
    let (mut tensors, mut features) = (Vec::new(), Vec::new());
    let mut words: Vec<(usize, usize, usize)> = Vec::new();
    let mut base = 0;
    for ((range, p), st) in sentences.iter().zip(pieces).zip(states) {
        let Some(st) = st else { continue };
        features.extend(attribution::piece_features(&quoting, range.start, &p.offsets));
        for (i, &(a, b)) in p.offsets.iter().enumerate() {
            let (a, b) = (range.start + a, range.start + b);
            match words.last_mut() {
                Some(w) if !p.starts_word(i) => *w = (w.0, b, w.2),
                _ => words.push((a, b, base + i)),
            }
        }
        tensors.push(&st.pieces);
        base += p.len();
    }
    AttributionInput {
        quoting,
        states: tensors,
        features,
        words,
    }
}

/// The attribution head over several articles in one pass, after their sentences: tagged
/// words → spans → statements, per article. A tensor failure is the whole call's.
pub fn add_statements(model: &StanceModel, articles: &mut [ArticleStates<'_>]) -> Result<()> {
    if model.attribution.is_none() {
        return Ok(());
    }
    let inputs: Vec<AttributionInput> = articles
        .iter()
        .map(|(f, chars, pieces, states)| attribution_input(&f.sentences, chars, pieces, states))
        .collect();
    let reads: Vec<(&[&Tensor], &[i64])> = inputs
        .iter()
        .map(|i| (i.states.as_slice(), i.features.as_slice()))
        .collect();
    let probs = attribution_probs(model, &reads)?;
    let n = LABELS.len();
    let labels: Vec<String> = LABELS.iter().map(|l| l.to_string()).collect();
    for ((f, ..), (input, probs)) in articles.iter_mut().zip(inputs.iter().zip(probs)) {
        let log_probs: Vec<Vec<f32>> = input
            .words
            .iter()
            .map(|w| {
                probs[w.2 * n..(w.2 + 1) * n]
                    .iter()
                    .map(|p| p.max(1e-12).ln())
                    .collect()
            })
            .collect();
        let tagged: Vec<(usize, usize, usize)> = input
            .words
            .iter()
            .zip(viterbi_bio(&log_probs, &labels))
            .map(|(w, l)| (w.0, w.1, l))
            .collect();
        f.statements = attribution::statements(&attribution::spans(&tagged), &f.sentences, &input.quoting);
    }
    Ok(())
}

/// The pairs that [`pairs`] would form among all of `spans` but leaves out past the cap.
fn pairs_past_cap(ms: &[Mention], spans: &[(usize, PieceRange)]) -> usize {
    (MAX_PAIRED_MENTIONS..spans.len())
        .map(|b| (0..b).filter(|&a| ms[spans[a].0].text != ms[spans[b].0].text).count())
        .sum()
}

/// Every pair of mentions with different text; one pass of the head gives both directions.
/// Capped so that a list-like "sentence" cannot explode quadratically.
fn pairs(ms: &[Mention], spans: &[(usize, PieceRange)]) -> Vec<(usize, usize, (PieceRange, PieceRange))> {
    let n = spans.len().min(MAX_PAIRED_MENTIONS);
    let mut out = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let (i, j) = (spans[a].0, spans[b].0);
            if ms[i].text != ms[j].text {
                out.push((i, j, (spans[a].1, spans[b].1)));
            }
        }
    }
    out
}
