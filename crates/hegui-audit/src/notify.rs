//! The in-app inbox: what happened that a person should know of (a request sent to them, a
//! submission to review, a return, a comment that mentions them, a review note, a due date
//! three working days away, the day's overdue digest). A notification is written in the
//! same transaction as the change it tells of, so neither exists without the other.
//!
//! A notification holds the kind, the object's code, who acted and a few fields to show
//! (a request's title, a checkpoint) — never a comment's text or a file's content; the page
//! renders it in the reader's language. E-mail, when configured, goes out from the inbox
//! (`mailed_at` marks what went), so a message is never sent twice.

use serde::Serialize;
use serde_json::Value;

use crate::store::{now, RowExt, Store, Tx};
use crate::AuditError;

/// One notification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Its number (opaque: to mark it read).
    pub seq: i64,
    /// The engagement's code (empty for a digest across engagements, or when it is gone).
    pub engagement: String,
    pub at: String,
    /// What happened: `request.sent`, `request.submitted`, `comment.mention`, …
    pub kind: String,
    /// The object: `PBC-003`, `RN-001`, `F-002`, `G13.4`.
    pub subject: String,
    pub actor: String,
    pub detail: Value,
    pub read: bool,
    pub mailed: bool,
}

/// Adds a notification for `user` in the current transaction.
pub(crate) fn push(
    tx: &mut Tx,
    user: &str,
    engagement_id: &str,
    kind: &str,
    subject: &str,
    actor: &str,
    detail: Value,
) -> Result<(), AuditError> {
    // A random number, not the next one: writers on different engagements run at once
    // (PostgreSQL) and must not both take the same number for one person.
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    let seq = (u64::from_le_bytes(b) >> 12) as i64;
    tx.exec(
        "INSERT INTO notifications (user_name, seq, engagement_id, at, kind, subject, actor, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            user.into(),
            seq.into(),
            engagement_id.into(),
            now().into(),
            kind.into(),
            subject.into(),
            actor.into(),
            detail.to_string().into(),
        ],
    )?;
    Ok(())
}

const COLS: &str = "n.seq, COALESCE(e.code, ''), n.at, n.kind, n.subject, n.actor, n.detail, n.read_at, n.mailed_at";

fn of(r: &crate::store::Row) -> Notification {
    Notification {
        seq: r.int(0),
        engagement: r.text(1),
        at: r.text(2),
        kind: r.text(3),
        subject: r.text(4),
        actor: r.text(5),
        detail: serde_json::from_str(&r.text(6)).unwrap_or_default(),
        read: r.opt(7).is_some(),
        mailed: r.opt(8).is_some(),
    }
}

/// A person's notifications, newest first (at most `limit`).
pub fn inbox(
    store: &Store,
    user: &str,
    unread_only: bool,
    limit: i64,
) -> Result<Vec<Notification>, AuditError> {
    let filter = if unread_only {
        " AND n.read_at IS NULL"
    } else {
        ""
    };
    Ok(store
        .rows(
            &format!("SELECT {COLS} FROM notifications n LEFT JOIN engagements e ON e.id = n.engagement_id WHERE n.user_name = $1{filter} ORDER BY n.at DESC, n.seq DESC LIMIT $2"),
            &[user.into(), limit.into()],
        )?
        .iter()
        .map(of)
        .collect())
}

/// How many notifications a person has not read.
pub fn unread(store: &Store, user: &str) -> Result<i64, AuditError> {
    Ok(store
        .rows(
            "SELECT COUNT(*) FROM notifications WHERE user_name = $1 AND read_at IS NULL",
            &[user.into()],
        )?
        .first()
        .map(|r| r.int(0))
        .unwrap_or(0))
}

/// Marks one notification (`Some(seq)`) or all of them read.
pub fn mark_read(store: &Store, user: &str, seq: Option<i64>) -> Result<u64, AuditError> {
    store.write(None, |tx| match seq {
        Some(s) => tx.exec(
            "UPDATE notifications SET read_at = $3 WHERE user_name = $1 AND seq = $2 AND read_at IS NULL",
            &[user.into(), s.into(), now().into()],
        ),
        None => tx.exec(
            "UPDATE notifications SET read_at = $2 WHERE user_name = $1 AND read_at IS NULL",
            &[user.into(), now().into()],
        ),
    })
}

/// Records `mark` (a reminder or digest that went out) unless it was recorded before:
/// whether this call recorded it. Used so that a reminder goes out once however often the
/// scheduler runs, and by however many servers.
pub(crate) fn first_time(tx: &mut Tx, mark: &str) -> Result<bool, AuditError> {
    let seen = !tx
        .rows(
            "SELECT mark FROM notice_marks WHERE mark = $1",
            &[mark.into()],
        )?
        .is_empty();
    if !seen {
        tx.exec(
            "INSERT INTO notice_marks (mark, at) VALUES ($1, $2)",
            &[mark.into(), now().into()],
        )?;
    }
    Ok(!seen)
}

/// Notifications not yet e-mailed, of people who gave an address, from the last two days
/// (an address given later does not bring a flood of old news), oldest first: (person,
/// address, notification).
pub fn pending_mail(
    store: &Store,
    limit: i64,
) -> Result<Vec<(String, String, Notification)>, AuditError> {
    let since = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(48))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_string();
    Ok(store
        .rows(
            &format!("SELECT {COLS}, n.user_name, u.email FROM notifications n JOIN users u ON u.name = n.user_name LEFT JOIN engagements e ON e.id = n.engagement_id WHERE n.mailed_at IS NULL AND u.email IS NOT NULL AND u.disabled = 0 AND n.at >= $1 ORDER BY n.at LIMIT $2"),
            &[since.into(), limit.into()],
        )?
        .iter()
        .map(|r| (r.text(9), r.text(10), of(r)))
        .collect())
}

/// Records that a notification went out by e-mail.
pub fn mark_mailed(store: &Store, user: &str, seq: i64) -> Result<(), AuditError> {
    store.write(None, |tx| {
        tx.exec(
            "UPDATE notifications SET mailed_at = $3 WHERE user_name = $1 AND seq = $2",
            &[user.into(), seq.into(), now().into()],
        )?;
        Ok(())
    })
}
