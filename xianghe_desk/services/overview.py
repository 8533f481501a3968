"""The county at a glance for the 村街 screen: towns, their villages and what each one holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from xianghe_desk.domain.models import Town, Village
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.overview import OverviewStore, VillageCounts

__all__ = ["OverviewService", "TownOverview", "VillageCounts", "VillageOverview"]


@dataclass(frozen=True)
class VillageOverview:
    village: Village
    counts: VillageCounts


@dataclass(frozen=True)
class TownOverview:
    """A town with its villages; ``totals`` sums them (town cadres count in ``totals.members``)."""

    town: Town
    villages: list[VillageOverview] = field(default_factory=list)
    totals: VillageCounts = field(default_factory=lambda: VillageCounts(0))


class OverviewService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.store = OverviewStore(ws.db, ws.device.tag)

    def county(self, include_virtual: bool = False, town_id: int | None = None) -> list[TownOverview]:
        """Every town (or just ``town_id``) with its villages in statistical-code order.

        The virtual community (the development zone's catch-all) is left out unless asked for.
        A clerk limited to towns or villages sees only those (issue #9: scope in the queries).
        """
        who = self.ws.who
        counts = self.store.village_counts(self.ws.now(), town_id)
        loose_members = self.store.town_members_without_village()
        villages = self.ws.villages.in_town(town_id, include_virtual=include_virtual)
        if who.limited:
            villages = [v for v in villages if who.covers(v.town_id, v.id)]
        by_town: dict[int, list[VillageOverview]] = {}
        for village in villages:
            found = counts.get(village.id) or VillageCounts(village.id)
            by_town.setdefault(village.town_id, []).append(VillageOverview(village, found))
        result = []
        for town in self.ws.towns.all():
            if town_id is not None and town.id != town_id:
                continue
            rows = by_town.get(town.id, [])
            if who.limited and not rows and not who.covers(town.id, None):
                continue
            totals = VillageCounts(
                village_id=0,
                grids=sum(r.counts.grids for r in rows),
                members=sum(r.counts.members for r in rows)
                + (loose_members.get(town.id, 0) if who.covers(town.id, None) else 0),
                residents=sum(r.counts.residents for r in rows),
                open_requests=sum(r.counts.open_requests for r in rows),
                overdue=sum(r.counts.overdue for r in rows),
            )
            result.append(TownOverview(town, rows, totals))
        return result
