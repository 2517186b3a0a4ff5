//! A small WordprocessingML (DOCX) writer for [`Document`]s: headings, paragraphs, tables
//! and page breaks. The output opens in Word, WPS and LibreOffice
//! and stays editable (the reports are drafts an auditor finishes by hand).
//!
//! Elements are written in the order the OOXML schema prescribes (Word rejects a file whose
//! property elements are out of order). Chinese typography: the styles name Chinese fonts for the East Asian script (宋体 for
//! body text, 黑体 for headings) with Latin fallbacks, so the word processor on the
//! reader's machine picks a CJK face; table header rows repeat on every page and rows do
//! not split across pages.

use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;

use crate::document::{Block, Document, Style};

/// The paragraph style's id in `styles.xml` (none for body text).
fn style_id(style: Style) -> Option<&'static str> {
    match style {
        Style::Normal => None,
        Style::Title => Some("Title"),
        Style::Heading1 => Some("Heading1"),
        Style::Heading2 => Some("Heading2"),
        Style::Centered => Some("Centered"),
    }
}

/// Escapes text for XML character data and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0; tabs and newlines are handled
            // by the caller (newlines become line breaks).
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// The runs of one paragraph's text: line breaks for '\n'.
fn runs(text: &str, bold: bool) -> String {
    let rpr = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str(&format!("<w:r>{rpr}<w:br/></w:r>"));
        }
        out.push_str(&format!(
            "<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(line)
        ));
    }
    out
}

fn paragraph(style: Style, text: &str, bold: bool) -> String {
    let ppr = style_id(style)
        .map(|id| format!("<w:pPr><w:pStyle w:val=\"{id}\"/></w:pPr>"))
        .unwrap_or_default();
    format!("<w:p>{ppr}{}</w:p>", runs(text, bold))
}

impl Document {
    /// Writes the document as a DOCX package (a ZIP of the document parts) to `out`.
    pub fn write_docx<W: Write + Seek>(&self, out: W) -> zip::result::ZipResult<()> {
        let mut zip = zip::ZipWriter::new(out);
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut parts: Vec<(&str, String)> = vec![
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
            ("word/styles.xml", STYLES.to_string()),
            ("word/document.xml", document_xml(self)),
        ];
        if let Some(w) = &self.warning {
            // A page header on every page, in its own part.
            parts[0].1 = CONTENT_TYPES.replace(
                "</Types>",
                "<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/></Types>",
            );
            parts[2].1 = DOC_RELS.replace(
                "</Relationships>",
                "<Relationship Id=\"rIdWarning\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/></Relationships>",
            );
            parts.push(("word/header1.xml", header_xml(w)));
        }
        for (name, text) in parts {
            zip.start_file(name, opts)?;
            zip.write_all(text.as_bytes())?;
        }
        zip.finish()?;
        Ok(())
    }

    /// The DOCX package in memory.
    pub fn to_docx(&self) -> zip::result::ZipResult<Vec<u8>> {
        let mut cur = std::io::Cursor::new(Vec::new());
        self.write_docx(&mut cur)?;
        Ok(cur.into_inner())
    }
}

fn document_xml(doc: &Document) -> String {
    let mut body = String::new();
    for b in &doc.blocks {
        match b {
            Block::Para { style, text } => body.push_str(&paragraph(*style, text, false)),
            Block::Field { label, value } => body.push_str(&format!(
                "<w:p>{}{}</w:p>",
                runs(&format!("{label}{}", doc.field_separator()), true),
                runs(value, false)
            )),
            Block::Table {
                headers,
                widths,
                rows,
            } => body.push_str(&table(headers, widths, rows)),
            Block::PageBreak => body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>"),
        }
    }
    let header = if doc.warning.is_some() {
        "<w:headerReference w:type=\"default\" r:id=\"rIdWarning\"/>"
    } else {
        ""
    };
    // A4 portrait, 2.5 cm margins.
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}\
<w:sectPr>{header}<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1418\" w:right=\"1418\" w:bottom=\"1418\" w:left=\"1418\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
</w:body></w:document>"
    )
}

/// The page header that carries a warning (red, bold) on every page.
fn header_xml(warning: &str) -> String {
    let mut text = String::new();
    for (i, line) in warning.split('\n').enumerate() {
        if i > 0 {
            text.push_str("<w:r><w:br/></w:r>");
        }
        text.push_str(&format!(
            "<w:r><w:rPr><w:b/><w:color w:val=\"C00000\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(line)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{text}</w:p></w:hdr>"
    )
}

/// A table: `widths` in twentieths of a point per column, a header row that repeats on
/// every page, rows that never split across pages.
fn table(headers: &[String], widths: &[u32], rows: &[Vec<String>]) -> String {
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"808080\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let mut t = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>"
    );
    for w in widths {
        t.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    t.push_str("</w:tblGrid>");
    let cell = |w: u32, text: &str, head: bool| {
        let shade = if head {
            "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"DDEBF7\"/>"
        } else {
            ""
        };
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{shade}</w:tcPr>{}</w:tc>",
            paragraph(Style::Normal, text, head)
        )
    };
    t.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
    for (h, w) in headers.iter().zip(widths) {
        t.push_str(&cell(*w, h, true));
    }
    t.push_str("</w:tr>");
    for r in rows {
        t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (i, w) in widths.iter().enumerate() {
            t.push_str(&cell(*w, r.get(i).map(String::as_str).unwrap_or(""), false));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    // Word requires a paragraph between adjacent tables and after a final table.
    t.push_str("<w:p/>");
    t
}

/// The text of a document part: what a reader sees, paragraph by paragraph (for tests and
/// for `hegui report` consumers that index reports). Not a general DOCX parser.
pub fn document_text(document_xml: &str) -> String {
    let mut out = String::new();
    let mut rest = document_xml;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + j];
        if tag == "/w:p" || tag.starts_with("w:br") {
            out.push('\n');
        }
        rest = &rest[i + j + 1..];
        if tag.starts_with("w:t ") || tag == "w:t" {
            let end = rest.find("</w:t>").unwrap_or(rest.len());
            out.push_str(
                &rest[..end]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            );
            rest = &rest[end..];
        }
    }
    out
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"宋体\" w:cs=\"Times New Roman\"/><w:sz w:val=\"21\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"60\" w:line=\"300\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"2400\" w:after=\"600\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"44\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:keepNext/><w:spacing w:before=\"360\" w:after=\"120\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"32\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"80\"/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"26\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Centered\"><w:name w:val=\"Centered\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"28\"/></w:rPr></w:style>\
</w:styles>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_through_the_document_part() {
        let mut d = Document::new("t");
        d.para(Style::Heading1, "一、审计依据")
            .text("a < b & \"c\"\n第二行")
            .table(
                &["编号", "结论"],
                &[1000, 1000],
                &[vec!["G1.1".into(), "符合".into()]],
            );
        let text = document_text(&document_xml(&d));
        assert!(text.contains("一、审计依据\n"));
        assert!(text.contains("a < b & \"c\"\n第二行"));
        assert!(text.contains("G1.1\n符合\n"));
        // Control characters cannot appear in XML; they are dropped, not written.
        assert_eq!(esc("a\u{1}b"), "ab");
    }
}
