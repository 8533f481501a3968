"""Care visits (走访, issue #11): intervals, plans, a resident's status, the visit log, who is due,
and the weekly paper roster. Every list holds only the signed-in clerk's towns or villages."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.errors import ConflictError, NotFoundError, ValidationError
from xianghe_desk.domain.models import Grid, Member, Resident, Village
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.domain.visits import (
    CHECKS,
    DueEntry,
    DueFilter,
    DueKind,
    StatusInfo,
    Visit,
    VisitDraft,
    VisitPlan,
    VisitRefs,
    check_interval,
    clean_intervals,
    clean_status,
    clean_visit,
    interval_for,
    interval_text,
    next_due,
    week_of,
)
from xianghe_desk.pdf.visit_roster import RosterRow, RosterSheet
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import d_text
from xianghe_desk.store.visits import checks_text

INTERVALS_KEY = "visit_intervals"  # settings key: {care tag: days}, travels with the data
PLAN_NOTE_MAX = 200
PAGE_LIMIT = 5000  # the desk's due list shows this many at most (filters narrow it)


@dataclass(frozen=True)
class DueCounts:
    """The dashboard tile: overdue, due by the end of this week, never visited."""

    overdue: int
    this_week: int
    never: int


@dataclass(frozen=True)
class Roster:
    """Who a paper roster is for and the residents on it, in the order printed and typed back."""

    week_start: date
    week_end: date
    title: str  # 香河县淑阳镇王刘圈村 第一网格
    member: Member | None
    grid: Grid | None
    entries: list[DueEntry]


class VisitService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # ---------------------------------------------------------------- intervals
    def intervals(self) -> dict[CareTag, int]:
        """The care tags' intervals in force: the built-in defaults as edited in 设置."""
        raw = self.ws.settings.get(INTERVALS_KEY) or {}
        try:
            return clean_intervals(raw if isinstance(raw, dict) else {})
        except ValidationError:
            # A value another copy wrote that this version cannot read: the defaults still work.
            return clean_intervals({})

    def set_intervals(self, intervals: dict[CareTag, int]) -> dict[CareTag, int]:
        cleaned = clean_intervals({t.value: v for t, v in intervals.items()})
        self.ws.settings.set(INTERVALS_KEY, {t.value: v for t, v in cleaned.items()})
        return cleaned

    def refs(self, today: date | None = None) -> VisitRefs:
        today = today or self.ws.now().date()
        return VisitRefs(tuple(self.intervals().items()), today, week_of(today)[1])

    # ---------------------------------------------------------------- residents' plans and status
    def resident(self, resident_id: int) -> Resident:
        resident = self.ws.residents.get(resident_id)
        if resident is None:
            raise NotFoundError("这位服务对象已不存在。", field="resident")
        return resident

    def plan(self, resident_id: int) -> VisitPlan | None:
        return self.ws.plans.get(resident_id)

    def interval_of(self, resident: Resident) -> int | None:
        plan = self.plan(resident.id)
        return interval_for(resident.care_tags, self.intervals(), plan.interval_days if plan else None)

    def next_due_of(self, resident: Resident, today: date | None = None) -> date | None:
        """When the resident's next visit is due (None: no plan, paused or left)."""
        today = today or self.ws.now().date()
        interval = self.interval_of(resident)
        if interval is None:
            return None
        starts = self.ws.plans.starts_on(resident.id) or today
        last = self.ws.visits.last_visit(resident.id, today + timedelta(days=1))
        return next_due(last, starts, interval, resident.status_info, today)

    def responsible_members(self, resident: Resident) -> builtins.list[Member]:
        """Who may visit: the plan's named member, the grid's members, then the village's, in
        that order and each once (the forms' choice of 走访人)."""
        found: dict[int, Member] = {}
        plan = self.plan(resident.id)
        if plan is not None and plan.member_id is not None:
            member = self.ws.members.get(plan.member_id)
            if member is not None:
                found[member.id] = member
        if resident.grid_id is not None:
            found.update((m.id, m) for m in self.ws.members.of_grid(resident.grid_id) if m.id not in found)
        village = PersonFilter(village_id=resident.village_id, active_only=True)
        found.update((m.id, m) for m in self.ws.members.list(village, 0, 200) if m.id not in found)
        return [m for m in found.values() if m.active]

    def set_plan(
        self,
        resident_id: int,
        interval_days: int | None,
        member_id: int | None,
        starts_on: date | None = None,
        note: str = "",
    ) -> VisitPlan:
        resident = self.resident(resident_id)
        if interval_days is not None:
            check_interval(interval_days, f"{resident.name}的走访周期")
        if member_id is not None:
            member = self.ws.members.get(member_id)
            if member is None or not member.active:
                raise ValidationError("所选网格员不存在或已不在岗，请重新选择。", field="member")
            if member.town_id != resident.town_id:
                raise ValidationError(
                    f"{member.name}不是{resident.town_name}的网格员，请选本镇的网格员。", field="member"
                )
        note = note.strip()
        if len(note) > PLAN_NOTE_MAX:
            raise ValidationError(f"计划备注最多 {PLAN_NOTE_MAX} 个字。", field="note")
        if interval_days is None and not any(t in self.intervals() for t in resident.care_tags):
            raise ValidationError(
                f"{resident.name}没有需要定期走访的服务类别，请填写走访周期（天）。", field="interval"
            )
        self.ws.plans.save(
            resident_id,
            {
                "interval_days": interval_days,
                "member_id": member_id,
                "starts_on": d_text(starts_on),
                "note": note,
            },
        )
        plan = self.plan(resident_id)
        assert plan is not None
        return plan

    def set_status(self, resident_id: int, info: StatusInfo) -> Resident:
        self.resident(resident_id)
        cleaned = clean_status(info, self.ws.now().date())
        self.ws.residents.update(
            resident_id,
            {
                "status": cleaned.status.value,
                "status_since": d_text(cleaned.since),
                "status_until": d_text(cleaned.until),
            },
        )
        return self.resident(resident_id)

    # ---------------------------------------------------------------- the visit log
    def get(self, visit_id: int) -> Visit:
        visit = self.ws.visits.get(visit_id)
        if visit is None:
            raise NotFoundError("这条走访记录已不存在或已删除。", field="visit")
        return visit

    def timeline(self, resident_id: int) -> builtins.list[Visit]:
        return self.ws.visits.of_resident(resident_id)

    def _row(self, draft: VisitDraft, visit_id: int | None = None) -> dict[str, Any]:
        draft = clean_visit(draft, self.ws.now().date())
        resident = self.resident(draft.resident_id)
        status = resident.status_info
        if status.left_on(draft.visited_on):
            raise ValidationError(
                f"{resident.name}已于 {status.since:%Y-%m-%d} {status.status.label}，"
                f"不能登记 {draft.visited_on:%Y-%m-%d} 的走访。如日期写错了，请改正走访日期。",
                field="visited_on",
            )
        if draft.member_id is not None and self.ws.members.get(draft.member_id) is None:
            raise NotFoundError("所选网格员不存在，请重新选择。", field="member")
        for other in self.ws.visits.on_day(draft.resident_id, draft.visited_on):
            if other.id != visit_id and other.method is draft.method and other.member_id == draft.member_id:
                raise ConflictError(
                    f"{resident.name} {draft.visited_on:%Y-%m-%d} 的{draft.method.label}走访已经登记过了"
                    f"（{other.member_name or '未填走访人'}），不用重复登记。",
                    field="visited_on",
                )
        return {
            "resident_id": draft.resident_id,
            "member_id": draft.member_id,
            "visited_on": draft.visited_on.isoformat(),
            "method": draft.method.value,
            "checks": checks_text(draft.checks),
            "note": draft.note,
            "needs": draft.needs,
        }

    def log(self, draft: VisitDraft) -> Visit:
        row = self._row(draft)
        visit_id = self.ws.visits.add({**row, "recorded_by": self.ws.actor})
        return self.get(visit_id)

    def update(self, visit_id: int, draft: VisitDraft) -> Visit:
        before = self.get(visit_id)
        if draft.resident_id != before.resident_id:
            raise ValidationError("走访记录不能改到另一位服务对象名下；请删除后重新登记。", field="resident")
        self.ws.visits.update(visit_id, self._row(draft, visit_id))
        return self.get(visit_id)

    def link_request(self, visit_id: int, request_id: int) -> None:
        self.ws.visits.update(visit_id, {"request_id": request_id})

    # ---------------------------------------------------------------- who is due
    def _scoped(self, flt: DueFilter) -> DueFilter:
        who = self.ws.who
        if not who.town_ids and not who.village_ids:
            return flt
        return replace(
            flt, scope_towns=tuple(sorted(who.town_ids)), scope_villages=tuple(sorted(who.village_ids))
        )

    def reference(self, week: date | None) -> tuple[date, date, date]:
        """(today, Monday, Sunday) for a list of ``week``: today within that week, else its Monday."""
        today = self.ws.now().date()
        start, end = week_of(week or today)
        return (today if start <= today <= end else start), start, end

    def due(self, flt: DueFilter, limit: int = PAGE_LIMIT) -> builtins.list[DueEntry]:
        """Residents due in ``flt.week`` (default this week), overdue ones and those never visited."""
        today, _start, end = self.reference(flt.week)
        return self.ws.visits.due(self._scoped(flt), self.intervals(), today, end, limit=limit)

    def count_due(self, flt: DueFilter) -> int:
        today, _start, end = self.reference(flt.week)
        return self.ws.visits.count_due(self._scoped(flt), self.intervals(), today, end)

    def counts(self, town_id: int | None = None) -> DueCounts:
        """For the dashboard tile (the clerk's scope, or ``town_id`` within it)."""
        today, _start, end = self.reference(None)
        overdue, this_week, never = self.ws.visits.count_due_each(
            self._scoped(DueFilter(town_id=town_id)),
            [(DueKind.OVERDUE,), (DueKind.OVERDUE, DueKind.THIS_WEEK), (DueKind.NEVER,)],
            self.intervals(),
            today,
            end,
        )
        return DueCounts(overdue=overdue, this_week=this_week, never=never)

    def resolve_member(self, text: str, town_id: int | None = None, village: Village | None = None) -> int:
        """A grid member by name or mobile number (the command line's --member).

        Raises:
            NotFoundError: nobody of that name; ValidationError: several, with where they are.
        """
        wanted = text.strip()
        towns = [town_id] if town_id is not None else [village.town_id] if village is not None else None
        candidates: builtins.list[Member] = []
        for town in towns or [t.id for t in self.ws.towns.all()]:
            by_phone = self.ws.members.by_phone(town, wanted)
            candidates += [by_phone] if by_phone is not None else self.ws.members.find_by_name(town, wanted)
        candidates = [
            m
            for m in candidates
            if (village is None or m.village_id == village.id) and self.ws.who.covers(m.town_id, m.village_id)
        ]
        if not candidates:
            raise NotFoundError(f"没有找到网格员「{text}」。请检查姓名，或写手机号。", field="member")
        if len(candidates) > 1:
            where = "、".join(f"{m.town_name}{m.village_name}" for m in candidates)
            raise ValidationError(
                f"叫「{text}」的网格员不止一位（{where}），请用 --village 写明村街，或写手机号。",
                field="member",
            )
        return candidates[0].id

    # ---------------------------------------------------------------- the paper roster
    def roster(self, week: date, member_id: int | None = None, grid_id: int | None = None) -> Roster:
        """The residents of a member's or a grid's weekly roster, as the week began (visits logged
        during the week do not move anyone off it, so the fast entry finds the rows printed)."""
        if (member_id is None) == (grid_id is None):
            raise ValidationError("走访表按网格员或按网格打印：请选一位网格员或一个网格。", field="member")
        start, end = week_of(week)
        member = grid = None
        county = str(self.ws.settings.get("county_name", "香河县"))
        if member_id is not None:
            member = self.ws.members.get(member_id)
            if member is None:
                raise NotFoundError("所选网格员不存在，请重新选择。", field="member")
            place = f"{member.town_name}{member.village_name}"
            title = f"{county}{place} 网格员 {member.name}"
            flt = DueFilter(member_id=member_id)
        else:
            assert grid_id is not None
            grid = self.ws.grids.get(grid_id)
            if grid is None:
                raise NotFoundError("所选网格不存在，请重新选择。", field="grid")
            title = f"{county}{grid.town_name}{grid.village_name} {grid.name}"
            flt = DueFilter(grid_id=grid_id)
        entries = self.ws.visits.due(
            self._scoped(flt), self.intervals(), start, end, before=start, roster_order=True, limit=PAGE_LIMIT
        )
        return Roster(start, end, title, member, grid, entries)

    def roster_sheet(self, roster: Roster) -> RosterSheet:
        """The roster as the PDF prints it (pdf/visit_roster.py)."""
        if roster.member is not None:
            responsible = f"网格员：{roster.member.name} {roster.member.phone}"
        else:
            assert roster.grid is not None
            names = "、".join(m.name for m in self.ws.members.of_grid(roster.grid.id) if m.active)
            responsible = f"网格员：{names or '（本网格还没有网格员）'}"
        rows = []
        for number, e in enumerate(roster.entries, 1):
            note = ""
            if e.status.until is not None and e.status.until < roster.week_start:
                note = f"{e.status.until:%m-%d}出院，出院后首次走访"
            elif e.status.status.leaves:
                note = f"将于{e.status.since:%m-%d}{e.status.status.label}" if e.status.since else ""
            rows.append(
                RosterRow(
                    number=number,
                    name=e.name,
                    sex_age=" ".join(x for x in (e.sex, f"{e.age}岁" if e.age is not None else "") if x),
                    care_tags="、".join(t.label for t in e.care_tags),
                    address=e.address,
                    phone=e.phone,
                    emergency=" ".join(x for x in (e.emergency_name, e.emergency_phone) if x),
                    due=e.due,
                    last_visit=e.last_visit,
                    overdue_days=e.overdue_days,
                    interval=interval_text(e.interval_days),
                    status_note=note,
                )
            )
        return RosterSheet(
            title=roster.title,
            week_start=roster.week_start,
            week_end=roster.week_end,
            responsible=responsible,
            rows=rows,
            checks=tuple(label for _key, label in CHECKS),
            printed_at=self.ws.now(),
            printed_by=self.ws.actor,
        )
