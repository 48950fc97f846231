"""Cleaning the rows of a list as read, before the engine sees them (pure pandas).

Real lists carry rows that are not cards: blank rows, subtotal rows ("Cộng",
"Tổng cộng", "Cộng nhóm …", "Tổng số") between blocks, the header repeated on
every printed page (either row of a two-row header too), and the row of
column numbers "(1) (2) (3) …" or "A B C 1 2 …" that Vietnamese forms put
under the header. These rows are *skipped and counted*
(never silently lost): :func:`classify_rows` says which rows they are.

Merged cells (a commune name merged down a block of rows) give their value
only in the first cell; :func:`fill_merged` copies it down the block, for the
merged cells only; other blanks stay blank.

Only a few candidate rows (the card-number cell blank or header-like) are
looked at cell by cell, so a list of a million cards costs a few vectorised
column operations.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bhyt_xl.core.text import fold_header
from bhyt_xl.core.values import is_blank

#: Columns that identify a row; a subtotal row has them all empty.
KEY_FIELDS = ("card_no", "bhxh_no")
#: Date columns in which a subtotal row has no date (a card row missing its number still has them).
DATE_FIELDS = ("birth_date", "valid_from", "valid_to")

_SUBTOTAL = re.compile(
    r"^(?:[ivxlc]+[.)]|\d{1,3}[.)]|[-*+•])?\s*"
    r"(?:(?:tổng\s+cộng|cộng|tổng\s+số|tong\s+cong|tong\s+so|cong)(?=$|[\s:.,;(\-])|tổng\s*:?$|tong\s*:?$)"
)
_COLUMN_NO = re.compile(r"^\(?\s*(\d{1,3}|[a-z])\s*\)?$")


@dataclasses.dataclass
class RowClasses:
    """Masks over the rows of a frame (same length): which rows are skipped and why."""

    blank: np.ndarray  # every cell empty in the file
    subtotal: np.ndarray  # "Cộng", "Tổng cộng", … with the card number empty
    header: np.ndarray  # the header repeated, or the row of column numbers
    trailing: np.ndarray  # blank rows after the last non-blank row (not counted as read)

    @property
    def keep(self) -> np.ndarray:
        return ~(self.blank | self.subtotal | self.header | self.trailing)


def blank_rows(data: pd.DataFrame) -> np.ndarray:
    """True for rows whose every cell is empty (missing or spaces only).

    Columns are looked at fullest first, each only on the rows still blank so
    far: after a column filled on every row nothing is left to look at.
    """
    n = len(data)
    columns = [data.iloc[:, j] for j in range(data.shape[1])]
    columns.sort(key=lambda col: -int(col.count()))
    rows = np.arange(n)
    for col in columns:
        if not len(rows):
            break
        rows = rows[is_blank(col if len(rows) == n else col.iloc[rows]).to_numpy()]
    blank = np.zeros(n, dtype=bool)
    blank[rows] = True
    return blank


def normalise_cell(value: object) -> str:
    """A cell as folded text for comparisons: NFC, case-folded, spaces collapsed; '' for blanks."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split()).casefold().lstrip("'")


def is_subtotal_text(value: object) -> bool:
    """'Cộng', 'Tổng cộng', 'Cộng nhóm 1', 'TỔNG SỐ:', 'I. Cộng', 'Tong cong' … (text cells only)."""
    if not isinstance(value, str):
        return False
    return bool(_SUBTOTAL.match(normalise_cell(value)))


def _column_number_row(cells: list[object]) -> bool:
    """The row of column numbers under a header, in column order.

    '(1) (2) (3) …', '1 2 3 …', 'A B C …', or letters then numbers
    'A B C 1 2 3 …' (official forms letter their text columns and number
    the others).
    """
    letters, numbers = [], []
    for v in cells:
        text = normalise_cell(v)
        if text == "":
            continue
        m = _COLUMN_NO.match(text)
        if not m:
            return False
        token = m.group(1)
        if token.isdigit():
            numbers.append(int(token))
        elif numbers:
            return False  # a letter after a number
        else:
            letters.append(ord(token) - ord("a") + 1)
    return (len(letters) + len(numbers) >= 3 and all(b > a for a, b in itertools.pairwise(letters))
            and all(b > a for a, b in itertools.pairwise(numbers)))


