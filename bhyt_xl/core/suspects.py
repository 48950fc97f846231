"""Suspected duplicates ("Nghi trùng"): cards whose people are probably the same
although their identity keys differ. A list for staff to check by hand.

The official review of Công văn 493 (:mod:`bhyt_xl.core.review`) matches the
letter's four fields exactly after normalisation, and it alone produces months
and money. This module never changes it. It proposes *pairs* of cards, with
overlapping validity and different identity keys, that look like one person
written two ways: a typo or a missing tone mark in the name, day and month of
birth swapped, the same address with or without "thôn/xã/huyện", the same Mã số
BHXH... Staff decide each pair ("Trùng" / "Không trùng"); confirmed pairs are
merged into one identity (:func:`confirmed_links`, :func:`apply_confirmed`) and
the official review is run again with the merged identities, so those cards
become duplicates with money. Rejected pairs are never proposed again.

The method is Splink's (style-notes §3), declared as data:

1. **Blocking rules** (:data:`BLOCKING_RULES`): cheap keys; only cards sharing
   the key of at least one rule are compared, never all pairs.
2. **Comparisons** (:data:`COMPARISONS`): per field, an ordered list of levels;
   the first level whose condition holds wins and adds its weight (a match
   weight in bits, log2 of a Bayes factor; hand-set, not trained).
   An equal name weighs less when many cards carry it (Splink's
   term-frequency adjustment, :class:`SuspectOptions`).
3. **Score** = 100 x probability = 100 / (1 + 2^-(prior + Σ weights)), 0-100.
   A pair is proposed when score >= ``SuspectOptions.threshold`` (80).

Cheap levels (integer codes) run first: a pair that cannot reach the threshold
whatever its strings (:func:`upper_bound`) gets no string similarity. String
similarity is rapidfuzz's (ratio, token_sort_ratio, token_set_ratio,
Levenshtein), computed in C once per distinct pair of strings. Nothing loops
over the list in Python; Python loops run over distinct values or over the
pairs shown. ``bench/suspects_bench.py``: 1,000,000 cards in about 10 s.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bhyt_xl.core.identity import birth_key, identity_keys
from bhyt_xl.core.review import effective_periods
from bhyt_xl.core.text import clean_text, fold_header, normalize_series
from bhyt_xl.params import Params

SHEET = "Nghi trùng"
CONFIRMED = "Trùng"
REJECTED = "Không trùng"
DECISIONS = (CONFIRMED, REJECTED)
_DECISION_OF = {fold_header(CONFIRMED): CONFIRMED, fold_header(REJECTED): REJECTED}

# ---------------------------------------------------------------------------
# Folding (no diacritics, spaces kept) and address parts
# ---------------------------------------------------------------------------
_FOLD_TABLE: dict[int, str] = {}
for _cp in range(0x00C0, 0x1EFA):
    _base = unicodedata.normalize("NFD", chr(_cp))[0]
    if _base != chr(_cp) and _base.isascii() and _base.isalpha():
        _FOLD_TABLE[_cp] = _base
_FOLD_TABLE.update({ord("đ"): "d", ord("Đ"): "D", ord("ð"): "d", ord("Ð"): "D"})
_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case, no diacritics (đ -> d), single spaces: "Nguyễn  Thị Hòa" -> "nguyen thi hoa"."""
    return " ".join(_COMBINING.sub("", text.translate(_FOLD_TABLE)).lower().split())


#: Words of an address that name a level of the administration rather than a
#: place ("thôn", "xã", "TP." ...), removed before the looser address levels.
ADMIN_WORDS = (
    "tổ dân phố", "khu phố", "thị trấn", "thị xã", "thành phố", "thôn", "xóm", "ấp", "tổ", "xã", "phường",
    "huyện", "quận", "tỉnh", "tdp", "kp", "tp", "tx", "tt", "h", "q", "p", "x",
)
_ADMIN = re.compile(r"\b(?:" + "|".join(re.escape(fold(w)) for w in ADMIN_WORDS) + r")\b")
_PUNCT = re.compile(r"[^\w ]+|_")
#: Where the commune starts: "xã", "phường", "thị trấn" (not "thị xã"), "P.", "X.", "TT".
_COMMUNE = re.compile(
    r"(?<![a-z0-9])(?<!thi )(?:xa|phuong|thi tran|p\.|x\.|tt\.?)(?![a-z0-9])\s*"
    r"([a-z0-9 ]+?)\s*(?=[,;()\-]|$|\b(?:huyen|quan|thanh pho|thi xa|tinh|tp|tx|h|q)\b)"
)


def strip_address(folded: str) -> str:
    """Folded address without punctuation and administrative words.

    e.g. "thon 1, xa vinh luong, tp. nha trang, khanh hoa" -> "1 vinh luong nha trang khanh hoa"
    """
    return " ".join(_ADMIN.sub(" ", _PUNCT.sub(" ", folded)).split())


def commune_of(folded: str) -> str:
    """The commune of a folded address: the words after "xã/phường/thị trấn" up
    to the next comma or district word; without such a word, the whole
    stripped address.

    e.g. "thon 1, xa vinh luong, tp. nha trang" -> "vinh luong"
    """
    m = _COMMUNE.search(folded)
    text = m.group(1) if m else folded
    return strip_address(text) or strip_address(folded)


# ---------------------------------------------------------------------------
# Rules as data
# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BlockingRule:
    """Cards that agree on every key (a column of :func:`suspect_features`) are
    compared; a missing key (code -1) never agrees."""

    name: str
    keys: tuple[str, ...]
    label: str  # Vietnamese, for the sheet and "Tham số"


BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("bhxh", ("bhxh",), "cùng mã số BHXH"),
    BlockingRule("card_digits", ("card_digits",), "cùng 10 số cuối mã thẻ"),
    BlockingRule("name_year", ("name_fold", "birth_year"), "cùng họ tên (không kể dấu) và năm sinh"),
    BlockingRule("name_commune", ("name_fold", "commune"), "cùng họ tên (không kể dấu) và xã/phường"),
    BlockingRule("dob_sex_given", ("birth_day", "sex", "given"), "cùng ngày sinh, giới tính và tên"),
    BlockingRule("dob_sex_surname_initial", ("birth_day", "sex", "surname", "given_first"),
                 "cùng ngày sinh, giới tính, họ và chữ cái đầu của tên"),
    BlockingRule("given_year_commune", ("given", "birth_year", "commune"), "cùng tên, năm sinh và xã/phường"),
)


@dataclasses.dataclass(frozen=True)
class Level:
    """One comparison level; the first level (in order) whose ``test`` holds wins.

    ``weight``: match weight in bits (log2 of how much likelier the values
    are for one person than for two), > 0 for, < 0 against;
    ``rule``: the condition in Vietnamese ("Tham số");
    ``label``: the difference shown in "Trường khác nhau" ("" = the values agree);
    ``agree``: text for "Căn cứ" when the level supports the match;
    ``fuzzy``: the test needs string similarity (run only for pairs that can
    still reach the threshold); ``tf``: the weight is lowered for common names.
    """

    name: str
    rule: str
    weight: float
    test: Callable[[_Pairs], np.ndarray]
    label: str = ""
    agree: str = ""
    fuzzy: bool = False
    tf: bool = False


