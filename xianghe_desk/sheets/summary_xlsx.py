"""The monthly summary's tables as an .xlsx workbook (``report monthly --xlsx``), for clerks who forward them.

One sheet per table, Chinese headers in bold on a tinted row, frozen under the header, columns
sized to their content. Figures are stored as numbers with a number format, so the sheet can be
summed and sorted (issue #8: rates and hours were text):

- counts as whole numbers; rates as Excel percentages (98.8 % is stored as 0.988 and shown
  「98.8%」, as printed); hours and scores with one decimal; a change from last month as a signed
  number shown 「+12」, 「-1.5个百分点」 or 「持平」; times as dates with the year
  (yyyy-mm-dd hh:mm); how long a request is overdue as a duration (hours:minutes);
- a rate printed with its rank, 「98.8%（3）」, becomes two columns, 办结率 and 办结率名次;
- 「—」 (nothing behind the figure: no request, no rating) stays text, which SUM and AVERAGE skip;
- subtotal rows (「【代办服务】小计」) and the 合计 row are bold on a tinted fill.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xianghe_desk.domain.figures import NO_FIGURE, TableValue
from xianghe_desk.sheets.safe import as_text

_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="D9E2EF")
_TOTAL_FILL = PatternFill("solid", fgColor="EEF1F5")
_TITLE_FONT = Font(bold=True, size=13)
_BOLD = Font(bold=True)
_RANK_SUFFIX = "（名次）"


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
    @property
    def total_row(self) -> bool: ...
    @property
    def subtotal_prefix(self) -> str: ...


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


def _ranked_columns(table: SummaryTable) -> set[int]:
    """Columns whose cells carry a rank after the rate (they become two columns)."""
    return {
        index
        for row in table.rows
        for index, value in enumerate(row)
        if isinstance(value, TableValue) and value.rank is not None
    }


def _headers(table: SummaryTable, ranked: set[int]) -> list[str]:
    headers: list[str] = []
    for index, header in enumerate(table.headers):
        if index in ranked:
            name = header.removesuffix(_RANK_SUFFIX)
            headers += [name, f"{name}名次"]
        else:
            headers.append(header)
    return headers


def _cells(row: tuple[Any, ...], ranked: set[int]) -> list[tuple[Any, str | None]]:
    """(value, number format) of each cell of a row, a ranked rate as two cells."""
    cells: list[tuple[Any, str | None]] = []
    for index, value in enumerate(row):
        if isinstance(value, TableValue):
            stored = NO_FIGURE if value.value is None else value.value
            cells.append((stored, value.number_format if value.value is not None else None))
            if index in ranked:
                cells.append((value.rank if value.rank is not None else NO_FIGURE, "0"))
        elif isinstance(value, str):
            cells.append((value.strip(), None))
        else:
            cells.append((value, None))
    return cells


def _write_table(sheet: Worksheet, title: str, table: SummaryTable) -> None:
    sheet.append([f"{title} · {table.title}"])
    sheet["A1"].font = _TITLE_FONT
    ranked = _ranked_columns(table)
    headers = _headers(table, ranked)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [_width(h) for h in headers]
    for number, row in enumerate(table.rows, start=1):
        cells = _cells(row, ranked)
        sheet.append([value for value, _format in cells])
        written = sheet[sheet.max_row]
        for cell, (_value, number_format) in zip(written, cells, strict=True):
            as_text(cell)  # a village or category named "=…" stays text (sheets/safe.py)
            if number_format:
                cell.number_format = number_format
        first = str(row[0]) if row else ""
        is_total = table.total_row and number == len(table.rows)
        if is_total or (table.subtotal_prefix and first.startswith(table.subtotal_prefix)):
            for cell in written:
                cell.font = _BOLD
                cell.fill = _TOTAL_FILL
        shown = [str(r) if isinstance(r, TableValue) else r for r in row]
        widths = [max(w, _width(v)) for w, v in zip(widths, _spread(shown, row, ranked), strict=True)]
    if not table.rows:
        sheet.append(["本月没有。"])
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A3"


def _spread(shown: list[Any], row: tuple[Any, ...], ranked: set[int]) -> list[Any]:
    """The printed texts of a row laid over the exported columns (for the column widths)."""
    spread: list[Any] = []
    for index, text in enumerate(shown):
        if index in ranked:
            value = row[index]
            spread += [str(value).split("（")[0], getattr(value, "rank", "") or ""]
        else:
            spread.append(text)
    return spread


def write_summary(title: str, tables: Sequence[SummaryTable], path: Path) -> None:
    """Write ``tables`` to ``path``, one sheet each, with ``title`` above every table."""
    workbook = Workbook()
    default = workbook.active
    used: set[str] = set()
    for table in tables:
        _write_table(workbook.create_sheet(_sheet_title(table.title, used)), title, table)
    if default is not None and len(workbook.sheetnames) > 1:
        workbook.remove(default)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def sheet_names(path: Path) -> list[str]:
    """The worksheet names of a written workbook (the self-test checks the summary has them all)."""
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()
