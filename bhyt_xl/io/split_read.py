"""One large .xlsx sheet parsed in pieces, one thread each (issue 6).

fastexcel parses a sheet on one core: about 10 s for the 1M-row list's
698 MB of sheet XML, while the machine's other core has little to do. Here
the sheet's XML is inflated once, as a stream, and cut at row boundaries into
a few pieces. Each piece is written with the workbook's other parts (styles,
shared strings, workbook.xml) to a temporary stored (uncompressed) .xlsx, and
fastexcel parses the pieces in parallel threads (it releases the GIL); the
first piece is being parsed while the later ones are still being inflated.
A piece after the first one gets a copy of the header row, renumbered to the
row just above its own first row, so that fastexcel names and places its
columns as it does in the whole sheet. The caller sees every chunk of the
XML as it goes by (the reader collects the merged ranges at its end).

The pieces' tables are joined only when the join is exactly fastexcel's
reading of the whole sheet; otherwise :func:`load_in_pieces` returns None and
the caller parses the whole sheet at once, as before:

- each cut is between two rows whose numbers follow each other (no missing
  rows at a cut), and every piece but the last has as many rows as its row
  numbers say (fastexcel drops whitespace-only rows at the end of a sheet;
  at a cut they would be lost);
- every piece has the same column names (the same span of columns);
- a column's type is joined by fastexcel's own rule for a column whose cells
  are of several types (:func:`joined_dtype`). A piece whose type differs is
  parsed again with the joined type imposed (``dtypes=``), so that its cells
  are converted by fastexcel itself; a piece whose cells are all empty in
  that column takes the joined type as nulls.

``tests/test_split_read.py`` checks the join against fastexcel's reading of
the whole sheet, on generated sheets with every mixture of cell types and
cuts at every row, and ``tests/test_read_big.py`` the reader's table against
the general reader's on every fixture.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

#: A sheet is cut into pieces of at least this much XML (uncompressed); a smaller sheet is parsed whole.
MIN_PIECE_BYTES = 64 * 1024 * 1024
#: At most this many pieces, whatever the number of cores.
MAX_PIECES = 8

#: fastexcel's column types that convert to each other, and its strings that count as empty cells
#: (fastexcel's get_dtype_for_column and NULL_STRING_VALUES; the tests check them against fastexcel).
_INT_LIKE = frozenset({"int", "boolean"})
_FLOAT_LIKE = frozenset({"int", "float", "boolean"})
_STRING_LIKE = frozenset({"boolean", "int", "float", "string", "datetime", "date"})
NULL_STRINGS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")

_EMPTY_SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'


class _NoSplit(Exception):
    """The pieces cannot be joined into exactly the whole sheet's reading."""


def piece_count(xml_bytes: int, cores: int | None = None) -> int:
    """How many pieces a sheet of ``xml_bytes`` of XML is cut into: one more than the cores (the first
    piece is parsed while the others are inflated), each of at least :data:`MIN_PIECE_BYTES`."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2:
        return 1
    return max(1, min(MAX_PIECES, cores + 1, xml_bytes // MIN_PIECE_BYTES))


def joined_dtype(dtypes: set[str]) -> str:
    """fastexcel's type of a column whose pieces have these types (empty pieces left out).

    fastexcel types a column by the set of its cells' types: one type is
    that type; integers and booleans are integers; with floats, floats;
    any of these with text or dates (or dates with date-times) is text;
    anything else (a duration among other types) is an error, and the whole
    sheet is left to fastexcel.
    """
    if not dtypes:
        return "string"  # every piece empty here: fastexcel's fallback for a column of empty cells
    if len(dtypes) == 1:
        return next(iter(dtypes))
    if dtypes <= _INT_LIKE:
        return "int"
    if dtypes <= _FLOAT_LIKE:
        return "float"
    if dtypes <= _STRING_LIKE:
        return "string"
    raise _NoSplit(f"column types {sorted(dtypes)}")


def other_parts(z: zipfile.ZipFile, skip: str | None = None) -> dict[str, bytes]:
    """Every part of the workbook ``z`` but ``skip``, each worksheet's XML replaced by an empty sheet."""
    out = {}
    for info in z.infolist():
        if info.filename == skip:
            continue
        sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        out[info.filename] = _EMPTY_SHEET if sheet else z.read(info)
    return out


