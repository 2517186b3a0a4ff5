//! Every kept crasher replays cleanly, and a short fuzz run of every parser finds no panic
//! and no detector failure (the long runs are `hegui bench fuzz`; their figures are in
//! docs/performance.md).

use std::process::Command;

fn hegui(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(args)
        .output()
        .expect("run hegui")
}

#[test]
fn kept_crashers_replay_cleanly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz-regressions");
    let o = hegui(&["bench", "fuzz", "--replay", dir]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let n: usize = out.split_whitespace().next().unwrap().parse().unwrap();
    assert!(n >= 2, "{out}");
}

#[test]
fn every_parser_survives_a_short_fuzz_run() {
    let crashers = std::env::temp_dir().join(format!("hegui-fuzz-test-{}", std::process::id()));
    let o = hegui(&[
        "bench",
        "fuzz",
        "--seconds",
        "60",
        "--max-execs",
        "400",
        "--seed",
        "7",
        "--json",
        "--crashers",
        crashers.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    let stats: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        stats.len(),
        16,
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for s in &stats {
        // Slowness is not judged here: a debug build on a loaded CI machine is slow.
        assert_eq!(s["panics"], 0, "{s}");
        assert_eq!(s["bugs"], 0, "{s}");
        assert!(s["execs"].as_u64().unwrap() >= 100, "{s}");
    }
}
