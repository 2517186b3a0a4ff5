//! People in the browser: the engagement's team (the lead invites, with an end date that
//! defaults to the engagement's end) and user administration (administrators only).

mod common;

use axum::http::StatusCode;
use common::*;
use hegui_audit::members::{self, Role};
use hegui_audit::{accounts, engagement, instance_log, tokens};

fn the_lead_manages_the_team_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [("lead", Role::Lead), ("auditor", Role::Auditor)] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    accounts::add(store, "pipo", "个人信息保护负责人", PASSWORD, false).unwrap();
    let (lead, auditor) = (app.session("lead"), app.session("auditor"));
    let page = format!("/e/{}/team", e.code);

    // An invitation without a date ends with the engagement.
    let r = app.post(&page, "user=pipo&role=client&expires_on=", Some(&lead));
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r));
    let m = members::get(store, &e.id, "pipo").unwrap().unwrap();
    assert_eq!(m.role, Role::Client);
    let end = e.effective_deadline.clone().unwrap_or(e.period_end.clone());
    assert_eq!(m.expires_on.as_deref(), Some(end.as_str()));
    // A date given is kept; a role changed.
    let r = app.post(
        &page,
        "user=pipo&role=viewer&expires_on=2026-12-31",
        Some(&lead),
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let m = members::get(store, &e.id, "pipo").unwrap().unwrap();
    assert_eq!(
        (m.role, m.expires_on.as_deref()),
        (Role::Viewer, Some("2026-12-31"))
    );

    // Refusals say why.
    for (form, why) in [
        ("user=pipo&role=boss", "lead, auditor, reviewer"),
        ("user=ghost&role=auditor", "no account"),
        ("user=pipo&role=auditor&expires_on=soon", "YYYY-MM-DD"),
    ] {
        let r = app.post(&page, form, Some(&lead));
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(body(r).contains(why), "{form}");
    }
    // The auditor sees the team but does not manage it.
    let view = body(app.get(&page, Some(&auditor)));
    assert!(view.contains("pipo") && !view.contains("/team/pipo/remove"));
    let r = app.post(&page, "user=pipo&role=lead", Some(&auditor));
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Removal, logged; the lead cannot remove itself.
    let r = app.post(&format!("{page}/pipo/remove"), "", Some(&lead));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(members::get(store, &e.id, "pipo").unwrap().is_none());
    let r = app.post(&format!("{page}/lead/remove"), "", Some(&lead));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let actions: Vec<String> = hegui_audit::log::entries(store, &e.id)
        .unwrap()
        .into_iter()
        .map(|x| x.action)
        .collect();
    assert!(actions.iter().any(|a| a == "member.removed"));
    assert!(hegui_audit::verify::engagement(store, &e.code)
        .unwrap()
        .ok());
}

fn administrators_manage_accounts_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "root", "管理员", PASSWORD, true).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "root").unwrap();
    let (root, auditor) = (app.session("root"), app.session("auditor"));

    assert_eq!(
        app.get("/admin/users", Some(&auditor)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post("/admin/users", "name=x1&display=", Some(&auditor))
            .status(),
        StatusCode::NOT_FOUND
    );
    let view = body(app.get("/admin/users", Some(&root)));
    assert!(view.contains("auditor") && view.contains("管理员"));
    assert!(body(app.get("/", Some(&root))).contains("/admin/users"));

    // A new account: its first password is shown once and works.
    let r = app.post(
        "/admin/users",
        "name=wang.li&display=%E7%8E%8B%E5%8A%9B",
        Some(&root),
    );
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(r);
    let password = page
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .unwrap()
        .to_string();
    assert!(accounts::check_credentials(store, "wang.li", &password).is_ok());
    let r = app.post("/admin/users", "name=wang.li", Some(&root));
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "exists already"
    );
    let r = app.post("/admin/users", "name=has+space", Some(&root));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Disabling ends the sessions and stops the tokens.
    let token = tokens::create(
        store,
        "auditor",
        "t",
        std::slice::from_ref(&e.code),
        false,
        5,
    )
    .unwrap()
    .0;
    let r = app.post("/admin/users/auditor", "action=disable", Some(&root));
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(location(&app.get("/", Some(&auditor))), "/signin");
    assert!(tokens::authenticate(store, &token).unwrap().is_none());
    let r = app.post("/admin/users/auditor", "action=enable", Some(&root));
    assert_eq!(r.status(), StatusCode::OK);
    assert!(tokens::authenticate(store, &token).unwrap().is_some());
    for (form, user) in [
        ("action=disable", "root"),
        ("action=explode", "auditor"),
        ("action=enable", "ghost"),
    ] {
        let r = app.post(&format!("/admin/users/{user}"), form, Some(&root));
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form} {user}"
        );
    }
    let r = app.post("/admin/users/auditor", "action=reset_mfa", Some(&root));
    assert_eq!(r.status(), StatusCode::OK);

    // Each change is in the instance's log, by the administrator, without the password.
    let log = instance_log::entries(store).unwrap();
    let mine: Vec<&str> = log
        .iter()
        .filter(|x| x.actor == "root")
        .map(|x| x.action.as_str())
        .collect();
    assert_eq!(
        mine,
        [
            "account.added",
            "account.disabled",
            "account.enabled",
            "account.mfa_reset"
        ]
    );
    assert!(!log.iter().any(|x| x.detail.to_string().contains(&password)));
    instance_log::verify(store).unwrap();
}

