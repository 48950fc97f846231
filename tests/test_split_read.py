"""A large sheet parsed in pieces gives exactly fastexcel's table of the whole sheet (issue 6).

The pieces are forced on small sheets (``pieces=`` and tiny stream chunks),
so that the cuts fall at every kind of place: the joined table must equal
fastexcel's reading of the whole sheet, or the split must step aside (None)
for the reader to parse the sheet whole.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import fastexcel
import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bhyt_xl.io import read, split_read
from bhyt_xl.io.read import read_table
from bhyt_xl.samples.generate import generate_cards

PART = "xl/worksheets/sheet1.xml"
OPTIONS = {"schema_sample_rows": None, "dtype_coercion": "coerce", "skip_whitespace_tail_rows": True}


def _write(path: Path, header: list, rows: list[list], title_rows: int = 0, constant_memory: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory, "strings_to_numbers": False})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("DS")
    for r in range(title_rows):
        ws.write_string(r, 0, f"Tiêu đề {r + 1}")
    ws.write_row(title_rows, 0, header)
    for i, row in enumerate(rows, start=title_rows + 1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, (dt.date, dt.datetime)):
                ws.write_datetime(i, j, v, date)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, v)
    wb.close()


def _whole(path: Path, header_row: int) -> pd.DataFrame:
    return fastexcel.read_excel(str(path)).load_sheet("DS", header_row=header_row, **OPTIONS).to_pandas()


def _split(path: Path, header_row: int, pieces: int, chunk: int = 64) -> pa.Table | None:
    chunks = read._member_chunks(path, PART, chunk)
    return split_read.load_in_pieces(path, PART, "DS", header_row, chunks, pieces, OPTIONS)


def _assert_split_equals_whole(path: Path, header_row: int, pieces: int, chunk: int = 64) -> bool:
    """The split's table equals the whole read (True), or the split stepped aside (False)."""
    table = _split(path, header_row, pieces, chunk)
    if table is None:
        return False
    pd.testing.assert_frame_equal(table.to_pandas(), _whole(path, header_row))
    return True


# --------------------------------------------------------------------------- the type rule
CELLS = {
    "số": [1.5, 2.0, 3.25],
    "số nguyên": [1, 2, 3],
    "chữ": ["a", "b", "c"],
    "chữ số": ["0123", "12", "7"],
    "ngày": [dt.date(2013, 1, 30), dt.date(1990, 2, 28), dt.date(2000, 12, 31)],
    "ngày giờ": [dt.datetime(2013, 1, 30, 8, 15), dt.datetime(1990, 2, 28, 23, 59, 59), dt.datetime(2001, 1, 1, 1)],
    "đúng sai": [True, False, True],
    "NA": ["NA", "#N/A", "null"],
    "trống": [None, None, None],
}


@pytest.mark.parametrize("top", list(CELLS))
@pytest.mark.parametrize("bottom", list(CELLS))
def test_a_column_of_two_kinds_of_cells_joins_as_fastexcel_types_it(tmp_path, top, bottom):
    """Every pair of cell kinds, one kind in the first pieces and the other in the last: the join
    (type rule, re-read with the type imposed, empty pieces as nulls) equals the whole read."""
    rows = [[i, CELLS[top][i % 3], "x"] for i in range(60)] + [[i, CELLS[bottom][i % 3], "y"] for i in range(60)]
    path = tmp_path / "t.xlsx"
    _write(path, ["STT", "Giá trị", "Khác"], rows)
    for pieces in (2, 3, 5):
        assert _assert_split_equals_whole(path, 0, pieces)


@pytest.mark.parametrize("dtypes, joined", [
    ({"float"}, "float"), ({"int", "float"}, "float"), ({"int", "boolean"}, "int"),
    ({"boolean", "float"}, "float"), ({"datetime", "date"}, "string"), ({"datetime", "string"}, "string"),
    ({"float", "string"}, "string"), ({"boolean", "datetime"}, "string"), (set(), "string"),
])
def test_joined_dtype(dtypes, joined):
    assert split_read.joined_dtype(dtypes) == joined


def test_a_duration_among_other_types_is_left_to_the_whole_read():
    with pytest.raises(split_read._NoSplit):
        split_read.joined_dtype({"duration", "float"})


def test_null_strings_are_fastexcels(tmp_path):
    """The strings the split treats as empty are the ones fastexcel leaves out of a column's type."""
    rows = [[s, 1.0] for s in split_read.NULL_STRINGS if s] + [[None, 2.0]]
    path = tmp_path / "n.xlsx"
    _write(path, ["A", "B"], rows + [[3.5, 3.0]])
    whole = fastexcel.read_excel(str(path)).load_sheet("DS", **OPTIONS)
    assert str(whole.selected_columns[0].dtype) == "float"  # only the number typed the column


# --------------------------------------------------------------------------- cuts anywhere
CELL = st.one_of(
    st.none(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3)),
    st.sampled_from(["Nguyễn Văn A", "0123456789", "  ", "NA", "x", "Ấp 3, Xã Tân Phú"]),
    st.booleans(),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2030, 12, 31)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=2, max_size=40),
       title_rows=st.integers(0, 3), pieces=st.integers(2, 6), chunk=st.sampled_from([40, 300, 1 << 16]),
       constant_memory=st.booleans())
