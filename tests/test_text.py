"""Normalisation of names and addresses for identity keys (bhyt_xl.core.text).

Two cards are the same person when họ tên, ngày sinh, giới tính and địa chỉ
are equal after normalisation, so normalisation must make cosmetic variants
equal and must never make different names equal.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bhyt_xl.core.text import (
    clean_text,
    normalize_address,
    normalize_name,
    normalize_series,
    normalize_tone_placement,
)

TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def strip_tones(s: str) -> str:
    """Remove the five tone marks only (â, ơ, đ ... keep their marks)."""
    return nfc("".join(ch for ch in nfd(s) if ch not in TONES))


def tone_marks(s: str) -> list[str]:
    return sorted(ch for ch in nfd(s) if ch in TONES)


# --------------------------------------------------------------------------
# clean_text
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn   Văn  A  ", "Nguyễn Văn A"),
        ("Nguy\u200bễn", "Nguyễn"),  # zero-width space inside a name
        ("Ng\u200cuy\u200dễn\u2060", "Nguyễn"),  # ZWNJ, ZWJ, word joiner
        ("\ufeffNguyễn", "Nguyễn"),  # BOM
        ("Hoà\u00adBình", "HoàBình"),  # soft hyphen is invisible
        ("Văn\u00a0A", "Văn A"),  # NBSP
        ("Văn\u202fA\u2007B\u2009C", "Văn A B C"),  # narrow / figure / thin space
        ("Văn\tA\nB\r\nC", "Văn A B C"),
        ("Văn\x01A\x85B\x9fC\x7fD", "Văn A B C D"),  # C0, NEL, C1, DEL
        ("\u3000Văn\u2028A ", "Văn A"),  # ideographic space, line separator
        ("Ðỗ Văn ð", "Đỗ Văn đ"),  # Latin eth look-alikes
        ("Nguye\u0302\u0303n", "Nguyễn"),  # NFD -> NFC
        ("Hoa\u200b\u0300", "Hoà"),  # invisible between letter and its mark
        ("", ""),
        (" \u200b\u00a0 ", ""),
        (12, "12"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_clean_text_missing_is_empty(missing):
    assert clean_text(missing) == ""


def test_clean_text_output_is_nfc():
    out = clean_text(nfd("Trường Hưởng"))
    assert out == "Trường Hưởng"
    assert unicodedata.is_normalized("NFC", out)


# --------------------------------------------------------------------------
# normalize_tone_placement
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # open syllable, two vowels: tone on the first
        ("hoà", "hòa"),
        ("hòa", "hòa"),
        ("thuý", "thúy"),
        ("thúy", "thúy"),
        ("khoẻ", "khỏe"),
        ("khỏe", "khỏe"),
        ("uỷ", "ủy"),
        ("miá", "mía"),
        ("cuả", "của"),
        ("tuí", "túi"),
        ("haí", "hái"),
        # "qu" and "gi" are consonants
        ("qúy", "quý"),
        ("quý", "quý"),
        ("qúa", "quá"),
        ("gìa", "già"),
        ("già", "già"),
        ("giường", "giường"),
        ("gì", "gì"),  # no other vowel: i is the vowel
        ("gìn", "gìn"),
        # closed syllable: tone on the last vowel
        ("hoàn", "hoàn"),
        ("hòan", "hoàn"),
        ("huỳnh", "huỳnh"),
        ("hùynh", "huỳnh"),
        ("toán", "toán"),
        ("tóan", "toán"),
        # three vowels, open: the middle one
        ("ngoài", "ngoài"),
        ("ngoaì", "ngoài"),
        ("ngòai", "ngoài"),
        ("khuỷu", "khuỷu"),
        ("khủyu", "khuỷu"),
        # a vowel with a quality mark (â ê ô ă ơ ư) takes the tone
        ("người", "người"),
        ("ngừơi", "người"),
        ("mười", "mười"),
        ("mừơi", "mười"),
        ("hưởng", "hưởng"),
        ("hửơng", "hưởng"),
        ("trường", "trường"),
        ("trừơng", "trường"),
        ("khuyến", "khuyến"),
        ("khúyên", "khuyến"),
        ("quốc", "quốc"),
        ("rượu", "rượu"),
        ("rựơu", "rượu"),
        ("cửa", "cửa"),
        ("cưả", "cửa"),
        ("giữ", "giữ"),
        # case is kept letter by letter
        ("HOÀ", "HÒA"),
        ("Thuý", "Thúy"),
        ("THUÝ", "THÚY"),
        ("hOà", "hÒa"),
        ("NGỪƠI", "NGƯỜI"),
        ("Qúy", "Quý"),
        # NFD input, NFC output
        (nfd("hoà"), "hòa"),
        (nfd("Trừơng"), "Trường"),
        # unchanged: no tone, one vowel, or not a Vietnamese syllable
        ("hoa", "hoa"),
        ("Nguyen", "Nguyen"),
        ("Văn", "Văn"),
        ("Lý", "Lý"),
        ("Lí", "Lí"),
        ("Mc", "Mc"),
        ("ABC", "ABC"),
        ("12A", "12A"),
        ("Zoé", "Zoé"),  # z is not a Vietnamese initial
        ("caféa", "caféa"),  # f is not a Vietnamese final
        ("hòá", "hòá"),  # two tone marks
        ("hoa\u0300\u0301", nfc("hoa\u0300\u0301")),  # two tones on one vowel
        ("ǹg", "ǹg"),  # tone on a consonant, no vowel
        ("\u017foà", "\u017foà"),  # long s is not an s
        ("hoàhoà", "hoàhoà"),  # two syllables glued
        ("", ""),
    ],
)
def test_normalize_tone_placement(word, expected):
    assert normalize_tone_placement(word) == expected


# --------------------------------------------------------------------------
# normalize_name
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  NGUYỄN  Văn   A ", "nguyễn văn a"),
        ("Nguyễn Thị Hoà", "nguyễn thị hòa"),
        (nfd("Nguyễn Thị Hoà"), "nguyễn thị hòa"),
        ("Trần\u00a0Thị\tTHUÝ", "trần thị thúy"),
        ("Nguy\u200bễn Văn Khoẻ", "nguyễn văn khỏe"),
        ("ÐỖ VĂN ð", "đỗ văn đ"),
        ("Lê Qúy Đôn", "lê quý đôn"),
        ("H'Hen Niê", "h'hen niê"),
        ("Hoà2 (Hoà)", "hòa2 (hòa)"),  # a word is a run of letters
        ("Hoà\u0301 x", nfc("hoà\u0301 x")),  # a stray second tone: left alone
        ("X\u0301hoà", nfc("x\u0301hoà")),  # ... wherever it is in the word
        ("Mc Donald", "mc donald"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    "variants",
    [
        ["Nguyễn Thị Hoà", "nguyễn thị hòa", "NGUYỄN THỊ HOÀ"],
        ["Nguyễn Thị Hoà", nfd(" Nguyễn  Thị Hòa"), "nguyễn thị hoà"],
        ["Lê Thị Thuý", "lê thị thúy", "Lê\u00a0Thị\u200b Thúy"],
        ["Đỗ Văn Khoẻ", "Ðỗ Văn Khỏe", "đỗ văn khỏe"],
    ],
)
def test_normalize_name_cosmetic_variants_are_equal(variants):
    assert len({normalize_name(v) for v in variants}) == 1


@pytest.mark.parametrize(
    "different",
    [
        ["Hoa", "Hòa", "Hóa", "Hỏa", "Họa", "Hõa"],
        ["Lý", "Lí"],
        ["Thủy", "Thúy", "Thùy", "Thụy", "Thuy"],
        ["Nguyễn", "Nguyen", "Nguyên"],
        ["Đức", "Dức"],
    ],
)
def test_normalize_name_never_merges_different_names(different):
    assert len({normalize_name(v) for v in different}) == len(different)


# --------------------------------------------------------------------------
# normalize_address
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thôn 1 ,Xã Vĩnh Lương,  TP Nha Trang.", "thôn 1, xã vĩnh lương, tp nha trang"),
        ("tp.nha trang", "tp. nha trang"),
        ("TP . Nha Trang", "tp. nha trang"),
        ("P.5, Q.10", "p. 5, q. 10"),
        ("Lô 1.5, km 12.300", "lô 1.5, km 12.300"),  # dots inside numbers are kept
        ("a;b:c", "a; b: c"),
        ("a ; b : c", "a; b: c"),
        ("Thôn 1( xóm 2 )", "thôn 1 (xóm 2)"),
        ("Thôn 1 (xóm 2) ,Xã A", "thôn 1 (xóm 2), xã a"),
        ("Số 12-14", "số 12 - 14"),
        ("Số 12 – 14", "số 12 - 14"),
        ("Số 12—14", "số 12 - 14"),
        ("Số 12 -- 14", "số 12 - 14"),
        ("Bà Rịa-Vũng Tàu", "bà rịa - vũng tàu"),
        (", - Thôn 1 ;", "thôn 1"),
        ("...Xã Hoà Bình...", "xã hòa bình"),
        ("Khánh Hoà", "khánh hòa"),
        ("TP HCM", "tp hcm"),  # abbreviations are not expanded
        ("Số 3/2", "số 3/2"),
        (None, ""),
        ("  ,  ", ""),
    ],
)
def test_normalize_address(raw, expected):
    assert normalize_address(raw) == expected


@pytest.mark.parametrize(
    "variants",
    [
        [
            "Thôn 1 ,Xã Vĩnh Lương,  TP Nha Trang.",
            "thôn 1, xã vĩnh lương, tp nha trang",
            "THÔN 1,XÃ VĨNH LƯƠNG,TP NHA TRANG",
            nfd("Thôn 1 , Xã Vĩnh\u00a0Lương ,TP Nha Trang ;"),
        ],
        ["tp.nha trang", "tp. nha trang", "TP .Nha Trang", "Tp . nha  trang."],
        ["Khánh Hoà-Việt Nam", "khánh hòa – việt nam", "Khánh Hòa - Việt Nam"],
    ],
)
def test_normalize_address_cosmetic_variants_are_equal(variants):
    assert len({normalize_address(v) for v in variants}) == 1


def test_normalize_address_keeps_words():
    assert normalize_address("TP HCM") != normalize_address("Thành phố Hồ Chí Minh")
    assert normalize_address("Xã Hoà Bình") != normalize_address("Hoà Bình")


# --------------------------------------------------------------------------
# normalize_series
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [object, "str"])
def test_normalize_series_maps_back_with_index(dtype):
    values = pd.Series(
        ["Hoà", None, "HÒA", "Lý", np.nan, " hoà "], index=[10, 3, 7, 1, 0, 99], dtype=dtype
    )
    out = normalize_series(values, "name")
    assert out.dtype == object
    assert out.index.equals(values.index)
    assert out.tolist() == ["hòa", "", "hòa", "lý", "", "hòa"]


def test_normalize_series_address():
    values = pd.Series(["Thôn 1 ,Xã A", "thôn 1, xã a", pd.NA], dtype=object)
    assert normalize_series(values, "address").tolist() == ["thôn 1, xã a"] * 2 + [""]


def test_normalize_series_empty_and_all_missing():
    assert normalize_series(pd.Series([], dtype=object), "name").tolist() == []
    assert normalize_series(pd.Series([None, np.nan]), "name").tolist() == ["", ""]


def test_normalize_series_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        normalize_series(pd.Series(["a"]), "phone")


@settings(deadline=None)
@given(st.lists(st.none() | st.sampled_from(["Hoà", "hòa", "Thuý", "A , B", " x "]) | st.text()))
def test_normalize_series_equals_elementwise(items):
    values = pd.Series(items, dtype=object)
    for kind, normalize in (("name", normalize_name), ("address", normalize_address)):
        assert normalize_series(values, kind).tolist() == [normalize(v) for v in items]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

VOWELS = "aăâeêioôơuưy"
INITIALS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n",
            "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
          "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă",
          "oe", "oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uy", "ưa", "ưi",
          "ươ", "ưu", "yê", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu",
          "ươi", "ươu", "iêu", "yêu"]
OPEN_PAIRS = ["ai", "ao", "au", "ay", "eo", "ia", "iu", "oa", "oe", "oi", "ua", "ui",
              "uy", "âu", "ây", "êu", "ôi", "ơi", "ưa", "ưi", "ưu", "ươ", "iê", "uô"]
PUNCTUATION = list(" ,.;:()-–—/'") + ["\u00a0", "\u200b", "\t", "Ð", "ð"]


def with_tone(letters: str, at: int | None, tone: str) -> str:
    """Put `tone` after the letter at position `at` (None: no tone)."""
    if at is None:
        return letters
    return nfc(letters[: at + 1] + tone + letters[at + 1 :])


def apply_case(word: str, upper: list[bool]) -> str:
    return "".join(ch.upper() if up else ch for ch, up in zip(word, upper + [False] * len(word)))


@st.composite
def syllables(draw, nuclei=NUCLEI, finals=FINALS):
    """A Vietnamese-like syllable, tone on any vowel (or none), random case."""
    initial = draw(st.sampled_from(INITIALS))
    nucleus = draw(st.sampled_from(nuclei))
    final = draw(st.sampled_from(finals))
    letters = initial + nucleus + final
    at = draw(st.none() | st.integers(len(initial), len(initial) + len(nucleus) - 1))
    word = with_tone(letters, at, draw(st.sampled_from(TONES)))
    return apply_case(word, draw(st.lists(st.booleans(), max_size=len(letters))))


vietnamese_text = st.lists(
    st.one_of(
        syllables(),
        st.sampled_from(PUNCTUATION),
        st.sampled_from(["12", "3/2", "1.5"]),
        st.sampled_from(TONES),  # a stray second tone
    ),
    max_size=12,
).map("".join) | st.lists(syllables(), max_size=6).map(" ".join)

# Arbitrary text, weighted towards the characters normalisation cares about.
special = st.sampled_from(
    list(VOWELS + "đĐÐð") + list(TONES) + ["\u0302", "\u031b", "\u0306"] + PUNCTUATION
    + ["\u00ad", "\u2060", "\ufeff", "\u202f", "\x85", "\u2013", "K", "İ", "ẞ"]
)
any_text = st.text(alphabet=st.one_of(st.characters(), special)) | vietnamese_text

PROPERTY = settings(deadline=None, max_examples=300)
NORMALIZERS = [normalize_name, normalize_address]


@PROPERTY
@given(st.sampled_from(NORMALIZERS), any_text)
def test_idempotent(normalize, text):
    once = normalize(text)
    assert normalize(once) == once


@PROPERTY
@given(syllables())
def test_tone_placement_idempotent_and_nfc(word):
    once = normalize_tone_placement(word)
    assert normalize_tone_placement(once) == once
    assert unicodedata.is_normalized("NFC", once)


@PROPERTY
@given(st.sampled_from([clean_text, *NORMALIZERS]), any_text)
def test_nfc_and_nfd_give_the_same_output(normalize, text):
    assert normalize(nfd(text)) == normalize(nfc(text))


@PROPERTY
@given(st.sampled_from(NORMALIZERS), vietnamese_text)
def test_case_insensitive(normalize, text):
    assert normalize(text.upper()) == normalize(text.lower())


@PROPERTY
@given(
    st.sampled_from(INITIALS), st.sampled_from(OPEN_PAIRS), st.sampled_from(TONES),
    st.lists(st.booleans(), max_size=6),
)
def test_moving_the_tone_in_an_open_two_vowel_syllable_changes_nothing(initial, pair, tone, upper):
    letters = initial + pair
    first = apply_case(with_tone(letters, len(initial), tone), upper)
    second = apply_case(with_tone(letters, len(initial) + 1, tone), upper)
    assert normalize_tone_placement(first) == normalize_tone_placement(second)
    assert normalize_name(first) == normalize_name(second)


@PROPERTY
@given(syllables(), st.data())
def test_tone_position_never_matters_in_a_syllable(word, data):
    """Any syllable: wherever on its vowels the tone was typed, same output."""
    marks = tone_marks(word)
    if not marks:
        return
    letters = strip_tones(word)
    vowel_positions = [i for i, ch in enumerate(letters) if ch.lower() in VOWELS]
    moved = with_tone(letters, data.draw(st.sampled_from(vowel_positions)), marks[0])
    assert normalize_tone_placement(moved) == normalize_tone_placement(word)


@PROPERTY
@given(syllables(), st.sampled_from(TONES), st.sampled_from(TONES + "x"))
def test_different_tones_never_merge(word, tone_a, tone_b):
    """The same letters with a different tone (or none: "x") stay different."""
    if tone_a == tone_b:
        return
    letters = strip_tones(word)
    vowel = next(i for i, ch in enumerate(letters) if ch.lower() in VOWELS)
    a = with_tone(letters, vowel, tone_a)
    b = letters if tone_b == "x" else with_tone(letters, vowel, tone_b)
    assert normalize_name(a) != normalize_name(b)


@PROPERTY
@given(any_text)
def test_name_changes_only_tone_position_case_and_spacing(text):
    expected = nfc(" ".join(clean_text(text).lower().split()))
    out = normalize_name(text)
    assert strip_tones(out) == strip_tones(expected)
    assert tone_marks(out) == tone_marks(expected)


@PROPERTY
@given(any_text)
def test_address_changes_only_tone_position_case_and_punctuation_spacing(text):
    def letters(s):
        return [ch for ch in strip_tones(s) if ch.isalnum()]

    expected = nfc(clean_text(text).lower())
    out = normalize_address(text)
    assert letters(out) == letters(expected)
    assert tone_marks(out) == tone_marks(expected)


@PROPERTY
@given(st.sampled_from(NORMALIZERS), any_text)
def test_output_spacing(normalize, text):
    out = normalize(text)
    assert "  " not in out
    assert out == out.strip()
    assert unicodedata.is_normalized("NFC", out)


@PROPERTY
@given(any_text)
def test_address_punctuation_spacing(text):
    out = normalize_address(text)
    for mark in ",.;:)":
        assert " " + mark not in out
    assert "( " not in out
    assert not out.startswith(tuple(".,;:-")) and not out.endswith(tuple(".,;:-"))
