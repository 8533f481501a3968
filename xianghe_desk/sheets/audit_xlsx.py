"""The audit trail (操作日志) as an .xlsx, for an administrator who forwards or files it.

One sheet 操作日志: 时间, 账号, 角色, 类别, 操作, 说明, 电脑, a bold tinted header, frozen under
it; times are real Excel date-times. A second sheet 说明 says which filters made the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from xianghe_desk.sheets.templates import DATETIME_FORMAT

HEADERS = ("时间", "账号", "角色", "类别", "操作", "说明", "电脑")
_WIDTHS = (18, 12, 12, 10, 18, 80, 8)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2EF")
_WRAP = Alignment(wrap_text=True, vertical="top")
PROGRESS_EVERY = 500


def write_audit_trail(
    path: Path | str,
    title: str,
    notes: Sequence[str],
    rows: Iterable[tuple[datetime, str, str, str, str, str, str]],
    total: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write ``rows`` (values in HEADERS order) to ``path``; returns how many were written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("操作日志")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header: list[Any] = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    count = 0
    for at, *texts in rows:
        when = WriteOnlyCell(sheet, value=at)
        when.number_format = DATETIME_FORMAT
        summary = WriteOnlyCell(sheet, value=texts[4])
        summary.alignment = _WRAP
        sheet.append([when, *texts[:4], summary, texts[5]])
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, max(total, count))
    about = workbook.create_sheet("说明")
    about.column_dimensions["A"].width = 100
    heading = WriteOnlyCell(about, value=title)
    heading.font = Font(bold=True, size=13)
    about.append([heading])
    for line in notes:
        about.append([line])
    workbook.save(Path(path))
    if progress is not None:
        progress(count, count)
    return count
