"""Importing villages (村街) and grids (网格) from a spreadsheet.

A village is the same as one in the database when its statistical code matches, or its town
and name (official or everyday form) do. A grid is the same when its village and name match,
or its village and grid number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xianghe_desk.domain.models import Village
from xianghe_desk.domain.places import fold_place, short_village_name, village_aliases, village_kind
from xianghe_desk.services.import_rows import (
    Cells,
    ImportContext,
    PlannedRow,
    Planner,
    RowAction,
    change_labels,
    field_changes,
    read_place,
)
from xianghe_desk.store.imports import ImportStore

VILLAGE_LABELS = {"name": "村街名称", "short_name": "村街名称", "code": "统计代码", "district": "片区"}
GRID_LABELS = {
    "name": "网格名称",
    "number": "网格编号",
    "head_name": "网格长",
    "households": "户数",
    "population": "人口数",
    "party_group": "网格党小组",
}


@dataclass(frozen=True)
class _Write:
    record_id: int | None  # None: a new record
    fields: dict[str, Any]


class VillagePlanner(Planner):
    kind = "villages"

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        villages = self.ws.villages.in_town(None, include_virtual=True)
        self.by_code = {v.code: v for v in villages if v.code}
        self.by_town: dict[int, list[Village]] = {}
        for village in villages:
            self.by_town.setdefault(village.town_id, []).append(village)

    def _by_name(self, town_id: int, name: str) -> Village | None:
        wanted = fold_place(name)
        short = short_village_name(wanted)
        candidates = self.by_town.get(town_id, [])
        exact = [
            v for v in candidates if wanted in (fold_place(v.name), v.short_name) or short == v.short_name
        ]
        if len(exact) == 1:
            return exact[0]
        if exact:
            return None
        loose = [v for v in candidates if wanted in village_aliases(v.name)]
        return loose[0] if len(loose) == 1 else None

    def plan_row(self, cells: Cells) -> PlannedRow:
        place = read_place(cells, self.ctx.places, village_column=None)
        name = cells.text("村街名称", required=True)
        code = cells.code("统计代码")
        district = cells.text("片区")
        town = place.town
        label = f"{town.name if town else cells.text('所属镇')} {name}".strip()
        if code and not (code.isdigit() and len(code) == 12):
            cells.refuse(
                "统计代码", f"「{code}」不对：村街的统计代码是 12 位数字，如 131024100201。不知道可以不填。"
            )
            code = ""
        elif code and town is not None and not code.startswith(town.code):
            cells.refuse(
                "统计代码",
                f"统计代码 {code} 的前 9 位应是{town.name}的代码 {town.code}，请核对所属镇或代码。",
            )
        if cells.problems or town is None:
            return self.refused(cells, label)
        by_code = self.by_code.get(code) if code else None
        by_name = self._by_name(town.id, name)
        if by_code is not None and by_code.town_id != town.id:
            cells.refuse(
                "统计代码", f"统计代码 {code} 已属于{by_code.town_name}的{by_code.short_name}，请核对。"
            )
        elif by_code is not None and by_name is not None and by_code.id != by_name.id:
            cells.refuse(
                "统计代码",
                f"统计代码 {code} 属于{by_code.short_name}，而名称「{name}」是另一个村街（{by_name.short_name}），请核对。",
            )
        short = short_village_name(name)
        if not self.duplicate(cells, ("name", town.id, short), "村街名称", "所属镇和村街名称") and code:
            self.duplicate(cells, ("code", code), "统计代码", "统计代码")
        if cells.problems:
            return self.refused(cells, label)
        existing = by_code or by_name
        if existing is None:
            fields = {
                "town_id": town.id,
                "name": fold_place(name),
                "short_name": short,
                "code": code or None,
                "kind": village_kind(name, code or None),
                "district": district,
            }
            return PlannedRow(cells.number, RowAction.ADD, label, work=_Write(None, fields))
        given: dict[str, Any] = {}
        if code:
            given["code"] = code
        if district:
            given["district"] = district
        if fold_place(name) not in village_aliases(existing.name) and short != existing.short_name:
            # Found by its code under another name: the village was renamed.
            given.update(name=fold_place(name), short_name=short)
        current = {"code": existing.code, "district": existing.district, "name": existing.name}
        current["short_name"] = existing.short_name
        changes = field_changes(current, given, VILLAGE_LABELS)
        label = f"{existing.town_name} {existing.short_name}"
        if not changes:
            return PlannedRow(cells.number, RowAction.SAME, label)
        return PlannedRow(
            cells.number,
            RowAction.UPDATE,
            label,
            changes=change_labels(changes, VILLAGE_LABELS),
            work=_Write(existing.id, changes),
        )

    def apply(self, rows: list[PlannedRow]) -> None:
        for row in rows:
            write: _Write = row.work
            if write.record_id is None:
                fields = dict(write.fields)
                self.ws.villages.add(
                    fields.pop("town_id"),
                    fields.pop("name"),
                    fields.pop("short_name"),
                    code=fields.pop("code"),
                    kind=fields.pop("kind"),
                    district=fields.pop("district"),
                )
            else:
                self.ws.villages.update(write.record_id, **write.fields)


class GridPlanner(Planner):
    kind = "grids"

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__(ctx)
        store = ImportStore(self.ws.db, self.ws.device.tag)
        self.rows = {row["id"]: row for row in store.grid_rows()}
        self.by_name = {(r["village_id"], r["name"]): r for r in self.rows.values()}
        self.by_number = {(r["village_id"], r["number"]): r for r in self.rows.values() if r["number"]}

    def plan_row(self, cells: Cells) -> PlannedRow:
        place = read_place(cells, self.ctx.places)
        name = cells.text("网格名称", required=True)
        number = cells.code("网格编号")
        given: dict[str, Any] = {}
        for key, column in (("head_name", "网格长"), ("party_group", "网格党小组")):
            if cells.has(column):
                given[key] = cells.text(column)
        for key, column in (("households", "户数"), ("population", "人口数")):
            value = cells.integer(column)
            if value is not None:
                given[key] = value
        village = place.village
        label = f"{village.short_name if village else cells.text('所属村街')} {name}".strip()
        if village is None or not name:
            return self.refused(cells, label)
        by_name = self.by_name.get((village.id, name))
        by_number = self.by_number.get((village.id, number)) if number else None
        if by_name is not None and by_number is not None and by_name["id"] != by_number["id"]:
            cells.refuse(
                "网格编号",
                f"网格编号 {number} 已属于{village.short_name}的「{by_number['name']}」，"
                f"与网格名称「{name}」不是同一个网格，请核对。",
            )
        if not self.duplicate(cells, (village.id, name), "网格名称", "村街和网格名称") and number:
            self.duplicate(cells, (village.id, "#", number), "网格编号", "村街和网格编号")
        if cells.problems:
            return self.refused(cells, label)
        existing = by_name or by_number
        if number:
            given["number"] = number
        if existing is None:
            fields = {"village_id": village.id, "name": name, **given}
            return PlannedRow(cells.number, RowAction.ADD, label, work=_Write(None, fields))
        if existing["name"] != name:
            given["name"] = name  # found by its number under another name: renamed
        changes = field_changes(existing, given, GRID_LABELS)
        if not changes:
            return PlannedRow(cells.number, RowAction.SAME, label)
        return PlannedRow(
            cells.number,
            RowAction.UPDATE,
            label,
            changes=change_labels(changes, GRID_LABELS),
            work=_Write(existing["id"], changes),
        )

    def apply(self, rows: list[PlannedRow]) -> None:
        for row in rows:
            write: _Write = row.work
            if write.record_id is None:
                fields = dict(write.fields)
                self.ws.grids.add(fields.pop("village_id"), fields.pop("name"), **fields)
            else:
                self.ws.grids.update(write.record_id, **write.fields)
