//! PolNeAR (attribution relations in news; Newell, Margolin & Ruths 2018): a folder with
//! `text/NAME.txt` (the article, first line its title) and `attributions/NAME_ANNOTATOR.ann`
//! (brat standoff). `T` lines are spans, `Source|Cue|Content|Attribution START END[;START END]`
//! with char offsets into the text (code points); `E` lines tie one attribution to its
//! content(s), cue and source. `Discuss` and `Discard` spans are annotators' notes, not labels.
//! A span's text may run over several lines in the file, so only `T`/`E` line heads are read.

use std::collections::HashMap;
use std::path::Path;

use crate::attribution::Role;
use crate::error::{Error, Result};

/// A labelled span: one or more fragments `[start, end)` (brat's discontinuous spans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldSpan {
    pub role: Role,
    pub fragments: Vec<(usize, usize)>,
}

/// One attribution: indices into [`Annotation::spans`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoldAttribution {
    pub source: Option<usize>,
    pub cue: Option<usize>,
    pub content: Vec<usize>,
}

/// One annotator's file.
#[derive(Debug, Clone, Default)]
pub struct Annotation {
    pub annotator: String,
    pub spans: Vec<GoldSpan>,
    pub attributions: Vec<GoldAttribution>,
}

impl Annotation {
    /// Each char's role and span (index into `spans`), for an article of `n_chars` chars.
    pub fn char_roles(&self, n_chars: usize) -> Vec<Option<(Role, usize)>> {
        let mut roles = vec![None; n_chars];
        for (k, span) in self.spans.iter().enumerate() {
            for &(a, b) in &span.fragments {
                for r in &mut roles[a.min(n_chars)..b.min(n_chars)] {
                    *r = Some((span.role, k));
                }
            }
        }
        roles
    }
}

/// One article with every annotation of it.
#[derive(Debug, Clone)]
pub struct GoldArticle {
    pub name: String,
    pub text: String,
    pub annotations: Vec<Annotation>,
}

/// Parses one `.ann` file; `n_chars` is the article's length, which every offset must respect.
pub fn parse_ann(text: &str, n_chars: usize, path: &Path) -> Result<Annotation> {
    let mut spans = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut cols = line.splitn(3, '\t');
        let (Some(id), Some(body)) = (cols.next(), cols.next()) else {
            continue;
        };
        let err = |reason: String| Error::data(path, i + 1, reason);
        if id.starts_with('T') && id[1..].chars().all(|c| c.is_ascii_digit()) {
            let (label, offsets) = body
                .split_once(' ')
                .ok_or_else(|| err(format!("no offsets in {body:?}")))?;
            let role = match label {
                "Source" => Role::Source,
                "Cue" => Role::Cue,
                "Content" => Role::Content,
                _ => continue,
            };
            let fragments = offsets
                .split(';')
                .map(|f| {
                    let mut n = f.split_whitespace().map(str::parse::<usize>);
                    match (n.next(), n.next(), n.next()) {
                        (Some(Ok(a)), Some(Ok(b)), None) if a <= b && b <= n_chars => Ok((a, b)),
                        _ => Err(err(format!("bad offsets {f:?} (text has {n_chars} chars)"))),
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            ids.insert(id, spans.len());
            spans.push(GoldSpan { role, fragments });
        } else if id.starts_with('E') {
            events.push((i + 1, body));
        }
    }
    let mut attributions = Vec::new();
    for (line, body) in events {
        let mut a = GoldAttribution::default();
        for arg in body.split_whitespace() {
            let (role, target) = arg
                .split_once(':')
                .ok_or_else(|| Error::data(path, line, format!("bad argument {arg:?}")))?;
            // The trigger (Attribution, Attribution-no-source) is the cue's twin; ids of
            // spans that are not labels (a Discard) are skipped.
            let Some(&k) = ids.get(target) else { continue };
            match role {
                "Source" => a.source = Some(k),
                "Cue" => a.cue = Some(k),
                r if r.starts_with("Content") => a.content.push(k),
                _ => {}
            }
        }
        if a.source.is_some() || a.cue.is_some() || !a.content.is_empty() {
            attributions.push(a);
        }
    }
    Ok(Annotation {
        annotator: String::new(),
        spans,
        attributions,
    })
}

/// Every article of a PolNeAR folder (`text/`, `attributions/`), by name, with its annotations
/// (an article no annotator did is left out).
pub fn read_dir(dir: &Path) -> Result<Vec<GoldArticle>> {
    let ann_dir = dir.join("attributions");
    let mut files: Vec<_> = std::fs::read_dir(&ann_dir)
        .map_err(|e| Error::io(&ann_dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    files.sort();
    let mut articles: Vec<GoldArticle> = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let (name, annotator) = stem.rsplit_once('_').unwrap_or((&stem, ""));
        if articles.last().is_none_or(|a| a.name != name) {
            let path = dir.join("text").join(format!("{name}.txt"));
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            articles.push(GoldArticle {
                name: name.to_string(),
                text,
                annotations: Vec::new(),
            });
        }
        let article = articles.last_mut().expect("pushed above");
        let ann = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let mut a = parse_ann(&ann, article.text.chars().count(), &file)?;
        a.annotator = annotator.to_string();
        article.annotations.push(a);
    }
    Ok(articles)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Title.\n\nThe Post reports that aid was cut. “It was late,” a source said.\n";

    #[test]
    fn reads_spans_and_ties_them_as_the_e_lines_say() {
        let ann = "T1\tSource 8 16\tThe Post\nT2\tCue 17 24\treports\nT3\tContent 25 41\tthat aid was cut\n\
                   T4\tAttribution 17 24\treports\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n\
                   T5\tContent 43 55;56 57\tIt was late ,\n#1\tAnnotatorNotes T5\ta note\n\
                   T6\tDiscard 0 5\tTitle\nT7\tCue 67 71\tsaid\nE2\tAttribution-no-source:T7 Content:T5 Cue:T7 Content2:T6\n";
        let a = parse_ann(ann, TEXT.chars().count(), Path::new("x.ann")).unwrap();
        assert_eq!(a.spans.len(), 5);
        assert_eq!(
            a.spans[0],
            GoldSpan {
                role: Role::Source,
                fragments: vec![(8, 16)]
            }
        );
        assert_eq!(a.spans[3].fragments, vec![(43, 55), (56, 57)]);
        let chars: Vec<char> = TEXT.chars().collect();
        assert_eq!(chars[8..16].iter().collect::<String>(), "The Post");
        assert_eq!(
            a.attributions,
            vec![
                GoldAttribution {
                    source: Some(0),
                    cue: Some(1),
                    content: vec![2]
                },
                GoldAttribution {
                    source: None,
                    cue: Some(4),
                    content: vec![3]
                },
            ]
        );
    }

    #[test]
    fn offsets_past_the_text_are_an_error_with_the_line() {
        let e = parse_ann("T1\tCue 3 900\tx\n", 50, Path::new("x.ann")).unwrap_err();
        assert!(e.to_string().starts_with("x.ann:1: bad offsets"), "{e}");
    }
}
