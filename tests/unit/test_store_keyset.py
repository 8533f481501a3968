"""Keyset paging of the request list (issue #13): ``RequestStore.page`` walks every sort the list
offers, both ways, from any row's key, and gives the same rows in the same order as the offset
form, NULLs and ties included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import REQUEST_SORT_KEYS, RequestFilter, Sort
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import requests as request_store

ALL = 10**9
PAGE = 97


@pytest.fixture(scope="module")
def demo(small_demo: Path) -> Iterator[Workspace]:
    with Workspace.open(small_demo, read_only=True) as workspace:
        yield workspace


def _offset_ids(ws: Workspace, flt: RequestFilter, sort: Sort) -> list[int]:
    return [r.id for r in ws.requests.list(flt, sort, ws.now(), 0, ALL)]


def _walk(ws: Workspace, flt: RequestFilter, sort: Sort, reverse: bool = False) -> list[int]:
    found: list[int] = []
    after = None
    while True:
        rows = ws.requests.page(flt, sort, ws.now(), PAGE, after=after, reverse=reverse)
        found += [r.id for r in rows]
        if len(rows) < PAGE:
            return found
        after = rows[-1].key


@pytest.mark.parametrize("key", REQUEST_SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_walk_every_sort_both_ways_like_offset(demo, key, descending):
    sort = Sort(key, descending)
    flt = RequestFilter()
    expected = _offset_ids(demo, flt, sort)
    assert len(expected) == demo.requests.count(flt, demo.now()) > 1000
    assert _walk(demo, flt, sort) == expected
    assert _walk(demo, flt, sort, reverse=True) == expected[::-1]


@pytest.mark.parametrize("key", ["grid", "handler", "completed_at", "status", "received_at"])
def test_a_page_skips_from_any_known_row_in_either_direction(demo, key):
    for descending in (False, True):
        sort = Sort(key, descending)
        flt = RequestFilter()
        rows = demo.requests.page(flt, sort, demo.now(), ALL)
        ids = [r.id for r in rows]
        for anchor in (0, 5, 400, 999, len(rows) - 60):
            after = rows[anchor].key
            forward = demo.requests.page(flt, sort, demo.now(), 30, after=after, skip=17)
            assert [r.id for r in forward] == ids[anchor + 18 : anchor + 48]
            back = demo.requests.page(flt, sort, demo.now(), 30, after=after, skip=3, reverse=True)
            assert [r.id for r in back] == ids[max(0, anchor - 33) : max(0, anchor - 3)][::-1]
        # From the end, as Ctrl+End reads the last rows.
        last = demo.requests.page(flt, sort, demo.now(), 25, reverse=True)
        assert [r.id for r in last] == ids[-25:][::-1]
        far = demo.requests.page(flt, sort, demo.now(), 25, skip=len(ids) - 30)
        assert [r.id for r in far] == ids[-30:-5]


def test_a_skip_across_the_null_rows_lands_where_offset_does(demo):
    # Requests without a handler are a segment of their own: skipping over all of them.
    sort = Sort("handler", False)
    flt = RequestFilter()
    ids = _offset_ids(demo, flt, sort)
    nulls = sum(1 for r in demo.requests.page(flt, sort, demo.now(), ALL) if r.handler_id is None)
    assert 0 < nulls < len(ids)
    rows = demo.requests.page(flt, sort, demo.now(), 10, skip=nulls + 5)
    assert [r.id for r in rows] == ids[nulls + 5 : nulls + 15]


@pytest.mark.parametrize(
    "flt",
    [
        RequestFilter(statuses=(Status.RECEIVED, Status.DISPATCHED)),
        RequestFilter(overdue_only=True),
        RequestFilter(text="王"),
        RequestFilter(text="wj"),
        RequestFilter(text="138"),
    ],
    ids=["statuses", "overdue", "name", "initials", "digits"],
)
def test_filters_and_searches_page_the_same_rows(demo, flt):
    for sort in (Sort(), Sort("due_at", False), Sort("village", True)):
        expected = _offset_ids(demo, flt, sort)
        assert _walk(demo, flt, sort) == expected
        assert len(expected) == demo.requests.count(flt, demo.now())


def test_a_broad_search_walks_the_sort_order_and_finds_the_same_rows(demo, monkeypatch):
    flt = RequestFilter(text="王")
    narrow = _walk(demo, flt, Sort())
    # Pretend the search matched many: the terms lose their indexes, the rows stay the same.
    monkeypatch.setattr(request_store, "WALK_AT_LEAST", 1)
    monkeypatch.setattr(request_store, "WALK_FACTOR", 0)
    demo.requests._walk_cache.clear()
    assert demo.requests._walks(flt, demo.now())
    where, _params = demo.requests._where(flt, demo.now(), walk=True)
    assert "+r.person_name" in where
    assert _walk(demo, flt, Sort()) == narrow
    plan = " ".join(
        str(row[3])
        for row in demo.db.execute(
            "EXPLAIN QUERY PLAN SELECT r.id FROM requests r WHERE "
            + where
            + " ORDER BY r.received_at DESC, r.id DESC LIMIT 200",
            _params,
        ).fetchall()
    )
    assert "idx_requests_received" in plan and "USE TEMP B-TREE FOR ORDER BY" not in plan
    demo.requests._walk_cache.clear()  # the choices are shared by the process's connections


def test_the_walk_choice_is_shared_by_every_connection(demo, tmp_path):
    """The list's first block is read by a job on its own connection, later blocks on the UI
    thread's: only the first pays the capped count that chooses the plan."""
    from xianghe_desk.services.workspace import Workspace

    flt = RequestFilter(text="王")
    demo.requests._walk_cache.clear()
    demo.requests._walks(flt, demo.now())
    with Workspace.open(demo.path, clock=demo.clock) as other:
        counted: list[str] = []
        other.db.conn.set_trace_callback(counted.append)
        other.requests._walks(flt, demo.now())
        other.db.conn.set_trace_callback(None)
    assert not [sql for sql in counted if "count(*)" in sql]


def test_list_rows_carry_what_the_list_shows(demo):
    flt = RequestFilter()
    row = demo.requests.page(flt, Sort(), demo.now(), 1)[0]
    full = demo.requests.get(row.id)
    assert full is not None
    assert (row.number, row.person_name, row.village_name, row.category_name, row.handler_name) == (
        full.number,
        full.person_name,
        full.village_name,
        full.category_name,
        full.handler_name,
    )
    assert row.status is full.status and row.urgency is full.urgency
    assert row.content == full.content[:200]
    assert row.is_overdue(demo.now()) == full.is_overdue(demo.now())
    assert row.key == (row.received_at, row.id)
