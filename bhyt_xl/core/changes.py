"""Applying participant increases and decreases (báo tăng / báo giảm) to the card list.

CV 1006/BHXH-CST (28/11/2016) mục 1, carrying out CV 3881/BHXH-ST: the officer
receiving a unit's D03-TS list must "giảm đối tượng; điều chỉnh mức đóng BHYT
của những trường hợp báo giảm; giảm giá trị sử dụng thẻ BHYT", and record the
increases. For employer groups the card stays valid to the end of the month of
the decrease (CV 3881 điểm 2.1, QĐ 595/QĐ-BHXH Điều 50 k2, 🟡); for the
budget-paid lists money is due to the stop date on the decrease list (NĐ 146
Điều 9 k3 c, ✅). Both are offered: ``ChangeOptions(cut="end_of_month")``
(default) and ``cut="decrease_date"``.

``apply_changes(cards, changes, params, options) -> ChangeResult``

* ``cards``: the frame of :func:`bhyt_xl.core.prepare.prepare_cards`;
* ``changes``: change rows in canonical columns (see :func:`prepare_changes`).

Rules (nothing is ever applied by guess):

1. **Who.** A change row names its person by Mã số BHXH when it is filled (and
   the card list carries BHXH numbers at all), else by card number, else by
   normalised name + date of birth. A card number given next to a BHXH number
   (or name) only picks among several cards the person holds on that date.
   An increase, whose card number is usually new, looks for the person's
   existing cards by every identifier it carries.
2. **Which card.** A decrease applies to the one valid card of that person
   whose validity (to the revocation date when revoked) contains the
   effective date. None → not applied ("không tìm thấy thẻ còn giá trị …"),
   or, when every card of the person ended before that date, a warning
   ("không cắt: thẻ hết hạn trước ngày giảm"). Several → not applied
   ("khớp nhiều thẻ (…)").
3. **Repeats.** The same change twice (same identifier, type and date): the
   later rows are reported "trùng với dòng N" and not applied. Two different
   decreases for one card: the earliest effective date applies (then the
   lower row number), the others are reported.
4. **Cutting.** The new end is the end of the month of the decrease (or the
   decrease date). A new end on or after the old end changes nothing
   (warning). Months and money no longer due cover new end + 1 day … old end
   (to the revocation date when the card was revoked earlier), by the month
   rule (:func:`bhyt_xl.core.months.month_fraction`) and the premium in force
   each month (:func:`bhyt_xl.core.money.monthly_premium`), money rounded to
   whole đồng per card; the budget's part by :func:`bhyt_xl.core.money.budget_share`.
5. **Increases** add a card from the effective date to the row's "Đến ngày"
   (else 31/12 of that year). Card number, group (default: the card number's
   first 2 letters) and identity come from the row; a blank name, date of
   birth, sex or address is taken from the person's existing cards when they
   all share one identity. An increase overlapping a valid card of the same
   person is still added, flagged, with a warning (it would be a duplicate).
   Decreases are matched against the original cards only, not against cards
   added by the same batch.

Vectorised throughout: merges on identifier keys, ``bincount``/``groupby``
counts, masked assignments. No Python loop over change or card rows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from bhyt_xl.core.identity import birth_key, identity_keys
from bhyt_xl.core.money import budget_share, monthly_premium
from bhyt_xl.core.months import DAY, as_days, explode_months, round_money, round_months
from bhyt_xl.core.schema import FIELDS
from bhyt_xl.core.text import fold_header, normalize_series
from bhyt_xl.core.values import as_text, is_blank, parse_dates, parse_sex
from bhyt_xl.params import Params
from bhyt_xl.problems import ERROR, PROBLEM_COLUMNS, WARNING, RowProblems, concat_problems, empty_problems

__all__ = [
    "APPLIED", "APPLIED_COLUMNS", "CHANGE_COLUMNS", "CHANGE_FIELDS", "CUT_MODES", "ChangeOptions", "ChangeResult",
    "DECREASE", "INCREASE", "NOT_APPLIED", "REQUIRED_CHANGE_FIELDS", "SUMMARY_ITEMS", "apply_changes",
    "change_label", "field_for_change_header", "missing_change_columns", "normalize_change_type", "prepare_changes",
]

INCREASE = "Tăng"
DECREASE = "Giảm"
APPLIED = "Đã áp dụng"
NOT_APPLIED = "Không áp dụng"

#: How far a decrease cuts the card (option value -> Vietnamese label).
CUT_MODES = {
    "end_of_month": "Đến hết tháng báo giảm (CV 3881/BHXH-ST; QĐ 595 Điều 50 k2) 🟡",
    "decrease_date": "Đến ngày báo giảm (NĐ 146/2018 Điều 9 k3 c) ✅",
}

#: Plausible effective dates (as for card dates in prepare).
_DATE_MIN = pd.Timestamp("1990-01-01")

_NAT_NS = np.datetime64("NaT", "ns")


@dataclasses.dataclass(frozen=True)
class ChangeOptions:
    """Settings of :func:`apply_changes`.

    * ``cut``: ``"end_of_month"`` (default) = a decrease keeps the card valid to
      the last day of the month of the decrease; ``"decrease_date"`` = to the
      decrease date itself.
    """

    cut: str = "end_of_month"

    def __post_init__(self):
        if self.cut not in CUT_MODES:
            raise ValueError(f"cut must be one of {sorted(CUT_MODES)}, not {self.cut!r}")


# ---------------------------------------------------------------------------
# Columns of a change list (D03-TS style)
# ---------------------------------------------------------------------------
#: canonical field -> (Vietnamese display name, header aliases); compared after fold_header.
CHANGE_FIELDS: dict[str, tuple[str, list[str]]] = {
    "bhxh_no": FIELDS["bhxh_no"],
    "card_no": FIELDS["card_no"],
    "full_name": FIELDS["full_name"],
    "birth_date": FIELDS["birth_date"],
    "sex": FIELDS["sex"],
    "address": FIELDS["address"],
    "change_type": ("Loại biến động", ["Loại", "Tăng/Giảm", "Loại biến động", "Phương án", "Tăng, giảm",
                                       "Tăng giảm", "Loại tăng giảm", "Loại tăng/giảm", "Biến động", "PA",
                                       "PHUONG_AN", "LOAI", "LOAI_BIEN_DONG"]),
    "effective_date": ("Ngày hiệu lực", ["Ngày hiệu lực", "Từ ngày", "Ngày tăng/giảm", "Ngày biến động",
                                         "Ngày tăng giảm", "Ngày tăng, giảm", "Hiệu lực từ ngày", "Ngày báo giảm",
                                         "Ngày báo tăng", "Ngày giảm", "Ngày tăng", "NGAY_HIEU_LUC", "TU_NGAY",
                                         "Ngày áp dụng"]),
    "valid_to": ("Đến ngày", ["Đến ngày", "DEN_NGAY", "Giá trị đến ngày", "Hạn thẻ đến", "Hạn thẻ đến ngày",
                              "GT_THE_DEN", "Hiệu lực đến ngày"]),
    "group_code": FIELDS["group_code"],
    "reason": ("Lý do", ["Lý do", "Ghi chú", "Lý do tăng giảm", "Lý do biến động", "LY_DO", "GHI_CHU"]),
}

_CHANGE_ALIAS: dict[str, str] = {}
for _field, (_label, _aliases) in CHANGE_FIELDS.items():
    for _alias in [_label, *_aliases]:
        _CHANGE_ALIAS.setdefault(fold_header(_alias), _field)
del _field, _label, _aliases, _alias

#: Fields without which a change list cannot be applied.
REQUIRED_CHANGE_FIELDS = ["change_type", "effective_date"]

#: Columns of the frame returned by :func:`prepare_changes`.
CHANGE_COLUMNS = ["src_row", "bhxh_no", "card_no", "full_name", "birth_date", "birth_year_only", "sex", "address",
                  "change_type", "effective_date", "valid_to", "group_code", "reason", "valid"]


def field_for_change_header(header: object) -> str | None:
    """Canonical change field recognised for one header cell, or None.

    e.g. "Loại biến động" -> "change_type"; "TỪ NGÀY" -> "effective_date"; "Mã số BHXH" -> "bhxh_no".
    """
    return _CHANGE_ALIAS.get(fold_header(header))


def change_label(field: str) -> str:
    """Vietnamese display name of a change field."""
    return CHANGE_FIELDS[field][0]


def missing_change_columns(columns: dict[str, str]) -> list[str]:
    """Required change fields absent from the recognised columns (canonical names)."""
    return [f for f in REQUIRED_CHANGE_FIELDS if f not in columns]


# Folded words staff write for each change type. "TM" (tăng mới) and "GH"
# (giảm hẳn) are the BHXH software's method codes as remembered (🔶).
_TYPE_WORDS = {
    "tang": INCREASE, "t": INCREASE, "baotang": INCREASE, "tangmoi": INCREASE, "tm": INCREASE,
    "giam": DECREASE, "g": DECREASE, "baogiam": DECREASE, "giamhan": DECREASE, "gh": DECREASE,
}


def normalize_change_type(values: pd.Series) -> pd.Series:
    """'Tăng'/'tăng'/'T'/'tang' -> 'Tăng'; 'Giảm'/'G'/'giam' -> 'Giảm'; anything else -> ''.

    Works on the distinct values only (mapped back), like :func:`parse_sex`.
    """
    text = as_text(values)
    codes, uniques = pd.factorize(text)
    table = np.array([_TYPE_WORDS.get(fold_header(u), "") for u in uniques] + [""], dtype=object)
    return pd.Series(table.take(codes), index=values.index, dtype=object)


def _norm_card(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Card numbers as in prepare_cards: upper case, no spaces, dots, dashes or underscores."""
    if values is None:
        return pd.Series("", index=index, dtype=object)
    return as_text(values).str.upper().str.replace(r"[\s.\-_]", "", regex=True).astype(object)


