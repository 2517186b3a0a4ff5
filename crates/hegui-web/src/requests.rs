//! Evidence requests (PBC) in the browser: the board — by state, with the load per assignee
//! and, for the team, the drafts to send in bulk — and a request's page with its files,
//! history, comments and the actions the member may take. A client's board is "my
//! requests": only what was sent to it, built from the same rows with nothing of the
//! drafts, internal comments or other clients' requests ever loaded into its page.
//! `hegui_audit::requests` keeps the rules; [`crate::request_actions`] takes the forms.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::comments::{self, On, Visibility};
use hegui_audit::members::{self, Role};
use hegui_audit::requests::{self, files, timing, Action, Request, State as RState};
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use hegui_core::calendar::Calendar;
use serde::Deserialize;

use crate::access::{today, with_member, Target};
use crate::locale::{texts, Texts};
use crate::session;
use crate::{render, AppState};

/// Who reads requests: everyone in the engagement (a client only its own).
pub const READERS: &[Role] = &Role::ALL;
/// Who drafts, sends, accepts, returns and cancels.
pub const TEAM: &[Role] = &[Role::Lead, Role::Auditor];
/// Who answers requests.
pub const CLIENTS: &[Role] = &[Role::Client];
/// Who reopens an accepted request.
pub const LEAD: &[Role] = &[Role::Lead];
/// Who may ask for a request's files (the request then decides: a sensitive one's go to
/// the lead, its requester and its assignees only).
pub const FILE_READERS: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer, Role::Client];
/// Who comments.
pub const COMMENTERS: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer, Role::Client];

pub(crate) fn state_key(s: RState) -> &'static str {
    match s {
        RState::Draft => "req.state.draft",
        RState::Open => "req.state.open",
        RState::InProgress => "req.state.in_progress",
        RState::Submitted => "req.state.submitted",
        RState::Returned => "req.state.returned",
        RState::Accepted => "req.state.accepted",
        RState::Cancelled => "req.state.cancelled",
    }
}

fn event_key(kind: &str) -> &'static str {
    match kind {
        "created" => "reqev.created",
        "edited" | "edited_draft" => "reqev.edited",
        "sent" => "reqev.sent",
        "started" => "reqev.started",
        "file_added" => "reqev.file_added",
        "file_removed" => "reqev.file_removed",
        "not_applicable" => "reqev.not_applicable",
        "submitted" => "reqev.submitted",
        "accepted" => "reqev.accepted",
        "returned" => "reqev.returned",
        "reopened" => "reqev.reopened",
        "cancelled" => "reqev.cancelled",
        "merged" => "reqev.merged",
        _ => "reqev.other",
    }
}

fn priority_key(p: requests::Priority) -> &'static str {
    match p {
        requests::Priority::High => "req.priority.high",
        requests::Priority::Normal => "req.priority.normal",
        requests::Priority::Low => "req.priority.low",
    }
}

/// One request as a row of the board.
pub(crate) struct RowView {
    pub code: String,
    pub title: String,
    pub assignees: String,
    pub checkpoints: String,
    pub due: String,
    pub days_left: String,
    pub overdue: bool,
    pub at_risk: bool,
}

fn row_of(r: &Request, cal: &Calendar) -> RowView {
    let t = timing::of(r, today(), cal);
    RowView {
        code: r.code.clone(),
        title: if r.title.chars().count() > 80 {
            r.title.chars().take(80).collect::<String>() + "…"
        } else {
            r.title.clone()
        },
        assignees: r.assignees.join(", "),
        checkpoints: r.checkpoints.join(", "),
        due: r.due.clone().unwrap_or_else(|| "—".into()),
        days_left: match (t.working_days_left, t.approximate) {
            (Some(n), _) => n.to_string(),
            (None, true) => "≈".into(),
            (None, false) => "—".into(),
        },
        overdue: t.overdue,
        at_risk: t.at_risk,
    }
}

/// The board's filters.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    #[serde(default)]
    assignee: Option<String>,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct BoardPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    client: bool,
    can_draft: bool,
    /// State's locale key and its rows (states with none left out).
    columns: Vec<(&'static str, bool, Vec<RowView>)>,
    /// Assignee, outstanding, overdue.
    load: Vec<(String, usize, usize)>,
    assignee: String,
    /// Client members (for a new request's assignees).
    clients: Vec<String>,
    error: Option<String>,
    note: Option<String>,
}

