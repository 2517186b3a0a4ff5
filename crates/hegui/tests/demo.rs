//! `hegui demo`: the main job end to end, on the embedded SQLite default.

use std::process::Command;

fn demo(dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["demo", dir.to_str().unwrap(), "--people", "300"])
        .env_remove("HEGUI_DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn demo_writes_signed_reports_and_refuses_a_non_empty_directory() {
    let dir = std::env::temp_dir().join(format!("hegui-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = demo(&dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "audit-report.docx",
        "audit-report.docx.sig.json",
        "rectification-report.docx",
        "workpapers.xlsx",
        "obligations.json",
        "scan.json",
        "hegui.db",
        "engagement.json",
        "restored.db",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("signed by 张三 as Principal"), "{out}");
    assert!(out.contains("signed by 王五 as AuditLead"), "{out}");
    assert!(out.contains("imported ("), "{out}");
    // The privacy policy is analysed into the vault; its analysis proposes observations on
    // G3.4 that the demo's auditor accepts.
    assert!(out.contains("EV-003 sha256"), "{out}");
    assert!(out.contains("analysed as EV-004"), "{out}");
    assert!(out.contains("--accept-proposed EV-004"), "{out}");
    assert!(out.contains("proposed by EV-004 (accepted)"), "{out}");
    // The store verifies, the export is signed and checked against the trusted key, and
    // the restored store verifies too.
    assert!(out.contains(": verified — activity log intact"), "{out}");
    assert!(out.contains("signature valid, signed by 王五"), "{out}");
    assert_eq!(
        out.matches(": verified — activity log intact").count(),
        2,
        "{out}"
    );
    // The printed commands are rerunnable inside DIR: verify again from there.
    let v = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["report", "verify", "audit-report.docx"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));

    pdf_report_checks(&dir, &out);
    office_suite_opens(&dir);
    team_can_sign_in(&dir, &out);

    // The export is readable by its owner only (it carries the vault key); a truncated
    // export is refused with the place it breaks, and nothing is imported.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("engagement.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    let text = std::fs::read(dir.join("engagement.json")).unwrap();
    std::fs::write(dir.join("cut.json"), &text[..text.len() / 2]).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["engagement", "--db", "cut.db", "import", "cut.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cut.json: not a hegui engagement export") && err.contains("line"),
        "{err}"
    );
    std::fs::remove_file(dir.join("cut.json")).unwrap();
    let _ = std::fs::remove_file(dir.join("cut.db"));

    // A second run never touches what the first wrote.
    let before = std::fs::read(dir.join("hegui.db")).unwrap();
    let o = demo(&dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    assert_eq!(std::fs::read(dir.join("hegui.db")).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The PDF audit report: written and signed when the machine has a CJK font (`.ci/run`
/// installs one; under CI its absence fails), and its text — read back with pdftotext —
/// holds the headings and the checkpoints' conclusions in Chinese.
fn pdf_report_checks(dir: &std::path::Path, stdout: &str) {
    let pdf = dir.join("audit-report.pdf");
    if !pdf.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no PDF under CI (.ci/run installs fonts-noto-cjk):\n{stdout}"
        );
        eprintln!("SKIPPED: the demo wrote no PDF (no CJK font here?)");
        return;
    }
    assert!(dir.join("audit-report.pdf.sig.json").is_file());
    assert!(stdout.contains("audit-report.pdf: intact"), "{stdout}");
    let Ok(o) = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext missing under CI"
        );
        eprintln!("SKIPPED: pdftotext not installed");
        return;
    };
    let text = String::from_utf8(o.stdout).unwrap();
    for heading in [
        "个人信息保护合规审计报告",
        "一、基本情况",
        "五、审计结果",
        "六、发现的问题",
        "九、签署",
    ] {
        assert!(text.contains(heading), "{heading} missing from the PDF");
    }
    // The demo's working papers: G3.1 compliant, G3.4 partly (its observation accepted
    // from the privacy policy's analysis), G13.4 not; each conclusion sits on its
    // checkpoint's row in the results table.
    let row = |id: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(id) && l.contains('（'))
            .unwrap_or_else(|| panic!("no results row for {id}"))
            .to_string()
    };
    assert!(row("G3.1").contains("符合") && !row("G3.1").contains("不符合"));
    assert!(row("G13.4").contains("不符合"));
    assert!(row("G3.4").contains("部分符合"));
    let squeezed: String = text.split_whitespace().collect();
    assert!(
        squeezed.contains("符合1个，部分符合1个，不符合1个"),
        "summary line"
    );
    // The analysed policy: quoted in section 五 as a tool's reading, its planted omissions
    // (retention only restating the law, nothing on what happens after it) named.
    assert!(
        squeezed.contains("（附）个人信息处理规则审阅"),
        "policy review"
    );
    assert!(
        squeezed.contains("C07") && squeezed.contains("C08"),
        "flagged elements"
    );

    // One flipped byte of the signed PDF fails verification.
    let mut bytes = std::fs::read(&pdf).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&pdf, &bytes).unwrap();
    let v = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["report", "verify", "audit-report.pdf"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(1));
    bytes[mid] ^= 1;
    std::fs::write(&pdf, &bytes).unwrap();
}

/// The editable files open in a real office suite: LibreOffice (headless) converts the
/// DOCX reports and the XLSX workbook, and the converted text holds what hegui wrote.
/// `.ci/run` installs LibreOffice; elsewhere the check is skipped with a message.
fn office_suite_opens(dir: &std::path::Path) {
    let out = dir.join("office");
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", out.display());
    let files = [
        ("audit-report.docx", "五、审计结果"),
        ("rectification-report.docx", "整改情况报告"),
        ("workpapers.xlsx", "北京信和数字科技有限公司"),
    ];
    let o = Command::new("soffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(files.iter().map(|(f, _)| dir.join(f)))
        .output();
    match o {
        Ok(o) if o.status.success() => {}
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "LibreOffice did not run under CI: {other:?}"
            );
            eprintln!("SKIPPED: LibreOffice (soffice) not available: {other:?}");
            return;
        }
    }
    for (file, expect) in files {
        let pdf = out.join(file).with_extension("pdf");
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        assert!(
            text.contains(expect),
            "LibreOffice did not render {file} ({expect:?} missing from {})",
            pdf.display()
        );
    }
}

/// The demo ends with an account per role, members of its engagement, on a store marked as
/// a demo (no second factor): each printed password signs its account in.
fn team_can_sign_in(dir: &std::path::Path, stdout: &str) {
    use hegui_audit::{accounts, members, store::Store};
    let store = Store::open(dir.join("hegui.db").to_str().unwrap()).unwrap();
    assert!(accounts::mfa_relaxed(&store).unwrap());
    let list = members::list(&store, "ENG-2026-001").unwrap();
    assert_eq!(list.len(), 5, "{list:?}");
    for role in ["lead", "auditor", "reviewer", "client", "viewer"] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{role} ")))
            .unwrap_or_else(|| panic!("no password printed for {role}:\n{stdout}"));
        let password = line.split_whitespace().last().unwrap();
        assert!(
            accounts::check_credentials(&store, role, password).is_ok(),
            "{role}"
        );
        assert!(list
            .iter()
            .any(|m| m.user == role && m.role.as_str() == role));
    }
    assert!(stdout.contains("http://127.0.0.1:8080"));
}
