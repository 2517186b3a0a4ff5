"""hegui's personal-information scanner for Python and Spark.

- ``hegui.Task``: scans Arrow record batches of string columns and hands back the keys of
  what it found and the partition's statistics (what a Spark task runs).
- ``hegui.report``: the standard scan report from every task's statistics and the
  distinct counts made from the keys.
- ``hegui.spark.scan``: the whole job on Spark (``import hegui.spark``; needs pyspark).
"""

from ._hegui import Task, report, __version__

__all__ = ["Task", "report", "__version__"]
