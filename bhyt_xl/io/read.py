"""Reading card lists from the files staff receive: .xlsx/.xlsm, .xls, .xlsb, .ods, .csv/.txt.

The header row is found automatically (real lists have titles, blank rows and
merged captions above it) by recognising column names
(:mod:`bhyt_xl.core.schema`); a header of two rows, captions over
sub-captions as official forms have it, is read as one (:func:`find_header`).
Values are kept as the file holds them: real date cells as dates, numbers as
numbers, text as text; code columns are never turned into numbers (a card
number "0123…" keeps its leading zero).

Speed: .xlsx is read with fastexcel (Rust/calamine; ~11× faster than openpyxl,
see shared/perf-notes.md); python-calamine probes the first rows and gives the
position of the used range so row numbers match what staff see in Excel, and
the merged cells. The same readers take .xls (Excel 97–2003), .xlsb and .ods.

The file's first bytes decide how it is read, not its name: a CSV or text file
renamed .xls is read as text, an .xlsx renamed .xls as .xlsx. A file that
cannot be used (empty, truncated, password-protected, an HTML page) gives one
Vietnamese sentence (:class:`~bhyt_xl.errors.BhytError`), never a traceback.

Rows that are not cards (blank rows, subtotals, the header repeated on each
printed page) are skipped and counted (:mod:`bhyt_xl.io.clean`), so that
"đọc N dòng = M hợp lệ + K lỗi + S bỏ qua" holds (:func:`accounting_text`);
the second row of a two-row header counts as a skipped header row.
The input file is only ever opened for reading.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import logging
import os
import re
import unicodedata
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from bhyt_xl.core.changes import (
    change_label,
    field_for_change_header,
    missing_change_columns,
)
from bhyt_xl.core.legacy import DECODERS, detect_legacy, header_readings, non_syllables
from bhyt_xl.core.participation import missing_extra_columns
from bhyt_xl.core.prepare import missing_required
from bhyt_xl.core.schema import field_for_header, label
from bhyt_xl.errors import InputFileError, MissingColumns, NoHeaderRow
from bhyt_xl.io import clean, split_read

HEADER_SCAN_ROWS = 30
MIN_RECOGNISED = 3
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
HTML_EXTENSIONS = {".htm", ".html"}
SUPPORTED = ", ".join(sorted(EXCEL_EXTENSIONS | CSV_EXTENSIONS))


@dataclasses.dataclass(frozen=True)
class ListKind:
    """What kind of list a file holds: how its headers are recognised and what it must have."""

    field_for: object  # header text -> canonical field or None
    anchors: frozenset  # the header row must name at least one of these
    missing: object  # recognised columns -> missing required fields
    label: object  # canonical field -> Vietnamese name
    description: str  # for messages


def legacy_aware(field_for):
    """``field_for`` that also recognises a header typed in TCVN3 or VNI ("Hä vµ tªn" -> Họ và tên)."""
    def recognise(text: object):
        found = field_for(text)
        if found is not None or not isinstance(text, str) or text.isascii():
            return found
        return next((f for f in map(field_for, header_readings(text)[1:]) if f is not None), None)

    return recognise


LIST_KINDS = {
    "cards": ListKind(legacy_aware(field_for_header), frozenset({"card_no", "full_name"}), missing_required, label,
                      "danh sách thẻ (cần các cột như Mã thẻ, Họ và tên, Ngày sinh, Giới tính, Địa chỉ, Từ ngày, Đến ngày)"),
    "changes": ListKind(legacy_aware(field_for_change_header), frozenset({"change_type", "effective_date"}), missing_change_columns,
                        change_label, "danh sách tăng/giảm (cần các cột như Mã số BHXH hoặc Mã thẻ, Loại tăng/giảm, "
                        "Ngày hiệu lực)"),
    "extra": ListKind(legacy_aware(field_for_header), frozenset({"valid_from", "valid_to"}), missing_extra_columns, label,
                      "danh sách thời gian được tính (cần Mã số BHXH hoặc Họ và tên, Ngày sinh, Giới tính, Địa chỉ; "
                      "Từ ngày, Đến ngày)"),
}


@dataclasses.dataclass
class InputTable:
    """A card list as read: original columns, recognised fields, row numbers and the rows skipped.

    Row accounting: ``rows_read`` (every row below the header down to the last
    non-blank one, all sheets) = ``len(data)`` (handed to the engine, which
    finds them valid or in error) + ``skipped`` (blank + subtotal + repeated
    header rows).
    """

    data: pd.DataFrame  # original columns, in file order; index 0..n-1
    columns: dict[str, str]  # canonical field -> column label in data
    src_row: np.ndarray  # row number as the user sees it in the file (in its own sheet)
    source: str  # file name
    sheet: str | None  # the sheet read (None for text files and for several sheets read as one list)
    header_row: int  # 1-based row number of the header (of the first sheet read); its first row if it has two
    skipped_blank: int  # fully blank rows below the header that were skipped
    skipped_subtotal: int = 0  # "Cộng", "Tổng cộng", … rows with no card number
    skipped_header: int = 0  # the header repeated (each printed page) or the row of column numbers
    src_sheet: np.ndarray | None = None  # sheet name per row when several sheets were read, else None
    sheets: tuple[str, ...] = ()  # the sheets read, in order
    hidden_sheets: tuple[str, ...] = ()  # hidden sheets with a list, not read (several-sheet reads)
    merged_filled: int = 0  # cells filled down from merged blocks
    header_rows: int = 1  # 2 for a header of captions over sub-captions (its second row counts as skipped)

    @property
    def first_data_row(self) -> int:
        """1-based row number of the first row below the header (of the first sheet read)."""
        return self.header_row + self.header_rows

    @property
    def header_place(self) -> str:
        """Where the header is, for messages: 'dòng 3', or 'dòng 3–4' for a two-row header."""
        if self.header_rows > 1:
            return f"dòng {self.header_row}–{self.header_row + self.header_rows - 1}"
        return f"dòng {self.header_row}"

    @property
    def skipped(self) -> int:
        return int(self.skipped_blank + self.skipped_subtotal + self.skipped_header)

    @property
    def rows_read(self) -> int:
        """N: the rows below the header (all sheets) = rows handed to the engine + rows skipped."""
        return len(self.data) + self.skipped

    def where(self, i: int) -> str:
        """Where row ``i`` of ``data`` is, for messages: 'Dòng 12' or 'Sheet Xã A, dòng 12'."""
        row = f"dòng {int(self.src_row[i])}"
        if self.src_sheet is not None:
            return f"Sheet {self.src_sheet[i]}, {row}"
        return row.capitalize()


def _vn_int(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


def accounting_text(table: InputTable, errors: int) -> str:
    """'Đọc N dòng = M dòng hợp lệ + K dòng lỗi + S dòng bỏ qua (tiêu đề/tổng cộng/trống: a/b/c).'

    ``errors``: rows the engine found in error (verdict "Lỗi dữ liệu"); the rest
    of the rows handed to it are valid.
    """
    errors = int(errors)
    valid = len(table.data) - errors
    return (f"Đọc {_vn_int(table.rows_read)} dòng = {_vn_int(valid)} dòng hợp lệ + {_vn_int(errors)} dòng lỗi + "
            f"{_vn_int(table.skipped)} dòng bỏ qua (tiêu đề/tổng cộng/trống: {_vn_int(table.skipped_header)}/"
            f"{_vn_int(table.skipped_subtotal)}/{_vn_int(table.skipped_blank)}).")


def existing_file(path: str | os.PathLike) -> Path:
    """``path`` as a Path, or :class:`InputFileError` when it is missing or a folder."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"Không tìm thấy tệp '{path}'.")
    if path.is_dir():
        raise InputFileError(f"'{path}' là một thư mục, không phải tệp danh sách.")
    return path


