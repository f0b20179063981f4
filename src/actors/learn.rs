//! Affiliations learned from a corpus (`actorstance actors learn`): the countries that articles
//! state for persons themselves ([`Stated`]: "French President A B", "A B, France's foreign
//! minister", "Prime Minister A B of France", nationality lists), tallied over articles with
//! their dates and written as a PETRARCH dictionary, which `analyze --gazetteer` reads before the
//! bundled office-holders. Plain data: the caller reads the corpus and writes the file.
//!
//! Per person, each article counts once per country it states. The country of each period is
//! the majority of its months' evidence; a period with fewer than `min_articles` articles is
//! folded into its neighbours, so that one stray article does not make a change of country.
//! The written ranges run from a period's first to its last dated evidence, and the country
//! carries on outside them until contrary evidence (`[ISO3 >first]` lines and a default).

use std::collections::{BTreeMap, BTreeSet};

use super::leaders::key;
use super::petrarch::Date;
use super::resolve::{ActorKind, Resolution};

/// The first line of every dictionary this module writes: a file that starts with it lists
/// people only, so a name that NER tagged as an organisation is read as a person.
pub const HEADER: &str = "# actorstance actors learn";

/// Whether a dictionary's text was written by `actors learn`.
pub fn is_learned(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with(HEADER)
}

/// The evidence for one country of one person.
#[derive(Debug, Default, Clone)]
struct CountryTally {
    articles: usize,
    undated: usize,
    dates: Vec<Date>,
    /// Role → articles naming it.
    roles: BTreeMap<String, usize>,
}

#[derive(Debug, Default, Clone)]
struct PersonTally {
    /// Spelling → articles (the most used one heads the entry).
    spellings: BTreeMap<String, usize>,
    /// ISO3 → evidence.
    countries: BTreeMap<String, CountryTally>,
}

impl PersonTally {
    fn absorb(&mut self, other: PersonTally) {
        for (s, n) in other.spellings {
            *self.spellings.entry(s).or_default() += n;
        }
        for (c, t) in other.countries {
            let mine = self.countries.entry(c).or_default();
            mine.articles += t.articles;
            mine.undated += t.undated;
            mine.dates.extend(t.dates);
            for (r, n) in t.roles {
                *mine.roles.entry(r).or_default() += n;
            }
        }
    }

    fn articles(&self) -> usize {
        self.countries.values().map(|c| c.articles).sum()
    }
}

/// The corpus so far: stated affiliations per person, and every person's full name seen (to
/// know which surnames name one person only).
#[derive(Debug, Default)]
pub struct Learner {
    /// Folded name → tally; single-word names are surnames (or mononyms) stated alone.
    people: BTreeMap<String, PersonTally>,
    /// Folded surname → folded full names of persons seen with it, stated or not, with a
    /// spelling (the first in sort order).
    full_names: BTreeMap<String, BTreeMap<String, String>>,
    /// Folded first word → folded full names that open with it.
    first_words: BTreeMap<String, BTreeSet<String>>,
    /// Folded one-word names of persons (and organisations) seen ("Xi", "Prabowo"): names the
    /// corpus uses alone.
    singles: BTreeSet<String>,
    articles: usize,
    dated: usize,
}

/// A span of time with one country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub country: String,
    pub first: Date,
    pub last: Date,
    pub articles: usize,
}

/// One learned person.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    /// Single words written as synonyms (the surname; a first word the corpus uses alone):
    /// each names this person only in the corpus.
    pub synonyms: Vec<String>,
    /// The country where no date decides (undated articles, dates before all evidence): the
    /// one most articles state.
    pub country: String,
    /// In time order; empty when no evidence had a date.
    pub periods: Vec<Period>,
    /// ISO3 → what stated it, over the whole record.
    pub evidence: BTreeMap<String, Evidence>,
}

/// The articles that state one country for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub articles: usize,
    pub undated: usize,
    /// Role words with their article counts, most frequent first.
    pub roles: Vec<(String, usize)>,
}

/// What learning found, and what it left out and why.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub entries: Vec<Entry>,
    pub articles: usize,
    pub dated: usize,
    /// People whose articles state more than one country: (name, ISO3 → articles).
    pub conflicts: Vec<(String, BTreeMap<String, usize>)>,
    /// Surnames more than one person of the corpus bears (of different countries, or none of
    /// them learned): not written; such a single word stated alone is not learned.
    pub shared_surnames: Vec<String>,
    /// People stated in fewer than `min_articles` articles.
    pub below_min: usize,
}

