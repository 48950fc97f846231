"""Continuous participation per person (Công văn 1006/BHXH-CST), on prepared cards.

A person is the review's identity (họ tên, ngày sinh, giới tính, địa chỉ),
joined with the Mã số BHXH where that column is filled: two cards with the same
BHXH number are one person even if the name is spelled differently, and an
identity that carries a BHXH number on one card carries it on all its cards.

``review_continuity(cards, params, as_of, extra)`` returns, per input row, the
chain start, the continuous months, the recomputed 5-year date and whether the
printed date ("Ngày đủ 5 năm liên tục" on the card) must be re-printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from bhyt_xl.core.continuity import ContinuityOptions, build_continuity_chains
from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.values import arrow_text, assemble, distinct_values
from bhyt_xl.params import Params
from bhyt_xl.problems import ERROR, RowProblems, concat_problems, empty_problems, problems_for

REPRINT_WRONG = "Ngày in trên thẻ sai"
REPRINT_MISSING = "Thẻ chưa in ngày đủ 5 năm"


def continuity_options(params: Params) -> ContinuityOptions:
    """The continuity settings of ``params`` (the "Tham số" sheet)."""
    return ContinuityOptions(
        max_gap_months=params.max_gap_months,
        gap_strictly_less=params.gap_strictly_less,
        no_tolerance_before=params.no_tolerance_before,
        five_year_floor=params.five_year_floor,
        count_gap_time=params.count_gap_time,
    )


def bhxh_numbers(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """BHXH numbers as digits, 10 wide (Excel drops leading zeros): ``(codes, texts)``, '' when missing.

    ``texts`` are distinct and ``texts[codes]`` is the number of each row;
    each distinct cell value is read once.
    """
    codes, uniques = distinct_values(values)
    text = pd.concat([uniques, pd.Series([np.nan], dtype=uniques.dtype)], ignore_index=True).astype("str").fillna("")
    digits = text.str.fullmatch(r"[0-9]*").fillna(False).to_numpy(dtype=bool)  # nothing to remove
    if not digits.all():
        cleaned = text[~digits].str.replace(r"\D", "", regex=True)
        text = text.where(digits, cleaned.reindex(text.index))
    short = (text.ne("") & (text.str.len() < 10)).to_numpy(dtype=bool)
    if short.any():
        text = text.where(~short, text[short].str.zfill(10).reindex(text.index))
    if digits.all() and not short.any():  # every value kept as it was: only '' may be there twice
        empty = np.flatnonzero(text.iloc[:-1].eq("").to_numpy(dtype=bool))
        if not len(empty):
            return np.where(codes < 0, len(text) - 1, codes).astype(np.int64), text
        return np.where(codes < 0, empty[0], codes).astype(np.int64), text.iloc[:-1]
    same, distinct = pd.factorize(text)  # different cells may give one number
    return same[np.where(codes < 0, len(text) - 1, codes)].astype(np.int64), pd.Series(distinct, dtype="str")


@dataclasses.dataclass
class _Participants:
    """Who each row's periods belong to (see :func:`_participants`)."""

    label: np.ndarray  # per row: < numbers: a BHXH number; numbers + person: an identity; -1: invalid row
    numbers: pd.Series  # the distinct BHXH numbers
    persons: int  # identities; the label ``len(numbers) + persons`` is a valid row without a key
    identity_key: pd.Series
    person: np.ndarray

    @property
    def no_key(self) -> int:
        return len(self.numbers) + self.persons

    def texts(self) -> pd.Series:
        """The label texts: "B:" + each number, "K:" + each identity's key, missing for no key."""
        any_row = np.zeros(self.persons, dtype=np.int64)
        rows = np.flatnonzero(self.person >= 0)
        any_row[self.person[rows]] = rows  # every row of a person has the same key
        keys = self.identity_key.iloc[any_row].astype("str").reset_index(drop=True)
        return pd.concat(["B:" + self.numbers, "K:" + keys, pd.Series([np.nan], dtype="str")], ignore_index=True)


def _participants(bhxh_no: pd.Series, identity_key: pd.Series, person: np.ndarray,
                  valid: np.ndarray) -> _Participants:
    """Who each row's periods belong to, as codes (the texts of :func:`participant_labels` only on demand).

    Labels: "B:<BHXH number>" for a row with a BHXH number, else the number
    known for its identity ("B:…", the smallest), else "K:<identity key>";
    invalid rows have none. ``person``: the identity of each row (rows of one
    person share one key); -1 for a valid row without a key, whose label is
    then missing (as "K:" + a missing key would be).
    """
    n = len(valid)
    b_codes, numbers = bhxh_numbers(bhxh_no)
    n_b = len(numbers)
    has = numbers.ne("").to_numpy(dtype=bool)[b_codes] & valid
    persons = int(person.max(initial=-1)) + 1
    # identities with a row without a number take the smallest number of their other rows
    lacking = np.zeros(persons + 1, dtype=bool)
    lacking[person[valid & ~has]] = True  # (person -1 lands in the last slot, never used)
    donors = np.flatnonzero(has & (person >= 0) & lacking[person])
    known = np.full(persons, -1, dtype=np.int64)
    if len(donors):
        candidates = np.unique(b_codes[donors])
        by_text = pc.sort_indices(arrow_text(numbers.iloc[candidates])).to_numpy()
        rank = np.empty(n_b, dtype=np.int64)
        rank[candidates[by_text]] = np.arange(len(candidates))  # code point order, as Python compares text
        smallest = np.full(persons, len(candidates), dtype=np.int64)
        np.minimum.at(smallest, person[donors], rank[b_codes[donors]])
        found = smallest < len(candidates)
        known[found] = candidates[by_text][smallest[found]]
    inherited = valid & ~has & (person >= 0)
    inherited[inherited] = known[person[inherited]] >= 0

    label = np.full(n, -1, dtype=np.int64)
    label[has] = b_codes[has]
    label[inherited] = known[person[inherited]]
    rest = valid & ~has & ~inherited
    label[rest] = n_b + np.where(person[rest] >= 0, person[rest], persons)
    return _Participants(label, numbers, persons, identity_key, person)


