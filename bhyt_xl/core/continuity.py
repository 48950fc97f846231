"""Continuous BHYT participation and the "đủ 05 năm liên tục" date.

Legal basis (see ``docs``/domain notes, section d and g):

* NĐ 146/2018/NĐ-CP Điều 12 khoản 5 (earlier TTLT 41/2014/TTLT-BYT-BTC Điều 5
  khoản 1 điểm d): participation is continuous when each later card follows
  on from the previous one with a gap of at most 3 months; army / police /
  cipher service and postings abroad count as participation.
* BHXH VN answers: a gap that happened before 01/01/2015 breaks continuity
  (the count restarts when the person rejoins); a tolerated gap after that
  date counts as participation.
* QĐ 1666/QĐ-BHXH (2020): the card prints 01/01/2015 when the person already
  had 5 continuous years on that date, otherwise the first day of the 6th
  year of the chain (chain start + 5 years).

Everything is vectorised: one sort of all rows by (person, valid_from,
valid_to), then sweeps over the sorted arrays (running maximum of the end
date per person, cumulative sums per chain). There is no Python loop over
rows, persons or chains.

Decisions where the rules leave room (all documented in
:func:`build_continuity_chains`):

* **Gap.** The gap before a card runs from the day after the *running maximum
  end* of the person's earlier cards (earlier in the (valid_from, valid_to)
  order) to the day before the card's start. A card starting on or before
  that running end + 1 day has no gap. A gap that *begins* before
  ``no_tolerance_before`` breaks the chain, whatever its length. Otherwise it
  is measured with the engine's month rule
  (:func:`bhyt_xl.core.months.month_fraction`) and breaks the chain when it
  is more than ``max_gap_months`` (or, with ``gap_strictly_less``, not less
  than it), with a 1e-9 tolerance. Note: with the month rule a gap of
  16/01–15/04 is 16/31 + 2 + 15/30 = 3.016 months, so it breaks; a gap that
  fills whole calendar months (01/04–30/06) is exactly 3.0 and is kept.
* **Year arithmetic.** chain start + N years is the same day N years later;
  29/02 becomes 28/02 in a common year (as ``dateutil.relativedelta`` and
  ``pd.DateOffset(years=N)`` do). No other day can be missing, because adding
  whole years keeps the month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from bhyt_xl.core.months import as_days, month_fraction

__all__ = ["ContinuityOptions", "build_continuity_chains", "five_year_date_for_periods", "add_years"]

_TOL = 1e-9
_NAT_D = np.datetime64("NaT", "D")

#: Output columns, in order.


@dataclass(frozen=True)
class ContinuityOptions:
    """Settings of the continuity rule (defaults = NĐ 146/2018 Đ12 k5 + BHXH VN answers).

    * ``max_gap_months``: the longest tolerated gap, in months by the month rule.
    * ``gap_strictly_less``: ``True`` = the gap must be *under* ``max_gap_months``
      ("dưới 3 tháng"); default ``False`` = "tối đa không quá 03 tháng".
    * ``no_tolerance_before``: a gap that begins before this date always breaks.
    * ``five_year_floor``: the printed date is never earlier than this date.
    * ``count_gap_time``: ``True`` (default) = a tolerated gap counts as
      participation; ``False`` = gap days are excluded and push the date later.
    * ``years_required``: the number of continuous years (5).
    """

    max_gap_months: float = 3.0
    gap_strictly_less: bool = False
    no_tolerance_before: date = date(2015, 1, 1)
    five_year_floor: date = date(2015, 1, 1)
    count_gap_time: bool = True
    years_required: int = 5


def _d(value) -> np.datetime64:
    """A date-like scalar -> numpy ``datetime64[D]``."""
    return np.datetime64(pd.Timestamp(value).date(), "D")


def add_years(days, years: int) -> np.ndarray:
    """Same day ``years`` years later (29/02 -> 28/02 in a common year), vectorised.

    ``days`` is a ``datetime64[D]`` array; NaT stays NaT. Matches
    ``dateutil.relativedelta(years=years)`` and ``pd.DateOffset(years=years)``.
    """
    days = np.asarray(days, dtype="datetime64[D]")
    month = days.astype("datetime64[M]")
    dom0 = (days - month.astype("datetime64[D]")).astype("int64")  # day of month - 1
    target = month + np.timedelta64(12 * int(years), "M")
    first = target.astype("datetime64[D]")
    dim = ((target + 1).astype("datetime64[D]") - first).astype("int64")
    return first + np.minimum(dom0, dim - 1).astype("timedelta64[D]")


def _person_codes(person) -> np.ndarray:
    """Person keys -> int64 codes usable as a sort key (equal persons, equal codes)."""
    arr = np.asarray(person)
    if arr.dtype.kind in "iub":
        return arr.astype("int64", copy=False)
    codes, _ = pd.factorize(pd.Series(arr), sort=False)
    return codes.astype("int64")


def _empty_result(index: pd.Index) -> pd.DataFrame:
    n = len(index)
    return pd.DataFrame(
        {
            "chain_id": np.full(n, -1, dtype="int64"),
            "chain_start": np.full(n, np.datetime64("NaT", "ns")),
            "chain_end": np.full(n, np.datetime64("NaT", "ns")),
            "months_continuous": np.full(n, np.nan),
            "five_year_date": np.full(n, np.datetime64("NaT", "ns")),
            "reached": np.zeros(n, dtype=bool),
            "current_chain": np.zeros(n, dtype=bool),
        },
        index=index,
    )


def _sort_order(person: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Stable order by (person, start, end); one int64 argsort when the packed key fits."""
    p0, s0, e0 = int(person.min()), int(s.min()), int(e.min())
    sp, ss, se = int(person.max()) - p0 + 1, int(s.max()) - s0 + 1, int(e.max()) - e0 + 1
    if sp * ss * se < 2**62:
        key = ((person - p0) * ss + (s - s0)) * se + (e - e0)
        return np.argsort(key, kind="stable")
    return np.lexsort((e, s, person))


