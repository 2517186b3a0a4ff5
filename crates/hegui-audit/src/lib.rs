//! hegui-audit: compliance audit engagements under the Measures, stored in an embedded
//! SQLite file or PostgreSQL.
//!
//! - [`store`]: the database, portable SQL, migrations, transactions.
//! - [`engagement`]: creating an engagement (with its profile snapshot, independence check
//!   and scope), listing, showing, deadline extensions, new profile versions, scope
//!   decisions.
//! - [`independence`]: Measures Arts. 14 and 15.
//! - [`log`]: the hash-chained activity log; [`state`]: what each entry records of the rows
//!   it wrote, so the log binds the state; [`verify`]: chain, rows and evidence together.
//!
//! Working papers, the evidence vault, findings, rectification and purge build on these.
//! [`accounts`] and [`members`] are the people of `hegui serve`: accounts with passwords,
//! TOTP and sessions, and their roles per engagement; [`tokens`] their personal access
//! tokens for the API; [`reports`] the reports rendered by the server, with their
//! signatures.

pub mod accounts;
pub mod assignments;
pub mod closing;
pub mod comments;
pub mod contention;
pub mod engagement;
pub mod findings;
mod hex;
pub mod independence;
pub mod instance_log;
pub mod log;
pub mod members;
mod migrations;
pub mod notify;
mod reader;
pub mod reports;
pub mod requests;
pub mod review_notes;
pub mod rows;
pub mod schema;
pub mod signing;
pub mod state;
pub mod store;
#[doc(hidden)]
pub mod testing;
pub mod tokens;
pub mod transfer;
pub mod vault;
pub mod verify;
pub mod workpaper;

/// Errors of the audit layer.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("database: {0}")]
    Db(String),
    #[error("no engagement {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("independence check failed:\n{0}\nrecord an override with --override-independence REASON to proceed")]
    Independence(String),
    #[error("activity log verification failed: {0}")]
    Tampered(String),
    /// The actor's role in the engagement does not allow the action (WEB.md's table).
    #[error("not allowed: {0}")]
    Denied(String),
    /// A passing failure (another writer held a lock, a serialization failure): the whole
    /// write may be tried again, and [`store::Store::write`] does.
    #[error("database busy: {0}")]
    Busy(String),
}

impl AuditError {
    pub(crate) fn db(e: sqlx::Error) -> AuditError {
        if store::is_busy(&e) {
            AuditError::Busy(e.to_string())
        } else {
            AuditError::Db(e.to_string())
        }
    }
}
