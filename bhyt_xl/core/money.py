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
    base = _in_force(params.base_salary["effective_from"], params.base_salary["amount"], months)
    rate = _in_force(params.rates["effective_from"], params.rates["rate_percent"], months)
    return np.round(base * rate / 100.0, 6)


def budget_share(codes: np.ndarray, months: np.ndarray, params: Params) -> np.ndarray:
    """Budget's share (0..1) of the premium, per object code and month; 0 for codes not in the table."""
    share = np.zeros(len(codes), dtype="float64")
    table = params.budget_shares
    code_ids, distinct = pd.factorize(np.asarray(codes, dtype=object))
    position = {c: i for i, c in enumerate(distinct)}
    for code, rows in table.groupby(table["code"].astype(str).str.upper().str.strip(), sort=False):
        if code not in position:
            continue
        mask = code_ids == position[code]
        if mask.any():
            share[mask] = _in_force(rows["effective_from"], rows["share_percent"], months[mask]) / 100.0
    return share
