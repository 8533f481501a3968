"""Reading one row of a requests sheet (服务工单): its values, the facts its status needs and the
order of its times. What the row then does to the database is planned in import_requests.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from xianghe_desk.domain.drafts import RequestDraft, clean_request
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction, Status, Urgency
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Member
from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.services.import_lookups import LookupNames
from xianghe_desk.services.import_rows import Cells, ImportContext, read_place

STAGE: Final = {
    Status.RECEIVED: 0,
    Status.DISPATCHED: 1,
    Status.IN_PROGRESS: 2,
    Status.COMPLETED: 3,
    Status.CLOSED: 4,
}
_STATUS_ALIASES: Final = {
    "未派单": Status.RECEIVED,
    "待办理": Status.RECEIVED,
    "已受理": Status.RECEIVED,
    "已派": Status.DISPATCHED,
    "处理中": Status.IN_PROGRESS,
    "正在办理": Status.IN_PROGRESS,
    "办结": Status.COMPLETED,
    "已完成": Status.COMPLETED,
    "完成": Status.COMPLETED,
    "已回复": Status.COMPLETED,
    "回访": Status.CLOSED,
    "已评价": Status.CLOSED,
    "撤销": Status.CANCELLED,
    "作废": Status.CANCELLED,
}
_URGENCY_ALIASES: Final = {
    "普通": Urgency.NORMAL,
    "特急": Urgency.URGENT,
    "加急": Urgency.URGENT,
    "急": Urgency.URGENT,
}
# Sheets often say just 电话 / 上门 (FeedbackRoute.from_label reads them the same way).
_ROUTE_ALIASES: Final = {"电话": FeedbackRoute.PHONE, "上门": FeedbackRoute.IN_PERSON}
_SATISFACTION_ALIASES: Final = {"非常满意": Satisfaction.SATISFIED, "比较满意": Satisfaction.BASICALLY}
_FIELDS: Final = {
    "content": "诉求内容",
    "channel": "来源渠道",
    "category": "问题类别",
    "received_at": "受理时间",
    "person_name": "服务对象姓名",
    "person_phone": "联系电话",
    "person_id_number": "身份证号",
}


@dataclass
class RequestRow:
    """One row's values, read and checked."""

    received_at: datetime
    channel: str
    category: str
    content: str
    village_id: int
    town_id: int
    town_code: str
    urgency: Urgency
    person_name: str
    person_phone: str
    person_id: str
    external: str
    number: str
    grid_id: int | None
    handler: Member | None
    status: Status
    dispatched_at: datetime | None
    completed_at: datetime | None
    method: str
    result: str
    feedback_at: datetime | None
    route: FeedbackRoute | None
    satisfaction: Satisfaction | None


