"""The month's figures (contract §3) on hand-built histories with a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Clock
from tests.helpers import CONTRACT_KEYS, EXTRA_KEYS
from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction, Urgency
from xianghe_desk.domain.figures import (
    Names,
    RequestFact,
    compute_figures,
    month_bounds,
    parse_month,
    previous_month,
    rate,
)
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.workspace import Workspace

NOW = datetime(2026, 11, 26, 10, 0)


def _at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute)


class History:
    """Requests in 2026-11 with known fates (times chosen so that every figure can be worked out).

    A  渠口镇王刘圈村 维修帮扶(上门)  11-02 09:00 → done 11:00 (2 h) → 满意
    B  渠口镇王刘圈村 社保医保代办     11-02 10:00, due 11-05 10:00 → done 11-06 10:00 (96 h, late) → 基本满意
    C  淑阳镇刘庄村   环境卫生 紧急    11-03 08:00, due 10:00 → still in progress (overdue)
    D  刘宋镇刘庄村   维修帮扶         11-03 09:00 → cancelled
    E  渠口镇王刘圈村 生活照料(上门)  11-04 10:00 → done 12:00 (2 h), no follow-up
    F  渠口镇王刘圈村 证照代办         11-05 09:00 → done 15:00 → 不满意 16:00 → reopened 11-06 09:00
                                        → done again 11-08 09:00 (72 h) → 满意 11-09 09:00
    G  渠口镇王刘圈村 维修帮扶         10-31 23:00 (October: never counted in November)
    H  刘宋镇刘庄村   维修帮扶         11-20 10:00, due 11-21 10:00 → untouched (overdue at 11-26)
    """

    def __init__(self, ws: Workspace, clock: Clock) -> None:
        self.ws, self.clock = ws, clock
        self.service = RequestService(ws)
        places = PlaceService(ws)
        self.wlq = places.resolve_village("王刘圈村")
        self.lz_shuyang = places.resolve_village("刘庄村", "淑阳镇")
        self.lz_liusong = places.resolve_village("刘庄村", "刘宋镇")
        members = MemberService(ws)
        self.member = {
            v.id: members.add(MemberDraft(name, phone, v.town_id, v.id)).id
            for v, name, phone in (
                (self.wlq, "李建国", "13812340001"),
                (self.lz_shuyang, "王秀英", "13812340002"),
                (self.lz_liusong, "张志强", "13812340003"),
            )
        }
        self.ids: dict[str, int] = {}
        s = self.service
        self.go(_at(31, 23, month=10))
        self.ids["G"] = self.new(self.wlq, "repairs")
        self.go(_at(2, 9))
        self.ids["A"] = self.new(self.wlq, "repairs")
        self.go(_at(2, 9, 30))
        self.dispatch("A", self.wlq)
        self.go(_at(2, 10))
        self.ids["B"] = self.new(self.wlq, "social_insurance")
        self.go(_at(2, 10, 30))
        self.dispatch("B", self.wlq)
        self.go(_at(2, 11))
        s.complete(self.ids["A"], "on_the_spot", "修好了")
        self.go(_at(3, 8))
        self.ids["C"] = self.new(self.lz_shuyang, "sanitation", Urgency.URGENT)
        self.go(_at(3, 8, 10))
        self.dispatch("C", self.lz_shuyang)
        self.go(_at(3, 8, 20))
        s.start(self.ids["C"])
        self.go(_at(3, 9))
        s.follow_up(self.ids["A"], FeedbackRoute.PHONE, Satisfaction.SATISFIED)
        self.ids["D"] = self.new(self.lz_liusong, "repairs")
        self.go(_at(3, 9, 5))
        s.cancel(self.ids["D"], "重复登记")
        self.go(_at(4, 10))
        self.ids["E"] = self.new(self.wlq, "daily_care")
        self.go(_at(4, 10, 10))
        self.dispatch("E", self.wlq)
        self.go(_at(4, 12))
        s.complete(self.ids["E"], "agent_run", "已照料")
        self.go(_at(5, 9))
        self.ids["F"] = self.new(self.wlq, "certificates")
        self.go(_at(5, 9, 10))
        self.dispatch("F", self.wlq)
        self.go(_at(5, 15))
        s.complete(self.ids["F"], "explained", "已解答")
        self.go(_at(5, 16))
        s.follow_up(self.ids["F"], FeedbackRoute.PHONE, Satisfaction.UNSATISFIED)
        self.go(_at(6, 9))
        s.reopen(self.ids["F"], "群众不满意")
        self.go(_at(6, 10))
        s.complete(self.ids["B"], "referred", "已转社保所")
        self.go(_at(7, 11))
        s.follow_up(self.ids["B"], FeedbackRoute.IN_PERSON, Satisfaction.BASICALLY)
        self.go(_at(8, 9))
        s.complete(self.ids["F"], "on_the_spot", "已补办")
        self.go(_at(9, 9))
        s.follow_up(self.ids["F"], FeedbackRoute.PHONE, Satisfaction.SATISFIED)
        self.go(_at(20, 10))
        self.ids["H"] = self.new(self.lz_liusong, "repairs")
        self.go(NOW)

    def go(self, when: datetime) -> None:
        assert when >= self.clock.current, "the story is told in time order"
        self.clock.current = when

    def new(self, village: Any, category: str, urgency: Urgency = Urgency.NORMAL) -> int:
        draft = RequestDraft("phone", category, "群众诉求", village.id, urgency=urgency, person_name="张三")
        return self.service.register(draft).id

    def dispatch(self, key: str, village: Any) -> None:
        self.service.dispatch(self.ids[key], self.member[village.id])

    def figures(
        self, as_of: datetime | None = None, town: str | None = None, village: str | None = None
    ) -> dict[str, Any]:
        stats = StatsService(self.ws)
        return stats.figures("2026-11", stats.scope(town, village), as_of)


@pytest.fixture
def history(ws: Workspace) -> History:
    clock = Clock(datetime(2026, 10, 31, 22, 0))
    ws.clock = clock
    return History(ws, clock)


def _head(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in figures.items() if not k.startswith("by_") and k not in ("scope", "as_of", "month")
    }


def test_the_histories_are_as_described(history: History) -> None:
    service = history.service
    assert service.get(history.ids["B"]).due_at == _at(5, 10)
    assert service.get(history.ids["C"]).due_at == _at(3, 10)
    assert service.get(history.ids["F"]).due_at == _at(10, 9)  # Thu 11-05 → Fri, Mon, Tue
    assert [e.action for e in service.events(history.ids["F"])] == [
        "received",
        "dispatched",
        "completed",
        "followed_up",
        "reopened",
        "completed",
        "followed_up",
    ]


def test_figures_now(history: History) -> None:
    figures = history.figures()
    assert set(figures) == CONTRACT_KEYS | EXTRA_KEYS
    assert figures["month"] == "2026-11"
    assert figures["as_of"] == "2026-11-26 10:00:00"
    assert figures["scope"] == {"level": "county", "name": "香河县", "code": "131024"}
    assert _head(figures) == {
        "received": 6,  # A B C E F H; D cancelled, G in October
        "completed": 4,  # A B E F
        "completion_rate": 66.7,
        "rated": 3,  # A B F (F's 不满意 was superseded by its second follow-up)
        "satisfied": 2,
        "basically_satisfied": 1,
        "unsatisfied": 0,
        "satisfaction_rate": 100.0,
        "overdue": 3,  # B completed late, C and H open past due
        "avg_hours_to_complete": 43.0,  # (2 + 96 + 2 + 72) / 4
        "home_visits": 2,  # A and E are 上门服务 and completed
        "visits_due": 0,
        "visits_done": 0,
        "visit_coverage_rate": 0.0,
    }


def test_breakdowns_use_chinese_names(history: History) -> None:
    figures = history.figures()
    category = figures["by_category"]
    assert category["维修帮扶"] == {
        "received": 2,
        "completed": 1,
        "completion_rate": 50.0,
    }  # A, H (D cancelled)
    assert category["社保医保代办"] == {"received": 1, "completed": 1, "completion_rate": 100.0}
    assert category["环境卫生"] == {"received": 1, "completed": 0, "completion_rate": 0.0}
    assert category["治安稳定"] == {"received": 0, "completed": 0, "completion_rate": 0.0}
    assert sum(v["received"] for v in category.values()) == figures["received"]
    assert figures["by_channel"]["服务电话"] == {"received": 6, "completed": 4, "completion_rate": 66.7}
    assert figures["by_channel"]["12345热线"]["received"] == 0
    assert figures["by_method"]["现场办结"]["completed"] == 2  # A, and F's last completion
    assert figures["by_method"]["转部门办理"]["completed"] == 1
    assert figures["by_method"]["代办代跑"]["completed"] == 1
    assert figures["by_method"]["政策解答"]["completed"] == 0  # F's first completion did not hold
    assert figures["by_town"]["渠口镇"] == {"received": 4, "completed": 4, "completion_rate": 100.0}
    assert figures["by_town"]["淑阳镇"] == {"received": 1, "completed": 0, "completion_rate": 0.0}
    assert figures["by_town"]["刘宋镇"] == {"received": 1, "completed": 0, "completion_rate": 0.0}
    assert len(figures["by_town"]) == 11
    groups = figures["by_category_group"]
    assert groups["上门服务"]["received"] == 3 and groups["代办服务"]["received"] == 2
    assert groups["治理诉求"]["received"] == 1


def test_repeated_village_names_are_qualified_by_town(history: History) -> None:
    villages = history.figures()["by_village"]
    assert "刘庄村" not in villages
    assert villages["淑阳镇刘庄村"] == {"received": 1, "completed": 0, "completion_rate": 0.0}
    assert villages["刘宋镇刘庄村"] == {"received": 1, "completed": 0, "completion_rate": 0.0}
    assert villages["钱旺镇刘庄村"]["received"] == 0
    assert villages["王刘圈村"]["received"] == 4
    assert len(villages) == 331 - 1  # the development zone's virtual community is not listed
    # Within one town the name is unique again.
    assert "刘庄村" in history.figures(town="淑阳镇")["by_village"]


def test_as_of_before_the_rework(history: History) -> None:
    """11-06 09:30: B not yet completed (open, overdue); F reopened (open, its rating undone)."""
    assert _head(history.figures(as_of=_at(6, 9, 30))) == {
        "received": 5,  # H not yet received
        "completed": 2,  # A E
        "completion_rate": 40.0,
        "rated": 1,
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 0,
        "satisfaction_rate": 100.0,
        "overdue": 2,  # B open past 11-05 10:00, C
        "avg_hours_to_complete": 2.0,
        "home_visits": 2,
        "visits_due": 0,
        "visits_done": 0,
        "visit_coverage_rate": 0.0,
    }


def test_as_of_while_the_resident_was_unsatisfied(history: History) -> None:
    figures = history.figures(as_of=_at(5, 17))
    assert (figures["received"], figures["completed"], figures["rated"]) == (5, 3, 2)
    assert (figures["satisfied"], figures["unsatisfied"]) == (1, 1)
    assert figures["satisfaction_rate"] == 50.0
    assert figures["avg_hours_to_complete"] == 3.3  # (2 + 2 + 6) / 3
    assert figures["by_method"]["政策解答"]["completed"] == 1
    assert figures["as_of"] == "2026-11-05 17:00:00"


def test_as_of_reads_a_past_moment_the_same_way_later(history: History) -> None:
    as_of = _at(10, 12)
    first = history.figures(as_of=as_of)
    assert (first["received"], first["completed"], first["rated"], first["overdue"]) == (5, 4, 3, 2)
    # Work done after the moment does not change what the moment's figures say.
    history.clock.current = NOW + timedelta(hours=1)
    history.service.dispatch(history.ids["H"], history.member[history.lz_liusong.id])
    history.service.complete(history.ids["H"], "on_the_spot", "修好了")
    assert history.figures(as_of=as_of) == first
    assert history.figures()["completed"] == 5


def test_request_received_after_as_of_is_not_counted(history: History) -> None:
    before_h = history.figures(as_of=_at(20, 9, 59))
    at_h = history.figures(as_of=_at(20, 10))
    assert at_h["received"] == before_h["received"] + 1


def test_scopes(history: History) -> None:
    town = history.figures(town="渠口镇")
    assert town["scope"] == {"level": "town", "name": "渠口镇", "code": "131024102"}
    assert (town["received"], town["completed"], town["overdue"]) == (4, 4, 1)
    assert history.figures(town="131024102") == town
    assert history.figures(town="102") == town
    village = history.figures(village="王刘圈村")
    assert village["scope"] == {"level": "village", "name": "王刘圈村", "code": "131024102201"}
    assert _head(village) == _head(town)
    assert list(village["by_village"]) == ["王刘圈村"]
    liusong = history.figures(town="刘宋镇")
    assert (liusong["received"], liusong["completed"], liusong["overdue"]) == (1, 0, 1)  # H; D cancelled
    shuyang_lz = history.figures(village="刘庄村", town="淑阳镇")
    assert shuyang_lz["received"] == 1 and shuyang_lz["scope"]["code"] == "131024100206"


def test_empty_month_gives_zeros(history: History) -> None:
    stats = StatsService(history.ws)
    figures = stats.figures("2026-08", stats.scope())
    for key in CONTRACT_KEYS - {"by_category", "by_channel", "by_method", "by_town", "by_village"}:
        assert figures[key] == 0, key
    assert all(
        v == {"received": 0, "completed": 0, "completion_rate": 0.0} for v in figures["by_town"].values()
    )
    october = stats.figures("2026-10", stats.scope())
    assert october["received"] == 1  # G


# --- the pure parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (256, 259, 98.8),  # the source article's example
        (0, 0, 0.0),
        (0, 5, 0.0),
        (5, 5, 100.0),
        (1, 3, 33.3),
        (2, 3, 66.7),
        (1, 16, 6.3),  # 6.25 → half-up, not banker's 6.2
        (3, 16, 18.8),  # 18.75
        (1, 80, 1.3),  # 1.25: float rounding would give 1.2
        (1, 8, 12.5),
    ],
)
def test_rate_rounds_half_up(part: int, whole: int, expected: float) -> None:
    assert rate(part, whole) == expected


def _fact(fid: int, received: datetime, completed: datetime | None, status: str, **kw: Any) -> RequestFact:
    return RequestFact(
        id=fid,
        received_at=received,
        due_at=received + timedelta(hours=24),
        status=status,
        completed_at=completed,
        method=kw.get("method", "on_the_spot" if completed else None),
        satisfaction=kw.get("satisfaction"),
        category=kw.get("category", "repairs"),
        channel="phone",
        town_id=1,
        village_id=1,
    )


def test_average_hours_round_half_up() -> None:
    start = datetime(2026, 11, 2, 9)
    facts = [_fact(1, start, start + timedelta(minutes=15), "completed")]  # 0.25 h
    assert compute_figures(facts, NOW, Names())["avg_hours_to_complete"] == 0.3
    facts.append(_fact(2, start, start + timedelta(minutes=30), "completed"))  # mean 0.375
    assert compute_figures(facts, NOW, Names())["avg_hours_to_complete"] == 0.4


def test_compute_figures_counts_cancelled_nowhere() -> None:
    start = datetime(2026, 11, 2, 9)
    facts = [
        _fact(1, start, None, "cancelled"),
        _fact(2, start, start + timedelta(hours=30), "closed", satisfaction="unsatisfied"),
    ]
    names = Names(categories={"repairs": "维修帮扶"}, category_groups={"repairs": "home"})
    figures = compute_figures(facts, NOW, names, visits_logged=3, visits_due=4, visits_done=3)
    assert (figures["received"], figures["completed"], figures["overdue"]) == (1, 1, 1)
    assert (figures["rated"], figures["unsatisfied"], figures["satisfaction_rate"]) == (1, 1, 0.0)
    assert figures["home_visits"] == 1 + 3
    assert figures["visit_coverage_rate"] == 75.0
    assert figures["by_category"] == {"维修帮扶": {"received": 1, "completed": 1, "completion_rate": 100.0}}


def test_month_helpers() -> None:
    assert month_bounds("2026-12") == (datetime(2026, 12, 1), datetime(2027, 1, 1))
    assert previous_month("2026-01") == "2025-12"
    for text in ("2026-11", "202611", "2026年11月", "２０２６－１１", "2026/11"):
        assert parse_month(text) == "2026-11", text
    for bad in ("2026-13", "26-11", "十一月", "", "2026-00"):
        with pytest.raises(ValueError):
            parse_month(bad)
