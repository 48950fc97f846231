#!/usr/bin/env python
"""Build the corpus of messy input files under tests/fixtures/messy/ (issue 8).

    python scripts/make_messy_fixtures.py [--out DIR] [--no-soffice]

Every file is made here from the same eight cards (:data:`CARDS`), laid out
the ways staff really receive lists: titles above the header, merged commune
cells, subtotal rows, the header repeated on each printed page, hidden rows,
autofilter, sheet protection, formulas with and without cached values, codes
as numbers or text, several sheets, a stray cell at row 1,048,576, old Excel
.xls, .ods, .xlsb, CSV/TXT in every encoding Excel writes, files renamed to
the wrong extension, empty, truncated, password-protected and corrupt files,
two-row headers (merged captions over sub-captions, in .xlsx and CSV).
The expected outcome of each is written by hand in ``expected.json`` (not by
this script).

Writers and determinism:
- XlsxWriter and openpyxl files are byte-identical on every run (fixed
  document dates, zip entries re-stamped with a fixed time).
- .xls and .ods (and the .xlsx with cached formula values) are converted by
  LibreOffice (``soffice --headless --convert-to``), which stamps the time:
  they are compared by content, not bytes.
- LibreOffice cannot write .xlsb; :func:`write_xlsb` is a minimal writer of
  the MS-XLSB record format (workbook, one sheet, a date style), enough for a
  spreadsheet reader; it was checked with calamine, not with Excel.
- password.xlsx is encrypted with msoffcrypto-tool (random salt: compared by
  outcome).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from bhyt_xl.samples.generate import encode_cp1258

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "messy"
FIXED = dt.datetime(2012, 1, 1, 8, 0, 0)
ZIP_TIME = (2012, 1, 1, 8, 0, 0)

HEADER = ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Ngày cấp",
          "Giá trị từ ngày", "Giá trị đến ngày", "Mã số BHXH", "Ghi chú"]
D = dt.date
# Eight cards. Cards 1 and 2 are one person (BT ranks before HN: card 2 kept, card 1 "Cấp trùng");
# card 6 has an impossible birth date ("Lỗi dữ liệu"); the rest overlap nobody.
CARDS = [
    ["HN2560123456789", "Nguyễn Văn An", D(1980, 1, 2), "Nam", "Xã Vĩnh Lương", "HN", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "0123456789", ""],
    ["BT2560123456780", "Nguyễn Văn An", D(1980, 1, 2), "Nam", "Xã Vĩnh Lương", "BT", D(2011, 6, 20),
     D(2011, 7, 1), D(2012, 12, 31), "0123456789", "cấp lại"],
    ["TE1560123456781", "Lê Thị Bình", D(2008, 3, 15), "Nữ", "Xã Vĩnh Lương", "TE", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "5612345678", ""],
    ["HS4560123456782", "Trần Văn Cường", "2005", "Nam", "Xã Vĩnh Hải", "HS", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "5612345679", ""],
    ["CN3560123456783", "Phạm Thị Dung", D(1975, 10, 20), "Nữ", "Xã Vĩnh Hải", "CN", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "5612345680", ""],
    ["HN2560123456784", "Hoàng Văn Em", "31/02/1960", "Nam", "Xã Vĩnh Hải", "HN", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "5612345681", "ngày sinh sai"],
    ["HD4560123456785", "Võ Thị Giang", D(1990, 5, 5), "Nữ", "Xã Vĩnh Ngọc", "HD", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "5612345682", ""],
    ["KC2560123456786", "Đặng Văn Hùng", D(1950, 12, 12), "Nam", "Xã Vĩnh Ngọc", "KC", D(2011, 1, 1),
     D(2011, 1, 1), D(2011, 12, 31), "5612345683", ""],
]
ADDRESS = HEADER.index("Địa chỉ")
BLOCKS = [(0, 3), (3, 6), (6, 8)]  # cards of each commune (merged address blocks)


def rows_numbered(cards=CARDS):
    return [[i + 1] + list(c) for i, c in enumerate(cards)]


def text_cell(v) -> str:
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else str(v)


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------
def freeze_zip(path: Path) -> None:
    """Rewrite a zip-based file with fixed entry times and fixed document dates (byte-identical runs)."""
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", data)
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)


# ---------------------------------------------------------------------------
# XlsxWriter layouts
# ---------------------------------------------------------------------------
def _xw_book(path: Path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": FIXED, "author": "bhyt-xl fixtures"})
    return wb


def _xw_row(ws, r, row, date_fmt, c0=0, fmt=None):
    for j, v in enumerate(row):
        if isinstance(v, dt.date):
            ws.write_datetime(r, c0 + j, dt.datetime.combine(v, dt.time()), date_fmt)
        elif isinstance(v, str):
            if v:
                ws.write_string(r, c0 + j, v, fmt) if fmt else ws.write_string(r, c0 + j, v)
        elif v is not None:
            ws.write_number(r, c0 + j, v)


def xlsx_basic(path: Path, header=HEADER, rows=None, title=True, sheet="Danh sách"):
    wb = _xw_book(path)
    ws = wb.add_worksheet(sheet)
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(header) - 1, "DANH SÁCH CẤP THẺ BHYT NĂM 2011")
        r = 2
    ws.write_row(r, 0, header)
    for i, row in enumerate(rows if rows is not None else rows_numbered()):
        _xw_row(ws, r + 1 + i, row, date)
    wb.close()
    freeze_zip(path)


def xlsx_merged_subtotals(path: Path):
    """Merged commune blocks, column numbers under the header, subtotals, a blank row, the header repeated."""
    wb = _xw_book(path)
    ws = wb.add_worksheet("DS")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    merged = wb.add_format({"valign": "vcenter"})
    ws.merge_range(0, 0, 0, 11, "DANH SÁCH CẤP THẺ BHYT NĂM 2011 - HUYỆN VĨNH LINH")
    ws.write_row(2, 0, HEADER)  # row 3
    ws.write_row(3, 0, [f"({k})" for k in range(1, 13)])  # row 4: column numbers
    rows = rows_numbered()
    r = 4
    captions = ["Cộng xã Vĩnh Lương", "Cộng xã Vĩnh Hải", "Cộng xã Vĩnh Ngọc"]
    for b, (i0, i1) in enumerate(BLOCKS):
        if b == 1:
            r += 1  # a blank row (row 9)
            ws.write_row(r, 0, HEADER)  # the header again on page 2 (row 10)
            r += 1
        for i in range(i0, i1):
            row = list(rows[i])
            row[ADDRESS] = None  # the merged cell holds it
            _xw_row(ws, r + (i - i0), row, date)
        ws.merge_range(r, ADDRESS, r + (i1 - i0) - 1, ADDRESS, rows[i0][ADDRESS], merged)
        r += i1 - i0
        ws.merge_range(r, 0, r, 4, captions[b])
        ws.write_number(r, 9, i1 - i0)
        r += 1
    ws.write_string(r, 2, "Tổng cộng")
    ws.write_number(r, 9, len(rows))
    wb.close()
    freeze_zip(path)


def xlsx_trailing_cell(path: Path):
    """A stray space typed at the sheet's last row (1,048,576) below a normal list."""
    import xlsxwriter  # noqa: F401

    wb = _xw_book(path)
    ws = wb.add_worksheet("Danh sách")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, HEADER)
    for i, row in enumerate(rows_numbered()):
        _xw_row(ws, 1 + i, row, date)
    border = wb.add_format({"bottom": 1})
    for r in range(9, 60):  # formatted, empty rows below the list
        ws.write_blank(r, 0, None, border)
    ws.write_string(1048575, 11, " ")
    wb.close()
    freeze_zip(path)


