"""Importing service requests: lifecycle rules, a consistent history (``check``), identity."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from tests.unit.sheet_files import write_xlsx
from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction, Status
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.services.check import run_checks
from xianghe_desk.services.imports import ImportService, RowAction
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService

REQ = [
    "受理时间", "来源渠道", "问题类别", "诉求内容", "所属镇", "所属村街", "工单编号", "外部编号", "紧急程度",
    "服务对象姓名", "联系电话", "所属网格", "承办人", "状态", "派单时间", "办结时间", "办理方式", "办理结果",
    "回访时间", "回访方式", "满意度",
]  # fmt: skip


def row(content: str, **values: object) -> list[object]:
    """A request row: 受理 on 2026-11-03 09:30 in 王刘圈村, plus ``values`` by column name."""
    cells: dict[str, object] = {
        "受理时间": "2026-11-03 09:30",
        "来源渠道": "服务电话",
        "问题类别": "社保医保代办",
        "诉求内容": content,
        "所属镇": "渠口镇",
        "所属村街": "王刘圈村",
        **values,
    }
    return [cells.get(name) for name in REQ]


@pytest.fixture
def setup(ws):
    places = PlaceService(ws)
    village = places.resolve_village("王刘圈村", "渠口镇")
    grid = places.add_grid(village.id, "第一网格")
    members = MemberService(ws)
    li = members.add(MemberDraft("李建国", "13812345678", village.town_id, village.id, grid_ids=(grid,))).id
    places.set_grid_default_member(grid, li)
    return village, grid, li


def _import(ws, tmp_path, rows, name="req.xlsx", **options):
    return ImportService(ws).import_file("requests", write_xlsx(tmp_path / name, REQ, rows), **options)


def _checks_pass(ws):
    failed = [r for r in run_checks(ws) if not r.ok]
    assert not failed, failed


def _by_content(ws):
    service = RequestService(ws)
    return {r.content: r for r in service.list(RequestFilter(), limit=100)}


def test_every_status_gets_its_history_and_check_passes(ws, setup, tmp_path):
    _village, _grid, li = setup
    rows = [
        row("待派单的事"),
        row("已派单的事", 承办人="李建国", 派单时间="2026-11-03 10:00"),
        row("办理中的事", 状态="办理中", 所属网格="第一网格"),
        row("已办结的事", 状态="已办结", 办结时间="2026-11-04 16:00", 办理方式="代办代跑", 办理结果="已代缴"),
        row(
            "已回访的事",
            外部编号="12345-20261103-001",
            来源渠道="12345热线",
            状态="已回访",
            承办人="李建国（13812345678）",
            派单时间="2026/11/3 10:00",
            办结时间="2026年11月4日 16时00分",
            办理方式="现场办结",
            回访时间="2026-11-05 09:00",
            回访方式="电话",
            满意度="基本满意",
        ),
        row("撤销的事", 状态="已撤销"),
    ]
    report = _import(ws, tmp_path, rows)
    assert (report.added, report.refused) == (6, 0), report.refusals
    _checks_pass(ws)
    found = _by_content(ws)
    service = RequestService(ws)
    assert found["待派单的事"].status is Status.RECEIVED and found["待派单的事"].handler_id is None
    assert (found["已派单的事"].status, found["已派单的事"].handler_id) == (Status.DISPATCHED, li)
    # No 承办人 in the sheet: the grid's default member takes it.
    assert (found["办理中的事"].status, found["办理中的事"].handler_id) == (Status.IN_PROGRESS, li)
    done = found["已办结的事"]
    assert (done.status, done.completed_at, done.method) == (
        Status.COMPLETED,
        datetime(2026, 11, 4, 16),
        "agent_run",
    )
    closed = found["已回访的事"]
    assert closed.status is Status.CLOSED and closed.external_number == "12345-20261103-001"
    assert (closed.feedback_route, closed.satisfaction) == (FeedbackRoute.PHONE, Satisfaction.BASICALLY)
    assert closed.channel == "hotline_12345"
    events = [(e.action, e.at) for e in service.events(closed.id)]
    assert events == [
        ("received", datetime(2026, 11, 3, 9, 30)),
        ("dispatched", datetime(2026, 11, 3, 10, 0)),
        ("completed", datetime(2026, 11, 4, 16, 0)),
        ("followed_up", datetime(2026, 11, 5, 9, 0)),
    ]
    assert found["撤销的事"].status is Status.CANCELLED
    figures = StatsService(ws).figures("2026-11", StatsService(ws).scope())
    assert (figures["received"], figures["completed"], figures["basically_satisfied"]) == (5, 2, 1)
    # Without 工单编号 and 外部编号 the same file is still recognised (受理时间 + 村街 + 诉求内容).
    again = _import(ws, tmp_path, rows)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 6)
    assert service.count(RequestFilter()) == 6


def test_a_dispatch_without_any_handler_is_recorded_and_still_consistent(ws, setup, tmp_path):
    rows = [
        row(
            "没有网格的事",
            所属村街="康宁社区",
            所属镇="淑阳镇",
            状态="已办结",
            办结时间="2026-11-04",
            办理方式="政策解答",
        )
    ]
    assert _import(ws, tmp_path, rows).added == 1
    request = _by_content(ws)["没有网格的事"]
    assert request.status is Status.COMPLETED and request.handler_id is None
    _checks_pass(ws)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-11-03", datetime(2026, 11, 3)),
        ("2026/11/3", datetime(2026, 11, 3)),
        ("2026年11月3日", datetime(2026, 11, 3)),
        (46329, datetime(2026, 11, 3)),
        (46329.5, datetime(2026, 11, 3, 12)),
        (datetime(2026, 11, 3, 8, 15), datetime(2026, 11, 3, 8, 15)),
    ],
)
def test_received_time_in_the_forms_people_type(ws, setup, tmp_path, cell, expected):
    assert _import(ws, tmp_path, [row("日期", 受理时间=cell)]).added == 1
    assert _by_content(ws)["日期"].received_at == expected


def test_lifecycle_refusals(ws, setup, tmp_path):
    rows = [
        row("办结没时间", 状态="已办结", 办理方式="代办代跑"),  # 2
        row("办结没方式", 状态="已办结", 办结时间="2026-11-04"),  # 3
        row("回访不全", 状态="已回访", 办结时间="2026-11-04", 办理方式="代办代跑"),  # 4
        row("待派单却办结", 状态="待派单", 办结时间="2026-11-04"),  # 5
        row("办结早于受理", 状态="已办结", 办结时间="2026-11-01", 办理方式="代办代跑"),  # 6
        row("将来", 受理时间="2027-01-01"),  # 7
        row("渠道不对", 来源渠道="飞鸽传书", 问题类别="修飞机"),  # 8
        row("编号不对", 工单编号="ABC-123"),  # 9
        row("承办人不对", 承办人="不存在的人"),  # 10
        row("", 状态="完蛋"),  # 11
        row("只有时间", 受理时间=time(9, 30)),  # 12: a cell formatted as a time of day
    ]
    report = _import(ws, tmp_path, rows)
    got = {(r.row, r.column) for r in report.refusals}
    assert {(2, "办结时间"), (3, "办理方式"), (4, "回访方式"), (4, "满意度"), (5, "办结时间")} <= got
    assert {(6, "办结时间"), (7, "受理时间"), (8, "来源渠道"), (8, "问题类别"), (9, "工单编号")} <= got
    assert {(10, "承办人"), (11, "诉求内容"), (11, "状态"), (12, "受理时间")} <= got
    assert report.refused == 11 and not report.written
    assert RequestService(ws).count(RequestFilter()) == 0
    message = next(r for r in report.refusals if r.row == 2).message
    assert message == "状态是「已办结」，必须填写办结时间。"


def test_a_later_sheet_moves_a_request_forward_but_cannot_rewrite_it(ws, setup, tmp_path):
    first = [row("代缴医保", 外部编号="A-1", 承办人="李建国", 派单时间="2026-11-03 10:00")]
    assert _import(ws, tmp_path, first).added == 1
    later = [
        row(
            "代缴医保",
            外部编号="A-1",
            状态="已回访",
            派单时间="2026-11-03 10:00",
            办结时间="2026-11-04 16:00",
            办理方式="代办代跑",
            办理结果="已代缴",
            回访方式="上门回访",
            满意度="满意",
        )
    ]
    report = _import(ws, tmp_path, later, name="later.xlsx")
    assert (report.updated, report.refused) == (1, 0), report.refusals
    assert report.refusals == []
    request = _by_content(ws)["代缴医保"]
    assert request.status is Status.CLOSED and request.feedback_at == datetime(2026, 11, 4, 16)
    actions = [e.action for e in RequestService(ws).events(request.id)]
    assert actions == ["received", "dispatched", "completed", "followed_up"]
    _checks_pass(ws)
    assert _import(ws, tmp_path, later, name="later.xlsx").unchanged == 1
    # The first sheet again: older than the desk, kept as it is (with a note), not an error.
    plan = ImportService(ws).plan(ImportService(ws).read("requests", tmp_path / "req.xlsx"))
    assert plan.rows[0].action is RowAction.SAME and "已回访" in plan.rows[0].reason
    # Recorded steps cannot be rewritten by a sheet.
    rewrite = [later[0][:]]
    rewrite[0][REQ.index("办结时间")] = "2026-11-04 18:00"
    report = _import(ws, tmp_path, rewrite, name="rewrite.xlsx")
    (refusal,) = report.refusals
    assert refusal.column == "办结时间" and "不能用表格改写" in refusal.message
    # Plain fields may be edited; the edit is recorded in the history.
    edited = [later[0][:]]
    edited[0][REQ.index("服务对象姓名")] = "王秀兰"
    report = _import(ws, tmp_path, edited, name="edit.xlsx")
    assert report.updated == 1 and report.refusals == []
    request = RequestService(ws).get(request.id)
    assert request.person_name == "王秀兰" and request.status is Status.CLOSED
    assert RequestService(ws).events(request.id)[-1].action == "edited"
    _checks_pass(ws)


def test_numbers_and_external_numbers_identify_and_duplicates_are_refused(ws, setup, tmp_path):
    rows = [
        row("甲", 外部编号="X-1"),
        row("乙", 外部编号="X-1"),
        row("丙", 工单编号="102-ABCD-2611-0007"),
        row("丙二", 工单编号="102abcd26110007"),
    ]
    report = _import(ws, tmp_path, rows, valid_only=True)
    assert [(r.row, r.column) for r in report.refusals] == [(3, "外部编号"), (5, "工单编号")]
    assert report.added == 2
    kept = RequestService(ws).find_by_number("102-ABCD-2611-0007")
    assert kept is not None and kept.content == "丙"
    # A number of this copy's own device is never handed out again.
    tag = ws.device.tag
    own = f"102-{tag}-2611-0041"
    assert _import(ws, tmp_path, [row("自己的号", 工单编号=own)], name="own.xlsx").added == 1
    draft = RequestDraft("phone", "repairs", "新登记", setup[0].id, received_at=datetime(2026, 11, 20, 9))
    fresh = RequestService(ws).register(draft)
    assert fresh.number.endswith("-0042")
