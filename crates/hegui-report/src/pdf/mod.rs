//! PDF rendering of a [`Document`] (cargo feature `pdf`), typeset by typst.
//!
//! The document is handed to a fixed page design ([`report.typ`](world)) as JSON: A4,
//! a CJK serif for body text and a sans for headings ([`fonts`]), headings in the PDF
//! outline, tables whose header row repeats on every page and whose rows never split,
//! "第 x 页 共 y 页" in the footer. Before typesetting, every character of the document is
//! checked against the fonts found, so a report never goes out with missing glyphs.

mod fonts;
mod world;

use serde::Serialize;
use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use fonts::{FontOptions, Fonts};

use crate::document::{Block, Document};

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no font with Chinese glyphs found (searched {searched}); install one (Debian/Ubuntu: \
         apt-get install fonts-noto-cjk) or point --font-dir or HEGUI_FONT_DIR at a directory \
         holding a CJK .ttf/.otf/.ttc font; the DOCX report needs no fonts"
    )]
    NoCjkFont { searched: String },
    #[error(
        "font family '{family}' is not installed (hegui searched the system fonts and --font-dir)"
    )]
    FontNotFound { family: String },
    #[error("font family '{family}' has no Chinese glyphs; choose a CJK family")]
    FontNotChinese { family: String },
    #[error(
        "no installed font has a glyph for {chars} (first in section '{section}'); install a \
         font that has them, or use the DOCX report"
    )]
    MissingGlyphs { chars: String, section: String },
    #[error("typesetting the report failed: {0}")]
    Typeset(String),
}

/// The fonts chosen, as the page design reads them.
#[derive(Serialize)]
struct FontFamilies<'a> {
    body: [&'a str; 2],
    heading: [&'a str; 2],
}

/// What the page design reads from `/report.json`.
#[derive(Serialize)]
struct Payload<'a> {
    title: &'a str,
    latin: bool,
    separator: &'a str,
    fonts: FontFamilies<'a>,
    blocks: Vec<Block>,
    warning: Option<&'a str>,
}

/// Typesets `doc` as a PDF.
pub fn render(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    check_glyphs(doc, fonts)?;
    let payload = Payload {
        title: &doc.title,
        latin: doc.latin,
        separator: doc.field_separator(),
        fonts: FontFamilies {
            body: [fonts.body(), fonts.heading()],
            heading: [fonts.heading(), fonts.body()],
        },
        blocks: doc.blocks.iter().map(padded).collect(),
        warning: doc.warning.as_deref(),
    };
    let data = serde_json::to_vec(&payload).map_err(|e| PdfError::Typeset(e.to_string()))?;
    let world = world::ReportWorld::new(fonts, data);
    let paged: PagedDocument = typst::compile(&world).output.map_err(diagnostics)?;
    let options = PdfOptions {
        ident: Smart::Custom(doc.title.clone()),
        creator: Smart::Custom(Some(format!("hegui {}", env!("CARGO_PKG_VERSION")))),
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&paged, &options).map_err(diagnostics);
    // typst memoizes layout across compilations; a report is compiled once, so drop the
    // cache rather than let a long-running process (the bench, a server) grow it.
    typst::comemo::evict(0);
    pdf
}

/// A table row with fewer cells than columns is padded, so cells never shift into the
/// wrong column (typst lays cells out in reading order).
fn padded(b: &Block) -> Block {
    match b {
        Block::Table {
            headers,
            widths,
            rows,
        } => Block::Table {
            headers: headers.clone(),
            widths: widths.clone(),
            rows: rows
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.resize(widths.len(), String::new());
                    r
                })
                .collect(),
        },
        other => other.clone(),
    }
}

fn diagnostics(errors: impl IntoIterator<Item = SourceDiagnostic>) -> PdfError {
    let messages: Vec<String> = errors.into_iter().map(|d| d.message.to_string()).collect();
    PdfError::Typeset(messages.join("; "))
}

/// Fails when some character of the document has no glyph in any font found, naming
/// the characters (by code point) and the section where the first one appears — not the
/// text around it, which may be personal information.
fn check_glyphs(doc: &Document, fonts: &Fonts) -> Result<(), PdfError> {
    let mut missing: Vec<char> = Vec::new();
    let mut section = String::from("(cover)");
    let mut first_section = None;
    for b in &doc.blocks {
        if let Block::Para { style, text } = b {
            if matches!(
                style,
                crate::document::Style::Heading1 | crate::document::Style::Heading2
            ) {
                section = text.clone();
            }
        }
        for c in b.visible_text(doc.field_separator()).chars() {
            if c.is_whitespace() || c.is_control() || missing.contains(&c) || fonts.covers(c) {
                continue;
            }
            missing.push(c);
            first_section.get_or_insert_with(|| section.clone());
        }
    }
    match first_section {
        None => Ok(()),
        Some(section) => Err(PdfError::MissingGlyphs {
            chars: missing
                .iter()
                .take(10)
                .map(|c| format!("U+{:04X}", *c as u32))
                .collect::<Vec<_>>()
                .join(", "),
            section,
        }),
    }
}
