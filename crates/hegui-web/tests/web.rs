//! `hegui serve` through its router: signing in (password, TOTP enrolment, codes), the
//! security baseline (CSRF, headers, lockout, expiry, disabled accounts, body limits), and
//! every route × every role × own / other engagement — on SQLite and on PostgreSQL.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use hegui_audit::accounts::{self, Stage};
use hegui_audit::engagement::{self, NewEngagement};
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;
use hegui_web::routes::{Access, ROUTES};
use hegui_web::AppState;
use http_body_util::BodyExt;
use jiff::civil::date;
use tower::ServiceExt;

const PASSWORD: &str = "审计工作底稿2026!";

fn sqlite(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("hegui-web-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap()
}

fn new_engagement(lead: &str) -> NewEngagement {
    hegui_audit::testing::engagement(lead)
}

struct App {
    state: AppState,
}

impl App {
    fn new(store: Store) -> App {
        App {
            state: AppState::new(Arc::new(store), true),
        }
    }

    fn store(&self) -> &Store {
        &self.state.store
    }

    fn send(&self, req: Request<Body>) -> Response<Body> {
        let router = hegui_web::router(self.state.clone());
        rt().block_on(router.oneshot(req)).unwrap()
    }

    fn get(&self, path: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::get(path).header(header::HOST, "127.0.0.1");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("__Host-hegui_session={c}"));
        }
        self.send(b.body(Body::empty()).unwrap())
    }

    fn post(&self, path: &str, form: &str, cookie: Option<&str>) -> Response<Body> {
        let mut b = Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, format!("__Host-hegui_session={c}"));
        }
        self.send(b.body(Body::from(form.to_string())).unwrap())
    }

    /// A signed-in session for an account (made directly: the flow has its own test).
    fn session(&self, name: &str) -> String {
        accounts::start_session(self.store(), name, Stage::Full, None).unwrap()
    }
}

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn body(r: Response<Body>) -> String {
    let bytes = rt().block_on(r.into_body().collect()).unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn cookie_of(r: &Response<Body>) -> Option<String> {
    let v = r.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    let token = v.strip_prefix("__Host-hegui_session=")?.split(';').next()?;
    (!token.is_empty()).then(|| token.to_string())
}

fn location(r: &Response<Body>) -> &str {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn now() -> u64 {
    jiff::Timestamp::now().as_second() as u64
}

fn form(password: &str) -> String {
    format!(
        "name=alice&password={}",
        password
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    )
}

fn pdf_evidence(name: &str) -> hegui_audit::vault::NewEvidence {
    hegui_audit::vault::NewEvidence {
        name: name.into(),
        content: b"%PDF-1.4 privacy policy".to_vec(),
        kind: hegui_audit::vault::EvidenceKind::File,
        collector: "auditor".into(),
        effective_date: Some("2025-06-30".into()),
        source: "官网".into(),
        description: String::new(),
        checkpoints: vec!["G3.1".into()],
    }
}

fn sign_in_flow(app: &App) {
    accounts::add(app.store(), "alice", "Alice", PASSWORD, false).unwrap();
    assert_eq!(app.get("/signin", None).status(), StatusCode::OK);
    // A wrong password: the same words as an unknown account.
    let r = app.post("/signin", &form("wrong password"), None);
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(body(r).contains("账号或密码不正确"));
    let r = app.post("/signin", "name=nobody&password=whatever123", None);
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The right one: a password-stage session, then enrolment (no second factor yet).
    let r = app.post("/signin", &form(PASSWORD), None);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let pending = cookie_of(&r).expect("a session cookie");
    let set = r.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set.contains("Secure") && set.contains("HttpOnly") && set.contains("SameSite=Lax"));
    // Not signed in yet: the pages send it back.
    assert_eq!(location(&app.get("/", Some(&pending))), "/signin");
    assert_eq!(
        location(&app.get("/signin/code", Some(&pending))),
        "/signin/enrol"
    );
    let page = body(app.get("/signin/enrol", Some(&pending)));
    assert!(page.contains("<svg"), "the QR code is drawn by the server");
    let secret = accounts::session(app.store(), &pending)
        .unwrap()
        .unwrap()
        .pending_totp
        .unwrap();
    assert!(page.contains(&accounts::totp_secret_base32(&secret).unwrap()));
    let r = app.post("/signin/enrol", "code=000000", Some(&pending));
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let code = accounts::totp_code(&secret, now()).unwrap();
    let r = app.post("/signin/enrol", &format!("code={code}"), Some(&pending));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let full = cookie_of(&r).unwrap();
    assert_ne!(full, pending, "the token changes at sign-in");
    assert!(body(app.get("/", Some(&full))).contains("我的工作"));
    assert_eq!(location(&app.get("/", Some(&pending))), "/signin");
    // Sign out ends the session.
    let r = app.post("/signout", "", Some(&full));
    assert!(r.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(location(&app.get("/", Some(&full))), "/signin");
    // The next sign-in asks for a code; a code is accepted once.
    let r = app.post("/signin", &form(PASSWORD), None);
    let pending = cookie_of(&r).unwrap();
    assert_eq!(location(&r), "/signin/code");
    let r = app.post("/signin/code", &format!("code={code}"), Some(&pending));
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the enrolment code again"
    );
    let next = accounts::totp_code(&secret, now() + 30).unwrap();
    let r = app.post("/signin/code", &format!("code={next}"), Some(&pending));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let full = cookie_of(&r).unwrap();
    assert_eq!(app.get("/", Some(&full)).status(), StatusCode::OK);
    // Every step is in the instance's hash-chained log, without a password or a code.
    let log = hegui_audit::instance_log::entries(app.store()).unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    for expected in [
        ("alice", "auth.refused"),
        ("nobody", "auth.refused"),
        ("alice", "auth.password_ok"),
        ("alice", "auth.signin"),
        ("alice", "auth.signout"),
    ] {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(PASSWORD) && !text.contains(&code) && !text.contains(&next));
    assert!(hegui_audit::instance_log::verify(app.store()).is_ok());
    app.store()
        .write(None, |tx| {
            tx.exec(
                "UPDATE instance_log SET actor = 'mallory' WHERE seq = 1",
                &[],
            )
        })
        .unwrap();
    assert!(
        hegui_audit::instance_log::verify(app.store()).is_err(),
        "a changed entry breaks the chain"
    );
}

#[test]
fn signing_in_with_a_password_and_a_totp_code_on_sqlite() {
    sign_in_flow(&App::new(sqlite("flow")));
}

#[test]
fn signing_in_with_a_password_and_a_totp_code_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_flow") else {
        return;
    };
    sign_in_flow(&App::new(Store::open(&db.url).unwrap()));
}

