"""Dates in a text column (fastexcel's "1930-04-01 00:00:00") are shown as Excel shows them: 01/04/1930.

A column mixing real Excel dates with numbers or text (birth dates with a bare
year 1935 for old people) is read by fastexcel as text, its dates as ISO
stamps; :func:`bhyt_xl.io.clean.stamps_as_shown` (the last step of every
reader) gives them back as the staff typed them.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from bhyt_xl.api import review_table
from bhyt_xl.io.clean import stamps_as_shown
from bhyt_xl.io.read import read_table

TEXT_DTYPES = ["str", "string", pd.StringDtype("python"), object]


def _frame(values, dtype):
    return pd.DataFrame({"Ngày sinh": pd.Series(values, dtype=dtype)})


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_mixed_column_stamps_shown_others_kept(dtype):
    values = ["1930-04-01 00:00:00", "1935", None, "Không rõ", "", "1930-04-01 00:00:00", "2000-02-29 00:00:00"]
    data = _frame(values, dtype)
    before = data["Ngày sinh"].dtype
    stamps_as_shown(data)
    col = data["Ngày sinh"]
    assert col.dtype == before
    out = col.tolist()
    assert out[0] == "01/04/1930" and out[5] == "01/04/1930"
    assert out[1] == "1935" and out[3] == "Không rõ" and out[4] == ""
    assert pd.isna(out[2])
    assert out[6] == "29/02/2000"


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_time_of_day_left_to_the_date_parser(dtype):
    values = ["2011-01-01 08:30:00", "2011-01-01 12:30:15.123", "2011-01-01 00:00:00.500", "1935"]
    data = _frame(values, dtype)
    stamps_as_shown(data)
    assert data["Ngày sinh"].tolist() == values  # the date parser reads these stamps as they are


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_only_exact_fastexcel_stamps(dtype):
    values = ["2011-01-01", "2011-01-01T00:00:00", "2011-01-01 00:00", " 2011-01-01 00:00:00",
              "2011-01-01 00:00:00 ", "Sinh 2011-01-01 00:00:00", "2011/01/01 00:00:00", "01/01/2011",
              "2011-01-01 00:00:00."]
    _assert_only_the_stamp_shown(values, "2011-01-01 00:00:00", "01/01/2011", dtype)


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_stamp_that_is_no_calendar_date_left_unchanged(dtype):
    values = ["2011-02-30 00:00:00", "2011-13-01 00:00:00", "2011-00-10 00:00:00", "2011-01-00 00:00:00",
              "0000-01-01 00:00:00", "2011-01-01 24:00:00", "2011-01-01 23:60:00", "2011-01-01 23:59:60",
              "1900-02-29 00:00:00"]
    _assert_only_the_stamp_shown(values, "2012-02-29 00:00:00", "29/02/2012", dtype)


def _assert_only_the_stamp_shown(left_alone: list[str], stamp: str, shown: str, dtype) -> None:
    """A column of ``left_alone`` values and one valid ``stamp``: only the stamp changes, to ``shown``."""
    data = _frame(left_alone + [stamp], dtype)
    stamps_as_shown(data)
    assert data["Ngày sinh"].tolist() == left_alone + [shown]


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_column_without_stamps_untouched(dtype, monkeypatch):
    data = pd.DataFrame({
        "Địa chỉ": pd.Series(["Tổ dân phố 5, Phường Vĩnh Hải, Thành phố Nha Trang", None, "2011-01-01",
                              "abcd-ef-gh ij:kl:mn", "1234-56-78 90:12:3x"], dtype=dtype),
        "Số": [1.0, 2.0, 3.0, 4.0, 5.0],
        "Ngày": pd.to_datetime(["2011-01-01"] * 5),
    })
    expected = data.copy()
    calls = []
    monkeypatch.setattr(pd.DataFrame, "isetitem", lambda self, *a: calls.append(a))
    stamps_as_shown(data)
    assert calls == []  # no column replaced
    pd.testing.assert_frame_equal(data, expected)


def test_only_text_columns_touched():
    stamp = pd.Timestamp("1930-04-01")
    data = pd.DataFrame({
        "dates": pd.to_datetime(["1930-04-01", "2011-01-01"]),
        "numbers": [1935.0, 2.0],
        "mixed": pd.Series(["1930-04-01 00:00:00", stamp], dtype=object),  # a real date object is no text
        "ints": pd.Series([1, 2], dtype=object),
    })
    stamps_as_shown(data)
    assert data["dates"].dtype.kind == "M" and data["numbers"].dtype == "float64"
    assert data["mixed"].dtype == object and data["mixed"].tolist() == ["01/04/1930", stamp]
    assert data["ints"].tolist() == [1, 2]


def test_mixed_object_column_with_numbers():
    data = pd.DataFrame({"Ngày sinh": pd.Series(["1930-04-01 00:00:00", 1935, np.nan, "1935", None],
                                                dtype=object)})
    stamps_as_shown(data)
    out = data["Ngày sinh"].tolist()
    assert out[:2] == ["01/04/1930", 1935] and isinstance(out[1], int)
    assert out[3] == "1935" and out[4] is None and np.isnan(out[2])


@pytest.mark.parametrize("stamps", [3, 5000])  # few stamps among many texts / mostly stamps
def test_large_column_both_paths(stamps):
    n = 6000
    rng = np.random.default_rng(0)
    days = pd.Timestamp("1920-01-01") + pd.to_timedelta(rng.integers(0, 30000, n), unit="D")
    values = np.array([f"Người số {i} ở xã Vĩnh Lương, huyện Nha Trang" for i in range(n)], dtype=object)
    at = rng.choice(n, stamps, replace=False)
    values[at] = days[at].strftime("%Y-%m-%d %H:%M:%S")
    values[::97] = "1935"
    values[::101] = None
    data = pd.DataFrame({"x": pd.Series(values, dtype="str")})
    expected = pd.Series(values, dtype="str")
    is_stamp = expected.str.match(r"^\d{4}-\d{2}-\d{2} 00:00:00$").fillna(False).to_numpy(dtype=bool)
    expected[is_stamp] = pd.to_datetime(expected[is_stamp]).dt.strftime("%d/%m/%Y")
    stamps_as_shown(data)
    pd.testing.assert_series_equal(data["x"], expected, check_names=False)


def test_chunked_arrow_column():
    import pyarrow as pa

    chunks = pa.chunked_array([["a", "1930-04-01 00:00:00"], [None, "2011-01-01 08:30:00"], ["1935"]])
    data = pd.DataFrame({"x": pd.Series(pd.array(chunks, dtype="str"))})
    stamps_as_shown(data)
    assert data["x"].dtype == "str"
    assert data["x"].tolist()[:2] == ["a", "01/04/1930"] and data["x"].tolist()[3:] == ["2011-01-01 08:30:00", "1935"]


def test_empty_and_all_missing():
    data = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype=object)})
    stamps_as_shown(data)
    assert len(data) == 0 and data["a"].dtype == "str"
    data = pd.DataFrame({"a": pd.Series([None, None], dtype="str"), "b": pd.Series([None, np.nan], dtype=object)})
    stamps_as_shown(data)
    assert data["a"].isna().all() and data["b"].isna().all()


# ---------------------------------------------------------------------------
# End to end: an .xlsx read by fastexcel
# ---------------------------------------------------------------------------
HEADER = ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng",
          "Giá trị từ ngày", "Giá trị đến ngày"]


def _write_xlsx(path, rows):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("DS")
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["DANH SÁCH CẤP THẺ BHYT NĂM 2011"])
    ws.write_row(2, 0, HEADER)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(3 + i, j, dt.datetime.combine(v, dt.time()), date)
            elif isinstance(v, str):
                ws.write_string(3 + i, j, v)
            elif v is not None:
                ws.write_number(3 + i, j, v)
    wb.close()
    return path


def _card(stt, card, name, born, sex, address, year=2011):
    return [stt, card, name, born, sex, address, card[:2], dt.date(year, 1, 1), dt.date(year, 12, 31)]


def test_xlsx_birth_dates_mixed_with_years_read_as_shown(tmp_path):
    rows = [
        _card(1, "HT2560123456789", "Phan Đình Vương", dt.date(1930, 4, 1), "Nam", "Xã Vĩnh Lương"),
        _card(2, "HT2560123456780", "Trần Thị Bé", 1935, "Nữ", "Xã Vĩnh Hải"),
        _card(3, "HT2560123456781", "Lê Văn Cường", dt.date(1944, 12, 20), "Nam", "Xã Vĩnh Lương"),
        _card(4, "HT2560123456789", "Phan Đình Vương", dt.date(1930, 4, 1), "Nam", "Xã Vĩnh Lương", 2012),
    ]
    table = read_table(_write_xlsx(tmp_path / "ds.xlsx", rows))
    born = table.data["Ngày sinh"]
    assert born.tolist() == ["01/04/1930", "1935", "20/12/1944", "01/04/1930"]
    assert born.dtype == "str"
    # the other date columns (real dates only) stay dates
    assert table.data["Giá trị từ ngày"].dtype.kind == "M"
    assert table.data["Giá trị từ ngày"].tolist()[0] == pd.Timestamp("2011-01-01")

    review = review_table(table)
    keys = review.result.rows["identity_key"].tolist()
    assert "01/04/1930" in keys[0] and "1935" in keys[1] and "20/12/1944" in keys[2]
    assert keys[0] == keys[3]  # the same person in 2011 and 2012
    assert "00:00:00" not in " ".join(keys)
    result = review.sheets()["Kết quả"]
    assert result["Ngày sinh"].astype(str).tolist()[:2] == ["01/04/1930", "1935"]
    assert "01/04/1930" in result["Khóa nhận diện"].tolist()[0]
    errors = review.sheets()["Lỗi dữ liệu"]
    assert not (errors["Cột"].astype(str) == "Ngày sinh").any()  # the year 1935 and the dates all read


def test_xlsx_date_only_column_stays_datetime(tmp_path):
    rows = [
        _card(1, "HT2560123456789", "Phan Đình Vương", dt.date(1930, 4, 1), "Nam", "Xã Vĩnh Lương"),
        _card(2, "HT2560123456780", "Trần Thị Bé", dt.date(1935, 1, 1), "Nữ", "Xã Vĩnh Hải"),
    ]
    table = read_table(_write_xlsx(tmp_path / "ds.xlsx", rows))
    born = table.data["Ngày sinh"]
    assert born.dtype.kind == "M"
    assert born.tolist() == [pd.Timestamp("1930-04-01"), pd.Timestamp("1935-01-01")]


def test_xlsx_dates_with_repeated_header_restored_as_dates(tmp_path):
    # a repeated header makes fastexcel read the date column as text; restore_dates gives the dates back
    rows = [
        _card(1, "HT2560123456789", "Phan Đình Vương", dt.date(1930, 4, 1), "Nam", "Xã Vĩnh Lương"),
        HEADER,
        _card(2, "HT2560123456780", "Trần Thị Bé", dt.date(1935, 1, 1), "Nữ", "Xã Vĩnh Hải"),
    ]
    table = read_table(_write_xlsx(tmp_path / "ds.xlsx", rows))
    assert table.skipped_header == 1
    born = table.data["Ngày sinh"]
    assert born.dtype.kind == "M"
    assert born.tolist() == [pd.Timestamp("1930-04-01"), pd.Timestamp("1935-01-01")]


def test_csv_text_dates_unchanged(tmp_path):
    text = ("Mã thẻ;Họ tên;Ngày sinh;Giới tính;Địa chỉ;Từ ngày;Đến ngày\n"
            "HN2560123456789;Nguyễn Văn Ấn;1980;Nam;Xã Vĩnh Lương;01/01/2011;31/12/2011\n"
            "HN2560123456780;Nguyễn Văn Bé;1981-02-03;Nam;Xã Vĩnh Lương;2011-01-01 00:00:00;31/12/2011\n")
    p = tmp_path / "a.csv"
    p.write_text(text, encoding="utf-8")
    t = read_table(p)
    assert t.data["Ngày sinh"].tolist() == ["1980", "1981-02-03"]
    assert t.data["Từ ngày"].tolist() == ["01/01/2011", "01/01/2011"]
