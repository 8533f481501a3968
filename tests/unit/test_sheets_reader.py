"""Reading .xlsx and .csv sheets: header detection, encodings, normalisation, refusals of the file."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import Workbook

from tests.unit.sheet_files import write_csv, write_xlsx
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.sheets.columns import MEMBERS, RESIDENTS, SPECS
from xianghe_desk.sheets.reader import read_sheet

HEADER = ["姓名", "所属镇", "所属村街", "身份证号", "联系电话"]


def _values(sheet, name):
    return [sheet.value(row, name) for row in sheet.rows]


def test_header_in_any_order_under_a_title_with_required_marks_and_extra_columns(tmp_path):
    path = write_xlsx(
        tmp_path / "people.xlsx",
        ["序号", "联系电话", "* 所属村街", "姓名*", "所属镇（必填）", "身份证号码"],
        [[1, "13812345678", "王刘圈村", "王秀兰", "渠口镇", "131024195103151234"]],
        above=[["渠口镇服务对象名单（2026年11月）"], []],
    )
    sheet = read_sheet(path, RESIDENTS)
    assert sheet.header_row == 3
    assert sheet.present == {"姓名", "所属镇", "所属村街", "身份证号", "联系电话"}
    (row,) = sheet.rows
    assert row.number == 4
    assert sheet.value(row, "姓名") == "王秀兰"
    assert sheet.value(row, "身份证号") == "131024195103151234"  # 身份证号码 is an alias
    assert sheet.value(row, "备注") is None  # a column the file lacks
    assert sheet.warnings == ["第 A 列「序号」不是服务对象表的列，已忽略。"]


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(tmp_path):
    rows = [
        ["张三", "淑阳镇", "康宁社区", None, None],
        [None, None, None, None, None],
        ["  ", "", None, None, None],
        ["李四", "淑阳镇", "康宁社区", None, None],
    ]
    path = write_xlsx(tmp_path / "gaps.xlsx", HEADER, rows)
    workbook = __import__("openpyxl").load_workbook(path)
    # Formatting far below the data makes Excel report a larger sheet; those rows are empty.
    workbook.active.cell(row=400, column=2).number_format = "@"
    workbook.active.cell(row=401, column=1).value = ""
    workbook.save(path)
    sheet = read_sheet(path, RESIDENTS)
    assert [row.number for row in sheet.rows] == [2, 5]
    assert _values(sheet, "姓名") == ["张三", "李四"]


def test_full_width_characters_and_stray_spaces_are_normalised(tmp_path):
    path = write_xlsx(
        tmp_path / "fw.xlsx",
        HEADER,
        [
            [
                "  王\u3000秀兰 ",
                "淑阳镇 ",
                "康宁社区",
                "１３１０２４１９５１０３１５１２３４",
                "１３８ １２３４ ５６７８",
            ]
        ],
    )
    sheet = read_sheet(path, RESIDENTS)
    (row,) = sheet.rows
    assert sheet.value(row, "姓名") == "王 秀兰"  # the name validator removes the inner space
    assert sheet.value(row, "所属镇") == "淑阳镇"
    assert sheet.value(row, "身份证号") == "131024195103151234"
    assert sheet.value(row, "联系电话") == "138 1234 5678"


def test_long_text_keeps_its_line_breaks(tmp_path):
    path = write_xlsx(
        tmp_path / "note.xlsx",
        ["姓名", "所属镇", "所属村街", "备注"],
        [["张三", "淑阳镇", "康宁社区", "第一行 \n\n第二行１"]],
    )
    sheet = read_sheet(path, RESIDENTS)
    assert sheet.value(sheet.rows[0], "备注") == "第一行\n\n第二行1"


def test_numbers_and_dates_keep_their_types(tmp_path):
    path = write_xlsx(
        tmp_path / "types.xlsx",
        ["姓名", "所属镇", "所属村街", "身份证号", "出生日期", "联系电话"],
        [["张三", "淑阳镇", "康宁社区", 1.31024195103151e17, datetime(1951, 3, 15), 13812345678]],
    )
    sheet = read_sheet(path, RESIDENTS)
    row = sheet.rows[0]
    assert isinstance(sheet.value(row, "身份证号"), float)
    assert sheet.value(row, "出生日期") == datetime(1951, 3, 15)
    assert sheet.value(row, "联系电话") == 13812345678


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gbk(tmp_path, encoding):
    path = write_csv(
        tmp_path / f"{encoding}.csv",
        ["姓名", "所属镇", "所属村街", "身份证号"],
        [["王秀兰", "渠口镇", "王刘圈村村民委员会", "'131024195103151234"]],
        encoding=encoding,
    )
    sheet = read_sheet(path, RESIDENTS)
    (row,) = sheet.rows
    assert (sheet.value(row, "姓名"), sheet.value(row, "所属村街")) == ("王秀兰", "王刘圈村村民委员会")
    assert sheet.header_row == 1 and row.number == 2


def test_csv_with_tabs_quotes_and_excel_text_trick(tmp_path):
    path = tmp_path / "tabs.csv"
    text = '姓名\t所属镇\t所属村街\t身份证号\t备注\n张三\t淑阳镇\t康宁社区\t="131024195103151234"\t"两行\n备注"\n'
    path.write_text(text, encoding="utf-16")
    sheet = read_sheet(path, RESIDENTS)
    row = sheet.rows[0]
    assert sheet.value(row, "身份证号") == "131024195103151234"
    assert sheet.value(row, "备注") == "两行\n备注"


def test_old_xls_is_refused_with_how_to_save_as_xlsx(tmp_path):
    by_name = tmp_path / "名单.xls"
    by_name.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(by_name.read_bytes())
    for path in (by_name, renamed):
        with pytest.raises(ValidationError, match=r"旧版 Excel 文件（\.xls）.*另存为.*xlsx"):
            read_sheet(path, RESIDENTS)


def test_missing_required_column_names_it_and_guesses_the_kind(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        ["姓名", "手机号", "所属镇", "所属村街"],
        [["李建国", "13812345678", "淑阳镇", "康宁社区"]],
    )
    assert read_sheet(path, MEMBERS).rows
    with pytest.raises(ValidationError) as caught:
        read_sheet(path, SPECS["grids"])
    assert "网格名称" in caught.value.message
    assert "看起来是「网格员」表" in caught.value.message


def test_no_header_and_duplicate_header_are_refused(tmp_path):
    nothing = write_xlsx(tmp_path / "n.xlsx", ["a", "b"], [[1, 2]])
    with pytest.raises(ValidationError, match="没有找到服务对象表的表头"):
        read_sheet(nothing, RESIDENTS)
    twice = write_xlsx(tmp_path / "d.xlsx", ["姓名", "所属镇", "所属村街", "姓名"], [["a", "b", "c", "d"]])
    with pytest.raises(ValidationError, match="「姓名」出现了两次（第 A 列和第 D 列）"):
        read_sheet(twice, RESIDENTS)


def test_the_sheet_with_the_header_is_chosen_and_helper_sheets_ignored(tmp_path):
    workbook = Workbook()
    workbook.active.title = "封面"
    workbook.active.append(["说明：请填写第二个工作表"])
    data = workbook.create_sheet("名单")
    data.append(HEADER)
    data.append(["张三", "淑阳镇", "康宁社区", None, None])
    hidden = workbook.create_sheet("选项")
    hidden.append(HEADER)
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    sheet = read_sheet(path, RESIDENTS)
    assert sheet.sheet_name == "名单" and len(sheet.rows) == 1


def test_not_a_spreadsheet_and_missing_file(tmp_path):
    junk = tmp_path / "x.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="打不开"):
        read_sheet(junk, RESIDENTS)
    with pytest.raises(ValidationError, match="找不到文件"):
        read_sheet(tmp_path / "none.xlsx", RESIDENTS)
    other = tmp_path / "x.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(ValidationError, match="不是 Excel 表格"):
        read_sheet(other, RESIDENTS)
