//! PDF (pdf-extract over lopdf; CJK text through the fonts' ToUnicode maps). A PDF has
//! lines, not paragraphs: a line that fills the page's width and does not end a sentence
//! is joined to the next (the typesetter wrapped it), a numbered short line is a heading,
//! and short lines (table rows, list items) stay on their own. A PDF with no text — a scan
//! — is an error for that file.

use crate::document::Document;
use crate::extract::text::heading_level;
use crate::Error;

/// A line at least this share of the longest line's width was wrapped by the typesetter.
const FULL: f64 = 0.8;

pub(crate) fn read(bytes: &[u8]) -> Result<Document, Error> {
    let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
        .map_err(|_| {
            Error::Parse("the PDF reader failed on this file: damaged or not a PDF".into())
        })?
        .map_err(|e| Error::Parse(format!("not a readable PDF: {e}")))?;
    Ok(paragraphs(&text))
}

/// Display width: a Chinese character counts two.
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| if crate::document::is_cjk(c) { 2 } else { 1 })
        .sum()
}

/// The fields of a line that may be a table row: two or more runs of text separated by
/// spaces (a PDF keeps a table's cells as spaced text on one line).
fn fields(line: &str) -> usize {
    line.split_whitespace().count()
}

/// Lines `i..` that form a table: at least three lines (a header and two rows) with the
/// same number of fields, two or more, none of them a wrapped line. Returns its length.
fn table_at(lines: &[&str], i: usize, wrapped: &dyn Fn(&str) -> bool) -> usize {
    let n = fields(lines[i]);
    if n < 2 || wrapped(lines[i]) {
        return 0;
    }
    let run = lines[i..]
        .iter()
        .take_while(|l| !l.is_empty() && fields(l) == n && !wrapped(l))
        .count();
    if run >= 3 {
        run
    } else {
        0
    }
}

pub(crate) fn paragraphs(text: &str) -> Document {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0) as f64;
    let wrapped = |line: &str| {
        width(line) as f64 >= FULL * widest
            && !line.ends_with(['。', '；', '！', '？', '：', ':', ';'])
    };
    let mut d = Document::new();
    let mut para = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.is_empty() {
            flush(&mut d, &mut para);
            continue;
        }
        if para.is_empty() {
            if let Some(level) = heading_level(line) {
                d.heading(level, line);
                continue;
            }
            let rows = table_at(&lines, i - 1, &wrapped);
            if rows > 0 {
                let headers: Vec<String> = line.split_whitespace().map(str::to_string).collect();
                for row in &lines[i..i - 1 + rows] {
                    for (col, cell) in row.split_whitespace().enumerate() {
                        d.cell(&headers, col, cell);
                    }
                }
                i += rows - 1;
                continue;
            }
        }
        para.push_str(line);
        para.push('\n');
        if !wrapped(line) {
            flush(&mut d, &mut para);
        }
    }
    flush(&mut d, &mut para);
    d
}

fn flush(d: &mut Document, para: &mut String) {
    if !para.trim().is_empty() {
        d.paragraph(para);
    }
    para.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_join_short_lines_stand() {
        let text = "一、联系我们\n\
                    我们的地址为上海市浦东新区张江路88号，联系邮箱为dpo@starsea-\n\
                    games.example.sg，欢迎来信。\n\
                    功能 个人信息 目的\n\
                    实名认证 姓名、身份证号码 落实防沉迷要求\n\
                    游戏充值 订单记录 完成充值\n\
                    以上信息 仅用于所列目的。\n";
        let d = paragraphs(text);
        let texts: Vec<&str> = (0..d.blocks.len()).map(|i| d.block_text(i)).collect();
        assert_eq!(
            texts,
            [
                "一、联系我们",
                "我们的地址为上海市浦东新区张江路88号，联系邮箱为dpo@starsea-games.example.sg，欢迎来信。",
                "实名认证",
                "姓名、身份证号码",
                "落实防沉迷要求",
                "游戏充值",
                "订单记录",
                "完成充值",
                "以上信息仅用于所列目的。"
            ]
        );
        // The rows are cells under the first line's headers.
        assert_eq!(
            d.blocks[3].kind,
            crate::document::Kind::Cell {
                header: "个人信息".into(),
                table: "功能 | 个人信息 | 目的".into()
            }
        );
    }
}
