"""bhyt-xl: review of BHYT card issuance (duplicate cards, CV 493/BHXH-CST; continuity, CV 1006/BHXH-CST).

Importing the package first sets pyarrow's allocator options on Linux
(:func:`bhyt_xl.runtime.arrow_allocator_defaults`, measured there).
"""

from bhyt_xl import runtime as _runtime

_runtime.arrow_allocator_defaults()

__version__ = "0.1.0"
