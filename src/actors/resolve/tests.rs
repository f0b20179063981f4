//! The rules of each pass, as specifications: real sentences, the actors a reader finds.

use super::*;
use crate::actors::gazetteer::Gazetteer;
use crate::actors::mentions::sentence_mentions;
use crate::actors::petrarch::parse_actors;
use crate::ner::Entity;
use crate::segment;

/// Runs the real mention stage on `text` with the given NER entities (surface, label), in order.
fn resolve_with(
    text: &str,
    ents: &[(&str, &str)],
    dict: Option<&ActorDictionary>,
    date: Option<&str>,
) -> (Vec<Mention>, Resolution) {
    let gaz = Gazetteer::bundled().unwrap();
    let chars: Vec<char> = text.chars().collect();
    let sentences = segment::sentences(&chars, 0..chars.len());
    let mut entities = Vec::new();
    let mut from = 0;
    for (surface, label) in ents {
        let byte = text[from..]
            .find(surface)
            .unwrap_or_else(|| panic!("{surface} not found"))
            + from;
        let start = text[..byte].chars().count();
        let end = start + surface.chars().count();
        let sentence = sentences.iter().position(|s| s.start <= start && end <= s.end).unwrap();
        entities.push(Entity {
            text: surface.to_string(),
            label: label.to_string(),
            score: 1.0,
            start,
            end,
            sentence,
        });
        from = byte + surface.len();
    }
    let mut mentions = Vec::new();
    for (k, s) in sentences.iter().enumerate() {
        let ents: Vec<(usize, &Entity)> = entities.iter().enumerate().filter(|(_, e)| e.sentence == k).collect();
        let st: String = chars[s.clone()].iter().collect();
        mentions.extend(sentence_mentions(&gaz, &st, s.start, k, &ents));
    }
    let index = dict.map(dictionary_index);
    let places = crate::actors::places::Places::bundled(&gaz).unwrap();
    let leaders = Leaders::bundled().unwrap();
    let res = Resolver {
        gazetteer: &gaz,
        places: &places,
        leaders: &leaders,
        dictionary: dict,
        dictionary_index: index.as_ref(),
    }
    .resolve(&chars, &mentions, date);
    (mentions, res)
}

/// (id, kind, affiliation id, mention texts) per actor.
fn summary(m: &[Mention], r: &Resolution) -> Vec<(String, ActorKind, Option<String>, Vec<String>)> {
    r.actors
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.kind,
                a.affiliation.map(|c| r.actors[c].id.clone()),
                a.mentions.iter().map(|&i| m[i].text.clone()).collect(),
            )
        })
        .collect()
}

fn actor<'a>(
    s: &'a [(String, ActorKind, Option<String>, Vec<String>)],
    id: &str,
) -> &'a (String, ActorKind, Option<String>, Vec<String>) {
    s.iter()
        .find(|a| a.0 == id)
        .unwrap_or_else(|| panic!("no actor {id} in {s:?}"))
}

fn affiliations(text: &str, ents: &[(&str, &str)], date: Option<&str>) -> Vec<(String, Option<String>)> {
    let (m, r) = resolve_with(text, ents, None, date);
    summary(&m, &r)
        .into_iter()
        .filter(|a| a.1 != ActorKind::Country)
        .map(|a| (a.0, a.2))
        .collect()
}

fn some(id: &str, country: &str) -> (String, Option<String>) {
    (id.to_string(), Some(country.to_string()))
}

#[test]
fn places_get_their_country_and_namesakes_wait_for_evidence() {
    let text = "A bomb exploded in Wolfsburg. Spanish police in Cordoba arrested two men. \
                Protests spread to Cambridge.";
    let ents = [("Wolfsburg", "LOC"), ("Cordoba", "LOC"), ("Cambridge", "LOC")];
    assert_eq!(
        affiliations(text, &ents, None),
        [
            some("wolfsburg", "DEU"),
            some("spanish-police", "ESP"),
            some("cordoba", "ESP"),
            ("cambridge".to_string(), None)
        ]
    );
}

