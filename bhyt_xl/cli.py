"""Command line: ``bhyt-xl review INPUT -o OUTPUT.xlsx [--from] [--to] [--params] [--sheet]``.

A thin shell: parse arguments, call :mod:`bhyt_xl.api`, print the outcome.
A :class:`~bhyt_xl.errors.BhytError` becomes one Vietnamese line on stderr and
exit code 1; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bhyt_xl import __version__
from bhyt_xl.errors import BhytError

DESCRIPTION = """\
bhyt-xl: rà soát thẻ BHYT cấp trùng theo Công văn 493/BHXH-CST (2013).

Review a health-insurance (BHYT) card issuance list: find cards issued twice to
one person (same họ tên, ngày sinh, giới tính, địa chỉ and overlapping validity),
measure each duplicate card's months and money, and summarise per year and group.
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
    review.add_argument("input", metavar="INPUT", help="danh sách thẻ: tệp .xlsx, .xlsm hoặc .csv (UTF-8 hoặc Windows-1258)")
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
    review.set_defaults(func=_cmd_review)
    return parser


def _cmd_review(args) -> int:
    from bhyt_xl.api import review_file, write_review
    from bhyt_xl.io.params_io import parse_cli_date, read_params
    from bhyt_xl.params import Params

    params = read_params(args.params) if args.params else Params()
    changes = {}
    for attr, key in (("date_from", "review_from"), ("date_to", "review_to")):
        value = getattr(args, attr)
        if value:
            try:
                changes[key] = parse_cli_date(value)
            except ValueError as exc:
                raise BhytError(f"Tham số --{attr[5:]}: {exc}.") from None
    params = params.replace(**changes)
    if params.review_from and params.review_to and params.review_to < params.review_from:
        raise BhytError("Ngày --to phải sau ngày --from.")
    source = Path(args.input)
    output = Path(args.output) if args.output else source.with_name(f"{source.stem}_ket_qua.xlsx")
    if output.resolve() == source.resolve():
        raise BhytError("Tệp kết quả phải khác tệp danh sách gốc (tệp gốc không bao giờ bị ghi đè).")
    review = review_file(source, params=params, sheet=args.sheet)
    write_review(review, output)
    print(review.message())
    if review.result.stats["errors"]:
        print(f"Xem các dòng lỗi trong sheet \"Lỗi dữ liệu\".")
    print(f"Kết quả: {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
