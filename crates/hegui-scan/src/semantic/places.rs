//! Addresses: a chain of administrative and street components after a place name.

use super::sets::{cjk, CjkSet, CjkSlots};
use std::sync::OnceLock;

pub(crate) const UNIT_SUFFIXES: &[&str] =
    &["号楼", "号", "栋", "幢", "单元", "室", "层", "楼", "座"];
pub(crate) const PLACE_SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "街道",
    "社区",
    "胡同",
    "大道",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "州",
    "镇",
    "乡",
    "村",
    "路",
    "街",
    "巷",
    "弄",
    "道",
    "里",
    "苑",
    "园",
    "小区",
    "花园",
];
/// The last characters of [`PLACE_SUFFIXES`] (a test keeps the two in step).
pub(crate) const SUFFIX_ENDS: &str = "区州县道同省市旗盟镇乡村路街巷弄里苑园";
pub(crate) static SUFFIX_END_SLOTS: CjkSlots = CjkSlots::of(SUFFIX_ENDS);

pub(crate) const STREET_LEVEL: &[&str] = &[
    "街道", "镇", "乡", "村", "路", "街", "巷", "弄", "道", "胡同", "大道", "号",
];

/// A place suffix, and whether it names a street-level place.
pub(crate) struct Suffix {
    pub(crate) text: &'static str,
    pub(crate) street: bool,
}

/// The place suffixes that end with a character, in [`PLACE_SUFFIXES`]' order: an address
/// component is matched against the few that can end it, not the whole list. Empty for a
/// character that ends no suffix. The character's slot comes from one table load (a scan of
/// the list of ends cost more than the rest of the address grammar).
#[cfg(test)]
pub(crate) fn ending_with(ch: &[u8]) -> &'static [Suffix] {
    match SUFFIX_END_SLOTS.get(ch) {
        Some(slot) => suffixes_ending(slot as u8 + 1),
        None => &[],
    }
}

/// The place suffixes ending with the character of a [`SUFFIX_END_SLOTS`] entry (the slot
/// plus one; not 0), in [`PLACE_SUFFIXES`]' order.
pub(crate) fn suffixes_ending(entry: u8) -> &'static [Suffix] {
    static BY_END: OnceLock<Vec<Vec<Suffix>>> = OnceLock::new();
    let by_end = BY_END.get_or_init(|| {
        let mut by_end: Vec<Vec<Suffix>> = SUFFIX_ENDS.chars().map(|_| Vec::new()).collect();
        for &text in PLACE_SUFFIXES {
            let b = text.as_bytes();
            let end = SUFFIX_END_SLOTS
                .get(&b[b.len() - 3..])
                .expect("every suffix ends with one of SUFFIX_ENDS");
            by_end[end].push(Suffix {
                text,
                street: STREET_LEVEL.contains(&text),
            });
        }
        by_end
    });
    &by_end[usize::from(entry) - 1]
}

/// What a character that ends place suffixes says of a name ending with it, when that
/// does not depend on the name (most such characters: 市 ends only 市; 区 ends 自治区,
/// 社区, 小区 … and 区, none of them street-level).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndInfo {
    /// The character is a suffix by itself, and every longer suffix ending with it has
    /// its street level: a name ending with it ends a component, of this level.
    pub(crate) alone: Option<bool>,
    /// A two-character suffix starts with the character (街 → 街道): the component may
    /// take one more character.
    pub(crate) continues: bool,
}

/// [`EndInfo`] by [`SUFFIX_END_SLOTS`] entry (the slot plus one; entry 0 is unused).
pub(crate) fn end_info() -> &'static [EndInfo] {
    static INFO: OnceLock<Vec<EndInfo>> = OnceLock::new();
    INFO.get_or_init(|| {
        let mut info = vec![EndInfo {
            alone: None,
            continues: false,
        }];
        for slot in 0..SUFFIX_ENDS.chars().count() {
            let here = suffixes_ending(slot as u8 + 1);
            let one = here.iter().find(|s| s.text.len() == 3);
            let alone = one
                .filter(|one| here.iter().all(|s| s.street == one.street))
                .map(|one| one.street);
            let ch = &SUFFIX_ENDS.as_bytes()[slot * 3..slot * 3 + 3];
            let continues = PLACE_SUFFIXES
                .iter()
                .any(|s| s.len() == 6 && s.as_bytes().starts_with(ch));
            info.push(EndInfo { alone, continues });
        }
        info
    })
}

