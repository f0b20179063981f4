//! Which country a mention stands for, read in the light of the whole article: capitals that
//! may be a namesake's, and Georgia the US state.

use std::collections::BTreeSet;

use crate::actors::gazetteer::{Gazetteer, Via};
use crate::actors::mentions::Mention;
use crate::actors::places::{Places, DOMINANCE};
use crate::lexicon::US_GEORGIA_CUES;
use crate::ner::EntityKind;

/// Whether the article uses "Georgia" for the US state.
fn georgia_is_us_state(text: &str) -> bool {
    US_GEORGIA_CUES.iter().any(|c| text.contains(c)) && !text.contains("Tbilisi")
}

pub(super) struct Countries<'r> {
    gaz: &'r Gazetteer,
    places: &'r Places,
    /// The article uses "Georgia" for the US state.
    pub us_georgia: bool,
    geo: Option<usize>,
    /// The countries the article names outright (capitals are weaker evidence: "Tripoli" may
    /// be Lebanon's second city).
    pub named: BTreeSet<usize>,
}

impl<'r> Countries<'r> {
    pub fn read(gaz: &'r Gazetteer, places: &'r Places, article: &str) -> Self {
        let us_georgia = georgia_is_us_state(article);
        let geo = gaz.by_code("GEO");
        let named = gaz
            .find(article)
            .into_iter()
            .filter(|h| !(us_georgia && Some(h.country) == geo))
            .filter(|h| matches!(h.via, Via::Name | Via::Alias | Via::Demonym))
            .map(|h| h.country)
            .collect();
        Countries {
            gaz,
            places,
            us_georgia,
            geo,
            named,
        }
    }

    pub fn gazetteer(&self) -> &'r Gazetteer {
        self.gaz
    }

    /// Whether country `c` is Georgia in an article about the US state.
    pub fn is_us_state(&self, c: usize) -> bool {
        self.us_georgia && Some(c) == self.geo
    }

    /// A capital stands for its country unless the article points to a namesake elsewhere, or
    /// a namesake dwarfs it ("Hamilton" is Bermuda's capital, and a Canadian city).
    fn capital_elsewhere(&self, m: &Mention, c: usize) -> bool {
        let cands = self.places.candidates(&m.text);
        let own = cands.iter().find(|x| x.0 == c).map_or(0, |x| x.1);
        !self.named.contains(&c)
            && cands
                .iter()
                .any(|&(o, pop)| o != c && (self.named.contains(&o) || pop / DOMINANCE >= own.max(1)))
    }

    /// The country a mention stands for: the whole mention, or a demonym/name opening a MISC
    /// one ("Russian-sponsored").
    pub fn of_mention(&self, m: &Mention) -> Option<usize> {
        let whole = m
            .country
            .filter(|&(c, via)| !(self.is_us_state(c) && via == Via::Name))
            .filter(|&(c, via)| !(via == Via::Capital && self.capital_elsewhere(m, c)))
            .map(|(c, _)| c);
        whole.or_else(|| {
            (m.kind == EntityKind::Misc)
                .then(|| {
                    self.gaz
                        .find(&m.text)
                        .into_iter()
                        .find(|h| h.start == 0)
                        .map(|h| h.country)
                })
                .flatten()
        })
    }
}
