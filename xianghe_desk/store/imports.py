"""What spreadsheet imports need beyond the per-record stores: every existing record's key
fields in one query (to recognise rows already in the database) and bulk inserts."""

from __future__ import annotations

from xianghe_desk.store.base import Row, TableStore, reverse_digits

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
        """Insert new residents in one statement batch; each row gets its uuid and sync stamps."""
        stamp = self._new_sync()
        full = []
        for row in rows:
            sync = self._new_sync(stamp=stamp["created_at"])
            full.append({**row, "phone_rev": reverse_digits(row.get("phone") or ""), **sync})
        self._insert_many("residents", full)

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
