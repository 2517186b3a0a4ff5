//! Detectors for PI that has no checksum: Chinese personal names, addresses, birth dates,
//! and keywords of the sensitive categories (health, religion, biometrics, financial
//! accounts, criminal records, sexual orientation, minors).
//!
//! - Names: a surname from the list (single or compound) and one or two given-name
//!   characters, found after a cue word (姓名, 用户, 收件人 …), before an honorific
//!   (先生, 女士 …), or as the whole cell of a name column.
//! - Addresses: anchored on a province or city name (a GB/T 2260 gazetteer of province-level
//!   and major prefecture-level names), then read as a chain of administrative and street
//!   components (省/市/区/县/街道/镇/乡/村/路/街/号/栋/单元/室 …); or the whole cell of an
//!   address column.
//! - Birth dates: a date after 出生/生日/birth, or in a birth-date column.
//! - Sensitive keywords: term lists per category; each term found is a hit of its category.
//!
//! One Aho-Corasick automaton over all cue words, gazetteer names and terms runs once per
//! line or cell, and only when it contains non-ASCII bytes.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::detect::{key_of, Hit, Options};
use crate::kind::{Kind, Likelihood};

/// Single-character surnames (the most common ~200 of the Hundred Family Surnames).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

/// How many of [`SURNAMES`] (the first, most common) may start a name in free text.
const COMMON_SURNAMES: usize = 100;

/// Compound surnames.
const COMPOUND: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "闻人", "澹台", "公冶", "宗政", "濮阳", "太史", "端木", "赫连",
    "申屠", "万俟", "独孤", "南宫", "西门", "百里",
];

/// Characters common in given names (a broad list; names are judged by shape and cue).
const GIVEN_CHARS: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬建国文辉力宇浩然子涵梓轩欣怡雨诗晨阳佳琪思远一鸣俊嘉梦瑶博天佑若曦宏志海晓东丹鑫婷雪慧颖琳晶莉倩婕颖璐瑞凯鹏飞翔宁安康乐春夏秋冬梅竹松柏荣昌盛兴旺福禄寿喜德仁义礼智信忠孝诚毅坚勤俭光亮辰星月云霖雷电泽涵润清源渊淼森林彤彤馨香蕊薇蓉芸萱菲琦璇瑾瑜璟琛琰珺珊珍珠宝贝娇媛妍姝婉娴婧嫣静淑贤惠美丽秀雅韵音乐歌舞书画墨砚笔峰岩石山川河湖江海波涛澜洁净纯真善良正直刚毅勇敢聪颖睿哲思想念怀宇宙乾坤鼎铭钧锋锐铭镇钰铮铠昊昕晟晖暄晴景曜旭昭晗晔睿轩逸飞腾跃驰骋骏骁骐麟凤龙虎豹鹰鹤鸿雁燕莺鹂鸣翔翼翊羽翰墨文武斌彬彦博渊泓涌沛浩淳澄泉溪潇潼鸥舟航帆舸";

/// Words after which a name follows.
const NAME_CUES: &[&str] = &[
    "姓名",
    "用户",
    "客户",
    "联系人",
    "收件人",
    "收货人",
    "寄件人",
    "持卡人",
    "患者",
    "病人",
    "学生",
    "员工",
    "申请人",
    "投保人",
    "被保险人",
    "借款人",
    "经办人",
    "法定代表人",
    "乘客",
    "住客",
    "访客",
];

/// Words before which a name stands.
const HONORIFICS: &[&str] = &["先生", "女士", "同学", "老师", "医生", "律师", "小姐"];

/// Characters that end a given name (particles and verbs that follow names in text).
const STOP: &str = "的了已在于和与及等是有被向对给从到把将先女同老医律小您你我他她它们这那其之也都就还又很最更请并或且以为";

/// Province-level names and major cities (GB/T 2260), address anchors.
const PLACES: &[&str] = &[
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "台湾省",
    "香港特别行政区",
    "澳门特别行政区",
    "石家庄市",
    "太原市",
    "呼和浩特市",
    "沈阳市",
    "大连市",
    "长春市",
    "哈尔滨市",
    "南京市",
    "苏州市",
    "无锡市",
    "杭州市",
    "宁波市",
    "温州市",
    "合肥市",
    "福州市",
    "厦门市",
    "泉州市",
    "南昌市",
    "济南市",
    "青岛市",
    "烟台市",
    "郑州市",
    "洛阳市",
    "武汉市",
    "长沙市",
    "广州市",
    "深圳市",
    "东莞市",
    "佛山市",
    "珠海市",
    "南宁市",
    "海口市",
    "三亚市",
    "成都市",
    "贵阳市",
    "昆明市",
    "拉萨市",
    "西安市",
    "兰州市",
    "西宁市",
    "银川市",
    "乌鲁木齐市",
    "唐山市",
    "保定市",
    "徐州市",
    "常州市",
    "南通市",
    "绍兴市",
    "嘉兴市",
    "金华市",
    "台州市",
    "芜湖市",
    "赣州市",
    "潍坊市",
    "临沂市",
    "惠州市",
    "中山市",
    "汕头市",
    "柳州市",
    "绵阳市",
    "宜昌市",
    "襄阳市",
    "株洲市",
    "岳阳市",
];

