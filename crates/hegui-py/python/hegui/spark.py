"""Scan tables on Spark with hegui, and count distinct people across all of them.

::

    import hegui.spark
    r = hegui.spark.scan(spark, ["ods.customers", "/lake/raw/app_users/"], report="lake.json")

Every column is rendered as a string (integral doubles through ``DECIMAL(38,0)``, so a
phone number stored as ``13812345678d`` is scanned as ``13812345678``, not Spark's
``1.3812345678E10``; structs flattened to ``a.b``), each partition is scanned by a
``hegui.Task`` inside ``mapInArrow``, and Spark's own aggregates count the keys: exact
``count(DISTINCT key)`` per kind across every table of the job, per table and column,
and ``max(rank)`` per kind and sketch register. The result is the report
``hegui scan --full --sketches`` writes, so ``hegui scan-merge`` and
``hegui obligations --scan`` take it unchanged.

The keys are personal information: they stay in executor storage and the shuffle, are
never written to a table, and are unpersisted at the end; only counts and sketch
registers reach the driver.
"""

import datetime
import json

KEYS_DDL = "column int, kind int, key long, register int, rank int, parts string"

# One pass over the tasks' output: distinct keys per table, column and kind; per kind and
# sketch register, the distinct keys and the highest rank (a key falls in one register,
# so a kind's distinct keys are the sum over its registers); and the tasks' parts.
COUNTS_SQL = """
SELECT `table`, `column`, kind, register, parts, count(DISTINCT key) AS n, max(rank) AS rank
FROM {view}
GROUP BY GROUPING SETS ((`table`, `column`, kind), (kind, register), (parts))
"""

# Column types that hold no personal information hegui detects: left out silently.
_QUIET = ("BooleanType", "NullType")


def _frames(spark, tables):
    """(name, DataFrame) pairs from table names, paths, pairs or a dict."""
    if isinstance(tables, dict):
        tables = list(tables.items())
    if isinstance(tables, str):
        tables = [tables]
    out = []
    for t in tables:
        if isinstance(t, tuple):
            out.append(t)
        elif "/" in t or t.endswith(".parquet"):
            out.append((t, spark.read.parquet(t)))
        else:
            out.append((t, spark.table(t)))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError("two tables of the job have the same name: %r" % names)
    return out


def _as_text(t, col):
    """A column of scalar type ``t`` as text; ``None`` for a type hegui does not scan."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if isinstance(t, T.StringType):
        return col
    if isinstance(t, (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.DecimalType)):
        return col.cast("string")
    if isinstance(t, (T.DoubleType, T.FloatType)):
        # Spark writes 13812345678d as 1.3812345678E10: a phone number hegui would miss.
        integral = (col == F.floor(col)) & (F.abs(col) < F.lit(1e37))
        as_text = F.when(integral, col.cast("decimal(38,0)").cast("string"))
        return as_text.otherwise(col.cast("string"))
    if isinstance(t, (T.DateType, T.TimestampType)) or type(t).__name__ == "TimestampNTZType":
        return col.cast("string")
    return None


def _render(field_type, path, col, out, skipped):
    """Appends (path, string column) for every scannable leaf under ``col``."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    t = field_type
    text = _as_text(t, col)
    if text is not None:
        out.append((path, text))
    elif isinstance(t, T.StructType):
        for f in t.fields:
            _render(f.dataType, "%s.%s" % (path, f.name), col.getField(f.name), out, skipped)
    elif type(t).__name__ in _QUIET:
        pass
    elif isinstance(t, T.ArrayType) and _as_text(t.elementType, F.lit(None)) is not None:
        # A list's values as the lines of one cell, named as hegui names Parquet lists
        # (`phones[]`): no detector looks across a line break, so each value is detected
        # on its own; the cell counts once per row (the CLI counts each value).
        values = F.transform(col, lambda x: _as_text(t.elementType, x))
        out.append(("%s[]" % path, F.concat_ws("\n", values)))
    else:
        # Binary, maps, lists of structs: not scanned, and said so in the result.
        skipped.append({"column": path, "type": t.simpleString()})


def as_strings(df):
    """The DataFrame with every scannable column as a string, the columns' names (paths
    such as ``address.city``), and what was left out. The columns are named ``_0``,
    ``_1``, … in Spark (a dotted name would be read there as a field of a struct); the
    task gives them their names back."""
    from pyspark.sql import functions as F

    cols, skipped = [], []
    for f in df.schema.fields:
        _render(f.dataType, f.name, F.col("`%s`" % f.name.replace("`", "``")), cols, skipped)
    rendered = df.select([c.alias("_%d" % i) for i, (_, c) in enumerate(cols)])
    return rendered, [p for p, _ in cols], skipped


