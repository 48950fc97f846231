"""Rule tables and options, declared as data.

Every table here is a default that staff can override in the "Tham số" sheet
(or a params file read by :func:`bhyt_xl.io.params_io.read_params`). Each row
carries its legal source and a confidence mark taken from ``shared/domain.md``:
✅ confirmed, 🟡 secondary source, 🔶 inferred / from memory.

The core reads only :class:`Params`; it never reads a sheet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

# --------------------------------------------------------------------------
# Group priority order (the 13 groups of biểu 01, CV 17903/BTC-HCSN; CV 493 mục 1.1)
# --------------------------------------------------------------------------
GROUP_COLUMNS = ["rank", "name", "codes", "source", "confidence"]

_GROUP_ROWS = [
    (1, "Cán bộ xã đã nghỉ việc hưởng trợ cấp hằng tháng từ NSNN", "XN"),
    (2, "Người đang hưởng trợ cấp mất sức lao động hằng tháng từ NSNN", "MS"),
    (3, "Người có công với cách mạng", "CC, CK"),
    (4, "Cựu chiến binh", "CB"),
    (5, "Người tham gia kháng chiến", "KC"),
    (6, "Đại biểu Quốc hội, đại biểu HĐND các cấp", "HD"),
    (7, "Người hưởng trợ cấp bảo trợ xã hội hằng tháng", "BT"),
    (8, "Người thuộc hộ nghèo; người DTTS vùng khó khăn; người sống ở vùng ĐBKK, xã đảo", "HN, DT, DK, XD"),
    (9, "Thân nhân người có công với cách mạng", "TC, TS"),
    (10, "Thân nhân quân nhân, công an, người làm công tác cơ yếu", "TQ, TA, TY"),
    (11, "Trẻ em dưới 6 tuổi", "TE"),
    (12, "Người thuộc hộ gia đình cận nghèo", "CN"),
    (13, "Học sinh, sinh viên", "HS, SV"),
]

DEFAULT_GROUPS = pd.DataFrame(
    [(r, n, c, "Luật BHYT 2008 Điều 12 (thứ tự đề xuất, domain.md mục a)", "🔶") for r, n, c in _GROUP_ROWS],
    columns=GROUP_COLUMNS,
)

# --------------------------------------------------------------------------
# Base salary (lương tối thiểu chung / lương cơ sở), VND per month
# --------------------------------------------------------------------------
BASE_SALARY_COLUMNS = ["effective_from", "amount", "source", "confidence"]

DEFAULT_BASE_SALARY = pd.DataFrame(
    [
        (dt.date(2008, 1, 1), 540_000, "NĐ 166/2007/NĐ-CP", "🔶"),
        (dt.date(2009, 5, 1), 650_000, "NĐ 33/2009/NĐ-CP", "🔶"),
        (dt.date(2010, 5, 1), 730_000, "NĐ 28/2010/NĐ-CP", "🔶"),
        (dt.date(2011, 5, 1), 830_000, "NĐ 22/2011/NĐ-CP", "🔶"),
        (dt.date(2012, 5, 1), 1_050_000, "NĐ 31/2012/NĐ-CP", "🔶"),
        (dt.date(2013, 7, 1), 1_150_000, "NĐ 66/2013/NĐ-CP", "🔶"),
        (dt.date(2016, 5, 1), 1_210_000, "NĐ 47/2016/NĐ-CP", "🔶"),
        (dt.date(2017, 7, 1), 1_300_000, "NĐ 47/2017/NĐ-CP", "🔶"),
        (dt.date(2018, 7, 1), 1_390_000, "NĐ 72/2018/NĐ-CP", "🔶"),
        (dt.date(2019, 7, 1), 1_490_000, "NĐ 38/2019/NĐ-CP", "🟡"),
        (dt.date(2023, 7, 1), 1_800_000, "NĐ 24/2023/NĐ-CP", "🔶"),
        (dt.date(2024, 7, 1), 2_340_000, "NĐ 73/2024/NĐ-CP", "🟡"),
        (dt.date(2026, 7, 1), 2_530_000, "NĐ 161/2026/NĐ-CP (chưa kiểm chứng)", "🟡"),
    ],
    columns=BASE_SALARY_COLUMNS,
)

# --------------------------------------------------------------------------
# Premium rate (mức đóng BHYT, % of base salary)
# --------------------------------------------------------------------------
RATE_COLUMNS = ["effective_from", "rate_percent", "source", "confidence"]

DEFAULT_RATES = pd.DataFrame(
    [
        (dt.date(2008, 1, 1), 3.0, "Luật BHYT 2008, NĐ 62/2009/NĐ-CP", "🔶"),
        (dt.date(2015, 1, 1), 4.5, "Luật 46/2014/QH13, NĐ 105/2014/NĐ-CP Điều 2", "✅"),
    ],
    columns=RATE_COLUMNS,
)

# --------------------------------------------------------------------------
# Budget share (phần NSNN đóng / hỗ trợ), % of the premium, per object code
# --------------------------------------------------------------------------
BUDGET_COLUMNS = ["code", "effective_from", "share_percent", "source", "confidence"]

_FULLY_PAID = [c.strip() for _, _, codes in _GROUP_ROWS[:11] for c in codes.split(",")]
DEFAULT_BUDGET_SHARES = pd.DataFrame(
    [(c, dt.date(2008, 1, 1), 100.0, "NSNN đóng toàn bộ (Luật BHYT 2008 Điều 13)", "🔶") for c in _FULLY_PAID]
    + [
        ("CN", dt.date(2008, 1, 1), 50.0, "NĐ 62/2009/NĐ-CP: hỗ trợ tối thiểu 50%", "🔶"),
        ("CN", dt.date(2012, 7, 1), 70.0, "QĐ 797/QĐ-TTg (26/06/2012): hỗ trợ 70% (ngày áp dụng chưa kiểm chứng)", "🔶"),
        ("HS", dt.date(2008, 1, 1), 30.0, "NĐ 62/2009/NĐ-CP: hỗ trợ tối thiểu 30%", "🟡"),
        ("SV", dt.date(2008, 1, 1), 30.0, "NĐ 62/2009/NĐ-CP: hỗ trợ tối thiểu 30%", "🟡"),
    ],
    columns=BUDGET_COLUMNS,
)

# --------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------
MONTH_ROUNDING = {
    "none": "Không làm tròn",
    "2dp": "2 chữ số thập phân",
    "up": "Làm tròn lên tháng",
    "down": "Làm tròn xuống tháng",
}

REVOCATION_END = {
    "inclusive": "Đến hết ngày thu hồi",
    "day_before": "Đến ngày trước ngày thu hồi",
}

CARD_PATTERN_DEFAULT = r"^[A-Z]{2}\d{13}$"

DECREASE_CUT = {
    "end_of_month": "Đến hết tháng có ngày giảm",
    "decrease_date": "Đến ngày giảm",
}


@dataclasses.dataclass(frozen=True)
class Params:
    """All tables and options of one run. Build variants with :meth:`replace`."""

    groups: pd.DataFrame = dataclasses.field(default_factory=lambda: DEFAULT_GROUPS.copy())
    base_salary: pd.DataFrame = dataclasses.field(default_factory=lambda: DEFAULT_BASE_SALARY.copy())
    rates: pd.DataFrame = dataclasses.field(default_factory=lambda: DEFAULT_RATES.copy())
    budget_shares: pd.DataFrame = dataclasses.field(default_factory=lambda: DEFAULT_BUDGET_SHARES.copy())
    review_from: dt.date | None = None
    review_to: dt.date | None = None
    month_rounding: str = "2dp"
    revocation_end: str = "inclusive"
    card_pattern: str = CARD_PATTERN_DEFAULT
    # continuity (CV 1006; NĐ 146/2018 Điều 12 khoản 5)
    max_gap_months: float = 3.0
    gap_strictly_less: bool = False
    no_tolerance_before: dt.date = dt.date(2015, 1, 1)
    five_year_floor: dt.date = dt.date(2015, 1, 1)
    count_gap_time: bool = True
    continuity_as_of: dt.date | None = None  # evaluation date; None = every card
    # increases / decreases (CV 3881/BHXH-ST): a decrease cuts the card to ...
    decrease_cut: str = "end_of_month"
    # suspected duplicates ("Nghi trùng", issue 7): a list for staff, never money by itself
    find_suspects: bool = False
    suspect_threshold: float = 80.0  # minimum score 0-100 of a proposed pair

    def replace(self, **changes) -> "Params":
        return dataclasses.replace(self, **changes)

    # ---- derived lookups (cheap, computed on demand) ----
    def code_rank(self) -> dict[str, int]:
        """Object code -> group rank (1 = highest priority)."""
        out: dict[str, int] = {}
        for rank, codes in zip(self.groups["rank"], self.groups["codes"]):
            for code in split_codes(codes):
                out.setdefault(code, int(rank))
        return out

    def code_group_name(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, codes in zip(self.groups["name"], self.groups["codes"]):
            for code in split_codes(codes):
                out.setdefault(code, str(name))
        return out


def split_codes(codes: object) -> list[str]:
    """'CC, CK' -> ['CC', 'CK'] (also accepts ';' and spaces)."""
    if codes is None or (isinstance(codes, float) and pd.isna(codes)):
        return []
    text = str(codes).upper().replace(";", ",").replace("/", ",")
    return [c.strip() for c in text.replace(" ", ",").split(",") if c.strip()]



#: Which defaults rest on uncertain facts (shown in README and on the sheet).
UNCERTAIN_DEFAULTS = [
    "Thứ tự 13 nhóm đối tượng và mã đối tượng của từng nhóm (chưa có bản biểu 01 CV 17903/BTC-HCSN) 🔶",
    "Mức đóng 3% lương tối thiểu đến 31/12/2014 (NĐ 62/2009) 🔶",
    "Mức lương tối thiểu/lương cơ sở và ngày áp dụng trước 2019 🔶",
    "Tỷ lệ NSNN hỗ trợ hộ cận nghèo (50%, 70% từ 01/07/2012) và HS-SV (30%) 🔶",
    "Thẻ thu hồi có giá trị đến hết ngày thu hồi 🔶",
    "Số tháng: mỗi tháng tính theo tỷ lệ số ngày có thẻ trong tháng 🔶",
    "Liên tục 5 năm: gián đoạn tối đa 3 tháng (đúng 3 tháng vẫn liên tục), thời gian gián đoạn được tính; "
    "gián đoạn bắt đầu trước 01/01/2015 làm mất liên tục 🟡",
    "Báo giảm: thẻ có giá trị đến hết tháng có ngày giảm 🟡",
]
