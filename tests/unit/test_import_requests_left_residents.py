"""Importing requests refuses a row naming a resident who had moved away or died by the time it
was received, as 受理登记 does (issue #11 leftover)."""

from __future__ import annotations

from datetime import date

from tests.unit.sheet_files import write_xlsx
from tests.unit.test_sheets_import_requests import REQ, setup  # noqa: F401  (fixture)
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.domain.visits import ResidentStatus, StatusInfo
from xianghe_desk.services.imports import ImportService
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.visits import VisitService

COLUMNS = [*REQ, "身份证号"]
DEAD_ID = "131024194401271151"
MOVED_ID = "131024194503120012"


def _row(content: str, received: str, id_number: str) -> list[object]:
    cells = {
        "受理时间": received,
        "来源渠道": "服务电话",
        "问题类别": "社保医保代办",
        "诉求内容": content,
        "所属镇": "渠口镇",
        "所属村街": "王刘圈村",
        "身份证号": id_number,
    }
    return [cells.get(name) for name in COLUMNS]


def test_rows_for_residents_who_left_are_refused(ws, setup, tmp_path):  # noqa: F811
    village = setup[0]
    residents, visits = ResidentService(ws), VisitService(ws)
    dead = residents.add(ResidentDraft("张秀兰", village.id, id_number=DEAD_ID)).id
    moved = residents.add(ResidentDraft("王建国", village.id, id_number=MOVED_ID)).id
    visits.set_status(dead, StatusInfo(ResidentStatus.DECEASED, date(2026, 11, 2)))
    visits.set_status(moved, StatusInfo(ResidentStatus.MOVED, date(2026, 11, 3)))
    rows = [
        _row("去世前受理", "2026-11-01 09:30", DEAD_ID),  # 2: received before she died
        _row("去世后受理", "2026-11-03 09:30", DEAD_ID),  # 3
        _row("迁出当天受理", "2026-11-03 09:30", MOVED_ID),  # 4: on the day counts
        _row("迁出前一天受理", "2026-11-02 16:00", MOVED_ID),  # 5
    ]
    path = write_xlsx(tmp_path / "req.xlsx", COLUMNS, rows)
    report = ImportService(ws).import_file("requests", path, valid_only=True)
    assert {(r.row, r.column) for r in report.refusals} == {(3, "身份证号"), (4, "身份证号")}
    messages = {r.row: r.message for r in report.refusals}
    assert messages[3] == (
        "第3行的服务对象张秀兰已于 2026-11-02 去世（本行受理时间 2026-11-03 09:30），不能再为其登记新的工单。"
        "如确有需要（例如补登其生前的诉求，或家属代办后事），请从表格中删掉这一行，在「受理登记」里登记并选择"
        "「仍要登记」；如状态登记错了，请先在服务对象详情中改回「在册」，再重新导入。"
    )
    assert "王建国已于 2026-11-03 迁出" in messages[4]
    assert report.refused == 2
    saved = {r.content: r for r in RequestService(ws).list(RequestFilter(), limit=10)}
    assert set(saved) == {"去世前受理", "迁出前一天受理"}
    assert saved["去世前受理"].resident_id == dead
