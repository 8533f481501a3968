"""The dashboard's monthly series: requests received and completed per month, in one grouped query.

The county's query reads idx_requests_month alone (store/schema_speed.py: received_at, status, the
places, deleted_at), no table row: twelve months are ~900,000 requests at county scale (issue #13).
"""

from __future__ import annotations

from datetime import datetime

from xianghe_desk.store.base import TableStore, dt_text

_MONTHLY = """
SELECT substr(r.received_at, 1, 7) AS month,
       sum(r.status <> 'cancelled') AS received,
       sum(r.status IN ('completed', 'closed')) AS completed
FROM requests r
WHERE r.received_at >= :start AND r.received_at < :end AND r.deleted_at IS NULL {scope}
GROUP BY month
ORDER BY month
"""


class DashboardStore(TableStore):
    def monthly_counts(
        self,
        start: datetime,
        end: datetime,
        town_id: int | None = None,
        scope_towns: tuple[int, ...] = (),
        scope_villages: tuple[int, ...] = (),
    ) -> dict[str, tuple[int, int]]:
        """``{"2026-11": (received, completed)}`` for requests received in [start, end).

        Received leaves out cancelled requests and completed counts 已办结 and 已回访 as the
        requests stand now (contract §3 without the as-of replay, which the figures do).
        """
        scope = ""
        params: dict[str, object] = {"start": dt_text(start), "end": dt_text(end)}
        if town_id is not None:
            scope = "AND r.town_id = :town_id"
            params["town_id"] = town_id
        # The signed-in clerk's villages or towns (issue #9); ids are bound one by one.
        for column, ids in (
            ("r.village_id", scope_villages),
            ("r.town_id", scope_towns if not scope_villages else ()),
        ):
            if ids:
                names = [f"s{n}" for n in range(len(ids))]
                scope += f" AND {column} IN ({', '.join(':' + n for n in names)})"
                params.update(zip(names, ids, strict=True))
        rows = self.db.execute(_MONTHLY.format(scope=scope), params).fetchall()
        return {str(month): (int(received or 0), int(completed or 0)) for month, received, completed in rows}
