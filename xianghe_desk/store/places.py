"""Towns, villages and grids."""

from __future__ import annotations

from xianghe_desk.domain.enums import VillageKind
from xianghe_desk.domain.models import Grid, Town, Village
from xianghe_desk.store.base import Row, TableStore


def _town(row: Row) -> Town:
    return Town(id=row["id"], code=row["code"], name=row["name"], uuid=row["uuid"])


def _village(row: Row) -> Village:
    return Village(
        id=row["id"],
        town_id=row["town_id"],
        name=row["name"],
        short_name=row["short_name"],
        code=row["code"],
        kind=VillageKind(row["kind"]),
        district=row["district"],
        town_name=row.get("town_name", ""),
        uuid=row["uuid"],
    )


def _grid(row: Row) -> Grid:
    return Grid(
        id=row["id"],
        village_id=row["village_id"],
        name=row["name"],
        number=row["number"],
        head_name=row["head_name"],
        households=row["households"],
        population=row["population"],
        party_group=row["party_group"],
        default_member_id=row["default_member_id"],
        village_name=row.get("village_name", ""),
        town_id=row.get("town_id"),
        town_name=row.get("town_name", ""),
        uuid=row["uuid"],
    )


class TownStore(TableStore):
    def add(self, code: str, name: str, sort_order: int = 0) -> int:
        return self._insert(
            "towns", {"code": code, "name": name, "sort_order": sort_order, **self._new_sync()}
        )

    def all(self) -> list[Town]:
        rows = self._fetch("SELECT * FROM towns WHERE deleted_at IS NULL ORDER BY sort_order, code")
        return [_town(r) for r in rows]

    def get(self, town_id: int) -> Town | None:
        row = self._one("SELECT * FROM towns WHERE id = ?", [town_id])
        return _town(row) if row else None

    def by_code(self, code: str) -> Town | None:
        row = self._one("SELECT * FROM towns WHERE code = ?", [code])
        return _town(row) if row else None

    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM towns WHERE deleted_at IS NULL"))


_VILLAGE_SELECT = """
    SELECT v.*, t.name AS town_name FROM villages v JOIN towns t ON t.id = v.town_id
    WHERE v.deleted_at IS NULL
"""


class VillageStore(TableStore):
    def add(
        self,
        town_id: int,
        name: str,
        short_name: str,
        code: str | None = None,
        kind: VillageKind = VillageKind.VILLAGE,
        district: str = "",
    ) -> int:
        return self._insert(
            "villages",
            {
                "town_id": town_id,
                "code": code,
                "name": name,
                "short_name": short_name,
                "kind": kind.value,
                "district": district,
                **self._new_sync(),
            },
        )

    def update(self, village_id: int, **changes: object) -> None:
        self._update("villages", village_id, dict(changes))

    def get(self, village_id: int) -> Village | None:
        row = self._one(_VILLAGE_SELECT + " AND v.id = ?", [village_id])
        return _village(row) if row else None

    def by_code(self, code: str) -> Village | None:
        row = self._one(_VILLAGE_SELECT + " AND v.code = ?", [code])
        return _village(row) if row else None

    def in_town(self, town_id: int | None = None, include_virtual: bool = True) -> list[Village]:
        sql = _VILLAGE_SELECT
        params: list[object] = []
        if town_id is not None:
            sql += " AND v.town_id = ?"
            params.append(town_id)
        if not include_virtual:
            sql += " AND v.kind <> 'virtual'"
        sql += " ORDER BY t.sort_order, t.code, v.code IS NULL, v.code, v.name"
        return [_village(r) for r in self._fetch(sql, params)]

    def count(self, town_id: int | None = None) -> int:
        if town_id is None:
            return int(self._scalar("SELECT count(*) FROM villages WHERE deleted_at IS NULL"))
        return int(
            self._scalar("SELECT count(*) FROM villages WHERE deleted_at IS NULL AND town_id = ?", [town_id])
        )


_GRID_SELECT = """
    SELECT g.*, v.short_name AS village_name, v.town_id AS town_id, t.name AS town_name
    FROM grids g JOIN villages v ON v.id = g.village_id JOIN towns t ON t.id = v.town_id
    WHERE g.deleted_at IS NULL
"""


class GridStore(TableStore):
    def add(self, village_id: int, name: str, **fields: object) -> int:
        row: Row = {"village_id": village_id, "name": name, **fields, **self._new_sync()}
        return self._insert("grids", row)

    def update(self, grid_id: int, **changes: object) -> None:
        self._update("grids", grid_id, dict(changes))

    def get(self, grid_id: int) -> Grid | None:
        row = self._one(_GRID_SELECT + " AND g.id = ?", [grid_id])
        return _grid(row) if row else None

    def in_village(self, village_id: int) -> list[Grid]:
        rows = self._fetch(_GRID_SELECT + " AND g.village_id = ? ORDER BY g.number, g.name", [village_id])
        return [_grid(r) for r in rows]

    def in_town(self, town_id: int | None) -> list[Grid]:
        if town_id is None:
            rows = self._fetch(_GRID_SELECT + " ORDER BY t.code, v.code, g.number, g.name")
        else:
            rows = self._fetch(
                _GRID_SELECT + " AND v.town_id = ? ORDER BY v.code, g.number, g.name", [town_id]
            )
        return [_grid(r) for r in rows]

    def find(self, village_id: int, name_or_number: str) -> Grid | None:
        row = self._one(
            _GRID_SELECT + " AND g.village_id = ? AND (g.name = ? OR g.number = ?) LIMIT 1",
            [village_id, name_or_number, name_or_number],
        )
        return _grid(row) if row else None

    def count(self, village_id: int | None = None) -> int:
        if village_id is None:
            return int(self._scalar("SELECT count(*) FROM grids WHERE deleted_at IS NULL"))
        return int(
            self._scalar(
                "SELECT count(*) FROM grids WHERE deleted_at IS NULL AND village_id = ?", [village_id]
            )
        )
