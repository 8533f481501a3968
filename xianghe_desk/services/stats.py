"""The month's figures (contract §3) for the county, a town or a village."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xianghe_desk.domain.enums import CategoryGroup
from xianghe_desk.domain.figures import Names, figures_from_counts, headline_figures, month_bounds
from xianghe_desk.domain.models import Town, Village
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.visit_figures import visit_figures
from xianghe_desk.services.workspace import Workspace


@dataclass(frozen=True)
class Scope:
    level: str  # county | town | village
    name: str
    code: str
    town: Town | None = None
    village: Village | None = None

    def as_json(self) -> dict[str, Any]:
        return {"level": self.level, "name": self.name, "code": self.code}


class StatsService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.places = PlaceService(ws)

    def scope(self, town: str | None = None, village: str | None = None) -> Scope:
        """The scope named on the command line (names or statistical codes)."""
        town_obj = self.places.resolve_town(town) if town else None
        if village:
            found = self.places.resolve_village(village, town_obj)
            town_obj = self.ws.towns.get(found.town_id)
            assert town_obj is not None
            return Scope("village", found.short_name, found.code or "", town_obj, found)
        if town_obj is not None:
            return Scope("town", town_obj.name, town_obj.code, town_obj)
        county = self.ws.settings.get("county_name", "香河县")
        return Scope("county", str(county), str(self.ws.settings.get("county_code", "131024")))

    def names(self, scope: Scope) -> Names:
        lookups = self.ws.lookups
        towns = self.ws.towns.all()
        if scope.town is not None:
            towns = [t for t in towns if t.id == scope.town.id]
        villages = self.places.villages(scope.town.id if scope.town else None)
        if scope.village is not None:
            villages = [v for v in villages if v.id == scope.village.id]
        short_counts: dict[str, int] = {}
        for v in villages:
            short_counts[v.short_name] = short_counts.get(v.short_name, 0) + 1
        return Names(
            categories={i.code: i.name for i in lookups.all("category", include_inactive=True)},
            category_groups={i.code: i.group_code for i in lookups.all("category", include_inactive=True)},
            channels={i.code: i.name for i in lookups.all("channel", include_inactive=True)},
            methods={i.code: i.name for i in lookups.all("method", include_inactive=True)},
            towns={t.id: t.name for t in towns},
            # Names repeat across towns (刘庄村 …): those keys name their town too.
            villages={
                v.id: v.short_name if short_counts[v.short_name] == 1 else f"{v.town_name}{v.short_name}"
                for v in villages
            },
        )

    def headline(self, month: str, scope: Scope, as_of: datetime | None = None) -> dict[str, Any]:
        """``figures`` without the ``by_*`` breakdowns (the same numbers, counted without grouping):
        last month on the summary's cover."""
        as_of = as_of or self.ws.now()
        start, end = month_bounds(month)
        town_id = scope.town.id if scope.town and scope.level == "town" else None
        village_id = scope.village.id if scope.village else None
        totals = self.ws.stats.month_totals(
            start, end, as_of, town_id, village_id, home_categories=self.home_categories()
        )
        visits = visit_figures(self.ws, month, as_of, town_id, village_id)
        return {
            **self._record(month, scope, as_of),
            **headline_figures(
                totals, visits_logged=visits.home, visits_due=visits.due, visits_done=visits.done
            ),
        }

    def home_categories(self) -> list[str]:
        """The codes of the categories whose completed requests count as 上门服务 (contract §3)."""
        return [
            i.code
            for i in self.ws.lookups.all("category", include_inactive=True)
            if i.group_code == CategoryGroup.HOME.value
        ]

    @staticmethod
    def _record(month: str, scope: Scope, as_of: datetime) -> dict[str, Any]:
        return {
            "month": month,
            "scope": scope.as_json(),
            "as_of": as_of.isoformat(sep=" ", timespec="seconds"),
        }

    def figures(self, month: str, scope: Scope, as_of: datetime | None = None) -> dict[str, Any]:
        """Contract §3 figures plus ``month``, ``scope`` and ``as_of`` for the record."""
        as_of = as_of or self.ws.now()
        start, end = month_bounds(month)
        town_id = scope.town.id if scope.town and scope.level == "town" else None
        village_id = scope.village.id if scope.village else None
        counts = self.ws.stats.month_counts(start, end, as_of, town_id=town_id, village_id=village_id)
        result = self._record(month, scope, as_of)
        visits = visit_figures(self.ws, month, as_of, town_id, village_id)
        result.update(
            figures_from_counts(
                counts,
                self.names(scope),
                visits_logged=visits.home,
                visits_due=visits.due,
                visits_done=visits.done,
            )
        )
        return result
