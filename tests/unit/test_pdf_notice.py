"""帮办公示: one poster page per village with every member's grid and FULL phone number, the
services run for residents and the hotlines; A4 or A3; and the ``notice`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import pdf_page_size, pdf_pages, pdf_text, squash
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services.printing import PrintService
from xianghe_desk.store.reports import ReportStore


def pdf_info(path: Path) -> tuple[int, tuple[int, int]]:
    """Pages, and the page size in millimetres."""
    return pdf_pages(path), pdf_page_size(path)


def test_village_notice_lists_every_member_with_full_phone(demo_ws, tmp_path):
    service = PrintService(demo_ws)
    village = service.notice_villages("蒋辛屯镇", "蒋北社区")[0]
    members = ReportStore(demo_ws.db).village_members(village.id)
    assert len(members) >= 3
    demo_ws.settings.set("hotlines", ["12345", "0316-8888888"])
    out = tmp_path / "notice.pdf"
    result = service.write_notices([village], out)
    assert result.pages == 1
    assert pdf_info(out) == (1, (210, 297))
    text = squash(pdf_text(out))
    assert "蒋北社区网格员帮办服务公示" in text
    for member in members:
        assert member.name in text
        assert member.phone in text  # in full: public by design
    assert "第一网格" in text or "全村" in text
    for service_name in ("社保医保代办", "证照代办", "生活照料", "维修帮扶"):
        assert service_name in text
    assert "12345" in text and "0316-8888888" in text


def test_a3_and_one_page_per_village_of_a_town(demo_ws, tmp_path):
    service = PrintService(demo_ws)
    villages = service.notice_villages("蒋辛屯镇", None)
    assert len(villages) > 5
    out = tmp_path / "town.pdf"
    result = service.write_notices(villages, out, a3=True)
    assert result.pages == len(villages)
    assert pdf_info(out) == (len(villages), (297, 420))
    for page, village in enumerate(villages, start=1):
        assert village.short_name in pdf_text(out, page=page)


def test_a_village_with_many_members_still_fits_one_page(demo_ws, tmp_path):
    from xianghe_desk.pdf.notice import NoticeMember, NoticeSheet, build_notices

    members = tuple(NoticeMember(f"网格员{i:02d}", "网格员", f"138{i:08d}", f"第{i}网格") for i in range(40))
    sheet = NoticeSheet("香河县", "淑阳镇", "测试村", members, {"代办服务": ("证照代办",)}, ("12345",))
    out = tmp_path / "many.pdf"
    assert build_notices([sheet], out) == 1
    text = squash(pdf_text(out))
    assert all(m.phone in text for m in members)


def test_notice_refusals(demo_ws):
    service = PrintService(demo_ws)
    with pytest.raises(ValidationError, match="--village"):
        service.notice_villages(None, None)
    with pytest.raises(ValidationError, match="没有名为"):
        service.notice_villages("蒋辛屯镇", "不存在村")


def test_notice_command(small_demo, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    out = tmp_path / "cli.pdf"
    command = [sys.executable, "-m", "xianghe_desk", "notice", "--db", str(small_demo)]
    result = subprocess.run(
        [*command, "--village", "蒋北社区", "--a3", "-o", str(out)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert pdf_info(out) == (1, (297, 420))
    assert "蒋北社区" in result.stdout
    result = subprocess.run([*command, "-o", str(out)], env=env, capture_output=True, text=True)
    assert result.returncode == 2
