"""The vectorised paths of the review give what the plain per-value rules give.

The engine reads each distinct value once and works on codes (identity,
dates, sex, card numbers, BHXH numbers); these properties check, on generated
messy values, that every row gets exactly what the rule for that one value
says, and that persons, pairs and labels are those of the straightforward
(slow) definitions.
"""

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bhyt_xl.core.identity import KEY_SEPARATOR, birth_key, identity_keys
from bhyt_xl.core.participation import participant_labels
from bhyt_xl.core.prepare import CARD_JUNK, card_numbers, card_pattern_ok
from bhyt_xl.core.review import overlapping_pairs
from bhyt_xl.core.text import normalize_address, normalize_name, normalize_series
from bhyt_xl.core.values import as_text, parse_dates, parse_sex

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=40)  # examples that call the engine once per cell

# Vietnamese letters (precomposed and decomposed), other scripts' look-alikes and
# case oddities, every kind of space and invisible mark, punctuation and digits
LETTERS = list("aăâeêioôơuưyAĂÂEÊIOÔƠUƯYbcdđghklmnpqrstvxĐàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
               "ùúủũụừứửữựỳýỷỹỵÀÁẢÃẠÒÓỎÕỌÙÚỦŨỤỲÝỶỸỴ") + ["Nguyễn", "Hoà", "Thuý", "khoẻ", "qúy", "người", "Σ", "ς",
                                                      "İ", "ß", "ﬁ", "Ð", "ð", "Ɖ", "ǅ", "٣", "²"]
MARKS = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u031b"]
SPACES = [" ", "  ", "\u00a0", "\t", "\n", "\u200b", "\u00ad", "\ufeff", "\u2003", "\u200e", "\x1c", "\u3000"]
PUNCT = list(",.;:-–—()/'\"|_") + [" - ", " ,", "( ", "..", "1", "5", "01.02", "p.5", "TP."]

piece = st.one_of(st.sampled_from(LETTERS), st.sampled_from(MARKS), st.sampled_from(SPACES), st.sampled_from(PUNCT))
text = st.lists(piece, max_size=12).map("".join)
texts = st.lists(st.one_of(text, st.sampled_from(["Nguyễn Văn An", "NGUYỄN  VĂN AN", "Thôn 1 ,Xã Vĩnh Lương"])),
                 min_size=1, max_size=30)
cells = st.one_of(text, st.none(), st.integers(-5, 3_000_000), st.floats(allow_nan=True, allow_infinity=False),
                  st.sampled_from(["01/02/1980", "1/2/1980", "1980-02-01", "1980-02-01 10:30", "31/02/1980", "1945",
                                   "1945.0", "29221", "'01/02/1980", " 01.02.1980 ", "2000/1/2", "x", "", "  "]))


def nfd(values):
    return [unicodedata.normalize("NFD", v) for v in values]


@SETTINGS
@given(texts)
def test_normalize_series_is_the_per_value_rule(values):
    for sample in (values, nfd(values)):
        for dtype in ("str", "object"):
            series = pd.Series(sample + [None], dtype=dtype)
            assert normalize_series(series, "name").tolist() == [normalize_name(v) for v in sample] + [""]
            assert normalize_series(series, "address").tolist() == [normalize_address(v) for v in sample] + [""]


@FEW
@given(st.lists(cells, min_size=1, max_size=25))
def test_cells_are_read_one_by_one(values):
    """Reading a column gives, row by row, what reading that one cell gives."""
    series = pd.Series(values, dtype="object")
    for column in (series, series.where(series.map(type).eq(str)).astype("str")):
        text = as_text(column)
        sex, bad_sex = parse_sex(column)
        dates = parse_dates(column, allow_year_only=True)
        for i in range(len(column)):
            one = column.iloc[[i]].reset_index(drop=True)
            assert text.iloc[i] == as_text(one).iloc[0]
            assert (sex.iloc[i], bad_sex.iloc[i]) == (parse_sex(one)[0].iloc[0], parse_sex(one)[1].iloc[0])
            single = parse_dates(one, allow_year_only=True)
            got = tuple(part.iloc[i] for part in dates)
            want = tuple(part.iloc[0] for part in single)
            assert got[1:] == want[1:] and (got[0] == want[0] or (pd.isna(got[0]) and pd.isna(want[0])))


PATTERNS = [r"^[A-Z]{2}\d{13}$", r"[A-Z]{2}\d+", r"^(?=[A-Z])[A-Z]{2}[0-9]{13}$", r"^\w{2}\d{3}", r"^..\d{13}\Z"]
card_cells = st.lists(st.one_of(
    st.sampled_from(["HN2561234567890", "hn 256.1234-567_890", "HN256123456789", "HN2561234567890x", "H\u0664"
                     "2561234567890", "HN\u0664561234567890", " 'DN4794791234567 ", "", "Ð2561234567890",
                     "HN256 1234 567 890\u00a0", "TE\n2561234567890"]),
    st.text(alphabet="HNTEhn0123456789 .-_\u0664x", max_size=18)), min_size=1, max_size=20)


@SETTINGS
@given(card_cells)
def test_card_numbers_and_pattern_as_with_plain_regexes(values):
    raw = pd.Series(values, dtype="str")
    card = card_numbers(raw)
    assert card.tolist() == as_text(raw).str.upper().astype(object).str.replace(CARD_JUNK, "", regex=True).tolist()
    for pattern in PATTERNS:
        assert card_pattern_ok(card, pattern).tolist() == card.astype(object).str.match(pattern).tolist()


