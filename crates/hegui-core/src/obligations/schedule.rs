//! Processor-level obligations: applicability from the data, due dates by schedule kind.

use jiff::civil::{date, Date};
use jiff::Span;

use super::{missing_fields, Ctx, Finding, Obligation, Status};
use crate::law::ObligationDef;
use crate::messages::{msg, msg_t};
use crate::text::Text;

pub(crate) use crate::facts::fmt_count;

/// The facts a condition mentions, with their values (see [`crate::facts::explain`]).
pub(crate) fn explain(ctx: &Ctx, condition: &str) -> Text {
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
            Text::default()
        }
        other => panic!("law data: unknown schedule {other:?} (tested)"),
    };
    ob.detail.then(note);
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

fn audit_cycle(ctx: &Ctx, def: &ObligationDef, ob: &mut Obligation) -> Text {
    let deadline = ctx
        .law
        .thresholds
        .get(def.deadline.as_deref().unwrap_or_default());
    let years = deadline.amount();
    let last = ctx.profile.past_audits.iter().map(|a| a.date).max();
    match last {
        Some(last) => {
            by_date(ctx, ob, add_years(last, years));
            msg("audit.last", &[("last", &last), ("years", &years)])
        }
        None if !def.advisory => {
            // No audit yet: the first period runs from the Measures' entry into force.
            let start = date(2025, 5, 1);
            let due = add_years(start, years).yesterday().unwrap_or(start);
            by_date(ctx, ob, due);
            msg(
                "audit.first_period",
                &[("years", &years), ("start", &start)],
            )
        }
        None => {
            ob.finding = Some(Finding::Standing);
            msg("audit.advisory_first", &[])
        }
    }
}

fn minors_annual(ctx: &Ctx, ob: &mut Obligation) -> Text {
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
        return msg(
            "minors.previous_missing",
            &[("year", &previous), ("due", &prev_due)],
        );
    }
    let due = date(year + 1, m, day);
    ob.due = Some(due.to_string());
    ob.finding = Some(if covers(year) {
        Finding::Met
    } else {
        Finding::Upcoming
    });
    msg("minors.this_year", &[("year", &year), ("due", &due)])
}

fn pipo_designation(ctx: &Ctx, ob: &mut Obligation) -> Text {
    match &ctx.profile.pipo {
        Some(p) => {
            ob.finding = Some(Finding::Met);
            msg("pipo.designated", &[("date", &p.designated_on)])
        }
        None => {
            ob.finding = Some(Finding::Gap);
            msg("pipo.none", &[])
        }
    }
}

fn pipo_filing(ctx: &Ctx, ob: &mut Obligation) -> Text {
    let reported = ctx.profile.pipo.as_ref().and_then(|p| p.reported_on);
    let Some(reached) = ctx.profile.headcounts.reached_1m_on else {
        ob.missing.push("headcounts.reached_1m_on".into());
        if let Some(r) = reported {
            ob.finding = Some(Finding::Met);
            return msg("pipo.reported_no_reach_date", &[("reported", &r)]);
        }
        return msg("pipo.no_reach_date", &[]);
    };
    let notice = ctx
        .law
        .instrument("PIPO_NOTICE")
        .and_then(|i| i.effective.parse::<Date>().ok());
    let (due, how) = if notice.is_some_and(|n| reached < n) {
        let t = ctx.law.thresholds.get("pipo_filing_transition");
        let due = t.date.expect("transition deadline has a date (tested)");
        (due, msg("pipo.transition", &[("reached", &reached)]))
    } else {
        let wd = ctx.law.thresholds.get("pipo_filing").amount();
        match ctx.calendar.add_working_days(reached, wd) {
            Ok(due) => (
                due,
                msg("pipo.working_days", &[("days", &wd), ("reached", &reached)]),
            ),
            Err(e) => {
                ob.missing.push("a working-day calendar".into());
                return msg("pipo.no_calendar", &[("error", &e)]);
            }
        }
    };
    ob.due = Some(due.to_string());
    ob.finding = Some(super::by_deadline(reported, due, due < ctx.as_of));
    let id = match reported {
        Some(r) if r > due => "pipo.reported_late",
        Some(_) => "pipo.reported",
        None => "pipo.not_reported",
    };
    let r = reported.map(|r| r.to_string()).unwrap_or_default();
    msg_t(id, &[("due", &due), ("reported", &r)], &[("how", &how)])
}

fn independent_body(ctx: &Ctx, ob: &mut Obligation) -> Text {
    let body = ctx
        .profile
        .platform
        .as_ref()
        .and_then(|p| p.independent_body.as_ref());
    match body {
        Some(b) if b.outside_members * 2 > b.members => {
            ob.finding = Some(Finding::Met);
            msg(
                "platform.body_met",
                &[
                    ("date", &b.established_on),
                    ("outside", &b.outside_members),
                    ("members", &b.members),
                ],
            )
        }
        Some(b) => {
            ob.finding = Some(Finding::Gap);
            msg(
                "platform.body_gap",
                &[("outside", &b.outside_members), ("members", &b.members)],
            )
        }
        None => {
            ob.finding = Some(Finding::Gap);
            msg("platform.body_none", &[])
        }
    }
}

fn annual_report(ctx: &Ctx, ob: &mut Obligation) -> Text {
    let last = ctx
        .profile
        .platform
        .as_ref()
        .and_then(|p| p.last_social_responsibility_report);
    match last {
        Some(last) => {
            by_date(ctx, ob, add_years(last, 1));
            msg("platform.report_last", &[("date", &last)])
        }
        None => {
            ob.finding = Some(Finding::Gap);
            msg("platform.report_none", &[])
        }
    }
}
