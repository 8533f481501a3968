"""Bulk loading for the demo county and benchmarks: many rows per statement, indexes afterwards."""

from __future__ import annotations

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

VISIT_COLUMNS = (
    "resident_id", "member_id", "visited_on", "method", "checks", "note", "needs", "request_id", "recorded_by",
    "uuid", "created_at", "updated_at", "device_id",
)  # fmt: skip

EVENT_COLUMNS = (
    "uuid", "request_id", "action", "from_status", "to_status", "at", "actor", "note", "data", "device_id",
    "created_at",
)  # fmt: skip


class BulkStore(TableStore):
    """Callers hold the transaction (``Workspace.atomic``)."""

    def next_resident_id(self) -> int:
        return int(self._scalar("SELECT coalesce(max(id), 0) FROM residents")) + 1

    def insert_residents(self, rows: list[dict[str, Any]]) -> None:
        self._insert_many("residents", rows)

    def member_names(self) -> dict[int, str]:
        return {int(a): str(b) for a, b in self.db.execute("SELECT id, name FROM members")}

    def member_activity(self) -> list[tuple[int, bool, int]]:
        """(id, active, town_id) of every member."""
        return [
            (int(a), bool(b), int(c))
            for a, b, c in self.db.execute("SELECT id, active, town_id FROM members")
        ]

    def insert_requests(self, rows: list[tuple[Any, ...]]) -> None:
        marks = ",".join("?" * len(REQUEST_COLUMNS))
        self.db.conn.executemany(
            f"INSERT INTO requests ({', '.join(REQUEST_COLUMNS)}) VALUES ({marks})", rows
        )

    def insert_events(self, rows: list[tuple[Any, ...]]) -> None:
        marks = ",".join("?" * len(EVENT_COLUMNS))
        self.db.conn.executemany(
            f"INSERT INTO request_events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})", rows
        )

    # ---- care visits (services/demo_visits.py)
    def planned_residents(self) -> list[tuple[int, str, int | None, str | None]]:
        """(id, care tags, grid id, day of the last request) of every resident with a care tag."""
        return [
            (int(a), str(b), c, e[:10] if e else None)
            for a, b, c, e in self.db.execute(
                "SELECT r.id, r.care_tags, r.grid_id,"
                " (SELECT max(q.received_at) FROM requests q WHERE q.resident_id = r.id)"
                " FROM residents r WHERE r.care_tags <> '' ORDER BY r.id"
            )
        ]

    def grid_default_members(self) -> dict[int, int]:
        return {
            int(a): int(b)
            for a, b in self.db.execute("SELECT id, default_member_id FROM grids WHERE default_member_id IS NOT NULL")
        }

    def insert_plans(self, rows: list[dict[str, Any]]) -> None:
        self._insert_many("visit_plans", rows)

    def insert_visits(self, rows: list[tuple[Any, ...]]) -> None:
        """Many visits into a new demo file: without the secondary indexes and the change-log
        trigger while loading (each costs a third of the time; the log is paused anyway, see
        ``pause_change_log``), both made again afterwards exactly as they were."""
        saved = self.db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'visits' AND sql IS NOT NULL"
            " AND (type = 'index' OR name = 'sync_visits_insert')"
        ).fetchall()
        for kind, name, _sql in saved:
            self.db.execute(f'DROP {"INDEX" if kind == "index" else "TRIGGER"} "{name}"')
        marks = ",".join("?" * len(VISIT_COLUMNS))
        self.db.conn.executemany(f"INSERT INTO visits ({', '.join(VISIT_COLUMNS)}) VALUES ({marks})", rows)
        for _kind, _name, sql in saved:
            self.db.execute(sql)

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

    def drop_request_indexes(self) -> list[str]:
        """Drop the secondary indexes of requests and events; returns the SQL to build them again."""
        rows = self.db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('requests', 'request_events')"
        ).fetchall()
        for name, _sql in rows:
            self.db.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in rows]

    def create_indexes(self, statements: list[str]) -> None:
        for sql in statements:
            self.db.execute(sql)

    def analyze(self) -> None:
        self.db.execute("ANALYZE")

    def fast_writes(self, on: bool) -> None:
        """For building a new demo file only: no fsync and a large page cache while loading.

        A crash meanwhile can leave the file damaged, which is why only a fresh demo database,
        deleted again when the build fails, is ever loaded this way.
        """
        if on:
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.execute("PRAGMA cache_size = -400000")
            self.db.execute("PRAGMA wal_autocheckpoint = 100000")
        else:
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA cache_size = -2000")
            self.db.execute("PRAGMA wal_autocheckpoint = 1000")
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
