"""The official holidays and make-up working days an administrator entered, one row per year."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from xianghe_desk.domain.official_days import OfficialYear
from xianghe_desk.store.base import Row, TableStore


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
