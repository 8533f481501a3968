"""The same person entered twice: found by ID number, name + birth date, a typo or a homophone; merged."""

from __future__ import annotations

from datetime import date

import pytest

from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services.duplicates import (
    ONE_CHAR,
    SAME_ID,
    SAME_NAME,
    SAME_SOUND,
    DuplicateService,
    likely_duplicates,
)
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService

BIRTH = date(1948, 3, 5)


@pytest.fixture
def village(ws):
    return PlaceService(ws).resolve_village("王刘圈村")


def _add(ws, village, name, **fields):
    return ResidentService(ws).add(ResidentDraft(name, village.id, **fields)).id


def test_likely_duplicates_for_a_new_entry(ws, village):
    exact = _add(ws, village, "王秀英", birth_date=BIRTH, phone="13900000001")
    sound = _add(ws, village, "章莉", birth_date=BIRTH)
    _add(ws, village, "王秀英", birth_date=date(1950, 1, 1))  # another 王秀英, born later: not her
    other_village = PlaceService(ws).resolve_village("石虎辛庄村")
    _add(ws, other_village, "王秀英", birth_date=BIRTH)  # same name elsewhere: not offered
    found = {m.resident.id: m.reason for m in likely_duplicates(ws, "王秀英", village.id, BIRTH)}
    assert found == {exact: SAME_NAME}
    assert {m.resident.id: m.reason for m in likely_duplicates(ws, "张丽", village.id, BIRTH)} == {
        sound: SAME_SOUND
    }
    assert {m.resident.id: m.reason for m in likely_duplicates(ws, "王季英", village.id, BIRTH)} == {
        exact: ONE_CHAR
    }
    assert likely_duplicates(ws, "王季英", village.id, date(1948, 3, 6)) == []
    # Excluding the record being edited itself.
    assert likely_duplicates(ws, "王秀英", village.id, BIRTH, exclude_id=exact) == []


def test_same_id_number_is_certain(ws, village):
    rid = _add(ws, village, "刘大爷", id_number="131024194501010012")
    [match] = likely_duplicates(ws, "刘老汉", village.id, id_number="131024194501010012")
    assert (match.resident.id, match.reason, match.certain) == (rid, SAME_ID, True)


def test_pairs_merge_and_dismiss(ws, village):
    keep = _add(ws, village, "赵桂兰", birth_date=BIRTH, phone="13900000002")
    drop = _add(ws, village, "赵桂兰", birth_date=BIRTH, address="前街3号", id_number="")
    other = _add(ws, village, "钱桂兰", birth_date=BIRTH)
    request = RequestService(ws).register(
        RequestDraft("phone", "repairs", "修窗户", village.id, resident_id=drop)
    )
    service = DuplicateService(ws)
    pairs = {(p.left.id, p.right.id): p.reason for p in service.pairs()}
    assert pairs[(keep, drop)] == SAME_NAME
    assert pairs[(keep, other)] == ONE_CHAR
    merged = service.merge(keep, drop)
    assert (merged.phone, merged.address) == ("13900000002", "前街3号")
    assert RequestService(ws).get(request.id).resident_id == keep
    assert ws.db.execute("SELECT deleted_at FROM residents WHERE id = ?", [drop]).fetchone()[0] is not None
    service.dismiss(keep, other)
    assert service.pairs() == []
    with pytest.raises(ValidationError):
        service.merge(keep, keep)


def test_different_id_numbers_are_never_merged(ws, village):
    a = _add(ws, village, "孙强", id_number="131024194501010012")
    b = _add(ws, village, "孙强", id_number="131024194501010039")
    with pytest.raises(ValidationError, match="身份证号不同"):
        DuplicateService(ws).merge(a, b)
