"""Writing result workbooks with XlsxWriter, atomically.

The workbook is written to a temporary file in the destination folder and
renamed into place only when complete, so an older output is never left
half-overwritten. The input file is never opened for writing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bhyt_xl.errors import OutputError

FIXED_CREATED = dt.datetime(2013, 1, 30)  # CV 493's date: deterministic file metadata
MAX_COL_WIDTH = 60


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        raise OutputError(f"Thư mục '{folder}' không tồn tại; hãy chọn nơi lưu khác.")
    prefix = f".~{path.stem}-"
    for stale in folder.glob(f"{glob.escape(prefix)}*{glob.escape(path.suffix)}"):
        with contextlib.suppress(OSError):  # a temporary file left by a run that was killed
            stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, path)
        except PermissionError:
            raise OutputError(
                f"Không ghi được '{path.name}': tệp đang mở trong Excel hoặc bị khóa. "
                f"Hãy đóng tệp, hoặc ghi ra tên khác, ví dụ '{path.stem}_moi{path.suffix}'."
            ) from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def ensure_replaceable(*paths: str | os.PathLike) -> None:
    """Stop before any rename if an existing output is locked (open in Excel on Windows).

    Used when several outputs are renamed into place together, so that a
    locked file stops the run before any of them is replaced. Opening for
    append changes nothing; on Windows it fails while Excel holds the file.
    """
    for path in map(Path, paths):
        if not path.exists():
            continue
        try:
            with open(path, "ab"):
                pass
        except PermissionError:
            raise OutputError(
                f"Không ghi được '{path.name}': tệp đang mở trong Excel hoặc bị khóa. "
                f"Hãy đóng tệp rồi chạy lại, hoặc ghi ra tên khác."
            ) from None


class SheetWriter:
    """Writes frames and block stacks into an XlsxWriter workbook with the house style."""

    def __init__(self, workbook):
        self.wb = workbook
        self.fmt = {
            "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                                           "bg_color": "#DDEBF7", "border": 1}),
            "title": workbook.add_format({"bold": True, "font_size": 12}),
            "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
            "money": workbook.add_format({"num_format": "#,##0"}),
            "months": workbook.add_format({"num_format": "#,##0.00"}),
            "int": workbook.add_format({"num_format": "0"}),
            "bold": workbook.add_format({"bold": True}),
            "bold_money": workbook.add_format({"bold": True, "num_format": "#,##0"}),
            "bold_months": workbook.add_format({"bold": True, "num_format": "#,##0.00"}),
        }

    def column_format(self, name: str, series: pd.Series, bold: bool = False):
        prefix = "bold_" if bold else ""
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            return self.fmt["date"]
        if "(đồng)" in name or "(đồng/tháng)" in name:
            return self.fmt[prefix + "money"]
        if name.startswith("Số tháng"):
            return self.fmt[prefix + "months"]
        return None

    def frame(self, name: str, frame: pd.DataFrame, bold_rows: np.ndarray | None = None,
              intro: tuple[str, ...] = (), choices: dict[str, tuple[str, ...]] | None = None):
        """One sheet: header row (frozen, filterable), then the rows; readable widths.

        ``intro``: lines of text above the header (first one bold).
        ``choices``: column -> allowed values, a dropdown on that column's
        cells (the rows written and some empty ones below).
        """
        bold_rows = None if bold_rows is None or not np.any(bold_rows) else np.asarray(bold_rows, dtype=bool)
        cols = list(map(str, frame.columns))
        formats = [self.column_format(c, frame[c]) for c in cols]
        ws = self._sheet(name, long=True)
        for i, line in enumerate(intro):
            self._text(ws, i, 0, line, self.fmt["bold"] if i == 0 else None)
        top = len(intro) + 1 if intro else 0
        self._header_height(ws, top)
        for j, col in enumerate(cols):
            self._text(ws, top, j, col, self.fmt["header"])
        for j, (col, f) in enumerate(zip(cols, formats)):
            self._column(ws, j, _width(col, frame[col]), f)
        self._rows(ws, top + 1, frame, formats, bold_rows)
        ws.freeze_panes(top + 1, 0)
        if cols:
            ws.autofilter(top, 0, top + max(len(frame), 1), len(cols) - 1)
        for col, allowed in (choices or {}).items():
            self._dropdown(ws, top + 1, cols.index(col), top + max(len(frame), 1) + 100, allowed)
        return ws

    def _rows(self, ws, first: int, frame: pd.DataFrame, formats: list, bold_rows: np.ndarray | None) -> None:
        """The frame's rows from sheet row ``first``: one write call per column type, bold rows cell by cell."""
        bold_cells = None
        if bold_rows is not None:
            bold_formats = self.bold_formats(frame)
            bold_cells = iter(_cells(frame[bold_rows]))
        plan = [_column_plan(ws, frame.iloc[:, j], f) for j, f in enumerate(formats)]
        writers = [p[0] for p in plan]
        columns = range(frame.shape[1])
        for i, row in enumerate(zip(*(p[1] for p in plan))):
            r = first + i
            if bold_rows is not None and bold_rows[i]:
                for j, v in enumerate(next(bold_cells)):
                    if v is not None:
                        ws.write(r, j, v, bold_formats[j])
                continue
            for write, j, v in zip(writers, columns, row):
                if v is not None:
                    write(r, j, v)

    def bold_formats(self, frame: pd.DataFrame) -> list:
        """The formats of a bold row's cells, column by column (dates keep the plain date format)."""
        return [self.column_format(str(c), frame[c], bold=True) or self.fmt["bold"] for c in frame.columns]

    def blocks(self, name: str, blocks: list[tuple[str, pd.DataFrame]], intro: list[str] = ()):
        """A sheet of stacked blocks: title, header, rows, empty row (the "Tham số" layout)."""
        ws = self._sheet(name)
        r = 0
        for line in intro:
            self._text(ws, r, 0, line, self.fmt["bold"])
            r += 1
        if intro:
            r += 1
        widths: dict[int, int] = {}
        for title, frame in blocks:
            self._text(ws, r, 0, title, self.fmt["title"])
            r += 1
            for j, col in enumerate(frame.columns):
                self._text(ws, r, j, str(col), self.fmt["header"])
                widths[j] = max(widths.get(j, 8), _width(str(col), frame[col]))
            r += 1
            formats = [self.column_format(str(c), frame[c]) for c in frame.columns]
            for row in _cells(frame):
                for j, v in enumerate(row):
                    if v is not None:
                        self._value(ws, r, j, v, self.fmt["date"] if isinstance(v, (dt.datetime, dt.date)) else formats[j])
                r += 1
            r += 1
        for j, w in widths.items():
            self._column(ws, j, w)
        return ws

    # The cell-level calls of ``frame`` and ``blocks``, which a writer on another library overrides.
    def _sheet(self, name: str, long: bool = False):
        """A new sheet; ``long``: one of ``frame``'s (XlsxWriter's workbook is in constant-memory mode already)."""
        return self.wb.add_worksheet(name)

    def _text(self, ws, r: int, j: int, text: str, fmt) -> None:
        ws.write_string(r, j, text, fmt)

    def _value(self, ws, r: int, j: int, v, fmt) -> None:
        if isinstance(v, (dt.datetime, dt.date)):
            ws.write_datetime(r, j, v, fmt)
        else:
            ws.write(r, j, v, fmt)

    def _header_height(self, ws, r: int) -> None:
        ws.set_row(r, 30)

    def _column(self, ws, j: int, width: int, fmt=None) -> None:
        ws.set_column(j, j, width, fmt)

    def _dropdown(self, ws, first: int, j: int, last: int, allowed: tuple[str, ...]) -> None:
        ws.data_validation(first, j, last, j, {
            "validate": "list", "source": list(allowed), "error_type": "stop",
            "error_title": "Giá trị không hợp lệ", "error_message": "Chọn một trong: " + " / ".join(allowed)})


