"""Benchmark of candidate writers for the "Kết quả" sheet (issue #6, the write side).

Usage:
    nice python bench/writers_bench.py [--rows 100000] [--rows 1000000] [--writer NAME ...]
                                       [--only flagged|full] [--check] [--repeat N]

The frame is the real "Kết quả" of a review of ``bench/cache/cards_<rows>.csv``
(``review_table(read_table(path)).sheets()["Kết quả"]``), cached as a pickle in
``bench/cache/``. Each writer writes (a) the flagged rows only (Cấp trùng, Thẻ
giữ lại, Lỗi dữ liệu) and (b) every row; seconds and rows/s are printed.

Optional writers (polars, rustpy-xlsxwriter, rvgsrust-xlsxwriter, jetxl,
fastxlsx, pyexcelerate) are used when importable; install them outside the
project venv for a measurement, e.g.
``pip install --target /tmp/writers_pkgs polars rustpy-xlsxwriter …`` and run with
``PYTHONPATH=/tmp/writers_pkgs``. Writers that are not installed are skipped.

``--check`` writes a small probe frame (Vietnamese text, a code with leading
zeros, dates, blanks, money) with each writer and reads it back with openpyxl
and with LibreOffice (``soffice --headless --convert-to csv``), printing what
survived.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "cache"
sys.path.insert(0, str(ROOT))

from bhyt_xl.io import sheets  # noqa: E402
from bhyt_xl.io.write import MAX_COL_WIDTH, SheetWriter, _cells, _width, new_workbook  # noqa: E402

FLAGGED = ("Cấp trùng", "Thẻ giữ lại", "Lỗi dữ liệu")
SHEET = sheets.SHEET_RESULT


def result_frame(rows: int) -> pd.DataFrame:
    """The "Kết quả" frame of a review of the cached CSV list (built once, then pickled)."""
    cached = CACHE / f"result_frame_{rows}.pkl"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    from bhyt_xl.api import review_table
    from bhyt_xl.io.read import read_table

    t = time.perf_counter()
    frame = review_table(read_table(CACHE / f"cards_{rows}.csv")).sheets()[SHEET]
    cached.write_bytes(pickle.dumps(frame))
    print(f"# built the result frame of {rows:,} rows in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return frame


def flagged(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["Kết luận"].isin(FLAGGED).to_numpy()]


# --------------------------------------------------------------------------- the house layout
def _money(name: str) -> bool:
    return "(đồng)" in name


def _months(name: str) -> bool:
    return name.startswith("Số tháng")


def _dates(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]


def _widths(frame: pd.DataFrame) -> list[int]:
    return [_width(str(c), frame[c]) for c in frame.columns]


# --------------------------------------------------------------------------- writers
def w_sheetwriter(frame: pd.DataFrame, path: Path) -> None:
    """bhyt_xl's SheetWriter.frame (xlsxwriter, constant_memory), as the workbook uses it."""
    wb = new_workbook(path)
    SheetWriter(wb).frame(SHEET, frame)
    wb.close()


def w_sheetwriter_old(frame: pd.DataFrame, path: Path) -> None:
    """The SheetWriter.frame loop before issue #6: ws.write(r, c, v, fmt) per cell."""
    wb = new_workbook(path)
    sw = SheetWriter(wb)
    ws = wb.add_worksheet(SHEET)
    cols = list(map(str, frame.columns))
    ws.set_row(0, 30)
    for j, col in enumerate(cols):
        ws.write_string(0, j, col, sw.fmt["header"])
    formats = [sw.column_format(c, frame[c]) for c in cols]
    for j, (col, f) in enumerate(zip(cols, formats)):
        ws.set_column(j, j, _width(col, frame[col]), f)
    for i, row in enumerate(_cells(frame)):
        for j, v in enumerate(row):
            if v is not None:
                ws.write(i + 1, j, v, formats[j])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), len(cols) - 1)
    wb.close()


def w_xlsxwriter_write_row(frame: pd.DataFrame, path: Path) -> None:
    """xlsxwriter constant_memory, write_row per row, values pre-converted, formats on the columns only."""
    wb = new_workbook(path)
    sw = SheetWriter(wb)
    ws = wb.add_worksheet(SHEET)
    cols = list(map(str, frame.columns))
    ws.set_row(0, 30)
    ws.write_row(0, 0, cols, sw.fmt["header"])
    for j, col in enumerate(cols):
        ws.set_column(j, j, _width(col, frame[col]), sw.column_format(col, frame[col]))
    write_row = ws.write_row
    for i, row in enumerate(_cells(frame), start=1):
        write_row(i, 0, row)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), len(cols) - 1)
    wb.close()


