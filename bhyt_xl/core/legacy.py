"""Legacy Vietnamese encodings (TCVN3/ABC and VNI) in cells, converted to Unicode.

Old lists were typed with 8-bit fonts. Read from a workbook, such a cell holds
the font's code points as Latin-1 characters:

* **TCVN3** (TCVN 5712:1993 VN3, the ".VnTime" / ".VnArial" fonts): one
  character per precomposed letter, ``"NguyÔn ThÞ Hoµ"`` = "Nguyễn Thị Hoà".
  VN3 has no upper-case toned letters: capitals were drawn by the ".VnTimeH"
  fonts from the lower-case codes, so ``"NGUYÔN"`` means "NGUYỄN". Upper case
  is therefore restored from the surrounding letters (see :func:`decode_tcvn3`).
* **VNI** (the "VNI-Times" fonts): a base letter followed by a mark character,
  ``"Nguyeãn Thò Hoaø"`` = "Nguyễn Thị Hoà"; đ ơ ư and the i-family (ì í ỉ ĩ
  ị) and ỵ are single characters.

The tables below are the whole mapping; both are built from rules (tone x
vowel) and checked letter by letter in ``tests/test_legacy.py``, over the
whole alphabet, against independent references (xvnkb's ``vni.h``; viparse
0.1.31 when installed, as a test oracle only).

Detection is by content, per distinct value (:func:`classify_values`):

* a value holding any letter that only Unicode has (ă đ ơ ư ĩ ũ, the
  U+1EA0-U+1EF9 block, combining tone marks) is Unicode and is never touched;
* a value of plain ASCII needs no conversion;
* any other value (Latin-1 letters and symbols only) is read three ways, as it
  is, as TCVN3 and as VNI; the reading with the fewest words that are not
  Vietnamese syllables wins, and a tie keeps the value as it is. So "Hòa" (a
  real Unicode word) stays, while "Hoµ" (µ is no letter) and "Hoaø" (no
  syllable ends in "aø") are legacy.

Conversion must run on the cells as read, **before** :func:`bhyt_xl.core.text.clean_text`:
that function removes the soft hyphen (TCVN3 "ư") and turns "Ð" (TCVN3 "é")
into "Đ". Nothing here modifies its input.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TCVN3 = "TCVN3"
VNI = "VNI"
ENCODINGS = (TCVN3, VNI)

# Vietnamese vowels and the five tones, in the order used by the tables:
# huyền (grave), sắc (acute), hỏi (hook), ngã (tilde), nặng (dot below).
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _toned(vowel: str, tone: int) -> str:
    """'â', 2 -> 'ẩ' (tone index into _TONES; -1 = no tone)."""
    return vowel if tone < 0 else unicodedata.normalize("NFC", vowel + _TONES[tone])


# ---------------------------------------------------------------------------
# TCVN3 (VN3): one Latin-1 code point per letter.
# ---------------------------------------------------------------------------
#: Per vowel: its own code, then its five toned forms (grave, acute, hook, tilde, dot).
_TCVN3_VOWELS = {
    "a": ("a", "µ", "¸", "¶", "·", "¹"),
    "ă": ("¨", "»", "¾", "¼", "½", "Æ"),
    "â": ("©", "Ç", "Ê", "È", "É", "Ë"),
    "e": ("e", "Ì", "Ð", "Î", "Ï", "Ñ"),
    "ê": ("ª", "Ò", "Õ", "Ó", "Ô", "Ö"),
    "i": ("i", "×", "Ý", "Ø", "Ü", "Þ"),
    "o": ("o", "ß", "ã", "á", "â", "ä"),
    "ô": ("«", "å", "è", "æ", "ç", "é"),
    "ơ": ("¬", "ê", "í", "ë", "ì", "î"),
    "u": ("u", "ï", "ó", "ñ", "ò", "ô"),
    "ư": ("\u00ad", "õ", "ø", "ö", "÷", "ù"),
    "y": ("y", "ú", "ý", "û", "ü", "þ"),
}
#: Capitals VN3 does have: the seven letters without a tone that are not ASCII.
_TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

#: TCVN3 code point -> Unicode letter (lower case except the seven capitals).
TCVN3_TABLE: dict[str, str] = {"®": "đ", **{code: letter for letter, code in _TCVN3_CAPITALS.items()}}
for _vowel, _codes in _TCVN3_VOWELS.items():
    for _tone, _code in enumerate(_codes):
        if not _code.isascii():
            TCVN3_TABLE[_code] = _toned(_vowel, _tone - 1)
_TCVN3_DECODE = str.maketrans(TCVN3_TABLE)
_TCVN3_ENCODE = str.maketrans({u: c for c, u in TCVN3_TABLE.items()})
#: Codes that stand for a lower-case letter only (their capital is drawn by the "H" fonts).
_TCVN3_LOWER_ONLY = frozenset(c for c, u in TCVN3_TABLE.items() if u.islower())
_TCVN3_CAPITAL_CODES = frozenset(_TCVN3_CAPITALS.values())

# ---------------------------------------------------------------------------
# VNI: base letter + mark character; a few letters are single characters.
# ---------------------------------------------------------------------------
_VNI_TONE_MARKS = ("ø", "ù", "û", "õ", "ï")  # after a e o u y and after ô (ơ), ö (ư)
_VNI_CIRCUMFLEX_TONES = ("à", "á", "å", "ã", "ä")  # after a e o: â ê ô with a tone
_VNI_BREVE_TONES = ("è", "é", "ú", "ü", "ë")  # after a: ă with a tone
_VNI_SINGLE = {"ñ": "đ", "ô": "ơ", "ö": "ư", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _vni_entries() -> list[tuple[str, str]]:
    """(VNI sequence, Unicode letter) in lower case, canonical forms first."""
    out: list[tuple[str, str]] = [(k, v) for k, v in _VNI_SINGLE.items()]
    for base, letter in (("a", "a"), ("e", "e"), ("o", "o"), ("u", "u"), ("y", "y"), ("ô", "ơ"), ("ö", "ư")):
        for tone, mark in enumerate(_VNI_TONE_MARKS):
            if (base, tone) != ("y", 4):  # ỵ is the single character "î"
                out.append((base + mark, _toned(letter, tone)))
    for base, letter in (("a", "â"), ("e", "ê"), ("o", "ô")):
        out.append((base + "â", letter))
        out += [(base + mark, _toned(letter, t)) for t, mark in enumerate(_VNI_CIRCUMFLEX_TONES)]
    out.append(("aê", "ă"))
    out += [("a" + mark, _toned("ă", t)) for t, mark in enumerate(_VNI_BREVE_TONES)]
    return out


_VNI_CANONICAL = _vni_entries()
#: Accepted on reading only (never written): "yï" for ỵ, and i + tone mark
#: (VNI writes the i-family as single characters, but some texts have these).
_VNI_VARIANTS = [("yï", "ỵ")] + [("i" + m, _toned("i", t)) for t, m in enumerate(_VNI_TONE_MARKS)]

#: VNI sequence -> Unicode letter. Upper case: base and mark both upper case
#: ("AÙ" = Á), or an upper-case base before a lower-case mark ("Aù" = Á).
VNI_TABLE: dict[str, str] = {}
for _seq, _letter in _VNI_CANONICAL + _VNI_VARIANTS:
    VNI_TABLE.setdefault(_seq, _letter)
    VNI_TABLE.setdefault(_seq.upper(), _letter.upper())
    if len(_seq) == 2:
        VNI_TABLE.setdefault(_seq[0].upper() + _seq[1], _letter.upper())
_VNI_PATTERN = re.compile("|".join(re.escape(s) for s in sorted(VNI_TABLE, key=len, reverse=True)))
_VNI_ENCODE = str.maketrans(
    {u: s for s, u in _VNI_CANONICAL} | {u.upper(): s.upper() for s, u in _VNI_CANONICAL}
)

# ---------------------------------------------------------------------------
# Decoders and encoders (one value)
# ---------------------------------------------------------------------------
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~\u2010-\u2015]+")  # letters and legacy symbols


def decode_tcvn3(text: str) -> str:
    """TCVN3 text as read -> Unicode NFC, with capitals restored.

    VN3 has no toned capitals, so: a value whose other letters are all upper
    case, with at least one word of two such letters ("NGUYÔN V¡N"), is
    upper-cased; a word starting with a toned letter takes the case of the
    last word before it that starts with a plain letter ("NguyÔn ThÞ ¸nh" ->
    "Ánh", "Ninh Ých" -> "Ích"), or, as the first word, the case of most
    words. A value with no such context ("¸nh" alone) stays lower case.

    >>> decode_tcvn3("NguyÔn ThÞ Hoµ, x· T©n Phó")
    'Nguyễn Thị Hoà, xã Tân Phú'
    """
    out = text.translate(_TCVN3_DECODE)  # one code point -> one code point
    words = list(_WORD.finditer(text))
    cased = [[ch for ch in w.group() if (ch.isascii() and ch.isalpha()) or ch in _TCVN3_CAPITAL_CODES]
             for w in words]
    letters = [ch for c in cased for ch in c]
    if any(len(c) >= 2 for c in cased) and all(ch.isupper() or ch in _TCVN3_CAPITAL_CODES for ch in letters):
        return unicodedata.normalize("NFC", out.upper())  # "NGUYÔN V¡N" -> "NGUYỄN VĂN"
    # a word starting with a toned letter takes the case of the last cased word
    # before it ("Ninh Ých" -> "Ninh Ích"); as the first word, the case of most words
    first = [w.group()[0] for w in words]
    cased_first = [ch.isupper() or ch in _TCVN3_CAPITAL_CODES for ch in first
                   if (ch.isascii() and ch.isalpha()) or ch in _TCVN3_CAPITAL_CODES]
    if cased_first and any(ch in _TCVN3_LOWER_ONLY for ch in first):
        last_upper = 2 * sum(cased_first) >= len(cased_first)
        chars = list(out)
        for w, ch in zip(words, first):
            if ch in _TCVN3_LOWER_ONLY:
                if last_upper:
                    chars[w.start()] = chars[w.start()].upper()
            elif (ch.isascii() and ch.isalpha()) or ch in _TCVN3_CAPITAL_CODES:
                last_upper = ch.isupper() or ch in _TCVN3_CAPITAL_CODES
        out = "".join(chars)
    return unicodedata.normalize("NFC", out)


def decode_vni(text: str) -> str:
    """VNI text as read -> Unicode NFC.

    >>> decode_vni("Nguyeãn Thò Hoaø, xaõ Taân Phuù")
    'Nguyễn Thị Hoà, xã Tân Phú'
    """
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: VNI_TABLE[m.group()], text))


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as a .VnTime cell would hold it (toned capitals become lower-case codes)."""
    nfc = unicodedata.normalize("NFC", text)
    lowered = "".join(ch.lower() if ch.lower() in _TCVN3_ENCODE_LOWER else ch for ch in nfc)
    return lowered.translate(_TCVN3_ENCODE)


