//! Corpus-level stance over time (`actorstance aggregate`): per time bucket, every ordered
//! actor pair and every actor, from the per-article results. Streaming: the state is one entry
//! per (bucket, pair) and (bucket, actor), never the articles (the Parquet read-back keeps their
//! ids only, to refuse a repeated one).
//!
//! A corpus scores a pair as one article holding all of its articles' sentences would: the
//! articles' sums ([`Sums`]: Σ w, Σ w·s, Σ w·|s|) add up, and the score, mean, weight and
//! confidence come from the same formula as an article's (see [`crate::stance`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::actors::resolve::ActorKind;
use crate::output::{ArticleOutput, ScoreOut, Status};
use crate::results::Item;
use crate::stance::Sums;
use crate::tables::{columns, count, score_cells, text, Cell, Kind};

/// Time buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    All,
}

pub const UNDATED: &str = "undated";

/// The bucket of an ISO date (`YYYY-MM-DD`, anything after is ignored); None if it is no date.
pub fn bucket(date: Option<&str>, period: Period) -> Option<String> {
    let d = crate::actors::petrarch::Date::parse_iso(date?.get(..10)?)?;
    Some(match period {
        Period::Day => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
        Period::Month => format!("{:04}-{:02}", d.year, d.month),
        Period::All => "all".into(),
        Period::Week => {
            let (y, w) = iso_week(d.year, d.month, d.day);
            format!("{y:04}-W{w:02}")
        }
    })
}

/// Days since 1970-01-01 (proleptic Gregorian).
fn days(y: i32, m: u32, d: u32) -> i64 {
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
    365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719_469
}

/// ISO 8601 week-numbering year and week.
fn iso_week(y: i32, m: u32, d: u32) -> (i32, u32) {
    let n = days(y, m, d);
    let weekday = (n + 3).rem_euclid(7); // Monday = 0
    let thursday = n - weekday + 3;
    // The year of that Thursday owns the week.
    let year = (y - 1..=y + 1)
        .rev()
        .find(|&yy| days(yy, 1, 1) <= thursday)
        .unwrap_or(y);
    let week = (thursday - days(year, 1, 1)) / 7 + 1;
    (year, week as u32)
}

/// A pair's or an actor's sums over a bucket, and how many articles gave them.
#[derive(Debug, Default, Clone, Copy)]
struct Acc {
    sums: Sums,
    n_articles: usize,
}

impl Acc {
    fn add(&mut self, s: &ScoreOut) {
        self.sums.add(&s.sums());
        self.n_articles += 1;
    }
}

/// Counts of what was read, for the summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts {
    pub articles: usize,
    pub failed_skipped: usize,
    pub undated: usize,
    pub unreadable_lines: usize,
    /// Scores without `weight_abs` (results of an older version), read as full agreement.
    pub scores_without_weight_abs: usize,
    /// "name version" → articles.
    pub models: BTreeMap<String, usize>,
}

#[derive(Debug)]
pub struct PairRow {
    pub bucket: String,
    pub source: String,
    pub target: String,
    pub sums: Sums,
    pub n_articles: usize,
}

impl PairRow {
    pub fn score(&self) -> f64 {
        self.sums.score()
    }

    pub fn confidence(&self) -> f64 {
        self.sums.confidence()
    }
}

#[derive(Debug)]
pub struct ActorRow {
    pub bucket: String,
    pub actor: String,
    pub kind: String,
    pub stance: Option<Sums>,
    pub portrayal: Option<Sums>,
    /// Statements the actor (or, rolled up, its members) made.
    pub n_statements: usize,
    pub n_articles: usize,
}

pub struct Aggregator {
    period: Period,
    /// Members' pairs and scores count for their country (one entry per article and pair).
    rollup: bool,
    pairs: BTreeMap<(String, String, String), Acc>,
    stance: BTreeMap<(String, String), (String, Acc)>,
    portrayal: BTreeMap<(String, String), Acc>,
    statements: BTreeMap<(String, String), usize>,
    articles: BTreeMap<(String, String), usize>,
    pub counts: Counts,
}

