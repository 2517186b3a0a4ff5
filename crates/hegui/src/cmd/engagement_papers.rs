//! `hegui engagement paper …` and `hegui engagement rectify …`: working papers (procedures,
//! population and sample, evidence, conclusion, sign-offs) and rectification items.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use hegui_audit::store::Store;

use crate::input;
use crate::output::{print_json, Format};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ResultArg {
    /// 符合
    Compliant,
    /// 部分符合
    PartiallyCompliant,
    /// 不符合
    NonCompliant,
    /// 不适用
    NotApplicable,
    /// 未测试
    NotTested,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StatusArg {
    Open,
    InProgress,
    Closed,
}

#[derive(Args)]
pub struct PaperArgs {
    engagement: String,
    /// The checkpoint (e.g. G13.4).
    checkpoint: String,
    /// A procedure performed (repeatable).
    #[arg(long = "procedure")]
    procedures: Vec<String>,
    /// What the sample is drawn from.
    #[arg(long, requires = "population_size")]
    population: Option<String>,
    #[arg(long)]
    population_size: Option<u64>,
    /// Draw an attribute sample from the population: confidence percent (e.g. 95).
    #[arg(long, requires_all = ["tolerable", "population_size"])]
    confidence: Option<f64>,
    /// Tolerable deviation rate, percent.
    #[arg(long)]
    tolerable: Option<f64>,
    /// Expected deviation rate, percent.
    #[arg(long, default_value_t = 0.0)]
    expected: f64,
    /// The seed the sample is selected with (anyone can reproduce it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// An evidence reference (repeatable).
    #[arg(long = "evidence")]
    evidence: Vec<String>,
    #[arg(long, value_enum)]
    result: Option<ResultArg>,
    #[arg(long)]
    observations: Option<String>,
    /// Accept the observation an analysed privacy policy proposes (the analysis's evidence
    /// code, e.g. EV-006): its text is appended to the observations.
    #[arg(long, value_name = "EV-…", conflicts_with = "observations")]
    accept_proposed: Option<String>,
    /// Sign off as preparer.
    #[arg(long, conflicts_with = "review")]
    prepare: bool,
    /// Sign off as reviewer (not the preparer).
    #[arg(long)]
    review: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Args)]
pub struct RectifyArgs {
    engagement: String,
    /// The finding (F-001).
    finding: String,
    /// Add an item: who is responsible.
    #[arg(long, requires_all = ["measure", "due"], conflicts_with = "item")]
    owner: Option<String>,
    #[arg(long)]
    measure: Option<String>,
    #[arg(long)]
    due: Option<String>,
    /// Change an item: its number.
    #[arg(long, requires = "status")]
    item: Option<i64>,
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
    /// The evidence that the measure works (needed to close).
    #[arg(long)]
    verification: Option<String>,
    /// The day it was closed (needed to close).
    #[arg(long)]
    closed_on: Option<String>,
}

