# ruff: noqa: F811 - pytest fixtures shared from test_exchange_roundtrip are parameters here
"""The month's figures read through request_facts (issue #13) give exactly the history's figures.

store/schema_speed.py keeps each request's status, completion and rating as they stand after its
last event; StatsStore.facts and month_counts take them from there unless the request has an event
after the as-of moment. These tests compare the kept path with the history read alone
(StatsStore.history_facts) at many moments, and check that every writer of request_events keeps
the table true: the services, the demo builder (store/bulk.py), an exchange package and events
that arrive out of order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Clock
from tests.unit.test_exchange_roundtrip import VILLAGE_A, Trio, trio, trio_template  # noqa: F401
from tests.unit.test_stats import History, history  # noqa: F401
from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.figures import compute_figures, is_overdue, month_bounds
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.visit_figures import visit_figures
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.schema_speed import FACTS_REBUILD, FIGURES

FACT_COLUMNS = "request_id, last_at, status, done_at, method, satisfaction"

# The facts as the history says after the last event, one row per request with events.
HISTORY_FACTS = """
SELECT r.id, (SELECT max(at) FROM request_events WHERE request_id = r.id),
    (SELECT to_status FROM request_events e WHERE e.request_id = r.id AND e.to_status IS NOT NULL
      ORDER BY e.at DESC, e.id DESC LIMIT 1),
    (SELECT at FROM request_events e WHERE e.request_id = r.id AND e.action = 'completed'
      ORDER BY e.at DESC, e.id DESC LIMIT 1),
    (SELECT json_extract(data, '$.method') FROM request_events e WHERE e.request_id = r.id
      AND e.action = 'completed' ORDER BY e.at DESC, e.id DESC LIMIT 1),
    (SELECT json_extract(data, '$.satisfaction') FROM request_events e WHERE e.request_id = r.id
      AND e.action = 'followed_up' ORDER BY e.at DESC, e.id DESC LIMIT 1)
