//! Reports in the browser: render the audit report, the rectification report (PDF or
//! DOCX) or the working-paper workbook (XLSX) from a verified engagement, keep it with
//! the engagement (encrypted), download it (logged), and sign it. Signing stays with the
//! signatory's key: either a signature file made by `hegui report sign` on their own
//! machine is uploaded, or their key file is uploaded for that one action and dropped when
//! the request ends — never stored, never logged.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use hegui_audit::members::Role;
use hegui_audit::reports::{self, NewReport, Report};
use hegui_audit::signing::KeyFile;
use hegui_audit::store::Store;
use hegui_audit::AuditError;
use hegui_report::audit_report::{self, Inputs, Lang, ReportOptions};
use hegui_report::signature::{self, SignatureFile};
use serde::Deserialize;

use crate::access::{authorize, today, with_member, Target, AUDIT_SIDE};
use crate::evidence::DOWNLOADERS;
use crate::locale::{texts, Texts};
use crate::pages::error_page;
use crate::session::{self, blocking};
use crate::signin::see_other;
use crate::upload::{attachment, read_form};
use crate::{render, AppState};

/// Who renders reports (the audit team; a viewer reads them).
pub const RENDERERS: &[Role] = &[Role::Lead, Role::Auditor, Role::Reviewer];
/// Who signs the report (WEB.md: the lead, once every paper is reviewed).
pub const SIGNERS: &[Role] = &[Role::Lead];
/// The largest signature file taken (a manifest of many evidence hashes).
pub const SIGNATURE_LIMIT: usize = signature::SIG_FILE_MAX as usize + 64 * 1024;

struct Row {
    r: Report,
    /// The time rendered, to the minute (UTC).
    when: String,
    /// The size in words (KiB, MiB).
    size: String,
    sha_short: String,
    /// "name (role) at time" for each signature.
    signers: Vec<String>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    t: &'static Texts,
    user: Option<String>,
    mfa_relaxed: bool,
    code: String,
    rows: Vec<Row>,
    can_render: bool,
    can_download: bool,
    can_sign: bool,
    pdf: bool,
    error: Option<String>,
    notice: Option<String>,
}

fn role_name(r: signature::Role) -> &'static str {
    match r {
        signature::Role::Principal => "principal",
        signature::Role::AuditLead => "audit_lead",
        signature::Role::Other => "other",
    }
}

fn row(r: Report) -> Row {
    let signers = r
        .signatures
        .as_deref()
        .and_then(|s| serde_json::from_str::<SignatureFile>(s).ok())
        .map(|f| {
            f.signatures
                .iter()
                .map(|s| format!("{} ({}) {}", s.signer, role_name(s.role), s.signed_at))
                .collect()
        })
        .unwrap_or_default();
    let size = match r.size {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    };
    Row {
        when: r
            .rendered_at
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " "),
        size,
        sha_short: r.sha256.chars().take(16).collect(),
        signers,
        r,
    }
}

