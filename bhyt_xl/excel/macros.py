"""The macros behind the workbook's buttons (``RunPython "import bhyt_xl.excel.macros as m; m.<name>()"``).

Each button function is ``name()`` = ``process_name(xw.Book.caller())``; the
work is in ``process_name(book)``, which takes any xlwings Book, so tests run
it on xlwings' remote engine (``xw.Book(json=payload)``, see
:mod:`bhyt_xl.excel.remote`).

* :func:`check_data` ("Kiểm tra dữ liệu"): read the list, write "Lỗi dữ liệu".
* :func:`run_review` ("Rà soát thẻ trùng"): review; write "Kết quả",
  "Chi tiết theo năm", "Tổng hợp", "Lỗi dữ liệu" (the CLI's sheets, from
  :meth:`bhyt_xl.api.Review.sheets`); colour the rows of the list.
* :func:`clear_results` ("Xóa kết quả"): after a yes/no question, delete
  those sheets and the colouring.
* :func:`check_setup` ("Kiểm tra cài đặt"): versions and paths on a sheet.

What staff can count on: the pasted list and "Tham số" are never written
(the list only gets background colours); result sheets are refreshed in
place on each run; the status bar shows progress and screen updating is off
while a macro runs, both restored even on error; a message box ends every
run. A :class:`~bhyt_xl.errors.BhytError` is shown as its Vietnamese
message; any other exception as one Vietnamese sentence, with the traceback
in ``bhyt_xl.log`` next to the workbook (else in the temp folder). The log
holds counts, row numbers and code locations only, never cell values.

Cells are read and written in whole blocks. On the remote engine the block
is converted by vectorised code here rather than cell by cell in xlwings
(the remote engine's own conversion costs ~1 µs per cell, 10 s for a
200,000-row result); on desktop Excel xlwings' conversion is used as is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import platform
import re
import struct
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import xlwings as xw

import bhyt_xl
from bhyt_xl.api import (
    SHEET_LAYOUTS,
    Review,
    apply_changes_tables,
    continuity_table,
    prepare_table,
    review_table,
)
from bhyt_xl.core.review import DATA_ERROR, DUPLICATE, KEPT
from bhyt_xl.core.values import is_blank
from bhyt_xl.errors import BhytError, InputFileError, MissingColumns, NoHeaderRow
from bhyt_xl.io import sheets as result_sheets
from bhyt_xl.io import suspects_io
from bhyt_xl.io.params_io import SHEET as PARAMS_SHEET
from bhyt_xl.io.params_io import params_from_rows

# _finish is the file reader's last step (column labels, blank rows, row numbers): reused, not copied.
from bhyt_xl.io.read import (
    HEADER_SCAN_ROWS,
    LIST_KINDS,
    InputTable,
    _finish,
    blocks_below,
    find_header,
    recognise_header,
)
from bhyt_xl.params import Params
from bhyt_xl.problems import WARNING

LIST_SHEET = "Danh sách thẻ"
GUIDE_SHEET = "Hướng dẫn"
SETUP_SHEET = "Kiểm tra cài đặt"
#: The sheets run_review writes, in workbook order (names and columns as the CLI's).
RESULT_SHEETS = (result_sheets.SHEET_RESULT, result_sheets.SHEET_BY_YEAR, result_sheets.SHEET_SUMMARY,
                 result_sheets.SHEET_PROBLEMS)
#: The template's header row of "Danh sách thẻ" (used when the sheet has no recognisable header).
TEMPLATE_HEADER_ROW = 4
LOG_NAME = "bhyt_xl.log"

#: Background of the list's rows by verdict (the duplicate's colour, lighter for the card kept).
ROW_COLOURS = {DUPLICATE: "#F4B084", KEPT: "#FCE4D6", DATA_ERROR: "#FFE699"}
COLOUR_WORDS = {DUPLICATE: "màu cam", KEPT: "màu cam nhạt", DATA_ERROR: "màu vàng"}
HEADER_FILL = "#DDEBF7"

TITLE_CHECK = "Kiểm tra dữ liệu"
TITLE_REVIEW = "Rà soát thẻ trùng"
TITLE_CLEAR = "Xóa kết quả"
TITLE_SETUP = "Kiểm tra cài đặt"
TITLE_CONTINUITY = "Tính 5 năm liên tục"
TITLE_CHANGES = "Áp dụng tăng/giảm"
TITLE_REPORTS = "Lập báo cáo"

#: Paste areas of the later buttons (same layout as "Danh sách thẻ": header on row 4).
CHANGES_SHEET = "Tăng giảm"
EXTRA_SHEET = "Thời gian được tính"
#: What the later buttons write ("Xóa kết quả" removes these too).
OTHER_RESULT_SHEETS = (result_sheets.SHEET_CONTINUITY, result_sheets.SHEET_REPRINT, result_sheets.SHEET_CHANGED_LIST,
                       result_sheets.SHEET_CHANGES, result_sheets.SHEET_CHANGE_SUMMARY, result_sheets.SHEET_EXPORT)

STATUS_READ = "Đang đọc danh sách…"
STATUS_REVIEW = "Đang rà soát…"
STATUS_WRITE = "Đang ghi kết quả…"

UNEXPECTED = "Đã xảy ra lỗi không mong đợi; chi tiết đã ghi vào tệp {log}."
UNEXPECTED_NO_LOG = "Đã xảy ra lỗi không mong đợi ({kind}); không ghi được tệp nhật ký."

#: Excel's limit for one multi-area address (Range("A5:O5,A9:O12,...")).
MAX_ADDRESS = 255


# ---------------------------------------------------------------------------
# Buttons
# ---------------------------------------------------------------------------
def check_data() -> None:
    """Button "Kiểm tra dữ liệu"."""
    process_check_data(xw.Book.caller())


def run_review() -> None:
    """Button "Rà soát thẻ trùng"."""
    process_run_review(xw.Book.caller())


def clear_results() -> None:
    """Button "Xóa kết quả"."""
    process_clear_results(xw.Book.caller())


def run_continuity() -> None:
    """Button "Tính 5 năm liên tục"."""
    process_run_continuity(xw.Book.caller())


def apply_changes() -> None:
    """Button "Áp dụng tăng/giảm"."""
    process_apply_changes(xw.Book.caller())


def make_reports() -> None:
    """Button "Lập báo cáo"."""
    process_make_reports(xw.Book.caller())


def check_setup(vba_version: str | None = None) -> None:
    """Button "Kiểm tra cài đặt"; ``vba_version`` is the workbook's XLWINGS_VERSION if the VBA passes it."""
    process_check_setup(xw.Book.caller(), vba_version)


