//! Who may see an engagement: the one check every engagement route makes. An engagement
//! that does not exist and one the user has no allowed role in look the same (a 404).

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

/// The engagement a page is about: its id and its code.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub code: String,
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
        .filter(|(_, r)| allowed.contains(r))
        .map(|(id, r)| {
            (
                Target {
                    id,
                    code: code.to_string(),
                },
                r,
            )
        }))
}

/// Today in China Standard Time.
pub fn today() -> Date {
    jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date()
}