@dataclasses.dataclass(frozen=True)
class Comparison:
    field: str
    header: str  # Vietnamese field name
    levels: tuple[Level, ...]


def _always(p: _Pairs) -> np.ndarray:
    return np.ones(p.n, dtype=bool)


def _name_typo(p: _Pairs) -> np.ndarray:
    """Names 90% alike; a different given name must keep its first letter and differ by one edit."""
    close_given = p.eq("given_first") & (p.sim("given", Levenshtein.distance, equal=0) <= 1)
    return (p.sim("name_fold", fuzz.ratio) >= 90) & (p.eq("given") | close_given)


NAME = Comparison("name", "Họ tên", (
    Level("exact", "giống hệt (sau chuẩn hóa)", 8.0, lambda p: p.eq("name"), agree="cùng họ tên", tf=True),
    Level("tone", "chỉ khác dấu (Hòa/Hoa, Phạm/Phậm)", 6.0, lambda p: p.eq("name_fold"), label="khác dấu",
          agree="họ tên chỉ khác dấu", tf=True),
    Level("typo", "gõ sai (giống ≥ 90%); nếu khác tên thì chỉ sai 1 chữ cái, không sai chữ cái đầu", 4.0,
          _name_typo, label="sai chính tả", fuzzy=True),
    Level("order", "đảo thứ tự các chữ (giống ≥ 95% khi xếp lại các chữ)", 4.0,
          lambda p: p.sim("name_fold", fuzz.token_sort_ratio) >= 95, label="đảo thứ tự tên", fuzzy=True),
    Level("middle", "cùng họ và tên, thiếu hoặc thừa tên đệm", 4.0,
          lambda p: p.eq("name_ends") & (p.sim("name_fold", fuzz.token_set_ratio) >= 100),
          label="thiếu/thừa tên đệm", fuzzy=True),
    Level("subset", "mọi chữ của họ tên này có trong họ tên kia", 1.0,
          lambda p: p.sim("name_fold", fuzz.token_set_ratio) >= 100, label="thiếu/thừa chữ", fuzzy=True),
    Level("else", "khác", -8.0, _always, label="khác"),
))

BIRTH = Comparison("birth", "Ngày sinh", (
    Level("missing", "một bên không có", 0.0, lambda p: p.either("birth_missing")),
    Level("exact", "cùng ngày sinh", 6.0, lambda p: p.eq("birth_day"), agree="cùng ngày sinh"),
    Level("exact_year", "cùng năm sinh, cả hai chỉ ghi năm", 2.0,
          lambda p: p.eq("birth_year") & p.both("year_only"), agree="cùng năm sinh"),
    Level("swapped", "đảo ngày và tháng (05/03 và 03/05)", 4.0, lambda p: p.birth_swapped(),
          label="đảo ngày/tháng"),
    Level("year_only", "một bên chỉ ghi năm sinh, cùng năm", 2.0,
          lambda p: p.eq("birth_year") & p.either("year_only"), label="một bên chỉ có năm sinh"),
    Level("day_typo", "cùng tháng, năm; ngày khác 1 chữ số", 0.0, lambda p: p.birth_day_typo(),
          label="sai ngày sinh"),
    Level("year_typo", "cùng ngày, tháng; năm sai chữ số cuối hoặc đảo 2 chữ số cuối", 1.0,
          lambda p: p.birth_year_typo(), label="sai năm sinh"),
    Level("same_year", "chỉ cùng năm sinh", -4.0, lambda p: p.eq("birth_year"), label="khác ngày sinh"),
    Level("else", "khác năm sinh", -8.0, _always, label="khác năm sinh"),
))

SEX = Comparison("sex", "Giới tính", (
    Level("missing", "một bên không có", 0.0, lambda p: p.either("sex_missing")),
    Level("exact", "cùng giới tính", 1.0, lambda p: p.eq("sex")),
    Level("else", "khác giới tính", -10.0, _always, label="khác"),
))

ADDRESS = Comparison("address", "Địa chỉ", (
    Level("missing", "một bên không có", 0.0, lambda p: p.either("address_missing")),
    Level("exact", "giống hệt (sau chuẩn hóa)", 4.0, lambda p: p.eq("address"), agree="cùng địa chỉ"),
    Level("stripped", "giống nhau khi bỏ dấu câu, dấu thanh và các chữ thôn/xóm/ấp/tổ/xã/phường/thị trấn/"
          "huyện/quận/thị xã/thành phố/tỉnh/TP/TX/TT/H/Q", 4.0, lambda p: p.eq("address_strip"),
          label="khác cách viết", agree="cùng địa chỉ (khác cách viết)"),
    Level("similar", "cùng xã/phường và phần còn lại giống ≥ 90% (thiếu thôn, thiếu tỉnh, gõ sai, tên cũ/mới)",
          2.0, lambda p: (p.sim("address_strip", fuzz.token_set_ratio) >= 90) & p.same_commune(),
          label="gần giống", agree="cùng xã/phường", fuzzy=True),
    Level("else", "khác", -2.0, _always, label="khác"),
))

BHXH = Comparison("bhxh", "Mã số BHXH", (
    Level("missing", "một bên không có", 0.0, lambda p: p.either("bhxh_missing")),
    Level("exact", "cùng mã số BHXH", 10.0, lambda p: p.eq("bhxh"), agree="cùng mã số BHXH"),
    Level("else", "khác mã số BHXH", -10.0, _always, label="khác"),
))

CARD = Comparison("card", "Mã thẻ", (
    Level("same_digits", "cùng 10 số cuối mã thẻ", 6.0, lambda p: p.eq("card_digits"),
          agree="cùng 10 số cuối mã thẻ"),
    Level("else", "khác 10 số cuối (bình thường khi thẻ do đơn vị khác lập)", 0.0, _always),
))

COMPARISONS: tuple[Comparison, ...] = (NAME, BIRTH, SEX, ADDRESS, BHXH, CARD)

#: Weight before any evidence: two cards that merely share a blocking key
#: belong to one person about once in 2^8 = 256 times.
PRIOR_WEIGHT = -8.0


@dataclasses.dataclass(frozen=True)
class SuspectOptions:
    """Options of :func:`find_suspects`.

    ``threshold``: minimum score (0-100) of a proposed pair (80 = match weight 2 bits).
    ``common_name_cards`` / ``common_name_max_penalty``: term-frequency
    adjustment (as Splink's): when N cards of the compared list carry the same
    name (without diacritics) and N > ``common_name_cards``, an equal name
    weighs log2(N / common_name_cards) bits less, at most the penalty. A name
    shared by 6,000 cards says less than a rare one.
    ``max_block_size``: a block (cards sharing one blocking key) larger than
    this is skipped and counted in ``result.attrs["skipped_blocks"]``; a
    placeholder BHXH number on thousands of rows would otherwise ask for
    millions of comparisons.
    ``include_decided``: also return the pairs staff already decided (decision
    filled in, whatever their score), so the sheet can be rewritten without
    losing decisions.
    """

    threshold: float = 80.0
    common_name_cards: int = 50
    common_name_max_penalty: float = 5.0
    max_block_size: int = 1000
    include_decided: bool = False
    blocking_rules: tuple[BlockingRule, ...] = BLOCKING_RULES
    comparisons: tuple[Comparison, ...] = COMPARISONS
    prior_weight: float = PRIOR_WEIGHT


