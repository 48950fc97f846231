"""Vietnamese text normalisation, kept in one place.

Used for identity keys (names, addresses) and for recognising column headers.

Identity keys follow the official rule: two cards belong to the same person
when họ tên, ngày sinh, giới tính and địa chỉ are equal *after normalisation*.
Normalisation therefore makes cosmetic variants equal (spacing, invisible
characters, Unicode form, case, where the tone mark sits, punctuation spacing)
and never makes different names equal: diacritics are never folded for keys
("Hoa" ≠ "Hòa" ≠ "Hóa", "Lý" ≠ "Lí").
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bhyt_xl.core.values import arrow_text, distinct_values, is_arrow_text

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold_header(text: object) -> str:
    """Header text folded for alias matching: 'Mã thẻ BHYT' -> 'mathebhyt'.

    Removes diacritics (đ -> d), case, spaces and punctuation, so that
    'MA_THE', 'Mã thẻ', 'mã  THẺ' all fold to 'mathe'.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("đ", "d").replace("Đ", "D").replace("Ð", "D").replace("ð", "d").lower()
    return _NON_ALNUM.sub("", s)


# --------------------------------------------------------------------------
# clean_text
# --------------------------------------------------------------------------

# zero-width characters, soft hyphen, and the invisible direction / format marks (LRM, RLM, embeddings,
# isolates, invisible operators) that come with text copied out of web pages and PDFs
_INVISIBLE = ("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
              "\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069")

# One str.translate table: invisibles vanish; every whitespace character
# (all of them lie below U+3001) and every C0/C1 control becomes a plain
# space; the Latin eth, which looks like Đ/đ, becomes the Vietnamese letter.
_CLEAN_TABLE = {
    cp: " "
    for cp in range(0x3001)
    if cp != 0x20 and (chr(cp).isspace() or unicodedata.category(chr(cp)) == "Cc")
}
_CLEAN_TABLE.update({ord(ch): None for ch in _INVISIBLE})
# look-alikes of Đ/đ: Latin eth (U+00D0/U+00F0) and African D (U+0189/U+0256)
_CLEAN_TABLE.update({0x00D0: "\u0110", 0x00F0: "\u0111", 0x0189: "\u0110", 0x0256: "\u0111"})
# str.translate is slow on non-ASCII text; most cells need none of it.
_NEEDS_TRANSLATE = re.compile("[" + re.escape("".join(map(chr, _CLEAN_TABLE))) + "]")


def clean_text(s: object) -> str:
    r"""Cell value -> clean NFC text with single spaces; missing -> "".

    Removes zero-width characters and soft hyphens, turns NBSP-like spaces,
    tabs, newlines and control characters into spaces, replaces the look-alike
    "Ð"/"ð" (Latin eth) by "Đ"/"đ", applies NFC, collapses spaces and strips.

    >>> clean_text("  Nguy\u200bễn\u00a0\u00a0Văn\tA ")
    'Nguyễn Văn A'
    """
    if not isinstance(s, str):
        if s is None or (pd.api.types.is_scalar(s) and pd.isna(s)):
            return ""
        s = str(s)
    # Invisibles go before NFC so that a base letter and its combining mark
    # separated by a zero-width character still compose.
    if _NEEDS_TRANSLATE.search(s):
        s = s.translate(_CLEAN_TABLE)
    s = unicodedata.normalize("NFC", s)
    return " ".join(s.split())


# --------------------------------------------------------------------------
# normalize_tone_placement
# --------------------------------------------------------------------------

# The five tone marks (huyền, sắc, hỏi, ngã, nặng) as combining marks.
# Vowel-quality marks (circumflex, breve, horn) are part of the letter
# (â ê ô ă ơ ư) and never move.
_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"
_VOWELS = "aăâeêioôơuưy"
_QUALITY_VOWELS = "ăâêôơư"

# Every Vietnamese vowel with a tone exists as one precomposed (NFC) code
# point: "ờ" <-> ("ơ", grave). Tables for both directions, both cases.
_SPLIT_TONE: dict[str, tuple[str, str]] = {}
_ADD_TONE: dict[tuple[str, str], str] = {}
for _vowel in _VOWELS + _VOWELS.upper():
    for _tone in _TONE_MARKS:
        _toned = unicodedata.normalize("NFC", _vowel + _tone)
        _SPLIT_TONE[_toned] = (_vowel, _tone)
        _ADD_TONE[_vowel, _tone] = _toned
del _vowel, _tone, _toned
_TONED_CHARS = "".join(_SPLIT_TONE)
_TONED_VOWEL = re.compile(f"[{_TONED_CHARS}]")

