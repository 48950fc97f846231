"""The result sheets as frames with Vietnamese headers.

One place decides what staff see: the command line writer and the Excel
macros both write exactly these frames, so the sheets have the same names and
columns everywhere.
"""

from __future__ import annotations

import pandas as pd

from bhyt_xl.core.review import UNKNOWN_RANK, ReviewResult

SHEET_RESULT = "Kết quả"
SHEET_BY_YEAR = "Chi tiết theo năm"
SHEET_SUMMARY = "Tổng hợp"
SHEET_PROBLEMS = "Lỗi dữ liệu"

RESULT_COLUMNS = {
    "verdict": "Kết luận",
    "reason": "Lý do",
    "dup_with": "Trùng với thẻ",
    "dup_from": "Trùng từ ngày",
    "dup_to": "Trùng đến ngày",
    "dup_months": "Số tháng trùng",
    "dup_money": "Số tiền trùng (đồng)",
    "dup_budget": "NSNN chi trả (đồng)",
    "identity_key": "Khóa nhận diện",
}
ROW_NUMBER = "Dòng trong tệp"


def result_sheet(data: pd.DataFrame, src_row, result: ReviewResult, converted: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """Every input row in input order: original columns unchanged, then the verdict columns.

    ``converted``: columns added after the verdicts (legacy-encoded text read as Unicode).
    """
    rows = result.rows
    added = pd.DataFrame({vn: rows[key].array for key, vn in RESULT_COLUMNS.items()}, index=data.index)  # .array: text stays Arrow
    if converted is not None:
        for col in converted.columns:
            added[col] = converted[col].to_numpy()
    dup = rows["verdict"].to_numpy() == "Cấp trùng"
    for key in ("dup_months", "dup_money", "dup_budget"):
        added[RESULT_COLUMNS[key]] = added[RESULT_COLUMNS[key]].where(dup)
    added[ROW_NUMBER] = pd.Series(src_row, index=data.index).to_numpy()
    taken = set(map(str, data.columns))
    added.columns = [c if c not in taken else f"{c} (kết quả)" for c in added.columns]
    return pd.concat([data, added], axis=1)


def by_year_sheet(result: ReviewResult) -> pd.DataFrame:
    b = result.by_year
    return pd.DataFrame(
        {
            "Mã thẻ": b["card_no"],
            "Mã đối tượng": b["group_code"],
            "Nhóm": b["group_name"],
            "Năm": b["year"].astype("int64"),
            "Số tháng trùng": b["months"],
            "Số tiền trùng (đồng)": b["money"],
            "NSNN chi trả (đồng)": b["budget"],
            ROW_NUMBER: b["src_row"],
        }
    )


def summary_sheet(result: ReviewResult) -> pd.DataFrame:
    s = result.summary
    rank = s["group_rank"].where(s["group_rank"] < UNKNOWN_RANK)
    return pd.DataFrame(
        {
            "Năm": s["year"].astype("Int64"),
            "STT nhóm": rank.astype("Int64"),
            "Nhóm đối tượng": s["group_name"],
            "Mã đối tượng": s["group_codes"],
            "Số thẻ cấp trùng": s["cards"],
            "Số tháng trùng": s["months"],
            "Số tiền trùng (đồng)": s["money"],
            "NSNN chi trả (đồng)": s["budget"],
        }
    )


def problems_sheet(problems: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Dòng": problems["src_row"].astype("int64"),
            "Cột": problems["column"],
            "Giá trị": problems["value"],
            "Nội dung": problems["message"],
            "Mức độ": problems["severity"],
        }
    )


# ---------------------------------------------------------------------------
# Continuity (CV 1006)
SHEET_CONTINUITY = "Liên tục 5 năm"
SHEET_REPRINT = "Thẻ cần in lại"
CONTINUITY_COLUMNS = {
    "chain_start": "Bắt đầu liên tục",
    "months_continuous": "Số tháng liên tục",
    "five_year_date": "Ngày đủ 5 năm liên tục (tính lại)",
}
NOT_REACHED = "Chưa đủ"


def continuity_sheet(data: pd.DataFrame, src_row, rows: pd.DataFrame, has_printed: bool) -> pd.DataFrame:
    """Every input row, original columns unchanged, then the continuity columns."""
    valid = rows["valid"].to_numpy(dtype=bool)
    five = rows["five_year_date"].astype("object").where(rows["five_year_date"].notna(), NOT_REACHED)
    five = five.where(valid, "Lỗi dữ liệu")
    added = pd.DataFrame(
        {
            CONTINUITY_COLUMNS["chain_start"]: rows["chain_start"],
            CONTINUITY_COLUMNS["months_continuous"]: rows["months_continuous"].round(2),
            CONTINUITY_COLUMNS["five_year_date"]: five.map(_py_date),
        },
        index=data.index,
    )
    if has_printed:
        added["In lại thẻ"] = pd.Series(rows["reprint"].map({True: "Có", False: ""}).to_numpy(), index=data.index)
        added["Lý do in lại"] = rows["reprint_reason"].to_numpy()
    added["Khóa nhận diện"] = rows["identity_key"].to_numpy()
    added[ROW_NUMBER] = pd.Series(src_row, index=data.index).to_numpy()
    taken = set(map(str, data.columns))
    added.columns = [c if c not in taken else f"{c} (kết quả)" for c in added.columns]
    return pd.concat([data, added], axis=1)


