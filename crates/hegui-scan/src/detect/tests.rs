use super::digits::{
    block_mask, block_mask_portable, dotted_token, is_run_byte, runs_touching, starts_of_ones,
    RunRule, Runs,
};
use super::plates::{plate_place, plate_places};
use super::tokens::{date_or_time, tokens};
use super::{detect, detect_cells, Cell, Options, Scratch};
use crate::kind::{Kind, KindSet, Likelihood};
use crate::validate::id_card;

use jiff::civil::date;

fn kinds(text: &str) -> Vec<(Kind, &str, Likelihood, bool)> {
    let opts = Options::new(date(2026, 11, 23));
    detect(text.as_bytes(), &opts)
        .into_iter()
        .map(|h| (h.kind, &text[h.start..h.end], h.likelihood, h.masked))
        .collect()
}

fn only(text: &str) -> (Kind, &str) {
    let k = kinds(text);
    assert_eq!(k.len(), 1, "{text}: {k:?}");
    (k[0].0, k[0].1)
}

#[test]
fn ids_glued_to_chinese_text() {
    let k = kinds("身份证号110101199003077777，请核对");
    // 110101199003077777 has the wrong check digit; build a valid one.
    assert!(k.is_empty(), "{k:?}");
    let body = "11010119900307123";
    let id = format!("{body}{}", id_card::check_char(body.as_bytes()) as char);
    let text = format!("身份证号{id}，请核对");
    let k = kinds(&text);
    assert_eq!(
        k,
        vec![(
            Kind::CnResidentId,
            id.as_str(),
            Likelihood::VeryLikely,
            false
        )]
    );
    // Without context: likely; after an order-number keyword: unlikely.
    assert_eq!(kinds(&format!("值{id}"))[0].2, Likelihood::Likely);
    assert_eq!(kinds(&format!("订单号{id}"))[0].2, Likelihood::Unlikely);
}

#[test]
fn block_mask_matches_the_byte_test_for_every_byte_in_every_lane() {
    for b in 0..=255u8 {
        for lane in [0, 15, 16, 31, 47, 63] {
            let mut block = [b'a'; 64];
            block[lane] = b;
            let m = block_mask(&block);
            let at = |on: bool| u64::from(on) << lane;
            assert_eq!(m.runs, at(is_run_byte(b)), "byte {b:#x} lane {lane}");
            assert_eq!(m.stars, at(b == b'*'));
            assert_eq!(m.dots, at(b == b'.'));
            assert_eq!(m.spaces_dashes, at(b" -".contains(&b)));
            assert_eq!(m.parens, at(b == b'('));
            assert_eq!(block_mask_portable(&block), m);
        }
    }
}

#[test]
fn plate_places_of_a_block_agree_with_the_byte_test() {
    let mut rng = crate::rng::Rng::new(31);
    for _ in 0..20_000 {
        // Capitals, CJK lead and continuation bytes and others, mixed, so that every
        // place of a block is often a near miss; lengths around the block edges.
        let len = 3 + rng.below(140) as usize;
        let t: Vec<u8> = (0..len)
            .map(|_| b"AZIO@[\xe4\xe9\xe3\xea\x80\xbf\xc0a1"[rng.below(15) as usize])
            .collect();
        let mut base = 3;
        while base + 1 < t.len() {
            let want = (base..(base + 64).min(t.len() - 1))
                .filter(|&i| plate_place(&t, i))
                .fold(0u64, |m, i| m | 1 << (i - base));
            assert_eq!(plate_places(&t, base), want, "{t:?} at {base}");
            base += 64;
        }
    }
}

