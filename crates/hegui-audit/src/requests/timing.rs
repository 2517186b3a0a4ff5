//! When a request is due, on the official working-day calendar: `overdue` once the due
//! date has passed — a due date on a holiday or weekend moves to the next working day, as
//! deadlines do — while the auditee still owes an answer; `at risk` when three working days
//! or fewer are left. A year the calendar does not hold (its schedule not yet published) is
//! never guessed: the due date is then compared as a plain date and the answer is marked
//! approximate.

use hegui_core::calendar::Calendar;
use jiff::civil::Date;
use serde::Serialize;

use super::Request;

/// Working days left at which a request is "at risk", and its assignees are reminded.
pub const REMIND_AT: i64 = 3;

/// A request's standing against its due date on a given day.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Timing {
    pub overdue: bool,
    /// Not overdue, but at most [`REMIND_AT`] working days left.
    pub at_risk: bool,
    /// Working days from today to the due date (negative once past); `None` without a
    /// due date or when the calendar does not cover the days between.
    pub working_days_left: Option<i64>,
    /// The calendar did not cover a day needed: the plain dates were compared.
    pub approximate: bool,
}

/// The last day an answer is on time: the due date, or the next working day when the
/// due date is not one (`None` when the calendar does not cover it).
pub fn last_day(cal: &Calendar, due: Date) -> Option<Date> {
    if cal.is_working_day(due).ok()? {
        Some(due)
    } else {
        cal.add_working_days(due, 1).ok()
    }
}

/// Where `r` stands on `today`.
pub fn of(r: &Request, today: Date, cal: &Calendar) -> Timing {
    let Some(due) = r.due.as_deref().and_then(|d| d.parse::<Date>().ok()) else {
        return Timing::default();
    };
    let owes = r.state.awaiting_client();
    match last_day(cal, due) {
        Some(last) => {
            let left = cal.working_days_between(today, last).ok();
            let overdue = owes && today > last;
            Timing {
                overdue,
                at_risk: owes && !overdue && left.is_some_and(|l| l <= REMIND_AT),
                working_days_left: left,
                approximate: left.is_none(),
            }
        }
        None => Timing {
            overdue: owes && today > due,
            at_risk: false,
            working_days_left: None,
            approximate: true,
        },
    }
}

/// The day its assignees are reminded: [`REMIND_AT`] working days before the last day.
pub fn reminder_day(r: &Request, cal: &Calendar) -> Option<Date> {
    let due = r.due.as_deref()?.parse::<Date>().ok()?;
    let last = last_day(cal, due)?;
    cal.add_working_days(last, -REMIND_AT).ok()
}
