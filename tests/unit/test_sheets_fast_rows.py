"""The reader's own row parser (sheets/reader._values) gives exactly the rows and values of
openpyxl's ``iter_rows(values_only=True)``, for every kind of cell a clerk's file can hold."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from xianghe_desk.sheets.reader import _values


def _both(path: Path, min_row: int = 1) -> tuple[list[tuple], list[tuple]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        theirs = list(sheet.iter_rows(values_only=True, min_row=min_row))
        ours = list(_values(workbook, sheet, min_row))
    finally:
        workbook.close()
    return theirs, ours


def _every_kind(path: Path, write_only: bool) -> Path:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("表") if write_only else workbook.active
    rows = [
        ["姓名", "数", "日期", "时间", "是否", "空", "长号码"],
        ["王秀兰", 12, date(1951, 3, 15), time(14, 5), True, None, "131024195103151234"],
        [" 李 四 ", 12.5, datetime(2026, 11, 3, 14, 5), None, False, "", 1.31024e17],
        [None, None, None, None, None, None, None],
        ["=SUM(B2:B3)", -3, "2026-11-03", "#N/A", 0, "多行\n文字", 131024195103151234],
        ["张三", 1e-7, date(1900, 3, 1), time(0, 0), 1, "　全角　", "0316-5123456"],
    ]
    for row in rows:
        sheet.append(row)
    if not write_only:
        sheet.cell(row=9, column=3, value="隔了几行")
        sheet.cell(row=10, column=12, value="远处的列")
        sheet["A11"] = CellRichText("富", TextBlock(InlineFont(b=True), "文本"))
        sheet.cell(row=12, column=2).number_format = "yyyy-mm-dd"
        sheet.cell(row=12, column=2).value = 45000
    workbook.save(path)
    return path


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("min_row", [1, 2, 4])
def test_same_rows_as_openpyxl_for_every_kind_of_cell(tmp_path, write_only, min_row):
    theirs, ours = _both(_every_kind(tmp_path / "kinds.xlsx", write_only), min_row)
    assert ours == theirs
    assert ours  # the sheet was read at all


def _rewrite_sheet(path: Path, sheet_xml: str) -> Path:
    """``path`` with its first worksheet's XML replaced, as another program might have written it."""
    target = path.with_name("hand.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode("utf-8")
            out.writestr(info, data)
    return target


HAND_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="C1" t="inlineStr"><is><t xml:space="preserve"> 所属镇 </t></is></c></row>
<row><c t="inlineStr"><is><t/></is></c><c t="inlineStr"><is><r><t>王</t></r><r><rPr><b/></rPr><t>秀兰</t></r></is></c><c t="str"><f>A1</f><v>文字结果</v></c></row>
<row r="4"><c r="B4" t="b"><v>1</v></c><c r="D4" t="e"><v>#DIV/0!</v></c><c r="E4" t="n"><v>3.0</v></c><c r="F4"><v>131024195103151234</v></c></row>
<row r="5" spans="1:3" ht="20" customHeight="1"><c r="A5" s="0"><v>7</v></c><c r="AA5" t="inlineStr"><is><t>AA 列</t><rPh sb="0" eb="1"><t>ア</t></rPh></is></c></row>
<row r="6"><c r="A6" t="n"/><c r="B6" t="inlineStr"/><c r="C6"><f>1+1</f><v>2</v></c><c r="D6" t="d"><v>2026-11-03T14:05:00</v></c></row>
</sheetData></worksheet>"""


def test_same_rows_as_openpyxl_for_a_hand_written_sheet(tmp_path):
    workbook = Workbook()
    workbook.active["A1"] = "x"
    workbook.save(tmp_path / "base.xlsx")
    path = _rewrite_sheet(tmp_path / "base.xlsx", HAND_SHEET)
    for min_row in (1, 2, 3, 5):
        theirs, ours = _both(path, min_row)
        assert ours == theirs
    assert ours
