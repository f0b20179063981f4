//! Actor resolution within one article: mentions → actors, as named passes over one
//! [`State`], in this order (each pass's rules are specified by its tests in `tests.rs`):
//! 1. [`names`](names::names): countries by gazetteer (name, capital, demonym, seat of
//!    government; [`countries`] reads which country a mention stands for), persons by full name,
//!    organisations, places and groups, numbered in order of first mention;
//! 2. [`surnames`](names::surnames): a bare surname joins the nearest preceding full name that
//!    ends with it;
//! 3. [`references`](names::references): "the ministry" joins the organisation named before;
//! 4. [`affiliations`](affiliation::affiliations): a country voted over mentions, by containment
//!    ("Turkish Culture Ministry"), a title chain on the left ("Chinese Foreign Ministry
//!    spokeswoman Hua Chunying", "the French president, A B"), apposition on the right ("Hua
//!    Chunying, China’s ..."), "Prime Minister A B of Ruritania", a place's country, and lists
//!    ("Filipino seamen, A B and C D"); what it reads for persons is kept as [`Stated`];
//! 5. [`titles`](coreference::titles): "the minister" joins the person named with that title;
//! 6. [`pronouns`](coreference::pronouns): "she", "they", "who" join the actor they stand for;
//! 7. [`office_holders`](affiliation::office_holders): people known without a title, by their
//!    role on the article's date, from the first table that knows the name (a user's
//!    dictionary, then learned people, then the bundled office-holders);
//! 8. [`dictionary`](affiliation::dictionary): CAMEO codes (and affiliations) from an optional
//!    PETRARCH dictionary;
//! 9. [`ids`]: ids unique within the article.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::gazetteer::Gazetteer;
use super::leaders::Leaders;
use super::petrarch::{ActorDictionary, Date};
use super::places::Places;
use crate::actors::mentions::Mention;

mod affiliation;
mod coreference;
mod countries;
mod ids;
mod names;
#[cfg(test)]
mod tests;

pub use names::{person_name, slug};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Country,
    Person,
    Organization,
    Location,
}

impl ActorKind {
    /// The name written in the output (`kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Country => "country",
            ActorKind::Person => "person",
            ActorKind::Organization => "organization",
            ActorKind::Location => "location",
        }
    }
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
    /// How a mention that does not name its actor was joined to it (None: by its name).
    pub mention_links: Vec<Option<Link>>,
    /// The affiliations of persons that the article states itself, one per mention that
    /// states one (what `actors learn` collects).
    pub stated: Vec<Stated>,
}

/// A person's country as the article states it at one mention: a title chain ("French
/// President X"), an apposition ("X, France's foreign minister"), "Prime Minister X of France",
/// a nationality list; with the role its title words name ("foreign minister"), if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    pub actor: usize,
    pub mention: usize,
    /// The country's actor.
    pub country: usize,
    pub roles: Vec<String>,
}

/// How a mention that does not name its actor was joined to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// A pronoun ("she", "they").
    Coreference,
    /// A title or definite reference ("the minister", "the ministry").
    Title,
    /// A relative pronoun ("…, who").
    Relative,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Coreference => "coreference",
            Link::Title => "title",
            Link::Relative => "relative",
        }
    }
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

/// What the passes build for one article.
struct State {
    actors: Vec<Actor>,
    /// A key per actor ("country:FRA", "per:Ana Lima", "org:senate"): a name seen again joins
    /// the actor it made.
    by_key: HashMap<String, usize>,
    mention_actor: Vec<Option<usize>>,
    links: Vec<Option<Link>>,
    stated: Vec<Stated>,
}

impl State {
    /// The actor under `key`, made by `make` the first time.
    fn actor(&mut self, key: String, make: impl FnOnce() -> Actor) -> usize {
        let actors = &mut self.actors;
        *self.by_key.entry(key).or_insert_with(|| {
            actors.push(make());
            actors.len() - 1
        })
    }

    /// The actor of a named entity: keyed by `key`, its id a slug of its name.
    fn named(&mut self, key: String, name: String, kind: ActorKind) -> usize {
        self.actor(key, || Actor {
            id: slug(&name),
            name,
            kind,
            affiliation: None,
            cameo: None,
            mentions: vec![],
        })
    }

    /// The actor of gazetteer country `c`, its id the ISO code.
    fn country(&mut self, gaz: &Gazetteer, c: usize) -> usize {
        let country = &gaz.countries[c];
        self.actor(format!("country:{}", country.code), || Actor {
            id: country.code.clone(),
            name: country.name.clone(),
            kind: ActorKind::Country,
            affiliation: None,
            cameo: None,
            mentions: vec![],
        })
    }
}

/// The article as the passes read it.
struct Article<'r> {
    text: &'r [char],
    mentions: &'r [Mention],
    countries: countries::Countries<'r>,
}

impl Resolver<'_> {
    pub fn resolve(&self, text: &[char], mentions: &[Mention], date: Option<&str>) -> Resolution {
        let whole: String = text.iter().collect();
        let article = Article {
            text,
            mentions,
            countries: countries::Countries::read(self.gazetteer, self.places, &whole),
        };
        let mut st = State {
            actors: Vec::new(),
            by_key: HashMap::new(),
            mention_actor: vec![None; mentions.len()],
            links: vec![None; mentions.len()],
            stated: Vec::new(),
        };
        let bare = names::names(&mut st, &article, self.leaders);
        names::surnames(&mut st, &article, bare);
        names::references(&mut st, &article);
        affiliation::affiliations(&mut st, &article, self.places);
        coreference::titles(&mut st, &article);
        coreference::pronouns(&mut st, &article);
        let day = date.and_then(Date::parse_iso);
        affiliation::office_holders(&mut st, self.gazetteer, self.leaders, day);
        if let (Some(dict), Some(index)) = (self.dictionary, self.dictionary_index) {
            affiliation::dictionary(&mut st, self.gazetteer, dict, index, day);
        }
        let State {
            mut actors,
            mention_actor,
            links,
            stated,
            ..
        } = st;
        for (i, a) in mention_actor.iter().enumerate() {
            if let Some(a) = a {
                actors[*a].mentions.push(i);
            }
        }
        ids::unique_ids(&mut actors);
        Resolution {
            actors,
            mention_actor,
            mention_links: links,
            stated,
        }
    }
}
