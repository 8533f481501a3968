"""Chinese line breaking (标点禁则) for every paragraph of the printouts: :class:`CjkParagraph`.

reportlab 5.1's ``wordWrap="CJK"`` (``Paragraph.breakLinesCJK`` → ``cjkFragSplit`` and
``lib.textsplit.dumbSplit``) fills a line and cuts before the first character that overflows.
Its one rule: if that character is in ``textsplit.ALL_CANNOT_START`` it hangs in the margin.
That is not enough for Chinese (issue #8):

- the list lacks the full-width ，；：！？》”’ and …, so lines started with 「，」;
- only one character hangs, so in 「。」」 the 「」」 still started the next line, and a hanging
  mark sticks out of a table cell or the framed request text;
- ``ALL_CANNOT_END`` is defined but never used, so lines ended with 「（」 or 「“」;
- words are cut anywhere: 「小」 at the end of a line and 「时」 on the next, 「2」 and 「4小时」.

:func:`break_allowed` decides where a line may break, following the rules of GB/T 15834 as
printers apply them, and :func:`wrap` fills lines greedily, moving the last characters down
(推出) when the cut would break a rule. It never hangs: what is printed stays inside the box.
Only when a line has no allowed break at all (a long run of Latin letters, a row of brackets)
is it cut where it is full, as before.

Every module in pdf/ uses :class:`CjkParagraph` instead of reportlab's ``Paragraph``
(tests/unit/test_pdf_linebreak.py checks the imports), so the rules live in this one place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import (
    ParaLines,
    _handleBulletWidth,
    cjkU,
    makeCJKParaLine,
)
from reportlab.rl_config import _FUZZ

# Marks that never start a line: closing brackets and quotes, the 点号 (，。、；：！？), the
# ellipsis, units written as signs. reportlab's list is kept (it has the Japanese small kana)
# without the ASCII quotes, which open as often as they close.
CANNOT_START = frozenset(
    (ALL_CANNOT_START.replace("'", "").replace('"', ""))
    + "，。、；：！？）」』】〕〉》〗〙〛”’…‥·・．｡､"
    + "\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\uff09\uff3d\uff5d\uff60\uff63"  # full-width forms
    + ",.;:!?)]}%％‰℃°′″"
)
# Marks that never end a line: opening brackets and quotes (and reportlab's currency and
# postcode signs, which belong to the number after them).
CANNOT_END = frozenset(ALL_CANNOT_END + "（「『【〔〈《〖〘〚“‘" + "\uff08\uff3b\uff5b\uff5f\uff62" + "([{")
# Pairs of the same mark that form one sign: 「——」 and 「……」 are never split.
_DOUBLED = frozenset("—…")
# Marks from Unicode's general punctuation that Chinese text uses: they are not Latin letters,
# so 「……“」 is not one word that cannot be broken.
_CHINESE_MARKS = frozenset("“”‘’—…‥·")

# Units that stay with the number before them (「24小时」, 「3.5天」, 「98.8%」; longer ones first:
# the regular expression takes the first that matches), and words cut at no point (「小时」).
_UNITS = (
    "个百分点", "百分点", "平方米", "小时", "分钟", "公里", "公斤", "万元", "周岁",
    "年", "月", "日", "号", "时", "分", "秒", "天", "周", "件", "次", "个", "人", "户", "名",
    "位", "元", "岁", "页", "条", "项", "处", "张", "份", "台", "辆", "间", "套", "米", "斤",
    "亩", "吨", "度", "%", "％", "‰", "℃",
)  # fmt: skip
_KEEP_WORDS = ("小时", "分钟", "百分点", "平方米", "公里", "公斤", "周岁")
_KEEP_RE = re.compile("|".join(re.escape(w) for w in _KEEP_WORDS))
_NUMBER_UNIT_RE = re.compile(r"[0-9０-９](?=" + "|".join(re.escape(u) for u in _UNITS) + ")")


def _is_space(ch: str) -> bool:
    return ch.isspace()


def _is_latin(ch: str) -> bool:
    """Letters, digits and signs of Western text (a run of them is a word, a number, a phone
    number or a work-order number such as 100-K7M3-2611-0042)."""
    if not ch or ch.isspace() or ch in _CHINESE_MARKS:
        return False
    code = ord(ch)
    return code < 0x2E80 or (0xFF10 <= code <= 0xFF5A and ch.isalnum())


def _is_digit(ch: str) -> bool:
    return (ch.isdigit() and ch.isascii()) or "０" <= ch <= "９"


def break_points(text: str) -> list[bool]:
    """``result[i]`` tells whether a line may break between ``text[i - 1]`` and ``text[i]``.

    ``result[0]`` is False (there is nothing before the first character). Characters that
    stand for an object (an image, a ``<br/>``) should be given as U+FFFC, which breaks anywhere.
    """
    allowed = [False] + [break_allowed(text[i - 1], text[i]) for i in range(1, len(text))]
    # Inside a kept word, and between a number and its unit, no break (「24小时」).
    for match in _KEEP_RE.finditer(text):
        for i in range(match.start() + 1, match.end()):
            allowed[i] = False
    for match in _NUMBER_UNIT_RE.finditer(text):
        allowed[match.end()] = False
    # 「第3页」: the ordinal prefix stays with its number.
    for i in range(1, len(text)):
        if text[i - 1] == "第" and _is_digit(text[i]):
            allowed[i] = False
    return allowed


def break_allowed(before: str, after: str) -> bool:
    """Whether a line may end with ``before`` and the next one start with ``after``."""
    if after in CANNOT_START or before in CANNOT_END:
        return False
    if _is_space(before):
        return True
    if _is_space(after):
        return False  # the space stays at the end of the line, where it does not show
    if before == after and before in _DOUBLED:
        return False
    return not (_is_latin(before) and _is_latin(after))


def wrap(
    text: str, widths: Sequence[float], max_widths: Sequence[float], hard: Sequence[bool] = ()
) -> list[tuple[int, int, float]]:
    """Lines of ``text`` as (start, end, width used), filled greedily under the rules above.

    Args:
        widths: the width of each character.
        max_widths: the width of the first, second … line; the last applies to the rest.
        hard: True at a character that ends its line (a ``<br/>``).

    Spaces at the end of a line may run past its width (they do not print); the width used
    leaves them out.
    """
    n = len(text)
    if not any(hard) and sum(widths) <= max_widths[0] + _FUZZ:
        # Most paragraphs (titles, table cells) fit on one line: nothing to decide. This keeps
        # a batch of 1,000 work orders as fast as with reportlab's own wrapping.
        return [(0, n, _printed_width(text, widths, 0, n))] if n else []
    allowed = break_points(text)
    lines: list[tuple[int, int, float]] = []
    start = 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used = 0.0
        end = n
        for i in range(start, n):
            if hard and hard[i]:
                end = i + 1
                break
            if used + widths[i] > max_width + _FUZZ and i > start:
                if _is_space(text[i]):
                    end = i
                    while end < n and _is_space(text[end]):
                        end += 1  # spaces at the end of a line hang there unseen
                    if end < n and not allowed[end]:
                        end = _last_break(text, allowed, start, i)
                else:
                    end = _last_break(text, allowed, start, i)
                break
            used += widths[i]
        lines.append((start, end, _printed_width(text, widths, start, end)))
        start = end
    _no_lone_last_character(lines, text, widths, max_widths, allowed, hard)
    return lines


def _no_lone_last_character(
    lines: list[tuple[int, int, float]],
    text: str,
    widths: Sequence[float],
    max_widths: Sequence[float],
    allowed: list[bool],
    hard: Sequence[bool],
) -> None:
    """A paragraph does not end with one character alone on its last line (「上月持」 / 「平。」):
    one more character comes down with it when the line above can give it and the last line
    still fits."""
    for index in range(1, len(lines)):
        start, end, _used = lines[index]
        ends_paragraph = end == len(text) or (bool(hard) and hard[end - 1])
        prev_start, prev_end, _prev_used = lines[index - 1]
        if not ends_paragraph or (hard and hard[prev_end - 1]):
            continue
        letters = [ch for ch in text[start:end] if ch not in CANNOT_START and not ch.isspace()]
        if len(letters) > 1:
            continue
        max_width = max_widths[min(index, len(max_widths) - 1)]
        for cut in range(prev_end - 1, prev_start + 1, -1):
            if not allowed[cut]:
                continue
            used = _printed_width(text, widths, cut, end)
            if used <= max_width + _FUZZ:
                lines[index - 1] = (prev_start, cut, _printed_width(text, widths, prev_start, cut))
                lines[index] = (cut, end, used)
            break


def _printed_width(text: str, widths: Sequence[float], start: int, end: int) -> float:
    """The width of a line without the spaces at its end (they hang there unseen)."""
    while end > start + 1 and _is_space(text[end - 1]):
        end -= 1
    return sum(widths[start:end])


def _last_break(text: str, allowed: list[bool], start: int, overflow: int) -> int:
    """Where to end the line that ``overflow`` does not fit on: the last allowed break after
    ``start``; when the line has none (a long number, a word kept whole), the last place that
    at least keeps the punctuation rules; failing that, right before ``overflow``."""
    for i in range(overflow, start, -1):
        if allowed[i]:
            return i
    for i in range(overflow, start, -1):
        if text[i] not in CANNOT_START and text[i - 1] not in CANNOT_END:
            return i
    return overflow


# Each character's width per font and size, as stringWidth gives it: a summary's 8,000 table cells
# asked for 40,000 widths of a few hundred different characters.
_CHAR_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def char_widths(text: str, font: str, size: float) -> list[float]:
    """``[stringWidth(ch, font, size) for ch in text]``, each character measured once per process."""
    known = _CHAR_WIDTHS.setdefault((font, size), {})
    widths = []
    for ch in text:
        width = known.get(ch)
        if width is None:
            width = known[ch] = stringWidth(ch, font, size)
        widths.append(width)
    return widths


def _frag_lines(frags: list[Any], max_widths: Sequence[float], calc_bounds: bool) -> ParaLines:
    """reportlab's ``cjkFragSplit`` with :func:`wrap` deciding the breaks."""
    units: list[Any] = []
    for frag in frags:
        text = frag.text
        if isinstance(text, bytes):
            text = text.decode("utf8")
        if text:
            units.extend(cjkU(ch, frag, "utf8") for ch in text)
        else:
            units.append(cjkU(text, frag, "utf8"))  # an image or a <br/>
    widths = []
    for unit in units:
        width = unit.width
        if hasattr(width, "normalizedValue"):  # an image width given in per cent of the line
            width._normalizer = max_widths[0]
            width = width.normalizedValue(max_widths[0])
        widths.append(float(width))
    text = "".join(str(u) or "\ufffc" for u in units)
    hard = [hasattr(u.frag, "lineBreak") for u in units]
    lines = []
    for number, (start, end, used) in enumerate(wrap(text, widths, max_widths, hard)):
        max_width = max_widths[min(number, len(max_widths) - 1)]
        line_break = hard[end - 1]
        lines.append(
            makeCJKParaLine(units[start:end], max_width, used, max_width - used, line_break, calc_bounds)
        )
    return ParaLines(kind=1, lines=lines)


