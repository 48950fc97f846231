"""The review of lists far larger than memory: partition by identity, review each partition with the same core.

``review_partitioned(paths, params, workdir)`` runs three phases, each with
memory bounded by the chunk or the bucket, never by the whole input:

1. **partition**: every input (CSV streamed in chunks with the header
   detection and encodings of :mod:`bhyt_xl.io.read`; Excel files read whole,
   as they hold at most 1,048,576 rows; parquet by record batches) is cut into
   chunks. On each chunk: :func:`~bhyt_xl.core.prepare.prepare_cards` (row by
   row) and :func:`~bhyt_xl.core.identity.identity_keys` (each distinct value
   normalised alone, so a key never depends on the chunk). The prepared cards
   and their row ids go to ``buckets`` parquet files by a stable hash of the
   identity key (``pd.util.hash_pandas_object``; rows in error, which match
   nobody, are spread by row id). All cards of one person land in one bucket,
   whatever file or chunk they come from.
2. **review**: each bucket is read back, in row-id order, and reviewed by the
   same :func:`~bhyt_xl.core.review.review_cards` as the in-memory run (there
   is one implementation of the rules). A bucket holds whole persons, so a
   person's cards are ranked and paired exactly as in one frame. The per-row
   verdicts go to parts by input chunk; the per-year detail to one file.
3. **gather**: chunk by chunk, in input order, the verdicts are joined to the
   original columns and written as ``rows.parquet`` (engine columns) and
   ``ket_qua.parquet`` (+ ``ket_qua.csv`` on request: the layout of the
   "Kết quả" sheet); the per-year detail is sorted by row and year and the
   summary recomputed with :func:`~bhyt_xl.core.review.summarise`.

Row ids number the rows handed to the engine across all inputs (0, 1, …, in
file order then row order): the position the row has in the in-memory table of
:func:`bhyt_xl.io.multi.read_many`. ``src_row`` stays the row number in its own
file and ``src_file`` names the file.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import itertools
import shutil
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.prepare import CARD_COLUMNS, prepare_cards
from bhyt_xl.core.review import DATA_ERROR, DUPLICATE, KEPT, review_cards, summarise
from bhyt_xl.errors import InputFileError, NoHeaderRow
from bhyt_xl.io import multi, sheets
from bhyt_xl.io.legacy_io import unicode_table
from bhyt_xl.io.read import (
    LIST_KINDS,
    InputTable,
    _csv_header,
    _finish,
    eight_bit_codec,
    existing_file,
    read_table,
    recognise_header,
    sniff,
)
from bhyt_xl.params import Params
from bhyt_xl.problems import PROBLEM_COLUMNS

#: Inputs taken from a folder by the partitioned run.
FOLDER_EXTENSIONS = (".xlsx", ".xlsm", ".csv", ".parquet")
#: Bytes read to find a text file's encoding, delimiter and header.
HEAD_BYTES = 1 << 20
#: Most result parts open at once in phase 2 (chunks are grouped into blocks beyond this).
MAX_BLOCKS = 256

_DATE_CARD_COLUMNS = ["birth_date", "issue_date", "valid_from", "valid_to", "revoked_on", "printed_5y"]
_TS = pa.timestamp("ns")
CARD_SCHEMA = pa.schema(
    [("row_id", pa.int64()), ("file", pa.int32())]
    + [(c, pa.int64() if c == "src_row" else pa.bool_() if c in ("birth_year_only", "valid")
        else _TS if c in _DATE_CARD_COLUMNS else pa.string()) for c in CARD_COLUMNS]
)
#: The per-row verdict columns of :class:`~bhyt_xl.core.review.ReviewResult` kept (``person`` is run-specific).
ROW_FIELDS = [
    ("verdict", pa.string()), ("reason", pa.string()), ("dup_with", pa.string()), ("dup_from", pa.timestamp("s")),
    ("dup_to", pa.timestamp("s")), ("dup_months", pa.float64()), ("dup_months_exact", pa.float64()),
    ("dup_money", pa.float64()), ("dup_budget", pa.float64()), ("identity_key", pa.string()),
    ("group_code", pa.string()), ("group_rank", pa.int64()), ("group_name", pa.string()), ("cause", pa.string()),
    ("revoked", pa.bool_()),
]
ROW_SCHEMA = pa.schema([("row_id", pa.int64()), ("src_file", pa.string()), ("src_row", pa.int64())] + ROW_FIELDS)
BY_YEAR_SCHEMA = pa.schema([
    ("row", pa.int64()), ("src_row", pa.int64()), ("card_no", pa.string()), ("group_code", pa.string()),
    ("group_rank", pa.int64()), ("group_name", pa.string()), ("year", pa.int64()), ("months_exact", pa.float64()),
    ("months", pa.float64()), ("money", pa.float64()), ("budget", pa.float64()), ("src_file", pa.string()),
])
PROBLEM_SCHEMA = pa.schema([("src_row", pa.int64())] + [(c, pa.string()) for c in PROBLEM_COLUMNS[1:]]
                           + [("src_file", pa.string())])
#: Types of the columns result_sheet adds after the original ones, in its order (text unless listed).
_ADDED_TYPES = [
    {"dup_from": pa.timestamp("s"), "dup_to": pa.timestamp("s"), "dup_months": pa.float64(),
     "dup_money": pa.float64(), "dup_budget": pa.float64()}.get(key, pa.string())
    for key in sheets.RESULT_COLUMNS
] + [pa.int64()]  # sheets.ROW_NUMBER


@dataclasses.dataclass
class PartitionedResult:
    """A finished partitioned review: where its outputs are, the summary, the counts and the phase times.

    Files in ``workdir``: ``rows.parquet`` (per row, input order: row_id,
    src_file, src_row and the verdict columns of ``ReviewResult.rows`` without
    ``person``), ``ket_qua.parquet`` (the "Kết quả" layout: "Tệp nguồn" when
    several files, the original columns as text, the Vietnamese result
    columns), ``ket_qua.csv`` when asked, ``by_year.parquet`` (the per-year
    detail, sorted by row and year, with ``src_file``), ``summary.parquet``
    and ``problems.parquet`` (with ``src_file``).
    """

    workdir: Path
    rows_path: Path
    annotated_path: Path | None
    csv_path: Path | None
    by_year_path: Path
    summary_path: Path
    problems_path: Path
    summary: pd.DataFrame
    stats: dict
    files: list[dict]
    timings: dict
    buckets: int
    chunks: int
    params: Params

    def rows(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The per-row verdicts (index = row id); load only what fits in memory."""
        return pq.read_table(self.rows_path, columns=columns).to_pandas().set_index("row_id", drop=False)

    def by_year(self) -> pd.DataFrame:
        return pq.read_table(self.by_year_path).to_pandas()

    def problems(self) -> pd.DataFrame:
        return pq.read_table(self.problems_path).to_pandas()

    @property
    def rows_read(self) -> int:
        return int(sum(f["rows_read"] for f in self.files))

    def message(self) -> str:
        """One-paragraph Vietnamese summary for staff (as :meth:`bhyt_xl.api.Review.message`)."""
        from bhyt_xl.api import vn_number

        s = self.stats
        return (
            f"Đã đọc {vn_number(s['rows'])} thẻ từ {vn_number(len(self.files))} tệp; "
            f"{vn_number(s['duplicates'])} thẻ cấp trùng ({vn_number(s['months'], 2)} tháng, "
            f"{vn_number(s['money'])} đồng, NSNN chi trả {vn_number(s['budget'])} đồng); "
            f"{vn_number(s['kept'])} thẻ giữ lại; {vn_number(s['errors'])} dòng lỗi dữ liệu."
        )