/// The page, with a message after an action.
async fn show(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let loaded = with_member(state, headers, &code, AUDIT_SIDE, |store, t, role| {
        Ok(Some((role, reports::list(store, &t.id)?)))
    })
    .await;
    let (s, (role, list)) = match loaded {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failed = error.is_some();
    let mut r = render(&ReportsPage {
        t: texts(session::lang(headers)),
        user: Some(s.user.display_name.clone()),
        mfa_relaxed: !state.mfa_required,
        code,
        rows: list.into_iter().map(row).collect(),
        can_render: RENDERERS.contains(&role),
        can_download: DOWNLOADERS.contains(&role),
        can_sign: SIGNERS.contains(&role),
        pdf: cfg!(feature = "pdf"),
        error,
        notice,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// GET /e/{code}/reports
pub async fn list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    show(&state, &headers, code, None, None).await
}

/// The render form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderForm {
    /// audit, rectification or workbook (missing: refused with the reason, to members).
    #[serde(default)]
    pub kind: String,
    /// pdf or docx (a workbook is always xlsx).
    #[serde(default)]
    pub format: String,
    /// zh or en (the audit report only).
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub principal: String,
    #[serde(default)]
    pub date: String,
}

/// What to render, checked.
struct Job {
    kind: &'static str,
    format: &'static str,
    opts: ReportOptions,
}

fn job(f: &RenderForm) -> Result<Job, String> {
    let kind = match f.kind.as_str() {
        "audit" => "audit",
        "rectification" => "rectification",
        "workbook" => "workbook",
        other => return Err(format!("kind {other:?}: audit, rectification or workbook")),
    };
    let format = match (kind, f.format.as_str()) {
        ("workbook", _) => "xlsx",
        (_, "pdf") => "pdf",
        (_, "docx" | "") => "docx",
        (_, other) => return Err(format!("format {other:?}: pdf or docx")),
    };
    if format == "pdf" && !cfg!(feature = "pdf") {
        return Err(
            "this hegui was built without PDF support (cargo feature `pdf`): choose DOCX".into(),
        );
    }
    let lang = match f.lang.as_str() {
        "" | "zh" => Lang::Zh,
        "en" => Lang::En,
        other => return Err(format!("language {other:?}: zh or en")),
    };
    let date = f.date.trim();
    if !date.is_empty() && date.parse::<jiff::civil::Date>().is_err() {
        return Err(format!("report date {date:?}: YYYY-MM-DD"));
    }
    let principal = f.principal.trim();
    if principal.chars().count() > 200 {
        return Err("the principal's name: at most 200 characters".into());
    }
    Ok(Job {
        kind,
        format,
        opts: ReportOptions {
            lang,
            principal: (!principal.is_empty()).then(|| principal.to_string()),
            date: (!date.is_empty()).then(|| date.to_string()),
        },
    })
}

#[cfg(feature = "pdf")]
fn pdf(doc: &hegui_report::document::Document) -> Result<Vec<u8>, String> {
    use std::sync::OnceLock;
    // Looking for fonts reads every font file on the machine: once per process.
    static FONTS: OnceLock<Result<hegui_report::pdf::Fonts, String>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        hegui_report::pdf::Fonts::discover(&hegui_report::pdf::FontOptions::default())
            .map_err(|e| e.to_string())
    });
    let fonts = fonts.as_ref().map_err(Clone::clone)?;
    hegui_report::pdf::render(doc, fonts).map_err(|e| e.to_string())
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &hegui_report::document::Document) -> Result<Vec<u8>, String> {
    Err("this hegui was built without PDF support".into())
}

/// Renders the report of `job` from the engagement `id`, which must verify.
fn build(store: &Store, id: &str, job: &Job) -> Result<Vec<u8>, String> {
    let v = hegui_audit::verify::engagement(store, id).map_err(|e| e.to_string())?;
    if !v.ok() {
        return Err(format!(
            "the engagement does not verify, so no report is rendered from it: {}",
            v.summary()
        ));
    }
    if job.kind == "workbook" {
        return hegui_report::workbook::to_bytes(store, id, None).map_err(|e| e.to_string());
    }
    let x = Inputs::load(store, id).map_err(|e| e.to_string())?;
    let doc = if job.kind == "audit" {
        audit_report::build(&x, &job.opts)
    } else {
        hegui_report::rectification::build(&x, &job.opts)
    };
    match job.format {
        "pdf" => pdf(&doc),
        _ => doc.to_docx().map_err(|e| e.to_string()),
    }
}

/// Renders the report the form asks for from engagement `t` and keeps it: the report, or
/// why it was not rendered (bad form, an engagement that does not verify).
pub(crate) fn render_and_keep(
    store: &Store,
    t: &Target,
    f: &RenderForm,
) -> Result<Result<Report, String>, AuditError> {
    let job = match job(f) {
        Ok(j) => j,
        Err(e) => return Ok(Err(e)),
    };
    let content = match build(store, &t.id, &job) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let lang = match job.opts.lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    let r = reports::add(
        store,
        &t.id,
        NewReport {
            kind: job.kind.into(),
            format: job.format.into(),
            lang: lang.into(),
            content,
            rendered_by: t.user.clone(),
            unverified: false,
        },
    )?;
    Ok(Ok(r))
}

