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
        dup = r["verdict"] == DUPLICATE
        return {
            "rows": int(len(r)),
            "errors": int((r["verdict"] == DATA_ERROR).sum()),
            "duplicates": int(dup.sum()),
            "kept": int((r["verdict"] == KEPT).sum()),
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


def rank_cards(cards: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Sort keys of the letter's order: group rank, issue date (or validity start), validity start, card no."""
    rank_of = params.code_rank()
    codes = cards["group_code"].astype("object").fillna("")
    group_rank = codes.map(rank_of).fillna(UNKNOWN_RANK).astype("int64")
    order_date = cards["issue_date"].fillna(cards["valid_from"])
    return pd.DataFrame(
        {"group_rank": group_rank, "order_date": order_date, "valid_from": cards["valid_from"],
         "card_no": cards["card_no"]},
        index=cards.index,
    )


def overlapping_pairs(person, pos, start, end) -> pd.DataFrame:
    """All (better, worse) card pairs of one person whose periods overlap.

    Arrays are aligned per card; ``pos`` is the card's place in its person's
    ranking (0 = best). Only persons with two or more cards are paired.
    """
    w = pd.DataFrame({"person": person, "pos": pos, "start": start, "end": end, "card": np.arange(len(person))})
    w = w[w["person"].duplicated(keep=False)]
    p = w.merge(w, on="person", suffixes=("_a", "_b"))
    p = p[(p["pos_a"] < p["pos_b"]) & (p["start_a"] <= p["end_b"]) & (p["start_b"] <= p["end_a"])]
    return p.reset_index(drop=True)


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

    # the two text columns used throughout, converted to plain object arrays once
    cards = cards.assign(
        card_no=pd.Series(cards["card_no"].to_numpy(dtype=object), index=cards.index, dtype="object"),
        group_code=pd.Series(cards["group_code"].fillna("").to_numpy(dtype=object), index=cards.index, dtype="object"),
    )
    ident = identity if identity is not None else identity_keys(cards)
    start, end = effective_periods(cards, params)
    ranks = rank_cards(cards, params)
    valid = cards["valid"].to_numpy(dtype=bool) & ~np.isnat(start) & ~np.isnat(end) & (end >= start)

    # only people holding two or more cards (with validity in the period) need ranking and pairing
    person_all = ident["person"].to_numpy()
    counts = np.bincount(person_all[valid], minlength=max(int(person_all.max(initial=-1)) + 1, 1))
    multi = np.flatnonzero(valid & (counts[np.where(person_all >= 0, person_all, 0)] >= 2))
    card_rank = pd.factorize(ranks["card_no"].to_numpy(dtype=object)[multi], sort=True)[0]
    keys = (
        multi,  # last key: input order
        card_rank,
        ranks["valid_from"].to_numpy()[multi],
        ranks["order_date"].to_numpy()[multi],
        ranks["group_rank"].to_numpy()[multi],
        person_all[multi],  # first key
    )
    order = np.lexsort(keys)
    sorted_person = person_all[multi][order]
    first = np.r_[True, sorted_person[1:] != sorted_person[:-1]] if len(order) else np.array([], dtype=bool)
    start_of_run = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0)) if len(order) else order
    pos = np.empty(len(multi), dtype="int64")
    pos[order] = np.arange(len(order)) - start_of_run

    pairs = overlapping_pairs(person_all[multi], pos, start[multi], end[multi])
    for side in ("a", "b"):  # positions in `multi` -> row positions
        pairs[f"card_{side}"] = multi[pairs[f"card_{side}"].to_numpy()]
    segments = duplicate_segments(pairs)
    codes = cards["group_code"].to_numpy(dtype=object)
    per_year = measure(segments, codes, params)

    rows = _verdicts(cards, ident, ranks, pairs, segments, per_year, params)
    by_year = _by_year_table(per_year, cards, ranks, params)
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