/// Random texts of the bytes that make and break dates, times, MACs, IPv6, quads,
/// coordinates and prices, with pieces of each shape, so that near misses are common.
fn token_texts(seed: u64) -> impl Iterator<Item = Vec<u8>> {
    let mut r = crate::rng::Rng::new(seed);
    let pieces: [&[u8]; 24] = [
        b"0",
        b"7",
        b"12",
        b"2026",
        b"a",
        b"F",
        b"g",
        b"-",
        b":",
        b"::",
        b".",
        b",",
        b" ",
        b"2026-03-14",
        b"03:34:50",
        b"17:55",
        b"00:1a:2B:3c:4d:5e",
        b"fe80::1",
        b"39.9042",
        b"1197.00",
        b"192.168.1.10",
        b"116.4074",
        b"39.9042,116.4074",
        b"10.0.0.1",
    ];
    (0..30_000).map(move |_| {
        let mut t = Vec::new();
        for _ in 0..r.below(12) {
            t.extend_from_slice(pieces[r.below(pieces.len() as u64) as usize]);
        }
        t
    })
}

#[test]
fn dates_and_times_passed_over_hold_no_mac_or_ipv6() {
    let (mut found, mut skipped) = (0, 0);
    for t in token_texts(41) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        tokens::<true>(&t, &mut fast);
        tokens::<false>(&t, &mut slow);
        assert_eq!(fast, slow, "{}", String::from_utf8_lossy(&t));
        found += slow.len();
        skipped += memchr::memchr2_iter(b':', b'-', &t)
            .filter(|&p| date_or_time(&t, p).is_some())
            .count();
    }
    // The texts reach both paths.
    assert!(
        found > 1000 && skipped > 1000,
        "{found} hits, {skipped} skips"
    );
}

#[test]
fn dotted_runs_ended_early_hold_no_quad_or_coordinate() {
    let mut found = 0;
    for t in token_texts(43) {
        // Every digit run's start, as `digit_runs` calls it (no digit before it).
        for start in (0..t.len())
            .filter(|&i| t[i].is_ascii_digit() && (i == 0 || !t[i - 1].is_ascii_digit()))
        {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let a = dotted_token::<true>(&t, start, &mut fast);
            let b = dotted_token::<false>(&t, start, &mut slow);
            assert_eq!((a, &fast), (b, &slow), "{}", String::from_utf8_lossy(&t));
            found += slow.len();
        }
    }
    assert!(found > 1000, "{found} hits");
}

#[test]
fn starts_of_ones_matches_a_shift_per_bit() {
    let mut r = crate::rng::Rng::new(9);
    for i in 0..20_000 {
        let m = r.next_u64() | r.next_u64();
        let len = 1 + i % 64;
        let mut want = m;
        for k in 1..len {
            want &= m >> k;
        }
        assert_eq!(starts_of_ones(m, len), want, "m {m:#x} len {len}");
    }
    assert_eq!(starts_of_ones(u64::MAX, 64), 1);
    assert_eq!(starts_of_ones(u64::MAX, 65), 0);
}

#[test]
fn runs_touching_keeps_whole_runs_with_a_seed() {
    let mut r = crate::rng::Rng::new(5);
    for _ in 0..20_000 {
        let m = r.next_u64() & r.next_u64() | r.next_u64() & r.next_u64();
        let seeds = r.next_u64() & r.next_u64() & r.next_u64() & m;
        let mut want = 0u64;
        let mut p = 0;
        while p < 64 {
            if m >> p & 1 == 1 {
                let s = p;
                while p < 64 && m >> p & 1 == 1 {
                    p += 1;
                }
                let run = if p - s == 64 {
                    u64::MAX
                } else {
                    ((1u64 << (p - s)) - 1) << s
                };
                if run & seeds != 0 {
                    want |= run;
                }
            } else {
                p += 1;
            }
        }
        assert_eq!(runs_touching(m, seeds), want, "m {m:#x} seeds {seeds:#x}");
    }
    assert_eq!(runs_touching(u64::MAX, 1 << 40), u64::MAX);
    assert_eq!(runs_touching(0b0110_1110, 0b0000_0100), 0b0000_1110);
}

