"""Hand-built labelled pairs for the suspected-duplicate search (``bhyt_xl.core.suspects``).

Each case is two cards with overlapping validity and DIFFERENT identity keys
(the official review would not match them):

* ``same=True``: one person written two ways, as lists from different agencies
  do (typo, missing or wrong tone mark, swapped middle name, day/month swapped,
  year-only birth, address with or without "thôn/xã/huyện/tỉnh", abbreviations,
  old and new administrative names, the same Mã số BHXH under another spelling);
* ``same=False``: look-alike different people (twins, father and son or mother
  and daughter with one name at one address, common names in one commune,
  different sex, different BHXH numbers).

Card "b" repeats card "a" except for the fields given. Unless stated, the two
cards have different card digits (issued by different agencies) and no BHXH
number. Addresses are real Khánh Hòa units of 2011-2012; the old/new names
follow NQ 35/NQ-CP (2010: huyện Ninh Hòa -> thị xã, its xã Ninh Hiệp, Ninh Đa,
... -> phường), NQ 65/NQ-CP (2010: thị xã Cam Ranh -> thành phố) and NĐ 144/2007
(huyện Cam Lâm split from Cam Ranh).

``KNOWN_LIMITS`` lists the case ids the rules are expected to get wrong, with
the reason; the tests report them rather than hide them.
"""

from __future__ import annotations

import pandas as pd

HEADERS = ["Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Giá trị từ ngày",
           "Giá trị đến ngày", "Mã số BHXH"]

_A = {"group": "HN", "from": "01/01/2011", "to": "31/12/2011", "bhxh": ""}
_B = {"group": "BT", "from": "01/04/2011", "to": "31/12/2012"}

VL = "Thôn Tây Bắc 1, Xã Vĩnh Lương, Thành phố Nha Trang, Khánh Hòa"
DP = "Thôn Phú Ân Nam 2, Xã Diên Phú, Huyện Diên Khánh, Khánh Hòa"
NS = "Thôn Tân Sơn, Xã Ninh Sơn, Thị xã Ninh Hòa, Khánh Hòa"
VG = "Tổ dân phố 3, Thị trấn Vạn Giã, Huyện Vạn Ninh, Khánh Hòa"
CL = "Thôn Tân Hải, Xã Cam Hải Đông, Huyện Cam Lâm, Khánh Hòa"


def case(cid: str, same: bool, description: str, a: dict, b: dict | None = None, **card_b) -> dict:
    """One labelled pair; ``b`` (or keyword arguments) overrides fields of ``a``."""
    return {"id": cid, "same": same, "description": description, "a": {**_A, **a},
            "b": {**_A, **_B, **a, **(b or {}), **card_b}}


