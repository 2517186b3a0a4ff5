//! The log binds the state: every field of every engagement table, changed behind hegui's
//! back, is named by `verify`; so is every deleted and every inserted row. Stores made
//! before the log bound the state verify after their baseline. Forged and unsigned
//! exports are refused where they must be. On SQLite and PostgreSQL.

mod common;

use common::{new, postgres, sqlite};
use hegui_audit::engagement::{self, Trigger};
use hegui_audit::findings::{self, ItemStatus, Severity};
use hegui_audit::signing::KeyFile;
use hegui_audit::state::{self, TableDef, TABLES};
use hegui_audit::store::{Arg, Store};
use hegui_audit::vault::{self, EvidenceKind, NewEvidence};
use hegui_audit::workpaper::{self, Conclusion, Edit};
use hegui_audit::{log, transfer, verify};
use hegui_core::inventory::AuditKind;
use jiff::civil::date;

/// An ordered engagement with a row in every engagement table: two profile versions, an
/// extension, a member, a scope decision, a reviewed paper, evidence, a finding with a closed item.
fn worked(store: &Store) -> String {
    let mut n = new(AuditKind::Ordered, "甲所", "张三");
    n.trigger = Some(Trigger::MajorRisk);
    n.deadline = Some(date(2027, 3, 1));
    let e = engagement::create(store, &n).unwrap();
    let code = e.code;
    let profile = common::profile();
    engagement::update_profile(store, &code, &profile, "v2.yaml", "pipo@client").unwrap();
    engagement::extend(store, &code, date(2027, 4, 1), "网信函〔2027〕1号", "lead").unwrap();
    hegui_audit::accounts::add(
        store,
        "reviewer1",
        "复核人",
        "a long enough password",
        false,
    )
    .unwrap();
    hegui_audit::members::set(
        store,
        &code,
        "reviewer1",
        hegui_audit::members::Role::Reviewer,
        Some("2027-06-30"),
        "lead",
    )
    .unwrap();
    engagement::decide_scope(store, &code, "G7", true, "专项", "lead").unwrap();
    hegui_audit::accounts::add(store, "auditor1", "审计员", "审计工作底稿2026!", false).unwrap();
    hegui_audit::members::set(
        store,
        &code,
        "auditor1",
        hegui_audit::members::Role::Auditor,
        None,
        "lead",
    )
    .unwrap();
    hegui_audit::assignments::assign(store, &code, "G3.1", Some("auditor1"), "lead").unwrap();
    let report = hegui_audit::reports::NewReport {
        kind: "audit".into(),
        format: "docx".into(),
        lang: "zh".into(),
        content: b"PK report".to_vec(),
        rendered_by: "lead".into(),
        unverified: false,
    };
    hegui_audit::reports::add(store, &code, report).unwrap();
    let signed = [("李审计".to_string(), "audit_lead".to_string())];
    hegui_audit::reports::set_signatures(store, &code, "R-001", "{}", &signed, "lead").unwrap();
    vault::add(
        store,
        &code,
        NewEvidence {
            name: "policy.pdf".into(),
            content: b"%PDF-1.7 policy".to_vec().into(),
            kind: EvidenceKind::File,
            collector: "auditor".into(),
            effective_date: Some("2026-01-01".into()),
            source: "client share".into(),
            description: "隐私政策".into(),
            checkpoints: vec!["G3.1".into()],
        },
    )
    .unwrap();
    let edit = Edit {
        add_procedures: vec!["审阅隐私政策".into()],
        result: Some(Conclusion::NonCompliant),
        observations: Some("未告知保存期限".into()),
        ..Default::default()
    };
    workpaper::edit(store, &code, "G3.1", edit, "auditor").unwrap();
    workpaper::prepare(store, &code, "G3.1", "auditor").unwrap();
    workpaper::review(store, &code, "G3.1", "reviewer").unwrap();
    let f = findings::add(
        store,
        &code,
        "G3.1",
        Severity::High,
        "未告知",
        "说明",
        "auditor",
    )
    .unwrap();
    findings::add_item(
        store,
        &code,
        &f,
        "法务部",
        "修订政策",
        date(2027, 2, 1),
        "auditor",
    )
    .unwrap();
    let cal = hegui_core::calendar::Calendar::with_builtin();
    findings::set_status(
        store,
        &code,
        &f,
        1,
        ItemStatus::Closed,
        Some("EV-001"),
        Some(date(2026, 12, 1)),
        &cal,
        "auditor",
    )
    .unwrap();
    with_auditee(store, &code, &cal);
    code
}

