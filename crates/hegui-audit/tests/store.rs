//! The same engagement flow on SQLite and on PostgreSQL (127.0.0.1:5432, or
//! HEGUI_TEST_POSTGRES_URL). A fresh PostgreSQL database is created per run and dropped
//! after. Locally an absent server skips with a message; under CI it fails.

mod common;

use common::{new, postgres, profile, sqlite};
use hegui_audit::engagement::{self, Trigger};
use hegui_audit::store::{Arg, Store};
use hegui_audit::{log, AuditError};
use hegui_core::inventory::AuditKind;
use jiff::civil::date;

/// The whole flow; runs on each backend.
fn flow(store: &Store) {
    // Create: independence passes (the fintech's last audit was by another firm).
    let e = engagement::create(
        store,
        &new(AuditKind::Commissioned, "乙会计师事务所", "王五"),
    )
    .unwrap();
    assert_eq!(e.code, "ENG-2026-001");
    assert_eq!(e.processor, "北京信和数字科技有限公司");
    assert!(e.independence.violations.is_empty(), "{:?}", e.independence);
    assert_eq!(e.profile_versions, 1);
    // The scope is stored: 111 rows in Guideline order.
    let scope = engagement::scope(store, &e.code).unwrap();
    assert_eq!(scope.len(), 111);
    assert_eq!(scope[0].checkpoint, "G2.1");
    // The auditor excludes and adds with reasons.
    let row = engagement::decide_scope(
        store,
        &e.code,
        "G9.6",
        false,
        "no pricing by profile in this product",
        "lead@firm",
    )
    .unwrap();
    assert_eq!(
        (row.decision.as_str(), row.decided_by.as_deref()),
        ("no", Some("lead@firm"))
    );
    assert!(engagement::decide_scope(store, &e.code, "G99.1", true, "x", "a").is_err());
    assert!(
        engagement::decide_scope(store, &e.code, "G9.6", true, " ", "a").is_err(),
        "a reason is required"
    );
    // A new profile version keeps the decision.
    let v = engagement::update_profile(store, &e.code, &profile(), "fintech.yaml", "pipo@client")
        .unwrap();
    assert_eq!(v, 2);
    let g96 = engagement::scope(store, &e.code)
        .unwrap()
        .into_iter()
        .find(|s| s.checkpoint == "G9.6")
        .unwrap();
    assert_eq!(g96.decision, "no");
    // Codes count up per year.
    let e2 = engagement::create(store, &new(AuditKind::Internal, "", "内审部")).unwrap();
    assert_eq!(e2.code, "ENG-2026-002");
    assert_eq!(engagement::list(store).unwrap().len(), 2);
    // The log verifies; each step is in it.
    let id = engagement::resolve(store, &e.code).unwrap();
    let n = log::verify(store, &id).unwrap();
    let actions: Vec<String> = log::entries(store, &id)
        .unwrap()
        .into_iter()
        .map(|x| x.action)
        .collect();
    assert_eq!(n as usize, actions.len());
    assert_eq!(
        &actions[..3],
        [
            "engagement.created",
            "independence.checked",
            "profile.snapshot"
        ]
    );
    assert!(actions.contains(&"scope.excluded".to_string()));
}