def _sweep(person, start, end, options: ContinuityOptions):
    """The core sweep over rows that are valid and already filtered.

    Arguments are aligned numpy arrays (int64 person codes, ``datetime64[D]``
    start and end with start <= end, no NaT). Returns a dict of arrays in the
    *sorted* order plus ``order`` (positions into the inputs).
    """
    n = len(start)
    s = start.astype("int64")  # days since 1970-01-01
    e = end.astype("int64")
    order = _sort_order(person, s, e)
    p, s, e = person[order], s[order], e[order]

    new_person = np.ones(n, dtype=bool)
    new_person[1:] = p[1:] != p[:-1]
    rank = np.cumsum(new_person) - 1  # 0-based person number in sorted order

    # Running maximum of the end date per person: one global cummax after
    # lifting each person into its own band of day numbers.
    base = e.min()
    span = int(e.max() - base) + 1
    lifted = rank * span + (e - base)
    run_end = np.maximum.accumulate(lifted) - rank * span + base

    prev_end = np.empty(n, dtype="int64")
    prev_end[0] = 0
    prev_end[1:] = run_end[:-1]
    has_gap = ~new_person & (s > prev_end + 1)

    # Gap [prev_end + 1, s - 1] for rows with a gap.
    gap_start = prev_end + 1
    gap_end = s - 1
    gi = np.flatnonzero(has_gap)
    gap_months = np.zeros(n)
    gap_months[gi] = month_fraction(gap_start[gi].astype("datetime64[D]"), gap_end[gi].astype("datetime64[D]"))
    limit = float(options.max_gap_months)
    if options.gap_strictly_less:
        too_long = gap_months >= limit - _TOL
    else:
        too_long = gap_months > limit + _TOL
    early = gap_start < _d(options.no_tolerance_before).astype("int64")
    breaks = has_gap & (early | too_long)
    tolerated = has_gap & ~breaks

    new_chain = new_person | breaks
    chain_no = np.cumsum(new_chain) - 1  # 0-based chain number in sorted order
    first = np.flatnonzero(new_chain)  # first sorted row of each chain
    last = np.empty_like(first)
    last[:-1] = first[1:] - 1
    last[-1] = n - 1
    c_start = s[first]
    c_end = run_end[last]  # later chains start after every earlier end, so this is the chain's own max
    # the last chain of a person: the next chain belongs to another person (or none follows)
    c_person = rank[first]
    current = np.ones(len(first), dtype=bool)
    current[:-1] = c_person[1:] != c_person[:-1]

    years = int(options.years_required)
    c_start_d = c_start.astype("datetime64[D]")
    target0 = add_years(c_start_d, years).astype("int64")
    target = target0

    gap_days = np.where(tolerated, s - prev_end - 1, 0)
    if not options.count_gap_time:
        # Day count required = days from chain start to chain start + N years
        # (1826 or 1827 for 5 years). The date is the day after the
        # required-th *covered* day of the chain (tolerated gap days are not
        # covered). Gap k is passed before that day iff the covered days
        # before it, C_k = (gap_start_k - chain_start) - (gap days of earlier
        # gaps of the chain), are fewer than the required count. The date is
        # then chain start + required + the days of all passed gaps. This is
        # the fixed point of "push the date by the gaps before it, repeat".
        need = target0 - c_start
        cum_gap = _chain_cumsum(gap_days, chain_no, first)
        tk = np.flatnonzero(tolerated)
        ck = gap_start[tk] - c_start[chain_no[tk]] - (cum_gap[tk] - gap_days[tk])
        passed = ck < need[chain_no[tk]]
        extra = np.bincount(chain_no[tk], weights=np.where(passed, gap_days[tk], 0), minlength=len(first))
        target = c_start + need + extra.astype("int64")
    floor = _d(options.five_year_floor).astype("int64")
    target = np.maximum(target, floor)
    c_reached = target <= c_end

    return {
        "order": order,
        "chain_no": chain_no,
        "first": first,
        "c_start": c_start,
        "c_end": c_end,
        "c_date": target,
        "c_reached": c_reached,
        "c_current": current,
        "tolerated": tolerated,
        "gap_months": gap_months,
        "end_sorted": e,
    }


