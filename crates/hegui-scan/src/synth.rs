//! Synthetic Chinese personal data, seeded and reproducible, with a ground-truth file of
//! every PI span and the person behind it. Tests and benchmarks use it.
//!
//! Files written: `customers.csv` (UTF-8), `customers_gbk.csv` (the first rows again, in
//! GBK), `events.jsonl` (nested fields), `app.log` (free text), `truth.jsonl`. Hard
//! negatives are mixed in on purpose: order numbers that pass the identity-number checks
//! (in an 订单号 column or after 订单号), identity numbers inside longer digit runs and after
//! letters, failing checksums, 14-digit timestamps, masked values (reported as masked).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::rng::Rng;
use crate::validate::{id_card, luhn};

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenOptions {
    pub seed: u64,
    pub people: u64,
    pub log_lines: u64,
    /// Rows of customers.csv repeated in GBK.
    pub gbk_rows: u64,
    /// Share of app.log lines with no PI at all (real logs are mostly such lines).
    pub log_noise: f64,
    /// Rows of customers.csv copied into the `customers` table of customers.db.
    pub db_rows: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            seed: 1,
            people: 1000,
            log_lines: 5000,
            gbk_rows: 500,
            log_noise: 0.0,
            db_rows: 500,
        }
    }
}

/// One true PI span.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, Hash)]
pub struct Truth {
    pub file: String,
    pub row: Option<u64>,
    pub column: Option<String>,
    pub line: Option<u64>,
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub person: u64,
    pub masked: bool,
}

/// What was written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GenSummary {
    pub files: Vec<String>,
    pub truth_spans: u64,
    pub bytes: u64,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "欧阳", "司马", "上官",
    "诸葛",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "霞", "平", "刚", "桂英", "华", "玉", "萍", "红", "玲", "芬", "燕", "彬",
    "建国", "文", "辉", "宇", "浩然", "子涵", "梓轩", "欣怡", "雨", "诗", "晨阳", "佳琪", "思远",
    "一鸣", "俊杰", "嘉怡", "梦瑶", "博文", "天佑", "若曦", "宏伟", "志强", "海燕", "晓东", "丹",
    "鑫", "婷", "雪", "慧", "颖",
];
/// (province, city, districts, id area-code prefix)
const PLACES: &[(&str, &str, &[&str], &str)] = &[
    (
        "北京市",
        "",
        &["朝阳区", "海淀区", "东城区", "西城区", "丰台区"],
        "1101",
    ),
    (
        "上海市",
        "",
        &["浦东新区", "徐汇区", "静安区", "黄浦区"],
        "3101",
    ),
    ("广东省", "广州市", &["天河区", "越秀区", "海珠区"], "4401"),
    ("广东省", "深圳市", &["南山区", "福田区", "宝安区"], "4403"),
    ("浙江省", "杭州市", &["西湖区", "上城区", "滨江区"], "3301"),
    ("江苏省", "南京市", &["鼓楼区", "玄武区", "秦淮区"], "3201"),
    ("四川省", "成都市", &["武侯区", "锦江区", "青羊区"], "5101"),
    ("湖北省", "武汉市", &["武昌区", "江汉区", "洪山区"], "4201"),
    ("福建省", "厦门市", &["思明区", "湖里区", "集美区"], "3502"),
    ("山东省", "青岛市", &["市南区", "崂山区", "黄岛区"], "3702"),
    ("河南省", "郑州市", &["金水区", "二七区", "中原区"], "4101"),
    ("陕西省", "西安市", &["雁塔区", "碑林区", "未央区"], "6101"),
];
const ROADS: &[&str] = &[
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "和平路",
    "长江路",
    "文化路",
    "胜利路",
    "新华路",
    "幸福路",
    "科技园路",
    "滨江大道",
    "学院路",
    "花园街",
    "青年路",
];
const MAIL: &[&str] = &[
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "gmail.com",
    "outlook.com",
    "example.cn",
];
const PINYIN: &[&str] = &[
    "zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma",
    "zhu", "hu",
];
const MOBILE: &[&str] = &[
    "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158",
    "159", "166", "170", "176", "177", "180", "181", "186", "187", "188", "189", "191", "198",
    "199",
];
const PLATE_PROV: &[&str] = &[
    "京", "沪", "粤", "浙", "苏", "川", "鄂", "闽", "鲁", "豫", "陕",
];
const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A synthetic person.
#[derive(Debug, Clone)]
struct Person {
    n: u64,
    name: String,
    id: String,
    mobile: String,
    email: String,
    card: String,
    address: String,
    plate: String,
    ip: String,
}

