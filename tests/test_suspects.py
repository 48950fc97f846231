"""Suspected duplicates ("Nghi trùng"): labelled pairs, decisions, and the exact rule left untouched."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from cases.suspects_labelled import (
    CASES,
    HEADERS,
    KNOWN_LIMITS,
    all_cases_frame,
    case_frame,
)

from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.prepare import prepare_cards
from bhyt_xl.core.review import DUPLICATE, review_cards
from bhyt_xl.core.schema import field_for_header
from bhyt_xl.core.suspects import (
    BLOCKING_RULES,
    COMPARISONS,
    CONFIRMED,
    REJECTED,
    SUSPECT_COLUMNS,
    SUSPECT_EXPLANATION,
    SUSPECT_HEADERS,
    SuspectOptions,
    apply_confirmed,
    candidate_pairs,
    commune_of,
    confirmed_links,
    find_suspects,
    fold,
    pair_id,
    read_decisions,
    rules_table,
    strip_address,
    suspect_features,
)
from bhyt_xl.params import Params

#: Floors for the labelled set. Achieved: precision 40/41 = 0.976, recall 40/40 = 1.0
#: (the one error is F24, twins whose names differ by a tone mark only, a known
#: limit). The weights were set with this set in view, so these figures are
#: optimistic; the benchmark's generated million (other variants, common names
#: at scale) gives precision ~0.976 and recall ~0.999. The floors leave room
#: for one more error either way, no more.
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.95


def prepare(frame: pd.DataFrame, params: Params | None = None) -> pd.DataFrame:
    columns = {field_for_header(c): c for c in frame.columns if field_for_header(c)}
    cards, _ = prepare_cards(frame, columns, np.arange(len(frame)) + 2, params or Params())
    return cards


def cards_of(*rows, params: Params | None = None) -> pd.DataFrame:
    """Cards from rows in the order of ``HEADERS`` (Mã thẻ, Họ và tên, Ngày sinh, Giới tính, Địa chỉ,
    Mã đối tượng, Giá trị từ ngày, Giá trị đến ngày, Mã số BHXH)."""
    return prepare(pd.DataFrame([list(r) + [""] * (len(HEADERS) - len(r)) for r in rows], columns=HEADERS,
                                dtype=object), params)


ADDR = "Thôn 1, Xã Vĩnh Lương, Thành phố Nha Trang, Khánh Hòa"


@functools.lru_cache(maxsize=1)
def _all_cases() -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """Every case prepared once (one list), and where each case's two cards are."""
    frame, where = all_cases_frame()
    return prepare(frame), {cid: (a, b) for cid, a, b in where}


def case_cards(case: dict) -> pd.DataFrame:
    cards, where = _all_cases()
    return cards.iloc[list(where[case["id"]])]


def predict(case: dict, threshold: float = SuspectOptions().threshold) -> pd.DataFrame:
    return find_suspects(case_cards(case), Params(), options=SuspectOptions(threshold=threshold))


# ---------------------------------------------------------------------------
# The labelled set
# ---------------------------------------------------------------------------
def test_labelled_set_is_large_and_mixed():
    assert len(CASES) >= 60
    assert sum(c["same"] for c in CASES) >= 30 and sum(not c["same"] for c in CASES) >= 20
    assert len({c["id"] for c in CASES}) == len(CASES)
    assert prepare(case_frame(CASES[0]))["valid"].all()
    for c in CASES:  # every case is a pair the official rule does not match
        cards = case_cards(c)
        assert cards["valid"].all(), c["id"]
        keys = identity_keys(cards)["identity_key"]
        assert keys.iloc[0] != keys.iloc[1], c["id"]


@pytest.mark.parametrize("case", [
    pytest.param(c, id=f"{c['id']} {c['description']}",
                 marks=[pytest.mark.xfail(strict=True, reason=KNOWN_LIMITS[c["id"]])] if c["id"] in KNOWN_LIMITS else [])
    for c in CASES
])
def test_labelled_pair(case):
    found = predict(case)
    assert (len(found) == 1) == case["same"], found[["score", "differences"]].to_string() if len(found) else ""


