"""Care visits (issue #11): the visit log, visit plans, due lists and the facts of the month's coverage."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from xianghe_desk.domain.enums import CareTag, Sex
from xianghe_desk.domain.visits import (
    CheckResult,
    DayPlan,
    DueEntry,
    DueFilter,
    DueKind,
    PlanFact,
    ResidentStatus,
    StatusInfo,
    Visit,
    VisitMethod,
    VisitPlan,
)
from xianghe_desk.store.base import Row, TableStore, d, dt
from xianghe_desk.store.people import tags_from_text
from xianghe_desk.store.visit_due import (
    filter_where,
    interval_params,
    interval_sql,
    kinds_condition,
    planned_cte,
    reference_params,
)

_JULIAN_ORDINAL = 1721424  # CAST(julianday(day) AS INTEGER) - this = date.toordinal()

_VISIT_SELECT = """
    SELECT x.*, r.name AS resident_name, r.town_id, r.village_id, v.short_name AS village_name,
           coalesce(m.name, '') AS member_name, coalesce(q.number, '') AS request_number
    FROM visits x JOIN residents r ON r.id = x.resident_id JOIN villages v ON v.id = r.village_id
    LEFT JOIN members m ON m.id = x.member_id LEFT JOIN requests q ON q.id = x.request_id
