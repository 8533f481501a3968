"""Fixtures for the desk's widget tests (tests/integration/conftest.py shares them).

Every test gets its own settings INI; ``ctx`` is a DeskContext on a writable copy of the session's
small demo that runs its jobs inline, so a write has landed when the call returns.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from PySide6.QtGui import QFont

from xianghe_desk.jobs.runner import InlineRunner
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.ui import main_window
from xianghe_desk.ui.application import load_font
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.settings import use_settings_file


@pytest.fixture(autouse=True)
def desk_ini(tmp_path: Path) -> Iterator[Path]:
    """A private settings file, so remembered layouts and filters never leak between tests."""
    path = tmp_path / "desk.ini"
    use_settings_file(path)
    yield path
    use_settings_file(tmp_path / "after.ini")


@pytest.fixture(autouse=True)
def no_pages_built_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window's pages are built ahead after its warm-up (issue #13); a test of something else
    would see pages appear, and their reads start, at a moment of their own. Tests of building
    ahead turn it back on."""
    from xianghe_desk.ui import main_window

    monkeypatch.setattr(main_window, "BUILD_AHEAD", False)


@pytest.fixture
def demo_copy(small_demo: Path, tmp_path: Path) -> Path:
    """A writable copy of the small demo database."""
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    return path


@pytest.fixture
def ctx(qapp, demo_copy: Path, clock) -> Iterator[DeskContext]:
    context = DeskContext(demo_copy, runner=InlineRunner(), clock=clock)
    context.sign_in("admin", DEMO_PASSWORD)  # the demo's administrator (issue #9)
    yield context
    context.close()


@pytest.fixture
def reset_text_size() -> Iterator[None]:
    """The main window scales the whole application's text: back to 100 % for the next test."""
    yield
    main_window.apply_text_percent(100)


@pytest.fixture
def shipped_font(qapp, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The desk's own font as ui.application.make_app sets it (WenQuanYi Micro Hei, 10 pt): the
    page's height depends on it, and the test platform's default font is smaller. Put back after."""
    before = QFont(qapp.font())
    monkeypatch.setattr(main_window, "_base_point_size", None)  # Ctrl+= scales this font
    font = QFont(load_font())
    font.setPointSize(max(before.pointSize(), 10))
    qapp.setFont(font)
    yield
    qapp.setFont(before)