def read_table(path: str | os.PathLike, sheet: str | None = None, kind: str = "cards",
               all_sheets: bool = False) -> InputTable:
    """Read a list (``kind``: cards, changes or extra periods).

    ``sheet`` picks a sheet; by default the first sheet whose header is
    recognised is read. ``all_sheets`` reads every visible sheet with a
    recognised header as one list, with a column "Sheet" and ``src_sheet``
    per row (``sheet`` is then ignored).

    Raises :class:`InputFileError`, :class:`NoHeaderRow` or :class:`MissingColumns`.
    """
    spec = LIST_KINDS[kind]
    path = existing_file(path)
    ext = path.suffix.lower()
    if ext not in EXCEL_EXTENSIONS | CSV_EXTENSIONS | HTML_EXTENSIONS:
        raise InputFileError(
            f"Tệp '{path.name}' có đuôi '{ext or '(không có)'}' chưa được hỗ trợ; hãy dùng {SUPPORTED}."
        )
    tables = _read_any(path, ext, None if all_sheets else sheet, spec, all_sheets)
    for table in tables:
        _check_columns(table, spec)
    if len(tables) == 1 and not (all_sheets and tables[0].sheet is not None):
        return tables[0]
    return _concat(tables)


def read_tables(path: str | os.PathLike, kind: str = "cards") -> InputTable:
    """Every visible sheet with a recognised header, as one list (see :func:`read_table`)."""
    return read_table(path, kind=kind, all_sheets=True)


def _check_columns(table: InputTable, spec: ListKind) -> None:
    missing = spec.missing(table.columns)
    if missing:
        names = ", ".join(f'"{spec.label(f)}"' for f in missing)
        where = f"sheet '{table.sheet}' của tệp {table.source}" if table.sheet else f"tệp {table.source}"
        raise MissingColumns(
            f"Không tìm thấy cột {names} trong {where} (dòng tiêu đề là {table.header_place}); "
            "hãy thêm cột hoặc đổi tên tiêu đề cột cho đúng."
        )


def _damaged(name: str, exc: BaseException | None = None) -> str:
    return (f"Không mở được tệp Excel '{name}': tệp bị hỏng, chưa tải về hết hoặc không phải bảng tính. "
            "Hãy xin lại tệp gốc, hoặc mở bằng Excel rồi lưu lại dạng .xlsx (File → Save As).")


def _password(name: str) -> str:
    return ("Tệp có mật khẩu: mở bằng Excel, gỡ mật khẩu (File → Info → Protect Workbook) rồi lưu lại "
            f"(tệp '{name}').")


# ---------------------------------------------------------------------------
# What the file really is
# ---------------------------------------------------------------------------
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream names of an encrypted OOXML file
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def sniff(head: bytes) -> str:
    """The kind of content from the first bytes: 'empty', 'zip', 'ole', 'html', 'xml2003', 'text' or 'binary'."""
    if not head.strip(b" \t\r\n\x00"):
        return "empty"
    if head.startswith((ZIP_MAGIC, b"PK\x05\x06")):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    try:
        text = _decode(head, partial=True)
    except UnicodeDecodeError:
        return "binary"
    start = text.lstrip("\ufeff \t\r\n").lower()[:2000]
    if start.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in start or "progid=\"excel.sheet\"" in start:
            return "xml2003"
        if re.search(r"<(html|table|!doctype html|meta|head|body|tr|td)\b", start) or "<table" in text.lower():
            return "html"
    if "\x00" in text:
        return "binary"
    return "text"