def _task(source, names, today, min_likelihood, kinds, framework):
    """The function ``mapInArrow`` runs on each partition of ``source`` (its columns
    called ``names``)."""

    def run(batches):
        import pyarrow as pa
        from pyspark import TaskContext

        from hegui import _hegui

        schema = pa.schema(
            [
                ("column", pa.int32()),
                ("kind", pa.int32()),
                ("key", pa.int64()),
                ("register", pa.int32()),
                ("rank", pa.int32()),
                ("parts", pa.string()),
            ]
        )
        task = _hegui.Task(
            source, today=today, min_likelihood=min_likelihood, kinds=kinds, framework=framework
        )
        for batch in batches:
            task.scan(pa.RecordBatch.from_arrays(batch.columns, names=names))
            keys = task.drain_keys()
            if keys.num_rows:
                yield keys
        if task.columns() not in ([], names):
            raise RuntimeError("hegui numbered the columns %r, not %r" % (task.columns(), names))
        # The partition's number keeps two tasks' equal parts apart when grouped.
        ctx = TaskContext.get()
        partition = ctx.partitionId() if ctx else 0
        parts = '{"partition": %d, "parts": %s}' % (partition, task.finish())
        nulls = {n: [None] for n in schema.names if n != "parts"}
        yield pa.RecordBatch.from_pydict(dict(nulls, parts=[parts]), schema=schema)

    return run


def scan(
    spark,
    tables,
    report="lake.json",
    kinds=None,
    min_likelihood="possible",
    framework="gb45574",
    today=None,
    sketches=True,
):
    """Scans ``tables`` (names, paths of Parquet data, ``(name, DataFrame)`` pairs or a
    dict of them — a JDBC table is a DataFrame like any other) and writes the scan report
    to ``report`` (skipped when ``None``). Returns the report as a dict, with
    ``not_scanned``: per table, the columns of types hegui does not scan."""
    from pyspark.sql import functions as F

    from hegui import _hegui

    today = today or datetime.date.today().isoformat()
    # The options are checked here, on the driver, not in the first task that runs.
    _hegui.Task(
        "options", today=today, min_likelihood=min_likelihood, kinds=kinds, framework=framework
    ).finish()
    out, not_scanned, tables_, columns_ = None, {}, [], []
    for i, (name, df) in enumerate(_frames(spark, tables)):
        rendered, names, skipped = as_strings(df)
        if skipped:
            not_scanned[name] = skipped
        tables_.append(name)
        columns_.append(names)
        run = _task(name, names, today, min_likelihood, kinds, framework)
        keyed = rendered.mapInArrow(run, KEYS_DDL).withColumn("table", F.lit(i))
        out = keyed if out is None else out.unionByName(keyed)
    if out is None:
        raise ValueError("no tables to scan")
    # The keys go from the tasks into this one aggregation's shuffle, and no further.
    view = "hegui_keys_%d" % id(out)
    out.createOrReplaceTempView(view)
    try:
        rows = spark.sql(COUNTS_SQL.format(view=view)).collect()
    finally:
        spark.catalog.dropTempView(view)
    from hegui import _hegui

    kind_ids = _hegui.KINDS
    parts, by_kind, by_column, registers = [], {}, [], {}
    for r in rows:
        if r.parts is not None:
            parts.append(json.dumps(json.loads(r.parts)["parts"]))
        elif r.column is not None and r.table is not None:
            by_column.append(
                {
                    "source": tables_[r.table],
                    "column": columns_[r.table][r.column],
                    "kind": kind_ids[r.kind],
                    "distinct": r.n,
                }
            )
        elif r.register is not None and r.kind is not None:
            kind = kind_ids[r.kind]
            by_kind[kind] = by_kind.get(kind, 0) + r.n
            if sketches:
                registers.setdefault(kind, []).append([r.register, r.rank])
    counts = {"kinds": by_kind, "columns": by_column, "registers": registers}
    text = _hegui.report(
        parts,
        json.dumps(counts),
        today=today,
        min_likelihood=min_likelihood,
        framework=framework,
        sketches=sketches,
    )
    result = json.loads(text)
    if not_scanned:
        result["not_scanned"] = not_scanned
    if report:
        with open(report, "w", encoding="utf-8") as f:
            json.dump(result, f, ensure_ascii=False, indent=2)
    return result
