//! The law data against the official text: the seed file is parsed here, independently of
//! the generator, and every checkpoint, lead-in and article must equal it (after mapping
//! the seed's half-width punctuation to the official full-width forms).

use std::collections::HashSet;

use hegui_core::condition::Expr;
use hegui_core::facts;
use hegui_core::law::{Law, FILES};
use hegui_core::obligations::pipia::ACTIVITY_FACTS;

/// The official text, kept in the repository (see law/source/README.md).
const SEED: &str = "law/source/measures-and-guideline-2025.txt";
const SEED_SHA256: &str = "6d57c362ceb6c53894543a1a769ebb940091fc169e30ba41cabcf8d8a843d566";
const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn seed() -> String {
    use sha2::{Digest, Sha256};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the official text is needed at {}: {e}", path.display()));
    let digest: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, SEED_SHA256, "{} was changed", path.display());
    text
}

fn cn(n: usize) -> String {
    match n {
        1..=10 => NUMERALS[n - 1].to_string(),
        11..=19 => format!("十{}", NUMERALS[n - 11]),
        _ => format!(
            "{}十{}",
            NUMERALS[n / 10 - 1],
            if n.is_multiple_of(10) {
                ""
            } else {
                NUMERALS[n % 10 - 1]
            }
        ),
    }
}

fn full_width(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ';' => '；',
            ':' => '：',
            c => c,
        })
        .collect()
}

/// Non-empty trimmed lines before and after the line that is exactly 附件.
fn split_seed(text: &str) -> (Vec<String>, Vec<String>) {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let at = lines
        .iter()
        .position(|l| l == "附件")
        .expect("seed has the annex marker");
    (lines[..at].to_vec(), lines[at + 1..].to_vec())
}

/// (item numeral, lead-in, sub-items) of the Guideline, from the seed.
fn seed_items(annex: &[String]) -> Vec<(String, String, Vec<String>)> {
    let mut items: Vec<(String, String, Vec<String>)> = Vec::new();
    for l in annex {
        if let Some((head, rest)) = l.split_once('、') {
            if (1..=27).any(|n| cn(n) == head) {
                items.push((head.to_string(), full_width(rest), vec![]));
                continue;
            }
        }
        if let (Some(rest), Some(last)) = (l.strip_prefix('('), items.last_mut()) {
            if let Some((num, text)) = rest.split_once(')') {
                if (1..=11).any(|n| cn(n) == num) {
                    last.2.push(full_width(text));
                }
            }
        }
    }
    items
}

#[test]
fn every_checkpoint_is_verbatim() {
    let law = Law::get();
    let (_, annex) = split_seed(&seed());
    let items = seed_items(&annex);
    assert_eq!(items.len(), 27, "27 numbered items in the Guideline");
    assert_eq!(items[0].1, law.guideline.preamble_zh);
    let mut total = 0;
    for (n, (numeral, lead, subs)) in items.iter().enumerate().skip(1) {
        let item = n as u8 + 1;
        let area = law
            .guideline
            .area(item)
            .unwrap_or_else(|| panic!("area {item} missing"));
        assert_eq!(&area.numeral, numeral);
        if subs.is_empty() {
            // Item 七: the whole item is one checkpoint.
            assert_eq!(area.checkpoints.len(), 1);
            assert_eq!(area.checkpoints[0].id, "G7");
            assert_eq!(&area.checkpoints[0].text_zh, lead);
            assert!(area.intro_zh.is_none());
        } else {
            assert_eq!(
                area.intro_zh.as_ref(),
                Some(lead),
                "lead-in of item {numeral}"
            );
            assert_eq!(
                area.checkpoints.len(),
                subs.len(),
                "sub-items of item {numeral}"
            );
            for (i, (cp, text)) in area.checkpoints.iter().zip(subs).enumerate() {
                assert_eq!(cp.id, format!("G{item}.{}", i + 1));
                assert_eq!(&cp.text_zh, text, "{}", cp.id);
                assert_eq!(
                    cp.number.as_deref(),
                    Some(format!("（{}）", cn(i + 1)).as_str())
                );
            }
        }
        total += area.checkpoints.len();
    }
    assert_eq!(total, 111);
    assert_eq!(law.guideline.areas.len(), 26);
}

