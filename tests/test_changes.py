"""Applying increases and decreases (CV 1006/BHXH-CST mục 1), hand-computed.

Premiums (3% of the base salary): 24,900 đ/month 05/2011–04/2012, 31,500 đ from
05/2012, 34,500 đ from 07/2013. Budget share: HN, TA, BT 100%; CN 50% (70% from
07/2012); HS, SV 30%.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from bhyt_xl.core.changes import (
    APPLIED, CHANGE_COLUMNS, NOT_APPLIED, ChangeOptions, apply_changes, field_for_change_header,
    normalize_change_type, prepare_changes,
)
from bhyt_xl.core.months import month_fraction
from bhyt_xl.core.prepare import CARD_COLUMNS, prepare_cards
from bhyt_xl.core.review import review_cards
from bhyt_xl.params import Params
from conftest import HEADER, table_from_text

P = Params()
CHANGE_HEADER = ("Mã số BHXH | Mã thẻ | Họ và tên | Ngày sinh | Loại biến động | Ngày hiệu lực | Đến ngày "
                 "| Mã đối tượng | Lý do")
BHXH_HEADER = HEADER + " | Mã số BHXH"


def cards_from(text, header=HEADER):
    t = table_from_text(text, header)
    cards, _ = prepare_cards(t.data, t.columns, t.src_row, P)
    return cards


def changes_from(text, header=CHANGE_HEADER):
    """Pipe-separated change rows (row numbers from 2) -> (changes, problems) via prepare_changes."""
    cols = [c.strip() for c in header.split("|")]
    rows = []
    for line in [ln for ln in text.strip().splitlines() if ln.strip()]:
        cells = [c.strip() for c in line.split("|")]
        cells += [""] * (len(cols) - len(cells))
        rows.append([c if c != "" else None for c in cells])
    data = pd.DataFrame(rows, columns=cols, dtype="object")
    columns = {field_for_change_header(c): c for c in cols}
    return prepare_changes(data, columns, np.arange(len(data)) + 2)


def run(cards_text, changes_text, cards_header=HEADER, **options):
    cards = cards_from(cards_text, cards_header)
    changes, problems = changes_from(changes_text)
    assert problems.empty, problems["message"].tolist()
    return cards, apply_changes(cards, changes, P, ChangeOptions(**options))


def day(text):
    return pd.Timestamp(dt.datetime.strptime(text, "%d/%m/%Y"))


def messages(result):
    return result.problems["message"].tolist()


HN_2012 = "HN2561234567890 | Nguyễn Văn B | 01/01/1960 | Nam | Xã Vĩnh Lương | HN | | 01/01/2012 | 31/12/2012 |"
CN_2012 = "CN2561234567891 | Trần Thị C | 01/01/1970 | Nữ | Xã A | CN | | 01/01/2012 | 31/12/2012 |"


# --- cutting a decreased card ------------------------------------------------------------------
def test_decrease_mid_month_cuts_to_end_of_month():
    _, r = run(HN_2012, " | HN2561234567890 | | | Giảm | 15/03/2012 | | | Nghỉ việc")
    card = r.cards.iloc[0]
    assert card["valid_to"] == day("31/03/2012") == card["new_valid_to"]
    assert card["old_valid_to"] == day("31/12/2012")
    assert card["change"] == "Giảm" and card["change_row"] == 2
    # 01/04–31/12/2012: 24,900 (04/2012) + 8 × 31,500 = 276,900; HN fully budget-paid
    assert card["months_cut"] == 9.0
    assert card["money_cut"] == 24_900 + 8 * 31_500 == 276_900
    assert card["budget_cut"] == 276_900
    a = r.applied.iloc[0]
    assert a["status"] == APPLIED and a["change"] == "Giảm" and a["match_by"] == "Mã thẻ"
    assert a["new_valid_to"] == day("31/03/2012") and a["money_cut"] == 276_900
    assert r.stats["decreases"] == 1 and r.stats["money_cut"] == 276_900 and r.stats["not_applied"] == 0
    assert r.problems.empty


def test_decrease_option_cuts_to_the_decrease_date_itself():
    _, r = run(HN_2012, " | HN2561234567890 | | | G | 15/03/2012", cut="decrease_date")
    card = r.cards.iloc[0]
    assert card["valid_to"] == day("15/03/2012")
    # 16/03–31/12/2012: 16/31 + 9 months; 16/31 × 24,900 = 12,851.61 + 276,900 = 289,751.61 -> 289,752
    assert card["months_cut_exact"] == pytest.approx(16 / 31 + 9)
    assert card["months_cut"] == 9.52
    assert card["money_cut"] == 289_752


def test_budget_part_of_a_near_poor_card_follows_the_share_in_force():
    _, r = run(CN_2012, " | CN2561234567891 | | | giảm | 15/03/2012")
    card = r.cards.iloc[0]
    assert card["money_cut"] == 276_900
    # 04/2012: 24,900 × 50%; 05–06/2012: 2 × 31,500 × 50%; 07–12/2012: 6 × 31,500 × 70%
    assert card["budget_cut"] == 12_450 + 31_500 + 132_300 == 176_250


def test_invalid_cut_option_is_refused():
    with pytest.raises(ValueError):
        ChangeOptions(cut="next_month")


# --- matching -------------------------------------------------------------------------------
def test_decrease_matches_by_bhxh_number_first_even_with_leading_zero_lost():
    cards_text = f"""
        {HN_2012} | 0123456789
        HN2561234567892 | Nguyễn Văn B | 01/01/1960 | Nam | Xã Khác | HN | | 01/01/2012 | 31/12/2012 | | 5600000001
    """
    # the BHXH number as Excel keeps it in a number cell (leading zero lost); the name is misspelt
    _, r = run(cards_text, "123456789 | | Nguyễn Văn Bê | | Giảm | 10/06/2012", cards_header=BHXH_HEADER)
    assert list(r.cards["change"].iloc[:2]) == ["Giảm", ""]
    assert r.cards["valid_to"].iloc[0] == day("30/06/2012")
    assert r.applied["match_by"].iloc[0] == "Mã số BHXH"
    # 07–12/2012: 6 × 31,500
    assert r.cards["money_cut"].iloc[0] == 189_000


def test_decrease_matches_by_card_number_when_no_bhxh_number():
    cards_text = f"""
        {HN_2012}
        {CN_2012}
    """
    _, r = run(cards_text, " | cn 256-1234567891 | | | Giảm | 01/11/2012")
    assert list(r.cards["change"]) == ["", "Giảm"]
    assert r.cards["valid_to"].iloc[1] == day("30/11/2012")
    assert r.cards["months_cut"].iloc[1] == 1.0 and r.cards["money_cut"].iloc[1] == 31_500
    # CN from 07/2012: 70%
    assert r.cards["budget_cut"].iloc[1] == 22_050


def test_decrease_matches_by_normalised_name_and_date_of_birth():
    cards_text = """
        HN2561234567893 | Nguyễn Thị Hòa | 1950 | Nữ | Xã A | HN | | 01/01/2012 | 31/12/2012 |
        HN2561234567894 | Nguyễn Thị Hòa | 1951 | Nữ | Xã A | HN | | 01/01/2012 | 31/12/2012 |
    """
    _, r = run(cards_text, " | | NGUYỄN  THỊ HOÀ | 1950 | tang | 01/01/2012\n | | nguyễn thị hoà | 1950 | giam | 05/10/2012")
    # the first row is an increase (overlapping, flagged); the decrease reaches only the 1950 card
    assert list(r.cards["change"].iloc[:2]) == ["Giảm", ""]
    assert r.cards["valid_to"].iloc[0] == day("31/10/2012")
    assert r.applied["match_by"].tolist() == ["Họ tên + ngày sinh", "Họ tên + ngày sinh"]


def test_no_card_valid_on_the_date_is_not_applied():
    cards_text = f"""
        {HN_2012}
    """
    _, r = run(cards_text, """
        | | Phạm Văn Z | 02/02/1980 | Giảm | 15/03/2012
        | HN2561234567890 | | | Giảm | 15/06/2011
    """)
    assert r.applied["status"].tolist() == [NOT_APPLIED, NOT_APPLIED]
    assert messages(r) == [
        "Dòng 2, cột Họ và tên: không tìm thấy thẻ còn giá trị vào ngày 15/03/2012 của người này "
        "(tìm theo Họ tên + ngày sinh)",
        "Dòng 3, cột Mã thẻ: không tìm thấy thẻ còn giá trị vào ngày 15/06/2011 của người này (tìm theo Mã thẻ)",
    ]
    assert set(r.problems["severity"]) == {"Lỗi"}
    assert r.cards["valid_to"].iloc[0] == day("31/12/2012") and r.cards["change"].iloc[0] == ""


TWO_CARDS = """
    TA4561234567890 | Nguyễn Văn B | 01/01/1960 | Nam | Xã Vĩnh Lương | TA | | 01/01/2011 | 31/12/2011 |
    TA4561234567891 | Nguyễn Văn B | 01/01/1960 | Nam | Xã Vĩnh Lương | TA | | 01/07/2011 | 31/12/2011 |
