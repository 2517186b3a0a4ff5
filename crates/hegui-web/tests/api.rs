//! The JSON API through the router on SQLite and PostgreSQL: personal access tokens (scope,
//! read-only, expiry, revocation, a disabled owner), a working paper edited, prepared and
//! reviewed, evidence and reports in and out, what a client sees, and the OpenAPI
//! description against the route table.

mod common;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use common::*;
use hegui_audit::findings::{self, Severity};
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;
use hegui_audit::{accounts, engagement, tokens};
use hegui_web::routes::{Access, API, ROUTES};
use serde_json::Value;

fn call(
    app: &App,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> Response<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match json {
        Some(j) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(j.to_string())
        }
        None => Body::empty(),
    };
    app.send(b.body(body).unwrap())
}

fn json(r: Response<Body>) -> (StatusCode, Value) {
    let status = r.status();
    let text = body(r);
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn token(store: &Store, user: &str, code: &str, read_only: bool) -> String {
    tokens::create(store, user, "test", &[code.to_string()], read_only, 30)
        .unwrap()
        .0
}

fn api_flow(app: &App) {
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    let other = engagement::create(store, &new_engagement("lead")).unwrap();
    let code = e.code.clone();
    for (name, role) in [
        ("lead", Role::Lead),
        ("auditor", Role::Auditor),
        ("reviewer", Role::Reviewer),
        ("client", Role::Client),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &code, name, role, None, "lead").unwrap();
    }
    members::set(store, &other.code, "auditor", Role::Auditor, None, "lead").unwrap();
    let auditor = token(store, "auditor", &code, false);
    let reviewer = token(store, "reviewer", &code, false);
    let client = token(store, "client", &code, false);
    let base = format!("/api/v1/engagements/{code}");

    // No token, a malformed one, an unknown one: 401 with the scheme named.
    for t in [
        None,
        Some("hgt_nope"),
        Some(&*format!("hgt_{}", "0".repeat(64))),
    ] {
        let r = call(app, "GET", "/api/v1/me", t, None);
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
    // A session cookie is not a token.
    let cookie = app.session("auditor");
    let r = app.get("/api/v1/me", Some(&cookie));
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let (s, me) = json(call(app, "GET", "/api/v1/me", Some(&auditor), None));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["name"], "auditor");
    let reached: Vec<&str> = me["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(reached, [code.as_str()], "only what the token names");
    for key in ["to_prepare", "to_review", "items_due"] {
        assert!(me[key].is_array(), "my work: {key}");
    }

    // The token reaches only the engagement it names, though its owner is a member of both.
    let r = call(
        app,
        "GET",
        &format!("/api/v1/engagements/{}", other.code),
        Some(&auditor),
        None,
    );
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let (s, o) = json(call(app, "GET", &base, Some(&auditor), None));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(o["engagement"]["role"], "auditor");
    assert!(o["scope"]["in_scope"].as_u64().unwrap() > 0);
    let obligations = o["obligations"].as_array().unwrap();
    assert!(!obligations.is_empty(), "the processor's obligations");
    assert!(obligations.iter().all(|x| x["status"] != "does_not_apply"));
    let (_, oc) = json(call(app, "GET", &base, Some(&client), None));
    assert_eq!(
        oc["obligations"].as_array().unwrap().len(),
        0,
        "not for the auditee"
    );
    assert!(oc["scope"].is_null() && oc["papers"].is_null());
    assert!(o["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["paper"] == "none"));

    // A working paper: edit, prepare, review by someone else.
    let cp = format!("{base}/checkpoints/G13.4");
    let (s, doc) = json(call(app, "GET", &cp, Some(&auditor), None));
    assert_eq!(s, StatusCode::OK);
    assert!(doc["text_zh"]
        .as_str()
        .unwrap()
        .contains("个人信息保护影响评估"));
    let (s, err) = json(call(
        app,
        "POST",
        &format!("{cp}/prepare"),
        Some(&auditor),
        None,
    ));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]
        .as_str()
        .unwrap()
        .contains("nothing written yet"));
    let edit =
        r#"{"procedure": "抽查评估报告", "result": "non_compliant", "observations": "未事前评估"}"#;
    let (s, paper) = json(call(app, "POST", &cp, Some(&auditor), Some(edit)));
    assert_eq!(s, StatusCode::OK, "{paper}");
    assert_eq!(paper["result"], "non_compliant");
    let (s, _) = json(call(
        app,
        "POST",
        &cp,
        Some(&auditor),
        Some(r#"{"result": "great"}"#),
    ));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an unknown result");
    let (s, _) = json(call(
        app,
        "POST",
        &cp,
        Some(&auditor),
        Some(r#"{"colour": "red"}"#),
    ));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field");
    let (s, _) = json(call(app, "POST", &cp, Some(&auditor), Some("not json")));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = json(call(
        app,
        "POST",
        &format!("{cp}/prepare"),
        Some(&auditor),
        None,
    ));
    assert_eq!(s, StatusCode::OK);
    let (_, me) = json(call(app, "GET", "/api/v1/me", Some(&reviewer), None));
    assert_eq!(
        me["to_review"][0]["checkpoint"], "G13.4",
        "waiting for my review"
    );
    let r = call(app, "POST", &format!("{cp}/review"), Some(&auditor), None);
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "an auditor does not review"
    );
    let (s, paper) = json(call(
        app,
        "POST",
        &format!("{cp}/review"),
        Some(&reviewer),
        None,
    ));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(paper["status"], "reviewed");
    assert_eq!(paper["reviewed_by"], "reviewer");

    // A read-only token reads but changes nothing.
    let ro = token(store, "auditor", &code, true);
    assert_eq!(
        call(app, "GET", &cp, Some(&ro), None).status(),
        StatusCode::OK
    );
    let (s, err) = json(call(app, "POST", &cp, Some(&ro), Some("{}")));
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(err["error"], "this token is read-only");

    // Evidence: upload, list, download (logged).
    let (kind, content) = multipart(
        "policy.pdf",
        b"%PDF-1.4 privacy policy",
        &[("source", "官网"), ("effective_date", "2025-06-30")],
    );
    let r = app.send(
        Request::post(format!("{base}/evidence"))
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, format!("Bearer {auditor}"))
            .header(header::CONTENT_TYPE, kind)
            .body(Body::from(content))
            .unwrap(),
    );
    let (s, ev) = json(r);
    assert_eq!(s, StatusCode::OK, "{ev}");
    assert_eq!(ev["code"], "EV-001");
    let (_, list) = json(call(
        app,
        "GET",
        &format!("{base}/evidence"),
        Some(&reviewer),
        None,
    ));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = call(
        app,
        "GET",
        &format!("{base}/evidence/EV-001"),
        Some(&reviewer),
        None,
    );
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(bytes(r), b"%PDF-1.4 privacy policy");
    assert_eq!(
        call(
            app,
            "GET",
            &format!("{base}/evidence/EV-001"),
            Some(&client),
            None
        )
        .status(),
        StatusCode::NOT_FOUND
    );

    // Reports: render, list, download.
    let (s, rep) = json(call(
        app,
        "POST",
        &format!("{base}/reports"),
        Some(&auditor),
        Some(r#"{"kind": "workbook"}"#),
    ));
    assert_eq!(s, StatusCode::OK, "{rep}");
    assert_eq!(rep["code"], "R-001");
    let (s, err) = json(call(
        app,
        "POST",
        &format!("{base}/reports"),
        Some(&auditor),
        Some(r#"{"kind": "memo"}"#),
    ));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]
        .as_str()
        .unwrap()
        .contains("audit, rectification or workbook"));
    let r = call(
        app,
        "GET",
        &format!("{base}/reports/R-001"),
        Some(&auditor),
        None,
    );
    assert_eq!(r.status(), StatusCode::OK);
    assert!(bytes(r).starts_with(b"PK"));

    // Findings: the client sees what was put to it, without the internal checkpoint.
    findings::add(
        store,
        &code,
        "G13.4",
        Severity::High,
        "未开展影响评估",
        "敏感信息处理前未评估",
        "auditor",
    )
    .unwrap();
    let f2 = findings::add(
        store,
        &code,
        "G3.1",
        Severity::Low,
        "规则表述不清",
        "",
        "auditor",
    )
    .unwrap();
    findings::add_item(
        store,
        &code,
        &f2,
        "法务部",
        "修订处理规则",
        jiff::civil::date(2026, 12, 30),
        "lead",
    )
    .unwrap();
    let (_, l) = json(call(
        app,
        "GET",
        &format!("{base}/findings"),
        Some(&auditor),
        None,
    ));
    assert_eq!(l["findings"].as_array().unwrap().len(), 2);
    let (s, l) = json(call(
        app,
        "GET",
        &format!("{base}/findings"),
        Some(&client),
        None,
    ));
    assert_eq!(s, StatusCode::OK);
    let seen = l["findings"].as_array().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0]["checkpoint"].is_null());
    let item = seen[0]["items"][0].as_object().unwrap();
    assert!(item.contains_key("working_days_left") && item.contains_key("overdue"));
    assert_eq!(item["due"], "2026-12-30");
    for path in ["log", "profile", "evidence", "reports", "checkpoints/G13.4"] {
        let r = call(app, "GET", &format!("{base}/{path}"), Some(&client), None);
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path} as the client");
    }
    let (s, log) = json(call(
        app,
        "GET",
        &format!("{base}/log"),
        Some(&reviewer),
        None,
    ));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(log["ok"], true, "{}", log["problems"]);
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"evidence.downloaded") && actions.contains(&"report.downloaded"));
    let (s, p) = json(call(
        app,
        "GET",
        &format!("{base}/profile"),
        Some(&reviewer),
        None,
    ));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["version"], 1);

    // Revoked, and a disabled owner: the token stops at once.
    let id = tokens::list(store, "reviewer").unwrap()[0].id.clone();
    tokens::revoke(store, "reviewer", &id).unwrap();
    assert_eq!(
        call(app, "GET", "/api/v1/me", Some(&reviewer), None).status(),
        StatusCode::UNAUTHORIZED
    );
    accounts::set_disabled(store, "auditor", true).unwrap();
    assert_eq!(
        call(app, "GET", "/api/v1/me", Some(&auditor), None).status(),
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_api_with_tokens_on_sqlite() {
    api_flow(&App::new(sqlite("api")));
}

#[test]
fn the_api_with_tokens_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_api") else {
        return;
    };
    api_flow(&App::new(Store::open(&db.url).unwrap()));
}

