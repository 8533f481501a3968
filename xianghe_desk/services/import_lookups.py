"""Look-ups shared by the spreadsheet imports and exports: grid members named in a cell
(承办人, 联系党员) and the settings' lists (来源渠道, 问题类别, 办理方式) by name or code."""

from __future__ import annotations

import re
from typing import Final

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.access import is_masked, mask_phone
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.models import Member, Town
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.import_rows import Cells
from xianghe_desk.services.workspace import Workspace

# 姓名（13812345678）, 姓名 13812345678, and the masked form an export writes: 姓名（138****8000）.
_NAME_WITH_PHONE: Final = re.compile(r"^(.+?)\s*[（(]\s*([0-9*+\- ]{7,})\s*[)）]$|^(.+?)\s+([0-9*+\-]{7,})$")


class MemberLookup:
    """Members named in a cell (承办人, 联系党员): 姓名, 姓名（手机号） or a phone number."""

    def __init__(self, ws: Workspace, masked: bool = False) -> None:
        self.ws = ws
        self.masked = masked  # display(): phones as an export without --full shows them
        self._members: list[Member] | None = None
        self._by_id: dict[int, Member] | None = None
        self._name_counts: dict[str, int] = {}

    def _all(self) -> list[Member]:
        if self._members is None:
            self._members = self.ws.members.list(PersonFilter(), 0, 10**9)
        return self._members

    def resolve(self, text: str, town: Town | None) -> Member:
        match = _NAME_WITH_PHONE.match(text)
        name, phone = text, ""
        if match:
            name, phone = (match.group(1) or match.group(3)).strip(), (match.group(2) or match.group(4))
        elif re.fullmatch(r"[0-9+\- ]{7,}", text):
            name, phone = "", text
        members = self._all()
        if phone and is_masked(phone):
            # A sheet exported with masked phones: the name and the visible digits must agree.
            wanted = phone.replace(" ", "")
            found = [m for m in members if m.name == name and mask_phone(m.phone) == wanted]
        elif phone:
            try:
                phone = v.normalize_phone(phone)
            except ValidationError as exc:
                raise ValidationError(f"「{text}」里的电话不对：{exc.message}") from None
            found = [m for m in members if m.phone == phone and (not name or m.name == name)]
        else:
            found = [m for m in members if m.name == name]
        if len(found) > 1 and town is not None:
            found = [m for m in found if m.town_id == town.id] or found
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(
                f"网格员名单里没有「{text}」。请先导入或添加这位网格员，或检查姓名是否写错。"
            )
        shown = mask_phone(found[0].phone) if self.masked else found[0].phone
        raise ValidationError(
            f"网格员名单里有 {len(found)} 位「{name}」，请写成「姓名（手机号）」，如「{name}（{shown}）」。"
        )

    def display(self, member_id: int | None) -> str:
        """How an export names a member: the name, with the phone when the name is not unique."""
        if member_id is None:
            return ""
        if self._by_id is None:
            self._by_id = {m.id: m for m in self._all()}
            self._name_counts = {}
            for m in self._all():
                self._name_counts[m.name] = self._name_counts.get(m.name, 0) + 1
        member = self._by_id.get(member_id)
        if member is None:
            return ""
        if self._name_counts.get(member.name, 0) > 1:
            phone = mask_phone(member.phone) if self.masked else member.phone
            return f"{member.name}（{phone}）"
        return member.name


class LookupNames:
    """Channels, categories and handling methods by name or code (inactive ones too: old sheets)."""

    def __init__(self, ws: Workspace, kind: str, label: str) -> None:
        self.kind = kind
        self.label = label
        items = ws.lookups.all(kind, include_inactive=True)
        self.items = items
        self.codes: dict[str, str] = {}
        for item in items:
            self.codes[item.name] = item.code
            self.codes[item.code] = item.code
            self.codes[item.name.replace(" ", "")] = item.code
        self.names = {item.code: item.name for item in items}
        self.groups = {item.code: item.group_code for item in items}
        self.active = [item.name for item in items if item.active]

    def code(self, cells: Cells, column: str, required: bool = False) -> str:
        text = cells.text(column, required=required)
        if not text:
            return ""
        folded = text.replace(" ", "")
        code = self.codes.get(folded)
        if code is None and self.kind == "channel" and "12345" in folded:
            code = self.codes.get("hotline_12345")
        if code is None:
            cells.refuse(
                column,
                f"「{text}」不是可选的{self.label}。请从下拉列表中选择，可选：{'、'.join(self.active)}。",
            )
            return ""
        return code
