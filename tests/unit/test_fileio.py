"""fileio (issue #10): a failed write leaves nothing, a full disk says 「磁盘已满」 whichever library
met it, what a killed write left is swept away later, and a read-only place is recognised."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from tests.mounts import remount_read_only, tmpfs
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.fileio import (
    TEMP_PREFIX,
    atomic_output,
    read_only_location,
    remove_stale_temps,
    write_bytes_atomically,
)


class LibraryError(Exception):
    """What reportlab or openpyxl might raise with the disk's OSError underneath."""


def test_a_written_file_appears_whole_and_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    write_bytes_atomically(target, b"%PDF whole")
    assert target.read_bytes() == b"%PDF whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_full_disk_is_said_plainly_and_leaves_nothing(tmp_path: Path, wrapped: bool) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the old file")
    with pytest.raises(ValidationError, match="磁盘已满") as refused:
        with atomic_output(target) as temp:
            temp.write_bytes(b"half")
            full = OSError(errno.ENOSPC, "No space left on device")
            if not wrapped:
                raise full
            try:
                raise full
            except OSError as exc:
                raise LibraryError("could not save") from exc
    assert "out.xlsx" in refused.value.message
    assert target.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_program_error_is_not_mistaken_for_the_disk(tmp_path: Path) -> None:
    with pytest.raises(KeyError), atomic_output(tmp_path / "x.pdf"):
        raise KeyError("bug")
    assert list(tmp_path.iterdir()) == []


def test_what_a_killed_write_left_is_swept_once_it_is_old(tmp_path: Path) -> None:
    old = tmp_path / f"{TEMP_PREFIX}abc.db"
    fresh = tmp_path / f"{TEMP_PREFIX}def.db"
    mine = tmp_path / "kept.db"
    for path in (old, fresh, mine):
        path.write_bytes(b"x")
    hours_ago = time.time() - 7 * 3600
    os.utime(old, (hours_ago, hours_ago))
    os.utime(mine, (hours_ago, hours_ago))
    assert remove_stale_temps(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, mine.name])


def test_a_write_protected_stick_is_recognised(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    with tmpfs(stick, "1m"):
        (stick / "a.db").write_bytes(b"x")
        assert not read_only_location(stick / "a.db")
        remount_read_only(stick)
        assert read_only_location(stick / "a.db")
        assert read_only_location(stick)
        assert read_only_location(stick / "new.db")
        with pytest.raises(ValidationError, match=r"只读|无法写入"):
            write_bytes_atomically(stick / "b.pdf", b"x")
