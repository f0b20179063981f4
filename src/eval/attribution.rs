//! Attribution against PolNeAR gold (`eval attribution`): token labels per role, exact spans,
//! linked attributions, and the share of gold sources that become a mention of an actor.
//! Each annotation file is its own gold: an article that two annotators did counts twice.
//! Tokens are runs of letters and digits and single other chars (whitespace excluded); a token
//! takes the role of its first char, as in PolNeAR each token has at most one role.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use crate::attribution::{Role, Statement};
use crate::data::polnear::{self, Annotation, GoldArticle};
use crate::encode::SentenceStates;
use crate::error::{Error, Result};
use crate::eval::metrics::Prf;
use crate::findings::{add_statements, ArticleStates, Findings};
use crate::lexicon;
use crate::model::StanceModel;
use crate::pipeline::Analyzer;
use crate::pipeline::Prepared;
use crate::record::Outcome;

/// Token spans `[start, end)` of a text.
pub fn tokens(chars: &[char]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
        } else if chars[i].is_alphanumeric() {
            let a = i;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            out.push(a..i);
        } else {
            out.push(i..i + 1);
            i += 1;
        }
    }
    out
}

/// Counts of one role's token labels.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    pub fn prf(&self) -> Prf {
        Prf::from_counts(self.tp, self.tp + self.fn_, self.tp + self.fp)
    }
}

/// Found / of, for a share.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Share {
    pub found: usize,
    pub of: usize,
}

impl Share {
    pub fn value(&self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.found as f64 / self.of as f64
        }
    }
}

/// What kind of speaker a gold source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Named,
    Title,
    Pronoun,
    Generic,
}

/// Pronoun if the span is one; named if a word past the first is capitalised, or the first
/// is and is no determiner; title if its last word is an office or role ("the minister",
/// "a White House spokeswoman" is named); generic otherwise ("experts", "a poll").
pub fn source_kind(text: &str) -> SourceKind {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let lower = text.trim().to_lowercase();
    if lexicon::PRONOUNS.contains(&lower.as_str()) {
        return SourceKind::Pronoun;
    }
    let capital = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
    let first_is_name = words
        .first()
        .is_some_and(|w| capital(w) && !lexicon::DETERMINERS.contains(&w.to_lowercase().as_str()));
    if first_is_name || words.iter().skip(1).any(capital) {
        return SourceKind::Named;
    }
    match words.last() {
        Some(w) if lexicon::is_office(&w.to_lowercase()) => SourceKind::Title,
        _ => SourceKind::Generic,
    }
}

/// The figures over every annotation file.
#[derive(Debug, Default, Clone)]
pub struct Evaluation {
    pub files: usize,
    pub articles: usize,
    pub token: [Counts; 3],
    pub exact: [Share; 3],
    pub linked: Share,
    /// Named, title, pronoun, generic.
    pub resolved: [Share; 4],
    pub statements: usize,
}

fn role_index(r: Role) -> usize {
    Role::ALL.iter().position(|&x| x == r).unwrap_or(0)
}

/// Token indices whose first char lies in any of `ranges`.
fn token_set(tokens: &[Range<usize>], ranges: &[Range<usize>]) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&t| ranges.iter().any(|r| r.contains(&tokens[t].start)))
        .collect()
}

impl Evaluation {
    pub fn token_f1(&self, role: Role) -> f64 {
        self.token[role_index(role)].prf().f1
    }
    pub fn mean_token_f1(&self) -> f64 {
        Role::ALL.iter().map(|&r| self.token_f1(r)).sum::<f64>() / 3.0
    }