#[test]
fn names_in_lists_share_the_nationality_and_the_surname() {
    let text = "Two Kenyan runners, Mary Wanjiru and Grace Achieng, won. \
                Chilean sisters Ana and Sofia Rojas spoke. \
                Tom Berg and Lena Holm, both Swedish nationals, left. \
                Canadian fans cheered Paul Dumas.";
    let ents = [
        ("Mary Wanjiru", "PER"),
        ("Grace Achieng", "PER"),
        ("Ana", "PER"),
        ("Sofia Rojas", "PER"),
        ("Tom Berg", "PER"),
        ("Lena Holm", "PER"),
        ("Paul Dumas", "PER"),
    ];
    assert_eq!(
        affiliations(text, &ents, None),
        [
            some("mary-wanjiru", "KEN"),
            some("grace-achieng", "KEN"),
            some("ana-rojas", "CHL"),
            some("sofia-rojas", "CHL"),
            some("tom-berg", "SWE"),
            some("lena-holm", "SWE"),
            ("paul-dumas".to_string(), None),
        ]
    );
}

#[test]
fn groups_named_in_the_plural_are_organisations_and_events_are_not_actors() {
    let text = "Democrats and Republicans clashed as the Olympics opened. Chilean fans cheered.";
    let ents = [("Democrats", "MISC"), ("Republicans", "MISC"), ("Olympics", "MISC")];
    let (m, r) = resolve_with(text, &ents, None, None);
    let s = summary(&m, &r);
    for id in ["democrats", "republicans"] {
        assert_eq!(actor(&s, id).1, ActorKind::Organization);
    }
    assert!(s.iter().all(|a| a.0 != "olympics"), "{s:?}");
}

#[test]
fn members_and_mislabelled_organisations_name_their_group() {
    let text = "A Republican senator and two Republicans met Muslim clerics, Islamic scholars, \
                the Green Party and the GOP before Brexit and the World Cup.";
    let ents = [
        ("Republican", "MISC"),
        ("Republicans", "MISC"),
        ("Muslim", "MISC"),
        ("Islamic", "MISC"),
        ("the Green Party", "MISC"),
        ("GOP", "MISC"),
        ("Brexit", "MISC"),
        ("World Cup", "MISC"),
    ];
    let (m, r) = resolve_with(text, &ents, None, None);
    let s = summary(&m, &r);
    let ids: Vec<&str> = s.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(ids, ["republicans", "muslims", "islamic", "green-party", "gop"]);
    assert!(s.iter().all(|a| a.1 == ActorKind::Organization));
    // The member noun and the plural are one actor.
    assert_eq!(r.mention_actor[0], r.mention_actor[1]);
}

#[test]
fn office_holders_are_known_without_a_title() {
    let text = "Merkel met Hollande and Obama in Brussels.";
    let ents = [
        ("Merkel", "PER"),
        ("Hollande", "PER"),
        ("Obama", "PER"),
        ("Brussels", "LOC"),
    ];
    let got = affiliations(text, &ents, Some("2013-05-02"));
    assert_eq!(
        got,
        [some("merkel", "DEU"), some("hollande", "FRA"), some("obama", "USA")]
    );
}

#[test]
fn titles_and_possessives_are_not_part_of_a_name() {
    assert_eq!(person_name("President Recep Tayyip Erdoğan’s"), "Recep Tayyip Erdoğan");
    assert_eq!(person_name("Mr. Putin"), "Putin");
    assert_eq!(person_name("Prime Minister Nikol Pashinyan"), "Nikol Pashinyan");
    assert_eq!(person_name("İsmet İnönü"), "İsmet İnönü");
    assert_eq!(person_name("Presidential"), "Presidential");
}

