//! The bundled country gazetteer (`data/countries.tsv`, the project's own data): names,
//! aliases, capitals, demonyms and seats of government, matched in text as whole words.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::error::{Error, Result};
use crate::lexicon::BLOCKERS;

const COUNTRIES_TSV: &str = include_str!("../../data/countries.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Name,
    Alias,
    Capital,
    Demonym,
    Metonym,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-3.
    pub code: String,
    pub name: String,
}

/// A country named in text: char offsets within the searched string.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryHit {
    pub start: usize,
    pub end: usize,
    pub country: usize,
    pub via: Via,
}

pub struct Gazetteer {
    pub countries: Vec<Country>,
    /// Country and how, per pattern; None for a blocker (a longer phrase that names no country).
    phrases: Vec<Option<(usize, Via)>>,
    matcher: AhoCorasick,
}

impl Gazetteer {
    pub fn bundled() -> Result<Self> {
        Self::from_tsv(COUNTRIES_TSV)
    }

    pub fn from_tsv(tsv: &str) -> Result<Self> {
        let mut countries = Vec::new();
        let mut patterns = Vec::new();
        let mut phrases = Vec::new();
        for (i, line) in tsv.lines().enumerate().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [code, name, aliases, capitals, demonyms, metonyms] = cols[..] else {
                return Err(Error::table("countries.tsv", i + 1, "expected 6 columns"));
            };
            let idx = countries.len();
            countries.push(Country {
                code: code.into(),
                name: name.into(),
            });
            let groups = [
                (name, Via::Name),
                (aliases, Via::Alias),
                (capitals, Via::Capital),
                (demonyms, Via::Demonym),
                (metonyms, Via::Metonym),
            ];
            for (field, via) in groups {
                for p in field.split('|').map(str::trim).filter(|p| !p.is_empty()) {
                    // "the Élysée" is matched as "Élysée": the article is not part of the name.
                    let p = p.strip_prefix("the ").unwrap_or(p);
                    if !patterns.contains(&p.to_string()) {
                        patterns.push(p.to_string());
                        phrases.push(Some((idx, via)));
                    }
                }
            }
        }
        for b in BLOCKERS {
            patterns.push(b.to_string());
            phrases.push(None);
        }
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| Error::table("countries.tsv", 0, e.to_string()))?;
        Ok(Gazetteer {
            countries,
            phrases,
            matcher,
        })
    }

    pub fn by_code(&self, code: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.code == code)
    }

    /// Whole-word country phrases in `text`, with char offsets.
    pub fn find(&self, text: &str) -> Vec<CountryHit> {
        let mut out = Vec::new();
        for m in self.matcher.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            // "U.S." ends in a period, so a following letter is still a new word.
            if !boundary(before) || (!boundary(after) && !text[..m.end()].ends_with('.')) {
                continue;
            }
            let Some((country, via)) = self.phrases[m.pattern().as_usize()] else {
                continue;
            };
            let start = text[..m.start()].chars().count();
            let end = start + text[m.start()..m.end()].chars().count();
            out.push(CountryHit {
                start,
                end,
                country,
                via,
            });
        }
        out
    }

    /// The country an exact phrase names, if any ("Baku" → Azerbaijan).
    pub fn lookup(&self, phrase: &str) -> Option<(usize, Via)> {
        let phrase = phrase.trim();
        let phrase = phrase.strip_prefix("the ").unwrap_or(phrase);
        self.find(phrase)
            .into_iter()
            .find(|h| h.start == 0 && h.end == phrase.chars().count())
            .map(|h| (h.country, h.via))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(text: &str) -> Vec<(String, &'static str, Via)> {
        let g = Gazetteer::bundled().unwrap();
        let chars: Vec<char> = text.chars().collect();
        g.find(text)
            .into_iter()
            .map(|h| {
                let code: &'static str = Box::leak(g.countries[h.country].code.clone().into_boxed_str());
                (chars[h.start..h.end].iter().collect(), code, h.via)
            })
            .collect()
    }

    #[test]
    fn finds_names_capitals_demonyms_and_seats_of_government() {
        assert_eq!(
            hits("Yerevan’s envoy met French officials at the Élysée, then flew to Tokyo; Armenia agreed."),
            [
                ("Yerevan".into(), "ARM", Via::Capital),
                ("French".into(), "FRA", Via::Demonym),
                ("Élysée".into(), "FRA", Via::Metonym),
                ("Tokyo".into(), "JPN", Via::Capital),
                ("Armenia".into(), "ARM", Via::Name),
            ]
        );
    }

    #[test]
    fn whole_words_only_and_longest_first() {
        assert_eq!(
            hits("Prussian history; the Russians; South Korea; the U.S. said"),
            [
                ("Russians".into(), "RUS", Via::Demonym),
                ("South Korea".into(), "KOR", Via::Name),
                ("U.S.".into(), "USA", Via::Alias),
            ]
        );
        assert!(hits("focus on us and thus").is_empty());
        assert!(hits("Latin America and New Mexico, then Washington State").is_empty());
    }

    #[test]
    fn bundled_data_covers_every_un_member() {
        let g = Gazetteer::bundled().unwrap();
        assert!(g.countries.len() >= 193);
        assert_eq!(
            g.lookup("the White House")
                .map(|(c, v)| (g.countries[c].code.as_str(), v)),
            Some(("USA", Via::Metonym))
        );
        assert_eq!(
            g.lookup("Moscow").map(|(c, _)| g.countries[c].code.as_str()),
            Some("RUS")
        );
        assert_eq!(g.lookup("Moscow State"), None);
    }
}
