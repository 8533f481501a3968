"""List queries on the small demo: filters, paging, sorting and search agree with plain Python."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest

from tests.conftest import FIXED_NOW
from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft
from xianghe_desk.domain.enums import CareTag, Status, Urgency
from xianghe_desk.domain.models import Member, Resident, ServiceRequest
from xianghe_desk.domain.pinyin import name_initials, name_pinyin
from xianghe_desk.domain.queries import REQUEST_SORT_KEYS, PersonFilter, RequestFilter, Sort
from xianghe_desk.services.people import MemberService, ResidentService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import reverse_digits

ALL = 10**6


@pytest.fixture(scope="module")
def demo(small_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A read-only copy of the small demo shared by this module, at the fixed clock."""
    path = tmp_path_factory.mktemp("queries") / "demo.db"
    shutil.copy(small_demo, path)
    workspace = Workspace.open(path, clock=lambda: FIXED_NOW, actor="测试文员")
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def rows(demo: Workspace) -> list[ServiceRequest]:
    everything = RequestService(demo).list(RequestFilter(), limit=ALL)
    assert len(everything) == demo.requests.count_all() >= 1000
    return everything


@pytest.fixture(scope="module")
def residents(demo: Workspace) -> dict[int, Resident]:
    return {r.id: r for r in ResidentService(demo).list(PersonFilter(), 0, ALL)}


def _ids(service: RequestService, flt: RequestFilter) -> set[int]:
    found = [r.id for r in service.list(flt, limit=ALL)]
    assert len(found) == len(set(found))
    return set(found)


def _most_common(values: list[object]) -> object:
    return Counter(v for v in values if v is not None).most_common(1)[0][0]


def _open(r: ServiceRequest) -> bool:
    return r.status.is_open


# --- filters ------------------------------------------------------------------------------------


def _filter_cases(
    rows: list[ServiceRequest],
) -> dict[str, tuple[RequestFilter, Callable[[ServiceRequest], bool]]]:
    village = _most_common([r.village_id for r in rows])
    grid = _most_common([r.grid_id for r in rows])
    handler = _most_common([r.handler_id for r in rows])
    resident = _most_common([r.resident_id for r in rows])
    category = _most_common([r.category for r in rows])
    channel = _most_common([r.channel for r in rows])
    end_of_day = datetime.combine(FIXED_NOW.date(), time.max)
    june, july5 = date(2026, 6, 1), date(2026, 7, 5)
    return {
        "village": (RequestFilter(village_id=village), lambda r: r.village_id == village),  # type: ignore[arg-type]
        "grid": (RequestFilter(grid_id=grid), lambda r: r.grid_id == grid),  # type: ignore[arg-type]
        "handler": (RequestFilter(handler_id=handler), lambda r: r.handler_id == handler),  # type: ignore[arg-type]
        "resident": (RequestFilter(resident_id=resident), lambda r: r.resident_id == resident),  # type: ignore[arg-type]
        "statuses": (
            RequestFilter(statuses=(Status.RECEIVED, Status.IN_PROGRESS)),
            lambda r: r.status in (Status.RECEIVED, Status.IN_PROGRESS),
        ),
        "category": (RequestFilter(category=category), lambda r: r.category == category),  # type: ignore[arg-type]
        "category_group": (RequestFilter(category_group="home"), lambda r: r.category_group == "home"),
        "channel": (RequestFilter(channel=channel), lambda r: r.channel == channel),  # type: ignore[arg-type]
        "urgency": (RequestFilter(urgency=Urgency.URGENT), lambda r: r.urgency is Urgency.URGENT),
        "received_range": (
            RequestFilter(received_from=june, received_to=date(2026, 6, 30)),
            lambda r: june <= r.received_at.date() <= date(2026, 6, 30),
        ),
        "completed_range": (
            RequestFilter(completed_from=june, completed_to=july5),
            lambda r: r.completed_at is not None and june <= r.completed_at.date() <= july5,
        ),
        "overdue": (RequestFilter(overdue_only=True), lambda r: _open(r) and r.due_at < FIXED_NOW),
        "due_today": (
            RequestFilter(due_today=True),
            lambda r: _open(r) and FIXED_NOW <= r.due_at <= end_of_day,
        ),
        "not_printed": (
            RequestFilter(not_printed=True),
            lambda r: r.status is Status.DISPATCHED and r.printed_at is None,
        ),
        "combined": (
            RequestFilter(village_id=village, statuses=(Status.CLOSED,), category_group="agent"),  # type: ignore[arg-type]
            lambda r: r.village_id == village and r.status is Status.CLOSED and r.category_group == "agent",
        ),
    }


