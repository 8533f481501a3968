"""Villages, grids and the settings as operations, called as each demo role (admin, zhen, cun, lingdao).

Refusals raise PermissionDeniedError with a Chinese message and write nothing; every change leaves an
audit row with the value before and after.
"""

from __future__ import annotations

import pytest

from tests.unit.role_helpers import (
    ROLE_LABELS,
    audit_rows,
    other_town_village,
    other_village,
    own_village,
    refused,
    sign_in,
)
from xianghe_desk.domain.models import DueRules
from xianghe_desk.operations.places import (
    add_grid,
    add_village,
    set_grid_default_member,
    set_village_district,
    update_grid,
)
from xianghe_desk.operations.settings import (
    add_lookup,
    delete_lookup,
    move_lookup,
    rename_lookup,
    set_due_rules,
    set_identity,
    set_lookup_active,
    set_lookup_group,
)
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.workspace import Workspace


def _places(ws: Workspace) -> tuple[int, int, list[tuple[int, str, int | None]]]:
    grids = [(g.id, g.name, g.default_member_id) for g in ws.grids.in_town(None)]
    districts = [(v.id, v.district, None) for v in ws.villages.in_town(None)]
    return ws.villages.count(), ws.grids.count(), grids + districts


def _lists(ws: Workspace) -> list[object]:
    items = [ws.lookups.all(kind, include_inactive=True) for kind in ("channel", "category", "method")]
    return [*items, ws.due_rules(), ws.settings.get("operator"), ws.settings.get("town_code")]


def _handler_in(ws: Workspace, village_id: int) -> int:
    return MemberService(ws).handlers_for(village_id)[0].id


# ---------------------------------------------------------------- villages and grids


def test_a_town_clerk_edits_the_places_of_their_town(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "zhen")
    village = other_village(ws)
    new_id = add_village(ws, village.town_id, "新建社区居民委员会", district="东片").value
    assert ws.villages.get(new_id).short_name == "新建社区"  # type: ignore[union-attr]
    set_village_district(ws, village.id, "西片")
    grid_id = add_grid(ws, village.id, "第九网格", number="9", households=40).value
    update_grid(
        ws, grid_id, "第九网格", number="9", households=45, default_member_id=_handler_in(ws, village.id)
    )
    set_grid_default_member(ws, grid_id, None)

    (created,) = audit_rows(ws, "village.add", kind="create")
    assert created.user_name == "zhen" and created.detail["after"]["district"] == "东片"
    (district,) = audit_rows(ws, "village.set_district")
    assert district.detail["after"] == {"district": "西片"}
    (changed,) = audit_rows(ws, "grid.update")
    assert changed.detail["before"]["households"] == 40 and changed.detail["after"]["households"] == 45
    assert changed.detail["after"]["default_member"]
    (cleared,) = audit_rows(ws, "grid.set_default_member")
    assert cleared.detail["after"] == {"default_member": ""}


def test_a_town_clerk_is_refused_another_towns_places(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "zhen")
    foreign = other_town_village(ws)
    before = _places(ws)
    refused(lambda: add_village(ws, foreign.town_id, "外镇新村"), "不在您负责的范围内")
    refused(lambda: set_village_district(ws, foreign.id, "北片"), "不在您负责的范围内", foreign.short_name)
    refused(lambda: add_grid(ws, foreign.id, "第一网格"), "不在您负责的范围内")
    assert _places(ws) == before
    assert len(audit_rows(ws, "village.add", kind="refused")) == 1


@pytest.mark.parametrize("name", ["cun", "lingdao"])
def test_village_clerks_and_viewers_do_not_edit_places(demo_ws: Workspace, name: str) -> None:
    ws = sign_in(demo_ws, name)
    village = own_village(ws)
    grid = ws.grids.in_village(village.id)[0]
    before = _places(ws)
    for attempt in (
        lambda: add_village(ws, village.town_id, "新村"),
        lambda: set_village_district(ws, village.id, "南片"),
        lambda: add_grid(ws, village.id, "第八网格"),
        lambda: update_grid(ws, grid.id, "改名网格"),
        lambda: set_grid_default_member(ws, grid.id, None),
    ):
        refused(attempt, ROLE_LABELS[name], "修改村街、网格和网格员")
    assert _places(ws) == before