/// Client members of an engagement.
pub(crate) fn client_names(store: &Store, id: &str) -> Result<Vec<String>, AuditError> {
    Ok(members::list(store, id)?
        .into_iter()
        .filter(|m| m.role == Role::Client)
        .map(|m| m.user)
        .collect())
}

/// The board's data for `t` and `role`.
fn board(
    store: &Store,
    t: &Target,
    role: Role,
    assignee: Option<&str>,
) -> Result<BoardData, AuditError> {
    let cal = Calendar::builtin();
    let cached = crate::cache::requests(store, t)?;
    let all: Vec<&Request> = cached
        .iter()
        .filter(|r| r.visible_to(&t.user, role))
        .collect();
    let mut load: Vec<(String, usize, usize)> = Vec::new();
    for r in all.iter().filter(|r| r.state.awaiting_client()) {
        let late = timing::of(r, today(), cal).overdue;
        for a in &r.assignees {
            match load.iter_mut().find(|(n, _, _)| n == a) {
                Some(x) => {
                    x.1 += 1;
                    x.2 += usize::from(late);
                }
                None => load.push((a.clone(), 1, usize::from(late))),
            }
        }
    }
    load.sort();
    let shown: Vec<&Request> = all
        .iter()
        .copied()
        .filter(|r| assignee.is_none_or(|a| r.assignees.iter().any(|x| x == a)))
        .collect();
    // What needs someone first: submissions to review, returns, what the client owes.
    const ORDER: [RState; 7] = [
        RState::Submitted,
        RState::Returned,
        RState::Open,
        RState::InProgress,
        RState::Draft,
        RState::Accepted,
        RState::Cancelled,
    ];
    let columns = ORDER
        .iter()
        .map(|s| {
            let rows: Vec<RowView> = shown
                .iter()
                .filter(|r| r.state == *s)
                .map(|r| row_of(r, cal))
                .collect();
            (state_key(*s), *s == RState::Draft, rows)
        })
        .filter(|(_, _, rows)| !rows.is_empty())
        .collect();
    let clients = if TEAM.contains(&role) {
        client_names(store, &t.id)?
    } else {
        Vec::new()
    };
    Ok(BoardData {
        columns,
        load,
        clients,
    })
}

struct BoardData {
    columns: Vec<(&'static str, bool, Vec<RowView>)>,
    load: Vec<(String, usize, usize)>,
    clients: Vec<String>,
}

/// GET /e/{code}/requests
pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<BoardQuery>,
    headers: HeaderMap,
) -> Response {
    show_board(&state, &headers, code, q.assignee, None, None).await
}

