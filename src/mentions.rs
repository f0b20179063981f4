//! Mentions: the spans that may name an actor. NER entities, plus country phrases from the
//! gazetteer that NER missed ("Kremlin", "Azerbaijani"), each tagged with the country it names.

use crate::actors::gazetteer::{Gazetteer, Via};
use crate::ner::Entity;

#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Char offsets into the article.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// PER, ORG, LOC, MISC (for gazetteer-only mentions: LOC, MISC for demonyms, ORG for seats),
    /// REF for a definite reference such as "the ministry".
    pub label: String,
    pub sentence: usize,
    /// Index into the article's entities when NER found it.
    pub entity: Option<usize>,
    /// The country the whole mention names, and how.
    pub country: Option<(usize, Via)>,
    /// P(negative, neutral, positive) of the text toward this mention.
    pub portrayal: Option<[f32; 3]>,
}

/// Mentions of one sentence, in text order. `entities` are the article's entities with their
/// indices; `sentence_text` starts at article char `offset`.
pub fn sentence_mentions(
    gaz: &Gazetteer,
    sentence_text: &str,
    offset: usize,
    sentence: usize,
    entities: &[(usize, &Entity)],
) -> Vec<Mention> {
    let chars: Vec<char> = sentence_text.chars().collect();
    let mut out: Vec<Mention> = entities
        .iter()
        .map(|&(i, e)| {
            let mut m = Mention {
                start: e.start,
                end: e.end,
                text: e.text.clone(),
                label: e.label.clone(),
                sentence,
                entity: Some(i),
                country: gaz.lookup(&e.text),
                portrayal: None,
            };
            if m.label == "ORG" {
                extend_over_org_head(&mut m, &chars, offset, entities);
            }
            m
        })
        .collect();
    for hit in gaz.find(sentence_text) {
        let (start, end) = (offset + hit.start, offset + hit.end);
        if out.iter().any(|m| m.start < end && start < m.end) {
            continue;
        }
        let label = match hit.via {
            Via::Demonym => "MISC",
            Via::Metonym => "ORG",
            _ => "LOC",
        };
        out.push(Mention {
            start,
            end,
            text: chars[hit.start..hit.end].iter().collect(),
            label: label.into(),
            sentence,
            entity: None,
            country: Some((hit.country, hit.via)),
            portrayal: None,
        });
    }
    // Definite references ("the ministry"); resolution links them to an organisation or drops them.
    // Matched on the original text (lowercasing could change char counts and so offsets).
    for head in REFERENCE_HEADS {
        for article in ["the", "The"] {
            let phrase = format!("{article} {head}");
            for (byte, _) in sentence_text.match_indices(&phrase) {
                let after = sentence_text[byte + phrase.len()..].chars().next();
                let before = sentence_text[..byte].chars().next_back();
                if after.is_some_and(char::is_alphanumeric) || before.is_some_and(char::is_alphanumeric) {
                    continue;
                }
                let start = offset + sentence_text[..byte].chars().count();
                let end = start + phrase.chars().count();
                if out.iter().any(|m| m.start < end && start < m.end) {
                    continue;
                }
                out.push(Mention {
                    start,
                    end,
                    text: phrase.clone(),
                    label: "REF".into(),
                    sentence,
                    entity: None,
                    country: None,
                    portrayal: None,
                });
            }
        }
    }
    out.sort_by_key(|m| (m.start, m.end));
    out
}

/// Capitalised words that end an organisation's name ("Culture Ministry"). NER often stops one
/// word short of them; a mention that does is extended over the head word.
const ORG_HEADS: &[&str] = &[
    "Ministry",
    "Agency",
    "Office",
    "Council",
    "Committee",
    "Commission",
    "Department",
    "Service",
    "Services",
    "Court",
    "Bank",
    "Party",
    "Parliament",
    "Assembly",
    "Embassy",
    "Police",
    "Army",
    "Navy",
    "Guard",
    "Union",
];

fn extend_over_org_head(m: &mut Mention, sentence: &[char], offset: usize, entities: &[(usize, &Entity)]) {
    let from = m.end - offset;
    if from >= sentence.len() || sentence[from] != ' ' {
        return;
    }
    let word: String = sentence[from + 1..].iter().take_while(|c| c.is_alphabetic()).collect();
    let end = m.end + 1 + word.chars().count();
    let taken = entities.iter().any(|(_, e)| e.start < end && m.end < e.end);
    if ORG_HEADS.contains(&word.as_str()) && !taken {
        m.text = sentence[m.start - offset..end - offset].iter().collect();
        m.end = end;
    }
}

/// Head nouns of definite references that can stand for an organisation named earlier.
const REFERENCE_HEADS: &[&str] = &[
    "ministry",
    "agency",
    "embassy",
    "company",
    "party",
    "court",
    "committee",
    "council",
    "alliance",
    "bank",
    "organization",
    "organisation",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_cut_short_by_ner_takes_its_head_word() {
        let gaz = Gazetteer::bundled().unwrap();
        let text = "The Culture Ministry and the Interior agreed.";
        let culture = Entity {
            text: "Culture".into(),
            label: "ORG".into(),
            score: 0.9,
            start: 4,
            end: 11,
            sentence: 0,
        };
        let interior = Entity {
            text: "Interior".into(),
            label: "ORG".into(),
            score: 0.9,
            start: 29,
            end: 37,
            sentence: 0,
        };
        let m = sentence_mentions(&gaz, text, 0, 0, &[(0, &culture), (1, &interior)]);
        let got: Vec<_> = m
            .iter()
            .filter(|m| m.label == "ORG")
            .map(|m| (m.text.as_str(), m.start, m.end))
            .collect();
        assert_eq!(got, [("Culture Ministry", 4, 20), ("Interior", 29, 37)]);
    }

    #[test]
    fn gazetteer_fills_what_ner_missed_without_overlap() {
        let gaz = Gazetteer::bundled().unwrap();
        let text = "The Kremlin criticized Azerbaijan’s decision.";
        let ent = Entity {
            text: "Azerbaijan".into(),
            label: "LOC".into(),
            score: 0.9,
            start: 121,
            end: 131,
            sentence: 3,
        };
        let m = sentence_mentions(&gaz, text, 98, 3, &[(5, &ent)]);
        let got: Vec<_> = m
            .iter()
            .map(|m| {
                (
                    m.text.as_str(),
                    m.label.as_str(),
                    m.start,
                    m.entity,
                    m.country.map(|c| gaz.countries[c.0].code.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Kremlin", "ORG", 102, None, Some("RUS")),
                ("Azerbaijan", "LOC", 121, Some(5), Some("AZE"))
            ]
        );
    }
}
