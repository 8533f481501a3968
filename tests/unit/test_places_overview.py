"""Village and grid edits (PlaceService) and the per-village counts of the 村街 screen."""

from __future__ import annotations

import pytest

from xianghe_desk.domain.drafts import MemberDraft, RequestDraft, ResidentDraft
from xianghe_desk.domain.enums import VillageKind
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services.overview import OverviewService
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService


def test_add_village_derives_short_name_and_kind(ws):
    places = PlaceService(ws)
    town = places.resolve_town("淑阳镇")
    village_id = places.add_village(town.id, "幸福里社区居民委员会", district="城关片区")
    village = places.village(village_id)
    assert (village.short_name, village.kind, village.district) == (
        "幸福里社区",
        VillageKind.COMMUNITY,
        "城关片区",
    )
    assert places.resolve_village("幸福里", "淑阳镇").id == village_id
    with pytest.raises(ValidationError, match="已有村街"):
        places.add_village(town.id, "幸福里社区")
    with pytest.raises(ValidationError, match="12 位") as info:
        places.add_village(town.id, "新村", code="12345")
    assert info.value.field == "code"
    with pytest.raises(ValidationError, match=f"以 {town.code} 开头"):
        places.add_village(town.id, "新村", code="131024999999")


def test_set_district_and_update_grid(ws):
    places = PlaceService(ws)
    village = places.resolve_village("王刘圈村")
    places.set_village_district(village.id, " 东片区 ")
    assert places.village(village.id).district == "东片区"
    first = places.add_grid(village.id, "第一网格")
    places.add_grid(village.id, "第二网格")
    member = MemberService(ws).add(MemberDraft("李建国", "13812345678", village.town_id, village.id))
    places.update_grid(first, "一网格", "01", "李建国", 120, 350, "一组", member.id)
    grid = places.grid(first)
    assert (grid.name, grid.households, grid.default_member_id) == ("一网格", 120, member.id)
    with pytest.raises(ValidationError, match="已有名为「第二网格」"):
        places.update_grid(first, "第二网格")
    other_town = places.resolve_village("康宁社区")
    stranger = MemberService(ws).add(MemberDraft("赵六", "13912345678", other_town.town_id))
    with pytest.raises(ValidationError, match="不是") as info:
        places.update_grid(first, "一网格", default_member_id=stranger.id)
    assert info.value.field == "default_member"


def test_overview_counts_per_village(ws):
    places = PlaceService(ws)
    village = places.resolve_village("王刘圈村")
    grid = places.add_grid(village.id, "第一网格")
    MemberService(ws).add(MemberDraft("李建国", "13812345678", village.town_id, village.id, grid_ids=(grid,)))
    MemberService(ws).add(MemberDraft("镇干部", "13812345679", village.town_id))
    ResidentService(ws).add(ResidentDraft("张三", village.id, grid_id=grid))
    requests = RequestService(ws)
    requests.register(RequestDraft("phone", "repairs", "修门", village.id))
    towns = OverviewService(ws).county()
    assert len(towns) == 11
    town = next(t for t in towns if t.town.id == village.town_id)
    row = next(v for v in town.villages if v.village.id == village.id)
    assert (row.counts.grids, row.counts.members, row.counts.residents, row.counts.open_requests) == (
        1,
        1,
        1,
        1,
    )
    assert row.counts.overdue == 0
    assert town.totals.members == 2  # the town cadre counts for the town
    assert all(v.village.kind is not VillageKind.VIRTUAL for t in towns for v in t.villages)
    assert any(
        v.village.kind is VillageKind.VIRTUAL for t in OverviewService(ws).county(True) for v in t.villages
    )


def test_overview_of_one_town_matches_the_county_and_reads_only_open_requests(small_demo):
    from xianghe_desk.services.workspace import Workspace
    from xianghe_desk.store import overview

    with Workspace.open(small_demo) as ws:
        service = OverviewService(ws)
        county = {v.village.id: v.counts for t in service.county(True) for v in t.villages}
        town_id = ws.home_town_id()
        town = service.county(True, town_id)
        assert [t.town.id for t in town] == [town_id]
        assert town[0].totals.open_requests > 0
        assert all(county[v.village.id] == v.counts for v in town[0].villages)
        # The open-request count goes through the status index, never over the whole history.
        for scope in ("", "AND +town_id = ?"):
            sql = overview._OPEN_BY_VILLAGE.format(town=scope)
            params = ["2026-11-26 10:00:00"] + ([town_id] if scope else [])
            plan = " ".join(row[3] for row in ws.db.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert "SCAN requests" not in plan and "(status=?)" in plan
