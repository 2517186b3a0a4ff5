//! The pages: my work, the engagement dashboard; static files; errors. Each page builds its
//! own view model from the store, for the viewer's role: an auditee's view is built from
//! its findings and rectification items alone, so nothing else is ever sent to it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hegui_audit::accounts::Session;
use hegui_audit::members::Role;
use hegui_audit::AuditError;
use jiff::civil::Date;

use crate::access::{authorize, today};
use crate::api::engagements::overview;
use crate::ledger::{item_view, ItemView};
use crate::locale::{texts, Lang, Texts};
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    message: &'static str,
}

/// The generic error page (nothing of what went wrong is shown).
pub(crate) fn error_page(state: &AppState, headers: &HeaderMap, status: StatusCode) -> Response {
    let message = if status == StatusCode::NOT_FOUND {
        "error.not_found"
    } else {
        "error.generic"
    };
    let mut r = render(&ErrorPage {
        t: texts(session::lang(headers)),
        user: None,
        mfa_relaxed: !state.mfa_required,
        message,
    });
    *r.status_mut() = status;
    r
}

/// Anything not routed, and anything outside the user's engagements.
pub async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    error_page(&state, &headers, StatusCode::NOT_FOUND)
}

/// GET /lang/{lang}: the interface language, kept in a cookie.
pub async fn set_lang(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(l) = Lang::parse(&lang) else {
        return error_page(&state, &headers, StatusCode::NOT_FOUND);
    };
    let v = if l == Lang::En { "en" } else { "zh" };
    let cookie = HeaderValue::from_str(&format!(
        "{}={v}; Path=/; SameSite=Lax; Max-Age=31536000",
        session::LANG_COOKIE
    ))
    .expect("ASCII");
    see_other("/", Some(cookie))
}

fn asset(body: &'static [u8], kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// GET /static/htmx.min.js (htmx 2, vendored: no request leaves the server).
pub async fn htmx() -> Response {
    asset(
        include_bytes!("../static/htmx.min.js"),
        "text/javascript; charset=utf-8",
    )
}

/// GET /static/hegui.css
pub async fn css() -> Response {
    asset(
        include_bytes!("../static/hegui.css"),
        "text/css; charset=utf-8",
    )
}

pub(crate) fn role_key(r: Role) -> &'static str {
    match r {
        Role::Lead => "role.lead",
        Role::Auditor => "role.auditor",
        Role::Reviewer => "role.reviewer",
        Role::Client => "role.client",
        Role::Viewer => "role.viewer",
    }
}

/// One engagement on "my work".
struct Row {
    code: String,
    processor: String,
    role_key: &'static str,
    period: String,
    deadline: String,
    status: String,
}

#[derive(Template)]
#[template(path = "mywork.html")]
struct MyWork {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    /// An instance administrator (gets the link to user administration).
    admin: bool,
    engagements: Vec<Row>,
    papers_to_prepare: Vec<(String, String)>,
    reviews: Vec<(String, String)>,
    items_due: Vec<(String, String, String)>,
    /// Engagement, request, title, due, overdue.
    requests: Vec<(String, String, String, String, bool)>,
}

fn my_work_model(
    store: &hegui_audit::store::Store,
    s: &Session,
    today: Date,
) -> Result<MyWork, AuditError> {
    // The API's "my work" in the page's words.
    let w = crate::api::engagements::my_work(store, &s.user.name, today, None)?;
    let paper =
        |p: &crate::api::engagements::PaperRef| (p.engagement.clone(), p.checkpoint.clone());
    let m = MyWork {
        t: texts(Lang::Zh),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: false,
        admin: s.user.admin,
        engagements: w
            .engagements
            .iter()
            .map(|e| Row {
                code: e.code.clone(),
                processor: e.processor.clone(),
                role_key: Role::parse(&e.role).map_or("role.viewer", role_key),
                period: format!("{} – {}", e.period_start, e.period_end),
                deadline: e.deadline.clone().unwrap_or_else(|| "—".into()),
                status: e.status.clone(),
            })
            .collect(),
        papers_to_prepare: w.to_prepare.iter().map(paper).collect(),
        reviews: w.to_review.iter().map(paper).collect(),
        items_due: w
            .items_due
            .iter()
            .map(|d| {
                let what = format!("{} · {}", d.item.finding, d.item.measure);
                (d.engagement.clone(), what, d.item.due.clone())
            })
            .collect(),
        requests: w
            .requests
            .iter()
            .map(|r| {
                let due = r.due.clone().unwrap_or_default();
                (
                    r.engagement.clone(),
                    r.code.clone(),
                    r.title.clone(),
                    due,
                    r.overdue,
                )
            })
            .collect(),
    };
    Ok(m)
}

