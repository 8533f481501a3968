"""Spreadsheet import and export as operations, called as each demo role.

- Exports hold only the actor's scope and mask ID numbers and phones unless ``--full`` (administrators
  and town clerks); personal sheets are refused to village clerks and viewers.
- An import row for a village outside the clerk's scope is refused with the reason, like any bad row.
- A masked value in a sheet never overwrites the full number the database holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers import run_cli
from tests.unit.role_helpers import (
    ROLE_LABELS,
    audit_rows,
    other_town_village,
    other_village,
    own_village,
    refused,
    sign_in,
)
from tests.unit.sheet_files import make_id, write_xlsx
from xianghe_desk.domain.access import mask_id_number, mask_phone
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.models import Village
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.operations.exports import export_sheet
from xianghe_desk.operations.imports import import_file
from xianghe_desk.operations.people import add_resident
from xianghe_desk.services.workspace import Workspace

RES = ["姓名", "所属镇", "所属村街", "身份证号", "联系电话", "居住地址"]


def _rows(path: Path) -> list[dict[str, object]]:
    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def _resident(ws: Workspace, name: str, village_id: int, body17: str, phone: str = "") -> tuple[int, str]:
    number = make_id(body17)
    saved = add_resident(ws, ResidentDraft(name, village_id, id_number=number, phone=phone)).value
    return saved.id, number


# ---------------------------------------------------------------- export


def test_exports_are_masked_by_default_and_hold_only_the_actors_scope(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    ws = sign_in(demo_ws, "admin")
    foreign = other_town_village(ws)
    _resident(ws, "外镇老人", foreign.id, "13102419400101001", "13912345678")
    done = export_sheet(ws, "residents", tmp_path / "all.xlsx").value
    rows = _rows(tmp_path / "all.xlsx")
    assert done.masked and done.rows == len(rows) > 1
    ids = [str(r["身份证号"]) for r in rows if r["身份证号"]]
    assert ids and all("********" in i and len(i) == 18 for i in ids)
    assert all("*" in str(r["联系电话"]) for r in rows if r["联系电话"])
    assert "外镇老人" in {r["姓名"] for r in rows}
    (row,) = audit_rows(ws, "sheet.export", kind="export")
    assert (
        row.detail["masked"] is True
        and row.detail["rows"] == done.rows
        and row.detail["sheet"] == "residents"
    )

    sign_in(ws, "zhen")
    town = export_sheet(ws, "residents", tmp_path / "town.xlsx", full=True).value
    names = {r["姓名"] for r in _rows(tmp_path / "town.xlsx")}
    assert "外镇老人" not in names and town.rows == done.rows - 1 and not town.masked
    assert any(
        len(str(r["身份证号"])) == 18 and "*" not in str(r["身份证号"]) for r in _rows(tmp_path / "town.xlsx")
    )
    assert audit_rows(ws, "sheet.export")[-1].detail["full"] is True


def test_a_village_clerk_exports_places_of_their_village_but_no_personal_data(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    ws = sign_in(demo_ws, "cun")
    village = own_village(ws)
    export_sheet(ws, "villages", tmp_path / "v.xlsx")
    assert [r["村街名称"] for r in _rows(tmp_path / "v.xlsx")] == [village.name]
    export_sheet(ws, "grids", tmp_path / "g.xlsx")
    assert {r["所属村街"] for r in _rows(tmp_path / "g.xlsx")} == {village.short_name}
    for kind in ("residents", "requests", "members"):
        target = tmp_path / f"{kind}.xlsx"
        refused(
            lambda kind=kind, target=target: export_sheet(ws, kind, target),
            "村级录入员",
            "导出含个人信息的表格",
        )
        assert not target.exists()
    refused(lambda: export_sheet(ws, "residents", tmp_path / "f.xlsx", full=True), "村级录入员")
    assert len(audit_rows(ws, "sheet.export", kind="refused")) == 4


def test_a_viewer_exports_no_personal_data(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "lingdao")
    refused(lambda: export_sheet(ws, "members", tmp_path / "m.xlsx"), "领导查看")
    assert export_sheet(ws, "villages", tmp_path / "v.xlsx").value.rows > 0


@pytest.fixture
def demo_db(small_demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    shutil.copy(small_demo, path)
    return path


def test_export_command_masks_by_default_and_writes_full_numbers_with_full(
    demo_db: Path, tmp_path: Path
) -> None:
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    result = run_cli("export", "residents", "--db", demo_db, "-o", masked, "--user", "admin")
    assert result.returncode == 0, result.stderr
    assert "已隐藏" in result.stdout
    result = run_cli("export", "residents", "--db", demo_db, "-o", full, "--full", "--user", "admin")
    assert result.returncode == 0, result.stderr
    hidden, shown = _rows(masked), _rows(full)
    assert len(hidden) == len(shown)
    pairs = [(h["身份证号"], s["身份证号"]) for h, s in zip(hidden, shown, strict=True) if s["身份证号"]]
    assert pairs and all(h == mask_id_number(str(s)) and "*" not in str(s) for h, s in pairs)
    phones = [(h["联系电话"], s["联系电话"]) for h, s in zip(hidden, shown, strict=True) if s["联系电话"]]
    assert phones and all(h == mask_phone(str(s)) for h, s in phones)

    result = run_cli("export", "residents", "--db", demo_db, "-o", tmp_path / "c.xlsx", "--user", "cun")
    assert result.returncode == 1 and "村级录入员" in result.stderr and not (tmp_path / "c.xlsx").exists()
    result = run_cli(
        "export", "residents", "--db", demo_db, "-o", tmp_path / "l.xlsx", "--full", "--user", "lingdao"
    )
    assert result.returncode == 1 and "领导查看" in result.stderr


# ---------------------------------------------------------------- import


def _sheet_for(tmp_path: Path, *people: tuple[Village, str]) -> Path:
    """A residents sheet of new people: (village, name) each."""
    rows = [[person, village.town_name, village.short_name, None, None, None] for village, person in people]
    return write_xlsx(tmp_path / "r.xlsx", RES, rows)


def test_a_village_clerks_row_for_another_village_is_refused_with_the_reason(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    ws = sign_in(demo_ws, "cun")
    own, other = own_village(ws), other_village(ws)
    sheet = _sheet_for(tmp_path, (own, "本村新人"), (other, "邻村新人"))
    before = ws.residents.count()
    report = import_file(ws, "residents", sheet).value
    assert not report.written and report.refused == 1 and ws.residents.count() == before
    (refusal,) = report.refusals
    assert refusal.row == 3 and refusal.column == "所属村街"
    assert f"{other.short_name}不在您负责的范围内" in refusal.message
    report = import_file(ws, "residents", sheet, valid_only=True).value
    assert report.written and report.added == 1 and ws.residents.count() == before + 1
    rows = audit_rows(ws, "sheet.import_file", kind="import")
    assert [r.detail["written"] for r in rows] == [0, 1]
    assert rows[-1].detail["file"] == "r.xlsx" and rows[-1].detail["refused"] == 1
    assert "r.xlsx" in rows[-1].summary

    # A dry run writes nothing and leaves no audit row.
    import_file(ws, "residents", sheet, dry_run=True)
    assert len(audit_rows(ws, "sheet.import_file")) == 2


def test_a_town_clerks_row_for_another_town_is_refused(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "zhen")
    own, foreign = other_village(ws), other_town_village(ws)
    report = import_file(ws, "residents", _sheet_for(tmp_path, (own, "王小甲"), (foreign, "李小乙"))).value
    assert report.refused == 1 and "不在您负责的范围内" in report.refusals[0].message
    assert report.refusals[0].row == 3


def test_a_village_clerk_cannot_pull_a_resident_of_another_village_in_by_id_number(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    sign_in(demo_ws, "admin")
    other = other_village(demo_ws)
    resident_id, number = _resident(demo_ws, "邻村老人", other.id, "13102419380202002")
    ws = sign_in(demo_ws, "cun")
    own = own_village(ws)
    sheet = write_xlsx(
        tmp_path / "move.xlsx", RES, [["邻村老人", own.town_name, own.short_name, number, None, None]]
    )
    report = import_file(ws, "residents", sheet).value
    assert report.refused == 1 and "不在您负责的范围内" in report.refusals[0].message
    assert ws.residents.get(resident_id).village_id == other.id  # type: ignore[union-attr]


def test_place_sheets_need_the_right_to_edit_places(demo_ws: Workspace, tmp_path: Path) -> None:
    sheet = write_xlsx(
        tmp_path / "v.xlsx", ["所属镇", "村街名称"], [[own_village(demo_ws).town_name, "新村"]]
    )
    for name in ("cun", "lingdao"):
        ws = sign_in(demo_ws, name)
        before = ws.villages.count()
        refused(lambda ws=ws: import_file(ws, "villages", sheet), ROLE_LABELS[name])
        assert ws.villages.count() == before
    ws = sign_in(demo_ws, "lingdao")
    refused(lambda: import_file(ws, "residents", _sheet_for(tmp_path, (own_village(ws), "某人"))), "导入表格")
    ws = sign_in(demo_ws, "zhen")
    assert import_file(ws, "villages", sheet).value.added == 1


def test_a_masked_id_number_or_phone_never_overwrites_the_full_one(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    ws = sign_in(demo_ws, "cun")
    own = own_village(ws)
    resident_id, number = _resident(ws, "孙桂芝", own.id, "13102419480506122", "13912345678")
    rows = [
        # The same person as an export without --full shows her, with a new address and a phone
        # whose visible digits differ from the stored one.
        ["孙桂芝", own.town_name, own.short_name, mask_id_number(number), "138****8000", "新址 3 号"],
        # A new person whose ID number was masked: added without it.
        ["钱秀英", own.town_name, own.short_name, "131024********0023", None, None],
    ]
    report = import_file(ws, "residents", write_xlsx(tmp_path / "masked.xlsx", RES, rows)).value
    assert report.refused == 0, report.refusals
    assert (report.added, report.updated) == (1, 1)
    resident = ws.residents.get(resident_id)
    assert resident is not None
    assert (
        resident.id_number == number and resident.phone == "13912345678" and resident.address == "新址 3 号"
    )
    warnings = {w.row: w.message for w in report.row_warnings}
    assert "「联系电话」只有部分数字" in warnings[2] and "身份证号" not in warnings[2]
    assert "「身份证号」只有部分数字" in warnings[3] and "没有导入" in warnings[3]
    assert any("与本机已有的号码相符" in w for w in report.warnings)
    (added,) = ws.residents.list(PersonFilter(text="钱秀英"), 0, 10)
    assert added.id_number in (None, "")


def test_a_masked_export_imports_back_without_changing_anything(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "admin")
    for kind in ("members", "residents", "requests"):
        path = tmp_path / f"{kind}.xlsx"
        assert export_sheet(ws, kind, path).value.masked
        report = import_file(ws, kind, path).value
        assert report.refused == 0, (kind, report.refusals[:3])
        assert (report.added, report.updated) == (0, 0), (kind, report.summary())
        assert not report.row_warnings, (kind, report.row_warnings[:3])
