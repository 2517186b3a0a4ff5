//! `hegui policy check` end to end: exit codes, the JSON contract, facts from a profile
//! and from --assume, and clear errors.

use std::path::PathBuf;
use std::process::{Command, Output};

fn hegui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("run hegui")
}

/// The verdict on element `id` in one analysis of the JSON output.
fn element<'a>(analysis: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    analysis["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no element {id}"))
}

fn policy(name: &str) -> String {
    format!("crates/hegui-policy/tests/policies/{name}")
}

#[test]
fn exit_codes_say_whether_anything_is_missing() {
    let o = hegui(&["policy", "check", &policy("complete-ride.md")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = hegui(&["policy", "check", &policy("flawed-shop.html")]);
    assert_eq!(o.status.code(), Some(1));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("有缺陷") && table.contains("缺失"),
        "{table}"
    );
    // A file that cannot be read: said on stderr with its name, exit 2, the others still
    // analysed.
    let missing = "no-such-policy.html";
    let o = hegui(&["policy", "check", &policy("complete-ride.md"), missing]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(missing));
    assert!(String::from_utf8_lossy(&o.stdout).contains("complete-ride.md"));
}

#[test]
fn the_json_contract() {
    let o = hegui(&[
        "policy",
        "check",
        &policy("flawed-shop.html"),
        &policy("overseas-game.docx"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 2);
    let a = &all[0];
    assert!(a["source"].as_str().unwrap().ends_with("flawed-shop.html"));
    let xb = &a["facts"]["cross_border"];
    assert_eq!(xb["value"], true);
    assert_eq!(xb["from"], "text");
    assert!(xb["evidence"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("境外"));
    let c07 = element(a, "C07");
    assert_eq!(c07["status"], "deficient");
    assert_eq!(c07["checkpoints"], serde_json::json!(["G3.4"]));
    assert!(c07["cites"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("PIPL 19")));
    assert!(c07["reason"].as_str().unwrap().contains("最短时间"));
    let ev = &c07["evidence"][0];
    for field in ["quote", "heading", "start", "end"] {
        assert!(!ev[field].is_null(), "{field}");
    }
    assert!(a["inventory_mismatches"].is_array());
    assert_eq!(all[1]["format"], "docx");
    // A PDF: stdout stays JSON (the PDF library prints nothing), the same verdicts as the
    // DOCX it was made from.
    let o = hegui(&[
        "policy",
        "check",
        &policy("overseas-game.pdf"),
        "--format",
        "json",
    ]);
    let pdf: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(pdf[0]["format"], "pdf");
    let statuses = |v: &serde_json::Value| -> Vec<String> {
        v["elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}={}", e["id"], e["status"]))
            .collect()
    };
    assert_eq!(statuses(&pdf[0]), statuses(&all[1]));
}

#[test]
fn facts_from_a_profile_and_from_assume() {
    // The fintech example transfers abroad; the ride policy says it does not: the profile
    // decides, and the transfer elements are then required (and absent).
    let o = hegui(&[
        "policy",
        "check",
        &policy("complete-ride.md"),
        "--profile",
        "examples/fintech.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["facts"]["cross_border"]["from"], "profile");
    assert_eq!(v[0]["facts"]["cross_border"]["value"], true);
    let x01 = element(&v[0], "X01");
    assert_eq!(x01["status"], "absent");
    // --assume wins over the profile.
    let o = hegui(&[
        "policy",
        "check",
        &policy("complete-ride.md"),
        "--profile",
        "examples/fintech.yaml",
        "--assume",
        "cross_border=no",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["facts"]["cross_border"]["from"], "assume");
    // A fact that does not exist is refused, naming the facts.
    let o = hegui(&[
        "policy",
        "check",
        &policy("complete-ride.md"),
        "--assume",
        "crossborder=yes",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown fact") && err.contains("cross_border"),
        "{err}"
    );
}

#[test]
fn markdown_and_english() {
    let o = hegui(&[
        "policy",
        "check",
        &policy("minors-edu-gbk.txt"),
        "--format",
        "md",
        "--lang",
        "en",
    ]);
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.contains("| R02 |") && md.contains("absent"), "{md}");
    assert!(md.contains("How changes to the rules are notified"), "{md}");
    let _ = PathBuf::new();
}

#[test]
fn the_policy_against_the_profile() {
    // The fintech example's recipients, overseas recipient and PIPO are not in the ride
    // policy, which names two payment companies the profile does not list.
    let o = hegui(&[
        "policy",
        "check",
        &policy("complete-ride.md"),
        "--profile",
        "examples/fintech.yaml",
        "--assume",
        "cross_border=no",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "mismatches need attention");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let m = v[0]["inventory_mismatches"].as_array().unwrap();
    let kinds = |k: &str| m.iter().filter(|x| x["kind"] == k).count();
    assert_eq!(kinds("recipient_not_named"), 2, "{m:?}");
    assert_eq!(kinds("overseas_recipient_not_named"), 1, "{m:?}");
    assert_eq!(kinds("recipient_not_in_profile"), 2, "{m:?}");
    assert_eq!(kinds("pipo_contact_differs"), 1, "{m:?}");
    // Categories the lender processes that a ride-hailing policy never mentions, in the
    // words policies use (身份证件照片, 征信, 画像); the rest it names in its own words.
    let categories: Vec<&str> = m
        .iter()
        .filter(|x| x["kind"] == "category_not_named")
        .map(|x| x["profile"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        [
            "credit-scoring: identity.id_card_photo",
            "credit-scoring: property.credit_record",
            "marketing: tags.profile"
        ]
    );
    // The profile keeps credit data five years after settlement; the policy says three
    // years after the account is closed.
    let retention = m
        .iter()
        .find(|x| x["kind"] == "retention_not_stated")
        .unwrap();
    assert!(retention["profile"].as_str().unwrap().contains("结清后5年"));
    assert!(retention["policy"]["quote"]
        .as_str()
        .unwrap()
        .contains("3年"));
    let pipo = m
        .iter()
        .find(|x| x["kind"] == "pipo_contact_differs")
        .unwrap();
    assert!(pipo["profile"]
        .as_str()
        .unwrap()
        .contains("pipo@xinhe.example.cn"));
    assert!(pipo["policy"]["quote"]
        .as_str()
        .unwrap()
        .contains("dpo@kuaixing.example.com"));
    let alien = m
        .iter()
        .filter(|x| x["kind"] == "recipient_not_in_profile")
        .map(|x| x["policy"]["quote"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(alien.iter().any(|q| q.contains("支付宝")), "{alien:?}");
    // The lender's own policy names every category its profile lists, in its own words,
    // but only restates PIPL 19 where the profile keeps five years.
    let o = hegui(&[
        "policy",
        "check",
        "examples/fintech-policy.md",
        "--profile",
        "examples/fintech.yaml",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<&str> = v[0]["inventory_mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["recipient_not_named", "retention_not_stated"]);
    // Without a profile there is nothing to compare.
    let o = hegui(&[
        "policy",
        "check",
        &policy("complete-ride.md"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["inventory_mismatches"], serde_json::json!([]));
}
