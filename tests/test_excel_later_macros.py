"""The later buttons through a real xlwings Book (remote engine): 5 năm liên tục, tăng/giảm, báo cáo."""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import datetime as dt

import openpyxl
import pandas as pd

from test_excel_macros import LIST, alerts, list_rows, params_rows, run, sheet_frame, write_workbook

from bhyt_xl.api import apply_changes_tables, continuity_table, review_table
from bhyt_xl.excel import macros
from bhyt_xl.io.read import read_table
from bhyt_xl.params import Params

CARDS = pd.DataFrame(
    [
        ["HN2560000000001", "Lê Văn A", "01/01/1970", "Nam", "Xã A", "HN", "0123456789",
         dt.datetime(2012, 1, 1), dt.datetime(2014, 12, 31), None],
        ["HN2560000000002", "Lê Văn A", "01/01/1970", "Nam", "Xã A", "HN", "0123456789",
         dt.datetime(2015, 3, 1), dt.datetime(2017, 12, 31), dt.datetime(2017, 6, 1)],
        ["BT2560000000003", "Dương Thị Hòa", "1950", "Nữ", "Xã B", "BT", "",
         dt.datetime(2011, 1, 1), dt.datetime(2011, 12, 31), None],
        ["HN2560000000004", "Dương Thị Hòa", "1950", "Nữ", "Xã B", "HN", "",
         dt.datetime(2011, 7, 1), dt.datetime(2011, 12, 31), None],
    ],
    columns=["Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Mã số BHXH",
             "Giá trị từ ngày", "Giá trị đến ngày", "Ngày đủ 5 năm liên tục"],
)
CHANGES = [["TIÊU ĐỀ"], [], [], ["Mã số BHXH", "Mã thẻ", "Họ và tên", "Loại", "Ngày hiệu lực", "Lý do"],
           [None, "HN2560000000004", "Dương Thị Hòa", "Giảm", dt.datetime(2011, 9, 15), "Trùng thẻ"],
           ["9999999999", None, "Không ai", "Giảm", dt.datetime(2011, 9, 15), "Không khớp"]]


def book(tmp_path, extra_sheets=None):
    sheets = {"Hướng dẫn": [["HƯỚNG DẪN"]], LIST: list_rows(CARDS), **(extra_sheets or {}),
              "Tham số": params_rows(Params()), "xlwings.conf": [["Interpreter_Win", "python"]]}
    return write_workbook(tmp_path / "BHYT_RaSoat.xlsx", sheets)


def test_continuity_button_writes_the_cli_sheets(tmp_path):
    path = book(tmp_path)
    expected = continuity_table(read_table(path, sheet=LIST)).sheets()
    outcome, ui, out, _ = run(path, macros.process_run_continuity)
    assert outcome.ok, outcome.message
    wb = openpyxl.load_workbook(out)
    got = sheet_frame(wb["Liên tục 5 năm"])
    assert list(got.columns) == list(expected["Liên tục 5 năm"].columns)
    # A: gap Jan-Feb 2015 kept -> 5 years from 01/01/2012; the printed 01/06/2017 is wrong -> re-print
    five = got["Ngày đủ 5 năm liên tục (tính lại)"].tolist()
    assert five[:2] == [dt.datetime(2017, 1, 1)] * 2
    assert got["In lại thẻ"].tolist()[:2] == ["Có", "Có"]
    reprint = sheet_frame(wb["Thẻ cần in lại"])
    assert reprint["Mã thẻ"].tolist() == ["HN2560000000001", "HN2560000000002"]
    (box,) = alerts(ui)
    assert box["args"][0] == outcome.message and "2 thẻ cần in lại" in outcome.message
    assert wb[LIST]["A5"].value == "HN2560000000001"  # the list is not written