def xlsx_codes_as_numbers(path: Path):
    """BHXH numbers that lost their leading zero (numbers), years of birth as numbers, codes with a leading '."""
    rows = rows_numbered()
    rows[0][-2] = 123456789  # 0123456789 typed as a number
    rows[1][-2] = "'0123456789"  # a text mark that came along from a CSV import
    rows[3][3] = 2005  # year of birth as a number
    rows[4][-2] = 5612345680
    xlsx_basic(path, rows=rows, title=False)


def xlsx_multi_sheet(path: Path):
    """Instructions sheet, one sheet per commune (different column names and order), a hidden copy."""
    wb = _xw_book(path)
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    guide = wb.add_worksheet("Hướng dẫn")
    guide.write_string(0, 0, "Mỗi xã một sheet. Không sửa dòng tiêu đề.")
    a = wb.add_worksheet("Xã Vĩnh Lương")
    a.write_string(0, 0, "XÃ VĨNH LƯƠNG")
    a.write_row(2, 0, HEADER)
    for i, row in enumerate(rows_numbered()[0:3]):
        _xw_row(a, 3 + i, row, date)
    b = wb.add_worksheet("Xã Vĩnh Hải")
    alias = ["MA_THE", "HO_TEN", "NGAY_SINH", "GIOI_TINH", "DIA_CHI", "MA_DT", "NGAY_CAP", "GT_THE_TU",
             "GT_THE_DEN", "MA_SO_BHXH", "GHI_CHU"]
    b.write_row(0, 0, alias)
    r = 1
    for i, card in enumerate(CARDS[3:8]):
        if i == 2:
            r += 1  # blank row
        _xw_row(b, r, card, date)
        r += 1
    b.write_string(r, 1, "Cộng")
    b.write_number(r, 10, 5)
    hidden = wb.add_worksheet("Bản sao")
    hidden.write_row(0, 0, HEADER)
    for i, row in enumerate(rows_numbered()[0:3]):
        _xw_row(hidden, 1 + i, row, date)
    hidden.hide()
    wb.close()
    freeze_zip(path)


