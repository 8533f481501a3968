"""Migration 0006 (issue #13): what county scale needs from the schema — indexes and kept-up-to-date
columns for the month's figures, the dashboard and the request list.

Never edited once shipped: a later change is a new migration. Each list belongs to one part of the
program; the migration runs them in this order.
"""

from __future__ import annotations

# The month's figures (store/stats.py, store/visits.py).
#
# request_facts keeps, per request, what the month's figures read from its history (contract §3) as
# it stands after the request's last event: the latest status event, the latest 完成 event (time and
# method) and the latest 回访 event (rating), each with its (at, id) so that "latest" means what the
# history's ``ORDER BY at DESC, id DESC`` means whatever order the events arrive in (an exchange
# package may bring older events after newer ones). ``last_at`` is the time of the request's latest
# event: for an as-of moment at or after it the kept facts are the history's own answer; a request
# with a later event is read from the history itself (store/stats.py). The trigger keeps the table
# true for every writer of request_events (services, import, exchange, the demo builder); the table
# is local (never in exchange packages) and rebuilt from the history by this migration.
_FACT_UPSERT = """
INSERT INTO request_facts (request_id, last_at, status_at, status_id, status, done_at, done_id, method,
                           rated_at, rated_id, satisfaction)
{source}
ON CONFLICT (request_id) DO UPDATE SET
    last_at = max(last_at, excluded.last_at),
    status = CASE WHEN {newer_status} THEN excluded.status ELSE status END,
    status_id = CASE WHEN {newer_status} THEN excluded.status_id ELSE status_id END,
    status_at = CASE WHEN {newer_status} THEN excluded.status_at ELSE status_at END,
    method = CASE WHEN {newer_done} THEN excluded.method ELSE method END,
    done_id = CASE WHEN {newer_done} THEN excluded.done_id ELSE done_id END,
    done_at = CASE WHEN {newer_done} THEN excluded.done_at ELSE done_at END,
    satisfaction = CASE WHEN {newer_rated} THEN excluded.satisfaction ELSE satisfaction END,
    rated_id = CASE WHEN {newer_rated} THEN excluded.rated_id ELSE rated_id END,
    rated_at = CASE WHEN {newer_rated} THEN excluded.rated_at ELSE rated_at END
"""
_FACT_VALUES = """
    {e}.request_id, {e}.at,
    CASE WHEN {e}.to_status IS NOT NULL THEN {e}.at END, CASE WHEN {e}.to_status IS NOT NULL THEN {e}.id END,
    {e}.to_status,
    CASE WHEN {e}.action = 'completed' THEN {e}.at END, CASE WHEN {e}.action = 'completed' THEN {e}.id END,
    CASE WHEN {e}.action = 'completed' THEN json_extract({e}.data, '$.method') END,
    CASE WHEN {e}.action = 'followed_up' THEN {e}.at END, CASE WHEN {e}.action = 'followed_up' THEN {e}.id END,
    CASE WHEN {e}.action = 'followed_up' THEN json_extract({e}.data, '$.satisfaction') END
"""


def _newer(kind: str) -> str:
    """The incoming event is later, by (at, id), than the kept one of its kind."""
    return (
        f"(excluded.{kind}_at IS NOT NULL AND ({kind}_at IS NULL OR excluded.{kind}_at > {kind}_at"
        f" OR (excluded.{kind}_at = {kind}_at AND excluded.{kind}_id > {kind}_id)))"
    )


def _fact_upsert(source: str) -> str:
    return _FACT_UPSERT.format(
        source=source, newer_status=_newer("status"), newer_done=_newer("done"), newer_rated=_newer("rated")
    )


# For a bulk load (the demo builder): the trigger costs about as much again as the events' own
# inserts; dropping it and rebuilding the table from the history afterwards costs a tenth of that.
FACTS_TRIGGER = "request_facts_keep"
FACTS_REBUILD = _fact_upsert("SELECT " + _FACT_VALUES.format(e="e") + " FROM request_events e WHERE true")
FACTS_KEEP = (
    f"CREATE TRIGGER {FACTS_TRIGGER} AFTER INSERT ON request_events BEGIN "
    + _fact_upsert("VALUES (" + _FACT_VALUES.format(e="NEW") + ")")
    + "; END"
)

FIGURES: list[str] = [
    """CREATE TABLE request_facts (
        request_id INTEGER PRIMARY KEY,
        last_at TEXT NOT NULL,
        status_at TEXT, status_id INTEGER, status TEXT,
        done_at TEXT, done_id INTEGER, method TEXT,
        rated_at TEXT, rated_id INTEGER, satisfaction TEXT
    )""",
    # The month's requests read from one index, no table row (store/stats.py, and the dashboard's
    # twelve-month series by status): deleted_at is a column, not a partial index's WHERE, so that
    # SQLite sees the index covers ``deleted_at IS NULL``.
    "CREATE INDEX idx_requests_month ON requests(received_at, status, town_id, village_id, category, channel,"
    " due_at, handler_id, deleted_at)",
    # Care visits (store/visits.py): the month's visits and its 上门 count from one index, and each
    # resident's last visit before the month (also the due lists' last visit) without a table row.
    "CREATE INDEX idx_visits_month ON visits(visited_on, method, deleted_at, resident_id)",
    "CREATE INDEX idx_visits_resident_day ON visits(resident_id, visited_on, deleted_at)",
    # Every event already written, in one pass (the upsert keeps the latest by (at, id) in any order).
    FACTS_REBUILD,
    FACTS_KEEP,
]

# The dashboard (store/dashboard.py): the twelve-month series counts requests by month and status
# from idx_requests_month (FIGURES) alone.
DASHBOARD: list[str] = []

# The request list, its paging and its search (store/requests.py).
LIST: list[str] = [
    # Open requests by due time: the dashboard's overdue list, 今日到期 and every open-status view
    # sorted by due time walk a few thousand open rows in order instead of ~1M finished ones.
    "CREATE INDEX IF NOT EXISTS idx_requests_open_due ON requests(due_at)"
    " WHERE status IN ('received', 'dispatched', 'in_progress')",
    # The rows not in the recycle bin, for the list's count (共 N 张) of the whole list: a walk of
    # this small index instead of the whole table (at 1M requests ~60 ms instead of ~300 ms).
    "CREATE INDEX IF NOT EXISTS idx_requests_live ON requests(id) WHERE deleted_at IS NULL",
]

# Whatever else is read on opening a database (the first list page of an encrypted file).
OPENING: list[str] = []


def statements() -> list[str]:
    return [*FIGURES, *DASHBOARD, *LIST, *OPENING]
