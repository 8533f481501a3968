"""``xianghe-desk exchange …``: register a laptop, join, export and import packages, conflicts, devices.

Contract forms: ``exchange export --db P --for DEVICE -o F`` and ``exchange import --db P F``.
Every change runs as a named operation (xianghe_desk/operations/exchange.py): the signed-in user
must belong to the package's villages, and each step is written to the audit trail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, EXIT_USAGE, db_argument, db_path, open_workspace


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "exchange",
        help="数据交换包：村里电脑与镇上之间用U盘交换数据",
        description="数据交换包：登记村电脑、加入镇上、导出和导入数据包、处理冲突。",
    )
    parser.set_defaults(func=lambda _args: _usage(parser))
    commands = parser.add_subparsers(dest="exchange_command", metavar="子命令")

    p = commands.add_parser("register-device", help="（镇上）登记一台村里的电脑，生成登记文件")
    db_argument(p)
    p.add_argument("--name", required=True, metavar="N", help="这台电脑的名字，例如「王刘圈村录入电脑」")
    p.add_argument("--village", required=True, metavar="V", help="它负责的村街（几个村用、分隔）")
    p.add_argument("--town", metavar="T", help="所属镇（村名在几个镇重复时必填）")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="KEYFILE", help="登记文件保存到哪里")
    p.set_defaults(func=run_register)

    p = commands.add_parser("join", help="（村里）用镇上给的登记文件加入")
    db_argument(p)
    p.add_argument("keyfile", type=Path, metavar="KEYFILE", help="镇上生成的登记文件")
    p.set_defaults(func=run_join)

    p = commands.add_parser("export", help="为某台设备导出数据包")
    db_argument(p)
    p.add_argument("--for", dest="device", required=True, metavar="DEVICE", help="对方设备的编号或名字")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="F", help="数据包保存到哪里")
    p.set_defaults(func=run_export)

    p = commands.add_parser("import", help="导入对方给的数据包")
    db_argument(p)
    p.add_argument("package", type=Path, metavar="F", help="数据包文件")
    p.set_defaults(func=run_import)

    p = commands.add_parser("conflicts", help="列出两边都改过、需要决定的内容")
    db_argument(p)
    p.add_argument("--all", action="store_true", help="连同已处理的一起列出")
    p.set_defaults(func=run_conflicts)

    p = commands.add_parser("resolve", help="处理一处冲突：保留本机(mine)或采用对方(theirs)")
    db_argument(p)
    p.add_argument("conflict_id", type=int, metavar="ID", help="冲突编号（见 exchange conflicts）")
    p.add_argument("--keep", required=True, choices=("mine", "theirs"), help="mine=保留本机，theirs=采用对方")
    p.set_defaults(func=run_resolve)

    p = commands.add_parser("devices", help="列出已登记的设备和上次交换时间")
    db_argument(p)
    p.set_defaults(func=run_devices)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    print("\n用法错误：请写明子命令，例如 exchange export 或 exchange import。", file=sys.stderr)
    return EXIT_USAGE


def _workspace(args: argparse.Namespace):  # type: ignore[no-untyped-def]

    return open_workspace(args)


def run_register(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.exchange import register_device

    with _workspace(args) as ws:
        done = register_device(ws, args.name, args.village, args.town, args.output).value
    print(f"已登记「{done.name}」，设备编号 {done.tag}，负责：{'、'.join(done.villages)}。")
    print(f"登记文件：{done.path}")
    print(
        "请把登记文件交给村里，在那台电脑上运行 exchange join 导入；它含有加密密钥，导入后请删除，不要和数据包放在同一个U盘里。"
    )
    return EXIT_OK


def run_join(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.exchange import join

    with _workspace(args) as ws:
        peer = join(ws, args.keyfile).value
        me = ws.device
    print(f"本机已加入：设备编号 {me.tag}（{me.name}），对方是「{peer.name}」（{peer.tag}）。")
    print(f"下一步：在镇上运行 exchange export --for {me.tag}，把数据包拿回来用 exchange import 导入。")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.exchange import export_package
    from xianghe_desk.services.exchange import TABLE_LABELS

    with _workspace(args) as ws:
        done = export_package(ws, args.device, args.output).value
    parts = [f"{TABLE_LABELS.get(t, t)} {n}" for t, n in done.counts.items() if n]
    print(f"已为「{done.peer_name}」导出数据包：{done.path}")
    print(f"共 {done.changes} 条变动" + (f"（{'、'.join(parts)}）" if parts else "，对方已经都有了") + "。")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.exchange import import_package

    with _workspace(args) as ws:
        done = import_package(ws, args.package).value
    print(done.summary())
    return EXIT_OK


def run_conflicts(args: argparse.Namespace) -> int:
    from xianghe_desk.services.conflicts import ConflictService

    with _workspace(args) as ws:
        service = ConflictService(ws)
        views = service.list(open_only=not args.all, limit=100_000)
    if not views:
        print("没有需要处理的冲突。" if not args.all else "还没有发生过冲突。")
        return EXIT_OK
    for view in views:
        state = view.resolution if view.resolved else "待处理"
        print(f"[{view.id}] {view.title} · {view.field}（{view.detected_at}，{state}）")
        print(f"    本机 mine（{view.mine_from}）：{view.mine}")
        print(f"    对方 theirs（{view.theirs_from}）：{view.theirs}")
    print(f"处理方法：exchange resolve --db {db_path(args)} 编号 --keep mine 或 --keep theirs")
    return EXIT_OK


def run_resolve(args: argparse.Namespace) -> int:
    from xianghe_desk.operations.conflicts import resolve_conflict

    with _workspace(args) as ws:
        view = resolve_conflict(ws, args.conflict_id, args.keep).value
    print(f"已处理冲突 [{view.id}] {view.title} · {view.field}：{view.resolution}。")
    return EXIT_OK


def run_devices(args: argparse.Namespace) -> int:
    from xianghe_desk.services.exchange import ExchangeService

    with _workspace(args) as ws:
        me = ws.device
        peers = ExchangeService(ws).peers()
    print(f"本机：{me.name}，设备编号 {me.tag}")
    if not peers:
        print("还没有登记或加入任何交换设备。")
    for peer in peers:
        role = {"village": "村里电脑", "township": "镇上", "county": "县里"}.get(peer.role, peer.role)
        last_out = (peer.last_export_at or "从未")[:16]
        last_in = (peer.last_import_at or "从未")[:16]
        print(f"{peer.tag}  {peer.name}（{role}）  上次导出给它：{last_out}  上次导入它的包：{last_in}")
    return EXIT_OK
