"""What spreadsheet imports need beyond the per-record stores: every existing record's key
fields in one query (to recognise rows already in the database) and bulk inserts."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Any

from xianghe_desk.store import schema
from xianghe_desk.store.base import Row, TableStore, reverse_digits
from xianghe_desk.store.db import now_text

# From this many new residents in one sheet on (at least doubling the table), the residents'
# indexes are built once after the rows are in, not row by row.
BULK_ROWS = 5000
# From this many new residents on, they are logged for the exchange in one pass after the insert.
BULK_LOG_ROWS = 5000


def time_ordered_uuids(count: int) -> list[str]:
    """``count`` random UUIDs in ascending order: a 48-bit millisecond clock, then random bits
    (RFC 9562 version 7 layout), so that they sort in the order they were made."""
    millis = time.time_ns() // 1_000_000
    randoms = sorted(secrets.randbits(74) for _ in range(count))
    head = (millis << 80) | (0x7 << 76) | (0b10 << 62)
    values = []
    for random_bits in randoms:
        # str(uuid.UUID(int=…)) written out: 32 hex digits in groups of 8-4-4-4-12, without
        # making a UUID object per row (tests/unit/test_import_rows_fast.py compares the two).
        digits = f"{head | ((random_bits >> 62) << 64) | (random_bits & _LOW_BITS):032x}"
        values.append(f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}")
    return values


_LOW_BITS = (1 << 62) - 1


def phone_digits_reversed(phone: str) -> str:
    """``reverse_digits(phone)``; a number of digits only (nearly every mobile) is just reversed."""
    return phone[::-1] if phone.isdigit() else reverse_digits(phone)


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
        logged_after = self._pause_change_log(len(rows))
        try:
            self.db.conn.executemany(
                sql,
                (
                    (*row, phone_digits_reversed(row[phone] or ""), uuid, stamp, stamp, device)
                    for row, uuid in zip(rows, uuids, strict=True)
                ),
            )
        finally:
            if logged_after is not None:
                self.db.execute("UPDATE sync_state SET applying = 0 WHERE id = 1")
        if logged_after is not None:
            self._log_new_residents(logged_after)
        for statement in rebuild:
            self.db.execute(statement)

    def _pause_change_log(self, adding: int) -> int | None:
        """For many new residents at once: the change-log trigger paused while they go in, to log
        them afterwards in one pass (:meth:`_log_new_residents`) instead of four statements per
        row, a third of the insert's time (issue #13). Only inside the caller's transaction, and
        never while an incoming package is applied (then nothing is logged at all). Returns the
        rowid the new rows come after, or None when the trigger logs them."""
        if adding < BULK_LOG_ROWS or not self.db.conn.in_transaction:
            return None
        if self._scalar("SELECT applying FROM sync_state WHERE id = 1") != 0:
            return None
        after = int(self._scalar("SELECT coalesce(max(rowid), 0) FROM residents"))
        self.db.execute("UPDATE sync_state SET applying = 1 WHERE id = 1")
        return after

    def _log_new_residents(self, after: int) -> None:
        """Log the residents above rowid ``after`` as the insert trigger (store/schema.sync_triggers)
        logs each new row: one sync_log entry and one sync_rows entry per row, in rowid order,
        with consecutive clock values from the first the trigger would have given."""
        # Constants of store/schema only: the trigger's data expression and the key column.
        key = schema.sync_key_column("residents")
        data = "NULL" if "residents" in schema.SYNC_DATALESS else schema.sync_row_object("residents", "X")
        new_rows = (
            f"(SELECT X.{key} AS uuid, {data} AS data, row_number() OVER (ORDER BY X.rowid) AS n"
            " FROM residents X WHERE X.rowid > ?)"
        )
        self.db.execute(
            "UPDATE sync_state SET t = max(t + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) - 1"
        )
        self.db.execute(
            "INSERT INTO sync_log (stamp, t, device, tbl, uuid, data, parents)"
            " SELECT printf('%015d-%s', s.t + x.n, s.tag), s.t + x.n, s.tag, 'residents', x.uuid, x.data, NULL"
            f" FROM sync_state s, {new_rows} x",
            [after],
        )
        self.db.execute(
            f"DELETE FROM sync_rows WHERE tbl = 'residents' AND uuid IN (SELECT {key} FROM residents WHERE rowid > ?)",
            [after],
        )
        self.db.execute(
            "INSERT INTO sync_rows (tbl, uuid, stamps)"
            " SELECT 'residents', x.uuid, json_object('', printf('%015d-%s', s.t + x.n, s.tag))"
            f" FROM sync_state s, {new_rows} x",
            [after],
        )
        self.db.execute(
            "UPDATE sync_state SET t = t + (SELECT count(*) FROM residents WHERE rowid > ?)", [after]
        )

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
