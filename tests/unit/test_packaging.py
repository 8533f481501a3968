"""The wheel a clerk's pip builds carries the font and the county's divisions (issue #8).

An editable install reads resources/ from the checkout and once hid, for a whole release, a
wheel without them. CI also installs the wheel into a fresh venv (.ci/wheel_check.sh); this test
catches a packaging change in seconds.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("xianghe_desk-*.whl")
    return built


def test_the_wheel_carries_every_resource_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.relative_to(ROOT / "resources").as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file())
    assert shipped, "resources/ is empty?"
    missing = [name for name in shipped if f"xianghe_desk/resources/{name}" not in names]
    assert missing == []


def test_the_wheel_carries_every_module_and_the_entry_point(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "xianghe_desk").rglob("*.py"))
    assert [m for m in modules if m not in names] == []
    (entry_points,) = [n for n in names if n.endswith("entry_points.txt")]
    assert "xianghe-desk = xianghe_desk.cli:main" in archive.read(entry_points).decode()


def test_nothing_from_the_checkout_leaks_into_the_wheel(wheel: Path) -> None:
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert tops == {"xianghe_desk", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
