//! World cities and towns (`data/cities.tsv`: GeoNames cities15000, CC-BY 4.0, derived by
//! `scripts/derive-cities`) and the rule that gives a place its country. A name found in
//! several countries resolves through the countries the article names, else through a large
//! gap in population, and otherwise stays unresolved: thin evidence is not guessed.

use std::collections::{BTreeSet, HashMap};

use unicode_normalization::UnicodeNormalization;

use super::gazetteer::Gazetteer;
use crate::error::{Error, Result};

const CITIES_TSV: &str = include_str!("../../data/cities.tsv");

/// A place whose country the article does not name needs at least this many people...
pub const MIN_POPULATION_UNNAMED: u32 = 100_000;
/// ...or this many when the article names other countries (it is about somewhere else,
/// so a mid-size namesake elsewhere is more likely than a trip abroad).
pub const MIN_POPULATION_ELSEWHERE: u32 = 1_000_000;
/// How much larger the chosen place must be than every namesake in another country.
pub const DOMINANCE: u32 = 10;

pub struct Places {
    /// Folded name → (country index in the gazetteer, largest population there).
    by_name: HashMap<String, Vec<(usize, u32)>>,
}

/// Case and accents do not matter: "Córdoba", "Cordoba" and "CORDOBA" are one key.
pub fn fold(name: &str) -> String {
    name.trim()
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Places {
    pub fn bundled(gazetteer: &Gazetteer) -> Result<Self> {
        Self::from_tsv(CITIES_TSV, gazetteer)
    }

    /// `name<TAB>country (alpha-3)<TAB>population` rows after a header; `#` lines are comments.
    pub fn from_tsv(tsv: &str, gazetteer: &Gazetteer) -> Result<Self> {
        let codes: HashMap<&str, usize> = gazetteer
            .countries
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.as_str(), i))
            .collect();
        let mut by_name: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        let rows = tsv.lines().enumerate().filter(|(_, l)| !l.starts_with('#')).skip(1);
        for (i, line) in rows {
            let bad = |reason: &str| Error::table("cities.tsv", i + 1, reason);
            let [name, code, population] = line.split('\t').collect::<Vec<_>>()[..] else {
                return Err(bad("expected 3 columns"));
            };
            let country = *codes.get(code).ok_or_else(|| bad("unknown country code"))?;
            let population: u32 = population.parse().map_err(|_| bad("population is not a number"))?;
            let entry = by_name.entry(fold(name)).or_default();
            match entry.iter_mut().find(|(c, _)| *c == country) {
                Some(e) => e.1 = e.1.max(population),
                None => entry.push((country, population)),
            }
        }
        Ok(Places { by_name })
    }

    /// Countries with a place of this name, with the largest population there.
    pub fn candidates(&self, name: &str) -> &[(usize, u32)] {
        self.by_name.get(&fold(name)).map_or(&[], Vec::as_slice)
    }

    /// The country of the place `name` in an article that names `article_countries`.
    pub fn country_of(&self, name: &str, article_countries: &BTreeSet<usize>) -> Option<usize> {
        choose(self.candidates(name), article_countries)
    }
}

/// The rule, on a place's candidates: (country, population).
pub fn choose(candidates: &[(usize, u32)], article_countries: &BTreeSet<usize>) -> Option<usize> {
    let dominant = |pool: &[(usize, u32)]| -> Option<(usize, u32)> {
        let top = *pool.iter().max_by_key(|&&(c, p)| (p, std::cmp::Reverse(c)))?;
        pool.iter()
            .filter(|&&(c, _)| c != top.0)
            .all(|&(_, p)| p.saturating_mul(DOMINANCE) <= top.1)
            .then_some(top)
    };
    let named: Vec<(usize, u32)> = candidates
        .iter()
        .copied()
        .filter(|(c, _)| article_countries.contains(c))
        .collect();
    if !named.is_empty() {
        return dominant(&named).map(|t| t.0);
    }
    let floor = if article_countries.is_empty() {
        MIN_POPULATION_UNNAMED
    } else {
        MIN_POPULATION_ELSEWHERE
    };
    dominant(candidates).filter(|t| t.1 >= floor).map(|t| t.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[usize]) -> BTreeSet<usize> {
        xs.iter().copied().collect()
    }

    const AR: usize = 1;
    const ES: usize = 2;
    const MX: usize = 3;
    const GB: usize = 4;
    const CA: usize = 5;
    const US: usize = 6;

    #[test]
    fn namesakes_resolve_through_the_article_countries_then_population() {
        let cordoba = [(AR, 2_106_734), (ES, 325_708), (MX, 204_721)];
        assert_eq!(choose(&cordoba, &set(&[ES])), Some(ES));
        assert_eq!(choose(&cordoba, &set(&[ES, MX])), None, "two named, neither dominant");
        assert_eq!(choose(&cordoba, &set(&[])), None, "AR is not 10x larger than ES");
        let london = [(GB, 8_961_989), (CA, 422_324)];
        assert_eq!(choose(&london, &set(&[])), Some(GB));
        assert_eq!(
            choose(&london, &set(&[US])),
            Some(GB),
            "over a million: still the famous one"
        );
        assert_eq!(choose(&london, &set(&[CA])), Some(CA));
    }

    #[test]
    fn a_small_place_needs_its_country_in_the_article() {
        let town = [(US, 114_428)];
        assert_eq!(choose(&town, &set(&[])), Some(US));
        assert_eq!(choose(&town, &set(&[GB])), None, "an article about elsewhere");
        assert_eq!(choose(&town, &set(&[US, GB])), Some(US));
        assert_eq!(choose(&[(US, 40_000)], &set(&[])), None);
        assert_eq!(choose(&[], &set(&[US])), None);
    }

    #[test]
    fn the_bundled_table_knows_cities_by_folded_name() {
        let gaz = Gazetteer::bundled().unwrap();
        let places = Places::bundled(&gaz).unwrap();
        let code = |c: Option<usize>| c.map(|c| gaz.countries[c].code.as_str());
        let none = BTreeSet::new();
        assert_eq!(code(places.country_of("Wolfsburg", &none)), Some("DEU"));
        assert_eq!(
            code(places.country_of("cordoba", &set(&[gaz.by_code("ESP").unwrap()]))),
            Some("ESP")
        );
        assert_eq!(code(places.country_of("Kandahar", &none)), Some("AFG"));
        assert_eq!(code(places.country_of("Cambridge", &none)), None);
        assert!(places.candidates("Qwertyville").is_empty());
    }
}
