"""Repairs of what the program keeps derived from the history (``check --repair``).

``rebuild_kept_facts``: request_facts, the month's figures' kept copy of each request's history
(store/schema_speed.py), again from the history itself (request_events). Nobody ever entered
anything in it, so a rebuild loses nothing; a verified backup is made first all the same (the one
备份 makes: services/backups.copy_database), inside the operation, so a refusal or a failed backup
changes nothing. It rewrites a whole table and re-creates its trigger, so only an administrator
may, with the permission restoring a backup takes (Permission.RESTORE).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from xianghe_desk import paths
from xianghe_desk.domain.access import Permission
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services import backups

# The backup a repair makes first: <db>-修复前-<stamp>.db in the database's backup folder, beside
# the 恢复前 ones; the rotation never deletes it (it only deletes 自动备份).
KIND_BEFORE_REPAIR: Final = "修复前"


@dataclass(frozen=True)
class RepairResult:
    backup: Path  # the verified copy made before anything changed


@operation("database.rebuild_facts", "重建统计汇总", Permission.RESTORE, kind="update")
def rebuild_kept_facts(op: Op, finding: str = "") -> RepairResult:
    """Back the database up, then rebuild request_facts from the history, in one transaction.

    ``finding``: what ``check`` found wrong with it, for the audit trail.

    Raises:
        PermissionDeniedError: the one acting is not an administrator (recorded, nothing changed).
        ValidationError / KnownStoreError: the backup could not be made or read back, or the
            rebuild failed (the disk is full): the transaction is rolled back, nothing changed.
    """
    ws = op.ws
    # The copy reads through a connection of its own (store.db.backup_file): this transaction has
    # not written yet, so the backup holds the database exactly as check found it.
    backup = backups.copy_database(ws.path, paths.backups_dir(ws.path), KIND_BEFORE_REPAIR, ws.now(), ws.key)
    ws.stats.rebuild_kept_facts()
    op.audit(
        f"从办理记录重建了统计汇总（工单和办理记录没有改动），修复前的数据备份为 {backup.name}",
        backup=str(backup),
        finding=finding,
    )
    # The month's figures and the dashboard read the kept facts: every screen showing them refreshes.
    op.changes.all_requests = True
    return RepairResult(backup)
