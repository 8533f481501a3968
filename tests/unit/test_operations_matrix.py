"""Every operation of this layer called as every demo role: allowed ones succeed, the others are refused
with PermissionDeniedError and a Chinese message, write nothing and leave a 「被拒绝」 audit row.

(The scope refusals, masked values and audit details are in the other test_operations_* files.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.unit.role_helpers import ROLE_LABELS, own_village, refused, sign_in
from tests.unit.sheet_files import write_xlsx
from xianghe_desk.domain.models import DueRules
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.operations.exchange import register_device
from xianghe_desk.operations.exports import export_sheet
from xianghe_desk.operations.imports import import_file
from xianghe_desk.operations.places import add_grid, add_village
from xianghe_desk.operations.printing import print_monthly_report, print_notices, print_work_orders
from xianghe_desk.operations.settings import add_lookup, set_due_rules
from xianghe_desk.operations.stats import month_figures
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace

ALL = {"admin", "zhen", "cun", "lingdao"}
CLERKS = {"admin", "zhen", "cun"}
OFFICE = {"admin", "zhen"}
TABLES = (
    "villages",
    "grids",
    "lookups",
    "residents",
    "requests",
    "request_events",
    "settings",
    "exchange_peers",
)

Attempt = Callable[[Workspace, Path], Any]


def _request(ws: Workspace) -> int:
    flt = RequestFilter(village_id=own_village(ws).id)
    return ws.requests.ids(flt, Sort("received_at", descending=False), ws.now())[0]


def _residents_sheet(ws: Workspace, tmp: Path) -> Path:
    village = own_village(ws)
    return write_xlsx(
        tmp / "input-r.xlsx",
        ["姓名", "所属镇", "所属村街"],
        [["矩阵测试", village.town_name, village.short_name]],
    )


def _grids_sheet(ws: Workspace, tmp: Path) -> Path:
    village = own_village(ws)
    header = ["所属镇", "所属村街", "网格名称"]
    return write_xlsx(tmp / "input-g.xlsx", header, [[village.town_name, village.short_name, "矩阵网格"]])


MATRIX: list[tuple[str, set[str], Attempt]] = [
    ("add_village", OFFICE, lambda ws, tmp: add_village(ws, own_village(ws).town_id, "矩阵村")),
    ("add_grid", OFFICE, lambda ws, tmp: add_grid(ws, own_village(ws).id, "矩阵第一网格")),
    ("add_lookup", {"admin"}, lambda ws, tmp: add_lookup(ws, "channel", "矩阵渠道")),
    ("set_due_rules", {"admin"}, lambda ws, tmp: set_due_rules(ws, DueRules(3, 30, 4))),
    ("export villages", ALL, lambda ws, tmp: export_sheet(ws, "villages", tmp / "v.xlsx")),
    ("export residents", OFFICE, lambda ws, tmp: export_sheet(ws, "residents", tmp / "r.xlsx")),
    ("export --full", OFFICE, lambda ws, tmp: export_sheet(ws, "requests", tmp / "q.xlsx", full=True)),
    ("import residents", CLERKS, lambda ws, tmp: import_file(ws, "residents", _residents_sheet(ws, tmp))),
    ("import grids", OFFICE, lambda ws, tmp: import_file(ws, "grids", _grids_sheet(ws, tmp))),
    ("stats", ALL, lambda ws, tmp: month_figures(ws, "2026-11")),
    ("monthly report", ALL, lambda ws, tmp: print_monthly_report(ws, "2026-11", tmp / "m.pdf")),
    ("notice", ALL, lambda ws, tmp: print_notices(ws, tmp / "n.pdf", village=own_village(ws).short_name)),
    ("work orders", ALL, lambda ws, tmp: print_work_orders(ws, [_request(ws)], tmp / "w.pdf")),
    (
        "register laptop",
        CLERKS,
        lambda ws, tmp: register_device(ws, "矩阵电脑", own_village(ws).short_name, None, tmp / "k.key"),
    ),
]


def _counts(ws: Workspace) -> dict[str, int]:
    return {t: ws.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_operation_as_each_role(demo_ws: Workspace, tmp_path: Path, role: str) -> None:
    ws = sign_in(demo_ws, role)
    outcomes = {}
    for name, allowed, attempt in MATRIX:
        work = tmp_path / name.replace(" ", "_").replace("-", "")
        work.mkdir()
        if role in allowed:
            attempt(ws, work)
            outcomes[name] = "done"
            continue
        before = _counts(ws)
        refused_rows = len(AuditService(ws).entries(kind="refused"))
        refused(lambda attempt=attempt, work=work: attempt(ws, work), ROLE_LABELS[role])
        assert _counts(ws) == before, name
        assert not [
            p
            for p in work.iterdir()
            if p.suffix in (".xlsx", ".pdf", ".key") and not p.name.startswith("input-")
        ], name
        assert len(AuditService(ws).entries(kind="refused")) == refused_rows + 1, name
        outcomes[name] = "refused"
    assert set(outcomes) == {name for name, _allowed, _attempt in MATRIX}
