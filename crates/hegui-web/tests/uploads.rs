//! Large uploads through the pages and the API: received into a spool and stored in
//! chunks (never whole in memory), downloaded as a stream that gives back the same bytes;
//! a file whose first bytes say it is not evidence is stopped there.

mod common;

use axum::http::StatusCode;
use common::*;
use hegui_audit::members::{self, Role};
use hegui_audit::store::RowExt;
use hegui_audit::{accounts, engagement};

/// A PDF of `n` bytes (a header, then bytes that differ along the way).
fn pdf(n: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n".to_vec();
    b.extend((0..n - b.len()).map(|i| (i * 7 % 253) as u8));
    b
}

#[test]
fn a_large_upload_is_stored_in_chunks_and_streamed_back() {
    let app = App::new(sqlite("uploads"));
    let store = app.store();
    let e = engagement::create(store, &new_engagement("lead")).unwrap();
    for (name, role) in [("auditor", Role::Auditor), ("client", Role::Client)] {
        accounts::add(store, name, name, PASSWORD, false).unwrap();
        members::set(store, &e.code, name, role, None, "lead").unwrap();
    }
    let s = app.session("auditor");
    let big = pdf(3 * 1024 * 1024 + 12_345);
    let r = upload(
        &app,
        &format!("/e/{}/evidence", e.code),
        &s,
        "日志导出.pdf",
        &big,
    );
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r));
    let id = engagement::resolve(store, &e.code).unwrap();
    let chunks: i64 = store
        .rows(
            "SELECT COUNT(*) FROM evidence_chunks WHERE engagement_id = $1",
            &[id.into()],
        )
        .unwrap()[0]
        .int(0);
    assert_eq!(chunks, 4);
    let got = bytes(app.get(&format!("/e/{}/evidence/EV-001", e.code), Some(&s)));
    assert!(got == big, "the download is the upload, byte for byte");
    // An executable called .pdf is stopped at its first bytes, however long it is.
    let mut exe = b"MZ\x90\x00".to_vec();
    exe.resize(2 * 1024 * 1024, 0);
    let r = upload(
        &app,
        &format!("/e/{}/evidence", e.code),
        &s,
        "报告.pdf",
        &exe,
    );
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hegui_audit::vault::list(store, &e.code).unwrap().len(), 1);
    let v = hegui_audit::verify::engagement(store, &e.code).unwrap();
    assert!(v.ok(), "{:?}", v.problems);
}
