//! `hegui calendar …`: working-day arithmetic.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use hegui_core::calendar::{weekday_zh, Calendar};

use crate::input;
use crate::output::{print_json, print_rows, Format};

#[derive(Subcommand)]
pub enum CalendarCmd {
    /// The N-th working day after DATE (DATE not counted); negative N counts back.
    Add {
        date: String,
        #[arg(allow_negative_numbers = true)]
        days: i64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Working days in (FROM, TO].
    Between { from: String, to: String },
    /// Every date of a year with its kind and holiday name.
    Show {
        year: i16,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub fn run(cmd: CalendarCmd, cal: &Calendar) -> Result<ExitCode> {
    match cmd {
        CalendarCmd::Add { date, days, format } => {
            let from = input::date(&date)?;
            let due = cal.add_working_days(from, days)?;
            if format == Format::Json {
                return print_json(&serde_json::json!({
                    "from": from, "working_days": days, "date": due, "weekday": weekday_zh(due.weekday()),
                }));
            }
            println!("{due}");
            eprintln!(
                "({days} working days after {from}; {})",
                weekday_zh(due.weekday())
            );
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::Between { from, to } => {
            let n = cal.working_days_between(input::date(&from)?, input::date(&to)?)?;
            println!("{n}");
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::Show { year, format } => {
            let days = cal.year_days(year)?;
            if format == Format::Json {
                return print_json(&days);
            }
            let rows = days
                .iter()
                .map(|d| {
                    vec![
                        d.date.to_string(),
                        d.weekday.clone(),
                        if d.working_day {
                            "working day"
                        } else {
                            "day off"
                        }
                        .to_string(),
                        d.holiday.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let code = print_rows(format, &["date", "weekday", "working_day", "holiday"], rows)?;
            if format == Format::Table {
                let s = cal.schedule(year)?;
                eprintln!("{year}: {} ({}), {}", s.notice, s.published, s.origin);
            }
            Ok(code)
        }
    }
}
