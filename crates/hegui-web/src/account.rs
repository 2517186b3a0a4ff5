//! A person's own account: the password, changed after giving the current one again
//! (ASVS: re-authentication before a change of credentials; the change ends every session
//! of the account, this one included), and the address notifications are e-mailed to. Both
//! are written to the instance's log.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use hegui_audit::accounts::{self, Session};
use hegui_audit::{instance_log, AuditError};
use serde::Deserialize;

use crate::locale::{texts, Texts};
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    error: Option<String>,
    /// The address notifications go to ("" when none).
    email: String,
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    error: Option<String>,
) -> Response {
    let failed = error.is_some();
    // The store is read on the blocking pool, never on the server's own threads.
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let email = blocking(move || accounts::email(&store, &name))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let mut r = render(&AccountPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        error,
        email,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /account
pub async fn view(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::signed_in(&state, &headers).await {
        Some(s) => page(&state, &headers, &s, None).await,
        None => see_other("/signin", None),
    }
}

/// The form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

/// POST /account: a new password, given the current one.
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let t = texts(session::lang(&headers));
    if f.new != f.again {
        return page(&state, &headers, &s, Some(t.get("pwd.differ").into())).await;
    }
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let done = blocking(move || -> Result<Result<(), String>, AuditError> {
        // Failed attempts count towards the lockout, as at sign-in.
        if accounts::check_credentials(&store, &name, &f.current).is_err() {
            let detail = serde_json::json!({ "account": name, "why": "credentials" });
            instance_log::append(&store, &name, "account.password_refused", &detail)?;
            return Ok(Err("current".into()));
        }
        match accounts::set_password(&store, &name, &f.new) {
            Ok(()) => {}
            Err(AuditError::Invalid(m)) => return Ok(Err(m)),
            Err(e) => return Err(e),
        }
        let detail = serde_json::json!({ "account": name });
        instance_log::append(&store, &name, "account.password_changed", &detail)?;
        Ok(Ok(()))
    })
    .await;
    match done {
        // Every session ended with the change: sign in with the new password.
        Ok(Ok(())) => see_other("/signin", Some(session::clear_cookie())),
        Ok(Err(m)) if m == "current" => {
            page(&state, &headers, &s, Some(t.get("pwd.wrong").into())).await
        }
        Ok(Err(m)) => page(&state, &headers, &s, Some(m)).await,
        Err(_) => crate::pages::error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The e-mail form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// POST /account/email: the address notifications are e-mailed to (empty: none).
pub async fn set_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<EmailForm>,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let done = blocking(move || -> Result<Result<(), String>, AuditError> {
        let email = Some(f.email.trim()).filter(|e| !e.is_empty());
        match accounts::set_email(&store, &name, email) {
            Ok(()) => {}
            Err(AuditError::Invalid(m)) => return Ok(Err(m)),
            Err(e) => return Err(e),
        }
        // Which account changed its address, never the address itself.
        let detail = serde_json::json!({ "account": name });
        instance_log::append(&store, &name, "account.email_set", &detail)?;
        Ok(Ok(()))
    })
    .await;
    match done {
        Ok(Ok(())) => see_other("/account", None),
        Ok(Err(m)) => page(&state, &headers, &s, Some(m)).await,
        Err(_) => crate::pages::error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}
