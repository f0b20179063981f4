//! The English word lists that the rule-based stages read, in one place: what a sentence
//! boundary ignores, which phrases name no country, which words make a place a setting or a
//! name an institution, and which words may stand between a country and a person or body. A
//! new language or domain starts here.

// Sentences.

/// Abbreviations whose period ends no sentence (lower case, without the period).
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "cmdr", "adm", "sgt", "gov", "sen", "rep",
    "pres", "st", "jr", "sr", "inc", "corp", "ltd", "co", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "approx", "dept", "est", "fig", "mt", "ft", "rev", "hon", "messrs", "e.g",
    "i.e", "cf",
];

// Countries.

/// Longer phrases that contain a country word but name no country. Leftmost-longest matching
/// prefers them, so "Latin America" is not the United States and "New Mexico" is not Mexico.
pub const BLOCKERS: &[&str] = &[
    "Latin America",
    "South America",
    "Central America",
    "North America",
    "Americas",
    "New Mexico",
    "New Jersey",
    "New Guinea",
    "Washington State",
    "Washington state",
    "Georgia Tech",
    "Jordan River",
    "Chad Smith",
    "Israel Folau",
    "Jersey City",
    "Indian Ocean",
    "Indian Army",
    "Native American",
    "Native Americans",
    "Turkey Point",
    "Cuba Gooding",
    "Kenya Moore",
    "Paris Hilton",
    "British Columbia",
    "Denzel Washington",
    "George Washington",
];

// Mentions.

/// Prepositions that put what follows them as a location.
pub const LOCATIVES: &[&str] = &[
    "in",
    "at",
    "near",
    "outside",
    "inside",
    "around",
    "across",
    "throughout",
    "into",
    "within",
    "to",
    "from",
    "toward",
    "towards",
    "through",
    "via",
    "over",
    "above",
];

/// "the city of X": a place noun and "of" also name a setting.
pub const PLACE_NOUNS: &[&str] = &[
    "city",
    "town",
    "village",
    "port",
    "region",
    "province",
    "district",
    "area",
    "outskirts",
];

