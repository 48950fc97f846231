"""The sample generator, the hand-made cases of CV 493 and the bundled workbook."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from bhyt_xl.core.months import explode_months, round_months, round_money
from bhyt_xl.params import DEFAULT_BASE_SALARY
from bhyt_xl.samples import generate as g

SAMPLE = Path(g.__file__).with_name(g.SAMPLE_NAME)
CASES_MD = Path(g.__file__).with_name("CASES.md")
CARD_RE = r"^[A-Z]{2}\d{13}$"


@pytest.fixture(scope="module")
def generated():
    return g.generate_cards_with_truth(20_000, seed=11)


# --------------------------------------------------------------------------
# generate_cards
# --------------------------------------------------------------------------
def test_same_seed_same_frame_other_seed_other_frame():
    a = g.generate_cards(3_000, seed=5)
    pd.testing.assert_frame_equal(a, g.generate_cards(3_000, seed=5))
    assert not a["Mã thẻ"].equals(g.generate_cards(3_000, seed=6)["Mã thẻ"])


@pytest.mark.parametrize("n", [0, 1, 7, 40, 999])
def test_any_size_gives_exactly_n_rows(n):
    df = g.generate_cards(n, seed=n)
    assert len(df) == n
    assert list(df.columns) == g.COLUMNS


def test_shape_and_types(generated):
    df, _ = generated
    n = len(df)
    assert n == 20_000
    assert list(df.columns) == g.COLUMNS
    assert df["STT"].tolist() == list(range(1, n + 1))
    assert df["Mã thẻ"].str.match(CARD_RE).all()
    assert (df["Mã thẻ"].str[3:5] == "56").all()
    assert (df["Mã thẻ"].str[:2] == df["Mã đối tượng"]).all()
    for c in g.DATE_COLUMNS:
        assert df[c].dtype == "datetime64[ns]"
        assert (df[c].dropna() == df[c].dropna().dt.normalize()).all()
    assert (df["Giá trị đến ngày"] >= df["Giá trị từ ngày"]).all()
    assert set(df["Giới tính"]) == {"Nam", "Nữ"}
    assert (df["Ghi chú"] == "").all()


def test_codes_are_strings_with_leading_zeros(generated):
    df, _ = generated
    bhxh = df["Mã số BHXH"]
    assert bhxh.map(type).eq(str).all()
    filled = bhxh[bhxh != ""]
    assert filled.str.fullmatch(r"\d{10}").all()
    assert filled.str.startswith("0").any()
    assert 0.25 < (bhxh == "").mean() < 0.35
    assert df["Mã KCB"].str.fullmatch(r"56\d{3}").all() and df["Mã KCB"].str.startswith("560").any()
    assert df["Mã đơn vị"].str.fullmatch(r"[A-Z]{2}\d{4}").all() and df["Mã đơn vị"].str[2].eq("0").all()


def test_birth_dates_fit_the_groups(generated):
    df, _ = generated
    birth = df["Ngày sinh"]
    year_only = birth.map(lambda v: isinstance(v, int))
    assert birth[~year_only].map(lambda v: isinstance(v, pd.Timestamp)).all()
    assert 0.002 < year_only.mean() < 0.03
    start = pd.Timestamp("2011-01-01")
    born = pd.to_datetime(birth.where(~year_only, pd.NaT))
    age = (start - born).dt.days / 365.25
    assert (born[df["Mã đối tượng"] == "TE"] > start - pd.DateOffset(years=6)).all()
    assert age[df["Mã đối tượng"].isin(["CB", "KC", "CC"])].min() >= 45
    age_at_start = (df["Giá trị từ ngày"] - born).dt.days / 365.25
    assert age_at_start[df["Mã đối tượng"].isin(["HS", "SV"])].between(6, 26).all()
    assert (birth[year_only] < 1952).all()  # only elderly people have just a year


def test_te_cards_end_on_sixth_birthday(generated):
    df, tr = generated
    te = (df["Mã đối tượng"] == "TE") & (tr["kind"] == "base")
    born = pd.to_datetime(df.loc[te, "Ngày sinh"])
    assert (df.loc[te, "Giá trị đến ngày"] == born + pd.DateOffset(years=6)).mean() > 0.99


def test_names_look_vietnamese_and_sex_fits_van_thi(generated):
    df, tr = generated
    plain = tr["variant"] == ""
    names = df.loc[plain, "Họ và tên"]
    surname = names.str.split().str[0]
    assert 0.33 < (surname == "Nguyễn").mean() < 0.42
    assert {"Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Dương"} <= set(surname)
    second = names.str.split().str[1]
    sex = df.loc[plain, "Giới tính"]
    assert (sex[second == "Văn"] == "Nam").all() and (sex[second == "Thị"] == "Nữ").all()
    assert df["Họ và tên"].str.split().str[-1].nunique() > 200
    addr = df.loc[plain, "Địa chỉ"]
    assert addr.str.fullmatch(r"(Thôn|Tổ dân phố) \d+, (Xã|Phường|Thị trấn) [^,]+, "
                              r"(Thành phố|Thị xã|Huyện) [^,]+, Khánh Hòa").all()
    assert addr.nunique() > 2_000
    assert len(g.VILLAGES) > 3_000


def test_validity_shapes(generated):
    df, tr = generated
    vf, vt = df["Giá trị từ ngày"], df["Giá trị đến ngày"]
    whole_year = (vf.dt.strftime("%d/%m") == "01/01") & (vt.dt.strftime("%d/%m") == "31/12") & (
        vf.dt.year == vt.dt.year)
    assert whole_year.mean() > 0.6
    assert (vf.dt.day == 16).any() and (vf.dt.strftime("%d/%m") == "01/07").any()
    issue = df["Ngày cấp"]
    assert 0.03 < issue.isna().mean() < 0.07
    base = tr["kind"] == "base"
    lead = (vf - issue)[base].dt.days.dropna()
    assert lead.between(3, 45).all()
    rev = df["Ngày thu hồi"]
    assert 0.005 < rev.notna().mean() < 0.02
    assert ((rev >= vf) & (rev <= vt))[rev.notna()].all()


def _identity(df: pd.DataFrame) -> np.ndarray:
    """An independent normalised identity (NFC, case, spaces, tone placement, ' ,')."""
    old_new = [(unicodedata.normalize("NFC", a + b + t), unicodedata.normalize("NFC", a + t + b))
               for a, b in [("o", "a"), ("o", "e"), ("u", "y")] for t in "\u0300\u0301\u0309\u0303\u0323"]

    def norm(values: pd.Series) -> pd.Series:
        u, inv = np.unique(values.to_numpy(dtype=object).astype(str), return_inverse=True)
        out = []
        for s in u:  # distinct strings only
            s = re.sub(r"\s*,\s*", ", ", " ".join(unicodedata.normalize("NFC", s).lower().split()))
            for old, new in old_new:
                s = re.sub(rf"{old}(?!\w)", new, s)
            out.append(s)
        return pd.Series(np.array(out, dtype=object)[inv])

    birth = df["Ngày sinh"].astype(str)
    return pd.factorize(norm(df["Họ và tên"]) + "|" + birth.to_numpy() + "|" + df["Giới tính"].to_numpy()
                        + "|" + norm(df["Địa chỉ"]))[0]


def test_about_five_percent_of_cards_overlap_another_card_of_the_same_person(generated):
    df, tr = generated
    assert tr["kind"].value_counts(normalize=True).round(3).to_dict() == {
        "base": 0.93, "extra": 0.05, "follow": 0.02}
    # independent of the generator's bookkeeping: sweep each normalised identity
    key = _identity(df)
    assert len(np.unique(key)) == tr["person"].nunique()  # variants fold back, nobody collides
    w = pd.DataFrame({"key": key, "vf": df["Giá trị từ ngày"], "vt": df["Giá trị đến ngày"]})
    w = w.sort_values(["key", "vf"], kind="stable")
    reach = w.groupby("key")["vt"].cummax().groupby(w["key"]).shift()
    later_overlapping = (w["vf"] <= reach).reindex(df.index)
    assert 0.04 < later_overlapping.mean() < 0.065
    assert (later_overlapping.groupby(tr["kind"]).mean()["follow"]) == 0
    assert not tr.loc[tr["kind"] == "follow", "overlaps"].any()
    assert tr.loc[tr["kind"] == "extra", "overlaps"].mean() > 0.9
    variants = tr.loc[tr["kind"] == "extra", "variant"]
    share = (variants != "").sum() / tr.loc[tr["kind"] == "extra", "overlaps"].sum()
    assert 0.25 < share < 0.35
    assert set(variants) == {"", "upper", "spaces", "nfd", "tone", "punct"}


def test_cosmetic_variants_change_only_the_form(generated):
    df, tr = generated
    v = tr["variant"]
    nfd = df.loc[v == "nfd", "Họ và tên"]
    assert (nfd != nfd.str.normalize("NFC")).any()
    assert df.loc[v == "tone", "Địa chỉ"].str.contains("Khánh Hoà").all()
    assert df.loc[v == "punct", "Địa chỉ"].str.contains(r"\d ,").all()
    upper = df.loc[v == "upper", "Họ và tên"]
    assert (upper == upper.str.upper()).all()


# --------------------------------------------------------------------------
# letter_cases and their expected verdicts
# --------------------------------------------------------------------------
def test_letter_cases_cover_the_letter():
    hand = g.letter_cases()
    exp = g.letter_expectations()
    assert list(hand.columns) == g.COLUMNS
    assert len(hand) == len(exp) and (hand["Mã thẻ"].to_numpy() == exp["Mã thẻ"].to_numpy()).all()
    assert hand["Mã thẻ"].is_unique
    assert set(exp["verdict"]) == {g.NOT_DUPLICATE, g.KEPT, g.DUPLICATE, g.DATA_ERROR}
    assert hand["Ghi chú"].str.len().gt(0).all()

    def rows(note):
        return hand[hand["Ghi chú"].str.startswith(note)]

    vd1 = rows("VD1 CV493")
    assert set(vd1["Họ và tên"]) == {"Nguyễn Văn B"} and set(vd1["Mã đối tượng"]) == {"TA"}
    assert vd1["Giá trị từ ngày"].dt.strftime("%d/%m/%Y").tolist() == ["01/01/2011", "01/07/2011"]
    vd2 = rows("VD2 CV493")
    assert vd2["Họ và tên"].str.startswith("Dương Thị").all() and vd2["Mã đối tượng"].tolist() == ["BT", "HN"]
    child = rows("VD trẻ em")
    assert set(child["Họ và tên"]) == {"Nguyễn Văn A"}
    assert set(child["Ngày sinh"]) == {pd.Timestamp("2008-07-23")}
    assert child["Giá trị đến ngày"].eq(pd.Timestamp("2014-07-22")).all()
    assert rows("TH15")["Ngày sinh"].tolist() == [1932, 1932]
    assert "31/02/1980" in hand["Ngày sinh"].tolist() and "HN12" in hand["Mã thẻ"].tolist()
    ok_cards = hand.loc[exp["verdict"] != g.DATA_ERROR, "Mã thẻ"]
    assert ok_cards.str.match(CARD_RE).all()


def _premium(months: pd.Series) -> np.ndarray:
    bs = DEFAULT_BASE_SALARY.sort_values("effective_from")
    eff = pd.to_datetime(bs["effective_from"]).to_numpy().astype("datetime64[D]")
    idx = np.searchsorted(eff, months.to_numpy().astype("datetime64[D]"), side="right") - 1
    return bs["amount"].to_numpy()[idx] * 0.03


def test_hand_computed_months_and_money_agree_with_the_month_rule():
    exp = g.letter_expectations()
    dup = exp[exp["verdict"] == g.DUPLICATE]
    assert dup["dup_from"].notna().all() and exp.loc[exp["verdict"] != g.DUPLICATE, "dup_from"].isna().all()
    m = explode_months(dup.index.to_numpy(), dup["dup_from"], dup["dup_to"])
    m["money"] = m["share"] * _premium(m["month"])
    total = m.groupby("seg").agg(months=("share", "sum"), money=("money", "sum"))
    np.testing.assert_array_equal(round_months(total["months"], "2dp"), dup["months"])
    np.testing.assert_array_equal(round_money(total["money"]), dup["money"])
    for year in (2011, 2012):
        y = m[m["year"] == year].groupby("seg").agg(months=("share", "sum"), money=("money", "sum"))
        y = y.reindex(dup.index, fill_value=0)
        np.testing.assert_array_equal(round_months(y["months"], "2dp"), dup[f"months_{year}"])
        np.testing.assert_array_equal(round_money(y["money"]), dup[f"money_{year}"])
    # the worked examples of domain.md
    assert dup.set_index("case").loc["TH01", "money"] == 149_400
    assert dup.set_index("case").loc["TH03", "money_2012"] == 351_600
    assert dup.set_index("case").loc["TH07", "months"] == 5.52


def test_cases_md_lists_every_hand_made_card_with_its_verdict():
    text = CASES_MD.read_text(encoding="utf-8")
    exp = g.letter_expectations()
    lines = {line.split("|")[3].strip(): line for line in text.splitlines()
             if re.match(r"\| (TH|LD)\d", line)}
    assert set(lines) == set(exp["Mã thẻ"])
    for card, verdict, months, money in exp[["Mã thẻ", "verdict", "months", "money"]].itertuples(index=False):
        line = lines[card]
        assert verdict in line
        if verdict == g.DUPLICATE:
            assert f"{months:.2f}" in line and f"{money:,}" in line


# --------------------------------------------------------------------------
# The bundled workbook
# --------------------------------------------------------------------------
def test_committed_sample_equals_a_fresh_rebuild(tmp_path):
    fresh = g.make_sample(tmp_path / g.SAMPLE_NAME)
    assert fresh.read_bytes() == SAMPLE.read_bytes(), (
        "bhyt_xl/samples/danh_sach_the_khanh_hoa.xlsx is stale or was edited by hand: "
        "run `python -m bhyt_xl.samples.generate`")


@pytest.fixture(scope="module")
def sheet():
    wb = openpyxl.load_workbook(SAMPLE)
    assert wb.sheetnames == [g.SHEET_NAME]
    return wb[g.SHEET_NAME]


def test_sample_layout(sheet):
    ws = sheet
    assert ws["A1"].value == g.AGENCY and ws["A1"].font.b
    assert ws["A2"].value == g.TITLE and "A2:O2" in {str(r) for r in ws.merged_cells.ranges}
    assert all(c.value is None for c in ws[3])
    assert [c.value for c in ws[4]] == g.COLUMNS and all(c.font.b for c in ws[4])
    n = g.SAMPLE_ROWS + len(g.letter_cases())
    assert ws.max_row == 4 + n
    assert [ws.cell(5 + i, 1).value for i in range(n)] == list(range(1, n + 1))


def _rows(ws):
    return pd.DataFrame(list(ws.iter_rows(min_row=5, values_only=True)), columns=g.COLUMNS)


def test_sample_holds_the_letter_examples(sheet):
    df = _rows(sheet)
    note = df["Ghi chú"].fillna("")
    vd1 = df[note.str.startswith("VD1 CV493")]
    assert len(vd1) == 2 and set(vd1["Họ và tên"]) == {"Nguyễn Văn B"} and set(vd1["Mã đối tượng"]) == {"TA"}
    assert sorted(d.strftime("%d/%m/%Y") for d in vd1["Giá trị từ ngày"]) == ["01/01/2011", "01/07/2011"]
    vd2 = df[note.str.startswith("VD2 CV493")]
    assert sorted(vd2["Mã đối tượng"]) == ["BT", "HN"]
    assert "1/7/2011" in vd2["Giá trị từ ngày"].tolist()  # written as d/m/yyyy text
    child = df[note.str.startswith("VD trẻ em")]
    assert len(child) == 2 and set(child["Họ và tên"]) == {"Nguyễn Văn A"}
    assert {d.strftime("%d/%m/%Y") for d in child["Giá trị đến ngày"]} == {"22/07/2014"}
    assert set(df.loc[note != "", "Mã thẻ"]) == set(g.letter_expectations()["Mã thẻ"])


def test_sample_cell_types(sheet):
    ws = sheet
    col = {h: i + 1 for i, h in enumerate(g.COLUMNS)}
    kinds = {"date": 0, "text_date": 0, "year": 0}
    for r in range(5, ws.max_row + 1):
        card = ws.cell(r, col["Mã thẻ"])
        assert card.data_type == "s" and card.number_format == "@"
        for c in ("Mã số BHXH", "Mã KCB"):
            assert ws.cell(r, col[c]).value is None or ws.cell(r, col[c]).data_type == "s"
        birth = ws.cell(r, col["Ngày sinh"])
        if birth.is_date:
            kinds["date"] += 1
            assert birth.number_format == "dd/mm/yyyy"
        elif isinstance(birth.value, int):
            kinds["year"] += 1
        else:
            kinds["text_date"] += 1
            assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", birth.value)
    assert kinds["date"] > 2_900 and kinds["text_date"] >= 30 and kinds["year"] >= 2
    df = _rows(ws)
    text_from = df["Giá trị từ ngày"].map(lambda v: isinstance(v, str))
    styles = df.loc[text_from, "Giá trị từ ngày"]
    assert styles.str.fullmatch(r"\d\d/\d\d/\d{4}").any() and styles.str.fullmatch(r"\d/\d{1,2}/\d{4}").any()
    assert "31/02/1980" in df["Ngày sinh"].tolist()


def test_write_csv_dates_as_text(tmp_path):
    hand = g.letter_cases()
    path = g.write_csv(hand, tmp_path / "cases.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == g.COLUMNS
    assert back["Giá trị từ ngày"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert back.loc[back["Ghi chú"].str.startswith("TH15"), "Ngày sinh"].tolist() == ["1932", "1932"]
    assert "31/02/1980" in back["Ngày sinh"].tolist()
    assert back["Mã số BHXH"].str.startswith("00").any()
    assert back.loc[back["Ngày cấp"] == "", "Ghi chú"].str.startswith("TH16").all()
    g.write_csv(hand, tmp_path / "cases_utf8.csv", encoding="utf-8")
    assert not (tmp_path / "cases_utf8.csv").read_bytes().startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------
# The review engine on the bundled sample (golden test of CASES.md)
# --------------------------------------------------------------------------
def test_engine_gives_the_expected_verdicts_on_the_sample():
    api = pytest.importorskip("bhyt_xl.api")
    review = api.review_file(SAMPLE)
    rows = review.result.rows
    cards = review.table.data["Mã thẻ"].astype(str).to_numpy()
    got = rows.assign(card=cards).set_index("card")
    exp = g.letter_expectations().set_index("Mã thẻ")
    got = got.loc[exp.index]
    assert got["verdict"].tolist() == exp["verdict"].tolist()
    dup = exp["verdict"] == g.DUPLICATE
    np.testing.assert_allclose(got.loc[dup, "dup_months"].astype(float), exp.loc[dup, "months"])
    np.testing.assert_allclose(got.loc[dup, "dup_money"].astype(float), exp.loc[dup, "money"])
    # generated rows: flagged exactly when the generator made them overlap
    _, truth = g.generate_cards_with_truth(g.SAMPLE_ROWS, seed=g.SAMPLE_SEED)
    generated = review.table.data["Ghi chú"].fillna("").astype(str).eq("").to_numpy()
    flagged = rows.loc[generated, "verdict"].isin([g.DUPLICATE, g.KEPT]).to_numpy()
    assert (flagged == truth["overlaps"].to_numpy()).all()
