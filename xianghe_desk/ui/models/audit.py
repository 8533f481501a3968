"""The 操作日志 list: audit rows page by page, newest first."""

from __future__ import annotations

from typing import Any

from xianghe_desk.domain.access import Role as AccountRole

# The UI may not import the store; services.audit hands its AuditEntry on.
from xianghe_desk.services.audit import KIND_LABELS, AuditEntry, AuditFilter
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.models.base import Column, PagedTableModel

ROLE_LABELS = {role.value: role.label for role in AccountRole}

AUDIT_COLUMNS: list[Column[AuditEntry]] = [
    Column("at", "时间", lambda e: f"{e.at:%Y-%m-%d %H:%M:%S}", width=150, sortable=False),
    Column("user", "账号", lambda e: e.user_name, width=80, sortable=False),
    Column("role", "角色", lambda e: ROLE_LABELS.get(e.role, e.role), width=80, sortable=False),
    Column("kind", "类别", lambda e: KIND_LABELS.get(e.kind, e.kind), width=90, sortable=False),
    Column(
        "summary", "做了什么", lambda e: e.summary, width=520, sortable=False, tooltip=lambda e: e.summary
    ),
    Column("device", "电脑", lambda e: e.device, width=60, sortable=False),
]


class AuditTableModel(PagedTableModel[AuditEntry]):
    """Audit rows matching ``flt``, newest first, fetched 200 at a time (a trail of a million rows
    never loads whole)."""

    columns = AUDIT_COLUMNS

    def __init__(self, ctx: DeskContext, parent: Any = None, page_size: int = 200) -> None:
        super().__init__(parent, page_size)
        self.ctx = ctx
        self.flt = AuditFilter()

    def set_filter(self, flt: AuditFilter) -> None:
        self.flt = flt
        self.reload()

    def _fetch(self, offset: int, limit: int) -> list[AuditEntry]:
        return self.ctx.audit.page(self.flt, offset, limit)

    def _count(self) -> int:
        return self.ctx.audit.count(self.flt)