/// Capitalised words that end an organisation's name ("Culture Ministry"). NER often stops one
/// word short of them; a mention that does is extended over the head word.
pub const ORG_HEADS: &[&str] = &[
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

/// Institutions named after their country or place in lower case: "Turkish police", "Egypt's
/// state media", "the German government", "Lyon police". Longest first.
pub const INSTITUTIONS: &[&str] = &[
    "state news agency",
    "state television",
    "state media",
    "state TV",
    "foreign ministry",
    "defence ministry",
    "defense ministry",
    "interior ministry",
    "finance ministry",
    "justice ministry",
    "health ministry",
    "central bank",
    "security forces",
    "armed forces",
    "border guards",
    "coast guard",
    "city council",
    "government",
    "authorities",
    "officials",
    "prosecutors",
    "police",
    "military",
    "army",
    "navy",
    "parliament",
    "cabinet",
    "diplomats",
    "embassy",
    "ministry",
    "troops",
    "forces",
    "regulators",
    "lawmakers",
];

/// Head nouns of definite references that can stand for an organisation named earlier.
pub const REFERENCE_HEADS: &[&str] = &[
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

// Actors.

/// Words that may stand between an affiliation and the person or body it qualifies.
pub const TITLE_WORDS: &[&str] = &[
    "president",
    "prime",
    "minister",
    "deputy",
    "foreign",
    "defense",
    "defence",
    "interior",
    "culture",
    "spokeswoman",
    "spokesman",
    "spokesperson",
    "ambassador",
    "envoy",
    "leader",
    "chief",
    "head",
    "general",
    "secretary",
    "state",
    "official",
    "officials",
    "senator",
    "governor",
    "mayor",
    "king",
    "queen",
    "chancellor",
    "commander",
    "former",
    "acting",
    "vice",
    "opposition",
    "lawmaker",
    "diplomat",
    "top",
    "senior",
    "army",
    "ministry",
    "affairs",
    "of",
    "the",
    "national",
    "security",
    "adviser",
    "advisor",
    "counterpart",
];

/// Function words: capitalised in a headline ("What Mexico Could Do When Up Against X"),
/// they are still no part of a title.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "and", "or", "but", "not", "no", "if", "than", "then", "this", "that", "these", "those", "what", "when",
    "where", "why", "how", "who", "could", "would", "should", "can", "will", "may", "might", "must", "do", "does",
    "did", "is", "are", "was", "were", "be", "been", "has", "have", "had", "up", "down", "against", "with", "for",
    "from", "to", "in", "on", "at", "by", "over", "after", "before", "as", "says", "said", "vs",
];

/// PERSON_TITLES
pub const PERSON_TITLES: &[&str] = &[
    "president",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prime minister",
    "minister",
    "gen",
    "general",
    "sen",
    "senator",
    "gov",
    "governor",
];

/// Plurals that name events or works, not groups.
pub const NOT_GROUPS: &[&str] = &[
    "Olympics",
    "Games",
    "Paralympics",
    "Oscars",
    "Grammys",
    "Emmys",
    "Awards",
    "Series",
    "Times",
    "News",
];

/// Last words of organisations that NER tags MISC ("the Islamic State", "the Democratic Party").
pub const ORGANISATION_HEADS: &[&str] = &[
    "Party",
    "State",
    "Committee",
    "Movement",
    "Front",
    "Caucus",
    "Brotherhood",
];

/// Endings of member nouns, whose plural names the group: Republican, Islamist, Shiite,
/// Muslim, Democrat, Arab.
pub const MEMBER_ENDINGS: &[&str] = &["an", "ist", "ite", "im", "at", "ab"];

/// Endings of group adjectives, which name the group as written: Islamic, Jewish.
pub const GROUP_ADJECTIVE_ENDINGS: &[&str] = &["ic", "ish"];

/// Words that end a list's lead: "Russian troops said Smith ..." names no Russian Smith.
pub const NOT_LIST_NOUNS: &[&str] = &[
    "said", "says", "say", "told", "tells", "tell", "accused", "accuses", "warned", "warns", "claims", "claimed",
    "and", "or", "of", "in", "at", "on", "for", "with", "to", "from", "by", "against", "is", "are", "was", "were",
];

/// Phrases by which an article shows that its "Georgia" is the US state (unless it also names
/// Tbilisi).
pub const US_GEORGIA_CUES: &[&str] = &[
    "Atlanta",
    "state of Georgia",
    "Georgia state",
    "Georgia Gov",
    "Georgia’s governor",
    "Georgia's governor",
    ", Ga.",
    "Savannah, Georgia",
    "Georgia Republican",
    "Georgia Democrat",
];

// Who said what.

/// Pronouns that become mentions, for resolution to join to the actor they stand for. Not
/// "it" (mostly no party: "it is", "it rained"), "we" and "I" (the speaker, inside quotes) or
/// "their" (mostly groups that are no actor).
pub const PRONOUN_MENTIONS: &[&str] = &["he", "she", "him", "his", "her", "they", "them", "who"];

/// Words just before a person's name (or starting it) that state a man or a woman.
pub const MALE_CUES: &[&str] = &[
    "mr",
    "sir",
    "lord",
    "king",
    "prince",
    "spokesman",
    "congressman",
    "chairman",
    "father",
    "brother",
    "son",
    "husband",
];
pub const FEMALE_CUES: &[&str] = &[
    "mrs",
    "ms",
    "miss",
    "madam",
    "lady",
    "dame",
    "queen",
    "princess",
    "spokeswoman",
    "congresswoman",
    "chairwoman",
    "mother",
    "sister",
    "daughter",
    "wife",
    "actress",
];

/// Heads of definite references that stand for a person named before ("the minister said").
pub const PERSON_REFERENCE_HEADS: &[&str] = &[
    "president",
    "minister",
    "spokeswoman",
    "spokesman",
    "spokesperson",
    "senator",
    "governor",
    "secretary",
    "chancellor",
    "ambassador",
    "mayor",
    "candidate",
    "nominee",
    "premier",
    "envoy",
    "congressman",
    "congresswoman",
    "chairman",
    "chairwoman",
];

/// Pronouns and relatives that can be a speaker ("she said", "officials, who said").
pub const PRONOUNS: &[&str] = &[
    "he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "him", "her", "them", "us", "me",
];

/// Determiners that may open a speaker's phrase ("the minister", "a source").
pub const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "his", "her", "its", "their", "our", "one", "another",
];

/// Heads of a speaker's phrase that name an office or role, so that the phrase stands for
/// one person or body ("the minister", "the spokeswoman", "the ministry").
pub const OFFICE_HEADS: &[&str] = &[
    "president",
    "minister",
    "premier",
    "chancellor",
    "spokeswoman",
    "spokesman",
    "spokesperson",
    "ambassador",
    "envoy",
    "secretary",
    "senator",
    "governor",
    "mayor",
    "king",
    "queen",
    "prince",
    "commander",
    "general",
    "chairman",
    "chairwoman",
    "chair",
    "director",
    "ministry",
    "department",
    "government",
    "administration",
    "campaign",
    "candidate",
    "nominee",
    "congressman",
    "congresswoman",
    "representative",
    "leader",
    "speaker",
    "justice",
    "judge",
    "attorney",
    "prosecutor",
    "sheriff",
    "chief",
    "ceo",
    "founder",
    "white",
    "embassy",
    "agency",
    "committee",
    "court",
    "council",
    "party",
    "commission",
    "office",
    "kremlin",
    "pentagon",
    "foundation",
];

pub fn is_office(word: &str) -> bool {
    OFFICE_HEADS.contains(&word)
}
