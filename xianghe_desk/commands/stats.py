"""``xianghe-desk stats --db P --month YYYY-MM [--town T] [--village V] [--as-of DATE] --json``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, time

from xianghe_desk.cli import EXIT_OK, db_argument, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "stats", help="某月的受理数、办结率、满意率、超期数等统计数字（--json 输出机器可读的结果）"
    )
    db_argument(parser)
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，例如 2026-11")
    parser.add_argument("--town", metavar="T", help="镇的名称或统计代码（不填为全县，或您负责的镇、村街）")
    parser.add_argument("--village", metavar="V", help="村街的名称或统计代码")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        metavar="DATE",
        help="按哪个时刻的状态统计（默认现在；只写日期时为当天 24 点）",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.set_defaults(func=run)


def parse_month_arg(text: str) -> str:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.domain.figures import parse_month

    try:
        return parse_month(text)
    except ValueError:
        raise ValidationError(f"月份「{text}」看不懂，请写成 2026-11 这样的形式。", field="month") from None


def parse_as_of(text: str | None) -> datetime | None:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.domain.validators import parse_datetime

    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValidationError:
        raise ValidationError(
            f"时刻「{text}」看不懂，请写成 2026-11-30 或 2026-11-30 18:00 这样的形式。", field="as_of"
        ) from None
    has_time = any(ch in text for ch in ":：时") or "T" in text
    return value if has_time else datetime.combine(value.date(), time(23, 59, 59))


def run(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.stats import month_figures

    month = parse_month_arg(args.month)
    as_of = parse_as_of(args.as_of)
    with open_workspace(args) as ws:
        # Without --town / --village: the signed-in user's own scope (a village clerk's village).
        figures = month_figures(ws, month, args.town, args.village, as_of).value
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{figures['scope']['name']} {month} 月度数字（统计时刻 {figures['as_of']}）")
    rows = (
        ("受理数", figures["received"]),
        ("办结数", figures["completed"]),
        ("办结率", f"{figures['completion_rate']}%"),
        ("回访评价数", figures["rated"]),
        (
            "满意 / 基本满意 / 不满意",
            f"{figures['satisfied']} / {figures['basically_satisfied']} / {figures['unsatisfied']}",
        ),
        ("满意率", f"{figures['satisfaction_rate']}%"),
        ("超期数", figures["overdue"]),
        ("平均办结时长（小时）", figures["avg_hours_to_complete"]),
        ("上门服务次数", figures["home_visits"]),
    )
    for label, value in rows:
        print(f"  {label}：{value}")
    return EXIT_OK