"""


def checks_text(checks: Mapping[str, CheckResult]) -> str:
    return json.dumps({k: v.value for k, v in checks.items()}, ensure_ascii=False, sort_keys=True)


def _checks(text: str) -> dict[str, CheckResult]:
    raw = json.loads(text or "{}")
    return {str(k): CheckResult(v) for k, v in raw.items() if v in ("ok", "problem")}


def _visit(row: Row) -> Visit:
    visited = d(row["visited_on"])
    assert visited is not None
    return Visit(
        id=row["id"],
        resident_id=row["resident_id"],
        visited_on=visited,
        method=VisitMethod(row["method"]),
        member_id=row["member_id"],
        checks=_checks(row["checks"]),
        note=row["note"],
        needs=row["needs"],
        request_id=row["request_id"],
        recorded_by=row["recorded_by"],
        resident_name=row.get("resident_name", ""),
        member_name=row.get("member_name", ""),
        town_id=row.get("town_id"),
        village_id=row.get("village_id"),
        village_name=row.get("village_name", ""),
        request_number=row.get("request_number", ""),
        created_at=dt(row["created_at"]),
        uuid=row["uuid"],
    )


def status_of(row: Row) -> StatusInfo:
    return StatusInfo(
        ResidentStatus(row.get("status") or "active"), d(row.get("status_since")), d(row.get("status_until"))
    )


class VisitStore(TableStore):
    """The visit log (走访记录)."""

    def add(self, row: Row) -> int:
        return self._insert("visits", {**row, **self._new_sync()})

    def update(self, visit_id: int, changes: Row) -> None:
        self._update("visits", visit_id, changes)

    def get(self, visit_id: int, include_deleted: bool = False) -> Visit | None:
        extra = "" if include_deleted else " AND x.deleted_at IS NULL"
        row = self._one(_VISIT_SELECT + f" WHERE x.id = ?{extra}", [visit_id])
        return _visit(row) if row else None

    def of_resident(self, resident_id: int, limit: int = 500) -> builtins.list[Visit]:
        """A resident's visits, newest first (the timeline)."""
        rows = self._fetch(
            _VISIT_SELECT + " WHERE x.resident_id = ? AND x.deleted_at IS NULL"
            " ORDER BY x.visited_on DESC, x.id DESC LIMIT ?",
            [resident_id, limit],
        )
        return [_visit(r) for r in rows]

    def count_of_resident(self, resident_id: int) -> int:
        return int(
            self._scalar(
                "SELECT count(*) FROM visits WHERE resident_id = ? AND deleted_at IS NULL", [resident_id]
            )
        )

    def last_visit(self, resident_id: int, before: date | None = None) -> date | None:
        sql = "SELECT max(visited_on) FROM visits WHERE resident_id = ? AND deleted_at IS NULL"
        params: builtins.list[Any] = [resident_id]
        if before is not None:
            sql += " AND visited_on < ?"
            params.append(before.isoformat())
        return d(self._scalar(sql, params))

    def on_day(self, resident_id: int, day: date) -> builtins.list[Visit]:
        rows = self._fetch(
            _VISIT_SELECT + " WHERE x.resident_id = ? AND x.visited_on = ? AND x.deleted_at IS NULL",
            [resident_id, day.isoformat()],
        )
        return [_visit(r) for r in rows]

    # ---------------------------------------------------------------- the month's figures
    def plan_facts(
        self,
        first: date,
        last: date,
        intervals: Mapping[CareTag, int],
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> builtins.list[PlanFact]:
        """Every planned resident of the scope with the visits the month's coverage needs: the
        last one before ``first`` and those from ``first`` to ``last``."""
        scope, params = _scope(town_id, village_id)
        params.update(first=first.isoformat(), last=last.isoformat())
        params.update(interval_params(intervals))
        # The interval is the due lists' own rule (store/visit_due.py, domain.visits.interval_for);
        # an active resident's status comes back NULL, and both visit subqueries read
        # idx_visits_resident_day alone: 100,000 residents make this the figures' largest read.
        rows = self.db.execute(
            f"""SELECT * FROM (
                SELECT r.id, r.town_id, r.village_id, r.grid_id, {interval_sql("r", "p")} AS interval_days,
                       nullif(r.status, 'active'), r.status_since, r.status_until,
                       coalesce(p.starts_on, substr(r.created_at, 1, 10)) AS starts_on,
                       (SELECT max(x.visited_on) FROM visits x WHERE x.resident_id = r.id
                         AND x.deleted_at IS NULL AND x.visited_on < :first) AS last_before,
                       (SELECT group_concat(x.visited_on) FROM visits x WHERE x.resident_id = r.id
                         AND x.deleted_at IS NULL AND x.visited_on >= :first AND x.visited_on <= :last)
                         AS within
                FROM residents r LEFT JOIN visit_plans p ON p.resident_id = r.id AND p.deleted_at IS NULL
                WHERE r.deleted_at IS NULL AND (r.care_tags <> '' OR p.interval_days IS NOT NULL){scope}
            ) WHERE interval_days IS NOT NULL""",
            params,
        ).fetchall()
        # Days and statuses repeat: each text is read once (100,000 residents at county scale).
        days = _Days()
        active = StatusInfo()
        statuses: dict[tuple[str, str | None, str | None], StatusInfo] = {}
        facts = []
        for rid, town, village, grid, interval, status, since, until, starts, before, within in rows:
            info = active
            if status is not None or since is not None or until is not None:
                key = (status or "active", since, until)
                info = statuses.get(key)  # type: ignore[assignment]
                if info is None:
                    info = statuses[key] = StatusInfo(ResidentStatus(key[0]), d(since), d(until))
            facts.append(
                PlanFact(
                    rid,
                    town,
                    village,
                    grid,
                    interval,
                    days[starts],
                    info,
                    days[before] if before else None,
                    tuple(sorted(map(days.__getitem__, within.split(",")))) if within else (),
                )
            )
        return facts

    def plan_days(
        self,
        first: date,
        last: date,
        intervals: Mapping[CareTag, int],
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> builtins.list[DayPlan]:
        """``plan_facts`` with every day as its ordinal (``date.toordinal``) and no status for an
        active resident: what domain.visits.months_coverage counts (the monthly summary's two months
        of 100,000 residents, where dates made and compared are most of the time)."""
        scope, params = _scope(town_id, village_id)
        params.update(first=first.isoformat(), last=last.isoformat())
        params.update(interval_params(intervals))
        # julianday's day number, cut to an integer, is the ordinal plus 1721424; the same read as
        # plan_facts' (both visit subqueries over idx_visits_resident_day alone).
        rows = self.db.execute(
            f"""SELECT * FROM (
                SELECT r.town_id, r.village_id, r.grid_id, {interval_sql("r", "p")} AS interval_days,
                       CAST(julianday(coalesce(p.starts_on, substr(r.created_at, 1, 10))) AS INTEGER)
                         - {_JULIAN_ORDINAL},
                       (SELECT CAST(julianday(max(x.visited_on)) AS INTEGER) - {_JULIAN_ORDINAL}
                          FROM visits x WHERE x.resident_id = r.id
                         AND x.deleted_at IS NULL AND x.visited_on < :first),
                       (SELECT group_concat(CAST(julianday(x.visited_on) AS INTEGER) - {_JULIAN_ORDINAL})
                          FROM visits x WHERE x.resident_id = r.id
                         AND x.deleted_at IS NULL AND x.visited_on >= :first AND x.visited_on <= :last),
                       nullif(r.status, 'active'), r.status_since, r.status_until
                FROM residents r LEFT JOIN visit_plans p ON p.resident_id = r.id AND p.deleted_at IS NULL
                WHERE r.deleted_at IS NULL AND (r.care_tags <> '' OR p.interval_days IS NOT NULL){scope}
            ) WHERE interval_days IS NOT NULL""",
            params,
        ).fetchall()
        statuses: dict[tuple[str, str | None, str | None], StatusInfo] = {}
        parsed: dict[str, tuple[int, ...]] = {}
        plans: builtins.list[DayPlan] = []
        add = plans.append
        for town, village, grid, interval, starts, before, within, status, since, until in rows:
            info = None  # active: its dates play no part in the months' counts
            if status is not None:
                key = (status, since, until)
                info = statuses.get(key)
                if info is None:
                    info = statuses[key] = StatusInfo(ResidentStatus(status), d(since), d(until))
            if within is None:
                days: tuple[int, ...] = ()
            else:
                # Residents visited on the same days share one tuple (months_coverage counts them once).
                days = parsed.get(within)  # type: ignore[assignment]
                if days is None:
                    days = parsed[within] = tuple(sorted(map(int, within.split(","))))
            add((town, village, grid, interval, starts, before, days, info))
        return plans

    def home_visits(
        self, first: date, last: date, town_id: int | None = None, village_id: int | None = None
    ) -> int:
        """上门 visits from ``first`` to ``last`` (they count as 上门服务, contract §3)."""
        scope, params = _scope(town_id, village_id)
        params.update(first=first.isoformat(), last=last.isoformat())
        # Every visit has its resident (a foreign key): the county's count needs no join.
        join = " JOIN residents r ON r.id = x.resident_id" if scope else ""
        return int(
            self._scalar(
                f"""SELECT count(*) FROM visits x{join}
                    WHERE x.deleted_at IS NULL AND x.method = 'home'
                      AND x.visited_on >= :first AND x.visited_on <= :last{scope}""",
                params,
            )
        )

    # ---------------------------------------------------------------- due lists and rosters
    def due(
        self,
        flt: DueFilter,
        intervals: Mapping[CareTag, int],
        today: date,
        week_end: date,
        before: date | None = None,
        roster_order: bool = False,
        limit: int = 5000,
    ) -> builtins.list[DueEntry]:
        """Planned residents matching ``flt`` as seen on ``today`` (visits before ``before``,
        default: up to today), most overdue first, or in the roster's order (village, grid, address)."""
        where, params = filter_where(flt)
        params.update(interval_params(intervals))
        params.update(reference_params(today, week_end, before))
        params["limit"] = limit
        order = (
            "v.code, v.short_name, coalesce(g.number, ''), coalesce(g.name, ''), d.address, d.name_pinyin, d.id"
            if roster_order
            else "d.next_due, v.code, d.name_pinyin, d.id"
        )
        rows = self._fetch(
            planned_cte(where)
            + f"""SELECT d.*, t.name AS town_name, v.short_name AS village_name,
                         coalesce(g.name, '') AS grid_name, coalesce(pm.name, '') AS plan_member_name,
                         (SELECT group_concat(m.name, '、') FROM member_grids mg
                            JOIN members m ON m.id = mg.member_id
                           WHERE mg.grid_id = d.grid_id AND m.deleted_at IS NULL AND m.active = 1)
                           AS grid_member_names,
                         CAST(max(0, julianday(:today) - julianday(d.next_due)) AS INTEGER) AS overdue_days
                  FROM due d JOIN towns t ON t.id = d.town_id JOIN villages v ON v.id = d.village_id
                  LEFT JOIN grids g ON g.id = d.grid_id LEFT JOIN members pm ON pm.id = d.plan_member
                  WHERE {kinds_condition(flt.kinds)}
                  ORDER BY {order} LIMIT :limit""",
            params,
        )
        return [_due_entry(r, today) for r in rows]

    def count_due(self, flt: DueFilter, intervals: Mapping[CareTag, int], today: date, week_end: date) -> int:
        return self.count_due_each(flt, [flt.kinds], intervals, today, week_end)[0]

    def count_due_each(
        self,
        flt: DueFilter,
        kinds: builtins.list[tuple[DueKind, ...]],
        intervals: Mapping[CareTag, int],
        today: date,
        week_end: date,
    ) -> builtins.list[int]:
        """``count_due`` for each of ``kinds`` (``flt.kinds`` aside) in one pass over the residents:
        the dashboard's tile asks three (each pass reads 100,000 residents at county scale)."""
        where, params = filter_where(flt)
        params.update(interval_params(intervals))
        params.update(reference_params(today, week_end))
        sums = ", ".join(f"coalesce(sum({kinds_condition(k)}), 0)" for k in kinds)
        row = self.db.execute(planned_cte(where) + f"SELECT {sums} FROM due", params).fetchone()
        return [int(n) for n in row]


class _Days(dict[str, date]):
    """ISO day texts read once each."""

    def __missing__(self, text: str) -> date:
        day = self[text] = date.fromisoformat(text)
        return day


def _scope(town_id: int | None, village_id: int | None) -> tuple[str, dict[str, Any]]:
    if village_id is not None:
        return " AND r.village_id = :village_id", {"village_id": village_id}
    if town_id is not None:
        return " AND r.town_id = :town_id", {"town_id": town_id}
    return "", {}


def _due_entry(row: Row, today: date) -> DueEntry:
    birth = d(row["birth_date"])
    age = None
    if birth is not None:
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    due_day = d(row["next_due"])
    assert due_day is not None
    return DueEntry(
        resident_id=row["id"],
        name=row["name"],
        town_name=row["town_name"],
        village_name=row["village_name"],
        grid_name=row["grid_name"],
        address=row["address"],
        phone=row["phone"],
        emergency_name=row["emergency_name"],
        emergency_phone=row["emergency_phone"],
        care_tags=tags_from_text(row["care_tags"]),
        interval_days=int(row["interval_days"]),
        last_visit=d(row["last_visit"]),
        due=due_day,
        overdue_days=int(row["overdue_days"]),
        members=row["plan_member_name"] or (row["grid_member_names"] or ""),
        age=age,
        sex=Sex(row["sex"]).label if row["sex"] else "",
        status=status_of(row),
        village_id=row["village_id"],
        grid_id=row["grid_id"],
    )


class PlanStore(TableStore):
    """Visit plans: what differs from the defaults, one row per resident at most."""

    def get(self, resident_id: int) -> VisitPlan | None:
        row = self._one(
            "SELECT p.*, coalesce(m.name, '') AS member_name FROM visit_plans p"
            " LEFT JOIN members m ON m.id = p.member_id WHERE p.resident_id = ? AND p.deleted_at IS NULL",
            [resident_id],
        )
        if row is None:
            return None
        return VisitPlan(
            resident_id=row["resident_id"],
            interval_days=row["interval_days"],
            member_id=row["member_id"],
            starts_on=d(row["starts_on"]),
            note=row["note"],
            member_name=row["member_name"],
            uuid=row["uuid"],
        )

    def starts_on(self, resident_id: int) -> date | None:
        """When the resident's plan started: the plan's own date, else when they were entered."""
        return d(
            self._scalar(
                "SELECT coalesce(p.starts_on, substr(r.created_at, 1, 10)) FROM residents r"
                " LEFT JOIN visit_plans p ON p.resident_id = r.id AND p.deleted_at IS NULL WHERE r.id = ?",
                [resident_id],
            )
        )

    def save(self, resident_id: int, values: Row) -> None:
        """Insert or change the resident's plan (a deleted one comes back)."""
        row_id = self._scalar("SELECT id FROM visit_plans WHERE resident_id = ?", [resident_id])
        if row_id is None:
            self._insert("visit_plans", {"resident_id": resident_id, **values, **self._new_sync()})
        else:
            self._update("visit_plans", int(row_id), {**values, "deleted_at": None})

    def insert_many(self, rows: builtins.list[Row]) -> None:
        self._insert_many("visit_plans", rows)
