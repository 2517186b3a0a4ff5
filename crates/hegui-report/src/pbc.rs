//! The PBC workbook (需提供资料清单): the request list as audit firms exchange it with the
//! auditee — one row per request with what is asked, for which checkpoints, from whom, by
//! when, where it stands — and two columns for the auditee to fill in, its status (a
//! drop-down list) and its notes. [`read_xlsx`] reads those columns back; hegui-audit's
//! `requests::exchange` applies them.

use std::io::{Cursor, Read};

use hegui_audit::engagement::Engagement;
use hegui_audit::requests::exchange::{SheetRow, STATUS_WORDS};
use hegui_audit::requests::{Request, Timing};
use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};

use crate::sheet::{header, row};

/// Columns: the header as written, its width, and whether the auditee fills it in.
const COLUMNS: &[(&str, f64)] = &[
    ("编号 Code", 10.0),
    ("资料名称 Request", 36.0),
    ("说明 Description", 36.0),
    ("检查项 Checkpoints", 14.0),
    ("格式 Format", 12.0),
    ("期间 Period", 22.0),
    ("提供人 Assignees", 14.0),
    ("提出人 Requested by", 14.0),
    ("到期日 Due", 12.0),
    ("优先级 Priority", 10.0),
    ("状态 State", 12.0),
    ("已交文件 Files", 10.0),
    ("逾期 Overdue", 8.0),
    ("客户状态 Client status", 16.0),
    ("客户备注 Client notes", 40.0),
];

/// What the second sheet tells the auditee.
const ABOUT: &[&str] = &[
    "请只填写“客户状态”和“客户备注”两列；其他列由审计方维护，改动不会被读取。",
    "客户状态：进行中 / 不适用（请在备注中说明理由）/ 已提交（文件须已在 hegui 中上传）。",
    "文件请在 hegui 中上传到对应编号的请求；本表不传递文件。",
    "Fill in only the Client status and Client notes columns; the audit team keeps the others, and changes to them are not read.",
    "Client status: 进行中 in progress / 不适用 not applicable (give the reason in the notes) / 已提交 submitted (files uploaded in hegui first).",
    "Upload files to the request with the same code in hegui; this sheet carries no files.",
];

/// The words each column's header starts with, to find the columns again in a sheet the
/// auditee may have reordered.
const CODE: &str = "编号";
const STATUS: &str = "客户状态";
const NOTES: &str = "客户备注";

fn state_zh(s: &str) -> &'static str {
    match s {
        "draft" => "草稿",
        "open" => "待提供",
        "in_progress" => "准备中",
        "submitted" => "已提交",
        "returned" => "已退回",
        "accepted" => "已接受",
        "cancelled" => "已取消",
        _ => "",
    }
}

/// The workbook of `rows` (requests with where they stand today).
pub fn to_xlsx(e: &Engagement, rows: &[(Request, Timing)]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("PBC")?;
    header(ws, COLUMNS)?;
    for (i, (r, t)) in rows.iter().enumerate() {
        let period = match (&r.period_from, &r.period_to) {
            (None, None) => String::new(),
            (f, t) => format!(
                "{} – {}",
                f.as_deref().unwrap_or(""),
                t.as_deref().unwrap_or("")
            ),
        };
        let cells = [
            r.code.clone(),
            r.title.clone(),
            r.description.clone(),
            r.checkpoints.join(", "),
            r.format.clone(),
            period,
            r.assignees.join(", "),
            r.requested_by.clone(),
            r.due.clone().unwrap_or_default(),
            r.priority.as_str().to_string(),
            format!("{} {}", state_zh(r.state.as_str()), r.state.as_str()),
            r.revision.to_string(),
            if t.overdue {
                "是 yes".into()
            } else {
                String::new()
            },
            String::new(),
            String::new(),
        ];
        row(ws, i as u32 + 1, &cells)?;
    }
    let last = rows.len().max(1) as u32;
    let words: Vec<&str> = STATUS_WORDS.iter().map(|(zh, _, _)| *zh).collect();
    let status_col = (COLUMNS.len() - 2) as u16;
    ws.add_data_validation(
        1,
        status_col,
        last + 200,
        status_col,
        &DataValidation::new().allow_list_strings(&words)?,
    )?;
    let about = wb.add_worksheet();
    about.set_name("说明 About")?;
    about.set_column_width(0, 100.0)?;
    let bold = Format::new().set_bold();
    about.write_string_with_format(
        0,
        0,
        format!("{} · {} · 需提供资料清单 PBC list", e.code, e.processor),
        &bold,
    )?;
    for (i, line) in ABOUT.iter().enumerate() {
        about.write_string(i as u32 + 2, 0, *line)?;
    }
    wb.save_to_buffer()
}

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not an XLSX workbook: {0}")]
    NotXlsx(String),
    #[error("the workbook decompresses to more than {0} MiB")]
    TooLarge(u64),
    #[error("no sheet has the columns {CODE}, {STATUS} and {NOTES} in its first row")]
    NoColumns,
}

/// The most a workbook may decompress to.
const MAX_UNPACKED: u64 = 64 << 20;

/// Decompresses every part once, counting: a zip bomb is refused before the reader holds it.
fn check_size(bytes: &[u8]) -> Result<(), ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
        loop {
            match part.read(&mut buf) {
                Ok(0) => break,
                Ok(k) => total += k as u64,
                Err(e) => return Err(ReadError::NotXlsx(e.to_string())),
            }
            if total > MAX_UNPACKED {
                return Err(ReadError::TooLarge(MAX_UNPACKED >> 20));
            }
        }
    }
    Ok(())
}

/// The code, client status and client notes of every data row of the first sheet that has
/// those columns, with the row numbers the spreadsheet shows.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetRow>, ReadError> {
    check_size(bytes)?;
    // The reader is a library's: a panic on a hostile file is this file's error.
    std::panic::catch_unwind(|| read_rows(bytes))
        .unwrap_or_else(|_| Err(ReadError::NotXlsx("the reader failed on this file".into())))
}

fn read_rows(bytes: &[u8]) -> Result<Vec<SheetRow>, ReadError> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::NotXlsx(e.to_string()))?;
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            continue;
        };
        let mut rows = range.rows();
        let Some(head) = rows.next() else {
            continue;
        };
        let find = |w: &str| {
            head.iter()
                .position(|c| c.to_string().trim().starts_with(w))
        };
        let (Some(code), Some(status), Some(notes)) = (find(CODE), find(STATUS), find(NOTES))
        else {
            continue;
        };
        let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        let cell =
            |r: &[calamine::Data], i: usize| r.get(i).map(|c| c.to_string()).unwrap_or_default();
        let out = rows
            .enumerate()
            .map(|(i, r)| SheetRow {
                row: start + i + 2,
                code: cell(r, code),
                client_status: cell(r, status),
                client_notes: cell(r, notes),
            })
            .filter(|r| {
                !(r.code.trim().is_empty()
                    && r.client_status.trim().is_empty()
                    && r.client_notes.trim().is_empty())
            })
            .collect();
        return Ok(out);
    }
    Err(ReadError::NoColumns)
}
