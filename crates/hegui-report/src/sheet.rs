//! Worksheet helpers shared by the workbooks: a bold, frozen header row with column widths,
//! and wrapped, top-aligned text rows.

use rust_xlsxwriter::{Format, FormatAlign, Worksheet, XlsxError};

/// Writes the header row (title, width) and freezes it.
pub(crate) fn header(ws: &mut Worksheet, cols: &[(&str, f64)]) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#DDEBF7");
    for (i, (title, width)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *title, &bold)?;
        ws.set_column_width(i as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Writes row `r` as wrapped text.
pub(crate) fn row(ws: &mut Worksheet, r: u32, cells: &[String]) -> Result<(), XlsxError> {
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (c, v) in cells.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, v, &wrap)?;
    }
    Ok(())
}
