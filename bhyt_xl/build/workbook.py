"""Build the Excel template ``workbooks/BHYT_RaSoat.xlsm`` from source.

The workbook is standalone (no xlwings add-in needed). It holds:

- "Hướng dẫn": the staff guide (Vietnamese) and a "Kiểm tra cài đặt" button;
- "Danh sách thẻ": title and buttons in rows 1-3, the expected header in row 4,
  the list pasted from row 5;
- "Tham số": the rule tables and options of :class:`bhyt_xl.params.Params`, in the
  layout :func:`bhyt_xl.io.params_io.params_from_rows` reads back;
- "xlwings.conf": xlwings' settings (key in column A, value in column B);
- the VBA project: ``vba/*.bas`` (the button macros), xlwings' own standalone
  module and, when ``bhyt_xl.excel.udfs`` is importable, the ``xlwings_udfs``
  wrappers of its ``@xw.func`` functions.

The VBA only starts Python (``RunPython``); rules and messages live in Python.
The build checks what Excel would only reveal on a click: every button names a
public Sub, every RunPython command names a function of ``bhyt_xl.excel.macros``
(when that module exists), and the guide documents exactly the UDFs that exist.
Building twice gives byte-identical files; the file is written atomically.

``python -m bhyt_xl.build.workbook [-o PATH]`` builds it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import io
import re
import sys
from pathlib import Path

import bhyt_xl
from bhyt_xl.build.udf_module import (
    UDF_MODULE_NAME,
    embedded_xlwings_version,
    generate_udf_module,
    xlwings_vba_sources,
)
from bhyt_xl.build.vba_project import VbaModule, build_vba_project
from bhyt_xl.core.schema import FIELDS, REQUIRED, field_for_header, label
from bhyt_xl.errors import OutputError
from bhyt_xl.io.params_io import (
    OPT_CARD_PATTERN,
    OPT_FROM,
    OPT_REVOCATION,
    OPT_ROUNDING,
    OPT_SUSPECTS,
    OPT_TO,
    OPTIONS,
    params_blocks,
)
from bhyt_xl.io.params_io import SHEET as PARAMS_SHEET
from bhyt_xl.io.write import FIXED_CREATED, SheetWriter, atomic_path
from bhyt_xl.params import Params

DEFAULT_PATH = Path("workbooks/BHYT_RaSoat.xlsm")
MACROS_MODULE = "bhyt_xl.excel.macros"
UDF_MODULE = "bhyt_xl.excel.udfs"
VBA_DIR = Path(__file__).resolve().parents[2] / "vba"

GUIDE_SHEET = "Hướng dẫn"
LIST_SHEET = "Danh sách thẻ"
CONF_SHEET = "xlwings.conf"
CHANGES_SHEET = "Tăng giảm"
EXTRA_SHEET = "Thời gian được tính"
#: Sheets in order, with the codename of each (its VBA document module).
SHEETS: tuple[tuple[str, str], ...] = (
    (GUIDE_SHEET, "Sheet1"),
    (LIST_SHEET, "Sheet2"),
    (CHANGES_SHEET, "Sheet5"),
    (EXTRA_SHEET, "Sheet6"),
    (PARAMS_SHEET, "Sheet3"),
    (CONF_SHEET, "Sheet4"),
)

#: The other paste areas (same layout as "Danh sách thẻ": header on row 4): title, hint, headers, date and
#: text columns. The engine recognises the headers by the aliases of bhyt_xl.core.changes / schema.
PASTE_SHEETS: tuple[tuple[str, str, str, tuple[str, ...], frozenset, frozenset], ...] = (
    (CHANGES_SHEET, "DANH SÁCH TĂNG, GIẢM NGƯỜI THAM GIA (KIỂU D03-TS)",
     "Dán danh sách tăng/giảm từ dòng 5, rồi bấm \"Áp dụng tăng/giảm\" trên sheet \"Danh sách thẻ\". Mỗi dòng khớp "
     "thẻ theo Mã số BHXH, nếu không có thì theo Mã thẻ, nếu không có thì theo Họ và tên + Ngày sinh.",
     ("STT", "Mã số BHXH", "Mã thẻ", "Họ và tên", "Ngày sinh", "Loại tăng/giảm", "Ngày hiệu lực", "Đến ngày",
      "Mã đối tượng", "Lý do"),
     frozenset({"Ngày sinh", "Ngày hiệu lực", "Đến ngày"}), frozenset({"Mã số BHXH", "Mã thẻ"})),
    (EXTRA_SHEET, "THỜI GIAN ĐƯỢC TÍNH LÀ THAM GIA LIÊN TỤC MÀ KHÔNG CÓ THẺ (KHÔNG BẮT BUỘC)",
     "Thời gian phục vụ trong quân đội, công an, cơ yếu; thời gian công tác ở nước ngoài... (NĐ 146/2018 Điều 12 "
     "khoản 5). \"Tính 5 năm liên tục\" cộng các khoảng này cho đúng người (theo Mã số BHXH, hoặc Họ và tên, Ngày "
     "sinh, Giới tính, Địa chỉ).",
     ("Mã số BHXH", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Từ ngày", "Đến ngày", "Ghi chú"),
     frozenset({"Ngày sinh", "Từ ngày", "Đến ngày"}), frozenset({"Mã số BHXH"})),
)

# ---------------------------------------------------------------------------
# "Danh sách thẻ": the expected header (row 4) and its column formats
# ---------------------------------------------------------------------------
HEADER_ROW = 4  # 1-based; data starts on the next row
LIST_HEADERS: tuple[str, ...] = (
    "STT", "Mã thẻ", "Họ và tên", "Ngày sinh", "Giới tính", "Địa chỉ", "Mã đối tượng", "Ngày cấp",
    "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi", "Mã số BHXH", "Mã đơn vị", "Mã KCB", "Ghi chú",
)
#: Columns the engine does not interpret (carried through unchanged).
UNMAPPED_HEADERS = frozenset({"STT", "Ghi chú"})
DATE_HEADERS = frozenset({"Ngày sinh", "Ngày cấp", "Giá trị từ ngày", "Giá trị đến ngày", "Ngày thu hồi"})
#: Stored as Text ("@") so that pasted or typed codes keep their leading zeros.
TEXT_HEADERS = frozenset({"Mã thẻ", "Mã số BHXH", "Mã đơn vị", "Mã KCB"})
LIST_WIDTHS = {"STT": 6, "Mã thẻ": 18, "Họ và tên": 26, "Ngày sinh": 12, "Giới tính": 9, "Địa chỉ": 36,
               "Mã đối tượng": 10, "Ngày cấp": 12, "Giá trị từ ngày": 12, "Giá trị đến ngày": 12,
               "Ngày thu hồi": 12, "Mã số BHXH": 14, "Mã đơn vị": 11, "Mã KCB": 9, "Ghi chú": 24}


# ---------------------------------------------------------------------------
# Buttons: placement is data; adding a button is one line
# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Button:
    """A Form-control button: the sheet, its slot in row 2, the VBA Sub it runs, its caption and help text."""

    sheet: str
    slot: int  # 1 = leftmost; slots are BUTTON_WIDTH + BUTTON_GAP apart
    macro: str  # a public Sub of vba/Buttons.bas
    caption: str
    help: str


BUTTON_ROW = 2  # 1-based; the row is made tall enough for the buttons
BUTTON_WIDTH, BUTTON_HEIGHT, BUTTON_GAP, BUTTON_LEFT, BUTTON_TOP = 150, 40, 12, 8, 6
BUTTON_ROW_HEIGHT = 39  # points = 52 px: the 40 px button plus margins

#: Buttons placed on the sheets.
BUTTONS: tuple[Button, ...] = (
    Button(LIST_SHEET, 1, "KiemTraDuLieu", "Kiểm tra dữ liệu",
           "Đọc danh sách và báo các dòng lỗi (thiếu cột bắt buộc, mã thẻ sai mẫu, ngày không hợp lệ, "
           "hạn thẻ đến trước hạn thẻ từ, ...) mà chưa rà soát trùng."),
    Button(LIST_SHEET, 2, "RaSoatTheTrung", "Rà soát thẻ trùng",
           "Tìm thẻ cấp trùng theo Công văn 493/BHXH-CST với các bảng của sheet \"Tham số\"; ghi kết quả "
           "vào các sheet kết quả và tô màu các dòng của danh sách."),
    Button(LIST_SHEET, 3, "Tinh5NamLienTuc", "Tính 5 năm liên tục",
           "Tính thời gian tham gia liên tục và ngày đủ 5 năm liên tục cho từng người (Công văn 1006/BHXH-CST); "
           "cộng cả thời gian trong sheet \"Thời gian được tính\"; liệt kê thẻ cần in lại."),
    Button(LIST_SHEET, 4, "ApDungTangGiam", "Áp dụng tăng/giảm",
           "Áp dụng danh sách trong sheet \"Tăng giảm\": giảm thì cắt giá trị thẻ đến hết tháng, tính số tháng và "
           "số tiền không còn phải đóng; tăng thì thêm thẻ. Danh sách gốc giữ nguyên."),
    Button(LIST_SHEET, 5, "LapBaoCao", "Lập báo cáo",
           "Lập Biểu 01–03 theo mẫu từ kết quả rà soát (hỏi trước khi thay báo cáo cũ); ghi thêm bản in đúng mẫu "
           "<tên tệp>_BaoCao.xlsx và PDF cạnh bảng tính."),
    Button(LIST_SHEET, 6, "XoaKetQua", "Xóa kết quả",
           "Hỏi lại, rồi xóa các sheet kết quả và màu đã tô; danh sách đã dán được giữ nguyên."),
    Button(GUIDE_SHEET, 1, "KiemTraCaiDat", "Kiểm tra cài đặt",
           "Kiểm tra máy đã có Python, gói bhyt-xl và xlwings đúng phiên bản chưa; kết quả và cách sửa ghi vào "
           "sheet \"Kiểm tra cài đặt\"."),
)
#: Macros that exist in vba/Buttons.bas and will get a button once their Python function exists.
#: Their slots stay empty on the sheet; to place one, move its line into BUTTONS.
LATER_BUTTONS: tuple[Button, ...] = ()

# ---------------------------------------------------------------------------
# "xlwings.conf": read by xlwings' VBA (keys upper-cased, A1 down to the first blank)
# ---------------------------------------------------------------------------
INTERPRETER_WIN = r"%LOCALAPPDATA%\bhyt-xl\.venv\Scripts\python.exe"
XLWINGS_CONF: tuple[tuple[str, str, str], ...] = (
    ("Interpreter_Win", INTERPRETER_WIN,
     "Đường dẫn đầy đủ tới python.exe của môi trường đã cài gói bhyt-xl. %LOCALAPPDATA% là thư mục "
     "C:\\Users\\<tên>\\AppData\\Local. Sửa ô này nếu Python cài ở nơi khác."),
    ("UDF Modules", UDF_MODULE, "Mô-đun Python chứa các hàm BHYT_... dùng trong ô. Không sửa."),
    ("Show Console", "False", "True: hiện cửa sổ dòng lệnh khi Python chạy (chỉ dùng khi tìm lỗi)."),
    ("SHOW_ERROR_POPUPS", "True",
     "True: lỗi Python hiện trong hộp thoại (bấm Ctrl+C để sao chép). False: ghi vào ô A1 của sheet "
     "\"Error\" (lần lỗi sau chỉ ghi đè, không báo)."),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False",
     "False: chỉ dùng gói bhyt-xl đã cài trong môi trường Python, không nạp tệp .py nằm cạnh bảng tính "
     "(tránh lỗi với thư mục OneDrive/SharePoint)."),
)

#: Named cells on "Tham số" for the options (formulas and macros may refer to them).
PARAM_NAMES: tuple[tuple[str, str], ...] = (
    ("TuNgayRaSoat", OPT_FROM),
    ("DenNgayRaSoat", OPT_TO),
    ("LamTronSoThang", OPT_ROUNDING),
    ("TheThuHoiDen", OPT_REVOCATION),
    ("MauMaThe", OPT_CARD_PATTERN),
    ("TimNghiTrung", OPT_SUSPECTS),
)
#: Options shown as a check box (a boolean cell: ticked = Có); older Excel shows TRUE/FALSE to type over.
CHECKBOX_OPTIONS: tuple[str, ...] = (OPT_SUSPECTS,)
PARAMS_INTRO = (
    "THAM SỐ RÀ SOÁT: các bảng quy định và tùy chọn dùng khi bấm nút. Có thể sửa giá trị; giữ nguyên "
    "tiêu đề bảng (chữ in hoa) và dòng tên cột; mỗi bảng kết thúc ở dòng trống đầu tiên.",
)


# ---------------------------------------------------------------------------
# Cell functions (UDFs) documented in the guide
# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class UdfHelp:
    """One cell function as the guide shows it: name, argument names, what it does, an example."""

    name: str
    args: str
    description: str
    example: str  # the formula, with "," between arguments
    result: str  # what the example gives, in words


UDF_HELP: tuple[UdfHelp, ...] = (
    UdfHelp("BHYT_SOTHANG", "từ_ngày, đến_ngày",
            "Số tháng có thẻ trong khoảng ngày; mỗi tháng tính theo tỷ lệ số ngày có thẻ, như khi rà soát.",
            "=BHYT_SOTHANG(I5, J5)", "I5 = 01/07/2011, J5 = 31/12/2011 → 6"),
    UdfHelp("BHYT_THANGTRUNG", "từ_ngày_1, đến_ngày_1, từ_ngày_2, đến_ngày_2",
            "Số tháng trùng nhau của hai thẻ (hai khoảng giá trị sử dụng).",
            "=BHYT_THANGTRUNG(I5, J5, I6, J6)", "01/01/2011–31/12/2011 và 01/07/2011–30/06/2012 → 6"),
    UdfHelp("BHYT_MUCDONG", "ngày, mã_đối_tượng",
            "Mức đóng BHYT một tháng (đồng) tại ngày đó: tỷ lệ đóng × mức lương cơ sở (theo sheet \"Tham số\").",
            "=BHYT_MUCDONG(I5, G5)", "I5 = 01/07/2011, G5 = HN → 24.900 (3% × 830.000)"),
    UdfHelp("BHYT_SOTIEN", "từ_ngày, đến_ngày, mã_đối_tượng",
            "Số tiền đóng BHYT (đồng) cho khoảng ngày, theo mức đóng của từng tháng.",
            "=BHYT_SOTIEN(I5, J5, G5)", "01/07/2011–31/12/2011, HN → 149.400 (6 × 24.900)"),
    UdfHelp("BHYT_NHOM", "mã_thẻ_hoặc_mã_đối_tượng",
            "Thứ tự ưu tiên (1–13) và tên nhóm đối tượng theo bảng trong sheet \"Tham số\".",
            "=BHYT_NHOM(G5)", "G5 = CN → 12 - Người thuộc hộ gia đình cận nghèo"),
    UdfHelp("BHYT_KHOA", "họ_tên, ngày_sinh, giới_tính, địa_chỉ",
            "Khóa nhận diện đã chuẩn hóa (chữ hoa/thường, dấu, khoảng trắng); hai thẻ cùng khóa là của "
            "cùng một người.",
            "=BHYT_KHOA(C5, D5, E5, F5)", "cho biết vì sao hai dòng được coi là cùng một người"),
    UdfHelp("BHYT_KIEMTRAMATHE", "mã_thẻ",
            "Kiểm tra mã thẻ đúng mẫu (2 chữ cái và 13 chữ số, theo sheet \"Tham số\"); để trống khi đúng, "
            "nếu sai thì ghi lý do.",
            "=BHYT_KIEMTRAMATHE(B5)", "B5 = HN4010123456789 → (trống); B5 = HN12 → lý do sai"),
    UdfHelp("BHYT_NGAYDU5NAM", "vùng_từ_ngày, vùng_đến_ngày",
            "Ngày đủ 5 năm tham gia liên tục của một người, từ các thẻ của người đó (theo quy tắc trong sheet "
            "\"Tham số\"); \"Chưa đủ\" khi chưa đạt.",
            "=BHYT_NGAYDU5NAM(I5:I7, J5:J7)", "01/01/2012–31/12/2014 và 01/03/2015–31/12/2017 → 01/01/2017"),
)

RESULT_SHEETS: tuple[tuple[str, str], ...] = (
    ("Kết quả", "Mỗi dòng của danh sách, đúng thứ tự, với kết luận (Không trùng / Thẻ giữ lại / Cấp trùng / "
                "Lỗi dữ liệu), lý do, thẻ trùng với, thời gian trùng, số tháng trùng, số tiền trùng, phần NSNN "
                "chi trả và khóa nhận diện."),
    ("Chi tiết theo năm", "Mỗi thẻ cấp trùng, tách theo từng năm: số tháng và số tiền trùng."),
    ("Tổng hợp", "Theo năm và nhóm đối tượng, đủ 13 nhóm theo thứ tự ưu tiên, có dòng tổng cộng."),
    ("Lỗi dữ liệu", "Mỗi lỗi một dòng: dòng, cột, giá trị và nội dung lỗi (ví dụ: Dòng 27, cột Ngày sinh: "
                    "'31/02/1980' không phải ngày sinh hợp lệ)."),
    ("Nghi trùng", "(khi đánh dấu ô \"Tìm thẻ nghi trùng\" trong sheet \"Tham số\") Các cặp thẻ có thể của cùng "
                   "một người nhưng ghi hơi khác nhau (sai dấu, đảo ngày/tháng sinh, địa chỉ viết tắt, cùng mã số "
                   "BHXH…), với điểm và lý do. Chọn Trùng / Không trùng ở cột Quyết định rồi bấm lại \"Rà soát thẻ "
                   "trùng\": cặp Trùng được tính là cấp trùng có số tiền, cặp Không trùng không bị đề xuất lại. "
                   "Danh sách gõ phông TCVN3/VNI được tự chuyển sang Unicode (thêm cột \"... (Unicode)\")."),
    ("Liên tục 5 năm", "(nút \"Tính 5 năm liên tục\") Mỗi dòng của danh sách với ngày bắt đầu liên tục, số tháng "
                       "liên tục, ngày đủ 5 năm liên tục tính lại và, nếu danh sách có cột ngày in trên thẻ, "
                       "cột \"In lại thẻ\"."),
    ("Thẻ cần in lại", "Các thẻ in sai hoặc chưa in ngày đủ 5 năm liên tục."),
    ("Danh sách sau tăng giảm", "(nút \"Áp dụng tăng/giảm\") Mọi dòng gốc, ngày hết hạn cũ và mới cạnh nhau, "
                                "số tháng và số tiền không còn phải đóng; thẻ tăng ở cuối."),
    ("Kết quả tăng giảm", "Mỗi dòng tăng/giảm: đã áp dụng hay không, và lý do."),
    ("Dữ liệu xuất", "Danh sách thẻ sau tăng giảm theo bố cục cột cố định (MA_THE, HO_TEN, ...) để nạp vào phần "
                     "mềm quản lý thẻ."),
    ("Biểu 01 - Tổng hợp", "(nút \"Lập báo cáo\") Biểu 01, 02, 03 theo mẫu; bản in đúng thể thức nằm trong tệp "
                           "<tên tệp>_BaoCao.xlsx cạnh bảng tính."),
)

COMMON_ERRORS: tuple[tuple[str, str], ...] = (
    ("Thanh đỏ \"Microsoft has blocked macros\" / \"SECURITY RISK\", hoặc không có nút \"Enable Content\"",
     "Tệp bị đánh dấu tải từ Internet (Mark of the Web). Đóng tệp, bấm chuột phải vào tệp → Properties → "
     "đánh dấu \"Unblock\" → OK, rồi mở lại. Hoặc lưu tệp vào thư mục tin cậy (Trusted Location) do quản trị "
     "mạng cấu hình."),
    ("\"Khong tim thay Python tai: ...\" hoặc \"Could not find Interpreter!\"",
     "Chưa cài Python/gói bhyt-xl, hoặc đường dẫn sai. Cài theo README (mục Windows / Excel), hoặc sửa ô B1 "
     "của sheet \"xlwings.conf\" cho đúng đường dẫn python.exe."),
    ("\"ModuleNotFoundError: No module named 'bhyt_xl'\" (hoặc 'xlwings')",
     "Gói chưa được cài vào đúng môi trường Python mà ô B1 của sheet \"xlwings.conf\" trỏ tới. Mở Command "
     "Prompt, chạy python.exe đó với: -m pip install <thư mục mã nguồn bhyt-xl> (xem README)."),
    ("\"File not found: xlwings64-…dll\", \"Run-time error 53\", hoặc báo khác phiên bản xlwings",
     "Phiên bản xlwings trong Python khác phiên bản mã VBA trong tệp (xem mục Phiên bản cuối trang). Cài "
     "đúng phiên bản: python.exe -m pip install xlwings==<phiên bản>. Phần mềm diệt virus cũng có thể đã "
     "xóa tệp .dll này: cài lại và nhờ quản trị mạng thêm ngoại lệ."),
    ("Bấm nút không thấy gì, \"Run-time error 70: Permission denied\", hoặc phần mềm diệt virus cảnh báo",
     "Chính sách bảo mật (Microsoft Defender ASR \"Block all Office applications from creating child "
     "processes\") hoặc phần mềm diệt virus chặn Excel chạy Python. Nhờ quản trị mạng cho phép; trong lúc "
     "chờ, dùng dòng lệnh bhyt-xl review (README) trên tệp danh sách."),
    ("Ô có hàm BHYT_... hiện #NAME?",
     "Macro chưa được bật, hoặc tệp đã lưu thành .xlsx (mất macro). Bật macro; luôn lưu dưới dạng .xlsm."),
    ("\"Could not activate Python COM server\" khi dùng hàm BHYT_...",
     "Đặt Show Console = True trong sheet \"xlwings.conf\", tính lại ô để xem lỗi; thường do Python/xlwings "
     "cài thiếu hoặc khác phiên bản."),
    ("Lỗi khác", "Chương trình báo lỗi bằng hộp thoại; chi tiết ghi vào tệp bhyt_xl.log cạnh bảng tính (hoặc "
                  "trong thư mục Temp). Lỗi xảy ra trước khi chương trình chạy được (ví dụ thiếu gói) hiện trong "
                  "hộp thoại của xlwings: bấm Ctrl+C để sao chép. Gửi nội dung đó, tệp nhật ký và sheet \"Kiểm tra "
                  "cài đặt\" cho người hỗ trợ."),
)


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------
def build_workbook(path: Path | str = DEFAULT_PATH, udf_module: str | None = UDF_MODULE) -> Path:
    """Build the template at ``path`` (must end in .xlsm) and return the path.

    ``udf_module`` names the Python module of the cell functions; its
    ``xlwings_udfs`` wrappers are built in when it is importable, and left
    out (the guide still lists them) when it is not, e.g. ``None``.
    Raises ValueError when a check fails (see the module docstring).
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise ValueError(f"the workbook must be an .xlsm file, not {path.name!r}")
    modules = vba_modules(udf_module, path.name)
    check_buttons(modules)
    check_macro_commands(modules)
    check_udf_help(modules)
    vba = build_vba_project(modules)
    xlwings_version = embedded_xlwings_version(next(m.source for m in modules if m.name == "xlwings"))
    with atomic_path(path) as tmp:
        _write_workbook(tmp, vba, xlwings_version)
        tmp.chmod(0o644)  # mkstemp creates 0600; this is a shared template
    return path