def _norm_bhxh(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """BHXH numbers: no spaces or separators; all-digit numbers shorter than 10 get their
    leading zeros back (Excel drops them when the number is stored as a number)."""
    if values is None:
        return pd.Series("", index=index, dtype=object)
    text = as_text(values).astype(object).str.replace(r"[\s.\-_']", "", regex=True).str.upper()
    short = text.str.fullmatch(r"\d{1,9}")
    return text.where(~short, text.str.zfill(10)).astype(object)


# ---------------------------------------------------------------------------
# prepare_changes
# ---------------------------------------------------------------------------
def prepare_changes(data: pd.DataFrame, columns: dict[str, str], src_row):
    """Parse a change list as read (D03-TS style); returns ``(changes, problems)``.

    ``columns`` maps canonical fields (:data:`CHANGE_FIELDS`) to column labels of
    ``data``; ``src_row`` is the row number the user sees. Every row is kept;
    a row with an unknown change type, a bad or missing effective date, a bad
    date of birth or "Đến ngày", an end before the effective date, or no
    identifier at all is marked ``valid = False`` and described in the problems
    table ("Dòng N, cột X: …"). ``changes`` has the columns of
    :data:`CHANGE_COLUMNS`; ``change_type`` is 'Tăng' / 'Giảm' where recognised
    (the text as written otherwise). The header of each field is kept in
    ``changes.attrs["headers"]`` so that :func:`apply_changes` names the same columns.
    """
    idx = data.index
    src = pd.Series(np.asarray(src_row, dtype="int64"), index=idx)
    out = pd.DataFrame({"src_row": src}, index=idx)
    found = RowProblems(src)

    def col(field):
        name = columns.get(field)
        return data[name] if name is not None else None

    def header(field):
        return str(columns.get(field, change_label(field)))

    def report(mask, field, values, rule, message, severity=ERROR):
        found.add(mask, header(field), values, rule, message, severity)

    out["bhxh_no"] = _norm_bhxh(col("bhxh_no"), idx)
    out["card_no"] = _norm_card(col("card_no"), idx)
    out["full_name"] = as_text(col("full_name")) if col("full_name") is not None else ""

    raw_birth = col("birth_date")
    if raw_birth is not None:
        birth, year_only, bad = parse_dates(raw_birth, allow_year_only=True)
        report(bad, "birth_date", raw_birth, "date", "'{value}' không phải ngày sinh hợp lệ (dd/mm/yyyy hoặc năm sinh)")
    else:
        birth = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
        year_only = pd.Series(False, index=idx)
    out["birth_date"], out["birth_year_only"] = birth, year_only.astype(bool)

    raw_sex = col("sex")
    if raw_sex is not None:
        sex, bad_sex = parse_sex(raw_sex)
        report(bad_sex, "sex", raw_sex, "sex", "'{value}' không phải giới tính (Nam/Nữ, 1/0)", severity=WARNING)
        out["sex"] = sex
    else:
        out["sex"] = ""
    out["address"] = as_text(col("address")) if col("address") is not None else ""

    # --- change type ---------------------------------------------------------
    raw_type = col("change_type")
    type_text = as_text(raw_type) if raw_type is not None else pd.Series("", index=idx, dtype=object)
    kind = normalize_change_type(type_text)
    report(type_text == "", "change_type", None, "missing", "thiếu loại biến động (Tăng/Giảm)")
    report((type_text != "") & (kind == ""), "change_type", raw_type, "change_type",
           "'{value}' không phải loại biến động (ghi Tăng hoặc Giảm)")
    out["change_type"] = kind.where(kind != "", type_text)

    # --- dates ---------------------------------------------------------------
    for field, missing_message in (("effective_date", "thiếu ngày hiệu lực (ngày tăng/giảm)"), ("valid_to", None)):
        values = col(field)
        if values is None:
            dates = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
            if missing_message:
                report(pd.Series(True, index=idx), field, None, "missing", missing_message)
        else:
            dates, _, bad = parse_dates(values)
            implausible = dates.notna() & (dates < _DATE_MIN)
            report(bad | implausible, field, values, "date", "'{value}' không phải ngày hợp lệ (dd/mm/yyyy)")
            dates = dates.where(~implausible)
            if missing_message:
                report(is_blank(values), field, None, "missing", missing_message)
        out[field] = dates.astype("datetime64[ns]")
    before = out["valid_to"].notna() & out["effective_date"].notna() & (out["valid_to"] < out["effective_date"])
    report(before, "valid_to", col("valid_to"), "end_before_start", "ngày '{value}' trước ngày hiệu lực")

    out["group_code"] = (as_text(col("group_code")).str.upper().str.strip() if col("group_code") is not None
                         else "")
    out["reason"] = as_text(col("reason")) if col("reason") is not None else ""

    no_id = (out["bhxh_no"] == "") & (out["card_no"] == "") & ((out["full_name"] == "") | out["birth_date"].isna())
    report(no_id, "bhxh_no", None, "no_identifier",
           "không có thông tin nhận diện (cần Mã số BHXH, mã thẻ, hoặc họ tên và ngày sinh)")

    out["valid"] = ~found.invalid
    for field in ("full_name", "sex", "address", "group_code", "reason"):
        out[field] = out[field].astype(object)
    out = out[CHANGE_COLUMNS]
    out.attrs["headers"] = {field: header(field) for field in CHANGE_FIELDS}
    return out, found.table()


# ---------------------------------------------------------------------------
# apply_changes
# ---------------------------------------------------------------------------
@dataclasses.dataclass
class ChangeResult:
    """What :func:`apply_changes` produced.

    ``cards``: every original card row (same index, same order) with the new
    ``valid_to`` and the columns ``old_valid_to``, ``new_valid_to``, ``change``
    ('Giảm' / 'Tăng' / ''), ``change_row`` (row of the applied change),
    ``months_cut`` (rounded as ``params.month_rounding``), ``months_cut_exact``,
    ``money_cut``, ``budget_cut``, ``change_note``; then the added cards
    (``change == 'Tăng'``). ``applied``: one row per change row, in order, with
    ``status`` ('Đã áp dụng' / 'Không áp dụng') and ``reason``. ``summary``:
    ``item`` / ``label`` / ``value`` rows. ``problems``: the problems table.
    """

    cards: pd.DataFrame
    applied: pd.DataFrame
    summary: pd.DataFrame
    problems: pd.DataFrame

    @property
    def stats(self) -> dict:
        return dict(zip(self.summary["item"], self.summary["value"]))


APPLIED_COLUMNS = ["src_row", "change", "match_by", "effective_date", "card_no", "card_src_row", "old_valid_to",
                   "new_valid_to", "months_cut", "money_cut", "budget_cut", "status", "reason"]

_MATCH_LABEL = {"bhxh": "Mã số BHXH", "card": "Mã thẻ", "name": "Họ tên + ngày sinh", "": ""}
_MATCH_FIELD = {"bhxh": "bhxh_no", "card": "card_no", "name": "full_name", "": "bhxh_no"}


def _fmt(values) -> np.ndarray:
    """Dates -> 'dd/mm/yyyy' text ('' when missing), as an object array (each distinct date formatted once)."""
    days = np.asarray(values).astype("datetime64[D]")
    uniq, inverse = np.unique(days, return_inverse=True)
    text = pd.Series(pd.to_datetime(uniq.astype("datetime64[ns]"))).dt.strftime("%d/%m/%Y").fillna("")
    return text.to_numpy(dtype=object)[inverse.reshape(-1)] if len(days) else np.array([], dtype=object)


def _month_end(days: np.ndarray) -> np.ndarray:
    """Last day of each date's month (datetime64[D])."""
    return (days.astype("datetime64[M]") + 1).astype("datetime64[D]") - DAY


def _year_end(days: np.ndarray) -> np.ndarray:
    """31/12 of each date's year (datetime64[D])."""
    return (days.astype("datetime64[Y]") + 1).astype("datetime64[D]") - DAY


def _dates(frame: pd.DataFrame, field: str) -> pd.Series:
    """A date column of a change frame as datetime64[ns] (text is parsed; absent -> NaT)."""
    if field not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    values = frame[field]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]").dt.normalize()
    return parse_dates(values, allow_year_only=(field == "birth_date"))[0]


