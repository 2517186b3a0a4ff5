//! DOCX (Office Open XML): the paragraphs of `word/document.xml`, headings by their style
//! (a style named `heading N` / `Title` in `word/styles.xml`, or an outline level), and
//! tables cell by cell with the first row as headers.

use std::io::Read;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::document::Document;
use crate::Error;

/// The most a part may decompress to (a policy's document.xml is well under a megabyte).
const MAX_PART: u64 = 64 << 20;

pub(crate) fn read(bytes: &[u8]) -> Result<Document, Error> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::Parse(format!("not a DOCX file: {e}")))?;
    let styles = part(&mut zip, "word/styles.xml").unwrap_or_default();
    let levels = heading_styles(&styles);
    let body = part(&mut zip, "word/document.xml")
        .ok_or_else(|| Error::Parse("not a DOCX file: no word/document.xml".into()))?;
    Ok(walk(&body, &levels))
}

fn part(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str) -> Option<String> {
    let f = zip.by_name(name).ok()?;
    let mut s = String::new();
    f.take(MAX_PART).read_to_string(&mut s).ok()?;
    Some(s)
}

fn attr(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| std::str::from_utf8(&a.value).ok().map(str::to_string))
}

/// Style id → heading level, from the styles' names (`heading 2` → 2, `Title` → 1).
fn heading_styles(xml: &str) -> Vec<(String, u8)> {
    let mut out = Vec::new();
    let mut r = Reader::from_str(xml);
    let mut id: Option<String> = None;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:style" => id = attr(&e, b"w:styleId"),
                b"w:name" => {
                    let name = attr(&e, b"w:val").unwrap_or_default().to_ascii_lowercase();
                    let level = if name == "title" {
                        Some(1)
                    } else {
                        name.strip_prefix("heading ")
                            .and_then(|n| n.trim().parse().ok())
                    };
                    if let (Some(id), Some(l)) = (&id, level) {
                        out.push((id.clone(), l));
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: String,
}

fn walk(xml: &str, levels: &[(String, u8)]) -> Document {
    let mut d = Document::new();
    let mut r = Reader::from_str(xml);
    let mut para = String::new();
    let mut level: Option<u8> = None;
    let mut in_text = false;
    let mut tables: Vec<Table> = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                b"w:p" => {
                    para.clear();
                    level = None;
                }
                b"w:t" => in_text = true,
                b"w:tbl" => tables.push(Table::default()),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:pStyle" => {
                    let id = attr(&e, b"w:val").unwrap_or_default();
                    level = levels.iter().find(|(s, _)| *s == id).map(|&(_, l)| l);
                }
                b"w:outlineLvl" => {
                    let l: Option<u8> = attr(&e, b"w:val").and_then(|v| v.parse().ok());
                    level = level.or(l.map(|l| l.saturating_add(1)));
                }
                b"w:br" | b"w:tab" => para.push(' '),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                if let Ok(s) = t.decode() {
                    para.push_str(&s);
                }
            }
            // Entities come as events of their own: &amp; and the others, &#NNN;.
            Ok(Event::GeneralRef(r)) if in_text => {
                let c = match &*r {
                    b"amp" => Some('&'),
                    b"lt" => Some('<'),
                    b"gt" => Some('>'),
                    b"quot" => Some('"'),
                    b"apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                para.extend(c);
            }
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => {
                    if let Some(t) = tables.last_mut() {
                        t.cell.push_str(&para);
                        t.cell.push(' ');
                    } else if let Some(l) = level {
                        d.heading(l, &para);
                    } else {
                        d.paragraph(&para);
                    }
                    para.clear();
                }
                b"w:tc" => {
                    if let Some(t) = tables.last_mut() {
                        let c = std::mem::take(&mut t.cell);
                        t.row.push(c);
                    }
                }
                b"w:tr" => {
                    if let Some(t) = tables.last_mut() {
                        let row = std::mem::take(&mut t.row);
                        t.rows.push(row);
                    }
                }
                b"w:tbl" => {
                    if let Some(t) = tables.pop() {
                        emit_table(&mut d, t);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    d
}

/// A table's cells, the first row as headers when there is more than one row.
fn emit_table(d: &mut Document, t: Table) {
    let mut rows = t.rows.into_iter();
    let headers = if rows.len() > 1 {
        rows.next().unwrap_or_default()
    } else {
        Vec::new()
    };
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            d.cell(&headers, i, cell);
        }
    }
}
