//! Spreadsheets (XLSX, XLS, ODS): each sheet a table, its first row the column names.

use std::path::Path;

use crate::pipeline::Ctx;
use crate::source::error::SourceError;
use crate::source::sampling::sampled;

/// A workbook cell as text: whole numbers without a fraction (phone numbers are often
/// stored as numbers), dates as ISO text.
pub(crate) fn cell_text(d: &calamine::Data) -> Option<String> {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        Data::Float(f) => Some(f.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(dt) => Some(excel_date(dt.as_f64())),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time if any.
pub(crate) fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    let base = jiff::civil::date(1899, 12, 30);
    let Ok(d) = base.checked_add(jiff::Span::new().days(days)) else {
        return serial.to_string();
    };
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs == 0 {
        d.to_string()
    } else {
        format!(
            "{d}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Every sheet of a workbook, as tables named `Sheet!column`.
pub(crate) fn workbook(path: &Path, ctx: &mut Ctx) -> Result<(), SourceError> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| SourceError::Read(format!("not a readable workbook: {e}")))?;
    let sheets = wb.sheet_names().to_vec();
    let mut errors = Vec::new();
    for sheet in sheets {
        let range = match wb.worksheet_range(&sheet) {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("sheet {sheet:?}: {e}"));
                continue;
            }
        };
        let mut rows = range.rows();
        let Some(header) = rows.next() else { continue };
        let mut columns: Vec<u32> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let name = cell_text(h)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("column {}", i + 1));
                ctx.field_id(&format!("{sheet}!{name}"))
            })
            .collect();
        let plan = ctx.opts.sample;
        sampled(plan, rows.map(|r| Ok(r.to_vec())), |n, cells| {
            sheet_row(&sheet, n, &cells, &mut columns, ctx)
        })?;
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(SourceError::Parse(errors.join("; "))),
    }
}

pub(crate) fn sheet_row(
    sheet: &str,
    n: u64,
    cells: &[calamine::Data],
    columns: &mut Vec<u32>,
    ctx: &mut Ctx,
) -> Result<(), SourceError> {
    ctx.acc.records += 1;
    for (i, c) in cells.iter().enumerate() {
        let Some(text) = cell_text(c) else { continue };
        while columns.len() <= i {
            let id = ctx.field_id(&format!("{sheet}!column {}", columns.len() + 1));
            columns.push(id);
        }
        ctx.push(n, columns[i], &text)?;
    }
    Ok(())
}