#[test]
fn five_failed_sign_ins_lock_the_account() {
    let app = App::new(sqlite("lock"));
    accounts::add(app.store(), "alice", "Alice", PASSWORD, false).unwrap();
    for _ in 0..accounts::LOCK_AFTER {
        app.post("/signin", &form("not the password"), None);
    }
    let r = app.post("/signin", &form(PASSWORD), None);
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(body(r).contains("锁定"), "even the right password waits");
}

#[test]
fn a_cross_site_post_is_refused() {
    let app = App::new(sqlite("csrf"));
    accounts::add(app.store(), "alice", "Alice", PASSWORD, false).unwrap();
    let r = app.send(
        Request::post("/signin")
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "cross-site")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(PASSWORD)))
            .unwrap(),
    );
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.send(
        Request::post("/signin")
            .header(header::HOST, "127.0.0.1")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(PASSWORD)))
            .unwrap(),
    );
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[test]
fn every_response_carries_the_security_headers() {
    let app = App::new(sqlite("headers"));
    for path in ["/signin", "/", "/no/such/page", "/static/hegui.css"] {
        let r = app.get(path, None);
        let h = r.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
    }
    let page = body(app.get("/signin", None));
    assert!(
        !page.contains("<script>") && !page.contains("onclick"),
        "no inline script"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "nothing is loaded from elsewhere"
    );
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let app = App::new(sqlite("limit"));
    let big = format!("name=alice&password={}", "x".repeat(hegui_web::FORM_LIMIT));
    assert_eq!(
        app.post("/signin", &big, None).status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[test]
fn disabling_an_account_ends_its_sessions_and_idle_sessions_expire() {
    let app = App::new(sqlite("disable"));
    accounts::add(app.store(), "alice", "Alice", PASSWORD, false).unwrap();
    let s = app.session("alice");
    assert_eq!(app.get("/", Some(&s)).status(), StatusCode::OK);
    accounts::set_disabled(app.store(), "alice", true).unwrap();
    assert_eq!(location(&app.get("/", Some(&s))), "/signin");
    accounts::set_disabled(app.store(), "alice", false).unwrap();
    let s = app.session("alice");
    let long_ago =
        (jiff::Timestamp::now() - accounts::IDLE - jiff::SignedDuration::from_secs(1)).to_string();
    app.store()
        .write(None, |tx| {
            tx.exec(
                "UPDATE sessions SET last_seen = $1",
                &[long_ago.clone().into()],
            )
        })
        .unwrap();
    assert_eq!(location(&app.get("/", Some(&s))), "/signin", "idle timeout");
}

/// Every route × every role × own and other engagement: allowed, or a 404.
fn matrix(app: &App) {
    let store = app.store();
    let own = engagement::create(store, &new_engagement("lead")).unwrap();
    let other = engagement::create(store, &new_engagement("lead")).unwrap();
    for role in Role::ALL {
        accounts::add(store, role.as_str(), role.as_str(), PASSWORD, false).unwrap();
        members::set(store, &own.code, role.as_str(), role, None, "lead").unwrap();
    }
    accounts::add(store, "outsider", "outsider", PASSWORD, true).unwrap();
    hegui_audit::vault::add(store, &own.code, pdf_evidence("policy.pdf")).unwrap();
    let paths_of = |path: &str, code: &str| {
        path.replace("{code}", code)
            .replace("{lang}", "en")
            .replace("{id}", "G13.4")
            .replace("{ev}", "EV-001")
    };
    for route in ROUTES {
        match route.access {
            Access::Member(allowed) if route.method == "GET" => {
                for role in Role::ALL {
                    let s = app.session(role.as_str());
                    let r = app.get(&paths_of(route.path, &own.code), Some(&s));
                    let expect = if allowed.contains(&role) {
                        StatusCode::OK
                    } else {
                        StatusCode::NOT_FOUND
                    };
                    assert_eq!(
                        r.status(),
                        expect,
                        "{} {} as {}",
                        route.method,
                        route.path,
                        role.as_str()
                    );
                    let r = app.get(&paths_of(route.path, &other.code), Some(&s));
                    assert_eq!(
                        r.status(),
                        StatusCode::NOT_FOUND,
                        "{} on another engagement as {}",
                        route.path,
                        role.as_str()
                    );
                }
                // An administrator who is no member sees nothing either.
                let s = app.session("outsider");
                let r = app.get(&paths_of(route.path, &own.code), Some(&s));
                assert_eq!(
                    r.status(),
                    StatusCode::NOT_FOUND,
                    "{} as a non-member",
                    route.path
                );
                // And nobody signed out.
                let r = app.get(&paths_of(route.path, &own.code), None);
                assert_eq!(location(&r), "/signin");
            }
            Access::Member(allowed) if route.method == "POST" => {
                let path = paths_of(route.path, &own.code);
                for role in Role::ALL {
                    let s = app.session(role.as_str());
                    let r = app.post(&path, "", Some(&s));
                    if allowed.contains(&role) {
                        assert_ne!(
                            r.status(),
                            StatusCode::NOT_FOUND,
                            "POST {path} as {}",
                            role.as_str()
                        );
                    } else {
                        assert_eq!(
                            r.status(),
                            StatusCode::NOT_FOUND,
                            "POST {path} as {}",
                            role.as_str()
                        );
                    }
                    let other_path = paths_of(route.path, &other.code);
                    assert_eq!(
                        app.post(&other_path, "", Some(&s)).status(),
                        StatusCode::NOT_FOUND
                    );
                }
            }
            Access::SignedIn if route.method == "GET" => {
                let r = app.get(route.path, None);
                assert_eq!(location(&r), "/signin", "{} signed out", route.path);
                let s = app.session("viewer");
                assert_eq!(app.get(route.path, Some(&s)).status(), StatusCode::OK);
            }
            Access::Public if route.method == "GET" => {
                let r = app.get(&paths_of(route.path, "x"), None);
                assert!(
                    r.status().is_success() || r.status().is_redirection(),
                    "{}",
                    route.path
                );
            }
            _ => {}
        }
    }
    // The auditee sees its findings, not the audit side's scope or papers.
    let s = app.session("client");
    let page = body(app.get(&format!("/e/{}", own.code), Some(&s)));
    assert!(page.contains("发现的问题") && !page.contains("审计范围"));
    let s = app.session("auditor");
    let page = body(app.get(&format!("/e/{}", own.code), Some(&s)));
    assert!(page.contains("审计范围"));
}

#[test]
fn every_route_for_every_role_on_sqlite() {
    matrix(&App::new(sqlite("matrix")));
}

#[test]
fn every_route_for_every_role_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_matrix") else {
        return;
    };
    matrix(&App::new(Store::open(&db.url).unwrap()));
}