def load_in_pieces(path: Path, part: str, sheet: str, header_row: int, chunks, pieces: int,
                   load_options: dict) -> pa.Table | None:
    """The sheet ``sheet`` (XML member ``part`` of ``path``) read by fastexcel in ``pieces`` pieces.

    ``header_row``: the header's 0-based row in the sheet, as fastexcel takes
    it; ``chunks``: the member's uncompressed bytes, piece by piece (see
    ``read._member_chunks``); ``load_options``: the other arguments of
    fastexcel's ``load_sheet``. Returns fastexcel's table of the whole sheet
    (``to_arrow()`` of its ``load_sheet``), or None when the pieces cannot
    give exactly that table (the caller then parses the sheet whole). The
    chunks are read to the end unless the split is given up.
    """
    folder = tempfile.mkdtemp(prefix="bhyt-xl-")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, pieces - 1))
    made: list[_Piece] = []
    try:
        return _load(Path(path), part, sheet, header_row, chunks, pieces, load_options, Path(folder), pool, made)
    except _NoSplit:
        return None
    except BaseException as exc:  # a reader's error on a piece: the whole-sheet parse gives (or reports) it
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit)):
            raise
        if isinstance(exc, Exception) or type(exc).__name__ == "PanicException":
            return None
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for piece in made:  # a piece left open by an error (its file could not be removed on Windows)
            with contextlib.suppress(Exception):
                piece.close()
        shutil.rmtree(folder, ignore_errors=True)


class _Piece:
    """One piece's zip being written, then its fastexcel reader and table."""

    def __init__(self, folder: Path, index: int, others: dict[str, bytes], part: str):
        self.path = folder / f"piece{index}.xlsx"
        self.zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_STORED, allowZip64=True)
        for name, data in others.items():
            self.zip.writestr(name, data)
        self.out = self.zip.open(part, "w", force_zip64=True)
        self.first_row = None  # 1-based number of the piece's first data row (None for the first piece)
        self.end_row = None  # 1-based number of the row after its last one (None for the last piece)

    def write(self, data) -> None:
        self.out.write(data)

    def close(self) -> None:
        """Finish the piece's zip (a second call does nothing)."""
        self.out.close()
        self.zip.close()