impl Aggregator {
    pub fn new(period: Period, rollup: bool) -> Self {
        Aggregator {
            period,
            rollup,
            pairs: BTreeMap::new(),
            stance: BTreeMap::new(),
            portrayal: BTreeMap::new(),
            statements: BTreeMap::new(),
            articles: BTreeMap::new(),
            counts: Counts::default(),
        }
    }

    /// One item of results; one that is not a result is counted, not fatal.
    pub fn add_item(&mut self, item: &Item) {
        match item {
            Item::Article(r) => self.add(r),
            Item::NotAResult => self.counts.unreadable_lines += 1,
        }
    }

    pub fn add(&mut self, r: &ArticleOutput) {
        *self
            .counts
            .models
            .entry(format!("{} {}", r.model.name, r.model.version))
            .or_default() += 1;
        if r.status != Status::Ok {
            self.counts.failed_skipped += 1;
            return;
        }
        self.counts.articles += 1;
        let bucket = bucket(r.date.as_deref(), self.period).unwrap_or_else(|| {
            self.counts.undated += 1;
            UNDATED.to_string()
        });
        // The side an actor is on: itself, or its country when rolling up.
        let side = |id: &str| -> String {
            if !self.rollup {
                return id.to_string();
            }
            r.actors
                .iter()
                .find(|a| a.id == id)
                .and_then(|a| a.affiliation.clone())
                .unwrap_or_else(|| id.to_string())
        };
        // One entry per article and (rolled-up) pair: the side's own entry (an article
        // analysed with the country roll-up already counts its members' sentences in it), else
        // the best-supported one (the largest Σ w). Each candidate is ranked (own, Σ w).
        let mut pairs: BTreeMap<(String, String), Entry<()>> = BTreeMap::new();
        let mut stance: BTreeMap<String, Entry<&'static str>> = BTreeMap::new();
        let mut portrayal: BTreeMap<String, Entry<()>> = BTreeMap::new();
        for a in &r.actors {
            let me = side(&a.id);
            let own = me == a.id;
            let kind = if own {
                a.kind.as_str()
            } else {
                ActorKind::Country.as_str()
            };
            for t in &a.toward {
                let them = side(&t.target);
                if them == me {
                    continue;
                }
                keep(
                    &mut pairs,
                    (me.clone(), them.clone()),
                    own && them == t.target,
                    &t.score,
                    (),
                );
            }
            if let Some(s) = &a.portrayal {
                keep(&mut portrayal, me.clone(), own, s, ());
            }
            if let Some(s) = &a.stance {
                keep(&mut stance, me.clone(), own, s, kind);
            }
        }
        let kept = pairs.values().map(|e| e.1);
        let kept = kept
            .chain(stance.values().map(|e| e.1))
            .chain(portrayal.values().map(|e| e.1));
        self.counts.scores_without_weight_abs += kept.filter(|s| s.weight_abs.is_none()).count();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for ((me, them), (_, t, ())) in pairs {
            seen.insert(me.clone());
            seen.insert(them.clone());
            self.pairs.entry((bucket.clone(), me, them)).or_default().add(t);
        }
        for (me, (_, s, kind)) in stance {
            seen.insert(me.clone());
            let e = self
                .stance
                .entry((bucket.clone(), me))
                .or_insert((kind.to_string(), Acc::default()));
            e.1.add(s);
        }
        for (me, (_, s, ())) in portrayal {
            seen.insert(me.clone());
            self.portrayal.entry((bucket.clone(), me)).or_default().add(s);
        }
        for speaker in r.statements.iter().filter_map(|st| st.source.as_deref()) {
            let me = side(speaker);
            seen.insert(me.clone());
            *self.statements.entry((bucket.clone(), me)).or_default() += 1;
        }
        for me in seen {
            *self.articles.entry((bucket.clone(), me)).or_default() += 1;
        }
    }