/// The board, with what an action said (a refusal, or the warnings of a send).
pub(crate) async fn show_board(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    assignee: Option<String>,
    error: Option<String>,
    note: Option<String>,
) -> Response {
    let a = assignee.clone().filter(|a| !a.is_empty());
    let loaded = with_member(state, headers, &code, READERS, move |store, t, role| {
        Ok(Some((role, board(store, t, role, a.as_deref())?)))
    })
    .await;
    let (s, (role, d)) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failed = error.is_some();
    let mut r = render(&BoardPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        client: role == Role::Client,
        can_draft: TEAM.contains(&role),
        columns: d.columns,
        load: d.load,
        assignee: assignee.unwrap_or_default(),
        clients: d.clients,
        error,
        note,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// A request's page fields.
struct ReqView {
    code: String,
    title: String,
    description: String,
    checkpoints: Vec<String>,
    format: String,
    period: String,
    assignees: String,
    requested_by: String,
    due: String,
    days_left: String,
    overdue: bool,
    at_risk: bool,
    priority_key: &'static str,
    priority: &'static str,
    sensitive: bool,
    state_key: &'static str,
    na_reason: String,
    period_from: String,
    period_to: String,
}

struct FileView {
    seq: i64,
    name: String,
    size: i64,
    uploaded_by: String,
    received_at: String,
    effective: String,
    revision: i64,
    frozen: bool,
    rejected: bool,
    evidence: String,
    in_last_submission: bool,
}

struct EventView {
    at: String,
    actor: String,
    key: &'static str,
    reason: String,
}

pub(crate) struct CommentView {
    pub seq: i64,
    pub author: String,
    pub at: String,
    pub body: String,
    pub internal: bool,
    pub edited: bool,
    pub mine: bool,
}

/// What the member may do on the page.
struct Can {
    edit: bool,
    merge: bool,
    upload: bool,
    not_applicable: bool,
    submit: bool,
    accept: bool,
    return_: bool,
    reopen: bool,
    cancel: bool,
    download: bool,
    comment: bool,
    comment_internal: bool,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    r: ReqView,
    files: Vec<FileView>,
    events: Vec<EventView>,
    comments: Vec<CommentView>,
    clients: Vec<String>,
    can: Can,
    error: Option<String>,
}

pub(crate) fn comment_views(list: &[comments::Comment], me: &str) -> Vec<CommentView> {
    list.iter()
        .map(|c| CommentView {
            seq: c.seq,
            author: c.author.clone(),
            at: crate::access::local_time(&c.created_at),
            body: c.body.clone(),
            internal: c.visibility == Visibility::Internal,
            edited: c.edited_at.is_some(),
            mine: c.author == me,
        })
        .collect()
}

struct Loaded {
    role: Role,
    r: Request,
    files: Vec<files::RequestFile>,
    events: Vec<requests::Event>,
    comments: Vec<comments::Comment>,
    clients: Vec<String>,
}

fn load(store: &Store, t: &Target, role: Role, pbc: &str) -> Result<Option<Loaded>, AuditError> {
    let Some(r) = requests::get(store, &t.id, pbc, &t.user, role)? else {
        return Ok(None);
    };
    Ok(Some(Loaded {
        role,
        files: files::list(store, &t.id, &r.code)?,
        events: requests::events(store, &t.id, &r.code, role)?,
        comments: comments::on(store, &t.id, &On::Request(r.code.clone()), role)?,
        clients: if TEAM.contains(&role) {
            client_names(store, &t.id)?
        } else {
            Vec::new()
        },
        r,
    }))
}

fn page_of(
    l: Loaded,
    me: &str,
) -> (
    ReqView,
    Vec<FileView>,
    Vec<EventView>,
    Vec<CommentView>,
    Can,
    Vec<String>,
) {
    let r = &l.r;
    let tm = timing::of(r, today(), Calendar::builtin());
    let allowed = |a: Action| requests::rules::allowed(r, a, me, l.role);
    let can = Can {
        edit: allowed(Action::Edit),
        merge: allowed(Action::Merge),
        upload: allowed(Action::Upload),
        not_applicable: allowed(Action::NotApplicable),
        submit: allowed(Action::Submit),
        accept: allowed(Action::Accept),
        return_: allowed(Action::Return),
        reopen: allowed(Action::Reopen),
        cancel: allowed(Action::Cancel),
        download: r.files_open_to(me, l.role),
        comment: COMMENTERS.contains(&l.role),
        comment_internal: l.role != Role::Client && COMMENTERS.contains(&l.role),
    };
    let view = ReqView {
        code: r.code.clone(),
        title: r.title.clone(),
        description: r.description.clone(),
        checkpoints: r.checkpoints.clone(),
        format: r.format.clone(),
        period: match (&r.period_from, &r.period_to) {
            (None, None) => String::new(),
            (f, t) => format!(
                "{} – {}",
                f.as_deref().unwrap_or(""),
                t.as_deref().unwrap_or("")
            ),
        },
        assignees: r.assignees.join(", "),
        requested_by: r.requested_by.clone(),
        due: r.due.clone().unwrap_or_default(),
        days_left: tm
            .working_days_left
            .map(|n| n.to_string())
            .unwrap_or_default(),
        overdue: tm.overdue,
        at_risk: tm.at_risk,
        priority_key: priority_key(r.priority),
        priority: r.priority.as_str(),
        sensitive: r.sensitive,
        state_key: state_key(r.state),
        na_reason: r.na_reason.clone().unwrap_or_default(),
        period_from: r.period_from.clone().unwrap_or_default(),
        period_to: r.period_to.clone().unwrap_or_default(),
    };
    let files = l
        .files
        .iter()
        .map(|f| FileView {
            seq: f.seq,
            name: f.name.clone(),
            size: f.size,
            uploaded_by: f.uploaded_by.clone(),
            received_at: crate::access::local_time(&f.received_at),
            effective: f.effective_date.clone().unwrap_or_default(),
            revision: f.revision,
            frozen: f.frozen,
            rejected: f.rejected,
            evidence: f.evidence.clone().unwrap_or_default(),
            in_last_submission: f.frozen && f.revision == r.revision && !f.rejected,
        })
        .collect();
    let events = l
        .events
        .iter()
        .map(|e| EventView {
            at: crate::access::local_time(&e.at),
            actor: e.actor.clone(),
            key: event_key(&e.kind),
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    (
        view,
        files,
        events,
        comment_views(&l.comments, me),
        can,
        l.clients,
    )
}

/// GET /e/{code}/requests/{pbc}
pub async fn view(
    State(state): State<AppState>,
    Path((code, pbc)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    show(&state, &headers, code, pbc, None).await
}

/// A request's page, with the reason an action was refused.
pub(crate) async fn show(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    pbc: String,
    error: Option<String>,
) -> Response {
    let loaded = with_member(state, headers, &code, READERS, move |store, t, role| {
        load(store, t, role, &pbc)
    })
    .await;
    let (s, l) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (r, files, events, comments, can, clients) = page_of(l, &s.user.name);
    let failed = error.is_some();
    let mut resp = render(&RequestPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        r,
        files,
        events,
        comments,
        clients,
        can,
        error,
    });
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// GET /e/{code}/requests/{pbc}/files/{n}: the file as an attachment; logged.
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
        move |store, t, role| file_for(store, t, role, &pbc, n),
    )
    .await;
    match got {
        Ok((_, file)) => file_response(state.store.clone(), file),
        Err(r) => r,
    }
}

/// A request's file for a member who may have it (else `None`: a 404), its download
/// logged (pages and API): its name and where its content is (engagement id, SHA-256).
pub(crate) fn file_for(
    store: &Store,
    t: &Target,
    role: Role,
    pbc: &str,
    n: i64,
) -> Result<Option<(String, String, String)>, AuditError> {
    let Some(r) = requests::get(store, &t.id, pbc, &t.user, role)? else {
        return Ok(None);
    };
    if !r.files_open_to(&t.user, role) {
        return Ok(None);
    }
    let Some(f) = files::list(store, &t.id, &r.code)?
        .into_iter()
        .find(|f| f.seq == n)
    else {
        return Ok(None);
    };
    files::record_download(store, &t.id, &r.code, n, &t.user)?;
    Ok(Some((f.name, t.id.clone(), f.sha256)))
}

/// A file as the answer to a download, streamed from the vault.
pub(crate) fn file_response(
    store: std::sync::Arc<Store>,
    (name, id, sha): (String, String, String),
) -> Response {
    let body = crate::upload::stream(store, id, sha);
    crate::upload::attachment(&name, "application/octet-stream", body)
}

/// Requests outstanding, overdue and at risk, for the dashboard and my work.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RequestCounts {
    /// Sent and not yet answered (open, in progress, returned).
    pub outstanding: usize,
    pub overdue: usize,
    /// Three working days or fewer left.
    pub at_risk: usize,
    /// Submitted, waiting for the team to accept or return.
    pub to_review: usize,
}

/// The counts of what the member of `t` with `role` sees.
pub(crate) fn counts(store: &Store, t: &Target, role: Role) -> Result<RequestCounts, AuditError> {
    let cal = Calendar::builtin();
    let mut c = RequestCounts::default();
    let all = crate::cache::requests(store, t)?;
    for r in all.iter().filter(|r| r.visible_to(&t.user, role)) {
        if r.state == RState::Submitted {
            c.to_review += 1;
        }
        if !r.state.awaiting_client() {
            continue;
        }
        let tm = timing::of(r, today(), cal);
        c.outstanding += 1;
        c.overdue += usize::from(tm.overdue);
        c.at_risk += usize::from(tm.at_risk);
    }
    Ok(c)
}
