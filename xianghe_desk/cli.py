"""The command line (contract §1): ``xianghe-desk [--demo|--self-test] [COMMAND ...]``.

Exit codes: 0 done; 1 the input was refused and nothing was changed; 2 wrong usage.
Errors go to stderr in plain Chinese, never as a traceback (that goes to the log file).
Each command lives in ``xianghe_desk/commands/<name>.py`` with ``register(subparsers)``;
the module sets ``func`` on its parser to a ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xianghe_desk import __version__, collector

if TYPE_CHECKING:
    from xianghe_desk.services.workspace import Workspace

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

# Modules under xianghe_desk.commands, in the order `--help` lists them. A module that is not
# there yet (its issue has not landed) is left out rather than shown half-made.
COMMAND_MODULES = (
    "demo", "check", "stats", "spreadsheets", "printing", "visits", "exchange", "backup", "users", "audit",
)  # fmt: skip

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个参数",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s：用法错误：%(message)s\n",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "expected at least one argument": "至少需要一个参数",
}


def _translate(text: str) -> str:
    return _ARGPARSE_ZH.get(text, text)


# argparse looks its messages up through its module-level gettext alias at run time.
argparse._ = _translate  # type: ignore[attr-defined]


class ChineseParser(argparse.ArgumentParser):
    """Usage errors in Chinese, exit code 2, as the contract says."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{message}\n请运行「{self.prog} --help」查看用法。\n")


def db_argument(
    parser: argparse.ArgumentParser, required: bool = False, top_level: bool = False, user: bool = True
) -> None:
    """``--db PATH`` and ``--user NAME``; a subcommand's copy must not reset one given before the command."""
    if user:
        user_argument(parser, top_level)
    parser.add_argument(
        "--db",
        type=Path,
        required=required,
        default=None if top_level else argparse.SUPPRESS,
        metavar="PATH",
        help="数据库文件（默认：用户数据文件夹中的 xianghe.db）",
    )


def user_argument(parser: argparse.ArgumentParser, top_level: bool = False) -> None:
    """``--user NAME``: who is acting (contract §1); the password comes from XIANGHE_PASSWORD or a prompt."""
    parser.add_argument(
        "--user",
        default=None if top_level else argparse.SUPPRESS,
        metavar="NAME",
        help="以哪个账号操作（也可用环境变量 XIANGHE_USER；密码用 XIANGHE_PASSWORD 或在提示时输入）",
    )


