//! Addresses without a province or city in front (建国路88号, 幸福小区3栋2单元401,
//! 人民路与文化路交叉口): anchored on a house number after a street name, or on a crossing
//! of two streets, and read back to where the street name starts.
//!
//! [`super::places`] reads addresses forward from a province or city name; people often
//! leave those out in running text ("寄到中山路128号"), and the chain would never start.

use super::sets::cjk;

/// Characters that end a street or estate name before its number: 路 88号, 小区 3栋.
const STREET_ENDS: &str = "路街道巷弄里同段";
const ESTATE_ENDS: &str = "区苑园村院";
/// Units after a number: a house number (号) after a street; a building after an estate.
const HOUSE: &[&str] = &["号楼", "号院", "号"];
const BUILDING: &[&str] = &["号楼", "栋", "幢", "号"];
/// Units that may follow the house number: 3栋, 2单元, 401室, 15楼, B座.
const MORE_UNITS: &[&str] = &[
    "号楼", "号院", "号", "栋", "幢", "单元", "室", "层", "楼", "座",
];
/// Characters an address does not start with: what comes before one in a sentence (我住在,
/// 寄到, 地址为 …). Reading back stops at the first of them. Not 和, 家, 由, 发 …: street
/// names hold them (和平路, 杨家坪, 自由路, 发展大道).
const BEFORE: &str = "我你他她们在到住寄于至是送往去的了与及或址为位处取收把将给请向对近旁附这那每各其：:，,、；;（(）)\u{3000} ";
/// A crossing: X路与Y路交叉口.
const JOINS: &[&str] = &["与", "和"];
const CROSSING: &str = "交叉口";
const CORNERS: &[&str] = &["东北角", "东南角", "西北角", "西南角"];

/// The furthest a street or estate name reaches back from its last character (in
/// characters, with a district before it: 浦东新区世纪大道).
const MAX_NAME: usize = 12;

fn is(list: &str, c: &[u8]) -> bool {
    std::str::from_utf8(c).is_ok_and(|s| list.contains(s))
}

fn starts_with_any(t: &[u8], i: usize, list: &[&'static str]) -> Option<&'static str> {
    list.iter()
        .copied()
        .find(|u| t.get(i..).is_some_and(|r| r.starts_with(u.as_bytes())))
}

/// Where the name whose last character ends at `end` starts: back over CJK characters
/// that are not [`BEFORE`], at most [`MAX_NAME`] of them. `None` for fewer than three
/// (street names have at least three: 中山路, 和平里; 家里 is no street).
fn name_start(t: &[u8], end: usize) -> Option<usize> {
    let mut s = end;
    for _ in 0..MAX_NAME {
        match s.checked_sub(3).and_then(|p| cjk(t, p).map(|c| (p, c))) {
            Some((p, c)) if !is(BEFORE, c) => s = p,
            _ => break,
        }
    }
    (end - s >= 9).then_some(s)
}

/// The end of the units that follow position `j` (3栋2单元401室): digits or a capital
/// letter, then a unit; a bare number at the end is a room (401).
fn units_from(t: &[u8], mut j: usize) -> usize {
    loop {
        let mut k = j;
        while k < t.len() && (t[k].is_ascii_digit() || t[k].is_ascii_uppercase()) && k - j < 6 {
            k += 1;
        }
        if k == j {
            return j;
        }
        match starts_with_any(t, k, MORE_UNITS) {
            Some(u) => j = k + u.len(),
            None => return if t[j].is_ascii_digit() { k } else { j },
        }
    }
}

/// The address spans in a line that these anchors find, as (start, end) byte ranges.
pub(crate) fn numbered_addresses(t: &[u8], out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < t.len() {
        if !t[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run of digits: what is before and after it?
        let start = i;
        while i < t.len() && t[i].is_ascii_digit() {
            i += 1;
        }
        if let Some(span) = at_number(t, start, i) {
            out.push(span);
            i = i.max(span.1);
        }
    }
    crossings(t, out);
}

/// A house number `t[d..e]` after a street name, or a building number after an estate.
fn at_number(t: &[u8], d: usize, e: usize) -> Option<(usize, usize)> {
    let before = cjk(t, d.checked_sub(3)?)?;
    let units = if is(STREET_ENDS, before) {
        HOUSE
    } else if is(ESTATE_ENDS, before) {
        BUILDING
    } else {
        return None;
    };
    let unit = starts_with_any(t, e, units)?;
    let s = name_start(t, d)?;
    Some((s, units_from(t, e + unit.len())))
}

/// Crossings of two streets: 人民路与文化路交叉口(东北角).
fn crossings(t: &[u8], out: &mut Vec<(usize, usize)>) {
    let Some(at) = memchr::memmem::find(t, CROSSING.as_bytes()) else {
        return;
    };
    // The second street ends right before 交叉口; the join before its name.
    let Some(second) = name_start(t, at) else {
        return;
    };
    let Some(join) = JOINS
        .iter()
        .find(|j| t[..second].ends_with(j.as_bytes()))
        .map(|j| second - j.len())
    else {
        return;
    };
    let Some(first) = name_start(t, join) else {
        return;
    };
    let mut end = at + CROSSING.len();
    if let Some(c) = starts_with_any(t, end, CORNERS) {
        end += c.len();
    }
    out.push((first, end));
}

#[cfg(test)]
mod tests {
    use super::numbered_addresses;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        numbered_addresses(text.as_bytes(), &mut out);
        out.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn a_street_and_its_number_read_back_to_the_name() {
        assert_eq!(
            found("我住在朝阳区建国路88号，到了打电话"),
            ["朝阳区建国路88号"]
        );
        assert_eq!(found("快递寄到中山路128号就行"), ["中山路128号"]);
        assert_eq!(
            found("送到锦江区红星路三段1号，谢谢"),
            ["锦江区红星路三段1号"]
        );
        assert_eq!(
            found("地址：和平里东街11号院3号楼"),
            ["和平里东街11号院3号楼"]
        );
        assert_eq!(
            found("她家在幸福小区3栋2单元401。"),
            ["幸福小区3栋2单元401"]
        );
    }

    #[test]
    fn crossings_of_two_streets() {
        assert_eq!(
            found("新开的面馆在人民路与文化路交叉口东北角。"),
            ["人民路与文化路交叉口东北角"]
        );
        assert_eq!(
            found("我们在建设路与长江路交叉口等你。"),
            ["建设路与长江路交叉口"]
        );
    }

    #[test]
    fn numbers_that_are_not_house_numbers() {
        for t in [
            "地铁2号线停运",
            "3月18号开会",
            "在家里3号楼那边",
            "订单号12345已发货",
            "房间302没人",
            "GET /api/v2/orders/12 200",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}
