//! What the column and task tests share: a full scan with sketches on a fixed day, and a
//! fresh scratch directory.

use std::path::PathBuf;

use hegui_scan::{Sample, ScanOptions};

/// Every row, sketches on, as `hegui scan --full --sketches` on 2026-11-23.
pub fn full_scan() -> ScanOptions {
    let mut o = ScanOptions::new(jiff::civil::date(2026, 11, 23));
    o.sample = Sample::Full;
    o.sketches = true;
    o
}

/// An empty directory of this test process named `tag-name`.
pub fn scratch(tag: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hegui-{tag}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
