//! A privacy policy as engagement evidence: `hegui engagement evidence add … --kind policy`
//! stores the policy with its analysis, the analysis proposes observations for the papers
//! it speaks to, the auditor accepts one, and the audit report quotes the review.

mod common;

use common::{fresh, hegui, ok};

const POLICY: &str = "examples/fintech-policy.md";

fn engagement(db: &str) {
    ok(
        db,
        &[
            "engagement",
            "create",
            "--profile",
            "examples/fintech.yaml",
            "--kind",
            "commissioned",
            "--body",
            "示例会计师事务所",
            "--lead",
            "王五",
            "--period",
            "2025-01-01..2025-12-31",
            "--start",
            "2026-11-23",
            "--attest-no-subdelegation",
        ],
    );
}

#[test]
fn a_policy_is_stored_with_its_analysis_and_proposes_observations() {
    let (dir, db) = fresh("policy-evidence");
    let db = db.as_str();
    engagement(db);
    let out = ok(
        db,
        &[
            "engagement",
            "evidence",
            "add",
            "ENG-2026-001",
            POLICY,
            "--kind",
            "policy",
            "--source",
            "官网",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policy"]["code"], "EV-001");
    assert_eq!(v["policy"]["kind"], "policy");
    assert_eq!(v["analysis"]["code"], "EV-002");
    assert_eq!(v["analysis"]["kind"], "policy_check");
    let linked: Vec<&str> = v["policy"]["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    // Elements that apply land on their checkpoints; the minors' (not applicable to an
    // adults-only lender) do not.
    for cp in ["G3.1", "G3.2", "G3.4", "G3.5", "G4.1", "G8.2", "G22.5"] {
        assert!(linked.contains(&cp), "{cp} missing from {linked:?}");
    }
    assert!(!linked.contains(&"G14.1"), "{linked:?}");

    // The paper shows the proposal: the retention restating the law, nothing after it.
    let paper = ok(db, &["engagement", "paper", "ENG-2026-001", "G3.4"]);
    assert!(paper.contains("evidence: EV-001, EV-002"), "{paper}");
    assert!(
        paper.contains("proposed by EV-002 (2 flagged; accept with --accept-proposed EV-002)"),
        "{paper}"
    );
    assert!(paper.contains("C07") && paper.contains("C08"), "{paper}");
    // Never a conclusion: the paper is untested until the auditor says otherwise.
    assert!(paper.contains("未测试"), "{paper}");

    // Accepting appends the proposal to what the auditor wrote; a second time is refused.
    ok(
        db,
        &[
            "engagement",
            "paper",
            "ENG-2026-001",
            "G3.4",
            "--observations",
            "已与合规部访谈确认。",
        ],
    );
    let accepted = ok(
        db,
        &[
            "engagement",
            "paper",
            "ENG-2026-001",
            "G3.4",
            "--accept-proposed",
            "EV-002",
            "--format",
            "json",
        ],
    );
    let p: serde_json::Value = serde_json::from_str(&accepted).unwrap();
    let obs = p["observations"].as_str().unwrap();
    assert!(
        obs.starts_with("已与合规部访谈确认。\n经审阅个人信息处理规则"),
        "{obs}"
    );
    assert!(
        obs.contains("C07 保存期限或保存期限的确定方法：有缺陷"),
        "{obs}"
    );
    let again = hegui(
        db,
        &[
            "engagement",
            "paper",
            "ENG-2026-001",
            "G3.4",
            "--accept-proposed",
            "EV-002",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already"));
    // A code that proposes nothing for the paper names the ones that do.
    let wrong = hegui(
        db,
        &[
            "engagement",
            "paper",
            "ENG-2026-001",
            "G3.4",
            "--accept-proposed",
            "EV-001",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("proposals come from EV-002"), "{err}");

    // The store verifies: the vault items and every paper edit are in the log.
    let v = ok(db, &["engagement", "verify", "ENG-2026-001"]);
    assert!(v.contains("verified"), "{v}");

    // The audit report's results section quotes the review as the tool's reading.
    let report = dir.join("audit.docx");
    ok(
        db,
        &[
            "report",
            "audit",
            "ENG-2026-001",
            "-o",
            report.to_str().unwrap(),
        ],
    );
    let xml = docx_text(&report);
    assert!(xml.contains("（附）个人信息处理规则审阅"), "section");
    assert!(xml.contains("fintech-policy.md"), "the policy named");
    assert!(xml.contains("C08 到期后的处理方式"), "a flagged element");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The text of a DOCX's document part.
fn docx_text(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

#[test]
fn what_is_not_a_policy_is_refused_and_nothing_is_stored() {
    let (dir, db) = fresh("policy-refused");
    let db = db.as_str();
    engagement(db);
    let o = hegui(
        db,
        &[
            "engagement",
            "evidence",
            "add",
            "ENG-2026-001",
            "examples/fintech.yaml",
            "--kind",
            "policy",
            "--source",
            "官网",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("fintech.yaml") && err.contains("not a privacy policy"),
        "{err}"
    );
    let list = ok(
        db,
        &[
            "engagement",
            "evidence",
            "list",
            "ENG-2026-001",
            "--format",
            "json",
        ],
    );
    assert_eq!(list.trim(), "[]");
    let _ = std::fs::remove_dir_all(&dir);
}
