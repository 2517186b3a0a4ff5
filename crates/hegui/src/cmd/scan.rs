//! `hegui scan`: find, classify and count personal information in files.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use hegui_core::law::Framework;
use hegui_scan::source::object::ObjectStore;
use hegui_scan::{Finding, Likelihood, Output, Sample, ScanOptions, ScanReport};

use crate::input;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// Tables for people (per source and column), with a progress line on a terminal.
    Summary,
    /// The whole report: findings and summary.
    Json,
    /// One finding per line.
    Jsonl,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FrameworkArg {
    /// GB/T 45574-2025 (default).
    Gb45574,
    /// GB/T 35273-2020 Appendix B.
    Gb35273,
}

#[derive(Args)]
pub struct ScanArgs {
    /// Files, directories (recursive), object stores (s3://bucket/prefix, oss://bucket/prefix;
    /// keys from the environment) or database URLs: postgres://user@host/db,
    /// mysql://root@127.0.0.1/test, sqlite://file.db (SQLite files in directories are found
    /// by their .db/.sqlite name). Passwords are never printed.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Object store endpoint: http://127.0.0.1:9000 (MinIO), https://oss-cn-hangzhou.aliyuncs.com
    /// (OSS). Default: AWS_ENDPOINT_URL for s3://, OSS_ENDPOINT or the region's for oss://.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Object store region requests are signed for (default AWS_REGION or us-east-1 for
    /// s3://; OSS_REGION or read from the endpoint for oss://).
    #[arg(long)]
    region: Option<String>,
    /// Virtual-hosted requests (bucket.endpoint/key) for s3:// instead of path-style
    /// (endpoint/bucket/key); oss:// always uses them.
    #[arg(long)]
    virtual_hosted: bool,
    /// Seconds an object store or HDFS request may go without progress before it fails.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    io_timeout: u64,
    /// Only these database tables (`name` or `schema.name`; repeatable).
    #[arg(long = "table")]
    tables: Vec<String>,
    /// Database schema (PostgreSQL default `public`, MySQL default the URL's database).
    #[arg(long)]
    schema: Option<String>,
    /// Only files under a directory matching this glob (repeatable), e.g. '**/*.csv'.
    #[arg(long)]
    include: Vec<String>,
    /// Skip files matching this glob (repeatable).
    #[arg(long)]
    exclude: Vec<String>,
    #[arg(long, value_enum, default_value = "summary")]
    format: ScanFormat,
    /// Scan every row of structured sources (needed for head-counts); text is always full.
    #[arg(long, conflicts_with_all = ["sample_rows", "sample_percent"])]
    full: bool,
    /// Rows of each structured source to classify from (default 1000).
    #[arg(long)]
    sample_rows: Option<u64>,
    /// Percent of rows to sample instead (0–100).
    #[arg(long, conflicts_with = "sample_rows")]
    sample_percent: Option<f64>,
    /// Sample rows at random (reproducible with --seed) instead of the first rows.
    #[arg(long)]
    random: bool,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Lowest likelihood reported: very_unlikely, unlikely, possible, likely, very_likely.
    #[arg(long, default_value = "possible")]
    min_likelihood: String,
    /// Only these kinds (comma-separated ids, e.g. cn_resident_id,cn_mobile); all by default.
    #[arg(long, value_delimiter = ',')]
    kinds: Vec<String>,
    /// Sensitivity framework for the report.
    #[arg(long, value_enum, default_value = "gb45574")]
    framework: FrameworkArg,
    /// Print raw values in findings (they are masked by default).
    #[arg(long)]
    show_values: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Put HyperLogLog sketches of every kind into the JSON report, so that reports of
    /// partitions of one store can be merged with `hegui scan-merge`.
    #[arg(long)]
    sketches: bool,
    /// Scan only shard I of N of the files found (e.g. 2/8), so that N machines split a
    /// store; merge their `--sketches` reports with `hegui scan-merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Also write the JSON report (summary and estimates) to this file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Birth dates after this day are impossible (default today, China Standard Time).
    #[arg(long, hide = true)]
    today: Option<String>,
}

