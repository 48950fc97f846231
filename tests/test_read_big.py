"""The one-parse read of large .xlsx sheets gives exactly the general reader's table (issue 6).

``BIG_SHEET_BYTES`` is lowered so that every workbook of the fixtures takes
the fast path; the table (cells, labels, fields, row numbers, row accounting,
merged cells filled) must equal the general path's, or the fast path must
step aside (None) and leave the file to the general path.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bhyt_xl.io import read
from bhyt_xl.io.read import read_table
from bhyt_xl.samples.generate import generate_cards

ROOT = Path(__file__).resolve().parents[1]
MESSY = ROOT / "tests" / "fixtures" / "messy"
XLSX = sorted(p for p in MESSY.glob("*.xlsx")) + [ROOT / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"]


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.data, b.data)
    for f in dataclasses.fields(a):
        if f.name == "data":
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, f.name


@pytest.mark.parametrize("path", XLSX, ids=lambda p: p.name)
def test_fast_path_equals_the_general_reader(path, monkeypatch):
    try:
        general = read_table(path)
    except Exception as exc:  # a file the readers refuse: the fast path must refuse it the same way
        monkeypatch.setattr(read, "BIG_SHEET_BYTES", 0)
        with pytest.raises(type(exc)):
            read_table(path)
        return
    monkeypatch.setattr(read, "BIG_SHEET_BYTES", 0)
    taken = []
    real = read._read_big_xlsx
    monkeypatch.setattr(read, "_read_big_xlsx", lambda *a: taken.append(r := real(*a)) or r)
    fast = read_table(path)
    _same(general, fast)
    TAKEN[path.name] = bool(taken) and taken[0] is not None


TAKEN: dict[str, bool] = {}


def test_fast_path_takes_most_fixtures():
    """Run after the comparisons: the fast path did read the ordinary files (not only step aside)."""
    if not TAKEN:
        pytest.skip("run with the comparisons above")
    assert TAKEN.get("basic.xlsx") and TAKEN.get("danh_sach_the_khanh_hoa.xlsx") and TAKEN.get("two_row_header.xlsx")
    assert sum(TAKEN.values()) >= len(TAKEN) // 2, TAKEN


def list_with_merges(path: Path, rows: int, seed: int, block_row: int) -> Path:
    """A card list under a merged title (A1:D1), with the address cells of sheet rows ``block_row`` and
    ``block_row + 1`` merged into one (a block of two rows sharing one address)."""
    import openpyxl

    frame = generate_cards(rows, seed=seed)
    frame.to_excel(path, index=False, startrow=2)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["A1"] = "DANH SÁCH THẺ"
    ws.merge_cells("A1:D1")
    address = next(j for j, c in enumerate(frame.columns, start=1) if c == "Địa chỉ")
    letter = openpyxl.utils.get_column_letter(address)
    ws[f"{letter}{block_row + 1}"] = ws[f"{letter}{block_row}"].value
    ws.merge_cells(f"{letter}{block_row}:{letter}{block_row + 1}")
    wb.save(path)
    return path


def test_fast_path_is_taken_on_a_plain_list_and_merges_come_from_the_end_of_the_xml(tmp_path, monkeypatch):
    path = list_with_merges(tmp_path / "list.xlsx", 300, seed=3, block_row=5)
    general = read_table(path)
    assert general.merged_filled == 1
    monkeypatch.setattr(read, "BIG_SHEET_BYTES", 0)
    taken = []
    real = read._read_big_xlsx
    monkeypatch.setattr(read, "_read_big_xlsx", lambda *a: taken.append(r := real(*a)) or r)
    fast = read_table(path)
    assert taken and taken[0] is not None  # the fast path read it
    _same(general, fast)


def test_merged_ranges_are_read_from_the_xml(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B3"] = "x", "y"
    ws.merge_cells("A1:C1")
    ws.merge_cells("B3:B9")
    path = tmp_path / "m.xlsx"
    wb.save(path)
    assert read._merged_ranges_xml(path, "xl/worksheets/sheet1.xml") == [((0, 0), (0, 2)), ((2, 1), (8, 1))]


@pytest.mark.parametrize("compression", ["deflated", "stored"])
def test_member_chunks_give_the_member_byte_for_byte(tmp_path, compression):
    import zipfile

    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7) for i in range(1, 20_000))
    path = tmp_path / "z.zip"
    method = zipfile.ZIP_DEFLATED if compression == "deflated" else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("a.txt", b"first member")
        z.writestr("xl/worksheets/sheet1.xml", body)
    for size in (7, 1000, 1 << 16):
        assert b"".join(read._member_chunks(path, "xl/worksheets/sheet1.xml", size)) == body


def test_merged_ranges_across_chunk_boundaries(tmp_path):
    """A <mergeCell> cut anywhere by the streaming (tiny pieces) is still found once."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 300):
        ws.cell(r, 1, f"dòng {r}")
    expected = []
    for k in range(40):
        ws.merge_cells(start_row=2 * k + 1, start_column=2, end_row=2 * k + 2, end_column=3)
        expected.append(((2 * k, 1), (2 * k + 1, 2)))
    path = tmp_path / "m.xlsx"
    wb.save(path)
    for size in (5, 13, 64, 1 << 16):
        assert read._merged_ranges_xml(path, "xl/worksheets/sheet1.xml", size) == sorted(expected)
