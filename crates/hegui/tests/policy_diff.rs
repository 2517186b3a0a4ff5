//! `hegui policy diff OLD NEW`: two versions compared element by element, on all five
//! formats, with the passages that went and came and the exit code saying whether anything
//! got worse.

use std::process::{Command, Output};

fn hegui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("run hegui")
}

fn policy(name: &str) -> String {
    format!("crates/hegui-policy/tests/policies/{name}")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn element<'a>(d: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    d["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no element {id}"))
}

#[test]
fn every_format_against_itself_is_unchanged() {
    for f in [
        "complete-ride.md",
        "flawed-shop.html",
        "overseas-game.docx",
        "overseas-game.pdf",
        "minors-edu-gbk.txt",
    ] {
        let p = policy(f);
        let o = hegui(&["policy", "diff", &p, &p, "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{f}");
        let d = json(&o);
        let elements = d["elements"].as_array().unwrap();
        assert_eq!(elements.len(), 38, "{f}");
        assert!(
            elements.iter().all(|e| e["change"] == "unchanged"),
            "{f}: {elements:?}"
        );
        assert_eq!(d["facts"].as_array().unwrap().len(), 0, "{f}");
    }
    // The same policy as DOCX and as PDF: the text reflows, no status changes.
    let o = hegui(&[
        "policy",
        "diff",
        &policy("overseas-game.docx"),
        &policy("overseas-game.pdf"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let d = json(&o);
    assert!(d["elements"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["old"] == e["new"]));
}

#[test]
fn a_new_version_that_drops_a_right_and_starts_transfers_abroad() {
    let dir = std::env::temp_dir().join(format!("hegui-policy-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../".to_string() + &policy("complete-ride.md")),
    )
    .unwrap();
    let cancel = "7. 注销账号：您可以在“我的—设置—账号与安全—注销账号”中申请注销您的账号。";
    assert!(old.contains(cancel));
    let new = old
        .replace(cancel, "7. 注销账号：目前暂不支持注销账号。")
        .replace(
            "\n## ",
            "\n为提供海外用车服务，我们会将您的姓名和手机号码传输至境外的 Globe Ride Ltd.（邮箱 \
         privacy@globeride.example.com），用于境外行程的派单。\n\n## ",
        );
    let new_path = dir.join("ride-v2.md");
    std::fs::write(&new_path, new).unwrap();
    let new_path = new_path.to_str().unwrap();

    let o = hegui(&[
        "policy",
        "diff",
        &policy("complete-ride.md"),
        new_path,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "an element got worse");
    let d = json(&o);
    let r06 = element(&d, "R06");
    assert_eq!(
        (
            r06["old"].as_str(),
            r06["new"].as_str(),
            r06["change"].as_str()
        ),
        (Some("present"), Some("deficient"), Some("worsened"))
    );
    assert!(r06["removed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["quote"].as_str().unwrap().contains("账号与安全")));
    let added: Vec<&str> = r06["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["quote"].as_str().unwrap())
        .collect();
    assert!(
        added.iter().any(|q| q.contains("暂不支持注销")),
        "{added:?}"
    );
    // The transfer abroad is a new fact with its passage, and the cross-border elements
    // start to apply.
    let facts = d["facts"].as_array().unwrap();
    let cb = facts.iter().find(|f| f["id"] == "cross_border").unwrap();
    assert_eq!(
        (cb["old"].as_bool(), cb["new"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(cb["evidence"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("Globe Ride"));
    assert_eq!(element(&d, "X01")["change"], "applicability");
    assert_eq!(element(&d, "C01")["change"], "unchanged");

    // The table names what changed, in Chinese by default.
    let o = hegui(&["policy", "diff", &policy("complete-ride.md"), new_path]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("变差") && table.contains("R06"), "{table}");
    assert!(table.contains("cross_border: false → true"), "{table}");

    // The other way round nothing gets worse: the right is restored (improved).
    let o = hegui(&[
        "policy",
        "diff",
        new_path,
        &policy("complete-ride.md"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(element(&json(&o), "R06")["change"], "improved");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreadable_version_is_a_clear_error() {
    let o = hegui(&[
        "policy",
        "diff",
        &policy("complete-ride.md"),
        "no-such-version.html",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no-such-version.html"), "{err}");
}