def xlsx_offset(path: Path):
    """The list starts at C5 (blank rows and columns above and left), a commune merged down its block."""
    wb = _xw_book(path)
    ws = wb.add_worksheet("DS")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string(4, 2, "DANH SÁCH CẤP THẺ BHYT - XÃ VĨNH LƯƠNG")  # C5
    ws.write_row(6, 2, HEADER)  # C7
    rows = rows_numbered()[0:3]
    for i, row in enumerate(rows):
        row = list(row)
        row[ADDRESS] = None
        _xw_row(ws, 7 + i, row, date, c0=2)
    ws.merge_range(7, 2 + ADDRESS, 9, 2 + ADDRESS, rows[0][ADDRESS])
    ws.write_string(10, 2, "Cộng")
    wb.close()
    freeze_zip(path)


#: A two-row header as official BHXH lists have it: captions over sub-captions (the 12 columns of HEADER).
TWO_ROW_UPPER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Thẻ BHYT", None, None, "Mã đối tượng",
                 "Ngày cấp", "Mã số BHXH", "Ghi chú"]
TWO_ROW_LOWER = [None, None, None, None, None, "Mã thẻ", "Từ ngày", "Đến ngày", None, None, None, None]
#: The cards in that column order.
TWO_ROW_ORDER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã thẻ", "Giá trị từ ngày",
                 "Giá trị đến ngày", "Mã đối tượng", "Ngày cấp", "Mã số BHXH", "Ghi chú"]


def _two_row_header(ws, r: int, caption) -> None:
    """The two-row header at rows r, r+1 (0-based): "Thẻ BHYT" merged over three columns, the rest merged down."""
    for j, (up, low) in enumerate(zip(TWO_ROW_UPPER, TWO_ROW_LOWER)):
        if low is None and up is not None:
            ws.merge_range(r, j, r + 1, j, up, caption)
        elif low is not None:
            ws.write_string(r + 1, j, low, caption)
    ws.merge_range(r, 5, r, 7, "Thẻ BHYT", caption)