# Longest first, so that "ngh" wins over "ng" and "ng" over "n".
# "qu" and "gi" are single consonants; the regex backtracks to "g" + vowel "i"
# when no vowel follows "gi" ("gì", "gìn"), while "qu" with no vowel after it
# is simply not a syllable (a bare "q" is not an initial).
_INITIALS = ("ngh ng nh ch gh gi kh ph qu th tr "
             "b c d đ g h k l m n p r s t v x").split()
_FINALS = "ch ng nh c m n p t".split()


def _both_cases(cluster: str) -> str:
    """'ng' -> '[nN][gG]': case-insensitive without re.IGNORECASE, which
    would also accept look-alikes such as the long s 'ſ' for 's'."""
    return "".join(f"[{ch}{ch.upper()}]" for ch in cluster)


# One toneless syllable: initial consonant, 1-3 vowels, final consonant. The
# classes hold only Vietnamese letters, so a foreign letter or a combining
# mark left over (a second tone, a tone on a consonant) makes it fail.
_SYLLABLE = re.compile(
    f"(?:{'|'.join(map(_both_cases, _INITIALS))})?"
    f"(?P<nucleus>[{_VOWELS}{_VOWELS.upper()}]{{1,3}})"
    f"(?:{'|'.join(map(_both_cases, _FINALS))})?"
)


def _tone_index(nucleus: str, closed: bool) -> int:
    """Position, inside the lower-case vowel nucleus, of the tone mark in the
    traditional ("old") style."""
    for i in range(len(nucleus) - 1, -1, -1):
        if nucleus[i] in _QUALITY_VOWELS:
            # â ê ô ă ơ ư carry the tone. The only nucleus with two of them
            # is "ươ" (người, trường), where the tone goes on ơ: the last one.
            return i
    if closed:
        # hoàn, toán, huỳnh: a final consonant pulls the tone to the last vowel.
        return len(nucleus) - 1
    # Open syllable: a, hòa / thúy / khỏe / mía / của / túi, ngoài / khuỷu.
    return (len(nucleus) - 1) // 2


def normalize_tone_placement(word: str) -> str:
    """Put the tone mark of one Vietnamese syllable on its canonical vowel.

    The same syllable can be typed with the tone on different vowels
    ("hoà"/"hòa", "thuý"/"thúy", "khoẻ"/"khỏe", "qúy"/"quý"); this rewrites it
    in the traditional style (quality vowel â ê ô ă ơ ư first; else the last
    vowel of a closed syllable; else the first of two / middle of three vowels
    of an open syllable). Case of every letter is kept; output is NFC.

    Anything that is not a single Vietnamese syllable with exactly one tone
    mark (no tone, two tones, no vowel, foreign letters) is returned unchanged,
    only NFC-normalised.

    >>> normalize_tone_placement("Thuý"), normalize_tone_placement("HOÀ")
    ('Thúy', 'HÒA')
    """
    nfc = unicodedata.normalize("NFC", word)
    toned = _TONED_VOWEL.findall(nfc)
    if len(toned) != 1:
        return nfc
    vowel, tone = _SPLIT_TONE[toned[0]]
    base = nfc.replace(toned[0], vowel)
    syllable = _SYLLABLE.fullmatch(base)
    if syllable is None:
        return nfc
    closed = syllable.end("nucleus") < len(base)
    at = syllable.start("nucleus") + _tone_index(syllable["nucleus"].lower(), closed)
    return base[:at] + _ADD_TONE[base[at], tone] + base[at + 1 :]


# --------------------------------------------------------------------------
# normalize_name / normalize_address / normalize_series
# --------------------------------------------------------------------------

# A word whose tone may need moving. A word is a run of letters; a tone can
# only move inside a run of two or more vowels, so only a word with a toned
# vowel next to another vowel can change (all others are left as they are,
# which is what normalize_tone_placement would return for them). The lazy
# prefix finds that pair from the start of the word; the look-arounds keep
# whole words only and skip any word holding a combining mark that did not
# compose (a second tone, say), which is not a clean syllable. One regex
# pass instead of a Python call per word keeps normalize_series fast.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_L = r"[^\W\d_]"  # a letter
_TONED = f"[{_TONED_CHARS}]"
_ANY_VOWEL = f"[{_VOWELS}{_VOWELS.upper()}{_TONED_CHARS}]"
_MOVABLE_WORD = re.compile(
    f"(?<!{_L})(?<![{_MARKS}])"
    f"{_L}*?(?:{_ANY_VOWEL}{_TONED}|{_TONED}{_ANY_VOWEL}){_L}*"
    f"(?!{_L})(?![{_MARKS}])"
)


def _retone(match: re.Match) -> str:
    return normalize_tone_placement(match.group())