"""


def test_several_cards_on_the_date_are_never_guessed():
    _, r = run(TWO_CARDS, " | | Nguyễn Văn B | 01/01/1960 | Giảm | 15/09/2011")
    assert r.applied["status"].iloc[0] == NOT_APPLIED
    assert messages(r) == ["Dòng 2, cột Họ và tên: khớp nhiều thẻ (TA4561234567890, TA4561234567891): "
                           "không áp dụng, cần kiểm tra"]
    assert list(r.cards["change"]) == ["", ""]
    assert list(r.cards["valid_to"]) == [day("31/12/2011"), day("31/12/2011")]


def test_a_card_number_next_to_the_bhxh_number_picks_among_several_cards():
    header = BHXH_HEADER
    cards_text = "\n".join(line.strip() + " | 0123456789" for line in TWO_CARDS.strip().splitlines())
    _, r = run(cards_text, """
        0123456789 | TA4561234567891 | | | Giảm | 15/09/2011
    """, cards_header=header)
    assert list(r.cards["change"]) == ["", "Giảm"]
    assert r.applied["match_by"].iloc[0] == "Mã số BHXH"
    _, r = run(cards_text, "0123456789 | | | | Giảm | 15/09/2011", cards_header=header)
    assert r.applied["status"].iloc[0] == NOT_APPLIED
    assert "khớp nhiều thẻ" in messages(r)[0]


# --- repeats --------------------------------------------------------------------------------
def test_the_same_change_twice_is_applied_once():
    _, r = run(HN_2012, """
        | HN2561234567890 | | | Giảm | 15/03/2012
        | HN2561234567890 | | | G | 15/03/2012
        | HN2561234567890 | | | giảm | 15/03/2012
    """)
    assert r.applied["status"].tolist() == [APPLIED, NOT_APPLIED, NOT_APPLIED]
    assert messages(r) == ["Dòng 3, cột Loại biến động: trùng với dòng 2: không áp dụng",
                           "Dòng 4, cột Loại biến động: trùng với dòng 2: không áp dụng"]
    assert set(r.problems["severity"]) == {"Cảnh báo"}
    assert r.cards["money_cut"].iloc[0] == 276_900 and r.stats["money_cut"] == 276_900


def test_two_different_decreases_for_one_card_the_earliest_applies():
    _, r = run(HN_2012, """
        | HN2561234567890 | | | Giảm | 20/06/2012
        | HN2561234567890 | | | Giảm | 15/03/2012
    """)
    assert r.applied["status"].tolist() == [NOT_APPLIED, APPLIED]
    card = r.cards.iloc[0]
    assert card["valid_to"] == day("31/03/2012") and card["change_row"] == 3
    assert messages(r) == ["Dòng 2, cột Mã thẻ: thẻ HN2561234567890 đã được giảm theo dòng 3 "
                           "(ngày hiệu lực 15/03/2012): không áp dụng dòng giảm sau"]
    assert "dòng giảm 2 không áp dụng" in card["change_note"]


def test_decrease_after_the_card_ended_changes_nothing():
    cards_text = """
        HN2561234567895 | Lê Văn D | 01/01/1960 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234567896 | Lê Văn E | 01/01/1961 | Nam | Xã A | HN | | 01/01/2012 | 20/03/2012 |
    """
    _, r = run(cards_text, """
        | HN2561234567895 | | | Giảm | 15/03/2012
        | HN2561234567896 | | | Giảm | 10/03/2012
    """)
    assert r.applied["status"].tolist() == [NOT_APPLIED, NOT_APPLIED]
    assert list(r.cards["valid_to"]) == [day("31/12/2011"), day("20/03/2012")]
    assert list(r.cards["change"]) == ["", ""]
    assert set(r.problems["severity"]) == {"Cảnh báo"}
    assert all("không cắt: thẻ hết hạn trước ngày giảm" in m for m in messages(r))
    assert messages(r)[1] == ("Dòng 3, cột Mã thẻ: không cắt: thẻ hết hạn trước ngày giảm "
                              "(thẻ HN2561234567896 hết hạn 20/03/2012, cắt đến 31/03/2012)")
    # cutting to the decrease date does cut the second card: 11/03–20/03 = 10/31 month × 24,900 = 8,032.26
    _, r = run(cards_text, "| HN2561234567896 | | | Giảm | 10/03/2012", cut="decrease_date")
    assert r.cards["valid_to"].iloc[1] == day("10/03/2012")
    assert r.cards["months_cut_exact"].iloc[1] == pytest.approx(10 / 31)
    assert r.cards["money_cut"].iloc[1] == 8_032


# --- increases ------------------------------------------------------------------------------
def test_increase_adds_a_card_to_the_end_of_the_year_or_to_the_given_date():
    cards, r = run(HN_2012, """
        | HS4561234500001 | Lê Thị E | 05/05/2005 | Tăng | 01/10/2012
        | HS4561234500002 | Phan Văn F | 06/06/1994 | T | 01/10/2012 | 30/09/2013 | SV
    """)
    assert len(r.cards) == 3
    assert r.cards.index.tolist() == [0, 1, 2]
    added = r.cards.iloc[1:]
    assert added["change"].tolist() == ["Tăng", "Tăng"]
    assert added["change_row"].tolist() == [2, 3]
    assert added["valid_from"].tolist() == [day("01/10/2012"), day("01/10/2012")]
    assert added["valid_to"].tolist() == [day("31/12/2012"), day("30/09/2013")]
    assert added["group_code"].tolist() == ["HS", "SV"]
    assert added["full_name"].tolist() == ["Lê Thị E", "Phan Văn F"]
    assert added["valid"].all()
    assert r.applied["status"].tolist() == [APPLIED, APPLIED]
    # 3 × 31,500 = 94,500; 01/10/2012–30/09/2013: 9 × 31,500 + 3 × 34,500 = 387,000; budget 30%
    assert r.stats["increases"] == 2
    assert r.stats["months_added"] == 15.0
    assert r.stats["money_added"] == 94_500 + 387_000
    assert r.stats["budget_added"] == 28_350 + 116_100
    # the two new people have no sex/address: warned, still added
    assert all("thiếu giới tính hoặc địa chỉ" in m for m in messages(r))


def test_increase_overlapping_an_existing_card_is_added_and_flagged():
    cards, r = run(HN_2012, " | BT2561234567899 | Nguyễn Văn B | 01/01/1960 | Tăng | 01/07/2012")
    assert messages(r) == ["Dòng 2, cột Ngày hiệu lực: tăng trùng thời gian với thẻ còn giá trị (HN2561234567890): "
                           "vẫn thêm thẻ, có thể cấp trùng, cần kiểm tra"]
    assert r.problems["severity"].tolist() == ["Cảnh báo"]
    new = r.cards.iloc[1]
    assert new["change"] == "Tăng" and "trùng thời gian với thẻ HN2561234567890" in new["change_note"]
    # identity completed from the person's card, so the review sees one person
    assert (new["sex"], new["address"]) == ("Nam", "Xã Vĩnh Lương")
    assert r.stats["increase_overlaps"] == 1
    review = review_cards(r.cards[CARD_COLUMNS], P)
    # BT (group 7) outranks HN (group 8): the HN card is a duplicate 01/07–31/12/2012 = 6 × 31,500
    assert review.rows["verdict"].tolist() == ["Cấp trùng", "Thẻ giữ lại"]
    assert review.rows["dup_money"].iloc[0] == 189_000


def test_a_repeated_increase_adds_one_card_even_to_an_empty_list():
    cards = cards_from(HN_2012).iloc[:0]
    changes, _ = changes_from("""
        | HS4561234500001 | Lê Thị E | 05/05/2005 | Tăng | 01/10/2012
        | HS4561234500001 | Lê Thị E | 05/05/2005 | tăng | 01/10/2012
    """)
    r = apply_changes(cards, changes, P)
    assert r.cards["card_no"].tolist() == ["HS4561234500001"] and r.cards["change_row"].tolist() == [2]
    assert r.applied["reason"].iloc[1] == "trùng với dòng 2: không áp dụng"
    assert r.stats["increases"] == 1 and r.stats["money_added"] == 3 * 31_500


# --- bad rows ------------------------------------------------------------------------------
def test_bad_change_rows_are_reported_with_row_and_column_and_not_applied():
    changes, problems = changes_from("""
        | HN2561234567890 | | | X | 15/03/2012
        | HN2561234567890 | | | Giảm | 31/02/2012
        | HN2561234567890 | | | | 15/03/2012
        | HN2561234567890 | | | Giảm |
        | | Nguyễn Văn B | | Giảm | 15/03/2012
        | HN2561234567890 | | | Tăng | 15/03/2012 | 01/01/2012
    """)
    assert problems["message"].tolist() == [
        "Dòng 2, cột Loại biến động: 'X' không phải loại biến động (ghi Tăng hoặc Giảm)",
        "Dòng 3, cột Ngày hiệu lực: '31/02/2012' không phải ngày hợp lệ (dd/mm/yyyy)",
        "Dòng 4, cột Loại biến động: thiếu loại biến động (Tăng/Giảm)",
        "Dòng 5, cột Ngày hiệu lực: thiếu ngày hiệu lực (ngày tăng/giảm)",
        "Dòng 6, cột Mã số BHXH: không có thông tin nhận diện (cần Mã số BHXH, mã thẻ, hoặc họ tên và ngày sinh)",
        "Dòng 7, cột Đến ngày: ngày '01/01/2012' trước ngày hiệu lực",
    ]
    assert problems["column"].tolist()[:2] == ["Loại biến động", "Ngày hiệu lực"]
    assert not changes["valid"].any()
    assert list(changes.columns) == CHANGE_COLUMNS
    r = apply_changes(cards_from(HN_2012), changes, P)
    assert (r.applied["status"] == NOT_APPLIED).all()
    assert r.problems.empty  # already reported by prepare_changes, not twice
    assert r.cards["change"].tolist() == [""] and r.cards["valid_to"].iloc[0] == day("31/12/2012")


def test_unprepared_change_rows_are_checked_by_apply_changes_too():
    changes = pd.DataFrame({
        "src_row": [2, 3], "card_no": ["HN2561234567890", "HN2561234567890"], "change_type": ["X", "Giảm"],
        "effective_date": pd.to_datetime(["2012-03-15", None]),
    })
    r = apply_changes(cards_from(HN_2012), changes, P)
    assert messages(r) == ["Dòng 2, cột Loại biến động: 'X' không phải loại biến động (ghi Tăng hoặc Giảm)",
                           "Dòng 3, cột Ngày hiệu lực: thiếu hoặc sai ngày hiệu lực (ngày tăng/giảm)"]
    assert r.stats["not_applied"] == 2


def test_change_type_spellings_and_headers():
    values = pd.Series(["Tăng", "tăng", "T", "tang", "Giảm", "giảm", "G", "giam", "GIẢM", "X", None])
    assert normalize_change_type(values).tolist() == ["Tăng"] * 4 + ["Giảm"] * 5 + ["", ""]
    assert [field_for_change_header(h) for h in ["Loại", "Tăng/Giảm", "Phương án", "Ngày biến động", "Từ ngày",
                                                 "Ghi chú", "MA_SO_BHXH", "Số thẻ", "Đến ngày", "Mã ĐT"]] == [
        "change_type", "change_type", "change_type", "effective_date", "effective_date", "reason", "bhxh_no",
        "card_no", "valid_to", "group_code"]
    assert field_for_change_header("Quốc tịch") is None


# --- rows kept --------------------------------------------------------------------------------
def test_original_rows_are_never_dropped_or_reordered():
    cards = cards_from(f"""
        {CN_2012}
        HN12 | Hỏng Mã | 01/01/1960 | Nam | Xã A | HN | | 01/01/2012 | 31/12/2012 |
        {HN_2012}
    """)
    cards.index = [30, 10, 20]
    before = cards.copy()
    changes, _ = changes_from("""
        | HN2561234567890 | | | Giảm | 15/03/2012
        | HN12 | | | Giảm | 15/03/2012
        | HS4561234500001 | Lê Thị E | 05/05/2005 | Tăng | 01/10/2012
    """)
    r = apply_changes(cards, changes, P)
    pd.testing.assert_frame_equal(cards, before)  # input untouched
    assert r.cards.index.tolist() == [30, 10, 20, 31]
    assert r.cards["src_row"].tolist() == [2, 3, 4, 4]
    assert r.cards["change"].tolist() == ["", "", "Giảm", "Tăng"]
    assert not r.cards["valid"].iloc[1]  # the invalid card stays, unchanged and unmatched
    assert r.applied["status"].tolist() == [APPLIED, NOT_APPLIED, APPLIED]
    pd.testing.assert_frame_equal(r.cards.loc[[30, 10], CARD_COLUMNS], before.loc[[30, 10], CARD_COLUMNS])


# --- round trip with the review ------------------------------------------------------------------
@pytest.mark.parametrize("cut, months_cut, money_cut, dup_months, dup_money", [
    # cut to 30/09/2011: 10–12/2011 = 3 × 24,900 no longer due; duplicate 01/07–30/09 = 3 months
    ("end_of_month", 3.0, 74_700, 3.0, 74_700),
    # cut to 15/09/2011: 16/09–31/12 = 15/30 + 3 months; duplicate 01/07–15/09 = 2 + 15/30 months
    ("decrease_date", 3.5, 12_450 + 74_700, 2.5, 2 * 24_900 + 12_450),
])
def test_round_trip_decrease_shrinks_the_duplicate_time(cut, months_cut, money_cut, dup_months, dup_money):
    cards = cards_from(TWO_CARDS)
    before = review_cards(cards, P)
    assert before.rows["verdict"].tolist() == ["Thẻ giữ lại", "Cấp trùng"]
    assert before.rows["dup_months"].iloc[1] == 6.0 and before.rows["dup_money"].iloc[1] == 149_400

    changes, _ = changes_from(" | TA4561234567891 | | | Giảm | 15/09/2011 | | | Cấp trùng")
    r = apply_changes(cards, changes, P, ChangeOptions(cut=cut))
    assert r.cards["months_cut"].iloc[1] == months_cut and r.cards["money_cut"].iloc[1] == money_cut
    assert r.cards["budget_cut"].iloc[1] == money_cut

    after = review_cards(r.cards[CARD_COLUMNS], P)
    assert after.rows["verdict"].tolist() == ["Thẻ giữ lại", "Cấp trùng"]
    assert after.rows["dup_months"].iloc[1] == dup_months
    assert after.rows["dup_money"].iloc[1] == dup_money
    # what the decrease removed is exactly what the duplicate lost
    assert before.rows["dup_money"].iloc[1] - after.rows["dup_money"].iloc[1] == money_cut
    # the extra columns do not disturb the review either
    assert review_cards(r.cards, P).rows["dup_money"].iloc[1] == dup_money


# --- properties -------------------------------------------------------------------------------
BASE = dt.date(2011, 1, 1)


@st.composite
def card_lists(draw):
    k = draw(st.integers(1, 8))
    rows = []
    for i in range(k):
        person = draw(st.integers(0, 2))
        start = BASE + dt.timedelta(days=draw(st.integers(0, 1000)))
        end = start + dt.timedelta(days=draw(st.integers(0, 500)))
        rows.append({
            "src_row": i + 2, "card_no": f"HN{draw(st.integers(0, 5)):013d}", "full_name": f"Người {person}",
            "birth_date": pd.Timestamp(1960 + person, 1, 1), "birth_year_only": False, "sex": "Nam",
            "address": "Xã A", "group_code": draw(st.sampled_from(["HN", "CN", "HS", "ZZ"])), "issue_date": pd.NaT,
            "valid_from": pd.Timestamp(start), "valid_to": pd.Timestamp(end), "revoked_on": pd.NaT,
            "bhxh_no": "", "unit_code": "", "kcb_code": "", "printed_5y": pd.NaT, "valid": draw(st.booleans()),
        })
    cards = pd.DataFrame(rows, columns=CARD_COLUMNS)
    for c in ("birth_date", "issue_date", "valid_from", "valid_to", "revoked_on", "printed_5y"):
        cards[c] = cards[c].astype("datetime64[ns]")
    return cards


@st.composite
def decrease_lists(draw):
    k = draw(st.integers(0, 6))
    rows = []
    for i in range(k):
        by_card = draw(st.booleans())
        person = draw(st.integers(0, 3))
        rows.append({
            "src_row": i + 2,
            "card_no": f"HN{draw(st.integers(0, 6)):013d}" if by_card else "",
            "full_name": "" if by_card else f"Người {person}",
            "birth_date": pd.NaT if by_card else pd.Timestamp(1960 + person, 1, 1),
            "change_type": draw(st.sampled_from(["Giảm", "G", "giam"])),
            "effective_date": pd.Timestamp(BASE + dt.timedelta(days=draw(st.integers(-60, 1600)))),
        })
    frame = pd.DataFrame(rows, columns=["src_row", "card_no", "full_name", "birth_date", "change_type",
                                        "effective_date"])
    for c in ("birth_date", "effective_date"):
        frame[c] = frame[c].astype("datetime64[ns]")
    return frame


@settings(max_examples=60, deadline=None)
@given(card_lists(), st.sampled_from(["end_of_month", "decrease_date"]))
def test_property_no_changes_leaves_the_cards_unchanged(cards, cut):
    empty = pd.DataFrame({"src_row": pd.Series(dtype="int64"), "card_no": pd.Series(dtype=object),
                          "change_type": pd.Series(dtype=object),
                          "effective_date": pd.Series(dtype="datetime64[ns]")})
    r = apply_changes(cards, empty, P, ChangeOptions(cut=cut))
    pd.testing.assert_frame_equal(r.cards[CARD_COLUMNS], cards)
    assert (r.cards["change"] == "").all() and r.cards["change_row"].isna().all()
    assert (r.cards["money_cut"] == 0).all() and r.applied.empty and r.problems.empty
    assert r.stats["changes"] == 0


@settings(max_examples=120, deadline=None)
@given(card_lists(), decrease_lists(), st.sampled_from(["end_of_month", "decrease_date"]))
def test_property_decreases_never_lengthen_a_card(cards, decreases, cut):
    r = apply_changes(cards, decreases, P, ChangeOptions(cut=cut))
    out = r.cards
    assert len(out) == len(cards) and out.index.equals(cards.index)
    pd.testing.assert_frame_equal(out[CARD_COLUMNS].drop(columns="valid_to"), cards.drop(columns="valid_to"))
    assert (out["valid_to"] <= cards["valid_to"]).all()
    assert (out["new_valid_to"] == out["valid_to"]).all() and (out["old_valid_to"] == cards["valid_to"]).all()
    changed = out["valid_to"] != cards["valid_to"]
    assert (out.loc[changed, "change"] == "Giảm").all() and (out.loc[~changed, "change"] == "").all()
    assert (out["money_cut"] >= 0).all() and (out["budget_cut"] <= out["money_cut"]).all()
    # only valid cards are cut; each by one applied change row, and each applied row cuts one card
    assert out.loc[changed, "valid"].all()
    applied_rows = r.applied.loc[r.applied["status"] == APPLIED, "src_row"].tolist()
    assert sorted(out.loc[changed, "change_row"].astype(int).tolist()) == sorted(applied_rows)
    # months cut = the month rule over (new end + 1 day … old end)
    expect = month_fraction(out["valid_to"] + pd.Timedelta(days=1), cards["valid_to"])
    np.testing.assert_allclose(out["months_cut_exact"].to_numpy(), np.where(changed, expect, 0.0))
    # the cut lands where the option says
    eff = decreases.set_index("src_row")["effective_date"]
    cut_dates = eff.loc[out.loc[changed, "change_row"].astype(int)].to_numpy()
    ends = out.loc[changed, "valid_to"].to_numpy()
    if cut == "decrease_date":
        assert (ends == cut_dates).all()
    else:
        assert (ends == (pd.DatetimeIndex(cut_dates) + pd.offsets.MonthEnd(0)).to_numpy()).all()
    assert r.applied["status"].isin([APPLIED, NOT_APPLIED]).all() and len(r.applied) == len(decreases)