#[test]
fn a_surname_joins_the_full_name() {
    let (m, r) = resolve_with(
        "Nadia Karimova spoke on Monday. Later, Karimova left.",
        &[("Nadia Karimova", "PER"), ("Karimova", "PER")],
        None,
        None,
    );
    assert_eq!(
        summary(&m, &r),
        [(
            "nadia-karimova".into(),
            ActorKind::Person,
            None,
            vec!["Nadia Karimova".into(), "Karimova".into()]
        )]
    );
}

#[test]
fn two_gandhis_with_different_first_names_stay_apart() {
    let text = "Indira Gandhi founded the party. Sonia Gandhi leads it now, and Gandhi spoke today.";
    let (m, r) = resolve_with(
        text,
        &[("Indira Gandhi", "PER"), ("Sonia Gandhi", "PER"), ("Gandhi", "PER")],
        None,
        None,
    );
    let s = summary(&m, &r);
    assert_eq!(actor(&s, "indira-gandhi").3, ["Indira Gandhi"]);
    // The bare surname goes to the nearest preceding full name.
    assert_eq!(actor(&s, "sonia-gandhi").3, ["Sonia Gandhi", "Gandhi"]);
}

#[test]
fn capitals_seats_of_government_and_demonyms_stand_for_their_country() {
    let text = "Paris summoned the envoy, and the Élysée warned Ankara. Turkish officials flew to Seoul. The White House stayed silent.";
    let (m, r) = resolve_with(
        text,
        &[
            ("Paris", "LOC"),
            ("Ankara", "LOC"),
            ("Turkish", "MISC"),
            ("Seoul", "LOC"),
            ("White House", "ORG"),
        ],
        None,
        None,
    );
    let s = summary(&m, &r);
    assert_eq!(actor(&s, "FRA").3, ["Paris", "Élysée"]);
    assert_eq!(actor(&s, "TUR").3, ["Ankara"]);
    assert_eq!(actor(&s, "KOR").3, ["Seoul"]);
    assert_eq!(actor(&s, "USA").3, ["White House"]);
    // A demonym before an institution makes an institution of that country.
    let officials = actor(&s, "turkish-officials");
    assert_eq!(
        (officials.1, officials.2.as_deref()),
        (ActorKind::Organization, Some("TUR"))
    );
    assert!(s
        .iter()
        .all(|a| a.1 == ActorKind::Country || a.0 == "turkish-officials"));
}

#[test]
fn affiliation_by_title_chain_containment_possessive_and_apposition() {
    let text = "Chinese Foreign Ministry spokeswoman Hua Chunying spoke. \
                The Turkish Culture Ministry cancelled the concerts. \
                Turkish President Recep Tayyip Erdogan declined. \
                China’s Defence Ministry objected. \
                Wang Yi, China’s foreign minister, stayed home.";
    let ents = [
        ("Chinese", "MISC"),
        ("Foreign Ministry", "ORG"),
        ("Hua Chunying", "PER"),
        ("Turkish Culture Ministry", "ORG"),
        ("Turkish", "MISC"),
        ("Recep Tayyip Erdogan", "PER"),
        ("China", "LOC"),
        ("Defence Ministry", "ORG"),
        ("Wang Yi", "PER"),
        ("China", "LOC"),
    ];
    let (m, r) = resolve_with(text, &ents, None, None);
    let s = summary(&m, &r);
    for (id, country) in [
        ("foreign-ministry", "CHN"),
        ("hua-chunying", "CHN"),
        ("turkish-culture-ministry", "TUR"),
        ("recep-tayyip-erdogan", "TUR"),
        ("defence-ministry", "CHN"),
        ("wang-yi", "CHN"),
    ] {
        assert_eq!(actor(&s, id).2.as_deref(), Some(country), "{id}");
    }
}

