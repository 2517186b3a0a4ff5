"""``hegui-spark-job``: the Spark job for those who do not write Python.

Pass this file to ``spark-submit`` (``python -m hegui.spark_job --path`` prints where it
is) or run ``hegui-spark-job`` where pyspark can start a session itself::

    spark-submit --archives hegui-env.tar.gz#env \\
      --conf spark.pyspark.python=./env/bin/python \\
      "$(python -m hegui.spark_job --path)" --report lake.json ods.customers dwd.orders

Tables are names in the catalog or paths of Parquet data. The report is written on the
driver; ``hegui obligations --scan lake.json`` takes it.
"""

import argparse
import sys


def parse(argv):
    p = argparse.ArgumentParser(
        prog="hegui-spark-job",
        description="Scan tables on Spark for personal information and count distinct "
        "people across all of them (hegui's scan report).",
    )
    p.add_argument("tables", nargs="*", help="catalog tables (db.table) or Parquet paths")
    p.add_argument("--report", default="lake.json", help="where the driver writes the report")
    p.add_argument("--kinds", help="only these kinds, comma-separated (e.g. cn_mobile,email)")
    p.add_argument("--min-likelihood", default="possible")
    p.add_argument("--framework", default="gb45574", choices=["gb45574", "gb35273"])
    p.add_argument("--today", help="the scan's date, YYYY-MM-DD (default: today)")
    p.add_argument("--path", action="store_true", help="print this file's path and exit")
    a = p.parse_args(argv)
    if not a.path and not a.tables:
        p.error("name at least one table or path")
    return a


def main(argv=None):
    a = parse(sys.argv[1:] if argv is None else argv)
    if a.path:
        print(__file__)
        return 0
    from pyspark.sql import SparkSession

    import hegui.spark

    spark = SparkSession.builder.appName("hegui scan").getOrCreate()
    try:
        r = hegui.spark.scan(
            spark,
            a.tables,
            report=a.report,
            kinds=a.kinds.split(",") if a.kinds else None,
            min_likelihood=a.min_likelihood,
            framework=a.framework,
            today=a.today,
        )
    finally:
        spark.stop()
    e = r["estimate"]
    print(
        "%s: %d rows in %d table(s); people: %d (by %s); with sensitive PI: %d"
        % (
            a.report,
            sum(s["records"] for s in r["sources"]),
            len(r["sources"]),
            e["people"],
            e.get("people_by") or "-",
            e["sensitive"],
        )
    )
    for table, cols in r.get("not_scanned", {}).items():
        print("%s: not scanned: %s" % (table, ", ".join(c["column"] for c in cols)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