/// Writes findings in the chosen format as they come.
struct Writer {
    format: ScanFormat,
    out: std::io::BufWriter<std::io::Stdout>,
    count: u64,
    progress: bool,
    last: Instant,
}

impl Output for Writer {
    fn finding(&mut self, f: &Finding<'_>) -> std::io::Result<()> {
        match self.format {
            ScanFormat::Summary => {}
            ScanFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, &Jsonl(f))?;
                self.out.write_all(b"\n")?;
            }
            ScanFormat::Json => {
                self.out.write_all(if self.count == 0 {
                    b"\n    "
                } else {
                    b",\n    "
                })?;
                serde_json::to_writer(&mut self.out, &Jsonl(f))?;
            }
            ScanFormat::Sarif => {
                self.out.write_all(if self.count == 0 {
                    b"\n        "
                } else {
                    b",\n        "
                })?;
                serde_json::to_writer(&mut self.out, &sarif_result(f))?;
            }
        }
        self.count += 1;
        Ok(())
    }

    fn counts_only(&self) -> bool {
        self.format == ScanFormat::Summary
    }

    fn counted(&mut self, n: u64) {
        self.count += n;
    }

    fn progress(&mut self, source: &str, bytes: u64) {
        if self.progress && self.last.elapsed() > Duration::from_millis(200) {
            self.last = Instant::now();
            eprint!(
                "\r\x1b[2Kscanning {source}: {:.1} MB, {} findings",
                bytes as f64 / 1e6,
                self.count
            );
        }
    }
}

/// A finding as the JSON Lines record: exactly the documented fields (plus `value` only
/// with --show-values).
struct Jsonl<'a>(&'a Finding<'a>);

impl serde::Serialize for Jsonl<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let f = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("source", &f.source)?;
        m.serialize_entry("kind", f.kind)?;
        m.serialize_entry("row", &f.row)?;
        m.serialize_entry("column", &f.column)?;
        m.serialize_entry("line", &f.line)?;
        m.serialize_entry("start", &f.start)?;
        m.serialize_entry("end", &f.end)?;
        m.serialize_entry("likelihood", f.likelihood)?;
        m.serialize_entry("masked", &f.masked)?;
        if let Some(v) = &f.value {
            m.serialize_entry("value", v)?;
        }
        m.end()
    }
}

fn sarif_result(f: &Finding<'_>) -> serde_json::Value {
    let level = match f.likelihood {
        "very_likely" | "likely" => "warning",
        _ => "note",
    };
    let what = if f.masked {
        "Masked value"
    } else {
        "Personal information"
    };
    let place = match (&f.column, f.row, f.line) {
        (Some(c), Some(r), _) => format!(" in column {c:?}, row {r}"),
        (_, _, Some(l)) => format!(" on line {l}"),
        _ => String::new(),
    };
    let mut region = serde_json::json!({ "byteOffset": f.start, "byteLength": f.end - f.start });
    if let Some(l) = f.line {
        region["startLine"] = l.into();
    }
    serde_json::json!({
        "ruleId": f.kind,
        "level": level,
        "message": { "text": format!("{what} ({}){place}", f.kind) },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": f.source },
            "region": region,
        }}],
        "properties": { "likelihood": f.likelihood, "masked": f.masked, "row": f.row, "column": f.column },
    })
}

