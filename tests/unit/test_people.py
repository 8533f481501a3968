"""Residents and grid members through the services: derived fields, refusals, duplicates."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from xianghe_desk.domain.drafts import MemberDraft, ResidentDraft
from xianghe_desk.domain.enums import CareTag, Living, MemberKind, MemberRole, Sex
from xianghe_desk.domain.errors import ConflictError, NotFoundError, ValidationError
from xianghe_desk.domain.models import Village
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.people import MemberService, ResidentService, mask_id_number
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace


def make_id(birth: date, seq: int = 1, area: str = "131024") -> str:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@pytest.fixture
def village(ws: Workspace) -> Village:
    return PlaceService(ws).resolve_village("王刘圈村")


@pytest.fixture
def residents(ws: Workspace) -> ResidentService:
    return ResidentService(ws)


@pytest.fixture
def members(ws: Workspace) -> MemberService:
    return MemberService(ws)


def _refused(call, field: str) -> ValidationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        call()
    fields = [f for f, _m in info.value.problems]
    assert field in fields, (fields, info.value.message)
    assert info.value.message
    return info.value


# --- residents ----------------------------------------------------------------------------------


def test_sex_and_birth_date_come_from_the_id_number(residents: ResidentService, village: Village) -> None:
    man = residents.add(ResidentDraft("张德顺", village.id, id_number=make_id(date(1945, 3, 12), 1)))
    woman = residents.add(ResidentDraft("李秀英", village.id, id_number=make_id(date(1950, 12, 31), 2)))
    assert man.warnings == ()
    got = residents.get(man.id)
    assert (got.sex, got.birth_date) == (Sex.MALE, date(1945, 3, 12))
    assert got.age_on(date(2026, 11, 26)) == 81
    assert got.town_name == "渠口镇" and got.village_name == "王刘圈村"
    got = residents.get(woman.id)
    assert (got.sex, got.birth_date) == (Sex.FEMALE, date(1950, 12, 31))
    assert got.age_on(date(2026, 11, 26)) == 75


def test_old_county_code_is_fine_for_the_elderly(residents: ResidentService, village: Village) -> None:
    """Before 1988 the county's code was 132823: no warning for those numbers."""
    saved = residents.add(
        ResidentDraft("王老汉", village.id, id_number=make_id(date(1938, 5, 1), 11, "132823"))
    )
    assert saved.warnings == ()


def test_unknown_area_code_is_only_a_warning(residents: ResidentService, village: Village) -> None:
    saved = residents.add(
        ResidentDraft("赵外地", village.id, id_number=make_id(date(1960, 1, 1), 3, "139999"))
    )
    assert saved.warnings and "地区码" in saved.warnings[0]
    assert residents.get(saved.id).id_number == make_id(date(1960, 1, 1), 3, "139999")


@pytest.mark.parametrize(
    ("id_number", "words"),
    [
        (make_id(date(1945, 3, 12))[:-1] + ("0" if make_id(date(1945, 3, 12))[-1] != "0" else "1"), "校验位"),
        ("131024194502300012", "出生日期 19450230 不存在"),
        ("131024194513010012", "不存在"),
        (make_id(date(2027, 1, 5)), "在今天之后"),
        (make_id(date(1890, 1, 1)), "超过 120 岁"),
        ("13102419450312001", "应为 18 位"),
        ("131024450312001", "15 位"),
        ("1.31024E+17", "位数"),
        ("13102419450312X011", "只有最后一位"),
    ],
)
def test_bad_id_numbers_are_refused(
    ws: Workspace, residents: ResidentService, village: Village, id_number: str, words: str
) -> None:
    before = residents.count()
    error = _refused(
        lambda: residents.add(ResidentDraft("张德顺", village.id, id_number=id_number)), "id_number"
    )
    assert error.field == "id_number"
    assert words in error.message, error.message
    assert residents.count() == before


def test_future_birth_date_without_id_number(residents: ResidentService, village: Village) -> None:
    error = _refused(
        lambda: residents.add(ResidentDraft("张德顺", village.id, birth_date=date(2026, 12, 1))), "birth_date"
    )
    assert "晚于今天" in error.message


