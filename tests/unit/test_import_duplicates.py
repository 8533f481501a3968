"""Issue #5: one likely-duplicate check for residents added by hand and from a spreadsheet.

A new resident without a matching ID number who has the name + village + birth date of someone
already there, or nearly (a homophone, a one-character typo), is offered to the clerk by hand and
imports with a warning from a sheet; a matching ID number is an update, not a warning.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.sheet_files import cli, make_id, write_xlsx
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.services.duplicates import DuplicateFinder
from xianghe_desk.services.imports import ImportService, RowAction
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.places import PlaceService

RES = ["姓名", "所属镇", "所属村街", "身份证号", "出生日期", "联系电话"]
BIRTH = date(1948, 3, 5)
ID_LI = make_id("13102419480305002")
ID_WANG = make_id("13102419480305004")
ID_OTHER = make_id("13102419480305012")


@pytest.fixture
def village(ws):
    return PlaceService(ws).resolve_village("王刘圈村", "渠口镇")


@pytest.fixture
def people(ws, village):
    """张丽 and 王秀英 (both with ID numbers), 赵德福 (none), born on BIRTH in 王刘圈村."""
    service = ResidentService(ws)
    return {
        name: service.add(ResidentDraft(name, village.id, id_number=number, birth_date=BIRTH)).id
        for name, number in (("张丽", ID_LI), ("王秀英", ID_WANG), ("赵德福", ""))
    }


def _warning(name: str, birth: str = BIRTH.isoformat()) -> str:
    return f"可能与已有的服务对象「{name}」（王刘圈村，{birth}）是同一人，请核对"


# ---- by hand ------------------------------------------------------------------------------------


def test_a_hand_added_homophone_or_typo_is_offered_as_a_likely_duplicate(ws, village, people):
    residents = ResidentService(ws)
    homophone = residents.likely_duplicates(ResidentDraft("章莉", village.id, birth_date=BIRTH))
    assert [r.id for r in homophone] == [people["张丽"]]
    typo = residents.likely_duplicates(ResidentDraft("王季英", village.id, birth_date=BIRTH))
    assert [r.id for r in typo] == [people["王秀英"]]
    exact = residents.likely_duplicates(ResidentDraft("赵德福", village.id, birth_date=BIRTH))
    assert [r.id for r in exact] == [people["赵德福"]]
    # A typo with another birth date, another village, or two different ID numbers: not offered.
    assert residents.likely_duplicates(ResidentDraft("王季英", village.id, birth_date=date(1950, 1, 1))) == []
    other = PlaceService(ws).resolve_village("石虎辛庄村")
    assert residents.likely_duplicates(ResidentDraft("章莉", other.id, birth_date=BIRTH)) == []
    assert (
        residents.likely_duplicates(ResidentDraft("章莉", village.id, id_number=ID_OTHER, birth_date=BIRTH))
        == []
    )
    # Editing a record does not offer the record itself.
    same = ResidentDraft("张丽", village.id, birth_date=BIRTH)
    assert residents.likely_duplicates(same, exclude_id=people["张丽"]) == []


def test_the_finder_reads_a_village_once_and_matches_like_the_single_check(ws, village, people):
    finder = DuplicateFinder(ws)
    assert [(p.name, reason) for p, reason in finder.alike("章莉", village.id, BIRTH)] == [
        ("张丽", "姓名读音相同（可能是同音字）")
    ]
    # Residents added after the village was read are not seen by this finder (one read per village).
    ResidentService(ws).add(ResidentDraft("章丽", village.id, birth_date=BIRTH))
    assert [p.name for p, _r in finder.alike("章莉", village.id, BIRTH)] == ["张丽"]
    assert [p.name for p, _r in DuplicateFinder(ws).alike("章莉", village.id, BIRTH)] == ["张丽", "章丽"]


# ---- from a spreadsheet ---------------------------------------------------------------------------


def _sheet(tmp_path, village):
    town = "渠口镇"
    rows = [
        ["张丽", town, village.short_name, None, "1948-03-05", "13900000001"],  # 2: same name + birth
        ["王季英", town, village.short_name, None, "1948/3/5", None],  # 3: one-character typo
        ["王秀英", town, village.short_name, ID_WANG, "1948-03-05", "13900000002"],  # 4: same ID: update
        ["李建华", town, village.short_name, None, "1948-03-05", None],  # 5: nobody alike
        ["赵德福", town, village.short_name, None, "1948-03-05", "13900000003"],  # 6: same person, no IDs
        ["章莉", town, village.short_name, ID_OTHER, "1948-03-05", None],  # 7: another ID number
    ]
    return write_xlsx(tmp_path / "服务对象.xlsx", RES, rows)


def test_sheet_rows_alike_an_existing_resident_import_with_a_warning(ws, village, people, tmp_path):
    sheet = _sheet(tmp_path, village)
    plan = ImportService(ws).plan(ImportService(ws).read("residents", sheet))
    actions = {row.row: row.action for row in plan.rows}
    assert actions == {
        2: RowAction.ADD,
        3: RowAction.ADD,
        4: RowAction.UPDATE,
        5: RowAction.ADD,
        6: RowAction.UPDATE,
        7: RowAction.ADD,
    }
    expected = [(2, _warning("张丽")), (3, _warning("王秀英"))]
    assert [(w.row, w.message) for w in plan.row_warnings] == expected
    assert not plan.has_refusals

    before = ws.residents.count()
    report = ImportService(ws).import_file("residents", sheet)
    assert report.written and report.refused == 0
    assert (report.added, report.updated) == (4, 2)
    assert [(w.row, w.message) for w in report.row_warnings] == expected
    assert ws.residents.count() == before + 4
    assert ws.residents.get(people["王秀英"]).phone == "13900000002"  # matched by ID number
    # Imported again: every row is there, nothing to warn about (the new 张丽 is the same person).
    again = ImportService(ws).import_file("residents", sheet)
    assert (again.added, again.updated, again.row_warnings) == (0, 0, [])
    assert ws.residents.count() == before + 4


def test_dry_run_and_import_print_the_warnings_after_the_refusals(
    ws, village, people, tmp_path, db_path, capsys
):
    sheet = _sheet(tmp_path, village)
    before = ws.residents.count()
    assert cli("import", "residents", "--db", db_path, sheet, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "请核对的行（仍会导入），共 2 处：" in out
    assert f"  第2行：{_warning('张丽')}" in out
    assert f"  第3行：{_warning('王秀英')}" in out
    assert out.index("如果导入，将新增 4 行，更新 2 行") < out.index("请核对的行")
    assert ws.residents.count() == before

    # With a refused row the warnings still follow the refusals; the report file keeps them.
    broken = write_xlsx(
        tmp_path / "有错.xlsx",
        RES,
        [
            ["王季英", "渠口镇", village.short_name, None, "1948-03-05", None],
            ["李四", "渠口镇", "没有这个村", None, None, None],
        ],
    )
    report_path = tmp_path / "结果.xlsx"
    assert cli("import", "residents", "--db", db_path, broken, "--dry-run", "--report", report_path) == 1
    captured = capsys.readouterr()
    assert "第3行 / 所属村街" in captured.err and f"第2行：{_warning('王秀英')}" in captured.out
    from openpyxl import load_workbook

    summary = [
        c for row in load_workbook(report_path).worksheets[-1].iter_rows(values_only=True) for c in row
    ]
    assert f"请核对：第2行：{_warning('王秀英')}" in summary

    assert cli("import", "residents", "--db", db_path, sheet) == 0
    assert "请核对的行（仍会导入），共 2 处：" in capsys.readouterr().out
    assert ws.residents.count() == before + 4


def test_a_resident_without_a_birth_date_is_named_as_such(ws, village, tmp_path):
    ResidentService(ws).add(ResidentDraft("孙桂兰", village.id))
    sheet = write_xlsx(
        tmp_path / "s.xlsx", RES, [["孙桂兰", "渠口镇", village.short_name, None, "1950-01-01", None]]
    )
    report = ImportService(ws).import_file("residents", sheet, dry_run=True)
    assert [w.message for w in report.row_warnings] == [_warning("孙桂兰", "未填出生日期")]
