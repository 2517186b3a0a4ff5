//! Signing in: a password, then a TOTP code — enrolled at the first sign-in from a QR
//! code the server draws. The session token changes at every step. Every refusal shows
//! the same words, whatever went wrong, except a lockout.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hegui_audit::accounts::{self, Refused, Stage};
use serde::Deserialize;

use crate::locale::{texts, Texts};
use crate::session::{self, blocking, clear_cookie, set_cookie};
use crate::{render, AppState};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    error: Option<&'static str>,
    qr_svg: String,
    secret_base32: String,
}

/// The sign-in form's fields; anything else is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    name: String,
    password: String,
}

/// A TOTP code form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    code: String,
}

/// Writes a sign-in event to the instance's hash-chained log: the account named and what
/// happened — never the password or the code. A name longer than an account's is cut.
fn record(store: &hegui_audit::store::Store, name: &str, action: &str, what: &str) {
    let name: String = name.chars().take(64).collect();
    let detail = serde_json::json!({ "what": what });
    let _ = hegui_audit::instance_log::append(store, &name, action, &detail);
}

/// A redirect (303), optionally setting a cookie.
pub(crate) fn see_other(to: &str, cookie: Option<axum::http::HeaderValue>) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    if let Some(c) = cookie {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

fn signin_page(state: &AppState, headers: &HeaderMap, error: Option<&'static str>) -> Response {
    let page = SignInPage {
        t: texts(session::lang(headers)),
        user: None,
        mfa_relaxed: !state.mfa_required,
        error,
    };
    let mut r = render(&page);
    if error.is_some() {
        *r.status_mut() = StatusCode::UNAUTHORIZED;
    }
    r
}

/// GET /signin
pub async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session::signed_in(&state, &headers).await.is_some() {
        return see_other("/", None);
    }
    signin_page(&state, &headers, None)
}

/// POST /signin: the password. Then the code (or, the first time, enrolment).
pub async fn password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(c): Form<Credentials>,
) -> Response {
    let store = state.store.clone();
    let mfa_required = state.mfa_required;
    let old = session::cookie(&headers, session::COOKIE);
    let outcome = blocking(
        move || -> Result<Result<String, Refused>, hegui_audit::AuditError> {
            if let Some(old) = old {
                accounts::end_session(&store, &old)?;
            }
            let user = match accounts::check_credentials(&store, &c.name, &c.password) {
                Ok(u) => u,
                Err(r) => {
                    let why = match r {
                        Refused::Locked(_) => "locked",
                        Refused::Disabled => "disabled",
                        _ => "credentials",
                    };
                    record(&store, &c.name, "auth.refused", why);
                    return Ok(Err(r));
                }
            };
            record(&store, &user.name, "auth.password_ok", "ok");
            let token = if !mfa_required {
                accounts::start_session(&store, &user.name, Stage::Full, None)?
            } else if user.mfa {
                accounts::start_session(&store, &user.name, Stage::Password, None)?
            } else {
                let secret = accounts::new_totp_secret()?;
                accounts::start_session(&store, &user.name, Stage::Password, Some(&secret))?
            };
            Ok(Ok(token))
        },
    )
    .await;
    match outcome {
        Ok(Ok(token)) => {
            let next = if !state.mfa_required {
                "/"
            } else {
                "/signin/code"
            };
            see_other(next, Some(set_cookie(&token)))
        }
        Ok(Err(Refused::Locked(_))) => signin_page(&state, &headers, Some("signin.locked")),
        Ok(Err(_)) => signin_page(&state, &headers, Some("signin.failed")),
        Err(_) => crate::pages::error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// GET /signin/code (or enrolment, the first time).
pub async fn code_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::current(&state, &headers).await {
        Some((_, s)) if s.stage == Stage::Password && s.pending_totp.is_some() => {
            see_other("/signin/enrol", None)
        }
        Some((_, s)) if s.stage == Stage::Password => render(&CodePage {
            t: texts(session::lang(&headers)),
            user: None,
            mfa_relaxed: !state.mfa_required,
            error: None,
        }),
        Some(_) => see_other("/", None),
        None => see_other("/signin", None),
    }
}

/// POST /signin/code
pub async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(c): Form<Code>,
) -> Response {
    let Some((token, s)) = session::current(&state, &headers).await else {
        return see_other("/signin", None);
    };
    if s.stage != Stage::Password || s.pending_totp.is_some() {
        return see_other("/signin", None);
    }
    let store = state.store.clone();
    let name = s.user.name.clone();
    let outcome = blocking(move || match accounts::check_totp(&store, &name, &c.code) {
        Ok(()) => {
            record(&store, &name, "auth.signin", "totp");
            accounts::rotate_session(&store, &token, &name, Stage::Full).map(Some)
        }
        Err(_) => {
            record(&store, &name, "auth.refused", "code");
            Ok(None)
        }
    })
    .await;
    match outcome {
        Ok(Some(token)) => see_other("/", Some(set_cookie(&token))),
        Ok(None) => {
            let mut r = render(&CodePage {
                t: texts(session::lang(&headers)),
                user: None,
                mfa_relaxed: !state.mfa_required,
                error: Some("code.failed"),
            });
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            r
        }
        Err(_) => crate::pages::error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn enrol_page(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    secret: &str,
    error: Option<&'static str>,
) -> Response {
    let url = accounts::totp_url(secret, name).unwrap_or_default();
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color>()
                .min_dimensions(192, 192)
                .build()
        })
        .unwrap_or_default();
    let mut r = render(&EnrolPage {
        t: texts(session::lang(headers)),
        user: None,
        mfa_relaxed: !state.mfa_required,
        error,
        qr_svg,
        secret_base32: accounts::totp_secret_base32(secret).unwrap_or_default(),
    });
    if error.is_some() {
        *r.status_mut() = StatusCode::UNAUTHORIZED;
    }
    r
}

