"""Searching by part of a work-order number (issue #8): its tail (「0401」, 「2611-0401」) or its
beginning (「100-K7M3」), through the number's UNIQUE index, agreeing with plain Python."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.requests import compact_number, head_prefix, tail_candidates

ALL = 10**6

# Numbers of other copies and months beside the demo's own, a five-digit sequence among them.
EXTRA_NUMBERS = (
    "100-K7M3-2611-0401",
    "100-K7M3-2610-0401",
    "100-K7M3-2611-10401",
    "105-Q9RT-2611-0401",
    "105-Q9RT-2611-0402",
)


@pytest.fixture(scope="module")
def demo(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("number_search") / "demo.db"
    shutil.copy(small_demo, path)
    workspace = Workspace.open(path, clock=lambda: FIXED_NOW, actor="测试文员")
    ids = [row[0] for row in workspace.db.execute("SELECT id FROM requests ORDER BY id LIMIT 5")]
    for request_id, number in zip(ids, EXTRA_NUMBERS, strict=True):
        workspace.db.execute("UPDATE requests SET number = ? WHERE id = ?", [number, request_id])
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def numbers(demo: Workspace) -> list[str]:
    return [r.number for r in RequestService(demo).list(RequestFilter(), limit=ALL)]


def found(demo: Workspace, text: str) -> set[str]:
    service = RequestService(demo)
    listed = {r.number for r in service.list(RequestFilter(text=text), limit=ALL)}
    assert service.count(RequestFilter(text=text)) == len(listed)
    return listed


def ending_with(numbers: list[str], tail: str) -> set[str]:
    """Numbers whose tail this is, counting from the start of the sequence at least: 「0401」 is the
    tail of …-0401, not of …-10401 (a clerk reads that sequence as 10401)."""
    compact = compact_number(tail)
    return {
        n
        for n in numbers
        if n.replace("-", "").endswith(compact) and len(compact) >= len(n.rsplit("-", 1)[1])
    }


@pytest.mark.parametrize(
    "tail",
    ["0401", "2611-0401", "26110401", "K7M3-2611-0401", "k7m3 2611 0401", "M3-2611-0401", "10401", "0402"],
)
def test_a_tail_finds_every_number_ending_in_it(demo, numbers, tail):
    expected = ending_with(numbers, tail)
    assert expected, "the example must exist"
    # Phone numbers and ID numbers may end or start with the same digits: the numbers are among them.
    assert expected <= found(demo, tail)
    if not tail.replace("-", "").replace(" ", "").isdigit():
        assert found(demo, tail) == expected


def test_the_issue_example_and_a_five_digit_sequence(demo):
    assert {"100-K7M3-2611-0401", "100-K7M3-2610-0401", "105-Q9RT-2611-0401"} <= found(demo, "0401")
    assert "100-K7M3-2611-10401" not in found(demo, "0401")
    assert "100-K7M3-2611-10401" in found(demo, "10401")
    assert found(demo, "2611-10401") == {"100-K7M3-2611-10401"}
    assert found(demo, "K7M3-2611-0401") == {"100-K7M3-2611-0401"}


def test_the_demo_numbers_are_found_by_their_sequence(demo, numbers):
    own = next(n for n in numbers if n.startswith("101-"))
    sequence = own.rsplit("-", 1)[1]
    assert own in found(demo, sequence)
    assert found(demo, own[4:]) == {own}
    # 「101-3HVX-26」: the town, this copy's tag and the decade of the month.
    assert found(demo, own[:11]) == {n for n in numbers if n.startswith(own[:11])}


@pytest.mark.parametrize("beginning", ["100-K7M3", "100K7M3", "100-K7M3-2611", "105-q9rt"])
def test_a_beginning_with_the_device_tag_finds_the_numbers_starting_with_it(demo, numbers, beginning):
    prefix = head_prefix(compact_number(beginning))
    expected = {n for n in numbers if n.startswith(prefix)}
    assert expected
    assert found(demo, beginning) == expected


def test_short_or_letterless_fragments_are_no_number_search(demo, numbers):
    # Fewer than four digits, or digits alone at the start (「100」 is not 「100-…」).
    assert not found(demo, "401") & {n for n in numbers if n.endswith("401")}
    assert "100-K7M3-2611-0401" not in found(demo, "1002")
    assert found(demo, "K7M3") == set()


def test_tail_candidates_only_where_the_rest_ends_the_head():
    heads = ["100-K7M3-2611-", "100-K7M3-2610-", "105-Q9RT-2611-"]
    assert tail_candidates(heads, "0401") == [
        "100-K7M3-2611-0401",
        "100-K7M3-2610-0401",
        "105-Q9RT-2611-0401",
    ]
    assert tail_candidates(heads, "26110401") == ["100-K7M3-2611-0401", "105-Q9RT-2611-0401"]
    # 「10401」: sequence 0401 after a month ending in 1, or the five-digit sequence 10401.
    assert tail_candidates(heads, "10401") == [
        "100-K7M3-2611-0401",
        "100-K7M3-2611-10401",
        "100-K7M3-2610-10401",
        "105-Q9RT-2611-0401",
        "105-Q9RT-2611-10401",
    ]
    assert tail_candidates(heads, "401") == []


def test_number_parts_are_looked_up_through_the_number_index(demo):
    store = demo.requests
    assert len(store.heads()) == len({n[:14] for n in (*EXTRA_NUMBERS, *store.heads())})
    for text in ("0401", "K7M3-2611-0401", "100-K7M3"):
        where, params = store._where(RequestFilter(text=text), FIXED_NOW)
        plan = " / ".join(
            str(row[3])
            for row in demo.db.execute(
                f"EXPLAIN QUERY PLAN SELECT count(*) FROM requests r WHERE {where}", params
            )
        )
        assert "sqlite_autoindex_requests_1 (number" in plan, plan
        assert "SCAN r" not in plan, plan