#[test]
fn country_words_inside_names_and_after_and_do_not_affiliate() {
    let text = "Jordan Bardella met Victoria Nuland. Russian President Vladimir Putin and Volodymyr Zelensky spoke.";
    let ents = [
        ("Jordan Bardella", "PER"),
        ("Victoria Nuland", "PER"),
        ("Russian", "MISC"),
        ("Vladimir Putin", "PER"),
        ("Volodymyr Zelensky", "PER"),
    ];
    let (m, r) = resolve_with(text, &ents, None, None);
    let s = summary(&m, &r);
    assert_eq!(actor(&s, "jordan-bardella").2, None);
    assert_eq!(actor(&s, "victoria-nuland").2, None);
    assert_eq!(actor(&s, "vladimir-putin").2.as_deref(), Some("RUS"));
    assert_eq!(actor(&s, "volodymyr-zelensky").2, None);
}

#[test]
fn no_affiliation_across_a_clause() {
    let text = "China protested, and Hua Chunying spoke.";
    let (m, r) = resolve_with(text, &[("China", "LOC"), ("Hua Chunying", "PER")], None, None);
    assert_eq!(actor(&summary(&m, &r), "hua-chunying").2, None);
    // A headline's capitalised words are no title chain; "Foreign Ministry spokeswoman" is.
    let text = "What Peru Could Do When Up Against Eva Novak.";
    let (m, r) = resolve_with(text, &[("Peru", "LOC"), ("Eva Novak", "PER")], None, None);
    assert_eq!(actor(&summary(&m, &r), "eva-novak").2, None);
    let text = "China's Foreign Ministry spokeswoman Hua Chunying spoke.";
    let (m, r) = resolve_with(text, &[("China", "LOC"), ("Hua Chunying", "PER")], None, None);
    assert_eq!(actor(&summary(&m, &r), "hua-chunying").2.as_deref(), Some("CHN"));
}

#[test]
fn a_definite_reference_joins_the_organisation_named_before() {
    let text = "The Culture Ministry cancelled the events. The ministry said more would follow.";
    let (m, r) = resolve_with(text, &[("Culture Ministry", "ORG")], None, None);
    assert_eq!(
        actor(&summary(&m, &r), "culture-ministry").3,
        ["Culture Ministry", "The ministry"]
    );
}

#[test]
fn georgia_is_the_country_unless_the_text_says_us_state() {
    let (m, r) = resolve_with(
        "Georgia accused Russia of provocations near Tbilisi.",
        &[("Georgia", "LOC"), ("Russia", "LOC"), ("Tbilisi", "LOC")],
        None,
        None,
    );
    assert_eq!(actor(&summary(&m, &r), "GEO").3, ["Georgia", "Tbilisi"]);

    let text = "Voters in Atlanta lined up early. Georgia certified the results on Friday.";
    let (m, r) = resolve_with(text, &[("Atlanta", "LOC"), ("Georgia", "LOC")], None, None);
    let s = summary(&m, &r);
    assert!(s.iter().all(|a| a.0 != "GEO"), "{s:?}");
    let state = actor(&s, "georgia-u-s-state");
    assert_eq!(
        (state.1, state.2.as_deref(), state.3.clone()),
        (ActorKind::Location, Some("USA"), vec!["Georgia".to_string()])
    );
}

#[test]
fn a_petrarch_dictionary_gives_cameo_ids_honouring_dates() {
    let dict = parse_actors("RECEP_TAYYIP_ERDOGAN_ [TURELI]\n\t[TURGOV >140828]\n+PRESIDENT_ERDOGAN\n").unwrap();
    let text = "Recep Tayyip Erdogan spoke.";
    let ents = [("Recep Tayyip Erdogan", "PER")];
    let (_, r) = resolve_with(text, &ents, Some(&dict), Some("2025-06-30"));
    let a = &r.actors[0];
    assert_eq!((a.id.as_str(), a.cameo.as_deref()), ("TURGOV", Some("TURGOV")));
    assert_eq!(a.affiliation.map(|c| r.actors[c].id.as_str()), Some("TUR"));
    let (_, r) = resolve_with(text, &ents, Some(&dict), Some("1999-01-01"));
    assert_eq!(r.actors[0].cameo.as_deref(), Some("TURELI"));
}