_TCVN3_ENCODE_LOWER = frozenset(TCVN3_TABLE[c] for c in _TCVN3_LOWER_ONLY) - {"ă", "â", "ê", "ô", "ơ", "ư", "đ"}


def encode_vni(text: str) -> str:
    """Unicode -> VNI as a VNI-Times cell would hold it."""
    return unicodedata.normalize("NFC", text).translate(_VNI_ENCODE)


DECODERS = {TCVN3: decode_tcvn3, VNI: decode_vni}
ENCODERS = {TCVN3: encode_tcvn3, VNI: encode_vni}

# ---------------------------------------------------------------------------
# Is it Vietnamese? (syllable shape, used to choose between readings)
# ---------------------------------------------------------------------------
#: Letters only Unicode has: a value holding one of them is Unicode text.
_UNICODE_ONLY = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
_LATIN1_HIGH = re.compile("[\u0080-\u00ff]")

_BASE_OF = {}
for _v in "aăâeêioôơuưy":
    for _t in range(5):
        _BASE_OF[_toned(_v, _t)] = _v
_TONED_LOWER = frozenset(_BASE_OF)
_STRIP_TONE = str.maketrans(_BASE_OF)
_NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "iê", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "iêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu"]
_SYLLABLE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    f"(?:{'|'.join(sorted(_NUCLEI, key=len, reverse=True))})"
    "(?:ch|ng|nh|[cmnpt])?"
)


