"""A paragraph keeps the lines of its last width (issue #13: a long table's cells were wrapped again
at every page it ran on) and each character's width is measured once: the lines are the ones a
fresh paragraph gets, at any width and after any other width."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

from xianghe_desk.pdf.fonts import FONT, register_fonts
from xianghe_desk.pdf.linebreak import CjkParagraph, char_widths
from xianghe_desk.pdf.styles import escape, make_styles

TEXT = "何发明家中水管冻裂，请求上门维修（24小时内到场）。Tel 13812345678，已派单：第3网格。"


def lines(paragraph: CjkParagraph, width: float) -> tuple[float, list[str]]:
    _w, height = paragraph.wrap(width, 1000)
    return height, ["".join(words) for _extra, words in paragraph.blPara.lines]


def test_the_kept_lines_are_a_fresh_paragraphs_at_any_width() -> None:
    register_fonts()
    style = make_styles(9).cell
    kept = CjkParagraph(escape(TEXT), style)
    for width in (300, 80, 80, 120, 45, 300, 45, 80):
        assert lines(kept, width) == lines(CjkParagraph(escape(TEXT), style), width), width


def test_a_split_paragraph_splits_as_a_fresh_one() -> None:
    register_fonts()
    style = make_styles(9).cell
    fresh = CjkParagraph(escape(TEXT * 3), style)
    fresh.wrap(60, 1000)
    kept = CjkParagraph(escape(TEXT * 3), style)
    for width in (60, 200, 60):
        kept.wrap(width, 1000)
    parts = [fresh.split(60, style.leading * 3), kept.split(60, style.leading * 3)]
    (fresh_first, fresh_rest), (kept_first, kept_rest) = parts
    assert lines(kept_first, 60) == lines(fresh_first, 60)
    assert lines(kept_rest, 60) == lines(fresh_rest, 60)
    assert lines(kept_rest, 200) == lines(fresh_rest, 200)


def test_char_widths_are_stringwidths() -> None:
    register_fonts()
    for size in (7, 8.421, 9):
        measured = char_widths(TEXT, FONT, size)
        assert measured == [stringWidth(ch, FONT, size) for ch in TEXT]
        assert char_widths(TEXT, FONT, size) == measured  # and again, from what was kept
