"""Conflicts from exchange packages, shown to the clerk with both values and decided: 保留本机 / 采用对方."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any

from xianghe_desk.domain.enums import CareTag, Living, MemberKind, MemberRole, Satisfaction, Sex, Status
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.conflicts import ConflictRecord, ConflictStore

KEEP_MINE = "mine"
KEEP_THEIRS = "theirs"

TABLE_NAMES = {
    "towns": "镇",
    "villages": "村街",
    "grids": "网格",
    "members": "网格员",
    "residents": "服务对象",
    "lookups": "分类",
    "settings": "设置",
    "requests": "工单",
    "request_events": "办理记录",
}

UNIT_LABELS = {
    "name": "名称/姓名",
    "short_name": "简称",
    "code": "统计代码",
    "kind": "类型",
    "district": "片区",
    "town_id": "所属镇",
    "village_id": "所属村街",
    "grid_id": "所属网格",
    "phone": "联系电话",
    "role": "身份",
    "is_party": "是否党员",
    "id_number": "身份证号",
    "active": "在岗/启用",
    "grid_ids": "负责网格",
    "number": "编号",
    "head_name": "网格长",
    "households": "户数",
    "population": "人口数",
    "party_group": "网格党小组",
    "default_member_id": "默认承办人",
    "sex": "性别",
    "birth_date": "出生日期",
    "care_tags": "服务类别",
    "living": "居住情况",
    "address": "居住地址",
    "emergency_name": "紧急联系人",
    "emergency_phone": "紧急联系电话",
    "linked_member_id": "联系党员",
    "note": "备注",
    "group_code": "分组",
    "sort_order": "排序",
    "value": "设置值",
    "external_number": "外部编号",
    "received_at": "受理时间",
    "channel": "来源渠道",
    "category": "问题类别",
    "urgency": "紧急程度",
    "content": "诉求内容",
    "resident_id": "服务对象",
    "person_name": "服务对象姓名",
    "person_phone": "联系电话",
    "person_id_number": "身份证号",
    "due_at": "办理时限",
    "lifecycle": "办理状态（派单、办结、回访）",
    "escalations": "督办次数",
    "printed_at": "打印时间",
    "created_by": "登记人",
    "deleted_at": "删除",
    "*": "删除与修改",
}

_REFERENCES = {
    "town_id": "towns",
    "village_id": "villages",
    "grid_id": "grids",
    "default_member_id": "members",
    "linked_member_id": "members",
    "resident_id": "residents",
    "handler_id": "members",
}

SETTING_LABELS = {
    "hotlines": "热线号码",
    "due_rules": "办理时限规则",
    "county_name": "县名",
    "county_code": "县统计代码",
}
_DUE_RULES = {
    "urgent_hours": "紧急（小时）",
    "normal_hours": "一般（小时）",
    "agent_workdays": "代办（工作日）",
}

_ENUMS: dict[str, Any] = {"sex": Sex, "living": Living, "role": MemberRole, "satisfaction": Satisfaction}


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the desk and the command line show it."""

    id: int
    kind: str
    title: str  # 服务对象「张三」
    field: str  # 联系电话
    mine: str
    theirs: str
    mine_from: str
    theirs_from: str
    current_is_mine: bool
    detected_at: str
    resolved: bool
    resolution: str


