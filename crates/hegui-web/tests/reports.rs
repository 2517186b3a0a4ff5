//! Reports in the browser, through the router on SQLite and PostgreSQL: rendered from a
//! verified engagement, kept encrypted, downloaded (logged), signed with a key file that
//! is never kept, or with a signature file made elsewhere — and a forged one refused.

mod common;

use axum::http::StatusCode;
use common::*;
use hegui_audit::members::{self, Role};
use hegui_audit::signing::KeyFile;
use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;
use hegui_audit::workpaper::{self, Conclusion, Edit};
use hegui_audit::{accounts, engagement, log, reports};
use hegui_report::signature;

/// Prepares and reviews every in-scope paper (the report is signed only then).
fn review_everything(store: &Store, code: &str) {
    for s in engagement::scope(store, code).unwrap() {
        if s.decision == "no" {
            continue;
        }
        let edit = Edit {
            add_procedures: vec!["查阅制度文件".into()],
            result: Some(Conclusion::Compliant),
            observations: Some("符合".into()),
            ..Edit::default()
        };
        workpaper::edit(store, code, &s.checkpoint, edit, "auditor").unwrap();
        workpaper::prepare(store, code, &s.checkpoint, "auditor").unwrap();
        workpaper::review(store, code, &s.checkpoint, "reviewer").unwrap();
    }
}

fn key_file(k: &KeyFile) -> Vec<u8> {
    serde_json::to_vec(k).unwrap()
}

fn report_flow(app: &App) {
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    let code = e.code.clone();
    for (name, role) in [
        ("lead", Role::Lead),
        ("auditor", Role::Auditor),
        ("reviewer", Role::Reviewer),
        ("client", Role::Client),
        ("viewer", Role::Viewer),
    ] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &code, name, role, None, "lead").unwrap();
    }
    let [lead, auditor, reviewer, client, viewer] =
        ["lead", "auditor", "reviewer", "client", "viewer"].map(|n| app.session(n));
    let page = format!("/e/{code}/reports");

    // Rendered by an auditor: a DOCX audit report and the workbook.
    let r = app.post(&page, "kind=audit&format=docx&lang=zh", Some(&auditor));
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r));
    let r = app.post(&page, "kind=workbook", Some(&auditor));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let listed = reports::list(store, &code).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].format, "docx");
    assert_eq!(listed[0].format, "xlsx");
    let view = body(app.get(&page, Some(&viewer)));
    assert!(view.contains("R-001") && view.contains("R-002"), "listed");
    assert!(view.contains("合规审计报告"), "kinds in words");

    // What cannot be rendered is refused with its reason.
    let r = app.post(&page, "kind=audit&format=rtf", Some(&auditor));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("pdf or docx"));
    let r = app.post(
        &page,
        "kind=audit&format=docx&date=31.12.2026",
        Some(&auditor),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(&page, "kind=audit&format=docx&x=1", Some(&auditor))
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields refused"
    );

    // Who sees what: the client not at all, a viewer the list but not the files.
    assert_eq!(
        app.get(&page, Some(&client)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{page}/R-001"), Some(&viewer)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&page, "kind=workbook", Some(&viewer)).status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{page}/R-009"), Some(&auditor)).status(),
        StatusCode::NOT_FOUND,
        "no such report"
    );

    // The download is the stored file, as an attachment, and it is logged.
    let r = app.get(&format!("{page}/R-001"), Some(&reviewer));
    assert_eq!(r.status(), StatusCode::OK);
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("attachment;") && cd.contains(".docx"),
        "{cd}"
    );
    let docx = bytes(r);
    assert!(docx.starts_with(b"PK"), "a DOCX (zip)");
    let (_, stored) = reports::get(store, &code, "R-001").unwrap();
    assert_eq!(docx, stored);
    let actions: Vec<String> = log::entries(store, &e.id)
        .unwrap()
        .into_iter()
        .map(|x| x.action)
        .collect();
    let rendered = actions.iter().filter(|a| *a == "report.rendered").count();
    assert_eq!(rendered, 2, "{actions:?}");
    assert!(actions.iter().any(|a| a == "report.downloaded"));

    // Signing waits for every in-scope paper to be reviewed; only the lead signs.
    let principal = KeyFile::generate("张所长").unwrap();
    let lead_key = KeyFile::generate("李审计").unwrap();
    let sign = |who: &str, report: &str, k: &KeyFile, role: &str| {
        post_multipart(
            app,
            &format!("{page}/{report}/sign"),
            who,
            multipart_field("key", "me.key.json", &key_file(k), &[("role", role)]),
        )
    };
    let r = sign(&lead, "R-001", &lead_key, "audit_lead");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("not reviewed"), "the reason");
    assert_eq!(
        sign(&reviewer, "R-001", &lead_key, "audit_lead").status(),
        StatusCode::NOT_FOUND,
        "a reviewer does not sign the report"
    );
    review_everything(store, &code);
    let r = app.post(
        &page,
        "kind=audit&format=docx&principal=%E5%BC%A0%E6%89%80%E9%95%BF",
        Some(&lead),
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sign(&lead, "R-003", &lead_key, "audit_lead");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body(r).contains("李审计 (audit_lead)"));
    let r = sign(&lead, "R-003", &principal, "principal");
    assert_eq!(r.status(), StatusCode::OK);
    let r = sign(&lead, "R-003", &principal, "chairman");
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown role"
    );

    // The signature file verifies against the downloaded report, anywhere.
    let sig = bytes(app.get(&format!("{page}/R-003/signature"), Some(&auditor)));
    let report = bytes(app.get(&format!("{page}/R-003"), Some(&auditor)));
    let f = signature::verify_text(
        std::str::from_utf8(&sig).unwrap(),
        "sig",
        std::path::Path::new("r.docx"),
        &signature::sha256_hex(&report),
    )
    .unwrap();
    assert_eq!(f.signatures.len(), 2);
    assert_eq!(f.manifest.engagement, code);

    // The key never reaches the store or a log.
    for secret in [&principal.secret, &lead_key.secret] {
        for entry in log::entries(store, &e.id).unwrap() {
            assert!(!entry.detail.to_string().contains(secret.as_str()));
        }
        let all =
            hegui_audit::transfer::export(store, &code, "lead", "2026-12-06T00:00:00Z").unwrap();
        assert!(!serde_json::to_string(&all)
            .unwrap()
            .contains(secret.as_str()));
    }

    // A signature file made elsewhere: the right one is kept; one for another report is not.
    let r = post_multipart(
        app,
        &format!("{page}/R-001/signature"),
        &lead,
        multipart_field("signature", "R-003.sig.json", &sig, &[]),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("does not match the signed report"));
    let r = post_multipart(
        app,
        &format!("{page}/R-003/signature"),
        &lead,
        multipart_field("signature", "R-003.sig.json", &sig, &[]),
    );
    assert_eq!(r.status(), StatusCode::OK);

    // Verify: the stored report is intact and its signatures hold.
    let r = app.post(&format!("{page}/R-003/verify"), "", Some(&reviewer));
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body(r).contains("签名有效 (2)"));
    // The engagement, with its reports, still verifies.
    assert!(hegui_audit::verify::engagement(store, &code).unwrap().ok());
}

#[test]
fn reports_rendered_downloaded_and_signed_on_sqlite() {
    report_flow(&App::new(sqlite("reports")));
}

#[test]
fn reports_rendered_downloaded_and_signed_on_postgres() {
    let Some(db) = ScratchDb::postgres("web_reports") else {
        return;
    };
    report_flow(&App::new(Store::open(&db.url).unwrap()));
}
