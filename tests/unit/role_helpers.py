"""Shared by the test_operations_* files: sign in as a demo role, find villages in and out of scope.

The demo database has one account per role (services/accounts.seed_demo_accounts): admin, zhen
(镇级文员 of the demo's town), cun (村级录入员 of one village of it), lingdao (领导查看).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xianghe_desk.domain.access import PermissionDeniedError
from xianghe_desk.domain.models import Village
from xianghe_desk.services.accounts import DEMO_PASSWORD, AccountService
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.accounts import AuditEntry

ROLES = ("admin", "zhen", "cun", "lingdao")
ROLE_LABELS = {"admin": "管理员", "zhen": "镇级文员", "cun": "村级录入员", "lingdao": "领导查看"}


def sign_in(ws: Workspace, name: str) -> Workspace:
    AccountService(ws).sign_in(name, DEMO_PASSWORD)
    return ws


def own_village(ws: Workspace) -> Village:
    """The village clerk's (cun's) village."""
    cun = ws.users.by_name("cun")
    assert cun is not None
    village = ws.villages.get(next(iter(cun.village_ids)))
    assert village is not None
    return village


def other_village(ws: Workspace) -> Village:
    """Another village of the same town: in the town clerk's scope, not in the village clerk's."""
    own = own_village(ws)
    return next(v for v in ws.villages.in_town(own.town_id, include_virtual=False) if v.id != own.id)


def other_town_village(ws: Workspace) -> Village:
    """A village of another town: outside both the town clerk's and the village clerk's scope."""
    own = own_village(ws)
    return next(v for v in ws.villages.in_town(None, include_virtual=False) if v.town_id != own.town_id)


def audit_rows(ws: Workspace, action: str, kind: str | None = None) -> list[AuditEntry]:
    return [e for e in AuditService(ws).entries(kind=kind) if e.action == action]


def refused(attempt: Callable[[], Any], *texts: str) -> PermissionDeniedError:
    """Run ``attempt``; it must be refused with a Chinese message containing ``texts``."""
    with pytest.raises(PermissionDeniedError) as caught:
        attempt()
    message = caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    for text in texts:
        assert text in message, message
    return caught.value
