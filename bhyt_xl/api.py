"""The library surface: each shell (CLI, Excel macros) calls these and nothing deeper.

``review_frame`` is the whole review on a frame already in memory;
``review_file`` reads a file, reviews it and writes the result workbook.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bhyt_xl.core.review import ReviewResult, review_cards
from bhyt_xl.errors import OutputError
from bhyt_xl.io import big_output, rust_write, sheets, suspects_io
from bhyt_xl.io.legacy_io import LegacyReport, unicode_table
from bhyt_xl.io.params_io import SHEET as PARAMS_SHEET, params_blocks
from bhyt_xl.io.read import InputTable, accounting_text, read_table
from bhyt_xl.io.write import SheetWriter, atomic_path, ensure_replaceable, new_workbook
from bhyt_xl.params import Params
from bhyt_xl.runtime import large_list_memory

if TYPE_CHECKING:
    from bhyt_xl.core.changes import ChangeResult
    from bhyt_xl.core.participation import ContinuityReview


@dataclasses.dataclass
class Review:
    """A finished review: the input as read and the result of the rules."""

    table: InputTable
    result: ReviewResult
    #: suspected pairs for the "Nghi trùng" sheet (None: suspects not asked for)
    suspects: pd.DataFrame | None = None
    #: staff decisions read back: counts "confirmed", "rejected", "linked"
    decisions: dict | None = None
    #: legacy-encoded (TCVN3/VNI) columns converted for the engine
    legacy: LegacyReport = dataclasses.field(default_factory=LegacyReport)

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The result sheets (Vietnamese names and headers), in workbook order (without "Tham số")."""
        r = self.result
        out = {
            sheets.SHEET_RESULT: sheets.result_sheet(self.table.data, self.table.src_row, r,
                                                     self.legacy.shown_columns() if self.legacy else None),
            sheets.SHEET_BY_YEAR: sheets.by_year_sheet(r),
            sheets.SHEET_SUMMARY: sheets.summary_sheet(r),
        }
        if self.suspects is not None:
            out[suspects_io.SHEET] = suspects_io.suspects_sheet(self.suspects)
        out[sheets.SHEET_PROBLEMS] = sheets.problems_sheet(r.problems)
        return out

    def notes(self) -> list[str]:
        """Lines for the workbook's "Tham số" sheet and the message: legacy columns converted, decisions used."""
        lines = self.legacy.lines()
        if self.decisions is not None:
            d = self.decisions
            lines.append(f"Nghi trùng: đã áp dụng {vn_number(d['confirmed'])} quyết định \"Trùng\" và "
                         f"{vn_number(d['rejected'])} quyết định \"Không trùng\" của cán bộ.")
        return lines

    def message(self) -> str:
        """One-paragraph Vietnamese summary for staff."""
        s = self.result.stats
        text = (
            f"Đã đọc {vn_number(s['rows'])} thẻ; {vn_number(s['duplicates'])} thẻ cấp trùng "
            f"({vn_number(s['months'], 2)} tháng, {vn_number(s['money'])} đồng, "
            f"NSNN chi trả {vn_number(s['budget'])} đồng); "
            f"{vn_number(s['kept'])} thẻ giữ lại; {vn_number(s['errors'])} dòng lỗi dữ liệu.\n"
            + accounting_text(self.table, s["errors"])
        )
        if self.suspects is not None:
            undecided = int((self.suspects["decision"].astype(str) == "").sum())
            text += (f"\nNghi trùng: {vn_number(undecided)} cặp thẻ cần cán bộ kiểm tra (sheet \"{suspects_io.SHEET}\"); "
                     "các cặp này không được tính tiền cho đến khi cán bộ ghi \"Trùng\".")
        for line in self.notes():
            text += "\n" + line
        return text


