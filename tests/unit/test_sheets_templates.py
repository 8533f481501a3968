"""Templates: header row, an explanation on every column, text format and drop-down lists."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.unit.sheet_files import cli
from xianghe_desk.services.exports import ExportService, reference_choices
from xianghe_desk.sheets.columns import KINDS, CellType, spec_for
from xianghe_desk.sheets.templates import HELP_SHEET, OPTIONS_SHEET, write_template


def _options(workbook, reference: str) -> list[str]:
    """The values a drop-down's ``'选项'!$C$2:$C$12`` range holds."""
    sheet_part, cells = reference.split("!")
    assert sheet_part.strip("'") == OPTIONS_SHEET
    first, last = cells.replace("$", "").split(":")
    sheet = workbook[OPTIONS_SHEET]
    return [c[0].value for c in sheet[f"{first}:{last}"]]


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_is_explained_and_every_closed_choice_has_a_drop_down(tmp_path, kind):
    spec = spec_for(kind)
    path = write_template(tmp_path / f"{kind}.xlsx", spec, reference_choices())
    workbook = load_workbook(path)
    assert workbook.sheetnames == [spec.label, HELP_SHEET, OPTIONS_SHEET]
    assert workbook[OPTIONS_SHEET].sheet_state == "hidden"
    sheet = workbook[spec.label]
    assert [c.value for c in sheet[1]] == list(spec.names)
    assert sheet.max_row == 1  # no explanation row to trip over on import
    assert sheet.freeze_panes == "A2"
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    for position, column in enumerate(spec.columns):
        letter = get_column_letter(position + 1)
        comment = sheet[f"{letter}1"].comment
        assert comment is not None and column.hint in comment.text
        assert comment.text.startswith("必填" if column.required else "选填")
        if column.type in (CellType.ID_NUMBER, CellType.CODE, CellType.PHONE):
            assert sheet.column_dimensions[letter].number_format == "@"
        values = column.choices or (reference_choices().values(column.source) if column.source else ())
        if values:
            dv = validations[f"{letter}2"]
            assert dv.type == "list"
            assert _options(workbook, dv.formula1) == list(dict.fromkeys(values))
    help_names = [row[0] for row in workbook[HELP_SHEET].iter_rows(values_only=True)]
    assert all(name in help_names for name in spec.names)


def test_requests_template_lists_statuses_channels_and_villages(tmp_path):
    path = write_template(tmp_path / "r.xlsx", spec_for("requests"), reference_choices())
    workbook = load_workbook(path)
    sheet = workbook["服务工单"]
    by_column = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    header = [c.value for c in sheet[1]]

    def listed(name):
        return _options(workbook, by_column[f"{get_column_letter(header.index(name) + 1)}2"].formula1)

    assert listed("状态") == ["待派单", "已派单", "办理中", "已办结", "已回访", "已撤销"]
    assert "12345热线" in listed("来源渠道")
    assert "代办代跑" in listed("办理方式")
    assert listed("满意度") == ["满意", "基本满意", "不满意"]
    villages = listed("所属村街")
    assert "王刘圈村" in villages and len(villages) > 300  # the long list lives on the hidden sheet
    id_check = by_column[f"{get_column_letter(header.index('身份证号') + 1)}2"]
    assert (id_check.type, id_check.formula1) == ("textLength", "18")


def test_members_template_has_yes_no_and_kinds(tmp_path):
    workbook = load_workbook(write_template(tmp_path / "m.xlsx", spec_for("members"), reference_choices()))
    values = {row[0]: row for row in workbook[OPTIONS_SHEET].iter_rows(values_only=True)}
    header = next(iter(values))
    assert header is not None
    options = list(workbook[OPTIONS_SHEET].iter_cols(values_only=True))
    by_title = {column[0]: [v for v in column[1:] if v] for column in options}
    assert by_title["类型"] == ["专职", "兼职"]
    assert by_title["是否党员"] == ["是", "否"]
    assert by_title["身份"] == ["网格长", "网格员", "村干部", "镇干部", "党员帮办员"]


def test_template_from_a_database_lists_its_grids(demo_ws, tmp_path):
    path = ExportService(demo_ws).template("residents", tmp_path / "res.xlsx")
    workbook = load_workbook(path)
    options = {
        col[0]: [v for v in col[1:] if v] for col in workbook[OPTIONS_SHEET].iter_cols(values_only=True)
    }
    assert "第一网格" in options["所属网格"]
    assert options["所属镇"] == [t.name for t in demo_ws.towns.all()]


def test_template_command_without_a_database(tmp_path, monkeypatch, capsys):
    from xianghe_desk import paths

    monkeypatch.setattr(paths, "default_db_path", lambda: tmp_path / "none" / "xianghe.db")
    out = tmp_path / "模板.xlsx"
    assert cli("template", "grids", "-o", out) == 0
    assert "已生成网格导入模板" in capsys.readouterr().out
    assert not (tmp_path / "none").exists()  # no database created on the side
    assert [c.value for c in load_workbook(out)["网格"][1]][:3] == ["所属镇", "所属村街", "网格名称"]
    assert cli("template", "grids", "-o", tmp_path / "x.xls") == 2
