//! NER decoding: per-word BIO tags (predicted on each word's first piece) into entity
//! spans with a label, a score and char offsets. Pure data, no tensors.

use serde::{Deserialize, Serialize};

use crate::tokenize::Pieces;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub text: String,
    pub label: String,
    pub score: f32,
    /// Char offsets into the article text.
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
}

/// One word's tag: the label index with its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordTag {
    pub label: usize,
    pub prob: f32,
}

/// What a mention names, in the types that mentions and actors read (CoNLL-2003's, and
/// definite references). Read once from a label; every later rule matches on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Person,
    Organization,
    Location,
    Misc,
    /// A definite reference to an organisation such as "the ministry" (no NER type: found by rule).
    Reference,
    /// A person's title standing for a person named before ("the minister"; found by rule).
    Title,
    /// A personal or relative pronoun ("she", "they", "who"; found by rule): resolution joins
    /// it to the actor it stands for, or leaves it no actor.
    Pronoun,
}

impl EntityKind {
    /// The kind of an entity type ("PER"); None for a type that names no party ("DATE").
    pub fn of_type(ty: &str) -> Option<Self> {
        Some(match ty {
            "PER" => EntityKind::Person,
            "ORG" => EntityKind::Organization,
            "LOC" => EntityKind::Location,
            "MISC" => EntityKind::Misc,
            _ => return None,
        })
    }

    /// The label written in the output.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Organization => "ORG",
            EntityKind::Location => "LOC",
            EntityKind::Misc => "MISC",
            EntityKind::Reference => "REF",
            EntityKind::Title => "TITLE",
            EntityKind::Pronoun => "PRON",
        }
    }
}

/// The entity types that mentions and actors read: CoNLL-2003's.
pub const ENTITY_TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// OntoNotes types that name no party and so never become actors; a model may tag them, and
/// they are kept as its entities.
pub const NON_NAME_TYPES: [&str; 7] = ["DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"];

/// An NER label in the types the pipeline reads: "B-PERSON" → "B-PER", "I-GPE" → "I-LOC"
/// (OntoNotes and spelled-out names mapped to CoNLL-2003's, as CoNLL's guidelines class them),
/// a non-name type as it is, and None for a type we cannot place (the caller refuses the model:
/// its entities would silently never become actors).
pub fn conll_label(label: &str) -> Option<String> {
    let (prefix, ty) = split_label(label);
    if prefix == 'O' && ty.is_empty() {
        return (label == "O").then(|| label.to_string());
    }
    let mapped = match ty.to_ascii_uppercase().as_str() {
        "PER" | "PERSON" => "PER",
        "ORG" | "ORGANIZATION" | "ORGANISATION" => "ORG",
        "LOC" | "LOCATION" | "GPE" | "FAC" => "LOC",
        "MISC" | "NORP" | "EVENT" | "WORK_OF_ART" | "LAW" | "PRODUCT" | "LANGUAGE" => "MISC",
        t if NON_NAME_TYPES.contains(&t) => ty,
        _ => return None,
    };
    Some(format!("{prefix}-{mapped}"))
}

/// Splits a BIO/IOB1 label into (prefix, type): "B-PER" → ('B', "PER"), "O" → ('O', "").
pub fn split_label(label: &str) -> (char, &str) {
    match label.split_once('-') {
        Some((p, t)) if p.len() == 1 => (p.chars().next().unwrap_or('O'), t),
        _ => ('O', ""),
    }
}

