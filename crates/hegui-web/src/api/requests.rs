//! Evidence requests, comments, review notes and the inbox through the API, under the
//! pages' rules: the same `hegui_audit` functions, as the token's owner with their role.
//! A client reads only what was sent to it; review notes are the audit team's; a refusal
//! is a 422 (the rules) or a 403 (the role), with its reason.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hegui_audit::comments::{self, Comment, On, Visibility};
use hegui_audit::members::Role;
use hegui_audit::notify::{self, Notification};
use hegui_audit::requests::{
    self, files, flow, timing, Event, Priority, Request as Req, RequestFile, Sent, Timing,
};
use hegui_audit::review_notes::{self, ReviewNote};
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use hegui_core::calendar::Calendar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{grant, parse_json, with_member, ApiError, ApiResult, Does};
use crate::access::{today, Target};
use crate::discuss::{NOTE_ACTORS, NOTE_RAISERS};
use crate::requests::{CLIENTS, COMMENTERS, FILE_READERS, READERS, TEAM};
use crate::session::blocking;
use crate::AppState;

/// Who may ask for a request's step (the request then decides which step is whose).
pub const ACTORS: &[Role] = &[Role::Lead, Role::Auditor, Role::Client];

/// A request with where it stands today.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestRow {
    pub request: Req,
    pub timing: Timing,
}

/// A request with its files, its history and the comments the reader may read.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDoc {
    pub request: Req,
    pub timing: Timing,
    pub files: Vec<RequestFile>,
    pub events: Vec<Event>,
    pub comments: Vec<Comment>,
}

fn row(r: Req) -> RequestRow {
    RequestRow {
        timing: timing::of(&r, today(), Calendar::builtin()),
        request: r,
    }
}

fn doc(store: &Store, t: &Target, role: Role, pbc: &str) -> Result<Option<RequestDoc>, AuditError> {
    let Some(r) = requests::get(store, &t.id, pbc, &t.user, role)? else {
        return Ok(None);
    };
    Ok(Some(RequestDoc {
        timing: timing::of(&r, today(), Calendar::builtin()),
        files: files::list(store, &t.id, &r.code)?,
        events: requests::events(store, &t.id, &r.code, role)?,
        comments: comments::on(store, &t.id, &On::Request(r.code.clone()), role)?,
        request: r,
    }))
}

/// A refusal as the API says it (the role: 403; the rules: 422), or a store failure.
fn answer<T>(r: Result<T, AuditError>) -> Result<Option<Result<T, ApiError>>, AuditError> {
    match r {
        Ok(x) => Ok(Some(Ok(x))),
        Err(AuditError::Invalid(m)) => Ok(Some(Err(ApiError::invalid(m)))),
        Err(AuditError::Denied(m)) => Ok(Some(Err(ApiError::new(StatusCode::FORBIDDEN, m)))),
        Err(e) => Err(e),
    }
}

fn settle<T>(r: Result<Result<T, ApiError>, ApiError>) -> ApiResult<T> {
    r?.map(Json)
}

/// A write endpoint: the member check (a stranger's body is never read), then `act` on
/// the JSON body as that member; a body that is not the JSON expected is a 422.
async fn write_json<F, T>(
    (state, headers): (&AppState, &HeaderMap),
    code: &str,
    roles: &'static [Role],
    body: Bytes,
    act: impl FnOnce(&Store, &Target, F) -> Result<T, AuditError> + Send + 'static,
) -> ApiResult<T>
where
    F: serde::de::DeserializeOwned,
    T: Send + 'static,
{
    let done = with_member(
        state,
        headers,
        code,
        roles,
        Does::Write,
        move |store, t, _| match parse_json::<F>(&body) {
            Ok(f) => answer(act(store, t, f)),
            Err(e) => Ok(Some(Err(ApiError::invalid(e)))),
        },
    )
    .await;
    settle(done)
}

/// GET /api/v1/engagements/{code}/requests
#[utoipa::path(get, path = "/api/v1/engagements/{code}/requests", tag = "requests",
    params(("code" = String, Path)),
    responses((status = 200, description = "the requests the reader sees (a client: those sent to it)", body = [RequestRow]), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Vec<RequestRow>> {
    with_member(
        &state,
        &headers,
        &code,
        READERS,
        Does::Read,
        |store, t, role| {
            Ok(Some(
                requests::list(store, &t.id, &t.user, role)?
                    .into_iter()
                    .map(row)
                    .collect(),
            ))
        },
    )
    .await
    .map(Json)
}

/// A new request, or the fields to change (absent: unchanged).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestFields {
    pub title: Option<String>,
    pub description: Option<String>,
    pub checkpoints: Option<Vec<String>>,
    /// The format wanted.
    pub format: Option<String>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    /// Client members who answer it.
    pub assignees: Option<Vec<String>>,
    pub due: Option<String>,
    /// high, normal or low.
    pub priority: Option<String>,
    pub sensitive: Option<bool>,
}

