"""Housekeeping of the editable lists (channels, categories, methods): usage, order, tombstones.

Kept apart from store/config.py's LookupStore, which the request workflow reads: these queries
serve only the settings screen.
"""

from __future__ import annotations

from typing import Final

from xianghe_desk.store.base import TableStore
from xianghe_desk.store.db import now_text

# The requests column that holds each kind's code. Identifiers come only from this constant.
USAGE_COLUMN: Final = {"channel": "channel", "category": "category", "method": "method"}


class LookupAdminStore(TableStore):
    def usage_counts(self, kind: str) -> dict[str, int]:
        """How many requests use each code of ``kind`` (codes in no request are missing)."""
        column = USAGE_COLUMN[kind]
        rows = self.db.execute(
            f"SELECT {column}, count(*) FROM requests WHERE {column} IS NOT NULL GROUP BY {column}"
        ).fetchall()
        return {str(code): int(n) for code, n in rows}

    def usage(self, kind: str, code: str) -> int:
        """How many requests use one code, including those only in the history (an old 办理方式)."""
        column = USAGE_COLUMN[kind]
        in_requests = int(
            self.db.execute(f"SELECT count(*) FROM requests WHERE {column} = ?", [code]).fetchone()[0]
        )
        if kind != "method" or in_requests:
            return in_requests
        # A reopened request forgets its method on the row, but its completion event keeps it,
        # and the month's figures read it from there.
        return int(
            self.db.execute(
                "SELECT count(*) FROM request_events WHERE action = 'completed'"
                " AND json_extract(data, '$.method') = ?",
                [code],
            ).fetchone()[0]
        )

    def find(self, kind: str, code: str | None = None, name: str | None = None) -> dict[str, object] | None:
        """The raw row by code or name, deleted or not (a deleted name can be revived)."""
        if code is not None:
            return self._one("SELECT * FROM lookups WHERE kind = ? AND code = ?", [kind, code])
        return self._one("SELECT * FROM lookups WHERE kind = ? AND name = ?", [kind, name])

    def next_sort_order(self, kind: str) -> int:
        value = self._scalar("SELECT max(sort_order) FROM lookups WHERE kind = ?", [kind])
        return int(value) + 1 if value is not None else 0

    def set_sort_orders(self, kind: str, codes: list[str]) -> None:
        """Number the given codes 0, 1, 2 … in this order (the caller holds the transaction)."""
        stamp = now_text()
        for order, code in enumerate(codes):
            self.db.execute(
                "UPDATE lookups SET sort_order = ?, updated_at = ?, device_id = ? WHERE kind = ? AND code = ?",
                [order, stamp, self.device_id, kind, code],
            )

    def mark_deleted(self, kind: str, code: str) -> None:
        """A tombstone, so the deletion travels in exchange packages like any other change."""
        stamp = now_text()
        self.db.execute(
            "UPDATE lookups SET deleted_at = ?, active = 0, updated_at = ?, device_id = ?"
            " WHERE kind = ? AND code = ?",
            [stamp, stamp, self.device_id, kind, code],
        )

    def revive(self, kind: str, code: str, name: str, group_code: str, sort_order: int) -> None:
        self.db.execute(
            "UPDATE lookups SET deleted_at = NULL, active = 1, name = ?, group_code = ?, sort_order = ?,"
            " updated_at = ?, device_id = ? WHERE kind = ? AND code = ?",
            [name, group_code, sort_order, now_text(), self.device_id, kind, code],
        )
