"""Writing files so that a failure never leaves half a file under the real name.

Every file the program writes (PDFs, spreadsheets, packages, the demo database, backups) is
written to a temporary name in the target's own folder and renamed onto the real name only
when it is complete: ``os.replace`` within one folder is atomic on Windows and Linux alike, so
a killed process, a full disk or a pulled USB stick leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import logging.handlers
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xianghe_desk.domain.errors import ValidationError

log = logging.getLogger(__name__)

TEMP_PREFIX = ".xianghe-"
# A temporary file nobody has written to for this long was left by a killed write.
STALE_TEMP_SECONDS = 6 * 3600
# Errors of the medium rather than of the program: the clerk can act on them (issue #10).
DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
MEDIUM_ERRORS = (*DISK_FULL, errno.EROFS, errno.EACCES, errno.EPERM)


def _refusal(target: Path, exc: OSError) -> ValidationError:
    if exc.errno in DISK_FULL:
        return ValidationError(
            f"磁盘已满，「{target.name}」没有写入。请清理磁盘空间或换一个保存位置后重试。", field="output"
        )
    if exc.errno == errno.EROFS:
        return ValidationError(
            f"「{target.parent}」是只读的（U盘可能写保护），「{target.name}」没有写入。", field="output"
        )
    return ValidationError(
        f"无法写入「{target}」：{exc.strerror or exc}。如果这个文件正在别的程序（如 PDF 阅读器、"
        "Excel）中打开，请先关闭它再重试。",
        field="output",
    )


def remove_stale_temps(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove what killed writes left in ``folder``: our temporary files untouched for hours.

    A SIGKILL or a power cut gives a writer no chance to remove its temporary file; the next
    write into the same folder does, once nothing can still be writing it.
    """
    removed: list[Path] = []
    cutoff = time.time() - older_than
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
    if removed:
        log.info("removed %d temporary files left by interrupted writes in %s", len(removed), folder)
    return removed


def temp_path_beside(target: Path, suffix: str = "") -> Path:
    """A new, empty, uniquely named file in ``target``'s folder (hidden on Linux by its dot)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"文件夹「{folder}」不存在，请先建好文件夹或换一个保存位置。", field="output")
    remove_stale_temps(folder)
    try:
        handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix or target.suffix, dir=folder)
    except OSError as exc:
        raise _refusal(target, exc) from None
    os.close(handle)
    return Path(name)


def remove_quietly(path: Path) -> None:
    """Remove a temporary database and its journal companions; missing files are fine."""
    for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(OSError):
            leftover.unlink()


def medium_error(exc: BaseException) -> OSError | None:
    """The OSError of the medium (full, read-only, refused) behind ``exc``, if there is one.

    Libraries do not always let the OSError through unchanged: reportlab and openpyxl may raise
    their own error while a full disk refuses a write, with the OSError as its cause or context.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in MEDIUM_ERRORS:
            return current
        current = current.__cause__ or current.__context__
    return None


def read_only_location(path: Path | str) -> bool:
    """Whether ``path`` (a file, or the folder a new file would go to) cannot be written.

    A write-protected USB stick or CD, a read-only network share, a file marked read-only, or a
    folder where SQLite could not create its -wal/-shm companions. Root ignores permission bits,
    but not a read-only mount (``os.statvfs``'s ST_RDONLY), so both are asked.
    """
    path = Path(path)
    probe = path if path.exists() else path.parent
    statvfs = getattr(os, "statvfs", None)
    if statvfs is not None:
        try:
            if statvfs(probe).f_flag & os.ST_RDONLY:
                return True
        except OSError:
            pass
    if path.is_dir():
        return not os.access(path, os.W_OK)
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return path.parent.exists() and not os.access(path.parent, os.W_OK)


def fsync_file(path: Path) -> None:
    """Push a written file to the medium before it is renamed (a pulled USB stick, a power cut)."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _log_unraisable(unraisable: Any) -> None:
    log.debug("while cleaning up a failed write: %s", unraisable.exc_value)


def _release(exc: BaseException) -> None:
    """Close what a failed writer left open (openpyxl's zip file, reportlab's canvas) now.

    Their objects live on in the finished frames of the exception's traceback; left to the
    garbage collector they close later, fail again on the full disk and print 「Exception
    ignored」 tracebacks to the terminal. On Windows their open handles would also stop the
    temporary file from being removed.
    """
    traceback.clear_frames(exc.__traceback__)
    hook = sys.unraisablehook
    sys.unraisablehook = _log_unraisable
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


@contextlib.contextmanager
def atomic_output(target: Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` when the block succeeds.

    The block writes the whole file to the yielded path. If the block raises (or the rename
    fails), the temporary file is removed and ``target`` is untouched. A full disk or a
    read-only medium met while writing becomes a plain refusal (「磁盘已满」), whichever library
    was writing.

    Raises:
        ValidationError: the folder is missing, read-only or full, or the target is locked.
    """
    target = Path(target).expanduser()
    temp = temp_path_beside(target, suffix)
    try:
        try:
            yield temp
            fsync_file(temp)
        except ValidationError:
            raise
        except Exception as exc:
            medium = medium_error(exc)
            if medium is None:
                raise
            _release(exc)
            raise _refusal(target, medium) from None
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise _refusal(target, exc) from None
        _fsync_folder(target.parent)
    finally:
        remove_quietly(temp)


def write_bytes_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file, flushed to the disk before the rename."""
    with atomic_output(target) as temp, temp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


# ---- files readable by this user only (issue #10) -------------------------------------------
#
# Every file the program creates holds residents' names, ID numbers and illnesses (or the keys
# to them): on Linux it is made 0600, whatever the umask. Temporary files from tempfile.mkstemp
# (atomic_output) are 0600 already and keep that mode when renamed; SQLite gives -wal/-shm the
# mode of their database. On Windows modes do not apply: the per-user data folder
# (%LOCALAPPDATA%) is readable by its owner (and administrators) only, by its default ACL.
PRIVATE_MODE = 0o600


def make_private(path: Path | str) -> None:
    """chmod 0600 a file this user owns (no-op on Windows, for a missing file or another owner's)."""
    if os.name == "nt":
        return
    try:
        info = os.stat(path)
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            os.chmod(path, PRIVATE_MODE)
    except OSError:
        pass


class PrivateLogHandler(logging.handlers.RotatingFileHandler):
    """The log file (and each rotated one) is created 0600: tracebacks may quote a resident."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=False)

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_MODE)
        make_private(self.baseFilename)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)
