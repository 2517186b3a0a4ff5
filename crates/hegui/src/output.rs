//! Output helpers: the `--format` choices and table rendering.

use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

/// Output formats of read commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Md,
}

/// The language reasons and titles are printed in (`--lang`): Chinese by default, as
/// auditors and auditees work in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English (the law's text in the law data's English translation)
    En,
}

impl Lang {
    pub fn zh(self) -> bool {
        self == Lang::Zh
    }
}

/// A table with headers, wrapped to the terminal width when there is a terminal.
pub fn table(headers: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().copied());
    t
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize + ?Sized>(v: &T) -> Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(ExitCode::SUCCESS)
}

/// Prints rows as CSV with a header.
pub fn print_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<ExitCode> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    w.write_record(headers)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints rows as a Markdown table.
pub fn print_md(headers: &[&str], rows: &[Vec<String>]) -> Result<ExitCode> {
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    println!("| {} |", headers.join(" | "));
    println!("|{}", "---|".repeat(headers.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| esc(c)).collect();
        println!("| {} |", cells.join(" | "));
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints rows in the chosen format (JSON is handled by the caller, with richer data).
pub fn print_rows(format: Format, headers: &[&str], rows: Vec<Vec<String>>) -> Result<ExitCode> {
    match format {
        Format::Csv => print_csv(headers, &rows),
        Format::Md => print_md(headers, &rows),
        _ => {
            let mut t = table(headers);
            for r in rows {
                t.add_row(r);
            }
            println!("{t}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
