//! The steps of a request: drafting, sending, submitting, accepting, returning, reopening,
//! cancelling and merging. Each checks [`super::rules`] inside its write transaction,
//! appends the event, notifies who must act next, and logs.

use hegui_core::calendar::Calendar;
use jiff::civil::Date;
use serde::Serialize;

use super::rules::{check, Action, TEAM};
use super::{Priority, Request, State, COLS};
use crate::engagement::{resolve, show};
use crate::log;
use crate::members::{get_in, require, Role};
use crate::notify;
use crate::store::{now, Store, Tx};
use crate::AuditError;

pub(crate) fn set_state(tx: &mut Tx, id: &str, code: &str, s: State) -> Result<(), AuditError> {
    tx.exec(
        "UPDATE requests SET state = $3 WHERE engagement_id = $1 AND code = $2",
        &[id.into(), code.into(), s.as_str().into()],
    )?;
    tx.touch("requests", &[code]);
    Ok(())
}

/// Appends an event to the request's list (and nothing else: the caller logs).
pub(crate) fn event(
    tx: &mut Tx,
    id: &str,
    code: &str,
    actor: &str,
    kind: &str,
    state: State,
    reason: Option<&str>,
) -> Result<(), AuditError> {
    let seq = tx
        .rows(
            "SELECT COALESCE(MAX(seq), 0) FROM request_events WHERE engagement_id = $1 AND code = $2",
            &[id.into(), code.into()],
        )?
        .first()
        .map(|r| crate::store::RowExt::int(r, 0))
        .unwrap_or(0)
        + 1;
    tx.exec(
        "INSERT INTO request_events (engagement_id, code, seq, at, actor, kind, state, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            id.into(),
            code.into(),
            seq.into(),
            now().into(),
            actor.into(),
            kind.into(),
            state.as_str().into(),
            reason.map(|r| r.trim().to_string()).into(),
        ],
    )?;
    tx.touch("request_events", &[code, &seq.to_string()]);
    Ok(())
}

fn log_step(tx: &mut Tx, id: &str, actor: &str, kind: &str, r: &Request) -> Result<(), AuditError> {
    log::append(
        tx,
        id,
        actor,
        &format!("request.{kind}"),
        &log::detail(&[("code", r.code.clone().into())]),
    )
}

/// Tells each of `people` but the actor about `r` (`kind` as in the inbox).
fn tell(
    tx: &mut Tx,
    id: &str,
    people: &[String],
    kind: &str,
    r: &Request,
    actor: &str,
) -> Result<(), AuditError> {
    // A sensitive request's title stays out of notifications (and so out of e-mail).
    let detail = if r.sensitive {
        serde_json::json!({"sensitive": true})
    } else {
        serde_json::json!({"title": r.title})
    };
    for p in people.iter().filter(|p| *p != actor) {
        notify::push(tx, p, id, kind, &r.code, actor, detail.clone())?;
    }
    Ok(())
}

/// What a new request says.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    pub title: String,
    pub description: String,
    pub checkpoints: Vec<String>,
    pub format: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub assignees: Vec<String>,
    pub due: Option<String>,
    pub priority: Option<Priority>,
    pub sensitive: bool,
}

/// A change to a request; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EditRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    pub checkpoints: Option<Vec<String>>,
    pub format: Option<String>,
    pub period_from: Option<Option<String>>,
    pub period_to: Option<Option<String>>,
    pub assignees: Option<Vec<String>>,
    pub due: Option<Option<String>>,
    pub priority: Option<Priority>,
    pub sensitive: Option<bool>,
}

fn checkpoint_ids(cps: &[String]) -> Result<Vec<String>, AuditError> {
    let mut out: Vec<String> = Vec::new();
    for c in cps.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let id = hegui_core::law::Law::get()
            .guideline
            .checkpoint(c)
            .map(|(_, cp)| cp.id.clone())
            .ok_or_else(|| AuditError::Invalid(format!("no checkpoint {c:?}")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

fn date_field(name: &str, v: &Option<String>) -> Result<Option<String>, AuditError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(|d| Some(d.to_string()))
            .map_err(|_| AuditError::Invalid(format!("{name} {s:?} is not a date (YYYY-MM-DD)"))),
    }
}

/// Checks that every assignee is a client of the engagement.
fn client_names(tx: &mut Tx, id: &str, names: &[String]) -> Result<Vec<String>, AuditError> {
    let mut out: Vec<String> = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if get_in(tx, id, n)? != Some(Role::Client) {
            return Err(AuditError::Invalid(format!(
                "{n} is not a client member of this engagement: requests go to the auditee's people"
            )));
        }
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    Ok(out)
}

/// Drafts a request (invisible to clients until sent).
pub fn create(
    store: &Store,
    engagement: &str,
    n: NewRequest,
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| create_in(tx, &id, &n, actor))
}

