"""Suspected duplicates wired through the command line, the workbook and the params sheet (issue 7).

The labelled cases (tests/cases/suspects_labelled.py) in one list: the
command line with --suspects writes a "Nghi trùng" sheet; staff write their
decisions in it; running the same command again applies them.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cases.suspects_labelled import all_cases_frame

from bhyt_xl.api import review_file
from bhyt_xl.cli import main
from bhyt_xl.core.suspects import SUSPECT_EXPLANATION, SUSPECT_HEADERS
from bhyt_xl.io.params_io import OPT_SUSPECTS, OPT_SUSPECT_THRESHOLD, params_blocks, params_from_rows
from bhyt_xl.io.suspects_io import decisions_from_rows, read_decisions_file
from bhyt_xl.params import Params

SHEET = "Nghi trùng"
DECISION = SUSPECT_HEADERS["decision"]
EXACT_SHEETS = ["Kết quả", "Chi tiết theo năm", "Tổng hợp", "Lỗi dữ liệu"]


@pytest.fixture(scope="module")
def cases_xlsx(tmp_path_factory) -> Path:
    frame, _ = all_cases_frame()
    path = tmp_path_factory.mktemp("cases") / "nghi_trung.xlsx"
    frame.to_excel(path, index=False)
    return path


def header_row(ws) -> int:
    for row in ws.iter_rows(min_row=1, max_row=40):
        if row[0].value == SUSPECT_HEADERS["pair_id"]:
            return row[0].row
    raise AssertionError("no header row on the Nghi trùng sheet")


def pairs(path: Path) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path, read_only=True)[SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    h = next(i for i, r in enumerate(rows) if r and r[0] == SUSPECT_HEADERS["pair_id"])
    return pd.DataFrame(rows[h + 1:], columns=rows[h])


def decide(path: Path, decisions: dict[str, str]) -> None:
    """Write decisions in the "Nghi trùng" sheet as staff would (by pair id)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    h = header_row(ws)
    headers = [c.value for c in ws[h]]
    pid_col, dec_col = headers.index(SUSPECT_HEADERS["pair_id"]) + 1, headers.index(DECISION) + 1
    for r in range(h + 1, ws.max_row + 1):
        pid = ws.cell(r, pid_col).value
        if pid in decisions:
            ws.cell(r, dec_col).value = decisions[pid]
    wb.save(path)


def cells(frame: pd.DataFrame) -> list[list[object]]:
    """Cell values, blanks as None (an all-blank column reads back as float, str or datetime)."""
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()


def sheets(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="calamine")


def test_suspects_sheet_explains_lists_pairs_and_offers_a_dropdown(cases_xlsx, tmp_path, capsys):
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(cases_xlsx), "-o", str(out), "--suspects"]) == 0
    assert "cặp thẻ cần cán bộ kiểm tra" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == ["Kết quả", "Chi tiết theo năm", "Tổng hợp", SHEET, "Lỗi dữ liệu"]
    ws = wb[SHEET]
    h = header_row(ws)
    intro = "\n".join(ws.cell(r, 1).value for r in range(1, h - 1))
    assert intro == SUSPECT_EXPLANATION
    assert [c.value for c in ws[h]] == list(SUSPECT_HEADERS.values())
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"Trùng,Không trùng"'
    col = openpyxl.utils.get_column_letter(len(SUSPECT_HEADERS))
    assert str(dv.sqref).startswith(f"{col}{h + 1}:{col}")
    found = pairs(out)
    assert len(found) >= 30  # the labelled set's true pairs (and a few look-alikes)
    assert found[SUSPECT_HEADERS["score"]].is_monotonic_decreasing
    assert (found[SUSPECT_HEADERS["score"]] >= 80).all()
    assert found[DECISION].isna().all()
    # the params sheet says suspects were on, and shows the rules as data
    params = sheets(out)["Tham số"]
    assert (params.astype(str) == OPT_SUSPECTS).any().any()
    assert (params.astype(str) == "QUY TẮC NGHI TRÙNG (để tham khảo)").any().any()