def classify_rows(data: pd.DataFrame, header: list[object], fields: dict[int, str], field_for,
                  blank: np.ndarray | None = None, captions: tuple[list[object], ...] = ()) -> RowClasses:
    """Which rows of ``data`` (columns in header order) are blank, subtotals or repeated headers.

    ``fields`` maps column positions to recognised fields; ``field_for`` is the
    list kind's header recogniser (header text -> field or None). ``blank`` may
    be given when it was computed before merged cells were filled.
    ``captions``: the rows of a two-row header as they are (``header`` then
    holds the combined captions): either row repeated below is a header row.
    """
    n = len(data)
    if blank is None:
        blank = blank_rows(data)
    nonblank = np.flatnonzero(~blank)
    trailing = np.zeros(n, dtype=bool)
    trailing[(nonblank[-1] + 1 if len(nonblank) else 0):] = True
    blank = blank & ~trailing
    subtotal = np.zeros(n, dtype=bool)
    repeated = np.zeros(n, dtype=bool)
    if n == 0 or not len(nonblank):
        return RowClasses(blank, subtotal, repeated, trailing)

    by_field = {f: j for j, f in fields.items() if j < data.shape[1]}
    keys = [by_field[f] for f in KEY_FIELDS if f in by_field]
    key_blank = np.ones(n, dtype=bool)
    key_odd = np.zeros(n, dtype=bool)  # key cell that is header-like, a column number or a subtotal caption
    width = data.shape[1]
    heads = [[header[j] if j < len(header) else None] + [line[j] for line in captions if j < len(line)]
             for j in range(width)]
    for j in keys:
        col = data.iloc[:, j]
        key_blank &= is_blank(col).to_numpy()
        key_odd |= _header_like(col, heads[j])
    candidates = np.flatnonzero(~blank & ~trailing & (key_blank | key_odd))
    if not len(candidates):
        return RowClasses(blank, subtotal, repeated, trailing)

    dates = [by_field[f] for f in DATE_FIELDS if f in by_field]
    head = [{t for t in map(normalise_cell, cells) if t} for cells in heads]
    block = data.iloc[candidates].astype(object).to_numpy()
    for i, cells in zip(candidates, block):
        cells = [None if _empty(v) else v for v in cells]
        texts = [normalise_cell(v) for v in cells]
        filled = [t for t in texts if t]
        like = sum(1 for j, t in enumerate(texts) if t and (t in head[j] or field_for(cells[j]) is not None))
        if len(filled) and like >= 2 and like * 2 >= len(filled) or _column_number_row(cells):
            repeated[i] = True
        elif (all(texts[j] == "" or is_subtotal_text(cells[j]) for j in keys)
              and not any(_dateish(cells[j]) for j in dates) and any(is_subtotal_text(v) for v in cells)):
            subtotal[i] = True
    return RowClasses(blank, subtotal, repeated, trailing)


_DATE_TEXT = re.compile(r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}")


def _dateish(v: object) -> bool:
    """A date cell or date text (a subtotal row has none; a count or sum in a date column is allowed)."""
    if v is None or isinstance(v, (bool, int, float, np.integer, np.floating)):
        return False
    if isinstance(v, str):
        return bool(_DATE_TEXT.match(v.strip()))
    return hasattr(v, "year")


def _empty(v: object) -> bool:
    if v is None or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


#: A card or BHXH number (not a header, caption or column number), for RE2 (pyarrow): ASCII spaces and
#: digits only (Python's \s and \d would send pandas to a per-row Python regex), so a cell with other
#: spaces or digits is not passed over here but looked at with the distinct values.
_DATA_KEY_RE2 = r"^[ \t\n\r\f\v]*'?(?:[A-Za-z]{2}[ \t\n\r\f\v]*[0-9]|[0-9]{5,})"


def _header_like(col: pd.Series, header_cells: list[object]) -> np.ndarray:
    """Key cells that are not card data: equal to a header cell of the column, a small column number or 'Cộng …'.

    Cells that start like a card or BHXH number are passed over with one
    vectorised match; only the others are looked at one distinct value at a time.
    """
    out = np.zeros(len(col), dtype=bool)
    if pd.api.types.is_bool_dtype(col.dtype):
        return out
    if pd.api.types.is_numeric_dtype(col.dtype):
        num = col.astype("float64")
        return ((num > 0) & (num < 1000)).fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return out
    text = pa.array(col.astype("str").array, type=pa.large_string())
    data_like = pc.fill_null(pc.match_substring_regex(text, _DATA_KEY_RE2), False).to_numpy(zero_copy_only=False)
    look = col.notna().to_numpy(dtype=bool) & ~data_like
    idx = np.flatnonzero(look)
    if not len(idx):
        return out
    values = col.iloc[idx].to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    heads = {fold_header(h) for h in header_cells} - {""}
    odd = np.zeros(len(uniques), dtype=bool)
    for k, u in enumerate(uniques):
        if isinstance(u, str):
            if len(u) > 40:
                continue
            t = normalise_cell(u)
            odd[k] = bool(_COLUMN_NO.match(t)) or fold_header(u) in heads or bool(_SUBTOTAL.match(t))
        elif isinstance(u, (int, float, np.integer, np.floating)) and not isinstance(u, (bool, np.bool_)):
            odd[k] = 0 < float(u) < 1000
    out[idx] = np.where(codes < 0, False, odd[np.where(codes < 0, 0, codes)])
    return out


