//! Evidence and reports through the API: list, upload (evidence) or render (reports), and
//! download — every download in the activity log, as on the pages.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hegui_audit::reports::{self, Report};
use hegui_audit::vault::{self, Evidence, EvidenceKind, NewEvidence};

use super::{parse_json, with_member, ApiError, ApiResult, Does};
use crate::access::{AUDIT_SIDE, EDITORS};
use crate::evidence::DOWNLOADERS;
use crate::reports::{file_of, render_and_keep, RenderForm, RENDERERS};
use crate::session::blocking;
use crate::upload::attachment;
use crate::AppState;

/// GET /api/v1/engagements/{code}/evidence
#[utoipa::path(get, path = "/api/v1/engagements/{code}/evidence", tag = "evidence",
    params(("code" = String, Path)),
    responses((status = 200, description = "every item's metadata: code, sha256, name, size, effective date, checkpoints…", body = [Object]), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Vec<Evidence>> {
    with_member(
        &state,
        &headers,
        &code,
        AUDIT_SIDE,
        Does::Read,
        |store, t, _| Ok(Some(crate::cache::evidence(store, t)?.to_vec())),
    )
    .await
    .map(Json)
}

/// POST /api/v1/engagements/{code}/evidence: one file (multipart field `file`) with its
/// `source`, and optionally `effective_date`, `checkpoint`, `description`.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/evidence", tag = "evidence",
    params(("code" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file, source, effective_date (YYYY-MM-DD), checkpoint, description"),
    responses((status = 200, description = "the item as stored", body = Object), (status = 413, body = ApiError), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Evidence> {
    // The member and the token's right to write first: a stranger's body is never read.
    let id = with_member(&state, &headers, &code, EDITORS, Does::Write, |_, t, _| {
        Ok(Some((t.id.clone(), t.user.clone())))
    })
    .await?;
    let m = Multipart::from_request(request, &state)
        .await
        .map_err(|e| ApiError::invalid(e.body_text()))?;
    let limit = crate::evidence::EVIDENCE_LIMIT as u64;
    let mut form = crate::upload::read_uploads(m, crate::evidence::EVIDENCE_FIELDS, limit)
        .await
        .map_err(|(status, e)| ApiError::new(status, e))?;
    if form.files.len() != 1 {
        return Err(ApiError::invalid("one file (multipart field `file`)"));
    }
    let (name, content) = form.files.remove(0);
    let effective = Some(form.text("effective_date").to_string()).filter(|d| !d.is_empty());
    if let Some(d) = &effective {
        if d.parse::<jiff::civil::Date>().is_err() {
            return Err(ApiError::invalid(format!(
                "effective_date {d:?}: YYYY-MM-DD"
            )));
        }
    }
    let n = NewEvidence {
        name,
        content: vault::Content::Spooled(content),
        kind: EvidenceKind::File,
        collector: id.1,
        effective_date: effective,
        source: form.text("source").to_string(),
        description: form.text("description").to_string(),
        checkpoints: Some(form.text("checkpoint").to_string())
            .filter(|c| !c.is_empty())
            .into_iter()
            .collect(),
    };
    let store = state.store.clone();
    blocking(move || vault::add(&store, &id.0, n))
        .await
        .map(Json)
        .map_err(ApiError::of)
}

/// GET /api/v1/engagements/{code}/evidence/{ev}: the content (logged).
#[utoipa::path(get, path = "/api/v1/engagements/{code}/evidence/{ev}", tag = "evidence",
    params(("code" = String, Path), ("ev" = String, Path, description = "e.g. EV-001")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn download(
    State(state): State<AppState>,
    Path((code, ev)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (id, sha, name) = with_member(
        &state,
        &headers,
        &code,
        DOWNLOADERS,
        Does::Read,
        move |store, t, _| {
            let list = crate::cache::evidence(store, t)?;
            let Some(item) = list.iter().find(|e| e.code == ev) else {
                return Ok(None);
            };
            vault::record_download(store, &t.id, &ev, &t.user)?;
            Ok(Some((t.id.clone(), item.sha256.clone(), item.name.clone())))
        },
    )
    .await?;
    let body = crate::upload::stream(state.store.clone(), id, sha);
    Ok(attachment(&name, "application/octet-stream", body))
}

/// GET /api/v1/engagements/{code}/reports
#[utoipa::path(get, path = "/api/v1/engagements/{code}/reports", tag = "reports",
    params(("code" = String, Path)),
    responses((status = 200, description = "the reports, newest first", body = [Object]), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn reports(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Vec<Report>> {
    with_member(
        &state,
        &headers,
        &code,
        AUDIT_SIDE,
        Does::Read,
        |store, t, _| reports::list(store, &t.id).map(Some),
    )
    .await
    .map(Json)
}

/// POST /api/v1/engagements/{code}/reports: render a report and keep it.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/reports", tag = "reports",
    params(("code" = String, Path)),
    request_body = RenderForm,
    responses((status = 200, description = "the report as kept", body = Object), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn render(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Report> {
    let form = parse_json::<RenderForm>(&body);
    with_member(
        &state,
        &headers,
        &code,
        RENDERERS,
        Does::Write,
        move |store, t, _| match form {
            Ok(f) => render_and_keep(store, t, &f).map(Some),
            Err(e) => Ok(Some(Err(e))),
        },
    )
    .await?
    .map(Json)
    .map_err(ApiError::invalid)
}

/// GET /api/v1/engagements/{code}/reports/{r}: the file (logged).
#[utoipa::path(get, path = "/api/v1/engagements/{code}/reports/{r}", tag = "reports",
    params(("code" = String, Path), ("r" = String, Path, description = "e.g. R-001")),
    responses((status = 200, description = "the report file"), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn report(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (name, mime, content) = with_member(
        &state,
        &headers,
        &code,
        DOWNLOADERS,
        Does::Read,
        move |store, t, _| file_of(store, t, &rc, false),
    )
    .await?;
    Ok(attachment(&name, mime, content).into_response())
}
