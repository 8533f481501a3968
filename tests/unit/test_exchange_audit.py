# ruff: noqa: F811 - pytest fixtures shared from test_exchange_roundtrip are parameters here
"""The laptop's audit trail reaches the township in the packages, once, with its chain intact (issue #9)."""

from __future__ import annotations

from tests.unit.test_exchange_roundtrip import VILLAGE_A, Trio, trio, trio_template  # noqa: F401
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.operations.people import add_resident
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.check import run_checks
from xianghe_desk.services.places import PlaceService


def _laptop_rows(trio: Trio) -> list:
    return [e for e in AuditService(trio.town).entries() if e.device == trio.a.device.tag]


def test_a_change_made_on_the_laptop_is_in_the_townships_audit_trail_once(trio: Trio) -> None:
    village = PlaceService(trio.a).resolve_village(VILLAGE_A)
    add_resident(trio.a, ResidentDraft("郝桂荣", village.id))
    trio.send(trio.a, trio.town)
    rows = [e for e in _laptop_rows(trio) if "郝桂荣" in e.summary]
    assert len(rows) == 1 and rows[0].kind == "create" and rows[0].user_name == "a文员"
    # Sent again (and overlapping the next package): still once.
    trio.send(trio.a, trio.town)
    add_resident(trio.a, ResidentDraft("郝桂芳", village.id))
    trio.send(trio.a, trio.town)
    summaries = [e.summary for e in _laptop_rows(trio)]
    assert sum("郝桂荣" in s for s in summaries) == 1 and sum("郝桂芳" in s for s in summaries) == 1


def test_the_received_chain_verifies_at_the_township(trio: Trio) -> None:
    village = PlaceService(trio.a).resolve_village(VILLAGE_A)
    for name in ("甲", "乙", "丙"):
        add_resident(trio.a, ResidentDraft(f"测试{name}", village.id))
    trio.send(trio.a, trio.town)
    (audit,) = [r for r in run_checks(trio.town) if r.label == "操作日志"]
    assert audit.ok, audit.detail
    assert len(_laptop_rows(trio)) >= 3


def test_the_township_does_not_send_its_trail_to_the_laptop(trio: Trio) -> None:
    village = PlaceService(trio.town).resolve_village(VILLAGE_A)
    add_resident(trio.town, ResidentDraft("镇里登记", village.id))
    trio.send(trio.town, trio.a)
    assert not [e for e in AuditService(trio.a).entries() if e.device == trio.town.device.tag]
