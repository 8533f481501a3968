"""Grid members and residents (服务对象)."""

from __future__ import annotations

import builtins
from typing import Any

from xianghe_desk.domain.enums import CareTag, Living, MemberKind, MemberRole, Sex
from xianghe_desk.domain.models import Member, Resident
from xianghe_desk.domain.queries import MemberChoice, PersonFilter, SearchKind, read_search
from xianghe_desk.domain.visits import ResidentStatus
from xianghe_desk.store.base import Row, TableStore, d, prefix_range, reverse_digits, scope_clauses
from xianghe_desk.store.schema import PHONE_DIGITS
from xianghe_desk.store.visit_due import state_clause


def tags_text(tags: tuple[CareTag, ...] | builtins.list[CareTag]) -> str:
    """Care tags stored as ``,a,b,`` so that one tag is matched with ``LIKE '%,a,%'``."""
    return "," + ",".join(t.value for t in tags) + "," if tags else ""


def tags_from_text(text: str) -> tuple[CareTag, ...]:
    return tuple(CareTag(t) for t in text.split(",") if t)


def _person_search(alias: str, text: str, with_id: bool) -> tuple[str, list[Any]]:
    """SQL and params matching a person's name, initials, pinyin, phone (or ID number)."""
    search = read_search(text)
    if search.kind is SearchKind.EMPTY:
        return "", []
    q = search.text
    if search.kind is SearchKind.LATIN:
        return (
            f"({prefix_range(alias + '.name_initials')} OR {prefix_range(alias + '.name_pinyin')})",
            [q, q, q, q],
        )
    if search.kind in (SearchKind.DIGITS, SearchKind.NUMBER):
        digits = "".join(ch for ch in q if ch.isdigit() or ch == "X")
        parts = [prefix_range(PHONE_DIGITS.format(alias + ".phone"))]
        params: builtins.list[Any] = [digits, digits]
        if alias == "r":
            parts.append(prefix_range("r.phone_rev"))
            params += [digits[::-1], digits[::-1]]
        if with_id:
            parts.append(prefix_range(alias + ".id_number"))
            params += [digits, digits]
        return "(" + " OR ".join(parts) + ")", params
    return f"instr({alias}.name, ?) > 0", [q]


_MEMBER_SELECT = """
    SELECT m.*, t.name AS town_name, coalesce(v.short_name, '') AS village_name,
           (SELECT group_concat(mg.grid_id) FROM member_grids mg WHERE mg.member_id = m.id) AS grid_ids,
           (SELECT group_concat(g.name, '、') FROM member_grids mg JOIN grids g ON g.id = mg.grid_id
             WHERE mg.member_id = m.id) AS grid_names
    FROM members m JOIN towns t ON t.id = m.town_id LEFT JOIN villages v ON v.id = m.village_id
"""


def _member(row: Row) -> Member:
    grid_ids = tuple(int(x) for x in (row.get("grid_ids") or "").split(",") if x)
    grid_names = tuple(x for x in (row.get("grid_names") or "").split("、") if x)
    return Member(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        town_id=row["town_id"],
        village_id=row["village_id"],
        kind=MemberKind(row["kind"]),
        role=MemberRole(row["role"]),
        is_party=bool(row["is_party"]),
        id_number=row["id_number"],
        active=bool(row["active"]),
        grid_ids=grid_ids,
        town_name=row.get("town_name", ""),
        village_name=row.get("village_name", ""),
        grid_names=grid_names,
        uuid=row["uuid"],
    )


