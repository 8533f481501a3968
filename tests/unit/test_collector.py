"""The cycle collector's policy (xianghe_desk/collector.py, issue #13): the program's own processes
move what lasts out of the collector's way; a test process, which drops hundreds of windows, does not."""

from __future__ import annotations

import gc
import os
import shutil
import sys
from collections.abc import Iterator

import pytest

from tests.helpers import run_fresh_python
from xianghe_desk import cli, collector
from xianghe_desk.services.accounts import DEMO_PASSWORD


@pytest.fixture
def policy(monkeypatch) -> Iterator[None]:
    """The policy as this test sets it; nothing stays frozen afterwards."""
    monkeypatch.setattr(collector, "_enabled", False)
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settling_does_nothing_until_the_process_opts_in(policy):
    class Cycle:
        pass

    collector.settle()
    assert gc.get_freeze_count() == 0 and not collector.enabled()
    collector.enable()
    assert collector.enabled() and gc.get_freeze_count() > 0
    # What is made afterwards is the collector's again, and a cycle dropped then is freed.
    a, b = Cycle(), Cycle()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    assert gc.is_tracked(a)
    frozen = gc.get_freeze_count()
    del a, b
    assert gc.collect() >= 2
    assert gc.get_freeze_count() == frozen


def test_the_command_line_opts_in_only_as_a_process_of_its_own(policy, monkeypatch, tmp_path, capsys):
    seen: list[str] = []
    monkeypatch.setattr(cli, "_setup_logging", lambda: None)  # no log file left open in this process
    monkeypatch.setattr(collector, "enable", lambda: seen.append("enabled"))
    assert cli.main(["check", "--db", str(tmp_path / "none.db")]) == 1  # an argument list: a caller's
    assert seen == []
    monkeypatch.setattr(sys, "argv", ["xianghe-desk", "check", "--db", str(tmp_path / "none.db")])
    assert cli.main() == 1  # this process's own command line
    assert seen == ["enabled"]
    capsys.readouterr()


def test_a_command_run_as_a_process_settles_once_it_has_loaded_what_it_needs(small_demo, tmp_path):
    """``python -m xianghe_desk stats``: the command's modules are out of the collector's way while
    it counts, and it counts as before."""
    db = tmp_path / "demo.db"
    shutil.copy(small_demo, db)
    probe = (
        "import gc, sys\n"
        "from xianghe_desk import cli\n"
        "from xianghe_desk.services import stats\n"
        "real = stats.StatsService.figures\n"
        "def figures(self, *a, **k):\n"
        "    print('frozen while counting:', gc.get_freeze_count(), file=sys.stderr)\n"
        "    return real(self, *a, **k)\n"
        "stats.StatsService.figures = figures\n"
        "sys.exit(cli.main())\n"
    )
    env = {**os.environ, "XIANGHE_USER": "admin", "XIANGHE_PASSWORD": DEMO_PASSWORD}
    argv = ["stats", "--db", str(db), "--month", "2026-11"]
    run = run_fresh_python(probe, *argv, env=env)
    frozen = int(run.stderr.split("frozen while counting:")[1].split()[0])
    assert frozen > 10_000  # the modules of the command line, the store and the counting
    assert "受理" in run.stdout