/// Tampering: an edited, a removed and a reordered entry are each detected.
fn tampering(store: &Store) {
    let e = engagement::create(store, &new(AuditKind::Commissioned, "丙所", "赵六")).unwrap();
    let id = engagement::resolve(store, &e.code).unwrap();
    engagement::decide_scope(
        store,
        &e.code,
        "G11.1",
        true,
        "cameras in the new office",
        "lead",
    )
    .unwrap();
    assert!(log::verify(store, &id).is_ok());
    let sql = |s: &str, args: &[Arg]| {
        let mut tx = store.begin().unwrap();
        tx.exec(s, args).unwrap();
        tx.commit().unwrap();
    };
    // Edit.
    sql(
        "UPDATE activity SET actor = 'someone else' WHERE engagement_id = $1 AND seq = 2",
        &[id.clone().into()],
    );
    let err = log::verify(store, &id).unwrap_err().to_string();
    assert!(err.contains("entry 2") && err.contains("edited"), "{err}");
    sql(
        "UPDATE activity SET actor = 'auditor@firm' WHERE engagement_id = $1 AND seq = 2",
        &[id.clone().into()],
    );
    assert!(
        log::verify(store, &id).is_ok(),
        "restoring the byte restores the chain"
    );
    // Remove the last entry.
    let last: i64 = log::entries(store, &id).unwrap().len() as i64;
    sql(
        "DELETE FROM activity WHERE engagement_id = $1 AND seq = $2",
        &[id.clone().into(), last.into()],
    );
    let err = log::verify(store, &id).unwrap_err().to_string();
    assert!(err.contains("removed"), "{err}");
    // Reorder two entries (swap their sequence numbers).
    sql(
        "UPDATE activity SET seq = 100 WHERE engagement_id = $1 AND seq = 2",
        &[id.clone().into()],
    );
    sql(
        "UPDATE activity SET seq = 2 WHERE engagement_id = $1 AND seq = 3",
        &[id.clone().into()],
    );
    sql(
        "UPDATE activity SET seq = 3 WHERE engagement_id = $1 AND seq = 100",
        &[id.clone().into()],
    );
    assert!(matches!(
        log::verify(store, &id),
        Err(AuditError::Tampered(_))
    ));
}

fn refusals(store: &Store) {
    // Independence: a third consecutive audit by the same lead is refused…
    let mut n = new(
        AuditKind::Commissioned,
        "某某会计师事务所（特殊普通合伙）",
        "刘洋",
    );
    n.profile_text = profile().replace(
        "past_audits:\n",
        "past_audits:\n  - date: 2022-06-30\n    kind: commissioned\n    firm: 某某会计师事务所（特殊普通合伙）\n    lead_auditor: 刘洋\n",
    );
    let err = engagement::create(store, &n).unwrap_err();
    assert!(matches!(err, AuditError::Independence(_)), "{err}");
    assert!(err.to_string().contains("--override-independence"));
    // …unless overridden with a reason, which is recorded.
    n.override_reason = Some("regulator approved continuity for the remediation year".into());
    let e = engagement::create(store, &n).unwrap();
    assert_eq!(e.independence.violations.len(), 2);
    let id = engagement::resolve(store, &e.code).unwrap();
    assert!(log::entries(store, &id)
        .unwrap()
        .iter()
        .any(|x| x.action == "independence.overridden"));
    // Ordered audits need a trigger and a deadline; extensions need an approval.
    let mut o = new(AuditKind::Ordered, "丁所", "孙七");
    assert!(engagement::create(store, &o).is_err());
    o.trigger = Some(Trigger::Incident);
    o.deadline = Some(date(2027, 2, 26));
    let e = engagement::create(store, &o).unwrap();
    assert!(
        engagement::extend(
            store,
            &e.code,
            date(2027, 1, 1),
            "网信发〔2027〕1号",
            "lead"
        )
        .is_err(),
        "not later"
    );
    let e = engagement::extend(
        store,
        &e.code,
        date(2027, 3, 31),
        "网信发〔2027〕1号",
        "lead",
    )
    .unwrap();
    assert_eq!(e.effective_deadline.as_deref(), Some("2027-03-31"));
    // Bad profile text is refused with its position, and nothing is written.
    let before = engagement::list(store).unwrap().len();
    let mut bad = new(AuditKind::Internal, "", "x");
    bad.profile_text = "hegui_profile: 1\norganisation:\n  nmae: x\n".into();
    let err = engagement::create(store, &bad).unwrap_err().to_string();
    assert!(err.contains("fintech.yaml:3:3"), "{err}");
    assert_eq!(engagement::list(store).unwrap().len(), before);
}

