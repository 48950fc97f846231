"""`bhyt-xl apply-changes` end to end: decreases cut cards, the round trip with the review (CV 1006 + CV 493)."""

import datetime as dt

import openpyxl

from bhyt_xl.cli import main

CARDS = """\
STT,Mã thẻ,Họ và tên,Ngày sinh,Giới tính,Địa chỉ,Mã đối tượng,Mã số BHXH,Giá trị từ ngày,Giá trị đến ngày
1,BT2560000000001,Dương Thị Hòa,1950,Nữ,Xã Ninh Hòa,BT,5600000001,01/01/2011,31/12/2011
2,HN2560000000002,Dương Thị Hòa,1950,Nữ,Xã Ninh Hòa,HN,5600000001,01/07/2011,31/12/2011
3,HN2560000000003,Lê Văn Tư,01/01/1980,Nam,Xã A,HN,5600000003,01/01/2011,31/12/2011
"""
CHANGES = """\
STT,Mã số BHXH,Mã thẻ,Họ và tên,Loại,Ngày hiệu lực,Lý do
1,,HN2560000000002,Dương Thị Hòa,Giảm,15/09/2011,Trùng thẻ BT
2,5600000099,,Người lạ,Giảm,01/05/2011,Không có thẻ
3,5600000003,,Lê Văn Tư,Giảm,01/01/2013,Sau hạn thẻ
"""


def rows_of(path, sheet):
    wb = openpyxl.load_workbook(path, read_only=True)
    out = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    return out


def test_decrease_cuts_card_and_review_shrinks(tmp_path, capsys):
    cards = tmp_path / "the.csv"
    cards.write_text(CARDS, encoding="utf-8")
    changes = tmp_path / "d03.csv"
    changes.write_text(CHANGES, encoding="utf-8")
    before = cards.read_bytes()
    out = tmp_path / "tg.xlsx"
    assert main(["apply-changes", str(cards), str(changes), "-o", str(out)]) == 0
    assert cards.read_bytes() == before
    msg = capsys.readouterr().out
    assert "1 thẻ cắt giá trị" in msg

    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Danh sách sau tăng giảm", "Kết quả tăng giảm", "Tổng hợp tăng giảm", "Dữ liệu xuất",
                             "Lỗi dữ liệu", "Tham số"]
    wb.close()
    listing = rows_of(out, "Danh sách sau tăng giảm")
    h = listing[0]
    assert h[:10] == CARDS.splitlines()[0].split(",")
    cut = listing[2]
    assert cut[1] == "HN2560000000002" and cut[9] == "31/12/2011"  # original value unchanged
    assert cut[h.index("Tăng/giảm")] == "Giảm"
    assert cut[h.index("Giá trị đến ngày (cũ)")] == dt.datetime(2011, 12, 31)
    assert cut[h.index("Giá trị đến ngày (mới)")] == dt.datetime(2011, 9, 30)
    assert cut[h.index("Số tháng không còn phải đóng")] == 3
    assert cut[h.index("Số tiền không còn phải đóng (đồng)")] == 3 * 24_900
    applied = rows_of(out, "Kết quả tăng giảm")
    assert [r[11] for r in applied[1:]] == ["Đã áp dụng", "Không áp dụng", "Không áp dụng"]
    export = rows_of(out, "Dữ liệu xuất")
    assert export[0][:3] == ["MA_THE", "HO_TEN", "NGAY_SINH"]
    assert export[2][8] == dt.datetime(2011, 9, 30) and export[2][9] == "GIAM"
    problems = rows_of(out, "Lỗi dữ liệu")
    assert any("Tệp d03.csv, Dòng 3" in (r[3] or "") for r in problems[1:])

    # round trip: the exported list reviewed again -> the duplicate shrinks from 6 to 3 months
    from bhyt_xl.api import review_file

    review = review_file(out, sheet="Dữ liệu xuất")
    dup = review.result.rows.iloc[1]
    assert dup["verdict"] == "Cấp trùng"
    assert dup["dup_months"] == 3.0 and dup["dup_money"] == 3 * 24_900
