"""The demo builder streams its rows in batches (issue #13) and still builds the same demo."""

from __future__ import annotations

import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from xianghe_desk.services import demo, demo_data, demo_requests, demo_visits
from xianghe_desk.services.demo_file import build_demo_file
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.bulk import BulkStore
from xianghe_desk.store.stats import StatsStore

NOW = datetime(2026, 3, 18, 15, 42, 7)
# Tables the builder fills; the rest is seeded by the workspace (with uuids of its own).
BUILT = ("residents", "requests", "request_events", "visit_plans", "visits", "number_sequences")


def _build(path: Path, seed: int = 5) -> dict[str, int]:
    with Workspace.open(path, clock=lambda: NOW) as ws:
        return demo.build_demo(ws, "small", seed=seed)


def _rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as con:
        tag = con.execute("SELECT tag FROM sync_state").fetchone()[0]
        # The device tag is drawn per database: compare the rows with it taken out.
        return [
            tuple(v.replace(tag, "TAG") if isinstance(v, str) else v for v in row)
            for row in con.execute(f"SELECT * FROM {table} ORDER BY 1")
        ]


def _schema(path: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as con:
        return set(
            con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'")
        )


def test_demo_uuids_are_version_7_in_the_order_they_are_made() -> None:
    made = demo_data.OrderedUuids(NOW)
    a, b = random.Random(3), random.Random(3)
    values = [made.make(a) for _ in range(5000)]
    for value in values:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert parsed.int >> 80 == int(NOW.replace(tzinfo=UTC).timestamp() * 1000)
    assert values == sorted(values) and len(set(values)) == len(values)
    for _ in range(5000):
        b.getrandbits(128)
    assert a.random() == b.random(), "a uuid takes the draws a random uuid took: the rest of the demo stays"


def test_a_weighted_pick_draws_what_choices_draws() -> None:
    population, weights = list(range(330)), [3 if i % 7 == 0 else 1 for i in range(330)]
    picker = demo_requests._Weighted(population, weights)
    a, b = random.Random(9), random.Random(9)
    assert [picker.pick(a) for _ in range(5000)] == [b.choices(population, weights)[0] for _ in range(5000)]
    assert a.random() == b.random(), "both generators used the same draws"


def test_small_batches_build_the_same_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(tmp_path / "whole.db")
    monkeypatch.setattr(demo_requests, "REQUEST_BATCH", 7)
    monkeypatch.setattr(demo, "RESIDENT_BATCH", 11)
    monkeypatch.setattr(demo_visits, "VISIT_BATCH", 13)
    _build(tmp_path / "batched.db")
    for table in BUILT:
        assert _rows(tmp_path / "whole.db", table) == _rows(tmp_path / "batched.db", table), table


def test_rows_are_kept_in_memory_a_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_requests, "REQUEST_BATCH", 100)
    monkeypatch.setattr(demo, "RESIDENT_BATCH", 50)
    monkeypatch.setattr(demo_visits, "VISIT_BATCH", 200)
    largest: dict[str, int] = {}
    written: dict[str, int] = {}

    def counting(name: str) -> Any:
        original = getattr(BulkStore, name)

        def insert(self: BulkStore, rows: Any) -> None:
            rows = list(rows)
            largest[name] = max(largest.get(name, 0), len(rows))
            written[name] = written.get(name, 0) + len(rows)
            original(self, rows)

        return insert

    for name in ("insert_residents", "insert_requests", "insert_events", "insert_visits", "insert_plans"):
        monkeypatch.setattr(BulkStore, name, counting(name))
    counts = _build(tmp_path / "demo.db")
    assert written["insert_requests"] == counts["requests"] == 1500
    assert written["insert_residents"] == counts["residents"]
    assert written["insert_visits"] == counts["visits"]
    assert largest["insert_requests"] <= 100
    assert largest["insert_residents"] <= 50
    # A request has at most a dozen events; a resident's visits go in whole after the batch fills.
    assert largest["insert_events"] <= 100 * 12
    assert largest["insert_visits"] < 200 + 60


