"""Settings that travel with the data: lookups (channels, categories, methods), key/value
settings, and the devices (copies of the app) this database knows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from xianghe_desk.domain.models import LookupItem
from xianghe_desk.store.base import Row, TableStore
from xianghe_desk.store.db import new_uuid, now_text


def _lookup(row: Row) -> LookupItem:
    return LookupItem(
        kind=row["kind"],
        code=row["code"],
        name=row["name"],
        group_code=row["group_code"],
        sort_order=row["sort_order"],
        active=bool(row["active"]),
    )


class LookupStore(TableStore):
    def add(self, item: LookupItem) -> None:
        self._insert(
            "lookups",
            {
                "kind": item.kind,
                "code": item.code,
                "name": item.name,
                "group_code": item.group_code,
                "sort_order": item.sort_order,
                "active": int(item.active),
                **self._new_sync(),
            },
        )

    def update(self, kind: str, code: str, **changes: Any) -> None:
        row_id = self._scalar("SELECT id FROM lookups WHERE kind = ? AND code = ?", [kind, code])
        if row_id is not None:
            if "active" in changes:
                changes["active"] = int(bool(changes["active"]))
            self._update("lookups", int(row_id), changes)

    def all(self, kind: str, include_inactive: bool = False) -> list[LookupItem]:
        sql = "SELECT * FROM lookups WHERE kind = ? AND deleted_at IS NULL"
        if not include_inactive:
            sql += " AND active = 1"
        return [_lookup(r) for r in self._fetch(sql + " ORDER BY sort_order, id", [kind])]

    def get(self, kind: str, code: str) -> LookupItem | None:
        row = self._one("SELECT * FROM lookups WHERE kind = ? AND code = ?", [kind, code])
        return _lookup(row) if row else None

    def by_name(self, kind: str, name: str) -> LookupItem | None:
        row = self._one("SELECT * FROM lookups WHERE kind = ? AND (name = ? OR code = ?)", [kind, name, name])
        return _lookup(row) if row else None

    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM lookups"))


class SettingsStore(TableStore):
    def get(self, key: str, default: Any = None) -> Any:
        value = self._scalar("SELECT value FROM settings WHERE key = ?", [key])
        return json.loads(value) if value is not None else default

    def set(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO settings (key, value, updated_at, device_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
            " device_id = excluded.device_id",
            [key, json.dumps(value, ensure_ascii=False), now_text(), self.device_id],
        )

    def all(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"]) for r in self._fetch("SELECT key, value FROM settings")}


@dataclass(frozen=True)
class Device:
    id: int
    uuid: str
    tag: str
    name: str
    role: str
    town_id: int | None
    is_self: bool


def _device(row: Row) -> Device:
    return Device(
        id=row["id"],
        uuid=row["uuid"],
        tag=row["tag"],
        name=row["name"],
        role=row["role"],
        town_id=row["town_id"],
        is_self=bool(row["is_self"]),
    )


class DeviceStore(TableStore):
    def self_device(self) -> Device | None:
        row = self._one("SELECT * FROM devices WHERE is_self = 1")
        return _device(row) if row else None

    def add(self, tag: str, name: str, role: str, town_id: int | None, is_self: bool = False) -> Device:
        stamp = now_text()
        device_uuid = new_uuid()
        self._insert(
            "devices",
            {
                "uuid": device_uuid,
                "tag": tag,
                "name": name,
                "role": role,
                "town_id": town_id,
                "is_self": int(is_self),
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
        found = self.by_tag(tag)
        assert found is not None
        return found

    def update(self, device_id: int, **changes: Any) -> None:
        changes["updated_at"] = now_text()
        sets = ", ".join(f"{k} = ?" for k in changes)
        self.db.execute(f"UPDATE devices SET {sets} WHERE id = ?", [*changes.values(), device_id])

    def by_tag(self, tag: str) -> Device | None:
        row = self._one("SELECT * FROM devices WHERE tag = ?", [tag])
        return _device(row) if row else None

    def all(self) -> list[Device]:
        return [_device(r) for r in self._fetch("SELECT * FROM devices ORDER BY is_self DESC, name")]
