//! What an uploaded file is, by its content: the type its first bytes say, checked against
//! its name, and executables refused whatever they are called.

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
