//! Who may do what to a request, from which state: WEB.md's state machine and role table
//! as data ([`MOVES`]), and the one check every step makes inside its write transaction
//! ([`check`]). The tests walk every action from every state as every role.

use serde::Serialize;

use super::{load, Request, State};
use crate::members::{get_in, require, Role};
use crate::store::Tx;
use crate::AuditError;

/// What can be done to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Change its title, description, checkpoints, assignees, due date …
    Edit,
    /// Fold other drafts into this one.
    Merge,
    Send,
    /// Add or remove a file (the client).
    Upload,
    /// The client's "not applicable" note.
    NotApplicable,
    Submit,
    Accept,
    Return,
    /// Back from accepted to returned (the lead).
    Reopen,
    Cancel,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::Edit,
        Action::Merge,
        Action::Send,
        Action::Upload,
        Action::NotApplicable,
        Action::Submit,
        Action::Accept,
        Action::Return,
        Action::Reopen,
        Action::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Merge => "merge",
            Action::Send => "send",
            Action::Upload => "upload",
            Action::NotApplicable => "not_applicable",
            Action::Submit => "submit",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Reopen => "reopen",
            Action::Cancel => "cancel",
        }
    }
}

/// Who may take an action, from where, to where.
#[derive(Debug)]
pub struct Move {
    pub action: Action,
    pub from: &'static [State],
    pub roles: &'static [Role],
    /// A client must also be one of the request's assignees.
    pub assignees_only: bool,
    /// The state after it (`None`: unchanged, but a client's upload starts an open one).
    pub to: Option<State>,
    pub needs_reason: bool,
}

pub(crate) const TEAM: &[Role] = &[Role::Lead, Role::Auditor];
const CLIENT: &[Role] = &[Role::Client];
const OWED: &[State] = &[State::Open, State::InProgress, State::Returned];

/// WEB.md's state machine and role table, as data.
pub const MOVES: &[Move] = &[
    Move {
        action: Action::Edit,
        from: &[
            State::Draft,
            State::Open,
            State::InProgress,
            State::Returned,
        ],
        roles: TEAM,
        assignees_only: false,
        to: None,
        needs_reason: false,
    },
    Move {
        action: Action::Merge,
        from: &[State::Draft],
        roles: TEAM,
        assignees_only: false,
        to: None,
        needs_reason: false,
    },
    Move {
        action: Action::Send,
        from: &[State::Draft],
        roles: TEAM,
        assignees_only: false,
        to: Some(State::Open),
        needs_reason: false,
    },
    Move {
        action: Action::Upload,
        from: OWED,
        roles: CLIENT,
        assignees_only: true,
        to: None,
        needs_reason: false,
    },
    Move {
        action: Action::NotApplicable,
        from: OWED,
        roles: CLIENT,
        assignees_only: true,
        to: None,
        needs_reason: true,
    },
    Move {
        action: Action::Submit,
        from: OWED,
        roles: CLIENT,
        assignees_only: true,
        to: Some(State::Submitted),
        needs_reason: false,
    },
    Move {
        action: Action::Accept,
        from: &[State::Submitted],
        roles: TEAM,
        assignees_only: false,
        to: Some(State::Accepted),
        needs_reason: false,
    },
    Move {
        action: Action::Return,
        from: &[State::Submitted],
        roles: TEAM,
        assignees_only: false,
        to: Some(State::Returned),
        needs_reason: true,
    },
    Move {
        action: Action::Reopen,
        from: &[State::Accepted],
        roles: &[Role::Lead],
        assignees_only: false,
        to: Some(State::Returned),
        needs_reason: true,
    },
    Move {
        action: Action::Cancel,
        from: &[
            State::Draft,
            State::Open,
            State::InProgress,
            State::Returned,
        ],
        roles: TEAM,
        assignees_only: false,
        to: Some(State::Cancelled),
        needs_reason: true,
    },
];

/// The rule for `action`.
pub fn rule(action: Action) -> &'static Move {
    MOVES
        .iter()
        .find(|m| m.action == action)
        .expect("every action has its move")
}

/// Whether `user` with `role` may take `action` on `r` now (for pages: which buttons).
pub fn allowed(r: &Request, action: Action, user: &str, role: Role) -> bool {
    let m = rule(action);
    m.roles.contains(&role)
        && m.from.contains(&r.state)
        && r.visible_to(user, role)
        && (!m.assignees_only || r.assignees.iter().any(|a| a == user))
}

/// Loads the request and checks the move; the request and the actor's role. A client
/// asking about a request it does not see gets "no request", as if it did not exist.
pub(crate) fn check(
    tx: &mut Tx,
    id: &str,
    code: &str,
    action: Action,
    actor: &str,
    reason: Option<&str>,
) -> Result<(Request, Role), AuditError> {
    let m = rule(action);
    let r = load(tx, id, code)?;
    let role = get_in(tx, id, actor)?;
    if role == Some(Role::Client) && !r.visible_to_client(actor) {
        return Err(AuditError::Invalid(format!("no request {}", code.trim())));
    }
    let role = require(
        tx,
        id,
        actor,
        m.roles,
        &format!("{} {}", m.action.as_str(), r.code),
    )?;
    if m.assignees_only && !r.assignees.iter().any(|a| a == actor) {
        return Err(AuditError::Denied(format!(
            "{}: only its assignees ({}) may {}",
            r.code,
            r.assignees.join(", "),
            action.as_str()
        )));
    }
    if !m.from.contains(&r.state) {
        return Err(AuditError::Invalid(format!(
            "{} is {}: it cannot be {}",
            r.code,
            r.state.as_str(),
            past(action)
        )));
    }
    if m.needs_reason && reason.is_none_or(|t| t.trim().is_empty()) {
        return Err(AuditError::Invalid(format!(
            "{}: {} needs a reason",
            r.code,
            action.as_str()
        )));
    }
    Ok((r, role))
}

fn past(a: Action) -> &'static str {
    match a {
        Action::Edit => "edited",
        Action::Merge => "merged",
        Action::Send => "sent",
        Action::Upload => "given files",
        Action::NotApplicable => "marked not applicable",
        Action::Submit => "submitted",
        Action::Accept => "accepted",
        Action::Return => "returned",
        Action::Reopen => "reopened",
        Action::Cancel => "cancelled",
    }
}
