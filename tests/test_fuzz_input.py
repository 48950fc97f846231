"""Fuzzing the reader and the review with messy lists (issue 8).

Hypothesis writes small card lists as .xlsx or .csv with random blanks, wrong
types, odd dates, the header repeated, subtotal rows, titles above the header,
and random Unicode in names (combining marks, zero-width characters); some
files are then cut short. ``review_file`` must either succeed with the row
accounting holding, or stop with one Vietnamese message (a ``BhytError``);
there is no third outcome. Nothing with a card number is lost: every row that
has one reaches the engine.

CI runs a bounded number of examples; ``bench/fuzz_long.py`` runs many more.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bhyt_xl.api import review_file
from bhyt_xl.errors import BhytError

HEADER = ["STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Từ ngày",
          "Đến ngày", "Ghi chú"]
CARD = HEADER.index("Mã thẻ")
VIETNAMESE = re.compile(r"[À-ỹĐđ]")

# --- cell values ---------------------------------------------------------------
NAME_CHARS = st.sampled_from(
    list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐEÊOÔƠƯ ")
    + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323",  # combining tone marks
       "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad",  # zero-width and soft hyphen
       "Ð", "\t", "'", ",", ";", '"', "\n"]
)
names = st.text(NAME_CHARS, min_size=0, max_size=16)
odd_dates = st.sampled_from(["31/02/1980", "2011-13-01", "1/1/11", "00/00/0000", "40544", "0", "-5", "1945",
                             "01.07.2011", "2011/07/01", "tháng 7", "31/12/2011 ", "'01/01/2011", "99999999",
                             "1899-12-31", "2100-12-31"])
any_scalar = st.one_of(
    st.none(), st.just(""), st.just("   "), names,
    st.integers(min_value=-10, max_value=3_000_000), st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.booleans(), st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 1, 1)), odd_dates,
)
card_numbers = st.one_of(
    st.from_regex(r"[A-Z]{2}[1-5][0-9]{12}", fullmatch=True),
    st.from_regex(r"[a-z]{2} ?[0-9]{3}\.[0-9]{10}", fullmatch=True),
    st.integers(min_value=0, max_value=10**15), st.just(""), names,
)
dates = st.one_of(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2016, 12, 31)), odd_dates, any_scalar)


@st.composite
def card_rows(draw):
    row = [
        draw(st.one_of(st.integers(1, 999), st.none())),
        draw(card_numbers),
        draw(st.one_of(names, any_scalar)),
        draw(st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2015, 1, 1)), odd_dates,
                       any_scalar)),
        draw(st.one_of(st.sampled_from(["Nam", "Nữ", "nam", "NỮ", "1", "0", "2", "X"]), any_scalar)),
        draw(st.one_of(names, any_scalar)),
        draw(st.one_of(st.sampled_from(["HN", "BT", "TE", "CN", "hs", "ZZ"]), any_scalar)),
        draw(dates),
        draw(dates),
        draw(any_scalar),
    ]
    return row


@dataclass
class Case:
    """One generated list: the rows below the header and what was put there on purpose."""

    fmt: str  # "xlsx" or "csv"
    encoding: str
    titles: int  # title rows above the header
    lead_rows: int = 0  # blank rows above everything
    lead_cols: int = 0  # blank columns left of the list (xlsx)
    rows: list = field(default_factory=list)  # ("card"|"blank"|"header"|"subtotal", cells)
    cut: float | None = None  # keep this share of the file's bytes


@st.composite
def cases(draw):
    kinds = draw(st.lists(st.sampled_from(["card"] * 6 + ["blank", "header", "subtotal"]), max_size=14))
    rows = []
    for kind in kinds:
        if kind == "card":
            rows.append(("card", draw(card_rows())))
        elif kind == "blank":
            rows.append(("blank", [draw(st.sampled_from([None, "", "  "])) for _ in HEADER]))
        elif kind == "header":
            rows.append(("header", list(HEADER)))
        else:
            caption = draw(st.sampled_from(["Cộng", "Tổng cộng", "Cộng nhóm 2", "TỔNG SỐ:", "Cộng xã A"]))
            cells = [None] * len(HEADER)
            cells[draw(st.sampled_from([0, 2, 5]))] = caption
            cells[-1] = draw(st.integers(0, 99))
            rows.append(("subtotal", cells))
    fmt = draw(st.sampled_from(["xlsx", "csv"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])) if fmt == "csv" else ""
    cut = draw(st.one_of(st.none(), st.none(), st.none(), st.floats(min_value=0.0, max_value=0.99)))
    return Case(fmt, encoding, draw(st.integers(0, 2)), draw(st.integers(0, 3)),
                draw(st.integers(0, 2)) if fmt == "xlsx" else 0, rows, cut)


# --- writing -----------------------------------------------------------------
def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return str(v)


def write(case: Case, folder: Path) -> Path:
    if case.fmt == "xlsx":
        import xlsxwriter

        path = folder / "ds.xlsx"
        wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "strings_to_numbers": False,
                                             "strings_to_formulas": False, "strings_to_urls": False})
        ws = wb.add_worksheet("DS")
        date = wb.add_format({"num_format": "dd/mm/yyyy"})
        for r in range(case.titles):
            ws.write_string(case.lead_rows + r, case.lead_cols, f"DANH SÁCH {r + 1}")
        h = case.lead_rows + case.titles
        ws.write_row(h, case.lead_cols, HEADER)
        for i, (_, cells) in enumerate(case.rows):
            for j0, v in enumerate(cells):
                r, j = h + 1 + i, case.lead_cols + j0
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    if dt.date(1900, 3, 1) <= v <= dt.date(9999, 12, 31):
                        ws.write_datetime(r, j, dt.datetime.combine(v, dt.time()), date)
                    else:
                        ws.write_string(r, j, _text(v))
                elif isinstance(v, bool):
                    ws.write_boolean(r, j, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, j, v)
                else:
                    ws.write_string(r, j, v)
        wb.close()
    else:
        path = folder / "ds.csv"
        buf = io.StringIO()
        sep = "\t" if case.encoding == "utf-16" else ","
        w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
        for r in range(case.lead_rows):
            w.writerow([])
        for r in range(case.titles):
            w.writerow([f"DANH SÁCH {r + 1}"])
        w.writerow(HEADER)
        for _, cells in case.rows:
            w.writerow([_text(v) for v in cells])
        path.write_bytes(buf.getvalue().encode(case.encoding))
    if case.cut is not None:
        raw = path.read_bytes()
        path.write_bytes(raw[: int(len(raw) * case.cut)])
    return path


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _cell_as_read(v, fmt):
    """What a cell becomes once written (csv turns everything into text)."""
    return _text(v) if fmt == "csv" else v


# --- the property --------------------------------------------------------------
def check(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(case, Path(folder))
        before = path.read_bytes()
        try:
            r = review_file(path)
        except BhytError as exc:
            message = str(exc)
            assert message and VIETNAMESE.search(message), message
            assert path.read_bytes() == before
            return
        assert path.read_bytes() == before
    t = r.table
    stats = r.result.stats
    # the accounting equation: rows in = (valid + errors) + skipped
    assert stats["rows"] == len(t.data) == len(t.src_row)
    assert 0 <= stats["errors"] <= stats["rows"]
    assert t.rows_read == len(t.data) + t.skipped_blank + t.skipped_subtotal + t.skipped_header
    if case.cut is not None:
        return  # a file cut short: only the equation and the outcome are checked
    # the rows written, down to the last one that is not blank
    cells = [[_cell_as_read(v, case.fmt) for v in row] for _, row in case.rows]
    filled = [i for i, row in enumerate(cells) if not all(_blank(v) for v in row)]
    n_written = filled[-1] + 1 if filled else 0
    assert t.rows_read == n_written
    blank_rows = sum(1 for i in range(n_written) if all(_blank(v) for v in cells[i]))
    assert t.skipped_blank == blank_rows
    kinds = [k for k, _ in case.rows[:n_written]]
    assert t.skipped_header >= kinds.count("header")
    assert t.skipped_subtotal >= kinds.count("subtotal")
    # nothing with a card number is lost
    first = case.lead_rows + case.titles + 2
    kept = {int(x) for x in t.src_row}
    for i, (kind, row) in enumerate(case.rows):
        card = row[CARD]
        if kind == "card" and isinstance(card, str) and re.fullmatch(r"[A-Z]{2}[1-5][0-9]{12}", card):
            assert first + i in kept, (i, row)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_messy_lists_give_a_result_with_the_rows_accounted_for_or_one_message(case):
    check(case)
