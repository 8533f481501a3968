"""Exchange packages between three databases: the township and two village laptops."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from xianghe_desk.domain.drafts import MemberDraft, RequestDraft, ResidentDraft
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.conflicts import ConflictService
from xianghe_desk.services.exchange import ExchangeService
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.conflicts import ConflictStore
from xianghe_desk.store.db import now_text
from xianghe_desk.store.exchange import SyncStore

VILLAGE_A = "王刘圈村"
VILLAGE_B = "石虎辛庄村"


@dataclass
class Trio:
    town: Workspace
    a: Workspace
    b: Workspace
    tmp: Path
    count: int = 0

    def send(self, source: Workspace, target: Workspace) -> Path:
        """Export at ``source`` for ``target`` and import it there; returns the package."""
        self.count += 1
        path = self.tmp / f"p{self.count}.xhpkg"
        ExchangeService(source).export_package(target.device.tag, path)
        ExchangeService(target).import_package(path)
        return path


def snapshot(ws: Workspace) -> dict:
    return SyncStore(ws.db).snapshot()


@pytest.fixture(scope="module")
def trio_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Township + laptop A (王刘圈村) + laptop B (石虎辛庄村), registered, joined, first packages read."""
    folder = tmp_path_factory.mktemp("trio")
    town = Workspace.open(folder / "town.db", actor="镇文员")
    town.settings.set("town_code", "131024103")
    places = PlaceService(town)
    village_a = places.resolve_village(VILLAGE_A)
    grid = places.add_grid(village_a.id, "第一网格")
    MemberService(town).add(
        MemberDraft("李建国", "13812345678", village_a.town_id, village_a.id, grid_ids=(grid,))
    )
    service = ExchangeService(town)
    service.register_device("王刘圈村电脑", VILLAGE_A, None, folder / "a.key")
    service.register_device("石虎辛庄村电脑", VILLAGE_B, None, folder / "b.key")
    for name in ("a", "b"):
        with Workspace.open(folder / f"{name}.db", actor=f"录入员{name}") as laptop:
            ExchangeService(laptop).join(folder / f"{name}.key")
            ExchangeService(town).export_package(laptop.device.tag, folder / f"first-{name}.xhpkg")
            ExchangeService(laptop).import_package(folder / f"first-{name}.xhpkg")
            ExchangeService(laptop).export_package(town.device.tag, folder / f"back-{name}.xhpkg")
            ExchangeService(town).import_package(folder / f"back-{name}.xhpkg")
    town.close()
    return folder


@pytest.fixture
def trio(trio_template: Path, tmp_path: Path) -> Iterator[Trio]:
    for name in ("town", "a", "b"):
        shutil.copy(trio_template / f"{name}.db", tmp_path / f"{name}.db")
    opened = Trio(
        *(Workspace.open(tmp_path / f"{n}.db", actor=f"{n}文员") for n in ("town", "a", "b")), tmp_path
    )
    yield opened
    for ws in (opened.town, opened.a, opened.b):
        ws.close()


def _village(ws: Workspace, name: str = VILLAGE_A):
    return PlaceService(ws).resolve_village(name)


def _resident(ws: Workspace, name: str, **fields) -> int:
    return ResidentService(ws).add(ResidentDraft(name, _village(ws).id, **fields)).id


def _uuid(ws: Workspace, resident_id: int) -> str:
    return ResidentService(ws).get(resident_id).uuid


def _by_uuid(ws: Workspace, uuid: str):
    found = ws.db.execute("SELECT id FROM residents WHERE uuid = ?", [uuid]).fetchone()
    return ResidentService(ws).get(found[0]) if found else None


def test_first_exchange_gives_the_laptop_its_village_and_merges_seeded_places(trio):
    # The township's grid and member reached laptop A, seeded towns and villages were merged, not doubled.
    assert [g.name for g in PlaceService(trio.a).grids(_village(trio.a).id)] == ["第一网格"]
    assert [m.name for m in MemberService(trio.a).list(PersonFilter())] == ["李建国"]
    for ws in (trio.town, trio.a, trio.b):
        assert ws.villages.count() == 331
        assert ConflictService(ws).count_open() == 0
    # Laptop B holds only its own village's people: A's grid is not there.
    assert PlaceService(trio.b).grids(_village(trio.b).id) == []
    # Each copy seeded the county with its own uuids; once every copy has seen the others' seeds
    # (A joined before B), all keep the same (smallest) uuid for each town and village.
    trio.send(trio.town, trio.a)
    trio.send(trio.town, trio.b)
    assert snapshot(trio.town)["towns"] == snapshot(trio.a)["towns"] == snapshot(trio.b)["towns"]
    assert snapshot(trio.town)["villages"] == snapshot(trio.a)["villages"] == snapshot(trio.b)["villages"]


