//! The pages' remaining actions through the API: findings raised, communicated and moved;
//! the team read and changed; a new profile version; a stored report verified. Each runs
//! the same function as its page, so the rules are the pages' rules.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use hegui_audit::members::{self, Member, Role};
use hegui_audit::AuditError;
use hegui_core::inventory::{self, Syntax};
use hegui_report::signature;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::records::{ledger_doc_of, LedgerDoc};
use super::{parse_json, with_member, ApiError, ApiResult, Does};
use crate::access::{AUDIT_SIDE, EDITORS};
use crate::evidence::DOWNLOADERS;
use crate::findings::{
    add_item_in, raise_in, update_item_in, ItemUpdate, NewFinding, NewItem, Outcome, COMMUNICATORS,
    ITEM_ACTORS,
};
use crate::reports::SIGNERS;
use crate::team::{self, MemberForm, LEADS};
use crate::AppState;

/// An action's outcome as the API answers it: a refusal is a 422 with its reason.
fn settled<T>(outcome: Result<Result<T, String>, ApiError>) -> ApiResult<T> {
    outcome?.map(Json).map_err(ApiError::invalid)
}

/// After a findings action: the ledger as the member sees it now (read afresh: the
/// request's log head is from before the change).
fn then_ledger(
    store: &hegui_audit::store::Store,
    t: &crate::access::Target,
    role: Role,
    done: Outcome,
) -> Result<Option<Result<LedgerDoc, String>>, AuditError> {
    match done? {
        None => Ok(None),
        Some(Err(e)) => Ok(Some(Err(e))),
        Some(Ok(())) => {
            let ledger = hegui_audit::findings::ledger(store, &t.id)?;
            Ok(Some(Ok(ledger_doc_of(&ledger, role))))
        }
    }
}

