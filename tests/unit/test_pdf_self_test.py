"""``xianghe-desk --self-test`` on this installation: every check passes and is reported in Chinese."""

from __future__ import annotations

import os
import subprocess
import sys

from xianghe_desk.commands.self_test import pdf_page_count


def test_self_test_passes_and_says_what_it_checked():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "xianghe_desk", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for label in ("中文字体", "临时数据库", "演示数据", "服务工单 PDF", "月度汇总 PDF 与 Excel", "桌面组件"):
        assert f"[通过] {label}" in result.stdout, label
    assert "自检通过" in result.stdout
    assert "Traceback" not in result.stderr


def test_page_count_of_reportlab_pdfs(tmp_path):
    from xianghe_desk.pdf.notice import NoticeMember, NoticeSheet, build_notices

    sheet = NoticeSheet("香河县", "淑阳镇", "测试村", (NoticeMember("张三", "网格员", "13800000000"),))
    out = tmp_path / "n.pdf"
    assert build_notices([sheet, sheet, sheet], out) == 3
    assert pdf_page_count(out.read_bytes()) == 3
