//! A checkpoint with its working paper: the Guideline's text and what the law data says
//! about it, the paper, edits and the two sign-offs — the same rules as the checkpoint page
//! (`hegui_audit::workpaper` enforces them: reviewer ≠ preparer; an edit after sign-off
//! drops the review).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use hegui_audit::members::Role;
use hegui_audit::store::Store;
use hegui_audit::workpaper::{self, Paper};
use hegui_audit::AuditError;
use hegui_core::law::Law;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse_json, with_member, ApiError, ApiResult, Does};
use crate::access::{AUDIT_SIDE, EDITORS, REVIEWERS};
use crate::checkpoint::{edit_of, may_prepare, PaperForm, RESULTS};
use crate::team::LEADS;
use crate::AppState;

/// A checkpoint of the Guideline with the engagement's working paper.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointDoc {
    pub id: String,
    /// The focus area, e.g. "十三、个人信息保护影响评估".
    pub area: String,
    pub text_zh: String,
    pub text_en: String,
    /// The legal basis.
    pub cites: Vec<String>,
    /// When the checkpoint applies, in words.
    pub applies_zh: String,
    pub applies_en: String,
    pub evidence_zh: Vec<String>,
    pub evidence_en: Vec<String>,
    pub procedures_zh: Vec<String>,
    pub procedures_en: Vec<String>,
    /// The working paper (a blank draft when nothing is written yet).
    #[schema(value_type = Object)]
    pub paper: Paper,
    /// Observations analysed privacy policies propose (never a conclusion): accept one with
    /// POST …/accept {"analysis": "EV-…"}.
    #[schema(value_type = Vec<Object>)]
    pub proposals: Vec<hegui_audit::vault::policy::Proposal>,
}

fn doc(
    id: &str,
    paper: Paper,
    proposals: Vec<hegui_audit::vault::policy::Proposal>,
) -> Option<CheckpointDoc> {
    let (area, c) = Law::get().guideline.checkpoint(id)?;
    let applies = hegui_core::facts::describe(&c.condition(area));
    Some(CheckpointDoc {
        id: c.id.clone(),
        area: format!("{}、{}", area.numeral, area.title_zh),
        text_zh: format!("{}{}", c.number.as_deref().unwrap_or(""), c.text_zh),
        text_en: c.text_en.clone(),
        cites: c.cites.iter().map(|x| x.display_en()).collect(),
        applies_zh: applies.zh,
        applies_en: applies.en,
        evidence_zh: c.evidence_zh.clone(),
        evidence_en: c.evidence_en.clone(),
        procedures_zh: c.procedures_zh.clone(),
        procedures_en: c.procedures_en.clone(),
        paper,
        proposals,
    })
}

