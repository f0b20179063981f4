//! Actors: the spans that may name one (mentions), and mentions grouped into who-is-who, with
//! countries and affiliations.

pub mod gazetteer;
pub mod leaders;
pub mod learn;
pub mod mentions;
pub mod petrarch;
pub mod places;
pub mod resolve;
pub mod speakers;