def xlsx_two_row_header(path: Path):
    """A two-row header with merged captions, the row of column numbers, the two-row header again on page 2."""
    wb = _xw_book(path)
    ws = wb.add_worksheet("DS")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    caption = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    ws.merge_range(0, 0, 0, 11, "DANH SÁCH CẤP THẺ BHYT NĂM 2011")
    _two_row_header(ws, 2, caption)  # rows 3-4
    ws.write_row(4, 0, list(range(1, 13)))  # row 5: column numbers
    order = [HEADER.index(name) for name in TWO_ROW_ORDER]
    rows = [[row[k] for k in order] for row in rows_numbered()]
    for i in range(5):
        _xw_row(ws, 5 + i, rows[i], date)  # rows 6-10
    _two_row_header(ws, 10, caption)  # rows 11-12: page 2
    for i in range(5, 8):
        _xw_row(ws, 7 + i, rows[i], date)  # rows 13-15
    ws.write_string(15, 1, "Tổng cộng")
    ws.write_number(15, 0, 8)
    wb.close()
    freeze_zip(path)


def csv_two_row_header() -> str:
    """A two-row header in values only: "Ngày sinh" over "Nam" / "Nữ" (the birth date in the column of the sex),
    "Hạn sử dụng" over "Từ" / "Đến"; then the row of column labels "A B C 1 2 …" and a total."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["DANH SÁCH CẤP THẺ BHYT NĂM 2011"])
    w.writerow([])
    w.writerow(["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "", "Địa chỉ", "Mã đối tượng", "Ngày cấp", "Hạn sử dụng",
                "", "Mã số BHXH", "Ghi chú"])
    w.writerow(["", "", "", "Nam", "Nữ", "", "", "", "Từ", "Đến", "", ""])
    w.writerow(["A", "B", "C", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    for row in rows_numbered():
        cells = [text_cell(v) for v in row]
        birth, sex = cells[3], cells[4]
        cells[3:5] = [birth, ""] if sex == "Nam" else ["", birth]
        w.writerow(cells)
    w.writerow(["", "", "Tổng cộng: 8 người", "", "", "", "", "", "", "", "", ""])
    return buf.getvalue()


def xlsx_header_only(path: Path):
    xlsx_basic(path, rows=[])


def xlsx_no_header(path: Path):
    wb = _xw_book(path)
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["Số", "Tên", "Ghi chú"])
    ws.write_row(1, 0, [1, "Nguyễn Văn An", "không phải danh sách thẻ"])
    wb.close()
    freeze_zip(path)


# ---------------------------------------------------------------------------
# openpyxl layouts (hidden rows/columns, autofilter, protection, formulas)
# ---------------------------------------------------------------------------
def _op_book():
    import openpyxl

    wb = openpyxl.Workbook()
    wb.properties.creator = "bhyt-xl fixtures"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    return wb


def _op_rows(ws, rows, start):
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            cell = ws.cell(row=start + i, column=j + 1)
            if isinstance(v, dt.date):
                cell.value = dt.datetime.combine(v, dt.time())
                cell.number_format = "dd/mm/yyyy"
            elif v not in ("", None):
                cell.value = v


def xlsx_hidden_filter_protected(path: Path):
    wb = _op_book()
    ws = wb.active
    ws.title = "Danh sách"
    ws["A1"] = "DANH SÁCH CẤP THẺ BHYT"
    for j, h in enumerate(HEADER):
        ws.cell(row=3, column=j + 1, value=h)
    _op_rows(ws, rows_numbered(), 4)
    ws.row_dimensions[6].hidden = True  # card 3
    ws.row_dimensions[9].hidden = True  # card 6
    ws.column_dimensions["L"].hidden = True  # Ghi chú
    ws.column_dimensions["E"].hidden = True  # Giới tính
    ws.auto_filter.ref = "A3:L11"
    ws.auto_filter.add_filter_column(5, ["Xã Vĩnh Lương"])
    ws.protection.sheet = True
    ws.protection.password = "123"
    wb.save(path)
    freeze_zip(path)


def xlsx_formulas(path: Path):
    """Formulas as openpyxl writes them: no cached values (Excel would compute them when opened)."""
    wb = _op_book()
    ws = wb.active
    ws.title = "Danh sách"
    for j, h in enumerate(HEADER):
        ws.cell(row=1, column=j + 1, value=h)
    rows = rows_numbered()
    _op_rows(ws, rows, 2)
    for i in range(len(rows)):
        r = 2 + i
        ws.cell(row=r, column=7).value = f"=LEFT(B{r},2)"  # Mã đối tượng from the card number
        ws.cell(row=r, column=1).value = "=ROW()-1"  # STT
    ws["J4"] = "=I4+364"  # card 3's end date, computed
    ws["J4"].number_format = "dd/mm/yyyy"
    wb.save(path)
    freeze_zip(path)


# ---------------------------------------------------------------------------
# .xlsb (minimal MS-XLSB writer: LibreOffice cannot write .xlsb)
# ---------------------------------------------------------------------------
def _rec(typ: int, body: bytes = b"") -> bytes:
    out = bytearray()
    t = typ
    while True:  # record type: 7 bits per byte, at most 2 bytes
        b = t & 0x7F
        t >>= 7
        out.append(b | (0x80 if t else 0))
        if not t:
            break
    n = len(body)
    while True:  # record size: 7 bits per byte
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            break
    return bytes(out) + body


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def write_xlsb(path: Path, rows: list[list], sheet: str = "Danh sách") -> None:
    """One sheet of text, numbers and dates (date style = built-in format 14) as an .xlsb file."""
    epoch = dt.date(1899, 12, 30)
    sheet_bin = bytearray()
    sheet_bin += _rec(0x81)  # BrtBeginSheet
    width = max(len(r) for r in rows)
    sheet_bin += _rec(0x94, struct.pack("<IIII", 0, len(rows) - 1, 0, width - 1))  # BrtWsDim
    sheet_bin += _rec(0x91)  # BrtBeginSheetData
    for r, row in enumerate(rows):
        sheet_bin += _rec(0x00, struct.pack("<IIHHBI", r, 0, 300, 0, 0, 0))  # BrtRowHdr
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, dt.date):
                serial = float((v - epoch).days)
                sheet_bin += _rec(0x05, struct.pack("<IId", c, 1, serial))  # BrtCellReal, style 1 (date)
            elif isinstance(v, (int, float)):
                sheet_bin += _rec(0x05, struct.pack("<IId", c, 0, float(v)))
            else:
                sheet_bin += _rec(0x06, struct.pack("<II", c, 0) + _wide(str(v)))  # BrtCellSt
    sheet_bin += _rec(0x92)  # BrtEndSheetData
    sheet_bin += _rec(0x82)  # BrtEndSheet

    book = _rec(0x83) + _rec(0x8F)  # BrtBeginBook, BrtBeginBundleShs
    book += _rec(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide(sheet))  # BrtBundleSh
    book += _rec(0x90) + _rec(0x84)  # BrtEndBundleShs, BrtEndBook

    xf = struct.pack("<HH", 0xFFFF, 0) + bytes(12)
    xf_date = struct.pack("<HH", 0xFFFF, 14) + bytes(12)
    styles = _rec(0x269, struct.pack("<I", 2)) + _rec(0x2F, xf) + _rec(0x2F, xf_date) + _rec(0x26A)

    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
        '<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/>'
        '</Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.bin"/></Relationships>'
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.bin"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'styles" Target="styles.bin"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", content_types.encode()), ("_rels/.rels", rels.encode()),
                           ("xl/workbook.bin", book), ("xl/_rels/workbook.bin.rels", book_rels.encode()),
                           ("xl/styles.bin", styles), ("xl/worksheets/sheet1.bin", bytes(sheet_bin))]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, data)


def xlsb_basic(path: Path):
    rows = [["DANH SÁCH CẤP THẺ BHYT NĂM 2011"], [], HEADER] + rows_numbered()
    write_xlsb(path, rows)


# ---------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------
def csv_text(sep=",", cards=CARDS, title=True, extra_rows=()) -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    if title:
        w.writerow(["DANH SÁCH CẤP THẺ BHYT NĂM 2011"])
        w.writerow([])
    w.writerow(HEADER)
    for row in rows_numbered(cards):
        w.writerow([text_cell(v) for v in row])
    for row in extra_rows:
        w.writerow(row)
    return buf.getvalue()


def csv_messy() -> str:
    """Subtotals, the header again, a column-number row and Excel's trailing empty rows, as a CSV export."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerow([str(k) for k in range(1, 13)])
    rows = rows_numbered()
    for b, (i0, i1) in enumerate(BLOCKS):
        if b == 2:
            w.writerow(HEADER)
        for row in rows[i0:i1]:
            w.writerow([text_cell(v) for v in row])
        w.writerow(["", "", f"Cộng nhóm {b + 1}", "", "", "", "", "", "", str(i1 - i0), "", ""])
        w.writerow([""] * 12)
    w.writerow(["TỔNG SỐ", "", "", "", "", "", "", "", "", "8", "", ""])
    for _ in range(5):
        w.writerow([""] * 12)
    return buf.getvalue()


