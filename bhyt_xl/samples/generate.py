"""Synthetic BHYT issuance lists for Khánh Hòa, and the cases of CV 493/BHXH-CST.

* :func:`generate_cards`: a realistic list (names, communes, groups, validity,
  duplicates, follow-on cards, revocations, cosmetic variants), vectorised
  with numpy/pandas (1,000,000 rows: about 10–15 s on the project machine).
* :func:`letter_cases`: hand-made rows for every case of the letter, with the
  verdict each card must get in :func:`letter_expectations` (and ``CASES.md``).
* :func:`make_sample`: the bundled workbook ``danh_sach_the_khanh_hoa.xlsx``,
  laid out like a real list; byte-identical when rebuilt.
* :func:`write_csv`: the same frame as CSV (dates as dd/mm/yyyy text).

``python -m bhyt_xl.samples.generate [OUT.xlsx]`` rebuilds the bundled workbook.
Everything is seeded: the same arguments give the same frame and the same file.
"""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = [
    "STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Ngày cấp",
    "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi", "Mã số BHXH", "Mã đơn vị", "Mã KCB", "Ghi chú",
]
DATE_COLUMNS = ["Ngày cấp", "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi"]
TEXT_COLUMNS = ["Mã thẻ", "Mã số BHXH", "Mã đơn vị", "Mã KCB"]

PROVINCE = "Khánh Hòa"
PROVINCE_CODE = "56"
SAMPLE_NAME = "danh_sach_the_khanh_hoa.xlsx"
SAMPLE_SEED = 493
SAMPLE_ROWS = 3000
SHEET_NAME = "Danh sách"
AGENCY = "BẢO HIỂM XÃ HỘI TỈNH KHÁNH HÒA"
TITLE = "DANH SÁCH CẤP THẺ BHYT CHO ĐỐI TƯỢNG DO NSNN ĐÓNG, HỖ TRỢ NĂM 2011 - 2012"
HEADER_ROW = 4  # 1-based; data from row 5
#: Fixed "created" time of the bundled workbook, so a rebuild is byte-identical.
SAMPLE_CREATED = dt.datetime(2013, 2, 25, 8, 0, 0)

# Shares of the generated rows.
EXTRA_SHARE = 0.05  # a second card for an existing person (most overlap: duplicates)
FOLLOW_SHARE = 0.02  # a card starting the day after the person's previous card ends
REVOKED_SHARE = 0.01
NO_ISSUE_DATE_SHARE = 0.05
VARIANT_SHARE = 0.30  # of the overlapping extra cards: cosmetic variants of the identity
YEAR_ONLY_SHARE = 0.03  # of people aged 60+: birth year only

# --------------------------------------------------------------------------
# Object codes: weight in the list, age range at the start of the list (years),
# age skew (u**skew, < 1 = older), share of men, benefit digit, living area,
# groups a second card of the same person plausibly comes from (used only when
# the person's age fits that group, see _AGE_FITS).
# --------------------------------------------------------------------------
_GROUP_SPEC = [
    ("XN", 0.4, 62, 92, 1.0, 0.70, 4, "all", "BT HN CB"),
    ("MS", 0.3, 65, 92, 1.0, 0.50, 4, "all", "BT HN KC"),
    ("CC", 1.0, 60, 95, 0.8, 0.50, 1, "all", "CK CB KC BT TS"),
    ("CK", 2.5, 45, 92, 1.0, 0.60, 2, "all", "CB KC BT TS HN"),
    ("CB", 2.5, 55, 90, 1.0, 0.95, 2, "all", "KC CK BT HN"),
    ("KC", 3.0, 58, 92, 1.0, 0.60, 2, "all", "CB CK BT HN"),
    ("HD", 0.3, 30, 65, 1.0, 0.70, 4, "all", "HN DT TC"),
    ("BT", 6.0, 6, 99, 0.5, 0.40, 2, "all", "HN DT CN KC"),
    ("HN", 12.0, 6, 90, 1.2, 0.50, 2, "all", "BT DT CN TC"),
    ("DT", 4.0, 6, 85, 1.2, 0.50, 2, "mountain", "HN DK BT"),
    ("DK", 1.5, 6, 85, 1.2, 0.50, 2, "mountain", "HN DT"),
    ("XD", 0.3, 6, 85, 1.2, 0.50, 2, "island", "HN BT"),
    ("TC", 1.5, 20, 85, 1.0, 0.40, 3, "all", "HN BT CN"),
    ("TS", 1.5, 40, 95, 0.8, 0.30, 2, "all", "BT HN TC"),
    ("TQ", 2.5, 6, 85, 1.0, 0.45, 4, "all", "HN CN TA"),
    ("TA", 1.5, 6, 85, 1.0, 0.45, 4, "all", "TQ HN CN"),
    ("TY", 0.2, 6, 80, 1.0, 0.45, 4, "all", "TQ HN"),
    ("TE", 18.0, 0, 5, 1.0, 0.51, 1, "all", "HN DT TA TQ BT"),
    ("CN", 8.0, 6, 85, 1.2, 0.50, 3, "all", "HN BT TC"),
    ("HS", 20.0, 6, 17, 1.0, 0.50, 4, "all", "HN CN DT TQ TA BT"),
    ("SV", 4.0, 18, 23, 1.0, 0.50, 4, "all", "HN CN DT TQ"),
]
#: Ages (years, at the start of the list) at which a person may also hold a card of the group:
#: children can be on poor-household, ethnic-minority or relatives' lists too.
_AGE_FITS = {c: (0, 99) for c in ("BT", "HN", "DT", "DK", "XD", "TQ", "TA", "TY", "CN")}
_CODES = [s[0] for s in _GROUP_SPEC]
_CODE_INDEX = {c: i for i, c in enumerate(_CODES)}
_LEVEL = {s[0]: s[6] for s in _GROUP_SPEC}
_TE = _CODE_INDEX["TE"]
_HS = _CODE_INDEX["HS"]

