//! Pass 7: ids unique within the article.

use std::collections::HashMap;

use super::{Actor, ActorKind};

/// Ids are the ISO code for countries, the CAMEO code where a dictionary gives one to a single
/// actor of the article, else a slug of the name; clashes get a numeric suffix.
pub(super) fn unique_ids(actors: &mut [Actor]) {
    let mut cameo_count: HashMap<String, usize> = HashMap::new();
    for a in actors.iter() {
        if let Some(c) = &a.cameo {
            *cameo_count.entry(c.clone()).or_default() += 1;
        }
    }
    let country_ids: Vec<String> = actors
        .iter()
        .filter(|a| a.kind == ActorKind::Country)
        .map(|a| a.id.clone())
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for a in actors.iter_mut() {
        if a.kind != ActorKind::Country {
            // A code that is also a country's id (e.g. "RUS" given to a ministry) stays a code only.
            if let Some(c) = a
                .cameo
                .as_ref()
                .filter(|c| cameo_count[*c] == 1 && !country_ids.contains(c))
            {
                a.id = c.clone();
            }
        }
        if a.id.is_empty() {
            a.id = "actor".into();
        }
        let n = seen.entry(a.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            a.id = format!("{}-{}", a.id, n);
        }
    }
}