def nfd_names() -> str:
    """Names and addresses in decomposed Unicode (as macOS and some web forms give them)."""
    cards = [list(c) for c in CARDS]
    for c in cards[1:]:  # card 1 stays composed: cards 1 and 2 must still match
        c[1] = unicodedata.normalize("NFD", c[1])
        c[4] = unicodedata.normalize("NFD", c[4])
    return csv_text(cards=cards, title=False)


def html_page() -> str:
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{text_cell(v)}</td>" for v in row) + "</tr>" for row in rows_numbered())
    return ("<html><head><meta charset=\"utf-8\"><title>Danh sách</title></head><body>"
            "<h3>DANH SÁCH CẤP THẺ BHYT</h3><table border=\"1\">"
            f"<tr>{cells}</tr>{body}</table></body></html>\n")


def xml2003() -> str:
    rows = "".join("<Row>" + "".join(f'<Cell><Data ss:Type="String">{text_cell(v)}</Data></Cell>' for v in row)
                   + "</Row>" for row in [HEADER] + rows_numbered())
    return ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
            f'<Worksheet ss:Name="DS"><Table>{rows}</Table></Worksheet></Workbook>\n')


# ---------------------------------------------------------------------------
# LibreOffice conversions
# ---------------------------------------------------------------------------
def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(sources: list[Path], fmt: str, outdir: Path) -> None:
    """Convert files with LibreOffice (own profile, so it never clashes with another running LibreOffice)."""
    soffice = soffice_path()
    with tempfile.TemporaryDirectory() as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir)] + [str(s) for s in sources]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)