def vn_number(value: float, decimals: int = 0) -> str:
    """Vietnamese number format: 1.410.034 and 47,74."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def review_table(table: InputTable, params: Params | None = None,
                 decisions: pd.DataFrame | None = None) -> Review:
    """Prepare, validate and review a list that has been read.

    Legacy-encoded (TCVN3/VNI) name, address and sex columns are converted to
    Unicode for the engine first (reported in ``Review.legacy``). With
    ``params.find_suspects`` (or staff ``decisions`` from a "Nghi trùng"
    sheet), suspected pairs are listed and the pairs staff confirmed are
    reviewed as one person (:func:`bhyt_xl.core.suspects.review_with_suspects`);
    otherwise the plain review of CV 493.
    """
    params = params or Params()
    with large_list_memory(len(table.data)):
        cards, problems, legacy = prepare_table(table, params)
        if not params.find_suspects and decisions is None:
            return Review(table, review_cards(cards, params, problems), legacy=legacy)
        from bhyt_xl.core.suspects import review_with_suspects

        run = review_with_suspects(cards, params, problems, decisions)
    return Review(table, run.result, run.suspects, run.decisions if decisions is not None else None, legacy)


def prepare_table(table: InputTable, params: Params) -> tuple[pd.DataFrame, pd.DataFrame, LegacyReport]:
    """The engine's cards of a list that has been read: ``(cards, problems, legacy report)``.

    The one way every command prepares a list: legacy-encoded (TCVN3/VNI)
    text columns converted to Unicode (:func:`~bhyt_xl.io.legacy_io.unicode_table`),
    then each file's rows checked with that file's own columns
    (:func:`~bhyt_xl.io.multi.prepare_many`, which is ``prepare_cards`` for a
    list from one file).
    """
    from bhyt_xl.io.multi import prepare_many

    engine_table, legacy = unicode_table(table)
    cards, problems = prepare_many(engine_table, params)
    return cards, problems, legacy


def review_file(path: str | Path, params: Params | None = None, sheet: str | None = None,
                all_sheets: bool = False, decisions: pd.DataFrame | None = None) -> Review:
    """Read and review one file (no output written); ``all_sheets`` reviews every list sheet as one list."""
    return review_table(read_table(path, sheet=sheet, all_sheets=all_sheets), params, decisions)


#: Sheets written with text above their header row and a dropdown column.
SHEET_LAYOUTS = {
    suspects_io.SHEET: {"intro": suspects_io.INTRO, "choices": {suspects_io.DECISION_HEADER: suspects_io.DECISIONS}},
}


#: Review workbooks of lists longer than this are written by rust_xlsxwriter (:mod:`bhyt_xl.io.rust_write`);
#: shorter ones take XlsxWriter under a second anyway.
FAST_WRITE_MIN_ROWS = 20_000


def write_workbook(output: str | Path, frames: dict[str, pd.DataFrame], params: Params, source: str,
                   bold: dict[str, np.ndarray] | None = None, notes: tuple[str, ...] = (),
                   intros: dict[str, tuple[str, ...]] | None = None, *, fast: bool = False) -> Path:
    """Write result sheets (in order) plus the "Tham số" sheet, atomically; returns the path.

    ``intros``: sheet -> lines of text written above that sheet's header.
    ``fast``: see :func:`_write_workbook_file`.
    """
    output = Path(output)
    with atomic_path(output) as tmp:
        _write_workbook_file(tmp, frames, params, source, bold, notes, intros, fast=fast)
    return output


def _write_workbook_file(path: Path, frames: dict[str, pd.DataFrame], params: Params, source: str,
                         bold: dict[str, np.ndarray] | None = None, notes: tuple[str, ...] = (),
                         intros: dict[str, tuple[str, ...]] | None = None, *, fast: bool = False) -> None:
    """The workbook of :func:`write_workbook`, written straight to ``path`` (a temporary file).

    ``fast``: write with rust_xlsxwriter (:mod:`bhyt_xl.io.rust_write`, for a
    large list's workbook) when it is installed; whatever it cannot write
    exactly is written by XlsxWriter instead, the whole workbook again.
    """
    if fast and rust_write.available():
        try:
            return _write_sheets(rust_write.new_workbook(path), rust_write.RustSheetWriter, frames, params, source,
                                 bold, notes, intros)
        except rust_write.FastWriteUnsupported:
            pass  # e.g. a date before 1900: the reference writer takes the whole workbook
    _write_sheets(new_workbook(path), SheetWriter, frames, params, source, bold, notes, intros)


def _write_sheets(wb, writer, frames: dict[str, pd.DataFrame], params: Params, source: str,
                  bold: dict[str, np.ndarray] | None, notes: tuple[str, ...],
                  intros: dict[str, tuple[str, ...]] | None) -> None:
    """The sheets of :func:`write_workbook` through ``writer`` (a SheetWriter class) into ``wb``, then close it."""
    bold = bold or {}
    w = writer(wb)
    for name, frame in frames.items():
        layout = dict(SHEET_LAYOUTS.get(name, {}))
        if intros and name in intros:
            layout["intro"] = (*intros[name], *layout.get("intro", ()))
        w.frame(name, frame, bold_rows=bold.get(name), **layout)
    w.blocks(PARAMS_SHEET, params_blocks(params),
             intro=[f"Tham số đã dùng cho lần chạy trên tệp {source}", *notes,
                    "Sửa các bảng dưới đây rồi dùng lại tệp này với --params để chạy lại."])
    wb.close()


def full_list_files(review: Review, output: str | Path, full_sheet_max_rows: int | None = None) -> tuple[Path, ...]:
    """The files beside the workbook that hold the full annotated list: ``()`` for a list that fits the workbook.

    A list of more than ``full_sheet_max_rows`` rows (default
    :data:`~bhyt_xl.io.big_output.FULL_SHEET_MAX_ROWS`) gets
    ``<output stem>_day_du.csv`` and ``<output stem>_day_du.parquet``.
    """
    limit = big_output.FULL_SHEET_MAX_ROWS if full_sheet_max_rows is None else full_sheet_max_rows
    if len(review.table.data) <= limit:
        return ()
    return big_output.full_list_paths(output)


def write_review(review: Review, output: str | Path, *, full_sheet_max_rows: int | None = None,
                 fast: bool = True) -> Path:
    """Write the review's result workbook atomically; returns its path.

    Up to ``full_sheet_max_rows`` rows (default
    :data:`~bhyt_xl.io.big_output.FULL_SHEET_MAX_ROWS`) "Kết quả" holds every
    row. A longer list is too slow to write cell by cell: "Kết quả" then holds
    the flagged rows only (Cấp trùng, Thẻ giữ lại, Lỗi dữ liệu, with every
    column and "Dòng trong tệp") under a note that says so, and the complete
    "Kết quả" frame goes to the CSV and parquet files of
    :func:`full_list_files` beside the workbook. The other sheets are complete
    either way. Every file is written to a temporary file in the destination
    folder; the three are renamed into place together (the workbook last),
    after checking that none of them is locked. The workbook of a list longer
    than :data:`FAST_WRITE_MIN_ROWS` is written by rust_xlsxwriter when
    ``fast`` (see :mod:`bhyt_xl.io.rust_write`).
    """
    output = Path(output)
    bold = {sheets.SHEET_SUMMARY: review.result.summary["kind"].isin(["year", "total"]).to_numpy()}
    notes = (accounting_text(review.table, review.result.stats["errors"]), *review.notes())
    frames = review.sheets()
    extra = full_list_files(review, output, full_sheet_max_rows)
    if not extra:
        return write_workbook(output, frames, review.result.params, review.table.source, bold, notes,
                              fast=fast and len(review.table.data) > FAST_WRITE_MIN_ROWS)

    csv_path, parquet_path = extra
    if review.table.source in (csv_path.name, parquet_path.name):
        raise OutputError(f"Tệp kết quả '{output.name}' sẽ ghi đè tệp danh sách gốc '{review.table.source}'; "
                          "hãy chọn tên khác cho tệp kết quả.")
    full = frames[sheets.SHEET_RESULT]
    keep = big_output.flagged_mask(review.result.rows["verdict"])  # the Arrow strings: no object copy
    frames[sheets.SHEET_RESULT] = full[keep]
    intro = big_output.note_lines(csv_path, parquet_path, int(keep.sum()), len(full))
    with (atomic_path(output) as tmp_book, atomic_path(csv_path) as tmp_csv,
          atomic_path(parquet_path) as tmp_parquet):  # renamed in reverse order: parquet, CSV, workbook
        with ThreadPoolExecutor(max_workers=1) as pool:  # pyarrow writes without the GIL, beside XlsxWriter
            side = pool.submit(big_output.write_full_list, full, tmp_csv, tmp_parquet)
            _write_workbook_file(tmp_book, frames, review.result.params, review.table.source, bold, notes,
                                 {sheets.SHEET_RESULT: intro}, fast=fast)
            side.result()
        ensure_replaceable(output, csv_path, parquet_path)
    return output


# ---------------------------------------------------------------------------
@dataclasses.dataclass
class Continuity:
    """A finished continuity run (CV 1006 mục 2–3)."""

    table: InputTable
    cards: pd.DataFrame
    result: "ContinuityReview"
    problems: pd.DataFrame
    params: Params

    def sheets(self) -> dict[str, pd.DataFrame]:
        r = self.result
        return {
            sheets.SHEET_CONTINUITY: sheets.continuity_sheet(self.table.data, self.table.src_row, r.rows,
                                                             r.has_printed),
            sheets.SHEET_REPRINT: sheets.reprint_sheet(self.cards, r.rows),
            sheets.SHEET_PROBLEMS: sheets.problems_sheet(self.problems),
        }

    def message(self) -> str:
        rows = self.result.rows
        people = rows.loc[rows["valid"], "person"].nunique()
        reached = rows.loc[rows["reached"], "person"].nunique()
        text = (f"Đã đọc {vn_number(len(rows))} thẻ của {vn_number(people)} người; "
                f"{vn_number(reached)} người đủ 5 năm liên tục; "
                f"{vn_number(int((~rows['valid']).sum()))} dòng lỗi dữ liệu.")
        if self.result.has_printed:
            text += f" {vn_number(int(rows['reprint'].sum()))} thẻ cần in lại thông tin 5 năm liên tục."
        return text


def continuity_file(path: str | Path, params: Params | None = None, sheet: str | None = None,
                    as_of=None, extra: str | Path | None = None) -> Continuity:
    """Read a card list (and optionally a list of credited periods) and compute continuous participation."""
    table = read_table(path, sheet=sheet)
    extra_table = read_table(extra, kind="extra") if extra is not None else None
    return continuity_table(table, params, as_of=as_of, extra_table=extra_table)


def continuity_table(table: InputTable, params: Params | None = None, as_of=None,
                     extra_table: InputTable | None = None) -> Continuity:
    """Continuous participation for a list that has been read (and an optional list of credited periods)."""
    from bhyt_xl.core.participation import prepare_extra, review_continuity
    from bhyt_xl.problems import concat_problems

    params = params or Params()
    as_of = as_of if as_of is not None else params.continuity_as_of
    with large_list_memory(len(table.data)):
        cards, problems, _ = prepare_table(table, params)
        extra_periods = extra_problems = None
        if extra_table is not None:
            extra_periods, extra_problems = prepare_extra(extra_table.data, extra_table.columns, extra_table.src_row)
        result = review_continuity(cards, params, as_of=as_of, extra=extra_periods,
                                   has_printed="printed_5y" in table.columns)
    if extra_table is not None:
        problems = sheets_problems_union(
            {_origin(table, extra_table): problems,
             _origin(extra_table, table): concat_problems(extra_problems, result.problems)})
    return Continuity(table, cards, result, problems, params)


def _origin(table: InputTable, other: InputTable) -> str:
    """Where a list came from, for messages: its file, or its sheet when both lists are in one workbook."""
    if table.source == other.source and table.sheet:
        return f"Sheet {table.sheet}"
    return f"Tệp {table.source}"


def sheets_problems_union(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Problems of several lists in one problems table (list by list); the message names the list's origin."""
    from bhyt_xl.problems import empty_problems

    parts = [frame.assign(message=origin + ", " + frame["message"].astype(str))
             for origin, frame in frames.items() if len(frame)]
    return pd.concat(parts, ignore_index=True) if parts else empty_problems()


# ---------------------------------------------------------------------------
@dataclasses.dataclass
class Changes:
    """A finished increase/decrease run (CV 1006 mục 1)."""

    table: InputTable
    changes_table: InputTable
    result: "ChangeResult"
    problems: pd.DataFrame
    params: Params

    def sheets(self) -> dict[str, pd.DataFrame]:
        r = self.result
        return {
            sheets.SHEET_CHANGED_LIST: sheets.changed_list_sheet(self.table.data, self.table.columns,
                                                                 self.table.src_row, r.cards),
            sheets.SHEET_CHANGES: sheets.changes_sheet(r.applied),
            sheets.SHEET_CHANGE_SUMMARY: sheets.change_summary_sheet(r.summary),
            sheets.SHEET_EXPORT: sheets.export_sheet(r.cards),
            sheets.SHEET_PROBLEMS: sheets.problems_sheet(self.problems),
        }

    def message(self) -> str:
        s = self.result.stats
        return (f"Đã đọc {vn_number(len(self.table.data))} thẻ và {vn_number(s.get('changes', 0))} dòng tăng/giảm: "
                f"{vn_number(s.get('decreases', 0))} thẻ cắt giá trị, {vn_number(s.get('increases', 0))} thẻ tăng, "
                f"{vn_number(s.get('not_applied', 0))} dòng không áp dụng; số tiền không còn phải đóng "
                f"{vn_number(s.get('money_cut', 0))} đồng.")


def apply_changes_files(cards_path: str | Path, changes_path: str | Path, params: Params | None = None,
                        sheet: str | None = None, changes_sheet: str | None = None) -> Changes:
    """Read a card list and a list of increases/decreases; apply the changes."""
    table = read_table(cards_path, sheet=sheet)
    changes_table = read_table(changes_path, sheet=changes_sheet, kind="changes")
    return apply_changes_tables(table, changes_table, params)


def apply_changes_tables(table: InputTable, changes_table: InputTable, params: Params | None = None) -> Changes:
    """Apply a list of increases/decreases that has been read to a card list that has been read."""
    from bhyt_xl.core.changes import ChangeOptions, apply_changes, prepare_changes

    params = params or Params()
    cards, card_problems, _ = prepare_table(table, params)
    changes, change_problems = prepare_changes(unicode_table(changes_table)[0].data, changes_table.columns,
                                               changes_table.src_row)
    result = apply_changes(cards, changes, params, ChangeOptions(cut=params.decrease_cut))
    from bhyt_xl.problems import concat_problems

    problems = sheets_problems_union(
        {_origin(table, changes_table): card_problems,
         _origin(changes_table, table): concat_problems(change_problems, result.problems)}
    )
    return Changes(table, changes_table, result, problems, params)