#[test]
fn every_route_has_an_access_rule_and_a_handler() {
    let table = hegui_web::routes::table();
    for r in ROUTES {
        assert!(
            table.iter().any(|(d, _)| d.path == r.path),
            "{} has no handler",
            r.path
        );
    }
    for (d, _) in &table {
        assert!(
            ROUTES.iter().any(|r| r.path == d.path),
            "{} has no access rule",
            d.path
        );
    }
}

#[test]
fn the_locale_files_hold_the_same_keys_and_every_key_the_templates_use() {
    use hegui_web::locale::{texts, Lang};
    let zh: std::collections::BTreeSet<&str> = texts(Lang::Zh).keys().collect();
    let en: std::collections::BTreeSet<&str> = texts(Lang::En).keys().collect();
    assert_eq!(zh, en, "zh.toml and en.toml differ in their keys");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    for sub in ["templates", "src"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            sources.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    let mut used = 0;
    for text in &sources {
        for lit in text.split('"').skip(1).step_by(2) {
            let Some((group, rest)) = lit.split_once('.') else {
                continue;
            };
            let ident =
                |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if zh.iter().any(|k| k.starts_with(&format!("{group}.")))
                && ident(rest)
                && !["html", "yaml", "yml", "json", "pdf", "txt", "csv"].contains(&rest)
            {
                assert!(
                    zh.contains(lit),
                    "{lit:?} is used but missing from the locale files"
                );
                used += 1;
            }
        }
    }
    assert!(used > 30, "found only {used} keys in use");
}

/// A working paper through the browser's forms: edit, prepare, review by someone else;
/// the preparer cannot review; an edit after review drops the review.
fn paper_flow(app: &App) {
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [
        ("lead", Role::Lead),
        ("auditor", Role::Auditor),
        ("reviewer", Role::Reviewer),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let (lead, auditor, reviewer) = (
        app.session("lead"),
        app.session("auditor"),
        app.session("reviewer"),
    );
    let page = format!("/e/{}/c/G13.4", e.code);
    let view = body(app.get(&page, Some(&auditor)));
    assert!(
        view.contains("是否在事前进行个人信息保护影响评估"),
        "the Guideline's text"
    );
    assert!(
        view.contains("覆盖敏感个人信息处理的个人信息保护影响评估报告"),
        "typical evidence in Chinese"
    );
    // Preparing an empty paper is refused with the reason.
    let r = app.post(&format!("{page}/prepare"), "", Some(&auditor));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body(r).contains("nothing written yet"),
        "the reason is shown"
    );
    let r = app.post(
        &page,
        "procedure=%E6%8A%BD%E6%9F%A5%E8%AF%84%E4%BC%B0%E6%8A%A5%E5%91%8A&result=non_compliant&observations=%E6%9C%AA%E4%BA%8B%E5%89%8D%E8%AF%84%E4%BC%B0",
        Some(&auditor),
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.post(&format!("{page}/prepare"), "", Some(&auditor))
            .status(),
        StatusCode::SEE_OTHER
    );
    // Auditors do not review; the reviewer does.
    assert_eq!(
        app.post(&format!("{page}/review"), "", Some(&auditor))
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&format!("{page}/review"), "", Some(&reviewer))
            .status(),
        StatusCode::SEE_OTHER
    );
    let p = hegui_audit::workpaper::get(store, &e.code, "G13.4").unwrap();
    assert_eq!(
        (
            p.status.as_str(),
            p.prepared_by.as_deref(),
            p.reviewed_by.as_deref()
        ),
        ("reviewed", Some("auditor"), Some("reviewer"))
    );
    // Saving the form unchanged changes nothing; a change drops the review.
    let r = app.post(&page, "procedure=&result=non_compliant&observations=%E6%9C%AA%E4%BA%8B%E5%89%8D%E8%AF%84%E4%BC%B0", Some(&auditor));
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing to change"
    );
    assert_eq!(
        hegui_audit::workpaper::get(store, &e.code, "G13.4")
            .unwrap()
            .status,
        "reviewed"
    );
    app.post(
        &page,
        "procedure=%E8%A1%A5%E5%85%85%E7%A8%8B%E5%BA%8F&result=&observations=",
        Some(&auditor),
    );
    let p = hegui_audit::workpaper::get(store, &e.code, "G13.4").unwrap();
    assert_ne!(p.status, "reviewed", "an edit after review drops it");
    assert_eq!(p.reviewed_by, None);
    // The lead prepares another paper and cannot review it too.
    let other = format!("/e/{}/c/G3.1", e.code);
    app.post(&other, "procedure=p&result=compliant", Some(&lead));
    app.post(&format!("{other}/prepare"), "", Some(&lead));
    let r = app.post(&format!("{other}/review"), "", Some(&lead));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("cannot also review"));
    assert!(
        hegui_audit::verify::engagement(store, &e.code)
            .unwrap()
            .ok(),
        "every write was logged"
    );
}