def reprint_sheet(cards: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The cards to re-print with the right 5-year date."""
    pick = rows["reprint"].to_numpy(dtype=bool)
    c, r = cards[pick], rows[pick]
    return pd.DataFrame(
        {
            "STT": range(1, int(pick.sum()) + 1),
            "Mã thẻ": c["card_no"],
            "Họ và tên": c["full_name"],
            "Ngày sinh": c["birth_date"],
            "Giới tính": c["sex"],
            "Địa chỉ": c["address"],
            "Mã số BHXH": c["bhxh_no"],
            "Giá trị từ ngày": c["valid_from"],
            "Giá trị đến ngày": c["valid_to"],
            "Ngày đủ 5 năm in trên thẻ": c["printed_5y"],
            "Ngày đủ 5 năm liên tục (tính lại)": r["five_year_date"],
            "Lý do": r["reprint_reason"],
            ROW_NUMBER: c["src_row"],
        }
    )


def _py_date(value):
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


# ---------------------------------------------------------------------------
# Increases / decreases (CV 1006 mục 1)
SHEET_CHANGED_LIST = "Danh sách sau tăng giảm"
SHEET_CHANGES = "Kết quả tăng giảm"
SHEET_CHANGE_SUMMARY = "Tổng hợp tăng giảm"
SHEET_EXPORT = "Dữ liệu xuất"

EXPORT_COLUMNS = {
    "card_no": "MA_THE", "full_name": "HO_TEN", "birth_date": "NGAY_SINH", "sex": "GIOI_TINH",
    "address": "DIA_CHI", "group_code": "MA_DT", "bhxh_no": "MA_SO_BHXH", "valid_from": "GT_THE_TU",
    "valid_to": "GT_THE_DEN", "change": "LOAI_BIEN_DONG",
}


def changed_list_sheet(data: pd.DataFrame, columns: dict[str, str], src_row, cards: pd.DataFrame) -> pd.DataFrame:
    """Every original row (unchanged) with old and new end dates side by side; added cards after them."""
    added_cards = cards.iloc[len(data):]
    extra = pd.DataFrame(
        {
            "Tăng/giảm": cards["change"].to_numpy(),
            "Giá trị đến ngày (cũ)": cards["old_valid_to"].to_numpy(),
            "Giá trị đến ngày (mới)": cards["new_valid_to"].to_numpy(),
            "Dòng tăng/giảm": cards["change_row"].to_numpy(),
            "Số tháng không còn phải đóng": cards["months_cut"].to_numpy(),
            "Số tiền không còn phải đóng (đồng)": cards["money_cut"].to_numpy(),
            "NSNN (đồng)": cards["budget_cut"].to_numpy(),
            "Ghi chú": cards["change_note"].to_numpy(),
            ROW_NUMBER: list(pd.Series(src_row).to_numpy()) + [None] * len(added_cards),
        }
    )
    body = data.copy()
    if len(added_cards):
        new_rows = pd.DataFrame({col: pd.Series([None] * len(added_cards), dtype="object") for col in data.columns})
        for field, col in columns.items():
            if field in added_cards.columns and col in new_rows.columns:
                new_rows[col] = added_cards[field].to_numpy()
        body = pd.concat([body.reset_index(drop=True), new_rows], ignore_index=True)
    else:
        body = body.reset_index(drop=True)
    for key in ("Số tháng không còn phải đóng", "Số tiền không còn phải đóng (đồng)", "NSNN (đồng)"):
        extra[key] = extra[key].where(extra["Tăng/giảm"].to_numpy() == "Giảm")
    taken = set(map(str, data.columns))
    extra.columns = [c if c not in taken else f"{c} (kết quả)" for c in extra.columns]
    return pd.concat([body, extra], axis=1)


def changes_sheet(applied: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Dòng": applied["src_row"],
            "Loại": applied["change"],
            "Khớp theo": applied["match_by"],
            "Ngày hiệu lực": applied["effective_date"],
            "Mã thẻ": applied["card_no"],
            "Dòng thẻ trong danh sách": applied["card_src_row"],
            "Giá trị đến ngày (cũ)": applied["old_valid_to"],
            "Giá trị đến ngày (mới)": applied["new_valid_to"],
            "Số tháng không còn phải đóng": applied["months_cut"],
            "Số tiền không còn phải đóng (đồng)": applied["money_cut"],
            "NSNN (đồng)": applied["budget_cut"],
            "Trạng thái": applied["status"],
            "Lý do": applied["reason"],
        }
    )


def change_summary_sheet(summary: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Chỉ tiêu": summary["label"], "Giá trị": summary["value"]})


def export_sheet(cards: pd.DataFrame) -> pd.DataFrame:
    """The updated card list in a plain, stable layout (ASCII headers) for loading into other software."""
    out = pd.DataFrame({vn: cards[key].to_numpy() for key, vn in EXPORT_COLUMNS.items()})
    out["LOAI_BIEN_DONG"] = out["LOAI_BIEN_DONG"].map({"Tăng": "TANG", "Giảm": "GIAM"}).fillna("")
    return out