@dataclasses.dataclass
class Outcome:
    """What a macro showed: whether it finished, the message box text, and the log written, if any."""

    ok: bool
    message: str
    log: Path | None = None


# ---------------------------------------------------------------------------
# The macros
# ---------------------------------------------------------------------------
def process_check_data(book) -> Outcome:
    """Read and validate the list; refresh "Lỗi dữ liệu"; message with the counts."""

    def body(ui: _Ui, context: dict) -> str:
        ui.status(STATUS_READ)
        table = read_list(book)
        context["rows"] = len(table.data)
        params, _ = read_params(book)
        ui.status(STATUS_REVIEW)
        cards, problems, _ = prepare_table(table, params)
        ui.status(STATUS_WRITE)
        write_sheet(book, result_sheets.SHEET_PROBLEMS, result_sheets.problems_sheet(problems),
                    after=_sheet(book, LIST_SHEET))
        _activate(book, LIST_SHEET)
        bad_rows = int((~cards["valid"]).sum())
        warnings = int((problems["severity"] == WARNING).sum())
        head = (f"Đã kiểm tra {_n(len(cards))} dòng của sheet \"{LIST_SHEET}\": {_n(bad_rows)} dòng lỗi dữ liệu "
                f"(sẽ không được rà soát), {_n(warnings)} cảnh báo.")
        if len(problems):
            return head + f" Xem từng lỗi trong sheet \"{result_sheets.SHEET_PROBLEMS}\" (cột Dòng là số dòng " \
                          f"trong sheet \"{LIST_SHEET}\")."
        return head + " Có thể bấm \"Rà soát thẻ trùng\"."

    return _run(book, "check_data", TITLE_CHECK, body)


def process_run_review(book) -> Outcome:
    """Review the list; refresh the four result sheets; colour the list's rows; message with the counts."""

    def body(ui: _Ui, context: dict) -> str:
        ui.status(STATUS_READ)
        table = read_list(book)
        context["rows"] = len(table.data)
        context["header_row"] = table.header_row
        params, params_note = read_params(book)
        decisions = read_decisions(book)
        if decisions is not None:
            params = params.replace(find_suspects=True)  # staff's decisions are applied and kept
        ui.status(STATUS_REVIEW)
        review = review_table(table, params, decisions=decisions)
        ui.status(STATUS_WRITE)
        write_review(book, review)
        colour_list(book, table, review.result.rows["verdict"].to_numpy())
        _activate(book, LIST_SHEET)
        return review_message(review, params_note)

    return _run(book, "run_review", TITLE_REVIEW, body)


def read_decisions(book) -> pd.DataFrame | None:
    """Staff decisions of the book's "Nghi trùng" sheet, or None when it holds none (or is absent)."""
    sheet = _sheet(book, suspects_io.SHEET)
    if sheet is None:
        return None
    decisions = suspects_io.decisions_from_rows(sheet_frame(sheet).to_numpy(dtype=object).tolist())
    return decisions if suspects_io.decision_counts(decisions) else None


def process_run_continuity(book) -> Outcome:
    """Continuous participation (CV 1006) of the list; refresh "Liên tục 5 năm", "Thẻ cần in lại", "Lỗi dữ liệu"."""

    def body(ui: _Ui, context: dict) -> str:
        ui.status(STATUS_READ)
        table = read_list(book)
        context["rows"] = len(table.data)
        params, params_note = read_params(book)
        extra = read_optional_list(book, EXTRA_SHEET, "extra")
        ui.status("Đang tính thời gian tham gia liên tục…")
        run = continuity_table(table, params, extra_table=extra)
        ui.status(STATUS_WRITE)
        write_frames(book, run.sheets())
        _activate(book, result_sheets.SHEET_CONTINUITY)
        used = f" Đã cộng thời gian được tính trong sheet \"{EXTRA_SHEET}\"." if extra is not None else ""
        return (run.message() + used + f" Xem sheet \"{result_sheets.SHEET_CONTINUITY}\" và "
                f"\"{result_sheets.SHEET_REPRINT}\" (tham số {params_note}).")

    return _run(book, "run_continuity", TITLE_CONTINUITY, body)


def process_apply_changes(book) -> Outcome:
    """Apply the increases/decreases pasted in "Tăng giảm" to the list; write the updated list and the summary."""

    def body(ui: _Ui, context: dict) -> str:
        ui.status(STATUS_READ)
        table = read_list(book)
        context["rows"] = len(table.data)
        changes = read_optional_list(book, CHANGES_SHEET, "changes")
        if changes is None:
            raise InputFileError(f"Chưa có danh sách tăng/giảm: hãy dán danh sách (Mã số BHXH hoặc Mã thẻ, Họ và "
                                 f"tên, Loại tăng/giảm, Ngày hiệu lực, Lý do) vào sheet \"{CHANGES_SHEET}\" từ dòng 5.")
        params, params_note = read_params(book)
        ui.status("Đang áp dụng tăng/giảm…")
        run = apply_changes_tables(table, changes, params)
        ui.status(STATUS_WRITE)
        write_frames(book, run.sheets())
        _activate(book, result_sheets.SHEET_CHANGES)
        return (run.message() + f" Danh sách trong sheet \"{LIST_SHEET}\" không bị sửa; danh sách sau tăng giảm ở "
                f"sheet \"{result_sheets.SHEET_CHANGED_LIST}\" (tham số {params_note}).")

    return _run(book, "apply_changes", TITLE_CHANGES, body)