def w_polars(frame: pd.DataFrame, path: Path) -> None:
    """polars DataFrame.write_excel (itself built on xlsxwriter)."""
    import polars as pl

    df = pl.from_pandas(frame)
    formats = {c: "#,##0" for c in df.columns if _money(c)} | {c: "#,##0.00" for c in df.columns if _months(c)}
    df.write_excel(workbook=str(path), worksheet=SHEET, autofilter=True, freeze_panes=(1, 0), autofit=False,
                   column_formats=formats, dtype_formats={pl.Datetime: "dd/mm/yyyy", pl.Date: "dd/mm/yyyy"},
                   column_widths=dict(zip(df.columns, (w * 7 for w in _widths(frame)))),
                   header_format={"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                                  "bg_color": "#DDEBF7", "border": 1},
                   include_header=True)


def w_rustpy(frame: pd.DataFrame, path: Path) -> None:
    """rustpy-xlsxwriter write_worksheet (rust_xlsxwriter behind a Python API)."""
    import rustpy_xlsxwriter as rx

    header = (rx.Format().set_bold().set_text_wrap().set_align("center").set_align("vcenter")
              .set_background_color("#DDEBF7").set_border("thin"))
    formats = {c: rx.Format().set_num_format("#,##0") for c in frame.columns if _money(c)}
    formats |= {c: rx.Format().set_num_format("#,##0.00") for c in frame.columns if _months(c)}
    rx.write_worksheet(frame, str(path), sheet_name=SHEET, freeze_row=1, freeze_col=0,
                       datetime_format="dd/mm/yyyy", header_format=header, autofilter=True,
                       column_widths=dict(zip(map(str, frame.columns), map(float, _widths(frame)))),
                       column_formats=formats, row_heights={0: 30.0})


def w_rvgsrust(frame: pd.DataFrame, path: Path) -> None:
    """rvgsrust-xlsxwriter Worksheet.write_dataframe (rust_xlsxwriter, Arrow path), constant_memory."""
    import pyarrow as pa
    import rvgsrust_xlsxwriter as rv

    wb = rv.Workbook(str(path))
    ws = wb.add_worksheet(SHEET, constant_memory=True)
    header = (wb.add_format().set_bold().set_text_wrap().set_align("center").set_vertical_align("center")
              .set_background_color("#DDEBF7").set_border("thin"))
    formats = {}
    for c in frame.columns:
        if _money(c):
            formats[c] = wb.add_format().set_num_format("#,##0")
        elif _months(c):
            formats[c] = wb.add_format().set_num_format("#,##0.00")
        elif c in _dates(frame):
            formats[c] = wb.add_format().set_num_format("dd/mm/yyyy")
    for j, w in enumerate(_widths(frame)):
        ws.set_column_width(j, float(w))
    ws.set_row_height_pixels(0, 40)  # = 30 points; in points the binding's close takes twice as long (zlib)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), frame.shape[1] - 1)
    table = pa.Table.from_pandas(_arrow_ready(frame, pa.date32()), preserve_index=False)
    ws.write_dataframe(0, 0, table, header_format=header, column_formats=formats)
    wb.close()


def w_jetxl(frame: pd.DataFrame, path: Path) -> None:
    """jetxl write_sheet_arrow (Rust, Arrow input)."""
    import jetxl
    import pyarrow as pa

    table = pa.Table.from_pandas(_arrow_ready(frame), preserve_index=False)
    formats = {c: "dd/mm/yyyy" for c in _dates(frame)}
    formats |= {c: "#,##0" for c in frame.columns if _money(c)} | {c: "#,##0.00" for c in frame.columns if _months(c)}
    jetxl.write_sheet_arrow(table, str(path), sheet_name=SHEET, auto_filter=True, freeze_rows=1,
                            styled_headers=True, column_formats=formats, row_heights={1: 30.0},
                            column_widths=dict(zip(map(str, frame.columns), map(float, _widths(frame)))))


def w_fastxlsx(frame: pd.DataFrame, path: Path) -> None:
    """fastxlsx WriteOnlyWorkbook, one write_column per column (no formats, freeze or filter in its API)."""
    import fastxlsx

    wb = fastxlsx.WriteOnlyWorkbook()
    ws = wb.create_sheet(SHEET)
    ws.write_row((0, 0), list(map(str, frame.columns)))
    for j, c in enumerate(frame.columns):
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            values = [None if pd.isna(v) else v.to_pydatetime() for v in s]
        else:
            values = s.astype(object).where(s.notna(), None).tolist()
        ws.write_column((1, j), values)
    wb.save(str(path))


def w_pyexcelerate(frame: pd.DataFrame, path: Path) -> None:
    """PyExcelerate (pure Python, whole sheet in memory), values only plus column styles."""
    from pyexcelerate import Workbook

    wb = Workbook()
    arrays = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            arrays.append([None if pd.isna(v) else v.to_pydatetime() for v in s])
        else:
            arrays.append(s.astype(object).where(s.notna(), None).tolist())
    data = [list(map(str, frame.columns)), *map(list, zip(*arrays))]
    ws = wb.new_sheet(SHEET, data=data)
    ws.panes = __import__("pyexcelerate").Panes(0, 1)
    wb.save(str(path))


def w_csv(frame: pd.DataFrame, path: Path) -> None:
    """The annotated list as CSV through bhyt_xl.io.big_output (UTF-8 with BOM, dates dd/mm/yyyy)."""
    from bhyt_xl.io.big_output import write_csv

    write_csv(frame, path)


def w_csv_pandas(frame: pd.DataFrame, path: Path) -> None:
    """pandas to_csv, utf-8-sig, date_format dd/mm/yyyy."""
    frame.to_csv(path, index=False, encoding="utf-8-sig", date_format="%d/%m/%Y")


def w_parquet(frame: pd.DataFrame, path: Path) -> None:
    """The annotated list as parquet through bhyt_xl.io.big_output (pyarrow)."""
    from bhyt_xl.io.big_output import write_parquet

    write_parquet(frame, path)


def _arrow_ready(frame: pd.DataFrame, date_type=None) -> pd.DataFrame:
    """Datetime columns as millisecond timestamps, or ``date_type`` (what the Arrow-based writers handle)."""
    out = frame.copy()
    for c in _dates(frame):
        out[c] = out[c].astype("datetime64[ms]")
        if date_type is not None:
            out[c] = pd.Series(pd.arrays.ArrowExtensionArray(
                __import__("pyarrow").array(out[c]).cast(date_type)), index=out.index)
    return out


WRITERS = {
    "sheetwriter": (w_sheetwriter, ".xlsx"),
    "sheetwriter_old": (w_sheetwriter_old, ".xlsx"),
    "xlsxwriter_write_row": (w_xlsxwriter_write_row, ".xlsx"),
    "polars": (w_polars, ".xlsx"),
    "rustpy_xlsxwriter": (w_rustpy, ".xlsx"),
    "rvgsrust_xlsxwriter": (w_rvgsrust, ".xlsx"),
    "jetxl": (w_jetxl, ".xlsx"),
    "fastxlsx": (w_fastxlsx, ".xlsx"),
    "pyexcelerate": (w_pyexcelerate, ".xlsx"),
    "csv": (w_csv, ".csv"),
    "csv_pandas": (w_csv_pandas, ".csv"),
    "parquet": (w_parquet, ".parquet"),
}
IMPORTS = {"polars": "polars", "rustpy_xlsxwriter": "rustpy_xlsxwriter", "rvgsrust_xlsxwriter": "rvgsrust_xlsxwriter",
           "jetxl": "jetxl", "fastxlsx": "fastxlsx", "pyexcelerate": "pyexcelerate"}


def available(name: str) -> bool:
    module = IMPORTS.get(name)
    if module is None:
        return True
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def time_writer(name: str, frame: pd.DataFrame, repeat: int) -> float:
    fn, suffix = WRITERS[name]
    best = float("inf")
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        for _ in range(repeat):
            path = Path(tmp) / f"out{suffix}"
            t = time.perf_counter()
            fn(frame, path)
            best = min(best, time.perf_counter() - t)
            path.unlink()
    return best


# --------------------------------------------------------------------------- correctness probe
def probe_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Mã thẻ": pd.array(["HN4010123456789", "TE1790012345678", None], dtype="str"),
        "Họ và tên": pd.array(["Nguyễn Thị Hoà", "Trần Đức Ánh", "Lê Văn Ưng"], dtype="str"),
        "Mã KCB": pd.array(["01001", "00123", ""], dtype="str"),
        "Giá trị từ ngày": pd.to_datetime(["2011-01-01", "2012-07-16", None]),
        "Kết luận": pd.array(["Cấp trùng", "Thẻ giữ lại", "Lỗi dữ liệu"], dtype="str"),
        "Số tháng trùng": [5.52, np.nan, np.nan],
        "Số tiền trùng (đồng)": [123456.0, np.nan, np.nan],
        "Dòng trong tệp": np.array([2, 3, 4], dtype="int64"),
    })