#[test]
fn block_runs_match_a_byte_by_byte_reading() {
    // Runs across 64-byte block edges, at the very end, of every length, with stars and
    // multi-byte UTF-8 around them, and after skips. Every run digit_runs needs comes
    // out (long, masked, joinable); short runs nothing can join may be dropped.
    let mut r = crate::rng::Rng::new(11);
    let alphabet: Vec<&[u8]> = vec![
        b"0",
        b"7",
        b"1",
        b"*",
        b"a",
        b" ",
        "身".as_bytes(),
        b"-",
        b".",
        b"(",
    ];
    let rules = [
        RunRule::ALL,
        RunRule::for_kinds(KindSet::of(&[Kind::CnResidentId, Kind::CnMobile])),
        RunRule::for_kinds(KindSet::of(&[Kind::Ipv4])),
        RunRule::for_kinds(KindSet::of(&[Kind::CnLandline, Kind::Imei])),
    ];
    for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
        for i in 0..400 {
            let rule = rules[i % rules.len()];
            let mut t = Vec::new();
            while t.len() < len {
                t.extend_from_slice(alphabet[r.below(alphabet.len() as u64) as usize]);
            }
            let mut naive = Vec::new();
            let mut i = 0;
            while i < t.len() {
                if is_run_byte(t[i]) {
                    let s = i;
                    while i < t.len() && is_run_byte(t[i]) {
                        i += 1;
                    }
                    naive.push((s, i, t[s..i].iter().filter(|&&b| b == b'*').count()));
                } else {
                    i += 1;
                }
            }
            // A dot joins with a run byte after it, a space or dash with three.
            let needed = |&(s, e, stars): &(usize, usize, usize)| {
                let before = s.checked_sub(1).map(|p| t[p]);
                let run_bytes = |k: usize| {
                    t.get(e + 1..e + 1 + k)
                        .is_some_and(|r| r.len() == k && r.iter().all(|&b| is_run_byte(b)))
                };
                let joined = match t.get(e) {
                    Some(b'.') => rule.dots && run_bytes(1),
                    Some(b' ' | b'-') => rule.groups && run_bytes(3),
                    _ => false,
                };
                stars > 0 || e - s >= rule.shortest || joined || rule.joinable(before, None)
            };
            let mut runs = Runs::new(&t, rule);
            let mut got = Vec::new();
            while let Some((s, e)) = runs.next() {
                got.push((s, e, runs.stars_in(s, e)));
            }
            let shown = String::from_utf8_lossy(&t);
            assert!(got.iter().all(|g| naive.contains(g)), "{shown:?}: {got:?}");
            assert!(got.windows(2).all(|w| w[0].1 <= w[1].0), "in order");
            for n in naive.iter().filter(|n| needed(n)) {
                assert!(
                    got.contains(n),
                    "{shown:?} {rule:?}: {n:?} missing from {got:?}"
                );
            }
            // Skipping past a run's end resumes after it.
            if got.len() >= 3 {
                let mut runs = Runs::new(&t, rule);
                runs.next();
                runs.skip_to(got[1].1);
                let next = runs.next().expect("a run after the skip");
                assert!(next.0 >= got[1].1 && naive.iter().any(|n| (n.0, n.1) == next));
            }
        }
    }
}

#[test]
fn narrower_rules_skip_runs_only_kinds_that_are_off_need() {
    assert_eq!(RunRule::for_kinds(KindSet::ALL), RunRule::ALL);
    let ids = RunRule::for_kinds(KindSet::of(&[Kind::CnResidentId, Kind::BankCard]));
    assert_eq!((ids.shortest, ids.dots, ids.paren), (13, false, false));
    assert!(ids.groups, "cards are written in groups");
    // A user agent's version numbers, a date and a time are not visited by an
    // identifier pass.
    let t = b"Mozilla/5.0 (Windows NT 10.0) at 2026-03-08 17:55:46";
    let mut runs = Runs::new(t, ids);
    assert_eq!(runs.next(), None);
    let mut all = Runs::new(t, RunRule::ALL);
    assert_eq!(all.next(), Some((8, 9)), "5 in 5.0 may start a dotted quad");
}

