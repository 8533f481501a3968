"""How figures read (issue #8): 平均办结时长 says 「小时」, a rate of a month without requests is 「—」
(not 「0.0%」), and a request a few seconds late is 「超期 不足1分钟」 (not 「超0.0小时」)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.enums import Urgency
from xianghe_desk.ui.pages.dashboard import DashboardPage
from xianghe_desk.ui.pages.reports import ReportsPage
from xianghe_desk.ui.widgets.fmt import fmt_duration

# A month after the demo's last request: nothing received yet.
EMPTY_MONTH = datetime(2027, 3, 2, 9, 0)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (0.0, "不足1分钟"),
        (20 / 3600, "不足1分钟"),
        (59 / 3600, "不足1分钟"),
        (1 / 60, "1分钟"),
        (0.5, "30分钟"),
        (59.9 / 60, "59分钟"),
        (1.0, "1小时"),
        (5.99, "5小时"),
        (24.0, "1天"),
        (75.5, "3天3小时"),
    ],
)
def test_durations_read_as_a_clerk_says_them(hours, text):
    assert fmt_duration(hours) == text


def test_dashboard_overdue_list_says_less_than_a_minute(qtbot, ctx, clock):
    village = ctx.places.villages(ctx.ws.home_town_id())[0]
    request = ctx.requests.register(
        RequestDraft("phone", "repairs", "漏水", village.id, urgency=Urgency.URGENT, person_name="张三")
    )
    clock.current = request.due_at + timedelta(seconds=20)
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    model = page.overdue_model
    row = next(r for r in range(model.rowCount()) if model.row_object(r).id == request.id)
    shown = model.index(row, model.column_index("overdue")).data()
    assert shown == "超期 不足1分钟"
    assert "0.0" not in shown


def test_dashboard_rates_of_an_empty_month_are_a_dash(qtbot, ctx, clock):
    clock.current = EMPTY_MONTH
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)
    assert page.figures is not None and page.figures.received == 0
    assert page.tiles["completion_rate"].value == "—"
    assert page.tiles["completion_rate"].caption == "本月还没有受理工单"
    assert page.tiles["satisfaction_rate"].value == "—"


def test_dashboard_rate_of_a_busy_month_is_a_percentage(qtbot, ctx):
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=5000)
    assert page.figures is not None and page.figures.received > 0
    assert page.tiles["completion_rate"].value == f"{page.figures.completion_rate:.1f}%"


def test_report_tiles_of_an_empty_month(qtbot, ctx, clock):
    clock.current = EMPTY_MONTH
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.current is not None, timeout=5000)
    assert page.current is not None and page.current.figures["received"] == 0
    for key in ("completion_rate", "satisfaction_rate", "avg_hours_to_complete"):
        assert page.tiles[key].value == "—", key
    assert page.tiles["completion_rate"].caption == "本月还没有受理工单"
    assert page.tiles["received"].value == "0"


def test_report_tiles_give_hours_and_compare_with_last_month(qtbot, ctx):
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.activate(month="2026-10")
    qtbot.waitUntil(lambda: page.current is not None and page.current.choice.month == "2026-10", timeout=5000)
    assert page.current is not None
    hours = page.current.figures["avg_hours_to_complete"]
    assert page.tiles["avg_hours_to_complete"].value == f"{hours:.1f}小时"
    assert page.tiles["avg_hours_to_complete"].caption.startswith(("较上月", "与上月持平"))
