"""Printouts from the command line (contract §1).

- ``workorder --db P NUMBER... -o F.pdf [--all-unprinted] [--a5]``: work orders, one page each;
  printing is recorded in each request's history.
- ``report monthly --db P --month YYYY-MM [--town T] [--village V] -o F.pdf [--xlsx F.xlsx]
  [--as-of DATE]``: the monthly summary; every figure equals ``stats --json``.
- ``notice --db P --village V [--town T] -o F.pdf [--a3]``: the village's 帮办公示 poster
  (with ``--town`` alone: one page for each village of the town).

Each runs as a named operation (xianghe_desk/operations/printing.py): the signed-in user may
print only their own scope, and each printout is written to the audit trail. The PDF is written
to a temporary file beside the target and renamed at the end, so a failed or interrupted run
never leaves half a file behind.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, db_argument, db_path, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    order = sub.add_parser("workorder", help="打印服务工单（每张工单一页，带二维码）")
    db_argument(order)
    order.add_argument("numbers", nargs="*", metavar="NUMBER", help="工单编号（可写多个，横线可省略）")
    order.add_argument("-o", "--output", required=True, type=Path, metavar="F.pdf", help="输出的 PDF 文件")
    order.add_argument(
        "--all-unprinted", action="store_true", help="加上所有「已派单」但还没有打印过工单的工单"
    )
    order.add_argument("--a5", action="store_true", help="用 A5 纸（默认 A4）")
    order.set_defaults(func=run_workorder, parser=order)

    report = sub.add_parser("report", help="报表：月度汇总")
    kinds = report.add_subparsers(dest="report_kind", metavar="报表", required=True)
    monthly = kinds.add_parser("monthly", help="某月的月度汇总（全县、一个镇或一个村街）")
    db_argument(monthly)
    monthly.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，例如 2026-11")
    monthly.add_argument("--town", metavar="T", help="镇的名称或统计代码（不填为全县）")
    monthly.add_argument("--village", metavar="V", help="村街的名称或统计代码")
    monthly.add_argument("-o", "--output", required=True, type=Path, metavar="F.pdf", help="输出的 PDF 文件")
    monthly.add_argument("--xlsx", type=Path, metavar="F.xlsx", help="同时把各表导出为 Excel 文件")
    monthly.add_argument(
        "--as-of",
        dest="as_of",
        metavar="DATE",
        help="按哪个时刻的状态统计（默认现在；只写日期时为当天 24 点）",
    )
    monthly.set_defaults(func=run_monthly)

    notice = sub.add_parser("notice", help="打印村街的网格员帮办公示（每个村街一页）")
    db_argument(notice)
    notice.add_argument("--village", metavar="V", help="村街的名称或统计代码")
    notice.add_argument("--town", metavar="T", help="所属镇；只写镇时为全镇每个村街各印一页")
    notice.add_argument("-o", "--output", required=True, type=Path, metavar="F.pdf", help="输出的 PDF 文件")
    notice.add_argument("--a3", action="store_true", help="用 A3 纸（默认 A4）")
    notice.set_defaults(func=run_notice, parser=notice)


def run_workorder(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.operations.printing import print_work_orders, work_order_ids

    if not args.numbers and not args.all_unprinted:
        args.parser.error("请写出要打印的工单编号，或加上 --all-unprinted 打印所有未打印的已派单工单")
    _refuse_missing_db(args)
    with open_workspace(args) as ws:
        ids = work_order_ids(ws, args.numbers, args.all_unprinted)
        if not ids:
            raise ValidationError("没有需要打印的工单：已派单且未打印过工单的工单为 0 张。没有生成文件。")
        page = "A5" if args.a5 else "A4"
        result = print_work_orders(ws, ids, args.output, page=page).value
    print(f"已生成工单：{args.output}（{result.orders} 张工单，共 {result.pages} 页，{page}）。")
    print("已在每张工单的办理记录中登记「打印工单」。")
    return EXIT_OK


def run_monthly(args: argparse.Namespace) -> int:
    from xianghe_desk.commands.stats import parse_as_of, parse_month_arg

    month = parse_month_arg(args.month)
    as_of = parse_as_of(args.as_of)
    _refuse_missing_db(args)
    # The summary's modules (reportlab, the figures) are imported while the password is checked.
    with open_workspace(args, meanwhile=_import_monthly) as ws:
        from xianghe_desk.operations.printing import print_monthly_report

        report = print_monthly_report(
            ws, month, args.output, town=args.town, village=args.village, as_of=as_of, xlsx=args.xlsx
        ).value
    f = report.figures
    print(f"已生成月度汇总：{args.output}（{report.title} {report.month_label}，共 {report.pages} 页）。")
    if args.xlsx is not None:
        print(f"各表已导出到：{args.xlsx}")
    # A rate with nothing behind it is 「—」, as in the printed summary (issue #8).
    completion = f"{f['completion_rate']:.1f}%" if f["received"] else "—"
    satisfaction = f"{f['satisfaction_rate']:.1f}%" if f["rated"] else "—"
    print(
        f"  受理 {f['received']} 件，办结 {f['completed']} 件，办结率 {completion}，"
        f"满意率 {satisfaction}，超期 {f['overdue']} 件（统计时刻 {f['as_of']}）。"
    )
    return EXIT_OK


def _import_monthly() -> None:
    import xianghe_desk.operations.printing  # noqa: F401


def run_notice(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.printing import print_notices

    if not args.village and not args.town:
        args.parser.error("请用 --village 指定村街，或用 --town 为全镇每个村街各印一页")
    _refuse_missing_db(args)
    with open_workspace(args) as ws:
        villages, result = print_notices(ws, args.output, town=args.town, village=args.village, a3=args.a3).value
    names = "、".join(v.short_name for v in villages[:5]) + ("等" if len(villages) > 5 else "")
    print(f"已生成帮办公示：{args.output}（{names}，{result.pages} 页，{'A3' if args.a3 else 'A4'}）。")
    return EXIT_OK


def _refuse_missing_db(args: argparse.Namespace) -> None:
    """Printing reads an existing database; a mistyped path must not create an empty one."""
    from xianghe_desk.domain.errors import ValidationError

    path = db_path(args)
    if not path.exists():
        raise ValidationError(f"数据库文件「{path}」不存在。请检查 --db 后面的路径。", field="db")
