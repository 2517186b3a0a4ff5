//! Who may do what in an engagement: each member has one role (WEB.md's table), granted by
//! the lead and written to the engagement's activity log like any other change. Nobody
//! has a role in an engagement they are not a member of — an instance administrator
//! included.

use serde::Serialize;

use crate::engagement::resolve;
use crate::log;
use crate::store::{now, RowExt, Store};
use crate::AuditError;

/// A member's role in one engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The lead auditor (合规审计负责人): team, invitations, sign-offs, the report.
    Lead,
    /// Prepares working papers, raises findings.
    Auditor,
    /// Reviews working papers (never one they prepared).
    Reviewer,
    /// The auditee (被审计单位): its own requests and findings only.
    Client,
    /// Reads, downloads nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Lead,
        Role::Auditor,
        Role::Reviewer,
        Role::Client,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Auditor => "auditor",
            Role::Reviewer => "reviewer",
            Role::Client => "client",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role belongs to the audit side (everyone but the auditee).
    pub fn auditor_side(self) -> bool {
        self != Role::Client
    }
}

/// One membership.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub engagement_id: String,
    pub user: String,
    pub role: Role,
    pub added_by: String,
    pub added_at: String,
    /// The last day the membership lasts (an invitation ends with the engagement).
    pub expires_on: Option<String>,
}

fn member_of(r: &crate::store::Row) -> Option<Member> {
    Some(Member {
        engagement_id: r.text(0),
        user: r.text(1),
        role: Role::parse(&r.text(2))?,
        added_by: r.text(3),
        added_at: r.text(4),
        expires_on: r.opt(5),
    })
}

const COLS: &str = "engagement_id, user_name, role, added_by, added_at, expires_on";

/// Adds a member (or changes their role); logged in the engagement's activity log.
/// `expires_on` is the last day it lasts (none: until removed); `hegui serve`'s team page
/// defaults an invitation to the engagement's end.
pub fn set(
    store: &Store,
    engagement: &str,
    user: &str,
    role: Role,
    expires_on: Option<&str>,
    actor: &str,
) -> Result<Member, AuditError> {
    let id = resolve(store, engagement)?;
    if crate::accounts::get(store, user)?.is_none() {
        return Err(AuditError::NotFound(format!("account {user}")));
    }
    let expires = expires_on.map(String::from);
    store.write(Some(&id), |tx| {
        tx.exec(
            "DELETE FROM memberships WHERE engagement_id = $1 AND user_name = $2",
            &[id.clone().into(), user.into()],
        )?;
        tx.exec(
            &format!("INSERT INTO memberships ({COLS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            &[
                id.clone().into(),
                user.into(),
                role.as_str().into(),
                actor.into(),
                now().into(),
                expires.clone().into(),
            ],
        )?;
        tx.touch("memberships", &[user]);
        log::append(
            tx,
            &id,
            actor,
            "member.set",
            &log::detail(&[("user", user.into()), ("role", role.as_str().into())]),
        )
    })?;
    get(store, &id, user)?.ok_or_else(|| AuditError::NotFound(user.into()))
}

/// Removes a member; logged.
pub fn remove(store: &Store, engagement: &str, user: &str, actor: &str) -> Result<(), AuditError> {
    let id = resolve(store, engagement)?;
    store.write(Some(&id), |tx| {
        let n = tx.exec(
            "DELETE FROM memberships WHERE engagement_id = $1 AND user_name = $2",
            &[id.clone().into(), user.into()],
        )?;
        if n == 0 {
            return Err(AuditError::NotFound(format!("member {user}")));
        }
        tx.touch("memberships", &[user]);
        log::append(
            tx,
            &id,
            actor,
            "member.removed",
            &log::detail(&[("user", user.into())]),
        )
    })
}

/// A membership, whether or not it has expired.
pub fn get(store: &Store, engagement_id: &str, user: &str) -> Result<Option<Member>, AuditError> {
    Ok(store
        .rows(
            &format!("SELECT {COLS} FROM memberships WHERE engagement_id = $1 AND user_name = $2"),
            &[engagement_id.into(), user.into()],
        )?
        .first()
        .and_then(member_of))
}

/// The role a user has in an engagement today: none when not a member, or when the
/// membership has expired (`today` as YYYY-MM-DD).
pub fn role(
    store: &Store,
    engagement_id: &str,
    user: &str,
    today: &str,
) -> Result<Option<Role>, AuditError> {
    Ok(get(store, engagement_id, user)?
        .filter(|m| m.expires_on.as_deref().is_none_or(|e| e >= today))
        .map(|m| m.role))
}

