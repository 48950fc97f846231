"""Rendering the report tables in the official layout (NĐ 30/2020/NĐ-CP, Phụ lục I conventions) with XlsxWriter.

Each report sheet, top to bottom:

* the form number ("Biểu số 01/CV493"), top right;
* the agency block top left (parent body upper case regular, issuing body upper
  case bold, a short line below) and the national motto top right ("CỘNG HÒA
  XÃ HỘI CHỦ NGHĨA VIỆT NAM" bold, "Độc lập - Tự do - Hạnh phúc" bold, a line
  as long as the motto below);
* the title (upper case, bold), the summary line, the basis (italic), the
  review period, "Đơn vị tính: đồng" (right, italic);
* the table: a one- or two-row header with merged cells, the column-index row
  (A, B, C, 1, 2, 3 …), the body with borders; totals are values, not formulas;
* the place and date line (italic) and three signature blocks, each with
  "(Ký, ghi rõ họ tên)" below the title.

Times New Roman 12–14, A4, landscape for wide tables, the header rows repeated
on every printed page, fitted to the page width, "Trang n/N" in the footer.
The workbook also carries a hidden "Tham số" sheet (the run's parameters and
the "THÔNG TIN BÁO CÁO" block), so it can be given back with ``--params``.

:func:`export_pdf` prints the workbook with LibreOffice (headless, private
profile); :func:`render_report_pngs` renders the first page of each report.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bhyt_xl.errors import OutputError
from bhyt_xl.io.params_io import SHEET as PARAMS_SHEET, params_blocks
from bhyt_xl.io.write import FIXED_CREATED, SheetWriter, atomic_path
from bhyt_xl.reports.frames import GROUP, NOTE, SECTION, SUBTOTAL, TOTAL, ReportTable, build_reports
from bhyt_xl.reports.settings import ReportSettings, read_report_settings, report_block

if TYPE_CHECKING:
    from bhyt_xl.api import Continuity, Review

FONT = "Times New Roman"
BODY_SIZE = 12
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
LANDSCAPE_FROM = 100  # total column width (characters) above which a sheet prints landscape
NUM_FORMATS = {"int": "#,##0", "months": "#,##0.00", "money": "#,##0", "pct": "0.00", "date": "dd/mm/yyyy"}
FOOTER = '&C&"Times New Roman,Regular"&11Trang &P/&N'
POINTS_PER_LINE = 15.0
RULE_SIZE = 6  # font size of the underscores that draw the lines under the agency and the motto


class _Formats:
    """Times New Roman formats, created once per distinct set of properties."""

    def __init__(self, wb):
        self.wb = wb
        self.cache: dict[tuple, object] = {}

    def __call__(self, **props):
        full = {"font_name": FONT, "font_size": BODY_SIZE, "valign": "vcenter", **props}
        key = tuple(sorted(full.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(full)
        return self.cache[key]


def text_width(text: str, size: float = BODY_SIZE, bold: bool = False) -> float:
    """Rough printed width of a text in column-width units (a Calibri-11 digit)."""
    w = 0.0
    for ch in str(text):
        if ch.isupper():
            w += 1.5
        elif ch in " .,;:'!|il-()":
            w += 0.6
        else:
            w += 1.05
    return w * size / 12.0 * (1.08 if bold else 1.0)


def _lines(text: str, width: float, size: float = BODY_SIZE, bold: bool = False) -> int:
    """Lines a wrapped text takes in a column of ``width`` (word wrap, explicit line breaks)."""
    if text is None or text == "":
        return 1
    total = 0
    usable = max(width - 1.0, 1.0)
    for para in str(text).split("\n"):
        line, n = 0.0, 1
        for word in para.split(" "):
            w = text_width(word + " ", size, bold)
            if line and line + w > usable:
                n += 1
                line = w
            else:
                line += w
        total += n
    return total


def _span(widths: list[float], need: float, from_left: bool) -> int:
    """Number of columns from the left (or right) edge that together are at least ``need`` wide."""
    seq = widths if from_left else widths[::-1]
    acc = 0.0
    for i, w in enumerate(seq):
        acc += w
        if acc >= need:
            return i + 1
    return len(widths)


def _thirds(widths: list[float]) -> list[tuple[int, int]]:
    """Three contiguous column ranges of about equal width (signature blocks)."""
    n = len(widths)
    if n < 3:
        return [(0, n - 1)] * 3
    cum = np.cumsum(widths)
    total = cum[-1]
    a = int(np.argmin(np.abs(cum - total / 3)))
    b = int(np.argmin(np.abs(cum - 2 * total / 3)))
    a = min(max(a, 0), n - 3)
    b = min(max(b, a + 1), n - 2)
    return [(0, a), (a + 1, b), (b + 1, n - 1)]


def _merge(ws, r, c1, c2, value, fmt):
    if c2 > c1:
        ws.merge_range(r, c1, r, c2, value, fmt)
    else:
        ws.write(r, c1, value, fmt)


def _plain(value):
    if value is None:
        return None
    if isinstance(value, (np.datetime64, pd.Timestamp, dt.datetime, dt.date)):
        ts = pd.Timestamp(value)
        return None if pd.isna(ts) else ts.to_pydatetime()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if not isinstance(value, str) and pd.isna(value):
        return None
    return value


# ---------------------------------------------------------------------------
def render_sheet(wb, fmt: _Formats, table: ReportTable, settings: ReportSettings):
    """Write one report sheet in the official layout; returns the worksheet."""
    ws = wb.add_worksheet(table.sheet)
    cols = table.columns
    n = len(cols)
    last = n - 1
    widths = [c.width for c in cols]
    total_width = sum(widths)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)

    # --- agency block (left) and national motto (right) ------------------------------------------------
    left_need = max(text_width(settings.agency, 12, True), text_width(settings.agency_parent, 12)) + 4
    right_need = text_width(MOTTO, 12, True) + 6
    left_n = _span(widths, max(left_need, total_width * 0.3), True)
    right_n = _span(widths, max(right_need, total_width * 0.38), False)
    if left_n + right_n > n:  # narrow table: split in two halves
        left_n = max(1, n // 2)
        right_n = n - left_n
    l1, r0 = left_n - 1, n - right_n

    r = 0
    ws.set_row(r, 18)
    _merge(ws, r, r0, last, table.form_no, fmt(bold=True, align="right"))
    r += 1
    _merge(ws, r, 0, l1, settings.agency_parent.upper(), fmt(align="center"))
    _merge(ws, r, r0, last, MOTTO, fmt(bold=True, align="center"))
    r += 1
    ws.set_row(r, 18)
    _merge(ws, r, 0, l1, settings.agency.upper(), fmt(bold=True, align="center"))
    _merge(ws, r, r0, last, MOTTO_2, fmt(bold=True, font_size=13, align="center"))
    r += 1
    # the lines under the agency (about 40 % of its length) and under the motto (its full length)
    ws.set_row(r, 9)
    line = fmt(align="center", valign="top", font_size=RULE_SIZE, bold=True)
    _merge(ws, r, 0, l1, _rule(0.4 * text_width(settings.agency, 12, True)), line)
    _merge(ws, r, r0, last, _rule(text_width(MOTTO_2, 13, True)), line)
    r += 2

    # --- title, summary line, basis, period, unit ------------------------------------------------------
    ws.set_row(r, 22)
    _merge(ws, r, 0, last, table.title.upper(), fmt(bold=True, font_size=14, align="center"))
    r += 1
    if table.subtitle:
        ws.set_row(r, 19)
        _merge(ws, r, 0, last, table.subtitle, fmt(bold=True, font_size=13, align="center"))
        r += 1
    if table.basis:
        _merge(ws, r, 0, last, table.basis, fmt(italic=True, align="center"))
        r += 1
    if table.period:
        _merge(ws, r, 0, last, table.period, fmt(font_size=13, align="center"))
        r += 1
    if table.unit_note:
        _merge(ws, r, r0, last, table.unit_note, fmt(italic=True, align="right"))
        r += 1
    else:
        r += 1

    # --- header -------------------------------------------------------------------------------------------
    head = fmt(bold=True, align="center", text_wrap=True, border=1)
    first_header = r
    if table.two_row_header:
        top_lines, sub_lines = 1, 1
        j = 0
        while j < n:
            c = cols[j]
            if c.group is None:
                ws.merge_range(r, j, r + 1, j, c.label, head)
                sub_lines = max(sub_lines, math.ceil(_lines(c.label, c.width, bold=True) / 2))
                j += 1
                continue
            k = j
            while k + 1 < n and cols[k + 1].group == c.group:
                k += 1
            _merge(ws, r, j, k, c.group, head)
            top_lines = max(top_lines, _lines(c.group, sum(widths[j:k + 1]), bold=True))
            for m in range(j, k + 1):
                ws.write(r + 1, m, cols[m].label, head)
                sub_lines = max(sub_lines, _lines(cols[m].label, cols[m].width, bold=True))
            j = k + 1
        ws.set_row(r, POINTS_PER_LINE * top_lines + 4)
        ws.set_row(r + 1, POINTS_PER_LINE * sub_lines + 4)
        r += 2
    else:
        lines = 1
        for j, c in enumerate(cols):
            ws.write(r, j, c.label, head)
            lines = max(lines, _lines(c.label, c.width, bold=True))
        ws.set_row(r, POINTS_PER_LINE * lines + 4)
        r += 1
    index_fmt = fmt(italic=True, align="center", border=1, font_size=11)
    for j, label in enumerate(table.index_row()):
        ws.write_string(r, j, label, index_fmt)
    ws.repeat_rows(first_header, r)
    r += 1

    # --- body ---------------------------------------------------------------------------------------------
    body = table.body
    keys = table.keys
    values = {k: body[k].to_numpy(dtype=object) for k in keys}
    kinds = body["kind"].to_numpy(dtype=object)
    labels = body["label"].to_numpy(dtype=object)
    for i in range(len(body)):
        kind = kinds[i]
        style = {"bold": kind in (GROUP, SUBTOTAL, TOTAL, SECTION), "italic": kind == NOTE}
        cell_fmts = [_cell_format(fmt, c.fmt, **style) for c in cols]
        lines = 1
        if kind == GROUP:
            _merge(ws, r, 0, last, labels[i], fmt(border=1, align="left", text_wrap=True, **style))
            lines = _lines(labels[i], total_width, bold=True)
        else:
            start = 0
            if kind in (SUBTOTAL, TOTAL) and labels[i]:
                span = min(table.label_span, last)
                _merge(ws, r, 0, span, labels[i], fmt(border=1, align="center", text_wrap=True, **style))
                lines = _lines(labels[i], sum(widths[:span + 1]), bold=True)
                start = span + 1
            for j in range(start, n):
                v = _plain(values[keys[j]][i])
                if v is None or v == "":
                    ws.write_blank(r, j, None, cell_fmts[j])
                    continue
                ws.write(r, j, v, cell_fmts[j])
                if isinstance(v, str):
                    lines = max(lines, _lines(v, widths[j], bold=style["bold"]))
        if lines > 1:
            ws.set_row(r, POINTS_PER_LINE * lines + 3)
        r += 1

    # --- place, date and signatures -----------------------------------------------------------------------
    if table.signers:
        r += 1
        blocks = _thirds(widths)
        ws.set_row(r, 18)
        _merge(ws, r, blocks[2][0], blocks[2][1], settings.date_line(), fmt(italic=True, font_size=13, align="center"))
        r += 1
        for (a, b), (title, _) in zip(blocks, settings.signers):
            _merge(ws, r, a, b, title.upper(), fmt(bold=True, font_size=13, align="center", text_wrap=True))
        ws.set_row(r, 18)
        r += 1
        for (a, b), _ in zip(blocks, settings.signers):
            _merge(ws, r, a, b, settings.signature_note, fmt(italic=True, align="center"))
        r += 5
        for (a, b), (_, name) in zip(blocks, settings.signers):
            if name:
                _merge(ws, r, a, b, name, fmt(bold=True, font_size=13, align="center"))
        r += 1

    # --- print settings ---------------------------------------------------------------------------------------
    ws.set_paper(9)
    if total_width > LANDSCAPE_FROM:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.98, right=0.59, top=0.79, bottom=0.79)
    ws.center_horizontally()
    ws.set_footer(FOOTER)
    ws.hide_gridlines(2)
    ws.print_area(0, 0, r, last)
    return ws


def _rule(width: float) -> str:
    """A horizontal line drawn with small underscores, about ``width`` column units long.

    (An underscore is half an em wide; a column unit is about 7 pixels.)
    """
    return "_" * max(4, round(width / (0.5 * RULE_SIZE * 4 / 3 / 7)))


def _cell_format(fmt: _Formats, kind: str, bold: bool = False, italic: bool = False):
    props = {"border": 1, "bold": bold, "italic": italic}
    if kind in NUM_FORMATS:
        props["num_format"] = NUM_FORMATS[kind]
        props["align"] = "center" if kind == "date" else "right"
    elif kind == "center":
        props.update(align="center", text_wrap=True)
    else:
        props.update(align="left", text_wrap=True)
    return fmt(**props)


# ---------------------------------------------------------------------------
def write_tables(path: str | Path, tables: dict[str, ReportTable], settings: ReportSettings,
                 blocks: list[tuple[str, pd.DataFrame]] | None = None) -> Path:
    """Write report tables (and a hidden "Tham số" sheet with ``blocks``) atomically; returns the path."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"default_date_format": "dd/mm/yyyy", "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"created": FIXED_CREATED, "title": "Báo cáo rà soát thẻ BHYT cấp trùng",
                           "author": "bhyt-xl", "company": settings.agency})
        fmt = _Formats(wb)
        for table in tables.values():
            render_sheet(wb, fmt, table, settings)
        if blocks:
            ws = SheetWriter(wb).blocks(PARAMS_SHEET, blocks, intro=[
                "Tham số và thông tin báo cáo đã dùng để lập báo cáo này",
                "Sửa các bảng dưới đây (kể cả bảng THÔNG TIN BÁO CÁO) rồi dùng lại tệp này với --params.",
            ])
            ws.hide()
        wb.worksheets()[0].activate()
        wb.close()
    return path


