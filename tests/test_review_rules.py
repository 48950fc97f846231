"""Each rule of CV 493 (and the issue's defaults), with hand-computed expectations."""

import datetime as dt

import pytest

from conftest import review_text

# premiums (3% of base salary): 21,900 to 04/2011; 24,900 05/2011-04/2012; 31,500 05/2012-06/2013; 34,500 from 07/2013


def verdicts(review):
    return list(review.result.rows["verdict"])


def row(review, i):
    return review.result.rows.iloc[i]


# --- the letter's own examples -------------------------------------------------------------
def test_letter_example_1_same_group_second_card_six_months():
    """Ông Nguyễn Văn B, 2 thẻ thân nhân công an: 01/01-31/12/2011 và 01/07-31/12/2011 → thẻ 2 trùng 6 tháng."""
    r = review_text("""
        TA4561234567890 | Nguyễn Văn B | 01/01/1960 | Nam | Xã Vĩnh Lương | TA | | 01/01/2011 | 31/12/2011 |
        TA4561234567891 | Nguyễn Văn B | 01/01/1960 | Nam | Xã Vĩnh Lương | TA | | 01/07/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng"]
    dup = row(r, 1)
    assert dup["dup_months"] == 6.0
    assert dup["dup_from"] == dt.datetime(2011, 7, 1) and dup["dup_to"] == dt.datetime(2011, 12, 31)
    assert dup["dup_money"] == 6 * 24_900 == 149_400
    assert dup["dup_with"] == "TA4561234567890"
    assert "cùng nhóm" in dup["reason"]


def test_letter_example_2_cross_group_poor_card_is_the_duplicate():
    """Bà Dương Thị: thẻ bảo trợ xã hội cả năm 2011 và thẻ hộ nghèo 01/07-31/12/2011 → thẻ hộ nghèo trùng 6 tháng."""
    r = review_text("""
        BT2561234567892 | Dương Thị | 1950 | Nữ | Xã Ninh Hòa | BT | | 01/01/2011 | 31/12/2011 |
        HN2561234567893 | Dương Thị | 1950 | Nữ | Xã Ninh Hòa | HN | | 01/07/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng"]
    assert row(r, 1)["dup_months"] == 6.0
    assert row(r, 1)["dup_money"] == 149_400
    assert row(r, 1)["reason"].startswith("Trùng nhóm BT")
    assert row(r, 1)["cause"] == "Khác nhóm"


def test_letter_child_example_second_card_is_duplicate():
    """Trẻ Nguyễn Văn A sinh 23/7/2008: thẻ 01/01/2011-22/7/2014 và 01/01/2012-22/7/2014 → thẻ thứ hai trùng."""
    r = review_text("""
        TE1561234567894 | Nguyễn Văn A | 23/07/2008 | Nam | Phường Lộc Thọ | TE | 15/12/2010 | 01/01/2011 | 22/07/2014 |
        TE1561234567895 | Nguyễn Văn A | 23/07/2008 | Nam | Phường Lộc Thọ | TE | 20/12/2011 | 01/01/2012 | 22/07/2014 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng"]
    dup = row(r, 1)
    # 2012: 4x24,900 + 8x31,500 = 351,600; 2013: 6x31,500 + 6x34,500 = 396,000;
    # 2014: 6x34,500 + 22/31x34,500 = 207,000 + 24,483.87 = 231,484 (rounded per card and year)
    assert dup["dup_money"] == 351_600 + 396_000 + 231_484
    assert dup["dup_months"] == pytest.approx(30.71, abs=1e-9)
    years = r.result.by_year
    assert list(years["year"]) == [2012, 2013, 2014]
    assert list(years["money"]) == [351_600, 396_000, 231_484]


# --- ranking ---------------------------------------------------------------------------------
def test_cross_group_lower_priority_card_issued_first_is_still_the_duplicate():
    r = review_text("""
        HN2561111111111 | Trần Thị Mai | 05/05/1970 | Nữ | Xã A | HN | 01/12/2010 | 01/01/2011 | 31/12/2011 |
        CC1561111111112 | Trần Thị Mai | 05/05/1970 | Nữ | Xã A | CC | 01/03/2011 | 01/03/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Cấp trùng", "Thẻ giữ lại"]
    assert row(r, 0)["reason"].startswith("Trùng nhóm CC (ưu tiên cao hơn")
    assert row(r, 0)["dup_from"] == dt.datetime(2011, 3, 1)
    assert row(r, 0)["dup_months"] == 10.0


def test_same_group_issue_date_decides_not_validity_start():
    """Within a group the card issued later is the duplicate even if its validity starts earlier."""
    r = review_text("""
        HN2562222222221 | Lê Văn Tám | 01/01/1980 | Nam | Xã B | HN | 10/03/2011 | 01/01/2011 | 31/12/2011 |
        HN2562222222222 | Lê Văn Tám | 01/01/1980 | Nam | Xã B | HN | 01/02/2011 | 01/02/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Cấp trùng", "Thẻ giữ lại"]
    assert row(r, 0)["dup_from"] == dt.datetime(2011, 2, 1)
    assert row(r, 0)["dup_months"] == 11.0


def test_missing_issue_date_uses_validity_start():
    r = review_text("""
        HN2562222222221 | Lê Văn Tám | 01/01/1980 | Nam | Xã B | HN |  | 01/03/2011 | 31/12/2011 |
        HN2562222222222 | Lê Văn Tám | 01/01/1980 | Nam | Xã B | HN | 01/02/2011 | 01/02/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Cấp trùng", "Thẻ giữ lại"]


def test_tie_on_dates_broken_by_card_number():
    r = review_text("""
        HN2562222222229 | Lê Văn Tám | 01/01/1980 | Nam | Xã B | HN |  | 01/01/2011 | 31/12/2011 |
        HN2562222222221 | Lê Văn Tám | 01/01/1980 | Nam | Xã B | HN |  | 01/01/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Cấp trùng", "Thẻ giữ lại"]


def test_unknown_code_ranks_after_the_table_and_says_so():
    r = review_text("""
        DN4563333333331 | Phạm Văn Nam | 02/02/1985 | Nam | Xã C | DN | | 01/01/2011 | 31/12/2011 |
        HS4563333333332 | Phạm Văn Nam | 02/02/1985 | Nam | Xã C | HS | | 01/01/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Cấp trùng", "Thẻ giữ lại"]
    assert "không có trong bảng thứ tự nhóm" in row(r, 0)["reason"]
    summary = r.result.summary
    assert "Mã đối tượng ngoài bảng thứ tự nhóm" in set(summary["group_name"])


def test_group_code_taken_from_card_number_when_column_absent():
    from conftest import table_from_text
    from bhyt_xl.api import review_table

    header = "Mã thẻ | Họ và tên | Ngày sinh | Giới tính | Địa chỉ | Từ ngày | Đến ngày"
    t = table_from_text("""
        HN2561234567893 | Dương Thị | 1950 | Nữ | Xã Ninh Hòa | 01/07/2011 | 31/12/2011
        BT2561234567892 | Dương Thị | 1950 | Nữ | Xã Ninh Hòa | 01/01/2011 | 31/12/2011
    """, header=header)
    r = review_table(t)
    assert list(r.result.rows["verdict"]) == ["Cấp trùng", "Thẻ giữ lại"]


# --- measuring ----------------------------------------------------------------------------------
def test_partial_month_counts_share_of_days():
    r = review_text("""
        CB2564444444441 | Võ Văn Ba | 1945 | Nam | Xã D | CB | | 01/01/2011 | 31/12/2011 |
        HN2564444444442 | Võ Văn Ba | 1945 | Nam | Xã D | HN | | 16/07/2011 | 31/12/2011 |
    """)
    dup = row(r, 1)
    assert dup["dup_months"] == 5.52  # 16/31 + 5
    assert dup["dup_months_exact"] == pytest.approx(16 / 31 + 5)
    assert dup["dup_money"] == round(16 / 31 * 24_900 + 5 * 24_900)  # 137,351.6 -> 137,352


def test_revoked_duplicate_counts_only_to_revocation_inclusive():
    r = review_text("""
        CB2564444444441 | Võ Văn Ba | 1945 | Nam | Xã D | CB | | 01/01/2012 | 31/12/2012 |
        HN2564444444442 | Võ Văn Ba | 1945 | Nam | Xã D | HN | | 01/01/2012 | 31/12/2012 | 15/03/2012
    """)
    dup = row(r, 1)
    assert dup["dup_to"] == dt.datetime(2012, 3, 15)
    assert dup["dup_months_exact"] == pytest.approx(2 + 15 / 31)
    assert dup["dup_money"] == round(2 * 24_900 + 15 / 31 * 24_900)
    assert "thu hồi" in dup["reason"]


def test_revocation_day_before_option():
    r = review_text("""
        CB2564444444441 | Võ Văn Ba | 1945 | Nam | Xã D | CB | | 01/01/2012 | 31/12/2012 |
        HN2564444444442 | Võ Văn Ba | 1945 | Nam | Xã D | HN | | 01/01/2012 | 31/12/2012 | 15/03/2012
    """, revocation_end="day_before")
    assert row(r, 1)["dup_to"] == dt.datetime(2012, 3, 14)


def test_revoked_better_card_only_covers_until_revocation():
    """The kept card was revoked: the worse card is a duplicate only while the kept card was valid."""
    r = review_text("""
        CB2564444444441 | Võ Văn Ba | 1945 | Nam | Xã D | CB | | 01/01/2012 | 31/12/2012 | 30/04/2012
        HN2564444444442 | Võ Văn Ba | 1945 | Nam | Xã D | HN | | 01/01/2012 | 31/12/2012 |
    """)
    assert row(r, 1)["dup_months"] == 4.0
    assert row(r, 1)["dup_to"] == dt.datetime(2012, 4, 30)


def test_three_cards_union_not_sum():
    """Third card overlaps both better cards; their overlaps overlap each other: count the union once."""
    r = review_text("""
        CC1565555555551 | Đỗ Thị Lan | 03/03/1950 | Nữ | Xã E | CC | | 01/01/2011 | 30/06/2011 |
        CB2565555555552 | Đỗ Thị Lan | 03/03/1950 | Nữ | Xã E | CB | | 01/04/2011 | 30/09/2011 |
        HN2565555555553 | Đỗ Thị Lan | 03/03/1950 | Nữ | Xã E | HN | | 01/01/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng", "Cấp trùng"]
    assert row(r, 1)["dup_months"] == 3.0          # Apr-Jun under the CC card
    third = row(r, 2)
    assert third["dup_months"] == 9.0              # union Jan-Sep, not 6 + 6 = 12
    assert third["dup_from"] == dt.datetime(2011, 1, 1) and third["dup_to"] == dt.datetime(2011, 9, 30)
    # Jan-Apr 21,900 (base 730,000 until 30/04/2011), May-Sep 24,900
    assert third["dup_money"] == 4 * 21_900 + 5 * 24_900
    assert third["dup_with"] == "CC1565555555551, CB2565555555552"


def test_disjoint_duplicate_segments_are_summed():
    r = review_text("""
        CC1565555555551 | Đỗ Thị Lan | 03/03/1950 | Nữ | Xã E | CC | | 01/01/2012 | 31/03/2012 |
        CC1565555555552 | Đỗ Thị Lan | 03/03/1950 | Nữ | Xã E | CC | | 01/10/2012 | 31/12/2012 |
        HN2565555555553 | Đỗ Thị Lan | 03/03/1950 | Nữ | Xã E | HN | | 01/01/2012 | 31/12/2012 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Thẻ giữ lại", "Cấp trùng"]
    assert row(r, 2)["dup_months"] == 6.0
    assert row(r, 2)["dup_money"] == 3 * 24_900 + 3 * 31_500


def test_card_both_duplicate_and_outranking_another_is_a_duplicate():
    r = review_text("""
        CC1566666666661 | Hồ Văn Tư | 04/04/1950 | Nam | Xã F | CC | | 01/01/2011 | 30/06/2011 |
        CB2566666666662 | Hồ Văn Tư | 04/04/1950 | Nam | Xã F | CB | | 01/06/2011 | 31/12/2011 |
        HN2566666666663 | Hồ Văn Tư | 04/04/1950 | Nam | Xã F | HN | | 01/10/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng", "Cấp trùng"]
    assert row(r, 1)["dup_months"] == 1.0
    assert row(r, 2)["dup_months"] == 3.0
    assert row(r, 2)["reason"].startswith("Trùng nhóm CB")


def test_follow_on_card_is_not_a_duplicate():
    r = review_text("""
        HN2567777777771 | Ngô Văn Năm | 05/05/1975 | Nam | Xã G | HN | | 01/01/2011 | 31/12/2011 |
        HN2567777777772 | Ngô Văn Năm | 05/05/1975 | Nam | Xã G | HN | | 01/01/2012 | 31/12/2012 |
        HN2567777777773 | Ngô Văn Sáu | 05/05/1975 | Nam | Xã G | HN | | 01/01/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Không trùng"] * 3


def test_one_day_overlap_is_a_duplicate():
    r = review_text("""
        HN2567777777771 | Ngô Văn Năm | 05/05/1975 | Nam | Xã G | HN | | 01/01/2011 | 31/12/2011 |
        HN2567777777772 | Ngô Văn Năm | 05/05/1975 | Nam | Xã G | HN | | 31/12/2011 | 31/12/2012 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng"]
    assert row(r, 1)["dup_months_exact"] == pytest.approx(1 / 31)


def test_duplicate_across_year_and_base_salary_change():
    r = review_text("""
        CB2568888888881 | Bùi Văn Bảy | 1940 | Nam | Xã H | CB | | 01/07/2011 | 30/06/2012 |
        HN2568888888882 | Bùi Văn Bảy | 1940 | Nam | Xã H | HN | | 01/10/2011 | 31/12/2012 |
    """)
    dup = row(r, 1)
    assert dup["dup_from"] == dt.datetime(2011, 10, 1) and dup["dup_to"] == dt.datetime(2012, 6, 30)
    years = r.result.by_year.set_index("year")
    assert years.loc[2011, "money"] == 3 * 24_900
    assert years.loc[2012, "money"] == 4 * 24_900 + 2 * 31_500   # base 1,050,000 from 01/05/2012
    assert years.loc[2012, "months"] == 6.0
    assert dup["dup_money"] == 3 * 24_900 + 4 * 24_900 + 2 * 31_500


def test_rate_change_2015_is_applied():
    r = review_text("""
        CB2568888888881 | Bùi Văn Bảy | 1940 | Nam | Xã H | CB | | 01/01/2014 | 31/12/2015 |
        HN2568888888882 | Bùi Văn Bảy | 1940 | Nam | Xã H | HN | | 01/12/2014 | 31/01/2015 |
    """)
    # 12/2014: 3% x 1,150,000 = 34,500; 01/2015: 4.5% x 1,150,000 = 51,750
    assert row(r, 1)["dup_money"] == 34_500 + 51_750


# --- budget share -------------------------------------------------------------------------------
def test_budget_share_for_supported_groups():
    r = review_text("""
        HN2569999999991 | Vũ Văn Mười | 01/01/1995 | Nam | Xã I | HN | | 01/01/2012 | 31/12/2012 |
        SV4569999999992 | Vũ Văn Mười | 01/01/1995 | Nam | Xã I | SV | | 01/01/2012 | 31/12/2012 |
        CN3569999999993 | Vũ Thị Mười | 01/01/1995 | Nữ | Xã I | CN | | 01/01/2012 | 31/12/2012 |
        HN2569999999994 | Vũ Thị Mười | 01/01/1995 | Nữ | Xã I | HN | | 01/06/2012 | 31/12/2012 |
    """)
    sv = row(r, 1)
    assert sv["dup_money"] == 351_600
    assert sv["dup_budget"] == round(351_600 * 0.30)
    cn = row(r, 2)  # CN ranks after HN: the CN card is the duplicate Jun-Dec 2012, 70% from 07/2012
    assert cn["verdict"] == "Cấp trùng"
    assert cn["dup_money"] == 7 * 31_500
    assert cn["dup_budget"] == round(31_500 * 0.5 + 6 * 31_500 * 0.7)


# --- review period ------------------------------------------------------------------------------
def test_review_period_counts_only_time_inside():
    text = """
        CB2568888888881 | Bùi Văn Bảy | 1940 | Nam | Xã H | CB | | 01/01/2012 | 31/12/2013 |
        HN2568888888882 | Bùi Văn Bảy | 1940 | Nam | Xã H | HN | | 01/07/2012 | 30/06/2013 |
    """
    r = review_text(text, review_from=dt.date(2011, 1, 1), review_to=dt.date(2012, 12, 31))
    assert row(r, 1)["dup_months"] == 6.0
    assert row(r, 1)["dup_to"] == dt.datetime(2012, 12, 31)
    assert list(r.result.by_year["year"]) == [2012]
    summary = r.result.summary
    assert sorted(summary["year"].dropna().unique()) == [2011, 2012]
    r_all = review_text(text)
    assert row(r_all, 1)["dup_months"] == 12.0


def test_duplicate_entirely_outside_period_is_not_counted():
    r = review_text("""
        CB2568888888881 | Bùi Văn Bảy | 1940 | Nam | Xã H | CB | | 01/01/2013 | 31/12/2013 |
        HN2568888888882 | Bùi Văn Bảy | 1940 | Nam | Xã H | HN | | 01/07/2013 | 31/12/2013 |
    """, review_from=dt.date(2011, 1, 1), review_to=dt.date(2012, 12, 31))
    assert verdicts(r) == ["Không trùng", "Không trùng"]


# --- rounding -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode, expected", [("none", 16 / 31 + 5), ("2dp", 5.52), ("up", 6.0), ("down", 5.0)])
def test_month_rounding_modes(mode, expected):
    r = review_text("""
        CB2564444444441 | Võ Văn Ba | 1945 | Nam | Xã D | CB | | 01/01/2011 | 31/12/2011 |
        HN2564444444442 | Võ Văn Ba | 1945 | Nam | Xã D | HN | | 16/07/2011 | 31/12/2011 |
    """, month_rounding=mode)
    assert row(r, 1)["dup_months"] == pytest.approx(expected)


def test_summary_totals_are_computed_before_rounding():
    lines = "\n".join(
        f"CB256444444{i:04d} | Người Số {i} | 1945 | Nam | Xã D | CB | | 01/01/2011 | 31/12/2011 |\n"
        f"HN256444445{i:04d} | Người Số {i} | 1945 | Nam | Xã D | HN | | 30/12/2011 | 31/12/2011 |"
        for i in range(3)
    )
    r = review_text(lines, month_rounding="up")
    assert list(r.result.rows["dup_months"].iloc[[1, 3, 5]]) == [1.0, 1.0, 1.0]
    group = r.result.summary.query("kind == 'group' and group_rank == 8").iloc[0]
    assert group["months_exact"] == pytest.approx(6 / 31)
    assert group["months"] == 1.0  # ceil(6/31), not 3


# --- identity -----------------------------------------------------------------------------------
def test_cosmetic_variants_of_one_person_match():
    r = review_text("""
        HN2561234500001 | Nguyễn Thị Thuý Hoà | 01/02/1990 | Nữ | Thôn 1, Xã Vĩnh Lương, TP Nha Trang | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500002 |   NGUYỄN  THỊ THÚY HÒA | 01/02/1990 | nữ | thôn 1 ,xã vĩnh lương,tp nha trang. | HN | | 01/06/2011 | 31/12/2011 |
        HN2561234500003 | Nguye\u0302\u0303n Thị Thúy Hòa | 1/2/1990 | NỮ | Thôn 1, Xã Vĩnh Lương, TP Nha Trang | HN | | 01/09/2011 | 31/12/2011 |
    """.replace("\\u0302\\u0303", "\u0302\u0303"))
    assert verdicts(r) == ["Thẻ giữ lại", "Cấp trùng", "Cấp trùng"]
    keys = set(r.result.rows["identity_key"])
    assert keys == {"nguyễn thị thúy hòa | 01/02/1990 | nữ | thôn 1, xã vĩnh lương, tp nha trang"}


def test_different_tone_marks_are_different_people():
    r = review_text("""
        HN2561234500001 | Lê Thị Hoa | 01/02/1990 | Nữ | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500002 | Lê Thị Hòa | 01/02/1990 | Nữ | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500003 | Lê Thị Hoa | 01/02/1990 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500004 | Lê Thị Hoa | 02/02/1990 | Nữ | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500005 | Lê Thị Hoa | 01/02/1990 | Nữ | Xã B | HN | | 01/01/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Không trùng"] * 5


def test_year_only_birth_does_not_match_full_date():
    r = review_text("""
        HN2561234500001 | Lê Văn Hai | 1950 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500002 | Lê Văn Hai | 01/01/1950 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500003 | Lê Văn Hai | 1950 | Nam | Xã A | HN | | 01/06/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Thẻ giữ lại", "Không trùng", "Cấp trùng"]


def test_data_error_rows_take_no_part():
    r = review_text("""
        HN2561234500001 | Lê Văn Hai | 31/02/1950 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500002 | Lê Văn Hai | 31/02/1950 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
        HN2561234500003 | Lê Văn Ba | 01/01/1950 | Nam | Xã A | HN | | 01/01/2011 | 31/12/2011 |
    """)
    assert verdicts(r) == ["Lỗi dữ liệu", "Lỗi dữ liệu", "Không trùng"]
