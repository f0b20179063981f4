//! Corpus-level stance over time (`actorstance aggregate`): per time bucket, every ordered
//! actor pair and every actor, from the per-article results. Streaming: the state is one entry
//! per (bucket, pair) and (bucket, actor), never the articles.
//!
//! Across articles the same aggregate as within one applies, with each article's score `s` and
//! confidence `w`: `score = Σ w·s / Σ w`, `confidence = |Σ w·s| / Σ w·|s| · (1 − e^(−Σ w))`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

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

#[derive(Debug, Default, Clone, Copy)]
struct Acc {
    sw: f64,
    sws: f64,
    sw_abs: f64,
    n_articles: usize,
    n_sentences: usize,
}

impl Acc {
    fn add(&mut self, score: f64, confidence: f64, n_sentences: usize) {
        self.sw += confidence;
        self.sws += confidence * score;
        self.sw_abs += confidence * score.abs();
        self.n_articles += 1;
        self.n_sentences += n_sentences;
    }

    /// (score, confidence)
    fn finish(&self) -> (f64, f64) {
        let score = if self.sw > 1e-9 { self.sws / self.sw } else { 0.0 };
        let agreement = if self.sw_abs > 1e-9 {
            self.sws.abs() / self.sw_abs
        } else {
            0.0
        };
        (score, agreement * (1.0 - (-self.sw).exp()))
    }
}

/// What aggregation and the report read of a results line (schema v1); everything else is
/// ignored.
#[derive(Debug, Deserialize)]
pub struct ResultLine {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub date: Option<String>,
    pub model: ModelLine,
    #[serde(default)]
    pub actors: Vec<ActorLine>,
}

#[derive(Debug, Deserialize)]
pub struct ModelLine {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActorLine {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub mentions: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    pub affiliation: Option<String>,
    pub stance: Option<ScoreLine>,
    pub portrayal: Option<ScoreLine>,
    #[serde(default)]
    pub toward: Vec<TowardLine>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ScoreLine {
    pub score: f64,
    pub confidence: f64,
    pub n_sentences: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TowardLine {
    pub target: String,
    pub score: f64,
    pub confidence: f64,
    pub n_sentences: usize,
    #[serde(default)]
    pub evidence: Vec<EvidenceLine>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EvidenceLine {
    pub text: String,
}

/// Counts of what was read, for the summary.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts {
    pub articles: usize,
    pub failed_skipped: usize,
    pub undated: usize,
    pub unreadable_lines: usize,
    /// "name version" → articles.
    pub models: BTreeMap<String, usize>,
}

#[derive(Debug)]
pub struct PairRow {
    pub bucket: String,
    pub source: String,
    pub target: String,
    pub score: f64,
    pub confidence: f64,
    pub n_articles: usize,
    pub n_sentences: usize,
}

#[derive(Debug)]
pub struct ActorRow {
    pub bucket: String,
    pub actor: String,
    pub kind: String,
    pub stance_score: Option<f64>,
    pub stance_confidence: Option<f64>,
    pub portrayal_score: Option<f64>,
    pub portrayal_confidence: Option<f64>,
    pub n_articles: usize,
}

pub struct Aggregator {
    period: Period,
    /// Members' pairs and scores count for their country (one entry per article and pair).
    rollup: bool,
    pairs: BTreeMap<(String, String, String), Acc>,
    stance: BTreeMap<(String, String), (String, Acc)>,
    portrayal: BTreeMap<(String, String), Acc>,
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
            articles: BTreeMap::new(),
            counts: Counts::default(),
        }
    }

    /// One results line; a line that is not a result is counted, not fatal.
    pub fn add_line(&mut self, line: &str) {
        match serde_json::from_str::<ResultLine>(line) {
            Ok(r) => self.add(&r),
            Err(_) => self.counts.unreadable_lines += 1,
        }
    }

