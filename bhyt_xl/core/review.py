"""The duplicate-card review of Công văn 493/BHXH-CST, as small pure stages.

``review_cards(cards, params) -> ReviewResult`` runs:

1. identity: the letter's four fields, normalised (:mod:`identity`);
2. validity: start to end inclusive; a revoked card ends on its revocation;
   only time inside the review period counts (:func:`effective_periods`);
3. ranking: group priority first (the 13-group order), then issue date
   (missing: validity start), validity start, card number (:func:`rank_cards`);
4. flagging: a card is a duplicate ("Cấp trùng") for the time it overlaps the
   union of all better-ranked cards of the same person (:func:`duplicate_segments`);
5. measuring: months by the month rule, money by the premium in force each month,
   split per calendar year (:func:`measure`);
6. summarising per year and group (:func:`summarise`).

No stage loops over the rows in Python: sorts, merges and group-wise sweeps only.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.money import budget_share, monthly_premium
from bhyt_xl.core.months import as_days, explode_months, round_money, round_months
from bhyt_xl.core.values import assemble, distinct_values
from bhyt_xl.params import Params

NOT_DUPLICATE = "Không trùng"
KEPT = "Thẻ giữ lại"
DUPLICATE = "Cấp trùng"
DATA_ERROR = "Lỗi dữ liệu"

CAUSE_CROSS_GROUP = "Khác nhóm"
CAUSE_SAME_GROUP = "Cùng nhóm, cấp sau"

#: Rank given to object codes that are not in the group table (after every group).
UNKNOWN_RANK = 10_000
UNKNOWN_GROUP_NAME = "Mã đối tượng ngoài bảng thứ tự nhóm"

_NAT = np.datetime64("NaT", "D")


@dataclasses.dataclass
class ReviewResult:
    """Everything one review produced, as plain frames.

    ``rows``: one row per input row (same index) with the verdict columns;
    ``by_year``: one row per duplicate card and calendar year;
    ``summary``: per year and group, in priority order, with totals;
    ``problems``: the data problems (from :func:`prepare_cards`).
    """

    rows: pd.DataFrame
    by_year: pd.DataFrame
    summary: pd.DataFrame
    problems: pd.DataFrame
    params: Params

    @property
    def stats(self) -> dict:
        r = self.rows
        codes, labels = pd.factorize(r["verdict"])  # one pass over the verdicts, then integer compares
        count = dict(zip(labels, np.bincount(codes[codes >= 0], minlength=len(labels))))
        dup = codes == (labels.get_loc(DUPLICATE) if DUPLICATE in labels else -2)
        return {
            "rows": int(len(r)),
            "errors": int(count.get(DATA_ERROR, 0)),
            "duplicates": int(dup.sum()),
            "kept": int(count.get(KEPT, 0)),
            "months": float(r.loc[dup, "dup_months_exact"].sum()),
            "money": float(r.loc[dup, "dup_money"].sum()),
            "budget": float(r.loc[dup, "dup_budget"].sum()),
        }


# ---------------------------------------------------------------------------
def effective_periods(cards: pd.DataFrame, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Validity used for matching: [valid_from, min(valid_to, revoked_on)] ∩ review period.

    "Đối với thẻ cấp trùng đã thu hồi, chỉ tính thời gian trùng thẻ từ khi thẻ có
    giá trị sử dụng đến thời điểm thu hồi thẻ" (CV 493 mục 2). Revocation day
    inclusive by default (``params.revocation_end``). Empty periods have end < start.
    """
    start = as_days(cards["valid_from"])
    end = as_days(cards["valid_to"])
    revoked = as_days(cards["revoked_on"])
    if params.revocation_end == "day_before":
        revoked = revoked - np.timedelta64(1, "D")
    end = np.where(~np.isnat(revoked) & (revoked < end), revoked, end)
    if params.review_from is not None:
        start = np.maximum(start, np.datetime64(params.review_from, "D"))
    if params.review_to is not None:
        end = np.minimum(end, np.datetime64(params.review_to, "D"))
    return start, end


