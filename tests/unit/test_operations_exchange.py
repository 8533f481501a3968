"""Exchange packages and conflicts as operations: the signed-in user must belong to the package's
villages, on the township's copy and on the laptop; every step is in the audit trail.

The demo database is the township; village A is the village clerk's (cun), village B another village
of the same town (the town clerk's, zhen).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.unit.role_helpers import audit_rows, other_village, own_village, refused, sign_in
from xianghe_desk.domain.access import Role
from xianghe_desk.domain.models import Village
from xianghe_desk.operations.accounts import add_user, create_first_admin
from xianghe_desk.operations.conflicts import resolve_conflict
from xianghe_desk.operations.exchange import export_package, import_package, join, register_device
from xianghe_desk.services.accounts import AccountService
from xianghe_desk.services.conflicts import ConflictService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.exchange import SyncStore

PASSWORD = "laptop-pass-1"


@dataclass
class Town:
    ws: Workspace
    a: Village
    b: Village
    tag_a: str
    tag_b: str
    key_a: Path
    key_b: Path


def _packages(ws: Workspace) -> int:
    return int(ws.db.execute("SELECT count(*) FROM exchange_packages").fetchone()[0])


@pytest.fixture
def town(demo_ws: Workspace, tmp_path: Path) -> Town:
    """The township with a laptop registered for village A (by its village clerk) and one for B."""
    ws = sign_in(demo_ws, "cun")
    a, b = own_village(ws), other_village(ws)
    key_a, key_b = tmp_path / "a.key", tmp_path / "b.key"
    done_a = register_device(ws, "甲村电脑", a.short_name, a.town_name, key_a).value
    sign_in(ws, "zhen")
    done_b = register_device(ws, "乙村电脑", b.short_name, b.town_name, key_b).value
    return Town(ws, a, b, done_a.tag, done_b.tag, key_a, key_b)


def test_registering_a_laptop_for_another_village_is_refused(town: Town, tmp_path: Path) -> None:
    ws = sign_in(town.ws, "cun")
    peers = len(SyncStore(ws.db).peers())
    key = tmp_path / "c.key"
    refused(
        lambda: register_device(ws, "丙村电脑", town.b.short_name, town.b.town_name, key),
        "不在您负责的范围内",
    )
    ws = sign_in(town.ws, "lingdao")
    refused(lambda: register_device(ws, "丁村电脑", town.a.short_name, None, key), "领导查看", "数据包")
    assert not key.exists() and len(SyncStore(ws.db).peers()) == peers
    rows = audit_rows(ws, "exchange.register_device", kind="exchange")
    assert [r.user_name for r in rows] == ["cun", "zhen"] and rows[0].detail["villages"] == [
        town.a.short_name
    ]


def test_a_village_clerk_exports_only_their_villages_package(town: Town, tmp_path: Path) -> None:
    ws = sign_in(town.ws, "cun")
    target = tmp_path / "b.xhpkg"
    refused(lambda: export_package(ws, town.tag_b, target), "不在您负责的范围内", town.b.short_name)
    assert not target.exists() and _packages(ws) == 0
    assert SyncStore(ws.db).peer_by_tag(town.tag_b).last_export_at is None  # type: ignore[union-attr]

    done = export_package(ws, town.tag_a, tmp_path / "a.xhpkg").value
    (row,) = audit_rows(ws, "exchange.export", kind="exchange")
    assert row.detail["package"] == done.package_id and row.detail["changes"] == done.changes > 0
    assert row.detail["counts"]["residents"] == done.counts["residents"] and row.user_name == "cun"


def _laptop(town: Town, tmp_path: Path, key: Path, tag: str, name: str) -> Path:
    """A laptop database that joined with ``key`` and imported the township's first package."""
    path = tmp_path / f"{name}.db"
    with Workspace.open(path) as laptop:
        join(laptop, key)
        sign_in(town.ws, "admin")
        export_package(town.ws, tag, tmp_path / f"{name}-first.xhpkg")
        import_package(laptop, tmp_path / f"{name}-first.xhpkg")
    return path


def test_the_township_imports_a_laptops_package_only_for_someone_of_its_villages(
    town: Town, tmp_path: Path
) -> None:
    laptop_b = _laptop(town, tmp_path, town.key_b, town.tag_b, "b")
    up = tmp_path / "up.xhpkg"
    with Workspace.open(laptop_b) as laptop:
        export_package(laptop, town.ws.device.tag, up)
        assert [r.action for r in audit_rows(laptop, "exchange.export")] == ["exchange.export"]
    ws = sign_in(town.ws, "cun")
    before = _packages(ws)
    refused(lambda: import_package(ws, up), "不在您负责的范围内", town.b.short_name)
    assert _packages(ws) == before
    ws = sign_in(town.ws, "zhen")
    done = import_package(ws, up).value
    (row,) = [r for r in audit_rows(ws, "exchange.import") if r.user_name == "zhen"]
    assert row.kind == "exchange" and row.detail["package"] == done.package_id
    assert row.detail["file"] == "up.xhpkg" and row.detail["received"] == done.received


