"""The command line: end to end on files, exit codes, messages, the input left untouched."""

import hashlib
import os
import subprocess
import sys

import openpyxl
import pytest

from bhyt_xl.cli import main

LIST = """\
BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA
DANH SÁCH CẤP THẺ

STT,Mã thẻ,Họ và tên,Ngày sinh,Giới tính,Địa chỉ,Mã đối tượng,Ngày cấp,Giá trị từ ngày,Giá trị đến ngày,Ngày thu hồi,Cột riêng
1,TA4561234567890,Nguyễn Văn B,01/01/1960,Nam,"Thôn 1, Xã Vĩnh Lương",TA,,01/01/2011,31/12/2011,,a
2,TA4561234567891,Nguyễn Văn B,01/01/1960,Nam,"Thôn 1, Xã Vĩnh Lương",TA,,01/07/2011,31/12/2011,,b
3,BT2561234567892,Dương Thị Hòa,1950,Nữ,Xã Ninh Hòa,BT,,01/01/2011,31/12/2011,,
4,HN2561234567893,Dương Thị Hòa,1950,Nữ,Xã Ninh Hòa,HN,,01/07/2011,31/12/2013,,
5,HN2561234567894,Lê Văn C,31/02/1980,Nam,X,HN,,01/01/2011,31/12/2011,,
"""


@pytest.fixture
def list_csv(tmp_path):
    p = tmp_path / "danh sách.csv"
    p.write_text(LIST, encoding="utf-8-sig")
    return p


def sheet_rows(path, name):
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
    wb.close()
    return rows


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def test_review_writes_every_sheet_and_leaves_input_untouched(list_csv, tmp_path, capsys):
    before = digest(list_csv)
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(list_csv), "-o", str(out)]) == 0
    assert digest(list_csv) == before
    printed = capsys.readouterr().out
    assert "Đã đọc 5 thẻ; 2 thẻ cấp trùng" in printed and str(out) in printed

    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Kết quả", "Chi tiết theo năm", "Tổng hợp", "Lỗi dữ liệu", "Tham số"]
    wb.close()
    rows = sheet_rows(out, "Kết quả")
    header = rows[0]
    assert header[:12] == ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng",
                           "Ngày cấp", "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi", "Cột riêng"]
    assert header[12:] == ["Kết luận", "Lý do", "Trùng với thẻ", "Trùng từ ngày", "Trùng đến ngày", "Số tháng trùng",
                           "Số tiền trùng (đồng)", "NSNN chi trả (đồng)", "Khóa nhận diện", "Dòng trong tệp"]
    body = rows[1:]
    assert [r[1] for r in body] == ["TA4561234567890", "TA4561234567891", "BT2561234567892", "HN2561234567893",
                                    "HN2561234567894"]  # input order, original values
    assert [r[11] for r in body] == ["a", "b", None, None, None]
    assert [r[12] for r in body] == ["Thẻ giữ lại", "Cấp trùng", "Thẻ giữ lại", "Cấp trùng", "Lỗi dữ liệu"]
    assert body[1][17] == 6 and body[1][18] == 149_400
    assert [r[21] for r in body] == [5, 6, 7, 8, 9]

    problems = sheet_rows(out, "Lỗi dữ liệu")
    assert problems[1][3] == "Dòng 9, cột Ngày sinh: '31/02/1980' không phải ngày sinh hợp lệ (dd/mm/yyyy hoặc năm sinh)"

    years = sheet_rows(out, "Chi tiết theo năm")
    assert years[0] == ["Mã thẻ", "Mã đối tượng", "Nhóm", "Năm", "Số tháng trùng", "Số tiền trùng (đồng)",
                        "NSNN chi trả (đồng)", "Dòng trong tệp"]
    assert [tuple(r[:4]) for r in years[1:]] == [("TA4561234567891", "TA", years[1][2], 2011),
                                                 ("HN2561234567893", "HN", years[2][2], 2011)]


def test_review_period_options(list_csv, tmp_path):
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(list_csv), "-o", str(out), "--from", "01/01/2011", "--to", "31/12/2012"]) == 0
    summary = sheet_rows(out, "Tổng hợp")
    assert summary[0][:5] == ["Năm", "STT nhóm", "Nhóm đối tượng", "Mã đối tượng", "Số thẻ cấp trùng"]
    years = {r[0] for r in summary[1:] if r[0] is not None}
    assert years == {2011, 2012}
    total = summary[-1]
    assert total[2] == "Tổng cộng" and total[4] == 2 and total[6] == 2 * 149_400


def test_params_round_trip_changes_result(list_csv, tmp_path):
    first = tmp_path / "kq.xlsx"
    assert main(["review", str(list_csv), "-o", str(first)]) == 0
    # staff edit the rate table in the result's "Tham số" sheet and run again with --params
    wb = openpyxl.load_workbook(first)
    ws = wb["Tham số"]
    for row in ws.iter_rows():
        if row[0].value == "TỶ LỆ ĐÓNG BHYT":
            ws.cell(row=row[0].row + 2, column=2, value=6)  # 3% -> 6%
    wb.save(tmp_path / "thamso.xlsx")
    second = tmp_path / "kq2.xlsx"
    assert main(["review", str(list_csv), "-o", str(second), "--params", str(tmp_path / "thamso.xlsx")]) == 0
    assert sheet_rows(second, "Kết quả")[2][18] == 2 * 149_400


