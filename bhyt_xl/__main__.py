"""``python -m bhyt_xl`` = the ``bhyt-xl`` command."""

import sys

from bhyt_xl.cli import main

sys.exit(main())
