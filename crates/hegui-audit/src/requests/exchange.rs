//! The PBC workbook coming back: audit firms send the request list as a spreadsheet and
//! the auditee fills in two columns, its status and its notes. Reading it back applies those
//! two columns, row by row, as the person importing — with that person's role, so a client
//! importing its own answers marks a request not applicable or submits it, and anyone's
//! notes become a shared comment. A workbook never creates, deletes or retitles a request:
//! a row for a request that was not sent, an unknown status, or a step the importer may not
//! take is reported with its row number, and the other rows still apply.

use serde::Serialize;

use super::{files, flow, get, State};
use crate::comments::{self, On, Visibility};
use crate::engagement::resolve;
use crate::members::{role, Role};
use crate::store::{today, Store};
use crate::AuditError;

/// One data row of the sheet as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetRow {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub code: String,
    pub client_status: String,
    pub client_notes: String,
}

/// What the client-status column may say, in either language, and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientStatus {
    /// Nothing more than the note.
    InProgress,
    NotApplicable,
    Submitted,
}

/// The column's words (the workbook offers the Chinese ones in a drop-down list).
pub const STATUS_WORDS: &[(&str, &str, ClientStatus)] = &[
    ("进行中", "in progress", ClientStatus::InProgress),
    ("不适用", "not applicable", ClientStatus::NotApplicable),
    ("已提交", "submitted", ClientStatus::Submitted),
];

fn parse_status(s: &str) -> Option<Option<ClientStatus>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    STATUS_WORDS
        .iter()
        .find(|(zh, en, _)| s == *zh || s.eq_ignore_ascii_case(en))
        .map(|(_, _, st)| Some(*st))
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub row: usize,
    pub code: String,
    pub what: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub row: usize,
    pub why: String,
}

/// What an import did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub applied: Vec<Applied>,
    pub refused: Vec<Refused>,
    /// Rows with nothing new in them.
    pub unchanged: usize,
}

/// Applies the client columns of `rows` as `actor`.
pub fn apply(
    store: &Store,
    engagement: &str,
    rows: &[SheetRow],
    actor: &str,
) -> Result<Outcome, AuditError> {
    let id = resolve(store, engagement)?;
    let who = role(store, &id, actor, &today().to_string())?
        .ok_or_else(|| AuditError::Denied(format!("{actor} is not a member of {engagement}")))?;
    let mut out = Outcome::default();
    for r in rows {
        match apply_row(store, engagement, &id, r, actor, who) {
            Ok(done) if done.is_empty() => out.unchanged += 1,
            Ok(done) => out.applied.push(Applied {
                row: r.row,
                code: r.code.trim().to_uppercase(),
                what: done.join("; "),
            }),
            Err(AuditError::Invalid(m) | AuditError::Denied(m)) => {
                out.refused.push(Refused { row: r.row, why: m })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn apply_row(
    store: &Store,
    engagement: &str,
    id: &str,
    row: &SheetRow,
    actor: &str,
    who: Role,
) -> Result<Vec<&'static str>, AuditError> {
    let code = row.code.trim();
    let status = parse_status(&row.client_status).ok_or_else(|| {
        let words: Vec<_> = STATUS_WORDS
            .iter()
            .map(|(zh, en, _)| format!("{zh} / {en}"))
            .collect();
        AuditError::Invalid(format!(
            "status {:?} is not one of {}",
            row.client_status.trim(),
            words.join(", ")
        ))
    })?;
    let notes = row.client_notes.trim();
    if code.is_empty() {
        if status.is_none() && notes.is_empty() {
            return Ok(Vec::new());
        }
        return Err(AuditError::Invalid(
            "no request code: a workbook never creates a request".into(),
        ));
    }
    let r = get(store, id, code, actor, who)?
        .filter(|r| r.state != State::Draft)
        .ok_or_else(|| {
            AuditError::Invalid(format!(
                "{code} was not sent to the auditee: a workbook never creates a request"
            ))
        })?;
    let mut done = Vec::new();
    if !notes.is_empty() && !already_said(store, id, &r.code, notes, actor)? {
        comments::add(
            store,
            engagement,
            &On::Request(r.code.clone()),
            Visibility::Shared,
            notes,
            actor,
        )?;
        done.push("note added as a comment");
    }
    match status {
        Some(ClientStatus::NotApplicable)
            if r.na_reason.as_deref() != Some(notes) && r.state.awaiting_client() =>
        {
            if notes.is_empty() {
                return Err(AuditError::Invalid(format!(
                    "{}: not applicable needs the reason in the notes column",
                    r.code
                )));
            }
            files::not_applicable(store, engagement, &r.code, notes, actor)?;
            done.push("marked not applicable");
        }
        Some(ClientStatus::Submitted) if r.state.awaiting_client() => {
            // The state may have moved with the note: read it again.
            flow::submit(store, engagement, &r.code, actor)?;
            done.push("submitted");
        }
        _ => {}
    }
    Ok(done)
}

/// Whether `actor` already left exactly this shared comment on the request (a workbook
/// imported twice adds nothing the second time).
fn already_said(
    store: &Store,
    id: &str,
    code: &str,
    body: &str,
    actor: &str,
) -> Result<bool, AuditError> {
    Ok(
        comments::on(store, id, &On::Request(code.to_string()), Role::Client)?
            .iter()
            .any(|c| c.author == actor && c.body == body),
    )
}
