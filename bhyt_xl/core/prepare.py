"""Stage 1: from the columns as read to typed card records plus data problems.

``prepare_cards(data, columns, src_row, params) -> (cards, problems)``

* ``data``: the input rows as read (original columns, original order);
* ``columns``: canonical field -> column label in ``data`` (from header recognition);
* ``src_row``: the row number the user sees in the file, per row.

A row with a bad value is kept, marked ``valid = False`` and described in the
problems table; it takes no part in matching. Nothing is guessed or dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bhyt_xl.core.schema import label
from bhyt_xl.core.values import (
    arrow_text, as_text, assemble, distinct_values, is_blank, parse_dates, parse_dates_blank, parse_sex,
)
from bhyt_xl.params import Params
from bhyt_xl.problems import ERROR, WARNING, RowProblems

#: Card dates (validity, issue, revocation) outside this range are not plausible.
CARD_DATE_MIN = pd.Timestamp("1990-01-01")

CARD_COLUMNS = [
    "src_row", "card_no", "full_name", "birth_date", "birth_year_only", "sex", "address", "group_code",
    "issue_date", "valid_from", "valid_to", "revoked_on", "bhxh_no", "unit_code", "kcb_code",
    "printed_5y", "valid",
]


def prepare_cards(data: pd.DataFrame, columns: dict[str, str], src_row, params: Params):
    """Parse and validate every row; returns ``(cards, problems)``.

    ``cards`` has the index of ``data`` and the columns in :data:`CARD_COLUMNS`.
    """
    idx = data.index
    src = pd.Series(np.asarray(src_row, dtype="int64"), index=idx)
    out = {"src_row": src}
    found = RowProblems(src)

    def col(field):
        name = columns.get(field)
        return data[name] if name is not None else None

    def report(mask, field, values, rule, message, severity=ERROR):
        found.add(mask, str(columns.get(field, label(field))), values, rule, message, severity)

    # --- card number -------------------------------------------------------
    raw_card = col("card_no")
    card = card_numbers(raw_card)
    out["card_no"] = card
    report(card == "", "card_no", None, "missing", "thiếu mã thẻ")
    bad_card = (card != "") & ~card_pattern_ok(card, params.card_pattern)
    report(bad_card, "card_no", raw_card, "card_format",
           "'{value}' không đọc được là mã thẻ (cần 2 chữ cái và 13 chữ số, ví dụ HN2561234567890)")

    # --- person ------------------------------------------------------------
    name = as_text(col("full_name"))
    out["full_name"] = name
    report(name == "", "full_name", None, "missing", "thiếu họ tên")

    birth, sex = _birth_and_sex(data, columns, col, report)
    out["birth_date"], out["birth_year_only"] = birth
    out["sex"] = sex

    addr = col("address")
    out["address"] = as_text(addr) if addr is not None else pd.Series("", index=idx, dtype="str")
    report(out["address"] == "", "address", None, "missing_address",
           "thiếu địa chỉ (vẫn rà soát, so khớp với người cùng họ tên, ngày sinh, giới tính và cũng không có địa chỉ)",
           severity=WARNING)

    # --- group code --------------------------------------------------------
    out["group_code"] = _group_codes(col("group_code") if "group_code" in columns else None, card)

    # --- dates -------------------------------------------------------------
    blank = {}
    for field in ("issue_date", "valid_from", "valid_to", "revoked_on"):
        values = col(field)
        if values is None:
            out[field] = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
            continue
        dates, _, bad, blank[field] = parse_dates_blank(values)
        implausible = dates.notna() & (dates < CARD_DATE_MIN)
        report(bad | implausible, field, values, "date", "'{value}' không phải ngày hợp lệ (dd/mm/yyyy)")
        out[field] = dates.where(~implausible) if implausible.any() else dates
    for field in ("valid_from", "valid_to"):
        missing = out[field].isna() & blank[field] if field in blank else out[field].isna()
        report(missing, field, None, "missing", "thiếu ngày")
    reversed_ = out["valid_to"] < out["valid_from"]
    report(reversed_, "valid_to", col("valid_to"),
           "end_before_start", "ngày hết hạn '{value}' trước ngày bắt đầu giá trị sử dụng")

    # --- optional identifiers ---------------------------------------------
    for field in ("bhxh_no", "unit_code", "kcb_code"):
        values = col(field)
        out[field] = as_text(values) if values is not None else pd.Series("", index=idx, dtype="str")
    printed = col("printed_5y")
    if printed is not None:
        dates, _, bad = parse_dates(printed)
        report(bad, "printed_5y", printed, "date", "'{value}' không phải ngày hợp lệ (dd/mm/yyyy)",
               severity=WARNING)
        out["printed_5y"] = dates
    else:
        out["printed_5y"] = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")

    out["valid"] = ~found.invalid
    return assemble({c: out[c] for c in CARD_COLUMNS}, idx), found.table()


#: What the card number loses: spaces, dots, dashes and underscores.
CARD_JUNK = r"[\s.\-_]"


def card_numbers(values: pd.Series | None) -> pd.Series:
    """Card numbers as text: stripped, upper case, without spaces, dots, dashes or underscores.

    Only a number holding something besides ASCII letters and digits can
    change, so the (Python) regex runs on those alone.
    """
    card = as_text(values).str.upper()
    odd = ~pc.ascii_is_alnum(arrow_text(card)).to_numpy(zero_copy_only=False)
    if odd.any():
        fixed = card[odd].str.replace(CARD_JUNK, "", regex=True)
        card = card.where(~odd, fixed.reindex(card.index))
    return card


def card_pattern_ok(card: pd.Series, pattern: str) -> pd.Series:
    """``card.str.match(pattern)`` for card numbers from :func:`card_numbers` (bool Series).

    Such numbers hold no whitespace at all, so on ASCII text a pattern that
    pyarrow's RE2 compiles matches as Python's ``re`` would (they differ only
    on non-ASCII letters and digits, whitespace and a final newline); RE2 then
    checks every number at once, and the few non-ASCII numbers, or a pattern
    RE2 does not take (look-arounds, back-references, ``\\Z``), go through pandas.
    """
    text = arrow_text(card)
    body = pattern[1:] if pattern.startswith("^") else pattern
    try:
        ok = pc.match_substring_regex(text, f"^({body})").to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return card.str.match(pattern)
    other = np.flatnonzero(~pc.string_is_ascii(text).to_numpy(zero_copy_only=False))
    if len(other):
        ok[other] = card.iloc[other].str.match(pattern).to_numpy(dtype=bool)
    return pd.Series(ok, index=card.index)


def _group_codes(values: pd.Series | None, card: pd.Series) -> pd.Series:
    """The object code column (stripped, upper case), else the card number's first two letters."""
    if values is None:
        return card.str[:2]
    codes, uniques = distinct_values(values)
    text = as_text(uniques).str.upper().str.strip()
    table = arrow_text(pd.concat([text, pd.Series([""], dtype="str")], ignore_index=True))
    pick = pa.array(np.where(codes < 0, len(text), codes))
    code = table.take(pick)  # a missing value reads as ""
    empty = pc.equal(table, "").take(pick)
    if pc.any(empty).as_py():
        code = pc.if_else(empty, arrow_text(card.str[:2]), code)
    return pd.Series(pd.array(code, dtype="str"), index=card.index)


