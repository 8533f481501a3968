"""Exchange package speed (issue #5): 100,000 changed rows exported and imported in under 20 s each.

Run with ``python -m pytest -m perf tests/perf/test_exchange_perf.py -s`` to see the timings.
"""

from __future__ import annotations

import time
from pathlib import Path

from xianghe_desk.services.exchange import ExchangeService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.bulk import BulkStore
from xianghe_desk.store.db import new_uuid, now_text

ROWS = 100_000
LIMIT_S = 20.0


def _residents(ws: Workspace, count: int) -> None:
    village = PlaceService(ws).resolve_village("王刘圈村")
    stamp = now_text()
    rows = []
    for n in range(count):
        rows.append(
            {
                "name": f"居民{n:06d}",
                "name_initials": "jm",
                "name_pinyin": f"jumin{n:06d}",
                "id_number": f"1310241950{n:07d}X",
                "sex": "female" if n % 2 else "male",
                "birth_date": "1950-01-01",
                "phone": f"139{n:08d}",
                "phone_rev": f"139{n:08d}"[::-1],
                "town_id": village.town_id,
                "village_id": village.id,
                "care_tags": ",elderly_alone,",
                "address": f"王刘圈村{n % 300}号",
                "note": "",
                "uuid": new_uuid(),
                "created_at": stamp,
                "updated_at": stamp,
                "device_id": ws.device.tag,
            }
        )
    with ws.atomic():
        BulkStore(ws.db, ws.device.tag).insert_residents(rows)


def test_hundred_thousand_changed_rows_export_and_import(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "town.db") as town, Workspace.open(tmp_path / "laptop.db") as laptop:
        ExchangeService(town).register_device("王刘圈村电脑", "王刘圈村", None, tmp_path / "k.key")
        ExchangeService(laptop).join(tmp_path / "k.key")
        _residents(laptop, ROWS)
        package = tmp_path / "big.xhpkg"

        started, cpu = time.perf_counter(), time.process_time()
        exported = ExchangeService(laptop).export_package(town.device.tag, package)
        export_s, export_cpu = time.perf_counter() - started, time.process_time() - cpu

        started, cpu = time.perf_counter(), time.process_time()
        imported = ExchangeService(town).import_package(package)
        import_s, import_cpu = time.perf_counter() - started, time.process_time() - cpu

        size_mb = package.stat().st_size / 1e6
        print(
            f"\nexchange package of {exported.changes} changes ({size_mb:.1f} MB): "
            f"export {export_s:.1f} s (CPU {export_cpu:.1f} s), import {import_s:.1f} s (CPU {import_cpu:.1f} s);"
            f" limit {LIMIT_S:.0f} s each"
        )
        assert exported.counts["residents"] == ROWS
        assert imported.counts["residents"] == ROWS
        assert town.residents.count() == ROWS
        assert export_s < LIMIT_S
        assert import_s < LIMIT_S

        # The same package again: everything is known, nothing changes, and it is quicker still.
        started = time.perf_counter()
        again = ExchangeService(town).import_package(package)
        print(f"the same package again: {time.perf_counter() - started:.1f} s, {again.applied} applied")
        assert again.applied == 0
