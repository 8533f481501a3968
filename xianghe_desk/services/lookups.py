"""The editable lists (来源渠道, 问题类别, 办理方式) as forms and filter bars show them."""

from __future__ import annotations

from xianghe_desk.domain.enums import CategoryGroup, LookupKind
from xianghe_desk.domain.models import LookupItem
from xianghe_desk.services.workspace import Workspace


class LookupService:
    """Read access to the lookup lists; the settings screen edits them."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def items(self, kind: LookupKind | str, include_inactive: bool = False) -> list[LookupItem]:
        """The list's entries in their configured order (inactive ones only when asked)."""
        return self.ws.lookups.all(str(kind), include_inactive=include_inactive)

    def channels(self) -> list[LookupItem]:
        return self.items(LookupKind.CHANNEL)

    def categories(self) -> list[LookupItem]:
        return self.items(LookupKind.CATEGORY)

    def methods(self) -> list[LookupItem]:
        return self.items(LookupKind.METHOD)

    def name(self, kind: LookupKind | str, code: str | None) -> str:
        """The Chinese name of ``code`` (the code itself when the entry was removed)."""
        if not code:
            return ""
        item = self.ws.lookups.get(str(kind), code)
        return item.name if item else code

    @staticmethod
    def group_label(group_code: str) -> str:
        """代办服务 / 上门服务 / 治理诉求 for a category's group code."""
        try:
            return CategoryGroup(group_code).label
        except ValueError:
            return group_code or CategoryGroup.OTHER.label