people = st.lists(st.tuples(st.sampled_from(["Nguyễn Văn An", "NGUYỄN  VĂN AN", "Trần Thị Bình", "Hoà", "Hòa"]),
                            st.sampled_from(["01/01/1980", "1980", "", "02/01/1980"]),
                            st.sampled_from(["Nam", "Nữ", ""]),
                            st.sampled_from(["Xã A", "xã  a", "", "Thôn 1 ,Xã B", "thôn 1, xã b"]),
                            st.booleans()), min_size=1, max_size=40)


def cards_of(rows):
    birth = pd.Series([r[1] for r in rows], dtype="str")
    dates, year_only, _ = parse_dates(birth, allow_year_only=True)
    return pd.DataFrame({"full_name": pd.Series([r[0] for r in rows], dtype="str"), "birth_date": dates,
                         "birth_year_only": year_only, "sex": pd.Series([r[2] for r in rows], dtype="object"),
                         "address": pd.Series([r[3] for r in rows], dtype="str"), "valid": [r[4] for r in rows]})


@SETTINGS
@given(people)
def test_identity_is_the_four_normalised_fields(rows):
    cards = cards_of(rows)
    ident = identity_keys(cards)
    key = (normalize_series(cards["full_name"], "name") + KEY_SEPARATOR
           + birth_key(cards["birth_date"], cards["birth_year_only"]).astype(object) + KEY_SEPARATOR
           + cards["sex"].str.lower() + KEY_SEPARATOR + normalize_series(cards["address"], "address"))
    valid = cards["valid"].to_numpy()
    assert ident["identity_key"].tolist() == key.where(valid, "").tolist()
    assert ident["identity_key"].dtype == "str" and ident["person"].dtype == "int64"
    want = np.where(valid, pd.factorize(key.where(valid))[0], -1)  # numbered in order of first appearance
    assert ident["person"].tolist() == want.tolist()


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 40), st.integers(-5, 40)), max_size=40))
def test_overlapping_pairs_are_all_overlapping_better_worse_pairs(cards):
    person = np.array([c[0] for c in cards], dtype=np.int64)
    start = np.array([c[1] for c in cards], dtype=np.int64).astype("datetime64[D]")
    end = start + np.array([c[2] for c in cards], dtype=np.int64).astype("timedelta64[D]")
    pos = pd.Series(np.arange(len(cards))).groupby(person).cumcount().to_numpy() if len(cards) else person
    got = overlapping_pairs(person, pos, start, end)
    want = {(a, b) for a in range(len(cards)) for b in range(len(cards))
            if person[a] == person[b] and pos[a] < pos[b] and start[a] <= end[b] and start[b] <= end[a]}
    assert set(zip(got["card_a"], got["card_b"])) == want and len(got) == len(want)
    for side in "ab":
        card = got[f"card_{side}"].to_numpy()
        assert (got[f"start_{side}"].to_numpy() == start[card]).all() and (got[f"pos_{side}"] == pos[card]).all()


def labels_by_definition(bhxh_no, identity_key, valid):
    """The participant label rule written out plainly (one row at a time)."""
    def number(v):
        digits = "".join(ch for ch in ("" if pd.isna(v) else str(v)) if unicodedata.category(ch) == "Nd")
        return digits if digits == "" or len(digits) >= 10 else digits.zfill(10)

    numbers = [number(v) for v in bhxh_no]
    known = {}
    for key, num, ok in zip(identity_key, numbers, valid):
        if ok and num and isinstance(key, str):
            known[key] = min(known.get(key, num), num)
    out = []
    for key, num, ok in zip(identity_key, numbers, valid):
        out.append("" if not ok else "B:" + num if num else "B:" + known[key] if key in known else "K:" + key)
    return out


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["", "123", "0123456789", "012-345-6789", "98765432101", "x", "٣٤"]),
                          st.sampled_from(["k1", "k2", "k3"]), st.booleans()), min_size=1, max_size=30))
def test_participant_labels_as_defined(rows):
    bhxh = pd.Series([r[0] for r in rows], dtype="str")
    key = pd.Series([r[1] for r in rows], dtype="str")
    valid = np.array([r[2] for r in rows])
    assert participant_labels(bhxh, key, valid).tolist() == labels_by_definition(bhxh, key, valid)


@pytest.mark.parametrize("kind", ["name", "address"])
def test_normalize_series_keeps_index_and_missing(kind):
    s = pd.Series(["Hoà", None, "  HÒA "], index=[5, 7, 9], dtype="str")
    out = normalize_series(s, kind)
    assert out.index.tolist() == [5, 7, 9] and out.dtype == object
    assert out.tolist() == ["hòa", "", "hòa"]


blank_cells = st.one_of(st.none(), st.sampled_from(["", " ", "\t", "\u00a0", "\u3000 ", "x", " a "]),
                        st.floats(allow_nan=True, allow_infinity=False), st.integers(0, 9))


@SETTINGS
@given(st.integers(0, 4).flatmap(lambda w: st.lists(st.lists(blank_cells, min_size=w, max_size=w), max_size=25)
                                 .map(lambda rows: (w, rows))), st.booleans())
def test_blank_rows_is_every_cell_blank(shape, as_str):
    """clean.blank_rows (fullest column first, only still-blank rows looked at) = every cell of the row blank."""
    from bhyt_xl.io.clean import blank_rows

    width, rows = shape
    frame = pd.DataFrame(rows, columns=[f"c{j}" for j in range(width)], dtype=object)
    if as_str:  # text columns as the readers give them, beside the object ones
        frame = frame.astype({c: "str" for c in frame.columns[::2]
                              if frame[c].map(lambda v: v is None or isinstance(v, str)).all()})

    def blank(v):
        return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())

    expected = [all(blank(v) for v in row) for row in frame.astype(object).itertuples(index=False)]
    assert blank_rows(frame).tolist() == (expected if width else [True] * len(frame))
