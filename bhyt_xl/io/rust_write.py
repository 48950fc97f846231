"""The fast writer of a large review's workbook: rust_xlsxwriter, through rvgsrust-xlsxwriter.

XlsxWriter spends Python time on every cell: the ~110,000 flagged rows and
~74,000 per-year rows of a million-row list take it ~14 s. rust_xlsxwriter
(the Rust port of XlsxWriter by XlsxWriter's author) takes a pandas frame
through Arrow and writes the same sheets in ~3 s (``bench/writers_bench.py``,
``bench/review_bench.py``). It writes the review workbook of a list longer
than :data:`~bhyt_xl.api.FAST_WRITE_MIN_ROWS` (20,000; at 100,000 rows,
every row in "Kết quả", writing takes 1.8 s instead of 9.1 s); shorter
lists, reports and the template are written by XlsxWriter.

:class:`RustSheetWriter` draws the same layout as
:class:`~bhyt_xl.io.write.SheetWriter` (intro lines, header style and height,
column widths and formats, bold rows, frozen header, filter, dropdowns, the
"Tham số" blocks); ``tests/test_rust_write.py`` reads both workbooks back
and compares them cell by cell. Dates are written as Excel serial numbers
with the dd/mm/yyyy format, as XlsxWriter does.

Anything the fast writer cannot write exactly (a date before 01/03/1900,
a cell it refuses) raises :class:`FastWriteUnsupported` before or while
writing; the caller then writes the whole workbook with XlsxWriter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from bhyt_xl.io.write import _FIRST_PLAIN_SERIAL, SheetWriter, _cells, _excel_serials

#: Frames of at most this many rows are written cell by cell (also the way for bold rows
#: and mixed columns); longer ones go through Arrow in one call.
CELL_BY_CELL_MAX_ROWS = 2_000

#: The header row's height: 40 pixels = the 30 points ``SheetWriter`` sets.
HEADER_HEIGHT_PIXELS = 40


class FastWriteUnsupported(Exception):
    """The fast writer cannot write this workbook exactly; write it with XlsxWriter."""


def available() -> bool:
    """Whether rvgsrust-xlsxwriter can be imported here."""
    try:
        import rvgsrust_xlsxwriter  # noqa: F401
    except ImportError:
        return False
    return True


def new_workbook(path: Path):
    import rvgsrust_xlsxwriter as rv

    wb = rv.Workbook(str(path))
    wb.set_properties(title="Kết quả rà soát thẻ BHYT", author="bhyt-xl")
    return wb


class RustSheetWriter(SheetWriter):
    """:class:`~bhyt_xl.io.write.SheetWriter` on a rust_xlsxwriter workbook: ``frame`` and ``blocks`` are
    SheetWriter's (so are its column formats), through the cell-level calls below."""

    def __init__(self, workbook):
        self.wb = workbook

        def fmt():
            return workbook.add_format()

        self.fmt = {
            "header": fmt().set_bold().set_text_wrap().set_vertical_align("vcenter").set_align("center")
            .set_background_color("#DDEBF7").set_border("thin"),
            "title": fmt().set_bold().set_font_size(12),
            "date": fmt().set_num_format("dd/mm/yyyy"),
            "money": fmt().set_num_format("#,##0"),
            "months": fmt().set_num_format("#,##0.00"),
            "bold": fmt().set_bold(),
            "bold_money": fmt().set_bold().set_num_format("#,##0"),
            "bold_months": fmt().set_bold().set_num_format("#,##0.00"),
        }

    # ------------------------------------------------------------------ SheetWriter's cell-level calls
    def _rows(self, ws, first: int, frame: pd.DataFrame, formats: list, bold_rows: np.ndarray | None) -> None:
        """A long frame without bold rows through Arrow in one call; others cell by cell."""
        if bold_rows is None and len(frame) > CELL_BY_CELL_MAX_ROWS:
            arrow_frame = _arrow_ready(frame)
            column_formats = {key: f for key, f in zip(arrow_frame.columns, formats) if f is not None}
            try:
                ws.write_dataframe(first, 0, arrow_frame, write_header=False, column_formats=column_formats)
            except (ValueError, TypeError, OverflowError) as exc:
                raise FastWriteUnsupported(f"{ws.name}: {exc}") from exc
            return
        bold_formats = self.bold_formats(frame) if bold_rows is not None else formats
        for i, row in enumerate(_cells(frame)):
            fmts = bold_formats if bold_rows is not None and bold_rows[i] else formats
            for j, v in enumerate(row):
                if v is None or v == "" and fmts[j] is None:
                    continue
                self._write(ws, first + i, j, v, fmts[j])

    def _sheet(self, name: str, long: bool = False):
        return self.wb.add_worksheet(name, constant_memory=long)

    def _text(self, ws, r: int, j: int, text: str, fmt) -> None:
        self._write(ws, r, j, text, fmt)

    def _value(self, ws, r: int, j: int, v, fmt) -> None:
        self._write(ws, r, j, v, fmt)

    def _header_height(self, ws, r: int) -> None:
        # 40 pixels is XlsxWriter's 30 points (ht="30" in the sheet XML, the same bytes); set in points,
        # rvgsrust-xlsxwriter 0.3.5's close takes twice as long on a long sheet (measured: 110,978 rows
        # × 25 columns, 3.6 s instead of 1.6 s, all of it in zlib).
        ws.set_row_height_pixels(r, HEADER_HEIGHT_PIXELS)

    def _column(self, ws, j: int, width: int, fmt=None) -> None:
        ws.set_column_width(j, width)
        if fmt is not None:
            ws.set_column_format(j, fmt)

    def _dropdown(self, ws, first: int, j: int, last: int, allowed: tuple[str, ...]) -> None:
        import rvgsrust_xlsxwriter as rv

        dv = rv.DataValidation()
        dv.allow_list_strings(list(allowed))
        dv.set_error_style("stop")
        dv.set_error_title("Giá trị không hợp lệ")
        dv.set_error_message("Chọn một trong: " + " / ".join(allowed))
        ws.add_data_validation(first, j, last, j, dv)

    def _write(self, ws, r: int, j: int, v, f) -> None:
        """One cell; dates as serial numbers with the date format (XlsxWriter's form)."""
        if isinstance(v, (dt.datetime, dt.date)):
            if not isinstance(v, dt.datetime):
                v = dt.datetime(v.year, v.month, v.day)
            serial = float(_excel_serials(np.array([v], dtype="datetime64[us]"))[0])
            if serial < _FIRST_PLAIN_SERIAL:
                raise FastWriteUnsupported(f"date before 01/03/1900 at row {r + 1}")
            v, f = serial, f if f is not None else self.fmt["date"]
        elif isinstance(v, str) and v == "" and f is None:
            return
        try:
            ws.write(r, j, v, f)
        except (ValueError, TypeError, OverflowError) as exc:
            raise FastWriteUnsupported(f"row {r + 1}, column {j + 1}: {exc}") from exc


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as rust_xlsxwriter's Arrow path takes it, or :class:`FastWriteUnsupported`.

    Columns are renamed to their positions (labels may repeat); dates become
    Excel serial numbers (the date format is the column's); empty text is
    left out as XlsxWriter leaves it; a mixed object column is refused.
    """
    out = {}
    for j in range(frame.shape[1]):
        s = frame.iloc[:, j]
        key = f"c{j}"
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            if getattr(s.dt, "tz", None) is not None:
                raise FastWriteUnsupported("time-zone dates")
            serial = _excel_serials(s.to_numpy())
            if np.any(serial[~np.isnan(serial)] < _FIRST_PLAIN_SERIAL):
                raise FastWriteUnsupported("date before 01/03/1900")
            out[key] = serial
        elif isinstance(s.dtype, pd.StringDtype) or s.dtype == object:
            if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
                raise FastWriteUnsupported(f"mixed column {s.name!r}")
            text = s.astype("str") if s.dtype == object else s
            out[key] = text.where(text != "", None).array
        elif s.dtype.kind in "fiub" or isinstance(s.dtype, (pd.Int64Dtype, pd.Float64Dtype, pd.BooleanDtype)):
            out[key] = s.to_numpy() if s.dtype.kind in "fiub" else s.array
        else:
            raise FastWriteUnsupported(f"column {s.name!r} of type {s.dtype}")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
