"""Merged cells on desktop Excel: ``macros.merged_blocks`` through a fake of the COM members it uses.

There is no Excel here, so :class:`FakeWorksheet` stands in for the
worksheet's COM object (``sheet.api`` on Windows). It has only what
``com_merged_blocks`` calls, with Excel's documented answers:

* ``UsedRange`` and ``Range(cell1, cell2)`` / ``Cells(row, column)`` give ranges;
* ``Range.MergeCells``: True when every cell of the range is in a merged
  area, False when none is, None (VARIANT Null, as pywin32 returns it) when
  some are;
* ``Range.MergeArea`` of one cell: the merged area holding it, or the cell
  itself; ``Range.Address`` with its default arguments: "$F$5:$F$7", or
  "$F$5" for one cell.

Every call is counted, to check that a 200,000-row list costs few calls.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import time
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from bhyt_xl.excel import macros
from bhyt_xl.io.read import read_table

MESSY = Path(__file__).parent / "fixtures" / "messy"


# ---------------------------------------------------------------------------
# The fake COM worksheet
# ---------------------------------------------------------------------------
class FakeWorksheet:
    """Excel's Worksheet COM object, reduced to UsedRange, Range(cell, cell) and Cells(row, column)."""

    def __init__(self, n_rows: int, n_cols: int, merged: list[tuple[int, int, int, int]]):
        self.n_rows, self.n_cols = n_rows, n_cols
        self.merged = merged  # (first row, first column, last row, last column), 1-based, not overlapping
        self.calls: collections.Counter = collections.Counter()
        self._by_column: dict[int, list[tuple[int, int, int, int]]] = collections.defaultdict(list)
        for area in sorted(merged):
            for c in range(area[1], area[3] + 1):
                self._by_column[c].append(area)

    def area_of(self, row: int, column: int) -> tuple[int, int, int, int] | None:
        areas = self._by_column.get(column, [])
        k = bisect.bisect_right(areas, (row, float("inf"))) - 1
        return areas[k] if k >= 0 and areas[k][0] <= row <= areas[k][2] else None

    @property
    def UsedRange(self):  # the COM name
        self.calls["UsedRange"] += 1
        return FakeRange(self, 1, 1, self.n_rows, self.n_cols)

    def Cells(self, row: int, column: int):
        self.calls["Cells"] += 1
        return FakeRange(self, row, column, row, column)

    def Range(self, cell1, cell2):
        self.calls["Range"] += 1
        return FakeRange(self, min(cell1.Row, cell2.Row), min(cell1.Column, cell2.Column),
                         max(cell1._r1, cell2._r1), max(cell1._c1, cell2._c1))

    def merged_cells_in(self, r0: int, c0: int, r1: int, c1: int) -> int:
        total = 0
        for ar0, ac0, ar1, ac1 in self.merged:
            rows = min(r1, ar1) - max(r0, ar0) + 1
            cols = min(c1, ac1) - max(c0, ac0) + 1
            if rows > 0 and cols > 0:
                total += rows * cols
        return total


class FakeRange:
    def __init__(self, sheet: FakeWorksheet, r0: int, c0: int, r1: int, c1: int):
        self._sheet, self.Row, self.Column, self._r1, self._c1 = sheet, r0, c0, r1, c1

    @property
    def Address(self):
        def a1(r, c):
            letters = ""
            while c:
                c, rest = divmod(c - 1, 26)
                letters = chr(65 + rest) + letters
            return f"${letters}${r}"

        if (self.Row, self.Column) == (self._r1, self._c1):
            return a1(self.Row, self.Column)
        return f"{a1(self.Row, self.Column)}:{a1(self._r1, self._c1)}"

    @property
    def MergeCells(self):
        self._sheet.calls["MergeCells"] += 1
        cells = (self._r1 - self.Row + 1) * (self._c1 - self.Column + 1)
        merged = self._sheet.merged_cells_in(self.Row, self.Column, self._r1, self._c1)
        return True if merged == cells else (False if merged == 0 else None)

    @property
    def MergeArea(self):
        self._sheet.calls["MergeArea"] += 1
        assert (self.Row, self.Column) == (self._r1, self._c1), "MergeArea is asked of one cell"
        area = self._sheet.area_of(self.Row, self.Column)
        return self if area is None else FakeRange(self._sheet, *area)


