use super::automaton::{automaton, has_ascii_key, ASCII_KEYS};
use super::lexicon::{BIRTH_CUES, COMPOUND, PLACES, SURNAMES, TERMS};
use super::names::one_of;
use super::places::{
    address_at, ending_with, Suffix, PLACE_SUFFIXES, SUFFIX_ENDS, SUFFIX_END_SLOTS, UNIT_SUFFIXES,
};
use super::sets::{cjk, COMPOUND_FIRSTS, SURNAME_SET};
use super::{detect, fact_masks, fact_masks_portable, Facts, TextFacts};
use crate::hit::Options;
use crate::kind::Kind;

use jiff::civil::date;

fn found(text: &str, field: Option<Kind>) -> Vec<(Kind, String)> {
    let mut o = Options::new(date(2026, 11, 23));
    if let Some(k) = field {
        o.field_kinds = vec![k];
    }
    let mut out = Vec::new();
    detect(text.as_bytes(), None, &o, &mut out);
    // Facts given (as the masks of a batch give them) change nothing.
    let mut given = Vec::new();
    let facts = Facts::of(text.as_bytes());
    detect(text.as_bytes(), Some(facts), &o, &mut given);
    assert_eq!(out, given, "{text}");
    out.into_iter()
        .map(|h| (h.kind, text[h.start..h.end].to_string()))
        .collect()
}

#[test]
fn character_sets_hold_exactly_their_lists() {
    let sets = [(&SURNAME_SET, SURNAMES)];
    // Every CJK character, and a few others, against a comparison with the list.
    let others = ["a", "é", "一", "鿿", "㐀", "가", "😀"];
    for (set, list) in sets {
        let chars = (0x4E00..0xA000)
            .filter_map(char::from_u32)
            .map(String::from)
            .chain(others.iter().map(|s| s.to_string()));
        for c in chars {
            let b = c.as_bytes();
            let want = b.len() == 3 && one_of(list, b);
            assert_eq!(set.has(b), want, "{c}");
        }
    }
}

#[test]
fn suffix_slots_are_positions_in_the_list_of_ends() {
    let listed: Vec<String> = SUFFIX_ENDS.chars().map(String::from).collect();
    for c in (0x4E00..0xA000)
        .filter_map(char::from_u32)
        .map(String::from)
    {
        let want = listed.iter().position(|l| *l == c);
        assert_eq!(SUFFIX_END_SLOTS.get(c.as_bytes()), want, "{c}");
    }
    for other in ["a", "é", "㐀", "가", "😀", ""] {
        assert_eq!(SUFFIX_END_SLOTS.get(other.as_bytes()), None, "{other}");
    }
    // Each end's list holds exactly the suffixes ending with it, in the list's order.
    for end in &listed {
        let want: Vec<&str> = PLACE_SUFFIXES
            .iter()
            .copied()
            .filter(|s| s.ends_with(end.as_str()))
            .collect();
        let got: Vec<&str> = ending_with(end.as_bytes()).iter().map(|s| s.text).collect();
        assert_eq!(got, want, "{end}");
    }
}

#[test]
fn compound_firsts_are_the_first_characters_of_the_compound_surnames() {
    let mut firsts: Vec<char> = COMPOUND.iter().filter_map(|s| s.chars().next()).collect();
    firsts.sort_unstable();
    firsts.dedup();
    let mut listed: Vec<char> = COMPOUND_FIRSTS.chars().collect();
    listed.sort_unstable();
    assert_eq!(listed, firsts);
}

#[test]
fn suffix_ends_are_the_last_characters_of_the_place_suffixes() {
    let mut ends: Vec<char> = PLACE_SUFFIXES
        .iter()
        .map(|s| s.chars().last().expect("a suffix"))
        .collect();
    ends.sort_unstable();
    ends.dedup();
    let mut listed: Vec<char> = SUFFIX_ENDS.chars().collect();
    listed.sort_unstable();
    assert_eq!(listed, ends);
}

#[test]
fn a_bare_year_in_a_birth_date_column_is_not_a_date() {
    // Once a panic: the separator after a year at the cell's end was read past it.
    for cell in ["1990", "出生1990", "1990年", "1990-", "1990-03", "19900"] {
        assert!(found(cell, Some(Kind::BirthDate)).is_empty(), "{cell}");
    }
    assert_eq!(
        found("1990-03-07", Some(Kind::BirthDate)),
        vec![(Kind::BirthDate, "1990-03-07".into())]
    );
}