def vba_modules(udf_module: str | None = UDF_MODULE, workbook_name: str = DEFAULT_PATH.name,
                vba_dir: Path = VBA_DIR) -> list[VbaModule]:
    """The workbook's VBA modules in project order.

    ThisWorkbook and one document module per sheet codename (``vba/<name>.cls``
    if present, else empty), every ``vba/*.bas`` and other ``vba/*.cls``,
    xlwings' standalone module and ``Dictionary`` class, and the generated
    ``xlwings_udfs`` when ``udf_module`` is importable.
    """
    if not vba_dir.is_dir():
        raise ValueError(f"VBA source folder {vba_dir} not found (build from a source checkout)")
    documents = ["ThisWorkbook", *(code for _, code in SHEETS)]
    modules = [VbaModule(name, "document", _read_ascii(vba_dir / f"{name}.cls", missing_ok=True))
               for name in documents]
    for kind, pattern in (("standard", "*.bas"), ("class", "*.cls")):
        for file in sorted(vba_dir.glob(pattern)):
            if file.stem not in documents:
                modules.append(VbaModule(_module_name(file), kind, _read_ascii(file)))
    modules += xlwings_vba_sources()
    if udf_module and _importable(udf_module):
        modules.append(VbaModule(UDF_MODULE_NAME, "standard", generate_udf_module(udf_module, workbook_name)))
    return modules


