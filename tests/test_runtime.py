"""The allocator option the package sets for pyarrow when it is imported first (see ``bhyt_xl/__init__``)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(code: str, **env) -> str:
    full = {k: v for k, v in os.environ.items() if k != "MIMALLOC_ALLOW_THP"}
    full.update(env, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code], env=full, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_importing_the_package_first_turns_off_mimalloc_huge_pages():
    code = "import bhyt_xl, os, pyarrow; print(os.environ.get('MIMALLOC_ALLOW_THP'))"
    assert _run(code) == "0"


def test_a_value_the_user_set_is_kept():
    code = "import bhyt_xl, os; print(os.environ.get('MIMALLOC_ALLOW_THP'))"
    assert _run(code, MIMALLOC_ALLOW_THP="1") == "1"


def test_nothing_is_set_when_pyarrow_was_loaded_before():
    """Too late for the allocator then: the environment is left as the user had it."""
    code = "import pyarrow, bhyt_xl, os; print(os.environ.get('MIMALLOC_ALLOW_THP'))"
    assert _run(code) == "None"
