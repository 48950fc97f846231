"""Several files as one list, and the partitioned (out-of-core) review against the in-memory one.

The partitioned run must give exactly what the in-memory run gives: per row
the verdict, the cards it duplicates, the dates, months and money, the
identity key; the per-year detail; the summary; the data problems; the row
accounting. Person ids are run-specific (``identity_keys`` factorises per
call), so only observable columns are compared.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bhyt_xl.api import review_file
from bhyt_xl.errors import InputFileError
from bhyt_xl.io.multi import FILE_COLUMN, label_rows, read_many, review_many
from bhyt_xl.io.read import read_table
from bhyt_xl.samples import generate
from bhyt_xl.samples.generate import encode_cp1258
from bhyt_xl.scale import ROW_FIELDS, bucket_of, iter_chunks, review_partitioned

SAMPLE = Path(generate.__file__).with_name(generate.SAMPLE_NAME)
ROWS = 20_000


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def write_list(df: pd.DataFrame, path: Path, *, rename: dict | None = None, sep: str = ",",
               encoding: str = "utf-8-sig", junk: bool = False, wide_at: int | None = None,
               title: bool = False) -> Path:
    """Write a generated frame as a CSV list, optionally with the oddities of real files.

    ``junk``: blank rows, a subtotal row and the header repeated inside the
    list, blank rows at the end; ``wide_at``: that data row gets one cell more
    than the header; ``title``: two title lines above the header.
    """
    tmp = path.with_suffix(".tmp")
    generate.write_csv(df.rename(columns=rename or {}), tmp, encoding="utf-8")
    with tmp.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    tmp.unlink()
    header, body = rows[0], rows[1:]
    if wide_at is not None:
        body[wide_at] = body[wide_at] + ["ô thừa"]
    if junk:
        width = len(header)
        body.insert(150, [""] * width)
        body.insert(151, [""] * width)
        body.insert(420, ["Cộng"] + [""] * (width - 1))
        body.insert(777, list(header))
        body.insert(999, [""] * width)  # a blank row at the end of a 1000-row chunk
        body += [[""] * width, [""] * width]
    lines = ([["DANH SÁCH CẤP THẺ BHYT"], []] if title else []) + [header] + body
    text = io.StringIO()
    csv.writer(text, delimiter=sep, lineterminator="\r\n").writerows(lines)
    data = text.getvalue()
    path.write_bytes(encode_cp1258(data) if encoding == "cp1258" else data.encode(encoding))
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """20,000 generated cards in three files of one folder: the same person's cards sit in several files."""
    folder = tmp_path_factory.mktemp("lists")
    df = generate.generate_cards(ROWS, seed=61)
    write_list(df.iloc[:8000], folder / "a_huyen.csv", wide_at=2500, title=True, encoding="utf-8")
    write_list(df.iloc[8000:14500], folder / "b_huyen.csv", encoding="cp1258", junk=True,
               rename={"Mã thẻ": "Số thẻ", "Họ và tên": "HO_TEN", "Giá trị từ ngày": "Từ ngày"})
    write_list(df.iloc[14500:], folder / "c_huyen.csv", sep=";", encoding="utf-8")
    (folder / "ghi_chu.txt").write_text("không phải danh sách", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def in_memory(generated):
    table = read_many([generated])
    return table, review_many(table)


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------
def _same(a, b) -> bool:
    a, b = pd.Series(a).reset_index(drop=True), pd.Series(b).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(a) or pd.api.types.is_datetime64_any_dtype(b):
        a, b = pd.to_datetime(a).astype("datetime64[s]"), pd.to_datetime(b).astype("datetime64[s]")
        return bool(((a == b) | (a.isna() & b.isna())).all())
    if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
        return bool(np.array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True))
    return a.astype(object).tolist() == b.astype(object).tolist()


