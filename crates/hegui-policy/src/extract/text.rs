//! Plain text (UTF-8, UTF-8 with BOM, or GBK/GB18030): lines are paragraphs, and a short
//! line that numbers a part (一、 / （一） / 第一条 / 1. / 1.1) is a heading.

use crate::document::Document;

/// UTF-8 when it is valid UTF-8 (a BOM dropped), else GB18030 (a superset of GBK).
pub(crate) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

pub(crate) fn read(text: &str) -> Document {
    let mut d = Document::new();
    for line in text.lines() {
        let line = line.trim();
        match heading_level(line) {
            Some(level) => d.heading(level, line),
            None => d.paragraph(line),
        }
    }
    d
}

/// The level of a numbered heading line, or none for a line of body text.
pub(crate) fn heading_level(line: &str) -> Option<u8> {
    let chars = line.chars().count();
    if chars == 0 || chars > 40 || line.ends_with(['。', '；', '，', '：', ':', ';']) {
        return None;
    }
    let numeral = |c: char| "一二三四五六七八九十百零".contains(c);
    let mut it = line.chars();
    let first = it.next()?;
    if first == '第' && line.chars().skip(1).take_while(|&c| numeral(c)).count() > 0 {
        let rest: String = line.chars().skip(1).skip_while(|&c| numeral(c)).collect();
        if rest.starts_with(['章', '部', '节']) {
            return Some(1);
        }
        if rest.starts_with('条') {
            return Some(2);
        }
    }
    if numeral(first) {
        let rest: String = line.chars().skip_while(|&c| numeral(c)).collect();
        if rest.starts_with(['、', '.', '．']) {
            return Some(1);
        }
    }
    if first == '（' || first == '(' {
        let rest: String = line.chars().skip(1).skip_while(|&c| numeral(c)).collect();
        if line.chars().nth(1).is_some_and(numeral) && rest.starts_with(['）', ')']) {
            return Some(2);
        }
    }
    if first.is_ascii_digit() {
        let num: String = line
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let rest = &line[num.len()..];
        let dots = num.trim_end_matches('.').matches('.').count();
        if !rest.is_empty() && (num.ends_with('.') || dots > 0 || rest.starts_with(['、', ' '])) {
            return Some(2 + dots.min(3) as u8);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lines_are_headings() {
        for (l, level) in [
            ("一、我们如何收集和使用您的个人信息", Some(1)),
            ("第三章 未成年人", Some(1)),
            ("第十二条 联系我们", Some(2)),
            ("（二）设备信息", Some(2)),
            ("3.2 保存期限", Some(3)),
            ("4. 您的权利", Some(2)),
            ("我们会收集您的手机号码。", None),
            ("2024年1月1日生效", None),
            ("一些普通文字", None),
        ] {
            assert_eq!(heading_level(l), level, "{l}");
        }
    }

    #[test]
    fn gbk_is_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("隐私政策");
        assert_eq!(decode(&gbk), "隐私政策");
        assert_eq!(decode("\u{feff}隐私".as_bytes()), "隐私");
    }
}
