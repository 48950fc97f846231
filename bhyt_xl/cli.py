"""Command line: ``bhyt-xl review | continuity | apply-changes | build-workbook``.

A thin shell: parse arguments, call :mod:`bhyt_xl.api`, print the outcome.
A :class:`~bhyt_xl.errors.BhytError` becomes one Vietnamese line on stderr and
exit code 1; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from bhyt_xl import __version__
from bhyt_xl.errors import BhytError

DESCRIPTION = """\
bhyt-xl: rà soát thẻ BHYT cấp trùng (Công văn 493/BHXH-CST, 2013), thời gian tham gia
liên tục 5 năm và tăng/giảm người tham gia (Công văn 1006/BHXH-CST, 2016).

Review a health-insurance (BHYT) card issuance list: find cards issued twice to
one person (same họ tên, ngày sinh, giới tính, địa chỉ and overlapping validity),
measure each duplicate card's months and money, and summarise per year and group;
compute continuous participation and the 5-year date; apply increases/decreases.
Run "bhyt-xl LỆNH --help" for each command's options.
"""

REVIEW_HELP = """\
Rà soát một danh sách thẻ (.xlsx, .xlsm, .csv) và ghi tệp kết quả Excel gồm các sheet
"Kết quả" (mọi dòng của tệp gốc, giữ nguyên, thêm cột Kết luận, Lý do, Trùng với thẻ,
Trùng từ ngày/đến ngày, Số tháng trùng, Số tiền trùng, NSNN chi trả, Khóa nhận diện),
"Chi tiết theo năm", "Tổng hợp", "Lỗi dữ liệu" và "Tham số". Tệp gốc không bị sửa.

Review one card list and write the result workbook. The header row and the columns
are recognised by their Vietnamese names in any order (Mã thẻ, Họ và tên, Ngày sinh,
Giới tính, Địa chỉ, Mã đối tượng, Ngày cấp, Giá trị từ ngày, Giá trị đến ngày,
Ngày thu hồi, ...). Exit code 0 when the result was written (data errors are listed
in the "Lỗi dữ liệu" sheet), 1 when the file cannot be used (message in Vietnamese).

Danh sách trên 150.000 dòng: sheet "Kết quả" chỉ giữ các dòng cấp trùng, giữ lại và lỗi;
danh sách đầy đủ (mọi dòng, có kết luận) ghi cạnh tệp kết quả: <tên>_day_du.csv và
<tên>_day_du.parquet.

