"""The demo county's care visits (issue #11): plans and a realistic visit history, loaded in bulk.

Most residents are visited on time by their grid's member, some late now and then, a few not for
weeks; a few were never visited, a few are in hospital, a few moved away or died (their visits stop
on that date). The history is short on the ``large`` scale, so that it stays a fast build.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from xianghe_desk.domain.visits import CHECKS, DEFAULT_INTERVALS, PLANNED_TAGS
from xianghe_desk.services.demo_data import OrderedUuids
from xianghe_desk.store.bulk import BulkStore
from xianghe_desk.store.people import tags_from_text

# Days of visit history by demo scale (the plans start then).
HISTORY_DAYS = {"small": 120, "county": 56, "large": 21}
# Visits kept in memory before they are written (with the plans made meanwhile).
VISIT_BATCH = 20_000
_NEEDS = (
    ("heating", "冬季取暖", "家里煤不够烧了，想请网格员帮忙联系买煤。"),
    ("utilities", "水电气", "厨房水龙头漏水，需要上门维修。"),
    ("medication", "用药", "降压药快吃完了，需要代买药品。"),
    ("housing", "居住安全", "院墙有裂缝，下雨天担心倒塌。"),
    ("health", "身体状况", "最近腿脚疼得厉害，想去镇卫生院看看，需要有人陪同。"),
    ("mood", "情绪", "老伴去世后一直情绪低落，希望多来陪着说说话。"),
)
_NOTES = ("老人精神不错。", "家里收拾得干净。", "已提醒注意用电安全。", "子女刚来看过。", "")
_CHECK_KEYS = [k for k, _ in CHECKS]
_ALL_OK = json.dumps(dict.fromkeys(_CHECK_KEYS, "ok"), separators=(",", ":"), sort_keys=True)
_CALL_OK = json.dumps({"health": "ok", "mood": "ok"}, separators=(",", ":"), sort_keys=True)


class DemoVisits:
    """Writes the plans, visits and statuses of the demo's residents in a few bulk statements."""

    def __init__(
        self,
        bulk: BulkStore,
        now: datetime,
        scale: str,
        seed: int,
        device_tag: str,
        progress: Callable[[str, int, int], None],
        requested: set[int],
        uuids: OrderedUuids,
    ) -> None:
        """``requested``: the residents with at least one request; ``uuids``: the build's."""
        self.bulk = bulk
        self.now = now
        self.today = now.date()
        # Its own generator: the rest of the demo stays what it was for the same seed.
        self.rng = random.Random(seed * 7919 + 11)
        self.start = self.today - timedelta(days=HISTORY_DAYS.get(scale, 92))
        self.tag = device_tag
        self.progress = progress
        self.clerk = "演示文员"
        self.requested = requested
        self.uuids = uuids

    def _uuid(self) -> str:
        """The build's next time-ordered UUID, drawn from this generator."""
        return self.uuids.make(self.rng)

    def build(self) -> dict[str, int]:
        rng = self.rng
        defaults = self.bulk.grid_default_members()
        residents = self.bulk.care_residents()
        plans: list[tuple[Any, ...]] = []
        visits: list[tuple[Any, ...]] = []
        statuses: list[tuple[str, str | None, str | None, int]] = []
        stamp = f"{self.start:%Y-%m-%d} 08:00:00"
        starts_on = self.start.isoformat()
        made = {"visit_plans": 0, "visits": 0}

        def flush() -> None:
            self.bulk.insert_plans(plans)
            self.bulk.insert_visits(visits)
            made["visit_plans"] += len(plans)
            made["visits"] += len(visits)
            plans.clear()
            visits.clear()

        # Written in batches as they are made, without the visits' indexes meanwhile.
        extras = self.bulk.drop_visit_extras()
        for index, (resident_id, tags, grid_id) in enumerate(residents):
            days = [DEFAULT_INTERVALS[t] for t in tags_from_text(tags) if t in PLANNED_TAGS]
            if not days:
                continue
            interval = min(days)
            member = defaults.get(grid_id) if grid_id is not None else None
            # A plan row holds when visiting started (the history's first day); some name a member.
            named = member if member is not None and rng.random() < 0.1 else None
            # In the order of bulk.PLAN_COLUMNS.
            plans.append((resident_id, None, named, starts_on, "", self._uuid(), stamp, stamp, self.tag))
            end = self.today
            roll = rng.random()
            if roll < 0.03:
                continue  # never visited yet
            if resident_id not in self.requested and roll < 0.15:
                # Died or moved away during the history (only people without requests: a request of
                # someone who died later would read as made for the dead): the visits stop then.
                end = self.start + timedelta(
                    days=rng.randint(20, max(21, (self.today - self.start).days - 3))
                )
                status = "deceased" if rng.random() < 0.7 else "moved"
                statuses.append((status, end.isoformat(), None, resident_id))
            elif 0.15 <= roll < 0.165:
                since = self.today - timedelta(days=rng.randint(3, 25))
                until = since + timedelta(days=rng.randint(10, 35))
                statuses.append(("hospital", since.isoformat(), until.isoformat(), resident_id))
                end = since
            habit = rng.random()
            if habit < 0.02:
                end = min(end, self.today - timedelta(days=interval + rng.randint(5, 30)))  # stopped
            visits.extend(self._history(resident_id, interval, member, end, habit))
            if len(visits) >= VISIT_BATCH:
                flush()
            if index % 1000 == 0:
                self.progress("visits", index, len(residents))
        flush()
        self.bulk.create_indexes(extras)
        self.bulk.set_statuses(statuses)
        return made

    def _history(
        self, resident_id: int, interval: int, member: int | None, end: date, habit: float
    ) -> list[tuple[Any, ...]]:
        rng = self.rng
        rows: list[tuple[Any, ...]] = []
        day = self.start + timedelta(days=rng.randint(0, interval - 1))
        early = max(1, interval // 3)
        while day <= end:
            # Two draws per visit, cut into the visit's details: a build makes ~80,000 of them.
            pick, other = rng.random(), rng.random()
            method = "home" if pick < 0.78 else "phone" if pick < 0.96 else "video"
            checks = _ALL_OK if method == "home" else _CALL_OK
            needs = ""
            if other < 0.04:
                key, _label, needs = _NEEDS[int(other * 1000) % len(_NEEDS)]
                found = dict.fromkeys(_CHECK_KEYS if method == "home" else ("health", "mood"), "ok")
                found[key] = "problem"
                checks = json.dumps(found, separators=(",", ":"), sort_keys=True)
            recorded = datetime(day.year, day.month, day.day, 9 + int(pick * 97) % 9, int(other * 6007) % 60)
            recorded += timedelta(days=int(other * 13) % 3)
            stamp = min(recorded, self.now).isoformat(sep=" ")
            note = _NOTES[int(pick * 1009) % len(_NOTES)]
            row = (resident_id, member, day.isoformat(), method, checks, note, needs, None, self.clerk)
            rows.append((*row, self._uuid(), stamp, stamp, self.tag))
            if habit < 0.85:
                gap = interval - int(other * 7919) % (early + 1)  # on time
            else:
                gap = interval + (-1, 0, 1, 2, 3, 6)[int(other * 7919) % 6]  # now and then late
            day += timedelta(days=max(1, gap))
        return rows