#: Output columns -> Vietnamese headers of the "Nghi trùng" sheet (in sheet order).
SUSPECT_HEADERS = {
    "pair_id": "Mã cặp",
    "score": "Điểm nghi trùng (0-100)",
    "differences": "Trường khác nhau",
    "agreements": "Căn cứ",
    "src_row_a": "Dòng thẻ 1", "card_a": "Mã thẻ 1", "name_a": "Họ tên 1", "birth_a": "Ngày sinh 1",
    "sex_a": "Giới tính 1", "address_a": "Địa chỉ 1", "bhxh_a": "Mã số BHXH 1",
    "src_row_b": "Dòng thẻ 2", "card_b": "Mã thẻ 2", "name_b": "Họ tên 2", "birth_b": "Ngày sinh 2",
    "sex_b": "Giới tính 2", "address_b": "Địa chỉ 2", "bhxh_b": "Mã số BHXH 2",
    "overlap_from": "Trùng từ ngày", "overlap_to": "Trùng đến ngày",
    "decision": "Quyết định (Trùng / Không trùng)",
}
SUSPECT_COLUMNS = [
    "pair_id", "row_a", "row_b", "score", "match_weight", "differences", "agreements",
    "src_row_a", "card_a", "name_a", "birth_a", "sex_a", "address_a", "bhxh_a",
    "src_row_b", "card_b", "name_b", "birth_b", "sex_b", "address_b", "bhxh_b",
    "overlap_from", "overlap_to", "rules", "decision",
] + [f"{c.field}_level" for c in COMPARISONS]

SUSPECT_EXPLANATION = (
    "Sheet này liệt kê các cặp thẻ NGHI TRÙNG: hai thẻ có thời hạn sử dụng trùng nhau, thông tin nhận diện "
    "(họ tên, ngày sinh, giới tính, địa chỉ) không giống hệt nhau nên KHÔNG bị tính là cấp trùng theo Công văn "
    "493, nhưng có thể là của cùng một người do các đơn vị ghi thông tin hơi khác nhau. Danh sách này chỉ để "
    "cán bộ kiểm tra; nó không làm thay đổi kết quả rà soát, số tháng hay số tiền. Mỗi cặp có điểm từ 0 đến "
    "100 (càng cao càng giống); cột \"Trường khác nhau\" ghi rõ khác ở đâu, cột \"Căn cứ\" ghi những gì giống "
    "nhau. Cán bộ ghi \"Trùng\" hoặc \"Không trùng\" vào cột Quyết định rồi chạy lại rà soát: cặp \"Trùng\" "
    "được tính là một người (thẻ xếp sau thành thẻ cấp trùng, có số tháng và số tiền); cặp \"Không trùng\" "
    "không được đề xuất lại. Hai thẻ được coi là \"có thể của cùng một người\" khi:\n"
    "• cùng Mã số BHXH, hoặc cùng 10 chữ số cuối của mã thẻ (mã riêng của người tham gia);\n"
    "• họ tên chỉ khác dấu (Hòa/Hoa, Phạm/Phậm), gõ sai một chữ (Hạnh/Hạng, Huỳnh/Huình), đảo thứ tự tên "
    "đệm (Thị Thu/Thu Thị) hoặc thiếu tên đệm;\n"
    "• ngày sinh đảo ngày với tháng (05/03/1960 và 03/05/1960), một bên chỉ ghi năm sinh cùng năm với ngày "
    "sinh đầy đủ của bên kia, hoặc sai một chữ số;\n"
    "• địa chỉ giống nhau khi có hoặc không có các chữ thôn, xóm, ấp, tổ, xã, phường, thị trấn, huyện, quận, "
    "thị xã, thành phố, tỉnh, khi viết tắt (TP., TX., TT, H., Q.), khi thiếu thôn hoặc tỉnh, hoặc khi dùng tên "
    "cũ/mới của đơn vị hành chính (huyện Ninh Hòa/thị xã Ninh Hòa, xã/phường Ninh Hiệp);\n"
    "• họ tên rất phổ biến (như Nguyễn Thị Anh, Nguyễn Văn Hùng) cần thêm bằng chứng (cùng địa chỉ, cùng "
    "ngày sinh) mới được đề xuất;\n"
    "• khác giới tính, khác Mã số BHXH (khi cả hai thẻ đều có) hoặc khác năm sinh làm điểm giảm mạnh: anh em "
    "sinh đôi khác tên, cha và con trùng tên cùng địa chỉ, những người trùng họ tên khác ngày sinh sẽ không bị "
    "đề xuất. Anh chị em sinh đôi có tên chỉ khác dấu (Thủy/Thúy) vẫn có thể được đề xuất: cán bộ ghi "
    "\"Không trùng\"."
)