/// GET /signin/enrol: the QR code of a new secret.
pub async fn enrol_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session::current(&state, &headers).await {
        Some((_, s)) if s.stage == Stage::Password => match &s.pending_totp {
            Some(secret) => enrol_page(&state, &headers, &s.user.name, secret, None),
            None => see_other("/signin/code", None),
        },
        Some(_) => see_other("/", None),
        None => see_other("/signin", None),
    }
}

/// POST /signin/enrol: the first code from the new secret confirms it.
pub async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(c): Form<Code>,
) -> Response {
    let Some((token, s)) = session::current(&state, &headers).await else {
        return see_other("/signin", None);
    };
    let (Stage::Password, Some(secret)) = (s.stage, s.pending_totp.clone()) else {
        return see_other("/signin", None);
    };
    let store = state.store.clone();
    let name = s.user.name.clone();
    let sec = secret.clone();
    let outcome = blocking(
        move || match accounts::enrol_totp(&store, &name, &sec, &c.code) {
            Ok(()) => {
                record(&store, &name, "auth.signin", "totp enrolled");
                accounts::rotate_session(&store, &token, &name, Stage::Full).map(Some)
            }
            Err(_) => {
                record(&store, &name, "auth.refused", "enrolment code");
                Ok(None)
            }
        },
    )
    .await;
    match outcome {
        Ok(Some(token)) => see_other("/", Some(set_cookie(&token))),
        Ok(None) => enrol_page(&state, &headers, &s.user.name, &secret, Some("code.failed")),
        Err(_) => crate::pages::error_page(&state, &headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// POST /signout
pub async fn signout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some((token, s)) = session::current(&state, &headers).await {
        let store = state.store.clone();
        let _ = blocking(move || {
            record(&store, &s.user.name, "auth.signout", "");
            accounts::end_session(&store, &token)
        })
        .await;
    }
    see_other("/signin", Some(clear_cookie()))
}
