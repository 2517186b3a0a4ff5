//! The tables that hold an engagement's rows, with their keys and columns as the
//! migrations create them: what the log binds (`crate::state`), what an export carries
//! and an import restores (`crate::transfer`).

/// A column's type as the migrations create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// Text, possibly NULL.
    Text,
    Int,
    /// Binary (hex in JSON).
    Bytes,
}

use Col::{Bytes, Int, Text};

/// A table that holds an engagement's rows.
#[derive(Debug)]
pub struct TableDef {
    pub name: &'static str,
    /// The column naming the engagement.
    pub by: &'static str,
    /// The primary key's columns after `by`.
    pub key: &'static [&'static str],
    /// Every column with its type.
    pub cols: &'static [(&'static str, Col)],
    /// Columns the state does not cover (the log's own length and head, which the chain
    /// verifies).
    pub unlogged: &'static [&'static str],
    /// Whether the log records this table's rows (not the log itself).
    pub logged: bool,
}

impl TableDef {
    pub(crate) fn col(&self, name: &str) -> Option<Col> {
        self.cols.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }
}

/// Every table that holds an engagement's rows, in insertion order (an export lists them
/// so, an import inserts them so, a removal goes in reverse).
pub const TABLES: &[TableDef] = &[
    TableDef {
        name: "engagements",
        by: "id",
        key: &[],
        cols: &[
            ("id", Text),
            ("code", Text),
            ("processor", Text),
            ("kind", Text),
            ("ordered_trigger", Text),
            ("body", Text),
            ("affiliates", Text),
            ("lead_auditor", Text),
            ("team", Text),
            ("period_start", Text),
            ("period_end", Text),
            ("start_date", Text),
            ("deadline", Text),
            ("catalog", Text),
            ("status", Text),
            ("independence", Text),
            ("override_reason", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("log_len", Int),
            ("log_head", Text),
            ("rectification_done", Text),
            ("rectification_report_due", Text),
            ("closed_at", Text),
        ],
        unlogged: &["log_len", "log_head"],
        logged: true,
    },
    TableDef {
        name: "profile_snapshots",
        by: "engagement_id",
        key: &["version"],
        cols: &[
            ("engagement_id", Text),
            ("version", Int),
            ("taken_at", Text),
            ("sha256", Text),
            ("profile", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "extensions",
        by: "engagement_id",
        key: &["seq"],
        cols: &[
            ("engagement_id", Text),
            ("seq", Int),
            ("until_date", Text),
            ("approval", Text),
            ("recorded_at", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "scope",
        by: "engagement_id",
        key: &["checkpoint"],
        cols: &[
            ("engagement_id", Text),
            ("checkpoint", Text),
            ("computed", Text),
            ("reason", Text),
            ("decision", Text),
            ("decision_reason", Text),
            ("decided_by", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "activity",
        by: "engagement_id",
        key: &["seq"],
        cols: &[
            ("engagement_id", Text),
            ("seq", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("detail", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("state", Text),
        ],
        unlogged: &[],
        logged: false,
    },
    TableDef {
        name: "working_papers",
        by: "engagement_id",
        key: &["checkpoint"],
        cols: &[
            ("engagement_id", Text),
            ("checkpoint", Text),
            ("procedures", Text),
            ("population", Text),
            ("sample", Text),
            ("evidence", Text),
            ("result", Text),
            ("observations", Text),
            ("status", Text),
            ("prepared_by", Text),
            ("prepared_at", Text),
            ("reviewed_by", Text),
            ("reviewed_at", Text),
            ("revision", Int),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "findings",
        by: "engagement_id",
        key: &["code"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("checkpoint", Text),
            ("severity", Text),
            ("title", Text),
            ("description", Text),
            ("created_by", Text),
            ("created_at", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "rectifications",
        by: "engagement_id",
        key: &["finding", "seq"],
        cols: &[
            ("engagement_id", Text),
            ("finding", Text),
            ("seq", Int),
            ("owner", Text),
            ("measure", Text),
            ("due", Text),
            ("status", Text),
            ("verification", Text),
            ("closed_on", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "engagement_keys",
        by: "engagement_id",
        key: &[],
        cols: &[
            ("engagement_id", Text),
            ("key_bytes", Bytes),
            ("created_at", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "evidence_blobs",
        by: "engagement_id",
        key: &["sha256"],
        cols: &[
            ("engagement_id", Text),
            ("sha256", Text),
            ("nonce", Bytes),
            ("ciphertext", Bytes),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "evidence_chunks",
        by: "engagement_id",
        key: &["sha256", "seq"],
        cols: &[
            ("engagement_id", Text),
            ("sha256", Text),
            ("seq", Int),
            ("nonce", Bytes),
            ("ciphertext", Bytes),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "evidence",
        by: "engagement_id",
        key: &["code"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("sha256", Text),
            ("name", Text),
            ("size", Int),
            ("kind", Text),
            ("collector", Text),
            ("collected_at", Text),
            ("effective_date", Text),
            ("source", Text),
            ("description", Text),
            ("checkpoints", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "memberships",
        by: "engagement_id",
        key: &["user_name"],
        cols: &[
            ("engagement_id", Text),
            ("user_name", Text),
            ("role", Text),
            ("added_by", Text),
            ("added_at", Text),
            ("expires_on", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "reports",
        by: "engagement_id",
        key: &["code"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("kind", Text),
            ("format", Text),
            ("lang", Text),
            ("name", Text),
            ("sha256", Text),
            ("size", Int),
            ("nonce", Bytes),
            ("ciphertext", Bytes),
            ("rendered_by", Text),
            ("rendered_at", Text),
            ("unverified", Int),
            ("signatures", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "assignments",
        by: "engagement_id",
        key: &["checkpoint"],
        cols: &[
            ("engagement_id", Text),
            ("checkpoint", Text),
            ("user_name", Text),
            ("assigned_by", Text),
            ("assigned_at", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "requests",
        by: "engagement_id",
        key: &["code"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("title", Text),
            ("description", Text),
            ("checkpoints", Text),
            ("format", Text),
            ("period_from", Text),
            ("period_to", Text),
            ("assignees", Text),
            ("requested_by", Text),
            ("due", Text),
            ("priority", Text),
            ("sensitive", Int),
            ("state", Text),
            ("na_reason", Text),
            ("revision", Int),
            ("created_at", Text),
            ("sent_at", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "request_events",
        by: "engagement_id",
        key: &["code", "seq"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("seq", Int),
            ("at", Text),
            ("actor", Text),
            ("kind", Text),
            ("state", Text),
            ("reason", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "request_files",
        by: "engagement_id",
        key: &["code", "seq"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("seq", Int),
            ("name", Text),
            ("sha256", Text),
            ("size", Int),
            ("uploaded_by", Text),
            ("received_at", Text),
            ("effective_date", Text),
            ("revision", Int),
            ("frozen", Int),
            ("rejected", Int),
            ("evidence", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "comments",
        by: "engagement_id",
        key: &["seq"],
        cols: &[
            ("engagement_id", Text),
            ("seq", Int),
            ("on_kind", Text),
            ("on_ref", Text),
            ("visibility", Text),
            ("author", Text),
            ("body", Text),
            ("mentions", Text),
            ("created_at", Text),
            ("edited_at", Text),
            ("history", Text),
        ],
        unlogged: &[],
        logged: true,
    },
    TableDef {
        name: "review_notes",
        by: "engagement_id",
        key: &["code"],
        cols: &[
            ("engagement_id", Text),
            ("code", Text),
            ("checkpoint", Text),
            ("body", Text),
            ("state", Text),
            ("raised_by", Text),
            ("raised_at", Text),
            ("history", Text),
        ],
        unlogged: &[],
        logged: true,
    },
];

/// Tables a later migration added, with the migration's number: a store older than that
/// has no such table (the baseline of migration 5 leaves them out).
pub const ADDED_BY: &[(&str, usize)] = &[
    ("memberships", 6),
    ("reports", 7),
    ("assignments", 7),
    ("requests", 8),
    ("request_events", 8),
    ("request_files", 8),
    ("comments", 8),
    ("review_notes", 8),
    ("evidence_chunks", 9),
];

/// Whether table `name` exists in a store at schema version `version`.
pub fn exists_at(name: &str, version: usize) -> bool {
    ADDED_BY
        .iter()
        .find(|(n, _)| *n == name)
        .is_none_or(|(_, v)| *v <= version)
}

/// The definition of table `name`.
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}