    /// Adds one article's predictions against each of its annotation files. `actor_spans` are
    /// the char ranges of the article's mentions that resolved to an actor.
    pub fn add(&mut self, gold: &GoldArticle, chars: &[char], predicted: &[Statement], actor_spans: &[Range<usize>]) {
        self.articles += 1;
        self.statements += predicted.len();
        let toks = tokens(chars);
        let mut pred_role = vec![None; chars.len()];
        let mut pred_spans: [HashSet<Vec<usize>>; 3] = Default::default();
        let mut pred_links = HashSet::new();
        for st in predicted {
            let parts = [
                (Role::Source, st.source.iter().cloned().collect::<Vec<_>>()),
                (Role::Cue, st.cue.iter().cloned().collect()),
                (Role::Content, st.content.clone()),
            ];
            for (role, ranges) in &parts {
                for r in ranges {
                    for c in &mut pred_role[r.start.min(chars.len())..r.end.min(chars.len())] {
                        *c = Some(*role);
                    }
                    pred_spans[role_index(*role)].insert(token_set(&toks, std::slice::from_ref(r)));
                }
            }
            pred_links.insert(parts.map(|(_, r)| token_set(&toks, &r)));
        }
        for ann in &gold.annotations {
            self.add_file(ann, chars, &toks, &pred_role, &pred_spans, &pred_links, actor_spans);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add_file(
        &mut self,
        ann: &Annotation,
        chars: &[char],
        toks: &[Range<usize>],
        pred_role: &[Option<Role>],
        pred_spans: &[HashSet<Vec<usize>>; 3],
        pred_links: &HashSet<[Vec<usize>; 3]>,
        actor_spans: &[Range<usize>],
    ) {
        self.files += 1;
        let gold_role = ann.char_roles(chars.len());
        for t in toks {
            let g = gold_role[t.start].map(|x| x.0);
            let p = pred_role[t.start];
            for role in Role::ALL {
                let c = &mut self.token[role_index(role)];
                match (g == Some(role), p == Some(role)) {
                    (true, true) => c.tp += 1,
                    (false, true) => c.fp += 1,
                    (true, false) => c.fn_ += 1,
                    _ => {}
                }
            }
        }
        let ranges = |k: usize| -> Vec<Range<usize>> { ann.spans[k].fragments.iter().map(|&(a, b)| a..b).collect() };
        for (k, span) in ann.spans.iter().enumerate() {
            let i = role_index(span.role);
            self.exact[i].of += 1;
            if pred_spans[i].contains(&token_set(toks, &ranges(k))) {
                self.exact[i].found += 1;
            }
            if span.role == Role::Source {
                let text: String = ranges(k).iter().flat_map(|r| chars[r.clone()].iter()).collect();
                let kind = source_kind(&text) as usize;
                self.resolved[kind].of += 1;
                if ranges(k)
                    .iter()
                    .any(|r| actor_spans.iter().any(|m| m.start < r.end && r.start < m.end))
                {
                    self.resolved[kind].found += 1;
                }
            }
        }
        for a in &ann.attributions {
            let set = |ks: &mut dyn Iterator<Item = usize>| -> Vec<usize> {
                let rs: Vec<Range<usize>> = ks.flat_map(ranges).collect();
                token_set(toks, &rs)
            };
            let link = [
                set(&mut a.source.into_iter()),
                set(&mut a.cue.into_iter()),
                set(&mut a.content.iter().copied()),
            ];
            self.linked.of += 1;
            if pred_links.contains(&link) {
                self.linked.found += 1;
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let per_role = |f: &dyn Fn(usize) -> serde_json::Value| {
            serde_json::Value::Object(
                Role::ALL
                    .iter()
                    .map(|&r| (r.as_str().to_string(), f(role_index(r))))
                    .collect(),
            )
        };
        let share = |s: &Share| serde_json::json!({"share": s.value(), "found": s.found, "of": s.of});
        serde_json::json!({
            "files": self.files,
            "articles": self.articles,
            "statements": self.statements,
            "token": per_role(&|i| serde_json::to_value(self.token[i].prf()).unwrap_or_default()),
            "token_mean_f1": self.mean_token_f1(),
            "exact": per_role(&|i| share(&self.exact[i])),
            "linked": share(&self.linked),
            "resolved": {
                "named": share(&self.resolved[0]),
                "title": share(&self.resolved[1]),
                "pronoun": share(&self.resolved[2]),
                "generic": share(&self.resolved[3]),
            },
        })
    }
}

/// The whole pipeline over a PolNeAR folder (`text/`, `attributions/`): statements and actors
/// as `analyze` gives them. `limit`: at most this many articles (smoke tests).
pub fn evaluate(analyzer: &Analyzer, dir: &Path, limit: Option<usize>) -> Result<Evaluation> {
    if analyzer.model.attribution.is_none() {
        return Err(Error::MissingPart("attribution head"));
    }
    let mut gold = polnear::read_dir(dir)?;
    gold.truncate(limit.unwrap_or(usize::MAX));
    let outcomes = super::analyse_texts(analyzer, gold.iter().map(|g| (g.name.clone(), g.text.clone(), None)))?;
    let mut ev = Evaluation::default();
    for (g, outcome) in gold.iter().zip(outcomes) {
        match outcome {
            Outcome::Analysed(_, a) => {
                let spans: Vec<Range<usize>> = a
                    .findings
                    .mentions
                    .iter()
                    .zip(&a.resolution.mention_actor)
                    .filter(|(_, actor)| actor.is_some())
                    .map(|(m, _)| m.start..m.end)
                    .collect();
                ev.add(g, &a.chars, &a.findings.statements, &spans);
            }
            Outcome::Failed { failure, .. } => {
                return Err(Error::data(dir.join("text").join(&g.name), 0, failure.message))
            }
        }
    }
    Ok(ev)
}

/// The head's figures over articles already encoded (training's dev figures): statements as
/// analysis builds them, no actors (`resolved` stays empty).
pub fn evaluate_encoded<'a>(
    model: &StanceModel,
    set: impl IntoIterator<Item = (&'a GoldArticle, &'a Prepared, &'a [Option<SentenceStates>])>,
) -> Result<Evaluation> {
    let mut ev = Evaluation::default();
    let set: Vec<_> = set.into_iter().collect();
    // As analysis reads them: a batch of articles per pass of the head.
    for chunk in set.chunks(crate::pipeline::BATCH_ARTICLES) {
        let mut found: Vec<Findings> = chunk
            .iter()
            .map(|(_, p, _)| Findings::new(p.sentences.clone()))
            .collect();
        let mut read: Vec<ArticleStates> = found
            .iter_mut()
            .zip(chunk)
            .map(|(f, (_, p, states))| (f, p.chars.as_slice(), p.pieces.as_slice(), *states))
            .collect();
        add_statements(model, &mut read)?;
        for (f, (gold, p, _)) in found.iter().zip(chunk) {
            ev.add(gold, &p.chars, &f.statements, &[]);
        }
    }
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_words_and_punctuation() {
        let c: Vec<char> = "“It’s 10,” he said.".chars().collect();
        let t: Vec<String> = tokens(&c).into_iter().map(|r| c[r].iter().collect()).collect();
        assert_eq!(t, ["“", "It", "’", "s", "10", ",", "”", "he", "said", "."]);
    }

    #[test]
    fn speakers_are_named_titled_pronouns_or_generic() {
        assert_eq!(source_kind("The New York Post"), SourceKind::Named);
        assert_eq!(source_kind("Clinton"), SourceKind::Named);
        assert_eq!(source_kind("a White House spokeswoman"), SourceKind::Named);
        assert_eq!(source_kind("the minister"), SourceKind::Title);
        assert_eq!(source_kind("She"), SourceKind::Pronoun);
        assert_eq!(source_kind("who"), SourceKind::Pronoun);
        assert_eq!(source_kind("experts"), SourceKind::Generic);
        assert_eq!(source_kind("a new poll"), SourceKind::Generic);
    }
}