def _read_ascii(file: Path, missing_ok: bool = False) -> str:
    """Read one of our VBA files; they must be ASCII (VBA is cp1252, staff-facing text lives in Python)."""
    if missing_ok and not file.exists():
        return ""
    data = file.read_bytes()
    try:
        return data.decode("ascii")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(f"{file.name}, line {line}: non-ASCII byte; keep VBA ASCII-only "
                         "(put Vietnamese text in sheets or Python)") from None


def _module_name(file: Path) -> str:
    """The module name: the file's ``Attribute VB_Name``, which must equal the file name."""
    match = re.search(r'^Attribute VB_Name = "([^"]+)"', _read_ascii(file), re.MULTILINE)
    if match and match.group(1) != file.stem:
        raise ValueError(f"{file.name}: Attribute VB_Name is {match.group(1)!r}, expected {file.stem!r}")
    return file.stem


def _importable(module: str) -> bool:
    """Whether ``module`` can be found (its parent packages are imported to look)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


# ---------------------------------------------------------------------------
# Build-time checks
# ---------------------------------------------------------------------------
_PUBLIC_SUB = re.compile(r"^[ \t]*(?:Public[ \t]+)?Sub[ \t]+([A-Za-z]\w*)[ \t]*\([ \t]*\)", re.IGNORECASE | re.MULTILINE)
_RUN_PYTHON = re.compile(r'^[^\'\n]*?\bRunPython\b[ \t]*\(?[ \t]*"([^"]*)"', re.IGNORECASE | re.MULTILINE)
_MACRO_COMMAND = re.compile(r"import bhyt_xl\.excel\.macros as m; m\.([a-z_][a-z0-9_]*)\(\)")
_PROCEDURE_START = re.compile(r"^[ \t]*(?:(?:Public|Private|Friend)[ \t]+)?(?:Static[ \t]+)?(?:Sub|Function)[ \t]+(\w+)",
                              re.IGNORECASE)
_PROCEDURE_END = re.compile(r"^[ \t]*End[ \t]+(?:Sub|Function)\b", re.IGNORECASE)
_FUNCTION = re.compile(r"^Function[ \t]+(\w+)\((.*)\)[ \t]*$", re.MULTILINE)
_OUR_MODULES_EXCLUDE = frozenset({"xlwings", "Dictionary", UDF_MODULE_NAME})


def public_subs(source: str) -> set[str]:
    """Names of the argument-less public Subs of a module (what a button can run)."""
    return set(_PUBLIC_SUB.findall(source))


def run_python_commands(source: str) -> list[str]:
    """The command strings of the RunPython calls of a module (comment lines ignored)."""
    return _RUN_PYTHON.findall(source)


def check_buttons(modules: list[VbaModule]) -> None:
    """Every button (placed or later) runs a public Sub defined once; no two buttons share a slot."""
    where: dict[str, list[str]] = {}
    for module in modules:
        for sub in public_subs(module.source):
            where.setdefault(sub.casefold(), []).append(module.name)
    seen: dict[tuple[str, int], str] = {}
    for button in BUTTONS + LATER_BUTTONS:
        found = where.get(button.macro.casefold(), [])
        if len(found) != 1:
            problem = "is not a public argument-less Sub" if not found else f"is defined in {sorted(found)}"
            raise ValueError(f"button {button.caption!r}: macro {button.macro!r} {problem} in the VBA sources")
        key = (button.sheet, button.slot)
        if key in seen:
            raise ValueError(f"buttons {seen[key]!r} and {button.caption!r} share slot {button.slot} on {button.sheet!r}")
        seen[key] = button.caption


def check_macro_commands(modules: list[VbaModule], macros_module: str = MACROS_MODULE) -> None:
    """Every RunPython in our modules has the form ``import bhyt_xl.excel.macros as m; m.f()``.

    When ``macros_module`` is importable, each ``f`` must also be one of its
    functions, except in the Subs of LATER_BUTTONS (no button runs them yet;
    once their button is placed, their function must exist too). When it is
    not importable, only the form is checked.
    """
    later = {b.macro.casefold() for b in LATER_BUTTONS}
    required = []
    for module in modules:
        if module.name in _OUR_MODULES_EXCLUDE:
            continue
        for sub, command in _commands_by_sub(module.source):
            match = _MACRO_COMMAND.fullmatch(command)
            if not match:
                raise ValueError(f"module {module.name!r}: RunPython {command!r} is not of the form "
                                 f"'import {MACROS_MODULE} as m; m.<function>()'")
            if sub.casefold() not in later:
                required.append(match.group(1))
    if not _importable(macros_module):
        return
    macros = importlib.import_module(macros_module)
    missing = sorted({n for n in required if not callable(getattr(macros, n, None))})
    if missing:
        raise ValueError(f"RunPython names functions that {macros_module} does not define: {', '.join(missing)}")


def _commands_by_sub(source: str) -> list[tuple[str, str]]:
    """(enclosing Sub or Function, command) of each RunPython call of a module ("" outside procedures)."""
    out, current = [], ""
    for line in re.split(r"\r\n|\r|\n", source):
        start = _PROCEDURE_START.match(line)
        if start:
            current = start.group(1)
        elif _PROCEDURE_END.match(line):
            current = ""
        out += [(current, command) for command in run_python_commands(line)]
    return out


def udf_signatures(source: str) -> dict[str, tuple[int, float]]:
    """Function name -> (least, most) number of arguments, from an ``xlwings_udfs`` module."""
    out = {}
    for name, params in _FUNCTION.findall(source):
        parts = [p.strip() for p in params.split(",") if p.strip()]
        most = float("inf") if any(p.startswith("ParamArray") for p in parts) else len(parts)
        least = sum(1 for p in parts if not p.startswith(("Optional", "ParamArray")))
        out[name] = (least, most)
    return out


def check_udf_help(modules: list[VbaModule]) -> None:
    """When the UDF wrappers are built in, the guide documents exactly those functions, with fitting examples."""
    udfs = next((m for m in modules if m.name == UDF_MODULE_NAME), None)
    if udfs is None:
        return
    signatures = {name.upper(): bounds for name, bounds in udf_signatures(udfs.source).items()}
    documented = {h.name.upper(): h for h in UDF_HELP}
    if set(signatures) != set(documented):
        raise ValueError(
            "UDF_HELP in bhyt_xl/build/workbook.py does not match the UDF module: "
            f"undocumented {sorted(set(signatures) - set(documented))}, "
            f"documented but missing {sorted(set(documented) - set(signatures))}"
        )
    for name, help_ in documented.items():
        least, most = signatures[name]
        count = _argument_count(help_.example)
        if not least <= count <= most:
            raise ValueError(f"UDF_HELP example {help_.example!r} has {count} arguments; {name} takes "
                             f"{least} to {most}")


def _argument_count(formula: str) -> int:
    """Number of top-level arguments of the first call in ``formula``."""
    inner = formula[formula.index("(") + 1 : formula.rindex(")")]
    if not inner.strip():
        return 0
    depth, count = 0, 1
    for char in inner:
        depth += {"(": 1, ")": -1}.get(char, 0)
        count += char == "," and depth == 0
    return count


# ---------------------------------------------------------------------------
# The sheets
# ---------------------------------------------------------------------------
def _write_workbook(path: Path, vba: bytes, xlwings_version: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({
        "title": "Rà soát thẻ BHYT cấp trùng (CV 493/BHXH-CST)",
        "subject": "Bảng tính có nút bấm; phần tính toán do gói Python bhyt-xl thực hiện",
        "author": "bhyt-xl",
        "company": "",
        "comments": f"bhyt-xl {bhyt_xl.__version__}, xlwings {xlwings_version}. Tạo tự động; không sửa tay.",
        "created": FIXED_CREATED,
    })
    wb.set_vba_name("ThisWorkbook")
    styles = _Styles(wb)
    sheets = {name: None for name, _ in SHEETS}
    sheets[GUIDE_SHEET] = _guide_sheet(wb, styles, xlwings_version)
    sheets[LIST_SHEET] = _list_sheet(wb, styles)
    for spec in PASTE_SHEETS:
        sheets[spec[0]] = _paste_sheet(wb, styles, *spec)
    sheets[PARAMS_SHEET] = _params_sheet(wb)
    sheets[CONF_SHEET] = _conf_sheet(wb, styles)
    for name, code in SHEETS:
        sheets[name].set_vba_name(code)
    for button in BUTTONS:
        _place_button(sheets[button.sheet], button)
    sheets[GUIDE_SHEET].activate()
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()


class _Styles:
    """The few cell formats of the template (Calibri 11, wrapped text in the guide)."""

    def __init__(self, wb):
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.heading = add({"bold": True, "font_size": 12, "bg_color": "#DDEBF7", "valign": "top"})
        self.label = add({"bold": True, "text_wrap": True, "valign": "top"})
        self.text = add({"text_wrap": True, "valign": "top"})
        self.code = add({"text_wrap": True, "valign": "top", "font_name": "Consolas"})
        self.note = add({"italic": True, "font_color": "#595959", "valign": "vcenter"})
        self.table_header = add({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                                 "bg_color": "#DDEBF7", "border": 1})
        self.list_header = add({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                                "bg_color": "#DDEBF7", "border": 1})
        self.date = add({"num_format": "dd/mm/yyyy"})
        self.text_cell = add({"num_format": "@"})
        self.conf_key = add({"font_name": "Consolas"})
        self.conf_value = add({"font_name": "Consolas", "num_format": "@"})


def _list_sheet(wb, styles):
    """"Danh sách thẻ": title (row 1), buttons (row 2), a hint (row 3), the header (row 4), data from row 5."""
    _check_list_headers()
    ws = wb.add_worksheet(LIST_SHEET)
    ws.set_row(0, 24)
    ws.write_string(0, 0, "DANH SÁCH THẺ BHYT CẦN RÀ SOÁT", styles.title)
    ws.set_row(BUTTON_ROW - 1, BUTTON_ROW_HEIGHT)
    ws.write_string(2, 0, "Dán danh sách từ dòng 5, hoặc dán cả danh sách gốc kèm dòng tiêu đề của nó đè lên "
                          "dòng 4 (thứ tự cột tùy ý). Rê chuột vào tên cột để xem các tên khác được chấp nhận. "
                          "Xem sheet \"Hướng dẫn\".", styles.note)
    header = HEADER_ROW - 1
    ws.set_row(header, 30)
    for col, name in enumerate(LIST_HEADERS):
        fmt = styles.date if name in DATE_HEADERS else styles.text_cell if name in TEXT_HEADERS else None
        ws.set_column(col, col, LIST_WIDTHS[name], fmt)
        ws.write_string(header, col, name, styles.list_header)
        comment = _header_comment(name)
        if comment:
            ws.write_comment(header, col, comment, {"author": "bhyt-xl", "x_scale": 2.2, "y_scale": 1.6})
    ws.freeze_panes(HEADER_ROW, 0)
    _print_setup(ws)
    ws.repeat_rows(HEADER_ROW - 1)
    return ws


def _paste_sheet(wb, styles, name, title, hint, headers, dates, texts):
    """A paste area laid out as "Danh sách thẻ" (title, hint on row 3, header on row 4), without buttons."""
    ws = wb.add_worksheet(name)
    ws.set_row(0, 24)
    ws.write_string(0, 0, title, styles.title)
    ws.write_string(2, 0, hint, styles.note)
    ws.set_row(HEADER_ROW - 1, 30)
    for col, header in enumerate(headers):
        fmt = styles.date if header in dates else styles.text_cell if header in texts else None
        ws.set_column(col, col, max(10, min(30, len(header) + 4)), fmt)
        ws.write_string(HEADER_ROW - 1, col, header, styles.list_header)
    ws.freeze_panes(HEADER_ROW, 0)
    _print_setup(ws)
    return ws


def _check_list_headers() -> None:
    """Each header of row 4 is the engine's own label of a field (so the engine maps it), except STT/Ghi chú."""
    for name in LIST_HEADERS:
        field = field_for_header(name)
        if name in UNMAPPED_HEADERS:
            if field is not None:
                raise ValueError(f"header {name!r} unexpectedly maps to field {field!r}")
        elif field is None or label(field) != name:
            raise ValueError(f"header {name!r} is not the engine's label of an input column")
    missing = [label(f) for f in REQUIRED if label(f) not in LIST_HEADERS]
    if missing:
        raise ValueError(f"required columns missing from the header row: {missing}")


