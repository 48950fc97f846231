"""Turning cell values as read (text, numbers, dates, Excel serials) into typed columns.

Readers hand over columns as they come from the file: datetime64 columns for
real date cells, float columns for numbers, object/str columns for text or
mixed content. Everything here is vectorised; parsing of free text is done on
the distinct values only and mapped back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
MIN_DATE = pd.Timestamp("1900-01-01")
MAX_DATE = pd.Timestamp("2100-12-31")

_ISO = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_DMY = r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"
_YMD = r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})$"
_NUM = r"^(?P<n>\d+)(?:\.(?P<f>\d+))?$"


def is_blank(values: pd.Series) -> pd.Series:
    """True where a cell is empty: missing, or text of only spaces."""
    blank = values.isna()
    if isinstance(values.dtype, pd.StringDtype):
        return blank | values.fillna("").str.strip().eq("")
    if values.dtype == object:
        text = values.where(~blank, "")
        strings = text.map(type).eq(str)
        if strings.any():
            blank = blank | (strings & text.astype(str).str.strip().eq(""))
    return blank


def is_arrow_text(values: pd.Series) -> bool:
    """True for pandas' default text dtype ("str": pyarrow storage, NaN for missing)."""
    dtype = values.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is np.nan


def arrow_text(values) -> pa.Array:
    """Text values (a "str" Series, or strings) as one pyarrow large_string array."""
    text = pa.array(values, type=pa.large_string())
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


def distinct_values(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)`` as :func:`pandas.factorize` (int64 codes, -1 for missing; uniques as a Series).

    A "str" column is factorised by pyarrow directly (same codes and uniques,
    uniques keep the "str" dtype).
    """
    if is_arrow_text(values):
        encoded = pc.dictionary_encode(arrow_text(values))
        codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int64)
        return codes, pd.Series(pd.array(encoded.dictionary, dtype="str"))
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), pd.Series(uniques)


def _blank_uniques(uniques: pd.Series) -> np.ndarray:
    """:func:`is_blank` of each distinct value (``uniques`` from :func:`distinct_values`, no missing)."""
    if is_arrow_text(uniques):
        return pc.equal(pc.utf8_trim_whitespace(arrow_text(uniques)), "").to_numpy(zero_copy_only=False)
    return is_blank(uniques).to_numpy(dtype=bool)


def _take(table: np.ndarray, codes: np.ndarray, missing) -> np.ndarray:
    """``table[codes]`` with ``missing`` where a code is -1."""
    return np.append(table, np.array([missing], dtype=table.dtype))[np.where(codes < 0, len(table), codes)]


def assemble(columns: dict, index: pd.Index) -> pd.DataFrame:
    """A frame of whole columns (Series on ``index`` or arrays), in order, without copying them.

    ``pd.DataFrame(dict)`` stacks columns of one dtype into one block (a copy
    of every value); inserting the columns one by one keeps each as it is.
    """
    out = pd.DataFrame(index=index)
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype != object:  # (a bare array would be copied)
            values = pd.Series(values, index=index, dtype=values.dtype, copy=False)
        out[name] = values
    return out


def as_text(values: pd.Series) -> pd.Series:
    """Cell values as stripped text (pandas "str" dtype); whole numbers lose their '.0'; blanks -> ''.

    e.g. 123456789012345.0 -> '123456789012345'; "'0123" (Excel text mark) -> '0123';
    a date cell -> '30/06/2012'. Text columns are handled by vectorised string
    kernels; mixed object columns are converted once per distinct value.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("object").map({True: "TRUE", False: "FALSE"}).fillna("").astype("str")
    if pd.api.types.is_numeric_dtype(values.dtype):
        num = values.astype("float64")
        whole = num.notna() & (num == np.floor(num.fillna(0)))
        out = num.astype(str)
        out = out.where(~whole, num.fillna(0).astype("int64").astype(str))
        return out.where(num.notna(), "").astype("str")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        text = np.append(pd.Series(uniques).dt.strftime("%d/%m/%Y").to_numpy(dtype=object), "")
        return pd.Series(text[np.where(codes < 0, len(text) - 1, codes)], index=values.index).astype("str")
    if is_arrow_text(values):
        # the same pyarrow kernels as .str.strip() / .str.lstrip("'"), without the pandas round trips
        text = pc.utf8_trim_whitespace(arrow_text(values).fill_null(""))
        if pc.any(pc.starts_with(text, "'")).as_py():
            text = pc.utf8_ltrim(text, "'")
        return pd.Series(pd.array(text, dtype="str"), index=values.index, name=values.name)
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("").str.strip().str.lstrip("'").astype("str")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="object")
    num = pd.to_numeric(u.where(u.map(type).isin([int, float])), errors="coerce")
    text = u.map(_display_text).astype("object").str.strip().str.lstrip("'")
    whole = num.notna() & (num == np.floor(num.fillna(0)))
    text = text.where(~whole, num.fillna(0).astype("int64").astype(str))
    mapped = np.append(text.to_numpy(dtype=object), "")
    return pd.Series(mapped[np.where(codes < 0, len(text), codes)], index=values.index).astype("str")


