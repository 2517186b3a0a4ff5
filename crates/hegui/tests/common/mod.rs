//! Helpers shared by the binary's end-to-end tests: run hegui on a store, a fresh store.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs hegui from the repository's root on store `db`, as `tester@firm`.
pub fn hegui(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("HEGUI_DATABASE_URL", db)
        .env("HEGUI_USER", "tester@firm")
        .output()
        .expect("run hegui")
}

/// A fresh directory under the temp dir, and the store path in it.
pub fn fresh(tag: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("hegui-eng-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("hegui.db").to_str().unwrap().to_string();
    (dir, db)
}

/// Runs hegui, which must succeed; returns its standard output.
pub fn ok(db: &str, args: &[&str]) -> String {
    let o = hegui(db, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}
