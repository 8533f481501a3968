"""The request workflow through the services: intake, dispatch, completion, follow-up, figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from xianghe_desk.domain.drafts import MemberDraft, RequestDraft, ResidentDraft
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction, Status, Urgency
from xianghe_desk.domain.errors import TransitionError, ValidationError
from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService


@pytest.fixture
def village(ws):
    return PlaceService(ws).resolve_village("王刘圈村")


@pytest.fixture
def member(ws, village):
    grid = PlaceService(ws).add_grid(village.id, "第一网格")
    saved = MemberService(ws).add(
        MemberDraft("李建国", "13812345678", village.town_id, village.id, grid_ids=(grid,))
    )
    return MemberService(ws).get(saved.id)


def test_register_dispatch_complete_follow_up(ws, clock, village, member):
    service = RequestService(ws)
    request = service.register(
        RequestDraft("phone", "social_insurance", "代办医保缴费", village.id, person_name="张三")
    )
    assert request.status is Status.RECEIVED
    assert parse_number(request.number) is not None
    # 代办服务: three working days on the official calendar (2026-11-26 is a Thursday).
    assert request.due_at == datetime(2026, 12, 1, 10, 0)
    clock.advance(minutes=30)
    request = service.dispatch(request.id, member.id, note="请今天上门")
    assert (request.status, request.handler_id) == (Status.DISPATCHED, member.id)
    clock.advance(hours=2)
    request = service.complete(request.id, "agent_run", "已代缴")
    assert request.status is Status.COMPLETED
    clock.advance(hours=20)
    request = service.follow_up(request.id, FeedbackRoute.PHONE, Satisfaction.SATISFIED)
    assert request.status is Status.CLOSED
    actions = [e.action for e in service.events(request.id)]
    assert actions == ["received", "dispatched", "completed", "followed_up"]
    figures = StatsService(ws).figures("2026-11", StatsService(ws).scope())
    assert (figures["received"], figures["completed"], figures["satisfied"]) == (1, 1, 1)
    assert figures["completion_rate"] == 100.0


def test_illegal_transition_is_refused_and_writes_nothing(ws, village):
    service = RequestService(ws)
    request = service.register(RequestDraft("phone", "repairs", "修水管", village.id))
    before = service.events(request.id)
    with pytest.raises(TransitionError, match="派单"):
        service.complete(request.id, "on_the_spot", "修好了")
    assert service.get(request.id).status is Status.RECEIVED
    assert service.events(request.id) == before


def test_urgent_due_in_two_hours_and_overdue_is_derived(ws, clock, village):
    service = RequestService(ws)
    request = service.register(RequestDraft("phone", "repairs", "漏水", village.id, urgency=Urgency.URGENT))
    assert request.due_at == clock.current + timedelta(hours=2)
    assert not request.is_overdue(clock.current)
    clock.advance(hours=3)
    assert service.count(RequestFilter(overdue_only=True)) == 1


def test_search_by_initials_name_phone_and_number(ws, village):
    residents = ResidentService(ws)
    saved = residents.add(ResidentDraft("单雄信", village.id, phone="13912345678"))
    service = RequestService(ws)
    request = service.register(RequestDraft("phone", "repairs", "修门", village.id, resident_id=saved.id))
    for text in ("sxx", "SX", "单雄", "单", "5678", "139123", request.number.lower().replace("-", "")):
        assert [r.id for r in service.list(RequestFilter(text=text))] == [request.id], text
    assert service.list(RequestFilter(text="dxx")) == []


def test_bad_input_names_the_field(ws, village):
    with pytest.raises(ValidationError) as info:
        ResidentService(ws).add(ResidentDraft("王五", village.id, id_number="131024194503120011"))
    assert info.value.field == "id_number"
    with pytest.raises(ValidationError) as info:
        RequestService(ws).register(RequestDraft("phone", "repairs", "   ", village.id))
    assert info.value.field == "content"


def test_source_article_example_rounds_to_98_8(ws, clock, village, member):
    from xianghe_desk.domain.figures import rate

    assert rate(256, 259) == 98.8
    assert rate(0, 0) == 0.0
