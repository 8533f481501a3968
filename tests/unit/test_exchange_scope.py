"""What the township sends a newly registered village laptop: its villages and every row they refer to."""

from __future__ import annotations

from pathlib import Path

from xianghe_desk.domain.drafts import MemberDraft, RequestDraft, ResidentDraft
from xianghe_desk.services.exchange import ExchangeService
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.exchange import MEMBER_GRIDS_UNIT, SyncStore

# References between the rows a laptop holds (column in the snapshot -> referenced table).
REFERENCES = {
    "grids": {"default_member_id": "members"},
    "members": {MEMBER_GRIDS_UNIT: "grids"},
    "residents": {"grid_id": "grids", "linked_member_id": "members"},
    "requests": {"grid_id": "grids", "resident_id": "residents", "lifecycle.handler_id": "members"},
}


def _villages_with_grids(ws: Workspace, count: int) -> list[tuple[int, str, list[int]]]:
    """(village id, name, grid ids) of the first villages of the demo town that have grids."""
    rows = ws.db.execute(
        "SELECT v.id, v.name, group_concat(g.id) FROM villages v JOIN grids g ON g.village_id = v.id"
        " GROUP BY v.id ORDER BY v.id LIMIT ?",
        [count],
    ).fetchall()
    assert len(rows) == count, "the small demo has fewer villages with grids than this test needs"
    return [(int(v), str(n), [int(g) for g in str(gs).split(",")]) for v, n, gs in rows]


def _member(ws: Workspace, name: str, phone: str, village_id: int, grids: tuple[int, ...]) -> int:
    village = PlaceService(ws).village(village_id)
    assert village is not None
    return MemberService(ws).add(MemberDraft(name, phone, village.town_id, village_id, grid_ids=grids)).id


def _value(row: dict, column: str):
    """A column of a snapshot row; ``group.column`` for a column inside a unit merged as one value."""
    for part in column.split("."):
        row = row[part]
    return row


def _references(column: str, value) -> list[str]:
    if value is None:
        return []
    return list(value) if column == MEMBER_GRIDS_UNIT else [value]


def test_first_package_holds_every_row_the_laptops_rows_refer_to(demo_ws: Workspace, tmp_path: Path):
    town = demo_ws
    (a, a_name, a_grids), (_b, _, b_grids), (c, _, c_grids), (d, _, d_grids), (e, _, e_grids) = (
        _villages_with_grids(town, 5)
    )
    # A member of village A who also serves a grid of village B (member_grids across villages);
    # that grid's default handler lives in village C and serves a grid there too.
    _member(town, "跨村甲", "13700000001", a, (a_grids[0], b_grids[0]))
    chained = _member(town, "跨村乙", "13700000002", c, (c_grids[0],))
    PlaceService(town).set_grid_default_member(b_grids[0], chained)
    # A resident of A looked after by a member of village D; a request of A handled by a member of E.
    linked = _member(town, "跨村丙", "13700000003", d, (d_grids[0],))
    handler = _member(town, "跨村丁", "13700000004", e, (e_grids[0],))
    resident = ResidentService(town).add(
        ResidentDraft("跨村老人", a, phone="13900000005", grid_id=a_grids[0], linked_member_id=linked)
    )
    RequestService(town).register(
        RequestDraft("phone", "repairs", "院墙倒了，请来看看", a, resident_id=resident.id),
        handler_id=handler,
    )

    service = ExchangeService(town)
    service.register_device("跨村测试电脑", a_name, None, tmp_path / "key.json")
    with Workspace.open(tmp_path / "laptop.db", actor="录入员") as laptop:
        ExchangeService(laptop).join(tmp_path / "key.json")
        service.export_package(laptop.device.tag, tmp_path / "p1.xhpkg")
        result = ExchangeService(laptop).import_package(tmp_path / "p1.xhpkg")

        assert result.pending == 0
        assert "下次交换时会自动补齐" not in result.summary()
        log = SyncStore(laptop.db)
        assert log.pending_count() == 0 and log.pending_rows() == []
        held = log.snapshot()
        at_town = SyncStore(town.db).snapshot()
        for table, columns in REFERENCES.items():
            for uuid, row in held[table].items():
                # Every row arrived as the township has it (a member's whole list of grids included) ...
                assert {c: _value(row, c) for c in columns} == {
                    c: _value(at_town[table][uuid], c) for c in columns
                }
                # ... and whatever it refers to is on the laptop too.
                for column, target in columns.items():
                    for ref in _references(column, _value(row, column)):
                        assert ref in held[target], f"{table}.{column} → {target} {ref} missing"

    # The chain was followed: grids of B, C, D and E came along, and the people serving them.
    for grid in (b_grids[0], c_grids[0], d_grids[0], e_grids[0]):
        assert town.grids.get(grid).uuid in held["grids"]
    # Only the referenced rows, not whole other villages: a row of another village is on the
    # laptop because a row there refers to it (or, for a member, because it serves the laptop's grids).
    own_grids = {town.grids.get(g).uuid for g in a_grids}
    referred: dict[str, set[str]] = {t: set() for t in REFERENCES}
    for table, columns in REFERENCES.items():
        for row in held[table].values():
            for column, target in columns.items():
                referred[target].update(_references(column, _value(row, column)))
    home = held["grids"][town.grids.get(a_grids[0]).uuid]["village_id"]  # village A's uuid on the laptop
    for table in ("grids", "residents"):
        foreign = {u for u, row in held[table].items() if row["village_id"] != home}
        assert foreign <= referred[table], table
        assert foreign or table == "residents"
    for uuid, row in held["members"].items():
        if row["village_id"] not in (home, None):
            assert uuid in referred["members"] or own_grids & set(row[MEMBER_GRIDS_UNIT]), row["name"]
    assert len(held["grids"]) < len(at_town["grids"]) and len(held["residents"]) < len(at_town["residents"])
