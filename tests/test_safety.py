"""Data safety: atomic outputs that survive a killed run, a locked output, no network, the row accounting."""

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl

from bhyt_xl.cli import main

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"


def test_row_accounting_is_printed_and_recorded_in_the_workbook(tmp_path, capsys):
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(SAMPLE), "-o", str(out)]) == 0
    line = "Đọc 3.039 dòng = 3.034 dòng hợp lệ + 5 dòng lỗi + 0 dòng bỏ qua (tiêu đề/tổng cộng/trống: 0/0/0)."
    assert line in capsys.readouterr().out
    wb = openpyxl.load_workbook(out, read_only=True)
    cells = [r[0] for r in wb["Tham số"].iter_rows(max_row=5, values_only=True)]
    wb.close()
    assert line in cells


def test_locked_output_says_so_and_keeps_the_old_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "kq.xlsx"
    out.write_bytes(b"old result")

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", locked)
    assert main(["review", str(SAMPLE), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "đang mở trong Excel hoặc bị khóa" in err and "kq_moi.xlsx" in err
    assert out.read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx"]  # no temporary file left


def _big_list(path: Path, rows: int = 60_000) -> Path:
    from bhyt_xl.samples.generate import generate_cards, write_csv

    write_csv(generate_cards(rows, seed=8), path)
    return path


def _is_complete_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None and "xl/workbook.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def test_a_killed_run_never_leaves_a_partial_output(tmp_path):
    """Kill the process while it works: the old output stays intact (or the new one is complete), never half."""
    source = _big_list(tmp_path / "list.csv")
    out = tmp_path / "kq.xlsx"
    out.write_bytes(b"old result")
    cmd = [sys.executable, "-m", "bhyt_xl", "review", str(source), "-o", str(out)]
    for sig, delay in ((signal.SIGTERM, 4.0), (signal.SIGKILL, 6.0)):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=120)
        assert out.read_bytes() == b"old result" or _is_complete_workbook(out)
        if sig == signal.SIGTERM and out.read_bytes() == b"old result":
            # a stop request unwinds: the temporary file is removed at once
            assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx", "list.csv"]
    # a hard kill cannot clean up; the next run removes what it left and writes the result
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert _is_complete_workbook(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kq.xlsx", "list.csv"]


def test_the_command_line_works_with_networking_blocked(tmp_path):
    script = tmp_path / "run_offline.py"
    script.write_text(
        "import socket, sys\n"
        "def blocked(*a, **k):\n"
        "    raise RuntimeError('network access attempted')\n"
        "socket.socket = blocked\n"
        "socket.create_connection = blocked\n"
        "socket.getaddrinfo = blocked\n"
        "from bhyt_xl.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    out = tmp_path / "kq.xlsx"
    r = subprocess.run([sys.executable, str(script), "review", str(SAMPLE), "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert _is_complete_workbook(out)
