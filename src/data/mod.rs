//! Readers of the gold formats used to train and evaluate: CoNLL-2003, NewsMTSC, DSA, PolNeAR, GAP.
//! Malformed lines are errors naming the file and line.

pub mod conll;
pub mod dsa;
pub mod gap;
pub mod newsmtsc;
pub mod polnear;
