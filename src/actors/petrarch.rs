//! Parser for TABARI/PETRARCH `.actors` dictionaries.
//!
//! A record is a head line, optional `+synonym` lines and optional
//! tab-indented date restrictions:
//!
//! ```text
//! AZERBAIJAN_  [AZE]            # head with a default code
//! +AZERI_                       # synonym
//! ILHAM_ALIYEV_  # CountryInfo  # head without code
//!     [AZEELI 780101-030804]    # code valid between two dates (inclusive)
//!     [AZEGOV >031031]          # valid from a date on
//!     [USRAZE <911018]          # valid up to a date
//!     [AZEELI]                  # default code
//! ```
//!
//! The real files are irregular, so the parser is lenient: comments start at
//! `#` or `;` anywhere on a line, roles may sit on the head or synonym line
//! (several of them, too), indented lines may carry a name before their role,
//! and lines it cannot use (typo dates such as `1920030320`, or a bare
//! date with no `<`, `>` or `-`) are skipped and counted in
//! [`ActorDictionary::skipped_lines`] instead of failing the whole file.

use crate::error::{Error, Result};

/// A calendar date; field order makes the derived `Ord` chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Checked constructor: month 1-12, day 1-31 (days are not checked
    /// against month length; dictionary dates only need ordering).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `T...` or ` ...` (a time).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let head = s.get(..10).filter(|h| h.is_ascii())?;
        match s.as_bytes().get(10) {
            None | Some(b'T') | Some(b' ') => {}
            Some(_) => return None,
        }
        let b = head.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::new(digits(&head[..4])? as i32, digits(&head[5..7])?, digits(&head[8..10])?)
    }

    /// Parses dictionary dates: `YYYYMMDD`, or `YYMMDD` where 00-29 means
    /// 2000-2029 and 30-99 means 1930-1999 (the files reach back to the
    /// 1930s and were written in the 2010s, so this split reads them right).
    pub fn parse_dictionary(s: &str) -> Option<Date> {
        if !s.is_ascii() {
            return None;
        }
        match s.len() {
            8 => Date::new(digits(&s[..4])? as i32, digits(&s[4..6])?, digits(&s[6..8])?),
            6 => {
                let yy = digits(&s[..2])? as i32;
                let year = if yy < 30 { 2000 + yy } else { 1900 + yy };
                Date::new(year, digits(&s[2..4])?, digits(&s[4..6])?)
            }
            _ => None,
        }
    }
}

/// ASCII digits only (`str::parse` would also accept a leading `+`).
fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// When a code applies. Bounds are inclusive, as in PETRARCH.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Validity {
    /// No restriction: the entry's default code.
    Always,
    /// `>date`
    From(Date),
    /// `<date`
    Until(Date),
    /// `date-date`
    Between(Date, Date),
}