def normalize_name(s: object) -> str:
    """Name as an identity key: clean, lower case, canonical tone placement.

    >>> normalize_name("  NGUYỄN  Thị   Hoà ")
    'nguyễn thị hòa'
    """
    # lower() can leave a string that is no longer NFC (rare letters only);
    # normalise again so that equal names are equal code point by code point.
    text = unicodedata.normalize("NFC", clean_text(s).lower())
    return _MOVABLE_WORD.sub(_retone, text)


# Punctuation spacing for addresses. normalize_name leaves single spaces
# only, and every step below keeps it so; each step also keeps what the
# earlier ones produced, so the whole is idempotent. The cheap "in" tests
# skip the regex scans that most addresses do not need.
_DASHES = "-\u2010-\u2015\u2212"  # hyphen, en dash, em dash and look-alikes
_DASH = re.compile(f"[{_DASHES}]")
_DASH_RUN = re.compile(f" ?[{_DASHES}](?: ?[{_DASHES}])* ?")  # "a – b", "a--b" -> "a - b"
_SEPARATOR = re.compile(r"([,;:])(?=[^ ,.;:)])")  # "a,b" -> "a, b"
# A dot before a letter ("tp.nha trang"), or between a letter and a digit
# ("p.5"), ends an abbreviation and gets a space; "1.5" and "01.02" are kept.
_ABBREVIATION_DOT = re.compile(r"\.(?=[^\W\d_])|(?<=[^\W\d_])\.(?=\d)")
_OPEN_PAREN = re.compile(r"(?<=[^ (])\(")  # "a(b" -> "a (b"
_EDGE_PUNCTUATION = " .,;:-"


def normalize_address(s: object) -> str:
    """Address as an identity key: as normalize_name, plus punctuation spacing.

    No space before , . ; : ); one space after , ; : and after an
    abbreviation's "."; one space before "(" and none after it; any dash
    (or run of dashes) becomes " - "; punctuation at both ends is dropped.
    Words are never expanded or removed.

    >>> normalize_address("Thôn 1 ,Xã Vĩnh Lương,  TP.Nha Trang.")
    'thôn 1, xã vĩnh lương, tp. nha trang'
    """
    return _address_punctuation(normalize_name(s))


def _address_punctuation(text: str) -> str:
    """The punctuation spacing of :func:`normalize_address`, on a text already through normalize_name."""
    if _DASH.search(text):
        text = _DASH_RUN.sub(" - ", text)
    for mark in ",.;:)":
        text = text.replace(" " + mark, mark)  # "a , b" -> "a, b"
    text = text.replace("( ", "(")  # "( a" -> "(a"
    text = _SEPARATOR.sub(r"\1 ", text)
    if "." in text:
        text = _ABBREVIATION_DOT.sub(". ", text)
    if "(" in text:
        text = _OPEN_PAREN.sub(" (", text)
    return text.strip(_EDGE_PUNCTUATION)


_NORMALIZERS = {"name": normalize_name, "address": normalize_address}


def normalize_series(values: pd.Series, kind: str) -> pd.Series:
    """Normalise a whole column (kind "name" or "address"); missing -> "".

    Each distinct value is normalised once and the results are mapped back,
    so the cost follows the number of distinct values, not of rows.

    >>> normalize_series(pd.Series(["Hoà", None, "HÒA"]), "name").tolist()
    ['hòa', '', 'hòa']
    """
    codes, keys = normalized_codes(values, kind)
    return pd.Series(keys.take(codes), index=values.index, dtype=object)


def normalized_codes(values: pd.Series, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """A column normalised as codes: ``(codes, keys)`` with ``keys[codes]`` equal to
    :func:`normalize_series` (``keys``: the distinct normalised values, object array).

    Equal normalised values share one code, so callers can compare rows by
    code without building the text of every row.
    """
    codes, keys = normalized_arrow_codes(values, kind)
    return codes, np.asarray(keys.to_numpy(zero_copy_only=False), dtype=object)


def normalized_arrow_codes(values: pd.Series, kind: str) -> tuple[np.ndarray, pa.Array]:
    """As :func:`normalized_codes`, with the distinct normalised values as a pyarrow string array."""
    if kind not in _NORMALIZERS:
        raise ValueError(f"kind must be 'name' or 'address', not {kind!r}")
    raw_codes, uniques = distinct_values(values)
    if is_arrow_text(uniques):
        normalized = _normalize_text(arrow_text(uniques), kind)
    else:
        normalized = pa.array(normalize_distinct(uniques.to_numpy(dtype=object), kind), type=pa.large_string())
    # Missing values get code -1, which numpy's take reads as the last
    # element: the "" appended after the normalised uniques.
    encoded = pc.dictionary_encode(pa.concat_arrays([normalized, pa.array([""], type=pa.large_string())]))
    key_codes = encoded.indices.to_numpy().astype(np.int64)
    return key_codes.take(raw_codes), encoded.dictionary


# The characters clean_text replaces or removes (every character but the
# plain space that is whitespace, a control, invisible, or a look-alike of Đ),
# as one RE2 class for pyarrow.
_CLEAN_CHARS_RE2 = "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(_CLEAN_TABLE)) + "]"
_SPACE = pa.scalar(" ", pa.large_string())