fn resident_id(r: &mut Rng, prefix: &str) -> String {
    let year = 1950 + r.below(60);
    let month = 1 + r.below(12);
    let day = 1 + r.below(28);
    let body = format!(
        "{prefix}{:02}{year}{month:02}{day:02}{}",
        1 + r.below(9),
        r.digits(3)
    );
    let c = id_card::check_char(body.as_bytes()) as char;
    format!("{body}{c}")
}

fn card(r: &mut Rng) -> String {
    let len = *r.pick(&[16usize, 19]);
    let body = format!(
        "62{}{}",
        r.pick(&["2202", "2848", "1700", "2588", "5880"]),
        r.digits(len - 7)
    );
    (b'0'..=b'9')
        .map(|d| format!("{body}{}", d as char))
        .find(|s| luhn::valid(s.as_bytes()))
        .expect("some digit")
}

fn person(r: &mut Rng, n: u64) -> Person {
    let name = format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN));
    let (prov, city, districts, prefix) = *r.pick(PLACES);
    let district = r.pick(districts);
    let address = format!(
        "{prov}{city}{district}{}{}号{}栋{}单元{}室",
        r.pick(ROADS),
        1 + r.below(300),
        1 + r.below(30),
        1 + r.below(6),
        101 + r.below(30) * 100 + r.below(4)
    );
    let plate = format!(
        "{}{}{}",
        r.pick(PLATE_PROV),
        *r.pick(PLATE_LETTERS) as char,
        (0..5)
            .map(|i| if i < 2 && r.chance(0.3) {
                *r.pick(PLATE_LETTERS) as char
            } else {
                (b'0' + r.below(10) as u8) as char
            })
            .collect::<String>()
    );
    Person {
        n,
        name,
        id: resident_id(r, prefix),
        mobile: format!("{}{}", r.pick(MOBILE), r.digits(8)),
        email: format!("{}{}@{}", r.pick(PINYIN), r.below(100_000), r.pick(MAIL)),
        card: card(r),
        address,
        plate,
        ip: format!(
            "{}.{}.{}.{}",
            1 + r.below(223),
            r.below(256),
            r.below(256),
            1 + r.below(254)
        ),
    }
}

/// A hard negative that passes every identity-number check: only context says "not PI".
fn order_number_like_id(r: &mut Rng) -> String {
    let prefix = *r.pick(&["1101", "4403", "3301"]);
    resident_id(r, prefix)
}

fn mask_mobile(m: &str) -> String {
    format!("{}****{}", &m[..3], &m[7..])
}

