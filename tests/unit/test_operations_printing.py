"""Figures and printouts as operations, called as each demo role: each actor sees and prints only their
own scope; a village clerk's figures and summary are their village's, not the county's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.unit.role_helpers import (
    audit_rows,
    other_town_village,
    other_village,
    own_village,
    refused,
    sign_in,
)
from tests.unit.sheet_files import cli
from xianghe_desk.domain.queries import RequestFilter, Sort
from xianghe_desk.operations.printing import (
    print_monthly_report,
    print_notices,
    print_work_orders,
    work_order_ids,
)
from xianghe_desk.operations.stats import month_figures
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace

MONTH = "2026-11"


def _request_in(ws: Workspace, village_id: int) -> int:
    ids = ws.requests.ids(
        RequestFilter(village_id=village_id), Sort("received_at", descending=False), ws.now()
    )
    assert ids, "the small demo has requests in the clerk's village and its neighbour"
    return ids[0]


# ---------------------------------------------------------------- stats


def test_figures_default_to_the_actors_own_scope(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "cun")
    own = own_village(ws)
    figures = month_figures(ws, MONTH).value
    assert figures["scope"] == {"level": "village", "name": own.short_name, "code": own.code or ""}
    assert list(figures["by_village"]) in ([own.short_name], [])
    assert month_figures(ws, MONTH, village=own.short_name).value["received"] == figures["received"]

    sign_in(ws, "zhen")
    town = month_figures(ws, MONTH).value
    assert town["scope"]["level"] == "town" and town["scope"]["name"] == own.town_name
    assert town["received"] >= figures["received"]

    for name in ("admin", "lingdao"):
        sign_in(ws, name)
        assert month_figures(ws, MONTH).value["scope"]["level"] == "county"
    assert not audit_rows(ws, "stats.month")  # a read leaves no audit row


def test_figures_outside_the_scope_are_refused(demo_ws: Workspace) -> None:
    ws = sign_in(demo_ws, "cun")
    own, other, foreign = own_village(ws), other_village(ws), other_town_village(ws)
    refused(lambda: month_figures(ws, MONTH, town=own.town_name), "整个镇", "--village")
    refused(lambda: month_figures(ws, MONTH, village=other.short_name), "不在您负责的范围内")
    ws = sign_in(demo_ws, "zhen")
    refused(lambda: month_figures(ws, MONTH, town=foreign.town_name), "不在您负责的范围内")
    refused(
        lambda: month_figures(ws, MONTH, town=foreign.town_name, village=foreign.short_name),
        "不在您负责的范围内",
    )
    assert month_figures(ws, MONTH, village=other.short_name).value["scope"]["level"] == "village"
    assert len(audit_rows(ws, "stats.month", kind="refused")) == 4


def test_stats_command_refuses_a_town_outside_the_scope(small_demo: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "stats.db"
    shutil.copy(small_demo, db)
    assert cli("stats", "--db", db, "--month", MONTH, "--json", "--user", "cun") == 0
    assert '"level": "village"' in capsys.readouterr().out
    with Workspace.open(db) as ws:
        foreign = other_town_village(ws)
    assert cli("stats", "--db", db, "--month", MONTH, "--town", foreign.town_name, "--user", "zhen") == 1
    assert "不在您负责的范围内" in capsys.readouterr().err


# ---------------------------------------------------------------- monthly summary


def test_a_village_clerk_prints_their_villages_summary_only(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "cun")
    own = own_village(ws)
    report = print_monthly_report(ws, MONTH, tmp_path / "m.pdf").value
    assert own.short_name in report.title and (tmp_path / "m.pdf").stat().st_size > 1000
    (row,) = audit_rows(ws, "print.monthly_report", kind="print")
    assert row.detail["scope"]["level"] == "village" and row.detail["month"] == MONTH
    assert row.detail["pages"] == report.pages and own.short_name in row.summary

    refused(lambda: print_monthly_report(ws, MONTH, tmp_path / "t.pdf", town=own.town_name), "整个镇")
    refused(
        lambda: print_monthly_report(ws, MONTH, tmp_path / "o.pdf", village=other_village(ws).short_name),
        "不在您负责的范围内",
    )
    assert not (tmp_path / "t.pdf").exists() and not (tmp_path / "o.pdf").exists()


def test_a_town_clerk_prints_their_town_and_a_viewer_the_county(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "zhen")
    assert print_monthly_report(ws, MONTH, tmp_path / "z.pdf").value.scope_level == "town"
    foreign = other_town_village(ws)
    refused(
        lambda: print_monthly_report(ws, MONTH, tmp_path / "f.pdf", town=foreign.town_name),
        "不在您负责的范围内",
    )
    ws = sign_in(demo_ws, "lingdao")
    assert print_monthly_report(ws, MONTH, tmp_path / "c.pdf").value.scope_level == "county"


# ---------------------------------------------------------------- work orders


def test_work_orders_of_the_clerks_village_only(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "cun")
    own_id, other_id = _request_in(ws, own_village(ws).id), _request_in(ws, other_village(ws).id)
    for request_id in work_order_ids(ws, all_unprinted=True):
        request = ws.requests.get(request_id)
        assert request is not None and request.village_id == own_village(ws).id

    target = tmp_path / "other.pdf"
    events = len(ws.requests.events(own_id))
    refused(lambda: print_work_orders(ws, [own_id, other_id], target), "不在您负责的范围内")
    assert not target.exists() and len(ws.requests.events(own_id)) == events

    result = print_work_orders(ws, [own_id], tmp_path / "own.pdf").value
    assert result.orders == 1 and (tmp_path / "own.pdf").exists()
    request = ws.requests.get(own_id)
    assert request is not None and request.printed_at is not None
    assert len(ws.requests.events(own_id)) == events + 1  # 「打印工单」 in its history
    (row,) = audit_rows(ws, "print.work_orders", kind="print")
    assert row.detail["numbers"] == [request.number] and row.detail["file"] == "own.pdf"


def test_work_orders_named_by_number_from_the_command_line(small_demo: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "wo.db"
    shutil.copy(small_demo, db)
    with Workspace.open(db) as ws:
        other = _request_in(ws, other_village(ws).id)
        number = ws.requests.get(other).number  # type: ignore[union-attr]
    assert cli("workorder", "--db", db, number, "-o", tmp_path / "x.pdf", "--user", "cun") == 1
    assert "不在您负责的范围内" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()
    assert cli("workorder", "--db", db, number, "-o", tmp_path / "y.pdf", "--user", "zhen") == 0


# ---------------------------------------------------------------- notices


def test_notices_of_the_actors_villages(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = sign_in(demo_ws, "cun")
    own = own_village(ws)
    villages, result = print_notices(ws, tmp_path / "n.pdf", village=own.short_name).value
    assert [v.id for v in villages] == [own.id] and result.pages == 1
    refused(lambda: print_notices(ws, tmp_path / "t.pdf", town=own.town_name), "整个镇", "--village")
    refused(
        lambda: print_notices(ws, tmp_path / "o.pdf", village=other_village(ws).short_name),
        "不在您负责的范围内",
    )

    ws = sign_in(demo_ws, "zhen")
    villages, _result = print_notices(ws, tmp_path / "town.pdf", town=own.town_name).value
    assert len(villages) > 1
    foreign = other_town_village(ws)
    refused(
        lambda: print_notices(ws, tmp_path / "f.pdf", town=foreign.town_name),
        foreign.town_name,
        "不在您负责的范围内",
    )
    rows = [e for e in AuditService(ws).entries(kind="print") if e.action == "print.notice"]
    assert [len(r.detail["villages"]) for r in rows] == [1, len(villages)]


@pytest.mark.parametrize("name", ["admin", "zhen", "cun", "lingdao"])
def test_every_role_may_print_its_own_scope(demo_ws: Workspace, tmp_path: Path, name: str) -> None:
    ws = sign_in(demo_ws, name)
    own = own_village(ws)
    print_notices(ws, tmp_path / "n.pdf", village=own.short_name)
    assert len(audit_rows(ws, "print.notice", kind="print")) == 1