def test_continuity_button_adds_credited_periods_from_their_sheet(tmp_path):
    cards = CARDS.iloc[:2].copy()
    cards.iloc[1, 7] = dt.datetime(2016, 1, 1)  # gap 2015 -> bridged by the army period
    extra = [["THỜI GIAN ĐƯỢC TÍNH"], [], [], ["Mã số BHXH", "Từ ngày", "Đến ngày", "Ghi chú"],
             ["0123456789", dt.datetime(2015, 1, 1), dt.datetime(2015, 12, 31), "Quân đội"]]
    sheets = {"Hướng dẫn": [["HƯỚNG DẪN"]], LIST: list_rows(cards), "Thời gian được tính": extra,
              "Tham số": params_rows(Params()), "xlwings.conf": [["Interpreter_Win", "python"]]}
    path = write_workbook(tmp_path / "BHYT_RaSoat.xlsx", sheets)
    outcome, _, out, _ = run(path, macros.process_run_continuity)
    assert outcome.ok and "Thời gian được tính" in outcome.message
    got = sheet_frame(openpyxl.load_workbook(out)["Liên tục 5 năm"])
    assert got["Bắt đầu liên tục"].tolist() == [dt.datetime(2012, 1, 1)] * 2


def test_changes_button_applies_the_pasted_changes(tmp_path):
    path = book(tmp_path, {"Tăng giảm": CHANGES})
    expected = apply_changes_tables(read_table(path, sheet=LIST), read_table(path, sheet="Tăng giảm", kind="changes"))
    outcome, _, out, _ = run(path, macros.process_apply_changes)
    assert outcome.ok, outcome.message
    wb = openpyxl.load_workbook(out)
    for name, frame in expected.sheets().items():
        assert list(sheet_frame(wb[name]).columns) == list(frame.columns), name
    applied = sheet_frame(wb["Kết quả tăng giảm"])
    assert applied["Trạng thái"].tolist() == ["Đã áp dụng", "Không áp dụng"]
    listing = sheet_frame(wb["Danh sách sau tăng giảm"])
    assert listing["Giá trị đến ngày (mới)"].tolist()[3] == dt.datetime(2011, 9, 30)
    problems = sheet_frame(wb["Lỗi dữ liệu"])
    assert any(m.startswith("Sheet Tăng giảm, Dòng 6") for m in problems["Nội dung"])


def test_changes_button_without_changes_says_where_to_paste(tmp_path):
    outcome, ui, out, _ = run(book(tmp_path), macros.process_apply_changes)
    assert not outcome.ok and 'sheet "Tăng giảm"' in outcome.message
    assert openpyxl.load_workbook(out).sheetnames == ["Hướng dẫn", LIST, "Tham số", "xlwings.conf"]


def test_reports_button_writes_the_forms_and_asks_before_replacing(tmp_path):
    path = book(tmp_path)
    review = review_table(read_table(path, sheet=LIST))
    outcome, _, out, _ = run(path, macros.process_make_reports)
    assert outcome.ok, outcome.message
    wb = openpyxl.load_workbook(out)
    assert [n for n in wb.sheetnames if n.startswith("Biểu")] == ["Biểu 01 - Tổng hợp", "Biểu 02 - Danh sách",
                                                                 "Biểu 03 - Nguyên nhân"]
    assert "In lại 5 năm liên tục" in wb.sheetnames  # the list has the printed 5-year column
    bieu02 = sheet_frame(wb["Biểu 02 - Danh sách"])
    money = [c for c in bieu02.columns if "Số tiền" in str(c)][0]
    total = bieu02[bieu02["Họ và tên"].astype(str).str.startswith("Tổng cộng")]
    assert total[money].tolist() == [review.result.stats["money"]] == [149_400]
    assert bieu02["Họ và tên"].astype(str).str.startswith("Cộng nhóm").any()
    # a second click on the remote engine cannot ask: nothing is replaced
    second, _, _, _ = run(out, macros.process_make_reports)
    assert not second.ok and "giữ nguyên" in second.message


def test_clear_results_removes_the_sheets_of_every_button(tmp_path):
    path = book(tmp_path)
    _, _, after_continuity, _ = run(path, macros.process_run_continuity)
    assert "Liên tục 5 năm" in openpyxl.load_workbook(after_continuity).sheetnames
    outcome, _, cleared, _ = run(after_continuity, macros.process_clear_results, confirm=True)
    assert outcome.ok and "Liên tục 5 năm" in outcome.message
    assert openpyxl.load_workbook(cleared).sheetnames == ["Hướng dẫn", LIST, "Tham số", "xlwings.conf"]