/// POST /e/{code}/reports: render and keep a report.
pub async fn create(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<RenderForm>,
) -> Response {
    // The member is checked before the form: what a stranger sends is a 404 whatever it is.
    let done = with_member(&state, &headers, &code, RENDERERS, move |store, t, _| {
        render_and_keep(store, t, &f).map(Some)
    })
    .await;
    match done {
        Err(r) => r,
        Ok((_, Ok(r))) => see_other(&format!("/e/{code}/reports#{}", r.code), None),
        Ok((_, Err(e))) => show(&state, &headers, code, Some(e), None).await,
    }
}

/// A refusal shown on the page, to a member only (anyone else gets the page's 404).
async fn refuse(state: &AppState, headers: &HeaderMap, code: String, e: String) -> Response {
    show(state, headers, code, Some(e), None).await
}

/// GET /e/{code}/reports/{r}: the file, as an attachment; logged.
pub async fn download(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    fetch(state, code, rc, headers, false).await
}

/// GET (and POST) /e/{code}/reports/{r}/signature: the signature file, to check a report
/// with `hegui report verify` anywhere.
pub async fn signature_file(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    fetch(state, code, rc, headers, true).await
}

async fn fetch(
    state: AppState,
    code: String,
    rc: String,
    headers: HeaderMap,
    signature: bool,
) -> Response {
    let got = with_member(&state, &headers, &code, DOWNLOADERS, move |store, t, _| {
        file_of(store, t, &rc, signature)
    })
    .await;
    match got {
        Ok((_, (name, mime, content))) => attachment(&name, mime, content),
        Err(r) => r,
    }
}

/// A file to download: its name, media type and bytes.
pub(crate) type Download = (String, &'static str, Vec<u8>);

/// The report `rc` as a file to download (logged), or its signature file: name, media
/// type, bytes; `None` when there is no such report or it is unsigned.
pub(crate) fn file_of(
    store: &Store,
    t: &Target,
    rc: &str,
    signature: bool,
) -> Result<Option<Download>, AuditError> {
    let Some((r, content)) = report_of(store, &t.id, rc)? else {
        return Ok(None);
    };
    if signature {
        return Ok(r.signatures.map(|s| {
            (
                format!("{}.sig.json", r.name),
                "application/json",
                s.into_bytes(),
            )
        }));
    }
    reports::record_download(store, &t.id, rc, &t.user)?;
    let mime = match r.format.as_str() {
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    };
    Ok(Some((r.name, mime, content)))
}

/// Whether every in-scope checkpoint's paper is reviewed (WEB.md: the report is signed
/// once they are); else how many are not.
fn unreviewed(store: &Store, id: &str) -> Result<usize, AuditError> {
    let papers = hegui_audit::workpaper::list(store, id)?;
    Ok(hegui_audit::engagement::scope(store, id)?
        .iter()
        .filter(|s| s.decision != "no")
        .filter(|s| {
            !papers
                .iter()
                .any(|p| p.checkpoint == s.checkpoint && p.status == "reviewed")
        })
        .count())
}

/// Reads a signing form after the member check (a stranger's upload is a 404, not a parse
/// error).
async fn signing_form(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    request: Request,
    files: &[&str],
    texts: &[&str],
) -> Result<(String, crate::upload::Form), Response> {
    let Some(s) = session::signed_in(state, headers).await else {
        return Err(see_other("/signin", None));
    };
    let (st, c, name) = (state.clone(), code.to_string(), s.user.name.clone());
    let allowed = blocking(move || authorize(&st.store, &c, &name, SIGNERS, today())).await;
    match allowed {
        Ok(Some(_)) => {}
        Ok(None) => return Err(error_page(state, headers, StatusCode::NOT_FOUND)),
        Err(_) => {
            return Err(error_page(
                state,
                headers,
                StatusCode::INTERNAL_SERVER_ERROR,
            ))
        }
    }
    let fail = |status: StatusCode, e: String| async move {
        let mut r = show(state, headers, code.to_string(), Some(e), None).await;
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            *r.status_mut() = status;
        }
        r
    };
    let m = match Multipart::from_request(request, state).await {
        Ok(m) => m,
        Err(e) => return Err(fail(StatusCode::UNPROCESSABLE_ENTITY, e.body_text()).await),
    };
    match read_form(m, files, texts).await {
        Ok(f) => Ok((s.user.name, f)),
        Err((status, e)) => Err(fail(status, e).await),
    }
}

