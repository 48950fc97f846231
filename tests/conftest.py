"""Shared test helpers: inline card lists, the way beancount tests show their ledgers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bhyt_xl.api import review_table
from bhyt_xl.core.schema import field_for_header
from bhyt_xl.io.read import InputTable
from bhyt_xl.params import Params

HEADER = "Mã thẻ | Họ và tên | Ngày sinh | Giới tính | Địa chỉ | Mã đối tượng | Ngày cấp | Từ ngày | Đến ngày | Ngày thu hồi"


def table_from_text(text: str, header: str = HEADER) -> InputTable:
    """A pipe-separated list (one card per line, header line optional) -> InputTable.

    Row numbers start at 2, as if the header were on row 1 of a sheet.
    """
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if lines and field_for_header(lines[0].split("|")[0].strip()):
        header, lines = lines[0], lines[1:]
    cols = [c.strip() for c in header.split("|")]
    rows = []
    for ln in lines:
        cells = [c.strip() for c in ln.split("|")]
        cells += [""] * (len(cols) - len(cells))
        rows.append([c if c != "" else None for c in cells])
    data = pd.DataFrame(rows, columns=cols, dtype="object")
    columns = {field_for_header(c): c for c in cols if field_for_header(c)}
    return InputTable(data, columns, np.arange(len(data)) + 2, "test.csv", None, 1, 0)


def review_text(text: str, **params):
    """Review an inline list; returns the Review (rows in input order)."""
    return review_table(table_from_text(text), Params().replace(**params))


@pytest.fixture
def review():
    return review_text
