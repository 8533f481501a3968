"""Child process of bench.py: importing 50,000 residents, and openpyxl reading the same file.

    python tests/perf/bench_import.py sheet OUT.xlsx
    python tests/perf/bench_import.py program SHEET.xlsx WORKDIR
    python tests/perf/bench_import.py openpyxl SHEET.xlsx

``sheet`` writes the 50,000 realistic rows of tests/perf/test_import_perf.py (one generator for
both). ``program`` imports them into a fresh database in WORKDIR through the same operation the
desk and ``xianghe-desk import`` use; ``openpyxl`` iterates the file read-only, as the baseline.
Each runs in a process of its own, so that bench.py reads its peak memory (ru_maxrss).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import dump_profile, emit, maybe_profile, proc_status_mb


def _prepare_db(path: Path) -> None:
    """A fresh database with the grids the sheet names (as test_import_perf's fixture makes it)."""
    from test_import_perf import TOWN

    from xianghe_desk.services.places import PlaceService
    from xianghe_desk.services.workspace import Workspace

    with Workspace.open(path) as ws:
        places = PlaceService(ws)
        town = places.resolve_town(TOWN)
        for village in places.villages(town.id):
            places.add_grid(village.id, "第一网格")
            places.add_grid(village.id, "第二网格")


def sheet(out: Path) -> None:
    import tempfile

    from test_import_perf import TOWN, _sheet

    from xianghe_desk.services.places import PlaceService
    from xianghe_desk.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        with Workspace.open(Path(folder) / "names.db") as ws:
            places = PlaceService(ws)
            names = [v.short_name for v in places.villages(places.resolve_town(TOWN).id)]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part.xlsx")
    _sheet(partial, names, random.Random(5))
    partial.replace(out)
    emit({"rows": 50_000, "path": str(out)})


def program(path: Path, workdir: Path) -> None:
    from xianghe_desk.operations.imports import import_file
    from xianghe_desk.services.workspace import Workspace

    db = workdir / "import.db"
    _prepare_db(db)
    with Workspace.open(db) as ws:
        before = proc_status_mb("VmRSS")
        profiler = maybe_profile()
        started = time.perf_counter()
        report = import_file(ws, "residents", path).value
        elapsed = time.perf_counter() - started
        dump_profile(profiler)
        stored = ws.residents.count()
    emit(
        {
            "seconds": elapsed,
            "added": report.added,
            "refused": report.refused,
            "stored": stored,
            "rss_before_mb": before,
            "hwm_mb": proc_status_mb("VmHWM"),
        }
    )


def openpyxl_read(path: Path) -> None:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    emit({"seconds": time.perf_counter() - started, "rows": rows, "hwm_mb": proc_status_mb("VmHWM")})


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "sheet":
        sheet(Path(sys.argv[2]))
    elif mode == "program":
        program(Path(sys.argv[2]), Path(sys.argv[3]))
    elif mode == "openpyxl":
        openpyxl_read(Path(sys.argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.flush()
    os._exit(0)