def test_labelled_precision_and_recall():
    tp = fp = fn = 0
    wrong = set()
    for c in CASES:
        hit = len(predict(c)) > 0
        tp += hit and c["same"]
        fp += hit and not c["same"]
        fn += (not hit) and c["same"]
        if hit != c["same"]:
            wrong.add(c["id"])
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"labelled set: precision {precision:.3f}, recall {recall:.3f}, wrong {sorted(wrong)}")
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR
    assert wrong <= set(KNOWN_LIMITS)


def test_labelled_set_in_one_list_proposes_no_pair_across_cases():
    cards, where = _all_cases()
    found = find_suspects(cards, Params())
    pairs = {tuple(sorted(p)) for p in zip(found["row_a"], found["row_b"])}
    expected = {where[c["id"]] for c in CASES if c["same"] or c["id"] in KNOWN_LIMITS}
    assert pairs == expected


# ---------------------------------------------------------------------------
# What a pair looks like
# ---------------------------------------------------------------------------
def test_output_columns_explanation_and_score():
    cards = cards_of(
        ("BT2561000000001", "Nguyễn Thị Hòa", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2011"),
        ("HN2561000000002", "Nguyễn Thị Hoa", "05/12/1960", "Nữ", "Vĩnh Lương, TP. Nha Trang", "HN",
         "01/07/2011", "31/12/2012"),
    )
    found = find_suspects(cards, Params())
    assert list(found.columns) == SUSPECT_COLUMNS
    assert set(SUSPECT_HEADERS) <= set(found.columns)
    row = found.iloc[0]
    assert row["pair_id"] == "BT2561000000001-HN2561000000002" == pair_id(row["card_b"], row["card_a"])
    assert (row["row_a"], row["row_b"], row["src_row_a"], row["src_row_b"]) == (0, 1, 2, 3)
    assert row["differences"] == ("Họ tên: khác dấu (Hòa/Hoa); Ngày sinh: đảo ngày/tháng (12/05/1960 – "
                                  "05/12/1960); Địa chỉ: gần giống")
    assert row["agreements"] == "họ tên chỉ khác dấu; cùng xã/phường"
    assert 80 <= row["score"] <= 100
    assert (row["overlap_from"], row["overlap_to"]) == (pd.Timestamp("2011-07-01"), pd.Timestamp("2011-12-31"))
    assert row["decision"] == ""
    assert (row["name_level"], row["birth_level"], row["address_level"]) == ("tone", "swapped", "similar")


@pytest.mark.parametrize("b, expected", [
    ({"birth": "1960"}, "Ngày sinh: một bên chỉ có năm sinh (12/05/1960 – 1960)"),
    ({"name": "Nguyễn Văn Hùnh"}, "Họ tên: sai chính tả (Hùng/Hùnh)"),
    ({"name": "Văn Nguyễn Hùng"}, "Họ tên: đảo thứ tự tên (Nguyễn Văn Hùng/Văn Nguyễn Hùng)"),
    ({"name": "Nguyễn Hùng"}, "Họ tên: thiếu/thừa tên đệm (Nguyễn Văn Hùng/Nguyễn Hùng)"),
    ({"address": "Thôn 1 - Vĩnh Lương - TP Nha Trang - tỉnh Khánh Hòa"}, "Địa chỉ: khác cách viết"),
    ({"address": "Vĩnh Lương, Nha Trang"}, "Địa chỉ: gần giống"),
    ({"birth": "18/05/1960"}, "Ngày sinh: sai ngày sinh (12/05/1960 – 18/05/1960)"),
    ({"birth": "12/05/1961"}, "Ngày sinh: sai năm sinh (12/05/1960 – 12/05/1961)"),
])
def test_differences_are_explained(b, expected):
    a = {"name": "Nguyễn Văn Hùng", "birth": "12/05/1960", "address": ADDR}
    b = {**a, **b}
    cards = cards_of(
        ("BT2561000000001", a["name"], a["birth"], "Nam", a["address"], "BT", "01/01/2011", "31/12/2011"),
        ("HN2561000000002", b["name"], b["birth"], "Nam", b["address"], "HN", "01/01/2011", "31/12/2011"),
    )
    found = find_suspects(cards, Params())
    assert found["differences"].tolist() == [expected]


def test_bhxh_number_with_lost_leading_zero_is_the_same_number():
    cards = cards_of(
        ("BT2561000000001", "Lê Thị Kim Chi", "28/02/1987", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2011",
         "0123456789"),
        ("HN2561000000002", "Lê Thị Kim Chí", "1987", "Nữ", "Xã Diên Phú", "HN", "01/01/2011", "31/12/2011",
         123456789),
    )
    row = find_suspects(cards, Params()).iloc[0]
    assert row["bhxh_level"] == "exact" and "cùng mã số BHXH" in row["agreements"]
    assert row["bhxh_a"] == row["bhxh_b"] == "0123456789"
    assert "cùng mã số BHXH" in row["rules"]


def test_different_bhxh_numbers_or_sex_are_strongly_against():
    base = ("Nguyễn Văn Minh", "01/01/1980", "Nam", ADDR, "BT", "01/01/2011", "31/12/2011")
    other = ("Nguyen Van Minh", "01/01/1980", "Nam", ADDR, "HN", "01/01/2011", "31/12/2011")
    assert len(find_suspects(cards_of(("BT2561000000001", *base), ("HN2561000000002", *other)), Params())) == 1
    with_bhxh = cards_of(("BT2561000000001", *base, "5601111111"), ("HN2561000000002", *other, "5602222222"))
    assert find_suspects(with_bhxh, Params()).empty
    other_sex = cards_of(("BT2561000000001", *base), ("HN2561000000002", *other[:2], "Nữ", *other[3:]))
    assert find_suspects(other_sex, Params()).empty


def test_common_names_need_more_evidence():
    """Term-frequency adjustment: a name many cards share weighs less."""
    rows = [("BT2561000000001", "Nguyễn Thị Anh", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2011"),
            ("HN2561000000002", "Nguyễn Thị Anh", "12/05/1960", "Nữ", "Xã Ninh Sơn, Thị xã Ninh Hòa", "HN",
             "01/01/2011", "31/12/2011")]
    rows += [(f"HN25620000{i:05d}", "Nguyễn Thị Anh", f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/{1930 + 3 * i}", "Nữ",
              ADDR, "HN", "01/01/2011", "31/12/2011") for i in range(20)]  # other people: other years
    cards = cards_of(*rows)
    rare = find_suspects(cards, Params())
    assert rare["pair_id"].tolist() == ["BT2561000000001-HN2561000000002"]
    common = find_suspects(cards, Params(), options=SuspectOptions(common_name_cards=2))
    assert common.empty
    shown = find_suspects(cards, Params(), options=SuspectOptions(common_name_cards=2, threshold=0))
    row = shown[shown["pair_id"] == "BT2561000000001-HN2561000000002"].iloc[0]
    assert "họ tên phổ biến: 22 thẻ" in row["agreements"]


# ---------------------------------------------------------------------------
# Which pairs are looked at
# ---------------------------------------------------------------------------
def test_only_different_keys_with_overlapping_validity():
    same_key = cards_of(  # cosmetic variants: the official review's business
        ("BT2561000000001", "Nguyễn Thị Hoà", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2011"),
        ("HN2561000000002", "NGUYỄN  THỊ HÒA", "12/05/1960", "Nữ", ADDR, "HN", "01/01/2011", "31/12/2011"))
    assert find_suspects(same_key, Params()).empty
    follow_on = cards_of(  # one card ends the day before the other starts
        ("BT2561000000001", "Nguyễn Thị Hòa", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "30/06/2011"),
        ("HN2561000000002", "Nguyễn Thị Hoa", "12/05/1960", "Nữ", ADDR, "HN", "01/07/2011", "31/12/2011"))
    assert find_suspects(follow_on, Params()).empty
    overlapping = cards_of(
        ("BT2561000000001", "Nguyễn Thị Hòa", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "01/07/2011"),
        ("HN2561000000002", "Nguyễn Thị Hoa", "12/05/1960", "Nữ", ADDR, "HN", "01/07/2011", "31/12/2011"))
    assert len(find_suspects(overlapping, Params())) == 1
    # the review period counts: the overlap lies in 2012 only
    in_2012 = cards_of(
        ("BT2561000000001", "Nguyễn Thị Hòa", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2012"),
        ("HN2561000000002", "Nguyễn Thị Hoa", "12/05/1960", "Nữ", ADDR, "HN", "01/01/2012", "31/12/2012"))
    import datetime as dt

    assert len(find_suspects(in_2012, Params())) == 1
    assert find_suspects(in_2012, Params(review_to=dt.date(2011, 12, 31))).empty


def test_invalid_rows_take_no_part():
    cards = cards_of(
        ("BT2561000000001", "Nguyễn Thị Hòa", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2011"),
        ("HN25610000", "Nguyễn Thị Hoa", "12/05/1960", "Nữ", ADDR, "HN", "01/01/2011", "31/12/2011"))
    assert not cards["valid"].iloc[1]
    assert find_suspects(cards, Params()).empty


def test_blocking_never_compares_all_pairs_and_skips_huge_blocks():
    from bhyt_xl.samples.generate import generate_cards

    frame = generate_cards(20_000, seed=11)
    cards = prepare(frame)
    f = suspect_features(cards)
    ident = identity_keys(cards)["person"].to_numpy()
    start = cards["valid_from"].to_numpy().astype("datetime64[D]")
    end = cards["valid_to"].to_numpy().astype("datetime64[D]")
    a, _b, _, _ = candidate_pairs(f, ident, start, end, SuspectOptions())
    assert len(a) < 20 * len(cards)  # all pairs would be 2 x 10^8
    # a placeholder BHXH number shared by 1,500 different people is one block too large
    frame2 = frame.head(1500).copy()
    frame2["Mã số BHXH"] = "0000000000"
    found = find_suspects(prepare(frame2), Params())
    assert found.attrs["skipped_blocks"] == {"bhxh": 1}


def test_input_is_not_modified():
    cards = case_cards(next(c for c in CASES if c["id"] == "T13"))
    before = cards.copy(deep=True)
    find_suspects(cards, Params())
    pd.testing.assert_frame_equal(cards, before)


def test_threshold_and_order():
    cards, _ = _all_cases()
    everything = find_suspects(cards, Params(), options=SuspectOptions(threshold=0))
    proposed = find_suspects(cards, Params())
    assert len(everything) > len(proposed) > 0
    assert everything["score"].between(0, 100).all()
    assert everything["match_weight"].is_monotonic_decreasing
    assert set(proposed["pair_id"]) <= set(everything["pair_id"])


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------
def _two_pairs():
    return cards_of(
        ("BT2561000000001", "Nguyễn Thị Hòa", "12/05/1960", "Nữ", ADDR, "BT", "01/01/2011", "31/12/2011"),
        ("HN2561000000002", "Nguyễn Thị Hoa", "12/05/1960", "Nữ", ADDR, "HN", "01/07/2011", "31/12/2012"),
        ("CC1561000000003", "Trần Văn Ba", "1940", "Nam", ADDR, "CC", "01/01/2011", "31/12/2011"),
        ("HN2561000000004", "Trần Văn Ba", "15/03/1940", "Nam", ADDR, "HN", "01/01/2011", "31/12/2011"),
    )


def test_read_decisions_accepts_sheet_headers_and_any_spelling():
    raw = pd.DataFrame({
        "Mã cặp": ["A1-B2", "C3 - D4", "E5 ; F6", "G7-H8", "I9-J0", "B2-A1", "bad"],
        "Quyết định (Trùng / Không trùng)": ["khong trung", "TRÙNG", " Không Trùng ", "x", None, "trung", "Trùng"],
    })
    dec = read_decisions(raw)
    assert dec.to_dict("records") == [
        {"pair_id": "C3-D4", "decision": CONFIRMED},
        {"pair_id": "E5-F6", "decision": REJECTED},
        {"pair_id": "A1-B2", "decision": CONFIRMED},  # the later decision for the same pair wins
    ]
    assert read_decisions(None).empty
    with pytest.raises(ValueError):
        read_decisions(pd.DataFrame({"x": [1]}))


def test_rejected_pairs_are_never_proposed_again_and_decided_pairs_kept_on_request():
    cards = _two_pairs()
    found = find_suspects(cards, Params())
    assert set(found["pair_id"]) == {"CC1561000000003-HN2561000000004", "BT2561000000001-HN2561000000002"}
    decisions = pd.DataFrame({"pair_id": ["HN2561000000002 - BT2561000000001"], "decision": ["Không trùng"]})
    again = find_suspects(cards, Params(), decisions)
    assert again["pair_id"].tolist() == ["CC1561000000003-HN2561000000004"]
    kept = find_suspects(cards, Params(), decisions, SuspectOptions(include_decided=True))
    assert kept["pair_id"].tolist() == ["CC1561000000003-HN2561000000004", "BT2561000000001-HN2561000000002"]
    assert kept["decision"].tolist() == ["", REJECTED]
    # a decided pair stays on the sheet even when its score is under the threshold
    kept_high = find_suspects(cards, Params(), decisions, SuspectOptions(include_decided=True, threshold=99.99))
    assert kept_high["decision"].tolist() == [REJECTED]


def test_confirmed_links_and_union_find():
    cards = _two_pairs()
    dec = pd.DataFrame({"pair_id": ["BT2561000000001-HN2561000000002", "HN2561000000002-CC1561000000003",
                                    "BT2561000000001-ZZ0000000000000"],
                        "decision": ["Trùng", "trùng", "Trùng"]})
    links = confirmed_links(dec, cards)
    assert sorted(tuple(sorted(link)) for link in links) == [(0, 1), (1, 2)]  # an unknown card links nothing
    ident = identity_keys(cards)
    merged = apply_confirmed(ident, links)
    assert merged["person"].nunique() == 2  # 0, 1, 2 are one person now; 3 alone
    assert merged["person"].iloc[0] == merged["person"].iloc[1] == merged["person"].iloc[2]
    assert merged["confirmed"].tolist() == [True, True, True, False]
    assert merged["identity_key"].tolist() == ident["identity_key"].tolist()
    unchanged = apply_confirmed(ident, [])
    pd.testing.assert_frame_equal(unchanged.drop(columns="confirmed"), ident)
    assert not unchanged["confirmed"].any()


def test_confirmed_pair_becomes_a_duplicate_with_money():
    """What the lead wires: the official review run again with the merged identities."""
    cards = _two_pairs()
    params = Params()
    before = review_cards(cards, params)
    assert not (before.rows["verdict"] == DUPLICATE).any()
    dec = pd.DataFrame({"pair_id": ["BT2561000000001-HN2561000000002"], "decision": ["Trùng"]})
    merged = apply_confirmed(identity_keys(cards), confirmed_links(dec, cards))
    after = review_cards(cards, params, identity=merged[["identity_key", "person"]])
    dup = after.rows[after.rows["verdict"] == DUPLICATE]
    assert dup.index.tolist() == [1]
    assert dup["dup_months_exact"].iloc[0] == pytest.approx(6.0)  # 01/07/2011 - 31/12/2011
    assert dup["dup_money"].iloc[0] > 0


# ---------------------------------------------------------------------------
# The exact rule of the letter stays untouched
# ---------------------------------------------------------------------------
def _list_with_variants(n: int = 20_000) -> pd.DataFrame:
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "bench" / "suspects_bench.py"
    spec = importlib.util.spec_from_file_location("suspects_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from bhyt_xl.samples.generate import generate_cards_with_truth

    frame, truth = generate_cards_with_truth(n, seed=5)
    bench.add_typo_variants(frame, truth, 0.5, 5)
    return frame


def _assert_same_review(x, y):
    pd.testing.assert_frame_equal(x.rows, y.rows)
    pd.testing.assert_frame_equal(x.by_year, y.by_year)
    pd.testing.assert_frame_equal(x.summary, y.summary)


def test_suspects_without_decisions_change_no_verdict_month_or_amount():
    params = Params()
    cards = prepare(_list_with_variants(), params)
    before = review_cards(cards, params)
    found = find_suspects(cards, params)
    assert len(found) > 100  # suspects were found ...
    _assert_same_review(before, review_cards(cards, params))  # ... and the review is the same
    # the wiring path with no decision: merged identities == official identities
    merged = apply_confirmed(identity_keys(cards), confirmed_links(None, cards))
    _assert_same_review(before, review_cards(cards, params, identity=merged[["identity_key", "person"]]))
    # rejecting every pair changes nothing either
    rejected = pd.DataFrame({"pair_id": found["pair_id"], "decision": REJECTED})
    merged = apply_confirmed(identity_keys(cards), confirmed_links(rejected, cards))
    _assert_same_review(before, review_cards(cards, params, identity=merged[["identity_key", "person"]]))


def test_generated_list_quality():
    """Variants added to a generated list are found; proposed pairs are the same person."""
    import importlib.util
    import pathlib

    from bhyt_xl.samples.generate import generate_cards_with_truth

    path = pathlib.Path(__file__).parents[1] / "bench" / "suspects_bench.py"
    spec = importlib.util.spec_from_file_location("suspects_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    frame, truth = generate_cards_with_truth(20_000, seed=9)
    variant = bench.add_typo_variants(frame, truth, 0.5, 9)
    cards = prepare(frame)
    found = find_suspects(cards, Params())
    person = truth["person"].to_numpy()
    same = person[found["row_a"].to_numpy()] == person[found["row_b"].to_numpy()]
    assert same.mean() >= 0.97
    rows = np.flatnonzero(variant.to_numpy() != "")
    hit = np.isin(rows, np.r_[found["row_a"].to_numpy()[same], found["row_b"].to_numpy()[same]])
    assert hit.mean() >= 0.97


# ---------------------------------------------------------------------------
# Rules as data, texts
# ---------------------------------------------------------------------------
def test_blocking_rules_and_levels_are_declared_as_data():
    keys = {r.keys for r in BLOCKING_RULES}
    for required in [("bhxh",), ("card_digits",), ("name_fold", "birth_year"), ("name_fold", "commune"),
                     ("birth_day", "sex", "given")]:
        assert required in keys
    for comp in COMPARISONS:
        assert comp.levels[-1].name == "else"
        assert len({lv.name for lv in comp.levels}) == len(comp.levels)
    table = rules_table()
    assert len(table) == len(BLOCKING_RULES) + sum(len(c.levels) for c in COMPARISONS) + 3
    assert table.loc[table["Mã"] == "sex.else", "Trọng số (bit)"].iloc[0] <= -8  # different sex: strongly against
    assert table.loc[table["Mã"] == "bhxh.else", "Trọng số (bit)"].iloc[0] <= -8
    assert table.loc[table["Mã"] == "bhxh.exact", "Trọng số (bit)"].iloc[0] >= 8


def test_explanation_for_the_sheet():
    assert "Nghi trùng".upper() in SUSPECT_EXPLANATION or "NGHI TRÙNG" in SUSPECT_EXPLANATION
    assert SUSPECT_EXPLANATION.count("\n• ") >= 5
    for word in ("Trùng", "Không trùng", "Mã số BHXH", "thôn", "đảo ngày với tháng", "sinh đôi"):
        assert word in SUSPECT_EXPLANATION


@pytest.mark.parametrize("address, stripped, commune", [
    ("thôn 1, xã vĩnh lương, tp. nha trang, khánh hòa", "1 vinh luong nha trang khanh hoa", "vinh luong"),
    ("tổ dân phố 3, thị trấn vạn giã, huyện vạn ninh", "3 van gia van ninh", "van gia"),
    ("thôn tân sơn, xã ninh sơn, thị xã ninh hòa", "tan son ninh son ninh hoa", "ninh son"),
    ("x. vĩnh lương, tp. nha trang", "vinh luong nha trang", "vinh luong"),
    ("p. 5, q. 3", "5 3", "5"),
    ("vĩnh lương, nha trang", "vinh luong nha trang", "vinh luong nha trang"),
    ("tt vạn giã h. vạn ninh", "van gia van ninh", "van gia"),
])
def test_address_parts(address, stripped, commune):
    assert strip_address(fold(address)) == stripped
    assert commune_of(fold(address)) == commune


def test_fold_keeps_spaces_and_removes_every_mark():
    assert fold("  Nguyễn  Thị Hòa ĐẶNG ") == "nguyen thi hoa dang"
    assert fold("Ưng Ơn Ấn Ẳn") == "ung on an an"
