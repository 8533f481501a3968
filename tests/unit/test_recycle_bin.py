"""The recycle bin: delete hides, the administrator restores with everything linked, purge blanks (issue #9)."""

from __future__ import annotations

import pytest

from xianghe_desk.domain.access import PermissionDeniedError
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.operations.recycle import bin_items, delete_to_bin, purge_from_bin, restore_from_bin
from xianghe_desk.services.accounts import DEMO_PASSWORD, AccountService
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.workspace import Workspace


def _resident_with_requests(ws: Workspace) -> int:
    counts: dict[int, int] = {}
    for request in RequestService(ws).list(RequestFilter(), limit=2000):
        if request.resident_id:
            counts[request.resident_id] = counts.get(request.resident_id, 0) + 1
    return max(counts, key=lambda rid: counts[rid])


def _sign_in(ws: Workspace, name: str) -> Workspace:
    AccountService(ws).sign_in(name, DEMO_PASSWORD)
    return ws


def test_deleting_a_resident_hides_them_and_their_requests_and_restore_brings_all_back(demo_ws: Workspace) -> None:
    ws = _sign_in(demo_ws, "admin")
    resident_id = _resident_with_requests(ws)
    theirs = RequestService(ws).count(RequestFilter(resident_id=resident_id))
    residents, requests = ResidentService(ws).count(), RequestService(ws).count(RequestFilter())
    month = RequestService(ws).get(RequestService(ws).ids(RequestFilter(resident_id=resident_id))[0]).received_at
    received = StatsService(ws).figures(f"{month:%Y-%m}", StatsService(ws).scope())["received"]

    delete_to_bin(ws, "resident", resident_id)
    assert ResidentService(ws).count() == residents - 1
    assert RequestService(ws).count(RequestFilter()) == requests - theirs
    assert StatsService(ws).figures(f"{month:%Y-%m}", StatsService(ws).scope())["received"] < received
    items = bin_items(ws).value
    assert [(i.kind, i.id) for i in items] == [("resident", resident_id)]  # requests go with them

    restore_from_bin(ws, "resident", resident_id)
    assert ResidentService(ws).count() == residents
    assert RequestService(ws).count(RequestFilter()) == requests
    assert bin_items(ws).value == []


def test_only_the_administrator_restores_or_purges(demo_ws: Workspace) -> None:
    ws = _sign_in(demo_ws, "cun")
    village = next(iter(ws.who.village_ids))
    resident = ResidentService(ws).list(PersonFilter(village_id=village), limit=1)[0]
    delete_to_bin(ws, "resident", resident.id)
    with pytest.raises(PermissionDeniedError, match="村级录入员"):
        restore_from_bin(ws, "resident", resident.id)
    with pytest.raises(PermissionDeniedError, match="村级录入员"):
        purge_from_bin(ws, "resident", resident.id)
    _sign_in(ws, "lingdao")
    with pytest.raises(PermissionDeniedError, match="领导查看"):
        delete_to_bin(ws, "request", RequestService(ws).ids(RequestFilter())[0])


def test_a_village_clerk_cannot_delete_outside_their_village(demo_ws: Workspace) -> None:
    ws = _sign_in(demo_ws, "cun")
    village = next(iter(ws.who.village_ids))
    _sign_in(ws, "admin")
    other = next(r for r in ResidentService(ws).list(PersonFilter(), limit=400) if r.village_id != village)
    _sign_in(ws, "cun")
    with pytest.raises(PermissionDeniedError, match="不在您负责的范围内"):
        delete_to_bin(ws, "resident", other.id)


def test_purge_blanks_personal_data_and_keeps_the_tombstone(demo_ws: Workspace) -> None:
    ws = _sign_in(demo_ws, "admin")
    resident = next(r for r in ResidentService(ws).list(PersonFilter(), limit=400) if r.id_number and r.phone)
    delete_to_bin(ws, "resident", resident.id)
    purge_from_bin(ws, "resident", resident.id)
    row = ws.db.execute("SELECT id_number, phone, deleted_at FROM residents WHERE id = ?", [resident.id]).fetchone()
    assert row[0] is None and row[1] == "" and row[2] is not None
    assert bin_items(ws).value == []
    with pytest.raises(Exception, match="回收站里没有"):
        restore_from_bin(ws, "resident", resident.id)
