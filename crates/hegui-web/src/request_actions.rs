//! The forms of the request pages: draft, generate from the scope, send in bulk, edit,
//! merge; the client's uploads (one or more files, type checked by content), "not
//! applicable" and submit; the team's accept, return (with files rejected), reopen and
//! cancel. Each form names its fields (anything else is refused) and runs the
//! `hegui_audit::requests` function that keeps the rules, as the acting member; a refusal
//! comes back on the page with its reason.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::members::Role;
use hegui_audit::requests::{
    self, files, flow, EditRequest, NewRequest, Priority, SendOptions, Upload,
};
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use hegui_core::calendar::Calendar;

use crate::access::{today, with_member, Target};
use crate::requests::{show, show_board, CLIENTS, LEAD, TEAM};
use crate::signin::see_other;
use crate::AppState;

/// A form's fields in order, repeated keys kept (checkboxes, multiple selects).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parses a URL-encoded body; a field not in `known` is refused.
    pub(crate) fn parse(body: &[u8], known: &[&str]) -> Result<Fields, String> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            return Err(format!("unexpected field {k:?}"));
        }
        Ok(Fields(pairs))
    }

    /// The first value of `k`, trimmed ("" when absent).
    pub(crate) fn one(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// Every non-empty value of `k`; a value with commas or spaces counts as several.
    pub(crate) fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .flat_map(|(_, v)| {
                v.split([',', '，', ' ', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn has(&self, k: &str) -> bool {
        self.0.iter().any(|(n, _)| n == k)
    }
}

/// What a form action came to: `None` when the request is not the member's to see (a
/// 404); a refusal with its reason; or where to go next (a page, or words for the board).
type Done = Result<Option<Result<String, String>>, AuditError>;

/// A refusal the member should read (the rules' words), or a store failure.
pub(crate) fn refused<T>(e: AuditError) -> Result<Option<Result<T, String>>, AuditError> {
    match e {
        AuditError::Invalid(m) | AuditError::Denied(m) => Ok(Some(Err(m))),
        other => Err(other),
    }
}

/// A form's body and the fields it may have.
type Body = (Bytes, &'static [&'static str]);

/// An action whose form has no fields.
fn no_body() -> Body {
    (Bytes::new(), &[])
}

/// Parses the form, then runs `f` as the member; `f`'s answer is where to go next.
fn run_form(
    store: &Store,
    t: &Target,
    (body, known): &Body,
    f: impl FnOnce(&Store, &Target, &Fields) -> Result<String, AuditError>,
) -> Done {
    let fields = match Fields::parse(body, known) {
        Ok(x) => x,
        Err(e) => return Ok(Some(Err(e))),
    };
    match f(store, t, &fields) {
        Ok(to) => Ok(Some(Ok(to))),
        Err(e) => refused(e),
    }
}

/// Runs a form action on request `pbc` for members in `roles`: on to the request's page,
/// or back to it with the reason.
async fn act<T>(
    state: AppState,
    headers: HeaderMap,
    (code, pbc): (String, String),
    roles: &'static [Role],
    body: Body,
    f: impl FnOnce(&Store, &Target, &str, &Fields) -> Result<T, AuditError> + Send + 'static,
) -> Response {
    let p = pbc.clone();
    let done = with_member(&state, &headers, &code, roles, move |store, t, _| {
        run_form(store, t, &body, |store, t, fields| {
            f(store, t, &p, fields).map(|_| page(t, &p))
        })
    })
    .await;
    match done {
        Err(r) => r,
        Ok((_, Ok(to))) => see_other(&to, None),
        Ok((_, Err(e))) => show(&state, &headers, code, pbc, Some(e)).await,
    }
}

/// Runs a form action on the board for members of the team: on to the page `f` names, or
/// back to the board with the reason (or with words `f` gives, such as a send's warnings).
async fn on_board(
    state: AppState,
    headers: HeaderMap,
    code: String,
    body: Body,
    f: impl FnOnce(&Store, &Target, &Fields) -> Result<String, AuditError> + Send + 'static,
) -> Response {
    let done = with_member(&state, &headers, &code, TEAM, move |store, t, _| {
        run_form(store, t, &body, f)
    })
    .await;
    match done {
        Err(r) => r,
        Ok((_, Ok(to))) if to.starts_with('/') => see_other(&to, None),
        Ok((_, Ok(note))) => show_board(&state, &headers, code, None, None, Some(note)).await,
        Ok((_, Err(e))) => show_board(&state, &headers, code, None, Some(e), None).await,
    }
}

/// The request's own page.
fn page(t: &Target, pbc: &str) -> String {
    format!("/e/{}/requests/{}", t.code, pbc.trim().to_uppercase())
}

/// The request fields of the new-request and edit forms.
const REQUEST_FIELDS: &[&str] = &[
    "title",
    "description",
    "checkpoints",
    "wanted_format",
    "period_from",
    "period_to",
    "assignees",
    "due",
    "priority",
    "sensitive",
];

fn priority(s: &str) -> Result<Option<Priority>, AuditError> {
    if s.is_empty() {
        return Ok(None);
    }
    Priority::parse(s)
        .map(Some)
        .ok_or_else(|| AuditError::Invalid(format!("priority {s:?}: high, normal or low")))
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// POST /e/{code}/requests: a new draft.
pub async fn create(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    on_board(
        state,
        headers,
        code,
        (body, REQUEST_FIELDS),
        |store, t, f| {
            let n = NewRequest {
                title: f.one("title").into(),
                description: f.one("description").into(),
                checkpoints: f.all("checkpoints"),
                format: f.one("wanted_format").into(),
                period_from: opt(f.one("period_from")),
                period_to: opt(f.one("period_to")),
                assignees: f.all("assignees"),
                due: opt(f.one("due")),
                priority: priority(f.one("priority"))?,
                sensitive: f.has("sensitive"),
            };
            Ok(page(t, &flow::create(store, &t.id, n, &t.user)?.code))
        },
    )
    .await
}

/// POST /e/{code}/requests/generate: drafts from the scope.
pub async fn generate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    on_board(state, headers, code, no_body(), |store, t, _| {
        requests::generate::from_scope(store, &t.id, &t.user)?;
        Ok(format!("/e/{}/requests", t.code))
    })
    .await
}

/// A number of working days from a form (0–250), or `default` when left empty.
fn days(f: &Fields, k: &str, default: i64) -> Result<i64, AuditError> {
    match f.one(k) {
        "" => Ok(default),
        v => v
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=250).contains(n))
            .ok_or_else(|| {
                AuditError::Invalid(format!("{k} {v:?}: a number of working days (0–250)"))
            }),
    }
}

/// POST /e/{code}/requests/send: the drafts ticked on the board, all or none.
pub async fn send(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let known: &[&str] = &["pbc", "days", "review_days"];
    on_board(state, headers, code, (body, known), |store, t, f| {
        let o = SendOptions {
            days: days(f, "days", 10)?,
            review_days: days(f, "review_days", 5)?,
            today: today(),
        };
        let sent = flow::send(store, &t.id, &f.all("pbc"), o, Calendar::builtin(), &t.user)?;
        Ok(if sent.warnings.is_empty() {
            format!("/e/{}/requests", t.code)
        } else {
            sent.warnings.join("\n")
        })
    })
    .await
}

/// POST /e/{code}/requests/{pbc}: edit.
pub async fn edit(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(
        state,
        headers,
        path,
        TEAM,
        (body, REQUEST_FIELDS),
        |store, t, pbc, f| {
            let e = EditRequest {
                title: Some(f.one("title").into()),
                description: Some(f.one("description").into()),
                checkpoints: Some(f.all("checkpoints")),
                format: Some(f.one("wanted_format").into()),
                period_from: Some(opt(f.one("period_from"))),
                period_to: Some(opt(f.one("period_to"))),
                assignees: Some(f.all("assignees")),
                due: Some(opt(f.one("due"))),
                priority: priority(f.one("priority"))?,
                sensitive: Some(f.has("sensitive")),
            };
            flow::edit(store, &t.id, pbc, e, &t.user)
        },
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/merge: fold other drafts into this one.
pub async fn merge(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(
        state,
        headers,
        path,
        TEAM,
        (body, &["others"]),
        |store, t, pbc, f| flow::merge(store, &t.id, pbc, &f.all("others"), &t.user),
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/submit
pub async fn submit(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    act(
        state,
        headers,
        path,
        CLIENTS,
        no_body(),
        |store, t, pbc, _| flow::submit(store, &t.id, pbc, &t.user),
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/not-applicable
pub async fn not_applicable(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(
        state,
        headers,
        path,
        CLIENTS,
        (body, &["reason"]),
        |store, t, pbc, f| files::not_applicable(store, &t.id, pbc, f.one("reason"), &t.user),
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/accept
pub async fn accept(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    act(state, headers, path, TEAM, no_body(), |store, t, pbc, _| {
        flow::accept(store, &t.id, pbc, &t.user)
    })
    .await
}

/// POST /e/{code}/requests/{pbc}/return: with a reason, and the files that do not serve.
pub async fn return_(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let known: &[&str] = &["reason", "reject"];
    act(
        state,
        headers,
        path,
        TEAM,
        (body, known),
        |store, t, pbc, f| {
            let reject = f
                .all("reject")
                .iter()
                .map(|s| {
                    s.parse::<i64>().map_err(|_| {
                        AuditError::Invalid(format!("file {s:?} is not a file number"))
                    })
                })
                .collect::<Result<Vec<i64>, AuditError>>()?;
            flow::return_submission(store, &t.id, pbc, f.one("reason"), &reject, &t.user)
        },
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/reopen (the lead).
pub async fn reopen(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(
        state,
        headers,
        path,
        LEAD,
        (body, &["reason"]),
        |store, t, pbc, f| flow::reopen(store, &t.id, pbc, f.one("reason"), &t.user),
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/cancel
pub async fn cancel(
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(
        state,
        headers,
        path,
        TEAM,
        (body, &["reason"]),
        |store, t, pbc, f| flow::cancel(store, &t.id, pbc, f.one("reason"), &t.user),
    )
    .await
}

/// POST /e/{code}/requests/{pbc}/files/{n}/remove (the client, before submitting).
pub async fn remove_file(
    State(state): State<AppState>,
    Path((code, pbc, n)): Path<(String, String, i64)>,
    headers: HeaderMap,
) -> Response {
    act(
        state,
        headers,
        (code, pbc),
        CLIENTS,
        no_body(),
        move |store, t, pbc, _| files::remove(store, &t.id, pbc, n, &t.user),
    )
    .await
}

/// The files of an upload form (field `file`, repeatable, each received into a spool and
/// checked by its content) with its effective date; or why not (with the status: 413
/// past the limit).
pub(crate) async fn read_uploads(m: Multipart) -> Result<Vec<Upload>, (StatusCode, String)> {
    let limit = crate::evidence::EVIDENCE_LIMIT as u64;
    let form = crate::upload::read_uploads(m, &["effective_date"], limit).await?;
    if form.files.is_empty() {
        return Err((StatusCode::UNPROCESSABLE_ENTITY, "no file".into()));
    }
    let effective = Some(form.text("effective_date").to_string()).filter(|v| !v.is_empty());
    Ok(form
        .files
        .into_iter()
        .map(|(name, s)| Upload {
            name,
            content: hegui_audit::vault::Content::Spooled(s),
            effective_date: effective.clone(),
        })
        .collect())
}

/// POST /e/{code}/requests/{pbc}/files: the client's files (multipart; read only once
/// the member is known, so a stranger's upload is a 404, not a parse error).
pub async fn upload(
    State(state): State<AppState>,
    Path((code, pbc)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (c, p) = (code.clone(), pbc.clone());
    let member = with_member(&state, &headers, &code, CLIENTS, move |store, t, role| {
        Ok(requests::get(store, &t.id, &p, &t.user, role)?.map(|_| t.clone()))
    })
    .await;
    let t = match member {
        Ok((_, t)) => t,
        Err(r) => return r,
    };
    let multipart = match Multipart::from_request(request, &state).await {
        Ok(m) => m,
        Err(e) => return show(&state, &headers, c, pbc, Some(e.body_text())).await,
    };
    let ups = match read_uploads(multipart).await {
        Ok(u) => u,
        Err((status, e)) => {
            let mut r = show(&state, &headers, c, pbc, Some(e)).await;
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                *r.status_mut() = status;
            }
            return r;
        }
    };
    let st = state.clone();
    let p = pbc.clone();
    let added =
        crate::session::blocking(move || files::upload(&st.store, &t.id, &p, ups, &t.user)).await;
    match added {
        Ok(_) => see_other(&format!("/e/{c}/requests/{pbc}"), None),
        Err(AuditError::Invalid(e) | AuditError::Denied(e)) => {
            show(&state, &headers, c, pbc, Some(e)).await
        }
        Err(_) => crate::pages::error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}
