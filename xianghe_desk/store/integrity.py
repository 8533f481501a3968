"""Read-only consistency queries for ``xianghe-desk check``."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xianghe_desk.store.base import TableStore
from xianghe_desk.store.db import translate_errors


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
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
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
