"""Read-only consistency queries for ``xianghe-desk check``."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xianghe_desk.store import migrations
from xianghe_desk.store.base import TableStore
from xianghe_desk.store.db import BACKUP_STAMP_KEY, connect, read_only_uri, translate_errors
from xianghe_desk.store.keys import DatabaseKey


@dataclass(frozen=True)
class Found:
    """What one check found: how many, and the first few (work-order numbers, or ids)."""

    count: int
    examples: tuple[str, ...]


# request_facts (store/schema_speed.py) against the history it is kept from: per kept row, the
# request's latest event and its latest status, 完成 and 回访 events by (at, id), as the trigger keeps
# them and StatsStore.history_facts reads them. Each is one seek into idx_events_request(request_id,
# at) and reads back from the request's last event, so the whole table costs about 4 µs a request
# (1M requests, 5.9M events: ~4 s), against ~8 s for one GROUP BY pass over every event. Row values
# compared with IS NOT: a kept value that should be NULL, or a missing event, counts too.
_KEPT_DIFFERS = """
SELECT k.request_id FROM request_facts k
WHERE k.last_at IS NOT (SELECT max(e.at) FROM request_events e WHERE e.request_id = k.request_id)
   OR (k.status_id, k.status_at, k.status) IS NOT (
        SELECT e.id, e.at, e.to_status FROM request_events e
        WHERE e.request_id = k.request_id AND e.to_status IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT 1)
   OR (k.done_id, k.done_at, k.method) IS NOT (
        SELECT e.id, e.at, json_extract(e.data, '$.method') FROM request_events e
        WHERE e.request_id = k.request_id AND e.action = 'completed' ORDER BY e.at DESC, e.id DESC LIMIT 1)
   OR (k.rated_id, k.rated_at, k.satisfaction) IS NOT (
        SELECT e.id, e.at, json_extract(e.data, '$.satisfaction') FROM request_events e
        WHERE e.request_id = k.request_id AND e.action = 'followed_up' ORDER BY e.at DESC, e.id DESC LIMIT 1)
"""
# The first few of them with the whole count in one pass (count(*) OVER () sees every row). Rows of
# no request are _KEPT_ORPHANS_FOUND's; the join reads requests for the rows found only (MATERIALIZED).
_KEPT_DIFFERS_FOUND = f"""
WITH b AS MATERIALIZED ({_KEPT_DIFFERS})
SELECT count(*) OVER (), r.number FROM b JOIN requests r ON r.id = b.request_id LIMIT :shown
"""
# A request with events has a kept row (the trigger makes it with its first event); one without
# events has none, and 受理记录 reports it already.
_KEPT_MISSING_FOUND = """
SELECT count(*) OVER (), r.number FROM requests r
WHERE NOT EXISTS (SELECT 1 FROM request_facts k WHERE k.request_id = r.id)
  AND EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id)
