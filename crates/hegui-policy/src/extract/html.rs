//! HTML pages (html5ever, through scraper): headings, paragraphs, list items and table
//! cells of the page's text, without its chrome — scripts and styles, navigation, footers,
//! forms, and whatever is hidden (`hidden`, `aria-hidden`, `display:none`) or named as a
//! cookie bar, menu or sidebar.

use scraper::{ElementRef, Html, Node};

use crate::document::Document;

/// Elements whose content is never the policy's text.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "canvas", "head",
];
/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "section",
    "article",
    "main",
    "blockquote",
    "dd",
    "dt",
    "pre",
    "ul",
    "ol",
    "dl",
    "header",
    "address",
    "figure",
    "figcaption",
    "body",
    "center",
];
/// Words in a class or id that mark page chrome.
const CHROME: &[&str] = &[
    "cookie",
    "consent-banner",
    "navbar",
    "nav-bar",
    "breadcrumb",
    "menu",
    "sidebar",
    "site-header",
    "site-footer",
    "toolbar",
];

/// Elements nested deeper than this are read as plain text (a hostile page nests
/// thousands deep; the walk is recursive).
const MAX_DEPTH: usize = 128;

/// A page nesting deeper than this is refused before it is parsed: the HTML parser's time
/// grows with the square of the depth (20,000 levels took 34 s in a debug build), and a
/// policy page nests a few dozen.
pub(crate) const MAX_NESTING: usize = 2_000;

/// Elements that never nest (void) or that the parser closes by itself when the next one
/// opens, so an old page's unclosed `<p>` and `<li>` are not counted as depth.
const FLAT: &[&str] = &[
    "br", "img", "hr", "meta", "link", "input", "col", "area", "base", "embed", "source", "track",
    "wbr", "param", "p", "li", "td", "th", "tr", "option", "dt", "dd", "!doctype",
];

