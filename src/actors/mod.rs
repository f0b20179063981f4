//! Actors: mentions grouped into who-is-who, with countries and affiliations.

pub mod petrarch;
pub mod gazetteer;
pub mod resolve;
