"""Reading a clerk's spreadsheet (.xlsx or .csv) into rows of typed cell values.

The reader finds the header row (Chinese column names in any order, possibly under a title
row), maps it onto a :class:`SheetSpec`, folds full-width characters and stray spaces in text,
and drops empty rows. It does not judge values: numbers stay numbers and dates stay dates, so
that the import can tell an ID number that Excel turned into ``1.31024E+17`` from a typed one.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.validators import normalize_text
from xianghe_desk.sheets.columns import SPECS, CellType, SheetSpec

CellValue = str | int | float | datetime | date | time | bool | None
Progress = Callable[[int, int], None]
Check = Callable[[], None]

HEADER_SCAN_ROWS: Final = 10  # a title or note may stand above the header row
PROGRESS_EVERY: Final = 500
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .et and other old Office files
_ZIP_MAGIC: Final = b"PK\x03\x04"
_XLS_MESSAGE: Final = (
    "「{name}」是旧版 Excel 文件（.xls），本程序读不了。请用 Excel 或 WPS 打开它，选「文件 → 另存为」，"
    "保存类型选「Excel 工作簿（*.xlsx）」，再导入另存的 .xlsx 文件。"
)
# Sheets our own templates add beside the data sheet.
_OWN_SHEETS: Final = frozenset({"填表说明", "选项"})
# Limits that refuse a hostile or mistaken file early, before it costs minutes and gigabytes
# (issue #10: a 1,500,000-row sheet took 293 s and 2.1 GB before it was refused).
MAX_ROWS: Final = 200_000  # data rows of one sheet
MAX_CSV_BYTES: Final = 100 * 1024 * 1024
MAX_XLSX_UNPACKED: Final = 1024 * 1024 * 1024  # all parts of an .xlsx, unpacked (streamed)
MAX_SHARED_STRINGS: Final = 100 * 1024 * 1024  # openpyxl keeps this part in memory
FORMULA_MESSAGE: Final = (
    "这个单元格里是公式，没有保存计算结果，本程序不会计算公式。请在 Excel 或 WPS 里选中这一列，"
    "复制后用「选择性粘贴 → 数值」粘贴回去，保存后再导入。"
)
_FORMULA_TAG: Final = re.compile(rb"<(?:\w+:)?f[\s>/]")


@dataclass(frozen=True)
class SheetRow:
    """One data row: its row number as the clerk sees it and one value per spec column."""

    number: int
    values: tuple[CellValue, ...]


@dataclass
class SheetData:
    """What was read: the spec, which of its columns the file has, the rows, and notes.

    ``values`` of each row are aligned with ``spec.columns``; a column the file lacks is None.
    """

    spec: SheetSpec
    source: str  # file name, for messages and the report
    sheet_name: str
    header_row: int
    present: frozenset[str]
    rows: list[SheetRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (row number, spec column) of cells holding a formula without a saved value: read as empty,
    # refused with FORMULA_MESSAGE instead of 「必填」 (services/import_rows.py).
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    # A sheet opened with ``keep_rows=False`` (an import straight from a file) keeps none of its
    # rows: they are read as the import plans them, once (take_rows); ``path`` reads it again.
    path: Path | None = None
    streamed: bool = False
    row_hint: int = 0  # rows the file says it has, for progress while streaming
    _stream: Iterator[SheetRow] | None = field(default=None, repr=False, compare=False)

    def take_rows(self) -> Iterator[SheetRow]:
        """The data rows: the ones kept, or (a streamed sheet, once) the ones read from the file."""
        if not self.streamed:
            return iter(self.rows)
        if self._stream is None:
            raise RuntimeError("the rows of a streamed sheet were already read: read the file again")
        stream, self._stream = self._stream, None
        return stream

    @property
    def row_count(self) -> int:
        """The number of rows (a streamed sheet: as many as the file says, before reading them)."""
        return self.row_hint if self.streamed else len(self.rows)

    def holds_formula(self, row: SheetRow, name: str) -> bool:
        return bool(self.formula_cells) and (row.number, self.spec.position(name)) in self.formula_cells

    def value(self, row: SheetRow, name: str) -> CellValue:
        return row.values[self.spec.position(name)]


def read_sheet(
    path: Path | str,
    spec: SheetSpec,
    progress: Progress | None = None,
    check_cancelled: Check | None = None,
    keep_rows: bool = True,
) -> SheetData:
    """Read ``path`` (.xlsx or .csv) as a sheet of ``spec``'s kind.

    With ``keep_rows=False`` only the header is read now (and every refusal of the file as a
    whole made); the rows follow, once, from :meth:`SheetData.take_rows`, so that an import of
    tens of thousands of rows never holds them all. ``progress`` then is left to the planner.

    Raises:
        ValidationError: the file cannot be read as such a sheet (old .xls, no header row,
            a required column missing …); the message says how to fix the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"找不到文件「{path}」，请检查文件名和文件夹。", field="file")
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC) or suffix in (".xls", ".et"):
        raise ValidationError(_XLS_MESSAGE.format(name=path.name), field="file")
    if suffix in (".csv", ".txt"):
        return _read_csv(path, spec, progress, check_cancelled, keep_rows)
    if head.startswith(_ZIP_MAGIC) or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, spec, progress, check_cancelled, keep_rows)
    raise ValidationError(
        f"「{path.name}」不是 Excel 表格（.xlsx）或 CSV 文件。请在 Excel 或 WPS 中把它另存为 .xlsx 再导入。",
        field="file",
    )