class CjkParagraph(Paragraph):
    """reportlab's Paragraph with Chinese line breaking (see the module docstring).

    Only the CJK path changes: a style with another ``wordWrap`` breaks as reportlab does.
    Splitting across pages keeps the class (reportlab builds the parts with ``self.__class__``).
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802, N803 - reportlab's names
        # A table cell is wrapped again at every page the table runs on (reportlab measures the
        # rest of a split table anew), always at its column's width: the lines of the last width
        # are kept (a long summary table wrapped its cells three times over, issue #13).
        key = tuple(maxWidths) if isinstance(maxWidths, list | tuple) else (maxWidths,)
        kept = self.__dict__.get("_cjk_lines")
        if kept is not None and kept[0] == key and not self.bulletText:
            return kept[1]
        lines = self._break_lines_cjk(maxWidths)
        self._cjk_lines = (key, lines)
        return lines

    def _break_lines_cjk(self, maxWidths: Any) -> Any:  # noqa: N803 - reportlab's name
        # A list is adjusted in place for a bullet, as reportlab does with its _wrapWidths.
        widths = maxWidths if isinstance(maxWidths, list) else [maxWidths]
        if isinstance(maxWidths, tuple):
            widths = list(maxWidths)
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, widths)
        frags = self.frags
        if len(frags) == 1 and not hasattr(frags[0], "cbDefn") and not style.endDots:
            return self._single_frag_lines(frags[0], widths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara  # the part of a split paragraph keeps its lines
        if not frags:
            return ParaLines(
                kind=0,
                fontSize=style.fontSize,
                fontName=style.fontName,
                textColor=style.textColor,
                lines=[],
                ascent=style.fontSize,
                descent=-0.2 * style.fontSize,
            )
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return _frag_lines(frags, widths, auto_leading not in ("", "off"))

    def _single_frag_lines(self, frag: Any, max_widths: list[float]) -> Any:
        """Text in one font and colour (most cells and titles): plain-string lines, as reportlab's
        own fast path makes them; building a line object per character made a batch of 1,000
        work orders a fifth slower."""
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return frag.clone(kind=0, lines=self.blPara.lines)
        text = frag.text if hasattr(frag, "text") else "".join(getattr(frag, "words", []))
        if isinstance(text, bytes):
            text = text.decode("utf8")
        widths = char_widths(text, frag.fontName, frag.fontSize)
        lines = []
        for number, (start, end, used) in enumerate(wrap(text, widths, max_widths)):
            max_width = max_widths[min(number, len(max_widths) - 1)]
            lines.append((max_width - used, [text[start:end].rstrip()]))
        return frag.clone(kind=0, lines=lines, ascent=frag.fontSize, descent=-0.2 * frag.fontSize)
