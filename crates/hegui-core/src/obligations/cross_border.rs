//! Cross-border transfers: the mechanism each transfer needs (Order 16 Arts. 4–8, tried in
//! the order of `law/obligations.toml`), whether the profile shows it in place, and its
//! dates (standard-contract filing within 10 working days; assessment validity 3 years).
//!
//! Counting: people are counted cumulatively since 1 January of the as-of year. The
//! processor-wide distinct counts (`cross_border_totals`) are used when given for that year;
//! otherwise the transfers of that year are added up, an upper bound when recipients
//! overlap. Transfers with an exemption ground are counted too (the fail-safe reading):
//! when leaving them out would change the tier, the detail says so.

use jiff::civil::Date;
use jiff::Span;

use super::schedule::fmt_count;
use super::{missing_fields, Ctx, Finding, Obligation, Status};
use crate::condition::{Expr, Facts, Outcome, Truth};
use crate::inventory::{MechanismKind, Transfer};
use crate::law::CrossBorderRule;
use crate::messages::{msg, msg_t};
use crate::text::Text;

/// Processor-wide counts since 1 January.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Totals {
    people: u64,
    sensitive: u64,
}

struct TransferFacts<'a> {
    ctx: &'a Ctx<'a>,
    transfer: &'a Transfer,
    totals: Totals,
}

impl Facts for TransferFacts<'_> {
    fn flag(&self, name: &str) -> Truth {
        match name {
            "exemption_ground" => Truth::from(self.transfer.exemption.is_some()),
            other => self.ctx.facts.flag(other),
        }
    }
    fn number(&self, name: &str) -> Option<u64> {
        match name {
            "xb_people" => Some(self.totals.people),
            "xb_sensitive" => Some(self.totals.sensitive),
            other => self.ctx.facts.number(other),
        }
    }
    fn threshold(&self, id: &str) -> Option<u64> {
        self.ctx.facts.threshold(id)
    }
}

/// The first rule that holds; an unknown before any true rule makes the tier unknown.
fn tier(ctx: &Ctx, t: &Transfer, totals: Totals) -> (Option<&'static CrossBorderRule>, Outcome) {
    let facts = TransferFacts {
        ctx,
        transfer: t,
        totals,
    };
    let law: &'static crate::law::Law = ctx.law;
    for rule in &law.obligations.cross_border {
        let o = Expr::parse(&rule.when)
            .unwrap_or_else(|e| panic!("law data: {e}"))
            .eval(&facts);
        match o.truth {
            Truth::True => return (Some(rule), o),
            Truth::Unknown => return (None, o),
            Truth::False => {}
        }
    }
    (
        None,
        Outcome {
            truth: Truth::False,
            missing: vec![],
        },
    )
}

pub(super) fn evaluate(ctx: &Ctx) -> Vec<Obligation> {
    let year = ctx.as_of.year();
    let transfers: Vec<(&str, &Transfer)> = ctx
        .profile
        .activities
        .iter()
        .flat_map(|a| {
            a.cross_border
                .iter()
                .flatten()
                .map(move |t| (a.id.as_str(), t))
        })
        .collect();
    if transfers.is_empty() {
        return Vec::new();
    }
    let sum = |include_exempt: bool| {
        transfers
            .iter()
            .filter(|(_, t)| t.year == year && (include_exempt || t.exemption.is_none()))
            .fold(
                Totals {
                    people: 0,
                    sensitive: 0,
                },
                |acc, (_, t)| Totals {
                    people: acc.people + t.people_non_sensitive,
                    sensitive: acc.sensitive + t.people_sensitive,
                },
            )
    };
    let (totals, source) = match &ctx.profile.cross_border_totals {
        Some(t) if t.year == year => (
            Totals {
                people: t.people_non_sensitive,
                sensitive: t.people_sensitive,
            },
            msg("xb.source_totals", &[]),
        ),
        _ => (sum(true), msg("xb.source_sum", &[("year", &year)])),
    };
    let without_exempt = sum(false);
    transfers
        .into_iter()
        .map(|(activity, t)| one(ctx, activity, t, totals, &source, without_exempt))
        .collect()
}

