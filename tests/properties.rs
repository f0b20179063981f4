//! Property tests for the text stages and the JSONL reader. They show that cleaning, sentence
//! splitting, tokenization, NER decoding and JSONL reading never panic on any input, and that
//! every offset they produce is a char offset inside the text it claims to index (sorted,
//! non-overlapping, and slicing to the text it reports).
//!
//! No case count is hard-coded: proptest's default config reads `PROPTEST_CASES`.

use std::io::BufReader;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use actorstance::input;
use actorstance::ner::{self, WordTag};
use actorstance::record::Record;
use actorstance::tokenize::WordPieceTokenizer;
use actorstance::{clean, segment};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

const NER_LABELS: [&str; 9] = [
    "O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER",
];

fn labels() -> Vec<String> {
    NER_LABELS.iter().map(|s| s.to_string()).collect()
}

/// Bits of news text, and of what breaks text code: line ends, quotes, abbreviations,
/// multi-byte letters, emoji, zero-width and bidi controls, NUL and other control chars.
const FRAGMENTS: &[&str] = &[
    "The",
    "minister",
    "said",
    "Paris",
    "Macron",
    "World",
    "e.g.",
    "J.",
    "U.S.",
    "Mr.",
    "Dr.",
    "2.5",
    "1",
    "May 2, 2024",
    "2025-06-30",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\n \n",
    ".",
    "!",
    "?",
    ",",
    "\"",
    "'",
    "’",
    "“",
    "”",
    "…",
    "(",
    ")",
    "—",
    "-",
    "é",
    "İ",
    "Ə",
    "ß",
    "Москва",
    "Лавров",
    "北京",
    "習近平",
    "🙂",
    "👨‍👩‍👧",
    "🇦🇿",
    "\u{200b}",
    "\u{202e}",
    "\u{feff}",
    "\u{301}",
    "\u{a0}",
    "\u{2028}",
    "\u{85}",
    "\0",
    "\u{7}",
    "\u{1b}",
    "\u{7f}",
];

fn news_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(select(FRAGMENTS), 0..60).prop_map(|f| f.concat()),
        1 => any::<String>(),
    ]
}

/// The bundled (uncased MiniLM) tokenizer, loaded once. heads.json has `"lowercase": true`,
/// which is what `StanceModel` passes (`heads.lowercase`); tokenizer.json carries its own normalizer.
fn tokenizer() -> &'static WordPieceTokenizer {
    static TOK: OnceLock<WordPieceTokenizer> = OnceLock::new();
    TOK.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(actorstance::model::BUNDLED_MODEL);
        WordPieceTokenizer::from_dir(&dir, true).expect("the bundled tokenizer loads")
    })
}

/// Sentence char ranges of an article, found as the pipeline finds them.
fn article_sentences(chars: &[char], text: &str) -> Vec<Range<usize>> {
    clean::body_paragraphs(text)
        .into_iter()
        .flat_map(|p| segment::sentences(chars, p))
        .collect()
}