/// Working papers: sampling, sign-offs, reviewer ≠ preparer, a change after review reopens.
fn papers(store: &Store) {
    use hegui_audit::workpaper::{self, Conclusion, Edit, Population};
    let e = engagement::create(store, &new(AuditKind::Commissioned, "庚所", "周九")).unwrap();
    let sample = hegui_core::sampling::plan(95.0, 5.0, 0.0, 120_000, 42).unwrap();
    assert_eq!(sample.size, 59);
    let p = workpaper::edit(
        store,
        &e.code,
        "G13.4",
        Edit {
            add_procedures: vec!["抽样核对敏感个人信息处理活动的影响评估报告".into()],
            population: Some(Population {
                description: "2025 年度授信申请".into(),
                size: 120_000,
            }),
            sample: Some(sample.clone()),
            add_evidence: vec!["EV-001".into()],
            result: Some(Conclusion::PartiallyCompliant),
            observations: Some("两个活动缺少事前评估".into()),
        },
        "preparer@firm",
    )
    .unwrap();
    assert_eq!((p.revision, p.result_zh), (1, "部分符合"));
    // A sample from another population is refused.
    let wrong = hegui_core::sampling::plan(95.0, 5.0, 0.0, 500, 1).unwrap();
    assert!(workpaper::edit(
        store,
        &e.code,
        "G13.4",
        Edit {
            sample: Some(wrong),
            ..Edit::default()
        },
        "p"
    )
    .is_err());
    workpaper::prepare(store, &e.code, "G13.4", "preparer@firm").unwrap();
    let err = workpaper::review(store, &e.code, "G13.4", "preparer@firm")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot also review"), "{err}");
    let p = workpaper::review(store, &e.code, "G13.4", "reviewer@firm").unwrap();
    assert_eq!(
        (p.status.as_str(), p.reviewed_by.as_deref()),
        ("reviewed", Some("reviewer@firm"))
    );
    // A change after review reopens the paper.
    let p = workpaper::edit(
        store,
        &e.code,
        "G13.4",
        Edit {
            add_evidence: vec!["EV-002".into()],
            ..Edit::default()
        },
        "preparer@firm",
    )
    .unwrap();
    assert_eq!(
        (p.status.as_str(), p.reviewed_by.as_deref()),
        ("prepared", None)
    );
    let id = engagement::resolve(store, &e.code).unwrap();
    assert!(log::entries(store, &id)
        .unwrap()
        .iter()
        .any(|x| x.action == "workpaper.reopened"));
    // The stored sample reproduces from its seed.
    let stored = workpaper::get(store, &e.code, "g13.4")
        .unwrap()
        .sample
        .unwrap();
    assert_eq!(stored.items, hegui_core::sampling::select(120_000, 59, 42));
    // Signing off needs a procedure and a conclusion.
    workpaper::edit(
        store,
        &e.code,
        "G3.1",
        Edit {
            observations: Some("待测".into()),
            ..Edit::default()
        },
        "p",
    )
    .unwrap();
    assert!(workpaper::prepare(store, &e.code, "G3.1", "p").is_err());
    assert_eq!(workpaper::list(store, &e.code).unwrap().len(), 2);
    assert!(log::verify(store, &id).is_ok());
}

/// Findings and the ledger; the report due date across the National Day holiday.
fn rectification(store: &Store) {
    use hegui_audit::findings::{self, ItemStatus, Severity};
    let cal = hegui_core::calendar::Calendar::builtin();
    let mut o = new(AuditKind::Ordered, "辛所", "吴十");
    o.trigger = Some(Trigger::MajorRisk);
    o.deadline = Some(date(2027, 6, 30));
    let e = engagement::create(store, &o).unwrap();
    let f1 = findings::add(
        store,
        &e.code,
        "G13.4",
        Severity::High,
        "敏感个人信息处理未事前评估",
        "营销活动",
        "lead",
    )
    .unwrap();
    let f2 = findings::add(
        store,
        &e.code,
        "G15.3",
        Severity::Medium,
        "标准合同备案逾期",
        "",
        "lead",
    )
    .unwrap();
    assert_eq!((f1.as_str(), f2.as_str()), ("F-001", "F-002"));
    findings::add_item(
        store,
        &e.code,
        &f1,
        "合规部",
        "补做影响评估",
        date(2025, 9, 1),
        "lead",
    )
    .unwrap();
    findings::add_item(
        store,
        &e.code,
        &f2,
        "法务部",
        "补充备案",
        date(2025, 9, 15),
        "lead",
    )
    .unwrap();
    assert!(
        findings::set_status(
            store,
            &e.code,
            &f1,
            1,
            ItemStatus::Closed,
            None,
            Some(date(2025, 8, 20)),
            cal,
            "lead"
        )
        .is_err(),
        "closing needs evidence"
    );
    let l = findings::set_status(
        store,
        &e.code,
        &f1,
        1,
        ItemStatus::Closed,
        Some("EV-010"),
        Some(date(2025, 8, 20)),
        cal,
        "lead",
    )
    .unwrap();
    assert_eq!((l.open_items, l.report_due.as_deref()), (1, None));
    let l = findings::set_status(
        store,
        &e.code,
        &f2,
        1,
        ItemStatus::Closed,
        Some("EV-011"),
        Some(date(2025, 9, 26)),
        cal,
        "lead",
    )
    .unwrap();
    assert_eq!(l.rectification_done.as_deref(), Some("2025-09-26"));
    assert_eq!(
        l.report_due.as_deref(),
        Some("2025-10-23"),
        "15 working days across National Day"
    );
    // Reopening an item clears completion.
    let l = findings::set_status(
        store,
        &e.code,
        &f2,
        1,
        ItemStatus::InProgress,
        None,
        None,
        cal,
        "lead",
    )
    .unwrap();
    assert_eq!((l.open_items, l.report_due), (1, None));
    assert!(findings::add(store, &e.code, "G99", Severity::Low, "x", "", "lead").is_err());
    // An error inside a transaction rolls it back (no panic, nothing written).
    assert!(
        findings::add_item(store, &e.code, "F-999", "x", "y", date(2025, 9, 1), "lead").is_err()
    );
    assert!(findings::set_status(
        store,
        &e.code,
        "F-001",
        99,
        ItemStatus::Open,
        None,
        None,
        cal,
        "lead"
    )
    .is_err());
    assert_eq!(findings::ledger(store, &e.code).unwrap().findings.len(), 2);
}

