//! Passes 1–3: names become actors (countries, persons, organisations, places, groups), bare
//! surnames join full names, definite references join organisations; and the name helpers.

use super::{ActorKind, Article, Link, State};
use crate::actors::leaders::Leaders;
use crate::actors::mentions::Mention;
use crate::lexicon::{GROUP_ADJECTIVE_ENDINGS, MEMBER_ENDINGS, NOT_GROUPS, ORGANISATION_HEADS, PERSON_TITLES};
use crate::ner::EntityKind;

/// The key of the one place that is no country's: Georgia where the article means the US state.
pub(super) const US_GEORGIA: &str = "loc:georgia-us";

/// Pass 1: countries, multi-word persons, organisations, locations and groups, in text order
/// (actors are numbered as they first appear). Returns the bare names left for [`surnames`].
pub(super) fn names(st: &mut State, article: &Article, leaders: &Leaders) -> Vec<usize> {
    let (text, mentions, countries) = (article.text, article.mentions, &article.countries);
    let mut bare = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        if let Some(c) = countries.of_mention(m) {
            st.mention_actor[i] = Some(st.country(countries.gazetteer(), c));
            continue;
        }
        // A person of a learned dictionary whom NER took for an organisation ("Starmer said").
        let kind = match m.kind {
            EntityKind::Organization | EntityKind::Misc if leaders.is_person(&person_name(&m.text)) => {
                EntityKind::Person
            }
            k => k,
        };
        let (key, name, kind) = match kind {
            EntityKind::Person => {
                let mut name = person_name(&m.text);
                // A title that NER tagged apart from its name ("Mr" of "Mr. Obama", "Sen",
                // "R-Wis") is no person: an actor of it would gather pronouns of many people.
                if is_bare_title(&name) {
                    continue;
                }
                if !name.contains(' ') {
                    // "Luis and Carlos Quispe": a given name shares the next name's surname.
                    let known = |w: &str| {
                        leaders.country_code(w, None).is_some()
                            || mentions[..i].iter().any(|p| {
                                p.kind == EntityKind::Person && person_name(&p.text).rsplit(' ').next() == Some(w)
                            })
                    };
                    match shared_surname(text, mentions, i).filter(|_| !known(&name)) {
                        Some(surname) => name = format!("{name} {surname}"),
                        None => {
                            bare.push(i);
                            continue;
                        }
                    }
                }
                (format!("per:{name}"), name, ActorKind::Person)
            }
            EntityKind::Organization => {
                let name = org_name(&m.text);
                (format!("org:{}", name.to_lowercase()), name, ActorKind::Organization)
            }
            EntityKind::Location => {
                let name = org_name(&m.text);
                if countries.us_georgia && name == "Georgia" {
                    (US_GEORGIA.into(), "Georgia (U.S. state)".into(), ActorKind::Location)
                } else {
                    (format!("loc:{}", name.to_lowercase()), name, ActorKind::Location)
                }
            }
            // Groups take sides ("Republican senators", "Kurds"); events and works do not.
            EntityKind::Misc => match group_name(&m.text) {
                Some(name) => (format!("org:{}", name.to_lowercase()), name, ActorKind::Organization),
                None => continue,
            },
            EntityKind::Reference | EntityKind::Title | EntityKind::Pronoun => continue,
        };
        st.mention_actor[i] = Some(st.named(key, name, kind));
    }
    bare
}

/// Pass 2: a bare name joins the nearest preceding (else the first) person whose name ends
/// with it, or becomes a person of its own.
pub(super) fn surnames(st: &mut State, article: &Article, bare: Vec<usize>) {
    let mentions = article.mentions;
    for i in bare {
        let name = person_name(&mentions[i].text);
        let candidates: Vec<(usize, usize)> = (0..mentions.len())
            .filter_map(|j| st.mention_actor[j].map(|a| (j, a)))
            .filter(|&(_, a)| {
                st.actors[a].kind == ActorKind::Person && st.actors[a].name.rsplit(' ').next() == Some(name.as_str())
            })
            .collect();
        let chosen = candidates
            .iter()
            .rev()
            .find(|&&(j, _)| j < i)
            .or(candidates.first())
            .map(|&(_, a)| a);
        st.mention_actor[i] = Some(chosen.unwrap_or_else(|| st.named(format!("per:{name}"), name, ActorKind::Person)));
    }
}

