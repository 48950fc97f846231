"""The button macros (bhyt_xl.excel.macros) through a real xlwings Book on the remote engine.

Each test lays out a workbook as the template does, sends it as the payload
xlwings' clients send (``bhyt_xl.excel.remote.payload_from_xlsx``), runs
``process_*(xw.Book(json=payload))``, applies the queued actions to a copy
of the file with openpyxl (``apply_actions``) and looks at what a user would
see: sheets, headers, values, colours, the message box.
"""

from __future__ import annotations

import os

# xlwings' remote engine is registered at import time when a key is set.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlwings as xw

if "remote" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

from bhyt_xl.api import review_table
from bhyt_xl.core.review import DATA_ERROR, DUPLICATE
from bhyt_xl.excel import macros, remote
from bhyt_xl.io import sheets as result_sheets
from bhyt_xl.io.params_io import RATES, params_blocks
from bhyt_xl.io.read import read_table
from bhyt_xl.params import Params
from bhyt_xl.samples.generate import letter_cases

LIST = "Danh sách thẻ"
TEMPLATE_SHEETS = ["Hướng dẫn", LIST, "Tham số", "xlwings.conf"]
RESULTS = ["Kết quả", "Chi tiết theo năm", "Tổng hợp", "Lỗi dữ liệu"]
ROOT = Path(__file__).resolve().parents[1]
BUILT_TEMPLATE = ROOT / "workbooks" / "BHYT_RaSoat.xlsm"


# ---------------------------------------------------------------------------
# A workbook laid out as the template
# ---------------------------------------------------------------------------
def params_rows(params: Params) -> list[list[object]]:
    """The "Tham số" sheet: intro, then each block (title, header, rows, blank row), as cell values."""
    rows: list[list[object]] = [["THAM SỐ RÀ SOÁT: các bảng quy định và tùy chọn."], []]
    for title, frame in params_blocks(params):
        rows.append([title])
        rows.append([str(c) for c in frame.columns])
        for record in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            rows.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in record])
        rows.append([])
    return rows


def list_rows(cards: pd.DataFrame, title_rows: int = 3) -> list[list[object]]:
    """ "Danh sách thẻ": title rows, the header (row title_rows + 1), one card per row."""
    rows: list[list[object]] = [["DANH SÁCH THẺ BHYT CẦN RÀ SOÁT"], [], ["Dán danh sách từ dòng 5"]][:title_rows]
    rows += [[] for _ in range(title_rows - len(rows))]
    rows.append(list(cards.columns))
    for record in cards.astype(object).where(cards.notna(), None).itertuples(index=False):
        rows.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in record])
    return rows


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.active = 1
    wb.save(path)
    return path


def template(path: Path, cards: pd.DataFrame | None = None, params: Params | None = None,
             guide: list[list[object]] | None = None) -> Path:
    cards = letter_cases() if cards is None else cards
    return write_workbook(path, {
        "Hướng dẫn": guide or [["HƯỚNG DẪN"], ["xlwings (mã VBA trong tệp)", f"{xw.__version__}: Python trên máy …"]],
        LIST: list_rows(cards),
        "Tham số": params_rows(params or Params()),
        "xlwings.conf": [["Interpreter_Win", r"%LOCALAPPDATA%\bhyt-xl\.venv\Scripts\python.exe"],
                         ["UDF Modules", "bhyt_xl.excel.udfs"]],
    })


def run(path: Path, process, **kwargs):
    """Run a macro on the workbook at ``path``; apply its actions to a copy. Returns (outcome, ui, copy, actions)."""
    book = xw.Book(json=remote.payload_from_xlsx(path))
    outcome = process(book, **kwargs)
    actions = book.json()["actions"]
    out = path.with_name(path.stem + "_out" + path.suffix)
    shutil.copy(path, out)
    ui = remote.apply_actions(out, actions)
    return outcome, ui, out, actions


def sheet_frame(ws, header_row: int = 1) -> pd.DataFrame:
    rows = [list(r) for r in ws.iter_rows(min_row=header_row, values_only=True)]
    return pd.DataFrame(rows[1:], columns=rows[0])