class ConflictService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.store = ConflictStore(ws.db, ws.device.tag)

    def count_open(self) -> int:
        return self.store.count(open_only=True)

    def list(self, open_only: bool = True, offset: int = 0, limit: int = 200) -> builtins.list[ConflictView]:
        return [self._view(r) for r in self.store.list(open_only, offset, limit)]

    def get(self, conflict_id: int) -> ConflictView:
        return self._view(self._record(conflict_id))

    def _record(self, conflict_id: int) -> ConflictRecord:
        record = self.store.get(conflict_id)
        if record is None:
            raise NotFoundError(
                f"没有编号为 {conflict_id} 的冲突。请用「exchange conflicts」查看现有冲突的编号。",
                field="conflict",
            )
        return record

    # ---------------------------------------------------------------- which side is whose
    def _sides(self, record: ConflictRecord) -> tuple[str, str]:
        """('a'|'b' for mine, the other for theirs): mine is what this copy wrote, else what it holds."""
        me = self.ws.device.tag
        if (record.device_a == me) != (record.device_b == me):
            return ("a", "b") if record.device_a == me else ("b", "a")
        current = self.store.current_value(record)
        if record.kind == "delete":
            holds_a = current is not None
        else:
            holds_a = _same_text(current, record.value_a) and not _same_text(current, record.value_b)
        return ("a", "b") if holds_a else ("b", "a")

    def _view(self, record: ConflictRecord) -> ConflictView:
        mine, theirs = self._sides(record)
        values = {"a": record.value_a, "b": record.value_b}
        devices = {"a": record.device_a, "b": record.device_b}
        current = self.store.current_value(record)
        if record.kind == "delete":
            texts = {
                "a": f"删除这条记录（{str(record.value_a)[:16]}）",
                "b": "保留并修改：" + self._edit_text(record),
            }
            current_is_mine = (current is not None) == (mine == "a")
        else:
            texts = {side: self._value_text(record.tbl, record.unit, values[side]) for side in ("a", "b")}
            current_is_mine = _same_text(current, values[mine])
        resolution = ""
        if record.resolved_at:
            chosen = (record.resolution or {}).get("keep")
            how = {
                KEEP_MINE: "保留了当时本机的值",
                KEEP_THEIRS: "采用了对方的值",
                "filled": "自动填上了一边空着的内容",
            }.get(str(chosen), "已处理")
            where = "本机" if record.resolved_on == self.ws.device.tag else f"设备 {record.resolved_on}"
            resolution = f"{record.resolved_at[:16]} 由{where}的{record.resolved_by or '文员'}{how}"
        label = SETTING_LABELS.get(record.label, record.label) if record.tbl == "settings" else record.label
        return ConflictView(
            id=record.id,
            kind=record.kind,
            title=f"{TABLE_NAMES.get(record.tbl, record.tbl)}「{label}」",
            field=UNIT_LABELS.get(record.unit, record.unit),
            mine=texts[mine],
            theirs=texts[theirs],
            mine_from=self._device_name(devices[mine]),
            theirs_from=self._device_name(devices[theirs]),
            current_is_mine=current_is_mine,
            detected_at=record.detected_at[:16],
            resolved=record.resolved_at is not None,
            resolution=resolution,
        )

    def _device_name(self, tag: str) -> str:
        if tag == self.ws.device.tag:
            return "本机"
        device = self.ws.devices.by_tag(tag)
        return f"{device.name}（{tag}）" if device else f"设备 {tag}"

    def _edit_text(self, record: ConflictRecord) -> str:
        edits = record.value_b if isinstance(record.value_b, dict) else {}
        parts = [
            f"{UNIT_LABELS.get(unit, unit)}：{self._value_text(record.tbl, unit, value)}"
            for unit, value in edits.items()
            if unit not in ("created_at", "deleted_at")
        ]
        return "；".join(parts) or "（修改）"

    def _value_text(self, tbl: str, unit: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "（空）"
        if unit == "lifecycle" and isinstance(value, dict):
            status = value.get("status")
            parts = [Status(str(status)).label if status in {s.value for s in Status} else str(status)]
            if value.get("handler_id"):
                parts.append("承办人 " + self._name("members", value["handler_id"]))
            for key, label in (("completed_at", "办结"), ("feedback_at", "回访"), ("cancelled_at", "撤销")):
                if value.get(key):
                    parts.append(f"{label} {str(value[key])[:16]}")
            if value.get("satisfaction"):
                parts.append(Satisfaction(value["satisfaction"]).label)
            return "，".join(parts)
        if tbl == "settings" and unit == "value":
            return _setting_text(value)
        if unit == "grid_ids":
            return "、".join(self._name("grids", g) for g in value)
        if unit in _REFERENCES:
            return self._name(_REFERENCES[unit], value)
        if unit == "care_tags":
            return "、".join(CareTag(t).label for t in str(value).split(",") if t) or "（空）"
        if unit == "kind" and tbl == "members":
            return MemberKind(value).label
        if unit in _ENUMS:
            try:
                return str(_ENUMS[unit](value).label)
            except ValueError:
                return str(value)
        if unit in ("is_party", "active"):
            return "是" if value else "否"
        return str(value)

    def _name(self, tbl: str, uuid: Any) -> str:
        return self.store.display_name(tbl, str(uuid)) or "（本机没有这条记录）"

    # ---------------------------------------------------------------- deciding
    def resolve(self, conflict_id: int, keep: str) -> ConflictView:
        """保留本机 (``mine``) or 采用对方 (``theirs``); the decision is a new change that travels."""
        if keep not in (KEEP_MINE, KEEP_THEIRS):
            raise ValidationError("请选择「保留本机」(mine) 或「采用对方」(theirs)。", field="keep")
        record = self._record(conflict_id)
        if record.resolved_at is not None:
            raise ValidationError(
                f"这处冲突已经处理过了：{self._view(record).resolution}。", field="conflict"
            )
        mine, theirs = self._sides(record)
        side = mine if keep == KEEP_MINE else theirs
        value = record.value_a if side == "a" else record.value_b
        with self.ws.atomic():
            current = self.store.current_value(record)
            if record.kind == "delete":
                if side == "a" and current is None:
                    self.store.write_value(record, record.value_a)
                elif side == "b" and current is not None:
                    self.store.write_value(record, None)
            elif not _same_text(current, value):
                self.store.write_value(record, value)
            self.store.mark_resolved(record.id, {"keep": keep, "side": side, "value": value}, self.ws.actor)
        return self.get(record.id)


def _same_text(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: v for k, v in a.items()} == {k: v for k, v in b.items()}
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return bool(a == b)
    return a == b


def _setting_text(raw: Any) -> str:
    """A setting's stored JSON as the clerk reads it: lists joined with 、, rules spelled out."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return str(raw)
    if isinstance(value, list):
        return "、".join(map(str, value)) or "（空）"
    if isinstance(value, dict):
        return "，".join(f"{_DUE_RULES.get(str(k), k)} {v}" for k, v in value.items())
    return str(value)
