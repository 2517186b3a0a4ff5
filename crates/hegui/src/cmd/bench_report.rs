//! `hegui bench report`: builds a fully worked engagement in a temporary SQLite store — a
//! working paper on every one of the 111 checkpoints, findings with rectification items,
//! evidence linked to checkpoints — and times rendering each document from the store
//! (loading included). Rerun it to check the "well under 2 s" target; nothing here is a
//! pass/fail test.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use hegui_audit::engagement::{self, NewEngagement};
use hegui_audit::findings::{self, Severity};
use hegui_audit::independence::RotationReading;
use hegui_audit::store::Store;
use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
use hegui_audit::workpaper::{self, Conclusion, Edit};
use hegui_core::inventory::AuditKind;
use hegui_core::law::Law;
use hegui_report::audit_report::{self, Inputs, ReportOptions};

use crate::input;
use crate::output::table;

/// The example profile the benchmark (and the demo) audits.
pub const FINTECH_PROFILE: &str = include_str!("../../../../examples/fintech.yaml");

#[derive(Args)]
pub struct BenchReportArgs {
    /// Where to put the temporary store (default: a directory under the system temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Findings to record (each with one rectification item).
    #[arg(long, default_value_t = 30)]
    findings: usize,
    /// Evidence items to add.
    #[arg(long, default_value_t = 50)]
    evidence: usize,
    /// Timed runs per document (the best and the median are shown).
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

const ACTOR: &str = "bench";

/// A new commissioned engagement on the example profile; returns its code.
pub fn example_engagement(store: &Store) -> Result<String> {
    let today = input::today_cst();
    let e = engagement::create(
        store,
        &NewEngagement {
            profile_text: FINTECH_PROFILE.into(),
            profile_name: "fintech.yaml".into(),
            kind: AuditKind::Commissioned,
            trigger: None,
            body: Some("示例会计师事务所".into()),
            affiliates: vec![],
            lead: Some("合规审计负责人".into()),
            team: vec!["审计员甲".into(), "审计员乙".into()],
            period_start: jiff::civil::date(today.year() - 1, 1, 1),
            period_end: jiff::civil::date(today.year() - 1, 12, 31),
            start: today,
            deadline: None,
            attests_no_subdelegation: true,
            reading: RotationReading::Inclusive,
            override_reason: None,
            actor: ACTOR.into(),
        },
    )?;
    Ok(e.code)
}

/// A fully worked engagement: papers everywhere, findings, evidence.
fn populate(store: &Store, a: &BenchReportArgs) -> Result<String> {
    let code = example_engagement(store)?;
    let today = input::today_cst();
    let law = Law::get();
    let checkpoints: Vec<_> = law.guideline.checkpoints().map(|(_, c)| c).collect();
    for i in 0..a.evidence {
        let cp = &checkpoints[i % checkpoints.len()];
        vault::add(
            store,
            &code,
            NewEvidence {
                name: format!("evidence-{i}.txt"),
                content: format!("证据 {i}").repeat(200).into_bytes().into(),
                kind: EvidenceKind::File,
                collector: ACTOR.into(),
                effective_date: None,
                source: "bench".into(),
                description: String::new(),
                checkpoints: vec![cp.id.clone()],
            },
        )?;
    }
    let results = [
        Conclusion::Compliant,
        Conclusion::Compliant,
        Conclusion::PartiallyCompliant,
        Conclusion::NonCompliant,
    ];
    for (i, cp) in checkpoints.iter().enumerate() {
        let edit = Edit {
            add_procedures: cp.procedures_zh.clone(),
            result: Some(results[i % results.len()]),
            observations: Some(format!(
                "第 {i} 项检查点的审计发现：抽查记录与制度要求的比对情况。"
            )),
            ..Default::default()
        };
        workpaper::edit(store, &code, &cp.id, edit, ACTOR)?;
    }
    let sev = [Severity::High, Severity::Medium, Severity::Low];
    for i in 0..a.findings {
        let cp = &checkpoints[(i * 4 + 3) % checkpoints.len()];
        let code = findings::add(
            store,
            &code,
            &cp.id,
            sev[i % sev.len()],
            &format!("问题 {i}"),
            "制度未覆盖该处理活动，抽查样本中存在偏差。",
            ACTOR,
        )?;
        findings::add_item(
            store,
            &code,
            &code,
            "合规部",
            "修订制度并补做评估",
            today.checked_add(jiff::Span::new().days(60))?,
            ACTOR,
        )?;
    }
    Ok(code)
}

/// Renders one document into memory.
type Render<'a> = dyn Fn() -> Result<Vec<u8>> + 'a;

/// Times `render` over `runs` runs: (best, median, bytes of the last output).
fn time(
    runs: usize,
    mut render: impl FnMut() -> Result<Vec<u8>>,
) -> Result<(Duration, Duration, usize)> {
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        bytes = render()?.len();
        times.push(t.elapsed());
    }
    times.sort();
    Ok((times[0], times[times.len() / 2], bytes))
}

pub fn run(a: BenchReportArgs) -> Result<ExitCode> {
    let dir = a.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("hegui-bench-report-{}", std::process::id()))
    });
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    let store = Store::open(&db.to_string_lossy())?;
    let code = populate(&store, &a)?;
    let opts = ReportOptions::default();
    // The PDF: finding the fonts is timed once (it is once per command), typesetting per run.
    #[cfg(feature = "pdf")]
    let fonts = {
        let t = Instant::now();
        let f = hegui_report::pdf::Fonts::discover(&Default::default())?;
        println!(
            "fonts: {} / {} found in {:.0} ms",
            f.body(),
            f.heading(),
            t.elapsed().as_secs_f64() * 1000.0
        );
        f
    };
    #[cfg_attr(not(feature = "pdf"), allow(unused_mut))] // the PDF is pushed below
    let mut docs: Vec<(&str, Box<Render>)> = vec![
        (
            "audit report (DOCX)",
            Box::new(|| {
                let x = Inputs::load(&store, &code)?;
                Ok(audit_report::build(&x, &opts).to_docx()?)
            }),
        ),
        (
            "rectification report (DOCX)",
            Box::new(|| {
                let x = Inputs::load(&store, &code)?;
                Ok(hegui_report::rectification::build(&x, &opts).to_docx()?)
            }),
        ),
        (
            "workbook (XLSX)",
            Box::new(|| Ok(hegui_report::workbook::build(&store, &code)?.save_to_buffer()?)),
        ),
    ];
    #[cfg(feature = "pdf")]
    docs.push((
        "audit report (PDF)",
        Box::new(|| {
            let x = Inputs::load(&store, &code)?;
            Ok(hegui_report::pdf::render(
                &audit_report::build(&x, &opts),
                &fonts,
            )?)
        }),
    ));
    let mut t = table(&["document", "best ms", "median ms", "bytes"]);
    for (name, render) in &docs {
        let (best, median, bytes) = time(a.runs, render)?;
        t.add_row(vec![
            name.to_string(),
            format!("{:.0}", best.as_secs_f64() * 1000.0),
            format!("{:.0}", median.as_secs_f64() * 1000.0),
            bytes.to_string(),
        ]);
    }
    println!(
        "engagement {code}: {} working papers, {} findings, {} evidence items (store {})",
        Law::get().guideline.checkpoints().count(),
        a.findings,
        a.evidence,
        db.display()
    );
    println!("{t}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}
