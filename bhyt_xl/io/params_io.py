"""The "Tham số" sheet: rule tables and options in a layout staff can edit.

The sheet is a stack of blocks. Each block is a title in column A (e.g.
"MỨC LƯƠNG CƠ SỞ"), a header row, then data rows until the first empty row.
Every result workbook carries the block stack that produced it, and
``--params`` (or the workbook's own sheet) reads the same layout back, so a
run can be reproduced or changed without touching code.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from bhyt_xl.core.text import fold_header
from bhyt_xl.core.values import as_text, parse_dates
from bhyt_xl.errors import ParamsInvalid
from bhyt_xl.params import DECREASE_CUT, MONTH_ROUNDING, REVOCATION_END, UNCERTAIN_DEFAULTS, Params

SHEET = "Tham số"

OPTIONS = "TÙY CHỌN"
GROUPS = "THỨ TỰ ƯU TIÊN NHÓM ĐỐI TƯỢNG"
BASE = "MỨC LƯƠNG CƠ SỞ (LƯƠNG TỐI THIỂU CHUNG)"
RATES = "TỶ LỆ ĐÓNG BHYT"
BUDGET = "TỶ LỆ NSNN ĐÓNG, HỖ TRỢ"

OPT_FROM = "Từ ngày rà soát"
OPT_TO = "Đến ngày rà soát"
OPT_ROUNDING = "Làm tròn số tháng"
OPT_REVOCATION = "Thẻ thu hồi có giá trị"
OPT_CARD_PATTERN = "Mẫu mã thẻ (biểu thức chính quy)"
OPT_MAX_GAP = "Gián đoạn tối đa vẫn liên tục (tháng)"
OPT_GAP_STRICT = "Gián đoạn phải dưới mức tối đa"
OPT_NO_TOLERANCE = "Gián đoạn bắt đầu trước ngày này làm mất liên tục"
OPT_FLOOR = "Ngày đủ 5 năm sớm nhất"
OPT_COUNT_GAP = "Tính thời gian gián đoạn vào thời gian liên tục"
OPT_DECREASE = "Thẻ báo giảm có giá trị"
OPT_AS_OF = "Ngày xét liên tục 5 năm"
OPT_SUSPECTS = "Tìm thẻ nghi trùng (sheet Nghi trùng)"
OPT_SUSPECT_THRESHOLD = "Điểm tối thiểu của cặp nghi trùng (0-100)"
SUSPECT_RULES = "QUY TẮC NGHI TRÙNG (để tham khảo)"
YES, NO = "Có", "Không"

GROUP_HEADERS = ["Thứ tự", "Nhóm đối tượng", "Mã đối tượng", "Căn cứ", "Độ tin cậy"]
BASE_HEADERS = ["Áp dụng từ ngày", "Mức lương (đồng/tháng)", "Căn cứ", "Độ tin cậy"]
RATE_HEADERS = ["Áp dụng từ ngày", "Tỷ lệ đóng (%)", "Căn cứ", "Độ tin cậy"]
BUDGET_HEADERS = ["Mã đối tượng", "Áp dụng từ ngày", "Tỷ lệ NSNN (%)", "Căn cứ", "Độ tin cậy"]


def params_blocks(params: Params) -> list[tuple[str, pd.DataFrame]]:
    """The block stack of the "Tham số" sheet for ``params``."""
    def d(value):
        return pd.Timestamp(value) if value is not None else None

    options = pd.DataFrame(
        [
            (OPT_FROM, d(params.review_from), "Để trống: tính toàn bộ thời gian trùng"),
            (OPT_TO, d(params.review_to), "Để trống: tính toàn bộ thời gian trùng"),
            (OPT_ROUNDING, MONTH_ROUNDING[params.month_rounding],
             "Một trong: " + " / ".join(MONTH_ROUNDING.values()) + ". Tổng cộng tính trước khi làm tròn."),
            (OPT_REVOCATION, REVOCATION_END[params.revocation_end], "Một trong: " + " / ".join(REVOCATION_END.values())),
            (OPT_CARD_PATTERN, params.card_pattern, "Mã thẻ không khớp mẫu là lỗi dữ liệu"),
            (OPT_MAX_GAP, params.max_gap_months, "Liên tục 5 năm (NĐ 146/2018 Điều 12 khoản 5): mặc định 3 tháng"),
            (OPT_GAP_STRICT, YES if params.gap_strictly_less else NO,
             "Không: gián đoạn đúng 3 tháng vẫn liên tục; Có: phải dưới 3 tháng"),
            (OPT_NO_TOLERANCE, d(params.no_tolerance_before), "Gián đoạn trước 01/01/2015 (dù ngắn) làm tính lại từ đầu"),
            (OPT_FLOOR, d(params.five_year_floor), "Người đã đủ 5 năm trước ngày này thì ghi ngày này (01/01/2015)"),
            (OPT_COUNT_GAP, YES if params.count_gap_time else NO,
             "Có: thời gian gián đoạn được tính (ngày đủ 5 năm giữ nguyên); Không: trừ thời gian gián đoạn"),
            (OPT_AS_OF, d(params.continuity_as_of),
             "Để trống: xét mọi thẻ; có ngày: bỏ qua thẻ bắt đầu sau ngày này (như --as-of)"),
            (OPT_DECREASE, DECREASE_CUT[params.decrease_cut], "Một trong: " + " / ".join(DECREASE_CUT.values())),
            (OPT_SUSPECTS, YES if params.find_suspects else NO,
             "Có (hoặc đánh dấu ô kiểm): thêm sheet \"Nghi trùng\" (cặp thẻ có thể của cùng một người nhưng ghi "
             "khác nhau) để cán bộ "
             "kiểm tra; không làm thay đổi kết quả rà soát trừ các cặp cán bộ ghi \"Trùng\""),
            (OPT_SUSPECT_THRESHOLD, params.suspect_threshold,
             "Cặp có điểm từ mức này trở lên mới được đề xuất (mặc định 80; thấp hơn: nhiều cặp hơn)"),
        ],
        columns=["Tham số", "Giá trị", "Ghi chú"],
    )
    groups = params.groups.copy()
    groups.columns = GROUP_HEADERS
    base = params.base_salary.copy()
    base.columns = BASE_HEADERS
    rates = params.rates.copy()
    rates.columns = RATE_HEADERS
    budget = params.budget_shares.copy()
    budget.columns = BUDGET_HEADERS
    for frame in (base, rates, budget):
        frame["Áp dụng từ ngày"] = pd.to_datetime(frame["Áp dụng từ ngày"])
    notes = pd.DataFrame({"Giá trị mặc định chưa chắc chắn (cần đối chiếu văn bản gốc)": UNCERTAIN_DEFAULTS})
    blocks = [(OPTIONS, options), (GROUPS, groups), (BASE, base), (RATES, rates), (BUDGET, budget),
              ("GHI CHÚ", notes)]
    if params.find_suspects:
        from bhyt_xl.core.suspects import SuspectOptions, rules_table

        blocks.append((SUSPECT_RULES, rules_table(SuspectOptions(threshold=params.suspect_threshold))))
    return blocks


# ---------------------------------------------------------------------------
def params_sheet_rows(path: str | Path) -> tuple[list[list[object]], str]:
    """Cell values of a workbook's "Tham số" sheet (else its first sheet) and where they came from."""
    import openpyxl

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ParamsInvalid(f"Không mở được tệp tham số '{path.name}': {exc}") from None
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        title = ws.title
    finally:
        wb.close()
    return rows, f"tệp '{path.name}', sheet '{title}'"


