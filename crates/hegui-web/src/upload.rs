//! Files in and out: what an uploaded file is, by its content (the type its first bytes
//! say, checked against its name, and executables refused whatever they are called); a
//! multipart form read with its fields named — files received into spools
//! (`vault::Spool`), never whole in memory; a download as an attachment, streamed from the
//! vault one chunk at a time.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hegui_audit::store::Store;
use hegui_audit::vault::{self, Spool, Spooled};

/// A file type hegui accepts as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    /// A zip container: DOCX, XLSX, PPTX, ODF, or a plain zip.
    Zip,
    /// Legacy Office (DOC, XLS) and other OLE2 compound files.
    Ole,
    Gzip,
    /// UTF-8 (or GB18030) text: TXT, CSV, JSON, logs, Markdown.
    Text,
}

/// The extensions each kind may carry.
fn extensions(k: Kind) -> &'static [&'static str] {
    match k {
        Kind::Pdf => &["pdf"],
        Kind::Png => &["png"],
        Kind::Jpeg => &["jpg", "jpeg"],
        Kind::Gif => &["gif"],
        Kind::Zip => &["zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "ofd"],
        Kind::Ole => &["doc", "xls", "ppt", "msg"],
        Kind::Gzip => &["gz", "tgz"],
        Kind::Text => &[
            "txt", "csv", "tsv", "json", "jsonl", "log", "md", "xml", "yaml", "yml", "html", "htm",
        ],
    }
}

/// Why a file is refused.
pub fn check(name: &str, content: &[u8]) -> Result<Kind, String> {
    if content.is_empty() {
        return Err(format!("{name}: the file is empty"));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = sniff(content).ok_or_else(|| {
        format!("{name}: not a file type hegui keeps as evidence (by its content)")
    })?;
    if !extensions(kind).contains(&ext.as_str()) {
        return Err(format!(
            "{name}: its content is {kind:?}, which does not match the name's .{ext}"
        ));
    }
    Ok(kind)
}

fn sniff(b: &[u8]) -> Option<Kind> {
    let starts = |m: &[u8]| b.starts_with(m);
    // Executables and scripts first: refused whatever their name says.
    if starts(b"MZ")
        || starts(b"\x7fELF")
        || starts(b"#!")
        || starts(b"\xca\xfe\xba\xbe")
        || starts(b"\xcf\xfa\xed\xfe")
    {
        return None;
    }
    Some(if starts(b"%PDF-") {
        Kind::Pdf
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if starts(b"\xff\xd8\xff") {
        Kind::Jpeg
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Kind::Gif
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Kind::Zip
    } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        Kind::Ole
    } else if starts(b"\x1f\x8b") {
        Kind::Gzip
    } else if is_text(b) {
        Kind::Text
    } else {
        return None;
    })
}

/// Text: valid UTF-8 (a BOM allowed) or GB18030, without NUL bytes, in the first 64 KiB.
fn is_text(b: &[u8]) -> bool {
    let head = &b[..b.len().min(64 * 1024)];
    if head.contains(&0) {
        return false;
    }
    // A cut multi-byte character at the end of the window is not a reason to refuse.
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    utf8 || {
        let (_, _, bad) = encoding_rs::GB18030.decode(head);
        !bad
    }
}

/// A multipart form read whole: its files (field → file name and bytes) and its text
/// fields. Fields the form does not name are refused.
#[derive(Debug, Default)]
pub struct Form {
    pub files: std::collections::HashMap<String, (String, Vec<u8>)>,
    pub texts: std::collections::HashMap<String, String>,
}

impl Form {
    /// A text field, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.texts.get(name).map(|s| s.trim()).unwrap_or("")
    }
}

/// A multipart error's status: 413 when the body ran past its limit while being read (a
/// client that sent no length), whatever the parser calls it.
pub(crate) fn multipart_status(e: &axum::extract::multipart::MultipartError) -> StatusCode {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if s.to_string().contains("length limit exceeded") {
            return StatusCode::PAYLOAD_TOO_LARGE;
        }
        source = s.source();
    }
    e.status()
}