def test_an_administrator_edits_places_anywhere(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "admin")
    foreign = other_town_village(ws)
    add_grid(ws, foreign.id, "第一网格")
    assert [g.name for g in ws.grids.in_village(foreign.id)] == ["第一网格"]


# ---------------------------------------------------------------- settings


def test_an_administrator_changes_the_lists_and_rules_with_before_and_after(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "admin")
    item = add_lookup(ws, "channel", "抖音留言").value
    rename_lookup(ws, "channel", item.code, "短视频留言")
    move_lookup(ws, "channel", item.code, -1)
    set_lookup_active(ws, "channel", item.code, False)
    category = add_lookup(ws, "category", "殡葬代办", "agent").value
    set_lookup_group(ws, "category", category.code, "home")
    delete_lookup(ws, "category", category.code)
    set_due_rules(ws, DueRules(urgent_hours=4, normal_hours=48, agent_workdays=5))
    set_identity(ws, None, "县民政局电脑", "王文员")

    rows = [e for e in audit_rows_all(ws) if e.kind == "settings"]
    assert [e.action for e in rows] == [
        "lookup.add",
        "lookup.rename",
        "lookup.move",
        "lookup.set_active",
        "lookup.add",
        "lookup.set_group",
        "lookup.delete",
        "settings.due_rules",
        "settings.identity",
    ]
    by_action = {e.action: e for e in rows}
    assert by_action["lookup.rename"].detail["before"] == {"name": "抖音留言"}
    assert by_action["lookup.rename"].detail["after"] == {"name": "短视频留言"}
    assert by_action["lookup.set_active"].detail["after"] == {"active": False}
    assert by_action["lookup.set_group"].detail["after"] == {"group": "上门服务"}
    assert by_action["lookup.delete"].detail["after"]["deleted"] is True
    assert by_action["lookup.delete"].detail["before"]["name"] == "殡葬代办"
    assert by_action["settings.due_rules"].detail["before"]["urgent_hours"] == 2
    assert by_action["settings.due_rules"].detail["after"]["urgent_hours"] == 4
    assert by_action["settings.identity"].detail["after"]["device_name"] == "县民政局电脑"
    assert all(e.user_name == "admin" for e in rows)
    assert ws.actor == "admin"  # the signed-in account still acts, not the typed operator


def audit_rows_all(ws: Workspace):  # type: ignore[no-untyped-def]
    from xianghe_desk.services.audit import AuditService

    return AuditService(ws).entries()


@pytest.mark.parametrize("name", ["zhen", "cun", "lingdao"])
def test_only_administrators_change_settings(demo_ws: Workspace, name: str) -> None:
    ws = sign_in(demo_ws, name)
    before = _lists(ws)
    for attempt in (
        lambda: add_lookup(ws, "channel", "抖音留言"),
        lambda: rename_lookup(ws, "channel", "wechat_group", "微信"),
        lambda: set_lookup_group(ws, "category", "repairs", "agent"),
        lambda: move_lookup(ws, "channel", "wechat_group", -1),
        lambda: set_lookup_active(ws, "channel", "wechat_group", False),
        lambda: delete_lookup(ws, "channel", "wechat_group"),
        lambda: set_due_rules(ws, DueRules(urgent_hours=4, normal_hours=48, agent_workdays=5)),
        lambda: set_identity(ws, None, "我的电脑", "某人"),
    ):
        refused(attempt, ROLE_LABELS[name], "修改设置")
    assert _lists(ws) == before
    assert len([e for e in audit_rows_all(ws) if e.kind == "refused" and e.user_name == name]) == 8
