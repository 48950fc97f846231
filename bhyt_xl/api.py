"""The library surface: each shell (CLI, Excel macros) calls these and nothing deeper.

``review_frame`` is the whole review on a frame already in memory;
``review_file`` reads a file, reviews it and writes the result workbook.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from bhyt_xl.core.prepare import prepare_cards
from bhyt_xl.core.review import ReviewResult, review_cards
from bhyt_xl.io import sheets
from bhyt_xl.io.params_io import SHEET as PARAMS_SHEET, params_blocks
from bhyt_xl.io.read import InputTable, read_table
from bhyt_xl.io.write import SheetWriter, atomic_path, new_workbook
from bhyt_xl.params import Params


@dataclasses.dataclass
class Review:
    """A finished review: the input as read and the result of the rules."""

    table: InputTable
    result: ReviewResult

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The result sheets (Vietnamese names and headers), in workbook order (without "Tham số")."""
        r = self.result
        return {
            sheets.SHEET_RESULT: sheets.result_sheet(self.table.data, self.table.src_row, r),
            sheets.SHEET_BY_YEAR: sheets.by_year_sheet(r),
            sheets.SHEET_SUMMARY: sheets.summary_sheet(r),
            sheets.SHEET_PROBLEMS: sheets.problems_sheet(r.problems),
        }

    def message(self) -> str:
        """One-paragraph Vietnamese summary for staff."""
        s = self.result.stats
        return (
            f"Đã đọc {vn_number(s['rows'])} thẻ; {vn_number(s['duplicates'])} thẻ cấp trùng "
            f"({vn_number(s['months'], 2)} tháng, {vn_number(s['money'])} đồng, "
            f"NSNN chi trả {vn_number(s['budget'])} đồng); "
            f"{vn_number(s['kept'])} thẻ giữ lại; {vn_number(s['errors'])} dòng lỗi dữ liệu."
        )


def vn_number(value: float, decimals: int = 0) -> str:
    """Vietnamese number format: 1.410.034 and 47,74."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def review_table(table: InputTable, params: Params | None = None) -> Review:
    """Prepare, validate and review a list that has been read."""
    params = params or Params()
    cards, problems = prepare_cards(table.data, table.columns, table.src_row, params)
    return Review(table, review_cards(cards, params, problems))


def review_file(path: str | Path, params: Params | None = None, sheet: str | None = None) -> Review:
    """Read and review one file (no output written)."""
    return review_table(read_table(path, sheet=sheet), params)


def write_review(review: Review, output: str | Path) -> Path:
    """Write the result workbook atomically; returns its path."""
    output = Path(output)
    frames = review.sheets()
    with atomic_path(output) as tmp:
        wb = new_workbook(tmp)
        w = SheetWriter(wb)
        w.frame(sheets.SHEET_RESULT, frames[sheets.SHEET_RESULT])
        w.frame(sheets.SHEET_BY_YEAR, frames[sheets.SHEET_BY_YEAR])
        summary = frames[sheets.SHEET_SUMMARY]
        bold = review.result.summary["kind"].isin(["year", "total"]).to_numpy()
        w.frame(sheets.SHEET_SUMMARY, summary, bold_rows=bold)
        w.frame(sheets.SHEET_PROBLEMS, frames[sheets.SHEET_PROBLEMS])
        w.blocks(PARAMS_SHEET, params_blocks(review.result.params),
                 intro=[f"Tham số đã dùng cho lần rà soát tệp {review.table.source}",
                        "Sửa các bảng dưới đây rồi dùng lại tệp này với --params để chạy lại."])
        wb.close()
    return output