def new_workbook(path: Path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "default_date_format": "dd/mm/yyyy", "strings_to_numbers": False,
         "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": FIXED_CREATED, "title": "Kết quả rà soát thẻ BHYT", "author": "bhyt-xl"})
    return wb


def _cells(frame: pd.DataFrame) -> list[list[object]]:
    """Rows of Python values ready for XlsxWriter (None for blanks, datetimes for dates)."""
    cols = []
    for name in frame.columns:
        s = frame[name]
        arr = s.astype(object).to_numpy(copy=True)
        arr[pd.isna(s).to_numpy()] = None
        if s.dtype == object or pd.api.types.is_datetime64_any_dtype(s.dtype):
            arr = np.array([_plain(v) for v in arr], dtype=object) if len(arr) else arr
        cols.append(arr)
    if not cols:
        return []
    return [list(row) for row in zip(*cols)]


#: Excel's day 0 is 1899-12-31; serials from day 60 on count the nonexistent 29/02/1900.
_EXCEL_EPOCH_US = np.datetime64("1899-12-31", "us").astype("int64")
_DAY_US = 86_400_000_000
_FIRST_PLAIN_SERIAL = 61  # 01/03/1900: from here on a serial is simply days since 30/12/1899


def _column_plan(ws, s: pd.Series, column_format):
    """How one column is written fast: ``(write(row, col, value), values)``, None values skipped.

    A cell written without a format takes its column's format (set by
    ``set_column``), so the output equals writing every cell with
    ``column_format``. Text goes through ``write_string`` (no type dispatch),
    numbers and dates through ``write_number`` (dates as Excel serials computed
    in numpy); blanks are skipped. Anything else (mixed object columns, nullable
    integers, booleans, text in a formatted column) goes through ``write`` with
    the column's format, cell by cell, exactly as before.
    """
    write_string = getattr(ws, "_write_string", ws.write_string)  # undecorated: no A1-notation check
    write_number = getattr(ws, "_write_number", ws.write_number)
    missing = pd.isna(s).to_numpy()
    if pd.api.types.is_datetime64_any_dtype(s.dtype) and getattr(s.dt, "tz", None) is None:
        serial = _excel_serials(s.to_numpy())
        odd = ~missing & (serial < _FIRST_PLAIN_SERIAL)  # before 01/03/1900: let XlsxWriter convert
        if not odd.any():
            values = np.array(serial.tolist(), dtype=object)
            values[missing] = None
            return write_number, values.tolist()
    elif s.dtype.kind in "fiu" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        values = np.array(s.to_numpy().tolist(), dtype=object)
        values[missing] = None
        return write_number, values.tolist()
    elif isinstance(s.dtype, pd.StringDtype) and column_format is None:
        values = s.to_numpy(dtype=object, na_value=None)
        values[values == ""] = None  # an empty string with no format writes nothing
        return write_string, values.tolist()
    values = s.astype(object).to_numpy(copy=True)
    values[missing] = None
    values = [None if v is None else _plain(v) for v in values]

    def write(r, j, v, _write=ws.write, _format=column_format):
        _write(r, j, v, _format)

    return write, values


def _excel_serials(values: np.ndarray) -> np.ndarray:
    """Excel serial numbers of datetime64 values, computed as XlsxWriter does (NaT gives NaN)."""
    us = values.astype("datetime64[us]").astype("int64") - _EXCEL_EPOCH_US
    days = us // _DAY_US
    rest = us - days * _DAY_US
    serial = days + ((rest // 1_000_000).astype("float64") + (rest % 1_000_000) / 1e6) / (60 * 60 * 24)
    serial = np.where(serial > 59, serial + 1, serial)
    return np.where(np.isnat(values), np.nan, serial)


def _plain(value):
    """Values an object column may hold -> what XlsxWriter can write."""
    if value is None or isinstance(value, (str, int, float, bool, dt.datetime, dt.date)):
        if isinstance(value, float) and np.isnan(value):
            return None
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return str(value)


def _width(name: str, series: pd.Series) -> int:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return max(12, min(len(name) + 2, 20))
    sample = [len(str(v)) for v in series.head(200) if not (v is None or (isinstance(v, float) and np.isnan(v)))]
    longest = max(sample, default=0)
    return int(min(MAX_COL_WIDTH, max(8, len(name) * 0.9 + 2, longest + 2)))