def participant_labels(bhxh_no: pd.Series, identity_key: pd.Series, valid: np.ndarray) -> pd.Series:
    """Person label per row: the BHXH number, else the BHXH number known for the identity, else the identity.

    e.g. rows (bhxh '0123456789', key K), (bhxh '', key K), (bhxh '', key L)
         -> '0123456789', '0123456789', 'K:L'
    """
    valid = np.asarray(valid, dtype=bool)
    person = pd.factorize(identity_key)[0].astype(np.int64)
    who = _participants(bhxh_no, identity_key, person, valid)
    return _label_text(who.label, who.texts(), identity_key.index)


def _label_text(label: np.ndarray, texts: pd.Series, index: pd.Index) -> pd.Series:
    """The label text of each row ('' for rows without a label; object dtype)."""
    table = np.append(texts.to_numpy(dtype=object), "")
    return pd.Series(table[np.where(label >= 0, label, len(table) - 1)], index=index, dtype="object")


@dataclasses.dataclass
class ContinuityReview:
    """Per input row: ``rows`` (chain_start, months_continuous, five_year_date, reached, reprint,
    reprint_reason, person, identity_key); ``problems`` (extra periods that match nobody)."""

    rows: pd.DataFrame
    problems: pd.DataFrame
    has_printed: bool


def review_continuity(
    cards: pd.DataFrame,
    params: Params,
    as_of: dt.date | None = None,
    extra: pd.DataFrame | None = None,
    has_printed: bool = False,
) -> ContinuityReview:
    """Chains and 5-year dates for prepared cards (see :func:`bhyt_xl.core.prepare.prepare_cards`).

    ``extra``: credited periods without a card (army, police, cipher service,
    posting abroad), a frame with ``bhxh_no``, ``identity_key`` (may be ''),
    ``valid_from``, ``valid_to``, ``src_row``; each is joined to the person with
    that BHXH number, else that identity, else reported as a problem.
    ``has_printed``: the input had a printed 5-year date column; then a card
    of a chain that reached the date is re-printed when its printed date is
    missing or differs from the recomputed one.
    """
    ident = identity_keys(cards)
    valid = cards["valid"].to_numpy(dtype=bool)
    who = _participants(cards["bhxh_no"], ident["identity_key"], ident["person"].to_numpy(), valid)
    label = who.label
    keep = np.flatnonzero(valid)
    problems = empty_problems()
    if extra is not None and len(extra):
        labels = _label_text(label, who.texts(), cards.index)
        periods = pd.DataFrame({"person": labels.to_numpy()[keep], "is_extra": False}, index=cards.index[keep])
        extra_rows, problems = _attach_extra(extra, labels, cards, ident)
    else:
        periods = pd.DataFrame({"person": label[keep]}, index=cards.index[keep])  # the label codes will do
        extra_rows = None
    periods["valid_from"] = cards["valid_from"].to_numpy()[keep]
    periods["valid_to"] = cards["valid_to"].to_numpy()[keep]
    if extra_rows is not None:
        periods = pd.concat([periods, extra_rows])
    chains = build_continuity_chains(periods, continuity_options(params), as_of=as_of)
    if len(keep) < len(cards):
        chains = chains.reindex(cards.index)

    five = chains["five_year_date"]
    printed = cards["printed_5y"]
    reached = chains["reached"].fillna(False).astype(bool) & valid
    wrong = reached & printed.notna() & (printed.dt.normalize() != five)
    missing = reached & printed.isna()
    reprint = ((wrong | missing) if has_printed else pd.Series(False, index=cards.index)).to_numpy(dtype=bool)
    reason = np.empty(len(cards), dtype=object)
    reason.fill("")
    reason[reprint & missing.to_numpy(dtype=bool)] = REPRINT_MISSING
    reason[reprint & wrong.to_numpy(dtype=bool)] = REPRINT_WRONG
    # the person of each row: its label, numbered in order of first appearance (-1: no label)
    labelled = np.flatnonzero((label >= 0) & (label != who.no_key))
    person = np.full(len(cards), -1, dtype=np.int64)
    person[labelled] = pd.factorize(label[labelled])[0]
    rows = assemble(
        {
            "chain_start": chains["chain_start"],
            "months_continuous": chains["months_continuous"],
            "five_year_date": five.where(reached),
            "reached": reached,
            "reprint": reprint,
            "reprint_reason": pd.Series(reason, index=cards.index, dtype="object"),
            "person": person,
            "identity_key": ident["identity_key"],
            "valid": valid,
        },
        cards.index,
    )
    return ContinuityReview(rows, problems, has_printed)


