//! From a file to a [`Document`]: by the file's content and name — HTML, PDF, DOCX,
//! Markdown or plain text (UTF-8 or GBK). Each extractor keeps headings and table cells and drops
//! what is not the policy's text (a page's scripts, navigation, hidden banners).

mod docx;
mod html;
mod markdown;
mod pdf;
mod text;

use std::path::Path;

use crate::document::Document;
use crate::Error;

/// The largest file read: a policy is tens of kilobytes, a PDF or DOCX with its fonts and
/// images a few megabytes.
pub const MAX_BYTES: u64 = 32 << 20;
/// The largest text file (HTML, Markdown, text) read: a page with its scripts is a few
/// megabytes, and the parsers' time is bounded by the input's size.
pub const MAX_TEXT_BYTES: u64 = 8 << 20;

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Docx,
    Markdown,
    Text,
    Pdf,
}

impl Format {
    /// By content first (a DOCX is a zip, a PDF starts `%PDF`, HTML has tags), then name.
    pub fn of(path: &Path, head: &[u8]) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if head.starts_with(b"%PDF") {
            return Format::Pdf;
        }
        if head.starts_with(b"PK\x03\x04") {
            return Format::Docx;
        }
        let start = String::from_utf8_lossy(&head[..head.len().min(2048)]).to_ascii_lowercase();
        if ext == "html"
            || ext == "htm"
            || start.contains("<html")
            || start.contains("<!doctype html")
        {
            return Format::Html;
        }
        if ext == "md" || ext == "markdown" {
            return Format::Markdown;
        }
        Format::Text
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Pdf => "pdf",
        }
    }
}

/// Reads `path` into a document.
pub fn read(path: &Path) -> Result<(Format, Document), Error> {
    let meta = std::fs::metadata(path).map_err(Error::Io)?;
    if meta.len() > MAX_BYTES {
        return Err(Error::TooLarge(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(Error::Io)?;
    read_bytes(path, &bytes)
}

/// Reads a policy held in memory (an upload, a vault item); `name` gives the extension
/// when the content does not tell the format.
pub fn read_bytes(name: &Path, bytes: &[u8]) -> Result<(Format, Document), Error> {
    let len = bytes.len() as u64;
    if len > MAX_BYTES {
        return Err(Error::TooLarge(len));
    }
    let format = Format::of(name, &bytes[..bytes.len().min(4096)]);
    let text_format = matches!(format, Format::Html | Format::Markdown | Format::Text);
    if text_format && len > MAX_TEXT_BYTES {
        return Err(Error::TooLarge(len));
    }
    let doc = match format {
        Format::Html => {
            let text = text::decode(bytes);
            let depth = html::nesting(&text);
            if depth > html::MAX_NESTING {
                return Err(Error::Parse(format!(
                    "HTML nested {depth} elements deep: more than {} (a policy page nests a \
                     few dozen); refused unparsed",
                    html::MAX_NESTING
                )));
            }
            html::read(&text)
        }
        Format::Markdown => markdown::read(&text::decode(bytes)),
        Format::Text => text::read(&text::decode(bytes)),
        Format::Docx => docx::read(bytes)?,
        Format::Pdf => pdf::read(bytes)?,
    };
    if doc.is_empty() {
        return Err(Error::NoText);
    }
    Ok((format, doc))
}
