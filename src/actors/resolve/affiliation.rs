//! Passes 4–6: affiliations to a country, voted over the mentions of each actor; office-holders
//! known without a title; CAMEO codes from a PETRARCH dictionary.

use std::collections::HashMap;

use super::names::{gap, US_GEORGIA};
use super::{ActorKind, Article, State, Stated};
use crate::actors::gazetteer::{Gazetteer, Via};
use crate::actors::leaders::Leaders;
use crate::actors::mentions::Mention;
use crate::actors::petrarch::{ActorDictionary, Date};
use crate::actors::places::Places;
use crate::lexicon::{FUNCTION_WORDS, NOT_LIST_NOUNS, PERSON_REFERENCE_HEADS, TITLE_WORDS};
use crate::ner::EntityKind;

/// Pass 4: each actor's country, the one most of its mentions point to. A mention points to a
/// country named inside it, to its place's country (a place, or an organisation named after
/// one), to the country or organisation of a title chain on its left, to a country in
/// apposition on its right (persons), or to the nationality of a list it stands in.
pub(super) fn affiliations(st: &mut State, article: &Article, places: &Places) {
    let (text, mentions, countries) = (article.text, article.mentions, &article.countries);
    let gaz = countries.gazetteer();
    // Places get their country from the world-cities table, read in the light of the
    // countries the article names; places with one candidate country also say where the
    // article is ("Perth ... north of Edinburgh" is the Scottish Perth).
    let mut place_context = countries.named.clone();
    for a in st.actors.iter().filter(|a| a.kind == ActorKind::Location) {
        if let [(c, _)] = places.candidates(&a.name) {
            place_context.insert(*c);
        }
    }
    let place_country = |name: &str| places.country_of(name, &place_context);

    let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); st.actors.len()];
    let mut affil_of_mention: Vec<Option<usize>> = vec![None; mentions.len()];
    let listed = list_countries(text, mentions, &|m| countries.of_mention(m));
    for (i, m) in mentions.iter().enumerate() {
        let Some(a) = st.mention_actor[i] else { continue };
        if st.actors[a].kind == ActorKind::Country {
            continue;
        }
        // A country phrase inside the name, not the whole name (that was ruled out as a country
        // above). In a person's name only a leading demonym counts: "Jordan Bardella" is no Jordanian.
        let n = m.text.chars().count();
        let contained = gaz
            .find(&m.text)
            .into_iter()
            .filter(|h| !countries.is_us_state(h.country))
            .find(|h| h.end - h.start < n && (m.kind != EntityKind::Person || (h.start == 0 && h.via == Via::Demonym)))
            .map(|h| h.country);
        let left = (i > 0 && mentions[i - 1].sentence == m.sentence)
            .then(|| {
                let gap = gap(text, &mentions[i - 1], m);
                // Inherit from a country or an organisation, never from another person.
                is_title_chain(&gap)
                    .then(|| {
                        st.mention_actor[i - 1].and_then(|p| match st.actors[p].kind {
                            ActorKind::Country => Some(p),
                            ActorKind::Organization => affil_of_mention[i - 1],
                            _ => None,
                        })
                    })
                    .flatten()
                    .map(|c| (c, role_words(gap.split_whitespace())))
            })
            .flatten();
        // "A B, Ruritania's foreign minister": a country in apposition on the right; "Prime
        // Minister A B of Ruritania": a person "of" a country; "A B, the president of
        // Ruritania", whose title is a mention of its own (looked past). A name that NER took
        // for something else is a person's where the title is a person's.
        let j = match mentions.get(i + 1) {
            Some(t) if t.kind == EntityKind::Title => i + 2,
            _ => i + 1,
        };
        let right = mentions.get(j).filter(|n| n.sentence == m.sentence).and_then(|n| {
            let g = gap(text, m, n);
            let country = st.mention_actor[j].filter(|&p| st.actors[p].kind == ActorKind::Country)?;
            // "Ferdinand Marcos Jr. of the Philippines": NER leaves the full stop out.
            let roles = match g.trim().trim_start_matches('.').trim_start() {
                "," => {
                    let after: String = text.get(n.end..).unwrap_or_default().iter().take(80).collect();
                    let after = after
                        .strip_prefix("'s")
                        .or_else(|| after.strip_prefix("’s"))
                        .unwrap_or(&after);
                    role_words(after.split_whitespace())
                }
                "of" | "of the" => {
                    // Only the last four words before the name: no copy of the article per mention.
                    let chars = text.get(..m.start).unwrap_or_default();
                    let (mut from, mut words, mut in_word) = (chars.len(), 0, false);
                    while from > 0 {
                        if chars[from - 1].is_whitespace() {
                            if in_word {
                                words += 1;
                                in_word = false;
                                if words == 4 {
                                    break;
                                }
                            }
                        } else {
                            in_word = true;
                        }
                        from -= 1;
                    }
                    let before: String = chars[from..].iter().collect();
                    let mut words: Vec<&str> = before.split_whitespace().rev().take(4).collect();
                    words.reverse();
                    let k = words
                        .iter()
                        .rposition(|w| !TITLE_WORDS.contains(&bare_word(w).to_lowercase().as_str()))
                        .map_or(0, |k| k + 1);
                    role_words(words[k..].iter().copied())
                }
                // "A B, the president of Ruritania": a title of a country in apposition.
                g => {
                    let title = g.strip_prefix(',')?.trim();
                    let title = title.strip_suffix(" of the").or_else(|| title.strip_suffix(" of"))?;
                    let words: Vec<&str> = title.split_whitespace().collect();
                    if words.is_empty() || !words.iter().all(|w| TITLE_WORDS.contains(&w.to_lowercase().as_str())) {
                        return None;
                    }
                    let roles = role_words(words.into_iter());
                    if !is_person_role(&roles) {
                        return None;
                    }
                    roles
                }
            };
            (m.kind == EntityKind::Person || is_person_role(&roles)).then_some((country, roles))
        });
        // A place, or an organisation named after one ("Chicago police", "Lyon city council").
        let place = match st.actors[a].kind {
            ActorKind::Location => place_country(&st.actors[a].name),
            ActorKind::Organization if contained.is_none() => leading_place(&st.actors[a].name, &place_country),
            _ => None,
        };
        let stated_roles = |words: &str| role_words(words.split_whitespace());
        let titled = left.is_some() || right.is_some();
        let (found, roles) = match (contained, place, left, right, listed[i]) {
            (Some(c), ..) => (Some(st.country(gaz, c)), stated_roles(&m.text)),
            (None, Some(c), ..) => (Some(st.country(gaz, c)), vec![]),
            (None, None, Some((c, r)), ..) | (None, None, None, Some((c, r)), _) => (Some(c), r),
            (None, None, None, None, Some(c)) => (Some(st.country(gaz, c)), vec![]),
            _ => (None, vec![]),
        };
        if st.actors[a].kind == ActorKind::Organization && titled && is_person_role(&roles) {
            st.actors[a].kind = ActorKind::Person;
        }
        if let (Some(country), ActorKind::Person) = (found, st.actors[a].kind) {
            st.stated.push(Stated {
                actor: a,
                mention: i,
                country,
                roles,
            });
        }
        affil_of_mention[i] = found;
        if let Some(c) = found {
            votes.resize(st.actors.len(), HashMap::new());
            *votes[a].entry(c).or_default() += 1;
        }
    }
    // Georgia the US state belongs to the United States.
    if let Some(&g) = st.by_key.get(US_GEORGIA) {
        if let Some(usa) = gaz.by_code("USA") {
            let u = st.country(gaz, usa);
            votes.resize(st.actors.len(), HashMap::new());
            *votes[g].entry(u).or_default() += 1;
        }
    }
    votes.resize(st.actors.len(), HashMap::new());
    for (a, v) in votes.iter().enumerate() {
        st.actors[a].affiliation = v
            .iter()
            .max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c)))
            .map(|(&c, _)| c);
    }
}