FILTER_NAMES = [
    "village",
    "grid",
    "handler",
    "resident",
    "statuses",
    "category",
    "category_group",
    "channel",
    "urgency",
    "received_range",
    "completed_range",
    "overdue",
    "due_today",
    "not_printed",
    "combined",
]
# Filters the small demo must give rows for (due_today and not_printed depend on the moment).
MUST_MATCH = set(FILTER_NAMES) - {"due_today", "not_printed"}


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_filter_agrees_with_python(demo: Workspace, rows: list[ServiceRequest], name: str) -> None:
    flt, keep = _filter_cases(rows)[name]
    service = RequestService(demo)
    expected = {r.id for r in rows if keep(r)}
    assert _ids(service, flt) == expected
    assert service.count(flt) == len(expected)
    assert len(expected) < len(rows), "the filter does not narrow the list"
    if name in MUST_MATCH:
        assert expected, "the demo should have rows for this filter"
    # The filtered rows are the same objects the unfiltered list shows.
    by_id = {r.id: r for r in rows}
    for row in service.list(flt, limit=20):
        assert row == by_id[row.id]


def test_town_filter(demo: Workspace, rows: list[ServiceRequest]) -> None:
    service = RequestService(demo)
    towns = {r.town_id for r in rows}
    assert len(towns) == 1  # the small demo is one town
    (town,) = towns
    assert service.count(RequestFilter(town_id=town)) == len(rows)
    other = next(t.id for t in demo.towns.all() if t.id != town)
    assert service.count(RequestFilter(town_id=other)) == 0
    assert service.list(RequestFilter(town_id=other)) == []


# --- paging -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flt",
    [RequestFilter(), RequestFilter(statuses=(Status.CLOSED,)), RequestFilter(text="z")],
    ids=["all", "closed", "search"],
)
def test_pages_cover_the_list_without_duplicates_or_gaps(demo: Workspace, flt: RequestFilter) -> None:
    service = RequestService(demo)
    total = service.count(flt)
    assert total > 0
    for sort in (Sort(), Sort("status", descending=False), Sort("satisfaction")):
        seen: list[int] = []
        offset = 0
        while True:
            page = service.list(flt, sort, offset=offset, limit=97)
            if not page:
                break
            assert len(page) <= 97
            seen += [r.id for r in page]
            offset += len(page)
        assert len(seen) == total == len(set(seen))
        assert seen == service.ids(flt, sort)
    assert service.list(flt, offset=total, limit=10) == []


# --- sorting ------------------------------------------------------------------------------------

SORT_VALUE: dict[str, Callable[[ServiceRequest], object]] = {
    "number": lambda r: r.number,
    "received_at": lambda r: r.received_at,
    "due_at": lambda r: r.due_at,
    "status": lambda r: r.status.value,
    "urgency": lambda r: r.urgency.value,
    "category": lambda r: r.category,
    "channel": lambda r: r.channel,
    "town": lambda r: r.town_id,
    "village": lambda r: r.village_id,
    "grid": lambda r: r.grid_id,
    "person_name": lambda r: name_initials(r.person_name) if r.person_name else "",
    "handler": lambda r: r.handler_id,
    "completed_at": lambda r: r.completed_at,
    "satisfaction": lambda r: r.satisfaction.value if r.satisfaction else None,
}


# Sorts on a column with few values break ties by the second column of that column's index
# (store/requests._SORT_COLUMNS), so that the index gives the whole order.
SORT_SECOND: dict[str, Callable[[ServiceRequest], object]] = {
    "status": lambda r: r.due_at,
    "urgency": lambda r: r.received_at,
    "category": lambda r: r.received_at,
    "channel": lambda r: r.received_at,
    "town": lambda r: r.received_at,
    "village": lambda r: r.received_at,
    "grid": lambda r: r.received_at,
    "handler": lambda r: r.status.value,
}