/// A request answered and accepted, a comment, a review note: the auditee's tables.
fn with_auditee(store: &Store, code: &str, cal: &hegui_core::calendar::Calendar) {
    use hegui_audit::requests::{self, flow, NewRequest, SendOptions, Upload};
    hegui_audit::accounts::add(store, "client1", "法务部", "客户上传证据2026!", false).unwrap();
    hegui_audit::members::set(
        store,
        code,
        "client1",
        hegui_audit::members::Role::Client,
        None,
        "lead",
    )
    .unwrap();
    let n = NewRequest {
        title: "隐私政策历史版本".into(),
        checkpoints: vec!["G3.1".into()],
        assignees: vec!["client1".into()],
        period_from: Some("2025-01-01".into()),
        ..Default::default()
    };
    let r = flow::create(store, code, n, "auditor1").unwrap();
    let o = SendOptions {
        days: 10,
        review_days: 5,
        today: date(2026, 12, 1),
    };
    flow::send(
        store,
        code,
        std::slice::from_ref(&r.code),
        o,
        cal,
        "auditor1",
    )
    .unwrap();
    let up = Upload {
        name: "policy-v3.pdf".into(),
        content: b"%PDF-1.7 v3".to_vec().into(),
        effective_date: Some("2025-06-01".into()),
    };
    requests::files::upload(store, code, &r.code, vec![up], "client1").unwrap();
    flow::submit(store, code, &r.code, "client1").unwrap();
    flow::accept(store, code, &r.code, "auditor1").unwrap();
    let on = hegui_audit::comments::On::Request(r.code.clone());
    let vis = hegui_audit::comments::Visibility::Shared;
    hegui_audit::comments::add(store, code, &on, vis, "请补充 v2 版本 @client1", "auditor1")
        .unwrap();
    hegui_audit::review_notes::raise(store, code, "G7", "抽样依据？", "reviewer1").unwrap();
    // Content of more than one chunk: stored in evidence_chunks.
    let mut spool = vault::Spool::new(u64::MAX).unwrap();
    spool.write(&vec![b'x'; vault::chunks::CHUNK + 10]).unwrap();
    let n = NewEvidence {
        name: "access.log".into(),
        content: vault::Content::Spooled(spool.finish().unwrap()),
        kind: EvidenceKind::File,
        collector: "auditor".into(),
        effective_date: None,
        source: "运维".into(),
        description: String::new(),
        checkpoints: vec![],
    };
    vault::add(store, code, n).unwrap();
}

fn read_row(store: &Store, t: &TableDef, id: &str) -> (Vec<String>, Vec<Arg>) {
    let mut q = store;
    let rows = state::read(&mut q, t, id, None).unwrap();
    assert!(
        !rows.is_empty(),
        "the worked engagement has no row in {}",
        t.name
    );
    rows.into_iter().next().unwrap()
}

/// `WHERE` on a row's primary key, its values as arguments from `$first`.
fn where_pk(t: &TableDef, values: &[Arg], first: usize) -> (String, Vec<Arg>) {
    let mut cols = vec![t.by];
    cols.extend(t.key.iter().copied());
    let mut sql = Vec::new();
    let mut args = Vec::new();
    for (i, c) in cols.iter().enumerate() {
        let at = t.cols.iter().position(|(n, _)| n == c).unwrap();
        sql.push(format!("{c} = ${}", first + i));
        args.push(values[at].clone());
    }
    (sql.join(" AND "), args)
}

fn changed(v: &Arg) -> Arg {
    match v {
        Arg::Text(s) => Arg::Text(format!("{s}′")),
        Arg::Int(n) => Arg::Int(n + 1000),
        Arg::Bytes(b) if !b.is_empty() => {
            let mut b = b.clone();
            b[0] ^= 1;
            Arg::Bytes(b)
        }
        Arg::Bytes(_) => Arg::Bytes(vec![0]),
        Arg::Null => Arg::Text("forged".into()),
    }
}

fn exec(store: &Store, sql: &str, args: &[Arg]) {
    let mut tx = store.begin().unwrap();
    tx.exec(sql, args).unwrap();
    tx.commit().unwrap();
}

fn problems(store: &Store, id: &str) -> Vec<state::Problem> {
    verify::engagement(store, id).unwrap().problems
}