def process_make_reports(book, confirm: bool | None = None) -> Outcome:
    """Write the report forms (Biểu 01–03, and the re-print list when the list has printed dates) as sheets.

    Older report sheets are replaced after a yes/no question. Where the workbook
    has a folder (desktop Excel) the forms are also written with the print
    layout to "<workbook>_BaoCao.xlsx" beside it and, with Excel, to PDF.
    """
    from bhyt_xl.reports import build_reports, settings_from_rows, write_reports

    existing = [name for name in _report_sheet_names() if _sheet(book, name) is not None]
    if existing and confirm is None:
        try:
            answer = book.app.alert(f"Thay các sheet báo cáo đã có ({', '.join(existing)}) bằng báo cáo mới?",
                                    title=TITLE_REPORTS, buttons="yes_no", mode="info")
        except Exception:  # an engine without message boxes cannot ask: do nothing
            answer = None
        confirm = answer == "yes"
    if existing and not confirm:
        return Outcome(False, "Đã hủy: giữ nguyên các sheet báo cáo cũ.")

    def body(ui: _Ui, context: dict) -> str:
        ui.status(STATUS_READ)
        table = read_list(book)
        context["rows"] = len(table.data)
        params, params_note = read_params(book)
        params_sheet = _sheet(book, PARAMS_SHEET)
        settings = settings_from_rows(sheet_frame(params_sheet).to_numpy(dtype=object).tolist()) \
            if params_sheet is not None else None
        ui.status(STATUS_REVIEW)
        review = review_table(table, params, decisions=read_decisions(book))  # as "Rà soát thẻ trùng" counts
        continuity = continuity_table(table, params) if "printed_5y" in table.columns else None
        tables = build_reports(review, settings, continuity=continuity)
        ui.status(STATUS_WRITE)
        after = _sheet(book, LIST_SHEET)
        for name, report in tables.items():
            after = write_sheet(book, name, report_sheet_frame(report), after=after)
        _activate(book, next(iter(tables)))
        extra = ""
        folder = _book_folder(book)
        if folder is not None:
            path = folder / f"{Path(book.name).stem}_BaoCao.xlsx"
            write_reports(path, review, settings, continuity=continuity)
            extra = f" Bản in đúng mẫu (A4, có chữ ký): {path.name}."
            pdf = _excel_pdf(book, path)
            if pdf is not None:
                extra += f" PDF: {pdf.name}."
        return (f"Đã lập {len(tables)} biểu báo cáo ({', '.join(tables)}) từ {_n(len(table.data))} thẻ; "
                f"{_n(review.result.stats['duplicates'])} thẻ cấp trùng (tham số {params_note}).{extra}")

    return _run(book, "make_reports", TITLE_REPORTS, body)


def report_sheet_frame(report) -> pd.DataFrame:
    """A report's table as a plain sheet: its leaf headers, and the label of each heading/subtotal/total row."""
    frame = report.frame()
    labelled = report.body["label"].notna().to_numpy() & (report.body["label"].astype(str) != "").to_numpy()
    if labelled.any() and frame.shape[1] > 1:
        column = frame.columns[1]
        frame[column] = frame[column].astype(object)
        frame.loc[labelled, column] = report.body["label"].to_numpy()[labelled]
    return frame


def _report_sheet_names() -> tuple[str, ...]:
    from bhyt_xl.reports import SHEET_01, SHEET_02, SHEET_03, SHEET_REPRINT

    return (SHEET_01, SHEET_02, SHEET_03, SHEET_REPRINT)


def _book_folder(book) -> Path | None:
    """The workbook's folder on disk, or None (remote engine, or a workbook never saved)."""
    if _is_remote(book):
        return None
    try:
        folder = Path(book.fullname).parent
    except Exception:
        return None
    return folder if str(folder) not in ("", ".") and folder.is_dir() else None


def _excel_pdf(book, path: Path) -> Path | None:
    """Export a report workbook to PDF with the running Excel (desktop only); None when it cannot."""
    pdf = path.with_suffix(".pdf")
    try:
        report = book.app.books.open(str(path))
        try:
            report.to_pdf(str(pdf))
        finally:
            report.close()
    except Exception:
        return None
    return pdf


def process_clear_results(book, confirm: bool | None = None) -> Outcome:
    """Ask (yes/no), then delete the result sheets and the colouring of the list.

    ``confirm=True`` skips the question, ``False`` cancels. With ``None`` the
    question is asked with ``app.alert``; an engine that cannot return the
    answer (the remote engine) counts as "no", so nothing is deleted unseen.
    """
    question = (f"Xóa các sheet kết quả ({', '.join(RESULT_SHEETS)}, và các sheet liên tục 5 năm, tăng/giảm, "
                f"báo cáo nếu có) và bỏ tô màu trong sheet \"{LIST_SHEET}\"? Danh sách đã dán được giữ nguyên.")
    if confirm is None:
        try:
            answer = book.app.alert(question, title=TITLE_CLEAR, buttons="yes_no", mode="info")
        except Exception:  # an engine without message boxes cannot ask: do nothing
            answer = None
        confirm = answer == "yes"
    if not confirm:
        return Outcome(False, "Đã hủy: không xóa gì.")

    def body(ui: _Ui, context: dict) -> str:
        ui.status("Đang xóa kết quả…")
        deleted = []
        kept_decisions = read_decisions(book) is not None
        for name in (*RESULT_SHEETS, *OTHER_RESULT_SHEETS, *_report_sheet_names(), suspects_io.SHEET):
            sheet = _sheet(book, name)
            if sheet is not None and not (name == suspects_io.SHEET and kept_decisions):
                sheet.delete()
                deleted.append(name)
        area = paste_area(book)
        if area is not None:
            sheet, first, last, ncols = area
            if last >= first:
                sheet.range((first, 1), (last, ncols)).color = None
        _activate(book, LIST_SHEET)
        what = f"Đã xóa {len(deleted)} sheet kết quả ({', '.join(deleted)})" if deleted else \
            "Không có sheet kết quả nào để xóa"
        kept = (f" Sheet \"{suspects_io.SHEET}\" được giữ lại vì có quyết định của cán bộ (xóa tay nếu không cần)."
                if kept_decisions else "")
        return what + f"; đã bỏ tô màu trong sheet \"{LIST_SHEET}\". Danh sách đã dán được giữ nguyên." + kept

    return _run(book, "clear_results", TITLE_CLEAR, body)


def process_check_setup(book, vba_version: str | None = None) -> Outcome:
    """Write the diagnostics sheet "Kiểm tra cài đặt"; message: all good, or what to fix."""

    def body(ui: _Ui, context: dict) -> str:
        ui.status("Đang kiểm tra cài đặt…")
        frame = setup_report(book, vba_version)
        write_sheet(book, SETUP_SHEET, frame, after=_sheet(book, GUIDE_SHEET))
        _activate(book, SETUP_SHEET)
        bad = frame[frame["Đánh giá"].str.startswith("CẦN SỬA")]
        if bad.empty:
            return f"Cài đặt đúng: Python, xlwings và bhyt-xl đều sẵn sàng. Chi tiết trong sheet \"{SETUP_SHEET}\"."
        return (f"Có {len(bad)} mục cần sửa: " + "; ".join(bad["Mục"]) +
                f". Xem cách sửa trong sheet \"{SETUP_SHEET}\".")

    return _run(book, "check_setup", TITLE_SETUP, body)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def read_list(book) -> InputTable:
    """The card list of "Danh sách thẻ" as the engine's :class:`InputTable` (header found anywhere in the first rows)."""
    sheet = _sheet(book, LIST_SHEET)
    if sheet is None:
        raise InputFileError(f"Không tìm thấy sheet \"{LIST_SHEET}\" trong bảng tính; hãy dán danh sách thẻ vào "
                             f"sheet có tên đúng \"{LIST_SHEET}\" (không đổi tên sheet).")
    frame = sheet_frame(sheet)
    return table_from_frame(frame, source=book.name, sheet=sheet.name,
                            merges=lambda first, width: merged_blocks(sheet, frame, first, width))


