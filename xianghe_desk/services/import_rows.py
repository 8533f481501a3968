"""What every kind of spreadsheet import shares: reading one row's cells with the problems
collected per column, and cached look-ups of places, members and the settings' lists.

Look-ups are cached per distinct text: a sheet of 50,000 residents names a few dozen villages,
so each is resolved once.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.access import is_masked, mask_id_number, mask_phone
from xianghe_desk.domain.enums import LabelledEnum
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Grid, Town, Village
from xianghe_desk.services.import_values import (
    MOBILE_BLOCK,
    PLAIN_MOBILE,
    label_map,
    mobile_block_ok,
    normalize_phone_fast,
    number_text,
    shown_number,
)
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets.reader import FORMULA_MESSAGE, SheetData, SheetRow

if TYPE_CHECKING:
    # import_lookups reads cells of this module; the context only carries its MemberLookup.
    from xianghe_desk.services.import_lookups import MemberLookup

E = TypeVar("E", bound=LabelledEnum)

LOST_DIGITS: Final = (
    "单元格里是数字 {shown}，不是文字：表格把这个长号码存成了数字（科学计数法，如 1.31024E+17），"
    "后几位已经丢失，无法恢复。请把「{column}」这一列的单元格格式设为「文本」，再重新输入完整的号码。"
)
_SCIENTIFIC: Final = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_COUNTY_PREFIX: Final = re.compile(r"^(河北省?)?(廊坊市?)?(香河县)?")
_SEPARATORS: Final = re.compile(r"[、,，;；/|\n]+")
_YES: Final = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "✓", "有", "党员", "中共党员", "在岗"})
_NO: Final = frozenset(
    {"否", "N", "NO", "FALSE", "0", "×", "✗", "无", "不是", "群众", "非党员", "离岗", "不在岗"}
)


class Cells:
    """One sheet row read column by column. Problems are collected (column, message), not raised,
    so a refused row lists everything that is wrong with it at once."""

    __slots__ = ("_index", "_values", "masked_agreed", "masked_columns", "problems", "row", "sheet")

    def __init__(self, sheet: SheetData, row: SheetRow) -> None:
        self.sheet = sheet
        self.row = row
        self.problems: list[tuple[str, str]] = []
        # Cells that hold a masked value (131024********1234): column → text. Left out, never
        # written; the ones that agree with the stored number move to ``masked_agreed``.
        self.masked_columns: dict[str, str] = {}
        self.masked_agreed: list[str] = []
        # Read some twenty times a row (issue #13): the values and the columns' positions at hand.
        self._values = row.values
        self._index = sheet.spec._index

    @property
    def number(self) -> int:
        return self.row.number

    def raw(self, name: str) -> Any:
        # Called some twenty times a row: the commonest cases first.
        value = self._values[self._index[name]]
        if value is None:
            if not self.sheet.formula_cells:
                return None
        elif value.__class__ is str:
            # The reader turns empty text into None; rows built another way get the same treatment.
            if not value.strip():
                return None
            return value
        else:
            return value
        if self.sheet.holds_formula(self.row, name):
            # A formula without a saved value: never evaluated, and not 「必填」 either (issue #10).
            if (name, FORMULA_MESSAGE) not in self.problems:
                self.refuse(name, FORMULA_MESSAGE)
        return value

    def _missing(self, name: str, message: str) -> None:
        """A required cell is empty: say so, unless it holds a formula (already refused)."""
        if not self.sheet.holds_formula(self.row, name):
            self.refuse(name, message)

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    def refuse(self, column: str, message: str) -> None:
        self.problems.append((column, message))

    def masked(self, name: str) -> str:
        """The cell's text when it holds a masked ID number or phone (an export without --full),
        else "". A masked value is never written over a full one: the planner leaves the column
        out, and the import notes it on the row (imports.py)."""
        value = self._values[self._index[name]]
        if value.__class__ is str and "*" not in value:
            return ""  # the commonest cell: text, never a formula, and not masked
        value = self.raw(name)
        if not isinstance(value, str) or not is_masked(value):
            return ""
        text = value.strip().replace(" ", "")
        self.masked_columns[name] = text
        return text

    def masked_against(self, stored: dict[str, str | None]) -> None:
        """Compare masked cells with the record's stored values (column → full value): a masked
        cell that shows the stored number's visible digits says nothing new."""
        for column, value in stored.items():
            text = self.masked_columns.get(column)
            if text is None or not value:
                continue
            mask = mask_id_number if "身份证" in column else mask_phone
            if mask(value) == text:
                del self.masked_columns[column]
                self.masked_agreed.append(column)

    def text(self, name: str, required: bool = False) -> str:
        value = self._values[self._index[name]]
        if value.__class__ is str and value.strip():
            return value  # type: ignore[no-any-return]  # the commonest cell: raw() gives it as it is
        value = self.raw(name)
        if value.__class__ is str:
            return value  # type: ignore[no-any-return]  # as str(value) gives it
        if value is None:
            if required:
                self._missing(name, f"必填，不能空着。请填写{name}。")
            return ""
        if isinstance(value, datetime | date):
            return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return number_text(value)
        return str(value)

    def code(self, name: str) -> str:
        """Digits that are not a number (统计代码, 网格编号, 工单编号): a long number cell lost digits."""
        value = self.raw(name)
        if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
            self.refuse(name, LOST_DIGITS.format(shown=shown_number(value), column=name))
            return ""
        text = self.text(name)
        if _SCIENTIFIC.match(text):
            self.refuse(name, LOST_DIGITS.format(shown=text, column=name))
            return ""
        return text

    def id_text(self, name: str = "身份证号") -> str:
        """The ID number as text; a number cell is refused when it can no longer hold all digits."""
        value = self._values[self._index[name]]
        if value.__class__ is str and value.strip():
            return value  # type: ignore[no-any-return]  # the commonest cell, as str(value) gives it
        value = self.raw(name)
        if value is None:
            return ""
        if isinstance(value, bool):
            self.refuse(name, f"「{value}」不是身份证号，请填写 18 位号码。")
            return ""
        if isinstance(value, int | float):
            digits = len(number_text(abs(value)).split(".")[0]) if math.isfinite(value) else 99
            # Excel keeps 15 significant digits: an 18-digit number in a number cell has lost
            # its last three, and a number that still shows them came from the same kind of cell.
            if isinstance(value, float) or digits >= 15:
                self.refuse(name, LOST_DIGITS.format(shown=shown_number(value), column=name))
                return ""
            return number_text(value)
        return str(value)

    def phone(self, name: str, required: bool = False) -> str:
        value = self._values[self._index[name]]
        if value.__class__ is str and PLAIN_MOBILE.fullmatch(value) and mobile_block_ok(value[:MOBILE_BLOCK]):
            return value  # the commonest cell: a plain mobile number (normalize_phone_fast's first case)
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name, f"必填，不能空着。请填写{name}。")
            return ""
        if isinstance(value, float) and not value.is_integer():
            self.refuse(name, LOST_DIGITS.format(shown=shown_number(value), column=name))
            return ""
        text = number_text(value) if isinstance(value, int | float) else str(value)
        if _SCIENTIFIC.match(text.replace(" ", "")):
            self.refuse(name, LOST_DIGITS.format(shown=text, column=name))
            return ""
        try:
            return normalize_phone_fast(text, name)
        except ValidationError as exc:
            self.refuse(name, exc.message)
            return ""

    def _not_a_date(self, name: str, value: Any) -> bool:
        """A cell no date can come from: a time of day alone (Excel 「时间」 format) or TRUE/FALSE."""
        if isinstance(value, str | int | float | date) and not isinstance(value, bool):
            return False
        self.refuse(name, f"「{value}」不是日期，请写成 2026-11-03 或 2026-11-03 14:05 这样的年-月-日。")
        return True

    def date(self, name: str) -> date | None:
        value = self.raw(name)
        if value is None or self._not_a_date(name, value):
            return None
        try:
            return v.parse_date(value, field=name)
        except ValidationError as exc:
            self.refuse(name, exc.message)
            return None

    def datetime(self, name: str, required: bool = False) -> datetime | None:
        value = self.raw(name)
        if value is None:
            if required:
                self._missing(name, f"必填，不能空着。请填写{name}，如 2026-11-03 14:05。")
            return None
        if self._not_a_date(name, value):
            return None
        try:
            return v.parse_datetime(value, field=name).replace(microsecond=0)
        except ValidationError as exc:
            self.refuse(name, exc.message)
            return None

    def integer(self, name: str) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not value.is_integer():
                self.refuse(name, f"「{value}」不是整数，请填写整数。")
                return None
            number = int(value)
        else:
            text = str(value).rstrip("户人口个 ")
            if not text.isdigit():
                self.refuse(name, f"「{value}」不是整数，请只填写数字，例如 120。")
                return None
            number = int(text)
        if number < 0:
            self.refuse(name, f"「{value}」不能是负数。")
            return None
        return number

    def enum(self, name: str, enum: type[E], aliases: dict[str, E] | None = None) -> E | None:
        text = self.text(name)
        if not text:
            return None
        folded = text.replace(" ", "")
        if aliases and folded in aliases:
            return aliases[folded]
        member = label_map(enum).get(folded)
        if member is None:
            self.refuse(name, f"「{text}」不是可选的{name}。请填写：{'、'.join(enum.labels())}。")
        return member  # type: ignore[return-value]

    def yes_no(self, name: str) -> bool | None:
        text = self.text(name).replace(" ", "").upper()
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.refuse(name, f"「{self.text(name)}」看不懂，请填写「是」或「否」。")
        return None

    def items(self, name: str) -> list[str]:
        """A cell listing several values: 第一网格、第二网格 (also , ， ; / or line breaks)."""
        text = self.text(name)
        return [part.strip() for part in _SEPARATORS.split(text) if part.strip()] if text else []