def check(names: list[str]) -> None:
    import openpyxl

    frame = probe_frame()
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            fn, suffix = WRITERS[name]
            if suffix != ".xlsx":
                continue
            path = Path(tmp) / f"{name}.xlsx"
            try:
                fn(frame, path)
            except Exception as exc:  # noqa: BLE001 - a candidate that fails is a finding
                print(f"{name:22} WRITE FAILED: {type(exc).__name__}: {exc}")
                continue
            try:
                ws = openpyxl.load_workbook(path)[SHEET]
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
                a = rows[1]
                ok_text = a[1] == "Nguyễn Thị Hoà" and rows[2][1] == "Trần Đức Ánh"
                ok_code = a[2] == "01001" and rows[2][2] == "00123"
                ok_date = isinstance(a[3], dt.datetime) and a[3].date() == dt.date(2011, 1, 1)
                fmt = ws.cell(row=2, column=4).number_format
                money_fmt = ws.cell(row=2, column=7).number_format
                freeze = ws.freeze_panes
                autofilter = ws.auto_filter.ref
                opx = (f"openpyxl: text={'ok' if ok_text else 'BAD'} codes={'ok' if ok_code else 'BAD ' + repr(a[2])} "
                       f"date={'ok' if ok_date else 'BAD ' + repr(a[3])} date_fmt={fmt!r} money_fmt={money_fmt!r} "
                       f"freeze={freeze} filter={autofilter}")
            except Exception as exc:  # noqa: BLE001
                opx = f"openpyxl FAILED: {type(exc).__name__}: {exc}"
            lo = _libreoffice_csv(path)
            print(f"{name:22} {opx}\n{'':22} libreoffice: {lo}")