/// The vault: round trip, dedup, attached reports land on checkpoints, a flipped byte is caught.
fn vault(store: &Store) {
    use hegui_audit::store::RowExt;
    use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
    let e = engagement::create(store, &new(AuditKind::Commissioned, "壬所", "郑十一")).unwrap();
    let item = |name: &str, content: &[u8], kind: EvidenceKind, cps: &[&str]| NewEvidence {
        name: name.into(),
        content: content.to_vec().into(),
        kind,
        collector: "auditor@firm".into(),
        effective_date: Some("2025-12-31".into()),
        source: "client share".into(),
        description: "test".into(),
        checkpoints: cps.iter().map(|c| c.to_string()).collect(),
    };
    let a = vault::add(
        store,
        &e.code,
        item(
            "policy.pdf",
            b"%PDF-1.7 privacy policy",
            EvidenceKind::File,
            &["G3.1"],
        ),
    )
    .unwrap();
    assert_eq!(a.code, "EV-001");
    let (_, plain) = vault::get(store, &e.code, "EV-001").unwrap();
    assert_eq!(plain, b"%PDF-1.7 privacy policy");
    // The same content twice is stored once.
    vault::add(
        store,
        &e.code,
        item(
            "policy-copy.pdf",
            b"%PDF-1.7 privacy policy",
            EvidenceKind::File,
            &[],
        ),
    )
    .unwrap();
    let id = engagement::resolve(store, &e.code).unwrap();
    let blobs = store
        .rows(
            "SELECT COUNT(*) FROM evidence_blobs WHERE engagement_id = $1",
            &[id.clone().into()],
        )
        .unwrap();
    assert_eq!(blobs[0].int(0), 1);
    // A scan report lands on G19.3 and G20.2 (and G13.3 when sensitive PI was found).
    let scan = br#"{"report": {"totals": [{"kind": "bank_card", "distinct": 12, "sensitivity": {"level": "sensitive"}}], "estimate": {"people": 12, "sensitive": 12, "complete": true}}}"#;
    let s = vault::add(
        store,
        &e.code,
        item("scan.json", scan, EvidenceKind::Scan, &[]),
    )
    .unwrap();
    assert_eq!(s.checkpoints, ["G13.3", "G19.3", "G20.2"]);
    let paper = hegui_audit::workpaper::get(store, &e.code, "G20.2").unwrap();
    assert!(paper.evidence.contains(&s.code));
    // The scan found fewer people than the profile declares: no new profile version.
    assert_eq!(
        engagement::show(store, &e.code).unwrap().profile_versions,
        1
    );
    // A scan that finds more people than declared raises the Art. 4 / Art. 12 facts.
    let big = br#"{"report": {"totals": [], "estimate": {"people": 12000000, "sensitive": 3200000, "complete": true}}}"#;
    vault::add(
        store,
        &e.code,
        item("full-scan.json", big, EvidenceKind::Scan, &[]),
    )
    .unwrap();
    assert_eq!(
        engagement::show(store, &e.code).unwrap().profile_versions,
        2
    );
    let (_, _, text) = engagement::profile(store, &e.code).unwrap();
    assert!(text.contains("12000000"), "{text}");
    // An obligations computation with a standard-contract transfer lands on G15.3.
    let obs = br#"{"obligations": [{"id": "cross_border.mechanism", "status": "applies", "title_en": "Standard contract filed with the provincial CAC, or PI protection certification"}, {"id": "pipo.filing", "status": "applies", "title_en": "x"}]}"#;
    let o = vault::add(
        store,
        &e.code,
        item("obligations.json", obs, EvidenceKind::Obligations, &[]),
    )
    .unwrap();
    assert_eq!(o.checkpoints, ["G15.3", "G22.5"]);
    assert!(vault::add(
        store,
        &e.code,
        item("x.json", b"not json", EvidenceKind::Scan, &[])
    )
    .is_err());
    assert_eq!(vault::verify(store, &e.code).unwrap(), 5);
    // Flip one byte of one blob's ciphertext: verification names the item.
    let rows = store
        .rows(
            "SELECT sha256, ciphertext FROM evidence_blobs WHERE engagement_id = $1",
            &[id.clone().into()],
        )
        .unwrap();
    let (sha, mut ct) = (rows[0].text(0), rows[0].bytes(1));
    ct[3] ^= 0x01;
    let mut tx = store.begin().unwrap();
    tx.exec(
        "UPDATE evidence_blobs SET ciphertext = $1 WHERE engagement_id = $2 AND sha256 = $3",
        &[Arg::Bytes(ct), id.clone().into(), sha.clone().into()],
    )
    .unwrap();
    tx.commit().unwrap();
    let err = vault::verify(store, &e.code).unwrap_err().to_string();
    assert!(err.contains("changed"), "{err}");
    assert!(log::verify(store, &id).is_ok());
}

