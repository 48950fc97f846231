"""Data problems as data: one table with fixed columns, never exceptions.

A stage that finds bad input returns a problems frame next to its result; the
run goes on and the result workbook lists them on the "Lỗi dữ liệu" sheet.
"""

from __future__ import annotations

import pandas as pd

PROBLEM_COLUMNS = ["src_row", "column", "value", "rule", "message", "severity"]

ERROR = "Lỗi"
WARNING = "Cảnh báo"


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in PROBLEM_COLUMNS})


def problems_for(
    mask: pd.Series,
    src_rows: pd.Series,
    values: pd.Series | None,
    column: str,
    rule: str,
    message: str,
    severity: str = ERROR,
) -> pd.DataFrame:
    """Problems for every row where ``mask`` is true.

    ``message`` is a Vietnamese template; ``{value}`` stands for the cell's
    value. The row and column are put in front: "Dòng 27, cột Ngày sinh: ...".
    Built vectorised (string concatenation), not per row in Python.
    """
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        return empty_problems()
    rows = src_rows[mask].astype("int64")
    if values is None:
        vals = pd.Series("", index=rows.index, dtype="object")
    else:
        vals = values[mask].astype("object")
        vals = vals.where(vals.notna(), "").astype(str)
    parts = message.split("{value}")
    text = "Dòng " + rows.astype(str) + ", cột " + column + ": " + parts[0]
    for part in parts[1:]:
        text = text + vals + part
    return pd.DataFrame(
        {
            "src_row": rows.to_numpy(),
            "column": column,
            "value": vals.to_numpy(),
            "rule": rule,
            "message": text.to_numpy(),
            "severity": severity,
        }
    )


def concat_problems(*frames: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return empty_problems()
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["src_row"], kind="stable").reset_index(drop=True)


class RowProblems:
    """Collects the problems of one list as stages find them; a row with an error becomes invalid.

    ``add(mask, column, values, rule, message)`` records one problem per row in
    ``mask``; cell values are shown as staff see them (dates dd/mm/yyyy).
    """

    def __init__(self, src_rows: pd.Series):
        self.src = src_rows
        self.frames: list[pd.DataFrame] = []
        self.invalid = pd.Series(False, index=src_rows.index)

    def add(self, mask: pd.Series, column: str, values: pd.Series | None, rule: str, message: str,
            severity: str = ERROR) -> None:
        from bhyt_xl.core.values import as_text

        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        shown = as_text(values) if values is not None else None
        self.frames.append(problems_for(mask, self.src, shown, column, rule, message, severity=severity))
        if severity == ERROR:
            self.invalid = self.invalid | mask

    def table(self) -> pd.DataFrame:
        return concat_problems(*self.frames)
