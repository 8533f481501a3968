"""Printing as operations: work orders, the monthly summary and the village notice (帮办公示).

Each needs Permission.REPORT and covers only the actor's scope: a village clerk prints their own
village's work orders, summary and notice, a town clerk their towns'. Each leaves one audit row of
kind "print" naming what was included. The PDF is written beside the target and renamed when
complete (fileio.atomic_output); work orders are recorded as printed only once the file is there.

services/printing.py and services/reports.py gather and lay out the paper; this module only
decides who may print what and records it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from xianghe_desk.domain.access import Permission, PermissionDeniedError
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Village
from xianghe_desk.fileio import atomic_output
from xianghe_desk.operations.base import Op, Progress, operation
from xianghe_desk.operations.stats import actor_scope
from xianghe_desk.pdf.fonts import FontMissingError, register_fonts
from xianghe_desk.pdf.monthly_report import MonthlyReport, build_monthly_report
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.reports import ReportService
from xianghe_desk.services.workspace import Workspace

# Work orders and notices bring their own layouts and the request operations (phone and ID number
# rules) with them: imported where they are printed, so that ``report monthly`` starts without
# them (issue #13).
if TYPE_CHECKING:
    from xianghe_desk.services.printing import PrintResult

T = TypeVar("T")
Target = Path | IO[bytes]


def _written(target: Target, write: Callable[[Target], T]) -> T:
    """Write to a temporary file renamed onto ``target`` at the end (a stream: straight into it)."""
    if not isinstance(target, Path):
        return write(target)
    guard: AbstractContextManager[Any] = atomic_output(target, target.suffix or ".pdf")
    with guard as temp:
        return write(temp)


# ---------------------------------------------------------------- work orders
def work_order_ids(ws: Workspace, numbers: Sequence[str] = (), all_unprinted: bool = False) -> list[int]:
    """The requests named by typed or scanned numbers, plus (``all_unprinted``) every dispatched
    request of the actor's scope whose work order has not been printed yet (the request query
    holds only the actor's scope). A read: named numbers are checked when they are printed."""
    from xianghe_desk.services.printing import PrintService

    service = PrintService(ws)
    ids = service.ids_for_numbers(list(numbers)) if numbers else []
    if all_unprinted:
        ids += [i for i in service.unprinted_ids() if i not in ids]
    return ids


@operation("print.work_orders", "打印工单", Permission.REPORT, kind="print")
def print_work_orders(
    op: Op,
    request_ids: Sequence[int],
    target: Target,
    page: str = "A4",
    progress: Progress | None = None,
) -> PrintResult:
    """Write one work order per request and record 「打印工单」 in each request's history."""
    from xianghe_desk.operations.requests import mark_printed, requests_in_scope
    from xianghe_desk.services.printing import PrintResult, PrintService

    ids = list(dict.fromkeys(request_ids))
    if not ids:
        raise ValidationError("没有需要打印的工单。请写出工单编号或选中工单。", field="request")
    requests = requests_in_scope(op, ids)
    service = PrintService(op.ws)

    def laid_out(done: int, total: int) -> None:
        if progress is not None:
            progress.check_cancelled()  # raising here stops the batch: nothing is recorded
            progress.report(done, total)

    result = _written(
        target,
        lambda out: service.write_work_orders(ids, out, page=page, progress=laid_out, mark_printed=False),
    )
    by_id = {r.id: r for r in requests}
    mark_printed(op, [by_id[i] for i in ids if i in by_id], page=page, pages=result.pages, file=_name(target))
    return PrintResult(target if isinstance(target, Path) else None, result.orders, result.pages)


# ---------------------------------------------------------------- monthly summary
def _register_fonts_quietly() -> None:
    try:
        register_fonts()
    except FontMissingError:
        pass  # said by build_monthly_report, on the caller's thread


