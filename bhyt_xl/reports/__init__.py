"""Official reports of a review (CV 493/BHXH-CST) and of a continuity run (CV 1006/BHXH-CST).

* :func:`build_reports` — the report tables as frames plus their texts (pure);
* :func:`write_reports` — an .xlsx in the official layout (NĐ 30/2020 conventions), written atomically;
* :func:`export_pdf` — the same workbook printed to PDF by LibreOffice;
* :class:`ReportSettings` — agency, place, date, signers, form numbers, titles; editable as the
  "THÔNG TIN BÁO CÁO" block of the "Tham số" sheet (:func:`read_report_settings`).
"""

from bhyt_xl.reports.frames import (SHEET_01, SHEET_02, SHEET_03, SHEET_REPRINT, Column, ReportTable,
                                    build_reports)
from bhyt_xl.reports.layout import export_pdf, render_report_pngs, write_reports, write_tables
from bhyt_xl.reports.settings import (BLOCK_TITLE, ReportSettings, read_report_settings, report_block,
                                      settings_from_rows)

__all__ = [
    "BLOCK_TITLE", "Column", "ReportSettings", "ReportTable", "SHEET_01", "SHEET_02", "SHEET_03", "SHEET_REPRINT",
    "build_reports", "export_pdf", "read_report_settings", "render_report_pngs", "report_block",
    "settings_from_rows", "write_reports", "write_tables",
]