#[test]
fn a_working_paper_through_the_forms_on_sqlite() {
    paper_flow(&App::new(sqlite("paper")));
}

#[test]
fn a_working_paper_through_the_forms_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_paper") else {
        return;
    };
    paper_flow(&App::new(Store::open(&db.url).unwrap()));
}

#[test]
fn a_demo_store_signs_in_without_a_second_factor_and_every_page_says_so() {
    let mut app = App::new(sqlite("demo"));
    app.state.mfa_required = false;
    accounts::add(app.store(), "alice", "Alice", PASSWORD, false).unwrap();
    for path in ["/signin", "/no/such/page"] {
        assert!(
            body(app.get(path, None)).contains("未要求双因素认证"),
            "{path}"
        );
    }
    let r = app.post("/signin", &form(PASSWORD), None);
    assert_eq!(location(&r), "/");
    let s = cookie_of(&r).unwrap();
    assert!(body(app.get("/", Some(&s))).contains("未要求双因素认证"));
}

/// A multipart body with one file and the form's fields.
fn multipart(file: &str, content: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "hegui-test-boundary-7d3a";
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .bytes(),
        );
    }
    b.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
    b.extend_from_slice(content);
    b.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

fn upload(app: &App, path: &str, cookie: &str, file: &str, content: &[u8]) -> Response<Body> {
    let (kind, body) = multipart(
        file,
        content,
        &[
            ("source", "隐私政策官网"),
            ("effective_date", "2025-06-30"),
            ("checkpoint", "G3.1"),
        ],
    );
    app.send(
        Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, kind)
            .header(header::COOKIE, format!("__Host-hegui_session={cookie}"))
            .body(Body::from(body))
            .unwrap(),
    )
}