/// Pass 3: definite references ("the ministry") join the nearest preceding organisation with
/// that head word, or stay no actor.
pub(super) fn references(st: &mut State, article: &Article) {
    for (i, m) in article.mentions.iter().enumerate() {
        if m.kind != EntityKind::Reference {
            continue;
        }
        let head = m.text.rsplit(' ').next().unwrap_or("").to_lowercase();
        st.mention_actor[i] = (0..i).rev().filter_map(|j| st.mention_actor[j]).find(|&a| {
            st.actors[a].kind == ActorKind::Organization
                && st.actors[a].name.to_lowercase().split(' ').any(|w| w == head)
        });
        if st.mention_actor[i].is_some() {
            st.links[i] = Some(Link::Title);
        }
    }
}

/// "Mr", "Sen.", "R-Wis.": a person's title or party tag, with no name.
fn is_bare_title(name: &str) -> bool {
    let word = name.trim_end_matches('.').to_lowercase();
    let party_tag = word.len() >= 3 && word.as_bytes()[1] == b'-' && matches!(word.as_bytes()[0], b'r' | b'd' | b'i');
    word.is_empty()
        || party_tag
        || PERSON_TITLES.contains(&word.as_str())
        || ["rep", "sens", "reps", "mrs", "ms"].contains(&word.as_str())
}

fn strip_possessive(s: &str) -> &str {
    s.strip_suffix("’s")
        .or_else(|| s.strip_suffix("'s"))
        .or_else(|| s.strip_suffix('’'))
        .unwrap_or(s)
        .trim()
}

/// "President Recep Tayyip Erdoğan’s" → "Recep Tayyip Erdoğan".
pub fn person_name(text: &str) -> String {
    let mut s = strip_possessive(text.trim());
    while let Some(t) = PERSON_TITLES
        .iter()
        .find(|t| s.get(..t.len()).is_some_and(|p| p.eq_ignore_ascii_case(t)) && s[t.len()..].starts_with([' ', '.']))
    {
        s = s[t.len()..].trim_start_matches('.').trim_start();
    }
    s.to_string()
}

pub(super) fn org_name(text: &str) -> String {
    let s = strip_possessive(text.trim());
    s.strip_prefix("the ")
        .or_else(|| s.strip_prefix("The "))
        .unwrap_or(s)
        .to_string()
}

pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The group a MISC mention names, as the actor's name; None for events, works and laws.
/// Groups named in the plural ("Democrats", "Kurds") and organisations that NER tagged MISC
/// ("the Islamic State", an acronym like "GOP") keep their name; a member noun ("Republican
/// senators", "a Muslim cleric") names the group in the plural, so that "Republican" and
/// "Republicans" are one actor; a group adjective ("Islamic") stays as written.
fn group_name(text: &str) -> Option<String> {
    let name = org_name(text);
    let words: Vec<&str> = name.split_whitespace().collect();
    let last = *words.last()?;
    if !words.iter().all(|w| w.starts_with(char::is_uppercase)) {
        return None;
    }
    let acronym = words.len() == 1 && (2..=5).contains(&last.len()) && last.chars().all(|c| c.is_ascii_uppercase());
    if is_group(&name) || ORGANISATION_HEADS.contains(&last) || acronym {
        return Some(name);
    }
    let long = last.chars().count() > 3 && last.chars().all(char::is_alphabetic);
    if long && MEMBER_ENDINGS.iter().any(|e| last.ends_with(e)) {
        return Some(format!("{name}s"));
    }
    (long && GROUP_ADJECTIVE_ENDINGS.iter().any(|e| last.ends_with(e))).then_some(name)
}

/// A MISC mention naming a group of people: capitalised, its last word a plural.
fn is_group(text: &str) -> bool {
    let last = text.split_whitespace().next_back().unwrap_or("");
    text.starts_with(char::is_uppercase)
        && last.len() > 3
        && last.ends_with('s')
        && !last.ends_with("ss")
        && !NOT_GROUPS.contains(&last)
}

/// The text between two mentions.
pub(super) fn gap(text: &[char], a: &Mention, b: &Mention) -> String {
    text.get(a.end..b.start).unwrap_or_default().iter().collect()
}

/// The surname that a bare given name shares with the next name: "Luis and Carlos Quispe",
/// "Joost and Anneke van Dam" (everything after the next name's first word). The caller rules
/// out a word that is itself a known surname ("Obama and Hu Jintao").
fn shared_surname(text: &[char], mentions: &[Mention], i: usize) -> Option<String> {
    let next = mentions
        .get(i + 1)
        .filter(|n| n.sentence == mentions[i].sentence && n.kind == EntityKind::Person)?;
    if gap(text, &mentions[i], next).trim() != "and" {
        return None;
    }
    let full = person_name(&next.text);
    full.split_once(' ').map(|(_, rest)| rest.to_string())
}