/// Builds one string while recording the spans of PI in it.
#[derive(Default)]
struct Text {
    s: String,
    spans: Vec<(usize, usize, &'static str, bool)>,
}

impl Text {
    fn add(&mut self, s: &str) -> &mut Self {
        self.s.push_str(s);
        self
    }
    fn pi(&mut self, s: &str, kind: &'static str) -> &mut Self {
        let start = self.s.len();
        self.s.push_str(s);
        self.spans.push((start, self.s.len(), kind, false));
        self
    }
    fn masked(&mut self, s: &str, kind: &'static str) -> &mut Self {
        let start = self.s.len();
        self.s.push_str(s);
        self.spans.push((start, self.s.len(), kind, true));
        self
    }
}

struct Sink {
    truth: BufWriter<File>,
    count: u64,
}

impl Sink {
    fn spans(
        &mut self,
        file: &str,
        row: Option<u64>,
        column: Option<&str>,
        line: Option<u64>,
        t: &Text,
        person: u64,
    ) -> std::io::Result<()> {
        for &(start, end, kind, masked) in &t.spans {
            let rec = Truth {
                file: file.to_string(),
                row,
                column: column.map(str::to_string),
                line,
                start,
                end,
                kind: kind.to_string(),
                person,
                masked,
            };
            serde_json::to_writer(&mut self.truth, &rec)?;
            self.truth.write_all(b"\n")?;
            self.count += 1;
        }
        Ok(())
    }
}

/// Writes the synthetic corpus into `dir`.
pub fn generate(dir: &Path, o: &GenOptions) -> std::io::Result<GenSummary> {
    std::fs::create_dir_all(dir)?;
    let mut r = Rng::new(o.seed);
    let people: Vec<Person> = (1..=o.people).map(|n| person(&mut r, n)).collect();
    let mut sink = Sink {
        truth: BufWriter::new(File::create(dir.join("truth.jsonl"))?),
        count: 0,
    };
    let rows = customers(dir, &people, &mut r, &mut sink, o.gbk_rows)?;
    database(dir, &rows, &mut sink, o.db_rows)?;
    orders(dir, &people, &mut r, &mut sink)?;
    events(dir, &people, &mut r, &mut sink)?;
    log(dir, &people, &mut r, &mut sink, o.log_lines, o.log_noise)?;
    sink.truth.flush()?;
    let files = [
        "customers.csv",
        "customers_gbk.csv",
        "events.jsonl",
        "app.log",
        "truth.jsonl",
    ];
    let bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    Ok(GenSummary {
        files: files
            .iter()
            .map(|f| dir.join(f).display().to_string())
            .collect(),
        truth_spans: sink.count,
        bytes,
    })
}

const COLUMNS: [&str; 10] = [
    "客户编号",
    "姓名",
    "身份证号",
    "手机号",
    "邮箱",
    "银行卡号",
    "地址",
    "车牌号",
    "订单号",
    "备注",
];

/// A customers row: cells with their PI spans, and the person.
type Row = (Vec<Text>, u64);

fn customers(
    dir: &Path,
    people: &[Person],
    r: &mut Rng,
    sink: &mut Sink,
    gbk_rows: u64,
) -> std::io::Result<Vec<Row>> {
    let mut utf8 = csv::Writer::from_path(dir.join("customers.csv"))?;
    let mut gbk: Vec<u8> = Vec::new();
    utf8.write_record(COLUMNS)?;
    let mut rows: Vec<Row> = Vec::with_capacity(people.len());
    let header = COLUMNS.join(",") + "\n";
    gbk.extend_from_slice(&encoding_rs::GBK.encode(&header).0);
    for (i, p) in people.iter().enumerate() {
        let row = i as u64 + 1;
        let mut cells: Vec<Text> = (0..COLUMNS.len()).map(|_| Text::default()).collect();
        // 客户编号: an identity number inside a longer run, after a letter: not PI.
        cells[0].add(&format!("C{}{}", r.digits(2), p.id));
        cells[1].pi(&p.name, "person_name");
        cells[2].pi(&p.id, "cn_resident_id");
        if r.chance(0.05) {
            cells[3].masked(&mask_mobile(&p.mobile), "cn_mobile");
        } else {
            cells[3].pi(&p.mobile, "cn_mobile");
        }
        cells[4].pi(&p.email, "email");
        cells[5].pi(&p.card, "bank_card");
        cells[6].pi(&p.address, "address");
        cells[7].pi(&p.plate, "cn_license_plate");
        // 订单号: passes the identity checks, but the column says it is an order number.
        cells[8].add(&order_number_like_id(r));
        match r.below(4) {
            0 => {
                cells[9].add("客户来电，联系方式");
                cells[9].pi(&p.mobile, "cn_mobile");
            }
            1 => {
                // A wrong check character: not an identity number.
                let mut bad = p.id.clone();
                let last = bad.pop().unwrap_or('0');
                bad.push(if last == '1' { '2' } else { '1' });
                cells[9].add(&format!("待核实证件{bad}"));
            }
            2 => {
                cells[9].add(&format!(
                    "更新时间{}",
                    r.pick(&["20260301123045", "20251126093000", "20240229235959"])
                ));
            }
            _ => {}
        }
        let rec: Vec<&str> = cells.iter().map(|c| c.s.as_str()).collect();
        utf8.write_record(&rec)?;
        for (c, col) in cells.iter().zip(COLUMNS) {
            sink.spans("customers.csv", Some(row), Some(col), None, c, p.n)?;
        }
        if row <= gbk_rows {
            gbk.extend_from_slice(&encoding_rs::GBK.encode(&(rec.join(",") + "\n")).0);
            for (c, col) in cells.iter().zip(COLUMNS) {
                sink.spans("customers_gbk.csv", Some(row), Some(col), None, c, p.n)?;
            }
        }
        rows.push((cells, p.n));
    }
    utf8.flush()?;
    std::fs::write(dir.join("customers_gbk.csv"), gbk)?;
    Ok(rows)
}

/// Without the `databases` feature no SQLite file is written.
#[cfg(not(feature = "databases"))]
fn database(_: &Path, _: &[Row], _: &mut Sink, _: u64) -> std::io::Result<()> {
    Ok(())
}

/// The first customers rows again, as the `customers` table of a SQLite database.
#[cfg(feature = "databases")]
fn database(dir: &Path, rows: &[Row], sink: &mut Sink, n: u64) -> std::io::Result<()> {
    let path = dir.join("customers.db");
    let _ = std::fs::remove_file(&path);
    let err = |e: sqlx::Error| std::io::Error::other(e.to_string());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.map_err(err)?;
        let cols: Vec<String> = COLUMNS.iter().map(|c| format!("\"{c}\" TEXT")).collect();
        let create = format!(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, {})",
            cols.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut conn)
            .await
            .map_err(err)?;
        let marks = vec!["?"; COLUMNS.len()].join(", ");
        let insert = format!(
            "INSERT INTO customers ({}) VALUES ({marks})",
            COLUMNS
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut tx = conn.begin().await.map_err(err)?;
        for (cells, _) in rows.iter().take(n as usize) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
            for c in cells {
                q = q.bind(c.s.clone());
            }
            q.execute(&mut *tx).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        conn.close().await.map_err(err)
    })?;
    for (i, (cells, person)) in rows.iter().take(n as usize).enumerate() {
        for (c, col) in cells.iter().zip(COLUMNS) {
            // The id column is an integer key and not PI; spans are in the text columns.
            sink.spans(
                "customers.db#customers",
                Some(i as u64 + 1),
                Some(col),
                None,
                c,
                *person,
            )?;
        }
    }
    Ok(())
}

