"""Spreadsheet imports (contract §2): read a sheet, plan every row (add, update, leave unchanged
or refuse, each refusal with its row, column and a Chinese explanation), then write the plan in
ONE transaction — all rows or none by default, or the valid rows only.

Planning never writes, so the desk can show the plan as a preview and ``--dry-run`` can print
it. Importing writes by planning again inside the write transaction, so what is written always
matches the database as it is at that moment. A second import of the same file finds every
row already there and changes nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Final

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.fileio import atomic_output
from xianghe_desk.services.import_lookups import MemberLookup
from xianghe_desk.services.import_people import MemberPlanner, ResidentPlanner
from xianghe_desk.services.import_places import GridPlanner, VillagePlanner
from xianghe_desk.services.import_rows import (
    Cells,
    ImportContext,
    PlaceCache,
    PlannedRow,
    Planner,
    Refusal,
    RowAction,
    RowWarning,
)
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets.columns import KIND_LABELS, KINDS, spec_for
from xianghe_desk.sheets.reader import SheetData, read_sheet
from xianghe_desk.sheets.writer import saving, write_refusal_report
from xianghe_desk.store.db import data_version, take_write_lock

__all__ = [
    "ImportPlan",
    "ImportReport",
    "ImportService",
    "PlannedRow",
    "Refusal",
    "RowAction",
    "RowWarning",
    "check_kind",
]

Progress = Callable[[int, int], None]
Check = Callable[[], None]
PROGRESS_EVERY: Final = 500

PLANNERS: Final[dict[str, type[Planner]]] = {
    "villages": VillagePlanner,
    "grids": GridPlanner,
    "members": MemberPlanner,
    "residents": ResidentPlanner,
}


def planner_class(kind: str) -> type[Planner]:
    """The planner of ``kind``. The requests' planner is imported when first needed: it brings
    the request and visit services (and the PDF library behind them) that other imports never use."""
    if kind == "requests":
        from xianghe_desk.services.import_requests import RequestPlanner

        return RequestPlanner
    return PLANNERS[kind]


def check_kind(kind: str) -> str:
    """``kind`` if it is one of the five; a ValidationError naming them otherwise."""
    if kind not in KINDS:
        names = "、".join(f"{k}（{KIND_LABELS[k]}）" for k in KINDS)
        raise ValidationError(f"不认识的表格类型「{kind}」。可以是：{names}。", field="kind")
    return kind


@dataclass
class ImportPlan:
    """Every row of a sheet and what importing it would do."""

    kind: str
    source: str
    rows: list[PlannedRow]
    warnings: list[str]
    # The refused rows' cells as text (row number → cells), for the refusal report: a sheet read
    # straight from a file does not keep its rows.
    refused_cells: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.rows if row.action is action)

    @property
    def refusals(self) -> list[Refusal]:
        return [refusal for row in self.rows for refusal in row.refusals]

    @property
    def has_refusals(self) -> bool:
        return any(row.action is RowAction.REFUSE for row in self.rows)

    @property
    def row_warnings(self) -> list[RowWarning]:
        """What the clerk should check on rows that still import (e.g. a likely duplicate resident)."""
        return [RowWarning(row.row, message) for row in self.rows for message in row.warnings]

    def to_write(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action in (RowAction.ADD, RowAction.UPDATE)]


@dataclass
class PreparedImport:
    """A sheet planned outside any transaction, with the database's data_version at that moment.

    If no other program has committed since (the version is unchanged once the write lock is
    held), the plan is written as it is; otherwise the sheet is planned again under the lock.
    """

    sheet: SheetData
    planner: Planner
    plan: ImportPlan
    version: int


@dataclass
class ImportReport:
    """The outcome of an import (or of a dry run): counts, refusals, and whether anything was written.

    ``refused_rows`` keeps the refused rows' cells as text, for the refusal report.
    """

    kind: str
    source: str
    total: int
    added: int
    updated: int
    unchanged: int
    refused: int
    refusals: list[Refusal]
    warnings: list[str]
    written: bool
    dry_run: bool = False
    valid_only: bool = False
    columns: tuple[str, ...] = ()
    refused_rows: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # (row, 新增/更新, what, changed columns) of the rows added or updated, or to be in a dry run.
    changes: list[tuple[int, str, str, str]] = field(default_factory=list)
    # Rows that import but should be checked, e.g. a new resident who may be one already there.
    row_warnings: list[RowWarning] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def summary(self) -> str:
        """One Chinese sentence: what was (or would be) done."""
        counts = (
            f"新增 {self.added} 行，更新 {self.updated} 行，不变 {self.unchanged} 行，拒绝 {self.refused} 行"
        )
        head = f"{self.label}表「{self.source}」共 {self.total} 行"
        if self.dry_run:
            return f"{head}：如果导入，将{counts}。（试运行，没有写入任何数据）"
        if self.refused and not self.valid_only:
            return (
                f"{head}：{counts}。因为有 {self.refused} 行不能导入，按「全部导入或全部不导入」的规则，"
                "本次没有写入任何数据。请改正表格后重新导入，或选择「只导入正确的行」。"
            )
        done = f"已新增 {self.added} 行，更新 {self.updated} 行，{self.unchanged} 行没有变化"
        if self.refused:
            done += f"；{self.refused} 行有错误，没有导入"
        return f"{head}：{done}。"

    def save_xlsx(self, path: Path | str) -> Path:
        """The refusals as an .xlsx: row, column, reason and the row's cells, for fixing the sheet."""
        with saving(path), atomic_output(Path(path), ".xlsx") as temp:
            write_refusal_report(
                temp,
                title=f"{self.label}表导入结果",
                summary=[self.summary(), *self.warnings, *(f"请核对：{w}" for w in self.row_warnings)],
                refusals=[(r.row, r.column, r.message) for r in self.refusals],
                columns=self.columns,
                cells=self.refused_rows,
            )
        return Path(path)


