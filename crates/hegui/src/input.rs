//! Reading what the user hands hegui: files (as UTF-8, with a clear error otherwise),
//! calendar files, dates.

use anyhow::{anyhow, bail, Context, Result};
use hegui_core::calendar::Calendar;
use jiff::civil::Date;

/// Reads a text file as UTF-8 (a BOM is allowed), saying where it is not.
pub fn read_text(path: &str) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("{path}: cannot read"))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        anyhow!(
            "{path}:{line}: not valid UTF-8 (byte {at}); hegui reads profiles as UTF-8 — if the file \
             was saved as GBK, convert it first, e.g. `iconv -f GBK -t UTF-8 {path} > profile.utf8.yaml`"
        )
    })
}

/// Reads a profile (YAML or JSON), refusing one larger than a profile can be.
pub fn read_profile(path: &str) -> Result<String> {
    read_text_limited(
        path,
        hegui_core::inventory::source::MAX_BYTES as u64,
        "a profile",
    )
}

/// Calendar files hold one year's holidays: a few KB.
const CALENDAR_LIMIT: u64 = 1 << 20;
/// A scan report's JSON (per-column statistics of many sources).
const SCAN_REPORT_LIMIT: u64 = 512 << 20;

/// Reads a UTF-8 file of at most `limit` bytes (`what` names the kind of file in the error),
/// refusing a larger one before reading it.
pub fn read_text_limited(path: &str, limit: u64, what: &str) -> Result<String> {
    read_limited(path, limit, what)?;
    read_text(path)
}

/// Reads a file of at most `limit` bytes, refusing a larger one before reading it.
pub fn read_limited(path: &str, limit: u64, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path).with_context(|| format!("{path}: cannot read"))?;
    let mut bytes = Vec::new();
    // Read one byte past the limit: a file that grows while read is caught too.
    f.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{path}: cannot read"))?;
    if bytes.len() as u64 > limit {
        bail!(
            "{path}: larger than {} — too large for {what}",
            human_bytes(limit)
        );
    }
    Ok(bytes)
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// The built-in calendar plus user files (`--calendar`, then `$HEGUI_CALENDAR_DIR/*.toml`).
pub fn calendar(files: &[String]) -> Result<Calendar> {
    let mut cal = Calendar::with_builtin();
    let mut paths: Vec<String> = Vec::new();
    if let Ok(dir) = std::env::var("HEGUI_CALENDAR_DIR") {
        let mut found: Vec<String> = std::fs::read_dir(&dir)
            .with_context(|| format!("HEGUI_CALENDAR_DIR={dir}: cannot read the directory"))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| p.display().to_string())
            .collect();
        found.sort();
        paths.extend(found);
    }
    paths.extend(files.iter().cloned());
    for path in paths {
        let text = read_text_limited(&path, CALENDAR_LIMIT, "a calendar file")?;
        let (year, replaced) = cal.add_file(&text, &path)?;
        if replaced {
            eprintln!("hegui: note: {path} replaces the built-in calendar for {year}");
        }
    }
    Ok(cal)
}

/// Parses a YYYY-MM-DD date argument.
pub fn date(s: &str) -> Result<Date> {
    s.parse::<Date>()
        .map_err(|e| anyhow!("{s:?} is not a date (expected YYYY-MM-DD): {e}"))
}

/// Today in China Standard Time (UTC+8, no daylight saving), the zone of every PRC deadline.
pub fn today_cst() -> Date {
    let offset = jiff::tz::Offset::constant(8);
    jiff::Timestamp::now()
        .to_zoned(offset.to_time_zone())
        .date()
}

/// The people counts of a `hegui scan` JSON report (either the `--report` file or the
/// `--format json` output, which nests it under "report").
pub fn scan_counts(path: &str) -> Result<hegui_core::inventory::MeasuredCounts> {
    let text = read_text_limited(path, SCAN_REPORT_LIMIT, "a scan report")?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{path}: not a JSON scan report"))?;
    let report = v.get("report").unwrap_or(&v);
    let e: hegui_scan::PeopleEstimate = serde_json::from_value(
        report.get("estimate").cloned().unwrap_or_default(),
    )
    .with_context(|| format!("{path}: no \"estimate\" object — is this a `hegui scan` report?"))?;
    Ok(hegui_core::inventory::MeasuredCounts {
        people: e.people,
        sensitive: e.sensitive,
        complete: e.complete,
        people_near: e.people_near,
    })
}

/// The engagement store of a command: `--db`, else `$HEGUI_DATABASE_URL`, else ./hegui.db.
pub fn store(db: Option<String>) -> Result<hegui_audit::store::Store> {
    let target = db
        .or_else(|| std::env::var("HEGUI_DATABASE_URL").ok())
        .unwrap_or_else(|| "hegui.db".to_string());
    Ok(hegui_audit::store::Store::open(&target)?)
}

/// Who acts on the command line: `--actor`, else `$HEGUI_USER`, else `$USER`.
pub fn actor(a: Option<String>) -> String {
    a.or_else(|| std::env::var("HEGUI_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into())
}
