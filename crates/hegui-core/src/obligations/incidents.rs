//! Incidents: the reporting clock of the incident-reporting Measures (1 hour for CIIOs,
//! 4 hours for others, for incidents rated 较大 or above — by head-count, ≥ 1,000,000
//! people), the 30-day summary report, notice to individuals (PIPL 57), and whether the
//! incident lets a protection department order an audit (Measures Art. 5 (三)).

use jiff::civil::DateTime;
use jiff::Span;

use super::schedule::fmt_count;
use super::{Ctx, Finding, Obligation, Status};
use crate::condition::{Facts, Truth};
use crate::inventory::Incident;
use crate::law::Citation;
use crate::messages::{msg, msg_t};
use crate::text::Text;

fn cite(s: &str) -> Citation {
    Citation::parse(s).expect("static citation")
}

fn base(inc: &Incident, id: &str, en: &str, zh: &str, cites: &[&str]) -> Obligation {
    Obligation {
        id: id.into(),
        subject: Some(format!("incident {} ({})", inc.id, inc.occurred_on)),
        title_en: en.into(),
        title_zh: zh.into(),
        status: Status::Applies,
        advisory: false,
        due: None,
        finding: None,
        detail: Text::default(),
        missing: vec![],
        cites: cites.iter().map(|c| cite(c)).collect(),
    }
}

pub(super) fn evaluate(ctx: &Ctx) -> Vec<Obligation> {
    let mut out = Vec::new();
    for inc in ctx.profile.incidents.iter().flatten() {
        let tier = tier(ctx, inc.people_affected);
        out.push(report_clock(ctx, inc, tier));
        if tier.is_some() {
            out.push(summary(ctx, inc));
        }
        out.push(notify_individuals(inc));
        out.push(ordered_audit(ctx, inc));
    }
    out
}

/// The head-count tier: 较大 / 重大 / 特别重大, or none below 1,000,000 people.
fn tier(ctx: &Ctx, people: u64) -> Option<&'static str> {
    let t = &ctx.law.thresholds;
    if people >= t.value("incident_tier_critical_people") {
        Some("特别重大")
    } else if people >= t.value("incident_tier_serious_people") {
        Some("重大")
    } else if people >= t.value("incident_tier_major_people") {
        Some("较大")
    } else {
        None
    }
}

fn report_clock(ctx: &Ctx, inc: &Incident, tier: Option<&str>) -> Obligation {
    let mut ob = base(
        inc,
        "incident.report",
        "Report the incident to the authorities within the time limit",
        "按时限报告网络安全事件",
        &["INCIDENT 4", "NDSMR 11"],
    );
    let people = fmt_count(inc.people_affected);
    let Some(tier) = tier else {
        ob.status = Status::DoesNotApply;
        ob.detail = msg("incidents.below_tier", &[("people", &people)]);
        return ob;
    };
    let ciio = ctx.facts.flag("cii_operator");
    if ciio == Truth::Unknown {
        ob.status = Status::CannotTell;
        ob.missing.push("organisation.ciio".into());
        ob.detail = msg(
            "incidents.ciio_unknown",
            &[("people", &people), ("tier", &tier)],
        );
        return ob;
    }
    let id = if ciio == Truth::True {
        "incident_report_ciio"
    } else {
        "incident_report_other"
    };
    let hours = ctx.law.thresholds.get(id).amount();
    ob.detail = msg(
        "incidents.report_within",
        &[("people", &people), ("tier", &tier), ("hours", &hours)],
    );
    let Some(found) = inc.discovered_at else {
        ob.missing.push("incidents[].discovered_at".into());
        return ob;
    };
    let due: DateTime = found.checked_add(Span::new().hours(hours)).unwrap_or(found);
    ob.due = Some(due.strftime("%Y-%m-%dT%H:%M").to_string());
    ob.finding = Some(super::by_deadline(
        inc.reported_at,
        due,
        due.date() < ctx.as_of,
    ));
    if let Some(r) = inc.reported_at {
        let at = r.strftime("%Y-%m-%dT%H:%M").to_string();
        ob.detail = Text::join(&[
            ob.detail.clone(),
            msg("incidents.reported_at", &[("at", &at)]),
        ]);
    }
    ob
}

fn summary(ctx: &Ctx, inc: &Incident) -> Obligation {
    let mut ob = base(
        inc,
        "incident.summary",
        "Summary report after handling ends",
        "事件处置结束后报送总结报告",
        &["INCIDENT 8"],
    );
    let days = ctx.law.thresholds.get("incident_summary").amount();
    match inc.handling_ended_on {
        Some(end) => {
            let due = end.checked_add(Span::new().days(days)).unwrap_or(end);
            ob.due = Some(due.to_string());
            ob.finding = Some(super::by_deadline(
                inc.summary_reported_on,
                due,
                due < ctx.as_of,
            ));
            ob.detail = match inc.summary_reported_on {
                Some(s) => msg(
                    "incidents.summary_sent",
                    &[("end", &end), ("days", &days), ("sent", &s)],
                ),
                None => msg(
                    "incidents.summary_missing",
                    &[("end", &end), ("days", &days)],
                ),
            };
        }
        None => {
            ob.finding = Some(Finding::Standing);
            ob.detail = msg("incidents.summary_open", &[("days", &days)]);
        }
    }
    ob
}

fn notify_individuals(inc: &Incident) -> Obligation {
    let mut ob = base(
        inc,
        "incident.notify",
        "Notify the protection departments and the individuals immediately",
        "立即采取补救措施，并通知履行个人信息保护职责的部门和个人",
        &["PIPL 57"],
    );
    ob.detail = msg("incidents.notify_immediately", &[]);
    match inc.individuals_notified {
        Some(true) => ob.finding = Some(Finding::Met),
        Some(false) => {
            ob.finding = Some(Finding::Gap);
            ob.detail = Text::join(&[ob.detail.clone(), msg("incidents.not_notified", &[])]);
        }
        None => ob.missing.push("incidents[].individuals_notified".into()),
    }
    ob
}

fn ordered_audit(ctx: &Ctx, inc: &Incident) -> Obligation {
    let mut ob = base(
        inc,
        "incident.ordered_audit_trigger",
        "A protection department may order a compliance audit by a professional body",
        "保护部门可以要求委托专业机构开展合规审计",
        &["MEASURES 5"],
    );
    let t = &ctx.law.thresholds;
    let people = inc.people_affected >= t.value("ordered_audit_incident_people");
    let sensitive = inc
        .sensitive_people_affected
        .map(|s| s >= t.value("ordered_audit_incident_sensitive"));
    let truth = match (people, sensitive) {
        (true, _) | (_, Some(true)) => Truth::True,
        (false, Some(false)) => Truth::False,
        (false, None) => Truth::Unknown,
    };
    ob.status = Status::from(truth);
    let people = fmt_count(inc.people_affected);
    ob.detail = match inc.sensitive_people_affected {
        Some(n) => msg(
            "incidents.ordered_counts",
            &[("people", &people), ("sensitive", &fmt_count(n))],
        ),
        None => msg_t(
            "incidents.ordered_counts",
            &[("people", &people)],
            &[("sensitive", &msg("incidents.unknown_count", &[]))],
        ),
    };
    match truth {
        Truth::True => {
            ob.finding = Some(Finding::Standing);
            ob.detail = Text::join(&[ob.detail.clone(), msg("incidents.ordered_once", &[])]);
        }
        Truth::Unknown => ob
            .missing
            .push("incidents[].sensitive_people_affected".into()),
        Truth::False => {}
    }
    ob
}