def _birth_and_sex(data, columns, col, report):
    """Date of birth and sex, from their own columns or from a pair of 'Nam' / 'Nữ' columns.

    Lists often have two columns "Nam" and "Nữ": an X (or the date of birth)
    in one of them gives the sex (and then the date of birth).
    """
    idx = data.index
    male, female = col("male_mark"), col("female_mark")
    marks = male is not None and female is not None
    if marks:
        m_set = ~is_blank(male)
        f_set = ~is_blank(female)

    if "birth_date" in columns:
        birth_values = col("birth_date")
    elif marks:
        birth_values = male.where(m_set, female)
    else:
        birth_values = pd.Series(None, index=idx, dtype="object")
    if not ("birth_date" in columns) and marks:
        # the marks hold the dates themselves: an 'x' is then not a date
        birth_values = birth_values.where(~birth_values.astype(str).str.strip().str.lower().eq("x"))
    dates, year_only, bad = parse_dates(birth_values, allow_year_only=True)
    report(bad, "birth_date", birth_values, "date", "'{value}' không phải ngày sinh hợp lệ (dd/mm/yyyy hoặc năm sinh)")
    report(dates.isna() & ~bad, "birth_date", None, "missing", "thiếu ngày sinh")
    future = dates.notna() & (dates > pd.Timestamp.today().normalize())
    report(future, "birth_date", birth_values, "date", "ngày sinh '{value}' ở tương lai")

    if "sex" in columns:
        sex, bad_sex = parse_sex(col("sex"))
        report(bad_sex, "sex", col("sex"), "sex", "'{value}' không phải giới tính (Nam/Nữ, 1/0)")
        report(sex == "", "sex", None, "missing", "thiếu giới tính")
    elif marks:
        sex = pd.Series(np.where(m_set & ~f_set, "Nam", np.where(f_set & ~m_set, "Nữ", "")), index=idx, dtype="object")
        both = m_set & f_set
        report(both, "sex", None, "sex", "đánh dấu cả cột Nam và cột Nữ")
        report(~m_set & ~f_set, "sex", None, "missing", "thiếu giới tính (cột Nam và cột Nữ đều trống)")
    else:
        sex = pd.Series("", index=idx, dtype="object")
    return (dates, year_only), sex


def missing_required(columns: dict[str, str]) -> list[str]:
    """Required fields absent from the recognised columns (as canonical names)."""
    from bhyt_xl.core.schema import REQUIRED

    have = set(columns)
    marks = {"male_mark", "female_mark"} <= have
    missing = []
    for field in REQUIRED:
        if field in have:
            continue
        if field in ("birth_date", "sex") and marks:
            continue
        missing.append(field)
    return missing

