//! Findings and the rectification ledger (an auditee gets only what was put to it), the
//! activity log with its verification, the processor's profile and the engagement's scope.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use hegui_audit::engagement::{self, ScopeRow};
use hegui_audit::log::Entry;
use hegui_audit::members::Role;
use hegui_audit::{log, verify};
use serde::Serialize;
use utoipa::ToSchema;

use super::engagements::ItemState;
use super::{with_member, ApiResult, Does};
use crate::access::{today, Target, AUDIT_SIDE};
use crate::AppState;
use hegui_audit::store::Store;
use hegui_audit::AuditError;

/// A finding with its rectification items.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDoc {
    pub code: String,
    /// Absent for a client.
    pub checkpoint: Option<String>,
    pub severity: String,
    pub title: String,
    pub description: String,
    pub items: Vec<ItemState>,
}

/// The findings and where rectification stands (Measures Art. 11).
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerDoc {
    pub findings: Vec<FindingDoc>,
    pub open_items: usize,
    /// The day the last item was closed, once all are.
    pub rectification_done: Option<String>,
    /// The rectification report's due date (ordered audits).
    pub report_due: Option<String>,
}

/// GET /api/v1/engagements/{code}/findings
#[utoipa::path(get, path = "/api/v1/engagements/{code}/findings", tag = "findings",
    params(("code" = String, Path)),
    responses((status = 200, body = LedgerDoc), (status = 404, body = super::ApiError)),
    security(("token" = [])))]
pub async fn findings(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<LedgerDoc> {
    with_member(
        &state,
        &headers,
        &code,
        &Role::ALL,
        Does::Read,
        |store, t, role| ledger_doc(store, t, role).map(Some),
    )
    .await
    .map(Json)
}

/// The findings and ledger as a member in `role` sees them (an auditee: the findings put
/// to it, without their checkpoints).
pub(crate) fn ledger_doc(store: &Store, t: &Target, role: Role) -> Result<LedgerDoc, AuditError> {
    let ledger = crate::cache::ledger(store, t)?;
    Ok(ledger_doc_of(&ledger, role))
}

/// [`ledger_doc`] of a ledger at hand (one just read after a change).
pub(crate) fn ledger_doc_of(ledger: &hegui_audit::findings::Ledger, role: Role) -> LedgerDoc {
    let client = role == Role::Client;
    let today = today();
    let findings = ledger
        .findings
        .iter()
        // What has not been put to the auditee (no rectification item yet) stays internal.
        .filter(|f| !client || !f.items.is_empty())
        .map(|f| FindingDoc {
            code: f.code.clone(),
            checkpoint: (!client).then(|| f.checkpoint.clone()),
            severity: f.severity.clone(),
            title: f.title.clone(),
            description: f.description.clone(),
            items: f
                .items
                .iter()
                .map(|i| ItemState::of(&f.code, i, today))
                .collect(),
        })
        .collect();
    LedgerDoc {
        findings,
        open_items: ledger.open_items,
        rectification_done: ledger.rectification_done.clone(),
        report_due: ledger.report_due.clone(),
    }
}

/// The activity log and the engagement's verification (chain, rows, evidence).
#[derive(Debug, Serialize, ToSchema)]
pub struct LogDoc {
    /// Whether the engagement verifies.
    pub ok: bool,
    /// The chain's head: keep it elsewhere to anchor the store.
    pub head: String,
    /// Every difference found.
    pub problems: Vec<String>,
    /// The entries, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<Entry>,
}

/// GET /api/v1/engagements/{code}/log
#[utoipa::path(get, path = "/api/v1/engagements/{code}/log", tag = "findings",
    params(("code" = String, Path)),
    responses((status = 200, body = LogDoc), (status = 404, body = super::ApiError)),
    security(("token" = [])))]
pub async fn activity(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<LogDoc> {
    with_member(
        &state,
        &headers,
        &code,
        AUDIT_SIDE,
        Does::Read,
        |store, t, _| {
            let v = verify::engagement(store, &t.id)?;
            Ok(Some(LogDoc {
                ok: v.problems.is_empty(),
                head: v.head.clone(),
                problems: v.problems.iter().map(|p| p.to_string()).collect(),
                entries: log::entries(store, &t.id)?,
            }))
        },
    )
    .await
    .map(Json)
}

/// The processor's current profile and the scope computed from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDoc {
    pub version: i64,
    pub sha256: String,
    /// The profile as uploaded (YAML or JSON).
    pub text: String,
    /// Every checkpoint's scope: computed, decided, why.
    #[schema(value_type = Vec<Object>)]
    pub scope: Vec<ScopeRow>,
}

/// GET /api/v1/engagements/{code}/profile
#[utoipa::path(get, path = "/api/v1/engagements/{code}/profile", tag = "findings",
    params(("code" = String, Path)),
    responses((status = 200, body = ProfileDoc), (status = 404, body = super::ApiError)),
    security(("token" = [])))]
pub async fn profile(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<ProfileDoc> {
    with_member(
        &state,
        &headers,
        &code,
        AUDIT_SIDE,
        Does::Read,
        |store, t, _| {
            let (version, sha256, text) = engagement::profile(store, &t.id)?;
            Ok(Some(ProfileDoc {
                version,
                sha256,
                text,
                scope: crate::cache::scope(store, t)?.to_vec(),
            }))
        },
    )
    .await
    .map(Json)
}