def _attach_extra(extra: pd.DataFrame, labels: pd.Series, cards: pd.DataFrame, ident: pd.DataFrame):
    """Credited periods -> rows of the persons they belong to (by BHXH number, else identity)."""
    known = pd.Series(labels.to_numpy(), index=ident["identity_key"].to_numpy())
    known = known[known != ""]
    known = known[~known.index.duplicated()]
    bhxh = extra["bhxh_no"].astype("str").fillna("").str.replace(r"\D", "", regex=True)
    bhxh = bhxh.where(bhxh.eq("") | (bhxh.str.len() >= 10), bhxh.str.zfill(10))
    by_bhxh = ("B:" + bhxh).where(bhxh.ne(""))
    card_labels = set(labels[labels != ""])
    by_bhxh = by_bhxh.where(by_bhxh.isin(card_labels))
    by_key = extra["identity_key"].map(known)
    person = by_bhxh.fillna(by_key)
    unmatched = person.isna()
    problems = concat_problems(
        problems_for(unmatched, extra["src_row"], None, "Mã số BHXH / Họ tên",
                     "extra_unmatched",
                     "thời gian được tính (không có thẻ) không khớp người nào trong danh sách thẻ", ERROR)
    )
    rows = pd.DataFrame(
        {"person": person[~unmatched].to_numpy(), "valid_from": extra["valid_from"][~unmatched].to_numpy(),
         "valid_to": extra["valid_to"][~unmatched].to_numpy(), "is_extra": True},
        index=pd.RangeIndex(len(cards) + 10**9, len(cards) + 10**9 + int((~unmatched).sum())),
    )
    return rows, problems


# ---------------------------------------------------------------------------
# Credited periods without a card (an optional list: army, police, cipher service, posting abroad)
IDENTITY_FIELDS = ["full_name", "birth_date", "sex", "address"]


def missing_extra_columns(columns: dict[str, str]) -> list[str]:
    """A list of credited periods needs Từ ngày, Đến ngày and Mã số BHXH or the four identity fields."""
    missing = [f for f in ("valid_from", "valid_to") if f not in columns]
    if "bhxh_no" not in columns:
        missing += [f for f in IDENTITY_FIELDS if f not in columns]
    return missing


def prepare_extra(data: pd.DataFrame, columns: dict[str, str], src_row) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse a list of credited periods -> (periods with bhxh_no, identity_key, valid_from, valid_to, src_row; problems)."""
    from bhyt_xl.core.schema import label
    from bhyt_xl.core.values import as_text, parse_dates, parse_sex

    idx = data.index
    src = pd.Series(np.asarray(src_row, dtype="int64"), index=idx)
    found = RowProblems(src)

    def col(field):
        return data[columns[field]] if field in columns else None

    def text(field):
        values = col(field)
        return as_text(values) if values is not None else pd.Series("", index=idx, dtype="str")

    frame = pd.DataFrame({"src_row": src, "bhxh_no": text("bhxh_no"), "full_name": text("full_name"),
                          "address": text("address")}, index=idx)
    for field in ("valid_from", "valid_to"):
        dates, _, wrong = parse_dates(col(field))
        found.add(wrong, columns[field], col(field), "date", "'{value}' không phải ngày hợp lệ (dd/mm/yyyy)")
        found.add(dates.isna() & ~wrong, columns[field], None, "missing", "thiếu ngày")
        frame[field] = dates
    found.add(frame["valid_to"] < frame["valid_from"], columns["valid_to"], col("valid_to"), "end_before_start",
              "ngày kết thúc '{value}' trước ngày bắt đầu")
    birth = col("birth_date")
    if birth is not None:
        dates, year_only, _ = parse_dates(birth, allow_year_only=True)
    else:
        dates, year_only = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]"), pd.Series(False, index=idx)
    frame["birth_date"], frame["birth_year_only"] = dates, year_only
    frame["sex"] = parse_sex(col("sex"))[0] if col("sex") is not None else ""
    complete = (frame["full_name"] != "") & frame["birth_date"].notna() & (frame["sex"] != "") & (frame["address"] != "")
    found.add((frame["bhxh_no"] == "") & ~complete, label("bhxh_no"), None, "missing",
              "thiếu Mã số BHXH và thiếu họ tên, ngày sinh, giới tính hoặc địa chỉ để nhận diện người")
    frame["valid"] = complete.to_numpy()
    frame["identity_key"] = identity_keys(frame)["identity_key"]
    keep = ~found.invalid
    return frame.loc[keep, ["src_row", "bhxh_no", "identity_key", "valid_from", "valid_to"]], found.table()