def open_workspace(
    args: argparse.Namespace,
    path: Path | None = None,
    *,
    read_only: bool | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Workspace:
    """Open the database named by ``--db`` and sign in the user named by ``--user``.

    A database without accounts works without signing in (a named user is not checked); one
    with accounts needs a user and the right password, or nothing happens (exit 1).
    ``read_only``: open without writing a byte (``check``). None: read-only exactly when the file
    is on a write-protected medium or marked read-only (issue #10), so that the reading commands
    work there, and a writing one is refused at its first write.
    ``meanwhile``: the command's own preparation (e.g. importing what it needs), run while the
    password is checked (services.accounts.verify_password_beside), or at once without accounts.
    """
    from xianghe_desk.fileio import read_only_location
    from xianghe_desk.services.workspace import Workspace

    path = path or db_path(args)
    if read_only is None:
        read_only = path.is_file() and read_only_location(path)
        if read_only:
            print(
                f"提示：数据库「{path.name}」在只读的位置（U盘写保护或只读文件），只能查看、统计和导出；"
                "本次操作不会改动它，也不会记入它的操作日志（记在程序的日志文件中）。",
                file=sys.stderr,
            )
    credentials: tuple[str, str] | None = None
    key = None
    from xianghe_desk.services import encryption

    if encryption.is_encrypted(path):
        # Encrypted (issue #10): the password unwraps the database key before anything is read.
        from datetime import datetime

        credentials = _credentials(args)
        key = encryption.unlock(path, *credentials, datetime.now())
    ws = Workspace.open(path, read_only=read_only, key=key)
    try:
        sign_in(ws, args, credentials, meanwhile)
    except BaseException:
        ws.close()
        raise
    # The command's modules are loaded now (``meanwhile`` too): the cycle collector stops walking
    # them while the command works (xianghe_desk/collector.py; only in a process of its own).
    collector.settle()
    return ws


def sign_in(
    ws: Workspace,
    args: argparse.Namespace,
    credentials: tuple[str, str] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    from xianghe_desk.services.accounts import AccountService

    accounts = AccountService(ws)
    if not accounts.has_accounts():
        if meanwhile is not None:
            meanwhile()
        return
    accounts.sign_in(*(credentials or _credentials(args)), meanwhile=meanwhile)


def _credentials(args: argparse.Namespace) -> tuple[str, str]:
    """Who acts and their password: ``--user``/XIANGHE_USER, XIANGHE_PASSWORD or a prompt."""
    import getpass
    import os

    from xianghe_desk.domain.errors import ValidationError

    name = getattr(args, "user", None) or os.environ.get("XIANGHE_USER", "")
    if not name:
        raise ValidationError(
            "这个数据库已设置账号：请用 --user 用户名 说明是谁在操作（或设置环境变量 XIANGHE_USER），"
            "密码用环境变量 XIANGHE_PASSWORD 提供，或在提示时输入。",
            field="user",
        )
    password = os.environ.get("XIANGHE_PASSWORD")
    if password is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise ValidationError(
                f"需要账号「{name}」的密码：请设置环境变量 XIANGHE_PASSWORD，或在终端中运行以便输入密码。",
                field="password",
            )
        password = getpass.getpass(f"账号「{name}」的密码：")
    return name, password


def db_path(args: argparse.Namespace) -> Path:
    from xianghe_desk import paths

    return Path(args.db) if getattr(args, "db", None) else paths.default_db_path()


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog="xianghe-desk",
        description="香河「这就办」服务台账：受理登记、派单、办结、回访和月度汇总。不带命令时打开桌面程序。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help="显示版本号并退出")
    parser.add_argument("--demo", action="store_true", help="用演示数据库打开桌面程序（首次使用时自动生成）")
    parser.add_argument("--self-test", action="store_true", help="检查本机安装是否完好")
    db_argument(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    for name in COMMAND_MODULES:
        module_name = f"xianghe_desk.commands.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def _run(args: argparse.Namespace) -> int:
    from xianghe_desk.domain.errors import ValidationError
    from xianghe_desk.store.db import KnownStoreError

    try:
        if args.self_test:
            from xianghe_desk.commands import self_test

            return self_test.run(args)
        if args.command is None:
            from xianghe_desk import app

            return app.run_desk(db=getattr(args, "db", None), demo=args.demo)
        return int(args.func(args))
    except ValidationError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except KnownStoreError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # The output went to a pipe that closed early (``| head``): nothing is wrong with the data.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("已中断，没有写入任何数据。", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:
        log.exception("unexpected error")
        print(
            f"程序出错，操作没有完成。请把日志文件发给维护人员。\n(detail: {type(exc).__name__}: {exc})",
            file=sys.stderr,
        )
        return EXIT_REFUSED


def _setup_logging() -> None:
    from xianghe_desk import paths

    handlers: list[logging.Handler] = []
    try:
        log_dir = paths.log_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        from xianghe_desk.fileio import PrivateLogHandler

        handlers.append(PrivateLogHandler(log_dir / "xianghe-desk.log"))  # 0600 (issue #10)
    except OSError:
        pass
    logging.basicConfig(
        level=logging.INFO,
        handlers=handlers or [logging.NullHandler()],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _log_unraisable(unraisable: Any) -> None:
    """An error while an object was being cleaned up (a zip file closing on a full disk) belongs in
    the log file, not on the clerk's terminal as a traceback (contract §1)."""
    log.warning("ignored while cleaning up %r: %s", unraisable.object, unraisable.exc_value)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; ``argv`` None: this process's own command line (``python -m xianghe_desk``,
    the ``xianghe-desk`` script), which is then the process's only work (collector.enable)."""
    if argv is None:
        collector.enable()
    _setup_logging()
    sys.unraisablehook = _log_unraisable
    parser = build_parser()
    args = parser.parse_args(argv)
    code = _run(args)
    # The process ends next: its last collection need not walk everything it made.
    collector.settle()
    return code


if __name__ == "__main__":
    sys.exit(main())