fn evidence_flow(app: &App) {
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [
        ("auditor", Role::Auditor),
        ("reviewer", Role::Reviewer),
        ("viewer", Role::Viewer),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let (auditor, reviewer, viewer) = (
        app.session("auditor"),
        app.session("reviewer"),
        app.session("viewer"),
    );
    let path = format!("/e/{}/evidence", e.code);
    let pdf = b"%PDF-1.7\n% the processor's privacy policy\n";
    let r = upload(app, &path, &auditor, "隐私政策.pdf", pdf);
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r));
    // Typed by content: an executable, or a name that lies about the content, is refused.
    for (name, content) in [
        ("report.pdf", &b"MZ\x90\x00 not a pdf"[..]),
        ("photo.png", &b"%PDF-1.4"[..]),
        ("empty.txt", &b""[..]),
    ] {
        let r = upload(app, &path, &auditor, name, content);
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
    }
    // A viewer sees the list, cannot upload or download.
    let list = body(app.get(&path, Some(&viewer)));
    assert!(list.contains("EV-001") && list.contains("隐私政策.pdf"));
    assert!(!list.contains("type=\"file\""));
    assert_eq!(
        upload(app, &path, &viewer, "a.pdf", pdf).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{path}/EV-001"), Some(&viewer)).status(),
        StatusCode::NOT_FOUND
    );
    // The reviewer downloads it: the same bytes, as an attachment, and the log says so.
    let r = app.get(&format!("{path}/EV-001"), Some(&reviewer));
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let got = rt().block_on(r.into_body().collect()).unwrap().to_bytes();
    assert_eq!(&got[..], &pdf[..]);
    let log = hegui_audit::log::entries(store, &e.id).unwrap();
    let actions: Vec<(&str, &str)> = log
        .iter()
        .map(|x| (x.action.as_str(), x.actor.as_str()))
        .collect();
    assert!(
        actions.contains(&("evidence.downloaded", "reviewer")),
        "{actions:?}"
    );
    let r = app.post(&format!("{path}/verify"), "", Some(&reviewer));
    assert!(body(r).contains("全部证据校验通过"));
    // Over the limit: refused before it is read whole.
    let big = vec![b'a'; hegui_web::evidence::EVIDENCE_LIMIT + 1];

    assert_eq!(
        upload(app, &path, &auditor, "big.txt", &big).status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert!(hegui_audit::verify::engagement(store, &e.code)
        .unwrap()
        .ok());
}