pub fn paper(store: &Store, p: PaperArgs, who: &str) -> Result<ExitCode> {
    use hegui_audit::workpaper::{self, Conclusion, Edit, Population};
    let sample = match (p.confidence, p.tolerable, p.population_size) {
        (Some(c), Some(t), Some(n)) => {
            Some(hegui_core::sampling::plan(c, t, p.expected, n, p.seed)?)
        }
        _ => None,
    };
    let edit = Edit {
        add_procedures: p.procedures,
        population: p
            .population
            .zip(p.population_size)
            .map(|(description, size)| Population { description, size }),
        sample,
        add_evidence: p.evidence,
        result: p.result.map(|r| match r {
            ResultArg::Compliant => Conclusion::Compliant,
            ResultArg::PartiallyCompliant => Conclusion::PartiallyCompliant,
            ResultArg::NonCompliant => Conclusion::NonCompliant,
            ResultArg::NotApplicable => Conclusion::NotApplicable,
            ResultArg::NotTested => Conclusion::NotTested,
        }),
        observations: p.observations,
    };
    let mut changed = false;
    let mut paper = if edit.add_procedures.is_empty()
        && edit.population.is_none()
        && edit.sample.is_none()
        && edit.add_evidence.is_empty()
        && edit.result.is_none()
        && edit.observations.is_none()
    {
        workpaper::get(store, &p.engagement, &p.checkpoint)?
    } else {
        changed = true;
        workpaper::edit(store, &p.engagement, &p.checkpoint, edit, who)?
    };
    if let Some(code) = &p.accept_proposed {
        changed = true;
        paper = hegui_audit::vault::policy::accept(store, &p.engagement, &p.checkpoint, code, who)?;
    }
    if p.prepare {
        paper = workpaper::prepare(store, &p.engagement, &p.checkpoint, who)?;
    }
    if p.review {
        paper = workpaper::review(store, &p.engagement, &p.checkpoint, who)?;
    }
    if p.format == Format::Json {
        return print_json(&paper);
    }
    println!(
        "{} — {} ({}, revision {}{})",
        paper.checkpoint,
        paper.result_zh,
        paper.status,
        paper.revision,
        if changed { ", saved" } else { "" }
    );
    for pr in &paper.procedures {
        println!("  procedure: {pr}");
    }
    if let Some(pop) = &paper.population {
        println!("  population: {} ({} items)", pop.description, pop.size);
    }
    if let Some(s) = &paper.sample {
        println!(
            "  sample: {} items at {}% confidence, {}% tolerable, {}% expected; seed {}; items {}",
            s.size,
            s.confidence,
            s.tolerable,
            s.expected,
            s.seed,
            s.items
                .iter()
                .take(20)
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
                + if s.items.len() > 20 { ", …" } else { "" }
        );
    }
    if !paper.evidence.is_empty() {
        println!("  evidence: {}", paper.evidence.join(", "));
    }
    if !paper.observations.is_empty() {
        println!("  observations: {}", paper.observations);
    }
    for pr in hegui_audit::vault::policy::proposals(store, &p.engagement, &p.checkpoint)? {
        if pr.accepted {
            println!("  proposed by {} (accepted)", pr.analysis);
        } else {
            println!(
                "  proposed by {} ({} flagged; accept with --accept-proposed {}):\n    {}",
                pr.analysis,
                pr.flagged,
                pr.analysis,
                pr.text.replace('\n', "\n    ")
            );
        }
    }
    println!(
        "  prepared: {}  reviewed: {}",
        paper.prepared_by.as_deref().unwrap_or("-"),
        paper.reviewed_by.as_deref().unwrap_or("-")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn rectify(
    store: &Store,
    r: RectifyArgs,
    calendar: &hegui_core::calendar::Calendar,
    who: &str,
) -> Result<ExitCode> {
    use hegui_audit::findings::{self, ItemStatus};
    if let (Some(owner), Some(measure), Some(due)) = (&r.owner, &r.measure, &r.due) {
        let seq = findings::add_item(
            store,
            &r.engagement,
            &r.finding,
            owner,
            measure,
            input::date(due)?,
            who,
        )?;
        println!("{}/{seq}", r.finding);
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(item), Some(status)) = (r.item, r.status) else {
        bail!("give --owner, --measure and --due to add an item, or --item N --status STATUS to change one");
    };
    let status = match status {
        StatusArg::Open => ItemStatus::Open,
        StatusArg::InProgress => ItemStatus::InProgress,
        StatusArg::Closed => ItemStatus::Closed,
    };
    let closed_on = r.closed_on.as_deref().map(input::date).transpose()?;
    let l = findings::set_status(
        store,
        &r.engagement,
        &r.finding,
        item,
        status,
        r.verification.as_deref(),
        closed_on,
        calendar,
        who,
    )?;
    match (&l.rectification_done, &l.report_due) {
        (Some(done), Some(due)) => {
            println!("rectification complete on {done}; report due by {due} (Measures Art. 11)")
        }
        (Some(done), None) => println!("rectification complete on {done}"),
        _ => println!("{} open item(s) left", l.open_items),
    }
    Ok(ExitCode::SUCCESS)
}
