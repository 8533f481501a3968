"""Start-up of an opened database: this copy's device row, the county's towns and villages and
the glossary's default lists (once; explicit, not hidden in the Workspace)."""

from __future__ import annotations

import csv
import getpass
from pathlib import Path

from xianghe_desk import paths
from xianghe_desk.domain.models import LookupItem
from xianghe_desk.domain.numbering import new_device_tag
from xianghe_desk.domain.places import short_village_name, village_kind
from xianghe_desk.store.config import Device, DeviceStore, LookupStore, SettingsStore
from xianghe_desk.store.db import Database, translate_errors
from xianghe_desk.store.places import TownStore, VillageStore

CHANNELS = [
    ("phone", "服务电话"),
    ("hotline_12345", "12345热线"),
    ("suggestion_box", "意见箱"),
    ("wechat_group", "微信群"),
    ("walk_in", "服务站来访"),
    ("assigned_by_superior", "上级交办"),
    ("villager_forum", "村民说事"),
    ("grid_patrol", "网格员巡查发现"),
]

METHODS = [
    ("on_the_spot", "现场办结"),
    ("agent_run", "代办代跑"),
    ("referred", "转部门办理"),
    ("joint", "联合办理"),
    ("escalated_to_town", "上报镇级"),
    ("explained", "政策解答"),
]

CATEGORIES = [
    ("agent", "social_insurance", "社保医保代办"),
    ("agent", "certificates", "证照代办"),
    ("agent", "relief_application", "救助申请代办"),
    ("agent", "payments_purchases", "生活代缴代购"),
    ("agent", "certification_letters", "证明开具"),
    ("agent", "agent_other", "其他代办"),
    ("home", "health_medicine", "健康随访送医送药"),
    ("home", "daily_care", "生活照料"),
    ("home", "repairs", "维修帮扶"),
    ("home", "companionship", "陪伴慰藉"),
    ("home", "safety_check", "安全检查"),
    ("governance", "safety_hazard", "安全隐患"),
    ("governance", "sanitation", "环境卫生"),
    ("governance", "illegal_building", "私搭乱建"),
    ("governance", "disputes", "矛盾纠纷"),
    ("governance", "livelihood", "民生诉求"),
    ("governance", "clutter", "乱堆乱放"),
    ("governance", "public_order", "治安稳定"),
]

DEFAULT_SETTINGS = {
    "county_name": "香河县",
    "county_code": "131024",
    "due_rules": {"urgent_hours": 2, "normal_hours": 24, "agent_workdays": 3},
    "hotlines": ["12345"],
}


def bootstrap(db: Database, path: Path | str = "") -> Device:
    """Make an opened (migrated) database ready: this copy's device row and the seeded lists.

    Runs once per opened database (``Workspace.open``); on a database that has both it only reads,
    so jobs opening their own connection never write here.
    """
    devices = DeviceStore(db)
    device = devices.self_device()
    if device is None:
        with translate_errors(path), db.atomic():
            while True:
                tag = new_device_tag()
                if devices.by_tag(tag) is None:
                    break
            device = devices.add(tag, name=os_user() + "的电脑", role="township", town_id=None, is_self=True)
    tag = device.tag
    lookups, settings = LookupStore(db, tag), SettingsStore(db, tag)
    towns, villages = TownStore(db, tag), VillageStore(db, tag)
    if lookups.count() and towns.count():
        return device
    with translate_errors(path), db.atomic():
        if not lookups.count():
            for order, (code, name) in enumerate(CHANNELS):
                lookups.add(LookupItem("channel", code, name, sort_order=order))
            for order, (code, name) in enumerate(METHODS):
                lookups.add(LookupItem("method", code, name, sort_order=order))
            for order, (group, code, name) in enumerate(CATEGORIES):
                lookups.add(LookupItem("category", code, name, group_code=group, sort_order=order))
            for key, value in DEFAULT_SETTINGS.items():
                if settings.get(key) is None:
                    settings.set(key, value)
        if not towns.count():
            load_divisions(towns, villages)
    return device


def load_divisions(towns: TownStore, villages: VillageStore) -> None:
    """The county's 11 towns and 331 villages with their NBS 2023 codes (shipped reference data)."""
    with paths.divisions_csv().open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    town_ids: dict[str, int] = {}
    for row in rows:
        code = row["town_code"]
        if code not in town_ids:
            town_ids[code] = towns.add(code, row["town_name"], sort_order=len(town_ids))
        villages.add(
            town_ids[code],
            row["village_name"],
            short_village_name(row["village_name"]),
            code=row["village_code"],
            kind=village_kind(row["village_name"], row["village_code"]),
        )


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "本机"