/// Every column of one row of every table, changed by SQL: named; then every row deleted,
/// and (where a table can hold more than one) a row inserted: named too.
fn every_field_is_bound(store: &Store) {
    let code = worked(store);
    let id = engagement::resolve(store, &code).unwrap();
    assert!(
        problems(store, &id).is_empty(),
        "{:?}",
        problems(store, &id)
    );
    for t in TABLES.iter().filter(|t| t.logged) {
        let (key, values) = read_row(store, t, &id);
        let row = if key.is_empty() {
            "-".to_string()
        } else {
            key.join("/")
        };
        for (i, (col, _)) in t.cols.iter().enumerate() {
            if t.unlogged.contains(col) {
                continue;
            }
            let (pk, mut args) = where_pk(t, &values, 2);
            args.insert(0, changed(&values[i]));
            exec(
                store,
                &format!("UPDATE {} SET {col} = $1 WHERE {pk}", t.name),
                &args,
            );
            let p = problems(store, &id);
            let named = p.iter().any(|p| {
                p.table == t.name
                    && ((p.row == row && p.field.as_deref() == Some(*col))
                        // A key column moves the row: it is reported missing.
                        || (p.field.is_none() && p.what.contains("missing")))
            });
            assert!(named, "{}.{col} changed: not named in {p:?}", t.name);
            // Restore it: verifies again.
            let mut moved = values.clone();
            moved[i] = changed(&values[i]);
            let (pk, mut args) = where_pk(t, &moved, 2);
            args.insert(0, values[i].clone());
            exec(
                store,
                &format!("UPDATE {} SET {col} = $1 WHERE {pk}", t.name),
                &args,
            );
            assert!(problems(store, &id).is_empty(), "{}.{col} restored", t.name);
        }
        // Deleted: named as missing, then put back.
        let (pk, args) = where_pk(t, &values, 1);
        exec(store, &format!("DELETE FROM {} WHERE {pk}", t.name), &args);
        let p = problems(store, &id);
        assert!(
            p.iter()
                .any(|p| p.table == t.name && p.what.contains("missing")),
            "{} row deleted: not named in {p:?}",
            t.name
        );
        let names: Vec<&str> = t.cols.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            t.name,
            names.join(", "),
            params.join(", ")
        );
        exec(store, &insert, &values);
        assert!(problems(store, &id).is_empty(), "{} row restored", t.name);
        // Inserted: a copy under another key, where the key leaves room for one.
        if let Some(k) = t.key.first() {
            let at = t.cols.iter().position(|(n, _)| n == k).unwrap();
            let mut copy = values.clone();
            copy[at] = match &values[at] {
                Arg::Int(n) => Arg::Int(n + 1000),
                other => changed(other),
            };
            exec(store, &insert, &copy);
            let p = problems(store, &id);
            assert!(
                p.iter()
                    .any(|p| p.table == t.name && p.what.contains("not in the activity log")),
                "{} row inserted: not named in {p:?}",
                t.name
            );
            let (pk, args) = where_pk(t, &copy, 1);
            exec(store, &format!("DELETE FROM {} WHERE {pk}", t.name), &args);
            assert!(problems(store, &id).is_empty());
        }
    }
}

#[test]
fn sqlite_every_field_of_every_table_is_bound() {
    every_field_is_bound(&sqlite("bound"));
}

#[test]
fn postgres_every_field_of_every_table_is_bound() {
    let Some((store, _db)) = postgres("bound") else {
        return;
    };
    every_field_is_bound(&store);
    drop(store);
}

/// The failures the store issue reported: a conclusion flipped and the finding and its
/// rectification deleted in the store, and an evidence name changed.
#[test]
fn a_flipped_conclusion_and_deleted_finding_are_caught() {
    let store = sqlite("flipped");
    let code = worked(&store);
    let id = engagement::resolve(&store, &code).unwrap();
    exec(
        &store,
        "UPDATE working_papers SET result = 'compliant' WHERE engagement_id = $1 AND checkpoint = 'G3.1'",
        &[id.clone().into()],
    );
    exec(
        &store,
        "DELETE FROM rectifications WHERE engagement_id = $1",
        &[id.clone().into()],
    );
    exec(
        &store,
        "DELETE FROM findings WHERE engagement_id = $1",
        &[id.clone().into()],
    );
    exec(
        &store,
        "UPDATE evidence SET name = 'other.pdf' WHERE engagement_id = $1 AND code = 'EV-001'",
        &[id.clone().into()],
    );
    // The chain alone still holds: that is why the state must be checked.
    assert!(log::verify(&store, &id).is_ok());
    let v = verify::engagement(&store, &code).unwrap();
    let lines: Vec<String> = v.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines[0].starts_with("table working_papers, row G3.1, field result:"));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("table findings, row F-001:")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("table rectifications, row F-001/1:")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("table evidence, row EV-001, field name:")));
    // Exports are refused too.
    assert!(transfer::export(&store, &code, "x", "2027-01-01T00:00:00Z").is_err());
}

