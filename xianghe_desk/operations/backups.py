"""Backup and restore as operations: who may, and a line in the audit trail (issues #9, #10)."""

from __future__ import annotations

from pathlib import Path

from xianghe_desk.domain.access import Actor, Permission
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services import backups
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace


@operation("database.backup", "备份数据库", Permission.EXPORT_PERSONAL, kind="backup")
def backup_database(op: Op, out_dir: Path | None = None) -> Path:
    target = backups.backup(op.ws.path, out_dir)
    op.audit(f"备份到 {target}", path=str(target))
    return target


def restore_database(ws: Workspace, backup_path: Path) -> Path | None:
    """Replace the database ``ws`` has open with a backup; ``ws`` is closed by this call.

    The one acting must be allowed to restore; the restored database records who restored it
    (its own audit trail goes on from the backup's state, and the replaced content is kept as a
    safety backup whose trail shows everything up to the restore).
    """
    ws.who.require(Permission.RESTORE)
    who, path, clock = ws.who, ws.path, ws.clock
    ws.close()
    safety = backups.restore(path, backup_path)
    restored = Workspace.open(path, clock=clock, who=Actor(who.name, who.role, who.town_ids, who.village_ids, who.user_id))
    try:
        with restored.atomic():
            AuditService(restored).record(
                "database.restore",
                "restore",
                f"用备份「{backup_path.name}」恢复了数据库" + (f"，原数据另存为 {safety.name}" if safety else ""),
                detail={"backup": str(backup_path), "safety": str(safety) if safety else ""},
            )
    finally:
        restored.close()
    return safety
