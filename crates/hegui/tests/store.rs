//! The store a team can trust, through the binary: writers in separate processes queue
//! instead of failing (SQLite and PostgreSQL), `verify` names what was changed behind
//! hegui's back, reports refuse an engagement that fails it, a forged export is refused,
//! and a hostile profile is refused at once.

mod common;

use std::process::Command;

use common::{fresh, hegui, ok};

use hegui_audit::store::Store;
use hegui_audit::testing::ScratchDb;

fn create(db: &str) -> String {
    let out = ok(
        db,
        &[
            "engagement",
            "create",
            "--profile",
            "examples/fintech.yaml",
            "--period",
            "2025-01-01..2025-12-31",
            "--start",
            "2026-11-23",
            "--kind",
            "commissioned",
            "--body",
            "甲会计师事务所",
            "--lead",
            "张三",
            "--attest-no-subdelegation",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["code"].as_str().unwrap().to_string()
}

/// Writes G3.1 as non-compliant after `procedure`.
fn non_compliant_paper(db: &str, code: &str, procedure: &str) {
    ok(
        db,
        &[
            "engagement",
            "paper",
            code,
            "G3.1",
            "--procedure",
            procedure,
            "--result",
            "non-compliant",
        ],
    );
}

/// The reported failure: eight `evidence add` processes at once on one engagement.
fn eight_evidence_adds(db: &str, dir: &std::path::Path) {
    let code = create(db);
    let children: Vec<_> = (0..8)
        .map(|i| {
            let file = dir.join(format!("doc-{i}.txt"));
            std::fs::write(&file, format!("document {i}")).unwrap();
            Command::new(env!("CARGO_BIN_EXE_hegui"))
                .args(["engagement", "evidence", "add", &code])
                .arg(&file)
                .args(["--source", "client", "--checkpoint", "G3.1"])
                .env("HEGUI_DATABASE_URL", db)
                .env("HEGUI_USER", "tester@firm")
                .output()
        })
        .collect();
    // `output` waits for each in turn; all eight were started before the first wait.
    for (i, c) in children.into_iter().enumerate() {
        let o = c.unwrap();
        assert!(
            o.status.success(),
            "writer {i}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let list = ok(
        db,
        &["engagement", "evidence", "list", &code, "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    let mut codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    codes.sort();
    let want: Vec<String> = (1..=8).map(|i| format!("EV-{i:03}")).collect();
    assert_eq!(codes, want);
    ok(db, &["engagement", "verify", &code]);
}

#[test]
fn sqlite_eight_evidence_adds_at_once() {
    let (dir, db) = fresh("eight");
    eight_evidence_adds(&db, &dir);
}

#[test]
fn postgres_eight_evidence_adds_at_once() {
    let Some(pg) = ScratchDb::postgres("cli_eight") else {
        return;
    };
    let (dir, _) = fresh("eight-pg");
    eight_evidence_adds(&pg.url, &dir);
}

/// Sixteen processes × ten mixed writes (`hegui bench store` starts them and checks every
/// acknowledged write, the codes and `verify`).
fn sixteen_processes(db: &str) {
    let out = ok(
        db,
        &[
            "bench",
            "store",
            "--db",
            db,
            "--processes",
            "16",
            "--writes",
            "10",
        ],
    );
    assert!(
        out.contains("every acknowledged write present (32 evidence, 32 findings"),
        "{out}"
    );
}

#[test]
fn sqlite_sixteen_processes_of_mixed_writes() {
    let (_dir, db) = fresh("sixteen");
    sixteen_processes(&db);
}

#[test]
fn postgres_sixteen_processes_of_mixed_writes() {
    let Some(pg) = ScratchDb::postgres("cli_sixteen") else {
        return;
    };
    sixteen_processes(&pg.url);
}

/// Changed behind hegui's back: `verify` exits 1 naming table, row and field; reports are
/// refused unless `--allow-unverified`, which marks every page; the log's own check
/// (`log --verify`) fails too.
#[test]
fn a_tampered_store_fails_verify_and_reports_refuse_it() {
    let (dir, db) = fresh("tampered");
    let code = create(&db);
    non_compliant_paper(&db, &code, "审阅隐私政策");
    ok(&db, &["engagement", "verify", &code]);
    {
        let store = Store::open(&db).unwrap();
        let mut tx = store.begin().unwrap();
        tx.exec(
            "UPDATE working_papers SET result = 'compliant' WHERE checkpoint = 'G3.1'",
            &[],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let o = hegui(&db, &["engagement", "verify", &code]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("working_papers") && out.contains("G3.1") && out.contains("result"),
        "{out}"
    );
    let o = hegui(&db, &["engagement", "log", &code, "--verify"]);
    assert_eq!(o.status.code(), Some(1));
    let docx = dir.join("report.docx");
    let docx = docx.to_str().unwrap();
    let o = hegui(&db, &["report", "audit", &code, "-o", docx]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("does not verify") && err.contains("field result"),
        "{err}"
    );
    assert!(!std::path::Path::new(docx).exists());
    ok(
        &db,
        &["report", "audit", &code, "-o", docx, "--allow-unverified"],
    );
    let bytes = std::fs::read(docx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut header = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/header1.xml").unwrap(), &mut header)
        .unwrap();
    assert!(header.contains("UNVERIFIED"), "{header}");
    let xlsx = dir.join("papers.xlsx");
    let o = hegui(
        &db,
        &["report", "workbook", &code, "-o", xlsx.to_str().unwrap()],
    );
    assert!(!o.status.success());
}

/// An export edited before import is refused naming what differs, and nothing is kept; a
/// signed export needs the trusted key.
#[test]
fn forged_and_signed_exports_through_the_cli() {
    let (dir, db) = fresh("export");
    let code = create(&db);
    non_compliant_paper(&db, &code, "审阅");
    let key = dir.join("lead.json");
    ok(
        &db,
        &[
            "key",
            "new",
            "--name",
            "审计负责人",
            "-o",
            key.to_str().unwrap(),
        ],
    );
    let export = dir.join("eng.json");
    ok(
        &db,
        &[
            "engagement",
            "export-json",
            &code,
            "-o",
            export.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&export).unwrap();
    let forged = text.replace("\"non_compliant\"", "\"compliant\"");
    assert_ne!(forged, text);
    let forged_path = dir.join("forged.json");
    std::fs::write(&forged_path, forged).unwrap();
    let (_d2, db2) = fresh("export-dst");
    let o = hegui(
        &db2,
        &["engagement", "import", forged_path.to_str().unwrap()],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("does not match its content") || err.contains("field result"),
        "{err}"
    );
    assert!(hegui(&db2, &["engagement", "show", &code]).status.code() != Some(0));
    let public = dir.join("lead.pub.json");
    let out = ok(
        &db2,
        &[
            "engagement",
            "import",
            export.to_str().unwrap(),
            "--trusted-key",
            public.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("signature valid, signed by 审计负责人"),
        "{out}"
    );
    ok(&db2, &["engagement", "verify", &code]);
}

/// The reported failure: ten lines of nested aliases made `hegui check` grow to 20 GB.
#[test]
fn a_billion_laughs_profile_is_refused() {
    let (dir, db) = fresh("laughs");
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let path = dir.join("laughs.yaml");
    std::fs::write(&path, text).unwrap();
    let o = hegui(&db, &["check", path.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("laughs.yaml:") && err.contains("expands to more than"),
        "{err}"
    );
}
