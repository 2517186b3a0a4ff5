//! Obligations and scope at their boundaries.

use hegui_core::calendar::Calendar;
use hegui_core::inventory::{self, Profile, Syntax};
use hegui_core::obligations::{compute, Finding, Obligation, Status};
use hegui_core::scope::{self, InScope};
use jiff::civil::date;

fn profile(people: u64, extra: &str) -> Profile {
    let text = format!(
        "hegui_profile: 1\norganisation:\n  name: T\n  ciio: false\n  important_data: false\n\
         headcounts:\n  as_of: 2026-06-30\n  people: {people}\n  under_18: 0\n{extra}"
    );
    inventory::load(&text, "t.yaml", Syntax::Yaml).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(obs: &'a [Obligation], id: &str) -> &'a Obligation {
    obs.iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn status(people: u64, id: &str) -> Status {
    let r = compute(
        &profile(people, ""),
        date(2026, 11, 23),
        Calendar::builtin(),
    );
    find(&r.obligations, id).status
}

#[test]
fn pipo_at_one_million_people() {
    assert_eq!(status(999_999, "pipo.designation"), Status::DoesNotApply);
    assert_eq!(status(1_000_000, "pipo.designation"), Status::Applies);
    assert_eq!(status(1_000_000, "pipo.filing"), Status::Applies);
}

#[test]
fn biennial_audit_at_ten_million_counted_inclusively() {
    assert_eq!(status(9_999_999, "audit.biennial"), Status::DoesNotApply);
    assert_eq!(
        status(9_999_999, "audit.advisory_3_4_years"),
        Status::Applies
    );
    assert_eq!(status(10_000_000, "audit.biennial"), Status::Applies);
    assert_eq!(
        status(10_000_000, "audit.advisory_3_4_years"),
        Status::DoesNotApply
    );
    assert_eq!(
        status(10_000_000, "ndsmr.security_officer"),
        Status::Applies
    );
    assert_eq!(status(999_999, "audit.advisory_5_years"), Status::Applies);
    assert_eq!(
        status(1_000_000, "audit.advisory_5_years"),
        Status::DoesNotApply
    );
}

#[test]
fn advisory_cadence_is_marked_advisory() {
    let r = compute(&profile(5_000, ""), date(2026, 11, 23), Calendar::builtin());
    assert!(find(&r.obligations, "audit.advisory_5_years").advisory);
    assert!(!find(&r.obligations, "audit.biennial").advisory);
}

#[test]
fn unknown_headcount_is_cannot_tell_naming_the_field() {
    let text = "hegui_profile: 1\norganisation:\n  name: T\nheadcounts:\n  as_of: 2026-06-30\n";
    let p = inventory::load(text, "t.yaml", Syntax::Yaml).unwrap();
    let r = compute(&p, date(2026, 11, 23), Calendar::builtin());
    let o = find(&r.obligations, "pipo.designation");
    assert_eq!(o.status, Status::CannotTell);
    assert!(
        o.missing.iter().any(|m| m.contains("headcounts.people")),
        "{:?}",
        o.missing
    );
}

#[test]
fn pipo_filing_is_30_working_days_across_national_day() {
    // Reached 1M on Fri 2025-09-26: 30 working days later is Thu 2025-11-13.
    let mut p = profile(1_000_000, "");
    p.headcounts.reached_1m_on = Some(date(2025, 9, 26));
    let r = compute(&p, date(2025, 10, 1), Calendar::builtin());
    let o = find(&r.obligations, "pipo.filing");
    assert_eq!(o.due.as_deref(), Some("2025-11-13"));
    assert_eq!(o.finding, Some(Finding::Upcoming));
    let late = compute(&p, date(2025, 11, 14), Calendar::builtin());
    assert_eq!(
        find(&late.obligations, "pipo.filing").finding,
        Some(Finding::Overdue)
    );
}

fn transfer_profile(ciio: bool, people: u64, sensitive: u64) -> Profile {
    let text = format!(
        "hegui_profile: 1\norganisation:\n  name: T\n  ciio: {ciio}\n  important_data: false\n\
         headcounts:\n  as_of: 2026-06-30\n  people: 5000000\nactivities:\n  - id: a\n    name: a\n\
         \x20   purpose: p\n    categories: [basic.name]\n    subjects: [customers]\n    legal_basis: [contract]\n\
         \x20   cross_border:\n      - recipient: R\n        country: SG\n        year: 2026\n\
         \x20       people_non_sensitive: {people}\n        people_sensitive: {sensitive}\n"
    );
    inventory::load(&text, "t.yaml", Syntax::Yaml).unwrap_or_else(|e| panic!("{e}"))
}

fn tier(ciio: bool, people: u64, sensitive: u64) -> String {
    let r = compute(
        &transfer_profile(ciio, people, sensitive),
        date(2026, 11, 23),
        Calendar::builtin(),
    );
    find(&r.obligations, "cross_border.mechanism")
        .title_en
        .clone()
}

#[test]
fn cross_border_tiers_at_every_boundary() {
    assert!(tier(false, 99_999, 0).contains("Art. 5 (四)"));
    assert!(tier(false, 100_000, 0).starts_with("Standard contract"));
    assert!(tier(false, 999_999, 0).starts_with("Standard contract"));
    assert!(tier(false, 1_000_000, 0).starts_with("Security assessment"));
    assert!(
        tier(false, 0, 1).starts_with("Standard contract"),
        "one sensitive person needs a mechanism"
    );
    assert!(tier(false, 0, 9_999).starts_with("Standard contract"));
    assert!(tier(false, 0, 10_000).starts_with("Security assessment"));
    assert!(
        tier(true, 1, 0).starts_with("Security assessment"),
        "a CIIO transferring one person"
    );
}

#[test]
fn missing_mechanism_is_a_gap() {
    let r = compute(
        &transfer_profile(false, 150_000, 0),
        date(2026, 11, 23),
        Calendar::builtin(),
    );
    assert_eq!(
        find(&r.obligations, "cross_border.mechanism").finding,
        Some(Finding::Gap)
    );
}

#[test]
fn unknown_ciio_status_is_cannot_tell() {
    let mut p = transfer_profile(false, 10, 0);
    p.organisation.ciio = None;
    let r = compute(&p, date(2026, 11, 23), Calendar::builtin());
    let o = find(&r.obligations, "cross_border.mechanism");
    assert_eq!(o.status, Status::CannotTell);
    assert!(o.missing.iter().any(|m| m.contains("organisation.ciio")));
}

#[test]
fn incident_tiers_and_ordered_audit_trigger() {
    let inc = |people: u64, sensitive: u64| {
        profile(
            2_000_000,
            &format!(
                "incidents:\n  - id: I\n    occurred_on: 2026-07-11\n    discovered_at: 2026-07-12T09:30\n\
                 \x20   people_affected: {people}\n    sensitive_people_affected: {sensitive}\n"
            ),
        )
    };
    let run = |p: &Profile| compute(p, date(2026, 11, 23), Calendar::builtin()).obligations;
    let below = run(&inc(999_999, 99_999));
    assert_eq!(find(&below, "incident.report").status, Status::DoesNotApply);
    assert_eq!(
        find(&below, "incident.ordered_audit_trigger").status,
        Status::DoesNotApply
    );
    let at = run(&inc(1_000_000, 0));
    assert_eq!(find(&at, "incident.report").status, Status::Applies);
    assert_eq!(
        find(&at, "incident.report").due.as_deref(),
        Some("2026-07-12T13:30")
    );
    assert_eq!(
        find(&at, "incident.ordered_audit_trigger").status,
        Status::Applies
    );
    let sensitive = run(&inc(100_000, 100_000));
    assert_eq!(
        find(&sensitive, "incident.ordered_audit_trigger").status,
        Status::Applies
    );
}

#[test]
fn scope_follows_the_facts() {
    let small = profile(5_000, "");
    let s = scope::compute(&small);
    assert_eq!(s.items.len(), 111);
    let g = |s: &scope::Scope, id: &str| s.items.iter().find(|i| i.id == id).unwrap().in_scope;
    // No activities listed: activity-derived checkpoints cannot be decided, unless a known
    // fact decides (G15.1 also needs a CIIO, and the profile says it is not one).
    assert_eq!(g(&s, "G15.2"), InScope::CannotTell);
    assert_eq!(g(&s, "G15.1"), InScope::No);
    assert_eq!(g(&s, "G3.1"), InScope::Yes);
    assert_eq!(
        g(&s, "G22.1"),
        InScope::No,
        "PIPO area out of scope below 1M without a PIPO"
    );
    assert_eq!(g(&s, "G26.1"), InScope::No);
    let xb = transfer_profile(false, 10, 0);
    let s = scope::compute(&xb);
    assert_eq!(g(&s, "G15.1"), InScope::No, "not a CIIO");
    assert_eq!(g(&s, "G15.2"), InScope::Yes);
    let out = s.items.iter().find(|i| i.id == "G15.1").unwrap();
    // Reasons are written with the facts' labels, never their ids.
    assert!(
        out.reason.zh.contains("不属于关键信息基础设施运营者"),
        "{:?}",
        out.reason
    );
    assert!(
        out.reason
            .en
            .contains("is not a critical information infrastructure operator"),
        "{:?}",
        out.reason
    );
}

#[test]
fn example_profiles_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for name in ["small-merchant.yaml", "fintech.yaml", "large-platform.yaml"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let p = inventory::load(&text, name, Syntax::Yaml).unwrap_or_else(|e| panic!("{e}"));
        let r = compute(&p, date(2026, 11, 23), Calendar::builtin());
        assert!(!r.obligations.is_empty());
    }
}

#[test]
fn consent_checkpoints_need_consent_in_the_same_activity() {
    // One activity provides PI on a contract basis, another relies on consent: G8.1
    // ("consent-based provision") is out of scope; when one activity does both, it is in.
    let acts = |provider_basis: &str| {
        format!(
            "activities:\n  - id: a\n    name: A\n    purpose: p\n    categories: [basic.name]\n\
             \x20   subjects: [customers]\n    legal_basis: [{provider_basis}]\n{consent}\
             \x20   recipients:\n      - name: R\n        role: third_party\n  - id: b\n    name: B\n\
             \x20   purpose: p\n    categories: [basic.phone]\n    subjects: [customers]\n\
             \x20   legal_basis: [consent]\n    consent: ordinary\n",
            consent = if provider_basis == "consent" { "    consent: separate\n" } else { "" }
        )
    };
    let g81 = |p: &Profile| {
        scope::compute(p)
            .items
            .into_iter()
            .find(|i| i.id == "G8.1")
            .unwrap()
            .in_scope
    };
    assert_eq!(g81(&profile(10, &acts("contract"))), InScope::No);
    assert_eq!(g81(&profile(10, &acts("consent"))), InScope::Yes);
}

/// An absent `platform:` section is "cannot tell" for a processor large enough to be a large
/// platform (naming the section to fill in), and "does not apply" only where the head-count
/// rules it out.
#[test]
fn an_absent_platform_section_is_cannot_tell_unless_the_head_count_rules_it_out() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/large-platform.yaml"
    ))
    .unwrap();
    let (mut v, _) = inventory::source::parse(&text, false).unwrap();
    v.as_object_mut().unwrap().remove("platform");
    let load = |v: &serde_json::Value| {
        inventory::load(&v.to_string(), "p.json", Syntax::Json).unwrap_or_else(|e| panic!("{e}"))
    };
    let big = load(&v);
    let r = compute(&big, date(2026, 11, 23), Calendar::builtin());
    for id in [
        "platform.independent_body",
        "platform.social_responsibility_report",
    ] {
        let o = find(&r.obligations, id);
        assert_eq!(o.status, Status::CannotTell, "{id}");
    }
    let s = scope::compute(&big);
    let platform_items: Vec<_> = s
        .items
        .iter()
        .filter(|i| i.missing.iter().any(|m| m.contains("platform")))
        .collect();
    assert!(!platform_items.is_empty());
    assert!(platform_items
        .iter()
        .all(|i| i.in_scope == InScope::CannotTell));
    // 9,999,999 people cannot be 10,000,000 monthly active users: not a large platform.
    v["headcounts"]["people"] = 9_999_999.into();
    let small = load(&v);
    let r = compute(&small, date(2026, 11, 23), Calendar::builtin());
    assert_eq!(
        find(&r.obligations, "platform.independent_body").status,
        Status::DoesNotApply
    );
    v["headcounts"]["people"] = 10_000_000.into();
    let r = compute(&load(&v), date(2026, 11, 23), Calendar::builtin());
    assert_eq!(
        find(&r.obligations, "platform.independent_body").status,
        Status::CannotTell
    );
}