# ---------------------------------------------------------------------------
#: Files written byte-identically on every run (the others are compared by content).
DETERMINISTIC = {
    "basic.xlsx", "merged_subtotals.xlsx", "trailing_cell_row_1048576.xlsx", "codes_as_numbers.xlsx",
    "multi_sheet.xlsx", "offset_start.xlsx", "header_only.xlsx", "no_header.xlsx", "hidden_filter_protected.xlsx",
    "formulas_no_cache.xlsx", "basic.xlsb", "csv_utf8.csv", "csv_utf8_bom_semicolon.csv", "csv_cp1258.csv",
    "unicode_text_utf16le.txt", "utf16be_tab.txt", "nfd_names.csv", "csv_messy.csv", "csv_renamed.xls",
    "html_renamed.xls", "xml2003_renamed.xls", "xlsx_renamed.xls", "empty.xlsx", "empty.csv",
    "header_only.csv", "truncated.xlsx", "garbage.xls", "two_row_header.xlsx", "two_row_header.csv",
}
#: Made by LibreOffice or with a random salt: compared by what the reader gets from them.
BY_CONTENT = {"merged_subtotals.xls", "merged_subtotals.ods", "offset_start.xls", "offset_start.ods", "formulas_cached.xlsx", "truncated.xls",
              "password.xlsx"}


