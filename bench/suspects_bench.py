"""Benchmark and quality of the suspected-duplicate search (``bhyt_xl.core.suspects``).

Usage: python bench/suspects_bench.py [--rows 1000000] [--typo-share 0.5] [--seed 7]

1. The labelled set (``tests/cases/suspects_labelled.py``): precision and recall
   of the proposed pairs, per case and overall, and the pairs it gets wrong.
2. A generated list (:func:`bhyt_xl.samples.generate.generate_cards_with_truth`)
   with extra *typo variants* on the second cards of people: a missing tone
   mark, a typo in a name, day/month swapped, a year-only date of birth, an
   address without "thôn/xã" or with abbreviations. Times ``prepare_cards``
   and ``find_suspects`` (the timed part), and measures against the
   generator's truth: recall on the variant cards (is the variant proposed
   with another card of the same person?) and precision (share of proposed
   pairs whose two cards belong to one generated person).

The final line is ``rows=N suspects_s=… pairs=… precision=… recall_variants=… labelled_precision=… labelled_recall=…``.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.prepare import prepare_cards
from bhyt_xl.core.schema import field_for_header
from bhyt_xl.core.suspects import SuspectOptions, find_suspects
from bhyt_xl.params import Params
from bhyt_xl.samples.generate import generate_cards_with_truth


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_labelled():
    spec = importlib.util.spec_from_file_location("suspects_labelled", ROOT / "tests" / "cases" / "suspects_labelled.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def prepare(frame: pd.DataFrame, params: Params) -> pd.DataFrame:
    columns = {field_for_header(c): c for c in frame.columns if field_for_header(c)}
    cards, _ = prepare_cards(frame, columns, np.arange(len(frame)) + 2, params)
    return cards


# ---------------------------------------------------------------------------
# typo variants on a generated list
# ---------------------------------------------------------------------------
_FOLD = str.maketrans({"à": "a", "á": "a", "ạ": "a", "ả": "a", "ã": "a", "ì": "i", "í": "i", "ò": "o", "ó": "o",
                       "ù": "u", "ú": "u", "ủ": "u", "ũ": "u", "ụ": "u", "ị": "i", "ọ": "o", "ỏ": "o", "õ": "o",
                       "ồ": "ô", "ố": "ô", "ộ": "ô", "ổ": "ô", "ỗ": "ô", "ờ": "ơ", "ớ": "ơ", "ợ": "ơ", "ở": "ơ",
                       "ỡ": "ơ", "ừ": "ư", "ứ": "ư", "ự": "ư", "ử": "ư", "ữ": "ư", "ề": "ê", "ế": "ê", "ệ": "ê",
                       "ể": "ê", "ễ": "ê", "ầ": "â", "ấ": "â", "ậ": "â", "ẩ": "â", "ẫ": "â", "ằ": "ă", "ắ": "ă",
                       "ặ": "ă", "ẳ": "ă", "ẵ": "ă", "ỳ": "y", "ý": "y", "ỵ": "y", "ỷ": "y", "ỹ": "y"})
VARIANTS = ("tone", "typo", "swap_dm", "year_only", "address")


def add_typo_variants(frame: pd.DataFrame, truth: pd.DataFrame, share: float, seed: int) -> pd.Series:
    """Change the identity of some overlapping second cards, in place; returns the variant per row ('' if none).

    Only changes that keep the person recognisable to a human are made, and
    each changed card gets its own card number digits (as if issued by another
    agency), so matching on card digits alone cannot find it.
    """
    rng = np.random.default_rng(seed)
    pool = np.flatnonzero((truth["kind"] == "extra").to_numpy() & truth["overlaps"].to_numpy()
                          & (truth["variant"] == "").to_numpy())
    chosen = pool[rng.random(len(pool)) < share]
    kind = np.array(VARIANTS, dtype=object)[rng.integers(0, len(VARIANTS), len(chosen))]
    out = pd.Series("", index=frame.index, dtype=object)
    out.iloc[chosen] = kind
    names = frame["Họ và tên"].to_numpy(dtype=object).copy()
    births = frame["Ngày sinh"].to_numpy(dtype=object).copy()
    addrs = frame["Địa chỉ"].to_numpy(dtype=object).copy()
    for k in VARIANTS:
        ix = chosen[kind == k]
        if k == "tone":  # the given name (last word) loses its tone mark
            names[ix] = [" ".join(n.split()[:-1] + [n.split()[-1].translate(_FOLD)]) for n in names[ix]]
        elif k == "typo":  # one letter of the surname or middle name doubled ("Nguyễn" -> "Nguyyễn")
            def typo(n, r):
                w = n.split()
                i = int(r * (len(w) - 1)) if len(w) > 1 else 0
                w[i] = w[i][:2] + w[i][1:]
                return " ".join(w)
            names[ix] = [typo(n, r) for n, r in zip(names[ix], rng.random(len(ix)))]
        elif k == "swap_dm":
            def swap(b):
                if isinstance(b, pd.Timestamp) and b.day <= 12 and b.day != b.month:
                    return pd.Timestamp(year=b.year, month=b.day, day=b.month)
                return b
            births[ix] = [swap(b) for b in births[ix]]
        elif k == "year_only":
            births[ix] = [b.year if isinstance(b, pd.Timestamp) else b for b in births[ix]]
        elif k == "address":  # "Thôn 5, Xã Diên Phú, Huyện Diên Khánh, Khánh Hòa" -> "Diên Phú, H. Diên Khánh"
            def shorten(a):
                parts = [p.strip() for p in a.split(",")]
                rest = [p.replace("Xã ", "").replace("Phường ", "").replace("Thị trấn ", "") for p in parts[1:3]]
                rest = [p.replace("Huyện ", "H. ").replace("Thành phố ", "TP. ").replace("Thị xã ", "TX. ")
                        for p in rest]
                return ", ".join(rest)
            addrs[ix] = [shorten(a) for a in addrs[ix]]
    changed = ((names != frame["Họ và tên"].to_numpy(dtype=object))
               | (births != frame["Ngày sinh"].to_numpy(dtype=object))
               | (addrs != frame["Địa chỉ"].to_numpy(dtype=object)))
    out[~changed] = ""  # e.g. a given name without a tone mark, a day > 12: nothing changed
    chosen = chosen[changed[chosen]]
    frame["Họ và tên"] = names
    frame["Ngày sinh"] = pd.Series(births, index=frame.index, dtype=object)
    frame["Địa chỉ"] = addrs
    # another agency, another card number
    cards = frame["Mã thẻ"].to_numpy(dtype=object).copy()
    cards[chosen] = [c[:5] + f"{9_000_000_000 + i:010d}" for i, c in zip(chosen, cards[chosen])]
    frame["Mã thẻ"] = cards
    return out


def labelled_metrics(threshold: float) -> dict:
    mod = load_labelled()
    params = Params()
    tp = fp = fn = tn = 0
    wrong = []
    for case in mod.CASES:
        cards = prepare(mod.case_frame(case), params)
        found = find_suspects(cards, params, options=SuspectOptions(threshold=threshold))
        hit = len(found) > 0
        if case["same"]:
            tp += hit
            fn += not hit
        else:
            fp += hit
            tn += not hit
        if hit != case["same"]:
            scored = find_suspects(cards, params, options=SuspectOptions(threshold=0))
            score = int(scored["score"].iloc[0]) if len(scored) else None
            wrong.append((case["id"], case["same"], score, case["description"]))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": tp / max(tp + fp, 1),
            "recall": tp / max(tp + fn, 1), "wrong": wrong, "cases": len(mod.CASES)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--typo-share", type=float, default=0.5, help="share of overlapping second cards changed")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threshold", type=float, default=SuspectOptions().threshold)
    args = ap.parse_args()

    lab = labelled_metrics(args.threshold)
    print(f"labelled set: {lab['cases']} pairs; TP {lab['tp']} FP {lab['fp']} FN {lab['fn']} TN {lab['tn']}; "
          f"precision {lab['precision']:.3f} recall {lab['recall']:.3f}")
    for cid, same, score, desc in lab["wrong"]:
        print(f"  wrong: {cid} ({'true pair' if same else 'different people'}, score {score}): {desc}")

    t = time.perf_counter()
    frame, truth = generate_cards_with_truth(args.rows, seed=args.seed)
    variant = add_typo_variants(frame, truth, args.typo_share, args.seed)
    gen_s = time.perf_counter() - t
    params = Params()
    t = time.perf_counter()
    cards = prepare(frame, params)
    prep_s = time.perf_counter() - t
    t = time.perf_counter()
    found = find_suspects(cards, params, options=SuspectOptions(threshold=args.threshold))
    sus_s = time.perf_counter() - t
    # in the real flow the review has already computed the identity keys: pass them
    ident = identity_keys(cards)
    t = time.perf_counter()
    again = find_suspects(cards, params, options=SuspectOptions(threshold=args.threshold), identity=ident)
    sus_ident_s = time.perf_counter() - t
    assert again["pair_id"].tolist() == found["pair_id"].tolist()

    person = truth["person"].to_numpy()
    pos = pd.Series(np.arange(len(cards)), index=cards.index)
    pa = person[pos[found["row_a"]].to_numpy()]
    pb = person[pos[found["row_b"]].to_numpy()]
    same = pa == pb
    precision = float(same.mean()) if len(found) else 1.0
    var_rows = np.flatnonzero(variant.to_numpy() != "")
    hit_rows = np.unique(np.r_[pos[found["row_a"][same]].to_numpy(), pos[found["row_b"][same]].to_numpy()])
    found_var = np.isin(var_rows, hit_rows)
    recall = float(found_var.mean()) if len(var_rows) else 1.0
    print(f"generated {args.rows:,} rows in {gen_s:.1f} s ({len(var_rows):,} typo variants); "
          f"prepare_cards {prep_s:.1f} s; find_suspects {sus_s:.2f} s, {sus_ident_s:.2f} s given the review's "
          f"identity keys (peak {peak_mb():.0f} MB)")
    print(f"proposed pairs: {len(found):,}; same generated person: {int(same.sum()):,} "
          f"(precision {precision:.3f}); variant cards found: {int(found_var.sum()):,}/{len(var_rows):,} "
          f"(recall {recall:.3f}); skipped blocks: {found.attrs.get('skipped_blocks')}")
    by_kind = pd.Series(found_var, index=variant.iloc[var_rows].to_numpy()).groupby(level=0).mean()
    print("recall per variant kind: " + ", ".join(f"{k} {v:.3f}" for k, v in by_kind.items()))
    if (~same).any():
        fp = found[~same]
        print("false pairs by name level / birth level / address level (top 8):")
        print(fp.groupby(["name_level", "birth_level", "address_level", "bhxh_level"]).size()
              .sort_values(ascending=False).head(8).to_string())
    print(f"rows={args.rows} suspects_s={sus_s:.2f} suspects_given_identity_s={sus_ident_s:.2f} pairs={len(found)} precision={precision:.3f} "
          f"recall_variants={recall:.3f} labelled_precision={lab['precision']:.3f} "
          f"labelled_recall={lab['recall']:.3f}")


if __name__ == "__main__":
    main()
