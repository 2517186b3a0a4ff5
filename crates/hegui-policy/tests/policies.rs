//! The labelled policies (tests/policies, truth.toml): every element's status as a careful
//! reader judges it, in thirty-one files across HTML, PDF, DOCX, Markdown and GBK text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hegui_policy::{bench, check, extract, Error, Status};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policies")
}

fn analyse(name: &str, given: &[(&str, bool)]) -> hegui_policy::Analysis {
    let (fmt, doc) = extract::read(&dir().join(name)).unwrap();
    let given: BTreeMap<String, (bool, String)> = given
        .iter()
        .map(|&(f, v)| (f.to_string(), (v, "assume".to_string())))
        .collect();
    check(name, fmt.name(), &doc, &given).unwrap()
}

/// Where hegui and the truth differ, and why it is left so.
const KNOWN_MISSES: &[(&str, &str)] = &[
    // Two recipients are named, one with a phone number and one (the medical-insurance
    // bureau) without: T02 is met by any recipient's contact, not checked per recipient.
    ("clinic-gbk.txt", "T02"),
    // The ID numbers go to the state's anti-addiction system under a legal obligation, where
    // PIPL 13(3) needs no consent; hegui does not weigh legal bases, so it asks for one.
    ("mobile-game.html", "T04"),
    // Under-14s are told only "what verification needs"; hegui sees the purpose told and
    // does not check that all five things Art. 31 lists are.
    ("mobile-game.html", "M03"),
];

#[test]
fn every_element_of_every_labelled_policy_as_the_truth_says() {
    let score = bench::score(&dir()).unwrap();
    assert_eq!(score.files.len(), 31);
    for f in &score.files {
        assert_eq!(f.elements, 38, "{}", f.file);
        let unexplained: Vec<_> = f
            .differences
            .iter()
            .filter(|(id, ..)| !KNOWN_MISSES.contains(&(f.file.as_str(), id.as_str())))
            .collect();
        assert!(unexplained.is_empty(), "{}: {unexplained:?}", f.file);
    }
    assert_eq!(score.false_flags_on_complete, 0);
    assert!(score.f1 >= 0.9, "{score:?}");
}

#[test]
fn the_truth_names_every_element_with_a_known_status() {
    let rubric = &hegui_core::law::Law::get().policy_rubric;
    // The held-out set is measured (`hegui bench policy --dir …/heldout`), never asserted:
    // its truth must only be complete.
    let heldout = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/heldout");
    let all = bench::truth(&dir())
        .unwrap()
        .into_iter()
        .chain(bench::truth(&heldout).unwrap());
    for (file, statuses) in all {
        assert_eq!(statuses.len(), rubric.elements.len(), "{file}");
        for e in &rubric.elements {
            let s = statuses
                .get(&e.id)
                .unwrap_or_else(|| panic!("{file}: {}", e.id));
            assert!(bench::known_status(s), "{file}: {} = {s}", e.id);
        }
    }
}

#[test]
fn negations_decide_both_ways() {
    // 暂不支持在线注销账号: account cancellation only in a negation is deficient.
    let a = analyse("flawed-shop.html", &[]);
    let r06 = a.elements.iter().find(|v| v.id == "R06").unwrap();
    assert_eq!(r06.status, Status::Deficient);
    assert!(r06.evidence[0].quote.contains("暂不支持"));
    // 不会向境外提供: the transfer elements are not applicable, and the fact says why.
    let a = analyse("complete-ride.md", &[]);
    let xb = &a.facts["cross_border"];
    assert!(!xb.value && xb.from == "text");
    assert!(xb.evidence[0].quote.contains("不会向境外提供"));
    for v in a.elements.iter().filter(|v| v.id.starts_with('X')) {
        assert_eq!(v.status, Status::NotApplicable, "{}", v.id);
    }
}

#[test]
fn an_assumed_fact_overrides_the_text() {
    let a = analyse("complete-ride.md", &[("cross_border", true)]);
    assert_eq!(a.facts["cross_border"].from, "assume");
    let x01 = a.elements.iter().find(|v| v.id == "X01").unwrap();
    assert_eq!(x01.status, Status::Absent);
}

#[test]
fn evidence_points_into_the_text_with_its_headings() {
    let (fmt, doc) = extract::read(&dir().join("flawed-shop.html")).unwrap();
    let a = check("x", fmt.name(), &doc, &BTreeMap::new()).unwrap();
    for v in &a.elements {
        for e in &v.evidence {
            assert_eq!(doc.text[e.start..e.end].trim(), e.quote, "{}", v.id);
        }
    }
    let c07 = a.elements.iter().find(|v| v.id == "C07").unwrap();
    assert_eq!(c07.evidence[0].heading, "乐购商城隐私政策 › 四、存储");
    // The page's chrome is not the policy: the footer's complaint line does not count.
    assert!(!doc.text.contains("投诉举报电话"));
    assert!(!doc.text.contains("Cookie"));
}

#[test]
fn files_that_are_not_policies_are_clear_errors() {
    let tmp = std::env::temp_dir().join(format!("hegui-policy-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let not = tmp.join("menu.txt");
    std::fs::write(&not, "今日菜单\n宫保鸡丁\n鱼香肉丝\n").unwrap();
    let (fmt, doc) = extract::read(&not).unwrap();
    assert!(matches!(
        check("menu.txt", fmt.name(), &doc, &BTreeMap::new()),
        Err(Error::NotAPolicy(_))
    ));
    let empty = tmp.join("empty.html");
    std::fs::write(&empty, "<html><body><script>1</script></body></html>").unwrap();
    assert!(matches!(extract::read(&empty), Err(Error::NoText)));
    let pdf = tmp.join("broken.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%binary").unwrap();
    assert!(matches!(extract::read(&pdf), Err(Error::Parse(_))));
    // A PDF with pages and no text (as a scan is): said so.
    let scan = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/files/no-text.pdf");
    assert!(matches!(extract::read(&scan), Err(Error::NoText)));
    let broken = tmp.join("broken.docx");
    std::fs::write(&broken, b"PK\x03\x04 not really a zip").unwrap();
    assert!(matches!(extract::read(&broken), Err(Error::Parse(_))));
    let _ = std::fs::remove_dir_all(&tmp);
}
