"""Vietnamese text normalisation, kept in one place.

Used for identity keys (names, addresses) and for recognising column headers.
"""

from __future__ import annotations

import re
import unicodedata

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
