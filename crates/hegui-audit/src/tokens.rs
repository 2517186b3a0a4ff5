//! Personal access tokens for `hegui serve`'s JSON API. A token is 256 random bits shown
//! once (`hgt_` + 64 hex digits); only its SHA-256 is stored. Each is scoped to named
//! engagements (where its owner's membership still decides the role), may be read-only,
//! and expires: at most [`MAX_DAYS`] after it was made. Disabling the account stops its
//! tokens at once.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::accounts::{token_hash, User};
use crate::hex;
use crate::store::{now, RowExt, Store};
use crate::AuditError;

/// The longest a token lives.
pub const MAX_DAYS: i64 = 366;
/// How a token starts (so that a leaked one is easy to recognise in logs and scanners).
pub const PREFIX: &str = "hgt_";

/// A token as its owner sees it (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct Token {
    /// The first 12 hex digits of the token's hash: enough to name it.
    pub id: String,
    pub label: String,
    pub engagements: Vec<String>,
    pub read_only: bool,
    pub created_at: String,
    pub expires_at: String,
    pub last_used: Option<String>,
    pub revoked: bool,
}

/// What a valid token grants on a request.
#[derive(Debug, Clone)]
pub struct Grant {
    pub user: User,
    /// Engagement codes the token may reach.
    pub engagements: Vec<String>,
    pub read_only: bool,
}

/// Makes a token for `user`, scoped to `engagements` (codes of engagements the user is a
/// member of), living `days` days. Returns the secret (shown once) and the token.
pub fn create(
    store: &Store,
    user: &str,
    label: &str,
    engagements: &[String],
    read_only: bool,
    days: i64,
) -> Result<(String, Token), AuditError> {
    if label.trim().is_empty() || label.chars().count() > 100 {
        return Err(AuditError::Invalid(
            "a token needs a label of 1 to 100 characters (what it is for)".into(),
        ));
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AuditError::Invalid(format!(
            "a token lives 1 to {MAX_DAYS} days, not {days}"
        )));
    }
    if engagements.is_empty() {
        return Err(AuditError::Invalid(
            "a token is scoped to one or more engagements: name them".into(),
        ));
    }
    let today = jiff::Zoned::now().date().to_string();
    for code in engagements {
        if crate::members::access(store, code, user, &today)?.is_none() {
            return Err(AuditError::Invalid(format!(
                "{user} is not a member of an engagement {code}"
            )));
        }
    }
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AuditError::Db(format!("no randomness: {e}")))?;
    let secret = format!("{PREFIX}{}", hex::encode(&b));
    let hash = token_hash(&secret);
    let created = Timestamp::now();
    let expires = created + SignedDuration::from_hours(24 * days);
    let scope = serde_json::to_string(engagements).expect("serialisable");
    store.write(None, |tx| {
        tx.exec(
            "INSERT INTO access_tokens (token_sha256, user_name, label, engagements, read_only, created_at, expires_at, last_used, revoked)
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0)",
            &[
                hash.clone().into(),
                user.into(),
                label.trim().into(),
                scope.clone().into(),
                i64::from(read_only).into(),
                created.to_string().into(),
                expires.to_string().into(),
            ],
        )
    })?;
    let token = Token {
        id: hash[..12].to_string(),
        label: label.trim().to_string(),
        engagements: engagements.to_vec(),
        read_only,
        created_at: created.to_string(),
        expires_at: expires.to_string(),
        last_used: None,
        revoked: false,
    };
    Ok((secret, token))
}

/// A user's tokens, newest first.
pub fn list(store: &Store, user: &str) -> Result<Vec<Token>, AuditError> {
    Ok(store
        .rows(
            "SELECT token_sha256, label, engagements, read_only, created_at, expires_at, last_used, revoked FROM access_tokens WHERE user_name = $1 ORDER BY created_at DESC",
            &[user.into()],
        )?
        .iter()
        .map(|r| Token {
            id: r.text(0)[..12].to_string(),
            label: r.text(1),
            engagements: serde_json::from_str(&r.text(2)).unwrap_or_default(),
            read_only: r.int(3) != 0,
            created_at: r.text(4),
            expires_at: r.text(5),
            last_used: r.opt(6),
            revoked: r.int(7) != 0,
        })
        .collect())
}

/// Revokes one of `user`'s tokens by its id (or a longer prefix of its hash).
pub fn revoke(store: &Store, user: &str, id: &str) -> Result<(), AuditError> {
    if id.len() < 12 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuditError::Invalid(format!(
            "{id:?} is not a token id (12 hex digits, as `hegui user token list` shows)"
        )));
    }
    let pattern = format!("{}%", id.to_ascii_lowercase());
    store.write(None, |tx| {
        let n = tx.exec(
            "UPDATE access_tokens SET revoked = 1 WHERE user_name = $1 AND token_sha256 LIKE $2",
            &[user.into(), pattern.clone().into()],
        )?;
        if n == 0 {
            return Err(AuditError::Invalid(format!("{user} has no token {id}")));
        }
        Ok(())
    })
}

/// What a presented token grants: `None` unless it is well-formed, known, not revoked, not
/// expired, and its account is enabled. Marks it used (at most once a minute).
pub fn authenticate(store: &Store, secret: &str) -> Result<Option<Grant>, AuditError> {
    let well_formed = secret.len() == PREFIX.len() + 64
        && secret.starts_with(PREFIX)
        && secret[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Ok(None);
    }
    let h = token_hash(secret);
    let rows = store.rows(
        "SELECT t.engagements, t.read_only, t.expires_at, t.last_used, u.name, u.display_name, u.is_admin, u.totp_secret, u.created_at
         FROM access_tokens t JOIN users u ON u.name = t.user_name
         WHERE t.token_sha256 = $1 AND t.revoked = 0 AND u.disabled = 0",
        &[h.clone().into()],
    )?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let now_ts = Timestamp::now();
    let expired = r.text(2).parse::<Timestamp>().map_or(true, |e| e <= now_ts);
    if expired {
        return Ok(None);
    }
    let stale = r
        .opt(3)
        .and_then(|s| s.parse::<Timestamp>().ok())
        .is_none_or(|t| now_ts.duration_since(t) > SignedDuration::from_mins(1));
    if stale {
        store.write(None, |tx| {
            tx.exec(
                "UPDATE access_tokens SET last_used = $1 WHERE token_sha256 = $2",
                &[now().into(), h.clone().into()],
            )
        })?;
    }
    Ok(Some(Grant {
        engagements: serde_json::from_str(&r.text(0)).unwrap_or_default(),
        read_only: r.int(1) != 0,
        user: User {
            name: r.text(4),
            display_name: r.text(5),
            admin: r.int(6) != 0,
            disabled: false,
            mfa: r.opt(7).is_some(),
            created_at: r.text(8),
        },
    }))
}
