//! Actor resolution within one article: mentions → actors. Countries by gazetteer (name,
//! capital, demonym, seat of government); persons by full name, with a bare surname joining the
//! nearest preceding full name that ends with it; organisations by name; affiliations to a
//! country by containment ("Turkish Culture Ministry"), by a title chain on the left
//! ("Chinese Foreign Ministry spokeswoman Hua Chunying"), by apposition on the right
//! ("Hua Chunying, China’s ...") and by an optional PETRARCH dictionary.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::gazetteer::{Gazetteer, Via};
use super::leaders::Leaders;
use super::petrarch::{ActorDictionary, Date};
use super::places::Places;
use crate::mentions::Mention;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Country,
    Person,
    Organization,
    Location,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    /// Index of the country actor this one belongs to.
    pub affiliation: Option<usize>,
    /// CAMEO code from a PETRARCH dictionary, if one was given and names this actor.
    pub cameo: Option<String>,
    /// Indices into the article's mentions, in text order.
    pub mentions: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Resolution {
    pub actors: Vec<Actor>,
    /// The actor of each mention (None: not an actor, e.g. an event name).
    pub mention_actor: Vec<Option<usize>>,
}

/// Words that may stand between an affiliation and the person or body it qualifies.
const TITLE_WORDS: &[&str] = &[
    "president",
    "prime",
    "minister",
    "deputy",
    "foreign",
    "defense",
    "defence",
    "interior",
    "culture",
    "spokeswoman",
    "spokesman",
    "spokesperson",
    "ambassador",
    "envoy",
    "leader",
    "chief",
    "head",
    "general",
    "secretary",
    "state",
    "official",
    "officials",
    "senator",
    "governor",
    "mayor",
    "king",
    "queen",
    "chancellor",
    "commander",
    "former",
    "acting",
    "vice",
    "opposition",
    "lawmaker",
    "diplomat",
    "top",
    "senior",
    "army",
    "ministry",
    "affairs",
    "of",
    "the",
    "national",
    "security",
    "adviser",
    "advisor",
    "counterpart",
];

const PERSON_TITLES: &[&str] = &[
    "president",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prime minister",
    "minister",
    "gen",
    "general",
    "sen",
    "senator",
    "gov",
    "governor",
];

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

fn org_name(text: &str) -> String {
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

/// Whether the article uses "Georgia" for the US state.
fn georgia_is_us_state(text: &str) -> bool {
    let cues = [
        "Atlanta",
        "state of Georgia",
        "Georgia state",
        "Georgia Gov",
        "Georgia’s governor",
        "Georgia's governor",
        ", Ga.",
        "Savannah, Georgia",
        "Georgia Republican",
        "Georgia Democrat",
    ];
    cues.iter().any(|c| text.contains(c)) && !text.contains("Tbilisi")
}

pub struct Resolver<'a> {
    pub gazetteer: &'a Gazetteer,
    pub places: &'a Places,
    pub leaders: &'a Leaders,
    pub dictionary: Option<&'a ActorDictionary>,
    /// Uppercased names of the dictionary's entries → entry index.
    pub dictionary_index: Option<&'a HashMap<String, usize>>,
}

pub fn dictionary_index(dict: &ActorDictionary) -> HashMap<String, usize> {
    let mut idx = HashMap::new();
    for (i, e) in dict.entries.iter().enumerate() {
        for n in &e.names {
            idx.entry(n.to_uppercase()).or_insert(i);
        }
    }
    idx
}

