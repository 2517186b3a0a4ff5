//! What the clock sends: a reminder to a request's assignees three working days before it
//! is due, and once a day one overdue digest per person listing every overdue request they
//! answer or asked for, across engagements. `hegui serve` runs this every few minutes and
//! `hegui notify run` runs it from cron; a mark per reminder and per person-day keeps a
//! message from going out twice however often, and from however many servers, it runs.

use hegui_core::calendar::Calendar;
use jiff::civil::Date;
use serde::Serialize;

use super::{request_of, timing, COLS};
use crate::notify::{first_time, push};
use crate::store::{RowExt, Store};
use crate::AuditError;

/// What one run sent.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Run {
    /// Reminders that a request is due soon (one per assignee).
    pub reminders: usize,
    /// Overdue digests (one per person).
    pub digests: usize,
}

/// Sends what is due on `today`.
pub fn run(store: &Store, today: Date, cal: &Calendar) -> Result<Run, AuditError> {
    let mut out = Run::default();
    // Person → (engagement code, request code) of their overdue requests.
    let mut overdue: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    let engagements = store.rows(
        "SELECT DISTINCT e.id, e.code FROM engagements e JOIN requests r ON r.engagement_id = e.id WHERE r.state IN ('open', 'in_progress', 'returned')",
        &[],
    )?;
    for e in &engagements {
        let (id, code) = (e.text(0), e.text(1));
        let requests: Vec<_> = store
            .rows(
                &format!("SELECT {COLS} FROM requests WHERE engagement_id = $1 AND state IN ('open', 'in_progress', 'returned') ORDER BY code"),
                &[id.clone().into()],
            )?
            .iter()
            .map(request_of)
            .collect();
        let due_soon: Vec<_> = requests
            .iter()
            .filter(|r| {
                let t = timing::of(r, today, cal);
                !t.overdue && timing::reminder_day(r, cal).is_some_and(|d| d <= today)
            })
            .collect();
        if !due_soon.is_empty() {
            out.reminders += store.write(Some(&id), |tx| {
                let mut n = 0;
                for r in &due_soon {
                    let mark = format!(
                        "due-soon:{id}:{}:{}",
                        r.code,
                        r.due.as_deref().unwrap_or("")
                    );
                    if !first_time(tx, &mark)? {
                        continue;
                    }
                    let detail = serde_json::json!({"due": r.due});
                    for a in &r.assignees {
                        push(
                            tx,
                            a,
                            &id,
                            "request.due_soon",
                            &r.code,
                            "hegui",
                            detail.clone(),
                        )?;
                        n += 1;
                    }
                }
                Ok(n)
            })?;
        }
        for r in requests
            .iter()
            .filter(|r| timing::of(r, today, cal).overdue)
        {
            for who in r.assignees.iter().chain(std::iter::once(&r.requested_by)) {
                let list = overdue.entry(who.clone()).or_default();
                if !list.contains(&(code.clone(), r.code.clone())) {
                    list.push((code.clone(), r.code.clone()));
                }
            }
        }
    }
    for (who, list) in &overdue {
        let sent = store.write(None, |tx| {
            if !first_time(tx, &format!("digest:{who}:{today}"))? {
                return Ok(false);
            }
            let items: Vec<_> = list
                .iter()
                .map(|(e, r)| serde_json::json!({"engagement": e, "request": r}))
                .collect();
            push(
                tx,
                who,
                "",
                "request.overdue_digest",
                &format!("{}", list.len()),
                "hegui",
                serde_json::json!({"day": today.to_string(), "overdue": items}),
            )?;
            Ok(true)
        })?;
        out.digests += usize::from(sent);
    }
    Ok(out)
}
