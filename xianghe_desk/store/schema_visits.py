"""Migration 0005 (issue #11): care visits — a resident's status, visit plans, the visit log and the
official holidays an administrator enters for years the bundled calendar does not know.

Never edited once shipped: a later change is a new migration.

- ``residents.status`` (active 在册 / hospital 住院 / moved 迁出 / deceased 去世) with
  ``status_since`` (住院 from, 迁出/去世 on) and ``status_until`` (住院 until). The columns travel
  as one unit, so the residents' change-log triggers are made again with it (store/schema.py).
- ``visit_plans``: at most one per resident, for what differs from the defaults (an interval of
  their own, a named member, when the plan started). No row: the care tags' intervals, the grid's
  members, and the plan started when the resident was entered.
- ``visits``: one row per visit (走访记录); ``checks`` is a JSON object of the fixed checks
  ({"health": "ok", "mood": "problem"}: the ones ticked), ``request_id`` the request made from
  what was noticed.
- ``official_calendars``: one row per year; ``holidays`` and ``workdays`` are JSON objects
  {"2027-02-06": "春节"}.
"""

from __future__ import annotations

from xianghe_desk.store.schema import SYNC_COLUMNS, UNITS_0005, sync_triggers

_TABLES = ("visit_plans", "visits", "official_calendars")

VISITS: list[str] = [
    "ALTER TABLE residents ADD COLUMN status TEXT NOT NULL DEFAULT 'active'"
    " CHECK (status IN ('active', 'hospital', 'moved', 'deceased'))",
    "ALTER TABLE residents ADD COLUMN status_since TEXT",
    "ALTER TABLE residents ADD COLUMN status_until TEXT",
    "CREATE INDEX idx_residents_status ON residents(status) WHERE status <> 'active'",
    f"""CREATE TABLE visit_plans (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL UNIQUE REFERENCES residents(id),
        interval_days INTEGER CHECK (interval_days IS NULL OR interval_days BETWEEN 1 AND 92),
        member_id INTEGER REFERENCES members(id),
        starts_on TEXT,
        note TEXT NOT NULL DEFAULT '',
        {SYNC_COLUMNS}
    )""",
    "CREATE INDEX idx_visit_plans_member ON visit_plans(member_id) WHERE member_id IS NOT NULL",
    f"""CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        member_id INTEGER REFERENCES members(id),
        visited_on TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('home', 'phone', 'video')),
        checks TEXT NOT NULL DEFAULT '{{}}',
        note TEXT NOT NULL DEFAULT '',
        needs TEXT NOT NULL DEFAULT '',
        request_id INTEGER REFERENCES requests(id),
        recorded_by TEXT NOT NULL DEFAULT '',
        {SYNC_COLUMNS}
    )""",
    "CREATE INDEX idx_visits_resident ON visits(resident_id, visited_on)",
    "CREATE INDEX idx_visits_day ON visits(visited_on)",
    "CREATE INDEX idx_visits_member ON visits(member_id, visited_on)",
    "CREATE INDEX idx_visits_request ON visits(request_id) WHERE request_id IS NOT NULL",
    f"""CREATE TABLE official_calendars (
        id INTEGER PRIMARY KEY,
        year INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
        holidays TEXT NOT NULL DEFAULT '{{}}',
        workdays TEXT NOT NULL DEFAULT '{{}}',
        source TEXT NOT NULL DEFAULT '',
        {SYNC_COLUMNS}
    )""",
    # The residents' triggers again, with the status unit.
    "DROP TRIGGER sync_residents_insert",
    "DROP TRIGGER sync_residents_update",
    # Built from the units as of this migration (UNITS_0005), never from later ones.
    *(sql for table in ("residents", *_TABLES) for sql in sync_triggers(table, UNITS_0005[table])),
]
