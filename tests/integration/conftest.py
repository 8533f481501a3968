"""The desk's fixtures from tests/ui (a conftest there is not seen here): settings file, demo copy,
ctx, no pages built ahead; and an office's database copied from the small demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ui.conftest import ctx, demo_copy, desk_ini, no_pages_built_ahead, reset_text_size

__all__ = ["ctx", "demo_copy", "desk_ini", "no_pages_built_ahead", "office", "reset_text_size"]


@pytest.fixture
def office(small_demo: Path, tmp_path: Path) -> Path:
    """The small demo copied into a folder of its own (``office/xianghe.db``)."""
    path = tmp_path / "office" / "xianghe.db"
    path.parent.mkdir()
    shutil.copy(small_demo, path)
    return path