/// The CJK character at `i` (see [`cjk`]), as its [`SUFFIX_END_SLOTS`] entry: the slot
/// plus one of the place suffixes that end with it, 0 for a character that ends none. The
/// bytes are tested and the slot loaded in one step (the grammar's inner loop).
#[inline]
pub(crate) fn end_slot_at(t: &[u8], i: usize) -> Option<u8> {
    let [a, b, c]: [u8; 3] = t.get(i..i + 3)?.try_into().ok()?;
    if !((0xE4..=0xE9).contains(&a) && b & 0xC0 == 0x80 && c & 0xC0 == 0x80) {
        return None;
    }
    let k = (CjkSet::code_point(a, b, c) as usize).wrapping_sub(CjkSet::FIRST as usize);
    Some(SUFFIX_END_SLOTS.0.get(k).copied().unwrap_or(0))
}

/// Whether the name `t[j..to]`, whose last character ends suffix `s`, ends with all of
/// it: the characters before the last compared in place (no call per suffix).
#[inline]
pub(crate) fn ends_with_suffix(t: &[u8], j: usize, to: usize, s: &Suffix) -> bool {
    let n = s.text.len();
    n == 3 || (to - j >= n && t[to - n..to - 3].iter().eq(&s.text.as_bytes()[..n - 3]))
}

/// The first characters of [`UNIT_SUFFIXES`] as code points, in the list's order.
pub(crate) static UNIT_FIRSTS: [u32; UNIT_SUFFIXES.len()] = {
    let mut firsts = [0u32; UNIT_SUFFIXES.len()];
    let mut i = 0;
    while i < UNIT_SUFFIXES.len() {
        let b = UNIT_SUFFIXES[i].as_bytes();
        firsts[i] = CjkSet::code_point(b[0], b[1], b[2]);
        i += 1;
    }
    firsts
};

/// The unit suffix at `k` (the first of [`UNIT_SUFFIXES`] that the text continues with).
#[inline]
pub(crate) fn unit_at(t: &[u8], k: usize) -> Option<&'static str> {
    let c = cjk(t, k)?;
    let cp = CjkSet::code_point(c[0], c[1], c[2]);
    UNIT_SUFFIXES
        .iter()
        .zip(UNIT_FIRSTS)
        .find(|(u, first)| *first == cp && (u.len() == 3 || t[k..].starts_with(u.as_bytes())))
        .map(|(u, _)| *u)
}

/// The length of the address starting at `i`: a chain of components.
pub(crate) fn address_at(t: &[u8], i: usize) -> Option<usize> {
    let info = end_info();
    let mut j = i;
    let mut parts = 0;
    let mut street = false;
    loop {
        // A number with a unit: 12号, 3栋, 2单元, 1203室.
        let mut k = j;
        while k < t.len() && t[k].is_ascii_digit() {
            k += 1;
        }
        if k > j {
            match unit_at(t, k) {
                Some(u) => {
                    j = k + u.len();
                    parts += 1;
                    street |= u == "号";
                    continue;
                }
                None => break,
            }
        }
        // A name ending with a place suffix within 10 characters.
        let mut end = None;
        let mut c = j;
        for _ in 0..10 {
            let Some(slot) = end_slot_at(t, c) else {
                break;
            };
            c += 3;
            // Most characters end no suffix.
            if slot == 0 {
                continue;
            }
            // The first suffix of the list that the name ends with: only those ending in
            // this character can, and a one-character one does. Most characters say at
            // once what it is (`EndInfo`).
            let e = info[usize::from(slot)];
            let level = match e.alone {
                Some(level) => Some(level),
                None => suffixes_ending(slot)
                    .iter()
                    .find(|s| ends_with_suffix(t, j, c, s))
                    .map(|s| s.street),
            };
            if let Some(level) = level {
                // A two-character suffix that continues (街 → 街道) takes one more character.
                let longer = match e.continues.then(|| end_slot_at(t, c)).flatten() {
                    Some(next) if next > 0 => suffixes_ending(next)
                        .iter()
                        .find(|l| l.text.len() == 6 && ends_with_suffix(t, j, c + 3, l)),
                    _ => None,
                };
                end = Some(match longer {
                    Some(l) => (c + 3, l.street),
                    None => (c, level),
                });
                break;
            }
        }
        match end {
            Some((c, level)) => {
                j = c;
                parts += 1;
                street |= level;
            }
            None => break,
        }
    }
    (parts >= 3 || (parts >= 2 && street)).then_some(j - i)
}
