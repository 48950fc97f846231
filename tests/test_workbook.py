"""The Excel template workbooks/BHYT_RaSoat.xlsm (bhyt_xl.build.workbook).

Read back with independent readers: the zip/VML parts for the buttons, oletools
for the VBA, openpyxl for the sheets, LibreOffice for a real spreadsheet
program (in CI, CI=true, a missing soffice is a failure, not a skip).
The contract with bhyt_xl.excel.macros is declared here, not imported.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pandas as pd
import pytest
import xlwings as xw
from oletools.olevba import VBA_Parser

import bhyt_xl
from bhyt_xl.build import workbook as wbmod
from bhyt_xl.build.udf_module import embedded_xlwings_version, xlwings_vba_sources
from bhyt_xl.build.vba_project import VbaModule
from bhyt_xl.build.workbook import build_workbook
from bhyt_xl.io.params_io import params_from_rows
from bhyt_xl.params import Params

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbooks" / "BHYT_RaSoat.xlsm"
BUTTONS_BAS = ROOT / "vba" / "Buttons.bas"

SHEETS = ["Hướng dẫn", "Danh sách thẻ", "Tăng giảm", "Thời gian được tính", "Tham số", "xlwings.conf"]
CODENAMES = ["Sheet1", "Sheet2", "Sheet5", "Sheet6", "Sheet3", "Sheet4"]
HEADER = ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Ngày cấp",
          "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi", "Mã số BHXH", "Mã đơn vị", "Mã KCB", "Ghi chú"]
# The contract with bhyt_xl.excel.macros: VBA Sub -> Python function.
MACRO_FUNCTIONS = {
    "KiemTraDuLieu": "check_data",
    "RaSoatTheTrung": "run_review",
    "XoaKetQua": "clear_results",
    "Tinh5NamLienTuc": "run_continuity",
    "ApDungTangGiam": "apply_changes",
    "LapBaoCao": "make_reports",
    "KiemTraCaiDat": "check_setup",
}
# Buttons placed now: sheet -> caption -> macro.
PLACED = {
    "Danh sách thẻ": {"Kiểm tra dữ liệu": "KiemTraDuLieu", "Rà soát thẻ trùng": "RaSoatTheTrung",
                      "Tính 5 năm liên tục": "Tinh5NamLienTuc", "Áp dụng tăng/giảm": "ApDungTangGiam",
                      "Lập báo cáo": "LapBaoCao", "Xóa kết quả": "XoaKetQua"},
    "Hướng dẫn": {"Kiểm tra cài đặt": "KiemTraCaiDat"},
}
MACROS_IMPORTABLE = importlib.util.find_spec("bhyt_xl.excel.macros") is not None
UDFS_IMPORTABLE = importlib.util.find_spec("bhyt_xl.excel.udfs") is not None

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true", reason="LibreOffice not installed (CI installs it)"
)

FIXTURE_UDFS = "bhyt_test_wb_udfs"
FIXTURE_UDFS_SOURCE = '''
import xlwings as xw


@xw.func
def BHYT_SOTHANG(tu_ngay, den_ngay):
    return 0


@xw.func
def BHYT_THANGTRUNG(tu_1, den_1, tu_2, den_2):
    return 0


@xw.func
def BHYT_MUCDONG(ngay, ma_doi_tuong=None):
    return 0


@xw.func
def BHYT_SOTIEN(tu_ngay, den_ngay, ma_doi_tuong=None):
    return 0


@xw.func
def BHYT_NHOM(ma_doi_tuong):
    return 0


@xw.func
def BHYT_KHOA(ho_ten, ngay_sinh, gioi_tinh, dia_chi):
    return ""


@xw.func
def BHYT_KIEMTRAMATHE(ma_the):
    return ""


@xw.func
def BHYT_NGAYDU5NAM(tu_ngay_range, den_ngay_range):
    return ""
'''
FIXTURE_MACROS = "bhyt_test_wb_macros"


# ---------------------------------------------------------------------------
# Fixtures and readers
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("build") / "BHYT_RaSoat.xlsm")


@pytest.fixture(scope="module")
def vba(built) -> dict[str, str]:
    return _extract(built)


@pytest.fixture(scope="module")
def book(built):
    return openpyxl.load_workbook(built, keep_vba=True)


@pytest.fixture(scope="module")
def fixture_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fixture_modules")
    (folder / f"{FIXTURE_UDFS}.py").write_text(FIXTURE_UDFS_SOURCE, encoding="utf-8")
    functions = "".join(f"def {name}():\n    pass\n\n\n" for name in MACRO_FUNCTIONS.values()
                        if name not in ("make_reports", "clear_results"))
    (folder / f"{FIXTURE_MACROS}.py").write_text(functions, encoding="utf-8")
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))
    for name in (FIXTURE_UDFS, FIXTURE_MACROS):
        sys.modules.pop(name, None)


def _extract(path: Path) -> dict[str, str]:
    """Module name -> source, as olevba reads them."""
    parser = VBA_Parser(str(path))
    try:
        return {PurePosixPath(name).stem: code if isinstance(code, str) else code.decode("cp1252")
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _body(text: str) -> list[str]:
    """Source lines without the leading Attribute lines."""
    lines = re.split(r"\r\n|\r|\n", text.rstrip("\r\n"))
    while lines and lines[0].startswith("Attribute VB_"):
        lines = lines[1:]
    return lines


def _subs(source: str) -> dict[str, str]:
    """Public argument-less Sub -> its body text."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r"^(?:Public )?Sub (\w+)\(\)\s*$(.*?)^End Sub", source, re.MULTILINE | re.DOTALL)}