/// The outcome of a signing action: a notice, or the reason it was refused.
pub(crate) type Outcome = Result<String, String>;

/// Checks `file` against the stored report and the engagement, and keeps it.
fn keep_signatures(
    store: &Store,
    id: &str,
    rc: &str,
    file: &SignatureFile,
    actor: &str,
) -> Result<Outcome, AuditError> {
    let signers: Vec<(String, String)> = file
        .signatures
        .iter()
        .map(|s| (s.signer.clone(), role_name(s.role).to_string()))
        .collect();
    let text = serde_json::to_string_pretty(file).expect("serialisable");
    reports::set_signatures(store, id, rc, &text, &signers, actor)?;
    let names: Vec<String> = signers.iter().map(|(n, r)| format!("{n} ({r})")).collect();
    Ok(Ok(names.join(", ")))
}

/// A signing role by name.
pub(crate) fn role_of(s: &str) -> Result<signature::Role, String> {
    match s {
        "principal" => Ok(signature::Role::Principal),
        "audit_lead" => Ok(signature::Role::AuditLead),
        "other" => Ok(signature::Role::Other),
        other => Err(format!("role {other:?}: principal, audit_lead or other")),
    }
}

/// A key file's bytes as a signing key (ed25519 only).
pub(crate) fn key_of(bytes: &[u8]) -> Result<KeyFile, String> {
    let k: KeyFile = serde_json::from_slice(bytes)
        .map_err(|e| format!("the key file is not a hegui key file: {e}"))?;
    if k.algorithm != "ed25519" {
        return Err(format!("key algorithm {:?}: only ed25519", k.algorithm));
    }
    Ok(k)
}

/// Refuses to sign while in-scope papers are not reviewed.
fn ready_to_sign(store: &Store, id: &str) -> Result<Option<String>, AuditError> {
    let left = unreviewed(store, id)?;
    Ok((left > 0).then(|| {
        format!(
            "{left} in-scope working paper(s) are not reviewed yet: the report is signed once every one is"
        )
    }))
}

/// Signs report `rc` of engagement `id` with a key given for this one signature (pages and
/// API). The key is only borrowed: nothing of it is kept but the public key in the file.
pub(crate) fn sign_with_key(
    store: &Store,
    id: &str,
    rc: &str,
    (key, role): (&KeyFile, signature::Role),
    actor: &str,
) -> Result<Option<Outcome>, AuditError> {
    let Some((r, content)) = report_of(store, id, rc)? else {
        return Ok(None);
    };
    if let Some(why) = ready_to_sign(store, id)? {
        return Ok(Some(Err(why)));
    }
    let manifest = signature::manifest(store, id)?;
    let existing = r
        .signatures
        .as_deref()
        .map(|t| (t, format!("{rc} signatures")));
    let now = jiff::Timestamp::now().to_string();
    match signature::sign_bytes(&r.name, &content, existing, manifest, key, role, &now) {
        Ok(file) => keep_signatures(store, id, rc, &file, actor).map(Some),
        Err(e) => Ok(Some(Err(e.to_string()))),
    }
}

/// Keeps a signature file made elsewhere (`hegui report sign`) for report `rc`, once it
/// holds for the stored report and this engagement (pages and API).
pub(crate) fn keep_signature_file(
    store: &Store,
    (id, code): (&str, &str),
    rc: &str,
    bytes: Vec<u8>,
    actor: &str,
) -> Result<Option<Outcome>, AuditError> {
    let Some((r, content)) = report_of(store, id, rc)? else {
        return Ok(None);
    };
    if let Some(why) = ready_to_sign(store, id)? {
        return Ok(Some(Err(why)));
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Some(Err("the signature file is not UTF-8 text".into())));
    };
    let digest = signature::sha256_hex(&content);
    let name = std::path::Path::new(&r.name);
    let file = match signature::verify_text(&text, "the signature file", name, &digest) {
        Ok(f) => f,
        Err(e) => return Ok(Some(Err(e.to_string()))),
    };
    if file.manifest.engagement != code {
        return Ok(Some(Err(format!(
            "the signature file is for engagement {}, not {code}",
            file.manifest.engagement
        ))));
    }
    keep_signatures(store, id, rc, &file, actor).map(Some)
}

