//! Actor resolution within one article: mentions → actors. Countries by gazetteer (name,
//! capital, demonym, seat of government); persons by full name, with a bare surname joining the
//! nearest preceding full name that ends with it; organisations by name; affiliations to a
//! country by containment ("Azerbaijani Culture Ministry"), by a title chain on the left
//! ("Russian Foreign Ministry spokeswoman Maria Zakharova"), by apposition on the right
//! ("Maria Zakharova, Russia’s ...") and by an optional PETRARCH dictionary.

use std::collections::HashMap;

use serde::Serialize;

use super::gazetteer::{Gazetteer, Via};
use super::petrarch::{ActorDictionary, Date};
use crate::mentions::Mention;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    "president", "prime", "minister", "deputy", "foreign", "defense", "defence", "interior", "culture",
    "spokeswoman", "spokesman", "spokesperson", "ambassador", "envoy", "leader", "chief", "head", "general",
    "secretary", "state", "official", "officials", "senator", "governor", "mayor", "king", "queen", "chancellor",
    "commander", "former", "acting", "vice", "opposition", "lawmaker", "diplomat", "top", "senior", "army",
    "ministry", "affairs", "of", "the", "and", "national", "security", "adviser", "advisor", "counterpart",
];

const PERSON_TITLES: &[&str] = &["president", "mr", "mrs", "ms", "dr", "prime minister", "minister", "gen", "general", "sen", "senator", "gov", "governor"];

fn strip_possessive(s: &str) -> &str {
    s.strip_suffix("’s").or_else(|| s.strip_suffix("'s")).or_else(|| s.strip_suffix('’')).unwrap_or(s).trim()
}

/// "President Ilham Aliyev’s" → "Ilham Aliyev".
pub fn person_name(text: &str) -> String {
    let mut s = strip_possessive(text.trim());
    loop {
        let lower = s.to_lowercase();
        let Some(t) = PERSON_TITLES.iter().find(|t| lower.starts_with(*t) && lower[t.len()..].starts_with([' ', '.'])) else { break };
        s = s[t.len()..].trim_start_matches('.').trim_start();
    }
    s.to_string()
}

fn org_name(text: &str) -> String {
    let s = strip_possessive(text.trim());
    s.strip_prefix("the ").or_else(|| s.strip_prefix("The ")).unwrap_or(s).to_string()
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
    let cues = ["Atlanta", "state of Georgia", "Georgia state", "Georgia Gov", "Georgia’s governor", "Georgia's governor", ", Ga.", "Savannah, Georgia", "Georgia Republican", "Georgia Democrat"];
    cues.iter().any(|c| text.contains(c)) && !text.contains("Tbilisi")
}