/// Words before a birth date.
const BIRTH_CUES: &[&str] = &[
    "出生日期",
    "出生",
    "生日",
    "出生年月",
    "birthday",
    "birth",
    "dob",
];

/// Sensitive-category terms.
const TERMS: &[(Kind, &[&str])] = &[
    (
        Kind::SensitiveHealth,
        &[
            "病历",
            "病史",
            "诊断为",
            "确诊",
            "住院",
            "门诊",
            "处方",
            "医嘱",
            "检验报告",
            "体检报告",
            "糖尿病",
            "高血压",
            "心脏病",
            "癌症",
            "肿瘤",
            "艾滋病",
            "HIV",
            "乙肝",
            "肝炎",
            "抑郁症",
            "精神分裂",
            "精神病",
            "过敏史",
            "传染病",
            "怀孕",
            "妊娠",
            "流产",
            "残疾",
        ],
    ),
    (
        Kind::SensitiveReligion,
        &[
            "宗教信仰",
            "佛教徒",
            "基督徒",
            "基督教",
            "天主教",
            "伊斯兰教",
            "穆斯林",
            "道教徒",
            "受洗",
            "信仰佛教",
        ],
    ),
    (
        Kind::SensitiveBiometric,
        &[
            "指纹",
            "人脸识别",
            "面部特征",
            "人脸信息",
            "虹膜",
            "声纹",
            "掌纹",
            "基因检测",
            "基因信息",
            "DNA",
        ],
    ),
    (
        Kind::SensitiveFinancial,
        &[
            "银行账户",
            "账户余额",
            "存款余额",
            "征信",
            "信用报告",
            "交易密码",
            "支付密码",
            "证券账户",
            "基金账户",
            "贷款记录",
        ],
    ),
    (
        Kind::SensitiveCriminal,
        &[
            "犯罪记录",
            "违法犯罪",
            "刑事处罚",
            "判决书",
            "服刑",
            "前科",
            "刑事拘留",
            "被逮捕",
            "缓刑",
            "假释",
        ],
    ),
    (
        Kind::SensitiveSexualOrientation,
        &["同性恋", "双性恋", "性取向", "跨性别", "LGBT"],
    ),
    (
        Kind::SensitiveMinor,
        &[
            "未成年人",
            "未满十四周岁",
            "不满十四周岁",
            "未满14周岁",
            "不满14周岁",
            "监护人同意",
        ],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    NameCue,
    Honorific,
    Place,
    BirthCue,
    Term(Kind),
}

struct Automaton {
    ac: AhoCorasick,
    anchors: Vec<Anchor>,
    /// Characters that start an anchor, and those that follow the first: every anchor in
    /// Chinese begins with two CJK characters, so a line without such a pair holds none.
    first: CjkSet,
    second: CjkSet,
    /// The pairs themselves (code points, first << 16 | second), sorted: two characters
    /// of the two sets that begin no anchor together (证 and 件) rule a line out too.
    pairs: Vec<u32>,
    /// The anchors in ASCII alone (as the main automaton spells them), searched over whole
    /// blocks of lines at once (a few patterns: SIMD, far faster than line by line).
    ascii: AhoCorasick,
}

/// How an ASCII anchor is matched: in small letters, capitals, or with a capital first
/// letter (`hiv`, `HIV`, `Hiv`; `dob`, `DOB`, `Dob`) — the ways such words are written.
fn ascii_spellings(w: &'static str) -> Vec<String> {
    let lower = w.to_ascii_lowercase();
    let mut capital = lower.clone();
    capital[..1].make_ascii_uppercase();
    let mut all = vec![lower, w.to_ascii_uppercase(), capital];
    all.sort();
    all.dedup();
    all
}

fn automaton() -> &'static Automaton {
    static A: OnceLock<Automaton> = OnceLock::new();
    A.get_or_init(|| {
        let mut words: Vec<String> = Vec::new();
        let mut anchors = Vec::new();
        let mut ascii_words = Vec::new();
        let (mut first, mut second) = (CjkSet::EMPTY, CjkSet::EMPTY);
        let mut pairs = Vec::new();
        let mut add = |ws: &[&'static str], a: Anchor| {
            for &w in ws {
                let b = w.as_bytes();
                if b[0].is_ascii() {
                    assert!(
                        w.is_ascii(),
                        "an anchor is all ASCII or starts in Chinese: {w}"
                    );
                    let key = |k: &u8| b.iter().any(|x| x.eq_ignore_ascii_case(k));
                    assert!(
                        ASCII_KEYS.iter().any(key),
                        "an ASCII anchor holds a key: {w}"
                    );
                    for spelling in ascii_spellings(w) {
                        words.push(spelling.clone());
                        anchors.push(a);
                        ascii_words.push(spelling);
                    }
                    continue;
                }
                let (Some(c1), Some(c2)) = (cjk(b, 0), cjk(b, 3)) else {
                    panic!("an anchor in Chinese starts with two CJK characters: {w}");
                };
                first.insert(c1);
                second.insert(c2);
                pairs.push(pair_code(c1, c2));
                words.push(w.to_string());
                anchors.push(a);
            }
        };
        add(NAME_CUES, Anchor::NameCue);
        add(HONORIFICS, Anchor::Honorific);
        add(PLACES, Anchor::Place);
        add(BIRTH_CUES, Anchor::BirthCue);
        for (k, ts) in TERMS {
            add(ts, Anchor::Term(*k));
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .expect("semantic automaton builds");
        let ascii = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&ascii_words)
            .expect("ASCII anchor automaton builds");
        pairs.sort_unstable();
        pairs.dedup();
        Automaton {
            ac,
            anchors,
            first,
            second,
            pairs,
            ascii,
        }
    })
}