@dataclasses.dataclass
class _Groups:
    """The object code of every card, read once per distinct code.

    ``code``: the code (object array, '' when missing); ``rank``: group rank
    (:data:`UNKNOWN_RANK` outside the table); ``name``: group name.
    """

    code: np.ndarray
    rank: np.ndarray
    name: np.ndarray

    @classmethod
    def of(cls, cards: pd.DataFrame, params: Params) -> "_Groups":
        ids, uniques = distinct_values(cards["group_code"])
        codes = pd.Series(np.append(uniques.to_numpy(dtype=object), ""), dtype="object").fillna("")
        rank = codes.map(params.code_rank()).fillna(UNKNOWN_RANK).astype("int64").to_numpy()
        name = codes.map(params.code_group_name()).fillna(UNKNOWN_GROUP_NAME).to_numpy(dtype=object)
        at = np.where(ids < 0, len(codes) - 1, ids)  # a missing code reads as ''
        return cls(codes.to_numpy(dtype=object)[at], rank[at], name[at])


def rank_cards(cards: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Sort keys of the letter's order: group rank, issue date (or validity start), validity start, card no."""
    return pd.DataFrame(
        {"group_rank": _Groups.of(cards, params).rank, "order_date": cards["issue_date"].fillna(cards["valid_from"]),
         "valid_from": cards["valid_from"], "card_no": cards["card_no"]},
        index=cards.index,
    )


def _ranking_order(rows: np.ndarray, person: np.ndarray, group_rank: np.ndarray, order_date: np.ndarray,
                   valid_from: np.ndarray, card_no: pd.Series) -> np.ndarray:
    """Order of ``rows`` (positions of cards) by person, then the letter's ranking.

    Keys: person, group rank, order date, validity start, card number, input
    order. The first four are packed into one int64 when they fit (one
    argsort); card numbers are compared only where those four tie.
    """
    keys = [person[rows], group_rank[rows], order_date[rows].view("int64"), valid_from[rows].view("int64")]
    day = 86_400 * 10**9
    if all((k % day == 0).all() for k in keys[2:]):
        keys[2:] = [k // day for k in keys[2:]]
    packed, size = np.zeros(len(rows), dtype=np.int64), 1
    for k in keys:
        lo = int(k.min(initial=0))
        span = int(k.max(initial=0)) - lo + 1
        if size * span >= 2**62:
            packed = None
            break
        packed = packed * span + (k - lo)
        size *= span
    if packed is None:
        card_rank = pd.factorize(card_no.iloc[rows].to_numpy(dtype=object), sort=True)[0]
        return np.lexsort((rows, card_rank, valid_from[rows], order_date[rows], group_rank[rows], person[rows]))
    order = np.argsort(packed, kind="stable")  # stable: input order breaks the remaining ties
    sorted_key = packed[order]
    tie = np.r_[False, sorted_key[1:] == sorted_key[:-1]]
    tied = np.flatnonzero(tie | np.r_[tie[1:], False])
    if len(tied):
        # runs of equal keys: order each run by card number, then input order
        who = order[tied]
        card_rank = pd.factorize(card_no.iloc[rows[who]].to_numpy(dtype=object), sort=True)[0]
        order[tied] = who[np.lexsort((who, card_rank, sorted_key[tied]))]
    return order


def overlapping_pairs(person, pos, start, end) -> pd.DataFrame:
    """All (better, worse) card pairs of one person whose periods overlap.

    Arrays are aligned per card; ``pos`` is the card's place in its person's
    ranking (0 = best). Only persons with two or more cards are paired.
    """
    person = np.asarray(person)
    pos = np.asarray(pos)
    order = np.lexsort((pos, person))
    return _pairs_in_order(order, person, pos, np.asarray(start), np.asarray(end))


def _pairs_in_order(order: np.ndarray, person, pos, start, end) -> pd.DataFrame:
    """:func:`overlapping_pairs`, given ``order``: the cards sorted by person and ranking.

    In that order each person's cards are one run; every card is paired with
    each later card of its run (no merge: the pairs are generated directly).
    """
    n = len(order)
    p = person[order]
    new = np.r_[True, p[1:] != p[:-1]] if n else np.zeros(0, dtype=bool)
    bounds = np.r_[np.flatnonzero(new), n]  # run i is order[bounds[i]:bounds[i + 1]]
    later = np.repeat(bounds[1:], np.diff(bounds)) - np.arange(n) - 1  # later cards of the same run
    a = np.repeat(np.arange(n), later)
    b = a + 1 + (np.arange(len(a)) - np.repeat(np.cumsum(later) - later, later))
    ca, cb = order[a], order[b]
    keep = (pos[ca] < pos[cb]) & (start[ca] <= end[cb]) & (start[cb] <= end[ca])
    ca, cb = ca[keep], cb[keep]
    return pd.DataFrame({
        "person": person[ca], "pos_a": pos[ca], "start_a": start[ca], "end_a": end[ca], "card_a": ca,
        "pos_b": pos[cb], "start_b": start[cb], "end_b": end[cb], "card_b": cb,
    })


def duplicate_segments(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per worse card b: the union of its overlaps with all better cards, as disjoint segments.

    A group-wise interval sweep: sort overlaps by start, start a new segment
    where an overlap begins after the running maximum end + 1 day.
    """
    seg = pd.DataFrame(
        {
            "card": pairs["card_b"].to_numpy(),
            "s": np.maximum(pairs["start_a"].to_numpy(), pairs["start_b"].to_numpy()),
            "e": np.minimum(pairs["end_a"].to_numpy(), pairs["end_b"].to_numpy()),
        }
    ).sort_values(["card", "s"], kind="stable")
    if seg.empty:
        return seg.assign(block=pd.Series(dtype="int64"))
    run_end = seg.groupby("card", sort=False)["e"].cummax()
    prev_end = run_end.groupby(seg["card"], sort=False).shift()
    new_block = prev_end.isna() | (seg["s"] > prev_end + pd.Timedelta(days=1))
    seg["block"] = new_block.cumsum()
    return (
        seg.groupby("block", sort=False)
        .agg(card=("card", "first"), s=("s", "min"), e=("e", "max"))
        .reset_index(drop=True)
    )


def measure(segments: pd.DataFrame, codes: np.ndarray, params: Params) -> pd.DataFrame:
    """Months and money per duplicate card and calendar year.

    Months: share of each month's days covered (totals before rounding).
    Money: Σ share × premium of the month; the budget's part: × budget share.
    Amounts are rounded to whole đồng per card and year.
    """
    m = explode_months(segments["card"].to_numpy(), segments["s"].to_numpy(), segments["e"].to_numpy())
    card = m["seg"].to_numpy()
    months = m["month"].to_numpy().astype("datetime64[D]")
    premium = monthly_premium(months, params)
    money = m["share"].to_numpy() * premium
    budget = money * budget_share(codes[card], months, params)
    per = (
        pd.DataFrame({"card": card, "year": m["year"].to_numpy(), "months": m["share"].to_numpy(),
                      "money": money, "budget": budget})
        .groupby(["card", "year"], sort=True, as_index=False)
        .sum()
    )
    per["money"] = round_money(per["money"])
    per["budget"] = round_money(per["budget"])
    return per


# ---------------------------------------------------------------------------
def review_cards(cards: pd.DataFrame, params: Params, problems: pd.DataFrame | None = None,
                 identity: pd.DataFrame | None = None) -> ReviewResult:
    """Run the CV 493 review over prepared cards (see :func:`bhyt_xl.core.prepare.prepare_cards`).

    ``identity``: identity keys computed by the caller (``identity_keys``
    output, e.g. with staff-confirmed suspect pairs merged); by default the
    letter's exact identity of each card.
    """
    from bhyt_xl.problems import empty_problems

    ident = identity if identity is not None else identity_keys(cards)
    start, end = effective_periods(cards, params)
    groups = _Groups.of(cards, params)
    valid = cards["valid"].to_numpy(dtype=bool) & ~np.isnat(start) & ~np.isnat(end) & (end >= start)

    # only people holding two or more cards (with validity in the period) need ranking and pairing
    person_all = ident["person"].to_numpy()
    counts = np.bincount(person_all[valid], minlength=max(int(person_all.max(initial=-1)) + 1, 1))
    multi = np.flatnonzero(valid & (counts[np.where(person_all >= 0, person_all, 0)] >= 2))
    order_date = cards["issue_date"].fillna(cards["valid_from"]).to_numpy()
    order = _ranking_order(multi, person_all, groups.rank, order_date, cards["valid_from"].to_numpy(),
                           cards["card_no"])
    sorted_person = person_all[multi][order]
    first = np.r_[True, sorted_person[1:] != sorted_person[:-1]] if len(order) else np.array([], dtype=bool)
    start_of_run = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0)) if len(order) else order
    pos = np.empty(len(multi), dtype="int64")
    pos[order] = np.arange(len(order)) - start_of_run

    pairs = _pairs_in_order(order, person_all[multi], pos, start[multi], end[multi])
    for side in ("a", "b"):  # positions in `multi` -> row positions
        pairs[f"card_{side}"] = multi[pairs[f"card_{side}"].to_numpy()]
    segments = duplicate_segments(pairs)
    per_year = measure(segments, groups.code, params)

    rows = _verdicts(cards, ident, groups, pairs, segments, per_year, params)
    by_year = _by_year_table(per_year, cards, groups, params)
    summary = summarise(by_year, params)
    return ReviewResult(rows, by_year, summary, problems if problems is not None else empty_problems(), params)


def _fmt_date(values: np.ndarray) -> np.ndarray:
    return pd.Series(pd.to_datetime(values)).dt.strftime("%d/%m/%Y").fillna("").to_numpy(dtype=object)


def _join_cards(frame: pd.DataFrame, by: str, cards_col: str) -> pd.Series:
    """', '-joined distinct card numbers per key, in the frame's order.

    Most keys have one card: those are taken as they are; only keys with
    several cards go through a string join.
    """
    if frame.empty:
        return pd.Series(dtype="object")
    f = frame[[by, cards_col]].drop_duplicates()
    multi = f[by].duplicated(keep=False).to_numpy()
    single = pd.Series(f[cards_col].to_numpy()[~multi], index=f[by].to_numpy()[~multi], dtype="object")
    if not multi.any():
        return single
    joined = f[multi].groupby(by, sort=False)[cards_col].agg(", ".join)
    return pd.concat([single, joined])


def _filled(n: int, text: str) -> np.ndarray:
    """An object array of ``n`` times ``text`` (``np.full`` is slow for object arrays)."""
    out = np.empty(n, dtype=object)
    out.fill(text)
    return out


def _card_numbers(cards: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The card numbers of some rows, as an object array (without converting the whole column)."""
    return cards["card_no"].iloc[rows].to_numpy(dtype=object)


def _verdicts(cards, ident, groups: _Groups, pairs, segments, per_year, params) -> pd.DataFrame:
    n = len(cards)
    idx = cards.index
    codes = groups.code
    group_rank = groups.rank

    error = ~cards["valid"].to_numpy(dtype=bool)
    verdict = _filled(n, NOT_DUPLICATE)
    verdict[error] = DATA_ERROR
    involved = np.zeros(n, dtype=bool)  # kept or duplicate
    reason = _filled(n, "")
    dup_with = _filled(n, "")
    cause = _filled(n, "")
    dup_from = np.full(n, _NAT)
    dup_to = np.full(n, _NAT)
    months_exact = np.zeros(n)
    money = np.zeros(n)
    budget = np.zeros(n)
    revoked = cards["revoked_on"].notna().to_numpy()

    if not pairs.empty:
        card_a, card_b = pairs["card_a"].to_numpy(), pairs["card_b"].to_numpy()
        numbers = _card_numbers(cards, np.concatenate([card_a, card_b]))
        p = pairs.assign(no_a=numbers[:len(card_a)], no_b=numbers[len(card_a):])
        # kept cards: better side of a pair, not themselves a duplicate
        dup_cards = segments["card"].unique()
        better = p.sort_values(["card_a", "pos_b"], kind="stable")
        worse_list = _join_cards(better, "card_a", "no_b")
        kept = np.setdiff1d(worse_list.index.to_numpy(), dup_cards)
        verdict[kept] = KEPT
        involved[kept] = True
        dup_with[kept] = worse_list.loc[kept].to_numpy()
        reason[kept] = "Giữ lại; thẻ cấp trùng với thẻ này: " + worse_list.loc[kept].astype(str).to_numpy()

        worse = p.sort_values(["card_b", "pos_a"], kind="stable")
        better_list = _join_cards(worse, "card_b", "no_a")
        best = worse.drop_duplicates("card_b")
        b = best["card_b"].to_numpy()
        a = best["card_a"].to_numpy()
        verdict[b] = DUPLICATE
        involved[b] = True
        dup_with[b] = better_list.loc[b].to_numpy()
        cross = group_rank[a] < group_rank[b]
        cause[b] = np.where(cross, CAUSE_CROSS_GROUP, CAUSE_SAME_GROUP)
        reason[b] = [
            f"Trùng nhóm {code} (ưu tiên cao hơn, nhóm {'ngoài bảng' if rank >= UNKNOWN_RANK else rank})" if c
            else f"Cấp sau thẻ {number} cùng nhóm"
            for c, code, rank, number in zip(cross.tolist(), codes[a], group_rank[a].tolist(), best["no_a"].tolist())
        ]

        seg = segments.groupby("card").agg(s=("s", "min"), e=("e", "max"))
        dup_from[seg.index.to_numpy()] = seg["s"].to_numpy().astype("datetime64[D]")
        dup_to[seg.index.to_numpy()] = seg["e"].to_numpy().astype("datetime64[D]")
        tot = per_year.groupby("card")[["months", "money", "budget"]].sum()
        ci = tot.index.to_numpy()
        months_exact[ci] = tot["months"].to_numpy()
        money[ci] = tot["money"].to_numpy()
        budget[ci] = tot["budget"].to_numpy()

        # notes: revoked cards, codes outside the group table
        note = np.zeros(n, dtype=bool)
        note[b] = revoked[b]
        reason[note] = reason[note] + "; thẻ đã thu hồi ngày " + _fmt_date(cards["revoked_on"].to_numpy()[note]) + \
            " (chỉ tính trùng đến ngày thu hồi)"
        unknown = involved & (group_rank >= UNKNOWN_RANK)
        reason[unknown] = reason[unknown] + "; mã đối tượng " + codes[unknown].astype(str) + \
            " không có trong bảng thứ tự nhóm (xếp sau 13 nhóm)"

    reason[error] = "Xem sheet Lỗi dữ liệu"

    def text(values):
        return pd.Series(values, index=idx, dtype="object", copy=False)

    return assemble(
        {
            "verdict": text(verdict),
            "reason": text(reason),
            "dup_with": text(dup_with),
            "dup_from": pd.to_datetime(dup_from),
            "dup_to": pd.to_datetime(dup_to),
            "dup_months": round_months(months_exact, params.month_rounding),
            "dup_months_exact": months_exact,
            "dup_money": money,
            "dup_budget": budget,
            "identity_key": ident["identity_key"],
            "person": ident["person"].to_numpy(),
            "group_code": text(codes),
            "group_rank": group_rank,
            "group_name": text(groups.name),
            "cause": text(cause),
            "revoked": revoked,
        },
        idx,
    )


def _by_year_table(per_year: pd.DataFrame, cards: pd.DataFrame, groups: _Groups, params: Params) -> pd.DataFrame:
    rows = per_year["card"].to_numpy()
    return pd.DataFrame(
        {
            "row": cards.index.to_numpy()[rows],
            "src_row": cards["src_row"].to_numpy()[rows],
            "card_no": _card_numbers(cards, rows),
            "group_code": groups.code[rows],
            "group_rank": groups.rank[rows],
            "group_name": groups.name[rows],
            "year": per_year["year"].to_numpy(),
            "months_exact": per_year["months"].to_numpy(),
            "months": round_months(per_year["months"].to_numpy(), params.month_rounding),
            "money": per_year["money"].to_numpy(),
            "budget": per_year["budget"].to_numpy(),
        }
    )


SUMMARY_COLUMNS = ["year", "group_rank", "group_name", "group_codes", "cards", "months_exact", "months",
                   "money", "budget", "kind"]


def summarise(by_year: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Duplicate cards, months and money per year and group, every group listed in priority order.

    Rows of kind 'group' per (year, group), 'year' subtotal per year, and one
    'total' row; totals are computed before rounding months. The card count of
    a subtotal or the total counts each card once.
    """
    groups = params.groups.sort_values("rank")
    table = pd.DataFrame(
        {"group_rank": groups["rank"].astype("int64").to_numpy(), "group_name": groups["name"].astype(str).to_numpy(),
         "group_codes": groups["codes"].astype(str).to_numpy()}
    )
    unknown = by_year[by_year["group_rank"] >= UNKNOWN_RANK]
    if len(unknown):
        table = pd.concat(
            [table, pd.DataFrame({"group_rank": [UNKNOWN_RANK], "group_name": [UNKNOWN_GROUP_NAME],
                                  "group_codes": [", ".join(sorted(unknown["group_code"].unique()))]})],
            ignore_index=True,
        )
    years = _summary_years(by_year, params)
    grid = table.merge(pd.DataFrame({"year": years}), how="cross")
    agg = by_year.groupby(["year", "group_rank"], as_index=False).agg(
        cards=("row", "nunique"), months_exact=("months_exact", "sum"), money=("money", "sum"), budget=("budget", "sum")
    )
    body = grid.merge(agg, on=["year", "group_rank"], how="left").fillna(
        {"cards": 0, "months_exact": 0.0, "money": 0.0, "budget": 0.0}
    )
    body["kind"] = "group"
    year_tot = by_year.groupby("year", as_index=False).agg(
        cards=("row", "nunique"), months_exact=("months_exact", "sum"), money=("money", "sum"), budget=("budget", "sum")
    )
    year_tot = pd.DataFrame({"year": years}).merge(year_tot, on="year", how="left").fillna(0)
    year_tot = year_tot.assign(group_rank=np.nan, group_name="Cộng năm " + year_tot["year"].astype(str),
                               group_codes="", kind="year")
    total = pd.DataFrame(
        [{"year": np.nan, "group_rank": np.nan, "group_name": "Tổng cộng", "group_codes": "",
          "cards": by_year["row"].nunique(), "months_exact": by_year["months_exact"].sum(),
          "money": by_year["money"].sum(), "budget": by_year["budget"].sum(), "kind": "total"}]
    )
    parts = []
    for year in years:
        parts.append(body[body["year"] == year].sort_values("group_rank"))
        parts.append(year_tot[year_tot["year"] == year])
    out = pd.concat([*parts, total], ignore_index=True)
    out["cards"] = out["cards"].astype("int64")
    out["months"] = round_months(out["months_exact"].to_numpy(), params.month_rounding)
    return out[SUMMARY_COLUMNS]


def _summary_years(by_year: pd.DataFrame, params: Params) -> list[int]:
    if params.review_from is not None and params.review_to is not None:
        return list(range(params.review_from.year, params.review_to.year + 1))
    years = sorted(int(y) for y in by_year["year"].unique())
    if params.review_from is not None:
        years = sorted(set(years) | {params.review_from.year})
    if params.review_to is not None:
        years = sorted(set(years) | {params.review_to.year})
    return years