def read_params(path: str | Path, base: Params | None = None) -> Params:
    """Read a params workbook (its "Tham số" sheet, else its first sheet) over ``base``."""
    rows, source = params_sheet_rows(path)
    return params_from_rows(rows, base or Params(), source=source)


def params_from_rows(rows: list[list[object]], base: Params, source: str = "sheet Tham số") -> Params:
    """Parse the block stack from the sheet's cell values (row lists from A1)."""
    blocks = _split_blocks(rows)
    changes = {}
    if OPTIONS in blocks:
        changes.update(_options(*blocks[OPTIONS], source))
    if GROUPS in blocks:
        start, frame = blocks[GROUPS]
        g = _frame(frame, GROUP_HEADERS, start, source)
        ranks = pd.to_numeric(g["Thứ tự"], errors="coerce")
        _require(ranks.notna(), g, start, "Thứ tự", "phải là số", source)
        _require(as_text(g["Mã đối tượng"]) != "", g, start, "Mã đối tượng", "không được để trống", source)
        changes["groups"] = pd.DataFrame(
            {"rank": ranks.astype("int64"), "name": as_text(g["Nhóm đối tượng"]), "codes": as_text(g["Mã đối tượng"]),
             "source": as_text(g["Căn cứ"]), "confidence": as_text(g["Độ tin cậy"])}
        ).reset_index(drop=True)
    for title, headers, key, value_col, value_name in (
        (BASE, BASE_HEADERS, "base_salary", "Mức lương (đồng/tháng)", "amount"),
        (RATES, RATE_HEADERS, "rates", "Tỷ lệ đóng (%)", "rate_percent"),
    ):
        if title in blocks:
            start, frame = blocks[title]
            f = _frame(frame, headers, start, source)
            dates = _dates(f, start, source)
            values = _numbers(f, value_col, start, source)
            changes[key] = pd.DataFrame(
                {"effective_from": dates.dt.date, value_name: values, "source": as_text(f["Căn cứ"]),
                 "confidence": as_text(f["Độ tin cậy"])}
            ).reset_index(drop=True)
    if BUDGET in blocks:
        start, frame = blocks[BUDGET]
        f = _frame(frame, BUDGET_HEADERS, start, source)
        codes = as_text(f["Mã đối tượng"]).str.upper()
        _require(codes != "", f, start, "Mã đối tượng", "không được để trống", source)
        changes["budget_shares"] = pd.DataFrame(
            {"code": codes, "effective_from": _dates(f, start, source).dt.date,
             "share_percent": _numbers(f, "Tỷ lệ NSNN (%)", start, source),
             "source": as_text(f["Căn cứ"]), "confidence": as_text(f["Độ tin cậy"])}
        ).reset_index(drop=True)
    return base.replace(**changes)


