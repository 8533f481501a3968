"""Towns, villages and grids: lookup by the names people type, and edits."""

from __future__ import annotations

from xianghe_desk.domain.access import Actor
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.models import Grid, Town, Village
from xianghe_desk.domain.places import (
    fold_place,
    short_village_name,
    town_aliases,
    village_aliases,
    village_kind,
)
from xianghe_desk.domain.validators import normalize_text
from xianghe_desk.services.workspace import Workspace


class PlaceService:
    """Places of the county. Resolution accepts official names, everyday short forms and codes."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def towns(self) -> list[Town]:
        return self.ws.towns.all()

    def town(self, town_id: int) -> Town | None:
        return self.ws.towns.get(town_id)

    def villages(self, town_id: int | None = None, include_virtual: bool = False) -> list[Village]:
        return self.ws.villages.in_town(town_id, include_virtual=include_virtual)

    def village(self, village_id: int) -> Village | None:
        return self.ws.villages.get(village_id)

    def towns_in_scope(self, who: Actor) -> list[Town]:
        """The towns ``who`` may see: those of their towns, or holding one of their villages."""
        if not who.limited:
            return self.towns()
        village_towns = {v.town_id for v in (self.village(i) for i in who.village_ids) if v is not None}
        return [t for t in self.towns() if t.id in who.town_ids or t.id in village_towns]

    def villages_in_scope(self, who: Actor, town_id: int | None, include_virtual: bool = False) -> list[Village]:
        """The villages of ``town_id`` (None: every town) that ``who`` may see."""
        found = self.villages(town_id, include_virtual=include_virtual)
        return [v for v in found if who.covers(v.town_id, v.id)] if who.limited else found

    def grids(self, village_id: int) -> list[Grid]:
        return self.ws.grids.in_village(village_id)

    def grids_in_town(self, town_id: int | None) -> list[Grid]:
        return self.ws.grids.in_town(town_id)

    def grid(self, grid_id: int) -> Grid | None:
        return self.ws.grids.get(grid_id)

    def resolve_town(self, text: str) -> Town:
        """A town by name (淑阳镇, 淑阳) or statistical code (131024100, or its last three digits)."""
        wanted = fold_place(text)
        for town in self.towns():
            if wanted in (town.code, town.code[-3:]) or wanted in town_aliases(town.name):
                return town
        names = "、".join(t.name for t in self.towns())
        raise NotFoundError(
            f"没有找到镇「{text}」。请填写本县的镇名或统计代码，例如：{names}。", field="town"
        )

    def resolve_village(self, text: str, town: Town | str | None = None) -> Village:
        """A village by official name, everyday form or 12-digit code, within ``town`` if given.

        Some names repeat across towns (刘庄村, 周庄村 …): without a town such a name is refused
        with the towns that have it, so the clerk can say which one is meant.
        """
        wanted = fold_place(text)
        if isinstance(town, str):
            town = self.resolve_town(town)
        if wanted.isdigit() and len(wanted) == 12:
            village = self.ws.villages.by_code(wanted)
            if village is None or (town is not None and village.town_id != town.id):
                raise NotFoundError(f"没有找到统计代码为 {wanted} 的村街。", field="village")
            return village
        candidates = self.villages(town.id if town else None, include_virtual=True)
        exact = [v for v in candidates if wanted in (fold_place(v.name), v.short_name)]
        matches = exact or [v for v in candidates if wanted in village_aliases(v.name)]
        if len(matches) == 1:
            return matches[0]
        where = f"{town.name}" if town else "本县"
        if not matches:
            raise NotFoundError(
                f"{where}没有名为「{text}」的村街。请检查名称是否写错，或先在「村街」中添加。",
                field="village",
            )
        towns = "、".join(sorted({v.town_name for v in matches}))
        if town is None and len({v.town_id for v in matches}) > 1:
            raise ValidationError(f"「{text}」在多个镇都有（{towns}），请同时填写所属镇。", field="village")
        names = "、".join(v.short_name for v in matches)
        raise ValidationError(f"「{text}」可能是指：{names}，请写出完整名称。", field="village")

    def resolve_grid(self, village: Village, text: str) -> Grid:
        grid = self.ws.grids.find(village.id, normalize_text(text))
        if grid is None:
            raise NotFoundError(
                f"{village.short_name}没有名为「{text}」的网格。请检查网格名称或编号。", field="grid"
            )
        return grid

    def add_grid(
        self,
        village_id: int,
        name: str,
        number: str = "",
        head_name: str = "",
        households: int | None = None,
        population: int | None = None,
        party_group: str = "",
    ) -> int:
        name = normalize_text(name)
        if not name:
            raise ValidationError("请填写网格名称。", field="name")
        village = self.village(village_id)
        if village is None:
            raise NotFoundError("所选村街不存在。", field="village")
        if self.ws.grids.find(village_id, name) is not None:
            raise ValidationError(f"{village.short_name}已有名为「{name}」的网格。", field="name")
        with self.ws.atomic():
            return self.ws.grids.add(
                village_id,
                name,
                number=normalize_text(number),
                head_name=normalize_text(head_name),
                households=households,
                population=population,
                party_group=normalize_text(party_group),
            )

    def set_grid_default_member(self, grid_id: int, member_id: int | None) -> None:
        with self.ws.atomic():
            self.ws.grids.update(grid_id, default_member_id=member_id)

    # ---- edits from the desk's 村街 and 网格 screens ----
    def add_village(self, town_id: int, name: str, code: str = "", district: str = "") -> int:
        """Add a village (村街) to a town; its everyday short name and kind follow from the name.

        Raises:
            ValidationError: empty or taken name, a code that is not this town's 12-digit code.
        """
        name = fold_place(normalize_text(name))
        if not name:
            raise ValidationError("请填写村街名称，如「王刘圈村村民委员会」或「王刘圈村」。", field="name")
        if len(name) > 40:
            raise ValidationError(f"村街名称太长（{len(name)} 个字），请核对。", field="name")
        town = self.town(town_id)
        if town is None:
            raise NotFoundError("所选镇不存在，请重新选择。", field="town")
        short = short_village_name(name)
        for village in self.villages(town.id, include_virtual=True):
            if name in (fold_place(village.name), village.short_name) or short == village.short_name:
                raise ValidationError(
                    f"{town.name}已有村街「{village.short_name}」（{village.name}），不能重复添加。",
                    field="name",
                )
        code = normalize_text(code).replace(" ", "")
        if code:
            if not (code.isdigit() and len(code) == 12):
                raise ValidationError(
                    f"统计代码应为 12 位数字（现在是「{code}」），不知道可以不填。", field="code"
                )
            if not code.startswith(town.code):
                raise ValidationError(
                    f"{town.name}的村街统计代码都以 {town.code} 开头，「{code}」不是，请核对。", field="code"
                )
            taken = self.ws.villages.by_code(code)
            if taken is not None:
                raise ValidationError(
                    f"统计代码 {code} 已是{taken.town_name}「{taken.short_name}」的代码，请核对。",
                    field="code",
                )
        with self.ws.atomic():
            return self.ws.villages.add(
                town.id,
                name,
                short,
                code=code or None,
                kind=village_kind(name, code or None),
                district=self._district(district),
            )

    def set_village_district(self, village_id: int, district: str) -> None:
        """Put a village in a 片区 (an empty text takes it out of any)."""
        if self.village(village_id) is None:
            raise NotFoundError("所选村街不存在。", field="village")
        district = self._district(district)
        with self.ws.atomic():
            self.ws.villages.update(village_id, district=district)

    @staticmethod
    def _district(text: str) -> str:
        district = normalize_text(text)
        if len(district) > 30:
            raise ValidationError(
                f"片区名称太长（{len(district)} 个字），请精简到 30 字以内。", field="district"
            )
        return district

    def update_grid(
        self,
        grid_id: int,
        name: str,
        number: str = "",
        head_name: str = "",
        households: int | None = None,
        population: int | None = None,
        party_group: str = "",
        default_member_id: int | None = None,
    ) -> None:
        """Change a grid's particulars and its default handler, in one transaction."""
        grid = self.grid(grid_id)
        if grid is None:
            raise NotFoundError("这个网格已不存在。", field="grid")
        name = normalize_text(name)
        if not name:
            raise ValidationError("请填写网格名称。", field="name")
        if any(g.name == name and g.id != grid_id for g in self.grids(grid.village_id)):
            raise ValidationError(f"{grid.village_name}已有名为「{name}」的网格。", field="name")
        for label, value, field_name in (
            ("户数", households, "households"),
            ("人口数", population, "population"),
        ):
            if value is not None and value < 0:
                raise ValidationError(f"{label}不能是负数。", field=field_name)
        self.check_default_member(grid.village_id, default_member_id)
        with self.ws.atomic():
            self.ws.grids.update(
                grid_id,
                name=name,
                number=normalize_text(number),
                head_name=normalize_text(head_name),
                households=households,
                population=population,
                party_group=normalize_text(party_group),
                default_member_id=default_member_id,
            )

    def check_default_member(self, village_id: int, member_id: int | None) -> None:
        """A grid's default handler must be an active member of the same town."""
        if member_id is None:
            return
        village = self.village(village_id)
        member = self.ws.members.get(member_id)
        if member is None:
            raise NotFoundError("所选默认承办人不存在，请重新选择。", field="default_member")
        if village is not None and member.town_id != village.town_id:
            raise ValidationError(
                f"{member.name}不是{village.town_name}的网格员，不能做这个网格的默认承办人。",
                field="default_member",
            )
        if not member.active:
            raise ValidationError(f"{member.name}已不在岗，请选择在岗的网格员。", field="default_member")
