"""Per-village counts for the 村街 screen: grids, members, residents, open and overdue requests.

One grouped query per table, each through an index, instead of four sub-selects per village:
the whole county (331 villages) comes back in one round trip however many requests there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xianghe_desk.store.base import TableStore, dt_text

# Open requests: found through an index on status, so closed ones are never read. The unary +
# keeps SQLite from walking the village index to save a sort, which reads every request.
_OPEN_BY_VILLAGE = """
    SELECT village_id, count(*), sum(due_at < ?)
    FROM requests
    WHERE status IN ('received', 'dispatched', 'in_progress') AND deleted_at IS NULL {town}
    GROUP BY +village_id
"""
_GRIDS_BY_VILLAGE = """
    SELECT g.village_id, count(*) FROM grids g JOIN villages v ON v.id = g.village_id
    WHERE g.deleted_at IS NULL {town} GROUP BY g.village_id
"""
_MEMBERS_BY_VILLAGE = """
    SELECT village_id, count(*) FROM members
    WHERE deleted_at IS NULL AND active = 1 AND village_id IS NOT NULL {town}
    GROUP BY village_id
"""
_RESIDENTS_BY_VILLAGE = (
    "SELECT village_id, count(*) FROM residents WHERE deleted_at IS NULL {town} GROUP BY village_id"
)


@dataclass(frozen=True)
class VillageCounts:
    """What one village holds. Members are the active ones whose home village it is."""

    village_id: int
    grids: int = 0
    members: int = 0
    residents: int = 0
    open_requests: int = 0
    overdue: int = 0


class OverviewStore(TableStore):
    def village_counts(self, now: datetime, town_id: int | None = None) -> dict[int, VillageCounts]:
        """Counts for every village (of ``town_id``) that has anything; missing villages hold nothing."""
        counts: dict[int, dict[str, int]] = {}
        params: list[object] = [] if town_id is None else [town_id]

        def rows(sql: str, column: str, first: list[object] | None = None) -> list[tuple[int, ...]]:
            town = "" if town_id is None else f"AND {column} = ?"
            return self.db.execute(sql.format(town=town), [*(first or []), *params]).fetchall()

        def put(village_id: int, **values: int) -> None:
            counts.setdefault(village_id, {}).update(values)

        for village_id, grids in rows(_GRIDS_BY_VILLAGE, "v.town_id"):
            put(village_id, grids=grids)
        for village_id, members in rows(_MEMBERS_BY_VILLAGE, "town_id"):
            put(village_id, members=members)
        for village_id, residents in rows(_RESIDENTS_BY_VILLAGE, "town_id"):
            put(village_id, residents=residents)
        # +town_id: filter the few open requests by town, don't walk the town's whole history.
        for village_id, open_requests, overdue in rows(_OPEN_BY_VILLAGE, "+town_id", [dt_text(now)]):
            put(village_id, open_requests=open_requests, overdue=int(overdue or 0))
        return {
            village_id: VillageCounts(village_id=village_id, **values)
            for village_id, values in counts.items()
        }

    def town_members_without_village(self) -> dict[int, int]:
        """Active town cadres and others not tied to a village, per town (they count for the town)."""
        rows = self.db.execute(
            "SELECT town_id, count(*) FROM members WHERE deleted_at IS NULL AND active = 1"
            " AND village_id IS NULL GROUP BY town_id"
        ).fetchall()
        return {int(town_id): int(n) for town_id, n in rows}
