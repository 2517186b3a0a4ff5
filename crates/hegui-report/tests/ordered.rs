//! The reports of an audit ordered by a protection department: the Art. 5 circumstance in
//! the audit report, and the Art. 11 due date in the rectification report — 15 working days
//! after the last item closed, across the National Day holiday.

use hegui_audit::engagement::{self, NewEngagement, Trigger};
use hegui_audit::findings::{self, ItemStatus, Severity};
use hegui_audit::independence::RotationReading;
use hegui_audit::store::Store;
use hegui_core::calendar::Calendar;
use hegui_core::inventory::AuditKind;
use hegui_report::audit_report::{self, Inputs, ReportOptions};
use hegui_report::docx::document_text;
use jiff::civil::date;

fn text(doc: &hegui_report::document::Document) -> String {
    use std::io::Read;
    let bytes = doc.to_docx().unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    document_text(&xml)
}

#[test]
fn ordered_audit_reports_quote_art_5_and_give_the_art_11_due_date() {
    let dir = std::env::temp_dir().join(format!("hegui-report-ordered-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap();
    let profile = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/fintech.yaml"
    ))
    .unwrap();
    let e = engagement::create(
        &store,
        &NewEngagement {
            profile_text: profile,
            profile_name: "fintech.yaml".into(),
            kind: AuditKind::Ordered,
            trigger: Some(Trigger::Incident),
            body: Some("丙所".into()),
            affiliates: vec![],
            lead: Some("赵六".into()),
            team: vec!["审计员".into()],
            period_start: date(2024, 1, 1),
            period_end: date(2024, 12, 31),
            start: date(2025, 6, 2),
            deadline: Some(date(2025, 8, 29)),
            attests_no_subdelegation: true,
            reading: RotationReading::Inclusive,
            override_reason: None,
            actor: "lead".into(),
        },
    )
    .unwrap();
    let f = findings::add(
        &store,
        &e.code,
        "G20.2",
        Severity::High,
        "明文存储",
        "",
        "lead",
    )
    .unwrap();
    findings::add_item(
        &store,
        &e.code,
        &f,
        "技术部",
        "加密存储",
        date(2025, 9, 30),
        "lead",
    )
    .unwrap();
    hegui_audit::vault::add(
        &store,
        &e.code,
        hegui_audit::vault::NewEvidence {
            name: "encryption-config.txt".into(),
            content: b"AES-256".to_vec().into(),
            kind: hegui_audit::vault::EvidenceKind::File,
            collector: "lead".into(),
            effective_date: None,
            source: "system".into(),
            description: String::new(),
            checkpoints: vec!["G20.2".into()],
        },
    )
    .unwrap();
    findings::set_status(
        &store,
        &e.code,
        &f,
        1,
        ItemStatus::Closed,
        Some("EV-001"),
        Some(date(2025, 9, 26)),
        Calendar::builtin(),
        "lead",
    )
    .unwrap();
    let x = Inputs::load(&store, &e.code).unwrap();

    let rect = text(&hegui_report::rectification::build(
        &x,
        &ReportOptions::default(),
    ));
    assert!(rect.contains("整改全部完成日期：2025-09-26"), "{rect}");
    // 15 working days from 2025-09-26 across the 10-1..10-8 holiday (and the 9-28 and
    // 10-11 make-up working days) is 2025-10-23.
    assert!(
        rect.contains("整改情况报告报送期限：2025-10-23 前"),
        "{rect}"
    );
    assert!(
        rect.contains("在整改完成后15个工作日内"),
        "Art. 11 quoted: {rect}"
    );
    assert!(rect.contains(
        "F-001/1\n[高] 明文存储\n加密存储\n技术部\n2025-09-30\n已完成\nEV-001（2025-09-26）"
    ));

    let audit = text(&audit_report::build(&x, &ReportOptions::default()));
    assert!(audit.contains("按照保护部门要求开展"), "{audit}");
    assert!(
        audit.contains("保护部门要求审计的情形：《个人信息保护合规审计管理办法》第五条（三）发生个人信息安全事件"),
        "{audit}"
    );
    assert!(
        audit.contains("第十一条：“个人信息处理者按照保护部门要求"),
        "{audit}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
