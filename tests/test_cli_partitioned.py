"""``bhyt-xl review --partitioned``: the out-of-core run from the command line gives the in-memory totals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bhyt_xl import cli
from bhyt_xl.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"


def read(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="calamine")


def test_partitioned_run_gives_the_in_memory_sheets(tmp_path, capsys):
    plain, part = tmp_path / "kq.xlsx", tmp_path / "kqp.xlsx"
    assert main(["review", str(SAMPLE), "-o", str(plain)]) == 0
    assert main(["review", str(SAMPLE), "-o", str(part), "--partitioned", "--buckets", "3"]) == 0
    out = capsys.readouterr()
    assert "Đang rà soát phần 3/3" in out.err and "kqp_phan_vung" in out.out
    a, b = read(plain), read(part)
    assert list(b)[:4] == ["Ghi chú", "Tổng hợp", "Chi tiết theo năm", "Lỗi dữ liệu"]
    for name in ("Tổng hợp", "Chi tiết theo năm"):
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False)
    assert a["Lỗi dữ liệu"]["Dòng"].tolist() == b["Lỗi dữ liệu"]["Dòng"].tolist()
    # every row's verdict, as the "Kết quả" sheet, in the CSV beside the workbook
    rows = pd.read_csv(tmp_path / "kqp_phan_vung" / "ket_qua.csv", dtype=str, encoding="utf-8-sig")
    assert len(rows) == len(a["Kết quả"])
    assert rows["Kết luận"].tolist() == a["Kết quả"]["Kết luận"].tolist()
    assert rows["Mã thẻ"].tolist() == a["Kết quả"]["Mã thẻ"].astype(str).tolist()


def test_sheets_over_excels_row_limit_are_cut_and_say_where_the_rest_is(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "EXCEL_MAX_ROWS", 10)
    out = tmp_path / "kqp.xlsx"
    assert main(["review", str(SAMPLE), "-o", str(out), "--partitioned", "--buckets", "2"]) == 0
    book = read(out)
    assert len(book["Chi tiết theo năm"]) == 10
    notes = " ".join(book["Ghi chú"]["Ghi chú"])
    assert "by_year.parquet" in notes and "giới hạn của Excel" in notes


def test_partitioned_refuses_what_it_cannot_do(tmp_path, capsys):
    out = tmp_path / "kqp.xlsx"
    assert main(["review", str(SAMPLE), "-o", str(out), "--partitioned", "--suspects"]) == 1
    assert "--partitioned chưa dùng được" in capsys.readouterr().err
    assert not out.exists()
