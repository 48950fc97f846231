"""Report settings: agency names, place, date, signers, form numbers and titles.

Everything printed around the tables of the official reports (the agency
block, the form numbers, the titles, the place and date line, the signature
blocks) comes from :class:`ReportSettings`. Staff edit it as one more block of
the "Tham số" block stack (title in column A, a header row, rows until the
first blank row; see :mod:`bhyt_xl.io.params_io`):

    THÔNG TIN BÁO CÁO
    Mục                      | Giá trị                          | Ghi chú
    Cơ quan chủ quản         | BẢO HIỂM XÃ HỘI VIỆT NAM         | ...
    Cơ quan lập báo cáo      | BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA   | ...
    ...

The block can live in the "Tham số" sheet of a result workbook or in a params
file; :func:`read_report_settings` reads it back (defaults where a row is
missing or blank).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd

from bhyt_xl.core.text import fold_header
from bhyt_xl.core.values import parse_dates
from bhyt_xl.errors import ParamsInvalid

BLOCK_TITLE = "THÔNG TIN BÁO CÁO"
BLOCK_HEADERS = ["Mục", "Giá trị", "Ghi chú"]
PARAMS_SHEET = "Tham số"

#: The official basis of the duplicate-card reports (printed under the titles).
BASIS_493 = "(Kèm theo Công văn số 493/BHXH-CST ngày 30/01/2013 của Bảo hiểm xã hội Việt Nam)"
BASIS_1006 = "(Theo Công văn số 1006/BHXH-CST của Bảo hiểm xã hội Việt Nam)"


@dataclasses.dataclass(frozen=True)
class ReportSettings:
    """What the reports print around their tables. All texts are editable in the settings block."""

    agency_parent: str = "BẢO HIỂM XÃ HỘI VIỆT NAM"
    agency: str = "BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA"
    place: str = "Khánh Hòa"
    report_date: dt.date | None = None  # None: "ngày ..... tháng ..... năm ....." to fill in by hand
    signer1_title: str = "NGƯỜI LẬP BIỂU"
    signer1_name: str = ""
    signer2_title: str = "TRƯỞNG PHÒNG CẤP SỔ, THẺ"
    signer2_name: str = ""
    signer3_title: str = "GIÁM ĐỐC"
    signer3_name: str = ""
    signature_note: str = "(Ký, ghi rõ họ tên)"
    form_01: str = "Biểu số 01/CV493"
    form_02: str = "Biểu số 02/CV493"
    form_03: str = "Biểu số 03/CV493"
    form_reprint: str = "Biểu số 04/CV1006"
    title_01: str = "TỔNG HỢP THẺ BHYT CẤP TRÙNG"
    title_02: str = "DANH SÁCH THẺ BHYT CẤP TRÙNG"
    title_03: str = "TỔNG HỢP NGUYÊN NHÂN CẤP TRÙNG THẺ BHYT"
    title_reprint: str = "DANH SÁCH THẺ BHYT IN LẠI THÔNG TIN 5 NĂM LIÊN TỤC"
    subtitle_493: str = "Đối tượng do ngân sách nhà nước đóng, hỗ trợ tiền đóng bảo hiểm y tế"
    basis_493: str = BASIS_493
    basis_1006: str = BASIS_1006

    def replace(self, **changes) -> "ReportSettings":
        return dataclasses.replace(self, **changes)

    @property
    def signers(self) -> list[tuple[str, str]]:
        """(title, name) of the three signature blocks, left to right."""
        return [(self.signer1_title, self.signer1_name), (self.signer2_title, self.signer2_name),
                (self.signer3_title, self.signer3_name)]

    def date_line(self) -> str:
        """'Khánh Hòa, ngày 05 tháng 3 năm 2026' (NĐ 30/2020: a zero before days < 10 and months 1–2)."""
        d = self.report_date
        if d is None:
            return f"{self.place}, ngày ..... tháng ..... năm ........"
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        return f"{self.place}, ngày {d.day:02d} tháng {month} năm {d.year}"


#: field -> (label in the block, note)
FIELDS: dict[str, tuple[str, str]] = {
    "agency_parent": ("Cơ quan chủ quản", "Dòng 1 góc trên bên trái (chữ in hoa, đứng)"),
    "agency": ("Cơ quan lập báo cáo", "Dòng 2 góc trên bên trái (chữ in hoa, đậm)"),
    "place": ("Địa danh", "Dùng ở dòng 'Địa danh, ngày … tháng … năm …'"),
    "report_date": ("Ngày lập báo cáo", "dd/mm/yyyy; để trống: in dấu chấm để ghi tay"),
    "signer1_title": ("Chức danh người ký 1", "Ô ký bên trái"),
    "signer1_name": ("Họ tên người ký 1", "Để trống nếu ký tay"),
    "signer2_title": ("Chức danh người ký 2", "Ô ký ở giữa"),
    "signer2_name": ("Họ tên người ký 2", "Để trống nếu ký tay"),
    "signer3_title": ("Chức danh người ký 3", "Ô ký bên phải"),
    "signer3_name": ("Họ tên người ký 3", "Để trống nếu ký tay"),
    "signature_note": ("Ghi chú dưới chức danh", "In dưới mỗi chức danh"),
    "form_01": ("Số hiệu biểu tổng hợp", "Biểu 01 - Tổng hợp thẻ cấp trùng"),
    "form_02": ("Số hiệu biểu danh sách", "Biểu 02 - Danh sách thẻ cấp trùng"),
    "form_03": ("Số hiệu biểu nguyên nhân", "Biểu 03 - Nguyên nhân cấp trùng"),
    "form_reprint": ("Số hiệu biểu in lại thẻ", "Danh sách thẻ in lại thông tin 5 năm liên tục"),
    "title_01": ("Tên biểu tổng hợp", "Chữ in hoa, đậm"),
    "title_02": ("Tên biểu danh sách", "Chữ in hoa, đậm"),
    "title_03": ("Tên biểu nguyên nhân", "Chữ in hoa, đậm"),
    "title_reprint": ("Tên biểu in lại thẻ", "Chữ in hoa, đậm"),
    "subtitle_493": ("Trích yếu (biểu 01–03)", "Dòng dưới tên biểu"),
    "basis_493": ("Căn cứ (biểu 01–03)", "In nghiêng dưới trích yếu"),
    "basis_1006": ("Căn cứ (biểu in lại thẻ)", "In nghiêng dưới tên biểu"),
}
_BY_LABEL = {fold_header(label): field for field, (label, _) in FIELDS.items()}


def report_block(settings: ReportSettings) -> tuple[str, pd.DataFrame]:
    """The settings as one block of the block stack: ``(title, frame)`` with columns Mục / Giá trị / Ghi chú."""
    rows = []
    for field, (label, note) in FIELDS.items():
        value = getattr(settings, field)
        if field == "report_date":
            value = pd.Timestamp(value).to_pydatetime() if value is not None else None
        rows.append((label, value, note))
    return BLOCK_TITLE, pd.DataFrame(rows, columns=BLOCK_HEADERS, dtype="object")


def settings_from_rows(rows: list[list[object]], base: ReportSettings | None = None,
                       source: str = "sheet Tham số") -> ReportSettings:
    """Read the settings block from a sheet's cell values (row lists from A1) over ``base``.

    Rows of the block whose label is unknown are ignored; a blank value keeps
    the default (except the report date and signers' names, where blank is a value).
    Without a block, ``base`` (the defaults) is returned.
    """
    base = base or ReportSettings()
    start = next((i for i, r in enumerate(rows)
                  if r and isinstance(r[0], str) and fold_header(r[0]) == fold_header(BLOCK_TITLE)), None)
    if start is None:
        return base
    changes: dict[str, object] = {}
    j = start + 2  # title row, header row, then the data rows until the first blank row
    while j < len(rows) and any(v not in (None, "") for v in rows[j]):
        row = list(rows[j]) + [None, None]
        field = _BY_LABEL.get(fold_header(row[0])) if row[0] is not None else None
        value = row[1]
        if field == "report_date":
            changes[field] = _date(value, j + 1, source)
        elif field is not None:
            text = "" if value is None else str(value).strip()
            if text or field.endswith("_name"):
                changes[field] = text
        j += 1
    return base.replace(**changes)


def _date(value, row: int, source: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    dates, _, bad = parse_dates(pd.Series([value], dtype="object"))
    if bad.iloc[0] or dates.isna().iloc[0]:
        raise ParamsInvalid(f"{source}, dòng {row}, {FIELDS['report_date'][0]}: "
                            f"'{value}' không phải ngày hợp lệ (dd/mm/yyyy).")
    return dates.iloc[0].date()


def read_report_settings(path: str | Path, base: ReportSettings | None = None) -> ReportSettings:
    """The settings block of a workbook's "Tham số" sheet (else its first sheet); defaults if absent."""
    from bhyt_xl.io.params_io import params_sheet_rows

    rows, source = params_sheet_rows(path)
    return settings_from_rows(rows, base, source=source)
