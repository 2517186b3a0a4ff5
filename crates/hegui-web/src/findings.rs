//! What is done to findings in the browser (WEB.md's table): the lead and auditors raise
//! them; the lead communicates one to the auditee by giving it rectification items (owner,
//! measure, due date); the auditee reports progress on its items; the lead and auditors
//! verify and close them (with the verification evidence and the day), which starts the
//! Art. 11 clock once the last is closed. `hegui_audit::findings` keeps the rules.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use hegui_audit::findings::{self, ItemStatus, Severity};
use hegui_audit::members::Role;
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use hegui_core::calendar::Calendar;
use jiff::civil::Date;
use serde::Deserialize;

use crate::access::{with_member, Target, EDITORS};
use crate::ledger::show_findings;
use crate::signin::see_other;
use crate::AppState;

/// Who communicates a finding to the auditee (gives it rectification items).
pub const COMMUNICATORS: &[Role] = &[Role::Lead];
/// Who acts on rectification items: the auditee reports progress, the audit team verifies.
pub const ITEM_ACTORS: &[Role] = &[Role::Lead, Role::Auditor, Role::Client];

/// The form that raises a finding.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    #[serde(default)]
    checkpoint: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

fn severity(s: &str) -> Result<Severity, String> {
    match s {
        "high" => Ok(Severity::High),
        "medium" => Ok(Severity::Medium),
        "low" => Ok(Severity::Low),
        other => Err(format!("severity {other:?}: high, medium or low")),
    }
}

fn date(s: &str, what: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| format!("{what} {s:?}: YYYY-MM-DD"))
}

/// A refusal with its reason (shown on the page), or a store error.
fn refusal(e: AuditError) -> Result<Option<Result<(), String>>, AuditError> {
    match e {
        AuditError::Invalid(m) => Ok(Some(Err(m))),
        other => Err(other),
    }
}

/// After an action: back to the findings, or the page with the reason.
async fn after(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    done: Result<(hegui_audit::accounts::Session, Result<(), String>), Response>,
) -> Response {
    match done {
        Err(r) => r,
        Ok((_, Ok(()))) => see_other(&format!("/e/{code}/findings"), None),
        Ok((_, Err(e))) => show_findings(state, headers, code, Some(e)).await,
    }
}

/// What an action did: `None` when its object is not in the engagement (a 404), else
/// done or refused with the reason.
pub(crate) type Outcome = Result<Option<Result<(), String>>, AuditError>;

/// Raises a finding in engagement `t` (pages and API).
pub(crate) fn raise_in(store: &Store, t: &Target, f: &NewFinding) -> Outcome {
    let sev = match severity(&f.severity) {
        Ok(s) => s,
        Err(e) => return Ok(Some(Err(e))),
    };
    if f.title.trim().is_empty() {
        return Ok(Some(Err("a finding needs a title".into())));
    }
    let (cp, title, text) = (f.checkpoint.trim(), f.title.trim(), f.description.trim());
    match findings::add(store, &t.id, cp, sev, title, text, &t.user) {
        Ok(_) => Ok(Some(Ok(()))),
        Err(e) => refusal(e),
    }
}

/// POST /e/{code}/findings: raise a finding.
pub async fn raise(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<NewFinding>,
) -> Response {
    let done = with_member(&state, &headers, &code, EDITORS, move |store, t, _| {
        raise_in(store, t, &f)
    })
    .await;
    after(&state, &headers, code, done).await
}

/// The form that communicates a finding: one rectification item.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    due: String,
}

/// Gives finding `finding` a rectification item (pages and API).
pub(crate) fn add_item_in(store: &Store, t: &Target, finding: &str, f: &NewItem) -> Outcome {
    let due = match date(&f.due, "due date") {
        Ok(d) => d,
        Err(e) => return Ok(Some(Err(e))),
    };
    if f.owner.trim().is_empty() || f.measure.trim().is_empty() {
        return Ok(Some(Err("an item needs its owner and its measure".into())));
    }
    let (owner, measure) = (f.owner.trim(), f.measure.trim());
    match findings::add_item(store, &t.id, finding, owner, measure, due, &t.user) {
        Ok(_) => Ok(Some(Ok(()))),
        Err(e) => refusal(e),
    }
}

/// POST /e/{code}/findings/{f}/items: a rectification item (communicates the finding).
pub async fn add_item(
    State(state): State<AppState>,
    Path((code, finding)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<NewItem>,
) -> Response {
    let done = with_member(
        &state,
        &headers,
        &code,
        COMMUNICATORS,
        move |store, t, _| add_item_in(store, t, &finding, &f),
    )
    .await;
    after(&state, &headers, code, done).await
}

/// The form that moves an item: progress (the auditee) or closing (the audit team).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemUpdate {
    /// in_progress, or closed (with verification and closed_on), or open (reopened).
    #[serde(default)]
    status: String,
    #[serde(default)]
    verification: String,
    #[serde(default)]
    closed_on: String,
}

/// Moves rectification item `finding`/`seq` for a member in `role` (pages and API).
pub(crate) fn update_item_in(
    store: &Store,
    t: &Target,
    role: Role,
    (finding, seq): (&str, i64),
    f: &ItemUpdate,
) -> Outcome {
    let status = match f.status.as_str() {
        "in_progress" => ItemStatus::InProgress,
        "closed" => ItemStatus::Closed,
        "open" => ItemStatus::Open,
        other => {
            let e = format!("status {other:?}: in_progress, closed or open");
            return Ok(Some(Err(e)));
        }
    };
    // The auditee reports progress; verifying and closing are the audit team's.
    if role == Role::Client && status != ItemStatus::InProgress {
        let e = "the audit team verifies and closes items: report progress instead";
        return Ok(Some(Err(e.into())));
    }
    // The auditee acts only on findings put to it (which have items: this one must).
    let ledger = crate::cache::ledger(store, t)?;
    let known = ledger
        .findings
        .iter()
        .any(|x| x.code == finding && x.items.iter().any(|i| i.seq == seq));
    if !known {
        return Ok(None);
    }
    let closed_on = match (status, f.closed_on.trim()) {
        (ItemStatus::Closed, d) if !d.is_empty() => match date(d, "closed on") {
            Ok(d) => Some(d),
            Err(e) => return Ok(Some(Err(e))),
        },
        _ => None,
    };
    let verification = Some(f.verification.trim()).filter(|v| !v.is_empty());
    let cal = Calendar::builtin();
    let set = findings::set_status(
        store,
        &t.id,
        finding,
        seq,
        status,
        verification,
        closed_on,
        cal,
        &t.user,
    );
    match set {
        Ok(_) => Ok(Some(Ok(()))),
        Err(e) => refusal(e),
    }
}

/// POST /e/{code}/findings/{f}/items/{seq}
pub async fn update_item(
    State(state): State<AppState>,
    Path((code, finding, seq)): Path<(String, String, i64)>,
    headers: HeaderMap,
    Form(f): Form<ItemUpdate>,
) -> Response {
    let done = with_member(
        &state,
        &headers,
        &code,
        ITEM_ACTORS,
        move |store, t, role| update_item_in(store, t, role, (&finding, seq), &f),
    )
    .await;
    after(&state, &headers, code, done).await
}
