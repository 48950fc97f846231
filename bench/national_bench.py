"""Benchmark of the partitioned (out-of-core) review: a national-size list on one machine.

Usage: python bench/national_bench.py --rows 2000000 [--rows 20000000] [--buckets N] [--chunk-rows 500000]
                                      [--no-annotate] [--csv] [--keep]

The input is generated once into bench/cache/national_N.csv with
``generate_cards`` in chunks of 1,000,000 rows (each chunk its own seed and
people, so files of any size take bounded memory). Each size then runs
``bhyt_xl.scale.review_partitioned`` in a fresh subprocess (peak memory is its
own) and prints the per-phase times and one final line
``rows=N total_s=… peak_mb=… partition_s=… review_s=… gather_s=… buckets=… chunks=… disk_mb=…``.

``--buckets`` defaults to one bucket per ~312,500 rows (64 for 20 million).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "cache"
GEN_CHUNK = 1_000_000
ROWS_PER_BUCKET = 312_500


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_input(rows: int) -> Path:
    """Generate the list once (CSV, UTF-8 with BOM, dates dd/mm/yyyy) in chunks of a million rows."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"national_{rows}.csv"
    if path.exists():
        return path
    sys.path.insert(0, str(ROOT))
    from bhyt_xl.samples.generate import generate_cards, write_csv

    t = time.perf_counter()
    tmp = path.with_suffix(".tmp")
    part = path.with_suffix(".part")
    with tmp.open("wb") as out:
        done = 0
        k = 0
        while done < rows:
            n = min(GEN_CHUNK, rows - done)
            df = generate_cards(n, seed=rows + k)
            df["STT"] = range(done + 1, done + n + 1)
            write_csv(df, part)
            data = part.read_bytes()
            if k:  # header (and BOM) only once
                data = data[data.index(b"\n") + 1:]
            out.write(data)
            done += n
            k += 1
            print(f"  generated {done:,} rows ({time.perf_counter() - t:.0f} s)", file=sys.stderr, flush=True)
    part.unlink(missing_ok=True)
    tmp.rename(path)
    print(f"generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t:.1f} s",
          file=sys.stderr)
    return path


def _dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def run_one(rows: int, buckets: int, chunk_rows: int, annotate: bool, write_csv: bool, keep: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    path = ensure_input(rows)
    from bhyt_xl.scale import review_partitioned

    work = CACHE / f"national_work_{rows}"
    if work.exists():
        shutil.rmtree(work)
    disk = {"max": 0.0}

    def progress(line: str) -> None:  # sample the work folder's size at each step
        if work.exists():
            disk["max"] = max(disk["max"], _dir_mb(work))

    t0 = time.perf_counter()
    result = review_partitioned([path], None, work, buckets=buckets, chunk_rows=chunk_rows, annotate=annotate,
                                write_csv=write_csv, progress=progress)
    total = time.perf_counter() - t0
    out = {"rows": rows, "total_s": total, "peak_mb": peak_mb(), "buckets": buckets, "chunks": result.chunks,
           "input_mb": path.stat().st_size / 1e6, "disk_mb": max(disk["max"], _dir_mb(work)),
           "output_mb": _dir_mb(work), **{k: round(v, 2) for k, v in result.timings.items()},
           "duplicates": result.stats["duplicates"], "rows_reviewed": result.stats["rows"]}
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="list size (repeatable); default 2000000")
    ap.add_argument("--buckets", type=int, default=None, help="identity-hash buckets (default: rows / 312,500)")
    ap.add_argument("--chunk-rows", type=int, default=500_000)
    ap.add_argument("--no-annotate", action="store_true", help="skip ket_qua.parquet (original columns + results)")
    ap.add_argument("--csv", action="store_true", help="also write ket_qua.csv")
    ap.add_argument("--keep", action="store_true", help="keep the output folder in bench/cache/")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sizes = args.rows or [2_000_000]
    if args.child:
        n = sizes[0]
        buckets = args.buckets or max(1, math.ceil(n / ROWS_PER_BUCKET))
        print(json.dumps(run_one(n, buckets, args.chunk_rows, not args.no_annotate, args.csv, args.keep)))
        return
    for n in sizes:
        ensure_input(n)
        cmd = [sys.executable, __file__, "--child", "--rows", str(n), "--chunk-rows", str(args.chunk_rows)]
        if args.buckets:
            cmd += ["--buckets", str(args.buckets)]
        cmd += [flag for flag, on in (("--no-annotate", args.no_annotate), ("--csv", args.csv), ("--keep", args.keep))
                if on]
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        phases = ("read_s", "prepare_s", "key_s", "write_s", "bucket_read_s", "bucket_review_s", "bucket_write_s",
                  "gather_read_s", "gather_rows_s", "gather_annotated_s")
        print(f"{n:>11,} rows ({r['input_mb']:,.0f} MB CSV), {r['buckets']} buckets, {r['chunks']} chunks: "
              + ", ".join(f"{k[:-2]} {r.get(k, 0):.1f} s" for k in phases)
              + f"; {r['duplicates']:,} duplicate cards; work folder up to {r['disk_mb']:,.0f} MB, "
              f"outputs {r['output_mb']:,.0f} MB")
        print(f"rows={n} total_s={r['total_s']:.1f} peak_mb={r['peak_mb']:.0f} partition_s={r['partition_s']:.1f} "
              f"review_s={r['review_s']:.1f} gather_s={r['gather_s']:.1f} buckets={r['buckets']} chunks={r['chunks']} "
              f"disk_mb={r['disk_mb']:.0f}")


if __name__ == "__main__":
    main()
