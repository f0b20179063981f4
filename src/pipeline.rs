//! Runs the stages over a batch of records. CPU stages run in parallel (rayon); the
//! encoder runs once over all sentences of the batch, length-sorted; the output keeps the
//! input order and has exactly one entry per record.

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use crate::actors::gazetteer::Gazetteer;
use crate::actors::petrarch::ActorDictionary;
use crate::actors::resolve::{dictionary_index, Resolution, Resolver};
use crate::encode::encode_sentences;
use crate::error::Result;
use crate::heads::{directed_stance, piece_range, tag_pieces, target_sentiment};
use crate::input::{Article, Record};
use crate::mentions::{sentence_mentions, Mention};
use crate::model::StanceModel;
use crate::ner::{entities, Entity};
use crate::output::*;
use crate::stance::{aggregate, directed_items, portrayal_item, Item, Score};
use crate::tokenize::Pieces;
use crate::{clean, segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Rollup {
    /// Members' scores also count for the country they belong to.
    Country,
    None,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub rollup: Rollup,
    pub explain: bool,
    /// Encoder windows per forward pass.
    pub batch_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rollup: Rollup::Country,
            explain: false,
            batch_size: 32,
        }
    }
}

/// Mentions of one sentence that enter pairs (the first ones, in text order): at most 276 pairs.
pub const MAX_PAIRED_MENTIONS: usize = 24;

pub struct Analyzer {
    pub model: StanceModel,
    pub gazetteer: Gazetteer,
    pub dictionary: Option<(ActorDictionary, HashMap<String, usize>)>,
    pub options: Options,
}

/// What the model stage found in one article: plain data.
#[derive(Debug, Default)]
pub struct Findings {
    pub sentences: Vec<Range<usize>>,
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    /// (mention p, mention q, P(neutral, p+q, q+p, p−q, q−p)), p before q in the text.
    pub pairs: Vec<(usize, usize, [f32; 5])>,
}

struct Prepared {
    chars: Vec<char>,
    sentences: Vec<Range<usize>>,
    pieces: Vec<Pieces>,
}

impl Analyzer {
    pub fn new(model: StanceModel, options: Options) -> Result<Self> {
        Ok(Analyzer {
            model,
            gazetteer: Gazetteer::bundled()?,
            dictionary: None,
            options,
        })
    }

    pub fn with_dictionary(mut self, dict: ActorDictionary) -> Self {
        let index = dictionary_index(&dict);
        self.dictionary = Some((dict, index));
        self
    }

    pub fn model_info(&self) -> ModelOut {
        ModelOut {
            name: self.model.heads.name.clone(),
            version: self.model.heads.version.clone(),
        }
    }

    pub fn analyze(&self, records: Vec<Record>) -> Vec<ArticleOutput> {
        let tokenizer = &self.model.tokenizer;
        let prepared: Vec<Option<std::result::Result<Prepared, String>>> = records
            .par_iter()
            .map(|r| match r {
                Record::Ok(a) => Some(prepare(tokenizer, a).map_err(|e| e.to_string())),
                Record::Failed { .. } => None,
            })
            .collect();
        let findings = self.model_stage(&prepared);
        let info = self.model_info();
        let resolver = self.resolver();
        let options = &self.options;
        records
            .into_par_iter()
            .zip(prepared.into_par_iter().zip(findings.into_par_iter()))
            .map(|(record, (prep, found))| match (record, prep, found) {
                (
                    Record::Failed {
                        id,
                        kind,
                        message,
                        extra,
                    },
                    _,
                    _,
                ) => ArticleOutput::failed(id, kind, message, info.clone(), extra),
                (Record::Ok(a), Some(Err(msg)), _) | (Record::Ok(a), _, Err(msg)) => {
                    ArticleOutput::failed(a.id, "analysis_failed", msg, info.clone(), a.extra)
                }
                (Record::Ok(a), Some(Ok(p)), Ok(f)) => article_output(&resolver, options, a, &p.chars, f, info.clone()),
                (Record::Ok(a), None, _) => ArticleOutput::failed(
                    a.id,
                    "internal",
                    "article was not prepared".into(),
                    info.clone(),
                    a.extra,
                ),
            })
            .collect()
    }