#[test]
fn cells_detected_together_find_what_each_cell_finds_alone() {
    // Random cells of digits, separators, CJK text, keywords and whole values, each
    // with a column's options; detected as the lines of one text and one by one.
    let mut r = crate::rng::Rng::new(23);
    let body = "11010119900307123";
    let id = format!("{body}{}", id_card::check_char(body.as_bytes()) as char);
    let pieces: Vec<String> = [
        "1",
        "38",
        "0",
        "6222",
        " ",
        "-",
        ".",
        "(",
        ")",
        "+86",
        "*",
        "@",
        ":",
        "a",
        "E",
        "京A",
        "身份证",
        "订单号",
        "手机",
        "，",
        "张伟",
        "北京市海淀区中山路156号",
        "13812345678",
        "39.9042,116.4074",
        "user@example.com",
        "00:1a:2b:3c:4d:5e",
        "1990-03-07",
        "先生",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([id.clone(), format!("110101********{}", &id[14..])])
    .collect();
    let today = date(2026, 11, 23);
    let columns: Vec<Options> = [
        (vec![], false),
        (vec![Kind::PersonName], false),
        (vec![Kind::Address], false),
        (vec![Kind::CnMobile, Kind::CnResidentId], false),
        (vec![Kind::BirthDate], false),
        (vec![], true),
    ]
    .into_iter()
    .map(|(field_kinds, field_negative)| Options {
        today,
        field_kinds,
        field_negative,
        kinds: KindSet::ALL,
    })
    .collect();
    for _ in 0..300 {
        let mut text = Vec::new();
        let mut cells = Vec::new();
        let mut alone = Vec::new();
        for _ in 0..r.below(40) {
            let mut cell = String::new();
            for _ in 0..r.below(8) {
                cell.push_str(&pieces[r.below(pieces.len() as u64) as usize]);
            }
            let options = r.below(columns.len() as u64) as u32;
            let start = text.len();
            text.extend_from_slice(cell.as_bytes());
            cells.push(Cell {
                start: start as u32,
                end: text.len() as u32,
                options,
            });
            text.push(b'\n');
            for mut h in detect(cell.as_bytes(), &columns[options as usize]) {
                h.start += start;
                h.end += start;
                alone.push(h);
            }
        }
        let mut together = Vec::new();
        detect_cells(
            &text,
            &cells,
            &columns,
            &mut Scratch::default(),
            &mut together,
        );
        assert_eq!(together, alone, "{:?}", String::from_utf8_lossy(&text));
    }
}

#[test]
fn digit_runs_inside_longer_runs_are_not_ids() {
    let body = "11010119900307123";
    let id = format!("{body}{}", id_card::check_char(body.as_bytes()) as char);
    assert!(kinds(&format!("9{id}")).is_empty());
    assert!(kinds(&format!("{id}5")).is_empty());
    assert!(
        kinds("13812345678901").is_empty(),
        "a phone inside a longer run"
    );
    assert!(kinds(&format!("a3f{id}")).is_empty(), "inside a hash");
}

#[test]
fn mobiles_in_every_notation() {
    assert_eq!(only("手机:13812345678"), (Kind::CnMobile, "13812345678"));
    assert_eq!(
        only("call +8613812345678 now"),
        (Kind::CnMobile, "+8613812345678")
    );
    assert_eq!(only("0086 13812345678").0, Kind::CnMobile);
    assert_eq!(only("008613812345678"), (Kind::CnMobile, "008613812345678"));
    assert_eq!(only("138 1234 5678"), (Kind::CnMobile, "138 1234 5678"));
    assert_eq!(only("138-1234-5678"), (Kind::CnMobile, "138-1234-5678"));
    assert_eq!(
        only("+86 138 1234 5678"),
        (Kind::CnMobile, "+86 138 1234 5678")
    );
    assert!(kinds("12012345678").is_empty(), "no 120 prefix");
}

#[test]
fn landlines() {
    assert_eq!(
        only("电话 010-62345678"),
        (Kind::CnLandline, "010-62345678")
    );
    assert_eq!(only("(0755)86001234"), (Kind::CnLandline, "(0755)86001234"));
    assert!(kinds("2024-1234567").is_empty());
}

#[test]
fn cards_emails_and_masked_values() {
    assert_eq!(
        only("卡号 4111111111111111"),
        (Kind::BankCard, "4111111111111111")
    );
    assert_eq!(
        only("4111 1111 1111 1111"),
        (Kind::BankCard, "4111 1111 1111 1111")
    );
    assert_eq!(
        only("mail: Zhang.San@Example.com."),
        (Kind::Email, "Zhang.San@Example.com")
    );
    assert!(kinds("138****5678")[0].3);
    assert_eq!(kinds("110101********1234")[0].0, Kind::CnResidentId);
    assert!(kinds("110101********1234")[0].3);
    assert!(kinds("z***@example.com")[0].3);
    assert!(kinds("****").is_empty());
}

#[test]
fn documents_plates_network_and_location() {
    assert_eq!(only("护照 E12345678"), (Kind::CnPassport, "E12345678"));
    assert_eq!(kinds("护照 E12345678")[0].2, Likelihood::Possible);
    assert_eq!(only("通行证C12345678").0, Kind::HkMacauTravelPermit);
    assert_eq!(only("回乡证H12345678").0, Kind::MainlandTravelPermit);
    assert_eq!(only("车牌京A·12345"), (Kind::CnLicensePlate, "京A·12345"));
    assert_eq!(only("粤B-D12345"), (Kind::CnLicensePlate, "粤B-D12345"));
    assert_eq!(only("沪AD12345"), (Kind::CnLicensePlate, "沪AD12345"));
    assert!(kinds("京I12345").is_empty(), "no I");
    assert_eq!(only("from 192.168.1.20:"), (Kind::Ipv4, "192.168.1.20"));
    assert!(kinds("v1.2.3").is_empty());
    assert!(kinds("256.1.1.1").is_empty());
    assert_eq!(only("fe80::1ff:fe23:4567:890a").0, Kind::Ipv6);
    assert!(kinds("at 12:30:45").is_empty());
    assert_eq!(
        only("mac 00:1A:2B:3C:4D:5E"),
        (Kind::MacAddress, "00:1A:2B:3C:4D:5E")
    );
    assert_eq!(
        only("位置 39.9042,116.4074"),
        (Kind::GpsCoordinate, "39.9042,116.4074")
    );
    assert_eq!(only("imei 490154203237518").0, Kind::Imei);
    // A 15-digit IMEI that also passes the first-generation identity checks: the
    // keyword decides.
    let both = "355586870117784";
    assert_eq!(only(&format!("imei {both}")).0, Kind::Imei);
    assert_eq!(only(&format!("身份证 {both}")).0, Kind::CnResidentId);
}

#[test]
fn column_context_raises_likelihood() {
    let mut opts = Options::new(date(2026, 11, 23));
    opts.field_kinds = vec![Kind::CnPassport];
    let h = detect(b"E12345678", &opts);
    assert_eq!(h[0].likelihood, Likelihood::Possible);
}

#[test]
fn keys_are_stable_and_normalised() {
    let a = kinds("13812345678");
    let opts = Options::new(date(2026, 11, 23));
    let k1 = detect(b"13812345678", &opts)[0].key;
    let k2 = detect(b"+86 138 1234 5678", &opts)[0].key;
    assert_eq!(k1, k2);
    assert_eq!(a.len(), 1);
}
