//! Cleaning: find the article body inside the raw text, dropping page furniture
//! (datelines glued to site names, section labels and dates left over from a web page).
//! Nothing is rewritten: the result is a list of char ranges of the input, so every
//! later offset still points into the caller's `text`.

use std::ops::Range;

/// Char ranges of the paragraphs (non-empty lines) that make up the article body.
pub fn body_paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0usize;
    let mut line = String::new();
    for (pos, c) in text.chars().enumerate() {
        if c == '\n' || c == '\r' {
            push_line(&mut lines, &line, start);
            line.clear();
            start = pos + 1;
        } else {
            line.push(c);
        }
    }
    push_line(&mut lines, &line, start);

    // Furniture is only trimmed from the edges: a short line inside the body may be a subheading.
    let first = lines.iter().position(|(_, l)| !is_furniture(l));
    let last = lines.iter().rposition(|(_, l)| !is_furniture(l));
    match (first, last) {
        (Some(f), Some(l)) => lines.drain(f..=l).map(|(r, _)| r).collect(),
        // Nothing looks like a sentence (a bare headline, a short note): keep it all rather than nothing.
        _ => lines.into_iter().map(|(r, _)| r).collect(),
    }
}

fn push_line(lines: &mut Vec<(Range<usize>, String)>, line: &str, start: usize) {
    let lead = line.chars().take_while(|c| c.is_whitespace()).count();
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return;
    }
    let s = start + lead;
    lines.push((s..s + trimmed.chars().count(), trimmed.to_string()));
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A line that carries no sentence: no closing punctuation and either very short or a date stamp.
pub fn is_furniture(line: &str) -> bool {
    let t = line.trim();
    let ends_like_sentence = t.ends_with(['.', '!', '?', '"', '”', '’', '\'', ':', ';', ')']);
    if ends_like_sentence {
        return false;
    }
    let words = t.split_whitespace().count();
    words <= 4 || starts_with_date(t)
}

fn starts_with_date(t: &str) -> bool {
    let lower = t.to_lowercase();
    let first = lower.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    if MONTHS.contains(&first) {
        return lower[first.len()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit());
    }
    // 2025-06-30, 30/06/2025, 30 June 2025
    let digits: String = lower.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return false;
    }
    let rest = lower[digits.len()..].trim_start();
    rest.starts_with(['-', '/', '.']) || MONTHS.iter().any(|m| rest.starts_with(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, ranges: &[Range<usize>]) -> Vec<String> {
        ranges
            .iter()
            .map(|r| text.chars().skip(r.start).take(r.len()).collect())
            .collect()
    }

    #[test]
    fn drops_leading_dateline_and_trailing_section_labels() {
        let text = "May 2, 2024Daily Wire Report\nThe minister resigned on Friday.\n\
                    Critics welcomed the decision.\nEurope\nMay 2024\nWorld\nJune 2024";
        let body = body_paragraphs(text);
        assert_eq!(
            texts(text, &body),
            ["The minister resigned on Friday.", "Critics welcomed the decision."]
        );
    }

    #[test]
    fn keeps_a_headline_that_is_a_sentence_and_inner_subheadings() {
        let text = "Ministers clash over the new border treaty in Brussels\n\nFirst paragraph here.\nBackground\nSecond paragraph.";
        let body = body_paragraphs(text);
        assert_eq!(
            texts(text, &body),
            [
                "Ministers clash over the new border treaty in Brussels",
                "First paragraph here.",
                "Background",
                "Second paragraph."
            ]
        );
    }

    #[test]
    fn offsets_are_chars_across_non_ascii_and_crlf() {
        let text = "Überschrift\r\n  «Bonjour», dit-il.  \r\nÉté";
        let body = body_paragraphs(text);
        assert_eq!(body, vec![15..33]);
        assert_eq!(texts(text, &body), ["«Bonjour», dit-il."]);
    }

    #[test]
    fn date_stamps() {
        assert!(is_furniture("June 30, 2025Clash Report"));
        assert!(is_furniture("2025-06-30 Politics desk staff report extra words"));
        assert!(is_furniture("Asia-Pasific"));
        assert!(!is_furniture("Russia summoned the ambassador."));
        assert!(!is_furniture(
            "Mayors of five large cities met the prime minister today"
        ));
    }

    #[test]
    fn a_text_of_only_short_lines_is_kept_whole() {
        assert_eq!(
            body_paragraphs("Kremlin rejects claim\nJuly 2025\n"),
            vec![0..21, 22..31]
        );
        assert!(body_paragraphs("").is_empty());
    }
}