def _zip_kind(path: Path) -> str:
    """'xlsx', 'xlsb' or 'ods' from the parts inside a zip; 'zip' if it is none of them."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "content.xml" in names:
                return "ods"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "broken"
    return "zip"


_EXT_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".ods": "ods", ".xls": "xls"}


def _read_any(path: Path, ext: str, sheet: str | None, spec: ListKind, all_sheets: bool) -> list[InputTable]:
    with path.open("rb") as f:
        head = f.read(65536)
    kind = sniff(head)
    if kind == "empty" and path.stat().st_size <= len(head):
        raise InputFileError(f"Tệp '{path.name}' trống (không có dữ liệu); hãy kiểm tra lại tệp nhận được.")
    if kind == "zip":
        zkind = _zip_kind(path)
        if zkind in ("broken", "zip"):
            raise InputFileError(_damaged(path.name))
        trimmed = _trim_sparse_xlsx(path) if zkind == "xlsx" else None
        if trimmed is None and zkind == "xlsx" and not all_sheets and _EXT_KIND.get(ext) == zkind:
            big = _read_big_xlsx(path, sheet, spec)
            if big is not None:
                return [big]
        if trimmed is not None:
            return _read_excel(path, zkind, sheet, spec, all_sheets, by_bytes=True, raw=trimmed)
        return _read_excel(path, zkind, sheet, spec, all_sheets, by_bytes=_EXT_KIND.get(ext) != zkind)
    if kind == "ole":
        raw = path.read_bytes()
        if _ENCRYPTED_PACKAGE in raw and _ENCRYPTION_INFO in raw:  # an encrypted .xlsx (OLE wrapper)
            raise InputFileError(_password(path.name))
        return _read_excel(path, "xls", sheet, spec, all_sheets, by_bytes=ext != ".xls", raw=raw)
    if kind == "html":
        return [_read_html(path, spec)]
    if kind == "xml2003":
        raise InputFileError(
            f"Tệp '{path.name}' là bảng tính dạng XML 2003 (thường do phần mềm xuất ra), chưa đọc được; "
            "hãy mở bằng Excel rồi lưu lại dạng .xlsx (File → Save As → Excel Workbook)."
        )
    if kind in ("text", "empty"):
        try:
            return [_read_csv(path, spec)]
        except NoHeaderRow:
            if ext in EXCEL_EXTENSIONS:
                raise InputFileError(
                    f"Không mở được tệp Excel '{path.name}': nội dung là văn bản, không phải bảng tính, và không có "
                    "dòng tiêu đề của danh sách. Hãy xin lại tệp gốc."
                ) from None
            raise
    if ext in CSV_EXTENSIONS:
        raise InputFileError(f"Không đọc được tệp '{path.name}': nội dung không phải văn bản (CSV) hay bảng tính.")
    raise InputFileError(_damaged(path.name))


# ---------------------------------------------------------------------------
# A stray value far below the list (a space typed at row 1,048,576, a formula
# ="" copied down the sheet) makes calamine allocate every cell of the used
# range: 1,048,576 rows × the width, ~32 bytes a cell (0.7 GB for 20 columns,
# and the sheet is read twice). Rows with only formatting cost nothing by
# themselves (calamine skips cells without a value). When a sheet claims a
# large range but holds few values, it is read from an in-memory copy without
# its value-less rows and without the space-only rows at its end: no value is
# dropped (spaces count as blank everywhere) and the input file is not touched.
SPARSE_MIN_CELLS = 2_000_000  # claimed cells (~64 MB in calamine) below which nothing is done
DENSE_BYTES_PER_CELL = 8  # a sheet XML this large per claimed cell is full of values (a value cell is >= ~20 bytes)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"\s*/>')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_V = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.DOTALL)
_TYPE = re.compile(rb'\bt="(\w+)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _claimed_cells(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(cells, last row) of the range a sheet's <dimension> claims; (0, 0) when it says nothing."""
    with z.open(info) as f:
        head = f.read(4096)
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return 0, 0
    rows = int(m.group(4)) - int(m.group(2)) + 1
    cols = _col_number(m.group(3)) - _col_number(m.group(1)) + 1
    return rows * cols, int(m.group(4))