#[test]
fn tokens_are_scoped_bounded_and_expire() {
    let app = App::new(sqlite("tokens"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "lead").unwrap();
    let refused = |codes: &[&str], days: i64| {
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        tokens::create(store, "auditor", "x", &codes, false, days)
            .unwrap_err()
            .to_string()
    };
    assert!(refused(&[], 30).contains("one or more engagements"));
    assert!(refused(&["ENG-1999-999"], 30).contains("not a member"));
    assert!(refused(&[&e.code], 0).contains("1 to 366"));
    assert!(refused(&[&e.code], 367).contains("1 to 366"));
    let (secret, t) = tokens::create(
        store,
        "auditor",
        "ci",
        std::slice::from_ref(&e.code),
        false,
        366,
    )
    .unwrap();
    assert!(secret.starts_with("hgt_") && secret.len() == 68);
    assert_eq!(t.id.len(), 12);
    // Only the hash is kept.
    use hegui_audit::store::RowExt;
    let rows = store
        .rows("SELECT token_sha256 FROM access_tokens", &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].text(0), secret[4..], "not the secret");
    assert_eq!(rows[0].text(0).len(), 64, "its SHA-256");
    // An expired token is refused.
    store
        .write(None, |tx| {
            tx.exec(
                "UPDATE access_tokens SET expires_at = '2026-01-01T00:00:00Z'",
                &[],
            )
        })
        .unwrap();
    assert_eq!(
        call(&app, "GET", "/api/v1/me", Some(&secret), None).status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(tokens::revoke(store, "auditor", "xyz").is_err());
}

/// The description names every API route of the table with its method, and nothing else.
#[test]
fn the_openapi_description_matches_the_route_table() {
    let app = App::new(sqlite("openapi"));
    let (s, doc) = json(app.get("/api/v1/openapi.json", None));
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            described.push((method.to_uppercase(), path.clone()));
        }
    }
    described.sort();
    let mut routed: Vec<(String, String)> = ROUTES
        .iter()
        .filter(|r| r.path.starts_with(API) && r.access != Access::Public)
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    routed.sort();
    assert_eq!(described, routed);
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
}

