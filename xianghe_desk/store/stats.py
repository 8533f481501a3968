"""The month's requests as facts at a given moment (contract §3), read from the history.

Status, completion time, handling method and rating are read from request_events as they
stood at ``as_of``, so that a summary printed for a past moment gives the same figures
whenever it is printed again.

Reading three "latest event" subqueries per request took seconds for a county month (issue #13).
request_facts (store/schema_speed.py) keeps, per request, those facts as they stand after its last
event, kept true by a trigger on request_events: a request whose last event is at or before
``as_of`` takes them from there; only a request with a later event goes through its history.
``history_facts`` is the history read alone, which tests compare the kept path with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from xianghe_desk.domain.figures import MonthCounts, MonthTotals, RequestFact
from xianghe_desk.store.base import TableStore, dt, dt_text
from xianghe_desk.store.schema_speed import FACTS_KEEP, FACTS_REBUILD, FACTS_TRIGGER


def _latest(column: str, condition: str) -> str:
    """The value of the request's latest event (by at, id) up to as-of that meets ``condition``."""
    return (
        f"(SELECT {column} FROM request_events e WHERE e.request_id = r.id AND e.at <= :as_of AND {condition}"
        " ORDER BY e.at DESC, e.id DESC LIMIT 1)"
    )


_LATEST = {
    "status": _latest("e.to_status", "e.to_status IS NOT NULL"),
    "done_at": _latest("e.at", "e.action = 'completed'"),
    "method": _latest("json_extract(e.data, '$.method')", "e.action = 'completed'"),
    "satisfaction": _latest("json_extract(e.data, '$.satisfaction')", "e.action = 'followed_up'"),
}


def _kept(column: str) -> str:
    """The kept fact when the request has no event after as-of, else the history's."""
    return f"CASE WHEN k.last_at <= :as_of THEN k.{column} ELSE {_LATEST[column]} END"


_MONTH = """FROM requests r {join}
    WHERE r.received_at >= :start AND r.received_at < :end AND r.received_at <= :as_of
      AND r.deleted_at IS NULL {scope}"""

_COLUMNS = "r.id, r.received_at, r.due_at, r.category, r.channel, r.town_id, r.village_id, r.handler_id"

_FACTS = f"""
SELECT {_COLUMNS}, {_kept("status")} AS status, {_kept("done_at")} AS done_at, {_kept("method")} AS method,
       {_kept("satisfaction")} AS satisfaction
{_MONTH.format(join="LEFT JOIN request_facts k ON k.request_id = r.id", scope="{scope}")}
"""

_HISTORY = f"""
SELECT {_COLUMNS}, {_LATEST["status"]}, {_LATEST["done_at"]}, {_LATEST["method"]}, {_LATEST["satisfaction"]}
{_MONTH.format(join="", scope="{scope}")}
"""

# The rule of domain.figures.is_overdue (the facts of one month, less cancelled ones).
_OVERDUE = """CASE WHEN status IN ('completed', 'closed') AND done_at IS NOT NULL THEN done_at > due_at
                ELSE :as_of_exact > due_at END"""


def _epoch(column: str) -> str:
    """``strftime('%s', column)``, the same integer for any text, from julianday's exact milliseconds:
    formatting the number as text to read it back cost a tenth of a county month's count."""
    return f"CAST(round(julianday({column}) * 86400000) AS INTEGER) / 1000"


# The month's facts less cancelled ones, each evaluated once, as the figures count them.
_COUNTED = f"""
WITH f AS MATERIALIZED (
    SELECT town_id, village_id, category, channel, handler_id, method,
           status IN ('completed', 'closed') AS done,
           CASE WHEN status = 'closed' THEN satisfaction END AS satisfaction,
           {_OVERDUE} AS overdue,
           CASE WHEN status IN ('completed', 'closed') AND done_at IS NOT NULL
                THEN {_epoch("done_at")} - {_epoch("received_at")} END AS seconds
    FROM (
        SELECT r.town_id, r.village_id, r.category, r.channel, r.handler_id, r.received_at, r.due_at,
               coalesce({_kept("status")}, 'received') AS status, {_kept("done_at")} AS done_at,
               {_kept("method")} AS method, {_kept("satisfaction")} AS satisfaction
        {_MONTH.format(join="LEFT JOIN request_facts k ON k.request_id = r.id", scope="{scope}")}
    ) WHERE status <> 'cancelled'
)"""

# The same facts counted in SQL (three small GROUP BYs over them): fetching 80,000 facts into
# Python objects costs more than everything SQLite does for them.
_COUNTS = (
    _COUNTED
    + """
SELECT 'place', town_id, village_id, count(*), sum(done), sum(overdue), sum(seconds), count(seconds),
       sum(done AND satisfaction <> ''), sum(done AND satisfaction IN ('satisfied', 'basically_satisfied'))
  FROM f GROUP BY town_id, village_id
UNION ALL
SELECT 'kind', category, channel, count(*), sum(done), NULL, NULL, NULL, NULL, NULL
  FROM f GROUP BY category, channel
UNION ALL
SELECT 'done', method, satisfaction, count(*), count(*), NULL, NULL, NULL, NULL, NULL
  FROM f WHERE done GROUP BY method, satisfaction{handlers}
"""
)

# The same facts added up for the whole scope, with no GROUP BY (last month on the summary's cover):
# the place rows' sums, and the done rows' ratings and 上门服务 categories (:home, a JSON list).
_TOTALS = (
    _COUNTED
    + """
SELECT count(*), sum(done), sum(overdue), sum(seconds), count(seconds), sum(done AND satisfaction <> ''),
       sum(done AND satisfaction = 'satisfied'), sum(done AND satisfaction = 'basically_satisfied'),
       sum(done AND satisfaction = 'unsatisfied'),
       sum(done AND category IN (SELECT value FROM json_each(:home)))
  FROM f
"""
)

