"""The input columns: canonical names, Vietnamese header aliases, requirements.

Aliases are compared after :func:`bhyt_xl.core.text.fold_header`, so case,
spacing, underscores and diacritics do not matter.
"""

from __future__ import annotations

from bhyt_xl.core.text import fold_header

#: canonical field -> (Vietnamese display name, aliases)
FIELDS: dict[str, tuple[str, list[str]]] = {
    "card_no": ("Mã thẻ", ["Mã thẻ", "Số thẻ", "MA_THE", "SO_THE", "Mã thẻ BHYT", "Số thẻ BHYT",
                           "MA_THE_BHYT", "Mã số thẻ", "Mã số thẻ BHYT", "maThe", "Thẻ BHYT số"]),
    "full_name": ("Họ và tên", ["Họ và tên", "Họ tên", "HO_TEN", "Họ và tên người tham gia",
                                "Họ tên người tham gia", "hoTen", "Tên người tham gia"]),
    "birth_date": ("Ngày sinh", ["Ngày sinh", "NGAY_SINH", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh",
                                 "Năm sinh", "ngaySinh", "NG_SINH"]),
    "sex": ("Giới tính", ["Giới tính", "GIOI_TINH", "Phái", "gioiTinh", "GT"]),
    "male_mark": ("Nam", ["Nam"]),
    "female_mark": ("Nữ", ["Nữ", "Nu"]),
    "address": ("Địa chỉ", ["Địa chỉ", "DIA_CHI", "Nơi cư trú", "Địa chỉ thường trú", "Địa chỉ cư trú",
                            "Địa chỉ liên hệ", "diaChi", "Nơi thường trú"]),
    "group_code": ("Mã đối tượng", ["Mã đối tượng", "MA_DT", "Mã ĐT", "MA_DOI_TUONG", "Mã nhóm đối tượng",
                                    "Mã đối tượng tham gia", "maDoiTuong"]),
    "issue_date": ("Ngày cấp", ["Ngày cấp", "NGAY_CAP", "Ngày cấp thẻ", "Ngày phát hành", "Ngày phát hành thẻ",
                                "Ngày in thẻ", "ngayCap"]),
    "valid_from": ("Giá trị từ ngày", ["Giá trị từ ngày", "Từ ngày", "GT_THE_TU", "TU_NGAY", "Hạn thẻ từ",
                                       "Hạn thẻ từ ngày", "Giá trị sử dụng từ", "Giá trị sử dụng từ ngày",
                                       "Hiệu lực từ", "Hiệu lực từ ngày", "Thẻ có giá trị từ", "gtTheTu",
                                       "Có giá trị từ ngày", "Thời hạn sử dụng từ",
                                       # upper + lower caption of a two-row header ("Hạn sử dụng" over "Từ")
                                       "Hạn sử dụng từ", "Hạn sử dụng từ ngày", "Thời hạn sử dụng từ ngày",
                                       "Thẻ BHYT từ", "Thẻ BHYT từ ngày", "Giá trị thẻ từ", "Giá trị thẻ từ ngày",
                                       "Hạn thẻ BHYT từ", "Hạn thẻ BHYT từ ngày"]),
    "valid_to": ("Giá trị đến ngày", ["Giá trị đến ngày", "Đến ngày", "GT_THE_DEN", "DEN_NGAY", "Hạn thẻ đến",
                                      "Hạn thẻ đến ngày", "Giá trị sử dụng đến", "Giá trị sử dụng đến ngày",
                                      "Hiệu lực đến", "Hiệu lực đến ngày", "Thẻ có giá trị đến", "gtTheDen",
                                      "Có giá trị đến ngày", "Thời hạn sử dụng đến",
                                      "Hạn sử dụng đến", "Hạn sử dụng đến ngày", "Thời hạn sử dụng đến ngày",
                                      "Thẻ BHYT đến", "Thẻ BHYT đến ngày", "Giá trị thẻ đến", "Giá trị thẻ đến ngày",
                                      "Hạn thẻ BHYT đến", "Hạn thẻ BHYT đến ngày"]),
    "revoked_on": ("Ngày thu hồi", ["Ngày thu hồi", "Ngày giảm", "NGAY_THU_HOI", "NGAY_GIAM",
                                    "Ngày thu hồi thẻ", "Ngày báo giảm"]),
    "bhxh_no": ("Mã số BHXH", ["Mã số BHXH", "MA_SO_BHXH", "Số sổ BHXH", "MA_BHXH", "Mã BHXH", "maSoBHXH",
                               "Số BHXH", "MASO_BHXH"]),
    "unit_code": ("Mã đơn vị", ["Mã đơn vị", "MA_DVI", "MA_DV", "Mã ĐV", "MA_DON_VI"]),
    "kcb_code": ("Mã KCB", ["Mã KCB", "Mã KCB ban đầu", "Nơi ĐKKCB", "Nơi đăng ký KCB ban đầu", "MA_KCB",
                            "MA_DKBD", "Mã nơi ĐKKCB", "maDKBD", "Nơi ĐK KCB ban đầu"]),
    "printed_5y": ("Ngày đủ 5 năm liên tục", ["Ngày đủ 5 năm liên tục", "Thời điểm đủ 5 năm",
                                              "Thời điểm đủ 5 năm liên tục", "NGAY_DU_5NAM", "ngayDu5Nam",
                                              "Ngày đủ 05 năm liên tục", "Thời điểm đủ 05 năm liên tục",
                                              "NAM_NAM_LIEN_TUC"]),
}

ALIAS_TO_FIELD: dict[str, str] = {}
for _field, (_label, _aliases) in FIELDS.items():
    for _alias in [_label, *_aliases]:
        ALIAS_TO_FIELD.setdefault(fold_header(_alias), _field)

#: Fields the review cannot do without. (birth date and sex may instead come
#: from a pair of "Nam" / "Nữ" columns.)
REQUIRED = ["card_no", "full_name", "birth_date", "sex", "address", "valid_from", "valid_to"]

DATE_FIELDS = ["birth_date", "issue_date", "valid_from", "valid_to", "revoked_on", "printed_5y"]


def field_for_header(header: object) -> str | None:
    """Canonical field recognised for one header cell, or None."""
    return ALIAS_TO_FIELD.get(fold_header(header))


def label(field: str) -> str:
    """Vietnamese display name of a canonical field."""
    return FIELDS[field][0]
