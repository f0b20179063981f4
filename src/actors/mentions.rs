//! Mentions: the spans that may name an actor. NER entities, plus country phrases from the
//! gazetteer that NER missed ("Élysée", "Portuguese"), each tagged with the country it names.

use crate::actors::gazetteer::{Gazetteer, Via};
use crate::lexicon::{
    INSTITUTIONS, LOCATIVES, ORG_HEADS, PERSON_REFERENCE_HEADS, PLACE_NOUNS, PRONOUN_MENTIONS, REFERENCE_HEADS,
};
use crate::ner::{Entity, EntityKind};

#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Char offsets into the article.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The entity's kind (for gazetteer-only mentions: a location, misc for demonyms, an
    /// organisation for seats of government), or a definite reference such as "the ministry".
    pub kind: EntityKind,
    pub sentence: usize,
    /// Index into the article's entities when NER found it.
    pub entity: Option<usize>,
    /// The country the whole mention names, and how.
    pub country: Option<(usize, Via)>,
    /// P(negative, neutral, positive) of the text toward this mention.
    pub portrayal: Option<[f32; 3]>,
    /// Named as where something happens ("raids in X", "a summit at Y"): a place in this
    /// position is a setting, not a party.
    pub setting: bool,
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
    // An entity of a type that names no party (an external model's DATE) is no mention.
    let mut out: Vec<Mention> = entities
        .iter()
        .filter_map(|&(i, e)| Some((i, e, EntityKind::of_type(&e.label)?)))
        .map(|(i, e, kind)| {
            let mut m = Mention {
                start: e.start,
                end: e.end,
                text: e.text.clone(),
                kind,
                sentence,
                entity: Some(i),
                country: gaz.lookup(&e.text),
                portrayal: None,
                setting: false,
            };
            if m.kind == EntityKind::Organization {
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
        let kind = match hit.via {
            Via::Demonym => EntityKind::Misc,
            Via::Metonym => EntityKind::Organization,
            _ => EntityKind::Location,
        };
        out.push(Mention {
            start,
            end,
            text: chars[hit.start..hit.end].iter().collect(),
            kind,
            sentence,
            entity: None,
            country: Some((hit.country, hit.via)),
            portrayal: None,
            setting: false,
        });
    }
    extend_over_institutions(&mut out, &chars, offset);
    // Definite references ("the ministry"); resolution links them to an organisation or drops them.
    // Matched on the original text (lowercasing could change char counts and so offsets).
    let heads = REFERENCE_HEADS.iter().map(|h| (h, EntityKind::Reference));
    for (head, kind) in heads.chain(PERSON_REFERENCE_HEADS.iter().map(|h| (h, EntityKind::Title))) {
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
                    kind,
                    sentence,
                    entity: None,
                    country: None,
                    portrayal: None,
                    setting: false,
                });
            }
        }
    }
    // Pronouns ("she", "they", "who"): resolution joins them to an actor or drops them.
    for (a, b) in words(&chars) {
        let word: String = chars[a..b].iter().collect();
        let lower = word.to_lowercase();
        let cased = word == lower || word.chars().skip(1).all(char::is_lowercase);
        if !cased || !PRONOUN_MENTIONS.contains(&lower.as_str()) {
            continue;
        }
        let (start, end) = (offset + a, offset + b);
        if out.iter().any(|m| m.start < end && start < m.end) {
            continue;
        }
        out.push(Mention {
            start,
            end,
            text: word,
            kind: EntityKind::Pronoun,
            sentence,
            entity: None,
            country: None,
            portrayal: None,
            setting: false,
        });
    }
    out.sort_by_key(|m| (m.start, m.end));
    for m in &mut out {
        m.setting = after_locative(&chars[..m.start - offset]);
    }
    out
}

/// Words as char ranges: runs of letters (an apostrophe inside a word keeps it whole, so
/// "he’s" is no "he").
fn words(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphabetic() {
            i += 1;
            continue;
        }
        let a = i;
        while i < chars.len()
            && (chars[i].is_alphabetic()
                || (matches!(chars[i], '\'' | '’') && chars.get(i + 1).is_some_and(|c| c.is_alphabetic())))
        {
            i += 1;
        }
        out.push((a, i));
    }
    out
}

/// Whether the text before a mention ends with a locative preposition (and an optional "the").
fn after_locative(before: &[char]) -> bool {
    let text: String = before.iter().collect();
    let mut words = text.split_whitespace().rev();
    let mut last = words.next().unwrap_or("");
    if last.eq_ignore_ascii_case("the") {
        last = words.next().unwrap_or("");
    }
    let last = last.to_lowercase();
    LOCATIVES.contains(&last.as_str())
        || (last == "of"
            && words
                .next()
                .is_some_and(|w| PLACE_NOUNS.contains(&w.to_lowercase().as_str())))
}

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

