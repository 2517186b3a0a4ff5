//! Evidence requests through the command line, as each person: the lead drafts them from
//! the scope and sends them, the client answers, the auditor returns and accepts; comments,
//! review notes and the inbox; the PBC workbook out and back with a row edited, a row
//! deleted and a foreign row added.

mod common;

use std::process::Command;

use common::fresh;

/// Runs hegui on `db` as `who`.
fn as_(db: &str, who: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("HEGUI_DATABASE_URL", db)
        .env("HEGUI_USER", who)
        .output()
        .expect("run hegui")
}

fn ok(db: &str, who: &str, args: &[&str]) -> String {
    let o = as_(db, who, args);
    assert!(
        o.status.success(),
        "{who}: {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn fails(db: &str, who: &str, args: &[&str]) -> String {
    let o = as_(db, who, args);
    assert!(!o.status.success(), "{who}: {args:?} succeeded");
    String::from_utf8(o.stderr).unwrap()
}

/// An engagement with a lead, an auditor, a reviewer and two clients; its code.
fn setup(db: &str) -> String {
    let out = ok(
        db,
        "lead",
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
            "甲所",
            "--lead",
            "lead",
            "--attest-no-subdelegation",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let code = v["code"].as_str().unwrap().to_string();
    for (name, role) in [
        ("lead", "lead"),
        ("aud", "auditor"),
        ("rev", "reviewer"),
        ("cli", "client"),
        ("cli2", "client"),
    ] {
        ok(db, "admin", &["user", "add", name, "--generate-password"]);
        ok(
            db,
            "admin",
            &["engagement", "member", "set", &code, name, "--role", role],
        );
    }
    code
}

#[test]
fn the_request_loop_through_the_cli() {
    let (dir, db) = fresh("requests-cli");
    let db = db.as_str();
    let e = setup(db);
    let e = e.as_str();
    let out = ok(db, "lead", &["engagement", "request", "generate", e]);
    assert!(out.lines().count() > 20, "{out}");
    // A reviewer drafts nothing; a client sees no draft.
    let err = fails(
        db,
        "rev",
        &["engagement", "request", "add", e, "--title", "x"],
    );
    assert!(err.contains("needs the role lead or auditor"), "{err}");
    assert_eq!(
        ok(db, "cli", &["engagement", "requests", e, "--format", "csv"])
            .lines()
            .count(),
        1
    );
    ok(
        db,
        "lead",
        &[
            "engagement",
            "request",
            "edit",
            e,
            "PBC-001",
            "--assignee",
            "cli",
            "--due",
            "2026-12-18",
        ],
    );
    ok(
        db,
        "lead",
        &[
            "engagement",
            "request",
            "edit",
            e,
            "PBC-002",
            "--assignee",
            "cli",
        ],
    );
    let sent = ok(db, "lead", &["engagement", "request", "send", e, "--all"]);
    assert!(sent.contains("PBC-001\tdue 2026-12-18"), "{sent}");
    assert_eq!(sent.lines().count(), 2, "{sent}");
    let file = dir.join("同意记录.pdf");
    std::fs::write(&file, b"%PDF-1.7 consent log").unwrap();
    let file = file.to_str().unwrap();
    let err = fails(
        db,
        "cli2",
        &["engagement", "request", "upload", e, "PBC-001", file],
    );
    assert!(err.contains("no request PBC-001"), "{err}");
    ok(
        db,
        "cli",
        &[
            "engagement",
            "request",
            "upload",
            e,
            "PBC-001",
            file,
            "--effective",
            "2025-12-31",
        ],
    );
    ok(
        db,
        "cli",
        &["engagement", "request", "submit", e, "PBC-001"],
    );
    let err = fails(
        db,
        "cli",
        &["engagement", "request", "remove-file", e, "PBC-001", "1"],
    );
    assert!(err.contains("submitted"), "{err}");
    let err = fails(
        db,
        "aud",
        &[
            "engagement",
            "request",
            "return",
            e,
            "PBC-001",
            "--reason",
            " ",
        ],
    );
    assert!(err.contains("needs a reason"), "{err}");
    ok(
        db,
        "aud",
        &[
            "engagement",
            "request",
            "return",
            e,
            "PBC-001",
            "--reason",
            "缺少盖章页",
            "--reject-file",
            "1",
        ],
    );
    let shown = ok(db, "cli", &["engagement", "request", "show", e, "PBC-001"]);
    assert!(
        shown.contains("returned: 缺少盖章页") && shown.contains("(rejected)"),
        "{shown}"
    );
    ok(
        db,
        "cli",
        &["engagement", "request", "upload", e, "PBC-001", file],
    );
    ok(
        db,
        "cli",
        &["engagement", "request", "submit", e, "PBC-001"],
    );
    let acc = ok(
        db,
        "aud",
        &["engagement", "request", "accept", e, "PBC-001"],
    );
    assert!(acc.contains("evidence EV-001"), "{acc}");
    let papers = ok(db, "aud", &["engagement", "papers", e, "--format", "json"]);
    assert!(
        papers.contains("EV-001"),
        "the accepted file is on its working paper"
    );
    let out = dir.join("got.pdf");
    ok(
        db,
        "cli",
        &[
            "engagement",
            "request",
            "get",
            e,
            "PBC-001",
            "2",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-1.7 consent log");
    // Comments and the inbox.
    ok(
        db,
        "aud",
        &[
            "engagement",
            "comment",
            "add",
            e,
            "PBC-002",
            "请 @cli 一并提供 2024 年记录",
        ],
    );
    ok(
        db,
        "aud",
        &[
            "engagement",
            "comment",
            "add",
            e,
            "PBC-002",
            "客户回复慢",
            "--internal",
        ],
    );
    let seen = ok(
        db,
        "cli",
        &[
            "engagement",
            "comment",
            "list",
            e,
            "PBC-002",
            "--format",
            "csv",
        ],
    );
    assert!(
        seen.contains("2024") && !seen.contains("客户回复慢"),
        "{seen}"
    );
    let inbox = ok(db, "cli", &["notify", "list", "--format", "csv"]);
    assert!(
        inbox.contains("提到了您") && inbox.contains("已接受"),
        "{inbox}"
    );
    // Review notes: raised by the reviewer, never read by a client.
    let rn = ok(
        db,
        "rev",
        &[
            "engagement",
            "note",
            "raise",
            e,
            "G2.1",
            "同意记录的抽样依据？",
        ],
    );
    assert_eq!(rn.trim(), "RN-001");
    let err = fails(db, "cli", &["engagement", "note", "list", e]);
    assert!(err.contains("audit team"), "{err}");
    ok(
        db,
        "aud",
        &["engagement", "note", "answer", e, "RN-001", "全量核对"],
    );
    // Neither the note nor the internal comment is in a report.
    let docx = dir.join("report.docx");
    let out = docx.to_str().unwrap();
    ok(
        db,
        "lead",
        &["report", "audit", e, "-o", out, "--principal", "所长"],
    );
    let text = docx_text(&docx);
    assert!(text.contains("G2.1"), "the report rendered");
    for secret in ["同意记录的抽样依据", "全量核对", "客户回复慢"] {
        assert!(!text.contains(secret), "{secret:?} is in the report");
    }
    ok(db, "rev", &["engagement", "note", "clear", e, "RN-001"]);
    ok(db, "lead", &["engagement", "verify", e]);
}

/// The workbook as the auditee sends it back: `edit` says what each data row becomes
/// (`None`: deleted); `extra` rows are added at the end.
fn edited_copy(
    src: &std::path::Path,
    dst: &std::path::Path,
    edit: impl Fn(&[String]) -> Option<Vec<String>>,
    extra: &[Vec<String>],
) {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(src).unwrap();
    let range = wb.worksheet_range("PBC").unwrap();
    let mut rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let head = rows.remove(0);
    let mut out = vec![head];
    out.extend(rows.iter().filter_map(|r| edit(r)));
    out.extend(extra.iter().cloned());
    let mut w = rust_xlsxwriter::Workbook::new();
    let ws = w.add_worksheet();
    ws.set_name("PBC").unwrap();
    for (i, r) in out.iter().enumerate() {
        for (j, c) in r.iter().enumerate() {
            ws.write_string(i as u32, j as u16, c).unwrap();
        }
    }
    w.save(dst).unwrap();
}

#[test]
fn the_pbc_workbook_round_trip() {
    let (dir, db) = fresh("requests-xlsx");
    let db = db.as_str();
    let e = setup(db);
    let e = e.as_str();
    for t in ["隐私政策", "同意记录", "日志留存记录"] {
        ok(
            db,
            "lead",
            &[
                "engagement",
                "request",
                "add",
                e,
                "--title",
                t,
                "--checkpoint",
                "G3.1",
                "--assignee",
                "cli",
            ],
        );
    }
    ok(
        db,
        "lead",
        &["engagement", "request", "add", e, "--title", "草稿不外发"],
    );
    ok(
        db,
        "lead",
        &[
            "engagement",
            "request",
            "send",
            e,
            "PBC-001",
            "PBC-002",
            "PBC-003",
        ],
    );
    let sheet = dir.join("pbc.xlsx");
    ok(
        db,
        "lead",
        &[
            "engagement",
            "requests",
            e,
            "--format",
            "xlsx",
            "-o",
            sheet.to_str().unwrap(),
        ],
    );
    let back = dir.join("pbc-back.xlsx");
    // PBC-001: not applicable with a reason; PBC-002: deleted; PBC-003: a note only;
    // a foreign row for the draft, one for a request that never was, and one with a
    // status the column does not know.
    let status = 13;
    let notes = 14;
    let row = |code: &str, st: &str, note: &str| {
        let mut r = vec![String::new(); 15];
        r[0] = code.into();
        r[status] = st.into();
        r[notes] = note.into();
        r
    };
    edited_copy(
        &sheet,
        &back,
        |r| match r[0].as_str() {
            "PBC-001" => Some(row("PBC-001", "不适用", "本期未开展")),
            "PBC-002" => None,
            "PBC-003" => Some(row("PBC-003", "", "下周提供")),
            _ => Some(r.to_vec()),
        },
        &[
            row("PBC-004", "进行中", "?"),
            row("PBC-099", "已提交", ""),
            row("PBC-003", "搞定了", ""),
        ],
    );
    let o = as_(
        db,
        "cli",
        &["engagement", "request", "import", e, back.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "rows were refused: {stderr}");
    assert!(
        stdout.contains("row 2: PBC-001 note added as a comment; marked not applicable"),
        "{stdout}"
    );
    assert!(
        stdout.contains("row 3: PBC-003 note added as a comment"),
        "{stdout}"
    );
    assert!(stderr.contains("row 4: PBC-004 was not sent"), "{stderr}");
    assert!(stderr.contains("row 5: PBC-099 was not sent"), "{stderr}");
    assert!(
        stderr.contains("row 6: status \"搞定了\" is not one of"),
        "{stderr}"
    );
    let listed = ok(
        db,
        "lead",
        &["engagement", "requests", e, "--format", "csv"],
    );
    assert_eq!(
        listed.lines().count(),
        5,
        "no request created or removed: {listed}"
    );
    assert!(listed.contains("PBC-001,in_progress"), "{listed}");
    // The same workbook again adds nothing new.
    let again = as_(
        db,
        "cli",
        &["engagement", "request", "import", e, back.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 row(s) applied"));
    // A file that is not a workbook is a clear error.
    std::fs::write(dir.join("not.xlsx"), b"plain text").unwrap();
    let err = fails(
        db,
        "cli",
        &[
            "engagement",
            "request",
            "import",
            e,
            dir.join("not.xlsx").to_str().unwrap(),
        ],
    );
    assert!(err.contains("not an XLSX workbook"), "{err}");
}

fn docx_text(path: &std::path::Path) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    hegui_report::docx::document_text(&xml)
}