    pub fn pair_rows(&self) -> Vec<PairRow> {
        self.pairs
            .iter()
            .map(|((bucket, source, target), acc)| PairRow {
                bucket: bucket.clone(),
                source: source.clone(),
                target: target.clone(),
                sums: acc.sums,
                n_articles: acc.n_articles,
            })
            .collect()
    }

    pub fn actor_rows(&self) -> Vec<ActorRow> {
        self.articles
            .iter()
            .map(|(key, &n)| {
                let stance = self.stance.get(key);
                ActorRow {
                    bucket: key.0.clone(),
                    actor: key.1.clone(),
                    kind: stance.map(|(k, _)| k.clone()).unwrap_or_default(),
                    stance: stance.map(|(_, a)| a.sums),
                    portrayal: self.portrayal.get(key).map(|a| a.sums),
                    n_statements: self.statements.get(key).copied().unwrap_or(0),
                    n_articles: n,
                }
            })
            .collect()
    }
}

/// `actorstance aggregate`: ordered pairs per time bucket, with the same score fields as an
/// article's pairs (the sums of all the bucket's articles).
pub const AGGREGATE_PAIRS: &[(&str, Kind)] = columns![
    bucket: Text,
    source: Text,
    target: Text,
    scores "",
    n_articles: Count,
];

/// `actorstance aggregate`: actors per time bucket.
pub const AGGREGATE_ACTORS: &[(&str, Kind)] = columns![
    bucket: Text,
    actor: Text,
    kind: Text,
    scores "stance_",
    scores "portrayal_",
    n_statements: Count,
    n_articles: Count,
];

/// One article's entry for a rolled-up pair or actor: whether it is the side's own, its score,
/// and what else the table needs of it.
type Entry<'a, T> = (bool, &'a ScoreOut, T);

/// Of an article's entries that roll up into `key`, keeps the side's own, else the
/// best-supported (ranked by (own, Σ w); the first of equals stays).
fn keep<'a, K: Ord, T>(map: &mut BTreeMap<K, Entry<'a, T>>, key: K, own: bool, s: &'a ScoreOut, extra: T) {
    match map.entry(key) {
        std::collections::btree_map::Entry::Vacant(v) => {
            v.insert((own, s, extra));
        }
        std::collections::btree_map::Entry::Occupied(mut o) => {
            let e = o.get_mut();
            if (own, s.weight) > (e.0, e.1.weight) {
                *e = (own, s, extra);
            }
        }
    }
}

/// One table of `aggregate`'s output, as every format writes it.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub rows: Vec<Vec<Cell>>,
}

impl Aggregator {
    /// The two tables, `pairs` then `actors`.
    pub fn tables(&self) -> [Table; 2] {
        [
            Table {
                name: "pairs",
                columns: AGGREGATE_PAIRS,
                rows: self.pair_rows().iter().map(pair_row).collect(),
            },
            Table {
                name: "actors",
                columns: AGGREGATE_ACTORS,
                rows: self.actor_rows().iter().map(actor_row).collect(),
            },
        ]
    }
}

/// The row of an aggregated pair.
fn pair_row(r: &PairRow) -> Vec<Cell> {
    let mut row = vec![text(&r.bucket), text(&r.source), text(&r.target)];
    row.extend(score_cells(Some(&ScoreOut::of_sums(&r.sums))));
    row.push(count(r.n_articles));
    row
}

