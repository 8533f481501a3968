"""Shared fixtures. Qt runs offscreen; set before anything imports Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Demo databases have accounts (contract §1): commands in tests act as their administrator unless
# a test says otherwise; a database without accounts ignores the named user.
os.environ.setdefault("XIANGHE_USER", "admin")
os.environ.setdefault("XIANGHE_PASSWORD", "xianghe-demo")

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

from argon2 import PasswordHasher, profiles  # noqa: E402

from xianghe_desk.services import accounts as _accounts  # noqa: E402
from xianghe_desk.services.workspace import Workspace  # noqa: E402

# Argon2 is slow on purpose (0.1 s, 64 MiB a hash); tests in this process use the cheapest profile.
# Commands run as real processes (tests/helpers.run_cli) keep the real one.
_accounts.HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)

FIXED_NOW = datetime(2026, 11, 26, 10, 0, 0)


class Clock:
    """A settable clock: tests move time forward explicitly."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _forget_entered_holidays() -> Iterator[None]:
    """The holidays an administrator entered live in the process (domain/duetime.py) once a
    workspace has read them: the next test starts without them."""
    yield
    from xianghe_desk.domain import duetime

    duetime.use_entered_years([])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def ws(db_path: Path, clock: Clock) -> Iterator[Workspace]:
    """A fresh database (migrations applied, county divisions and default lists seeded)."""
    workspace = Workspace.open(db_path, clock=clock, actor="测试文员")
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database built once per session (read-only use: copy it to change it)."""
    from xianghe_desk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "small.db"
    with Workspace.open(path, clock=lambda: FIXED_NOW) as workspace:
        build_demo(workspace, "small", seed=7)
    return path


@pytest.fixture
def demo_ws(small_demo: Path, tmp_path: Path, clock: Clock) -> Iterator[Workspace]:
    """A writable copy of the small demo database."""
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    workspace = Workspace.open(path, clock=clock, actor="测试文员")
    yield workspace
    workspace.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use Qt fixtures are marked ``gui`` (qutebrowser's conftest does the same)."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures:
            item.add_marker(pytest.mark.gui)
        if "tests/perf/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.perf)


# ---- logfail (qutebrowser's tests/helpers/logfail.py): a test fails when the program logs an error
# it did not expect, so a page that breaks and is hidden behind a log line cannot pass unnoticed.
# A test that provokes an error on purpose says so with @pytest.mark.allow_log_errors (or checks
# the record through caplog, which it then owns).
import logging  # noqa: E402


class _LogFailHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_logfail = _LogFailHandler()
logging.getLogger().addHandler(_logfail)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    _logfail.records.clear()
    yield
    allowed = item.get_closest_marker("allow_log_errors") is not None or "caplog" in getattr(
        item, "fixturenames", ()
    )
    if _logfail.records and not allowed:
        lines = "\n".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in _logfail.records[:5])
        _logfail.records.clear()
        pytest.fail(f"unexpected errors were logged:\n{lines}", pytrace=False)