class MemberStore(TableStore):
    def add(self, row: Row, grid_ids: builtins.list[int] | tuple[int, ...] = ()) -> int:
        member_id = self._insert("members", {**row, **self._new_sync()})
        self.set_grids(member_id, grid_ids)
        return member_id

    def update(
        self, member_id: int, changes: Row, grid_ids: builtins.list[int] | tuple[int, ...] | None = None
    ) -> None:
        if changes:
            self._update("members", member_id, changes)
        if grid_ids is not None:
            self.set_grids(member_id, grid_ids)

    def set_grids(self, member_id: int, grid_ids: builtins.list[int] | tuple[int, ...]) -> None:
        self.db.execute("DELETE FROM member_grids WHERE member_id = ?", [member_id])
        stamp = self._touch()
        for grid_id in dict.fromkeys(grid_ids):
            self.db.execute(
                "INSERT INTO member_grids (member_id, grid_id, created_at, device_id) VALUES (?, ?, ?, ?)",
                [member_id, grid_id, stamp["updated_at"], self.device_id],
            )

    def get(self, member_id: int) -> Member | None:
        row = self._one(_MEMBER_SELECT + " WHERE m.id = ?", [member_id])
        return _member(row) if row else None

    def by_phone(self, town_id: int, phone: str) -> Member | None:
        row = self._one(
            _MEMBER_SELECT + " WHERE m.town_id = ? AND m.phone = ? AND m.deleted_at IS NULL", [town_id, phone]
        )
        return _member(row) if row else None

    def find_by_name(self, town_id: int, name: str) -> builtins.list[Member]:
        rows = self._fetch(
            _MEMBER_SELECT + " WHERE m.town_id = ? AND m.name = ? AND m.deleted_at IS NULL", [town_id, name]
        )
        return [_member(r) for r in rows]

    def of_grid(self, grid_id: int) -> builtins.list[Member]:
        rows = self._fetch(
            _MEMBER_SELECT
            + " WHERE m.id IN (SELECT member_id FROM member_grids WHERE grid_id = ?) AND m.deleted_at IS NULL"
            + " ORDER BY m.role <> 'grid_head', m.name_pinyin",
            [grid_id],
        )
        return [_member(r) for r in rows]

    def _where(self, flt: PersonFilter) -> tuple[str, list[Any]]:
        clauses = ["m.deleted_at IS NULL"]
        params: builtins.list[Any] = []
        if flt.town_id is not None:
            clauses.append("m.town_id = ?")
            params.append(flt.town_id)
        if flt.village_id is not None:
            clauses.append("m.village_id = ?")
            params.append(flt.village_id)
        if flt.grid_id is not None:
            clauses.append("m.id IN (SELECT member_id FROM member_grids WHERE grid_id = ?)")
            params.append(flt.grid_id)
        if flt.active_only:
            clauses.append("m.active = 1")
        clauses, params = scope_clauses("m", flt.scope_towns, flt.scope_villages, clauses, params)
        sql, extra = _person_search("m", flt.text, with_id=True)
        if sql:
            clauses.append(sql)
            params += extra
        return " AND ".join(clauses), params

    def list(self, flt: PersonFilter, offset: int = 0, limit: int = 200) -> builtins.list[Member]:
        where, params = self._where(flt)
        rows = self._fetch(
            _MEMBER_SELECT + f" WHERE {where} ORDER BY t.code, m.name_pinyin, m.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_member(r) for r in rows]

    def choices(self, flt: PersonFilter, limit: int = 5000) -> builtins.list[MemberChoice]:
        """The members ``list`` gives, in its order, as names only (1,500 members in a few ms:
        ``list`` reads each one's grids too)."""
        where, params = self._where(flt)
        rows = self.db.execute(
            "SELECT m.id, m.name, t.name FROM members m JOIN towns t ON t.id = m.town_id"
            f" WHERE {where} ORDER BY t.code, m.name_pinyin, m.id LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [MemberChoice(int(i), str(name), str(town)) for i, name, town in rows]

    def count(self, flt: PersonFilter | None = None) -> int:
        where, params = self._where(flt or PersonFilter())
        return int(self._scalar(f"SELECT count(*) FROM members m WHERE {where}", params))

    def completed_counts(self, member_ids: builtins.list[int]) -> dict[int, int]:
        if not member_ids:
            return {}
        marks = ",".join("?" for _ in member_ids)
        rows = self.db.execute(
            f"SELECT handler_id, count(*) FROM requests WHERE handler_id IN ({marks})"
            " AND status IN ('completed', 'closed') GROUP BY handler_id",
            member_ids,
        ).fetchall()
        return {int(a): int(b) for a, b in rows}


_RESIDENT_SELECT = """
    SELECT r.*, t.name AS town_name, v.short_name AS village_name, coalesce(g.name, '') AS grid_name,
           coalesce(m.name, '') AS linked_member_name
    FROM residents r JOIN towns t ON t.id = r.town_id JOIN villages v ON v.id = r.village_id
    LEFT JOIN grids g ON g.id = r.grid_id LEFT JOIN members m ON m.id = r.linked_member_id
"""


def _resident(row: Row) -> Resident:
    return Resident(
        id=row["id"],
        name=row["name"],
        town_id=row["town_id"],
        village_id=row["village_id"],
        id_number=row["id_number"],
        sex=Sex(row["sex"]) if row["sex"] else None,
        birth_date=d(row["birth_date"]),
        phone=row["phone"],
        grid_id=row["grid_id"],
        care_tags=tags_from_text(row["care_tags"]),
        living=Living(row["living"]) if row["living"] else None,
        address=row["address"],
        emergency_name=row["emergency_name"],
        emergency_phone=row["emergency_phone"],
        linked_member_id=row["linked_member_id"],
        note=row["note"],
        town_name=row.get("town_name", ""),
        village_name=row.get("village_name", ""),
        grid_name=row.get("grid_name", ""),
        linked_member_name=row.get("linked_member_name", ""),
        uuid=row["uuid"],
        status=ResidentStatus(row.get("status") or "active"),
        status_since=d(row.get("status_since")),
        status_until=d(row.get("status_until")),
    )


class ResidentStore(TableStore):
    def add(self, row: Row) -> int:
        row = {**row, "phone_rev": reverse_digits(row.get("phone") or "")}
        return self._insert("residents", {**row, **self._new_sync()})

    def update(self, resident_id: int, changes: Row) -> None:
        if "phone" in changes:
            changes = {**changes, "phone_rev": reverse_digits(changes["phone"] or "")}
        self._update("residents", resident_id, changes)

    def get(self, resident_id: int) -> Resident | None:
        row = self._one(_RESIDENT_SELECT + " WHERE r.id = ?", [resident_id])
        return _resident(row) if row else None

    def by_id_number(self, id_number: str) -> Resident | None:
        row = self._one(_RESIDENT_SELECT + " WHERE r.id_number = ?", [id_number])
        return _resident(row) if row else None

    def _where(self, flt: PersonFilter) -> tuple[str, list[Any]]:
        clauses = ["r.deleted_at IS NULL"]
        params: builtins.list[Any] = []
        for column, value in (
            ("r.town_id", flt.town_id),
            ("r.village_id", flt.village_id),
            ("r.grid_id", flt.grid_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if flt.care_tag:
            clauses.append("r.care_tags LIKE ?")
            params.append(f"%,{flt.care_tag},%")
        if flt.status:
            clauses.append("r.status = ?")
            params.append(flt.status)
        if flt.visit_state and flt.visit_refs is not None:
            refs = flt.visit_refs
            sql, extra_params = state_clause(flt.visit_state, dict(refs.intervals), refs.today, refs.week_end)
            clauses.append(sql)
            params += extra_params
        clauses, params = scope_clauses("r", flt.scope_towns, flt.scope_villages, clauses, params)
        sql, extra = _person_search("r", flt.text, with_id=True)
        if sql:
            clauses.append(sql)
            params += extra
        return " AND ".join(clauses), params

    def list(self, flt: PersonFilter, offset: int = 0, limit: int = 200) -> builtins.list[Resident]:
        where, params = self._where(flt)
        rows = self._fetch(
            _RESIDENT_SELECT + f" WHERE {where} ORDER BY r.name_pinyin, r.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_resident(r) for r in rows]

    def count(self, flt: PersonFilter | None = None) -> int:
        where, params = self._where(flt or PersonFilter())
        return int(self._scalar(f"SELECT count(*) FROM residents r WHERE {where}", params))
