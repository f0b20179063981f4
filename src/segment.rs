//! Sentence segmentation with char offsets. Sentences never cross paragraph boundaries;
//! a period after a known abbreviation, an initial or a dotted acronym ("U.S.") does not split.

use std::ops::Range;

use crate::lexicon::ABBREVIATIONS;

/// Splits `text[para]` (a char range) into sentence char ranges, trimmed of whitespace.
pub fn sentences(text: &[char], para: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = para.start;
    let mut i = para.start;
    while i < para.end {
        let c = text[i];
        if matches!(c, '.' | '!' | '?' | '…') {
            // Take the whole run of terminators and closing quotes/brackets.
            let mut j = i + 1;
            while j < para.end && matches!(text[j], '.' | '!' | '?' | '…' | '"' | '”' | '’' | '\'' | ')' | ']') {
                j += 1;
            }
            let next_word = (j..para.end).find(|&k| !text[k].is_whitespace());
            let spaced = j < para.end && text[j].is_whitespace();
            let splits = match next_word {
                None => false,
                Some(k) => spaced && opens_sentence(text[k]) && !(c == '.' && is_abbreviation(text, start, i)),
            };
            if splits {
                push_trimmed(&mut out, text, start..j);
                start = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    push_trimmed(&mut out, text, start..para.end);
    out
}

fn opens_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_numeric() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '[' | '—' | '-')
}

/// Whether the period at `dot` ends an abbreviation rather than a sentence.
fn is_abbreviation(text: &[char], floor: usize, dot: usize) -> bool {
    let mut k = dot;
    while k > floor && !text[k - 1].is_whitespace() && !matches!(text[k - 1], '(' | '"' | '“') {
        k -= 1;
    }
    let word: String = text[k..dot].iter().collect::<String>().to_lowercase();
    if word.is_empty() {
        return false;
    }
    // A single letter ("J. Smith") or a dotted acronym ("U.S", "U.K") is an abbreviation.
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 || (word.contains('.') && word.split('.').all(|p| p.chars().count() <= 2)) {
        return true;
    }
    ABBREVIATIONS.contains(&word.as_str())
}

fn push_trimmed(out: &mut Vec<Range<usize>>, text: &[char], r: Range<usize>) {
    let mut s = r.start;
    let mut e = r.end;
    while s < e && text[s].is_whitespace() {
        s += 1;
    }
    while e > s && text[e - 1].is_whitespace() {
        e -= 1;
    }
    if s < e {
        out.push(s..e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        sentences(&chars, 0..chars.len())
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn splits_on_terminal_punctuation() {
        assert_eq!(
            split("Talks failed. Both sides left! Why? Nobody knows."),
            ["Talks failed.", "Both sides left!", "Why?", "Nobody knows."]
        );
    }

    #[test]
    fn abbreviations_initials_and_acronyms_do_not_split() {
        assert_eq!(
            split("Mr. Smith met Dr. Jones in the U.S. capital. J. R. Doe was absent."),
            ["Mr. Smith met Dr. Jones in the U.S. capital.", "J. R. Doe was absent."]
        );
        assert_eq!(
            split("Gen. Petrov arrived on Jan. 5 with Sen. Ames."),
            ["Gen. Petrov arrived on Jan. 5 with Sen. Ames."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            split("He called it “unfriendly.” Russia’s ministry agreed."),
            ["He called it “unfriendly.”", "Russia’s ministry agreed."]
        );
        assert_eq!(
            split("“We will respond,” he said. “Soon.”"),
            ["“We will respond,” he said.", "“Soon.”"]
        );
    }

    #[test]
    fn lowercase_continuation_and_decimals_do_not_split() {
        assert_eq!(
            split("Growth was 2.5 percent. e.g. this is one."),
            ["Growth was 2.5 percent. e.g. this is one."]
        );
    }

    #[test]
    fn offsets_are_char_offsets_within_the_paragraph() {
        let text: Vec<char> = "xx Ça va. Très bien. yy".chars().collect();
        assert_eq!(sentences(&text, 3..20), vec![3..9, 10..20]);
    }
}
