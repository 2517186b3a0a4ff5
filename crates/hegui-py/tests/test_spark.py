"""hegui on Spark (local[2]) gives the report `hegui scan --full --sketches` gives.

20,000 generated people are written as a CSV (which the CLI scans) and as the same rows in
all-string Parquet split over several files (which Spark reads); a second table holds
phone numbers as DOUBLE and DECIMAL(11,0). The Spark report's exact totals, people
estimate, column statistics and sketches must equal the CLI's, whatever the partitioning.

Needs: the `hegui` binary (HEGUI_BIN, else the workspace's target/release or target/debug),
pyspark with a Java runtime, and this package installed (`maturin develop`).
"""

import csv
import json
import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hegui
import hegui.spark

TODAY = "2026-12-06"
PEOPLE = int(os.environ.get("HEGUI_SPARK_PEOPLE", "20000"))
ROOT = Path(__file__).resolve().parents[3]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩凯俊帆晨"
CITIES = ["北京市朝阳区建国路", "上海市浦东新区世纪大道", "广州市天河区体育西路", "成都市武侯区人民南路"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def hegui_bin():
    if os.environ.get("HEGUI_BIN"):
        return os.environ["HEGUI_BIN"]
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "hegui"
        if p.exists():
            return str(p)
    pytest.fail("no hegui binary: build it (cargo build -p hegui) or set HEGUI_BIN")


def resident_id(rng):
    body = "%s%04d%02d%02d%03d" % (
        rng.choice(["110101", "310104", "440106", "510107"]),
        rng.randint(1950, 2005),
        rng.randint(1, 12),
        rng.randint(1, 28),
        rng.randint(0, 999),
    )
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]
    return body + check


def luhn_card(rng):
    body = "622202" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return body + str((10 - total % 10) % 10)


def mobile(rng):
    return "1%s%09d" % (rng.choice("35789"), rng.randint(0, 999_999_999))


