//! The block model every report is built in: headings, paragraphs, label–value fields,
//! tables and page breaks — what an audit report needs, and no more. A [`Document`] says
//! *what* is on the page; the renderers say *how*: [`crate::docx`] writes an editable
//! DOCX, and `crate::pdf` (cargo feature `pdf`) typesets a PDF. Both take the same
//! document, so the two files of one report always hold the same text.

use serde::Serialize;

/// A document being built, block by block.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Document {
    /// The document's title (file metadata; the visible title is a [`Style::Title`] block).
    pub title: String,
    /// Set for English documents: fields use ": " instead of the full-width "：", and the
    /// PDF uses Latin typesetting rules.
    pub latin: bool,
    pub blocks: Vec<Block>,
    /// A warning printed at the top of every page (a report rendered from an engagement
    /// that failed verification, `--allow-unverified`).
    pub warning: Option<String>,
}

/// One block of a document.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph; `\n` inside the text is a line break.
    Para {
        style: Style,
        text: String,
    },
    /// A bold label followed by plain text on one line ("审计期间：2025-01-01 …").
    Field {
        label: String,
        value: String,
    },
    /// A table whose header row repeats on every page and whose rows never split.
    /// `widths` are relative column widths (twentieths of a point on an A4 page).
    Table {
        headers: Vec<String>,
        widths: Vec<u32>,
        rows: Vec<Vec<String>>,
    },
    PageBreak,
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    Normal,
    /// The report's title on the cover.
    Title,
    Heading1,
    Heading2,
    /// Centred text (cover lines, the seal placeholder).
    Centered,
}

impl Document {
    /// A Chinese document.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            ..Self::default()
        }
    }

    /// A document in a Latin-script language (English).
    pub fn latin(title: &str) -> Self {
        Self {
            latin: true,
            ..Self::new(title)
        }
    }

    /// Appends a paragraph in `style`.
    pub fn para(&mut self, style: Style, text: &str) -> &mut Self {
        self.blocks.push(Block::Para {
            style,
            text: text.to_string(),
        });
        self
    }

    /// Appends a body paragraph.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.para(Style::Normal, text)
    }

    /// Appends a bold label followed by its value on one line.
    pub fn field(&mut self, label: &str, value: &str) -> &mut Self {
        self.blocks.push(Block::Field {
            label: label.to_string(),
            value: value.to_string(),
        });
        self
    }

    pub fn page_break(&mut self) -> &mut Self {
        self.blocks.push(Block::PageBreak);
        self
    }

    /// Appends a table: `widths` in twentieths of a point per column (the DOCX grid; the
    /// PDF uses them as proportions).
    pub fn table(&mut self, headers: &[&str], widths: &[u32], rows: &[Vec<String>]) -> &mut Self {
        self.blocks.push(Block::Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            widths: widths.to_vec(),
            rows: rows.to_vec(),
        });
        self
    }

    /// The separator between a field's label and its value.
    pub fn field_separator(&self) -> &'static str {
        if self.latin {
            ": "
        } else {
            "："
        }
    }

    /// Every character a reader will see, block by block (for tests and indexing).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            out.push_str(&b.visible_text(self.field_separator()));
            out.push('\n');
        }
        out
    }
}

impl Block {
    /// The characters a reader sees in this block (`separator` between a field's label and
    /// value; table cells separated by tabs, rows by newlines).
    pub fn visible_text(&self, separator: &str) -> String {
        match self {
            Block::Para { text, .. } => text.clone(),
            Block::Field { label, value } => format!("{label}{separator}{value}"),
            Block::Table { headers, rows, .. } => {
                let mut out = headers.join("\t");
                for r in rows {
                    out.push('\n');
                    out.push_str(&r.join("\t"));
                }
                out
            }
            Block::PageBreak => String::new(),
        }
    }
}