def test_round_trip_keeps_work_order_numbers_and_reaches_the_other_laptop(trio):
    rid = _resident(trio.a, "王秀英", phone="13912345678")
    member = MemberService(trio.a).list(PersonFilter())[0]
    request = RequestService(trio.a).register(
        RequestDraft("phone", "repairs", "厨房水管漏水，请来修", _village(trio.a).id, resident_id=rid),
        handler_id=member.id,
    )
    assert parse_number(request.number).device_tag == trio.a.device.tag
    trio.send(trio.a, trio.town)
    at_town = RequestService(trio.town).find_by_number(request.number)
    assert at_town is not None
    printed_fields = (
        "number",
        "received_at",
        "content",
        "person_name",
        "person_phone",
        "status",
        "due_at",
        "handler_name",
    )
    assert {f: getattr(at_town, f) for f in printed_fields} == {
        f: getattr(request, f) for f in printed_fields
    }
    assert [e.action for e in RequestService(trio.town).events(at_town.id)] == ["received", "dispatched"]
    # The township completes it; the laptop sees the completion, the number is unchanged.
    RequestService(trio.town).start(at_town.id)
    RequestService(trio.town).complete(at_town.id, "on_the_spot", "已修好")
    trio.send(trio.town, trio.a)
    back = RequestService(trio.a).find_by_number(request.number)
    assert back.status.value == "completed" and back.result == "已修好" and back.id == request.id
    assert [e.action for e in RequestService(trio.a).events(back.id)] == [
        "received",
        "dispatched",
        "started",
        "completed",
    ]
    # Laptop B (another village) does not get A's resident or request; the township does.
    trio.send(trio.town, trio.b)
    assert RequestService(trio.b).find_by_number(request.number) is None
    assert _by_uuid(trio.b, _uuid(trio.a, rid)) is None
    assert _by_uuid(trio.town, _uuid(trio.a, rid)).name == "王秀英"


def test_same_package_twice_changes_nothing(trio):
    _resident(trio.a, "赵大娘", phone="13912340000")
    path = trio.tmp / "twice.xhpkg"
    ExchangeService(trio.a).export_package(trio.town.device.tag, path)
    first = ExchangeService(trio.town).import_package(path)
    assert first.applied > 0
    before = snapshot(trio.town)
    log_before = SyncStore(trio.town.db).count_entries()
    second = ExchangeService(trio.town).import_package(path)
    assert second.already_imported and second.applied == 0 and second.known == second.received
    assert snapshot(trio.town) == before
    assert SyncStore(trio.town.db).count_entries() == log_before
    assert "以前已经导入过" in second.summary()


