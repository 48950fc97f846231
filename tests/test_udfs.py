"""The cell functions (bhyt_xl.excel.udfs) as plain Python: hand-computed values, ranges, bad input, params.

Hand computations (CASES.md; premium = 3% × base salary until 2014, 4.5% from 2015):
01/07/2011–31/12/2011 = 6 months × 24,900 (3% × 830,000) = 149,400 đ;
16/07/2011–31/12/2011 = 16/31 + 5 = 5.52 months, 137,352 đ;
01/01/2012–31/12/2012 = 4 × 24,900 + 8 × 31,500 = 351,600 đ; 2015: 4.5% × 1,150,000 = 51,750 đ.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # for the caller test on the remote engine

import datetime as dt
import unicodedata

import numpy as np
import pytest
import xlwings as xw

if "remote" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

from conftest import table_from_text

from bhyt_xl.api import review_table
from bhyt_xl.build.udf_module import generate_udf_module
from bhyt_xl.excel import remote, udfs
from bhyt_xl.excel.udfs import (
    BHYT_KHOA,
    BHYT_KIEMTRAMATHE,
    BHYT_MUCDONG,
    BHYT_NHOM,
    BHYT_SOTHANG,
    BHYT_SOTIEN,
    BHYT_THANGTRUNG,
)
from bhyt_xl.io.params_io import params_blocks
from bhyt_xl.params import Params

# one date in the three forms Excel hands over: a date cell, a serial number, dd/mm/yyyy text
JUL_1 = [dt.datetime(2011, 7, 1), 40725, 40725.0, "01/07/2011", "1/7/2011"]
DEC_31 = [dt.datetime(2011, 12, 31), 40908, "31/12/2011"]


# ---------------------------------------------------------------------------
# Hand-computed values
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("start", JUL_1)
@pytest.mark.parametrize("end", DEC_31)
def test_months_and_money_of_the_second_half_of_2011(start, end):
    assert BHYT_SOTHANG(start, end) == 6
    assert BHYT_SOTIEN(start, end, "HN") == 149_400
    assert BHYT_SOTIEN(start, end) == 149_400


def test_part_months_and_money_across_years():
    assert BHYT_SOTHANG("16/07/2011", "31/12/2011") == 5.52
    assert BHYT_SOTIEN("16/07/2011", "31/12/2011", "BT") == 137_352
    assert BHYT_SOTIEN("01/01/2012", "31/12/2012", "HN") == 351_600
    assert BHYT_SOTIEN("01/10/2011", "31/07/2012", "TC") == 268_800  # CASES.md TH09
    assert BHYT_SOTIEN("01/01/2012", "22/07/2014", "TE") == 979_084  # CASES.md TH03, per-year rounding as the review
    assert BHYT_SOTHANG("01/01/2012", "22/07/2014") == 30.71
    assert BHYT_SOTHANG("15/03/2012", "15/03/2012") == round(1 / 31, 2)


def test_overlap_months():
    assert BHYT_THANGTRUNG("01/01/2011", "31/12/2011", "01/07/2011", "31/12/2012") == 6
    assert BHYT_THANGTRUNG("01/07/2011", "31/12/2012", "01/01/2011", "31/12/2011") == 6
    assert BHYT_THANGTRUNG("01/01/2011", "30/06/2011", "01/07/2011", "31/12/2011") == 0
    assert BHYT_THANGTRUNG("01/01/2012", "31/12/2012", "01/03/2012", "15/06/2012") == 3.5


def test_monthly_premium_in_force():
    assert BHYT_MUCDONG("01/06/2011", "HN") == 24_900
    assert BHYT_MUCDONG(dt.datetime(2011, 6, 1)) == 24_900
    assert BHYT_MUCDONG("01/06/2012", "HN") == 31_500
    assert BHYT_MUCDONG("30/04/2012", "HN") == 24_900  # the base of 01/05/2012 applies from May
    assert BHYT_MUCDONG("15/03/2015", "HN") == 51_750  # 4.5% × 1,150,000
    assert BHYT_MUCDONG("01/06/2011", "CN3569901100100") == 24_900  # a card number gives its code


def test_group_rank_and_name():
    assert BHYT_NHOM("CC") == "3 - Người có công với cách mạng"
    assert BHYT_NHOM("ck") == "3 - Người có công với cách mạng"
    assert BHYT_NHOM("CN3569901100100") == "12 - Người thuộc hộ gia đình cận nghèo"
    assert BHYT_NHOM("ZZ") == ("Mã đối tượng 'ZZ' không có trong bảng thứ tự nhóm của sheet Tham số "
                               "(xếp sau 13 nhóm)")
    assert BHYT_NHOM("12") == "Lỗi: '12' không phải mã đối tượng (2 chữ cái) hay mã thẻ"
    assert BHYT_NHOM(None) == ""


def test_card_number_check():
    assert BHYT_KIEMTRAMATHE("HN2561234567890") == ""
    assert BHYT_KIEMTRAMATHE(" hn 256-1234567890 ") == ""  # spaces, dashes and case as the engine cleans them
    assert BHYT_KIEMTRAMATHE(None) == ""
    assert BHYT_KIEMTRAMATHE("HN256123456789") == (
        "'HN256123456789' không đọc được là mã thẻ: có 14 ký tự, cần 15 "
        "(cần 2 chữ cái và 13 chữ số, ví dụ HN2561234567890)")
    assert "2 ký tự đầu phải là chữ cái" in BHYT_KIEMTRAMATHE(123456789012345.0)
    assert "13 ký tự sau mã đối tượng phải là chữ số" in BHYT_KIEMTRAMATHE("HN25612345678O0")
    loose = Params().replace(card_pattern=r"^[A-Z]{2}\d{10,13}$")
    assert BHYT_KIEMTRAMATHE("HN2561234567", params=loose) == ""
    assert "không khớp mẫu mã thẻ của sheet Tham số" in BHYT_KIEMTRAMATHE("HN25", params=loose)


# ---------------------------------------------------------------------------
# Ranges and bad input
# ---------------------------------------------------------------------------
def test_ranges_give_the_same_shape_with_a_message_per_bad_cell():
    start = [["01/07/2011", dt.datetime(2011, 7, 16)], ["31/02/2011", None], ["01/01/2012", "abc"]]
    end = [["31/12/2011", "31/12/2011"], ["31/12/2011", None], ["01/01/2011", "31/12/2011"]]
    assert BHYT_SOTHANG(start, end) == [
        [6, 5.52],
        ["Lỗi: '31/02/2011' không phải ngày hợp lệ", ""],
        ["Lỗi: đến ngày 01/01/2011 trước từ ngày 01/01/2012", "Lỗi: 'abc' không phải ngày hợp lệ"],
    ]
    money = BHYT_SOTIEN(start, end, [["HN", "BT"], ["HN", "HN"], ["HN", "1"]])
    assert money[0] == [149_400, 137_352] and money[1][1] == ""
    assert money[2][1] == "Lỗi: 'abc' không phải ngày hợp lệ"  # the first problem of the row wins


def test_one_cell_goes_with_every_cell_of_a_range():
    column = [["01/07/2011"], ["01/10/2011"], [None]]
    assert BHYT_SOTHANG(column, "31/12/2011") == [[6], [3], [""]]
    assert BHYT_SOTIEN(column, [["31/12/2011"]], "HN") == [[149_400], [74_700], [""]]
    assert BHYT_MUCDONG([["01/06/2011", "01/06/2012", "2015-03-01"]]) == [[24_900, 31_500, 51_750]]
    assert BHYT_THANGTRUNG(column, "31/12/2011", "01/01/2011", "31/12/2011") == [[6], [3], [""]]


def test_ranges_of_different_sizes_give_one_message():
    assert BHYT_SOTHANG([["01/07/2011"], ["01/08/2011"]], [["31/12/2011"]] * 3) == \
        "Lỗi: các vùng ô không cùng kích thước (2×1 và 3×1)"


def test_bad_values_give_vietnamese_messages_not_exceptions():
    assert BHYT_SOTHANG("31/02/2011", "31/12/2011") == "Lỗi: '31/02/2011' không phải ngày hợp lệ"
    assert BHYT_SOTHANG("01/07/2011", -5) == "Lỗi: '-5' không phải ngày hợp lệ"
    assert BHYT_SOTIEN("01/07/2011", "31/12/2011", "H1") == \
        "Lỗi: 'H1' không phải mã đối tượng (2 chữ cái) hay mã thẻ"
    assert BHYT_MUCDONG("ngày mai") == "Lỗi: 'ngày mai' không phải ngày hợp lệ"
    assert BHYT_KHOA("A", "31/02/1980", "Nam", "X") == \
        "Lỗi: '31/02/1980' không phải ngày sinh hợp lệ (dd/mm/yyyy hoặc năm sinh)"
    assert BHYT_KHOA("A", "01/01/1980", "Khác", "X") == "Lỗi: 'Khác' không phải giới tính (Nam/Nữ, 1/0)"
    assert BHYT_KHOA(None, "01/01/1980", "Nam", "X") == "Lỗi: thiếu họ tên"
    assert BHYT_KHOA(None, None, None, None) == ""


def test_work_is_vectorised(monkeypatch):
    calls = []
    real = udfs.month_fraction
    monkeypatch.setattr(udfs, "month_fraction", lambda s, e: calls.append(len(s)) or real(s, e))
    start = [[dt.datetime(2011, 1, 1) + dt.timedelta(days=i)] for i in range(2000)]
    result = BHYT_SOTHANG(start, "31/12/2011")
    assert calls == [2000] and len(result) == 2000 and result[0] == [12]


# ---------------------------------------------------------------------------
# The identity key is the engine's
# ---------------------------------------------------------------------------
def test_identity_key_of_variants_equals_the_engines_key():
    nfd = unicodedata.normalize("NFD", "Phạm Thị Huệ")
    text = f"""
    HN2569901300100 | Phạm Thị Huệ      | 12/03/1985 | Nữ  | Thôn 93, Xã Cam An Bắc, Huyện Cam Lâm | HN | 10/12/2010 | 01/01/2011 | 31/12/2011
    CN3569901300200 |  {nfd}           | 12/03/1985 | nữ  | {unicodedata.normalize("NFD", "Thôn 93 ,Xã Cam An Bắc,Huyện Cam Lâm")} | CN | 25/08/2011 | 01/09/2011 | 31/12/2011
    TS2569901200100 | NGUYỄN  THỊ THUÝ  | 1990       | 0   | Xã Diên Hoà  - Khánh Hoà | TS | 15/12/2011 | 01/01/2012 | 31/12/2012
    TS2569901200200 | Nguyễn Thị Thúy   | 1990       | Nữ  | xã diên hòa – khánh hòa  | TS | 15/12/2011 | 01/01/2012 | 31/12/2012
    """
    table = table_from_text(text)
    engine = review_table(table).result.rows["identity_key"].tolist()
    column = lambda name: [[v] for v in table.data[table.columns[name]]]
    keys = BHYT_KHOA(column("full_name"), column("birth_date"), column("sex"), column("address"))
    assert [k[0] for k in keys] == engine
    assert engine[0] == engine[1] and engine[2] == engine[3] and engine[0] != engine[2]
    assert engine[2] == "nguyễn thị thúy | 1990 | nữ | xã diên hòa - khánh hòa"
    assert BHYT_KHOA("  NGUYỄN  Văn A", dt.datetime(2008, 7, 23), "Nam", "Thôn 1 ,Xã Vĩnh Lương") == \
        "nguyễn văn a | 23/07/2008 | nam | thôn 1, xã vĩnh lương"


# ---------------------------------------------------------------------------
# Params: explicit, from the calling workbook's "Tham số", defaults
# ---------------------------------------------------------------------------
def six_percent() -> Params:
    p = Params()
    return p.replace(rates=p.rates.assign(rate_percent=[6.0, 4.5]))


def test_explicit_params():
    assert BHYT_MUCDONG("01/06/2011", params=six_percent()) == 49_800
    assert BHYT_SOTIEN("01/07/2011", "31/12/2011", params=six_percent()) == 298_800
    assert BHYT_SOTHANG("16/07/2011", "31/12/2011", params=Params().replace(month_rounding="up")) == 6


def caller_in(params: Params | None, bad_rate: bool = False):
    """A calling cell of a (remote) workbook whose "Tham số" holds ``params``."""
    rows = [["THAM SỐ"], []]
    for title, frame in params_blocks(params or Params()):
        rows += [[title], [str(c) for c in frame.columns]]
        rows += [list(r) for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False)]
        rows.append([])
    if bad_rate:
        at = next(i for i, r in enumerate(rows) if r and r[0] == "TỶ LỆ ĐÓNG BHYT")
        rows[at + 2][1] = "sáu"
    sheets = {"Danh sách thẻ": [["x"]], "Tham số": rows}
    book = xw.Book(json=remote.payload(sheets, book_name=f"Book{id(rows)}.xlsm"))
    return book.sheets[0]["A1"]


def test_params_come_from_the_calling_workbook():
    udfs._params_cache.clear()
    assert BHYT_MUCDONG("01/06/2011", caller=caller_in(six_percent())) == 49_800
    assert BHYT_MUCDONG("01/06/2011", caller=caller_in(None)) == 24_900
    no_sheet = xw.Book(json=remote.payload({"Danh sách thẻ": [["x"]]}, book_name="NoParams.xlsm"))
    assert BHYT_MUCDONG("01/06/2011", caller=no_sheet.sheets[0]["A1"]) == 24_900
    message = BHYT_MUCDONG([["01/06/2011"], ["01/06/2012"]], caller=caller_in(None, bad_rate=True))
    assert message.startswith('Lỗi: sheet "Tham số", dòng') and "phải là số không âm" in message


def test_the_vba_wrappers_hide_caller_and_params():
    vba = generate_udf_module("bhyt_xl.excel.udfs", "BHYT_RaSoat.xlsm")
    for signature in ("BHYT_SOTHANG(tu_ngay, den_ngay)", "BHYT_THANGTRUNG(tu1, den1, tu2, den2)",
                      "BHYT_MUCDONG(ngay, Optional ma_doi_tuong)",
                      "BHYT_SOTIEN(tu_ngay, den_ngay, Optional ma_doi_tuong)",
                      "BHYT_NHOM(ma_the_hoac_ma_doi_tuong)", "BHYT_KHOA(ho_ten, ngay_sinh, gioi_tinh, dia_chi)",
                      "BHYT_KIEMTRAMATHE(ma_the)"):
        assert f"Function {signature}\n" in vba.replace("\r\n", "\n"), signature
    assert 'Array(tu_ngay, den_ngay, Nothing, Nothing)' in vba
    assert np.all([name.isascii() for name in udfs.__dict__ if name.startswith("BHYT_")])


# --- BHYT_NGAYDU5NAM (CV 1006) ----------------------------------------------------
def test_ngaydu5nam_one_person_gap_after_2015_kept():
    from bhyt_xl.excel.udfs import BHYT_NGAYDU5NAM

    starts = [[dt.datetime(2012, 1, 1)], [dt.datetime(2015, 3, 1)]]
    ends = [[dt.datetime(2014, 12, 31)], [dt.datetime(2017, 12, 31)]]
    assert BHYT_NGAYDU5NAM(starts, ends) == dt.datetime(2017, 1, 1)
    # as dd/mm/yyyy text too, and a chain that does not reach the date
    assert BHYT_NGAYDU5NAM([["01/01/2016"]], [["31/12/2018"]]) == "Chưa đủ"
    # before 2015 a gap breaks: restart 01/03/2013 -> 01/03/2018
    assert BHYT_NGAYDU5NAM([["01/01/2012"], ["01/03/2013"]], [["31/12/2012"], ["31/12/2018"]]) == \
        dt.datetime(2018, 3, 1)
    # a chain of 5 years before 2015 -> 01/01/2015
    assert BHYT_NGAYDU5NAM([["01/01/2008"]], [["31/12/2015"]]) == dt.datetime(2015, 1, 1)


def test_ngaydu5nam_bad_input_gives_a_message():
    from bhyt_xl.excel.udfs import BHYT_NGAYDU5NAM

    assert BHYT_NGAYDU5NAM([["31/02/2012"]], [["31/12/2018"]]).startswith("Lỗi: '31/02/2012'")
    assert BHYT_NGAYDU5NAM([["01/01/2012"], ["01/01/2013"]], [["31/12/2018"]]).startswith("Lỗi: hai vùng ô")
    assert BHYT_NGAYDU5NAM([[None]], [[None]]) == ""