#[test]
fn evidence_upload_download_and_verify_on_sqlite() {
    evidence_flow(&App::new(sqlite("evidence")));
}

#[test]
fn evidence_upload_download_and_verify_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_evidence") else {
        return;
    };
    evidence_flow(&App::new(Store::open(&db.url).unwrap()));
}

/// Findings and the ledger: the auditee sees what was put to it (findings with
/// rectification items), not drafts; the activity log page names a row changed behind
/// hegui's back.
#[test]
fn findings_ledger_and_the_log_in_the_browser() {
    use hegui_audit::findings::{self, Severity};
    let app = App::new(sqlite("ledger"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [("auditor", Role::Auditor), ("client", Role::Client)] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let put = findings::add(
        store,
        &e.code,
        "G13.4",
        Severity::High,
        "未事前开展影响评估",
        "",
        "auditor",
    )
    .unwrap();
    findings::add(
        store,
        &e.code,
        "G3.1",
        Severity::Low,
        "草稿：待复核的问题",
        "",
        "auditor",
    )
    .unwrap();
    findings::add_item(
        store,
        &e.code,
        &put,
        "合规部",
        "补做影响评估",
        date(2030, 12, 31),
        "auditor",
    )
    .unwrap();
    let (auditor, client) = (app.session("auditor"), app.session("client"));
    let path = format!("/e/{}/findings", e.code);
    let page = body(app.get(&path, Some(&auditor)));
    assert!(page.contains("未事前开展影响评估") && page.contains("草稿：待复核的问题"));
    assert!(page.contains("补做影响评估") && page.contains("2030-12-31"));
    let page = body(app.get(&path, Some(&client)));
    assert!(
        page.contains("未事前开展影响评估"),
        "what was put to the auditee"
    );
    assert!(
        !page.contains("草稿：待复核的问题"),
        "a draft finding stays internal"
    );
    let dash = body(app.get(&format!("/e/{}", e.code), Some(&client)));
    assert!(!dash.contains("草稿：待复核的问题"));
    // The log: intact, then a field changed outside hegui is named.
    let log = format!("/e/{}/log", e.code);
    assert_eq!(app.get(&log, Some(&client)).status(), StatusCode::NOT_FOUND);
    let page = body(app.get(&log, Some(&auditor)));
    assert!(page.contains("日志完整") && page.contains("finding.added"));
    store
        .write(None, |tx| {
            tx.exec(
                "UPDATE findings SET severity = 'low' WHERE code = 'F-001'",
                &[],
            )
        })
        .unwrap();
    let page = body(app.get(&log, Some(&auditor)));
    assert!(
        page.contains("校验失败") && page.contains("findings"),
        "{page}"
    );
}

#[test]
fn sign_in_attempts_are_limited_per_address() {
    let app = App::new(sqlite("throttle"));
    for _ in 0..hegui_web::throttle::PER_MINUTE {
        assert_ne!(
            app.post("/signin", "name=x&password=yyyyyyyy", None)
                .status(),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let r = app.post("/signin", "name=x&password=yyyyyyyy", None);
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[header::RETRY_AFTER], "60");
    assert_eq!(
        app.get("/signin", None).status(),
        StatusCode::OK,
        "pages still load"
    );
}

/// The profile page: obligations computed from it, a new version that does not validate is
/// refused with its line and nothing stored, a valid one is stored and rescoped.
#[test]
fn the_profile_page_and_a_new_version() {
    let app = App::new(sqlite("profile"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "lead").unwrap();
    let s = app.session("auditor");
    let path = format!("/e/{}/profile", e.code);
    let page = body(app.get(&path, Some(&s)));
    assert!(page.contains("被审计单位画像") && page.contains("北京信和数字科技有限公司"));
    assert!(
        page.contains("指定个人信息保护负责人"),
        "obligations from the profile"
    );
    let broken = "hegui_profile: 1\norganisation:\n  name: 甲公司\n  uscc: 12345\n";
    let r = upload(&app, &path, &s, "profile.yaml", broken.as_bytes());
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(r);
    assert!(
        page.contains("profile.yaml:4"),
        "the line of the problem: {page}"
    );
    assert_eq!(
        engagement::profile(store, &e.code).unwrap().0,
        1,
        "nothing stored"
    );
    let good = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/small-merchant.yaml"
    ))
    .unwrap();
    let r = upload(&app, &path, &s, "small-merchant.yaml", &good);
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(engagement::profile(store, &e.code).unwrap().0, 2);
    assert!(hegui_audit::verify::engagement(store, &e.code)
        .unwrap()
        .ok());
}