pub(crate) fn create_in(
    tx: &mut Tx,
    id: &str,
    n: &NewRequest,
    actor: &str,
) -> Result<Request, AuditError> {
    require(tx, id, actor, TEAM, "drafting a request")?;
    if n.title.trim().is_empty() {
        return Err(AuditError::Invalid("a request needs a title".into()));
    }
    let count = tx
        .rows(
            "SELECT COUNT(*) FROM requests WHERE engagement_id = $1",
            &[id.into()],
        )?
        .first()
        .map(|r| crate::store::RowExt::int(r, 0))
        .unwrap_or(0);
    let r = Request {
        code: format!("PBC-{:03}", count + 1),
        title: n.title.trim().to_string(),
        description: n.description.trim().to_string(),
        checkpoints: checkpoint_ids(&n.checkpoints)?,
        format: n.format.trim().to_string(),
        period_from: date_field("period from", &n.period_from)?,
        period_to: date_field("period to", &n.period_to)?,
        assignees: client_names(tx, id, &n.assignees)?,
        requested_by: actor.to_string(),
        due: date_field("due date", &n.due)?,
        priority: n.priority.unwrap_or(Priority::Normal),
        sensitive: n.sensitive,
        state: State::Draft,
        na_reason: None,
        revision: 0,
        created_at: now(),
        sent_at: None,
    };
    save(tx, id, &r)?;
    event(tx, id, &r.code, actor, "created", State::Draft, None)?;
    log_step(tx, id, actor, "created", &r)?;
    Ok(r)
}

/// Writes every field of `r` (insert or replace).
pub(crate) fn save(tx: &mut Tx, id: &str, r: &Request) -> Result<(), AuditError> {
    tx.exec(
        "DELETE FROM requests WHERE engagement_id = $1 AND code = $2",
        &[id.into(), r.code.clone().into()],
    )?;
    tx.exec(
        &format!("INSERT INTO requests (engagement_id, {COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"),
        &[
            id.into(),
            r.code.clone().into(),
            r.title.clone().into(),
            r.description.clone().into(),
            serde_json::to_string(&r.checkpoints).expect("serialisable").into(),
            r.format.clone().into(),
            r.period_from.clone().into(),
            r.period_to.clone().into(),
            serde_json::to_string(&r.assignees).expect("serialisable").into(),
            r.requested_by.clone().into(),
            r.due.clone().into(),
            r.priority.as_str().into(),
            i64::from(r.sensitive).into(),
            r.state.as_str().into(),
            r.na_reason.clone().into(),
            r.revision.into(),
            r.created_at.clone().into(),
            r.sent_at.clone().into(),
        ],
    )?;
    tx.touch("requests", &[&r.code]);
    Ok(())
}

/// Changes a request that is not yet submitted. A sent request's assignees hear of it.
pub fn edit(
    store: &Store,
    engagement: &str,
    code: &str,
    e: EditRequest,
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (mut r, _) = check(tx, &id, code, Action::Edit, actor, None)?;
        if let Some(t) = &e.title {
            if t.trim().is_empty() {
                return Err(AuditError::Invalid("a request needs a title".into()));
            }
            r.title = t.trim().to_string();
        }
        if let Some(d) = &e.description {
            r.description = d.trim().to_string();
        }
        if let Some(c) = &e.checkpoints {
            r.checkpoints = checkpoint_ids(c)?;
        }
        if let Some(f) = &e.format {
            r.format = f.trim().to_string();
        }
        if let Some(p) = &e.period_from {
            r.period_from = date_field("period from", p)?;
        }
        if let Some(p) = &e.period_to {
            r.period_to = date_field("period to", p)?;
        }
        if let Some(a) = &e.assignees {
            r.assignees = client_names(tx, &id, a)?;
            if r.state != State::Draft && r.assignees.is_empty() {
                return Err(AuditError::Invalid(format!(
                    "{}: a sent request keeps at least one assignee",
                    r.code
                )));
            }
        }
        if let Some(d) = &e.due {
            r.due = date_field("due date", d)?;
            if r.state != State::Draft && r.due.is_none() {
                return Err(AuditError::Invalid(format!(
                    "{}: a sent request keeps its due date",
                    r.code
                )));
            }
        }
        if let Some(p) = e.priority {
            r.priority = p;
        }
        if let Some(s) = e.sensitive {
            r.sensitive = s;
        }
        save(tx, &id, &r)?;
        let kind = if r.state == State::Draft {
            "edited_draft"
        } else {
            "edited"
        };
        event(tx, &id, &r.code, actor, kind, r.state, None)?;
        if r.state != State::Draft {
            tell(tx, &id, &r.assignees.clone(), "request.edited", &r, actor)?;
        }
        log_step(tx, &id, actor, "edited", &r)?;
        Ok(r)
    })
}

