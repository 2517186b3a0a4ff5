//! Findings through the forms, as WEB.md's table has it: an auditor raises one (the
//! auditee does not see it), the lead communicates it with a rectification item, the
//! auditee reports progress but cannot close, an auditor verifies and closes it — and for
//! an ordered audit the Art. 11 report falls due 15 working days later.

mod common;

use axum::http::StatusCode;
use common::*;
use hegui_audit::members::{self, Role};
use hegui_audit::{accounts, engagement, findings};

fn a_finding_from_raised_to_closed_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [
        ("lead", Role::Lead),
        ("auditor", Role::Auditor),
        ("client", Role::Client),
        ("viewer", Role::Viewer),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let [lead, auditor, client, viewer] =
        ["lead", "auditor", "client", "viewer"].map(|n| app.session(n));
    let page = format!("/e/{}/findings", e.code);

    // Raised by an auditor; refused without a title, with a bad severity or checkpoint.
    let form = "checkpoint=G13.4&severity=high&title=%E6%9C%AA%E8%AF%84%E4%BC%B0&description=";
    let r = app.post(&page, form, Some(&auditor));
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r));
    for bad in [
        "checkpoint=G13.4&severity=high&title=",
        "checkpoint=G13.4&severity=grave&title=x",
        "checkpoint=G99.9&severity=low&title=x",
    ] {
        let r = app.post(&page, bad, Some(&auditor));
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(
        app.post(&page, form, Some(&viewer)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&page, form, Some(&client)).status(),
        StatusCode::NOT_FOUND
    );
    assert!(!body(app.get(&page, Some(&client))).contains("F-001"));

    // Communicated by the lead (an auditor may not); then the auditee sees it.
    let item = "owner=%E5%90%88%E8%A7%84%E9%83%A8&measure=%E8%A1%A5%E5%81%9A%E8%AF%84%E4%BC%B0&due=2026-12-30";
    let items = format!("{page}/F-001/items");
    assert_eq!(
        app.post(&items, item, Some(&auditor)).status(),
        StatusCode::NOT_FOUND
    );
    let r = app.post(&items, "owner=x&measure=y&due=31/12", Some(&lead));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(&items, item, Some(&lead)).status(),
        StatusCode::SEE_OTHER
    );
    let seen = body(app.get(&page, Some(&client)));
    assert!(seen.contains("F-001") && seen.contains("补做评估"));
    assert!(!seen.contains("G13.4"), "the auditee sees no checkpoint");

    // The auditee reports progress but cannot close; an auditor closes with evidence.
    let one = format!("{items}/1");
    let r = app.post(
        &one,
        "status=in_progress&verification=&closed_on=",
        Some(&client),
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.post(
        &one,
        "status=closed&verification=x&closed_on=2026-12-01",
        Some(&client),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(
        &one,
        "status=closed&verification=&closed_on=",
        Some(&auditor),
    );
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "evidence needed"
    );
    assert_eq!(
        app.post(&format!("{items}/9"), "status=in_progress", Some(&client))
            .status(),
        StatusCode::NOT_FOUND
    );
    let r = app.post(
        &one,
        "status=closed&verification=EV-001&closed_on=2026-12-01",
        Some(&auditor),
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ledger = findings::ledger(store, &e.code).unwrap();
    assert_eq!(ledger.open_items, 0);
    assert_eq!(ledger.rectification_done.as_deref(), Some("2026-12-01"));
    assert!(hegui_audit::verify::engagement(store, &e.code)
        .unwrap()
        .ok());
}

/// Pages reuse what they read while the engagement's log stays; a change made elsewhere
/// (the command line, another server on the same store) shows on the next view.
fn a_change_made_elsewhere_shows_on_the_next_view_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "lead").unwrap();
    let s = app.session("auditor");
    let (page, dash) = (format!("/e/{}/findings", e.code), format!("/e/{}", e.code));
    assert!(!body(app.get(&page, Some(&s))).contains("F-001"));
    let before = body(app.get(&dash, Some(&s)));
    // As `hegui finding add` would, on the same store but not through the server.
    let other = hegui_audit::store::Store::open(&store.location).unwrap();
    let sev = findings::Severity::Medium;
    findings::add(&other, &e.code, "G3.1", sev, "外部记录的问题", "", "cli").unwrap();
    assert!(body(app.get(&page, Some(&s))).contains("外部记录的问题"));
    let after = body(app.get(&dash, Some(&s)));
    assert!(!before.contains("外部记录的问题") && after.contains("外部记录的问题"));
}

#[test]
fn a_finding_from_raised_to_closed() {
    a_finding_from_raised_to_closed_on(App::new(sqlite("findings")));
}

#[test]
fn a_finding_from_raised_to_closed_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_findings") else {
        return;
    };
    a_finding_from_raised_to_closed_on(App::new(hegui_audit::store::Store::open(&db.url).unwrap()));
}

#[test]
fn a_change_made_elsewhere_shows_on_the_next_view() {
    a_change_made_elsewhere_shows_on_the_next_view_on(App::new(sqlite("cache")));
}

#[test]
fn a_change_made_elsewhere_shows_on_the_next_view_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_cache") else {
        return;
    };
    a_change_made_elsewhere_shows_on_the_next_view_on(App::new(
        hegui_audit::store::Store::open(&db.url).unwrap(),
    ));
}
