"""Bulk loading for the demo county and benchmarks: many rows per statement, indexes afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xianghe_desk.store import schema
from xianghe_desk.store.base import TableStore

REQUEST_COLUMNS = (
    "id", "number", "external_number", "received_at", "channel", "category", "urgency", "content",
    "town_id", "village_id", "grid_id", "resident_id", "person_name", "person_initials", "person_phone",
    "person_phone_rev", "person_id_number", "handler_id", "status", "due_at", "dispatched_at", "started_at",
    "completed_at", "method", "result", "feedback_at", "feedback_route", "satisfaction", "feedback_by",
    "cancelled_at", "escalations", "printed_at", "created_by", "uuid", "created_at", "updated_at", "device_id",
)  # fmt: skip

RESIDENT_COLUMNS = (
    "id", "name", "name_initials", "name_pinyin", "id_number", "sex", "birth_date", "phone", "phone_rev",
    "town_id", "village_id", "grid_id", "care_tags", "living", "address", "emergency_name", "emergency_phone",
    "linked_member_id", "note", "uuid", "created_at", "updated_at", "device_id",
)  # fmt: skip

PLAN_COLUMNS = (
    "resident_id", "interval_days", "member_id", "starts_on", "note", "uuid", "created_at", "updated_at",
    "device_id",
)  # fmt: skip

VISIT_COLUMNS = (
    "resident_id", "member_id", "visited_on", "method", "checks", "note", "needs", "request_id", "recorded_by",
    "uuid", "created_at", "updated_at", "device_id",
)  # fmt: skip

EVENT_COLUMNS = (
    "uuid", "request_id", "action", "from_status", "to_status", "at", "actor", "note", "data", "device_id",
    "created_at",
)  # fmt: skip


# SQLite's page cache while loading a demo, in KiB: the unique uuid indexes of requests and their
# events take random inserts, which stay fast while most of their pages are in the cache. Most of
# a large build's peak memory (issue #13: under 500 MB).
BULK_CACHE_KIB = 64_000
# While indexes are made and counted: SQLite sorts in memory up to the page cache's size, on top
# of the cache, so a small cache then keeps the sort from doubling the build's memory.
SORT_CACHE_KIB = 32_000


class BulkStore(TableStore):
    """Callers hold the transaction (``Workspace.atomic``)."""

    def next_resident_id(self) -> int:
        return int(self._scalar("SELECT coalesce(max(id), 0) FROM residents")) + 1

    def insert_residents(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows of ``RESIDENT_COLUMNS`` (any iterable: ``executemany`` takes them one at a time)."""
        self._insert_rows("residents", RESIDENT_COLUMNS, rows)

    def member_names(self) -> dict[int, str]:
        return {int(a): str(b) for a, b in self.db.execute("SELECT id, name FROM members")}

    def member_activity(self) -> list[tuple[int, bool, int]]:
        """(id, active, town_id) of every member."""
        return [
            (int(a), bool(b), int(c))
            for a, b, c in self.db.execute("SELECT id, active, town_id FROM members")
        ]

    def _insert_rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        # ``table`` and ``columns`` are this module's constants; the values are bound.
        marks = ",".join("?" * len(columns))
        self.db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def insert_requests(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._insert_rows("requests", REQUEST_COLUMNS, rows)

    def insert_events(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._insert_rows("request_events", EVENT_COLUMNS, rows)

    # ---- care visits (services/demo_visits.py)
    def care_residents(self) -> list[tuple[int, str, int | None]]:
        """(id, care tags, grid id) of every resident with a care tag."""
        return [
            (int(a), str(b), c)
            for a, b, c in self.db.execute(
                "SELECT id, care_tags, grid_id FROM residents WHERE care_tags <> '' ORDER BY id"
            )
        ]

    def grid_default_members(self) -> dict[int, int]:
        return {
            int(a): int(b)
            for a, b in self.db.execute(
                "SELECT id, default_member_id FROM grids WHERE default_member_id IS NOT NULL"
            )
        }

    def insert_plans(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows of ``PLAN_COLUMNS``."""
        self._insert_rows("visit_plans", PLAN_COLUMNS, rows)

    def drop_visit_extras(self) -> list[str]:
        """Before loading many visits into a new demo file: drop the secondary indexes of visits and
        its change-log insert trigger (each costs a third of the time; the log is paused anyway, see
        ``pause_change_log``). Returns the SQL that makes them again exactly as they were."""
        saved = self.db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'visits' AND sql IS NOT NULL"
            " AND (type = 'index' OR name = 'sync_visits_insert')"
        ).fetchall()
        for kind, name, _sql in saved:
            self.db.execute(f'DROP {"INDEX" if kind == "index" else "TRIGGER"} "{name}"')
        return [sql for _kind, _name, sql in saved]

    def drop_insert_trigger(self, table: str) -> list[str]:
        """Drop ``table``'s change-log insert trigger for a bulk load into a demo file while the log
        is paused; returns the SQL that makes it again (``create_indexes``)."""
        name = f"sync_{table}_insert"
        saved = [
            sql
            for (sql,) in self.db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]
            )
        ]
        self.db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        return saved

    def insert_visits(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows of ``VISIT_COLUMNS`` (between ``drop_visit_extras`` and ``create_indexes``)."""
        self._insert_rows("visits", VISIT_COLUMNS, rows)

    def set_statuses(self, rows: list[tuple[str, str | None, str | None, int]]) -> None:
        """(status, since, until, resident id) rows."""
        self.db.conn.executemany(
            "UPDATE residents SET status = ?, status_since = ?, status_until = ? WHERE id = ?", rows
        )

    def raise_sequence(self, device_tag: str, period: str, last: int) -> None:
        self.db.execute(
            "INSERT INTO number_sequences (device_tag, period, last) VALUES (?, ?, ?)"
            " ON CONFLICT (device_tag, period) DO UPDATE SET last = max(last, excluded.last)",
            [device_tag, period, last],
        )

    def drop_request_indexes(self, keep: Iterable[str] = ()) -> list[str]:
        """Drop the secondary indexes of requests and events but those named in ``keep``;
        returns the SQL to build them again."""
        kept = set(keep)
        rows = [
            (name, sql)
            for name, sql in self.db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name IN ('requests', 'request_events')"
            ).fetchall()
            if name not in kept
        ]
        for name, _sql in rows:
            self.db.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in rows]

    def sorting(self, on: bool) -> None:
        """A small page cache while ``create_indexes`` and ``analyze`` sort (see SORT_CACHE_KIB)."""
        self.db.execute(f"PRAGMA cache_size = -{SORT_CACHE_KIB if on else BULK_CACHE_KIB}")

    def create_indexes(self, statements: list[str]) -> None:
        """Run the saved ``CREATE INDEX``/``CREATE TRIGGER`` statements again, as they were."""
        for sql in statements:
            self.db.execute(sql)

    def analyze(self) -> None:
        self.db.execute("ANALYZE")

    def fast_writes(self, on: bool, *, unjournalled: bool = False) -> None:
        """For building a new demo database only: no fsync and a larger page cache while loading.

        A crash meanwhile can leave the file damaged, which is why only a fresh demo database,
        deleted again when the build fails, is ever loaded this way. ``unjournalled`` (for a file
        the builder owns, written under a temporary name and thrown away if the build fails, see
        services/demo_file.py) also writes each page once, into the file, instead of into the WAL
        and then the file; a failed statement can then not be rolled back, which only that file
        can afford. ``fast_writes(False)`` puts the journal back in WAL mode.
        """
        if on:
            if unjournalled:
                self.db.execute("PRAGMA journal_mode = OFF")
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            self.db.execute("PRAGMA wal_autocheckpoint = 100000")
        else:
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA cache_size = -2000")
            self.db.execute("PRAGMA wal_autocheckpoint = 1000")
            if self._scalar("PRAGMA journal_mode") != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def pause_change_log(self) -> None:
        """Stop the exchange change-log triggers for a bulk load (one statement per row is slow).

        The rows loaded meanwhile are logged afterwards in one set-based pass by
        ``log_unlogged_rows``, exactly as migration 0002 logs the rows it finds.
        """
        self.db.execute("UPDATE sync_state SET applying = 1 WHERE id = 1")

    def log_unlogged_rows(self) -> None:
        for statement in schema.EXCHANGE_BACKFILL:
            self.db.execute(statement)
        self.db.execute("UPDATE sync_state SET applying = 0 WHERE id = 1")
