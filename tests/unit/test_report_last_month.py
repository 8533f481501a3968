# ruff: noqa: F811 - the history fixture comes from test_stats
"""Last month on the summary's cover (issue #13): StatsService.headline, counted without grouping,
gives exactly StatsService.figures without the by_* breakdowns, so the cover's 上月 and 与上月相比
columns read as they did when last month was counted in full."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.unit.test_stats import History, history  # noqa: F401
from xianghe_desk.domain.figures import MonthCounts, month_bounds, previous_month, totals_of
from xianghe_desk.services.reports import ReportService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.workspace import Workspace


def without_breakdowns(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if not k.startswith("by_")}


def assert_headline_is_figures(
    ws: Workspace, month: str, as_of: datetime, **scope: str | None
) -> dict[str, Any]:
    stats = StatsService(ws)
    chosen = stats.scope(**scope)
    headline = stats.headline(month, chosen, as_of)
    full = without_breakdowns(stats.figures(month, chosen, as_of))
    assert headline == full, (month, as_of, scope)
    assert list(headline) == list(full), "the same keys in the same order"
    return headline


def test_the_headline_is_the_figures_without_breakdowns_at_every_moment(history: History) -> None:
    ws = history.ws
    moments = [datetime(2026, 11, 1) + timedelta(hours=7 * i) for i in range(110)]
    for as_of in moments:
        assert_headline_is_figures(ws, "2026-11", as_of)
    for town, village in (
        (None, None),
        ("渠口镇", None),
        ("刘宋镇", None),
        ("淑阳镇", "刘庄村"),
        (None, "王刘圈村"),
    ):
        for month in ("2026-10", "2026-11", "2026-12"):
            assert_headline_is_figures(ws, month, datetime(2026, 11, 26, 10), town=town, village=village)


def test_the_story_counts_as_told(history: History) -> None:
    """The figures test_stats works out by hand, through the headline (A, B, E, F done; B late,
    C and H overdue; A and F satisfied, B basically; D cancelled)."""
    stats = StatsService(history.ws)
    headline = stats.headline("2026-11", stats.scope(), datetime(2026, 11, 26, 10))
    assert headline["received"] == 6
    assert headline["completed"] == 4
    assert headline["overdue"] == 3
    assert (headline["rated"], headline["satisfied"], headline["basically_satisfied"]) == (3, 2, 1)
    assert headline["unsatisfied"] == 0
    # A 2 h, B 96 h, E 2 h, F 72 h from its receipt to its last 完成.
    assert headline["avg_hours_to_complete"] == 43.0
    assert headline["home_visits"] == 2  # A 维修帮扶 and E 生活照料 are 上门服务


def test_the_demo_months_headline_is_their_figures(demo_ws: Workspace) -> None:
    """Care visits, 上门 categories and every town and village of a demo county's months."""
    stats = StatsService(demo_ws)
    as_of = demo_ws.now()
    for month in ("2026-09", "2026-10", "2026-11"):
        headline = assert_headline_is_figures(demo_ws, month, as_of)
        assert headline["received"] and headline["rated"] and headline["overdue"], month
        assert headline["visits_due"] and headline["visits_done"] and headline["home_visits"], month
    for town in demo_ws.towns.all():
        assert_headline_is_figures(demo_ws, "2026-11", as_of, town=town.code)
    for village in stats.places.villages(None)[:8]:
        assert_headline_is_figures(demo_ws, "2026-10", as_of, village=village.code or village.short_name)


def test_the_totals_add_up_the_counts(demo_ws: Workspace) -> None:
    """StatsStore.month_totals is domain.figures.totals_of of month_counts for the same scope."""
    stats = StatsService(demo_ws)
    groups = stats.names(stats.scope()).category_groups
    home = [code for code, group in groups.items() if group == "home"]
    start, end = month_bounds("2026-11")
    for as_of in (datetime(2026, 11, 10), demo_ws.now()):
        counts: MonthCounts = demo_ws.stats.month_counts(start, end, as_of)
        assert demo_ws.stats.month_totals(start, end, as_of, home_categories=home) == totals_of(
            counts, groups
        )
    empty = demo_ws.stats.month_totals(*month_bounds("2030-01"), demo_ws.now(), home_categories=home)
    assert empty == totals_of(MonthCounts(), groups)


@pytest.mark.parametrize("scope", [{}, {"town": "渠口镇"}, {"village": "王刘圈村"}])
def test_the_covers_last_month_reads_as_when_counted_in_full(history: History, scope: dict[str, str]) -> None:
    service = ReportService(history.ws)
    chosen = service.stats.scope(**scope)
    as_of = datetime(2026, 11, 26, 10)
    report = service.monthly("2026-12", chosen, as_of)
    full = service.stats.figures(previous_month("2026-12"), chosen, as_of)
    assert report.previous == without_breakdowns(full)
    assert report.headline == service._headline_table(report.figures, full)
    assert report.summary == service._summary_text(report.figures, full)


def test_seconds_to_complete_are_strftimes_for_any_text(ws: Workspace) -> None:
    """The month's seconds to complete come from julianday's milliseconds: the same integers as
    strftime('%s') differences, for whole seconds, fractions, a 'T' or a date alone."""
    from xianghe_desk.store.stats import _epoch

    texts = [
        "2026-11-03 10:00:00",
        "2026-11-03 10:00:00.999",
        "2026-11-03T10:00:59.5",
        "2026-11-03 10:00",
        "2026-11-03",
        "1999-12-31 23:59:59.999999",
        "2038-01-19 03:14:08",
    ]
    for done in texts:
        for received in texts:
            row = ws.db.execute(
                f"SELECT strftime('%s', :d) - strftime('%s', :r), {_epoch(':d')} - {_epoch(':r')}",
                {"d": done, "r": received},
            ).fetchone()
            assert row[0] == row[1], (done, received)
            assert isinstance(row[1], int)
