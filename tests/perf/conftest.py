"""Benchmarks run on demand: ``python -m pytest -m perf tests/perf -s``.

They need the ``large`` demo database (100,000 residents, 1,000,000 requests). Set
XIANGHE_LARGE_DB to an existing one to skip the build (it takes minutes), e.g.::

    xianghe-desk demo --db /tmp/large.db --scale large
    XIANGHE_LARGE_DB=/tmp/large.db python -m pytest -m perf tests/perf -s
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def large_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("XIANGHE_LARGE_DB")
    if given and Path(given).exists():
        return Path(given)
    from xianghe_desk.services.demo import build_demo
    from xianghe_desk.services.workspace import Workspace

    path = tmp_path_factory.mktemp("large") / "large.db"
    with Workspace.open(path) as ws:
        build_demo(ws, "large")
    return path
