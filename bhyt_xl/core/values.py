"""Turning cell values as read (text, numbers, dates, Excel serials) into typed columns.

Readers hand over columns as they come from the file: datetime64 columns for
real date cells, float columns for numbers, object/str columns for text or
mixed content. Everything here is vectorised; parsing of free text is done on
the distinct values only and mapped back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = pd.to_datetime(values).dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        dates = dates.astype("datetime64[ns]").dt.normalize()
        bad = dates.notna() & ((dates < MIN_DATE) | (dates > MAX_DATE))
        return dates.where(~bad), pd.Series(False, index=index), bad

    blank = is_blank(values)
    codes, uniques = pd.factorize(values.where(~blank), use_na_sentinel=True)
    u = pd.Series(uniques, dtype="object")
    text = u.map(_to_plain_text).str.strip()
    # fast path: the common dd/mm/yyyy form, parsed in C; the regexes see only the rest
    fast = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    text = text.where(fast.isna(), "")
    y = pd.Series(np.nan, index=u.index)
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
        index=u.index,
    ).where(is_serial)
    year = pd.to_datetime(pd.DataFrame({"year": n.where(is_year), "month": 1, "day": 1}), errors="coerce")

    parsed = fast.astype("datetime64[ns]")
    for other in (ymd, serial, year):  # first form that parses wins; same dtype, so no silent casting
        parsed = parsed.where(parsed.notna(), other.astype("datetime64[ns]"))
    parsed = parsed.where((parsed >= MIN_DATE) & (parsed <= MAX_DATE))
    parsed_u = parsed.to_numpy(dtype="datetime64[ns]")
    year_u = is_year.to_numpy(dtype=bool) & ~np.isnat(parsed_u)
    take = np.where(codes < 0, 0, codes)
    if len(parsed_u) == 0:
        dates = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        return dates, pd.Series(False, index=index), pd.Series(False, index=index)
    dates = pd.Series(np.where(codes < 0, np.datetime64("NaT", "ns"), parsed_u[take]), index=index)
    year_only = pd.Series(np.where(codes < 0, False, year_u[take]), index=index)
    bad = pd.Series((codes >= 0) & np.isnat(dates.to_numpy()), index=index)
    return dates.astype("datetime64[ns]"), year_only, bad


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
    """
    from bhyt_xl.core.text import fold_header

    text = as_text(values)
    codes, uniques = pd.factorize(text)
    folded = np.array([fold_header(u) for u in uniques], dtype=object)
    label = np.where(
        np.isin(folded, list(_SEX_MALE)), "Nam", np.where(np.isin(folded, list(_SEX_FEMALE)), "Nữ", "?")
    )
    label = np.where(folded == "", "", label)
    sex = pd.Series(label[codes] if len(label) else np.array([], dtype=object), index=values.index, dtype="object")
    return sex.where(sex != "?", ""), sex == "?"