/// A country phrase (demonym, or a name in the possessive) or a place, followed by an
/// institution, becomes one organisation mention: "Turkish police" is an institution of
/// Turkey (resolution affiliates it), not Turkey itself. Only where no other mention follows.
fn extend_over_institutions(out: &mut [Mention], sentence: &[char], offset: usize) {
    let longest = INSTITUTIONS.iter().map(|i| i.len()).max().unwrap_or(0);
    let n = out.len();
    for k in 0..n {
        let m = &out[k];
        let opens = match m.country {
            Some((_, Via::Demonym)) => true,
            Some(_) | None => m.kind == EntityKind::Location,
        };
        if !opens {
            continue;
        }
        let mut at = m.end - offset;
        let rest: String = sentence[at..].iter().collect();
        let possessive = ["’s ", "'s "].iter().find(|p| rest.starts_with(*p));
        if let Some(p) = possessive {
            at += p.chars().count();
        } else if m.country.is_some_and(|(_, via)| via != Via::Demonym) || !rest.starts_with(' ') {
            // A country's name needs the possessive ("Egypt's police"), else "in Egypt police ..."
            continue;
        } else {
            at += 1;
        }
        let institution_at = |at: usize| {
            // Enough of the sentence for the longest institution and the char after it.
            let tail: String = sentence[at..].iter().take(longest + 1).collect();
            INSTITUTIONS.iter().find(|i| {
                tail.get(..i.len()).is_some_and(|t| t.eq_ignore_ascii_case(i))
                    && !tail[i.len()..].starts_with(|c: char| c.is_alphanumeric())
            })
        };
        // A department's name may stand between: "the Iranian Oil Ministry" (a few words at most).
        let mut found = institution_at(at).map(|i| (at, i));
        let mut word_at = at;
        while found.is_none() && word_at < at + 40 {
            let len = sentence[word_at..].iter().take_while(|c| c.is_alphabetic()).count();
            let word = &sentence[word_at..word_at + len];
            let titled = word.first().is_some_and(|c| c.is_uppercase()) && word[1..].iter().all(|c| c.is_lowercase());
            if !titled || sentence.get(word_at + len) != Some(&' ') {
                break;
            }
            word_at += len + 1;
            found = institution_at(word_at).map(|i| (word_at, i));
        }
        let Some((at, inst)) = found else {
            continue;
        };
        let end = offset + at + inst.chars().count();
        if out.iter().any(|o| o.start < end && m.end <= o.start) {
            continue;
        }
        let m = &mut out[k];
        m.text = sentence[m.start - offset..end - offset].iter().collect();
        m.end = end;
        m.kind = EntityKind::Organization;
        m.country = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_after_locatives_are_settings() {
        let at = |s: &str| after_locative(&s.chars().collect::<Vec<_>>());
        assert!(at("killed during raids in "));
        assert!(at("a summit at the "));
        assert!(at("shot down over "));
        assert!(at("a police operation in the Russian city of "));
        assert!(!at("talks between "));
        assert!(!at("a statement by the government of "));
        assert!(!at(""));
    }

    #[test]
    fn a_department_name_may_stand_between_a_demonym_and_its_institution() {
        let gaz = Gazetteer::bundled().unwrap();
        let got = |text: &str| -> Vec<(String, String)> {
            sentence_mentions(&gaz, text, 0, 0, &[])
                .into_iter()
                .map(|m| (m.text, m.kind.label().to_string()))
                .collect()
        };
        assert_eq!(
            got("The Iranian Oil Ministry raised prices."),
            [("Iranian Oil Ministry".to_string(), "ORG".to_string())]
        );
        assert_eq!(
            got("Chilean Mining Ministry officials inspected the shaft."),
            [("Chilean Mining Ministry".to_string(), "ORG".to_string())]
        );
        // A title is not a department: the demonym stays itself.
        assert_eq!(
            got("The Iranian Oil Minister resigned."),
            [("Iranian".to_string(), "MISC".to_string())]
        );
    }

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
            .filter(|m| m.kind == EntityKind::Organization)
            .map(|m| (m.text.as_str(), m.start, m.end))
            .collect();
        assert_eq!(got, [("Culture Ministry", 4, 20), ("Interior", 29, 37)]);
    }

    #[test]
    fn gazetteer_fills_what_ner_missed_without_overlap() {
        let gaz = Gazetteer::bundled().unwrap();
        let text = "Downing Street criticized Portugal’s decision.";
        let ent = Entity {
            text: "Portugal".into(),
            label: "LOC".into(),
            score: 0.9,
            start: 124,
            end: 132,
            sentence: 3,
        };
        let m = sentence_mentions(&gaz, text, 98, 3, &[(5, &ent)]);
        let got: Vec<_> = m
            .iter()
            .map(|m| {
                (
                    m.text.as_str(),
                    m.kind.label(),
                    m.start,
                    m.entity,
                    m.country.map(|c| gaz.countries[c.0].code.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Downing Street", "ORG", 98, None, Some("GBR")),
                ("Portugal", "LOC", 124, Some(5), Some("PRT"))
            ]
        );
    }
}