const ORDER_COLUMNS: [&str; 10] = [
    "订单号",
    "下单时间",
    "商品名称",
    "数量",
    "单价",
    "金额",
    "状态",
    "收货人",
    "收货电话",
    "收货地址",
];
const PRODUCTS: &[&str] = &[
    "西湖龙井 250g",
    "无线蓝牙耳机",
    "儿童保温杯",
    "有机大米 5kg",
    "运动跑鞋 42码",
    "家用空气净化器",
    "笔记本电脑支架",
    "护手霜套装",
];
const STATUS: &[&str] = &["已下单", "已支付", "已发货", "已签收", "已退款"];

/// A typical order export: mostly business columns, three of PI.
fn orders(dir: &Path, people: &[Person], r: &mut Rng, sink: &mut Sink) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(dir.join("orders.csv"))?;
    w.write_record(ORDER_COLUMNS)?;
    for (i, p) in people.iter().enumerate() {
        let row = i as u64 + 1;
        let qty = 1 + r.below(5);
        let price = 10 + r.below(2000);
        let mut cells: Vec<Text> = (0..ORDER_COLUMNS.len()).map(|_| Text::default()).collect();
        cells[0].add(&format!("DD{}{}", 20260000 + r.below(1300), r.digits(8)));
        cells[1].add(&format!(
            "2026-03-{:02} {:02}:{:02}:{:02}",
            1 + r.below(28),
            r.below(24),
            r.below(60),
            r.below(60)
        ));
        let product: &str = r.pick::<&str>(PRODUCTS);
        cells[2].add(product);
        cells[3].add(&qty.to_string());
        cells[4].add(&format!("{price}.00"));
        cells[5].add(&format!("{}.00", qty * price));
        let status: &str = r.pick::<&str>(STATUS);
        cells[6].add(status);
        cells[7].pi(&p.name, "person_name");
        cells[8].pi(&p.mobile, "cn_mobile");
        cells[9].pi(&p.address, "address");
        let rec: Vec<&str> = cells.iter().map(|c| c.s.as_str()).collect();
        w.write_record(&rec)?;
        for (c, col) in cells.iter().zip(ORDER_COLUMNS) {
            sink.spans("orders.csv", Some(row), Some(col), None, c, p.n)?;
        }
    }
    w.flush()
}

