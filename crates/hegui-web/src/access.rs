//! Who may see an engagement: the one check every engagement route makes. An engagement
//! that does not exist and one the user has no allowed role in look the same (a 404).

use hegui_audit::engagement::{self, Engagement};
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use jiff::civil::Date;

/// Roles of the audit side (everyone but the auditee).
pub const AUDIT_SIDE: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer, Role::Viewer];
/// Who edits working papers and signs them off as preparer.
pub const EDITORS: &[Role] = &[Role::Lead, Role::Auditor];
/// Who signs working papers off as reviewer (never the preparer).
pub const REVIEWERS: &[Role] = &[Role::Lead, Role::Reviewer];

/// The engagement `code` and the user's role in it today, if that role is `allowed`.
pub fn authorize(
    store: &Store,
    code: &str,
    user: &str,
    allowed: &[Role],
    today: Date,
) -> Result<Option<(Engagement, Role)>, AuditError> {
    let e = match engagement::show(store, code) {
        Ok(e) => e,
        Err(AuditError::NotFound(_)) => return Ok(None),
        Err(err) => return Err(err),
    };
    // Codes only: an id in the path would be a second name for the same page.
    if e.code != code {
        return Ok(None);
    }
    match members::role(store, &e.id, user, &today.to_string())? {
        Some(r) if allowed.contains(&r) => Ok(Some((e, r))),
        _ => Ok(None),
    }
}

/// Today in China Standard Time.
pub fn today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}