/// The actor id each mention of `words` joined (None: no actor), with how.
fn joined(text: &str, ents: &[(&str, &str)], words: &[&str]) -> Vec<(String, Option<String>, Option<Link>)> {
    let (m, r) = resolve_with(text, ents, None, None);
    words
        .iter()
        .map(|w| {
            let i = m
                .iter()
                .position(|x| x.text == *w)
                .unwrap_or_else(|| panic!("no mention {w}"));
            (
                w.to_string(),
                r.mention_actor[i].map(|a| r.actors[a].id.clone()),
                r.mention_links[i],
            )
        })
        .collect()
}

#[test]
fn a_pronoun_joins_the_subject_of_the_sentence_before_and_a_relative_the_name_before_it() {
    let text = "Ana Lima met Rui Costa in Lisbon. She said the talks had failed. Costa, who was silent, left.";
    let got = joined(
        text,
        &[
            ("Ana Lima", "PER"),
            ("Rui Costa", "PER"),
            ("Lisbon", "LOC"),
            ("Costa", "PER"),
        ],
        &["She", "who"],
    );
    assert_eq!(
        got,
        vec![
            ("She".into(), Some("ana-lima".into()), Some(Link::Coreference)),
            ("who".into(), Some("rui-costa".into()), Some(Link::Relative)),
        ]
    );
}

#[test]
fn a_stated_gender_rules_a_candidate_out_and_nothing_fitting_leaves_no_actor() {
    // "Mr." states Costa a man, so "she" passes over him to the woman named before.
    let text =
        "Ana Lima spoke first. Mr. Rui Costa replied. She disagreed. The weather was cold. It rained. They left.";
    let got = joined(text, &[("Ana Lima", "PER"), ("Rui Costa", "PER")], &["She", "They"]);
    assert_eq!(got[0].1.as_deref(), Some("ana-lima"));
    // No organisation or country within reach: "they" stays no actor.
    assert_eq!(got[1].1, None);
}

#[test]
fn an_object_pronoun_never_joins_the_subject_of_its_own_clause() {
    let text = "Ana Souza praised Rui Costa. Souza thanked him.";
    let got = joined(
        text,
        &[("Ana Souza", "PER"), ("Rui Costa", "PER"), ("Souza", "PER")],
        &["him"],
    );
    assert_eq!(got[0].1.as_deref(), Some("rui-costa"));
}

#[test]
fn a_title_joins_the_person_named_with_it_and_an_untitled_one_stays_no_actor() {
    let text = "Foreign Minister Ana Lima met Rui Costa. The minister said the deal was dead. The senator disagreed.";
    let got = joined(
        text,
        &[("Ana Lima", "PER"), ("Rui Costa", "PER")],
        &["The minister", "The senator"],
    );
    assert_eq!(got[0].1.as_deref(), Some("ana-lima"));
    assert_eq!(got[0].2, Some(Link::Title));
    assert_eq!(got[1].1, None);
}

#[test]
fn a_title_tagged_apart_from_its_name_is_no_person_and_gathers_no_pronouns() {
    let text = "Mr. Obama spoke in Ohio. He said the plan would pass.";
    let (m, r) = resolve_with(text, &[("Mr", "PER"), ("Obama", "PER"), ("Ohio", "LOC")], None, None);
    let ids: Vec<&str> = r.actors.iter().map(|a| a.id.as_str()).collect();
    assert!(!ids.contains(&"mr"), "{ids:?}");
    let he = m.iter().position(|x| x.text == "He").unwrap();
    assert_eq!(r.mention_actor[he].map(|a| r.actors[a].id.as_str()), Some("obama"));
}