CASES: list[dict] = [
    # ---------------- the same person, written two ways ----------------
    case("T01", True, "tên thiếu dấu thanh (Hòa/Hoa)",
         {"name": "Nguyễn Thị Hòa", "birth": "12/05/1960", "sex": "Nữ", "address": VL}, name="Nguyễn Thị Hoa"),
    case("T02", True, "sai dấu thanh ở tên (Dũng/Dùng)",
         {"name": "Trần Văn Dũng", "birth": "03/08/1975", "sex": "Nam", "address": DP}, name="Trần Văn Dùng"),
    case("T03", True, "cả họ tên không dấu",
         {"name": "Lê Thị Thu Hương", "birth": "21/11/1982", "sex": "Nữ", "address": NS}, name="Le Thi Thu Huong"),
    case("T04", True, "sai dấu mũ ở họ (Phạm/Phậm)",
         {"name": "Phạm Văn Lộc", "birth": "07/02/1958", "sex": "Nam", "address": VG}, name="Phậm Văn Lộc"),
    case("T05", True, "gõ sai họ (Huỳnh/Huình)",
         {"name": "Huỳnh Thị Mai", "birth": "15/09/1990", "sex": "Nữ", "address": CL}, name="Huình Thị Mai"),
    case("T06", True, "gõ thiếu chữ ở họ (Trương/Trươn)",
         {"name": "Trương Công Định", "birth": "30/06/1966", "sex": "Nam", "address": VL}, name="Trươn Công Định"),
    case("T07", True, "gõ thừa chữ ở tên đệm (Văn/Vănn)",
         {"name": "Đỗ Văn Thành", "birth": "11/01/1971", "sex": "Nam", "address": DP}, name="Đỗ Vănn Thành"),
    case("T08", True, "gõ sai một chữ cái của tên (Hạnh/Hạng)",
         {"name": "Đặng Thị Ngọc Hạnh", "birth": "25/12/1988", "sex": "Nữ", "address": NS}, name="Đặng Thị Ngọc Hạng"),
    case("T09", True, "đảo thứ tự tên đệm (Thị Thu/Thu Thị)",
         {"name": "Lê Thị Thu Hà", "birth": "09/10/1979", "sex": "Nữ", "address": VG}, name="Lê Thu Thị Hà"),
    case("T10", True, "đảo thứ tự hai tên đệm (Ngọc Anh/Anh Ngọc)",
         {"name": "Nguyễn Ngọc Anh Thư", "birth": "14/04/2005", "sex": "Nữ", "address": CL}, name="Nguyễn Anh Ngọc Thư"),
    case("T11", True, "thiếu tên đệm (Phan Văn Tài/Phan Tài)",
         {"name": "Phan Văn Tài", "birth": "02/03/1950", "sex": "Nam", "address": VL}, name="Phan Tài"),
    case("T12", True, "thiếu một trong hai tên đệm (Thị Mỹ Lệ/Thị Lệ)",
         {"name": "Nguyễn Thị Mỹ Lệ", "birth": "18/07/1985", "sex": "Nữ", "address": DP}, name="Nguyễn Thị Lệ"),
    case("T13", True, "ngày sinh đảo ngày/tháng",
         {"name": "Võ Văn Sáu", "birth": "12/05/1960", "sex": "Nam", "address": NS}, birth="05/12/1960"),
    case("T14", True, "ngày sinh đảo ngày/tháng và tên thiếu dấu",
         {"name": "Ngô Thị Bích", "birth": "04/11/1955", "sex": "Nữ", "address": VG}, name="Ngo Thi Bich", birth="11/04/1955"),
    case("T15", True, "một bên chỉ ghi năm sinh",
         {"name": "Trần Văn Ba", "birth": "15/03/1940", "sex": "Nam", "address": CL}, birth="1940"),
    case("T16", True, "một bên chỉ ghi năm sinh, tên sai dấu",
         {"name": "Bùi Thị Nở", "birth": "1938", "sex": "Nữ", "address": DP}, name="Bùi Thị Nỡ", birth="20/08/1938"),
    case("T17", True, "ngày sinh sai một chữ số (13/18)",
         {"name": "Hồ Văn Nam", "birth": "13/07/1968", "sex": "Nam", "address": VL}, birth="18/07/1968"),
    case("T18", True, "năm sinh đảo hai chữ số cuối (1956/1965)",
         {"name": "Dương Thị Liên", "birth": "01/06/1956", "sex": "Nữ", "address": NS}, birth="01/06/1965"),
    case("T19", True, "địa chỉ bỏ chữ thôn, xã, huyện, tỉnh",
         {"name": "Lâm Văn Hiếu", "birth": "22/02/1977", "sex": "Nam", "address": DP},
         address="Phú Ân Nam 2, Diên Phú, Diên Khánh"),
    case("T20", True, "địa chỉ viết tắt TP. (Thành phố Nha Trang)",
         {"name": "Cao Thị Hồng", "birth": "05/05/1992", "sex": "Nữ", "address": VL},
         address="Tây Bắc 1, X. Vĩnh Lương, TP. Nha Trang"),
    case("T21", True, "địa chỉ viết tắt TX. (Thị xã Ninh Hòa)",
         {"name": "Mai Văn Tư", "birth": "17/10/1962", "sex": "Nam", "address": NS},
         address="Thôn Tân Sơn, Ninh Sơn, TX. Ninh Hòa, Khánh Hòa"),
    case("T22", True, "địa chỉ viết tắt H. (Huyện Vạn Ninh) và TT",
         {"name": "Tạ Thị Sen", "birth": "08/08/1948", "sex": "Nữ", "address": VG},
         address="TDP 3, TT Vạn Giã, H. Vạn Ninh"),
    case("T23", True, "địa chỉ thiếu thôn và tỉnh",
         {"name": "Lương Văn Khải", "birth": "26/01/1970", "sex": "Nam", "address": CL},
         address="Xã Cam Hải Đông, Huyện Cam Lâm"),
    case("T24", True, "tên cũ/mới: xã Ninh Hiệp, huyện Ninh Hòa -> phường Ninh Hiệp, thị xã Ninh Hòa (2010)",
         {"name": "Đinh Văn Lực", "birth": "12/12/1959", "sex": "Nam",
              "address": "Thôn 2, Xã Ninh Hiệp, Huyện Ninh Hòa, Khánh Hòa"},
         address="Tổ dân phố 2, Phường Ninh Hiệp, Thị xã Ninh Hòa, Khánh Hòa", name="Đinh Văn Lục"),
    case("T25", True, "tên cũ/mới: thị xã Cam Ranh -> thành phố Cam Ranh (2010), tên thiếu dấu",
         {"name": "Kiều Thị Thoa", "birth": "03/03/1981", "sex": "Nữ",
              "address": "Thôn Quảng Phúc, Xã Cam Thịnh Đông, Thị xã Cam Ranh, Khánh Hòa"},
         address="Quảng Phúc, Cam Thịnh Đông, TP. Cam Ranh", name="Kieu Thi Thoa"),
    case("T26", True, "tên cũ/mới: xã Cam Hải Đông thuộc Cam Ranh trước khi lập huyện Cam Lâm (2007)",
         {"name": "Trịnh Văn Mẫn", "birth": "19/09/1945", "sex": "Nam",
              "address": "Xã Cam Hải Đông, Thị xã Cam Ranh, Khánh Hòa"},
         address="Xã Cam Hải Đông, Huyện Cam Lâm, Khánh Hòa", birth="1945"),
    case("T27", True, "cùng mã số BHXH, họ tên viết khác hẳn dấu (Bảy/Bẩy), năm sinh",
         {"name": "Nguyễn Văn Bảy", "birth": "10/10/1952", "sex": "Nam", "address": VL, "bhxh": "5602012345"},
         name="Nguyễn Văn Bẩy", birth="1952"),
    case("T28", True, "cùng mã số BHXH (mất số 0 đầu khi lưu trong Excel), tên sai chính tả",
         {"name": "Lê Thị Kim Chi", "birth": "28/02/1987", "sex": "Nữ", "address": DP, "bhxh": "0123456789"},
         bhxh="123456789", name="Lê Thị Kim Chí", address="Diên Phú, Diên Khánh"),
    case("T29", True, "cùng mã số BHXH, địa chỉ khác hẳn (nơi ở và nơi làm việc)",
         {"name": "Phạm Thị Thúy", "birth": "06/06/1983", "sex": "Nữ", "address": NS, "bhxh": "5609876543"},
         name="Phạm Thị Thuý Hằng", address="Trường Tiểu học Vĩnh Lương, TP. Nha Trang"),
    case("T30", True, "cùng 10 số cuối mã thẻ, một bên chỉ có năm sinh và địa chỉ viết tắt",
         {"name": "Tôn Thất Hùng", "birth": "14/02/1939", "sex": "Nam", "address": VG, "card": "HN2561234500001"},
         card="CC1561234500001", birth="1939", address="TT Vạn Giã, Vạn Ninh"),
    case("T31", True, "cùng 10 số cuối mã thẻ, tên sai dấu",
         {"name": "Châu Văn Lành", "birth": "01/01/1946", "sex": "Nam", "address": CL, "card": "HN2561234500002"},
         card="KC2561234500002", name="Châu Văn Lãnh"),
    case("T32", True, "cùng họ tên, ngày sinh; địa chỉ khác hẳn (danh sách trường học và danh sách hộ)",
         {"name": "Hoàng Minh Khôi", "birth": "23/09/2001", "sex": "Nam", "address": DP},
         address="Trường THCS Lê Thánh Tôn, Phường Vĩnh Hải, TP. Nha Trang"),
    case("T33", True, "một bên không có địa chỉ, tên không dấu",
         {"name": "Đoàn Thị Xuân", "birth": "16/11/1964", "sex": "Nữ", "address": VL}, address="", name="Doan Thi Xuan"),
    case("T34", True, "tên thiếu dấu và địa chỉ bỏ thôn, viết tắt",
         {"name": "Quách Văn Toàn", "birth": "09/09/1999", "sex": "Nam", "address": NS},
         name="Quach Van Toan", address="Tân Sơn, Ninh Sơn, Ninh Hòa"),
    case("T35", True, "gõ sai họ và ngày sinh đảo ngày/tháng",
         {"name": "Nguyễn Thị Yến", "birth": "02/09/1993", "sex": "Nữ", "address": VG}, name="Nguyễm Thị Yến",
         birth="09/02/1993"),
    case("T36", True, "thiếu tên đệm và một bên chỉ có năm sinh",
         {"name": "Võ Thị Ánh Tuyết", "birth": "1950", "sex": "Nữ", "address": CL}, name="Võ Thị Tuyết",
         birth="30/04/1950"),
    case("T37", True, "trẻ em: tên đệm gõ sai, địa chỉ viết tắt",
         {"name": "Trần Gia Bảo", "birth": "05/02/2009", "sex": "Nam", "address": VL, "group": "TE"},
         name="Trần Ga Bảo", address="X. Vĩnh Lương, TP. Nha Trang", group="HN"),
    case("T38", True, "dân tộc Raglai: họ hai chữ viết liền",
         {"name": "Bo Bo Thị Hiền", "birth": "12/04/1986", "sex": "Nữ",
              "address": "Thôn Ba Cẩu, Xã Sơn Bình, Huyện Khánh Sơn, Khánh Hòa", "group": "DT"},
         name="Bobo Thị Hiền"),
    case("T39", True, "năm sinh sai chữ số cuối (1947/1948), địa chỉ không dấu",
         {"name": "Lưu Văn Chín", "birth": "11/11/1947", "sex": "Nam", "address": DP},
         birth="11/11/1948", address="Thon Phu An Nam 2, Xa Dien Phu, Huyen Dien Khanh, Khanh Hoa"),
    case("T40", True, "tên đệm sai dấu (Thi/Thị) và địa chỉ có thêm tỉnh",
         {"name": "Hà Thị Lan", "birth": "19/05/1972", "sex": "Nữ", "address": "Xã Ninh Sơn, Thị xã Ninh Hòa"},
         name="Hà Thi Lan", address="Xã Ninh Sơn, Thị xã Ninh Hòa, Tỉnh Khánh Hòa"),
    # ---------------- different people who look alike ----------------
    case("F01", False, "anh em sinh đôi: khác tên (Long/Phụng)",
         {"name": "Nguyễn Văn Long", "birth": "08/03/2004", "sex": "Nam", "address": VL}, name="Nguyễn Văn Phụng"),
    case("F02", False, "chị em sinh đôi: tên gần giống (Hoa/Huệ)",
         {"name": "Trần Thị Hoa", "birth": "20/10/2006", "sex": "Nữ", "address": DP}, name="Trần Thị Huệ"),
    case("F03", False, "anh em sinh đôi: tên cùng chữ cái đầu (Tuấn/Tú)",
         {"name": "Lê Minh Tuấn", "birth": "01/12/2003", "sex": "Nam", "address": NS}, name="Lê Minh Tú"),
    case("F04", False, "anh em sinh đôi: tên khác một chữ cái đầu (Hùng/Dũng)",
         {"name": "Phạm Văn Hùng", "birth": "15/07/2002", "sex": "Nam", "address": VG}, name="Phạm Văn Dũng"),
    case("F05", False, "chị em sinh đôi: tên đệm khác (Thu Hà/Ngọc Hà)",
         {"name": "Võ Thị Thu Hà", "birth": "04/04/2007", "sex": "Nữ", "address": CL}, name="Võ Thị Ngọc Hà"),
    case("F06", False, "sinh đôi trai gái: Nguyễn Văn An/Nguyễn Thị An",
         {"name": "Nguyễn Văn An", "birth": "30/01/2008", "sex": "Nam", "address": VL}, name="Nguyễn Thị An", sex="Nữ"),
    case("F07", False, "cha và con cùng họ tên, cùng địa chỉ, khác năm sinh",
         {"name": "Nguyễn Văn Hùng", "birth": "03/04/1950", "sex": "Nam", "address": NS}, birth="17/09/1978"),
    case("F08", False, "cha (chỉ có năm sinh) và con cùng họ tên, cùng địa chỉ",
         {"name": "Trần Văn Tám", "birth": "1942", "sex": "Nam", "address": DP}, birth="15/06/1968"),
    case("F09", False, "mẹ và con gái cùng họ tên, cùng địa chỉ",
         {"name": "Lê Thị Lan", "birth": "12/02/1955", "sex": "Nữ", "address": VG}, birth="12/02/1980"),
    case("F10", False, "cha và con cùng tên, con thêm tên đệm, khác năm sinh",
         {"name": "Phan Văn Tài", "birth": "10/10/1948", "sex": "Nam", "address": CL}, name="Phan Văn Minh Tài",
         birth="22/08/1975"),
    case("F11", False, "ông và cháu cùng họ tên, cùng ngày tháng sinh, khác năm (1930/1990)",
         {"name": "Hồ Văn Sáu", "birth": "06/06/1930", "sex": "Nam", "address": VL}, birth="06/06/1990"),
    case("F12", False, "họ tên phổ biến Nguyễn Văn Hùng, cùng xã, khác ngày sinh",
         {"name": "Nguyễn Văn Hùng", "birth": "03/04/1960", "sex": "Nam", "address": VL},
         birth="21/11/1972", address="Thôn Tây Bắc 2, Xã Vĩnh Lương, Thành phố Nha Trang, Khánh Hòa"),
    case("F13", False, "họ tên phổ biến Nguyễn Thị Hoa, cùng xã, cùng năm sinh, khác ngày tháng",
         {"name": "Nguyễn Thị Hoa", "birth": "14/02/1965", "sex": "Nữ", "address": DP},
         birth="03/09/1965", address="Thôn Phú Ân Bắc, Xã Diên Phú, Huyện Diên Khánh, Khánh Hòa"),
    case("F14", False, "họ tên phổ biến Trần Văn Nam, cùng thôn, sinh cách nhau 2 năm",
         {"name": "Trần Văn Nam", "birth": "05/05/1970", "sex": "Nam", "address": NS}, birth="19/08/1972"),
    case("F15", False, "họ tên phổ biến Lê Văn Tùng, cùng xã, khác tháng sinh (cùng năm)",
         {"name": "Lê Văn Tùng", "birth": "08/01/1985", "sex": "Nam", "address": VG}, birth="27/06/1985"),
    case("F16", False, "cùng họ tên và ngày sinh nhưng khác giới tính",
         {"name": "Nguyễn Thanh Tâm", "birth": "09/09/1990", "sex": "Nam", "address": CL}, sex="Nữ"),
    case("F17", False, "cùng họ tên, ngày sinh, cùng xã nhưng khác Mã số BHXH",
         {"name": "Nguyễn Văn Minh", "birth": "01/01/1980", "sex": "Nam", "address": VL, "bhxh": "5601111111"},
         bhxh="5602222222", address="Thôn Tây Bắc 2, Xã Vĩnh Lương, Thành phố Nha Trang, Khánh Hòa"),
    case("F18", False, "cùng ngày sinh, giới tính, tên; khác họ và khác địa chỉ",
         {"name": "Lê Văn Nam", "birth": "12/12/1960", "sex": "Nam", "address": DP}, name="Trần Văn Nam", address=VG),
    case("F19", False, "cùng họ, tên đệm, tên nhưng khác tên (Trung/Trọng), khác năm sinh",
         {"name": "Đặng Văn Trung", "birth": "01/05/1966", "sex": "Nam", "address": NS}, name="Đặng Văn Trọng",
         birth="07/11/1969"),
    case("F20", False, "cùng họ tên, cùng năm sinh (chỉ ghi năm), khác huyện",
         {"name": "Nguyễn Văn Một", "birth": "1935", "sex": "Nam", "address": VG}, address=CL),
    case("F21", False, "vợ chồng cùng địa chỉ, tên gần giống (Nguyễn Văn Bình/Nguyễn Thị Bình), cùng năm sinh",
         {"name": "Nguyễn Văn Bình", "birth": "10/03/1958", "sex": "Nam", "address": DP}, name="Nguyễn Thị Bình",
         sex="Nữ", birth="22/07/1958"),
    case("F22", False, "anh em: họ tên đệm giống, tên khác (Hải/Hà), sinh cách 3 năm",
         {"name": "Phạm Văn Hải", "birth": "14/10/1990", "sex": "Nam", "address": VL}, name="Phạm Văn Hà",
         birth="02/02/1993"),
    case("F23", False, "hai người khác xã, trùng họ tên phổ biến, khác ngày sinh cùng năm",
         {"name": "Trần Thị Mai", "birth": "11/03/1975", "sex": "Nữ", "address": NS}, birth="25/12/1975", address=CL),
    case("F24", False, "chị em sinh đôi: tên chỉ khác dấu (Thủy/Thúy)",
         {"name": "Nguyễn Thị Thu Thủy", "birth": "02/02/2005", "sex": "Nữ", "address": DP}, name="Nguyễn Thị Thu Thúy"),
    case("F25", False, "cha và con cùng họ tên, cùng ngày tháng sinh, năm cách 10 năm (1960/1970)",
         {"name": "Lê Văn Tư", "birth": "04/04/1960", "sex": "Nam", "address": VG}, birth="04/04/1970"),
]

