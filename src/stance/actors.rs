//! The scoring policy: which sentence items count for which actor. Only parties hold stances:
//! countries, people and organisations (capitals used as metonyms resolve to their country),
//! and places where they act ("Michigan sued", "Lyon's council"); a place named as where
//! something happens ("raids in X", "a summit at Y") is a setting, neither source nor target of
//! a pair. A place never speaks for its country. A country and its members are one side (a bloc), never a pair;
//! with the country roll-up, a member also speaks for its country. Returns domain scores,
//! indexed by actor.

use std::collections::{BTreeMap, BTreeSet};

use super::{directed_items, portrayal_item, score_items, Item, Score};
use crate::actors::resolve::{ActorKind, Resolution};
use crate::actors::speakers::speakers;
use crate::findings::Findings;
use crate::ner::EntityKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollup {
    /// Members' scores also count for the country they belong to.
    Country,
    None,
}

/// One actor's scores. Actor indices point into [`Resolution::actors`].
#[derive(Debug, Clone, PartialEq)]
pub struct ActorScores {
    pub actor: usize,
    /// The score of all of the actor's outgoing pairs together.
    pub stance: Option<Score>,
    pub portrayal: Option<Score>,
    /// (target actor, score), by target index.
    pub toward: Vec<(usize, Score)>,
}

