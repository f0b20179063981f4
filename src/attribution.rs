//! Who said what, as plain data: the attribution label set (one home), the quotation marks
//! that the tagging head reads as a feature, word tags → spans (source, cue, content), and
//! spans → statements (each cue with its source and its content, possibly over several
//! sentences). The tensors of the head live in `model::attribution` and `heads`.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// What a span is in an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Source,
    Cue,
    Content,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Source, Role::Cue, Role::Content];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Cue => "cue",
            Role::Content => "content",
        }
    }
}

/// The head's labels, BIO over the three roles; label `1 + 2r` is B and `2 + 2r` is I of
/// `Role::ALL[r]`.
pub const LABELS: [&str; 7] = ["O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE", "B-CONTENT", "I-CONTENT"];

pub fn label_of(role: Option<Role>, begins: bool) -> usize {
    match role {
        None => 0,
        Some(r) => 1 + 2 * Role::ALL.iter().position(|&x| x == r).unwrap_or(0) + usize::from(!begins),
    }
}

/// The role of a label (None for O).
pub fn role_of(label: usize) -> Option<Role> {
    (label > 0).then(|| Role::ALL[((label - 1) / 2).min(2)])
}

/// Where a char stands with respect to quotation marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    Outside = 0,
    Inside = 1,
    Mark = 2,
}

/// Number of piece feature ids the head embeds: the quoting of the piece's first char, plus
/// 3 where the piece starts a sentence.
pub const N_FEATURES: i64 = 6;

pub fn feature_id(quoting: Quoting, starts_sentence: bool) -> i64 {
    quoting as i64 + if starts_sentence { 3 } else { 0 }
}

/// Feature ids of a sentence's pieces: `offsets` are char offsets within the sentence, which
/// starts at char `sentence_start` of the article that `quoting` describes.
pub fn piece_features(quoting: &[Quoting], sentence_start: usize, offsets: &[(usize, usize)]) -> Vec<i64> {
    offsets
        .iter()
        .enumerate()
        .map(|(i, &(a, _))| {
            let q = quoting.get(sentence_start + a).copied().unwrap_or(Quoting::Outside);
            feature_id(q, i == 0)
        })
        .collect()
}

fn is_open(c: char) -> bool {
    matches!(c, '“' | '«' | '„')
}
fn is_close(c: char) -> bool {
    matches!(c, '”' | '»')
}

/// The quoting of every char. Curly marks open and close; a straight `"` toggles. Quotes are
/// closed at each line break: a quote that runs over paragraphs reopens at each, as news
/// prints it, and marks that do not balance cannot spill over the rest of the article.
pub fn quoting(chars: &[char]) -> Vec<Quoting> {
    let mut inside = false;
    chars
        .iter()
        .map(|&c| {
            if c == '\n' {
                inside = false;
                Quoting::Outside
            } else if is_open(c) {
                inside = true;
                Quoting::Mark
            } else if is_close(c) {
                inside = false;
                Quoting::Mark
            } else if c == '"' {
                inside = !inside;
                Quoting::Mark
            } else if inside {
                Quoting::Inside
            } else {
                Quoting::Outside
            }
        })
        .collect()
}

/// A span of one role, char offsets `[start, end)` into the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub role: Role,
    pub start: usize,
    pub end: usize,
}

/// Spans from tagged words (`(start, end, label)` in text order): a B label or a change of
/// role starts a span; an I label continues the open span of its role over the gap.
pub fn spans(words: &[(usize, usize, usize)]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut open = false;
    for &(start, end, label) in words {
        match role_of(label) {
            None => open = false,
            Some(role) => {
                let continues = open && label % 2 == 0 && out.last().is_some_and(|s| s.role == role);
                if continues {
                    out.last_mut().expect("open span").end = end;
                } else {
                    out.push(Span { role, start, end });
                }
                open = true;
            }
        }
    }
    out
}

/// Direct (all content quoted), indirect (none), or mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Direct,
    Indirect,
    Mixed,
}

impl Kind {
    /// The name written in the output (`kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::Indirect => "indirect",
            Kind::Mixed => "mixed",
        }
    }
}

/// One reported statement: who (the source span), the cue, and what (content spans).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub source: Option<Range<usize>>,
    pub cue: Option<Range<usize>>,
    pub content: Vec<Range<usize>>,
    pub kind: Kind,
    /// Sentences that the content touches, in order.
    pub sentences: Vec<usize>,
}

/// Sentences a cue's source and content may be away from it: "“…,” she said. “…”".
const REACH: usize = 2;

