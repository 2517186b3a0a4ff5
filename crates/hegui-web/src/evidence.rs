//! Evidence: the list (metadata for every audit-side member), upload into the encrypted
//! vault (typed by content, capped), download (logged in the activity log) and
//! verification of every item.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::members::Role;
use hegui_audit::vault::{self, Content, EvidenceKind, NewEvidence, Spooled};
use hegui_audit::AuditError;
use serde::Deserialize;

use crate::access::{authorize, today, with_member, AUDIT_SIDE, EDITORS};
use crate::locale::{texts, Texts};
use crate::pages::error_page;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

/// The largest evidence file taken through the browser or the API (received into a spool,
/// stored in chunks: never held whole in memory).
pub const EVIDENCE_LIMIT: usize = 512 * 1024 * 1024;
/// Who downloads evidence (a viewer sees metadata only).
pub const DOWNLOADERS: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer];

struct Item {
    code: String,
    name: String,
    size: i64,
    effective: String,
    collector: String,
    checkpoints: String,
    sha_short: String,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    items: Vec<Item>,
    /// This page (1-based), the number of pages and of items.
    page: usize,
    pages: usize,
    total: usize,
    can_upload: bool,
    can_download: bool,
    error: Option<String>,
    notice: Option<String>,
}

/// Items on one page of the list: an engagement gathers thousands, a page stays small.
pub const PER_PAGE: usize = 100;

/// One page of the list, newest first, and how many items there are.
fn items(
    store: &hegui_audit::store::Store,
    t: &crate::access::Target,
    page: usize,
) -> Result<(Vec<Item>, usize), AuditError> {
    let all = crate::cache::evidence(store, t)?;
    let shown = all
        .iter()
        .rev()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .cloned()
        .map(|e| Item {
            code: e.code,
            name: e.name,
            size: e.size,
            effective: e.effective_date.unwrap_or_default(),
            collector: e.collector,
            checkpoints: e.checkpoints.join(", "),
            sha_short: e.sha256.chars().take(16).collect(),
        })
        .collect();
    Ok((shown, all.len()))
}

/// The page for a member of the audit side, with a message after an action.
async fn show(
    state: &AppState,
    headers: &HeaderMap,
    (code, page): (String, usize),
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let page = page.max(1);
    let loaded = with_member(state, headers, &code, AUDIT_SIDE, move |store, t, role| {
        Ok(Some((role, items(store, t, page)?)))
    })
    .await;
    let (s, (role, (items, total))) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failed = error.is_some();
    let mut r = render(&EvidencePage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        items,
        page,
        pages: total.div_ceil(PER_PAGE).max(1),
        total,
        can_upload: EDITORS.contains(&role),
        can_download: DOWNLOADERS.contains(&role),
        error,
        notice,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// The list's page (`?page=2`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<usize>,
}

/// GET /e/{code}/evidence (newest first, [`PER_PAGE`] a page)
pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let page = q.page.unwrap_or(1);
    show(&state, &headers, (code, page), None, None).await
}

/// The upload form's fields, read from the multipart body (unknown fields refused).
struct Upload {
    name: String,
    content: Spooled,
    source: String,
    description: String,
    effective_date: Option<String>,
    checkpoint: Option<String>,
}

/// The text fields of the evidence form (pages and API).
pub(crate) const EVIDENCE_FIELDS: &[&str] =
    &["source", "description", "effective_date", "checkpoint"];

/// Reads the form (one file, streamed into a spool and typed by its content); an error
/// carries its status (413 for a body over the limit).
async fn read_upload(m: Multipart) -> Result<Upload, (StatusCode, String)> {
    let mut form = crate::upload::read_uploads(m, EVIDENCE_FIELDS, EVIDENCE_LIMIT as u64).await?;
    if form.files.len() != 1 {
        let e = if form.files.is_empty() {
            "no file"
        } else {
            "one file at a time"
        };
        return Err((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()));
    }
    let (name, content) = form.files.remove(0);
    let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
    Ok(Upload {
        name,
        content,
        source: form.text("source").to_string(),
        description: form.text("description").to_string(),
        effective_date: opt(form.text("effective_date")),
        checkpoint: opt(form.text("checkpoint")),
    })
}

