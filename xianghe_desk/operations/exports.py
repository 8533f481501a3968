"""Exporting a spreadsheet as an operation: who may export what, masked by default, and audited.

- villages and grids: anyone who may read (Permission.READ);
- residents, requests and members hold personal data: Permission.EXPORT_PERSONAL (not a 村级录入员
  or a 领导查看);
- ID numbers and phones are masked (131024********1234, 138****8000) unless ``full`` is asked for,
  which needs Permission.EXPORT_FULL (administrators and 镇级文员; PIPL art. 51, issue #9 §5);
- the sheet holds only the actor's scope (services/exports.py).

Templates hold no data and need no permission: ExportService.template is called directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xianghe_desk.domain.access import Permission
from xianghe_desk.operations.base import Op, Progress, operation
from xianghe_desk.services.exports import ExportService
from xianghe_desk.services.imports import check_kind
from xianghe_desk.sheets.columns import KIND_LABELS

PERSONAL_KINDS = frozenset({"residents", "requests", "members"})


@dataclass(frozen=True)
class Exported:
    path: Path
    kind: str
    rows: int
    masked: bool  # ID numbers and phones written masked


@operation("sheet.export", "导出表格", Permission.READ, kind="export")
def export_sheet(
    op: Op,
    kind: str,
    path: Path | str,
    month: str | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> Exported:
    check_kind(kind)
    personal = kind in PERSONAL_KINDS
    if personal:
        op.require(Permission.EXPORT_PERSONAL)
        if full:
            op.require(Permission.EXPORT_FULL)
    masked = personal and not full
    report, cancel = (progress.report, progress.check_cancelled) if progress else (None, None)
    count = ExportService(op.ws).export(kind, path, month, report, cancel, masked=masked)
    label = KIND_LABELS.get(kind, kind)
    how = "（身份证号和电话已隐藏）" if masked else "（含完整的身份证号和电话）" if personal else ""
    op.audit(
        f"导出{label}表 {count} 行{f'（{month} 受理）' if month else ''}{how}：{Path(path).name}",
        sheet=kind,
        rows=count,
        month=month or "",
        masked=masked,
        full=personal and full,
        scope=op.who.scope_label(),
        file=str(path),
    )
    return Exported(Path(path), kind, count, masked)


@operation("sheet.template", "下载导入模板", Permission.READ, kind="export", quiet=True)
def write_template(op: Op, kind: str, path: Path | str, progress: Progress | None = None) -> Path:
    """An empty import template: column notes and drop-down lists, no data (no audit row).
    ``progress`` is accepted for the desk's progress dialog; a template is quick."""
    return ExportService(op.ws).template(check_kind(kind), path)