/// Close, export, purge: nothing of the engagement stays readable but the signed record.
fn closing(store: &Store, dir: &std::path::Path) {
    use hegui_audit::closing;
    use hegui_audit::signing::KeyFile;
    use hegui_audit::store::RowExt;
    use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
    let e = engagement::create(store, &new(AuditKind::Commissioned, "癸所", "冯十二")).unwrap();
    vault::add(
        store,
        &e.code,
        NewEvidence {
            name: "consents.csv".into(),
            content: "姓名,手机\n张伟,13812345678\n".as_bytes().to_vec().into(),
            kind: EvidenceKind::File,
            collector: "a".into(),
            effective_date: None,
            source: "CRM".into(),
            description: "".into(),
            checkpoints: vec!["G2.1".into()],
        },
    )
    .unwrap();
    let key = KeyFile::generate("冯十二").unwrap();
    let err = closing::purge(store, &e.code, &key, "lead")
        .unwrap_err()
        .to_string();
    assert!(err.contains("close it"), "{err}");
    closing::close(store, &e.code, "lead").unwrap();
    assert!(
        closing::close(store, &e.code, "lead").is_err(),
        "closed once"
    );
    let files = closing::export(store, &e.code, &dir.join("archive"), "lead").unwrap();
    assert_eq!(files[0], "engagement.json");
    assert!(dir.join("archive/evidence/EV-001-consents.csv").exists());
    let id = engagement::resolve(store, &e.code).unwrap();
    let record = closing::purge(store, &e.code, &key, "lead").unwrap();
    assert_eq!(record.evidence_sha256.len(), 1);
    assert_eq!(record.destroyed["evidence_blobs"], 1);
    for t in [
        "engagements",
        "evidence_blobs",
        "engagement_keys",
        "evidence",
        "working_papers",
        "scope",
        "profile_snapshots",
        "activity",
    ] {
        let col = if t == "engagements" {
            "id"
        } else {
            "engagement_id"
        };
        let n = store
            .rows(
                &format!("SELECT COUNT(*) FROM {t} WHERE {col} = $1"),
                &[id.clone().into()],
            )
            .unwrap()[0]
            .int(0);
        assert_eq!(n, 0, "{t} still holds rows of the purged engagement");
    }
    assert!(matches!(
        engagement::show(store, &e.code),
        Err(AuditError::NotFound(_))
    ));
    let recs = closing::deletions(store).unwrap();
    let mine = recs.iter().find(|r| r.record.engagement == e.code).unwrap();
    assert!(mine.valid);
    assert_eq!(mine.public_key, key.public);
    // A changed record no longer matches its signature.
    let mut tx = store.begin().unwrap();
    tx.exec(
        "UPDATE deletion_records SET record = REPLACE(record, 'lead', 'someone') WHERE code = $1",
        &[e.code.clone().into()],
    )
    .unwrap();
    tx.commit().unwrap();
    let recs = closing::deletions(store).unwrap();
    assert!(
        !recs
            .iter()
            .find(|r| r.record.engagement == e.code)
            .unwrap()
            .valid
    );
}

