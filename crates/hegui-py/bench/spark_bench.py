"""Throughput of hegui on Spark against the CLI and against Spark's own hand-off.

    python crates/hegui-py/bench/spark_bench.py CSV [--hegui target/release/hegui] [--runs 3]

For the rows of CSV (e.g. the orders.csv `hegui bench scan` generates), written as
all-string Parquet (Snappy), prints MB/s of text (the CSV's bytes) per core for:

- the CLI on the CSV and on the Parquet file (one thread);
- Spark local[1] and local[2]: hegui's tasks alone (render, `mapInArrow` with
  `hegui.Task`, the key rows counted), and `hegui.spark.scan` whole (the tasks, Spark's
  exact distinct counts of the keys and the report);
- Spark local[1] and local[2]: a do-nothing `mapInArrow` (each batch received, nothing
  returned) followed by a count: the JVM → Arrow → Python hand-off hegui's work adds to.

Best of --runs. The overhead hegui's tasks add is (tasks − do-nothing) / do-nothing
seconds; the rest of `hegui.spark.scan` is Spark counting the keys exactly.
"""

import argparse
import csv as csvmod
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def best(runs, f):
    t = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - start)
    return t


def cli(hegui, path, runs):
    def go():
        subprocess.run(
            [hegui, "scan", "--full", "--threads", "1", "--format", "summary", str(path)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    return best(runs, go)


def spark_session(cores):
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    return (
        SparkSession.builder.master("local[%d]" % cores)
        .appName("hegui-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(2 * cores))
        .config("spark.sql.files.maxPartitionBytes", str(8 << 20))
        .getOrCreate()
    )


def nothing(batches):
    import pyarrow as pa

    for _ in batches:
        pass
    yield pa.RecordBatch.from_pydict({"n": [0]}, schema=pa.schema([("n", pa.int64())]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("csv")
    p.add_argument("--hegui", default="target/release/hegui")
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    csv = Path(a.csv)
    mb = csv.stat().st_size / 1e6
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    tmp = Path(tempfile.mkdtemp(prefix="hegui-spark-bench-"))
    # Every column as text, as the CSV holds it (no type inference).
    with open(csv, encoding="utf-8") as f:
        names = next(csvmod.reader(f))
    types = {n: pa.string() for n in names}
    table = pcsv.read_csv(csv, convert_options=pcsv.ConvertOptions(column_types=types))
    parquet = tmp / "rows.parquet"
    pq.write_table(table, parquet, compression="snappy", row_group_size=256_000)
    rows = []
    rows.append(("CLI, CSV", 1, cli(a.hegui, csv, a.runs)))
    rows.append(("CLI, Parquet", 1, cli(a.hegui, parquet, a.runs)))
    import hegui.spark

    for cores in (1, 2):
        spark = spark_session(cores)
        df = spark.read.parquet(str(parquet))
        df.count()  # warm the JVM and the file listing
        t_nothing = best(a.runs, lambda: df.mapInArrow(nothing, "n long").count())
        rendered, names, _ = hegui.spark.as_strings(df)
        run = hegui.spark._task("rows", names, None, "possible", None, "gb45574")
        tasks = rendered.mapInArrow(run, hegui.spark.KEYS_DDL)
        t_tasks = best(a.runs, lambda: tasks.count())
        t_hegui = best(a.runs, lambda: hegui.spark.scan(spark, [("rows", df)], report=None))
        rows.append(("Spark local[%d], do-nothing mapInArrow" % cores, cores, t_nothing))
        rows.append(("Spark local[%d], hegui's tasks (mapInArrow, count)" % cores, cores, t_tasks))
        rows.append(("Spark local[%d], hegui.spark.scan (tasks + exact counts)" % cores, cores, t_hegui))
        spark.stop()
    print("%.1f MB of text (%s), best of %d" % (mb, csv.name, a.runs))
    print("| path | cores | seconds | MB/s | MB/s per core |")
    print("| --- | --- | --- | --- | --- |")
    for name, cores, t in rows:
        print("| %s | %d | %.2f | %.1f | %.1f |" % (name, cores, t, mb / t, mb / t / cores))
    for cores in (1, 2):
        n = [t for name, c, t in rows if c == cores and "do-nothing" in name][0]
        h = [t for name, c, t in rows if c == cores and "hegui's tasks" in name][0]
        print("local[%d]: hegui's tasks add %.0f %% to Spark's hand-off" % (cores, 100 * (h - n) / n))


if __name__ == "__main__":
    main()
