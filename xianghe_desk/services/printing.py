"""Printing work orders and village notices: gather what the paper shows, write the PDF, record it.

The PDF builders (xianghe_desk.pdf) know nothing of the database; this module reads the stores,
masks ID numbers, and hands them plain records. Recording that a work order was printed goes
through RequestService.mark_printed, one transaction for the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from xianghe_desk.domain import duetime
from xianghe_desk.domain.enums import CategoryGroup, FeedbackRoute, Satisfaction, Status, Urgency
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.models import DueRules, Resident, ServiceRequest, Village
from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.pdf.notice import NoticeMember, NoticeSheet, build_notices
from xianghe_desk.pdf.work_order import PersonBlock, WorkOrderSheet, build_work_orders
from xianghe_desk.services.people import mask_id_number
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.reports import ReportStore

PAGE_SIZES = ("A4", "A5")
_BATCH = 500  # requests read per query while a long batch is laid out

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PrintResult:
    path: Path | None
    orders: int
    pages: int


class PrintService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.requests = RequestService(ws)
        self.reports = ReportStore(ws.db, ws.device.tag)

    # ------------------------------------------------------------ choosing
    def ids_for_numbers(self, numbers: list[str]) -> list[int]:
        """Request ids for typed or scanned work-order numbers, in the order given (duplicates once).

        Raises:
            ValidationError: naming every number that is malformed or unknown; nothing is printed.
        """
        ids: list[int] = []
        bad: list[str] = []
        unknown: list[str] = []
        for text in numbers:
            number = parse_number(text)
            if number is None:
                bad.append(text)
                continue
            request = self.ws.requests.by_number(str(number))
            if request is None:
                unknown.append(str(number))
            elif request.id not in ids:
                ids.append(request.id)
        problems = []
        if bad:
            problems.append(
                f"「{'」「'.join(bad)}」不是工单编号（工单编号形如 100-K7M3-2611-0042，横线可省略）"
            )
        if unknown:
            problems.append(f"没有找到工单 {'、'.join(unknown)}，请核对编号或所用的数据库")
        if problems:
            raise NotFoundError("；".join(problems) + "。没有生成任何工单。", field="number")
        return ids

    def unprinted_ids(self) -> list[int]:
        """Dispatched requests whose work order has not been printed yet, oldest first."""
        return self.requests.ids(RequestFilter(not_printed=True), Sort("received_at", descending=False))

    # ------------------------------------------------------------ work orders
    def sheets(self, requests: list[ServiceRequest]) -> Iterator[WorkOrderSheet]:
        """The work orders of ``requests`` in that order (residents read 500 at a time)."""
        county = str(self.ws.settings.get("county_name", "香河县"))
        methods = tuple(item.name for item in self.ws.lookups.all("method"))
        rules = self.ws.due_rules()
        groups = {g.value: g.label for g in CategoryGroup}
        for start in range(0, len(requests), _BATCH):
            chunk = requests[start : start + _BATCH]
            residents = self.reports.residents_by_ids([r.resident_id for r in chunk if r.resident_id])
            notes = self.reports.follow_up_notes([r.id for r in chunk if r.status is Status.CLOSED])
            for request in chunk:
                resident = residents.get(request.resident_id) if request.resident_id else None
                note = notes.get(request.id, "")
                yield self._sheet(request, resident, county, methods, rules, groups, note)

    def _sheet(
        self,
        request: ServiceRequest,
        resident: Resident | None,
        county: str,
        methods: tuple[str, ...],
        rules: DueRules,
        groups: dict[str, str],
        feedback_note: str = "",
    ) -> WorkOrderSheet:
        person = PersonBlock(
            name=request.person_name or (resident.name if resident else ""),
            id_number_masked=mask_id_number(
                request.person_id_number or (resident.id_number if resident else None)
            ),
            phone=request.person_phone or (resident.phone if resident else ""),
            address=resident.address if resident else "",
            care_tags="、".join(tag.label for tag in resident.care_tags) if resident else "",
            living=resident.living.label if resident and resident.living else "",
            emergency=(f"{resident.emergency_name}　{resident.emergency_phone}".strip() if resident else ""),
            linked_member=resident.linked_member_name if resident else "",
        )
        done = request.status.is_done
        closed = request.status is Status.CLOSED
        return WorkOrderSheet(
            number=request.number,
            county=county,
            town=request.town_name,
            village=request.village_name,
            grid=request.grid_name,
            received_at=request.received_at,
            due_at=request.due_at,
            urgent=request.urgency is Urgency.URGENT,
            due_rule=duetime.describe_rule(request.urgency, request.category_group, rules),
            channel=request.channel_name,
            category=request.category_name,
            category_group=groups.get(request.category_group, ""),
            content=request.content,
            status=request.status.label,
            dispatched_at=request.dispatched_at,
            external_number=request.external_number,
            person=person,
            handler_name=request.handler_name,
            handler_phone=request.handler_phone,
            received_by=request.created_by,
            methods=methods,
            chosen_method=request.method_name if done else "",
            result=request.result if done else "",
            completed_at=request.completed_at if done else None,
            feedback_routes=tuple(r.label for r in FeedbackRoute),
            feedback_route=request.feedback_route.label if closed and request.feedback_route else "",
            ratings=tuple(s.label for s in Satisfaction),
            satisfaction=request.satisfaction.label if closed and request.satisfaction else "",
            feedback_by=request.feedback_by if closed else "",
            feedback_at=request.feedback_at if closed else None,
            feedback_note=feedback_note if closed else "",
        )

    def footer(self, when: datetime | None = None) -> str:
        when = when or self.ws.now()
        return f"{self.ws.title()}「这就办」服务台账 · 打印 {when:%Y-%m-%d %H:%M} {self.ws.actor}"

    def write_work_orders(
        self,
        request_ids: list[int],
        target: Path | IO[bytes],
        page: str = "A4",
        progress: Progress | None = None,
        mark_printed: bool = True,
    ) -> PrintResult:
        """Write one work order per request (a long text may take two pages) and record the printing.

        Args:
            progress: called with (done, total) as each order is laid out; it may raise to cancel,
                and then nothing is recorded.
            mark_printed: record 「打印工单」 in each request's history (one transaction).
        """
        if page not in PAGE_SIZES:
            raise ValidationError(f"纸张只能是 A4 或 A5，不认识「{page}」。", field="page")
        if not request_ids:
            raise ValidationError("没有选中要打印的工单。", field="request")
        ids = list(dict.fromkeys(request_ids))
        requests = self.ws.requests.get_many(ids)
        if len(requests) < len(ids):
            missing = len(ids) - len(requests)
            raise NotFoundError(
                f"选中的工单中有 {missing} 张已不存在（可能已被删除），请刷新列表后重新选择。",
                field="request",
            )
        pages = build_work_orders(self.sheets(requests), target, len(ids), page, self.footer(), progress)
        if mark_printed:
            self.requests.mark_printed(ids)
        return PrintResult(target if isinstance(target, Path) else None, len(ids), pages)

    # ------------------------------------------------------------ village notices
    def notice_sheet(self, village: Village) -> NoticeSheet:
        """The 帮办公示 of one village: its members with grids and full phone numbers (public)."""
        grids = self.reports.village_grid_names(village.id)
        members = []
        for member in self.reports.village_members(village.id):
            own = [grids[g] for g in member.grid_ids if g in grids]
            # A grid head over every grid of a village is listed once, not with seven names.
            covers_all = len(own) > 2 and len(own) == len(grids)
            members.append(
                NoticeMember(
                    name=member.name,
                    role=member.role.label,
                    party=member.is_party,
                    grids=f"全村{len(own)}个网格" if covers_all else "、".join(own),
                    phone=member.phone,
                )
            )
        categories = self.ws.lookups.all("category")
        services = {
            group.label: tuple(c.name for c in categories if c.group_code == group.value)
            for group in (CategoryGroup.AGENT, CategoryGroup.HOME)
        }
        hotlines = self.ws.settings.get("hotlines") or []
        if isinstance(hotlines, str):
            hotlines = [hotlines]
        county = str(self.ws.settings.get("county_name", "香河县"))
        return NoticeSheet(
            county=county,
            town=village.town_name,
            village=village.short_name,
            members=tuple(members),
            services=services,
            hotlines=tuple(str(h) for h in hotlines),
            issued=self.ws.now().date(),
        )

    def notice_villages(self, town: str | None, village: str | None) -> list[Village]:
        """The villages named on the command line: one village, or every village of a town with members."""
        places = PlaceService(self.ws)
        if village:
            return [places.resolve_village(village, town)]
        if not town:
            raise ValidationError(
                "请用 --village 指定村街（或用 --town 为全镇每个村街各印一张）。", field="village"
            )
        town_obj = places.resolve_town(town)
        ids = self.reports.villages_with_members(town_obj.id)
        if not ids:
            raise ValidationError(
                f"{town_obj.name}还没有登记在岗的网格员，无法生成公示。请先在「网格与网格员」中登记。",
                field="town",
            )
        found = [places.village(i) for i in ids]
        return [v for v in found if v is not None]

    def write_notices(
        self, villages: list[Village], target: Path | IO[bytes], a3: bool = False
    ) -> PrintResult:
        """One poster page per village (A4, or A3 with larger type)."""
        if not villages:
            raise ValidationError("没有要生成公示的村街。", field="village")
        sheets = [self.notice_sheet(v) for v in villages]
        pages = build_notices(sheets, target, "A3" if a3 else "A4")
        return PrintResult(target if isinstance(target, Path) else None, len(sheets), pages)