def _masked_note(columns: list[str], action: RowAction) -> str:
    """What happened to the masked values of a row (131024********1234, 138****8000)."""
    names = "、".join(f"「{c}」" for c in columns)
    if action is RowAction.ADD:
        return (
            f"{names}只有部分数字（导出时隐藏了中间几位），没有导入；"
            "需要完整号码时，请在表格里填上完整号码再导入，或在程序里补上。"
        )
    return (
        f"{names}只有部分数字（导出时隐藏了中间几位），与本机登记的号码对不上；"
        "没有用它改写本机的号码，请核对。"
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


class _Collector:
    lock = threading.Lock()
    planning = 0  # imports reading, planning or writing now
    before: tuple[int, ...] = ()  # the thresholds before the first of them


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often while a sheet is read, planned and written:
    every row makes a few hundred short-lived objects (its XML elements, cells, the row's checks),
    nearly none of them in cycles, and the default thresholds had the collector spend a sixth of a
    50,000-row import walking them (issue #13); reading the ~200,000 shared strings of a sheet Excel
    saved set off three full collections more (0.17 s). Reference counting still frees them at
    once; the thresholds are put back when the last import at the same time ends."""
    with _Collector.lock:
        if _Collector.planning == 0:
            before = _Collector.before = gc.get_threshold()
            gc.set_threshold(max(before[0], 10_000), max(before[1], 50), max(before[2], 100))
        _Collector.planning += 1
    try:
        yield
    finally:
        with _Collector.lock:
            _Collector.planning -= 1
            if _Collector.planning == 0:
                gc.set_threshold(*_Collector.before)


class ImportService:
    """Plans and imports spreadsheets of the five kinds into ``ws``."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @_fewer_collections()
    def read(
        self,
        kind: str,
        path: Path | str,
        progress: Progress | None = None,
        check_cancelled: Check | None = None,
    ) -> SheetData:
        """Read the file as a sheet of ``kind`` (raises ValidationError when it cannot)."""
        return read_sheet(path, spec_for(check_kind(kind)), progress, check_cancelled)

    @_fewer_collections()
    def open(self, kind: str, path: Path | str) -> SheetData:
        """The file as a sheet of ``kind`` whose rows are read as they are planned, once, and not
        kept (sheets/reader.read_sheet ``keep_rows=False``): an import straight from a file holds
        one row at a time, not the whole sheet. Refusals of the file itself come now."""
        return read_sheet(path, spec_for(check_kind(kind)), keep_rows=False)

    def plan(
        self, sheet: SheetData, progress: Progress | None = None, check_cancelled: Check | None = None
    ) -> ImportPlan:
        """What importing ``sheet`` would do, row by row. Writes nothing."""
        planner = self._planner(sheet)
        return self._plan(planner, sheet, progress, check_cancelled)

    def _planner(self, sheet: SheetData) -> Planner:
        ctx = ImportContext(
            ws=self.ws,
            sheet=sheet,
            places=PlaceCache(self.ws),
            members=MemberLookup(self.ws),
            now=self.ws.now(),
        )
        return planner_class(sheet.spec.kind)(ctx)

    def _plan(
        self, planner: Planner, sheet: SheetData, progress: Progress | None, check_cancelled: Check | None
    ) -> ImportPlan:
        rows = []
        refused_cells: dict[int, tuple[str, ...]] = {}
        total = sheet.row_count
        kept = 0  # rows whose masked numbers agree with the stored ones: noted once for the sheet
        index = 0
        with _fewer_collections():
            for index, row in enumerate(sheet.take_rows(), start=1):
                cells = Cells(sheet, row)
                planned = planner.plan_row(cells)
                if planned.action is not RowAction.REFUSE:
                    kept += bool(cells.masked_agreed)
                    if cells.masked_columns:
                        note = _masked_note(list(cells.masked_columns), planned.action)
                        planned.warnings = (*planned.warnings, note)
                else:
                    refused_cells[row.number] = tuple(_cell_text(value) for value in row.values)
                rows.append(planned)
                if index % PROGRESS_EVERY == 0:
                    if check_cancelled is not None:
                        check_cancelled()
                    if progress is not None:
                        progress(index, max(total, index))
        if progress is not None:
            done = index if sheet.streamed else total  # a streamed sheet's total was the file's guess
            progress(done, done)
        warnings = list(sheet.warnings)
        if kept:
            warnings.append(
                f"有 {kept} 行的身份证号或电话只有部分数字（导出时隐藏了中间几位），"
                "与本机已有的号码相符；导入时保留了本机的完整号码，没有用隐藏的号码改写。"
            )
        return ImportPlan(sheet.spec.kind, sheet.source, rows, warnings, refused_cells)

    def prepare(
        self, sheet: SheetData, progress: Progress | None = None, check_cancelled: Check | None = None
    ) -> PreparedImport:
        """Plan ``sheet`` with no transaction open: the slow part of an import takes no lock."""
        version = data_version(self.ws.db)
        planner = self._planner(sheet)
        plan = self._plan(planner, sheet, progress, check_cancelled)
        return PreparedImport(sheet, planner, plan, version)

    @_fewer_collections()
    def import_sheet(
        self,
        sheet: SheetData,
        dry_run: bool = False,
        valid_only: bool = False,
        progress: Progress | None = None,
        check_cancelled: Check | None = None,
        prepared: PreparedImport | None = None,
    ) -> ImportReport:
        """Plan and (unless ``dry_run``) write ``sheet`` in one transaction.

        By default nothing is written when any row is refused; with ``valid_only`` the valid
        rows are written and the refused ones left out. The rows are planned (read and checked)
        before the write lock is taken, so other programs wait only while rows are written
        (issue #10); ``prepared`` is such a plan made by the caller before its transaction.
        """
        if dry_run:
            plan = self.plan(sheet, progress, check_cancelled)
            return self._report(plan, sheet, written=False, dry_run=True, valid_only=valid_only)
        if prepared is None and not self.ws.db.conn.in_transaction:
            prepared = self.prepare(sheet, progress, check_cancelled)
        with self.ws.atomic():
            take_write_lock(self.ws.db)
            if (
                prepared is not None
                and prepared.sheet is sheet
                and prepared.version == data_version(self.ws.db)
            ):
                planner, plan = prepared.planner, prepared.plan
            else:  # another program wrote meanwhile: plan again, now that nobody else can write
                if sheet.streamed:  # its rows were planned once and not kept: read the file again
                    assert sheet.path is not None
                    sheet = self.open(sheet.spec.kind, sheet.path)
                planner = self._planner(sheet)
                plan = self._plan(planner, sheet, progress, check_cancelled)
            write = plan.to_write()
            written = bool(write) and (valid_only or not plan.has_refusals)
            if written:
                planner.apply(write)
        return self._report(plan, sheet, written=written, dry_run=False, valid_only=valid_only)

    def import_file(
        self,
        kind: str,
        path: Path | str,
        dry_run: bool = False,
        valid_only: bool = False,
        progress: Progress | None = None,
        check_cancelled: Check | None = None,
        prepared: PreparedImport | None = None,
    ) -> ImportReport:
        """Read and import a file in one go (the command line's ``import``): its rows are planned
        as they are read, and only the plan is kept."""
        sheet = prepared.sheet if prepared is not None else self.open(kind, path)
        return self.import_sheet(sheet, dry_run, valid_only, progress, check_cancelled, prepared)

    def preview_report(self, plan: ImportPlan, sheet: SheetData) -> ImportReport:
        """A plan as a report (nothing written), e.g. to save its refusals before deciding."""
        return self._report(plan, sheet, written=False, dry_run=True, valid_only=False)

    def _report(
        self, plan: ImportPlan, sheet: SheetData, written: bool, dry_run: bool, valid_only: bool
    ) -> ImportReport:
        return ImportReport(
            kind=plan.kind,
            source=plan.source,
            total=len(plan.rows),
            added=plan.count(RowAction.ADD),
            updated=plan.count(RowAction.UPDATE),
            unchanged=plan.count(RowAction.SAME),
            refused=plan.count(RowAction.REFUSE),
            refusals=plan.refusals,
            warnings=plan.warnings,
            written=written,
            dry_run=dry_run,
            valid_only=valid_only,
            columns=sheet.spec.names,
            refused_rows=dict(plan.refused_cells),
            changes=[(row.row, row.action.label, row.label, row.reason) for row in plan.to_write()],
            row_warnings=plan.row_warnings,
        )
