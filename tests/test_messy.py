"""Messy real files in, nothing lost out (issue 8): the fixture corpus under tests/fixtures/messy/.

Each file gives its expected outcome (``expected.json``, written by hand): a
result with the expected counts, or one Vietnamese message. On every result
the row accounting holds: rows read = cards handed to the engine (valid +
errors) + rows skipped (blank + subtotal + repeated header). The input file is
never written. The corpus is rebuilt by ``scripts/make_messy_fixtures.py``; a
test checks that a rebuild gives the same files.
"""

from __future__ import annotations

import collections
import importlib.util
import inspect
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bhyt_xl.api import review_file, review_table
from bhyt_xl.errors import BhytError, InputFileError
from bhyt_xl.io import clean
from bhyt_xl.io import read as read_mod
from bhyt_xl.io.read import _finish, accounting_text, read_table, recognise_header

ROOT = Path(__file__).resolve().parents[1]
MESSY = ROOT / "tests" / "fixtures" / "messy"
EXPECTED = json.loads((MESSY / "expected.json").read_text(encoding="utf-8"))["cases"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
HTML_PARSER = read_mod._html_parser_available()


def _script():
    spec = importlib.util.spec_from_file_location("make_messy_fixtures", ROOT / "scripts" / "make_messy_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def case_file(case_id: str) -> Path:
    return MESSY / EXPECTED[case_id].get("file", case_id)


def review(path: Path, options: dict):
    """The review as the CLI runs it (``review_file``); several sheets through the reader if the API has no option yet."""
    if options.get("all_sheets") and "all_sheets" not in inspect.signature(review_file).parameters:
        return review_table(read_table(path, all_sheets=True))
    return review_file(path, **options)


def check_accounting(table, errors: int) -> None:
    """N = M + K + S, where M + K are the rows handed to the engine."""
    n_in = table.rows_read
    assert n_in == len(table.data) + table.skipped_blank + table.skipped_subtotal + table.skipped_header
    assert len(table.src_row) == len(table.data)
    if table.src_sheet is not None:
        assert len(table.src_sheet) == len(table.data)
    valid = len(table.data) - errors
    assert valid >= 0
    text = accounting_text(table, errors)
    assert text.startswith(f"Đọc {n_in:,} dòng = {valid:,} dòng hợp lệ + {errors:,} dòng lỗi + "
                           f"{table.skipped:,} dòng bỏ qua".replace(",", "."))


def test_every_fixture_has_an_expected_outcome_and_back():
    files = {p.name for p in MESSY.iterdir() if p.name != "expected.json"}
    described = {EXPECTED[c].get("file", c) for c in EXPECTED}
    assert files == described


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_fixture_outcome(case_id):
    want = EXPECTED[case_id]
    path = case_file(case_id)
    options = want.get("options", {})
    if "error" in want and HTML_PARSER and "with_html_parser" in want:
        want = want["with_html_parser"]
    if "error" in want:
        with pytest.raises(BhytError) as info:
            review(path, options)
        message = str(info.value)
        assert want["error"] in message
        assert "Traceback" not in message and "\n" not in message
        return
    r = review(path, options)
    t = r.table
    stats = r.result.stats
    assert len(t.data) == want["cards"] == stats["rows"]
    assert (t.skipped_blank, t.skipped_subtotal, t.skipped_header) == (
        want["skipped_blank"], want["skipped_subtotal"], want["skipped_header"])
    assert dict(collections.Counter(r.result.rows["verdict"])) == want["verdicts"]
    if "src_rows" in want:
        assert [int(x) for x in t.src_row] == want["src_rows"]
    if "src_sheets" in want:
        assert list(t.src_sheet) == want["src_sheets"]
        assert t.data[read_mod.SHEET_COLUMN].tolist() == want["src_sheets"]
    else:
        assert t.src_sheet is None
    if "hidden_sheets" in want:
        assert list(t.hidden_sheets) == want["hidden_sheets"]
    if "merged_filled" in want:
        assert t.merged_filled == want["merged_filled"]
    if "header_row" in want:
        assert (t.header_row, t.header_rows) == (want["header_row"], want["header_rows"])
    check_accounting(t, stats["errors"])


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_input_file_is_never_written(case_id, tmp_path):
    path = case_file(case_id)
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    try:
        r = review(path, EXPECTED[case_id].get("options", {}))
    except BhytError:
        pass
    else:
        from bhyt_xl.api import write_review

        write_review(r, tmp_path / "ket_qua.xlsx")
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_merged_block_filled_only_where_merged():
    t = read_table(MESSY / "merged_subtotals.xlsx")
    assert t.data["Địa chỉ"].tolist() == ["Xã Vĩnh Lương"] * 3 + ["Xã Vĩnh Hải"] * 3 + ["Xã Vĩnh Ngọc"] * 2
    # "Ghi chú" is blank in most rows and not merged: it stays blank
    assert t.data["Ghi chú"].isna().sum() == 6


def test_dates_stay_dates_when_a_repeated_header_sits_in_their_column():
    t = read_table(MESSY / "merged_subtotals.xlsx")
    for name in ("Ngày cấp", "Giá trị từ ngày", "Giá trị đến ngày"):
        assert str(t.data[name].dtype).startswith("datetime64"), name


def test_all_sheets_keeps_the_sheet_per_row_and_recognised_columns_line_up():
    t = read_table(MESSY / "multi_sheet.xlsx", all_sheets=True)
    assert t.sheets == ("Xã Vĩnh Lương", "Xã Vĩnh Hải")
    assert t.data.columns[0] == "Sheet"
    assert t.data["Mã thẻ"].str.len().eq(15).all()  # MA_THE of the second sheet under the first sheet's label
    assert t.where(5) == "Sheet Xã Vĩnh Hải, dòng 5"
    assert read_table(MESSY / "multi_sheet.xlsx").where(0) == "Dòng 4"


def test_html_without_parser_gives_the_message(monkeypatch):
    monkeypatch.setattr(read_mod, "_html_parser_available", lambda: False)
    with pytest.raises(InputFileError, match="trang web"):
        read_table(MESSY / "html_renamed.xls")


def test_accounting_text():
    t = read_table(MESSY / "csv_messy.csv")
    assert accounting_text(t, 1) == ("Đọc 17 dòng = 7 dòng hợp lệ + 1 dòng lỗi + 9 dòng bỏ qua "
                                     "(tiêu đề/tổng cộng/trống: 2/4/3).")


# ---------------------------------------------------------------------------
# Rows formatted down to the sheet's end
# ---------------------------------------------------------------------------
def _xlsx_with_formatted_rows(path: Path, last_row: int = 1_048_576, stray: str | None = None) -> None:
    """A list of two cards, then every row down to ``last_row`` formatted (a border), written as raw XML."""
    header = ["Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày"]
    cards = [["HN2560123456789", "A", "1980", "Nam", "X", "01/01/2011", "31/12/2011"],
             ["HN2560123456780", "B", "1981", "Nữ", "X", "01/01/2011", "31/12/2011"]]

    def row(r, values):
        cells = "".join(f'<c r="{chr(65 + j)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for j, v in enumerate(values))
        return f'<row r="{r}">{cells}</row>'

    parts = [row(1, header)] + [row(i + 2, c) for i, c in enumerate(cards)]
    parts.append("".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="G{r}" s="1"/></row>' for r in range(4, last_row + 1)))
    if stray is not None:
        parts[-1] = parts[-1].replace(f'<row r="{last_row}"><c r="A{last_row}" s="1"/>',
                                      f'<row r="{last_row}"><c r="A{last_row}" s="1"/>'
                                      f'<c r="T{last_row}" t="inlineStr"><is><t>{stray}</t></is></c>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:T{last_row}"/><sheetData>' + "".join(parts) + "</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    files = {
        "[Content_Types].xml": (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types">'
                                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                                '<Default Extension="xml" ContentType="application/xml"/>'
                                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                                "</Types>"),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
                        'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
                            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
                            '<sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships">'
                                       f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
                                       'Target="worksheets/sheet1.xml"/>'
                                       f'<Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/styles" '
                                       'Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{ns}/spreadsheetml/2006/main">'
                          '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
                          '<borders count="2"><border/><border><bottom style="thin"/></border></borders>'
                          '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
                          '<cellXfs count="2"><xf/><xf borderId="1" applyBorder="1"/></cellXfs></styleSheet>'),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)


@pytest.mark.parametrize("stray", [None, " "], ids=["formatted", "formatted+space-at-last-row"])
def test_rows_formatted_to_the_last_row_cost_neither_time_nor_memory(tmp_path, stray):
    path = tmp_path / "formatted.xlsx"
    _xlsx_with_formatted_rows(path, stray=stray)
    start = time.perf_counter()
    t = read_table(path)
    elapsed = time.perf_counter() - start
    assert len(t.data) == 2 and t.skipped == 0 and list(t.src_row) == [2, 3]
    assert elapsed < 15, elapsed  # about 1 s here; the full grid (1,048,576 × 20 cells) would be ~1.4 GB
    if stray is not None:
        # the sparse sheet is read from a trimmed copy in memory: the value-less rows are gone, the stray space too
        trimmed = read_mod._trim_sparse_xlsx(path)
        assert trimmed is not None and len(trimmed) < path.stat().st_size


def test_sparse_trim_never_drops_a_value():
    row = '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{v}</t></is></c></row>'
    blank = '<row r="{r}"><c r="A{r}" s="1"/></row>'

    def sheet(last_value):
        rows = [row.format(r=1, v="Mã thẻ"), row.format(r=2, v="HN2560123456789")]
        rows += [blank.format(r=r) for r in range(3, 100)]
        rows.append(row.format(r=100, v=last_value))
        return ('<worksheet><dimension ref="A1:T100"/><sheetData>' + "".join(rows) + "</sheetData></worksheet>").encode()

    kept = read_mod._keep_value_rows(sheet(" "), claimed=10_000_000, last_row=100, blank_strings=set())
    assert kept.count(b"<row") == 2 and b"HN2560123456789" in kept and b"<dimension" not in kept
    # a real value far below: the sheet is read as it is (its value is not lost)
    assert read_mod._keep_value_rows(sheet("còn dữ liệu"), claimed=10_000_000, last_row=100,
                                     blank_strings=set()) is None
    # shared strings of spaces count as blank
    shared = sheet("x").replace(b'<row r="100"><c r="A100" t="inlineStr"><is><t>x</t></is></c></row>',
                                b'<row r="100"><c r="A100" t="s"><v>7</v></c></row>')
    assert read_mod._keep_value_rows(shared, claimed=10_000_000, last_row=100, blank_strings={7}).count(b"<row") == 2
    assert read_mod._keep_value_rows(shared, claimed=10_000_000, last_row=100, blank_strings=set()) is None


# ---------------------------------------------------------------------------
# The corpus is reproducible
# ---------------------------------------------------------------------------
def _outcome(path: Path, options: dict):
    try:
        t = read_table(path, **options)
    except BhytError as exc:
        return ("error", type(exc).__name__, str(exc).replace(path.name, "<file>"))
    frame = t.data.astype(object).where(t.data.notna(), None)
    values = [[v.isoformat() if hasattr(v, "isoformat") else (None if v is None else str(v)) for v in row]
              for row in frame.to_numpy().tolist()]
    return (list(t.data.columns), values, [int(x) for x in t.src_row], t.skipped_blank, t.skipped_subtotal,
            t.skipped_header)


@pytest.mark.skipif(not SOFFICE and os.environ.get("CI") != "true", reason="LibreOffice (soffice) not installed")
def test_script_rebuilds_the_corpus(tmp_path):
    module = _script()
    made = set(module.build(tmp_path, use_soffice=True))
    committed = {p.name for p in MESSY.iterdir() if p.name != "expected.json"}
    assert made == committed
    assert module.DETERMINISTIC | module.BY_CONTENT == committed
    for name in sorted(module.DETERMINISTIC):
        assert (tmp_path / name).read_bytes() == (MESSY / name).read_bytes(), name
    for name in sorted(module.BY_CONTENT):
        for case_id, want in EXPECTED.items():
            if want.get("file", case_id) == name:
                options = want.get("options", {})
                assert _outcome(tmp_path / name, options) == _outcome(MESSY / name, options), name


def test_outcome_helper_sees_differences(tmp_path):
    a = _outcome(MESSY / "basic.xlsx", {})
    b = _outcome(MESSY / "merged_subtotals.xlsx", {})
    assert a != b and isinstance(a[1], list) and np.asarray(a[2]).size == 8


# ---------------------------------------------------------------------------
# Row cleaning, case by case
# ---------------------------------------------------------------------------
H = ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày"]
CARD_ROW = [1, "HN2560123456789", "Nguyễn Văn An", "02/01/1980", "Nam", "Xã A", "01/01/2011", "31/12/2011"]


def finish(rows, header=H):
    found = recognise_header([header])
    assert found is not None
    frame = pd.DataFrame([list(r) + [None] * (len(header) - len(r)) for r in rows], dtype=object)
    return _finish(frame, header, found[1], 2, "t.xlsx", "DS", 1)  # the 7 arguments macros.py passes


@pytest.mark.parametrize("text", ["Cộng", "Tổng cộng", "Cộng nhóm 1", "TỔNG SỐ:", "I. Cộng", "Tong cong",
                                  "CỘNG TRANG (A+B)", "Tổng:", "C\u00f4\u0323ng"])
def test_subtotal_captions(text):
    assert clean.is_subtotal_text(text)


@pytest.mark.parametrize("text", ["Công ty", "Tổng Văn A", "Nguyễn Văn Cộng", "cộngx", "", "HN2560123456789"])
def test_not_subtotal_captions(text):
    assert not clean.is_subtotal_text(text)


def test_rows_skipped_and_counted():
    rows = [
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],  # column numbers
        CARD_ROW,
        [None, None, "Cộng xã A", None, None, None, None, 1],  # subtotal, a count in a date column
        [None] * 8,  # blank
        H,  # the header on the next page
        [None, "Mã thẻ", "Họ và tên", "Ngày sinh", None, None, "Giá trị thẻ", None],  # top row of a 2-row header
        [2, "HN2560123456780", "Trần B", "1981", "Nữ", "Xã A", "01/01/2011", "31/12/2011"],
        ["Cộng", None, None, None, None, None, None, None],
        [None, "Tổng cộng", None, None, None, None, None, None],  # caption merged from the card column
        [None, None, None, None, None, None, None, None],  # trailing blank: not counted
        ["  ", None, "", None, None, None, None, None],
    ]
    t = finish(rows)
    assert list(t.src_row) == [3, 8]
    assert (t.skipped_header, t.skipped_subtotal, t.skipped_blank) == (3, 3, 1)
    assert t.rows_read == 9


def test_rows_that_look_odd_but_are_cards_reach_the_engine():
    rows = [
        [3, None, "Tổng Văn A", "02/01/1980", "Nam", "Xã A", "01/01/2011", "31/12/2011"],  # no card number
        [4, None, "Cộng", "02/01/1980", "Nam", "Xã A", "01/01/2011", "31/12/2011"],  # dates: a person's row
        [5, None, None, None, "Nam", None, None, None],  # one header-like cell only
        [6, "HN2560123456781", "A B", None, None, None, None, None],
    ]
    t = finish(rows)
    assert len(t.data) == 4 and t.skipped == 0


def test_column_numbers_as_numbers_and_letters():
    assert clean._column_number_row([1, 2, 3, 4, None, 6])
    assert clean._column_number_row(["A", "B", "C", "D"])
    assert not clean._column_number_row([1, 2])  # too few
    assert not clean._column_number_row([3, 2, 1])  # not in column order
    assert not clean._column_number_row([1, "HN2560123456789", 3])


def test_fill_merged_fills_only_the_block():
    frame = pd.DataFrame({"a": ["Xã A", None, None, None], "b": [1.0, None, None, None]})
    assert clean.fill_merged(frame, [(0, 0, 2)]) == 2
    assert frame["a"].tolist()[:3] == ["Xã A"] * 3 and frame["a"].isna().tolist()[3]
    assert frame["b"].isna().sum() == 3  # not merged: not filled


def test_csv_rows_wider_than_the_header_lose_nothing(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("Mã thẻ,Họ tên,Ngày sinh,Giới tính,Địa chỉ,Từ ngày,Đến ngày\n"
                 "HN2560123456789,A,1980,Nam,X,01/01/2011,31/12/2011,ghi chú thêm,nữa\n", encoding="utf-8")
    t = read_table(p)
    assert t.data.iloc[0].tolist()[-2:] == ["ghi chú thêm", "nữa"]


def test_list_only_on_a_hidden_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Trống").write_string(0, 0, "x")
    ws = wb.add_worksheet("Ẩn")
    ws.write_row(0, 0, H)
    ws.write_row(1, 0, CARD_ROW)
    ws.hide()
    wb.close()
    with pytest.raises(BhytError, match="sheet ẩn"):
        read_table(path, all_sheets=True)
    assert len(read_table(path).data) == 1  # without all_sheets the first list is read, hidden or not
    assert len(read_table(path, sheet="Ẩn").data) == 1


def test_read_tables_is_all_sheets():
    from bhyt_xl.io.read import read_tables

    assert read_tables(MESSY / "multi_sheet.xlsx").sheets == ("Xã Vĩnh Lương", "Xã Vĩnh Hải")


@pytest.mark.parametrize("head,kind", [
    (b"", "empty"), (b"  \r\n", "empty"), (b"PK\x03\x04rest", "zip"), (read_mod.OLE_MAGIC + b"x", "ole"),
    (b"<html><body><table>", "html"), (b"\xef\xbb\xbf<table><tr><td>", "html"),
    (b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook', "xml2003"),
    ("Mã thẻ\tHọ tên\n".encode("utf-16-le"), "text"), ("Mã thẻ,Họ tên\n".encode("utf-16-be"), "text"),
    (b"\xff\xfe" + "Mã thẻ\tHọ tên\n".encode("utf-16-le"), "text"), (bytes(range(256)), "binary"),
])
def test_sniff(head, kind):
    assert read_mod.sniff(head) == kind


def test_all_sheets_on_one_sheet_and_on_text():
    t = read_table(MESSY / "basic.xlsx", all_sheets=True)
    assert t.data.columns[0] == "Sheet" and set(t.src_sheet) == {"Danh sách"} and t.sheets == ("Danh sách",)
    c = read_table(MESSY / "csv_utf8.csv", all_sheets=True)
    assert c.src_sheet is None and "Sheet" not in c.data.columns


def test_csv_with_a_quote_never_closed(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('Mã thẻ,Họ tên,Ngày sinh,Giới tính,Địa chỉ,Từ ngày,Đến ngày\nHN2560123456789,"A,1980,Nam\n',
                 encoding="utf-8")
    with pytest.raises(InputFileError, match="từ dòng 2.*ngoặc kép"):
        read_table(p)
