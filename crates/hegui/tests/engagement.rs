//! `hegui engagement …` end to end through the binary, on a SQLite file.

mod common;

use std::process::Command;

use common::{fresh, hegui, ok};

#[test]
fn create_scope_extend_and_verify() {
    let dir = std::env::temp_dir().join(format!("hegui-eng-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("hegui.db");
    let db = db.to_str().unwrap();
    let base = [
        "engagement",
        "create",
        "--profile",
        "examples/large-platform.yaml",
        "--period",
        "2025-01-01..2025-12-31",
        "--start",
        "2026-11-23",
        "--format",
        "json",
    ];
    // Ordered audit after the 2026 incident: trigger and deadline required.
    let mut args = base.to_vec();
    args.extend([
        "--kind",
        "ordered",
        "--body",
        "丁数据合规咨询有限公司",
        "--lead",
        "孙七",
        "--attest-no-subdelegation",
    ]);
    let o = hegui(db, &args);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--trigger"));
    args.extend(["--trigger", "incident", "--deadline", "2027-02-26"]);
    let o = hegui(db, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["code"], "ENG-2026-001");
    assert_eq!(e["trigger"], "incident");
    // Without the Art. 14 attestation a commissioned audit is refused, and nothing is stored.
    let mut refused = base.to_vec();
    refused.extend(["--kind", "commissioned", "--body", "戊所", "--lead", "钱八"]);
    let o = hegui(db, &refused);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("MEASURES 14"));
    let list = hegui(db, &["engagement", "list", "--format", "json"]);
    assert_eq!(
        serde_json::from_slice::<Vec<serde_json::Value>>(&list.stdout)
            .unwrap()
            .len(),
        1
    );
    // Scope decision, extension, profile version, log.
    let o = hegui(
        db,
        &[
            "engagement",
            "scope",
            "ENG-2026-001",
            "--exclude",
            "G26.3",
            "--reason",
            "平台规则执行抽样留待下一年度",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let scope: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let g263 = scope.iter().find(|s| s["checkpoint"] == "G26.3").unwrap();
    assert_eq!(
        (g263["decision"].as_str(), g263["decided_by"].as_str()),
        (Some("no"), Some("tester@firm"))
    );
    let o = hegui(
        db,
        &[
            "engagement",
            "extend",
            "ENG-2026-001",
            "--until",
            "2027-03-31",
            "--approval",
            "网信发〔2027〕1号",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("2027-03-31"));
    let o = hegui(
        db,
        &[
            "engagement",
            "profile",
            "ENG-2026-001",
            "--update",
            "examples/large-platform.yaml",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("version 2"));
    let o = hegui(db, &["engagement", "log", "ENG-2026-001", "--verify"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("activity log intact"));
    let o = hegui(
        db,
        &["engagement", "log", "ENG-2026-001", "--format", "json"],
    );
    let log: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let actions: Vec<&str> = log.iter().map(|x| x["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"deadline.extended") && actions.contains(&"scope.excluded"));
    assert!(log.iter().all(|x| x["actor"] == "tester@firm"));
    let o = hegui(db, &["engagement", "show", "ENG-2099-001"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no engagement ENG-2099-001"));
}

#[test]
fn papers_findings_and_rectification() {
    let (_dir, db) = fresh("cli2");
    let db = db.as_str();
    let ok = |args: &[&str]| ok(db, args);
    ok(&[
        "engagement",
        "create",
        "--profile",
        "examples/fintech.yaml",
        "--kind",
        "ordered",
        "--trigger",
        "major-risk",
        "--deadline",
        "2026-03-31",
        "--body",
        "丁所",
        "--lead",
        "孙七",
        "--period",
        "2025-01-01..2025-12-31",
        "--start",
        "2025-08-01",
        "--attest-no-subdelegation",
    ]);
    // A working paper with a reproducible sample, prepared by one person and reviewed by another.
    let out = ok(&[
        "engagement",
        "paper",
        "ENG-2025-001",
        "G13.4",
        "--procedure",
        "抽查影响评估报告",
        "--population",
        "授信申请",
        "--population-size",
        "120000",
        "--confidence",
        "95",
        "--tolerable",
        "5",
        "--seed",
        "42",
        "--evidence",
        "EV-1",
        "--result",
        "non-compliant",
        "--prepare",
        "--actor",
        "alice",
        "--format",
        "json",
    ]);
    let paper: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(paper["sample"]["size"], 59);
    let sample = ok(&[
        "sample",
        "--population",
        "120000",
        "--seed",
        "42",
        "--format",
        "json",
    ]);
    let sample: serde_json::Value = serde_json::from_str(&sample).unwrap();
    assert_eq!(
        paper["sample"]["items"], sample["items"],
        "the same seed selects the same items"
    );
    let o = hegui(
        db,
        &[
            "engagement",
            "paper",
            "ENG-2025-001",
            "G13.4",
            "--review",
            "--actor",
            "alice",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    ok(&[
        "engagement",
        "paper",
        "ENG-2025-001",
        "G13.4",
        "--review",
        "--actor",
        "bob",
    ]);
    // A finding, its rectification, and the Art. 11 due date across National Day.
    let f = ok(&[
        "engagement",
        "finding",
        "ENG-2025-001",
        "--checkpoint",
        "G13.4",
        "--severity",
        "high",
        "--title",
        "未事前评估",
    ]);
    let f = f.trim();
    assert_eq!(f, "F-001");
    ok(&[
        "engagement",
        "rectify",
        "ENG-2025-001",
        f,
        "--owner",
        "合规部",
        "--measure",
        "补做评估",
        "--due",
        "2025-09-30",
    ]);
    let o = hegui(
        db,
        &[
            "engagement",
            "rectify",
            "ENG-2025-001",
            f,
            "--item",
            "1",
            "--status",
            "closed",
            "--closed-on",
            "2025-09-26",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "closing needs verification evidence"
    );
    let out = ok(&[
        "engagement",
        "rectify",
        "ENG-2025-001",
        f,
        "--item",
        "1",
        "--status",
        "closed",
        "--verification",
        "EV-9",
        "--closed-on",
        "2025-09-26",
    ]);
    assert!(out.contains("report due by 2025-10-23"), "{out}");
    let ledger: serde_json::Value = serde_json::from_str(&ok(&[
        "engagement",
        "ledger",
        "ENG-2025-001",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(ledger["report_due"], "2025-10-23");
    assert!(ok(&["engagement", "log", "ENG-2025-001", "--verify"]).contains("verified"));
}

#[test]
fn evidence_vault_through_the_cli() {
    let (dir, db) = fresh("cli3");
    let db = db.as_str();
    let ok = |args: &[&str]| ok(db, args);
    ok(&[
        "engagement",
        "create",
        "--profile",
        "examples/small-merchant.yaml",
        "--kind",
        "internal",
        "--lead",
        "内审部",
        "--period",
        "2025-01-01..2025-12-31",
        "--start",
        "2026-11-23",
    ]);
    // A scan of generated data, attached as evidence, lands on G19.3 / G20.2.
    let data = dir.join("data");
    let d = data.to_str().unwrap();
    ok(&["gen", d, "--people", "50", "--log-lines", "50"]);
    let report = dir.join("scan.json");
    ok(&[
        "scan",
        d,
        "--exclude",
        "truth.jsonl",
        "--full",
        "--format",
        "jsonl",
        "--report",
        report.to_str().unwrap(),
    ]);
    let out = ok(&[
        "engagement",
        "evidence",
        "add",
        "ENG-2026-001",
        report.to_str().unwrap(),
        "--kind",
        "scan",
        "--source",
        "hegui scan of the CRM export",
        "--format",
        "json",
    ]);
    let item: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cps: Vec<&str> = item["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(cps.contains(&"G20.2") && cps.contains(&"G19.3"), "{cps:?}");
    let papers = ok(&["engagement", "papers", "ENG-2026-001", "--format", "json"]);
    assert!(papers.contains("EV-001"));
    // Round trip and verification.
    let back = dir.join("back.json");
    ok(&[
        "engagement",
        "evidence",
        "get",
        "ENG-2026-001",
        "EV-001",
        "-o",
        back.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(&report).unwrap()
    );
    assert!(ok(&["engagement", "evidence", "verify", "ENG-2026-001"])
        .contains("1 evidence item(s) decrypted and verified"));
    assert!(ok(&["engagement", "log", "ENG-2026-001", "--verify"]).contains("verified"));
}

#[test]
fn a_killed_process_loses_no_acknowledged_write() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("hegui-eng-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("hegui.db");
    let db = db.to_str().unwrap();
    let o = hegui(
        db,
        &[
            "engagement",
            "create",
            "--profile",
            "examples/small-merchant.yaml",
            "--kind",
            "internal",
            "--lead",
            "内审部",
            "--period",
            "2025-01-01..2025-12-31",
            "--start",
            "2026-11-23",
        ],
    );
    assert!(o.status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["engagement", "stress", "ENG-2026-001", "--writes", "100000"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("HEGUI_DATABASE_URL", db)
        .env("HEGUI_USER", "stress")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = 0i64;
    while acked < 60 {
        let line = lines.next().expect("the writer acknowledges").unwrap();
        acked = line.trim_start_matches("ack ").parse().unwrap();
    }
    // SIGKILL in the middle of the writing.
    child.kill().unwrap();
    child.wait().unwrap();
    let o = hegui(
        db,
        &[
            "engagement",
            "paper",
            "ENG-2026-001",
            "G3.1",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let revision = p["revision"].as_i64().unwrap();
    assert!(
        revision >= acked,
        "acknowledged revision {acked} lost: the store has {revision}"
    );
    let o = hegui(db, &["engagement", "log", "ENG-2026-001", "--verify"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn full_engagement_from_creation_to_purge() {
    let (dir, db) = fresh("full");
    let db = db.as_str();
    let ok = |args: &[&str]| ok(db, args);
    let key = dir.join("lead.json");
    ok(&["key", "new", "--name", "王五", "-o", key.to_str().unwrap()]);
    ok(&[
        "engagement",
        "create",
        "--profile",
        "examples/fintech.yaml",
        "--kind",
        "commissioned",
        "--body",
        "乙会计师事务所",
        "--lead",
        "王五",
        "--period",
        "2025-01-01..2025-12-31",
        "--start",
        "2026-11-23",
        "--attest-no-subdelegation",
    ]);
    ok(&[
        "engagement",
        "scope",
        "ENG-2026-001",
        "--exclude",
        "G9.6",
        "--reason",
        "无差别定价",
    ]);
    let policy = dir.join("policy.txt");
    std::fs::write(&policy, "隐私政策 v3").unwrap();
    ok(&[
        "engagement",
        "evidence",
        "add",
        "ENG-2026-001",
        policy.to_str().unwrap(),
        "--source",
        "官网",
        "--checkpoint",
        "G3.1",
    ]);
    ok(&[
        "engagement",
        "paper",
        "ENG-2026-001",
        "G3.1",
        "--procedure",
        "核对名称与联系方式",
        "--result",
        "compliant",
        "--prepare",
        "--actor",
        "alice",
    ]);
    ok(&[
        "engagement",
        "paper",
        "ENG-2026-001",
        "G3.1",
        "--review",
        "--actor",
        "bob",
    ]);
    let f = ok(&[
        "engagement",
        "finding",
        "ENG-2026-001",
        "--checkpoint",
        "G23.1",
        "--severity",
        "medium",
        "--title",
        "营销活动缺评估",
    ]);
    ok(&[
        "engagement",
        "rectify",
        "ENG-2026-001",
        f.trim(),
        "--owner",
        "合规部",
        "--measure",
        "补做评估",
        "--due",
        "2026-12-31",
    ]);
    ok(&[
        "engagement",
        "rectify",
        "ENG-2026-001",
        f.trim(),
        "--item",
        "1",
        "--status",
        "closed",
        "--verification",
        "EV-001",
        "--closed-on",
        "2026-12-15",
    ]);
    ok(&["engagement", "close", "ENG-2026-001"]);
    let archive = dir.join("archive");
    ok(&[
        "engagement",
        "export",
        "ENG-2026-001",
        archive.to_str().unwrap(),
    ]);
    assert!(archive.join("engagement.json").exists());
    let o = hegui(
        db,
        &[
            "engagement",
            "purge",
            "ENG-2026-001",
            "--key",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "purging needs --yes");
    ok(&[
        "engagement",
        "purge",
        "ENG-2026-001",
        "--key",
        key.to_str().unwrap(),
        "--yes",
    ]);
    let d: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&["engagement", "deletions", "--format", "json"])).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0]["valid"].as_bool(), d[0]["record"]["signer"].as_str()),
        (Some(true), Some("王五"))
    );
    assert_eq!(
        hegui(db, &["engagement", "show", "ENG-2026-001"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn workbook_parses_back_and_signed_reports_verify() {
    use calamine::{open_workbook, Reader, Xlsx};
    let (dir, db) = fresh("report");
    let db = db.as_str();
    let ok = |args: &[&str]| ok(db, args);
    ok(&[
        "engagement",
        "create",
        "--profile",
        "examples/fintech.yaml",
        "--kind",
        "commissioned",
        "--body",
        "乙所",
        "--lead",
        "王五",
        "--period",
        "2025-01-01..2025-12-31",
        "--start",
        "2026-11-23",
        "--attest-no-subdelegation",
    ]);
    let ev = dir.join("policy.txt");
    std::fs::write(&ev, "隐私政策").unwrap();
    ok(&[
        "engagement",
        "evidence",
        "add",
        "ENG-2026-001",
        ev.to_str().unwrap(),
        "--source",
        "官网",
        "--checkpoint",
        "G13.4",
    ]);
    ok(&[
        "engagement",
        "paper",
        "ENG-2026-001",
        "G13.4",
        "--procedure",
        "抽查",
        "--result",
        "non-compliant",
        "--observations",
        "缺评估",
    ]);
    let f = ok(&[
        "engagement",
        "finding",
        "ENG-2026-001",
        "--checkpoint",
        "G13.4",
        "--severity",
        "high",
        "--title",
        "未事前评估",
    ]);
    ok(&[
        "engagement",
        "rectify",
        "ENG-2026-001",
        f.trim(),
        "--owner",
        "合规部",
        "--measure",
        "补做评估",
        "--due",
        "2026-12-31",
    ]);
    let xlsx = dir.join("papers.xlsx");
    ok(&[
        "report",
        "workbook",
        "ENG-2026-001",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 1 + 26 + 2, "{names:?}");
    // Sheet 0 is the overview; focus area 十三 (item 13) is sheet 12.
    assert!(names[12].starts_with("十三"), "{}", names[12]);
    let area = wb.worksheet_range(&names[12]).unwrap();
    let g134 = area.rows().find(|r| r[0] == "G13.4").unwrap();
    assert_eq!(g134[3].to_string(), "不符合");
    assert_eq!(g134[6].to_string(), "EV-001");
    let ledger = wb.worksheet_range(&names[27]).unwrap();
    assert!(ledger.rows().any(|r| r[0] == "F-001/1"));
    // The audit report and the rectification report (DOCX) parse back with the headings,
    // each checkpoint's conclusion and the Art. 10 signature block.
    let docx = dir.join("report.docx");
    ok(&[
        "report",
        "audit",
        "ENG-2026-001",
        "-o",
        docx.to_str().unwrap(),
        "--principal",
        "所长",
        "--date",
        "2026-12-20",
    ]);
    let text = docx_text(&docx);
    for heading in [
        "个人信息保护合规审计报告",
        "一、基本情况",
        "二、审计依据",
        "三、审计范围和期间",
        "四、审计方法与抽样",
        "五、审计结果",
        "（十三）",
        "六、发现的问题",
        "高风险问题（1 项）",
        "七、整改建议",
        "八、审计局限性",
        "九、签署",
        "专业机构主要负责人（签字）：所长",
        "合规审计负责人（签字）：王五",
        "专业机构（公章）：乙所",
        "日期：2026-12-20",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    let g134 = text.find("\nG13.4\n").expect("G13.4 row");
    let row: Vec<&str> = text[g134 + 1..].lines().take(4).collect();
    assert_eq!(row[2], "不符合", "{row:?}");
    assert_eq!(row[3], "缺评估", "{row:?}");
    // In English on request: the Guideline's translation, conclusions and the signature block.
    let en = dir.join("report-en.docx");
    ok(&[
        "report",
        "audit",
        "ENG-2026-001",
        "-o",
        en.to_str().unwrap(),
        "--principal",
        "所长",
        "--lang",
        "en",
    ]);
    let text = docx_text(&en);
    for heading in [
        "Personal Information Protection Compliance Audit Report",
        "1. Basic information",
        "5. Results",
        "High severity (1)",
        "9. Signatures",
        "Principal of the professional body (signature): 所长",
        "Audit lead (signature): 王五",
        "Measures Art. 10:",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    let g134 = text.find("\nG13.4\n").expect("G13.4 row");
    let row: Vec<&str> = text[g134 + 1..].lines().take(4).collect();
    assert_eq!(row[2], "Non-compliant", "{row:?}");
    // The same English report as a PDF (chosen by the extension).
    let en_pdf = dir.join("report-en.pdf");
    if let Some(text) = pdf_text(db, &en_pdf, &["--lang", "en"]) {
        for want in ["5. Results", "9. Signatures", "Measures Art. 10"] {
            assert!(text.contains(want), "{want} missing from the English PDF");
        }
        let row = text.lines().find(|l| l.trim_start().starts_with("G13.4 "));
        assert!(row.expect("G13.4 row").contains("Non-compliant"));
    }
    let rect = dir.join("rectification.docx");
    ok(&[
        "report",
        "rectification",
        "ENG-2026-001",
        "-o",
        rect.to_str().unwrap(),
    ]);
    let text = docx_text(&rect);
    assert!(text.contains("个人信息保护合规审计整改情况报告"));
    assert!(text.contains("F-001/1\n[高] 未事前评估\n补做评估\n合规部\n2026-12-31\n未开始"));
    // Two signatories; verification; a flipped byte fails.
    let (principal, lead) = (dir.join("principal.json"), dir.join("lead.json"));
    ok(&[
        "key",
        "new",
        "--name",
        "所长",
        "-o",
        principal.to_str().unwrap(),
    ]);
    ok(&["key", "new", "--name", "王五", "-o", lead.to_str().unwrap()]);
    let report = xlsx.to_str().unwrap();
    ok(&[
        "report",
        "sign",
        report,
        "--engagement",
        "ENG-2026-001",
        "--key",
        principal.to_str().unwrap(),
        "--role",
        "principal",
    ]);
    ok(&[
        "report",
        "sign",
        report,
        "--engagement",
        "ENG-2026-001",
        "--key",
        lead.to_str().unwrap(),
        "--role",
        "audit-lead",
    ]);
    let out = ok(&["report", "verify", report]);
    assert!(
        out.contains("signed by 所长 as Principal") && out.contains("signed by 王五 as AuditLead"),
        "{out}"
    );
    let mut bytes = std::fs::read(&xlsx).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&xlsx, &bytes).unwrap();
    let o = hegui(db, &["report", "verify", report]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not match the signed report"));
}

/// Renders the audit report of ENG-2026-001 as the PDF `path` and returns its text
/// (pdftotext -layout); `None`, with a message, where the machine has no CJK font or no
/// pdftotext — which fails under CI, where `.ci/run` installs both.
fn pdf_text(db: &str, path: &std::path::Path, extra: &[&str]) -> Option<String> {
    let mut args = vec![
        "report",
        "audit",
        "ENG-2026-001",
        "-o",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = hegui(db, &args);
    let err = String::from_utf8_lossy(&o.stderr);
    if !o.status.success() && err.contains("no font with Chinese glyphs") {
        assert!(std::env::var_os("CI").is_none(), "{err}");
        eprintln!("SKIPPED: {err}");
        return None;
    }
    assert!(o.status.success(), "{err}");
    match Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
    {
        Ok(t) if t.status.success() => Some(String::from_utf8(t.stdout).unwrap()),
        other => {
            assert!(std::env::var_os("CI").is_none(), "pdftotext: {other:?}");
            eprintln!("SKIPPED: pdftotext did not run: {other:?}");
            None
        }
    }
}

/// The visible text of a DOCX file's body, paragraph by paragraph.
fn docx_text(path: &std::path::Path) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    hegui_report::docx::document_text(&xml)
}
