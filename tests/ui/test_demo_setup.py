"""Opening the demo: built with progress when missing, a broken one is never opened as if fine (issue #8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xianghe_desk.services.demo_file import demo_problem
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.ui import demo_setup


@pytest.fixture
def small_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk builds the county demo; the small one is enough to prove the flow."""
    real = demo_setup.build_demo_file
    monkeypatch.setattr(demo_setup, "build_demo_file", lambda path, scale, **kw: real(path, "small", **kw))


def test_a_missing_demo_is_built(qapp, tmp_path: Path, small_scale: None) -> None:
    path = tmp_path / "demo.db"
    assert demo_setup.ensure_demo(path)
    assert demo_problem(path) is None


def test_a_sound_demo_is_opened_without_a_question(qapp, small_demo: Path, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    monkeypatch.setattr(demo_setup, "ask_rebuild", lambda *a: pytest.fail("must not ask"))
    assert demo_setup.ensure_demo(path)


def test_a_half_built_demo_is_rebuilt_when_the_clerk_agrees(qapp, tmp_path: Path, small_scale, monkeypatch) -> None:
    path = tmp_path / "demo.db"
    Workspace.open(path).close()  # what a crashed first start used to leave: every figure 0
    asked: list[str] = []
    monkeypatch.setattr(demo_setup, "ask_rebuild", lambda p, problem: asked.append(problem) or True)
    assert demo_setup.ensure_demo(path)
    assert asked and "没有生成完整" in asked[0]
    assert demo_problem(path) is None


def test_a_half_built_demo_is_left_alone_when_the_clerk_quits(qapp, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "demo.db"
    Workspace.open(path).close()
    before = path.read_bytes()
    monkeypatch.setattr(demo_setup, "ask_rebuild", lambda *a: False)
    assert not demo_setup.ensure_demo(path)
    assert path.read_bytes() == before


def test_a_failed_build_is_explained_and_leaves_nothing(qapp, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "demo.db"
    shown: list[str] = []

    def failing(target: Path, scale: str, **kw: object) -> None:
        from xianghe_desk.domain.errors import ValidationError

        raise ValidationError("磁盘已满，「demo.db」没有写入。")

    monkeypatch.setattr(demo_setup, "build_demo_file", failing)
    monkeypatch.setattr(demo_setup.errors, "show_warning", lambda parent, message, title="": shown.append(message))
    assert not demo_setup.ensure_demo(path)
    assert shown == ["磁盘已满，「demo.db」没有写入。"]
    assert not path.exists()
