"""Accounts (users) and the append-only audit trail (audit_log): SQL only, no rules."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xianghe_desk.domain.access import Role
from xianghe_desk.store.base import Row, TableStore, dt, dt_text
from xianghe_desk.store.db import new_uuid, now_text


@dataclass(frozen=True)
class User:
    id: int
    name: str
    display_name: str
    role: Role
    town_ids: frozenset[int]
    village_ids: frozenset[int]
    password_hash: str
    must_change: bool
    failed_count: int
    locked_until: datetime | None
    disabled: bool
    last_sign_in_at: datetime | None
    created_at: datetime | None


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        name=row["name"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        town_ids=frozenset(json.loads(row["town_ids"])),
        village_ids=frozenset(json.loads(row["village_ids"])),
        password_hash=row["password_hash"],
        must_change=bool(row["must_change"]),
        failed_count=row["failed_count"],
        locked_until=dt(row["locked_until"]),
        disabled=bool(row["disabled"]),
        last_sign_in_at=dt(row["last_sign_in_at"]),
        created_at=dt(row["created_at"]),
    )


_USER_FIELDS = {
    "display_name",
    "role",
    "town_ids",
    "village_ids",
    "password_hash",
    "must_change",
    "failed_count",
    "locked_until",
    "disabled",
    "last_sign_in_at",
}


class UserStore(TableStore):
    def count(self) -> int:
        """How many accounts; 0 on a database whose schema predates accounts (opened unmigrated)."""
        if self._one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'users'") is None:
            return 0
        return int(self._scalar("SELECT count(*) FROM users"))

    def all(self) -> list[User]:
        return [_user(r) for r in self._fetch("SELECT * FROM users ORDER BY role, name")]

    def get(self, user_id: int) -> User | None:
        row = self._one("SELECT * FROM users WHERE id = ?", [user_id])
        return _user(row) if row else None

    def by_name(self, name: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE name = ?", [name])
        return _user(row) if row else None

    def add(
        self,
        name: str,
        role: Role,
        password_hash: str,
        display_name: str = "",
        town_ids: Sequence[int] = (),
        village_ids: Sequence[int] = (),
        must_change: bool = False,
    ) -> User:
        stamp = now_text()
        cursor = self.db.execute(
            "INSERT INTO users (uuid, name, display_name, role, town_ids, village_ids, password_hash,"
            " must_change, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_uuid(),
                name,
                display_name,
                role.value,
                json.dumps(sorted(town_ids)),
                json.dumps(sorted(village_ids)),
                password_hash,
                int(must_change),
                stamp,
                stamp,
            ],
        )
        user = self.get(int(cursor.lastrowid or 0))
        assert user is not None
        return user

    def update(self, user_id: int, **fields: Any) -> None:
        """Change some columns of a user (names come from _USER_FIELDS only)."""
        unknown = set(fields) - _USER_FIELDS
        if unknown:
            raise KeyError(f"not user fields: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key in ("town_ids", "village_ids"):
                value = json.dumps(sorted(value))
            elif isinstance(value, datetime):
                value = dt_text(value)
            elif isinstance(value, Role):
                value = value.value
            elif isinstance(value, bool):
                value = int(value)
            values[key] = value
        values["updated_at"] = now_text()
        assignments = ", ".join(f"{key} = :{key}" for key in values)  # keys checked above
        self.db.execute(f"UPDATE users SET {assignments} WHERE id = :id", {**values, "id": user_id})


@dataclass(frozen=True)
class AuditEntry:
    id: int
    uuid: str
    device: str
    seq: int
    at: datetime
    user_name: str
    role: str
    action: str
    kind: str
    entity: str
    entity_uuid: str
    resident_uuid: str
    summary: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def _entry(row: Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        uuid=row["uuid"],
        device=row["device"],
        seq=row["seq"],
        at=datetime.fromisoformat(row["at"]),
        user_name=row["user_name"],
        role=row["role"],
        action=row["action"],
        kind=row["kind"],
        entity=row["entity"],
        entity_uuid=row["entity_uuid"],
        resident_uuid=row["resident_uuid"],
        summary=row["summary"],
        detail=json.loads(row["detail"] or "{}"),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


AUDIT_COLUMNS = (
    "uuid",
    "device",
    "seq",
    "at",
    "user_name",
    "role",
    "action",
    "kind",
    "entity",
    "entity_uuid",
    "resident_uuid",
    "summary",
    "detail",
    "prev_hash",
    "hash",
)


class AuditStore(TableStore):
    def head(self, device: str) -> tuple[int, str] | None:
        """The newest (seq, hash) of a copy's chain."""
        row = self._one("SELECT seq, hash FROM audit_log WHERE device = ? ORDER BY seq DESC LIMIT 1", [device])
        return (int(row["seq"]), str(row["hash"])) if row else None

    def append(self, values: dict[str, Any]) -> int:
        """Insert one row as given (the service computed its hash)."""
        row = {key: values[key] for key in AUDIT_COLUMNS}
        if isinstance(row["detail"], dict):
            row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
        placeholders = ", ".join("?" for _ in AUDIT_COLUMNS)
        cursor = self.db.execute(
            f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({placeholders})",  # constant names
            [row[key] for key in AUDIT_COLUMNS],
        )
        return int(cursor.lastrowid or 0)

    def rows_since(self, device: str, at: str) -> builtins.list[dict[str, Any]]:
        """A copy's own audit rows from ``at`` on, as they travel in a package (every column)."""
        return self._fetch(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE device = ? AND at >= ? ORDER BY seq",
            [device, at],
        )

    def insert_received(self, rows: builtins.list[dict[str, Any]], own_device: str) -> int:
        """Rows received from another copy, kept as they were written there (their chain stays
        verifiable); rows already here, and rows claiming to be this copy's own, are skipped."""
        added = 0
        placeholders = ", ".join("?" for _ in AUDIT_COLUMNS)
        for row in rows:
            if str(row.get("device")) == own_device or self.has_uuid(str(row.get("uuid"))):
                continue
            values = [row.get(key) for key in AUDIT_COLUMNS]
            if any(v is None for v in values):
                continue
            self.db.execute(
                f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({placeholders})",  # constant names
                [int(str(v)) if key == "seq" else str(v) for key, v in zip(AUDIT_COLUMNS, values, strict=True)],
            )
            added += 1
        return added

    def has_uuid(self, uuid: str) -> bool:
        return self._one("SELECT 1 AS x FROM audit_log WHERE uuid = ?", [uuid]) is not None

    def list(
        self,
        since: str | None = None,
        until: str | None = None,
        user_name: str | None = None,
        kind: str | None = None,
        resident_uuid: str | None = None,
        entity_uuid: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        offset: int = 0,
        resident_uuids: Sequence[str] | None = None,
    ) -> builtins.list[AuditEntry]:
        """Rows matching every given filter; ``resident_uuids`` (any of them) is the desk's 「服务对象」
        filter, ``offset``/``limit`` its pages (newest first)."""
        where, params = _audit_where(since, until, user_name, kind, resident_uuid, entity_uuid, resident_uuids)
        sql = "SELECT * FROM audit_log" + where
        sql += " ORDER BY at DESC, id DESC" if newest_first else " ORDER BY at, id"
        if limit:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_entry(r) for r in self._fetch(sql, params)]

    def count_matching(
        self,
        since: str | None = None,
        until: str | None = None,
        user_name: str | None = None,
        kind: str | None = None,
        resident_uuids: Sequence[str] | None = None,
    ) -> int:
        """How many rows ``list`` would give with the same filters and no limit."""
        where, params = _audit_where(since, until, user_name, kind, None, None, resident_uuids)
        return int(self._scalar("SELECT count(*) FROM audit_log" + where, params))

    def chain(self, device: str) -> builtins.list[AuditEntry]:
        return [_entry(r) for r in self._fetch("SELECT * FROM audit_log WHERE device = ? ORDER BY seq", [device])]

    def devices(self) -> builtins.list[str]:
        return [r["device"] for r in self._fetch("SELECT DISTINCT device FROM audit_log ORDER BY device")]

    def user_names(self) -> builtins.list[str]:
        return [r["user_name"] for r in self._fetch("SELECT DISTINCT user_name FROM audit_log ORDER BY user_name")]

    def count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM audit_log"))

    def triggers_present(self) -> bool:
        rows = self._fetch(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN"
            " ('audit_log_no_update', 'audit_log_no_delete')"
        )
        return len(rows) == 2


def _audit_where(
    since: str | None,
    until: str | None,
    user_name: str | None,
    kind: str | None,
    resident_uuid: str | None,
    entity_uuid: str | None,
    resident_uuids: Sequence[str] | None,
) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for column, value, op in (
        ("at", since, ">="),
        ("at", until, "<"),
        ("user_name", user_name, "="),
        ("kind", kind, "="),
        ("resident_uuid", resident_uuid, "="),
        ("entity_uuid", entity_uuid, "="),
    ):
        if value:
            where.append(f"{column} {op} ?")  # constant column names
            params.append(value)
    if resident_uuids is not None:
        # An empty list matches nothing (a name that found no resident).
        marks = ", ".join("?" for _ in resident_uuids) or "NULL"
        where.append(f"resident_uuid IN ({marks})")
        params += list(resident_uuids)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def audit_stamp() -> str:
    return now_text()
