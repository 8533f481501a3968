"""Small file systems for fault tests (issue #10): a full disk and a write-protected medium.

As root, ``chmod`` does not stop a write, so a write-protected USB stick is played by a tmpfs
remounted read-only, and a full disk by a tmpfs of a few hundred KB. Where mounting is not
allowed (no root, a container without CAP_SYS_ADMIN, Windows), the test is skipped and says why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. "200k") mounted on ``folder``; skips the test when not allowed."""
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("needs Linux mount (tmpfs) to play a full disk or a write-protected USB stick")
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (a full disk or a write-protected USB stick)")
    folder.mkdir(parents=True, exist_ok=True)
    done = _mount("-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder))
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        _mount("-o", "remount,rw", str(folder))
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def remount_read_only(folder: Path) -> None:
    done = _mount("-o", "remount,ro", str(folder))
    assert done.returncode == 0, done.stderr


def fill(folder: Path, leave: int) -> None:
    """Fill the tmpfs at ``folder`` until about ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free
    if free > leave:
        with (folder / "filler").open("wb") as handle:
            handle.write(b"\0" * (free - leave))
