//! Markdown (CommonMark with tables, by pulldown-cmark): headings, paragraphs, list
//! items and table cells; emphasis and links keep their text.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::document::Document;

pub(crate) fn read(text: &str) -> Document {
    let mut d = Document::new();
    let mut buf = String::new();
    let mut heading: Option<u8> = None;
    let mut in_head = false;
    let mut headers: Vec<String> = Vec::new();
    let mut col = 0usize;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut d, &mut buf);
                heading = Some(level_of(level));
            }
            Event::End(TagEnd::Heading(_)) => {
                d.heading(heading.take().unwrap_or(1), &buf);
                buf.clear();
            }
            Event::Start(Tag::Table(_)) => headers.clear(),
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => col = 0,
            Event::Start(Tag::TableCell) => buf.clear(),
            Event::End(TagEnd::TableCell) => {
                if in_head {
                    headers.push(buf.trim().to_string());
                } else {
                    d.cell(&headers, col, &buf);
                }
                buf.clear();
                col += 1;
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => flush(&mut d, &mut buf),
            Event::Start(Tag::Item) => flush(&mut d, &mut buf),
            Event::Text(t) | Event::Code(t) => buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak => buf.push('\n'),
            _ => {}
        }
    }
    flush(&mut d, &mut buf);
    d
}

fn flush(d: &mut Document, buf: &mut String) {
    if !buf.trim().is_empty() {
        d.paragraph(buf);
    }
    buf.clear();
}

fn level_of(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Kind;

    #[test]
    fn headings_lists_and_tables() {
        let d = read(
            "# 隐私政策\n\n## 一、收集\n\n我们收集**手机号码**。\n\n- 注册\n- 登录\n\n\
             | 功能 | 个人信息 |\n|---|---|\n| 注册 | 手机号码 |\n",
        );
        let texts: Vec<&str> = (0..d.blocks.len()).map(|i| d.block_text(i)).collect();
        assert_eq!(
            texts,
            [
                "隐私政策",
                "一、收集",
                "我们收集手机号码。",
                "注册",
                "登录",
                "注册",
                "手机号码"
            ]
        );
        assert_eq!(d.heading_path(2), "隐私政策 › 一、收集");
        assert_eq!(
            d.blocks[6].kind,
            Kind::Cell {
                header: "个人信息".into(),
                table: "功能 | 个人信息".into()
            }
        );
    }
}