fn one(
    ctx: &Ctx,
    activity: &str,
    t: &Transfer,
    totals: Totals,
    source: &Text,
    alt: Totals,
) -> Obligation {
    let (rule, outcome) = tier(ctx, t, totals);
    let mut parts = vec![msg_t(
        "xb.counts",
        &[
            ("year", &ctx.as_of.year()),
            ("people", &fmt_count(totals.people)),
            ("sensitive", &fmt_count(totals.sensitive)),
        ],
        &[("source", source)],
    )];
    if t.year != ctx.as_of.year() {
        parts.push(msg("xb.other_year", &[("year", &t.year)]));
    }
    if let Some(g) = t.exemption {
        let ground = serde_json::to_value(g).unwrap_or_default();
        parts.push(msg(
            "xb.exemption",
            &[("ground", &ground.as_str().unwrap_or(""))],
        ));
    }
    let detail = Text::join(&parts);
    let mut ob = Obligation {
        id: "cross_border.mechanism".into(),
        subject: Some(format!("{activity} → {} ({})", t.recipient, t.country)),
        title_en: "Cross-border transfer mechanism".into(),
        title_zh: "个人信息出境合规路径".into(),
        status: Status::from(outcome.truth),
        advisory: false,
        due: None,
        finding: None,
        detail,
        missing: missing_fields(&outcome),
        cites: vec![],
    };
    let Some(rule) = rule else {
        return ob;
    };
    if let (Some(alt_rule), _) = tier(ctx, t, alt) {
        if alt_rule.tier != rule.tier && t.exemption.is_none() {
            let tier = Text::new(&alt_rule.title_zh, &alt_rule.title_en);
            let note = msg_t("xb.tier_without_exempt", &[], &[("tier", &tier)]);
            ob.detail = Text::join(&[ob.detail.clone(), note]);
        }
    }
    ob.title_en = rule.title_en.clone();
    ob.title_zh = rule.title_zh.clone();
    ob.cites = rule.cites.clone();
    let note = match rule.tier.as_str() {
        "exempt" => {
            ob.finding = Some(Finding::Met);
            Text::default()
        }
        "security_assessment" => assessment(ctx, t, &mut ob),
        _ => contract_or_certification(ctx, t, &mut ob),
    };
    ob.detail.then(note);
    ob
}

fn expiry(issued: Option<Date>, expires: Option<Date>, years: i64) -> Option<Date> {
    expires.or_else(|| issued.and_then(|i| i.checked_add(Span::new().years(years)).ok()))
}

fn assessment(ctx: &Ctx, t: &Transfer, ob: &mut Obligation) -> Text {
    let m = t
        .mechanism
        .as_ref()
        .filter(|m| m.kind == MechanismKind::SecurityAssessment);
    let Some(m) = m else {
        ob.finding = Some(Finding::Gap);
        return msg("xb.assessment_none", &[]);
    };
    let years = ctx.law.thresholds.get("assessment_validity").amount();
    let Some(exp) = expiry(m.issued_on, m.expires_on, years) else {
        ob.missing.push("mechanism.issued_on".into());
        return msg("xb.assessment_no_date", &[]);
    };
    ob.due = Some(exp.to_string());
    let window = ctx
        .law
        .thresholds
        .get("assessment_extension_window")
        .amount();
    let apply_from = ctx.calendar.add_working_days(exp, -window).ok();
    if exp < ctx.as_of {
        ob.finding = Some(Finding::Overdue);
        return msg("xb.assessment_expired", &[("date", &exp)]);
    }
    ob.finding = Some(Finding::Met);
    match apply_from {
        Some(d) => msg(
            "xb.assessment_valid_from",
            &[("date", &exp), ("from", &d), ("days", &window)],
        ),
        None => msg("xb.assessment_valid", &[("date", &exp), ("days", &window)]),
    }
}

fn contract_or_certification(ctx: &Ctx, t: &Transfer, ob: &mut Obligation) -> Text {
    let Some(m) = &t.mechanism else {
        ob.finding = Some(Finding::Gap);
        return msg("xb.mechanism_none", &[]);
    };
    match m.kind {
        MechanismKind::SecurityAssessment => assessment(ctx, t, ob),
        MechanismKind::Certification => {
            let years = ctx.law.thresholds.get("assessment_validity").amount();
            match expiry(m.issued_on, m.expires_on, years) {
                Some(exp) if exp < ctx.as_of => {
                    ob.due = Some(exp.to_string());
                    ob.finding = Some(Finding::Overdue);
                    msg("xb.certification_expired", &[("date", &exp)])
                }
                Some(exp) => {
                    ob.due = Some(exp.to_string());
                    ob.finding = Some(Finding::Met);
                    msg("xb.certified", &[("date", &exp)])
                }
                None => {
                    ob.missing.push("mechanism.issued_on".into());
                    msg("xb.certification_no_date", &[])
                }
            }
        }
        MechanismKind::StandardContract => {
            let Some(eff) = m.effective_on else {
                ob.missing.push("mechanism.effective_on".into());
                return msg("xb.contract_no_date", &[]);
            };
            let wd = ctx.law.thresholds.get("standard_contract_filing").amount();
            let due = match ctx.calendar.add_working_days(eff, wd) {
                Ok(d) => d,
                Err(e) => {
                    ob.missing.push("a working-day calendar".into());
                    return msg("xb.filing_no_calendar", &[("error", &e)]);
                }
            };
            ob.due = Some(due.to_string());
            ob.finding = Some(super::by_deadline(m.filed_on, due, due < ctx.as_of));
            let id = match m.filed_on {
                Some(f) if f > due => "xb.filed_late",
                Some(_) => "xb.filed",
                None => "xb.not_filed",
            };
            let filed = m.filed_on.map(|f| f.to_string()).unwrap_or_default();
            msg(
                id,
                &[
                    ("effective", &eff),
                    ("due", &due),
                    ("days", &wd),
                    ("filed", &filed),
                ],
            )
        }
    }
}