def test_bad_params_value_is_reported(list_csv, tmp_path, capsys):
    first = tmp_path / "kq.xlsx"
    main(["review", str(list_csv), "-o", str(first)])
    wb = openpyxl.load_workbook(first)
    ws = wb["Tham số"]
    for row in ws.iter_rows():
        if row[0].value == "MỨC LƯƠNG CƠ SỞ (LƯƠNG TỐI THIỂU CHUNG)":
            ws.cell(row=row[0].row + 3, column=2, value="nhiều")
    wb.save(tmp_path / "thamso.xlsx")
    code = main(["review", str(list_csv), "-o", str(tmp_path / "x.xlsx"), "--params", str(tmp_path / "thamso.xlsx")])
    err = capsys.readouterr().err
    assert code == 1
    assert "cột Mức lương (đồng/tháng): 'nhiều' phải là số không âm" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_column_exit_code_and_nothing_written(tmp_path, capsys):
    p = tmp_path / "a.csv"
    p.write_text("Mã thẻ,Họ tên,Ngày sinh,Giới tính,Từ ngày,Đến ngày\nHN2560123456789,A,1980,Nam,01/01/2011,31/12/2011\n",
                 encoding="utf-8")
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(p), "-o", str(out)]) == 1
    assert 'Lỗi: Không tìm thấy cột "Địa chỉ"' in capsys.readouterr().err
    assert not out.exists()
    assert [f.name for f in tmp_path.iterdir()] == ["a.csv"]  # no temporary file left behind


def test_bad_date_option(list_csv, tmp_path, capsys):
    assert main(["review", str(list_csv), "-o", str(tmp_path / "k.xlsx"), "--from", "32/01/2011"]) == 1
    assert "'32/01/2011' không phải ngày hợp lệ" in capsys.readouterr().err


def test_output_must_differ_from_input(list_csv, capsys):
    assert main(["review", str(list_csv), "-o", str(list_csv)]) == 1
    assert "tệp gốc không bao giờ bị ghi đè" in capsys.readouterr().err


def test_existing_output_replaced_atomically(list_csv, tmp_path):
    out = tmp_path / "kq.xlsx"
    out.write_bytes(b"old")
    assert main(["review", str(list_csv), "-o", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["danh sách.csv", "kq.xlsx"]


def test_help_texts_and_module_entry_point():
    for args in (["--help"], ["review", "--help"]):
        r = subprocess.run([sys.executable, "-m", "bhyt_xl", *args], capture_output=True, text=True)
        assert r.returncode == 0
        assert "Công văn 493" in r.stdout or "--from" in r.stdout
    r = subprocess.run([sys.executable, "-m", "bhyt_xl", "review", "--help"], capture_output=True, text=True)
    for option in ("--from", "--to", "--params", "--sheet", "-o"):
        assert option in r.stdout


def test_default_output_name(list_csv):
    assert main(["review", str(list_csv)]) == 0
    assert (list_csv.parent / "danh sách_ket_qua.xlsx").exists()


def test_several_files_and_a_folder_are_one_list(tmp_path, capsys):
    """A person's duplicate may sit in another district's file: several inputs are reviewed together."""
    folder = tmp_path / "huyen"
    folder.mkdir()
    header = "Mã thẻ,Họ và tên,Ngày sinh,Giới tính,Địa chỉ,Mã đối tượng,Từ ngày,Đến ngày\n"
    (folder / "a.csv").write_text(header + "BT2561234567892,Dương Thị Hòa,1950,Nữ,Xã Ninh Hòa,BT,01/01/2011,"
                                           "31/12/2011\n", encoding="utf-8")
    (folder / "b.csv").write_text(header + "HN2561234567893,Dương Thị Hoà,1950,Nữ,Xã Ninh Hòa,HN,01/07/2011,"
                                           "31/12/2011\nHN12,X,1950,Nữ,Y,HN,01/07/2011,31/12/2011\n", encoding="utf-8")
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(folder), "-o", str(out)]) == 0
    rows = sheet_rows(out, "Kết quả")
    assert rows[0][0] == "Tệp nguồn"
    assert [(r[0], r[1]) for r in rows[1:]] == [("a.csv", "BT2561234567892"), ("b.csv", "HN2561234567893"),
                                                ("b.csv", "HN12")]
    verdict = rows[0].index("Kết luận")
    assert [r[verdict] for r in rows[1:]] == ["Thẻ giữ lại", "Cấp trùng", "Lỗi dữ liệu"]
    problems = sheet_rows(out, "Lỗi dữ liệu")
    assert problems[1][3].startswith("Tệp b.csv, dòng 3, cột Mã thẻ: ")
    out2 = tmp_path / "kq2.xlsx"
    assert main(["review", str(folder / "a.csv"), str(folder / "b.csv"), "-o", str(out2)]) == 0
    assert sheet_rows(out2, "Kết quả")[1:] == rows[1:]
    assert main(["review", str(folder)]) == 1
    assert "-o" in capsys.readouterr().err


def test_unexpected_error_is_one_vietnamese_sentence(list_csv, tmp_path, capsys, monkeypatch):
    import bhyt_xl.api

    def broken(*args, **kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(bhyt_xl.api, "review_file", broken)
    monkeypatch.delenv("BHYT_XL_DEBUG", raising=False)
    assert main(["review", str(list_csv), "-o", str(tmp_path / "kq.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi không mong đợi (KeyError)") and "Traceback" not in err
    assert not (tmp_path / "kq.xlsx").exists()
