//! The policy against the processor's inventory (its profile): recipients, overseas
//! recipients, categories, retention periods and the PIPO's contact that one names and the
//! other does not. Each mismatch quotes both sides.
//!
//! Categories are compared through the words policies use for each taxonomy category
//! (`data/categories.toml`: 手机号码 for 个人电话号码), and retention by the periods the
//! profile states (结清后5年 must find 5年 — or 五年 — in the policy); a profile's retention
//! without a period (账号注销后删除) is not compared, since prose cannot be matched as fact.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hegui_core::inventory::{Profile, RecipientRole};
use regex::Regex;
use serde::Serialize;

use crate::document::Document;
use crate::judge::{Analysis, Evidence};

/// One difference between the profile and the policy.
#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    /// `recipient_not_named`, `overseas_recipient_not_named`, `recipient_not_in_profile`,
    /// `pipo_contact_differs`.
    pub kind: String,
    /// The element of the rubric it concerns.
    pub element: String,
    /// What the profile says (a quote of its field).
    pub profile: String,
    /// What the policy says, when it says something.
    pub policy: Option<Evidence>,
    pub message: String,
    pub message_en: String,
}

/// Names compared without spaces and with either kind of bracket.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The text's legal-entity names (a Chinese company form, or Inc./Ltd. and the like).
fn companies(text: &str) -> Vec<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"[\p{Han}A-Za-z0-9（）()·]{2,40}(有限责任公司|股份有限公司|有限公司)|[A-Z][A-Za-z0-9&.\- ]{1,60}(Inc\.|Ltd\.|LLC|GmbH|Limited|Corporation)",
        )
        .expect("a fixed pattern")
    });
    re.find_iter(text).map(|m| m.as_str().to_string()).collect()
}

fn quote(an: &Analysis, element: &str) -> Option<Evidence> {
    an.elements
        .iter()
        .find(|v| v.id == element)
        .and_then(|v| v.evidence.first().cloned())
}

pub fn mismatches(profile: &Profile, doc: &Document, an: &Analysis) -> Vec<Mismatch> {
    let text = key(&doc.text);
    let mut out = Vec::new();
    let named = recipients(profile, &text, an, &mut out);
    unknown_recipients(profile, &named, an, &mut out);
    categories(profile, &doc.text, an, &mut out);
    retention(profile, &doc.text, an, &mut out);
    pipo(profile, &text, an, &mut out);
    out
}

/// Recipients and overseas recipients of the profile the policy does not name; returns every
/// recipient's name (keyed) for the reverse check.
fn recipients(
    profile: &Profile,
    text: &str,
    an: &Analysis,
    out: &mut Vec<Mismatch>,
) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for a in &profile.activities {
        for r in &a.recipients {
            if !matches!(r.role, RecipientRole::ThirdParty | RecipientRole::Joint) {
                continue;
            }
            named.push(key(&r.name));
            if !text.contains(&key(&r.name)) {
                out.push(Mismatch {
                    kind: "recipient_not_named".into(),
                    element: "T01".into(),
                    profile: format!("{}: {}", a.id, r.name),
                    policy: quote(an, "T01"),
                    message: format!("画像中活动“{}”向“{}”提供个人信息，处理规则未写明该接收方", a.name, r.name),
                    message_en: format!(
                        "the profile's activity {:?} provides PI to {:?}, which the policy does not name",
                        a.name, r.name
                    ),
                });
            }
        }
        for t in a.cross_border.iter().flatten() {
            named.push(key(&t.recipient));
            if !text.contains(&key(&t.recipient)) {
                out.push(Mismatch {
                    kind: "overseas_recipient_not_named".into(),
                    element: "X01".into(),
                    profile: format!("{}: {} ({})", a.id, t.recipient, t.country),
                    policy: quote(an, "X01"),
                    message: format!("画像中活动“{}”向境外接收方“{}”提供个人信息，处理规则未写明", a.name, t.recipient),
                    message_en: format!(
                        "the profile's activity {:?} transfers PI to {:?} abroad, which the policy does not name",
                        a.name, t.recipient
                    ),
                });
            }
        }
    }
    named
}

/// The reverse: a company the policy names as a recipient that the profile lists nowhere.
fn unknown_recipients(profile: &Profile, named: &[String], an: &Analysis, out: &mut Vec<Mismatch>) {
    for element in ["T01", "X01"] {
        let Some(v) = an.elements.iter().find(|v| v.id == element) else {
            continue;
        };
        for e in &v.evidence {
            for c in companies(&e.quote) {
                let k = key(&c);
                let known = named
                    .iter()
                    .any(|n| n.contains(&k) || k.contains(n.as_str()))
                    || profile.organisation.name == c;
                if !known {
                    out.push(Mismatch {
                        kind: "recipient_not_in_profile".into(),
                        element: element.into(),
                        profile: "—".into(),
                        policy: Some(e.clone()),
                        message: format!("处理规则写明的接收方“{c}”未列入画像的接收方"),
                        message_en: format!(
                            "the policy names {c:?} as a recipient; the profile lists it nowhere"
                        ),
                    });
                }
            }
        }
    }
}

/// The profile's PIPO contact, not in the policy.
fn pipo(profile: &Profile, text: &str, an: &Analysis, out: &mut Vec<Mismatch>) {
    if let Some(p) = &profile.pipo {
        if !p.contact.trim().is_empty() && !text.contains(&key(&p.contact)) {
            out.push(Mismatch {
                kind: "pipo_contact_differs".into(),
                element: "P01".into(),
                profile: format!("pipo.contact: {}", p.contact),
                policy: quote(an, "P01"),
                message: format!(
                    "画像中个人信息保护负责人的联系方式“{}”未见于处理规则",
                    p.contact
                ),
                message_en: format!(
                    "the PIPO's contact in the profile, {:?}, is not in the policy",
                    p.contact
                ),
            });
        }
    }
}

