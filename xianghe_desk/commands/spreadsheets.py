"""``template``, ``import`` and ``export`` of spreadsheets (contract §1 and §2).

- ``xianghe-desk template KIND -o F.xlsx``
- ``xianghe-desk import KIND --db P F [--dry-run] [--valid-only] [--report R.xlsx]``
- ``xianghe-desk export KIND --db P -o F.xlsx [--month YYYY-MM] [--full]``

``import`` is all-or-nothing by default: when any row is refused nothing is written and the
exit code is 1. ``--valid-only`` writes the valid rows and still exits 1 if any were refused.
A row for a village outside the signed-in user's scope is refused like any other bad row.
``export`` writes ID numbers and phones masked (131024********1234, 138****8000); ``--full``
writes them in full, for administrators and 镇级文员 only. Both run as named operations
(xianghe_desk/operations), which check the role and write the audit trail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, db_argument, db_path, open_workspace

KINDS = ("villages", "grids", "members", "residents", "requests")
KIND_HELP = "villages（村街）、grids（网格）、members（网格员）、residents（服务对象）、requests（服务工单）"
SHOWN_REFUSALS = 20
SHOWN_ROWS = 20


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    template = sub.add_parser("template", help="生成空白的导入模板（.xlsx，带说明和下拉列表）")
    template.add_argument("kind", choices=KINDS, metavar="KIND", help=KIND_HELP)
    template.add_argument("-o", "--output", required=True, type=Path, metavar="F.xlsx", help="模板文件")
    db_argument(template)
    template.set_defaults(func=run_template)

    imp = sub.add_parser("import", help="导入表格（.xlsx 或 .csv）；默认有错误的行时全部不导入")
    imp.add_argument("kind", choices=KINDS, metavar="KIND", help=KIND_HELP)
    db_argument(imp)
    imp.add_argument("file", type=Path, metavar="F", help="要导入的表格文件（.xlsx 或 .csv）")
    imp.add_argument("--dry-run", action="store_true", help="只检查，列出将新增、更新和拒绝的行，不写入")
    imp.add_argument("--valid-only", action="store_true", help="只导入正确的行（有被拒绝的行时仍返回 1）")
    imp.add_argument("--report", type=Path, metavar="R.xlsx", help="把被拒绝的行和原因保存为 Excel 文件")
    imp.set_defaults(func=run_import)

    export = sub.add_parser("export", help="导出为表格（与导入的列相同）")
    export.add_argument("kind", choices=KINDS, metavar="KIND", help=KIND_HELP)
    db_argument(export)
    export.add_argument("-o", "--output", required=True, type=Path, metavar="F.xlsx", help="导出的文件")
    export.add_argument("--month", metavar="YYYY-MM", help="只导出这个月受理的工单（仅 requests）")
    export.add_argument(
        "--full",
        action="store_true",
        help="写出完整的身份证号和电话（默认隐藏中间几位；仅管理员和镇级文员可用，会记入操作日志）",
    )
    export.set_defaults(func=run_export)


def _xlsx_target(path: Path, what: str) -> int:
    """EXIT_OK when ``path`` can be written to; otherwise the exit code after saying why.

    A wrong file name is wrong usage (2); a missing folder is refused input (1), as for every
    other command that writes a file (contract §1, issue #10).
    """
    if path.suffix.lower() != ".xlsx":
        print(f"用法错误：{what}文件名请以 .xlsx 结尾（现在是「{path.name}」）。", file=sys.stderr)
        return EXIT_USAGE
    if path.parent and not path.parent.exists():
        print(f"错误：文件夹「{path.parent}」不存在，请先建好文件夹或换一个位置。", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def run_template(args: argparse.Namespace) -> int:
    from xianghe_desk import paths
    from xianghe_desk.services.exports import ExportService, write_reference_template
    from xianghe_desk.sheets.columns import spec_for

    refused = _xlsx_target(args.output, "模板")
    if refused:
        return refused
    target = args.output
    # The drop-downs list the database's towns, villages, grids and settings' lists. Without
    # --db and without a default database yet, the county's shipped lists serve instead, so
    # that making a template never creates a database as a side effect.
    explicit = getattr(args, "db", None)
    if explicit or paths.default_db_path().exists():
        with open_workspace(args) as ws:
            ExportService(ws).template(args.kind, target)
    else:
        write_reference_template(args.kind, target)
    spec = spec_for(args.kind)
    required = "、".join(spec.required)
    print(f"已生成{spec.label}导入模板：{target}（{len(spec.columns)} 列，必填：{required}）")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.imports import import_file

    refused = _xlsx_target(args.report, "报告") if args.report is not None else EXIT_OK
    if refused:
        return refused
    with open_workspace(args) as ws:
        report = import_file(ws, args.kind, args.file, dry_run=args.dry_run, valid_only=args.valid_only).value
    for warning in report.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    print(report.summary())
    if args.dry_run and report.changes:
        print(f"将写入的行（前 {min(SHOWN_ROWS, len(report.changes))} 行）：")
        for number, action, label, reason in report.changes[:SHOWN_ROWS]:
            print(f"  第{number}行 {action}：{label}" + (f"（{reason}）" if reason else ""))
    if report.refusals:
        print(f"被拒绝的行（行 / 列 / 原因），共 {len(report.refusals)} 处：", file=sys.stderr)
        for refusal in report.refusals[:SHOWN_REFUSALS]:
            print(f"  第{refusal.row}行 / {refusal.column or '整行'} / {refusal.message}", file=sys.stderr)
        if len(report.refusals) > SHOWN_REFUSALS:
            more = len(report.refusals) - SHOWN_REFUSALS
            hint = (
                "完整列表见 --report 保存的文件。" if args.report else "加上 --report R.xlsx 可保存完整列表。"
            )
            print(f"  ……还有 {more} 处。{hint}", file=sys.stderr)
    if report.row_warnings:
        print(f"请核对的行（仍会导入），共 {len(report.row_warnings)} 处：")
        for check in report.row_warnings[:SHOWN_REFUSALS]:
            print(f"  第{check.row}行：{check.message}")
        if len(report.row_warnings) > SHOWN_REFUSALS:
            more = len(report.row_warnings) - SHOWN_REFUSALS
            hint = (
                "完整列表见 --report 保存的文件。" if args.report else "加上 --report R.xlsx 可保存完整列表。"
            )
            print(f"  ……还有 {more} 处。{hint}")
    if args.report is not None:
        report.save_xlsx(args.report)
        print(f"导入结果已保存：{args.report}")
    if report.refused:
        return EXIT_REFUSED
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.exports import export_sheet
    from xianghe_desk.sheets.columns import spec_for

    if args.month is not None and args.kind != "requests":
        print("用法错误：--month 只能用于 requests（服务工单），其他表格导出全部记录。", file=sys.stderr)
        return EXIT_USAGE
    refused = _xlsx_target(args.output, "导出")
    if refused:
        return refused
    target = args.output
    path = db_path(args)
    if not path.exists():
        print(f"错误：数据库文件「{path}」不存在，请检查 --db 后面的路径。", file=sys.stderr)
        return EXIT_REFUSED
    with open_workspace(args, path) as ws:
        done = export_sheet(ws, args.kind, target, month=args.month, full=args.full).value
    month = f"（{args.month} 受理）" if args.month else ""
    print(f"已导出{spec_for(args.kind).label} {done.rows} 行{month}：{target}")
    if done.masked:
        print("身份证号和电话已隐藏中间几位；需要完整号码时加上 --full（仅管理员和镇级文员）。")
    return EXIT_OK
