#!/usr/bin/env python
"""The fuzz property of tests/test_fuzz_input.py with many more examples (issue 8).

    python bench/fuzz_long.py [--examples 2000] [--seed N]

Each example writes a messy card list (.xlsx or .csv), reviews it and checks:
a result whose row accounting holds, or one Vietnamese message; nothing else.
Prints the failing example and exits 1 when the property breaks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=None, help="fix hypothesis' seed (to replay a run)")
    args = ap.parse_args(argv)

    import test_fuzz_input as fuzz
    from hypothesis import HealthCheck, given, seed, settings

    prop = settings(max_examples=args.examples, deadline=None, database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck))(given(case=fuzz.cases())(fuzz.check))
    if args.seed is not None:
        prop = seed(args.seed)(prop)
    start = time.perf_counter()
    try:
        prop()
    except Exception as exc:  # noqa: BLE001  (the property broke: hypothesis printed the minimal example above)
        print(f"FAILED after {time.perf_counter() - start:.0f} s: {type(exc).__name__}: {exc}")
        return 1
    print(f"{args.examples} examples passed in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