def people(n, seed=7):
    """Rows of people; some repeat (distinct < matches), some cells are empty."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        if rows and rng.random() < 0.05:
            rows.append(dict(rng.choice(rows)))
            continue
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        phone = mobile(rng)
        rows.append(
            {
                "姓名": name,
                "身份证号": resident_id(rng) if rng.random() < 0.95 else None,
                "手机号": phone,
                "email": "user%d@example.com" % i if rng.random() < 0.7 else None,
                "银行卡号": luhn_card(rng) if rng.random() < 0.4 else None,
                "地址": "%s%d号" % (rng.choice(CITIES), rng.randint(1, 300)),
                "备注": "客户来电，回拨%s" % phone if rng.random() < 0.2 else "无",
                "金额": "%d.%02d" % (rng.randint(1, 9999), rng.randint(0, 99)),
            }
        )
    return rows


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: v or "" for k, v in r.items()})


def write_parquet(rows, directory, files):
    directory.mkdir(parents=True)
    names = list(rows[0])
    per = -(-len(rows) // files)
    for i in range(files):
        part = rows[i * per : (i + 1) * per]
        table = pa.table({n: pa.array([r[n] for r in part], pa.string()) for n in names})
        pq.write_table(table, directory / ("part-%05d.parquet" % i))


def cli_report(path, tmp):
    out = tmp / (path.stem + ".cli.json")
    subprocess.run(
        [hegui_bin(), "scan", "--full", "--sketches", "--today", TODAY, "--format", "summary",
         "--report", str(out), str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def essentials(report):
    """What must agree: totals, estimate, sketches, and each column's statistics."""
    fields = sorted(report["sources"][0]["fields"], key=lambda f: f["name"])
    return {
        "totals": report["totals"],
        "estimate": report["estimate"],
        "sketches": report["sketches"],
        "records": report["sources"][0]["records"],
        "fields": fields,
    }


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The workers run this interpreter, the one hegui is installed in (pyspark reads the
    # variable when the session starts).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    s = (
        SparkSession.builder.master("local[2]")
        .appName("hegui-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield s
    s.stop()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lake")
    rows = people(PEOPLE)
    write_csv(rows, tmp / "people.csv")
    write_parquet(rows, tmp / "people", files=4)
    return tmp


def test_spark_equals_the_cli_whatever_the_partitioning(spark, data):
    want = essentials(cli_report(data / "people.csv", data))
    assert want["estimate"]["people"] > PEOPLE // 2, want["estimate"]
    df = spark.read.parquet(str(data / "people"))
    for parts in (None, 1, 7):
        frame = df if parts is None else df.repartition(parts)
        got = hegui.spark.scan(spark, [("people", frame)], report=None, today=TODAY)
        assert essentials(got) == want, "partitions: %s" % parts
        assert got["sources"][0]["format"] == "spark"


def test_double_and_decimal_phones_are_scanned_as_digits(spark, data):
    rng = random.Random(11)
    phones = [int(mobile(rng)) for _ in range(500)]
    with open(data / "phones.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["手机号", "联系电话"])
        for p in phones:
            w.writerow([p, p + 1])
    want = essentials(cli_report(data / "phones.csv", data))
    from pyspark.sql import types as T

    schema = T.StructType(
        [T.StructField("手机号", T.DoubleType()), T.StructField("联系电话", T.DecimalType(11, 0))]
    )
    df = spark.createDataFrame([(float(p), Decimal(p + 1)) for p in phones], schema)
    got = hegui.spark.scan(spark, {"phones": df}, report=None, today=TODAY)
    assert essentials(got) == want
    # Most generated numbers are valid mobiles (a few prefixes are not allocated).
    assert got["totals"][0]["kind"] == "cn_mobile" and got["totals"][0]["distinct"] > 900


def test_the_report_feeds_the_cli(spark, data, tmp_path):
    out = tmp_path / "lake.json"
    df = spark.read.parquet(str(data / "people"))
    nested = df.selectExpr(
        "named_struct('手机号', `手机号`, 'ok', true) AS contact",
        "`身份证号`",
        "array(`手机号`, NULL, '无') AS phones",
        "map('k', `手机号`) AS attrs",
    )
    hegui.spark.scan(spark, {"people": df, "nested": nested}, report=str(out), today=TODAY)
    r = json.loads(out.read_text(encoding="utf-8"))
    names = {f["name"] for s in r["sources"] for f in s["fields"]}
    assert "contact.手机号" in names, names
    # A list's values are scanned, each on its own line of the row's cell.
    phones = [f for s in r["sources"] for f in s["fields"] if f["name"] == "phones[]"]
    assert phones and phones[0]["kinds"][0]["kind"] == "cn_mobile", phones
    assert phones[0]["kinds"][0]["matches"] == sum(
        k["matches"] for s in r["sources"] for f in s["fields"] if f["name"] == "contact.手机号"
        for k in f["kinds"] if k["kind"] == "cn_mobile"
    )
    assert r["not_scanned"] == {"nested": [{"column": "attrs", "type": "map<string,string>"}]}
    # Two tables, one count: the people of both are counted once.
    cli = cli_report(data / "people.csv", data)
    assert r["estimate"]["people"] == cli["estimate"]["people"]
    merged = subprocess.run(
        [hegui_bin(), "scan-merge", str(out)], check=True, capture_output=True, text=True
    )
    assert "cn_resident_id" in merged.stdout, merged.stdout


def test_keys_never_reach_a_table(spark, data):
    before = set(t.name for t in spark.catalog.listTables())
    hegui.spark.scan(spark, {"people": spark.read.parquet(str(data / "people"))}, report=None)
    assert set(t.name for t in spark.catalog.listTables()) == before
    storage = spark.sparkContext._jsc.sc().getRDDStorageInfo()
    assert len(storage) == 0, "the keys are unpersisted"


def test_bad_options_and_tables_are_refused_before_any_task_runs(spark):
    df = spark.createDataFrame([("13812345678",)], "phone string")
    for kwargs, said in [
        ({"kinds": ["no_such_kind"]}, "no_such_kind"),
        ({"min_likelihood": "sure"}, "min_likelihood"),
        ({"today": "31/12/2026"}, "today"),
    ]:
        with pytest.raises(ValueError, match=said):
            hegui.spark.scan(spark, {"t": df}, report=None, **kwargs)
    with pytest.raises(ValueError, match="same name"):
        hegui.spark.scan(spark, [("t", df), ("t", df)], report=None)
    # A table with nothing hegui scans is a table with no findings, not an error.
    flags = spark.createDataFrame([(True,)], "ok boolean")
    r = hegui.spark.scan(spark, {"flags": flags}, report=None, today=TODAY)
    assert r["totals"] == [] and r["estimate"]["people"] == 0
