"""How fast the desk's queries are on a county-scale database (1,000,000 requests).

Targets (issue #2/#3): any list page, count or search answers well within the desk's
two-second "find anything" promise; the month's figures for the whole county in under 5 s.
"""

from __future__ import annotations

import time
from datetime import date

from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.workspace import Workspace


def _timed(label: str, func, limit: float):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed * 1000:.0f} ms")
    assert elapsed < limit, f"{label} took {elapsed:.2f} s (limit {limit} s)"
    return result


def test_list_count_and_search_on_a_million_requests(large_db):
    with Workspace.open(large_db) as ws:
        service = RequestService(ws)
        assert _timed("count all", lambda: service.count(RequestFilter()), 1.0) >= 1_000_000
        _timed("first page, newest first", lambda: service.list(RequestFilter(), Sort(), 0, 200), 0.5)
        _timed(
            "page 50 sorted by due time",
            lambda: service.list(RequestFilter(), Sort("due_at"), 10_000, 200),
            1.0,
        )
        town = ws.towns.all()[0]
        _timed(
            "town + open statuses",
            lambda: service.list(
                RequestFilter(town_id=town.id, statuses=(Status.RECEIVED, Status.DISPATCHED)), Sort(), 0, 200
            ),
            0.5,
        )
        _timed("overdue count", lambda: service.count(RequestFilter(overdue_only=True)), 1.0)
        _timed(
            "date range count",
            lambda: service.count(
                RequestFilter(received_from=date(2026, 3, 1), received_to=date(2026, 3, 31))
            ),
            1.0,
        )
        for text in ("王", "王建", "wj", "zs", "1381", "5678"):
            _timed(
                f"search {text!r}", lambda t=text: service.list(RequestFilter(text=t), Sort(), 0, 200), 1.0
            )
        _timed(
            "ids of a village (batch select)",
            lambda: service.ids(RequestFilter(village_id=ws.villages.in_town(town.id)[0].id)),
            1.0,
        )


def test_county_month_figures_under_five_seconds(large_db):
    with Workspace.open(large_db) as ws:
        stats = StatsService(ws)
        month = ws.now().strftime("%Y-%m")
        figures = _timed("county figures for this month", lambda: stats.figures(month, stats.scope()), 5.0)
        assert figures["received"] > 10_000
