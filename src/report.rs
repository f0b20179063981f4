//! A picture an analyst can read (`actorstance report`): one self-contained HTML file (plain
//! SVG made here, no script, nothing fetched when it is opened) with a directed graph of the
//! actors, a table of the strongest pairs with their evidence sentences, and for a corpus a
//! time line of the strongest pairs by month.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::aggregate::{Aggregator, Counts, Period};
use crate::output::Status;
use crate::results::Item;

/// Nodes drawn at most (the most mentioned), pairs listed in the table, pairs in the time line.
pub const MAX_NODES: usize = 30;
pub const MAX_TABLE: usize = 25;
pub const MAX_TIMELINE: usize = 5;
/// Evidence sentences kept per pair.
const MAX_EVIDENCE: usize = 3;

/// (weight, article id, sentence)
type Evidence = (f64, String, String);

#[derive(Default)]
struct Node {
    name: String,
    kind: String,
    mentions: usize,
}

/// Reads results line by line and draws the report at the end.
pub struct Report {
    all: Aggregator,
    monthly: Aggregator,
    nodes: BTreeMap<String, Node>,
    /// (source, target) → (weight, article id, sentence), the strongest first.
    evidence: BTreeMap<(String, String), Vec<Evidence>>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            all: Aggregator::new(Period::All, false),
            monthly: Aggregator::new(Period::Month, false),
            nodes: BTreeMap::new(),
            evidence: BTreeMap::new(),
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Red for hostile, grey for neutral, green for friendly.
fn colour(score: f64) -> String {
    let s = score.clamp(-1.0, 1.0);
    let (r, g, b) = if s < 0.0 {
        (
            150.0 + 70.0 * -s,
            150.0 * (1.0 + s) + 40.0 * -s,
            150.0 * (1.0 + s) + 40.0 * -s,
        )
    } else {
        (
            150.0 * (1.0 - s) + 30.0 * s,
            150.0 + 40.0 * s,
            150.0 * (1.0 - s) + 60.0 * s,
        )
    };
    format!("rgb({},{},{})", r as u8, g as u8, b as u8)
}

impl Report {
    /// One item of results, read once for the totals, the months, the nodes and the evidence.
    pub fn add_item(&mut self, item: &Item) {
        let Item::Article(r) = item else {
            self.all.counts.unreadable_lines += 1;
            return;
        };
        self.all.add(r);
        self.monthly.add(r);
        if r.status != Status::Ok {
            return;
        }
        for a in &r.actors {
            let n = self.nodes.entry(a.id.clone()).or_default();
            n.name.clone_from(&a.name);
            a.kind.as_str().clone_into(&mut n.kind);
            n.mentions += a.mentions.len();
            for t in &a.toward {
                let kept = self.evidence.entry((a.id.clone(), t.target.clone())).or_default();
                let w = t.score.score.abs() * t.score.confidence;
                if let Some(e) = t.score.evidence.first() {
                    kept.push((w, r.id.clone(), e.text.clone()));
                    kept.sort_by(|x, y| y.0.total_cmp(&x.0));
                    kept.truncate(MAX_EVIDENCE);
                }
            }
        }
    }

    pub fn counts(&self) -> &Counts {
        &self.all.counts
    }

