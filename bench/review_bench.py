"""Benchmark of the review path: generate a list once (cached), then read, review and write it.

Usage: python bench/review_bench.py --rows 100000 [--rows 1000000] [--format xlsx|csv] [--core-only]
                                    [--repeat-e2e --repeat K]
       python bench/review_bench.py --core [--rows N ...] [--repeat 3]

Prints, per size, seconds and peak memory (RSS, MB) of each phase, and a final line
``rows=N read_s=… review_s=… write_s=… total_s=… peak_mb=… read_only_s=… read_only_fresh_s=…``
where read_only_s is a bare fastexcel read of the same file (the fastest reader) in
the measured process after the run, so the ratio total_s / read_only_s is comparable
across machines; read_only_fresh_s is the same bare read in a fresh process of its
own (started like the measured one), to show the first figure is not flattered or
hurt by what ran before it. The bare read is fastexcel's one-core parse of the whole
sheet; the product's read_s parses a large sheet in pieces on the machine's cores
(bhyt_xl/io/split_read.py), so it can be shorter than the bare read. Each size runs in a fresh subprocess so peak memory is
its own. This machine's timings vary by 10-20 % from run to run: ``--repeat-e2e
--repeat K`` runs each size K times and prints the medians as the final line.

``--core`` times the compute alone, on a CSV list already read (sizes 100,000,
1,000,000 and 5,000,000 unless --rows is given; each generated once into
bench/cache): ``review_table`` (the review phase: legacy-encoding check, prepare, review) and
``continuity_table`` (the continuity phase: prepare + continuity), with their
parts (``prepare_many``, ``review_cards``, ``review_continuity``). Each is run
--repeat times (default 3) in one subprocess per size; the best and the median
are printed, then one line of seconds per million rows per phase, so that
linearity is visible. The machine's other load shows in the spread.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "cache"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_input(rows: int, fmt: str) -> Path:
    """Generate the synthetic list once into bench/cache/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"cards_{rows}.{fmt}"
    if path.exists():
        return path
    sys.path.insert(0, str(ROOT))
    from bhyt_xl.samples.generate import generate_cards, write_csv

    t = time.perf_counter()
    df = generate_cards(rows, seed=rows)
    tmp = path.with_suffix(".tmp")
    if fmt == "csv":
        write_csv(df, tmp)
    else:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "default_date_format": "dd/mm/yyyy"})
        ws = wb.add_worksheet("Danh sách")
        ws.write_row(0, 0, list(df.columns))
        cols = [df[c].astype(object).where(df[c].notna(), None).to_numpy() for c in df.columns]
        for i, row in enumerate(zip(*cols), start=1):
            ws.write_row(i, 0, row)
        wb.close()
    tmp.rename(path)
    print(f"generated {path.name} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def run_one(rows: int, fmt: str, core_only: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    path = ensure_input(rows, fmt)
    from bhyt_xl.api import review_table, write_review
    from bhyt_xl.io.read import read_table

    out: dict = {"rows": rows}
    t0 = time.perf_counter()
    table = read_table(path)
    out["read_s"] = time.perf_counter() - t0
    out["read_peak_mb"] = peak_mb()
    t1 = time.perf_counter()
    review = review_table(table)
    out["review_s"] = time.perf_counter() - t1
    out["review_peak_mb"] = peak_mb()
    out["duplicates"] = review.result.stats["duplicates"]
    if core_only:
        out["write_s"] = 0.0
    else:
        t2 = time.perf_counter()
        write_review(review, CACHE / f"result_{rows}.xlsx")
        out["write_s"] = time.perf_counter() - t2
    out["total_s"] = time.perf_counter() - t0
    out["peak_mb"] = peak_mb()
    out["read_only_s"] = bare_read(path, fmt)
    return out


def bare_read(path: Path, fmt: str) -> float:
    """Seconds of a bare read of ``path`` with the fastest reader (fastexcel; pandas for CSV), in this process."""
    t = time.perf_counter()
    if fmt == "xlsx":
        import fastexcel

        fastexcel.read_excel(str(path)).load_sheet(0).to_pandas()
    else:
        import pandas as pd

        pd.read_csv(path, dtype=str)
    return time.perf_counter() - t


def bare_read_fresh(rows: int, fmt: str) -> float:
    """:func:`bare_read` in a fresh process started like the measured one (``bhyt_xl`` imported first, so
    the same allocator settings), i.e. under the conditions the measured read meets."""
    cmd = [sys.executable, __file__, "--child", "--bare", "--rows", str(rows), "--format", fmt]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])


CORE_SIZES = [100_000, 1_000_000, 5_000_000]
#: the timed steps of --core, in print order
CORE_STEPS = ["review", "continuity", "prepare", "review_cards", "review_continuity"]