def _header_comment(name: str) -> str | None:
    """The cell comment of a header: required or not, and the other names the engine accepts."""
    field = field_for_header(name)
    if field is None:
        return None
    shown, aliases = FIELDS[field]
    others = [a for a in aliases if a != shown]
    need = "Bắt buộc." if field in REQUIRED else "Không bắt buộc."
    fmt = " Ngày dạng dd/mm/yyyy." if name in DATE_HEADERS else " Ô định dạng Văn bản (giữ số 0 ở đầu)." \
        if name in TEXT_HEADERS else ""
    return f"{shown}: {need}{fmt}\nTên cột khác được chấp nhận: {', '.join(others)}."


def _place_button(ws, button: Button) -> None:
    x = BUTTON_LEFT + (button.slot - 1) * (BUTTON_WIDTH + BUTTON_GAP)
    ws.insert_button(BUTTON_ROW - 1, 0, {
        "macro": button.macro, "caption": button.caption, "description": button.help,
        "width": BUTTON_WIDTH, "height": BUTTON_HEIGHT, "x_offset": x, "y_offset": BUTTON_TOP,
    })


def _params_sheet(wb):
    """"Tham số": the block stack of the default Params, and a named cell per option."""
    from bhyt_xl.reports import ReportSettings, report_block

    blocks = params_blocks(Params())
    ws = SheetWriter(wb).blocks(PARAMS_SHEET, [*blocks, report_block(ReportSettings())], intro=list(PARAMS_INTRO))
    _print_setup(ws)
    options = dict(blocks)[OPTIONS]
    title_row = len(PARAMS_INTRO) + 1 if PARAMS_INTRO else 0  # 0-based; blocks() leaves a blank row after the intro
    if blocks[0][0] != OPTIONS:
        raise ValueError("the options block must come first on 'Tham số'")
    labels = list(options.iloc[:, 0])
    for name, option in PARAM_NAMES:
        row = title_row + 2 + labels.index(option)
        wb.define_name(name, f"='{PARAMS_SHEET}'!$B${row + 1}")
    for option in CHECKBOX_OPTIONS:
        ws.insert_checkbox(title_row + 2 + labels.index(option), 1, False)
    return ws