# ---------------------------------------------------------------------------
# Reading in chunks
# ---------------------------------------------------------------------------
def text_encoding(head: bytes) -> str:
    """The Python codec :func:`bhyt_xl.io.read._decode` would use, judged from the file's first bytes.

    UTF-16 by BOM or zero bytes; UTF-8 (with or without BOM) when the head
    decodes; else Latin-1 for a TCVN3/VNI text, or Windows-1258 (whose text is
    then composed to NFC).
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            return "utf-16-le"
        if even > len(sample) // 4 and odd == 0:
            return "utf-16-be"
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    try:
        body.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3 and len(head) >= HEAD_BYTES:  # a character cut at the end of the head
            return "utf-8-sig"
        return eight_bit_codec(head)


class _Utf8Stream(io.RawIOBase):
    """A text file in any codec served as UTF-8 bytes to pandas' C parser (optionally composed to NFC).

    Giving pandas a *text* handle makes it re-encode through a wrapper whose
    overflow buffer grows with every read when characters take several bytes
    (Vietnamese text): a cost quadratic in the file size. Bytes are read in
    blocks, decoded incrementally, composed to NFC line by line (Windows-1258
    text uses combining tone marks) and re-encoded once.
    """

    BLOCK = 1 << 20

    def __init__(self, path: Path, encoding: str, nfc: bool):
        self._f = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._nfc = nfc
        self._buf = b""
        self._pos = 0
        self._tail = ""  # text after the last line end, composed with the next block
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = len(b)
        while len(self._buf) - self._pos < n and not self._eof:
            raw = self._f.read(self.BLOCK)
            text = self._tail + self._decoder.decode(raw, final=not raw)
            self._tail = ""
            if not raw:
                self._eof = True
            elif self._nfc:
                cut = text.rfind("\n") + 1
                text, self._tail = text[:cut], text[cut:]
            if self._nfc:
                text = unicodedata.normalize("NFC", text)
            self._buf = self._buf[self._pos:] + text.encode("utf-8")
            self._pos = 0
        chunk = self._buf[self._pos: self._pos + n]
        b[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def close(self) -> None:
        self._f.close()
        super().close()


def _open_utf8(path: Path, encoding: str):
    """A binary stream of the file's text as UTF-8 (a UTF-8 file is passed as it is)."""
    if encoding in ("utf-8-sig", "utf-8"):
        return open(path, "rb")
    return io.BufferedReader(_Utf8Stream(path, encoding, nfc=encoding == "cp1258"), buffer_size=1 << 20)


