"""Who is due for a care visit, in SQL: the due lists, the paper roster and the residents' filter.

The rules are domain/visits.py's ``next_due`` (tests/unit/test_visits_due.py checks that both give
the same dates): the interval is the plan's own or the shortest of the resident's care tags (the
tags are stored as ``,a,b,``); the next visit is due one interval after the last visit before
``:before`` (or after the plan started); after a hospital stay that has ended, anything due by its
last day is due the day after; a resident in hospital on ``:today`` is paused, one who moved away
or died by ``:today`` has left. Every value is bound; only the tag codes (constants of the domain)
are part of the SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.visits import PLANNED_TAGS, DueFilter, DueKind
from xianghe_desk.store.base import prefix_range

NO_INTERVAL = 9999


def interval_sql(r: str, p: str) -> str:
    """A resident's visit interval: the plan's own, else the shortest of the care tags' (alias r, p)."""
    parts = ", ".join(
        f"coalesce(CASE WHEN instr({r}.care_tags, ',{tag.value},') > 0 THEN :i_{tag.value} END, {NO_INTERVAL})"
        for tag in PLANNED_TAGS
    )
    return f"coalesce({p}.interval_days, nullif(min({parts}), {NO_INTERVAL}))"


def interval_params(intervals: Mapping[CareTag, int]) -> dict[str, int]:
    return {f"i_{tag.value}": int(intervals[tag]) for tag in PLANNED_TAGS}


# One row per planned resident who is not deleted, with what the lists need. {where} holds the
# residents' filters; :before bounds the visits counted (the roster counts those before its week).
_PLANNED = """
base AS (
    SELECT r.id, r.name, r.name_pinyin, r.sex, r.birth_date, r.phone, r.address, r.emergency_name,
           r.emergency_phone, r.care_tags, r.town_id, r.village_id, r.grid_id, r.status,
           r.status_since, r.status_until, p.member_id AS plan_member,
           {interval} AS interval_days,
           coalesce(p.starts_on, substr(r.created_at, 1, 10)) AS starts_on,
           (SELECT max(x.visited_on) FROM visits x
             WHERE x.resident_id = r.id AND x.deleted_at IS NULL AND x.visited_on < :before) AS last_visit
    FROM residents r LEFT JOIN visit_plans p ON p.resident_id = r.id AND p.deleted_at IS NULL
    WHERE r.deleted_at IS NULL {where}
),
planned AS (
    SELECT *, date(coalesce(last_visit, starts_on), '+' || interval_days || ' days') AS raw_due
    FROM base WHERE interval_days IS NOT NULL
),
due AS (
    SELECT *,
        CASE WHEN status = 'hospital' AND status_until IS NOT NULL AND status_until < :today
                  AND raw_due <= status_until
             THEN date(status_until, '+1 day') ELSE raw_due END AS next_due,
        CASE WHEN status IN ('moved', 'deceased') AND (status_since IS NULL OR status_since <= :today)
                  THEN 'left'
             WHEN status = 'hospital' AND (status_since IS NULL OR status_since <= :today)
                  AND (status_until IS NULL OR :today <= status_until) THEN 'paused'
             ELSE 'planned' END AS state
    FROM planned
)
"""

# The states a resident's plan can be in, for the residents' filter (服务对象 → 走访).
STATE_CONDITIONS = {
    "planned": "state = 'planned'",
    DueKind.OVERDUE.value: "state = 'planned' AND next_due < :today",
    DueKind.THIS_WEEK.value: "state = 'planned' AND next_due >= :today AND next_due <= :week_end",
    DueKind.NEVER.value: "state = 'planned' AND last_visit IS NULL",
    "paused": "state = 'paused'",
    "left": "state = 'left'",
}


def planned_cte(resident_where: str) -> str:
    """``WITH`` clause of the planned residents filtered by ``resident_where`` (alias r)."""
    return "WITH " + _PLANNED.format(interval=interval_sql("r", "p"), where=resident_where)


def reference_params(today: date, week_end: date, before: date | None = None) -> dict[str, Any]:
    return {
        "today": today.isoformat(),
        "week_end": week_end.isoformat(),
        "before": (before or today + timedelta(days=1)).isoformat(),
    }


def filter_where(flt: DueFilter) -> tuple[str, dict[str, Any]]:
    """The residents' part of a due list's filter (alias r, p for the plan)."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for column, name, value in (
        ("r.town_id", "f_town", flt.town_id),
        ("r.village_id", "f_village", flt.village_id),
        ("r.grid_id", "f_grid", flt.grid_id),
    ):
        if value is not None:
            clauses.append(f"{column} = :{name}")
            params[name] = value
    if flt.member_id is not None:
        # The plan's named member, else whoever serves the resident's grid.
        clauses.append(
            "(p.member_id = :f_member OR (p.member_id IS NULL AND r.grid_id IN"
            " (SELECT grid_id FROM member_grids WHERE member_id = :f_member)))"
        )
        params["f_member"] = flt.member_id
    for column, prefix, ids in (
        ("r.village_id", "sv", flt.scope_villages),
        ("r.town_id", "st", flt.scope_towns),
    ):
        if ids:
            names = [f"{prefix}{i}" for i in range(len(ids))]
            clauses.append(f"{column} IN ({', '.join(':' + n for n in names)})")
            params.update(zip(names, ids, strict=True))
            break  # villages, else towns (store.base.scope_clauses)
    text = flt.text.strip()
    if text:
        if text.isascii() and text.isalpha():
            clauses.append(prefix_range("r.name_initials").replace("?", ":f_text"))
            params["f_text"] = text.lower()
        else:
            clauses.append("instr(r.name, :f_text) > 0")
            params["f_text"] = text
    return "".join(f" AND {c}" for c in clauses), params


def kinds_condition(kinds: tuple[DueKind, ...]) -> str:
    """Which planned residents a list shows: ``kinds`` empty means the roster's (due by the end of
    the week, overdue included, and everyone never visited)."""
    if not kinds:
        return "state = 'planned' AND (next_due <= :week_end OR last_visit IS NULL)"
    return "(" + " OR ".join(f"({STATE_CONDITIONS[k.value]})" for k in kinds) + ")"


_NAMED = re.compile(r":([a-z_][a-z0-9_]*)")


def positional(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The same statement with ``?`` marks, for a query built with them (store/people.py)."""
    values: list[Any] = []

    def mark(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "?"

    return _NAMED.sub(mark, sql), values


def state_clause(
    state: str, intervals: Mapping[CareTag, int], today: date, week_end: date
) -> tuple[str, list[Any]]:
    """``r.id IN (…)``: the residents whose plan is in ``state`` (STATE_CONDITIONS) on ``today``."""
    sql = f"r.id IN ({planned_cte('')} SELECT id FROM due WHERE {STATE_CONDITIONS[state]})"
    return positional(sql, {**interval_params(intervals), **reference_params(today, week_end)})
