//! Evidence requests (PBC, "prepared by client"): what the audit team asks the auditee's
//! departments for, and the loop of sending, uploading, submitting, returning and accepting
//! until the files land on the working papers. WEB.md has the state machine:
//!
//! ```text
//! draft ─send─▶ open ─(first client upload or comment)─▶ in_progress
//! {open, in_progress, returned} ─submit (client)─▶ submitted   (files frozen)
//! submitted ─accept─▶ accepted   (the lead may reopen → returned, with a reason)
//! submitted ─return (reason)─▶ returned
//! {draft, open, in_progress, returned} ─cancel (reason)─▶ cancelled
//! ```
//!
//! Who may take each step is [`rules::MOVES`], a table the tests walk cell by cell. Every
//! step appends to the request's event list (never rewritten) and to the activity log.
//! `overdue` and `at risk` are computed on the official working-day calendar ([`timing`]),
//! never stored. A client sees a request only once it is sent and only if it is one of its
//! assignees; drafts, internal comments and review notes never reach it.

pub mod exchange;
pub mod files;
pub mod flow;
pub mod generate;
pub mod reminders;
pub mod rules;
pub mod timing;

use serde::{Deserialize, Serialize};

use crate::members::Role;
use crate::store::{Query, RowExt, Store};
use crate::AuditError;

pub use files::{RequestFile, Upload};
pub use flow::{EditRequest, NewRequest, SendOptions, Sent};
pub use rules::Action;
pub use timing::Timing;

/// Where a request stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Open,
    InProgress,
    Submitted,
    Returned,
    Accepted,
    Cancelled,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Draft,
        State::Open,
        State::InProgress,
        State::Submitted,
        State::Returned,
        State::Accepted,
        State::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Open => "open",
            State::InProgress => "in_progress",
            State::Submitted => "submitted",
            State::Returned => "returned",
            State::Accepted => "accepted",
            State::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The states in which the auditee owes something (overdue can apply).
    pub fn awaiting_client(self) -> bool {
        matches!(self, State::Open | State::InProgress | State::Returned)
    }
}

/// How urgent a request is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Normal,
    Low,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        [Priority::High, Priority::Normal, Priority::Low]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub code: String,
    pub title: String,
    pub description: String,
    /// Checkpoint ids the evidence serves.
    pub checkpoints: Vec<String>,
    /// The format wanted (e.g. "PDF 扫描件", "Excel").
    pub format: String,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// Client users who are to answer it.
    pub assignees: Vec<String>,
    pub requested_by: String,
    pub due: Option<String>,
    pub priority: Priority,
    /// The files may hold personal information: only the lead, the requester and the
    /// assignees download them.
    pub sensitive: bool,
    pub state: State,
    /// The client's "not applicable" note with its reason.
    pub na_reason: Option<String>,
    /// Submissions so far.
    pub revision: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl Request {
    /// Whether a client user sees it: sent, and assigned to them.
    pub fn visible_to_client(&self, user: &str) -> bool {
        self.state != State::Draft && self.assignees.iter().any(|a| a == user)
    }

    /// Whether `user` with `role` sees it at all.
    pub fn visible_to(&self, user: &str, role: Role) -> bool {
        role != Role::Client || self.visible_to_client(user)
    }

    /// Whether `user` with `role` may download its files (a sensitive request's only by the
    /// lead, its requester and its assignees).
    pub fn files_open_to(&self, user: &str, role: Role) -> bool {
        match role {
            Role::Client => self.visible_to_client(user),
            Role::Viewer => false,
            Role::Lead => true,
            Role::Auditor | Role::Reviewer => !self.sensitive || self.requested_by == user,
        }
    }
}

/// One event in a request's life.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    /// created, edited, sent, started, file_added, file_removed, not_applicable,
    /// submitted, accepted, returned, reopened, cancelled, merged.
    pub kind: String,
    /// The state after it.
    pub state: String,
    /// The reason or note that came with it.
    pub reason: Option<String>,
}

/// Events a client does not see: how the team drafted the request.
const DRAFTING: &[&str] = &["created", "edited_draft", "merged"];

