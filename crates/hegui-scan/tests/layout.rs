//! The crate's layout is part of its design (ARCHITECTURE.md): no source file past ~900
//! lines, and no import cycle between its modules — the byte scanners and the semantic
//! pass stand on `hit` and never on each other's callers; readers stand on the pipeline,
//! never the other way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` → `a::b`; `src/a/mod.rs` → `a`; `src/lib.rs` → ``.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The modules a file's code names: `crate::a::b::Item` and `super::x::Item` paths,
/// resolved to the longest module that exists.
fn uses(module: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let resolve = |path: &[&str]| -> Option<String> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].join("::"))
            .find(|m| modules.contains(m))
    };
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let words = |at: usize| -> Vec<&str> {
        let rest = &code[at..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        rest[..end].split("::").filter(|s| !s.is_empty()).collect()
    };
    for (at, _) in code.match_indices("crate::") {
        if let Some(m) = resolve(&words(at + 7)) {
            out.insert(m);
        }
    }
    let parent: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    for (at, _) in code.match_indices("super::") {
        if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut path: Vec<&str> = parent[..parent.len().saturating_sub(1)].to_vec();
        path.extend(words(at + 7));
        if let Some(m) = resolve(&path) {
            out.insert(m);
        }
    }
    out.remove(module);
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    files
        .iter()
        .map(|f| {
            let m = module_of(&src, f);
            let text = std::fs::read_to_string(f).unwrap();
            let deps = uses(&m, &text, &modules);
            (m, deps)
        })
        .collect()
}

#[test]
fn no_source_file_is_past_900_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    for f in files {
        let n = std::fs::read_to_string(&f).unwrap().lines().count();
        assert!(n <= 900, "{} has {n} lines: split it", f.display());
    }
}

#[test]
fn modules_import_each_other_in_one_direction_only() {
    let g = graph();
    // Depth-first search for a cycle, reporting it whole.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for d in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        if let Some(c) = visit(m, &g, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", c.join(" → "));
        }
    }
    // The two detector layers in particular.
    assert!(!g["semantic"].contains("detect"), "semantic imports detect");
    assert!(
        g["detect"].contains("semantic"),
        "the layout this test names has changed"
    );
}