def normalize_distinct(values, kind: str) -> np.ndarray:
    """``normalize_name`` / ``normalize_address`` of each of a few distinct values (object array).

    Text values go through :func:`_normalize_text` (vectorised); other values
    (numbers, dates in an object column) one by one.
    """
    normalize = _NORMALIZERS[kind]
    values = np.asarray(values, dtype=object)
    out = np.empty(len(values), dtype=object)
    is_text = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
    if is_text.any():
        out[is_text] = _normalize_text(pa.array(values[is_text], type=pa.large_string()), kind).to_pylist()
    rest = np.flatnonzero(~is_text)
    out[rest] = [normalize(v) for v in values[rest]]
    return out


def _normalize_text(text: pa.Array, kind: str) -> pa.Array:
    """``normalize_name`` / ``normalize_address`` of each text of a pyarrow string array (no nulls).

    The common case is vectorised: a text without any character that
    :func:`clean_text` replaces or removes is split at its spaces, and each
    *distinct word* of the whole batch is normalised once. This equals
    normalising the whole text, because every step is local to a word: the
    cleaning only collapses the spaces; lower case, NFC and the tone rule
    never look across a space (a space is neither a letter, a combining mark,
    cased nor case-ignorable). The address punctuation rules span words and
    run per distinct text on the joined result. Other texts (invisible
    characters, odd spaces, …) take the plain per-value path.
    """
    normalize = _NORMALIZERS[kind]
    odd = pc.match_substring_regex(text, _CLEAN_CHARS_RE2).to_numpy(zero_copy_only=False)
    plain = _normalize_words(text.filter(pa.array(~odd)))
    if kind == "address":
        plain = _address_punctuation_all(plain)
    return _interleave(odd, plain, _each(normalize, text.filter(pa.array(odd))))


def _each(function, text: pa.Array) -> pa.Array:
    """``function`` (text -> text) applied in Python to each text."""
    return pa.array([function(t) for t in text.to_pylist()], type=pa.large_string())


def _interleave(mask: np.ndarray, kept: pa.Array, changed: pa.Array) -> pa.Array:
    """One array: the texts of ``changed`` where ``mask`` is true, those of ``kept`` elsewhere (each in order)."""
    if not mask.any():
        return kept
    if mask.all():
        return changed
    order = np.empty(len(mask), dtype=np.int64)
    order[~mask] = np.arange(len(kept))
    order[mask] = len(kept) + np.arange(len(changed))
    return pa.concat_arrays([kept, changed]).take(pa.array(order))


# An address that none of the punctuation rules changes: no dash, no space before , . ; : ), no
# "( ", every , ; : followed by a space, another mark or the end, no "." or "(" (whose rules need
# the look-arounds), no punctuation at either end. RE2 finds the others; only they go through Python.
_PUNCTUATION_TO_FIX = (f"[{_DASHES}]| [,.;:)]|\\( |[,;:][^ ,.;:)]|[.(]"
                       f"|^[{re.escape(_EDGE_PUNCTUATION)}]|[{re.escape(_EDGE_PUNCTUATION)}]$")


def _address_punctuation_all(text: pa.Array) -> pa.Array:
    """:func:`_address_punctuation` of each text (no nulls), in Python only for texts it may change."""
    fix = pc.match_substring_regex(text, _PUNCTUATION_TO_FIX).to_numpy(zero_copy_only=False)
    if not fix.any():
        return text
    return _interleave(fix, text.filter(pa.array(~fix)), _each(_address_punctuation, text.filter(pa.array(fix))))


def _normalize_words(text: pa.Array) -> pa.Array:
    """``normalize_name`` of texts holding none of the characters clean_text changes, word by word."""
    if pc.any(pc.match_substring(text, "  ")).as_py() or pc.any(pc.starts_with(text, " ")).as_py() \
            or pc.any(pc.ends_with(text, " ")).as_py():
        text = pc.utf8_trim(pc.replace_substring_regex(text, " {2,}", " "), " ")
    words = pc.split_pattern(text, " ")
    encoded = pc.dictionary_encode(pc.list_flatten(words))
    normalized = _each(normalize_name, encoded.dictionary).take(encoded.indices)
    rebuilt = (pa.LargeListArray if pa.types.is_large_list(words.type) else pa.ListArray).from_arrays(
        words.offsets, normalized)
    return pc.binary_join(rebuilt, _SPACE)
