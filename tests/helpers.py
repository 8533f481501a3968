"""Qt-free helpers shared by tests: the command line and Python snippets as real processes, and
reading PDFs back with poppler's pdftotext/pdfinfo. (Fixtures live in the conftest files; these are
plain functions.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# stats --json (contract §3): the keys the contract names, and the ones this program adds.
CONTRACT_KEYS = {
    "received",
    "completed",
    "completion_rate",
    "rated",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "satisfaction_rate",
    "overdue",
    "avg_hours_to_complete",
    "home_visits",
    "visits_due",
    "visits_done",
    "visit_coverage_rate",
    "by_category",
    "by_channel",
    "by_method",
    "by_town",
    "by_village",
}
EXTRA_KEYS = {"month", "scope", "as_of", "by_category_group"}


def run_cli(
    *args: str | Path, cwd: Path | None = None, program: list[str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The command as a clerk or a script runs it: a real process, its logging and exit code as shipped."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}
    command = [*(program or [sys.executable, "-m", "xianghe_desk"]), *map(str, args)]
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def run_fresh_python(
    code: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``code`` run by a fresh interpreter from the repository (what a start imports, a process's own
    policy); fails the test with the end of its stderr unless it exits 0."""
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def pdf_text(path: Path, layout: bool = False, page: int | None = None) -> str:
    """The text pdftotext reads from the file (or from one page); ``layout`` keeps table columns apart."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _pdf_info(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _pdf_info(path), re.M).group(1))  # type: ignore[union-attr]


def pdf_page_size(path: Path) -> tuple[int, int]:
    """Width and height in millimetres, as pdfinfo reports them in points."""
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", _pdf_info(path), re.M)
    assert match is not None
    return round(float(match.group(1)) / 72 * 25.4), round(float(match.group(2)) / 72 * 25.4)


def squash(text: str) -> str:
    """Text without any whitespace (pdftotext breaks lines where the paper wraps them)."""
    return re.sub(r"\s+", "", text)