def _text(frame: pd.DataFrame, field: str) -> pd.Series:
    if field not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return as_text(frame[field]).astype(object)


def _measure(seg: np.ndarray, start: np.ndarray, end: np.ndarray, codes: np.ndarray, params: Params, n: int):
    """Months (exact), money and budget part per segment id in 0..n-1 (zeros where nothing).

    Month rule and premium in force each month; money rounded to whole đồng per segment.
    """
    months = np.zeros(n)
    money = np.zeros(n)
    budget = np.zeros(n)
    m = explode_months(seg, start, end)
    if len(m):
        ids = m["seg"].to_numpy().astype("int64")
        first = m["month"].to_numpy().astype("datetime64[D]")
        share = m["share"].to_numpy()
        amount = share * monthly_premium(first, params)
        part = amount * budget_share(codes[ids], first, params)
        months = np.bincount(ids, weights=share, minlength=n)
        money = round_money(np.bincount(ids, weights=amount, minlength=n))
        budget = round_money(np.bincount(ids, weights=part, minlength=n))
    return months, money, budget


def _join_by(keys: np.ndarray, texts: np.ndarray, n: int, sep: str = ", ") -> np.ndarray:
    """Per key in 0..n-1: the distinct texts joined in the given order ('' when none)."""
    out = np.full(n, "", dtype=object)
    if len(keys):
        f = pd.DataFrame({"k": keys, "t": texts}).drop_duplicates()
        joined = f.groupby("k", sort=False)["t"].agg(sep.join)
        out[joined.index.to_numpy()] = joined.to_numpy(dtype=object)
    return out


