"""Several files (or every list file of a folder) reviewed as one list.

A person's duplicate card may sit in another district's file, so the files of
a province are read one by one with :func:`bhyt_xl.io.read.read_table` and
concatenated into one :class:`~bhyt_xl.io.read.InputTable`:

* columns: the union of the files' columns, matched by recognised field. The
  same field may be spelt differently in different files ("Mã thẻ" / "Số thẻ" /
  "MA_THE"): the first file's label is used for each field and the other
  files' columns are renamed to it. Unrecognised columns are kept (union); an
  unrecognised column named like another file's recognised label keeps its own
  values under "<name> (<file>)".
* a first column "Tệp nguồn" holds the file of each row; ``src_row`` stays the
  row number in the row's own file. Since ``src_row`` repeats across files,
  row references for staff are built with :func:`label_rows`
  ("tệp a.xlsx, dòng 27"), and the data problems of each file are found with
  :func:`prepare_many`, whose messages name the file
  ("Tệp a.xlsx, dòng 27, cột Ngày sinh: …").

With one file the table is exactly what ``read_table`` returns (no extra column).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from pathlib import Path

import numpy as np
import pandas as pd

from bhyt_xl.errors import InputFileError
from bhyt_xl.io.read import InputTable, read_table

FILE_COLUMN = "Tệp nguồn"
#: Files taken from a folder (sorted by name); Excel's lock files "~$…" and hidden files are left out.
FOLDER_EXTENSIONS = (".xlsx", ".xlsm", ".csv")
#: ``DataFrame.attrs`` key holding the per-file segments of a table read by :func:`read_many`.
SEGMENTS_ATTR = "bhyt_xl.source_files"


@dataclasses.dataclass(frozen=True)
class Segment:
    """One file's rows in a table read from several files: ``data.iloc[start:stop]``."""

    name: str  # file name as shown to staff
    start: int
    stop: int
    columns: dict  # this file's recognised fields -> column label in the combined table