impl Validity {
    pub fn contains(&self, date: Date) -> bool {
        match *self {
            Validity::Always => true,
            Validity::From(a) => date >= a,
            Validity::Until(b) => date <= b,
            Validity::Between(a, b) => a <= date && date <= b,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CodeRole {
    pub code: String,
    pub validity: Validity,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ActorEntry {
    /// Head name first, then synonyms: underscores turned into spaces,
    /// whitespace runs collapsed, trimmed (so the trailing `_` is dropped).
    pub names: Vec<String>,
    /// In file order.
    pub roles: Vec<CodeRole>,
}

impl ActorEntry {
    /// The code that applies on `date`.
    ///
    /// With a date: the first listed dated role that covers it, else the
    /// default (`Always`) role, else `None`. Without a date: the default role
    /// if any, else the open-ended (`From`) one, i.e. the current role, else
    /// the last listed.
    pub fn code_on(&self, date: Option<Date>) -> Option<&str> {
        let always = || self.roles.iter().find(|r| r.validity == Validity::Always);
        let role = match date {
            Some(d) => self
                .roles
                .iter()
                .find(|r| r.validity != Validity::Always && r.validity.contains(d))
                .or_else(always),
            None => always()
                .or_else(|| self.roles.iter().find(|r| matches!(r.validity, Validity::From(_))))
                .or_else(|| self.roles.last()),
        };
        role.map(|r| r.code.as_str())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ActorDictionary {
    pub entries: Vec<ActorEntry>,
    /// Non-blank, non-comment lines (or role brackets) that could not be used.
    pub skipped_lines: usize,
}

/// Parses dictionary text (the caller reads the file; bytes that are not UTF-8 are best
/// replaced, since the upstream files mix encodings). Fails only if it holds no entry at all.
pub fn parse_actors(text: &str) -> Result<ActorDictionary> {
    let mut dict = ActorDictionary::default();
    let mut n_lines = 0;
    for (idx, raw) in text.lines().enumerate() {
        n_lines = idx + 1;
        let indented = raw.starts_with(|c: char| c.is_whitespace());
        // `#` is also used inside a few names, but PETRARCH itself cuts
        // there too, and most such names are comments glued on anyway.
        let body = raw.split(['#', ';']).next().unwrap_or("");
        // Control-only lines (the DOS end-of-file byte 0x1A) count as blank.
        if body.chars().all(|c| c.is_whitespace() || c.is_control()) {
            continue;
        }
        let (name_part, roles, bad_roles) = split_roles(body);
        dict.skipped_lines += bad_roles;
        let name = clean_name(name_part.trim_start().strip_prefix('+').unwrap_or(name_part));
        let is_synonym = body.trim_start().starts_with('+');

        if indented || is_synonym {
            // Continuation of the current record: a role line, a synonym,
            // or (irregularly) an indented name with a role.
            let Some(entry) = dict.entries.last_mut() else {
                dict.skipped_lines += 1;
                continue;
            };
            if !name.is_empty() {
                entry.names.push(name);
            } else if roles.is_empty() {
                dict.skipped_lines += usize::from(bad_roles == 0);
                continue;
            }
            entry.roles.extend(roles);
        } else if name.is_empty() {
            dict.skipped_lines += usize::from(bad_roles == 0);
        } else {
            dict.entries.push(ActorEntry {
                names: vec![name],
                roles,
            });
        }
    }
    if dict.entries.is_empty() {
        return Err(Error::table(
            "PETRARCH dictionary",
            n_lines,
            format!("no actor entry found in {n_lines} lines"),
        ));
    }
    Ok(dict)
}

/// Splits a comment-free line into the text before the first `[` and the
/// roles in all `[...]` groups; also returns how many groups were unusable.
fn split_roles(body: &str) -> (&str, Vec<CodeRole>, usize) {
    let Some(open) = body.find('[') else {
        return (body, Vec::new(), 0);
    };
    let mut roles = Vec::new();
    let mut bad = 0;
    let mut rest = &body[open..];
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let Some(close) = after.find(']') else {
            bad += 1;
            break;
        };
        match parse_role(&after[..close]) {
            Some(role) => roles.push(role),
            None => bad += 1,
        }
        rest = &after[close + 1..];
    }
    (&body[..open], roles, bad)
}

/// `CODE`, `CODE >DATE`, `CODE <DATE` or `CODE DATE-DATE`; stray spaces
/// inside the restriction (`> 140608`) are tolerated.
fn parse_role(inner: &str) -> Option<CodeRole> {
    let mut parts = inner.split_whitespace();
    let code = parts.next()?.to_string();
    let restriction: String = parts.collect();
    let validity = if restriction.is_empty() {
        Validity::Always
    } else if let Some(d) = restriction.strip_prefix('>') {
        Validity::From(Date::parse_dictionary(d)?)
    } else if let Some(d) = restriction.strip_prefix('<') {
        Validity::Until(Date::parse_dictionary(d)?)
    } else {
        let (a, b) = restriction.split_once('-')?;
        Validity::Between(Date::parse_dictionary(a)?, Date::parse_dictionary(b)?)
    };
    Some(CodeRole { code, validity })
}

/// Underscores become spaces, whitespace runs collapse, control characters
/// (such as the stray 0x1A in the upstream files) are dropped.
fn clean_name(raw: &str) -> String {
    let spaced: String = raw
        .chars()
        .filter(|c| *c == '_' || *c == ' ' || *c == '\t' || !c.is_control())
        .map(|c| if c == '_' { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: i32, month: u32, day: u32) -> Date {
        Date { year, month, day }
    }

    fn role(code: &str, validity: Validity) -> CodeRole {
        CodeRole {
            code: code.into(),
            validity,
        }
    }

    const SAMPLE: &str = "\
# header comment
\u{1a}
AZERBAIJAN_  [AZE]
+AZERI_ \n\
+REPUBLIC_OF_AZERBAIJAN
HEYDAR_ALIYEV_  # CountryInfo.txt
\t[AZEELI 410101-930624]
\t[AZEGOV 930624-031031]
 \t

ILHAM_ALIYEV_  # CountryInfo.txt
\t[AZEELI 780101-030804]
\t[AZEGOV 030804-031104]
\t[AZEGOV > 031031] # stray space after '>'
\t[AZEELI]
SOVIET_AZERBAIJAN_ [USRAZE <911018]
JAVIER_DE_CUELLAR_\t[IGOUNO 19820101-19911231] [ELI]# IGOrulers.txt
JOHN_J MCCLOY_
\tJOHN_MCCLOY_\t[IGOUNODEVWBK 470301-490630]# IGOrulers.txt
LIAMINE_Z\u{1a}ZEROUAL_  ; CountryInfo.txt
\t[IRQOCC 1920030320-20060520]
NO_CODE_ENTRY
\t[MNEGOV 20121204]
";

    #[test]
    fn parses_every_line_form() {
        let dict = parse_actors(SAMPLE).unwrap();
        let names: Vec<&str> = dict.entries.iter().map(|e| e.names[0].as_str()).collect();
        assert_eq!(
            names,
            [
                "AZERBAIJAN",
                "HEYDAR ALIYEV",
                "ILHAM ALIYEV",
                "SOVIET AZERBAIJAN",
                "JAVIER DE CUELLAR",
                "JOHN J MCCLOY",
                "LIAMINE ZZEROUAL",
                "NO CODE ENTRY",
            ]
        );
        let aze = &dict.entries[0];
        assert_eq!(aze.names, ["AZERBAIJAN", "AZERI", "REPUBLIC OF AZERBAIJAN"]);
        assert_eq!(aze.roles, [role("AZE", Validity::Always)]);

        let ilham = &dict.entries[2];
        assert_eq!(
            ilham.roles,
            [
                role("AZEELI", Validity::Between(d(1978, 1, 1), d(2003, 8, 4))),
                role("AZEGOV", Validity::Between(d(2003, 8, 4), d(2003, 11, 4))),
                role("AZEGOV", Validity::From(d(2003, 10, 31))),
                role("AZEELI", Validity::Always),
            ]
        );
        assert_eq!(
            dict.entries[3].roles,
            [role("USRAZE", Validity::Until(d(1991, 10, 18)))]
        );
        assert_eq!(
            dict.entries[4].roles,
            [
                role("IGOUNO", Validity::Between(d(1982, 1, 1), d(1991, 12, 31))),
                role("ELI", Validity::Always),
            ]
        );
        // An indented name with a role is read as a synonym carrying that role.
        assert_eq!(dict.entries[5].names, ["JOHN J MCCLOY", "JOHN MCCLOY"]);
        assert_eq!(dict.entries[5].roles.len(), 1);
        // A ten-digit date and a bare date without `<`, `>` or `-` cannot be
        // read (both occur upstream): those roles are skipped, entries kept.
        assert!(dict.entries[6].roles.is_empty());
        assert!(dict.entries[7].roles.is_empty());
        // The 0x1A-only line counts as blank, not as skipped.
        assert_eq!(dict.skipped_lines, 2);
    }

    #[test]
    fn orphan_lines_before_any_head_are_skipped() {
        let dict = parse_actors("+SYN_\n\t[ABC]\nHEAD_ [XYZ]\n").unwrap();
        assert_eq!(dict.entries.len(), 1);
        assert_eq!(dict.entries[0].names, ["HEAD"]);
        assert_eq!(dict.skipped_lines, 2);
    }

    #[test]
    fn text_without_entries_is_an_error() {
        for text in ["", "# only a comment\n\n", "\t[ABC 010101-020202]\n"] {
            match parse_actors(text) {
                Err(Error::Table { .. }) => {}
                other => panic!("{text:?}: expected Malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn code_on_dates_before_inside_and_after_ranges() {
        let dict = parse_actors(SAMPLE).unwrap();
        let ilham = &dict.entries[2];
        assert_eq!(ilham.code_on(Some(d(1970, 1, 1))), Some("AZEELI")); // before: default
        assert_eq!(ilham.code_on(Some(d(1990, 5, 5))), Some("AZEELI")); // first range
        assert_eq!(ilham.code_on(Some(d(2003, 8, 4))), Some("AZEELI")); // bounds inclusive; first listed wins
        assert_eq!(ilham.code_on(Some(d(2003, 9, 1))), Some("AZEGOV"));
        assert_eq!(ilham.code_on(Some(d(2025, 6, 30))), Some("AZEGOV")); // open-ended
        assert_eq!(ilham.code_on(None), Some("AZEELI")); // default role

        let heydar = &dict.entries[1]; // no default role
        assert_eq!(heydar.code_on(Some(d(1930, 1, 1))), None);
        assert_eq!(heydar.code_on(Some(d(1941, 1, 1))), Some("AZEELI"));
        assert_eq!(heydar.code_on(Some(d(2000, 1, 1))), Some("AZEGOV"));
        assert_eq!(heydar.code_on(Some(d(2003, 10, 31))), Some("AZEGOV"));
        assert_eq!(heydar.code_on(Some(d(2003, 11, 1))), None);
        assert_eq!(heydar.code_on(None), Some("AZEGOV")); // last listed

        let soviet = &dict.entries[3];
        assert_eq!(soviet.code_on(Some(d(1991, 10, 18))), Some("USRAZE"));
        assert_eq!(soviet.code_on(Some(d(1991, 10, 19))), None);

        let open = parse_actors("X_\n\t[AAA 900101-991231]\n\t[BBB >000101]\n\t[CCC <800101]\n").unwrap();
        assert_eq!(open.entries[0].code_on(None), Some("BBB")); // open-ended beats last listed
        assert_eq!(dict.entries[7].code_on(None), None);
    }

    #[test]
    fn dictionary_dates_use_a_2030_pivot() {
        assert_eq!(Date::parse_dictionary("291231"), Some(d(2029, 12, 31)));
        assert_eq!(Date::parse_dictionary("300101"), Some(d(1930, 1, 1)));
        assert_eq!(Date::parse_dictionary("18970101"), Some(d(1897, 1, 1)));
        assert_eq!(Date::parse_dictionary("991301"), None);
        assert_eq!(Date::parse_dictionary("+10101"), None);
        assert_eq!(Date::parse_dictionary("1920030320"), None);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(Date::parse_iso("2025-06-30"), Some(d(2025, 6, 30)));
        assert_eq!(Date::parse_iso("2025-06-30T12:00:00Z"), Some(d(2025, 6, 30)));
        assert_eq!(Date::parse_iso("2025-06-30 12:00"), Some(d(2025, 6, 30)));
        for bad in [
            "",
            "2025-6-30",
            "2025/06/30",
            "2025-13-01",
            "2025-06-00",
            "2025-06-301",
            "é025-06-30",
            "2025-06-3é",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
        assert!(d(2003, 10, 31) < d(2003, 11, 1) && d(1999, 12, 31) < d(2000, 1, 1));
    }

    #[test]
    fn real_countries_dictionary() {
        let path = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/petrarch2/Phoenix.Countries.actors.txt"
        ));
        if !path.exists() {
            eprintln!("skipping: {} not found", path.display());
            return;
        }
        let dict = parse_actors(&String::from_utf8_lossy(&std::fs::read(path).unwrap())).unwrap();
        assert!(dict.entries.len() > 10_000, "{} entries", dict.entries.len());
        // ILHAM_ALIYEV_: [AZEELI 780101-030804] [AZEGOV 030804-031104]
        // [AZEGOV >031031] [AZEELI] -> president (AZEGOV) in mid-2025.
        let ilham = dict
            .entries
            .iter()
            .find(|e| e.names[0] == "ILHAM ALIYEV")
            .expect("ILHAM ALIYEV entry");
        assert_eq!(ilham.code_on(Date::parse_iso("2025-06-30")), Some("AZEGOV"));
        assert_eq!(ilham.code_on(Date::parse_iso("1990-01-01")), Some("AZEELI"));
        let afg = dict
            .entries
            .iter()
            .find(|e| e.names[0] == "AFGHANISTAN")
            .expect("AFGHANISTAN");
        assert_eq!(afg.code_on(None), Some("AFG"));
        assert!(afg.names.iter().any(|n| n == "ISLAMIC REPUBLIC OF AFGHANISTAN"));
    }
}