def _verdicts(cards, ident, ranks, pairs, segments, per_year, params) -> pd.DataFrame:
    n = len(cards)
    idx = cards.index
    card_no = cards["card_no"].to_numpy(dtype=object)
    codes = cards["group_code"].to_numpy(dtype=object)
    group_rank = ranks["group_rank"].to_numpy()
    group_names = params.code_group_name()

    verdict = np.full(n, NOT_DUPLICATE, dtype=object)
    verdict[~cards["valid"].to_numpy(dtype=bool)] = DATA_ERROR
    reason = np.full(n, "", dtype=object)
    dup_with = np.full(n, "", dtype=object)
    cause = np.full(n, "", dtype=object)
    dup_from = np.full(n, _NAT)
    dup_to = np.full(n, _NAT)
    months_exact = np.zeros(n)
    money = np.zeros(n)
    budget = np.zeros(n)

    if not pairs.empty:
        p = pairs.assign(no_a=card_no[pairs["card_a"]], no_b=card_no[pairs["card_b"]])
        # kept cards: better side of a pair, not themselves a duplicate
        dup_cards = segments["card"].unique()
        better = p.sort_values(["card_a", "pos_b"], kind="stable")
        worse_list = _join_cards(better, "card_a", "no_b")
        kept = np.setdiff1d(worse_list.index.to_numpy(), dup_cards)
        verdict[kept] = KEPT
        dup_with[kept] = worse_list.loc[kept].to_numpy()
        reason[kept] = "Giữ lại; thẻ cấp trùng với thẻ này: " + worse_list.loc[kept].astype(str).to_numpy()

        worse = p.sort_values(["card_b", "pos_a"], kind="stable")
        better_list = _join_cards(worse, "card_b", "no_a")
        best = worse.drop_duplicates("card_b")
        b = best["card_b"].to_numpy()
        a = best["card_a"].to_numpy()
        verdict[b] = DUPLICATE
        dup_with[b] = better_list.loc[b].to_numpy()
        cross = group_rank[a] < group_rank[b]
        cause[b] = np.where(cross, CAUSE_CROSS_GROUP, CAUSE_SAME_GROUP)
        rank_text = np.where(group_rank[a] >= UNKNOWN_RANK, "ngoài bảng", pd.Series(group_rank[a]).astype(str).to_numpy())
        reason[b] = np.where(
            cross,
            "Trùng nhóm " + codes[a].astype(str) + " (ưu tiên cao hơn, nhóm " + rank_text.astype(str) + ")",
            "Cấp sau thẻ " + card_no[a].astype(str) + " cùng nhóm",
        )

        seg = segments.groupby("card").agg(s=("s", "min"), e=("e", "max"))
        dup_from[seg.index.to_numpy()] = seg["s"].to_numpy().astype("datetime64[D]")
        dup_to[seg.index.to_numpy()] = seg["e"].to_numpy().astype("datetime64[D]")
        tot = per_year.groupby("card")[["months", "money", "budget"]].sum()
        ci = tot.index.to_numpy()
        months_exact[ci] = tot["months"].to_numpy()
        money[ci] = tot["money"].to_numpy()
        budget[ci] = tot["budget"].to_numpy()

        # notes: revoked cards, codes outside the group table
        revoked = cards["revoked_on"].notna().to_numpy()
        note = revoked & (verdict == DUPLICATE)
        reason[note] = reason[note] + "; thẻ đã thu hồi ngày " + _fmt_date(cards["revoked_on"].to_numpy()[note]) + \
            " (chỉ tính trùng đến ngày thu hồi)"
        involved = (verdict == DUPLICATE) | (verdict == KEPT)
        unknown = involved & (group_rank >= UNKNOWN_RANK)
        reason[unknown] = reason[unknown] + "; mã đối tượng " + codes[unknown].astype(str) + \
            " không có trong bảng thứ tự nhóm (xếp sau 13 nhóm)"

    err = verdict == DATA_ERROR
    reason[err] = "Xem sheet Lỗi dữ liệu"
    group_label = pd.Series(codes, dtype="object").map(group_names).fillna(UNKNOWN_GROUP_NAME).to_numpy()

    def text(values):
        return pd.Series(values, index=idx, dtype="object")

    return pd.DataFrame(
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
            "group_name": text(group_label),
            "cause": text(cause),
            "revoked": cards["revoked_on"].notna().to_numpy(),
        },
        index=idx,
    )


def _by_year_table(per_year: pd.DataFrame, cards: pd.DataFrame, ranks: pd.DataFrame, params: Params) -> pd.DataFrame:
    rows = per_year["card"].to_numpy()
    codes = cards["group_code"].astype("object").fillna("").to_numpy()
    names = params.code_group_name()
    return pd.DataFrame(
        {
            "row": cards.index.to_numpy()[rows],
            "src_row": cards["src_row"].to_numpy()[rows],
            "card_no": cards["card_no"].to_numpy()[rows],
            "group_code": codes[rows],
            "group_rank": ranks["group_rank"].to_numpy()[rows],
            "group_name": pd.Series(codes[rows], dtype="object").map(names).fillna(UNKNOWN_GROUP_NAME).to_numpy(),
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
