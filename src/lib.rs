//! actorstance: who is hostile or friendly toward whom in news articles, with the evidence.
//!
//! The modules follow the pipeline: [`input`] → [`clean`] → [`segment`] → [`tokenize`] →
//! [`encode`] → [`heads`] ([`ner`] decoding) → [`mentions`] → [`actors`] → [`stance`] →
//! [`output`]. [`pipeline`] runs them; [`train`] and [`eval`] fine-tune and measure the model.

pub mod actors;
pub mod clean;
pub mod data;
pub mod encode;
pub mod error;
pub mod eval;
pub mod heads;
pub mod input;
pub mod mentions;
pub mod model;
pub mod ner;
pub mod output;
pub mod pipeline;
pub mod segment;
pub mod stance;
pub mod tokenize;
pub mod train;

pub use error::{Error, Result};