/// The row of an aggregated actor.
fn actor_row(r: &ActorRow) -> Vec<Cell> {
    let mut row = vec![
        text(&r.bucket),
        text(&r.actor),
        Cell::Text((!r.kind.is_empty()).then(|| r.kind.clone())),
    ];
    row.extend(score_cells(r.stance.as_ref().map(ScoreOut::of_sums).as_ref()));
    row.extend(score_cells(r.portrayal.as_ref().map(ScoreOut::of_sums).as_ref()));
    row.push(count(r.n_statements));
    row.push(count(r.n_articles));
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_day_iso_week_and_month() {
        assert_eq!(bucket(Some("2025-06-30"), Period::Day).as_deref(), Some("2025-06-30"));
        assert_eq!(
            bucket(Some("2025-06-30T12:00:00Z"), Period::Month).as_deref(),
            Some("2025-06")
        );
        assert_eq!(bucket(Some("2025-06-30"), Period::Week).as_deref(), Some("2025-W27"));
        // 2021-01-03 is a Sunday of 2020's week 53; 2024-12-30 a Monday of 2025's week 1.
        assert_eq!(bucket(Some("2021-01-03"), Period::Week).as_deref(), Some("2020-W53"));
        assert_eq!(bucket(Some("2024-12-30"), Period::Week).as_deref(), Some("2025-W01"));
        assert_eq!(bucket(Some("yesterday"), Period::Day), None);
        assert_eq!(bucket(None, Period::All), None);
    }

    fn line(id: &str, date: Option<&str>, actors: serde_json::Value) -> String {
        serde_json::json!({"id": id, "status": "ok", "date": date, "model": {"name": "m", "version": "1"}, "actors": actors})
            .to_string()
    }

    #[test]
    fn pairs_add_up_across_articles_with_members_rolled_up_once() {
        let mut agg = Aggregator::new(Period::Month, true);
        let a1 = serde_json::json!([
            {"id": "RUS", "kind": "country", "stance": null, "portrayal": null,
             "toward": [{"target": "AZE", "score": -0.5, "mean": -0.8, "weight": 1.0, "weight_abs": 0.9,
                         "confidence": 0.4, "n_sentences": 2}]},
            {"id": "jane-doe", "kind": "person", "affiliation": "RUS", "stance": null, "portrayal": null,
             "toward": [{"target": "AZE", "score": -0.7, "mean": -0.9, "weight": 1.5, "weight_abs": 1.35,
                         "confidence": 0.4, "n_sentences": 1}]},
            {"id": "AZE", "kind": "country", "stance": null, "portrayal": null, "toward": []}
        ]);
        // Written before `weight_abs` was: read as full agreement, and counted.
        let a2 = serde_json::json!([
            {"id": "RUS", "kind": "country", "stance": null, "portrayal": null,
             "toward": [{"target": "AZE", "score": 0.1, "mean": 0.4, "weight": 0.25,
                         "confidence": 0.2, "n_sentences": 1}]}
        ]);
        let read = |l: &str| Item::of_line(l);
        agg.add_item(&read(&line("a", Some("2025-06-30"), a1)));
        agg.add_item(&read(&line("b", Some("2025-06-02"), a2)));
        agg.add_item(&read(&line("c", None, serde_json::json!([]))));
        agg.add_item(&read(
            "{\"id\":\"d\",\"status\":\"error\",\"model\":{\"name\":\"m\",\"version\":\"1\"}}",
        ));
        agg.add_item(&read("not json"));
        agg.add_item(&Item::NotAResult);
        let rows = agg.pair_rows();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (r.bucket.as_str(), r.source.as_str(), r.target.as_str()),
            ("2025-06", "RUS", "AZE")
        );
        // Article a counts once, with RUS's own RUS → AZE entry (not its member's, though that
        // has more weight: the article counted the member's sentences for RUS), then b: Σ w = 1.25,
        // Σ w·s = -0.8 + 0.1, Σ w·|s| = 0.9 + 0.1.
        assert_eq!((r.n_articles, r.sums.n_sentences), (2, 3));
        let evidence = 1.0 - (-1.25f64).exp();
        assert!((r.sums.mean() - (-0.7 / 1.25)).abs() < 1e-9);
        assert!((r.score() - (-0.7 / 1.25) * evidence).abs() < 1e-9);
        assert!((r.confidence() - (0.7 / 1.0) * evidence).abs() < 1e-9);
        let c = &agg.counts;
        assert_eq!(
            (
                c.articles,
                c.failed_skipped,
                c.undated,
                c.unreadable_lines,
                c.scores_without_weight_abs
            ),
            (3, 1, 1, 2, 1)
        );
    }
}