    pub fn add(&mut self, r: &ResultLine) {
        *self
            .counts
            .models
            .entry(format!("{} {}", r.model.name, r.model.version))
            .or_default() += 1;
        if r.status != "ok" {
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
        // One entry per article and (rolled-up) pair: the best-supported one.
        let mut pairs: BTreeMap<(String, String), TowardLine> = BTreeMap::new();
        let mut stance: BTreeMap<String, (String, ScoreLine)> = BTreeMap::new();
        let mut portrayal: BTreeMap<String, ScoreLine> = BTreeMap::new();
        let weight = |s: f64, n: usize| s * n as f64;
        for a in &r.actors {
            let me = side(&a.id);
            let kind = if me == a.id {
                a.kind.clone()
            } else {
                "country".to_string()
            };
            for t in &a.toward {
                let them = side(&t.target);
                if them == me {
                    continue;
                }
                let e = pairs.entry((me.clone(), them)).or_insert_with(|| t.clone());
                if weight(t.confidence, t.n_sentences) > weight(e.confidence, e.n_sentences) {
                    *e = t.clone();
                }
            }
            if let Some(s) = a.portrayal {
                let e = portrayal.entry(me.clone()).or_insert(s);
                if weight(s.confidence, s.n_sentences) > weight(e.confidence, e.n_sentences) {
                    *e = s;
                }
            }
            if let Some(s) = a.stance {
                let e = stance.entry(me.clone()).or_insert((kind.clone(), s));
                if weight(s.confidence, s.n_sentences) > weight(e.1.confidence, e.1.n_sentences) {
                    *e = (kind, s);
                }
            }
        }
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for ((me, them), t) in pairs {
            seen.insert(me.clone());
            seen.insert(them.clone());
            self.pairs
                .entry((bucket.clone(), me, them))
                .or_default()
                .add(t.score, t.confidence, t.n_sentences);
        }
        for (me, (kind, s)) in stance {
            seen.insert(me.clone());
            let e = self
                .stance
                .entry((bucket.clone(), me))
                .or_insert((kind, Acc::default()));
            e.1.add(s.score, s.confidence, s.n_sentences);
        }
        for (me, s) in portrayal {
            seen.insert(me.clone());
            self.portrayal
                .entry((bucket.clone(), me))
                .or_default()
                .add(s.score, s.confidence, s.n_sentences);
        }
        for me in seen {
            *self.articles.entry((bucket.clone(), me)).or_default() += 1;
        }
    }

    pub fn pair_rows(&self) -> Vec<PairRow> {
        self.pairs
            .iter()
            .map(|((bucket, source, target), acc)| {
                let (score, confidence) = acc.finish();
                PairRow {
                    bucket: bucket.clone(),
                    source: source.clone(),
                    target: target.clone(),
                    score,
                    confidence,
                    n_articles: acc.n_articles,
                    n_sentences: acc.n_sentences,
                }
            })
            .collect()
    }

    pub fn actor_rows(&self) -> Vec<ActorRow> {
        self.articles
            .iter()
            .map(|(key, &n)| {
                let stance = self.stance.get(key);
                let portrayal = self.portrayal.get(key).map(Acc::finish);
                let st = stance.map(|(_, a)| a.finish());
                ActorRow {
                    bucket: key.0.clone(),
                    actor: key.1.clone(),
                    kind: stance.map(|(k, _)| k.clone()).unwrap_or_default(),
                    stance_score: st.map(|s| s.0),
                    stance_confidence: st.map(|s| s.1),
                    portrayal_score: portrayal.map(|s| s.0),
                    portrayal_confidence: portrayal.map(|s| s.1),
                    n_articles: n,
                }
            })
            .collect()
    }
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
    fn pairs_combine_across_articles_with_members_rolled_up_once() {
        let mut agg = Aggregator::new(Period::Month, true);
        let a1 = serde_json::json!([
            {"id": "RUS", "kind": "country", "stance": null, "portrayal": null,
             "toward": [{"target": "AZE", "score": -0.8, "confidence": 0.6, "n_sentences": 2}]},
            {"id": "jane-doe", "kind": "person", "affiliation": "RUS", "stance": null, "portrayal": null,
             "toward": [{"target": "AZE", "score": -0.9, "confidence": 0.3, "n_sentences": 1}]},
            {"id": "AZE", "kind": "country", "stance": null, "portrayal": null, "toward": []}
        ]);
        let a2 = serde_json::json!([
            {"id": "RUS", "kind": "country", "stance": null, "portrayal": null,
             "toward": [{"target": "AZE", "score": 0.4, "confidence": 0.2, "n_sentences": 1}]}
        ]);
        agg.add_line(&line("a", Some("2025-06-30"), a1));
        agg.add_line(&line("b", Some("2025-06-02"), a2));
        agg.add_line(&line("c", None, serde_json::json!([])));
        agg.add_line("{\"id\":\"d\",\"status\":\"error\",\"model\":{\"name\":\"m\",\"version\":\"1\"}}");
        agg.add_line("not json");
        let rows = agg.pair_rows();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (r.bucket.as_str(), r.source.as_str(), r.target.as_str()),
            ("2025-06", "RUS", "AZE")
        );
        // Article a counts once (its best-supported RUS → AZE entry), then b.
        assert_eq!((r.n_articles, r.n_sentences), (2, 3));
        assert!((r.score - (0.6 * -0.8 + 0.2 * 0.4) / 0.8).abs() < 1e-9);
        let c = &agg.counts;
        assert_eq!(
            (c.articles, c.failed_skipped, c.undated, c.unreadable_lines),
            (3, 1, 1, 1)
        );
    }
}
