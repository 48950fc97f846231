"""Counting months of a period (the engine's one month rule).

Each calendar month counts the share of its days that the period covers:
01/07/2011–31/12/2011 = 6.00 months; 16/07/2011–31/12/2011 = 16/31 + 5 = 5.52.
Periods are inclusive of both ends. Everything here is vectorised over numpy
``datetime64[D]`` arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")


def as_days(values) -> np.ndarray:
    """Any date-like array / Series -> ``datetime64[D]`` numpy array (NaT kept)."""
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    return np.asarray(values).astype("datetime64[D]")


def _month_parts(days: np.ndarray):
    month = days.astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    dim = ((month + 1).astype("datetime64[D]") - first).astype("int64")
    dom = (days - first).astype("int64") + 1
    return month.astype("int64"), dom, dim


def month_fraction(start, end) -> np.ndarray:
    """Months covered by the inclusive periods [start, end] (float array).

    An empty period (end < start) or a missing date gives 0.

    e.g. 01/07/2011–31/12/2011 → 6.0; 16/07/2011–31/12/2011 → 5.516…
    """
    s = as_days(start)
    e = as_days(end)
    valid = ~(np.isnat(s) | np.isnat(e))
    valid &= np.where(valid, e >= s, False)
    s = np.where(valid, s, np.datetime64("2000-01-01", "D"))
    e = np.where(valid, e, np.datetime64("2000-01-01", "D"))
    ms, ds, dims = _month_parts(s)
    me, de, dime = _month_parts(e)
    same = ms == me
    within = (de - ds + 1) / dims
    across = (dims - ds + 1) / dims + (me - ms - 1) + de / dime
    out = np.where(same, within, across)
    return np.where(valid, out, 0.0)


def explode_months(seg_id, start, end) -> pd.DataFrame:
    """One row per (segment, calendar month) with the share of that month covered.

    Returns columns ``seg`` (the given id), ``month`` (first day of the month,
    datetime64[D]), ``year`` (int) and ``share`` (0 < share ≤ 1).
    Empty or missing periods give no rows.
    """
    seg_id = np.asarray(seg_id)
    s = as_days(start)
    e = as_days(end)
    ok = ~(np.isnat(s) | np.isnat(e))
    ok &= np.where(ok, e >= s, False)
    seg_id, s, e = seg_id[ok], s[ok], e[ok]
    ms = s.astype("datetime64[M]")
    me = e.astype("datetime64[M]")
    n = (me - ms).astype("int64") + 1
    rep = np.repeat(np.arange(len(s)), n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    month = ms[rep] + offset.astype("timedelta64[M]")
    first = month.astype("datetime64[D]")
    nxt = (month + 1).astype("datetime64[D]")
    dim = (nxt - first).astype("int64")
    lo = np.maximum(first, s[rep])
    hi = np.minimum(nxt - DAY, e[rep])
    share = ((hi - lo).astype("int64") + 1) / dim
    year = month.astype("datetime64[Y]").astype("int64") + 1970
    return pd.DataFrame({"seg": seg_id[rep], "month": first, "year": year, "share": share})


def round_months(values, mode: str) -> np.ndarray:
    """Round reported months: 'none', '2dp' (2 decimals), 'up' or 'down' (whole months).

    A tiny tolerance keeps exact whole months whole (6.0000000001 → 6).
    """
    v = np.asarray(values, dtype="float64")
    if mode == "none":
        return v
    if mode == "2dp":
        return np.floor(v * 100 + 0.5 + 1e-9) / 100
    if mode == "up":
        return np.ceil(v - 1e-9)
    if mode == "down":
        return np.floor(v + 1e-9)
    raise ValueError(f"unknown month rounding mode {mode!r}")


def round_money(values) -> np.ndarray:
    """Round đồng half up to whole đồng (not banker's rounding)."""
    v = np.asarray(values, dtype="float64")
    return np.floor(v + 0.5 + 1e-6)
