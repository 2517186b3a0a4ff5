//! Review notes (复核意见) on working papers: the reviewer's questions to the preparer. A
//! note is raised `open`, answered to `addressed`, then `cleared` by a reviewer or the lead —
//! or reopened. A paper is not signed off by its reviewer while a note on it is not cleared
//! (see `workpaper::review`). Notes are internal to the audit team: they never reach a
//! client's page, the API's client answers, or a report.
//!
//! Who does what (WEB.md): the lead and reviewers raise, clear and reopen; the lead and
//! auditors answer. Every step is kept in the note's history and the activity log.

use serde::{Deserialize, Serialize};

use crate::engagement::resolve;
use crate::log;
use crate::members::{require, Role};
use crate::store::{now, Query, RowExt, Store, Tx};
use crate::AuditError;

/// Where a note stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteState {
    Open,
    Addressed,
    Cleared,
}

impl NoteState {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteState::Open => "open",
            NoteState::Addressed => "addressed",
            NoteState::Cleared => "cleared",
        }
    }

    fn parse(s: &str) -> NoteState {
        match s {
            "addressed" => NoteState::Addressed,
            "cleared" => NoteState::Cleared,
            _ => NoteState::Open,
        }
    }
}

/// One step in a note's life.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Step {
    pub at: String,
    pub actor: String,
    /// raised, answered, cleared, reopened.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A review note.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ReviewNote {
    pub code: String,
    pub checkpoint: String,
    pub body: String,
    pub state: NoteState,
    pub raised_by: String,
    pub raised_at: String,
    pub history: Vec<Step>,
}

const COLS: &str = "code, checkpoint, body, state, raised_by, raised_at, history";

fn note_of(r: &crate::store::Row) -> ReviewNote {
    ReviewNote {
        code: r.text(0),
        checkpoint: r.text(1),
        body: r.text(2),
        state: NoteState::parse(&r.text(3)),
        raised_by: r.text(4),
        raised_at: r.text(5),
        history: serde_json::from_str(&r.text(6)).unwrap_or_default(),
    }
}

fn checkpoint_id(cp: &str) -> Result<String, AuditError> {
    hegui_core::law::Law::get()
        .guideline
        .checkpoint(cp)
        .map(|(_, c)| c.id.clone())
        .ok_or_else(|| AuditError::Invalid(format!("no checkpoint {cp:?}")))
}

/// Raises a note on the paper of `checkpoint`; its code (RN-001, …).
pub fn raise(
    store: &Store,
    engagement: &str,
    checkpoint: &str,
    body: &str,
    actor: &str,
) -> Result<String, AuditError> {
    let id = resolve(store, engagement)?;
    let cp = checkpoint_id(checkpoint)?;
    if body.trim().is_empty() {
        return Err(AuditError::Invalid("a review note needs its text".into()));
    }
    store.write(Some(&id), |tx| {
        require(
            tx,
            &id,
            actor,
            &[Role::Lead, Role::Reviewer],
            "raising a review note",
        )?;
        let n = tx
            .rows(
                "SELECT COUNT(*) FROM review_notes WHERE engagement_id = $1",
                &[id.clone().into()],
            )?
            .first()
            .map(|r| r.int(0))
            .unwrap_or(0);
        let code = format!("RN-{:03}", n + 1);
        let at = now();
        let history = vec![Step {
            at: at.clone(),
            actor: actor.into(),
            action: "raised".into(),
            text: None,
        }];
        tx.exec(
            &format!("INSERT INTO review_notes (engagement_id, {COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
            &[
                id.clone().into(),
                code.clone().into(),
                cp.clone().into(),
                body.trim().into(),
                "open".into(),
                actor.into(),
                at.into(),
                serde_json::to_string(&history).expect("serialisable").into(),
            ],
        )?;
        tx.touch("review_notes", &[&code]);
        // The paper's preparer (or whoever it is assigned to) hears of it.
        for who in paper_people(tx, &id, &cp)? {
            if who != actor {
                crate::notify::push(
                    tx,
                    &who,
                    &id,
                    "note.raised",
                    &code,
                    actor,
                    serde_json::json!({"checkpoint": cp}),
                )?;
            }
        }
        log::append(
            tx,
            &id,
            actor,
            "review_note.raised",
            &log::detail(&[("code", code.clone().into()), ("checkpoint", cp.clone().into())]),
        )?;
        Ok(code)
    })
}

/// The preparer and the assignee of a paper (whoever should answer its notes).
fn paper_people(tx: &mut Tx, id: &str, cp: &str) -> Result<Vec<String>, AuditError> {
    let mut people: Vec<String> = tx
        .rows(
            "SELECT prepared_by FROM working_papers WHERE engagement_id = $1 AND checkpoint = $2",
            &[id.into(), cp.into()],
        )?
        .iter()
        .filter_map(|r| r.opt(0))
        .collect();
    people.extend(
        tx.rows(
            "SELECT user_name FROM assignments WHERE engagement_id = $1 AND checkpoint = $2",
            &[id.into(), cp.into()],
        )?
        .iter()
        .map(|r| r.text(0)),
    );
    people.sort();
    people.dedup();
    Ok(people)
}

/// A step a note can take: who may take it, from which states, to which state.
struct Move {
    action: &'static str,
    roles: &'static [Role],
    from: &'static [NoteState],
    to: NoteState,
    needs_text: bool,
}

/// The notes' state machine, as data (the tests walk every cell of it).
const MOVES: &[Move] = &[
    Move {
        action: "answered",
        roles: &[Role::Lead, Role::Auditor],
        from: &[NoteState::Open],
        to: NoteState::Addressed,
        needs_text: true,
    },
    Move {
        action: "cleared",
        roles: &[Role::Lead, Role::Reviewer],
        from: &[NoteState::Open, NoteState::Addressed],
        to: NoteState::Cleared,
        needs_text: false,
    },
    Move {
        action: "reopened",
        roles: &[Role::Lead, Role::Reviewer],
        from: &[NoteState::Addressed, NoteState::Cleared],
        to: NoteState::Open,
        needs_text: true,
    },
];

/// The actions a note takes, by name (`answered`, `cleared`, `reopened`).
pub fn actions() -> impl Iterator<Item = &'static str> {
    MOVES.iter().map(|m| m.action)
}