def _chain_cumsum(values: np.ndarray, chain_no: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` restarting at each chain (sorted order)."""
    cum = np.cumsum(values)
    before = cum[first] - values[first]  # total before each chain's first row
    return cum - before[chain_no]


def build_continuity_chains(periods: pd.DataFrame, options: ContinuityOptions = ContinuityOptions(),
                            as_of: date | None = None) -> pd.DataFrame:
    """Chains of continuous BHYT participation (gap ≤ 3 months from 01/01/2015) and the 5-year date, per card.

    Rule: NĐ 146/2018 Điều 12 khoản 5 / TTLT 41/2014 Điều 5 khoản 1 điểm d
    (continuity, gap ≤ 3 months, credited service periods); QĐ 1666/QĐ-BHXH
    (printed date = max(01/01/2015, chain start + 5 years)).

    ``periods`` has columns ``person`` (int64; other hashable keys are
    factorised), ``valid_from``, ``valid_to`` (datetime64, inclusive, the time
    of day is ignored) and optionally ``is_extra`` (bool; missing = False).
    Its index (the caller's row ids) is kept. Extra rows (credited periods
    without a card: army / police / cipher service, posting abroad) take part
    in the chains exactly like cards but get no output row.

    How it works:

    1. Rows with a missing date, ``valid_to < valid_from`` or (with
       ``as_of``) ``valid_from > as_of`` are left out: they neither join nor
       break a chain, and their output is ``chain_id = -1``, NaT / NaN,
       ``reached = current_chain = False``.
    2. Rows are sorted by (person, valid_from, valid_to). The gap before a row
       runs from the day after the running maximum end of the person's earlier
       rows to the day before the row's start; none when the row starts on or
       before that running end + 1 day (overlaps / duplicates merge and never
       add time twice). A gap beginning before ``no_tolerance_before`` breaks
       the chain; otherwise it breaks when its month-rule length
       (:func:`~bhyt_xl.core.months.month_fraction`) is over
       ``max_gap_months`` (``gap_strictly_less``: not under it), ±1e-9.
    3. 5-year date of a chain: chain start + ``years_required`` years (29/02 →
       28/02). With ``count_gap_time=False`` the date is the day after the
       chain's N-th covered day, N being the number of days from chain start
       to chain start + years (tolerated gap days are not covered); computed
       in one pass as chain start + N + the days of every tolerated gap that
       begins before N covered days have elapsed (the fixed point of "push
       the date by the gaps before it, repeat"). Then the date is raised to
       ``five_year_floor`` (01/01/2015) if earlier. When the date falls after
       ``chain_end`` the chain has not reached it: NaT ("Chưa đủ").

    ``as_of`` (optional): the evaluation date. Cards starting after it are
    ignored (step 1); ``months_continuous`` is counted up to it at most;
    ``reached`` additionally requires ``five_year_date <= as_of``. The
    *current chain* of a person is the last chain (by start date) among the
    remaining rows; it is flagged in ``current_chain``. ``chain_end`` and the
    "within the chain" test use the cards' own validity, not ``as_of``: a
    card valid to 31/12 whose chain reaches 5 years on 01/10 prints 01/10
    even when reviewed on 01/06.

    Returns a frame with the same index (extra rows dropped) and columns

    * ``chain_id`` (int64): unique per person-chain, numbered in (person,
      start) order, so it does not depend on the row order; -1 = no chain.
    * ``chain_start``, ``chain_end`` (datetime64[ns]): first start and maximum
      end of the whole chain the row belongs to (same for all its rows).
    * ``months_continuous`` (float): months by the month rule from
      ``chain_start`` to ``min(valid_to, as_of)`` of this row; with
      ``count_gap_time=False`` minus the months of the chain's tolerated gaps
      before this row.
    * ``five_year_date`` (datetime64[ns]): of the row's chain; NaT when the
      chain does not reach it by ``chain_end``.
    * ``reached`` (bool): ``five_year_date`` is set (and ≤ ``as_of`` if given).
    * ``current_chain`` (bool): the row is in the person's last chain.
    """
    n = len(periods)
    extra = (periods["is_extra"].fillna(False).astype(bool).to_numpy()
             if "is_extra" in periods.columns else np.zeros(n, dtype=bool))
    keep_out = ~extra
    if n == 0:
        return _empty_result(periods.index).loc[keep_out]

    start = as_days(periods["valid_from"])
    end = as_days(periods["valid_to"])
    ok = ~(np.isnat(start) | np.isnat(end))
    ok &= np.where(ok, end >= start, False)
    asof_d = _d(as_of) if as_of is not None else None
    if asof_d is not None:
        ok &= np.where(ok, start <= asof_d, False)
    pos = np.flatnonzero(ok)
    if len(pos) == 0:
        return _empty_result(periods.index).loc[keep_out]

    person = _person_codes(periods["person"].to_numpy())[pos]
    r = _sweep(person, start[pos], end[pos], options)
    order = r["order"]
    chain_no = r["chain_no"]
    c_start = r["c_start"]

    row_start = c_start[chain_no]
    row_end = r["end_sorted"]
    if asof_d is not None:
        row_end = np.minimum(row_end, asof_d.astype("int64"))
    months = month_fraction(row_start.astype("datetime64[D]"), row_end.astype("datetime64[D]"))
    if not options.count_gap_time:
        months = months - _chain_cumsum(np.where(r["tolerated"], r["gap_months"], 0.0), chain_no, r["first"])

    c_date = np.where(r["c_reached"], r["c_date"].astype("datetime64[D]"), _NAT_D)
    row_date = c_date[chain_no]
    reached = ~np.isnat(row_date)
    if asof_d is not None:
        reached &= np.where(reached, row_date <= asof_d, False)

    dst = pos[order]  # original positions of the sorted rows
    chain_id = np.full(n, -1, dtype="int64")
    chain_id[dst] = chain_no
    cs = np.full(n, _NAT_D)
    cs[dst] = row_start.astype("datetime64[D]")
    ce = np.full(n, _NAT_D)
    ce[dst] = r["c_end"][chain_no].astype("datetime64[D]")
    mc = np.full(n, np.nan)
    mc[dst] = months
    fy = np.full(n, _NAT_D)
    fy[dst] = row_date
    rc = np.zeros(n, dtype=bool)
    rc[dst] = reached
    cur = np.zeros(n, dtype=bool)
    cur[dst] = r["c_current"][chain_no]

    result = pd.DataFrame(
        {
            "chain_id": chain_id[keep_out],
            "chain_start": cs[keep_out].astype("datetime64[ns]"),
            "chain_end": ce[keep_out].astype("datetime64[ns]"),
            "months_continuous": mc[keep_out],
            "five_year_date": fy[keep_out].astype("datetime64[ns]"),
            "reached": rc[keep_out],
            "current_chain": cur[keep_out],
        },
        index=periods.index[keep_out],
    )
    return result


_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _flat(values) -> list:
    """A list, a numpy array, a Series or an Excel range (list of rows) -> flat list."""
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        return list(np.asarray(values, dtype="object").ravel())
    out = []
    for v in values if isinstance(values, (list, tuple)) else [values]:
        out.extend(_flat(v) if isinstance(v, (list, tuple, np.ndarray)) else [v])
    return out


def _scalar_day(value) -> np.datetime64:
    """One UDF cell -> ``datetime64[D]``: dates, ISO or dd/mm/yyyy text, Excel serial numbers; else NaT."""
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return _NAT_D
    if isinstance(value, (bool, np.bool_)):
        return _NAT_D
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _EXCEL_EPOCH + np.timedelta64(int(np.floor(value)), "D")
    if isinstance(value, str):
        text = value.strip()
        ts = pd.to_datetime(text, errors="coerce", dayfirst=not _ISO.match(text))
    else:
        ts = pd.to_datetime(value, errors="coerce")
    return _NAT_D if pd.isna(ts) else np.datetime64(pd.Timestamp(ts).date(), "D")


def five_year_date_for_periods(starts, ends, options: ContinuityOptions = ContinuityOptions(),
                               as_of: date | None = None) -> date | None:
    """One person's 5-year date (gap ≤ 3 months from 01/01/2015; never before 01/01/2015) of the last chain, or None.

    Rule: NĐ 146/2018 Điều 12 khoản 5 / TTLT 41/2014 Điều 5 khoản 1 điểm d;
    printed date per QĐ 1666/QĐ-BHXH. Thin wrapper over
    :func:`build_continuity_chains` for the Excel UDF ``BHYT_NGAYDU5NAM``.

    ``starts`` / ``ends`` are equal-length lists, arrays or Excel ranges
    (lists of rows, flattened) of dates: ``date`` / ``datetime`` /
    ``Timestamp``, ISO text (yyyy-mm-dd), dd/mm/yyyy text, or Excel serial
    numbers (days since 30/12/1899). Blanks (``None``, "") and unreadable
    values count as missing; pairs with a missing or reversed date are
    ignored. The last
    chain is the chain of the latest-starting valid period (after dropping
    periods starting after ``as_of``). Returns ``None`` when there is no
    valid period or that chain does not reach the date within its validity.
    """
    s = np.array([_scalar_day(v) for v in _flat(starts)], dtype="datetime64[D]")
    e = np.array([_scalar_day(v) for v in _flat(ends)], dtype="datetime64[D]")
    if len(s) != len(e):
        raise ValueError("starts and ends must have the same length")
    frame = pd.DataFrame({"person": np.zeros(len(s), dtype="int64"), "valid_from": s.astype("datetime64[ns]"),
                          "valid_to": e.astype("datetime64[ns]")})
    res = build_continuity_chains(frame, options, as_of=as_of)
    cur = res.loc[res["current_chain"].to_numpy(), "five_year_date"]
    if cur.empty or pd.isna(cur.iloc[0]):
        return None
    value = cur.iloc[0]
    return value.date() if isinstance(value, (pd.Timestamp, datetime)) else value
