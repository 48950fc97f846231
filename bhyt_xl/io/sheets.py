"""The result sheets as frames with Vietnamese headers.

One place decides what staff see: the command line writer and the Excel
macros both write exactly these frames, so the sheets have the same names and
columns everywhere.
"""

from __future__ import annotations

import pandas as pd

from bhyt_xl.core.review import ReviewResult

SHEET_RESULT = "Kết quả"
SHEET_BY_YEAR = "Chi tiết theo năm"
SHEET_SUMMARY = "Tổng hợp"
SHEET_PROBLEMS = "Lỗi dữ liệu"
SHEET_PARAMS = "Tham số"

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


def result_sheet(data: pd.DataFrame, src_row, result: ReviewResult) -> pd.DataFrame:
    """Every input row in input order: original columns unchanged, then the verdict columns."""
    rows = result.rows
    added = pd.DataFrame({vn: rows[key].to_numpy() for key, vn in RESULT_COLUMNS.items()}, index=data.index)
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
    rank = s["group_rank"].where(s["group_rank"] < 10_000)
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