/// A member's way into an engagement, as [`access`] finds it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The engagement's id.
    pub id: String,
    pub role: Role,
    /// The head of the engagement's activity log: it changes with every change of the
    /// engagement, so what was read under one head can be reused while it stays.
    pub head: String,
    /// The log's length at that head.
    pub len: i64,
}

/// The engagement with code `code` and the role `user` has in it today, in one query
/// (every page asks), or `None` when either is missing or expired.
pub fn access(
    store: &Store,
    code: &str,
    user: &str,
    today: &str,
) -> Result<Option<Entry>, AuditError> {
    Ok(store
        .rows(
            "SELECT e.id, m.role, m.expires_on, e.log_head, e.log_len FROM engagements e JOIN memberships m ON m.engagement_id = e.id WHERE e.code = $1 AND m.user_name = $2",
            &[code.into(), user.into()],
        )?
        .first()
        .filter(|r| r.opt(2).is_none_or(|e| e.as_str() >= today))
        .and_then(|r| {
            Some(Entry {
                id: r.text(0),
                role: Role::parse(&r.text(1))?,
                head: r.text(3),
                len: r.int(4),
            })
        }))
}

/// Every engagement `user` is a member of today, as [`access`] would find each: code and
/// entry, by code (one query, for "my work").
pub fn entries_of(
    store: &Store,
    user: &str,
    today: &str,
) -> Result<Vec<(String, Entry)>, AuditError> {
    Ok(store
        .rows(
            "SELECT e.code, e.id, m.role, m.expires_on, e.log_head, e.log_len FROM engagements e JOIN memberships m ON m.engagement_id = e.id WHERE m.user_name = $1 ORDER BY e.code",
            &[user.into()],
        )?
        .iter()
        .filter(|r| r.opt(3).is_none_or(|e| e.as_str() >= today))
        .filter_map(|r| {
            let entry = Entry {
                id: r.text(1),
                role: Role::parse(&r.text(2))?,
                head: r.text(4),
                len: r.int(5),
            };
            Some((r.text(0), entry))
        })
        .collect())
}

/// The members of an engagement.
pub fn list(store: &Store, engagement: &str) -> Result<Vec<Member>, AuditError> {
    let id = resolve(store, engagement)?;
    Ok(store
        .rows(
            &format!("SELECT {COLS} FROM memberships WHERE engagement_id = $1 ORDER BY user_name"),
            &[id.into()],
        )?
        .iter()
        .filter_map(member_of)
        .collect())
}

/// A user's memberships in force today, across engagements.
pub fn of_user(store: &Store, user: &str, today: &str) -> Result<Vec<Member>, AuditError> {
    Ok(store
        .rows(
            &format!("SELECT {COLS} FROM memberships WHERE user_name = $1 ORDER BY engagement_id"),
            &[user.into()],
        )?
        .iter()
        .filter_map(member_of)
        .filter(|m| m.expires_on.as_deref().is_none_or(|e| e >= today))
        .collect())
}

/// The actor's role today when it is one of `allowed`; otherwise a [`AuditError::Denied`]
/// that says what the action needs (`what` names the action). Checked inside the write
/// transaction, so a role taken away a moment before is not used.
pub fn require(
    q: &mut impl crate::store::Query,
    engagement_id: &str,
    actor: &str,
    allowed: &[Role],
    what: &str,
) -> Result<Role, AuditError> {
    let role = get_in(q, engagement_id, actor)?;
    let names = allowed
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" or ");
    match role {
        Some(r) if allowed.contains(&r) => Ok(r),
        Some(r) => Err(AuditError::Denied(format!(
            "{what} needs the role {names}; {actor} is {} in this engagement",
            r.as_str()
        ))),
        None => Err(AuditError::Denied(format!(
            "{what} needs the role {names}; {actor} is not a member of this engagement \
             (hegui engagement member set … --role …)"
        ))),
    }
}

/// The role `user` has today in engagement `engagement_id`, read through `q` (a write
/// transaction's own view).
pub fn get_in(
    q: &mut impl crate::store::Query,
    engagement_id: &str,
    user: &str,
) -> Result<Option<Role>, AuditError> {
    let today = crate::store::today().to_string();
    Ok(q.rows(
        &format!("SELECT {COLS} FROM memberships WHERE engagement_id = $1 AND user_name = $2"),
        &[engagement_id.into(), user.into()],
    )?
    .first()
    .and_then(member_of)
    .filter(|m| m.expires_on.as_deref().is_none_or(|e| e >= today.as_str()))
    .map(|m| m.role))
}