/// Taking information out of a profile never makes an answer more definite: with any
/// optional section removed, no obligation that applied or could not be told becomes
/// "does not apply", and no checkpoint in scope or undecided becomes out of scope.
#[test]
fn removing_an_optional_section_never_turns_an_answer_into_no() {
    const OPTIONAL: &[&str] = &[
        "platform",
        "pipo",
        "past_audits",
        "incidents",
        "cross_border_totals",
        "restructuring_transfers",
        "foreign_authority_requests",
        "pipia_records",
    ];
    const ACTIVITY_OPTIONAL: &[&str] = &[
        "cross_border",
        "notice_exempt",
        "public_disclosure",
        "published_pi",
        "automated_decisions",
        "public_cameras",
    ];
    let as_of = date(2026, 11, 23);
    for name in ["large-platform.yaml", "fintech.yaml", "small-merchant.yaml"] {
        let text = std::fs::read_to_string(format!(
            "{}/../../examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let (full, _) = inventory::source::parse(&text, false).unwrap();
        let load = |v: &serde_json::Value| {
            inventory::load(&v.to_string(), name, Syntax::Json).unwrap_or_else(|e| panic!("{e}"))
        };
        let before = load(&full);
        let obligations = |p: &Profile| -> Vec<(String, Option<String>, Status)> {
            compute(p, as_of, Calendar::builtin())
                .obligations
                .into_iter()
                .map(|o| (o.id, o.subject, o.status))
                .collect()
        };
        let scope_of = |p: &Profile| -> Vec<(String, InScope)> {
            scope::compute(p)
                .items
                .into_iter()
                .map(|i| (i.id, i.in_scope))
                .collect()
        };
        let (ob0, sc0) = (obligations(&before), scope_of(&before));
        // Each optional top-level section, then each optional list of every activity.
        let mut variants: Vec<(String, serde_json::Value)> = Vec::new();
        for key in OPTIONAL {
            if full.get(*key).is_some() {
                let mut v = full.clone();
                v.as_object_mut().unwrap().remove(*key);
                variants.push((key.to_string(), v));
            }
        }
        if full["organisation"].get("state_organ").is_some() {
            let mut v = full.clone();
            v["organisation"]
                .as_object_mut()
                .unwrap()
                .remove("state_organ");
            variants.push(("organisation.state_organ".into(), v));
        }
        for key in ACTIVITY_OPTIONAL {
            let mut v = full.clone();
            for a in v["activities"].as_array_mut().unwrap() {
                a.as_object_mut().unwrap().remove(*key);
            }
            variants.push((format!("activities[].{key}"), v));
        }
        for (key, v) in &variants {
            let after = load(v);
            for (id, subject, status) in obligations(&after) {
                if status != Status::DoesNotApply {
                    continue;
                }
                let was = ob0
                    .iter()
                    .find(|o| o.0 == id && o.1 == subject)
                    .map(|o| o.2);
                assert!(
                    matches!(was, None | Some(Status::DoesNotApply)),
                    "{name} without {key}: {id} {subject:?} went from {was:?} to does not apply"
                );
            }
            for (id, in_scope) in scope_of(&after) {
                let was = sc0.iter().find(|s| s.0 == id).map(|s| s.1);
                assert!(
                    in_scope != InScope::No || was == Some(InScope::No),
                    "{name} without {key}: checkpoint {id} went from {was:?} to out of scope"
                );
            }
        }
    }
}

/// Reports, `hegui scope` and `hegui obligations` explain themselves with the facts'
/// labels: no reason or detail, in either language, shows a fact's id or an `= no`.
#[test]
fn reasons_and_details_never_show_a_raw_fact_id() {
    let law = hegui_core::law::Law::get();
    let ids: Vec<&str> = law
        .facts
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| n.contains('_'))
        .collect();
    let check = |what: &str, text: &str| {
        for id in &ids {
            for (i, _) in text.match_indices(id) {
                let before = text[..i].chars().next_back();
                let after = text[i + id.len()..].chars().next();
                let word = |c: Option<char>| {
                    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '[')
                };
                assert!(
                    word(before) || word(after),
                    "{what}: raw fact id {id:?} in {text:?}"
                );
            }
        }
        for bad in ["= no", "= yes", "= unknown"] {
            assert!(!text.contains(bad), "{what}: {bad:?} in {text:?}");
        }
    };
    for name in ["large-platform.yaml", "fintech.yaml", "small-merchant.yaml"] {
        let text = std::fs::read_to_string(format!(
            "{}/../../examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let (full, _) = inventory::source::parse(&text, false).unwrap();
        // The example as it is, and with each top-level section removed in turn.
        let mut variants = vec![full.clone()];
        for key in full.as_object().unwrap().keys() {
            if key == "organisation" {
                continue;
            }
            let mut v = full.clone();
            v.as_object_mut().unwrap().remove(key);
            variants.push(v);
        }
        for v in variants {
            let Ok(p) = inventory::load(&v.to_string(), "p.json", Syntax::Json) else {
                continue;
            };
            for i in scope::compute(&p).items {
                check(&format!("{name} scope {}", i.id), &i.reason.zh);
                check(&format!("{name} scope {}", i.id), &i.reason.en);
                assert!(
                    !i.reason.zh.is_empty() && !i.reason.en.is_empty(),
                    "{name} {}: no reason",
                    i.id
                );
            }
            for o in compute(&p, date(2026, 11, 23), Calendar::builtin()).obligations {
                check(&format!("{name} obligation {}", o.id), &o.detail.zh);
                check(&format!("{name} obligation {}", o.id), &o.detail.en);
            }
        }
    }
}