def _is_syllable(word: str) -> bool:
    w = unicodedata.normalize("NFC", word.lower().replace("ð", "đ"))
    if sum(ch in _TONED_LOWER for ch in w) > 1:
        return False
    return _SYLLABLE.fullmatch(w.translate(_STRIP_TONE)) is not None


def _bad_words(text: str) -> int:
    """Words of two or more characters that are not a Vietnamese syllable (ASCII-only words skipped)."""
    return sum(1 for w in _WORD.findall(text) if len(w) > 1 and not w.isascii() and not _is_syllable(w))


def non_syllables(text: str) -> int:
    """How many words of ``text`` (two letters or more, not ASCII) are not Vietnamese syllables: a reading's cost."""
    return _bad_words(text)


PLAIN = "plain"  # nothing to convert (ASCII, or not text)
UNICODE = "unicode"  # already Unicode: never converted
AMBIGUOUS = "ambiguous"  # Latin-1 text that reads as Vietnamese both as it is and as legacy


def _classify_one(value: str) -> str:
    if _UNICODE_ONLY.search(value):
        return UNICODE
    if not _LATIN1_HIGH.search(value):
        return PLAIN
    as_is = _bad_words(value)
    t = _bad_words(decode_tcvn3(value))
    v = _bad_words(decode_vni(value))
    best = min(t, v)
    if best < as_is:
        if t == v:
            return AMBIGUOUS  # both legacy readings equally good: the column decides
        return TCVN3 if t < v else VNI
    if best == as_is:
        return AMBIGUOUS
    return UNICODE