def test_every_sort_key_has_a_python_reference() -> None:
    assert set(REQUEST_SORT_KEYS) <= set(SORT_VALUE)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", REQUEST_SORT_KEYS)
def test_sort_by_every_key(demo: Workspace, rows: list[ServiceRequest], key: str, descending: bool) -> None:
    value = SORT_VALUE[key]

    second = SORT_SECOND.get(key, lambda r: 0)

    def python_key(r: ServiceRequest) -> tuple[bool, object, object, int]:
        v = value(r)
        # SQLite puts NULL first in ascending order; ties are broken by the second column of the
        # sort's index (issue #13: keyset pages seek through it), then by id, in the same direction.
        return (v is not None, v if v is not None else 0, second(r), r.id)

    expected = [r.id for r in sorted(rows, key=python_key, reverse=descending)]
    service = RequestService(demo)
    sort = Sort(key, descending)
    assert service.ids(RequestFilter(), sort) == expected
    assert [r.id for r in service.list(RequestFilter(), sort, limit=50)] == expected[:50]
    assert [r.id for r in service.list(RequestFilter(), sort, offset=700, limit=50)] == expected[700:750]


def test_unknown_sort_key_falls_back_to_received_time(demo: Workspace) -> None:
    service = RequestService(demo)
    assert service.ids(RequestFilter(), Sort("no_such_key")) == service.ids(
        RequestFilter(), Sort("received_at")
    )


# --- search -------------------------------------------------------------------------------------


def _search_expected(
    rows: list[ServiceRequest], residents: dict[int, Resident], kind: str, q: str
) -> set[int]:
    """What the request search promises, in Python: name, pinyin, phone, ID number."""
    out = set()
    for r in rows:
        resident = residents.get(r.resident_id) if r.resident_id else None
        if kind == "text":
            hit = r.person_name.startswith(q) or (resident is not None and q in resident.name)
        elif kind == "latin":
            hit = (bool(r.person_name) and name_initials(r.person_name).startswith(q)) or (
                resident is not None and name_pinyin(resident.name).startswith(q)
            )
        else:  # digits
            hit = (
                r.person_phone.startswith(q)
                or reverse_digits(r.person_phone).startswith(q[::-1])
                or (r.person_id_number or "").startswith(q)
            )
        if hit:
            out.add(r.id)
    return out


@pytest.fixture(scope="module")
def person(rows: list[ServiceRequest], residents: dict[int, Resident]) -> ServiceRequest:
    """A request of a resident with a mobile phone and an ID number (the demo has many)."""
    return next(
        r
        for r in rows
        if r.resident_id
        and len(r.person_phone) == 11
        and r.person_id_number
        and r.person_name == residents[r.resident_id].name
        and len(r.person_name) == 3
    )


SEARCH_CASES: list[tuple[str, str, Callable[[ServiceRequest], str]]] = [
    ("name", "text", lambda p: p.person_name),
    ("surname only", "text", lambda p: p.person_name[0]),
    ("given name (through the resident)", "text", lambda p: p.person_name[1:]),
    ("initials", "latin", lambda p: name_initials(p.person_name)),
    ("initials upper case", "latin", lambda p: name_initials(p.person_name).upper()),
    ("surname initial", "latin", lambda p: name_initials(p.person_name)[0]),
    ("full pinyin prefix", "latin", lambda p: name_pinyin(p.person_name)[:-1]),
    ("phone prefix", "digits", lambda p: p.person_phone[:7]),
    ("phone last four", "digits", lambda p: p.person_phone[-4:]),
    ("ID number prefix", "digits", lambda p: (p.person_id_number or "")[:10]),
    ("whole ID number", "digits", lambda p: p.person_id_number or ""),
]