def _csv_frames(path: Path, encoding: str, delimiter: str, skip: int, width: int,
                chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The lines after the header in chunks of text cells ('' -> missing), as ``read.py``'s ``_csv_frame``.

    A row longer than the header widens the frame from the chunk where it is
    met (the earlier chunks had no such row); the extra columns are named
    'Cột N' as in ``read_table``.
    """
    done = 0
    while True:
        stream = _open_utf8(path, encoding)
        try:
            reader = pd.read_csv(
                stream, encoding="utf-8", sep=delimiter, header=None, skiprows=skip + done, dtype=str,
                keep_default_na=False,
                na_values=[], names=list(range(width)), index_col=False, skip_blank_lines=False, engine="c",
                chunksize=chunk_rows,
            )
            for frame in reader:
                done += len(frame)
                yield frame.replace("", np.nan)
            return
        except pd.errors.EmptyDataError:
            return
        except pd.errors.ParserError:
            if width >= 4096:
                raise InputFileError(f"Không đọc được tệp '{path.name}': có dòng quá nhiều cột.") from None
            width *= 2
        except UnicodeDecodeError:
            raise InputFileError(
                f"Không đọc được bảng mã của tệp '{path.name}' (bảng mã không thống nhất trong tệp); "
                "hãy lưu lại dạng CSV UTF-8."
            ) from None
        finally:
            stream.close()


def _csv_chunks(path: Path, chunk_rows: int, spec) -> Iterator[InputTable]:
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    encoding = text_encoding(head)
    try:
        text = head.decode(encoding, errors="ignore" if len(head) >= HEAD_BYTES else "strict")
    except UnicodeDecodeError:
        raise InputFileError(f"Không đọc được bảng mã của tệp '{path.name}'; hãy lưu lại dạng CSV UTF-8.") from None
    if encoding == "cp1258":
        text = unicodedata.normalize("NFC", text)
    delimiter, found = _csv_header(text, path.name, spec)
    h, fields, header = found.last, found.fields, list(found.cells)
    first = h + 2
    for frame in _csv_frames(path, encoding, delimiter, h + 1, len(header), chunk_rows):
        extra = [j for j in range(len(header), frame.shape[1]) if frame[j].notna().any()]
        frame = frame.iloc[:, : (max(extra) + 1 if extra else len(header))]
        cells = header + [None] * (frame.shape[1] - len(header))
        # every chunk knows the header (a repeated two-row header is recognised); only the first counts its 2nd row
        yield _finish(frame, cells, fields, first, path.name, None, found.row + 1, spec=spec, found=found), len(frame)
        first += len(frame)


def _parquet_chunks(path: Path, chunk_rows: int, spec) -> Iterator[InputTable]:
    """A parquet file by record batches; its column names are the header (row 1), data from row 2."""
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError):  # not a parquet file, truncated
        raise InputFileError(f"Không mở được tệp parquet '{path.name}': tệp bị hỏng hoặc không phải parquet.") from None
    header = list(pf.schema_arrow.names)
    found = recognise_header([header], spec)
    if found is None:
        raise NoHeaderRow(f"Không tìm thấy dòng tiêu đề của {spec.description} trong tệp '{path.name}'.")
    _, fields = found
    first = 2
    for batch in pf.iter_batches(batch_size=chunk_rows):
        frame = batch.to_pandas()
        frame.columns = range(frame.shape[1])
        yield _finish(frame, header, fields, first, path.name, None, 1, spec=spec), len(frame)
        first += len(frame)


def iter_chunks(path: str | Path, chunk_rows: int = 500_000, sheet: str | None = None,
                kind: str = "cards") -> Iterator[InputTable]:
    """One list file as a sequence of tables of at most ``chunk_rows`` rows.

    Each chunk is what ``read_table`` gives for those rows: the same columns,
    row numbers (``src_row``) and skipped-row counts (their sum over the chunks
    equals ``read_table``'s; blank rows at the very end are not counted). CSV
    and text files are streamed; parquet is read by batches; Excel files (at
    most 1,048,576 rows each) are read whole with ``read_table`` and cut.
    """
    spec = LIST_KINDS[kind]
    path = existing_file(path)
    with path.open("rb") as f:
        head = f.read(65536)
    if path.suffix.lower() == ".parquet" or head.startswith(b"PAR1"):
        chunks = _parquet_chunks(path, chunk_rows, spec)
    elif sniff(head[: head.rfind(b"\n") + 1] or head) == "text" and path.suffix.lower() in (".csv", ".txt", ".tsv"):
        # (the head is cut at a line end: a character cut in two would look like binary)
        chunks = _csv_chunks(path, chunk_rows, spec)
    else:  # Excel, HTML, or a file read_table refuses with its own message
        table = read_table(path, sheet=sheet, kind=kind)
        chunks = _slices(table, chunk_rows)
    pending_blank = 0  # blank rows at a chunk's end: counted once a later row is not blank
    for t, raw_rows in chunks:
        trailing = raw_rows - t.rows_read
        if t.rows_read - t.skipped_blank > 0:
            t.skipped_blank += pending_blank
            pending_blank = 0
        pending_blank += trailing
        yield t


def _slices(table: InputTable, chunk_rows: int) -> Iterator[InputTable]:
    n = len(table.data)
    for k, a in enumerate(range(0, max(n, 1), chunk_rows)):
        b = min(a + chunk_rows, n)
        part = InputTable(table.data.iloc[a:b].reset_index(drop=True), table.columns, table.src_row[a:b],
                          table.source, table.sheet, table.header_row, table.skipped_blank if k == 0 else 0,
                          skipped_subtotal=table.skipped_subtotal if k == 0 else 0,
                          skipped_header=table.skipped_header if k == 0 else 0,
                          src_sheet=None if table.src_sheet is None else table.src_sheet[a:b],
                          sheets=table.sheets, merged_filled=table.merged_filled if k == 0 else 0)
        yield part, part.rows_read


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------
@dataclasses.dataclass
class _Chunk:
    index: int
    file: int
    row_start: int
    rows: int
    src_row: np.ndarray | None = None


def _as_text_frame(data: pd.DataFrame) -> pd.DataFrame:
    """Original cells as text for the output (dates dd/mm/yyyy, whole numbers without '.0'); blanks missing."""
    from bhyt_xl.core.values import as_text

    out = {}
    for c in data.columns:
        col = data[c]
        if isinstance(col.dtype, pd.StringDtype):
            out[str(c)] = col
        else:
            text = as_text(col)
            out[str(c)] = text.where(text != "", None)
    return pd.DataFrame(out, index=data.index)


def bucket_of(identity_key: pd.Series, valid: np.ndarray, row_id: np.ndarray, buckets: int) -> np.ndarray:
    """The bucket of each card: a stable 64-bit hash of its identity key modulo ``buckets``.

    ``pd.util.hash_pandas_object`` has a fixed key, so a card gets the same
    bucket in every process and on every machine (Python's ``hash`` of a str
    is salted per process and must not be used). Rows in error have no
    identity and match nobody: they are spread by row id.
    """
    hashed = pd.util.hash_pandas_object(identity_key.reset_index(drop=True), index=False).to_numpy()
    spread = (np.asarray(row_id) % buckets).astype("uint64")
    return np.where(np.asarray(valid, dtype=bool), hashed % np.uint64(buckets), spread).astype("int64")


def _to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def _timed(timings: dict, key: str, t0: float) -> float:
    now = time.perf_counter()
    timings[key] = timings.get(key, 0.0) + now - t0
    return now


def review_partitioned(paths, params: Params | None = None, workdir: str | Path = "bhyt_partitioned",
                       buckets: int = 64, chunk_rows: int = 500_000, sheet: str | None = None,
                       annotate: bool = True, write_csv: bool = False, keep_work: bool = False,
                       progress=None) -> PartitionedResult:
    """Review one list given as files and/or folders, out of core (see the module docstring).

    ``buckets``: identity-hash partitions (a bucket should fit in memory with
    room to spare: ≈ rows / buckets ≤ 2,000,000). ``chunk_rows``: rows read at
    once. ``annotate``: also write ``ket_qua.parquet`` with the original
    columns; ``write_csv``: and ``ket_qua.csv`` (UTF-8 with BOM, dates
    dd/mm/yyyy). ``keep_work``: keep the intermediate parts in
    ``workdir/_parts``. ``progress``: optional callable taking one Vietnamese line.

    Raises the readers' :class:`~bhyt_xl.errors.BhytError` (each names its file).
    """
    params = params or Params()
    if buckets < 1 or chunk_rows < 1:
        raise ValueError("buckets and chunk_rows must be >= 1")
    say = progress or (lambda line: None)
    files = multi.input_files(paths, FOLDER_EXTENSIONS)
    names = multi.display_names(files)
    several = len(files) > 1
    workdir = Path(workdir)
    parts = workdir / "_parts"
    if parts.exists():
        shutil.rmtree(parts)
    for sub in ("buckets", "orig", "results"):
        (parts / sub).mkdir(parents=True)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()

    # ---- phase 1: partition ------------------------------------------------
    writers: dict[int, pq.ParquetWriter] = {}
    problems_path = workdir / "problems.parquet"
    problem_writer = pq.ParquetWriter(problems_path, PROBLEM_SCHEMA)
    chunks: list[_Chunk] = []
    file_info: list[dict] = []
    file_labels: list[list[str]] = []
    file_fields: list[dict] = []
    next_id = 0
    t = time.perf_counter()
    for fi, (path, name) in enumerate(zip(files, names)):
        info = {"file": name, "rows_read": 0, "rows": 0, "skipped_blank": 0, "skipped_subtotal": 0,
                "skipped_header": 0}
        labels: dict[str, None] = {}
        fields: dict[str, str] | None = None
        say(f"Đang đọc tệp {name} …")
        it = iter_chunks(path, chunk_rows, sheet=sheet)
        while True:
            try:
                ct = next(it)
            except StopIteration:
                break
            t = _timed(timings, "read_s", t)
            for key in ("skipped_blank", "skipped_subtotal", "skipped_header"):
                info[key] += int(getattr(ct, key))
            info["rows_read"] += ct.rows_read
            n = len(ct.data)
            info["rows"] += n
            fields = fields if fields is not None else dict(ct.columns)
            labels.update(dict.fromkeys(map(str, ct.data.columns)))
            if n == 0:
                continue
            row_id = np.arange(next_id, next_id + n, dtype="int64")
            data = unicode_table(ct)[0].data.set_axis(row_id, axis=0)  # TCVN3/VNI text as Unicode, as in memory
            cards, problems = prepare_cards(data, ct.columns, ct.src_row, params)
            t = _timed(timings, "prepare_s", t)
            bucket = bucket_of(identity_keys(cards)["identity_key"], cards["valid"].to_numpy(dtype=bool), row_id,
                               buckets)
            t = _timed(timings, "key_s", t)

            k = len(chunks)
            chunks.append(_Chunk(k, fi, next_id, n))
            orig = _as_text_frame(ct.data)
            pq.write_table(_to_arrow(orig, pa.schema([(c, pa.string()) for c in orig.columns])),
                           parts / "orig" / f"c{k:06d}.parquet")
            if len(problems):
                p = multi.name_file(problems, name) if several else problems.assign(src_file=name)
                problem_writer.write_table(_to_arrow(p.astype({"value": str, "message": str}), PROBLEM_SCHEMA))
            order = np.argsort(bucket, kind="stable")
            framed = cards.iloc[order].assign(file=np.int32(fi))
            framed.insert(0, "row_id", row_id[order])
            tbl = _to_arrow(framed[CARD_SCHEMA.names], CARD_SCHEMA)
            counts = np.bincount(bucket, minlength=buckets)
            offset = 0
            for b in np.flatnonzero(counts):
                w = writers.get(b)
                if w is None:
                    w = writers[b] = pq.ParquetWriter(parts / "buckets" / f"b{b:05d}.parquet", CARD_SCHEMA)
                w.write_table(tbl.slice(offset, counts[b]))
                offset += counts[b]
            next_id += n
            t = _timed(timings, "write_s", t)
        file_info.append(info)
        file_labels.append(list(labels))
        file_fields.append(fields or {})
    for w in writers.values():
        w.close()
    problem_writer.close()
    timings["partition_s"] = time.perf_counter() - t_all
    plan = multi.column_plan(names, file_labels, file_fields)

    # ---- phase 2: review each bucket ----------------------------------------
    t2 = time.perf_counter()
    starts = np.array([c.row_start for c in chunks], dtype="int64")
    per_block = max(1, -(-len(chunks) // MAX_BLOCKS))
    result_writers: dict[int, pq.ParquetWriter] = {}
    by_year_parts = parts / "by_year.parquet"
    by_year_writer = pq.ParquetWriter(by_year_parts, BY_YEAR_SCHEMA)
    name_arr = np.array(names, dtype=object)
    for b in sorted(writers):
        say(f"Đang rà soát phần {b + 1}/{buckets} …")
        path = parts / "buckets" / f"b{b:05d}.parquet"
        t = time.perf_counter()
        cards = pq.read_table(path).to_pandas()
        if not keep_work:
            path.unlink()
        cards = _restore_cards(cards)
        t = _timed(timings, "bucket_read_s", t)
        result = review_cards(cards.drop(columns=["row_id", "file"]).set_axis(cards["row_id"].to_numpy(), axis=0),
                              params)
        t = _timed(timings, "bucket_review_s", t)
        rows = result.rows
        out = pd.DataFrame({"row_id": cards["row_id"].to_numpy(), "src_file": name_arr[cards["file"].to_numpy()],
                            "src_row": cards["src_row"].to_numpy()})
        for c, _ in ROW_FIELDS:
            out[c] = rows[c].to_numpy()
        block = (np.searchsorted(starts, out["row_id"].to_numpy(), side="right") - 1) // per_block
        tbl = _to_arrow(out, ROW_SCHEMA)
        cuts = np.flatnonzero(np.r_[True, block[1:] != block[:-1], True])
        for a, z in itertools.pairwise(cuts):
            blk = int(block[a])
            w = result_writers.get(blk)
            if w is None:
                w = result_writers[blk] = pq.ParquetWriter(parts / "results" / f"r{blk:06d}.parquet", ROW_SCHEMA)
            w.write_table(tbl.slice(a, z - a))
        by = result.by_year
        if len(by):
            file_of = pd.Series(cards["file"].to_numpy(), index=cards["row_id"].to_numpy())
            by = by.assign(src_file=name_arr[file_of.loc[by["row"].to_numpy()].to_numpy()])
            by_year_writer.write_table(_to_arrow(by[BY_YEAR_SCHEMA.names], BY_YEAR_SCHEMA))
        t = _timed(timings, "bucket_write_s", t)
    for w in result_writers.values():
        w.close()
    by_year_writer.close()
    timings["review_s"] = time.perf_counter() - t2

    # ---- phase 3: gather ------------------------------------------------------
    t3 = time.perf_counter()
    say("Đang ghi kết quả …")
    rows_path = workdir / "rows.parquet"
    annotated_path = workdir / "ket_qua.parquet" if annotate else None
    csv_path = workdir / "ket_qua.csv" if annotate and write_csv else None
    rows_writer = pq.ParquetWriter(rows_path, ROW_SCHEMA)
    ann_writer = csv_writer = csv_sink = None
    ann_schema = None
    counts = {"rows": 0, "errors": 0, "duplicates": 0, "kept": 0}
    dup_parts: list[pd.DataFrame] = []
    for blk_start in range(0, len(chunks), per_block):
        blk = blk_start // per_block
        t = time.perf_counter()
        res = pq.read_table(parts / "results" / f"r{blk:06d}.parquet").to_pandas()
        res = res.sort_values("row_id", kind="stable").reset_index(drop=True)
        t = _timed(timings, "gather_read_s", t)
        offset = 0
        for ch in chunks[blk_start: blk_start + per_block]:
            part = res.iloc[offset: offset + ch.rows]
            offset += ch.rows
            ids = part["row_id"].to_numpy()
            if len(part) != ch.rows or (len(ids) and (ids[0] != ch.row_start or ids[-1] != ch.row_start + ch.rows - 1)):
                raise RuntimeError(f"partitioned review lost rows of chunk {ch.index}")
            rows_writer.write_table(_to_arrow(part, ROW_SCHEMA))
            verdict = part["verdict"].to_numpy()
            dup = verdict == DUPLICATE
            counts["rows"] += len(part)
            counts["errors"] += int((verdict == DATA_ERROR).sum())
            counts["duplicates"] += int(dup.sum())
            counts["kept"] += int((verdict == KEPT).sum())
            dup_parts.append(part.loc[dup, ["dup_months_exact", "dup_money", "dup_budget"]])
            t = _timed(timings, "gather_rows_s", t)
            if not annotate:
                continue
            orig = pq.read_table(parts / "orig" / f"c{ch.index:06d}.parquet").to_pandas()
            orig = orig.rename(columns=plan.renames[ch.file])
            if several:
                orig.insert(0, plan.file_column, names[ch.file])
            orig = orig.reindex(columns=plan.order if several else
                                [c for c in plan.order if c != plan.file_column])
            frame = sheets.result_sheet(orig.set_axis(range(len(orig)), axis=0), part["src_row"].to_numpy(),
                                        SimpleNamespace(rows=part.set_axis(range(len(part)), axis=0)))
            if ann_schema is None:
                n_orig = frame.shape[1] - len(_ADDED_TYPES)  # added names may carry " (kết quả)"
                ann_schema = pa.schema([(c, pa.string()) for c in frame.columns[:n_orig]]
                                       + list(zip(frame.columns[n_orig:], _ADDED_TYPES)))
                ann_writer = pq.ParquetWriter(annotated_path, ann_schema)
            tbl = _to_arrow(frame, ann_schema)
            ann_writer.write_table(tbl)
            if csv_path is not None:
                import pyarrow.csv as pacsv

                text_tbl = pa.table({c: (pc.strftime(tbl[c], format="%d/%m/%Y") if pa.types.is_timestamp(tbl[c].type)
                                         else tbl[c]) for c in tbl.column_names})
                if csv_writer is None:
                    csv_sink = pa.OSFile(str(csv_path), "wb")
                    csv_sink.write(b"\xef\xbb\xbf")
                    csv_writer = pacsv.CSVWriter(csv_sink, text_tbl.schema)
                csv_writer.write_table(text_tbl)
            t = _timed(timings, "gather_annotated_s", t)
    rows_writer.close()
    if ann_writer is not None:
        ann_writer.close()
    if csv_writer is not None:
        csv_writer.close()
        csv_sink.close()
    dups = pd.concat(dup_parts, ignore_index=True) if dup_parts else pd.DataFrame(
        {"dup_months_exact": [], "dup_money": [], "dup_budget": []})
    stats = {**counts, "months": float(dups["dup_months_exact"].sum()), "money": float(dups["dup_money"].sum()),
             "budget": float(dups["dup_budget"].sum())}

    by_year_tbl = pq.read_table(by_year_parts).sort_by([("row", "ascending"), ("year", "ascending")])
    by_year_path = workdir / "by_year.parquet"
    pq.write_table(by_year_tbl, by_year_path)
    # only what summarise reads (the detail is proportional to the duplicates, not to the list)
    summary = summarise(by_year_tbl.select(["row", "year", "group_rank", "group_code", "months_exact", "money",
                                            "budget"]).to_pandas(), params)
    del by_year_tbl
    summary_path = workdir / "summary.parquet"
    summary.to_parquet(summary_path, index=False)
    timings["gather_s"] = time.perf_counter() - t3
    if not keep_work:
        shutil.rmtree(parts, ignore_errors=True)
    timings["total_s"] = time.perf_counter() - t_all
    return PartitionedResult(workdir, rows_path, annotated_path, csv_path, by_year_path, summary_path,
                             problems_path, summary, stats, file_info, timings, buckets, len(chunks), params)


def _restore_cards(cards: pd.DataFrame) -> pd.DataFrame:
    """Prepared cards read back from parquet, with the dtypes ``prepare_cards`` gives."""
    for c in _DATE_CARD_COLUMNS:
        if cards[c].dtype != "datetime64[ns]":
            cards[c] = cards[c].astype("datetime64[ns]")
    cards["sex"] = cards["sex"].astype(object)
    return cards