const LEGACY_ID: &str = "00112233aabbccdd";

/// What a schema-4 store held of one engagement (no state in the log): its row, a profile
/// snapshot and a two-entry chain, as an export's tables.
fn legacy_tables() -> serde_json::Map<String, serde_json::Value> {
    use serde_json::json;
    let id = LEGACY_ID;
    let (t1, t2) = ("2025-06-01T00:00:00Z", "2025-06-01T00:00:01Z");
    let e1 = log::hash(
        id,
        1,
        t1,
        "lead",
        "engagement.created",
        "{}",
        log::GENESIS,
        None,
    );
    let e2 = log::hash(id, 2, t2, "lead", "profile.snapshot", "{}", &e1, None);
    let entry = |seq: i64, at: &str, action: &str, prev: &str, hash: &str| {
        json!({"engagement_id": id, "seq": seq, "at": at, "actor": "lead", "action": action,
               "detail": "{}", "prev_hash": prev, "hash": hash})
    };
    json!({
        "engagements": [{"id": id, "code": "ENG-2025-001", "processor": "旧公司",
            "kind": "internal", "affiliates": "[]", "team": "[]", "period_start": "2024-01-01",
            "period_end": "2024-12-31", "start_date": "2025-06-01", "catalog": "guideline-2025",
            "status": "open", "independence": "{}", "created_at": t1, "created_by": "lead",
            "log_len": 2, "log_head": e2}],
        "profile_snapshots": [{"engagement_id": id, "version": 1, "taken_at": t2,
            "sha256": "abc", "profile": "organisation: {}"}],
        "activity": [
            entry(1, t1, "engagement.created", log::GENESIS, &e1),
            entry(2, t2, "profile.snapshot", &e1, &e2),
        ],
    })
    .as_object()
    .unwrap()
    .clone()
}

/// Inserts `tables` as they are (only the columns they name).
fn insert_raw(store: &Store, tables: &serde_json::Map<String, serde_json::Value>) {
    let mut tx = store.begin().unwrap();
    for (name, rows) in tables {
        for row in rows.as_array().unwrap() {
            let row = row.as_object().unwrap();
            let cols: Vec<&String> = row.keys().collect();
            let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let args: Vec<Arg> = row
                .values()
                .map(|v| match v {
                    serde_json::Value::Number(n) => Arg::Int(n.as_i64().unwrap()),
                    other => Arg::Text(other.as_str().unwrap().to_string()),
                })
                .collect();
            let sql = format!(
                "INSERT INTO {name} ({}) VALUES ({})",
                cols.iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                params.join(", ")
            );
            tx.exec(&sql, &args).unwrap();
        }
    }
    tx.commit().unwrap();
}

/// A store as the previous release left it (schema 4: no state in the log) gets a logged
/// baseline when opened, verifies, and catches changes made after it.
#[test]
fn a_store_from_before_verifies_after_its_baseline() {
    let dir = std::env::temp_dir().join(format!("hegui-audit-{}-legacy", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("old.db");
    let path = path.to_str().unwrap();
    insert_raw(&Store::open_legacy(path, 4).unwrap(), &legacy_tables());
    let store = Store::open(path).unwrap();
    assert_eq!(store.version().unwrap(), 9);
    let v = verify::engagement(&store, "ENG-2025-001").unwrap();
    assert!(v.ok(), "{:?}", v.problems);
    assert_eq!(v.entries, 3, "the baseline is the third entry");
    let last = log::entries(&store, LEGACY_ID).unwrap().pop().unwrap();
    assert_eq!(last.action, "store.baseline");
    exec(&store, "UPDATE profile_snapshots SET profile = 'x'", &[]);
    let p = problems(&store, LEGACY_ID);
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].table.as_str(), p[0].row.as_str()),
        ("profile_snapshots", "1")
    );
    // Opened again: no second baseline.
    drop(store);
    let store = Store::open(path).unwrap();
    assert_eq!(log::entries(&store, LEGACY_ID).unwrap().len(), 3);
}