Thẻ nghi trùng (--suspects): thêm sheet "Nghi trùng" gồm các cặp thẻ có thể của cùng
một người nhưng ghi khác nhau (sai dấu, đảo ngày/tháng sinh, địa chỉ viết tắt, cùng mã
số BHXH...). Cán bộ ghi "Trùng" / "Không trùng" vào cột Quyết định rồi chạy lại đúng
lệnh đó: quyết định được đọc lại từ tệp kết quả cũ (hoặc từ --decisions), cặp "Trùng"
được tính là cấp trùng (có số tháng, số tiền), cặp "Không trùng" không được đề xuất lại.
Danh sách cũ gõ bằng phông TCVN3 (.VnTime) hoặc VNI được tự nhận ra và chuyển sang
Unicode (cột gốc giữ nguyên, thêm cột "... (Unicode)").
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bhyt-xl", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"bhyt-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", title="các lệnh (commands)")

    review = sub.add_parser(
        "review", help="rà soát thẻ cấp trùng (CV 493) / review duplicate cards",
        description=REVIEW_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    review.add_argument("input", metavar="INPUT", nargs="+",
                        help="danh sách thẻ: tệp .xlsx, .xlsm, .xls, .xlsb, .ods hoặc .csv; nhiều tệp hoặc một thư mục "
                             "thì được rà soát như một danh sách (thẻ trùng có thể nằm ở tệp của huyện khác)")
    review.add_argument("-o", "--output", metavar="OUTPUT.xlsx",
                        help="tệp kết quả (mặc định: <tên tệp vào>_ket_qua.xlsx cạnh tệp vào); ghi an toàn, không ghi đè dở dang")
    review.add_argument("--from", dest="date_from", metavar="DD/MM/YYYY",
                        help="đầu kỳ rà soát: chỉ tính thời gian trùng từ ngày này (ví dụ 01/01/2011)")
    review.add_argument("--to", dest="date_to", metavar="DD/MM/YYYY",
                        help="cuối kỳ rà soát: chỉ tính thời gian trùng đến ngày này (ví dụ 31/12/2012)")
    review.add_argument("--params", metavar="PARAMS.xlsx",
                        help="tệp tham số: sheet \"Tham số\" (thứ tự nhóm, lương cơ sở, tỷ lệ đóng, tỷ lệ NSNN, làm tròn), "
                             "cùng bố cục với sheet \"Tham số\" của tệp kết quả; --from/--to ghi đè kỳ rà soát trong tệp này")
    review.add_argument("--sheet", metavar="TÊN_SHEET",
                        help="sheet chứa danh sách (mặc định: sheet đầu tiên có dòng tiêu đề nhận ra được)")
    review.add_argument("--all-sheets", action="store_true",
                        help="rà soát mọi sheet có danh sách (mỗi xã/nhóm một sheet) như một danh sách, giữ tên sheet "
                             "ở cột \"Sheet\"")
    review.add_argument("--suspects", action="store_true",
                        help="thêm sheet \"Nghi trùng\": cặp thẻ có thể của cùng một người nhưng ghi khác nhau, để cán "
                             "bộ kiểm tra (không đổi kết quả rà soát trừ các cặp cán bộ ghi \"Trùng\"); cũng bật được "
                             "bằng tùy chọn \"Tìm thẻ nghi trùng\" trong sheet Tham số")
    review.add_argument("--decisions", metavar="KET_QUA_CU.xlsx",
                        help="đọc quyết định Trùng / Không trùng ở sheet \"Nghi trùng\" của tệp này (mặc định: của tệp "
                             "kết quả sắp ghi đè, nếu có); bật --suspects")
    review.add_argument("--partitioned", action="store_true",
                        help="danh sách lớn hơn bộ nhớ (cả nước): chia theo khóa nhận diện ra các tệp parquet trong "
                             "thư mục <OUTPUT>_phan_vung, rà soát từng phần bằng cùng quy tắc; kết quả từng dòng ở "
                             "ket_qua.csv / ket_qua.parquet trong thư mục đó, tổng hợp trong OUTPUT.xlsx")
    review.add_argument("--buckets", type=int, default=64, metavar="N",
                        help="số phần khi --partitioned (mặc định 64; mỗi phần nên dưới khoảng 2 triệu dòng)")
    review.set_defaults(func=_cmd_review)

    cont = sub.add_parser(
        "continuity", help="thời gian tham gia liên tục, ngày đủ 5 năm (CV 1006) / continuous participation",
        description=CONTINUITY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cont.add_argument("input", metavar="INPUT", help="danh sách thẻ (.xlsx, .xlsm, .csv)")
    _output_option(cont, "_lien_tuc")
    cont.add_argument("--as-of", dest="as_of", metavar="DD/MM/YYYY",
                      help="ngày xét: bỏ qua thẻ bắt đầu sau ngày này; số tháng liên tục tính đến ngày này")
    cont.add_argument("--extra", metavar="PERIODS.xlsx",
                      help="danh sách thời gian được tính mà không có thẻ (quân đội, công an, cơ yếu, công tác nước "
                           "ngoài): Mã số BHXH hoặc Họ và tên, Ngày sinh, Giới tính, Địa chỉ; Từ ngày, Đến ngày")
    _params_option(cont)
    cont.add_argument("--sheet", metavar="TÊN_SHEET", help="sheet chứa danh sách thẻ")
    cont.set_defaults(func=_cmd_continuity)

    changes = sub.add_parser(
        "apply-changes", help="áp dụng danh sách tăng/giảm (CV 1006) / apply increases and decreases",
        description=CHANGES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    changes.add_argument("cards", metavar="CARDS", help="danh sách thẻ (.xlsx, .xlsm, .csv)")
    changes.add_argument("changes", metavar="CHANGES", help="danh sách tăng/giảm kiểu D03-TS (.xlsx, .xlsm, .csv)")
    _output_option(changes, "_tang_giam")
    _params_option(changes)
    changes.add_argument("--sheet", metavar="TÊN_SHEET", help="sheet chứa danh sách thẻ")
    changes.add_argument("--changes-sheet", metavar="TÊN_SHEET", help="sheet chứa danh sách tăng/giảm")
    changes.set_defaults(func=_cmd_apply_changes)

    report = sub.add_parser(
        "report", help="lập báo cáo Biểu 01-03 (CV 493) / official report forms",
        description=REPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("input", metavar="INPUT", help="danh sách thẻ (.xlsx, .xlsm, .csv)")
    _output_option(report, "_bao_cao")
    report.add_argument("--from", dest="date_from", metavar="DD/MM/YYYY", help="đầu kỳ rà soát (ví dụ 01/01/2011)")
    report.add_argument("--to", dest="date_to", metavar="DD/MM/YYYY", help="cuối kỳ rà soát (ví dụ 31/12/2012)")
    _params_option(report)
    report.add_argument("--sheet", metavar="TÊN_SHEET", help="sheet chứa danh sách thẻ")
    report.add_argument("--decisions", metavar="KET_QUA.xlsx",
                        help="áp dụng các quyết định \"Trùng\" ở sheet \"Nghi trùng\" của tệp kết quả rà soát này "
                             "(số liệu báo cáo khớp với tệp kết quả)")
    report.add_argument("--pdf", action="store_true",
                        help="xuất thêm tệp PDF cạnh tệp báo cáo (cần LibreOffice: soffice)")
    report.set_defaults(func=_cmd_report)

    build = sub.add_parser(
        "build-workbook", help="dựng bảng tính mẫu BHYT_RaSoat.xlsm từ mã nguồn / build the Excel template",
        description="Dựng lại workbooks/BHYT_RaSoat.xlsm (sheet, nút bấm, VBA, tham số mặc định) từ mã nguồn. "
                    "Build the template workbook from source (byte-identical when rebuilt from the same source).",
    )
    build.add_argument("-o", "--output", metavar="PATH", default=None,
                       help="nơi ghi tệp (mặc định workbooks/BHYT_RaSoat.xlsm)")
    build.set_defaults(func=_cmd_build_workbook)
    return parser


REPORT_HELP = """\
Lập các biểu báo cáo theo Công văn 493/BHXH-CST, đúng thể thức văn bản hành chính (NĐ 30/2020):
"Biểu 01 - Tổng hợp" (số thẻ, số tháng, số tiền cấp trùng, NSNN chi trả theo năm và nhóm đối tượng),
"Biểu 02 - Danh sách" (từng thẻ cấp trùng, cộng theo nhóm), "Biểu 03 - Nguyên nhân" (theo nguyên nhân,
đơn vị, huyện) và, khi danh sách có cột "Ngày đủ 5 năm liên tục", danh sách thẻ cần in lại.
Tên cơ quan, nơi lập, người ký, số hiệu biểu sửa trong khối "THÔNG TIN BÁO CÁO" của sheet "Tham số"
(tệp --params). A4, Times New Roman, lặp dòng tiêu đề khi in; --pdf xuất PDF bằng LibreOffice.
"""

CONTINUITY_HELP = """\
Tính thời gian tham gia BHYT liên tục và ngày đủ 5 năm liên tục cho từng người (CV 1006/BHXH-CST).
Người = cùng họ tên, ngày sinh, giới tính, địa chỉ (như rà soát thẻ trùng), hoặc cùng Mã số BHXH.
Gián đoạn bắt đầu trước 01/01/2015 làm tính lại; từ 01/01/2015 gián đoạn tối đa 3 tháng vẫn liên tục
(thời gian gián đoạn được tính). Ngày đủ 5 năm = ngày bắt đầu chuỗi + 5 năm, không sớm hơn 01/01/2015.
Các tham số này sửa được trong sheet "Tham số" (--params).

Output: sheet "Liên tục 5 năm" (every input row with Bắt đầu liên tục, Số tháng liên tục,
Ngày đủ 5 năm liên tục (tính lại), and In lại thẻ when the list has the printed date column
"Ngày đủ 5 năm liên tục" / "Thời điểm đủ 5 năm"), "Thẻ cần in lại", "Lỗi dữ liệu", "Tham số".
"""

CHANGES_HELP = """\
Áp dụng danh sách tăng/giảm người tham gia (kiểu D03-TS) vào danh sách thẻ (CV 1006/BHXH-CST mục 1).
Mỗi dòng tăng/giảm khớp thẻ theo Mã số BHXH, nếu không có thì theo Mã thẻ, nếu không có thì theo họ tên
và ngày sinh. Giảm: cắt giá trị thẻ đến hết tháng có ngày giảm (tham số: đến ngày giảm) và tính số tháng,
số tiền không còn phải đóng. Tăng: thêm thẻ từ ngày hiệu lực. Dòng không khớp thẻ nào, khớp nhiều thẻ
hoặc lặp lại thì được báo lỗi kèm số dòng, không bao giờ áp dụng theo phỏng đoán.

Output: "Danh sách sau tăng giảm" (every original row kept, old and new end dates side by side, added
cards after them), "Kết quả tăng giảm" (one row per change), "Tổng hợp tăng giảm", "Dữ liệu xuất"
(plain column layout for loading into card-management software), "Lỗi dữ liệu", "Tham số".
"""


def _output_option(parser, suffix: str) -> None:
    parser.add_argument("-o", "--output", metavar="OUTPUT.xlsx",
                        help=f"tệp kết quả (mặc định: <tên tệp vào>{suffix}.xlsx cạnh tệp vào)")


def _params_option(parser) -> None:
    parser.add_argument("--params", metavar="PARAMS.xlsx",
                        help="tệp tham số (sheet \"Tham số\", cùng bố cục với sheet \"Tham số\" của tệp kết quả)")


def _load_params(args):
    from bhyt_xl.io.params_io import read_params
    from bhyt_xl.params import Params

    return read_params(args.params) if args.params else Params()


def _output_path(source: Path, output, suffix: str) -> Path:
    out = Path(output) if output else source.with_name(f"{source.stem}{suffix}.xlsx")
    if out.resolve() == source.resolve():
        raise BhytError("Tệp kết quả phải khác tệp danh sách gốc (tệp gốc không bao giờ bị ghi đè).")
    return out


def _cli_date(option: str, value: str):
    from bhyt_xl.io.params_io import parse_cli_date

    try:
        return parse_cli_date(value)
    except ValueError as exc:
        raise BhytError(f"Tham số {option}: {exc}.") from None


def _cmd_continuity(args) -> int:
    from bhyt_xl.api import continuity_file, write_workbook

    params = _load_params(args)
    as_of = _cli_date("--as-of", args.as_of) if args.as_of else None
    source = Path(args.input)
    output = _output_path(source, args.output, "_lien_tuc")
    run = continuity_file(source, params=params, sheet=args.sheet, as_of=as_of, extra=args.extra)
    write_workbook(output, run.sheets(), params, run.table.source)
    print(run.message())
    print(f"Kết quả: {output}")
    return 0


def _cmd_apply_changes(args) -> int:
    from bhyt_xl.api import apply_changes_files, write_workbook

    params = _load_params(args)
    source = Path(args.cards)
    output = _output_path(source, args.output, "_tang_giam")
    if output.resolve() == Path(args.changes).resolve():
        raise BhytError("Tệp kết quả phải khác tệp danh sách tăng/giảm.")
    run = apply_changes_files(source, args.changes, params=params, sheet=args.sheet, changes_sheet=args.changes_sheet)
    write_workbook(output, run.sheets(), params, f"{run.table.source} + {run.changes_table.source}")
    print(run.message())
    print(f"Kết quả: {output}")
    return 0


def _cmd_report(args) -> int:
    from bhyt_xl.api import continuity_table, review_file
    from bhyt_xl.reports import ReportSettings, export_pdf, read_report_settings, write_reports

    params = _review_params(args)
    settings = read_report_settings(args.params) if args.params else ReportSettings()
    source = Path(args.input)
    output = _output_path(source, args.output, "_bao_cao")
    decisions, decisions_note = _decisions(args, None) if args.decisions else (None, "")
    review = review_file(source, params=params, sheet=args.sheet, decisions=decisions)
    if decisions_note:
        print(decisions_note)
    continuity = None
    if "printed_5y" in review.table.columns:
        continuity = continuity_table(review.table, params)  # the list already read, not the file again
    write_reports(output, review, settings, continuity=continuity)
    print(review.message())
    print(f"Báo cáo: {output}")
    if args.pdf:
        print(f"PDF: {export_pdf(output)}")
    return 0


def _review_params(args):
    """Params from --params, with --from/--to laid over the review period."""
    params = _load_params(args)
    changes = {}
    for attr, key in (("date_from", "review_from"), ("date_to", "review_to")):
        value = getattr(args, attr)
        if value:
            changes[key] = _cli_date(f"--{attr[5:]}", value)
    params = params.replace(**changes)
    if params.review_from and params.review_to and params.review_to < params.review_from:
        raise BhytError("Ngày --to phải sau ngày --from.")
    return params


def _cmd_build_workbook(args) -> int:
    from bhyt_xl.build.workbook import DEFAULT_PATH, build_workbook

    try:
        path = build_workbook(args.output or DEFAULT_PATH)
    except ValueError as exc:  # a mistake in vba/ or the UDF guide: the message says where
        raise BhytError(f"Không dựng được bảng tính: {exc}") from None
    print(f"Đã dựng bảng tính mẫu: {path}")
    return 0


def _cmd_review(args) -> int:
    from bhyt_xl.api import full_list_files, review_file, write_review

    params = _review_params(args)
    inputs = [Path(p) for p in args.input]
    many = len(inputs) > 1 or inputs[0].is_dir()
    if many and not args.output:
        raise BhytError("Khi rà soát nhiều tệp hoặc một thư mục, hãy ghi rõ tệp kết quả bằng -o KET_QUA.xlsx.")
    source = inputs[0]
    output = _output_path(source, args.output, "_ket_qua")
    if any(output.resolve() == p.resolve() for p in inputs):
        raise BhytError("Tệp kết quả phải khác các tệp danh sách gốc (tệp gốc không bao giờ bị ghi đè).")
    if args.all_sheets and args.sheet:
        raise BhytError("Chỉ dùng một trong hai: --sheet hoặc --all-sheets.")
    if args.partitioned:
        return _review_partitioned(args, inputs, output, params)
    decisions, decisions_note = _decisions(args, output)
    if decisions is not None or args.suspects:
        params = params.replace(find_suspects=True)
    if many:
        from bhyt_xl.api import review_table
        from bhyt_xl.io.multi import read_many

        review = review_table(read_many(inputs, sheet=args.sheet), params, decisions=decisions)
    else:
        review = review_file(source, params=params, sheet=args.sheet, all_sheets=args.all_sheets,
                             decisions=decisions)
    write_review(review, output)
    if decisions_note:
        print(decisions_note)
    print(review.message())
    if review.result.stats["errors"]:
        print("Xem các dòng lỗi trong sheet \"Lỗi dữ liệu\".")
    print(f"Kết quả: {output}")
    for extra in full_list_files(review, output):
        print(f"Danh sách đầy đủ (mọi dòng): {extra}")
    return 0


#: Rows of one Excel sheet below its header row.
EXCEL_MAX_ROWS = 1_048_575


def _review_partitioned(args, inputs: list[Path], output: Path, params) -> int:
    """``review --partitioned``: the out-of-core run (bhyt_xl.scale), per-row results as files, totals as a workbook."""
    from types import SimpleNamespace

    import pandas as pd

    from bhyt_xl.api import vn_number, write_workbook
    from bhyt_xl.io import sheets
    from bhyt_xl.scale import review_partitioned

    if args.suspects or args.decisions or args.all_sheets:
        raise BhytError("--partitioned chưa dùng được cùng --suspects, --decisions hoặc --all-sheets; hãy rà soát "
                        "từng tỉnh trong bộ nhớ cho các việc đó.")
    if args.buckets < 1:
        raise BhytError("--buckets phải là số nguyên dương.")
    workdir = output.with_name(f"{output.stem}_phan_vung")
    run = review_partitioned(inputs, params, workdir, buckets=args.buckets, sheet=args.sheet, write_csv=True,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
    by_year, problems = run.by_year(), run.problems()
    result = SimpleNamespace(summary=run.summary, by_year=by_year)
    where = f"thư mục {workdir.name}"
    notes = [f"Rà soát ngoài bộ nhớ (--partitioned, {run.buckets} phần): kết quả từng dòng (như sheet \"Kết quả\") "
             f"ở {where}, tệp ket_qua.csv (mở bằng Excel) và ket_qua.parquet."]
    frames = {sheets.SHEET_SUMMARY: sheets.summary_sheet(result)}
    for name, frame, full in ((sheets.SHEET_BY_YEAR, sheets.by_year_sheet(result), "by_year.parquet"),
                              (sheets.SHEET_PROBLEMS, sheets.problems_sheet(problems), "problems.parquet")):
        if len(frame) <= EXCEL_MAX_ROWS:
            frames[name] = frame
        else:
            frames[name] = frame.head(EXCEL_MAX_ROWS)
            notes.append(f"Sheet \"{name}\" chỉ có {vn_number(EXCEL_MAX_ROWS)} dòng đầu (giới hạn của Excel); đủ "
                         f"{vn_number(len(frame))} dòng ở {where}, tệp {full}.")
    frames = {"Ghi chú": pd.DataFrame({"Ghi chú": notes}), **frames}
    bold = {sheets.SHEET_SUMMARY: run.summary["kind"].isin(["year", "total"]).to_numpy()}
    source = ", ".join(p.name for p in inputs)
    write_workbook(output, frames, params, source, bold, tuple(notes))
    print(run.message())
    for line in notes:
        print(line)
    print(f"Kết quả: {output}")
    return 0


def _decisions(args, output: Path | None):
    """Staff decisions of a "Nghi trùng" sheet: from --decisions, else from the output about to be replaced.

    ``(decisions or None, note)``. Decisions found in the old output turn
    suspects on by themselves, so that rerunning without --suspects never
    drops staff's work.
    """
    from bhyt_xl.io.suspects_io import SHEET, decision_counts, read_decisions_file

    if args.decisions:
        path = Path(args.decisions)
        if not path.exists():
            raise BhytError(f"Không tìm thấy tệp quyết định '{path}'.")
        decisions = read_decisions_file(path)
        if decisions is None:
            raise BhytError(f"Tệp '{path.name}' không có sheet \"{SHEET}\" với cột \"Mã cặp\" và cột Quyết định.")
        return decisions, f"Đọc {decision_counts(decisions)} quyết định ở sheet \"{SHEET}\" của tệp {path.name}."
    decisions = read_decisions_file(output)
    count = decision_counts(decisions)
    if decisions is None or (not args.suspects and count == 0):
        return None, ""
    return decisions, (f"Đọc {count} quyết định ở sheet \"{SHEET}\" của tệp kết quả cũ "
                       f"{output.name}; các quyết định được áp dụng và giữ lại trong tệp mới.")


def main(argv: list[str] | None = None) -> int:
    import signal

    # a stop request (kill, closing the console) unwinds normally, so a half-written output is removed
    with contextlib.suppress(ValueError):  # not in the main thread: leave signals alone
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except BhytError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # never a traceback for staff; developers set BHYT_XL_DEBUG=1
        if os.environ.get("BHYT_XL_DEBUG"):
            raise
        print(f"Lỗi không mong đợi ({type(exc).__name__}); không có tệp nào bị ghi. Hãy báo người hỗ trợ, "
              "kèm lệnh đã chạy (chạy lại với biến môi trường BHYT_XL_DEBUG=1 để xem chi tiết).", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
