//! Independence of an engagement (Measures Arts. 14 and 15), checked when it is created:
//!
//! - Art. 15: the same professional body with its affiliates, or the same audit lead, may
//!   not audit the same subject "连续三次以上". By Civil Code Art. 1259 以上 includes the
//!   number, so three in a row is already too many (at most two): hegui's default reading.
//!   The everyday reading "more than three" (at most three) can be chosen; the result says
//!   which reading was applied. The number itself is `rotation_consecutive` in the law data.
//! - Art. 14: a professional body may not sub-entrust the audit; it must attest that it
//!   does not.
//!
//! Internal self-audits are not audits by a professional body: Art. 15 does not apply.

use hegui_core::inventory::{AuditKind, PastAudit, Profile};
use hegui_core::law::Law;
use serde::{Deserialize, Serialize};

/// How "连续三次以上" is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RotationReading {
    /// 以上 inclusive (Civil Code Art. 1259): three in a row is prohibited.
    Inclusive,
    /// "More than three": a fourth in a row is prohibited.
    Exclusive,
}

impl RotationReading {
    /// The most consecutive audits allowed.
    pub fn allowed(self) -> u32 {
        let n = Law::get().thresholds.value("rotation_consecutive") as u32;
        match self {
            RotationReading::Inclusive => n - 1,
            RotationReading::Exclusive => n,
        }
    }

    pub fn describe(self) -> String {
        match self {
            RotationReading::Inclusive => format!(
                "连续三次以上 read inclusively (Civil Code Art. 1259): at most {} consecutive audits",
                self.allowed()
            ),
            RotationReading::Exclusive => format!(
                "连续三次以上 read as 'more than three': at most {} consecutive audits",
                self.allowed()
            ),
        }
    }
}

/// Who would carry out the new engagement.
#[derive(Debug, Clone)]
pub struct Auditor<'a> {
    pub kind: AuditKind,
    pub body: Option<&'a str>,
    pub affiliates: &'a [String],
    pub lead: Option<&'a str>,
    /// The body attests it does not sub-entrust the audit (Art. 14).
    pub attests_no_subdelegation: bool,
}

/// One breach of independence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub article: String,
    pub message: String,
}

/// The outcome of the checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Independence {
    pub reading: RotationReading,
    pub reading_applied: String,
    pub violations: Vec<Violation>,
    /// What was checked, for the record.
    pub notes: Vec<String>,
}

fn same(a: &str, b: &str) -> bool {
    a.trim() == b.trim() && !a.trim().is_empty()
}

/// Whether a past audit was done by the same body or one of its affiliates.
fn same_body(p: &PastAudit, body: &str, affiliates: &[String]) -> bool {
    let Some(firm) = p.firm.as_deref() else {
        return false;
    };
    same(firm, body)
        || affiliates.iter().any(|a| same(a, firm))
        || p.firm_affiliates
            .iter()
            .any(|a| same(a, body) || affiliates.iter().any(|b| same(a, b)))
}

/// How many of the most recent audits in a row satisfy `pred`.
fn run_length(past: &[PastAudit], pred: impl Fn(&PastAudit) -> bool) -> u32 {
    let mut sorted: Vec<&PastAudit> = past.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.date));
    sorted.iter().take_while(|p| pred(p)).count() as u32
}

