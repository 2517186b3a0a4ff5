//! Context: keywords near a candidate (in text) and column names or JSON paths (in
//! structured data) that raise its likelihood, and negative keywords (order and serial
//! numbers) that lower it. One Aho-Corasick automaton over all keywords runs once per line
//! or cell; candidates then look at the keyword hits inside their window.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::kind::Kind;

/// Bytes before a candidate in which a keyword counts (about 16 Chinese characters).
pub const WINDOW_BEFORE: usize = 48;
/// Bytes after a candidate in which a keyword counts.
pub const WINDOW_AFTER: usize = 12;

/// What a keyword says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// Supports the kind.
    For(Kind),
    /// Says the digits are an order, serial, waybill or batch number, not PI.
    Against,
}

const POSITIVE: &[(Kind, &[&str])] = &[
    (
        Kind::CnResidentId,
        &[
            "身份证",
            "证件号",
            "公民身份号码",
            "身份号码",
            "sfz",
            "id_card",
            "idcard",
            "id_no",
            "idno",
            "identity",
        ],
    ),
    (
        Kind::CnMobile,
        &[
            "手机",
            "电话",
            "联系方式",
            "mobile",
            "phone",
            "tel",
            "shouji",
            "sjh",
        ],
    ),
    (Kind::CnLandline, &["电话", "座机", "固话", "tel", "phone"]),
    (Kind::Email, &["邮箱", "邮件", "email", "e-mail", "mail"]),
    (
        Kind::BankCard,
        &[
            "银行卡",
            "卡号",
            "账号",
            "账户",
            "card",
            "bank",
            "yhk",
            "acct",
        ],
    ),
    (Kind::CnPassport, &["护照", "passport", "hzhm"]),
    (
        Kind::HkMacauTravelPermit,
        &["港澳通行证", "往来港澳", "通行证"],
    ),
    (
        Kind::MainlandTravelPermit,
        &["回乡证", "台胞证", "来往内地", "来往大陆", "通行证"],
    ),
    (Kind::CnLicensePlate, &["车牌", "号牌", "plate"]),
    (Kind::Ipv4, &["ip", "client", "remote", "addr"]),
    (Kind::Ipv6, &["ip", "addr"]),
    (Kind::MacAddress, &["mac", "物理地址"]),
    (Kind::Imei, &["imei", "设备", "串号", "device"]),
    (
        Kind::GpsCoordinate,
        &[
            "经纬度",
            "坐标",
            "位置",
            "定位",
            "gps",
            "lat",
            "lng",
            "lon",
            "location",
        ],
    ),
];

/// Column names and nearby words for the kinds without a checksum (names, addresses, birth
/// dates); the semantic detectors use them as cues.
const POSITIVE_SEMANTIC: &[(Kind, &[&str])] = &[
    (
        Kind::PersonName,
        &[
            "姓名",
            "名字",
            "联系人",
            "收件人",
            "收货人",
            "持卡人",
            "客户名",
            "name",
            "xm",
            "xingming",
        ],
    ),
    (
        Kind::Address,
        &[
            "地址", "住址", "住所", "户籍", "address", "addr", "dz", "dizhi",
        ],
    ),
    (Kind::BirthDate, &["出生", "生日", "birth", "dob", "csrq"]),
];

const NEGATIVE: &[&str] = &[
    "订单号",
    "订单编号",
    "流水号",
    "交易号",
    "运单号",
    "快递单号",
    "批次号",
    "序列号",
    "编号",
    "单号",
    "工单",
    "order_id",
    "orderid",
    "order_no",
    "serial",
    "trace",
    "txn",
    "batch",
    "invoice",
    "tracking",
    "version",
    "版本",
];

struct Automaton {
    ac: AhoCorasick,
    /// The cues of each distinct keyword (a word may support several kinds).
    cues: Vec<Vec<Cue>>,
}

fn automaton() -> &'static Automaton {
    static A: OnceLock<Automaton> = OnceLock::new();
    A.get_or_init(|| {
        let mut words: Vec<String> = Vec::new();
        let mut cues: Vec<Vec<Cue>> = Vec::new();
        let mut add = |w: &str, c: Cue| {
            let w = w.to_ascii_lowercase();
            match words.iter().position(|x| *x == w) {
                Some(i) => cues[i].push(c),
                None => {
                    words.push(w);
                    cues.push(vec![c]);
                }
            }
        };
        for (kind, ws) in POSITIVE.iter().chain(POSITIVE_SEMANTIC) {
            for w in *ws {
                add(w, Cue::For(*kind));
            }
        }
        for w in NEGATIVE {
            add(w, Cue::Against);
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&words)
            .expect("keyword automaton builds");
        Automaton { ac, cues }
    })
}

/// Keyword hits of one line or cell: (start, end, cue).
#[derive(Debug, Default, Clone)]
pub struct Hits(Vec<(usize, usize, u32)>);

impl Hits {
    /// Finds the keywords in `text`, leftmost-longest (身份证号码 is one hit).
    pub fn find(text: &[u8]) -> Hits {
        let mut h = Hits::default();
        h.find_near(text, &[(0, text.len())]);
        h
    }

