//! actorstance: who is hostile or friendly toward whom in news articles, with the evidence.
//!
//! The modules follow the pipeline: [`input`] → [`clean`] → [`segment`] → [`tokenize`] →
//! [`encode`] → [`heads`] and [`findings`] ([`ner`] decoding, [`actors::mentions`]) →
//! [`actors`] → [`stance`] → [`output`] → [`sink`], handing on the plain data of [`record`].
//! [`pipeline`] wires them; [`resume`] reads back an interrupted run, [`results`] a finished
//! one for [`aggregate`] and [`report`]; [`train`] and [`eval`] fine-tune and measure the model.

pub mod actors;
pub mod aggregate;
pub mod attribution;
pub mod clean;
pub mod data;
pub mod encode;
pub mod error;
pub mod eval;
pub mod findings;
pub mod heads;
pub mod input;
pub mod lexicon;
pub mod model;
pub mod ner;
pub mod output;
pub mod pipeline;
pub mod record;
pub mod report;
pub mod results;
pub mod resume;
pub mod segment;
pub mod sink;
pub mod stance;
pub mod tables;
pub mod tokenize;
pub mod train;

pub use error::{Error, Result};