/// How due dates are set when requests are sent.
#[derive(Debug, Clone, Copy)]
pub struct SendOptions {
    /// A request without a due date is due this many working days after today.
    pub days: i64,
    /// Working days the team keeps before the engagement's deadline to review what came:
    /// no request is due later than that (a later due date is brought forward, with a
    /// warning).
    pub review_days: i64,
    pub today: Date,
}

/// What sending did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    /// Code and due date of each request sent.
    pub sent: Vec<(String, String)>,
    /// Due dates brought forward, or that could not be checked.
    pub warnings: Vec<String>,
}

/// Sends drafts to their assignees, all or none: every one must have an assignee. Due
/// dates default to `days` working days from today and are never later than the
/// deadline minus `review_days` working days.
pub fn send(
    store: &Store,
    engagement: &str,
    codes: &[String],
    o: SendOptions,
    cal: &Calendar,
    actor: &str,
) -> Result<Sent, AuditError> {
    if codes.is_empty() {
        return Err(AuditError::Invalid("no request named to send".into()));
    }
    let e = show(store, engagement)?;
    let id = e.id.clone();
    let deadline = e
        .effective_deadline
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok());
    // The last day a request may be due; a deadline in a year the calendar does not hold
    // cannot be counted back from, and is then only warned of.
    let mut unchecked = None;
    let latest = match deadline {
        Some(d) => match cal.add_working_days(d, -o.review_days) {
            Ok(l) => Some(l),
            Err(err) => {
                unchecked = Some(format!(
                    "due dates are not checked against the deadline {d}: {err}"
                ));
                None
            }
        },
        None => None,
    };
    store.write(Some(&id), |tx| {
        let mut out = Sent {
            sent: Vec::new(),
            warnings: unchecked.iter().cloned().collect(),
        };
        let mut problems = Vec::new();
        for code in codes {
            let (mut r, _) = check(tx, &id, code, Action::Send, actor, None)?;
            if r.assignees.is_empty() {
                problems.push(format!("{}: no assignee", r.code));
                continue;
            }
            let due = match r.due.as_deref().and_then(|d| d.parse::<Date>().ok()) {
                Some(d) => d,
                None => cal.add_working_days(o.today, o.days).map_err(|err| {
                    AuditError::Invalid(format!(
                        "{}: {} working days from {} cannot be counted ({err}); give the request a due date",
                        r.code, o.days, o.today
                    ))
                })?,
            };
            let due = match latest {
                Some(l) if due > l => {
                    let moved = l.max(o.today);
                    out.warnings.push(format!(
                        "{}: due {due} would leave fewer than {} working days to review before the deadline {}; due {moved} instead",
                        r.code,
                        o.review_days,
                        deadline.map(|d| d.to_string()).unwrap_or_default()
                    ));
                    moved
                }
                _ => due,
            };
            r.due = Some(due.to_string());
            r.state = State::Open;
            r.sent_at = Some(now());
            save(tx, &id, &r)?;
            event(tx, &id, &r.code, actor, "sent", State::Open, None)?;
            tell(tx, &id, &r.assignees.clone(), "request.sent", &r, actor)?;
            log_step(tx, &id, actor, "sent", &r)?;
            out.sent.push((r.code.clone(), due.to_string()));
        }
        if !problems.is_empty() {
            return Err(AuditError::Invalid(format!(
                "nothing was sent: {}",
                problems.join("; ")
            )));
        }
        Ok(out)
    })
}

/// The client submits: at least one file that was not rejected, or a "not applicable"
/// note. The files are frozen from then on.
pub fn submit(
    store: &Store,
    engagement: &str,
    code: &str,
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (mut r, _) = check(tx, &id, code, Action::Submit, actor, None)?;
        let live = super::files::live_count(tx, &id, &r.code)?;
        if live == 0 && r.na_reason.is_none() {
            return Err(AuditError::Invalid(format!(
                "{}: nothing to submit: upload at least one file, or say why it does not apply",
                r.code
            )));
        }
        r.revision += 1;
        r.state = State::Submitted;
        save(tx, &id, &r)?;
        tx.exec(
            "UPDATE request_files SET frozen = 1 WHERE engagement_id = $1 AND code = $2 AND frozen = 0",
            &[id.clone().into(), r.code.clone().into()],
        )?;
        tx.touch_table("request_files");
        event(tx, &id, &r.code, actor, "submitted", State::Submitted, None)?;
        tell(tx, &id, std::slice::from_ref(&r.requested_by), "request.submitted", &r, actor)?;
        log_step(tx, &id, actor, "submitted", &r)?;
        Ok(r)
    })
}

