//! Profile loading: YAML and JSON, and every kind of error with its position.

use hegui_core::inventory::{load, Diagnostic, Syntax};

fn errors(text: &str) -> Vec<Diagnostic> {
    load(text, "p.yaml", Syntax::Yaml)
        .expect_err("should be invalid")
        .diagnostics
}

fn has(ds: &[Diagnostic], path: &str, needle: &str) -> bool {
    ds.iter()
        .any(|d| d.path == path && d.message.contains(needle))
}

const BASE: &str =
    "hegui_profile: 1\norganisation:\n  name: 测试公司\nheadcounts:\n  as_of: 2026-06-30\n";

#[test]
fn a_minimal_profile_loads() {
    let p = load(BASE, "p.yaml", Syntax::Yaml).unwrap();
    assert_eq!(p.organisation.name, "测试公司");
    assert!(p.activities.is_empty());
}

#[test]
fn json_is_accepted_with_positions_in_errors() {
    let json = r#"{
  "hegui_profile": 1,
  "organisation": {"name": "T"},
  "headcounts": {"as_of": "2026-06-30", "people": 12}
}"#;
    let p = load(json, "p.json", Syntax::Json).unwrap();
    assert_eq!(p.headcounts.people, Some(12));
    let bad = json.replace("\"people\": 12", "\"people\": -3");
    let e = load(&bad, "p.json", Syntax::Json).unwrap_err();
    let d = &e.diagnostics[0];
    assert_eq!((d.path.as_str(), d.line), ("headcounts.people", Some(4)));
    let broken = json.replace("\"T\"}", "\"T\"");
    let e = load(&broken, "p.json", Syntax::Json).unwrap_err();
    assert!(e.diagnostics[0].message.starts_with("syntax error"));
}

#[test]
fn structure_and_meaning_errors_come_out_together() {
    let text = format!(
        "{BASE}  people: 10\n  sensitive: 11\n  under_14: 5\n  under_18: 3\nactivities:\n  - id: a\n    name: A\n\
         \x20   purpose: p\n    categories: [identity.id_card_numbr]\n    subjects: [customers]\n\
         \x20   legal_basis: [consent]\n    colour: red\npipia_records:\n  - id: P\n    date: 2026-01-01\n    scope: [b]\n"
    );
    let ds = errors(&text);
    assert!(has(&ds, "headcounts.sensitive", "more than people"));
    assert!(has(&ds, "headcounts.under_14", "more than under_18"));
    assert!(has(
        &ds,
        "activities[0].categories[0]",
        "unknown PI category"
    ));
    assert!(ds.iter().any(|d| d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("identity.id_card_number"))));
    assert!(has(&ds, "activities[0].legal_basis", "kind of consent"));
    assert!(has(&ds, "activities[0].colour", "unknown field"));
    assert!(has(
        &ds,
        "pipia_records[0].scope[0]",
        "no activity has id \"b\""
    ));
    // In file order.
    let lines: Vec<usize> = ds.iter().filter_map(|d| d.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn missing_required_fields_and_bad_codes() {
    let ds = errors("hegui_profile: 1\norganisation:\n  uscc: 91110108MA01FN4Q2A\n");
    assert!(has(&ds, "", "missing required field `headcounts`"));
    assert!(has(&ds, "organisation", "missing required field `name`"));
    assert!(has(&ds, "organisation.uscc", "check character"));
    let good = "hegui_profile: 1\norganisation:\n  name: T\n  uscc: 91110108ma01fn4q2m\nheadcounts:\n  as_of: 2026-06-30\n";
    assert!(
        load(good, "p.yaml", Syntax::Yaml).is_ok(),
        "lower case is read as capitals"
    );
}

#[test]
fn dates_out_of_order() {
    let text = format!(
        "{BASE}pipo:\n  name: P\n  contact: c\n  designated_on: 2025-05-01\n  reported_on: 2025-04-01\n\
         incidents:\n  - id: I\n    occurred_on: 2026-07-11\n    discovered_at: 2026-07-10T09:00\n\
         \x20   reported_at: 2026-07-10T08:00\n    people_affected: 5\n    sensitive_people_affected: 6\n"
    );
    let ds = errors(&text);
    assert!(has(&ds, "pipo.reported_on", "before being designated"));
    assert!(has(&ds, "incidents[0].discovered_at", "before it occurred"));
    assert!(has(
        &ds,
        "incidents[0].reported_at",
        "before it was discovered"
    ));
    assert!(has(
        &ds,
        "incidents[0].sensitive_people_affected",
        "more than"
    ));
}

#[test]
fn positions_point_at_the_offending_token() {
    let ds = errors(&format!("{BASE}  peple: 3\n"));
    let d = ds.iter().find(|d| d.path == "headcounts.peple").unwrap();
    assert_eq!((d.line, d.column), (Some(6), Some(3)));
    assert_eq!(d.help.as_deref(), Some("did you mean `people`?"));
}

#[test]
fn null_means_absent_and_a_bom_is_ignored() {
    let p = load(
        &format!("\u{feff}{BASE}  people: ~\npipo:\n"),
        "p.yaml",
        Syntax::Yaml,
    )
    .unwrap();
    assert_eq!(p.headcounts.people, None);
    assert!(p.pipo.is_none());
}

#[test]
fn a_truncated_file_is_an_error_not_a_partial_profile() {
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/fintech.yaml"
    ))
    .unwrap();
    let cut = &full[..full.find("activities:").unwrap() + "activities:\n  - id: credit".len()];
    assert!(load(cut, "cut.yaml", Syntax::Yaml).is_err());
}

#[test]
fn measured_counts_fill_in_and_raise_but_never_lower() {
    use hegui_core::inventory::{apply_measured, MeasuredCounts};
    let mut p = load(&format!("{BASE}  people: 900000\n"), "p.yaml", Syntax::Yaml).unwrap();
    let notes = apply_measured(
        &mut p,
        MeasuredCounts {
            people: 1_000_000,
            sensitive: 20,
            complete: true,
            people_near: None,
        },
    );
    assert_eq!(p.headcounts.people, Some(1_000_000));
    assert_eq!(p.headcounts.sensitive, Some(20));
    assert_eq!(notes.len(), 2);
    let notes = apply_measured(
        &mut p,
        MeasuredCounts {
            people: 5,
            sensitive: 0,
            complete: false,
            people_near: None,
        },
    );
    assert_eq!(
        p.headcounts.people,
        Some(1_000_000),
        "a smaller scan never lowers a declared count"
    );
    assert!(notes.is_empty());
}

/// An estimate from merged sketches within their error of a threshold decides nothing: the
/// profile's count stays, or stays unknown, and the note says to count exactly.
#[test]
fn an_estimate_near_a_threshold_decides_nothing() {
    use hegui_core::inventory::{apply_measured, MeasuredCounts};
    let near = MeasuredCounts {
        people: 1_012_000,
        sensitive: 0,
        complete: true,
        people_near: Some(1_000_000),
    };
    let mut p = load(&format!("{BASE}  people: 900000\n"), "p.yaml", Syntax::Yaml).unwrap();
    let notes = apply_measured(&mut p, near);
    assert_eq!(
        p.headcounts.people,
        Some(900_000),
        "not raised past the threshold"
    );
    assert!(notes
        .iter()
        .any(|n| n.contains("count those people exactly")));
    let mut q = load(BASE, "p.yaml", Syntax::Yaml).unwrap();
    apply_measured(&mut q, near);
    assert_eq!(q.headcounts.people, None, "unknown, not the estimate");
}