impl Learner {
    /// One article's resolution and its `date` (ISO, as in the input; None or unreadable:
    /// undated evidence).
    pub fn add_article(&mut self, res: &Resolution, date: Option<&str>) {
        let day = date.and_then(Date::parse_iso);
        self.articles += 1;
        self.dated += usize::from(day.is_some());
        for a in &res.actors {
            let k = key(&a.name);
            // A one-word name that NER took for an organisation ("Prabowo said") is still a
            // name the corpus uses alone.
            if a.kind == ActorKind::Organization && !k.contains(' ') {
                self.singles.insert(k);
                continue;
            }
            if a.kind != ActorKind::Person {
                continue;
            }
            match k.split_once(' ') {
                Some((first, _)) => {
                    self.first_words.entry(first.to_string()).or_default().insert(k.clone());
                }
                None => {
                    self.singles.insert(k.clone());
                }
            }
            if let Some(last) = surname_of(&k) {
                let spelling = self
                    .full_names
                    .entry(last.to_string())
                    .or_default()
                    .entry(k.clone())
                    .or_insert_with(|| a.name.clone());
                if a.name < *spelling {
                    *spelling = a.name.clone();
                }
            }
        }
        // (actor, ISO3) → roles, each once per article.
        let mut stated: BTreeMap<(usize, &str), BTreeSet<&str>> = BTreeMap::new();
        for s in &res.stated {
            let roles = stated.entry((s.actor, res.actors[s.country].id.as_str())).or_default();
            roles.extend(s.roles.iter().map(String::as_str));
        }
        let mut spelled = BTreeSet::new();
        for ((actor, iso), roles) in stated {
            let name = &res.actors[actor].name;
            if !is_writable(name) {
                continue;
            }
            let person = self.people.entry(key(name)).or_default();
            if spelled.insert(actor) {
                *person.spellings.entry(name.clone()).or_default() += 1;
            }
            let t = person.countries.entry(iso.to_string()).or_default();
            t.articles += 1;
            match day {
                Some(d) => t.dates.push(d),
                None => t.undated += 1,
            }
            for r in roles {
                *t.roles.entry(r.to_string()).or_default() += 1;
            }
        }
    }