/// Letters of which every ASCII anchor holds one (checked when the automaton is built): a
/// cell with none of them, in either case, holds no ASCII anchor.
const ASCII_KEYS: [u8; 3] = *b"bvn";

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGH: u64 = ONES << 7;

/// The high bit of each zero byte of a word, and of no other (no borrow between bytes).
fn zero_bytes(x: u64) -> u64 {
    !(((x & !HIGH) + !HIGH) | x | !HIGH)
}

/// The bytes of a word that are one of the [`ASCII_KEYS`] in either case (their high bits):
/// setting bit 5 folds each capital onto its small letter (and no other byte onto one), and
/// `w ^ k…k` has a zero byte exactly where `w` holds `k`.
fn key_bytes(w: u64) -> u64 {
    let folded = w | ONES << 5;
    ASCII_KEYS
        .iter()
        .fold(0, |m, &k| m | zero_bytes(folded ^ (ONES * u64::from(k))))
}

/// A text as eight-byte words: the whole words, then (when the length is not a multiple of
/// eight) its last eight bytes, which overlap the words before — harmless to tests that
/// only ask whether a byte is there — or, for a text under eight bytes, the text padded
/// with zeros (which are no key, no line break and no high byte).
fn words(t: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let whole = t.chunks_exact(8);
    let last = (!whole.remainder().is_empty()).then(|| match t.last_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => t.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b)),
    });
    whole
        .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
        .chain(last)
}

/// Two 3-byte characters as one number (their code points, the first in the high half).
fn pair_code(a: &[u8], b: &[u8]) -> u32 {
    CjkSet::code_point(a[0], a[1], a[2]) << 16 | CjkSet::code_point(b[0], b[1], b[2])
}

/// Whether a text holds one of the [`ASCII_KEYS`] in either case (stops at the first).
fn has_ascii_key(t: &[u8]) -> bool {
    words(t).any(|w| key_bytes(w) != 0)
}

impl Automaton {
    /// Whether a line may hold a Chinese anchor: two adjacent CJK characters that could
    /// start one. Far faster than the automaton on a short line, so that it runs only on
    /// lines that can match (most cells of business columns cannot).
    fn cjk_pair_in(&self, t: &[u8]) -> bool {
        let mut i = 0;
        while i + 6 <= t.len() {
            if t[i] < 0x80 {
                i += 1;
                continue;
            }
            match cjk(t, i) {
                Some(c) if self.first.has(c) => {
                    let starts = |d: &[u8]| {
                        self.second.has(d) && self.pairs.binary_search(&pair_code(c, d)).is_ok()
                    };
                    if cjk(t, i + 3).is_some_and(starts) {
                        return true;
                    }
                    i += 3;
                }
                Some(_) => i += 3,
                None => i += 1,
            }
        }
        false
    }

    /// Where ASCII anchors start in a text (a cell, or a block of lines), in order.
    fn ascii_starts<'a>(&'a self, t: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
        // A cell without a key letter is done in a few word tests.
        let found = has_ascii_key(t).then(|| self.ascii.find_iter(t));
        found.into_iter().flatten().map(|m| m.start())
    }

    /// Whether a line may hold an anchor (the test [`detect`] makes line by line).
    #[cfg(test)]
    fn may_match(&self, line: &[u8]) -> bool {
        self.ascii_starts(line).next().is_some() || (!line.is_ascii() && self.cjk_pair_in(line))
    }
}

/// Whether an ASCII anchor at `start..end` is a word of its own, not part of one
/// ("archive" holds no "HIV", "adobe" no "dob"): no letter or digit right before it (a
/// capital after a small letter starts a word: `userBirthday`), and none right after it
/// unless it is a prefix cue (`birthdate`, `dob_date`).
fn ascii_word(t: &[u8], start: usize, end: usize, prefix_cue: bool) -> bool {
    let before_ok = match start.checked_sub(1).map(|p| t[p]) {
        None => true,
        Some(b) if !b.is_ascii_alphanumeric() => true,
        Some(b) => b.is_ascii_lowercase() && t[start].is_ascii_uppercase(),
    };
    let after_ok = prefix_cue || !t.get(end).is_some_and(u8::is_ascii_alphanumeric);
    before_ok && after_ok
}