def read_optional_list(book, name: str, kind: str) -> InputTable | None:
    """The list pasted in sheet ``name`` (``kind``: changes / extra), or None when the sheet is absent or empty."""
    sheet = _sheet(book, name)
    if sheet is None:
        return None
    frame = sheet_frame(sheet)
    try:
        return table_from_frame(frame, source=book.name, sheet=name, kind=kind,
                                merges=lambda first, width: merged_blocks(sheet, frame, first, width))
    except InputFileError:
        if _has_rows_below_header(frame, kind):
            raise
        return None


def _has_rows_below_header(frame: pd.DataFrame, kind: str) -> bool:
    head = frame.head(HEADER_SCAN_ROWS)
    found = recognise_header(head.where(head.notna(), None).to_numpy(dtype=object).tolist(), LIST_KINDS[kind])
    if found is None:
        return frame.notna().to_numpy().any()
    return bool(frame.iloc[found[0] + 1:].notna().to_numpy().any())


def read_params(book) -> tuple[Params, str]:
    """Params from the workbook's "Tham số" sheet over the defaults, and a note on where they came from."""
    sheet = _sheet(book, PARAMS_SHEET)
    if sheet is None:
        return Params(), f"không có sheet \"{PARAMS_SHEET}\": dùng tham số mặc định"
    rows = sheet_frame(sheet).to_numpy(dtype=object).tolist()
    return params_from_rows(rows, Params(), source=f"sheet \"{PARAMS_SHEET}\""), f"theo sheet \"{PARAMS_SHEET}\""


def sheet_frame(sheet) -> pd.DataFrame:
    """Every cell value of a sheet from A1 to its last used cell, in one read: an object frame, columns 0..n-1.

    Blanks are None; date cells are datetimes; numbers and text as stored.
    """
    last = sheet.used_range.last_cell
    block = sheet.range((1, 1), (last.row, last.column))
    if _is_remote(sheet.book):
        frame = pd.DataFrame(list(block.raw_value), dtype=object)
        return frame.apply(_decode_remote_column) if frame.shape[1] else frame
    return pd.DataFrame(block.options(ndim=2).value, dtype=object)


# The remote engine receives dates as ISO strings ("2011-07-01T00:00:00.000Z") and
# errors as text; its own conversion turns them into datetimes / None cell by cell.
_REMOTE_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")
_REMOTE_ERRORS = ["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!"]


def _decode_remote_column(column: pd.Series) -> pd.Series:
    """One column of a remote payload, decoded as xlwings' remote ``.value`` would.

    Each distinct value is looked at once: "" and error texts become None,
    ISO date strings datetimes. A column of dates only (and blanks) comes
    back as datetime64, as a file reader gives it.
    """
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    decoded = np.empty(len(uniques) + 1, dtype=object)  # the last slot is for blanks (code -1)
    date_at = []
    for i, u in enumerate(uniques):
        if type(u) is str:
            if u == "" or u in _REMOTE_ERRORS:
                u = None
            elif len(u) >= 19 and u[10] == "T" and _REMOTE_DATE.match(u):
                date_at.append(i)
        decoded[i] = u
    if not date_at:
        return pd.Series(decoded.take(codes), index=column.index, dtype=object)
    text = pd.Series(uniques[date_at], dtype=object).str.replace(r"(?:Z|[+-]\d{2}:\d{2})$", "", regex=True)
    stamps = pd.to_datetime(text, format="ISO8601").to_numpy(dtype="datetime64[ns]")
    blank = np.array([d is None for d in decoded])
    if len(date_at) == (~blank).sum():  # dates and blanks only
        days = np.full(len(decoded), np.datetime64("NaT"), dtype="datetime64[ns]")
        days[date_at] = stamps
        return pd.Series(days.take(codes), index=column.index)
    decoded[date_at] = pd.DatetimeIndex(stamps).to_pydatetime()
    return pd.Series(decoded.take(codes), index=column.index, dtype=object)


def table_from_values(rows: list[list[object]], source: str, sheet: str | None = None) -> InputTable:
    """A list given as cell values from A1 (rows of a sheet) -> :class:`InputTable`, as the file reader makes it."""
    width = max((len(r) for r in rows), default=0)
    return table_from_frame(pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object),
                            source, sheet)


def table_from_frame(frame: pd.DataFrame, source: str, sheet: str | None = None, kind: str = "cards",
                     merges: Callable[[int, int], list[tuple[int, int, int]]] | None = None) -> InputTable:
    """As :func:`table_from_values`, for a frame of cell values from A1 (columns 0..n-1).

    The header is the row (or two rows) :func:`~bhyt_xl.io.read.find_header`
    finds in the first rows; row numbers are the sheet's. ``merges(first,
    width)`` gives the merged blocks of the list below the header (see
    :func:`merged_blocks`; ``first`` is the 0-based frame row of the first
    data row), filled down as the file reader fills them. Raises the reader's
    :class:`NoHeaderRow` / :class:`MissingColumns`, or :class:`InputFileError`
    when there are no cards under the header.
    """
    spec = LIST_KINDS[kind]
    where = f"sheet \"{sheet}\"" if sheet else f"tệp {source}"
    head = frame.head(HEADER_SCAN_ROWS)
    probe = head.where(head.notna(), None).to_numpy(dtype=object).tolist()
    found = find_header(probe, spec)
    if found is None:
        raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong {where}. "
                          "Hãy dán danh sách kèm dòng tiêu đề của nó.")
    h = found.last  # the data start below the header's last row
    header = list(found.cells)
    data = frame.iloc[h + 1:].reset_index(drop=True)
    used = [_filled(v) for v in header]
    if len(data):
        used = np.asarray(used) | data.notna().any(axis=0).to_numpy()
    width = int(np.flatnonzero(used).max()) + 1
    data = data.iloc[:, :width].apply(_typed_column) if len(data) else data.iloc[:, :width]
    blocks = merges(h + 1, width) if merges is not None and len(data) else None
    table = _finish(data, header[:width], found.fields, h + 2, source, sheet, found.row + 1, spec=spec,
                    merged=blocks, found=found)
    missing = spec.missing(table.columns)
    if missing:
        names = ", ".join(f'"{spec.label(f)}"' for f in missing)
        raise MissingColumns(
            f"Không tìm thấy cột {names} trong {where} (dòng tiêu đề là {table.header_place}); "
            "hãy thêm cột hoặc đổi tên tiêu đề cột cho đúng."
        )
    if table.data.empty:
        what = "thẻ nào" if kind == "cards" else "dòng nào"
        raise InputFileError(f"Chưa có {what} dưới dòng tiêu đề ({table.header_place}) của {where}; "
                             f"hãy dán danh sách từ dòng {table.first_data_row}.")
    return table