#[test]
fn sub_item_counts_match_the_reference() {
    // law-notes §0.2: 二:4 三:5 四:6 五:4 六:3 七:1 八:3 九:7 十:2 十一:3 十二:5 十三:7 十四:3
    // 十五:5 十六:6 十七:3 十八:2 十九:11 二十:3 二十一:2 二十二:5 二十三:4 二十四:3 二十五:3
    // 二十六:3 二十七:8.
    let expected = [
        4, 5, 6, 4, 3, 1, 3, 7, 2, 3, 5, 7, 3, 5, 6, 3, 2, 11, 3, 2, 5, 4, 3, 3, 3, 8,
    ];
    let got: Vec<usize> = Law::get()
        .guideline
        .areas
        .iter()
        .map(|a| a.checkpoints.len())
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn every_article_of_the_measures_is_verbatim() {
    let law = Law::get();
    let (before, _) = split_seed(&seed());
    let mut articles: Vec<Vec<String>> = Vec::new();
    for l in &before {
        if let Some(rest) = l.strip_prefix('第') {
            if let Some((num, text)) = rest.split_once('条') {
                if (1..=20).any(|n| cn(n) == num) {
                    articles.push(vec![full_width(text)]);
                    continue;
                }
            }
        }
        if let Some(a) = articles.last_mut() {
            a.push(full_width(l));
        }
    }
    assert_eq!(articles.len(), 20);
    assert_eq!(law.measures.articles.len(), 20);
    for (i, (seed_paras, art)) in articles.iter().zip(&law.measures.articles).enumerate() {
        assert_eq!(art.number as usize, i + 1);
        assert_eq!(&art.text_zh, seed_paras, "article {}", i + 1);
        assert!(!art.binds.is_empty() && !art.text_en.is_empty());
    }
}

#[test]
fn ids_are_unique_and_well_formed() {
    let law = Law::get();
    let mut seen = HashSet::new();
    for (area, cp) in law.guideline.checkpoints() {
        assert!(seen.insert(cp.id.clone()), "duplicate {}", cp.id);
        assert!(cp.id.starts_with(&format!("G{}", area.item)), "{}", cp.id);
    }
    let mut tax = HashSet::new();
    for c in &law.taxonomy.categories {
        assert!(tax.insert(c.id.clone()));
        for i in &c.items {
            assert!(tax.insert(i.id.clone()), "duplicate {}", i.id);
            assert!(i.id.starts_with(&format!("{}.", c.id)), "{}", i.id);
            if let Some(p) = &i.pipl28 {
                assert!(law.taxonomy.pipl28.iter().any(|x| &x.id == p), "{p}");
            }
        }
    }
}

/// Every identifier a law-data condition uses must be a known fact or threshold.
fn check_condition(cond: &str, extra: &[&str], what: &str) {
    let law = Law::get();
    let e = Expr::parse(cond).unwrap_or_else(|err| panic!("{what}: {err}"));
    for f in e.facts() {
        assert!(
            facts::def(f).is_some() || extra.contains(&f),
            "{what}: unknown fact {f:?}"
        );
    }
    for t in e.thresholds() {
        assert!(
            law.thresholds.threshold(t).is_some(),
            "{what}: unknown threshold {t:?}"
        );
    }
}

#[test]
fn every_checkpoint_has_basis_translation_evidence_and_condition() {
    let law = Law::get();
    for (area, cp) in law.guideline.checkpoints() {
        assert!(!cp.cites.is_empty(), "{} has no citation", cp.id);
        for c in &cp.cites {
            assert!(
                law.instrument(&c.instrument).is_some(),
                "{}: unknown instrument {}",
                cp.id,
                c.instrument
            );
        }
        assert!(!cp.text_en.is_empty(), "{}", cp.id);
        check_condition(&cp.condition(area), &[], &cp.id);
    }
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Auditors and auditees work in Chinese, and the evidence-request list is generated from
/// these: each checkpoint's typical evidence and suggested procedures exist in Chinese and
/// in English, item for item.
#[test]
fn every_checkpoint_has_evidence_and_procedures_in_chinese_and_english() {
    let law = Law::get();
    let mut n = 0;
    for (_, cp) in law.guideline.checkpoints() {
        for (zh, en, what) in [
            (&cp.evidence_zh, &cp.evidence_en, "typical evidence"),
            (&cp.procedures_zh, &cp.procedures_en, "suggested procedures"),
        ] {
            assert!(!zh.is_empty(), "{}: no Chinese {what}", cp.id);
            assert_eq!(
                zh.len(),
                en.len(),
                "{}: {what} differ in number of items between zh and en",
                cp.id
            );
            for item in zh {
                assert!(
                    has_han(item),
                    "{}: {what} item {item:?} is not Chinese",
                    cp.id
                );
            }
            for item in en {
                assert!(!item.trim().is_empty(), "{}: empty English {what}", cp.id);
                // English may quote a Chinese term, but must be mostly English.
                let han = item
                    .chars()
                    .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                    .count();
                assert!(
                    han * 3 < item.chars().count(),
                    "{}: {what} item {item:?} is not English",
                    cp.id
                );
            }
        }
        n += 1;
    }
    assert_eq!(n, 111);
}

/// Every fact a condition of the law data uses has a Chinese and an English label (and,
/// for a flag, how to say it does not hold), so no output has to fall back on the id.
#[test]
fn every_fact_the_law_data_uses_has_labels_in_both_languages() {
    use hegui_core::law::FactKind;
    let law = Law::get();
    let mut used: Vec<String> = Vec::new();
    let mut add = |cond: &str| {
        for f in Expr::parse(cond).unwrap().facts() {
            used.push(f.to_string());
        }
    };
    for (area, cp) in law.guideline.checkpoints() {
        add(&cp.condition(area));
    }
    for o in &law.obligations.obligations {
        add(&o.applies);
    }
    for r in &law.obligations.cross_border {
        add(&r.when);
    }
    for t in &law.obligations.pipia_triggers {
        add(&t.when);
    }
    let mut names = std::collections::HashSet::new();
    for f in &law.facts {
        assert!(
            names.insert(f.name.as_str()),
            "fact {} listed twice",
            f.name
        );
        assert!(
            has_han(&f.zh) && !f.en.is_empty(),
            "fact {}: labels",
            f.name
        );
        assert!(!f.field.is_empty(), "fact {}: no profile field", f.name);
        match f.kind {
            FactKind::Flag => assert!(
                f.not_zh.as_deref().is_some_and(has_han)
                    && f.not_en.as_deref().is_some_and(|s| !s.is_empty()),
                "flag {}: needs not_zh and not_en",
                f.name
            ),
            FactKind::Number => assert!(
                f.not_zh.is_none() && f.not_en.is_none(),
                "number {}",
                f.name
            ),
        }
    }
    for u in &used {
        assert!(
            names.contains(u.as_str()),
            "fact {u:?} is used by the law data but has no labels in law/facts.toml"
        );
    }
}

/// Every message the obligations code uses exists, in both languages, with the same
/// placeholders.
#[test]
fn every_message_used_exists_in_both_languages() {
    use hegui_core::messages;
    for (id, t) in messages::all() {
        assert!(has_han(&t.zh), "{id}: zh");
        assert!(!t.en.is_empty(), "{id}: en");
        assert_eq!(
            messages::placeholders(&t.zh),
            messages::placeholders(&t.en),
            "{id}: placeholders differ"
        );
    }
    // Every string literal shaped like a message id ("group.key", group from the file) in
    // the code must name a message, and every message must be used.
    let groups: std::collections::HashSet<&str> = messages::all()
        .keys()
        .map(|k| k.split('.').next().unwrap())
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut used = std::collections::HashSet::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for lit in text.split('"').skip(1).step_by(2) {
                let Some((g, k)) = lit.split_once('.') else {
                    continue;
                };
                let ident = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                };
                if groups.contains(g) && ident(k) {
                    assert!(
                        messages::all().contains_key(lit),
                        "{}: message {lit:?} missing from locale/messages.toml",
                        p.display()
                    );
                    used.insert(lit.to_string());
                }
            }
        }
    }
    for id in messages::all().keys() {
        assert!(
            used.contains(id),
            "message {id} in locale/messages.toml is never used"
        );
    }
}

