//! A policy as hegui reads it: its text, in blocks (headings, paragraphs, list items,
//! table cells), each with the headings it sits under. Every extractor builds one of these;
//! the judge never sees the file's format.

use serde::Serialize;

/// What a block is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A heading, level 1 (the top) to 6.
    Heading(u8),
    Paragraph,
    /// A table cell, with its column's header (the first row's cell) when there is one,
    /// and all the table's headers joined by ` | ` (what the table is about).
    Cell {
        header: String,
        table: String,
    },
}

/// A run of the text: `text[start..end]`.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// The headings this block is under, outermost first (indices into the blocks).
    pub headings: Vec<usize>,
}

/// The text of a policy in blocks, separated by newlines in `text`.
#[derive(Debug, Default)]
pub struct Document {
    pub text: String,
    pub blocks: Vec<Block>,
    /// The heading blocks open at the end, with their levels (the builder's stack).
    open: Vec<(u8, usize)>,
}

impl Document {
    pub fn new() -> Document {
        Document::default()
    }

    /// The text of block `i`.
    pub fn block_text(&self, i: usize) -> &str {
        &self.text[self.blocks[i].start..self.blocks[i].end]
    }

    /// The heading path of block `i`: `一、我们如何收集 › （二）设备信息`.
    pub fn heading_path(&self, i: usize) -> String {
        self.blocks[i]
            .headings
            .iter()
            .map(|&h| self.block_text(h))
            .collect::<Vec<_>>()
            .join(" › ")
    }

    fn push(&mut self, kind: Kind, text: &str) -> Option<usize> {
        let text = normalise(text);
        if text.is_empty() {
            return None;
        }
        let start = self.text.len();
        self.text.push_str(&text);
        let end = self.text.len();
        self.text.push('\n');
        self.blocks.push(Block {
            kind,
            start,
            end,
            headings: self.open.iter().map(|&(_, i)| i).collect(),
        });
        Some(self.blocks.len() - 1)
    }

    /// A heading of `level` (1 the top): closes the headings at its level or below.
    pub fn heading(&mut self, level: u8, text: &str) {
        let level = level.clamp(1, 6);
        self.open.retain(|&(l, _)| l < level);
        if let Some(i) = self.push(Kind::Heading(level), text) {
            self.open.push((level, i));
        }
    }

    pub fn paragraph(&mut self, text: &str) {
        self.push(Kind::Paragraph, text);
    }

    /// A table cell under `header`, in a table whose headers are `headers`.
    pub fn cell(&mut self, headers: &[String], col: usize, text: &str) {
        let header = headers.get(col).map_or(String::new(), |h| normalise(h));
        let table = headers
            .iter()
            .map(|h| normalise(h))
            .collect::<Vec<_>>()
            .join(" | ");
        self.push(Kind::Cell { header, table }, text);
    }

    /// Whether any text was found.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// Whitespace collapsed (runs of spaces, tabs and line breaks to one space), and none kept
/// where a line was broken inside a word: between two Chinese characters, and around the
/// `@ - _ /` of an address or a link (a PDF breaks `privacy@exam-` / `ple.com`).
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' {
            space = !out.is_empty();
            continue;
        }
        if space {
            let prev = out.chars().next_back();
            let joins = |p: char| "@-_/".contains(p);
            let inside = prev.is_some_and(|p| {
                (is_cjk(p) && is_cjk(c)) || joins(p) || full_width_mark(p) || full_width_mark(c)
            }) || c == '@';
            if !inside {
                out.push(' ');
            }
            space = false;
        }
        out.push(c);
    }
    out
}

/// Full-width punctuation (：，。（）…): a space beside one is never meant.
fn full_width_mark(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{ff3b}'..='\u{ff40}' | '\u{ff5b}'..='\u{ff65}')
}

/// Chinese characters and full-width punctuation: no space is kept between two of them.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_nest_and_close() {
        let mut d = Document::new();
        d.heading(1, "一、我们如何收集");
        d.heading(2, "（一）注册");
        d.paragraph("手机号码");
        d.heading(2, "（二）支付");
        d.paragraph("银行卡号");
        d.heading(1, "二、我们如何共享");
        d.paragraph("合作方");
        assert_eq!(d.heading_path(2), "一、我们如何收集 › （一）注册");
        assert_eq!(d.heading_path(4), "一、我们如何收集 › （二）支付");
        assert_eq!(d.heading_path(6), "二、我们如何共享");
    }

    #[test]
    fn whitespace_inside_chinese_goes() {
        assert_eq!(normalise(" 个人信息\n 保护负责人 \t"), "个人信息保护负责人");
        assert_eq!(
            normalise("privacy@\nexam-\nple.com 邮箱"),
            "privacy@exam-ple.com 邮箱"
        );
        assert_eq!(normalise("Acme Ltd. 2024"), "Acme Ltd. 2024");
        assert_eq!(normalise("电话： 400-123"), "电话：400-123");
    }
}