/// The most probable BIO tag sequence under the constraint that I-X follows only B-X or I-X.
/// `log_probs[w][l]` is word w's log-probability of label l. Returns a label index per word.
pub fn viterbi_bio(log_probs: &[Vec<f32>], labels: &[String]) -> Vec<usize> {
    let n = labels.len();
    let parts: Vec<(char, &str)> = labels.iter().map(|l| split_label(l)).collect();
    let allowed = |from: Option<usize>, to: usize| match parts[to] {
        ('I', ty) => from.is_some_and(|f| matches!(parts[f], ('B' | 'I', t) if t == ty)),
        _ => true,
    };
    let mut score: Vec<f32> = (0..n)
        .map(|l| match log_probs.first() {
            Some(lp) if allowed(None, l) => lp[l],
            _ => f32::NEG_INFINITY,
        })
        .collect();
    let mut back: Vec<Vec<usize>> = Vec::with_capacity(log_probs.len());
    for lp in log_probs.iter().skip(1) {
        let mut next = vec![f32::NEG_INFINITY; n];
        let mut from = vec![0; n];
        for to in 0..n {
            for f in (0..n).filter(|&f| allowed(Some(f), to)) {
                if score[f] + lp[to] > next[to] {
                    next[to] = score[f] + lp[to];
                    from[to] = f;
                }
            }
        }
        back.push(from);
        score = next;
    }
    if log_probs.is_empty() {
        return Vec::new();
    }
    let mut best = (0..n).fold(0, |b, l| if score[l] > score[b] { l } else { b });
    let mut path = vec![best];
    for from in back.iter().rev() {
        best = from[best];
        path.push(best);
    }
    path.reverse();
    path
}

/// Groups word tags into (first word, last word exclusive, type, mean prob).
/// An I- tag after O or after another type opens an entity, as conlleval reads it.
pub fn decode_bio(tags: &[WordTag], labels: &[String]) -> Vec<(usize, usize, String, f32)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String, f32)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = split_label(labels.get(tag.label).map(String::as_str).unwrap_or("O"));
        let continues = prefix == 'I' && open.as_ref().is_some_and(|(_, t, _)| t == ty);
        if continues {
            if let Some((_, _, sum)) = open.as_mut() {
                *sum += tag.prob;
            }
            continue;
        }
        if let Some((s, t, sum)) = open.take() {
            out.push((s, i, t, sum / (i - s) as f32));
        }
        if prefix == 'B' || prefix == 'I' {
            open = Some((i, ty.to_string(), tag.prob));
        }
    }
    if let Some((s, t, sum)) = open {
        out.push((s, tags.len(), t, sum / (tags.len() - s) as f32));
    }
    out
}

