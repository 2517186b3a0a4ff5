//! Processor-level obligations: applicability from the data, due dates by schedule kind.

use jiff::civil::{date, Date};
use jiff::Span;

use super::{missing_fields, Ctx, Finding, Obligation, Status};
use crate::law::ObligationDef;

pub(crate) use crate::facts::fmt_count;

/// The facts a condition mentions, with their values (see [`crate::facts::explain`]).
pub(crate) fn explain(ctx: &Ctx, condition: &str) -> String {
    crate::facts::explain(&ctx.facts, condition)
}

fn add_years(d: Date, years: i64) -> Date {
    d.checked_add(Span::new().years(years)).unwrap_or(d)
}

/// Evaluates one processor-level obligation.
pub(super) fn evaluate(ctx: &Ctx, def: &ObligationDef) -> Obligation {
    let outcome = ctx.eval(&def.applies);
    let mut ob = Obligation {
        id: def.id.clone(),
        subject: None,
        title_en: def.title_en.clone(),
        title_zh: def.title_zh.clone(),
        status: Status::from(outcome.truth),
        advisory: def.advisory,
        due: None,
        finding: None,
        detail: explain(ctx, &def.applies),
        missing: missing_fields(&outcome),
        cites: def.cites.clone(),
    };
    if ob.status != Status::Applies {
        return ob;
    }
    let note = match def.schedule.as_str() {
        "audit_cycle" => audit_cycle(ctx, def, &mut ob),
        "minors_annual" => minors_annual(ctx, &mut ob),
        "pipo_designation" => pipo_designation(ctx, &mut ob),
        "pipo_filing" => pipo_filing(ctx, &mut ob),
        "independent_body" => independent_body(ctx, &mut ob),
        "annual_report" => annual_report(ctx, &mut ob),
        "none" => {
            ob.finding = Some(Finding::Standing);
            String::new()
        }
        other => panic!("law data: unknown schedule {other:?} (tested)"),
    };
    if !note.is_empty() {
        ob.detail = format!("{}. {note}", ob.detail);
    }
    ob
}

/// Due or overdue, relative to the as-of date.
fn by_date(ctx: &Ctx, ob: &mut Obligation, due: Date) {
    ob.due = Some(due.to_string());
    ob.finding = Some(if due < ctx.as_of {
        Finding::Overdue
    } else {
        Finding::Upcoming
    });
}

fn audit_cycle(ctx: &Ctx, def: &ObligationDef, ob: &mut Obligation) -> String {
    let deadline = ctx
        .law
        .thresholds
        .get(def.deadline.as_deref().unwrap_or_default());
    let years = deadline.amount();
    let last = ctx.profile.past_audits.iter().map(|a| a.date).max();
    match last {
        Some(last) => {
            by_date(ctx, ob, add_years(last, years));
            format!("Last audit {last}; next within {years} years of it")
        }
        None if !def.advisory => {
            // No audit yet: the first period runs from the Measures' entry into force.
            let start = date(2025, 5, 1);
            let due = add_years(start, years).yesterday().unwrap_or(start);
            by_date(ctx, ob, due);
            format!(
                "No audit recorded (past_audits); the first {years}-year period is counted from the \
                 Measures' entry into force on {start} (hegui's reading)"
            )
        }
        None => {
            ob.finding = Some(Finding::Standing);
            "No audit recorded (past_audits); the suggested cadence counts from the first audit"
                .into()
        }
    }
}