# Merged cells. A commune name merged down a block of rows holds its value in the block's first cell only;
# the file reader fills it down the block (``clean.fill_merged``), and so must the workbook, or each
# following row would lack its address. Merges are never guessed from values: a blank under a filled cell
# is filled only when Excel (or the payload) says the two cells are one merged area.
def merged_blocks(sheet, frame: pd.DataFrame, first: int, width: int) -> list[tuple[int, int, int]]:
    """Merged areas of the list below its header: (column, first row, last row) in data positions.

    ``frame``: the sheet's values from A1 (:func:`sheet_frame`); ``first``: the
    0-based frame row of the first data row; ``width``: the list's columns.
    Only areas spanning several rows whose top-left cell is in the list count
    (the form :func:`~bhyt_xl.io.read._finish` takes; the file reader keeps
    the same ones).

    * remote engine: the areas the payload lists for the sheet
      (:data:`bhyt_xl.excel.remote.MERGED_AREAS`; xlwings' own clients do not
      send them, and then nothing is filled);
    * desktop Excel: asked through COM (:func:`com_merged_blocks`).

    If Excel cannot be asked (another platform, a COM error), nothing is
    filled: the rows still reach the engine, which reports a missing address
    on each of them (logged here, never silent).
    """
    if len(frame) <= first or width <= 0:
        return []
    if _is_remote(sheet.book):
        return blocks_below(_remote_merged_ranges(sheet), first, 0, width)
    try:
        return com_merged_blocks(sheet.api, frame, first, width)
    except Exception as exc:  # noqa: BLE001 (not Excel on Windows, or COM refused: read without filling, and log it)
        write_log(sheet.book, {"macro": "merged_blocks", "phase": "reading merged cells"}, exc)
        return []


def _remote_merged_ranges(sheet) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The sheet's merged areas from the remote payload, as ((r0, c0), (r1, c1)) 0-based."""
    from bhyt_xl.excel.remote import MERGED_AREAS

    api = sheet.api
    addresses = api.get(MERGED_AREAS) if isinstance(api, dict) else None
    out = []
    for address in addresses or []:
        cells = _a1_area(str(address))
        if cells is not None:
            out.append(cells)
    return out


_A1_AREA = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