/// POST /e/{code}/evidence: one file into the vault.
pub async fn upload(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (st, c, name) = (state.clone(), code.clone(), s.user.name.clone());
    let allowed = blocking(move || authorize(&st.store, &c, &name, EDITORS, today())).await;
    let id = match allowed {
        Ok(Some((e, _))) => e.id,
        Ok(None) => return error_page(&state, &headers, StatusCode::NOT_FOUND),
        Err(_) => return error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    };
    // The body is read only once the member is known: a stranger's upload is a 404, not a
    // parse error.
    let multipart = match Multipart::from_request(request, &state).await {
        Ok(m) => m,
        Err(e) => return show(&state, &headers, (code, 1), Some(e.body_text()), None).await,
    };
    let u = match read_upload(multipart).await {
        Ok(u) => u,
        Err((status, e)) => {
            let mut r = show(&state, &headers, (code, 1), Some(e), None).await;
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                *r.status_mut() = status;
            }
            return r;
        }
    };
    if let Some(d) = &u.effective_date {
        if d.parse::<jiff::civil::Date>().is_err() {
            return show(
                &state,
                &headers,
                (code, 1),
                Some(format!("effective date {d:?}: YYYY-MM-DD")),
                None,
            )
            .await;
        }
    }
    let st = state.clone();
    let actor = s.user.name.clone();
    let added = blocking(move || {
        vault::add(
            &st.store,
            &id,
            NewEvidence {
                name: u.name,
                content: Content::Spooled(u.content),
                kind: EvidenceKind::File,
                collector: actor,
                effective_date: u.effective_date,
                source: u.source,
                description: u.description,
                checkpoints: u.checkpoint.into_iter().collect(),
            },
        )
    })
    .await;
    match added {
        Ok(_) => see_other(&format!("/e/{code}/evidence"), None),
        Err(e) => show(&state, &headers, (code, 1), Some(e.to_string()), None).await,
    }
}

/// GET /e/{code}/evidence/{ev}: the file, as an attachment; logged.
pub async fn download(
    State(state): State<AppState>,
    Path((code, ev)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let got = with_member(&state, &headers, &code, DOWNLOADERS, move |store, t, _| {
        let list = crate::cache::evidence(store, t)?;
        let Some(item) = list.iter().find(|i| i.code == ev) else {
            return Ok(None);
        };
        // Logged before the first byte leaves, by the member.
        vault::record_download(store, &t.id, &item.code, &t.user)?;
        Ok(Some((t.id.clone(), item.sha256.clone(), item.name.clone())))
    })
    .await;
    match got {
        Ok((_, (id, sha, file))) => {
            let body = crate::upload::stream(state.store.clone(), id, sha);
            crate::upload::attachment(&file, "application/octet-stream", body)
        }
        Err(r) => r,
    }
}

/// POST /e/{code}/evidence/verify: decrypt and check every item.
pub async fn verify(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let outcome = with_member(&state, &headers, &code, DOWNLOADERS, |store, t, _| {
        Ok(Some(vault::verify(store, &t.id)))
    })
    .await
    .map(|(_, v)| Some(v));
    let outcome: Result<Option<Result<usize, AuditError>>, Response> = outcome;
    let t = texts(session::lang(&headers));
    match outcome {
        Err(r) => r,
        Ok(Some(Ok(n))) => {
            show(
                &state,
                &headers,
                (code, 1),
                None,
                Some(format!("{} ({n})", t.get("ev.verified"))),
            )
            .await
        }
        Ok(Some(Err(e))) => show(&state, &headers, (code, 1), Some(e.to_string()), None).await,
        Ok(None) => error_page(&state, &headers, StatusCode::NOT_FOUND),
    }
}
