"""Writing files so that a failure never leaves half a file under the real name.

Every file the program writes (PDFs, spreadsheets, packages, the demo database, backups) is
written to a temporary name in the target's own folder and renamed onto the real name only
when it is complete: ``os.replace`` within one folder is atomic on Windows and Linux alike, so
a killed process, a full disk or a pulled USB stick leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from xianghe_desk.domain.errors import ValidationError

TEMP_PREFIX = ".xianghe-"


def _refusal(target: Path, exc: OSError) -> ValidationError:
    if exc.errno == errno.ENOSPC:
        return ValidationError(f"磁盘已满，「{target.name}」没有写入。请清理磁盘空间或换一个保存位置后重试。", field="output")
    if exc.errno == errno.EROFS:
        return ValidationError(f"「{target.parent}」是只读的（U盘可能写保护），「{target.name}」没有写入。", field="output")
    return ValidationError(
        f"无法写入「{target}」：{exc.strerror or exc}。如果这个文件正在别的程序（如 PDF 阅读器、"
        "Excel）中打开，请先关闭它再重试。",
        field="output",
    )


def temp_path_beside(target: Path, suffix: str = "") -> Path:
    """A new, empty, uniquely named file in ``target``'s folder (hidden on Linux by its dot)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"文件夹「{folder}」不存在，请先建好文件夹或换一个保存位置。", field="output")
    try:
        handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix or target.suffix, dir=folder)
    except OSError as exc:
        raise _refusal(target, exc) from None
    os.close(handle)
    return Path(name)


def remove_quietly(path: Path) -> None:
    """Remove a temporary database and its WAL companions; missing files are fine."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            leftover.unlink()


@contextlib.contextmanager
def atomic_output(target: Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` when the block succeeds.

    The block writes the whole file to the yielded path. If the block raises (or the rename
    fails), the temporary file is removed and ``target`` is untouched.

    Raises:
        ValidationError: the folder is missing, read-only or full, or the target is locked.
    """
    target = Path(target).expanduser()
    temp = temp_path_beside(target, suffix)
    try:
        try:
            yield temp
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM):
                raise _refusal(target, exc) from None
            raise
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise _refusal(target, exc) from None
    finally:
        remove_quietly(temp)


def write_bytes_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file, flushed to the disk before the rename."""
    with atomic_output(target) as temp, temp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