def _conf_sheet(wb, styles):
    """"xlwings.conf": keys in column A from A1, values in column B, a Vietnamese note in column C."""
    ws = wb.add_worksheet(CONF_SHEET)
    widths = (30, 58, 90)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    _print_setup(ws)
    for row, (key, value, note) in enumerate(XLWINGS_CONF):
        ws.write_string(row, 0, key, styles.conf_key)
        ws.write_string(row, 1, value, styles.conf_value)
        ws.write_string(row, 2, note, styles.text)
        ws.set_row(row, _row_height([(note, widths[2])]))
    return ws


def _print_setup(ws) -> None:
    """A4 landscape, all columns on one page wide."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _guide_sheet(wb, styles, xlwings_version: str):
    """"Hướng dẫn": the staff guide, all Vietnamese; columns A (labels), B (text), C (examples)."""
    ws = wb.add_worksheet(GUIDE_SHEET)
    for col, width in enumerate(GUIDE_WIDTHS):
        ws.set_column(col, col, width)
    _print_setup(ws)
    g = _Guide(ws, styles)
    g.title("HƯỚNG DẪN: RÀ SOÁT THẺ BHYT CẤP TRÙNG (CÔNG VĂN 493/BHXH-CST)")
    ws.set_row(BUTTON_ROW - 1, BUTTON_ROW_HEIGHT)
    ws.write_string(BUTTON_ROW - 1, 1, "← Bấm \"Kiểm tra cài đặt\" sau khi cài đặt, hoặc khi các nút không chạy.",
                    styles.note)
    g.row = BUTTON_ROW + 1

    g.heading("1. Công cụ này làm gì")
    g.para("Rà soát danh sách thẻ BHYT đã cấp để tìm người được cấp nhiều thẻ có thời gian sử dụng trùng nhau, "
           "theo Công văn 493/BHXH-CST ngày 30/01/2013: xác định thẻ giữ lại và thẻ cấp trùng, số tháng trùng, "
           "số tiền trùng và phần NSNN chi trả, tổng hợp theo năm và theo nhóm đối tượng.")
    g.para("Hai thẻ là của cùng một người khi trùng họ tên, ngày sinh, giới tính và địa chỉ (so sánh sau khi "
           "chuẩn hóa chữ hoa/thường, dấu, khoảng trắng). Thẻ giữ lại là thẻ của nhóm đối tượng có thứ tự ưu "
           "tiên cao nhất; các thẻ khác là cấp trùng trong thời gian trùng.")
    g.para("Mọi tính toán do chương trình Python (gói bhyt-xl) thực hiện; bảng tính này là giao diện: các nút "
           "gọi chương trình, kết quả được ghi ra các sheet mới.")

    g.heading("2. Chuẩn bị (làm một lần trên mỗi máy)")
    g.item("Bước 1. Bật macro",
           "Khi mở tệp, bấm \"Enable Content\" (Bật nội dung). Nếu Excel báo \"Microsoft has blocked macros\" "
           "(tệp tải từ Internet, e-mail, Zalo): đóng tệp, bấm chuột phải vào tệp → Properties → đánh dấu "
           "\"Unblock\" → OK, rồi mở lại.")
    g.item("Bước 2. Cài Python và gói bhyt-xl",
           "Làm theo tệp README.md của bộ cài (mục \"Windows / Excel\"). Bảng tính tìm Python tại: "
           f"{INTERPRETER_WIN}")
    g.item("Bước 3. Kiểm tra", "Bấm nút \"Kiểm tra cài đặt\" ở đầu trang này.")
    g.item("Nếu Python ở chỗ khác",
           "Mở sheet \"xlwings.conf\" (sheet cuối cùng), sửa ô B1 (dòng Interpreter_Win) thành đường dẫn đầy đủ "
           "tới python.exe, ví dụ C:\\bhyt-xl\\.venv\\Scripts\\python.exe. Không đổi tên sheet, không chèn dòng "
           "trống giữa các dòng của cột A.")

    g.heading("3. Cách dùng")
    g.item("Dán danh sách",
           f"Mở sheet \"{LIST_SHEET}\". Dán danh sách từ dòng {HEADER_ROW + 1} theo thứ tự cột ở dòng {HEADER_ROW}; "
           f"hoặc dán cả danh sách gốc kèm dòng tiêu đề của nó đè lên dòng {HEADER_ROW} (thứ tự cột tùy ý).")
    g.item("Tên cột",
           "Tên cột được nhận theo nhiều cách viết, không phân biệt hoa/thường, có dấu hay không dấu: ví dụ Số "
           "thẻ/MA_THE, Họ tên/HO_TEN, Từ ngày/GT_THE_TU, Đến ngày/GT_THE_DEN, Ngày giảm/NGAY_THU_HOI. Rê chuột "
           "vào tên cột ở dòng 4 để xem đủ các tên. Cột bắt buộc: "
           + ", ".join(label(f) for f in REQUIRED) + ". Các cột khác được giữ nguyên.")
    g.item("Định dạng",
           "Các cột " + ", ".join(h for h in LIST_HEADERS if h in TEXT_HEADERS) + " là Văn bản để giữ số 0 ở "
           "đầu; các cột ngày là dd/mm/yyyy. Để giữ định dạng này, dán bằng Paste Special → Values (Ctrl+Alt+V, "
           "rồi V). Ngày sinh chỉ có năm (ví dụ 1980) nên để dạng văn bản.")
    g.item("Chạy", "Bấm \"Kiểm tra dữ liệu\", sửa các lỗi được báo, rồi bấm \"Rà soát thẻ trùng\".")

    g.heading("4. Các nút")
    g.table_header("Nút", "Công dụng", "Vị trí")
    for button in BUTTONS + LATER_BUTTONS:
        where = f"Sheet \"{button.sheet}\"" if button in BUTTONS else "Sẽ bổ sung (chỗ trống trên hàng nút)"
        g.item(button.caption, button.help, where)

    g.heading("5. Kết quả")
    for name, text in RESULT_SHEETS:
        g.item(f"Sheet \"{name}\"", text)
    g.para(f"Dữ liệu đã dán trong sheet \"{LIST_SHEET}\" không bao giờ bị sửa: chương trình chỉ tô màu nền các "
           "dòng (thẻ cấp trùng, thẻ giữ lại, dòng lỗi dữ liệu). Sheet \"Tham số\" cũng không bị sửa. Bấm lại một "
           "nút sẽ thay kết quả cũ của nút đó bằng kết quả mới.")

    g.heading("6. Hàm dùng trong ô")
    g.para("Các hàm sau dùng như hàm Excel (chạy bằng Python; lần tính đầu có thể mất vài giây). Ví dụ viết với "
           "dấu phẩy giữa các đối số; nếu Excel của máy dùng dấu chấm phẩy (thiết lập vùng Việt Nam), thay , "
           "bằng ;. Các ví dụ tham chiếu các cột của sheet \"" + LIST_SHEET + "\".")
    g.table_header("Hàm", "Công dụng", "Ví dụ")
    for h in UDF_HELP:
        g.item(f"{h.name}({h.args})", h.description, f"{h.example}\n{h.result}")

    g.heading(f"7. Sheet \"{PARAMS_SHEET}\"")
    g.para("Chứa các bảng quy định: thứ tự ưu tiên 13 nhóm đối tượng, mức lương cơ sở, tỷ lệ đóng BHYT, tỷ lệ "
           "NSNN đóng/hỗ trợ, và các tùy chọn (từ ngày/đến ngày rà soát, làm tròn số tháng, thẻ thu hồi, mẫu "
           "mã thẻ). Mỗi dòng ghi căn cứ và độ tin cậy. Có thể sửa giá trị; giữ nguyên tiêu đề bảng (chữ in hoa) "
           "và dòng tên cột; mỗi bảng kết thúc ở dòng trống đầu tiên. Các nút đọc lại sheet này mỗi lần chạy.")
    g.para("Các giá trị đánh dấu 🔶 chưa được đối chiếu với văn bản gốc: hãy kiểm tra với văn bản của đơn vị.")

    g.heading(f"8. Sheet \"{CONF_SHEET}\" (cài đặt xlwings)")
    g.para("Cột A là tên cài đặt, cột B là giá trị (xlwings đọc từ ô A1 xuống đến ô trống đầu tiên). Thường chỉ "
           "cần sửa ô B1 (Interpreter_Win: đường dẫn python.exe).")
    for key, value, note in XLWINGS_CONF:
        g.item(key, note, value)

    g.heading("9. Lỗi thường gặp và cách xử lý")
    g.table_header("Hiện tượng", "Cách xử lý", "")
    for symptom, fix in COMMON_ERRORS:
        g.item(symptom, fix)

    g.heading("10. Phiên bản")
    g.item("bhyt-xl", bhyt_xl.__version__)
    g.item("xlwings (mã VBA trong tệp)", f"{xlwings_version}: Python trên máy phải cài đúng xlwings=={xlwings_version}.")
    g.para("Tệp này được tạo tự động từ mã nguồn (python -m bhyt_xl.build.workbook); không sửa tay mã VBA.")
    return ws


class _Guide:
    """Writes the guide row by row: headings, paragraphs (column B) and labelled items (A, B, C).

    Row heights are set from the text length: neither Excel nor LibreOffice
    reliably grows a row for wrapped text in a file written by XlsxWriter.
    """

    def __init__(self, ws, styles):
        self.ws, self.styles, self.row = ws, styles, 0

    def title(self, text: str) -> None:
        self.ws.set_row(self.row, 24)
        self.ws.write_string(self.row, 0, text, self.styles.title)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.set_row(self.row, 18)
        self.ws.write_string(self.row, 0, text, self.styles.heading)
        for col in (1, 2):
            self.ws.write_blank(self.row, col, None, self.styles.heading)
        self.row += 1

    def para(self, text: str) -> None:
        self.ws.write_string(self.row, 1, text, self.styles.text)
        self.ws.set_row(self.row, _row_height([(text, GUIDE_WIDTHS[1])]))
        self.row += 1

    def item(self, name: str, text: str, extra: str = "") -> None:
        self.ws.write_string(self.row, 0, name, self.styles.label)
        self.ws.write_string(self.row, 1, text, self.styles.text)
        if extra:
            style = self.styles.code if extra.startswith(("=", "%")) else self.styles.text
            self.ws.write_string(self.row, 2, extra, style)
        cells = [(name, GUIDE_WIDTHS[0]), (text, GUIDE_WIDTHS[1]), (extra, GUIDE_WIDTHS[2])]
        self.ws.set_row(self.row, _row_height(cells))
        self.row += 1

    def table_header(self, *names: str) -> None:
        for col, name in enumerate(names):
            if name:
                self.ws.write_string(self.row, col, name, self.styles.table_header)
            else:
                self.ws.write_blank(self.row, col, None, self.styles.table_header)
        self.row += 1


GUIDE_WIDTHS = (26, 78, 46)
_LINE_HEIGHT = 15  # points per line of 11-point text
_CHARS_PER_WIDTH_UNIT = 1.0  # conservative: Calibri fits about 1.2, wider fallback fonts about 1.0


def _row_height(cells: list[tuple[str, int]]) -> float:
    """Height in points that shows every line of the wrapped texts, each in a column of the given width."""
    lines = 1
    for text, width in cells:
        per_line = max(1, int(width * _CHARS_PER_WIDTH_UNIT) - 1)
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return lines * _LINE_HEIGHT + 3


# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bhyt_xl.build.workbook",
                                     description="Build the Excel template BHYT_RaSoat.xlsm from source.")
    parser.add_argument("-o", "--output", default=str(DEFAULT_PATH), help=f"output .xlsm (default {DEFAULT_PATH})")
    args = parser.parse_args(argv)
    try:
        path = build_workbook(args.output)
    except (ValueError, OSError, OutputError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    note = "" if _importable(UDF_MODULE) else f" (no {UDF_MODULE} yet: cell functions not built in)"
    print(f"{path}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
