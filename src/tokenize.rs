//! Tokenization with the `tokenizers` crate: word-piece ids with char offsets into the
//! sentence, the word each piece belongs to, and that word's shape (casing survives here
//! although the uncased encoder lowercases everything).

use std::path::Path;

use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::{InputSequence, Tokenizer};

use crate::error::{Error, Result};

/// One sentence (or pre-split word list) as word pieces, without special tokens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pieces {
    pub ids: Vec<i64>,
    /// Char offsets of each piece in the tokenized string (for pre-split input: in its word).
    pub offsets: Vec<(usize, usize)>,
    /// Index of the word (pre-token) each piece belongs to.
    pub words: Vec<usize>,
    /// Shape class of that word, see [`word_shape`].
    pub shapes: Vec<i64>,
}

impl Pieces {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Whether piece `i` starts a word (NER labels and predictions live on word starts).
    pub fn starts_word(&self, i: usize) -> bool {
        i == 0 || self.words[i] != self.words[i - 1]
    }
}

pub struct WordPieceTokenizer {
    inner: Tokenizer,
    pub cls_id: i64,
    pub sep_id: i64,
    pub pad_id: i64,
}

/// Number of shape classes; 0 is reserved for special and padding positions.
pub const N_SHAPES: i64 = 8;

/// Coarse word shape: 1 lower, 2 Capitalized, 3 ALLCAPS, 4 mixed case, 5 has digits,
/// 6 punctuation or symbols only, 7 empty.
pub fn word_shape(word: &str) -> i64 {
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return 7 };
    if word.chars().any(|c| c.is_numeric()) {
        return 5;
    }
    if !word.chars().any(|c| c.is_alphabetic()) {
        return 6;
    }
    let rest_lower = chars.clone().all(|c| !c.is_uppercase());
    let rest_upper = chars.all(|c| !c.is_lowercase());
    match (first.is_uppercase(), rest_lower, rest_upper) {
        (false, true, _) => 1,
        (true, true, _) => 2,
        (true, false, true) => 3,
        _ => 4,
    }
}

impl WordPieceTokenizer {
    /// Loads `tokenizer.json`, or builds a BERT word-piece tokenizer from `vocab.txt`.
    pub fn from_dir(dir: &Path, lowercase: bool) -> Result<Self> {
        let json = dir.join("tokenizer.json");
        let vocab = dir.join("vocab.txt");
        let mut inner = if json.exists() {
            Tokenizer::from_file(&json).map_err(|e| Error::model(dir, format!("tokenizer.json: {e}")))?
        } else if vocab.exists() {
            let wp = WordPiece::from_file(&vocab.to_string_lossy())
                .build()
                .map_err(|e| Error::model(dir, format!("vocab.txt: {e}")))?;
            let mut t = Tokenizer::new(wp);
            t.with_normalizer(Some(BertNormalizer::new(true, true, None, lowercase)));
            t.with_pre_tokenizer(Some(BertPreTokenizer));
            t
        } else {
            return Err(Error::model(dir, "neither tokenizer.json nor vocab.txt found"));
        };
        // Length is handled by windowing in the encoder, never by silent truncation.
        inner
            .with_truncation(None)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        inner.with_padding(None);
        let id = |tok: &str| {
            inner
                .token_to_id(tok)
                .map(i64::from)
                .ok_or_else(|| Error::model(dir, format!("tokenizer has no {tok} token")))
        };
        Ok(WordPieceTokenizer {
            cls_id: id("[CLS]")?,
            sep_id: id("[SEP]")?,
            pad_id: id("[PAD]")?,
            inner,
        })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        self.inner
            .save(path, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))
    }

    /// Tokenizes running text; offsets are char offsets into `text`.
    pub fn sentence(&self, text: &str) -> Result<Pieces> {
        let enc = self
            .inner
            .encode_char_offsets(text, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let chars: Vec<char> = text.chars().collect();
        let mut p = collect(&enc);
        // Shape of the whole word: the span from its first piece's start to its last piece's end.
        let mut i = 0;
        while i < p.len() {
            let mut j = i + 1;
            while j < p.len() && p.words[j] == p.words[i] {
                j += 1;
            }
            let (s, e) = (p.offsets[i].0, p.offsets[j - 1].1.min(chars.len()));
            let shape = word_shape(&chars[s.min(e)..e].iter().collect::<String>());
            p.shapes[i..j].fill(shape);
            i = j;
        }
        Ok(p)
    }

    /// Tokenizes a sentence already split into words (CoNLL); `words[k]` is word k.
    pub fn words(&self, words: &[&str]) -> Result<Pieces> {
        let input = InputSequence::from(words.to_vec());
        let enc = self
            .inner
            .encode_char_offsets(input, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let mut p = collect(&enc);
        for (shape, &w) in p.shapes.iter_mut().zip(&p.words) {
            *shape = word_shape(words.get(w).copied().unwrap_or(""));
        }
        Ok(p)
    }
}

fn collect(enc: &tokenizers::Encoding) -> Pieces {
    let n = enc.get_ids().len();
    let mut words = Vec::with_capacity(n);
    let mut last = 0usize;
    for w in enc.get_word_ids() {
        last = w.map(|w| w as usize).unwrap_or(last);
        words.push(last);
    }
    Pieces {
        ids: enc.get_ids().iter().map(|&i| i64::from(i)).collect(),
        offsets: enc.get_offsets().to_vec(),
        words,
        shapes: vec![0; n],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_shapes() {
        assert_eq!(word_shape("ministry"), 1);
        assert_eq!(word_shape("Baku"), 2);
        assert_eq!(word_shape("U"), 2);
        assert_eq!(word_shape("NATO"), 3);
        assert_eq!(word_shape("McDonald"), 4);
        assert_eq!(word_shape("2025"), 5);
        assert_eq!(word_shape("“"), 6);
    }
}