def test_any_sheet_cut_anywhere_gives_the_whole_read_or_steps_aside(rows, title_rows, pieces, chunk,
                                                                      constant_memory):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.xlsx"
        _write(path, ["Cột 1", "Cột 2", "Cột 3"], rows, title_rows, constant_memory)
        _assert_split_equals_whole(path, title_rows, pieces, chunk)


def test_an_ordinary_list_is_split(tmp_path):
    """Not only stepping aside: a card list is cut into the pieces asked for and joined."""
    frame = generate_cards(400, seed=11)
    path = tmp_path / "cards.xlsx"
    frame.to_excel(path, index=False, sheet_name="DS")
    for pieces in (2, 3, 4):
        assert _assert_split_equals_whole(path, 0, pieces, chunk=256)


def test_rows_missing_at_a_cut_are_not_cut_across(tmp_path):
    """Between rows 30 and 40 there are no rows in the XML: no cut there (the empty rows stay in the table)."""
    rows = [[f"r{i}", i] for i in range(1, 30)] + [[None, None]] * 10 + [[f"r{i}", i] for i in range(40, 80)]
    path = tmp_path / "gap.xlsx"
    _write(path, ["A", "B"], rows)
    for pieces in range(2, 9):
        _assert_split_equals_whole(path, 0, pieces, chunk=16)


def test_whitespace_rows_before_a_cut_send_the_sheet_to_the_whole_read(tmp_path):
    """fastexcel drops whitespace-only rows at a sheet's end: a piece ending with them would lose them."""
    rows = [[f"r{i}", "   " if 20 <= i < 60 else f"v{i}"] for i in range(100)]
    rows = [[None if 20 <= i < 60 else a, b] for i, (a, b) in enumerate(rows)]
    path = tmp_path / "ws.xlsx"
    _write(path, ["A", "B"], rows)
    assert _split(path, 0, 2, chunk=1 << 16) is None  # the cut falls among the whitespace rows


def test_temporary_pieces_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    frame = generate_cards(200, seed=2)
    path = tmp_path / "cards.xlsx"
    frame.to_excel(path, index=False, sheet_name="DS")
    assert _split(path, 0, 3, chunk=256) is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("bhyt-xl-")]

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(split_read, "_join", broken)
    assert _split(path, 0, 3, chunk=256) is None  # the reader then parses the sheet whole
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("bhyt-xl-")]


def test_renumbered_header_row():
    row = b'<row r="3" spans="1:3"><c r="A3" t="s"><v>0</v></c><c r="B3" s="1" t="inlineStr"><is><t>r="B3"</t></is></c></row>'
    assert split_read._renumbered(row, 1207) == (
        b'<row r="1207" spans="1:3"><c r="A1207" t="s"><v>0</v></c><c r="B1207" s="1" t="inlineStr"><is>'
        b'<t>r="B3"</t></is></c></row>')


def test_piece_count():
    mb = 1024 * 1024
    assert split_read.piece_count(698 * mb, cores=2) == 3
    assert split_read.piece_count(698 * mb, cores=1) == 1
    assert split_read.piece_count(100 * mb, cores=2) == 1
    assert split_read.piece_count(10_000 * mb, cores=64) == split_read.MAX_PIECES


# --------------------------------------------------------------------------- through the reader
def _forced_pieces(monkeypatch, pieces: int = 3):
    monkeypatch.setattr(read, "BIG_SHEET_BYTES", 0)
    monkeypatch.setattr(read, "SCAN_CHUNK", 97)
    monkeypatch.setattr(split_read, "piece_count", lambda *a, **k: pieces)
    taken = []
    real = split_read.load_in_pieces
    monkeypatch.setattr(split_read, "load_in_pieces", lambda *a: taken.append(r := real(*a)) or r)
    return taken


@pytest.mark.parametrize("path", sorted((Path(__file__).parent / "fixtures" / "messy").glob("*.xlsx")),
                         ids=lambda p: p.name)
def test_reader_in_pieces_equals_the_general_reader(path, monkeypatch):
    from tests.test_read_big import _same

    try:
        general = read_table(path)
    except Exception as exc:  # a file the readers refuse: refused the same way
        _forced_pieces(monkeypatch)
        with pytest.raises(type(exc)):
            read_table(path)
        return
    _forced_pieces(monkeypatch)
    _same(general, read_table(path))


def test_reader_in_pieces_on_a_list_with_merged_cells(tmp_path, monkeypatch):
    """A list with titles, merged captions and a merged address block: split, and equal to the general reader."""
    from tests.test_read_big import _same, list_with_merges

    path = list_with_merges(tmp_path / "list.xlsx", 500, seed=5, block_row=400)
    general = read_table(path)
    assert general.merged_filled == 1
    taken = _forced_pieces(monkeypatch)
    split = read_table(path)
    assert taken and taken[0] is not None
    _same(general, split)