def _row_problems(mask: np.ndarray, src: np.ndarray, column, detail, value, severity: str, rule: str) -> pd.DataFrame:
    """Problems for the rows in ``mask``: "Dòng N, cột X: <detail>" (column / detail / value per row or scalar)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return empty_problems()
    n = len(mask)

    def pick(x):
        return (np.asarray(x, dtype=object) if np.ndim(x) else np.full(n, x, dtype=object))[mask]

    rows = pd.Series(src[mask].astype("int64"))
    col = pd.Series(pick(column))
    text = "Dòng " + rows.astype(str) + ", cột " + col.astype(str) + ": " + pd.Series(pick(detail)).astype(str)
    frame = pd.DataFrame({
        "src_row": rows.to_numpy(), "column": col.to_numpy(), "value": pd.Series(pick(value)).astype(str).to_numpy(),
        "rule": rule, "message": text.to_numpy(), "severity": severity,
    })
    return frame[PROBLEM_COLUMNS]


def apply_changes(cards: pd.DataFrame, changes: pd.DataFrame, params: Params,
                  options: ChangeOptions = ChangeOptions()) -> ChangeResult:
    """Apply a list of increases and decreases to prepared cards (CV 1006/BHXH-CST mục 1).

    See the module docstring for the rules. ``cards`` is not modified.

    e.g. card HN 01/01/2012–31/12/2012, decrease on 15/03/2012 → valid to
    31/03/2012; 9 months no longer due: 24,900 (04/2012) + 8 × 31,500 = 276,900 đ.
    """
    n = len(cards)
    m = len(changes)
    headers = {f: change_label(f) for f in CHANGE_FIELDS}
    headers.update(getattr(changes, "attrs", {}).get("headers", {}) or {})

    # ---- cards: positions, periods, keys --------------------------------------------------------
    c_valid = cards["valid"].to_numpy(dtype=bool)
    c_start = as_days(cards["valid_from"])
    c_old_end = as_days(cards["valid_to"])
    revoked = as_days(cards["revoked_on"]) if "revoked_on" in cards else np.full(n, np.datetime64("NaT", "D"))
    if params.revocation_end == "day_before":
        revoked = revoked - DAY
    c_end = np.where(~np.isnat(revoked) & (revoked < c_old_end), revoked, c_old_end)
    c_valid = c_valid & ~np.isnat(c_start) & ~np.isnat(c_end) & (c_end >= c_start)
    c_card = _norm_card(cards["card_no"], cards.index).to_numpy(dtype=object)
    c_bhxh = _norm_bhxh(cards["bhxh_no"] if "bhxh_no" in cards else None, cards.index).to_numpy(dtype=object)
    c_has_name = (as_text(cards["full_name"]) != "").to_numpy() & cards["birth_date"].notna().to_numpy()
    c_codes = cards["group_code"].astype(object).fillna("").astype(str).str.upper().to_numpy(dtype=object)
    cards_have_bhxh = bool((c_valid & (c_bhxh != "")).any())

    # ---- changes: canonical values ------------------------------------------------------------
    src = (changes["src_row"].to_numpy().astype("int64") if "src_row" in changes
           else np.arange(m, dtype="int64") + 2)
    raw_type = _text(changes, "change_type")
    ctype = normalize_change_type(raw_type).to_numpy(dtype=object)
    date = as_days(_dates(changes, "effective_date"))
    until = as_days(_dates(changes, "valid_to"))
    birth = _dates(changes, "birth_date")
    birth_year_only = (changes["birth_year_only"].fillna(False).astype(bool) if "birth_year_only" in changes
                       else pd.Series(False, index=changes.index))
    x_bhxh = _norm_bhxh(changes["bhxh_no"] if "bhxh_no" in changes else None, changes.index).to_numpy(dtype=object)
    x_card = _norm_card(changes["card_no"] if "card_no" in changes else None, changes.index).to_numpy(dtype=object)
    x_name_text = _text(changes, "full_name")
    x_name = (normalize_series(x_name_text, "name") + "|" + birth_key(birth, birth_year_only)).to_numpy(dtype=object)
    x_has_name = (x_name_text != "").to_numpy() & birth.notna().to_numpy()
    pre_valid = (changes["valid"].fillna(False).to_numpy(dtype=bool) if "valid" in changes
                 else np.ones(m, dtype=bool))

    # name keys of the cards: only for cards born on a date some change row names (names are
    # normalised per distinct value, which is the costly part on a large list)
    rows = np.arange(n)
    c_birth = cards["birth_date"].to_numpy().astype("datetime64[ns]")
    named = c_valid & c_has_name & np.isin(c_birth, birth.to_numpy().astype("datetime64[ns]")[x_has_name])
    c_name = np.full(n, "", dtype=object)
    if named.any():
        sub = cards[named]
        c_name[named] = (normalize_series(sub["full_name"], "name") + "|"
                         + birth_key(sub["birth_date"], sub["birth_year_only"])).to_numpy(dtype=object)
    long = pd.concat([
        pd.DataFrame({"kind": "bhxh", "key": c_bhxh, "row": rows})[c_valid & (c_bhxh != "")],
        pd.DataFrame({"kind": "card", "key": c_card, "row": rows})[c_valid & (c_card != "")],
        pd.DataFrame({"kind": "name", "key": c_name, "row": rows})[named],
    ], ignore_index=True)

    has_bhxh = (x_bhxh != "") & cards_have_bhxh
    kind = np.select([has_bhxh, x_card != "", x_has_name], ["bhxh", "card", "name"], "").astype(object)
    key = np.select([has_bhxh, x_card != "", x_has_name], [x_bhxh, x_card, x_name], "").astype(object)
    id_header = np.array([headers[_MATCH_FIELD[k]] for k in ("bhxh", "card", "name", "")], dtype=object)[
        np.select([kind == "bhxh", kind == "card", kind == "name"], [0, 1, 2], 3)]
    id_value = np.select([kind == "bhxh", kind == "card", kind == "name"],
                         [x_bhxh, x_card, x_name_text.to_numpy(dtype=object)], "").astype(object)
    match_by = np.select([kind == "bhxh", kind == "card", kind == "name"],
                         [_MATCH_LABEL["bhxh"], _MATCH_LABEL["card"], _MATCH_LABEL["name"]], "").astype(object)

    # ---- per change outcome arrays ------------------------------------------------------------
    status = np.full(m, NOT_APPLIED, dtype=object)
    reason = np.full(m, "", dtype=object)
    target_row = np.full(m, -1, dtype="int64")
    old_end_out = np.full(m, np.datetime64("NaT", "D"))
    new_end_out = np.full(m, np.datetime64("NaT", "D"))
    months_x = np.zeros(m)
    money_x = np.zeros(m)
    budget_x = np.zeros(m)
    problems = []
    date_text = _fmt(date)

    # ---- 1. rows that cannot be applied at all --------------------------------------------------
    bad_type = ctype == ""
    no_date = np.isnat(date)
    no_id = kind == ""
    bad_until = (ctype == INCREASE) & ~np.isnat(until) & ~no_date & (until < date)
    raw_type_v = raw_type.to_numpy(dtype=object)
    type_text = np.where(raw_type_v == "", "thiếu loại biến động (Tăng/Giảm)",
                         "'" + raw_type_v.astype(str) + "' không phải loại biến động (ghi Tăng hoặc Giảm)")
    checks = [
        (bad_type, "change_type", "change_type", type_text.astype(object), raw_type_v),
        (no_date, "effective_date", "missing", "thiếu hoặc sai ngày hiệu lực (ngày tăng/giảm)", ""),
        (no_id, "bhxh_no", "no_identifier",
         "không có thông tin nhận diện dùng được (Mã số BHXH có trong danh sách thẻ, mã thẻ, hoặc họ tên và ngày sinh)",
         ""),
        (bad_until, "valid_to", "end_before_start", "ngày hết hạn trước ngày hiệu lực", _fmt(until)),
    ]
    unusable = ~pre_valid
    reason[~pre_valid] = "dòng biến động có lỗi dữ liệu (xem Lỗi dữ liệu)"
    for mask, field, rule, text, value in checks:
        new = mask & ~unusable
        reason[new] = (np.asarray(text, dtype=object) if np.ndim(text) else np.full(m, text, dtype=object))[new]
        problems.append(_row_problems(new & pre_valid, src, headers[field], text, value, ERROR, rule))
        unusable |= mask
    active = ~unusable

    # ---- 2. the same change twice ------------------------------------------------------------------
    f = pd.DataFrame({"kind": kind, "key": key, "type": ctype, "date": date, "src": src})[active]
    first_src = f.groupby(["kind", "key", "type", "date"], sort=False)["src"].transform("first")
    repeat = np.zeros(m, dtype=bool)
    repeat[f.index.to_numpy()[f.duplicated(["kind", "key", "type", "date"]).to_numpy()]] = True
    first_of = np.zeros(m, dtype="int64")
    first_of[f.index.to_numpy()] = first_src.to_numpy()
    dup_text = "trùng với dòng " + pd.Series(first_of).astype(str).to_numpy(dtype=object) + ": không áp dụng"
    reason[repeat] = dup_text[repeat]
    problems.append(_row_problems(repeat, src, headers["change_type"], dup_text, raw_type.to_numpy(object),
                                  WARNING, "repeated_change"))
    active &= ~repeat

    # ---- person's cards for every active change ------------------------------------------------
    # a decrease looks only at its identifier; an increase (whose card number is usually new)
    # looks at every identifier it carries, to warn about overlaps and to complete its identity
    ids = np.arange(m)
    inc_any = active & (ctype == INCREASE)
    wanted = pd.concat([
        pd.DataFrame({"cid": ids, "kind": kind, "key": key})[active],
        pd.DataFrame({"cid": ids, "kind": "bhxh", "key": x_bhxh})[inc_any & has_bhxh],
        pd.DataFrame({"cid": ids, "kind": "card", "key": x_card})[inc_any & (x_card != "")],
        pd.DataFrame({"cid": ids, "kind": "name", "key": x_name})[inc_any & x_has_name],
    ], ignore_index=True)
    pairs = (wanted.merge(long, on=["kind", "key"], how="inner")
             .drop_duplicates(["cid", "row"]).sort_values(["cid", "row"], kind="stable"))
    cid = pairs["cid"].to_numpy().astype("int64")
    row = pairs["row"].to_numpy().astype("int64")
    p_start, p_end, p_date = c_start[row], c_end[row], date[cid]

    # ---- 3. decreases ---------------------------------------------------------------------------------
    dec = active & (ctype == DECREASE)
    on_dec = dec[cid]
    contains = on_dec & (p_start <= p_date) & (p_date <= p_end)
    narrow = contains & (x_card[cid] != "") & (c_card[row] == x_card[cid])
    n_person = np.bincount(cid[on_dec], minlength=m)
    n_contain = np.bincount(cid[contains], minlength=m)
    n_narrow = np.bincount(cid[narrow], minlength=m)
    use_narrow = (n_contain > 1) & (n_narrow >= 1)
    target = np.where(use_narrow[cid], narrow, contains)
    n_target = np.bincount(cid[target], minlength=m)
    n_ended = np.bincount(cid[on_dec & (p_end < p_date)], minlength=m)

    expired = dec & (n_person > 0) & (n_target == 0) & (n_ended == n_person)
    no_match = dec & (n_target == 0) & ~expired
    several = dec & (n_target > 1)
    single = dec & (n_target == 1)

    via = " (tìm theo " + match_by + ")"
    text = "không tìm thấy thẻ còn giá trị vào ngày " + date_text + " của người này" + via
    reason[no_match] = text[no_match]
    problems.append(_row_problems(no_match, src, id_header, text, id_value, ERROR, "no_card"))

    last_end = np.full(m, np.datetime64("NaT", "D"))
    if on_dec.any():
        ends = pd.Series(p_end[on_dec]).groupby(cid[on_dec]).max()
        last_end[ends.index.to_numpy()] = ends.to_numpy().astype("datetime64[D]")
    text = ("không cắt: thẻ hết hạn trước ngày giảm (thẻ hết hạn " + _fmt(last_end) + ", ngày giảm "
            + date_text + ")")
    reason[expired] = text[expired]
    problems.append(_row_problems(expired, src, id_header, text, id_value, WARNING, "card_already_ended"))

    order = np.lexsort((p_start, cid))
    sel = order[target[order] & several[cid[order]]]
    listed = _join_by(cid[sel], c_card[row[sel]], m)
    text = "khớp nhiều thẻ (" + listed + "): không áp dụng, cần kiểm tra"
    reason[several] = text[several]
    problems.append(_row_problems(several, src, id_header, text, id_value, ERROR, "several_cards"))

    # one card each: the earliest decrease of a card wins
    sel = target & single[cid]
    t = pd.DataFrame({"cid": cid[sel], "row": row[sel], "date": p_date[sel], "src": src[cid[sel]]})
    t = t.sort_values(["row", "date", "src"], kind="stable")
    later = t["row"].duplicated().to_numpy()
    winner = t.groupby("row", sort=False)["cid"].transform("first").to_numpy()
    lose_cid = t["cid"].to_numpy()[later]
    win_of_loser = winner[later]
    conflict = np.zeros(m, dtype=bool)
    conflict[lose_cid] = True
    text = np.full(m, "", dtype=object)
    text[lose_cid] = ("thẻ " + c_card[t["row"].to_numpy()[later]].astype(str) + " đã được giảm theo dòng "
                      + src[win_of_loser].astype(str) + " (ngày hiệu lực " + date_text[win_of_loser]
                      + "): không áp dụng dòng giảm sau")
    reason[conflict] = text[conflict]
    problems.append(_row_problems(conflict, src, id_header, text, id_value, ERROR, "decrease_again"))

    win_cid = t["cid"].to_numpy()[~later]
    win_row = t["row"].to_numpy()[~later]
    target_row[t["cid"].to_numpy()] = t["row"].to_numpy()
    w_date = date[win_cid]
    new_end = _month_end(w_date) if options.cut == "end_of_month" else w_date
    old_end = c_old_end[win_row]
    no_cut = new_end >= old_end
    old_end_out[win_cid] = old_end
    new_end_out[win_cid] = np.where(no_cut, old_end, new_end)
    nc_cid = win_cid[no_cut]
    nc = np.zeros(m, dtype=bool)
    nc[nc_cid] = True
    text = np.full(m, "", dtype=object)
    text[nc_cid] = ("không cắt: thẻ hết hạn trước ngày giảm (thẻ " + c_card[win_row[no_cut]].astype(str)
                    + " hết hạn " + _fmt(old_end[no_cut]) + ", cắt đến " + _fmt(new_end[no_cut]) + ")")
    reason[nc] = text[nc]
    problems.append(_row_problems(nc, src, id_header, text, id_value, WARNING, "card_already_ended"))

    cut_cid, cut_row, cut_end = win_cid[~no_cut], win_row[~no_cut], new_end[~no_cut]
    months_cut, money_cut, budget_cut = _measure(cut_row, cut_end + DAY, c_end[cut_row], c_codes, params, n)
    status[cut_cid] = APPLIED
    months_x[cut_cid], money_x[cut_cid], budget_x[cut_cid] = (months_cut[cut_row], money_cut[cut_row],
                                                               budget_cut[cut_row])
    reason[cut_cid] = ("cắt giá trị thẻ " + c_card[cut_row].astype(str) + " đến " + _fmt(cut_end)
                       + " (trước đó đến " + _fmt(c_old_end[cut_row]) + ")")

    # ---- 4. increases ---------------------------------------------------------------------------------
    inc = active & (ctype == INCREASE)
    i_end = np.where(np.isnat(until), _year_end(date), until)
    on_inc = inc[cid]
    overlap = on_inc & (p_start <= i_end[cid]) & (p_date <= p_end)
    sel = order[overlap[order]]
    overlapping = _join_by(cid[sel], c_card[row[sel]], m)
    flagged = inc & (overlapping != "")

    # identity completed from the person's cards when they all share one identity
    ident = np.full(n, "", dtype=object)
    near = np.unique(row[on_inc])
    if len(near):
        ident[near] = identity_keys(cards.iloc[near])["identity_key"].to_numpy(dtype=object)
    g = pd.DataFrame({"cid": cid[on_inc], "ident": ident[row[on_inc]], "row": row[on_inc]})
    one = g.groupby("cid").agg(k=("ident", "nunique"), row=("row", "first"))
    one = one[one["k"] == 1]
    fill_row = np.full(m, -1, dtype="int64")
    fill_row[one.index.to_numpy()] = one["row"].to_numpy()
    has_fill = fill_row >= 0
    fr = np.where(has_fill, fill_row, 0)

    def filled(values: np.ndarray, blank: np.ndarray, from_cards: np.ndarray) -> np.ndarray:
        if n == 0:
            return values
        return np.where(blank & has_fill, from_cards[fr], values)

    name_v = x_name_text.to_numpy(dtype=object)
    name_v = filled(name_v, name_v == "", cards["full_name"].astype(object).to_numpy())
    birth_v = birth.to_numpy().astype("datetime64[ns]")
    year_only_v = birth_year_only.to_numpy(dtype=bool)
    if n:
        take = np.isnat(birth_v) & has_fill
        year_only_v = np.where(take, cards["birth_year_only"].to_numpy(dtype=bool)[fr], year_only_v)
        birth_v = np.where(take, cards["birth_date"].to_numpy().astype("datetime64[ns]")[fr], birth_v)
    sex_v = _text(changes, "sex").to_numpy(dtype=object)
    sex_v = filled(sex_v, sex_v == "", cards["sex"].astype(object).to_numpy())
    addr_v = _text(changes, "address").to_numpy(dtype=object)
    addr_v = filled(addr_v, addr_v == "", cards["address"].astype(object).to_numpy())

    no_person = inc & ((name_v == "") | np.isnat(birth_v))
    text = "thiếu họ tên hoặc ngày sinh: không thêm được thẻ tăng"
    reason[no_person] = text
    problems.append(_row_problems(no_person, src, headers["full_name"], text, x_name_text.to_numpy(object), ERROR,
                                  "increase_identity"))
    added = inc & ~no_person
    flagged &= added
    text = ("tăng trùng thời gian với thẻ còn giá trị (" + overlapping
            + "): vẫn thêm thẻ, có thể cấp trùng, cần kiểm tra")
    problems.append(_row_problems(flagged, src, headers["effective_date"], text, date_text, WARNING,
                                  "increase_overlaps"))
    incomplete = added & ((sex_v == "") | (addr_v == ""))
    text = "thẻ tăng thiếu giới tính hoặc địa chỉ: khi rà soát có thể không nhận là cùng người với thẻ khác"
    problems.append(_row_problems(incomplete, src, headers["full_name"], text, x_name_text.to_numpy(object),
                                  WARNING, "increase_identity"))

    no_card = added & (x_card == "")
    text = "thẻ tăng chưa có mã thẻ (vẫn thêm; mã đối tượng lấy từ cột Mã đối tượng)"
    problems.append(_row_problems(no_card, src, headers["card_no"], text, "", WARNING, "increase_card_no"))

    a = np.flatnonzero(added)
    a_card = x_card[a]
    a_group = _text(changes, "group_code").str.upper().str.strip().to_numpy(dtype=object)[a]
    a_group = np.where(a_group == "", pd.Series(a_card, dtype=object).str[:2].to_numpy(dtype=object), a_group)
    a_months, a_money, a_budget = _measure(np.arange(len(a)), date[a], i_end[a], a_group.astype(object), params, len(a))
    status[a] = APPLIED
    new_end_out[a] = i_end[a]
    reason[a] = "thêm thẻ " + np.where(a_card == "", "(chưa có mã thẻ)", a_card).astype(str) + " từ " + date_text[a] + " đến " + _fmt(i_end[a])
    reason[flagged] = reason[flagged] + "; cảnh báo: trùng thời gian với thẻ " + overlapping[flagged]

    # ---- 5. the updated card list ------------------------------------------------------------
    out = cards.copy()
    new_to = c_old_end.copy()
    new_to[cut_row] = cut_end
    change = np.full(n, "", dtype=object)
    change[cut_row] = DECREASE
    change_row = np.full(n, -1, dtype="int64")
    change_row[cut_row] = src[cut_cid]
    note = np.full(n, "", dtype=object)
    note[cut_row] = ("giảm theo dòng " + src[cut_cid].astype(str) + ", ngày hiệu lực " + date_text[cut_cid])
    # changes that named this card but did not cut it
    other = (conflict | nc) & (target_row >= 0)
    if other.any():
        extra = _join_by(target_row[other], "dòng giảm " + src[other].astype(str) + " không áp dụng: "
                         + reason[other].astype(str), n, "; ")
        note = np.where((note != "") & (extra != ""), note + "; " + extra, note + extra)
    out["old_valid_to"] = cards["valid_to"]
    out["valid_to"] = new_to.astype("datetime64[ns]")
    out["new_valid_to"] = out["valid_to"]
    out["change"] = change
    out["change_row"] = pd.array(np.where(change_row >= 0, change_row, 0), dtype="Int64")
    out.loc[change_row < 0, "change_row"] = pd.NA
    out["months_cut"] = round_months(months_cut, params.month_rounding)
    out["months_cut_exact"] = months_cut
    out["money_cut"] = money_cut
    out["budget_cut"] = budget_cut
    out["change_note"] = note

    if len(a):
        new = pd.DataFrame({
            "src_row": src[a],
            "card_no": a_card,
            "full_name": name_v[a],
            "birth_date": birth_v[a],
            "birth_year_only": year_only_v[a],
            "sex": sex_v[a],
            "address": addr_v[a],
            "group_code": a_group,
            "issue_date": np.full(len(a), _NAT_NS),
            "valid_from": date[a].astype("datetime64[ns]"),
            "valid_to": i_end[a].astype("datetime64[ns]"),
            "revoked_on": np.full(len(a), _NAT_NS),
            "bhxh_no": x_bhxh[a],
            "unit_code": "",
            "kcb_code": "",
            "printed_5y": np.full(len(a), _NAT_NS),
            "valid": True,
            "old_valid_to": np.full(len(a), _NAT_NS),
            "new_valid_to": i_end[a].astype("datetime64[ns]"),
            "change": INCREASE,
            "change_row": pd.array(src[a], dtype="Int64"),
            "months_cut": 0.0,
            "months_cut_exact": 0.0,
            "money_cut": 0.0,
            "budget_cut": 0.0,
            "change_note": np.where(flagged[a], "tăng theo dòng " + src[a].astype(str)
                                    + "; trùng thời gian với thẻ " + overlapping[a],
                                    "tăng theo dòng " + src[a].astype(str)).astype(object),
        }, index=_new_labels(cards.index, len(a)))
        new = new[[c for c in out.columns if c in new.columns] + [c for c in new.columns if c not in out.columns]]
        out = pd.concat([out, new.astype({c: out[c].dtype for c in new.columns if c in out.columns
                                          and out[c].dtype != object})], axis=0)

    # ---- 6. per-change table and summary ------------------------------------------------------
    card_text = np.full(m, "", dtype=object)
    card_src = np.full(m, -1, dtype="int64")
    has_target = target_row >= 0
    if n:
        card_text[has_target] = c_card[target_row[has_target]]
        card_src[has_target] = cards["src_row"].to_numpy().astype("int64")[target_row[has_target]]
    card_text[a] = a_card
    applied = pd.DataFrame({
        "src_row": src,
        "change": ctype,
        "match_by": match_by,
        "effective_date": pd.to_datetime(date.astype("datetime64[ns]")),
        "card_no": card_text,
        "card_src_row": pd.array(np.where(card_src >= 0, card_src, 0), dtype="Int64"),
        "old_valid_to": pd.to_datetime(old_end_out.astype("datetime64[ns]")),
        "new_valid_to": pd.to_datetime(new_end_out.astype("datetime64[ns]")),
        "months_cut": round_months(months_x, params.month_rounding),
        "money_cut": money_x,
        "budget_cut": budget_x,
        "status": status,
        "reason": reason,
    }, index=changes.index)
    applied.loc[card_src < 0, "card_src_row"] = pd.NA

    summary = _summary(m, cut_cid, a, status, flagged, months_cut, money_cut, budget_cut,
                       a_months, a_money, a_budget, params)
    return ChangeResult(out, applied[APPLIED_COLUMNS], summary, concat_problems(*problems))


def _new_labels(index: pd.Index, k: int) -> pd.Index:
    """Index labels for appended rows: after the largest integer label, else 'Tăng 1', 'Tăng 2', …"""
    if pd.api.types.is_integer_dtype(index.dtype):
        start = int(index.max()) + 1 if len(index) else 0
        return pd.RangeIndex(start, start + k)
    return pd.Index([f"{INCREASE} {i}" for i in range(1, k + 1)], dtype=object)


SUMMARY_ITEMS = {
    "changes": "Số dòng biến động",
    "increases": "Số thẻ tăng đã thêm",
    "increase_overlaps": "Trong đó: thẻ tăng trùng thời gian với thẻ đang có",
    "decreases": "Số thẻ đã cắt giá trị (giảm)",
    "not_applied": "Số dòng không áp dụng",
    "months_cut": "Số tháng không còn phải đóng (giảm)",
    "money_cut": "Số tiền không còn phải đóng (đồng)",
    "budget_cut": "Trong đó NSNN (đồng)",
    "months_added": "Số tháng của thẻ tăng",
    "money_added": "Số tiền của thẻ tăng (đồng)",
    "budget_added": "Trong đó NSNN (đồng)",
}


def _summary(m, cut_cid, a, status, flagged, months_cut, money_cut, budget_cut, a_months, a_money, a_budget,
             params: Params) -> pd.DataFrame:
    """Counts and totals (months summed before rounding)."""
    values = {
        "changes": m,
        "increases": len(a),
        "increase_overlaps": int(flagged.sum()),
        "decreases": len(cut_cid),
        "not_applied": int((status == NOT_APPLIED).sum()),
        "months_cut": float(round_months(months_cut.sum(), params.month_rounding)),
        "money_cut": float(money_cut.sum()),
        "budget_cut": float(budget_cut.sum()),
        "months_added": float(round_months(a_months.sum(), params.month_rounding)),
        "money_added": float(a_money.sum()),
        "budget_added": float(a_budget.sum()),
    }
    return pd.DataFrame({"item": list(SUMMARY_ITEMS), "label": list(SUMMARY_ITEMS.values()),
                         "value": pd.Series([values[k] for k in SUMMARY_ITEMS], dtype=object)})