/// GET /: my engagements, papers to prepare and review, rectification items due.
pub async fn my_work(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let store = state.store.clone();
    match blocking(move || my_work_model(&store, &s, today())).await {
        Ok(mut m) => {
            m.t = texts(session::lang(&headers));
            m.mfa_relaxed = !state.mfa_required;
            render(&m)
        }
        Err(_) => error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The dashboard's view model.
struct Dash {
    code: String,
    processor: String,
    kind_key: &'static str,
    role_key: &'static str,
    period: String,
    deadline: Option<String>,
    extensions: Vec<String>,
    client: bool,
    scope_in: usize,
    scope_out: usize,
    scope_unknown: usize,
    papers: Vec<(&'static str, usize)>,
    /// In-scope checkpoints: id, paper status key, conclusion in Chinese and in English.
    checkpoints: Vec<(String, &'static str, &'static str, &'static str)>,
    /// Code, severity's locale key, title.
    findings: Vec<(String, &'static str, String)>,
    /// The processor's obligations: title, status's locale key, due.
    obligations: Vec<(String, &'static str, String)>,
    items: Vec<ItemView>,
    requests: crate::requests::RequestCounts,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    d: Dash,
}

pub(crate) fn severity_key(severity: &str) -> &'static str {
    match severity {
        "high" => "severity.high",
        "medium" => "severity.medium",
        _ => "severity.low",
    }
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "internal" => "kind.internal",
        "ordered" => "kind.ordered",
        _ => "kind.commissioned",
    }
}

/// The dashboard of an engagement for a member, or `None` (a 404) for anyone else: the
/// API's [`overview`] in the page's words.
fn dashboard_model(
    store: &hegui_audit::store::Store,
    code: &str,
    user: &str,
    today: Date,
    zh: bool,
) -> Result<Option<Dash>, AuditError> {
    let Some((t, role)) = authorize(store, code, user, &Role::ALL, today)? else {
        return Ok(None);
    };
    let o = overview(store, &t, role, today)?;
    let e = &o.engagement;
    let status_key = |s: &str| match s {
        "prepared" => "status.prepared",
        "reviewed" => "status.reviewed",
        "draft" => "status.draft",
        _ => "status.none",
    };
    let papers = o.papers.clone().unwrap_or_default();
    let scope = o.scope.clone().unwrap_or_default();
    Ok(Some(Dash {
        code: e.code.clone(),
        processor: e.processor.clone(),
        kind_key: kind_key(&e.kind),
        role_key: role_key(role),
        period: format!("{} – {}", e.period_start, e.period_end),
        deadline: e.deadline.clone(),
        extensions: o.extensions.clone(),
        client: role == Role::Client,
        scope_in: scope.in_scope,
        scope_out: scope.out_of_scope,
        scope_unknown: scope.cannot_tell,
        papers: [
            ("status.draft", papers.draft),
            ("status.prepared", papers.prepared),
            ("status.reviewed", papers.reviewed),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect(),
        checkpoints: o
            .checkpoints
            .iter()
            .map(|c| {
                let written = c.paper != "none";
                (
                    c.id.clone(),
                    status_key(&c.paper),
                    if written { c.result.zh() } else { "" },
                    if written { c.result.en() } else { "" },
                )
            })
            .collect(),
        findings: o
            .findings
            .iter()
            .map(|f| (f.code.clone(), severity_key(&f.severity), f.title.clone()))
            .collect(),
        items: o.items.iter().map(item_view).collect(),
        requests: o.requests,
        obligations: o
            .obligations
            .iter()
            .map(|x| {
                let title = if zh { &x.title_zh } else { &x.title_en };
                let title = match &x.subject {
                    Some(sub) => format!("{title} ({sub})"),
                    None => title.clone(),
                };
                let status = if x.status == hegui_core::obligations::Status::Applies {
                    "status.applies"
                } else {
                    "status.cannot_tell"
                };
                (title, status, x.due.clone().unwrap_or_else(|| "—".into()))
            })
            .collect(),
    }))
}

/// GET /e/{code}: the engagement dashboard, for its members.
pub async fn dashboard(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let store = state.store.clone();
    let name = s.user.name.clone();
    let zh = session::lang(&headers) == Lang::Zh;
    match blocking(move || dashboard_model(&store, &code, &name, today(), zh)).await {
        Ok(Some(d)) => render(&DashboardPage {
            t: texts(session::lang(&headers)),
            user: Some(s.user.display_name.clone()),
            mfa_relaxed: !state.mfa_required,
            d,
        }),
        Ok(None) => error_page(&state, &headers, StatusCode::NOT_FOUND),
        Err(_) => error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}