impl Resolver<'_> {
    pub fn resolve(&self, text: &[char], mentions: &[Mention], date: Option<&str>) -> Resolution {
        let article: String = text.iter().collect();
        let us_georgia = georgia_is_us_state(&article);
        let gaz = self.gazetteer;
        let mut actors: Vec<Actor> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut mention_actor = vec![None; mentions.len()];
        let country_actor = |actors: &mut Vec<Actor>, by_key: &mut HashMap<String, usize>, c: usize| -> usize {
            let code = &gaz.countries[c].code;
            *by_key.entry(format!("country:{code}")).or_insert_with(|| {
                actors.push(Actor {
                    id: code.clone(),
                    name: gaz.countries[c].name.clone(),
                    kind: ActorKind::Country,
                    affiliation: None,
                    cameo: None,
                    mentions: vec![],
                });
                actors.len() - 1
            })
        };
        let geo = gaz.by_code("GEO");
        // The countries the article names outright (capitals are weaker evidence: "Tripoli"
        // may be Lebanon's second city).
        let article_countries: std::collections::BTreeSet<usize> = gaz
            .find(&article)
            .into_iter()
            .filter(|h| !(us_georgia && Some(h.country) == geo))
            .filter(|h| matches!(h.via, Via::Name | Via::Alias | Via::Demonym))
            .map(|h| h.country)
            .collect();
        // A capital stands for its country unless the article points to a namesake elsewhere,
        // or a namesake dwarfs it ("Hamilton" is Bermuda's capital, and a Canadian city).
        let capital_elsewhere = |m: &Mention, c: usize| {
            let cands = self.places.candidates(&m.text);
            let own = cands.iter().find(|x| x.0 == c).map_or(0, |x| x.1);
            !article_countries.contains(&c)
                && cands.iter().any(|&(o, pop)| {
                    o != c && (article_countries.contains(&o) || pop / super::places::DOMINANCE >= own.max(1))
                })
        };
        // The country a mention stands for: the whole mention, or a demonym/name opening a MISC one ("Russian-sponsored").
        let country_of = |m: &Mention| -> Option<usize> {
            let whole = m
                .country
                .filter(|&(c, via)| !(us_georgia && Some(c) == geo && via == Via::Name))
                .filter(|&(c, via)| !(via == Via::Capital && capital_elsewhere(m, c)))
                .map(|(c, _)| c);
            whole.or_else(|| {
                (m.label == "MISC")
                    .then(|| gaz.find(&m.text).into_iter().find(|h| h.start == 0).map(|h| h.country))
                    .flatten()
            })
        };

        // Pass 1: countries, multi-word persons, organisations, locations.
        let mut pending_surnames = Vec::new();
        for (i, m) in mentions.iter().enumerate() {
            if let Some(c) = country_of(m) {
                mention_actor[i] = Some(country_actor(&mut actors, &mut by_key, c));
                continue;
            }
            let (key, name, kind) = match m.label.as_str() {
                "PER" => {
                    let mut name = person_name(&m.text);
                    if !name.contains(' ') {
                        // "Luis and Carlos Quispe": a given name shares the next name's surname.
                        let known = |w: &str| {
                            self.leaders.country_code(w, None).is_some()
                                || mentions[..i]
                                    .iter()
                                    .any(|p| p.label == "PER" && person_name(&p.text).rsplit(' ').next() == Some(w))
                        };
                        match shared_surname(text, mentions, i).filter(|_| !known(&name)) {
                            Some(surname) => name = format!("{name} {surname}"),
                            None => {
                                pending_surnames.push(i);
                                continue;
                            }
                        }
                    }
                    (format!("per:{name}"), name, ActorKind::Person)
                }
                "ORG" => {
                    let name = org_name(&m.text);
                    (format!("org:{}", name.to_lowercase()), name, ActorKind::Organization)
                }
                "LOC" => {
                    let name = org_name(&m.text);
                    if us_georgia && name == "Georgia" {
                        (
                            "loc:georgia-us".into(),
                            "Georgia (U.S. state)".into(),
                            ActorKind::Location,
                        )
                    } else {
                        (format!("loc:{}", name.to_lowercase()), name, ActorKind::Location)
                    }
                }
                // Groups take sides ("Republican senators", "Kurds"); events and works do not.
                "MISC" => match group_name(&m.text) {
                    Some(name) => (format!("org:{}", name.to_lowercase()), name, ActorKind::Organization),
                    None => continue,
                },
                _ => continue,
            };
            let a = *by_key.entry(key).or_insert_with(|| {
                actors.push(Actor {
                    id: slug(&name),
                    name,
                    kind,
                    affiliation: None,
                    cameo: None,
                    mentions: vec![],
                });
                actors.len() - 1
            });
            mention_actor[i] = Some(a);
        }
        // Pass 2: a bare name joins the nearest preceding (else the first) person whose name ends with it.
        for i in pending_surnames {
            let name = person_name(&mentions[i].text);
            let candidates: Vec<(usize, usize)> = (0..mentions.len())
                .filter_map(|j| mention_actor[j].map(|a| (j, a)))
                .filter(|&(_, a)| {
                    actors[a].kind == ActorKind::Person && actors[a].name.rsplit(' ').next() == Some(name.as_str())
                })
                .collect();
            let chosen = candidates
                .iter()
                .rev()
                .find(|&&(j, _)| j < i)
                .or(candidates.first())
                .map(|&(_, a)| a);
            mention_actor[i] = Some(chosen.unwrap_or_else(|| {
                *by_key.entry(format!("per:{name}")).or_insert_with(|| {
                    actors.push(Actor {
                        id: slug(&name),
                        name: name.clone(),
                        kind: ActorKind::Person,
                        affiliation: None,
                        cameo: None,
                        mentions: vec![],
                    });
                    actors.len() - 1
                })
            }));
        }
        // Definite references ("the ministry") join the nearest preceding organisation with that head word.
        for (i, m) in mentions.iter().enumerate() {
            if m.label != "REF" {
                continue;
            }
            let head = m.text.rsplit(' ').next().unwrap_or("").to_lowercase();
            mention_actor[i] = (0..i).rev().filter_map(|j| mention_actor[j]).find(|&a| {
                actors[a].kind == ActorKind::Organization && actors[a].name.to_lowercase().split(' ').any(|w| w == head)
            });
        }

        // Places get their country from the world-cities table, read in the light of the
        // countries the article names; places with one candidate country also say where the
        // article is ("Perth ... north of Edinburgh" is the Scottish Perth).
        let mut place_context = article_countries.clone();
        for a in actors.iter().filter(|a| a.kind == ActorKind::Location) {
            if let [(c, _)] = self.places.candidates(&a.name) {
                place_context.insert(*c);
            }
        }
        let place_country = |name: &str| self.places.country_of(name, &place_context);

        // Affiliations, voted over mentions.
        let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); actors.len()];
        let mut affil_of_mention: Vec<Option<usize>> = vec![None; mentions.len()];
        let listed = list_countries(text, mentions, &country_of);
        for (i, m) in mentions.iter().enumerate() {
            let Some(a) = mention_actor[i] else { continue };
            if actors[a].kind == ActorKind::Country {
                continue;
            }
            // A country phrase inside the name, not the whole name (that was ruled out as a country
            // above). In a person's name only a leading demonym counts: "Jordan Bardella" is no Jordanian.
            let n = m.text.chars().count();
            let contained = gaz
                .find(&m.text)
                .into_iter()
                .filter(|h| !(us_georgia && Some(h.country) == geo))
                .find(|h| h.end - h.start < n && (m.label != "PER" || (h.start == 0 && h.via == Via::Demonym)))
                .map(|h| h.country);
            let left = (i > 0 && mentions[i - 1].sentence == m.sentence)
                .then(|| {
                    let gap = gap(text, &mentions[i - 1], m);
                    let ok = gap.split_whitespace().all(|w| {
                        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                        w.is_empty()
                            || w == "s"
                            || TITLE_WORDS.contains(&w.to_lowercase().as_str())
                            || w.chars().next().is_some_and(char::is_uppercase)
                    }) && !gap.contains([',', ';', '(', ')', '“', '”', '"']);
                    // Inherit from a country or an organisation, never from another person.
                    ok.then(|| {
                        mention_actor[i - 1].and_then(|p| match actors[p].kind {
                            ActorKind::Country => Some(p),
                            ActorKind::Organization => affil_of_mention[i - 1],
                            _ => None,
                        })
                    })
                    .flatten()
                })
                .flatten();
            let right = mentions.get(i + 1).filter(|n| n.sentence == m.sentence).and_then(|n| {
                (gap(text, m, n).trim() == "," && m.label == "PER")
                    .then(|| mention_actor[i + 1].filter(|&p| actors[p].kind == ActorKind::Country))
                    .flatten()
            });
            // A place, or an organisation named after one ("Chicago police", "Lyon city council").
            let place = match actors[a].kind {
                ActorKind::Location => place_country(&actors[a].name),
                ActorKind::Organization if contained.is_none() => leading_place(&actors[a].name, &place_country),
                _ => None,
            };
            let found = contained
                .or(place)
                .map(|c| country_actor(&mut actors, &mut by_key, c))
                .or(left)
                .or(right)
                .or_else(|| listed[i].map(|c| country_actor(&mut actors, &mut by_key, c)));
            affil_of_mention[i] = found;
            if let Some(c) = found {
                votes.resize(actors.len(), HashMap::new());
                *votes[a].entry(c).or_default() += 1;
            }
        }
        if actors.iter().any(|a| a.name == "Georgia (U.S. state)") {
            if let Some(usa) = gaz.by_code("USA") {
                let u = country_actor(&mut actors, &mut by_key, usa);
                votes.resize(actors.len(), HashMap::new());
                if let Some(g) = actors.iter().position(|a| a.name == "Georgia (U.S. state)") {
                    *votes[g].entry(u).or_default() += 1;
                }
            }
        }
        votes.resize(actors.len(), HashMap::new());
        for (a, v) in votes.iter().enumerate() {
            actors[a].affiliation = v
                .iter()
                .max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c)))
                .map(|(&c, _)| c);
        }

        // Office-holders known without a title, by their role on the article's date.
        let day = date.and_then(Date::parse_iso);
        for a in 0..actors.len() {
            if actors[a].kind != ActorKind::Person || actors[a].affiliation.is_some() {
                continue;
            }
            if let Some(c) = self
                .leaders
                .country_code(&actors[a].name, day)
                .and_then(|iso| gaz.by_code(iso))
            {
                actors[a].affiliation = Some(country_actor(&mut actors, &mut by_key, c));
            }
        }

        // PETRARCH codes (and the affiliations they imply), honouring the article's date.
        if let (Some(dict), Some(index)) = (self.dictionary, self.dictionary_index) {
            for a in 0..actors.len() {
                let Some(&e) = index.get(&actors[a].name.to_uppercase()) else {
                    continue;
                };
                let Some(code) = dict.entries[e].code_on(day) else {
                    continue;
                };
                actors[a].cameo = Some(code.to_string());
                if actors[a].kind != ActorKind::Country && actors[a].affiliation.is_none() {
                    if let Some(c) = code.get(..3).and_then(|iso| gaz.by_code(iso)) {
                        actors[a].affiliation = Some(country_actor(&mut actors, &mut by_key, c));
                    }
                }
            }
        }

        for (i, a) in mention_actor.iter().enumerate() {
            if let Some(a) = a {
                actors[*a].mentions.push(i);
            }
        }
        unique_ids(&mut actors);
        Resolution { actors, mention_actor }
    }
}

