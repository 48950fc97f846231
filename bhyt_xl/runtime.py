"""Memory-allocator settings of the engine's process, measured on Linux (``bench/review_bench.py``).

Nothing here changes a result; only how fast memory is handed out.

- :func:`arrow_allocator_defaults` (called when ``bhyt_xl`` is imported, before
  pyarrow is loaded): pyarrow's allocator, mimalloc, asks Linux for
  transparent huge pages and gives freed memory back to the system after
  10 ms. The kernel then zeroes 2 MB for each fresh piece of an arena, and
  memory freed by one step is zeroed again for the next. A third of a
  million-row review went to the kernel's ``clear_page``. With
  ``MIMALLOC_ALLOW_THP=0`` and ``MIMALLOC_PURGE_DELAY=-1`` the review of a
  million rows takes 1.65 s instead of 2.3 s, with the same peak memory
  (the memory is kept for the process's next step and returned when it ends).
- :func:`large_list_memory` (around the compute of a list of at least
  :data:`LARGE_LIST_ROWS` rows): glibc hands out every array over 32 MB
  (5,000,000 rows × 8 bytes is 40 MB) as fresh memory from the system and
  returns it when freed, so each of the compute's temporary arrays is zeroed
  by the kernel again. Raising glibc's mmap and trim thresholds for the
  compute lets it reuse them: at 5,000,000 rows the review went from 2.2 to
  1.4 s per million rows (peak 5.7 -> 6.4 GB). Below 2,000,000 rows it gains
  nothing and raises the peak (1M rows: 1.35 -> 1.78 GB), so it is not done.

Each setting is Linux-only and is left alone when the user has set it.
"""

from __future__ import annotations

import contextlib
import os
import sys

#: mimalloc options (read once, when pyarrow is loaded) set by :func:`arrow_allocator_defaults`
ARROW_ALLOCATOR_ENV = {"MIMALLOC_ALLOW_THP": "0", "MIMALLOC_PURGE_DELAY": "-1"}

#: Lists of at least this many rows get :func:`large_list_memory` around their compute.
LARGE_LIST_ROWS = 2_000_000

# glibc mallopt parameters (malloc.h) and the values used for a large list, then restored
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_LARGE = {_M_MMAP_THRESHOLD: 512 << 20, _M_TRIM_THRESHOLD: 1 << 30}
#: what glibc's own adaptive thresholds reach on a run of big arrays (its mmap threshold's ceiling, and twice it)
_RESTORED = {_M_MMAP_THRESHOLD: 32 << 20, _M_TRIM_THRESHOLD: 64 << 20}
_USER_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def arrow_allocator_defaults() -> dict[str, str]:
    """Set :data:`ARROW_ALLOCATOR_ENV` where unset, on Linux, if pyarrow is not loaded yet; returns what was set."""
    if not sys.platform.startswith("linux") or "pyarrow" in sys.modules:
        return {}
    added = {k: v for k, v in ARROW_ALLOCATOR_ENV.items() if k not in os.environ}
    os.environ.update(added)
    return added


def _glibc():
    """glibc through ctypes, or None (another C library or system)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@contextlib.contextmanager
def large_list_memory(rows: int):
    """Around the compute of a list: glibc keeps big freed arrays for reuse when ``rows`` >= :data:`LARGE_LIST_ROWS`.

    The thresholds are restored afterwards; nothing is done for a shorter
    list, off glibc, or when the user set glibc's malloc options.
    """
    libc = _glibc() if rows >= LARGE_LIST_ROWS and not any(k in os.environ for k in _USER_ENV) else None
    if libc is None:
        yield
        return
    for param, value in _LARGE.items():
        libc.mallopt(param, value)
    try:
        yield
    finally:
        for param, value in _RESTORED.items():
            libc.mallopt(param, value)