/// The pages' other actions through the API: findings raised, communicated and closed,
/// the team changed, a new profile version, a stored report verified.
fn the_api_carries_every_action_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    let code = e.code.clone();
    for (name, role) in [
        ("lead", Role::Lead),
        ("auditor", Role::Auditor),
        ("client", Role::Client),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &code, name, role, None, "lead").unwrap();
    }
    accounts::add(store, "newcomer", "newcomer", PASSWORD, false).unwrap();
    let [lead, auditor, client] =
        ["lead", "auditor", "client"].map(|n| token(store, n, &code, false));
    let base = format!("/api/v1/engagements/{code}");

    let raise =
        r#"{"checkpoint": "G13.4", "severity": "high", "title": "未评估", "description": ""}"#;
    let (s, l) = json(call(
        &app,
        "POST",
        &format!("{base}/findings"),
        Some(&auditor),
        Some(raise),
    ));
    assert_eq!(s, StatusCode::OK, "{l}");
    assert_eq!(l["findings"][0]["code"], "F-001");
    let bad = r#"{"checkpoint": "G13.4", "severity": "grave", "title": "x"}"#;
    let (s, err) = json(call(
        &app,
        "POST",
        &format!("{base}/findings"),
        Some(&auditor),
        Some(bad),
    ));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"]
        .as_str()
        .unwrap()
        .contains("high, medium or low"));
    let item = r#"{"owner": "合规部", "measure": "补做评估", "due": "2026-12-30"}"#;
    let items = format!("{base}/findings/F-001/items");
    assert_eq!(
        call(&app, "POST", &items, Some(&auditor), Some(item)).status(),
        StatusCode::NOT_FOUND
    );
    let (s, _) = json(call(&app, "POST", &items, Some(&lead), Some(item)));
    assert_eq!(s, StatusCode::OK);
    let progress = r#"{"status": "in_progress", "verification": "", "closed_on": ""}"#;
    let (s, l) = json(call(
        &app,
        "POST",
        &format!("{items}/1"),
        Some(&client),
        Some(progress),
    ));
    assert_eq!(s, StatusCode::OK);
    assert!(
        l["findings"][0]["checkpoint"].is_null(),
        "the auditee's view"
    );
    let close = r#"{"status": "closed", "verification": "EV-001", "closed_on": "2026-12-01"}"#;
    let (s, _) = json(call(
        &app,
        "POST",
        &format!("{items}/1"),
        Some(&client),
        Some(close),
    ));
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the auditee does not close"
    );
    let (s, l) = json(call(
        &app,
        "POST",
        &format!("{items}/1"),
        Some(&auditor),
        Some(close),
    ));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["open_items"], 0);

    // The team.
    let member = r#"{"user": "newcomer", "role": "viewer", "expires_on": ""}"#;
    assert_eq!(
        call(
            &app,
            "POST",
            &format!("{base}/team"),
            Some(&auditor),
            Some(member)
        )
        .status(),
        StatusCode::NOT_FOUND
    );
    let (s, team) = json(call(
        &app,
        "POST",
        &format!("{base}/team"),
        Some(&lead),
        Some(member),
    ));
    assert_eq!(s, StatusCode::OK);
    assert!(team
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["user"] == "newcomer" && m["role"] == "viewer"));
    let (_, team) = json(call(
        &app,
        "GET",
        &format!("{base}/team"),
        Some(&auditor),
        None,
    ));
    assert_eq!(team.as_array().unwrap().len(), 4);

    // A new profile version: refused with its problem, then stored.
    let (_, p) = json(call(
        &app,
        "GET",
        &format!("{base}/profile"),
        Some(&auditor),
        None,
    ));
    let text = p["text"].as_str().unwrap().to_string();
    let r = app.send(
        Request::post(format!("{base}/profile"))
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, format!("Bearer {auditor}"))
            .header(header::CONTENT_TYPE, "application/yaml")
            .body(Body::from("organisation: [unclosed"))
            .unwrap(),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.send(
        Request::post(format!("{base}/profile"))
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, format!("Bearer {auditor}"))
            .header(header::CONTENT_TYPE, "application/yaml")
            .body(Body::from(text))
            .unwrap(),
    );
    let (s, p) = json(r);
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["version"], 2);

    // Evidence verified; a report not signed while papers wait for review.
    let (s, v) = json(call(
        &app,
        "POST",
        &format!("{base}/evidence/verify"),
        Some(&auditor),
        None,
    ));
    assert_eq!((s, v["verified"].as_u64()), (StatusCode::OK, Some(0)));

    // A stored report verified; changed behind hegui's back, the check says so.
    let (s, _) = json(call(
        &app,
        "POST",
        &format!("{base}/reports"),
        Some(&auditor),
        Some(r#"{"kind": "workbook"}"#),
    ));
    assert_eq!(s, StatusCode::OK);
    let verify = format!("{base}/reports/R-001/verify");
    let (s, v) = json(call(&app, "POST", &verify, Some(&auditor), None));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["signatures"].as_array().unwrap().len(), 0);
    let key = hegui_audit::signing::KeyFile::generate("李审计").unwrap();
    let sign = serde_json::json!({"key": key, "role": "audit_lead"}).to_string();
    let r = call(
        &app,
        "POST",
        &format!("{base}/reports/R-001/sign"),
        Some(&auditor),
        Some(&sign),
    );
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "only the lead signs");
    let (s, err) = json(call(
        &app,
        "POST",
        &format!("{base}/reports/R-001/sign"),
        Some(&lead),
        Some(&sign),
    ));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"].as_str().unwrap().contains("not reviewed"));
    store
        .write(None, |tx| tx.exec("UPDATE reports SET sha256 = 'x'", &[]))
        .unwrap();
    let (s, err) = json(call(&app, "POST", &verify, Some(&auditor), None));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err["error"].as_str().unwrap().contains("R-001"), "{err}");
}

#[test]
fn the_api_carries_every_action() {
    the_api_carries_every_action_on(App::new(sqlite("api-actions")));
}

#[test]
fn the_api_carries_every_action_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_actions") else {
        return;
    };
    the_api_carries_every_action_on(App::new(hegui_audit::store::Store::open(&db.url).unwrap()));
}
