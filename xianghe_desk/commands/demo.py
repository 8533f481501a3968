"""``xianghe-desk demo --db P [--scale small|county|large] [--seed N]``."""

from __future__ import annotations

import argparse
import sys
import time

from xianghe_desk.cli import EXIT_OK, db_argument, db_path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("demo", help="生成演示数据库（真实的镇村，虚构的人和工单）")
    db_argument(parser)
    parser.add_argument(
        "--scale",
        choices=("small", "county", "large"),
        default="county",
        help="small：一个镇（测试用）；county：全县一年（默认）；large：10万服务对象、100万工单（性能测试）",
    )
    parser.add_argument("--seed", type=int, default=1, help="随机种子，相同种子生成相同数据（默认 1）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from xianghe_desk.services.demo_file import build_demo_file

    path = db_path(args)
    started = time.monotonic()

    def progress(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r正在生成 {stage}：{done}/{total}", end="", file=sys.stderr, flush=True)

    # Built under a temporary name and renamed when complete: an interrupted build leaves nothing.
    counts = build_demo_file(path, args.scale, args.seed, progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.monotonic() - started
    print(f"已生成演示数据库：{path}（用时 {elapsed:.1f} 秒）")
    labels = {
        "towns": "镇",
        "villages": "村街",
        "grids": "网格",
        "members": "网格员",
        "residents": "服务对象",
        "requests": "服务工单",
        "visits": "走访记录",
    }
    for key, label in labels.items():
        print(f"  {label}：{counts.get(key, 0)}")
    states = "，".join(
        f"{label} {counts['status_' + key]}"
        for key, label in (
            ("received", "待派单"),
            ("dispatched", "已派单"),
            ("in_progress", "办理中"),
            ("completed", "已办结"),
            ("closed", "已回访"),
            ("cancelled", "已撤销"),
        )
    )
    print(f"  工单状态：{states}")
    return EXIT_OK