def _split_blocks(rows):
    titles = {fold_header(t): t for t in (OPTIONS, GROUPS, BASE, RATES, BUDGET)}
    blocks, i = {}, 0
    while i < len(rows):
        first = rows[i][0] if rows[i] else None
        title = titles.get(fold_header(first)) if isinstance(first, str) else None
        if title is None:
            i += 1
            continue
        header = rows[i + 1] if i + 1 < len(rows) else []
        body, j = [], i + 2
        while j < len(rows) and any(v not in (None, "") for v in rows[j]):
            body.append(rows[j])
            j += 1
        width = len(header)
        frame = pd.DataFrame([list(r[:width]) + [None] * (width - len(r[:width])) for r in body],
                             columns=[str(h).strip() if h is not None else "" for h in header], dtype="object")
        blocks[title] = (i + 3, frame)  # 1-based sheet row of the first data row
        i = j
    return blocks


def _frame(frame, headers, start, source):
    missing = [h for h in headers if h not in frame.columns]
    if missing:
        raise ParamsInvalid(f"{source}: bảng bắt đầu ở dòng {start - 1} thiếu cột {', '.join(missing)}.")
    return frame


def _require(ok, frame, start, column, problem, source):
    bad = ~ok.to_numpy()
    if bad.any():
        row = start + int(bad.argmax())
        value = frame[column].iloc[int(bad.argmax())]
        raise ParamsInvalid(f"{source}, dòng {row}, cột {column}: '{'' if value is None else value}' {problem}.")


def _dates(frame, start, source):
    dates, _, bad = parse_dates(frame["Áp dụng từ ngày"])
    _require(~bad & dates.notna(), frame, start, "Áp dụng từ ngày", "không phải ngày hợp lệ (dd/mm/yyyy)", source)
    return dates


def _numbers(frame, column, start, source):
    values = pd.to_numeric(as_text(frame[column]).str.replace(",", ".", regex=False), errors="coerce")
    _require(values.notna() & (values >= 0), frame, start, column, "phải là số không âm", source)
    return values.astype("float64")


