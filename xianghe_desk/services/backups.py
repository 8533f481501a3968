"""Backups that can be trusted (issue #10): made with SQLite's online backup API under a temporary
name, read back before they get their real name, rotated; a restore looks at both sides first.

File names say what a backup is: ``<db>-<kind>-<YYYYmmdd-HHMMSS>.db`` with kind 备份 (asked for),
自动备份 (the desk's own: daily and on closing, the only ones the rotation deletes), 恢复前 (what
a restore replaced) and v<n>-升级前 (before a migration, store/db.py). Each copy carries its own
record (``local.backup``: when, what kind, the counts it was verified against).
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from xianghe_desk import __version__, paths
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.fileio import read_only_location
from xianghe_desk.services.backup_rotation import auto_backup_due, backups_to_remove
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import db as store_db
from xianghe_desk.store.db import EncryptedDatabaseError, KnownStoreError
from xianghe_desk.store.integrity import REQUIRED_TABLES, DatabaseFacts, inspect_database
from xianghe_desk.store.keys import DatabaseKey, keys_path

log = logging.getLogger(__name__)

KIND_MANUAL: Final = "备份"
KIND_AUTO: Final = "自动备份"
KIND_BEFORE_RESTORE: Final = "恢复前"
# The optional second folder (a USB stick): this PC's, so a local.* setting that never travels.
FOLDER_SETTING: Final = "local.backup_folder"
# A restore that loses more than this share of the requests or residents needs a second yes.
LARGE_DROP_SHARE: Final = 0.9
_STAMP = re.compile(r"-(\d{8}-\d{6})(?:-\d+)?\.db$")
_STAMP_FORMAT = "%Y%m%d-%H%M%S"


def backup_name(db_path: Path, kind: str, at: datetime) -> str:
    return f"{db_path.stem}-{kind}-{at.strftime(_STAMP_FORMAT)}.db"


def made_at_from_name(name: str) -> datetime | None:
    """The time in a backup's file name, or None for a name this program did not give."""
    match = _STAMP.search(name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), _STAMP_FORMAT)
    except ValueError:
        return None


