"""The optional Spark path gives the in-memory verdicts, detail and summary (Spark local mode).

Skipped when pyspark or Java is missing, unless ``BHYT_SPARK_TESTS=1``: then
a missing pyspark or Java fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

from bhyt_xl.api import review_table
from bhyt_xl.io.read import read_table
from bhyt_xl.samples import generate

REQUIRED = os.environ.get("BHYT_SPARK_TESTS") == "1"


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install bhyt-xl[spark])"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java runtime (java on PATH or JAVA_HOME)"
    return None


@pytest.fixture(scope="module")
def spark():
    why = _missing()
    if why:
        if REQUIRED:
            pytest.fail(f"BHYT_SPARK_TESTS=1 but {why}")
        pytest.skip(why)
    from pyspark.sql import SparkSession

    # the Python workers must run this interpreter (with pandas and bhyt_xl), not the first python3 on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("bhyt-xl-test")
               .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated_list(tmp_path_factory):
    path = tmp_path_factory.mktemp("spark") / "list.csv"
    generate.write_csv(generate.generate_cards(4000, seed=17), path, encoding="utf-8")
    return read_table(path)


def _frame(spark, table):
    from pyspark.sql import types as T

    data = table.data.astype(object).where(table.data.notna(), None)
    data.insert(0, "src_row", np.asarray(table.src_row, dtype="int64"))
    data.insert(0, "row_id", np.arange(len(data), dtype="int64"))
    schema = T.StructType([T.StructField("row_id", T.LongType()), T.StructField("src_row", T.LongType())]
                          + [T.StructField(str(c), T.StringType()) for c in table.data.columns])
    return spark.createDataFrame(data, schema=schema)


def test_spark_review_equals_in_memory(spark, generated_list):
    from bhyt_xl.spark import ROW_COLUMNS, review_spark

    table = generated_list
    memory = review_table(table).result
    result = review_spark(_frame(spark, table), buckets=5, src_row="src_row")

    rows = result.rows.toPandas().sort_values("row_id").reset_index(drop=True)
    assert rows["row_id"].tolist() == list(range(len(table.data)))
    assert rows["src_row"].tolist() == np.asarray(table.src_row).tolist()
    mem = memory.rows.reset_index(drop=True)
    for c in ROW_COLUMNS:
        a, b = rows[c], mem[c]
        if c in ("dup_from", "dup_to"):
            a, b = pd.to_datetime(a).astype("datetime64[s]"), pd.to_datetime(b).astype("datetime64[s]")
            assert ((a == b) | (a.isna() & b.isna())).all(), c
        elif pd.api.types.is_float_dtype(b):
            assert np.array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True), c
        else:
            assert a.astype(object).tolist() == b.astype(object).tolist(), c

    by_year = result.by_year.toPandas().sort_values(["row", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(by_year, memory.by_year, check_dtype=False)
    pd.testing.assert_frame_equal(result.summary(), memory.summary)
    stats, expected = result.stats(), memory.stats
    for k in ("rows", "errors", "duplicates", "kept"):
        assert stats[k] == expected[k], k
    for k in ("months", "money", "budget"):
        assert stats[k] == pytest.approx(expected[k], rel=1e-12), k
    assert expected["duplicates"] > 100


def test_spark_problems_and_generated_row_ids(spark):
    from bhyt_xl.spark import review_spark

    df = generate.generate_cards(300, seed=4)
    table_frame = df.astype(object).where(df.notna(), None)
    for c in df.columns:
        table_frame[c] = [None if v is None else (v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else str(v))
                          for v in table_frame[c]]
    table_frame.loc[3, "Ngày sinh"] = "31/02/1980"
    result = review_spark(spark.createDataFrame(table_frame), buckets=3)  # row_id added by Spark
    rows = result.rows.toPandas()
    assert len(rows) == 300 and rows["row_id"].is_unique
    assert (rows["verdict"] == "Lỗi dữ liệu").sum() == 1
    problems = result.problems().toPandas()
    assert problems["message"].str.contains("'31/02/1980' không phải ngày sinh hợp lệ").any()