def _a1_area(address: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """'F5:F7' (or 'Sheet1!$F$5:$F$7') -> ((4, 5), (6, 5)), 0-based; None if it is not an A1 area."""
    m = _A1_AREA.match(address.rsplit("!", 1)[-1].strip())
    if not m:
        return None

    def col(letters: str) -> int:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        return n - 1

    r0, c0 = int(m.group(2)) - 1, col(m.group(1))
    r1, c1 = (int(m.group(4)) - 1, col(m.group(3))) if m.group(3) else (r0, c0)
    return (min(r0, r1), min(c0, c1)), (max(r0, r1), max(c0, c1))


def com_merged_blocks(api, frame: pd.DataFrame, first: int, width: int) -> list[tuple[int, int, int]]:
    """Merged blocks of the list, asked of desktop Excel through the worksheet's COM object ``api``.

    Cheap on 200,000 rows because Excel is asked only where a merged block
    can start, in three steps:

    1. ``UsedRange.MergeCells`` (False: no merged cell at all; one call);
    2. per list column with a candidate (below), ``Range(column below the
       header).MergeCells`` (False: none in that column; one call each);
    3. in the columns left, ``Cells(r, c).MergeArea.Address`` (three
       calls) only at the candidates: a filled cell directly above a blank
       one. Excel keeps a merged area's value in its top-left cell and none
       in the others, so every block worth filling (a value to copy, several
       rows) starts at such a cell; the blank is filled only if Excel
       answers that the two cells are one area.

    Excel is asked about a block once (its rows are then passed over), a
    column of horizontal merges (every row filled) costs no call, and no
    application state is changed (``Application.FindFormat`` with
    ``Range.Find(SearchFormat=True)`` would also find merged cells, but it
    visits every merged area, horizontal ones too, and leaves the user's
    Find dialog settings to restore).
    """
    n = len(frame)
    merge = api.UsedRange.MergeCells
    if merge is not None and not merge:
        return []
    blocks: list[tuple[int, int, int]] = []
    for j in range(min(width, frame.shape[1])):
        filled = ~is_blank(frame.iloc[first:, j]).to_numpy()
        candidates = np.flatnonzero(filled[:-1] & ~filled[1:])
        if not len(candidates):
            continue
        column = api.Range(api.Cells(first + 1, j + 1), api.Cells(n, j + 1))  # 1-based sheet rows
        merge = column.MergeCells
        if merge is not None and not merge:
            continue
        done = -1  # last data row of the block found last in this column
        for i in candidates.tolist():
            if i <= done:
                continue
            area = _a1_area(str(api.Cells(first + 1 + i, j + 1).MergeArea.Address))  # "$F$5:$F$7"
            if area is None:
                continue
            (r0, c0), (r1, _) = area
            if r1 > r0 == first + i and c0 == j:
                done = r1 - first
                blocks.append((j, i, done))
    return blocks



def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _typed_column(column: pd.Series) -> pd.Series:
    """A column whose every value is a date becomes datetime64 (the reader's type for date columns)."""
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "datetime":
        return pd.to_datetime(column).astype("datetime64[ns]")
    return column


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def write_frames(book, frames: dict[str, pd.DataFrame]) -> None:
    """Refresh result sheets in the given order, after "Danh sách thẻ"."""
    after = _sheet(book, LIST_SHEET)
    for name, frame in frames.items():
        after = write_sheet(book, name, frame, after=after)


def write_review(book, review: Review) -> None:
    """Refresh the result sheets (after "Danh sách thẻ", in the CLI's order, "Nghi trùng" when asked for)."""
    frames = review.sheets()
    bold = {result_sheets.SHEET_SUMMARY: review.result.summary["kind"].isin(["year", "total"]).to_numpy()}
    after = _sheet(book, LIST_SHEET)
    for name, frame in frames.items():
        after = write_sheet(book, name, frame, after=after, bold_rows=bold.get(name), **SHEET_LAYOUTS.get(name, {}))
    if review.suspects is None:  # suspects off: an old "Nghi trùng" sheet (no decision in it) is stale
        stale = _sheet(book, suspects_io.SHEET)
        if stale is not None:
            stale.delete()


def write_sheet(book, name: str, frame: pd.DataFrame, after=None, bold_rows: np.ndarray | None = None,
                intro: tuple[str, ...] = (), choices: dict[str, tuple[str, ...]] | None = None):
    """Replace the content of sheet ``name`` (added after ``after`` if missing) by ``frame`` with a header row.

    Number formats go on before the values, so text columns are stored as
    text (codes keep their leading zeros, nothing becomes a formula); dates
    are dd/mm/yyyy, money #,##0, months #,##0.00, as in the CLI's workbook.
    ``intro``: lines of text above the header row (a blank row between);
    ``choices``: column -> allowed values, a dropdown list on its cells (in
    desktop Excel; the remote engine has no data validation).
    """
    sheet = _sheet(book, name)
    if sheet is None:
        sheet = book.sheets.add(name, after=after) if after is not None else book.sheets.add(name)
    else:
        sheet.clear()
    nrows, ncols = frame.shape
    if ncols == 0:
        return sheet
    remote = _is_remote(book)
    top = len(intro) + 2 if intro else 1  # the header's sheet row
    if intro:
        sheet.range((1, 1), (len(intro), 1)).value = [[line] for line in intro]
        sheet.range((1, 1)).font.bold = True
    if nrows:
        for j, column in enumerate(frame.columns):
            fmt = _number_format(str(column), frame[column])
            if fmt:
                sheet.range((top + 1, j + 1), (top + nrows, j + 1)).number_format = fmt
    rows = [[str(c) for c in frame.columns]] + cell_rows(frame, remote)
    target = sheet.range((top, 1), (top + nrows, ncols))
    if remote:
        target.raw_value = rows
    else:
        target.value = rows
    header = sheet.range((top, 1), (top, ncols))
    header.color = HEADER_FILL
    header.font.bold = True
    if bold_rows is not None:
        for first, last in row_runs(np.flatnonzero(bold_rows) + top + 1):
            sheet.range((first, 1), (last, ncols)).font.bold = True
    sheet.range((top, 1), (top + min(nrows, 200), ncols)).columns.autofit()  # widths from the first rows: fast
    if not remote:
        for column, allowed in (choices or {}).items():
            j = list(map(str, frame.columns)).index(column) + 1
            _dropdown(sheet.range((top + 1, j), (top + max(nrows, 1) + 100, j)), allowed)
    return sheet


def _dropdown(rng, allowed: tuple[str, ...]) -> None:
    """A list validation (Excel's Data > Validation > List) on ``rng`` (desktop Excel, through COM)."""
    validation = rng.api.Validation
    validation.Delete()
    validation.Add(3, 1, 1, ",".join(allowed))  # xlValidateList, xlValidAlertStop, xlBetween, the list
    validation.ErrorTitle = "Giá trị không hợp lệ"
    validation.ErrorMessage = "Chọn một trong: " + " / ".join(allowed)


def _number_format(name: str, column: pd.Series) -> str | None:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return "dd/mm/yyyy"
    if "(đồng)" in name:
        return "#,##0"
    if name.startswith("Số tháng"):
        return "#,##0.00"
    if (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)) \
            and pd.api.types.infer_dtype(column, skipna=True) == "string":
        return "@"
    return None


def cell_rows(frame: pd.DataFrame, remote: bool) -> list[list[object]]:
    """The frame's cells as rows of plain values, converted column by column (each distinct value once).

    ``remote``: as xlwings' remote engine prepares them (dates as
    "YYYY-MM-DD[ HH:MM:SS]", blanks ""); else Python values for xlwings'
    desktop conversion (datetimes, None).
    """
    blank = "" if remote else None
    out = np.empty(frame.shape, dtype=object)
    for j in range(frame.shape[1]):
        out[:, j] = _cells(frame.iloc[:, j], remote, blank)
    return out.tolist()


def _cells(s: pd.Series, remote: bool, blank: object) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype) \
            or pd.api.types.is_datetime64_any_dtype(s.dtype):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            stamps = pd.DatetimeIndex(uniques)
            if remote:
                table = np.where(stamps.normalize() == stamps, stamps.strftime("%Y-%m-%d"),
                                 stamps.strftime("%Y-%m-%d %H:%M:%S")).astype(object)
            else:
                table = stamps.to_pydatetime().astype(object)
        else:
            table = np.empty(len(uniques), dtype=object)
            table[:] = [_plain(u, remote) for u in np.asarray(uniques, dtype=object)]
        return np.append(table, np.array([blank], dtype=object)).take(codes)  # code -1 (missing) takes the blank
    arr = s.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(arr)
    out = arr.astype(object)
    if pd.api.types.is_integer_dtype(s.dtype):
        out[~missing] = s.dropna().astype("int64").to_numpy().astype(object)
    out[missing] = blank
    return out