def _libreoffice_csv(path: Path) -> str:
    outdir = path.parent / f"lo_{path.stem}"
    outdir.mkdir()
    profile = outdir / "profile"
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(outdir), str(path)],
                       check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"FAILED ({type(exc).__name__})"
    out = outdir / f"{path.stem}.csv"
    if not out.exists():
        return "FAILED (no csv)"
    lines = out.read_text(encoding="utf-8").splitlines()
    return " | ".join(lines[:3])


# --------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="list size (repeatable); default 100000")
    ap.add_argument("--writer", action="append", choices=sorted(WRITERS), help="writer (repeatable); default all")
    ap.add_argument("--only", choices=["flagged", "full"], help="measure one part only")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is printed")
    ap.add_argument("--check", action="store_true", help="check what each writer's file holds, then stop")
    args = ap.parse_args()
    names = [n for n in (args.writer or list(WRITERS)) if available(n)]
    skipped = [n for n in (args.writer or list(WRITERS)) if not available(n)]
    if skipped:
        print(f"# not installed, skipped: {', '.join(skipped)}")
    if args.check:
        check(names)
        return
    for rows in args.rows or [100_000]:
        frame = result_frame(rows)
        parts = {"flagged": flagged(frame), "full": frame}
        if args.only:
            parts = {args.only: parts[args.only]}
        for name in names:
            for part, f in parts.items():
                if WRITERS[name][1] != ".xlsx" and part == "flagged":
                    continue
                s = time_writer(name, f, args.repeat)
                print(f"list={rows:>9,} writer={name:22} part={part:7} rows={len(f):>9,} "
                      f"seconds={s:8.2f} rows_per_s={len(f) / s:>10,.0f}", flush=True)


if __name__ == "__main__":
    main()
