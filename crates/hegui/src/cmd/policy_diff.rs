//! `hegui policy diff OLD NEW`: two versions of a privacy policy compared element by
//! element, with the passages that went and came (changes to the rules must be notified:
//! Guideline 四(五)).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use hegui_policy::diff::{Change, Diff, ElementDiff};

use super::policy::{status_word, PolicyFormat, Reading};
use crate::output::{self, Lang};

#[derive(Args)]
pub struct DiffArgs {
    /// The earlier version (.html, .pdf, .docx, .md, .txt).
    old: PathBuf,
    /// The later version.
    new: PathBuf,
    /// The profile, facts and output, as for `check` (both versions read alike).
    #[command(flatten)]
    with: Reading,
}

pub fn run(a: DiffArgs) -> Result<ExitCode> {
    let (profile, given) = a.with.facts()?;
    let mut analyses = Vec::new();
    for f in [&a.old, &a.new] {
        match hegui_policy::given::analyse_file(f, profile.as_ref(), &given) {
            Ok(an) => analyses.push(an),
            Err(e) => {
                eprintln!("hegui: {}: {e}", f.display());
                return Ok(ExitCode::from(2));
            }
        }
    }
    let d = hegui_policy::diff::diff(&analyses[0], &analyses[1]);
    let mut out = std::io::stdout().lock();
    match a.with.format {
        PolicyFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &d)?;
            writeln!(out)?;
        }
        PolicyFormat::Table => writeln!(out, "{}", table(&d, a.with.lang))?,
        PolicyFormat::Md => write!(out, "{}", markdown(&d, a.with.lang))?,
    }
    Ok(if d.worsened().next().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn change_word(c: Change, lang: Lang) -> &'static str {
    match (c, lang.zh()) {
        (Change::Unchanged, true) => "未变",
        (Change::Reworded, true) => "措辞变化",
        (Change::Improved, true) => "改善",
        (Change::Worsened, true) => "变差",
        (Change::Applicability, true) => "适用性变化",
        (c, false) => c.name(),
    }
}

fn clip(q: &str) -> String {
    let s: String = q.chars().take(60).collect();
    if q.chars().count() > 60 {
        format!("{s}…")
    } else {
        s
    }
}

/// The passages that went (−) and came (+), and the new reason.
fn passages(e: &ElementDiff, lang: Lang) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(e.removed.iter().map(|p| format!("− “{}”", clip(&p.quote))));
    lines.extend(e.added.iter().map(|p| format!("+ “{}”", clip(&p.quote))));
    let reason = if lang.zh() { &e.reason } else { &e.reason_en };
    if e.change == Change::Worsened {
        lines.extend(reason.clone());
    }
    lines.join("\n")
}

fn summary(d: &Diff, lang: Lang) -> String {
    let changed = d.changed().count();
    let worse = d.worsened().count();
    let mut s = if lang.zh() {
        format!(
            "{} → {}：{} 个要素有变化，其中 {} 个变差",
            d.old, d.new, changed, worse
        )
    } else {
        format!(
            "{} → {}: {changed} element(s) changed, {worse} worse",
            d.old, d.new
        )
    };
    for f in &d.facts {
        let q = f.evidence.first().map(|e| format!(" “{}”", clip(&e.quote)));
        s.push_str(&format!(
            "\n{} {}: {} → {}{}",
            if lang.zh() { "事实" } else { "fact" },
            f.id,
            f.old,
            f.new,
            q.unwrap_or_default()
        ));
    }
    s
}

fn table(d: &Diff, lang: Lang) -> String {
    let (h_el, h_st, h_ch, h_p) = if lang.zh() {
        ("要素", "结论", "变化", "原文（−删去 +新增）")
    } else {
        ("element", "status", "change", "passages (− gone + new)")
    };
    let mut t = output::table(&["id", h_el, h_st, h_ch, h_p]);
    for e in d.changed() {
        t.add_row(vec![
            e.id.clone(),
            if lang.zh() {
                e.zh.clone()
            } else {
                e.en.clone()
            },
            format!(
                "{} → {}",
                status_word(e.old, lang),
                status_word(e.new, lang)
            ),
            change_word(e.change, lang).to_string(),
            passages(e, lang),
        ]);
    }
    format!("{}\n{t}", summary(d, lang))
}

fn markdown(d: &Diff, lang: Lang) -> String {
    let mut s = format!(
        "## {}\n\n| id | | | | |\n|---|---|---|---|---|\n",
        summary(d, lang).replace('\n', "  \n")
    );
    for e in d.changed() {
        s.push_str(&format!(
            "| {} | {} | {} → {} | {} | {} |\n",
            e.id,
            if lang.zh() { &e.zh } else { &e.en },
            status_word(e.old, lang),
            status_word(e.new, lang),
            change_word(e.change, lang),
            passages(e, lang).replace('\n', "<br>").replace('|', "\\|")
        ));
    }
    s
}