def build(out: Path, use_soffice: bool = True) -> list[str]:
    """Write every fixture into ``out``; returns the names written."""
    out.mkdir(parents=True, exist_ok=True)
    made = []

    def done(name):
        made.append(name)
        return out / name

    xlsx_basic(done("basic.xlsx"))
    xlsx_merged_subtotals(done("merged_subtotals.xlsx"))
    xlsx_trailing_cell(done("trailing_cell_row_1048576.xlsx"))
    xlsx_codes_as_numbers(done("codes_as_numbers.xlsx"))
    xlsx_multi_sheet(done("multi_sheet.xlsx"))
    xlsx_offset(done("offset_start.xlsx"))
    xlsx_header_only(done("header_only.xlsx"))
    xlsx_no_header(done("no_header.xlsx"))
    xlsx_hidden_filter_protected(done("hidden_filter_protected.xlsx"))
    xlsx_formulas(done("formulas_no_cache.xlsx"))
    xlsb_basic(done("basic.xlsb"))
    xlsx_two_row_header(done("two_row_header.xlsx"))

    done("csv_utf8.csv").write_bytes(csv_text().encode("utf-8"))
    done("csv_utf8_bom_semicolon.csv").write_bytes(csv_text(sep=";").encode("utf-8-sig"))
    done("csv_cp1258.csv").write_bytes(encode_cp1258(csv_text()))
    done("unicode_text_utf16le.txt").write_bytes(b"\xff\xfe" + csv_text(sep="\t").encode("utf-16-le"))
    done("utf16be_tab.txt").write_bytes(b"\xfe\xff" + csv_text(sep="\t").encode("utf-16-be"))
    done("nfd_names.csv").write_bytes(nfd_names().encode("utf-8"))
    done("csv_messy.csv").write_bytes(csv_messy().encode("utf-8"))
    done("two_row_header.csv").write_bytes(csv_two_row_header().encode("utf-8-sig"))
    done("csv_renamed.xls").write_bytes(csv_text(title=False).encode("utf-8"))
    done("html_renamed.xls").write_bytes(html_page().encode("utf-8"))
    done("xml2003_renamed.xls").write_bytes(xml2003().encode("utf-8"))
    shutil.copyfile(out / "basic.xlsx", done("xlsx_renamed.xls"))
    done("empty.xlsx").write_bytes(b"")
    done("empty.csv").write_bytes(b"")
    done("header_only.csv").write_bytes((";".join(HEADER) + "\r\n").encode("utf-8-sig"))
    basic = (out / "basic.xlsx").read_bytes()
    done("truncated.xlsx").write_bytes(basic[: len(basic) // 2])
    done("garbage.xls").write_bytes(bytes((i * 37 + 11) % 256 for i in range(3000)))

    try:
        from msoffcrypto.format.ooxml import OOXMLFile

        with open(out / "basic.xlsx", "rb") as f, open(done("password.xlsx"), "wb") as o:
            OOXMLFile(f).encrypt("bhyt", o)
    except ImportError:
        print("msoffcrypto-tool missing: password.xlsx not made", file=sys.stderr)

    if use_soffice and soffice_path():
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            convert([out / "merged_subtotals.xlsx", out / "offset_start.xlsx"], "xls", tmp)
            convert([out / "merged_subtotals.xlsx", out / "offset_start.xlsx"], "ods", tmp)
            src = tmp / "src"
            src.mkdir()
            shutil.copyfile(out / "formulas_no_cache.xlsx", src / "formulas_cached.xlsx")
            convert([src / "formulas_cached.xlsx"], "xlsx", tmp)
            shutil.copyfile(tmp / "merged_subtotals.xls", done("merged_subtotals.xls"))
            shutil.copyfile(tmp / "merged_subtotals.ods", done("merged_subtotals.ods"))
            shutil.copyfile(tmp / "offset_start.xls", done("offset_start.xls"))
            shutil.copyfile(tmp / "offset_start.ods", done("offset_start.ods"))
            shutil.copyfile(tmp / "formulas_cached.xlsx", done("formulas_cached.xlsx"))
        xls = (out / "merged_subtotals.xls").read_bytes()
        done("truncated.xls").write_bytes(xls[: len(xls) // 3])
    elif use_soffice:
        print("LibreOffice (soffice) missing: .xls/.ods fixtures not made", file=sys.stderr)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT, help="folder to write into (default: tests/fixtures/messy)")
    ap.add_argument("--no-soffice", action="store_true", help="skip the files LibreOffice converts")
    args = ap.parse_args(argv)
    made = build(args.out, use_soffice=not args.no_soffice)
    print(f"{len(made)} fixtures in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