def _run_python(body: str) -> list[str]:
    return re.findall(r'^\s*RunPython "([^"]*)"\s*$', body, re.MULTILINE)


def _rel_target(base: str, target: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(base), target)).replace(os.sep, "/")


def _vml_buttons(path: Path) -> dict[str, list[dict]]:
    """Sheet name -> its Form-control buttons (caption, macro, position in points) from the VML drawings."""
    out: dict[str, list[dict]] = {}
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"/>', workbook):
            sheet = _rel_target("xl/workbook.xml", targets[rid])
            rel_name = _rel_target(sheet, f"_rels/{PurePosixPath(sheet).name}.rels")
            out[name] = []
            if rel_name not in z.namelist():
                continue
            for target in re.findall(r'Target="([^"]+\.vml)"', z.read(rel_name).decode("utf-8")):
                vml = z.read(_rel_target(sheet, target)).decode("utf-8")
                for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.DOTALL):
                    if 'ObjectType="Button"' not in shape:
                        continue
                    style = dict(re.findall(r"([\w-]+):([\d.]+)pt", re.search(r'style="([^"]*)"', shape).group(1)))
                    out[name].append({
                        "caption": re.search(r"<font [^>]*>(.*?)</font>", shape).group(1),
                        "macro": re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", shape).group(1),
                        "left": float(style["margin-left"]), "top": float(style["margin-top"]),
                        "width": float(style["width"]), "height": float(style["height"]),
                    })
    return out


def _sheet_rows(ws) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _sheet_text(ws) -> str:
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


# ---------------------------------------------------------------------------
# The committed file and the build itself
# ---------------------------------------------------------------------------
def test_committed_workbook_is_a_fresh_build(built):
    assert COMMITTED.exists(), "run: python -m bhyt_xl.build.workbook"
    assert COMMITTED.read_bytes() == built.read_bytes(), (
        "workbooks/BHYT_RaSoat.xlsm differs from a fresh build; rebuild it with "
        "python -m bhyt_xl.build.workbook (never edit it by hand)")


def test_build_is_deterministic_and_atomic(built, tmp_path):
    again = build_workbook(tmp_path / built.name)
    assert again.read_bytes() == built.read_bytes()
    again.write_bytes(b"old")
    build_workbook(again)
    assert again.read_bytes() == built.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [built.name]  # no temporary file left behind
    with zipfile.ZipFile(again) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["2013-01-30T00:00:00Z"] * 2


