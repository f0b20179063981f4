//! The boundaries of ARCHITECTURE.md that can be read from the source: no circle of imports
//! among the crate's modules, the core stages touch no files and no tensors, the run's records
//! sit below the stages that hand them on, and only the binary knows flags, exit codes and
//! stdout. Test code (from `#[cfg(test)]` on, and `tests.rs` files) is left out: a
//! specification may read whatever it needs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The library's non-test code per top-level module (`src/x.rs` and `src/x/**` are `x`),
/// comment lines dropped.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let name = rel.file_name().unwrap().to_string_lossy();
        // The binary (main.rs and its cli module) and the crate root are not modules of the library.
        if rel.components().count() == 1 && ["main.rs", "cli.rs", "lib.rs"].contains(&name.as_ref()) {
            continue;
        }
        if name == "tests.rs" {
            continue;
        }
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        // An inline test module runs to the end of the file (our layout); `mod tests;` names a
        // file that is left out above, so only that line goes.
        let text = text.replace("#[cfg(test)]\nmod tests;\n", "");
        let code = text.split("#[cfg(test)]").next().unwrap();
        let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        let entry = out.entry(top).or_default();
        entry.push_str(&code.join("\n"));
        entry.push('\n');
    }
    out
}

/// The other top-level modules that `code` names as `crate::name` or in a group,
/// `crate::{name, other::item}`.
fn imports(code: &str, own: &str) -> BTreeSet<String> {
    let name = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + 7..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                out.extend(group.split(',').map(name));
            }
            None => {
                out.insert(name(rest));
            }
        }
    }
    out.retain(|m| !m.is_empty() && m != own);
    out
}

#[test]
fn imports_are_read_singly_and_in_groups() {
    let code =
        "use crate::error::Result;\nuse crate::{clean, segment::sentences};\nuse crate::record::{Article, Outcome};";
    let got: Vec<String> = imports(code, "pipeline").into_iter().collect();
    assert_eq!(got, ["clean", "error", "record", "segment"]);
}

#[test]
fn no_circle_of_imports_among_the_modules() {
    let mods = modules();
    let graph: BTreeMap<&str, BTreeSet<String>> = mods.iter().map(|(m, code)| (m.as_str(), imports(code, m))).collect();
    assert!(graph.len() > 20, "{:?}", graph.keys());
    // Depth-first search; a module met again on the current path closes a circle.
    fn visit<'a>(
        m: &'a str,
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(k) = path.iter().position(|p| *p == m) {
            let mut circle: Vec<String> = path[k..].iter().map(|s| s.to_string()).collect();
            circle.push(m.to_string());
            return Some(circle);
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            if let Some((name, _)) = graph.get_key_value(next.as_str()) {
                if let Some(c) = visit(name, graph, path, done) {
                    return Some(c);
                }
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        let circle = visit(m, &graph, &mut Vec::new(), &mut done);
        assert!(
            circle.is_none(),
            "a circle of imports: {}",
            circle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn the_core_stages_touch_no_files_and_no_tensors() {
    let mods = modules();
    for m in [
        "clean",
        "segment",
        "ner",
        "attribution",
        "actors",
        "stance",
        "lexicon",
        "record",
    ] {
        let code = &mods[m];
        for word in ["std::fs", "File::", "tch::", "Tensor"] {
            assert!(!code.contains(word), "{m} uses {word}");
        }
    }
}

#[test]
fn the_run_records_sit_below_the_stages_that_hand_them_on() {
    let mods = modules();
    let below = imports(&mods["record"], "record");
    for m in ["input", "pipeline", "output", "sink", "tables", "results"] {
        assert!(!below.contains(m), "record imports {m}");
    }
    assert!(!imports(&mods["input"], "input").contains("output"));
    assert!(!imports(&mods["output"], "output").contains("pipeline"));
}

#[test]
fn only_the_binary_knows_flags_exit_codes_and_stdout() {
    for (m, code) in modules() {
        for word in ["clap", "ExitCode", "stdout()", "process::exit"] {
            assert!(!code.contains(word), "{m} uses {word}");
        }
    }
}
