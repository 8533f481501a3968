"""The audit trail (操作日志): append one row per change, read it back, prove nothing was altered.

Each copy keeps its own chain: row n of a copy carries the hash of row n-1 of that copy
(``prev_hash``) and its own hash over every field. Rows received from a laptop keep their
copy's chain, so the township can verify the laptop's trail too. Triggers refuse UPDATE and
DELETE; the chain catches an edit made by someone who removed the triggers with another tool.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.accounts import AuditEntry, AuditStore
from xianghe_desk.store.db import new_uuid

log = logging.getLogger(__name__)

GENESIS = "0" * 64

KIND_LABELS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "restore": "恢复",
    "purge": "彻底删除",
    "print": "打印",
    "export": "导出",
    "import": "导入",
    "exchange": "数据交换",
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "lock": "锁定",
    "account": "账号",
    "reveal": "查看完整身份证号",
    "read": "查看",
    "refused": "被拒绝",
    "backup": "备份",
    "settings": "设置",
}

_HASHED = ("uuid", "device", "seq", "at", "user_name", "role", "action", "kind", "entity", "entity_uuid",
           "resident_uuid", "summary", "detail")


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The chain hash of one row: SHA-256 over the previous hash and the row's fields."""
    fields = [row[key] if key != "detail" else _detail_text(row[key]) for key in _HASHED]
    payload = json.dumps([prev_hash, fields], ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _detail_text(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class AuditFilter:
    """The 操作日志 page's filters: from ``since`` up to (not including) ``until``, one user, one
    kind, and ``resident_uuids`` (rows about any of these residents; None: no such filter)."""

    since: datetime | None = None
    until: datetime | None = None
    user_name: str | None = None
    kind: str | None = None
    resident_uuids: tuple[str, ...] | None = None


def _stamps(flt: AuditFilter) -> tuple[str | None, str | None]:
    return tuple(  # type: ignore[return-value]
        value.isoformat(sep=" ", timespec="seconds") if value else None for value in (flt.since, flt.until)
    )


class AuditService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.store = AuditStore(ws.db, ws.device.tag)

    def record(
        self,
        action: str,
        kind: str,
        summary: str,
        *,
        entity: str = "",
        entity_uuid: str = "",
        resident_uuid: str = "",
        detail: dict[str, Any] | None = None,
        user_name: str | None = None,
        role: str | None = None,
    ) -> None:
        """Append one row to this copy's chain (inside the caller's transaction).

        A workspace opened read-only (a write-protected USB stick) cannot take the row: it goes
        to the log file instead, and the command line says so when it opens such a file.
        """
        if self.ws.read_only:
            log.info("audit row not written (read-only database %s): %s %s %s", self.ws.path, action, kind, summary)
            return
        device = self.ws.device.tag
        head = self.store.head(device)
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        who = self.ws.who
        row: dict[str, Any] = {
            "uuid": new_uuid(),
            "device": device,
            "seq": seq,
            "at": self.ws.now().isoformat(sep=" ", timespec="seconds"),
            "user_name": user_name if user_name is not None else who.name,
            "role": role if role is not None else (who.role.value if who.has_account else ""),
            "action": action,
            "kind": kind,
            "entity": entity,
            "entity_uuid": entity_uuid,
            "resident_uuid": resident_uuid,
            "summary": summary,
            "detail": _detail_text(detail),
            "prev_hash": prev,
        }
        row["hash"] = row_hash(prev, row)
        self.store.append(row)

    def entries(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        user_name: str | None = None,
        kind: str | None = None,
        resident_uuid: str | None = None,
        entity_uuid: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditEntry]:
        return self.store.list(
            since.isoformat(sep=" ", timespec="seconds") if since else None,
            until.isoformat(sep=" ", timespec="seconds") if until else None,
            user_name,
            kind,
            resident_uuid,
            entity_uuid,
            limit,
            newest_first,
        )

    def user_names(self) -> list[str]:
        return self.store.user_names()

    def page(self, flt: AuditFilter, offset: int = 0, limit: int = 200) -> list[AuditEntry]:
        """One page of the desk's 操作日志, newest first."""
        since, until = _stamps(flt)
        return self.store.list(
            since, until, flt.user_name, flt.kind, limit=limit, newest_first=True, offset=offset,
            resident_uuids=flt.resident_uuids,
        )

    def count(self, flt: AuditFilter) -> int:
        since, until = _stamps(flt)
        return self.store.count_matching(since, until, flt.user_name, flt.kind, flt.resident_uuids)

    def verify(self) -> list[str]:
        """Problems of the audit trail in Chinese: an altered, inserted or removed row, missing triggers."""
        problems: list[str] = []
        if not self.store.triggers_present():
            problems.append("操作日志的防改写保护（触发器）被删除了")
        for device in self.store.devices():
            expected_prev, expected_seq = GENESIS, 1
            for entry in self.store.chain(device):
                row = {key: getattr(entry, key) for key in _HASHED}
                row["at"] = entry.at.isoformat(sep=" ", timespec="seconds")
                if entry.seq != expected_seq:
                    problems.append(f"电脑 {device} 的第 {expected_seq} 条操作日志不见了")
                    expected_seq = entry.seq
                if entry.prev_hash != expected_prev:
                    problems.append(f"电脑 {device} 第 {entry.seq} 条操作日志的前一条被改动或删除")
                if row_hash(entry.prev_hash, row) != entry.hash:
                    problems.append(f"电脑 {device} 第 {entry.seq} 条操作日志（{entry.at:%Y-%m-%d %H:%M}）被改动")
                expected_prev, expected_seq = entry.hash, entry.seq + 1
        return problems
