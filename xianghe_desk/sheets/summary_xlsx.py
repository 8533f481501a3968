"""The monthly summary's tables as an .xlsx workbook (``report monthly --xlsx``), for clerks who forward them.

One sheet per table, Chinese headers in bold on a tinted row, frozen under the header, columns
sized to their content, and numbers kept as numbers (percentages as text with their % sign,
exactly as printed, so a forwarded sheet reads like the PDF).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="D9E2EF")
_TITLE_FONT = Font(bold=True, size=13)
_BOLD = Font(bold=True)


class SummaryTable(Protocol):
    """What a table of the summary offers (pdf.monthly_report.ReportTable has these)."""

    @property
    def title(self) -> str: ...
    @property
    def headers(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> list[tuple[Any, ...]]: ...
    @property
    def note(self) -> str: ...


def _sheet_title(title: str, used: set[str]) -> str:
    base = _INVALID_TITLE.sub("", title)[:28] or "表"
    name, n = base, 2
    while name in used:
        name = f"{base[:26]}{n}"
        n += 1
    used.add(name)
    return name


def _width(value: Any) -> float:
    text = str(value)
    # A Chinese character takes about two Latin widths in Excel's column units.
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def write_summary(title: str, tables: Sequence[SummaryTable], path: Path) -> None:
    """Write ``tables`` to ``path``, one sheet each, with ``title`` above every table."""
    workbook = Workbook()
    default = workbook.active
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([f"{title} · {table.title}"])
        sheet["A1"].font = _TITLE_FONT
        sheet.append(list(table.headers))
        for cell in sheet[2]:
            cell.font = _BOLD
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [_width(h) for h in table.headers]
        for row in table.rows:
            values = [v.strip() if isinstance(v, str) else v for v in row]
            sheet.append(values)
            widths = [max(w, _width(v)) for w, v in zip(widths, values, strict=True)]
        if not table.rows:
            sheet.append(["本月没有。"])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A3"
    if default is not None and len(workbook.sheetnames) > 1:
        workbook.remove(default)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
