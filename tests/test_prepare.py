"""Every bad-input message names the row, the column and the problem (in Vietnamese)."""

import pytest

from conftest import review_text


def messages(text):
    r = review_text(text)
    return r.result.problems["message"].tolist(), r.result.rows["verdict"].tolist()


@pytest.mark.parametrize(
    "line, expected",
    [
        ("HN2561234500001 | A | 31/02/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Ngày sinh: '31/02/1980' không phải ngày sinh hợp lệ (dd/mm/yyyy hoặc năm sinh)"),
        ("HN2561234500001 | A | 01/01/1980 | Nam | X | HN | | 01/01/2012 | 31/12/2011 |",
         "Dòng 2, cột Đến ngày: ngày hết hạn '31/12/2011' trước ngày bắt đầu giá trị sử dụng"),
        ("HN2561234500001 |  | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Họ và tên: thiếu họ tên"),
        ("HN2561234500001 | A |  | Nam | X | HN | | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Ngày sinh: thiếu ngày sinh"),
        ("HN2561234500001 | A | 01/01/1980 |  | X | HN | | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Giới tính: thiếu giới tính"),
        ("HN2561234500001 | A | 01/01/1980 | Ông | X | HN | | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Giới tính: 'Ông' không phải giới tính (Nam/Nữ, 1/0)"),
        ("HN12 | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Mã thẻ: 'HN12' không đọc được là mã thẻ (cần 2 chữ cái và 13 chữ số, ví dụ HN2561234567890)"),
        (" | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |", "Dòng 2, cột Mã thẻ: thiếu mã thẻ"),
        ("HN2561234500001 | A | 01/01/1980 | Nam | X | HN | | 01/13/2011 | 31/12/2011 |",
         "Dòng 2, cột Từ ngày: '01/13/2011' không phải ngày hợp lệ (dd/mm/yyyy)"),
        ("HN2561234500001 | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | |",
         "Dòng 2, cột Đến ngày: thiếu ngày"),
        ("HN2561234500001 | A | 01/01/1980 | Nam | X | HN | 32/01/2011 | 01/01/2011 | 31/12/2011 |",
         "Dòng 2, cột Ngày cấp: '32/01/2011' không phải ngày hợp lệ (dd/mm/yyyy)"),
        ("HN2561234500001 | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 | hôm qua",
         "Dòng 2, cột Ngày thu hồi: 'hôm qua' không phải ngày hợp lệ (dd/mm/yyyy)"),
    ],
)
def test_bad_row_is_reported_and_excluded(line, expected):
    msgs, verdicts = messages(line)
    assert expected in msgs
    assert verdicts == ["Lỗi dữ liệu"]


def test_missing_address_is_a_warning_not_an_error():
    r = review_text("HN2561234500001 | A | 01/01/1980 | Nam |  | HN | | 01/01/2011 | 31/12/2011 |")
    p = r.result.problems.iloc[0]
    assert p["severity"] == "Cảnh báo" and p["message"].startswith("Dòng 2, cột Địa chỉ: thiếu địa chỉ")
    assert r.result.rows["verdict"].tolist() == ["Không trùng"]


def test_good_rows_still_reviewed_next_to_bad_ones():
    r = review_text("""
        HN2561234500001 | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |
        HN12 | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500003 | A | 01/01/1980 | Nam | X | HN | | 01/06/2011 | 31/12/2011 |
    """)
    assert r.result.rows["verdict"].tolist() == ["Thẻ giữ lại", "Lỗi dữ liệu", "Cấp trùng"]
    assert r.result.problems["src_row"].tolist() == [3]


def test_card_number_cosmetics_are_normalised():
    r = review_text("hn 256-1234500001 | A | 01/01/1980 | Nam | X | HN | | 01/01/2011 | 31/12/2011 |")
    assert r.result.problems.empty
