//! Comments, review notes and the inbox in the browser. A comment is posted on a request,
//! a working paper or a finding and the page goes back to its object; review notes live on
//! the checkpoint page (the audit team's only: a client's pages never load them); the
//! inbox lists a person's notifications in their language (`hegui_mail::render`, the words
//! the e-mails use too).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::comments::{self, On, Visibility};
use hegui_audit::members::Role;
use hegui_audit::notify;
use hegui_audit::review_notes;
use hegui_audit::store::Store;
use hegui_audit::AuditError;

use crate::access::{with_member, Target};
use crate::locale::{texts, Lang, Texts};
use crate::pages::error_page;
use crate::request_actions::{refused, Fields};
use crate::requests::COMMENTERS;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

/// Who raises, clears and reopens review notes.
pub const NOTE_RAISERS: &[Role] = &[Role::Lead, Role::Reviewer];
/// Who acts on a review note at all (the audit layer decides which step).
pub const NOTE_ACTORS: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer];

/// Where an object's page is.
fn page_of(t: &Target, on: &On) -> String {
    match on {
        On::Request(c) => format!("/e/{}/requests/{c}", t.code),
        On::Paper(c) => format!("/e/{}/c/{c}", t.code),
        On::Finding(_) => format!("/e/{}/findings", t.code),
    }
}

/// What an action came to: on to a page, or the reason it was refused (shown on the
/// engagement's error page for the member).
type Done = Result<Option<Next>, AuditError>;

/// The page to go to, or a refusal's reason with the page to go back to.
type Next = Result<String, (String, String)>;

/// A refusal (its reason, and the page to go back to), or a store failure.
fn no(e: AuditError, back: String) -> Done {
    refused::<String>(e).map(|o| o.map(|r| r.map_err(|m| (m, back))))
}

async fn then(
    state: &AppState,
    headers: &HeaderMap,
    done: Result<(hegui_audit::accounts::Session, Next), Response>,
) -> Response {
    match done {
        Err(r) => r,
        Ok((_, Ok(to))) => see_other(&to, None),
        Ok((_, Err((e, back)))) => refusal_page(state, headers, e, back),
    }
}

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    reason: String,
    back: String,
}

/// A refused action, with its reason and a way back.
fn refusal_page(state: &AppState, headers: &HeaderMap, reason: String, back: String) -> Response {
    let mut r = render(&RefusedPage {
        t: texts(session::lang(headers)),
        user: None,
        mfa_relaxed: !state.mfa_required,
        reason,
        back,
    });
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// Runs a form action as the member: `f` says which page to go back to and what the action
/// came to (the page to go on to); a refusal is shown with its reason and a link back.
async fn post_form(
    (state, headers): (AppState, HeaderMap),
    code: String,
    roles: &'static [Role],
    (body, known): (Bytes, &'static [&'static str]),
    f: impl FnOnce(&Store, &Target, &Fields) -> (String, Result<String, AuditError>) + Send + 'static,
) -> Response {
    let done = with_member(&state, &headers, &code, roles, move |store, t, _| -> Done {
        let fields = match Fields::parse(&body, known) {
            Ok(x) => x,
            Err(e) => return Ok(Some(Err((e, format!("/e/{}", t.code))))),
        };
        match f(store, t, &fields) {
            (_, Ok(to)) => Ok(Some(Ok(to))),
            (back, Err(e)) => no(e, back),
        }
    })
    .await;
    then(&state, &headers, done).await
}

/// POST /e/{code}/comments: `on` (PBC-001, F-001 or a checkpoint), `visibility`, `body`.
pub async fn comment(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let known: &[&str] = &["on", "visibility", "body"];
    post_form(
        (state, headers),
        code,
        COMMENTERS,
        (body, known),
        |store, t, f| {
            let on = match On::parse(f.one("on")) {
                Ok(o) => o,
                Err(e) => return (format!("/e/{}", t.code), Err(e)),
            };
            let back = page_of(t, &on);
            let done = match Visibility::parse(f.one("visibility")) {
                Some(vis) => comments::add(store, &t.id, &on, vis, f.one("body"), &t.user),
                None => Err(AuditError::Invalid("visibility: shared or internal".into())),
            };
            (back.clone(), done.map(|_| back))
        },
    )
    .await
}