fn options(a: &ScanArgs) -> Result<ScanOptions> {
    let today = match &a.today {
        Some(s) => input::date(s)?,
        None => input::today_cst(),
    };
    let mut o = ScanOptions::new(today);
    o.min_likelihood = Likelihood::from_id(&a.min_likelihood).ok_or_else(|| {
        anyhow::anyhow!("--min-likelihood {:?}: expected very_unlikely, unlikely, possible, likely or very_likely", a.min_likelihood)
    })?;
    o.sample = match (a.full, a.sample_rows, a.sample_percent, a.random) {
        (true, ..) => Sample::Full,
        (_, _, Some(p), _) if !(0.0..=100.0).contains(&p) => {
            bail!("--sample-percent {p}: expected 0 to 100")
        }
        (_, _, Some(p), _) => Sample::Percent {
            percent: p,
            seed: a.seed,
        },
        (_, n, None, true) => Sample::RandomRows {
            rows: n.unwrap_or(1000),
            seed: a.seed,
        },
        (_, n, None, false) => Sample::FirstRows(n.unwrap_or(1000)),
    };
    o.include = a.include.clone();
    o.exclude = a.exclude.clone();
    o.framework = match a.framework {
        FrameworkArg::Gb45574 => Framework::Gb45574,
        FrameworkArg::Gb35273 => Framework::Gb35273,
    };
    o.show_values = a.show_values;
    o.tables = a.tables.clone();
    o.sketches = a.sketches;
    if !a.kinds.is_empty() {
        let mut ks = Vec::new();
        for id in &a.kinds {
            let k = hegui_scan::Kind::from_id(id).ok_or_else(|| {
                let all: Vec<&str> = hegui_scan::Kind::ALL.iter().map(|k| k.id()).collect();
                anyhow::anyhow!(
                    "--kinds: unknown kind {id:?}; kinds are: {}",
                    all.join(", ")
                )
            })?;
            ks.push(k);
        }
        o.kinds = hegui_scan::KindSet::of(&ks);
    }
    o.schema = a.schema.clone();
    o.objects = object_store(a)?;
    if let Some(s) = &a.shard {
        let parsed = s
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((i, n)) if (1..=n).contains(&i) => o.shard = Some((i, n)),
            _ => bail!("--shard {s:?}: expected I/N with 1 ≤ I ≤ N, e.g. 2/8"),
        }
    }
    Ok(o)
}

/// The object store for s3:// and oss:// targets, when there are any.
#[cfg(feature = "objects")]
fn object_store(a: &ScanArgs) -> Result<Option<std::sync::Arc<dyn ObjectStore>>> {
    let any = a
        .paths
        .iter()
        .any(|p| hegui_scan::source::object::is_object_url(&p.to_string_lossy()));
    if !any {
        return Ok(None);
    }
    let lake = hegui_lake::Lake::new(hegui_lake::Settings {
        endpoint: a.endpoint.clone(),
        region: a.region.clone(),
        virtual_hosted: a.virtual_hosted,
        idle_timeout: std::time::Duration::from_secs(a.io_timeout.max(1)),
    })?;
    Ok(Some(std::sync::Arc::new(lake)))
}

#[cfg(not(feature = "objects"))]
fn object_store(_: &ScanArgs) -> Result<Option<std::sync::Arc<dyn ObjectStore>>> {
    Ok(None)
}

