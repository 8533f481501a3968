"""Residents that may be the same person entered twice: the rows to compare, merging, dismissals."""

from __future__ import annotations

from dataclasses import dataclass

from xianghe_desk.store.base import TableStore
from xianghe_desk.store.db import now_text


@dataclass(frozen=True)
class PersonKey:
    """The few columns a duplicate search compares."""

    id: int
    uuid: str
    village_id: int
    name: str
    name_pinyin: str
    birth_date: str | None
    id_number: str | None


_SELECT = "SELECT id, uuid, village_id, name, name_pinyin, birth_date, id_number FROM residents"


class DuplicateStore(TableStore):
    def people(self, village_id: int | None = None) -> list[PersonKey]:
        """Residents not deleted, of one village or of all, ordered by village."""
        if village_id is None:
            rows = self.db.execute(_SELECT + " WHERE deleted_at IS NULL ORDER BY village_id, id")
        else:
            rows = self.db.execute(
                _SELECT + " WHERE deleted_at IS NULL AND village_id = ? ORDER BY id", [village_id]
            )
        return [PersonKey(*row) for row in rows]

    def dismissed(self) -> set[tuple[str, str]]:
        return {
            (str(a), str(b)) for a, b in self.db.execute("SELECT uuid_a, uuid_b FROM duplicate_dismissals")
        }

    def dismiss(self, uuid_a: str, uuid_b: str) -> None:
        low, high = sorted((uuid_a, uuid_b))
        self.db.execute(
            "INSERT OR IGNORE INTO duplicate_dismissals (uuid_a, uuid_b, at) VALUES (?, ?, ?)",
            [low, high, now_text()],
        )

    def repoint_requests(self, drop_id: int, keep_id: int) -> int:
        """Requests of the dropped resident now belong to the kept one (a change that travels)."""
        cursor = self.db.execute(
            "UPDATE requests SET resident_id = ?, updated_at = ?, device_id = ? WHERE resident_id = ?",
            [keep_id, now_text(), self.device_id, drop_id],
        )
        return int(cursor.rowcount)

    def retire(self, drop_id: int) -> None:
        """The dropped record becomes a tombstone; its ID number moves to the kept record."""
        self.db.execute(
            "UPDATE residents SET deleted_at = ?, id_number = NULL, updated_at = ?, device_id = ? WHERE id = ?",
            [now_text(), now_text(), self.device_id, drop_id],
        )
