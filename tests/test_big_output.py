"""A list above the full-sheet limit: flagged rows in the workbook, the full list as CSV and parquet beside it."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from bhyt_xl.api import full_list_files, review_file, review_table, write_review
from bhyt_xl.cli import main
from bhyt_xl.errors import OutputError
from bhyt_xl.io import big_output, sheets

from conftest import table_from_text

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"
FLAGGED = ("Cấp trùng", "Thẻ giữ lại", "Lỗi dữ liệu")

CODES = """
Mã thẻ | Họ và tên | Ngày sinh | Giới tính | Địa chỉ | Mã đối tượng | Ngày cấp | Từ ngày | Đến ngày | Ngày thu hồi | Mã KCB
CC2790012345678 | Nguyễn Thị Hoà | 03/04/1950 | Nữ | Thôn Đông, Xã Ninh Ích | CC | 01/01/2011 | 01/01/2011 | 31/12/2011 | | 01001
HN4790012345679 | Nguyễn Thị Hoà | 03/04/1950 | Nữ | Thôn Đông, Xã Ninh Ích | HN | 15/01/2011 | 01/02/2011 | 31/12/2011 | | 00123
HN4790012345670 | Trần Đức Ánh | 05/06/1960 | Nam | Tổ 3, Phường Lộc Thọ | HN | 01/01/2011 | 01/01/2011 | 31/12/2011 | | 007
HN4790012345671 | Lê Văn Ưng | 31/02/1960 | Nam | Tổ 4, Phường Lộc Thọ | HN | 01/01/2011 | 01/01/2011 | 31/12/2011 | | 0456
"""


@pytest.fixture(scope="module")
def sample_review():
    return review_file(SAMPLE)


def _cell(v):
    """A value as staff see it, for comparing a workbook cell with a frame cell."""
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)) or v == "":
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(v).to_pydatetime()
    if isinstance(v, (np.integer, np.floating)):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _sheet_rows(path: Path, name: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
    wb.close()
    return rows


def _frame_rows(frame: pd.DataFrame) -> list[list[object]]:
    return [[_cell(v) for v in row] for row in frame.astype(object).itertuples(index=False)]


def test_large_list_keeps_flagged_rows_in_the_workbook_and_every_row_beside_it(sample_review, tmp_path):
    full = sample_review.sheets()[sheets.SHEET_RESULT]
    out = tmp_path / "kq.xlsx"
    assert write_review(sample_review, out, full_sheet_max_rows=100) == out
    csv_path, parquet_path = tmp_path / "kq_day_du.csv", tmp_path / "kq_day_du.parquet"
    assert full_list_files(sample_review, out, 100) == (csv_path, parquet_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx", "kq_day_du.csv", "kq_day_du.parquet"]

    # the workbook: the note above the header, then exactly the flagged rows with every column
    rows = _sheet_rows(out, sheets.SHEET_RESULT)
    note = " ".join(str(r[0]) for r in rows[:3])
    assert "CHỈ liệt kê" in note and "kq_day_du.csv" in note and "kq_day_du.parquet" in note
    assert "3.039" in note
    header_at = next(i for i, r in enumerate(rows) if r[0] == full.columns[0])
    assert rows[header_at] == list(full.columns)
    flagged = full[full["Kết luận"].isin(FLAGGED)]
    assert len(flagged) == 194 + 170 + 5
    body = [[_cell(v) for v in r] for r in rows[header_at + 1:]]
    assert body == _frame_rows(flagged)
    assert {r[full.columns.get_loc("Kết luận")] for r in body} == set(FLAGGED)

    # the other sheets are complete
    expected = sample_review.sheets()
    for name in (sheets.SHEET_BY_YEAR, sheets.SHEET_SUMMARY, sheets.SHEET_PROBLEMS):
        assert len(_sheet_rows(out, name)) == len(expected[name]) + 1, name
    assert "Tham số" in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_full_list_csv_holds_every_row_as_text_for_excel(sample_review, tmp_path):
    full = sample_review.sheets()[sheets.SHEET_RESULT]
    out = tmp_path / "kq.xlsx"
    write_review(sample_review, out, full_sheet_max_rows=100)
    raw = (tmp_path / "kq_day_du.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    csv = pd.read_csv(tmp_path / "kq_day_du.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(csv.columns) == list(full.columns)
    assert len(csv) == len(full) == 3039
    for col in full.columns:
        s = full[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            expected = s.dt.strftime("%d/%m/%Y").fillna("")
            assert csv[col].tolist() == expected.tolist(), col
        elif pd.api.types.is_numeric_dtype(s.dtype):
            got = pd.to_numeric(csv[col].replace("", np.nan))
            assert np.allclose(got.to_numpy(float), s.to_numpy(float), equal_nan=True, rtol=0, atol=0), col
        else:
            assert csv[col].tolist() == s.fillna("").astype(str).tolist(), col
    assert "Nguyễn" in raw.decode("utf-8-sig")
    assert csv["Trùng từ ngày"].str.fullmatch(r"(\d\d/\d\d/\d{4})?").all()


def test_full_list_parquet_holds_every_row_with_types(sample_review, tmp_path):
    full = sample_review.sheets()[sheets.SHEET_RESULT]
    out = tmp_path / "kq.xlsx"
    write_review(sample_review, out, full_sheet_max_rows=100)
    table = pq.read_table(tmp_path / "kq_day_du.parquet")
    assert table.column_names == list(full.columns)
    assert str(table.schema.field("Trùng từ ngày").type) == "date32[day]"
    assert str(table.schema.field("Số tiền trùng (đồng)").type) == "double"
    back = table.to_pandas()
    assert len(back) == len(full)
    for col in full.columns:
        s = full[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            got = pd.Series(pd.to_datetime(back[col]).to_numpy("datetime64[s]"))
            assert got.equals(pd.Series(s.to_numpy("datetime64[s]"))), col
        elif pd.api.types.is_numeric_dtype(s.dtype):
            assert np.array_equal(back[col].to_numpy(float), s.to_numpy(float), equal_nan=True), col
        else:
            assert back[col].fillna("").tolist() == s.fillna("").tolist(), col


def test_codes_keep_leading_zeros_and_text_stays_vietnamese(tmp_path):
    review = review_table(table_from_text(CODES))
    full = review.sheets()[sheets.SHEET_RESULT]
    assert set(full["Kết luận"]) == {"Thẻ giữ lại", "Cấp trùng", "Không trùng", "Lỗi dữ liệu"}
    out = tmp_path / "kq.xlsx"
    write_review(review, out, full_sheet_max_rows=2)
    codes = ["01001", "00123", "007", "0456"]
    csv = pd.read_csv(tmp_path / "kq_day_du.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv["Mã KCB"].tolist() == codes
    assert csv["Họ và tên"].tolist() == ["Nguyễn Thị Hoà", "Nguyễn Thị Hoà", "Trần Đức Ánh", "Lê Văn Ưng"]
    assert csv.loc[1, "Trùng từ ngày"] == "01/02/2011" and csv.loc[1, "Trùng đến ngày"] == "31/12/2011"
    back = pd.read_parquet(tmp_path / "kq_day_du.parquet")
    assert back["Mã KCB"].tolist() == codes
    assert back.loc[1, "Trùng từ ngày"] == dt.date(2011, 2, 1)
    # the workbook: the three flagged rows, codes still text
    rows = _sheet_rows(out, sheets.SHEET_RESULT)
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Mã thẻ")
    body = rows[header_at + 1:]
    col = rows[header_at].index("Mã KCB")
    assert [r[col] for r in body] == ["01001", "00123", "0456"]
    assert isinstance(body[1][rows[header_at].index("Trùng từ ngày")], dt.datetime)


def test_small_list_writes_only_the_workbook_with_every_row(sample_review, tmp_path):
    out = tmp_path / "kq.xlsx"
    write_review(sample_review, out)  # 3,039 rows: far below FULL_SHEET_MAX_ROWS
    assert full_list_files(sample_review, out) == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx"]
    rows = _sheet_rows(out, sheets.SHEET_RESULT)
    full = sample_review.sheets()[sheets.SHEET_RESULT]
    assert rows[0] == list(full.columns)  # no note above the header
    assert [[_cell(v) for v in r] for r in rows[1:]] == _frame_rows(full)
    # exactly at the limit: still every row in the workbook
    write_review(sample_review, out, full_sheet_max_rows=len(full))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx"]


def test_command_line_lists_the_extra_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(big_output, "FULL_SHEET_MAX_ROWS", 1000)
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(SAMPLE), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"Kết quả: {out}" in printed
    assert f"Danh sách đầy đủ (mọi dòng): {tmp_path / 'kq_day_du.csv'}" in printed
    assert f"Danh sách đầy đủ (mọi dòng): {tmp_path / 'kq_day_du.parquet'}" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx", "kq_day_du.csv", "kq_day_du.parquet"]


def test_a_failed_rename_leaves_no_temporary_file_and_the_old_workbook(sample_review, tmp_path, monkeypatch):
    out = tmp_path / "kq.xlsx"
    out.write_bytes(b"old result")
    (tmp_path / "kq_day_du.csv").write_bytes(b"old csv")
    real_replace = os.replace

    def locked_csv(src, dst):
        if str(dst).endswith(".csv"):
            raise PermissionError(13, "The process cannot access the file")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked_csv)
    with pytest.raises(OutputError, match="kq_day_du.csv"):
        write_review(sample_review, out, full_sheet_max_rows=100)
    assert out.read_bytes() == b"old result"  # the workbook is renamed last
    assert (tmp_path / "kq_day_du.csv").read_bytes() == b"old csv"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_a_locked_existing_output_stops_before_anything_is_replaced(sample_review, tmp_path, monkeypatch):
    from bhyt_xl.io import write

    out = tmp_path / "kq.xlsx"
    for name, old in (("kq.xlsx", b"old result"), ("kq_day_du.csv", b"old csv"), ("kq_day_du.parquet", b"old pq")):
        (tmp_path / name).write_bytes(old)
    real_open = open

    def excel_holds_csv(path, mode="r", *args, **kwargs):
        if str(path).endswith("kq_day_du.csv") and "a" in mode:
            raise PermissionError(13, "The process cannot access the file")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(write, "open", excel_holds_csv, raising=False)
    with pytest.raises(OutputError, match="đang mở trong Excel"):
        write_review(sample_review, out, full_sheet_max_rows=100)
    assert (tmp_path / "kq.xlsx").read_bytes() == b"old result"
    assert (tmp_path / "kq_day_du.csv").read_bytes() == b"old csv"
    assert (tmp_path / "kq_day_du.parquet").read_bytes() == b"old pq"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx", "kq_day_du.csv", "kq_day_du.parquet"]


def test_the_full_list_never_overwrites_the_input(tmp_path):
    table = table_from_text(CODES)
    table.source = "kq_day_du.csv"
    review = review_table(table)
    with pytest.raises(OutputError, match="ghi đè tệp danh sách gốc"):
        write_review(review, tmp_path / "kq.xlsx", full_sheet_max_rows=2)
    assert list(tmp_path.iterdir()) == []


def test_fast_sheet_writer_writes_the_same_cells_as_writing_cell_by_cell(tmp_path):
    """SheetWriter.frame (per-column fast path) = the plain per-cell ws.write(row, col, value, column format)."""
    import zipfile

    from bhyt_xl.io.write import SheetWriter, _cells, new_workbook

    n = 14
    frame = pd.DataFrame({
        "Mã": pd.array(["01001", "", None, "Ưng", " x "] * 2 + ["a"] * 4, dtype="str"),
        "Ngày": pd.to_datetime(["2011-01-01", None, "1900-03-01", "2012-07-16 13:45:12.25"] * 3 + [None] * 2,
                               format="ISO8601"),
        "Ngày cũ": pd.to_datetime(["1900-01-01", "1900-02-28", None, "1955-05-05"] * 3 + [None] * 2),
        "Số tháng trùng": [5.52, np.nan, 0.0, 12.0] * 3 + [1.0, np.nan],
        "Số tiền trùng (đồng)": [123456.0, np.nan] * 7,
        "Dòng trong tệp": np.arange(n, dtype="int64") + 2,
        "Trộn": pd.Series([1, "x", None, 2.5, pd.Timestamp("2011-01-02"), "", True] * 2, dtype=object),
        "Năm": pd.array([2011, None] * 7, dtype="Int64"),
        "Số tháng chữ": pd.array(["", "1,5", None, "2"] * 3 + ["", ""], dtype="str"),
    })
    bold = np.arange(n) % 4 == 0

    def fast(path):
        wb = new_workbook(path)
        SheetWriter(wb).frame("S", frame, bold_rows=bold, intro=("Dòng một", "Dòng hai"))
        wb.close()

    def per_cell(path):  # the reference: every cell through ws.write with its column's format
        wb = new_workbook(path)
        w = SheetWriter(wb)
        ws = wb.add_worksheet("S")
        for i, line in enumerate(("Dòng một", "Dòng hai")):
            ws.write_string(i, 0, line, w.fmt["bold"] if i == 0 else None)
        cols = list(frame.columns)
        ws.set_row(3, 30)
        for j, col in enumerate(cols):
            ws.write_string(3, j, col, w.fmt["header"])
        formats = [w.column_format(c, frame[c]) for c in cols]
        from bhyt_xl.io.write import _width

        for j, (col, f) in enumerate(zip(cols, formats)):
            ws.set_column(j, j, _width(col, frame[col]), f)
        bold_formats = [w.column_format(c, frame[c], bold=True) or w.fmt["bold"] for c in cols]
        for i, row in enumerate(_cells(frame)):
            for j, v in enumerate(row):
                if v is not None:
                    ws.write(4 + i, j, v, bold_formats[j] if bold[i] else formats[j])
        ws.freeze_panes(4, 0)
        ws.autofilter(3, 0, 3 + n, len(cols) - 1)
        wb.close()

    fast(tmp_path / "a.xlsx")
    per_cell(tmp_path / "b.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as a, zipfile.ZipFile(tmp_path / "b.xlsx") as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
