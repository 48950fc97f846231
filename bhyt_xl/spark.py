"""Optional Spark path: the same review core, one pandas call per identity-hash bucket.

For a data centre that already runs Spark (``pip install bhyt-xl[spark]``).
:func:`review_spark` takes a Spark DataFrame holding a card list (the list's
own column names, cells as text) and runs:

1. ``mapInPandas``: :func:`~bhyt_xl.core.prepare.prepare_cards` and
   :func:`~bhyt_xl.core.identity.identity_keys` on each batch (both work row
   by row), and the bucket of each card (:func:`bhyt_xl.scale.bucket_of`: a
   stable hash of the normalised identity key);
2. ``groupBy(bucket).applyInPandas``: :func:`~bhyt_xl.core.review.review_cards`
   on each bucket, i.e. a few hundred thousand cards per Python call, never
   one person per call (tens of millions of calls). A bucket holds whole
   persons, so the verdicts are those of the in-memory run.

There is one implementation of the rules: this module only moves rows.
Spark SQL has no NFC normalisation; the identity key is built in Python by
the core, so NFD variants still match.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.prepare import CARD_COLUMNS, missing_required, prepare_cards
from bhyt_xl.core.review import DATA_ERROR, DUPLICATE, KEPT, review_cards, summarise
from bhyt_xl.core.schema import label
from bhyt_xl.errors import MissingColumns, NoHeaderRow
from bhyt_xl.io.read import recognise_header
from bhyt_xl.params import Params
from bhyt_xl.problems import PROBLEM_COLUMNS
from bhyt_xl.scale import _DATE_CARD_COLUMNS, _restore_cards, bucket_of

#: Columns of the verdict rows returned (besides row_id and src_row); ``person`` is run-specific and left out.
ROW_COLUMNS = ["verdict", "reason", "dup_with", "dup_from", "dup_to", "dup_months", "dup_months_exact", "dup_money",
               "dup_budget", "identity_key", "group_code", "group_rank", "group_name", "cause", "revoked"]
BY_YEAR_COLUMNS = ["row", "src_row", "card_no", "group_code", "group_rank", "group_name", "year", "months_exact",
                   "months", "money", "budget"]


def _types():
    from pyspark.sql import types as T

    return T


def _card_schema():
    T = _types()
    fields = [T.StructField("row_id", T.LongType()), T.StructField("bucket", T.IntegerType())]
    for c in CARD_COLUMNS:
        if c == "src_row":
            t = T.LongType()
        elif c in ("birth_year_only", "valid"):
            t = T.BooleanType()
        elif c in _DATE_CARD_COLUMNS:
            t = T.TimestampNTZType()
        else:
            t = T.StringType()
        fields.append(T.StructField(c, t))
    return T.StructType(fields)


_OUT_TYPES = {
    "part": "string", "row_id": "long", "src_row": "long",
    "verdict": "string", "reason": "string", "dup_with": "string", "dup_from": "timestamp_ntz",
    "dup_to": "timestamp_ntz", "dup_months": "double", "dup_months_exact": "double", "dup_money": "double",
    "dup_budget": "double", "identity_key": "string", "group_code": "string", "group_rank": "long",
    "group_name": "string", "cause": "string", "revoked": "boolean",
    "card_no": "string", "year": "long", "months_exact": "double", "months": "double", "money": "double",
    "budget": "double",
}


def _out_schema():
    T = _types()
    kinds = {"string": T.StringType(), "long": T.LongType(), "double": T.DoubleType(), "boolean": T.BooleanType(),
             "timestamp_ntz": T.TimestampNTZType()}
    return T.StructType([T.StructField(c, kinds[t]) for c, t in _OUT_TYPES.items()])


def _problem_schema():
    T = _types()
    return T.StructType([T.StructField("src_row", T.LongType())]
                        + [T.StructField(c, T.StringType()) for c in PROBLEM_COLUMNS[1:]])


def list_columns(names: list[str]) -> dict[str, str]:
    """Recognised fields -> column names of a Spark DataFrame (its header); raises as ``read_table`` does."""
    found = recognise_header([list(names)])
    if found is None:
        raise NoHeaderRow("Không nhận ra tên cột của danh sách thẻ (cần các cột như Mã thẻ, Họ và tên, Ngày sinh, "
                          "Giới tính, Địa chỉ, Từ ngày, Đến ngày).")
    _, fields = found
    columns = {field: names[j] for j, field in fields.items()}
    missing = missing_required(columns)
    if missing:
        raise MissingColumns("Không tìm thấy cột " + ", ".join(f'"{label(f)}"' for f in missing)
                             + " trong danh sách; hãy thêm cột hoặc đổi tên tiêu đề cột cho đúng.")
    return columns


@dataclasses.dataclass
class SparkReview:
    """The Spark review: lazy Spark DataFrames of the verdicts and of the per-year detail.

    ``rows``: row_id, src_row and :data:`ROW_COLUMNS`; ``by_year``: as
    ``ReviewResult.by_year`` (``row`` = row id). :meth:`summary` and
    :meth:`stats` collect small results to the driver.
    """

    rows: object  # pyspark.sql.DataFrame
    by_year: object  # pyspark.sql.DataFrame
    cards: object  # prepared cards with their bucket (pyspark.sql.DataFrame)
    params: Params
    _source: object = None
    _columns: dict | None = None
    _row_id: str = "row_id"
    _src_row: str | None = None

    def summary(self) -> pd.DataFrame:
        """The summary per year and group (:func:`~bhyt_xl.core.review.summarise` on the collected detail)."""
        by_year = self.by_year.toPandas()
        by_year = by_year.sort_values(["row", "year"], kind="stable").reset_index(drop=True)
        return summarise(by_year.astype({"row": "int64", "year": "int64", "group_rank": "int64"}), self.params)

    def stats(self) -> dict:
        """Counts and totals as ``ReviewResult.stats`` (sums of floats in Spark's order: equal to ~1e-9)."""
        from pyspark.sql import functions as F

        r = self.rows
        dup = F.col("verdict") == DUPLICATE
        row = r.agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum((F.col("verdict") == DATA_ERROR).cast("long")).alias("errors"),
            F.sum(dup.cast("long")).alias("duplicates"),
            F.sum((F.col("verdict") == KEPT).cast("long")).alias("kept"),
            F.sum(F.when(dup, F.col("dup_months_exact")).otherwise(0.0)).alias("months"),
            F.sum(F.when(dup, F.col("dup_money")).otherwise(0.0)).alias("money"),
            F.sum(F.when(dup, F.col("dup_budget")).otherwise(0.0)).alias("budget"),
        ).collect()[0]
        out = row.asDict()
        return {k: (int(v or 0) if k in ("rows", "errors", "duplicates", "kept") else float(v or 0.0))
                for k, v in out.items()}

    def problems(self):
        """The data problems (Spark DataFrame with the problem columns), by a second ``prepare_cards`` pass."""
        params, columns, row_id, src_row = self.params, self._columns, self._row_id, self._src_row
        names = list(dict.fromkeys(columns.values()))

        def find(batches):
            for pdf in batches:
                data = pdf[names]
                _, problems = prepare_cards(data, columns, _src_rows(pdf, row_id, src_row), params)
                if len(problems):
                    yield _plain(problems.astype({"src_row": "int64", "value": str, "message": str})[PROBLEM_COLUMNS])

        return self._source.mapInPandas(find, schema=_problem_schema())


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object arrays: Spark's Arrow conversion does not take pandas 3's Arrow-backed strings."""
    text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    return frame.astype({c: object for c in text}) if text else frame


def _src_rows(pdf: pd.DataFrame, row_id: str, src_row: str | None) -> np.ndarray:
    if src_row is not None:
        return pdf[src_row].to_numpy(dtype="int64")
    return pdf[row_id].to_numpy(dtype="int64") + 2  # as a file whose header is row 1


def review_spark(df_spark, params: Params | None = None, buckets: int = 64, row_id: str = "row_id",
                 src_row: str | None = None) -> SparkReview:
    """Review a card list held in a Spark DataFrame; see the module docstring.

    ``df_spark``: the list's columns (recognised by name as in the files),
    cells as text (or values Spark gives as Python objects). ``row_id``: a
    unique long per row; added with ``monotonically_increasing_id`` when the
    column is absent. ``src_row``: an optional column with the row number to
    show in messages (default: row id + 2). ``buckets``: identity-hash
    partitions; each is one pandas call and must fit in a worker's memory.
    """
    from pyspark.sql import functions as F

    params = params or Params()
    if row_id not in df_spark.columns:
        df_spark = df_spark.withColumn(row_id, F.monotonically_increasing_id())
    names = [c for c in df_spark.columns if c not in (row_id, src_row)]
    columns = list_columns(names)
    used = list(dict.fromkeys(columns.values()))
    card_schema = _card_schema()

    def prepare(batches):
        for pdf in batches:
            ids = pdf[row_id].to_numpy(dtype="int64")
            data = pdf[used].set_axis(ids, axis=0)
            cards, _ = prepare_cards(data, columns, _src_rows(pdf, row_id, src_row), params)
            key = identity_keys(cards)["identity_key"]
            bucket = bucket_of(key, cards["valid"].to_numpy(dtype=bool), ids, buckets)
            out = cards.assign(row_id=ids, bucket=bucket.astype("int32"))
            yield _plain(out[card_schema.fieldNames()].reset_index(drop=True))

    def review(pdf: pd.DataFrame) -> pd.DataFrame:
        pdf = _restore_cards(pdf.sort_values("row_id", kind="stable").reset_index(drop=True))
        ids = pdf["row_id"].to_numpy(dtype="int64")
        result = review_cards(pdf[CARD_COLUMNS].set_axis(ids, axis=0), params)
        rows = result.rows
        part_rows = pd.DataFrame({"part": "row", "row_id": ids, "src_row": pdf["src_row"].to_numpy()})
        for c in ROW_COLUMNS:
            part_rows[c] = rows[c].to_numpy()
        for c in ("dup_from", "dup_to"):
            part_rows[c] = part_rows[c].astype("datetime64[ns]")
        by = result.by_year
        part_year = pd.DataFrame({"part": "year", "row_id": by["row"].to_numpy(), "src_row": by["src_row"].to_numpy()})
        for c in BY_YEAR_COLUMNS[2:]:
            part_year[c] = by[c].to_numpy()
        return _plain(pd.concat([part_rows, part_year], ignore_index=True).reindex(columns=list(_OUT_TYPES)))

    def col(name: str):
        return F.col("`" + name.replace("`", "``") + "`")

    picked = [row_id, *([src_row] if src_row else []), *used]
    cards = df_spark.select(*map(col, picked)).mapInPandas(prepare, schema=card_schema)
    # computed once for both the verdicts and the detail (MEMORY_AND_DISK)
    out = cards.groupBy("bucket").applyInPandas(review, schema=_out_schema()).cache()
    rows = out.filter(F.col("part") == "row").select("row_id", "src_row", *ROW_COLUMNS)
    by_year = out.filter(F.col("part") == "year").select(
        F.col("row_id").alias("row"), "src_row", "card_no", "group_code", "group_rank", "group_name", "year",
        "months_exact", "months", "money", "budget")
    return SparkReview(rows, by_year, cards, params, df_spark, columns, row_id, src_row)
