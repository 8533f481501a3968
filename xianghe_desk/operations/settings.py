"""Settings operations: the editable lists (channels, categories, methods), due-time rules and this
copy's identity. Administrators only (Permission.SETTINGS): the lists and rules are the county's,
every copy and every monthly summary shares them. Each audit row keeps the value before and after.
"""

from __future__ import annotations

from typing import Any

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.enums import CategoryGroup, LookupKind
from xianghe_desk.domain.models import DueRules, LookupItem
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.settings import Identity, SettingsService

_GROUPS = {g.value: g.label for g in CategoryGroup}


def _kind_label(kind: str) -> str:
    return next((k.label for k in LookupKind if k.value == kind), kind)


def _item(service: SettingsService, kind: str, code: str) -> LookupItem | None:
    return next((i for i in service.lookups(kind) if i.code == code), None)


def _facts(item: LookupItem | None) -> dict[str, Any]:
    if item is None:
        return {}
    facts: dict[str, Any] = {"code": item.code, "name": item.name, "active": item.active}
    if item.group_code:
        facts["group"] = _GROUPS.get(item.group_code, item.group_code)
    return facts


def _lookup_change(op: Op, kind: str, code: str, what: str, change: Any) -> None:
    """Run one change of a list entry and audit it with the entry before and after."""
    service = SettingsService(op.ws)
    before = _item(service, kind, code)
    change(service)
    after = _item(service, kind, code)
    shown = after or before
    name = shown.name if shown is not None else code
    op.audit(
        f"{what}{_kind_label(kind)}「{name}」",
        entity="lookup",
        lookup=kind,
        before=_facts(before),
        after=_facts(after) if after is not None else {"deleted": True},
    )
    op.changes.lookups = True


@operation("lookup.add", "新增列表项", Permission.SETTINGS, kind="settings")
def add_lookup(op: Op, kind: str, name: str, group_code: str = "") -> LookupItem:
    item = SettingsService(op.ws).add_lookup(kind, name, group_code)
    op.audit(f"新增{_kind_label(kind)}「{item.name}」", entity="lookup", lookup=kind, after=_facts(item))
    op.changes.lookups = True
    return item


@operation("lookup.rename", "修改列表项名称", Permission.SETTINGS, kind="settings")
def rename_lookup(op: Op, kind: str, code: str, name: str) -> None:
    _lookup_change(op, kind, code, "改名：", lambda s: s.rename_lookup(kind, code, name))


@operation("lookup.set_group", "修改类别分组", Permission.SETTINGS, kind="settings")
def set_lookup_group(op: Op, kind: str, code: str, group_code: str) -> None:
    _lookup_change(op, kind, code, "改分组：", lambda s: s.set_lookup_group(kind, code, group_code))


@operation("lookup.move", "调整列表顺序", Permission.SETTINGS, kind="settings")
def move_lookup(op: Op, kind: str, code: str, delta: int) -> None:
    service = SettingsService(op.ws)
    before = [i.code for i in service.lookups(kind)]
    service.move_lookup(kind, code, delta)
    after = [i.code for i in service.lookups(kind)]
    item = _item(service, kind, code)
    op.audit(
        f"调整{_kind_label(kind)}「{item.name if item else code}」的位置",
        entity="lookup",
        lookup=kind,
        before={"position": before.index(code) + 1 if code in before else None},
        after={"position": after.index(code) + 1 if code in after else None},
    )
    op.changes.lookups = True


@operation("lookup.set_active", "启用或停用列表项", Permission.SETTINGS, kind="settings")
def set_lookup_active(op: Op, kind: str, code: str, active: bool) -> None:
    what = "启用" if active else "停用"
    _lookup_change(op, kind, code, what, lambda s: s.set_lookup_active(kind, code, active))


@operation("lookup.delete", "删除列表项", Permission.SETTINGS, kind="settings")
def delete_lookup(op: Op, kind: str, code: str) -> None:
    _lookup_change(op, kind, code, "删除", lambda s: s.delete_lookup(kind, code))


def _rules(rules: DueRules) -> dict[str, int]:
    return {
        "urgent_hours": rules.urgent_hours,
        "normal_hours": rules.normal_hours,
        "agent_workdays": rules.agent_workdays,
    }


@operation("settings.due_rules", "修改办理时限", Permission.SETTINGS, kind="settings")
def set_due_rules(op: Op, rules: DueRules) -> None:
    service = SettingsService(op.ws)
    before = service.due_rules()
    service.set_due_rules(rules)
    op.audit(
        f"修改办理时限：紧急 {rules.urgent_hours} 小时，一般 {rules.normal_hours} 小时，代办 {rules.agent_workdays} 个工作日",
        entity="settings",
        before=_rules(before),
        after=_rules(service.due_rules()),
    )
    op.changes.settings = True
    op.changes.all_requests = True  # the due-time texts shown beside requests


def _identity(identity: Identity) -> dict[str, Any]:
    return {
        "town": identity.town.name if identity.town else "全县",
        "device_name": identity.device.name,
        "operator": identity.operator,
    }


@operation("settings.identity", "修改本机信息", Permission.SETTINGS, kind="settings")
def set_identity(op: Op, town_id: int | None, device_name: str, operator: str) -> Identity:
    service = SettingsService(op.ws)
    before = service.identity()
    after = service.set_identity(town_id, device_name, operator)
    # SettingsService makes the new operator the actor of this workspace; a signed-in account
    # stays the one acting (the audit trail names the account, not the typed operator).
    if op.who.has_account:
        op.ws.actor = op.who.name
    op.audit(
        f"修改本机信息：{_identity(after)['town']}，{after.device.name}，操作员 {after.operator}",
        entity="settings",
        before=_identity(before),
        after=_identity(after),
    )
    op.changes.settings = True
    return after