fn events(dir: &Path, people: &[Person], r: &mut Rng, sink: &mut Sink) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(dir.join("events.jsonl"))?);
    for (i, p) in people.iter().enumerate() {
        let row = i as u64 + 1;
        let mut fields: Vec<(&str, Text)> = Vec::new();
        let mut t = Text::default();
        t.pi(&p.name, "person_name");
        fields.push(("user.name", t));
        let mut t = Text::default();
        t.pi(&p.mobile, "cn_mobile");
        fields.push(("user.mobile", t));
        let mut t = Text::default();
        t.pi(&p.id, "cn_resident_id");
        fields.push(("user.id_card", t));
        let mut t = Text::default();
        t.pi(&p.ip, "ipv4");
        fields.push(("device.ip", t));
        let mut t = Text::default();
        let imei = {
            let body = format!("35{}", r.digits(12));
            (b'0'..=b'9')
                .map(|d| format!("{body}{}", d as char))
                .find(|s| luhn::valid(s.as_bytes()))
                .expect("digit")
        };
        t.pi(&imei, "imei");
        fields.push(("device.imei", t));
        let mut t = Text::default();
        t.pi(
            &format!(
                "{:.6},{:.6}",
                22.0 + r.unit() * 18.0,
                100.0 + r.unit() * 20.0
            ),
            "gps_coordinate",
        );
        fields.push(("geo.location", t));
        let mut t = Text::default();
        t.add(&order_number_like_id(r));
        fields.push(("order_no", t));
        let mut user = serde_json::Map::new();
        let mut device = serde_json::Map::new();
        let mut obj = serde_json::Map::new();
        obj.insert("event".into(), "login".into());
        for (path, t) in &fields {
            match path.split_once('.') {
                Some(("user", k)) => {
                    user.insert(k.into(), t.s.clone().into());
                }
                Some(("device", k)) => {
                    device.insert(k.into(), t.s.clone().into());
                }
                Some(("geo", _)) => {
                    obj.insert("geo".into(), serde_json::json!({ "location": t.s }));
                }
                _ => {
                    obj.insert((*path).into(), t.s.clone().into());
                }
            }
        }
        obj.insert("user".into(), user.into());
        obj.insert("device".into(), device.into());
        serde_json::to_writer(&mut w, &obj)?;
        w.write_all(b"\n")?;
        for (path, t) in &fields {
            sink.spans("events.jsonl", Some(row), Some(path), None, t, p.n)?;
        }
    }
    w.flush()
}

fn log(
    dir: &Path,
    people: &[Person],
    r: &mut Rng,
    sink: &mut Sink,
    lines: u64,
    noise: f64,
) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(dir.join("app.log"))?);
    for n in 1..=lines {
        let p = r.pick(people);
        let mut t = Text::default();
        t.add(&format!(
            "2026-03-{:02} {:02}:{:02}:{:02} ",
            1 + r.below(28),
            r.below(24),
            r.below(60),
            r.below(60)
        ));
        if r.chance(noise) {
            t.add(&format!(
                "INFO [http-nio-8080-exec-{}] GET /api/v2/orders/{}/items?page={}&size=20 200 {}ms req={:016x}{:016x} ua=\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"",
                r.below(200),
                r.below(1_000_000),
                r.below(50),
                r.below(900),
                r.next_u64(),
                r.next_u64()
            ));
            w.write_all(t.s.as_bytes())?;
            w.write_all(b"\n")?;
            continue;
        }
        match r.below(9) {
            0 => {
                t.add("INFO 用户")
                    .pi(&p.name, "person_name")
                    .add("(手机")
                    .pi(&p.mobile, "cn_mobile")
                    .add(")登录成功 ip=")
                    .pi(&p.ip, "ipv4");
            }
            1 => {
                t.add("INFO 实名认证通过，身份证号")
                    .pi(&p.id, "cn_resident_id")
                    .add("，姓名")
                    .pi(&p.name, "person_name");
            }
            2 => {
                t.add(&format!(
                    "INFO 订单号{}已发货，运单号SF{}，用户已确认，发货城市北京市，门店王府井店，客户来电咨询",
                    order_number_like_id(r),
                    r.digits(12)
                ));
            }
            3 => {
                t.add("INFO 支付成功 卡号")
                    .pi(&p.card, "bank_card")
                    .add(&format!(" 金额{}.{:02}", r.below(5000), r.below(100)));
            }
            4 => {
                t.add("WARN 脱敏展示 ")
                    .masked(&mask_mobile(&p.mobile), "cn_mobile")
                    .add(&format!(" trace={:016x}", r.next_u64()));
            }
            5 => {
                t.add("INFO 收货地址更新：")
                    .pi(&p.address, "address")
                    .add(" 联系邮箱 ")
                    .pi(&p.email, "email");
            }
            6 => {
                t.add(&format!(
                    "DEBUG batch={} took {}ms seq=9{}",
                    r.digits(20),
                    r.below(900),
                    r.digits(10)
                ));
            }
            7 => {
                t.add("INFO ")
                    .pi("病历", "sensitive_health")
                    .add("更新：患者")
                    .pi(&p.name, "person_name")
                    .pi("确诊", "sensitive_health")
                    .pi(
                        r.pick::<&str>(&["糖尿病", "高血压", "抑郁症"]),
                        "sensitive_health",
                    )
                    .add("，已通知监护人");
            }
            _ => {
                t.add("INFO 车辆入场 ")
                    .pi(&p.plate, "cn_license_plate")
                    .add(&format!(" 闸口{}", r.below(9)));
            }
        }
        w.write_all(t.s.as_bytes())?;
        w.write_all(b"\n")?;
        sink.spans("app.log", None, None, Some(n), &t, p.n)?;
    }
    w.flush()
}