/// Accepts a submission: every file not rejected becomes an evidence item linked to the
/// request's checkpoints (their working papers list it). The evidence codes.
pub fn accept(
    store: &Store,
    engagement: &str,
    code: &str,
    actor: &str,
) -> Result<Vec<String>, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (mut r, _) = check(tx, &id, code, Action::Accept, actor, None)?;
        let codes = super::files::to_evidence(tx, &id, &r, actor)?;
        r.state = State::Accepted;
        save(tx, &id, &r)?;
        event(tx, &id, &r.code, actor, "accepted", State::Accepted, None)?;
        tell(tx, &id, &r.assignees.clone(), "request.accepted", &r, actor)?;
        log_step(tx, &id, actor, "accepted", &r)?;
        Ok(codes)
    })
}

/// Returns a submission with a reason; `reject` names files (by number) that do not serve.
pub fn return_submission(
    store: &Store,
    engagement: &str,
    code: &str,
    reason: &str,
    reject: &[i64],
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (r, _) = check(tx, &id, code, Action::Return, actor, Some(reason))?;
        super::files::reject(tx, &id, &r.code, reject)?;
        back_to_client(tx, &id, r, actor, "returned", reason)
    })
}

/// The lead takes an accepted request back to the client, with a reason.
pub fn reopen(
    store: &Store,
    engagement: &str,
    code: &str,
    reason: &str,
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (r, _) = check(tx, &id, code, Action::Reopen, actor, Some(reason))?;
        back_to_client(tx, &id, r, actor, "reopened", reason)
    })
}

fn back_to_client(
    tx: &mut Tx,
    id: &str,
    mut r: Request,
    actor: &str,
    kind: &str,
    reason: &str,
) -> Result<Request, AuditError> {
    r.state = State::Returned;
    save(tx, id, &r)?;
    event(tx, id, &r.code, actor, kind, State::Returned, Some(reason))?;
    tell(
        tx,
        id,
        &r.assignees.clone(),
        &format!("request.{kind}"),
        &r,
        actor,
    )?;
    log_step(tx, id, actor, kind, &r)?;
    Ok(r)
}

/// Cancels a request that is not submitted or accepted, with a reason.
pub fn cancel(
    store: &Store,
    engagement: &str,
    code: &str,
    reason: &str,
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (mut r, _) = check(tx, &id, code, Action::Cancel, actor, Some(reason))?;
        let was_sent = r.state != State::Draft;
        r.state = State::Cancelled;
        save(tx, &id, &r)?;
        event(
            tx,
            &id,
            &r.code,
            actor,
            "cancelled",
            State::Cancelled,
            Some(reason),
        )?;
        if was_sent {
            tell(
                tx,
                &id,
                &r.assignees.clone(),
                "request.cancelled",
                &r,
                actor,
            )?;
        }
        log_step(tx, &id, actor, "cancelled", &r)?;
        Ok(r)
    })
}

/// Folds drafts `others` into draft `into` (one document often serves several
/// checkpoints): their checkpoints and descriptions join it, and they are cancelled as
/// merged. The merged request.
pub fn merge(
    store: &Store,
    engagement: &str,
    into: &str,
    others: &[String],
    actor: &str,
) -> Result<Request, AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let (mut target, _) = check(tx, &id, into, Action::Merge, actor, None)?;
        for o in others {
            let (mut other, _) = check(tx, &id, o, Action::Merge, actor, None)?;
            if other.code == target.code {
                return Err(AuditError::Invalid(format!(
                    "{} cannot be merged into itself",
                    other.code
                )));
            }
            for c in &other.checkpoints {
                if !target.checkpoints.contains(c) {
                    target.checkpoints.push(c.clone());
                }
            }
            for a in &other.assignees {
                if !target.assignees.contains(a) {
                    target.assignees.push(a.clone());
                }
            }
            let line = if other.description.is_empty() {
                other.title.clone()
            } else {
                other.description.clone()
            };
            if !target.description.contains(&line) {
                if !target.description.is_empty() {
                    target.description.push('\n');
                }
                target.description.push_str(&line);
            }
            target.sensitive |= other.sensitive;
            let why = format!("merged into {}", target.code);
            other.state = State::Cancelled;
            save(tx, &id, &other)?;
            event(
                tx,
                &id,
                &other.code,
                actor,
                "merged",
                State::Cancelled,
                Some(&why),
            )?;
            log_step(tx, &id, actor, "merged", &other)?;
        }
        save(tx, &id, &target)?;
        event(
            tx,
            &id,
            &target.code,
            actor,
            "edited_draft",
            State::Draft,
            Some(&format!("merged {}", others.join(", "))),
        )?;
        log_step(tx, &id, actor, "edited", &target)?;
        Ok(target)
    })
}
