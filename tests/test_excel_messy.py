"""The messy lists pasted into "Danh sách thẻ" give the same outcome in the workbook as on the command line."""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import json
from pathlib import Path

import openpyxl
import pytest

from test_excel_macros import run

from bhyt_xl.api import review_file
from bhyt_xl.errors import BhytError
from bhyt_xl.excel import macros

MESSY = Path(__file__).parent / "fixtures" / "messy"
CASES = json.loads((MESSY / "expected.json").read_text(encoding="utf-8"))["cases"]
# single-sheet .xlsx fixtures whose cell values survive a copy (formulas lose their cached values in openpyxl)
MERGED_GAP = pytest.mark.xfail(
    strict=True,
    reason="known gap: xlwings' remote payload carries no merged-cell ranges, so the workbook path cannot fill "
           "merged cells down as the file reader does (issue 8 stays open for it)",
)
FIXTURES = ["basic.xlsx", "codes_as_numbers.xlsx", "hidden_filter_protected.xlsx", "no_header.xlsx",
            pytest.param("merged_subtotals.xlsx", marks=MERGED_GAP), pytest.param("offset_start.xlsx", marks=MERGED_GAP)]


def as_template(fixture: Path, tmp_path: Path) -> Path:
    """The fixture's list sheet renamed "Danh sách thẻ", as if staff had pasted it there."""
    wb = openpyxl.load_workbook(fixture)
    wb.worksheets[0].title = macros.LIST_SHEET
    path = tmp_path / "BHYT_RaSoat.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("name", FIXTURES)
def test_workbook_outcome_equals_the_command_line(name, tmp_path):
    expected = CASES[name]
    outcome, _, out, _ = run(as_template(MESSY / name, tmp_path), macros.process_run_review)
    if "error" in expected:
        with pytest.raises(BhytError, match=expected["error"]):
            review_file(MESSY / name)
        assert not outcome.ok and expected["error"] in outcome.message
        return
    cli = review_file(MESSY / name).result.rows["verdict"].value_counts().to_dict()
    assert outcome.ok, outcome.message
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["Kết quả"].iter_rows(values_only=True))
    wb.close()
    column = rows[0].index("Kết luận")
    got = {}
    for r in rows[1:]:
        got[r[column]] = got.get(r[column], 0) + 1
    assert got == cli == expected["verdicts"]
