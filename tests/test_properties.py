"""Invariants of the review, checked on generated lists (hypothesis)."""

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bhyt_xl.api import review_table
from bhyt_xl.core.months import month_fraction
from bhyt_xl.io.read import InputTable

PEOPLE = [("Nguyễn Văn An", "01/01/1980", "Nam", "Xã A"), ("Trần Thị Bình", "1950", "Nữ", "Xã B"),
          ("Lê Văn Cường", "02/03/2010", "Nam", "Xã A"), ("NGUYỄN  VĂN AN", "01/01/1980", "nam", "xã a")]
CODES = ["CC", "CB", "HN", "BT", "TE", "HS", "DN"]
BASE = dt.date(2011, 1, 1)

card = st.tuples(
    st.integers(0, len(PEOPLE) - 1),
    st.sampled_from(CODES),
    st.integers(0, 900),          # start offset (days)
    st.integers(0, 500),          # length (days)
    st.one_of(st.none(), st.integers(-60, 30)),   # issue date offset from start
    st.one_of(st.none(), st.integers(0, 400)),    # revocation offset from start
)


def make_table(cards, ids=None):
    """Cards -> InputTable; ``ids`` keep each card's number when rows are reordered."""
    rows = []
    ids = list(range(len(cards))) if ids is None else ids
    for i, (p, code, start, length, issue, revoke) in zip(ids, cards):
        name, birth, sex, addr = PEOPLE[p]
        s = BASE + dt.timedelta(days=start)
        e = s + dt.timedelta(days=length)
        rows.append({
            "Mã thẻ": f"{code}2560000{i:06d}", "Họ và tên": name, "Ngày sinh": birth, "Giới tính": sex,
            "Địa chỉ": addr, "Mã đối tượng": code,
            "Ngày cấp": (s + dt.timedelta(days=issue)).strftime("%d/%m/%Y") if issue is not None else None,
            "Từ ngày": s.strftime("%d/%m/%Y"), "Đến ngày": e.strftime("%d/%m/%Y"),
            "Ngày thu hồi": (s + dt.timedelta(days=revoke)).strftime("%d/%m/%Y") if revoke is not None else None,
        })
    data = pd.DataFrame(rows, columns=["Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng",
                                       "Ngày cấp", "Từ ngày", "Đến ngày", "Ngày thu hồi"], dtype="object")
    columns = {"card_no": "Mã thẻ", "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính",
               "address": "Địa chỉ", "group_code": "Mã đối tượng", "issue_date": "Ngày cấp",
               "valid_from": "Từ ngày", "valid_to": "Đến ngày", "revoked_on": "Ngày thu hồi"}
    return InputTable(data, columns, np.arange(len(data)) + 2, "t.csv", None, 1, 0)


def effective(cards):
    out = []
    for p, code, start, length, issue, revoke in cards:
        s = BASE + dt.timedelta(days=start)
        e = s + dt.timedelta(days=length)
        if revoke is not None:
            e = min(e, s + dt.timedelta(days=revoke))
        out.append((s, e))
    return out


def days(s, e):
    return {s + dt.timedelta(days=k) for k in range((e - s).days + 1)}


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(card, min_size=1, max_size=10))
def test_row_count_and_non_duplicates_never_overlap(cards):
    r = review_table(make_table(cards)).result.rows
    assert len(r) == len(cards)
    periods = effective(cards)
    person = r["person"].to_numpy()
    keep = [i for i in range(len(cards)) if r["verdict"].iloc[i] != "Cấp trùng"]
    for a in keep:
        for b in keep:
            if a < b and person[a] == person[b]:
                (sa, ea), (sb, eb) = periods[a], periods[b]
                assert ea < sb or eb < sa, (a, b)


@SETTINGS
@given(st.lists(card, min_size=1, max_size=10))
def test_duplicate_months_bounded_and_union_preserved(cards):
    r = review_table(make_table(cards)).result.rows
    periods = effective(cards)
    own = month_fraction(np.array([s for s, _ in periods], dtype="datetime64[D]"),
                         np.array([e for _, e in periods], dtype="datetime64[D]"))
    dup = r["dup_months_exact"].to_numpy()
    assert (dup <= own + 1e-9).all()
    assert (r["dup_money"] >= 0).all() and (r["dup_budget"] <= r["dup_money"] + 1e-9).all()
    # the time each person is covered = Σ (card months − duplicate months): novel parts are disjoint
    for p in set(r["person"]):
        idx = [i for i in range(len(cards)) if r["person"].iloc[i] == p]
        covered = set().union(*(days(*periods[i]) for i in idx))
        by_month = {}
        for d in covered:
            by_month[(d.year, d.month)] = by_month.get((d.year, d.month), 0) + 1
        import calendar

        union_months = sum(n / calendar.monthrange(y, m)[1] for (y, m), n in by_month.items())
        assert abs(union_months - sum(own[i] - dup[i] for i in idx)) < 1e-6


@SETTINGS
@given(st.lists(card, min_size=1, max_size=10), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_no_verdict(cards, rnd):
    base = review_table(make_table(cards)).result.rows
    order = list(range(len(cards)))
    rnd.shuffle(order)
    shuffled = review_table(make_table([cards[i] for i in order], ids=order)).result.rows
    for new_pos, old_pos in enumerate(order):
        a, b = base.iloc[old_pos], shuffled.iloc[new_pos]
        assert a["verdict"] == b["verdict"]
        assert abs(a["dup_months_exact"] - b["dup_months_exact"]) < 1e-9
        assert a["dup_money"] == b["dup_money"]


@SETTINGS
@given(st.lists(card, min_size=1, max_size=10))
def test_every_duplicate_has_a_better_card_and_every_kept_card_a_worse_one(cards):
    r = review_table(make_table(cards)).result.rows
    for i in range(len(cards)):
        v = r["verdict"].iloc[i]
        if v in ("Cấp trùng", "Thẻ giữ lại"):
            assert r["dup_with"].iloc[i]
            assert r["dup_from"].iloc[i] is pd.NaT or v == "Cấp trùng"
        else:
            assert r["dup_with"].iloc[i] == ""