/// Checks the new engagement against the processor's past audits.
pub fn check(profile: &Profile, who: &Auditor, reading: RotationReading) -> Independence {
    let mut out = Independence {
        reading,
        reading_applied: reading.describe(),
        violations: Vec::new(),
        notes: Vec::new(),
    };
    if who.kind == AuditKind::Internal {
        out.notes
            .push("internal self-audit: Arts. 14 and 15 bind professional bodies only".into());
        return out;
    }
    let allowed = reading.allowed();
    let past = &profile.past_audits;
    if let Some(body) = who.body {
        let n = run_length(past, |p| same_body(p, body, who.affiliates));
        out.notes.push(format!(
            "{body} (with affiliates) did the last {n} audit(s) in a row"
        ));
        if n + 1 > allowed {
            out.violations.push(Violation {
                article: "MEASURES 15".into(),
                message: format!(
                    "{body} or an affiliate audited this processor the last {n} times in a row; this would be audit {} in a row ({})",
                    n + 1,
                    reading.describe()
                ),
            });
        }
    }
    if let Some(lead) = who.lead {
        let n = run_length(past, |p| {
            p.lead_auditor.as_deref().is_some_and(|l| same(l, lead))
        });
        out.notes
            .push(format!("{lead} led the last {n} audit(s) in a row"));
        if n + 1 > allowed {
            out.violations.push(Violation {
                article: "MEASURES 15".into(),
                message: format!(
                    "{lead} led the last {n} audits of this processor in a row; this would be the {} in a row ({})",
                    n + 1,
                    reading.describe()
                ),
            });
        }
    }
    if !who.attests_no_subdelegation {
        out.violations.push(Violation {
            article: "MEASURES 14".into(),
            message:
                "the professional body has not attested that it does not sub-entrust the audit"
                    .into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hegui_core::inventory::{load, Syntax};

    fn profile(audits: &[(&str, &str, &str)]) -> Profile {
        let mut text = String::from("hegui_profile: 1\norganisation:\n  name: T\nheadcounts:\n  as_of: 2026-06-30\npast_audits:\n");
        for (date, firm, lead) in audits {
            text.push_str(&format!("  - date: {date}\n    kind: commissioned\n    firm: {firm}\n    lead_auditor: {lead}\n    firm_affiliates: [{firm}咨询]\n"));
        }
        load(&text, "p.yaml", Syntax::Yaml).unwrap()
    }

    fn who<'a>(body: &'a str, lead: &'a str, affiliates: &'a [String]) -> Auditor<'a> {
        Auditor {
            kind: AuditKind::Commissioned,
            body: Some(body),
            affiliates,
            lead: Some(lead),
            attests_no_subdelegation: true,
        }
    }

    #[test]
    fn third_in_a_row_is_refused_by_default_and_allowed_on_the_other_reading() {
        let p = profile(&[
            ("2022-06-30", "甲所", "张三"),
            ("2024-06-30", "甲所", "李四"),
        ]);
        let r = check(&p, &who("甲所", "王五", &[]), RotationReading::Inclusive);
        assert_eq!(r.violations.len(), 1, "{r:?}");
        assert!(r.violations[0].message.contains("audit 3 in a row"));
        assert!(r.reading_applied.contains("at most 2"));
        let r = check(&p, &who("甲所", "王五", &[]), RotationReading::Exclusive);
        assert!(r.violations.is_empty(), "{r:?}");
        assert!(r.reading_applied.contains("at most 3"));
    }

    #[test]
    fn affiliates_count_as_the_same_body_and_a_break_resets_the_run() {
        // The past firm lists 甲所咨询 as its affiliate: an engagement by 甲所咨询 continues the run.
        let p = profile(&[
            ("2022-06-30", "甲所", "张三"),
            ("2024-06-30", "甲所", "李四"),
        ]);
        let r = check(
            &p,
            &who("甲所咨询", "王五", &[]),
            RotationReading::Inclusive,
        );
        assert_eq!(r.violations.len(), 1);
        let p = profile(&[
            ("2021-06-30", "甲所", "张三"),
            ("2023-06-30", "乙所", "赵六"),
            ("2025-06-30", "甲所", "李四"),
        ]);
        let r = check(&p, &who("甲所", "王五", &[]), RotationReading::Inclusive);
        assert!(r.violations.is_empty(), "{r:?}");
    }

    #[test]
    fn the_same_lead_at_another_firm_still_counts() {
        let p = profile(&[
            ("2022-06-30", "甲所", "张三"),
            ("2024-06-30", "乙所", "张三"),
        ]);
        let r = check(&p, &who("丙所", "张三", &[]), RotationReading::Inclusive);
        assert_eq!(r.violations.len(), 1);
        assert!(r.violations[0].message.contains("张三 led"));
    }

    #[test]
    fn sub_delegation_needs_an_attestation_and_internal_audits_are_exempt() {
        let p = profile(&[]);
        let mut w = who("甲所", "王五", &[]);
        w.attests_no_subdelegation = false;
        let r = check(&p, &w, RotationReading::Inclusive);
        assert_eq!(r.violations[0].article, "MEASURES 14");
        w.kind = AuditKind::Internal;
        assert!(check(&p, &w, RotationReading::Inclusive)
            .violations
            .is_empty());
    }
}
