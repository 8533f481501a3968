"""`check` counts the visit log and finds visits that cannot have happened (issue #10 left this out)."""

from __future__ import annotations

from datetime import timedelta

from xianghe_desk.services.check import run_checks
from xianghe_desk.services.workspace import Workspace


def _result(ws: Workspace, label: str):  # type: ignore[no-untyped-def]
    found = [r for r in run_checks(ws) if r.label == label]
    assert len(found) == 1, label
    return found[0]


def test_the_demo_passes_and_its_visits_are_counted(demo_ws: Workspace) -> None:
    visits = demo_ws.db.execute("SELECT count(*) FROM visits").fetchone()[0]
    assert visits > 0
    assert f"{visits} 条走访记录" in _result(demo_ws, "数据量").detail
    assert _result(demo_ws, "走访日期").ok
    assert _result(demo_ws, "走访与迁出去世").ok


def test_a_visit_after_today_or_after_the_resident_left_is_reported(demo_ws: Workspace) -> None:
    db = demo_ws.db
    today = demo_ws.now().date()
    resident_id, name = db.execute(
        "SELECT id, name FROM residents WHERE deleted_at IS NULL AND status = 'active' LIMIT 1"
    ).fetchone()
    with demo_ws.atomic():
        demo_ws.visits.add(
            {
                "resident_id": resident_id,
                "visited_on": (today + timedelta(days=3)).isoformat(),
                "method": "home",
            }
        )
    found = _result(demo_ws, "走访日期")
    assert not found.ok
    assert name in found.detail and "晚于今天" in found.detail

    left = (today - timedelta(days=40)).isoformat()
    with demo_ws.atomic():
        db.execute(
            "UPDATE residents SET status = 'deceased', status_since = ? WHERE id = ?", [left, resident_id]
        )
        demo_ws.visits.add(
            {
                "resident_id": resident_id,
                "visited_on": (today - timedelta(days=10)).isoformat(),
                "method": "phone",
            }
        )
    found = _result(demo_ws, "走访与迁出去世")
    assert not found.ok
    assert name in found.detail