fn minors_annual(ctx: &Ctx, ob: &mut Obligation) -> String {
    let d = ctx.law.thresholds.get("minors_audit_report");
    let (m, day) = (d.month.unwrap_or(1), d.day.unwrap_or(31));
    let year = ctx.as_of.year();
    let covers = |y: i16| {
        ctx.profile.past_audits.iter().any(|a| {
            a.covers_minors == Some(true)
                && a.date >= date(y, 1, 1)
                && a.date <= date(y + 1, m, day)
        })
    };
    // The reporting duty starts with the CAC notice of 2025-12-29: 2025 is the first year.
    let previous = year - 1;
    let prev_due = date(year, m, day);
    if previous >= 2025 && !covers(previous) {
        ob.due = Some(prev_due.to_string());
        ob.finding = Some(if prev_due < ctx.as_of {
            Finding::Overdue
        } else {
            Finding::Upcoming
        });
        return format!(
            "No minors' audit recorded for {previous} (past_audits[].covers_minors); its report is due by {prev_due}"
        );
    }
    let due = date(year + 1, m, day);
    ob.due = Some(due.to_string());
    ob.finding = Some(if covers(year) {
        Finding::Met
    } else {
        Finding::Upcoming
    });
    format!("The {year} audit of minors' PI is reported by {due}")
}

fn pipo_designation(ctx: &Ctx, ob: &mut Obligation) -> String {
    match &ctx.profile.pipo {
        Some(p) => {
            ob.finding = Some(Finding::Met);
            format!("PIPO designated on {}", p.designated_on)
        }
        None => {
            ob.finding = Some(Finding::Gap);
            "No PIPO recorded (pipo)".into()
        }
    }
}

fn pipo_filing(ctx: &Ctx, ob: &mut Obligation) -> String {
    let reported = ctx.profile.pipo.as_ref().and_then(|p| p.reported_on);
    let Some(reached) = ctx.profile.headcounts.reached_1m_on else {
        ob.missing.push("headcounts.reached_1m_on".into());
        if let Some(r) = reported {
            ob.finding = Some(Finding::Met);
            return format!(
                "Reported on {r}; the due date needs the day the count reached 1,000,000"
            );
        }
        return "The due date needs the day the count reached 1,000,000".into();
    };
    let notice = ctx
        .law
        .instrument("PIPO_NOTICE")
        .and_then(|i| i.effective.parse::<Date>().ok());
    let (due, how) = if notice.is_some_and(|n| reached < n) {
        let t = ctx.law.thresholds.get("pipo_filing_transition");
        let due = t.date.expect("transition deadline has a date (tested)");
        (due, format!("reached 1,000,000 on {reached}, before the notice: the transition deadline applies"))
    } else {
        let wd = ctx.law.thresholds.get("pipo_filing").amount();
        match ctx.calendar.add_working_days(reached, wd) {
            Ok(due) => (due, format!("{wd} working days from {reached}")),
            Err(e) => {
                ob.missing.push("a working-day calendar".into());
                return format!("The due date cannot be computed: {e}");
            }
        }
    };
    ob.due = Some(due.to_string());
    ob.finding = Some(super::by_deadline(reported, due, due < ctx.as_of));
    match reported {
        Some(r) if r > due => format!("Due {due} ({how}); reported late, on {r}"),
        Some(r) => format!("Due {due} ({how}); reported on {r}"),
        None => format!("Due {due} ({how}); not reported (pipo.reported_on)"),
    }
}

fn independent_body(ctx: &Ctx, ob: &mut Obligation) -> String {
    let body = ctx
        .profile
        .platform
        .as_ref()
        .and_then(|p| p.independent_body.as_ref());
    match body {
        Some(b) if b.outside_members * 2 > b.members => {
            ob.finding = Some(Finding::Met);
            format!(
                "Established {}; {} of {} members are outside members",
                b.established_on, b.outside_members, b.members
            )
        }
        Some(b) => {
            ob.finding = Some(Finding::Gap);
            format!(
                "Only {} of {} members are outside members: the body must consist mainly of outside members",
                b.outside_members, b.members
            )
        }
        None => {
            ob.finding = Some(Finding::Gap);
            "No independent body recorded (platform.independent_body)".into()
        }
    }
}

fn annual_report(ctx: &Ctx, ob: &mut Obligation) -> String {
    let last = ctx
        .profile
        .platform
        .as_ref()
        .and_then(|p| p.last_social_responsibility_report);
    match last {
        Some(last) => {
            by_date(ctx, ob, add_years(last, 1));
            format!("Last report published {last}")
        }
        None => {
            ob.finding = Some(Finding::Gap);
            "No report recorded (platform.last_social_responsibility_report)".into()
        }
    }
}