def fmt_time(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "（空）"


class RequestRowReader:
    """Reads request rows; the lists of channels, categories and methods are loaded once."""

    def __init__(self, ctx: ImportContext) -> None:
        self.ctx = ctx
        self.channels = LookupNames(ctx.ws, "channel", "来源渠道")
        self.categories = LookupNames(ctx.ws, "category", "问题类别")
        self.methods = LookupNames(ctx.ws, "method", "办理方式")

    def _status(self, cells: Cells) -> Status:
        status = cells.enum("状态", Status, _STATUS_ALIASES)
        if status is not None:
            return status
        # 状态 left empty: the furthest step the row has facts for.
        if cells.has("回访方式") or cells.has("满意度") or cells.has("回访时间"):
            return Status.CLOSED
        if cells.has("办结时间") or cells.has("办理方式"):
            return Status.COMPLETED
        if cells.has("承办人") or cells.has("派单时间"):
            return Status.DISPATCHED
        return Status.RECEIVED

    def _check_status_facts(self, cells: Cells, status: Status) -> None:
        """The facts a status needs (contract §2) and the ones it must not have."""
        label = status.label
        if status.is_done:
            for column in ("办结时间", "办理方式"):
                if not cells.has(column):
                    cells.refuse(column, f"状态是「{label}」，必须填写{column}。")
        if status is Status.CLOSED:
            for column in ("回访方式", "满意度"):
                if not cells.has(column):
                    cells.refuse(column, f"状态是「{label}」，必须填写{column}。")
        later: tuple[str, ...] = ()
        if status is Status.RECEIVED:
            later = (
                "承办人",
                "派单时间",
                "办结时间",
                "办理方式",
                "办理结果",
                "回访时间",
                "回访方式",
                "满意度",
            )
        elif status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.CANCELLED):
            later = ("办结时间", "办理方式", "办理结果", "回访时间", "回访方式", "满意度")
        elif status is Status.COMPLETED:
            later = ("回访时间", "回访方式", "满意度")
        for column in later:
            if cells.has(column):
                cells.refuse(
                    column,
                    f"状态是「{label}」，却填了{column}，不知道哪个对。请改正状态，或清空{column}。",
                )

    def _check_times(self, cells: Cells, p: RequestRow) -> None:
        now = self.ctx.now
        steps = (
            ("受理时间", p.received_at),
            ("派单时间", p.dispatched_at),
            ("办结时间", p.completed_at),
            ("回访时间", p.feedback_at),
        )
        previous: tuple[str, datetime] | None = None
        for column, value in steps:
            if value is None:
                continue
            if value > now:
                cells.refuse(column, f"{column} {fmt_time(value)} 晚于现在，请核对日期和时间。")
            if previous is not None and value < previous[1]:
                cells.refuse(
                    column, f"{column} {fmt_time(value)} 早于{previous[0]} {fmt_time(previous[1])}，请核对。"
                )
            previous = (column, value)

    def _handler(self, cells: Cells, town: Any) -> Member | None:
        if not cells.has("承办人"):
            return None
        try:
            return self.ctx.members.resolve(cells.text("承办人"), town)
        except ValidationError as exc:
            cells.refuse("承办人", exc.message)
            return None

    def read(self, cells: Cells) -> RequestRow | None:
        """The row's values, or None when any cell was refused (the refusals are on ``cells``)."""
        ctx = self.ctx
        received_at = cells.datetime("受理时间", required=True)
        channel = self.channels.code(cells, "来源渠道", required=True)
        category = self.categories.code(cells, "问题类别", required=True)
        content = cells.text("诉求内容", required=True)
        place = read_place(cells, ctx.places)
        number_text = cells.code("工单编号")
        number = ""
        if number_text:
            parsed_number = parse_number(number_text)
            if parsed_number is None:
                cells.refuse(
                    "工单编号",
                    f"「{number_text}」不是本程序的工单编号（应像 100-K7M3-2611-0042）。"
                    "其他系统的编号请填在「外部编号」列；新登记的工单不用填工单编号。",
                )
            else:
                number = str(parsed_number)
        external = cells.code("外部编号")
        urgency = cells.enum("紧急程度", Urgency, _URGENCY_ALIASES) or Urgency.NORMAL
        grid_id = None
        if place.village is not None and cells.has("所属网格"):
            try:
                grid_id = ctx.places.grid(place.village, cells.text("所属网格")).id
            except ValidationError as exc:
                cells.refuse("所属网格", exc.message)
        handler = self._handler(cells, place.town)
        status = self._status(cells)
        self._check_status_facts(cells, status)
        route = cells.enum("回访方式", FeedbackRoute, _ROUTE_ALIASES)
        satisfaction = cells.enum("满意度", Satisfaction, _SATISFACTION_ALIASES)
        method = self.methods.code(cells, "办理方式")
        dispatched_at = cells.datetime("派单时间")
        completed_at = cells.datetime("办结时间")
        feedback_at = cells.datetime("回访时间")
        # Masked values (an export without --full) are left out: the request keeps its own.
        person_phone = "" if cells.masked("联系电话") else cells.phone("联系电话")
        draft = RequestDraft(
            channel or "-",
            category or "-",
            content or "-",
            place.village.id if place.village else 0,
            received_at=received_at,
            person_name=cells.text("服务对象姓名"),
            person_id_number="" if cells.masked("身份证号") else cells.id_text(),
            external_number=external,
        )
        try:
            draft = clean_request(draft, ctx.now)
        except ValidationError as exc:
            for field_name, message in exc.problems:
                cells.refuse(_FIELDS.get(field_name or "", "诉求内容"), message)
        if cells.problems or received_at is None or place.village is None or place.town is None:
            return None
        parsed = RequestRow(
            received_at=received_at,
            channel=channel,
            category=category,
            content=draft.content,
            village_id=place.village.id,
            town_id=place.village.town_id,
            town_code=place.town.code,
            urgency=urgency,
            person_name=draft.person_name,
            person_phone=person_phone,
            person_id=draft.person_id_number,
            external=draft.external_number,
            number=number,
            grid_id=grid_id,
            handler=handler,
            status=status,
            dispatched_at=dispatched_at,
            completed_at=completed_at,
            method=method,
            result=cells.text("办理结果"),
            feedback_at=feedback_at,
            route=route,
            satisfaction=satisfaction,
        )
        self._check_times(cells, parsed)
        return None if cells.problems else parsed
