"""Cell functions (UDFs) for the workbook: thin wrappers over the engine, callable from plain Python too.

=BHYT_SOTHANG(từ_ngày, đến_ngày)                   months covered (the engine's month rule)
=BHYT_THANGTRUNG(từ_1, đến_1, từ_2, đến_2)         months two periods share
=BHYT_MUCDONG(ngày[, mã_đối_tượng])                monthly premium in force (rate × base salary)
=BHYT_SOTIEN(từ_ngày, đến_ngày[, mã_đối_tượng])    money for a period (share of each month × its premium)
=BHYT_NHOM(mã_thẻ_hoặc_mã_đối_tượng)               "rank - group name" of the group table
=BHYT_KHOA(họ_tên, ngày_sinh, giới_tính, địa_chỉ)  the identity key the review matches on
=BHYT_KIEMTRAMATHE(mã_thẻ)                         "" when the card number is well formed, else why not
=BHYT_NGAYDU5NAM(vùng_từ_ngày, vùng_đến_ngày)      one person's cards -> the date of 5 continuous years

Every argument takes one cell or a range: Excel dates, date serial numbers
and dd/mm/yyyy text all work. Ranges are combined cell by cell (a single
cell goes with every cell of a range) and the result has the same shape, so
one formula can cover a whole column. The work is vectorised: each argument
becomes one Series and goes through the engine's own functions once. A cell
with bad input gives a Vietnamese message ("Lỗi: '31/02/2011' không phải ngày
hợp lệ") instead of #VALUE!; an empty cell gives "".

Rates, base salary, groups, rounding and the card pattern come from the
calling workbook's "Tham số" sheet (read once per workbook within
``PARAMS_CACHE_SECONDS``, i.e. once per recalculation in practice), else
from the defaults. From Python, pass ``params=Params(...)``.

The ``caller`` argument is xlwings' reserved one (the calling range), and
``params`` is passed as Nothing by the VBA wrappers; neither shows in Excel.
Names are valid VBA identifiers (the build generates the wrappers, see
``bhyt_xl/build/udf_module.py``); no function mixes optional arguments with *args.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import xlwings as xw

from bhyt_xl.core.identity import identity_keys
from bhyt_xl.core.money import monthly_premium
from bhyt_xl.core.months import as_days, month_fraction, round_months
from bhyt_xl.core.review import measure
from bhyt_xl.core.values import as_text, is_blank, parse_dates, parse_sex
from bhyt_xl.errors import BhytError
from bhyt_xl.params import CARD_PATTERN_DEFAULT, Params

PARAMS_CACHE_SECONDS = 2.0
_params_cache: dict[str, tuple[float, Params]] = {}
_DEFAULT = Params()

_CARD_CLEAN = r"[\s.\-_]"  # what the engine strips from card numbers (bhyt_xl.core.prepare)
_CARD_HINT = "cần 2 chữ cái và 13 chữ số, ví dụ HN2561234567890"


# ---------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------
@xw.func
@xw.arg("tu_ngay", ndim=2)
@xw.arg("den_ngay", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_SOTHANG(tu_ngay, den_ngay, caller=None, params=None):
    """Số tháng có thẻ từ ngày đến ngày (mỗi tháng tính theo tỷ lệ số ngày có thẻ); 01/07/2011–31/12/2011 → 6."""
    return _cellwise(_months, [tu_ngay, den_ngay], caller, params)


@xw.func
@xw.arg("tu1", ndim=2)
@xw.arg("den1", ndim=2)
@xw.arg("tu2", ndim=2)
@xw.arg("den2", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_THANGTRUNG(tu1, den1, tu2, den2, caller=None, params=None):
    """Số tháng trùng nhau của hai khoảng ngày; 01/01–31/12/2011 và 01/07/2011–31/12/2012 → 6."""
    return _cellwise(_overlap_months, [tu1, den1, tu2, den2], caller, params)


@xw.func
@xw.arg("ngay", ndim=2)
@xw.arg("ma_doi_tuong", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_MUCDONG(ngay, ma_doi_tuong=None, caller=None, params=None):
    """Mức đóng BHYT một tháng (đồng) của tháng chứa ngày: tỷ lệ đóng × lương cơ sở; 01/06/2011 → 24.900.

    The object code is checked but does not change the amount (the budget's share is not applied).
    """
    return _cellwise(_premium, [ngay, ma_doi_tuong], caller, params)


@xw.func
@xw.arg("tu_ngay", ndim=2)
@xw.arg("den_ngay", ndim=2)
@xw.arg("ma_doi_tuong", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_SOTIEN(tu_ngay, den_ngay, ma_doi_tuong=None, caller=None, params=None):
    """Số tiền (đồng) của khoảng ngày: từng tháng lấy tỷ lệ số ngày × mức đóng tháng đó; 01/07–31/12/2011 → 149.400."""
    return _cellwise(_money, [tu_ngay, den_ngay, ma_doi_tuong], caller, params)


@xw.func
@xw.arg("ma_the_hoac_ma_doi_tuong", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_NHOM(ma_the_hoac_ma_doi_tuong, caller=None, params=None):
    """Thứ tự và tên nhóm đối tượng của mã đối tượng (hoặc mã thẻ); CC → "3 - Người có công với cách mạng"."""
    return _cellwise(_group, [ma_the_hoac_ma_doi_tuong], caller, params)


@xw.func
@xw.arg("ho_ten", ndim=2)
@xw.arg("ngay_sinh", ndim=2)
@xw.arg("gioi_tinh", ndim=2)
@xw.arg("dia_chi", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_KHOA(ho_ten, ngay_sinh, gioi_tinh, dia_chi, caller=None, params=None):
    """Khóa nhận diện đã chuẩn hóa, đúng như khi rà soát: hai thẻ cùng khóa là của cùng một người."""
    return _cellwise(_identity, [ho_ten, ngay_sinh, gioi_tinh, dia_chi], caller, params)


@xw.func
@xw.arg("ma_the", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_KIEMTRAMATHE(ma_the, caller=None, params=None):
    """"" khi mã thẻ đúng mẫu (theo sheet Tham số), ngược lại là lý do."""
    return _cellwise(_check_card, [ma_the], caller, params)


@xw.func
@xw.arg("tu_ngay_range", ndim=2)
@xw.arg("den_ngay_range", ndim=2)
@xw.arg("params", vba="Nothing")
def BHYT_NGAYDU5NAM(tu_ngay_range, den_ngay_range, caller=None, params=None):
    """Ngày đủ 5 năm liên tục của MỘT người từ các thẻ (vùng từ ngày, vùng đến ngày); "Chưa đủ" khi chưa đạt.

    e.g. thẻ 01/01/2012–31/12/2014 và 01/03/2015–31/12/2017 (gián đoạn 2 tháng sau 2015) → 01/01/2017.
    """
    from bhyt_xl.core.continuity import five_year_date_for_periods
    from bhyt_xl.core.participation import continuity_options

    try:
        starts = pd.Series(np.array(tu_ngay_range, dtype=object).ravel(), dtype=object)
        ends = pd.Series(np.array(den_ngay_range, dtype=object).ravel(), dtype=object)
        if len(starts) != len(ends):
            return f"Lỗi: hai vùng ô không cùng số ô ({len(starts)} và {len(ends)})"
        result = _Result(len(starts))
        s, e = _period(starts, ends, result)
        messages = [v for v in result.values[result.done] if v]
        if messages:
            return messages[0]
        keep = ~np.isnat(s) & ~np.isnat(e)
        if not keep.any():
            return ""
        options = continuity_options(_resolve_params(caller, params))
        date = five_year_date_for_periods(s[keep], e[keep], options)
    except BhytError as exc:
        return f"Lỗi: {exc}"
    except Exception as exc:  # a readable cell instead of #VALUE!
        return f"Lỗi không mong đợi ({type(exc).__name__}); hãy báo người hỗ trợ."
    if date is None:
        return "Chưa đủ"
    return dt.datetime(date.year, date.month, date.day)


# ---------------------------------------------------------------------------
# Cell-wise engine work, one Series per argument
# ---------------------------------------------------------------------------
class _Result:
    """Results for n cells: values, with a Vietnamese message in the cells that have one."""

    def __init__(self, n: int):
        self.values = np.full(n, "", dtype=object)
        self.done = np.zeros(n, dtype=bool)  # a message or a blank result is already set

    def fail(self, mask, messages) -> None:
        """Set the message of the cells in ``mask`` that have none yet."""
        mask = np.asarray(mask, dtype=bool) & ~self.done
        if mask.any():
            texts = np.broadcast_to(np.asarray(messages, dtype=object), self.values.shape)
            self.values[mask] = texts[mask]
            self.done |= mask

    def blank(self, mask) -> None:
        mask = np.asarray(mask, dtype=bool) & ~self.done
        self.values[mask] = ""
        self.done |= mask

    def put(self, values) -> np.ndarray:
        """Set the cells still open to ``values`` (numbers as Python floats); return the result."""
        open_ = ~self.done
        values = np.asarray(values)
        if values.dtype.kind == "f":
            values = values.astype(object)
        self.values[open_] = values[open_]
        return self.values


def _dates(values: pd.Series, result: _Result, what: str = "ngày") -> np.ndarray:
    """Parse a date argument (Excel dates, serials, dd/mm/yyyy text); bad cells get a message."""
    dates, _, bad = parse_dates(values)
    result.fail(bad.to_numpy(), "Lỗi: '" + as_text(values).to_numpy(dtype=object) + f"' không phải {what} hợp lệ")
    return as_days(dates)


def _period(start: pd.Series, end: pd.Series, result: _Result) -> tuple[np.ndarray, np.ndarray]:
    s = _dates(start, result)
    e = _dates(end, result)
    result.blank(is_blank(start).to_numpy() | is_blank(end).to_numpy())
    reversed_ = ~np.isnat(s) & ~np.isnat(e) & (e < s)
    result.fail(reversed_, "Lỗi: đến ngày " + _dmy(e) + " trước từ ngày " + _dmy(s))
    return s, e


def _months(start, end, params: Params):
    result = _Result(len(start))
    s, e = _period(start, end, result)
    return result.put(round_months(month_fraction(s, e), params.month_rounding))


def _overlap_months(start1, end1, start2, end2, params: Params):
    result = _Result(len(start1))
    s1, e1 = _period(start1, end1, result)
    s2, e2 = _period(start2, end2, result)
    s = np.maximum(s1, s2)
    e = np.minimum(e1, e2)
    return result.put(round_months(month_fraction(s, e), params.month_rounding))


def _premium(day, code, params: Params):
    result = _Result(len(day))
    d = _dates(day, result)
    _codes(code, result, required=False)
    result.blank(is_blank(day).to_numpy())
    month = np.where(np.isnat(d), np.datetime64("2000-01-01", "D"), d).astype("datetime64[M]").astype("datetime64[D]")
    return result.put(monthly_premium(month, params))


def _money(start, end, code, params: Params):
    result = _Result(len(start))
    s, e = _period(start, end, result)
    codes = _codes(code, result, required=False)
    ok = np.flatnonzero(~result.done & ~np.isnat(s) & ~np.isnat(e))
    segments = pd.DataFrame({"card": np.arange(len(ok)), "s": s[ok], "e": e[ok]})
    per_year = measure(segments, codes[ok], params)  # the review's own money per card and year
    money = np.zeros(len(start))
    totals = per_year.groupby("card")["money"].sum()
    money[ok[totals.index.to_numpy()]] = totals.to_numpy()
    return result.put(money)


def _group(code, params: Params):
    result = _Result(len(code))
    codes = _codes(code, result, required=True)
    rank_of, name_of = params.code_rank(), params.code_group_name()
    ranks = pd.Series(codes, dtype=object).map(rank_of)
    known = ranks.notna().to_numpy()
    text = ranks.fillna(0).astype("int64").astype(str).to_numpy(dtype=object) + " - " + \
        pd.Series(codes, dtype=object).map(name_of).fillna("").to_numpy(dtype=object)
    outside = ("Mã đối tượng '" + codes.astype(object) +
               f"' không có trong bảng thứ tự nhóm của sheet Tham số (xếp sau {len(params.groups)} nhóm)")
    return result.put(np.where(known, text, outside))


def _identity(name, birth, sex, address, params: Params):
    result = _Result(len(name))
    all_blank = is_blank(name) & is_blank(birth) & is_blank(sex) & is_blank(address)
    result.blank(all_blank.to_numpy())
    full_name = as_text(name)
    result.fail((full_name == "").to_numpy(), "Lỗi: thiếu họ tên")
    birth_date, year_only, bad_birth = parse_dates(birth, allow_year_only=True)
    result.fail(bad_birth.to_numpy(), "Lỗi: '" + as_text(birth).to_numpy(dtype=object) +
                "' không phải ngày sinh hợp lệ (dd/mm/yyyy hoặc năm sinh)")
    result.fail(birth_date.isna().to_numpy(), "Lỗi: thiếu ngày sinh")
    sex_label, bad_sex = parse_sex(sex)
    result.fail(bad_sex.to_numpy(), "Lỗi: '" + as_text(sex).to_numpy(dtype=object) +
                "' không phải giới tính (Nam/Nữ, 1/0)")
    result.fail((sex_label == "").to_numpy(), "Lỗi: thiếu giới tính")
    cards = pd.DataFrame({
        "full_name": full_name, "address": as_text(address), "birth_date": birth_date,
        "birth_year_only": year_only, "sex": sex_label, "valid": True,
    })
    return result.put(identity_keys(cards)["identity_key"].to_numpy(dtype=object))


def _check_card(card, params: Params):
    result = _Result(len(card))
    raw = as_text(card)
    clean = raw.str.upper().str.replace(_CARD_CLEAN, "", regex=True)
    result.blank((clean == "").to_numpy())
    good = clean.str.match(params.card_pattern).to_numpy(dtype=bool)
    result.blank(good)
    shown = "'" + raw.to_numpy(dtype=object) + "' không đọc được là mã thẻ"
    if params.card_pattern != CARD_PATTERN_DEFAULT:
        return result.put(shown + f" (không khớp mẫu mã thẻ của sheet Tham số: {params.card_pattern})")
    length = clean.str.len().to_numpy()
    letters = clean.str.match(r"^[A-Z]{2}").to_numpy(dtype=bool)
    detail = np.where(length != 15, "có " + length.astype(str).astype(object) + " ký tự, cần 15",
                      np.where(~letters, "2 ký tự đầu phải là chữ cái (mã đối tượng)",
                               "13 ký tự sau mã đối tượng phải là chữ số"))
    return result.put(shown + ": " + detail.astype(object) + f" ({_CARD_HINT})")


def _codes(values: pd.Series, result: _Result, required: bool) -> np.ndarray:
    """Object codes from a code or a card number (its first two letters); bad cells get a message."""
    raw = as_text(values)
    clean = raw.str.upper().str.replace(_CARD_CLEAN, "", regex=True)
    code = clean.str[:2]
    blank = (clean == "").to_numpy()
    if required:
        result.blank(blank)
    bad = ~blank & ~code.str.fullmatch(r"[A-Z]{2}").to_numpy(dtype=bool)
    result.fail(bad, "Lỗi: '" + raw.to_numpy(dtype=object) + "' không phải mã đối tượng (2 chữ cái) hay mã thẻ")
    return code.where(~bad & ~blank, "").to_numpy(dtype=object)


def _dmy(days: np.ndarray) -> np.ndarray:
    return pd.Series(days).dt.strftime("%d/%m/%Y").fillna("").to_numpy(dtype=object)


# ---------------------------------------------------------------------------
# Shapes, params, errors
# ---------------------------------------------------------------------------
def _cellwise(work: Callable[..., np.ndarray], args: Sequence[object], caller, params) -> object:
    """Broadcast the arguments, run ``work`` on one Series per argument, give back the shape of the input.

    A scalar in gives a scalar out; a list (Excel range) gives a list of the
    broadcast shape. Problems that concern every cell (ranges of different
    sizes, an unreadable "Tham số") give one message.
    """
    try:
        arrays = [np.array(a, dtype=object) for a in args]
        try:
            grid = np.broadcast_arrays(*arrays)
        except ValueError:
            sizes = " và ".join("×".join(map(str, a.shape)) or "1 ô" for a in arrays)
            return "Lỗi: các vùng ô không cùng kích thước (" + sizes + ")"
        shape = grid[0].shape
        series = [pd.Series(g.ravel(), dtype=object) for g in grid]
        out = work(*series, _resolve_params(caller, params))
    except BhytError as exc:
        return f"Lỗi: {exc}"
    except Exception as exc:  # a readable cell instead of #VALUE!
        return f"Lỗi không mong đợi ({type(exc).__name__}); hãy báo người hỗ trợ."
    out = np.asarray(out, dtype=object).reshape(shape)
    return out.item() if out.ndim == 0 else out.tolist()


def _resolve_params(caller, params: Params | None) -> Params:
    """Explicit params, else the calling workbook's "Tham số" (cached briefly), else the defaults."""
    if params is not None:
        return params
    if caller is None:
        return _DEFAULT
    book = caller.sheet.book
    key = str(book.fullname)
    now = time.monotonic()
    hit = _params_cache.get(key)
    if hit is not None and now - hit[0] < PARAMS_CACHE_SECONDS:
        return hit[1]
    from bhyt_xl.excel.macros import read_params

    value, _ = read_params(book)
    _params_cache[key] = (now, value)
    return value
