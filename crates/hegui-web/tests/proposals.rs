//! Observations proposed by an analysed privacy policy on the checkpoint page: shown to the
//! audit side, accepted by an editor (appended to the observations, logged), never by a
//! viewer, and once only.

mod common;

use axum::http::StatusCode;
use common::*;
use hegui_audit::members::{self, Role};
use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
use hegui_audit::{accounts, engagement, workpaper};

/// The part of `hegui policy check --format json`'s contract the vault reads.
const ANALYSIS: &str = r#"{
  "source": "policy.html",
  "format": "html",
  "facts": {},
  "elements": [
    {"id": "C01", "zh": "处理者的名称", "en": "The processor's name", "status": "present",
     "checkpoints": ["G3.1"], "cites": ["PIPL 17(1)"], "reason": null, "reason_en": null,
     "evidence": [{"quote": "本政策适用于示例科技有限公司。", "heading": "引言", "start": 0, "end": 10}]},
    {"id": "C07", "zh": "保存期限或保存期限的确定方法", "en": "Retention", "status": "deficient",
     "checkpoints": ["G3.4"], "cites": ["PIPL 17(1)"],
     "reason": "只复述“实现处理目的所必要的最短时间”", "reason_en": "only restates PIPL 19",
     "evidence": [{"quote": "我们仅在必要的最短时间内保存您的个人信息。", "heading": "保存", "start": 20, "end": 40}]},
    {"id": "M01", "zh": "不满十四周岁未成年人的专门处理规则", "en": "Children's rules",
     "status": "not_applicable", "checkpoints": ["G14.1"], "cites": ["PIPL 31"],
     "reason": "不适用", "reason_en": "not applicable", "evidence": []}
  ],
  "inventory_mismatches": []
}"#;

#[test]
fn a_proposal_is_shown_accepted_by_an_editor_and_only_once() {
    let app = App::new(sqlite("proposals"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [("auditor", Role::Auditor), ("viewer", Role::Viewer)] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let (policy, analysis) = vault::policy::add(
        store,
        &e.code,
        NewEvidence {
            name: "policy.html".into(),
            content: b"<html>privacy policy</html>".to_vec().into(),
            kind: EvidenceKind::Policy,
            collector: "auditor".into(),
            effective_date: None,
            source: "官网".into(),
            description: String::new(),
            checkpoints: Vec::new(),
        },
        ANALYSIS.as_bytes(),
    )
    .unwrap();
    // Linked where an element applies; not to the minors' checkpoint.
    assert_eq!(policy.checkpoints, ["G3.1", "G3.4"]);
    assert_eq!(analysis.kind, "policy_check");

    let page = format!("/e/{}/c/G3.4", e.code);
    let (auditor, viewer) = (app.session("auditor"), app.session("viewer"));
    let view = body(app.get(&page, Some(&auditor)));
    assert!(view.contains("处理规则审阅建议"), "the proposal's card");
    assert!(view.contains("C07 保存期限或保存期限的确定方法：有缺陷"));
    assert!(
        view.contains(&format!("value=\"{}\"", analysis.code)),
        "the accept form"
    );
    // A viewer reads it but has no form, and cannot post one.
    let seen = body(app.get(&page, Some(&viewer)));
    assert!(seen.contains("C07 保存期限"));
    assert!(!seen.contains("/accept"));
    let form = format!("analysis={}", analysis.code);
    let r = app.post(&format!("{page}/accept"), &form, Some(&viewer));
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(workpaper::get(store, &e.code, "G3.4")
        .unwrap()
        .observations
        .is_empty());

    // The auditor accepts: appended, never a conclusion.
    let r = app.post(&format!("{page}/accept"), &form, Some(&auditor));
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p = workpaper::get(store, &e.code, "G3.4").unwrap();
    assert!(
        p.observations.contains("C07 保存期限"),
        "{}",
        p.observations
    );
    assert_eq!(p.result, workpaper::Conclusion::NotTested);
    let view = body(app.get(&page, Some(&auditor)));
    assert!(view.contains("已采纳到观察事项"));
    // Twice is refused with the reason; a proposal for another paper is not this one's.
    let r = app.post(&format!("{page}/accept"), &form, Some(&auditor));
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).contains("already"));
    let r = app.post(
        &format!("/e/{}/c/G13.4/accept", e.code),
        &form,
        Some(&auditor),
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Every write is in the verified log.
    let v = hegui_audit::verify::engagement(store, &e.code).unwrap();
    assert!(v.ok(), "{}", v.summary());
}

#[test]
fn a_policy_without_its_analysis_is_refused() {
    let store = sqlite("proposals-refused");
    let e = engagement::create(&store, &new_engagement("lead")).unwrap();
    let mut n = pdf_evidence("policy.pdf");
    n.kind = EvidenceKind::Policy;
    let err = vault::add(&store, &e.code, n).unwrap_err();
    assert!(err.to_string().contains("with its analysis"), "{err}");
    // An analysis that is not one is refused before anything is stored.
    let err = vault::policy::add(&store, &e.code, pdf_evidence("p.pdf"), b"{}").unwrap_err();
    assert!(
        err.to_string()
            .contains("not a hegui policy check analysis"),
        "{err}"
    );
    assert!(vault::list(&store, &e.code).unwrap().is_empty());
}

#[test]
fn the_api_lists_proposals_and_accepts_one() {
    use axum::body::Body;
    use axum::http::{header, Request};
    let app = App::new(sqlite("proposals-api"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    accounts::add(store, "auditor", "auditor", PASSWORD, false).unwrap();
    members::set(store, &e.code, "auditor", Role::Auditor, None, "lead").unwrap();
    let mut n = pdf_evidence("policy.pdf");
    n.kind = EvidenceKind::Policy;
    let (_, analysis) = vault::policy::add(store, &e.code, n, ANALYSIS.as_bytes()).unwrap();
    let token = hegui_audit::tokens::create(
        store,
        "auditor",
        "t",
        std::slice::from_ref(&e.code),
        false,
        30,
    )
    .unwrap()
    .0;
    let call = |method: &str, path: &str, json: Option<String>| {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if json.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        let r = app.send(b.body(Body::from(json.unwrap_or_default())).unwrap());
        let status = r.status();
        (
            status,
            serde_json::from_str::<serde_json::Value>(&body(r)).unwrap(),
        )
    };
    let path = format!("/api/v1/engagements/{}/checkpoints/G3.4", e.code);
    let (status, doc) = call("GET", &path, None);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["proposals"][0]["analysis"], analysis.code.as_str());
    assert_eq!(doc["proposals"][0]["flagged"], 1);
    assert_eq!(doc["proposals"][0]["accepted"], false);
    let body_json = format!("{{\"analysis\": \"{}\"}}", analysis.code);
    let (status, paper) = call("POST", &format!("{path}/accept"), Some(body_json.clone()));
    assert_eq!(status, StatusCode::OK, "{paper}");
    assert!(paper["observations"].as_str().unwrap().contains("C07"));
    let (status, _) = call("POST", &format!("{path}/accept"), Some(body_json));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, doc) = call("GET", &path, None);
    assert_eq!(doc["proposals"][0]["accepted"], true);
}
