"""Shared pieces of the table stores: value conversion and the sync columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlite_utils

from xianghe_desk.store.db import INTEGRITY_ERRORS, new_uuid, now_text

Row = dict[str, Any]


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def dt_text(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ", timespec="seconds") if value is not None else None


def d_text(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def reverse_digits(phone: str) -> str:
    """Digits of a phone number reversed, so that 「last four digits」 is an indexed prefix search."""
    return "".join(ch for ch in phone if ch.isdigit())[::-1]


def prefix_range(column: str) -> str:
    """An index-friendly prefix match (``col >= ? AND col < ? || U+FFFF``) for a constant column.

    LIKE only uses an index under NOCASE collation or case_sensitive_like; a range always does.
    """
    return f"({column} >= ? AND {column} < ? || char(1114111))"


def scope_clauses(
    alias: str,
    towns: Sequence[int],
    villages: Sequence[int],
    clauses: list[str],
    params: list[Any],
) -> tuple[list[str], list[Any]]:
    """Add the signed-in clerk's scope to a list query: their villages, else their towns.

    ``alias`` is a constant table alias of the caller's query (r, m); values are bound.
    """
    if villages:
        clauses.append(f"{alias}.village_id IN ({','.join('?' for _ in villages)})")
        params += list(villages)
    elif towns:
        clauses.append(f"{alias}.town_id IN ({','.join('?' for _ in towns)})")
        params += list(towns)
    return clauses, params


class TableStore:
    """Base of the per-table stores. ``device_id`` stamps every row this copy changes."""

    def __init__(self, db: sqlite_utils.Database, device_id: str = "") -> None:
        self.db = db
        self.device_id = device_id

    def _fetch(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        cursor = self.db.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        rows = self._fetch(sql, params)
        return rows[0] if rows else None

    def _scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    def _new_sync(self, uuid: str | None = None, stamp: str | None = None) -> Row:
        stamp = stamp or now_text()
        return {
            "uuid": uuid or new_uuid(),
            "created_at": stamp,
            "updated_at": stamp,
            "device_id": self.device_id,
        }

    def _touch(self) -> Row:
        return {"updated_at": now_text(), "device_id": self.device_id}

    def _insert(self, table: str, row: Row) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))
        return int(cursor.lastrowid or 0)

    def _update(self, table: str, row_id: int, changes: Row) -> None:
        changes = {**changes, **self._touch()}
        sets = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*changes.values(), row_id])

    def _insert_many(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        self.db.conn.executemany(sql, [[row[c] for c in columns] for row in rows])


def is_unique_violation(exc: BaseException) -> bool:
    return isinstance(exc, INTEGRITY_ERRORS) and "UNIQUE" in str(exc)
