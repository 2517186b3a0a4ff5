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
    // The printed commands are rerunnable inside DIR: verify again from there.
    let v = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["report", "verify", "audit-report.docx"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));

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