/// A gap that lets a name inherit the country on its left: title words and capitalised words
/// ("French President", "China's Foreign Ministry spokeswoman"), or a person's title closed by
/// a comma ("the Ruritanian president, A B").
fn is_title_chain(gap: &str) -> bool {
    // Capitalised words ("Crown Prince", "Oil Ministry") join a chain, but not a headline's
    // function words ("What Mexico Could Do When Up Against Trump").
    let words = |g: &str| {
        g.split_whitespace().all(|w| {
            let w = bare_word(w);
            let lower = w.to_lowercase();
            w.is_empty()
                || w == "s"
                || TITLE_WORDS.contains(&lower.as_str())
                || (w.chars().next().is_some_and(char::is_uppercase) && !FUNCTION_WORDS.contains(&lower.as_str()))
        })
    };
    let closed = |g: &str| ['(', ')', ';', '"', '“', '”', ','].iter().all(|&c| !g.contains(c));
    if closed(gap) {
        return words(gap);
    }
    match gap.trim_end().strip_suffix(',') {
        Some(title) => {
            closed(title)
                && words(title)
                && title
                    .split_whitespace()
                    .any(|w| PERSON_REFERENCE_HEADS.contains(&bare_word(w).to_lowercase().as_str()))
        }
        None => false,
    }
}

/// A role that only a person holds ("prime minister", "spokeswoman"), not "ministry".
fn is_person_role(roles: &[String]) -> bool {
    roles
        .iter()
        .any(|r| r.split(' ').any(|w| PERSON_REFERENCE_HEADS.contains(&w)))
}

fn bare_word(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// The role named by the leading title words ("prime minister" of "prime minister, said"),
/// lowercased; "the", "of" and "former" at its edges are no role.
fn role_words<'w>(words: impl Iterator<Item = &'w str>) -> Vec<String> {
    let mut role: Vec<String> = Vec::new();
    for w in words {
        let b = bare_word(w).to_lowercase();
        let b = b
            .strip_suffix("'s")
            .or_else(|| b.strip_suffix("’s"))
            .unwrap_or(&b)
            .to_string();
        if b == "s" && role.is_empty() {
            continue;
        }
        if !TITLE_WORDS.contains(&b.as_str()) {
            if role.is_empty() && w.chars().next().is_some_and(char::is_uppercase) {
                continue; // "French" of "French President"
            }
            break;
        }
        role.push(b);
        if w.ends_with([',', '.', ';', ':']) {
            break;
        }
    }
    while role
        .first()
        .is_some_and(|w| matches!(w.as_str(), "the" | "of" | "former"))
    {
        role.remove(0);
    }
    while role.last().is_some_and(|w| matches!(w.as_str(), "the" | "of")) {
        role.pop();
    }
    if role.is_empty() {
        vec![]
    } else {
        vec![role.join(" ")]
    }
}