    /// Finds the keywords only in the given windows (sorted by start; see [`window`]):
    /// in long lines or chunks with few candidates most of the text is never searched.
    /// Reuses the buffer.
    pub fn find_near(&mut self, text: &[u8], windows: &[(usize, usize)]) {
        self.0.clear();
        let a = automaton();
        let mut cursor = 0;
        let mut i = 0;
        while i < windows.len() {
            let lo = windows[i].0.max(cursor);
            let mut hi = windows[i].1;
            // Merge windows that touch.
            while i + 1 < windows.len() && windows[i + 1].0 <= hi {
                i += 1;
                hi = hi.max(windows[i].1);
            }
            i += 1;
            if lo >= hi {
                continue;
            }
            let input = aho_corasick::Input::new(text).range(lo..hi);
            for m in a.ac.find_iter(input) {
                self.0.push((m.start(), m.end(), m.pattern().as_u32()));
            }
            cursor = hi;
        }
    }

    /// (supports `kind`, says "not PI") for a candidate at `start..end`. Keywords are only
    /// looked for outside the candidate, within the window.
    pub fn around(
        &self,
        (lo, hi): (usize, usize),
        start: usize,
        end: usize,
        kind: Kind,
    ) -> (bool, bool) {
        let mut pos = false;
        let mut neg = false;
        let cues = &automaton().cues;
        // Keyword hits do not overlap and come in text order, so their ends are in order
        // too: only those from the first ending at `lo` to the last starting by `hi` can
        // be in the window (a chunk of many lines or cells has many keyword hits).
        let first = self.0.partition_point(|&(_, e, _)| e < lo);
        for &(s, e, word) in self.0[first..].iter().take_while(|&&(s, _, _)| s <= hi) {
            let before = e <= start && e >= lo;
            let after = s >= end && s <= hi;
            if !(before || after) {
                continue;
            }
            for &cue in &cues[word as usize] {
                match cue {
                    Cue::For(k) if k == kind => pos = true,
                    // A negative cue only counts before the value: "订单号 123…", not "123… 编号".
                    Cue::Against if before => neg = true,
                    _ => {}
                }
            }
        }
        (pos, neg)
    }
}

/// The context window of a candidate at `start..end`: up to [`WINDOW_BEFORE`] bytes before
/// and [`WINDOW_AFTER`] after, never across a line break (text is scanned in multi-line
/// chunks, and a keyword on another line says nothing about this value).
pub fn window(text: &[u8], start: usize, end: usize) -> (usize, usize) {
    // A value that fills its line (a whole cell: most hits in columns) has no context;
    // two byte tests say so without a search.
    let at_line_start = start == 0 || text[start - 1] == b'\n';
    let at_line_end = end == text.len() || text[end] == b'\n';
    if at_line_start && at_line_end {
        return (start, end);
    }
    let lo = start.saturating_sub(WINDOW_BEFORE);
    let lo = memchr::memrchr(b'\n', &text[lo..start])
        .map(|p| lo + p + 1)
        .unwrap_or(lo);
    let hi = (end + WINDOW_AFTER).min(text.len());
    let hi = memchr::memchr(b'\n', &text[end..hi])
        .map(|p| end + p)
        .unwrap_or(hi);
    (lo, hi)
}

/// What a column name or JSON path says: the kinds it supports and whether it names an
/// order or serial number.
pub fn field_cues(field: &str) -> (Vec<Kind>, bool) {
    let hits = Hits::find(field.as_bytes());
    let mut kinds = Vec::new();
    let mut neg = false;
    for &(_, _, word) in &hits.0 {
        for &c in &automaton().cues[word as usize] {
            match c {
                Cue::For(k) if !kinds.contains(&k) => kinds.push(k),
                Cue::Against => neg = true,
                _ => {}
            }
        }
    }
    (kinds, neg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_before_and_after() {
        let t = "客户身份证号码：110101199003071234".as_bytes();
        let hits = Hits::find(t);
        let start = t.len() - 18;
        let w = window(t, start, t.len());
        assert_eq!(
            hits.around(w, start, t.len(), Kind::CnResidentId),
            (true, false)
        );
        let t = "订单号110101199003071234".as_bytes();
        let hits = Hits::find(t);
        assert_eq!(
            hits.around(window(t, 9, t.len()), 9, t.len(), Kind::CnResidentId),
            (false, true)
        );
        // A keyword on the previous line does not count.
        let t = "身份证\n110101199003071234".as_bytes();
        let hits = Hits::find(t);
        let s = t.len() - 18;
        assert_eq!(
            hits.around(window(t, s, t.len()), s, t.len(), Kind::CnResidentId),
            (false, false)
        );
    }

    #[test]
    fn column_names() {
        assert!(field_cues("sfzh").0.contains(&Kind::CnResidentId));
        assert!(field_cues("id_card").0.contains(&Kind::CnResidentId));
        assert!(field_cues("user.mobile").0.contains(&Kind::CnMobile));
        assert!(field_cues("order_no").1);
        // One word may support several kinds.
        let (kinds, _) = field_cues("tel");
        assert!(kinds.contains(&Kind::CnMobile) && kinds.contains(&Kind::CnLandline));
        assert!(field_cues("地址").0.contains(&Kind::Address));
    }
}
