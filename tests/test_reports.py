"""Official reports (Biểu 01–03, CV 493; re-print list, CV 1006): frames, workbook layout, totals, PDF."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from bhyt_xl.api import continuity_file, review_file
from bhyt_xl.core.review import DUPLICATE, UNKNOWN_GROUP_NAME
from bhyt_xl.errors import OutputError, ParamsInvalid
from bhyt_xl.io.params_io import read_params
from bhyt_xl.params import Params
from bhyt_xl.reports import (SHEET_01, SHEET_02, SHEET_03, SHEET_REPRINT, ReportSettings, build_reports,
                             export_pdf, read_report_settings, report_block, settings_from_rows, write_reports)
from bhyt_xl.reports import layout

SAMPLE = Path(__file__).parents[1] / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx"
PERIOD = {"review_from": dt.date(2011, 1, 1), "review_to": dt.date(2012, 12, 31)}
SOFFICE = layout.find_soffice()
needs_soffice = pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true",
                                   reason="LibreOffice not installed (CI installs it)")


@pytest.fixture(scope="module")
def sample_review():
    return review_file(SAMPLE, Params().replace(**PERIOD))


@pytest.fixture(scope="module")
def tables(sample_review):
    return build_reports(sample_review)


@pytest.fixture(scope="module")
def report(sample_review, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "BAOCAO.xlsx"
    write_reports(path, sample_review, ReportSettings())
    return path


@pytest.fixture(scope="module")
def book(report):
    wb = openpyxl.load_workbook(report)
    yield wb
    wb.close()


def values(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def body_rows(ws):
    """The rows below the column-index row (A, B, C, 1, 2 …) up to the first empty row."""
    rows = values(ws)
    start = next(i for i, r in enumerate(rows) if r[0] == "A" and r[1] == "B")
    out = []
    for r in rows[start + 1:]:
        if all(v in (None, "") for v in r):
            break
        out.append(r)
    return rows[start], out


# ---------------------------------------------------------------------------
def test_sheets_titles_and_header_block(book):
    assert book.sheetnames == [SHEET_01, SHEET_02, SHEET_03, "Tham số"]
    assert book["Tham số"].sheet_state == "hidden"
    for name, form, title in ((SHEET_01, "Biểu số 01/CV493", "TỔNG HỢP THẺ BHYT CẤP TRÙNG"),
                              (SHEET_02, "Biểu số 02/CV493", "DANH SÁCH THẺ BHYT CẤP TRÙNG"),
                              (SHEET_03, "Biểu số 03/CV493", "TỔNG HỢP NGUYÊN NHÂN CẤP TRÙNG THẺ BHYT")):
        ws = book[name]
        cells = {c.coordinate: c for row in ws.iter_rows(max_row=12) for c in row if c.value is not None}
        texts = {c.value: c for c in cells.values()}
        assert form in texts and title in texts
        assert ws["A2"].value == "BẢO HIỂM XÃ HỘI VIỆT NAM" and not ws["A2"].font.b
        assert ws["A3"].value == "BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA" and ws["A3"].font.b
        motto, motto2 = texts["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], texts["Độc lập - Tự do - Hạnh phúc"]
        assert motto.font.b and motto2.font.b and motto.column > 5 and motto.row == 2 and motto2.row == 3
        assert texts[title].font.b and texts[title].font.sz >= 13
        assert "Kỳ rà soát: từ 01/01/2011 đến 31/12/2012" in texts
        unit = texts["Đơn vị tính: đồng"]
        assert unit.font.i and unit.alignment.horizontal == "right"
        rows = values(ws)
        flat = [v for r in rows for v in r if isinstance(v, str)]
        assert "Khánh Hòa, ngày ..... tháng ..... năm ........" in flat
        assert {"NGƯỜI LẬP BIỂU", "TRƯỞNG PHÒNG CẤP SỔ, THẺ", "GIÁM ĐỐC"} <= set(flat)
        assert flat.count("(Ký, ghi rõ họ tên)") == 3


def test_bieu01_two_row_header_merges_and_index_row(book, sample_review):
    ws = book[SHEET_01]
    rows = values(ws)
    h = next(i for i, r in enumerate(rows) if r[0] == "STT")
    top, sub, index = rows[h], rows[h + 1], rows[h + 2]
    assert top[:4] == ["STT", "Nhóm đối tượng", "Mã đối tượng", "Năm 2011"]
    assert top[7] == "Năm 2012" and top[11] == "Tổng cộng 2011 - 2012"
    assert sub[3:7] == ["Số thẻ cấp trùng", "Số tháng trùng", "Số tiền cấp trùng (đồng)", "NSNN chi trả (đồng)"]
    assert sub[11:15] == sub[3:7] == sub[7:11]
    assert index == ["A", "B", "C", *[str(i) for i in range(1, 13)]]
    merged = {str(m) for m in ws.merged_cells.ranges}
    r = h + 1  # 1-based row of the upper header row
    assert {f"A{r}:A{r + 1}", f"B{r}:B{r + 1}", f"C{r}:C{r + 1}", f"D{r}:G{r}", f"H{r}:K{r}", f"L{r}:O{r}"} <= merged
    # every group of the table, in priority order, zeros included; no row for unknown codes here
    _, body = body_rows(ws)
    groups = sample_review.result.params.groups.sort_values("rank")
    assert [r[1] for r in body[:-1]] == list(groups["name"])
    assert [r[2] for r in body[:-1]] == list(groups["codes"])
    assert [r[0] for r in body[:-1]] == list(range(1, 14))
    assert body[0][3:15] == [0, 0, 0, 0] * 3  # XN: no duplicates, still listed
    assert body[-1][0] == "Tổng cộng" and f"A{r + 2 + len(body)}:C{r + 2 + len(body)}" in merged


def test_print_setup_fonts_and_number_formats(book):
    for name in (SHEET_01, SHEET_02, SHEET_03):
        ws = book[name]
        ps = ws.page_setup
        assert ps.orientation == "landscape" and int(ps.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ps.fitToWidth in (None, 1) and ps.fitToHeight == 0
        first, last = ws.print_title_rows.replace("$", "").split(":")
        rows = values(ws)
        assert rows[int(first) - 1][0] == "STT" and rows[int(last) - 1][:2] == ["A", "B"]
        assert "Trang &P/&N" in ws.oddFooter.center.text
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}
    ws = book[SHEET_01]
    start = next(i for i, r in enumerate(values(ws)) if r[0] == "A" and r[1] == "B") + 2
    assert ws.cell(start, 4).number_format == "#,##0"  # cards
    assert ws.cell(start, 5).number_format == "#,##0.00"  # months
    assert ws.cell(start, 6).number_format == "#,##0" and ws.cell(start, 7).number_format == "#,##0"
    assert ws.cell(start, 4).border.left.style == "thin"
    ws2 = book[SHEET_02]
    dates = [c for row in ws2.iter_rows() for c in row if isinstance(c.value, dt.datetime)]
    assert dates and {c.number_format for c in dates} == {"dd/mm/yyyy"}


def test_totals_agree_between_bieu01_bieu02_and_the_engine(book, tables, sample_review):
    r = sample_review.result
    stats = r.stats
    by_year = r.by_year
    _, b1 = body_rows(book[SHEET_01])
    total = b1[-1]
    # per year: Biểu 01 "Tổng cộng" = sums of the engine's per-card-and-year table
    for k, year in enumerate((2011, 2012)):
        part = by_year[by_year["year"] == year]
        cards, months, money, budget = total[3 + 4 * k: 7 + 4 * k]
        assert cards == part["row"].nunique()
        assert months == pytest.approx(part["months_exact"].sum(), abs=0.005)
        assert money == part["money"].sum() and budget == part["budget"].sum()
    # overall: Biểu 01 = engine stats = sums over Biểu 02's card rows
    t02 = tables[SHEET_02]
    keys = t02.keys
    _, b2 = body_rows(book[SHEET_02])
    cards_rows = [row for row in b2 if isinstance(row[0], (int, float))]
    col = {k: keys.index(k) for k in ("months", "money", "budget", "card_no")}
    assert total[11] == stats["duplicates"] == len(cards_rows) == 194
    assert total[12] == pytest.approx(stats["months"], abs=0.005)
    assert total[12] == pytest.approx(sum(row[col["months"]] for row in cards_rows), abs=0.005 * len(cards_rows))
    assert total[13] == stats["money"] == sum(row[col["money"]] for row in cards_rows) == 32_998_176
    assert total[14] == stats["budget"] == sum(row[col["budget"]] for row in cards_rows)
    assert sum(total[3:12:4][:2]) >= total[11]  # a card spanning both years counts once in the total
    # the per-year money adds up to the total; grand total row of Biểu 02 equals Biểu 01
    assert total[5] + total[9] == total[13] and total[6] + total[10] == total[14]
    grand = b2[-1]
    assert grand[0] == "Tổng cộng (194 thẻ)"
    assert grand[col["money"]] == total[13] and grand[col["budget"]] == total[14]
    # per group: Biểu 02 subtotals = Biểu 01 columns over the years
    subtotals = {int(re.match(r"Cộng nhóm (\d+)", row[0]).group(1)): row
                 for row in b2 if isinstance(row[0], str) and row[0].startswith("Cộng nhóm")}
    for row in b1[:-1]:
        rank, cards, money = row[0], row[11], row[13]
        if cards == 0:
            assert rank not in subtotals
            continue
        sub = subtotals[rank]
        assert f"({cards} thẻ)" in sub[0] and sub[col["money"]] == money and sub[col["budget"]] == row[14]
    dup_cards = set(r.rows.index[r.rows["verdict"] == DUPLICATE])
    assert len(dup_cards) == len({row[col["card_no"]] + str(row[-1]) for row in cards_rows})


def test_bieu02_rows_name_the_better_card_and_the_cause(tables):
    b = tables[SHEET_02].body
    by_card = b.set_index("card_no")
    # TH06 Hồ Văn Lượm: the HN card revoked on 15/06/2012 duplicates his BT card (CASES.md)
    th06 = by_card.loc["HN2569900600200"]
    assert th06["better_card"] == "BT2569900600100" and th06["better_code"] == "BT"
    assert th06["category"] == "Khác nhóm; thẻ đã thu hồi 15/06/2012"
    assert th06["valid"] == "01/03/2012 -\n31/12/2012" and th06["better_valid"] == "01/01/2012 -\n31/12/2012"
    assert th06["months"] == 3.5 and th06["money"] == 97_050 and th06["birth"] and th06["sex"]
    # TH01 Nguyễn Văn B (VD1 of the letter): same group, issued later
    th01 = by_card.loc["TA4569900100200"]
    assert th01["better_card"] == "TA4569900100100" and th01["category"] == "Cùng nhóm, cấp sau"
    assert (th01["dup_from"], th01["dup_to"]) == (dt.datetime(2011, 7, 1), dt.datetime(2011, 12, 31))
    assert th01["months"] == 6 and th01["money"] == 149_400
    # grouped in priority order: a heading, the cards, then "Cộng nhóm"
    kinds = list(b["kind"])
    assert kinds[0] == "group" and kinds[-2:] == ["subtotal", "total"]
    headings = [lbl for lbl, k in zip(b["label"], kinds) if k == "group"]
    ranks = [int(re.match(r"Nhóm (\d+)", h).group(1)) for h in headings]
    assert ranks == sorted(ranks) and headings[0].startswith("Nhóm 3: Người có công với cách mạng (CC, CK)")


def test_bieu03_causes_add_up_to_the_duplicates(tables, sample_review):
    stats = sample_review.result.stats
    rows = sample_review.result.rows
    b = tables[SHEET_03].body
    section = b[b["kind"] == "section"]
    assert list(section["stt"]) == ["I", "II"]  # causes; issuing units (the sample has Mã đơn vị)
    causes = b.iloc[1:3]
    assert list(causes["stt"]) == [1, 2]
    assert causes["cards"].sum() == stats["duplicates"] == section["cards"].iloc[0]
    assert causes["money"].sum() == stats["money"] and causes["budget"].sum() == stats["budget"]
    assert causes["share"].sum() == pytest.approx(100)
    dup = rows[rows["verdict"] == DUPLICATE]
    by_cause = dup["cause"].value_counts()
    assert causes["cards"].tolist() == [by_cause["Khác nhóm"], by_cause["Cùng nhóm, cấp sau"]]
    revoked = b[b["kind"] == "note"].iloc[0]
    assert revoked["cards"] == dup["revoked"].sum() == 2 and revoked["item"].startswith("Trong đó")
    units = b[(b.index > section.index[1]) & (b["kind"] == "row")]
    assert units["cards"].sum() == stats["duplicates"] and units["money"].sum() == stats["money"]
    assert units["item"].str.startswith("Mã đơn vị ").all()


def test_district_column_and_unknown_codes(review):
    header = "Mã thẻ | Họ và tên | Ngày sinh | Giới tính | Địa chỉ | Mã đối tượng | Ngày cấp | Từ ngày | Đến ngày | " \
             "Ngày thu hồi | Huyện"
    rv = review(header + """
        HN2560000000001 | Lê Văn A | 01/01/1970 | Nam | Xã A | HN | 01/12/2010 | 01/01/2011 | 31/12/2011 | | Diên Khánh
        ZZ2560000000002 | Lê Văn A | 01/01/1970 | Nam | Xã A | ZZ | 01/06/2011 | 01/07/2011 | 31/12/2011 | | Cam Lâm
        CN3560000000003 | Trần Thị B | 1980 | Nữ | Xã B | CN | 01/12/2010 | 01/01/2011 | 31/12/2011 | | Diên Khánh
        CN3560000000004 | Trần Thị B | 1980 | Nữ | Xã B | CN | 01/03/2011 | 01/04/2011 | 31/12/2011 | 30/06/2011 |
    """, **PERIOD)
    t = build_reports(rv)
    b1 = t[SHEET_01].body
    assert len(b1) == 13 + 1 + 1 and b1["name"].iloc[13] == UNKNOWN_GROUP_NAME and b1["codes"].iloc[13] == "ZZ"
    assert b1["cards_total"].iloc[-1] == 2
    b2 = t[SHEET_02].body
    assert UNKNOWN_GROUP_NAME + " (ZZ)" in list(b2["label"])
    cn = b2.set_index("card_no").loc["CN3560000000004"]
    assert cn["birth"] == "1980" and cn["category"] == "Cùng nhóm, cấp sau; thẻ đã thu hồi 30/06/2011"
    assert (cn["dup_from"], cn["dup_to"]) == (dt.datetime(2011, 4, 1), dt.datetime(2011, 6, 30))
    b3 = t[SHEET_03].body
    assert list(b3.loc[b3["kind"] == "section", "stt"]) == ["I", "II"]  # no Mã đơn vị column; a district column
    assert "QUẬN, HUYỆN" in b3.loc[b3["kind"] == "section", "item"].iloc[1]
    districts = b3[b3.index > b3.index[b3["stt"] == "II"][0]]
    assert dict(zip(districts["item"], districts["cards"])) == {"Cam Lâm": 1, "(Không ghi quận, huyện)": 1}


def test_without_a_period_the_years_present(review):
    rv = review("""
        HN2560000000001 | Lê Văn A | 01/01/1970 | Nam | Xã A | HN | 01/12/2010 | 01/01/2011 | 31/12/2013 |
        BT2560000000002 | Lê Văn A | 01/01/1970 | Nam | Xã A | BT | 01/06/2011 | 01/07/2011 | 31/12/2013 |
    """)
    t = build_reports(rv)[SHEET_01]
    groups = [c.group for c in t.columns if c.group]
    assert sorted(set(groups)) == ["Năm 2011", "Năm 2012", "Năm 2013", "Tổng cộng 2011 - 2013"]
    assert t.period == "Kỳ rà soát: toàn bộ thời gian trùng có trong danh sách (năm 2011 - 2013)"
    assert t.body["cards_total"].iloc[-1] == 1 and t.body["cards_2013"].iloc[-1] == 1


# ---------------------------------------------------------------------------
CUSTOM = ReportSettings(agency="BẢO HIỂM XÃ HỘI TỈNH PHÚ YÊN", place="Phú Yên", report_date=dt.date(2013, 4, 5),
                        signer1_name="Nguyễn Văn Lập", signer3_title="KT. GIÁM ĐỐC", signer3_name="Trần Thị Ký",
                        form_01="Biểu 01/TH", title_02="DANH SÁCH THẺ TRÙNG NĂM 2011-2012")


def test_settings_block_round_trip():
    title, frame = report_block(CUSTOM)
    rows = [["Tham số đã dùng"], [], [title], list(frame.columns), *frame.values.tolist(), [], ["TÙY CHỌN"]]
    assert settings_from_rows(rows) == CUSTOM
    assert settings_from_rows(rows[:2]) == ReportSettings()  # no block: defaults
    assert CUSTOM.date_line() == "Phú Yên, ngày 05 tháng 4 năm 2013"
    assert CUSTOM.replace(report_date=dt.date(2013, 2, 1)).date_line() == "Phú Yên, ngày 01 tháng 02 năm 2013"
    bad = [[r[0], "31/02/2013", r[2]] if r[0] == "Ngày lập báo cáo" else r for r in rows[3:-2]]
    with pytest.raises(ParamsInvalid, match="Ngày lập báo cáo"):
        settings_from_rows([[title], *bad])


def test_changed_settings_appear_and_read_back(sample_review, tmp_path):
    path = write_reports(tmp_path / "bc.xlsx", sample_review, CUSTOM)
    assert read_report_settings(path) == CUSTOM
    assert read_params(path).review_from == dt.date(2011, 1, 1)  # the report can be given back with --params
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        first = [v for r in wb[SHEET_01].iter_rows(values_only=True) for v in r if isinstance(v, str)]
        second = [v for r in wb[SHEET_02].iter_rows(values_only=True) for v in r if isinstance(v, str)]
    finally:
        wb.close()
    assert "BẢO HIỂM XÃ HỘI TỈNH PHÚ YÊN" in first and "BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA" not in first
    assert "Biểu 01/TH" in first and "Phú Yên, ngày 05 tháng 4 năm 2013" in first
    assert {"KT. GIÁM ĐỐC", "Nguyễn Văn Lập", "Trần Thị Ký"} <= set(first)
    assert "DANH SÁCH THẺ TRÙNG NĂM 2011-2012" in second
    assert read_report_settings(SAMPLE) == ReportSettings()  # a workbook without the block: defaults


def test_workbook_is_deterministic(sample_review, report, tmp_path):
    again = write_reports(tmp_path / "again.xlsx", sample_review, ReportSettings())
    assert again.read_bytes() == report.read_bytes()


def test_reprint_list_from_a_continuity_run(sample_review, tmp_path):
    header = "Mã thẻ,Họ và tên,Ngày sinh,Giới tính,Địa chỉ,Mã số BHXH,Giá trị từ ngày,Giá trị đến ngày," \
             "Ngày đủ 5 năm liên tục"
    lines = ["HN2560000000001,Lê Văn A,01/01/1970,Nam,Xã A,,01/01/2012,31/12/2014,",
             "HN2560000000002,Lê Văn A,01/01/1970,Nam,Xã A,,01/01/2015,31/12/2016,",
             "HN2560000000003,Lê Văn A,01/01/1970,Nam,Xã A,,01/03/2017,31/12/2017,01/01/2017",
             "HT3560000000006,Phạm Văn C,1950,Nam,Xã C,,01/01/2009,31/12/2015,"]
    src = tmp_path / "lt.csv"
    src.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    cont = continuity_file(src)
    path = write_reports(tmp_path / "bc.xlsx", sample_review, continuity=cont)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET_01, SHEET_02, SHEET_03, SHEET_REPRINT, "Tham số"]
    ws = wb[SHEET_REPRINT]
    _, body = body_rows(ws)
    assert ws["A1"].value is None and "Biểu số 04/CV1006" in [c.value for c in ws[1]]
    assert [r[1] for r in body[:-1]] == ["HN2560000000001", "HN2560000000002", "HT3560000000006"]
    assert body[2][3] == "1950" and body[2][10] == dt.datetime(2015, 1, 1)
    assert body[0][10] == dt.datetime(2017, 1, 1) and body[0][11] == "Thẻ chưa in ngày đủ 5 năm"
    assert body[-1][0] == "Tổng cộng: 3 thẻ"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    wb.close()


def test_export_pdf_without_libreoffice(report, monkeypatch):
    monkeypatch.setattr(layout.shutil, "which", lambda name: None)
    monkeypatch.setattr(layout, "_SOFFICE_PLACES", [])
    with pytest.raises(OutputError, match="LibreOffice"):
        export_pdf(report)


@needs_soffice
def test_pdf_prints_the_reports(report):
    pdf = export_pdf(report)
    assert pdf == report.with_suffix(".pdf") and pdf.exists()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    first = text.split("\f")[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first
    assert "TỔNG HỢP THẺ BHYT CẤP TRÙNG" in first and "Biểu số 01/CV493" in first
    assert re.search(r"32[.,]998[.,]176", first)  # the grand total, as LibreOffice prints it
    assert "DANH SÁCH THẺ BHYT CẤP TRÙNG" in text and "TỔNG HỢP NGUYÊN NHÂN CẤP TRÙNG THẺ BHYT" in text
    assert "TÙY CHỌN" not in text  # the hidden "Tham số" sheet is not printed


def test_no_duplicates_still_lists_every_group(review):
    rv = review("HN2560000000001 | Lê Văn A | 01/01/1970 | Nam | Xã A | HN | 01/12/2010 | 01/01/2011 | 31/12/2011 |")
    t = build_reports(rv)
    b1 = t[SHEET_01].body
    assert len(b1) == 13 + 1 and b1["cards_total"].sum() == 0 and b1["label"].iloc[-1] == "Tổng cộng"
    assert list(t[SHEET_02].body["kind"]) == ["total"] and t[SHEET_02].body["money"].iloc[0] == 0
    assert t[SHEET_03].body["cards"].sum() == 0