/// Pass 5: office-holders known without a title, by their role on the article's date.
pub(super) fn office_holders(st: &mut State, gaz: &Gazetteer, leaders: &Leaders, day: Option<Date>) {
    for a in 0..st.actors.len() {
        if st.actors[a].kind != ActorKind::Person || st.actors[a].affiliation.is_some() {
            continue;
        }
        if let Some(c) = leaders
            .country_code(&st.actors[a].name, day)
            .and_then(|iso| gaz.by_code(iso))
        {
            st.actors[a].affiliation = Some(st.country(gaz, c));
        }
    }
}

/// Pass 6: PETRARCH codes (and the affiliations they imply), honouring the article's date.
pub(super) fn dictionary(
    st: &mut State,
    gaz: &Gazetteer,
    dict: &ActorDictionary,
    index: &HashMap<String, usize>,
    day: Option<Date>,
) {
    for a in 0..st.actors.len() {
        let Some(&e) = index.get(&st.actors[a].name.to_uppercase()) else {
            continue;
        };
        let Some(code) = dict.entries[e].code_on(day) else {
            continue;
        };
        st.actors[a].cameo = Some(code.to_string());
        if st.actors[a].kind != ActorKind::Country && st.actors[a].affiliation.is_none() {
            if let Some(c) = code.get(..3).and_then(|iso| gaz.by_code(iso)) {
                st.actors[a].affiliation = Some(st.country(gaz, c));
            }
        }
    }
}

/// A lead between a nationality and a list of names: a few lowercase nouns ("citizens",
/// "aid workers", "couple"), optionally closed by a comma.
fn is_list_lead(gap: &str) -> bool {
    let words = gap.trim().trim_end_matches(',');
    let n = words.split_whitespace().count();
    !words.contains([',', ';', '(', ')', '"', '“', '”', '.'])
        && n <= 3
        && words.split_whitespace().all(|w| {
            w.chars().all(|c| c.is_lowercase() || c == '-')
                && !NOT_LIST_NOUNS.contains(&w)
                && !w.ends_with("ed")
                && !w.ends_with("ing")
        })
}

/// Countries given to names in lists, per mention: "Filipino seamen, A B and C D",
/// "Peruvian brothers A and B C", "A B and C D, both Polish nationals", "a Canadian, A B".
/// A chain is persons joined by commas and "and"; it takes the nationality that leads it or
/// follows it in apposition.
fn list_countries(
    text: &[char],
    mentions: &[Mention],
    country_of: &impl Fn(&Mention) -> Option<usize>,
) -> Vec<Option<usize>> {
    let demonym = |m: &Mention| {
        matches!(m.country, Some((_, Via::Demonym)))
            .then(|| country_of(m))
            .flatten()
    };
    let same_sentence = |a: usize, b: usize| mentions[a].sentence == mentions[b].sentence;
    let mut out = vec![None; mentions.len()];
    let mut i = 0;
    while i < mentions.len() {
        if mentions[i].kind != EntityKind::Person {
            i += 1;
            continue;
        }
        let mut end = i;
        while end + 1 < mentions.len()
            && mentions[end + 1].kind == EntityKind::Person
            && same_sentence(end, end + 1)
            && matches!(
                gap(text, &mentions[end], &mentions[end + 1]).trim(),
                "," | "and" | ", and"
            )
        {
            end += 1;
        }
        let lead = (i > 0 && same_sentence(i - 1, i) && is_list_lead(&gap(text, &mentions[i - 1], &mentions[i])))
            .then(|| demonym(&mentions[i - 1]))
            .flatten();
        let tail = mentions
            .get(end + 1)
            .filter(|_| same_sentence(end, end + 1))
            .filter(|n| {
                let g = gap(text, &mentions[end], n);
                let g = g.trim();
                g.strip_prefix(',').is_some_and(|rest| {
                    matches!(rest.trim(), "" | "both" | "all" | "each" | "all three" | "both of them")
                })
            })
            .and_then(demonym);
        if let Some(c) = lead.or(tail) {
            out[i..=end].iter_mut().for_each(|o| *o = Some(c));
        }
        i = end + 1;
    }
    out
}

/// The country of the place that an organisation's name opens with (up to three words).
fn leading_place(name: &str, place_country: &impl Fn(&str) -> Option<usize>) -> Option<usize> {
    let words: Vec<&str> = name.split_whitespace().collect();
    (1..words.len().min(4))
        .rev()
        .find_map(|k| place_country(&words[..k].join(" ")))
}
