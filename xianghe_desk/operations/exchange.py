"""Exchange packages as operations: register a laptop, join, export and import (Permission.EXCHANGE).

The signed-in user must belong to the package's villages (issue #9 §3): a village clerk of
village A can neither export nor import a package whose scope is village B, a town clerk only
packages of their towns' villages; an administrator any. A package without a village scope (the
township and the county) holds everything this copy has, so only an actor whose scope is the
whole of it may make or read one. The check runs before anything is written or sealed.
"""

from __future__ import annotations

from pathlib import Path

from xianghe_desk.domain.access import Actor, Permission, PermissionDeniedError
from xianghe_desk.domain.models import Village
from xianghe_desk.operations.base import Op, Progress, operation
from xianghe_desk.services.exchange import (
    TABLE_LABELS,
    ExchangeService,
    ExportResult,
    ImportResult,
    Registration,
)
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.exchange import Peer


def _require_villages(who: Actor, villages: list[Village], what: str) -> None:
    for village in villages:
        who.require_covers(village.town_id, village.id, f"{what}所属的{village.short_name}")


def _require_package_scope(ws: Workspace, service: ExchangeService, peer: Peer, what: str) -> None:
    who = ws.who
    if not who.limited:
        return
    villages = service.package_villages(peer)
    if villages is None:
        home = ws.home_town_id()
        if who.village_ids or home is None or home not in who.town_ids:
            raise PermissionDeniedError(
                f"{what}包含本机的全部数据，超出了您负责的范围（{who.scope_label()}）。请由管理员处理。",
                field="scope",
            )
        return
    if not villages:
        raise PermissionDeniedError(
            f"本机找不到{what}对应的村街，无法确认它在您负责的范围内。请由管理员处理。", field="scope"
        )
    _require_villages(who, villages, what)


def _counts_text(counts: dict[str, int]) -> str:
    return "、".join(f"{TABLE_LABELS.get(t, t)} {n}" for t, n in counts.items() if n)


@operation("exchange.register_device", "登记村电脑", Permission.EXCHANGE, kind="exchange")
def register_device(op: Op, name: str, village: str, town: str | None, out: Path | str) -> Registration:
    service = ExchangeService(op.ws)
    # Before the key file exists: a laptop for villages outside the actor's scope is refused.
    _require_villages(op.who, service.resolve_villages(village, town), f"电脑「{name}」")
    done = service.register_device(name, village, town, out)
    op.audit(
        f"登记村电脑「{done.name}」（{done.tag}），负责：{'、'.join(done.villages)}",
        entity="device",
        device=done.tag,
        villages=list(done.villages),
    )
    return done


@operation("exchange.join", "加入数据交换", Permission.EXCHANGE, kind="exchange")
def join(op: Op, keyfile: Path | str) -> Peer:
    service = ExchangeService(op.ws)
    if op.who.limited:
        villages, unknown = service.registration_villages(keyfile)
        if unknown:
            raise PermissionDeniedError(
                f"本机没有登记文件里的村街（{'、'.join(unknown)}），无法确认在您负责的范围内。请由管理员加入。",
                field="scope",
            )
        _require_villages(op.who, villages, "登记文件")
    peer = service.join(keyfile)
    op.audit(
        f"本机加入数据交换：设备编号 {op.ws.device.tag}，对方「{peer.name}」（{peer.tag}）",
        entity="device",
        device=op.ws.device.tag,
        peer=peer.tag,
    )
    op.changes.exchange = True
    return peer


@operation("exchange.export", "导出数据包", Permission.EXCHANGE, kind="exchange")
def export_package(op: Op, device: str, out: Path | str, progress: Progress | None = None) -> ExportResult:
    service = ExchangeService(op.ws)
    done = service.export_package(
        device,
        out,
        progress,
        authorize=lambda peer: _require_package_scope(op.ws, service, peer, "这个数据包"),
    )
    parts = _counts_text(done.counts)
    op.audit(
        f"为「{done.peer_name}」导出数据包 {done.package_id[:8]}：{done.changes} 条变动"
        + (f"（{parts}）" if parts else ""),
        package=done.package_id,
        peer=done.peer_name,
        changes=done.changes,
        counts=done.counts,
        conflicts=done.conflicts,
        file=Path(done.path).name,
    )
    return done


@operation("exchange.import", "导入数据包", Permission.EXCHANGE, kind="exchange")
def import_package(op: Op, path: Path | str, progress: Progress | None = None) -> ImportResult:
    service = ExchangeService(op.ws)
    done = service.import_package(
        path, progress, authorize=lambda peer: _require_package_scope(op.ws, service, peer, "这个数据包")
    )
    parts = _counts_text(done.counts)
    op.audit(
        f"导入来自{done.sender}的数据包 {done.package_id[:8]}：新写入 {done.applied} 条"
        + (f"（{parts}）" if parts else "")
        + (f"，{done.new_conflicts} 处冲突" if done.new_conflicts else ""),
        package=done.package_id,
        sender=done.sender,
        received=done.received,
        applied=done.applied,
        known=done.known,
        counts=done.counts,
        conflicts=done.new_conflicts,
        merged=done.merged,
        already_imported=done.already_imported,
        file=Path(path).name,
    )
    op.changes.exchange = True
    return done
