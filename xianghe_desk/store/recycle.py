"""The recycle bin (回收站): rows with a tombstone (``deleted_at``) that can still be restored.

A deletion sets ``deleted_at`` (which travels in exchange packages like any other change, see
store/schema.py); restoring clears it; purging keeps the tombstone but blanks the personal data,
so the deletion still reaches every copy and nothing readable is left behind; the purge's audit
row (action ``recycle.purge``) takes it out of the bin.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xianghe_desk.store.base import TableStore, dt
from xianghe_desk.store.db import now_text

# What each kind is called and how a row is named in the bin; table names are constants here.
KINDS: dict[str, tuple[str, str]] = {
    "resident": ("residents", "name"),
    "request": ("requests", "number || '（' || coalesce(nullif(person_name, ''), '未留姓名') || '）'"),
    "member": ("members", "name"),
    "grid": ("grids", "name"),
    "visit": ("visits", "visited_on || ' ' || coalesce((SELECT name FROM residents p WHERE p.id = resident_id), '')"),
}
# Where a row lies (town id, village id) when the table does not say so itself.
_PLACE: dict[str, tuple[str, str]] = {
    "grid": ("(SELECT town_id FROM villages v WHERE v.id = village_id)", "village_id"),
    "visit": (
        "(SELECT town_id FROM residents p WHERE p.id = resident_id)",
        "(SELECT village_id FROM residents p WHERE p.id = resident_id)",
    ),
}

PURGE_ACTION = "recycle.purge"  # the operation's name (operations/recycle.py)

# Purging blanks these columns (NOT NULL ones get '' and the rest NULL).
_PURGE: dict[str, dict[str, Any]] = {
    "residents": {
        "id_number": None, "phone": "", "address": "", "emergency_name": "", "emergency_phone": "",
        "note": "", "care_tags": "", "birth_date": None,
    },
    "requests": {"content": "（已彻底删除）", "person_phone": "", "person_id_number": None, "result": ""},
    "members": {"phone": "", "id_number": None},
    "grids": {},
    "visits": {"note": "", "needs": "", "checks": "{}"},
}


@dataclass(frozen=True)
class BinItem:
    kind: str
    id: int
    uuid: str
    label: str
    town_id: int | None
    village_id: int | None
    deleted_at: datetime


class RecycleStore(TableStore):
    def _table(self, kind: str) -> tuple[str, str]:
        if kind not in KINDS:
            raise KeyError(kind)
        return KINDS[kind]

    def delete(self, kind: str, row_id: int, at: str | None = None) -> str:
        """Give a row a tombstone; returns its stamp (the same stamp marks rows deleted with it)."""
        table, _ = self._table(kind)
        stamp = at or now_text()
        self.db.execute(
            f"UPDATE {table} SET deleted_at = ?, updated_at = ?, device_id = ? WHERE id = ? AND deleted_at IS NULL",
            [stamp, stamp, self.device_id, row_id],
        )
        return stamp

    def delete_requests_of_resident(self, resident_id: int, stamp: str) -> builtins.list[int]:
        ids = [r["id"] for r in self._fetch(
            "SELECT id FROM requests WHERE resident_id = ? AND deleted_at IS NULL", [resident_id]
        )]
        self.db.execute(
            "UPDATE requests SET deleted_at = ?, updated_at = ?, device_id = ? WHERE resident_id = ? AND deleted_at IS NULL",
            [stamp, stamp, self.device_id, resident_id],
        )
        return ids

    def restore(self, kind: str, row_id: int) -> builtins.list[int]:
        """Clear the tombstone of a row and of the requests deleted with it (same stamp).

        Returns the ids of the requests restored with a resident.
        """
        table, _ = self._table(kind)
        row = self._one(f"SELECT deleted_at FROM {table} WHERE id = ?", [row_id])
        if row is None or row["deleted_at"] is None:
            return []
        stamp, now = row["deleted_at"], now_text()
        self.db.execute(
            f"UPDATE {table} SET deleted_at = NULL, updated_at = ?, device_id = ? WHERE id = ?",
            [now, self.device_id, row_id],
        )
        if kind != "resident":
            return []
        ids = [r["id"] for r in self._fetch(
            "SELECT id FROM requests WHERE resident_id = ? AND deleted_at = ?", [row_id, stamp]
        )]
        self.db.execute(
            "UPDATE requests SET deleted_at = NULL, updated_at = ?, device_id = ? WHERE resident_id = ? AND deleted_at = ?",
            [now, self.device_id, row_id, stamp],
        )
        return ids

    def purge(self, kind: str, row_id: int) -> None:
        """Blank the personal data of a deleted row (its tombstone stays and keeps travelling)."""
        table, _ = self._table(kind)
        blanks = _PURGE[table]
        if blanks:
            sets = ", ".join(f"{column} = ?" for column in blanks)  # constant column names
            self.db.execute(
                f"UPDATE {table} SET {sets}, updated_at = ?, device_id = ? WHERE id = ? AND deleted_at IS NOT NULL",
                [*blanks.values(), now_text(), self.device_id, row_id],
            )
        if kind == "resident":
            self.db.execute(
                "UPDATE requests SET person_phone = '', person_id_number = NULL, updated_at = ?, device_id = ?"
                " WHERE resident_id = ? AND deleted_at IS NOT NULL",
                [now_text(), self.device_id, row_id],
            )

    def get(self, kind: str, row_id: int) -> BinItem | None:
        table, label = self._table(kind)
        town, village = _PLACE.get(kind, ("town_id", "village_id"))
        row = self._one(
            f"SELECT id, uuid, {label} AS label, {town} AS town_id, {village} AS village_id, deleted_at"
            f" FROM {table} WHERE id = ? AND uuid NOT IN (SELECT entity_uuid FROM audit_log WHERE action = ?)",
            [row_id, PURGE_ACTION],
        )
        return _item(kind, row) if row and row["deleted_at"] else None

    def items(self, kinds: builtins.list[str] | None = None, limit: int = 500) -> builtins.list[BinItem]:
        """Deleted rows not purged, newest first (requests deleted with their resident left out)."""
        out: builtins.list[BinItem] = []
        for kind in kinds or list(KINDS):
            table, label = self._table(kind)
            town, village = _PLACE.get(kind, ("town_id", "village_id"))
            extra = ""
            if kind == "request":
                extra = (" AND NOT EXISTS (SELECT 1 FROM residents p WHERE p.id = requests.resident_id"
                         " AND p.deleted_at = requests.deleted_at)")
            rows = self._fetch(
                f"SELECT id, uuid, {label} AS label, {town} AS town_id, {village} AS village_id, deleted_at"
                f" FROM {table}"
                f" WHERE deleted_at IS NOT NULL{extra}"
                # A purged row keeps its tombstone but leaves the bin (its purge is in the audit trail).
                f" AND uuid NOT IN (SELECT entity_uuid FROM audit_log WHERE action = '{PURGE_ACTION}')"
                " ORDER BY deleted_at DESC LIMIT ?",
                [limit],
            )
            out += [_item(kind, r) for r in rows]
        return sorted(out, key=lambda item: item.deleted_at, reverse=True)[:limit]


def _item(kind: str, row: dict[str, Any]) -> BinItem:
    when = dt(str(row["deleted_at"]))
    assert when is not None
    return BinItem(kind, row["id"], row["uuid"], str(row["label"]), row["town_id"], row["village_id"], when)