def parse_dates(values: pd.Series, allow_year_only: bool = False):
    """Parse one column of dates as staff write them.

    Accepts real date cells, Excel serial numbers, text dd/mm/yyyy, d/m/yyyy,
    dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd (with or without a time part) and
    yyyy/mm/dd. With ``allow_year_only`` (dates of birth) a bare year such as
    1945 (number or text) is accepted and stands for 01/01 of that year.

    Returns ``(dates, year_only, bad)``: a datetime64[ns] Series (NaT where
    blank or bad), a bool Series marking year-only values, and a bool Series
    marking non-blank values that are not a valid date (e.g. '31/02/1980').
    """
    dates, year_only, bad, _ = parse_dates_blank(values, allow_year_only)
    return dates, year_only, bad


def parse_dates_blank(values: pd.Series, allow_year_only: bool = False):
    """:func:`parse_dates` plus a fourth Series, :func:`is_blank` of ``values`` (computed on the way)."""
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = pd.to_datetime(values).dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        dates = dates.astype("datetime64[ns]").dt.normalize()
        bad = dates.notna() & ((dates < MIN_DATE) | (dates > MAX_DATE))
        return dates.where(~bad), pd.Series(False, index=index), bad, is_blank(values)

    # every step below is per value: it runs on the distinct non-blank values, mapped back by code
    codes, uniques = distinct_values(values)
    blank_u = _blank_uniques(uniques)
    if blank_u.any():
        keep = np.flatnonzero(~blank_u)
        renumber = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last slot: missing (-1)
        renumber[keep] = np.arange(len(keep))
        codes = renumber[codes]
        uniques = uniques.iloc[keep]
    blank = pd.Series(codes < 0, index=index)  # missing or blank
    if len(uniques) == 0:
        dates = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        return dates, pd.Series(False, index=index), pd.Series(False, index=index), blank
    parsed_u, year_u = _parse_distinct(_date_texts(uniques), allow_year_only)
    dates = pd.Series(_take(parsed_u, codes, np.datetime64("NaT", "ns")), index=index)
    year_only = pd.Series(_take(year_u, codes, False), index=index)
    bad = pd.Series((codes >= 0) & np.isnat(dates.to_numpy()), index=index)
    return dates.astype("datetime64[ns]"), year_only, bad, blank


def _date_texts(uniques: pd.Series) -> pd.Series:
    """Each distinct value as text for the date patterns (:func:`_to_plain_text`, stripped); object Series.

    Text of printable ASCII characters is handled by pyarrow kernels (its only
    whitespace is the space, so stripping spaces is Python's strip); other
    values one by one.
    """
    u = pd.Series(uniques.to_numpy(dtype=object), dtype="object")
    if not is_arrow_text(uniques):
        return u.map(_to_plain_text).str.strip()
    text = arrow_text(uniques)
    simple = pc.match_substring_regex(text, r"^[\x20-\x7e]*$").to_numpy(zero_copy_only=False)
    out = np.empty(len(u), dtype=object)
    trimmed = pc.utf8_trim(pc.utf8_ltrim(text.filter(pa.array(simple)), "'"), " ")
    out[simple] = trimmed.to_numpy(zero_copy_only=False)
    out[~simple] = u[~simple].map(_to_plain_text).str.strip().to_numpy(dtype=object)
    return pd.Series(out, dtype="object")


