"""Benchmark of the "Rà soát thẻ trùng" button on xlwings' remote engine.

Usage: python bench/workbook_bench.py [--rows 200000] [--seed 1]

Generates a list (``generate_cards``), lays it out as the template does
("Danh sách thẻ": title rows, header on row 4, data from row 5; "Tham số"
from the default params), builds the remote payload, then times the Python
side of one click: ``process_run_review(book)`` + ``book.json()``.
Payload building is not timed (in use, the client sends it). Prints the
phases on stderr and a final line ``rows=N python_s=… peak_mb=…`` (peak
RSS of the whole process, generation included), plus the number of queued
actions and the time ``json.dumps`` of them would add for a real server.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine; before xlwings is imported
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def params_rows() -> list[list[object]]:
    """The "Tham số" sheet of the template: the default block stack as cell values."""
    from bhyt_xl.io.params_io import params_blocks
    from bhyt_xl.params import Params

    rows: list[list[object]] = [["THAM SỐ RÀ SOÁT"], []]
    for title, frame in params_blocks(Params()):
        rows.append([title])
        rows.append([str(c) for c in frame.columns])
        rows.extend(list(r) for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False))
        rows.append([])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import xlwings as xw

    from bhyt_xl.excel import macros, remote
    from bhyt_xl.samples.generate import generate_cards

    t = time.perf_counter()
    cards = generate_cards(args.rows, seed=args.seed)
    top = [["DANH SÁCH THẺ BHYT CẦN RÀ SOÁT"], [], ["Dán danh sách từ dòng 5"]]
    sheets = {
        "Hướng dẫn": [["HƯỚNG DẪN"]],
        "Danh sách thẻ": remote.frame_values(cards, top=top),
        "Tham số": params_rows(),
        "xlwings.conf": [["UDF Modules", "bhyt_xl.excel.udfs"]],
    }
    payload = remote.payload(sheets)
    print(f"generate + payload: {time.perf_counter() - t:.1f} s", file=sys.stderr)

    book = xw.Book(json=payload)
    t = time.perf_counter()
    outcome = macros.process_run_review(book)
    result = book.json()
    python_s = time.perf_counter() - t
    if not outcome.ok:
        print(f"macro failed: {outcome.message}", file=sys.stderr)
        return 1
    actions = result["actions"]
    t = time.perf_counter()
    size = len(json.dumps(result, ensure_ascii=False, default=str))
    dumps_s = time.perf_counter() - t
    print(outcome.message, file=sys.stderr)
    print(f"actions={len(actions)} json_mb={size / 1e6:.0f} json_dumps_s={dumps_s:.1f}", file=sys.stderr)
    print(f"rows={args.rows} python_s={python_s:.1f} peak_mb={peak_mb():.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
