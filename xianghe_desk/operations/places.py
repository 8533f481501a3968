"""Village and grid operations: add a village, its 片区, add and change grids, a grid's default handler.

Each needs Permission.EDIT_PLACES and the place must lie within the actor's towns or villages: a
town clerk (镇级文员) edits the places of their town only, an administrator everywhere.
"""

from __future__ import annotations

from typing import Any

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.errors import NotFoundError
from xianghe_desk.domain.models import Grid, Village
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.places import PlaceService


def _village(op: Op, village_id: int) -> Village:
    village = op.ws.villages.get(village_id)
    if village is None:
        raise NotFoundError("所选村街不存在，请重新选择。", field="village")
    op.require_covers(village.town_id, village.id, village.short_name)
    return village


def _grid(op: Op, grid_id: int) -> Grid:
    grid = op.ws.grids.get(grid_id)
    if grid is None:
        raise NotFoundError("这个网格已不存在，请刷新后重新选择。", field="grid")
    op.require_covers(grid.town_id, grid.village_id, f"{grid.village_name}的网格「{grid.name}」")
    return grid


def _grid_facts(op: Op, grid: Grid) -> dict[str, Any]:
    member = op.ws.members.get(grid.default_member_id) if grid.default_member_id else None
    return {
        "name": grid.name,
        "number": grid.number,
        "head_name": grid.head_name,
        "households": grid.households,
        "population": grid.population,
        "party_group": grid.party_group,
        "default_member": member.name if member else "",
    }


@operation("village.add", "新增村街", Permission.EDIT_PLACES, kind="create")
def add_village(op: Op, town_id: int, name: str, code: str = "", district: str = "") -> int:
    town = op.ws.towns.get(town_id)
    if town is None:
        raise NotFoundError("所选镇不存在，请重新选择。", field="town")
    # A new village of a town: the town itself must be the actor's (a village clerk has no town).
    op.require_covers(town.id, None, town.name)
    village_id = PlaceService(op.ws).add_village(town_id, name, code, district)
    village = op.ws.villages.get(village_id)
    assert village is not None
    op.audit(
        f"新增村街 {town.name}{village.short_name}",
        entity="village",
        entity_uuid=village.uuid,
        after={
            "town": town.name,
            "name": village.name,
            "code": village.code or "",
            "district": village.district,
        },
    )
    op.changes.places = True
    return village_id


@operation("village.set_district", "修改村街片区", Permission.EDIT_PLACES)
def set_village_district(op: Op, village_id: int, district: str) -> None:
    before = _village(op, village_id)
    PlaceService(op.ws).set_village_district(village_id, district)
    after = op.ws.villages.get(village_id)
    assert after is not None
    op.audit(
        f"修改{after.short_name}的片区",
        entity="village",
        entity_uuid=after.uuid,
        before={"district": before.district},
        after={"district": after.district},
    )
    op.changes.places = True


@operation("grid.add", "新增网格", Permission.EDIT_PLACES, kind="create")
def add_grid(
    op: Op,
    village_id: int,
    name: str,
    number: str = "",
    head_name: str = "",
    households: int | None = None,
    population: int | None = None,
    party_group: str = "",
    default_member_id: int | None = None,
) -> int:
    """A new grid of the village, with its default handler when one is chosen (the desk's form)."""
    village = _village(op, village_id)
    service = PlaceService(op.ws)
    # The same rule as for an existing grid: an active member of the village's own town.
    service.check_default_member(village_id, default_member_id)
    grid_id = service.add_grid(village_id, name, number, head_name, households, population, party_group)
    if default_member_id is not None:
        service.set_grid_default_member(grid_id, default_member_id)
    grid = op.ws.grids.get(grid_id)
    assert grid is not None
    op.audit(
        f"新增网格 {village.short_name}{grid.name}",
        entity="grid",
        entity_uuid=grid.uuid,
        after=_grid_facts(op, grid),
    )
    op.changes.places = True
    return grid_id


@operation("grid.update", "修改网格", Permission.EDIT_PLACES)
def update_grid(
    op: Op,
    grid_id: int,
    name: str,
    number: str = "",
    head_name: str = "",
    households: int | None = None,
    population: int | None = None,
    party_group: str = "",
    default_member_id: int | None = None,
) -> None:
    before = _grid(op, grid_id)
    PlaceService(op.ws).update_grid(
        grid_id, name, number, head_name, households, population, party_group, default_member_id
    )
    after = op.ws.grids.get(grid_id)
    assert after is not None
    op.audit(
        f"修改网格 {after.village_name}{after.name}",
        entity="grid",
        entity_uuid=after.uuid,
        before=_grid_facts(op, before),
        after=_grid_facts(op, after),
    )
    op.changes.places = True
    op.changes.all_requests = True  # grid names and default handlers show in request lists


@operation("grid.set_default_member", "设置网格默认承办人", Permission.EDIT_PLACES)
def set_grid_default_member(op: Op, grid_id: int, member_id: int | None) -> None:
    before = _grid(op, grid_id)
    service = PlaceService(op.ws)
    # The same rule as the grid form: an active member of the grid's own town.
    service.check_default_member(before.village_id, member_id)
    service.set_grid_default_member(grid_id, member_id)
    after = op.ws.grids.get(grid_id)
    assert after is not None
    was, now = _grid_facts(op, before)["default_member"], _grid_facts(op, after)["default_member"]
    op.audit(
        f"{after.village_name}{after.name}的默认承办人：{now or '（不设）'}",
        entity="grid",
        entity_uuid=after.uuid,
        before={"default_member": was},
        after={"default_member": now},
    )
    op.changes.places = True