#[test]
fn names_in_text_and_in_columns() {
    assert_eq!(
        found("INFO 用户张伟(手机…)登录", None),
        vec![(Kind::PersonName, "张伟".into())]
    );
    assert_eq!(
        found("实名认证，姓名：欧阳梓轩", None),
        vec![(Kind::PersonName, "欧阳梓轩".into())]
    );
    assert_eq!(
        found("收件人王秀英已签收", None),
        vec![(Kind::PersonName, "王秀英".into())]
    );
    assert_eq!(
        found("联系人李明的电话", None),
        vec![(Kind::PersonName, "李明".into())]
    );
    assert_eq!(
        found("请陈静女士到前台", None),
        vec![(Kind::PersonName, "陈静女士".into())]
    );
    assert_eq!(
        found("赵敏", Some(Kind::PersonName)),
        vec![(Kind::PersonName, "赵敏".into())]
    );
    assert!(
        found("王府井大街", Some(Kind::PersonName)).is_empty(),
        "too long for a name cell"
    );
    assert!(found("用户已登录", None).is_empty());
    assert!(found("今天天气不错", None).is_empty());
}

/// Fewer than `max` pieces, drawn at random, joined.
fn random_text(rng: &mut crate::rng::Rng, pieces: &[String], max: u64) -> String {
    let n = rng.below(max) as usize;
    (0..n)
        .map(|_| pieces[rng.below(pieces.len() as u64) as usize].as_str())
        .collect()
}

