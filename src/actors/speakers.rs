//! Speakers: the actor a statement's source span names or stands for ("Foreign Ministry
//! spokeswoman Ana Lima" is Ana Lima; "she" is whoever resolution joined it to).

use std::ops::Range;

use super::mentions::Mention;
use super::resolve::{ActorKind, Resolution};

/// The actor of a source span: of the mentions inside it that have one, a person first, else
/// the last (a phrase's head comes last: "the Turkish Foreign Ministry").
pub fn speaker(mentions: &[Mention], res: &Resolution, source: &Range<usize>) -> Option<usize> {
    let inside: Vec<usize> = mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.start < source.end && source.start < m.end)
        .filter_map(|(i, _)| res.mention_actor[i])
        .collect();
    inside
        .iter()
        .copied()
        .find(|&a| res.actors[a].kind == ActorKind::Person)
        .or(inside.last().copied())
}

/// The speaker of every statement, in order.
pub fn speakers(
    mentions: &[Mention],
    res: &Resolution,
    statements: &[crate::attribution::Statement],
) -> Vec<Option<usize>> {
    statements
        .iter()
        .map(|s| s.source.as_ref().and_then(|r| speaker(mentions, res, r)))
        .collect()
}