@pytest.mark.parametrize(("kind", "typing"), [c[1:] for c in SEARCH_CASES], ids=[c[0] for c in SEARCH_CASES])
def test_request_search(
    demo: Workspace,
    rows: list[ServiceRequest],
    residents: dict[int, Resident],
    person: ServiceRequest,
    kind: str,
    typing: Callable[[ServiceRequest], str],
) -> None:
    typed = typing(person)
    q = typed.lower() if kind == "latin" else typed
    expected = _search_expected(rows, residents, kind, q)
    found = _ids(RequestService(demo), RequestFilter(text=typed))
    assert person.id in found
    assert found == expected
    assert RequestService(demo).count(RequestFilter(text=typed)) == len(expected)
    assert len(found) < len(rows)


def test_search_by_sloppily_typed_number(demo: Workspace, person: ServiceRequest) -> None:
    service = RequestService(demo)
    number = person.number
    for typed in (
        number.lower(),
        number.replace("-", ""),
        " ".join(number.split("-")),
        number.lower().replace("-", ""),
    ):
        assert [r.id for r in service.list(RequestFilter(text=typed))] == [person.id], typed
        assert service.count(RequestFilter(text=typed)) == 1
    assert service.list(RequestFilter(text=number[:-1] + "0000")) == [] or number.endswith("0000")


def test_search_with_nothing_found(demo: Workspace) -> None:
    service = RequestService(demo)
    for typed in ("鬾鬾", "qqqqqqqq", "99999999999"):
        assert service.list(RequestFilter(text=typed)) == []
        assert service.count(RequestFilter(text=typed)) == 0
    assert service.count(RequestFilter(text="   ")) == len(service.ids(RequestFilter()))


def test_surname_readings_in_search(demo_ws: Workspace) -> None:
    """单 as a surname reads shàn: 「s…」 finds 单 people, 「d…」 does not."""
    village = demo_ws.villages.get(RequestService(demo_ws).list(RequestFilter(), limit=1)[0].village_id)
    assert village is not None
    residents = ResidentService(demo_ws)
    saved = residents.add(ResidentDraft("单秀珍", village.id, phone="13912340001"))
    requests = RequestService(demo_ws)
    request = requests.register(RequestDraft("phone", "repairs", "修门", village.id, resident_id=saved.id))
    assert request.id in _ids(requests, RequestFilter(text="sxz"))
    assert request.id in _ids(requests, RequestFilter(text="shanxiu"))
    assert request.id not in _ids(requests, RequestFilter(text="dxz"))
    assert request.id not in _ids(requests, RequestFilter(text="danxiu"))
    assert saved.id in {r.id for r in residents.list(PersonFilter(text="sxz"), 0, ALL)}
    assert saved.id not in {r.id for r in residents.list(PersonFilter(text="dxz"), 0, ALL)}


def test_landline_prefix_search(demo: Workspace, rows: list[ServiceRequest]) -> None:
    landline = next(r for r in rows if r.person_phone.startswith("0316-"))
    typed = landline.person_phone.replace("-", "")[:8]
    assert landline.id in _ids(RequestService(demo), RequestFilter(text=typed))


# --- residents and members ----------------------------------------------------------------------


def test_resident_filters_and_paging(demo: Workspace, residents: dict[int, Resident]) -> None:
    service = ResidentService(demo)
    people = list(residents.values())
    assert service.count() == len(people) >= 300
    village = _most_common([p.village_id for p in people])
    grid = _most_common([p.grid_id for p in people])
    cases: list[tuple[PersonFilter, Callable[[Resident], bool]]] = [
        (PersonFilter(village_id=village), lambda p: p.village_id == village),  # type: ignore[arg-type]
        (PersonFilter(grid_id=grid), lambda p: p.grid_id == grid),  # type: ignore[arg-type]
        (PersonFilter(care_tag=CareTag.ELDERLY_ALONE.value), lambda p: CareTag.ELDERLY_ALONE in p.care_tags),
        (PersonFilter(care_tag=CareTag.DIBAO.value), lambda p: CareTag.DIBAO in p.care_tags),
        (
            PersonFilter(village_id=village, care_tag=CareTag.DISABLED.value),  # type: ignore[arg-type]
            lambda p: p.village_id == village and CareTag.DISABLED in p.care_tags,
        ),
    ]
    for flt, keep in cases:
        expected = {p.id for p in people if keep(p)}
        found = [p.id for p in service.list(flt, 0, ALL)]
        assert set(found) == expected and len(found) == len(expected), flt
        assert 0 < len(expected) < len(people), flt
        assert service.count(flt) == len(expected)
    # Pages in pinyin order, no duplicates or gaps.
    paged: list[int] = []
    while page := service.list(PersonFilter(), len(paged), 61):
        paged += [p.id for p in page]
    assert paged == [p.id for p in service.list(PersonFilter(), 0, ALL)]
    assert len(set(paged)) == len(people)
    keys = [(name_pinyin(residents[i].name), i) for i in paged]
    assert keys == sorted(keys)


