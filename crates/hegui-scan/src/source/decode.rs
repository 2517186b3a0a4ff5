//! Text encodings of the files auditors get: UTF-8, UTF-8 with a BOM, and GBK/GB18030
//! (Excel's "CSV" on Chinese Windows). The encoding is decided once per file from a sample
//! and stated in the report.
//!
//! Decoding works line by line (and field by field for CSV): in GBK and GB18030 no byte of a
//! multi-byte character is `\n`, `,`, `\t` or `"` (trail bytes are ≥ 0x40 or ASCII digits),
//! so splitting the raw bytes first is safe.

use std::borrow::Cow;

use encoding_rs::GB18030;

/// A file's text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    /// GBK or GB18030 (GB18030 is a superset; decoded as GB18030).
    Gb18030,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Gb18030 => "GBK/GB18030",
        }
    }

    /// Decides from the first bytes of a file. A sample cut in the middle of a UTF-8
    /// character still counts as UTF-8.
    pub fn sniff(sample: &[u8]) -> Encoding {
        if sample.starts_with(b"\xEF\xBB\xBF") {
            return Encoding::Utf8Bom;
        }
        match std::str::from_utf8(sample) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() => Encoding::Utf8,
            Err(_) => Encoding::Gb18030,
        }
    }

    /// Decodes one line or field; invalid bytes become U+FFFD (never a panic, never lost
    /// silently: the caller counts replacements).
    pub fn decode<'a>(self, bytes: &'a [u8]) -> (Cow<'a, str>, bool) {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => match utf8(bytes) {
                Some(s) => (Cow::Borrowed(s), false),
                None => (String::from_utf8_lossy(bytes), true),
            },
            Encoding::Gb18030 => {
                let (s, _, had_errors) = GB18030.decode(bytes);
                (s, had_errors)
            }
        }
    }
}

/// The bytes as UTF-8 text, if they are (checked with SIMD: several times faster than the
/// standard check on Chinese text, which is on every scanner's path).
pub fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// Strips a UTF-8 BOM from the first line.
pub fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}

/// Whether a sample looks like binary data (NUL bytes), which is not scanned as text.
pub fn looks_binary(sample: &[u8]) -> bool {
    memchr::memchr(0, sample).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_three_encodings() {
        assert_eq!(Encoding::sniff("姓名,手机".as_bytes()), Encoding::Utf8);
        assert_eq!(Encoding::sniff(b"\xEF\xBB\xBFname"), Encoding::Utf8Bom);
        // "姓名" in GBK.
        assert_eq!(
            Encoding::sniff(b"\xD0\xD5\xC3\xFB,phone"),
            Encoding::Gb18030
        );
        // A UTF-8 sample cut mid-character is still UTF-8.
        let s = "姓名".as_bytes();
        assert_eq!(Encoding::sniff(&s[..4]), Encoding::Utf8);
    }

    #[test]
    fn utf8_agrees_with_the_standard_check() {
        let cases: [&[u8]; 7] = [
            "身份证号110101".as_bytes(),
            b"plain",
            b"",
            b"\xe5\x8c",
            b"\xff",
            b"ok \xed\xa0\x80 surrogate",
            &"长文本".repeat(100).into_bytes(),
        ];
        for c in cases {
            assert_eq!(utf8(c), std::str::from_utf8(c).ok(), "{c:?}");
        }
    }

    #[test]
    fn decodes_gbk() {
        let (s, bad) = Encoding::Gb18030.decode(b"\xD0\xD5\xC3\xFB");
        assert_eq!((s.as_ref(), bad), ("姓名", false));
    }
}