LIMIT :shown
"""
_KEPT_ORPHANS_FOUND = """
SELECT count(*) OVER (), k.request_id FROM request_facts k
WHERE NOT EXISTS (SELECT 1 FROM requests r WHERE r.id = k.request_id)
LIMIT :shown
"""


class IntegrityStore(TableStore):
    def sqlite_integrity(self) -> list[str]:
        return [row[0] for row in self.db.execute("PRAGMA integrity_check").fetchall()]

    def foreign_key_problems(self) -> int:
        return len(self.db.execute("PRAGMA foreign_key_check").fetchall())

    def count(self, table: str) -> int:
        return int(self._scalar(f"SELECT count(*) FROM {table}"))  # table names come from constants

    def requests_without_intake_event(self) -> list[str]:
        rows = self.db.execute(
            "SELECT r.number FROM requests r WHERE NOT EXISTS (SELECT 1 FROM request_events e"
            " WHERE e.request_id = r.id AND e.action = 'received') LIMIT 20"
        ).fetchall()
        return [r[0] for r in rows]

    def status_not_matching_history(self) -> list[str]:
        """Requests whose status differs from the last status-bearing event of their history."""
        rows = self.db.execute(
            """SELECT r.number FROM requests r
               WHERE r.status IS NOT (SELECT e.to_status FROM request_events e
                                      WHERE e.request_id = r.id AND e.to_status IS NOT NULL
                                      ORDER BY e.at DESC, e.id DESC LIMIT 1)
               LIMIT 20"""
        ).fetchall()
        return [r[0] for r in rows]

    def due_before_received(self) -> list[str]:
        rows = self.db.execute("SELECT number FROM requests WHERE due_at < received_at LIMIT 20").fetchall()
        return [r[0] for r in rows]

    def completed_before_received(self) -> list[str]:
        rows = self.db.execute(
            "SELECT number FROM requests WHERE completed_at IS NOT NULL AND completed_at < received_at LIMIT 20"
        ).fetchall()
        return [r[0] for r in rows]

    def numbers(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT number FROM requests").fetchall()]

    def id_numbers(self) -> list[tuple[str, str]]:
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT name, id_number FROM residents WHERE id_number IS NOT NULL"
            ).fetchall()
        ]

    def grids_in_other_town(self) -> int:
        """Residents whose grid belongs to another village than their own."""
        return int(
            self._scalar(
                "SELECT count(*) FROM residents r JOIN grids g ON g.id = r.grid_id WHERE g.village_id <> r.village_id"
            )
        )

    def visits_after(self, day: str) -> list[str]:
        """Visits dated after ``day`` (today): 「resident date」, at most 20."""
        rows = self.db.execute(
            "SELECT r.name, v.visited_on FROM visits v JOIN residents r ON r.id = v.resident_id"
            " WHERE v.deleted_at IS NULL AND v.visited_on > ? ORDER BY v.visited_on LIMIT 20",
            [day],
        ).fetchall()
        return [f"{name} {visited}" for name, visited in rows]

    def visits_after_leaving(self) -> list[str]:
        """Visits dated after the resident moved away or died (the status date): at most 20."""
        rows = self.db.execute(
            "SELECT r.name, v.visited_on FROM visits v JOIN residents r ON r.id = v.resident_id"
            " WHERE v.deleted_at IS NULL AND r.status IN ('moved', 'deceased')"
            " AND r.status_since IS NOT NULL AND v.visited_on > r.status_since"
            " ORDER BY v.visited_on LIMIT 20"
        ).fetchall()
        return [f"{name} {visited}" for name, visited in rows]

    def kept_facts_not_matching_history(self, shown: int = 5) -> Found:
        """Requests whose request_facts row differs from what their history says (work-order numbers)."""
        return self._found(_KEPT_DIFFERS_FOUND, shown)

    def requests_without_kept_facts(self, shown: int = 5) -> Found:
        """Requests with events but no request_facts row (work-order numbers)."""
        return self._found(_KEPT_MISSING_FOUND, shown)

    def kept_facts_without_request(self, shown: int = 5) -> Found:
        """request_facts rows whose request does not exist (their request ids)."""
        return self._found(_KEPT_ORPHANS_FOUND, shown)

    def _found(self, sql: str, shown: int) -> Found:
        rows = self.db.execute(sql, {"shown": shown}).fetchall()
        return Found(int(rows[0][0]) if rows else 0, tuple(str(row[1]) for row in rows))

    def requests_town_mismatch(self) -> int:
        return int(
            self._scalar(
                "SELECT count(*) FROM requests r JOIN villages v ON v.id = r.village_id WHERE v.town_id <> r.town_id"
            )
        )


@dataclass(frozen=True)
class FileFacts:
    """What a quick, read-only look at a database file found (nothing is written to it)."""

    quick_check: str
    schema_version: int
    towns: int
    requests: int
    settings: dict[str, Any]


def inspect_file(path: Path) -> FileFacts:
    """Open ``path`` read-only and report its health and size; never migrates or creates anything.

    Raises:
        KnownStoreError: the file is not a database, is damaged or cannot be opened.
    """
    with translate_errors(path):
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            quick = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

            def count(table: str) -> int:
                if table not in tables:
                    return 0
                return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # constant names

            settings: dict[str, Any] = {}
            if "settings" in tables:
                for key, value in conn.execute("SELECT key, value FROM settings"):
                    try:
                        settings[key] = json.loads(value)
                    except ValueError:
                        settings[key] = value
            return FileFacts(quick, version, count("towns"), count("requests"), settings)
        finally:
            conn.close()


# What a database of this program cannot be without: a file lacking one is not a whole database.
REQUIRED_TABLES = (
    "towns",
    "villages",
    "grids",
    "members",
    "residents",
    "requests",
    "request_events",
    "settings",
    "devices",
    "lookups",
)
# The rows a clerk recognises, counted without the recycle bin (deleted_at).
_LIVE_COUNT = "SELECT count(*) FROM {} WHERE deleted_at IS NULL"


@dataclass(frozen=True)
class DatabaseFacts:
    """A read-only look at a database file: is it whole, which version, how much it holds.

    ``integrity`` is SQLite's answer (``["ok"]`` when sound; empty when not checked).
    ``last_change`` is the newest ``updated_at`` of a resident or request ("" when none).
    ``stamp`` is the backup's own record (backup_to's ``stamp``), {} for any other file.
    """

    size: int
    integrity: tuple[str, ...]
    schema_version: int
    newest_version: int
    missing_tables: tuple[str, ...]
    towns: int
    villages: int
    residents: int
    requests: int
    last_change: str
    stamp: dict[str, Any]


def inspect_database(
    path: Path, *, check: str = "full", snapshot: bool = False, key: DatabaseKey | None = None
) -> DatabaseFacts:
    """Open ``path`` read-only and report what it is; writes nothing, not even beside it.

    ``check``: "full" (PRAGMA integrity_check, reads every page), "quick" (quick_check) or "none".
    ``snapshot``: the file is a backup nobody writes to (store.db.read_only_uri).
    ``key``: the database key of an encrypted file (store/keys.py).

    Raises:
        KnownStoreError: the file is not a database, is damaged beyond reading or cannot be opened
            (EncryptedDatabaseError: it is encrypted and ``key`` does not open it).
    """
    path = Path(path)
    with translate_errors(path):
        conn = connect(path, read_only=True, snapshot=snapshot, key=key).conn
        try:
            pragma = {"full": "PRAGMA integrity_check(20)", "quick": "PRAGMA quick_check(20)"}.get(check)
            integrity = tuple(str(r[0]) for r in conn.execute(pragma)) if pragma else ()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = tuple(t for t in REQUIRED_TABLES if t not in tables)

            def live(table: str) -> int:
                if table not in tables:
                    return 0
                return int(conn.execute(_LIVE_COUNT.format(table)).fetchone()[0])  # constant names

            last = ""
            for table in ("residents", "requests"):
                if table in tables:  # constant names, never input
                    value = conn.execute(f"SELECT max(updated_at) FROM {table}").fetchone()[0]
                    last = max(last, str(value or ""))
            stamp: dict[str, Any] = {}
            if "settings" in tables:
                row = conn.execute("SELECT value FROM settings WHERE key = ?", [BACKUP_STAMP_KEY]).fetchone()
                if row is not None:
                    try:
                        loaded = json.loads(row[0])
                    except ValueError:
                        loaded = None
                    stamp = loaded if isinstance(loaded, dict) else {}
            return DatabaseFacts(
                size=path.stat().st_size,
                integrity=integrity,
                schema_version=version,
                newest_version=migrations.SCHEMA_VERSION,
                missing_tables=missing,
                towns=live("towns"),
                villages=live("villages"),
                residents=live("residents"),
                requests=live("requests"),
                last_change=last,
                stamp=stamp,
            )
        finally:
            conn.close()