# ---- cells -----------------------------------------------------------------------------------


# Characters normalize_text changes: any whitespace (it strips and collapses it), full-width forms,
# the ideographic space and invisible characters. A cell without any of them is already normal,
# which is most cells; checking costs a third of normalising.
_NEEDS_FOLDING: Final = re.compile("[\\s\u3000\uff01-\uff5e\u200b-\u200d\u2060\ufeff\u00a0\u2007\u202f]")


def _text(value: str, long_text: bool) -> str | None:
    if long_text:
        lines = [normalize_text(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        text = "\n".join(lines).strip("\n")
    elif _NEEDS_FOLDING.search(value) is None:
        text = value
    else:
        text = normalize_text(value)
    # ="131024…" is how some programs force text into a CSV cell for Excel.
    if text[:2] == '="' and len(text) > 3 and text[-1] == '"':
        text = text[2:-1]
    return text or None


# ---- header ----------------------------------------------------------------------------------


@dataclass
class _Header:
    row_index: int  # 0-based position among the scanned rows
    positions: dict[int, int]  # file column → spec column
    extra: list[tuple[int, str]]  # file column, header text ignored
    duplicates: list[tuple[str, int, int]]

    @property
    def score(self) -> int:
        return len(self.positions)


def _match_header(cells: Iterable[Any], spec: SheetSpec) -> _Header:
    positions: dict[int, int] = {}
    seen: dict[int, int] = {}
    extra: list[tuple[int, str]] = []
    duplicates: list[tuple[str, int, int]] = []
    for column, raw in enumerate(cells):
        text = normalize_text(str(raw)) if raw is not None else ""
        if not text:
            continue
        matched = spec.match_header(text)
        if matched is None:
            extra.append((column, text))
            continue
        target = spec.position(matched.name)
        if target in seen:
            duplicates.append((matched.name, seen[target], column))
            continue
        seen[target] = column
        positions[column] = target
    return _Header(0, positions, extra, duplicates)


def _find_header(rows: list[tuple[Any, ...]], spec: SheetSpec) -> _Header | None:
    best: _Header | None = None
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        header = _match_header(cells, spec)
        header.row_index = index
        if header.score >= 2 and (best is None or header.score > best.score):
            best = header
    return best


def _columns_text(names: Iterable[str]) -> str:
    return "、".join(f"「{n}」" for n in names)


def _guess_kind(rows: list[tuple[Any, ...]], spec: SheetSpec) -> str:
    """'这张表看起来是「网格员」表' when another kind's header fits better."""
    best_label, best_score = "", 0
    for other in SPECS.values():
        for cells in rows[:HEADER_SCAN_ROWS]:
            header = _match_header(cells, other)
            if len(other.required) and all(
                other.position(name) in header.positions.values() for name in other.required
            ):
                score = header.score
                if score > best_score:
                    best_label, best_score = other.label, score
    if best_label and best_label != spec.label:
        return f"这张表看起来是「{best_label}」表，请确认选择的导入类型。"
    return ""


def _check_header(header: _Header | None, spec: SheetSpec, source: str, rows: list[tuple[Any, ...]]) -> None:
    if header is None:
        raise ValidationError(
            f"在「{source}」的前 {HEADER_SCAN_ROWS} 行里没有找到{spec.label}表的表头。"
            f"表头应是一行列名，例如：{_columns_text(spec.required)}。"
            f"请用「下载模板」得到的表格填写，或把列名改成模板里的写法。" + _guess_kind(rows, spec),
            field="file",
        )
    if header.duplicates:
        name, first, second = header.duplicates[0]
        raise ValidationError(
            f"表头里「{name}」出现了两次（第 {get_column_letter(first + 1)} 列和第 "
            f"{get_column_letter(second + 1)} 列），不知道该用哪一列。请删掉或改名其中一列。",
            field="file",
        )
    have = set(header.positions.values())
    missing = [name for name in spec.required if spec.position(name) not in have]
    if missing:
        raise ValidationError(
            f"「{source}」缺少必填的列{_columns_text(missing)}。{spec.label}表必须有这些列："
            f"{_columns_text(spec.required)}。请在表头加上这些列（列名要一字不差）后再导入。"
            + _guess_kind(rows, spec),
            field="file",
        )


def _too_many_rows(source: str, rows: int | str) -> ValidationError:
    return ValidationError(
        f"「{source}」太大：有 {rows} 行，一次最多导入 {MAX_ROWS:,} 行。请把表格拆成几个文件分别导入。",
        field="file",
    )


def _build(
    spec: SheetSpec,
    source: str,
    sheet_name: str,
    first_rows: list[tuple[Any, ...]],
    rest: Iterator[tuple[Any, ...]],
    total: int,
    progress: Progress | None,
    check_cancelled: Check | None,
    formulas: frozenset[tuple[int, int]] = frozenset(),
    keep_rows: bool = True,
) -> SheetData:
    header = _find_header(first_rows, spec)
    _check_header(header, spec, source, first_rows)
    assert header is not None
    pairs = sorted(header.positions.items())
    data = SheetData(
        spec=spec,
        source=source,
        sheet_name=sheet_name,
        header_row=header.row_index + 1,
        present=frozenset(spec.columns[target].name for _col, target in pairs),
    )
    for column, text in header.extra:
        data.warnings.append(
            f"第 {get_column_letter(column + 1)} 列「{text}」不是{spec.label}表的列，已忽略。"
        )
    rows = _data_rows(data, header, pairs, first_rows, rest, total, progress, check_cancelled, formulas)
    if keep_rows:
        data.rows.extend(rows)
    else:
        data.streamed = True
        data.row_hint = max(total - data.header_row, 0)
        data._stream = rows
    return data


def _data_rows(
    data: SheetData,
    header: _Header,
    pairs: list[tuple[int, int]],
    first_rows: list[tuple[Any, ...]],
    rest: Iterator[tuple[Any, ...]],
    total: int,
    progress: Progress | None,
    check_cancelled: Check | None,
    formulas: frozenset[tuple[int, int]],
) -> Iterator[SheetRow]:
    """The non-empty rows under the header, one at a time; formula cells noted in ``data`` first."""
    spec, source = data.spec, data.source
    empty = (None,) * len(spec.columns)
    number = header.row_index + 1
    last_allowed = number + MAX_ROWS

    def rows() -> Iterator[tuple[Any, ...]]:
        yield from first_rows[header.row_index + 1 :]
        yield from rest

    plan = [(column, target, spec.columns[target].type is CellType.LONG_TEXT) for column, target in pairs]
    needs_folding = _NEEDS_FOLDING.search
    for cells in rows():
        number += 1
        if number > last_allowed:
            raise _too_many_rows(source, f"超过 {MAX_ROWS:,}")
        if number % PROGRESS_EVERY == 0:
            if check_cancelled is not None:
                check_cancelled()
            if progress is not None:
                progress(number, max(total, number))
        values = list(empty)
        filled = False
        length = len(cells)
        # The inner loop runs for every cell of the sheet: kept to plain local operations.
        for column, target, long_text in plan:
            if column < length:
                value = cells[column]
                if value is None:
                    if formulas and (number, column) in formulas:
                        data.formula_cells.add((number, target))
                        filled = True
                    continue
                if value.__class__ is str:
                    if long_text or needs_folding(value) is not None or value[:2] == '="':
                        value = _text(value, long_text)
                        if value is None:
                            continue
                    elif not value:
                        continue  # what _text says of text already clean: itself, or None when empty
                values[target] = value
                filled = True
        if filled:
            yield SheetRow(number, tuple(values))
    if progress is not None:
        progress(number, number)


# ---- .xlsx -----------------------------------------------------------------------------------


def _check_unpacked_size(path: Path) -> None:
    """Refuse a zip bomb before opening it: zipfile never unpacks more than a part's stated size."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # load_workbook says what is wrong with it
    total = sum(info.file_size for info in infos)
    strings = sum(info.file_size for info in infos if info.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_XLSX_UNPACKED or strings > MAX_SHARED_STRINGS or len(infos) > 10_000:
        raise ValidationError(
            f"「{path.name}」解压后有 {total / 1024 / 1024:,.0f} MB，超过本程序一次能导入的大小"
            f"（{MAX_XLSX_UNPACKED // 1024 // 1024:,} MB）。请把表格拆成几个文件分别导入。",
            field="file",
        )


def _formula_positions(
    path: Path, sheet_index: int, member: str, tagged: bool = True
) -> frozenset[tuple[int, int]]:
    """(row, 0-based column) of every formula cell of one sheet; empty (and cheap) without formulas.

    The sheet's XML (``member`` in the zip) is scanned for formula tags first (one streamed pass,
    no parsing, :func:`_scan_markup`: ``tagged`` is what it found); only a sheet that has some is
    read a second time, cell by cell.
    """
    if member and not tagged:
        return frozenset()
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[sheet_index]
        found: set[tuple[int, int]] = set()
        for number, row in enumerate(sheet.iter_rows(), start=1):
            for column, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    found.add((number, column))
        return frozenset(found)
    finally:
        workbook.close()


def _scan_markup(path: Path, member: str) -> tuple[bool, bool]:
    """(whether the sheet's XML has a formula tag, whether it is plain: :func:`_plain_markup`),
    in one streamed pass over it (issue #13: each pass unpacks the whole sheet)."""
    tagged, plain = False, True
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
        chunk = stream.read(1 << 20)
        head = chunk[3:] if chunk.startswith(b"\xef\xbb\xbf") else chunk
        if head.startswith(b"<?"):
            declaration = head[: head.find(b"?>") + 2]
            if b"encoding" in declaration and not re.search(
                rb"encoding=[\"'](?:utf-8|UTF-8)[\"']", declaration
            ):
                plain = False
            head = head[len(declaration) :]
        tail = plain_tail = b""
        while chunk:
            tagged = tagged or _FORMULA_TAG.search(tail + chunk) is not None
            if plain and (b"<!" in plain_tail + head or b"<?" in plain_tail + head):
                plain = False
            if tagged and not plain:
                break
            tail, plain_tail = chunk[-8:], head[-2:]
            chunk = head = stream.read(1 << 20)
    return tagged, plain


def _plain_markup(path: Path, member: str) -> bool:
    """Whether the sheet's XML has nothing but elements, attributes and text after its XML
    declaration: no comment, CDATA section, DTD or processing instruction, in which ``</row>``
    could stand for something else. Only then are its rows read by :func:`_plain_rows`."""
    try:
        return _scan_markup(path, member)[1]
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


# ---- .xlsx rows, read faster than openpyxl's ReadOnlyWorksheet.iter_rows --------------------
#
# openpyxl builds a dict per cell and, for an inline string (what many programs write), a rich
# text object through its descriptors; that costs more than reading the XML. The parser below is
# openpyxl's own WorkSheetParser, with the commonest cells (plain inline or shared strings, plain
# numbers) read directly and every other cell (dates, booleans, errors, rich text …) handed to
# openpyxl's parse_cell, and rows laid out exactly as iter_rows(values_only=True) lays them out.
# tests/unit/test_sheets_fast_rows.py compares the two on sheets with every kind of cell.

try:
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.worksheet._reader import INLINE_STRING, ROW_TAG, VALUE_TAG, WorkSheetParser, _cast_number

    _T_TAG: str | None = INLINE_STRING.replace("}is", "}t")
except ImportError:  # pragma: no cover - another openpyxl: its own iter_rows is used
    WorkSheetParser = object  # type: ignore[assignment,misc]
    _T_TAG = None

_DIGITS: Final = "0123456789"


class _FastSheetParser(WorkSheetParser):  # type: ignore[misc,valid-type]
    """Rows as (row number, [(column, value), …]); only ever used with data_only=True."""

    def parse_row(self, row: Any) -> tuple[int, list[tuple[int, Any]]]:
        number = row.get("r")
        if number is not None and number.isdigit():
            self.row_counter = int(number)
        else:
            self.row_counter = WorkSheetParser.parse_row(self, _bare_row(row))[0]
        shared = self.shared_strings
        dates = self.date_formats
        zero_is_date = 0 in dates
        columns = _COLUMNS
        cells: list[tuple[int, Any]] = []
        append = cells.append
        column = 0  # self.col_counter, kept here while the row's cells are read and for _slow
        for element in row:
            kind = element.get("t")
            if kind == "s":  # the commonest cell of a sheet Excel or WPS saved
                text = element.findtext(VALUE_TAG, None)
                value: Any = shared[int(text)] if text else None
            elif kind == "inlineStr":
                child = element.find(INLINE_STRING)
                if child is None or len(child) != 1 or child[0].tag != _T_TAG:
                    column = self._slow(element, column, append)
                    continue
                value = child[0].text or ""
            elif (kind is None or kind == "n") and not (
                # openpyxl's test: no s attribute is style 0, an empty one is no style
                zero_is_date if (style := element.get("s")) is None else bool(style) and int(style) in dates
            ):
                text = element.findtext(VALUE_TAG, None)
                value = _cast_number(text) if text else None
            else:
                column = self._slow(element, column, append)
                continue
            coordinate = element.get("r")
            if coordinate:
                letters = coordinate.rstrip(_DIGITS)
                column = columns.get(letters) or column_index_from_string(letters)
            else:
                column += 1
            append((column, value))
        self.col_counter = column
        return self.row_counter, cells

    def _slow(self, element: Any, column: int, append: Callable[[tuple[int, Any]], None]) -> int:
        """openpyxl's own reading of a cell (dates, booleans, rich text …); its column is returned."""
        self.col_counter = column
        cell = self.parse_cell(element)
        append((cell["column"], cell["value"]))
        return int(self.col_counter)


def _bare_row(row: Any) -> Any:
    """The row element without its cells: openpyxl's parse_row reads its row number from it."""
    from xml.etree.ElementTree import Element

    return Element(row.tag, dict(row.attrib))


def _column_map() -> dict[str, int]:
    if _T_TAG is None:
        return {}
    return {letters: column_index_from_string(letters) for letters in _two_letter_columns()}


def _two_letter_columns() -> Iterator[str]:
    letters = [chr(code) for code in range(ord("A"), ord("Z") + 1)]
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


_COLUMNS: Final = _column_map()


# openpyxl reads every shared string through Text.from_tree (descriptor objects per string); a
# workbook saved by Excel or WPS keeps all its text there, so that costs more than the cells. A
# plain string (<si><t>…</t></si>) is read directly; any other (rich text, phonetic runs …) goes
# through openpyxl's own Text, so the table is the one read_string_table makes.

try:
    from openpyxl.cell.text import Text as _Text
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse as _iterparse

    _SI_TAG: str | None = f"{{{SHEET_MAIN_NS}}}si"
    _SI_T_TAG = f"{{{SHEET_MAIN_NS}}}t"

    class _FastStringsReader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            if self.rich_text:
                ExcelReader.read_strings(self)
                return
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _string_table(source)

except ImportError:  # pragma: no cover - another openpyxl: its own reader is used
    _SI_TAG = None


def _string_table(source: Any) -> list[str]:
    """openpyxl.reader.strings.read_string_table(source), the same strings, faster."""
    strings: list[str] = []
    append = strings.append
    si_tag, t_tag = _SI_TAG, _SI_T_TAG
    for _event, node in _iterparse(source):
        if node.tag == si_tag:
            if len(node) == 1 and node[0].tag == t_tag:
                text = node[0].text or ""
            else:
                text = _Text.from_tree(node).content
            if "x005F_" in text:
                text = text.replace("x005F_", "")
            node.clear()
            append(text)
    return strings


def _load_values_workbook(path: Path) -> Any:
    """``load_workbook(path, read_only=True, data_only=True)``, its shared strings read faster."""
    if _SI_TAG is None:
        return load_workbook(path, read_only=True, data_only=True)
    reader = _FastStringsReader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _values(workbook: Any, sheet: Any, min_row: int, plain: bool = False) -> Iterator[Any]:
    """``sheet.iter_rows(values_only=True, min_row=min_row)``, the same rows and values, faster.

    ``plain``: the sheet's XML was found plain (:func:`_plain_markup`): its rows are parsed a
    few rows at a time (:func:`_plain_rows`) instead of element by element."""
    if _T_TAG is None or not hasattr(sheet, "_get_source") or not workbook.data_only:
        yield from sheet.iter_rows(values_only=True, min_row=min_row)
        return
    max_col, max_row = sheet.max_column, sheet.max_row
    empty_row: Any = (None,) * max_col if max_col is not None else []  # as openpyxl has it
    counter = min_row
    index = 1
    source = sheet._get_source()
    try:
        start = _sheet_data(source) if plain else None
        if plain and start is None:
            source.close()
            source = sheet._get_source()
        parser = _FastSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        parsed = _plain_rows(parser, source, *start) if start is not None else parser.parse()
        for index, cells in parsed:
            if max_row is not None and index > max_row:
                break
            for _ in range(counter, index):  # rows the file leaves out
                counter += 1
                yield empty_row
            if counter <= index:
                counter += 1
                yield _laid_out(cells, max_col)
    finally:
        source.close()
    if max_row is not None and max_row < index:
        for _ in range(counter, max_row + 1):
            yield empty_row


_ROOT_TAG: Final = re.compile(rb"<worksheet[\s>][^>]*>")
_SHEET_DATA: Final = b"<sheetData>"
_SHEET_DATA_END: Final = b"</sheetData>"
_ROW_END: Final = b"</row>"
_PIECE: Final = 1 << 14  # small pieces: a big tree costs more in garbage collection than it saves
_HEAD_LIMIT: Final = 8 << 20  # what may stand before <sheetData> (views, columns …)


def _sheet_data(source: Any) -> tuple[bytes, bytes] | None:
    """Read ``source`` up to its <sheetData>: (the root's start tag, what was read after it);
    None when the sheet is not laid out so (a prefixed or unusual root, no <sheetData> …)."""
    head = b""
    while _SHEET_DATA not in head:
        chunk = source.read(_PIECE)
        if not chunk or len(head) > _HEAD_LIMIT:
            return None
        head += chunk
    before, _, rest = head.partition(_SHEET_DATA)
    root = _ROOT_TAG.search(before)
    if root is None or root.group().endswith(b"/>"):
        return None
    return root.group(), rest


def _plain_rows(
    parser: Any, source: Any, root: bytes, rest: bytes
) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
    """parser.parse()'s rows for a plain sheet (see _plain_markup): the XML under <sheetData> is cut
    after a ``</row>`` every few kilobytes, and each piece parsed at once (in C) inside a copy
    of the root's start tag, which declares the same namespaces. The row elements are the ones
    openpyxl's iterparse makes, and go through the same parse_row."""
    from xml.etree.ElementTree import XMLParser

    pending = rest
    while True:
        chunk = source.read(_PIECE)
        pending += chunk
        end = pending.find(_SHEET_DATA_END)
        if end >= 0:
            piece, pending = pending[:end], b""
        elif not chunk:
            piece = pending  # no </sheetData>: the parser says what is wrong, as openpyxl's would
            pending = b""
        else:
            cut = pending.rfind(_ROW_END)
            if cut < 0:
                continue
            cut += len(_ROW_END)
            piece, pending = pending[:cut], pending[cut:]
        xml = XMLParser()
        xml.feed(root)
        xml.feed(piece)
        xml.feed(b"</worksheet>")
        for element in xml.close():
            if element.tag == ROW_TAG:
                yield parser.parse_row(element)
        if end >= 0 or not chunk:
            return


def _laid_out(cells: list[tuple[int, Any]], max_col: int | None) -> tuple[Any, ...]:
    """As openpyxl's ReadOnlyWorksheet._get_row(values_only=True) lays a row out (min_col 1)."""
    if not cells and not max_col:
        return ()
    width = max_col or cells[-1][0]
    values: list[Any] = [None] * width
    for column, value in cells:
        if 1 <= column <= width:
            values[column - 1] = value
    return tuple(values)


def _read_xlsx(
    path: Path, spec: SheetSpec, progress: Progress | None, check_cancelled: Check | None, keep_rows: bool
) -> SheetData:
    _check_unpacked_size(path)
    try:
        workbook = _load_values_workbook(path)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ValidationError(
            f"「{path.name}」打不开：文件已损坏，或不是 Excel 表格。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
            f"（{type(exc).__name__}）",
            field="file",
        ) from None
    streaming = False
    try:
        candidates = []
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible" or sheet.title in _OWN_SHEETS:
                continue
            iterator = sheet.iter_rows(values_only=True)
            first = [row for _i, row in zip(range(HEADER_SCAN_ROWS), iterator, strict=False)]
            header = _find_header(first, spec)
            candidates.append((header.score if header else 0, sheet, first))
        if not candidates:
            raise ValidationError(f"「{path.name}」里没有可以导入的工作表。", field="file")
        # The sheet whose header names most of our columns; the first one on a tie.
        score, sheet, first = max(candidates, key=lambda c: c[0])
        if score == 0:
            sheet, first = candidates[0][1], candidates[0][2]
        total = sheet.max_row or 0
        if total > MAX_ROWS + HEADER_SCAN_ROWS:
            raise _too_many_rows(path.name, f"{total:,}")
        # Formulas are never evaluated: their saved values are read; one without a saved value
        # is refused with FORMULA_MESSAGE (issue #10).
        member = getattr(sheet, "_worksheet_path", "")
        tagged, plain = _scan_markup(path, member) if member else (True, False)
        formulas = _formula_positions(path, workbook.worksheets.index(sheet), member, tagged)
        iterator = _values(workbook, sheet, len(first) + 1, plain)
        data = _build(
            spec,
            path.name,
            sheet.title,
            first,
            iterator,
            total,
            progress,
            check_cancelled,
            formulas,
            keep_rows,
        )
        data.path = path
        if data._stream is not None:
            data._stream = _closing(data._stream, workbook)
            streaming = True
        return data
    finally:
        if not streaming:
            workbook.close()


def _closing(rows: Iterator[SheetRow], workbook: Any) -> Iterator[SheetRow]:
    """``rows``, closing the workbook they come from once they are read (or abandoned)."""
    try:
        yield from rows
    finally:
        workbook.close()


# ---- .csv ------------------------------------------------------------------------------------


def _decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's 「Unicode 文本」) or GB18030/GBK."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, which Chinese Excel and WPS write by default.
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError(
            f"「{name}」的文字编码认不出来（既不是 UTF-8，也不是 GBK）。请用 Excel 或 WPS 打开它，"
            "另存为「CSV UTF-8（逗号分隔）」或 .xlsx 后再导入。",
            field="file",
        ) from None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "，")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(
    path: Path, spec: SheetSpec, progress: Progress | None, check_cancelled: Check | None, keep_rows: bool
) -> SheetData:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise ValidationError(
            f"「{path.name}」有 {size / 1024 / 1024:,.0f} MB，超过本程序一次能导入的大小"
            f"（{MAX_CSV_BYTES // 1024 // 1024} MB）。请把表格拆成几个文件分别导入。",
            field="file",
        )
    text = _decode(path.read_bytes(), path.name)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = []
        for record in reader:
            records.append(tuple(record))
            if len(records) > MAX_ROWS + HEADER_SCAN_ROWS:
                raise _too_many_rows(path.name, f"超过 {MAX_ROWS:,}")
    except csv.Error as exc:
        raise ValidationError(
            f"「{path.name}」不是规范的 CSV 文件（第 {reader.line_num} 行：{exc}）。请用 Excel 另存为 .xlsx 再导入。",
            field="file",
        ) from None
    first = records[:HEADER_SCAN_ROWS]
    rest = iter(records[HEADER_SCAN_ROWS:])
    data = _build(
        spec, path.name, path.stem, first, rest, len(records), progress, check_cancelled, keep_rows=keep_rows
    )
    data.path = path
    return data