/// Answers a note (the preparer's reply), clears it, or reopens it with a reason: `action`
/// is `answered`, `cleared` or `reopened`.
pub fn step(
    store: &Store,
    engagement: &str,
    code: &str,
    action: &str,
    text: Option<&str>,
    actor: &str,
) -> Result<ReviewNote, AuditError> {
    let m = MOVES
        .iter()
        .find(|m| m.action == action)
        .ok_or_else(|| AuditError::Invalid(format!("no review-note action {action:?}")))?;
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if m.needs_text && text.is_none() {
        return Err(AuditError::Invalid(format!(
            "a review note is {action} with a text saying why"
        )));
    }
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        require(tx, &id, actor, m.roles, &format!("{action} (review note)"))?;
        let mut note = load(tx, &id, code)?;
        if !m.from.contains(&note.state) {
            return Err(AuditError::Invalid(format!(
                "{}: the note is {}; it cannot be {action}",
                note.code,
                note.state.as_str()
            )));
        }
        note.state = m.to;
        note.history.push(Step {
            at: now(),
            actor: actor.into(),
            action: action.into(),
            text: text.map(String::from),
        });
        tx.exec(
            "UPDATE review_notes SET state = $3, history = $4 WHERE engagement_id = $1 AND code = $2",
            &[
                id.clone().into(),
                note.code.clone().into(),
                m.to.as_str().into(),
                serde_json::to_string(&note.history).expect("serialisable").into(),
            ],
        )?;
        tx.touch("review_notes", &[&note.code]);
        let to = if action == "answered" {
            vec![note.raised_by.clone()]
        } else {
            paper_people(tx, &id, &note.checkpoint)?
        };
        for who in to.iter().filter(|w| *w != actor) {
            crate::notify::push(
                tx,
                who,
                &id,
                &format!("note.{action}"),
                &note.code,
                actor,
                serde_json::json!({"checkpoint": note.checkpoint}),
            )?;
        }
        log::append(
            tx,
            &id,
            actor,
            &format!("review_note.{action}"),
            &log::detail(&[
                ("code", note.code.clone().into()),
                ("checkpoint", note.checkpoint.clone().into()),
            ]),
        )?;
        Ok(note)
    })
}

fn load(q: &mut impl Query, id: &str, code: &str) -> Result<ReviewNote, AuditError> {
    q.rows(
        &format!("SELECT {COLS} FROM review_notes WHERE engagement_id = $1 AND code = $2"),
        &[id.into(), code.to_uppercase().into()],
    )?
    .first()
    .map(note_of)
    .ok_or_else(|| AuditError::Invalid(format!("no review note {code}")))
}

/// The notes of an engagement (of one paper with `checkpoint`), oldest first. For the audit
/// team only: callers never show them to a client.
pub fn list(
    store: &Store,
    engagement: &str,
    checkpoint: Option<&str>,
) -> Result<Vec<ReviewNote>, AuditError> {
    let id = resolve(store, engagement)?;
    let rows = match checkpoint {
        Some(cp) => store.rows(
            &format!("SELECT {COLS} FROM review_notes WHERE engagement_id = $1 AND checkpoint = $2 ORDER BY code"),
            &[id.into(), checkpoint_id(cp)?.into()],
        )?,
        None => store.rows(
            &format!("SELECT {COLS} FROM review_notes WHERE engagement_id = $1 ORDER BY code"),
            &[id.into()],
        )?,
    };
    Ok(rows.iter().map(note_of).collect())
}

/// The codes of the notes on a paper that are not cleared.
pub(crate) fn unresolved_in(
    q: &mut impl Query,
    id: &str,
    checkpoint: &str,
) -> Result<Vec<String>, AuditError> {
    Ok(q
        .rows(
            "SELECT code FROM review_notes WHERE engagement_id = $1 AND checkpoint = $2 AND state <> 'cleared' ORDER BY code",
            &[id.into(), checkpoint.into()],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect())
}