    /// One encoder pass over every sentence of the batch, then the heads per sentence.
    fn model_stage(
        &self,
        prepared: &[Option<std::result::Result<Prepared, String>>],
    ) -> Vec<std::result::Result<Findings, String>> {
        let model = &self.model;
        let all: Vec<&Pieces> = prepared
            .iter()
            .flatten()
            .flatten()
            .flat_map(|p| p.pieces.iter())
            .collect();
        let states = match encode_sentences(model, &all, self.options.batch_size) {
            Ok(s) => s,
            Err(e) => return prepared.iter().map(|_| Err(format!("encoder: {e}"))).collect(),
        };
        let mut states = states.into_iter();
        prepared
            .iter()
            .map(|p| {
                let Some(Ok(p)) = p else {
                    return Ok(Findings::default());
                };
                let mut f = Findings {
                    sentences: p.sentences.clone(),
                    ..Default::default()
                };
                for (k, (range, pieces)) in p.sentences.iter().zip(&p.pieces).enumerate() {
                    let Some(st) = states.next().flatten() else {
                        continue;
                    };
                    let first_entity = f.entities.len();
                    f.entities.extend(entities(
                        pieces,
                        &tag_pieces(model, &st, pieces),
                        &model.heads.ner_labels,
                        &p.chars,
                        range.start,
                        k,
                    ));
                    let ents: Vec<(usize, &Entity)> =
                        (first_entity..f.entities.len()).map(|i| (i, &f.entities[i])).collect();
                    let text: String = p.chars[range.clone()].iter().collect();
                    let mut ms = sentence_mentions(&self.gazetteer, &text, range.start, k, &ents);
                    if !model.heads.has_stance() {
                        f.mentions.extend(ms);
                        continue;
                    }
                    let spans: Vec<Option<(usize, usize)>> = ms
                        .iter()
                        .map(|m| piece_range(pieces, m.start - range.start, m.end - range.start))
                        .collect();
                    let scored: Vec<(usize, (usize, usize))> = spans
                        .iter()
                        .enumerate()
                        .filter_map(|(i, s)| s.map(|s| (i, s)))
                        .collect();
                    let probs = target_sentiment(model, &st, &scored.iter().map(|x| x.1).collect::<Vec<_>>());
                    for ((i, _), pr) in scored.iter().zip(probs) {
                        ms[*i].portrayal = Some(pr);
                    }
                    // Every pair of mentions with different text; one pass of the head gives both
                    // directions. Capped so that a list-like "sentence" cannot explode quadratically.
                    let mut pairs = Vec::new();
                    for a in 0..scored.len().min(MAX_PAIRED_MENTIONS) {
                        for b in a + 1..scored.len().min(MAX_PAIRED_MENTIONS) {
                            let (i, j) = (scored[a].0, scored[b].0);
                            if ms[i].text != ms[j].text {
                                pairs.push((i, j, (scored[a].1, scored[b].1)));
                            }
                        }
                    }
                    let probs = directed_stance(model, &st, &pairs.iter().map(|x| x.2).collect::<Vec<_>>());
                    let base = f.mentions.len();
                    for ((i, j, _), pr) in pairs.iter().zip(probs) {
                        f.pairs.push((base + i, base + j, pr));
                    }
                    f.mentions.extend(ms);
                }
                Ok(f)
            })
            .collect()
    }

    fn resolver(&self) -> Resolver<'_> {
        Resolver {
            gazetteer: &self.gazetteer,
            dictionary: self.dictionary.as_ref().map(|d| &d.0),
            dictionary_index: self.dictionary.as_ref().map(|d| &d.1),
        }
    }
}

fn article_output(
    resolver: &Resolver,
    options: &Options,
    a: Article,
    chars: &[char],
    f: Findings,
    model: ModelOut,
) -> ArticleOutput {
    let res = resolver.resolve(chars, &f.mentions, a.date.as_deref());
    let actors = score_actors(&res, &f, chars, options.rollup);
    let explain = options.explain.then(|| explain(&res, &f));
    ArticleOutput {
        id: a.id,
        status: "ok",
        error: None,
        model,
        title: a.title,
        date: a.date,
        extra: a.extra,
        sentences: f
            .sentences
            .iter()
            .map(|r| SentenceOut {
                start: r.start,
                end: r.end,
            })
            .collect(),
        entities: f
            .entities
            .iter()
            .map(|e| EntityOut {
                text: e.text.clone(),
                label: e.label.clone(),
                score: round(e.score),
                start: e.start,
                end: e.end,
                sentence: e.sentence,
            })
            .collect(),
        actors,
        explain,
    }
}

