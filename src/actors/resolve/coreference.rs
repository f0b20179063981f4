//! Passes 5–6: mentions that do not name (in-article coreference). A title reference ("the
//! minister") joins the person named with that title before; a relative ("…, who") joins the
//! mention just before it; a personal pronoun joins the salient actor of a fitting kind and
//! gender before it: in its own sentence the nearest, in the three sentences before it the
//! first of the nearest sentence that has one (subjects come first). Nothing that fits: no
//! actor (never a guess across the article).

use std::collections::HashMap;

use super::{ActorKind, Article, Link, State};
use crate::lexicon::{FEMALE_CUES, MALE_CUES};
use crate::ner::EntityKind;

/// Sentences back that a pronoun or title may reach for its actor.
const REACH: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

/// What a pronoun can stand for.
enum Wants {
    Person(Gender, bool),
    Group(bool),
    Relative,
}

/// The pronoun's reading; `bool`: an object form, which never joins its own clause's subject
/// ("Lavrov told him").
fn wants(word: &str) -> Option<Wants> {
    Some(match word {
        "he" | "his" => Wants::Person(Gender::Male, false),
        "him" => Wants::Person(Gender::Male, true),
        "she" => Wants::Person(Gender::Female, false),
        // "her" is mostly a possessive ("Lima and her team"), which may stand for its own subject.
        "her" => Wants::Person(Gender::Female, false),
        "they" => Wants::Group(false),
        "them" => Wants::Group(true),
        "who" => Wants::Relative,
        _ => return None,
    })
}

/// The chars from `a` to `b` (none where the two overlap).
fn between(text: &[char], a: usize, b: usize) -> std::slice::Iter<'_, char> {
    text.get(a..b).unwrap_or(&[]).iter()
}

/// The words just before a mention, lowercased, nearest last.
fn words_before(text: &[char], at: usize, n: usize) -> Vec<String> {
    let before: String = text[at.saturating_sub(40)..at].iter().collect();
    let words: Vec<String> = before
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words[words.len().saturating_sub(n)..].to_vec()
}

/// Genders the article itself states: "Mr." or "spokeswoman" just before a person's name.
fn stated_genders(st: &State, article: &Article) -> HashMap<usize, Gender> {
    let mut out = HashMap::new();
    for (i, m) in article.mentions.iter().enumerate() {
        let Some(a) = st.mention_actor[i].filter(|&a| st.actors[a].kind == ActorKind::Person) else {
            continue;
        };
        let mut cues = words_before(article.text, m.start, 3);
        cues.extend(
            m.text
                .split_whitespace()
                .next()
                .map(|w| w.trim_end_matches('.').to_lowercase()),
        );
        for w in cues {
            if MALE_CUES.contains(&w.as_str()) {
                out.entry(a).or_insert(Gender::Male);
            } else if FEMALE_CUES.contains(&w.as_str()) {
                out.entry(a).or_insert(Gender::Female);
            }
        }
    }
    out
}

/// Pass 5: "the minister" joins the nearest person before it, within reach, whose mention has
/// that title just before it ("Foreign Minister Ana Lima") or just after it ("Ana Lima, the
/// minister"); else no actor.
pub(super) fn titles(st: &mut State, article: &Article) {
    let mentions = article.mentions;
    for (i, m) in mentions.iter().enumerate() {
        if m.kind != EntityKind::Title {
            continue;
        }
        let head = m.text.rsplit(' ').next().unwrap_or("").to_lowercase();
        let titled = |j: usize| {
            let p = &mentions[j];
            let after: String = article.text[p.end..(p.end + 60).min(article.text.len())]
                .iter()
                .collect();
            let after = after.to_lowercase();
            words_before(article.text, p.start, 3).contains(&head)
                || p.text.to_lowercase().split_whitespace().any(|w| w == head)
                || (after.starts_with(',')
                    && after
                        .split(',')
                        .nth(1)
                        .is_some_and(|a| a.split_whitespace().any(|w| w == head)))
        };
        let found = (0..i)
            .rev()
            .take_while(|&j| mentions[j].sentence + REACH >= m.sentence)
            .filter(|&j| mentions[j].kind == EntityKind::Person)
            .find_map(|j| st.mention_actor[j].filter(|&a| st.actors[a].kind == ActorKind::Person && titled(j)));
        if let Some(a) = found {
            st.mention_actor[i] = Some(a);
            st.links[i] = Some(Link::Title);
        }
    }
}

/// Pass 6: pronouns, in text order (a resolved pronoun is itself a candidate for the next).
pub(super) fn pronouns(st: &mut State, article: &Article) {
    let (text, mentions) = (article.text, article.mentions);
    let mut gender = stated_genders(st, article);
    for (i, m) in mentions.iter().enumerate() {
        if m.kind != EntityKind::Pronoun {
            continue;
        }
        let Some(want) = wants(&m.text.to_lowercase()) else {
            continue;
        };
        let chosen = match want {
            Wants::Relative => {
                // "Ana Lima, who": the mention right before, with nothing but a comma between.
                let gap = |j: usize| between(text, mentions[j].end, m.start).all(|c| *c == ',' || c.is_whitespace());
                i.checked_sub(1)
                    .filter(|&j| mentions[j].sentence == m.sentence && gap(j))
                    .and_then(|j| st.mention_actor[j])
                    .map(|a| (a, Link::Relative))
            }
            Wants::Person(g, object) => {
                let fits = |a: usize| st.actors[a].kind == ActorKind::Person && gender.get(&a).is_none_or(|&x| x == g);
                salient(st, article, i, object, fits).map(|a| (a, Link::Coreference))
            }
            Wants::Group(object) => {
                let fits = |a: usize| matches!(st.actors[a].kind, ActorKind::Organization | ActorKind::Country);
                salient(st, article, i, object, fits).map(|a| (a, Link::Coreference))
            }
        };
        if let Some((a, link)) = chosen {
            st.mention_actor[i] = Some(a);
            st.links[i] = Some(link);
            if let Wants::Person(g, _) = want {
                gender.entry(a).or_insert(g);
            }
        }
    }
}

/// The actor a pronoun at mention `i` stands for: in its own sentence the nearest that fits,
/// else in the nearest of the sentences before it that has one, the first; an object form
/// passes over the actors of its own clause.
fn salient(st: &State, article: &Article, i: usize, object: bool, fits: impl Fn(usize) -> bool) -> Option<usize> {
    let (text, mentions) = (article.text, article.mentions);
    let s = mentions[i].sentence;
    let clause_break =
        |j: usize| between(text, mentions[j].end, mentions[i].start).any(|c| matches!(c, ',' | ';' | '“' | '"' | ':'));
    let own_sentence: Vec<usize> = (0..i).rev().take_while(|&j| mentions[j].sentence == s).collect();
    // An object form never stands for an actor named in its own clause ("Lima thanked him").
    let own_clause: Vec<usize> = match object {
        true => own_sentence
            .iter()
            .filter(|&&j| !clause_break(j))
            .filter_map(|&j| st.mention_actor[j])
            .collect(),
        false => Vec::new(),
    };
    let actor = |j: usize| st.mention_actor[j].filter(|&a| fits(a) && !own_clause.contains(&a));
    let same = own_sentence.iter().find_map(|&j| actor(j));
    if same.is_some() {
        return same;
    }
    let earlier: Vec<usize> = (0..i)
        .filter(|&j| mentions[j].sentence < s && mentions[j].sentence + REACH >= s)
        .collect();
    (1..=REACH).find_map(|back| {
        earlier
            .iter()
            .filter(|&&j| mentions[j].sentence + back == s)
            .find_map(|&j| actor(j))
    })
}
