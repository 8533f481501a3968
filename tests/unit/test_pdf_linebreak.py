"""Chinese line breaking in every printout (issue #8): no line starts with 「，。、；：）」」 and the
other closing marks, none ends with 「（「“」, 「小时」 and 「24小时」 stay whole — in the rules
themselves (pdf.linebreak), for random sentences (hypothesis), and in the work order, the monthly
summary and the village notice as pdftotext reads them back."""

from __future__ import annotations

import ast
import random
import re
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from tests.helpers import pdf_text
from xianghe_desk.pdf import linebreak
from xianghe_desk.pdf.linebreak import CANNOT_END, CANNOT_START, break_points, wrap
from xianghe_desk.pdf.styles import make_styles

CLOSING = "，。、；：！？）」』】》”’…"
OPENING = "（「『【《“‘"
UNITS = ("小时", "分钟", "天", "件", "个", "年", "月", "日", "%")


def problems(lines: list[str]) -> list[str]:
    """Every way the lines break the rules, as readable strings (empty when all is well)."""
    found = []
    lines = [line.strip() for line in lines if line.strip()]
    for number, line in enumerate(lines):
        if number and line[0] in CLOSING:
            found.append(f"starts with {line[0]}: {line}")
        if number < len(lines) - 1 and line[-1] in OPENING:
            found.append(f"ends with {line[-1]}: {line}")
        if number:
            before = lines[number - 1]
            if before.endswith("小") and line.startswith("时"):
                found.append(f"小|时: {before} / {line}")
            if before[-1].isdigit() and line.startswith(UNITS):
                found.append(f"number|unit: {before} / {line}")
    return found


def lines_of(text: str, width: float) -> list[str]:
    """``text`` wrapped at ``width`` with CJK characters 1 wide and Latin ones 0.5."""
    widths = [0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text]
    return [text[start:end] for start, end, _used in wrap(text, widths, [width])]


# ---------------------------------------------------------------- the rules
@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        # The comma does not start the second line: 「四」 comes down with it (推出, never hung).
        ("一二三四五，六七", 5, ["一二三四", "五，六七"]),
        # Two closing marks: both stay with the character before them.
        ("一二三四五。」六七", 5, ["一二三四", "五。」六七"]),
        # An opening bracket goes down with what it opens.
        ("一二三四（五六）", 5, ["一二三四", "（五六）"]),
        ("一二三四“五”", 5, ["一二三四", "“五”"]),
        # 「小时」 and a number with its unit stay whole.
        ("一二三四小时", 5, ["一二三四", "小时"]),
        ("一二三24小时", 5, ["一二三", "24小时"]),
        ("一二三4天七八", 4, ["一二三", "4天七八"]),
        # Latin words and numbers break at spaces, or between them and Chinese.
        ("电话13912345678", 6, ["电话", "13912345678"]),
        # A line that has no allowed break at all is still cut (no endless line).
        ("（（（（（（", 3, ["（（（", "（（（"]),
        # A paragraph does not end with one character alone.
        ("一二三四五六。", 5, ["一二三四", "五六。"]),
    ],
)
def test_wrap(text, width, expected):
    assert lines_of(text, width) == expected


def test_break_points_follow_the_marks():
    text = "网格员（张三）说：“24小时内办结。”"
    allowed = break_points(text)
    for i, ch in enumerate(text):
        if ch in CANNOT_START:
            assert not allowed[i], text[: i + 1]
        if i and text[i - 1] in CANNOT_END:
            assert not allowed[i], text[: i + 1]
    assert not allowed[text.index("小时") + 1]
    assert not allowed[text.index("小时")]  # 「24」 and 「小时」


# Sentences of words like the clerks', each with a mark or none after it. Every run that may
# not be broken is shorter than 8 (Latin comes only after a Chinese character), so at 8 and
# wider no line is ever cut against the rules.
WORDS = (
    "群众", "反映", "网格员", "上门", "水管", "漏水", "已经", "办理", "老人", "独居",
    "（说明）", "《条例》", "“引文”", "「通知」", "【注】", "“好的。”", "（附件）",
    "约24小时", "共3.5天", "第2次", "12个", "2026年11月", "98.8%",
    "电话13912345678", "用WiFi", "等等", "说明 ",
)  # fmt: skip
MARKS = ("", "", "", "，", "。", "、", "；", "：", "！", "？", "……", "——", "。」")


@given(
    words=st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(MARKS)), min_size=1, max_size=60),
    width=st.integers(min_value=8, max_value=30),
)
@example(words=[("电话13912345678", "，"), ("12个", "，")], width=8)
def test_random_sentences_wrap_by_the_rules(words, width):
    # Two numbers written together are one number (「电话13912345678」「12个」 would make a run of
    # 10.5 that may not be broken): the runs stay shorter than 8, as said above.
    assume(
        not any(
            not mark and word[-1].isdigit() and following[0].isdigit()
            for (word, mark), (following, _) in pairwise(words)
        )
    )
    text = "".join(word + mark for word, mark in words)
    lines = lines_of(text, width)
    assert "".join(lines) == text  # nothing lost, nothing repeated
    assert problems(lines) == []
    for line in lines:
        printed = line.rstrip()
        assert sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in printed) <= width or len(printed) == 1


