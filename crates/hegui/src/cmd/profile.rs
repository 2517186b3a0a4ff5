//! `hegui check`, `hegui obligations`, `hegui scope`: commands on a processor profile.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use hegui_core::calendar::Calendar;
use hegui_core::inventory::{self, Profile, Syntax};
use hegui_core::scope::InScope;

use crate::input;
use crate::output::{print_json, print_rows, Format, Lang};

#[derive(Args)]
pub struct CheckArgs {
    /// The profile (YAML, or JSON by its .json name).
    profile: String,
    /// `table` prints one line per problem; `json` prints them as data.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Args)]
pub struct ObligationsArgs {
    profile: String,
    /// A `hegui scan` report (--report FILE or --format json): its people counts fill in or
    /// raise the profile's head-counts.
    #[arg(long, value_name = "REPORT")]
    scan: Option<String>,
    /// The date to compute from (YYYY-MM-DD); default today in China Standard Time.
    #[arg(long)]
    as_of: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The language of titles and reasons in table, CSV and Markdown output (JSON has both).
    #[arg(long, value_enum, default_value = "zh")]
    lang: Lang,
}

#[derive(Args)]
pub struct ScopeArgs {
    profile: String,
    /// A `hegui scan` report whose people counts fill in or raise the profile's head-counts.
    #[arg(long, value_name = "REPORT")]
    scan: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The language of focus areas and reasons in table, CSV and Markdown output.
    #[arg(long, value_enum, default_value = "zh")]
    lang: Lang,
}

/// Loads a profile; the error lists every problem with its position. With a scan report,
/// its measured counts are folded in (and what changed is said on stderr).
fn load(path: &str, scan: Option<&str>) -> Result<Profile> {
    let text = input::read_profile(path)?;
    let mut p = inventory::load(&text, path, Syntax::from_path(path))?;
    if let Some(report) = scan {
        let m = input::scan_counts(report)?;
        for note in inventory::apply_measured(&mut p, m) {
            eprintln!("hegui: {note}");
        }
    }
    Ok(p)
}

pub fn check(a: CheckArgs) -> Result<ExitCode> {
    let text = input::read_profile(&a.profile)?;
    match inventory::load(&text, &a.profile, Syntax::from_path(&a.profile)) {
        Ok(p) => {
            if a.format == Format::Json {
                return print_json(
                    &serde_json::json!({"file": a.profile, "valid": true, "diagnostics": []}),
                );
            }
            println!(
                "{}: valid — {} ({} activities, {} people)",
                a.profile,
                p.organisation.name,
                p.activities.len(),
                p.headcounts
                    .people
                    .map(hegui_core::facts::fmt_count)
                    .unwrap_or_else(|| "unknown".into())
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errs) => {
            if a.format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "file": errs.file, "valid": false, "diagnostics": errs.diagnostics,
                    }))?
                );
            } else {
                eprintln!("{errs}");
                eprintln!("{} problem(s) in {}", errs.diagnostics.len(), errs.file);
            }
            Ok(ExitCode::from(1))
        }
    }
}

pub fn obligations(a: ObligationsArgs, cal: &Calendar) -> Result<ExitCode> {
    let profile = load(&a.profile, a.scan.as_deref())?;
    let as_of = match &a.as_of {
        Some(s) => input::date(s)?,
        None => input::today_cst(),
    };
    let report = hegui_core::obligations::compute(&profile, as_of, cal);
    if a.format == Format::Json {
        return print_json(&report);
    }
    let rows = report
        .obligations
        .iter()
        .map(|o| {
            let zh = a.lang.zh();
            let mut title = if zh { &o.title_zh } else { &o.title_en }.clone();
            if o.advisory {
                title.push_str(" [advisory]");
            }
            if let Some(s) = &o.subject {
                title = format!("{title}\n  {s}");
            }
            let mut status = o.status.label().to_string();
            if let Some(f) = o.finding {
                status = format!("{status}\n{}", f.label());
            }
            let mut detail = o.detail.get(zh).to_string();
            if !o.missing.is_empty() {
                let label = if zh { "待补充" } else { "to fill in" };
                detail = format!("{detail}\n{label}: {}", o.missing.join(", "));
            }
            let cites: Vec<String> = o.cites.iter().map(|c| c.display_en()).collect();
            vec![
                title,
                status,
                o.due.clone().unwrap_or_default(),
                detail,
                cites.join(", "),
            ]
        })
        .collect();
    if a.format == Format::Table {
        println!("{} — obligations as of {}", report.processor, report.as_of);
    }
    print_rows(
        a.format,
        &["obligation", "status", "due", "why", "basis"],
        rows,
    )
}

pub fn scope(a: ScopeArgs) -> Result<ExitCode> {
    let profile = load(&a.profile, a.scan.as_deref())?;
    let scope = hegui_core::scope::compute(&profile);
    if a.format == Format::Json {
        return print_json(&scope);
    }
    if !scope.measures_apply {
        eprintln!("note: organisation.state_organ is true — the Measures do not apply (Art. 19)");
    }
    let rows = scope
        .items
        .iter()
        .map(|i| {
            let zh = a.lang.zh();
            let mut why = i.reason.get(zh).to_string();
            if !i.missing.is_empty() {
                let label = if zh { "待补充" } else { "to fill in" };
                why = format!("{why}\n{label}: {}", i.missing.join(", "));
            }
            let area = if zh {
                &i.area_title_zh
            } else {
                &i.area_title_en
            };
            vec![i.id.clone(), i.in_scope.label().into(), area.clone(), why]
        })
        .collect();
    let code = print_rows(
        a.format,
        &["checkpoint", "scope", "focus area", "why"],
        rows,
    )?;
    if a.format == Format::Table {
        println!(
            "{}: {} in scope, {} out of scope, {} cannot tell (of {})",
            scope.processor,
            scope.count(InScope::Yes),
            scope.count(InScope::No),
            scope.count(InScope::CannotTell),
            scope.items.len()
        );
    }
    Ok(code)
}