/// The CJK character starting at `i` (3 bytes, U+4E00–U+9FFF), if any, as its bytes.
fn cjk(t: &[u8], i: usize) -> Option<&[u8]> {
    let c = t.get(i..i + 3)?;
    ((0xE4..=0xE9).contains(&c[0]) && c[1] & 0xC0 == 0x80 && c[2] & 0xC0 == 0x80).then_some(c)
}

/// Whether a 3-byte character is one of a list of 3-byte characters (the reference the
/// character sets are tested against).
#[cfg(test)]
fn one_of(list: &str, c: &[u8]) -> bool {
    list.as_bytes().chunks_exact(3).any(|x| x == c)
}

/// The length in bytes of the name starting at `i`, if one does.
fn name_at(t: &[u8], i: usize, exact: bool) -> Option<usize> {
    let first = cjk(t, i)?;
    let two = cjk(t, i + 3).map(|_| &t[i..i + 6]);
    // In free text only the 100 most common surnames start a name: rarer ones are also
    // everyday words (来电, 信息).
    let surnames = if exact {
        &SURNAME_SET
    } else {
        &COMMON_SURNAME_SET
    };
    // Most names start with no compound surname's first character: one bit test.
    let compound =
        |s: &[u8]| COMPOUND_FIRST_SET.has(first) && COMPOUND.iter().any(|c| c.as_bytes() == s);
    let sur_len = if two.is_some_and(compound) {
        6
    } else if surnames.has(first) {
        3
    } else {
        return None;
    };
    // Up to three following CJK characters.
    let mut given: [&[u8]; 3] = [&[]; 3];
    let mut count = 0;
    let mut j = i + sur_len;
    while count < 3 {
        match cjk(t, j) {
            Some(c) => {
                given[count] = c;
                count += 1;
                j += 3;
            }
            None => break,
        }
    }
    let given = &given[..count];
    if exact {
        // The whole cell: surname plus one or two characters, nothing else.
        let rest_ok = j == t.len() && (1..=2).contains(&given.len());
        return rest_ok.then_some(j - i);
    }
    let given_ok = |c: &[u8]| !STOP_SET.has(c);
    match given {
        [] => None,
        [a, ..] if !given_ok(a) => None,
        [_] => Some(sur_len + 3),
        [_, b, ..] if given_ok(b) && GIVEN_SET.has(b) => Some(sur_len + 6),
        [_, b] if given_ok(b) => Some(sur_len + 6),
        _ => Some(sur_len + 3),
    }
}