# The grid members' rows of the monthly summary (services/reports.py), when asked for.
_BY_HANDLER = """
UNION ALL
SELECT 'handler', handler_id, NULL, count(*), sum(done), sum(overdue), sum(seconds), count(seconds),
       sum(done AND satisfaction <> ''), sum(done AND satisfaction IN ('satisfied', 'basically_satisfied'))
  FROM f WHERE handler_id IS NOT NULL GROUP BY handler_id"""

# The facts the summary lists: overdue at as-of, or rated 不满意.
_LISTED = f"""
SELECT * FROM ({_FACTS})
WHERE (coalesce(status, 'received') <> 'cancelled' AND {_OVERDUE})
   OR (status = 'closed' AND satisfaction = 'unsatisfied')
"""


def _scope(params: dict[str, Any], town_id: int | None, village_id: int | None) -> str:
    if village_id is not None:
        params["village_id"] = village_id
        return "AND r.village_id = :village_id"
    if town_id is not None:
        params["town_id"] = town_id
        return "AND r.town_id = :town_id"
    return ""


def _params(start: datetime, end: datetime, as_of: datetime) -> dict[str, Any]:
    return {
        "start": dt_text(start),
        "end": dt_text(end),
        "as_of": dt_text(as_of),
        "as_of_exact": as_of.isoformat(sep=" "),  # is_overdue compares to the microsecond
    }


class StatsStore(TableStore):
    def facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        """One fact per request received in [start, end) within the scope, as it stood at ``as_of``."""
        params = _params(start, end, as_of)
        return self._facts(_FACTS.format(scope=_scope(params, town_id, village_id)), params)

    def history_facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        """The same facts read from request_events alone, without the kept ones (for checks)."""
        params = _params(start, end, as_of)
        return self._facts(_HISTORY.format(scope=_scope(params, town_id, village_id)), params)

    def listed_facts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
    ) -> list[RequestFact]:
        """The facts of ``facts`` that are overdue at ``as_of`` or rated 不满意 (the summary's lists)."""
        params = _params(start, end, as_of)
        return self._facts(_LISTED.format(scope=_scope(params, town_id, village_id)), params)

    def month_counts(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
        by_handler: bool = False,
    ) -> MonthCounts:
        """The facts of ``facts`` counted as contract §3 counts them (domain.figures.count_facts);
        ``by_handler``: each handler's counts too."""
        params = _params(start, end, as_of)
        scope = _scope(params, town_id, village_id)
        sql = _COUNTS.format(scope=scope, handlers=_BY_HANDLER if by_handler else "")
        counts = MonthCounts()
        for kind, a, b, n, done, overdue, seconds, timed, rated, pleased in self.db.execute(sql, params):
            if kind == "place":
                counts.add_place(a, b, n, done, overdue, seconds or 0, timed, rated, pleased)
            elif kind == "kind":
                counts.add_kind(a, b, n, done)
            elif kind == "done":
                counts.add_done(a, b, n)
            else:
                counts.add_handler(a, n, done, overdue, seconds or 0, timed, rated, pleased)
        return counts

    def month_totals(
        self,
        start: datetime,
        end: datetime,
        as_of: datetime,
        town_id: int | None = None,
        village_id: int | None = None,
        home_categories: Iterable[str] = (),
    ) -> MonthTotals:
        """``month_counts`` added up for the whole scope (domain.figures.totals_of), in one pass
        without grouping; ``home_categories``: the category codes of the 上门服务 group."""
        params = _params(start, end, as_of)
        params["home"] = json.dumps(sorted(home_categories))
        sql = _TOTALS.format(scope=_scope(params, town_id, village_id))
        row = self.db.execute(sql, params).fetchone()
        return MonthTotals(*(int(value or 0) for value in row))

    # ---------------------------------------------------------------- bulk loads
    def stop_keeping_facts(self) -> None:
        """Before a bulk load of request_events (the demo builder): the kept facts stop following;
        ``rebuild_kept_facts`` must run before the figures are read again."""
        self.db.execute(f"DROP TRIGGER IF EXISTS {FACTS_TRIGGER}")

    def rebuild_kept_facts(self) -> None:
        """request_facts again from the whole history, and kept from now on (a tenth of what the
        trigger costs row by row in a bulk load)."""
        self.db.execute("DELETE FROM request_facts")
        self.db.execute(FACTS_REBUILD)
        self.db.execute(f"DROP TRIGGER IF EXISTS {FACTS_TRIGGER}")
        self.db.execute(FACTS_KEEP)

    def _facts(self, sql: str, params: dict[str, Any]) -> list[RequestFact]:
        facts = []
        for row in self.db.execute(sql, params).fetchall():
            (
                rid,
                received,
                due,
                category,
                channel,
                town,
                village,
                handler,
                status,
                completed,
                method,
                rating,
            ) = row
            done = status in ("completed", "closed")
            facts.append(
                RequestFact(
                    id=rid,
                    received_at=dt(received),  # type: ignore[arg-type]
                    due_at=dt(due),  # type: ignore[arg-type]
                    status=status or "received",
                    completed_at=dt(completed) if done else None,
                    method=method if done else None,
                    satisfaction=rating if status == "closed" else None,
                    category=category,
                    channel=channel,
                    town_id=town,
                    village_id=village,
                    handler_id=handler,
                )
            )
        return facts
