//! The session cookie and who is asking: `__Host-hegui_session` carries a 256-bit token
//! whose SHA-256 is all the store keeps (`hegui_audit::accounts`).

use axum::http::{header, HeaderMap, HeaderValue};
use hegui_audit::accounts::{self, Session, Stage};

use crate::locale::Lang;
use crate::AppState;

/// The session cookie's name: `__Host-` makes browsers refuse it unless it is `Secure`,
/// has `Path=/` and no `Domain` (browsers keep `Secure` cookies from http://127.0.0.1).
pub const COOKIE: &str = "__Host-hegui_session";
/// The interface language's cookie (a preference, not a secret).
pub const LANG_COOKIE: &str = "hegui_lang";

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for a session token.
pub fn set_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Secure; HttpOnly; SameSite=Lax; Path=/"
    ))
    .expect("a hex token is a valid header value")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-hegui_session=; Secure; HttpOnly; SameSite=Lax; Path=/; Max-Age=0",
    )
}

/// The language of the request: the cookie, else Chinese.
pub fn lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default()
}

/// Runs a store call on the blocking pool (the store's API is synchronous).
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// The live session of the request, at any stage.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Option<(String, Session)> {
    let token = cookie(headers, COOKIE)?;
    let store = state.store.clone();
    let t = token.clone();
    let s = blocking(move || accounts::session(&store, &t))
        .await
        .ok()??;
    Some((token, s))
}

/// The signed-in session of the request (second factor done).
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    current(state, headers)
        .await
        .filter(|(_, s)| s.stage == Stage::Full)
        .map(|(_, s)| s)
}