const UNIT_SUFFIXES: &[&str] = &["号楼", "号", "栋", "幢", "单元", "室", "层", "楼", "座"];
const PLACE_SUFFIXES: &[&str] = &[
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
const SUFFIX_ENDS: &str = "区州县道同省市旗盟镇乡村路街巷弄里苑园";
static SUFFIX_END_SLOTS: CjkSlots = CjkSlots::of(SUFFIX_ENDS);
static SURNAME_SET: CjkSet = CjkSet::of(SURNAMES);
/// The first characters of [`COMPOUND`] (a test keeps the two in step).
const COMPOUND_FIRSTS: &str = "欧司上诸东皇尉公慕长宇夏轩令钟闻澹宗濮太端赫申万独南西百";
static COMPOUND_FIRST_SET: CjkSet = CjkSet::of(COMPOUND_FIRSTS);
static COMMON_SURNAME_SET: CjkSet = CjkSet::first(SURNAMES, COMMON_SURNAMES);
static GIVEN_SET: CjkSet = CjkSet::of(GIVEN_CHARS);
static STOP_SET: CjkSet = CjkSet::of(STOP);

/// A set of CJK Unified Ideographs (U+4E00–U+9FFF) as a bitmap, built at compile time
/// from a list of characters: one bit test instead of comparing with every character of
/// the list (the surname list has over 400).
struct CjkSet([u64; CjkSet::WORDS]);

impl CjkSet {
    const FIRST: u32 = 0x4E00;
    const WORDS: usize = (0xA000 - 0x4E00) / 64;
    const EMPTY: CjkSet = CjkSet([0; CjkSet::WORDS]);

    /// Adds a 3-byte character (one of the block: see [`cjk`]).
    fn insert(&mut self, c: &[u8]) {
        let k = CjkSet::code_point(c[0], c[1], c[2])
            .checked_sub(CjkSet::FIRST)
            .expect("a CJK unified ideograph") as usize;
        self.0[k / 64] |= 1 << (k % 64);
    }

    const fn of(list: &str) -> CjkSet {
        CjkSet::first(list, usize::MAX)
    }

    /// The set of the first `n` characters of a list.
    const fn first(list: &str, n: usize) -> CjkSet {
        let b = list.as_bytes();
        let mut words = [0u64; CjkSet::WORDS];
        let mut i = 0;
        while i < b.len() && i / 3 < n {
            assert!(i + 3 <= b.len(), "a list of 3-byte characters");
            let cp = CjkSet::code_point(b[i], b[i + 1], b[i + 2]);
            assert!(
                cp >= CjkSet::FIRST && cp < 0xA000,
                "a CJK unified ideograph"
            );
            let k = (cp - CjkSet::FIRST) as usize;
            words[k / 64] |= 1 << (k % 64);
            i += 3;
        }
        CjkSet(words)
    }

    const fn code_point(a: u8, b: u8, c: u8) -> u32 {
        ((a as u32) & 0x0F) << 12 | ((b as u32) & 0x3F) << 6 | (c as u32) & 0x3F
    }

    /// Whether a 3-byte UTF-8 character is in the set.
    fn has(&self, c: &[u8]) -> bool {
        let [a, b, c] = c else {
            return false;
        };
        let Some(k) = Self::code_point(*a, *b, *c).checked_sub(Self::FIRST) else {
            return false;
        };
        let k = k as usize;
        k < Self::WORDS * 64 && self.0[k / 64] >> (k % 64) & 1 == 1
    }
}

/// The position of each character of a short list (under 255) of CJK Unified Ideographs,
/// as a table indexed by code point, built at compile time: the slot of a character in
/// one load.
struct CjkSlots([u8; CjkSet::WORDS * 64]);

impl CjkSlots {
    const fn of(list: &str) -> CjkSlots {
        let b = list.as_bytes();
        assert!(b.len() / 3 < 255, "a short list");
        let mut slots = [0u8; CjkSet::WORDS * 64];
        let mut i = 0;
        while i + 3 <= b.len() {
            let cp = CjkSet::code_point(b[i], b[i + 1], b[i + 2]);
            assert!(
                cp >= CjkSet::FIRST && cp < 0xA000,
                "a CJK unified ideograph"
            );
            // 0 is "not in the list"; slots are stored one up.
            slots[(cp - CjkSet::FIRST) as usize] = (i / 3 + 1) as u8;
            i += 3;
        }
        CjkSlots(slots)
    }

    /// The position in the list of a 3-byte UTF-8 character, if it is there.
    fn get(&self, c: &[u8]) -> Option<usize> {
        let [a, b, c] = c else {
            return None;
        };
        let k = CjkSet::code_point(*a, *b, *c).checked_sub(CjkSet::FIRST)? as usize;
        let slot = *self.0.get(k)?;
        (slot > 0).then(|| usize::from(slot) - 1)
    }
}

const STREET_LEVEL: &[&str] = &[
    "街道", "镇", "乡", "村", "路", "街", "巷", "弄", "道", "胡同", "大道", "号",
];

/// A place suffix, and whether it names a street-level place.
struct Suffix {
    text: &'static str,
    street: bool,
}

/// The place suffixes that end with a character, in [`PLACE_SUFFIXES`]' order: an address
/// component is matched against the few that can end it, not the whole list. Empty for a
/// character that ends no suffix. The character's slot comes from one table load (a scan of
/// the list of ends cost more than the rest of the address grammar).
#[cfg(test)]
fn ending_with(ch: &[u8]) -> &'static [Suffix] {
    match SUFFIX_END_SLOTS.get(ch) {
        Some(slot) => suffixes_ending(slot as u8 + 1),
        None => &[],
    }
}

/// The place suffixes ending with the character of a [`SUFFIX_END_SLOTS`] entry (the slot
/// plus one; not 0), in [`PLACE_SUFFIXES`]' order.
fn suffixes_ending(entry: u8) -> &'static [Suffix] {
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
struct EndInfo {
    /// The character is a suffix by itself, and every longer suffix ending with it has
    /// its street level: a name ending with it ends a component, of this level.
    alone: Option<bool>,
    /// A two-character suffix starts with the character (街 → 街道): the component may
    /// take one more character.
    continues: bool,
}

