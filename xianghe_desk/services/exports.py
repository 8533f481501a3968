"""Spreadsheet exports and templates (contract §2): the same columns the import reads, so a
sheet exported from one copy imports into another and changes nothing in its own."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from xianghe_desk import paths
from xianghe_desk.domain.access import mask_id_number, mask_phone
from xianghe_desk.domain.enums import CareTag
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.figures import month_bounds, parse_month
from xianghe_desk.domain.places import short_village_name
from xianghe_desk.domain.queries import F, PersonFilter, RequestFilter, Sort, within_scope
from xianghe_desk.fileio import atomic_output
from xianghe_desk.services.import_lookups import MemberLookup
from xianghe_desk.services.imports import check_kind
from xianghe_desk.services.setup import CATEGORIES, CHANNELS, METHODS
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets.columns import Choices, spec_for
from xianghe_desk.sheets.templates import write_template
from xianghe_desk.sheets.writer import saving, write_sheet

Progress = Callable[[int, int], None]
Check = Callable[[], None]
ALL = 10**9  # exports read every row in one query


def reference_choices() -> Choices:
    """Drop-down lists from the shipped reference data, for a template made without a database."""
    towns: dict[str, None] = {}
    villages: dict[str, None] = {}
    with paths.divisions_csv().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            towns[row["town_name"]] = None
            villages[short_village_name(row["village_name"])] = None
    return Choices(
        towns=tuple(towns),
        villages=tuple(villages),
        channels=tuple(name for _code, name in CHANNELS),
        categories=tuple(name for _group, _code, name in CATEGORIES),
        methods=tuple(name for _code, name in METHODS),
    )


def write_reference_template(kind: str, path: Path | str) -> Path:
    """The template of ``kind`` with the county's shipped towns, villages and default lists."""
    with saving(path), atomic_output(Path(path), ".xlsx") as temp:
        write_template(temp, spec_for(check_kind(kind)), reference_choices())
    return Path(path)


def _label(value: Any) -> str:
    return str(getattr(value, "label", "")) if value is not None else ""


def _yes(value: bool) -> str:
    return "是" if value else "否"


