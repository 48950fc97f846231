"""bhyt-xl: review of BHYT card issuance (duplicate cards, CV 493/BHXH-CST; continuity, CV 1006/BHXH-CST).

Importing the package sets one allocator option for pyarrow, when nothing
imported pyarrow before (its allocator reads its options once, at load) and
the user has not set it: ``MIMALLOC_ALLOW_THP=0``. pyarrow's default
allocator, mimalloc, otherwise asks Linux for transparent huge pages, and the
kernel then zeroes 2 MB for every fresh piece of an arena the engine touches:
on a million-row list a third of the review's time went to the kernel's
``clear_page`` (``bench/review_bench.py``: review 2.3 -> 1.7 s, same peak
memory). Other systems have no such pages; the option is ignored there.
"""

import os as _os
import sys as _sys

if "pyarrow" not in _sys.modules:
    _os.environ.setdefault("MIMALLOC_ALLOW_THP", "0")

__version__ = "0.1.0"