def write_reports(path: str | Path, review: "Review", settings: ReportSettings | None = None,
                  continuity: "Continuity | None" = None) -> Path:
    """Build the reports of a review (and of a continuity run) and write them to ``path``."""
    settings = settings or ReportSettings()
    tables = build_reports(review, settings, continuity)
    blocks = [*params_blocks(review.result.params), report_block(settings)]
    return write_tables(path, tables, settings, blocks)


# ---------------------------------------------------------------------------
_SOFFICE_PLACES = [
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
]


def find_soffice() -> str | None:
    """The LibreOffice program (PATH first, then the usual install folders), or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _SOFFICE_PLACES if os.path.exists(p)), None)


def export_pdf(xlsx_path: str | Path, timeout: float = 300) -> Path:
    """Print the workbook to a PDF next to it (same name, .pdf) with LibreOffice headless; returns the PDF path."""
    xlsx_path = Path(xlsx_path)
    if not xlsx_path.exists():
        raise OutputError(f"Không tìm thấy tệp '{xlsx_path}' để xuất PDF.")
    soffice = find_soffice()
    if soffice is None:
        raise OutputError("Không tìm thấy LibreOffice (soffice) để xuất PDF. Hãy cài LibreOffice "
                          "(https://www.libreoffice.org) hoặc mở tệp Excel và chọn File > Export > PDF.")
    target = xlsx_path.with_suffix(".pdf")
    folder = xlsx_path.parent if str(xlsx_path.parent) else Path(".")
    try:
        with tempfile.TemporaryDirectory(prefix="bhyt-lo-") as profile, \
                tempfile.TemporaryDirectory(prefix=".~pdf-", dir=folder) as outdir:
            _convert(soffice, xlsx_path, target, profile, outdir, timeout)
    except OSError as exc:
        raise OutputError(f"Không ghi được tệp PDF vào thư mục '{folder}': {exc.strerror or exc}") from None
    return target


def _convert(soffice: str, xlsx_path: Path, target: Path, profile: str, outdir: str, timeout: float) -> None:
    """Run LibreOffice into ``outdir`` with the private ``profile``, then move the PDF onto ``target``."""
    cmd = [soffice, f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", outdir, str(xlsx_path.resolve())]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OutputError(f"LibreOffice không xuất xong PDF sau {int(timeout)} giây; hãy thử lại.") from None
    produced = Path(outdir) / (xlsx_path.stem + ".pdf")
    if proc.returncode != 0 or not produced.exists():
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()
        raise OutputError("LibreOffice không xuất được PDF" + (f": {detail[-1]}" if detail else "."))
    try:
        os.replace(produced, target)
    except PermissionError:
        raise OutputError(f"Không ghi được '{target.name}': tệp đang mở hoặc bị khóa; hãy đóng tệp rồi thử lại.") \
            from None


def render_report_pngs(xlsx: str | Path, outdir: str | Path, dpi: int = 90) -> list[Path]:
    """First page of each report of a report workbook as a PNG (LibreOffice → PDF → pdftoppm).

    Files: report_bieu01.png, report_bieu02.png, report_bieu03.png (and report_in_lai_5_nam.png when the
    workbook has the re-print list). The pages are found by the form numbers of the workbook's settings block.
    """
    xlsx, outdir = Path(xlsx), Path(outdir)
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            raise OutputError(f"Không tìm thấy chương trình '{tool}' (gói poppler-utils) để tạo ảnh báo cáo.")
    settings = read_report_settings(xlsx)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bhyt-png-") as work:
        copy = Path(work) / xlsx.name
        shutil.copyfile(xlsx, copy)
        pdf = export_pdf(copy)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = text.split("\f")
        out = []
        for form, name in ((settings.form_01, "report_bieu01"), (settings.form_02, "report_bieu02"),
                           (settings.form_03, "report_bieu03"), (settings.form_reprint, "report_in_lai_5_nam")):
            page = next((i + 1 for i, p in enumerate(pages) if form in p), None)
            if page is None:
                continue
            stem = outdir / name
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile",
                            str(pdf), str(stem)], check=True, capture_output=True)
            out.append(stem.with_suffix(".png"))
    return out
