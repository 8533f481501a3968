"""``xianghe-desk --self-test``: is this installation sound?

Builds a temporary database (migrations, the county's divisions, a small demo town), prints a
work order and a monthly summary, and checks each result: a real PDF with the expected pages,
the Chinese font embedded, printing recorded in the history, the summary's figures equal to
the month's figures. Prints every check in Chinese; exit code 0 when all of them pass.
Nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import argparse
import importlib
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xianghe_desk.cli import EXIT_OK, EXIT_REFUSED


@dataclass
class _Check:
    label: str
    ok: bool
    detail: str
    required: bool = True


class _Runner:
    def __init__(self) -> None:
        self.results: list[_Check] = []

    def check(self, label: str, work: Callable[[], str], required: bool = True) -> bool:
        """Run ``work``; its return value is the detail shown, an exception a failure."""
        started = time.monotonic()
        try:
            detail = work()
        except Exception as exc:  # a self-test reports every failure rather than stopping
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self.results.append(_Check(label, False, str(message), required))
            mark = "失败" if required else "提示"
            print(f"  [{mark}] {label}：{message}", flush=True)
            return False
        elapsed = time.monotonic() - started
        self.results.append(_Check(label, True, detail, required))
        print(f"  [通过] {label}：{detail}（{elapsed:.1f} 秒）", flush=True)
        return True


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF written by reportlab (its page objects are ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _check_pdf(path: Path, pages: int) -> bytes:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise AssertionError(f"{path.name} 不是完整的 PDF 文件")
    found = pdf_page_count(data)
    if found != pages:
        raise AssertionError(f"{path.name} 应有 {pages} 页，实际 {found} 页")
    if b"/FontFile2" not in data or b"WenQuanYiMicroHei" not in data:
        raise AssertionError(f"{path.name} 中没有嵌入中文字体")
    if b"/Helvetica" in data:
        raise AssertionError(f"{path.name} 引用了未嵌入的字体")
    return data


def run(args: argparse.Namespace) -> int:
    from xianghe_desk import __version__, paths

    print(f"香河「这就办」服务台账 {__version__} 自检", flush=True)
    print(f"  程序资源：{paths.resources_dir()}", flush=True)
    runner = _Runner()
    folder = Path(tempfile.mkdtemp(prefix="xianghe-selftest-"))
    try:
        _run_checks(runner, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    failed = [r for r in runner.results if not r.ok and r.required]
    if failed:
        print(f"自检发现 {len(failed)} 项问题：" + "、".join(r.label for r in failed), flush=True)
        print("请重新安装本程序；如问题仍在，请把以上内容发给维护人员。", flush=True)
        return EXIT_REFUSED
    print("自检通过：本机可以正常登记、打印工单和月度汇总。", flush=True)
    return EXIT_OK


def _run_checks(runner: _Runner, folder: Path) -> None:
    from xianghe_desk.domain.figures import month_of
    from xianghe_desk.pdf.fonts import register_fonts
    from xianghe_desk.services.check import run_checks
    from xianghe_desk.services.demo import build_demo
    from xianghe_desk.services.printing import PrintService
    from xianghe_desk.services.reports import ReportService
    from xianghe_desk.services.workspace import Workspace
    from xianghe_desk.store import migrations

    db_file = folder / "selftest.db"
    state: dict[str, object] = {}

    def font() -> str:
        from xianghe_desk import paths

        register_fonts()
        return f"{paths.font_path().name}（{paths.font_path().stat().st_size // 1024} KB）已载入"

    def database() -> str:
        ws = Workspace.open(db_file, actor="自检")
        state["ws"] = ws
        version = migrations.schema_version(ws.db)
        if version != migrations.SCHEMA_VERSION or migrations.pending(ws.db):
            raise AssertionError(f"数据版本为 {version}，应为 {migrations.SCHEMA_VERSION}")
        return f"已创建临时数据库并完成升级（数据版本 {version}），{ws.towns.count()} 个镇、{ws.villages.count()} 个村街"

    def demo() -> str:
        ws = state["ws"]
        assert isinstance(ws, Workspace)
        counts = build_demo(ws, "small", seed=1)
        problems = [r for r in run_checks(ws) if not r.ok]
        if problems:
            raise AssertionError("；".join(f"{r.label}：{r.detail}" for r in problems))
        return (
            f"已生成演示数据：{counts['requests']} 张工单、{counts['residents']} 名服务对象，数据检查全部通过"
        )

    def work_order() -> str:
        ws = state["ws"]
        assert isinstance(ws, Workspace)
        service = PrintService(ws)
        request_id = _latest(ws)
        out = folder / "工单.pdf"
        started = time.monotonic()
        result = service.write_work_orders([request_id], out)
        elapsed = (time.monotonic() - started) * 1000
        _check_pdf(out, result.pages)
        events = [e.action for e in service.requests.events(request_id)]
        if "printed" not in events:
            raise AssertionError("打印没有记入工单的办理记录")
        number = ws.requests.get(request_id).number  # type: ignore[union-attr]
        return f"工单 {number} 已生成 PDF（{result.pages} 页，字体已嵌入，用时 {elapsed:.0f} 毫秒），打印已记入办理记录"

    def summary() -> str:
        ws = state["ws"]
        assert isinstance(ws, Workspace)
        service = ReportService(ws)
        month = month_of(ws.now().date())
        scope = service.stats.scope()
        out, xlsx = folder / "月度汇总.pdf", folder / "月度汇总.xlsx"
        report = service.write_monthly(month, scope, out, as_of=ws.now(), xlsx=xlsx)
        _check_pdf(out, report.pages)
        expected = service.stats.figures(month, scope, report.as_of)
        if report.figures != expected:
            raise AssertionError("汇总中的数字与统计结果不一致")
        from xianghe_desk.sheets.summary_xlsx import sheet_names

        sheets = sheet_names(xlsx)
        f = report.figures
        return (
            f"{report.month_label}汇总 {report.pages} 页、Excel {len(sheets)} 张表；受理 {f['received']} 件、"
            f"办结率 {f['completion_rate']:.1f}%，与统计数字一致"
        )

    def desk() -> str:
        for name in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtPrintSupport"):
            importlib.import_module(name)
        return "Qt 界面与打印组件可以载入"

    def preview() -> str:
        importlib.import_module("PySide6.QtPdf")
        importlib.import_module("PySide6.QtPdfWidgets")
        return "程序内打印预览可用"

    runner.check("中文字体", font)
    if not runner.check("临时数据库", database):
        return
    try:
        if runner.check("演示数据", demo):
            runner.check("服务工单 PDF", work_order)
            runner.check("月度汇总 PDF 与 Excel", summary)
    finally:
        ws = state.get("ws")
        if isinstance(ws, Workspace):
            ws.close()
    runner.check("桌面组件", desk)
    # Without QtPdf the desk still prints and saves; only the in-app preview is missing.
    runner.check("打印预览组件（QtPdf）", preview, required=False)


def _latest(ws: object) -> int:
    from xianghe_desk.domain.queries import RequestFilter, Sort
    from xianghe_desk.services.requests import RequestService
    from xianghe_desk.services.workspace import Workspace

    assert isinstance(ws, Workspace)
    ids = RequestService(ws).ids(RequestFilter(), Sort("received_at", descending=True))
    if not ids:
        raise AssertionError("演示数据中没有工单")
    return ids[0]
