"""The 设置 screen's use cases: the editable lists, due-time rules and this copy's identity.

Every change is one transaction. A list entry that requests already use is never deleted (the
requests and every monthly summary would lose its name); it can be deactivated instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from xianghe_desk.domain.enums import CategoryGroup, LookupKind
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.models import DueRules, LookupItem, Town
from xianghe_desk.domain.pinyin import name_pinyin
from xianghe_desk.domain.validators import normalize_text
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.config import Device
from xianghe_desk.store.lookup_admin import LookupAdminStore

LOOKUP_NAME_MAX: Final = 20
DEVICE_NAME_MAX: Final = 30
OPERATOR_MAX: Final = 20

# (field, label, lowest, highest) of the due-time rules; the bounds keep typos out.
DUE_LIMITS: Final = (
    ("urgent_hours", "紧急工单时限（小时）", 1, 72),
    ("normal_hours", "一般工单时限（小时）", 1, 720),
    ("agent_workdays", "代办服务时限（工作日）", 1, 30),
)


def check_due_rules(rules: DueRules) -> list[tuple[str, str]]:
    """Problems with due-time rules as (field, message) pairs; empty when they can be saved."""
    problems: list[tuple[str, str]] = []
    for field_name, label, low, high in DUE_LIMITS:
        value = getattr(rules, field_name)
        if not isinstance(value, int) or not low <= value <= high:
            problems.append((field_name, f"{label}应在 {low}–{high} 之间，现在是 {value}。"))
    if not problems and rules.urgent_hours >= rules.normal_hours:
        problems.append(
            (
                "urgent_hours",
                f"紧急工单的时限（{rules.urgent_hours} 小时）应比一般工单（{rules.normal_hours} 小时）短，请核对。",
            )
        )
    return problems


@dataclass(frozen=True)
class Identity:
    """Who and where this copy is: shown and edited on the settings screen."""

    town: Town | None  # None: county-wide (全县)
    device: Device
    operator: str


class SettingsService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.admin = LookupAdminStore(ws.db, ws.device.tag)

    # ---------------------------------------------------------------- lists
    def lookups(self, kind: str, include_inactive: bool = True) -> list[LookupItem]:
        return self.ws.lookups.all(_kind(kind).value, include_inactive=include_inactive)

    def usage_counts(self, kind: str) -> dict[str, int]:
        """Requests per code of ``kind`` (a full pass over the requests: run it off the UI thread)."""
        return self.admin.usage_counts(_kind(kind).value)

    def add_lookup(self, kind: str, name: str, group_code: str = "") -> LookupItem:
        """Add an entry at the end of its list. A deleted entry of the same name comes back."""
        kind_ = _kind(kind)
        name = self._check_name(kind_, name)
        group_code = self._check_group(kind_, group_code)
        order = self.admin.next_sort_order(kind_.value)
        with self.ws.atomic():
            old = self.admin.find(kind_.value, name=name)
            if old is not None:
                self.admin.revive(kind_.value, str(old["code"]), name, group_code, order)
                code = str(old["code"])
            else:
                code = self._new_code(kind_, name)
                self.ws.lookups.add(LookupItem(kind_.value, code, name, group_code, order, True))
        item = self.ws.lookups.get(kind_.value, code)
        assert item is not None
        return item

    def rename_lookup(self, kind: str, code: str, name: str) -> None:
        """Rename an entry. Requests keep its code, so they show the new name at once."""
        kind_ = _kind(kind)
        item = self._item(kind_, code)
        name = self._check_name(kind_, name, keep=item.code)
        old = self.admin.find(kind_.value, name=name)
        if old is not None and old["code"] != code:
            raise ValidationError(
                f"「{name}」是以前删除的{kind_.label}，不能用作新名称；要恢复它，请点「新增」并填写这个名称。",
                field="name",
            )
        with self.ws.atomic():
            self.ws.lookups.update(kind_.value, code, name=name)

    def set_lookup_group(self, kind: str, code: str, group_code: str) -> None:
        """Move a category to another group (代办服务 / 上门服务 / 治理诉求), only while unused."""
        kind_ = _kind(kind)
        item = self._item(kind_, code)
        group_code = self._check_group(kind_, group_code)
        if group_code == item.group_code:
            return
        used = self.admin.usage(kind_.value, code)
        if used:
            raise ValidationError(
                f"「{item.name}」已有 {used} 张工单使用，不能再改分组：分组决定办理时限和月度汇总里的"
                "上门服务次数，改了会让已出的报表对不上。如需要，请新增一个类别放在新分组里，再停用这个。",
                field="group",
            )
        with self.ws.atomic():
            self.ws.lookups.update(kind_.value, code, group_code=group_code)

    def move_lookup(self, kind: str, code: str, delta: int) -> None:
        """Move an entry up (negative) or down in its list; the order is how forms offer them."""
        kind_ = _kind(kind)
        codes = [item.code for item in self.lookups(kind_.value)]
        if code not in codes:
            raise NotFoundError(f"{kind_.label}里没有这一项了，请刷新。", field="code")
        old = codes.index(code)
        new = max(0, min(len(codes) - 1, old + delta))
        if new == old:
            return
        codes.insert(new, codes.pop(old))
        with self.ws.atomic():
            self.admin.set_sort_orders(kind_.value, codes)

    def set_lookup_active(self, kind: str, code: str, active: bool) -> None:
        """Deactivate (停用) or reactivate an entry. Old requests keep it either way."""
        kind_ = _kind(kind)
        item = self._item(kind_, code)
        if item.active == active:
            return
        if not active:
            others = [i for i in self.lookups(kind_.value, include_inactive=False) if i.code != code]
            if not others:
                raise ValidationError(
                    f"「{item.name}」是最后一个启用的{kind_.label}，不能停用：登记工单时至少要有一项可选。"
                    "请先新增或启用另一项。",
                    field="active",
                )
        with self.ws.atomic():
            self.ws.lookups.update(kind_.value, code, active=active)

    def delete_lookup(self, kind: str, code: str) -> None:
        """Delete an entry that no request has ever used.

        Raises:
            ValidationError: when requests use it, saying why and that 停用 is the way instead.
        """
        kind_ = _kind(kind)
        item = self._item(kind_, code)
        used = self.admin.usage(kind_.value, code)
        if used:
            raise ValidationError(
                f"「{item.name}」已有 {used} 张工单使用，不能删除：删除后这些工单和历次月度汇总就找不到"
                f"这个{kind_.label}的名称了。不想再用的话，请选中它点「停用」：停用后登记新工单时不再出现，"
                "已有的工单和统计不受影响。",
                field="code",
            )
        if item.active and not [
            i for i in self.lookups(kind_.value, include_inactive=False) if i.code != code
        ]:
            raise ValidationError(
                f"「{item.name}」是最后一个启用的{kind_.label}，不能删除：登记工单时至少要有一项可选。",
                field="code",
            )
        with self.ws.atomic():
            self.admin.mark_deleted(kind_.value, code)

    def _item(self, kind: LookupKind, code: str) -> LookupItem:
        for item in self.lookups(kind.value):
            if item.code == code:
                return item
        raise NotFoundError(f"{kind.label}里没有这一项了，可能已被删除，请刷新。", field="code")

    def _check_name(self, kind: LookupKind, name: str, keep: str | None = None) -> str:
        name = normalize_text(name)
        if not name:
            raise ValidationError(f"请填写{kind.label}的名称。", field="name")
        if len(name) > LOOKUP_NAME_MAX:
            raise ValidationError(
                f"名称太长（{len(name)} 个字），请精简到 {LOOKUP_NAME_MAX} 字以内，工单和报表上才放得下。",
                field="name",
            )
        if any(mark in name for mark in "、,，;；"):
            raise ValidationError("名称里不能有顿号、逗号或分号：表格里用它们分隔多个值。", field="name")
        for item in self.lookups(kind.value):
            if item.name == name and item.code != keep:
                state = "（已停用，可以选中后点「启用」）" if not item.active else ""
                raise ValidationError(f"{kind.label}里已有「{name}」{state}，不能重名。", field="name")
        return name

    @staticmethod
    def _check_group(kind: LookupKind, group_code: str) -> str:
        if kind is not LookupKind.CATEGORY:
            return ""
        if group_code in {group.value for group in CategoryGroup}:
            return group_code
        names = "、".join(g.label for g in CategoryGroup)
        raise ValidationError(f"请为问题类别选择分组：{names}。", field="group")

    def _new_code(self, kind: LookupKind, name: str) -> str:
        # Codes are what requests store; derived from the pinyin so two copies that add the same
        # name independently get the same code, and their exchange packages agree.
        base = "u_" + (name_pinyin(name)[:30] or "item")
        code, number = base, 2
        while self.admin.find(kind.value, code=code) is not None:
            code, number = f"{base}_{number}", number + 1
        return code

    # ---------------------------------------------------------------- due-time rules
    def due_rules(self) -> DueRules:
        return self.ws.due_rules()

    def set_due_rules(self, rules: DueRules) -> None:
        """Save the rules; requests already registered keep the due time they were given."""
        problems = check_due_rules(rules)
        if problems:
            raise ValidationError.from_problems(list(problems))
        value = {
            "urgent_hours": rules.urgent_hours,
            "normal_hours": rules.normal_hours,
            "agent_workdays": rules.agent_workdays,
        }
        with self.ws.atomic():
            self.ws.settings.set("due_rules", value)

    # ---------------------------------------------------------------- this copy
    def identity(self) -> Identity:
        town_id = self.ws.home_town_id()
        device = self.ws.devices.self_device() or self.ws.device
        operator = str(self.ws.settings.get("operator") or "")
        return Identity(self.ws.towns.get(town_id) if town_id else None, device, operator)

    def identity_problems(
        self, town_id: int | None, device_name: str, operator: str
    ) -> list[tuple[str, str]]:
        """What is wrong with these values, as (field, message) pairs; empty when they can be saved."""
        problems: list[tuple[str, str]] = []
        if town_id is not None and self.ws.towns.get(town_id) is None:
            problems.append(("town", "所选镇不存在，请重新选择。"))
        device_name = normalize_text(device_name)
        if not device_name:
            problems.append(
                ("device_name", "请填写本机名称，如「淑阳镇政府文员电脑」，交换数据时靠它认出这台电脑。")
            )
        elif len(device_name) > DEVICE_NAME_MAX:
            problems.append(("device_name", f"本机名称太长，请精简到 {DEVICE_NAME_MAX} 字以内。"))
        operator = normalize_text(operator)
        if not operator:
            problems.append(("operator", "请填写操作员姓名：每条工单记录都会记下是谁办的。"))
        elif len(operator) > OPERATOR_MAX:
            problems.append(("operator", f"操作员姓名太长，请精简到 {OPERATOR_MAX} 字以内。"))
        return problems

    def set_identity(self, town_id: int | None, device_name: str, operator: str) -> Identity:
        """This copy's town (None: 全县), its device name and the operator's name, together."""
        problems = self.identity_problems(town_id, device_name, operator)
        if problems:
            raise ValidationError.from_problems(list(problems))
        town = self.ws.towns.get(town_id) if town_id is not None else None
        device_name, operator = normalize_text(device_name), normalize_text(operator)
        device = self.ws.devices.self_device() or self.ws.device
        with self.ws.atomic():
            self.ws.settings.set("town_code", town.code if town else "")
            self.ws.settings.set("operator", operator)
            self.ws.devices.update(device.id, name=device_name)
        self.ws.actor = operator
        return self.identity()


def _kind(kind: str) -> LookupKind:
    for member in LookupKind:
        if member.value == kind:
            return member
    raise NotFoundError(f"没有「{kind}」这种列表。", field="kind")
