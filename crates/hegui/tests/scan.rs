//! `hegui gen` and `hegui scan` end to end through the binary.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hegui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .output()
        .expect("run hegui")
}

fn corpus(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hegui-scan-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = hegui(&[
        "gen",
        dir.to_str().unwrap(),
        "--people",
        "300",
        "--log-lines",
        "1500",
        "--gbk-rows",
        "100",
        "--seed",
        "11",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

fn jsonl(dir: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec![
        "scan",
        dir.to_str().unwrap(),
        "--exclude",
        "truth.jsonl",
        "--full",
        "--format",
        "jsonl",
        "--today",
        "2026-11-23",
    ];
    args.extend_from_slice(extra);
    let o = hegui(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn generated_data_is_found_exactly() {
    let dir = corpus("exact");
    let found = jsonl(&dir, &[]);
    let keys = [
        "source",
        "kind",
        "row",
        "column",
        "line",
        "start",
        "end",
        "likelihood",
        "masked",
    ];
    for f in &found {
        let obj = f.as_object().unwrap();
        assert_eq!(
            obj.keys().collect::<Vec<_>>(),
            keys.iter().collect::<Vec<_>>(),
            "{f}"
        );
    }
    let key = |file: &str, v: &serde_json::Value| {
        (
            file.to_string(),
            v["row"].as_u64(),
            v["column"].as_str().map(String::from),
            v["line"].as_u64(),
            v["start"].as_u64(),
            v["end"].as_u64(),
            v["kind"].as_str().unwrap().to_string(),
        )
    };
    let truth: HashSet<_> = std::fs::read_to_string(dir.join("truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|t| key(t["file"].as_str().unwrap(), &t))
        .collect();
    let got: HashSet<_> = found
        .iter()
        .map(|f| {
            key(
                Path::new(f["source"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap(),
                f,
            )
        })
        .collect();
    let false_pos: Vec<_> = got.difference(&truth).take(5).collect();
    let missed: Vec<_> = truth.difference(&got).take(5).collect();
    assert!(
        false_pos.is_empty(),
        "false positives (hard negatives reported): {false_pos:?}"
    );
    assert!(missed.is_empty(), "missed: {missed:?}");
    // Masked values are reported as masked.
    assert!(found
        .iter()
        .any(|f| f["masked"] == true && f["kind"] == "cn_mobile"));
}

#[test]
fn report_states_encodings_and_never_prints_values() {
    let dir = corpus("report");
    let o = hegui(&[
        "scan",
        dir.to_str().unwrap(),
        "--exclude",
        "truth.jsonl",
        "--full",
        "--format",
        "json",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sources = v["report"]["sources"].as_array().unwrap();
    let gbk = sources
        .iter()
        .find(|s| s["source"].as_str().unwrap().ends_with("customers_gbk.csv"))
        .unwrap();
    assert_eq!(gbk["encoding"], "GBK/GB18030");
    assert_eq!(gbk["records"], 100);
    let csv = sources
        .iter()
        .find(|s| s["source"].as_str().unwrap().ends_with("customers.csv"))
        .unwrap();
    let id_col = csv["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "身份证号")
        .unwrap();
    assert_eq!(id_col["classified_as"], "cn_resident_id");
    assert_eq!(v["report"]["estimate"]["complete"], true);
    assert!(v["report"]["estimate"]["people"].as_u64().unwrap() >= 300);
    // No raw identity number appears anywhere in the output.
    let truth = std::fs::read_to_string(dir.join("truth.jsonl")).unwrap();
    let t: serde_json::Value = serde_json::from_str(
        truth
            .lines()
            .find(|l| l.contains("cn_resident_id"))
            .unwrap(),
    )
    .unwrap();
    let csv_text = std::fs::read_to_string(dir.join("customers.csv")).unwrap();
    let row = csv_text
        .lines()
        .nth(t["row"].as_u64().unwrap() as usize)
        .unwrap();
    let id = &row.split(',').nth(2).unwrap()[..18];
    let summary = hegui(&["scan", dir.to_str().unwrap(), "--exclude", "truth.jsonl"]);
    for out in [&o.stdout, &summary.stdout] {
        assert!(
            !String::from_utf8_lossy(out).contains(id),
            "a raw identity number was printed"
        );
    }
    let shown = hegui(&[
        "scan",
        dir.join("customers.csv").to_str().unwrap(),
        "--format",
        "jsonl",
        "--show-values",
    ]);
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains(id),
        "--show-values prints values"
    );
}

#[test]
fn broken_sources_are_reported_and_the_scan_goes_on() {
    let dir = std::env::temp_dir().join(format!("hegui-scan-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut gz = flate(
        b"\xe6\x89\x8b\xe6\x9c\xba 13812345678\n"
            .repeat(5000)
            .as_slice(),
    );
    gz.truncate(gz.len() / 2);
    std::fs::write(dir.join("cut.log.gz"), gz).unwrap();
    std::fs::write(dir.join("blob.bin"), [0u8, 1, 2, 3, 0, 0]).unwrap();
    std::fs::write(dir.join("ok.txt"), "联系电话 13912345678\n").unwrap();
    let o = hegui(&["scan", dir.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let by = |name: &str| {
        v["report"]["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };
    assert!(by("cut.log.gz")["error"]
        .as_str()
        .unwrap()
        .contains("truncated"));
    assert!(
        by("cut.log.gz")["records"].as_u64().unwrap() > 0,
        "what was read before the cut is kept"
    );
    assert!(by("blob.bin")["error"].as_str().unwrap().contains("binary"));
    assert!(by("ok.txt")["error"].is_null());
    assert!(String::from_utf8_lossy(&o.stderr).contains("could not be read completely"));
}

fn flate(data: &[u8]) -> Vec<u8> {
    // A gzip writer is not a dependency of the binary's tests; shell out to gzip.
    let mut child = Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip is installed");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(data).unwrap();
    child.wait_with_output().unwrap().stdout
}

#[test]
fn sarif_and_sampling() {
    let dir = corpus("sarif");
    let o = hegui(&[
        "scan",
        dir.join("customers.csv").to_str().unwrap(),
        "--format",
        "sarif",
        "--sample-rows",
        "10",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .all(|r| r["properties"]["row"].as_u64().unwrap() <= 10));
    let o = hegui(&[
        "scan",
        dir.join("customers.csv").to_str().unwrap(),
        "--format",
        "json",
        "--sample-rows",
        "10",
        "--random",
        "--seed",
        "3",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["report"]["sources"][0];
    assert_eq!(
        (s["records"].as_u64(), s["sampled"].as_bool()),
        (Some(10), Some(true))
    );
    assert_eq!(v["report"]["estimate"]["complete"], false);
    let again = hegui(&[
        "scan",
        dir.join("customers.csv").to_str().unwrap(),
        "--format",
        "jsonl",
        "--sample-rows",
        "10",
        "--random",
        "--seed",
        "3",
    ]);
    let again2 = hegui(&[
        "scan",
        dir.join("customers.csv").to_str().unwrap(),
        "--format",
        "jsonl",
        "--sample-rows",
        "10",
        "--random",
        "--seed",
        "3",
    ]);
    assert_eq!(
        again.stdout, again2.stdout,
        "a seeded sample is reproducible"
    );
}

#[test]
fn scan_counts_feed_the_obligations() {
    let dir = corpus("feed");
    let report = dir.join("report.json");
    let o = hegui(&[
        "scan",
        dir.to_str().unwrap(),
        "--exclude",
        "truth.jsonl",
        "--full",
        "--format",
        "jsonl",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let profile = dir.join("p.yaml");
    std::fs::write(
        &profile,
        "hegui_profile: 1\norganisation:\n  name: T\nheadcounts:\n  as_of: 2026-06-30\n",
    )
    .unwrap();
    let o = hegui(&[
        "obligations",
        profile.to_str().unwrap(),
        "--scan",
        report.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("headcounts.people not given: using the scan's"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let people = v["people"].as_u64().unwrap();
    assert!(people >= 300, "{people}");
    let pipo = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "pipo.designation")
        .unwrap();
    assert_eq!(
        pipo["status"], "does_not_apply",
        "{people} people is under 1,000,000"
    );
}

#[test]
fn partition_reports_merge_through_sketches() {
    let dir = corpus("merge");
    let csv = dir.join("customers.csv");
    let db = dir.join("customers.db");
    let (r1, r2) = (dir.join("r1.json"), dir.join("r2.json"));
    for (src, rep) in [(&csv, &r1), (&db, &r2)] {
        let o = hegui(&[
            "scan",
            src.to_str().unwrap(),
            "--full",
            "--sketches",
            "--format",
            "jsonl",
            "--report",
            rep.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merged = dir.join("merged.json");
    let o = hegui(&[
        "scan-merge",
        r1.to_str().unwrap(),
        r2.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    // customers.db holds the first 500 customers again (300 here): the union is 300 people.
    let ids = v["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "cn_resident_id")
        .unwrap();
    let n = ids["distinct"].as_u64().unwrap();
    assert!((297..=303).contains(&n), "{n}");
    assert_eq!(v["estimate"]["complete"], true);
    // The merged estimate feeds the obligations engine like a scan report.
    let profile = dir.join("p.yaml");
    std::fs::write(
        &profile,
        "hegui_profile: 1\norganisation:\n  name: T\nheadcounts:\n  as_of: 2026-06-30\n",
    )
    .unwrap();
    let o = hegui(&[
        "obligations",
        profile.to_str().unwrap(),
        "--scan",
        merged.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
    ]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("using the scan's"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A report without sketches is refused with the reason.
    let plain = dir.join("plain.json");
    hegui(&[
        "scan",
        csv.to_str().unwrap(),
        "--full",
        "--format",
        "jsonl",
        "--report",
        plain.to_str().unwrap(),
    ]);
    let o = hegui(&["scan-merge", plain.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("scan with --sketches"));
    // A partition scanned by an earlier hegui (bare hex sketches of version-1 keys) is
    // refused, not merged into a count that would hold its people twice.
    let old = dir.join("old.json");
    let text = std::fs::read_to_string(&r1).unwrap();
    assert!(text.contains("\"k2:"), "sketches name their key version");
    std::fs::write(&old, text.replace("\"k2:", "\"")).unwrap();
    let o = hegui(&["scan-merge", old.to_str().unwrap(), r2.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("key version 1") && err.contains("scan that partition again"),
        "{err}"
    );
    assert!(
        err.contains("old.json"),
        "the refused report is named: {err}"
    );
}

/// Partition reports with these people (as 64-bit keys) in their resident-id sketches.
fn sketch_report(path: &std::path::Path, keys: std::ops::Range<u64>) {
    let mut h = hegui_scan::count::Hll::default();
    for k in keys {
        // Keys are uniform hashes in a real scan: spread these the same way (SplitMix64).
        let mut z = k.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h.insert(z ^ (z >> 31));
    }
    let v = serde_json::json!({
        "report": {
            "estimate": {"people": 0, "sensitive": 0, "complete": true},
            "sketches": {"cn_resident_id": format!("k2:{}", h.to_hex())},
        }
    });
    std::fs::write(path, v.to_string()).unwrap();
}

/// Merged sketches near 1,000,000 people (Measures Art. 12) decide nothing: scan-merge says
/// to count exactly and names the partitions, and the obligations engine does not take the
/// estimate for the count. Far from a threshold, the estimate is used as before.
#[test]
fn a_merged_estimate_near_a_threshold_says_count_exactly() {
    let dir = std::env::temp_dir().join(format!("hegui-near-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b, c) = (
        dir.join("north.json"),
        dir.join("south.json"),
        dir.join("empty.json"),
    );
    sketch_report(&a, 0..520_000);
    sketch_report(&b, 480_000..1_000_000);
    sketch_report(&c, 0..0);
    let merged = dir.join("merged.json");
    let o = hegui(&[
        "scan-merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("near threshold: count exactly"), "{out}");
    assert!(
        out.contains("north.json") && out.contains("south.json"),
        "{out}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    assert_eq!(v["estimate"]["people_near"], 1_000_000);
    let together: Vec<&str> = v["count_together"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(
        together.len(),
        2,
        "the empty partition holds nobody: {together:?}"
    );
    let profile = dir.join("p.yaml");
    std::fs::write(
        &profile,
        "hegui_profile: 1\norganisation:\n  name: T\nheadcounts:\n  as_of: 2026-06-30\n",
    )
    .unwrap();
    let o = hegui(&[
        "obligations",
        profile.to_str().unwrap(),
        "--scan",
        merged.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "--format",
        "json",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("count those people exactly"), "{err}");
    assert!(!err.contains("using the scan's"), "{err}");
    // Far from any threshold the merged estimate is the count, as before.
    sketch_report(&b, 480_000..600_000);
    let o = hegui(&[
        "scan-merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("near threshold"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shards_split_the_files_and_merge_into_the_whole() {
    let dir = corpus("shards");
    // Reports go beside the store, not into it: every shard must list the same files.
    let out = dir.with_extension("reports");
    std::fs::create_dir_all(&out).unwrap();
    let run = |extra: &[&str], report: &Path| {
        let mut args = vec![
            "scan",
            dir.to_str().unwrap(),
            "--full",
            "--sketches",
            "--format",
            "summary",
            "--exclude",
            "truth.jsonl",
            "--report",
            report.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = hegui(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
        v
    };
    let whole = run(&[], &out.join("whole.json"));
    let sources = |v: &serde_json::Value| -> Vec<String> {
        v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["source"].as_str().unwrap().to_string())
            .collect()
    };
    let mut seen = Vec::new();
    let mut reports = Vec::new();
    for i in 1..=3 {
        let path = out.join(format!("shard{i}.json"));
        let v = run(&["--shard", &format!("{i}/3")], &path);
        assert_eq!(v["shard"], format!("{i}/3"));
        assert!(!sources(&v).is_empty(), "shard {i} of 3 has files");
        seen.extend(sources(&v));
        reports.push(path);
    }
    // Every file in exactly one shard.
    let mut all = sources(&whole);
    all.sort();
    seen.sort();
    assert_eq!(seen, all);
    // The shards' sketches merge into the whole store's, bit for bit.
    let merge = |paths: &[PathBuf], out: &Path| {
        let mut args = vec!["scan-merge".to_string()];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        args.extend(["-o".to_string(), out.display().to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = hegui(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        v
    };
    let merged = merge(&reports, &out.join("merged.json"));
    let alone = merge(&[out.join("whole.json")], &out.join("alone.json"));
    assert_eq!(merged["kinds"], alone["kinds"]);
    assert_eq!(merged["estimate"], alone["estimate"]);
    // A shard outside 1..=N is refused, saying what is expected.
    for bad in ["0/3", "4/3", "3", "a/b"] {
        let o = hegui(&["scan", dir.to_str().unwrap(), "--shard", bad]);
        assert!(!o.status.success());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("expected I/N"),
            "{bad}"
        );
    }
}
