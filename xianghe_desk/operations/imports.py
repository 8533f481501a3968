"""Importing a spreadsheet as an operation: who may import which kind, and one audit row per import.

Every clerk role may import people and requests (Permission.IMPORT); villages, grids and members
also need Permission.EDIT_PLACES. The scope is checked row by row while the sheet is planned
(services/import_rows.read_place): a row for a village outside the actor's scope is refused with
the reason like any other bad row, so the all-or-nothing rule and ``--valid-only`` keep working.
A dry run writes nothing and leaves no audit row; a real import is recorded even when the
all-or-nothing rule wrote nothing, with the file name and the row counts.
"""

from __future__ import annotations

from pathlib import Path

from xianghe_desk.domain.access import Permission, PermissionDeniedError
from xianghe_desk.operations.base import Op, OpResult, Progress, operation
from xianghe_desk.services.imports import ImportPlan, ImportReport, ImportService, PreparedImport, check_kind
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets.reader import SheetData

PLACE_KINDS = frozenset({"villages", "grids", "members"})


def _callbacks(progress: Progress | None):  # type: ignore[no-untyped-def]
    if progress is None:
        return None, None
    return progress.report, progress.check_cancelled


def _record(op: Op, report: ImportReport) -> None:
    op.changes.residents |= report.kind == "residents" and report.written
    op.changes.members |= report.kind == "members" and report.written
    op.changes.places |= report.kind in ("villages", "grids", "members") and report.written
    if report.kind == "requests" and report.written:
        op.changes.all_requests = True
    if report.dry_run:
        return
    if report.written:
        summary = f"导入{report.label}表「{report.source}」：新增 {report.added} 行，更新 {report.updated} 行"
        summary += f"，拒绝 {report.refused} 行" if report.refused else ""
    else:
        summary = f"导入{report.label}表「{report.source}」没有写入：{report.refused} 行被拒绝"
    op.audit(
        summary,
        entity=report.kind,
        file=report.source,
        sheet=report.kind,
        rows=report.total,
        written=report.added + report.updated if report.written else 0,
        added=report.added if report.written else 0,
        updated=report.updated if report.written else 0,
        unchanged=report.unchanged,
        refused=report.refused,
        valid_only=report.valid_only,
    )


def _require_kind(op: Op, kind: str) -> None:
    if check_kind(kind) in PLACE_KINDS:
        op.require(Permission.EDIT_PLACES)


def _prepare(
    ws: Workspace, kind: str, sheet: SheetData | None, path: Path | str | None, progress: Progress | None
) -> PreparedImport | None:
    """Read and plan before the operation's transaction begins (issue #10): planning thousands of
    rows takes seconds and no lock, so another program's save waits only while rows are written.
    Nothing is prepared for someone who may not import (the operation refuses them as usual)."""
    if ws.db.conn.in_transaction:
        return None
    try:
        ws.who.require(Permission.IMPORT)
        if check_kind(kind) in PLACE_KINDS:
            ws.who.require(Permission.EDIT_PLACES)
    except PermissionDeniedError:
        return None
    report_cb, cancel_cb = _callbacks(progress)
    service = ImportService(ws)
    if sheet is None:  # straight from the file: each row is planned as it is read, none kept
        assert path is not None
        sheet = service.open(kind, path)
    return service.prepare(sheet, report_cb, cancel_cb)


@operation("sheet.import", "导入表格", Permission.IMPORT, kind="import", quiet=True)
def _import_sheet(
    op: Op,
    sheet: SheetData,
    dry_run: bool = False,
    valid_only: bool = False,
    progress: Progress | None = None,
    prepared: PreparedImport | None = None,
) -> ImportReport:
    _require_kind(op, sheet.spec.kind)
    report_cb, cancel_cb = _callbacks(progress)
    report = ImportService(op.ws).import_sheet(sheet, dry_run, valid_only, report_cb, cancel_cb, prepared)
    _record(op, report)
    return report


def import_sheet(
    ws: Workspace,
    sheet: SheetData,
    dry_run: bool = False,
    valid_only: bool = False,
    progress: Progress | None = None,
) -> OpResult[ImportReport]:
    """Plan and (unless ``dry_run``) write a sheet already read (the desk reads it for the preview)."""
    prepared = None if dry_run else _prepare(ws, sheet.spec.kind, sheet, None, progress)
    return _import_sheet(ws, sheet, dry_run, valid_only, progress, prepared)


import_sheet.spec = _import_sheet.spec  # type: ignore[attr-defined]


@operation("sheet.import_file", "导入表格", Permission.IMPORT, kind="import", quiet=True)
def _import_file(
    op: Op,
    kind: str,
    path: Path | str,
    dry_run: bool = False,
    valid_only: bool = False,
    progress: Progress | None = None,
    prepared: PreparedImport | None = None,
) -> ImportReport:
    _require_kind(op, kind)
    report_cb, cancel_cb = _callbacks(progress)
    report = ImportService(op.ws).import_file(kind, path, dry_run, valid_only, report_cb, cancel_cb, prepared)
    _record(op, report)
    return report


def import_file(
    ws: Workspace,
    kind: str,
    path: Path | str,
    dry_run: bool = False,
    valid_only: bool = False,
    progress: Progress | None = None,
) -> OpResult[ImportReport]:
    """Read and import a file in one go (the command line's ``import``)."""
    prepared = None if dry_run else _prepare(ws, kind, None, path, progress)
    return _import_file(ws, kind, path, dry_run, valid_only, progress, prepared)


import_file.spec = _import_file.spec  # type: ignore[attr-defined]


@operation("sheet.check", "检查导入表格", Permission.IMPORT, kind="import", quiet=True)
def check_sheet(
    op: Op, kind: str, path: Path | str, progress: Progress | None = None
) -> tuple[SheetData, ImportPlan]:
    """Read a sheet and plan its import row by row, for the desk's preview. Writes nothing, leaves
    no audit row (the import itself does); a clerk who may not import this kind is refused first."""
    _require_kind(op, kind)
    service = ImportService(op.ws)
    report_cb, cancel_cb = _callbacks(progress)

    def reading(done: int, total: int) -> None:
        if report_cb is not None:
            report_cb(done * 700 // max(total, 1), 1000)

    def planning(done: int, total: int) -> None:
        if report_cb is not None:
            report_cb(700 + done * 300 // max(total, 1), 1000)

    sheet = service.read(kind, path, reading, cancel_cb)
    return sheet, service.plan(sheet, planning, cancel_cb)