/// Plurals that name events or works, not groups.
const NOT_GROUPS: &[&str] = &[
    "Olympics",
    "Games",
    "Paralympics",
    "Oscars",
    "Grammys",
    "Emmys",
    "Awards",
    "Series",
    "Times",
    "News",
];

/// Last words of organisations that NER tags MISC ("the Islamic State", "the Democratic Party").
const ORGANISATION_HEADS: &[&str] = &[
    "Party",
    "State",
    "Committee",
    "Movement",
    "Front",
    "Caucus",
    "Brotherhood",
];

/// Endings of member nouns, whose plural names the group: Republican, Islamist, Shiite,
/// Muslim, Democrat, Arab.
const MEMBER_ENDINGS: &[&str] = &["an", "ist", "ite", "im", "at", "ab"];

/// Endings of group adjectives, which name the group as written: Islamic, Jewish.
const GROUP_ADJECTIVE_ENDINGS: &[&str] = &["ic", "ish"];

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
fn gap(text: &[char], a: &Mention, b: &Mention) -> String {
    text.get(a.end..b.start).unwrap_or_default().iter().collect()
}

/// The surname that a bare given name shares with the next name: "Luis and Carlos Quispe",
/// "Joost and Anneke van Dam" (everything after the next name's first word). The caller rules
/// out a word that is itself a known surname ("Obama and Hu Jintao").
fn shared_surname(text: &[char], mentions: &[Mention], i: usize) -> Option<String> {
    let next = mentions
        .get(i + 1)
        .filter(|n| n.sentence == mentions[i].sentence && n.label == "PER")?;
    if gap(text, &mentions[i], next).trim() != "and" {
        return None;
    }
    let full = person_name(&next.text);
    full.split_once(' ').map(|(_, rest)| rest.to_string())
}

