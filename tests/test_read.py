"""Reading lists: header detection, aliases, encodings, dates as cells or text, stop errors."""

import datetime as dt

import pytest
import xlsxwriter

from bhyt_xl.errors import InputFileError, MissingColumns, NoHeaderRow
from bhyt_xl.io.read import read_table

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


TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with â/ê/ô/ơ/ư/ă precomposed, tones combining."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
            out += (base + "".join(c for c in d if c in TONES)).encode("cp1258")
    return out


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
