//! `hegui policy check`: a privacy policy judged element by element against the rubric.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use hegui_core::inventory::{self, Syntax};
use hegui_policy::{Analysis, Status};

use crate::input;
use crate::output::{self, Lang};

#[derive(Subcommand)]
pub enum PolicyCmd {
    /// Judge privacy policies (HTML, PDF, DOCX, Markdown, text) against the 38 elements the law
    /// requires; exit 1 when one is absent or deficient, 2 when a file cannot be read.
    Check(CheckArgs),
    /// Compare two versions of a policy element by element: each element's status before
    /// and after and the passages that went and came; exit 1 when an element got worse.
    Diff(super::policy_diff::DiffArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    Table,
    Json,
    Md,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Policy files: .html, .pdf, .docx, .md, .txt (UTF-8 or GBK).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    with: Reading,
}

/// What `check` and `diff` share: the facts known before the text, and the output.
#[derive(Args)]
pub(super) struct Reading {
    /// The processor's profile: its facts (sensitive PI, minors, provision to others,
    /// transfers abroad, personalised push, the PIPO) decide which elements apply.
    #[arg(long)]
    profile: Option<String>,
    /// A fact, as FACT=yes or FACT=no (repeatable); over the profile and the text.
    #[arg(long, value_name = "FACT=yes|no")]
    assume: Vec<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub(super) format: PolicyFormat,
    #[arg(long, value_enum, default_value = "zh")]
    pub(super) lang: Lang,
}

impl Reading {
    /// The profile, if given, and the facts known before the text is read.
    pub(super) fn facts(&self) -> Result<(Option<inventory::Profile>, hegui_policy::Given)> {
        let profile = profile(self.profile.as_deref())?;
        let given = given(&self.assume, profile.as_ref())?;
        Ok((profile, given))
    }
}

pub fn run(c: PolicyCmd) -> Result<ExitCode> {
    match c {
        PolicyCmd::Check(a) => check(a),
        PolicyCmd::Diff(a) => super::policy_diff::run(a),
    }
}

/// The profile, when one is given.
fn profile(path: Option<&str>) -> Result<Option<inventory::Profile>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = input::read_profile(path)?;
    Ok(Some(inventory::load(&text, path, Syntax::from_path(path))?))
}

/// The facts known before the text is read: the profile's, then `--assume`.
fn given(assume: &[String], profile: Option<&inventory::Profile>) -> Result<hegui_policy::Given> {
    let rubric = &hegui_core::law::Law::get().policy_rubric;
    let mut out = profile
        .map(hegui_policy::given::from_profile)
        .unwrap_or_default();
    for s in assume {
        let (fact, value) = s
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--assume {s:?}: expected FACT=yes or FACT=no"))?;
        if rubric.fact(fact).is_none() {
            let all: Vec<&str> = rubric.facts.iter().map(|f| f.id.as_str()).collect();
            bail!(
                "--assume {s:?}: unknown fact {fact:?}; facts are: {}",
                all.join(", ")
            );
        }
        let v = match value {
            "yes" | "true" => true,
            "no" | "false" => false,
            _ => bail!("--assume {s:?}: expected yes or no after ="),
        };
        out.insert(fact.to_string(), (v, "assume".to_string()));
    }
    Ok(out)
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let (profile, given) = a.with.facts()?;
    let mut analyses = Vec::new();
    let mut unreadable = false;
    for f in &a.files {
        let name = f.display().to_string();
        let result = hegui_policy::given::analyse_file(f, profile.as_ref(), &given);
        match result {
            Ok(an) => analyses.push(an),
            Err(e) => {
                eprintln!("hegui: {name}: {e}");
                unreadable = true;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    match a.with.format {
        PolicyFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &analyses)?;
            writeln!(out)?;
        }
        PolicyFormat::Table => {
            for an in &analyses {
                writeln!(out, "{}", table(an, a.with.lang))?;
            }
        }
        PolicyFormat::Md => {
            for an in &analyses {
                write!(out, "{}", markdown(an, a.with.lang))?;
            }
        }
    }
    let flagged = analyses.iter().any(|an| an.needs_attention());
    Ok(if unreadable {
        ExitCode::from(2)
    } else if flagged {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub(super) fn status_word(s: Status, lang: Lang) -> &'static str {
    match (s, lang.zh()) {
        (Status::Present, true) => "具备",
        (Status::Deficient, true) => "有缺陷",
        (Status::Absent, true) => "缺失",
        (Status::NotApplicable, true) => "不适用",
        (s, false) => s.name(),
    }
}

/// What a verdict rests on, for a table cell: the reason and the first passage.
pub(super) fn basis(v: &hegui_policy::Verdict, lang: Lang) -> String {
    let reason = if lang.zh() { &v.reason } else { &v.reason_en };
    let quote = v.evidence.first().map(|e| {
        let q: String = e.quote.chars().take(60).collect();
        let more = if e.quote.chars().count() > 60 {
            "…"
        } else {
            ""
        };
        format!("“{q}{more}”")
    });
    [reason.clone(), quote]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

fn table(an: &Analysis, lang: Lang) -> String {
    let (h_el, h_st, h_cp, h_basis) = if lang.zh() {
        ("要素", "结论", "检查项", "依据")
    } else {
        ("element", "status", "checkpoints", "basis")
    };
    let mut t = output::table(&["id", h_el, h_st, h_cp, h_basis]);
    for v in &an.elements {
        t.add_row(vec![
            v.id.clone(),
            if lang.zh() {
                v.zh.clone()
            } else {
                v.en.clone()
            },
            status_word(v.status, lang).to_string(),
            v.checkpoints.join(" "),
            basis(v, lang),
        ]);
    }
    let flagged = an.flagged().count();
    let mut s = format!("{} ({})\n{t}\n{flagged} flagged", an.source, an.format);
    for m in &an.inventory_mismatches {
        let msg = if lang.zh() { &m.message } else { &m.message_en };
        s.push_str(&format!("\n{} [{}]: {msg}", m.element, m.kind));
    }
    s
}

fn markdown(an: &Analysis, lang: Lang) -> String {
    let mut s = format!("## {}\n\n| id | | | |\n|---|---|---|---|\n", an.source);
    for v in &an.elements {
        let name = if lang.zh() { &v.zh } else { &v.en };
        let b = basis(v, lang).replace('\n', " ").replace('|', "\\|");
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            v.id,
            name,
            status_word(v.status, lang),
            b
        ));
    }
    for m in &an.inventory_mismatches {
        let msg = if lang.zh() { &m.message } else { &m.message_en };
        s.push_str(&format!("\n- {} `{}`: {msg}", m.element, m.kind));
    }
    s.push('\n');
    s
}
