//! A document cut into clauses — sentences of paragraphs, and table cells whole — the units
//! cues are matched against and evidence is quoted from.

use crate::document::{Document, Kind};

/// One clause: `doc.text[start..end]`, in block `block`.
#[derive(Debug, Clone)]
pub struct Clause {
    pub block: usize,
    pub start: usize,
    pub end: usize,
    /// What cues are matched against: the clause, after its column's header and a
    /// full-width colon for a table cell (`保存期限：3年`).
    pub context: String,
    /// Where `context`'s clause text begins (after the header, if any).
    pub offset: usize,
    /// `context` without its bracketed asides (an address or phone number in （…）), so
    /// that a cue's words stay close: 由某公司（地址：…，电话：…）运营.
    pub bare: String,
}

/// `s` without bracketed asides of up to 120 characters (an address, a phone and an e-mail).
fn without_asides(s: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE
        .get_or_init(|| regex::Regex::new(r"[（(][^（）()]{1,120}[）)]").expect("a fixed pattern"));
    re.replace_all(s, "").into_owned()
}

/// Sentence ends inside a block.
const ENDS: [char; 5] = ['。', '！', '？', '；', ';'];

pub fn clauses(doc: &Document) -> Vec<Clause> {
    let mut out = Vec::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Kind::Cell { header, .. } = &b.kind {
            let prefix = if header.is_empty() {
                String::new()
            } else {
                format!("{header}：")
            };
            let context = format!("{prefix}{}", &doc.text[b.start..b.end]);
            out.push(Clause {
                block: i,
                start: b.start,
                end: b.end,
                bare: without_asides(&context),
                context,
                offset: prefix.len(),
            });
            continue;
        }
        let text = &doc.text[b.start..b.end];
        let before = out.len();
        let mut from = 0;
        // A sentence does not end inside brackets (（住所：…；电话：…）).
        let mut depth = 0u32;
        for (at, c) in text.char_indices() {
            match c {
                '（' | '(' => depth += 1,
                '）' | ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 && ENDS.contains(&c) {
                push(
                    &mut out,
                    doc,
                    i,
                    b.start + from,
                    b.start + at + c.len_utf8(),
                );
                from = at + c.len_utf8();
            }
        }
        push(&mut out, doc, i, b.start + from, b.end);
        introduce(&mut out[before..], doc, i);
    }
    out
}

/// A paragraph ending in a colon introduces what follows (收集以下个人信息：, then a
/// list): its last clause is matched with the next block's text after it, so that what
/// it introduces can meet an element. Quotes stay the clause's own.
fn introduce(clauses: &mut [Clause], doc: &Document, block: usize) {
    let Some(last) = clauses.last_mut() else {
        return;
    };
    let Some(next) = doc.blocks.get(block + 1) else {
        return;
    };
    if !(last.context.ends_with('：') || last.context.ends_with(':'))
        || matches!(next.kind, Kind::Heading(_))
    {
        return;
    }
    let follows: String = doc.text[next.start..next.end].chars().take(200).collect();
    last.context.push_str(&follows);
    last.bare = without_asides(&last.context);
}

fn push(out: &mut Vec<Clause>, doc: &Document, block: usize, start: usize, end: usize) {
    let text = doc.text[start..end].trim();
    if text.is_empty() {
        return;
    }
    out.push(Clause {
        block,
        start,
        end,
        context: text.to_string(),
        offset: 0,
        bare: without_asides(text),
    });
}

/// Whether the match at `at` in `context` is negated: a negating word within the eight
/// characters before it, in the same clause.
pub fn negated(negation: &regex::Regex, context: &str, at: usize) -> bool {
    let before = &context[..at];
    let from = before.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    negation.is_match(&before[from..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_cells() {
        let mut d = Document::new();
        d.heading(1, "保存");
        d.paragraph("我们保存三年。到期后删除；您可以联系我们");
        d.cell(&["保存期限".to_string()], 0, "3年");
        let c = clauses(&d);
        let texts: Vec<&str> = c.iter().map(|c| c.context.as_str()).collect();
        assert_eq!(
            texts,
            [
                "保存",
                "我们保存三年。",
                "到期后删除；",
                "您可以联系我们",
                "保存期限：3年"
            ]
        );
        assert_eq!(&d.text[c[4].start..c[4].end], "3年");
    }

    #[test]
    fn negation_just_before_the_cue() {
        let n = regex::Regex::new("(不会|无法)").unwrap();
        let s = "我们不会向境外提供您的个人信息";
        assert!(negated(&n, s, s.find("向境外").unwrap()));
        let s = "无法注销的情况下，我们会向境外提供";
        assert!(!negated(&n, s, s.find("向境外").unwrap()));
    }
}