def _plain(value: object, remote: bool) -> object:
    """A distinct value of an object column as a plain cell value (dates per engine, numpy scalars as Python)."""
    if type(value) in (str, int, float, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        if not remote:
            return stamp.to_pydatetime()
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


# ---------------------------------------------------------------------------
# Colouring the list
# ---------------------------------------------------------------------------
def colour_list(book, table: InputTable, verdicts: np.ndarray) -> None:
    """Reset the background of the list's rows, then colour them by verdict; values are never touched.

    Consecutive rows of one colour are one range; on desktop Excel up to
    ``MAX_ADDRESS`` characters of such ranges go in one multi-area call.
    """
    sheet = _sheet(book, LIST_SHEET)
    ncols = table.data.shape[1]
    first = table.first_data_row
    last = max(sheet.used_range.last_cell.row, first)
    sheet.range((first, 1), (last, ncols)).color = None
    multi_area = not _is_remote(book)
    for verdict, colour in ROW_COLOURS.items():
        runs = row_runs(table.src_row[verdicts == verdict])
        if multi_area:
            for address in multi_area_addresses(runs, ncols):
                sheet.range(address).color = colour
        else:
            for r0, r1 in runs:
                sheet.range((r0, 1), (r1, ncols)).color = colour


def row_runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """Sheet rows -> runs of consecutive rows (first, last); e.g. [5, 6, 7, 9] -> [(5, 7), (9, 9)]."""
    rows = np.unique(np.asarray(rows, dtype="int64"))
    if len(rows) == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts = np.r_[rows[0], rows[breaks + 1]]
    ends = np.r_[rows[breaks], rows[-1]]
    return list(zip(starts.tolist(), ends.tolist()))


def multi_area_addresses(runs: list[tuple[int, int]], ncols: int, limit: int = MAX_ADDRESS) -> Iterator[str]:
    """Runs of rows as multi-area addresses ("A5:O7,A9:O9"), each at most ``limit`` characters."""
    last_col = _column_letter(ncols)
    current = ""
    for r0, r1 in runs:
        area = f"A{r0}:{last_col}{r1}"
        if current and len(current) + 1 + len(area) > limit:
            yield current
            current = area
        else:
            current = f"{current},{area}" if current else area
    if current:
        yield current


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def paste_area(book):
    """(sheet, first data row, last used row, number of columns) of the list, from its first rows only."""
    sheet = _sheet(book, LIST_SHEET)
    if sheet is None:
        return None
    last = sheet.used_range.last_cell
    probe_rows = min(last.row, HEADER_SCAN_ROWS)
    probe = sheet.range((1, 1), (probe_rows, last.column)).options(ndim=2).value
    found = recognise_header(probe)
    if found is None:
        return sheet, TEMPLATE_HEADER_ROW + 1, last.row, last.column
    return sheet, found[0] + 2, last.row, last.column


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
def review_message(review: Review, params_note: str) -> str:
    """The engine's summary, then where to look."""
    stats = review.result.stats
    colours = ", ".join(f"{label_} {COLOUR_WORDS[v]}" for v, label_ in
                        ((DUPLICATE, "thẻ cấp trùng"), (KEPT, "thẻ giữ lại"), (DATA_ERROR, "dòng lỗi dữ liệu")))
    where = (f" Xem sheet \"{result_sheets.SHEET_RESULT}\" (từng thẻ), \"{result_sheets.SHEET_SUMMARY}\" (theo năm "
             f"và nhóm đối tượng), \"{result_sheets.SHEET_BY_YEAR}\"")
    if stats["errors"] or len(review.result.problems):
        where += f" và \"{result_sheets.SHEET_PROBLEMS}\""
    return (review.message() + where + f". Trong sheet \"{LIST_SHEET}\": {colours}. "
            f"Tham số: {params_note}.")


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


# ---------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------
def setup_report(book, vba_version: str | None = None) -> pd.DataFrame:
    """The rows of "Kiểm tra cài đặt": item, value, and "Đúng" / "CẦN SỬA: …" / a note."""
    ok = "Đúng"
    rows = [("Thời điểm kiểm tra", dt.datetime.now().strftime("%d/%m/%Y %H:%M"), "")]
    rows.append(("Python (đường dẫn)", sys.executable, ok))
    bits = struct.calcsize("P") * 8
    py_ok = sys.version_info >= (3, 11)
    rows.append(("Phiên bản Python", f"{platform.python_version()} ({bits}-bit)",
                 ok if py_ok else "CẦN SỬA: cần Python 3.11 trở lên"))
    rows.append(("Hệ điều hành", platform.platform(), ""))
    rows.append(("bhyt-xl", f"{bhyt_xl.__version__} ({Path(bhyt_xl.__file__).parent})", ok))
    rows.append(("xlwings (Python)", xw.__version__, ok))
    vba = vba_version or _guide_vba_version(book)
    if vba is None:
        rows.append(("xlwings (mã VBA trong tệp)", "không rõ", "Không đọc được phiên bản mã VBA để so sánh"))
    elif vba == xw.__version__:
        rows.append(("xlwings (mã VBA trong tệp)", vba, ok))
    else:
        fix = f"CẦN SỬA: khác xlwings trong Python ({xw.__version__}); chạy: python.exe -m pip install xlwings=={vba}"
        rows.append(("xlwings (mã VBA trong tệp)", vba, fix))
    for package in ("pandas", "numpy", "openpyxl", "fastexcel", "python-calamine", "XlsxWriter"):
        try:
            version = importlib.metadata.version(package)
            rows.append((package, version, ok))
        except importlib.metadata.PackageNotFoundError:
            needed = package in ("pandas", "numpy")
            rows.append((package, "chưa cài", "CẦN SỬA: cài lại gói bhyt-xl" if needed
                         else "Chỉ cần khi đọc tệp bằng dòng lệnh"))
    if sys.platform.startswith("win"):
        dll = Path(sys.prefix) / f"xlwings{bits}-{xw.__version__}.dll"
        rows.append(("Tệp xlwings DLL (cho hàm BHYT_...)", str(dll),
                     ok if dll.exists() else "CẦN SỬA: không có tệp này; cài lại xlwings đúng phiên bản"))
    rows.append(("Sheet \"" + LIST_SHEET + "\"", *_list_status(book)))
    rows.append(("Sheet \"" + PARAMS_SHEET + "\"", *_params_status(book)))
    rows.append(("Tệp nhật ký lỗi", str(_log_folder(book) / LOG_NAME), ""))
    return pd.DataFrame(rows, columns=["Mục", "Giá trị", "Đánh giá"])


def _guide_vba_version(book) -> str | None:
    """The xlwings version the builder wrote on the guide ("xlwings (mã VBA trong tệp)" row), if any."""
    sheet = _sheet(book, GUIDE_SHEET)
    if sheet is None:
        return None
    for row in sheet_frame(sheet).to_numpy(dtype=object).tolist():
        if isinstance(row[0], str) and row[0].startswith("xlwings (mã VBA") and len(row) > 1:
            match = re.match(r"\s*(\d+\.\d+\.\d+)", str(row[1] or ""))
            return match.group(1) if match else None
    return None


def _list_status(book) -> tuple[str, str]:
    try:
        table = read_list(book)
    except InputFileError as exc:
        if _sheet(book, LIST_SHEET) is None:
            return "không có", f"CẦN SỬA: {exc}"
        return "chưa có thẻ", str(exc)
    except BhytError as exc:
        return "chưa đọc được", str(exc)
    return f"{_n(len(table.data))} thẻ; dòng tiêu đề {table.header_row}, {len(table.columns)} cột nhận được", "Đúng"


def _params_status(book) -> tuple[str, str]:
    try:
        _, note = read_params(book)
    except BhytError as exc:
        return "lỗi", f"CẦN SỬA: {exc}"
    return note, "Đúng"


# ---------------------------------------------------------------------------
# Running a macro: screen, status bar, message, errors
# ---------------------------------------------------------------------------
class _Ui:
    """Screen updating off, calculation manual and a status bar while a macro runs; all restored on exit.

    A property the engine cannot read or set (the remote engine has no
    status bar and cannot read screen updating or, from older clients,
    calculation) is skipped; ``unsupported`` names them.
    """

    def __init__(self, app, context: dict):
        self.app = app
        self.context = context
        self.unsupported: set[str] = set()
        self._restore: list[tuple[str, object]] = []
        self._status_set = False

    def __enter__(self) -> _Ui:
        self._change("screen_updating", False, unreadable=True)
        self._change("calculation", "manual", unreadable=None)
        return self

    def _change(self, name: str, value: object, unreadable: object) -> None:
        try:
            before = getattr(self.app, name)
        except Exception:  # the engine cannot read it
            if unreadable is None:
                self.unsupported.add(name)
                return
            before = unreadable
        try:
            setattr(self.app, name, value)
        except Exception:
            self.unsupported.add(name)
            return
        self._restore.append((name, before))

    def status(self, text: str) -> None:
        self.context["phase"] = text
        if "status_bar" in self.unsupported:
            return
        before = self._read("status_bar", False) if not self._status_set else None
        try:
            self.app.status_bar = text
        except Exception:  # e.g. the remote engine: no status bar
            self.unsupported.add("status_bar")
            return
        if not self._status_set:
            self._restore.append(("status_bar", before))
            self._status_set = True

    def _read(self, name: str, default: object) -> object:
        try:
            return getattr(self.app, name)
        except Exception:
            return default

    def __exit__(self, *exc) -> None:
        for name, before in reversed(self._restore):
            try:
                setattr(self.app, name, before)
            except Exception:  # restoring must not hide the macro's own error
                pass


def _run(book, macro: str, title: str, body: Callable[[_Ui, dict], str]) -> Outcome:
    context: dict = {"macro": macro}
    try:
        with _Ui(book.app, context) as ui:
            outcome = Outcome(True, body(ui, context))
    except BhytError as exc:
        outcome = Outcome(False, str(exc))
    except Exception as exc:
        log = write_log(book, context, exc)
        message = UNEXPECTED.format(log=log) if log else UNEXPECTED_NO_LOG.format(kind=type(exc).__name__)
        outcome = Outcome(False, message, log)
    _alert(book, outcome.message, title, "info" if outcome.ok else "critical")
    return outcome


def _alert(book, message: str, title: str, mode: str) -> None:
    try:
        book.app.alert(message, title=title, buttons="ok", mode=mode)
    except Exception:  # no message box on this engine: the status bar is the last resort
        try:
            book.app.status_bar = message[:250]
        except Exception:
            pass


# ---------------------------------------------------------------------------
# Error log: counts, row numbers and code locations only
# ---------------------------------------------------------------------------
def write_log(book, context: dict, exc: BaseException) -> Path | None:
    """Append the error to ``bhyt_xl.log`` next to the workbook (else in the temp folder); its path, or None."""
    text = log_entry(context, exc)
    for folder in dict.fromkeys([_log_folder(book), Path(tempfile.gettempdir())]):
        path = folder / LOG_NAME
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(text)
            return path
        except OSError:
            continue
    return None


def _log_folder(book) -> Path:
    """The workbook's folder when it has one on disk, else the user's temp folder."""
    try:
        folder = Path(book.fullname).parent
        if folder.is_absolute() and folder.is_dir():
            return folder
    except Exception:  # fullname unavailable, or a URL (OneDrive/SharePoint)
        pass
    return Path(tempfile.gettempdir())


def log_entry(context: dict, exc: BaseException) -> str:
    """One log entry: time, macro, versions, counts, then each exception of the chain without cell values."""
    head = (f"=== {dt.datetime.now():%Y-%m-%d %H:%M:%S} | {context.get('macro')} | bhyt_xl {bhyt_xl.__version__} | "
            f"xlwings {xw.__version__} | Python {platform.python_version()} | {platform.platform()}\n")
    facts = [f"{key}: {context[key]}" for key in ("phase", "rows", "header_row") if key in context]
    lines = [head] + ([" | ".join(facts) + "\n"] if facts else [])
    chain = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    for i, item in enumerate(reversed(chain)):
        if i:
            lines.append("-- dẫn tới lỗi sau --\n")
        lines.append("Traceback (most recent call last):\n")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f'  File "{_short_path(frame.filename)}", line {frame.lineno}, in {frame.name}\n')
            if frame.line:
                lines.append(f"    {frame.line.strip()}\n")
        lines.append(f"{type(item).__module__}.{type(item).__qualname__}: {redact(str(item))}\n")
    return "".join(lines) + "\n"