/// The lead gives papers to auditors: an auditor edits and prepares the papers given to
/// them or to nobody, not another's; "my work" lists what was given to me; the API keeps
/// the same rule.
fn papers_assigned_by_the_lead_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [
        ("lead", Role::Lead),
        ("wang", Role::Auditor),
        ("zhao", Role::Auditor),
        ("reviewer", Role::Reviewer),
        ("client", Role::Client),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let [lead, wang, zhao, reviewer] = ["lead", "wang", "zhao", "reviewer"].map(|n| app.session(n));
    let page = format!("/e/{}/c/G13.4", e.code);
    let edit = "procedure=%E6%9F%A5%E9%98%85&result=compliant&observations=";

    let r = app.post(&format!("{page}/assign"), "user=wang", Some(&reviewer));
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "only the lead assigns");
    let r = app.post(&format!("{page}/assign"), "user=client", Some(&lead));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("not a lead or auditor"));
    let r = app.post(&format!("{page}/assign"), "user=wang", Some(&lead));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        body(app.get("/", Some(&wang))).contains("G13.4"),
        "my work lists it"
    );
    assert!(!body(app.get("/", Some(&zhao))).contains("G13.4"));

    // zhao may not edit or prepare wang's paper; wang may; the lead may.
    let r = app.post(&page, edit, Some(&zhao));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("assigned to wang"));
    assert_eq!(
        app.post(&page, edit, Some(&wang)).status(),
        StatusCode::SEE_OTHER
    );
    let r = app.post(&format!("{page}/prepare"), "", Some(&zhao));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Papers nobody was given stay open to every auditor.
    let other = format!("/e/{}/c/G3.1", e.code);
    assert_eq!(
        app.post(&other, edit, Some(&zhao)).status(),
        StatusCode::SEE_OTHER
    );

    // The API keeps the rule, and assigns too.
    let token = tokens::create(store, "zhao", "t", std::slice::from_ref(&e.code), false, 5)
        .unwrap()
        .0;
    let api = format!("/api/v1/engagements/{}/checkpoints/G13.4", e.code);
    let req = |path: &str, tok: &str, json: &str| {
        axum::http::Request::post(path)
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {tok}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(json.to_string()))
            .unwrap()
    };
    let r = app.send(req(&api, &token, r#"{"observations": "x"}"#));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let lead_token = tokens::create(store, "lead", "t", std::slice::from_ref(&e.code), false, 5)
        .unwrap()
        .0;
    let r = app.send(req(
        &format!("{api}/assign"),
        &lead_token,
        r#"{"user": "zhao"}"#,
    ));
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.send(req(&api, &token, r#"{"observations": "x"}"#));
    assert_eq!(r.status(), StatusCode::OK);
    let log = hegui_audit::log::entries(store, &e.id).unwrap();
    let assigned = log
        .iter()
        .filter(|x| x.action == "workpaper.assigned")
        .count();
    assert_eq!(assigned, 2);
    assert!(hegui_audit::verify::engagement(store, &e.code)
        .unwrap()
        .ok());
}

/// A person's own API tokens in the browser: made for some of their engagements (the
/// secret shown once, and it works), refused with a reason, revoked.
fn tokens_made_and_revoked_in_the_browser_on(app: App) {
    let app = app;
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for name in ["auditor", "other"] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, Role::Auditor, None, "lead").unwrap();
    }
    let s = app.session("auditor");
    assert!(body(app.get("/tokens", Some(&s))).contains(&e.code));
    let form = format!("label=ci&engagement={}&days=30&read_only=yes", e.code);
    let r = app.post("/tokens", &form, Some(&s));
    assert_eq!(r.status(), StatusCode::OK);
    let page = body(r);
    let secret = page
        .split("<code>hgt_")
        .nth(1)
        .and_then(|x| x.split("</code>").next())
        .map(|x| format!("hgt_{x}"))
        .unwrap();
    let grant = tokens::authenticate(store, &secret).unwrap().unwrap();
    assert!(grant.read_only && grant.engagements == [e.code.clone()]);
    for (bad, why) in [
        ("label=x&days=30", "one or more engagements"),
        (
            &*format!("label=x&engagement={}&days=400", e.code),
            "1 to 366",
        ),
        ("label=x&engagement=ENG-1999-001&days=3", "not a member"),
        ("label=x&days=soon", "whole number"),
    ] {
        let r = app.post("/tokens", bad, Some(&s));
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body(r).contains(why), "{bad}");
    }
    // Someone else cannot revoke it; its owner can.
    let id = tokens::list(store, "auditor").unwrap()[0].id.clone();
    let other = app.session("other");
    let r = app.post(&format!("/tokens/{id}/revoke"), "", Some(&other));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tokens::authenticate(store, &secret).unwrap().is_some());
    let r = app.post(&format!("/tokens/{id}/revoke"), "", Some(&s));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(tokens::authenticate(store, &secret).unwrap().is_none());
    let actions: Vec<String> = instance_log::entries(store)
        .unwrap()
        .into_iter()
        .map(|x| x.action)
        .collect();
    assert!(actions.contains(&"token.created".into()) && actions.contains(&"token.revoked".into()));
    assert!(!instance_log::entries(store)
        .unwrap()
        .iter()
        .any(|x| x.detail.to_string().contains(&secret[4..])));
}