pub fn run(a: ScanArgs) -> Result<ExitCode> {
    if let Some(n) = a.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()?;
    }
    let opts = options(&a)?;
    let mut w = Writer {
        format: a.format,
        out: std::io::BufWriter::new(std::io::stdout()),
        count: 0,
        progress: std::io::stderr().is_terminal(),
        last: Instant::now(),
    };
    match a.format {
        ScanFormat::Json => w.out.write_all(b"{\n  \"findings\": [")?,
        ScanFormat::Sarif => {
            let head = sarif_head();
            let text = serde_json::to_string_pretty(&head)?;
            // Everything up to the empty results array; results are streamed into it.
            let cut = text.rfind("\"results\": []").expect("head has results");
            w.out.write_all(&text.as_bytes()[..cut])?;
            w.out.write_all(b"\"results\": [")?;
        }
        _ => {}
    }
    let report = hegui_scan::scan(&a.paths, &opts, &mut w)?;
    if w.progress {
        eprint!("\r\x1b[2K");
    }
    match a.format {
        ScanFormat::Json => {
            w.out.write_all(b"\n  ],\n  \"report\": ")?;
            serde_json::to_writer_pretty(&mut w.out, &report)?;
            w.out.write_all(b"\n}\n")?;
        }
        ScanFormat::Sarif => w.out.write_all(b"\n      ]\n    }\n  ]\n}\n")?,
        ScanFormat::Summary => summary(&report, &mut w.out)?,
        ScanFormat::Jsonl => {}
    }
    w.out.flush()?;
    if let Some(p) = &a.report {
        std::fs::write(p, serde_json::to_vec_pretty(&report)?)?;
        eprintln!("wrote {}", p.display());
    }
    let failed = report.sources.iter().filter(|s| s.error.is_some()).count();
    if failed > 0 {
        eprintln!("hegui: {failed} source(s) could not be read completely; see the report");
    }
    Ok(ExitCode::SUCCESS)
}

fn sarif_head() -> serde_json::Value {
    let rules: Vec<serde_json::Value> = hegui_scan::Kind::ALL
        .iter()
        .map(|k| {
            serde_json::json!({
                "id": k.id(),
                "shortDescription": { "text": format!("Personal information: {}", k.id()) },
                "properties": { "taxonomy": k.taxonomy() },
            })
        })
        .collect();
    serde_json::json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": { "driver": { "name": "hegui", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": []
        }]
    })
}

fn summary(r: &ScanReport, out: &mut dyn Write) -> Result<()> {
    use crate::output::table;
    for s in &r.sources {
        let mut head = format!("{} — {}", s.source, s.format);
        if let Some(e) = s.encoding {
            head.push_str(&format!(", {e}"));
        }
        if let Some(c) = s.compression {
            head.push_str(&format!(", {c}"));
        }
        head.push_str(&format!(
            ", {} records{}",
            s.records,
            if s.sampled { " (sample)" } else { "" }
        ));
        writeln!(out, "{head}")?;
        if let Some(e) = &s.error {
            writeln!(out, "  ERROR: {e}")?;
        }
        if s.fields.is_empty() {
            writeln!(out, "  no personal information found\n")?;
            continue;
        }
        let mut t = table(&[
            "column",
            "kind",
            "matches",
            "distinct",
            "share of rows",
            "masked",
            "sensitivity",
            "likelihood",
        ]);
        for f in &s.fields {
            for k in &f.kinds {
                let col = match (f.name.as_str(), f.classified_as) {
                    ("", _) => "(text)".to_string(),
                    (n, Some(c)) if c == k.kind => format!("{n} ⇒ {c}"),
                    (n, _) => n.to_string(),
                };
                t.add_row(vec![
                    col,
                    k.kind.to_string(),
                    k.matches.to_string(),
                    format!(
                        "{}{}",
                        k.distinct,
                        if k.distinct_exact { "" } else { " (est.)" }
                    ),
                    format!("{:.1}%", k.share_of_rows * 100.0),
                    format!("{:.1}%", k.masked_share * 100.0),
                    format!("{} ({})", k.sensitivity.level, k.sensitivity.taxonomy),
                    k.likelihood.to_string(),
                ]);
            }
        }
        writeln!(out, "{t}\n")?;
    }
    if !r.totals.is_empty() {
        let mut t = table(&[
            "kind",
            "matches",
            "masked",
            "distinct (all sources)",
            "sensitivity",
        ]);
        for k in &r.totals {
            t.add_row(vec![
                k.kind.to_string(),
                k.matches.to_string(),
                k.masked.to_string(),
                k.distinct.to_string(),
                format!("{} under {}", k.sensitivity.level, k.sensitivity.framework),
            ]);
        }
        writeln!(out, "All sources\n{t}")?;
    }
    let e = &r.estimate;
    writeln!(
        out,
        "People (estimate): {}{}; with sensitive PI: {}{}{}",
        e.people,
        e.people_by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default(),
        e.sensitive,
        e.sensitive_by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default(),
        if e.complete {
            ""
        } else {
            " — lower bounds: some sources were sampled (use --full)"
        }
    )?;
    if let Some(s) = &r.shard {
        writeln!(
            out,
            "Shard {s} of the files only: merge every shard's --sketches report with hegui scan-merge"
        )?;
    }
    Ok(())
}

