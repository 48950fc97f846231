"""Running the macros without Excel: xlwings' remote engine, driven from files.

xlwings' remote engine (``xw.Book(json=payload)``) gives the macros a Book
made from a *payload*, the JSON that xlwings' clients (VBA ``Remote.bas``,
Office.js) send: every sheet's values from A1. Whatever the macros write is
queued as *actions* in ``book.json()``, which a client would then apply to the
workbook. This module plays the client's part with openpyxl, so tests and the
benchmark can run a macro on an .xlsx/.xlsm file and look at the result:

* :func:`payload_from_xlsx` (or :func:`payload` from in-memory sheets) builds
  the payload, encoded as the clients encode it (dates as ISO strings);
  each sheet also lists its merged areas under :data:`MERGED_AREAS` (see there);
* :func:`apply_actions` applies the queued actions to a copy of the file and
  returns the actions that concern the application rather than the workbook
  (message boxes, screen updating), for a test to inspect.

The remote engine needs ``XLWINGS_LICENSE_KEY`` (the noncommercial key covers
this project) in the environment *before* xlwings is first imported; this
module never sets it: the caller (a test, the benchmark) does.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

#: What a client sends for a date cell (the remote engine cuts the final "Z").
ISO_SENT = "%Y-%m-%dT%H:%M:%S.000Z"
#: Per-sheet payload key listing the sheet's merged areas as A1 addresses ("F5:F7"). It is this project's
#: addition: xlwings 0.37.8's clients (VBA ``Remote.bas``, Office Scripts ``xlwings.ts``) send only each sheet's
#: name, values, pictures and tables, and its remote engine has no synchronous merge information
#: (``Range.merge_area`` raises; ``get_merge_area()`` works only in xlwings Lite). The engine keeps every key
#: of a sheet's entry as ``sheet.api`` (a dict), so the macros read this one there, as desktop Excel would
#: answer ``MergeArea``; a payload without it (a real remote client) means "no merged cells".
MERGED_AREAS = "merged_areas"
#: What the remote engine writes for a date (xlwings' prepare_xl_data_element), which clients parse back.
_ISO_WRITTEN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$")


# ---------------------------------------------------------------------------
# Payload
# ---------------------------------------------------------------------------
def encode_cell(value: object) -> object:
    """One cell value as a client sends it: dates as ISO strings, blanks as None, numpy scalars as Python."""
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.strftime(ISO_SENT)
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return encode_cell(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def frame_values(frame: pd.DataFrame, header: bool = True, top: Iterable[Iterable[object]] = ()) -> list[list[object]]:
    """A frame as payload rows (vectorised per column): optional rows above, the header, then the data."""
    columns = []
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            text = s.dt.strftime(ISO_SENT)
            columns.append(text.astype(object).where(s.notna(), None).tolist())
        elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            arr = s.to_numpy(dtype="float64", na_value=np.nan)
            out = arr.astype(object)
            out[np.isnan(arr)] = None
            if pd.api.types.is_integer_dtype(s.dtype):
                out[~np.isnan(arr)] = s.dropna().astype("int64").tolist()
            columns.append(out.tolist())
        else:
            columns.append([encode_cell(v) for v in s.astype(object).tolist()])
    rows = [list(r) for r in top]
    if header:
        rows.append([str(c) for c in frame.columns])
    rows.extend(map(list, zip(*columns)))
    return rows


def payload(sheets: Mapping[str, list[list[object]]], book_name: str = "BHYT_RaSoat.xlsm",
            active_sheet: int = 0, merged: Mapping[str, list[str]] | None = None) -> dict:
    """The payload of a workbook whose sheets hold ``sheets`` (name -> rows from A1, in order).

    Cell values are encoded with :func:`encode_cell`; rows are padded to the
    sheet's width, as the clients send a rectangle. ``merged``: sheet name ->
    its merged areas as A1 addresses, sent under :data:`MERGED_AREAS` (a sheet
    not named there gets an empty list).
    """
    import xlwings as xw

    out = []
    for name, rows in sheets.items():
        rows = [[encode_cell(v) for v in row] for row in rows]
        width = max((len(r) for r in rows), default=0)
        values = [r + [None] * (width - len(r)) for r in rows] if width else [[]]
        out.append({"name": name, "values": values, "pictures": [], "tables": [],
                    MERGED_AREAS: list((merged or {}).get(name, []))})
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": book_name, "active_sheet_index": active_sheet, "selection": "A1"},
        "names": [],
        "sheets": out,
    }


def payload_from_xlsx(path: str | PathLike) -> dict:
    """The payload a client would send for the workbook at ``path`` (cached values, not formulas).

    Each sheet's values run from A1 to its last non-empty row and column; its
    merged areas (as the file holds them) go under :data:`MERGED_AREAS`.
    Files written by XlsxWriter/openpyxl hold no cached formula results, so
    formula cells read as empty (put inputs in as values).
    """
    import openpyxl

    path = Path(path)
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        sheets, merged = {}, {}
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            width = max((max((j + 1 for j, v in enumerate(r) if v is not None), default=0) for r in rows), default=0)
            sheets[ws.title] = [r[:width] for r in rows]
            merged[ws.title] = [r.coord for r in ws.merged_cells.ranges]
        active = wb.worksheets.index(wb.active) if wb.active in wb.worksheets else 0
    finally:
        wb.close()
    return payload(sheets, book_name=path.name, active_sheet=active, merged=merged)


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------
#: Actions about the application, not the workbook: returned to the caller, not applied.
UI_ACTIONS = frozenset({"alert", "setScreenUpdating", "setCalculation", "calculate"})
#: Formatting a file cannot hold (column autofit is done by Excel when it renders): accepted, nothing to apply.
NO_OP_ACTIONS = frozenset({"setAutofit", "setSheetAutofit"})


def apply_actions(path: str | PathLike, actions: dict | list[dict], output: str | PathLike | None = None) -> list[dict]:
    """Apply the actions of ``book.json()`` to the workbook at ``path`` (saved to ``output``, default ``path``).

    Handles what the macros emit: setValues, setRangeColor, setNumberFormat,
    setFontProperty, addSheet, setSheetName, activateSheet, sheetClear,
    sheetClearContents, sheetDelete, rangeClear, rangeClearContents,
    rangeClearFormats; column autofit is accepted and ignored. Values written
    as ``YYYY-MM-DD[ HH:MM:SS]`` become dates and "" empties a cell, as the
    clients do. Raises NotImplementedError on any other action, so a test
    notices when the macros start to emit something new.

    Returns the application actions (alert, setScreenUpdating, ...) in order.
    """
    import openpyxl

    if isinstance(actions, Mapping):
        actions = actions["actions"]
    path = Path(path)
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    ui = []
    for action in actions:
        func = action["func"]
        if func in UI_ACTIONS:
            ui.append(action)
            continue
        if func in NO_OP_ACTIONS:
            continue
        handler = _HANDLERS.get(func)
        if handler is None:
            raise NotImplementedError(f"apply_actions: action {func!r} is not supported")
        handler(wb, action)
    wb.save(Path(output) if output is not None else path)
    wb.close()
    return ui


def _sheet(wb, action):
    return wb.worksheets[action["sheet_position"]]


def _cells(wb, action):
    ws = _sheet(wb, action)
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    for r in range(r0, r0 + action["row_count"]):
        for c in range(c0, c0 + action["column_count"]):
            yield ws.cell(row=r, column=c)


def _decode_written(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, str):
        m = _ISO_WRITTEN.match(value)
        if m:
            parts = [int(p) for p in m.groups(default="0")]
            try:
                return dt.datetime(*parts)
            except ValueError:
                return value
    return value


def _set_values(wb, action):
    ws = _sheet(wb, action)
    r0, c0 = action["start_row"] + 1, action["start_column"] + 1
    values = action["values"]
    if not isinstance(values, list) or (values and not isinstance(values[0], list)):
        values = [[values]]
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            ws.cell(row=r0 + i, column=c0 + j).value = _decode_written(value)


def _set_color(wb, action):
    from openpyxl.styles import PatternFill

    color = action["args"][0]
    fill = PatternFill(fill_type=None) if color is None else PatternFill("solid", fgColor=color.lstrip("#").upper())
    for cell in _cells(wb, action):
        cell.fill = fill


def _set_number_format(wb, action):
    fmt = action["args"][0]
    for cell in _cells(wb, action):
        cell.number_format = fmt


def _set_font(wb, action):
    prop, value = action["args"][0], action["args"][1]
    key = {"bold": "bold", "italic": "italic", "size": "size", "name": "name", "color": "color"}.get(prop)
    if key is None:
        raise NotImplementedError(f"apply_actions: font property {prop!r} is not supported")
    if key == "color" and isinstance(value, str):
        value = value.lstrip("#").upper()
    for cell in _cells(wb, action):
        font = copy.copy(cell.font)
        setattr(font, key, value)
        cell.font = font


def _add_sheet(wb, action):
    index, name = action["args"][0], action["args"][1]
    wb.create_sheet(title=name, index=index)


def _set_sheet_name(wb, action):
    _sheet(wb, action).title = action["args"][0]


def _activate_sheet(wb, action):
    wb.active = action["args"][0]


def _sheet_clear(wb, action):
    ws = _sheet(wb, action)
    index, title = wb.worksheets.index(ws), ws.title
    wb.remove(ws)
    wb.create_sheet(title=title, index=index)


def _sheet_clear_contents(wb, action):
    for row in _sheet(wb, action).iter_rows():
        for cell in row:
            cell.value = None


def _sheet_delete(wb, action):
    wb.remove(_sheet(wb, action))


def _range_clear_contents(wb, action):
    for cell in _cells(wb, action):
        cell.value = None


def _range_clear_formats(wb, action):
    from openpyxl.styles import Alignment, Border, Font, PatternFill

    for cell in _cells(wb, action):
        cell.fill, cell.font, cell.border, cell.alignment = PatternFill(fill_type=None), Font(), Border(), Alignment()
        cell.number_format = "General"


def _range_clear(wb, action):
    _range_clear_contents(wb, action)
    _range_clear_formats(wb, action)


_HANDLERS: dict[str, Callable] = {
    "setValues": _set_values,
    "setRangeColor": _set_color,
    "setNumberFormat": _set_number_format,
    "setFontProperty": _set_font,
    "addSheet": _add_sheet,
    "setSheetName": _set_sheet_name,
    "activateSheet": _activate_sheet,
    "sheetClear": _sheet_clear,
    "sheetClearContents": _sheet_clear_contents,
    "sheetDelete": _sheet_delete,
    "rangeClear": _range_clear,
    "rangeClearContents": _range_clear_contents,
    "rangeClearFormats": _range_clear_formats,
}
