"""The demo database is built whole under a temporary name, and a broken one is recognised (issue #8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services.demo_file import build_demo_file, demo_problem
from xianghe_desk.services.workspace import Workspace


class BuildInterruptedError(Exception):
    pass


def test_a_complete_demo_has_no_problem(small_demo: Path) -> None:
    assert demo_problem(small_demo) is None


def test_an_interrupted_build_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    calls = []

    def progress(stage: str, done: int, total: int) -> None:
        calls.append(stage)
        if stage == "requests" and done > 0:
            raise BuildInterruptedError

    with pytest.raises(BuildInterruptedError):
        build_demo_file(target, "small", progress=progress)
    assert "requests" in calls
    assert list(tmp_path.iterdir()) == [], "no demo and no temporary file may be left"


def test_a_built_demo_is_renamed_into_place_complete(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    counts = build_demo_file(target, "small", seed=3)
    assert counts["requests"] == 1500
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]
    assert demo_problem(target) is None


def test_an_existing_database_is_never_overwritten(small_demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    shutil.copy(small_demo, target)
    before = target.read_bytes()
    with pytest.raises(ValidationError, match="已经存在"):
        build_demo_file(target, "small")
    assert target.read_bytes() == before


def test_a_half_built_demo_is_reported(tmp_path: Path) -> None:
    # What an older version left after a crash: the divisions seeded, no people, no requests.
    path = tmp_path / "demo.db"
    Workspace.open(path).close()
    problem = demo_problem(path)
    assert problem is not None and "没有生成完整" in problem and "0 张工单" in problem


def test_a_demo_without_the_completion_mark_is_reported(small_demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    with Workspace.open(path) as ws, ws.atomic():
        ws.settings.set("demo", {"scale": "small"})
    problem = demo_problem(path)
    assert problem is not None and "1500 张工单" in problem


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    path.write_bytes(b"PK\x03\x04 not a database at all" * 100)
    problem = demo_problem(path)
    assert problem is not None and "损坏" in problem


def test_checking_changes_nothing(small_demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    before = path.read_bytes()
    demo_problem(path)
    assert path.read_bytes() == before
