"""Reading the audit trail is itself recorded: who looked at who did what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from xianghe_desk.domain.access import Permission, Role
from xianghe_desk.fileio import atomic_output
from xianghe_desk.operations.base import Op, Progress, operation
from xianghe_desk.services.audit import KIND_LABELS, AuditFilter, AuditService
from xianghe_desk.store.accounts import AuditEntry


@operation("audit.read", "查看操作日志", Permission.AUDIT, kind="export")
def read_audit_trail(
    op: Op, since: datetime | None = None, user_name: str | None = None, kind: str | None = None
) -> list[AuditEntry]:
    entries = AuditService(op.ws).entries(since=since, user_name=user_name, kind=kind)
    op.audit(f"查看了操作日志（{len(entries)} 条）", since=str(since or ""), user=user_name or "")
    return entries


@operation("audit.view", "查看操作日志", Permission.AUDIT, kind="read")
def view_audit_trail(op: Op, shown: str = "") -> int:
    """The desk's 操作日志 page was opened (its pages are read through AuditService). Returns how
    many rows the trail holds."""
    total = AuditService(op.ws).count(AuditFilter())
    op.audit(f"打开了操作日志（共 {total} 条）" + (f"：{shown}" if shown else ""))
    return total


def describe_filter(flt: AuditFilter, resident_text: str = "") -> list[str]:
    """The filters of an export, in words for the sheet's 说明 and the audit row."""
    parts = []
    if flt.since or flt.until:
        start = f"{flt.since:%Y-%m-%d}" if flt.since else "最早"
        end = f"{flt.until - timedelta(days=1):%Y-%m-%d}" if flt.until else "现在"
        parts.append(f"日期：{start} 至 {end}")
    if flt.user_name:
        parts.append(f"账号：{flt.user_name}")
    if flt.kind:
        parts.append(f"类别：{KIND_LABELS.get(flt.kind, flt.kind)}")
    if resident_text:
        parts.append(f"服务对象：{resident_text}")
    return parts or ["全部操作日志"]


@operation("audit.export", "导出操作日志", Permission.AUDIT, kind="export")
def export_audit_trail(
    op: Op, flt: AuditFilter, path: Path, resident_text: str = "", progress: Progress | None = None
) -> int:
    """The rows the 操作日志 page shows (its filters), newest first, as an .xlsx (sheets/)."""
    from xianghe_desk.sheets.audit_xlsx import write_audit_trail

    service = AuditService(op.ws)
    total = service.count(flt)
    roles = {role.value: role.label for role in Role}
    filters = describe_filter(flt, resident_text)

    def rows() -> Iterator[tuple[datetime, str, str, str, str, str, str]]:
        offset = 0
        while True:
            batch = service.page(flt, offset, 1000)
            if progress is not None:
                progress.check_cancelled()
            for e in batch:
                yield (e.at, e.user_name, roles.get(e.role, e.role), KIND_LABELS.get(e.kind, e.kind), e.action,
                       e.summary, e.device)
            if len(batch) < 1000:
                return
            offset += 1000

    with atomic_output(path, ".xlsx") as temp:
        count = write_audit_trail(
            temp,
            f"{op.ws.title()} 操作日志（{op.ws.now():%Y-%m-%d %H:%M} 导出，{op.who.name}）",
            filters,
            rows(),
            total,
            progress.report if progress is not None else None,
        )
    op.audit(f"导出操作日志 {count} 条（{'；'.join(filters)}）：{path.name}", rows=count, file=path.name,
             filters=filters)
    return count
