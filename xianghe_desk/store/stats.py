"""The month's requests as facts at a given moment (contract §3), read from the history.

Status, completion time, handling method and rating are read from request_events as they
stood at ``as_of``, so that a summary printed for a past moment gives the same figures
whenever it is printed again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xianghe_desk.domain.figures import RequestFact
from xianghe_desk.store.base import TableStore, dt, dt_text

_FACTS = """
WITH m AS (
    SELECT r.id, r.received_at, r.due_at, r.category, r.channel, r.town_id, r.village_id, r.handler_id,
        (SELECT e.id FROM request_events e
          WHERE e.request_id = r.id AND e.at <= :as_of AND e.to_status IS NOT NULL
          ORDER BY e.at DESC, e.id DESC LIMIT 1) AS last_event,
        (SELECT e.id FROM request_events e
          WHERE e.request_id = r.id AND e.at <= :as_of AND e.action = 'completed'
          ORDER BY e.at DESC, e.id DESC LIMIT 1) AS done_event,
        (SELECT e.id FROM request_events e
          WHERE e.request_id = r.id AND e.at <= :as_of AND e.action = 'followed_up'
          ORDER BY e.at DESC, e.id DESC LIMIT 1) AS rated_event
    FROM requests r
    WHERE r.received_at >= :start AND r.received_at < :end AND r.received_at <= :as_of
      AND r.deleted_at IS NULL {scope}
)
SELECT m.id, m.received_at, m.due_at, m.category, m.channel, m.town_id, m.village_id, m.handler_id,
       le.to_status AS status, de.at AS completed_at, json_extract(de.data, '$.method') AS method,
       json_extract(fe.data, '$.satisfaction') AS satisfaction
FROM m
LEFT JOIN request_events le ON le.id = m.last_event
LEFT JOIN request_events de ON de.id = m.done_event
LEFT JOIN request_events fe ON fe.id = m.rated_event
"""


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
        scope = ""
        params: dict[str, Any] = {"start": dt_text(start), "end": dt_text(end), "as_of": dt_text(as_of)}
        if village_id is not None:
            scope = "AND r.village_id = :village_id"
            params["village_id"] = village_id
        elif town_id is not None:
            scope = "AND r.town_id = :town_id"
            params["town_id"] = town_id
        cursor = self.db.execute(_FACTS.format(scope=scope), params)
        facts = []
        for row in cursor.fetchall():
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
