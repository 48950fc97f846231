"""The process's allocator settings (``bhyt_xl.runtime``): set only where measured, never over the user's."""

import os
import subprocess
import sys

import pytest

from bhyt_xl import runtime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux-only settings")


def _run(code: str, **env) -> str:
    full = {k: v for k, v in os.environ.items() if k not in runtime.ARROW_ALLOCATOR_ENV}
    full.update(env, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code], env=full, check=True, capture_output=True,
                          text=True).stdout.strip()


SHOW = "import os; print(os.environ.get('MIMALLOC_ALLOW_THP'), os.environ.get('MIMALLOC_PURGE_DELAY'))"


@linux
def test_importing_the_package_first_sets_the_arrow_allocator_options():
    assert _run("import bhyt_xl, pyarrow; " + SHOW) == "0 -1"


@linux
def test_a_value_the_user_set_is_kept():
    assert _run("import bhyt_xl; " + SHOW, MIMALLOC_ALLOW_THP="1") == "1 -1"


def test_nothing_is_set_when_pyarrow_was_loaded_before():
    """Too late for the allocator then: the environment is left as the user had it."""
    assert _run("import pyarrow, bhyt_xl; " + SHOW) == "None None"


class _Recorder:
    def __init__(self):
        self.calls = []

    def mallopt(self, param, value):
        self.calls.append((param, value))
        return 1


def test_large_list_memory_raises_and_restores_glibc_thresholds(monkeypatch):
    libc = _Recorder()
    monkeypatch.setattr(runtime, "_glibc", lambda: libc)
    for k in runtime._USER_ENV:
        monkeypatch.delenv(k, raising=False)
    with runtime.large_list_memory(runtime.LARGE_LIST_ROWS):
        assert libc.calls == list(runtime._LARGE.items())
    assert libc.calls[2:] == list(runtime._RESTORED.items())

    libc.calls.clear()
    with pytest.raises(ZeroDivisionError), runtime.large_list_memory(runtime.LARGE_LIST_ROWS):
        _ = 1 / 0  # restored when the compute fails too
    assert libc.calls[2:] == list(runtime._RESTORED.items())


def test_large_list_memory_leaves_short_lists_and_user_settings_alone(monkeypatch):
    libc = _Recorder()
    monkeypatch.setattr(runtime, "_glibc", lambda: libc)
    for k in runtime._USER_ENV:
        monkeypatch.delenv(k, raising=False)
    with runtime.large_list_memory(runtime.LARGE_LIST_ROWS - 1):
        pass
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1000000")
    with runtime.large_list_memory(10 * runtime.LARGE_LIST_ROWS):
        pass
    assert libc.calls == []


@linux
def test_glibc_mallopt_is_reachable_here():
    """On this (glibc) machine the real call is made and accepted."""
    libc = runtime._glibc()
    if libc is None:
        pytest.skip("not glibc")
    assert libc.mallopt(runtime._M_MMAP_THRESHOLD, runtime._RESTORED[runtime._M_MMAP_THRESHOLD]) == 1
