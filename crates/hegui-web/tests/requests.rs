//! Evidence requests through the pages, on SQLite and PostgreSQL: the lead drafts a list from
//! the scope and sends it, the client uploads and submits, the auditor returns one and then
//! accepts it, and the file lands on the working paper — while the client never receives a
//! draft, an internal comment or a review note, and refusals come back with their reason.

mod common;

use axum::http::StatusCode;
use common::*;
use hegui_audit::accounts;
use hegui_audit::engagement;
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;

struct Team {
    code: String,
    lead: String,
    auditor: String,
    reviewer: String,
    client: String,
    other_client: String,
}

fn team(app: &App) -> Team {
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [
        ("lead", Role::Lead),
        ("auditor", Role::Auditor),
        ("reviewer", Role::Reviewer),
        ("client", Role::Client),
        ("client2", Role::Client),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    Team {
        code: e.code,
        lead: app.session("lead"),
        auditor: app.session("auditor"),
        reviewer: app.session("reviewer"),
        client: app.session("client"),
        other_client: app.session("client2"),
    }
}

fn see_other(r: &axum::http::Response<axum::body::Body>) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", location(r));
    location(r).to_string()
}

fn the_loop(app: &App) {
    let t = team(app);
    let c = &t.code;
    let base = format!("/e/{c}/requests");
    // The lead drafts the list from the scope.
    see_other(&app.post(&format!("{base}/generate"), "", Some(&t.lead)));
    let board = body(app.get(&base, Some(&t.lead)));
    assert!(board.contains("PBC-001") && board.contains("PBC-002"));
    // Nothing with nobody to answer it is sent, and nothing else with it.
    let r = app.post(
        &format!("{base}/send"),
        "pbc=PBC-001&pbc=PBC-002",
        Some(&t.lead),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("no assignee"));
    let pbc1 = format!("{base}/PBC-001");
    let edit = "title=%E9%9A%90%E7%A7%81%E6%94%BF%E7%AD%96&description=&checkpoints=G3.1&wanted_format=PDF&period_from=2025-01-01&period_to=2025-12-31&assignees=client&due=&priority=high";
    see_other(&app.post(&pbc1, edit, Some(&t.lead)));
    see_other(&app.post(
        &format!("{base}/send"),
        "pbc=PBC-001&days=10&review_days=5",
        Some(&t.lead),
    ));
    // The client sees what was sent to it, nothing else.
    let mine = body(app.get(&base, Some(&t.client)));
    assert!(
        mine.contains("PBC-001") && !mine.contains("PBC-002"),
        "{mine}"
    );
    assert_eq!(
        app.get(&format!("{base}/PBC-002"), Some(&t.client))
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&pbc1, Some(&t.other_client)).status(),
        StatusCode::NOT_FOUND
    );
    assert!(!body(app.get(&base, Some(&t.other_client))).contains("PBC-001"));
    // Comments: the internal one never reaches the client.
    let comment = |who: &str, vis: &str, text: &str| {
        app.post(
            &format!("/e/{c}/comments"),
            &format!("on=PBC-001&visibility={vis}&body={text}"),
            Some(who),
        )
    };
    see_other(&comment(&t.auditor, "internal", "INTERNAL-ONLY-7f3"));
    see_other(&comment(&t.auditor, "shared", "SHARED-9a1"));
    let r = comment(&t.client, "internal", "x");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(app.get(&pbc1, Some(&t.client)));
    assert!(page.contains("SHARED-9a1") && !page.contains("INTERNAL-ONLY-7f3"));
    assert!(body(app.get(&pbc1, Some(&t.auditor))).contains("INTERNAL-ONLY-7f3"));
    // A file that is not what it says is refused; a PDF is taken, then submitted.
    let files = format!("{pbc1}/files");
    let r = post_multipart(
        app,
        &files,
        &t.client,
        multipart("policy.pdf", b"MZ\x90\x00 not a pdf", &[]),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    see_other(&post_multipart(
        app,
        &files,
        &t.client,
        multipart(
            "policy-2024.pdf",
            b"%PDF-1.7 v2024",
            &[("effective_date", "2024-12-31")],
        ),
    ));
    see_other(&app.post(&format!("{pbc1}/submit"), "", Some(&t.client)));
    // The auditor returns it with a reason; the client reads it.
    see_other(&app.post(
        &format!("{pbc1}/return"),
        "reject=1&reason=%E7%BC%BA%E5%B0%91%E7%9B%96%E7%AB%A0",
        Some(&t.auditor),
    ));
    assert!(body(app.get(&pbc1, Some(&t.client))).contains("缺少盖章"));
    see_other(&post_multipart(
        app,
        &files,
        &t.client,
        multipart("policy-2025.pdf", b"%PDF-1.7 v2025", &[]),
    ));
    see_other(&app.post(&format!("{pbc1}/submit"), "", Some(&t.client)));
    // Only the team accepts; then the file is evidence on the paper.
    assert_eq!(
        app.post(&format!("{pbc1}/accept"), "", Some(&t.client))
            .status(),
        StatusCode::NOT_FOUND
    );
    see_other(&app.post(&format!("{pbc1}/accept"), "", Some(&t.auditor)));
    let paper = body(app.get(&format!("/e/{c}/c/G3.1"), Some(&t.auditor)));
    assert!(
        paper.contains("EV-001") && paper.contains("PBC-001"),
        "the accepted file is on the paper"
    );
    let got = bytes(app.get(&format!("{pbc1}/files/2"), Some(&t.client)));
    assert_eq!(got, b"%PDF-1.7 v2025");
    // Review notes: raised on the paper, held against the sign-off, never shown to a client.
    see_other(&app.post(
        &format!("/e/{c}/c/G3.1/notes"),
        "body=REVIEW-NOTE-5c2",
        Some(&t.reviewer),
    ));
    assert!(body(app.get(&format!("/e/{c}/c/G3.1"), Some(&t.auditor))).contains("REVIEW-NOTE-5c2"));
    assert_eq!(
        app.get(&format!("/e/{c}/c/G3.1"), Some(&t.client)).status(),
        StatusCode::NOT_FOUND
    );
    for page in [
        base.clone(),
        pbc1.clone(),
        format!("/e/{c}"),
        format!("/e/{c}/findings"),
        "/".into(),
        "/inbox".into(),
    ] {
        let b = body(app.get(&page, Some(&t.client)));
        assert!(
            !b.contains("REVIEW-NOTE-5c2") && !b.contains("INTERNAL-ONLY-7f3"),
            "{page}"
        );
    }
    // The inboxes heard of it all.
    let inbox = body(app.get("/inbox", Some(&t.client)));
    assert!(
        inbox.contains("PBC-001") && inbox.contains("已接受"),
        "{inbox}"
    );
    // The lead, who drafted it, heard of each submission.
    let inbox = body(app.get("/inbox", Some(&t.lead)));
    assert!(inbox.contains("client 已提交"), "{inbox}");
    // The dashboard counts what is outstanding.
    let dash = body(app.get(&format!("/e/{c}"), Some(&t.lead)));
    assert!(dash.contains("资料请求"), "{dash}");
    let v = hegui_audit::verify::engagement(app.store(), c).unwrap();
    assert!(v.ok(), "{:?}", v.problems);
}

