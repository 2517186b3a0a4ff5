//! The JSON API, `/api/v1/…`: every page's data and action for scripts and other tools,
//! under the same rules as the pages. A request carries a personal access token
//! (`Authorization: Bearer hgt_…`, made with `hegui user token add`); the token reaches
//! only the engagements it names, where its owner's membership decides the role, as on the
//! pages. A read-only token cannot change anything. An engagement, checkpoint or file out
//! of reach is a 404, as on the pages. Errors are `{"error": "…"}`.
//!
//! - [`engagements`]: who I am, the dashboard's data;
//! - [`papers`]: a checkpoint with its working paper, edits and sign-offs;
//! - [`files`]: evidence and reports (list, upload or render, download — logged);
//! - [`records`]: findings and the ledger, the activity log, the profile;
//! - [`requests`]: evidence requests, comments, review notes, the inbox;
//! - [`actions`]: findings raised and moved, the team, a new profile, a report verified;
//! - [`doc`]: the OpenAPI description, `/api/v1/openapi.json`.

pub mod actions;
pub mod doc;
pub mod engagements;
pub mod files;
pub mod papers;
pub mod records;
pub mod requests;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hegui_audit::members::Role;
use hegui_audit::store::Store;
use hegui_audit::tokens::{self, Grant};
use hegui_audit::AuditError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{authorize, today, Target};
use crate::session::blocking;
use crate::AppState;

/// An error as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// What went wrong, in words.
    pub error: String,
    #[serde(skip)]
    status: StatusCode,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>) -> ApiError {
        ApiError {
            error: error.into(),
            status,
        }
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not found")
    }

    pub fn invalid(e: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e)
    }

    /// A store error: a refusal with its reason (422), or a generic 500 (the details stay
    /// in the server).
    pub fn of(e: AuditError) -> ApiError {
        match e {
            AuditError::Invalid(m) => ApiError::invalid(m),
            AuditError::Denied(m) => ApiError::new(StatusCode::FORBIDDEN, m),
            AuditError::NotFound(_) => ApiError::not_found(),
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(&self)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        r
    }
}

/// What an API handler returns.
pub type ApiResult<T> = Result<Json<T>, ApiError>;

/// The grant of the request's bearer token, or a 401.
pub async fn grant(state: &AppState, headers: &HeaderMap) -> Result<Grant, ApiError> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a valid personal access token is required: Authorization: Bearer hgt_… (hegui user token add)",
        )
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let Some(token) = presented else {
        return Err(unauthorized());
    };
    let store = state.store.clone();
    match blocking(move || tokens::authenticate(&store, &token)).await {
        Ok(Some(g)) => Ok(g),
        Ok(None) => {
            // A token was presented and refused (unknown, revoked, expired, disabled owner).
            crate::throttle::record_denial(state, "-", "api.token_refused", "/api/v1").await;
            Err(unauthorized())
        }
        Err(e) => Err(ApiError::of(e)),
    }
}

/// A JSON body, read only after the member check (so a stranger's request is a 404 whatever
/// it sends): the value, or why it is not one (a 422 to a member).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body)
        .map_err(|e| format!("the request body is not the JSON expected: {e}"))
}

/// Whether a request changes something (a read-only token may not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Does {
    Read,
    Write,
}

/// What every engagement endpoint does first: the token (else 401), its scope and its
/// owner's role in the engagement `code` (else 404), read-only tokens kept to reads
/// (else 403); then `load` on the blocking pool. `load` returning `None` is a 404.
pub async fn with_member<T: Send + 'static>(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    allowed: &'static [Role],
    does: Does,
    load: impl FnOnce(&Store, &Target, Role) -> Result<Option<T>, AuditError> + Send + 'static,
) -> Result<T, ApiError> {
    let g = grant(state, headers).await?;
    let denied = |g: &Grant| {
        let (who, target) = (g.user.name.clone(), format!("engagement {code} (API)"));
        async move { crate::throttle::record_denial(state, &who, "access.denied", &target).await }
    };
    if !g.engagements.iter().any(|c| c == code) {
        denied(&g).await;
        return Err(ApiError::not_found());
    }
    let who = g.clone();
    let (store, code, name) = (state.store.clone(), code.to_string(), g.user.name.clone());
    // A stranger learns nothing: the member check comes before the token's read-only one.
    let loaded = blocking(move || {
        let Some((t, role)) = authorize(&store, &code, &name, allowed, today())? else {
            return Ok(Outcome::Refused);
        };
        if does == Does::Write && g.read_only {
            return Ok(Outcome::ReadOnly);
        }
        Ok(load(&store, &t, role)?.map_or(Outcome::NotFound, Outcome::Done))
    })
    .await;
    match loaded {
        Ok(Outcome::Done(x)) => Ok(x),
        Ok(Outcome::NotFound) => Err(ApiError::not_found()),
        Ok(Outcome::Refused) => {
            denied(&who).await;
            Err(ApiError::not_found())
        }
        Ok(Outcome::ReadOnly) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this token is read-only",
        )),
        Err(e) => Err(ApiError::of(e)),
    }
}

enum Outcome<T> {
    Done(T),
    /// No such object in the engagement.
    NotFound,
    /// No allowed role in the engagement: a refusal, logged.
    Refused,
    ReadOnly,
}
