"""Import templates: the header row with an explanation on every column (cell comment and the
「填表说明」 sheet), text format where digits must survive, and drop-down lists for every closed
choice. Exports are built on the same workbook, so an export is a filled-in template.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from xianghe_desk.sheets.columns import CellType, Choices, ColumnSpec, SheetSpec, Source
from xianghe_desk.sheets.safe import guard_row

HELP_SHEET: Final = "填表说明"
OPTIONS_SHEET: Final = "选项"
LAST_ROW: Final = 1048576  # Excel's last row: drop-downs and formats cover the whole column
COMMENT_AUTHOR: Final = "香河「这就办」服务台账"
TEXT_FORMAT: Final = "@"
DATE_FORMAT: Final = "yyyy-mm-dd"
DATETIME_FORMAT: Final = "yyyy-mm-dd hh:mm"

_REQUIRED_FILL: Final = PatternFill("solid", start_color="FCE4D6")
_OPTIONAL_FILL: Final = PatternFill("solid", start_color="DDEBF7")
_THIN: Final = Side(style="thin", color="A6A6A6")
_HEADER_BORDER: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FONT: Final = Font(bold=True, color="000000")
_REQUIRED_FONT: Final = Font(bold=True, color="C00000")

GENERAL_NOTES: Final = (
    "第一行是列名，请不要改动列名；从第二行起每行填一条。列的先后顺序可以调整，多出来的列会被忽略。",
    "红色列名是必填项；蓝色列名可以不填。",
    "把鼠标移到列名上可以看到这一列的说明；有下拉箭头的列请从列表中选择。",
    "身份证号、手机号、编号等列已设为「文本」格式，请不要改成数字格式，否则长号码会变成 1.31024E+17 并丢失数字。",
    "日期写成 2026-11-03、2026/11/3 或 2026年11月3日 都可以；时间写成 2026-11-03 14:05。",
    "已有的记录会按表格内容更新；空白的单元格不会清除已有的内容。同一个文件导入两次，第二次不会有任何改变。",
    "导入前程序会先检查全部行，列出要新增、更新和不能导入的行及原因；可以选择先改表格，或只导入正确的行。",
    "请保存为 .xlsx 格式（Excel 工作簿）。旧的 .xls 格式请在 Excel 或 WPS 中「另存为」.xlsx。CSV 文件也可以导入。",
)


def column_letter(position: int) -> str:
    return get_column_letter(position + 1)


def allowed_text(column: ColumnSpec, choices: Choices) -> str:
    """What a column accepts, in words, for comments and the help sheet."""
    if column.choices:
        values = column.choices
    elif column.source is not None:
        values = choices.values(column.source)
        if column.source in (Source.VILLAGES, Source.GRIDS, Source.TOWNS) and len(values) > 12:
            return "见下拉列表"
    else:
        return ""
    text = "、".join(values)
    if column.type is CellType.MULTI:
        text += "（可填多个，用「、」隔开）"
    return text


def _comment_text(column: ColumnSpec, choices: Choices) -> str:
    parts = ["必填。" if column.required else "选填。", column.hint]
    allowed = allowed_text(column, choices)
    if allowed and allowed not in column.hint:
        parts.append(f"可填：{allowed}。")
    if column.example:
        parts.append(f"例如：{column.example}")
    return "".join(parts)


def _header_cell(ws: object, column: ColumnSpec, choices: Choices) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=column.name)  # type: ignore[arg-type]
    cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
    cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
    cell.border = _HEADER_BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    comment = Comment(_comment_text(column, choices), COMMENT_AUTHOR)
    comment.width = 320
    comment.height = 140
    cell.comment = comment
    return cell


def _options_column(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


class TemplateBook:
    """A write-only workbook for one kind: the data sheet with its header already written.

    Call :meth:`finish` after the data rows (if any) have been appended, then ``save``.
    """

    def __init__(self, spec: SheetSpec, choices: Choices) -> None:
        self.spec = spec
        self.choices = choices
        # Write-only keeps memory flat for 50,000-row exports; rows are streamed to disk.
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(spec.label)
        self._help = self.workbook.create_sheet(HELP_SHEET)
        self._options = self.workbook.create_sheet(OPTIONS_SHEET)
        self._options.sheet_state = "hidden"
        self._option_ranges: dict[str, str] = {}
        self._pending_options: list[tuple[str, Sequence[str]]] = []
        self._init_columns()
        self.sheet.append([_header_cell(self.sheet, c, choices) for c in spec.columns])

    def _init_columns(self) -> None:
        self.sheet.freeze_panes = "A2"
        for position, column in enumerate(self.spec.columns):
            dimension = self.sheet.column_dimensions[column_letter(position)]
            dimension.width = column.width + 2
            # A column formatted as text before anyone types in it keeps an 18-digit ID intact.
            if column.type in (CellType.ID_NUMBER, CellType.CODE, CellType.PHONE):
                dimension.number_format = TEXT_FORMAT
            elif column.type is CellType.DATE:
                dimension.number_format = DATE_FORMAT
            elif column.type is CellType.DATETIME:
                dimension.number_format = DATETIME_FORMAT

    # ---- drop-downs ------------------------------------------------------------------------

    def _option_range(self, key: str, title: str, values: Sequence[str]) -> str | None:
        """Put a list on the hidden 选项 sheet (one column each) and return its absolute range."""
        if key in self._option_ranges:
            return self._option_ranges[key]
        values = _options_column(values)
        if not values:
            return None
        position = len(self._option_ranges)
        self._option_ranges[key] = (
            f"{quote_sheetname(OPTIONS_SHEET)}!${column_letter(position)}$2:"
            f"${column_letter(position)}${len(values) + 1}"
        )
        self._pending_options.append((title, values))
        return self._option_ranges[key]

    def _validation(self, position: int, column: ColumnSpec) -> DataValidation | None:
        letter = column_letter(position)
        cells = f"{letter}2:{letter}{LAST_ROW}"
        if column.type is CellType.ID_NUMBER:
            check = DataValidation(
                type="textLength",
                operator="equal",
                formula1="18",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="身份证号位数不对",
                error="身份证号应为 18 位。如果号码变成了 1.31024E+17 这样，请把本列设为「文本」格式后重新输入。",
            )
            check.add(cells)
            return check
        if not column.is_closed:
            return None
        if column.choices:
            values: Sequence[str] = column.choices
            key = column.name
        else:
            assert column.source is not None
            values = self.choices.values(column.source)
            key = column.source.value
        reference = self._option_range(key, column.name, values)
        if reference is None:
            return None
        # Names people write in other ways (淑阳 for 淑阳镇, several grids in one cell) are
        # still accepted by the import, so those lists only warn; the fixed ones stop.
        loose = column.type is CellType.MULTI or column.source in (
            Source.TOWNS,
            Source.VILLAGES,
            Source.GRIDS,
        )
        check = DataValidation(
            type="list",
            formula1=reference,
            allow_blank=True,
            showErrorMessage=column.type is not CellType.MULTI,
            errorStyle="warning" if loose else "stop",
            errorTitle=f"{column.name}不在列表里",
            error=f"请从下拉列表中选择{column.name}。" + ("如确认无误，可以点「是」保留。" if loose else ""),
            showInputMessage=False,
        )
        check.add(cells)
        return check

    # ---- finishing -------------------------------------------------------------------------

    def finish(self) -> None:
        """Add the drop-downs, the 选项 sheet and the 填表说明 sheet."""
        for position, column in enumerate(self.spec.columns):
            check = self._validation(position, column)
            if check is not None:
                self.sheet.data_validations.append(check)
        self._write_options()
        self._write_help()

    def _write_options(self) -> None:
        lists = self._pending_options
        if not lists:
            self._options.append(["（无）"])
            return
        self._options.append(guard_row(self._options, [title for title, _values in lists]))
        longest = max(len(values) for _title, values in lists)
        for index in range(longest):
            row = [values[index] if index < len(values) else None for _t, values in lists]
            self._options.append(guard_row(self._options, row))

    def _write_help(self) -> None:
        sheet = self._help
        for letter, width in zip("ABCDE", (14, 8, 40, 18, 60), strict=True):
            sheet.column_dimensions[letter].width = width
        title = WriteOnlyCell(sheet, value=f"{self.spec.label}表 填表说明")
        title.font = Font(bold=True, size=14)
        sheet.append([title])
        if self.spec.intro:
            sheet.append([self.spec.intro])
        for number, note in enumerate(GENERAL_NOTES, start=1):
            sheet.append([f"{number}. {note}"])
        sheet.append([])
        headers = []
        for text in ("列名", "是否必填", "可填的内容", "示例", "说明"):
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = _HEADER_FONT
            cell.fill = _OPTIONAL_FILL
            cell.border = _HEADER_BORDER
            headers.append(cell)
        sheet.append(headers)
        wrap = Alignment(wrap_text=True, vertical="top")
        for column in self.spec.columns:
            row = []
            for value in (
                column.name,
                "必填" if column.required else "选填",
                allowed_text(column, self.choices) or _free_text(column),
                column.example,
                column.hint,
            ):
                cell = WriteOnlyCell(sheet, value=value)
                cell.alignment = wrap
                row.append(cell)
            if column.required:
                row[0].font = _REQUIRED_FONT
            sheet.append(row)


def _free_text(column: ColumnSpec) -> str:
    return {
        CellType.DATE: "日期",
        CellType.DATETIME: "日期和时间",
        CellType.INTEGER: "整数",
        CellType.PHONE: "电话号码",
        CellType.ID_NUMBER: "18 位身份证号（文本）",
        CellType.CODE: "编号（文本）",
    }.get(column.type, "文字")


def write_template(path: Path | str, spec: SheetSpec, choices: Choices) -> Path:
    """Write the empty import template for ``spec`` to ``path`` (.xlsx)."""
    book = TemplateBook(spec, choices)
    book.finish()
    path = Path(path)
    book.workbook.save(path)
    return path
