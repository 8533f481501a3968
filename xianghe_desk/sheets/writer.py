"""Writing exports: the template of the kind, filled with rows, in the columns the import reads.

ID numbers, phone numbers and codes are written as text (never as numbers, which Excel would
round to 15 digits); dates and times as real Excel dates in the same formats the template uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.sheets.columns import CellType, Choices, SheetSpec
from xianghe_desk.sheets.safe import as_text, guard, guard_row
from xianghe_desk.sheets.templates import DATE_FORMAT, DATETIME_FORMAT, TEXT_FORMAT, TemplateBook

Progress = Callable[[int, int], None]
Check = Callable[[], None]
PROGRESS_EVERY: Final = 500
_WRAP: Final = Alignment(wrap_text=True, vertical="top")


def _cell_factory(sheet: Any, column_type: CellType) -> Callable[[Any], Any]:
    """How one column's values become cells; plain values where no style is needed (faster)."""
    if column_type in (CellType.ID_NUMBER, CellType.CODE, CellType.PHONE):

        def text_cell(value: Any) -> Any:
            if value is None or value == "":
                return None
            cell = as_text(WriteOnlyCell(sheet, value=str(value)))
            cell.number_format = TEXT_FORMAT
            return cell

        return text_cell
    if column_type in (CellType.DATE, CellType.DATETIME):
        fmt = DATE_FORMAT if column_type is CellType.DATE else DATETIME_FORMAT

        def date_cell(value: Any) -> Any:
            if not isinstance(value, date):
                return value
            if column_type is CellType.DATE and isinstance(value, datetime):
                value = value.date()
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = fmt
            return cell

        return date_cell
    if column_type is CellType.LONG_TEXT:

        def long_cell(value: Any) -> Any:
            if not value or "\n" not in str(value):
                return guard(sheet, value) if value else None
            cell = as_text(WriteOnlyCell(sheet, value=value))
            cell.alignment = _WRAP
            return cell

        return long_cell
    # Text a clerk or a package typed: never written as a live formula (sheets/safe.py).
    return lambda value: None if value == "" else guard(sheet, value)


def write_sheet(
    path: Path | str,
    spec: SheetSpec,
    rows: Iterable[Sequence[Any]],
    choices: Choices,
    total: int = 0,
    progress: Progress | None = None,
    check_cancelled: Check | None = None,
) -> int:
    """Write ``rows`` (values in ``spec.columns`` order) under the template header; returns the count.

    Nothing is left at ``path`` when ``check_cancelled`` raises: the workbook is saved at the end.
    """
    book = TemplateBook(spec, choices)
    factories = [_cell_factory(book.sheet, column.type) for column in spec.columns]
    count = 0
    for values in rows:
        book.sheet.append([make(value) for make, value in zip(factories, values, strict=True)])
        count += 1
        if count % PROGRESS_EVERY == 0:
            if check_cancelled is not None:
                check_cancelled()
            if progress is not None:
                progress(count, max(total, count))
    book.finish()
    path = Path(path)
    book.workbook.save(path)
    if progress is not None:
        progress(count, count)
    return count


@contextmanager
def saving(path: Path | str) -> Iterator[None]:
    """Turn a file that cannot be written (open in Excel, read-only USB stick) into a plain refusal."""
    try:
        yield
    except OSError as exc:
        raise ValidationError(
            f"无法写入文件「{path}」（{exc.strerror or exc}）。如果它正在 Excel 或 WPS 中打开，请先关闭；"
            "也可以换一个文件名或文件夹。",
            field="file",
        ) from None


def write_refusal_report(
    path: Path | str,
    title: str,
    summary: Sequence[str],
    refusals: Sequence[tuple[int, str, str]],
    columns: Sequence[str],
    cells: dict[int, tuple[str, ...]],
) -> Path:
    """The refusals of an import as an .xlsx: 行号, 列, 原因, then the refused row's own cells.

    A second sheet repeats the import's summary and warnings.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("拒绝原因")
    sheet.freeze_panes = "D2"
    for letter, width in (("A", 8), ("B", 14), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    fill = PatternFill("solid", start_color="FCE4D6")
    header = []
    for text in ("行号", "列", "原因", *columns):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.fill = fill
        header.append(cell)
    sheet.append(header)
    for row, column, message in refusals:
        reason = as_text(WriteOnlyCell(sheet, value=message))
        reason.alignment = _WRAP
        sheet.append(guard_row(sheet, [row, column, reason, *cells.get(row, ())]))
    if not refusals:
        sheet.append([None, None, "没有被拒绝的行。"])
    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 100
    heading = WriteOnlyCell(notes, value=title)
    heading.font = Font(bold=True, size=14)
    notes.append([heading])
    for line in summary:
        notes.append([line])
    notes.append(["请按「拒绝原因」表中的行号，在原表格中改正这些行后重新导入。"])
    path = Path(path)
    workbook.save(path)
    return path
