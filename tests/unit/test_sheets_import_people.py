"""Importing residents and grid members: every refusal with row and column, identity, idempotence."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tests.unit.sheet_files import bad_checksum, make_id, write_csv, write_xlsx
from xianghe_desk.domain.enums import CareTag, Living, MemberKind, MemberRole, Sex
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.imports import ImportService, RowAction
from xianghe_desk.services.places import PlaceService

RES = [
    "姓名",
    "所属镇",
    "所属村街",
    "身份证号",
    "性别",
    "出生日期",
    "联系电话",
    "所属网格",
    "服务类别",
    "居住情况",
    "备注",
]
ID_A = make_id("13102419510315123")  # born 1951-03-15, male (odd 17th digit 3)
ID_B = make_id("13102419480720002")  # born 1948-07-20, female


@pytest.fixture
def village(ws):
    places = PlaceService(ws)
    village = places.resolve_village("王刘圈村", "渠口镇")
    places.add_grid(village.id, "第一网格", number="G01")
    places.add_grid(village.id, "第二网格", number="G02")
    return village


def _import(ws, kind, path, **options):
    return ImportService(ws).import_file(kind, path, **options)


def _refusal(report, row):
    found = [r for r in report.refusals if r.row == row]
    assert found, f"row {row} was not refused: {report.refusals}"
    return found


def test_residents_added_with_everything_normalised(ws, village, tmp_path):
    rows = [
        [
            "王秀兰",
            "渠口镇",
            "王刘圈村村民委员会",
            ID_A,
            None,
            None,
            "138 1234 5678",
            "第一网格",
            "独居老人、低保",
            "独居",
            "腿脚不便",
        ],
        [
            "李桂英",
            "渠口",
            "王刘圈村",
            ID_B.replace("1", "１"),
            "女",
            "1948/7/20",
            "0316-5123456",
            "G02",
            "孤寡老人",
            None,
            None,
        ],
        [
            "赵大山",
            "131024102",
            "131024102201",
            None,
            "男",
            "1950年1月2日",
            None,
            None,
            None,
            "与子女同住",
            None,
        ],
    ]
    report = _import(ws, "residents", write_xlsx(tmp_path / "r.xlsx", RES, rows))
    assert (report.added, report.refused, report.written) == (3, 0, True)
    people = {p.name: p for p in ws.residents.list(PersonFilter(), 0, 100)}
    wang = people["王秀兰"]
    assert (wang.id_number, wang.sex, wang.birth_date) == (ID_A, Sex.MALE, date(1951, 3, 15))
    assert wang.care_tags == (CareTag.ELDERLY_ALONE, CareTag.DIBAO) and wang.living is Living.ALONE
    assert (wang.phone, wang.grid_name, wang.village_id, wang.note) == (
        "13812345678",
        "第一网格",
        village.id,
        "腿脚不便",
    )
    assert people["李桂英"].id_number == ID_B  # full-width digits folded
    assert people["李桂英"].grid_name == "第二网格"  # by grid number
    assert people["李桂英"].phone == "0316-5123456"
    assert people["赵大山"].birth_date == date(1950, 1, 2) and people["赵大山"].id_number is None


@pytest.mark.parametrize(
    "cell",
    [
        "1950-01-02",
        "1950/1/2",
        "1950年1月2日",
        "1950.01.02",
        18265,
        datetime(1950, 1, 2),
        "1950-01-02 00:00:00",
    ],
)
def test_birth_date_in_the_forms_people_type(ws, village, tmp_path, cell):
    path = write_xlsx(
        tmp_path / "d.xlsx",
        ["姓名", "所属镇", "所属村街", "出生日期"],
        [["赵大山", "渠口镇", "王刘圈村", cell]],
    )
    report = _import(ws, "residents", path)
    assert report.added == 1, report.refusals
    (person,) = ws.residents.list(PersonFilter(), 0, 10)
    assert person.birth_date == date(1950, 1, 2)


def test_each_refusal_names_row_column_and_reason(ws, village, tmp_path):
    rows = [
        ["张三", "渠口镇", "王刘圈村", bad_checksum(ID_A), None, None, None, None, None, None, None],  # 2
        ["李四", "渠口镇", "王刘圈村", 1.31024195103151e17, None, None, None, None, None, None, None],  # 3
        ["王五", "渠口镇", "王刘圈村", int(ID_B[:17] + "0"), None, None, None, None, None, None, None],  # 4
        ["赵六", "渠口镇", "不存在村", None, None, None, None, None, None, None, None],  # 5
        ["钱七", "渠口镇", "王刘圈村", None, None, None, None, "第九网格", None, None, None],  # 6
        ["孙八", "泥沙镇", "王刘圈村", None, None, None, None, None, None, None, None],  # 7
        [
            "周九",
            "渠口镇",
            "王刘圈村",
            ID_A,
            "女",
            None,
            None,
            None,
            None,
            None,
            None,
        ],  # 8: sex differs from ID
        ["吴十", "渠口镇", "王刘圈村", None, None, None, "1234", None, "低保、有钱人", "独住", None],  # 9
        [None, "渠口镇", "王刘圈村", None, None, "2099-01-01", None, None, None, None, None],  # 10
    ]
    report = _import(ws, "residents", write_xlsx(tmp_path / "bad.xlsx", RES, rows))
    assert not report.written and report.refused == 9 and ws.residents.count() == 0
    assert "校验位" in _refusal(report, 2)[0].message
    for row in (3, 4):
        (refusal,) = _refusal(report, row)
        assert refusal.column == "身份证号"
        assert "文本" in refusal.message and "重新输入" in refusal.message and "丢失" in refusal.message
    assert str(_refusal(report, 3)[0]).startswith("第3行 身份证号：单元格里是数字 1.31024E+17")
    assert (
        _refusal(report, 5)[0].column == "所属村街"
        and "没有名为「不存在村」" in _refusal(report, 5)[0].message
    )
    assert _refusal(report, 6)[0].column == "所属网格" and "第九网格" in _refusal(report, 6)[0].message
    assert _refusal(report, 7)[0].column == "所属镇"
    assert _refusal(report, 8)[0].column == "性别"
    columns = {r.column for r in _refusal(report, 9)}
    assert columns == {"联系电话", "服务类别", "居住情况"}
    assert {r.column for r in _refusal(report, 10)} >= {"姓名"}


def test_scientific_notation_in_a_csv_is_refused(ws, village, tmp_path):
    path = write_csv(
        tmp_path / "sci.csv",
        ["姓名", "所属镇", "所属村街", "身份证号"],
        [["李四", "渠口镇", "王刘圈村", "1.31024E+17"]],
        "gbk",
    )
    report = _import(ws, "residents", path)
    (refusal,) = report.refusals
    assert (refusal.row, refusal.column) == (2, "身份证号") and "文本" in refusal.message


def test_duplicate_rows_in_the_file_are_refused(ws, village, tmp_path):
    rows = [
        ["王秀兰", "渠口镇", "王刘圈村", ID_A],
        ["王秀兰", "渠口镇", "王刘圈村", ID_A],
        ["赵大山", "渠口镇", "王刘圈村", None],
        ["赵大山", "渠口镇", "王刘圈村村民委员会", None],
    ]
    report = _import(ws, "residents", write_xlsx(tmp_path / "dup.xlsx", RES[:4], rows), valid_only=True)
    assert [(r.row, r.column) for r in report.refusals] == [(3, "身份证号"), (5, "姓名")]
    assert "与第2行重复" in report.refusals[0].message and "与第4行重复" in report.refusals[1].message
    assert report.written and ws.residents.count() == 2


def test_all_or_nothing_leaves_the_database_unchanged_and_valid_only_writes_the_rest(ws, village, tmp_path):
    rows = [["王秀兰", "渠口镇", "王刘圈村", ID_A], ["李四", "渠口镇", "王刘圈村", bad_checksum(ID_B)]]
    path = write_xlsx(tmp_path / "mixed.xlsx", RES[:4], rows)
    before = ws.db.execute("SELECT count(*), total(changes()) FROM residents").fetchone()
    report = _import(ws, "residents", path)
    assert (report.written, report.added, report.refused) == (False, 1, 1)
    assert "没有写入任何数据" in report.summary()
    assert ws.db.execute("SELECT count(*), total(changes()) FROM residents").fetchone() == before
    dry = _import(ws, "residents", path, dry_run=True, valid_only=True)
    assert dry.dry_run and not dry.written and ws.residents.count() == 0 and "试运行" in dry.summary()
    report = _import(ws, "residents", path, valid_only=True)
    assert (report.written, report.added, report.refused) == (True, 1, 1)
    assert [p.name for p in ws.residents.list(PersonFilter(), 0, 10)] == ["王秀兰"]


def test_same_file_twice_changes_nothing_and_empty_cells_never_clear(ws, village, tmp_path):
    rows = [
        [
            "王秀兰",
            "渠口镇",
            "王刘圈村",
            ID_A,
            None,
            None,
            "13812345678",
            "第一网格",
            "独居老人",
            "独居",
            None,
        ],
        ["赵大山", "渠口镇", "王刘圈村", None, "男", "1950-01-02", None, None, None, None, None],
    ]
    path = write_xlsx(tmp_path / "twice.xlsx", RES, rows)
    assert _import(ws, "residents", path).added == 2
    stamps = ws.db.execute("SELECT id, updated_at FROM residents ORDER BY id").fetchall()
    again = _import(ws, "residents", path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert ws.db.execute("SELECT id, updated_at FROM residents ORDER BY id").fetchall() == stamps
    # A later, thinner sheet: a new phone for one, nothing else said; the empty cells keep values.
    thin = write_xlsx(
        tmp_path / "thin.xlsx",
        ["姓名", "所属镇", "所属村街", "身份证号", "联系电话", "出生日期"],
        [
            ["王秀兰", "渠口镇", "王刘圈村", ID_A, "13912345678", None],
            ["赵大山", "渠口镇", "王刘圈村", None, None, "1950/1/2"],
        ],
    )
    report = ImportService(ws).plan(ImportService(ws).read("residents", thin))
    assert [(r.action, r.changes) for r in report.rows] == [
        (RowAction.UPDATE, ("联系电话",)),
        (RowAction.SAME, ()),
    ]
    _import(ws, "residents", thin)
    wang = ws.residents.by_id_number(ID_A)
    assert (wang.phone, wang.grid_name, wang.living) == ("13912345678", "第一网格", Living.ALONE)
    assert ws.residents.count() == 2


def test_refusal_report_is_saved_as_xlsx(ws, village, tmp_path):
    rows = [["王秀兰", "渠口镇", "王刘圈村", bad_checksum(ID_A)], ["李四", "渠口镇", "无此村", None]]
    report = _import(ws, "residents", write_xlsx(tmp_path / "r.xlsx", RES[:4], rows))
    path = report.save_xlsx(tmp_path / "拒绝原因.xlsx")
    workbook = load_workbook(path)
    sheet = workbook["拒绝原因"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("行号", "列", "原因", "姓名")
    assert [(v[0], v[1]) for v in values[1:]] == [(2, "身份证号"), (3, "所属村街")]
    assert values[1][3] == "王秀兰" and values[2][5] == "无此村"
    assert "没有写入任何数据" in workbook["说明"]["A2"].value


MEM = ["姓名", "手机号", "所属镇", "所属村街", "负责网格", "类型", "身份", "是否党员", "身份证号", "在岗"]


def test_members_identified_by_town_and_phone(ws, village, tmp_path):
    rows = [
        [
            "李建国",
            "13812345678",
            "渠口镇",
            "王刘圈村",
            "第一网格、第二网格",
            "专职",
            "网格长",
            "是",
            None,
            "是",
        ],
        ["王红", "139 1234 5678", "渠口镇", "王刘圈村", "第二网格", None, None, None, None, None],
        ["刘镇长", "13712345678", "渠口镇", None, None, "专职", "镇干部", "是", None, None],
    ]
    path = write_xlsx(tmp_path / "m.xlsx", MEM, rows)
    report = _import(ws, "members", path)
    assert (report.added, report.refused) == (3, 0), report.refusals
    members = {m.name: m for m in ws.members.list(PersonFilter(), 0, 10)}
    head = members["李建国"]
    assert (head.kind, head.role, head.is_party, head.active) == (
        MemberKind.FULL_TIME,
        MemberRole.GRID_HEAD,
        True,
        True,
    )
    assert set(head.grid_names) == {"第一网格", "第二网格"}
    assert (members["王红"].kind, members["王红"].role, members["王红"].phone) == (
        MemberKind.PART_TIME,
        MemberRole.MEMBER,
        "13912345678",
    )
    assert members["刘镇长"].village_id is None
    assert _import(ws, "members", path).unchanged == 3
    moved = write_xlsx(
        tmp_path / "m2.xlsx",
        MEM,
        [["李建国", "13812345678", "渠口镇", "王刘圈村", "第一网格", None, None, None, None, "否"]],
    )
    report = _import(ws, "members", moved)
    assert report.updated == 1 and ws.members.count() == 3
    head = ws.members.get(head.id)
    assert (head.grid_names, head.active, head.role) == (("第一网格",), False, MemberRole.GRID_HEAD)


def test_member_refusals(ws, village, tmp_path):
    rows = [
        ["李建国", "13812345678", "渠口镇", "王刘圈村", "第九网格", None, None, None, None, None],
        ["王红", "12345", "渠口镇", "王刘圈村", None, None, None, "也许", None, None],
        ["张明", "13612345678", "渠口镇", None, None, None, "网格员", None, None, None],
        ["李建设", "13812345678", "渠口镇", "王刘圈村", None, "临时工", None, None, None, None],
    ]
    report = _import(ws, "members", write_xlsx(tmp_path / "m.xlsx", MEM, rows))
    got = {(r.row, r.column) for r in report.refusals}
    # Row 5 also repeats row 2's phone: the same member, whatever else is wrong with row 2.
    assert got == {
        (2, "负责网格"),
        (3, "手机号"),
        (3, "是否党员"),
        (4, "所属村街"),
        (5, "类型"),
        (5, "手机号"),
    }
    assert ws.members.count() == 0


def test_members_gbk_csv(ws, village, tmp_path):
    path = write_csv(
        tmp_path / "m.csv",
        ["姓名", "手机号", "所属镇", "所属村街"],
        [["李建国", "13812345678", "渠口镇", "王刘圈村"]],
        "gbk",
    )
    assert _import(ws, "members", path).added == 1