def run_core(rows: int, repeat: int) -> dict:
    """Compute-only timings on a list already read (see ``--core``); seconds per step, every run."""
    import gc

    sys.path.insert(0, str(ROOT))
    path = ensure_input(rows, "csv")
    from bhyt_xl.api import continuity_table, review_table
    from bhyt_xl.core.participation import review_continuity
    from bhyt_xl.core.review import review_cards
    from bhyt_xl.io.multi import prepare_many
    from bhyt_xl.io.read import read_table
    from bhyt_xl.params import Params

    table = read_table(path)
    params = Params()
    runs: dict[str, list[float]] = {step: [] for step in CORE_STEPS}

    def timed(step, f):
        gc.collect()
        t = time.perf_counter()
        out = f()
        runs[step].append(time.perf_counter() - t)
        return out

    for _ in range(repeat):
        review = timed("review", lambda: review_table(table, params))
        duplicates = review.result.stats["duplicates"]
        del review
        timed("continuity", lambda: continuity_table(table, params))
        cards, problems = timed("prepare", lambda: prepare_many(table, params))
        timed("review_cards", lambda: review_cards(cards, params, problems))
        timed("review_continuity", lambda: review_continuity(cards, params))
        del cards, problems
    return {"rows": rows, "runs": runs, "duplicates": duplicates, "peak_mb": peak_mb()}


def core_main(sizes: list[int], repeat: int) -> None:
    import statistics

    results = []
    for n in sizes:
        cmd = [sys.executable, __file__, "--child", "--core", "--rows", str(n), "--repeat", str(repeat)]
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        results.append(r)
        parts = ", ".join(f"{step} {min(r['runs'][step]):.2f} s (median {statistics.median(r['runs'][step]):.2f})"
                          for step in CORE_STEPS)
        print(f"{n:>9,} rows: {parts}; peak {r['peak_mb']:.0f} MB; {r['duplicates']:,} duplicate cards", flush=True)
    print("seconds per million rows (best of each size):")
    for step in CORE_STEPS:
        per = "  ".join(f"{r['rows']:,}: {min(r['runs'][step]) / r['rows'] * 1e6:.2f}" for r in results)
        print(f"  {step:18s} {per}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="list size (repeatable); default 100000")
    ap.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    ap.add_argument("--core-only", action="store_true", help="skip writing the result workbook")
    ap.add_argument("--core", action="store_true",
                    help="compute only (review and continuity on a CSV list already read), 100k/1M/5M rows")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per size with --core (best and median printed), or with --repeat-e2e")
    ap.add_argument("--repeat-e2e", action="store_true",
                    help="run the end-to-end path --repeat times per size; the final line holds the medians")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bare:  # a child that only reads (see bare_read_fresh)
        sys.path.insert(0, str(ROOT))
        import bhyt_xl  # noqa: F401  (the allocator settings the measured run has)

        print(json.dumps(bare_read(ensure_input(args.rows[0], args.format), args.format)))
        return
    if args.core:
        sizes = args.rows or CORE_SIZES
        if args.child:
            print(json.dumps(run_core(sizes[0], args.repeat)))
        else:
            core_main(sizes, args.repeat)
        return
    sizes = args.rows or [100_000]
    if args.child:
        print(json.dumps(run_one(sizes[0], args.format, args.core_only)))
        return
    for n in sizes:
        ensure_input(n, args.format)
        runs = [run_child(n, args.format, args.core_only) for _ in range(args.repeat if args.repeat_e2e else 1)]
        if len(runs) > 1:
            import statistics

            keys = ["read_s", "review_s", "write_s", "total_s", "peak_mb", "read_only_s", "read_only_fresh_s"]
            r = {k: statistics.median(x[k] for x in runs) for k in keys}
            ratio = statistics.median(x["total_s"] / x["read_only_s"] for x in runs)
            ratio_fresh = statistics.median(x["total_s"] / x["read_only_fresh_s"] for x in runs)
            print(f"{'':>9}  median of {len(runs)} runs (each figure on its own): ratio {ratio:.2f} "
                  f"(fresh-process bare read: {ratio_fresh:.2f}); seconds and MB:")
        else:
            r = runs[0]
        print(f"rows={n} read_s={r['read_s']:.2f} review_s={r['review_s']:.2f} write_s={r['write_s']:.2f} "
              f"total_s={r['total_s']:.2f} peak_mb={r['peak_mb']:.0f} read_only_s={r['read_only_s']:.2f} "
              f"read_only_fresh_s={r['read_only_fresh_s']:.2f}")


def run_child(n: int, fmt: str, core_only: bool) -> dict:
    """One measured run of ``n`` rows in a fresh process (after a bare read in another fresh process); prints it."""
    cmd = [sys.executable, __file__, "--child", "--rows", str(n), "--format", fmt]
    if core_only:
        cmd.append("--core-only")
    fresh = bare_read_fresh(n, fmt)
    r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    r["read_only_fresh_s"] = fresh
    print(f"{n:>9,} rows: read {r['read_s']:.2f} s (peak {r['read_peak_mb']:.0f} MB), "
          f"review {r['review_s']:.2f} s (peak {r['review_peak_mb']:.0f} MB), write {r['write_s']:.2f} s, "
          f"total {r['total_s']:.2f} s, {r['duplicates']:,} duplicate cards", flush=True)
    print(f"{'':>9}  bare read {r['read_only_s']:.2f} s in the measured process after it (ratio "
          f"{r['total_s'] / r['read_only_s']:.2f}), {fresh:.2f} s in a fresh process (ratio "
          f"{r['total_s'] / fresh:.2f})", flush=True)
    return r

if __name__ == "__main__":
    main()