def test_packages_applied_in_different_orders_give_the_same_result(trio, tmp_path):
    # Both laptops change the same shared setting and each adds people; A also edits the member.
    rid = _resident(trio.a, "钱某", phone="13900001111")
    trio.a.settings.set("due_rules", {"urgent_hours": 3, "normal_hours": 24, "agent_workdays": 3})
    trio.b.settings.set("due_rules", {"urgent_hours": 4, "normal_hours": 24, "agent_workdays": 3})
    ResidentService(trio.b).add(ResidentDraft("孙某", _village(trio.b, VILLAGE_B).id, phone="13900002222"))
    ResidentService(trio.a).update(
        rid, ResidentDraft("钱某", _village(trio.a).id, phone="13900001111", note="独居")
    )
    pa, pb = tmp_path / "a.xhpkg", tmp_path / "b.xhpkg"
    ExchangeService(trio.a).export_package(trio.town.device.tag, pa)
    ExchangeService(trio.b).export_package(trio.town.device.tag, pb)
    trio.town.close()
    shutil.copy(tmp_path / "town.db", tmp_path / "town2.db")
    one = Workspace.open(tmp_path / "town.db")
    two = Workspace.open(tmp_path / "town2.db")
    try:
        for path in (pa, pb):
            ExchangeService(one).import_package(path)
        for path in (pb, pa):
            ExchangeService(two).import_package(path)
        assert snapshot(one) == snapshot(two)
        values = sorted(str(v) for c in ConflictStore(one.db).all_values() for v in c[3:])
        assert values == sorted(str(v) for c in ConflictStore(two.db).all_values() for v in c[3:])
        assert ConflictService(one).count_open() == 1  # the two due-time rules
        assert one.settings.get("due_rules") == two.settings.get("due_rules")
    finally:
        one.close()
        two.close()
        trio.town = Workspace.open(tmp_path / "town.db")


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "other_laptop"])
def test_damaged_or_misdirected_package_is_refused_whole(trio, damage):
    _resident(trio.a, "周某", phone="13900003333")
    path = trio.tmp / "damaged.xhpkg"
    ExchangeService(trio.a).export_package(trio.town.device.tag, path)
    data = bytearray(path.read_bytes())
    target = trio.town
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) - 40]
    elif damage == "empty":
        data = data[:3]
    else:
        target = trio.b  # a package for the township, carried to laptop B
    path.write_bytes(bytes(data))
    before = snapshot(target)
    entries = SyncStore(target.db).count_entries()
    with pytest.raises(ValidationError, match="没有导入任何数据"):
        ExchangeService(target).import_package(path)
    assert snapshot(target) == before
    assert SyncStore(target.db).count_entries() == entries


def test_edits_of_different_fields_of_one_record_merge(trio):
    rid = _resident(trio.a, "吴大爷", phone="13900004444")
    trio.send(trio.a, trio.town)
    uuid = _uuid(trio.a, rid)
    town_copy = _by_uuid(trio.town, uuid)
    village = _village(trio.town)
    ResidentService(trio.town).update(town_copy.id, ResidentDraft("吴大爷", village.id, phone="13900009999"))
    ResidentService(trio.a).update(
        rid, ResidentDraft("吴大爷", _village(trio.a).id, phone="13900004444", address="后街5号")
    )
    trio.send(trio.a, trio.town)
    trio.send(trio.town, trio.a)
    for ws in (trio.town, trio.a):
        person = _by_uuid(ws, uuid)
        assert (person.phone, person.address) == ("13900009999", "后街5号")
        assert ConflictService(ws).count_open() == 0


def test_same_field_edited_on_both_sides_is_a_conflict_with_both_values(trio):
    rid = _resident(trio.a, "郑奶奶", phone="13900005555")
    trio.send(trio.a, trio.town)
    uuid = _uuid(trio.a, rid)
    ResidentService(trio.town).update(
        _by_uuid(trio.town, uuid).id, ResidentDraft("郑奶奶", _village(trio.town).id, phone="13900006666")
    )
    ResidentService(trio.a).update(rid, ResidentDraft("郑奶奶", _village(trio.a).id, phone="13900007777"))
    trio.send(trio.a, trio.town)
    conflicts = ConflictService(trio.town).list()
    assert len(conflicts) == 1
    view = conflicts[0]
    assert view.title == "服务对象「郑奶奶」" and view.field == "联系电话"
    assert (view.mine, view.theirs) == ("13900006666", "13900007777")
    assert view.mine_from == "本机" and "王刘圈村电脑" in view.theirs_from
    # The clerk keeps the township's number; the laptop's number stays in the log.
    ConflictService(trio.town).resolve(view.id, "mine")
    assert _by_uuid(trio.town, uuid).phone == "13900006666"
    assert any("13900007777" in (a, b) for *_k, a, b in ConflictStore(trio.town.db).all_values())
    trio.send(trio.town, trio.a)
    assert _by_uuid(trio.a, uuid).phone == "13900006666"
    resolved = ConflictService(trio.a).list(open_only=False)
    assert [v.resolved for v in resolved] == [True]
    assert ConflictService(trio.a).count_open() == 0
    with pytest.raises(ValidationError, match="已经处理过"):
        ConflictService(trio.town).resolve(view.id, "theirs")