# ---- places ----------------------------------------------------------------------------------


class PlaceCache:
    """PlaceService's resolution, remembered per distinct text (failures too)."""

    def __init__(self, ws: Workspace) -> None:
        self.places = PlaceService(ws)
        self.who = ws.who  # rows of places outside the actor's scope are refused
        self._towns: dict[str, Town | ValidationError] = {}
        self._villages: dict[tuple[str, int], Village | ValidationError] = {}
        self._grids: dict[tuple[int, str], Grid | ValidationError] = {}
        self._town_grids: dict[int, list[Grid]] = {}
        self.pairs: dict[tuple[str, str, str | None, bool], tuple[Place, tuple[tuple[str, str], ...]]] = {}

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, resolve: Callable[[], Any]) -> Any:
        if key not in cache:
            try:
                cache[key] = resolve()
            except ValidationError as exc:
                cache[key] = exc
        found = cache[key]
        if isinstance(found, ValidationError):
            raise found
        return found

    def town(self, text: str) -> Town:
        return self._remember(self._towns, text, lambda: self._resolve_town(text))  # type: ignore[no-any-return]

    def _resolve_town(self, text: str) -> Town:
        try:
            return self.places.resolve_town(text)
        except ValidationError:
            # Sheets from other offices write the full address: 河北省廊坊市香河县淑阳镇.
            short = _COUNTY_PREFIX.sub("", text)
            if short and short != text:
                return self.places.resolve_town(short)
            raise

    def village(self, text: str, town: Town) -> Village:
        return self._remember(  # type: ignore[no-any-return]
            self._villages, (text, town.id), lambda: self.places.resolve_village(text, town)
        )

    def grid(self, village: Village, text: str) -> Grid:
        found = self._grids.get((village.id, text))
        if isinstance(found, Grid):
            return found  # asked for on nearly every row: no resolver made for a grid known
        return self._remember(  # type: ignore[no-any-return]
            self._grids, (village.id, text), lambda: self.places.resolve_grid(village, text)
        )

    def grid_in_town(self, town: Town, text: str) -> Grid:
        """A grid named without its village (a town cadre's grids): must be unique in the town."""
        if town.id not in self._town_grids:
            self._town_grids[town.id] = self.places.grids_in_town(town.id)
        found = [g for g in self._town_grids[town.id] if text in (g.name, g.number)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(
                f"{town.name}没有名为「{text}」的网格。请检查网格名称或编号。", field="grid"
            )
        villages = "、".join(g.village_name for g in found)
        raise ValidationError(
            f"{town.name}有几个「{text}」（{villages}），请写成「村街名 网格名」，或填写所属村街。",
            field="grid",
        )

    def forget_town_grids(self) -> None:
        self._town_grids.clear()


@dataclass
class Place:
    town: Town | None = None
    village: Village | None = None


def read_place(
    cells: Cells, places: PlaceCache, village_column: str | None = "所属村街", village_required: bool = True
) -> Place:
    """所属镇 and 所属村街 of a row, with problems recorded against their columns.

    The answer for each distinct (镇, 村街) pair is remembered: a sheet names few places, many times.
    """
    town_text = cells.text("所属镇")
    village_text = cells.text(village_column) if village_column else ""
    key = (town_text, village_text, village_column, village_required)
    known = places.pairs.get(key)
    if known is None:
        probe = Cells(cells.sheet, cells.row)
        known = (_read_place(probe, places, village_column, village_required), tuple(probe.problems))
        places.pairs[key] = known
    place, problems = known
    cells.problems.extend(problems)
    return place


def _read_place(
    cells: Cells, places: PlaceCache, village_column: str | None, village_required: bool
) -> Place:
    place = Place()
    town_text = cells.text("所属镇", required=True)
    if town_text:
        try:
            place.town = places.town(town_text)
        except ValidationError as exc:
            cells.refuse("所属镇", exc.message)
    if village_column is None:
        return place
    village_text = cells.text(village_column, required=village_required)
    if village_text and place.town is not None:
        try:
            place.village = places.village(village_text, place.town)
        except ValidationError as exc:
            cells.refuse(village_column, exc.message)
    _check_scope(cells, places, place, village_column if village_text else None)
    return place


def _check_scope(cells: Cells, places: PlaceCache, place: Place, village_column: str | None) -> None:
    """Refuse a row for a place outside the actor's towns or villages, like any other bad cell,
    so the all-or-nothing rule and --valid-only treat it as they treat every refusal."""
    who = places.who
    if not who.limited:
        return
    if place.village is not None and village_column is not None:
        if not who.covers(place.village.town_id, place.village.id):
            cells.refuse(village_column, _outside(place.village.short_name, who.scope_label()))
    elif place.town is not None and village_column is None and not cells.problems:
        if not who.covers(place.town.id, None):
            cells.refuse("所属镇", _outside(f"{place.town.name}（整个镇）", who.scope_label()))


def _outside(what: str, scope: str) -> str:
    return (
        f"{what}不在您负责的范围内（{scope}），不能导入这一行。"
        "请只导入您负责的村街的数据，其他的请交给负责的文员导入。"
    )


def out_of_scope(ws: Workspace, town_id: int | None, village_id: int | None) -> str | None:
    """Why the actor may not change an existing record of this town / village, or None."""
    who = ws.who
    if who.covers(town_id, village_id):
        return None
    village = ws.villages.get(village_id) if village_id is not None else None
    town = ws.towns.get(town_id) if town_id is not None else None
    where = village.short_name if village else (town.name if town else "别的村街")
    return (
        f"这一行对应的记录登记在{where}，不在您负责的范围内（{who.scope_label()}），"
        f"不能用表格修改或迁走。请核对这一行，或请负责{where}的文员处理。"
    )


# ---- planned rows ----------------------------------------------------------------------------


class RowAction(LabelledEnum):
    ADD = ("add", "新增")
    UPDATE = ("update", "更新")
    SAME = ("same", "不变")
    REFUSE = ("refuse", "拒绝")


@dataclass(frozen=True)
class Refusal:
    """Why a row cannot be imported: row number as the clerk sees it, the column, and what to do."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行 {self.column}" if self.column else f"第{self.row}行"
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class RowWarning:
    """Something the clerk should check on a row that still imports (e.g. a likely duplicate)."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.message}"


@dataclass(slots=True)
class PlannedRow:
    """What importing one row would do. ``work`` is the kind's own record of what to write."""

    row: int
    action: RowAction
    label: str
    changes: tuple[str, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    note: str = ""
    work: Any = None
    warnings: tuple[str, ...] = ()  # to check, not refused: the row still imports

    @property
    def reason(self) -> str:
        """The preview's explanation: the refusals, the changed columns, or a note."""
        if self.refusals:
            return "；".join(f"{r.column}：{r.message}" if r.column else r.message for r in self.refusals)
        if self.changes:
            text = "改动：" + "、".join(self.changes)
            return f"{text}（{self.note}）" if self.note else text
        return self.note


@dataclass
class ImportContext:
    """What the planners of one import share."""

    ws: Workspace
    sheet: SheetData
    places: PlaceCache
    members: MemberLookup
    now: datetime

    @property
    def today(self) -> date:
        return self.now.date()


class Planner(ABC):
    """Plans one kind's rows (no writes) and applies the accepted ones (inside the caller's
    transaction). Subclasses set ``kind`` and implement both halves."""

    kind = ""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.ws = ctx.ws
        self._seen: dict[Any, int] = {}

    @abstractmethod
    def plan_row(self, cells: Cells) -> PlannedRow:
        """What to do with one row: add, update, leave unchanged or refuse (no writes)."""

    @abstractmethod
    def apply(self, rows: list[PlannedRow]) -> None:
        """Write the accepted rows inside the caller's transaction."""

    # ---- helpers for subclasses ----

    def refused(self, cells: Cells, label: str) -> PlannedRow:
        refusals = tuple(Refusal(cells.number, column, message) for column, message in cells.problems)
        return PlannedRow(cells.number, RowAction.REFUSE, label, refusals=refusals)

    def first_seen(self, key: Any, cells: Cells) -> int | None:
        """The earlier row of this file with the same key, or None (and remember this row)."""
        if key in self._seen:
            return self._seen[key]
        self._seen[key] = cells.number
        return None

    def duplicate(self, cells: Cells, key: Any, column: str, what: str) -> bool:
        """Refuse a row that names the same record as an earlier row of the file."""
        earlier = self.first_seen(key, cells)
        if earlier is None:
            return False
        cells.refuse(
            column,
            f"与第{earlier}行重复（{what}相同），是同一条记录。请删掉重复的一行，或核对是否填错。",
        )
        return True


def field_changes(current: dict[str, Any], given: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """The given fields whose values differ from the current record; ``labels`` names their columns."""
    return {key: value for key, value in given.items() if current.get(key) != value and key in labels}


def change_labels(changes: dict[str, Any], labels: dict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(labels[key] for key in changes if key in labels))
