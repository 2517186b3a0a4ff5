//! The fuzz targets: every parser of outside input, each with its seeds and tokens.

use std::path::{Path, PathBuf};

use hegui_core::inventory::{self, Syntax};

use super::Target;

/// Every target's name, in the order `hegui bench fuzz` runs them.
pub const NAMES: &[&str] = &[
    "profile-yaml",
    "profile-json",
    "csv",
    "csv-gbk",
    "json",
    "jsonl",
    "xlsx",
    "parquet",
    "import",
    "signature",
    "calendar",
    "policy-html",
    "policy-docx",
    "policy-md",
    "policy-text",
    "policy-pdf",
];

/// Builds target `name`, its seeds made under `work` (a scratch directory).
pub fn make(name: &str, work: &Path) -> anyhow::Result<Box<dyn Target>> {
    std::fs::create_dir_all(work)?;
    Ok(match name {
        "profile-yaml" => Box::new(Profile { json: false }),
        "profile-json" => Box::new(Profile { json: true }),
        "csv" | "csv-gbk" | "json" | "jsonl" | "xlsx" | "parquet" => {
            Box::new(Scan::new(name, work)?)
        }
        "import" => Box::new(Import::new(work)?),
        "signature" => Box::new(Signature::new(work)?),
        "calendar" => Box::new(Calendar),
        "policy-html" | "policy-docx" | "policy-md" | "policy-text" | "policy-pdf" => {
            Box::new(Policy::new(name, work))
        }
        other => anyhow::bail!("no fuzz target {other:?}; targets: {}", NAMES.join(", ")),
    })
}

const EXAMPLES: [&str; 3] = [
    include_str!("../../../../examples/fintech.yaml"),
    include_str!("../../../../examples/large-platform.yaml"),
    include_str!("../../../../examples/small-merchant.yaml"),
];

/// Profiles: parsing (with the limits), validation, and the scope of what validates.
struct Profile {
    json: bool,
}

impl Target for Profile {
    fn name(&self) -> &'static str {
        if self.json {
            "profile-json"
        } else {
            "profile-yaml"
        }
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        EXAMPLES
            .iter()
            .map(|t| {
                if self.json {
                    let (v, _) = inventory::source::parse(t, false).expect("examples parse");
                    serde_json::to_vec_pretty(&v).expect("serialisable")
                } else {
                    t.as_bytes().to_vec()
                }
            })
            .collect()
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        if self.json {
            &[
                b"{",
                b"}",
                b"[",
                b"]",
                b"\"",
                b":",
                b",",
                b"null",
                b"1e999",
                b"-0",
                b"\\u0000",
                b"\"\\ud800\"",
            ]
        } else {
            &[
                b"&a ",
                b"*a",
                b"<<: *a",
                b"[",
                b"]",
                b"{",
                b"}",
                b": ",
                b"- ",
                b"\n  ",
                b"\"",
                b"'",
                b"!!str ",
                b"!!binary ",
                b"---\n",
                b"...\n",
                b"#",
                b"|\n",
                b">\n",
                b"? ",
                b"~",
                b"1_000_000",
                b"0x1F",
                b".nan",
                b"\t",
            ]
        }
    }

    fn run(&mut self, input: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(input);
        let syntax = if self.json {
            Syntax::Json
        } else {
            Syntax::Yaml
        };
        if let Ok(p) = inventory::load(&text, "fuzz", syntax) {
            let _ = hegui_core::scope::compute(&p);
        }
        Ok(())
    }
}

/// A scanned file of one format: written to a scratch file and scanned on one thread.
struct Scan {
    name: &'static str,
    file: PathBuf,
    seeds: Vec<Vec<u8>>,
    pool: rayon::ThreadPool,
    /// Inputs on which the workbook or Parquet library panicked (caught by the scanner).
    caught: u64,
}

impl Scan {
    fn new(name: &str, work: &Path) -> anyhow::Result<Scan> {
        let corpus = work.join("corpus");
        hegui_scan::synth::generate(
            &corpus,
            &hegui_scan::synth::GenOptions {
                seed: 11,
                people: 40,
                log_lines: 60,
                gbk_rows: 30,
                log_noise: 0.2,
                db_rows: 0,
            },
        )?;
        let read = |f: &str| std::fs::read(corpus.join(f));
        let (name, ext, seeds): (&'static str, &str, Vec<Vec<u8>>) = match name {
            "csv" => (
                "csv",
                "csv",
                vec![read("customers.csv")?, read("orders.csv")?],
            ),
            "csv-gbk" => ("csv-gbk", "csv", vec![read("customers_gbk.csv")?]),
            "jsonl" => ("jsonl", "jsonl", vec![read("events.jsonl")?]),
            "json" => {
                let lines = String::from_utf8_lossy(&read("events.jsonl")?).to_string();
                let items: Vec<&str> = lines.lines().filter(|l| !l.trim().is_empty()).collect();
                (
                    "json",
                    "json",
                    vec![format!("[{}]", items.join(",\n")).into_bytes()],
                )
            }
            "xlsx" => {
                let mut wb = hegui_report::catalog::build(hegui_core::law::Law::get())?;
                ("xlsx", "xlsx", vec![wb.save_to_buffer()?])
            }
            _ => {
                let p = work.join("seed.parquet");
                hegui_scan::synth::csv_to_parquet(&corpus.join("customers.csv"), &p)?;
                ("parquet", "parquet", vec![std::fs::read(&p)?])
            }
        };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
        Ok(Scan {
            name,
            file: work.join(format!("input.{ext}")),
            seeds,
            pool,
            caught: 0,
        })
    }
}