def _trim_sparse_xlsx(path: Path) -> bytes | None:
    """An in-memory copy of the workbook with its sparse sheets trimmed, or None when no sheet needs it."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            trimmed: dict[str, bytes] = {}
            blank_strings = None
            for info in infos:
                name = info.filename
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                claimed, last_row = _claimed_cells(z, info)
                if claimed <= SPARSE_MIN_CELLS or info.file_size >= claimed * DENSE_BYTES_PER_CELL:
                    continue  # small, or its claimed cells really hold values (nothing to trim)
                xml = z.read(info)
                if blank_strings is None:
                    blank_strings = _blank_shared_strings(z)
                new = _keep_value_rows(xml, claimed, last_row, blank_strings)
                if new is not None:
                    trimmed[name] = new
            if not trimmed:
                return None
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
                for info in infos:
                    w.writestr(info, trimmed.get(info.filename) or z.read(info))
            return out.getvalue()
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return None  # the reader will say what is wrong with the file


# ---------------------------------------------------------------------------
# Large dense .xlsx: one parse, not two
# ---------------------------------------------------------------------------
# The general path parses a sheet twice: calamine for the first rows (to find
# the header; it loads the whole sheet to give them) and fastexcel for the
# data. For a large sheet the header is found in a copy of the workbook whose
# sheets are cut after their first rows, the data are parsed once by
# fastexcel, and the merged ranges (at the end of the sheet's XML) are read by
# a second thread meanwhile. Anything unusual falls back to the general path.
BIG_SHEET_BYTES = 64 * 1024 * 1024  # sheet XML (uncompressed) from which the one-parse path is taken
PROBE_ROWS = HEADER_SCAN_ROWS + 10
_ROW_END = re.compile(rb"<(?:\w+:)?row\b[^>]*?/>|</(?:\w+:)?row>")
_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b")
#: compressed bytes read at a time when the sheet's XML is streamed for the split parse (~2 MB of XML)
SCAN_CHUNK = 1 << 18
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)"')


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part ("xl/worksheets/sheet1.xml"), from workbook.xml and its relationships."""
    book = z.read("xl/workbook.xml")
    rels = z.read("xl/_rels/workbook.xml.rels")
    targets = {m.group(1): m.group(2) for m in re.finditer(
        rb'<(?:\w+:)?Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        rb'<(?:\w+:)?Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*?)/?>", book):
        attrs = m.group(1)
        name, rid = re.search(rb'\bname="([^"]*)"', attrs), re.search(rb'\br:id="([^"]+)"', attrs)
        if not name or not rid or rid.group(1) not in targets:
            continue
        target = targets[rid.group(1)].decode()
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[_xml_text(name.group(1))] = part
    return out


def _xml_text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8"))


def _sheet_head(z: zipfile.ZipFile, part: str, rows: int) -> bytes | None:
    """The sheet's XML cut after its first ``rows`` rows and closed again; None when its shape is unexpected."""
    buf = b""
    with z.open(part) as f:
        while True:
            chunk = f.read(1 << 20)
            buf += chunk
            ends = list(itertools.islice(_ROW_END.finditer(buf), rows))
            if len(ends) >= rows or not chunk:
                break
    m = _SHEET_DATA.search(buf)
    if m is None:
        return None
    prefix = m.group(1)
    if not ends:  # no row at all: the sheet is whole already (small), or empty
        return None
    cut = ends[-1].end()
    return buf[:cut] + b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"


def _member_chunks(path: Path, part: str, size: int = 1 << 16):
    """The uncompressed bytes of one zip member, piece by piece (about ``size`` compressed bytes each).

    A deflated or stored member is inflated straight from the file with zlib
    (no CRC pass: fastexcel reads, and checks, the same member); anything else
    goes through :mod:`zipfile`. On the 1M-row list's 698 MB sheet this takes
    0.9 s instead of zipfile's 1.6 s, on the core fastexcel leaves free.
    """
    import struct
    import zlib

    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
        if info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            with z.open(info) as f:
                while chunk := f.read(size * 4):
                    yield chunk
            return
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {part}")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        left = info.compress_size
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while left > 0:
            raw = fh.read(min(size, left))
            if not raw:
                raise zipfile.BadZipFile(f"{part} is cut short")
            left -= len(raw)
            chunk = inflate.decompress(raw) if inflate is not None else raw
            if chunk:
                yield chunk
        if inflate is not None and (rest := inflate.flush()):
            yield rest


class MergeScan:
    """Collects the ``<mergeCell ref="A1:D1"/>`` ranges of a sheet's XML fed to it piece by piece."""

    def __init__(self) -> None:
        self._ranges: set = set()
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        if b"mergeCell" not in chunk and b"mergeCell" not in self._tail + chunk[:16]:  # no copy of the chunk
            self._tail = chunk[-200:] if len(chunk) >= 200 else (self._tail + chunk)[-200:]
            return
        data = self._tail + chunk
        for m in _MERGE_REF.finditer(data):
            self._ranges.add(((int(m.group(2)) - 1, _col_number(m.group(1)) - 1),
                              (int(m.group(4)) - 1, _col_number(m.group(3)) - 1)))
        cut = data.rfind(b"<")  # a tag cut by the chunk's end is kept for the next chunk
        self._tail = data[cut:] if cut >= 0 and b">" not in data[cut:] else b""

    def ranges(self) -> list:
        """Merged ranges ((r0, c0), (r1, c1)), 0-based, sorted."""
        return sorted(self._ranges)

    def seen(self, chunks):
        """``chunks`` passed through, each one fed to the scan on its way."""
        for chunk in chunks:
            self.feed(chunk)
            yield chunk


def _merged_ranges_xml(path: Path, part: str, size: int = 1 << 16) -> list:
    """Merged ranges of a sheet ((r0, c0), (r1, c1)), 0-based, from its XML (streamed to its end)."""
    scan = MergeScan()
    for chunk in _member_chunks(path, part, size):
        scan.feed(chunk)
    return scan.ranges()


def _read_big_xlsx(path: Path, sheet: str | None, spec: ListKind) -> InputTable | None:
    """The one-parse read of a large .xlsx sheet, or None to use the general path (small, unusual or damaged)."""
    import concurrent.futures

    import fastexcel
    import python_calamine

    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    try:
        with zipfile.ZipFile(path) as z:
            parts = _sheet_parts(z)
            names = [sheet] if sheet is not None else list(parts)
            if not names or any(n not in parts for n in names):
                return None
            if not any(z.getinfo(parts[n]).file_size >= BIG_SHEET_BYTES for n in names):
                return None
            heads = {n: _sheet_head(z, parts[n], PROBE_ROWS) for n in names}
            if any(h is None for h in heads.values()):
                return None
            probe_zip = io.BytesIO()
            with zipfile.ZipFile(probe_zip, "w", zipfile.ZIP_STORED) as w:
                for part, data in {**split_read.other_parts(z), **{parts[n]: heads[n] for n in names}}.items():
                    w.writestr(part, data)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(probe_zip.getvalue()))
        meta = {m.name: m for m in getattr(book, "sheets_metadata", [])}
        for name in names:
            m = meta.get(name)
            if m is not None and m.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            ws = book.get_sheet_by_name(name)
            probe = ws.to_python(skip_empty_area=True, nrows=HEADER_SCAN_ROWS)
            found = find_header(probe, spec)
            if found is not None:
                break
        else:
            return None  # the general path gives the message
        if z.getinfo(parts[name]).file_size < BIG_SHEET_BYTES:
            return None
        h = found.last
        start_row, start_col = ws.start if ws.start else (0, 0)
        options = {"schema_sample_rows": None, "dtype_coercion": "coerce", "skip_whitespace_tail_rows": True}
        xml_bytes = z.getinfo(parts[name]).file_size
        pieces = split_read.piece_count(xml_bytes)
        table = None
        if pieces > 1:  # parsed in pieces on the machine's cores, merged ranges collected on the way
            scan = MergeScan()
            table = split_read.load_in_pieces(path, parts[name], name, start_row + h,
                                              scan.seen(_member_chunks(path, parts[name], SCAN_CHUNK)),
                                              pieces, options)
            ranges = scan.ranges()
        if table is not None:
            data = table.combine_chunks().to_pandas()
            del table  # the pieces' Arrow tables: pandas copied the dates and numbers out of them
        else:  # one parse by fastexcel, the merged ranges streamed from the XML's end meanwhile
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                merges = pool.submit(_merged_ranges_xml, path, parts[name])
                reader = fastexcel.read_excel(str(path))
                data = reader.load_sheet(name, header_row=start_row + h, **options).to_pandas()
                ranges = merges.result()
    except BaseException as exc:  # anything unexpected: the general path reads (and reports) the file
        if not _reader_failure(exc):
            raise
        return None
    if not _aligned(data, found):
        return None
    first = start_row + h + 1
    header_row = start_row + found.row + 1
    merged = blocks_below(ranges, first, start_col)
    return _finish(data, found.cells, found.fields, first + 1, path.name, name, header_row,
                   spec=spec, merged=merged, found=found)


def _aligned(data: pd.DataFrame, found: Header) -> bool:
    """Whether fastexcel's columns (named from the header row) start where the probe's header does."""
    names = [str(c) for c in data.columns]
    header = found.lines[-1] if found.lines else found.cells
    for j, cell in enumerate(header):
        if j >= len(names):
            return not _filled_cell(cell)
        if _filled_cell(cell) and names[j].strip() != str(cell).strip():
            return False
    return True


