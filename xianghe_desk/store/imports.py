"""What spreadsheet imports need beyond the per-record stores: every existing record's key
fields in one query (to recognise rows already in the database) and bulk inserts."""

from __future__ import annotations

import secrets
import time
import uuid as uuid_module

from xianghe_desk.store.base import Row, TableStore, reverse_digits
from xianghe_desk.store.db import now_text

BATCH = 5000


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

MEMBER_FIELDS = (
    "id", "name", "phone", "town_id", "village_id", "kind", "role", "is_party", "id_number", "active",
)  # fmt: skip


class ImportStore(TableStore):
    """Callers hold the transaction (``Workspace.atomic``)."""

    def resident_rows(self) -> list[Row]:
        """Every resident's comparable fields, as stored."""
        return self._fetch(f"SELECT {', '.join(RESIDENT_FIELDS)} FROM residents WHERE deleted_at IS NULL")

    def insert_residents(self, rows: list[Row]) -> None:
        """Insert new residents in file order; each row gets its uuid and sync stamps.

        The uuids are time-ordered (the layout of UUID version 7): the uuid index and the
        exchange log's indexes, filled by triggers, then grow at their ends instead of at random
        pages, which is several times faster for tens of thousands of rows.
        """
        stamp = now_text()
        uuids = time_ordered_uuids(len(rows))
        full = [
            {**row, "phone_rev": reverse_digits(row.get("phone") or ""), **self._new_sync(uuid, stamp)}
            for row, uuid in zip(rows, uuids, strict=True)
        ]
        for start in range(0, len(full), BATCH):
            self._insert_many("residents", full[start : start + BATCH])

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