@given(text=st.text(min_size=1, max_size=200), width=st.integers(min_value=1, max_value=20))
def test_any_text_wraps_without_loss_or_endless_lines(text, width):
    widths = [1.0] * len(text)
    lines = wrap(text, widths, [width])
    assert "".join(text[a:b] for a, b, _ in lines) == text
    assert all(b > a for a, b, _ in lines)
    allowed = break_points(text)
    for start, end, _used in lines[:-1]:
        # Each break is allowed, or the line had no allowed break at all (cut where full).
        assert allowed[end] or not any(allowed[start + 1 : end + 1])


# ---------------------------------------------------------------- the printouts
def provoking_text(seed: int, parts: int = 120) -> str:
    """Sentences whose lengths vary, so that lines end at every kind of mark somewhere."""
    rng = random.Random(seed)
    pieces = []
    for _ in range(parts):
        pieces.append(
            "群众反映"
            + "甲乙丙丁戊己庚辛"[: rng.randrange(0, 8)]
            + rng.choice(["，", "。", "；", "：", "！", "？", "、", "……"])
            + rng.choice(["（说明）", "《条例》", "“引文”", "【注】", "24小时", "12小时内", "“好。”", ""])
        )
    return "".join(pieces)


def test_work_order_lines_follow_the_rules(tmp_path):
    from xianghe_desk.pdf.work_order import WorkOrderSheet, build_work_orders

    sheets = [
        WorkOrderSheet(
            number=f"100-K7M3-2611-{seed:04d}",
            county="香河县",
            town="淑阳镇",
            village="王刘圈村",
            grid="第一网格",
            received_at=datetime(2026, 11, 1, 9),
            due_at=datetime(2026, 11, 2, 9),
            urgent=False,
            due_rule="一般：24小时内办结",
            channel="服务电话",
            category="维修帮扶",
            category_group="上门服务",
            content=provoking_text(seed, 40),
            status="已办结",
            result=provoking_text(seed + 100, 12),
            feedback_note=provoking_text(seed + 200, 4),
        )
        for seed in range(3)
    ]
    out = tmp_path / "orders.pdf"
    build_work_orders(sheets, out, len(sheets))
    assert problems(pdf_text(out).splitlines()) == []


def test_monthly_summary_lines_follow_the_rules(tmp_path):
    from xianghe_desk.pdf.monthly_report import (
        MonthlyReport,
        ReportSection,
        ReportTable,
        build_monthly_report,
    )

    rows = [(f"101-TEST-2610-{i:04d}", provoking_text(i, 3), provoking_text(i + 50, 1)) for i in range(30)]
    table = ReportTable("overdue", "超期工单清单", ("工单编号", "诉求摘要", "备注"), rows, widths=(3, 5, 2))
    headline = ReportTable(
        "headline", "主要指标", ("指标", "本月", "上月", "与上月相比"), [("受理数", "3", "2", "+1")]
    )
    report = MonthlyReport(
        title="香河县",
        scope_level="county",
        scope_name="香河县",
        month="2026-10",
        month_label="2026年10月",
        as_of=datetime(2026, 11, 20, 23, 59),
        produced_at=datetime(2026, 11, 26, 10, 0),
        produced_by="测试文员",
        figures={},
        previous={},
        summary=provoking_text(7),
        headline=headline,
        sections=[ReportSection("超期与不满意工单", [provoking_text(8, 30), table])],
    )
    out = tmp_path / "summary.pdf"
    build_monthly_report(report, out)
    assert problems(pdf_text(out).splitlines()) == []


def test_village_notice_lines_follow_the_rules(tmp_path):
    from xianghe_desk.pdf.notice import NoticeMember, NoticeSheet, build_notices

    names = tuple(
        re.sub(r"[，。；：！？、…]", "", provoking_text(seed, 2))[:18] for seed in range(30)
    )  # service names: words and brackets without sentence marks, listed with 「、」
    sheet = NoticeSheet(
        "香河县",
        "淑阳镇",
        "测试村",
        (NoticeMember("张三", "网格员", "13812345678", "第一网格"),),
        {"代办服务": names},
        ("12345",),
    )
    out = tmp_path / "notice.pdf"
    build_notices([sheet], out)
    assert problems(pdf_text(out).splitlines()) == []


# ---------------------------------------------------------------- every paragraph goes through it
def test_every_pdf_module_uses_the_chinese_paragraph():
    """reportlab's own Paragraph breaks Chinese badly; only pdf.linebreak may import it."""
    package = Path(linebreak.__file__).parent
    offenders = []
    for module in sorted(package.glob("*.py")):
        if module.name == "linebreak.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportlab"):
                offenders += [f"{module.name}: {a.name}" for a in node.names if a.name == "Paragraph"]
            if isinstance(node, ast.Attribute) and node.attr == "Paragraph":
                offenders.append(f"{module.name}: .Paragraph")
    assert offenders == []
    styles = make_styles()
    for name in styles.__dataclass_fields__:
        style = getattr(styles, name)
        if hasattr(style, "wordWrap"):
            assert style.wordWrap == "CJK", name