#[test]
fn stated_affiliations_with_their_roles_by_title_comma_apposition_of_possessive_and_list_and_title_of() {
    let text = "The Peruvian president, Ana Quispe, arrived. Jan Kowal, Poland's foreign minister, agreed. \
                Prime Minister Lena Berg of Sweden spoke. Kenyan Defence Minister Amos Otieno declined. \
                Chile's president Rosa Vidal objected. Maria Lopes and Carla Dias, both Portuguese nationals, were freed. \
                Amos Otieno met Rosa Vidal. Eva Novak, the president of Slovenia, left.";
    let ents = [
        ("Peruvian", "MISC"),
        ("Ana Quispe", "PER"),
        ("Jan Kowal", "PER"),
        ("Poland", "LOC"),
        ("Lena Berg", "PER"),
        ("Sweden", "LOC"),
        ("Kenyan", "MISC"),
        ("Amos Otieno", "PER"),
        ("Chile", "LOC"),
        ("Rosa Vidal", "PER"),
        ("Maria Lopes", "PER"),
        ("Carla Dias", "PER"),
        ("Portuguese", "MISC"),
        ("Amos Otieno", "PER"),
        ("Rosa Vidal", "PER"),
        ("Eva Novak", "PER"),
        ("Slovenia", "LOC"),
    ];
    let (_, r) = resolve_with(text, &ents, None, None);
    let stated: Vec<(&str, &str, Vec<&str>)> = r
        .stated
        .iter()
        .map(|s| {
            (
                r.actors[s.actor].id.as_str(),
                r.actors[s.country].id.as_str(),
                s.roles.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        stated,
        [
            ("ana-quispe", "PER", vec!["president"]),
            ("jan-kowal", "POL", vec!["foreign minister"]),
            ("lena-berg", "SWE", vec!["prime minister"]),
            ("amos-otieno", "KEN", vec!["defence minister"]),
            ("rosa-vidal", "CHL", vec!["president"]),
            ("maria-lopes", "PRT", vec![]),
            ("carla-dias", "PRT", vec![]),
            ("eva-novak", "SVN", vec!["president"]),
        ],
        "\"Amos Otieno met Rosa Vidal\" states nothing"
    );
}

#[test]
fn a_comma_after_a_country_word_is_no_title() {
    let text = "In Poland, Jan Kowal said, nothing would change.";
    let (m, r) = resolve_with(text, &[("Poland", "LOC"), ("Jan Kowal", "PER")], None, None);
    assert_eq!(actor(&summary(&m, &r), "jan-kowal").2, None);
    assert!(r.stated.is_empty());
}

#[test]
fn a_learned_person_whom_ner_took_for_an_organisation_is_a_person_with_the_country() {
    let text = "Starmer said Britain would stand by Ukraine.";
    let ents = [("Starmer", "ORG"), ("Britain", "LOC"), ("Ukraine", "LOC")];
    let learned = parse_actors(&format!(
        "{}\nKEIR_STARMER_\n+STARMER_\n\t[GBR]\n",
        crate::actors::learn::HEADER
    ))
    .unwrap();
    let gaz = Gazetteer::bundled().unwrap();
    let places = crate::actors::places::Places::bundled(&gaz).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let entities: Vec<Entity> = ents
        .iter()
        .map(|(t, l)| {
            let start = text[..text.find(t).unwrap()].chars().count();
            Entity {
                text: t.to_string(),
                label: l.to_string(),
                score: 1.0,
                start,
                end: start + t.chars().count(),
                sentence: 0,
            }
        })
        .collect();
    let refs: Vec<(usize, &Entity)> = entities.iter().enumerate().collect();
    let mentions = sentence_mentions(&gaz, text, 0, 0, &refs);
    for (leaders, kind, country) in [
        (Leaders::bundled().unwrap(), ActorKind::Organization, None),
        (
            Leaders::bundled().unwrap().with_first(learned, true),
            ActorKind::Person,
            Some("GBR"),
        ),
    ] {
        let r = Resolver {
            gazetteer: &gaz,
            places: &places,
            leaders: &leaders,
            dictionary: None,
            dictionary_index: None,
        }
        .resolve(&chars, &mentions, Some("2025-03-01"));
        let s = summary(&mentions, &r);
        assert_eq!(actor(&s, "starmer").1, kind);
        assert_eq!(actor(&s, "starmer").2.as_deref(), country);
    }
}