def plain(value):
    """A cell as a comparable plain value: blanks None, dates as date, numbers as rounded floats."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(value).date()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return round(float(value), 6)
    return value


def as_plain(frame: pd.DataFrame) -> list[list[object]]:
    return [[plain(v) for v in row] for row in frame.astype(object).itertuples(index=False)]


def alerts(ui):
    return [a for a in ui if a["func"] == "alert"]


def fill(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type is None:
        return None
    return "#" + str(cell.fill.fgColor.rgb)[-6:]


def cli_review(path: Path, params: Params | None = None):
    """The CLI's review of the same list (read by the file reader, not by the macro)."""
    return review_table(read_table(path, sheet=LIST), params or Params())


@pytest.fixture
def book_path(tmp_path) -> Path:
    return template(tmp_path / "BHYT_RaSoat.xlsx")


# ---------------------------------------------------------------------------
# Rà soát thẻ trùng
# ---------------------------------------------------------------------------
def test_run_review_writes_the_cli_sheets_colours_the_list_and_reports(book_path):
    expected = cli_review(book_path)
    frames = expected.sheets()
    outcome, ui, out, actions = run(book_path, macros.process_run_review)

    assert outcome.ok, outcome.message
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Hướng dẫn", LIST, *RESULTS, "Tham số", "xlwings.conf"]

    # the result sheets: the CLI's names, headers and values
    for name in RESULTS:
        got = sheet_frame(wb[name])
        assert list(got.columns) == list(frames[name].columns), name
        assert len(got) == len(frames[name]), name
    engine_columns = [*result_sheets.RESULT_COLUMNS.values(), result_sheets.ROW_NUMBER, "Mã thẻ", "Họ và tên"]
    got = sheet_frame(wb["Kết quả"])
    assert as_plain(got[engine_columns]) == as_plain(frames["Kết quả"][engine_columns])
    for name in ("Chi tiết theo năm", "Tổng hợp", "Lỗi dữ liệu"):
        assert as_plain(sheet_frame(wb[name])) == as_plain(frames[name]), name
    verdicts = got["Kết luận"].value_counts()
    assert verdicts[DUPLICATE] == expected.result.stats["duplicates"] > 0
    assert verdicts[DATA_ERROR] == expected.result.stats["errors"] > 0
    # the letter's example 1: second card duplicated 6 months, 149,400 đ
    row = got[got["Mã thẻ"] == "TA4569900100200"].iloc[0]
    assert (row["Kết luận"], row["Số tháng trùng"], row["Số tiền trùng (đồng)"]) == (DUPLICATE, 6, 149_400)
    # codes stay text, dates are dates, money has thousands
    assert wb["Kết quả"]["B2"].number_format == "@"
    assert wb["Kết quả"].cell(row=2, column=got.columns.get_loc("Trùng từ ngày") + 1).number_format == "dd/mm/yyyy"
    assert wb["Kết quả"].cell(row=2, column=got.columns.get_loc("Số tiền trùng (đồng)") + 1).number_format == "#,##0"
    assert wb["Kết quả"]["A1"].font.bold

    # the list: values untouched, rows coloured by verdict
    before = openpyxl.load_workbook(book_path)[LIST]
    after = wb[LIST]
    assert [[c.value for c in r] for r in before.iter_rows()] == [[c.value for c in r] for r in after.iter_rows()]
    rows = expected.result.rows
    width = len(letter_cases().columns)
    for verdict, src_row in zip(rows["verdict"], expected.table.src_row):
        colours = {fill(after.cell(row=int(src_row), column=c)) for c in range(1, width + 1)}
        assert colours == {macros.ROW_COLOURS.get(verdict)}, (verdict, src_row)
    assert {fill(c) for c in after[4]} == {None}  # the header row is not coloured
    to_list = {a["func"] for a in actions if a["sheet_position"] == 1}
    assert to_list == {"setRangeColor", "activateSheet"}  # only colours go to "Danh sách thẻ"

    # the message box: counts and where to look
    (box,) = alerts(ui)
    prompt, title, buttons, mode = box["args"][:4]
    assert (title, buttons, mode) == (macros.TITLE_REVIEW, "ok", "info")
    assert prompt == outcome.message
    assert prompt.startswith(expected.message())
    s = expected.result.stats
    assert f"Đã đọc {s['rows']} thẻ; {s['duplicates']} thẻ cấp trùng" in prompt
    for where in ('"Kết quả"', '"Tổng hợp"', '"Chi tiết theo năm"', '"Lỗi dữ liệu"', "màu cam"):
        assert where in prompt
    # screen updating off while running, back on at the end; the remote engine has no status bar
    assert [a["args"][0] for a in ui if a["func"] == "setScreenUpdating"] == [False, True]