def test_on_the_laptop_only_a_clerk_of_its_village_imports(town: Town, tmp_path: Path) -> None:
    laptop_a = _laptop(town, tmp_path, town.key_a, town.tag_a, "a")
    sign_in(town.ws, "admin")
    second = tmp_path / "second.xhpkg"
    export_package(town.ws, town.tag_a, second)
    with Workspace.open(laptop_a) as laptop:
        places = PlaceService(laptop)
        own = places.resolve_village(town.a.short_name, town.a.town_name)
        other = places.resolve_village(town.b.short_name, town.b.town_name)
        create_first_admin(laptop, "laptop-admin", PASSWORD)
        add_user(laptop, "clerk-a", Role.VILLAGE_CLERK, PASSWORD, village_ids=[own.id])
        add_user(laptop, "clerk-b", Role.VILLAGE_CLERK, PASSWORD, village_ids=[other.id])
        AccountService(laptop).sign_in("clerk-b", PASSWORD)
        before = _packages(laptop)
        refused(lambda: import_package(laptop, second), "不在您负责的范围内", town.a.short_name)
        refused(
            lambda: export_package(laptop, town.ws.device.tag, tmp_path / "x.xhpkg"), "不在您负责的范围内"
        )
        assert _packages(laptop) == before and not (tmp_path / "x.xhpkg").exists()
        AccountService(laptop).sign_in("clerk-a", PASSWORD)
        assert import_package(laptop, second).value.package_id


def test_joining_is_refused_to_a_clerk_of_another_village(town: Town, tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "fresh.db") as laptop:
        other = PlaceService(laptop).resolve_village(town.b.short_name, town.b.town_name)
        create_first_admin(laptop, "laptop-admin", PASSWORD)
        add_user(laptop, "clerk-b", Role.VILLAGE_CLERK, PASSWORD, village_ids=[other.id])
        AccountService(laptop).sign_in("clerk-b", PASSWORD)
        tag = laptop.device.tag
        refused(lambda: join(laptop, town.key_a), "不在您负责的范围内")
        assert laptop.device.tag == tag and not SyncStore(laptop.db).peers()


# ---------------------------------------------------------------- conflicts


def _resident_conflict(town: Town, tmp_path: Path) -> int:
    """Both copies change the phone of one resident of village B without knowing of each other."""
    laptop_b = _laptop(town, tmp_path, town.key_b, town.tag_b, "b")
    uuid, town_id = town.ws.db.execute(
        "SELECT uuid, id FROM residents WHERE village_id = ? AND deleted_at IS NULL LIMIT 1", [town.b.id]
    ).fetchone()
    town.ws.residents.update(town_id, {"phone": "13911110000"})
    with Workspace.open(laptop_b) as laptop:
        (laptop_id,) = laptop.db.execute("SELECT id FROM residents WHERE uuid = ?", [uuid]).fetchone()
        laptop.residents.update(laptop_id, {"phone": "13922220000"})
        export_package(laptop, town.ws.device.tag, tmp_path / "up.xhpkg")
    sign_in(town.ws, "zhen")
    assert import_package(town.ws, tmp_path / "up.xhpkg").value.new_conflicts >= 1
    views = [v for v in ConflictService(town.ws).list() if v.title.startswith("服务对象")]
    assert views, [v.title for v in ConflictService(town.ws).list()]
    return views[0].id


def test_a_conflict_is_decided_only_within_the_scope(town: Town, tmp_path: Path) -> None:
    conflict_id = _resident_conflict(town, tmp_path)
    ws = sign_in(town.ws, "cun")
    refused(lambda: resolve_conflict(ws, conflict_id, "mine"), "不在您负责的范围内")
    assert not ConflictService(ws).get(conflict_id).resolved
    ws = sign_in(town.ws, "lingdao")
    refused(lambda: resolve_conflict(ws, conflict_id, "mine"), "领导查看")
    ws = sign_in(town.ws, "zhen")
    view = resolve_conflict(ws, conflict_id, "theirs").value
    assert view.resolved
    (row,) = audit_rows(ws, "conflict.resolve", kind="update")
    assert row.detail["keep"] == "theirs" and row.entity == "resident"
    assert "13922220000" not in str(row.detail) and "139****0000" in str(row.detail)


def test_a_conflict_over_shared_settings_is_left_to_the_administrator(town: Town, tmp_path: Path) -> None:
    laptop_a = _laptop(town, tmp_path, town.key_a, town.tag_a, "a")
    town.ws.settings.set("hotlines", ["12345", "0316-1"])
    with Workspace.open(laptop_a) as laptop:
        laptop.settings.set("hotlines", ["12345", "0316-2"])
        export_package(laptop, town.ws.device.tag, tmp_path / "up.xhpkg")
    sign_in(town.ws, "cun")
    import_package(town.ws, tmp_path / "up.xhpkg")
    (view,) = [v for v in ConflictService(town.ws).list() if v.title.startswith("设置")]
    ws = sign_in(town.ws, "zhen")
    refused(lambda: resolve_conflict(ws, view.id, "mine"), "全县共用", "管理员")
    ws = sign_in(town.ws, "admin")
    assert resolve_conflict(ws, view.id, "mine").value.resolved
    assert ws.settings.get("hotlines") == ["12345", "0316-1"]