/// Scores of every actor, the most mentioned first (a country counts its members' mentions).
pub fn score_actors(res: &Resolution, f: &Findings, rollup: Rollup) -> Vec<ActorScores> {
    let n = res.actors.len();
    // Each actor also speaks for the country it belongs to, when rolling up.
    let is_place = |a: usize| res.actors[a].kind == ActorKind::Location;
    let roles = |a: usize| -> Vec<usize> {
        let mut v = vec![a];
        if rollup == Rollup::Country && !is_place(a) {
            v.extend(res.actors[a].affiliation.filter(|&c| c != a));
        }
        v
    };
    let bloc = |x: usize| res.actors[x].affiliation.unwrap_or(x);
    // Ordered maps: the items' order (and so the float sums) never depends on hashing.
    let mut pair_items: BTreeMap<(usize, usize), Vec<Item>> = BTreeMap::new();
    for &(p, q, ref probs) in &f.pairs {
        let (Some(a), Some(b)) = (res.mention_actor[p], res.mention_actor[q]) else {
            continue;
        };
        let setting = |m: usize, a: usize| is_place(a) && f.mentions[m].setting;
        if bloc(a) == bloc(b) || setting(p, a) || setting(q, b) {
            continue;
        }
        let (ab, ba) = directed_items(f.mentions[p].sentence, probs);
        let mut seen = BTreeSet::new();
        for &x in &roles(a) {
            for &y in &roles(b) {
                if x != y && seen.insert((x, y)) {
                    pair_items.entry((x, y)).or_default().push(ab);
                    pair_items.entry((y, x)).or_default().push(ba);
                }
            }
        }
    }
    // A statement's content is its speaker's speech: how it portrays a party is the speaker's
    // stance toward that party. Where the speaker is named in the content's sentence, the pair
    // head already reads that sentence, so it is not counted twice (a pronoun or a title is no
    // name here: they take no part in pairs).
    for (st, speaker) in f.statements.iter().zip(speakers(&f.mentions, res, &f.statements)) {
        let Some(a) = speaker else { continue };
        for &k in &st.sentences {
            let in_sentence = |m: &&crate::actors::mentions::Mention| m.sentence == k;
            let named_here = f
                .mentions
                .iter()
                .enumerate()
                .filter(|(_, m)| in_sentence(m) && !matches!(m.kind, EntityKind::Pronoun | EntityKind::Title))
                .any(|(i, _)| res.mention_actor[i].is_some_and(|x| bloc(x) == bloc(a)));
            if named_here {
                continue;
            }
            let mut seen = BTreeSet::new();
            for (i, m) in f.mentions.iter().enumerate().filter(|(_, m)| in_sentence(m)) {
                let (Some(b), Some(pr)) = (res.mention_actor[i], m.portrayal) else {
                    continue;
                };
                let quoted = st.content.iter().any(|r| r.start <= m.start && m.end <= r.end);
                if !quoted || bloc(a) == bloc(b) || (is_place(b) && m.setting) || !seen.insert(b) {
                    continue;
                }
                let item = portrayal_item(k, &pr);
                let mut pairs = BTreeSet::new();
                for &x in &roles(a) {
                    for &y in &roles(b) {
                        if x != y && pairs.insert((x, y)) {
                            pair_items.entry((x, y)).or_default().push(item);
                        }
                    }
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
    let weight = |a: usize| {
        res.actors[a].mentions.len()
            + res
                .actors
                .iter()
                .filter(|m| m.affiliation == Some(a))
                .map(|m| m.mentions.len())
                .sum::<usize>()
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&a| (std::cmp::Reverse(weight(a)), a));
    order
        .into_iter()
        .map(|a| {
            let targets: Vec<(usize, &Vec<Item>)> = pair_items
                .range((a, 0)..(a + 1, 0))
                .map(|(&(_, y), v)| (y, v))
                .collect();
            let outgoing: Vec<Item> = targets.iter().flat_map(|(_, v)| v.iter().copied()).collect();
            let toward = targets
                .iter()
                .filter_map(|&(y, v)| Some((y, score_items(v)?)))
                .collect();
            ActorScores {
                actor: a,
                stance: score_items(&outgoing),
                portrayal: score_items(&portrayal_items[a]),
                toward,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::mentions::Mention;
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
            kind: crate::ner::EntityKind::Misc,
            sentence,
            entity: None,
            country: None,
            portrayal: Some([0.8, 0.2, 0.0]),
            setting: false,
        }
    }

    /// "Russia warned Baku. Petrova attacked Baku and praised Russia."
    fn scene() -> (Resolution, Findings) {
        let res = Resolution {
            actors: vec![
                actor("RUS", ActorKind::Country, None, vec![0, 4]),
                actor("AZE", ActorKind::Country, None, vec![1, 3]),
                actor("anna-petrova", ActorKind::Person, Some(0), vec![2]),
            ],
            mention_actor: vec![Some(0), Some(1), Some(2), Some(1), Some(0)],
            mention_links: vec![None; 5],
            stated: vec![],
        };
        let f = Findings {
            sentences: vec![0..19, 20..61],
            entities: vec![],
            mentions: vec![
                mention("Russia", 0, 0),
                mention("Baku", 14, 0),
                mention("Petrova", 20, 1),
                mention("Baku", 37, 1),
                mention("Russia", 54, 1),
            ],
            // (p, q, P(neutral, p+q, q+p, p−q, q−p))
            pairs: vec![
                (0, 1, [0.0, 0.0, 0.0, 1.0, 0.0]),
                (2, 3, [0.0, 0.0, 0.0, 1.0, 0.0]),
                (2, 4, [0.0, 1.0, 0.0, 0.0, 0.0]),
                (3, 4, [1.0, 0.0, 0.0, 0.0, 0.0]),
            ],
            statements: vec![],
            unscored: Default::default(),
        };
        (res, f)
    }

    fn toward(scores: &[ActorScores], from: usize, to: usize) -> Option<&Score> {
        scores
            .iter()
            .find(|a| a.actor == from)?
            .toward
            .iter()
            .find(|t| t.0 == to)
            .map(|t| &t.1)
    }

    const RUS: usize = 0;
    const AZE: usize = 1;
    const PETROVA: usize = 2;

    #[test]
    fn members_speak_for_their_country_and_are_never_paired_with_it() {
        let (res, f) = scene();
        let out = score_actors(&res, &f, Rollup::Country);
        assert_eq!(out.iter().map(|a| a.actor).collect::<Vec<_>>(), [RUS, AZE, PETROVA]);
        let rus_aze = toward(&out, RUS, AZE).unwrap();
        assert_eq!((rus_aze.mean, rus_aze.n_sentences), (-1.0, 2));
        assert_eq!(rus_aze.evidence, [(0, -1.0), (1, -1.0)]);
        assert!(toward(&out, PETROVA, RUS).is_none());
        assert!(toward(&out, RUS, PETROVA).is_none());
        // Sentence 1's Baku–Russia pair was neutral: no weight, so AZE → RUS rests on nothing.
        assert!(toward(&out, AZE, RUS).is_none_or(|t| t.confidence == 0.0));
        // Portrayal rolls up too: Petrova's mention counts for Russia.
        assert_eq!(out[0].portrayal.as_ref().unwrap().n_sentences, 2);
    }

    #[test]
    fn a_place_as_a_setting_holds_no_stance_and_no_place_speaks_for_its_country() {
        let (mut res, mut f) = scene();
        // Petrova's mention becomes a Russian city.
        res.actors[PETROVA].kind = ActorKind::Location;
        let out = score_actors(&res, &f, Rollup::Country);
        // Acting, it holds its own stance, but not Russia's: sentence 1 is no evidence of RUS → AZE.
        assert_eq!(toward(&out, PETROVA, AZE).unwrap().mean, -1.0);
        assert_eq!(toward(&out, RUS, AZE).unwrap().evidence, [(0, -1.0)]);
        // As a setting ("in Petrova"), its pairs carry nothing.
        f.mentions[2].setting = true;
        let out = score_actors(&res, &f, Rollup::Country);
        assert!(out.iter().all(|a| a.toward.iter().all(|t| t.0 != PETROVA)));
        assert!(out[2].toward.is_empty() && out[2].stance.is_none());
    }

    #[test]
    fn without_rollup_members_keep_their_own_pairs() {
        let (res, f) = scene();
        let out = score_actors(&res, &f, Rollup::None);
        let rus_aze = toward(&out, RUS, AZE).unwrap();
        // Both sentences involve the two countries; only the first carries stance.
        assert_eq!(
            (rus_aze.mean, rus_aze.n_sentences, rus_aze.evidence.len()),
            (-1.0, 2, 1)
        );
        assert_eq!(toward(&out, PETROVA, AZE).unwrap().mean, -1.0);
    }
}

#[cfg(test)]
mod statement_tests {
    use super::*;
    use crate::actors::mentions::Mention;
    use crate::actors::resolve::{Actor, ActorKind, Link};
    use crate::attribution::{Kind, Statement};
    use crate::ner::EntityKind;

    fn mention(text: &str, start: usize, sentence: usize, kind: EntityKind, negative: f32) -> Mention {
        Mention {
            start,
            end: start + text.chars().count(),
            text: text.into(),
            kind,
            sentence,
            entity: None,
            country: None,
            portrayal: Some([negative, 1.0 - negative, 0.0]),
            setting: false,
        }
    }

    /// "Ana Souza spoke. “Peru lied,” she said." with the statement of sentence 1 by "she".
    fn quoted() -> (Resolution, Findings) {
        let actor = |id: &str, kind, mentions| Actor {
            id: String::from(id),
            name: String::from(id),
            kind,
            affiliation: None,
            cameo: None,
            mentions,
        };
        let res = Resolution {
            actors: vec![
                actor("ana-souza", ActorKind::Person, vec![0, 2]),
                actor("PER", ActorKind::Country, vec![1]),
            ],
            mention_actor: vec![Some(0), Some(1), Some(0)],
            mention_links: vec![None, None, Some(Link::Coreference)],
            stated: vec![],
        };
        let f = Findings {
            sentences: vec![0..16, 17..40],
            mentions: vec![
                mention("Ana Souza", 0, 0, EntityKind::Person, 0.0),
                mention("Peru", 18, 1, EntityKind::Location, 0.9),
                mention("she", 30, 1, EntityKind::Pronoun, 0.0),
            ],
            statements: vec![Statement {
                source: Some(30..33),
                cue: Some(34..38),
                content: std::iter::once(17..29).collect(),
                kind: Kind::Direct,
                sentences: vec![1],
            }],
            ..Default::default()
        };
        (res, f)
    }

    #[test]
    fn a_quote_is_its_speakers_stance_toward_the_party_it_portrays() {
        let (res, f) = quoted();
        let out = score_actors(&res, &f, Rollup::None);
        let souza = out.iter().find(|a| a.actor == 0).unwrap();
        let (target, score) = &souza.toward[0];
        assert_eq!((*target, score.n_sentences, score.mean), (1, 1, -1.0));
        assert_eq!(score.evidence, [(1, -1.0)]);
    }

    #[test]
    fn a_quote_whose_sentence_names_its_speaker_is_left_to_the_pair_head() {
        let (res, mut f) = quoted();
        // "Ana Souza said Peru lied.": her name is in the sentence, and no pair was scored.
        f.mentions[2] = mention("Souza", 30, 1, EntityKind::Person, 0.0);
        let out = score_actors(&res, &f, Rollup::None);
        assert!(out.iter().all(|a| a.toward.is_empty()));
    }
}