def test_run_review_twice_refreshes_the_sheets_in_place(book_path):
    _, _, once, _ = run(book_path, macros.process_run_review)
    outcome, _, twice, actions = run(once, macros.process_run_review)
    assert outcome.ok
    assert not [a for a in actions if a["func"] == "addSheet"]
    assert {a["func"] for a in actions} >= {"sheetClear", "setValues"}
    a, b = openpyxl.load_workbook(once), openpyxl.load_workbook(twice)
    assert a.sheetnames == b.sheetnames
    for name in RESULTS:
        assert as_plain(sheet_frame(a[name])) == as_plain(sheet_frame(b[name]))


def test_a_higher_rate_in_tham_so_changes_the_money(tmp_path):
    params = Params()
    path = template(tmp_path / "rate.xlsx", params=params)
    wb = openpyxl.load_workbook(path)
    ws = wb["Tham số"]
    title_row = next(c.row for c in ws["A"] if c.value == RATES)
    assert ws.cell(row=title_row + 2, column=2).value == 3.0  # 3% from 2008
    ws.cell(row=title_row + 2, column=2).value = 6.0
    wb.save(path)

    outcome, _, out, _ = run(path, macros.process_run_review)
    assert outcome.ok
    got = sheet_frame(openpyxl.load_workbook(out)["Kết quả"])
    row = got[got["Mã thẻ"] == "TA4569900100200"].iloc[0]
    assert row["Số tiền trùng (đồng)"] == 298_800  # 6 months × 6% × 830,000
    six = params.replace(rates=params.rates.assign(rate_percent=[6.0, 4.5]))
    assert outcome.message.startswith(cli_review(path, six).message())


def test_a_list_pasted_with_its_own_titles_and_header_names(tmp_path):
    cards = letter_cases().rename(columns={"Mã thẻ": "Số thẻ BHYT", "Họ và tên": "HO_TEN", "Giá trị từ ngày": "Từ ngày",
                                           "Giá trị đến ngày": "Đến ngày"})
    path = tmp_path / "own.xlsx"
    rows = list_rows(cards, title_rows=6)
    rows[0] = ["BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA"]
    rows[2] = ["DANH SÁCH CẤP THẺ BHYT NĂM 2011-2012"]
    write_workbook(path, {"Hướng dẫn": [["x"]], LIST: rows, "Tham số": params_rows(Params())})
    outcome, _, out, _ = run(path, macros.process_run_review)
    assert outcome.ok, outcome.message
    got = sheet_frame(openpyxl.load_workbook(out)["Kết quả"])
    assert got[result_sheets.ROW_NUMBER].tolist() == list(range(8, 8 + len(cards)))
    expected = cli_review(path)
    assert got["Kết luận"].tolist() == expected.result.rows["verdict"].tolist()


def test_missing_required_column_stops_with_the_vietnamese_message(tmp_path):
    path = template(tmp_path / "missing.xlsx", cards=letter_cases().drop(columns=["Họ và tên"]))
    outcome, ui, out, actions = run(path, macros.process_run_review)
    assert not outcome.ok
    assert outcome.message.startswith('Không tìm thấy cột "Họ và tên" trong sheet "Danh sách thẻ" (dòng tiêu đề là dòng 4)')
    (box,) = alerts(ui)
    assert box["args"][0] == outcome.message and box["args"][3] == "critical"
    assert not {a["func"] for a in actions} & {"addSheet", "setValues", "sheetClear", "setRangeColor"}
    assert openpyxl.load_workbook(out).sheetnames == TEMPLATE_SHEETS


def test_no_header_and_no_cards_give_messages(tmp_path):
    path = write_workbook(tmp_path / "empty.xlsx", {LIST: [["DANH SÁCH"], [], [], ["chưa dán gì"]]})
    outcome, *_ = run(path, macros.process_run_review)
    assert not outcome.ok and outcome.message.startswith("Không tìm thấy dòng tiêu đề")
    path = write_workbook(tmp_path / "header.xlsx", {LIST: list_rows(letter_cases().head(0))})
    outcome, *_ = run(path, macros.process_run_review)
    assert not outcome.ok and "Chưa có thẻ nào dưới dòng tiêu đề (dòng 4)" in outcome.message
    path = write_workbook(tmp_path / "nolist.xlsx", {"Sheet1": [["x"]]})
    outcome, *_ = run(path, macros.process_run_review)
    assert not outcome.ok and 'Không tìm thấy sheet "Danh sách thẻ"' in outcome.message