/// How deep the page's tags nest, counted on the raw text (an upper bound: a `<` in a
/// script may count as a tag).
pub(crate) fn nesting(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(at) = memchr_lt(&b[i..]) {
        i += at + 1;
        if b.get(i) == Some(&b'/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        if b[i..].starts_with(b"!--") {
            // A comment: skip to its end.
            match text[i..].find("-->") {
                Some(end) => i += end + 3,
                None => break,
            }
            continue;
        }
        let name_len = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'!')
            .count();
        if name_len == 0 {
            continue;
        }
        let name = text[i..i + name_len].to_ascii_lowercase();
        // The tag's end, looked for only up to the next `<`: every byte is read once, so a
        // hostile page of endless unclosed tags is counted in linear time.
        let rest = &b[i + name_len..];
        let end = rest.iter().position(|&c| c == b'>' || c == b'<');
        let self_closing = end.is_some_and(|k| rest[k] == b'>' && k > 0 && rest[k - 1] == b'/');
        if !FLAT.contains(&name.as_str()) && !self_closing {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

pub(crate) fn read(text: &str) -> Document {
    let html = Html::parse_document(text);
    let mut r = Reader {
        d: Document::new(),
        buf: String::new(),
        depth: 0,
    };
    r.element(html.root_element());
    r.flush();
    r.d
}

struct Reader {
    d: Document,
    buf: String,
    depth: usize,
}

impl Reader {
    fn flush(&mut self) {
        if !self.buf.trim().is_empty() {
            self.d.paragraph(&self.buf);
        }
        self.buf.clear();
    }

    fn element(&mut self, e: ElementRef) {
        let name = e.value().name();
        if SKIP.contains(&name) || hidden(e) {
            return;
        }
        if let Some(level) = name
            .strip_prefix('h')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|l| (1..=6).contains(l))
        {
            self.flush();
            let text: String = e.text().collect();
            self.d.heading(level, &text);
            return;
        }
        if name == "table" {
            self.flush();
            self.table(e);
            return;
        }
        if name == "br" {
            self.buf.push('\n');
            return;
        }
        let block = BLOCKS.contains(&name);
        if block {
            self.flush();
        }
        if self.depth >= MAX_DEPTH {
            // ego_tree's text iterator walks without recursion.
            self.buf.extend(e.text());
            return;
        }
        self.depth += 1;
        for child in e.children() {
            match child.value() {
                Node::Text(t) => self.buf.push_str(t),
                Node::Element(_) => {
                    if let Some(c) = ElementRef::wrap(child) {
                        self.element(c);
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
        if block {
            self.flush();
        }
    }

    /// A table: the first row's cells are the headers when they are `th` (or the table has
    /// a `thead`); every other cell is a block with its column's header.
    fn table(&mut self, t: ElementRef) {
        let mut headers: Vec<String> = Vec::new();
        let mut first = true;
        for row in descendants(t, "tr") {
            let cells: Vec<ElementRef> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th") && !hidden(*c))
                .collect();
            let head = first
                && (cells.iter().all(|c| c.value().name() == "th")
                    || row
                        .parent()
                        .and_then(ElementRef::wrap)
                        .is_some_and(|p| p.value().name() == "thead"));
            first = false;
            if head {
                headers = cells.iter().map(|c| c.text().collect()).collect();
                continue;
            }
            for (i, c) in cells.iter().enumerate() {
                let text: String = c.text().collect();
                self.d.cell(&headers, i, &text);
            }
        }
    }
}

/// The `tr` rows of a table, not those of tables inside its cells.
fn descendants<'a>(t: ElementRef<'a>, name: &str) -> Vec<ElementRef<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<ElementRef> = t.children().filter_map(ElementRef::wrap).collect();
    stack.reverse();
    while let Some(e) = stack.pop() {
        if e.value().name() == name {
            out.push(e);
        } else if e.value().name() != "table" {
            let mut kids: Vec<ElementRef> = e.children().filter_map(ElementRef::wrap).collect();
            kids.reverse();
            stack.extend(kids);
        }
    }
    out
}

/// Hidden, or page chrome by its class or id.
fn hidden(e: ElementRef) -> bool {
    let v = e.value();
    if v.attr("hidden").is_some() || v.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = v.attr("style") {
        let s: String = style.to_ascii_lowercase().split_whitespace().collect();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    let names = format!(
        "{} {}",
        v.attr("class").unwrap_or(""),
        v.attr("id").unwrap_or("")
    )
    .to_ascii_lowercase();
    CHROME.iter().any(|c| names.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_without_the_chrome() {
        let d = read(
            r#"<!doctype html><html><head><title>t</title><script>var x="个人信息";</script></head>
            <body><nav><a href="/">首页</a></nav>
            <div class="cookie-bar">我们使用Cookie</div>
            <div style="display: none">隐藏</div>
            <main><h1>隐私政策</h1><h2>一、联系我们</h2>
            <div><p>邮箱：privacy@<br>example.com</p><div>电话 <b>400-800-1234</b></div></div>
            <table><thead><tr><td>业务功能</td><td>个人信息</td></tr></thead>
            <tbody><tr><td>注册</td><td>手机号码</td></tr></tbody></table></main>
            <footer>版权所有</footer></body></html>"#,
        );
        let texts: Vec<&str> = (0..d.blocks.len()).map(|i| d.block_text(i)).collect();
        assert_eq!(
            texts,
            [
                "隐私政策",
                "一、联系我们",
                "邮箱：privacy@example.com",
                "电话 400-800-1234",
                "注册",
                "手机号码"
            ]
        );
        assert_eq!(d.heading_path(5), "隐私政策 › 一、联系我们");
    }

    #[test]
    fn deep_nesting_is_read_without_recursing_to_the_bottom() {
        let page = format!(
            "<html><body>{}个人信息{}</body></html>",
            "<div><span>".repeat(900),
            "</span></div>".repeat(900)
        );
        assert!(nesting(&page) > MAX_DEPTH && nesting(&page) <= MAX_NESTING);
        let d = read(&page);
        assert!(d.text.contains("个人信息"));
    }

    #[test]
    fn nesting_counts_what_nests() {
        assert_eq!(
            nesting("<html><body><div><p>a<p>b<br><img src=x/></div></body></html>"),
            3
        );
        assert_eq!(nesting("<!-- <div><div> --><div></div>"), 1);
        assert_eq!(nesting(&"<div>".repeat(5000)), 5000);
        assert_eq!(nesting("a < b and c <= d"), 0);
        // Tags that never end: counted in one pass, not one pass per tag.
        assert_eq!(nesting(&"<a ".repeat(2_000_000)), 2_000_000);
    }
}
