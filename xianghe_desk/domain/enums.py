"""Closed choices of the domain, each with the Chinese label the UI and spreadsheets use."""

from __future__ import annotations

from enum import Enum


class LabelledEnum(str, Enum):  # noqa: UP042 - members carry a label; StrEnum forbids custom __new__ args
    """A string enum whose members carry a Chinese label (``.label``)."""

    label: str

    # label has a default only so that type checkers accept the value lookup Status("received");
    # every member is declared with its label.
    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def from_label(cls, text: str) -> LabelledEnum:
        """The member whose label or value is ``text``; raises KeyError otherwise."""
        text = text.strip()
        for member in cls:
            if text in (member.label, member.value):
                return member
        raise KeyError(text)

    @classmethod
    def labels(cls) -> list[str]:
        return [member.label for member in cls]

    def __str__(self) -> str:
        return str(self.value)


class Status(LabelledEnum):
    RECEIVED = ("received", "待派单")
    DISPATCHED = ("dispatched", "已派单")
    IN_PROGRESS = ("in_progress", "办理中")
    COMPLETED = ("completed", "已办结")
    CLOSED = ("closed", "已回访")
    CANCELLED = ("cancelled", "已撤销")

    @property
    def is_done(self) -> bool:
        """Completed for the county's figures (已办结 or 已回访)."""
        return self in (Status.COMPLETED, Status.CLOSED)

    @property
    def is_open(self) -> bool:
        return self in (Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS)


class Action(LabelledEnum):
    """Lifecycle actions; each writes one event row."""

    RECEIVE = ("received", "受理")
    DISPATCH = ("dispatched", "派单")
    START = ("started", "开始办理")
    COMPLETE = ("completed", "办结")
    FOLLOW_UP = ("followed_up", "回访")
    RETURN = ("returned", "退回")
    CANCEL = ("cancelled", "撤销")
    REOPEN = ("reopened", "重新办理")
    ESCALATE = ("escalated", "督办")
    EDIT = ("edited", "修改")
    PRINT = ("printed", "打印工单")


class Urgency(LabelledEnum):
    URGENT = ("urgent", "紧急")
    NORMAL = ("normal", "一般")


class Satisfaction(LabelledEnum):
    SATISFIED = ("satisfied", "满意")
    BASICALLY = ("basically_satisfied", "基本满意")
    UNSATISFIED = ("unsatisfied", "不满意")


class FeedbackRoute(LabelledEnum):
    PHONE = ("phone", "电话回访")
    IN_PERSON = ("in_person", "上门回访")

    @classmethod
    def from_label(cls, text: str) -> FeedbackRoute:
        # Sheets often say just 电话 / 上门.
        short = {"电话": cls.PHONE, "上门": cls.IN_PERSON}
        text = text.strip()
        if text in short:
            return short[text]
        return super().from_label(text)  # type: ignore[return-value]


class CareTag(LabelledEnum):
    CHILDLESS_ELDERLY = ("childless_elderly", "孤寡老人")
    ELDERLY_ALONE = ("elderly_alone", "独居老人")
    SERIOUSLY_ILL = ("seriously_ill", "重病患者")
    MOBILITY_IMPAIRED = ("mobility_impaired", "行动不便")
    DISABLED = ("disabled", "残疾人")
    DIBAO = ("dibao", "低保")
    TEKUN = ("tekun", "特困供养")
    OTHER = ("other", "其他")


class Living(LabelledEnum):
    ALONE = ("alone", "独居")
    WITH_SPOUSE = ("with_spouse", "与配偶同住")
    WITH_CHILDREN = ("with_children", "与子女同住")
    OTHER = ("other", "其他")


class Sex(LabelledEnum):
    MALE = ("male", "男")
    FEMALE = ("female", "女")


class MemberKind(LabelledEnum):
    FULL_TIME = ("full_time", "专职")
    PART_TIME = ("part_time", "兼职")


class MemberRole(LabelledEnum):
    GRID_HEAD = ("grid_head", "网格长")
    MEMBER = ("member", "网格员")
    VILLAGE_CADRE = ("village_cadre", "村干部")
    TOWN_CADRE = ("town_cadre", "镇干部")
    HELPER = ("helper", "党员帮办员")


class VillageKind(LabelledEnum):
    VILLAGE = ("village", "村")
    COMMUNITY = ("community", "社区")
    VIRTUAL = ("virtual", "虚拟社区")


class LookupKind(LabelledEnum):
    """Editable lists kept in the settings."""

    CHANNEL = ("channel", "来源渠道")
    CATEGORY = ("category", "问题类别")
    METHOD = ("method", "办理方式")


class CategoryGroup(LabelledEnum):
    AGENT = ("agent", "代办服务")
    HOME = ("home", "上门服务")
    GOVERNANCE = ("governance", "治理诉求")
    OTHER = ("other", "其他")