/// POST /e/{code}/comments/{n}: the author changes their comment (`on` names the page to
/// go back to); what it said before is kept.
pub async fn edit_comment(
    State(state): State<AppState>,
    Path((code, n)): Path<(String, i64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_form(
        (state, headers),
        code,
        COMMENTERS,
        (body, &["on", "body"]),
        move |store, t, f| {
            let back = On::parse(f.one("on"))
                .map(|o| page_of(t, &o))
                .unwrap_or_else(|_| format!("/e/{}", t.code));
            let done = comments::edit(store, &t.id, n, f.one("body"), &t.user);
            (back.clone(), done.map(|_| back))
        },
    )
    .await
}

/// POST /e/{code}/c/{id}/notes: raise a review note on the paper.
pub async fn raise_note(
    State(state): State<AppState>,
    Path((code, cp)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    post_form(
        (state, headers),
        code,
        NOTE_RAISERS,
        (body, &["body"]),
        move |store, t, f| {
            let back = format!("/e/{}/c/{cp}", t.code);
            let done = review_notes::raise(store, &t.id, &cp, f.one("body"), &t.user);
            (back.clone(), done.map(|_| back))
        },
    )
    .await
}

/// POST /e/{code}/notes/{rn}: `action` answered, cleared or reopened, with `text`.
pub async fn note_step(
    State(state): State<AppState>,
    Path((code, rn)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let known: &[&str] = &["action", "text"];
    post_form(
        (state, headers),
        code,
        NOTE_ACTORS,
        (body, known),
        move |store, t, f| {
            let text = Some(f.one("text")).filter(|s| !s.is_empty());
            let done = review_notes::step(store, &t.id, &rn, f.one("action"), text, &t.user);
            let home = format!("/e/{}", t.code);
            (home, done.map(|n| page_of(t, &On::Paper(n.checkpoint))))
        },
    )
    .await
}

/// One review note as the checkpoint page shows it.
pub(crate) struct NoteView {
    pub code: String,
    pub body: String,
    pub state_key: &'static str,
    pub raised: String,
    /// Each step after raising: who, what, the text.
    pub steps: Vec<(String, &'static str, String)>,
    pub can_answer: bool,
    pub can_clear: bool,
    pub can_reopen: bool,
}

fn note_state_key(s: review_notes::NoteState) -> &'static str {
    match s {
        review_notes::NoteState::Open => "note.state.open",
        review_notes::NoteState::Addressed => "note.state.addressed",
        review_notes::NoteState::Cleared => "note.state.cleared",
    }
}

fn step_key(a: &str) -> &'static str {
    match a {
        "answered" => "note.answered",
        "cleared" => "note.cleared",
        "reopened" => "note.reopened",
        _ => "note.raised",
    }
}

/// The notes of a paper for a member of the audit team (never called for a client).
pub(crate) fn note_views(list: &[review_notes::ReviewNote], role: Role) -> Vec<NoteView> {
    use review_notes::NoteState::*;
    let raiser = NOTE_RAISERS.contains(&role);
    list.iter()
        .map(|n| NoteView {
            code: n.code.clone(),
            body: n.body.clone(),
            state_key: note_state_key(n.state),
            raised: format!(
                "{} · {}",
                n.raised_by,
                crate::access::local_time(&n.raised_at)
            ),
            steps: n
                .history
                .iter()
                .skip(1)
                .map(|s| {
                    (
                        s.actor.clone(),
                        step_key(&s.action),
                        s.text.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            can_answer: matches!(role, Role::Lead | Role::Auditor) && n.state == Open,
            can_clear: raiser && n.state != Cleared,
            can_reopen: raiser && n.state != Open,
        })
        .collect()
}

/// One inbox line.
struct Line {
    at: String,
    text: String,
    more: Vec<String>,
    link: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    lines: Vec<Line>,
    unread: usize,
}

fn link_of(n: &notify::Notification) -> String {
    if n.engagement.is_empty() {
        return "/inbox".into();
    }
    if n.subject.starts_with("PBC-") {
        return format!("/e/{}/requests/{}", n.engagement, n.subject);
    }
    match n.detail.get("checkpoint").and_then(|c| c.as_str()) {
        Some(cp) => format!("/e/{}/c/{cp}", n.engagement),
        None => format!("/e/{}", n.engagement),
    }
}

/// GET /inbox: the newest 200 notifications.
pub async fn inbox(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let list = match blocking(move || notify::inbox(&store, &name, false, 200)).await {
        Ok(l) => l,
        Err(_) => return error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    };
    let lang = session::lang(&headers);
    let ml = if lang == Lang::En {
        hegui_mail::Lang::En
    } else {
        hegui_mail::Lang::Zh
    };
    let lines: Vec<Line> = list
        .iter()
        .map(|n| {
            let (text, more) = hegui_mail::render(n, ml);
            Line {
                at: crate::access::local_time(&n.at),
                text,
                more,
                link: link_of(n),
                read: n.read,
            }
        })
        .collect();
    render(&InboxPage {
        t: texts(lang),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        unread: lines.iter().filter(|l| !l.read).count(),
        lines,
    })
}

/// POST /inbox/read: everything read.
pub async fn mark_read(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (store, name) = (state.store.clone(), s.user.name.clone());
    match blocking(move || notify::mark_read(&store, &name, None)).await {
        Ok(_) => see_other("/inbox", None),
        Err(_) => error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}