def assert_same_review(part, review, table) -> None:
    rows, mem = part.rows(), review.result.rows
    assert len(rows) == len(mem)
    assert rows["row_id"].tolist() == list(range(len(mem)))
    for column, _ in ROW_FIELDS:
        assert _same(rows[column], mem[column]), column
    assert rows["src_row"].tolist() == np.asarray(table.src_row).tolist()
    files = table.data[FILE_COLUMN].tolist() if FILE_COLUMN in table.data else [table.source] * len(mem)
    assert rows["src_file"].tolist() == files

    by_year = part.by_year()
    assert by_year["src_file"].tolist() == [files[i] for i in by_year["row"]]
    pd.testing.assert_frame_equal(by_year.drop(columns=["src_file"]), review.result.by_year, check_dtype=False)
    pd.testing.assert_frame_equal(part.summary, review.result.summary)
    assert part.stats == review.result.stats

    problems = part.problems()
    mem_problems = review.result.problems
    assert problems["message"].tolist() == mem_problems["message"].tolist()
    assert problems["src_row"].tolist() == mem_problems["src_row"].astype("int64").tolist()
    assert part.rows_read == table.rows_read
    assert sum(f["rows"] for f in part.files) == len(table.data)
    for key in ("skipped_blank", "skipped_subtotal", "skipped_header"):
        assert sum(f[key] for f in part.files) == getattr(table, key), key


# ---------------------------------------------------------------------------
# Several files as one list
# ---------------------------------------------------------------------------
def test_read_many_maps_columns_by_field_and_keeps_file_and_row(generated, in_memory):
    table, _ = in_memory
    names = ["a_huyen.csv", "b_huyen.csv", "c_huyen.csv"]
    assert table.data.columns[0] == FILE_COLUMN
    assert table.data[FILE_COLUMN].drop_duplicates().tolist() == names
    # the first file's labels, whatever the other files call the field
    assert table.columns["card_no"] == "Mã thẻ" and table.columns["full_name"] == "Họ và tên"
    assert "Số thẻ" not in table.data.columns and "HO_TEN" not in table.data.columns
    assert "Cột 16" in table.data.columns  # a.csv's wide row: kept, not lost
    singles = [read_table(generated / n) for n in names]
    assert len(table.data) == sum(len(t.data) for t in singles)
    assert np.asarray(table.src_row).tolist() == [r for t in singles for r in np.asarray(t.src_row).tolist()]
    assert table.rows_read == sum(t.rows_read for t in singles)
    b = table.data[FILE_COLUMN] == "b_huyen.csv"
    assert table.data.loc[b, "Mã thẻ"].tolist() == singles[1].data["Số thẻ"].tolist()
    # the cp1258 file reads as the same (NFC) text
    assert table.data.loc[b, "Họ và tên"].map(lambda s: unicodedata.is_normalized("NFC", s)).all()

    labels = label_rows(table)
    assert labels[0] == f"tệp a_huyen.csv, dòng {table.src_row[0]}"
    first_b = int(np.flatnonzero(b.to_numpy())[0])
    assert labels[first_b] == f"tệp b_huyen.csv, dòng {table.src_row[first_b]}"


def test_read_many_reviews_across_files(in_memory):
    table, review = in_memory
    rows = review.result.rows
    files = table.data[FILE_COLUMN].to_numpy()
    dup = rows["verdict"] == "Cấp trùng"
    by_key = pd.DataFrame({"key": rows["identity_key"], "file": files, "dup": dup})
    spread = by_key[by_key["key"] != ""].groupby("key").agg(files=("file", "nunique"), dup=("dup", "any"))
    assert (spread["files"] > 1).sum() > 50 and ((spread["files"] > 1) & spread["dup"]).sum() > 20
    assert review.result.stats["duplicates"] > 500


def test_single_file_is_read_table_unchanged():
    many = read_many([SAMPLE])
    one = read_table(SAMPLE)
    assert FILE_COLUMN not in many.data.columns
    pd.testing.assert_frame_equal(many.data, one.data)
    assert label_rows(many)[0] == f"dòng {one.src_row[0]}"


def test_problems_name_their_file(tmp_path):
    df = generate.generate_cards(300, seed=3)
    df.loc[5, "Ngày sinh"] = "31/02/1980"
    write_list(df.iloc[:150], tmp_path / "x.csv")
    write_list(df.iloc[150:].reset_index(drop=True).assign(**{"Ngày sinh": lambda d: d["Ngày sinh"].where(
        d.index != 5, "31/02/1980")}), tmp_path / "y.csv")
    review = review_many(read_many([tmp_path / "x.csv", tmp_path / "y.csv"]))
    messages = review.result.problems["message"].tolist()
    assert "Tệp x.csv, dòng 7, cột Ngày sinh: '31/02/1980' không phải ngày sinh hợp lệ "\
           "(dd/mm/yyyy hoặc năm sinh)" in messages
    assert any(m.startswith("Tệp y.csv, dòng 7, cột Ngày sinh") for m in messages)
    assert review.result.problems["src_file"].tolist() == ["x.csv", "y.csv"]


