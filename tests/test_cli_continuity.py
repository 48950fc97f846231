"""`bhyt-xl continuity` end to end, with hand-computed chains (CV 1006)."""

import datetime as dt

import openpyxl
import pytest

from bhyt_xl.cli import main

HEADER = "Mã thẻ,Họ và tên,Ngày sinh,Giới tính,Địa chỉ,Mã số BHXH,Giá trị từ ngày,Giá trị đến ngày,Ngày đủ 5 năm liên tục"
ROWS = [
    # A: continuous 2012-2017 -> 5-year date 01/01/2017 (chain start 01/01/2012); printed right on the last card
    "HN2560000000001,Lê Văn A,01/01/1970,Nam,Xã A,,01/01/2012,31/12/2014,",
    "HN2560000000002,Lê Văn A,01/01/1970,Nam,Xã A,,01/01/2015,31/12/2016,",
    "HN2560000000003,Lê Văn A,01/01/1970,Nam,Xã A,,01/03/2017,31/12/2017,01/01/2017",  # gap Jan-Feb 2017 kept
    # B: gap in 2014 breaks -> chain restarts 01/06/2014; 5y = 01/06/2019 within the last card; printed wrong
    "DN4560000000004,Trần Thị B,02/02/1980,Nữ,Xã B,0123456789,01/01/2010,31/03/2014,",
    "DN4560000000005,Tran Thi B (khác tên),02/02/1980,Nữ,Xã B,123456789,01/06/2014,31/12/2019,01/01/2015",
    # C: chain of 5 years before 2015 -> 01/01/2015; printed missing on a card of that chain
    "HT3560000000006,Phạm Văn C,03/03/1950,Nam,Xã C,,01/01/2009,31/12/2015,",
    # D: not reached
    "HS4560000000007,Ngô Thị D,04/04/2005,Nữ,Xã D,,01/01/2016,31/12/2017,",
    # bad row
    "HS4560000000008,Ngô Thị E,31/02/2005,Nữ,Xã D,,01/01/2016,31/12/2017,",
]


@pytest.fixture
def list_csv(tmp_path):
    p = tmp_path / "the.csv"
    p.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return p


def rows_of(path, sheet):
    wb = openpyxl.load_workbook(path, read_only=True)
    out = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    return out


def test_continuity_sheet_and_reprint_list(list_csv, tmp_path, capsys):
    out = tmp_path / "lt.xlsx"
    assert main(["continuity", str(list_csv), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "8 thẻ của 4 người" in printed and "3 người đủ 5 năm" in printed
    assert "1 dòng lỗi dữ liệu" in printed and "4 thẻ cần in lại" in printed
    rows = rows_of(out, "Liên tục 5 năm")
    h = rows[0]
    col = {name: h.index(name) for name in h}
    assert h[:9] == HEADER.split(",")
    body = rows[1:]
    five = [r[col["Ngày đủ 5 năm liên tục (tính lại)"]] for r in body]
    assert five[:3] == [dt.datetime(2017, 1, 1)] * 3
    assert five[3:5] == ["Chưa đủ", dt.datetime(2019, 6, 1)]  # the 2010-2014 chain broke in 2014
    assert five[5] == dt.datetime(2015, 1, 1)
    assert five[6] == "Chưa đủ"
    assert five[7] == "Lỗi dữ liệu"
    starts = [r[col["Bắt đầu liên tục"]] for r in body]
    assert starts[4] == dt.datetime(2014, 6, 1)  # the same BHXH number (leading zero lost) joins the two names
    reprint = [r[col["In lại thẻ"]] for r in body]
    # A's first two cards lack the printed date, B's current card has a wrong one, C's card lacks it;
    # B's card of the broken 2010-2014 chain is not re-printed
    assert reprint == ["Có", "Có", None, None, "Có", "Có", None, None]
    again = rows_of(out, "Thẻ cần in lại")
    assert [r[1] for r in again[1:]] == ["HN2560000000001", "HN2560000000002", "DN4560000000005", "HT3560000000006"]
    assert again[3][11] == "Ngày in trên thẻ sai" and again[4][11] == "Thẻ chưa in ngày đủ 5 năm"
    problems = rows_of(out, "Lỗi dữ liệu")
    assert "Dòng 9, cột Ngày sinh" in problems[1][3]


def test_strict_gap_option_through_params(list_csv, tmp_path):
    first = tmp_path / "lt.xlsx"
    main(["continuity", str(list_csv), "-o", str(first)])
    wb = openpyxl.load_workbook(first)
    ws = wb["Tham số"]
    for row in ws.iter_rows():
        if row[0].value == "Gián đoạn bắt đầu trước ngày này làm mất liên tục":
            ws.cell(row=row[0].row, column=2, value=dt.datetime(2018, 1, 1))
    wb.save(tmp_path / "p.xlsx")
    second = tmp_path / "lt2.xlsx"
    assert main(["continuity", str(list_csv), "-o", str(second), "--params", str(tmp_path / "p.xlsx")]) == 0
    body = rows_of(second, "Liên tục 5 năm")[1:]
    h = rows_of(second, "Liên tục 5 năm")[0]
    # A's 2-month gap in 2017 now breaks the chain: restart 01/03/2017, not reached by 31/12/2017
    assert body[2][h.index("Ngày đủ 5 năm liên tục (tính lại)")] == "Chưa đủ"


def test_extra_periods_bridge_a_gap(tmp_path):
    cards = tmp_path / "the.csv"
    cards.write_text(HEADER + "\n"
                     "HN2560000000001,Lê Văn A,01/01/1970,Nam,Xã A,0123456789,01/01/2012,31/12/2013,\n"
                     "HN2560000000002,Lê Văn A,01/01/1970,Nam,Xã A,0123456789,01/01/2016,31/12/2017,\n",
                     encoding="utf-8")
    extra = tmp_path / "qd.csv"
    extra.write_text("Mã số BHXH,Từ ngày,Đến ngày,Ghi chú\n0123456789,01/01/2014,31/12/2015,Quân đội\n"
                     "9999999999,01/01/2014,31/12/2015,Không khớp\n", encoding="utf-8")
    out = tmp_path / "lt.xlsx"
    assert main(["continuity", str(cards), "-o", str(out), "--extra", str(extra)]) == 0
    rows = rows_of(out, "Liên tục 5 năm")
    h = rows[0]
    assert rows[2][h.index("Ngày đủ 5 năm liên tục (tính lại)")] == dt.datetime(2017, 1, 1)
    problems = rows_of(out, "Lỗi dữ liệu")
    assert any("Tệp qd.csv, Dòng 3" in (r[3] or "") for r in problems[1:])


def test_as_of_option_and_bad_value(list_csv, tmp_path, capsys):
    assert main(["continuity", str(list_csv), "-o", str(tmp_path / "a.xlsx"), "--as-of", "31/12/2015"]) == 0
    assert main(["continuity", str(list_csv), "-o", str(tmp_path / "b.xlsx"), "--as-of", "hôm nay"]) == 1
    assert "--as-of" in capsys.readouterr().err