def test_sex_or_birth_date_that_contradict_the_id_number(
    residents: ResidentService, village: Village
) -> None:
    number = make_id(date(1945, 3, 12), 1)  # a man
    error = _refused(
        lambda: residents.add(ResidentDraft("张德顺", village.id, id_number=number, sex=Sex.FEMALE)), "sex"
    )
    assert "男" in error.message
    error = _refused(
        lambda: residents.add(
            ResidentDraft("张德顺", village.id, id_number=number, birth_date=date(1945, 3, 13))
        ),
        "birth_date",
    )
    assert "1945-03-12" in error.message
    # Agreeing values are fine.
    saved = residents.add(
        ResidentDraft("张德顺", village.id, id_number=number, sex=Sex.MALE, birth_date=date(1945, 3, 12))
    )
    assert residents.get(saved.id).sex is Sex.MALE


def test_every_problem_of_a_form_is_reported_at_once(residents: ResidentService, village: Village) -> None:
    with pytest.raises(ValidationError) as info:
        residents.add(ResidentDraft("", village.id, id_number="123", phone="12345", emergency_phone="999"))
    fields = [f for f, _ in info.value.problems]
    assert fields == ["name", "id_number", "phone", "emergency_phone"]
    assert "紧急联系电话" in info.value.message


def test_duplicate_id_number_names_the_person_already_there(
    residents: ResidentService, village: Village
) -> None:
    number = make_id(date(1945, 3, 12), 1)
    first = residents.add(ResidentDraft("张德顺", village.id, id_number=number))
    other_village = PlaceService(residents.ws).resolve_village("刘庄村", "淑阳镇")
    with pytest.raises(ConflictError) as info:
        residents.add(ResidentDraft("张得顺", other_village.id, id_number=number.lower()))
    message = info.value.message
    assert info.value.field == "id_number"
    assert "王刘圈村" in message and "张德顺" in message
    assert number not in message and mask_id_number(number) in message
    assert residents.count() == 1
    # Editing the person with their own number is fine; taking someone else's is not.
    second = residents.add(ResidentDraft("李秀英", village.id, id_number=make_id(date(1950, 1, 1), 2)))
    residents.update(first.id, ResidentDraft("张德顺", village.id, id_number=number, phone="13812345678"))
    assert residents.get(first.id).phone == "13812345678"
    with pytest.raises(ConflictError, match="张德顺"):
        residents.update(second.id, ResidentDraft("李秀英", village.id, id_number=number))


def test_full_width_and_spaced_input_is_normalised(residents: ResidentService, village: Village) -> None:
    number = make_id(date(1939, 8, 9), 7)
    if not number.endswith("X"):
        number = next(
            make_id(date(1939, 8, 9), s) for s in range(1, 999) if make_id(date(1939, 8, 9), s).endswith("X")
        )
    typed_id = _full_width(number[:6]) + " " + number[6:14] + " " + number[14:].lower()
    saved = residents.add(
        ResidentDraft(
            "　张　德顺 ",
            village.id,
            id_number=typed_id,
            phone="１３８ １２３４ ５６７８",
            emergency_phone="5123456",
            emergency_name=" 张小明 ",
            address="  王刘圈村　东街 8 号 ",
        )
    )
    got = residents.get(saved.id)
    assert got.name == "张德顺"
    assert got.id_number == number and got.id_number.endswith("X")
    assert got.phone == "13812345678"
    assert got.emergency_phone == "0316-5123456"
    assert got.emergency_name == "张小明"
    assert got.address == "王刘圈村 东街 8 号"
    assert residents.by_id_number(number) == got


def test_care_tags_and_living_round_trip(residents: ResidentService, village: Village) -> None:
    tags = (CareTag.ELDERLY_ALONE, CareTag.DIBAO, CareTag.ELDERLY_ALONE)
    saved = residents.add(ResidentDraft("孙桂兰", village.id, care_tags=tags, living=Living.ALONE))
    got = residents.get(saved.id)
    assert got.care_tags == (CareTag.ELDERLY_ALONE, CareTag.DIBAO)
    assert got.living is Living.ALONE
    assert [r.id for r in residents.list(PersonFilter(care_tag="dibao"))] == [saved.id]
    assert residents.list(PersonFilter(care_tag="disabled")) == []