def test_mixed_sex_columns_use_each_files_own_columns(tmp_path):
    """One file has 'Giới tính', the other a pair of 'Nam' / 'Nữ' columns: each file is read by its own columns."""
    df = generate.generate_cards(200, seed=5)
    write_list(df.iloc[:100], tmp_path / "a.csv")
    marks = df.iloc[100:].copy()
    male = marks["Giới tính"] == "Nam"
    marks.insert(4, "Nam", np.where(male, "x", ""))
    marks.insert(5, "Nữ", np.where(~male, "x", ""))
    write_list(marks.drop(columns=["Giới tính"]), tmp_path / "b.csv")
    review = review_many(read_many([tmp_path]))
    assert review.result.stats["errors"] == 0


def test_input_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match="không có tệp danh sách"):
        read_many([tmp_path / "empty"])
    write_list(generate.generate_cards(50, seed=1), tmp_path / "a.csv")
    with pytest.raises(InputFileError, match="hai lần"):
        read_many([tmp_path / "a.csv", tmp_path / "." / "a.csv"])


# ---------------------------------------------------------------------------
# Partitioned review = in-memory review
# ---------------------------------------------------------------------------
# (64, 1000) runs on the sample below: 64 buckets of a few hundred rows cost the core's fixed time per call
@pytest.mark.parametrize("buckets,chunk_rows", [(1, 1000), (7, 1000), (1, 7000), (7, 7000), (64, 7000)])
def test_partitioned_equals_in_memory_on_generated_files(generated, in_memory, tmp_path, buckets, chunk_rows):
    table, review = in_memory
    part = review_partitioned([generated], None, tmp_path / "work", buckets=buckets, chunk_rows=chunk_rows,
                              write_csv=(buckets == 7))
    assert part.chunks >= len(part.files)
    assert_same_review(part, review, table)
    if buckets == 7:
        annotated = pd.read_parquet(part.annotated_path)
        assert annotated.columns.tolist()[: table.data.shape[1]] == table.data.columns.tolist()
        assert annotated["Mã thẻ"].tolist() == table.data["Mã thẻ"].tolist()
        assert annotated["Kết luận"].tolist() == review.result.rows["verdict"].tolist()
        text = pd.read_csv(part.csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert len(text) == len(table.data)
        assert text["Mã số BHXH"].tolist() == table.data["Mã số BHXH"].fillna("").tolist()  # leading zeros kept
        dup = text["Kết luận"] == "Cấp trùng"
        assert text.loc[dup, "Trùng từ ngày"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()


def test_persons_are_split_across_chunks_and_files(in_memory):
    """The generated folder really tests the partitioning: duplicate pairs across 1000-row chunks and files."""
    table, review = in_memory
    rows = review.result.rows
    files = table.data[FILE_COLUMN].to_numpy()
    chunk = np.empty(len(files), dtype=object)
    for name in np.unique(files):
        at = np.flatnonzero(files == name)
        chunk[at] = [f"{name}:{i // 1000}" for i in range(len(at))]  # chunks of the rows handed to the engine
    frame = pd.DataFrame({"key": rows["identity_key"], "chunk": chunk, "file": files, "v": rows["verdict"]})
    frame = frame[frame["v"].isin(["Cấp trùng", "Thẻ giữ lại"])]
    per = frame.groupby("key").agg(chunks=("chunk", "nunique"), files=("file", "nunique"))
    assert (per["chunks"] > 1).sum() > 100
    assert (per["files"] > 1).sum() > 20


@pytest.mark.parametrize("buckets,chunk_rows", [(1, 7000), (7, 1000), (64, 1000)])
def test_partitioned_equals_in_memory_on_the_sample(tmp_path, buckets, chunk_rows):
    review = review_file(SAMPLE)
    part = review_partitioned(SAMPLE, None, tmp_path / "work", buckets=buckets, chunk_rows=chunk_rows)
    assert_same_review(part, review, review.table)
    assert part.stats["duplicates"] > 100 and part.stats["errors"] > 0


def test_partitioned_reads_parquet_like_csv(generated, tmp_path):
    """A parquet input (text cells) gives the verdicts of the same list as CSV."""
    df = generate.generate_cards(3000, seed=8)
    write_list(df, tmp_path / "in.csv")
    text = pd.read_csv(tmp_path / "in.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    text.replace("", None).to_parquet(tmp_path / "in.parquet", index=False)
    from_csv = review_partitioned(tmp_path / "in.csv", None, tmp_path / "w1", buckets=3, chunk_rows=1000)
    from_parquet = review_partitioned(tmp_path / "in.parquet", None, tmp_path / "w2", buckets=5, chunk_rows=700)
    a, b = from_csv.rows(), from_parquet.rows()
    for column, _ in ROW_FIELDS:
        assert _same(a[column], b[column]), column
    pd.testing.assert_frame_equal(from_csv.summary, from_parquet.summary)


def test_chunks_add_up_to_read_table(generated):
    """Row numbers, kept rows and skipped-row counts of the chunks are those of read_table, chunk size aside."""
    path = generated / "b_huyen.csv"
    whole = read_table(path)
    for size in (1000, 997, 10_000):
        chunks = list(iter_chunks(path, size))
        assert np.concatenate([c.src_row for c in chunks]).tolist() == np.asarray(whole.src_row).tolist()
        assert sum(c.rows_read for c in chunks) == whole.rows_read
        assert (sum(c.skipped_blank for c in chunks), sum(c.skipped_subtotal for c in chunks),
                sum(c.skipped_header for c in chunks)) == (whole.skipped_blank, whole.skipped_subtotal,
                                                           whole.skipped_header)
        data = pd.concat([c.data for c in chunks], ignore_index=True)
        pd.testing.assert_frame_equal(data, whole.data, check_dtype=False)
    assert whole.skipped_blank == 3 and whole.skipped_subtotal == 1 and whole.skipped_header == 1


def test_bucket_is_a_stable_hash_of_the_identity_key():
    keys = pd.Series(["nguyễn văn a | 01/01/1980 | nam | thôn 1, xã a", "", "trần thị b | 1950 | nữ | x"])
    got = bucket_of(keys, np.array([True, False, True]), np.array([10, 11, 12]), 64)
    again = bucket_of(keys.iloc[::-1].reset_index(drop=True), np.array([True, False, True]),
                      np.array([12, 11, 10]), 64)
    assert got[1] == 11 % 64  # a row in error is spread by its row id
    assert got[0] == again[2] and got[2] == again[0]  # the same key, the same bucket, wherever it comes
    # fixed values: Python's salted str hash would change them between processes
    assert got.tolist() == [54, 11, 61]
    assert 0 <= got.min() and got.max() < 64


def test_a_character_cut_by_the_probe_does_not_make_the_file_binary(tmp_path):
    """UTF-8 with BOM whose 65,536th byte falls inside a letter: still streamed as text."""
    df = generate.generate_cards(1500, seed=9)
    df.loc[0, "Ghi chú"] = "ghi chú "
    raw = write_list(df, tmp_path / "bom.csv").read_bytes()
    pad = next(p for p in range(1000) if raw[65536 - p] & 0xC0 == 0x80)  # a later byte of a letter
    df.loc[0, "Ghi chú"] = "ghi chú " + "a" * pad  # the pad shifts that byte to position 65536
    path = write_list(df, tmp_path / "bom.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[65536] & 0xC0 == 0x80
    chunks = list(iter_chunks(path, 400))
    assert sum(len(c.data) for c in chunks) == 1500
    assert chunks[0].data["Họ và tên"].iloc[0] == df["Họ và tên"].iloc[0]


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258"])
def test_chunks_of_other_encodings_read_as_read_table(tmp_path, encoding):
    df = generate.generate_cards(2500, seed=12)
    path = write_list(df, tmp_path / "list.csv", encoding=encoding, sep="\t" if encoding == "utf-16" else ",")
    whole = read_table(path)
    data = pd.concat([c.data for c in iter_chunks(path, 600)], ignore_index=True)
    pd.testing.assert_frame_equal(data, whole.data, check_dtype=False)
    if encoding == "cp1258":  # its text is composed to NFC (the generator's NFD variants included)
        assert data["Họ và tên"].map(lambda s: unicodedata.is_normalized("NFC", s)).all()
