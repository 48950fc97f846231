"""The fast writer of a large list's workbook (rust_xlsxwriter) draws exactly what XlsxWriter draws.

Both workbooks of one review are read back with openpyxl and compared cell
by cell: value, number format, bold, column widths, header height, frozen
panes, filter range, dropdowns, sheet order. The large-list layout is forced
on the bundled sample with ``full_sheet_max_rows``; the Arrow path (long
frames) and the cell-by-cell path (short frames, bold rows, "Tham số") are
both exercised. Whatever the fast writer cannot write exactly (a date before
1900, a mixed column) is written by XlsxWriter instead.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bhyt_xl import api
from bhyt_xl.api import review_file, write_review
from bhyt_xl.io import rust_write
from bhyt_xl.params import Params

SAMPLE = Path(__file__).resolve().parents[1] / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"

pytestmark = pytest.mark.skipif(not rust_write.available(), reason="rvgsrust-xlsxwriter not installed")


@pytest.fixture(scope="module")
def review():
    return review_file(SAMPLE, Params(find_suspects=True))


def _snapshot(path: Path) -> dict:
    """Everything staff see of a workbook, as plain data."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells[c.coordinate] = (c.value, c.number_format, bool(c.font.b), c.fill.fgColor.rgb
                                           if c.fill.fill_type else None, c.alignment.wrap_text or False)
        widths = {k: round(d.width, 2) for k, d in ws.column_dimensions.items() if d.width}
        heights = {k: d.height for k, d in ws.row_dimensions.items() if d.height}
        validations = sorted((str(v.sqref), v.type, v.formula1, v.errorTitle, v.error)
                             for v in ws.data_validations.dataValidation)
        out[ws.title] = {"cells": cells, "widths": widths, "heights": heights, "freeze": ws.freeze_panes,
                         "filter": ws.auto_filter.ref, "validations": validations,
                         "max": (ws.max_row, ws.max_column)}
    return out


def _both(review, tmp_path: Path, **kw) -> tuple[dict, dict]:
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    fast.mkdir()
    slow.mkdir()
    write_review(review, fast / "ket_qua.xlsx", full_sheet_max_rows=10, fast=True, **kw)
    write_review(review, slow / "ket_qua.xlsx", full_sheet_max_rows=10, fast=False, **kw)
    return _snapshot(fast / "ket_qua.xlsx"), _snapshot(slow / "ket_qua.xlsx")


def _assert_same(a: dict, b: dict) -> None:
    assert a["sheets"] == b["sheets"]
    for name in b["sheets"]:
        for part in ("max", "freeze", "filter", "validations", "heights", "widths"):
            assert a[name][part] == b[name][part], (name, part)
        diff = {k: (a[name]["cells"].get(k), v) for k, v in b[name]["cells"].items() if a[name]["cells"].get(k) != v}
        extra = set(a[name]["cells"]) - set(b[name]["cells"])
        assert not diff and not extra, (name, list(diff.items())[:5], sorted(extra)[:5])


def test_arrow_path_equals_xlsxwriter(review, tmp_path, monkeypatch):
    monkeypatch.setattr(rust_write, "CELL_BY_CELL_MAX_ROWS", 0)  # every frame without bold rows through Arrow
    calls = []
    real = rust_write.RustSheetWriter.frame
    monkeypatch.setattr(rust_write.RustSheetWriter, "frame",
                        lambda self, name, frame, **kw: calls.append(name) or real(self, name, frame, **kw))
    fast, slow = _both(review, tmp_path)
    assert "Kết quả" in calls and "Nghi trùng" in calls  # the fast writer really wrote them
    assert len(fast["Kết quả"]["cells"]) > 3000
    assert fast["Nghi trùng"]["validations"]  # the Trùng / Không trùng dropdown
    _assert_same(fast, slow)


def test_cell_path_equals_xlsxwriter(review, tmp_path):
    fast, slow = _both(review, tmp_path)  # the sample's frames are short: written cell by cell
    _assert_same(fast, slow)
    summary = fast["Tổng hợp"]["cells"]
    assert any(v[2] for v in summary.values())  # the year and total rows are bold


def test_values_and_types_survive(review, tmp_path, monkeypatch):
    monkeypatch.setattr(rust_write, "CELL_BY_CELL_MAX_ROWS", 0)
    out = tmp_path / "ket_qua.xlsx"
    write_review(review, out, full_sheet_max_rows=10)
    ws = openpyxl.load_workbook(out)["Kết quả"]
    header = [c.value for c in ws[5]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6)]
    dup = [r for r in rows if r[header.index("Kết luận")] == "Cấp trùng"]
    assert dup
    frame = review.sheets()["Kết quả"]
    want = frame[frame["Kết luận"] == "Cấp trùng"].iloc[0]
    got = dict(zip(header, dup[0]))
    assert got["Mã thẻ"] == want["Mã thẻ"]
    assert got["Trùng từ ngày"] == want["Trùng từ ngày"].to_pydatetime()
    assert got["Số tiền trùng (đồng)"] == pytest.approx(want["Số tiền trùng (đồng)"])
    assert ws.cell(6 + rows.index(dup[0]), header.index("Trùng từ ngày") + 1).number_format == "dd/mm/yyyy"