def test_resident_place_must_exist_and_fit(
    ws: Workspace, residents: ResidentService, village: Village
) -> None:
    error = _refused(lambda: residents.add(ResidentDraft("张德顺", 999999)), "village")
    assert isinstance(error, NotFoundError)
    other = PlaceService(ws).resolve_village("康宁社区")
    grid = PlaceService(ws).add_grid(other.id, "第一网格")
    error = _refused(lambda: residents.add(ResidentDraft("张德顺", village.id, grid_id=grid)), "grid")
    assert "网格不属于这个村街" in error.message
    assert residents.count() == 0


def test_likely_duplicates_without_id_number(residents: ResidentService, village: Village) -> None:
    saved = residents.add(ResidentDraft("张德顺", village.id, birth_date=date(1945, 3, 12)))
    same = residents.likely_duplicates(ResidentDraft("张德顺", village.id, birth_date=date(1945, 3, 12)))
    assert [r.id for r in same] == [saved.id]
    assert residents.likely_duplicates(ResidentDraft("张德顺", village.id, birth_date=date(1950, 1, 1))) == []


# --- members ------------------------------------------------------------------------------------


def test_member_phone_is_required(members: MemberService, village: Village) -> None:
    error = _refused(lambda: members.add(MemberDraft("李建国", "", village.town_id, village.id)), "phone")
    assert "手机号" in error.message
    _refused(lambda: members.add(MemberDraft("李建国", "12345", village.town_id, village.id)), "phone")
    assert members.count() == 0


def test_member_phone_is_unique_per_town(ws: Workspace, members: MemberService, village: Village) -> None:
    first = members.add(MemberDraft("李建国", "13812345678", village.town_id, village.id))
    with pytest.raises(ConflictError) as info:
        members.add(MemberDraft("王建国", "138 1234 5678", village.town_id, village.id))
    assert info.value.field == "phone" and "李建国" in info.value.message
    # Someone in another town may have the same number (a cadre working in two towns …).
    other = PlaceService(ws).resolve_village("刘庄村", "淑阳镇")
    members.add(MemberDraft("李建国", "13812345678", other.town_id, other.id))
    assert members.count() == 2
    second = members.add(MemberDraft("王秀英", "13912345678", village.town_id, village.id))
    with pytest.raises(ConflictError, match="李建国"):
        members.update(second.id, MemberDraft("王秀英", "13812345678", village.town_id, village.id))
    members.update(first.id, MemberDraft("李建国", "13812345678", village.town_id, village.id, is_party=True))
    assert members.get(first.id).is_party


def test_member_fields_round_trip(ws: Workspace, members: MemberService, village: Village) -> None:
    places = PlaceService(ws)
    grids = (places.add_grid(village.id, "第一网格"), places.add_grid(village.id, "第二网格"))
    saved = members.add(
        MemberDraft(
            " 李 建国 ",
            "+86 138 1234 5678",
            village.town_id,
            village.id,
            kind=MemberKind.FULL_TIME,
            role=MemberRole.GRID_HEAD,
            is_party=True,
            id_number=make_id(date(1975, 6, 1), 5).lower(),
            grid_ids=(grids[0], grids[1], grids[0]),
        )
    )
    got = members.get(saved.id)
    assert (got.name, got.phone, got.kind, got.role, got.is_party) == (
        "李建国",
        "13812345678",
        MemberKind.FULL_TIME,
        MemberRole.GRID_HEAD,
        True,
    )
    assert got.grid_ids == grids and got.grid_names == ("第一网格", "第二网格")
    assert got.id_number == make_id(date(1975, 6, 1), 5)
    assert [m.id for m in members.of_grid(grids[1])] == [saved.id]
    assert members.default_handler(grids[0]) == got


def test_member_bad_id_number_and_place(ws: Workspace, members: MemberService, village: Village) -> None:
    _refused(
        lambda: members.add(MemberDraft("李建国", "13812345678", village.town_id, id_number="131024")),
        "id_number",
    )
    other_town = PlaceService(ws).resolve_town("淑阳镇")
    error = _refused(
        lambda: members.add(MemberDraft("李建国", "13812345678", other_town.id, village.id)), "village"
    )
    assert "不属于这个镇" in error.message
    _refused(lambda: members.add(MemberDraft("李建国", "13812345678", 999999)), "town")
    assert members.count() == 0


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("131024194503120011", "131024********0011"),
        ("13102419450312001X", "131024********001X"),
        ("", ""),
        (None, ""),
        ("12345", "12345"),
    ],
)
def test_mask_id_number(number: str | None, masked: str) -> None:
    assert mask_id_number(number) == masked
