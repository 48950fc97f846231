"""The messy lists pasted into "Danh sách thẻ" give the same outcome in the workbook as on the command line.

The workbook path reads the sheet through xlwings' remote engine (a real
``xw.Book`` built from the payload of ``bhyt_xl.excel.remote``). Merged cells
reach it as the payload's merged areas (``remote.MERGED_AREAS``), as desktop
Excel answers them through COM (``tests/test_excel_merges.py``).
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import csv
import json
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from test_excel_macros import run

from bhyt_xl.api import review_file, review_table
from bhyt_xl.errors import BhytError
from bhyt_xl.excel import macros, remote
from bhyt_xl.io.read import read_table

MESSY = Path(__file__).parent / "fixtures" / "messy"
CASES = json.loads((MESSY / "expected.json").read_text(encoding="utf-8"))["cases"]
# single-sheet .xlsx fixtures whose cell values survive a copy (formulas lose their cached values in openpyxl)
FIXTURES = ["basic.xlsx", "codes_as_numbers.xlsx", "hidden_filter_protected.xlsx", "no_header.xlsx",
            "merged_subtotals.xlsx", "offset_start.xlsx", "two_row_header.xlsx"]
# text fixtures pasted cell by cell as text
PASTED = ["two_row_header.csv", "csv_messy.csv", "csv_utf8.csv"]


def as_template(fixture: Path, tmp_path: Path) -> Path:
    """The fixture's list sheet renamed "Danh sách thẻ", as if staff had pasted it there."""
    wb = openpyxl.load_workbook(fixture)
    wb.worksheets[0].title = macros.LIST_SHEET
    path = tmp_path / "BHYT_RaSoat.xlsx"
    wb.save(path)
    return path


def pasted_text(fixture: Path, tmp_path: Path) -> Path:
    """A CSV fixture's cells pasted as text into "Danh sách thẻ" (rows and columns as in the file)."""
    with fixture.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = macros.LIST_SHEET
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                ws.cell(row=r, column=c, value=value)
    path = tmp_path / "BHYT_RaSoat.xlsx"
    wb.save(path)
    return path


def verdicts_written(out: Path) -> dict:
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["Kết quả"].iter_rows(values_only=True))
    wb.close()
    column = rows[0].index("Kết luận")
    got = {}
    for r in rows[1:]:
        got[r[column]] = got.get(r[column], 0) + 1
    return got


def accounting(t) -> tuple:
    return ([int(x) for x in t.src_row], t.skipped_blank, t.skipped_subtotal, t.skipped_header, t.merged_filled,
            t.header_row, t.header_rows)


@pytest.mark.parametrize("name", FIXTURES)
def test_workbook_outcome_equals_the_command_line(name, tmp_path):
    expected = CASES[name]
    path = as_template(MESSY / name, tmp_path)
    outcome, _, out, _ = run(path, macros.process_run_review)
    if "error" in expected:
        with pytest.raises(BhytError, match=expected["error"]):
            review_file(MESSY / name)
        assert not outcome.ok and expected["error"] in outcome.message
        return
    cli = review_file(MESSY / name)
    assert outcome.ok, outcome.message
    assert verdicts_written(out) == cli.result.rows["verdict"].value_counts().to_dict() == expected["verdicts"]
    # the same rows, skipped and filled the same way, with the sheet's row numbers
    table = macros.read_list(xw.Book(json=remote.payload_from_xlsx(path)))
    assert accounting(table) == accounting(cli.table)


@pytest.mark.parametrize("name", PASTED)
def test_pasted_text_list_gives_the_command_line_outcome(name, tmp_path):
    expected = CASES[name]
    outcome, _, out, _ = run(pasted_text(MESSY / name, tmp_path), macros.process_run_review)
    assert outcome.ok, outcome.message
    cli = review_file(MESSY / name)
    assert verdicts_written(out) == cli.result.rows["verdict"].value_counts().to_dict() == expected["verdicts"]
    table = macros.read_list(xw.Book(json=remote.payload_from_xlsx(pasted_text(MESSY / name, tmp_path))))
    assert accounting(table) == accounting(cli.table)
    if name == "two_row_header.csv":
        assert "Đọc 11 dòng = 7 dòng hợp lệ + 1 dòng lỗi + 3 dòng bỏ qua (tiêu đề/tổng cộng/trống: 2/1/0)" \
            in outcome.message


def test_the_payload_lists_merged_areas():
    payload = remote.payload_from_xlsx(MESSY / "merged_subtotals.xlsx")
    assert sorted(payload["sheets"][0][remote.MERGED_AREAS]) == sorted(
        ["A1:L1", "F5:F7", "F11:F13", "F15:F16", "A8:E8", "A14:E14", "A17:E17"])


#: without merged areas: the rows of each merged address block below its first row (no address), and the verdicts
NO_MERGES = {
    "merged_subtotals.xlsx": ([6, 7, 12, 13, 16], {"Không trùng": 7, "Lỗi dữ liệu": 1}),
    "offset_start.xlsx": ([9, 10], {"Không trùng": 3}),
}


@pytest.mark.parametrize("name", sorted(NO_MERGES))
def test_without_merged_areas_each_row_is_reported_not_lost(name, tmp_path):
    """xlwings' own remote clients send no merged areas: nothing is filled, no row is lost, each one is reported.

    The rows under a merged commune reach the engine without an address; each
    gets the warning "thiếu địa chỉ" on "Lỗi dữ liệu" (its row number, the
    rule), and is matched only with people who have no address either, so the
    duplicate inside a block is missed (card 1 and 2 of merged_subtotals):
    this is why the payload carries the merged areas.
    """
    payload = remote.payload_from_xlsx(as_template(MESSY / name, tmp_path))
    for sheet in payload["sheets"]:
        del sheet[remote.MERGED_AREAS]
    table = macros.read_list(xw.Book(json=payload))
    cli = read_table(MESSY / name)
    assert table.merged_filled == 0
    assert [int(x) for x in table.src_row] == [int(x) for x in cli.src_row]
    review = review_table(table)
    problems = review.sheets()["Lỗi dữ liệu"]
    no_address = problems.loc[problems["Nội dung"].str.contains("thiếu địa chỉ"), "Dòng"]
    rows, verdicts = NO_MERGES[name]
    assert sorted(int(r) for r in no_address) == rows
    assert len(rows) == cli.merged_filled
    assert review.result.rows["verdict"].value_counts().to_dict() == verdicts


def test_two_row_header_without_cards_names_both_rows():
    from bhyt_xl.errors import InputFileError

    rows = [["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Thẻ BHYT", None, None],
            [None, None, None, None, None, "Mã thẻ", "Từ ngày", "Đến ngày"]]
    with pytest.raises(InputFileError, match=r"dưới dòng tiêu đề \(dòng 1–2\).*từ dòng 3\."):
        macros.table_from_values(rows, "a.xlsm", macros.LIST_SHEET)
    table = macros.table_from_values(rows + [[1, "A", "1980", "Nam", "X", "HN2560123456789", "01/01/2011",
                                              "31/12/2011"]], "a.xlsm", macros.LIST_SHEET)
    assert (table.header_row, table.header_rows, list(table.src_row), table.skipped_header) == (1, 2, [3], 1)
