"""The official holidays and make-up working days an administrator entered, one row per year."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from xianghe_desk.domain.official_days import OfficialYear
from xianghe_desk.store.base import Row, TableStore, dt, dt_text


def _days(text: str) -> dict[date, str]:
    return {date.fromisoformat(k): str(v) for k, v in json.loads(text or "{}").items()}


def _text(days: dict[date, str]) -> str:
    return json.dumps({k.isoformat(): v for k, v in sorted(days.items())}, ensure_ascii=False)


def _year(row: Row) -> OfficialYear:
    return OfficialYear(int(row["year"]), _days(row["holidays"]), _days(row["workdays"]), row["source"])


class OfficialCalendarStore(TableStore):
    def years(self) -> list[OfficialYear]:
        try:
            rows = self._fetch("SELECT * FROM official_calendars WHERE deleted_at IS NULL ORDER BY year")
        except sqlite3.OperationalError as exc:  # a database not migrated yet (read by `check`)
            if "no such table" in str(exc):
                return []
            raise
        return [_year(r) for r in rows]

    def get(self, year: int) -> OfficialYear | None:
        row = self._one("SELECT * FROM official_calendars WHERE year = ? AND deleted_at IS NULL", [year])
        return _year(row) if row else None

    def save(self, entered: OfficialYear) -> None:
        """Insert or replace the year (a deleted one comes back)."""
        values = {
            "holidays": _text(entered.holidays),
            "workdays": _text(entered.workdays),
            "source": entered.source,
            "deleted_at": None,
        }
        row_id = self._scalar("SELECT id FROM official_calendars WHERE year = ?", [entered.year])
        if row_id is None:
            self._insert("official_calendars", {"year": entered.year, **values, **self._new_sync()})
        else:
            self._update("official_calendars", int(row_id), values)


@dataclass(frozen=True)
class OpenDue:
    """An open request's due time, with what it was computed from."""

    id: int
    number: str
    received_at: datetime
    urgency: str
    category: str
    due_at: datetime


class DueTimeStore(TableStore):
    """The open requests whose due time the official calendar decides (a year entered later)."""

    def open_received(self, since: datetime, until: datetime) -> list[OpenDue]:
        rows = self.db.execute(
            "SELECT id, number, received_at, urgency, category, due_at FROM requests"
            " WHERE deleted_at IS NULL AND status IN ('received', 'dispatched', 'in_progress')"
            " AND received_at >= ? AND received_at < ? ORDER BY received_at",
            [dt_text(since), dt_text(until)],
        ).fetchall()
        return [
            OpenDue(int(i), str(n), dt(r), str(u), str(c), dt(d))  # type: ignore[arg-type]
            for i, n, r, u, c, d in rows
        ]

    def set_due(self, request_id: int, due: datetime) -> None:
        self._update("requests", request_id, {"due_at": dt_text(due)})