def test_a_demo_file_has_the_schema_of_a_new_database_and_its_journal_back(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    Workspace.open(fresh).close()
    built = tmp_path / "demo.db"
    build_demo_file(built, "small", seed=2)
    # Indexes and triggers dropped for the load are made again exactly as they were.
    assert _schema(built) == _schema(fresh)
    with sqlite3.connect(built) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_demo_file_holds_the_same_rows_as_a_demo_built_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The file is loaded without a journal; what ends up in it does not change.
    monkeypatch.setattr(Workspace, "now", lambda _self: NOW)
    _build(tmp_path / "in_place.db", seed=4)
    build_demo_file(tmp_path / "file.db", "small", seed=4)
    for table in BUILT:
        assert _rows(tmp_path / "in_place.db", table) == _rows(tmp_path / "file.db", table), table


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "demo.db"
    _build(path)
    yield path


def test_each_requests_history_ends_in_its_status(built: Path) -> None:
    with sqlite3.connect(built) as con:
        wrong = con.execute(
            "SELECT count(*) FROM requests r WHERE r.status <> ("
            " SELECT e.to_status FROM request_events e WHERE e.request_id = r.id ORDER BY e.at DESC, e.id DESC"
            " LIMIT 1)"
        ).fetchone()[0]
        facts = con.execute(
            "SELECT count(*) FROM requests r JOIN request_facts f ON f.request_id = r.id WHERE f.status = r.status"
        ).fetchone()[0]
        total = con.execute("SELECT count(*) FROM requests").fetchone()[0]
    assert wrong == 0
    assert facts == total


def test_uuids_grow_in_the_order_rows_are_written(built: Path) -> None:
    # Each unique uuid index takes its keys at its end (issue #13): no random page per row.
    with sqlite3.connect(built) as con:
        for table in BUILT:
            if table == "number_sequences":
                continue
            values = [u for (u,) in con.execute(f"SELECT uuid FROM {table} ORDER BY rowid")]
            assert values and values == sorted(values), table
            assert {uuid.UUID(u).version for u in values} == {7}, table


def test_facts_made_after_the_load_are_the_facts_kept_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(tmp_path / "after.db")
    # The trigger kept live through the load, as before the bulk rebuild.
    monkeypatch.setattr(StatsStore, "stop_keeping_facts", lambda _self: None)
    monkeypatch.setattr(StatsStore, "rebuild_kept_facts", lambda _self: None)
    _build(tmp_path / "kept.db")
    assert _rows(tmp_path / "after.db", "request_facts") == _rows(tmp_path / "kept.db", "request_facts")
    assert len(_rows(tmp_path / "after.db", "request_facts")) == 1500


def test_indexes_kept_during_the_load_are_the_ordered_ones(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "x.db") as ws, ws.atomic():
        dropped = BulkStore(ws.db, ws.device.tag).drop_request_indexes(keep=demo_requests._ORDERED_INDEXES)
        left = {n for (n,) in ws.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert set(demo_requests._ORDERED_INDEXES) <= left
    assert not any(name in sql for name in demo_requests._ORDERED_INDEXES for sql in dropped)
    assert dropped


def test_indexes_made_after_a_large_load_are_those_of_a_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_requests, "DROP_INDEXES_FROM", 0)
    fresh = tmp_path / "fresh.db"
    Workspace.open(fresh).close()
    monkeypatch.setattr(Workspace, "now", lambda _self: NOW)
    build_demo_file(tmp_path / "large_way.db", "small", seed=4)
    _build(tmp_path / "in_place.db", seed=4)
    assert _schema(tmp_path / "large_way.db") == _schema(fresh)
    for table in (*BUILT, "request_facts"):
        assert _rows(tmp_path / "large_way.db", table) == _rows(tmp_path / "in_place.db", table), table