# --------------------------------------------------------------------------
# Khánh Hòa in 2011–2012: districts (share of people) and their communes.
# --------------------------------------------------------------------------
_DISTRICTS = [
    ("Thành phố Nha Trang", 0.30,
     "Phường: Vĩnh Hải, Vĩnh Phước, Vĩnh Thọ, Xương Huân, Vạn Thắng, Vạn Thạnh, Phương Sài, Phương Sơn, "
     "Ngọc Hiệp, Phước Hòa, Phước Tân, Phước Tiến, Phước Hải, Lộc Thọ, Tân Lập, Vĩnh Nguyên, Vĩnh Trường, "
     "Phước Long, Vĩnh Hòa; Xã: Vĩnh Lương, Vĩnh Phương, Vĩnh Ngọc, Vĩnh Thạnh, Vĩnh Trung, Vĩnh Hiệp, "
     "Vĩnh Thái, Phước Đồng"),
    ("Thành phố Cam Ranh", 0.11,
     "Phường: Cam Nghĩa, Cam Phúc Bắc, Cam Phúc Nam, Cam Lộc, Cam Phú, Ba Ngòi, Cam Thuận, Cam Lợi, Cam Linh; "
     "Xã: Cam Thành Nam, Cam Phước Đông, Cam Thịnh Tây, Cam Thịnh Đông, Cam Lập, Cam Bình"),
    ("Thị xã Ninh Hòa", 0.20,
     "Phường: Ninh Hiệp, Ninh Đa, Ninh Giang, Ninh Hà, Ninh Diêm, Ninh Thủy, Ninh Hải; "
     "Xã: Ninh Sơn, Ninh Tây, Ninh Thượng, Ninh An, Ninh Thọ, Ninh Trung, Ninh Sim, Ninh Xuân, Ninh Thân, "
     "Ninh Đông, Ninh Phụng, Ninh Bình, Ninh Phước, Ninh Phú, Ninh Tân, Ninh Quang, Ninh Hưng, Ninh Lộc, "
     "Ninh Ích, Ninh Vân"),
    ("Huyện Vạn Ninh", 0.11,
     "Thị trấn: Vạn Giã; Xã: Đại Lãnh, Vạn Phước, Vạn Long, Vạn Bình, Vạn Thọ, Vạn Khánh, Vạn Phú, Vạn Lương, "
     "Vạn Thắng, Vạn Thạnh, Xuân Sơn, Vạn Hưng"),
    ("Huyện Diên Khánh", 0.12,
     "Thị trấn: Diên Khánh; Xã: Diên Lâm, Diên Điền, Diên Xuân, Diên Sơn, Diên Đồng, Diên Phú, Diên Thọ, "
     "Diên Phước, Diên Lạc, Diên Tân, Diên Hòa, Diên Thạnh, Diên Toàn, Diên An, Diên Bình, Suối Hiệp, Suối Tiên"),
    ("Huyện Khánh Vĩnh", 0.035,
     "Thị trấn: Khánh Vĩnh; Xã: Khánh Bình, Khánh Đông, Khánh Hiệp, Khánh Nam, Khánh Phú, Khánh Thành, "
     "Khánh Thượng, Khánh Trung, Sông Cầu, Cầu Bà, Liên Sang, Sơn Thái, Giang Ly"),
    ("Huyện Khánh Sơn", 0.025,
     "Thị trấn: Tô Hạp; Xã: Ba Cụm Bắc, Ba Cụm Nam, Sơn Bình, Sơn Hiệp, Sơn Lâm, Sơn Trung, Thành Sơn"),
    ("Huyện Cam Lâm", 0.09,
     "Thị trấn: Cam Đức; Xã: Cam An Bắc, Cam An Nam, Cam Hải Đông, Cam Hải Tây, Cam Hiệp Bắc, Cam Hiệp Nam, "
     "Cam Hòa, Cam Phước Tây, Cam Tân, Cam Thành Bắc, Sơn Tân, Suối Cát, Suối Tân"),
]
_MOUNTAIN_DISTRICTS = {"Huyện Khánh Vĩnh": 0.55, "Huyện Khánh Sơn": 0.40}
_ISLAND_COMMUNES = {"Cam Bình"}


def _commune_table() -> pd.DataFrame:
    rows = []
    for d, (district, share, spec) in enumerate(_DISTRICTS):
        for part in spec.split(";"):
            kind, names = part.split(":")
            for name in names.split(","):
                rows.append((d, district, share, kind.strip(), name.strip()))
    t = pd.DataFrame(rows, columns=["district_no", "district", "district_share", "kind", "commune"])
    t["village_kind"] = np.where(t["kind"] == "Xã", "Thôn", "Tổ dân phố")
    t["unit_no"] = np.arange(1, len(t) + 1)
    # A fixed number of villages per commune (independent of the seed): ~3,400 in all.
    t["villages"] = np.random.default_rng(56).integers(10, 41, len(t))
    n_in_district = t.groupby("district_no")["commune"].transform("size")
    t["w_all"] = t["district_share"] / n_in_district
    mountain = t["district"].map(_MOUNTAIN_DISTRICTS).fillna(0.05 / 6)
    t["w_mountain"] = mountain / n_in_district
    t["w_island"] = t["commune"].isin(_ISLAND_COMMUNES).astype(float)
    for col in ["w_all", "w_mountain", "w_island"]:
        t[col] = t[col] / t[col].sum()
    return t


COMMUNES = _commune_table()


def _village_table() -> pd.DataFrame:
    c = COMMUNES
    rep = np.repeat(np.arange(len(c)), c["villages"].to_numpy())
    no = np.arange(len(rep)) - np.repeat(np.cumsum(c["villages"].to_numpy()) - c["villages"].to_numpy(),
                                         c["villages"].to_numpy()) + 1
    v = c.iloc[rep].reset_index(drop=True)
    v["village_no"] = no
    v["address"] = (v["village_kind"] + " " + v["village_no"].astype(str) + ", " + v["kind"] + " "
                    + v["commune"] + ", " + v["district"] + ", " + PROVINCE)
    return v


VILLAGES = _village_table()


def _commune(commune: str) -> pd.Series:
    return COMMUNES.loc[COMMUNES["commune"] == commune].iloc[0]


def address_of(village_no: int, commune: str) -> str:
    """Address in the list's style for a village number of a real commune.

    e.g. address_of(93, "Diên Phú") -> "Thôn 93, Xã Diên Phú, Huyện Diên Khánh, Khánh Hòa"
    """
    c = _commune(commune)
    return f"{c['village_kind']} {village_no}, {c['kind']} {commune}, {c['district']}, {PROVINCE}"


def unit_code(code: str, commune: str) -> str:
    """Code of the unit that drew up the list: object code + commune number ("TE0123")."""
    return f"{code}{int(_commune(commune)['unit_no']):04d}"


def kcb_code(commune: str, facility: int = 1) -> str:
    """Primary-care facility code: province + district number + facility ("56041")."""
    return f"{PROVINCE_CODE}{int(_commune(commune)['district_no']) * 10 + facility:03d}"


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------
_SURNAMES = (
    "Nguyễn 38, Trần 11, Lê 9.5, Phạm 6.5, Huỳnh 4.5, Hoàng 1.5, Phan 4.5, Võ 4, Vũ 1, Đặng 2, Bùi 2, Đỗ 1.5, "
    "Hồ 2, Ngô 1.5, Dương 1, Lý 0.5, Đào 0.7, Đoàn 0.8, Cao 0.6, Trương 1.2, Mai 0.6, Lương 0.5, Tạ 0.2, "
    "Châu 0.4, Hà 0.5, La 0.2, Lâm 0.5, Tô 0.3, Thái 0.4, Kiều 0.2, Từ 0.2, Quách 0.1, Tôn 0.2, Đinh 0.8, "
    "Trịnh 0.5, Lưu 0.3, Văn 0.2, Nông 0.1, Âu 0.1"
)
_RAGLAI_SURNAMES = "Mấu 4, Bo Bo 3, Cao 3, Pi Năng 2, Katơ 2, Tro 1, Ma 1"
_MIDDLE_MALE = (
    "Văn 40, Hữu 6, Đức 6, Minh 6, Quang 5, Công 5, Ngọc 4, Thanh 5, Xuân 3, Đình 4, Quốc 4, Tấn 4, "
    "Trọng 2, Anh 3, Hoàng 2, Nhật 2, Gia 2, Bá 2"
)
_MIDDLE_FEMALE = (
    "Thị 55, Ngọc 6, Thanh 4, Kim 4, Mỹ 4, Thu 4, Bích 3, Minh 2, Hồng 3, Phương 3, Thùy 3, Diệu 2, "
    "Bảo 2, Tường 1, Ánh 2"
)
_SECOND_MIDDLE_FEMALE = "Thu 4, Ngọc 3, Kim 3, Mỹ 3, Bích 2, Hồng 2, Thanh 2, Xuân 2, Thúy 1, Hoài 1"
_GIVEN_MALE = (
    "An Anh Bảo Bình Cường Chiến Chính Công Cảnh Dũng Duy Dương Đạt Định Đông Đức Giang Hải Hào Hiếu Hiển "
    "Hiệp Hòa Hoàng Hùng Huy Hưng Hậu Khang Khánh Khoa Khôi Kiên Lâm Linh Lộc Long Luân Lực Mạnh Minh Nam "
    "Nghĩa Nguyên Nhân Nhật Ninh Phát Phong Phú Phúc Phước Phương Quang Quân Quốc Quý Sang Sơn Tài Tâm Tân "
    "Thạch Thái Thắng Thanh Thành Thiện Thịnh Thọ Thông Thuận Tiến Toàn Trí Trọng Trung Trường Tú Tuấn Tùng "
    "Việt Vinh Vũ Vương Xuân Bằng Cần Châu Danh Được Hạnh Hiền Hoan Hợp Khải Lãm Lành Lợi Mến Nhơn Phụng Sỹ "
    "Tấn Thạnh Thiệu Tịnh Triều Trực Tư Tín Út Lượng Mười Năm Sáu Bảy Tám Chín Kha Khiêm Lai Mẫn Nhàn Quế "
    "Sĩ Thân Thức Tòng Trình Tuyên Uy Bốn Ba Hai Dứt Chạnh Thủy Thụy Khoái Ngoạn Hoạt"
)
_GIVEN_FEMALE = (
    "An Anh Ánh Bích Châu Chi Diễm Diệp Dung Duyên Giang Hà Hạnh Hằng Hân Hiền Hoa Hòa Hồng Huệ Hương "
    "Hường Huyền Khánh Kiều Lan Liên Liễu Linh Loan Lộc Ly Mai Mận My Mỹ Nga Ngân Ngọc Nguyệt Nhàn Nhi "
    "Nhung Nương Oanh Phượng Phương Quyên Quỳnh Sen Sương Tâm Thảo Thắm Thanh Thơ Thoa Thu Thủy Thúy Thư "
    "Thương Tiên Trâm Trang Trinh Tuyết Uyên Vân Vy Xuân Yến Bé Cúc Đào Điệp Gấm Hậu Huyên Kim Lài Lệ Lụa "
    "Mến Mơ Muội Nở Nụ Phấn Phúc Sáu Tám Thêu Thi Thìn Tình Tươi Út Vàng Xoan Yên Hoài Ngà Nhạn Thuận Trúc "
    "Tú Hảo Hoàn Khuyên Lành Lựu Ngát Nhị Quế Túy Thỏa Lụy Nhụy"
)