def _parse_distinct(text: pd.Series, allow_year_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-blank values as text (object Series, :func:`_date_texts`) ->
    (datetime64[ns] array, NaT if bad; year-only mask)."""
    # fast path: the common dd/mm/yyyy form, parsed in C; the regexes see only the rest
    fast = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    parsed = fast.astype("datetime64[ns]")
    is_year = pd.Series(False, index=text.index)
    rest = text[fast.isna() & text.ne("")]
    if len(rest):
        others, is_year_rest = _parse_other_forms(rest, allow_year_only)
        parsed = parsed.where(parsed.notna(), others.reindex(text.index))
        is_year = is_year_rest.reindex(text.index, fill_value=False)
    parsed = parsed.where((parsed >= MIN_DATE) & (parsed <= MAX_DATE))
    parsed_u = parsed.to_numpy(dtype="datetime64[ns]")
    year_u = is_year.to_numpy(dtype=bool) & ~np.isnat(parsed_u)
    return parsed_u, year_u


def _parse_other_forms(text: pd.Series, allow_year_only: bool) -> tuple[pd.Series, pd.Series]:
    """The forms other than dd/mm/yyyy, for texts the fast path did not read (no empty text)."""
    y = pd.Series(np.nan, index=text.index)
    m = y.copy()
    d = y.copy()
    for pattern in (_ISO, _DMY, _YMD):
        parts = text.str.extract(pattern)
        hit = parts["y"].notna() & y.isna()
        y = y.where(~hit, pd.to_numeric(parts["y"]))
        m = m.where(~hit, pd.to_numeric(parts["m"]))
        d = d.where(~hit, pd.to_numeric(parts["d"]))
    ymd = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": d}), errors="coerce")

    num = text.str.extract(_NUM)
    n = pd.to_numeric(num["n"], errors="coerce")
    is_year = n.notna() & (n >= 1800) & (n <= 2100) & num["f"].fillna("0").str.fullmatch("0+")
    is_year &= allow_year_only
    is_serial = n.notna() & ~is_year & (n >= 1) & (n <= 2958465)
    serial = pd.Series(
        (EXCEL_EPOCH + n.where(is_serial, 0).astype("int64").to_numpy().astype("timedelta64[D]")).astype(
            "datetime64[ns]"
        ),
        index=text.index,
    ).where(is_serial)
    year = pd.to_datetime(pd.DataFrame({"year": n.where(is_year), "month": 1, "day": 1}), errors="coerce")

    parsed = ymd.astype("datetime64[ns]")
    for other in (serial, year):  # first form that parses wins; same dtype, so no silent casting
        parsed = parsed.where(parsed.notna(), other.astype("datetime64[ns]"))
    return parsed, is_year.astype(bool)


def _display_text(value: object) -> str:
    """One distinct value as staff would read it: dates as dd/mm/yyyy."""
    if hasattr(value, "strftime") and not isinstance(value, str):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _to_plain_text(value: object) -> str:
    """Distinct cell value -> text for the date patterns (one call per distinct value)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value).lstrip("'")


_SEX_MALE = {"nam", "m", "male", "1", "trai"}
_SEX_FEMALE = {"nu", "f", "female", "0", "2", "gai"}


def parse_sex(values: pd.Series):
    """'Nam'/'Nữ' (any case or diacritics form), 1/0 (and 2 = Nữ as in QĐ 130), M/F.

    Returns ``(sex, bad)``: 'Nam' / 'Nữ' / '' (blank) and a mask of values not understood.
    Each distinct value is read once.
    """
    from bhyt_xl.core.text import fold_header

    codes, uniques = distinct_values(values)
    text = as_text(uniques).to_numpy(dtype=object)
    folded = np.array([fold_header(u) for u in text], dtype=object)
    label = np.where(
        np.isin(folded, list(_SEX_MALE)), "Nam", np.where(np.isin(folded, list(_SEX_FEMALE)), "Nữ", "?")
    ).astype(object)
    label = np.where(folded == "", "", label).astype(object)
    bad = label == "?"
    sex = _take(np.where(bad, "", label).astype(object), codes, "")  # a missing value is blank
    return pd.Series(sex, index=values.index, dtype="object", copy=False), \
        pd.Series(_take(bad, codes, False), index=values.index)
