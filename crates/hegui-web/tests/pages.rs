//! Pages through the router on SQLite and PostgreSQL: a working paper edited, prepared and
//! reviewed through the forms; evidence uploaded, downloaded and verified; findings, the
//! ledger and the activity log; the profile and a new version.

mod common;

use axum::http::{header, StatusCode};
use common::*;
use hegui_audit::accounts;
use hegui_audit::engagement;
use hegui_audit::members::{self, Role};
use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;
use http_body_util::BodyExt;
use jiff::civil::date;

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

/// The sample calculator: sized as the AICPA tables, drawn with a recorded seed (the same
/// items as `hegui sample`), shown, downloadable; bad input refused with its reason.
#[test]
fn the_sample_calculator_records_a_sample_anyone_can_redraw() {
    let app = App::new(sqlite("sample"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "lead").unwrap();
    let s = app.session("auditor");
    let page = format!("/e/{}/c/G13.4", e.code);
    let form = "population=%E6%8E%88%E4%BF%A1%E5%90%88%E5%90%8C&size=1200&confidence=95&tolerable=5&expected=1&seed=42";
    let r = app.post(&format!("{page}/sample"), form, Some(&s));
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r));
    let p = hegui_audit::workpaper::get(store, &e.code, "G13.4").unwrap();
    let drawn = p.sample.unwrap();
    let again = hegui_core::sampling::plan(95.0, 5.0, 1.0, 1200, 42).unwrap();
    assert_eq!(drawn, again, "the same plan and items as hegui sample");
    assert_eq!(drawn.size, 93, "95 % / 5 % / 1 %: the AICPA table's 93");
    assert_eq!(p.population.unwrap().size, 1200);
    let view = body(app.get(&page, Some(&s)));
    assert!(view.contains("n = 93 / 1200") && view.contains("seed 42"));
    let r = app.get(&format!("{page}/sample.csv"), Some(&s));
    assert_eq!(r.status(), StatusCode::OK);
    let csv = body(r);
    let items: Vec<u64> = csv.lines().skip(2).map(|l| l.parse().unwrap()).collect();
    assert_eq!(items, again.items);
    assert!(csv.starts_with('#') && csv.contains("--seed 42"));
    for (bad, why) in [
        ("population=x&size=many", "whole number"),
        ("population=x&size=100&tolerable=80", "tolerable"),
        ("population=&size=100", "population is"),
        ("population=x&size=0", "empty"),
    ] {
        let r = app.post(&format!("{page}/sample"), bad, Some(&s));
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body(r).contains(why), "{bad}");
    }
    // No sample yet on another paper: nothing to download.
    let other = format!("/e/{}/c/G3.1/sample.csv", e.code);
    assert_eq!(app.get(&other, Some(&s)).status(), StatusCode::NOT_FOUND);
}

/// A long evidence list comes in pages of 100, newest first, so a page stays small.
#[test]
fn the_evidence_list_comes_in_pages() {
    let app = App::new(sqlite("evidence-pages"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "lead").unwrap();
    for i in 0..105 {
        let mut n = pdf_evidence(&format!("doc-{i}.pdf"));
        n.content = format!("%PDF-1.4 doc {i}").into_bytes().into();
        hegui_audit::vault::add(store, &e.code, n).unwrap();
    }
    let s = app.session("auditor");
    let page = format!("/e/{}/evidence", e.code);
    let first = body(app.get(&page, Some(&s)));
    assert!(first.contains("EV-105") && first.contains("EV-006") && !first.contains(">EV-005<"));
    assert!(first.contains("1 / 2") && first.contains("?page=2"));
    let second = body(app.get(&format!("{page}?page=2"), Some(&s)));
    assert!(second.contains("EV-001") && !second.contains("EV-105"));
    assert!(first.len() < 100_000, "{} bytes", first.len());
}