def _free_name(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, or name-2, name-3 … when two backups fall in the same second."""
    target = folder / name
    number = 2
    while target.exists():
        target = folder / f"{name[:-3]}-{number}.db"
        number += 1
    return target


def counts_of(facts: DatabaseFacts) -> dict[str, int]:
    return {
        "towns": facts.towns,
        "villages": facts.villages,
        "residents": facts.residents,
        "requests": facts.requests,
    }


def copy_database(
    db_path: Path, folder: Path, kind: str, at: datetime, key: DatabaseKey | None = None
) -> Path:
    """Back ``db_path`` up into ``folder``: the copy is complete and verified, or there is none.

    ``key``: the database key of an encrypted database (the copy keeps it, with its key file).

    Raises:
        ValidationError: the database file is missing.
        KnownStoreError / ValidationError: the folder cannot be written or the disk is full.
    """
    if not db_path.is_file():
        raise ValidationError(f"数据库文件「{db_path}」不存在，无法备份。", field="db")
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"「{folder}」是一个文件，不是文件夹。请换一个备份位置。", field="folder")
    if read_only_location(folder):
        raise ValidationError(f"「{folder}」不能写入（U盘可能写保护），没有备份。", field="folder")
    # Written into the copy before it is read back; a copy that fails is removed, so a file
    # under a real name with this record passed the check (BackupEntry.verified).
    stamp = {
        "made_at": at.isoformat(sep=" ", timespec="seconds"),
        "kind": kind,
        "source": str(db_path),
        "program": __version__,
        "verified": "integrity_check, row counts",
    }
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, backup_name(db_path, kind, at))
    return store_db.backup_file(db_path, target, stamp=stamp, key=key)


# ------------------------------------------------------------------ listing
@dataclass(frozen=True)
class BackupEntry:
    """One backup file as the 备份与恢复 panel lists it."""

    path: Path
    made_at: datetime | None
    kind: str
    size: int
    facts: DatabaseFacts | None
    problem: str = ""  # why it cannot be read ("" when it can)

    @property
    def verified(self) -> bool:
        """Made by this program's backup, which gives a copy its real name only after reading it
        back (integrity check and row counts); the record inside says so (copy_database)."""
        return self.facts is not None and bool(self.facts.stamp.get("verified"))


def _kind_from_name(db_path: Path, name: str) -> str:
    middle = name[len(db_path.stem) + 1 :]
    match = _STAMP.search(middle)
    return middle[: match.start()] if match else ""


def backup_files(db_path: Path, folder: Path) -> list[Path]:
    """This database's backups in ``folder`` (temporary files of a backup being written aside)."""
    if not folder.is_dir():
        return []
    prefix = f"{db_path.stem}-"
    try:
        return sorted(
            p for p in folder.iterdir() if p.name.startswith(prefix) and p.suffix == ".db" and p.is_file()
        )
    except OSError:
        return []


def list_backups(db_path: Path, folders: list[Path], key: DatabaseKey | None = None) -> list[BackupEntry]:
    """Every backup of ``db_path`` in ``folders``, newest first, with its counts (read-only)."""
    entries: list[BackupEntry] = []
    seen: set[Path] = set()
    for folder in folders:
        for path in backup_files(db_path, folder):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                facts: DatabaseFacts | None = inspect_database(path, check="none", snapshot=True, key=key)
                problem = ""
            except KnownStoreError as exc:
                facts, problem = None, exc.message
            made = None
            if facts is not None and facts.stamp.get("made_at"):
                with contextlib.suppress(ValueError):
                    made = datetime.fromisoformat(str(facts.stamp["made_at"]))
            made = made or made_at_from_name(path.name)
            kind = str(facts.stamp.get("kind", "")) if facts is not None else ""
            size = path.stat().st_size if path.exists() else 0
            entries.append(
                BackupEntry(path, made, kind or _kind_from_name(db_path, path.name), size, facts, problem)
            )
    entries.sort(key=lambda e: e.made_at or datetime.min, reverse=True)
    return entries


# ------------------------------------------------------------------ automatic backups
@dataclass
class AutoBackupResult:
    """Where the automatic backup went, what the rotation removed, and what went wrong where."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def status_text(self) -> str:
        """One line for the status bar."""
        if not self.written:
            return "自动备份没有完成：" + "；".join(self.problems)
        done = f"已备份数据库（{self.written[0].name}）"
        if len(self.written) > 1:
            done += f"，并复制到「{self.written[1].parent}」"
        if self.problems:
            done += "。但是：" + "；".join(self.problems)
        return done


class BackupService:
    """The backups of the database ``ws`` has open: its folders, the automatic backups."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def default_folder(self) -> Path:
        return paths.backups_dir(self.ws.path)

    def extra_folder(self) -> Path | None:
        value = self.ws.settings.get(FOLDER_SETTING)
        return Path(str(value)) if value else None

    def set_extra_folder(self, folder: Path | None) -> Path | None:
        """The clerk's second folder (a USB stick), or None to stop copying there.

        A folder that is missing now (the stick is out) is accepted: each backup says whether it
        got there.
        """
        if folder is not None:
            folder = Path(folder).expanduser()
            if not folder.is_absolute():
                raise ValidationError("请选择完整的文件夹位置（如 E:\\香河备份）。", field="folder")
            if folder.exists() and not folder.is_dir():
                raise ValidationError(f"「{folder}」是一个文件，不是文件夹。", field="folder")
            if folder.resolve() == self.default_folder().resolve():
                raise ValidationError(
                    "这就是默认的备份文件夹，请另选一个（如U盘上的文件夹）。", field="folder"
                )
        with self.ws.atomic():
            self.ws.settings.set(FOLDER_SETTING, str(folder) if folder is not None else "")
        return folder

    def folders(self) -> list[Path]:
        extra = self.extra_folder()
        return [self.default_folder(), *([extra] if extra is not None else [])]

    def entries(self) -> list[BackupEntry]:
        return list_backups(self.ws.path, self.folders(), self.ws.key)

    def last_auto_backup(self) -> datetime | None:
        times = [
            made
            for path in backup_files(self.ws.path, self.default_folder())
            if _kind_from_name(self.ws.path, path.name) == KIND_AUTO
            and (made := made_at_from_name(path.name))
        ]
        return max(times, default=None)

    def auto_backup_due(self) -> bool:
        return auto_backup_due(self.last_auto_backup(), self.ws.now())

    def backup_now(self, kind: str = KIND_AUTO) -> AutoBackupResult:
        """Back up into the default folder and the clerk's second folder, then rotate automatic ones.

        The second folder may be missing or write-protected (the USB stick is out): that is said
        in ``problems``, never raised. A failure in the default folder is raised when nothing was
        written anywhere.
        """
        result = AutoBackupResult()
        at = self.ws.now()
        extra = self.extra_folder()
        for folder, is_extra in ((self.default_folder(), False), *(((extra, True),) if extra else ())):
            if is_extra and not folder.is_dir():
                result.problems.append(f"备份文件夹「{folder}」找不到（U盘没插好？），这次没有复制过去")
                continue
            try:
                written = copy_database(self.ws.path, folder, kind, at, self.ws.key)
            except (ValidationError, KnownStoreError) as exc:
                result.problems.append(exc.message if is_extra else f"默认备份文件夹：{exc.message}")
                continue
            result.written.append(written)
            if kind == KIND_AUTO:
                result.removed += self._rotate(folder, result.problems)
        if not result.written:
            raise ValidationError("备份没有完成：" + "；".join(result.problems), field="folder")
        return result

    def _rotate(self, folder: Path, problems: list[str]) -> list[Path]:
        autos = [
            (path, made)
            for path in backup_files(self.ws.path, folder)
            if _kind_from_name(self.ws.path, path.name) == KIND_AUTO
            and (made := made_at_from_name(path.name))
        ]
        removed = []
        for path in backups_to_remove(autos):
            try:
                path.unlink()
                removed.append(path)
                # An encrypted backup's key file goes with it (store/keys.py).
                keys_path(path).unlink(missing_ok=True)
            except OSError as exc:
                problems.append(f"旧的自动备份「{path.name}」删不掉：{exc.strerror or exc}")
        if removed:
            log.info("rotation removed %d automatic backups from %s", len(removed), folder)
        return removed


# ------------------------------------------------------------------ restoring
def _number(value: int) -> str:
    return f"{value:,}"


@dataclass(frozen=True)
class RestorePlan:
    """Both sides of a restore, shown before anything is replaced."""

    backup: Path
    incoming: DatabaseFacts
    current: DatabaseFacts | None  # None: there is no database yet (a new PC)

    @property
    def drops(self) -> list[str]:
        """The large drops (under 90 % of today's requests or residents), in Chinese."""
        if self.current is None:
            return []
        found = []
        for label, unit, now, then in (
            ("工单", "张", self.current.requests, self.incoming.requests),
            ("服务对象", "人", self.current.residents, self.incoming.residents),
        ):
            if now and then < now * LARGE_DROP_SHARE:
                share = round((now - then) * 100 / now)
                found.append(
                    f"{label}从现在的 {_number(now)} {unit}变为 {_number(then)} {unit}（少了 {share}%）"
                )
        return found

    @property
    def large_drop(self) -> bool:
        return bool(self.drops)

    def comparison(self) -> list[tuple[str, str, str]]:
        """Rows of (what, now, in the backup) for a table on screen or on the terminal."""
        rows = []
        current = self.current
        for label, key in (
            ("镇", "towns"),
            ("村街", "villages"),
            ("服务对象", "residents"),
            ("工单", "requests"),
        ):
            now = _number(getattr(current, key)) if current is not None else "—"
            rows.append((label, now, _number(getattr(self.incoming, key))))
        rows.append(
            (
                "最后修改",
                _when(current.last_change) if current is not None else "—",
                _when(self.incoming.last_change),
            )
        )
        return rows

    def comparison_text(self) -> str:
        width = max(len(label) for label, _n, _b in self.comparison())
        lines = [f"{'':　<{width}}  {'现在的数据库':<14}  备份「{self.backup.name}」"]
        for label, now, then in self.comparison():
            lines.append(f"{label:　<{width}}  {now:<20}  {then}")
        return "\n".join(lines)


def _when(text: str) -> str:
    return text[:16] if text else "（没有记录）"


def restore_plan(db_path: Path, backup_path: Path, key: DatabaseKey | None = None) -> RestorePlan:
    """Look at the backup (fully checked) and at the database it would replace; change nothing.

    Raises:
        ValidationError: the backup is missing, damaged, from a newer program, or not a whole
            database of this program (tables missing, no towns).
    """
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise ValidationError(f"备份文件「{backup_path}」不存在。", field="backup")
    if db_path.exists() and backup_path.resolve() == db_path.resolve():
        raise ValidationError(
            "这就是正在使用的数据库本身，不能用它恢复自己。请选择一个备份文件。", field="backup"
        )
    try:
        incoming = inspect_database(backup_path, check="full", snapshot=True, key=key)
    except EncryptedDatabaseError as exc:
        raise ValidationError(f"「{backup_path.name}」不能用来恢复：{exc.message}", field="backup") from None
    except KnownStoreError:
        raise ValidationError(
            f"「{backup_path.name}」不能用来恢复：它已损坏、没有写完，或不是本程序的数据库。"
            "没有改动现在的数据库。请换一个备份文件。",
            field="backup",
        ) from None
    problem = backup_problem(incoming)
    if problem:
        raise ValidationError(
            f"「{backup_path.name}」不能用来恢复：{problem}没有改动现在的数据库。", field="backup"
        )
    current = None
    if db_path.is_file() and db_path.stat().st_size > 0:
        try:
            current = inspect_database(db_path, check="none", key=key)
        except KnownStoreError as exc:
            log.warning("the database to be replaced cannot be read: %s", exc.message)
    return RestorePlan(backup_path, incoming, current)


def backup_problem(facts: DatabaseFacts) -> str:
    """Why a file cannot serve as a backup of this program's database ("" when it can)."""
    if facts.integrity and facts.integrity != ("ok",):
        return f"文件已损坏（SQLite 完整性检查：{facts.integrity[0]}）。"
    if facts.schema_version > facts.newest_version:
        return "它由更新版本的程序创建，请先升级本程序再恢复。"
    if facts.missing_tables:
        if len(facts.missing_tables) == len(REQUIRED_TABLES):
            return "它不是本程序的数据库，或者是一个没有写完的空文件。"
        return f"它不是完整的本程序数据库（缺少数据表：{'、'.join(facts.missing_tables)}）。"
    if facts.towns == 0:
        return "它里面没有任何镇村数据，不是一个完整的备份。"
    return ""


@dataclass(frozen=True)
class RestoreResult:
    plan: RestorePlan
    safety: Path | None  # the copy of what was replaced (None: there was nothing)


def refuse_large_drop(plan: RestorePlan, force: bool) -> None:
    """Raise the refusal of a restore that would lose many requests or residents, unless ``force``."""
    if plan.large_drop and not force:
        raise ValidationError(
            "这个备份比现在的数据少很多：" + "；".join(plan.drops) + "。为防止误操作，没有恢复。"
            "如果确实要用它恢复，请在命令行加上 --force。",
            field="force",
        )


def restore(
    db_path: Path,
    backup_path: Path,
    *,
    force: bool = False,
    at: datetime | None = None,
    plan: RestorePlan | None = None,
    key: DatabaseKey | None = None,
) -> RestoreResult:
    """Replace the database with ``backup_path``; what it replaces is first kept as a backup.

    Nobody may hold the database open for writing meanwhile (the caller closed its workspace).
    ``plan``: the look the caller has just taken (restore_plan), so the backup is read once.
    ``key``: the database key when the database and the backup are encrypted.

    Raises:
        ValidationError: the backup is not usable (restore_plan), or it would drop many requests or
            residents and ``force`` was not given. Nothing was changed.
    """
    plan = plan or restore_plan(db_path, backup_path, key)
    refuse_large_drop(plan, force)
    safety = None
    if plan.current is not None:
        safety = copy_database(
            db_path, paths.backups_dir(db_path), KIND_BEFORE_RESTORE, at or datetime.now(), key
        )
    store_db.restore_from(Path(backup_path), db_path, key)
    log.info("restored %s from %s (safety copy %s)", db_path, backup_path, safety)
    return RestoreResult(plan, safety)


def describe(facts: DatabaseFacts | None) -> dict[str, Any]:
    """The counts of a database for the audit trail."""
    if facts is None:
        return {}
    return {**counts_of(facts), "last_change": facts.last_change}
