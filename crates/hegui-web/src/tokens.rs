//! A person's own API tokens: the list (never the secrets), a new token scoped to some of
//! their engagements (the secret shown once), and revocation — as `hegui user token …`,
//! and in the instance's log.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use hegui_audit::accounts::Session;
use hegui_audit::tokens::{self, Token};
use hegui_audit::{instance_log, members, AuditError};

use crate::access::today;
use crate::locale::{texts, Texts};
use crate::pages::error_page;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    tokens: Vec<Token>,
    /// The engagements a new token may name.
    engagements: Vec<String>,
    /// A token just made, shown this once.
    secret: Option<String>,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    s: &Session,
    secret: Option<String>,
    error: Option<String>,
) -> Response {
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let loaded = blocking(move || -> Result<_, AuditError> {
        let mine = members::entries_of(&store, &name, &today().to_string())?;
        Ok((tokens::list(&store, &name)?, mine))
    })
    .await;
    let Ok((list, mine)) = loaded else {
        return error_page(state, headers, StatusCode::INTERNAL_SERVER_ERROR);
    };
    let failed = error.is_some();
    let mut r = render(&TokensPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        tokens: list,
        engagements: mine.into_iter().map(|(code, _)| code).collect(),
        secret,
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /tokens
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::signed_in(&state, &headers).await {
        Some(s) => show(&state, &headers, &s, None, None).await,
        None => see_other("/signin", None),
    }
}

/// POST /tokens: label, days, read_only (a checkbox), and one `engagement` field per
/// engagement ticked (a repeated field, so the form is read as pairs).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let mut engagements = Vec::new();
    let (mut label, mut days, mut read_only) = (String::new(), String::new(), false);
    for (k, v) in fields {
        match k.as_str() {
            "engagement" => engagements.push(v),
            "label" => label = v,
            "days" => days = v,
            "read_only" => read_only = true,
            other => {
                let e = format!("unexpected field {other:?}");
                return show(&state, &headers, &s, None, Some(e)).await;
            }
        }
    }
    let Ok(days) = days.trim().parse::<i64>() else {
        let e = format!("days {days:?}: a whole number of days");
        return show(&state, &headers, &s, None, Some(e)).await;
    };
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let made = blocking(move || -> Result<String, AuditError> {
        let (secret, _) = tokens::create(&store, &name, &label, &engagements, read_only, days)?;
        let detail = serde_json::json!({ "account": name });
        instance_log::append(&store, &name, "token.created", &detail)?;
        Ok(secret)
    })
    .await;
    match made {
        Ok(secret) => show(&state, &headers, &s, Some(secret), None).await,
        Err(e) => show(&state, &headers, &s, None, Some(e.to_string())).await,
    }
}

/// POST /tokens/{id}/revoke
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(s) = session::signed_in(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (store, name) = (state.store.clone(), s.user.name.clone());
    let done = blocking(move || -> Result<(), AuditError> {
        tokens::revoke(&store, &name, &id)?;
        let detail = serde_json::json!({ "account": name });
        instance_log::append(&store, &name, "token.revoked", &detail)
    })
    .await;
    match done {
        Ok(()) => see_other("/tokens", None),
        Err(e) => show(&state, &headers, &s, None, Some(e.to_string())).await,
    }
}