# ---------------------------------------------------------------------------
# A fake desktop xlwings Book around it (what sheet_frame and read_list use)
# ---------------------------------------------------------------------------
class FakeSheet:
    """An xlwings Sheet on desktop Excel: name, api, book, used_range.last_cell, range(...).options(ndim=2).value."""

    def __init__(self, name: str, values: list[list[object]], api: FakeWorksheet, book):
        self.name, self.api, self.book = name, api, book
        self._values = values
        last = SimpleNamespace(row=len(values), column=max((len(r) for r in values), default=0))
        self.used_range = SimpleNamespace(last_cell=last)

    def range(self, first, last):
        (r0, c0), (r1, c1) = first, last
        block = [[self._cell(r, c) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
        return SimpleNamespace(options=lambda **_: SimpleNamespace(value=block))

    def _cell(self, r: int, c: int):
        row = self._values[r - 1] if r - 1 < len(self._values) else []
        value = row[c - 1] if c - 1 < len(row) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # Excel gives every number as a float
        return value


class FakeBook:
    def __init__(self, name: str):
        self.name = name
        self.app = SimpleNamespace(engine=SimpleNamespace(type="excel"))  # not the remote engine
        self.sheets: list[FakeSheet] = []


def desktop_book(fixture: Path) -> tuple[FakeBook, FakeWorksheet]:
    """The fixture's first sheet pasted into "Danh sách thẻ" of a (fake) desktop workbook, merges and all."""
    wb = openpyxl.load_workbook(fixture)
    ws = wb.worksheets[0]
    values = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
    merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    wb.close()
    book = FakeBook("BHYT_RaSoat.xlsm")
    api = FakeWorksheet(len(values), max(len(r) for r in values), merged)
    book.sheets.append(FakeSheet(macros.LIST_SHEET, values, api, book))
    return book, api


# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["merged_subtotals.xlsx", "offset_start.xlsx", "two_row_header.xlsx", "basic.xlsx"])
def test_desktop_read_fills_merged_cells_as_the_file_reader_does(name):
    book, _ = desktop_book(MESSY / name)
    table = macros.read_list(book)
    cli = read_table(MESSY / name)
    assert table.merged_filled == cli.merged_filled
    assert [int(x) for x in table.src_row] == [int(x) for x in cli.src_row]
    assert (table.skipped_blank, table.skipped_subtotal, table.skipped_header) == (
        cli.skipped_blank, cli.skipped_subtotal, cli.skipped_header)
    address = cli.columns["address"]
    assert table.data[table.columns["address"]].tolist() == cli.data[address].tolist()


def test_blocks_of_merged_subtotals():
    book, api = desktop_book(MESSY / "merged_subtotals.xlsx")
    sheet = book.sheets[0]
    frame = macros.sheet_frame(sheet)
    # header on row 3: data from row 4 (0-based frame row 3); the address (column F) merged F5:F7, F11:F13, F15:F16
    blocks = macros.merged_blocks(sheet, frame, 3, 12)
    assert blocks == [(5, 1, 3), (5, 7, 9), (5, 11, 12)]
    # Excel was asked once for the used range, once per column with a candidate (a filled cell above a blank),
    # then MergeArea only at the candidates of the columns holding merged cells: F (the address) and A-E (the
    # subtotal captions merged across A:E), not at every row
    assert api.calls["UsedRange"] == 1
    assert api.calls["MergeCells"] <= 1 + 12
    candidates = 0
    for j in range(6):
        filled = frame.iloc[3:, j].notna().to_numpy()
        candidates += int((filled[:-1] & ~filled[1:]).sum())
    assert api.calls["MergeArea"] == candidates


def test_no_merged_cell_costs_one_call():
    book, api = desktop_book(MESSY / "basic.xlsx")
    api.merged = []
    api._by_column.clear()
    table = macros.read_list(book)
    assert table.merged_filled == 0
    assert dict(api.calls) == {"UsedRange": 1, "MergeCells": 1}


def test_a_blank_under_a_filled_cell_is_not_a_merge():
    """Only Excel's answer fills a cell: blanks under values in unmerged cells stay blank."""
    header = ["Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày", "Ghi chú"]
    card = ["HN2560123456789", "A", "1980", "Nam", "Xã A", "01/01/2011", "31/12/2011", "ghi chú"]
    rows = [header, card, ["HN2560123456780", "B", "1981", "Nữ", None, "01/01/2011", "31/12/2011", None],
            ["HN2560123456781", "C", "1982", "Nữ", None, "01/01/2011", "31/12/2011", None]]
    api = FakeWorksheet(4, 8, [(2, 8, 3, 8)])  # only Ghi chú H2:H3 is merged
    book = FakeBook("a.xlsm")
    book.sheets.append(FakeSheet(macros.LIST_SHEET, rows, api, book))
    table = macros.read_list(book)
    assert table.data["Địa chỉ"].tolist()[1:] == [None, None]  # not merged: stays blank
    assert table.data["Ghi chú"].tolist() == ["ghi chú", "ghi chú", None]
    assert table.merged_filled == 1


def test_a_com_failure_reads_without_filling_and_is_logged(monkeypatch):
    book, _ = desktop_book(MESSY / "merged_subtotals.xlsx")

    class Refusing:
        @property
        def UsedRange(self):
            raise RuntimeError("(-2147352567, 'Exception occurred.')")

    book.sheets[0].api = Refusing()
    logged = []
    monkeypatch.setattr(macros, "write_log", lambda book, context, exc: logged.append((context, exc)))
    table = macros.read_list(book)
    assert table.merged_filled == 0 and len(table.data) == 8
    assert logged and logged[0][0]["macro"] == "merged_blocks"


def test_200000_rows_cost_few_calls():
    """A commune merged down every 50 rows, a name merged across two columns on every row, 200,000 rows."""
    n = 200_000
    header = ["STT", "Mã thẻ", "Họ và tên", None, "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày"]
    day = dt.datetime(2011, 1, 1)
    values = [header]
    merged = [(1, 3, 1, 4)]
    for i in range(n):
        r = i + 2
        values.append([i + 1, f"HN25{i:011d}", "Nguyễn Văn An", None, day, "Nam",
                       f"Xã {i // 50}" if i % 50 == 0 else None, day, day])
        merged.append((r, 3, r, 4))  # the name across C:D on every row
        if i % 50 == 0:
            merged.append((r, 7, r + 49, 7))  # the commune down G
    api = FakeWorksheet(n + 1, 9, merged)
    sheet = FakeSheet(macros.LIST_SHEET, values, api, FakeBook("big.xlsm"))
    frame = pd.DataFrame(values, dtype=object)
    start = time.perf_counter()
    blocks = macros.merged_blocks(sheet, frame, 1, 9)
    elapsed = time.perf_counter() - start
    assert len(blocks) == n // 50 and blocks[0] == (6, 0, 49) and blocks[-1] == (6, n - 50, n - 1)
    # one call for the used range, one per column with a candidate, one per commune block: not one per row
    assert api.calls["MergeArea"] == n // 50
    assert api.calls["MergeCells"] <= 1 + 9
    assert elapsed < 10, elapsed