/// Words that end a list's lead: "Russian troops said Smith ..." names no Russian Smith.
const NOT_LIST_NOUNS: &[&str] = &[
    "said", "says", "say", "told", "tells", "tell", "accused", "accuses", "warned", "warns", "claims", "claimed",
    "and", "or", "of", "in", "at", "on", "for", "with", "to", "from", "by", "against", "is", "are", "was", "were",
];

/// A lead between a nationality and a list of names: a few lowercase nouns ("citizens",
/// "aid workers", "couple"), optionally closed by a comma.
fn is_list_lead(gap: &str) -> bool {
    let words = gap.trim().trim_end_matches(',');
    let n = words.split_whitespace().count();
    !words.contains([',', ';', '(', ')', '"', '“', '”', '.'])
        && n <= 3
        && words.split_whitespace().all(|w| {
            w.chars().all(|c| c.is_lowercase() || c == '-')
                && !NOT_LIST_NOUNS.contains(&w)
                && !w.ends_with("ed")
                && !w.ends_with("ing")
        })
}

/// Countries given to names in lists, per mention: "Filipino seamen, A B and C D",
/// "Peruvian brothers A and B C", "A B and C D, both Polish nationals", "a Canadian, A B".
/// A chain is persons joined by commas and "and"; it takes the nationality that leads it or
/// follows it in apposition.
fn list_countries(
    text: &[char],
    mentions: &[Mention],
    country_of: &impl Fn(&Mention) -> Option<usize>,
) -> Vec<Option<usize>> {
    let demonym = |m: &Mention| {
        matches!(m.country, Some((_, Via::Demonym)))
            .then(|| country_of(m))
            .flatten()
    };
    let same_sentence = |a: usize, b: usize| mentions[a].sentence == mentions[b].sentence;
    let mut out = vec![None; mentions.len()];
    let mut i = 0;
    while i < mentions.len() {
        if mentions[i].label != "PER" {
            i += 1;
            continue;
        }
        let mut end = i;
        while end + 1 < mentions.len()
            && mentions[end + 1].label == "PER"
            && same_sentence(end, end + 1)
            && matches!(
                gap(text, &mentions[end], &mentions[end + 1]).trim(),
                "," | "and" | ", and"
            )
        {
            end += 1;
        }
        let lead = (i > 0 && same_sentence(i - 1, i) && is_list_lead(&gap(text, &mentions[i - 1], &mentions[i])))
            .then(|| demonym(&mentions[i - 1]))
            .flatten();
        let tail = mentions
            .get(end + 1)
            .filter(|_| same_sentence(end, end + 1))
            .filter(|n| {
                let g = gap(text, &mentions[end], n);
                let g = g.trim();
                g.strip_prefix(',').is_some_and(|rest| {
                    matches!(rest.trim(), "" | "both" | "all" | "each" | "all three" | "both of them")
                })
            })
            .and_then(demonym);
        if let Some(c) = lead.or(tail) {
            out[i..=end].iter_mut().for_each(|o| *o = Some(c));
        }
        i = end + 1;
    }
    out
}