/// Spans are non-empty, inside `within`, trimmed of whitespace, sorted and non-overlapping.
fn check_spans(spans: &[Range<usize>], within: Range<usize>, chars: &[char]) -> Result<(), TestCaseError> {
    for s in spans {
        let inside = within.start <= s.start && s.start < s.end && s.end <= within.end;
        prop_assert!(inside, "{:?} is not a non-empty span inside {:?}", s, within);
        let trimmed = !chars[s.start].is_whitespace() && !chars[s.end - 1].is_whitespace();
        prop_assert!(trimmed, "{:?} is not trimmed", s);
    }
    for w in spans.windows(2) {
        prop_assert!(
            w[0].end <= w[1].start,
            "{:?} and {:?} overlap or are out of order",
            w[0],
            w[1]
        );
    }
    Ok(())
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What one JSONL line must become.
#[derive(Debug, Clone, Copy)]
enum Want {
    Blank,
    Ok(&'static str),
    Failed,
}

const LINES: &[(&[u8], Want)] = &[
    (b"{\"id\":\"a\",\"text\":\"x\"}", Want::Ok("a")),
    (b"  {\"id\": 7, \"text\": \"Hi.\", \"title\": 3}\t", Want::Ok("7")),
    (
        b"{\"id\":\"\xC3\xA9\",\"text\":\"\xE2\x80\x9CQ.\xE2\x80\x9D\",\"src\":[1]}",
        Want::Ok("é"),
    ),
    (b"{\"id\":\"b\",\"text\":\"  \"}", Want::Failed),
    (b"{\"id\":\"\",\"text\":\"x\"}", Want::Failed),
    (b"{\"text\":\"no id\"}", Want::Failed),
    (b"{\"id\":\"c\",\"text\":3}", Want::Failed),
    (b"{\"id\":\"d\",\"text\":\"x\"", Want::Failed),
    (b"{bad json", Want::Failed),
    (b"[1,2]", Want::Failed),
    (b"42", Want::Failed),
    (b"null", Want::Failed),
    (b"\"str\"", Want::Failed),
    (b"{\"id\":\"\xFF\",\"text\":\"x\"}", Want::Failed),
    (b"\xC3", Want::Failed),
    (b"\0", Want::Failed),
    // A bare CR does not end a line: two objects on one line are one broken record.
    (
        b"{\"id\":\"e\",\"text\":\"x\"}\r{\"id\":\"f\",\"text\":\"y\"}",
        Want::Failed,
    ),
    (b"", Want::Blank),
    (b"   ", Want::Blank),
    (b"\t \r", Want::Blank),
    (b"\xC2\xA0\xE2\x80\x83", Want::Blank),
];

/// JSONL built from known lines, each ended by "\n" or "\r\n" (the last one maybe not at all).
fn jsonl_lines() -> impl Strategy<Value = (Vec<u8>, Vec<Want>)> {
    const ENDINGS: &[&str] = &["\n", "\r\n"];
    (vec((select(LINES), select(ENDINGS)), 0..24), any::<bool>()).prop_map(|(lines, last_ended)| {
        let mut bytes = Vec::new();
        for (i, ((line, _), end)) in lines.iter().enumerate() {
            bytes.extend_from_slice(line);
            if i + 1 < lines.len() || last_ended {
                bytes.extend_from_slice(end.as_bytes());
            }
        }
        (bytes, lines.iter().map(|((_, w), _)| *w).collect())
    })
}

/// Arbitrary bytes, half of them from an alphabet rich in line ends, JSON and broken UTF-8.
fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
    const NOISY: &[u8] = b"\n\n\n\r \t{}[]\":,\\idtex07\xFF\xC3\xA9\xEF\xBB\xBF";
    vec(prop_oneof![any::<u8>(), select(NOISY)], 0..400).prop_filter("no leading BOM", |b| !b.starts_with(BOM))
}

fn read(bytes: &[u8]) -> Vec<Record> {
    input::jsonl(BufReader::new(bytes), "in".into()).collect()
}

/// Lines as the reader sees them (the bytes between b'\n'); blank = valid UTF-8 that trims to "".
fn non_blank_lines(bytes: &[u8]) -> usize {
    let blank = |l: &[u8]| std::str::from_utf8(l).is_ok_and(|s| s.trim().is_empty());
    bytes.split(|&b| b == b'\n').filter(|l| !blank(l)).count()
}

proptest! {
    #[test]
    fn cleaned_paragraphs_stay_inside_the_text(text in news_text()) {
        let chars: Vec<char> = text.chars().collect();
        let paragraphs = clean::body_paragraphs(&text);
        check_spans(&paragraphs, 0..chars.len(), &chars)?;
        for p in &paragraphs {
            prop_assert!(!chars[p.clone()].iter().any(|&c| c == '\n' || c == '\r'), "{:?} spans a line end", p);
        }
    }

    #[test]
    fn sentences_stay_inside_their_paragraph(text in news_text()) {
        let chars: Vec<char> = text.chars().collect();
        for p in clean::body_paragraphs(&text) {
            check_spans(&segment::sentences(&chars, p.clone()), p, &chars)?;
        }
        // The whole text as one paragraph, line ends and all.
        check_spans(&segment::sentences(&chars, 0..chars.len()), 0..chars.len(), &chars)?;
    }

    #[test]
    fn piece_offsets_stay_inside_their_sentence(text in news_text()) {
        let chars: Vec<char> = text.chars().collect();
        let mut inputs: Vec<String> =
            article_sentences(&chars, &text).into_iter().map(|s| chars[s].iter().collect()).collect();
        inputs.push(text.clone());
        for s in &inputs {
            let n = s.chars().count();
            // An Err is an allowed answer; a panic is not.
            let Ok(p) = tokenizer().sentence(s) else { continue };
            prop_assert!(p.offsets.len() == p.len() && p.words.len() == p.len() && p.shapes.len() == p.len());
            for &(a, b) in &p.offsets {
                prop_assert!(a <= b && b <= n, "piece {}..{} outside the {} chars of {:?}", a, b, n, s);
            }
            for w in p.offsets.windows(2) {
                prop_assert!(w[0].0 <= w[1].0, "piece starts go back: {:?} in {:?}", w, s);
            }
            // `ner::entities` reads a word as a run of pieces: word indices never go back.
            for w in p.words.windows(2) {
                prop_assert!(w[0] <= w[1], "word indices go back: {:?} in {:?}", w, s);
            }
        }
    }

    #[test]
    fn viterbi_tags_every_word_and_never_opens_with_inside(
        log_probs in vec(vec(prop_oneof![8 => -30.0f32..=0.0, 1 => Just(f32::NEG_INFINITY)], 9), 0..40)
    ) {
        let labels = labels();
        let path = ner::viterbi_bio(&log_probs, &labels);
        prop_assert_eq!(path.len(), log_probs.len());
        for (w, &l) in path.iter().enumerate() {
            prop_assert!(l < labels.len(), "label index {} out of range", l);
            let (prefix, ty) = ner::split_label(&labels[l]);
            if prefix == 'I' {
                prop_assert!(w > 0, "the first word is tagged {}", labels[l]);
                let (before, before_ty) = ner::split_label(&labels[path[w - 1]]);
                prop_assert!(
                    matches!(before, 'B' | 'I') && before_ty == ty,
                    "{} follows {}", labels[l], labels[path[w - 1]]
                );
            }
        }
    }

    #[test]
    fn entity_spans_slice_to_their_text_inside_their_sentence(
        text in news_text(),
        // Label 9 names no label (reads as O); fewer tags than pieces reads the rest as O.
        tags in vec((0usize..10, 0.0f32..=1.0), 0..64)
    ) {
        let chars: Vec<char> = text.chars().collect();
        let labels = labels();
        let tags: Vec<WordTag> = tags.into_iter().map(|(label, prob)| WordTag { label, prob }).collect();
        for (k, s) in article_sentences(&chars, &text).into_iter().enumerate() {
            let sentence: String = chars[s.clone()].iter().collect();
            let Ok(pieces) = tokenizer().sentence(&sentence) else { continue };
            for e in ner::entities(&pieces, &tags, &labels, &chars, s.start, k) {
                prop_assert!(
                    s.start <= e.start && e.start <= e.end && e.end <= s.end,
                    "entity {:?} outside sentence {:?} of {} chars", e, s, chars.len()
                );
                let slice: String = chars[e.start..e.end].iter().collect();
                prop_assert_eq!(slice.as_str(), e.text.as_str());
                prop_assert_eq!(e.sentence, k);
                prop_assert!(["LOC", "MISC", "ORG", "PER"].contains(&e.label.as_str()), "label {:?}", e.label);
            }
        }
    }

    #[test]
    fn jsonl_gives_one_record_per_non_blank_line(bytes in noisy_bytes()) {
        prop_assert_eq!(read(&bytes).len(), non_blank_lines(&bytes));
    }

    #[test]
    fn jsonl_reads_exactly_the_valid_lines_as_articles(case in jsonl_lines()) {
        let (bytes, want) = case;
        prop_assert_eq!(read(&bytes).len(), non_blank_lines(&bytes));
        let got: Vec<Option<String>> = read(&bytes)
            .into_iter()
            .map(|r| match r {
                Record::Ok(a) => Some(a.id),
                Record::Failed { .. } => None,
            })
            .collect();
        let want: Vec<Option<String>> = want
            .iter()
            .filter_map(|w| match w {
                Want::Blank => None,
                Want::Ok(id) => Some(Some(id.to_string())),
                Want::Failed => Some(None),
            })
            .collect();
        prop_assert_eq!(got, want);
    }

    // BOM: holds once the reader skips a leading BOM
    #[test]
    fn a_leading_bom_changes_no_record(bytes in prop_oneof![jsonl_lines().prop_map(|(b, _)| b), noisy_bytes()]) {
        let ids = |b: &[u8]| -> Vec<(String, bool)> {
            read(b).iter().map(|r| (r.id().to_string(), matches!(r, Record::Ok(_)))).collect()
        };
        let with_bom: Vec<u8> = [BOM, &bytes[..]].concat();
        prop_assert_eq!(ids(&with_bom[..]), ids(&bytes[..]));
    }
}