/// The report `rc` of engagement `id` with its content, if it exists.
pub(crate) fn report_of(
    store: &Store,
    id: &str,
    rc: &str,
) -> Result<Option<(Report, Vec<u8>)>, AuditError> {
    if !reports::list(store, id)?.iter().any(|r| r.code == rc) {
        return Ok(None);
    }
    reports::get(store, id, rc).map(Some)
}

/// POST /e/{code}/reports/{r}/sign: sign with a key file uploaded for this one action.
pub async fn sign(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (actor, form) =
        match signing_form(&state, &headers, &code, request, &["key"], &["role"]).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let role = match role_of(form.text("role")) {
        Ok(r) => r,
        Err(e) => return refuse(&state, &headers, code, e).await,
    };
    let key = match form.files.get("key") {
        Some((_, bytes)) => key_of(bytes),
        None => Err("choose your key file (hegui key generate makes one)".into()),
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => return refuse(&state, &headers, code, e).await,
    };
    let (st, c) = (state.clone(), code.clone());
    let done = blocking(move || -> Result<Option<Outcome>, AuditError> {
        let id = hegui_audit::engagement::resolve(&st.store, &c)?;
        sign_with_key(&st.store, &id, &rc, (&key, role), &actor)
    })
    .await;
    signed(&state, &headers, code, done).await
}

async fn signed(
    state: &AppState,
    headers: &HeaderMap,
    code: String,
    done: Result<Option<Outcome>, AuditError>,
) -> Response {
    let t = texts(session::lang(headers));
    match done {
        Ok(Some(Ok(who))) => {
            let notice = format!("{}: {who}", t.get("rp.signed"));
            show(state, headers, code, None, Some(notice)).await
        }
        Ok(Some(Err(e))) => show(state, headers, code, Some(e), None).await,
        Ok(None) => error_page(state, headers, StatusCode::NOT_FOUND),
        Err(_) => error_page(state, headers, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// POST /e/{code}/reports/{r}/signature: a signature file made with `hegui report sign` on
/// the signatory's machine, checked against the stored report before it is kept.
pub async fn upload_signature(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let (actor, form) =
        match signing_form(&state, &headers, &code, request, &["signature"], &[]).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let Some((_, bytes)) = form.files.get("signature").cloned() else {
        let e = "choose the signature file (REPORT.sig.json)".to_string();
        return refuse(&state, &headers, code, e).await;
    };
    let (st, c) = (state.clone(), code.clone());
    let done = blocking(move || -> Result<Option<Outcome>, AuditError> {
        let id = hegui_audit::engagement::resolve(&st.store, &c)?;
        keep_signature_file(&st.store, (&id, &c), &rc, bytes, &actor)
    })
    .await;
    signed(&state, &headers, code, done).await
}

/// POST /e/{code}/reports/{r}/verify: decrypt the report, check its hash, and check its
/// signatures against it.
pub async fn verify(
    State(state): State<AppState>,
    Path((code, rc)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let checked = with_member(&state, &headers, &code, DOWNLOADERS, move |store, t, _| {
        let Some((r, content)) = report_of(store, &t.id, &rc)? else {
            return Ok(None);
        };
        let Some(sig) = r.signatures else {
            return Ok(Some(Ok((rc, r.sha256, None))));
        };
        let digest = signature::sha256_hex(&content);
        Ok(Some(
            signature::verify_text(&sig, "signatures", std::path::Path::new(&r.name), &digest)
                .map(|f| (rc, r.sha256, Some(f.signatures.len())))
                .map_err(|e| e.to_string()),
        ))
    })
    .await;
    let t = texts(session::lang(&headers));
    match checked {
        Err(r) => r,
        Ok((_, Ok((rc, sha, n)))) => {
            let sigs = match n {
                Some(n) => format!("{} ({n})", t.get("rp.signatures_ok")),
                None => t.get("rp.unsigned").to_string(),
            };
            let notice = format!("{rc}: {} (SHA-256 {sha}); {sigs}", t.get("rp.intact"));
            show(&state, &headers, code, None, Some(notice)).await
        }
        Ok((_, Err(e))) => show(&state, &headers, code, Some(e), None).await,
    }
}