/// Writes the rows of a CSV file (header first) as a Parquet file of UTF-8 columns, one row
/// group, Snappy-compressed: a Parquet copy of a generated corpus (the fuzzer's seed, speed comparisons).
#[cfg(feature = "parquet")]
pub fn csv_to_parquet(csv: &Path, out: &Path) -> std::io::Result<()> {
    use parquet::data_type::ByteArray;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;
    use std::sync::Arc;
    let bad = |e: parquet::errors::ParquetError| std::io::Error::other(e.to_string());
    let mut r = csv::Reader::from_path(csv).map_err(std::io::Error::other)?;
    let header: Vec<String> = r
        .headers()
        .map_err(std::io::Error::other)?
        .iter()
        .map(String::from)
        .collect();
    let mut columns: Vec<Vec<ByteArray>> = vec![Vec::new(); header.len()];
    for rec in r.records() {
        let rec = rec.map_err(std::io::Error::other)?;
        for (i, col) in columns.iter_mut().enumerate() {
            col.push(ByteArray::from(rec.get(i).unwrap_or("")));
        }
    }
    let fields = header
        .iter()
        .map(|h| {
            Type::primitive_type_builder(h, parquet::basic::Type::BYTE_ARRAY)
                .with_repetition(parquet::basic::Repetition::REQUIRED)
                .with_converted_type(parquet::basic::ConvertedType::UTF8)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let schema = Type::group_type_builder("rows")
        .with_fields(fields)
        .build()
        .map_err(bad)?;
    // Snappy, as Spark and Hive write by default.
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build(),
    );
    let mut w =
        SerializedFileWriter::new(File::create(out)?, Arc::new(schema), props).map_err(bad)?;
    let mut rg = w.next_row_group().map_err(bad)?;
    let mut i = 0;
    while let Some(mut col) = rg.next_column().map_err(bad)? {
        if let parquet::column::writer::ColumnWriter::ByteArrayColumnWriter(c) = col.untyped() {
            c.write_batch(&columns[i], None, None).map_err(bad)?;
        }
        i += 1;
        col.close().map_err(bad)?;
    }
    rg.close().map_err(bad)?;
    w.close().map_err(bad)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_validate_and_are_reproducible() {
        let mut a = Rng::new(3);
        let mut b = Rng::new(3);
        for n in 0..200 {
            let p = person(&mut a, n);
            let q = person(&mut b, n);
            assert_eq!(p.id, q.id);
            assert_eq!(
                id_card::check18(p.id.as_bytes(), jiff::civil::date(2026, 1, 1)),
                id_card::IdCheck::Valid
            );
            assert!(
                crate::validate::card::valid(p.card.as_bytes()),
                "{}",
                p.card
            );
            assert!(crate::validate::phone::mobile_prefix_ok(
                p.mobile.as_bytes()
            ));
        }
    }
}