/// The words of each taxonomy category, compiled (`data/categories.toml`).
pub fn category_words() -> &'static BTreeMap<String, Regex> {
    static WORDS: OnceLock<BTreeMap<String, Regex>> = OnceLock::new();
    WORDS.get_or_init(|| {
        #[derive(serde::Deserialize)]
        struct File {
            words: BTreeMap<String, String>,
        }
        let f: File = toml::from_str(include_str!("../data/categories.toml"))
            .unwrap_or_else(|e| panic!("embedded data/categories.toml: {e}"));
        f.words
            .into_iter()
            .map(|(id, w)| {
                let re =
                    Regex::new(&w).unwrap_or_else(|e| panic!("data/categories.toml {id}: {e}"));
                (id, re)
            })
            .collect()
    })
}

/// Whether the policy's text uses a word of category `id` (a group: its own words or any
/// of its items'). An id without words is taken as named: nothing to compare.
fn names_category(text: &str, id: &str) -> bool {
    let words = category_words();
    let prefix = format!("{id}.");
    let mut any = false;
    for (k, re) in words.iter() {
        if k == id || k.starts_with(&prefix) {
            any = true;
            if re.is_match(text) {
                return true;
            }
        }
    }
    !any
}

/// Categories an activity of the profile processes that the policy names in no words.
fn categories(profile: &Profile, text: &str, an: &Analysis, out: &mut Vec<Mismatch>) {
    let taxonomy = &hegui_core::law::Law::get().taxonomy;
    let mut reported: Vec<&str> = Vec::new();
    for a in &profile.activities {
        for c in &a.categories {
            if reported.contains(&c.as_str()) || names_category(text, c) {
                continue;
            }
            reported.push(c);
            let (zh, en) = taxonomy
                .item(c)
                .map(|i| (i.name_zh.clone(), i.name_en.clone()))
                .or_else(|| {
                    taxonomy
                        .category(c)
                        .map(|g| (g.name_zh.clone(), g.name_en.clone()))
                })
                .unwrap_or_else(|| (c.clone(), c.clone()));
            out.push(Mismatch {
                kind: "category_not_named".into(),
                element: "C05".into(),
                profile: format!("{}: {c}", a.id),
                policy: quote(an, "C05"),
                message: format!("画像中活动“{}”处理“{zh}”，处理规则未提及该类个人信息", a.name),
                message_en: format!(
                    "the profile's activity {:?} processes {en} ({c}), which the policy never mentions",
                    a.name
                ),
            });
        }
    }
}

/// A period: a number and its unit (年, 月, 日, 周, 工作日).
type Period = (u32, &'static str);

/// The periods a text states: 5年, 五年, 180天, 6个月, 15个工作日.
fn periods(text: &str) -> Vec<Period> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(\d+|[零〇一二两三四五六七八九十百]+)\s*(?:个)?\s*(工作日|年|月|日|天|周)")
            .expect("a fixed pattern")
    });
    re.captures_iter(text)
        .filter_map(|c| {
            let n = number(&c[1])?;
            let unit = match &c[2] {
                "年" => "年",
                "月" => "月",
                "周" => "周",
                "工作日" => "工作日",
                _ => "日",
            };
            Some((n, unit))
        })
        .collect()
}

/// A number in digits or in Chinese numerals up to 999 (十五, 二十, 一百八十).
fn number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    let (mut total, mut current) = (0u32, 0u32);
    for c in s.chars() {
        match c {
            '百' => {
                total += current.max(1) * 100;
                current = 0;
            }
            '十' => {
                total += current.max(1) * 10;
                current = 0;
            }
            c => current = digit(c)?,
        }
    }
    Some(total + current)
}

/// Retention periods the profile states that the policy does not.
fn retention(profile: &Profile, text: &str, an: &Analysis, out: &mut Vec<Mismatch>) {
    let stated = periods(text);
    for a in &profile.activities {
        let Some(r) = a.retention.as_deref() else {
            continue;
        };
        let missing: Vec<String> = periods(r)
            .into_iter()
            .filter(|p| !stated.contains(p))
            .map(|(n, u)| format!("{n}{u}"))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let m = missing.join("、");
        out.push(Mismatch {
            kind: "retention_not_stated".into(),
            element: "C07".into(),
            profile: format!("{}: retention: {r}", a.id),
            policy: quote(an, "C07"),
            message: format!("画像中活动“{}”的保存期限为“{r}”，处理规则未写明{m}的期限", a.name),
            message_en: format!(
                "the profile keeps the data of activity {:?} for {r:?}; the policy states no period of {m}",
                a.name
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_digits_and_chinese_numerals() {
        assert_eq!(number("十五"), Some(15));
        assert_eq!(number("二十"), Some(20));
        assert_eq!(number("一百八十"), Some(180));
        assert_eq!(number("两"), Some(2));
        assert_eq!(
            periods("结清后5年；日志保存六个月，录音保存7天，15个工作日内答复"),
            [(5, "年"), (6, "月"), (7, "日"), (15, "工作日")]
        );
    }

    #[test]
    fn every_taxonomy_category_has_its_words() {
        let words = category_words();
        for id in hegui_core::law::Law::get().taxonomy.ids() {
            assert!(words.contains_key(id), "data/categories.toml lacks {id}");
        }
        assert!(names_category("请提供您的手机号码", "basic.phone"));
        assert!(
            names_category("我们收集您的姓名", "basic"),
            "a group by its items"
        );
        assert!(!names_category("我们收集您的姓名", "biometric.face"));
    }
}