pub(crate) const COLS: &str = "code, title, description, checkpoints, format, period_from, period_to, assignees, requested_by, due, priority, sensitive, state, na_reason, revision, created_at, sent_at";

pub(crate) fn request_of(r: &crate::store::Row) -> Request {
    Request {
        code: r.text(0),
        title: r.text(1),
        description: r.text(2),
        checkpoints: serde_json::from_str(&r.text(3)).unwrap_or_default(),
        format: r.text(4),
        period_from: r.opt(5),
        period_to: r.opt(6),
        assignees: serde_json::from_str(&r.text(7)).unwrap_or_default(),
        requested_by: r.text(8),
        due: r.opt(9),
        priority: Priority::parse(&r.text(10)).unwrap_or(Priority::Normal),
        sensitive: r.int(11) != 0,
        state: State::parse(&r.text(12)).unwrap_or(State::Draft),
        na_reason: r.opt(13),
        revision: r.int(14),
        created_at: r.text(15),
        sent_at: r.opt(16),
    }
}

/// A request by code (`pbc-3` style spellings are not guessed: the code as shown).
pub(crate) fn load(q: &mut impl Query, id: &str, code: &str) -> Result<Request, AuditError> {
    q.rows(
        &format!("SELECT {COLS} FROM requests WHERE engagement_id = $1 AND code = $2"),
        &[id.into(), code.trim().to_uppercase().into()],
    )?
    .first()
    .map(request_of)
    .ok_or_else(|| AuditError::Invalid(format!("no request {}", code.trim())))
}

/// Every request of an engagement (by id), by code, whoever may see it: callers filter
/// with [`Request::visible_to`] (the web's read cache keeps this list).
pub fn all(store: &Store, engagement_id: &str) -> Result<Vec<Request>, AuditError> {
    Ok(store
        .rows(
            &format!("SELECT {COLS} FROM requests WHERE engagement_id = $1 ORDER BY code"),
            &[engagement_id.into()],
        )?
        .iter()
        .map(request_of)
        .collect())
}

/// Every request of an engagement (by id) that `user` with `role` sees, by code.
pub fn list(
    store: &Store,
    engagement_id: &str,
    user: &str,
    role: Role,
) -> Result<Vec<Request>, AuditError> {
    Ok(all(store, engagement_id)?
        .into_iter()
        .filter(|r| r.visible_to(user, role))
        .collect())
}

/// One request that `user` with `role` sees (else `None`, which callers show as a 404).
pub fn get(
    store: &Store,
    engagement_id: &str,
    code: &str,
    user: &str,
    role: Role,
) -> Result<Option<Request>, AuditError> {
    let mut q = store;
    match load(&mut q, engagement_id, code) {
        Ok(r) if r.visible_to(user, role) => Ok(Some(r)),
        Ok(_) | Err(AuditError::Invalid(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A request's events that a member with `role` reads, oldest first.
pub fn events(
    store: &Store,
    engagement_id: &str,
    code: &str,
    role: Role,
) -> Result<Vec<Event>, AuditError> {
    Ok(store
        .rows(
            "SELECT seq, at, actor, kind, state, reason FROM request_events WHERE engagement_id = $1 AND code = $2 ORDER BY seq",
            &[engagement_id.into(), code.into()],
        )?
        .iter()
        .map(|r| Event {
            seq: r.int(0),
            at: r.text(1),
            actor: r.text(2),
            kind: r.text(3),
            state: r.text(4),
            reason: r.opt(5),
        })
        .filter(|e| role != Role::Client || !DRAFTING.contains(&e.kind.as_str()))
        .collect())
}

/// A client's first upload or comment starts work on an open request.
pub(crate) fn client_started(
    tx: &mut crate::store::Tx,
    id: &str,
    code: &str,
    actor: &str,
) -> Result<(), AuditError> {
    let r = load(tx, id, code)?;
    if r.state == State::Open {
        flow::set_state(tx, id, &r.code, State::InProgress)?;
        flow::event(tx, id, &r.code, actor, "started", State::InProgress, None)?;
    }
    Ok(())
}