    /// The dictionary: people stated in at least `min_articles` articles.
    pub fn finish(self, min_articles: usize) -> Learned {
        let min_articles = min_articles.max(1);
        let Learner {
            mut people,
            full_names,
            first_words,
            singles,
            articles,
            dated,
        } = self;
        // The one person a surname's full names are ("Tayyip Erdogan" is "Recep Tayyip
        // Erdogan"), if they are one.
        let one_person = |w: &str| full_names.get(w).and_then(|f| one_person(f.keys()));
        // Variants of one person's name join its longest.
        let variants: Vec<(String, String)> = full_names
            .keys()
            .filter_map(|w| one_person(w).map(|c| (w, c)))
            .flat_map(|(w, c)| {
                full_names[w]
                    .keys()
                    .filter(|k| **k != c)
                    .map(|k| (k.clone(), c.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut variants_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (variant, canonical) in variants {
            if let Some(tally) = people.remove(&variant) {
                people.entry(canonical.clone()).or_default().absorb(tally);
            }
            variants_of.entry(canonical).or_default().insert(variant);
        }
        // The country most of a tally's articles state, and how many articles it has.
        let main_country = |p: &PersonTally| {
            p.countries
                .iter()
                .max_by(|a, b| a.1.articles.cmp(&b.1.articles).then(b.0.cmp(a.0)))
                .map(|(c, _)| (c.clone(), p.articles()))
        };
        // The people learned under their full names, and what single words alone state.
        let learned_full: BTreeMap<String, (String, usize)> = people
            .iter()
            .filter(|(k, p)| k.contains(' ') && p.articles() >= min_articles)
            .filter_map(|(k, p)| main_country(p).map(|c| (k.clone(), c)))
            .collect();
        let stated_alone: BTreeMap<String, String> = people
            .iter()
            .filter(|(k, _)| !k.contains(' '))
            .filter_map(|(k, p)| main_country(p).map(|(c, _)| (k.clone(), c)))
            .collect();
        let canonical_of: BTreeMap<&String, &String> = variants_of
            .iter()
            .flat_map(|(c, vs)| vs.iter().map(move |v| (v, c)))
            .collect();
        // Several people bear a surname ("Ivanka Trump", "Donald Trump"): it still stands for
        // the one of them learned most often, where every learned bearer, and what the word
        // alone states, is of one country; the article's own full name decides who it is.
        let dominant = |w: &str| -> Option<String> {
            let bearers: BTreeSet<&String> = full_names
                .get(w)?
                .keys()
                .map(|k| canonical_of.get(k).copied().unwrap_or(k))
                .collect();
            let learned: Vec<(&String, &(String, usize))> = bearers
                .iter()
                .filter_map(|b| learned_full.get(*b).map(|c| (*b, c)))
                .collect();
            let (best, (country, _)) = learned.iter().max_by(|a, b| (a.1).1.cmp(&(b.1).1).then(b.0.cmp(a.0)))?;
            let one_country =
                learned.iter().all(|(_, (c, _))| c == country) && stated_alone.get(w).is_none_or(|c| c == country);
            one_country.then(|| (*best).clone())
        };
        // The one full name a single word names: that of the one person bearing it as a
        // surname (or the dominant one, above), else (nobody's surname) the only one opening
        // with it ("Xi" of "Xi Jinping").
        let named_by = |w: &str| -> Result<Option<String>, ()> {
            if full_names.get(w).is_some_and(|f| !f.is_empty()) {
                return one_person(w).or_else(|| dominant(w)).map(Some).ok_or(());
            }
            match first_words.get(w).map(|f| f.iter().collect::<Vec<_>>()).as_deref() {
                Some([full]) => Ok(Some((*full).clone())),
                Some([_, _, ..]) => Err(()),
                _ => Ok(None),
            }
        };
        let spelling_of = |full: &str| -> String {
            full_names
                .values()
                .find_map(|f| f.get(full).cloned())
                .unwrap_or_else(|| full.to_string())
        };
        let mut out = Learned {
            articles,
            dated,
            ..Learned::default()
        };
        // Surnames (and mononyms) stated alone join the one person of the corpus who bears
        // them; borne by several, they are left out; borne by none, they stand alone.
        let single: Vec<String> = people.keys().filter(|k| !k.contains(' ')).cloned().collect();
        for s in single {
            match named_by(&s) {
                Ok(None) => {}
                Ok(Some(full)) => {
                    let tally = people.remove(&s).unwrap_or_default();
                    let person = people.entry(full.clone()).or_default();
                    // Headed by the full name even where only the single word was stated.
                    let n = tally.spellings.values().sum::<usize>();
                    *person.spellings.entry(spelling_of(&full)).or_default() += n;
                    person.absorb(PersonTally {
                        spellings: BTreeMap::new(),
                        ..tally
                    });
                }
                Err(()) => {
                    people.remove(&s);
                    out.shared_surnames.push(s);
                }
            }
        }
        for (k, p) in people {
            if p.articles() < min_articles {
                out.below_min += 1;
                continue;
            }
            let name = p
                .spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.clone())
                .unwrap_or_default();
            // Single words that name this person only: the surname, and the first word where
            // the corpus uses it alone and it names nobody else (written folded, as looked up).
            let head = key(&name);
            let mut synonyms: Vec<String> = std::iter::once(&k)
                .chain(variants_of.get(&k).into_iter().flatten())
                .filter(|v| **v != head)
                .cloned()
                .collect();
            if let (Some((first, _)), Some(last)) = (k.split_once(' '), surname_of(&k)) {
                match named_by(last) {
                    Ok(Some(full)) if full == k => synonyms.push(last.to_string()),
                    Err(()) => out.shared_surnames.push(last.to_string()),
                    _ => {}
                }
                if first != last && singles.contains(first) && named_by(first) == Ok(Some(k.clone())) {
                    synonyms.push(first.to_string());
                }
            }
            let country = main_country(&p).map(|(c, _)| c).unwrap_or_default();
            if p.countries.len() > 1 {
                out.conflicts.push((
                    name.clone(),
                    p.countries.iter().map(|(c, t)| (c.clone(), t.articles)).collect(),
                ));
            }
            let periods = periods(&p.countries, min_articles);
            let evidence = p
                .countries
                .into_iter()
                .map(|(c, t)| {
                    let mut roles: Vec<(String, usize)> = t.roles.into_iter().collect();
                    roles.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    (
                        c,
                        Evidence {
                            articles: t.articles,
                            undated: t.undated,
                            roles,
                        },
                    )
                })
                .collect();
            out.entries.push(Entry {
                name,
                synonyms,
                country,
                periods,
                evidence,
            });
        }
        out.shared_surnames.sort();
        out.shared_surnames.dedup();
        out
    }
}

/// The surname of a folded full name: its last word that is no suffix ("Jr") or initial.
fn surname_of(k: &str) -> Option<&str> {
    let mut words: Vec<&str> = k.split(' ').collect();
    while words
        .last()
        .map(|w| w.trim_end_matches('.'))
        .is_some_and(|w| w.chars().count() <= 1 || matches!(w, "JR" | "SR" | "II" | "III" | "IV"))
    {
        words.pop();
    }
    (words.len() >= 2).then(|| words[words.len() - 1])
}

/// The longest of full names sharing a surname when every other is made of its words
/// (initials aside): then they name one person.
fn one_person<'k>(names: impl Iterator<Item = &'k String>) -> Option<String> {
    let names: Vec<&String> = names.collect();
    let longest = names
        .iter()
        .max_by(|a, b| a.split(' ').count().cmp(&b.split(' ').count()).then(b.cmp(a)))?;
    let words: BTreeSet<&str> = longest.split(' ').collect();
    names
        .iter()
        .all(|n| {
            n.split(' ')
                .filter(|w| w.trim_end_matches('.').chars().count() > 1)
                .all(|w| words.contains(w))
        })
        .then(|| (*longest).clone())
}

/// A name the dictionary format can hold: not empty, and no comment or role character.
fn is_writable(name: &str) -> bool {
    !name.trim().is_empty() && !name.contains(['#', ';', '[', ']', '+', '_', '\n', '\t'])
}

/// A run of months with one majority country: (country, months, articles in them).
type Run<'c> = (&'c str, Vec<(i32, u32)>, usize);

/// Periods of one country each, in time order: the majority country per month, runs of equal
/// months joined, runs with fewer than `min_articles` articles folded into the run before them
/// (else after them).
fn periods(countries: &BTreeMap<String, CountryTally>, min_articles: usize) -> Vec<Period> {
    let totals: BTreeMap<&str, usize> = countries.iter().map(|(c, t)| (c.as_str(), t.articles)).collect();
    let mut months: BTreeMap<(i32, u32), BTreeMap<&str, usize>> = BTreeMap::new();
    for (c, t) in countries {
        for d in &t.dates {
            *months
                .entry((d.year, d.month))
                .or_default()
                .entry(c.as_str())
                .or_default() += 1;
        }
    }
    // (country, months, articles in them)
    let mut runs: Vec<Run> = Vec::new();
    for (month, votes) in &months {
        let winner = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(totals[a.0].cmp(&totals[b.0])).then(b.0.cmp(a.0)))
            .map(|(c, _)| *c)
            .unwrap_or_default();
        let n: usize = votes.values().sum();
        match runs.last_mut() {
            Some((c, ms, k)) if *c == winner => {
                ms.push(*month);
                *k += n;
            }
            _ => runs.push((winner, vec![*month], n)),
        }
    }
    while runs.len() > 1 {
        let Some(weak) = runs.iter().position(|r| r.2 < min_articles) else {
            break;
        };
        let (_, ms, n) = runs.remove(weak);
        let into = weak.saturating_sub(1).min(runs.len() - 1);
        runs[into].1.extend(ms);
        runs[into].1.sort();
        runs[into].2 += n;
        // Neighbours of one country become one run.
        let mut joined: Vec<Run> = Vec::new();
        for r in runs.drain(..) {
            match joined.last_mut() {
                Some(last) if last.0 == r.0 => {
                    last.1.extend(r.1);
                    last.2 += r.2;
                }
                _ => joined.push(r),
            }
        }
        runs = joined;
    }
    runs.into_iter()
        .filter_map(|(c, ms, _)| {
            let inside: Vec<Date> = countries[c]
                .dates
                .iter()
                .copied()
                .filter(|d| ms.contains(&(d.year, d.month)))
                .collect();
            Some(Period {
                country: c.to_string(),
                first: *inside.iter().min()?,
                last: *inside.iter().max()?,
                articles: inside.len(),
            })
        })
        .collect()
}