/// [`EndInfo`] by [`SUFFIX_END_SLOTS`] entry (the slot plus one; entry 0 is unused).
fn end_info() -> &'static [EndInfo] {
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
fn end_slot_at(t: &[u8], i: usize) -> Option<u8> {
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
fn ends_with_suffix(t: &[u8], j: usize, to: usize, s: &Suffix) -> bool {
    let n = s.text.len();
    n == 3 || (to - j >= n && t[to - n..to - 3].iter().eq(&s.text.as_bytes()[..n - 3]))
}

/// The first characters of [`UNIT_SUFFIXES`] as code points, in the list's order.
static UNIT_FIRSTS: [u32; UNIT_SUFFIXES.len()] = {
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
fn unit_at(t: &[u8], k: usize) -> Option<&'static str> {
    let c = cjk(t, k)?;
    let cp = CjkSet::code_point(c[0], c[1], c[2]);
    UNIT_SUFFIXES
        .iter()
        .zip(UNIT_FIRSTS)
        .find(|(u, first)| *first == cp && (u.len() == 3 || t[k..].starts_with(u.as_bytes())))
        .map(|(u, _)| *u)
}

/// The length of the address starting at `i`: a chain of components.
fn address_at(t: &[u8], i: usize) -> Option<usize> {
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

/// A date: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日 or YYYYMMDD. Returns its length.
fn date_at(t: &[u8], i: usize) -> Option<usize> {
    let digits = |from: usize, max: usize| {
        let mut k = from;
        while k < t.len() && k - from < max && t[k].is_ascii_digit() {
            k += 1;
        }
        k
    };
    let y_end = digits(i, 8);
    if y_end - i == 8 {
        let s = std::str::from_utf8(&t[i..y_end]).ok()?;
        let (y, m, d) = (
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..8].parse().ok()?,
        );
        return valid(y, m, d).then_some(8);
    }
    if y_end - i != 4 {
        return None;
    }
    let y: i16 = std::str::from_utf8(&t[i..y_end]).ok()?.parse().ok()?;
    let (sep, sep_len) = if t[y_end..].starts_with("年".as_bytes()) {
        ("年", 3)
    } else {
        // A year at the end of the text has no separator.
        (std::str::from_utf8(t.get(y_end..y_end + 1)?).ok()?, 1)
    };
    if !matches!(sep, "-" | "/" | "." | "年") {
        return None;
    }
    let m_start = y_end + sep_len;
    let m_end = digits(m_start, 2);
    let m: i8 = std::str::from_utf8(&t[m_start..m_end]).ok()?.parse().ok()?;
    let sep2 = if sep == "年" { "月" } else { sep };
    if !t[m_end..].starts_with(sep2.as_bytes()) {
        return None;
    }
    let d_start = m_end + sep2.len();
    let d_end = digits(d_start, 2);
    let d: i8 = std::str::from_utf8(&t[d_start..d_end]).ok()?.parse().ok()?;
    let mut end = d_end;
    if sep == "年" && t[end..].starts_with("日".as_bytes()) {
        end += 3;
    }
    valid(y, m, d).then_some(end - i)
}

fn valid(y: i16, m: i8, d: i8) -> bool {
    (1900..=2100).contains(&y) && jiff::civil::Date::new(y, m, d).is_ok()
}

fn hit(out: &mut Vec<Hit>, kind: Kind, t: &[u8], start: usize, end: usize, lk: Likelihood) {
    out.push(Hit {
        kind,
        start,
        end,
        likelihood: lk,
        masked: false,
        key: key_of(kind, &t[start..end]),
    });
}

/// The kinds a whole cell is read as when its column supports them ([`whole_cell`]).
const WHOLE_CELL_KINDS: [Kind; 3] = [Kind::PersonName, Kind::BirthDate, Kind::Address];

/// Whether cells of a column with these options may be read whole: otherwise [`detect`]
/// finds only what an anchor starts, and a cell with nothing to anchor holds nothing.
pub(crate) fn reads_whole_cells(opts: &Options) -> bool {
    WHOLE_CELL_KINDS
        .iter()
        .any(|k| opts.field_kinds.contains(k))
}

/// A whole cell of a name, address or birth-date column, if it is one: pushed, and true.
fn whole_cell(t: &[u8], opts: &Options, out: &mut Vec<Hit>) -> bool {
    let field = |k: Kind| opts.field_kinds.contains(&k);
    let trimmed = t.trim_ascii();
    let off = trimmed.as_ptr() as usize - t.as_ptr() as usize;
    let whole = off..off + trimmed.len();
    let (kind, end) = if field(Kind::PersonName) && name_at(trimmed, 0, true).is_some() {
        (Kind::PersonName, whole.end)
    } else if field(Kind::BirthDate) && date_at(trimmed, 0) == Some(trimmed.len()) {
        (Kind::BirthDate, whole.end)
    } else if let Some(n) = field(Kind::Address)
        .then(|| address_at(trimmed, 0))
        .flatten()
    {
        (Kind::Address, off + n)
    } else {
        return false;
    };
    hit(out, kind, t, off, end, Likelihood::Possible);
    true
}

/// What a few word tests tell of a text: whether it holds a line break, a byte of a
/// non-ASCII character, and one of the [`ASCII_KEYS`] (in either case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    newline: bool,
    high: bool,
    key: bool,
}

impl Facts {
    /// The facts of an empty text.
    const NONE: Facts = Facts {
        newline: false,
        high: false,
        key: false,
    };

    /// Whether a text with these facts can hold no anchor: one line, all ASCII, without a
    /// key letter ([`detect`] finds nothing in it outside name, address and date columns).
    #[cfg(test)]
    fn nothing_to_anchor(self) -> bool {
        !(self.newline || self.high || self.key)
    }