class ExportService:
    """Templates and exports drawn from one database.

    An export holds only the rows of the actor's scope (``ws.who``: a town clerk's export has
    their towns only). With ``masked`` the ID numbers and phones are written masked
    (131024********1234, 138****8000), as the export operation does unless asked for ``--full``.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.masked = False

    def _id(self, number: str | None) -> str:
        return mask_id_number(number) if self.masked else (number or "")

    def _phone(self, phone: str | None) -> str:
        return mask_phone(phone) if self.masked else (phone or "")

    def _covers(self, town_id: int | None, village_id: int | None) -> bool:
        return self.ws.who.covers(town_id, village_id)

    def _scoped(self, flt: F) -> F:
        """The query limited to the actor's towns or villages (applied in the store's SQL)."""
        return within_scope(flt, self.ws.who.town_ids, self.ws.who.village_ids)

    def choices(self) -> Choices:
        """The drop-down lists of this database: its towns, villages, grids and settings' lists."""
        ws = self.ws
        return Choices(
            towns=tuple(t.name for t in ws.towns.all()),
            villages=tuple(
                dict.fromkeys(v.short_name for v in ws.villages.in_town(None, include_virtual=True))
            ),
            grids=tuple(dict.fromkeys(g.name for g in ws.grids.in_town(None))),
            channels=tuple(i.name for i in ws.lookups.all("channel")),
            categories=tuple(i.name for i in ws.lookups.all("category")),
            methods=tuple(i.name for i in ws.lookups.all("method")),
        )

    def template(self, kind: str, path: Path | str) -> Path:
        with saving(path), atomic_output(Path(path), ".xlsx") as temp:
            write_template(temp, spec_for(check_kind(kind)), self.choices())
        return Path(path)

    def export(
        self,
        kind: str,
        path: Path | str,
        month: str | None = None,
        progress: Progress | None = None,
        check_cancelled: Check | None = None,
        masked: bool = False,
    ) -> int:
        """Write every record of ``kind`` in the actor's scope (requests: optionally one month's)
        to ``path``; returns the count."""
        check_kind(kind)
        if month is not None and kind != "requests":
            raise ValidationError(
                "只有服务工单（requests）可以按月份导出，其他表格导出全部记录。", field="month"
            )
        self.masked = masked
        try:
            rows = list(self.rows(kind, month))
        finally:
            self.masked = False
        # Written beside ``path`` and renamed when whole: a full disk or 「取消」 leaves no half file.
        with saving(path), atomic_output(Path(path), ".xlsx") as temp:
            return write_sheet(temp, spec_for(kind), rows, self.choices(), len(rows), progress, check_cancelled)

    def rows(self, kind: str, month: str | None = None) -> Iterator[list[Any]]:
        """The export's rows for ``kind``, values in the spec's column order."""
        check_kind(kind)
        producer = {
            "villages": self._villages,
            "grids": self._grids,
            "members": self._members,
            "residents": self._residents,
            "requests": lambda: self._requests(month),
        }[kind]
        return producer()  # type: ignore[no-any-return]

    def _villages(self) -> Iterator[list[Any]]:
        for village in self.ws.villages.in_town(None, include_virtual=True):
            if self._covers(village.town_id, village.id):
                yield [village.town_name, village.name, village.code or "", village.district]

    def _grids(self) -> Iterator[list[Any]]:
        for grid in self.ws.grids.in_town(None):
            if not self._covers(grid.town_id, grid.village_id):
                continue
            yield [
                grid.town_name,
                grid.village_name,
                grid.name,
                grid.number,
                grid.head_name,
                grid.households,
                grid.population,
                grid.party_group,
            ]

    def _members(self) -> Iterator[list[Any]]:
        for member in self.ws.members.list(self._scoped(PersonFilter()), 0, ALL):
            yield [
                member.name,
                self._phone(member.phone),
                member.town_name,
                member.village_name,
                "、".join(member.grid_names),
                member.kind.label,
                member.role.label,
                _yes(member.is_party),
                self._id(member.id_number),
                _yes(member.active),
            ]

    def _residents(self) -> Iterator[list[Any]]:
        members = MemberLookup(self.ws, masked=self.masked)
        order = list(CareTag)
        for person in self.ws.residents.list(self._scoped(PersonFilter()), 0, ALL):
            yield [
                person.name,
                person.town_name,
                person.village_name,
                self._id(person.id_number),
                _label(person.sex),
                person.birth_date,
                self._phone(person.phone),
                person.grid_name,
                "、".join(t.label for t in sorted(person.care_tags, key=order.index)),
                _label(person.living),
                person.address,
                person.emergency_name,
                self._phone(person.emergency_phone),
                members.display(person.linked_member_id),
                person.note,
            ]

    def _requests(self, month: str | None) -> Iterator[list[Any]]:
        flt = RequestFilter()
        if month is not None:
            try:
                month = parse_month(month)
            except ValueError:
                raise ValidationError(
                    f"月份「{month}」看不懂，请写成 2026-11 这样的形式。", field="month"
                ) from None
            start, end = month_bounds(month)
            flt = RequestFilter(received_from=start.date(), received_to=(end - timedelta(days=1)).date())
        members = MemberLookup(self.ws, masked=self.masked)
        requests = self.ws.requests.list(
            self._scoped(flt), Sort("received_at", descending=False), self.ws.now(), 0, ALL
        )
        for r in requests:
            yield [
                r.received_at,
                r.channel_name,
                r.category_name,
                r.content,
                r.town_name,
                r.village_name,
                r.number,
                r.external_number,
                r.urgency.label,
                r.person_name,
                self._id(r.person_id_number),
                self._phone(r.person_phone),
                r.grid_name,
                members.display(r.handler_id),
                r.status.label,
                r.dispatched_at,
                r.completed_at,
                r.method_name if r.method else "",
                r.result,
                r.feedback_at,
                _label(r.feedback_route),
                _label(r.satisfaction),
            ]