#[test]
fn the_request_loop_through_the_pages_on_sqlite() {
    the_loop(&App::new(sqlite("requests-pages")));
}

#[test]
fn the_request_loop_through_the_pages_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_requests") else {
        return;
    };
    the_loop(&App::new(Store::open(&db.url).unwrap()));
}

fn call(
    app: &App,
    method: &str,
    path: &str,
    token: &str,
    json: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let payload = match json {
        Some(j) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(j.to_string())
        }
        None => Body::empty(),
    };
    let r = app.send(b.body(payload).unwrap());
    let status = r.status();
    let text = body(r);
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

#[test]
fn the_request_loop_through_the_api() {
    let app = App::new(sqlite("requests-api"));
    let t = team(&app);
    let tok = |who: &str| {
        hegui_audit::tokens::create(
            app.store(),
            who,
            "t",
            std::slice::from_ref(&t.code),
            false,
            30,
        )
        .unwrap()
        .0
    };
    let (lead, client, reviewer) = (tok("lead"), tok("client"), tok("reviewer"));
    let base = format!("/api/v1/engagements/{}", t.code);
    let (s, v) = call(
        &app,
        "POST",
        &format!("{base}/requests"),
        &lead,
        Some(
            r#"{"title":"数据出境安全评估申报材料","checkpoints":["G21.1"],"assignees":["client"],"priority":"high","sensitive":true}"#,
        ),
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    let code = v["code"].as_str().unwrap().to_string();
    let (s, v) = call(
        &app,
        "POST",
        &format!("{base}/requests/send"),
        &lead,
        Some(&format!(r#"{{"codes":["{code}"],"days":5}}"#)),
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    call(
        &app,
        "POST",
        &format!("{base}/comments"),
        &lead,
        Some(&format!(
            r#"{{"on":"{code}","visibility":"internal","body":"INTERNAL-API"}}"#
        )),
    );
    // The client uploads through the API, then submits.
    let (kind, bytes) = multipart(
        "申报书.pdf",
        b"%PDF-1.7 declaration",
        &[("effective_date", "2026-11-30")],
    );
    let r = app.send(
        axum::http::Request::post(format!("{base}/requests/{code}/files"))
            .header(axum::http::header::HOST, "127.0.0.1")
            .header(
                axum::http::header::AUTHORIZATION,
                format!("Bearer {client}"),
            )
            .header(axum::http::header::CONTENT_TYPE, kind)
            .body(axum::body::Body::from(bytes))
            .unwrap(),
    );
    assert_eq!(r.status(), StatusCode::OK);
    let (s, v) = call(
        &app,
        "POST",
        &format!("{base}/requests/{code}/actions/submit"),
        &client,
        None,
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["request"]["state"], "submitted");
    assert!(
        !v.to_string().contains("INTERNAL-API"),
        "the client's answer carries no internal comment"
    );
    // The client may not accept; the reviewer's role takes no step; a sensitive file is
    // not the reviewer's to download.
    let (s, v) = call(
        &app,
        "POST",
        &format!("{base}/requests/{code}/actions/accept"),
        &client,
        None,
    );
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = call(
        &app,
        "GET",
        &format!("{base}/requests/{code}/files/1"),
        &reviewer,
        None,
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = call(
        &app,
        "POST",
        &format!("{base}/requests/{code}/actions/accept"),
        &lead,
        None,
    );
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["files"][0]["evidence"], "EV-001");
    // Review notes are not the client's.
    let (s, _) = call(
        &app,
        "GET",
        &format!("{base}/checkpoints/G21.1/notes"),
        &client,
        None,
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = call(&app, "GET", "/api/v1/inbox", &client, None);
    assert_eq!(s, StatusCode::OK);
    let kinds: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"request.sent") && kinds.contains(&"request.accepted"),
        "{kinds:?}"
    );
    assert!(
        !v.to_string().contains("数据出境"),
        "a sensitive request's title stays out of notifications"
    );
}

#[test]
fn a_person_sets_the_address_notifications_are_mailed_to() {
    let app = App::new(sqlite("requests-email"));
    let t = team(&app);
    let r = app.post(
        "/account/email",
        "email=pipo%40client.example",
        Some(&t.client),
    );
    assert_eq!(location(&r), "/account");
    let got = accounts::email(app.store(), "client").unwrap();
    assert_eq!(got.as_deref(), Some("pipo@client.example"));
    assert!(body(app.get("/account", Some(&t.client))).contains("pipo@client.example"));
    let r = app.post("/account/email", "email=not-an-address", Some(&t.client));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post("/account/email", "email=", Some(&t.client));
    assert_eq!(location(&r), "/account");
    assert_eq!(accounts::email(app.store(), "client").unwrap(), None);
}
