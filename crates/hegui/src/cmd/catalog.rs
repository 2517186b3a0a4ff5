//! `hegui catalog …`: browse and export the law data.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use hegui_core::law::{Framework, Law};

use crate::output::{print_json, print_rows, Format};

#[derive(Subcommand)]
pub enum CatalogCmd {
    /// List the Guideline's checkpoints.
    List(ListArgs),
    /// Show one checkpoint (e.g. G13.4) in full, or a focus area (e.g. 13).
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Export the catalog as a spreadsheet for Excel or WPS.
    Export {
        /// Only `xlsx`.
        #[arg(long, value_parser = ["xlsx"], default_value = "xlsx")]
        format: String,
        #[arg(short, long, value_name = "FILE")]
        output: String,
    },
    /// The Measures' 20 articles and whom each binds.
    Measures {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The PI taxonomy with sensitivity per framework.
    Taxonomy {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Thresholds and deadlines with their sources.
    Thresholds {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Only this focus area (2–27).
    #[arg(long)]
    area: Option<u8>,
}

pub fn run(cmd: CatalogCmd) -> Result<ExitCode> {
    let law = Law::get();
    match cmd {
        CatalogCmd::List(a) => list(law, a),
        CatalogCmd::Show { id, format } => show(law, &id, format),
        CatalogCmd::Export { output, .. } => {
            hegui_report::catalog::write_workbook(law, std::path::Path::new(&output))?;
            eprintln!("wrote {output}");
            Ok(ExitCode::SUCCESS)
        }
        CatalogCmd::Measures { format } => measures(law, format),
        CatalogCmd::Taxonomy { format } => taxonomy(law, format),
        CatalogCmd::Thresholds { format } => thresholds(law, format),
    }
}

fn cites(c: &[hegui_core::law::Citation]) -> String {
    c.iter()
        .map(|c| c.display_en())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(law: &Law, a: ListArgs) -> Result<ExitCode> {
    if let Some(n) = a.area {
        if law.guideline.area(n).is_none() {
            bail!("there is no focus area {n}: the Guideline's areas are items 2 to 27");
        }
    }
    let items: Vec<_> = law
        .guideline
        .checkpoints()
        .filter(|(area, _)| a.area.is_none_or(|n| area.item == n))
        .collect();
    if a.format == Format::Json {
        let v: Vec<_> = items
            .iter()
            .map(|(area, c)| {
                serde_json::json!({
                    "id": c.id, "area": area.item, "area_title_zh": area.title_zh,
                    "area_title_en": area.title_en, "text_zh": c.text_zh, "text_en": c.text_en,
                    "cites": c.cites, "applies": c.condition(area),
                    "applies_in_words": hegui_core::facts::describe(&c.condition(area)),
                    "evidence_zh": c.evidence_zh, "procedures_zh": c.procedures_zh,
                    "evidence_en": c.evidence_en, "procedures_en": c.procedures_en,
                })
            })
            .collect();
        return print_json(&v);
    }
    let wide = a.format != Format::Table;
    let headers: &[&str] = if wide {
        &[
            "id",
            "area",
            "area_title",
            "text_zh",
            "text_en",
            "cites",
            "applies",
        ]
    } else {
        &["id", "focus area", "checkpoint (原文)", "cites"]
    };
    let rows = items
        .iter()
        .map(|(area, c)| {
            if wide {
                vec![
                    c.id.clone(),
                    area.item.to_string(),
                    area.title_zh.clone(),
                    c.text_zh.clone(),
                    c.text_en.clone(),
                    cites(&c.cites),
                    hegui_core::facts::describe(&c.condition(area)).zh,
                ]
            } else {
                vec![
                    c.id.clone(),
                    format!("{} {}", area.numeral, area.title_zh),
                    c.text_zh.clone(),
                    cites(&c.cites),
                ]
            }
        })
        .collect();
    print_rows(a.format, headers, rows)
}

fn show(law: &Law, id: &str, format: Format) -> Result<ExitCode> {
    if let Ok(n) = id.trim_start_matches(['G', 'g']).parse::<u8>() {
        if let Some(area) = law.guideline.area(n) {
            if n == 7 && id.to_ascii_uppercase().starts_with('G') {
                // G7 is a checkpoint; fall through.
            } else {
                if format == Format::Json {
                    return print_json(area);
                }
                println!("{}、{} — {}", area.numeral, area.title_zh, area.title_en);
                if let Some(intro) = &area.intro_zh {
                    println!("{intro}\n{}", area.intro_en.as_deref().unwrap_or(""));
                }
                for c in &area.checkpoints {
                    println!(
                        "  {:7} {}{}",
                        c.id,
                        c.number.as_deref().unwrap_or(""),
                        c.text_zh
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    let Some((area, c)) = law.guideline.checkpoint(id) else {
        let ids: Vec<&str> = law
            .guideline
            .checkpoints()
            .map(|(_, c)| c.id.as_str())
            .collect();
        let near = ids
            .iter()
            .map(|i| (strsim_like(id, i), *i))
            .filter(|(s, _)| *s)
            .map(|(_, i)| i)
            .take(5)
            .collect::<Vec<_>>();
        bail!(
            "no checkpoint {id:?}; ids run G2.1 … G27.8 (and G7){}",
            if near.is_empty() {
                String::new()
            } else {
                format!(" — nearby: {}", near.join(", "))
            }
        );
    };
    if format == Format::Json {
        return print_json(&serde_json::json!({
            "id": c.id, "area": area.item, "area_title_zh": area.title_zh, "area_title_en": area.title_en,
            "area_intro_zh": area.intro_zh, "number": c.number, "text_zh": c.text_zh, "text_en": c.text_en,
            "cites": c.cites, "applies": c.condition(area),
            "applies_in_words": hegui_core::facts::describe(&c.condition(area)),
            "evidence_zh": c.evidence_zh, "procedures_zh": c.procedures_zh,
            "evidence_en": c.evidence_en, "procedures_en": c.procedures_en,
        }));
    }
    println!(
        "{} — {}、{}（{}）",
        c.id, area.numeral, area.title_zh, area.title_en
    );
    if let Some(intro) = &area.intro_zh {
        println!("\n{intro}");
    }
    println!("{}{}", c.number.as_deref().unwrap_or(""), c.text_zh);
    println!("\n{}", c.text_en);
    let applies = hegui_core::facts::describe(&c.condition(area));
    println!("\n依据 Basis：{}", cites(&c.cites));
    println!("适用条件：{}", applies.zh);
    println!("Applies when: {}", applies.en);
    let list = |title: &str, items: &[String]| {
        println!("\n{title}");
        for i in items {
            println!("  - {i}");
        }
    };
    list("典型证据：", &c.evidence_zh);
    list("建议程序：", &c.procedures_zh);
    list("Typical evidence:", &c.evidence_en);
    list("Suggested procedures:", &c.procedures_en);
    Ok(ExitCode::SUCCESS)
}

/// Same area prefix ("G13" for "G13.9").
fn strsim_like(asked: &str, id: &str) -> bool {
    let area = |s: &str| {
        s.to_ascii_uppercase()
            .split('.')
            .next()
            .unwrap_or("")
            .to_string()
    };
    area(asked) == area(id)
}

fn measures(law: &Law, format: Format) -> Result<ExitCode> {
    if format == Format::Json {
        return print_json(&law.measures);
    }
    let rows = law
        .measures
        .articles
        .iter()
        .map(|a| {
            let binds: Vec<String> = a
                .binds
                .iter()
                .map(|b| {
                    serde_json::to_value(b)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                })
                .collect();
            vec![
                a.numeral.clone(),
                a.title_en.clone(),
                binds.join(", "),
                a.text_zh.join("\n"),
            ]
        })
        .collect();
    print_rows(format, &["article", "title", "binds", "text"], rows)
}

fn taxonomy(law: &Law, format: Format) -> Result<ExitCode> {
    if format == Format::Json {
        return print_json(&law.taxonomy);
    }
    let label = |s| match s {
        hegui_core::law::Sensitivity::Sensitive => "sensitive",
        hegui_core::law::Sensitivity::Conditional => "conditional",
        hegui_core::law::Sensitivity::NotListed => "-",
    };
    let rows = law
        .taxonomy
        .items()
        .map(|i| {
            vec![
                i.id.clone(),
                i.name_zh.clone(),
                i.name_en.clone(),
                i.pipl28.clone().unwrap_or_else(|| "-".into()),
                label(i.sensitivity(Framework::Gb45574)).into(),
                label(i.sensitivity(Framework::Gb35273)).into(),
            ]
        })
        .collect();
    print_rows(
        format,
        &[
            "id",
            "名称",
            "name",
            "PIPL 28",
            "GB/T 45574 (default)",
            "GB/T 35273 App. B",
        ],
        rows,
    )
}

fn thresholds(law: &Law, format: Format) -> Result<ExitCode> {
    if format == Format::Json {
        return print_json(&law.thresholds);
    }
    let mut rows: Vec<Vec<String>> = law
        .thresholds
        .thresholds
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                format!("≥ {}", hegui_core::facts::fmt_count(t.value)),
                t.wording_zh.clone(),
                t.cite.display_en(),
                format!("{:?}", t.confidence),
            ]
        })
        .collect();
    rows.extend(law.thresholds.deadlines.iter().map(|d| {
        let amount = match (d.amount, d.unit, d.date, d.month, d.day) {
            (Some(a), Some(u), ..) => format!(
                "{a} {}",
                serde_json::to_value(u)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_default()
            ),
            (_, _, Some(date), ..) => format!("by {date}"),
            (_, _, _, Some(m), Some(day)) => format!("by {m:02}-{day:02} each year"),
            _ => String::new(),
        };
        vec![
            d.id.clone(),
            amount,
            d.from.clone(),
            d.cite.display_en(),
            format!("{:?}", d.confidence),
        ]
    }));
    print_rows(
        format,
        &["id", "value", "wording / from", "source", "checked"],
        rows,
    )
}
