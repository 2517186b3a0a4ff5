//! `hegui serve` through its router: signing in (password, TOTP enrolment, codes), the
//! security baseline (CSRF, headers, lockout, expiry, disabled accounts, body limits), and
//! every route × every role × own / other engagement — on SQLite and on PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use hegui_audit::accounts;
use hegui_audit::engagement;
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;
use hegui_audit::tokens;
use hegui_web::routes::{Access, API, ROUTES};

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

/// How a user asks: a session cookie for the pages, a bearer token for the API.
struct Asker<'a> {
    app: &'a App,
    cookie: String,
    token: Option<String>,
}

impl Asker<'_> {
    fn send(&self, method: &str, path: &str) -> axum::http::Response<Body> {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1")
            .header("sec-fetch-site", "same-origin");
        if path.starts_with(API) {
            if let Some(t) = &self.token {
                b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
        } else {
            b = b.header(
                header::COOKIE,
                format!("__Host-hegui_session={}", self.cookie),
            );
        }
        let body = if method == "POST" {
            let kind = if path.starts_with(API) {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            b = b.header(header::CONTENT_TYPE, kind);
            Body::from(if path.starts_with(API) { "{}" } else { "" })
        } else {
            Body::empty()
        };
        self.app.send(b.body(body).unwrap())
    }
}

/// Every route (pages and API) × every role × own and other engagement: allowed, or a 404.
fn matrix(app: &App) {
    let store = app.store();
    let own = engagement::create(store, &new_engagement("lead")).unwrap();
    let other = engagement::create(store, &new_engagement("lead")).unwrap();
    for role in Role::ALL {
        accounts::add(store, role.as_str(), role.as_str(), PASSWORD, false).unwrap();
        members::set(store, &own.code, role.as_str(), role, None, "lead").unwrap();
    }
    // An administrator who is no member of `own`: its token can only name `other`.
    accounts::add(store, "outsider", "outsider", PASSWORD, true).unwrap();
    members::set(store, &other.code, "outsider", Role::Lead, None, "lead").unwrap();
    hegui_audit::vault::add(store, &own.code, pdf_evidence("policy.pdf")).unwrap();
    let report = hegui_audit::reports::NewReport {
        kind: "audit".into(),
        format: "docx".into(),
        lang: "zh".into(),
        content: b"PK report".to_vec(),
        rendered_by: "lead".into(),
        unverified: false,
    };
    hegui_audit::reports::add(store, &own.code, report).unwrap();
    let f = hegui_audit::findings::add(
        store,
        &own.code,
        "G3.1",
        hegui_audit::findings::Severity::Low,
        "规则不清",
        "",
        "lead",
    )
    .unwrap();
    let due = jiff::civil::date(2026, 12, 30);
    hegui_audit::findings::add_item(store, &own.code, &f, "法务部", "修订", due, "lead").unwrap();
    let sampled = hegui_audit::workpaper::Edit {
        population: Some(hegui_audit::workpaper::Population {
            description: "授信合同".into(),
            size: 500,
        }),
        sample: Some(hegui_core::sampling::plan(95.0, 5.0, 0.0, 500, 7).unwrap()),
        ..Default::default()
    };
    hegui_audit::workpaper::edit(store, &own.code, "G13.4", sampled, "lead").unwrap();
    hegui_audit::reports::set_signatures(store, &own.code, "R-001", "{}", &[], "lead").unwrap();
    // A request sent to the client with one file of its own, and a review note.
    let n = hegui_audit::requests::NewRequest {
        title: "隐私政策历史版本".into(),
        checkpoints: vec!["G13.4".into()],
        assignees: vec!["client".into()],
        ..Default::default()
    };
    let pbc = hegui_audit::requests::flow::create(store, &own.code, n, "lead").unwrap();
    let o = hegui_audit::requests::SendOptions {
        days: 10,
        review_days: 0,
        today: jiff::civil::date(2026, 12, 1),
    };
    let cal = hegui_core::calendar::Calendar::builtin();
    let one = std::slice::from_ref(&pbc.code);
    hegui_audit::requests::flow::send(store, &own.code, one, o, cal, "lead").unwrap();
    let up = hegui_audit::requests::Upload {
        name: "policy.pdf".into(),
        content: b"%PDF-1.7 policy".to_vec().into(),
        effective_date: None,
    };
    hegui_audit::requests::files::upload(store, &own.code, &pbc.code, vec![up], "client").unwrap();
    // Submitted: its file is frozen, so the routes that act on it leave it there.
    hegui_audit::requests::flow::submit(store, &own.code, &pbc.code, "client").unwrap();
    hegui_audit::review_notes::raise(store, &own.code, "G13.4", "依据？", "reviewer").unwrap();
    let asker = |name: &str, code: &str| Asker {
        app,
        cookie: app.session(name),
        token: Some(
            tokens::create(store, name, "matrix", &[code.to_string()], false, 1)
                .unwrap()
                .0,
        ),
    };
    let askers: Vec<(Role, Asker)> = Role::ALL
        .iter()
        .map(|r| (*r, asker(r.as_str(), &own.code)))
        .collect();
    let outsider = asker("outsider", &other.code);
    let nobody = Asker {
        app,
        cookie: String::new(),
        token: None,
    };
    let paths_of = |path: &str, code: &str| {
        path.replace("{code}", code)
            .replace("{lang}", "en")
            .replace("{id}", "G13.4")
            .replace("{ev}", "EV-001")
            .replace("{r}", "R-001")
            .replace("{user}", "ghost")
            .replace("{f}", "F-001")
            .replace("{seq}", "1")
            .replace("{pbc}", "PBC-001")
            .replace("{n}", "1")
            .replace("{rn}", "RN-001")
            .replace("{action}", "submit")
    };
    for route in ROUTES {
        let (method, api) = (route.method, route.path.starts_with(API));
        let path = paths_of(route.path, &own.code);
        match route.access {
            Access::Member(allowed) => {
                for (role, who) in &askers {
                    let status = who.send(method, &path).status();
                    let what = format!("{method} {path} as {}", role.as_str());
                    if !allowed.contains(role) {
                        assert_eq!(status, StatusCode::NOT_FOUND, "{what}");
                    } else if method == "GET" {
                        assert_eq!(status, StatusCode::OK, "{what}");
                    } else {
                        assert_ne!(status, StatusCode::NOT_FOUND, "{what}");
                    }
                    let elsewhere = paths_of(route.path, &other.code);
                    let status = who.send(method, &elsewhere).status();
                    assert_eq!(status, StatusCode::NOT_FOUND, "{what}, other engagement");
                }
                // An administrator who is no member sees nothing either.
                let status = outsider.send(method, &path).status();
                assert_eq!(status, StatusCode::NOT_FOUND, "{path} as a non-member");
                // And nobody signed out, or without a token.
                let r = nobody.send(method, &path);
                if api {
                    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
                } else if method == "GET" {
                    assert_eq!(location(&r), "/signin");
                }
            }
            Access::Admin => {
                let (_, viewer) = &askers[4];
                let status = viewer.send(method, &path).status();
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{method} {path} as a non-admin"
                );
                let status = outsider.send(method, &path).status();
                assert_ne!(status, StatusCode::NOT_FOUND, "{method} {path} as an admin");
                if method == "GET" {
                    assert_eq!(status, StatusCode::OK);
                    assert_eq!(location(&nobody.send(method, &path)), "/signin");
                }
            }
            Access::Token => {
                assert_eq!(
                    nobody.send(method, &path).status(),
                    StatusCode::UNAUTHORIZED
                );
                let status = outsider.send(method, &path).status();
                assert!(status.is_success(), "{method} {path}: {status}");
            }
            Access::SignedIn if method == "GET" => {
                let r = app.get(route.path, None);
                assert_eq!(location(&r), "/signin", "{} signed out", route.path);
                let s = app.session("viewer");
                assert_eq!(app.get(route.path, Some(&s)).status(), StatusCode::OK);
            }
            Access::Public if method == "GET" => {
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
    let mut dirs = vec![dir.join("templates"), dir.join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                sources.push(std::fs::read_to_string(path).unwrap());
            }
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
