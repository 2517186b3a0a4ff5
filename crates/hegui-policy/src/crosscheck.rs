//! The policy against the processor's inventory (its profile): recipients, overseas
//! recipients and the PIPO's contact that one names and the other does not. Each mismatch
//! quotes both sides. Categories and retention periods are not compared: a policy names
//! categories in its own words (手机号码, not the taxonomy's 个人电话号码) and states periods
//! in prose, so a comparison would report differences of wording, not of fact.

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
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
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
    // The reverse: a company the policy names as a recipient that the profile lists nowhere.
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
    out
}