/// POST /api/v1/engagements/{code}/findings
#[utoipa::path(post, path = "/api/v1/engagements/{code}/findings", tag = "findings",
    params(("code" = String, Path)), request_body = NewFinding,
    responses((status = 200, description = "the ledger after it", body = LedgerDoc), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn raise(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<LedgerDoc> {
    let form = parse_json::<NewFinding>(&body);
    settled(
        with_member(
            &state,
            &headers,
            &code,
            EDITORS,
            Does::Write,
            move |s, t, role| match form {
                Ok(f) => then_ledger(s, t, role, raise_in(s, t, &f)),
                Err(e) => Ok(Some(Err(e))),
            },
        )
        .await,
    )
}

/// POST /api/v1/engagements/{code}/findings/{f}/items
#[utoipa::path(post, path = "/api/v1/engagements/{code}/findings/{f}/items", tag = "findings",
    params(("code" = String, Path), ("f" = String, Path, description = "e.g. F-001")), request_body = NewItem,
    responses((status = 200, description = "the ledger after it", body = LedgerDoc), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn add_item(
    State(state): State<AppState>,
    Path((code, finding)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<LedgerDoc> {
    let form = parse_json::<NewItem>(&body);
    settled(
        with_member(
            &state,
            &headers,
            &code,
            COMMUNICATORS,
            Does::Write,
            move |s, t, role| match form {
                Ok(f) => then_ledger(s, t, role, add_item_in(s, t, &finding, &f)),
                Err(e) => Ok(Some(Err(e))),
            },
        )
        .await,
    )
}

/// POST /api/v1/engagements/{code}/findings/{f}/items/{seq}
#[utoipa::path(post, path = "/api/v1/engagements/{code}/findings/{f}/items/{seq}", tag = "findings",
    params(("code" = String, Path), ("f" = String, Path), ("seq" = i64, Path)), request_body = ItemUpdate,
    responses((status = 200, description = "the ledger after it", body = LedgerDoc), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn update_item(
    State(state): State<AppState>,
    Path((code, finding, seq)): Path<(String, String, i64)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<LedgerDoc> {
    let form = parse_json::<ItemUpdate>(&body);
    settled(
        with_member(
            &state,
            &headers,
            &code,
            ITEM_ACTORS,
            Does::Write,
            move |s, t, role| match form {
                Ok(f) => {
                    let done = update_item_in(s, t, role, (&finding, seq), &f);
                    then_ledger(s, t, role, done)
                }
                Err(e) => Ok(Some(Err(e))),
            },
        )
        .await,
    )
}

/// GET /api/v1/engagements/{code}/team
#[utoipa::path(get, path = "/api/v1/engagements/{code}/team", tag = "engagements",
    params(("code" = String, Path)),
    responses((status = 200, description = "the members with their roles and end dates", body = [Object]), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn team(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Vec<Member>> {
    with_member(
        &state,
        &headers,
        &code,
        AUDIT_SIDE,
        Does::Read,
        |s, t, _| members::list(s, &t.id).map(Some),
    )
    .await
    .map(Json)
}

/// POST /api/v1/engagements/{code}/team: add a member or change one (the lead).
#[utoipa::path(post, path = "/api/v1/engagements/{code}/team", tag = "engagements",
    params(("code" = String, Path)), request_body = MemberForm,
    responses((status = 200, description = "the members after it", body = [Object]), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn set_member(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Vec<Member>> {
    let form = parse_json::<MemberForm>(&body);
    settled(
        with_member(
            &state,
            &headers,
            &code,
            LEADS,
            Does::Write,
            move |s, t, _| {
                let f = match form {
                    Ok(f) => f,
                    Err(e) => return Ok(Some(Err(e))),
                };
                match team::set(s, t, &f)? {
                    Ok(()) => members::list(s, &t.id).map(|m| Some(Ok(m))),
                    Err(e) => Ok(Some(Err(e))),
                }
            },
        )
        .await,
    )
}

/// POST /api/v1/engagements/{code}/profile: a new version of the processor's profile, the
/// body being the profile itself (YAML, or JSON with `Content-Type: application/json`),
/// validated before anything is stored.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/profile", tag = "findings",
    params(("code" = String, Path)),
    request_body(content_type = "application/yaml", description = "the profile (YAML or JSON)"),
    responses((status = 200, description = "the new version and the recomputed scope", body = super::records::ProfileDoc), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn profile(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<super::records::ProfileDoc> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (syntax, name) = if json {
        (Syntax::Json, "profile.json")
    } else {
        (Syntax::Yaml, "profile.yaml")
    };
    let text = String::from_utf8(body.to_vec()).map_err(|_| "the profile is not UTF-8 text");
    settled(
        with_member(
            &state,
            &headers,
            &code,
            EDITORS,
            Does::Write,
            move |s, t, _| {
                let text = match text {
                    Ok(x) => x,
                    Err(e) => return Ok(Some(Err(e.to_string()))),
                };
                if let Err(e) = inventory::load(&text, name, syntax) {
                    return Ok(Some(Err(e.to_string())));
                }
                hegui_audit::engagement::update_profile(s, &t.id, &text, name, &t.user)?;
                let (version, sha256, text) = hegui_audit::engagement::profile(s, &t.id)?;
                let scope = hegui_audit::engagement::scope(s, &t.id)?;
                let doc = super::records::ProfileDoc {
                    version,
                    sha256,
                    text,
                    scope,
                };
                Ok(Some(Ok(doc)))
            },
        )
        .await,
    )
}

/// A stored report checked: its bytes against its hash, its signatures against both.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCheck {
    pub code: String,
    pub sha256: String,
    /// Each signature as "signer (role) at time"; empty when unsigned.
    pub signatures: Vec<String>,
}

/// POST /api/v1/engagements/{code}/reports/{r}/verify
#[utoipa::path(post, path = "/api/v1/engagements/{code}/reports/{r}/verify", tag = "reports",
    params(("code" = String, Path), ("r" = String, Path)),
    responses((status = 200, body = ReportCheck), (status = 422, description = "changed, or a signature that does not hold", body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn verify_report(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<ReportCheck> {
    settled(
        with_member(
            &state,
            &headers,
            &code,
            DOWNLOADERS,
            Does::Read,
            move |s, t, _| {
                let (r, content) = match crate::reports::report_of(s, &t.id, &rc) {
                    Ok(Some(x)) => x,
                    Ok(None) => return Ok(None),
                    // Changed in the store: a finding of the check, not a server error.
                    Err(AuditError::Tampered(m)) => return Ok(Some(Err(m))),
                    Err(e) => return Err(e),
                };
                let mut check = ReportCheck {
                    code: r.code.clone(),
                    sha256: r.sha256.clone(),
                    signatures: Vec::new(),
                };
                if let Some(sig) = &r.signatures {
                    let digest = signature::sha256_hex(&content);
                    let name = std::path::Path::new(&r.name);
                    match signature::verify_text(sig, "signatures", name, &digest) {
                        Ok(f) => {
                            check.signatures = f
                                .signatures
                                .iter()
                                .map(|x| format!("{} ({:?}) {}", x.signer, x.role, x.signed_at))
                                .collect();
                        }
                        Err(e) => return Ok(Some(Err(e.to_string()))),
                    }
                }
                Ok(Some(Ok(check)))
            },
        )
        .await,
    )
}

/// How many evidence items decrypted to their hashes.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceCheck {
    pub verified: usize,
}

/// POST /api/v1/engagements/{code}/evidence/verify
#[utoipa::path(post, path = "/api/v1/engagements/{code}/evidence/verify", tag = "evidence",
    params(("code" = String, Path)),
    responses((status = 200, body = EvidenceCheck), (status = 422, description = "an item that does not decrypt to its hash", body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn verify_evidence(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<EvidenceCheck> {
    settled(
        with_member(
            &state,
            &headers,
            &code,
            DOWNLOADERS,
            Does::Read,
            |s, t, _| {
                Ok(Some(match hegui_audit::vault::verify(s, &t.id) {
                    Ok(verified) => Ok(EvidenceCheck { verified }),
                    Err(AuditError::Tampered(m)) => Err(m),
                    Err(e) => return Err(e),
                }))
            },
        )
        .await,
    )
}

/// A signature made with a key file sent for this one signature.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The key file (`hegui key generate`), used in memory and dropped.
    #[schema(value_type = Object)]
    pub key: serde_json::Value,
    /// principal, audit_lead or other.
    pub role: String,
}

/// The signatures a report now has.
#[derive(Debug, Serialize, ToSchema)]
pub struct Signed {
    /// "signer (role)" for each.
    pub signatures: String,
}

/// POST /api/v1/engagements/{code}/reports/{r}/sign
#[utoipa::path(post, path = "/api/v1/engagements/{code}/reports/{r}/sign", tag = "reports",
    params(("code" = String, Path), ("r" = String, Path)), request_body = SignRequest,
    responses((status = 200, body = Signed), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn sign_report(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Signed> {
    let req = parse_json::<SignRequest>(&body).and_then(|r| {
        let key = crate::reports::key_of(r.key.to_string().as_bytes())?;
        Ok((key, crate::reports::role_of(&r.role)?))
    });
    settled(
        with_member(
            &state,
            &headers,
            &code,
            SIGNERS,
            Does::Write,
            move |s, t, _| {
                let (key, role) = match req {
                    Ok(x) => x,
                    Err(e) => return Ok(Some(Err(e))),
                };
                let done = crate::reports::sign_with_key(s, &t.id, &rc, (&key, role), &t.user)?;
                Ok(done.map(|o| o.map(|signatures| Signed { signatures })))
            },
        )
        .await,
    )
}

/// POST /api/v1/engagements/{code}/reports/{r}/signature: a signature file made with
/// `hegui report sign` (the body), kept once it holds for the stored report.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/reports/{r}/signature", tag = "reports",
    params(("code" = String, Path), ("r" = String, Path)),
    request_body(content_type = "application/json", description = "REPORT.sig.json"),
    responses((status = 200, body = Signed), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn upload_signature(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Signed> {
    let bytes = body.to_vec();
    settled(
        with_member(
            &state,
            &headers,
            &code,
            SIGNERS,
            Does::Write,
            move |s, t, _| {
                let done =
                    crate::reports::keep_signature_file(s, (&t.id, &t.code), &rc, bytes, &t.user)?;
                Ok(done.map(|o| o.map(|signatures| Signed { signatures })))
            },
        )
        .await,
    )
}