@operation("print.monthly_report", "打印月度汇总", Permission.REPORT, kind="print")
def print_monthly_report(
    op: Op,
    month: str,
    target: Target,
    town: str | None = None,
    village: str | None = None,
    as_of: datetime | None = None,
    xlsx: Path | None = None,
    progress: Progress | None = None,
) -> MonthlyReport:
    """The monthly summary of the named scope, or the actor's own (operations/stats.actor_scope).

    ``progress`` (the desk): 「取消」 is honoured once the figures are counted, before the PDF.
    """
    scope = actor_scope(op.ws, town, village)
    # Reading the font file (0.2 s of Python) overlaps the count, which waits on SQLite (issue #13).
    # A font that cannot be read is reported by build_monthly_report, which registers it again.
    fonts = threading.Thread(target=_register_fonts_quietly, name="pdf-fonts", daemon=True)
    fonts.start()
    try:
        report = ReportService(op.ws).monthly(month, scope, as_of, read_aside=True)
    finally:
        fonts.join()
    if progress is not None:
        progress.check_cancelled()
    report.pages = _written(target, lambda out: build_monthly_report(report, out))
    if xlsx is not None:
        from xianghe_desk.sheets.summary_xlsx import write_summary

        title = f"{report.title}{report.month_label}「这就办」服务月度汇总"
        with atomic_output(xlsx, ".xlsx") as temp:
            write_summary(title, report.all_tables(), temp)
    figures = report.figures
    op.audit(
        f"打印月度汇总：{report.title} {report.month_label}（{report.pages} 页）",
        month=month,
        scope={"level": scope.level, "name": scope.name, "code": scope.code},
        as_of=str(figures.get("as_of", "")),
        received=figures.get("received"),
        completed=figures.get("completed"),
        pages=report.pages,
        file=_name(target),
        xlsx=xlsx.name if xlsx is not None else "",
    )
    return report


# ---------------------------------------------------------------- village notices
def notice_villages(ws: Workspace, town: str | None, village: str | None) -> list[Village]:
    """The villages a notice is printed for, each within the actor's scope.

    Raises:
        PermissionDeniedError: a village outside the scope, or a whole town for someone who
            only has some of its villages.
    """
    who = ws.who
    if not village and town and who.limited:
        town_obj = PlaceService(ws).resolve_town(town)
        if who.village_ids:
            raise PermissionDeniedError(
                f"{town_obj.name}（整个镇）不在您负责的范围内（{who.scope_label()}）。"
                "请用 --village 指定您负责的村街。",
                field="scope",
            )
        who.require_covers(town_obj.id, None, town_obj.name)
    from xianghe_desk.services.printing import PrintService

    villages = PrintService(ws).notice_villages(town, village)
    for found in villages:
        who.require_covers(found.town_id, found.id, found.short_name)
    return villages


@operation("print.notice", "打印帮办公示", Permission.REPORT, kind="print")
def print_notices(
    op: Op,
    target: Target,
    town: str | None = None,
    village: str | None = None,
    a3: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Village], PrintResult]:
    """The 帮办公示 poster of one village, or of every village of a town with members."""
    from xianghe_desk.services.printing import PrintResult, PrintService

    villages = notice_villages(op.ws, town, village)
    if progress is not None:
        progress.check_cancelled()
    result = _written(target, lambda out: PrintService(op.ws).write_notices(villages, out, a3=a3))
    names = [v.short_name for v in villages]
    op.audit(
        f"打印帮办公示 {len(names)} 个村街：{'、'.join(names[:5])}{'等' if len(names) > 5 else ''}",
        entity="village",
        entity_uuid=villages[0].uuid if len(villages) == 1 else "",
        villages=names,
        pages=result.pages,
        paper="A3" if a3 else "A4",
        file=_name(target),
    )
    return villages, PrintResult(target if isinstance(target, Path) else None, result.orders, result.pages)


def _name(target: Target) -> str:
    return target.name if isinstance(target, Path) else ""


@operation("export.monthly_summary", "导出月度汇总表格", Permission.REPORT, kind="export")
def export_monthly_summary(
    op: Op,
    month: str,
    xlsx: Path,
    town: str | None = None,
    village: str | None = None,
    as_of: datetime | None = None,
    progress: Progress | None = None,
) -> Path:
    """The monthly summary's tables as an .xlsx (the desk's 「月度汇总导出 Excel」), for the
    named scope or the actor's own; figures only, no personal data."""
    from xianghe_desk.sheets.summary_xlsx import write_summary

    scope = actor_scope(op.ws, town, village)
    report = ReportService(op.ws).monthly(month, scope, as_of, read_aside=True)
    if progress is not None:
        progress.check_cancelled()
    title = f"{report.title}{report.month_label}「这就办」服务月度汇总"
    with atomic_output(xlsx, ".xlsx") as temp:
        write_summary(title, report.all_tables(), temp)
    op.audit(
        f"导出月度汇总表格：{report.title} {report.month_label}：{xlsx.name}",
        month=month,
        scope={"level": scope.level, "name": scope.name, "code": scope.code},
        file=xlsx.name,
    )
    return xlsx