#[test]
fn obligation_rules_cite_known_instruments_and_facts() {
    let law = Law::get();
    let rules = &law.obligations;
    for o in &rules.obligations {
        check_condition(&o.applies, &[], &o.id);
        assert!(!o.cites.is_empty(), "{}", o.id);
        if let Some(d) = &o.deadline {
            assert!(
                law.thresholds.deadline(d).is_some(),
                "{}: deadline {d}",
                o.id
            );
        }
        assert!(
            [
                "audit_cycle",
                "minors_annual",
                "pipo_designation",
                "pipo_filing",
                "independent_body",
                "annual_report",
                "none"
            ]
            .contains(&o.schedule.as_str()),
            "{}: schedule {}",
            o.id,
            o.schedule
        );
    }
    let xb = ["exemption_ground", "xb_people", "xb_sensitive"];
    for r in &rules.cross_border {
        check_condition(&r.when, &xb, &r.tier);
    }
    assert_eq!(
        rules.cross_border.last().map(|r| r.when.as_str()),
        Some("true"),
        "the last tier is the fallback"
    );
    for t in &rules.pipia_triggers {
        check_condition(&t.when, ACTIVITY_FACTS, &t.id);
    }
    let cites = law
        .thresholds
        .thresholds
        .iter()
        .map(|t| &t.cite)
        .chain(law.thresholds.deadlines.iter().map(|d| &d.cite))
        .chain(rules.obligations.iter().flat_map(|o| o.cites.iter()));
    for c in cites {
        assert!(
            law.instrument(&c.instrument).is_some(),
            "unknown instrument {}",
            c.instrument
        );
    }
}

