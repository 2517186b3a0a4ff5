//! User administration for the instance's administrators: every account, a new account
//! (with a generated password shown once), disable and enable (which ends the account's
//! sessions and stops its tokens), and a second factor reset. The same actions as
//! `hegui user …`, written to the instance's hash-chained log. Anyone who is not an
//! administrator gets a 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use hegui_audit::accounts::{self, Session, User};
use hegui_audit::store::Store;
use hegui_audit::{instance_log, AuditError};
use serde::Deserialize;

use crate::locale::{texts, Texts};
use crate::pages::error_page;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    /// Each account with the day it was made.
    users: Vec<(User, String)>,
    /// The account just made and its password, shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
}

/// The signed-in administrator, or the response to send instead.
async fn admin(state: &AppState, headers: &HeaderMap) -> Result<Session, Response> {
    match session::signed_in(state, headers).await {
        None => Err(see_other("/signin", None)),
        Some(s) if s.user.admin => Ok(s),
        Some(s) => {
            let who = s.user.name;
            crate::throttle::record_denial(state, &who, "access.denied", "user administration")
                .await;
            Err(error_page(state, headers, StatusCode::NOT_FOUND))
        }
    }
}

/// What the page shows after an action.
#[derive(Default)]
struct After {
    created: Option<(String, String)>,
    error: Option<String>,
    notice: Option<String>,
}

async fn show(state: &AppState, headers: &HeaderMap, s: &Session, after: After) -> Response {
    let store = state.store.clone();
    let Ok(users) = blocking(move || accounts::list(&store)).await else {
        return error_page(state, headers, StatusCode::INTERNAL_SERVER_ERROR);
    };
    let failed = after.error.is_some();
    let mut r = render(&UsersPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        users: users
            .into_iter()
            .map(|u| {
                let day = u.created_at.chars().take(10).collect();
                (u, day)
            })
            .collect(),
        created: after.created,
        error: after.error,
        notice: after.notice,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /admin/users
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match admin(&state, &headers).await {
        Ok(s) => show(&state, &headers, &s, After::default()).await,
        Err(r) => r,
    }
}

/// The new-account form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    admin: Option<String>,
}

fn record(store: &Store, actor: &str, action: &str, account: &str) -> Result<(), AuditError> {
    instance_log::append(
        store,
        actor,
        action,
        &serde_json::json!({ "account": account }),
    )
}

/// POST /admin/users: a new account with a generated password, shown once.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<NewUser>,
) -> Response {
    let s = match admin(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let name = f.name.trim().to_string();
    let display = Some(f.display.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| name.clone());
    let is_admin = f.admin.is_some();
    let (store, actor, n) = (state.store.clone(), s.user.name.clone(), name.clone());
    let made = blocking(move || -> Result<String, AuditError> {
        let password = accounts::random_password()?;
        accounts::add(&store, &n, &display, &password, is_admin)?;
        let action = if is_admin {
            "account.added_admin"
        } else {
            "account.added"
        };
        record(&store, &actor, action, &n)?;
        Ok(password)
    })
    .await;
    let after = match made {
        Ok(password) => After {
            created: Some((name, password)),
            ..After::default()
        },
        Err(e) => After {
            error: Some(e.to_string()),
            ..After::default()
        },
    };
    show(&state, &headers, &s, after).await
}

/// An action on an account.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// disable, enable or reset_mfa.
    #[serde(default)]
    action: String,
}

/// POST /admin/users/{user}: disable, enable, or reset the second factor.
pub async fn act(
    State(state): State<AppState>,
    Path(user): Path<String>,
    headers: HeaderMap,
    Form(a): Form<Action>,
) -> Response {
    let s = match admin(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if a.action == "disable" && user == s.user.name {
        let after = After {
            error: Some("you cannot disable your own account".into()),
            ..After::default()
        };
        return show(&state, &headers, &s, after).await;
    }
    let (store, actor, u, what) = (
        state.store.clone(),
        s.user.name.clone(),
        user.clone(),
        a.action.clone(),
    );
    let done = blocking(move || -> Result<Result<(), String>, AuditError> {
        let action = match what.as_str() {
            "disable" => accounts::set_disabled(&store, &u, true).map(|_| "account.disabled"),
            "enable" => accounts::set_disabled(&store, &u, false).map(|_| "account.enabled"),
            "reset_mfa" => accounts::reset_mfa(&store, &u).map(|_| "account.mfa_reset"),
            other => {
                return Ok(Err(format!(
                    "action {other:?}: disable, enable or reset_mfa"
                )))
            }
        };
        match action {
            Ok(action) => record(&store, &actor, action, &u).map(Ok),
            Err(AuditError::NotFound(_)) => Ok(Err(format!("no account {u}"))),
            Err(e) => Err(e),
        }
    })
    .await;
    let t = texts(session::lang(&headers));
    let after = match done {
        Ok(Ok(())) => After {
            notice: Some(format!("{user}: {}", t.get("admin.done"))),
            ..After::default()
        },
        Ok(Err(e)) => After {
            error: Some(e),
            ..After::default()
        },
        Err(_) => return error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    };
    show(&state, &headers, &s, after).await
}
