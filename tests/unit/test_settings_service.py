"""The settings screen's service: editable lists, due-time rules and this copy's identity."""

from __future__ import annotations

import pytest

from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import DueRules
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.settings import SettingsService, check_due_rules
from xianghe_desk.services.workspace import Workspace


@pytest.fixture
def service(ws):
    return SettingsService(ws)


def names(service, kind, include_inactive=True):
    return [i.name for i in service.lookups(kind, include_inactive=include_inactive)]


def test_add_rename_and_reorder_a_channel(service):
    item = service.add_lookup("channel", "抖音留言")
    assert item.code.startswith("u_douyin")
    assert names(service, "channel")[-1] == "抖音留言"
    service.rename_lookup("channel", item.code, "短视频平台留言")
    assert names(service, "channel")[-1] == "短视频平台留言"
    service.move_lookup("channel", item.code, -100)
    assert names(service, "channel")[0] == "短视频平台留言"
    assert names(service, "channel")[1] == "服务电话"
    service.move_lookup("channel", item.code, 1)
    assert names(service, "channel")[:2] == ["服务电话", "短视频平台留言"]


def test_names_are_checked(service):
    with pytest.raises(ValidationError, match="已有「12345热线」"):
        service.add_lookup("channel", "12345热线")
    with pytest.raises(ValidationError, match="顿号"):
        service.add_lookup("method", "上门、电话")
    with pytest.raises(ValidationError, match="请填写"):
        service.add_lookup("method", "   ")
    with pytest.raises(ValidationError, match="分组"):
        service.add_lookup("category", "新类别", group_code="nonsense")
    item = service.add_lookup("category", "殡葬代办", group_code="agent")
    assert item.group_code == "agent"


def test_a_code_in_use_is_deactivated_but_never_deleted(ws, service):
    village = PlaceService(ws).resolve_village("王刘圈村")
    RequestService(ws).register(RequestDraft("wechat_group", "repairs", "修水管", village.id))
    with pytest.raises(ValidationError, match=r"已有 1 张工单使用，不能删除.*停用") as info:
        service.delete_lookup("channel", "wechat_group")
    assert info.value.field == "code"
    assert "微信群" in names(service, "channel")
    service.set_lookup_active("channel", "wechat_group", False)
    assert "微信群" not in names(service, "channel", include_inactive=False)
    assert "微信群" in names(service, "channel")
    # The request still shows the name of the deactivated channel.
    assert RequestService(ws).list(RequestFilterAll())[0].channel_name == "微信群"
    with pytest.raises(ValidationError, match="不能再改分组"):
        service.set_lookup_group("category", "repairs", "agent")


def RequestFilterAll():  # noqa: N802 - reads like the class it builds
    from xianghe_desk.domain.queries import RequestFilter

    return RequestFilter()


def test_an_unused_code_is_deleted_and_its_name_can_come_back(ws, service):
    service.delete_lookup("channel", "suggestion_box")
    assert "意见箱" not in names(service, "channel")
    again = service.add_lookup("channel", "意见箱")
    assert again.code == "suggestion_box"
    assert again.active


def test_the_last_active_entry_stays(service):
    codes = [i.code for i in service.lookups("method")]
    for code in codes[:-1]:
        service.set_lookup_active("method", code, False)
    with pytest.raises(ValidationError, match="最后一个启用的办理方式"):
        service.set_lookup_active("method", codes[-1], False)


def test_usage_counts_on_the_demo(small_demo, tmp_path):
    import shutil

    path = tmp_path / "d.db"
    shutil.copy(small_demo, path)
    with Workspace.open(path) as ws:
        counts = SettingsService(ws).usage_counts("channel")
        assert sum(counts.values()) == RequestService(ws).count(RequestFilterAll())
        method_counts = SettingsService(ws).usage_counts("method")
        assert method_counts and set(method_counts) <= {i.code for i in SettingsService(ws).lookups("method")}


def test_due_rules_are_validated_and_saved(ws, service):
    assert check_due_rules(DueRules(2, 24, 3)) == []
    problems = dict(check_due_rules(DueRules(0, 24, 3)))
    assert "1–72" in problems["urgent_hours"]
    assert "urgent_hours" in dict(check_due_rules(DueRules(30, 24, 3)))
    assert "agent_workdays" in dict(check_due_rules(DueRules(2, 24, 99)))
    with pytest.raises(ValidationError) as info:
        service.set_due_rules(DueRules(48, 24, 3))
    assert info.value.field == "urgent_hours"
    service.set_due_rules(DueRules(4, 48, 5))
    assert ws.due_rules() == DueRules(4, 48, 5)


def test_identity_town_device_and_operator(ws, service):
    town = PlaceService(ws).resolve_town("淑阳镇")
    identity = service.set_identity(town.id, "淑阳镇文员电脑", "王文员")
    assert identity.town == town
    assert identity.device.name == "淑阳镇文员电脑"
    assert identity.device.tag == ws.device.tag
    assert ws.title() == "香河县淑阳镇"
    assert ws.actor == "王文员"
    service.set_identity(None, "县里的电脑", "王文员")
    assert ws.home_town_id() is None
    assert service.identity().town is None
    with pytest.raises(ValidationError) as info:
        service.set_identity(None, "", "")
    assert {f for f, _m in info.value.problems} == {"device_name", "operator"}