#: Cases the rules are expected to get wrong, and why (reported by the tests).
KNOWN_LIMITS = {
    "F24": "tên chỉ khác dấu (Thủy/Thúy) được coi là khác dấu của cùng một tên; không phân biệt được với "
           "lỗi gõ dấu khi không có Mã số BHXH. Cán bộ ghi \"Không trùng\".",
}


def case_frame(c: dict) -> pd.DataFrame:
    """The two cards of a case as a list with Vietnamese headers (as read from a file)."""
    n = int(c["id"][1:])
    base = 1_000_000 if c["same"] else 2_000_000
    rows = []
    for side, k in (("a", 1), ("b", 2)):
        d = c[side]
        card = d.get("card") or f"{d['group']}256{base + n * 10 + k:010d}"
        rows.append([card, d["name"], d["birth"], d["sex"], d["address"], d["group"], d["from"], d["to"],
                     d.get("bhxh", "")])
    return pd.DataFrame(rows, columns=HEADERS, dtype=object)


def all_cases_frame(cases: list[dict] | None = None) -> tuple[pd.DataFrame, list[tuple[str, int, int]]]:
    """Every case in one list; plus (case id, row of card a, row of card b) per case."""
    frames, where = [], []
    for c in cases or CASES:
        where.append((c["id"], 2 * len(frames), 2 * len(frames) + 1))
        frames.append(case_frame(c))
    return pd.concat(frames, ignore_index=True), where