def _weighted(spec: str) -> tuple[np.ndarray, np.ndarray]:
    items = [p.strip().rsplit(" ", 1) for p in spec.split(",")]
    names = np.array([n for n, _ in items], dtype=object)
    w = np.array([float(x) for _, x in items])
    return names, w / w.sum()


def _zipf(spec: str) -> tuple[np.ndarray, np.ndarray]:
    # Written with the new tone placement (Hòa, Thủy); the old style is a cosmetic variant.
    names = list(dict.fromkeys(spec.split()))
    w = 1.0 / (np.arange(len(names)) + 8.0)
    return np.array(names, dtype=object), w / w.sum()


# --------------------------------------------------------------------------
# Tone placement (old "hoà, thuỷ" vs new "hòa, thủy") for open syllables only.
# --------------------------------------------------------------------------
_TONES = ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


def _tone_pairs() -> list[tuple[str, str]]:
    pairs = []
    for first, second in [("o", "a"), ("o", "e"), ("u", "y")]:
        for t in _TONES:
            new = unicodedata.normalize("NFC", first + t + second)
            old = unicodedata.normalize("NFC", first + second + t)
            pairs.append((new, old))
    return pairs


_TONE_PAIRS = _tone_pairs()


def _old_tone(s: pd.Series) -> pd.Series:
    """New-style tone placement -> old style in open syllables: "Hòa" -> "Hoà", "Thủy" -> "Thuỷ"."""
    for new, old in _TONE_PAIRS:
        s = s.str.replace(rf"(?<![qQ]){new}(?!\w)", old, regex=True)
    return s


# --------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------
_DAY = np.timedelta64(1, "D")


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers -> zero-padded digit strings (numpy U<width> array)."""
    s = (np.asarray(values, dtype=np.int64) + 10**width).astype(f"U{width + 1}")
    return np.ascontiguousarray(s.view("U1").reshape(-1, width + 1)[:, 1:]).view(f"U{width}").ravel()


def _bijection(index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Distinct pseudo-random 10-digit numbers for distinct indexes (< 10**10)."""
    mult = int(rng.integers(10**8, 10**9)) * 10 + 3  # ends in 3: coprime with 10**10
    add = int(rng.integers(0, 10**10))
    return (np.asarray(index, dtype=np.int64) * mult + add) % 10**10


def _add_months(months: np.ndarray, n, day: np.ndarray | int = 1) -> np.ndarray:
    """First-of-month + n months, on day ``day`` (clipped to the month's length)."""
    m = months + np.asarray(n).astype("timedelta64[M]")
    first = m.astype("datetime64[D]")
    dim = ((m + 1).astype("datetime64[D]") - first).astype(np.int64)
    return first + (np.minimum(np.asarray(day), dim) - 1).astype("timedelta64[D]")