/// An export from a schema-4 store (its log records no state) imports after its chain
/// verifies, its rows recorded as a baseline; then it verifies like any other.
#[test]
fn an_export_from_before_imports_with_a_baseline() {
    let x = transfer::Export {
        format: transfer::FORMAT.into(),
        version: transfer::VERSION,
        exported_at: "2025-07-01T00:00:00Z".into(),
        exported_by: "lead".into(),
        schema_version: 4,
        catalog: transfer::Catalog {
            id: "guideline-2025".into(),
            files: Vec::new(),
        },
        tables: legacy_tables(),
        signature: None,
    };
    let x: transfer::Export = serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap();
    // A changed entry still breaks the chain.
    let mut bad = x.clone();
    bad.tables["activity"][1]["action"] = "other".into();
    let dst = sqlite("legacy-import");
    assert!(transfer::import(&dst, &bad, "importer", None).is_err());
    let r = transfer::import(&dst, &x, "importer", None).unwrap();
    assert!(!r.state_verified);
    assert!(verify::engagement(&dst, "ENG-2025-001").unwrap().ok());
    exec(&dst, "UPDATE engagements SET processor = 'x'", &[]);
    let p = problems(&dst, LEGACY_ID);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].field.as_deref(), Some("processor"));
}

fn exported(store: &Store, code: &str) -> transfer::Export {
    let x = transfer::export(store, code, "auditor", "2027-01-01T00:00:00Z").unwrap();
    serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap()
}

/// A forged export — a conclusion flipped, a finding and its item removed — is refused
/// naming table, row and field, and nothing of it is kept.
#[test]
fn a_forged_export_is_refused_naming_what_differs() {
    let src = sqlite("forge-src");
    let dst = sqlite("forge-dst");
    let code = worked(&src);
    let x = exported(&src, &code);
    let mut bad = x.clone();
    for row in bad.tables["working_papers"].as_array_mut().unwrap() {
        if row["checkpoint"] == "G3.1" {
            row["result"] = "compliant".into();
        }
    }
    bad.tables["findings"] = serde_json::json!([]);
    bad.tables["rectifications"] = serde_json::json!([]);
    let err = transfer::import(&dst, &bad, "importer", None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("table working_papers, row G3.1, field result"),
        "{err}"
    );
    assert!(err.contains("table findings, row F-001"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(engagement::resolve(&dst, &code).is_err());
    // An evidence record renamed in the export: refused too.
    let mut bad = x.clone();
    bad.tables["evidence"][0]["name"] = "other.pdf".into();
    let err = transfer::import(&dst, &bad, "importer", None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("table evidence, row EV-001, field name"),
        "{err}"
    );
    // A column the schema does not have, or a table that is not an engagement's: refused.
    let mut bad = x.clone();
    bad.tables["findings"][0]["extra"] = "x".into();
    assert!(transfer::import(&dst, &bad, "importer", None).is_err());
    let mut bad = x.clone();
    bad.tables
        .insert("deletion_records".into(), serde_json::json!([]));
    assert!(transfer::import(&dst, &bad, "importer", None).is_err());
    // The original imports and verifies.
    let r = transfer::import(&dst, &x, "importer", None).unwrap();
    assert!(r.state_verified);
    assert!(verify::engagement(&dst, &code).unwrap().ok());
}

/// Signed exports: a trusted key is required when given; a signature that does not match
/// the content is refused even without one.
#[test]
fn signed_exports() {
    let src = sqlite("sign-src");
    let code = worked(&src);
    let key = KeyFile::generate("审计负责人").unwrap();
    let other = KeyFile::generate("someone").unwrap();
    let mut x = exported(&src, &code);
    transfer::sign(&mut x, &key).unwrap();
    let x: transfer::Export =
        serde_json::from_str(&serde_json::to_string_pretty(&x).unwrap()).unwrap();
    // Unsigned, with a trusted key: refused.
    let unsigned = exported(&src, &code);
    let dst = sqlite("sign-dst1");
    let err = transfer::import(&dst, &unsigned, "i", Some(&key.public))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not signed"), "{err}");
    // Signed by another key than the trusted one: refused.
    let err = transfer::import(&dst, &x, "i", Some(&other.public))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not by the trusted key"), "{err}");
    // Changed after signing (even a field the log does not bind): refused without a key.
    let mut changed = x.clone();
    changed.exported_by = "mallory".into();
    let err = transfer::import(&dst, &changed, "i", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not match its content"), "{err}");
    assert!(engagement::resolve(&dst, &code).is_err());
    // By the trusted key: accepted, and the signature reported.
    let r = transfer::import(&dst, &x, "i", Some(&key.public)).unwrap();
    assert_eq!(
        r.signature,
        transfer::SignatureCheck::Valid {
            signer: "审计负责人".into(),
            public_key: key.public.clone()
        }
    );
    // Without a trusted key, a valid signature is checked and reported.
    let dst2 = sqlite("sign-dst2");
    let r = transfer::import(&dst2, &x, "i", None).unwrap();
    assert!(matches!(
        r.signature,
        transfer::SignatureCheck::Valid { .. }
    ));
}