def _short_path(filename: str) -> str:
    """The last two parts of a source path ("bhyt_xl/api.py"): no user or folder names."""
    parts = Path(filename).parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else filename


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def redact(message: str) -> str:
    """An exception message without anything that could come from a cell.

    Quoted text becomes '…'; a word holding a digit becomes #; a word with a
    capital first letter or a non-ASCII letter (names, places) becomes …. What
    stays is lower-case ASCII wording such as "cannot convert … to integer".

    >>> redact("Nguyễn Văn B, '01/07/2011': bad value TA4569900100200 in row 27")
    "… … …, '…': bad value # in row #"
    """
    message = _QUOTED.sub(lambda m: m.group(0)[0] + "…" + m.group(0)[0], message)

    def word(match: re.Match) -> str:
        w = match.group(0)
        if any(ch.isdigit() for ch in w):
            return "#"
        if not w.isascii() or w[0].isupper():
            return "…"
        return w

    return re.sub(r"[^\s,;:()\[\]{}'\"=]+", lambda m: m.group(0) if m.group(0) == "…" else word(m), message)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
def _is_remote(book) -> bool:
    """Whether the book lives in xlwings' remote engine (writes are queued as actions)."""
    try:
        return book.app.engine.type == "remote"
    except Exception:
        return False


def _sheet(book, name: str):
    """The sheet called ``name`` (case-insensitive), or None."""
    want = name.casefold()
    for sheet in book.sheets:
        if sheet.name.casefold() == want:
            return sheet
    return None


def _activate(book, name: str) -> None:
    sheet = _sheet(book, name)
    if sheet is not None:
        sheet.activate()
