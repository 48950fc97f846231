"""Legacy encodings TCVN3 (ABC) and VNI: the whole alphabet, round trips, detection."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhyt_xl.core import legacy
from bhyt_xl.core.legacy import (
    TCVN3,
    VNI,
    classify_values,
    convert_legacy_columns,
    decode_tcvn3,
    decode_vni,
    detect_legacy,
    encode_tcvn3,
    encode_vni,
    to_unicode,
)
from bhyt_xl.core.text import clean_text, normalize_name

TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # none, huyền, sắc, hỏi, ngã, nặng
VOWELS = "aăâeêioôơuưy"
LOWER = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES] + ["đ"]
UPPER = [c.upper() for c in LOWER]

# ---------------------------------------------------------------------------
# Reference tables written out by hand, row by row (vowel: no tone, huyền, sắc,
# hỏi, ngã, nặng), independently of the rules that build legacy.TCVN3_TABLE
# and legacy.VNI_TABLE. Sources: the TCVN 5712:1993 VN3 chart as used by
# .VnTime fonts; the VNI-Windows chart (xvnkb vni.h lists the same capitals).
# ---------------------------------------------------------------------------
TCVN3_REF = {
    "a": "a µ ¸ ¶ · ¹", "ă": "¨ » ¾ ¼ ½ Æ", "â": "© Ç Ê È É Ë", "e": "e Ì Ð Î Ï Ñ", "ê": "ª Ò Õ Ó Ô Ö",
    "i": "i × Ý Ø Ü Þ", "o": "o ß ã á â ä", "ô": "« å è æ ç é", "ơ": "¬ ê í ë ì î", "u": "u ï ó ñ ò ô",
    "ư": "\u00ad õ ø ö ÷ ù", "y": "y ú ý û ü þ",
}
TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§", "đ": "®"}
VNI_REF = {
    "a": "a aø aù aû aõ aï", "ă": "aê aè aé aú aü aë", "â": "aâ aà aá aå aã aä", "e": "e eø eù eû eõ eï",
    "ê": "eâ eà eá eå eã eä", "i": "i ì í æ ó ò", "o": "o oø où oû oõ oï", "ô": "oâ oà oá oå oã oä",
    "ơ": "ô ôø ôù ôû ôõ ôï", "u": "u uø uù uû uõ uï", "ư": "ö öø öù öû öõ öï", "y": "y yø yù yû yõ î",
}
VNI_CAPITALS = {"đ": "ñ", "Đ": "Ñ"}


def _ref_pairs(ref: dict) -> list[tuple[str, str]]:
    out = []
    for vowel, codes in ref.items():
        for tone, code in zip(TONES, codes.split(" ")):
            out.append((unicodedata.normalize("NFC", vowel + tone), code))
    return out


# ---------------------------------------------------------------------------
# TCVN3: the whole alphabet
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("letter, code", _ref_pairs(TCVN3_REF) + list(TCVN3_CAPITALS.items()))
def test_tcvn3_every_letter_decodes_to_nfc_unicode(letter, code):
    assert decode_tcvn3(code) == letter
    assert unicodedata.is_normalized("NFC", decode_tcvn3(code))
    assert encode_tcvn3(letter) == code


@pytest.mark.parametrize("letter", UPPER)
def test_tcvn3_capitals_come_back_from_their_context(letter):
    """VN3 has no toned capitals: .VnTimeH draws them from the lower-case codes.
    Upper case is restored from the other letters of the value."""
    code = encode_tcvn3(letter)
    assert decode_tcvn3("NG" + code + "N") == "NG" + letter + "N"  # an all-capitals word
    assert decode_tcvn3("Hå " + code + "nh").split()[1] == letter + "nh"  # a title-case name


def test_tcvn3_table_covers_the_alphabet_exactly():
    non_ascii = [c for c in LOWER if not c.isascii()]  # a e i o u y are themselves
    assert sorted(legacy.TCVN3_TABLE.values()) == sorted(non_ascii + ["Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"])
    assert all(len(code) == 1 and "\u00a0" < code <= "\u00ff" for code in legacy.TCVN3_TABLE)


@pytest.mark.parametrize("text", ["Nguyễn Thị Hoà", "NGUYỄN VĂN ĐẶNG", "Trần Ánh Ủy", "Đỗ Thị Ý", "Lương Thế Vinh",
                                  "Thôn Phú Ân Nam 2, xã Diên Phú, huyện Diên Khánh, tỉnh Khánh Hòa",
                                  "Ông Ích Khiêm", "Ưng Hoàng Phúc", "Ấp Ổi Ở Xã Ân", "Huỳnh Thị Ngọc Trâm"])
def test_tcvn3_round_trip(text):
    assert decode_tcvn3(encode_tcvn3(text)) == unicodedata.normalize("NFC", text)


def test_tcvn3_known_sample():
    assert decode_tcvn3("NguyÔn ThÞ Hoµ, x· T©n Phó") == "Nguyễn Thị Hoà, xã Tân Phú"
    assert decode_tcvn3("Th«n 1, X· VÜnh L\u00ad¬ng, TP. Nha Trang") == "Thôn 1, Xã Vĩnh Lương, TP. Nha Trang"


# ---------------------------------------------------------------------------
# VNI: the whole alphabet
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("letter, code", _ref_pairs(VNI_REF) + list(VNI_CAPITALS.items()))
def test_vni_every_letter_decodes_to_nfc_unicode(letter, code):
    assert decode_vni(code) == letter
    assert encode_vni(letter) == code
    # capitals: base and mark both upper case ("AÙ" = Á)
    assert decode_vni(code.upper()) == letter.upper()
    assert encode_vni(letter.upper()) == code.upper()


@pytest.mark.parametrize("letter", LOWER + UPPER)
def test_vni_round_trip_every_letter_in_a_word(letter):
    word = "Ng" + letter + "n"
    assert decode_vni(encode_vni(word)) == word


def test_vni_variants_accepted_on_reading():
    assert decode_vni("Aùnh") == "Ánh"  # upper-case base, lower-case mark
    assert decode_vni("yï") == "ỵ" and decode_vni("iù") == "í"  # spellings some texts use


@pytest.mark.parametrize("text", ["Nguyễn Thị Hoà", "NGUYỄN VĂN ĐẶNG", "Trần Ánh Ủy", "Đỗ Thị Ý", "Kỳ Vỹ Mỵ",
                                  "Thôn Phú Ân Nam 2, xã Diên Phú, huyện Diên Khánh, tỉnh Khánh Hòa",
                                  "Huỳnh Thị Ngọc Trâm", "Ưng Ở Ẳng Ẵng"])
def test_vni_round_trip(text):
    assert decode_vni(encode_vni(text)) == unicodedata.normalize("NFC", text)


def test_vni_known_sample():
    assert decode_vni("Nguyeãn Thò Hoaø, xaõ Taân Phuù") == "Nguyễn Thị Hoà, xã Tân Phú"


def test_against_viparse_oracle():
    """viparse 0.1.31 as an oracle (tests only; not a dependency). Its VNI table
    leaves out ẳ ("aú") and writes ỵ as "yï" only; the VNI chart (and xvnkb's
    vni.h) has "aú" and "î"."""
    tables = pytest.importorskip("viparse.normalize.tables")
    tcvn3 = pytest.importorskip("viparse.normalize.tcvn3").TCVN3
    vni = pytest.importorskip("viparse.normalize.vni").VNI
    gaps = {"ẳ", "Ẳ", "ỵ", "Ỵ"}
    for letter in LOWER:
        assert tables.convert(encode_tcvn3(letter), tcvn3) == decode_tcvn3(encode_tcvn3(letter))
    for letter in LOWER + UPPER:
        if letter not in gaps:
            assert tables.convert(encode_vni(letter), vni) == decode_vni(encode_vni(letter))


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------
UNICODE_NAMES = ["Nguyễn Thị Hòa", "Trần Văn Bình", "Lê Thị Thu Hương", "Phạm Văn Lộc", "Huỳnh Thị Mai",
                 "Võ Tú", "Hà Tú Anh", "Lê Hòa", "Đỗ Văn Thành", "Ngô Thị Bích", "Nguyễn Thị Ánh Tuyết"]
UNICODE_ADDRESSES = ["Thôn Tây Bắc 1, Xã Vĩnh Lương, Thành phố Nha Trang, Khánh Hòa",
                     "Tổ dân phố 3, Thị trấn Vạn Giã, Huyện Vạn Ninh", "Thôn Tân Sơn, Xã Ninh Sơn, TX. Ninh Hòa"]


@pytest.mark.parametrize("encode, name", [(encode_tcvn3, TCVN3), (encode_vni, VNI)])
def test_detects_legacy_names_and_addresses(encode, name):
    for values in (UNICODE_NAMES, UNICODE_ADDRESSES):
        column = pd.Series([encode(v) for v in values], dtype=object)
        assert detect_legacy(column) == name
        assert to_unicode(column, name).tolist() == [unicodedata.normalize("NFC", v) for v in values]


@pytest.mark.parametrize("values", [UNICODE_NAMES, UNICODE_ADDRESSES,
                                    [unicodedata.normalize("NFD", v) for v in UNICODE_NAMES],
                                    [v.upper() for v in UNICODE_NAMES],
                                    ["Nguyen Van An", "Tran Thi B", "12/05/1960", "HN2561234567890"],
                                    ["Hòa", "Võ Tú", "Lê Hà", "Hà Tú Anh"]])
def test_unicode_text_is_never_legacy(values):
    column = pd.Series(values, dtype=object)
    assert detect_legacy(column) is None
    frame = pd.DataFrame({"x": column})
    out, report = convert_legacy_columns(frame)
    assert report == {} and out["x"].tolist() == values


def test_unicode_generated_list_and_bundled_sample_are_not_legacy():
    from bhyt_xl.io.read import read_table
    from bhyt_xl.samples import generate

    frame = generate.generate_cards(5000, seed=3)
    _, report = convert_legacy_columns(frame)
    assert report == {}
    sample = read_table(generate.__file__.replace("generate.py", generate.SAMPLE_NAME))
    _, report = convert_legacy_columns(sample.data)
    assert report == {}


@pytest.mark.parametrize("encode, name", [(encode_tcvn3, TCVN3), (encode_vni, VNI)])
def test_generated_list_in_legacy_encoding_comes_back_exactly(encode, name):
    """Every name and address of a generated list (Khánh Hòa communes, real
    given names), written in a legacy encoding, converts back to the Unicode."""
    from bhyt_xl.samples import generate

    frame = generate.generate_cards(20_000, seed=8)
    old = frame.copy()
    for col in ("Họ và tên", "Địa chỉ"):
        old[col] = frame[col].map(encode).astype(object)
    out, report = convert_legacy_columns(old)
    assert report == {"Họ và tên": name, "Địa chỉ": name}
    for col in ("Họ và tên", "Địa chỉ"):
        assert out[col].tolist() == frame[col].str.normalize("NFC").tolist()


def test_mixed_column_is_converted_per_value():
    values = ["NguyÔn V¨n An", "TrÇn ThÞ B×nh", "Lê Văn Cường", None, 1960, "Hoµng V¨n Th¸i", "Phan Tài"]
    column = pd.Series(values, dtype=object)
    assert detect_legacy(column) == TCVN3
    out = to_unicode(column, TCVN3)
    assert out.tolist() == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", None, 1960, "Hoàng Văn Thái",
                            "Phan Tài"]
    assert classify_values(column).tolist() == [TCVN3, TCVN3, "unicode", "plain", "plain", TCVN3, "ambiguous"]


def test_ambiguous_values_follow_the_column():
    # "Vâ Tó" is "Võ Tú" in TCVN3, but also reads as Vietnamese as it is
    legacy_column = pd.Series(["Vâ Tó", "NguyÔn V¨n An", "TrÇn ThÞ B×nh"], dtype=object)
    assert to_unicode(legacy_column, TCVN3).tolist()[0] == "Võ Tú"
    unicode_column = pd.Series(["Võ Tú", "Nguyễn Văn An", "Trần Thị Bình", "NguyÔn V¨n An"], dtype=object)
    assert to_unicode(unicode_column, TCVN3).tolist() == ["Võ Tú", "Nguyễn Văn An", "Trần Thị Bình", "Nguyễn Văn An"]


def test_vni_column_with_title_and_upper_case():
    values = ["Nguyeãn Vaên Ñaït", "NGUYEÃN THÒ AÙNH", "Ñoã Thò Yeán", "Thoân 1, xaõ Vónh Löông"]
    column = pd.Series(values, dtype=object)
    assert detect_legacy(column) == VNI
    assert to_unicode(column, VNI).tolist() == ["Nguyễn Văn Đạt", "NGUYỄN THỊ ÁNH", "Đỗ Thị Yến",
                                                "Thôn 1, xã Vĩnh Lương"]


def test_convert_legacy_columns_reports_and_never_modifies_input():
    frame = pd.DataFrame({
        "Họ và tên": ["NguyÔn V¨n An", "TrÇn ThÞ B×nh"],
        "Địa chỉ": ["Thoân 1, xaõ Vónh Löông", "Xaõ Dieân Phuù"],
        "Mã thẻ": ["HN2561234567890", "BT2561234567891"],
        "Ngày sinh": pd.to_datetime(["1960-05-12", "1970-01-01"]),
    })
    before = frame.copy(deep=True)
    out, report = convert_legacy_columns(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert report == {"Họ và tên": TCVN3, "Địa chỉ": VNI}
    assert out["Họ và tên"].tolist() == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert out["Địa chỉ"].tolist() == ["Thôn 1, xã Vĩnh Lương", "Xã Diên Phú"]
    assert out["Mã thẻ"].tolist() == frame["Mã thẻ"].tolist()
    assert legacy.report_text(report)[0].startswith("Cột Họ và tên: chữ mã TCVN3")
    # only the columns asked for
    _, report = convert_legacy_columns(frame, ["Mã thẻ"])
    assert report == {}


def test_header_readings_let_old_headers_be_recognised():
    from bhyt_xl.core.schema import field_for_header

    assert field_for_header("Hä vµ tªn") is None
    assert legacy.header_readings("Hä vµ tªn") == ["Hä vµ tªn", "Họ và tên"]
    assert field_for_header(legacy.header_readings("Hä vµ tªn")[1]) == "full_name"
    assert "full_name" in [field_for_header(h) for h in legacy.header_readings("Hoï vaø teân")]
    assert legacy.header_readings("Họ và tên") == ["Họ và tên"]
    assert legacy.header_readings("MA_THE") == ["MA_THE"]


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError):
        to_unicode(pd.Series(["a"]), "VISCII")


def test_conversion_must_come_before_clean_text():
    """clean_text removes the soft hyphen (TCVN3 "ư") and turns "Ð" (TCVN3 "é")
    into "Đ": legacy text must be converted first, as convert_legacy_columns does."""
    raw = "L\u00ad¬ng ThÞ BÐ"  # Lương Thị Bé
    assert normalize_name(to_unicode(pd.Series([raw]), TCVN3)[0]) == "lương thị bé"
    assert clean_text(raw) != raw  # cleaning first would lose letters


def test_detection_is_per_distinct_value_and_fast():
    names = pd.Series(np.resize(np.array(UNICODE_NAMES, dtype=object), 200_000), dtype=object)
    import time

    t = time.perf_counter()
    assert detect_legacy(names) is None
    assert time.perf_counter() - t < 2.0


# ---------------------------------------------------------------------------
# Text hygiene of pasted input (bhyt_xl/core/text.py::clean_text)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069", "\u2063"])
def test_clean_text_removes_bidi_and_invisible_format_marks(mark):
    assert clean_text(f"Nguyễn{mark} Văn A{mark}") == "Nguyễn Văn A"


def test_clean_text_maps_african_d_lookalike():
    assert clean_text("Ɖặng ɖức") == "Đặng đức"


@given(st.lists(st.sampled_from(["Nguyễn Thị Hòa", "Hòa", "NguyÔn V¨n An", "Nguyeãn Thò Hoøa", "Lê Văn Bé", "An",
                                 "TrÇn ThÞ B×nh", "", "Thôn 1, Xã Vĩnh Lương", "X· VÜnh L­¬ng"]), max_size=40),
       st.booleans())
def test_candidates_alone_give_the_columns_answer(values, as_object):
    from bhyt_xl.core.legacy import legacy_candidates

    series = pd.Series(values, dtype=object if as_object else "str")
    mask = legacy_candidates(series)
    assert detect_legacy(series[mask]) == detect_legacy(series)