def _load(path, part, sheet, header_row, chunks, pieces, options, folder, pool, made):
    import fastexcel

    with zipfile.ZipFile(path) as z:
        others = other_parts(z, skip=part)
        total = z.getinfo(part).file_size
    header_number = header_row + 1  # the header's r="…"
    targets = [total * k // pieces for k in range(1, pieces)]

    def parse(piece: _Piece, header: int):
        reader = fastexcel.read_excel(str(piece.path))
        with contextlib.suppress(OSError):  # the open reader keeps it readable (POSIX); else rmtree removes it
            os.unlink(piece.path)
        loaded = reader.load_sheet(sheet, header_row=header, **options)
        # the sheet's cells are let go at once: only the reader (for a re-read) and the table are kept
        return reader, [(c.name, str(c.dtype)) for c in loaded.selected_columns], loaded.to_arrow()

    done, prefix, header_xml, ns = 0, None, None, None
    head = b""
    current = _Piece(folder, 0, others, part)
    made.append(current)
    futures = []
    for chunk in chunks:
        if prefix is None:  # the XML up to <sheetData>, and the header row, from the first bytes
            head += chunk
            found = _head_parts(head, header_number)
            if found is None:
                if len(head) > 64 * 1024 * 1024:
                    raise _NoSplit("no header row near the top of the XML")
                continue
            prefix, header_xml, ns = found
            chunk, head = head, b""
        start = done
        done += len(chunk)
        if len(made) < pieces and done > targets[len(made) - 1]:
            cut = _cut(chunk, max(0, targets[len(made) - 1] - start), ns, header_number)
            if cut is not None:
                i, number = cut
                current.write(memoryview(chunk)[:i])
                current.write(b"</" + ns + b"sheetData></" + ns + b"worksheet>")
                current.end_row = number
                current.close()
                futures.append(pool.submit(parse, current, header_row if len(made) == 1 else current.first_row - 2))
                current = _Piece(folder, len(made), others, part)
                current.first_row = number
                made.append(current)
                current.write(prefix)
                current.write(_renumbered(header_xml, number - 1))
                current.write(memoryview(chunk)[i:])
                continue
        current.write(chunk)
    if prefix is None:
        raise _NoSplit("no header row")
    current.close()
    if len(made) < 2:
        raise _NoSplit("no place to cut")
    last = parse(current, current.first_row - 2)
    results = [f.result() for f in futures] + [last]
    return _join(made, results, header_number, options, pool, sheet)


_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_NUMBER = re.compile(rb'\br="(\d+)"')


def _row_pattern(ns: bytes) -> re.Pattern:
    return re.compile(rb"<" + re.escape(ns) + rb"row\b([^>]*?)(/?)>")


def _head_parts(head: bytes, header_number: int):
    """(XML up to and including ``<sheetData>``, the header row's XML, the namespace prefix of the tags),
    or None while ``head`` does not reach the end of the header row yet."""
    m = _SHEET_DATA.search(head)
    if m is None:
        return None
    if m.group(2):
        raise _NoSplit("empty sheetData")
    ns = m.group(1)
    rows = _row_pattern(ns)
    end_tag = b"</" + ns + b"row>"
    pos = m.end()
    while True:
        r = rows.search(head, pos)
        if r is None:
            return None
        number = _NUMBER.search(r.group(1))
        if number is None:
            raise _NoSplit("a row without its number")
        n = int(number.group(1))
        if n > header_number:
            raise _NoSplit("no header row of that number")
        if r.group(2):
            if n == header_number:
                raise _NoSplit("empty header row")
            pos = r.end()
            continue
        close = head.find(end_tag, r.end())
        if close < 0:
            return None
        close += len(end_tag)
        if n == header_number:
            return head[:m.end()], head[r.start():close], ns
        pos = close


def _cut(chunk: bytes, pos: int, ns: bytes, header_number: int) -> tuple[int, int] | None:
    """Where to cut ``chunk`` at or after ``pos``: (offset of a row's start tag, that row's number), or None.

    The row must follow the row before it (its number one more), so that no
    empty row is lost at the cut, and come after the header row."""
    rows = _row_pattern(ns)
    previous = None
    for r in rows.finditer(chunk, _row_start_before(chunk, pos, ns)):
        number = _NUMBER.search(r.group(1))
        if number is None:
            raise _NoSplit("a row without its number")
        n = int(number.group(1))
        if r.start() >= pos and previous is not None and n == previous + 1 and previous > header_number:
            return r.start(), n
        previous = n
    return None


def _row_start_before(chunk: bytes, pos: int, ns: bytes) -> int:
    """The offset of the last row start tag before ``pos`` (0 if none), to know the number of the row before a cut."""
    i = chunk.rfind(b"<" + ns + b"row", 0, pos)
    while i >= 0 and chunk[i + len(ns) + 4:i + len(ns) + 5] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
        i = chunk.rfind(b"<" + ns + b"row", 0, i)
    return max(i, 0)


_CELL_REF = re.compile(rb'(<(?:\w+:)?c\b[^>]*?\br=")\$?([A-Z]{1,3})\$?\d+(")')


def _renumbered(row_xml: bytes, number: int) -> bytes:
    """A row's XML moved to row ``number``: the row's r="…" and its cells' references."""
    digits = str(number).encode()
    head_end = row_xml.index(b">") + 1
    start = _NUMBER.sub(b'r="' + digits + b'"', row_xml[:head_end], count=1)
    cells = _CELL_REF.sub(lambda m: m.group(1) + m.group(2) + digits + m.group(3), row_xml[head_end:])
    return start + cells


def _empty(column: pa.Array, dtype: str) -> bool:
    """Whether a piece's column has no cell fastexcel types (all empty, or the strings it counts as empty)."""
    if column.null_count == len(column):
        return True
    if dtype != "string":
        return False
    return pc.all(pc.or_kleene(pc.is_null(column), pc.is_in(column, pa.array(NULL_STRINGS)))).as_py() in (True, None)


def _join(made: list[_Piece], results: list, header_number: int, options: dict, pool, sheet: str) -> pa.Table:
    """The pieces' tables joined into fastexcel's table of the whole sheet, or :class:`_NoSplit`."""
    names = [name for name, _ in results[0][1]]
    for piece, (_, columns, batch) in zip(made, results):
        if [name for name, _ in columns] != names:
            raise _NoSplit("the pieces span different columns")
        if piece.end_row is not None:
            first = header_number + 1 if piece.first_row is None else piece.first_row
            if batch.num_rows != piece.end_row - first:
                raise _NoSplit("rows lost at a cut")
    typed = [[dtype for _, dtype in columns] for _, columns, _ in results]
    empty = [[_empty(batch.column(j), typed[k][j]) for j in range(len(names))]
             for k, (_, _, batch) in enumerate(results)]
    target = [joined_dtype({typed[k][j] for k in range(len(results)) if not empty[k][j]})
              for j in range(len(names))]
    again = {}
    for k, (_, _, batch) in enumerate(results):
        imposed = {names[j]: target[j] for j in range(len(names))
                   if typed[k][j] != target[j] and not (empty[k][j] and batch.column(j).null_count == len(batch))}
        if imposed:
            again[k] = imposed
    if again:
        header_rows = {k: (made[k].first_row - 2 if made[k].first_row is not None else header_number - 1)
                       for k in again}
        redo = {k: pool.submit(lambda k=k: results[k][0].load_sheet(
            sheet, header_row=header_rows[k], **{**options, "dtypes": again[k]}).to_arrow()) for k in again}
        batches = [redo[k].result() if k in redo else batch for k, (_, _, batch) in enumerate(results)]
    else:
        batches = [batch for _, _, batch in results]
    types = []
    for j in range(len(names)):
        full = [b.column(j).type for b in batches if b.column(j).null_count < len(b)]
        types.append(full[0] if full else batches[0].column(j).type)
        if any(t != types[j] for t in full):
            raise _NoSplit(f"column {names[j]!r} read as {sorted(map(str, set(full)))}")
    schema = pa.schema([pa.field(n, t, nullable=True) for n, t in zip(names, types)])
    tables = []
    for b in batches:
        arrays = [b.column(j) if b.column(j).type == types[j] else pa.nulls(len(b), types[j])
                  for j in range(len(names))]
        tables.append(pa.Table.from_arrays(arrays, schema=schema))
    return pa.concat_tables(tables)