fn prepare(tokenizer: &crate::tokenize::WordPieceTokenizer, a: &Article) -> Result<Prepared> {
    let chars: Vec<char> = a.text.chars().collect();
    let sentences: Vec<Range<usize>> = clean::body_paragraphs(&a.text)
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

fn score_out(s: Score, sentences: &[Range<usize>], chars: &[char]) -> ScoreOut {
    ScoreOut {
        score: round(s.score),
        confidence: round(s.confidence),
        n_sentences: s.n_sentences,
        evidence: s
            .evidence
            .into_iter()
            .map(|(k, v)| {
                let r = sentences[k].clone();
                EvidenceOut {
                    sentence: k,
                    start: r.start,
                    end: r.end,
                    text: chars[r].iter().collect(),
                    score: round(v),
                }
            })
            .collect(),
    }
}

/// Per actor: outgoing pairs (toward), their aggregate (stance), and portrayal.
pub fn score_actors(res: &Resolution, f: &Findings, chars: &[char], rollup: Rollup) -> Vec<ActorOut> {
    let n = res.actors.len();
    // Each actor also speaks for the country it belongs to, when rolling up.
    let roles = |a: usize| -> Vec<usize> {
        let mut v = vec![a];
        if rollup == Rollup::Country {
            v.extend(res.actors[a].affiliation.filter(|&c| c != a));
        }
        v
    };
    let mut pair_items: HashMap<(usize, usize), Vec<Item>> = HashMap::new();
    for &(p, q, ref probs) in &f.pairs {
        let (Some(a), Some(b)) = (res.mention_actor[p], res.mention_actor[q]) else {
            continue;
        };
        // A country and its own members (or two members of one country) are one side, not a pair.
        let bloc = |x: usize| res.actors[x].affiliation.unwrap_or(x);
        if bloc(a) == bloc(b) {
            continue;
        }
        let (ab, ba) = directed_items(f.mentions[p].sentence, probs);
        let mut seen = std::collections::HashSet::new();
        for &x in &roles(a) {
            for &y in &roles(b) {
                if x != y && seen.insert((x, y)) {
                    pair_items.entry((x, y)).or_default().push(ab);
                    pair_items.entry((y, x)).or_default().push(ba);
                }
            }
        }
    }
    let mut portrayal_items: Vec<Vec<Item>> = vec![Vec::new(); n];
    for (m, mention) in f.mentions.iter().enumerate() {
        let (Some(a), Some(pr)) = (res.mention_actor[m], mention.portrayal) else {
            continue;
        };
        for x in roles(a) {
            portrayal_items[x].push(portrayal_item(mention.sentence, &pr));
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Most mentioned first; a country with members counts them.
    let weight = |a: usize| {
        res.actors[a].mentions.len()
            + res
                .actors
                .iter()
                .filter(|m| m.affiliation == Some(a))
                .map(|m| m.mentions.len())
                .sum::<usize>()
    };
    order.sort_by_key(|&a| (std::cmp::Reverse(weight(a)), a));
    order
        .into_iter()
        .map(|a| {
            let actor = &res.actors[a];
            let mut targets: Vec<(usize, &Vec<Item>)> = pair_items
                .iter()
                .filter(|((x, _), _)| *x == a)
                .map(|((_, y), v)| (*y, v))
                .collect();
            targets.sort_by_key(|&(y, _)| y);
            let outgoing: Vec<Item> = targets.iter().flat_map(|(_, v)| v.iter().copied()).collect();
            let mut toward: Vec<TowardOut> = targets
                .iter()
                .filter_map(|(y, v)| {
                    aggregate(v).map(|s| TowardOut {
                        target: res.actors[*y].id.clone(),
                        score: score_out(s, &f.sentences, chars),
                    })
                })
                .collect();
            toward.sort_by(|x, y| {
                y.score
                    .confidence
                    .total_cmp(&x.score.confidence)
                    .then(x.target.cmp(&y.target))
            });
            ActorOut {
                id: actor.id.clone(),
                name: actor.name.clone(),
                kind: actor.kind,
                affiliation: actor.affiliation.map(|c| res.actors[c].id.clone()),
                cameo: actor.cameo.clone(),
                mentions: actor
                    .mentions
                    .iter()
                    .map(|&m| {
                        let mm = &f.mentions[m];
                        MentionOut {
                            text: mm.text.clone(),
                            start: mm.start,
                            end: mm.end,
                            sentence: mm.sentence,
                        }
                    })
                    .collect(),
                stance: aggregate(&outgoing).map(|s| score_out(s, &f.sentences, chars)),
                portrayal: aggregate(&portrayal_items[a]).map(|s| score_out(s, &f.sentences, chars)),
                toward,
            }
        })
        .collect()
}

fn explain(res: &Resolution, f: &Findings) -> Vec<ExplainSentence> {
    let actor_id = |m: usize| res.mention_actor[m].map(|a| res.actors[a].id.clone());
    (0..f.sentences.len())
        .map(|k| ExplainSentence {
            sentence: k,
            mentions: (0..f.mentions.len())
                .filter(|&m| f.mentions[m].sentence == k)
                .map(|m| {
                    let mm = &f.mentions[m];
                    ExplainMention {
                        text: mm.text.clone(),
                        start: mm.start,
                        end: mm.end,
                        label: mm.label.clone(),
                        actor: actor_id(m),
                        portrayal: mm.portrayal.map(|p| p.map(round)),
                    }
                })
                .collect(),
            pairs: f
                .pairs
                .iter()
                .filter(|(p, _, _)| f.mentions[*p].sentence == k)
                .map(|&(p, q, pr)| ExplainPair {
                    p: f.mentions[p].text.clone(),
                    q: f.mentions[q].text.clone(),
                    p_actor: actor_id(p),
                    q_actor: actor_id(q),
                    probs: pr.map(round),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::resolve::{Actor, ActorKind};

    fn actor(id: &str, kind: ActorKind, affiliation: Option<usize>, mentions: Vec<usize>) -> Actor {
        Actor {
            id: id.into(),
            name: id.into(),
            kind,
            affiliation,
            cameo: None,
            mentions,
        }
    }

    fn mention(text: &str, start: usize, sentence: usize) -> Mention {
        let end = start + text.chars().count();
        Mention {
            start,
            end,
            text: text.into(),
            label: "X".into(),
            sentence,
            entity: None,
            country: None,
            portrayal: Some([0.8, 0.2, 0.0]),
        }
    }

    /// "Russia warned Baku. Zakharova attacked Baku and praised Russia."
    fn scene() -> (Vec<char>, Resolution, Findings) {
        let chars: Vec<char> = "Russia warned Baku. Zakharova attacked Baku and praised Russia."
            .chars()
            .collect();
        let res = Resolution {
            actors: vec![
                actor("RUS", ActorKind::Country, None, vec![0, 4]),
                actor("AZE", ActorKind::Country, None, vec![1, 3]),
                actor("maria-zakharova", ActorKind::Person, Some(0), vec![2]),
            ],
            mention_actor: vec![Some(0), Some(1), Some(2), Some(1), Some(0)],
        };
        let f = Findings {
            sentences: vec![0..19, 20..63],
            entities: vec![],
            mentions: vec![
                mention("Russia", 0, 0),
                mention("Baku", 14, 0),
                mention("Zakharova", 20, 1),
                mention("Baku", 39, 1),
                mention("Russia", 56, 1),
            ],
            // (p, q, P(neutral, p+q, q+p, p−q, q−p))
            pairs: vec![
                (0, 1, [0.0, 0.0, 0.0, 1.0, 0.0]),
                (2, 3, [0.0, 0.0, 0.0, 1.0, 0.0]),
                (2, 4, [0.0, 1.0, 0.0, 0.0, 0.0]),
                (3, 4, [1.0, 0.0, 0.0, 0.0, 0.0]),
            ],
        };
        (chars, res, f)
    }

    fn toward<'a>(actors: &'a [ActorOut], from: &str, to: &str) -> Option<&'a TowardOut> {
        actors
            .iter()
            .find(|a| a.id == from)?
            .toward
            .iter()
            .find(|t| t.target == to)
    }

    #[test]
    fn members_speak_for_their_country_and_are_never_paired_with_it() {
        let (chars, res, f) = scene();
        let out = score_actors(&res, &f, &chars, Rollup::Country);
        let rus_aze = toward(&out, "RUS", "AZE").unwrap();
        assert_eq!((rus_aze.score.score, rus_aze.score.n_sentences), (-1.0, 2));
        assert_eq!(
            rus_aze
                .score
                .evidence
                .iter()
                .map(|e| e.text.as_str())
                .collect::<Vec<_>>(),
            ["Russia warned Baku.", "Zakharova attacked Baku and praised Russia."]
        );
        assert!(toward(&out, "maria-zakharova", "RUS").is_none());
        assert!(toward(&out, "RUS", "maria-zakharova").is_none());
        // Sentence 1's Baku–Russia pair was neutral: no weight, so AZE → RUS rests on nothing.
        assert!(toward(&out, "AZE", "RUS").is_none_or(|t| t.score.confidence == 0.0));
        // Portrayal rolls up too: Zakharova's mention counts for Russia.
        assert_eq!(
            out.iter()
                .find(|a| a.id == "RUS")
                .unwrap()
                .portrayal
                .as_ref()
                .unwrap()
                .n_sentences,
            2
        );
    }

    #[test]
    fn without_rollup_members_keep_their_own_pairs() {
        let (chars, res, f) = scene();
        let out = score_actors(&res, &f, &chars, Rollup::None);
        let rus_aze = &toward(&out, "RUS", "AZE").unwrap().score;
        // Both sentences involve the two countries; only the first carries stance.
        assert_eq!(
            (rus_aze.score, rus_aze.n_sentences, rus_aze.evidence.len()),
            (-1.0, 2, 1)
        );
        assert_eq!(toward(&out, "maria-zakharova", "AZE").unwrap().score.score, -1.0);
    }
}
