"""The shared-strings table read by sheets/reader.py is the one openpyxl reads (issue #13)."""

from __future__ import annotations

import io

from openpyxl.reader.strings import read_string_table

from xianghe_desk.sheets.reader import _string_table

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ITEMS = [
    "<si><t>王小明</t></si>",
    '<si><t xml:space="preserve">  两边有空格  </t></si>',
    "<si><t/></si>",
    "<si><t></t></si>",
    "<si><t>a_x005F_x000D_b</t></si>",
    "<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></si>",
    "<si><t>拼音</t><rPh sb='0' eb='1'><t>ピン</t></rPh><phoneticPr fontId='1'/></si>",
    "<si><r><t>only run</t></r></si>",
    "<si></si>",
    "<si><t>131024194401271151</t></si>",
    "<si><t>&lt;&amp;&gt;</t></si>",
]


def _xml() -> bytes:
    body = "".join(ITEMS)
    return f'<sst xmlns="{NS}" count="{len(ITEMS)}" uniqueCount="{len(ITEMS)}">{body}</sst>'.encode()


def test_same_strings_as_openpyxl() -> None:
    assert _string_table(io.BytesIO(_xml())) == list(read_string_table(io.BytesIO(_xml())))


def test_plain_strings_read_directly() -> None:
    table = _string_table(io.BytesIO(_xml()))
    assert table[0] == "王小明"
    assert table[1] == "  两边有空格  "
    assert table[5] == "富文本"