/// Statements from spans: every cue anchors one; each source and content span joins the
/// nearest cue by sentence, then by chars (ties go to the earlier cue, where a quote
/// continues after "she said."). Content with no cue within reach is a statement of its own
/// (no cue, no source); a source with none, or a cue with no content, is dropped: there is
/// nothing it said.
pub fn statements(spans: &[Span], sentences: &[Range<usize>], quoting: &[Quoting]) -> Vec<Statement> {
    let sentence_of = |at: usize| {
        sentences
            .partition_point(|s| s.end <= at)
            .min(sentences.len().saturating_sub(1))
    };
    let cues: Vec<&Span> = spans.iter().filter(|s| s.role == Role::Cue).collect();
    let mut out: Vec<Statement> = cues
        .iter()
        .map(|c| Statement {
            source: None,
            cue: Some(c.start..c.end),
            content: Vec::new(),
            kind: Kind::Indirect,
            sentences: Vec::new(),
        })
        .collect();
    let nearest = |s: &Span| -> Option<usize> {
        let k = sentence_of(s.start);
        cues.iter()
            .enumerate()
            .map(|(i, c)| {
                let d_sent = sentence_of(c.start).abs_diff(k);
                let d_char = if c.end <= s.start {
                    s.start - c.end
                } else {
                    c.start.saturating_sub(s.end)
                };
                (d_sent, d_char, i)
            })
            .filter(|&(d, _, _)| d <= REACH)
            .min()
            .map(|(_, _, i)| i)
    };
    for s in spans.iter().filter(|s| s.role != Role::Cue) {
        match (nearest(s), s.role) {
            (Some(i), Role::Source) => {
                if out[i].source.is_none() {
                    out[i].source = Some(s.start..s.end)
                }
            }
            (Some(i), _) => out[i].content.push(s.start..s.end),
            (None, Role::Content) => out.push(Statement {
                source: None,
                cue: None,
                content: std::iter::once(s.start..s.end).collect(),
                kind: Kind::Indirect,
                sentences: Vec::new(),
            }),
            (None, _) => {}
        }
    }
    for st in &mut out {
        st.content.sort_by_key(|r| r.start);
        let mut ks: Vec<usize> = st
            .content
            .iter()
            .flat_map(|r| sentence_of(r.start)..=sentence_of(r.end.max(r.start + 1) - 1))
            .collect();
        ks.dedup();
        st.sentences = ks;
        st.kind = kind(&st.content, quoting);
    }
    // A cue with no content reported nothing ("she spoke to reporters").
    out.retain(|s| !s.content.is_empty());
    out.sort_by_key(|s| {
        s.content
            .first()
            .map_or(usize::MAX, |r| r.start)
            .min(s.cue.as_ref().map_or(usize::MAX, |c| c.start))
    });
    out
}

fn kind(content: &[Range<usize>], quoting: &[Quoting]) -> Kind {
    let (mut quoted, mut plain) = (0, 0);
    for r in content {
        for q in &quoting[r.start.min(quoting.len())..r.end.min(quoting.len())] {
            match q {
                Quoting::Outside => plain += 1,
                _ => quoted += 1,
            }
        }
    }
    // A few unquoted chars (a comma before the closing mark) do not make a quote mixed.
    match (quoted, plain) {
        (0, _) => Kind::Indirect,
        (q, p) if p * 10 <= q => Kind::Direct,
        _ => Kind::Mixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn labels_round_trip_through_roles() {
        for (i, l) in LABELS.iter().enumerate() {
            let role = role_of(i);
            assert_eq!(label_of(role, l.starts_with('B') || i == 0), i, "{l}");
        }
    }

    #[test]
    fn quotes_close_at_line_breaks_and_unbalanced_marks_do_not_spill() {
        let q = quoting(&chars("a “b c\nd \"e\" f"));
        use Quoting::*;
        assert_eq!(
            q,
            vec![
                Outside, Outside, Mark, Inside, Inside, Inside, Outside, Outside, Outside, Mark, Inside, Mark, Outside,
                Outside
            ]
        );
    }

    #[test]
    fn a_quote_before_its_speaker_and_its_continuation_form_one_statement() {
        // “We will not pay,” she said. “Never.” The talks ended.
        let text = "“We will not pay,” she said. “Never.” The talks ended.";
        let c = chars(text);
        let sentences = vec![0..28, 29..37, 38..54];
        let w = |a: usize, b: usize, l: usize| (a, b, l);
        let words = [
            w(1, 3, 5),
            w(4, 8, 6),
            w(9, 12, 6),
            w(13, 16, 6),
            w(19, 22, 1),
            w(23, 27, 3),
            w(30, 35, 5),
            w(38, 41, 0),
        ];
        let sp = spans(&words);
        assert_eq!(sp.len(), 4);
        let st = statements(&sp, &sentences, &quoting(&c));
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].source, Some(19..22));
        assert_eq!(st[0].cue, Some(23..27));
        assert_eq!(st[0].content, vec![1..16, 30..35]);
        assert_eq!(st[0].sentences, vec![0, 1]);
        assert_eq!(st[0].kind, Kind::Direct);
    }

    #[test]
    fn content_with_no_cue_near_is_its_own_statement_and_a_lone_source_is_dropped() {
        let sentences = vec![0..10, 10..20, 20..30, 30..40, 40..50];
        let sp = [
            Span {
                role: Role::Source,
                start: 0,
                end: 3,
            },
            Span {
                role: Role::Content,
                start: 41,
                end: 48,
            },
        ];
        let st = statements(&sp, &sentences, &[Quoting::Outside; 50]);
        assert_eq!(st.len(), 1);
        assert_eq!(
            (st[0].cue.clone(), st[0].source.clone(), st[0].kind),
            (None, None, Kind::Indirect)
        );
    }
}