def test_unexpected_error_gives_one_sentence_and_a_log_without_personal_data(book_path, tmp_path, monkeypatch):
    cards = letter_cases()
    secret = f"{cards['Họ và tên'][0]} {cards['Mã thẻ'][0]} 14/05/1948 {cards['Địa chỉ'][0]}"

    def broken(table, params=None, decisions=None):
        raise ValueError(f"cannot handle '{secret}' in {len(table.data)} rows; {secret}")

    monkeypatch.setattr(macros, "review_table", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the remote book has no folder: log in temp
    outcome, ui, out, _actions = run(book_path, macros.process_run_review)

    log = tmp_path / "bhyt_xl.log"
    assert outcome.log == log and log.exists()
    assert outcome.message == f"Đã xảy ra lỗi không mong đợi; chi tiết đã ghi vào tệp {log}."
    (box,) = alerts(ui)
    assert box["args"][0] == outcome.message and box["args"][3] == "critical"
    text = log.read_text(encoding="utf-8")
    assert "ValueError" in text and "run_review" in text and "excel/macros.py" in text
    assert "rows: 39" in text and "Đang rà soát" in text
    for personal in [*cards["Họ và tên"], *cards["Mã thẻ"], *cards["Địa chỉ"], "14/05/1948", "1948"]:
        if personal:
            assert str(personal) not in text, personal
    assert str(tmp_path) not in text.split("\n", 1)[1]  # no folder names in the stack
    assert [a["args"][0] for a in ui if a["func"] == "setScreenUpdating"] == [False, True]
    assert openpyxl.load_workbook(out).sheetnames == TEMPLATE_SHEETS


def test_bad_tham_so_is_a_vietnamese_stop_message(tmp_path):
    path = template(tmp_path / "badparams.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Tham số"]
    title_row = next(c.row for c in ws["A"] if c.value == RATES)
    ws.cell(row=title_row + 2, column=2).value = "ba phần trăm"
    wb.save(path)
    outcome, _ui, out, _ = run(path, macros.process_run_review)
    assert not outcome.ok
    assert outcome.message.startswith('sheet "Tham số", dòng') and "phải là số không âm" in outcome.message
    assert openpyxl.load_workbook(out).sheetnames == TEMPLATE_SHEETS


# ---------------------------------------------------------------------------
# Kiểm tra dữ liệu, Xóa kết quả, Kiểm tra cài đặt
# ---------------------------------------------------------------------------
def test_check_data_writes_only_the_problems_sheet(book_path):
    expected = cli_review(book_path)
    outcome, ui, out, actions = run(book_path, macros.process_check_data)
    assert outcome.ok
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Hướng dẫn", LIST, "Lỗi dữ liệu", "Tham số", "xlwings.conf"]
    assert as_plain(sheet_frame(wb["Lỗi dữ liệu"])) == as_plain(expected.sheets()["Lỗi dữ liệu"])
    assert not [a for a in actions if a["func"] == "setRangeColor" and a["sheet_position"] == 1]
    errors = expected.result.stats["errors"]
    assert outcome.message.startswith(f"Đã kiểm tra 39 dòng của sheet \"{LIST}\": {errors} dòng lỗi dữ liệu")
    assert '"Lỗi dữ liệu"' in outcome.message
    (box,) = alerts(ui)
    assert box["args"][1] == macros.TITLE_CHECK


def test_check_data_without_problems(tmp_path):
    cards = letter_cases()
    good = cards[~cards["Ghi chú"].str.startswith("LD")].head(10)
    outcome, _, out, _ = run(template(tmp_path / "good.xlsx", cards=good), macros.process_check_data)
    assert outcome.ok and "0 dòng lỗi dữ liệu" in outcome.message and "Rà soát thẻ trùng" in outcome.message
    assert len(sheet_frame(openpyxl.load_workbook(out)["Lỗi dữ liệu"])) == 0


def test_clear_results_removes_result_sheets_and_colours(book_path):
    _, _, reviewed, _ = run(book_path, macros.process_run_review)
    outcome, ui, cleared, _actions = run(reviewed, macros.process_clear_results, confirm=True)
    assert outcome.ok, outcome.message
    wb = openpyxl.load_workbook(cleared)
    assert wb.sheetnames == TEMPLATE_SHEETS
    ws = wb[LIST]
    assert {fill(c) for row in ws.iter_rows(min_row=5) for c in row} == {None}
    before = openpyxl.load_workbook(book_path)[LIST]
    assert [[c.value for c in r] for r in before.iter_rows()] == [[c.value for c in r] for r in ws.iter_rows()]
    assert "Đã xóa 4 sheet kết quả" in outcome.message
    assert alerts(ui)[0]["args"][1] == macros.TITLE_CLEAR


def test_clear_results_asks_first(book_path):
    _, _, reviewed, _ = run(book_path, macros.process_run_review)
    # the remote engine cannot return the answer: the question is shown and nothing is deleted
    outcome, _, _, actions = run(reviewed, macros.process_clear_results)
    assert not outcome.ok
    assert [a["func"] for a in actions] == ["alert"]
    assert actions[0]["args"][2] == "yes_no" and "Xóa các sheet kết quả" in actions[0]["args"][0]
    outcome, _, _, actions = run(reviewed, macros.process_clear_results, confirm=False)
    assert actions == [] and outcome.message == "Đã hủy: không xóa gì."


def test_clear_results_asks_through_the_app(book_path, monkeypatch):
    book = xw.Book(json=remote.payload_from_xlsx(book_path))
    asked = []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        asked.append(buttons)
        return "yes" if buttons == "yes_no" else None

    monkeypatch.setattr(xw.App, "alert", alert)
    outcome = macros.process_clear_results(book)
    assert outcome.ok and asked == ["yes_no", "ok"]


def test_check_setup_writes_the_diagnostics_sheet(book_path, tmp_path):
    outcome, _ui, out, _ = run(book_path, macros.process_check_setup)
    assert outcome.ok and outcome.message.startswith("Cài đặt đúng"), outcome.message
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Hướng dẫn", "Kiểm tra cài đặt", LIST, "Tham số", "xlwings.conf"]
    report = sheet_frame(wb["Kiểm tra cài đặt"]).set_index("Mục")
    assert report.loc["xlwings (Python)", "Giá trị"] == xw.__version__
    assert report.loc["xlwings (mã VBA trong tệp)", "Đánh giá"] == "Đúng"
    assert report.loc["Python (đường dẫn)", "Giá trị"]
    assert report.loc["pandas", "Giá trị"] == pd.__version__
    assert report.loc[f'Sheet "{LIST}"', "Giá trị"].startswith("39 thẻ; dòng tiêu đề 4")

    old = template(tmp_path / "old.xlsx", guide=[["xlwings (mã VBA trong tệp)", "0.30.0: Python trên máy …"]])
    outcome, *_ = run(old, macros.process_check_setup)
    assert outcome.message.startswith("Có 1 mục cần sửa: xlwings (mã VBA trong tệp)")
    outcome, *_ = run(old, macros.process_check_setup, vba_version=xw.__version__)
    assert outcome.message.startswith("Cài đặt đúng")


@pytest.mark.skipif(not BUILT_TEMPLATE.exists(), reason="workbooks/BHYT_RaSoat.xlsm not built")
def test_the_built_template_round_trip(tmp_path):
    path = tmp_path / "BHYT_RaSoat.xlsm"
    shutil.copy(BUILT_TEMPLATE, path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[LIST]
    for r, row in enumerate(list_rows(letter_cases())[4:], start=5):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(path)
    outcome, _ui, out, _ = run(path, macros.process_run_review)
    assert outcome.ok, outcome.message
    assert openpyxl.load_workbook(out, keep_vba=True).sheetnames[:6] == ["Hướng dẫn", LIST, *RESULTS]
    outcome, *_ = run(path, macros.process_check_setup)
    assert outcome.ok and outcome.message.startswith("Cài đặt đúng"), outcome.message


# ---------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------
def test_fast_remote_read_equals_xlwings_conversion(book_path):
    book = xw.Book(json=remote.payload_from_xlsx(book_path))
    for sheet in book.sheets:
        last = sheet.used_range.last_cell
        standard = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
        fast = macros.sheet_frame(sheet)
        fast_rows = [[None if v is pd.NaT else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                      for v in row] for row in fast.astype(object).to_numpy().tolist()]
        assert fast_rows == standard, sheet.name


def test_fast_remote_write_equals_xlwings_conversion(book_path):
    frame = cli_review(book_path).sheets()["Kết quả"]
    frame.insert(0, "Có/không", [True, False] * (len(frame) // 2) + [True] * (len(frame) % 2))
    frame["Khi"] = pd.Timestamp("2012-03-04 05:06:07")
    values = [[str(c) for c in frame.columns]] + macros.cell_rows(frame, remote=False)
    payload = remote.payload({"S": [[1]]})
    standard, fast = xw.Book(json=payload), xw.Book(json=payload)
    standard.sheets[0]["A1"].value = values
    fast.sheets[0]["A1"].raw_value = [values[0]] + macros.cell_rows(frame, remote=True)
    assert standard.json()["actions"][0]["values"] == fast.json()["actions"][0]["values"]


def test_table_from_values_finds_the_header_and_keeps_row_numbers():
    rows = [["BẢO HIỂM XÃ HỘI"], [], ["Số thẻ", "Họ tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày"],
            ["HN2561234567890", "A", "01/01/1980", "Nam", "X", dt.datetime(2011, 1, 1), dt.datetime(2011, 12, 31)],
            [None] * 7,
            ["HN2561234567891", "B", 1975, "Nữ", "Y", dt.datetime(2011, 1, 1), dt.datetime(2011, 12, 31), None, None]]
    table = macros.table_from_values(rows, "Book.xlsm", LIST)
    assert (table.header_row, list(table.src_row), table.skipped_blank) == (3, [4, 6], 1)
    assert list(table.data.columns) == rows[2]
    assert table.data["Từ ngày"].dtype == "datetime64[ns]"


def test_row_runs_and_multi_area_addresses():
    assert macros.row_runs(np.array([9, 5, 6, 7, 12, 13])) == [(5, 7), (9, 9), (12, 13)]
    assert macros.row_runs(np.array([], dtype=int)) == []
    runs = [(r, r) for r in range(5, 200, 2)]
    addresses = list(macros.multi_area_addresses(runs, 15))
    assert all(len(a) <= macros.MAX_ADDRESS for a in addresses)
    assert ",".join(addresses).split(",") == [f"A{r}:O{r}" for r in range(5, 200, 2)]
    assert macros._column_letter(28) == "AB"


def test_redact_keeps_no_cell_values():
    text = macros.redact("Nguyen Van A (TA4569900100200), '14/05/1948': cannot convert value to integer")
    assert text == "… … … (#), '…': cannot convert value to integer"
    assert re.search(r"\d", macros.redact("row 27 of 39 rows")) is None


class DesktopApp:
    """What the desktop engines offer: readable and writable status bar, screen updating, calculation, alerts."""

    def __init__(self):
        self.status_bar, self.screen_updating, self.calculation = False, True, "automatic"
        self.history: list[tuple[str, object]] = []
        self.alerts: list[tuple[str, str, str]] = []

    def __setattr__(self, name, value):
        if name in ("status_bar", "screen_updating", "calculation") and hasattr(self, "history"):
            self.history.append((name, value))
        object.__setattr__(self, name, value)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append((prompt, title, mode))


class DesktopBook:
    def __init__(self, folder: Path):
        self.app = DesktopApp()
        self.fullname = str(folder / "BHYT_RaSoat.xlsm")


@pytest.mark.parametrize("fail", [None, ValueError, macros.InputFileError])
def test_desktop_status_bar_and_screen_are_restored_also_on_error(tmp_path, fail):
    book = DesktopBook(tmp_path)
    name = letter_cases()["Họ và tên"][0]

    def body(ui, context):
        assert (book.app.screen_updating, book.app.calculation) == (False, "manual")
        ui.status(macros.STATUS_READ)
        ui.status(macros.STATUS_REVIEW)
        if fail is not None:
            raise fail(name)
        return "xong"

    outcome = macros._run(book, "run_review", macros.TITLE_REVIEW, body)
    app = book.app
    assert (app.status_bar, app.screen_updating, app.calculation) == (False, True, "automatic")
    assert [v for k, v in app.history if k == "status_bar"] == [macros.STATUS_READ, macros.STATUS_REVIEW, False]
    assert len(app.alerts) == 1 and app.alerts[0][0] == outcome.message
    if fail is ValueError:  # the log goes next to the workbook
        assert outcome.log == tmp_path / "bhyt_xl.log" and name not in outcome.log.read_text(encoding="utf-8")
        assert app.alerts[0][2] == "critical"
    elif fail is macros.InputFileError:
        assert outcome.message == name and outcome.log is None
    else:
        assert outcome.ok and app.alerts[0] == ("xong", macros.TITLE_REVIEW, "info")