def _resident_search_expected(people: list[Resident], typed: str) -> set[int]:
    q = typed.strip()
    out = set()
    for p in people:
        if q.isascii() and q.isalpha():
            hit = name_initials(p.name).startswith(q.lower()) or name_pinyin(p.name).startswith(q.lower())
        elif q.isdigit():
            hit = (
                p.phone.startswith(q)
                or reverse_digits(p.phone).startswith(q[::-1])
                or (p.id_number or "").startswith(q)
            )
        else:
            hit = q in p.name
        if hit:
            out.add(p.id)
    return out


def test_resident_search(demo: Workspace, residents: dict[int, Resident]) -> None:
    service = ResidentService(demo)
    people = list(residents.values())
    target = next(p for p in people if len(p.phone) == 11 and p.id_number and len(p.name) == 3)
    for typed in (
        target.name,
        target.name[0],
        target.name[1:],
        name_initials(target.name),
        name_pinyin(target.name)[:-1],
        target.phone[:7],
        target.phone[-4:],
        target.id_number[:12],  # type: ignore[index]
    ):
        expected = _resident_search_expected(people, typed)
        found = {p.id for p in service.list(PersonFilter(text=typed), 0, ALL)}
        assert target.id in found, typed
        assert found == expected, typed
        assert service.count(PersonFilter(text=typed)) == len(expected)


def test_member_filters_search_and_paging(demo: Workspace) -> None:
    service = MemberService(demo)
    members: list[Member] = service.list(PersonFilter(), 0, ALL)
    assert service.count() == len(members) >= 50
    inactive = [m for m in members if not m.active]
    assert inactive, "the demo has members who left"
    assert {m.id for m in service.list(PersonFilter(active_only=True), 0, ALL)} == {
        m.id for m in members if m.active
    }
    village = _most_common([m.village_id for m in members])
    assert {m.id for m in service.list(PersonFilter(village_id=village), 0, ALL)} == {  # type: ignore[arg-type]
        m.id for m in members if m.village_id == village
    }
    grid = _most_common([g for m in members for g in m.grid_ids])
    assert {m.id for m in service.list(PersonFilter(grid_id=grid), 0, ALL)} == {  # type: ignore[arg-type]
        m.id for m in members if grid in m.grid_ids
    }
    town = members[0].town_id
    assert service.count(PersonFilter(town_id=town)) == sum(m.town_id == town for m in members)
    paged: list[int] = []
    while page := service.list(PersonFilter(), len(paged), 13):
        paged += [m.id for m in page]
    assert len(paged) == len(set(paged)) == len(members)
    target = next(m for m in members if len(m.name) >= 2)
    for typed, keep in (
        (target.name, lambda m: target.name in m.name),
        (target.name[0], lambda m: target.name[0] in m.name),
        (
            name_initials(target.name),
            lambda m: (
                name_initials(m.name).startswith(name_initials(target.name))
                or name_pinyin(m.name).startswith(name_initials(target.name))
            ),
        ),
        (name_pinyin(target.name), lambda m: name_pinyin(m.name).startswith(name_pinyin(target.name))),
        (target.phone[:7], lambda m: m.phone.startswith(target.phone[:7])),
        (target.phone, lambda m: m.phone == target.phone),
    ):
        found = {m.id for m in service.list(PersonFilter(text=typed), 0, ALL)}
        assert target.id in found, typed
        assert found == {m.id for m in members if keep(m)}, typed