#[test]
fn thresholds_the_code_uses_exist() {
    let t = &Law::get().thresholds;
    for id in [
        "pipo_people",
        "audit_biennial_people",
        "large_platform_registered_users",
        "large_platform_monthly_active",
        "ordered_audit_incident_people",
        "ordered_audit_incident_sensitive",
        "incident_tier_major_people",
        "incident_tier_serious_people",
        "incident_tier_critical_people",
    ] {
        assert!(t.threshold(id).is_some(), "{id}");
    }
    for id in [
        "pipo_filing",
        "assessment_validity",
        "assessment_extension_window",
        "standard_contract_filing",
        "pipia_retention",
        "incident_report_ciio",
        "incident_report_other",
        "incident_summary",
    ] {
        assert!(t.deadline(id).and_then(|d| d.amount).is_some(), "{id}");
    }
    assert!(t
        .deadline("pipo_filing_transition")
        .and_then(|d| d.date)
        .is_some());
    assert!(t
        .deadline("minors_audit_report")
        .and_then(|d| d.month)
        .is_some());
    // The counting rule: 超过1000万 is read inclusively (CAC Q&A 2026-04 Q1).
    assert_eq!(t.value("audit_biennial_people"), 10_000_000);
}

#[test]
fn all_law_files_parse() {
    assert_eq!(FILES.len(), 8);
    Law::parse().expect("law data parses");
}

#[test]
fn the_policy_rubric_names_known_checkpoints_instruments_and_facts() {
    let law = Law::get();
    let r = &law.policy_rubric;
    assert_eq!(r.elements.len(), 38);
    let mut ids: Vec<&str> = r.elements.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 38, "element ids are unique");
    for e in &r.elements {
        assert!(!e.zh.is_empty() && !e.en.is_empty(), "{}", e.id);
        assert!(!e.checkpoints.is_empty(), "{}", e.id);
        for cp in &e.checkpoints {
            assert!(
                law.guideline.checkpoint(cp).is_some(),
                "{}: unknown checkpoint {cp}",
                e.id
            );
        }
        assert!(!e.cites.is_empty(), "{}", e.id);
        for c in &e.cites {
            assert!(
                law.instrument(&c.instrument).is_some(),
                "{}: unknown instrument {}",
                e.id,
                c.instrument
            );
        }
        assert!(!e.applies.is_empty(), "{}", e.id);
        if !e.always() {
            for f in &e.applies {
                assert!(r.fact(f).is_some(), "{}: unknown fact {f}", e.id);
            }
        }
    }
}

#[test]
fn policy_facts_map_to_profile_facts_that_exist() {
    let law = Law::get();
    for f in &law.policy_rubric.facts {
        for name in f.profile.iter().chain(f.profile_count.iter()) {
            assert!(law.fact(name).is_some(), "{}: no profile fact {name}", f.id);
        }
    }
}