/// The country of the place that an organisation's name opens with (up to three words).
fn leading_place(name: &str, place_country: &impl Fn(&str) -> Option<usize>) -> Option<usize> {
    let words: Vec<&str> = name.split_whitespace().collect();
    (1..words.len().min(4))
        .rev()
        .find_map(|k| place_country(&words[..k].join(" ")))
}

/// Ids are the ISO code for countries, the CAMEO code where a dictionary gives one to a single
/// actor of the article, else a slug of the name; clashes get a numeric suffix.
fn unique_ids(actors: &mut [Actor]) {
    let mut cameo_count: HashMap<String, usize> = HashMap::new();
    for a in actors.iter() {
        if let Some(c) = &a.cameo {
            *cameo_count.entry(c.clone()).or_default() += 1;
        }
    }
    let country_ids: Vec<String> = actors
        .iter()
        .filter(|a| a.kind == ActorKind::Country)
        .map(|a| a.id.clone())
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for a in actors.iter_mut() {
        if a.kind != ActorKind::Country {
            // A code that is also a country's id (e.g. "RUS" given to a ministry) stays a code only.
            if let Some(c) = a
                .cameo
                .as_ref()
                .filter(|c| cameo_count[*c] == 1 && !country_ids.contains(c))
            {
                a.id = c.clone();
            }
        }
        if a.id.is_empty() {
            a.id = "actor".into();
        }
        let n = seen.entry(a.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            a.id = format!("{}-{}", a.id, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::petrarch::parse_actors;
    use crate::mentions::sentence_mentions;
    use crate::ner::Entity;
    use crate::segment;

    /// Runs the real mention stage on `text` with the given NER entities (surface, label), in order.
    fn resolve_with(
        text: &str,
        ents: &[(&str, &str)],
        dict: Option<&ActorDictionary>,
        date: Option<&str>,
    ) -> (Vec<Mention>, Resolution) {
        let gaz = Gazetteer::bundled().unwrap();
        let chars: Vec<char> = text.chars().collect();
        let sentences = segment::sentences(&chars, 0..chars.len());
        let mut entities = Vec::new();
        let mut from = 0;
        for (surface, label) in ents {
            let byte = text[from..]
                .find(surface)
                .unwrap_or_else(|| panic!("{surface} not found"))
                + from;
            let start = text[..byte].chars().count();
            let end = start + surface.chars().count();
            let sentence = sentences.iter().position(|s| s.start <= start && end <= s.end).unwrap();
            entities.push(Entity {
                text: surface.to_string(),
                label: label.to_string(),
                score: 1.0,
                start,
                end,
                sentence,
            });
            from = byte + surface.len();
        }
        let mut mentions = Vec::new();
        for (k, s) in sentences.iter().enumerate() {
            let ents: Vec<(usize, &Entity)> = entities.iter().enumerate().filter(|(_, e)| e.sentence == k).collect();
            let st: String = chars[s.clone()].iter().collect();
            mentions.extend(sentence_mentions(&gaz, &st, s.start, k, &ents));
        }
        let index = dict.map(dictionary_index);
        let places = crate::actors::places::Places::bundled(&gaz).unwrap();
        let leaders = Leaders::bundled().unwrap();
        let res = Resolver {
            gazetteer: &gaz,
            places: &places,
            leaders: &leaders,
            dictionary: dict,
            dictionary_index: index.as_ref(),
        }
        .resolve(&chars, &mentions, date);
        (mentions, res)
    }

    /// (id, kind, affiliation id, mention texts) per actor.
    fn summary(m: &[Mention], r: &Resolution) -> Vec<(String, ActorKind, Option<String>, Vec<String>)> {
        r.actors
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    a.kind,
                    a.affiliation.map(|c| r.actors[c].id.clone()),
                    a.mentions.iter().map(|&i| m[i].text.clone()).collect(),
                )
            })
            .collect()
    }

    fn actor<'a>(
        s: &'a [(String, ActorKind, Option<String>, Vec<String>)],
        id: &str,
    ) -> &'a (String, ActorKind, Option<String>, Vec<String>) {
        s.iter()
            .find(|a| a.0 == id)
            .unwrap_or_else(|| panic!("no actor {id} in {s:?}"))
    }

    fn affiliations(text: &str, ents: &[(&str, &str)], date: Option<&str>) -> Vec<(String, Option<String>)> {
        let (m, r) = resolve_with(text, ents, None, date);
        summary(&m, &r)
            .into_iter()
            .filter(|a| a.1 != ActorKind::Country)
            .map(|a| (a.0, a.2))
            .collect()
    }

    fn some(id: &str, country: &str) -> (String, Option<String>) {
        (id.to_string(), Some(country.to_string()))
    }

    #[test]
    fn places_get_their_country_and_namesakes_wait_for_evidence() {
        let text = "A bomb exploded in Wolfsburg. Spanish police in Cordoba arrested two men. \
                    Protests spread to Cambridge.";
        let ents = [("Wolfsburg", "LOC"), ("Cordoba", "LOC"), ("Cambridge", "LOC")];
        assert_eq!(
            affiliations(text, &ents, None),
            [
                some("wolfsburg", "DEU"),
                some("spanish-police", "ESP"),
                some("cordoba", "ESP"),
                ("cambridge".to_string(), None)
            ]
        );
    }

    #[test]
    fn names_in_lists_share_the_nationality_and_the_surname() {
        let text = "Two Kenyan runners, Mary Wanjiru and Grace Achieng, won. \
                    Chilean sisters Ana and Sofia Rojas spoke. \
                    Tom Berg and Lena Holm, both Swedish nationals, left. \
                    Canadian fans cheered Paul Dumas.";
        let ents = [
            ("Mary Wanjiru", "PER"),
            ("Grace Achieng", "PER"),
            ("Ana", "PER"),
            ("Sofia Rojas", "PER"),
            ("Tom Berg", "PER"),
            ("Lena Holm", "PER"),
            ("Paul Dumas", "PER"),
        ];
        assert_eq!(
            affiliations(text, &ents, None),
            [
                some("mary-wanjiru", "KEN"),
                some("grace-achieng", "KEN"),
                some("ana-rojas", "CHL"),
                some("sofia-rojas", "CHL"),
                some("tom-berg", "SWE"),
                some("lena-holm", "SWE"),
                ("paul-dumas".to_string(), None),
            ]
        );
    }

    #[test]
    fn groups_named_in_the_plural_are_organisations_and_events_are_not_actors() {
        let text = "Democrats and Republicans clashed as the Olympics opened. Chilean fans cheered.";
        let ents = [("Democrats", "MISC"), ("Republicans", "MISC"), ("Olympics", "MISC")];
        let (m, r) = resolve_with(text, &ents, None, None);
        let s = summary(&m, &r);
        for id in ["democrats", "republicans"] {
            assert_eq!(actor(&s, id).1, ActorKind::Organization);
        }
        assert!(s.iter().all(|a| a.0 != "olympics"), "{s:?}");
    }

    #[test]
    fn members_and_mislabelled_organisations_name_their_group() {
        let text = "A Republican senator and two Republicans met Muslim clerics, Islamic scholars, \
                    the Green Party and the GOP before Brexit and the World Cup.";
        let ents = [
            ("Republican", "MISC"),
            ("Republicans", "MISC"),
            ("Muslim", "MISC"),
            ("Islamic", "MISC"),
            ("the Green Party", "MISC"),
            ("GOP", "MISC"),
            ("Brexit", "MISC"),
            ("World Cup", "MISC"),
        ];
        let (m, r) = resolve_with(text, &ents, None, None);
        let s = summary(&m, &r);
        let ids: Vec<&str> = s.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(ids, ["republicans", "muslims", "islamic", "green-party", "gop"]);
        assert!(s.iter().all(|a| a.1 == ActorKind::Organization));
        // The member noun and the plural are one actor.
        assert_eq!(r.mention_actor[0], r.mention_actor[1]);
    }

    #[test]
    fn office_holders_are_known_without_a_title() {
        let text = "Merkel met Hollande and Obama in Brussels.";
        let ents = [
            ("Merkel", "PER"),
            ("Hollande", "PER"),
            ("Obama", "PER"),
            ("Brussels", "LOC"),
        ];
        let got = affiliations(text, &ents, Some("2013-05-02"));
        assert_eq!(
            got,
            [some("merkel", "DEU"), some("hollande", "FRA"), some("obama", "USA")]
        );
    }

    #[test]
    fn titles_and_possessives_are_not_part_of_a_name() {
        assert_eq!(person_name("President Recep Tayyip Erdoğan’s"), "Recep Tayyip Erdoğan");
        assert_eq!(person_name("Mr. Putin"), "Putin");
        assert_eq!(person_name("Prime Minister Nikol Pashinyan"), "Nikol Pashinyan");
        assert_eq!(person_name("İsmet İnönü"), "İsmet İnönü");
        assert_eq!(person_name("Presidential"), "Presidential");
    }

    #[test]
    fn a_surname_joins_the_full_name() {
        let (m, r) = resolve_with(
            "Nadia Karimova spoke on Monday. Later, Karimova left.",
            &[("Nadia Karimova", "PER"), ("Karimova", "PER")],
            None,
            None,
        );
        assert_eq!(
            summary(&m, &r),
            [(
                "nadia-karimova".into(),
                ActorKind::Person,
                None,
                vec!["Nadia Karimova".into(), "Karimova".into()]
            )]
        );
    }

    #[test]
    fn two_gandhis_with_different_first_names_stay_apart() {
        let text = "Indira Gandhi founded the party. Sonia Gandhi leads it now, and Gandhi spoke today.";
        let (m, r) = resolve_with(
            text,
            &[("Indira Gandhi", "PER"), ("Sonia Gandhi", "PER"), ("Gandhi", "PER")],
            None,
            None,
        );
        let s = summary(&m, &r);
        assert_eq!(actor(&s, "indira-gandhi").3, ["Indira Gandhi"]);
        // The bare surname goes to the nearest preceding full name.
        assert_eq!(actor(&s, "sonia-gandhi").3, ["Sonia Gandhi", "Gandhi"]);
    }

    #[test]
    fn capitals_seats_of_government_and_demonyms_stand_for_their_country() {
        let text = "Paris summoned the envoy, and the Élysée warned Ankara. Turkish officials flew to Seoul. The White House stayed silent.";
        let (m, r) = resolve_with(
            text,
            &[
                ("Paris", "LOC"),
                ("Ankara", "LOC"),
                ("Turkish", "MISC"),
                ("Seoul", "LOC"),
                ("White House", "ORG"),
            ],
            None,
            None,
        );
        let s = summary(&m, &r);
        assert_eq!(actor(&s, "FRA").3, ["Paris", "Élysée"]);
        assert_eq!(actor(&s, "TUR").3, ["Ankara"]);
        assert_eq!(actor(&s, "KOR").3, ["Seoul"]);
        assert_eq!(actor(&s, "USA").3, ["White House"]);
        // A demonym before an institution makes an institution of that country.
        let officials = actor(&s, "turkish-officials");
        assert_eq!(
            (officials.1, officials.2.as_deref()),
            (ActorKind::Organization, Some("TUR"))
        );
        assert!(s
            .iter()
            .all(|a| a.1 == ActorKind::Country || a.0 == "turkish-officials"));
    }

    #[test]
    fn affiliation_by_title_chain_containment_possessive_and_apposition() {
        let text = "Chinese Foreign Ministry spokeswoman Hua Chunying spoke. \
                    The Turkish Culture Ministry cancelled the concerts. \
                    Turkish President Recep Tayyip Erdogan declined. \
                    China’s Defence Ministry objected. \
                    Wang Yi, China’s foreign minister, stayed home.";
        let ents = [
            ("Chinese", "MISC"),
            ("Foreign Ministry", "ORG"),
            ("Hua Chunying", "PER"),
            ("Turkish Culture Ministry", "ORG"),
            ("Turkish", "MISC"),
            ("Recep Tayyip Erdogan", "PER"),
            ("China", "LOC"),
            ("Defence Ministry", "ORG"),
            ("Wang Yi", "PER"),
            ("China", "LOC"),
        ];
        let (m, r) = resolve_with(text, &ents, None, None);
        let s = summary(&m, &r);
        for (id, country) in [
            ("foreign-ministry", "CHN"),
            ("hua-chunying", "CHN"),
            ("turkish-culture-ministry", "TUR"),
            ("recep-tayyip-erdogan", "TUR"),
            ("defence-ministry", "CHN"),
            ("wang-yi", "CHN"),
        ] {
            assert_eq!(actor(&s, id).2.as_deref(), Some(country), "{id}");
        }
    }

    #[test]
    fn country_words_inside_names_and_after_and_do_not_affiliate() {
        let text =
            "Jordan Bardella met Victoria Nuland. Russian President Vladimir Putin and Volodymyr Zelensky spoke.";
        let ents = [
            ("Jordan Bardella", "PER"),
            ("Victoria Nuland", "PER"),
            ("Russian", "MISC"),
            ("Vladimir Putin", "PER"),
            ("Volodymyr Zelensky", "PER"),
        ];
        let (m, r) = resolve_with(text, &ents, None, None);
        let s = summary(&m, &r);
        assert_eq!(actor(&s, "jordan-bardella").2, None);
        assert_eq!(actor(&s, "victoria-nuland").2, None);
        assert_eq!(actor(&s, "vladimir-putin").2.as_deref(), Some("RUS"));
        assert_eq!(actor(&s, "volodymyr-zelensky").2, None);
    }

    #[test]
    fn no_affiliation_across_a_clause() {
        let text = "China protested, and Hua Chunying spoke.";
        let (m, r) = resolve_with(text, &[("China", "LOC"), ("Hua Chunying", "PER")], None, None);
        assert_eq!(actor(&summary(&m, &r), "hua-chunying").2, None);
    }

    #[test]
    fn a_definite_reference_joins_the_organisation_named_before() {
        let text = "The Culture Ministry cancelled the events. The ministry said more would follow.";
        let (m, r) = resolve_with(text, &[("Culture Ministry", "ORG")], None, None);
        assert_eq!(
            actor(&summary(&m, &r), "culture-ministry").3,
            ["Culture Ministry", "The ministry"]
        );
    }

    #[test]
    fn georgia_is_the_country_unless_the_text_says_us_state() {
        let (m, r) = resolve_with(
            "Georgia accused Russia of provocations near Tbilisi.",
            &[("Georgia", "LOC"), ("Russia", "LOC"), ("Tbilisi", "LOC")],
            None,
            None,
        );
        assert_eq!(actor(&summary(&m, &r), "GEO").3, ["Georgia", "Tbilisi"]);

        let text = "Voters in Atlanta lined up early. Georgia certified the results on Friday.";
        let (m, r) = resolve_with(text, &[("Atlanta", "LOC"), ("Georgia", "LOC")], None, None);
        let s = summary(&m, &r);
        assert!(s.iter().all(|a| a.0 != "GEO"), "{s:?}");
        let state = actor(&s, "georgia-u-s-state");
        assert_eq!(
            (state.1, state.2.as_deref(), state.3.clone()),
            (ActorKind::Location, Some("USA"), vec!["Georgia".to_string()])
        );
    }

    #[test]
    fn a_petrarch_dictionary_gives_cameo_ids_honouring_dates() {
        let dict = parse_actors("RECEP_TAYYIP_ERDOGAN_ [TURELI]\n\t[TURGOV >140828]\n+PRESIDENT_ERDOGAN\n").unwrap();
        let text = "Recep Tayyip Erdogan spoke.";
        let ents = [("Recep Tayyip Erdogan", "PER")];
        let (_, r) = resolve_with(text, &ents, Some(&dict), Some("2025-06-30"));
        let a = &r.actors[0];
        assert_eq!((a.id.as_str(), a.cameo.as_deref()), ("TURGOV", Some("TURGOV")));
        assert_eq!(a.affiliation.map(|c| r.actors[c].id.as_str()), Some("TUR"));
        let (_, r) = resolve_with(text, &ents, Some(&dict), Some("1999-01-01"));
        assert_eq!(r.actors[0].cameo.as_deref(), Some("TURELI"));
    }
}