/// Entities of one sentence. `piece_tags[i]` is the tag of piece i (only word starts are read);
/// `sentence_start` is the sentence's char offset in the article, `chars` the article.
pub fn entities(
    pieces: &Pieces,
    piece_tags: &[WordTag],
    labels: &[String],
    chars: &[char],
    sentence_start: usize,
    sentence: usize,
) -> Vec<Entity> {
    // Word k spans pieces word_pieces[k].0 ..= word_pieces[k].1
    let mut word_pieces: Vec<(usize, usize)> = Vec::new();
    let mut word_tags = Vec::new();
    for i in 0..pieces.len() {
        if pieces.starts_word(i) {
            word_pieces.push((i, i));
            // A missing tag (should not happen) reads as outside: usize::MAX names no label.
            word_tags.push(piece_tags.get(i).copied().unwrap_or(WordTag {
                label: usize::MAX,
                prob: 0.0,
            }));
        } else if let Some(last) = word_pieces.last_mut() {
            last.1 = i;
        }
    }
    decode_bio(&word_tags, labels)
        .into_iter()
        .map(|(ws, we, label, score)| {
            let start = sentence_start + pieces.offsets[word_pieces[ws].0].0;
            let end = (sentence_start + pieces.offsets[word_pieces[we - 1].1].1).min(chars.len());
            Entity {
                text: chars[start.min(end)..end].iter().collect(),
                label,
                score,
                start,
                end,
                sentence,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }
    fn tags(ids: &[usize]) -> Vec<WordTag> {
        ids.iter().map(|&label| WordTag { label, prob: 0.5 }).collect()
    }

    #[test]
    fn bio_spans() {
        let spans = decode_bio(&tags(&[1, 2, 0, 3, 3, 4]), &labels());
        let got: Vec<_> = spans.iter().map(|(s, e, t, _)| (*s, *e, t.as_str())).collect();
        assert_eq!(got, [(0, 2, "PER"), (3, 4, "LOC"), (4, 6, "LOC")]);
    }

    #[test]
    fn stray_inside_tags_open_entities_like_conlleval() {
        let spans = decode_bio(&tags(&[0, 2, 4, 4]), &labels());
        let got: Vec<_> = spans.iter().map(|(s, e, t, _)| (*s, *e, t.as_str())).collect();
        assert_eq!(got, [(1, 2, "PER"), (2, 4, "LOC")]);
    }

    fn log(rows: &[[f32; 5]]) -> Vec<Vec<f32>> {
        rows.iter().map(|r| r.iter().map(|p| p.ln()).collect()).collect()
    }

    #[test]
    fn bio_decoding_never_opens_an_entity_with_inside() {
        // Per word the argmax is O, I-PER, I-PER: read alone that is an entity opened by I-.
        // The best valid sequence starts it with B-PER, which is likelier than dropping it.
        let lp = log(&[
            [0.6, 0.1, 0.1, 0.1, 0.1],
            [0.1, 0.3, 0.4, 0.1, 0.1],
            [0.1, 0.1, 0.6, 0.1, 0.1],
        ]);
        assert_eq!(viterbi_bio(&lp, &labels()), [0, 1, 2]);
    }

    #[test]
    fn bio_decoding_keeps_types_apart_and_agrees_with_argmax_when_valid() {
        // B-PER then I-LOC: I-LOC may not follow B-PER, so the second word becomes B-LOC.
        let lp = log(&[[0.1, 0.6, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.3, 0.4]]);
        assert_eq!(viterbi_bio(&lp, &labels()), [1, 3]);
        let lp = log(&[
            [0.1, 0.6, 0.1, 0.1, 0.1],
            [0.1, 0.1, 0.6, 0.1, 0.1],
            [0.6, 0.1, 0.1, 0.1, 0.1],
        ]);
        assert_eq!(viterbi_bio(&lp, &labels()), [1, 2, 0]);
        assert!(viterbi_bio(&[], &labels()).is_empty());
    }

    #[test]
    fn score_is_the_mean_word_probability() {
        let t = [WordTag { label: 1, prob: 0.9 }, WordTag { label: 2, prob: 0.7 }];
        assert!((decode_bio(&t, &labels())[0].3 - 0.8).abs() < 1e-6);
    }

    #[test]
    fn pieces_to_char_offsets_across_non_ascii() {
        // "Zé Ilham Aliyev" — the article has 3 chars before the sentence.
        let article: Vec<char> = "»» Zé met Ilham Aliyev".chars().collect();
        let pieces = Pieces {
            ids: vec![1; 6],
            offsets: vec![(0, 2), (3, 6), (7, 10), (10, 12), (13, 16), (16, 19)],
            words: vec![0, 1, 2, 2, 3, 3],
            shapes: vec![2; 6],
        };
        let t = tags(&[1, 0, 1, 9, 2, 9]);
        let ents = entities(&pieces, &t, &labels(), &article, 3, 0);
        let got: Vec<_> = ents.iter().map(|e| (e.text.as_str(), e.start, e.end)).collect();
        assert_eq!(got, [("Zé", 3, 5), ("Ilham Aliyev", 10, 22)]);
    }

    #[test]
    fn label_sets_are_mapped_to_the_types_actors_read_and_unknown_types_refused() {
        let onto = [
            "O",
            "B-PERSON",
            "I-GPE",
            "B-NORP",
            "E-FAC",
            "B-DATE",
            "I-CARDINAL",
            "B-ORG",
        ];
        let got: Vec<Option<String>> = onto.iter().map(|l| conll_label(l)).collect();
        let want = [
            "O",
            "B-PER",
            "I-LOC",
            "B-MISC",
            "E-LOC",
            "B-DATE",
            "I-CARDINAL",
            "B-ORG",
        ];
        assert_eq!(got, want.map(|l| Some(l.to_string())));
        assert_eq!(conll_label("B-ANIMAL"), None);
        assert_eq!(conll_label("PERSON"), None);
        assert_eq!(conll_label("I-per").as_deref(), Some("I-PER"));
    }
}
