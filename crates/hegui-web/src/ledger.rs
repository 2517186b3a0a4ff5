//! Findings and the rectification ledger (整改台账), with the Art. 11 clock; and the
//! activity log with its verification. An auditee sees the findings that have
//! rectification items (the ones put to it), and never the log.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hegui_audit::members::Role;
use hegui_audit::{log, verify};
use hegui_core::calendar::Calendar;
use jiff::civil::Date;

use crate::access::{today, with_member, AUDIT_SIDE, EDITORS};
use crate::api::engagements::ItemState;
use crate::findings::COMMUNICATORS;
use crate::locale::{texts, Texts};
use crate::pages::severity_key;
use crate::session::{self};
use crate::{render, AppState};

/// One rectification item as the pages show it.
pub(crate) struct ItemView {
    pub finding: String,
    pub seq: i64,
    pub owner: String,
    pub measure: String,
    pub due: String,
    pub days_left: String,
    pub overdue: bool,
    pub status_key: &'static str,
    pub closed_on: Option<String>,
    pub verification: String,
}

struct FindingView {
    code: String,
    title: String,
    description: String,
    severity_key: &'static str,
    checkpoint: String,
    checkpoint_link: String,
    items: Vec<ItemView>,
    /// The comments the member may read (a client: the shared ones).
    comments: Vec<crate::requests::CommentView>,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    open_items: usize,
    done: Option<String>,
    report_due: Option<String>,
    note: Option<String>,
    findings: Vec<FindingView>,
    /// What the member may do here (WEB.md's table).
    can_raise: bool,
    can_communicate: bool,
    can_verify: bool,
    can_progress: bool,
    can_comment: bool,
    comment_internal: bool,
    error: Option<String>,
}

/// Working days from today to a due date on the official calendar (negative when past);
/// `None` for a date the calendar does not cover.
pub(crate) fn working_days_left(due: &str, today: Date) -> Option<i64> {
    due.parse::<Date>()
        .ok()
        .and_then(|d| Calendar::builtin().working_days_between(today, d).ok())
}

/// An item as the pages show it (from the API's [`ItemState`], so both agree).
pub(crate) fn item_view(i: &ItemState) -> ItemView {
    ItemView {
        finding: i.finding.clone(),
        seq: i.seq,
        owner: i.owner.clone(),
        measure: i.measure.clone(),
        due: i.due.clone(),
        days_left: i
            .working_days_left
            .map_or_else(|| "—".to_string(), |n| n.to_string()),
        overdue: i.overdue,
        status_key: if i.status == "closed" {
            "item.closed"
        } else {
            "item.open"
        },
        closed_on: i.closed_on.clone(),
        verification: i.verification.clone().unwrap_or_default(),
    }
}

/// GET /e/{code}/findings
pub async fn findings(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    show_findings(&state, &headers, code, None).await
}

/// The findings page for a member, with the reason an action was refused.
pub(crate) async fn show_findings(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    error: Option<String>,
) -> Response {
    let loaded = with_member(state, headers, &code, &Role::ALL, |store, t, role| {
        let ledger = crate::cache::ledger(store, t)?;
        let mut comments = std::collections::HashMap::new();
        for f in ledger.findings.iter() {
            let on = hegui_audit::comments::On::Finding(f.code.clone());
            comments.insert(
                f.code.clone(),
                hegui_audit::comments::on(store, &t.id, &on, role)?,
            );
        }
        Ok(Some((t.code.clone(), role, ledger, comments)))
    })
    .await;
    let (s, (code, role, ledger, comments)) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let today = today();
    let client = role == Role::Client;
    let views = ledger
        .findings
        .iter()
        // What has not been put to the auditee (no rectification item yet) stays internal.
        .filter(|f| !client || !f.items.is_empty())
        .map(|f| FindingView {
            code: f.code.clone(),
            title: f.title.clone(),
            description: f.description.clone(),
            severity_key: severity_key(&f.severity),
            checkpoint: if client {
                String::new()
            } else {
                f.checkpoint.clone()
            },
            checkpoint_link: format!("/e/{code}/c/{}", f.checkpoint),
            items: f
                .items
                .iter()
                .map(|i| item_view(&ItemState::of(&f.code, i, today)))
                .collect(),
            comments: comments
                .get(&f.code)
                .map(|c| crate::requests::comment_views(c, &s.user.name))
                .unwrap_or_default(),
        })
        .collect();
    let failed = error.is_some();
    let mut r = render(&FindingsPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        open_items: ledger.open_items,
        done: ledger.rectification_done.clone(),
        report_due: ledger.report_due.clone(),
        note: if client { None } else { ledger.note.clone() },
        findings: views,
        can_raise: EDITORS.contains(&role),
        can_communicate: COMMUNICATORS.contains(&role),
        can_verify: EDITORS.contains(&role),
        can_progress: client,
        can_comment: role != Role::Viewer,
        comment_internal: !client && role != Role::Viewer,
        error,
    });
    if failed {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    ok: bool,
    entries: i64,
    head: String,
    problems: Vec<String>,
    /// seq, at, actor, action, detail.
    rows: Vec<(i64, String, String, String, String)>,
}

/// GET /e/{code}/log: the activity log, newest first, with the verification of the whole
/// engagement (chain, rows, evidence).
pub async fn activity(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let loaded = with_member(&state, &headers, &code, AUDIT_SIDE, |store, t, _| {
        let v = verify::engagement(store, &t.id)?;
        let entries = log::entries(store, &t.id)?;
        Ok(Some((t.code.clone(), v, entries)))
    })
    .await;
    match loaded {
        Ok((s, (code, v, entries))) => render(&ActivityPage {
            t: texts(session::lang(&headers)),
            user: Some(s.user.display_name.clone()),
            mfa_relaxed: !state.mfa_required,
            code,
            ok: v.problems.is_empty(),
            entries: v.entries,
            head: v.head.chars().take(16).collect(),
            problems: v.problems.iter().map(|p| p.to_string()).collect(),
            rows: entries
                .iter()
                .rev()
                .map(|x| {
                    (
                        x.seq,
                        x.at.chars().take(19).collect(),
                        x.actor.clone(),
                        x.action.clone(),
                        x.detail.to_string(),
                    )
                })
                .collect(),
        }),
        Err(r) => r,
    }
}