def _filled_cell(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _blank_shared_strings(z: zipfile.ZipFile) -> set[int]:
    """Indexes of shared strings that are empty or spaces only."""
    try:
        data = z.read("xl/sharedStrings.xml")
    except KeyError:
        return set()
    blank = set()
    for i, m in enumerate(re.finditer(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", data, re.DOTALL)):
        body = m.group(1) or b""
        if not b"".join(t.group(1) for t in _T.finditer(body)).strip():
            blank.add(i)
    return blank


def _row_has_value(row: bytes, blank_strings: set[int]) -> bool:
    """A <row> element holds a value that is not empty or spaces."""
    for c in _CELL.finditer(row):
        body = c.group(2)
        if not body:
            continue
        t = _TYPE.search(c.group(1))
        typ = t.group(1) if t else b"n"
        if typ == b"inlineStr":
            if b"".join(m.group(1) for m in _T.finditer(body)).strip():
                return True
            continue
        v = _V.search(body)
        if v is None or not v.group(1).strip():
            continue
        if typ == b"s" and v.group(1).strip().isdigit() and int(v.group(1)) in blank_strings:
            continue
        if typ == b"str" and not v.group(1).strip():
            continue
        return True
    return False


def _keep_value_rows(xml: bytes, claimed: int, last_row: int, blank_strings: set[int]) -> bytes | None:
    """Sheet XML with only the rows holding a value (space-only rows at the end dropped too), or None.

    Works from the value tags (few in a sparse sheet), not row by row: a
    million formatted rows cost a few ``bytes.find`` calls.
    """
    m = re.search(rb"<(\w+:)?sheetData\b[^>]*>", xml)
    if not m:
        return None
    prefix = m.group(1) or b""
    values = xml.count(b"<" + prefix + b"v>") + xml.count(b"<" + prefix + b"is>")
    if values * 4 >= claimed:
        return None  # a dense sheet: nothing to gain
    body_start = m.end()
    body_end = xml.find(b"</" + prefix + b"sheetData>", body_start)
    if body_end < 0:
        return None
    open_tag, close_tag = b"<" + prefix + b"row", b"</" + prefix + b"row>"
    value_tags = re.compile(rb"<" + re.escape(prefix) + rb"(?:v|is)>")
    rows = []
    pos = body_start
    while True:
        v = value_tags.search(xml, pos, body_end)
        if v is None:
            break
        start = xml.rfind(open_tag, body_start, v.start())
        end = xml.find(close_tag, v.end(), body_end)
        if start < 0 or end < 0:
            return None  # not the layout expected: read the file as it is
        end += len(close_tag)
        rows.append((start, end))
        pos = end
    while rows and not _row_has_value(xml[rows[-1][0]:rows[-1][1]], blank_strings):
        rows.pop()
    last = _ROW_NUMBER.search(xml, rows[-1][0], rows[-1][1]) if rows else None
    kept_last = int(last.group(1)) if last else 0
    if kept_last > last_row // 2:
        return None  # the far rows hold real values: they must be read
    parts = [_DIMENSION.sub(b"", xml[:body_start], count=1)]
    parts += [xml[a:b] for a, b in rows]
    parts.append(xml[body_end:])
    return b"".join(parts)


# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Header:
    """A list's header as found among the first rows of a sheet or file.

    ``rows`` is 1, or 2 for the official two-row form: captions over
    sub-captions ("Thẻ BHYT" merged over "Mã thẻ | Từ ngày | Đến ngày",
    "Ngày sinh" over "Nam | Nữ"). ``cells`` holds one caption per column (for
    a two-row header the upper and lower captions combined, e.g. "Thẻ BHYT Từ
    ngày"); ``lines`` the header's rows as they are, to recognise them when
    they are repeated further down (each printed page).
    """

    row: int  # 0-based index, among the rows looked at, of the header's first row
    rows: int
    fields: dict[int, str]  # column position -> canonical field
    cells: list[object]  # column labels
    lines: tuple[list[object], ...]

    @property
    def last(self) -> int:
        """0-based index of the header's last row (the data start below it)."""
        return self.row + self.rows - 1


def recognise_header(rows: list[list[object]], spec: ListKind = LIST_KINDS["cards"]) -> tuple[int, dict[int, str]] | None:
    """Find the header among the first rows: (index of its last row, {column position: canonical field}), or None.

    See :func:`find_header`; the data start on the row after the index given.
    """
    found = find_header(rows, spec)
    return None if found is None else (found.last, found.fields)


def find_header(rows: list[list[object]], spec: ListKind = LIST_KINDS["cards"]) -> Header | None:
    """Find the header among the first rows: the row (or pair of rows) recognising the most known columns.

    None when no row names at least three known columns including one of the
    kind's anchors (for card lists: the card number or the name).

    A pair of rows is a two-row header when its lower row holds sub-captions
    (text, no dates, numbers or codes; not the row of column numbers) of
    which at least one sits under a caption spanning several columns, and the
    pair recognises more columns than either row alone. A caption spans the
    columns to its right whose upper cell is blank while their lower cell has
    a sub-caption (a merged caption gives exactly this grid of values: its
    text in the leftmost cell, blanks to the right). Each column of the pair
    is recognised by its lower caption, else the upper and lower combined,
    else the upper one; so a single-row header, and a header followed by its
    row of column numbers, are found exactly as before.
    """
    best: Header | None = None
    rows = [list(r) if r is not None else [] for r in rows[:HEADER_SCAN_ROWS]]
    singles = [_recognise_row(r, spec) for r in rows]
    for i, row in enumerate(rows):
        found = singles[i]
        if _good(found, spec) and (best is None or len(found) > len(best.fields)):
            best = Header(i, 1, found, list(row), (row,))
        if i + 1 < len(rows):
            pair = _two_row_header(row, rows[i + 1], spec)
            if pair is None:
                continue
            cells, found = pair
            if (_good(found, spec) and len(found) > max(len(singles[i]), len(singles[i + 1]))
                    and (best is None or len(found) > len(best.fields))):
                best = Header(i, 2, found, cells, (row, rows[i + 1]))
    return best


def _good(found: dict[int, str], spec: ListKind) -> bool:
    return len(found) >= MIN_RECOGNISED and bool(spec.anchors & set(found.values()))


def _recognise_row(row: list[object], spec: ListKind) -> dict[int, str]:
    found: dict[int, str] = {}
    for j, cell in enumerate(row):
        field = spec.field_for(cell)
        if field is not None and field not in found.values():
            found[j] = field
    return found


def _caption(value: object) -> str:
    """A header cell as stripped text; '' for blanks (None, NaN, spaces)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return " ".join(str(value).split())


_NOT_CAPTION = re.compile(r"^[\d\s.,:;()/\-]*$|^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|^'?(?:[A-Za-z]{2}\s*\d|\d{5,})")


def _sub_caption_row(lower: list[object]) -> bool:
    """The lower row of a two-row header: text captions only (no date, number, code, column number or total)."""
    filled = [v for v in lower if _caption(v)]
    if not filled or clean._column_number_row(lower):
        return False
    for v in filled:
        if not isinstance(v, str):
            return False
        text = _caption(v)
        if len(text) > 80 or _NOT_CAPTION.match(text) or clean.is_subtotal_text(text):
            return False
    return True


def _two_row_header(upper: list[object], lower: list[object], spec: ListKind) -> tuple[list[object], dict[int, str]] | None:
    """(column labels, recognised fields) of ``upper`` over ``lower`` read as one header, or None if it is not one."""
    width = max(len(upper), len(lower))
    up = [_caption(v) for v in upper] + [""] * (width - len(upper))
    low = [_caption(v) for v in lower] + [""] * (width - len(lower))
    if not _sub_caption_row(lower):
        return None
    group = [""] * width  # the caption over each column that has a sub-caption
    spanned = False
    current = ""
    for j in range(width):
        if up[j]:
            current = up[j] if low[j] else ""
            group[j] = current
        elif low[j] and current:
            group[j] = current
            spanned = True
        else:
            current = ""
    if not spanned:
        return None
    cells: list[object] = []
    found: dict[int, str] = {}
    for j in range(width):
        if not low[j]:
            options = [up[j]]
            label_ = up[j]
        else:
            label_ = f"{group[j]} {low[j]}" if group[j] else low[j]
            options = [low[j], label_] + ([up[j]] if up[j] else [])
        cells.append(label_ or None)
        for text in options:
            field = spec.field_for(text) if text else None
            if field is not None:
                if field not in found.values():
                    found[j] = field
                break
    return cells, found


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
            source: str, sheet: str | None, header_row: int, *, spec: ListKind | None = None,
            merged: list[tuple[int, int, int]] | None = None, found: Header | None = None) -> InputTable:
    """The last step of every reader: column labels, merged blocks filled, rows skipped and counted, row numbers.

    ``data``: the cells below the header (row 0 = sheet row ``first_row``),
    columns in header order. ``merged``: (column, first row, last row) of
    merged blocks in ``data`` positions (only these cells are filled).
    ``found``: the header as :func:`find_header` found it; for a two-row
    header, ``header_row`` is its first row, both rows are recognised when
    repeated below, and its second row is counted as a skipped header row
    when ``data`` starts right below it (a reader cutting a list into chunks
    passes ``found`` with every chunk: only the first counts that row).
    """
    spec = spec or LIST_KINDS["cards"]
    labels = _unique_labels(header)
    data = data.iloc[:, : len(labels)]
    if merged:
        data = data.copy()
    data.columns = labels[: data.shape[1]]
    src_row = np.arange(len(data), dtype="int64") + first_row
    blank = clean.blank_rows(data)
    filled = clean.fill_merged(data, merged) if merged else 0
    header_rows = found.rows if found is not None else 1
    captions = found.lines if header_rows > 1 else ()
    own_rows = header_rows - 1 if first_row == header_row + header_rows else 0  # the header's rows below header_row
    rows = clean.classify_rows(data, header, fields, spec.field_for, blank, captions=captions)
    dropped = rows.subtotal | rows.header
    if dropped.any():
        data = data.copy()
        clean.restore_dates(data, dropped)
    keep = rows.keep
    data = data.loc[keep].reset_index(drop=True)
    clean.stamps_as_shown(data)  # dates fastexcel left as "1930-04-01 00:00:00" in a text column -> "01/04/1930"
    columns = {field: labels[j] for j, field in fields.items() if j < len(labels)}
    return InputTable(data, columns, src_row[keep], source, sheet, header_row, int(rows.blank.sum()),
                      skipped_subtotal=int(rows.subtotal.sum()),
                      skipped_header=int(rows.header.sum()) + own_rows,
                      sheets=(sheet,) if sheet else (), merged_filled=filled, header_rows=header_rows)


# ---------------------------------------------------------------------------
# Excel-like files (calamine)
# ---------------------------------------------------------------------------
def _read_excel(path: Path, kind: str, sheet: str | None, spec: ListKind, all_sheets: bool,
                by_bytes: bool = False, raw: bytes | None = None) -> list[InputTable]:
    import fastexcel
    import python_calamine

    # fastexcel logs "Could not determine dtype for column …" for empty columns; staff need not see it
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    source = path
    if by_bytes:
        source = raw if raw is not None else path.read_bytes()
    try:
        if by_bytes:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))
        else:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise InputFileError(_password(path.name)) from None
    except BaseException as exc:  # corrupt, truncated, not really an Excel file
        if not _reader_failure(exc):
            raise
        if "password" in str(exc).lower():
            raise InputFileError(_password(path.name)) from None
        raise InputFileError(_damaged(path.name, exc)) from None
    names = book.sheet_names
    if not names:
        raise InputFileError(_damaged(path.name))
    if sheet is not None and sheet not in names:
        raise InputFileError(f"Tệp '{path.name}' không có sheet '{sheet}'; các sheet có: {', '.join(names)}.")
    meta = {m.name: m for m in getattr(book, "sheets_metadata", [])}

    def hidden(name: str) -> bool:
        m = meta.get(name)
        return m is not None and m.visible != python_calamine.SheetVisibleEnum.Visible

    def is_worksheet(name: str) -> bool:
        m = meta.get(name)
        return m is None or m.typ == python_calamine.SheetTypeEnum.WorkSheet

    candidates = [sheet] if sheet is not None else [n for n in names if is_worksheet(n)]
    reader = None
    tables, hidden_found = [], []
    for name in candidates:
        try:
            ws = book.get_sheet_by_name(name)
            probe = ws.to_python(skip_empty_area=True, nrows=HEADER_SCAN_ROWS)
        except python_calamine.PasswordError:
            raise InputFileError(_password(path.name)) from None
        except BaseException as exc:  # a damaged sheet part
            if not _reader_failure(exc):
                raise
            raise InputFileError(_damaged(path.name, exc)) from None
        found = find_header(probe, spec)
        if found is None:
            continue
        if all_sheets and hidden(name):
            hidden_found.append(name)
            continue
        h = found.last  # the header's last row: the data start below it
        start_row, start_col = ws.start if ws.start else (0, 0)
        try:
            if reader is None:
                reader = fastexcel.read_excel(source if by_bytes else str(path))
            # fastexcel counts rows from the sheet's first row (calamine's probe, from the first used row)
            loaded = reader.load_sheet(name, header_row=start_row + h, schema_sample_rows=None,
                                       dtype_coercion="coerce", skip_whitespace_tail_rows=True)
            data = loaded.to_pandas()
        except BaseException as exc:  # damaged where the probe did not look
            if not _reader_failure(exc):
                raise
            raise InputFileError(_damaged(path.name, exc)) from None
        header_row = start_row + found.row + 1  # 1-based (the first row of a two-row header)
        first = start_row + h + 1  # 0-based sheet row of the first data row
        merged = _merged_blocks(ws, kind, source, name, first, start_col)
        tables.append(_finish(data, found.cells, found.fields, first + 1, path.name, name, header_row,
                              spec=spec, merged=merged, found=found))
        if not all_sheets:
            break
    if not tables and hidden_found:
        raise NoHeaderRow(
            f"Danh sách trong tệp '{path.name}' chỉ nằm ở sheet ẩn ({', '.join(hidden_found)}); hãy bỏ ẩn sheet "
            "(chuột phải vào tên sheet → Unhide) hoặc chọn đúng sheet đó."
        )
    if not tables:
        where = f"sheet '{sheet}'" if sheet else "sheet nào"
        raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong {where} của tệp '{path.name}'.")
    if hidden_found:
        tables[0].hidden_sheets = tuple(hidden_found)
    return tables


def _reader_failure(exc: BaseException) -> bool:
    """An error of the spreadsheet readers on a bad file (incl. a Rust panic, which is a BaseException)."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit)):
        return False
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _merged_blocks(ws, kind: str, source, name: str, first: int, start_col: int) -> list[tuple[int, int, int]]:
    """Merged ranges spanning several rows below the header -> (column, first, last) in data positions."""
    ranges = None
    try:
        ranges = ws.merged_cell_ranges
    except BaseException as exc:  # a reader without merge information for this format
        if not _reader_failure(exc):
            raise
        ranges = None
    if ranges is None and kind == "ods":
        try:
            ranges = _ods_merged(source, name)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError):  # ParseError is a SyntaxError
            ranges = None  # no merge information: nothing is filled
    return blocks_below(ranges or [], first, start_col)


def blocks_below(ranges, first: int, start_col: int = 0, width: int | None = None) -> list[tuple[int, int, int]]:
    """Merged ranges ((r0, c0), (r1, c1)) (0-based sheet cells) -> blocks for :func:`_finish`.

    Keeps the ranges spanning several rows whose first row is at or below
    ``first`` (the first data row) and whose first column is in the list
    (from ``start_col``, ``width`` columns): (column, first row, last row) in
    data positions.
    """
    blocks = []
    for (r0, c0), (r1, c1) in ranges:
        if r1 > r0 >= first and c0 >= start_col and (width is None or c0 - start_col < width):
            blocks.append((c0 - start_col, r0 - first, r1 - first))
    return blocks


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merged(source, sheet: str) -> list:
    """Merged ranges of one sheet of an .ods file (calamine gives none for .ods): ((r0, c0), (r1, c1)), 0-based."""
    import xml.etree.ElementTree as ET

    t = _ODS_TABLE
    out = []
    src = io.BytesIO(source) if isinstance(source, bytes) else source
    with zipfile.ZipFile(src) as z, z.open("content.xml") as f:
        in_sheet = False
        row = col = 0
        for event, el in ET.iterparse(f, events=("start", "end")):
            tag = el.tag
            if tag == t + "table":
                if event == "start":
                    in_sheet = el.get(t + "name") == sheet
                    row = 0
                elif in_sheet:
                    break
                continue
            if not in_sheet:
                if event == "end":
                    el.clear()
                continue
            if tag == t + "table-row":
                if event == "start":
                    col = 0
                else:
                    row += int(el.get(t + "number-rows-repeated", "1"))
                    el.clear()
            elif tag in (t + "table-cell", t + "covered-table-cell") and event == "end":
                rows_span = int(el.get(t + "number-rows-spanned", "1"))
                cols_span = int(el.get(t + "number-columns-spanned", "1"))
                if tag == t + "table-cell" and (rows_span > 1 or cols_span > 1):
                    out.append(((row, col), (row + rows_span - 1, col + cols_span - 1)))
                col += int(el.get(t + "number-columns-repeated", "1"))
    return out


# ---------------------------------------------------------------------------
# Several sheets as one list
# ---------------------------------------------------------------------------
SHEET_COLUMN = "Sheet"


def _concat(tables: list[InputTable]) -> InputTable:
    """Sheets read one by one -> one list: a "Sheet" column first, recognised columns under the first sheet's labels."""
    columns: dict[str, str] = {}
    for t in tables:
        for field, lab in t.columns.items():
            columns.setdefault(field, lab)
    sheet_col = SHEET_COLUMN
    taken = {c for t in tables for c in t.data.columns}
    k = 2
    while sheet_col in taken:
        sheet_col = f"{SHEET_COLUMN} ({k})"
        k += 1
    parts = []
    for t in tables:
        rename = {lab: columns[f] for f, lab in t.columns.items() if lab != columns[f]}
        # an unrecognised column of this sheet named like another field's label keeps its name apart
        clash = {c: f"{c} ({t.sheet})" for c in t.data.columns
                 if c not in t.columns.values() and c in columns.values()}
        frame = t.data.rename(columns={**clash, **rename})
        frame.insert(0, sheet_col, t.sheet)
        parts.append(frame)
    data = pd.concat(parts, ignore_index=True, sort=False)
    src_sheet = np.concatenate([np.full(len(t.data), t.sheet, dtype=object) for t in tables])
    first = tables[0]
    return InputTable(
        data, columns, np.concatenate([t.src_row for t in tables]), first.source, None, first.header_row,
        sum(t.skipped_blank for t in tables), skipped_subtotal=sum(t.skipped_subtotal for t in tables),
        skipped_header=sum(t.skipped_header for t in tables), src_sheet=src_sheet,
        sheets=tuple(t.sheet for t in tables), hidden_sheets=first.hidden_sheets,
        merged_filled=sum(t.merged_filled for t in tables), header_rows=first.header_rows,
    )


# ---------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------
def _decode(raw: bytes, partial: bool = False) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with BOM, or by its zero bytes), else Windows-1258 (composed to NFC).

    ``partial``: ``raw`` is only the head of the file (a character may be cut at the end).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
        body = raw[2:]
        if partial:
            body = body[: len(body) // 2 * 2]
        return body.decode(enc, errors="replace" if partial else "strict")
    sample = raw[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            body = raw[: len(raw) // 2 * 2] if partial else raw
            return body.decode("utf-16-le")
        if even > len(sample) // 4 and odd == 0:
            body = raw[: len(raw) // 2 * 2] if partial else raw
            return body.decode("utf-16-be")
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # the BOM off first: error offsets then count in body
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(body) - 3:
            return body[: exc.start].decode("utf-8")
        if eight_bit_codec(raw) == "latin-1":
            return raw.decode("latin-1")
        return unicodedata.normalize("NFC", raw.decode("cp1258", errors="strict"))


def eight_bit_codec(raw: bytes) -> str:
    """The codec of an 8-bit text file: "latin-1" when its text is TCVN3/VNI, else "cp1258" (Windows Vietnamese).

    A legacy list stores its font's code points as bytes: read as Latin-1 they
    are the characters :mod:`bhyt_xl.core.legacy` converts (column by column,
    after reading). Read as Windows-1258 they would be garbled beyond repair.
    Judged from the first lines.
    """
    sample = raw[:256 * 1024]
    text = sample.decode("latin-1")
    encoding = detect_legacy(pd.Series(text.splitlines()[:2000], dtype=object)) if text else None
    if encoding is None:
        return "cp1258"
    # Windows-1258 text read as Latin-1 can look like a legacy font too ("Thiò": i + the 1258 byte of a tone):
    # the reading with fewer words that are not Vietnamese syllables wins
    as_1258 = unicodedata.normalize("NFC", sample.decode("cp1258", errors="replace"))
    as_legacy = DECODERS[encoding](text)
    return "latin-1" if non_syllables(as_legacy) < non_syllables(as_1258) else "cp1258"


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError(f"Tệp '{path.name}' trống (không có dữ liệu); hãy kiểm tra lại tệp nhận được.")
    try:
        return _decode(raw)
    except UnicodeDecodeError:
        raise InputFileError(
            f"Không đọc được bảng mã của tệp '{path.name}'; hãy lưu lại dạng CSV UTF-8."
        ) from None


def csv_layout(text: str, name: str, spec: ListKind) -> tuple[str, int, dict[int, str], list[object]]:
    """Delimiter, header row index, recognised fields and header cells of a CSV text (its first lines).

    The index is the header's last row (the data start on the next line);
    for a two-row header the cells are its combined captions.
    """
    delimiter, found = _csv_header(text, name, spec)
    return delimiter, found.last, found.fields, list(found.cells)


def _csv_header(text: str, name: str, spec: ListKind) -> tuple[str, Header]:
    """Delimiter and header of a CSV text (its first lines)."""
    if "\x00" in text:
        raise InputFileError(f"Không đọc được tệp '{name}': nội dung không phải văn bản (CSV) hay bảng tính.")
    first_lines = text.splitlines()[:HEADER_SCAN_ROWS]
    delimiter = max([",", ";", "\t", "|"], key=lambda d: sum(line.count(d) for line in first_lines))
    probe = list(csv.reader(first_lines, delimiter=delimiter))
    found = find_header(probe, spec)
    if found is None:
        raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong tệp '{name}'.")
    return delimiter, found


def _read_csv(path: Path, spec: ListKind) -> InputTable:
    text = _read_text(path)
    delimiter, found = _csv_header(text, path.name, spec)
    header = list(found.cells)
    h = found.last
    try:
        data = _csv_frame(text, delimiter, h + 1, len(header))
    except CsvDamaged as exc:
        raise InputFileError(str(exc).replace("tệp CSV", f"tệp CSV '{path.name}'", 1)) from None
    if data.shape[1] > len(header):
        header += [None] * (data.shape[1] - len(header))
    return _finish(data, header, found.fields, h + 2, path.name, None, found.row + 1, spec=spec, found=found)


def _csv_frame(text: str, delimiter: str, skip: int, width: int) -> pd.DataFrame:
    """The lines after the header as text cells ('' -> missing); rows longer than the header widen the frame."""
    def read(w: int) -> pd.DataFrame:
        # bytes, not StringIO: pandas re-encodes a text buffer through a wrapper that grows with each read
        return pd.read_csv(
            io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=delimiter, header=None, skiprows=skip,
            dtype=str, keep_default_na=False,
            na_values=[], names=list(range(w)), index_col=False, skip_blank_lines=False, engine="c",
        )

    def widest() -> int:
        try:
            return max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)), default=width)
        except csv.Error:
            return width

    try:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                data = read(width)
            if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
                data = read(max(width, widest()))  # pandas would drop the cells beyond the header's width
        except pd.errors.ParserError:
            data = read(max(width, widest()))
    except pd.errors.EmptyDataError:
        return pd.DataFrame({j: pd.Series([], dtype=object) for j in range(width)})
    except pd.errors.ParserError as exc:  # e.g. a quote opened and never closed: the file was cut short
        where = re.search(r"row (\d+)", str(exc))
        line = f" (từ dòng {int(where.group(1)) + 1})" if where else ""  # pandas counts rows from 0
        raise CsvDamaged(
            f"Không đọc được tệp CSV{line}: có dấu ngoặc kép mở mà không đóng hoặc số cột lệch; "
            "tệp có thể chưa tải về hết. Hãy xin lại tệp, hoặc mở bằng Excel rồi lưu lại dạng .xlsx."
        ) from None
    return data.replace("", np.nan)


class CsvDamaged(InputFileError):
    """A text file pandas cannot split into rows (the message lacks the file name; _read_csv adds it)."""


# ---------------------------------------------------------------------------
# HTML pages saved as .xls (web exports)
# ---------------------------------------------------------------------------
def _html_parser_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("lxml") is not None or (
        importlib.util.find_spec("bs4") is not None and importlib.util.find_spec("html5lib") is not None
    )


_HTML_MARK = "\u2063"


def _html_cell(value: object) -> object:
    if isinstance(value, str):
        value = value.replace(_HTML_MARK, "").strip()
        return value or None
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def _read_html(path: Path, spec: ListKind) -> InputTable:
    """The first table of an HTML page (a web export renamed .xls) whose header is recognised."""
    if not _html_parser_available():
        raise InputFileError(
            f"Tệp '{path.name}' thực ra là trang web (HTML) được đặt đuôi bảng tính, máy này chưa đọc được; "
            "hãy mở tệp bằng Excel rồi lưu lại dạng .xlsx (File → Save As → Excel Workbook)."
        )
    text = _read_text(path)
    # Header cells become ordinary cells (the header is found like in any sheet), and every cell starts
    # with an invisible mark so that pandas keeps it as text ("0123" keeps its zero); the mark is removed.
    text = re.sub(r"<(/?)th\b", r"<\1td", text, flags=re.IGNORECASE)
    text = re.sub(r"(<td\b[^>]*>)", "\\1" + _HTML_MARK, text, flags=re.IGNORECASE)
    try:
        frames = pd.read_html(io.StringIO(text), header=None, keep_default_na=False, na_values=[])
    except ValueError:  # no table in the page
        frames = []
    for frame in frames:
        frame = frame.astype(object).map(_html_cell)
        probe = frame.head(HEADER_SCAN_ROWS).to_numpy(dtype=object).tolist()
        found = find_header(probe, spec)
        if found is None:
            continue
        h = found.last
        data = frame.iloc[h + 1:].reset_index(drop=True)
        data.columns = range(data.shape[1])
        return _finish(data, found.cells, found.fields, h + 2, path.name, None, found.row + 1, spec=spec,
                       found=found)
    raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong tệp '{path.name}' (trang HTML).")