struct Discard;

impl hegui_scan::Output for Discard {
    fn finding(&mut self, _: &hegui_scan::Finding<'_>) -> std::io::Result<()> {
        Ok(())
    }
}

impl Target for Scan {
    fn name(&self) -> &'static str {
        self.name
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        self.seeds.clone()
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"\"",
            b",",
            b"\r\n",
            b"\n",
            b"\r",
            b"\t",
            b"\xef\xbb\xbf",
            b"\xd6\xd0\xb9\xfa",
            b"{",
            b"}",
            b"[",
            b"]",
            b":",
            b"\\u0000",
            b"\x00",
            b"11010519491231002X",
            b"13812345678",
            b"PK\x03\x04",
            b"PAR1",
        ]
    }

    fn run(&mut self, input: &[u8]) -> Result<(), String> {
        std::fs::write(&self.file, input).map_err(|e| format!("scratch file: {e}"))?;
        let mut opts = hegui_scan::ScanOptions::new(jiff::civil::date(2026, 12, 1));
        opts.sample = hegui_scan::Sample::Full;
        let report = self
            .pool
            .install(|| hegui_scan::scan(std::slice::from_ref(&self.file), &opts, &mut Discard))
            .map_err(|e| format!("scan error: {e}"))?;
        // The scanner turns a detector's panic into a source error: that is a bug too. A
        // library's panic it catches is counted.
        match report.sources.iter().find_map(|s| s.error.as_deref()) {
            Some(e) if e.contains("a detector failed") => Err(e.to_string()),
            Some(e) if e.contains("reader failed on this file") => {
                self.caught += 1;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn caught(&self) -> u64 {
        self.caught
    }
}

/// An engagement export: everything `import` checks before it writes.
struct Import {
    seed: Vec<u8>,
}

impl Import {
    fn new(work: &Path) -> anyhow::Result<Import> {
        let store =
            hegui_audit::store::Store::open(work.join("seed.db").to_str().unwrap_or("seed.db"))?;
        let code = crate::cmd::bench_report::example_engagement(&store)?;
        hegui_audit::vault::add(
            &store,
            &code,
            hegui_audit::vault::NewEvidence {
                name: "policy.txt".into(),
                content: "隐私政策 v3".as_bytes().to_vec().into(),
                kind: hegui_audit::vault::EvidenceKind::File,
                collector: "fuzz".into(),
                effective_date: None,
                source: "seed".into(),
                description: String::new(),
                checkpoints: vec!["G3.1".into()],
            },
        )?;
        hegui_audit::findings::add(
            &store,
            &code,
            "G3.1",
            hegui_audit::findings::Severity::High,
            "未告知",
            "",
            "fuzz",
        )?;
        let x = hegui_audit::transfer::export(&store, &code, "fuzz", "2026-12-01T00:00:00Z")?;
        Ok(Import {
            seed: serde_json::to_vec(&x)?,
        })
    }
}

impl Target for Import {
    fn name(&self) -> &'static str {
        "import"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        vec![self.seed.clone()]
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"\"compliant\"",
            b"null",
            b"0",
            b"-1",
            b"\"\"",
            b"[]",
            b"{}",
            b"\"ff\"",
            b"9999999999999999999",
            b"\"engagements\"",
            b"\"activity\"",
            b"\"state\"",
        ]
    }

    fn run(&mut self, input: &[u8]) -> Result<(), String> {
        if let Ok(x) = serde_json::from_slice::<hegui_audit::transfer::Export>(input) {
            let _ = hegui_audit::transfer::check(&x, None);
        }
        Ok(())
    }
}

/// A report's signature file, checked against the report.
struct Signature {
    report: PathBuf,
    digest: String,
    seed: Vec<u8>,
}

impl Signature {
    fn new(work: &Path) -> anyhow::Result<Signature> {
        let report = work.join("report.docx");
        std::fs::write(&report, b"a report")?;
        let sig = hegui_report::signature::sig_path(&report);
        let _ = std::fs::remove_file(&sig);
        let key = hegui_audit::signing::KeyFile::generate("审计负责人")?;
        let manifest = hegui_report::signature::Manifest {
            engagement: "ENG-2026-001".into(),
            evidence: Vec::new(),
        };
        let f = hegui_report::signature::sign(
            &report,
            manifest,
            &key,
            hegui_report::signature::Role::AuditLead,
            "2026-12-01T00:00:00Z",
        )?;
        Ok(Signature {
            digest: f.report_sha256.clone(),
            seed: std::fs::read(&sig)?,
            report,
        })
    }
}