    /// The whole HTML document.
    pub fn html(&self, title: &str) -> String {
        let mut pairs = self.all.pair_rows();
        pairs.sort_by(|a, b| (b.score().abs() * b.confidence()).total_cmp(&(a.score().abs() * a.confidence())));
        let mut nodes: Vec<(&String, &Node)> = self.nodes.iter().collect();
        nodes.sort_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(b.0)));
        nodes.truncate(MAX_NODES);
        let c = self.counts();
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>\
             body{{font-family:system-ui,sans-serif;margin:24px;color:#222}} h1{{font-size:22px}} \
             table{{border-collapse:collapse;font-size:13px}} td,th{{border-bottom:1px solid #ddd;padding:4px 8px;vertical-align:top;text-align:left}} \
             mark{{background:#fff3b0}} .neg{{color:#b22}} .pos{{color:#282}} .note{{color:#666;font-size:13px}}\
             </style></head><body>\n<h1>{t}</h1>\n<p class=\"note\">{} articles; {} failed records skipped; {} undated; {} lines that are no results; model {}.</p>\n",
            c.articles,
            c.failed_skipped,
            c.undated,
            c.unreadable_lines,
            esc(&c.models.keys().cloned().collect::<Vec<_>>().join(", ")),
            t = esc(title),
        );
        self.graph(&mut h, &nodes, &pairs);
        self.table(&mut h, &pairs);
        self.timeline(&mut h, &pairs);
        h.push_str("</body></html>\n");
        h
    }

    fn graph(&self, h: &mut String, nodes: &[(&String, &Node)], pairs: &[crate::aggregate::PairRow]) {
        let (w, ht) = (900.0, 640.0);
        let (cx, cy, radius) = (w / 2.0, ht / 2.0, 250.0);
        let n = nodes.len().max(1) as f64;
        let pos: BTreeMap<&str, (f64, f64)> = nodes
            .iter()
            .enumerate()
            .map(|(i, (id, _))| {
                let a = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
                (id.as_str(), (cx + radius * a.cos(), cy + radius * a.sin()))
            })
            .collect();
        let _ = write!(
            h,
            "<h2>Who stands where</h2>\n<svg id=\"graph\" width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\">\n\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\">\
             <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
        );
        let max_mentions = nodes.iter().map(|n| n.1.mentions).max().unwrap_or(1).max(1) as f64;
        let r_of = |m: usize| 8.0 + 22.0 * (m as f64 / max_mentions).sqrt();
        let mentions: BTreeMap<&str, usize> = nodes.iter().map(|(id, n)| (id.as_str(), n.mentions)).collect();
        for p in pairs.iter().filter(|p| p.confidence() >= 0.01) {
            let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(p.source.as_str()), pos.get(p.target.as_str())) else {
                continue;
            };
            // Bend each direction to its own side, and stop at the target's rim.
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (mx, my) = ((x1 + x2) / 2.0 - dy / len * 30.0, (y1 + y2) / 2.0 + dx / len * 30.0);
            let (ex, ey) = (x2 - mx, y2 - my);
            let el = (ex * ex + ey * ey).sqrt().max(1.0);
            let rt = r_of(mentions[p.target.as_str()]) + 3.0;
            let (tx, ty) = (x2 - ex / el * rt, y2 - ey / el * rt);
            let _ = writeln!(
                h,
                "<path class=\"edge\" data-source=\"{s}\" data-target=\"{t}\" d=\"M{x1:.1},{y1:.1} Q{mx:.1},{my:.1} {tx:.1},{ty:.1}\" \
                 fill=\"none\" stroke=\"{col}\" stroke-width=\"{sw:.1}\" stroke-opacity=\"0.85\" marker-end=\"url(#arrow)\">\
                 <title>{s} → {t}: {sc:+.2} (confidence {cf:.2}, {n} articles)</title></path>",
                s = esc(&p.source),
                t = esc(&p.target),
                col = colour(p.score()),
                sw = 1.0 + 7.0 * p.confidence(),
                sc = p.score(),
                cf = p.confidence(),
                n = p.n_articles,
            );
        }
        for (id, node) in nodes {
            let (x, y) = pos[id.as_str()];
            let fill = match node.kind.as_str() {
                "country" => "#4a78b5",
                "person" => "#d08c3a",
                "organization" => "#7b5ea7",
                _ => "#8a8a8a",
            };
            let _ = writeln!(
                h,
                "<g class=\"node\" data-actor=\"{id}\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"2\">\
                 <title>{name} ({kind}, {m} mentions)</title></circle>\
                 <text x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"12\">{name}</text></g>",
                id = esc(id),
                r = r_of(node.mentions),
                ty = y + r_of(node.mentions) + 14.0,
                name = esc(&node.name),
                kind = esc(&node.kind),
                m = node.mentions,
            );
        }
        h.push_str("</svg>\n<p class=\"note\">Node size: mentions. Arrow: who stands toward whom; colour: score (red hostile, green friendly); width: confidence.</p>\n");
    }

    fn table(&self, h: &mut String, pairs: &[crate::aggregate::PairRow]) {
        h.push_str("<h2>Strongest stances</h2>\n<table id=\"pairs\"><tr><th>source</th><th>target</th><th>score</th><th>confidence</th><th>articles</th><th>evidence</th></tr>\n");
        for p in pairs.iter().take(MAX_TABLE) {
            let name = |id: &str| self.nodes.get(id).map_or(id.to_string(), |n| n.name.clone());
            let (src, tgt) = (name(&p.source), name(&p.target));
            let evidence: Vec<String> = self
                .evidence
                .get(&(p.source.clone(), p.target.clone()))
                .map(|v| {
                    v.iter()
                        .map(|(_, article, text)| {
                            let mut t = esc(text);
                            for n in [&src, &tgt] {
                                let e = esc(n);
                                if !e.is_empty() {
                                    t = t.replace(&e, &format!("<mark>{e}</mark>"));
                                }
                            }
                            format!("<div>{t} <span class=\"note\">({})</span></div>", esc(article))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr data-source=\"{}\" data-target=\"{}\"><td>{}</td><td>{}</td><td class=\"{}\">{:+.2}</td><td>{:.2}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.source),
                esc(&p.target),
                esc(&src),
                esc(&tgt),
                if p.score() < 0.0 { "neg" } else { "pos" },
                p.score(),
                p.confidence(),
                p.n_articles,
                evidence.join("")
            );
        }
        h.push_str("</table>\n");
    }

    /// Monthly score of the strongest pairs, when the results span more than one month.
    fn timeline(&self, h: &mut String, pairs: &[crate::aggregate::PairRow]) {
        let monthly = self.monthly.pair_rows();
        let months: Vec<String> = {
            let mut m: Vec<String> = monthly
                .iter()
                .map(|r| r.bucket.clone())
                .filter(|b| b != crate::aggregate::UNDATED)
                .collect();
            m.sort();
            m.dedup();
            m
        };
        if months.len() < 2 {
            return;
        }
        let (w, ht, pad) = (900.0, 260.0, 40.0);
        let x_of = |i: usize| pad + (w - 2.0 * pad) * i as f64 / (months.len() - 1) as f64;
        let y_of = |s: f64| ht / 2.0 - s * (ht / 2.0 - pad);
        let _ = write!(
            h,
            "<h2>Over time</h2>\n<svg id=\"timeline\" width=\"{w}\" height=\"{ht}\">\
             <line x1=\"{pad}\" y1=\"{m}\" x2=\"{x2}\" y2=\"{m}\" stroke=\"#bbb\"/>",
            m = ht / 2.0,
            x2 = w - pad
        );
        for (i, month) in months.iter().enumerate() {
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                x_of(i),
                ht - 8.0,
                esc(month)
            );
        }
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
        for (k, p) in pairs.iter().take(MAX_TIMELINE).enumerate() {
            let points: Vec<String> = months
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    monthly
                        .iter()
                        .find(|r| &r.bucket == m && r.source == p.source && r.target == p.target)
                        .map(|r| format!("{:.1},{:.1}", x_of(i), y_of(r.score())))
                })
                .collect();
            let _ = write!(
                h,
                "<polyline class=\"series\" data-source=\"{s}\" data-target=\"{t}\" points=\"{pts}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\"/>\
                 <text x=\"{lx}\" y=\"{ly}\" font-size=\"11\" fill=\"{c}\">{s} → {t}</text>",
                s = esc(&p.source),
                t = esc(&p.target),
                pts = points.join(" "),
                c = palette[k % palette.len()],
                lx = pad + 5.0,
                ly = 14.0 + 13.0 * k as f64,
            );
        }
        h.push_str("</svg>\n");
    }
}
