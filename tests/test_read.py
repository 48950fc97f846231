"""Reading lists: header detection, aliases, encodings, dates as cells or text, stop errors."""

import datetime as dt

import pytest
import xlsxwriter

from bhyt_xl.errors import InputFileError, MissingColumns, NoHeaderRow
from bhyt_xl.io.read import read_table
from bhyt_xl.samples.generate import encode_cp1258

HEADER = ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Ngày cấp",
          "Giá trị từ ngày", "Giá trị đến ngày", "Ghi chú riêng"]


def write_xlsx(path, rows, header=HEADER, title_rows=3, start_col=0, sheet="DS"):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    if title_rows:
        ws.merge_range(0, start_col, 0, start_col + 5, "DANH SÁCH CẤP THẺ BHYT NĂM 2011")
    h = title_rows
    ws.write_row(h, start_col, header)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(h + 1 + i, start_col + j, dt.datetime.combine(v, dt.time()), date)
            elif isinstance(v, str):
                ws.write_string(h + 1 + i, start_col + j, v)
            elif v is not None:
                ws.write(h + 1 + i, start_col + j, v)
    wb.close()
    return path


ROWS = [
    [1, "HN2560123456789", "Nguyễn Văn A", dt.date(1980, 1, 2), "Nam", "Xã A", "HN", None, dt.date(2011, 1, 1),
     dt.date(2011, 12, 31), "giữ nguyên"],
    [2, "BT2560123456780", "Trần Thị B", "1945", "Nữ", "Xã B", "BT", None, "01/01/2011", "31/12/2011", None],
    [3, "TE1560123456781", "Lê C", 1945, "Nữ", "Xã C", "TE", None, 40544, "31-12-2011", None],
]


def test_xlsx_header_below_title_and_row_numbers_as_in_excel(tmp_path):
    t = read_table(write_xlsx(tmp_path / "a.xlsx", ROWS, start_col=1))
    assert t.header_row == 4
    assert list(t.src_row) == [5, 6, 7]
    assert t.columns["card_no"] == "Mã thẻ" and t.columns["valid_from"] == "Giá trị từ ngày"
    assert "Ghi chú riêng" in t.data.columns  # unknown columns kept
    assert t.data["Mã thẻ"].tolist() == ["HN2560123456789", "BT2560123456780", "TE1560123456781"]


def test_blank_rows_inside_are_skipped_and_counted(tmp_path):
    rows = [ROWS[0], [None] * len(HEADER), ROWS[1]]
    t = read_table(write_xlsx(tmp_path / "a.xlsx", rows))
    assert list(t.src_row) == [5, 7]
    assert t.skipped_blank == 1


def test_leading_zero_codes_kept(tmp_path):
    header = HEADER + ["Mã số BHXH"]
    rows = [r + ["0123456789"] for r in ROWS]
    t = read_table(write_xlsx(tmp_path / "a.xlsx", rows, header=header))
    assert t.data["Mã số BHXH"].tolist() == ["0123456789"] * 3




@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
def test_csv_encodings(tmp_path, encoding):
    text = (
        "Danh sách\n\nMã thẻ;Họ tên;Ngày sinh;Giới tính;Địa chỉ;Từ ngày;Đến ngày\n"
        "HN2560123456789;Nguyễn Văn Ấn;1980;Nam;Xã Vĩnh Lương;01/01/2011;31/12/2011\n"
    )
    p = tmp_path / "a.csv"
    p.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    t = read_table(p)
    import unicodedata

    assert unicodedata.normalize("NFC", t.data["Họ tên"][0]) == "Nguyễn Văn Ấn"
    assert list(t.src_row) == [4]