pub struct Resolver<'a> {
    pub gazetteer: &'a Gazetteer,
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
                actors.push(Actor { id: code.clone(), name: gaz.countries[c].name.clone(), kind: ActorKind::Country, affiliation: None, cameo: None, mentions: vec![] });
                actors.len() - 1
            })
        };
        let geo = gaz.by_code("GEO");
        // The country a mention stands for: the whole mention, or a demonym/name opening a MISC one ("Russian-sponsored").
        let country_of = |m: &Mention| -> Option<usize> {
            let whole = m.country.filter(|&(c, via)| !(us_georgia && Some(c) == geo && via == Via::Name)).map(|(c, _)| c);
            whole.or_else(|| (m.label == "MISC").then(|| gaz.find(&m.text).into_iter().find(|h| h.start == 0).map(|h| h.country)).flatten())
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
                    let name = person_name(&m.text);
                    if !name.contains(' ') {
                        pending_surnames.push(i);
                        continue;
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
                        ("loc:georgia-us".into(), "Georgia (U.S. state)".into(), ActorKind::Location)
                    } else {
                        (format!("loc:{}", name.to_lowercase()), name, ActorKind::Location)
                    }
                }
                _ => continue,
            };
            let a = *by_key.entry(key).or_insert_with(|| {
                actors.push(Actor { id: slug(&name), name, kind, affiliation: None, cameo: None, mentions: vec![] });
                actors.len() - 1
            });
            mention_actor[i] = Some(a);
        }
        // Pass 2: a bare name joins the nearest preceding (else the first) person whose name ends with it.
        for i in pending_surnames {
            let name = person_name(&mentions[i].text);
            let candidates: Vec<(usize, usize)> = (0..mentions.len())
                .filter_map(|j| mention_actor[j].map(|a| (j, a)))
                .filter(|&(_, a)| actors[a].kind == ActorKind::Person && actors[a].name.rsplit(' ').next() == Some(name.as_str()))
                .collect();
            let chosen = candidates.iter().rev().find(|&&(j, _)| j < i).or(candidates.first()).map(|&(_, a)| a);
            mention_actor[i] = Some(chosen.unwrap_or_else(|| {
                *by_key.entry(format!("per:{name}")).or_insert_with(|| {
                    actors.push(Actor { id: slug(&name), name: name.clone(), kind: ActorKind::Person, affiliation: None, cameo: None, mentions: vec![] });
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

        // Affiliations, voted over mentions.
        let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); actors.len()];
        let mut affil_of_mention: Vec<Option<usize>> = vec![None; mentions.len()];
        for (i, m) in mentions.iter().enumerate() {
            let Some(a) = mention_actor[i] else { continue };
            if actors[a].kind == ActorKind::Country {
                continue;
            }
            let contained = gaz.find(&m.text).first().map(|h| h.country);
            let left = (i > 0 && mentions[i - 1].sentence == m.sentence)
                .then(|| {
                    let gap: String = text[mentions[i - 1].end..m.start].iter().collect();
                    let ok = gap.trim().split_whitespace().all(|w| {
                        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                        w.is_empty() || w == "s" || TITLE_WORDS.contains(&w.to_lowercase().as_str()) || w.chars().next().is_some_and(char::is_uppercase)
                    }) && !gap.contains([',', ';', '(', ')', '“', '”', '"']);
                    ok.then(|| mention_actor[i - 1].and_then(|p| if actors[p].kind == ActorKind::Country { Some(p) } else { affil_of_mention[i - 1] }))
                        .flatten()
                })
                .flatten();
            let right = mentions.get(i + 1).filter(|n| n.sentence == m.sentence).and_then(|n| {
                let gap: String = text[m.end..n.start].iter().collect();
                (gap.trim() == "," && m.label == "PER").then(|| mention_actor[i + 1].filter(|&p| actors[p].kind == ActorKind::Country)).flatten()
            });
            let found = contained.map(|c| country_actor(&mut actors, &mut by_key, c)).or(left).or(right);
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
            actors[a].affiliation = v.iter().max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c))).map(|(&c, _)| c);
        }

        // PETRARCH codes (and the affiliations they imply), honouring the article's date.
        if let (Some(dict), Some(index)) = (self.dictionary, self.dictionary_index) {
            let date = date.and_then(Date::parse_iso);
            for a in 0..actors.len() {
                let Some(&e) = index.get(&actors[a].name.to_uppercase()) else { continue };
                let Some(code) = dict.entries[e].code_on(date) else { continue };
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

/// Ids are the ISO code for countries, the CAMEO code where a dictionary gives one to a single
/// actor of the article, else a slug of the name; clashes get a numeric suffix.
fn unique_ids(actors: &mut [Actor]) {
    let mut cameo_count: HashMap<String, usize> = HashMap::new();
    for a in actors.iter() {
        if let Some(c) = &a.cameo {
            *cameo_count.entry(c.clone()).or_default() += 1;
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for a in actors.iter_mut() {
        if a.kind != ActorKind::Country {
            if let Some(c) = a.cameo.as_ref().filter(|c| cameo_count[*c] == 1) {
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
