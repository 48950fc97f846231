"""Premium in force per month, and the budget's share of it.

Money for a duplicate period (CV 493; CV 549/BTC-HCSN): for each month, the
share of the month covered × the monthly premium in force that month, where
premium = rate × base salary (NĐ 146/2018 Điều 10: re-computed from the date a
new base or rate applies). The value in force on the first day of the month is
used for the whole month; dates before a table's first row use its first row.

e.g. 07/2011: 3% × 830,000 = 24,900 đ; 05/2012: 3% × 1,050,000 = 31,500 đ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bhyt_xl.params import Params


def _in_force(effective_from: pd.Series, values: pd.Series, on: np.ndarray) -> np.ndarray:
    """Value of a dated table in force on each date of ``on`` (datetime64[D])."""
    order = np.argsort(pd.to_datetime(effective_from).to_numpy().astype("datetime64[D]"), kind="stable")
    eff = pd.to_datetime(effective_from).to_numpy().astype("datetime64[D]")[order]
    vals = np.asarray(values, dtype="float64")[order]
    pos = np.searchsorted(eff, on, side="right") - 1
    return vals[np.clip(pos, 0, len(vals) - 1)]


def monthly_premium(months: np.ndarray, params: Params) -> np.ndarray:
    """Premium (đồng per month) in force in each month (first day of month, datetime64[D])."""
    ids, distinct = _distinct_months(months)
    base = _in_force(params.base_salary["effective_from"], params.base_salary["amount"], distinct)
    rate = _in_force(params.rates["effective_from"], params.rates["rate_percent"], distinct)
    return np.round(base * rate / 100.0, 6)[ids]


def budget_share(codes: np.ndarray, months: np.ndarray, params: Params) -> np.ndarray:
    """Budget's share (0..1) of the premium, per object code and month; 0 for codes not in the table."""
    table = params.budget_shares
    code_ids, distinct = pd.factorize(np.asarray(codes, dtype=object))
    month_ids, month_values = _distinct_months(months)
    # one row per distinct code (and a last row of zeros for a missing code), one column per distinct month
    grid = np.zeros((len(distinct) + 1, len(month_values)), dtype="float64")
    position = {c: i for i, c in enumerate(distinct)}
    for code, rows in table.groupby(table["code"].astype(str).str.upper().str.strip(), sort=False):
        if code in position:
            grid[position[code]] = _in_force(rows["effective_from"], rows["share_percent"], month_values) / 100.0
    return grid[code_ids, month_ids]


def _distinct_months(months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, distinct)`` with ``distinct[ids] == months``: each value in force is looked up once per month."""
    months = np.asarray(months)
    ids, distinct = pd.factorize(months, use_na_sentinel=False)
    return ids, np.asarray(distinct, dtype=months.dtype)
