"""What spreadsheet imports need beyond the per-record stores: every existing record's key
fields in one query (to recognise rows already in the database) and bulk inserts."""

from __future__ import annotations

import secrets
import time
import uuid as uuid_module
from collections.abc import Sequence
from typing import Any

from xianghe_desk.store.base import Row, TableStore, reverse_digits
from xianghe_desk.store.db import now_text

# From this many new residents in one sheet on (at least doubling the table), the residents'
# indexes are built once after the rows are in, not row by row.
BULK_ROWS = 5000


def time_ordered_uuids(count: int) -> list[str]:
    """``count`` random UUIDs in ascending order: a 48-bit millisecond clock, then random bits
    (RFC 9562 version 7 layout), so that they sort in the order they were made."""
    millis = time.time_ns() // 1_000_000
    randoms = sorted(secrets.randbits(74) for _ in range(count))
    values = []
    for random_bits in randoms:
        high, low = random_bits >> 62, random_bits & ((1 << 62) - 1)
        values.append(
            str(uuid_module.UUID(int=(millis << 80) | (0x7 << 76) | (high << 64) | (0b10 << 62) | low))
        )
    return values


RESIDENT_FIELDS = (
    "id", "name", "id_number", "sex", "birth_date", "phone", "town_id", "village_id", "grid_id", "care_tags",
    "living", "address", "emergency_name", "emergency_phone", "linked_member_id", "note",
)  # fmt: skip

# What a new resident from a sheet gives, in this order (services/import_people.ResidentPlanner).
RESIDENT_INSERT = (
    "name", "name_initials", "name_pinyin", "id_number", "sex", "birth_date", "phone", "town_id", "village_id",
    "grid_id", "care_tags", "living", "address", "emergency_name", "emergency_phone", "linked_member_id", "note",
)  # fmt: skip

MEMBER_FIELDS = (
    "id", "name", "phone", "town_id", "village_id", "kind", "role", "is_party", "id_number", "active",
)  # fmt: skip


class ImportStore(TableStore):
    """Callers hold the transaction (``Workspace.atomic``)."""

    def resident_rows(self) -> list[Row]:
        """Every resident's comparable fields, as stored."""
        return self._fetch(f"SELECT {', '.join(RESIDENT_FIELDS)} FROM residents WHERE deleted_at IS NULL")

    def insert_residents(self, rows: Sequence[Sequence[Any]]) -> None:
        """Insert new residents in file order, each a tuple of values in ``RESIDENT_INSERT``'s
        order; each row gets its uuid and sync stamps.

        The uuids are time-ordered (the layout of UUID version 7): the uuid index and the
        exchange log's indexes, filled by triggers, then grow at their ends instead of at random
        pages, which is several times faster for tens of thousands of rows. The statement's
        parameters are made one row at a time as SQLite asks for them: no second copy of the rows.
        """
        if not rows:
            return
        stamp = now_text()
        uuids = time_ordered_uuids(len(rows))
        device = self.device_id
        phone = RESIDENT_INSERT.index("phone")
        columns = (*RESIDENT_INSERT, "phone_rev", "uuid", "created_at", "updated_at", "device_id")
        sql = f"INSERT INTO residents ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        rebuild = self._set_indexes_aside(len(rows))
        self.db.conn.executemany(
            sql,
            (
                (*row, reverse_digits(row[phone] or ""), uuid, stamp, stamp, device)
                for row, uuid in zip(rows, uuids, strict=True)
            ),
        )
        for statement in rebuild:
            self.db.execute(statement)

    def _set_indexes_aside(self, adding: int) -> list[str]:
        """For a sheet that at least doubles the residents (a town's first import): drop the
        residents' secondary indexes, to be made again from their own SQL once the rows are in.
        A dozen indexes filled row by row cost more than the rows themselves; built once, each
        is a sort. Only ever inside the caller's transaction (``Workspace.atomic``), so the
        indexes are never missing for anyone: another connection sees the file as it was, and a
        crash or an error rolls the drop back with the rows. Returns the statements to run after."""
        if adding < BULK_ROWS or not self.db.conn.in_transaction:
            return []
        existing = self.db.execute("SELECT count(*) FROM residents").fetchone()[0]
        if adding < existing:
            return []
        saved = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents'"
            " AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in saved:
            # Identifiers from sqlite_master, quoted; no user input reaches this statement.
            self.db.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in saved]

    def enlarge_cache(self, megabytes: int = 64) -> None:
        """A bigger page cache for this connection while a large import runs (SQLite's default is 2 MB)."""
        self.db.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")

    def member_rows(self) -> list[Row]:
        return self._fetch(f"SELECT {', '.join(MEMBER_FIELDS)} FROM members WHERE deleted_at IS NULL")

    def member_grid_ids(self) -> dict[int, set[int]]:
        grids: dict[int, set[int]] = {}
        for member_id, grid_id in self.db.execute("SELECT member_id, grid_id FROM member_grids").fetchall():
            grids.setdefault(int(member_id), set()).add(int(grid_id))
        return grids

    def request_keys(self) -> list[tuple[int, str, str | None, str, int, str]]:
        """(id, number, external_number, received_at, village_id, content) of every request."""
        rows = self.db.execute(
            "SELECT id, number, external_number, received_at, village_id, content FROM requests"
            " WHERE deleted_at IS NULL"
        ).fetchall()
        return [(int(a), str(b), c, str(d), int(e), str(f)) for a, b, c, d, e, f in rows]

    def raise_sequence(self, device_tag: str, period: str, last: int) -> None:
        """Make sure this copy never hands out a number that arrived in a sheet (same device tag)."""
        self.db.execute(
            "INSERT INTO number_sequences (device_tag, period, last) VALUES (?, ?, ?)"
            " ON CONFLICT (device_tag, period) DO UPDATE SET last = max(last, excluded.last)",
            [device_tag, period, last],
        )

    def village_by_town_name(self, town_id: int, name: str) -> Row | None:
        """A village of the town whose official or short name is exactly ``name``."""
        return self._one(
            "SELECT * FROM villages WHERE town_id = ? AND (name = ? OR short_name = ?) AND deleted_at IS NULL",
            [town_id, name, name],
        )

    def grid_rows(self) -> list[Row]:
        return self._fetch(
            "SELECT id, village_id, name, number, head_name, households, population, party_group"
            " FROM grids WHERE deleted_at IS NULL"
        )