/// Reads a multipart form with the file fields `files` and the text fields `texts`.
pub async fn read_form(
    mut m: axum::extract::Multipart,
    files: &[&str],
    texts: &[&str],
) -> Result<Form, (StatusCode, String)> {
    let fail = |e: axum::extract::multipart::MultipartError| (multipart_status(&e), e.body_text());
    let mut form = Form::default();
    while let Some(field) = m.next_field().await.map_err(fail)? {
        let name = field.name().unwrap_or("").to_string();
        if files.contains(&name.as_str()) {
            let file = field
                .file_name()
                .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
                .unwrap_or_default();
            let bytes = field.bytes().await.map_err(fail)?.to_vec();
            form.files.insert(name, (file, bytes));
        } else if texts.contains(&name.as_str()) {
            let v = field.text().await.map_err(fail)?;
            form.texts.insert(name, v);
        } else {
            return Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("unexpected field {name:?}"),
            ));
        }
    }
    Ok(form)
}

/// A download: `content` as an attachment named `file` (RFC 6266: an ASCII fallback and
/// the UTF-8 name), never rendered by the browser.
pub fn attachment(file: &str, content_type: &'static str, content: impl Into<Body>) -> Response {
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut r = content.into().into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    r
}

/// An upload form: its files (field `file`, repeatable) each received into a spool and
/// checked by its content, and its text fields.
#[derive(Debug, Default)]
pub struct Uploads {
    pub files: Vec<(String, Spooled)>,
    pub texts: HashMap<String, String>,
}

impl Uploads {
    /// A text field, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.texts.get(name).map(|s| s.trim()).unwrap_or("")
    }
}

/// Reads an upload form: each `file` field streamed into a spool of at most `limit` bytes
/// (its type checked as soon as its first bytes are in, so an executable stops there), the
/// text fields `texts`; anything else is refused. An error carries its status (413 past a
/// limit).
pub async fn read_uploads(
    mut m: axum::extract::Multipart,
    texts: &[&str],
    limit: u64,
) -> Result<Uploads, (StatusCode, String)> {
    let fail = |e: axum::extract::multipart::MultipartError| (multipart_status(&e), e.body_text());
    let internal = |e: hegui_audit::AuditError| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut out = Uploads::default();
    while let Some(mut field) = m.next_field().await.map_err(fail)? {
        let name = field.name().unwrap_or("").to_string();
        if texts.contains(&name.as_str()) {
            let v = field.text().await.map_err(fail)?;
            out.texts.insert(name, v);
            continue;
        }
        if name != "file" {
            return Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("unexpected field {name:?}"),
            ));
        }
        let file = field
            .file_name()
            .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string())
            .unwrap_or_default();
        let mut spool = Spool::new(limit).map_err(internal)?;
        let mut checked = false;
        while let Some(bytes) = field.chunk().await.map_err(fail)? {
            spool
                .write(&bytes)
                .map_err(|e| (StatusCode::PAYLOAD_TOO_LARGE, format!("{file}: {e}")))?;
            if !checked && spool.head().len() >= vault::chunks::HEAD {
                check(&file, spool.head()).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e))?;
                checked = true;
            }
        }
        let spooled = spool.finish().map_err(internal)?;
        if file.is_empty() && spooled.size == 0 {
            continue;
        }
        if file.is_empty() {
            return Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                "the upload has no file name".into(),
            ));
        }
        if !checked {
            check(&file, &spooled.head).map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e))?;
        }
        out.files.push((file, spooled));
    }
    Ok(out)
}

/// Content `sha` of engagement `id` as a response body, decrypted one chunk at a time on
/// the blocking pool (a download never holds the whole file). A chunk that fails its
/// check ends the body early: the client sees a broken download, never altered bytes.
pub fn stream(store: Arc<Store>, id: String, sha: String) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::task::spawn_blocking(move || {
        let chunks = match vault::stream_blob(&store, &id, &sha) {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                return;
            }
        };
        for c in chunks {
            let failed = c.is_err();
            if tx
                .blocking_send(c.map_err(|e| std::io::Error::other(e.to_string())))
                .is_err()
                || failed
            {
                return;
            }
        }
    });
    let chunks =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    Body::from_stream(chunks)
}