    fn of(t: &[u8]) -> Facts {
        let (mut high, mut key, mut newline) = (0u64, 0u64, 0u64);
        for w in words(t) {
            newline |= zero_bytes(w ^ (ONES * u64::from(b'\n')));
            high |= w;
            key |= key_bytes(w);
        }
        Facts {
            newline: newline != 0,
            high: high & HIGH != 0,
            key: key != 0,
        }
    }
}

/// [`Facts`] of many cells of one text at once: for each 64-byte block of the text, the
/// bit masks of its line breaks, non-ASCII bytes and key letters, from SSE2 compares (16
/// bytes each). A cell's facts are then a few mask tests over the blocks it spans, where
/// the word tests cost a few operations per byte of every cell.
#[derive(Debug, Default)]
pub(crate) struct TextFacts {
    /// Per block: line breaks, high bytes, key letters (bit j: byte j of the block).
    blocks: Vec<[u64; 3]>,
}

impl TextFacts {
    /// Reads a text's masks (replacing those of the text before).
    pub(crate) fn load(&mut self, t: &[u8]) {
        self.blocks.clear();
        let whole = t.chunks_exact(64);
        let rest = whole.remainder();
        self.blocks
            .extend(whole.map(|b| fact_masks(b.try_into().expect("64 bytes"))));
        if !rest.is_empty() {
            // Zeros are no line break, no high byte and no key.
            let mut padded = [0u8; 64];
            padded[..rest.len()].copy_from_slice(rest);
            self.blocks.push(fact_masks(&padded));
        }
    }

    /// The first byte at or after `from` that is a line break, a byte of a non-ASCII
    /// character or a key letter (`usize::MAX` when none is): a cell ending at or before it
    /// can hold no anchor ([`Facts::nothing_to_anchor`]). Cells are passed over a block
    /// of 64 bytes at a time instead of one test each.
    #[inline]
    pub(crate) fn next_anchorable(&self, from: usize) -> usize {
        let mut b = from / 64;
        let mut keep = u64::MAX << (from % 64);
        while let Some(&[n, h, k]) = self.blocks.get(b) {
            let m = (n | h | k) & keep;
            if m != 0 {
                return b * 64 + m.trailing_zeros() as usize;
            }
            b += 1;
            keep = u64::MAX;
        }
        usize::MAX
    }

    /// The facts of bytes `start..end` of the text loaded.
    #[inline]
    pub(crate) fn of(&self, start: usize, end: usize) -> Facts {
        if start >= end {
            return Facts::NONE;
        }
        let (first, last) = (start / 64, (end - 1) / 64);
        let head = u64::MAX << (start % 64);
        let tail = u64::MAX >> (63 - (end - 1) % 64);
        let [n, h, k] = self.blocks[first];
        let keep = if first == last { head & tail } else { head };
        let mut any = [n & keep, h & keep, k & keep];
        if first < last {
            // A cell over more than one block (rare: most are short).
            for masks in &self.blocks[first + 1..last] {
                for (a, m) in any.iter_mut().zip(masks) {
                    *a |= m;
                }
            }
            for (a, m) in any.iter_mut().zip(&self.blocks[last]) {
                *a |= m & tail;
            }
        }
        Facts {
            newline: any[0] != 0,
            high: any[1] != 0,
            key: any[2] != 0,
        }
    }
}

/// The line breaks, high bytes and key letters of a 64-byte block, as bit masks.
fn fact_masks(block: &[u8; 64]) -> [u64; 3] {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline; every x86-64 CPU has it.
        unsafe { facts_sse2::masks(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        fact_masks_portable(block)
    }
}

/// [`fact_masks`] one byte at a time (other architectures, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn fact_masks_portable(block: &[u8; 64]) -> [u64; 3] {
    let mut m = [0u64; 3];
    for (j, &b) in block.iter().enumerate() {
        m[0] |= u64::from(b == b'\n') << j;
        m[1] |= u64::from(b >= 0x80) << j;
        m[2] |= u64::from(ASCII_KEYS.contains(&(b | 0x20))) << j;
    }
    m
}

#[cfg(target_arch = "x86_64")]
mod facts_sse2 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    use super::ASCII_KEYS;

    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn masks(block: &[u8; 64]) -> [u64; 3] {
        let mut m = [0u64; 3];
        let bits = |v, k: usize| u64::from(_mm_movemask_epi8(v) as u16) << (16 * k);
        let [k0, k1, k2] = ASCII_KEYS.map(|k| _mm_set1_epi8(k as i8));
        for (k, lane) in block.chunks_exact(16).enumerate() {
            // SAFETY: `lane` is 16 readable bytes; the load is unaligned.
            let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast()) };
            m[0] |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)), k);
            m[1] |= bits(v, k);
            // Setting bit 5 folds each capital onto its small letter, and no other byte.
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let key = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(folded, k0), _mm_cmpeq_epi8(folded, k1)),
                _mm_cmpeq_epi8(folded, k2),
            );
            m[2] |= bits(key, k);
        }
        m
    }
}

