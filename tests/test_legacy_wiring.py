"""Old lists typed in TCVN3 (.VnTime) or VNI (VNI-Times) fonts, through the whole review (issue 7).

The same list written in Unicode and in a legacy encoding must give the same
verdicts, months and money; the converted columns are reported and shown as
new columns; the input file is never changed.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from pathlib import Path

import pandas as pd
import pytest

from bhyt_xl.api import review_file
from bhyt_xl.cli import main
from bhyt_xl.core.legacy import ENCODERS, TCVN3, VNI
from bhyt_xl.samples.generate import encode_cp1258, letter_cases

TEXT = ["Họ và tên", "Địa chỉ", "Giới tính"]


def legacy_list(encoding: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the letter's cases in Unicode, the same with the text columns in ``encoding``)."""
    uni = letter_cases()
    old = uni.copy()
    for col in TEXT:
        old[col] = old[col].map(lambda v: ENCODERS[encoding](v) if isinstance(v, str) else v)
    assert (old["Họ và tên"] != uni["Họ và tên"]).any()
    return uni, old


def _same_review(a, b) -> None:
    ra, rb = a.result, b.result
    cols = ["verdict", "dup_with", "dup_from", "dup_to", "dup_months", "dup_money", "dup_budget"]
    pd.testing.assert_frame_equal(ra.rows[cols], rb.rows[cols])
    pd.testing.assert_frame_equal(ra.summary, rb.summary)


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_list_reviews_as_its_unicode_twin(encoding, tmp_path):
    uni, old = legacy_list(encoding)
    uni_path, old_path = tmp_path / "unicode.xlsx", tmp_path / f"{encoding}.xlsx"
    uni.to_excel(uni_path, index=False)
    old.to_excel(old_path, index=False)
    a, b = review_file(uni_path), review_file(old_path)
    assert not a.legacy
    assert b.legacy.encodings == {col: encoding for col in TEXT}
    _same_review(a, b)
    # the identity keys are the Unicode ones
    assert a.result.rows["identity_key"].tolist() == b.result.rows["identity_key"].tolist()


def test_result_sheet_keeps_the_cells_as_written_and_adds_unicode_columns(tmp_path, capsys):
    uni, old = legacy_list(TCVN3)
    src = tmp_path / "cu.xlsx"
    old.to_excel(src, index=False)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(src), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    for col in TEXT:
        assert f"Cột {col}: chữ mã TCVN3 đã được chuyển sang Unicode" in printed
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest
    result = pd.read_excel(out, sheet_name="Kết quả", engine="calamine", dtype=object)
    def texts(values) -> list[str]:
        return ["" if pd.isna(v) else v for v in values]

    assert texts(result["Họ và tên"]) == texts(old["Họ và tên"])  # as written
    nfc = [unicodedata.normalize("NFC", v) for v in texts(uni["Họ và tên"])]  # the cases hold decomposed names too
    assert texts(result["Họ và tên (Unicode)"]) == nfc  # readable
    params = pd.read_excel(out, sheet_name="Tham số", engine="calamine", header=None)
    assert params[0].astype(str).str.contains("chữ mã TCVN3").any()


def test_unicode_list_gets_no_extra_column(tmp_path):
    src = tmp_path / "moi.xlsx"
    letter_cases().to_excel(src, index=False)
    out = tmp_path / "kq.xlsx"
    assert main(["review", str(src), "-o", str(out)]) == 0
    result = pd.read_excel(out, sheet_name="Kết quả", engine="calamine")
    assert not any(str(c).endswith("(Unicode)") for c in result.columns)


def test_workbook_button_converts_a_pasted_legacy_list(tmp_path):
    from test_excel_macros import run, template

    from bhyt_xl.excel import macros

    uni, old = legacy_list(VNI)
    a = run(template(tmp_path / "a.xlsx", cards=uni), macros.process_run_review)
    b = run(template(tmp_path / "b.xlsx", cards=old), macros.process_run_review)
    assert a[0].ok and b[0].ok
    assert "chữ mã VNI đã được chuyển sang Unicode" in b[0].message
    ka = pd.read_excel(a[2], sheet_name="Kết quả", engine="calamine")
    kb = pd.read_excel(b[2], sheet_name="Kết quả", engine="calamine")
    cols = ["Kết luận", "Trùng với thẻ", "Số tháng trùng", "Số tiền trùng (đồng)"]
    pd.testing.assert_frame_equal(ka[cols], kb[cols])
    assert kb["Họ và tên (Unicode)"].fillna("").tolist() == [unicodedata.normalize("NFC", v)
                                                             for v in uni["Họ và tên"].fillna("")]


