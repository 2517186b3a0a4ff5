//! The engagement's team: who is a member with which role until when. The lead adds
//! members (existing accounts) and changes or removes them; an invitation of anyone but a
//! lead ends with the engagement by default (its deadline after extensions, else the end
//! of the audited period). Every change is in the engagement's activity log.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use hegui_audit::members::{self, Member, Role};
use hegui_audit::store::Store;
use hegui_audit::{engagement, AuditError};
use serde::Deserialize;

use crate::access::{with_member, Target, AUDIT_SIDE};
use crate::locale::{texts, Texts};
use crate::pages::role_key;
use crate::session;
use crate::signin::see_other;
use crate::{render, AppState};

/// Who manages the team.
pub const LEADS: &[Role] = &[Role::Lead];

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    /// Member, role's locale key, until.
    members: Vec<(Member, &'static str, String)>,
    can_manage: bool,
    /// The default end of an invitation.
    ends: String,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

/// The day an invitation ends by default: the engagement's deadline after extensions, else
/// the end of the audited period.
fn engagement_end(store: &Store, id: &str) -> Result<String, AuditError> {
    let e = engagement::show(store, id)?;
    Ok(e.effective_deadline.unwrap_or(e.period_end))
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    error: Option<String>,
) -> Response {
    let loaded = with_member(state, headers, &code, AUDIT_SIDE, |store, t, role| {
        Ok(Some((
            role,
            members::list(store, &t.id)?,
            engagement_end(store, &t.id)?,
        )))
    })
    .await;
    let (s, (role, list, ends)) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failed = error.is_some();
    let mut r = render(&TeamPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        members: list
            .into_iter()
            .map(|m| {
                let until = m.expires_on.clone().unwrap_or_else(|| "—".into());
                (m.clone(), role_key(m.role), until)
            })
            .collect(),
        can_manage: LEADS.contains(&role),
        ends,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), role_key(*r)))
            .collect(),
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /e/{code}/team
pub async fn view(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    show(&state, &headers, code, None).await
}

/// The form that adds a member or changes one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
    /// YYYY-MM-DD; empty: the engagement's end (a lead's membership does not end).
    #[serde(default)]
    expires_on: String,
}

pub(crate) fn set(
    store: &Store,
    t: &Target,
    f: &MemberForm,
) -> Result<Result<(), String>, AuditError> {
    let Some(role) = Role::parse(f.role.trim()) else {
        return Ok(Err(format!(
            "role {:?}: lead, auditor, reviewer, client or viewer",
            f.role
        )));
    };
    let given = f.expires_on.trim();
    let expires = if !given.is_empty() {
        if given.parse::<jiff::civil::Date>().is_err() {
            return Ok(Err(format!("until {given:?}: YYYY-MM-DD")));
        }
        Some(given.to_string())
    } else if role == Role::Lead {
        None
    } else {
        Some(engagement_end(store, &t.id)?)
    };
    match members::set(
        store,
        &t.id,
        f.user.trim(),
        role,
        expires.as_deref(),
        &t.user,
    ) {
        Ok(_) => Ok(Ok(())),
        Err(AuditError::NotFound(_)) => Ok(Err(format!(
            "no account {:?}: an administrator makes it first",
            f.user.trim()
        ))),
        Err(e) => Err(e),
    }
}

/// POST /e/{code}/team
pub async fn add(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<MemberForm>,
) -> Response {
    let done = with_member(&state, &headers, &code, LEADS, move |store, t, _| {
        set(store, t, &f).map(Some)
    })
    .await;
    after(&state, &headers, code, done).await
}

async fn after(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    done: Result<(hegui_audit::accounts::Session, Result<(), String>), Response>,
) -> Response {
    match done {
        Err(r) => r,
        Ok((_, Ok(()))) => see_other(&format!("/e/{code}/team"), None),
        Ok((_, Err(e))) => show(state, headers, code, Some(e)).await,
    }
}

/// POST /e/{code}/team/{user}/remove
pub async fn remove(
    State(state): State<AppState>,
    Path((code, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let done = with_member(&state, &headers, &code, LEADS, move |store, t, _| {
        if user == t.user {
            return Ok(Some(Err(
                "you cannot remove yourself: another lead can".to_string()
            )));
        }
        match members::remove(store, &t.id, &user, &t.user) {
            Ok(()) => Ok(Some(Ok(()))),
            Err(AuditError::NotFound(_)) => Ok(Some(Err(format!("{user} is not a member")))),
            Err(e) => Err(e),
        }
    })
    .await;
    after(&state, &headers, code, done).await
}