def input_files(paths, extensions=FOLDER_EXTENSIONS) -> list[Path]:
    """The files to read: each path as given, a folder replaced by its list files sorted by name.

    Raises :class:`InputFileError` for a folder without list files or a file given twice.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted((f for f in p.iterdir()
                            if f.is_file() and f.suffix.lower() in extensions and not f.name.startswith(("~$", "."))),
                           key=lambda f: f.name)
            if not found:
                kinds = ", ".join(extensions)
                raise InputFileError(f"Thư mục '{p}' không có tệp danh sách nào ({kinds}).")
            out.extend(found)
        else:
            out.append(p)
    if not out:
        raise InputFileError("Chưa chọn tệp danh sách nào.")
    seen: dict[Path, Path] = {}
    for p in out:
        key = p.resolve() if p.exists() else p
        if key in seen:
            raise InputFileError(f"Tệp '{p.name}' được chọn hai lần; mỗi tệp chỉ đưa vào một lần "
                                 "(nếu không, mọi thẻ của tệp sẽ bị coi là cấp trùng).")
        seen[key] = p
    return out


def display_names(files: list[Path]) -> list[str]:
    """The name of each file as shown to staff: its name, or its path when two files share a name."""
    names = [f.name for f in files]
    if len(set(names)) == len(names):
        return names
    return [str(f) for f in files]


def source_text(names: list[str]) -> str:
    """The source of a several-file run for messages: 'a.xlsx, b.xlsx' or 'a.xlsx … z.xlsx (12 tệp)'."""
    if len(names) <= 3:
        return ", ".join(names)
    return f"{names[0]} … {names[-1]} ({len(names)} tệp)"


# ---------------------------------------------------------------------------
@dataclasses.dataclass
class ColumnPlan:
    """How the files' columns become one set of columns.

    ``columns``: canonical field -> label in the combined table (the first
    file's label); ``renames[i]``: label in file i -> label in the combined table;
    ``file_column``: the label of the "Tệp nguồn" column (renamed if a file has one).
    """

    columns: dict[str, str]
    renames: list[dict[str, str]]
    file_column: str
    order: list[str]  # every label of the combined table, file column first


def column_plan(names: list[str], labels: list[list[str]], fields: list[dict[str, str]]) -> ColumnPlan:
    """Plan the union of the files' columns (see the module docstring).

    ``names[i]``: the file's display name; ``labels[i]``: its column labels in
    order (unique within the file); ``fields[i]``: its recognised fields -> label.
    """
    columns: dict[str, str] = {}
    for f in fields:
        for field, lab in f.items():
            columns.setdefault(field, lab)
    field_labels = set(columns.values())
    taken = {c for labs in labels for c in labs}
    file_column = FILE_COLUMN
    k = 2
    while file_column in taken:
        file_column = f"{FILE_COLUMN} ({k})"
        k += 1
    renames, order = [], [file_column]
    seen = {file_column}
    for name, labs, f in zip(names, labels, fields):
        own = set(f.values())
        rename = {lab: columns[field] for field, lab in f.items() if lab != columns[field]}
        for c in labs:
            if c not in own and c in field_labels:  # an unrecognised column named like a recognised one
                rename[c] = f"{c} ({name})"
        renames.append(rename)
        for c in labs:
            new = rename.get(c, c)
            if new not in seen:
                seen.add(new)
                order.append(new)
    return ColumnPlan(columns, renames, file_column, order)


def read_many(paths, sheet: str | None = None) -> InputTable:
    """Read several files, or every .xlsx/.xlsm/.csv file of a folder (sorted by name), as one list.

    ``paths``: files and/or folders. ``sheet`` is passed to every Excel file.
    One file gives exactly ``read_table``'s result. Otherwise the table has a
    first column "Tệp nguồn", ``src_row`` is the row in each row's own file,
    ``sheet`` is None and ``sheets`` lists the sheets read; the per-file
    segments are kept in ``data.attrs`` for :func:`prepare_many` and
    :func:`label_rows`.

    Raises the reader's errors (each names its file), or :class:`InputFileError`.
    """
    files = input_files(paths)
    if len(files) == 1:
        return read_table(files[0], sheet=sheet)
    tables = [read_table(f, sheet=sheet) for f in files]
    names = display_names(files)
    return combine(tables, names)


def combine(tables: list[InputTable], names: list[str]) -> InputTable:
    """Tables read from several files -> one table (see :func:`read_many`)."""
    plan = column_plan(names, [list(map(str, t.data.columns)) for t in tables], [t.columns for t in tables])
    parts, segments, start = [], [], 0
    for t, name, rename in zip(tables, names, plan.renames):
        frame = t.data.rename(columns=rename) if rename else t.data
        parts.append(frame)
        stop = start + len(t.data)
        segments.append(Segment(name, start, stop, {f: plan.columns[f] for f in t.columns}))
        start = stop
    data = pd.concat(parts, ignore_index=True, sort=False)
    data = data.reindex(columns=[c for c in plan.order if c != plan.file_column])
    data.insert(0, plan.file_column, np.repeat(np.array(names, dtype=object), [len(t.data) for t in tables]))
    data.attrs[SEGMENTS_ATTR] = segments
    first = tables[0]
    src_sheet = None
    if any(t.src_sheet is not None for t in tables):
        src_sheet = np.concatenate([t.src_sheet if t.src_sheet is not None else np.full(len(t.data), t.sheet or "",
                                                                                        dtype=object)
                                    for t in tables])
    return InputTable(
        data, plan.columns, np.concatenate([np.asarray(t.src_row, dtype="int64") for t in tables]),
        source_text(names), None, first.header_row,
        sum(t.skipped_blank for t in tables), skipped_subtotal=sum(t.skipped_subtotal for t in tables),
        skipped_header=sum(t.skipped_header for t in tables), src_sheet=src_sheet,
        sheets=tuple(s for t in tables for s in (t.sheets or ((t.sheet,) if t.sheet else ()))),
        hidden_sheets=tuple(s for t in tables for s in t.hidden_sheets),
        merged_filled=sum(t.merged_filled for t in tables),
    )


# ---------------------------------------------------------------------------
def segments(table: InputTable) -> list[Segment] | None:
    """The per-file segments of a table read from several files, or None for one file.

    Taken from ``data.attrs`` when present; otherwise rebuilt from the
    "Tệp nguồn" column (runs of equal names), each with every recognised column.
    """
    segs = table.data.attrs.get(SEGMENTS_ATTR)
    if segs and segs[-1].stop == len(table.data):
        return list(segs)
    if FILE_COLUMN not in table.data.columns or not len(table.data):
        return None
    files = table.data[FILE_COLUMN].astype(object).to_numpy()
    cut = np.flatnonzero(np.r_[True, files[1:] != files[:-1], True])
    return [Segment(str(files[a]), int(a), int(b), dict(table.columns)) for a, b in itertools.pairwise(cut)]


def src_files(table: InputTable) -> np.ndarray | None:
    """The file name of each row (object array), or None for a table read from one file."""
    segs = segments(table)
    if segs is None:
        return None
    return np.repeat(np.array([s.name for s in segs], dtype=object), [s.stop - s.start for s in segs])


def label_rows(table: InputTable) -> np.ndarray:
    """Where each row is, for staff: 'dòng 27', 'sheet Xã A, dòng 27' or 'tệp a.xlsx, dòng 27' (object array)."""
    text = "dòng " + pd.Series(np.asarray(table.src_row, dtype="int64")).astype(str).to_numpy(dtype=object)
    if table.src_sheet is not None:
        sheet = np.asarray(table.src_sheet, dtype=object).astype(str)
        text = np.where(sheet != "", "sheet " + sheet.astype(object) + ", " + text, text)
    files = src_files(table)
    if files is not None:
        text = "tệp " + files.astype(str).astype(object) + ", " + text
    return np.asarray(text, dtype=object)


def name_file(problems: pd.DataFrame, name: str) -> pd.DataFrame:
    """A file's problems with the file named: column ``src_file`` and 'Tệp a.xlsx, dòng 27, …' messages."""
    if not len(problems):
        return problems.assign(src_file=pd.Series(dtype="object"))
    message = problems["message"].astype(str)
    starts = message.str.startswith("Dòng ")
    message = message.where(~starts, "dòng " + message.str.slice(5))
    return problems.assign(message=(f"Tệp {name}, " + message).to_numpy(dtype=object), src_file=name)


def prepare_many(table: InputTable, params):
    """``prepare_cards`` on each file's rows with that file's own columns; ``(cards, problems)``.

    The cards are those of ``prepare_cards`` on each file alone (the checks are
    row by row), in table order. The problems have a ``src_file`` column and
    messages naming the file. A table from one file is prepared as it is.
    """
    from bhyt_xl.core.prepare import prepare_cards
    from bhyt_xl.problems import empty_problems

    segs = segments(table)
    if segs is None:
        return prepare_cards(table.data, table.columns, table.src_row, params)
    cards, problems = [], []
    src_row = np.asarray(table.src_row, dtype="int64")
    for s in segs:
        c, p = prepare_cards(table.data.iloc[s.start:s.stop], s.columns, src_row[s.start:s.stop], params)
        cards.append(c)
        problems.append(name_file(p, s.name))
    problems = [p for p in problems if len(p)]
    return (pd.concat(cards) if cards else prepare_cards(table.data, table.columns, table.src_row, params)[0],
            pd.concat(problems, ignore_index=True) if problems else name_file(empty_problems(), ""))


def review_many(table: InputTable, params=None):
    """The in-memory review of a table from :func:`read_many` (same as :func:`bhyt_xl.api.review_table`)."""
    from bhyt_xl.api import review_table

    return review_table(table, params)