/// Detects names, addresses, birth dates and sensitive terms in one line or cell. `facts`:
/// the text's [`Facts`] when they are known already (from [`TextFacts`]).
pub(crate) fn detect(t: &[u8], facts: Option<Facts>, opts: &Options, out: &mut Vec<Hit>) {
    // Whole cells of name, address and birth-date columns (most columns are none).
    if !opts.field_kinds.is_empty() && whole_cell(t, opts, out) {
        return;
    }
    let a = automaton();
    // A long text is mostly a block of lines: one search tells, before the word tests.
    let facts = facts
        .or_else(|| (t.len() <= 256 || memchr::memchr(b'\n', t).is_none()).then(|| Facts::of(t)));
    if let Some(facts) = facts.filter(|f| !f.newline) {
        // One line (a cell, the common case): searched only when it may hold an anchor.
        if (facts.key && a.ascii.is_match(t)) || (facts.high && a.cjk_pair_in(t)) {
            anchored(t, out);
        }
        return;
    }
    // Text comes in blocks of lines: each line is searched by itself, and only when it
    // may hold an anchor (most cells and log lines cannot): an ASCII one found in the
    // whole text at once, or a pair of characters that could start a Chinese one.
    let a = automaton();
    let mut ascii = a.ascii_starts(t).peekable();
    let mut lo = 0;
    for line in t.split(|&b| b == b'\n') {
        let hi = lo + line.len();
        while ascii.next_if(|&p| p < lo).is_some() {}
        let ascii_here = ascii.peek().is_some_and(|&p| p < hi);
        if ascii_here || (!line.is_ascii() && a.cjk_pair_in(line)) {
            let from = out.len();
            anchored(line, out);
            for h in &mut out[from..] {
                h.start += lo;
                h.end += lo;
            }
        }
        lo += line.len() + 1;
    }
}

/// Names, addresses, birth dates and sensitive terms found from their anchors (cues,
/// honorifics, place names, terms) in one line or cell.
fn anchored(t: &[u8], out: &mut Vec<Hit>) {
    let a = automaton();
    let mut skip_to = 0;
    for m in a.ac.find_iter(t) {
        if m.start() < skip_to {
            continue;
        }
        let anchor = a.anchors[m.pattern().as_usize()];
        let prefix_cue = matches!(anchor, Anchor::BirthCue);
        if t[m.start()].is_ascii() && !ascii_word(t, m.start(), m.end(), prefix_cue) {
            continue;
        }
        match anchor {
            Anchor::NameCue => {
                let mut i = m.end();
                for sep in ["：", ":", " ", "为", "是"] {
                    if t[i..].starts_with(sep.as_bytes()) {
                        i += sep.len();
                        break;
                    }
                }
                if let Some(n) = name_at(t, i, false) {
                    hit(out, Kind::PersonName, t, i, i + n, Likelihood::Possible);
                    skip_to = i + n;
                }
            }
            Anchor::Honorific => {
                // Surname and given name right before: try 3, 2, then 4 characters back.
                for chars in [3usize, 2, 4] {
                    let Some(s) = m.start().checked_sub(chars * 3) else {
                        continue;
                    };
                    if cjk(t, s).is_some() && name_at(&t[s..m.start()], 0, true).is_some() {
                        hit(out, Kind::PersonName, t, s, m.start(), Likelihood::Possible);
                        break;
                    }
                }
            }
            Anchor::Place => {
                if let Some(n) = address_at(t, m.start()) {
                    hit(
                        out,
                        Kind::Address,
                        t,
                        m.start(),
                        m.start() + n,
                        Likelihood::Possible,
                    );
                    skip_to = m.start() + n;
                }
            }
            Anchor::BirthCue => {
                let mut i = m.end();
                while i < t.len() && !t[i].is_ascii_digit() && t[i] != b'\n' && i - m.end() < 12 {
                    i += 1;
                }
                if let Some(n) = date_at(t, i) {
                    hit(out, Kind::BirthDate, t, i, i + n, Likelihood::Possible);
                    skip_to = i + n;
                }
            }
            Anchor::Term(k) => hit(out, k, t, m.start(), m.end(), Likelihood::Possible),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let sets = [
            (&SURNAME_SET, SURNAMES),
            (&COMMON_SURNAME_SET, &SURNAMES[..COMMON_SURNAMES * 3]),
            (&GIVEN_SET, GIVEN_CHARS),
            (&STOP_SET, STOP),
        ];
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
    fn names_after_cues_before_honorifics_and_in_columns() {
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
            vec![(Kind::PersonName, "陈静".into())]
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
        let mut words: Vec<&str> = [NAME_CUES, HONORIFICS, PLACES, BIRTH_CUES].concat();
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
        // 证券账户 and 件 follows 收 in 收件人, but no anchor starts with 证件.
        assert!(a.first.has("证".as_bytes()) && a.second.has("件".as_bytes()));
        assert!(!a.may_match("待核实证件".as_bytes()));
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
}
