"""The conflict log: two writes of the same thing made without knowing each other, both values kept."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any

from xianghe_desk.domain.errors import ConflictError, ValidationError
from xianghe_desk.store.base import Row, TableStore
from xianghe_desk.store.db import INTEGRITY_ERRORS, now_text
from xianghe_desk.store.exchange import UNITS, SyncStore
from xianghe_desk.store.sync_apply import SyncApplier, UnknownTableError, checked_unit

_FIELDS = (
    "uuid", "kind", "tbl", "row_uuid", "unit", "stamp_a", "device_a", "value_a", "stamp_b", "device_b",
    "value_b", "label", "detected_at", "detected_by", "resolved_at", "resolved_by", "resolved_on",
    "resolution", "resolution_stamp",
)  # fmt: skip

# Where a conflict's row lies (town id, village id), per table; shared tables are not listed.
_PLACE_QUERIES = {
    "villages": "SELECT town_id, id FROM villages WHERE id = ?",
    "grids": "SELECT v.town_id, g.village_id FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.id = ?",
    "members": "SELECT town_id, village_id FROM members WHERE id = ?",
    "residents": "SELECT town_id, village_id FROM residents WHERE id = ?",
    "requests": "SELECT town_id, village_id FROM requests WHERE id = ?",
    "request_events": "SELECT r.town_id, r.village_id FROM request_events e"
    " JOIN requests r ON r.id = e.request_id WHERE e.id = ?",
    "visits": "SELECT r.town_id, r.village_id FROM visits x JOIN residents r ON r.id = x.resident_id WHERE x.id = ?",
    "visit_plans": "SELECT r.town_id, r.village_id FROM visit_plans p"
    " JOIN residents r ON r.id = p.resident_id WHERE p.id = ?",
}


@dataclass(frozen=True)
class ConflictRecord:
    """Side a/b: for a field, the earlier and the later write (the later one is in the row now);
    for a deletion (``kind == 'delete'``), a is the deletion and b the edit made without knowing it."""

    id: int
    uuid: str
    kind: str
    tbl: str
    row_uuid: str
    unit: str
    stamp_a: str
    device_a: str
    value_a: Any
    stamp_b: str
    device_b: str
    value_b: Any
    label: str
    detected_at: str
    detected_by: str
    resolved_at: str | None
    resolved_by: str
    resolved_on: str
    resolution: Any
    row_deleted: bool | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def _record(row: Row) -> ConflictRecord:
    return ConflictRecord(
        id=row["id"],
        uuid=row["uuid"],
        kind=row["kind"],
        tbl=row["tbl"],
        row_uuid=row["row_uuid"],
        unit=row["unit"],
        stamp_a=row["stamp_a"],
        device_a=row["device_a"],
        value_a=json.loads(row["value_a"]),
        stamp_b=row["stamp_b"],
        device_b=row["device_b"],
        value_b=json.loads(row["value_b"]),
        label=row["label"],
        detected_at=row["detected_at"],
        detected_by=row["detected_by"],
        resolved_at=row["resolved_at"],
        resolved_by=row["resolved_by"],
        resolved_on=row["resolved_on"],
        resolution=json.loads(row["resolution"]) if row["resolution"] else None,
    )


class ConflictStore(TableStore):
    def list(
        self, open_only: bool = True, offset: int = 0, limit: int = 200
    ) -> builtins.list[ConflictRecord]:
        where = "WHERE resolved_at IS NULL" if open_only else ""
        rows = self._fetch(
            f"SELECT * FROM sync_conflicts {where} ORDER BY resolved_at IS NULL DESC, detected_at DESC, id DESC"
            " LIMIT ? OFFSET ?",
            [limit, offset],
        )
        return [_record(r) for r in rows]

    def count(self, open_only: bool = True) -> int:
        where = " WHERE resolved_at IS NULL" if open_only else ""
        return int(self._scalar("SELECT count(*) FROM sync_conflicts" + where))

    def get(self, conflict_id: int) -> ConflictRecord | None:
        row = self._one("SELECT * FROM sync_conflicts WHERE id = ?", [conflict_id])
        return _record(row) if row else None

    def by_uuid(self, uuid: str) -> ConflictRecord | None:
        row = self._one("SELECT * FROM sync_conflicts WHERE uuid = ?", [uuid])
        return _record(row) if row else None

    def all_values(self) -> builtins.list[tuple[str, str, str, Any, Any]]:
        """(table, row uuid, unit, value a, value b) of every conflict: the kept losing values."""
        return [
            (r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]))
            for r in self.db.execute("SELECT tbl, row_uuid, unit, value_a, value_b FROM sync_conflicts")
        ]

    # ---------------------------------------------------------------- the row a conflict is about
    def current_value(self, record: ConflictRecord) -> Any:
        """What the database holds now for the conflict's unit (deleted_at for a deletion)."""
        applier = SyncApplier(self.db, SyncStore(self.db), self.device_id)
        row_id = applier.row_id(record.tbl, record.row_uuid)
        if row_id is None:
            return None
        row = applier.fetch_row(record.tbl, row_id)
        if record.kind == "delete":
            return row.get("deleted_at")
        unit = UNITS[record.tbl].get(record.unit)
        return applier.unit_value(record.tbl, unit, row) if unit else None

    def row_place(self, record: ConflictRecord) -> tuple[int | None, int | None] | None:
        """(town id, village id) of the row a conflict is about, for the actor's scope.

        None for rows the whole county shares (towns, lists, settings); (None, None) when this
        copy does not hold the row (then no town or village can vouch for it).
        """
        query = _PLACE_QUERIES.get(record.tbl)
        if query is None:
            return None
        applier = SyncApplier(self.db, SyncStore(self.db), self.device_id)
        row_id = applier.row_id(record.tbl, record.row_uuid)
        if row_id is None:
            return (None, None)
        row = self.db.execute(query, [row_id]).fetchone()
        if row is None:
            return (None, None)
        return (row[0], row[1])

    def display_name(self, tbl: str, uuid: str) -> str | None:
        """The name of a referenced row (a grid, a member …) for showing a value to the clerk."""
        column = {"residents": "name", "members": "name", "grids": "name", "villages": "short_name",
                  "towns": "name", "requests": "number", "lookups": "name"}.get(tbl)  # fmt: skip
        if column is None:
            return None
        applier = SyncApplier(self.db, SyncStore(self.db), self.device_id)
        value = self._scalar(f"SELECT {column} FROM {tbl} WHERE uuid = ?", [applier.canonical(tbl, uuid)])
        return str(value) if value is not None else None

    def write_value(self, record: ConflictRecord, value: Any) -> None:
        """Write the chosen value as a change of this copy (the triggers log it, so it travels)."""
        log = SyncStore(self.db)
        applier = SyncApplier(self.db, log, self.device_id)
        row_id = applier.row_id(record.tbl, record.row_uuid)
        if row_id is None:
            return
        key = "rowid" if record.tbl == "settings" else "id"
        if record.kind == "delete":
            columns: dict[str, Any] = {"deleted_at": value}
        else:
            unit = UNITS[record.tbl][record.unit]
            if unit.name == "grid_ids":
                grid_ids = [applier.row_id("grids", g) for g in value or []]
                applier.set_member_grids(row_id, [g for g in grid_ids if g is not None], self.device_id)
                log.flush_member_grids()
                return
            columns = applier.with_derived(record.tbl, applier.columns_for(record.tbl, unit, value))
        columns.update(updated_at=now_text(), device_id=self.device_id)
        sets = ", ".join(f"{c} = ?" for c in columns)
        try:
            self.db.execute(f"UPDATE {record.tbl} SET {sets} WHERE {key} = ?", [*columns.values(), row_id])
        except INTEGRITY_ERRORS:
            raise ConflictError(
                "这个值已经被另一条记录使用（例如同一个身份证号、手机号或名称），不能采用。"
                "请先在「可能重复」中合并这两条记录，或保留本机的值。",
                field="conflict",
            ) from None

    def mark_resolved(self, conflict_id: int, resolution: Any, by: str) -> None:
        stamp = SyncStore(self.db).tick()
        self.db.execute(
            "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, resolved_on = ?, resolution = ?,"
            " resolution_stamp = ? WHERE id = ?",
            [now_text(), by, self.device_id, json.dumps(resolution, ensure_ascii=False), stamp, conflict_id],
        )

    # ---------------------------------------------------------------- travelling
    def for_export(self, row_uuids: dict[str, set[str]] | None) -> builtins.list[dict[str, Any]]:
        """Conflict records for a package: all of them, or those about rows in a laptop's scope."""
        rows = self._fetch(f"SELECT {', '.join(_FIELDS)} FROM sync_conflicts ORDER BY id")
        if row_uuids is None:
            return rows
        return [r for r in rows if r["tbl"] not in row_uuids or r["row_uuid"] in row_uuids[r["tbl"]]]

    def merge(self, incoming: dict[str, Any]) -> bool:
        """Take a conflict record from a package; a decision made elsewhere closes it here too.

        Returns whether anything changed.
        """
        values = {f: incoming.get(f) for f in _FIELDS}
        try:
            # Table and unit reach SQL text later (current_value, write_value): only known ones.
            checked_unit(str(values["tbl"]), str(values["unit"]))
            if values["kind"] not in ("field", "delete"):
                raise UnknownTableError(f"unknown conflict kind {str(values['kind'])[:20]!r}")
        except UnknownTableError:
            raise ValidationError(
                "数据包中的冲突记录指向本程序没有的数据表，数据包不可信，已整个拒绝，没有导入任何内容。"
                "请让对方用正式版本的程序重新导出。",
                field="package",
            ) from None
        values["label"] = values["label"] or ""
        values["resolved_by"] = values["resolved_by"] or ""
        values["resolved_on"] = values["resolved_on"] or ""
        cursor = self.db.execute(
            f"INSERT OR IGNORE INTO sync_conflicts ({', '.join(_FIELDS)}) VALUES ({', '.join('?' for _ in _FIELDS)})",
            [values[f] for f in _FIELDS],
        )
        if cursor.rowcount:
            return True
        if not values["resolution_stamp"]:
            return False
        cursor = self.db.execute(
            "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, resolved_on = ?, resolution = ?,"
            " resolution_stamp = ? WHERE uuid = ? AND (resolution_stamp IS NULL OR resolution_stamp < ?)",
            [
                values["resolved_at"],
                values["resolved_by"],
                values["resolved_on"],
                values["resolution"],
                values["resolution_stamp"],
                values["uuid"],
                values["resolution_stamp"],
            ],
        )
        return bool(cursor.rowcount)