_IS_NON_ASCII_STR = np.frompyfunc(lambda v: isinstance(v, str) and not v.isascii(), 1, 1)


def _uniques(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per value, distinct values) of the text values; numbers, dates and
    blanks get code -1. In an object column only non-ASCII text is kept (only
    it can be legacy), so a column of dates costs one pass.
    """
    codes = np.full(len(values), -1, dtype=np.intp)
    if isinstance(values.dtype, pd.StringDtype):  # Arrow strings: factorising is cheap, ASCII values stay "plain"
        c, uniques = pd.factorize(values, use_na_sentinel=True)
        return np.asarray(c, dtype=np.intp), pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    if values.dtype == object and len(values):
        mask = _IS_NON_ASCII_STR(values.to_numpy(dtype=object)).astype(bool)
    else:
        return codes, pd.Series([], dtype=object)
    if not mask.any():
        return codes, pd.Series([], dtype=object)
    c, uniques = pd.factorize(values.to_numpy(dtype=object)[mask], use_na_sentinel=True)
    codes[mask] = c
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype=object)


_CANDIDATE = "candidate"  # Latin-1 text not (yet) read three ways
_SAMPLE = 2000  # values read three ways to detect a column (all of them only for a mixed column)


def classify_values(values: pd.Series) -> pd.Series:
    """Per value: "TCVN3", "VNI", "unicode", "plain" or "ambiguous" (see the module docstring).

    Each distinct value is looked at once; only values made of ASCII and
    Latin-1 characters (no Unicode-only letter) are read in three ways.
    """
    codes, uniques = _uniques(values)
    table = np.append(_classify_uniques(uniques), PLAIN)  # every value read
    return pd.Series(table[codes], index=values.index, dtype=object)


def _classify_uniques(uniques: pd.Series, sample: int | None = None) -> np.ndarray:
    """Class of each distinct value. With ``sample``, at most that many of the
    Latin-1 values (evenly spread) are read three ways; the others stay
    "candidate"."""
    out = np.full(len(uniques), PLAIN, dtype=object)
    is_str = uniques.map(type).eq(str).to_numpy() if len(uniques) else np.zeros(0, dtype=bool)
    if not is_str.any():
        return out
    text = uniques[is_str].astype("str")
    unicode = text.str.contains(_UNICODE_ONLY.pattern).to_numpy(dtype=bool)
    high = text.str.contains(_LATIN1_HIGH.pattern).to_numpy(dtype=bool)
    cls = np.where(unicode, UNICODE, np.where(high, _CANDIDATE, PLAIN)).astype(object)
    check = np.flatnonzero(cls == _CANDIDATE)
    if sample is not None and len(check) > sample:
        check = check[np.linspace(0, len(check) - 1, sample).astype(np.int64)]
    values = text.to_numpy(dtype=object)
    cls[check] = [_classify_one(v) for v in values[check]]
    out[is_str] = cls
    return out


def _column_encoding(classes: np.ndarray) -> str | None:
    n_t = int((classes == TCVN3).sum())
    n_v = int((classes == VNI).sum())
    if n_t + n_v == 0:
        return None
    return TCVN3 if n_t >= n_v else VNI


_LATIN1_ONLY_TEXT = "^[\u0000-\u00ff]*[\u0080-\u00ff][\u0000-\u00ff]*$"


def legacy_candidates(values: pd.Series) -> np.ndarray:
    """Mask of the values that could be legacy text: Latin-1 letters or symbols, no Unicode-only letter.

    One vectorised pass (RE2 for Arrow strings). :func:`detect_legacy` on the
    candidates alone gives the column's answer: no other value is ever read
    as legacy.
    """
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
        text = values if isinstance(values.dtype, pd.StringDtype) else values.where(values.map(type) == str)
        # every character Latin-1 (no Unicode-only letter or combining mark: all are above U+00FF), one not ASCII
        arrow = pa.array(text.astype("str").array)  # the Arrow data itself (RE2 straight, no pandas pattern check)
        hit = pc.match_substring_regex(arrow, _LATIN1_ONLY_TEXT)
        return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
    return np.zeros(len(values), dtype=bool)


def detect_legacy(values: pd.Series) -> str | None:
    """"TCVN3", "VNI" or None for a column, from the contents of its distinct values.

    A column is legacy when at least one of its values reads as Vietnamese only
    in a legacy encoding; the encoding read by more values wins. A column of
    Unicode Vietnamese is never legacy (its values hold Unicode-only letters,
    or read as Vietnamese as they are). At most 2,000 of the distinct Latin-1
    values are read three ways for this. Conversion is then per value
    (:func:`to_unicode`), so Unicode cells of a mixed column stay as they are.

    >>> detect_legacy(pd.Series(["NguyÔn V¨n An", "TrÇn ThÞ B×nh"]))
    'TCVN3'
    """
    _, uniques = _uniques(values)
    return _column_encoding(_classify_uniques(uniques, sample=_SAMPLE))


def to_unicode(values: pd.Series, encoding: str) -> pd.Series:
    """Convert the legacy values of a column to Unicode NFC; returns a new Series.

    Converted: the values that read as ``encoding`` only, and the ambiguous ones
    (Latin-1 text that reads as Vietnamese either way) unless the column has
    more Unicode values than ``encoding`` values. Unicode, ASCII and non-text
    values come back unchanged. Each distinct value is converted once; a
    column with no Unicode value at all is converted without reading every
    value three ways.
    """
    if encoding not in DECODERS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, not {encoding!r}")
    codes, uniques = _uniques(values)
    return _convert(values, codes, uniques, _classify_uniques(uniques, sample=_SAMPLE), encoding)


def _convert(values, codes, uniques, classes, encoding) -> pd.Series:
    """Convert; ``classes`` may come from a sample. A column with no Unicode
    value and no value of another encoding in the sample converts all its
    Latin-1 values; any other column is read value by value."""
    other = set(ENCODINGS) - {encoding}
    pure = not ((classes == UNICODE).any() or np.isin(classes, list(other)).any())
    if pure:
        classes = np.where(classes == _CANDIDATE, encoding, classes)
    elif (classes == _CANDIDATE).any():
        classes = _classify_uniques(uniques)
    n_enc = int((classes == encoding).sum())
    n_uni = int((classes == UNICODE).sum())
    convert = (classes == encoding) | ((classes == AMBIGUOUS) & (n_uni <= n_enc))
    if not convert.any():
        return values.copy()
    decode = DECODERS[encoding]
    new = uniques.to_numpy(dtype=object).copy()
    new[convert] = [decode(s) for s in new[convert]]
    out = values.astype(object).copy()
    hit = np.isin(codes, np.flatnonzero(convert))
    out[hit] = new[codes[hit]]
    return out


def convert_legacy_columns(frame: pd.DataFrame, columns=None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Detect and convert legacy-encoded text columns; returns ``(copy, report)``.

    ``columns``: the column labels to look at (default: every column of text
    or mixed values). ``report`` maps each converted column to its encoding,
    for the "Tham số"/log note ("Cột Họ và tên: chuyển từ TCVN3 sang Unicode").
    The input frame is never modified.
    """
    out = frame.copy()
    if columns is None:
        columns = [c for c in frame.columns
                   if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    report: dict[str, str] = {}
    for col in columns:
        values = frame[col]
        codes, uniques = _uniques(values)
        classes = _classify_uniques(uniques, sample=_SAMPLE)
        encoding = _column_encoding(classes)
        if encoding is None:
            continue
        out[col] = _convert(values, codes, uniques, classes, encoding)
        report[col] = encoding
    return out, report


def header_readings(text: object) -> list[str]:
    """A header cell as written, and as TCVN3 and VNI would read it, for header
    recognition of an old list ("Hä vµ tªn" -> "Họ và tên"). Unicode or ASCII
    text gives just itself.
    """
    s = "" if text is None else str(text)
    if _UNICODE_ONLY.search(s) or not _LATIN1_HIGH.search(s):
        return [s]
    return list(dict.fromkeys([s, decode_tcvn3(s), decode_vni(s)]))


def report_text(report: dict[str, str]) -> list[str]:
    """One Vietnamese sentence per converted column, for the result workbook."""
    return [f"Cột {col}: chữ mã {enc} đã được chuyển sang Unicode (tệp gốc không bị sửa)."
            for col, enc in report.items()]
