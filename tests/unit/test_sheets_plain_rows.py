"""Rows of a plain sheet read a piece at a time (sheets/reader._plain_rows) are exactly the rows
openpyxl's iter_rows gives (issue #13), however the pieces fall."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.unit.test_sheets_fast_rows import HAND_SHEET, _every_kind, _rewrite_sheet
from xianghe_desk.sheets import reader
from xianghe_desk.sheets.reader import _plain_markup, _values

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
EXCEL_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    f'<worksheet {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    '<dimension ref="A1:C40"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="13.5" x14ac:dyDescent="0.15"/><sheetData>'
    + "".join(
        f'<row r="{n}" spans="1:3" x14ac:dyDescent="0.15"><c r="A{n}" t="inlineStr"><is><t>第{n}行 &amp; &lt;'
        f'</t></is></c><c r="B{n}"><v>{n}</v></c><c r="C{n}" t="inlineStr"><is><t xml:space="preserve"> x </t>'
        "</is></c></row>"
        for n in range(1, 41)
    )
    + '<row r="41" spans="1:3" x14ac:dyDescent="0.15"/>'
    + '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    "</worksheet>"
)


USED: list[int] = []
_real_plain_rows = reader._plain_rows


def _counting(*args):
    USED.append(1)
    return _real_plain_rows(*args)


@pytest.fixture(autouse=True)
def _count_plain_reads(monkeypatch):
    USED.clear()
    monkeypatch.setattr(reader, "_plain_rows", _counting)


def _both(path: Path, min_row: int = 1) -> tuple[list[tuple], list[tuple]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        theirs = list(sheet.iter_rows(values_only=True, min_row=min_row))
        ours = list(_values(workbook, sheet, min_row, plain=_plain_markup(path, sheet._worksheet_path)))
    finally:
        workbook.close()
    return theirs, ours


def _base(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "x"
    workbook.save(tmp_path / "base.xlsx")
    return tmp_path / "base.xlsx"


@pytest.mark.parametrize("piece", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize("write_only", [False, True])
def test_every_kind_of_cell_in_pieces_of_any_size(tmp_path, monkeypatch, piece, write_only):
    monkeypatch.setattr(reader, "_PIECE", piece)
    path = _every_kind(tmp_path / "kinds.xlsx", write_only)
    assert _plain_markup(path, "xl/worksheets/sheet1.xml")
    for min_row in (1, 2, 4):
        theirs, ours = _both(path, min_row)
        assert ours == theirs and ours
    assert USED  # the piece-by-piece reading was the one compared


@pytest.mark.parametrize("piece", [3, 100, 1 << 20])
def test_hand_written_and_excel_sheets(tmp_path, monkeypatch, piece):
    monkeypatch.setattr(reader, "_PIECE", piece)
    for xml in (HAND_SHEET, EXCEL_SHEET):
        path = _rewrite_sheet(_base(tmp_path), xml)
        assert _plain_markup(path, "xl/worksheets/sheet1.xml")
        for min_row in (1, 2, 5):
            theirs, ours = _both(path, min_row)
            assert ours == theirs and ours
    assert USED


@pytest.mark.parametrize(
    "odd",
    ["<!-- </row> -->", '<row r="50"><c r="A50" t="inlineStr"><is><t><![CDATA[</row>]]></t></is></c></row>'],
)
def test_comments_and_cdata_go_the_long_way(tmp_path, monkeypatch, odd):
    monkeypatch.setattr(reader, "_PIECE", 50)
    path = _rewrite_sheet(_base(tmp_path), EXCEL_SHEET.replace("</sheetData>", odd + "</sheetData>"))
    assert not _plain_markup(path, "xl/worksheets/sheet1.xml")
    theirs, ours = _both(path)
    assert ours == theirs
    assert not USED


def test_a_prefixed_sheet_goes_the_long_way(tmp_path):
    xml = HAND_SHEET.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace(
        "</worksheet>", "</x:worksheet>"
    )
    xml = xml.replace("<sheetData>", "<x:sheetData>").replace("</sheetData>", "</x:sheetData>")
    xml = (
        xml.replace("<row", "<x:row")
        .replace("</row>", "</x:row>")
        .replace("<c ", "<x:c ")
        .replace("</c>", "</x:c>")
    )
    xml = (
        xml.replace("<v>", "<x:v>")
        .replace("</v>", "</x:v>")
        .replace("<is>", "<x:is>")
        .replace("</is>", "</x:is>")
    )
    xml = (
        xml.replace("<t>", "<x:t>")
        .replace("<t ", "<x:t ")
        .replace("</t>", "</x:t>")
        .replace("<t/>", "<x:t/>")
    )
    xml = (
        xml.replace("<f>", "<x:f>")
        .replace("</f>", "</x:f>")
        .replace("<r>", "<x:r>")
        .replace("</r>", "</x:r>")
    )
    xml = xml.replace("<rPr>", "<x:rPr>").replace("</rPr>", "</x:rPr>").replace("<b/>", "<x:b/>")
    xml = xml.replace("<rPh ", "<x:rPh ").replace("</rPh>", "</x:rPh>")
    path = _rewrite_sheet(_base(tmp_path), xml)
    theirs, ours = _both(path)
    assert ours == theirs and ours
