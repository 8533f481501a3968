"""Each role at the operations layer: what it may do, what it is refused (in Chinese, nothing written).

The demo database has one account per role (services/accounts.seed_demo_accounts): admin, zhen (镇级
文员 of the demo's town), cun (村级录入员 of one village), lingdao (领导查看).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xianghe_desk.domain.access import PermissionDeniedError, Role
from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft
from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.operations.accounts import add_user
from xianghe_desk.operations.people import add_resident, update_resident
from xianghe_desk.operations.requests import (
    complete_request,
    dispatch_request,
    record_work_orders_printed,
    register_request,
    start_request,
)
from xianghe_desk.services.accounts import DEMO_PASSWORD, AccountService
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace


@pytest.fixture
def as_user(demo_ws: Workspace) -> Iterator[object]:
    def sign_in(name: str) -> Workspace:
        AccountService(demo_ws).sign_in(name, DEMO_PASSWORD)
        return demo_ws

    yield sign_in


def _own_village(ws: Workspace) -> int:
    cun = ws.users.by_name("cun")
    assert cun is not None
    return next(iter(cun.village_ids))


def _other_village(ws: Workspace) -> int:
    own = _own_village(ws)
    town = ws.villages.get(own).town_id  # type: ignore[union-attr]
    return next(v.id for v in ws.villages.in_town(town) if v.id != own)


def _open_request_in(ws: Workspace, village_id: int) -> int:
    ids = RequestService(ws).ids(RequestFilter(village_id=village_id, statuses=(Status.RECEIVED,)))
    if ids:
        return ids[0]
    return RequestService(ws).register(RequestDraft("phone", "social_insurance", "代办医保", village_id)).id


def _counts(ws: Workspace) -> tuple[int, int, int]:
    return ws.requests.count_all(), ws.residents.count(), len(RequestService(ws).events(1))


def test_a_village_clerk_works_in_their_village(as_user) -> None:
    ws = as_user("cun")
    village = _own_village(ws)
    registered = register_request(ws, RequestDraft("phone", "social_insurance", "代办医保续费", village)).value
    assert registered.request.village_id == village
    saved = add_resident(ws, ResidentDraft("周桂兰", village)).value
    assert ws.residents.get(saved.id).village_id == village  # type: ignore[union-attr]


def test_a_village_clerk_is_refused_another_village(as_user) -> None:
    ws = as_user("cun")
    other = _other_village(ws)
    request_id = _open_request_in(ws, other)
    before = _counts(ws)
    with pytest.raises(PermissionDeniedError, match="不在您负责的范围内"):
        register_request(ws, RequestDraft("phone", "social_insurance", "代办", other))
    with pytest.raises(PermissionDeniedError, match="不在您负责的范围内"):
        add_resident(ws, ResidentDraft("王五", other))
    with pytest.raises(PermissionDeniedError, match="不在您负责的范围内"):
        start_request(ws, request_id)
    with pytest.raises(PermissionDeniedError, match="不在您负责的范围内"):
        record_work_orders_printed(ws, [request_id])
    assert _counts(ws) == before
    assert RequestService(ws).get(request_id).status is Status.RECEIVED


def test_a_village_clerk_cannot_move_a_resident_out_of_scope(as_user) -> None:
    ws = as_user("cun")
    saved = add_resident(ws, ResidentDraft("赵秀英", _own_village(ws))).value
    with pytest.raises(PermissionDeniedError):
        update_resident(ws, saved.id, ResidentDraft("赵秀英", _other_village(ws)))
    assert ws.residents.get(saved.id).village_id == _own_village(ws)  # type: ignore[union-attr]


def test_a_viewer_changes_nothing(as_user) -> None:
    ws = as_user("lingdao")
    village = _own_village(ws)
    request_id = _open_request_in(ws, village)
    before = _counts(ws)
    for attempt in (
        lambda: register_request(ws, RequestDraft("phone", "social_insurance", "代办", village)),
        lambda: add_resident(ws, ResidentDraft("钱六", village)),
        lambda: start_request(ws, request_id),
        lambda: add_user(ws, "x", Role.ADMIN, "x-pass-1234"),
    ):
        with pytest.raises(PermissionDeniedError, match="领导查看"):
            attempt()
    assert _counts(ws) == before
    refused = AuditService(ws).entries(kind="refused", user_name="lingdao")
    assert len(refused) == 4


def _handler(ws: Workspace, request_id: int) -> int:
    from xianghe_desk.services.people import MemberService

    request = RequestService(ws).get(request_id)
    return MemberService(ws).handlers_for(request.village_id)[0].id


def test_a_town_clerk_works_across_their_town(as_user) -> None:
    ws = as_user("zhen")
    request_id = _open_request_in(ws, _other_village(ws))
    done = dispatch_request(ws, request_id, _handler(ws, request_id)).value
    assert done.status is Status.DISPATCHED


def test_every_change_is_in_the_audit_trail_with_before_and_after(as_user) -> None:
    ws = as_user("admin")
    request_id = _open_request_in(ws, _own_village(ws))
    dispatch_request(ws, request_id, _handler(ws, request_id))
    start_request(ws, request_id)
    complete_request(ws, request_id, "agent_run", "已代办完毕")
    request = RequestService(ws).get(request_id)
    rows = AuditService(ws).entries(entity_uuid=request.uuid)
    assert [r.action for r in rows][-3:] == ["request.dispatch", "request.start", "request.complete"]
    last = rows[-1]
    assert last.user_name == "admin" and last.role == "admin"
    assert last.detail["before"]["status"] == "办理中" and last.detail["after"]["status"] == "已办结"
    assert request.number in last.summary


def test_the_audit_trail_masks_personal_values(as_user) -> None:
    ws = as_user("admin")
    saved = add_resident(ws, ResidentDraft("孙桂芝", _own_village(ws), id_number="131024194805061222", phone="13912345678")).value
    resident = ws.residents.get(saved.id)
    (row,) = AuditService(ws).entries(entity_uuid=resident.uuid)  # type: ignore[union-attr]
    text = str(row.detail)
    assert "131024194805061222" not in text and "13912345678" not in text
    assert "131024********1222" in text and "139****5678" in text


def test_without_accounts_everything_still_works(ws: Workspace, db_path: Path) -> None:
    from xianghe_desk.services.places import PlaceService

    village = PlaceService(ws).resolve_village("王刘圈村")
    registered = register_request(ws, RequestDraft("phone", "social_insurance", "代办", village.id)).value
    assert registered.request.id
    (row,) = AuditService(ws).entries(kind="create")
    assert row.user_name == ws.actor and row.role == ""


def test_lists_counts_and_search_hold_only_the_clerks_scope(as_user) -> None:
    from xianghe_desk.domain.queries import PersonFilter
    from xianghe_desk.services.people import MemberService, ResidentService

    ws = as_user("admin")
    other = _other_village(ws)
    other_request = RequestService(ws).get(_open_request_in(ws, other))
    everyone = RequestService(ws).count(RequestFilter())
    residents_all = ResidentService(ws).count()
    ws = as_user("cun")
    own = _own_village(ws)
    mine = RequestService(ws).count(RequestFilter())
    assert 0 < mine < everyone
    assert all(r.village_id == own for r in RequestService(ws).list(RequestFilter(), limit=500))
    assert set(RequestService(ws).ids(RequestFilter())) == set(
        RequestService(ws).ids(RequestFilter(village_id=own))
    )
    assert RequestService(ws).count(RequestFilter(village_id=other)) == 0  # asking for more gets nothing
    assert RequestService(ws).find_by_number(other_request.number) is None
    assert 0 < ResidentService(ws).count() < residents_all
    assert all(r.village_id == own for r in ResidentService(ws).list(PersonFilter(), limit=500))
    assert all(m.village_id in (own, None) or m.town_id for m in MemberService(ws).list(PersonFilter(), limit=50))
    ws = as_user("zhen")
    assert RequestService(ws).count(RequestFilter()) == everyone  # the small demo is one town


def test_the_dashboard_series_holds_only_the_clerks_scope(as_user) -> None:
    from xianghe_desk.services.dashboard import DashboardService

    ws = as_user("admin")
    county = sum(p.received for p in DashboardService(ws).monthly_series())
    ws = as_user("cun")
    village = sum(p.received for p in DashboardService(ws).monthly_series())
    assert 0 < village < county