def test_continuity_and_changes_use_the_converted_text(tmp_path):
    from bhyt_xl.api import continuity_file

    uni, old = legacy_list(TCVN3)
    pa, pb = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    uni.to_excel(pa, index=False)
    old.to_excel(pb, index=False)
    ca, cb = continuity_file(pa), continuity_file(pb)
    cols = ["person", "chain_start", "five_year_date"]
    pd.testing.assert_frame_equal(ca.result.rows[cols], cb.result.rows[cols])


def test_bundled_sample_is_not_taken_for_legacy():
    root = Path(__file__).resolve().parents[1]
    review = review_file(root / "bhyt_xl" / "samples" / "danh_sach_the_khanh_hoa.xlsx")
    assert not review.legacy


# ---------------------------------------------------------------------------
# Whole files in a legacy encoding: headers too, and 8-bit CSV
# ---------------------------------------------------------------------------
def legacy_file_frame(encoding: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Unicode list, the same list with headers and text in ``encoding``)."""
    uni, old = legacy_list(encoding)
    encode = ENCODERS[encoding]
    for col in old.columns:  # every text cell of the file, as an old program typed it
        old[col] = old[col].map(lambda v: encode(v) if isinstance(v, str) and col not in TEXT else v)
    old = old.rename(columns={c: encode(c) for c in old.columns})
    assert "Họ và tên" not in old.columns
    return uni, old


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_headers_are_recognised(encoding, tmp_path):
    uni, old = legacy_file_frame(encoding)
    a_path, b_path = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    uni.to_excel(a_path, index=False)
    old.to_excel(b_path, index=False)
    a, b = review_file(a_path), review_file(b_path)
    assert set(b.table.columns) == set(a.table.columns)
    _same_review(a, b)


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_eight_bit_csv_in_a_legacy_font_is_read_as_such(encoding, tmp_path):
    from bhyt_xl.io.read import eight_bit_codec

    uni, old = legacy_file_frame(encoding)
    a_path, b_path = tmp_path / "a.csv", tmp_path / "b.csv"
    uni.to_csv(a_path, index=False, encoding="utf-8")
    # the bytes of the old font's code points, as old programs wrote them
    b_path.write_bytes(old.to_csv(index=False).encode("latin-1"))
    assert eight_bit_codec(b_path.read_bytes()) == "latin-1"
    a, b = review_file(a_path), review_file(b_path)
    assert sorted(b.legacy.encodings.values()) == [encoding] * 3  # name, address, sex (labels as written)
    _same_review(a, b)


def test_windows_1258_csv_is_still_windows_1258(tmp_path):
    from bhyt_xl.io.read import eight_bit_codec

    uni, _ = legacy_list(TCVN3)
    path = tmp_path / "ansi.csv"
    text = uni.to_csv(index=False)
    path.write_bytes(encode_cp1258(text))
    assert eight_bit_codec(path.read_bytes()) == "cp1258"
    a = review_file(path)
    assert not a.legacy
    ref = tmp_path / "utf8.csv"
    ref.write_text(text, encoding="utf-8")
    _same_review(review_file(ref), a)


def test_partitioned_run_converts_legacy_text_too(tmp_path):
    from bhyt_xl.scale import review_partitioned

    uni, old = legacy_file_frame(TCVN3)
    b_path = tmp_path / "b.csv"
    b_path.write_bytes(old.to_csv(index=False).encode("latin-1"))
    a_path = tmp_path / "a.csv"
    uni.to_csv(a_path, index=False, encoding="utf-8")
    pa = review_partitioned(a_path, None, tmp_path / "wa", buckets=2, chunk_rows=20)
    pb = review_partitioned(b_path, None, tmp_path / "wb", buckets=3, chunk_rows=17)
    assert pa.stats == pb.stats
    pd.testing.assert_frame_equal(pa.summary, pb.summary)