def fill_merged(data: pd.DataFrame, blocks: list[tuple[int, int, int]]) -> int:
    """Copy each merged block's value down its first column, in place; returns the cells filled.

    ``blocks``: (column position, first row, last row) in ``data`` positions.
    Only the merged cells get the value; nothing else is filled.
    """
    filled = 0
    for j, r0, r1 in blocks:
        if j >= data.shape[1] or r0 < 0 or r0 >= len(data) or r1 <= r0:
            continue
        r1 = min(r1, len(data) - 1)
        value = data.iat[r0, j]
        if _empty(value):
            continue
        col = data.iloc[:, j]
        targets = np.arange(r0 + 1, r1 + 1)
        targets = targets[is_blank(col.iloc[targets]).to_numpy()]
        if not len(targets):
            continue
        arr = col.to_numpy(dtype=object, copy=True)
        arr[targets] = value
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            new = pd.Series(pd.to_datetime(arr), index=col.index).astype(col.dtype)
        elif pd.api.types.is_float_dtype(col.dtype) and isinstance(value, (int, float)) or isinstance(col.dtype, pd.StringDtype) and isinstance(value, str):
            new = pd.Series(arr, index=col.index).astype(col.dtype)
        else:
            new = pd.Series(arr, index=col.index, dtype=object)
        data.isetitem(j, new)
        filled += len(targets)
    return filled


_ISO_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)?$")


def restore_dates(data: pd.DataFrame, dropped: np.ndarray) -> None:
    """Give back date columns their dates once header/subtotal rows are dropped, in place.

    fastexcel turns a column of dates into text ("2011-01-01 00:00:00") when one
    cell of it is text, e.g. a repeated header. A text column whose remaining
    values are all such stamps, and that had text in a dropped row, becomes a
    date column again. Numbers are never converted (codes keep their zeros).
    """
    if not dropped.any():
        return
    for j in range(data.shape[1]):
        col = data.iloc[:, j]
        if not (isinstance(col.dtype, pd.StringDtype) or col.dtype == object):
            continue
        if col[dropped].isna().all():
            continue
        rest = col[~dropped].dropna()
        if not len(rest) or not all(isinstance(v, str) and _ISO_STAMP.match(v) for v in rest.unique()):
            continue
        stamps = pd.to_datetime(col.where(~dropped), format="ISO8601", errors="coerce")
        data.isetitem(j, stamps.astype("datetime64[ms]"))


# fastexcel's text form of a date cell in a column it coerced to text ("1930-04-01 00:00:00")
_FASTEXCEL_STAMP = r"^\d{4}-\d{2}-\d{2} 00:00:00$"  # a date (midnight): a time of day is left to the date parser


def stamps_as_shown(data: pd.DataFrame) -> None:
    """Date stamps left in text columns shown as Excel shows them, in place.

    fastexcel turns a column mixing dates with numbers or text (birth dates
    with a bare year 1935 for old people) into text, and its dates into stamps
    "1930-04-01 00:00:00". In every text column (str/string dtype or object
    holding strings) each value of exactly that form becomes "01/04/1930".
    Other values (1935, "2011-01-01", "2011-01-01T00:00:00", a stamp with a
    time of day, which the date parser reads as it is, any text) are left
    alone, and so is a stamp that is no calendar date; a column's dtype never
    changes.

    A column is first looked at byte by byte in its arrow buffers (length,
    '-' at byte 4, ' ' at byte 10 …), so a column of addresses costs a few
    vectorised lookups; only the values shaped like a stamp are then matched
    and converted, once per distinct value.
    """
    for j in range(data.shape[1]):
        col = data.iloc[:, j]
        if isinstance(col.dtype, pd.StringDtype):
            new = _arrow_stamps_shown(pa.array(col.array, type=pa.large_string()))
            if new is not None:
                data.isetitem(j, pd.Series(pd.array(new, dtype=col.dtype), index=col.index, name=col.name))
        elif col.dtype == object:
            new = _object_stamps_shown(col)
            if new is not None:
                data.isetitem(j, new)


