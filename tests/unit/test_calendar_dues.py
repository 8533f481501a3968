"""Holidays entered later move the due times of the open requests they decide (issue #11 left this
out): a 代办 request received on 2026-12-30 counted 2027-01-01 as a working day while 2027 was unknown."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import Clock
from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.enums import Status
from xianghe_desk.operations.calendar import set_official_year
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace

RECEIVED = datetime(2026, 12, 30, 9, 0)  # a Wednesday


@pytest.fixture
def requests(ws: Workspace, clock: Clock) -> dict[str, int]:
    clock.current = datetime(2026, 12, 30, 17, 0)
    village = PlaceService(ws).resolve_village("王刘圈村")
    service = RequestService(ws)

    def register(category: str, text: str) -> int:
        return service.register(RequestDraft("phone", category, text, village.id, received_at=RECEIVED)).id

    made = {
        "agent": register("social_insurance", "代办医保"),
        "done": register("social_insurance", "代办社保，已办结"),
        "by_hand": register("social_insurance", "代办证明，时限手工改过"),
        "home": register("repairs", "修水管"),
    }
    request = service.get(made["done"])
    assert request.due_at == datetime(2027, 1, 4, 9, 0)  # 12-31, 01-01 (not known yet), 01-04
    service.cancel(made["done"], "群众已自行办理")
    ws.requests.update(made["by_hand"], {"due_at": "2027-01-08 09:00:00"})
    return made


def test_entering_the_years_holidays_moves_open_due_times(ws: Workspace, requests: dict[str, int]) -> None:
    service = RequestService(ws)
    home_due = service.get(requests["home"]).due_at
    saved = set_official_year(ws, 2027, "2027-01-01 元旦", "").value
    agent = service.get(requests["agent"])
    assert agent.due_at == datetime(2027, 1, 5, 9, 0)  # 12-31, 01-04, 01-05
    assert saved.moved == [agent.number]
    # Not open, set by hand, or counted in hours: left as they were.
    assert service.get(requests["done"]).status is Status.CANCELLED
    assert service.get(requests["done"]).due_at == datetime(2027, 1, 4, 9, 0)
    assert service.get(requests["by_hand"]).due_at == datetime(2027, 1, 8, 9, 0)
    assert service.get(requests["home"]).due_at == home_due
    (entry,) = [e for e in AuditService(ws).entries() if e.action == "settings.holidays"]
    assert f"1 张未办结工单的办理时限随之重算：{agent.number}" in entry.summary
    # Saving the same days again moves nothing.
    assert set_official_year(ws, 2027, "2027-01-01 元旦", "").value.moved == []