def _options(start, frame, source):
    values = {fold_header(k): (i, v) for i, (k, v) in enumerate(zip(frame.iloc[:, 0], frame.iloc[:, 1]))}
    out = {}

    def get(name):
        return values.get(fold_header(name), (None, None))

    for name, key in ((OPT_FROM, "review_from"), (OPT_TO, "review_to"), (OPT_AS_OF, "continuity_as_of")):
        i, v = get(name)
        if i is None:
            continue
        if v in (None, ""):
            out[key] = None
            continue
        dates, _, bad = parse_dates(pd.Series([v], dtype="object"))
        if bad.iloc[0] or dates.isna().iloc[0]:
            raise ParamsInvalid(f"{source}, dòng {start + i}, {name}: '{v}' không phải ngày hợp lệ (dd/mm/yyyy).")
        out[key] = dates.iloc[0].date()
    for name, key, choices in ((OPT_ROUNDING, "month_rounding", MONTH_ROUNDING),
                               (OPT_REVOCATION, "revocation_end", REVOCATION_END),
                               (OPT_DECREASE, "decrease_cut", DECREASE_CUT)):
        i, v = get(name)
        if i is None or v in (None, ""):
            continue
        by_label = {fold_header(label): code for code, label in choices.items()} | {code: code for code in choices}
        code = by_label.get(fold_header(v)) or by_label.get(str(v))
        if code is None:
            raise ParamsInvalid(
                f"{source}, dòng {start + i}, {name}: '{v}' không hợp lệ; chọn một trong: {', '.join(choices.values())}."
            )
        out[key] = code
    for name, key in ((OPT_NO_TOLERANCE, "no_tolerance_before"), (OPT_FLOOR, "five_year_floor")):
        i, v = get(name)
        if i is None or v in (None, ""):
            continue
        dates, _, bad = parse_dates(pd.Series([v], dtype="object"))
        if bad.iloc[0] or dates.isna().iloc[0]:
            raise ParamsInvalid(f"{source}, dòng {start + i}, {name}: '{v}' không phải ngày hợp lệ (dd/mm/yyyy).")
        out[key] = dates.iloc[0].date()
    i, v = get(OPT_MAX_GAP)
    if i is not None and v not in (None, ""):
        number = pd.to_numeric(str(v).replace(",", "."), errors="coerce")
        if pd.isna(number) or number < 0:
            raise ParamsInvalid(f"{source}, dòng {start + i}, {OPT_MAX_GAP}: '{v}' phải là số không âm.")
        out["max_gap_months"] = float(number)
    i, v = get(OPT_SUSPECT_THRESHOLD)
    if i is not None and v not in (None, ""):
        number = pd.to_numeric(str(v).replace(",", "."), errors="coerce")
        if pd.isna(number) or not 0 <= number <= 100:
            raise ParamsInvalid(f"{source}, dòng {start + i}, {OPT_SUSPECT_THRESHOLD}: '{v}' phải là số từ 0 đến 100.")
        out["suspect_threshold"] = float(number)
    for name, key in ((OPT_GAP_STRICT, "gap_strictly_less"), (OPT_COUNT_GAP, "count_gap_time"),
                      (OPT_SUSPECTS, "find_suspects")):
        i, v = get(name)
        if i is None or v in (None, ""):
            continue
        flag = {fold_header(YES): True, fold_header(NO): False, "true": True, "false": False, "1": True, "0": False}
        if fold_header(v) not in flag:
            raise ParamsInvalid(f"{source}, dòng {start + i}, {name}: '{v}' không hợp lệ; ghi Có hoặc Không.")
        out[key] = flag[fold_header(v)]
    i, v = get(OPT_CARD_PATTERN)
    if i is not None and v not in (None, ""):
        try:
            re.compile(str(v))
        except re.error:
            raise ParamsInvalid(f"{source}, dòng {start + i}, {OPT_CARD_PATTERN}: '{v}' không phải biểu thức hợp lệ.")
        out["card_pattern"] = str(v)
    if out.get("review_from") and out.get("review_to") and out["review_to"] < out["review_from"]:
        raise ParamsInvalid(f"{source}: '{OPT_TO}' trước '{OPT_FROM}'.")
    return out


def parse_cli_date(text: str) -> dt.date:
    """dd/mm/yyyy from the command line -> date (ValueError with a Vietnamese message)."""
    dates, _, bad = parse_dates(pd.Series([text], dtype="object"))
    if bad.iloc[0] or dates.isna().iloc[0]:
        raise ValueError(f"'{text}' không phải ngày hợp lệ (dd/mm/yyyy)")
    return dates.iloc[0].date()