fn priority(p: &Option<String>) -> Result<Option<Priority>, AuditError> {
    match p.as_deref() {
        None => Ok(None),
        Some(s) => Priority::parse(s)
            .map(Some)
            .ok_or_else(|| AuditError::Invalid(format!("priority {s:?}: high, normal or low"))),
    }
}

/// POST /api/v1/engagements/{code}/requests: a draft.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/requests", tag = "requests",
    params(("code" = String, Path)), request_body = RequestFields,
    responses((status = 200, body = Req), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Req> {
    write_json(
        (&state, &headers),
        &code,
        TEAM,
        body,
        |store, t, f: RequestFields| {
            let n = requests::NewRequest {
                priority: priority(&f.priority)?,
                title: f.title.unwrap_or_default(),
                description: f.description.unwrap_or_default(),
                checkpoints: f.checkpoints.unwrap_or_default(),
                format: f.format.unwrap_or_default(),
                period_from: f.period_from,
                period_to: f.period_to,
                assignees: f.assignees.unwrap_or_default(),
                due: f.due,
                sensitive: f.sensitive.unwrap_or(false),
            };
            flow::create(store, &t.id, n, &t.user)
        },
    )
    .await
}

/// POST /api/v1/engagements/{code}/requests/generate: drafts from the scope.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/requests/generate", tag = "requests",
    params(("code" = String, Path)),
    responses((status = 200, description = "the new drafts", body = [Req]), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn generate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Vec<Req>> {
    settle(
        with_member(&state, &headers, &code, TEAM, Does::Write, |store, t, _| {
            answer(requests::generate::from_scope(store, &t.id, &t.user))
        })
        .await,
    )
}

/// Which drafts to send, and how due dates are set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendForm {
    pub codes: Vec<String>,
    /// Working days to the due date of a request without one (default 10).
    #[serde(default)]
    pub days: Option<i64>,
    /// Working days kept before the deadline for review (default 5).
    #[serde(default)]
    pub review_days: Option<i64>,
}

/// POST /api/v1/engagements/{code}/requests/send: all or none.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/requests/send", tag = "requests",
    params(("code" = String, Path)), request_body = SendForm,
    responses((status = 200, body = Sent), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn send(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Sent> {
    write_json(
        (&state, &headers),
        &code,
        TEAM,
        body,
        |store, t, f: SendForm| {
            let o = requests::SendOptions {
                days: f.days.unwrap_or(10).clamp(0, 250),
                review_days: f.review_days.unwrap_or(5).clamp(0, 250),
                today: today(),
            };
            flow::send(store, &t.id, &f.codes, o, Calendar::builtin(), &t.user)
        },
    )
    .await
}

/// GET /api/v1/engagements/{code}/requests/{pbc}
#[utoipa::path(get, path = "/api/v1/engagements/{code}/requests/{pbc}", tag = "requests",
    params(("code" = String, Path), ("pbc" = String, Path, description = "e.g. PBC-001")),
    responses((status = 200, body = RequestDoc), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Path((code, pbc)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<RequestDoc> {
    with_member(
        &state,
        &headers,
        &code,
        READERS,
        Does::Read,
        move |store, t, role| doc(store, t, role, &pbc),
    )
    .await
    .map(Json)
}

/// POST /api/v1/engagements/{code}/requests/{pbc}: change it (not once submitted).
#[utoipa::path(post, path = "/api/v1/engagements/{code}/requests/{pbc}", tag = "requests",
    params(("code" = String, Path), ("pbc" = String, Path)), request_body = RequestFields,
    responses((status = 200, body = Req), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    Path((code, pbc)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Req> {
    write_json(
        (&state, &headers),
        &code,
        TEAM,
        body,
        move |store, t, f: RequestFields| {
            let e = requests::EditRequest {
                priority: priority(&f.priority)?,
                title: f.title,
                description: f.description,
                checkpoints: f.checkpoints,
                format: f.format,
                period_from: f.period_from.map(Some),
                period_to: f.period_to.map(Some),
                assignees: f.assignees,
                due: f.due.map(Some),
                sensitive: f.sensitive,
            };
            flow::edit(store, &t.id, &pbc, e, &t.user)
        },
    )
    .await
}

/// What a step may need.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepForm {
    /// return, reopen, cancel, not_applicable: why.
    #[serde(default)]
    pub reason: Option<String>,
    /// return: files (by number) that do not serve.
    #[serde(default)]
    pub reject: Vec<i64>,
    /// merge: the drafts to fold into this one.
    #[serde(default)]
    pub others: Vec<String>,
}

/// POST /api/v1/engagements/{code}/requests/{pbc}/actions/{action}: submit,
/// not_applicable, accept, return, reopen, cancel or merge — each by whom WEB.md says.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/requests/{pbc}/actions/{action}", tag = "requests",
    params(("code" = String, Path), ("pbc" = String, Path), ("action" = String, Path, description = "submit, not_applicable, accept, return, reopen, cancel, merge")),
    request_body = StepForm,
    responses((status = 200, description = "the request after it", body = RequestDoc), (status = 403, body = ApiError), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn step(
    State(state): State<AppState>,
    Path((code, pbc, action)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<RequestDoc> {
    settle(
        with_member(
            &state,
            &headers,
            &code,
            ACTORS,
            Does::Write,
            move |store, t, role| {
                // A request the reader does not see is a 404 whatever the step.
                if requests::get(store, &t.id, &pbc, &t.user, role)?.is_none() {
                    return Ok(None);
                }
                let f: StepForm = if body.is_empty() {
                    StepForm::default()
                } else {
                    match parse_json(&body) {
                        Ok(f) => f,
                        Err(e) => return Ok(Some(Err(ApiError::invalid(e)))),
                    }
                };
                let why = f.reason.clone().unwrap_or_default();
                let (id, u) = (&t.id, &t.user);
                let done = match action.as_str() {
                    "submit" => flow::submit(store, id, &pbc, u).map(drop),
                    "not_applicable" => files::not_applicable(store, id, &pbc, &why, u).map(drop),
                    "accept" => flow::accept(store, id, &pbc, u).map(drop),
                    "return" => {
                        flow::return_submission(store, id, &pbc, &why, &f.reject, u).map(drop)
                    }
                    "reopen" => flow::reopen(store, id, &pbc, &why, u).map(drop),
                    "cancel" => flow::cancel(store, id, &pbc, &why, u).map(drop),
                    "merge" => flow::merge(store, id, &pbc, &f.others, u).map(drop),
                    other => Err(AuditError::Invalid(format!("no request action {other:?}"))),
                };
                match answer(done)? {
                    Some(Ok(())) => Ok(doc(store, t, role, &pbc)?.map(Ok)),
                    Some(Err(e)) => Ok(Some(Err(e))),
                    None => Ok(None),
                }
            },
        )
        .await,
    )
}

/// POST /api/v1/engagements/{code}/requests/{pbc}/files: the client's files (multipart,
/// field `file` repeatable, `effective_date`).
#[utoipa::path(post, path = "/api/v1/engagements/{code}/requests/{pbc}/files", tag = "requests",
    params(("code" = String, Path), ("pbc" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "file (repeatable), effective_date"),
    responses((status = 200, body = [RequestFile]), (status = 413, body = ApiError), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    Path((code, pbc)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Vec<RequestFile>> {
    let p = pbc.clone();
    let t =
        with_member(
            &state,
            &headers,
            &code,
            CLIENTS,
            Does::Write,
            move |store, t, role| {
                Ok(requests::get(store, &t.id, &p, &t.user, role)?.map(|_| t.clone()))
            },
        )
        .await?;
    let m = Multipart::from_request(request, &state)
        .await
        .map_err(|e| ApiError::invalid(e.body_text()))?;
    let ups = crate::request_actions::read_uploads(m)
        .await
        .map_err(|(s, e)| ApiError::new(s, e))?;
    let store = state.store.clone();
    match blocking(move || files::upload(&store, &t.id, &pbc, ups, &t.user)).await {
        Ok(f) => Ok(Json(f)),
        Err(AuditError::Denied(m)) => Err(ApiError::new(StatusCode::FORBIDDEN, m)),
        Err(e) => Err(ApiError::of(e)),
    }
}

/// GET /api/v1/engagements/{code}/requests/{pbc}/files/{n}: the content (logged).
#[utoipa::path(get, path = "/api/v1/engagements/{code}/requests/{pbc}/files/{n}", tag = "requests",
    params(("code" = String, Path), ("pbc" = String, Path), ("n" = i64, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn download(
    State(state): State<AppState>,
    Path((code, pbc, n)): Path<(String, String, i64)>,
    headers: HeaderMap,
) -> Response {
    let got = with_member(
        &state,
        &headers,
        &code,
        FILE_READERS,
        Does::Read,
        move |store, t, role| crate::requests::file_for(store, t, role, &pbc, n),
    )
    .await;
    match got {
        Ok(file) => crate::requests::file_response(state.store.clone(), file),
        Err(e) => e.into_response(),
    }
}

/// A comment to post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentForm {
    /// PBC-001, F-001 or a checkpoint (G13.4).
    pub on: String,
    /// shared (default) or internal.
    #[serde(default)]
    pub visibility: Option<String>,
    pub body: String,
}

/// POST /api/v1/engagements/{code}/comments
#[utoipa::path(post, path = "/api/v1/engagements/{code}/comments", tag = "requests",
    params(("code" = String, Path)), request_body = CommentForm,
    responses((status = 200, body = Comment), (status = 403, body = ApiError), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn comment(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Comment> {
    write_json(
        (&state, &headers),
        &code,
        COMMENTERS,
        body,
        |store, t, f: CommentForm| {
            let vis = f
                .visibility
                .as_deref()
                .map_or(Some(Visibility::Shared), Visibility::parse);
            let vis =
                vis.ok_or_else(|| AuditError::Invalid("visibility: shared or internal".into()))?;
            comments::add(store, &t.id, &On::parse(&f.on)?, vis, &f.body, &t.user)
        },
    )
    .await
}

/// GET /api/v1/engagements/{code}/checkpoints/{id}/notes: the paper's review notes.
#[utoipa::path(get, path = "/api/v1/engagements/{code}/checkpoints/{id}/notes", tag = "requests",
    params(("code" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = [ReviewNote]), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn notes(
    State(state): State<AppState>,
    Path((code, cp)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Vec<ReviewNote>> {
    with_member(
        &state,
        &headers,
        &code,
        NOTE_ACTORS,
        Does::Read,
        move |store, t, _| {
            if hegui_core::law::Law::get()
                .guideline
                .checkpoint(&cp)
                .is_none()
            {
                return Ok(None);
            }
            review_notes::list(store, &t.id, Some(&cp)).map(Some)
        },
    )
    .await
    .map(Json)
}

/// A note's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteForm {
    pub body: String,
}

/// POST /api/v1/engagements/{code}/checkpoints/{id}/notes: raise one.
#[utoipa::path(post, path = "/api/v1/engagements/{code}/checkpoints/{id}/notes", tag = "requests",
    params(("code" = String, Path), ("id" = String, Path)), request_body = NoteForm,
    responses((status = 200, description = "the note's code", body = String), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn raise_note(
    State(state): State<AppState>,
    Path((code, cp)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<String> {
    write_json(
        (&state, &headers),
        &code,
        NOTE_RAISERS,
        body,
        move |store, t, f: NoteForm| review_notes::raise(store, &t.id, &cp, &f.body, &t.user),
    )
    .await
}

/// A step of a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteStep {
    /// answered, cleared or reopened.
    pub action: String,
    #[serde(default)]
    pub text: Option<String>,
}

/// POST /api/v1/engagements/{code}/notes/{rn}
#[utoipa::path(post, path = "/api/v1/engagements/{code}/notes/{rn}", tag = "requests",
    params(("code" = String, Path), ("rn" = String, Path, description = "e.g. RN-001")), request_body = NoteStep,
    responses((status = 200, body = ReviewNote), (status = 403, body = ApiError), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn note_step(
    State(state): State<AppState>,
    Path((code, rn)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<ReviewNote> {
    write_json(
        (&state, &headers),
        &code,
        NOTE_ACTORS,
        body,
        move |store, t, f: NoteStep| {
            review_notes::step(store, &t.id, &rn, &f.action, f.text.as_deref(), &t.user)
        },
    )
    .await
}

/// GET /api/v1/inbox: the token owner's notifications, newest first (200 at most).
#[utoipa::path(get, path = "/api/v1/inbox", tag = "requests",
    responses((status = 200, body = [Notification]), (status = 401, body = ApiError)),
    security(("token" = [])))]
pub async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Vec<Notification>> {
    let g = grant(&state, &headers).await?;
    let store = state.store.clone();
    // Only what concerns the engagements the token reaches (and the digests).
    let reach = g.engagements.clone();
    let list = blocking(move || notify::inbox(&store, &g.user.name, false, 200))
        .await
        .map_err(ApiError::of)?;
    Ok(Json(
        list.into_iter()
            .filter(|n| n.engagement.is_empty() || reach.contains(&n.engagement))
            .collect(),
    ))
}

/// POST /api/v1/inbox/read: every notification read.
#[utoipa::path(post, path = "/api/v1/inbox/read", tag = "requests",
    responses((status = 204, description = "done"), (status = 401, body = ApiError), (status = 403, body = ApiError)),
    security(("token" = [])))]
pub async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let g = grant(&state, &headers).await?;
    if g.read_only {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this token is read-only",
        ));
    }
    let store = state.store.clone();
    blocking(move || notify::mark_read(&store, &g.user.name, None))
        .await
        .map_err(ApiError::of)?;
    Ok(StatusCode::NO_CONTENT)
}
