//! Who may see an engagement: the one check every engagement route makes. An engagement
//! that does not exist and one the user has no allowed role in look the same (a 404).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::accounts::Session;
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use jiff::civil::Date;

use crate::pages::error_page;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::AppState;

/// Roles of the audit side (everyone but the auditee).
pub const AUDIT_SIDE: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer, Role::Viewer];
/// Who edits working papers and signs them off as preparer.
pub const EDITORS: &[Role] = &[Role::Lead, Role::Auditor];
/// Who signs working papers off as reviewer (never the preparer).
pub const REVIEWERS: &[Role] = &[Role::Lead, Role::Reviewer];

/// The engagement a page is about: its id and its code.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub code: String,
    /// The member asking (the account name: the actor of what they do).
    pub user: String,
    /// The head of the engagement's log when the request began (keys [`crate::cache`]).
    pub head: String,
    /// The log's length at that head.
    pub len: i64,
}

/// The engagement `code` and the user's role in it today, if that role is `allowed` (one
/// query: every page makes this check).
pub fn authorize(
    store: &Store,
    code: &str,
    user: &str,
    allowed: &[Role],
    today: Date,
) -> Result<Option<(Target, Role)>, AuditError> {
    Ok(members::access(store, code, user, &today.to_string())?
        .filter(|a| allowed.contains(&a.role))
        .map(|a| {
            (
                Target {
                    id: a.id,
                    code: code.to_string(),
                    user: user.to_string(),
                    head: a.head,
                    len: a.len,
                },
                a.role,
            )
        }))
}

/// A stored timestamp (UTC, RFC 3339) as people in China read it: `2026-12-06 19:20`
/// (China Standard Time); anything else as it is.
pub fn local_time(ts: &str) -> String {
    match ts.parse::<jiff::Timestamp>() {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => ts.to_string(),
    }
}

/// Today in China Standard Time.
pub fn today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}

/// What every engagement page does first: the signed-in session (else to the sign-in
/// page), the member's role (else a 404), then `load` on the blocking pool with the store,
/// the engagement and the role. `load` returning `None` is a 404 too (an object not in
/// the engagement); a store error is the generic error page.
pub async fn with_member<T: Send + 'static>(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    allowed: &'static [Role],
    load: impl FnOnce(&Store, &Target, Role) -> Result<Option<T>, AuditError> + Send + 'static,
) -> Result<(Session, T), Response> {
    let Some(s) = session::signed_in(state, headers).await else {
        return Err(see_other("/signin", None));
    };
    let (store, c, name) = (state.store.clone(), code.to_string(), s.user.name.clone());
    // Outer `None`: no allowed role (a refusal, logged); inner: no such object.
    let loaded = blocking(move || {
        let Some((t, role)) = authorize(&store, &c, &name, allowed, today())? else {
            return Ok(None);
        };
        load(&store, &t, role).map(Some)
    })
    .await;
    match loaded {
        Ok(Some(Some(x))) => Ok((s, x)),
        Ok(Some(None)) => Err(error_page(state, headers, StatusCode::NOT_FOUND)),
        Ok(None) => {
            let target = format!("engagement {code}");
            crate::throttle::record_denial(state, &s.user.name, "access.denied", &target).await;
            Err(error_page(state, headers, StatusCode::NOT_FOUND))
        }
        Err(_) => Err(error_page(
            state,
            headers,
            StatusCode::INTERNAL_SERVER_ERROR,
        )),
    }
}