def test_build_rejects_a_non_xlsm_path(tmp_path):
    with pytest.raises(ValueError, match=r"\.xlsm"):
        build_workbook(tmp_path / "BHYT.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_command_line_builds_the_same_file(built, tmp_path):
    out = tmp_path / built.name
    r = subprocess.run([sys.executable, "-m", "bhyt_xl.build.workbook", "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == built.read_bytes()
    r = subprocess.run([sys.executable, "-m", "bhyt_xl.build.workbook", "-o", str(tmp_path / "no" / "x.xlsm")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1 and r.stderr.startswith("Lỗi:")


# ---------------------------------------------------------------------------
# VBA project (oletools)
# ---------------------------------------------------------------------------
def test_vba_modules(vba):
    expected = {"ThisWorkbook", *CODENAMES, "Buttons", "xlwings", "Dictionary"}
    if UDFS_IMPORTABLE:
        expected.add("xlwings_udfs")
    assert set(vba) == expected


def test_buttons_module_is_the_source_file(vba):
    assert _body(vba["Buttons"]) == _body(BUTTONS_BAS.read_text(encoding="ascii"))


def test_vba_sources_are_ascii():
    for file in sorted((ROOT / "vba").iterdir()):
        file.read_bytes().decode("ascii")  # raises on any non-ASCII byte


def test_each_macro_runs_one_declared_python_function(vba):
    subs = _subs(vba["Buttons"])
    assert set(MACRO_FUNCTIONS) <= set(subs)
    for sub, function in MACRO_FUNCTIONS.items():
        body = subs[sub]
        assert _run_python(body) == [f"import bhyt_xl.excel.macros as m; m.{function}()"], sub
        assert re.search(r"^\s*On Error GoTo (\w+)\s*$", body, re.MULTILINE), f"{sub} has no error handler"
    every = [c for module in ("Buttons",) for c in re.findall(r'RunPython "([^"]*)"', vba[module])]
    assert sorted(every) == sorted(f"import bhyt_xl.excel.macros as m; m.{f}()" for f in MACRO_FUNCTIONS.values())


@pytest.mark.skipif(not MACROS_IMPORTABLE, reason="bhyt_xl.excel.macros not written yet")
def test_placed_buttons_run_functions_of_the_macros_module():
    macros = importlib.import_module("bhyt_xl.excel.macros")
    placed = [MACRO_FUNCTIONS[m] for items in PLACED.values() for m in items.values()]
    assert [f for f in placed if not callable(getattr(macros, f, None))] == []


def test_embedded_xlwings_is_the_installed_version(vba):
    assert embedded_xlwings_version(vba["xlwings"]) == xw.__version__
    assert _body(vba["xlwings"]) == _body(xlwings_vba_sources()[0].source)


def test_udf_module_is_built_in_from_a_fixture(tmp_path, fixture_folder):
    path = build_workbook(tmp_path / "BHYT_RaSoat.xlsm", udf_module=FIXTURE_UDFS)
    udfs = _extract(path)["xlwings_udfs"]
    assert sorted(re.findall(r"^Function (\w+)\(", udfs, re.MULTILINE)) == sorted(h.name for h in wbmod.UDF_HELP)
    assert f'XLPy.CallUDF("{FIXTURE_UDFS}", "BHYT_SOTHANG", Array(tu_ngay, den_ngay), ThisWorkbook' in udfs


@pytest.mark.skipif(not UDFS_IMPORTABLE, reason="bhyt_xl.excel.udfs not written yet")
def test_udf_module_of_the_package_is_built_in(vba):
    assert "xlwings_udfs" in vba and 'XLPy.CallUDF("bhyt_xl.excel.udfs"' in vba["xlwings_udfs"]


# ---------------------------------------------------------------------------
# Buttons (VML in the .xlsm zip)
# ---------------------------------------------------------------------------
def test_buttons_call_subs_of_the_buttons_module(built, vba):
    buttons = _vml_buttons(built)
    found = {sheet: {b["caption"]: b["macro"] for b in items} for sheet, items in buttons.items() if items}
    assert found == {sheet: {c: f"[0]!{m}" for c, m in items.items()} for sheet, items in PLACED.items()}
    subs = set(_subs(vba["Buttons"]))
    for items in buttons.values():
        for b in items:
            assert b["macro"].removeprefix("[0]!") in subs


def test_buttons_stay_in_rows_1_to_3_in_order(built, book):
    buttons = _vml_buttons(built)
    for sheet, items in buttons.items():
        if not items:
            continue
        ws = book[sheet]
        top_rows = sum(ws.row_dimensions[r].height or 15 for r in (1, 2, 3))
        ordered = sorted(items, key=lambda b: b["left"])
        for b in ordered:
            assert b["top"] >= 0 and b["top"] + b["height"] <= top_rows, (sheet, b["caption"])
            assert b["width"] >= 90 and b["height"] >= 22  # big enough to click and read
        for a, b in zip(ordered, ordered[1:]):
            assert a["left"] + a["width"] <= b["left"], f"{a['caption']} overlaps {b['caption']}"
    listed = sorted(buttons["Danh sách thẻ"], key=lambda b: b["left"])
    assert [b["caption"] for b in listed] == ["Kiểm tra dữ liệu", "Rà soát thẻ trùng", "Tính 5 năm liên tục",
                                              "Áp dụng tăng/giảm", "Lập báo cáo", "Xóa kết quả"]


def test_every_sub_has_its_button(built, vba):
    assert wbmod.LATER_BUTTONS == ()
    placed = {b["macro"].removeprefix("[0]!") for items in _vml_buttons(built).values() for b in items}
    assert placed == set(MACRO_FUNCTIONS)
    assert placed <= set(_subs(vba["Buttons"]))


# ---------------------------------------------------------------------------
# Sheets (openpyxl)
# ---------------------------------------------------------------------------
def test_sheets_and_codenames(book):
    assert book.sheetnames == SHEETS
    assert [ws.sheet_properties.codeName for ws in book.worksheets] == CODENAMES
    assert book.active.title == "Hướng dẫn"
    assert all(ws.sheet_state == "visible" for ws in book.worksheets)


def test_card_list_sheet(book):
    ws = book["Danh sách thẻ"]
    assert [c.value for c in ws[4]] == HEADER
    assert all(c.font.b for c in ws[4])
    assert ws.freeze_panes == "A5"
    assert all(ws.cell(r, c).value is None for r in range(5, 30) for c in range(1, 20))
    assert "dòng 5" in str(ws["A3"].value)
    formats = {}
    for col, name in enumerate(HEADER, start=1):  # a <col> element may span several columns
        (dim,) = [d for d in ws.column_dimensions.values() if d.min <= col <= d.max]
        formats[name] = dim.number_format
    assert {n for n, f in formats.items() if f == "@"} == {"Mã thẻ", "Mã số BHXH", "Mã đơn vị", "Mã KCB"}
    assert {n for n, f in formats.items() if f == "dd/mm/yyyy"} == {
        "Ngày sinh", "Ngày cấp", "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi"}
    assert "Số thẻ" in ws["B4"].comment.text and "MA_THE" in ws["B4"].comment.text


def test_xlwings_conf_as_xlwings_reads_it(book):
    ws = book["xlwings.conf"]
    conf = {}
    for row in range(1, ws.max_row + 2):  # A1 down to the first blank, keys upper-cased (GetConfigFromSheet)
        key = ws.cell(row, 1).value
        if key in (None, ""):
            break
        conf[str(key).upper()] = ws.cell(row, 2).value
    assert conf == {
        "INTERPRETER_WIN": r"%LOCALAPPDATA%\bhyt-xl\.venv\Scripts\python.exe",
        "UDF MODULES": "bhyt_xl.excel.udfs",
        "SHOW CONSOLE": "False",
        "SHOW_ERROR_POPUPS": "True",
        "ADD_WORKBOOK_TO_PYTHONPATH": "False",
    }
    assert ws["A1"].value == "Interpreter_Win"  # the guide tells staff to edit B1


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


def test_params_sheet_reads_back_as_the_defaults(book):
    rows = _sheet_rows(book["Tham số"])
    defaults = Params()
    other = Params().replace(month_rounding="up", revocation_end="day_before", card_pattern="x",
                             review_from=pd.Timestamp("2011-01-01").date(),
                             groups=defaults.groups.iloc[::-1], rates=defaults.rates.iloc[:1],
                             base_salary=defaults.base_salary.iloc[:2], budget_shares=defaults.budget_shares.iloc[:3])
    parsed = params_from_rows(rows, other)
    for field in dataclasses.fields(Params):
        got, want = getattr(parsed, field.name), getattr(defaults, field.name)
        if isinstance(want, pd.DataFrame):
            _frames_equal(got, want)
        else:
            assert got == want, field.name


def test_params_named_cells(book):
    names = {"TuNgayRaSoat": "Từ ngày rà soát", "DenNgayRaSoat": "Đến ngày rà soát",
             "LamTronSoThang": "Làm tròn số tháng", "TheThuHoiDen": "Thẻ thu hồi có giá trị",
             "MauMaThe": "Mẫu mã thẻ (biểu thức chính quy)"}
    for name, option in names.items():
        (sheet, ref), = book.defined_names[name].destinations
        ws = book[sheet]
        cell = ws[ref.replace("$", "")]
        assert sheet == "Tham số" and ws.cell(cell.row, cell.column - 1).value == option, name
    assert book["Tham số"][book.defined_names["LamTronSoThang"].attr_text.split("!")[1].replace("$", "")].value \
        == "2 chữ số thập phân"


def test_guide_covers_what_staff_need(book):
    text = _sheet_text(book["Hướng dẫn"])
    for needed in (
        "493/BHXH-CST", "Enable Content", "Unblock", "README", "dòng 5", "Tham số", "xlwings.conf",
        r"%LOCALAPPDATA%\bhyt-xl\.venv\Scripts\python.exe", "Kết quả", "Chi tiết theo năm", "Tổng hợp",
        "Lỗi dữ liệu", "không bao giờ bị sửa", "ModuleNotFoundError", "xlwings64", "Could not find Interpreter",
        "child processes", f"bhyt-xl\n{bhyt_xl.__version__}", xw.__version__,
    ):
        assert needed in text, needed
    for caption in [c for items in PLACED.values() for c in items] + [b.caption for b in wbmod.LATER_BUTTONS]:
        assert caption in text
    # bhyt_xl.excel.macros.check_setup reads the embedded xlwings version from this row.
    rows = [r for r in _sheet_rows(book["Hướng dẫn"]) if str(r[0]).startswith("xlwings (mã VBA")]
    assert len(rows) == 1 and re.match(rf"{re.escape(xw.__version__)}\b", rows[0][1])
    for name in ("BHYT_SOTHANG", "BHYT_THANGTRUNG", "BHYT_MUCDONG", "BHYT_SOTIEN", "BHYT_NHOM", "BHYT_KHOA",
                 "BHYT_KIEMTRAMATHE"):
        assert f"{name}(" in text and f"={name}(" in text, name


# ---------------------------------------------------------------------------
# Build-time checks catch what Excel would show only on a click
# ---------------------------------------------------------------------------
def _modules(buttons_source: str) -> list[VbaModule]:
    return [VbaModule("Buttons", "standard", buttons_source), *xlwings_vba_sources()]


def test_check_buttons_rejects_a_missing_sub(monkeypatch):
    source = BUTTONS_BAS.read_text(encoding="ascii")
    wbmod.check_buttons(_modules(source))
    with pytest.raises(ValueError, match="'XoaKetQua'"):
        wbmod.check_buttons(_modules(source.replace("Sub XoaKetQua()", "Sub XoaKetQua2()")))
    with pytest.raises(ValueError, match="'LapBaoCao'"):
        wbmod.check_buttons(_modules(source.replace("Public Sub LapBaoCao()", "Private Sub LapBaoCao()")))
    extra = wbmod.Button("Danh sách thẻ", 1, "KiemTraCaiDat", "Thừa", "")
    monkeypatch.setattr(wbmod, "BUTTONS", wbmod.BUTTONS + (extra,))
    with pytest.raises(ValueError, match="share slot 1"):
        wbmod.check_buttons(_modules(source))


def test_check_macro_commands(fixture_folder, monkeypatch):
    source = BUTTONS_BAS.read_text(encoding="ascii")
    wbmod.check_macro_commands(_modules(source), macros_module="bhyt_test_no_such_module")  # form only
    with pytest.raises(ValueError, match="not of the form"):
        wbmod.check_macro_commands(_modules(source.replace("as m; m.run_review()", "as mm; mm.run_review()")))
    # every placed button's function must exist; a button kept for later may wait for its function
    with pytest.raises(ValueError, match=r"does not define: clear_results, make_reports$"):
        wbmod.check_macro_commands(_modules(source), macros_module=FIXTURE_MACROS)
    later = [b for b in wbmod.BUTTONS if b.macro == "LapBaoCao"]
    monkeypatch.setattr(wbmod, "BUTTONS", tuple(b for b in wbmod.BUTTONS if b not in later))
    monkeypatch.setattr(wbmod, "LATER_BUTTONS", tuple(later))
    with pytest.raises(ValueError, match=r"does not define: clear_results$"):
        wbmod.check_macro_commands(_modules(source), macros_module=FIXTURE_MACROS)


def test_non_ascii_vba_is_rejected(tmp_path):
    (tmp_path / "Buttons.bas").write_text('Sub A()\n    MsgBox "Rà soát"\nEnd Sub\n', encoding="utf-8")
    with pytest.raises(ValueError, match="Buttons.bas, line 2: non-ASCII"):
        wbmod.vba_modules(None, vba_dir=tmp_path)


def test_udf_help_must_match_the_udf_module(monkeypatch, tmp_path, fixture_folder):
    help_ = list(wbmod.UDF_HELP)
    monkeypatch.setattr(wbmod, "UDF_HELP", tuple(help_[:-1]))
    with pytest.raises(ValueError, match="undocumented.*BHYT_NGAYDU5NAM"):
        build_workbook(tmp_path / "a.xlsm", udf_module=FIXTURE_UDFS)
    bad = dataclasses.replace(help_[0], example="=BHYT_SOTHANG(I5)")
    monkeypatch.setattr(wbmod, "UDF_HELP", (bad, *help_[1:]))
    with pytest.raises(ValueError, match="has 1 arguments"):
        build_workbook(tmp_path / "a.xlsm", udf_module=FIXTURE_UDFS)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# LibreOffice
# ---------------------------------------------------------------------------
def _convert(path: Path, fmt: str, outdir: Path) -> Path:
    assert SOFFICE, "LibreOffice (soffice) must be installed in CI"
    r = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{outdir / 'lo-profile'}", "--headless", "--convert-to", fmt,
         "--outdir", str(outdir), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    assert r.returncode == 0, r.stderr
    out = outdir / f"{path.stem}.{fmt}"
    assert out.exists(), r.stdout + r.stderr
    return out


@needs_soffice
def test_libreoffice_prints_the_guide(built, tmp_path):
    pdf = _convert(built, "pdf", tmp_path)
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) must be installed"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needed in ("HƯỚNG DẪN", "Rà soát thẻ trùng", "Kiểm tra cài đặt", "BHYT_KIEMTRAMATHE", "DANH SÁCH THẺ BHYT",
                   "THỨ TỰ ƯU TIÊN NHÓM ĐỐI TƯỢNG", "Interpreter_Win"):
        assert needed in text, needed


@needs_soffice
def test_libreoffice_reads_the_vba_and_binds_the_buttons(built, tmp_path):
    ods = _convert(built, "ods", tmp_path)
    with zipfile.ZipFile(ods) as z:
        basic = z.read("Basic/VBAProject/Buttons.xml").decode("utf-8")
        content = z.read("content.xml").decode("utf-8")
    for sub in MACRO_FUNCTIONS:
        assert f"Sub {sub}()" in basic
    tables = dict(re.findall(r'<table:table table:name="([^"]+)"(.*?)</table:table>', content, re.DOTALL))
    assert list(tables) == SHEETS
    for sheet in SHEETS:
        bound = dict(re.findall(
            r'<form:button [^>]*form:label="([^"]+)".*?xlink:href="vnd\.sun\.star\.script:VBAProject\.Buttons\.(\w+)'
            r'\?language=Basic&amp;location=document"', tables[sheet], re.DOTALL))
        assert bound == PLACED.get(sheet, {}), sheet
