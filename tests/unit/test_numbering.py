"""Work-order numbers (contract §4): readable, typed sloppily, unique per copy, never reused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xianghe_desk.domain.drafts import RequestDraft
from xianghe_desk.domain.numbering import (
    DEVICE_ALPHABET,
    WorkOrderNumber,
    format_number,
    is_device_tag,
    looks_like_number,
    new_device_tag,
    parse_number,
)
from xianghe_desk.domain.queries import RequestFilter, SearchKind, read_search
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace

CANONICAL = "100-K7M3-2611-0042"
EXPECTED = WorkOrderNumber("100", "K7M3", 26, 11, 42)

numbers = st.builds(
    WorkOrderNumber,
    town_digits=st.from_regex(r"\A[0-9]{3}\Z"),
    device_tag=st.text(alphabet=DEVICE_ALPHABET, min_size=4, max_size=4),
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    sequence=st.integers(1, 999_999),
)


def test_format_number() -> None:
    assert format_number("131024100", "K7M3", datetime(2026, 11, 3, 9), 42) == CANONICAL
    assert format_number("131024101", "ABCD", datetime(2027, 1, 1), 10_000) == "101-ABCD-2701-10000"


@given(numbers)
def test_round_trip(number: WorkOrderNumber) -> None:
    text = str(number)
    assert parse_number(text) == number
    assert parse_number(text.lower()) == number
    assert parse_number(text.replace("-", "")) == number
    assert str(parse_number(text)) == text


@pytest.mark.parametrize(
    "typed",
    [
        CANONICAL,
        "100-k7m3-2611-0042",  # lower case
        "１００－Ｋ７Ｍ３－２６１１－００４２",  # full-width (a Chinese input method)
        "１００ｋ７ｍ３２６１１００４２",
        "100K7M326110042",  # no dashes
        "100 K7M3 2611 0042",  # spaces
        "  100-K7M3-2611-0042\n",  # a scanner's newline
        "100 - K7M3 - 2611 - 0042",  # spaces around the dashes
        "100—K7M3—2611—0042",  # an em dash from a document
        "100_k7m3_2611_0042",
    ],
)
def test_sloppy_input_is_accepted(typed: str) -> None:
    assert parse_number(typed) == EXPECTED
    assert looks_like_number(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "张三",
        "13812345678",  # a phone number
        "131024194503120011",  # an ID number
        "100-K7M3-2613-0042",  # month 13
        "100-K7M3-2600-0042",  # month 0
        "100-K7M0-2611-0042",  # 0 is not in the alphabet (looks like O)
        "100-K7MI-2611-0042",  # nor I (looks like 1)
        "100-K7M-2611-0042",  # tag too short
        "10-K7M3-2611-0042",  # town too short
        "100-K7M3-2611-042",  # sequence too short
        "100-K7M3-2611-0042-1",
        "No.100-K7M3-2611-0042",
    ],
)
def test_garbage_is_refused(typed: str) -> None:
    assert parse_number(typed) is None
    assert not looks_like_number(typed)


def test_device_tags_avoid_look_alikes() -> None:
    for look_alike in "01OIL":
        assert look_alike not in DEVICE_ALPHABET
    tags = {new_device_tag() for _ in range(200)}
    assert all(is_device_tag(tag) for tag in tags)
    assert len(tags) > 190  # random, not a counter
    assert not is_device_tag("K7M") and not is_device_tag("K7M0")


def test_search_box_reads_a_typed_number_as_a_number() -> None:
    assert read_search("100k7m326110042") == read_search(CANONICAL)
    assert read_search("100k7m326110042").kind is SearchKind.NUMBER
    assert read_search("100k7m326110042").text == CANONICAL


# --- numbers handed out by the service --------------------------------------------------------------


def _register(ws: Workspace, received_at: datetime | None = None) -> str:
    village = PlaceService(ws).resolve_village("王刘圈村")
    draft = RequestDraft("phone", "repairs", "修水管", village.id, received_at=received_at)
    return RequestService(ws).register(draft).number


def test_numbers_name_the_town_device_and_month(ws: Workspace, clock) -> None:
    number = parse_number(_register(ws))
    assert number is not None
    assert number.town_digits == "102"  # 王刘圈村 is in 渠口镇 (131024102)
    assert number.device_tag == ws.device.tag
    assert (number.year, number.month, number.sequence) == (26, 11, 1)


def test_sequence_is_never_reused_even_after_cancelling(ws: Workspace) -> None:
    service = RequestService(ws)
    first = _register(ws)
    second = _register(ws)
    service.cancel(service.find_by_number(second).id, "重复登记")  # type: ignore[union-attr]
    third = _register(ws)
    sequences = [parse_number(n).sequence for n in (first, second, third)]  # type: ignore[union-attr]
    assert sequences == [1, 2, 3]
    # A refused intake (bad content) does not burn a number either way: the next one follows on.
    with pytest.raises(Exception, match="诉求内容"):
        RequestService(ws).register(RequestDraft("phone", "repairs", " ", service.get(1).village_id))
    assert parse_number(_register(ws)).sequence == 4  # type: ignore[union-attr]


def test_sequence_is_per_month(ws: Workspace) -> None:
    november = _register(ws)
    october = _register(ws, datetime(2026, 10, 31, 23, 59))
    november2 = _register(ws)
    assert october.split("-")[2:] == ["2610", "0001"]
    assert november.split("-")[2:] == ["2611", "0001"]
    assert november2.split("-")[2:] == ["2611", "0002"]


def test_many_requests_in_a_month_get_unique_numbers(ws: Workspace) -> None:
    numbers = [_register(ws) for _ in range(120)]
    assert len(set(numbers)) == 120
    assert [parse_number(n).sequence for n in numbers] == list(range(1, 121))  # type: ignore[union-attr]


def test_two_copies_never_produce_the_same_number(ws: Workspace, tmp_path: Path, clock) -> None:
    with Workspace.open(tmp_path / "village-laptop.db", clock=clock, actor="村录入员") as other:
        assert other.device.tag != ws.device.tag
        ours = {_register(ws) for _ in range(20)}
        theirs = {_register(other) for _ in range(20)}
    assert len(ours) == len(theirs) == 20
    assert not ours & theirs
    # Same town, month and sequences: only the device tag tells them apart.
    assert {n.split("-", 2)[2] for n in ours} == {n.split("-", 2)[2] for n in theirs}


def test_past_ten_thousand_the_sequence_grows_to_five_digits(ws: Workspace) -> None:
    ws.db.execute(
        "INSERT INTO number_sequences (device_tag, period, last) VALUES (?, '2611', 9999)", [ws.device.tag]
    )
    number = _register(ws)
    assert number.endswith("-2611-10000")
    assert parse_number(number).sequence == 10_000  # type: ignore[union-attr]
    service = RequestService(ws)
    found = service.find_by_number(number.lower().replace("-", " "))
    assert found is not None and found.number == number
    assert [r.number for r in service.list(RequestFilter(text=number.replace("-", "")))] == [number]


def test_typed_number_opens_its_request(ws: Workspace) -> None:
    number = _register(ws)
    service = RequestService(ws)
    for typed in (number, number.lower(), number.replace("-", ""), " ".join(number.split("-"))):
        found = service.find_by_number(typed)
        assert found is not None and found.number == number, typed
    assert service.find_by_number(number[:-1] + ("9" if number[-1] != "9" else "8")) is None
    assert service.find_by_number("张三") is None
