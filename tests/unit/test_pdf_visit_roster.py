"""The paper 走访表 (issue #11): one row per resident in order, the full phone, the checks to tick,
every page numbered and headed, long addresses wrapped inside their cell."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from tests.helpers import pdf_page_size, pdf_pages, pdf_text, squash
from xianghe_desk.domain.visits import CHECKS
from xianghe_desk.pdf.visit_roster import RosterRow, RosterSheet, build_roster


def _sheet(rows: int) -> RosterSheet:
    return RosterSheet(
        title="香河县淑阳镇王刘圈村 第一网格",
        week_start=date(2026, 11, 23),
        week_end=date(2026, 11, 29),
        responsible="网格员：李建国 13812345678",
        rows=[
            RosterRow(
                number=i,
                name=f"居民{i:02d}",
                sex_age="女 82岁",
                care_tags="独居老人、低保",
                address="王刘圈村前街" + "很长很长的胡同" * (3 if i == 2 else 0) + f"{i}号",
                phone=f"1381234{i:04d}",
                emergency=f"家属{i} 1391234{i:04d}",
                due=date(2026, 11, 20 + i % 7),
                last_visit=None if i == 1 else date(2026, 11, 13),
                overdue_days=3 if i == 1 else 0,
                interval="每周（7天）",
            )
            for i in range(1, rows + 1)
        ],
        checks=tuple(label for _k, label in CHECKS),
        printed_at=datetime(2026, 11, 26, 10, 0),
        printed_by="测试文员",
    )


def test_a_long_roster_continues_on_numbered_pages_in_order(tmp_path: Path) -> None:
    out = tmp_path / "roster.pdf"
    pages = build_roster(_sheet(14), out)
    assert pages == pdf_pages(out) >= 3
    assert pdf_page_size(out) == (297, 210)
    text = squash(pdf_text(out))
    positions = [text.index(f"居民{i:02d}") for i in range(1, 15)]
    assert positions == sorted(positions)
    assert "13812340005" in text and "从未走访" in text and "已超期3天" in text
    assert f"第{pages}页共{pages}页" in text
    for page in range(1, pages + 1):
        page_text = squash(pdf_text(out, page=page))
        assert "服务对象签字" in page_text and "冬季取暖" in page_text  # the header repeats
        assert "网格员签字" in page_text
    assert "很长很长的胡同很长很长的胡同很长很长的胡同2号" in text


def test_an_empty_roster_says_so_on_one_page(tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    assert build_roster(_sheet(0), out) == 1
    assert "本周没有需要走访的服务对象" in squash(pdf_text(out))