FROM requests r WHERE EXISTS (SELECT 1 FROM request_events WHERE request_id = r.id) ORDER BY r.id
"""


def kept(ws: Workspace) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.db.execute(f"SELECT {FACT_COLUMNS} FROM request_facts ORDER BY request_id")]


def from_history(ws: Workspace) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.db.execute(HISTORY_FACTS)]


def assert_same_figures(
    ws: Workspace, month: str, as_of: datetime, town: str | None = None
) -> dict[str, Any]:
    """Facts and figures through request_facts equal those read from the history alone."""
    stats = StatsService(ws)
    scope = stats.scope(town)
    start, end = month_bounds(month)
    town_id = scope.town.id if scope.town else None
    fast = sorted(ws.stats.facts(start, end, as_of, town_id=town_id), key=lambda f: f.id)
    slow = sorted(ws.stats.history_facts(start, end, as_of, town_id=town_id), key=lambda f: f.id)
    assert fast == slow, as_of
    figures = stats.figures(month, scope, as_of)
    visits = visit_figures(ws, month, as_of, town_id)
    expected = compute_figures(
        slow,
        as_of,
        stats.names(scope),
        visits_logged=visits.home,
        visits_due=visits.due,
        visits_done=visits.done,
    )
    assert {k: v for k, v in figures.items() if k not in ("month", "scope", "as_of")} == expected, as_of
    # The breakdowns list the same names in the same order.
    for key in ("by_category", "by_channel", "by_method", "by_town", "by_village", "by_category_group"):
        assert list(figures[key]) == list(expected[key]), key
    return figures


def test_the_kept_facts_are_the_historys(history: History) -> None:
    assert kept(history.ws) == from_history(history.ws)
    assert len(kept(history.ws)) == 8


def test_every_moment_of_the_month_gives_the_historys_figures(history: History) -> None:
    """Each hour of the story, and a second either side of every event: later events (follow-ups,
    a reopen after 不满意, completions) are after some of these moments and before others."""
    ws = history.ws
    moments = {datetime(2026, 10, 31, 22) + timedelta(hours=h) for h in range(0, 27 * 24, 7)}
    for (at,) in ws.db.execute("SELECT DISTINCT at FROM request_events"):
        event = datetime.fromisoformat(at)
        moments |= {event - timedelta(seconds=1), event, event + timedelta(seconds=1)}
    received = set()
    for moment in sorted(moments):
        figures = assert_same_figures(ws, "2026-11", moment)
        received.add(figures["received"])
    assert len(received) > 3  # the moments saw the month fill up
    assert_same_figures(ws, "2026-11", datetime(2026, 11, 6, 9, 30), town="渠口镇")
    assert_same_figures(ws, "2026-10", datetime(2026, 11, 26))


def test_exact_figures_of_the_story_are_unchanged(history: History) -> None:
    """The numbers test_stats works out by hand, through the kept path."""
    f = history.figures()
    assert (f["received"], f["completed"], f["rated"], f["overdue"]) == (6, 4, 3, 3)
    # Before F was reopened it was 不满意; at 11-05 16:30 the rating is the first one.
    early = history.figures(datetime(2026, 11, 5, 16, 30))
    assert early["unsatisfied"] == 1


def test_deleted_and_event_less_requests(history: History) -> None:
    ws = history.ws
    ws.db.execute(
        "UPDATE requests SET deleted_at = ? WHERE id = ?", ["2026-11-26 10:00:00", history.ids["E"]]
    )
    # A request written without any event (an old import): 受理 by the history, so by the kept path too.
    ws.db.execute("DELETE FROM request_facts WHERE request_id = ?", [history.ids["H"]])
    ws.db.conn.commit()
    for moment in (datetime(2026, 11, 4, 12, 30), datetime(2026, 11, 26, 10)):
        figures = assert_same_figures(ws, "2026-11", moment)
        assert figures["received"] == (3 if moment.day == 4 else 5)


def _event(
    ws: Workspace, request_id: int, action: str, to_status: str | None, at: str, data: str = "{}"
) -> None:
    ws.db.execute(
        "INSERT INTO request_events (uuid, request_id, action, from_status, to_status, at, data, device_id,"
        " created_at) VALUES (lower(hex(randomblob(16))), ?, ?, NULL, ?, ?, ?, 'TEST', ?)",
        [request_id, action, to_status, at, data, at],
    )


def test_events_arriving_out_of_order_keep_the_latest_by_time_then_id(history: History) -> None:
    """An exchange package can bring older events after newer ones, and two at the same second."""
    ws = history.ws
    h = history.ids["H"]
    _event(ws, h, "completed", "completed", "2026-11-22 10:00:00", '{"method": "agent_run"}')
    _event(
        ws, h, "completed", "completed", "2026-11-21 10:00:00", '{"method": "explained"}'
    )  # older, later id
    _event(ws, h, "followed_up", "closed", "2026-11-23 10:00:00", '{"satisfaction": "satisfied"}')
    _event(ws, h, "followed_up", "closed", "2026-11-23 10:00:00", '{"satisfaction": "unsatisfied"}')  # tie
    _event(ws, h, "dispatched", "dispatched", "2026-11-20 11:00:00")  # old, no effect now
    ws.db.conn.commit()
    assert kept(ws) == from_history(ws)
    row = ws.db.execute(
        "SELECT status, method, satisfaction FROM request_facts WHERE request_id = ?", [h]
    ).fetchone()
    assert tuple(row) == ("closed", "agent_run", "unsatisfied")
    for moment in (
        "2026-11-21 12:00:00",
        "2026-11-22 12:00:00",
        "2026-11-23 10:00:00",
        "2026-11-26 10:00:00",
    ):
        assert_same_figures(ws, "2026-11", datetime.fromisoformat(moment))


def test_the_migration_builds_the_same_table_from_the_history(history: History) -> None:
    ws = history.ws
    before = kept(ws)
    ws.db.execute("DELETE FROM request_facts")
    ws.db.execute(FACTS_REBUILD)  # migration 0006 fills the table with this
    ws.db.conn.commit()
    assert kept(ws) == before == from_history(ws)


def test_the_demo_builders_requests_are_kept_true(demo_ws: Workspace) -> None:
    """The demo builder (store/bulk.py) writes events in bulk; the trigger keeps up."""
    assert kept(demo_ws) == from_history(demo_ws)
    now = demo_ws.now()
    for months_back, moment in (
        (0, now),
        (1, now),
        (1, now - timedelta(days=20)),
        (2, now - timedelta(days=45)),
    ):
        year, month = now.year, now.month - months_back
        while month < 1:
            year, month = year - 1, month + 12
        assert_same_figures(demo_ws, f"{year}-{month:02d}", moment)


def test_services_writes_keep_the_facts(ws: Workspace, clock: Clock) -> None:
    clock.current = datetime(2026, 11, 2, 9)
    service = RequestService(ws)
    village = PlaceService(ws).resolve_village("王刘圈村")
    member = MemberService(ws).add(MemberDraft("李建国", "13812340001", village.town_id, village.id)).id
    made = service.register(RequestDraft("phone", "repairs", "灯坏了", village.id, person_name="张三"))
    service.dispatch(made.id, member)
    clock.advance(hours=1)
    service.complete(made.id, "on_the_spot", "修好了")
    clock.advance(hours=1)
    service.reopen(made.id, "没修好")
    clock.advance(minutes=30)
    service.return_(made.id, "换人办")
    assert kept(ws) == from_history(ws)
    assert kept(ws)[0][2] == "received"
    clock.advance(minutes=30)
    service.dispatch(made.id, member)
    service.complete(made.id, "agent_run", "换了灯")
    assert kept(ws) == from_history(ws)
    for hours in range(0, 5):
        assert_same_figures(ws, "2026-11", datetime(2026, 11, 2, 9) + timedelta(hours=hours, minutes=30))


def test_an_exchange_package_keeps_the_facts_true(trio: Trio) -> None:
    laptop = trio.a
    village = PlaceService(laptop).resolve_village(VILLAGE_A)
    service = RequestService(laptop)
    made = service.register(RequestDraft("phone", "repairs", "灯坏了", village.id, person_name="张三"))
    service.dispatch(made.id, int(laptop.db.execute("SELECT min(id) FROM members").fetchone()[0]))
    service.complete(made.id, "on_the_spot", "修好了")
    trio.send(laptop, trio.town)
    assert kept(trio.town) == from_history(trio.town)
    assert any(row[2] == "completed" for row in kept(trio.town))
    now = trio.town.now()
    month = f"{now.year}-{now.month:02d}"
    assert_same_figures(trio.town, month, now)
    assert_same_figures(trio.town, month, now - timedelta(minutes=1))


@pytest.mark.parametrize("seconds", [0, 1])
def test_overdue_compares_as_of_to_the_microsecond(history: History, seconds: int) -> None:
    """is_overdue compares datetimes: half a second past the due time is overdue."""
    due = datetime.fromisoformat(
        history.ws.db.execute("SELECT due_at FROM requests WHERE id = ?", [history.ids["H"]]).fetchone()[0]
    )
    assert_same_figures(history.ws, "2026-11", due + timedelta(seconds=seconds, microseconds=500_000))


def test_a_bulk_load_without_the_trigger_is_rebuilt_true(history: History) -> None:
    """The demo builder may stop the trigger while it loads and rebuild the table after."""
    ws = history.ws
    assert FACTS_REBUILD in FIGURES
    ws.stats.stop_keeping_facts()
    h = history.ids["H"]
    _event(ws, h, "completed", "completed", "2026-11-22 10:00:00", '{"method": "agent_run"}')
    assert kept(ws) != from_history(ws)
    ws.stats.rebuild_kept_facts()
    ws.db.conn.commit()
    assert kept(ws) == from_history(ws)
    _event(ws, h, "followed_up", "closed", "2026-11-23 10:00:00", '{"satisfaction": "satisfied"}')
    assert kept(ws) == from_history(ws)  # kept again
    assert_same_figures(ws, "2026-11", datetime(2026, 11, 26))


def test_the_summarys_lists_read_only_the_listed_facts(history: History) -> None:
    """StatsStore.listed_facts: the month's facts overdue at as-of or rated 不满意, and no other."""
    ws = history.ws
    start, end = month_bounds("2026-11")
    for moment in (
        "2026-11-03 09:30:00",
        "2026-11-05 16:30:00",
        "2026-11-07 12:00:00",
        "2026-11-26 10:00:00",
    ):
        as_of = datetime.fromisoformat(moment)
        facts = ws.stats.facts(start, end, as_of)
        wanted = {
            f.id
            for f in facts
            if f.status != "cancelled" and (is_overdue(f, as_of) or f.satisfaction == "unsatisfied")
        }
        listed = ws.stats.listed_facts(start, end, as_of)
        assert {f.id for f in listed} == wanted, moment
        assert all(f in facts for f in listed)