/// A person changes their own password after giving the current one; every session ends.
fn a_password_changed_after_the_current_one_on(app: App) {
    let app = app;
    let store = app.store();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    let (s, other) = (app.session("auditor"), app.session("auditor"));
    assert_eq!(app.get("/account", Some(&s)).status(), StatusCode::OK);
    let new = "%E6%96%B0%E7%9A%84%E5%AF%86%E7%A0%81%E5%BE%88%E9%95%BF2027";
    let r = app.post(
        "/account",
        &format!("current=wrong-one&new={new}&again={new}"),
        Some(&s),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(
        "/account",
        &format!("current=x&new={new}&again=other"),
        Some(&s),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let current = form(PASSWORD).replace("name=alice&password=", "");
    let r = app.post(
        "/account",
        &format!("current={current}&new=password1&again=password1"),
        Some(&s),
    );
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a common password"
    );
    let r = app.post(
        "/account",
        &format!("current={current}&new={new}&again={new}"),
        Some(&s),
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/signin");
    for token in [&s, &other] {
        assert_eq!(
            location(&app.get("/", Some(token))),
            "/signin",
            "sessions ended"
        );
    }
    assert!(accounts::check_credentials(store, "auditor", "新的密码很长2027").is_ok());
    let actions: Vec<String> = instance_log::entries(store)
        .unwrap()
        .into_iter()
        .map(|x| x.action)
        .collect();
    assert!(actions.contains(&"account.password_changed".into()));
    assert!(actions.contains(&"account.password_refused".into()));
}

#[test]
fn the_lead_manages_the_team() {
    the_lead_manages_the_team_on(App::new(sqlite("team")));
}

#[test]
fn the_lead_manages_the_team_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_team") else {
        return;
    };
    the_lead_manages_the_team_on(App::new(hegui_audit::store::Store::open(&db.url).unwrap()));
}

#[test]
fn administrators_manage_accounts() {
    administrators_manage_accounts_on(App::new(sqlite("admin")));
}

#[test]
fn administrators_manage_accounts_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_admin") else {
        return;
    };
    administrators_manage_accounts_on(App::new(hegui_audit::store::Store::open(&db.url).unwrap()));
}

#[test]
fn papers_assigned_by_the_lead() {
    papers_assigned_by_the_lead_on(App::new(sqlite("assign")));
}

#[test]
fn papers_assigned_by_the_lead_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_assign") else {
        return;
    };
    papers_assigned_by_the_lead_on(App::new(hegui_audit::store::Store::open(&db.url).unwrap()));
}

#[test]
fn tokens_made_and_revoked_in_the_browser() {
    tokens_made_and_revoked_in_the_browser_on(App::new(sqlite("tokens-page")));
}

#[test]
fn tokens_made_and_revoked_in_the_browser_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_tokens") else {
        return;
    };
    tokens_made_and_revoked_in_the_browser_on(App::new(
        hegui_audit::store::Store::open(&db.url).unwrap(),
    ));
}

#[test]
fn a_password_changed_after_the_current_one() {
    a_password_changed_after_the_current_one_on(App::new(sqlite("password")));
}

#[test]
fn a_password_changed_after_the_current_one_on_postgres() {
    let Some(db) = hegui_audit::testing::ScratchDb::postgres("web_password") else {
        return;
    };
    a_password_changed_after_the_current_one_on(App::new(
        hegui_audit::store::Store::open(&db.url).unwrap(),
    ));
}