/// A worked engagement in `src`, exported and imported into `dst` (and refused, or undone,
/// where it must be).
fn transfer(src: &Store, dst: &Store, spare: &Store) {
    use hegui_audit::findings::{self, Severity};
    use hegui_audit::transfer;
    use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
    use hegui_audit::workpaper::{self, Conclusion, Edit};
    let e = engagement::create(src, &new(AuditKind::Commissioned, "癸所", "钱十二")).unwrap();
    vault::add(
        src,
        &e.code,
        NewEvidence {
            name: "policy.pdf".into(),
            content: b"%PDF-1.7 \x00\xff binary".to_vec().into(),
            kind: EvidenceKind::File,
            collector: "auditor@firm".into(),
            effective_date: None,
            source: "client share".into(),
            description: "隐私政策".into(),
            checkpoints: vec!["G3.1".into()],
        },
    )
    .unwrap();
    let edit = Edit {
        add_procedures: vec!["审阅".into()],
        result: Some(Conclusion::NonCompliant),
        observations: Some("缺失".into()),
        add_evidence: vec!["EV-001".into()],
        ..Default::default()
    };
    workpaper::edit(src, &e.code, "G3.1", edit, "auditor@firm").unwrap();
    let f = findings::add(
        src,
        &e.code,
        "G3.1",
        Severity::High,
        "未告知",
        "",
        "auditor@firm",
    )
    .unwrap();
    findings::add_item(
        src,
        &e.code,
        &f,
        "法务部",
        "修订政策",
        date(2026, 12, 31),
        "auditor@firm",
    )
    .unwrap();

    let x = transfer::export(src, &e.code, "auditor@firm", "2026-11-23T00:00:00Z").unwrap();
    // Through text, as on disk.
    let text = serde_json::to_string(&x).unwrap();
    let x: transfer::Export = serde_json::from_str(&text).unwrap();
    assert_eq!(x.catalog.id, "guideline-2025");
    assert!(x
        .catalog
        .files
        .iter()
        .any(|(p, t)| p.ends_with("guideline-2025.toml") && t.contains("G13.4")));
    let r = transfer::import(dst, &x, "importer", None).unwrap();
    assert_eq!((r.code.as_str(), r.evidence), (e.code.as_str(), 1));
    assert!(r.catalog_matches);
    let same = |a: serde_json::Value, b: serde_json::Value| assert_eq!(a, b);
    same(
        serde_json::to_value(workpaper::list(src, &e.code).unwrap()).unwrap(),
        serde_json::to_value(workpaper::list(dst, &e.code).unwrap()).unwrap(),
    );
    same(
        serde_json::to_value(findings::ledger(src, &e.code).unwrap()).unwrap(),
        serde_json::to_value(findings::ledger(dst, &e.code).unwrap()).unwrap(),
    );
    same(
        serde_json::to_value(engagement::scope(src, &e.code).unwrap()).unwrap(),
        serde_json::to_value(engagement::scope(dst, &e.code).unwrap()).unwrap(),
    );
    assert_eq!(
        vault::get(dst, &e.code, "EV-001").unwrap().1,
        b"%PDF-1.7 \x00\xff binary"
    );
    // The chain continues: the import itself is the last entry.
    let id = engagement::resolve(dst, &e.code).unwrap();
    let n_src = log::verify(src, &engagement::resolve(src, &e.code).unwrap()).unwrap();
    assert_eq!(log::verify(dst, &id).unwrap(), n_src + 1);
    // Twice into the same store: refused, nothing changed.
    let err = transfer::import(dst, &x, "importer", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("already exists"), "{err}");
    // A changed byte of evidence: refused, and nothing of it is kept.
    let mut bad = x.clone();
    let blob = bad.tables["evidence_blobs"][0]["ciphertext"]
        .as_str()
        .unwrap()
        .to_string();
    let first = if blob.as_bytes()[0] == b'0' { '1' } else { '0' };
    let flipped = format!("{first}{}", &blob[1..]);
    bad.tables["evidence_blobs"][0]["ciphertext"] = flipped.into();
    let err = transfer::import(spare, &bad, "importer", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not verify"), "{err}");
    assert!(engagement::resolve(spare, &e.code).is_err());
    // From a newer hegui's store, or not an export at all: refused with the reason.
    let mut bad = x.clone();
    bad.schema_version = 999;
    let err = transfer::import(spare, &bad, "importer", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("newer store"), "{err}");
    let mut bad = x.clone();
    bad.format = "something-else".into();
    let err = transfer::import(spare, &bad, "importer", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a hegui engagement export"), "{err}");
    // An edited log entry: refused too.
    let mut bad = x.clone();
    bad.tables["activity"][0]["actor"] = "someone else".into();
    assert!(transfer::import(spare, &bad, "importer", None).is_err());
    assert!(engagement::resolve(spare, &e.code).is_err());
}

#[test]
fn sqlite_flow() {
    let s = sqlite("flow");
    flow(&s);
    common::all_verify(&s);
}

#[test]
fn sqlite_export_import() {
    transfer(
        &sqlite("xfer-src"),
        &sqlite("xfer-dst"),
        &sqlite("xfer-spare"),
    );
}

#[test]
fn sqlite_tampering() {
    tampering(&sqlite("tamper"));
}

#[test]
fn sqlite_refusals() {
    let s = sqlite("refusals");
    refusals(&s);
    common::all_verify(&s);
}

#[test]
fn sqlite_papers() {
    let s = sqlite("papers");
    papers(&s);
    common::all_verify(&s);
}

#[test]
fn sqlite_rectification() {
    let s = sqlite("rectification");
    rectification(&s);
    common::all_verify(&s);
}

#[test]
fn sqlite_vault() {
    vault(&sqlite("vault"));
}

#[test]
fn sqlite_closing_leaves_no_trace() {
    let dir = std::env::temp_dir().join(format!("hegui-audit-{}-closing", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hegui.db");
    {
        let store = Store::open(path.to_str().unwrap()).unwrap();
        closing(&store, &dir);
    }
    // After purge and VACUUM the file holds no plaintext of the profile.
    let bytes = std::fs::read(&path).unwrap();
    let needle = "pipo@xinhe.example.cn".as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the profile's text survives in the file"
    );
}

#[test]
fn reopening_keeps_the_schema_and_the_data() {
    let dir = std::env::temp_dir().join(format!("hegui-audit-{}-reopen", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hegui.db");
    {
        let s = Store::open(path.to_str().unwrap()).unwrap();
        engagement::create(&s, &new(AuditKind::Commissioned, "乙所", "王五")).unwrap();
    }
    let s = Store::open(path.to_str().unwrap()).unwrap();
    assert_eq!(s.version().unwrap(), 9);
    assert_eq!(engagement::list(&s).unwrap().len(), 1);
}

#[test]
fn postgres_flow_tampering_and_refusals() {
    let Some((store, _db)) = postgres("all") else {
        return;
    };
    assert!(store.location.starts_with("postgres://"));
    flow(&store);
    tampering(&store);
    refusals(&store);
    papers(&store);
    rectification(&store);
    vault(&store);
    let dir = std::env::temp_dir().join(format!("hegui-audit-{}-pg-closing", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    closing(&store, &dir);
    // Export from PostgreSQL, import into a second fresh PostgreSQL database.
    if let Some((dst, _db2)) = postgres("xfer") {
        transfer(&store, &dst, &sqlite("pg-xfer-spare"));
        drop(dst);
    }
    drop(store);
}