/// The address grammar read straight off the lists (the reference for `address_at`).
fn address_by_lists(t: &[u8], i: usize) -> Option<usize> {
    let (mut j, mut parts, mut street) = (i, 0, false);
    loop {
        let k = j + t[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if k > j {
            let Some(u) = UNIT_SUFFIXES
                .iter()
                .find(|u| t[k..].starts_with(u.as_bytes()))
            else {
                break;
            };
            j = k + u.len();
            parts += 1;
            street |= *u == "号";
            continue;
        }
        let mut end = None;
        let mut c = j;
        for _ in 0..10 {
            if cjk(t, c).is_none() {
                break;
            }
            c += 3;
            let ends = |s: &&Suffix, to: usize| t[j..to].ends_with(s.text.as_bytes());
            if let Some(s) = ending_with(&t[c - 3..c]).iter().find(|s| ends(s, c)) {
                let longer = cjk(t, c).and_then(|next| {
                    ending_with(next)
                        .iter()
                        .find(|l| l.text.len() == 6 && ends(l, c + 3))
                });
                end = Some(longer.map_or((c, s), |l| (c + 3, l)));
                break;
            }
        }
        let Some((c, s)) = end else { break };
        j = c;
        parts += 1;
        street |= s.street;
    }
    (parts >= 3 || (parts >= 2 && street)).then_some(j - i)
}

#[test]
fn the_address_grammar_reads_as_its_lists_say() {
    // Random chains of place names, suffixes, numbers, units and other characters.
    let pieces: Vec<String> = PLACE_SUFFIXES
        .iter()
        .chain(UNIT_SUFFIXES)
        .map(|s| s.to_string())
        .chain(
            "北京朝阳建国东城道街号楼单元一㐀a1，同社胡自治"
                .chars()
                .map(String::from),
        )
        .chain(["12", "3", "1203", "街道", "花园"].map(String::from))
        .collect();
    let mut rng = crate::rng::Rng::new(31);
    let mut found = 0;
    for _ in 0..50_000 {
        let text = random_text(&mut rng, &pieces, 12);
        let t = text.as_bytes();
        let want = address_by_lists(t, 0);
        found += usize::from(want.is_some());
        assert_eq!(address_at(t, 0), want, "{text}");
    }
    assert!(found > 1_000, "the random texts hold addresses: {found}");
}

#[test]
fn addresses_as_component_chains() {
    let a = "广东省深圳市南山区科技园路12号3栋2单元1203室";
    assert_eq!(
        found(&format!("收货地址：{a} 联系电话"), None),
        vec![(Kind::Address, a.into())]
    );
    assert_eq!(
        found("北京市朝阳区建设路8号", None),
        vec![(Kind::Address, "北京市朝阳区建设路8号".into())]
    );
    assert!(
        found("我在北京市出差", None).is_empty(),
        "a city alone is not an address"
    );
    let cell = "浦东新区张江镇碧波路690号";
    assert_eq!(
        found(cell, Some(Kind::Address)),
        vec![(Kind::Address, cell.into())]
    );
}

#[test]
fn birth_dates_need_a_cue() {
    assert_eq!(
        found("出生日期：1990-03-07", None),
        vec![(Kind::BirthDate, "1990-03-07".into())]
    );
    assert_eq!(
        found("生日 1988年12月1日", None),
        vec![(Kind::BirthDate, "1988年12月1日".into())]
    );
    assert_eq!(
        found("birth=19900307", None),
        vec![(Kind::BirthDate, "19900307".into())]
    );
    assert!(found("更新于2025-09-26", None).is_empty());
    assert!(found("出生日期：1990-02-30", None).is_empty());
    assert_eq!(
        found("1990/3/7", Some(Kind::BirthDate)),
        vec![(Kind::BirthDate, "1990/3/7".into())]
    );
}

#[test]
fn ascii_anchors_are_whole_words_in_any_line() {
    let kinds = |t: &str| found(t, None).into_iter().map(|x| x.0).collect::<Vec<_>>();
    // In an all-ASCII line as in a Chinese one.
    assert_eq!(kinds("patient HIV positive"), vec![Kind::SensitiveHealth]);
    assert_eq!(kinds("检测结果：hiv阳性"), vec![Kind::SensitiveHealth]);
    assert_eq!(
        kinds("DNA sample; LGBT group"),
        vec![Kind::SensitiveBiometric, Kind::SensitiveSexualOrientation]
    );
    // In the third line of a block of lines; in the three usual spellings only.
    assert_eq!(
        found("GET /a 200\nuser=1\nnote: Hiv test\n检测", None),
        vec![(Kind::SensitiveHealth, "Hiv".into())]
    );
    assert!(kinds("note: hIV test").is_empty());
    // Inside another word they are not anchors.
    assert!(kinds("GET /archive/hive/dnaase 上传").is_empty());
    assert!(kinds("adobe 1990-03-07 安装").is_empty());
    // Birth cues are prefixes: birthdate, birth_date, camelCase userBirthday.
    for t in [
        "birthdate: 1990-03-07",
        "user_birth_date=1990-03-07",
        "userBirthday 1990-03-07",
        "DOB 1990-03-07",
    ] {
        assert_eq!(
            found(t, None),
            vec![(Kind::BirthDate, "1990-03-07".into())],
            "{t}"
        );
    }
}

#[test]
fn the_word_test_for_key_letters_agrees_with_the_byte_test() {
    let by_bytes = |t: &[u8]| {
        t.iter()
            .any(|b| ASCII_KEYS.contains(&b.to_ascii_lowercase()))
    };
    for len in 0..20 {
        for at in 0..len {
            for b in 0..=255u8 {
                let mut t = vec![b'x'; len];
                t[at] = b;
                assert_eq!(has_ascii_key(&t), by_bytes(&t), "{b:#x} at {at} of {len}");
            }
        }
    }
}

/// A text of up to `max` bytes drawn from `bytes`.
fn random_bytes(rng: &mut crate::rng::Rng, max: u64, bytes: &[u8]) -> Vec<u8> {
    let len = rng.below(max) as usize;
    (0..len)
        .map(|_| bytes[rng.below(bytes.len() as u64) as usize])
        .collect()
}

#[test]
fn facts_of_a_text_agree_with_byte_tests() {
    let mut rng = crate::rng::Rng::new(17);
    for _ in 0..50_000 {
        let t = random_bytes(&mut rng, 30, b"aBvNx1 ,\n\xe4\x80\x7f\x00");
        let f = Facts::of(&t);
        let key = t
            .iter()
            .any(|b| ASCII_KEYS.contains(&b.to_ascii_lowercase()));
        assert_eq!(f.newline, t.contains(&b'\n'), "{t:?}");
        assert_eq!(f.high, !t.is_ascii(), "{t:?}");
        assert_eq!(f.key, key, "{t:?}");
    }
}

#[test]
fn block_facts_agree_with_the_word_tests_for_every_cell() {
    let mut rng = crate::rng::Rng::new(23);
    let mut facts = TextFacts::default();
    for _ in 0..2_000 {
        let t = random_bytes(&mut rng, 300, b"aBvNx1 ,\n\xe4\x80\x7f\x00\xc2");
        let len = t.len();
        facts.load(&t);
        for _ in 0..20 {
            let a = rng.below(len as u64 + 1) as usize;
            let b = a + rng.below((len - a) as u64 + 1) as usize;
            assert_eq!(facts.of(a, b), Facts::of(&t[a..b]), "{:?}", &t[a..b]);
        }
    }
}

#[test]
fn the_next_anchorable_byte_is_the_first_that_a_cell_test_would_see() {
    let mut rng = crate::rng::Rng::new(29);
    let mut facts = TextFacts::default();
    for _ in 0..3_000 {
        // Mostly plain bytes, so that whole blocks hold nothing to anchor: one rare
        // byte among some tens to hundreds of plain ones.
        let plain = 1 + rng.below(200) as usize;
        let mut bytes = b"vN\n\xe4\x80".to_vec();
        bytes.extend(b"x1 ,A".iter().cycle().take(plain));
        let t = random_bytes(&mut rng, 400, &bytes);
        let len = t.len();
        facts.load(&t);
        for from in 0..=len + 70 {
            let want = (from..len)
                .find(|&i| !Facts::of(&t[i..i + 1]).nothing_to_anchor())
                .unwrap_or(usize::MAX);
            assert_eq!(facts.next_anchorable(from), want, "{t:?} from {from}");
        }
    }
}

#[test]
fn block_masks_match_the_byte_test_for_every_byte_in_every_lane() {
    for at in 0..64 {
        for b in 0..=255u8 {
            let mut block = [b'x'; 64];
            block[at] = b;
            assert_eq!(
                fact_masks(&block),
                fact_masks_portable(&block),
                "{b:#x} at {at}"
            );
        }
    }
}

#[test]
fn lines_the_prefilter_rules_out_have_no_anchor() {
    // Every anchor passes the prefilter, alone and inside text.
    let a = automaton();
    let mut words: Vec<&str> = [PLACES, BIRTH_CUES].concat();
    for (_, ts) in TERMS {
        words.extend_from_slice(ts);
    }
    for w in &words {
        assert!(a.may_match(w.as_bytes()), "{w}");
        assert!(a.may_match(format!("订单A{w}，x").as_bytes()), "{w}");
        assert!(a.may_match(w.to_uppercase().as_bytes()), "{w}");
    }
    // Random lines from the anchors' characters, their first two characters and bytes
    // around them: whenever the automaton finds anything, the prefilter let it through.
    let alphabet: Vec<String> = words
        .iter()
        .flat_map(|w| w.chars())
        .chain("，: 1aZ".chars())
        .map(String::from)
        .chain(words.iter().map(|w| w.chars().take(2).collect()))
        .collect();
    let mut rng = crate::rng::Rng::new(23);
    let mut matched = 0;
    for _ in 0..20_000 {
        let line = random_text(&mut rng, &alphabet, 6);
        if a.ac.find(&line).is_some() {
            matched += 1;
            assert!(a.may_match(line.as_bytes()), "{line}");
        }
    }
    assert!(matched > 1000, "the random lines hold anchors: {matched}");
    // Characters of the two sets that begin no anchor together do not pass: 证 starts
    // 证券账户 and 京 follows 北 in 北京市, but no anchor starts with 证京.
    assert!(a.first.has("证".as_bytes()) && a.second.has("京".as_bytes()));
    assert!(!a.may_match("待核实证京".as_bytes()));
}

#[test]
fn sensitive_terms() {
    let k: Vec<Kind> = found("患者确诊糖尿病，有过敏史；宗教信仰：佛教徒；采集指纹", None)
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert!(k.contains(&Kind::SensitiveHealth));
    assert!(k.contains(&Kind::SensitiveReligion));
    assert!(k.contains(&Kind::SensitiveBiometric));
    assert!(found("未满14周岁需监护人同意", None)
        .iter()
        .any(|x| x.0 == Kind::SensitiveMinor));
}
