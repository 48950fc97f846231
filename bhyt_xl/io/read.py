"""Reading card lists from .xlsx/.xlsm and .csv files.

The header row is found automatically (real lists have titles, blank rows and
merged captions above it) by recognising column names
(:mod:`bhyt_xl.core.schema`). Values are kept as the file holds them: real date
cells as dates, numbers as numbers, text as text; code columns are never
turned into numbers (a card number "0123…" keeps its leading zero).

Speed: .xlsx is read with fastexcel (Rust/calamine; ~11× faster than openpyxl,
see shared/perf-notes.md); python-calamine probes the first rows and gives the
position of the used range so row numbers match what staff see in Excel.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from bhyt_xl.core.changes import change_label, field_for_change_header, missing_change_columns
from bhyt_xl.core.participation import missing_extra_columns
from bhyt_xl.core.prepare import missing_required
from bhyt_xl.core.schema import field_for_header, label
from bhyt_xl.core.values import is_blank
from bhyt_xl.errors import InputFileError, MissingColumns, NoHeaderRow

HEADER_SCAN_ROWS = 30
MIN_RECOGNISED = 3
EXCEL_EXTENSIONS = {".xlsx", ".xlsm"}
CSV_EXTENSIONS = {".csv", ".txt"}


@dataclasses.dataclass(frozen=True)
class ListKind:
    """What kind of list a file holds: how its headers are recognised and what it must have."""

    field_for: object  # header text -> canonical field or None
    anchors: frozenset  # the header row must name at least one of these
    missing: object  # recognised columns -> missing required fields
    label: object  # canonical field -> Vietnamese name
    description: str  # for messages


LIST_KINDS = {
    "cards": ListKind(field_for_header, frozenset({"card_no", "full_name"}), missing_required, label,
                      "danh sách thẻ (cần các cột như Mã thẻ, Họ và tên, Ngày sinh, Giới tính, Địa chỉ, Từ ngày, Đến ngày)"),
    "changes": ListKind(field_for_change_header, frozenset({"change_type", "effective_date"}), missing_change_columns,
                        change_label, "danh sách tăng/giảm (cần các cột như Mã số BHXH hoặc Mã thẻ, Loại tăng/giảm, "
                        "Ngày hiệu lực)"),
    "extra": ListKind(field_for_header, frozenset({"valid_from", "valid_to"}), missing_extra_columns, label,
                      "danh sách thời gian được tính (cần Mã số BHXH hoặc Họ và tên, Ngày sinh, Giới tính, Địa chỉ; "
                      "Từ ngày, Đến ngày)"),
}


@dataclasses.dataclass
class InputTable:
    """A card list as read: original columns, recognised fields and row numbers."""

    data: pd.DataFrame  # original columns, in file order; index 0..n-1
    columns: dict[str, str]  # canonical field -> column label in data
    src_row: np.ndarray  # row number as the user sees it in the file
    source: str  # file name
    sheet: str | None
    header_row: int  # 1-based row number of the header
    skipped_blank: int  # fully blank rows below the header that were skipped


def read_table(path: str | os.PathLike, sheet: str | None = None, kind: str = "cards") -> InputTable:
    """Read a list (``kind``: cards, changes or extra periods).

    Raises :class:`InputFileError`, :class:`NoHeaderRow` or :class:`MissingColumns`.
    """
    spec = LIST_KINDS[kind]
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"Không tìm thấy tệp '{path}'.")
    ext = path.suffix.lower()
    if ext in EXCEL_EXTENSIONS:
        table = _read_excel(path, sheet, spec)
    elif ext in CSV_EXTENSIONS:
        table = _read_csv(path, spec)
    else:
        raise InputFileError(
            f"Tệp '{path.name}' có đuôi '{ext or '(không có)'}' chưa được hỗ trợ; hãy dùng .xlsx, .xlsm hoặc .csv."
        )
    missing = spec.missing(table.columns)
    if missing:
        names = ", ".join(f'"{spec.label(f)}"' for f in missing)
        where = f"sheet '{table.sheet}' của tệp {table.source}" if table.sheet else f"tệp {table.source}"
        raise MissingColumns(
            f"Không tìm thấy cột {names} trong {where} (dòng tiêu đề là dòng {table.header_row}); "
            "hãy thêm cột hoặc đổi tên tiêu đề cột cho đúng."
        )
    return table


# ---------------------------------------------------------------------------
def recognise_header(rows: list[list[object]], spec: ListKind = LIST_KINDS["cards"]) -> tuple[int, dict[int, str]] | None:
    """Find the header among the first rows: the row recognising the most known columns.

    Returns (row index, {column position: canonical field}) or None when no row
    names at least three known columns including one of the kind's anchors
    (for card lists: the card number or the name).
    """
    best = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[int, str] = {}
        for j, cell in enumerate(row):
            field = spec.field_for(cell)
            if field is not None and field not in found.values():
                found[j] = field
        good = len(found) >= MIN_RECOGNISED and (spec.anchors & set(found.values()))
        if good and (best is None or len(found) > len(best[1])):
            best = (i, found)
    return best


def _unique_labels(header: list[object]) -> list[str]:
    """Header cells as unique column labels ('Cột 5' for empty ones, 'X (2)' for repeats)."""
    out, seen = [], {}
    for j, cell in enumerate(header):
        text = "" if cell is None or (isinstance(cell, float) and np.isnan(cell)) else str(cell).strip()
        text = text or f"Cột {j + 1}"
        if text in seen:
            seen[text] += 1
            text = f"{text} ({seen[text]})"
        else:
            seen[text] = 1
        out.append(text)
    return out


def _finish(data: pd.DataFrame, header: list[object], fields: dict[int, str], first_row: int,
            source: str, sheet: str | None, header_row: int) -> InputTable:
    labels = _unique_labels(header)
    data = data.iloc[:, : len(labels)]
    data.columns = labels[: data.shape[1]]
    src_row = np.arange(len(data), dtype="int64") + first_row
    blank = np.ones(len(data), dtype=bool)
    for name in data.columns:
        blank &= is_blank(data[name]).to_numpy()
    keep = ~blank
    data = data.loc[keep].reset_index(drop=True)
    columns = {field: labels[j] for j, field in fields.items() if j < len(labels)}
    return InputTable(data, columns, src_row[keep], source, sheet, header_row, int(blank.sum()))


def _read_excel(path: Path, sheet: str | None, spec: ListKind) -> InputTable:
    import fastexcel
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # corrupt, encrypted, not really an Excel file
        raise InputFileError(
            f"Không mở được tệp Excel '{path.name}' (tệp hỏng, có mật khẩu hoặc không phải Excel): {exc}"
        ) from None
    names = book.sheet_names
    if sheet is not None and sheet not in names:
        raise InputFileError(f"Tệp '{path.name}' không có sheet '{sheet}'; các sheet có: {', '.join(names)}.")
    candidates = [sheet] if sheet is not None else names
    for name in candidates:
        ws = book.get_sheet_by_name(name)
        probe = ws.to_python(skip_empty_area=True, nrows=HEADER_SCAN_ROWS)
        found = recognise_header(probe, spec)
        if found is None:
            continue
        h, fields = found
        start_row = ws.start[0] if ws.start else 0
        reader = fastexcel.read_excel(str(path))
        loaded = reader.load_sheet(name, header_row=h, schema_sample_rows=None, dtype_coercion="coerce")
        data = loaded.to_pandas()
        header_row = start_row + h + 1
        return _finish(data, probe[h], fields, header_row + 1, path.name, name, header_row)
    where = f"sheet '{sheet}'" if sheet else "sheet nào"
    raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong {where} của tệp '{path.name}'.")


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258 (Vietnamese ANSI, composed to NFC)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", raw.decode("cp1258", errors="strict"))


def _read_csv(path: Path, spec: ListKind) -> InputTable:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"Tệp '{path.name}' trống.")
    try:
        text = _decode(raw)
    except UnicodeDecodeError:
        raise InputFileError(
            f"Không đọc được bảng mã của tệp '{path.name}'; hãy lưu lại dạng CSV UTF-8."
        ) from None
    first_lines = text.splitlines()[:HEADER_SCAN_ROWS]
    delimiter = max([",", ";", "\t"], key=lambda d: sum(line.count(d) for line in first_lines))
    probe = list(csv.reader(first_lines, delimiter=delimiter))
    found = recognise_header(probe, spec)
    if found is None:
        raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong tệp '{path.name}'.")
    h, fields = found
    width = len(probe[h])
    data = pd.read_csv(
        io.StringIO(text), sep=delimiter, header=None, skiprows=h + 1, dtype=str, keep_default_na=False,
        na_values=[], names=list(range(width)), index_col=False, skip_blank_lines=False, engine="c",
    )
    data = data.replace("", np.nan)
    return _finish(data, probe[h], fields, h + 2, path.name, None, h + 1)