def test_aliases_in_any_order_and_form(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("gt_the_den,HO_TEN,ma_the,NGAY_SINH,GIOI_TINH,DIA_CHI,GT_THE_TU,ma_dt\n"
                 "31/12/2011,A,HN2560123456789,1980,1,X,01/01/2011,HN\n", encoding="utf-8")
    t = read_table(p)
    assert t.columns == {"valid_to": "gt_the_den", "full_name": "HO_TEN", "card_no": "ma_the",
                         "birth_date": "NGAY_SINH", "sex": "GIOI_TINH", "address": "DIA_CHI",
                         "valid_from": "GT_THE_TU", "group_code": "ma_dt"}


def test_nam_nu_mark_columns_replace_sex_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("Mã thẻ,Họ tên,Nam,Nữ,Địa chỉ,Từ ngày,Đến ngày\n"
                 "HN2560123456789,A,01/01/1980,,X,01/01/2011,31/12/2011\n"
                 "HN2560123456780,B,,1985,X,01/01/2011,31/12/2011\n", encoding="utf-8")
    from bhyt_xl.api import review_table

    r = review_table(read_table(p))
    assert r.result.rows["identity_key"].tolist() == ["a | 01/01/1980 | nam | x", "b | 1985 | nữ | x"]


def test_missing_required_column_stops_with_message(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("Mã thẻ,Họ tên,Ngày sinh,Giới tính,Từ ngày,Đến ngày\nHN2560123456789,A,1980,Nam,01/01/2011,31/12/2011\n",
                 encoding="utf-8")
    with pytest.raises(MissingColumns, match='Không tìm thấy cột "Địa chỉ"'):
        read_table(p)


def test_no_header_stops(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(NoHeaderRow, match="Không tìm thấy dòng tiêu đề"):
        read_table(p)


def test_wrong_file_type_and_missing_file(tmp_path):
    p = tmp_path / "a.pdf"
    p.write_bytes(b"%PDF")
    with pytest.raises(InputFileError, match="chưa được hỗ trợ"):
        read_table(p)
    with pytest.raises(InputFileError, match="Không tìm thấy tệp"):
        read_table(tmp_path / "none.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="Không mở được tệp Excel"):
        read_table(bad)


def test_sheet_option(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", ROWS, sheet="Xã A")
    assert read_table(path, sheet="Xã A").sheet == "Xã A"
    with pytest.raises(InputFileError, match="không có sheet 'Khác'"):
        read_table(path, sheet="Khác")


def test_dates_from_cells_serials_and_text_agree(tmp_path):
    from bhyt_xl.core.prepare import prepare_cards
    from bhyt_xl.params import Params

    t = read_table(write_xlsx(tmp_path / "a.xlsx", ROWS))
    cards, problems = prepare_cards(t.data, t.columns, t.src_row, Params())
    assert problems.empty, problems["message"].tolist()
    assert cards["valid_from"].tolist() == [dt.datetime(2011, 1, 1)] * 3
    assert cards["valid_to"].tolist() == [dt.datetime(2011, 12, 31)] * 3
    assert cards["birth_year_only"].tolist() == [False, True, True]


# ---------------------------------------------------------------------------
# Two-row headers (captions over sub-captions)
# ---------------------------------------------------------------------------
UPPER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Thẻ BHYT", None, None, "Nhóm đối tượng"]
LOWER = [None, None, None, None, None, "Mã thẻ", "Từ ngày", "Đến ngày", None]
CARD = [1, "Nguyễn Văn A", dt.date(1980, 1, 2), "Nam", "Xã A", "HN2560123456789", dt.date(2011, 1, 1),
        dt.date(2011, 12, 31), "Hộ nghèo"]


def write_two_row(path, rows, numbers=True):
    """Title, the two-row header at rows 3-4 ("Thẻ BHYT" merged over three columns, the rest merged down)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("DS")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range(0, 0, 0, 8, "DANH SÁCH CẤP THẺ BHYT")
    for j, (up, low) in enumerate(zip(UPPER, LOWER)):
        if low is None:
            ws.merge_range(2, j, 3, j, up)
        else:
            ws.write_string(3, j, low)
    ws.merge_range(2, 5, 2, 7, "Thẻ BHYT")
    r = 4
    if numbers:
        ws.write_row(r, 0, list(range(1, 10)))
        r += 1
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r + i, j, dt.datetime.combine(v, dt.time()), date)
            elif v is not None:
                ws.write(r + i, j, v)
    wb.close()
    return path


def test_two_row_header_with_a_merged_caption(tmp_path):
    t = read_table(write_two_row(tmp_path / "a.xlsx", [CARD, [2] + CARD[1:5] + ["HN2560123456780"] + CARD[6:]]))
    assert t.header_row == 3 and t.header_rows == 2 and t.first_data_row == 5
    assert t.columns["card_no"] == "Thẻ BHYT Mã thẻ"
    assert t.columns["valid_from"] == "Thẻ BHYT Từ ngày" and t.columns["valid_to"] == "Thẻ BHYT Đến ngày"
    assert t.columns["full_name"] == "Họ và tên" and t.columns["address"] == "Địa chỉ"
    assert list(t.src_row) == [6, 7]  # the sheet's row numbers
    # rows 4 (second header row) and 5 (column numbers) are skipped and counted
    assert (t.skipped_header, t.skipped_subtotal, t.skipped_blank, t.rows_read) == (2, 0, 0, 4)
    assert str(t.data["Thẻ BHYT Từ ngày"].dtype).startswith("datetime64")


def test_two_row_header_without_column_numbers(tmp_path):
    t = read_table(write_two_row(tmp_path / "a.xlsx", [CARD], numbers=False))
    assert (t.header_row, t.header_rows, list(t.src_row), t.skipped_header) == (3, 2, [5], 1)


def test_two_row_header_missing_column_names_both_rows(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("STT,Họ và tên,Ngày sinh,Giới tính,Thẻ BHYT,,\n,,,,Mã thẻ,Từ ngày,Đến ngày\n"
                 "1,A,1980,Nam,HN2560123456789,01/01/2011,31/12/2011\n", encoding="utf-8")
    with pytest.raises(MissingColumns, match=r'"Địa chỉ".*dòng tiêu đề là dòng 1–2'):
        read_table(p)


def test_two_row_header_birth_date_under_nam_nu_and_validity_under_one_caption(tmp_path):
    from bhyt_xl.api import review_table

    p = tmp_path / "a.csv"
    p.write_text("STT;Mã thẻ;Họ và tên;Ngày sinh;;Địa chỉ;Hạn sử dụng;\n"
                 ";;;Nam;Nữ;;Từ;Đến\n"
                 "A;B;C;1;2;3;4;5\n"
                 "1;HN2560123456789;A;01/01/1980;;X;01/01/2011;31/12/2011\n"
                 "2;HN2560123456780;B;;1985;X;01/01/2011;31/12/2011\n", encoding="utf-8")
    t = read_table(p)
    assert t.columns == {"card_no": "Mã thẻ", "full_name": "Họ và tên", "male_mark": "Ngày sinh Nam",
                         "female_mark": "Ngày sinh Nữ", "address": "Địa chỉ", "valid_from": "Hạn sử dụng Từ",
                         "valid_to": "Hạn sử dụng Đến"}
    assert list(t.src_row) == [4, 5] and t.skipped_header == 2  # the second header row, the row "A B C 1 2 …"
    r = review_table(t)
    assert r.result.rows["identity_key"].tolist() == ["a | 01/01/1980 | nam | x", "b | 1985 | nữ | x"]


@pytest.mark.parametrize("second", [
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],  # column numbers: skipped as before, not a header row
    ["1", "2", "3", "4", "5", "6", "7"],
    ["A", "B", "C", "1", "2", "3", "4"],
])
def test_single_row_header_with_column_numbers_stays_single(tmp_path, second):
    p = tmp_path / "a.csv"
    p.write_text("Mã thẻ,Họ tên,Ngày sinh,Giới tính,Địa chỉ,Từ ngày,Đến ngày\n" + ",".join(second) + "\n"
                 "HN2560123456789,A,1980,Nam,X,01/01/2011,31/12/2011\n", encoding="utf-8")
    t = read_table(p)
    assert (t.header_row, t.header_rows, list(t.src_row), t.skipped_header) == (1, 1, [3], 1)


def test_text_only_first_card_is_not_a_second_header_row():
    from bhyt_xl.io.read import find_header

    header = ["Mã thẻ", "Họ và tên", "Ngày sinh", None, "Địa chỉ", "Từ ngày", "Đến ngày", "Ghi chú"]
    for first in (["HN2560123456789", "Nam", "1980", "Nữ", "X", "01/01/2011", "31/12/2011", "Nam"],
                  [None, "Trần Nam", None, "Nữ", "Nam Định", None, None, None]):
        found = find_header([header, first])
        assert (found.row, found.rows) == (0, 1)


def test_title_over_the_header_is_not_a_caption():
    from bhyt_xl.io.read import find_header

    rows = [["DANH SÁCH CẤP THẺ BHYT", None, None, None, None, None, None],
            ["Mã thẻ", "Họ tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày"]]
    found = find_header(rows)
    assert (found.row, found.rows, found.cells) == (1, 1, rows[1])