/// GET /api/v1/engagements/{code}/checkpoints/{id}
#[utoipa::path(get, path = "/api/v1/engagements/{code}/checkpoints/{id}", tag = "working papers",
    params(("code" = String, Path), ("id" = String, Path, description = "checkpoint id, e.g. G13.4")),
    responses((status = 200, body = CheckpointDoc), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn show(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<CheckpointDoc> {
    with_member(
        &state,
        &headers,
        &code,
        AUDIT_SIDE,
        Does::Read,
        move |store, t, _| {
            if Law::get().guideline.checkpoint(&id).is_none() {
                return Ok(None);
            }
            let proposals = hegui_audit::vault::policy::proposals(store, &t.id, &id)?;
            Ok(doc(&id, workpaper::get(store, &t.id, &id)?, proposals))
        },
    )
    .await
    .map(Json)
}

/// An edit of a working paper: fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperEdit {
    /// A procedure performed (added to the paper's list).
    pub procedure: Option<String>,
    /// compliant, partially_compliant, non_compliant or not_applicable.
    pub result: Option<String>,
    pub observations: Option<String>,
}

/// POST /api/v1/engagements/{code}/checkpoints/{id}
#[utoipa::path(post, path = "/api/v1/engagements/{code}/checkpoints/{id}", tag = "working papers",
    params(("code" = String, Path), ("id" = String, Path)),
    request_body = PaperEdit,
    responses((status = 200, description = "the paper after the edit", body = Object),
        (status = 422, body = ApiError), (status = 404, body = ApiError), (status = 403, body = ApiError)),
    security(("token" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Paper> {
    let form = parse_json::<PaperEdit>(&body).and_then(form_of);
    let edit = move |store: &Store, eng: &str, cp: &str, actor: &str| {
        let form = form.map_err(AuditError::Invalid)?;
        let current = workpaper::get(store, eng, cp)?;
        workpaper::edit(store, eng, cp, edit_of(&form, Some(&current)), actor)
    };
    write(state, headers, (code, id), (EDITORS, true), edit).await
}

/// The page's form for an API edit, with its result checked.
fn form_of(e: PaperEdit) -> Result<PaperForm, String> {
    if let Some(r) = &e.result {
        if !RESULTS.iter().any(|(_, v)| v == r) {
            return Err(format!(
                "result {r:?}: compliant, partially_compliant, non_compliant or not_applicable"
            ));
        }
    }
    Ok(PaperForm {
        procedure: e.procedure.unwrap_or_default(),
        result: e.result.unwrap_or_default(),
        observations: e.observations,
    })
}

/// A write on a paper by a member with an `allowed` role; with `preparer`, also one the
/// paper is assigned to (or to nobody), as on the checkpoint page.
async fn write(
    state: AppState,
    headers: HeaderMap,
    (code, id): (String, String),
    (allowed, preparer): (&'static [Role], bool),
    run: impl FnOnce(&Store, &str, &str, &str) -> Result<Paper, AuditError> + Send + 'static,
) -> ApiResult<Paper> {
    with_member(
        &state,
        &headers,
        &code,
        allowed,
        Does::Write,
        move |store, t, role| {
            let Some((_, c)) = Law::get().guideline.checkpoint(&id) else {
                return Ok(None);
            };
            // Editing and preparing (not reviewing or assigning): the paper must be the
            // member's or nobody's.
            if preparer {
                let assigned = crate::cache::assignments(store, t)?;
                let assignee = assigned.get(&c.id).map(String::as_str);
                if !may_prepare(role, assignee, &t.user) {
                    return Err(AuditError::Invalid(format!(
                        "{} is assigned to {}: only they or the lead edit and prepare it",
                        c.id,
                        assignee.unwrap_or("-")
                    )));
                }
            }
            run(store, &t.id, &id, &t.user).map(Some)
        },
    )
    .await
    .map(Json)
}

/// POST /api/v1/engagements/{code}/checkpoints/{id}/prepare
#[utoipa::path(post, path = "/api/v1/engagements/{code}/checkpoints/{id}/prepare", tag = "working papers",
    params(("code" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "the paper, prepared", body = Object), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn prepare(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Paper> {
    write(
        state,
        headers,
        (code, id),
        (EDITORS, true),
        workpaper::prepare,
    )
    .await
}

/// POST /api/v1/engagements/{code}/checkpoints/{id}/review
#[utoipa::path(post, path = "/api/v1/engagements/{code}/checkpoints/{id}/review", tag = "working papers",
    params(("code" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "the paper, reviewed", body = Object), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn review(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Paper> {
    write(
        state,
        headers,
        (code, id),
        (REVIEWERS, false),
        workpaper::review,
    )
    .await
}

/// Which analysis's proposal to accept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The analysis's evidence code (a `policy_check` item), e.g. EV-002.
    pub analysis: String,
}

/// POST /api/v1/engagements/{code}/checkpoints/{id}/accept
#[utoipa::path(post, path = "/api/v1/engagements/{code}/checkpoints/{id}/accept", tag = "working papers",
    params(("code" = String, Path), ("id" = String, Path)),
    request_body = Acceptance,
    responses((status = 200, description = "the paper, the proposal appended to its observations", body = Object),
        (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Paper> {
    let a = parse_json::<Acceptance>(&body);
    write(
        state,
        headers,
        (code, id),
        (EDITORS, true),
        move |store, eng, cp, actor| {
            let a = a.map_err(AuditError::Invalid)?;
            hegui_audit::vault::policy::accept(store, eng, cp, &a.analysis, actor)
        },
    )
    .await
}

/// Whom a paper is given to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// A lead or auditor of the engagement; absent or null: nobody.
    pub user: Option<String>,
}

/// POST /api/v1/engagements/{code}/checkpoints/{id}/assign
#[utoipa::path(post, path = "/api/v1/engagements/{code}/checkpoints/{id}/assign", tag = "working papers",
    params(("code" = String, Path), ("id" = String, Path)),
    request_body = Assignment,
    responses((status = 200, description = "the paper", body = Object), (status = 422, body = ApiError), (status = 404, body = ApiError)),
    security(("token" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Paper> {
    let a = parse_json::<Assignment>(&body);
    write(
        state,
        headers,
        (code, id),
        (LEADS, false),
        move |store, eng, cp, actor| {
            let a = a.map_err(AuditError::Invalid)?;
            hegui_audit::assignments::assign(store, eng, cp, a.user.as_deref(), actor)?;
            workpaper::get(store, eng, cp)
        },
    )
    .await
}
