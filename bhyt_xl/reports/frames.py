"""The official report tables as plain frames, built from finished results.

Pure: nothing here reads or writes a file, and no review rule is computed
again. Every figure comes from the engine's output:

* Biểu 01 (totals per group and year) from ``ReviewResult.summary`` (per year)
  and ``ReviewResult.by_year`` (totals over the years, each card counted once);
* Biểu 02 (list of duplicate cards) from ``ReviewResult.rows`` (verdict,
  dup_with, dup_from/dup_to, months, money, cause, revoked) and the parsed card
  fields of :func:`bhyt_xl.core.prepare.prepare_cards`;
* Biểu 03 (causes, issuing units, districts) from the same rows;
* the re-print list of CV 1006 from :func:`bhyt_xl.io.sheets.reprint_sheet`.

Each report is a :class:`ReportTable`: the body frame (one column per leaf
column, plus ``kind`` and ``label``), the column specs (two-row header groups,
formats, widths) and the texts printed around it. :mod:`bhyt_xl.reports.layout`
renders it in the official layout.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bhyt_xl.core.months import round_months
from bhyt_xl.core.review import CAUSE_CROSS_GROUP, CAUSE_SAME_GROUP, DUPLICATE, UNKNOWN_GROUP_NAME, UNKNOWN_RANK
from bhyt_xl.core.text import fold_header
from bhyt_xl.reports.settings import ReportSettings

if TYPE_CHECKING:
    from bhyt_xl.api import Continuity, Review

SHEET_01 = "Biểu 01 - Tổng hợp"
SHEET_02 = "Biểu 02 - Danh sách"
SHEET_03 = "Biểu 03 - Nguyên nhân"
SHEET_REPRINT = "In lại 5 năm liên tục"

UNIT_NOTE = "Đơn vị tính: đồng"

#: row kinds of a report body
ROW, GROUP, SUBTOTAL, TOTAL, SECTION, NOTE = "row", "group", "subtotal", "total", "section", "note"

#: folded headers recognised as a district column (schema.py has no district alias)
DISTRICT_HEADERS = {"huyen", "quanhuyen", "mahuyen", "tenhuyen", "quanhuyenthixa", "quanhuyenthixathanhpho"}

LABEL_REVOKED = "thẻ đã thu hồi"


@dataclasses.dataclass(frozen=True)
class Column:
    """One leaf column of a report table.

    ``group``: the text of the upper header row spanning consecutive columns
    with the same group (None: the label spans both header rows).
    ``fmt``: text, center, int, months, money, date, pct.
    """

    key: str
    label: str
    group: str | None = None
    fmt: str = "text"
    width: float = 12.0


@dataclasses.dataclass
class ReportTable:
    """One official report: body frame, columns and the texts around the table."""

    sheet: str
    form_no: str
    title: str
    subtitle: str | None
    basis: str | None
    period: str | None
    unit_note: str | None
    columns: list[Column]
    body: pd.DataFrame  # one column per Column.key, plus "kind" and "label"
    label_span: int = 0  # subtotal/total/group rows: "label" spans columns 0..label_span
    signers: bool = True

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def two_row_header(self) -> bool:
        return any(c.group for c in self.columns)

    def index_row(self) -> list[str]:
        """The column-index row: A, B, C… for the descriptive columns, 1, 2, 3… for the figures."""
        out, letters, numbers = [], 0, 0
        for c in self.columns:
            if c.fmt in ("int", "months", "money", "pct"):
                numbers += 1
                out.append(str(numbers))
            else:
                out.append(_letter(letters))
                letters += 1
        return out

    def frame(self) -> pd.DataFrame:
        """The body with the leaf labels as headers (for tests and plain exports)."""
        out = self.body[self.keys].copy()
        out.columns = [f"{c.group} - {c.label}" if c.group else c.label for c in self.columns]
        return out


def _letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------------------
def period_text(params) -> str | None:
    """'Kỳ rà soát: từ 01/01/2011 đến 31/12/2012' (None without a review period)."""
    f, t = params.review_from, params.review_to
    if f is None and t is None:
        return None
    if f is not None and t is not None:
        return f"Kỳ rà soát: từ {f:%d/%m/%Y} đến {t:%d/%m/%Y}"
    if f is not None:
        return f"Kỳ rà soát: từ {f:%d/%m/%Y}"
    return f"Kỳ rà soát: đến {t:%d/%m/%Y}"


def _years(review: "Review") -> list[int]:
    """The years of the summary (the review period's years; without a period, the years present)."""
    s = review.result.summary
    return sorted(int(y) for y in s.loc[s["kind"] == "group", "year"].dropna().unique())


def _period_line(review: "Review") -> str | None:
    text = period_text(review.result.params)
    if text is None:
        years = _years(review)
        if years:
            span = str(years[0]) if len(years) == 1 else f"{years[0]} - {years[-1]}"
            text = f"Kỳ rà soát: toàn bộ thời gian trùng có trong danh sách (năm {span})"
    return text


# ---------------------------------------------------------------------------
# Biểu 01
MEASURES = [("cards", "Số thẻ cấp trùng", "int", 9.0), ("months", "Số tháng trùng", "months", 10.0),
            ("money", "Số tiền cấp trùng (đồng)", "money", 13.5), ("budget", "NSNN chi trả (đồng)", "money", 13.5)]


def bieu01(review: "Review", settings: ReportSettings) -> ReportTable:
    """Totals of duplicate cards per group (priority order) and year, then over the years; 'Tổng cộng'."""
    r = review.result
    params = r.params
    s = r.summary
    years = _years(review)
    table = params.groups.sort_values("rank", kind="stable")
    groups = pd.DataFrame({"group_rank": pd.to_numeric(table["rank"]).astype("int64").to_numpy(),
                           "group_name": table["name"].astype(str).to_numpy(),
                           "group_codes": table["codes"].astype(str).to_numpy()})
    unknown = s[(s["kind"] == "group") & (s["group_rank"] >= UNKNOWN_RANK)]
    if len(unknown):  # codes outside the group table: a row only when they have duplicates
        groups = pd.concat([groups, unknown[["group_rank", "group_name", "group_codes"]].iloc[:1]], ignore_index=True)
    groups = groups.drop_duplicates("group_rank").reset_index(drop=True)
    body = pd.DataFrame({
        "stt": list(range(1, len(groups) + 1)),
        "name": groups["group_name"].astype(str).to_numpy(),
        "codes": groups["group_codes"].astype(str).to_numpy(),
    })
    total = {"stt": None, "name": "", "codes": ""}
    columns = [Column("stt", "STT", fmt="center", width=5), Column("name", "Nhóm đối tượng", width=44),
               Column("codes", "Mã đối tượng", fmt="center", width=10)]
    for year in years:
        part = s[(s["kind"] == "group") & (s["year"] == year)].set_index("group_rank")
        year_row = s[(s["kind"] == "year") & (s["year"] == year)].iloc[0]
        for key, label, fmt, width in MEASURES:
            col = f"{key}_{year}"
            body[col] = part[key].reindex(groups["group_rank"]).fillna(0).to_numpy()
            total[col] = year_row[key]
            columns.append(Column(col, label, f"Năm {year}", fmt, width))
    if len(years) != 1:
        b = r.by_year
        per = b.groupby("group_rank").agg(cards=("row", "nunique"), months_exact=("months_exact", "sum"),
                                          money=("money", "sum"), budget=("budget", "sum"))
        per = per.reindex(groups["group_rank"]).fillna(0)
        per["months"] = round_months(per["months_exact"].to_numpy(), params.month_rounding)
        grand = s[s["kind"] == "total"].iloc[0]
        group_label = f"Tổng cộng {years[0]} - {years[-1]}" if years else "Tổng cộng"
        for key, label, fmt, width in MEASURES:
            col = f"{key}_total"
            body[col] = per[key].to_numpy()
            total[col] = grand[key]
            columns.append(Column(col, label, group_label, fmt, width))
    for c in columns:
        if c.fmt == "int":
            body[c.key] = body[c.key].astype("int64")
    body["kind"] = ROW
    body["label"] = ""
    total_row = pd.DataFrame([{**total, "kind": TOTAL, "label": "Tổng cộng"}])
    body = pd.concat([body, total_row], ignore_index=True)
    return ReportTable(SHEET_01, settings.form_01, settings.title_01, settings.subtitle_493, settings.basis_493,
                       _period_line(review), UNIT_NOTE, columns, body, label_span=2)


# ---------------------------------------------------------------------------
# Biểu 02
def duplicate_details(review: "Review", cards: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per duplicate card, with the best better-ranked card it overlaps (``dup_with``'s first card).

    In priority order of the duplicate card's group, then input order.
    """
    rows = review.result.rows
    if cards is None:
        cards = _cards(review)
    dup = rows.index[rows["verdict"] == DUPLICATE]
    d = rows.loc[dup]
    c = cards.loc[dup]
    better_no = d["dup_with"].astype(str).str.split(",").str[0].str.strip()
    better = _better_rows(rows, cards, d, better_no)
    has = better >= 0
    bc = cards.iloc[np.where(has, better, 0)] if len(cards) else cards
    codes = c["group_code"].astype(str).to_numpy()

    def where_has(values):
        out = np.asarray(values, dtype=object).copy()
        out[~has] = None
        return out

    out = pd.DataFrame({
        "row": dup.to_numpy(),
        "src_row": c["src_row"].to_numpy(),
        "group_rank": d["group_rank"].to_numpy(),
        "group_name": d["group_name"].astype(str).to_numpy(),
        "full_name": c["full_name"].astype(str).to_numpy(),
        "birth": birth_text(c["birth_date"], c["birth_year_only"]).to_numpy(),
        "sex": c["sex"].astype(str).to_numpy(),
        "address": c["address"].astype(str).to_numpy(),
        "card_no": c["card_no"].astype(str).to_numpy(),
        "group_code": codes,
        "valid": validity_text(c["valid_from"], c["valid_to"]).to_numpy(),
        "better_card": where_has(better_no.to_numpy()),
        "better_code": where_has(bc["group_code"].astype(str).to_numpy()),
        "better_valid": where_has(validity_text(bc["valid_from"], bc["valid_to"]).to_numpy()),
        "dup_from": d["dup_from"].to_numpy(),
        "dup_to": d["dup_to"].to_numpy(),
        "months": d["dup_months"].to_numpy(dtype="float64"),
        "months_exact": d["dup_months_exact"].to_numpy(dtype="float64"),
        "money": d["dup_money"].to_numpy(dtype="float64"),
        "budget": d["dup_budget"].to_numpy(dtype="float64"),
        "cause": d["cause"].astype(str).to_numpy(),
        "revoked": d["revoked"].to_numpy(dtype=bool),
        "revoked_on": c["revoked_on"].to_numpy(),
        "unit_code": c["unit_code"].astype(str).to_numpy(),
    })
    out["category"] = cause_category(out["cause"], out["revoked"], out["revoked_on"])
    return out.sort_values(["group_rank", "src_row", "row"], kind="stable").reset_index(drop=True)


def _better_rows(rows: pd.DataFrame, cards: pd.DataFrame, d: pd.DataFrame, better_no: pd.Series) -> np.ndarray:
    """Position (in ``rows``) of the card named first in ``dup_with`` (-1 if not found).

    A renewed card often keeps its number, so one person may hold several rows
    with that number: take the row whose validity covers the start of the
    duplicated time, else one that overlaps it, else the first.
    """
    cand = pd.DataFrame({"person": rows["person"].to_numpy(), "card_no": cards["card_no"].to_numpy(),
                         "row": np.arange(len(rows)), "vf": cards["valid_from"].to_numpy(),
                         "vt": cards["valid_to"].to_numpy()})
    key = pd.DataFrame({"i": np.arange(len(d)), "person": d["person"].to_numpy(), "card_no": better_no.to_numpy(),
                        "df": d["dup_from"].to_numpy(), "dt": d["dup_to"].to_numpy()})
    m = key.merge(cand, on=["person", "card_no"], how="inner")
    m["covers"] = (m["vf"] <= m["df"]) & (m["vt"] >= m["df"])
    m["overlaps"] = (m["vf"] <= m["dt"]) & (m["vt"] >= m["df"])
    m = m.sort_values(["i", "covers", "overlaps", "row"], ascending=[True, False, False, True], kind="stable")
    first = m.drop_duplicates("i")
    out = np.full(len(d), -1, dtype="int64")
    out[first["i"].to_numpy()] = first["row"].to_numpy()
    return out


def cause_category(cause: pd.Series, revoked: pd.Series, revoked_on: pd.Series) -> pd.Series:
    """'Khác nhóm' / 'Cùng nhóm, cấp sau', with '; thẻ đã thu hồi dd/mm/yyyy' appended for a revoked card."""
    on = pd.to_datetime(pd.Series(revoked_on)).dt.strftime("%d/%m/%Y").fillna("")
    note = np.where(on.to_numpy() != "", f"; {LABEL_REVOKED} " + on.to_numpy(dtype=object), f"; {LABEL_REVOKED}")
    cause = pd.Series(cause).astype(str).to_numpy(dtype=object)
    return pd.Series(np.where(np.asarray(revoked, dtype=bool), cause + note, cause), dtype="object")


def birth_text(dates: pd.Series, year_only: pd.Series) -> pd.Series:
    """dd/mm/yyyy, or the year alone when the list gave only the year."""
    d = pd.to_datetime(dates)
    full = d.dt.strftime("%d/%m/%Y")
    year = d.dt.strftime("%Y")
    return pd.Series(np.where(np.asarray(year_only, dtype=bool), year, full), index=dates.index,
                     dtype="object").fillna("")


def validity_text(start: pd.Series, end: pd.Series) -> pd.Series:
    """'01/01/2011 -\\n31/12/2011' (two lines: narrow printed columns)."""
    a = pd.to_datetime(start).dt.strftime("%d/%m/%Y").fillna("")
    b = pd.to_datetime(end).dt.strftime("%d/%m/%Y").fillna("")
    return (a + " -\n" + b).astype("object")


def bieu02(review: "Review", settings: ReportSettings, details: pd.DataFrame | None = None) -> ReportTable:
    """The list of duplicate cards, grouped by group (priority order), a subtotal per group and a grand total."""
    params = review.result.params
    d = duplicate_details(review) if details is None else details
    columns = [
        Column("stt", "STT", fmt="center", width=5),
        Column("full_name", "Họ và tên", width=18),
        Column("birth", "Ngày sinh", fmt="center", width=11),
        Column("sex", "Giới tính", fmt="center", width=5.5),
        Column("address", "Địa chỉ", width=26),
        Column("card_no", "Mã thẻ", "Thẻ cấp trùng", "center", 17),
        Column("group_code", "Mã đối tượng", "Thẻ cấp trùng", "center", 7),
        Column("valid", "Giá trị sử dụng", "Thẻ cấp trùng", "center", 11.5),
        Column("better_card", "Mã thẻ", "Thẻ được ưu tiên (trùng với)", "center", 17),
        Column("better_code", "Mã đối tượng", "Thẻ được ưu tiên (trùng với)", "center", 7),
        Column("better_valid", "Giá trị sử dụng", "Thẻ được ưu tiên (trùng với)", "center", 11.5),
        Column("dup_from", "Từ ngày", "Thời gian trùng", "date", 11),
        Column("dup_to", "Đến ngày", "Thời gian trùng", "date", 11),
        Column("months", "Số tháng", "Thời gian trùng", "months", 8.5),
        Column("money", "Số tiền cấp trùng (đồng)", fmt="money", width=12.5),
        Column("budget", "NSNN chi trả (đồng)", fmt="money", width=12.5),
        Column("category", "Nguyên nhân", width=18),
        Column("src_row", "Dòng trong tệp", fmt="center", width=7),
    ]
    keys = [c.key for c in columns]
    parts = []
    stt = 0
    for rank, g in d.groupby("group_rank", sort=True):
        name = g["group_name"].iloc[0]
        codes = ", ".join(sorted(g["group_code"].unique()))
        if rank >= UNKNOWN_RANK:
            heading = f"{UNKNOWN_GROUP_NAME} ({codes})"
            sub = f"Cộng mã đối tượng ngoài bảng ({len(g)} thẻ)"
        else:
            heading = f"Nhóm {rank}: {name} ({_group_codes(params, rank) or codes})"
            sub = f"Cộng nhóm {rank} ({len(g)} thẻ)"
        parts.append(pd.DataFrame([{"kind": GROUP, "label": heading}]))
        body = g.assign(stt=list(range(stt + 1, stt + len(g) + 1)), kind=ROW, label="")
        stt += len(g)
        parts.append(body)
        parts.append(pd.DataFrame([{"kind": SUBTOTAL, "label": sub, **_sums(g, params)}]))
    parts.append(pd.DataFrame([{"kind": TOTAL, "label": f"Tổng cộng ({len(d)} thẻ)", **_sums(d, params)}]))
    body = pd.concat(parts, ignore_index=True)
    for k in keys:
        if k not in body.columns:
            body[k] = None
    body = body[[*keys, "kind", "label"]]
    return ReportTable(SHEET_02, settings.form_02, settings.title_02, settings.subtitle_493, settings.basis_493,
                       _period_line(review), UNIT_NOTE, columns, body, label_span=keys.index("dup_from") - 1)


def _group_codes(params, rank) -> str:
    g = params.groups
    hit = g.loc[pd.to_numeric(g["rank"], errors="coerce") == rank, "codes"]
    return str(hit.iloc[0]) if len(hit) else ""


def _sums(d: pd.DataFrame, params) -> dict:
    """Subtotals as the engine makes them: money summed, months summed exactly then rounded once."""
    return {
        "months": float(round_months(np.array([d["months_exact"].sum()]), params.month_rounding)[0]),
        "money": float(d["money"].sum()),
        "budget": float(d["budget"].sum()),
    }


# ---------------------------------------------------------------------------
# Biểu 03
def district_column(review: "Review") -> str | None:
    """The list's district column (Huyện, Quận/Huyện, Mã huyện…), found by its folded header."""
    for col in review.table.data.columns:
        if fold_header(col) in DISTRICT_HEADERS:
            return col
    return None


def bieu03(review: "Review", settings: ReportSettings, details: pd.DataFrame | None = None) -> ReportTable:
    """Duplicate cards by cause (cross-group, same group issued later, revoked), by issuing unit and district."""
    params = review.result.params
    d = duplicate_details(review) if details is None else details
    total_cards = len(d)
    columns = [
        Column("stt", "STT", fmt="center", width=5),
        Column("item", "Nội dung", width=46),
        Column("cards", "Tổng số", "Số thẻ cấp trùng", "int", 9),
        Column("cross", "Khác nhóm đối tượng", "Số thẻ cấp trùng", "int", 10),
        Column("same", "Cùng nhóm, cấp sau", "Số thẻ cấp trùng", "int", 10),
        Column("revoked", "Trong đó: thẻ đã thu hồi", "Số thẻ cấp trùng", "int", 10),
        Column("share", "Tỷ lệ số thẻ (%)", fmt="pct", width=9),
        Column("months", "Số tháng trùng", fmt="months", width=10),
        Column("money", "Số tiền cấp trùng (đồng)", fmt="money", width=14),
        Column("budget", "NSNN chi trả (đồng)", fmt="money", width=14),
    ]

    def measures(g: pd.DataFrame) -> dict:
        return {
            "cards": len(g),
            "cross": int((g["cause"] == CAUSE_CROSS_GROUP).sum()),
            "same": int((g["cause"] == CAUSE_SAME_GROUP).sum()),
            "revoked": int(g["revoked"].sum()),
            "share": 100.0 * len(g) / total_cards if total_cards else 0.0,
            **_sums(g, params),
        }

    rows: list[dict] = []

    def section(number: str, title: str, items: list[tuple[str, pd.DataFrame]]):
        rows.append({"stt": number, "item": title, "kind": SECTION, **measures(d)})
        for i, (label, g) in enumerate(items):
            rows.append({"stt": i + 1, "item": label, "kind": ROW, **measures(g)})

    cross = d[d["cause"] == CAUSE_CROSS_GROUP]
    same = d[d["cause"] == CAUSE_SAME_GROUP]
    other = d[~d["cause"].isin([CAUSE_CROSS_GROUP, CAUSE_SAME_GROUP])]
    causes = [("Cấp theo nhóm đối tượng có thứ tự ưu tiên sau (khác nhóm)", cross),
              ("Cùng nhóm đối tượng, thẻ phát hành sau thẻ đầu tiên (cùng nhóm, cấp sau)", same)]
    if len(other):
        causes.append(("Khác", other))
    section("I", "THEO NGUYÊN NHÂN CẤP TRÙNG", causes)
    revoked = d[d["revoked"]]
    rows.append({"stt": "", "item": "Trong đó: thẻ cấp trùng đã thu hồi (chỉ tính đến ngày thu hồi)", "kind": NOTE,
                 **measures(revoked)})
    roman = iter(["II", "III", "IV"])
    if "unit_code" in review.table.columns:
        units = d["unit_code"].replace("", "(Không ghi mã đơn vị)")
        items = [(f"Mã đơn vị {u}" if not u.startswith("(") else u, g) for u, g in d.groupby(units, sort=True)]
        section(next(roman), "THEO ĐƠN VỊ CẤP THẺ (MÃ ĐƠN VỊ)", items)
    col = district_column(review)
    if col is not None:
        from bhyt_xl.core.values import as_text

        values = as_text(review.table.data[col]).reindex(d["row"]).fillna("").to_numpy()
        names = pd.Series(values, index=d.index).replace("", "(Không ghi quận, huyện)")
        items = [(str(n), g) for n, g in d.groupby(names, sort=True)]
        section(next(roman), f"THEO QUẬN, HUYỆN (CỘT '{str(col).upper()}')", items)
    body = pd.DataFrame(rows)
    body["label"] = ""
    for c in ("cards", "cross", "same", "revoked"):
        body[c] = body[c].astype("int64")
    return ReportTable(SHEET_03, settings.form_03, settings.title_03, settings.subtitle_493, settings.basis_493,
                       _period_line(review), UNIT_NOTE, columns, body[[c.key for c in columns] + ["kind", "label"]],
                       label_span=1)


# ---------------------------------------------------------------------------
# CV 1006: re-print list
def reprint(continuity: "Continuity", settings: ReportSettings) -> ReportTable:
    """Cards to re-print with the recomputed 5-year date (from ``reprint_sheet``)."""
    from bhyt_xl.io.sheets import ROW_NUMBER, reprint_sheet

    cards = continuity.cards
    sheet = reprint_sheet(cards, continuity.result.rows)
    c = cards.loc[sheet.index]
    body = pd.DataFrame({
        "stt": list(range(1, len(sheet) + 1)),
        "card_no": sheet["Mã thẻ"].astype(str).to_numpy(),
        "full_name": sheet["Họ và tên"].astype(str).to_numpy(),
        "birth": birth_text(c["birth_date"], c["birth_year_only"]).to_numpy(),
        "sex": sheet["Giới tính"].astype(str).to_numpy(),
        "address": sheet["Địa chỉ"].astype(str).to_numpy(),
        "bhxh_no": sheet["Mã số BHXH"].astype(str).to_numpy(),
        "valid_from": sheet["Giá trị từ ngày"].to_numpy(),
        "valid_to": sheet["Giá trị đến ngày"].to_numpy(),
        "printed": sheet["Ngày đủ 5 năm in trên thẻ"].to_numpy(),
        "five_year": pd.to_datetime(sheet["Ngày đủ 5 năm liên tục (tính lại)"], errors="coerce").to_numpy(),
        "reason": sheet["Lý do"].astype(str).to_numpy(),
        "src_row": sheet[ROW_NUMBER].to_numpy(),
    })
    body["kind"] = ROW
    body["label"] = ""
    body = pd.concat([body, pd.DataFrame([{"kind": TOTAL, "label": f"Tổng cộng: {len(sheet)} thẻ"}])],
                     ignore_index=True)
    columns = [
        Column("stt", "STT", fmt="center", width=5),
        Column("card_no", "Mã thẻ", fmt="center", width=17),
        Column("full_name", "Họ và tên", width=20),
        Column("birth", "Ngày sinh", fmt="center", width=11),
        Column("sex", "Giới tính", fmt="center", width=6),
        Column("address", "Địa chỉ", width=30),
        Column("bhxh_no", "Mã số BHXH", fmt="center", width=12),
        Column("valid_from", "Từ ngày", "Giá trị sử dụng", "date", 11),
        Column("valid_to", "Đến ngày", "Giá trị sử dụng", "date", 11),
        Column("printed", "Đã in trên thẻ", "Ngày đủ 5 năm liên tục", "date", 11),
        Column("five_year", "Tính lại (in lại)", "Ngày đủ 5 năm liên tục", "date", 11),
        Column("reason", "Lý do in lại", width=18),
        Column("src_row", "Dòng trong tệp", fmt="center", width=7),
    ]
    return ReportTable(SHEET_REPRINT, settings.form_reprint, settings.title_reprint, None, settings.basis_1006,
                       None, None, columns, body[[c.key for c in columns] + ["kind", "label"]],
                       label_span=len(columns) - 1)


# ---------------------------------------------------------------------------
def _cards(review: "Review") -> pd.DataFrame:
    t = review.table
    from bhyt_xl.api import prepare_table  # the review's own preparation (the review does not keep its cards)

    cards, _, _ = prepare_table(t, review.result.params)
    return cards


def build_reports(review: "Review", settings: ReportSettings | None = None,
                  continuity: "Continuity | None" = None) -> dict[str, ReportTable]:
    """All report tables, keyed by sheet name, in workbook order."""
    settings = settings or ReportSettings()
    details = duplicate_details(review)
    out = {t.sheet: t for t in (bieu01(review, settings), bieu02(review, settings, details),
                                bieu03(review, settings, details))}
    if continuity is not None:
        t = reprint(continuity, settings)
        out[t.sheet] = t
    return out