# ---------------------------------------------------------------------------
# Features per card
# ---------------------------------------------------------------------------
@dataclasses.dataclass
class Features:
    """Per compared card: integer codes (-1 = missing) and booleans, as numpy arrays;
    for text features, ``texts[column]`` holds the distinct strings behind the codes."""

    cols: dict[str, np.ndarray]
    texts: dict[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __len__(self) -> int:
        return len(next(iter(self.cols.values()))) if self.cols else 0

    def frame(self) -> pd.DataFrame:
        """The features as a frame (codes replaced by their text where there is one), for inspection."""
        out = {}
        for k, v in self.cols.items():
            if k in self.texts:
                out[k] = np.append(self.texts[k], "")[v]
            else:
                out[k] = v
        return pd.DataFrame(out)


def _encode(values: list | np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values given per distinct input (``values[k]``), cards pointing at them by ``index``
    -> (codes per card, -1 where the value is ""; distinct non-empty values)."""
    arr = np.asarray(values, dtype=object)
    codes, uniq = pd.factorize(arr)
    uniq = np.asarray(uniq, dtype=object)
    empty = np.flatnonzero(uniq == "")
    if len(empty):
        e = int(empty[0])
        codes = np.where(codes == e, -1, np.where(codes > e, codes - 1, codes))
        uniq = np.delete(uniq, e)
    return codes[index] if len(index) else np.array([], dtype=np.int64), uniq


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct texts) of a column; a missing value gets the code of ""."""
    codes, uniq = pd.factorize(values)
    uniq = uniq.to_numpy(dtype=object) if hasattr(uniq, "to_numpy") else np.asarray(uniq, dtype=object)
    uniq = np.append(pd.Series(uniq, dtype=object).astype(str).to_numpy(dtype=object), "")
    return np.where(codes < 0, len(uniq) - 1, codes), uniq


def _norm_bhxh(values: np.ndarray) -> np.ndarray:
    """BHXH numbers: separators removed, upper case; all-digit numbers shorter than 10 zero-padded
    (Excel drops the leading zeros of a number)."""
    text = pd.Series(values, dtype="str").str.replace(r"[\s.\-_']", "", regex=True).str.upper()
    short = text.str.fullmatch(r"\d{1,9}")
    return text.where(~short, text.str.zfill(10)).to_numpy(dtype=object)


def suspect_features(cards: pd.DataFrame) -> Features:
    """Per card, the cheap keys and comparison inputs (arrays aligned with ``cards`` rows).

    Text work runs once per distinct name, address, BHXH or card number, and
    is mapped back by codes.
    """
    cols: dict[str, np.ndarray] = {}
    texts: dict[str, np.ndarray] = {}

    name_norm = normalize_series(cards["full_name"], "name").to_numpy(dtype=object)
    n_idx, n_uniq = pd.factorize(name_norm)
    n_uniq = np.asarray(n_uniq, dtype=object)
    n_fold = [fold(u) for u in n_uniq]
    n_words = [u.split(" ") for u in n_fold]
    given = [w[-1] for w in n_words]
    cols["name"], texts["name"] = _encode(list(n_uniq), n_idx)
    cols["name_fold"], texts["name_fold"] = _encode(n_fold, n_idx)
    cols["given"], texts["given"] = _encode(given, n_idx)
    cols["given_first"], _ = _encode([g[:1] for g in given], n_idx)
    cols["surname"], _ = _encode([w[0] for w in n_words], n_idx)
    cols["name_ends"], _ = _encode([f"{w[0]} {w[-1]}" if len(w) > 1 else "" for w in n_words], n_idx)
    fold_code = cols["name_fold"]
    counts = np.bincount(fold_code[fold_code >= 0], minlength=len(texts["name_fold"]))
    cols["name_count"] = np.where(fold_code >= 0, counts[np.maximum(fold_code, 0)] if len(counts) else 0, 0)

    addr_norm = normalize_series(cards["address"], "address").to_numpy(dtype=object)
    a_idx, a_uniq = pd.factorize(addr_norm)
    a_fold = [fold(u) for u in a_uniq]
    cols["address"], texts["address"] = _encode(list(a_uniq), a_idx)
    cols["address_strip"], texts["address_strip"] = _encode([strip_address(u) for u in a_fold], a_idx)
    cols["commune"], texts["commune"] = _encode([commune_of(u) for u in a_fold], a_idx)
    cols["address_missing"] = cols["address"] < 0

    day = cards["birth_date"].to_numpy().astype("datetime64[D]")
    missing = np.isnat(day)
    year_only = cards["birth_year_only"].fillna(False).to_numpy(dtype=bool) & ~missing
    cols["birth_missing"] = missing
    cols["year_only"] = year_only
    cols["birth_year"] = np.where(missing, -1, day.astype("datetime64[Y]").astype(np.int64) + 1970)
    cols["birth_month"] = np.where(missing, -1, day.astype("datetime64[M]").astype(np.int64) % 12 + 1)
    first_of_month = day.astype("datetime64[M]").astype("datetime64[D]")
    cols["birth_dom"] = np.where(missing, -1, (day - first_of_month).astype(np.int64) + 1)
    cols["birth_day"] = np.where(missing | year_only, -1, day.astype(np.int64) + 1_000_000)

    sex_idx, sex_uniq = _text_codes(cards["sex"])
    cols["sex"], _ = _encode([s.strip().lower() for s in sex_uniq], sex_idx)
    cols["sex_missing"] = cols["sex"] < 0

    if "bhxh_no" in cards:
        b_idx, b_uniq = _text_codes(cards["bhxh_no"])
        cols["bhxh"], texts["bhxh"] = _encode(_norm_bhxh(b_uniq), b_idx)
    else:
        cols["bhxh"], texts["bhxh"] = np.full(len(cards), -1, dtype=np.int64), np.array([], dtype=object)
    cols["bhxh_missing"] = cols["bhxh"] < 0

    c_idx, c_uniq = _text_codes(cards["card_no"])
    cols["card_digits"], _ = _encode([c[-10:] if len(c) >= 10 else "" for c in c_uniq], c_idx)
    return Features(cols, texts)


# ---------------------------------------------------------------------------
# Candidate pairs
# ---------------------------------------------------------------------------
def _combine(*codes: np.ndarray) -> np.ndarray:
    """One code per row for a tuple of codes; -1 when any part is -1 (missing)."""
    out = codes[0].astype(np.int64)
    missing = out < 0
    span = int(out.max(initial=0)) + 1
    for c in codes[1:]:
        missing |= c < 0
        width = int(c.max(initial=0)) + 2
        if span * width >= 2**62:  # keep the mixed radix inside int64
            out = pd.factorize(out)[0].astype(np.int64)
            span = int(out.max(initial=0)) + 1
        out = out * width + c + 1
        span *= width
    return np.where(missing, -1, out)


def _pairs_in_blocks(code: np.ndarray, max_size: int) -> tuple[np.ndarray, np.ndarray, int]:
    """All (i, j) of rows sharing a code >= 0 (each unordered pair once); plus the number of skipped blocks."""
    rows = np.flatnonzero(code >= 0)
    empty = np.array([], np.int64)
    if len(rows) < 2:
        return empty, empty, 0
    rows = rows[np.argsort(code[rows], kind="stable")]
    c = code[rows]
    start = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    size = np.diff(np.r_[start, len(c)])
    skipped = int((size > max_size).sum())
    keep = (size >= 2) & (size <= max_size)
    start, size = start[keep], size[keep]
    if not len(start):
        return empty, empty, skipped
    # element k of a block pairs with every element after it in the block
    elem_pos = np.repeat(start, size) + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    after = np.repeat(start + size, size) - elem_pos - 1
    left = np.repeat(elem_pos, after)
    right = left + 1 + (np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after))
    return rows[left], rows[right], skipped


def candidate_pairs(f: Features, person: np.ndarray, start: np.ndarray, end: np.ndarray,
                    options: SuspectOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Distinct pairs (a < b, positions in ``f``) found by any blocking rule, of
    different identities with overlapping validity; a bit mask of the rules
    that found each pair; the skipped blocks per rule."""
    n = len(f)
    keys, bits, skipped = [], [], {}
    for r, rule in enumerate(options.blocking_rules):
        code = _combine(*(f[k] for k in rule.keys))
        i, j, sk = _pairs_in_blocks(code, options.max_block_size)
        if sk:
            skipped[rule.name] = sk
        ok = (person[i] != person[j]) & (start[i] <= end[j]) & (start[j] <= end[i])
        i, j = i[ok], j[ok]
        keys.append(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j))
        bits.append(np.full(len(i), 1 << r, dtype=np.int64))
    k = np.concatenate(keys) if keys else np.array([], np.int64)
    b = np.concatenate(bits) if bits else np.array([], np.int64)
    if not len(k):
        return k, k, b, skipped
    order = np.argsort(k, kind="stable")
    k, b = k[order], b[order]
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    mask = np.bitwise_or.reduceat(b, first)
    k = k[first]
    return k // n, k % n, mask, skipped


# ---------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------
class _Pairs:
    """The two sides of every candidate pair, with cached similarity scores."""

    def __init__(self, f: Features, a: np.ndarray, b: np.ndarray):
        self.f, self.a, self.b, self.n = f, a, b, len(a)
        self._cache: dict = {}

    def col(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if ("col", name) not in self._cache:
            arr = self.f[name]
            self._cache["col", name] = (arr[self.a], arr[self.b])
        return self._cache["col", name]

    def eq(self, name: str) -> np.ndarray:
        """Equal and present (codes >= 0)."""
        x, y = self.col(name)
        return (x == y) & (x >= 0)

    def either(self, name: str) -> np.ndarray:
        x, y = self.col(name)
        return x | y

    def both(self, name: str) -> np.ndarray:
        x, y = self.col(name)
        return x & y

    def sim(self, name: str, scorer, equal: float = 100.0) -> np.ndarray:
        """rapidfuzz ``scorer`` of the two sides' text, computed once per distinct pair
        of strings (``equal`` when the codes are equal: 100 for a similarity, 0 for a distance)."""
        key = (name, scorer)
        if key not in self._cache:
            ca, cb = self.col(name)
            out = np.full(self.n, float(equal))
            diff = ca != cb
            if diff.any():
                strings = np.append(self.f.texts[name], "")  # code -1 -> ""
                m = len(strings)
                pk = np.where(ca[diff] < 0, m - 1, ca[diff]).astype(np.int64) * m + np.where(cb[diff] < 0, m - 1,
                                                                                              cb[diff])
                uk, inv = np.unique(pk, return_inverse=True)
                scores = process.cpdist(list(strings[uk // m]), list(strings[uk % m]), scorer=scorer,
                                        workers=-1, dtype=np.float64)
                out[diff] = np.asarray(scores)[inv]
            self._cache[key] = out
        return self._cache[key]

    # --- birth --------------------------------------------------------------
    def _birth(self):
        ya, yb = self.col("birth_year")
        ma, mb = self.col("birth_month")
        da, db = self.col("birth_dom")
        full = ~self.either("year_only") & ~self.either("birth_missing")
        return ya, yb, ma, mb, da, db, full

    def birth_swapped(self) -> np.ndarray:
        ya, yb, ma, mb, da, db, full = self._birth()
        return full & (ya == yb) & (da == mb) & (ma == db) & (da != ma)

    def birth_day_typo(self) -> np.ndarray:
        ya, yb, ma, mb, da, db, full = self._birth()
        one_digit = ((da // 10) == (db // 10)) ^ ((da % 10) == (db % 10))
        return full & (ya == yb) & (ma == mb) & one_digit

    def birth_year_typo(self) -> np.ndarray:
        ya, yb, ma, mb, da, db, full = self._birth()
        last_digit = ((ya // 10) == (yb // 10)) & (ya != yb)
        swapped = ((ya // 100) == (yb // 100)) & ((ya // 10) % 10 == yb % 10) & (ya % 10 == (yb // 10) % 10)
        return full & (ma == mb) & (da == db) & (last_digit | (swapped & (ya != yb)))

    # --- address ------------------------------------------------------------
    def same_commune(self) -> np.ndarray:
        """Commune names ≥ 90% alike, or one's commune is a run of whole words in the other's stripped address."""
        if "same_commune" not in self._cache:
            alike = self.sim("commune", fuzz.ratio) >= 90
            communes = np.array([f" {c} " for c in self.f.texts["commune"]] + ["  "], dtype=object)
            stripped = np.array([f" {s} " for s in self.f.texts["address_strip"]] + ["  "], dtype=object)
            c_code, s_code = self.f["commune"], self.f["address_strip"]
            m = len(communes)
            inside = np.zeros(self.n, dtype=bool)
            todo = np.flatnonzero(~alike)
            for hay, needle in ((self.b, self.a), (self.a, self.b)):
                key = s_code[hay[todo]].astype(np.int64) % len(stripped) * m + c_code[needle[todo]] % m
                uk, inv = np.unique(key, return_inverse=True)
                hit = np.array([communes[k % m] != "  " and communes[k % m] in stripped[k // m] for k in uk],
                               dtype=bool)
                if len(uk):
                    inside[todo] |= hit[inv]
            self._cache["same_commune"] = alike | inside
        return self._cache["same_commune"]


def _tf_penalty(f: Features, a: np.ndarray, options: SuspectOptions) -> np.ndarray:
    """Bits taken off an equal name for common names (Splink's term-frequency adjustment)."""
    count = f["name_count"][a].astype(float)
    ratio = np.maximum(count / max(options.common_name_cards, 1), 1.0)
    return np.minimum(np.log2(ratio), options.common_name_max_penalty)


def compare_pairs(f: Features, a: np.ndarray, b: np.ndarray, options: SuspectOptions = SuspectOptions()
                  ) -> pd.DataFrame:
    """Level (index into the comparison's levels) and weight of every comparison, per pair (a[i], b[i])."""
    p = _Pairs(f, a, b)
    tf = _tf_penalty(f, a, options)
    out = {}
    for comp in options.comparisons:
        conditions = [lv.test(p) for lv in comp.levels]
        level = np.select(conditions, np.arange(len(comp.levels)), len(comp.levels) - 1)
        weight = np.array([lv.weight for lv in comp.levels])[level]
        tf_level = np.array([lv.tf for lv in comp.levels])[level]
        out[f"{comp.field}_level"] = level
        out[f"{comp.field}_weight"] = weight - np.where(tf_level, tf, 0.0)
    out["tf_penalty"] = tf
    return pd.DataFrame(out)


def upper_bound(f: Features, a: np.ndarray, b: np.ndarray, options: SuspectOptions = SuspectOptions(),
                need: float = -np.inf) -> np.ndarray:
    """The highest total weight (without the prior) each pair can still reach, from the cheap levels only.

    Per comparison, the first cheap level that holds decides; every fuzzy
    level before it could still win, so the bound is the larger of the
    deciding level's weight and those fuzzy levels' weights. Pairs whose bound
    is under the threshold need no string similarity at all. Comparisons run
    most decisive first; a pair that cannot reach ``need`` even with the best
    levels of the comparisons not yet looked at is dropped (bound -inf).
    """
    n = len(a)
    total = np.zeros(n)
    alive = np.arange(n)
    comps = sorted(options.comparisons, key=lambda c: -max(abs(lv.weight) for lv in c.levels))
    best_left = np.cumsum([max(lv.weight for lv in c.levels) for c in comps][::-1])[::-1]
    tf_all = _tf_penalty(f, a, options)
    for k, comp in enumerate(comps):
        if not len(alive):
            break
        p = _Pairs(f, a[alive], b[alive])
        levels = comp.levels
        weight = np.array([lv.weight for lv in levels])
        fuzzy_before = np.maximum.accumulate(np.r_[-np.inf, [lv.weight if lv.fuzzy else -np.inf
                                                              for lv in levels[:-1]]])
        decide = np.full(len(alive), len(levels) - 1)
        for j in range(len(levels) - 2, -1, -1):  # the first cheap level that holds
            if not levels[j].fuzzy:
                decide[levels[j].test(p)] = j
        own = weight[decide] - np.where(np.array([lv.tf for lv in levels])[decide], tf_all[alive], 0.0)
        total[alive] += np.maximum(own, fuzzy_before[decide])
        if k + 1 < len(comps):
            dead = total[alive] + best_left[k + 1] < need
            total[alive[dead]] = -np.inf
            alive = alive[~dead]
    return total


def score_of(weight) -> np.ndarray:
    """Match weight (bits) -> score 0-100 (100 x probability)."""
    return 100.0 / (1.0 + np.exp2(-np.asarray(weight, dtype=float)))


def _weight_of(score: float) -> float:
    """Score 0-100 -> the match weight that gives it (inverse of :func:`score_of`)."""
    if score <= 0:
        return -np.inf
    if score >= 100:
        return np.inf
    return float(np.log2(score / (100.0 - score)))


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------
_ALNUM = re.compile(r"[A-Z0-9]+")


def pair_id(card_a, card_b) -> str:
    """Stable id of a pair of cards: the two card numbers sorted, joined by "-".

    e.g. pair_id("HN2561234567890", "BT2569876543210") -> "BT2569876543210-HN2561234567890"
    """
    a, b = sorted((str(card_a), str(card_b)))
    return f"{a}-{b}"


def _canonical_pair_id(value: object) -> str:
    parts = _ALNUM.findall(clean_text(value).upper())
    return "-".join(sorted(parts)) if len(parts) == 2 else ""


def read_decisions(decisions: pd.DataFrame | None) -> pd.DataFrame:
    """Staff decisions -> frame (pair_id, decision) with decision "Trùng" / "Không trùng".

    Accepts columns ``pair_id``/``decision`` or the sheet headers "Mã cặp" and
    "Quyết định ..."; a decision in any case or accent form ("khong trung",
    "KHÔNG TRÙNG"); a pair id with any separator. Blank or other values are
    ignored; the last decision for a pair wins.
    """
    empty = pd.DataFrame({"pair_id": pd.Series(dtype=object), "decision": pd.Series(dtype=object)})
    if decisions is None or len(decisions) == 0:
        return empty
    by_fold = {fold_header(c): c for c in decisions.columns}
    pid_col = by_fold.get("pairid") or by_fold.get(fold_header(SUSPECT_HEADERS["pair_id"]))
    dec_col = by_fold.get("decision") or next(
        (c for k, c in by_fold.items() if k.startswith(fold_header("Quyết định"))), None)
    if pid_col is None or dec_col is None:
        raise ValueError("decisions need the columns pair_id and decision (Mã cặp, Quyết định)")
    pid = [_canonical_pair_id(v) for v in decisions[pid_col].to_numpy(dtype=object)]
    dec = [_DECISION_OF.get(fold_header(v) if isinstance(v, str) else "", "")
           for v in decisions[dec_col].to_numpy(dtype=object)]
    out = pd.DataFrame({"pair_id": pd.Series(pid, dtype=object), "decision": pd.Series(dec, dtype=object)})
    out = out[(out["pair_id"] != "") & (out["decision"] != "")]
    return out.drop_duplicates("pair_id", keep="last").reset_index(drop=True)


def _decided_positions(dec: pd.DataFrame, card_no: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``card_no`` of both cards of every decided pair (all rows holding those numbers)."""
    if dec.empty or not len(card_no):
        return np.array([], np.int64), np.array([], np.int64)
    sides = dec["pair_id"].str.split("-", n=1, expand=True)
    rows = pd.DataFrame({"card": pd.Series(card_no, dtype=object), "pos": np.arange(len(card_no))})
    left = pd.DataFrame({"pid": dec["pair_id"].to_numpy(dtype=object), "card": sides[0].to_numpy(dtype=object)})
    right = pd.DataFrame({"pid": dec["pair_id"].to_numpy(dtype=object), "card": sides[1].to_numpy(dtype=object)})
    both = left.merge(rows, on="card").merge(right.merge(rows, on="card"), on="pid", suffixes=("_a", "_b"))
    both = both[both["pos_a"] != both["pos_b"]]
    return both["pos_a"].to_numpy(np.int64), both["pos_b"].to_numpy(np.int64)


def confirmed_links(decisions: pd.DataFrame | None, cards: pd.DataFrame) -> list[tuple]:
    """(row_a, row_b) index labels of ``cards`` for every pair staff marked "Trùng".

    Only valid rows are linked; a card number held by several rows links all of them.
    """
    dec = read_decisions(decisions)
    dec = dec[dec["decision"] == CONFIRMED]
    valid = cards["valid"].to_numpy(dtype=bool)
    idx = cards.index[valid]
    card_no = cards["card_no"].astype("object").fillna("").astype(str).to_numpy(dtype=object)[valid]
    a, b = _decided_positions(dec, card_no)
    return list(zip(idx[a].tolist(), idx[b].tolist()))


def apply_confirmed(ident: pd.DataFrame, links) -> pd.DataFrame:
    """Identity keys (from :func:`~bhyt_xl.core.identity.identity_keys`) with the people of confirmed pairs merged.

    Linked cards get one ``person`` (the smallest id of the group: a
    union-find over the links, not over the list); ``identity_key`` stays as
    written so the sheet still shows each card's own key; ``confirmed`` marks
    the rows whose person was merged by a staff decision. Without links: a
    copy with ``confirmed`` = False and nothing else changed.
    """
    out = ident.copy()
    out["confirmed"] = False
    person = out["person"].to_numpy().copy()
    pos = pd.Series(np.arange(len(out)), index=out.index)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for ra, rb in links:
        pa, pb = int(person[pos[ra]]), int(person[pos[rb]])
        if pa < 0 or pb < 0:
            continue  # an invalid row has no person
        ra_, rb_ = find(pa), find(pb)
        if ra_ != rb_:
            parent[max(ra_, rb_)] = min(ra_, rb_)
    if not parent:
        return out
    involved = np.array(sorted(set(parent) | set(parent.values())), dtype=np.int64)
    roots = pd.Series([find(int(x)) for x in involved], index=involved)
    hit = np.isin(person, involved)  # every involved person was merged with another one
    person[hit] = roots.loc[person[hit]].to_numpy()
    out["person"] = person
    out["confirmed"] = hit
    return out


# ---------------------------------------------------------------------------
# find_suspects
# ---------------------------------------------------------------------------
def find_suspects(cards: pd.DataFrame, params: Params, decisions: pd.DataFrame | None = None,
                  options: SuspectOptions = SuspectOptions(), identity: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Suspected duplicate pairs over prepared cards (:func:`~bhyt_xl.core.prepare.prepare_cards`).

    Only ``valid`` cards with a non-empty validity (inside the review period,
    :func:`~bhyt_xl.core.review.effective_periods`) take part. A pair is two
    cards of DIFFERENT identity keys (equal keys are the official review's
    business) whose validity overlaps, found by a blocking rule, scoring at
    least ``options.threshold``. Pairs staff marked "Không trùng" or "Trùng"
    are not proposed again (with ``options.include_decided`` they come back
    with their decision, after the undecided pairs).

    ``identity``: the frame of :func:`~bhyt_xl.core.identity.identity_keys`
    (or the review's ``rows[["identity_key", "person"]]``) if already computed.

    Returns one row per pair, highest score first, with the columns of
    :data:`SUSPECT_COLUMNS` (sheet headers in :data:`SUSPECT_HEADERS`);
    ``attrs["skipped_blocks"]``: rule -> number of blocks over the size limit.

    e.g. "Nguyễn Thị Hòa" 12/05/1960 and "Nguyễn Thị Hoa" 05/12/1960, same
    address, overlapping cards -> score 99, "Họ tên: khác dấu (Hòa/Hoa);
    Ngày sinh: đảo ngày/tháng (12/05/1960 – 05/12/1960)".
    """
    ident = identity if identity is not None else identity_keys(cards)
    start, end = effective_periods(cards, params)
    ok = cards["valid"].to_numpy(dtype=bool) & ~np.isnat(start) & ~np.isnat(end) & (end >= start)
    rows = np.flatnonzero(ok)
    sub = cards.iloc[rows]
    f = suspect_features(sub)
    person = ident["person"].to_numpy()[rows]
    s, e = start[rows], end[rows]
    a, b, mask, skipped = candidate_pairs(f, person, s, e, options)

    dec = read_decisions(decisions)
    card_no = _text_codes(sub["card_no"])
    card_no = card_no[1][card_no[0]] if len(sub) else np.array([], dtype=object)
    decided_set = set(dec["pair_id"])
    if options.include_decided and decided_set:
        da, db = _decided_positions(dec, card_no)
        ok2 = (person[da] != person[db]) & (s[da] <= e[db]) & (s[db] <= e[da])
        da, db = np.minimum(da[ok2], db[ok2]), np.maximum(da[ok2], db[ok2])
        extra = ~np.isin(da * len(f) + db, a * len(f) + b)
        a, b = np.r_[a, da[extra]], np.r_[b, db[extra]]
        mask = np.r_[mask, np.zeros(int(extra.sum()), dtype=np.int64)]

    # cheap levels first: only pairs that can still reach the threshold get string similarity
    need_weight = _weight_of(options.threshold) - options.prior_weight
    need = upper_bound(f, a, b, options, need_weight) >= need_weight
    if decided_set:
        is_decided = pd.Series(_pair_ids(card_no, a, b), dtype=object).isin(decided_set).to_numpy()
        need = (need | is_decided) if options.include_decided else (need & ~is_decided)
    a, b, mask = a[need], b[need], mask[need]
    levels = compare_pairs(f, a, b, options)
    weight = options.prior_weight + levels[[f"{c.field}_weight" for c in options.comparisons]].sum(axis=1).to_numpy()
    score = score_of(weight)
    # side a = the card with the smaller number, as in pair_id
    swap = (card_no[a] > card_no[b]) | ((card_no[a] == card_no[b]) & (a > b))
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    pid = _pair_ids(card_no, a, b)
    decided = pd.Series(pid, dtype=object).map(dict(zip(dec["pair_id"], dec["decision"]))).astype(object)
    decided = decided.fillna("").to_numpy(dtype=object)
    keep = ((score >= options.threshold) & (decided == "")) | (options.include_decided & (decided != ""))
    sel = np.flatnonzero(keep)
    out = _suspect_frame(sub, f, a[sel], b[sel], pid[sel], score[sel], weight[sel], mask[sel],
                         levels.iloc[sel].reset_index(drop=True), decided[sel], s, e, options)
    out.attrs["skipped_blocks"] = skipped
    return out


def _pair_ids(card_no: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pair_id of each pair (card numbers sorted, joined by "-")."""
    if not len(a):
        return np.array([], dtype=object)
    x, y = card_no[a].astype(str), card_no[b].astype(str)
    first = x <= y
    lo, hi = np.where(first, x, y), np.where(first, y, x)
    return np.char.add(np.char.add(lo, "-"), hi).astype(object)


def _suspect_frame(sub, f, a, b, pid, score, weight, mask, levels, decided, s, e, options) -> pd.DataFrame:
    """The output rows; display texts are built for the rows shown only."""
    used = np.unique(np.r_[a, b]).astype(np.int64)
    where = np.zeros(len(f), dtype=np.int64)
    where[used] = np.arange(len(used))
    shown = sub.iloc[used]

    def text(col: str, fn=clean_text) -> np.ndarray:
        if col not in shown:
            return np.full(len(used), "", dtype=object)
        codes, uniq = pd.factorize(shown[col].astype("object").to_numpy(dtype=object))
        table = np.array([fn(u) for u in uniq] + [""], dtype=object)
        return table[codes]

    name = text("full_name")
    address = text("address")
    sex = text("sex", lambda v: clean_text(v))
    bhxh = np.append(f.texts["bhxh"], "")[f["bhxh"][used]]
    birth = birth_key(shown["birth_date"], shown["birth_year_only"].fillna(False)).to_numpy(dtype=object)
    card = shown["card_no"].astype("object").to_numpy(dtype=object)
    src = shown["src_row"].to_numpy() if "src_row" in shown else shown.index.to_numpy()
    name_norm = np.append(f.texts["name"], "")[f["name"][used]]
    idx = shown.index.to_numpy()
    ia, ib = where[a], where[b]
    diffs, agrees = _explain(levels, options, f["name_count"][a], name[ia], name[ib], name_norm[ia],
                             name_norm[ib], birth[ia], birth[ib], sex[ia], sex[ib], bhxh[ia], bhxh[ib])
    labels = [r.label for r in options.blocking_rules]
    rules = np.array([", ".join(lb for i, lb in enumerate(labels) if m >> i & 1) for m in mask], dtype=object)
    out = pd.DataFrame({
        "pair_id": pd.Series(pid, dtype=object),
        "row_a": idx[ia], "row_b": idx[ib],
        "score": np.floor(score + 1e-9).astype(np.int64),
        "match_weight": weight,
        "differences": diffs, "agreements": agrees,
        "src_row_a": src[ia], "card_a": card[ia], "name_a": name[ia], "birth_a": birth[ia], "sex_a": sex[ia],
        "address_a": address[ia], "bhxh_a": bhxh[ia],
        "src_row_b": src[ib], "card_b": card[ib], "name_b": name[ib], "birth_b": birth[ib], "sex_b": sex[ib],
        "address_b": address[ib], "bhxh_b": bhxh[ib],
        "overlap_from": pd.to_datetime(np.maximum(s[a], s[b])), "overlap_to": pd.to_datetime(np.minimum(e[a], e[b])),
        "rules": rules,
        "decision": pd.Series(decided, dtype=object),
    })
    for comp in options.comparisons:
        names = np.array([lv.name for lv in comp.levels], dtype=object)
        out[f"{comp.field}_level"] = names[levels[f"{comp.field}_level"].to_numpy()]
    order = np.lexsort((out["pair_id"].to_numpy(dtype=str), -out["match_weight"].to_numpy(),
                        (out["decision"] != "").to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def _word_diff(x: str, y: str, nx: str, ny: str) -> str:
    """Words that differ between two names ("Hòa/Hoa"); the whole names when the word counts differ."""
    wx, wy, kx, ky = x.split(), y.split(), nx.split(), ny.split()
    if len(wx) == len(wy) == len(kx) == len(ky):
        pairs = [(p, q) for p, q, kp, kq in zip(wx, wy, kx, ky) if kp != kq]
        if pairs:
            return " ".join(p for p, _ in pairs) + "/" + " ".join(q for _, q in pairs)
    return f"{x}/{y}"


def _explain(levels, options, name_count, name_a, name_b, nn_a, nn_b, birth_a, birth_b, sex_a, sex_b,
             bhxh_a, bhxh_b) -> tuple[np.ndarray, np.ndarray]:
    """"Trường khác nhau" and "Căn cứ" per pair (a loop over the pairs shown, not over the list)."""
    n = len(levels)
    diff: list[list[str]] = [[] for _ in range(n)]
    agree: list[list[str]] = [[] for _ in range(n)]
    tf = levels["tf_penalty"].to_numpy()
    for comp in options.comparisons:
        for i, k in enumerate(levels[f"{comp.field}_level"].to_numpy()):
            lv = comp.levels[k]
            if lv.agree:
                note = f" (họ tên phổ biến: {int(name_count[i]):,} thẻ)".replace(",", ".") \
                    if lv.tf and tf[i] > 0 else ""
                agree[i].append(lv.agree + note)
            if not lv.label:
                continue
            if comp.field == "name" and lv.name in ("tone", "typo"):
                detail = _word_diff(name_a[i], name_b[i], nn_a[i], nn_b[i])
            elif comp.field == "name":
                detail = f"{name_a[i]}/{name_b[i]}"
            elif comp.field == "birth":
                detail = f"{birth_a[i]} – {birth_b[i]}"
            elif comp.field == "sex":
                detail = f"{sex_a[i]}/{sex_b[i]}"
            elif comp.field == "bhxh":
                detail = f"{bhxh_a[i]}/{bhxh_b[i]}"
            else:
                detail = ""
            diff[i].append(f"{comp.header}: {lv.label}" + (f" ({detail})" if detail else ""))
    return (np.array(["; ".join(d) for d in diff], dtype=object),
            np.array(["; ".join(g) for g in agree], dtype=object))


def rules_table(options: SuspectOptions = SuspectOptions()) -> pd.DataFrame:
    """The blocking rules, comparison levels and weights as one table (for "Tham số" or the docs)."""
    rows = [("Khối so sánh", r.name, r.label, None, "") for r in options.blocking_rules]
    rows.append(("Điểm ban đầu", "prior", "trước khi xét các trường", options.prior_weight, ""))
    for comp in options.comparisons:
        for lv in comp.levels:
            rows.append(("Mức so sánh", f"{comp.field}.{lv.name}", f"{comp.header}: {lv.rule}", lv.weight, lv.label))
    rows.append(("Tên phổ biến", "common_name_cards",
                 (f"họ tên có hơn {options.common_name_cards} thẻ: trừ log2(số thẻ/{options.common_name_cards}) "
                 f"bit, tối đa"), options.common_name_max_penalty, ""))
    rows.append(("Ngưỡng", "threshold", "điểm tối thiểu để đề xuất (0-100)", options.threshold, ""))
    return pd.DataFrame(rows, columns=["Loại", "Mã", "Quy tắc", "Trọng số (bit)", "Ghi trong cột Trường khác nhau"])


# ---------------------------------------------------------------------------
# The review with suspects: the official rule, over identities that staff may have merged
# ---------------------------------------------------------------------------
CONFIRMED_REASON = "cặp nghi trùng được cán bộ xác nhận \"Trùng\" (sheet Nghi trùng)"


@dataclasses.dataclass
class SuspectReview:
    """The official review plus the suspected pairs for staff.

    ``result``: the CV 493 review (:class:`~bhyt_xl.core.review.ReviewResult`),
    over the exact identities with the pairs staff confirmed merged.
    ``suspects``: the pairs for the "Nghi trùng" sheet (undecided first, then
    the decided ones with their decision kept). ``decisions``: counts of the
    decisions read back (``confirmed``, ``rejected``, ``linked`` = confirmed
    pairs whose cards are in this list).
    """

    result: object
    suspects: pd.DataFrame
    decisions: dict


def review_with_suspects(cards: pd.DataFrame, params: Params, problems: pd.DataFrame | None = None,
                         decisions: pd.DataFrame | None = None, options: SuspectOptions | None = None
                         ) -> SuspectReview:
    """The review of CV 493 with staff decisions on suspected pairs applied, and the new suspects.

    1. exact identities (:func:`identity_keys`); 2. people of the pairs staff
    marked "Trùng" merged (:func:`confirmed_links`, :func:`apply_confirmed`);
    3. the official review over those identities
    (:func:`~bhyt_xl.core.review.review_cards`, unchanged: without a confirmed
    pair its result is exactly the plain review's); 4. suspects over the exact
    identities, decided pairs kept with their decision.

    A duplicate card whose person was merged by a staff decision gets that
    said in its reason.
    """
    from bhyt_xl.core.review import DUPLICATE, review_cards

    options = options or SuspectOptions(threshold=params.suspect_threshold, include_decided=True)
    dec = read_decisions(decisions)
    exact = identity_keys(cards)
    links = confirmed_links(dec, cards)
    merged = apply_confirmed(exact, links)
    result = review_cards(cards, params, problems, identity=merged[["identity_key", "person"]] if links else exact)
    if links:
        rows = result.rows
        hit = np.flatnonzero(merged["confirmed"].to_numpy(dtype=bool) & (rows["verdict"].to_numpy() == DUPLICATE))
        if len(hit):  # few rows (staff-confirmed pairs): the card is a duplicate of another written person's card
            exact_person = exact["person"].to_numpy()
            card_no = cards["card_no"].astype(object).to_numpy()
            persons_of: dict[str, set] = {}
            for i in np.flatnonzero(merged["confirmed"].to_numpy(dtype=bool)):
                persons_of.setdefault(str(card_no[i]), set()).add(int(exact_person[i]))
            reason = rows["reason"].astype(object).to_numpy(copy=True)
            dup_with = rows["dup_with"].astype(object).fillna("").to_numpy()
            for i in hit:
                others = set().union(*(persons_of.get(c.strip(), set()) for c in str(dup_with[i]).split(",")))
                if others - {int(exact_person[i])}:
                    reason[i] = f"{reason[i]}; {CONFIRMED_REASON}" if reason[i] else CONFIRMED_REASON
            rows["reason"] = reason
    suspects = find_suspects(cards, params, dec, options, identity=exact)
    counts = {
        "confirmed": int((dec["decision"] == CONFIRMED).sum()),
        "rejected": int((dec["decision"] == REJECTED).sum()),
        "linked": len(links),
    }
    return SuspectReview(result, suspects, counts)