#[derive(Args)]
pub struct MergeArgs {
    /// `hegui scan --sketches` reports (the --report file or --format json output).
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Write the merged estimate here (readable by `hegui obligations --scan`).
    #[arg(long, short)]
    out: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "gb45574")]
    framework: FrameworkArg,
}

/// `hegui scan-merge`: distinct counts across partitions, from their sketches.
pub fn merge(a: MergeArgs) -> Result<ExitCode> {
    let mut sketches = Vec::new();
    let mut complete = true;
    for p in &a.reports {
        let text =
            std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", p.display()))?;
        let r = v.get("report").unwrap_or(&v);
        let s: std::collections::BTreeMap<String, String> = r
            .get("sketches")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .ok_or_else(|| {
                anyhow::anyhow!("{}: no sketches — scan with --sketches", p.display())
            })?;
        complete &= r
            .pointer("/estimate/complete")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        sketches.push((p.display().to_string(), s));
    }
    let framework = match a.framework {
        FrameworkArg::Gb45574 => Framework::Gb45574,
        FrameworkArg::Gb35273 => Framework::Gb35273,
    };
    let (counts, mut estimate) =
        hegui_scan::report::merge_sketches(&sketches, framework).map_err(|e| anyhow::anyhow!(e))?;
    estimate.complete = complete;
    // The head-count thresholds of Measures Arts. 4 and 12, from the law data.
    let law = &hegui_core::law::Law::get().thresholds;
    let thresholds = [law.value("pipo_people"), law.value("audit_biennial_people")];
    estimate.people_near = hegui_scan::report::near_threshold(estimate.people, &thresholds);
    let mut t = crate::output::table(&["kind", "distinct (estimate, ±1 %)"]);
    for (k, n) in &counts {
        t.add_row(vec![k.clone(), n.to_string()]);
    }
    println!("{} reports merged\n{t}", a.reports.len());
    println!(
        "People (estimate): {}{}; with sensitive PI: {}{}",
        estimate.people,
        estimate
            .people_by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default(),
        estimate.sensitive,
        estimate
            .sensitive_by
            .as_deref()
            .map(|b| format!(" by {b}"))
            .unwrap_or_default()
    );
    // Which partitions hold the people the estimate counts: they must be counted together.
    let holding = estimate
        .people_by
        .as_deref()
        .map(|k| hegui_scan::report::holding(&sketches, k))
        .unwrap_or_default();
    if let Some(t) = estimate.people_near {
        println!(
            "near threshold: count exactly — the people estimate {} lies within ±{:.1} % of {} \
             (a sketch's error), so it cannot tell which side the count is on. Count the \
             distinct people of these partitions together, exactly: {}",
            estimate.people,
            hegui_scan::report::SKETCH_BAND * 100.0,
            t,
            holding.join(", ")
        );
    }
    if let Some(out) = &a.out {
        let v = serde_json::json!({
            "merged_from": a.reports,
            "count_together": if estimate.people_near.is_some() { holding.clone() } else { Vec::new() },
            "kinds": counts.iter().map(|(k, n)| serde_json::json!({"kind": k, "distinct": n})).collect::<Vec<_>>(),
            "estimate": estimate,
        });
        std::fs::write(out, serde_json::to_vec_pretty(&v)?)?;
        eprintln!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