impl Target for Signature {
    fn name(&self) -> &'static str {
        "signature"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        vec![self.seed.clone()]
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"\"",
            b"null",
            b"[]",
            b"\"principal\"",
            b"\"00\"",
            b"{}",
            b",",
        ]
    }

    fn run(&mut self, input: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(input);
        let _ = hegui_report::signature::verify_text(&text, "fuzz", &self.report, &self.digest);
        Ok(())
    }
}

/// A calendar file (a year's holidays and make-up working days).
struct Calendar;

impl Target for Calendar {
    fn name(&self) -> &'static str {
        "calendar"
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        hegui_core::calendar::BUILTIN
            .iter()
            .map(|(_, t)| t.as_bytes().to_vec())
            .collect()
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        &[
            b"[[",
            b"]]",
            b"[",
            b"]",
            b" = ",
            b"\"",
            b"2026-02-30",
            b"year = 9999",
            b"year = -1",
            b"\n",
            b"#",
            b"'''",
            b"1979-05-27T07:32:00Z",
        ]
    }

    fn run(&mut self, input: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(input);
        let mut cal = hegui_core::calendar::Calendar::with_builtin();
        if let Ok((year, _)) = cal.add_file(&text, "fuzz.toml") {
            if let Ok(d) = jiff::civil::Date::new(year, 1, 2) {
                let _ = cal.add_working_days(d, 15);
            }
        }
        Ok(())
    }
}

/// A privacy policy: extraction (HTML, DOCX, Markdown, text) and the judging of it.
struct Policy {
    ext: &'static str,
    path: PathBuf,
}

impl Policy {
    fn new(name: &str, work: &Path) -> Policy {
        let ext = match name {
            "policy-html" => "html",
            "policy-docx" => "docx",
            "policy-md" => "md",
            "policy-pdf" => "pdf",
            _ => "txt",
        };
        Policy {
            ext,
            path: work.join(format!("policy.{ext}")),
        }
    }
}

impl Target for Policy {
    fn name(&self) -> &'static str {
        match self.ext {
            "html" => "policy-html",
            "docx" => "policy-docx",
            "md" => "policy-md",
            "pdf" => "policy-pdf",
            _ => "policy-text",
        }
    }

    fn seeds(&self) -> Vec<Vec<u8>> {
        let all: [(&str, &[u8]); 8] = [
            (
                "pdf",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/overseas-game.pdf"
                )),
            ),
            (
                "html",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/flawed-shop.html"
                )),
            ),
            (
                "html",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/nearmiss-health.html"
                )),
            ),
            (
                "html",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/heldout-social.html"
                )),
            ),
            (
                "docx",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/overseas-game.docx"
                )),
            ),
            (
                "md",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/complete-ride.md"
                )),
            ),
            (
                "md",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/heldout-credit.md"
                )),
            ),
            (
                "txt",
                include_bytes!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../hegui-policy/tests/policies/minors-edu-gbk.txt"
                )),
            ),
        ];
        all.iter()
            .filter(|(e, _)| *e == self.ext)
            .map(|(_, b)| b.to_vec())
            .collect()
    }

    fn tokens(&self) -> &'static [&'static [u8]] {
        match self.ext {
            "html" => &[
                b"<div>",
                b"</div>",
                b"<table><tr><th>",
                b"<td>",
                b"<h2>",
                b"<script>",
                b"<!--",
                b"&amp;",
                b"<br>",
                b"\xe4\xb8",
            ],
            "docx" => &[
                b"PK\x03\x04",
                b"<w:p>",
                b"<w:tbl>",
                b"</w:tc>",
                b"&#0;",
                b"\x00\x00",
            ],
            "pdf" => &[
                b"obj",
                b"endobj",
                b"stream",
                b"endstream",
                b"/Type",
                b"<<",
                b">>",
                b"xref",
                b"%%EOF",
                b"\x00",
            ],
            "md" => &[
                b"\n# ",
                b"\n| a | b |\n|---|---|\n",
                b"- ",
                b"**",
                b"```",
                b"> ",
            ],
            // 。, 一、 and 不会 in UTF-8, and a UTF-16 byte-order mark.
            _ => &[
                b"\n",
                b"\xe3\x80\x82",
                b"\xe4\xb8\x80\xe3\x80\x81",
                b"\xe4\xb8\x8d\xe4\xbc\x9a",
                b"\xff\xfe",
            ],
        }
    }

    fn run(&mut self, input: &[u8]) -> Result<(), String> {
        std::fs::write(&self.path, input).map_err(|e| e.to_string())?;
        if let Ok((fmt, doc)) = hegui_policy::extract::read(&self.path) {
            if let Ok(a) = hegui_policy::check("fuzz", fmt.name(), &doc, &Default::default()) {
                for v in &a.elements {
                    for e in &v.evidence {
                        if doc.text.get(e.start..e.end).is_none() {
                            return Err(format!("{}: evidence outside the text", v.id));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