def test_resolving_with_theirs_writes_the_other_value_everywhere(trio):
    rid = _resident(trio.a, "冯某", phone="13900008888")
    trio.send(trio.a, trio.town)
    uuid = _uuid(trio.a, rid)
    ResidentService(trio.town).update(
        _by_uuid(trio.town, uuid).id,
        ResidentDraft("冯某", _village(trio.town).id, phone="13900008888", note="镇上备注"),
    )
    ResidentService(trio.a).update(
        rid, ResidentDraft("冯某", _village(trio.a).id, phone="13900008888", note="村里备注")
    )
    trio.send(trio.town, trio.a)  # the laptop notices the conflict this time
    view = ConflictService(trio.a).list()[0]
    assert (view.mine, view.theirs) == ("村里备注", "镇上备注")
    ConflictService(trio.a).resolve(view.id, "theirs")
    trio.send(trio.a, trio.town)
    assert _by_uuid(trio.town, uuid).note == _by_uuid(trio.a, uuid).note == "镇上备注"
    assert ConflictService(trio.town).count_open() == 0


def test_deleted_on_one_side_and_edited_on_the_other_is_a_conflict(trio):
    rid = _resident(trio.a, "陈某", phone="13900001212")
    trio.send(trio.a, trio.town)
    uuid = _uuid(trio.a, rid)
    town_id = _by_uuid(trio.town, uuid).id
    trio.town.residents.update(town_id, {"deleted_at": now_text()})  # a tombstone, as a deletion writes it
    ResidentService(trio.a).update(
        rid, ResidentDraft("陈某", _village(trio.a).id, phone="13900001212", address="新地址")
    )
    trio.send(trio.a, trio.town)
    trio.send(trio.town, trio.a)
    for ws in (trio.town, trio.a):
        views = ConflictService(ws).list()
        assert [v.kind for v in views] == ["delete"], ws.path
        row = ws.db.execute("SELECT deleted_at, address FROM residents WHERE uuid = ?", [uuid]).fetchone()
        assert row[0] is not None and row[1] == "新地址"  # still deleted, the edit kept
    view = ConflictService(trio.town).list()[0]
    assert "删除" in view.mine and "新地址" in view.theirs
    ConflictService(trio.town).resolve(view.id, "theirs")  # restore the record
    trio.send(trio.town, trio.a)
    for ws in (trio.town, trio.a):
        assert ws.db.execute("SELECT deleted_at FROM residents WHERE uuid = ?", [uuid]).fetchone()[0] is None
        assert ConflictService(ws).count_open() == 0


def test_same_id_number_on_two_laptops_becomes_one_resident(trio, tmp_path):
    # A second laptop for 王刘圈村 enters the same person as laptop A, each with a request.
    ExchangeService(trio.town).register_device("王刘圈村第二台", VILLAGE_A, None, tmp_path / "c.key")
    c = Workspace.open(tmp_path / "c.db")
    try:
        ExchangeService(c).join(tmp_path / "c.key")
        trio.send(trio.town, c)
        id_number = "131024194501010012"
        ra = (
            ResidentService(trio.a)
            .add(ResidentDraft("刘大爷", _village(trio.a).id, id_number=id_number, phone="13900001313"))
            .id
        )
        rc = (
            ResidentService(c)
            .add(ResidentDraft("刘大爷", _village(c).id, id_number=id_number, address="东街1号"))
            .id
        )
        req_a = RequestService(trio.a).register(
            RequestDraft("phone", "repairs", "修灯", _village(trio.a).id, resident_id=ra)
        )
        req_c = RequestService(c).register(
            RequestDraft("walk_in", "daily_care", "买药", _village(c).id, resident_id=rc)
        )
        trio.send(trio.a, trio.town)
        trio.send(c, trio.town)
        people = ResidentService(trio.town).list(PersonFilter(text="刘大爷"))
        assert len(people) == 1 and people[0].id_number == id_number
        assert (people[0].phone, people[0].address) == ("13900001313", "东街1号")
        for number in (req_a.number, req_c.number):
            assert RequestService(trio.town).find_by_number(number).resident_id == people[0].id
        trio.send(trio.town, trio.a)
        trio.send(trio.town, c)
        for ws in (trio.a, c):
            people = ResidentService(ws).list(PersonFilter(text="刘大爷"))
            assert len(people) == 1
            for number in (req_a.number, req_c.number):
                assert RequestService(ws).find_by_number(number).resident_id == people[0].id
        assert snapshot(trio.a)["residents"] == snapshot(c)["residents"]
    finally:
        c.close()
