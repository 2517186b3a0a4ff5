//! Every `hegui …` command the README and `docs/` show parses with the command line as
//! it is (the binary runs with `HEGUI_PARSE_ONLY`, which stops after parsing): a renamed
//! flag or subcommand fails this test until the documentation follows.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The documents whose code blocks are checked.
fn documents() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

/// The `hegui` commands of a Markdown text's `sh` blocks, with their line numbers:
/// continuation lines joined, comments, redirections and `&&`-chained parts split off.
fn commands(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            in_block = t == "```sh" || t == "```bash";
            continue;
        }
        if !in_block {
            continue;
        }
        let (n, mut cmd) = match pending.take() {
            Some((n, c)) => (n, format!("{c} {t}")),
            None => (i + 1, t.to_string()),
        };
        if let Some(stripped) = cmd.strip_suffix('\\') {
            pending = Some((n, stripped.trim_end().to_string()));
            continue;
        }
        // A comment starts at "  #" outside quotes (the blocks never quote a " #").
        if let Some(at) = cmd.find("  #") {
            cmd.truncate(at);
        }
        for part in cmd.split("&&") {
            let part = part.split(['>', '|']).next().unwrap_or("").trim();
            if part.starts_with("hegui ") {
                out.push((n, part.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_documented_command_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for (line, cmd) in commands(&text) {
            let words = shlex::split(&cmd)
                .unwrap_or_else(|| panic!("{}:{line}: cannot split {cmd:?}", doc.display()));
            let out = Command::new(env!("CARGO_BIN_EXE_hegui"))
                .args(&words[1..])
                .env("HEGUI_PARSE_ONLY", "1")
                .output()
                .unwrap();
            if !out.status.success() {
                failures.push(format!(
                    "{}:{line}: {cmd}\n{}",
                    doc.display(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= 60,
        "only {checked} commands found in the documentation"
    );
}

#[test]
fn a_wrong_flag_in_a_documented_command_would_fail() {
    let out = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["scope", "examples/fintech.yaml", "--no-such-flag"])
        .env("HEGUI_PARSE_ONLY", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn the_readme_stays_short_and_its_links_resolve() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 200,
        "README.md has {lines} lines: move detail to docs/"
    );
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        let dir = doc.parent().unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap()];
            if target.starts_with("http") {
                continue;
            }
            let path = target.split('#').next().unwrap();
            if path.is_empty() {
                continue;
            }
            assert!(
                dir.join(path).exists(),
                "{}: link to {target} does not resolve",
                doc.display()
            );
        }
    }
}