def _frame_file(tmp_path: Path, frame: pd.DataFrame, fast: bool) -> dict:
    path = tmp_path / f"{'fast' if fast else 'slow'}.xlsx"
    api._write_workbook_file(path, {"Kết quả": frame}, Params(), "x.xlsx", fast=fast)
    return _snapshot(path)


def test_date_before_1900_falls_back_to_xlsxwriter(tmp_path, monkeypatch):
    monkeypatch.setattr(rust_write, "CELL_BY_CELL_MAX_ROWS", 0)
    frame = pd.DataFrame({"Mã thẻ": ["A1", "A2"],
                          "Ngày": pd.to_datetime(["1899-05-01", "2012-01-01"]).astype("datetime64[ms]")})
    with pytest.raises(rust_write.FastWriteUnsupported):
        rust_write._arrow_ready(frame)
    _assert_same(_frame_file(tmp_path, frame, True), _frame_file(tmp_path, frame, False))


def test_mixed_column_falls_back_to_xlsxwriter(tmp_path, monkeypatch):
    monkeypatch.setattr(rust_write, "CELL_BY_CELL_MAX_ROWS", 0)
    frame = pd.DataFrame({"Ngày sinh": pd.Series(["1935", dt.datetime(1930, 4, 1), 1936, None], dtype=object),
                          "Số tiền trùng (đồng)": [1.0, np.nan, 3.0, 4.0]})
    with pytest.raises(rust_write.FastWriteUnsupported):
        rust_write._arrow_ready(frame)
    fast = _frame_file(tmp_path, frame, True)
    _assert_same(fast, _frame_file(tmp_path, frame, False))
    assert fast["Kết quả"]["cells"]["A3"][0] == dt.datetime(1930, 4, 1)


def test_arrow_ready_columns(monkeypatch):
    frame = pd.DataFrame({
        "a": pd.array(["x", "", None], dtype="str"),
        "a ": np.array(["y", None, "z"], dtype=object),
        "n": pd.array([1, None, 3], dtype="Int64"),
        "d": pd.to_datetime(["2012-01-01", None, "2013-02-03"]).astype("datetime64[s]"),
    }, index=[7, 3, 9])
    ready = rust_write._arrow_ready(frame)
    assert list(ready.columns) == ["c0", "c1", "c2", "c3"]
    assert ready["c0"].isna().tolist() == [False, True, True]  # empty text is left out, as XlsxWriter does
    assert ready["c1"].tolist()[0] == "y" and ready["c1"].tolist()[2] == "z"  # no index alignment
    assert ready["c3"].iloc[0] == 40909.0 and np.isnan(ready["c3"].iloc[1])  # 01/01/2012 as Excel's serial


def test_big_list_opens_in_libreoffice(review, tmp_path, monkeypatch):
    from tests.test_libreoffice import SOFFICE, convert

    if SOFFICE is None and os.environ.get("CI") != "true":
        pytest.skip("LibreOffice not installed (CI installs it)")
    monkeypatch.setattr(rust_write, "CELL_BY_CELL_MAX_ROWS", 0)
    out = tmp_path / "ket_qua.xlsx"
    write_review(review, out, full_sheet_max_rows=10)
    csv = convert(out, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path)
    text = csv.read_text(encoding="utf-8")
    assert "Kết luận" in text and text.count("Cấp trùng") >= 14


def test_every_row_workbook_of_a_longer_list_equals_xlsxwriter(review, tmp_path, monkeypatch):
    """Lists over FAST_WRITE_MIN_ROWS that still fit the sheet (every row in "Kết quả") take the fast writer too."""
    monkeypatch.setattr(api, "FAST_WRITE_MIN_ROWS", 10)
    monkeypatch.setattr(rust_write, "CELL_BY_CELL_MAX_ROWS", 0)
    calls = []
    real = rust_write.RustSheetWriter.frame
    monkeypatch.setattr(rust_write.RustSheetWriter, "frame",
                        lambda self, name, frame, **kw: calls.append((name, len(frame))) or real(self, name, frame, **kw))
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    write_review(review, tmp_path / "fast" / "ket_qua.xlsx")
    write_review(review, tmp_path / "slow" / "ket_qua.xlsx", fast=False)
    assert ("Kết quả", len(review.table.data)) in calls
    assert not (tmp_path / "fast" / "ket_qua_day_du.csv").exists()
    _assert_same(_snapshot(tmp_path / "fast" / "ket_qua.xlsx"), _snapshot(tmp_path / "slow" / "ket_qua.xlsx"))