/// A dictionary date: `YYMMDD` where the 2030 pivot reads it back, else `YYYYMMDD`.
fn dictionary_date(d: Date) -> String {
    if (1930..2030).contains(&d.year) {
        format!("{:02}{:02}{:02}", d.year % 100, d.month, d.day)
    } else {
        format!("{:04}{:02}{:02}", d.year, d.month, d.day)
    }
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn dictionary_name(name: &str) -> String {
    format!(
        "{}_",
        name.to_uppercase().split_whitespace().collect::<Vec<_>>().join("_")
    )
}

impl Learned {
    /// The PETRARCH `.actors` text: a header, then one record per person, most stated first.
    pub fn to_actors(&self, min_articles: usize) -> String {
        let mut out = format!(
            "{HEADER}: {} people from {} articles ({} dated), each stated in at least {} article(s).\n\
             # [ISO3 first-last]: the dates of a country's evidence; the country carries on after it until\n\
             # contrary evidence ([ISO3 >first]) and where no date decides (the default [ISO3]).\n",
            self.entries.len(),
            self.articles,
            self.dated,
            min_articles.max(1)
        );
        let mut order: Vec<&Entry> = self.entries.iter().collect();
        order.sort_by(|a, b| {
            let n = |e: &Entry| e.evidence.values().map(|v| v.articles).sum::<usize>();
            n(b).cmp(&n(a)).then(a.name.cmp(&b.name))
        });
        for e in order {
            let evidence: Vec<String> = e
                .evidence
                .iter()
                .map(
                    |(
                        c,
                        Evidence {
                            articles: n,
                            undated,
                            roles,
                        },
                    )| {
                        let dates = e
                            .periods
                            .iter()
                            .filter(|p| &p.country == c)
                            .map(|p| format!(" {}..{}", iso_date(p.first), iso_date(p.last)))
                            .collect::<String>();
                        let undated = if *undated > 0 {
                            format!(", {undated} undated")
                        } else {
                            String::new()
                        };
                        let roles = if roles.is_empty() {
                            String::new()
                        } else {
                            let r: Vec<String> = roles.iter().map(|(r, k)| format!("{r} {k}")).collect();
                            format!("; roles: {}", r.join(", "))
                        };
                        format!("{c} {n} article(s){undated}{dates}{roles}")
                    },
                )
                .collect();
            out.push_str(&format!("{}  # {}\n", dictionary_name(&e.name), evidence.join(" | ")));
            for s in &e.synonyms {
                out.push_str(&format!("+{}\n", dictionary_name(s)));
            }
            for p in &e.periods {
                out.push_str(&format!(
                    "\t[{} {}-{}]\n",
                    p.country,
                    dictionary_date(p.first),
                    dictionary_date(p.last)
                ));
            }
            if e.periods.len() > 1 {
                for p in e.periods.iter().rev() {
                    out.push_str(&format!("\t[{} >{}]\n", p.country, dictionary_date(p.first)));
                }
            }
            out.push_str(&format!("\t[{}]\n", e.country));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::leaders::Leaders;
    use crate::actors::petrarch::parse_actors;
    use crate::actors::resolve::{Actor, Stated};

    /// One article's resolution: persons with the country (and roles) the article states for
    /// them, if any.
    /// (name, the (ISO3, roles) the article states for them).
    type Person<'a> = (&'a str, Option<(&'a str, &'a [&'a str])>);

    fn article(people: &[Person]) -> Resolution {
        let mut res = Resolution::default();
        let actor = |id: &str, name: &str, kind| Actor {
            id: id.into(),
            name: name.into(),
            kind,
            affiliation: None,
            cameo: None,
            mentions: vec![],
        };
        for (name, stated) in people {
            res.actors.push(actor(name, name, ActorKind::Person));
            if let Some((iso, roles)) = stated {
                res.actors.push(actor(iso, iso, ActorKind::Country));
                res.stated.push(Stated {
                    actor: res.actors.len() - 2,
                    mention: 0,
                    country: res.actors.len() - 1,
                    roles: roles.iter().map(|r| r.to_string()).collect(),
                });
            }
        }
        res
    }

    fn day(s: &str) -> Option<Date> {
        Date::parse_iso(s)
    }

    #[test]
    fn a_person_stated_in_two_articles_is_learned_with_a_surname_and_the_dates() {
        let mut l = Learner::default();
        l.add_article(
            &article(&[("Jane Doe", Some(("FRA", &["president"])))]),
            Some("2025-01-05"),
        );
        l.add_article(
            &article(&[("Jane Doe", Some(("FRA", &["president", "leader"])))]),
            Some("2025-03-01"),
        );
        l.add_article(&article(&[("Doe", Some(("FRA", &[])))]), None);
        l.add_article(&article(&[("Jane Doe", None)]), Some("2025-04-01"));
        let learned = l.finish(2);
        assert_eq!(learned.articles, 4);
        assert_eq!(learned.dated, 3);
        assert_eq!(
            learned.entries,
            [Entry {
                name: "Jane Doe".into(),
                synonyms: vec!["DOE".into()],
                country: "FRA".into(),
                periods: vec![Period {
                    country: "FRA".into(),
                    first: day("2025-01-05").unwrap(),
                    last: day("2025-03-01").unwrap(),
                    articles: 2,
                }],
                evidence: [(
                    "FRA".to_string(),
                    Evidence {
                        articles: 3,
                        undated: 1,
                        roles: vec![("president".to_string(), 2), ("leader".to_string(), 1)]
                    }
                )]
                .into_iter()
                .collect(),
            }]
        );
        let text = learned.to_actors(2);
        assert!(is_learned(&text));
        assert!(
            text.contains("JANE_DOE_  # FRA 3 article(s), 1 undated 2025-01-05..2025-03-01; roles: president 2, leader 1\n+DOE_\n\t[FRA 250105-250301]\n\t[FRA]\n"),
            "{text}"
        );
        // The country carries on after the last evidence, and without a date.
        let leaders = Leaders::bundled()
            .unwrap()
            .with_first(parse_actors(&text).unwrap(), true);
        assert_eq!(leaders.country_code("Doe", day("2026-06-01")), Some("FRA"));
        assert_eq!(leaders.country_code("Jane Doe", None), Some("FRA"));
    }

    #[test]
    fn too_few_articles_and_shared_surnames_are_left_out_and_counted() {
        let mut l = Learner::default();
        l.add_article(&article(&[("Jane Doe", Some(("FRA", &[])))]), None);
        l.add_article(&article(&[("Jane Doe", Some(("FRA", &[]))), ("John Doe", None)]), None);
        l.add_article(&article(&[("Doe", Some(("DEU", &[])))]), None);
        l.add_article(&article(&[("Doe", Some(("DEU", &[])))]), None);
        l.add_article(&article(&[("Ana Lima", Some(("BRA", &[])))]), None);
        let learned = l.finish(2);
        assert_eq!(learned.entries.len(), 1);
        let jane = &learned.entries[0];
        assert_eq!(jane.name, "Jane Doe");
        assert!(jane.synonyms.is_empty(), "two people bear Doe");
        assert!(jane.periods.is_empty(), "no evidence had a date");
        assert_eq!(learned.shared_surnames, ["DOE"]);
        assert_eq!(learned.below_min, 1, "Ana Lima, once");
        assert!(learned
            .to_actors(2)
            .contains("JANE_DOE_  # FRA 2 article(s), 2 undated\n\t[FRA]\n"));
    }

    #[test]
    fn a_surname_several_people_bear_stands_for_the_learned_one_where_all_are_of_one_country() {
        let mut l = Learner::default();
        for _ in 0..3 {
            l.add_article(&article(&[("Ana Lima", Some(("BRA", &[])))]), None);
        }
        // Rosa Lima is seen but never stated: she does not block the surname.
        l.add_article(&article(&[("Rosa Lima", None), ("Lima", Some(("BRA", &[])))]), None);
        // Two learned Souzas of different countries: the surname names neither.
        for iso in ["BRA", "BRA", "PRT", "PRT"] {
            let name = if iso == "BRA" { "Caio Souza" } else { "Rui Souza" };
            l.add_article(&article(&[(name, Some((iso, &[])))]), None);
        }
        let learned = l.finish(2);
        let synonyms: Vec<(&str, &[String])> = learned
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.synonyms.as_slice()))
            .collect();
        assert_eq!(
            synonyms,
            [
                ("Ana Lima", &["LIMA".to_string()][..]),
                ("Caio Souza", &[][..]),
                ("Rui Souza", &[][..])
            ]
        );
        assert_eq!(
            learned.entries[0].evidence["BRA"].articles, 4,
            "the article stating Lima alone counts for her"
        );
        assert_eq!(learned.shared_surnames, ["SOUZA"]);
    }

    #[test]
    fn a_change_of_country_is_the_majority_per_period_and_a_stray_article_is_not() {
        let mut l = Learner::default();
        for d in ["2019-01-10", "2019-02-10", "2019-06-10"] {
            l.add_article(&article(&[("Ana Lima", Some(("BRA", &["minister"])))]), Some(d));
        }
        l.add_article(&article(&[("Ana Lima", Some(("PRT", &[])))]), Some("2019-03-10"));
        for d in ["2021-02-01", "2021-05-01", "2021-09-30"] {
            l.add_article(&article(&[("Ana Lima", Some(("PRT", &["ambassador"])))]), Some(d));
        }
        let learned = l.finish(2);
        let periods: Vec<(&str, usize)> = learned.entries[0]
            .periods
            .iter()
            .map(|p| (p.country.as_str(), p.articles))
            .collect();
        assert_eq!(
            periods,
            [("BRA", 3), ("PRT", 3)],
            "the stray PRT month folds into BRA's period"
        );
        assert_eq!(learned.conflicts.len(), 1);
        let text = learned.to_actors(2);
        let leaders = Leaders::from_dictionary(parse_actors(&text).unwrap());
        for (date, iso) in [
            ("2019-03-15", "BRA"),
            ("2020-06-01", "BRA"),
            ("2021-03-01", "PRT"),
            ("2024-01-01", "PRT"),
        ] {
            assert_eq!(leaders.country_code("Ana Lima", day(date)), Some(iso), "{date}\n{text}");
        }
    }

    #[test]
    fn a_first_word_that_the_corpus_uses_alone_and_names_one_person_is_a_synonym() {
        let mut l = Learner::default();
        for d in ["2025-01-05", "2025-02-05"] {
            l.add_article(&article(&[("Xi Jinping", Some(("CHN", &["president"])))]), Some(d));
        }
        l.add_article(&article(&[("Xi", None), ("Donald Tusk", Some(("POL", &[])))]), None);
        l.add_article(
            &article(&[("Donald", None), ("Donald Trump", None), ("Tusk", Some(("POL", &[])))]),
            None,
        );
        let learned = l.finish(2);
        let synonyms: Vec<(&str, Vec<&str>)> = learned
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.synonyms.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            synonyms,
            [("Donald Tusk", vec!["TUSK"]), ("Xi Jinping", vec!["JINPING", "XI"])],
            "two Donalds: no synonym Donald"
        );
    }

    #[test]
    fn variants_of_one_name_are_one_person_and_suffixes_no_surname() {
        let mut l = Learner::default();
        l.add_article(
            &article(&[("Recep Tayyip Erdogan", Some(("TUR", &["president"])))]),
            None,
        );
        l.add_article(&article(&[("Tayyip Erdogan", Some(("TUR", &[])))]), None);
        l.add_article(&article(&[("Erdogan", Some(("TUR", &[])))]), None);
        l.add_article(
            &article(&[("John Smith Jr.", Some(("USA", &[]))), ("John Smith Jr.", None)]),
            None,
        );
        l.add_article(&article(&[("John Smith Jr.", Some(("USA", &[])))]), None);
        let learned = l.finish(2);
        let synonyms: Vec<(&str, usize, Vec<&str>)> = learned
            .entries
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.evidence.values().map(|v| v.articles).sum(),
                    e.synonyms.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            synonyms,
            [
                ("John Smith Jr.", 2, vec!["SMITH"]),
                ("Recep Tayyip Erdogan", 3, vec!["TAYYIP ERDOGAN", "ERDOGAN"])
            ]
        );
    }

    #[test]
    fn the_dictionary_does_not_depend_on_the_order_of_articles() {
        let arts: Vec<(Resolution, Option<&str>)> = vec![
            (
                article(&[("Jane Doe", Some(("FRA", &["president"])))]),
                Some("2025-01-05"),
            ),
            (article(&[("Jane Doé", Some(("FRA", &[])))]), Some("2025-02-05")),
            (
                article(&[("Ana Lima", Some(("BRA", &[]))), ("Doe", Some(("FRA", &[])))]),
                None,
            ),
            (article(&[("Ana Lima", Some(("BRA", &[])))]), Some("2024-12-31")),
        ];
        let text = |order: &mut dyn Iterator<Item = &(Resolution, Option<&str>)>| {
            let mut l = Learner::default();
            order.for_each(|(r, d)| l.add_article(r, *d));
            l.finish(2).to_actors(2)
        };
        assert_eq!(text(&mut arts.iter()), text(&mut arts.iter().rev()));
    }
}
