"""The full annotated list of a large review as CSV and parquet beside the workbook.

Writing every row of a very large list into the workbook costs minutes
(XlsxWriter spends Python time on each cell; see ``bench/writers_bench.py``).
Above ``FULL_SHEET_MAX_ROWS`` rows the workbook's "Kết quả" sheet keeps only
the flagged rows, and the complete "Kết quả" frame (every input row, same
columns) goes to ``<output stem>_day_du.csv`` and ``<output stem>_day_du.parquet``:

- CSV: UTF-8 with BOM (so Excel shows Vietnamese text), comma-separated,
  dates as dd/mm/yyyy, codes as written (leading zeros kept), blanks empty;
- parquet: text columns as strings, date columns as dates (date-times where a
  value has a time of day), numbers as numbers.

Both are written with pyarrow (C++), about a second each for a million rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bhyt_xl.core.review import DATA_ERROR, DUPLICATE, KEPT

#: Lists longer than this get the flagged rows in the workbook and the full list as CSV + parquet.
#: Measured (bench/review_bench.py, 2 shared cores): a 100,000-row .xlsx takes ~12 s from read to
#: written workbook, ~95 µs a row of it writing "Kết quả"; at 150,000 rows that is ~19 s, inside the
#: 25 s the issue allows a million rows, with room for a slower machine. Above it the flagged rows
#: (~11% of a list) and the CSV + parquet cost far less than the full sheet.
FULL_SHEET_MAX_ROWS = 150_000

#: Verdicts of the rows kept in a large list's "Kết quả" sheet.
FLAGGED_VERDICTS = (DUPLICATE, KEPT, DATA_ERROR)

CSV_SUFFIX = "_day_du.csv"
PARQUET_SUFFIX = "_day_du.parquet"
DATE_TEXT = "%d/%m/%Y"


def full_list_paths(output: str | Path) -> tuple[Path, Path]:
    """``<output stem>_day_du.csv`` and ``<output stem>_day_du.parquet`` beside ``output``."""
    output = Path(output)
    return output.with_name(output.stem + CSV_SUFFIX), output.with_name(output.stem + PARQUET_SUFFIX)


def flagged_mask(verdicts) -> np.ndarray:
    """Rows whose verdict is Cấp trùng, Thẻ giữ lại or Lỗi dữ liệu."""
    return pd.Series(verdicts).isin(FLAGGED_VERDICTS).to_numpy(dtype=bool)


def note_lines(csv_path: Path, parquet_path: Path, shown: int, total: int) -> tuple[str, ...]:
    """The Vietnamese lines above a large list's "Kết quả" sheet (the first one, bold, says what is left out)."""
    return (
        f"Sheet này CHỈ liệt kê {_vn(shown)} dòng cần xem (Cấp trùng, Thẻ giữ lại, Lỗi dữ liệu) trong tổng số "
        f"{_vn(total)} dòng của danh sách; danh sách quá lớn để ghi hết vào bảng tính.",
        f"Danh sách đầy đủ (mọi dòng của tệp gốc kèm Kết luận và các cột kết quả) nằm trong hai tệp cạnh tệp này: "
        f"{csv_path.name} và {parquet_path.name}.",
        "Tệp CSV mở được bằng Excel; nếu Excel bỏ mất số 0 ở đầu các mã, hãy nhập tệp qua Dữ liệu (Data) → "
        "Từ Văn bản/CSV (From Text/CSV) và chọn kiểu Văn bản (Text) cho các cột mã. Tệp parquet dùng cho Power BI, "
        "Python, R.",
    )


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# --------------------------------------------------------------------------- arrow conversion
def _column_array(s: pd.Series, dates_as_text: bool) -> pa.Array:
    """One column as an Arrow array: text, numbers, dates (or dd/mm/yyyy text for CSV)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        arr = pa.Array.from_pandas(s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s)
        if dates_as_text:
            return _date_text(arr)
        return _as_date_if_whole_days(arr)
    if s.dtype == object:
        values = s.to_numpy()
        if all(v is None or isinstance(v, str) or _is_nan(v) for v in values):
            return pa.array([None if v is None or _is_nan(v) else v for v in values], type=pa.large_string())
        return pa.array([_text(v) for v in values], type=pa.large_string())  # mixed cells: as shown in Excel
    try:
        return pa.Array.from_pandas(s)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array([_text(v) for v in s.astype(object)], type=pa.large_string())


def _as_date_if_whole_days(arr: pa.Array) -> pa.Array:
    """A timestamp column whose values are all midnights as a date column."""
    days = pc.cast(arr, pa.date32())
    back = pc.cast(days, arr.type)
    if pc.all(pc.or_kleene(pc.is_null(arr), pc.equal(arr, back))).as_py() in (True, None):
        return days
    return arr


def _date_text(arr: pa.Array) -> pa.Array:
    """dd/mm/yyyy; dd/mm/yyyy HH:MM:SS where a value has a time of day.

    Each distinct value is formatted once (a list holds a few thousand
    distinct dates): strftime over a million values takes a second a column.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    days = pc.cast(pc.cast(arr, pa.date32()), arr.type)
    has_time = pc.any(pc.fill_null(pc.not_equal(arr, days), False)).as_py()
    encoded = pc.dictionary_encode(arr)
    distinct = encoded.dictionary
    text = pc.strftime(distinct, format=DATE_TEXT)
    if has_time:
        whole = pc.equal(distinct, pc.cast(pc.cast(distinct, pa.date32()), distinct.type))
        seconds = pc.cast(distinct, pa.timestamp("s"), safe=False)  # %S of a finer unit prints a fraction
        text = pc.if_else(whole, text, pc.strftime(seconds, format=DATE_TEXT + " %H:%M:%S"))
    return pc.take(text, encoded.indices)


def _is_nan(v) -> bool:
    return isinstance(v, float) and v != v or v is pd.NaT or v is pd.NA


def _text(v) -> str | None:
    """A cell of a mixed column as text, the way staff read it in the workbook."""
    if v is None or _is_nan(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v.strftime(DATE_TEXT if v.time() == dt.time() else DATE_TEXT + " %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime(DATE_TEXT)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, np.generic):
        return str(v.item())
    return str(v)


def arrow_table(frame: pd.DataFrame, dates_as_text: bool = False) -> pa.Table:
    """The frame as an Arrow table with the frame's column names (which may repeat)."""
    names = [str(c) for c in frame.columns]
    arrays = [_column_array(frame.iloc[:, j], dates_as_text) for j in range(frame.shape[1])]
    return pa.Table.from_arrays(arrays, names=names)


# --------------------------------------------------------------------------- writers
def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """CSV for Excel: UTF-8 with BOM, comma-separated, header row, dates dd/mm/yyyy, blanks empty."""
    import pyarrow.csv as pacsv

    path = Path(path)
    table = arrow_table(frame, dates_as_text=True)
    with open(path, "wb") as fh:
        fh.write("\ufeff".encode("utf-8"))
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=True, delimiter=","))
    return path


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Parquet (zstd): strings, dates, numbers; readable by pandas, polars, Power BI, R."""
    import pyarrow.parquet as pq

    path = Path(path)
    pq.write_table(arrow_table(frame), path, compression="zstd")
    return path


def write_full_list(frame: pd.DataFrame, csv_path: str | Path, parquet_path: str | Path) -> None:
    """Both files of the full list (to the paths given: temporary files of :func:`~bhyt_xl.io.write.atomic_path`)."""
    write_csv(frame, csv_path)
    write_parquet(frame, parquet_path)
