"""Reading the audit trail is itself recorded: who looked at who did what."""

from __future__ import annotations

from datetime import datetime

from xianghe_desk.domain.access import Permission
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.audit import AuditService
from xianghe_desk.store.accounts import AuditEntry


@operation("audit.read", "查看操作日志", Permission.AUDIT, kind="export")
def read_audit_trail(
    op: Op, since: datetime | None = None, user_name: str | None = None, kind: str | None = None
) -> list[AuditEntry]:
    entries = AuditService(op.ws).entries(since=since, user_name=user_name, kind=kind)
    op.audit(f"查看了操作日志（{len(entries)} 条）", since=str(since or ""), user=user_name or "")
    return entries
