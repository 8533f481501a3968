"""Entering a year's official holidays (放假调休) from the State Council's notice: administrators only
(Permission.SETTINGS), audited with the days before and after (issue #11)."""

from __future__ import annotations

from xianghe_desk.domain import duetime
from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.official_days import OfficialYear
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.calendar import CalendarService, SavedYear


def _facts(entered: OfficialYear | None) -> dict[str, object]:
    if entered is None:
        return {}
    return {
        "holidays": entered.lines("holidays"),
        "workdays": entered.lines("workdays"),
        "source": entered.source,
    }


@operation("settings.holidays", "录入节假日安排", Permission.SETTINGS, kind="settings")
def set_official_year(op: Op, year: int, holidays: str, workdays: str, source: str = "") -> SavedYear:
    service = CalendarService(op.ws)
    before = service.entered(year)
    saved = service.save(year, holidays, workdays, source)
    entered = saved.entered
    note = "（本程序自带这一年的日历，以自带的为准）" if duetime.library_knows(year) else ""
    if saved.moved:
        shown = "、".join(saved.moved[:10]) + ("等" if len(saved.moved) > 10 else "")
        note += f"；{len(saved.moved)} 张未办结工单的办理时限随之重算：{shown}"
    op.audit(
        f"录入 {year} 年节假日安排：放假 {len(entered.holidays)} 天，调休上班 {len(entered.workdays)} 天{note}",
        entity="settings",
        before=_facts(before),
        after=_facts(entered),
    )
    op.changes.settings = True
    op.changes.all_requests = True  # due times shown beside requests
    return saved
