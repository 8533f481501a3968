"""The month's figures (contract §3) for the actor's scope, and the scope rules printing shares.

A scoped actor asking for a town or village outside their scope is refused; asking for nothing
(no --town, no --village) gives their own scope's figures: a village clerk's village, a town
clerk's town, not the county's. ``stats`` is a read: it leaves no audit row (a refusal does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xianghe_desk.domain.access import Actor, Permission, PermissionDeniedError
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.services.stats import Scope, StatsService
from xianghe_desk.services.workspace import Workspace


def actor_scope(ws: Workspace, town: str | None = None, village: str | None = None) -> Scope:
    """The scope named by ``town`` / ``village`` (names or codes), checked against the actor's;
    without either, the actor's own scope (the county for an unlimited actor).

    Raises:
        PermissionDeniedError: the named town or village is outside the actor's scope, or the
            actor has several villages or towns and named none of them.
    """
    who: Actor = ws.who
    service = StatsService(ws)
    if town or village:
        scope = service.scope(town, village)
        if scope.village is not None:
            who.require_covers(scope.village.town_id, scope.village.id, scope.name)
        elif scope.town is not None:
            _require_town(who, scope)
        return scope
    if who.village_ids:
        if len(who.village_ids) > 1:
            raise PermissionDeniedError(
                f"您负责 {len(who.village_ids)} 个村街，请用 --village 指定要看哪一个。", field="village"
            )
        found = ws.villages.get(next(iter(who.village_ids)))
        if found is None:
            raise PermissionDeniedError("您负责的村街已不存在，请找管理员重新设置账号。", field="village")
        own_town = ws.towns.get(found.town_id)
        return Scope("village", found.short_name, found.code or "", own_town, found)
    if who.town_ids:
        if len(who.town_ids) > 1:
            raise PermissionDeniedError(
                f"您负责 {len(who.town_ids)} 个镇，请用 --town 指定要看哪一个。", field="town"
            )
        own = ws.towns.get(next(iter(who.town_ids)))
        if own is None:
            raise PermissionDeniedError("您负责的镇已不存在，请找管理员重新设置账号。", field="town")
        return service.scope(town=own.code)
    return service.scope()


def _require_town(who: Actor, scope: Scope) -> None:
    assert scope.town is not None
    if who.village_ids:
        raise PermissionDeniedError(
            f"{scope.town.name}（整个镇）不在您负责的范围内（{who.scope_label()}）。"
            "请用 --village 指定您负责的村街。",
            field="scope",
        )
    who.require_covers(scope.town.id, None, scope.town.name)


@operation("stats.month", "查看月度统计", Permission.READ, kind="export", quiet=True)
def month_figures(
    op: Op, month: str, town: str | None = None, village: str | None = None, as_of: datetime | None = None
) -> dict[str, Any]:
    """Contract §3 figures of the month for the named scope, or the actor's own (see above)."""
    scope = actor_scope(op.ws, town, village)
    return StatsService(op.ws).figures(month, scope, as_of)
