//! The processor's profile in the browser: the current version, the obligations and the
//! scope computed from it, and the upload of a new version (validated first: errors come
//! back with their line and column, and nothing is stored).

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hegui_audit::engagement;
use hegui_core::inventory::{self, Syntax};
use hegui_core::obligations::Status;

use crate::access::{today, with_member, AUDIT_SIDE, EDITORS};
use crate::locale::{texts, Lang, Texts};
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::{render, AppState};

/// The largest profile taken (as the command line's limit).
pub const PROFILE_LIMIT: usize = 8 * 1024 * 1024;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    version: i64,
    sha_short: String,
    text: String,
    scope_in: usize,
    scope_out: usize,
    scope_unknown: usize,
    /// Title, status, due, why.
    obligations: Vec<(String, &'static str, String, String)>,
    can_update: bool,
    error: Option<String>,
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Applies => "status.applies",
        Status::DoesNotApply => "status.does_not_apply",
        Status::CannotTell => "status.cannot_tell",
    }
}

fn syntax_of(text: &str) -> Syntax {
    if text.trim_start().starts_with('{') {
        Syntax::Json
    } else {
        Syntax::Yaml
    }
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    error: Option<String>,
) -> Response {
    let loaded = with_member(state, headers, &code, AUDIT_SIDE, |store, t, role| {
        let (version, sha, text) = engagement::profile(store, &t.id)?;
        let scope = engagement::scope(store, &t.id)?;
        Ok(Some((role, version, sha, text, scope)))
    })
    .await;
    let (s, (role, version, sha, text, scope)) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = session::lang(headers);
    let zh = lang == Lang::Zh;
    let t = texts(lang);
    let obligations = match inventory::load(&text, "profile", syntax_of(&text)) {
        Ok(p) => {
            hegui_core::obligations::compute(&p, today(), hegui_core::calendar::Calendar::builtin())
                .obligations
                .iter()
                .map(|o| {
                    let title = if zh { &o.title_zh } else { &o.title_en };
                    let title = match &o.subject {
                        Some(sub) => format!("{title} ({sub})"),
                        None => title.clone(),
                    };
                    (
                        title,
                        status_key(o.status),
                        o.due.clone().unwrap_or_default(),
                        o.detail.get(zh).to_string(),
                    )
                })
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let count = |d: &str| scope.iter().filter(|s| s.decision == d).count();
    let failed = error.is_some();
    let mut r = render(&ProfilePage {
        t,
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        version,
        sha_short: sha.chars().take(16).collect(),
        text,
        scope_in: count("yes"),
        scope_out: count("no"),
        scope_unknown: scope.len() - count("yes") - count("no"),
        obligations,
        can_update: EDITORS.contains(&role),
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /e/{code}/profile
pub async fn view(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    show(&state, &headers, code, None).await
}

/// POST /e/{code}/profile: a new version, validated before anything is stored.
pub async fn upload(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let allowed = with_member(&state, &headers, &code, EDITORS, |_, t, _| {
        Ok(Some(t.id.clone()))
    })
    .await;
    let (s, id) = match allowed {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut m = match Multipart::from_request(request, &state).await {
        Ok(m) => m,
        Err(e) => return show(&state, &headers, code, Some(e.body_text())).await,
    };
    let mut file = None;
    while let Ok(Some(field)) = m.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("profile.yaml").to_string();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(e) => return show(&state, &headers, code, Some(e.body_text())).await,
            }
        }
    }
    let Some((name, bytes)) = file else {
        return show(&state, &headers, code, Some("no file".into())).await;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return show(
            &state,
            &headers,
            code,
            Some(format!("{name}: not UTF-8 text")),
        )
        .await;
    };
    if let Err(e) = inventory::load(&text, &name, Syntax::from_path(&name)) {
        return show(&state, &headers, code, Some(e.to_string())).await;
    }
    let (st, actor) = (state.clone(), s.user.name.clone());
    let stored =
        blocking(move || engagement::update_profile(&st.store, &id, &text, &name, &actor)).await;
    match stored {
        Ok(_) => see_other(&format!("/e/{code}/profile"), None),
        Err(e) => show(&state, &headers, code, Some(e.to_string())).await,
    }
}