def _object_stamps_shown(col: pd.Series) -> pd.Series | None:
    """:func:`stamps_as_shown` for one object column (None: nothing changes); only its strings are looked at."""
    values = col.to_numpy(dtype=object)
    try:  # all strings (NaN/None/NA missing)
        text = pa.array(values, type=pa.large_string(), from_pandas=True)
        idx = None
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):  # strings among numbers, dates …
        idx = np.flatnonzero(np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values)))
        if not len(idx):
            return None
        text = pa.array(values[idx], type=pa.large_string())
    new = _arrow_stamps_shown(text)
    if new is None:
        return None
    changed = np.flatnonzero(pc.fill_null(pc.not_equal(new, text), False).to_numpy(zero_copy_only=False))
    out = values.copy()
    out[changed if idx is None else idx[changed]] = new.take(pa.array(changed)).to_numpy(zero_copy_only=False)
    return pd.Series(out, index=col.index, name=col.name, dtype=object)


def _arrow_stamps_shown(text: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """``text`` (large_string) with its stamps shown as dates; None when it has none."""
    if len(text) == 0 or text.null_count == len(text):
        return None
    cand = _stamp_like(text)
    if not len(cand):
        return None
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    whole = len(cand) * 4 >= len(text)  # mostly stamps: encode the column itself, no gather
    enc = (text if whole else text.take(pa.array(cand))).dictionary_encode()
    shown = _shown_distinct(enc.dictionary)
    if shown is None:
        return None
    if whole:
        return shown.take(enc.indices)
    codes = enc.indices.to_numpy(zero_copy_only=False)
    hit = pc.fill_null(pc.not_equal(shown, enc.dictionary), False).to_numpy(zero_copy_only=False)[codes]
    mask = np.zeros(len(text), dtype=bool)
    mask[cand[hit]] = True
    return pc.replace_with_mask(text, pa.array(mask), shown.take(pa.array(codes[hit])))


def _shown_distinct(values: pa.Array) -> pa.Array | None:
    """Distinct texts with the valid stamps among them shown as dates; None when there is none."""
    match = pc.fill_null(pc.match_substring_regex(values, _FASTEXCEL_STAMP), False)
    at = np.flatnonzero(match.to_numpy(zero_copy_only=False))
    if not len(at):
        return None
    shown, valid = _show_stamps(values.take(pa.array(at)))
    if not valid.any():
        return None
    mask = np.zeros(len(values), dtype=bool)
    mask[at[valid]] = True
    return pc.replace_with_mask(values, pa.array(mask), shown.filter(pa.array(valid)))


def _stamp_like(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Positions of the values shaped like a stamp: 19 or more than 20 bytes, '-', ' ', ':' in place.

    Read straight from the arrow buffers (no copy, no regex): a column of
    addresses or names costs a few vectorised byte lookups.
    """
    found = []
    start = 0
    for chunk in (text.chunks if isinstance(text, pa.ChunkedArray) else [text]):
        n = len(chunk)
        offs, data = _string_buffers(chunk)
        if n and len(data):
            size = np.diff(offs)
            idx = np.flatnonzero((size == 19) | (size >= 21))
            for pos, byte in ((4, 45), (10, 32), (13, 58)):  # '-', ' ', ':' (the pattern checks the rest)
                if not len(idx):
                    break
                idx = idx[data[offs[idx] + pos] == byte]
            if len(idx):
                found.append(idx + start)
        start += n
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _string_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's value offsets (``len + 1`` of them, this slice's) and its bytes, as numpy views (no copy)."""
    _, offsets, values = text.buffers()
    if offsets is None:  # an empty array may have no buffers
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    wide = pa.types.is_large_string(text.type) or pa.types.is_large_binary(text.type)
    offs = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)[text.offset: text.offset + len(text) + 1]
    data = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, dtype=np.uint8)
    return offs, data


def _show_stamps(stamps: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Distinct stamps -> (each as Excel shows it, valid mask); a stamp that is no calendar date is invalid."""
    offsets, data = _string_buffers(stamps)
    start = offsets[:-1]

    def number(first: int, last: int) -> np.ndarray:  # the digits at bytes first..last-1 of every stamp
        out = np.zeros(len(start), dtype=np.int64)
        for k in range(first, last):
            out = out * 10 + (data[start + k].astype(np.int64) - 48)
        return out

    y, m, d = number(0, 4), number(5, 7), number(8, 10)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)] + (leap & (m == 2))
    valid = ((y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days)
             & (number(11, 13) < 24) & (number(14, 16) < 60) & (number(17, 19) < 60))
    slash = pa.scalar("/", pa.large_string())
    day = pc.binary_join_element_wise(pc.utf8_slice_codeunits(stamps, 8, 10), pc.utf8_slice_codeunits(stamps, 5, 7),
                                      pc.utf8_slice_codeunits(stamps, 0, 4), slash)
    return day, valid
