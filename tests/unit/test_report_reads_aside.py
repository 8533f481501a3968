# ruff: noqa: F811 - the history fixture comes from test_stats
"""The summary's requests counted on a connection of their own while its own reads the care visits
(issue #13: two cores for a county summary): the same summary as one connection gives, the side
reads really used, and the summary's own connection taking over when the side one cannot open."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest

from tests.unit.test_stats import History, history  # noqa: F401
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.pdf.monthly_report import MonthlyReport
from xianghe_desk.services import encryption, report_figures
from xianghe_desk.services.reports import ReportService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.db import KnownStoreError

STATS_READS = ("month_counts", "month_totals", "listed_facts")


def counted(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the workspace's own stats store is asked for each read."""
    calls = dict.fromkeys(STATS_READS, 0)
    for name in STATS_READS:
        read = getattr(ws.stats, name)

        def wrapped(*args: Any, _name: str = name, _read: Any = read, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _read(*args, **kwargs)

        monkeypatch.setattr(ws.stats, name, wrapped)
    return calls


def same(a: MonthlyReport, b: MonthlyReport) -> None:
    assert a.figures == b.figures
    assert a.previous == b.previous
    assert a.summary == b.summary
    assert a.all_tables() == b.all_tables()
    assert a.sections == b.sections


def summaries(
    ws: Workspace, month: str, as_of: datetime, **scope: str
) -> tuple[MonthlyReport, MonthlyReport]:
    alone = ReportService(ws)
    aside = ReportService(ws)
    chosen = alone.stats.scope(**scope)
    return alone.monthly(month, chosen, as_of), aside.monthly(month, chosen, as_of, read_aside=True)


@pytest.mark.parametrize(
    "scope", [{}, {"town": "渠口镇"}, {"village": "王刘圈村"}, {"town": "淑阳镇", "village": "刘庄村"}]
)
def test_reading_aside_gives_the_same_summary(history: History, scope: dict[str, str]) -> None:
    for month in ("2026-11", "2026-12"):
        one, two = summaries(history.ws, month, datetime(2026, 11, 26, 10), **scope)
        same(one, two)


def test_the_demo_countys_summary_is_the_same_read_aside(demo_ws: Workspace) -> None:
    as_of = demo_ws.now()
    one, two = summaries(demo_ws, "2026-11", as_of)
    assert one.figures["received"] and one.figures["visits_due"]
    same(one, two)
    town = demo_ws.towns.all()[0]
    same(*summaries(demo_ws, "2026-10", as_of, town=town.code))


def test_the_side_reads_are_the_ones_the_summary_makes(
    demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Every stats read of a summary is made aside, none again on the summary's own connection:
    a village's summary reads its village and its town's ranking."""
    calls = counted(demo_ws, monkeypatch)
    service = ReportService(demo_ws)
    busiest = demo_ws.db.execute(
        "SELECT village_id FROM requests GROUP BY village_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    village = demo_ws.villages.get(busiest)
    assert village is not None
    with caplog.at_level(logging.WARNING):
        for scope in (service.stats.scope(), service.stats.scope(village=village.code or village.short_name)):
            report = service.monthly("2026-11", scope, demo_ws.now(), read_aside=True)
            assert report.figures["received"]
    assert calls == dict.fromkeys(STATS_READS, 0)
    assert not caplog.records
    ReportService(demo_ws).monthly("2026-11", service.stats.scope(), demo_ws.now())
    assert calls == {"month_counts": 1, "month_totals": 1, "listed_facts": 1}


def test_the_summarys_own_connection_takes_over(
    demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A file that cannot be opened a second time (locked, gone): the summary reads it all itself."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise KnownStoreError("数据库被占用")

    monkeypatch.setattr(report_figures, "connect", refuse)
    one, two = summaries(demo_ws, "2026-11", demo_ws.now())
    same(one, two)
    assert "side reads failed" in caplog.text


def test_an_error_in_the_block_waits_for_the_side_reads(
    demo_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The visits' read failing ends the summary with its own error; the side thread is over by then."""
    import xianghe_desk.services.reports as reports

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise ValidationError("走访数据有误")

    monkeypatch.setattr(reports, "remember_months", fail)
    service = ReportService(demo_ws)
    with pytest.raises(ValidationError, match="走访数据有误"):
        service.monthly("2026-11", service.stats.scope(), demo_ws.now(), read_aside=True)
    import threading

    assert not [t for t in threading.enumerate() if t.name.startswith("summary-reads")]


@pytest.mark.skipif(not encryption.available(), reason="sqlcipher3 is not installed")
def test_an_encrypted_database_is_read_aside_with_its_key(
    history: History, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from xianghe_desk.operations.accounts import create_first_admin
    from xianghe_desk.services.accounts import AccountService

    ws = history.ws
    create_first_admin(ws, "boss", "first-pass-1")
    AccountService(ws).sign_in("boss", "first-pass-1")
    assert ws.key is not None and encryption.is_encrypted(ws.path)
    calls = counted(ws, monkeypatch)
    with caplog.at_level(logging.WARNING):
        one, two = summaries(ws, "2026-11", datetime(2026, 11, 26, 10))
    same(one, two)
    # No side read failed (the encryption above may have logged its INFO line before this block).
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert calls == {"month_counts": 1, "month_totals": 1, "listed_facts": 1}  # the first summary's only