def test_suspects_on_changes_nothing_of_the_exact_review_without_a_decision(cases_xlsx, tmp_path):
    plain, with_suspects = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["review", str(cases_xlsx), "-o", str(plain)]) == 0
    assert main(["review", str(cases_xlsx), "-o", str(with_suspects), "--suspects"]) == 0
    a, b = sheets(plain), sheets(with_suspects)
    assert SHEET not in a and SHEET in b
    for name in EXACT_SHEETS:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_decisions_read_back_confirmed_pay_rejected_never_again(cases_xlsx, tmp_path, capsys):
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(cases_xlsx), "-o", str(out), "--suspects"]) == 0
    first = pairs(out)
    before = sheets(out)["Kết quả"]
    confirm, reject = first[SUSPECT_HEADERS["pair_id"]].iloc[0], first[SUSPECT_HEADERS["pair_id"]].iloc[1]
    decide(out, {confirm: "Trùng", reject: "không trùng"})
    capsys.readouterr()
    # the same command again, even without --suspects: the decisions are read back, applied and kept
    assert main(["review", str(cases_xlsx), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Đọc 2 quyết định" in printed and "1 quyết định \"Trùng\" và 1 quyết định \"Không trùng\"" in printed
    after = sheets(out)["Kết quả"]
    second = pairs(out)
    kept = dict(zip(second[SUSPECT_HEADERS["pair_id"]], second[DECISION]))
    assert kept[confirm] == "Trùng" and kept[reject] == "Không trùng"  # decided pairs stay, with the decision
    undecided = second[second[DECISION].isna()][SUSPECT_HEADERS["pair_id"]]
    assert confirm not in set(undecided) and reject not in set(undecided)  # ... and are not proposed again
    # the confirmed pair: its lower-ranked card is now "Cấp trùng" with months and money
    card_a, card_b = confirm.split("-")
    rows = after[after["Mã thẻ"].isin([card_a, card_b])]
    dup = rows[rows["Kết luận"] == "Cấp trùng"]
    assert len(dup) == 1
    assert dup["Số tháng trùng"].iloc[0] > 0 and dup["Số tiền trùng (đồng)"].iloc[0] > 0
    assert "cán bộ xác nhận" in dup["Lý do"].iloc[0]
    # nothing else moved
    others = ~after["Mã thẻ"].isin([card_a, card_b])
    assert cells(before[others]) == cells(after[others])
    # the rejected pair stays "Không trùng" on both cards
    r_a, r_b = reject.split("-")
    assert set(after.loc[after["Mã thẻ"].isin([r_a, r_b]), "Kết luận"]) == {"Không trùng"}


def test_decisions_from_another_file_and_the_report_agrees(cases_xlsx, tmp_path):
    first = tmp_path / "lan1.xlsx"
    assert main(["review", str(cases_xlsx), "-o", str(first), "--suspects"]) == 0
    confirm = pairs(first)[SUSPECT_HEADERS["pair_id"]].iloc[0]
    decide(first, {confirm: "Trùng"})
    second = tmp_path / "lan2.xlsx"
    assert main(["review", str(cases_xlsx), "-o", str(second), "--decisions", str(first)]) == 0
    summary = sheets(second)["Tổng hợp"]
    total = summary["Số tiền trùng (đồng)"].iloc[-1]
    assert total > 0
    report = tmp_path / "bc.xlsx"
    assert main(["report", str(cases_xlsx), "-o", str(report), "--decisions", str(first)]) == 0
    review = review_file(cases_xlsx, decisions=read_decisions_file(first))
    assert review.result.stats["money"] == total


def test_bad_decision_file_is_one_message(cases_xlsx, tmp_path, capsys):
    missing = tmp_path / "khong_co.xlsx"
    assert main(["review", str(cases_xlsx), "-o", str(tmp_path / "kq.xlsx"), "--decisions", str(missing)]) == 1
    assert "Không tìm thấy tệp quyết định" in capsys.readouterr().err
    other = tmp_path / "khac.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(other, index=False)
    assert main(["review", str(cases_xlsx), "-o", str(tmp_path / "kq.xlsx"), "--decisions", str(other)]) == 1
    assert "không có sheet \"Nghi trùng\"" in capsys.readouterr().err


def test_old_output_that_is_not_a_workbook_is_replaced(cases_xlsx, tmp_path):
    out = tmp_path / "kq.xlsx"
    out.write_bytes(b"not a workbook")
    assert main(["review", str(cases_xlsx), "-o", str(out), "--suspects"]) == 0
    assert SHEET in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_decisions_found_anywhere_on_the_sheet():
    rows = [["ghi chú"], [None], ["x", "Mã cặp", "Quyết định (Trùng / Không trùng)"], [None, "A1-B2", "trùng"],
            [None, "C3-D4", None]]
    frame = decisions_from_rows(rows)
    assert list(frame.columns) == ["x", "Mã cặp", "Quyết định (Trùng / Không trùng)"]
    assert len(frame) == 2
    assert decisions_from_rows([["no"], ["header"]]) is None


# ---------------------------------------------------------------------------
# The option on "Tham số": Có / Không, a ticked check box (TRUE) and the threshold
# ---------------------------------------------------------------------------
def _options_rows(params: Params, **override) -> list[list[object]]:
    rows = []
    for title, frame in params_blocks(params):
        rows.append([title])
        rows.append(list(frame.columns))
        for rec in frame.astype(object).itertuples(index=False):
            rec = list(rec)
            if title == "TÙY CHỌN" and rec[0] in override:
                rec[1] = override[rec[0]]
            rows.append(rec)
        rows.append([])
    return rows


@pytest.mark.parametrize("value, expected", [("Có", True), (True, True), ("TRUE", True), (False, False),
                                             ("Không", False), (None, False)])
def test_suspects_option_reads_a_check_box_or_text(value, expected):
    params = params_from_rows(_options_rows(Params(), **{OPT_SUSPECTS: value}), Params())
    assert params.find_suspects is expected


def test_threshold_option_round_trip_and_range():
    from bhyt_xl.errors import ParamsInvalid

    params = params_from_rows(_options_rows(Params(), **{OPT_SUSPECT_THRESHOLD: "75,5"}), Params())
    assert params.suspect_threshold == 75.5
    with pytest.raises(ParamsInvalid, match="từ 0 đến 100"):
        params_from_rows(_options_rows(Params(), **{OPT_SUSPECT_THRESHOLD: 120}), Params())


def test_template_has_a_check_box_linked_option():
    root = Path(__file__).resolve().parents[1]
    wb = openpyxl.load_workbook(root / "workbooks" / "BHYT_RaSoat.xlsm")
    ws = wb["Tham số"]
    (cell,) = [row[1] for row in ws.iter_rows() if row[0].value == OPT_SUSPECTS]
    assert cell.value is False  # a boolean cell shown as a check box (Excel 365), FALSE/TRUE in older Excel
    dest = wb.defined_names["TimNghiTrung"].attr_text
    assert dest == f"'Tham số'!$B${cell.row}"
    import zipfile

    with zipfile.ZipFile(root / "workbooks" / "BHYT_RaSoat.xlsm") as z:
        assert any("featurePropertyBag" in n for n in z.namelist())  # the check box's cell format


# ---------------------------------------------------------------------------
# The workbook: the option on "Tham số", the sheet, the decisions read back (remote engine)
# ---------------------------------------------------------------------------
def _remote_pairs(path: Path) -> tuple[openpyxl.Workbook, int, list[str]]:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    h = header_row(ws)
    return wb, h, [c.value for c in ws[h]]


def test_workbook_button_writes_suspects_and_applies_decisions(tmp_path):
    from test_excel_macros import run, template

    from bhyt_xl.excel import macros

    frame, _ = all_cases_frame()
    book = template(tmp_path / "BHYT_RaSoat.xlsx", cards=frame, params=Params(find_suspects=True))
    outcome, _ui, out, _ = run(book, macros.process_run_review)
    assert outcome.ok, outcome.message
    assert "cặp thẻ cần cán bộ kiểm tra" in outcome.message
    wb, h, headers = _remote_pairs(out)
    ws = wb[SHEET]
    assert "\n".join(ws.cell(r, 1).value for r in range(1, h - 1)) == SUSPECT_EXPLANATION
    assert headers == list(SUSPECT_HEADERS.values())
    cli = pairs_from_cli(tmp_path, frame)
    shown = [ws.cell(r, 1).value for r in range(h + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    assert shown == cli  # the same pairs, in the same order, as the command line's
    # staff decide in the workbook; the same button again applies the decision
    confirm = shown[0]
    ws.cell(h + 1, headers.index(DECISION) + 1).value = "Trùng"
    wb.save(out)
    second = tmp_path / "BHYT_RaSoat2.xlsx"
    out.rename(second)
    outcome, _ui, out2, _ = run(second, macros.process_run_review)
    assert outcome.ok and "1 quyết định \"Trùng\"" in outcome.message
    values = list(openpyxl.load_workbook(out2, read_only=True)["Kết quả"].iter_rows(values_only=True))
    result = pd.DataFrame(values[1:], columns=values[0])
    card_a, card_b = confirm.split("-")
    verdicts = result.loc[result["Mã thẻ"].isin([card_a, card_b]), "Kết luận"].tolist()
    assert sorted(verdicts) == ["Cấp trùng", "Thẻ giữ lại"]
    wb2, h2, headers2 = _remote_pairs(out2)
    kept = {wb2[SHEET].cell(r, 1).value: wb2[SHEET].cell(r, headers2.index(DECISION) + 1).value
            for r in range(h2 + 1, wb2[SHEET].max_row + 1)}
    assert kept[confirm] == "Trùng"
    # "Xóa kết quả" keeps a sheet holding staff's decisions
    outcome, _ui, out3, _ = run(out2, macros.process_clear_results, confirm=True)
    assert outcome.ok and "được giữ lại" in outcome.message
    assert SHEET in openpyxl.load_workbook(out3, read_only=True).sheetnames


def test_workbook_without_the_option_writes_no_suspects_sheet(tmp_path):
    from test_excel_macros import run, template

    from bhyt_xl.excel import macros

    frame, _ = all_cases_frame()
    book = template(tmp_path / "BHYT_RaSoat.xlsx", cards=frame)
    outcome, _ui, out, _ = run(book, macros.process_run_review)
    assert outcome.ok
    assert SHEET not in openpyxl.load_workbook(out, read_only=True).sheetnames


def pairs_from_cli(tmp_path: Path, frame: pd.DataFrame) -> list[str]:
    src = tmp_path / "cli.xlsx"
    frame.to_excel(src, index=False)
    out = tmp_path / "cli_kq.xlsx"
    assert main(["review", str(src), "-o", str(out), "--suspects"]) == 0
    return pairs(out)[SUSPECT_HEADERS["pair_id"]].tolist()