def _year_start(years: np.ndarray) -> np.ndarray:
    return (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def _sixth_birthday(birth: np.ndarray) -> np.ndarray:
    bm = birth.astype("datetime64[M]")
    day = (birth - bm.astype("datetime64[D]")).astype(np.int64) + 1
    return _add_months(bm, 72, day)


def _pick(rng, names_w, size):
    names, w = names_w
    return names[rng.choice(len(names), size, p=w)]


def _cat(*parts) -> np.ndarray:
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


# --------------------------------------------------------------------------
# generate_cards
# --------------------------------------------------------------------------
def generate_cards(n: int, seed: int = 0, start_year: int = 2011, years: int = 2) -> pd.DataFrame:
    """A realistic list of ``n`` BHYT cards issued in Khánh Hòa (columns :data:`COLUMNS`).

    About 93% of the rows are people's regular cards (one per year; children
    under 6 one card to the 6th birthday), 5% a second card for an existing
    person (another group or the same group, start shifted ±5 months; most
    overlap, i.e. duplicates; 30% of those carry cosmetic variants of the name
    or address), 2% follow-on cards that start the day after the person's
    previous card ends (not duplicates); 1% of cards are revoked. Same seed ->
    identical frame.
    """
    return _generate(n, seed, start_year, years)[0]


def generate_cards_with_truth(n: int, seed: int = 0, start_year: int = 2011,
                              years: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`generate_cards` plus what the generator knows (same index).

    Truth columns: ``person`` (int, same for all cards of one generated person),
    ``kind`` ("base", "extra" or "follow"), ``overlaps`` (the card's validity
    overlaps another card of the same person), ``variant`` (cosmetic variant
    applied: "", "upper", "spaces", "nfd", "tone", "punct").
    """
    return _generate(n, seed, start_year, years)


def _generate(n: int, seed: int, start_year: int, years: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    if n < 0 or years < 1:
        raise ValueError("n must be >= 0 and years >= 1")
    rng = np.random.default_rng(seed)
    w0 = np.datetime64(f"{start_year:04d}-01-01", "D")
    w1 = np.datetime64(f"{start_year + years - 1:04d}-12-31", "D")
    n_extra = int(round(n * EXTRA_SHARE))
    n_follow = int(round(n * FOLLOW_SHARE))
    n_base = n - n_extra - n_follow

    spec = pd.DataFrame(_GROUP_SPEC, columns=["code", "w", "amin", "amax", "skew", "p_male", "level", "area",
                                              "alts"])
    gw = spec["w"].to_numpy() / spec["w"].sum()
    # Alternative groups as a padded index matrix.
    alts = [[_CODE_INDEX[a] for a in s.split()] for s in spec["alts"]]
    alt_len = np.array([len(a) for a in alts])
    alt_mat = np.array([a + [a[0]] * (alt_len.max() - len(a)) for a in alts])
    fit_lo = np.array([_AGE_FITS.get(c, (lo, hi))[0] for c, lo, hi in zip(spec["code"], spec["amin"], spec["amax"])])
    fit_hi = np.array([_AGE_FITS.get(c, (lo, hi))[1] for c, lo, hi in zip(spec["code"], spec["amin"], spec["amax"])])

    def other_group(person: np.ndarray, same: np.ndarray) -> np.ndarray:
        """The person's group where ``same``, else a plausible other group that fits their age."""
        cur = g[person]
        alt = alt_mat[cur, (rng.random(len(person)) * alt_len[cur]).astype(np.int64)]
        age = (w0 - birth[person]).astype(np.int64) / 365.25
        fits = (age >= fit_lo[alt]) & (age < fit_hi[alt] + 1)
        return np.where(same | ~fits, cur, alt)

    # ---- people --------------------------------------------------------------
    mean_cards = gw[_TE] + (1 - gw[_TE]) * (0.85 * years + 0.15 * (years + 1) / 2)
    P = int(max(n_base, 1) / mean_cards * 1.15) + 20
    g = rng.choice(len(gw), P, p=gw)
    male = rng.random(P) < spec["p_male"].to_numpy()[g]
    # birth dates
    amin, amax, skew = (spec[c].to_numpy()[g] for c in ("amin", "amax", "skew"))
    age_days = ((amin + (amax - amin + 1) * rng.random(P) ** skew) * 365.25).astype(np.int64)
    birth = w0 - age_days.astype("timedelta64[D]")
    te_lo = (w0.astype("datetime64[M]") - np.timedelta64(72, "M")).astype("datetime64[D]") + _DAY
    te_span = int((w1 - np.timedelta64(30, "D") - te_lo).astype(np.int64))
    te_birth = te_lo + rng.integers(0, te_span + 1, P).astype("timedelta64[D]")
    is_te = g == _TE
    birth = np.where(is_te, te_birth, birth)
    bday6 = _sixth_birthday(birth)
    year_only = (age_days >= 60 * 365.25) & ~is_te & (rng.random(P) < YEAR_ONLY_SHARE)
    # names
    area = spec["area"].to_numpy()[g]
    surname = _pick(rng, _weighted(_SURNAMES), P)
    raglai = (area == "mountain") & (rng.random(P) < 0.7)
    surname = np.where(raglai, _pick(rng, _weighted(_RAGLAI_SURNAMES), P), surname)
    middle = np.where(male, _pick(rng, _weighted(_MIDDLE_MALE), P), _pick(rng, _weighted(_MIDDLE_FEMALE), P))
    two = ~male & (middle == "Thị") & (rng.random(P) < 0.15)
    middle = np.where(two, middle + " " + _pick(rng, _weighted(_SECOND_MIDDLE_FEMALE), P), middle)
    given = np.where(male, _pick(rng, _zipf(_GIVEN_MALE), P), _pick(rng, _zipf(_GIVEN_FEMALE), P))
    no_middle = rng.random(P) < 0.03
    name = np.where(no_middle, _cat(surname, " ", given), _cat(surname, " ", middle, " ", given))
    # where they live
    commune = np.empty(P, dtype=np.int64)
    for kind in ("all", "mountain", "island"):
        sel = area == kind
        commune[sel] = rng.choice(len(COMMUNES), int(sel.sum()), p=COMMUNES[f"w_{kind}"].to_numpy())
    vill_first = np.concatenate([[0], np.cumsum(COMMUNES["villages"].to_numpy())[:-1]])
    village = vill_first[commune] + (rng.random(P) * COMMUNES["villages"].to_numpy()[commune]).astype(np.int64)
    address = VILLAGES["address"].to_numpy(dtype=object)[village]
    district = COMMUNES["district_no"].to_numpy()[commune]
    kcb = district * 10 + rng.integers(1, 7, P)
    bhxh = np.where(rng.random(P) < 0.70, _zfill(_bijection(np.arange(P), rng), 10).astype(object), "")
    digits = _bijection(np.arange(P), rng)  # the person's 10 card digits
    # how many yearly cards
    if years > 1:
        counts = np.where(rng.random(P) < 0.85, years, rng.integers(1, years + 1, P))
    else:
        counts = np.ones(P, dtype=np.int64)
    counts = np.where(is_te, 1, counts)
    first_idx = (rng.random(P) * (years - counts + 1)).astype(np.int64)
    partial_first = rng.random(P) < 0.08
    # keep just enough people for n_base cards
    cum = np.cumsum(counts)
    P = int(np.searchsorted(cum, n_base)) + 1 if n_base > 0 else 0
    counts = counts[:P].copy()
    if P:
        counts[-1] -= cum[P - 1] - n_base

    # ---- base cards ----------------------------------------------------------
    pid = np.repeat(np.arange(P), counts)
    k = np.arange(n_base) - np.repeat(np.cumsum(counts) - counts, counts)
    year = start_year + first_idx[pid] + k
    vf = _year_start(year)
    vt = _year_start(year + 1) - _DAY
    partial = partial_first[pid] & (k == 0)
    p_day = np.where(rng.random(n_base) < 0.3, 16, 1)
    p_start = _add_months(vf.astype("datetime64[M]"), rng.integers(1, 12, n_base), p_day)
    vf = np.where(partial, p_start, vf)
    te_card = is_te[pid]
    vf = np.where(te_card, np.maximum(w0, birth[pid]), vf)
    vt = np.where(te_card, bday6[pid], vt)
    grp = g[pid]
    base_digits = digits[pid]

    # ---- follow-on cards -----------------------------------------------------
    last = np.cumsum(counts) - 1
    last_start_month = (vf[last].astype("datetime64[M]") - vf[last].astype("datetime64[Y]")).astype(np.int64)
    ok_adult = ~is_te[:P] & (last_start_month <= 9)
    ok_child = is_te[:P] & (bday6[:P] <= w1 - np.timedelta64(31, "D"))
    eligible = np.flatnonzero(ok_adult | ok_child)
    n_follow = min(n_follow, len(eligible))
    fp = np.sort(rng.choice(eligible, n_follow, replace=False)) if n_follow else np.array([], dtype=np.int64)
    fr = last[fp]  # the card it follows
    child = is_te[fp]
    em = np.maximum(last_start_month[fp], 2) + (
        rng.random(n_follow) * (11 - np.maximum(last_start_month[fp], 2))).astype(np.int64)  # month 3..11
    new_end = _add_months(vf[fr].astype("datetime64[Y]").astype("datetime64[M]"), em + 1) - _DAY
    vt[fr] = np.where(child, vt[fr], new_end)
    f_vf = vt[fr] + _DAY
    f_vt = (f_vf.astype("datetime64[Y]") + 1).astype("datetime64[D]") - _DAY
    same = rng.random(n_follow) < 0.5
    f_grp = np.where(child, _HS, other_group(fp, same))
    f_digits = np.where(same | (rng.random(n_follow) < 0.5), digits[fp], _bijection(P + np.arange(n_follow), rng))

    # ---- extra cards (second card of an existing person) ---------------------
    is_follow_person = np.zeros(P, dtype=bool)
    is_follow_person[fp] = True
    n_extra += n - n_base - n_follow - n_extra  # follow-on cards that found no eligible person
    cand = np.flatnonzero(~is_follow_person[pid])
    if len(cand) == 0:
        cand = np.arange(n_base)
    ref = rng.choice(cand, n_extra, replace=n_extra > len(cand)) if n_extra else np.array([], dtype=np.int64)
    xp = pid[ref]
    x_same = rng.random(n_extra) < 0.3
    x_grp = other_group(xp, x_same)
    x_day = np.where(rng.random(n_extra) < 0.15, 16, 1)
    x_vf = _add_months(vf[ref].astype("datetime64[M]"), rng.integers(-5, 6, n_extra), x_day)
    x_vf = np.clip(x_vf, w0, w1.astype("datetime64[M]").astype("datetime64[D]"))
    x_vt = _add_months(x_vf.astype("datetime64[M]"), rng.integers(3, 13, n_extra),
                       (x_vf - x_vf.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1) - _DAY
    x_vt = np.minimum(x_vt, w1)
    x_te = x_grp == _TE
    x_vt = np.where(x_te, bday6[xp], x_vt)
    x_vf = np.maximum(x_vf, birth[xp])
    x_vf = np.where(x_vf > x_vt, np.maximum(w0, birth[xp]), x_vf)
    x_vt = np.maximum(x_vt, x_vf)
    x_digits = np.where(~x_same & (rng.random(n_extra) < 0.4), digits[xp],
                        _bijection(P + n_follow + np.arange(n_extra), rng))

    # ---- all cards -----------------------------------------------------------
    kind = np.concatenate([np.full(n_base, "base"), np.full(n_follow, "follow"), np.full(n_extra, "extra")])
    person = np.concatenate([pid, fp, xp])
    grp = np.concatenate([grp, f_grp, x_grp])
    vf = np.concatenate([vf, f_vf, x_vf])
    vt = np.concatenate([vt, f_vt, x_vt])
    card_digits = np.concatenate([base_digits, f_digits, x_digits])
    N = len(kind)
    assert N == n

    # issue date: a few days/weeks before the start; some extra cards issued late
    lead = rng.integers(3, 46, N)
    late = (kind == "extra") & (rng.random(N) < 0.25)
    issue = np.where(late, vf + rng.integers(0, 61, N).astype("timedelta64[D]"),
                     vf - lead.astype("timedelta64[D]"))
    issue = np.where(rng.random(N) < NO_ISSUE_DATE_SHARE, np.datetime64("NaT"), issue)
    # revoked cards: revocation inside the validity
    revoked = rng.random(N) < REVOKED_SHARE
    span = (vt - vf).astype(np.int64) + 1
    rev = np.where(revoked, vf + (rng.random(N) * span).astype(np.int64).astype("timedelta64[D]"),
                   np.datetime64("NaT"))

    # overlap truth: sweep each person's cards in start order
    order = np.lexsort((vf, person))
    p_s, vf_s, vt_s = person[order], vf[order].astype(np.int64), vt[order].astype(np.int64)
    reach = np.maximum.accumulate(p_s * 10**7 + (vt_s + 10**6))  # running max end, reset per person
    prev_reach = np.concatenate([[-1], reach[:-1]])
    new_cluster = prev_reach < p_s * 10**7 + (vf_s + 10**6)
    cluster = np.cumsum(new_cluster)
    size = np.bincount(cluster)
    overlaps = np.empty(N, dtype=bool)
    overlaps[order] = size[cluster] > 1

    # identity strings, with cosmetic variants on some overlapping extra cards
    names = pd.Series(name[person], dtype=object)
    addrs = pd.Series(address[person], dtype=object)
    variant = np.full(N, "", dtype=object)
    pool = np.flatnonzero((kind == "extra") & overlaps)
    chosen = pool[rng.random(len(pool)) < VARIANT_SHARE]
    vtype = np.array(["upper", "spaces", "nfd", "tone", "punct"], dtype=object)[
        rng.integers(0, 5, len(chosen))]
    variant[chosen] = vtype
    sub = rng.integers(0, 3, N)
    for v in ("upper", "spaces", "nfd", "tone", "punct"):
        ix = chosen[vtype == v]
        if not len(ix):
            continue
        nm, ad = names.iloc[ix], addrs.iloc[ix]
        if v == "upper":
            nm = nm.str.upper()
        elif v == "spaces":
            s = sub[ix]
            nm = np.where(s == 0, nm.str.replace(" ", "  ", n=1, regex=False),
                          np.where(s == 1, " " + nm, nm + " "))
            ad = np.where(s == 2, ad.str.replace(", ", ",  ", n=1, regex=False), ad)
        elif v == "nfd":
            nm = nm.str.normalize("NFD")
            ad = np.where(sub[ix] == 0, ad, ad.str.normalize("NFD"))
        elif v == "tone":
            nm, ad = _old_tone(nm), _old_tone(ad)
        elif v == "punct":
            ad = ad.str.replace(", ", " ,", n=1, regex=False)
        names.iloc[ix] = np.asarray(nm, dtype=object)
        addrs.iloc[ix] = np.asarray(ad, dtype=object)

    # card number: code + benefit digit + province + 10 digits
    codes = np.array(_CODES, dtype="U2")[grp]
    levels = np.array([str(_LEVEL[c]) for c in _CODES], dtype="U1")[grp]
    chars = np.empty((N, 15), dtype="U1")
    chars[:, 0:2] = codes.view("U1").reshape(-1, 2)
    chars[:, 2] = levels
    chars[:, 3:5] = np.array(list(PROVINCE_CODE), dtype="U1")
    chars[:, 5:] = _zfill(card_digits, 10).view("U1").reshape(-1, 10)
    card_no = chars.view("U15").ravel()

    # birth column: Timestamps, or the year (int) when only the year is known
    birth_obj = pd.Series(birth.astype("datetime64[ns]"), dtype="datetime64[ns]").astype(object).to_numpy()
    birth_year = (birth.astype("datetime64[Y]").astype(np.int64) + 1970).astype(object)
    birth_obj = np.where(year_only, birth_year, birth_obj)

    unit_tab = np.array([f"{c}{u:04d}" for c in _CODES for u in COMMUNES["unit_no"]], dtype=object)
    kcb_tab = np.array([f"{PROVINCE_CODE}{i:03d}" for i in range(len(_DISTRICTS) * 10)], dtype=object)
    sex_tab = np.array(["Nữ", "Nam"], dtype=object)
    # A real list is grouped by unit; within a unit, by year, in no particular order.
    unit_ix = grp * len(COMMUNES) + commune[person]
    rows = np.lexsort((rng.random(N), vf.astype("datetime64[Y]").astype(np.int64), unit_ix))

    def col(a):
        return np.asarray(a)[rows]

    frame = pd.DataFrame({
        "STT": np.arange(1, N + 1, dtype=np.int64),
        "Mã thẻ": col(card_no).astype(object),
        "Họ và tên": col(names.to_numpy()),
        "Ngày sinh": pd.Series(col(birth_obj[person]), dtype=object),
        "Giới tính": col(sex_tab[male[person].astype(np.int64)]),
        "Địa chỉ": col(addrs.to_numpy()),
        "Mã đối tượng": col(codes).astype(object),
        "Ngày cấp": col(issue).astype("datetime64[ns]"),
        "Giá trị từ ngày": col(vf).astype("datetime64[ns]"),
        "Giá trị đến ngày": col(vt).astype("datetime64[ns]"),
        "Ngày thu hồi": col(rev).astype("datetime64[ns]"),
        "Mã số BHXH": col(bhxh[person]),
        "Mã đơn vị": col(unit_tab[unit_ix]),
        "Mã KCB": col(kcb_tab[kcb[person]]),
        "Ghi chú": np.full(N, "", dtype=object),
    }, columns=COLUMNS)
    truth = pd.DataFrame({
        "person": col(person), "kind": col(kind).astype(object), "overlaps": col(overlaps),
        "variant": col(variant),
    })
    return frame, truth


# --------------------------------------------------------------------------
# The cases of CV 493 (hand-made; verdicts in CASES.md and letter_expectations)
# --------------------------------------------------------------------------
NOT_DUPLICATE = "Không trùng"
KEPT = "Thẻ giữ lại"
DUPLICATE = "Cấp trùng"
DATA_ERROR = "Lỗi dữ liệu"


def _d(text: str | None):
    return None if text is None else pd.Timestamp(dt.datetime.strptime(text, "%d/%m/%Y"))


# People: key -> (name, birth, sex, village no, commune, BHXH number)
_PEOPLE = {
    "TH01": ("Nguyễn Văn B", "14/05/1948", "Nam", 91, "Phước Tiến", "5600000101"),
    "TH02": ("Dương Thị C", "02/09/1935", "Nữ", 92, "Ninh Thọ", ""),
    "TH03": ("Nguyễn Văn A", "23/07/2008", "Nam", 93, "Diên Phú", "5600000301"),
    "TH04": ("Trịnh Văn Đê", "10/10/1950", "Nam", 94, "Vạn Hưng", ""),
    "TH05": ("Đoàn Thị Ngải", "05/03/1970", "Nữ", 95, "Cam Hải Tây", "0056000501"),
    "TH06": ("Hồ Văn Lượm", "12/12/1960", "Nam", 96, "Cam Lộc", ""),
    "TH07": ("Võ Thị Kiệm", "03/04/1945", "Nữ", 97, "Khánh Phú", ""),
    "TH08": ("Huỳnh Văn Chót", "20/01/1942", "Nam", 98, "Diên Lâm", "5600000801"),
    "TH09": ("Lê Thị Dịu", "07/07/1938", "Nữ", 99, "Ninh Sim", ""),
    "TH10": ("Phạm Văn Tèo", "15/08/1993", "Nam", 90, "Ninh Hiệp", "5600001001"),
    "TH11": ("Cao Thị Nhớ", "11/11/1980", "Nữ", 91, "Sơn Bình", ""),
    "TH12": ("Nguyễn Thị Thúy", "19/05/1975", "Nữ", 92, "Diên Hòa", ""),
    "TH13": ("Phạm Thị Huệ", "30/01/1966", "Nữ", 93, "Cam An Bắc", ""),
    "TH14a": ("Trần Thị Hoa", "08/03/1990", "Nữ", 94, "Vĩnh Ngọc", ""),
    "TH14b": ("Trần Thị Hòa", "08/03/1990", "Nữ", 94, "Vĩnh Ngọc", ""),
    "TH15": ("Võ Văn Thìn", 1932, "Nam", 95, "Sông Cầu", ""),
    "TH16": ("Đặng Văn Sửu", "01/02/1985", "Nam", 97, "Vĩnh Nguyên", "5600001601"),
    "LD01": ("Bùi Thị Lựu", "31/02/1980", "Nữ", 96, "Ninh Xuân", ""),
    "LD02": ("Ngô Văn Tới", "04/04/1977", "Nam", 98, "Vạn Phú", ""),
    "LD03": ("", "09/09/1999", "Nam", 99, "Ba Ngòi", ""),
    "LD04": ("Lý Thị Mến", "17/06/1955", "Nữ", 90, "Phương Sài", ""),
    "LD05": ("Hà Văn Bền", "21/12/1958", "Nam", 92, "Cam Thành Bắc", ""),
}

# Cards: (person, card no. within the case, code, issue, valid from, valid to, revoked, note,
#         expected verdict, duplicate from, duplicate to, months, money, months 2011, money 2011,
#         months 2012, money 2012, overrides)
# Months and money were computed by hand (see CASES.md); tests check them with core.months.
_CARDS = [
    ("TH01", 1, "TA", "20/12/2010", "01/01/2011", "31/12/2011", None, "VD1 CV493: thẻ 1 (thân nhân công an)",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH01", 2, "TA", "24/06/2011", "01/07/2011", "31/12/2011", None,
     "VD1 CV493: thẻ 2, cùng nhóm, cấp sau, trùng 6 tháng",
     DUPLICATE, "01/07/2011", "31/12/2011", 6.00, 149_400, 6.00, 149_400, 0, 0, {}),
    ("TH02", 1, "BT", "15/12/2010", "01/01/2011", "31/12/2011", None, "VD2 CV493: thẻ 1 (bảo trợ xã hội)",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH02", 2, "HN", "22/06/2011", "01/07/2011", "31/12/2011", None,
     "VD2 CV493: thẻ 2 (người nghèo), trùng 6 tháng",
     DUPLICATE, "01/07/2011", "31/12/2011", 6.00, 149_400, 6.00, 149_400, 0, 0, {"text_dates": "d/m/yyyy"}),
    ("TH03", 1, "TE", "10/12/2010", "01/01/2011", "22/07/2014", None, "VD trẻ em CV493: thẻ 1",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH03", 2, "TE", "12/12/2011", "01/01/2012", "22/07/2014", None, "VD trẻ em CV493: thẻ 2 là thẻ cấp trùng",
     DUPLICATE, "01/01/2012", "22/07/2014", 30.71, 979_084, 0, 0, 12.00, 351_600, {}),
    ("TH04", 1, "HN", "16/12/2010", "01/01/2011", "31/12/2011", None,
     "TH04 khác nhóm: thẻ HN cấp trước nhưng nhóm thấp hơn",
     DUPLICATE, "01/07/2011", "31/12/2011", 6.00, 149_400, 6.00, 149_400, 0, 0, {}),
    ("TH04", 2, "CB", "20/06/2011", "01/07/2011", "31/12/2011", None, "TH04 khác nhóm: thẻ CB cấp sau, nhóm cao hơn",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH05", 1, "CN", "25/03/2012", "01/04/2012", "31/12/2012", None,
     "TH05 cùng nhóm: thẻ cấp trước, hiệu lực từ 01/04",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH05", 2, "CN", "10/04/2012", "01/01/2012", "31/12/2012", None,
     "TH05 cùng nhóm: thẻ cấp sau nhưng hiệu lực từ 01/01",
     DUPLICATE, "01/04/2012", "31/12/2012", 9.00, 276_900, 0, 0, 9.00, 276_900, {}),
    ("TH06", 1, "BT", "20/12/2011", "01/01/2012", "31/12/2012", None, "TH06 thẻ thu hồi: thẻ 1",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH06", 2, "HN", "20/02/2012", "01/03/2012", "31/12/2012", "15/06/2012",
     "TH06 thẻ cấp trùng đã thu hồi 15/06/2012",
     DUPLICATE, "01/03/2012", "15/06/2012", 3.50, 97_050, 0, 0, 3.50, 97_050, {}),
    ("TH07", 1, "KC", "18/12/2010", "01/01/2011", "31/12/2011", None, "TH07 tháng lẻ: thẻ 1",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH07", 2, "BT", "12/07/2011", "16/07/2011", "31/12/2011", None, "TH07 tháng lẻ: thẻ từ 16/07/2011",
     DUPLICATE, "16/07/2011", "31/12/2011", 5.52, 137_352, 5.52, 137_352, 0, 0, {"text_dates": "dd/mm/yyyy"}),
    ("TH08", 1, "CC", "15/12/2011", "01/01/2012", "30/06/2012", None, "TH08 ba thẻ: thẻ CC",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH08", 2, "CB", "20/04/2012", "01/05/2012", "31/12/2012", None, "TH08 ba thẻ: thẻ CB",
     DUPLICATE, "01/05/2012", "30/06/2012", 2.00, 63_000, 0, 0, 2.00, 63_000, {}),
    ("TH08", 3, "HN", "25/02/2012", "01/03/2012", "31/10/2012", None, "TH08 ba thẻ: thẻ HN trùng cả hai thẻ trên",
     DUPLICATE, "01/03/2012", "31/10/2012", 8.00, 238_800, 0, 0, 8.00, 238_800, {}),
    ("TH09", 1, "CK", "20/12/2010", "01/01/2011", "31/12/2012", None, "TH09 qua năm: thẻ CK hai năm",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH09", 2, "TC", "25/09/2011", "01/10/2011", "31/07/2012", None,
     "TH09 qua năm và qua 01/05/2012: thẻ TC",
     DUPLICATE, "01/10/2011", "31/07/2012", 10.00, 268_800, 3.00, 74_700, 7.00, 194_100, {}),
    ("TH10", 1, "HS", "20/12/2010", "01/01/2011", "30/09/2011", None, "TH10 thẻ nối tiếp: thẻ HS",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH10", 2, "SV", "25/09/2011", "01/10/2011", "31/12/2012", None, "TH10 thẻ nối tiếp: thẻ SV từ 01/10/2011",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH11", 1, "CN", "10/12/2011", "01/01/2012", "31/12/2012", None, "TH11 thẻ duy nhất",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH12", 1, "TS", "15/12/2011", "01/01/2012", "31/12/2012", None, "TH12 biến thể chữ: thẻ 1",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH12", 2, "CN", "20/04/2012", "01/05/2012", "31/12/2012", None,
     "TH12 biến thể chữ: chữ hoa, thừa dấu cách, bỏ dấu kiểu cũ (Thuý, Hoà)",
     DUPLICATE, "01/05/2012", "31/12/2012", 8.00, 252_000, 0, 0, 8.00, 252_000,
     {"name": "NGUYỄN  THỊ THUÝ ", "address": "Thôn 92, Xã Diên Hoà, Huyện Diên Khánh, Khánh Hoà"}),
    ("TH13", 1, "HN", "10/12/2010", "01/01/2011", "31/12/2011", None, "TH13 biến thể chữ: thẻ 1",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH13", 2, "CN", "25/08/2011", "01/09/2011", "31/12/2011", None,
     "TH13 biến thể chữ: Unicode tổ hợp (NFD), dấu cách đầu, \"Thôn 93 ,Xã\"",
     DUPLICATE, "01/09/2011", "31/12/2011", 4.00, 99_600, 4.00, 99_600, 0, 0,
     {"name": "nfd: Phạm Thị Huệ", "address": "nfd:Thôn 93 ,Xã Cam An Bắc, Huyện Cam Lâm, Khánh Hòa"}),
    ("TH14a", 1, "HN", "15/12/2011", "01/01/2012", "31/12/2012", None,
     "TH14 hai người khác nhau: Hoa (thanh ngang)",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH14b", 1, "CN", "15/12/2011", "01/01/2012", "31/12/2012", None,
     "TH14 hai người khác nhau: Hòa (dấu huyền)",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH15", 1, "KC", "18/12/2010", "01/01/2011", "31/12/2011", None, "TH15 chỉ có năm sinh: thẻ KC",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH15", 2, "BT", "20/12/2010", "01/01/2011", "31/12/2011", None, "TH15 chỉ có năm sinh: thẻ BT",
     DUPLICATE, "01/01/2011", "31/12/2011", 12.00, 286_800, 12.00, 286_800, 0, 0, {}),
    ("TH16", 1, "TQ", None, "01/01/2012", "31/12/2012", None, "TH16 cùng nhóm, thiếu ngày cấp: thẻ 1",
     KEPT, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("TH16", 2, "TQ", "20/01/2012", "01/02/2012", "31/12/2012", None, "TH16 cùng nhóm: thẻ 2 cấp 20/01/2012",
     DUPLICATE, "01/02/2012", "31/12/2012", 11.00, 326_700, 0, 0, 11.00, 326_700, {}),
    ("LD01", 1, "HN", "15/12/2011", "01/01/2012", "31/12/2012", None, "Lỗi: ngày sinh không có thật 31/02/1980",
     DATA_ERROR, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("LD02", 1, "CN", "20/06/2012", "01/07/2012", "30/06/2012", None, "Lỗi: ngày hết hạn trước ngày bắt đầu",
     DATA_ERROR, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("LD03", 1, "HS", "15/12/2011", "01/01/2012", "31/12/2012", None, "Lỗi: thiếu họ tên",
     DATA_ERROR, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("LD04", 1, "BT", "15/12/2011", "01/01/2012", "31/12/2012", None, "Lỗi: thiếu giới tính",
     DATA_ERROR, None, None, 0, 0, 0, 0, 0, 0, {"sex": ""}),
    ("LD04", 2, "HN", "15/12/2011", "01/01/2012", "31/12/2012", None,
     "LD04 thẻ đúng của cùng người (không ghép với dòng lỗi)",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
    ("LD05", 1, "HN", "15/12/2010", "01/01/2011", "31/12/2011", None, "Lỗi: mã thẻ không đọc được (HN12)",
     DATA_ERROR, None, None, 0, 0, 0, 0, 0, 0, {"card": "HN12"}),
    ("LD05", 2, "BT", "15/12/2010", "01/01/2011", "31/12/2011", None,
     "LD05 thẻ đúng của cùng người (không ghép với dòng lỗi)",
     NOT_DUPLICATE, None, None, 0, 0, 0, 0, 0, 0, {}),
]

_EXPECT_COLUMNS = ["case", "card", "Mã thẻ", "Mã đối tượng", "verdict", "dup_from", "dup_to", "months", "money",
                   "months_2011", "money_2011", "months_2012", "money_2012", "text_dates"]


def _case_card_no(case: str, card: int, code: str) -> str:
    num = int("".join(ch for ch in case if ch.isdigit()))
    sub = {"a": 1, "b": 2}.get(case[-1], 0)
    prefix = {"T": 9, "L": 8}[case[0]]
    return f"{code}{_LEVEL[code]}{PROVINCE_CODE}{prefix}9{num:03d}{sub}{card:02d}00"


def _letter_rows() -> list[dict]:
    rows = []
    for (key, no, code, issue, vf, vt, rev, note, *_expect, over) in _CARDS:
        name, birth, sex, village, commune, bhxh = _PEOPLE[key]
        address = address_of(village, commune)
        name = over.get("name", name)
        address = over.get("address", address)
        if name.startswith("nfd:"):
            name = unicodedata.normalize("NFD", name[4:])
        if address.startswith("nfd:"):
            address = unicodedata.normalize("NFD", address[4:])
        if isinstance(birth, int):
            birth_value = birth
        else:
            try:
                birth_value = _d(birth)
            except ValueError:
                birth_value = birth  # an impossible date stays text
        rows.append({
            "STT": 0,
            "Mã thẻ": over.get("card", _case_card_no(key, no, code)),
            "Họ và tên": name,
            "Ngày sinh": birth_value,
            "Giới tính": over.get("sex", sex),
            "Địa chỉ": address,
            "Mã đối tượng": code,
            "Ngày cấp": _d(issue),
            "Giá trị từ ngày": _d(vf),
            "Giá trị đến ngày": _d(vt),
            "Ngày thu hồi": _d(rev),
            "Mã số BHXH": bhxh,
            "Mã đơn vị": unit_code(code, commune),
            "Mã KCB": kcb_code(commune),
            "Ghi chú": note,
        })
    return rows


def letter_cases() -> pd.DataFrame:
    """The hand-made cards for every case of CV 493 (columns :data:`COLUMNS`).

    Each person has an identity (village numbers 90–99) that generated rows never
    use. ``Ghi chú`` names the case; the expected verdict of every card is in
    :func:`letter_expectations` and ``CASES.md``.
    """
    frame = pd.DataFrame(_letter_rows(), columns=COLUMNS)
    frame["STT"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame["Ngày sinh"] = frame["Ngày sinh"].astype(object)
    for c in DATE_COLUMNS:
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    return frame


def letter_expectations() -> pd.DataFrame:
    """Expected result of each hand-made card (same order as :func:`letter_cases`).

    ``verdict``: "Không trùng", "Thẻ giữ lại", "Cấp trùng" or "Lỗi dữ liệu".
    For duplicates: the duplicated period (``dup_from``–``dup_to``), months by
    the month rule (2 decimals) and money in đồng (rounded half up), in total
    and inside 2011 and 2012; ``text_dates`` says how the bundled workbook
    writes that row's dates ("" = real date cells).
    """
    cards = letter_cases()["Mã thẻ"].to_numpy()
    rows = []
    for card_no, (key, no, code, _i, _f, _t, _r, _n, verdict, d0, d1, m, money, m11, y11, m12, y12, over) in zip(
            cards, _CARDS):
        rows.append((key, no, card_no, code, verdict, _d(d0), _d(d1), float(m), int(money), float(m11), int(y11),
                     float(m12), int(y12), over.get("text_dates", "")))
    out = pd.DataFrame(rows, columns=_EXPECT_COLUMNS)
    for c in ("dup_from", "dup_to"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out


# --------------------------------------------------------------------------
# The bundled workbook
# --------------------------------------------------------------------------
def sample_frame() -> pd.DataFrame:
    """The rows of the bundled sample: generated list + hand-made cases, STT renumbered.

    The hand-made rows are inserted at seeded random places; the generated rows
    keep their order. Column ``_text_dates`` (dropped when writing) marks rows
    whose dates are written as text: "dd/mm/yyyy" or "d/m/yyyy".
    """
    gen = generate_cards(SAMPLE_ROWS, seed=SAMPLE_SEED)
    hand = letter_cases()
    rng = np.random.default_rng(SAMPLE_SEED)
    text_rows = rng.choice(len(gen), 30, replace=False)
    gen_text = np.full(len(gen), "", dtype=object)
    gen_text[text_rows] = np.where(np.arange(30) % 2 == 0, "dd/mm/yyyy", "d/m/yyyy")
    gen = gen.assign(_text_dates=gen_text)
    hand = hand.assign(_text_dates=letter_expectations()["text_dates"].to_numpy())
    pos = np.concatenate([np.arange(len(gen), dtype=float), rng.random(len(hand)) * len(gen)])
    both = pd.concat([gen, hand], ignore_index=True)
    both = both.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)
    both["STT"] = np.arange(1, len(both) + 1, dtype=np.int64)
    both["Ngày sinh"] = both["Ngày sinh"].astype(object)
    return both


def _date_text(value: pd.Timestamp, style: str) -> str:
    if style == "d/m/yyyy":
        return f"{value.day}/{value.month}/{value.year}"
    return value.strftime("%d/%m/%Y")


def make_sample(path: str | Path | None = None) -> Path:
    """Write the bundled sample workbook (sheet "Danh sách"); returns its path.

    Layout as in real lists: agency on row 1, merged title on row 2, header on
    row 4, data from row 5. Dates are real date cells (dd/mm/yyyy), except a
    few rows written as text ("dd/mm/yyyy" or "d/m/yyyy"), year-only birth
    dates (numbers) and the bad values of the data-error rows (text). Codes are
    text. The file is byte-identical when rebuilt.
    """
    import xlsxwriter

    path = Path(path) if path is not None else Path(__file__).with_name(SAMPLE_NAME)
    if path.is_dir():
        path = path / SAMPLE_NAME
    frame = sample_frame()
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": TITLE.capitalize(), "author": "BHXH tỉnh Khánh Hòa",
                       "comments": "Dữ liệu mẫu (giả lập) – bhyt_xl.samples.generate", "created": SAMPLE_CREATED})
    font = {"font_name": "Times New Roman", "font_size": 11}
    bold = wb.add_format({**font, "bold": True})
    title = wb.add_format({**font, "bold": True, "font_size": 13, "align": "center", "valign": "vcenter"})
    head = wb.add_format({**font, "bold": True, "border": 1, "align": "center", "valign": "vcenter",
                          "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({**font, "border": 1})
    text = wb.add_format({**font, "border": 1, "num_format": "@"})
    date = wb.add_format({**font, "border": 1, "num_format": "dd/mm/yyyy", "align": "center"})
    year = wb.add_format({**font, "border": 1, "num_format": "0", "align": "center"})
    center = wb.add_format({**font, "border": 1, "align": "center"})

    ws = wb.add_worksheet(SHEET_NAME)
    ws.write(0, 0, AGENCY, bold)
    ws.merge_range(1, 0, 1, len(COLUMNS) - 1, TITLE, title)
    ws.set_row(1, 24)
    ws.set_row(HEADER_ROW - 1, 33)
    for c, h in enumerate(COLUMNS):
        ws.write_string(HEADER_ROW - 1, c, h, head)
    widths = [6, 17, 24, 11, 8, 52, 8, 11, 11, 11, 11, 12, 9, 8, 40]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)

    first = HEADER_ROW  # 0-based row of the first data row
    text_styles = frame["_text_dates"].to_numpy()
    date_cols = {COLUMNS.index(c) for c in ["Ngày sinh", *DATE_COLUMNS]}
    text_cols = {COLUMNS.index(c) for c in TEXT_COLUMNS}
    center_cols = {COLUMNS.index(c) for c in ["Giới tính", "Mã đối tượng"]}
    values = frame[COLUMNS].to_numpy(dtype=object)
    for r, row in enumerate(values):
        style = text_styles[r]
        for c, v in enumerate(row):
            if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                ws.write_blank(first + r, c, None, date if c in date_cols else cell)
            elif c in date_cols and isinstance(v, dt.datetime):
                if style:
                    ws.write_string(first + r, c, _date_text(v, style), date)
                else:
                    ws.write_datetime(first + r, c, v.to_pydatetime() if isinstance(v, pd.Timestamp) else v, date)
            elif c in date_cols and isinstance(v, (int, np.integer)):
                ws.write_number(first + r, c, int(v), year)
            elif isinstance(v, str):
                if v == "":
                    ws.write_blank(first + r, c, None, text if c in text_cols else cell)
                else:
                    ws.write_string(first + r, c, v, text if c in text_cols else
                                    (date if c in date_cols else center if c in center_cols else cell))
            else:
                ws.write_number(first + r, c, int(v), center)
    last = first + len(values) - 1
    ws.autofilter(HEADER_ROW - 1, 0, last, len(COLUMNS) - 1)
    ws.freeze_panes(HEADER_ROW, 3)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(HEADER_ROW - 1)
    ws.fit_to_pages(1, 0)
    wb.close()
    return path


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def encode_cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it in Windows-1258: base letters (â ê ô ơ ư ă đ) precomposed, tones combining.

    Python's cp1258 codec has no precomposed toned letters, so "Hòa" is written
    as "Ho" + U+0300 + "a". For test files and fixtures of 8-bit CSV input.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
            out.append((base + "".join(c for c in d if c in _TONES)).encode("cp1258"))
    return b"".join(out)


def write_csv(df: pd.DataFrame, path: str | Path, encoding: str = "utf-8-sig") -> Path:
    """Write a card frame as CSV; dates as dd/mm/yyyy text, year-only births as the year.

    For tests of CSV input (default encoding UTF-8 with BOM, as Excel saves "CSV UTF-8").
    """
    path = Path(path)
    out = df.drop(columns=[c for c in df.columns if str(c).startswith("_")])
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime("%d/%m/%Y").fillna("")
        elif s.dtype == object:
            is_ts = s.map(lambda v: isinstance(v, dt.datetime)).to_numpy(dtype=bool)
            if is_ts.any():
                as_dates = pd.to_datetime(s.where(is_ts), errors="coerce").dt.strftime("%d/%m/%Y")
                out[c] = as_dates.where(is_ts, s.astype(str).where(s.notna(), "")).astype(object)
    out.to_csv(path, index=False, encoding=encoding)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m bhyt_xl.samples.generate [OUT.xlsx]``: rebuild the bundled sample."""
    argv = sys.argv[1:] if argv is None else argv
    out = make_sample(argv[0] if argv else None)
    print(f"Đã ghi {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
