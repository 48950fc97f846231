"""The "Nghi trùng" sheet: suspected pairs for staff, and their decisions read back.

The sheet is the explanation (a few lines of plain Vietnamese), then a header
row whose first cell is "Mã cặp", then one row per pair with a decision column
("Trùng" / "Không trùng", a dropdown). The same layout is written by the
command line and by the workbook's button, and read back by both, so staff can
decide in either and run the review again. Decisions are found by the header
row, wherever it is: staff may add rows above it or columns after it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bhyt_xl.core.suspects import DECISIONS, SHEET, SUSPECT_EXPLANATION, SUSPECT_HEADERS
from bhyt_xl.core.text import fold_header
from bhyt_xl.errors import InputFileError

DECISION_HEADER = SUSPECT_HEADERS["decision"]
PAIR_HEADER = SUSPECT_HEADERS["pair_id"]
HEADER_SCAN_ROWS = 60

#: The explanation, one sheet row per line, above the header row.
INTRO = tuple(SUSPECT_EXPLANATION.split("\n"))


def suspects_sheet(suspects: pd.DataFrame) -> pd.DataFrame:
    """The pairs with the sheet's Vietnamese headers, in sheet order (decision last)."""
    out = pd.DataFrame({vn: suspects[key].to_numpy() for key, vn in SUSPECT_HEADERS.items()})
    for key in ("overlap_from", "overlap_to"):  # dates; the birth dates stay as written (a year alone, …)
        out[SUSPECT_HEADERS[key]] = pd.to_datetime(out[SUSPECT_HEADERS[key]])
    return out


def decisions_from_rows(rows: list[list[object]]) -> pd.DataFrame | None:
    """Staff decisions from the cell values of a "Nghi trùng" sheet (rows from A1).

    Returns the frame under the header row (columns as written; give it to
    :func:`~bhyt_xl.core.suspects.read_decisions`), or None when the sheet has
    no header row with "Mã cặp" and a decision column.
    """
    pair_key, decision_key = fold_header(PAIR_HEADER), fold_header("Quyết định")
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        folded = [fold_header(v) if isinstance(v, str) else "" for v in row]
        if pair_key in folded and any(f.startswith(decision_key) for f in folded):
            header = ["" if v is None else str(v) for v in row]
            body = [list(r[:len(header)]) + [None] * (len(header) - len(r[:len(header)])) for r in rows[i + 1:]]
            return pd.DataFrame(body, columns=header, dtype=object)
    return None


def decision_counts(decisions: pd.DataFrame | None) -> int:
    """How many rows carry a decision ("Trùng" / "Không trùng" in any spelling)."""
    from bhyt_xl.core.suspects import read_decisions

    return 0 if decisions is None else len(read_decisions(decisions))


def read_decisions_file(path: str | Path) -> pd.DataFrame | None:
    """Decisions written in the "Nghi trùng" sheet of a result workbook (None: no file or no such sheet).

    A workbook whose "Nghi trùng" sheet cannot be read raises
    :class:`InputFileError`: the caller is about to overwrite it and would
    otherwise lose staff's work. A file that is no workbook at all holds no
    decisions (None).
    """
    path = Path(path)
    if not path.exists():
        return None
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # not a workbook (nothing staff could have written decisions in)
        return None
    if SHEET not in wb.sheet_names:
        return None
    try:
        rows = wb.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    except Exception:
        raise InputFileError(
            f"Không đọc được sheet \"{SHEET}\" của tệp '{path.name}' (tệp hỏng hoặc không phải Excel), "
            f"nên không lấy được quyết định của cán bộ. Hãy ghi kết quả ra tên khác (-o) hoặc chỉ tệp quyết định "
            f"bằng --decisions.") from None
    rows = [[None if v == "" else v for v in r] for r in rows]
    return decisions_from_rows(rows)


__all__ = ["DECISIONS", "DECISION_HEADER", "INTRO", "PAIR_HEADER", "SHEET", "decision_counts",
           "decisions_from_rows", "read_decisions_file", "suspects_sheet"]
