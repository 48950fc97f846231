"""`bhyt-xl report` end to end (the report module itself is tested in test_reports.py)."""

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from bhyt_xl.cli import main

SAMPLE = Path(__file__).parents[1] / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None and os.environ.get("CI") != "true",
                                   reason="LibreOffice not installed (CI installs it)")


@needs_soffice
def test_report_command_writes_forms_and_pdf(tmp_path, capsys):
    out = tmp_path / "bao cao.xlsx"
    assert main(["report", str(SAMPLE), "-o", str(out), "--from", "01/01/2011", "--to", "31/12/2012", "--pdf"]) == 0
    printed = capsys.readouterr().out
    assert "194 thẻ cấp trùng" in printed and "PDF:" in printed
    wb = openpyxl.load_workbook(out, read_only=True)
    assert [n for n in wb.sheetnames if n.startswith("Biểu")] == ["Biểu 01 - Tổng hợp", "Biểu 02 - Danh sách",
                                                                 "Biểu 03 - Nguyên nhân"]
    wb.close()
    assert (tmp_path / "bao cao.pdf").stat().st_size > 10_000


def test_report_includes_reprint_list_when_the_list_has_printed_dates(tmp_path):
    p = tmp_path / "the.csv"
    p.write_text(
        "Mã thẻ,Họ và tên,Ngày sinh,Giới tính,Địa chỉ,Giá trị từ ngày,Giá trị đến ngày,Thời điểm đủ 5 năm\n"
        "HT3560000000006,Phạm Văn C,03/03/1950,Nam,Xã C,01/01/2009,31/12/2015,\n", encoding="utf-8")
    out = tmp_path / "bc.xlsx"
    assert main(["report", str(p), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "In lại 5 năm liên tục" in wb.sheetnames
    rows = [r for r in wb["In lại 5 năm liên tục"].iter_rows(values_only=True) if "HT3560000000006" in r]
    wb.close()
    assert len(rows) == 1
