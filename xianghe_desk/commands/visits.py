"""Care visits from the command line (contract §1, issue #11).

- ``visits due --db P [--town T] [--village V] [--grid G] [--member M] [--week YYYY-MM-DD] [--json]``:
  who is due for a care visit in the week of the date (default this week), overdue ones and those
  never visited, most overdue first; ``--json`` prints a list with at least resident, village,
  due and overdue_days.
- ``visits roster --db P (--member M | --grid G) [--town T] [--village V] [--week …] -o F.pdf``:
  the weekly paper roster (走访表) of a grid member or a grid.

Both hold only the signed-in user's scope; printing a roster is written to the audit trail.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from xianghe_desk.cli import EXIT_OK, db_argument, db_path, open_workspace

if TYPE_CHECKING:
    from xianghe_desk.domain.visits import DueFilter
    from xianghe_desk.services.workspace import Workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    visits = sub.add_parser("visits", help="定期走访：应走访名单（visits due）和纸质走访表（visits roster）")
    kinds = visits.add_subparsers(dest="visits_kind", metavar="子命令", required=True)
    due = kinds.add_parser("due", help="本周（或指定一周）应走访、已超期和从未走访的服务对象")
    _common(due)
    due.add_argument("--json", action="store_true", help="输出 JSON")
    due.set_defaults(func=run_due)
    roster = kinds.add_parser("roster", help="打印一位网格员或一个网格的每周走访表（A4 横向）")
    _common(roster)
    roster.add_argument("-o", "--output", required=True, type=Path, metavar="F.pdf", help="输出的 PDF 文件")
    roster.set_defaults(func=run_roster, parser=roster)


def _common(parser: argparse.ArgumentParser) -> None:
    db_argument(parser)
    parser.add_argument("--town", metavar="T", help="镇的名称或统计代码（不填为您负责的全部范围）")
    parser.add_argument("--village", metavar="V", help="村街的名称或统计代码")
    parser.add_argument("--grid", metavar="G", help="网格的名称或编号（要同时写 --village）")
    parser.add_argument("--member", metavar="M", help="网格员的姓名或手机号")
    parser.add_argument("--week", metavar="YYYY-MM-DD", help="这一周中的任意一天（默认本周）")


def _week(text: str | None) -> date | None:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.domain.validators import parse_date

    if not text:
        return None
    try:
        return parse_date(text, "week")
    except ValidationError:
        raise ValidationError(f"日期「{text}」看不懂，请写成 2026-11-23 这样的形式。", field="week") from None


def _filter(ws: Workspace, args: argparse.Namespace) -> DueFilter:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.domain.visits import DueFilter
    from xianghe_desk.services.places import PlaceService
    from xianghe_desk.services.visits import VisitService

    places = PlaceService(ws)
    town = places.resolve_town(args.town) if args.town else None
    village = places.resolve_village(args.village, town) if args.village else None
    grid_id = member_id = None
    if args.grid:
        if village is None:
            raise ValidationError(
                "网格名称在不同村街会重复：请用 --village 写明网格所在的村街。", field="grid"
            )
        grid_id = places.resolve_grid(village, args.grid).id
    if args.member:
        member_id = VisitService(ws).resolve_member(args.member, town.id if town else None, village)
    return DueFilter(
        town_id=town.id if town and village is None else None,
        village_id=village.id if village else None,
        grid_id=grid_id,
        member_id=member_id,
        week=_week(args.week),
    )


def run_due(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.visits import due_list

    _refuse_missing_db(args)
    with open_workspace(args) as ws:
        flt = _filter(ws, args)
        entries = due_list(ws, flt).value
    if args.json:
        print(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("这一周没有需要走访的服务对象。")
        return EXIT_OK
    overdue = sum(1 for e in entries if e.overdue_days > 0)
    never = sum(1 for e in entries if e.never_visited)
    print(f"应走访 {len(entries)} 人（已超期 {overdue} 人，从未走访 {never} 人）：")
    for e in entries:
        late = f"超期{e.overdue_days}天" if e.overdue_days else "　"
        last = f"上次 {e.last_visit:%m-%d}" if e.last_visit else "从未走访"
        print(f"  {e.due:%m-%d}前 {late:<8} {e.name:<5} {e.village_name}{e.grid_name}  {last}  {e.phone}")
    return EXIT_OK


def run_roster(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.visits import print_roster

    if bool(args.member) == bool(args.grid):
        args.parser.error("请用 --member 指定网格员，或用 --grid（加 --village）指定网格，二者选一")
    _refuse_missing_db(args)
    with open_workspace(args) as ws:
        flt = _filter(ws, args)
        week = flt.week or ws.now().date()
        roster = print_roster(ws, args.output, week, member_id=flt.member_id, grid_id=flt.grid_id).value
    print(
        f"已生成走访表：{args.output}（{roster.title}，{roster.week_start:%Y-%m-%d} 至 "
        f"{roster.week_end:%Y-%m-%d}，{len(roster.entries)} 人）。"
    )
    return EXIT_OK


def _refuse_missing_db(args: argparse.Namespace) -> None:
    """A mistyped path must not create an empty database."""
    from xianghe_desk.domain.errors import ValidationError

    path = db_path(args)
    if not path.exists():
        raise ValidationError(f"数据库文件「{path}」不存在。请检查 --db 后面的路径。", field="db")
