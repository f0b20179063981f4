//! Office-holders known without a title: the people of the PETRARCH2/Phoenix Countries
//! dictionary (`data/leaders.actors`, MIT, derived by `scripts/derive-leaders`), looked up by
//! full name or by a surname that names one person only, and given the country of their role
//! on the article's date.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::petrarch::{parse_actors, ActorDictionary, Date};
use crate::error::Result;

const LEADERS_ACTORS: &str = include_str!("../../data/leaders.actors");

/// Office-holder tables in order of precedence: the first table that knows a name decides
/// (a user's or a learned dictionary first, then the bundled one).
pub struct Leaders {
    tables: Vec<Table>,
}

/// One dictionary, indexed by folded name.
struct Table {
    dict: ActorDictionary,
    /// Folded name → entries (the upstream file lists some people twice).
    index: HashMap<String, Vec<usize>>,
    /// Folded last word of a full name → entries, for a surname the file has no synonym for.
    surnames: HashMap<String, Vec<usize>>,
    /// Every entry is a person (a dictionary written by `actors learn`).
    people: bool,
}

/// "Erdoğan", "ERDOGAN" and "erdogan" are one key; so are "Myung-bak" and "MYUNG_BAK", and a
/// name with a soft hyphen or a zero-width character inside ("Vladi\u{ad}mir").
pub(crate) fn key(name: &str) -> String {
    name.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}'))
        .flat_map(char::to_uppercase)
        .map(|c| if c == '-' { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Leaders {
    pub fn bundled() -> Result<Self> {
        Ok(Self::from_dictionary(parse_actors(LEADERS_ACTORS)?))
    }

    pub fn from_dictionary(dict: ActorDictionary) -> Self {
        Leaders {
            tables: vec![Table::new(dict, false)],
        }
    }

    /// `dict` goes before the tables held so far. With `people`, every entry is a person, and
    /// a name that NER tagged otherwise is read as one.
    pub fn with_first(mut self, dict: ActorDictionary, people: bool) -> Self {
        self.tables.insert(0, Table::new(dict, people));
        self
    }

    /// The ISO alpha-3 code of the country of the person `name` on `date`, from the first table
    /// that knows the name, when every entry of that name there agrees. A bare surname is also
    /// looked up among full names' last words.
    pub fn country_code(&self, name: &str, date: Option<Date>) -> Option<&str> {
        let k = key(name);
        let (table, entries) = self.tables.iter().find_map(|t| t.entries(&k).map(|e| (t, e)))?;
        let mut codes = entries.iter().map(|&e| table.country_on(e, date));
        let first = codes.next()??;
        codes.all(|c| c == Some(first)).then_some(first)
    }

    /// Whether a table of people (a learned dictionary) knows `name`: then it names a person.
    pub fn is_person(&self, name: &str) -> bool {
        let k = key(name);
        self.tables.iter().any(|t| t.people && t.entries(&k).is_some())
    }
}

impl Table {
    fn new(dict: ActorDictionary, people: bool) -> Self {
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        let mut surnames: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in dict.entries.iter().enumerate() {
            for n in &e.names {
                let v = index.entry(key(n)).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
            }
            let head = key(&e.names[0]);
            if let Some((_, last)) = head.rsplit_once(' ') {
                surnames.entry(last.to_string()).or_default().push(i);
            }
        }
        Table {
            dict,
            index,
            surnames,
            people,
        }
    }

    /// A learned table states its surnames (those that name one person only): the last words
    /// of its full names are no fallback.
    fn entries(&self, k: &str) -> Option<&Vec<usize>> {
        self.index.get(k).or_else(|| {
            (!k.contains(' ') && !self.people)
                .then(|| self.surnames.get(k))
                .flatten()
        })
    }

    /// The role held on `date`, else (a date outside every range) the country all of the
    /// entry's roles share.
    fn country_on(&self, e: usize, date: Option<Date>) -> Option<&str> {
        let entry = &self.dict.entries[e];
        if let Some(code) = entry.code_on(date) {
            return code.get(..3);
        }
        let first = entry.roles.first()?.code.get(..3)?;
        entry
            .roles
            .iter()
            .all(|r| r.code.get(..3) == Some(first))
            .then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_found_by_full_name_or_unique_surname_on_a_date() {
        let dict = parse_actors(
            "JANE_DOE_\n+DOE\n\t[FRAGOV 100101-121231]\n\t[FRAELI]\nJOHN_ROE_\n+ROE\n\t[DEUGOV >110101]\n\
             ANNA_ROE_\n+ROE\n\t[AUTLEG]\nÅSA_LUND_\n\t[SWEGOV 050101-060101]\nKIM_MYUNG_SOO\n\t[KORGOV]\n\
             KIM_MYUNG_SOO_\n\t[KORELI]\n",
        )
        .unwrap();
        let l = Leaders::from_dictionary(dict);
        let d = Date::parse_iso;
        assert_eq!(l.country_code("Jane Doe", d("2011-05-01")), Some("FRA"));
        assert_eq!(l.country_code("Doe", None), Some("FRA"));
        assert_eq!(l.country_code("John Roe", d("2013-01-01")), Some("DEU"));
        assert_eq!(l.country_code("Roe", None), None, "two people share the surname");
        assert_eq!(
            l.country_code("Asa Lund", d("2020-01-01")),
            Some("SWE"),
            "outside the range"
        );
        assert_eq!(l.country_code("Richard Roe", None), None);
        assert_eq!(
            l.country_code("Kim Myung-soo", None),
            Some("KOR"),
            "listed twice, one country"
        );
        assert_eq!(l.country_code("Lund", None), Some("SWE"), "surname of a full name");
        assert_eq!(
            l.country_code("Jane Do\u{ad}e", None),
            Some("FRA"),
            "a soft hyphen inside"
        );
    }

    #[test]
    fn the_bundled_table_parses() {
        let l = Leaders::bundled().unwrap();
        assert!(
            l.tables[0].dict.entries.len() > 10_000,
            "{}",
            l.tables[0].dict.entries.len()
        );
    }

    #[test]
    fn a_table_put_first_decides_for_the_names_it_knows() {
        let bundled = parse_actors("JANE_DOE_\n\t[FRAGOV]\nJOHN_ROE_\n\t[DEUGOV]\n").unwrap();
        let learned = parse_actors(
            "JANE_DOE_\n+DOE_\n\t[ESP 250101-250601]\n\t[ESP]\nMARY_POE_\n+POE_\n\t[ITA]\nANA_LIMA_\n\t[BRA]\n",
        )
        .unwrap();
        let l = Leaders::from_dictionary(bundled).with_first(learned, true);
        assert_eq!(l.country_code("Jane Doe", None), Some("ESP"), "the first table decides");
        assert_eq!(l.country_code("John Roe", None), Some("DEU"), "unknown to the first");
        assert_eq!(l.country_code("Poe", Date::parse_iso("2026-01-01")), Some("ITA"));
        assert!(l.is_person("Poe") && l.is_person("Jane Doe"));
        assert_eq!(l.country_code("Ana Lima", None), Some("BRA"));
        assert_eq!(
            l.country_code("Lima", None),
            None,
            "a learned table states its surnames"
        );
        assert!(!l.is_person("John Roe"), "the bundled table lists groups too");
    }
}
