"""Backup and restore as operations: who may, and a line in the audit trail (issues #9, #10).

- ``backup_database``: a copy into any folder (the command line's ``backup -o DIR``); it holds
  everyone's personal data, so it needs Permission.EXPORT_PERSONAL.
- ``auto_backup``: the desk's own copies (daily, on closing, 「立即备份」) into the database's
  backup folder and the second folder an administrator chose. Any signed-in clerk's desk makes
  them: they protect the data and go nowhere the administrator did not choose (Permission.READ).
- ``set_backup_folder``: the second folder (a USB stick) is a setting (Permission.SETTINGS).
- ``restore_database``: Permission.RESTORE; it closes the workspace, replaces the file and
  records the restore in the restored database's audit trail.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from xianghe_desk.domain.access import Actor, Permission, PermissionDeniedError
from xianghe_desk.operations.base import Op, OperationSpec, _record_refusal, operation
from xianghe_desk.services import backups
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.backups import AutoBackupResult, BackupService, RestoreResult
from xianghe_desk.services.workspace import Workspace


@operation("database.backup", "备份数据库", Permission.EXPORT_PERSONAL, kind="backup")
def backup_database(op: Op, out_dir: Path | None = None) -> Path:
    folder = out_dir or backups.paths.backups_dir(op.ws.path)
    target = backups.copy_database(op.ws.path, folder, backups.KIND_MANUAL, op.ws.now(), op.ws.key)
    op.audit(f"备份到 {target}", path=str(target))
    return target


@operation("database.auto_backup", "自动备份数据库", Permission.READ, kind="backup")
def auto_backup(op: Op, kind: str = backups.KIND_AUTO) -> AutoBackupResult:
    """A verified copy in each backup folder, then the rotation (7 daily, 4 weekly, 12 monthly)."""
    result = BackupService(op.ws).backup_now(kind)
    where = "、".join(str(p) for p in result.written)
    op.audit(
        f"{'自动备份' if kind == backups.KIND_AUTO else '备份'}到 {where}"
        + (f"（删除 {len(result.removed)} 个过期的自动备份）" if result.removed else ""),
        paths=[str(p) for p in result.written],
        removed=[p.name for p in result.removed],
        problems=result.problems,
    )
    return result


@operation("database.backup_folder", "设置备份文件夹", Permission.SETTINGS, kind="settings")
def set_backup_folder(op: Op, folder: Path | None) -> Path | None:
    service = BackupService(op.ws)
    before = service.extra_folder()
    chosen = service.set_extra_folder(folder)
    op.audit(
        f"备份文件夹：{chosen}" if chosen else "不再复制备份到第二个文件夹",
        before={"folder": str(before or "")},
        after={"folder": str(chosen or "")},
    )
    op.changes.settings = True
    return chosen


restore_spec = OperationSpec("database.restore", "恢复数据库", Permission.RESTORE, "restore")


def restore_database(
    ws: Workspace, backup_path: Path, *, force: bool = False, at: datetime | None = None
) -> RestoreResult:
    """Replace the database ``ws`` has open with a backup; ``ws`` is closed by this call.

    The one acting must be allowed to restore; the restored database records who restored it
    (its own audit trail goes on from the backup's state, and the replaced content is kept as a
    safety backup whose trail shows everything up to the restore). ``force`` accepts a backup
    with far fewer requests or residents (the clerk has confirmed it twice).
    """
    try:
        ws.who.require(Permission.RESTORE)
    except PermissionDeniedError as exc:
        _record_refusal(ws, restore_spec, exc.message)
        raise
    # Refused before anything closes: a damaged or foreign file, or a large drop without force.
    plan = backups.restore_plan(ws.path, backup_path, ws.key)
    backups.refuse_large_drop(plan, force)
    who, path, clock, key = ws.who, ws.path, ws.clock, ws.key
    ws.close()
    result = backups.restore(path, backup_path, force=force, at=clock(), plan=plan, key=key)
    restored = Workspace.open(
        path, clock=clock, who=Actor(who.name, who.role, who.town_ids, who.village_ids, who.user_id), key=key
    )
    try:
        with restored.atomic():
            safety = result.safety
            AuditService(restored).record(
                "database.restore",
                "restore",
                f"用备份「{Path(backup_path).name}」恢复了数据库"
                + (f"，原数据另存为 {safety.name}" if safety else ""),
                detail={
                    "backup": str(backup_path),
                    "safety": str(safety) if safety else "",
                    "before": backups.describe(result.plan.current),
                    "after": backups.describe(result.plan.incoming),
                    "forced": force,
                },
            )
    finally:
        restored.close()
    return result
