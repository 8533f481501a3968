"""Towns and villages as people name them: official, everyday and short forms, codes, repeats."""

from __future__ import annotations

import pytest

from xianghe_desk.domain.enums import VillageKind
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.places import short_village_name, town_aliases, village_aliases, village_kind
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace

LIUZHUANG_TOWNS = ("淑阳镇", "刘宋镇", "钱旺镇", "钳屯镇")


@pytest.fixture
def places(ws: Workspace) -> PlaceService:
    return PlaceService(ws)


def test_the_seeded_county(ws: Workspace, places: PlaceService) -> None:
    towns = places.towns()
    assert len(towns) == 11
    assert towns[0].name == "淑阳镇" and towns[0].code == "131024100"
    assert all(t.code.startswith("131024") and len(t.code) == 9 for t in towns)
    villages = places.villages(include_virtual=True)
    assert len(villages) == ws.villages.count() == 331
    kinds = [v.kind for v in villages]
    assert kinds.count(VillageKind.VILLAGE) == 300  # the county's 300 村民委员会
    assert kinds.count(VillageKind.COMMUNITY) == 30
    assert kinds.count(VillageKind.VIRTUAL) == 1
    assert len(places.villages()) == 330  # lists leave the virtual community out
    assert all(
        v.code and v.code.startswith(v_town.code)
        for v in villages
        for v_town in towns
        if v_town.id == v.town_id
    )
    assert len({v.code for v in villages}) == 331
    assert sum(1 for v in villages if v.town_name == "淑阳镇") == 78


@pytest.mark.parametrize(
    "typed",
    ["淑阳镇", "淑阳", "131024100", "100", " 淑阳镇 ", "１３１０２４１００", "淑 阳 镇"],
)
def test_resolve_town(places: PlaceService, typed: str) -> None:
    assert places.resolve_town(typed).code == "131024100"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("河北香河经济开发区", "131024500"),
        ("香河经济开发区", "131024500"),
        ("经济开发区", "131024500"),
        ("500", "131024500"),
        ("香河新兴产业示范区", "131024501"),
        ("新兴产业示范区", "131024501"),
        ("刘宋", "131024105"),
    ],
)
def test_resolve_town_other_forms(places: PlaceService, typed: str, code: str) -> None:
    assert places.resolve_town(typed).code == code


@pytest.mark.parametrize("typed", ["香河镇", "999", "131024999", "", "淑"])
def test_unknown_town_is_refused_with_the_choices(places: PlaceService, typed: str) -> None:
    with pytest.raises(NotFoundError) as info:
        places.resolve_town(typed)
    assert info.value.field == "town"
    assert "没有找到镇" in info.value.message
    assert "淑阳镇" in info.value.message and "钳屯镇" in info.value.message


@pytest.mark.parametrize(
    "typed",
    ["王刘圈村村民委员会", "王刘圈村", "王刘圈", "131024102201", "　王刘圈村　", "１３１０２４１０２２０１"],
)
@pytest.mark.parametrize("town", [None, "渠口镇", "渠口", "131024102"])
def test_resolve_village(places: PlaceService, typed: str, town: str | None) -> None:
    village = places.resolve_village(typed, town)
    assert (village.name, village.short_name, village.code) == (
        "王刘圈村村民委员会",
        "王刘圈村",
        "131024102201",
    )
    assert village.town_name == "渠口镇"
    assert village.kind is VillageKind.VILLAGE


@pytest.mark.parametrize(
    ("typed", "short"),
    [
        ("康宁社区居民委员会", "康宁社区"),
        ("康宁社区", "康宁社区"),
        ("康宁", "康宁社区"),
        ("大王庄村民委员会", "大王庄村"),  # the official name lacks the second 村
        ("大王庄村", "大王庄村"),
        ("北村", "北村"),
        ("河北香河家具城社区", "河北香河家具城社区"),
    ],
)
def test_resolve_village_other_forms(places: PlaceService, typed: str, short: str) -> None:
    assert places.resolve_village(typed, "淑阳镇" if short != "北村" else "刘宋镇").short_name == short


def test_village_town_object_is_accepted(places: PlaceService) -> None:
    town = places.resolve_town("刘宋镇")
    assert places.resolve_village("刘庄村", town).code == "131024105217"


def test_repeated_village_name_needs_a_town(places: PlaceService) -> None:
    with pytest.raises(ValidationError) as info:
        places.resolve_village("刘庄村")
    message = info.value.message
    assert info.value.field == "village"
    for town in LIUZHUANG_TOWNS:
        assert town in message
    assert "请同时填写所属镇" in message
    assert not isinstance(info.value, NotFoundError)
    codes = {places.resolve_village("刘庄村", town).code for town in LIUZHUANG_TOWNS}
    assert len(codes) == 4
    # The official name repeats the same way; the code is unique.
    with pytest.raises(ValidationError, match="多个镇"):
        places.resolve_village("刘庄村村民委员会")
    assert places.resolve_village("131024107212").town_name == "钱旺镇"


def test_stem_shared_by_a_community_and_a_village_asks_which(places: PlaceService) -> None:
    """段庄 in 淑阳镇 is both 段庄社区 and 段庄村."""
    for town in (None, "淑阳镇"):
        with pytest.raises(ValidationError) as info:
            places.resolve_village("段庄", town)
        assert "段庄社区" in info.value.message and "段庄村" in info.value.message
        assert "完整名称" in info.value.message
    assert places.resolve_village("段庄村", "淑阳镇").kind is VillageKind.VILLAGE
    assert places.resolve_village("段庄社区", "淑阳镇").kind is VillageKind.COMMUNITY


@pytest.mark.parametrize(
    ("typed", "town", "where"),
    [
        ("不存在村", None, "本县"),
        ("不存在村", "渠口镇", "渠口镇"),
        ("王刘圈村", "淑阳镇", "淑阳镇"),  # exists, but in another town
    ],
)
def test_unknown_village_says_where_it_looked(
    places: PlaceService, typed: str, town: str | None, where: str
) -> None:
    with pytest.raises(NotFoundError) as info:
        places.resolve_village(typed, town)
    assert info.value.field == "village"
    assert info.value.message.startswith(f"{where}没有名为「{typed}」的村街")
    assert "请检查名称" in info.value.message


def test_unknown_village_code(places: PlaceService) -> None:
    with pytest.raises(NotFoundError, match="131024102999"):
        places.resolve_village("131024102999")
    with pytest.raises(NotFoundError, match="131024102201"):
        places.resolve_village("131024102201", "淑阳镇")


def test_unknown_town_in_village_lookup(places: PlaceService) -> None:
    with pytest.raises(NotFoundError) as info:
        places.resolve_village("刘庄村", "不存在镇")
    assert info.value.field == "town"


# --- the pure name rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "short"),
    [
        ("王刘圈村村民委员会", "王刘圈村"),
        ("大王庄村民委员会", "大王庄村"),
        ("康宁社区居民委员会", "康宁社区"),
        ("北村村民委员会", "北村"),
        ("河北香河家具城社区", "河北香河家具城社区"),
        ("王刘圈村村委会", "王刘圈村"),
        ("康宁社区居委会", "康宁社区"),
        ("ＡＢ村村民委员会", "AB村"),
    ],
)
def test_short_village_name(official: str, short: str) -> None:
    assert short_village_name(official) == short


def test_aliases() -> None:
    assert village_aliases("王刘圈村村民委员会") == {"王刘圈村村民委员会", "王刘圈村", "王刘圈"}
    assert village_aliases("北村村民委员会") == {
        "北村村民委员会",
        "北村",
    }  # a one-character stem is too short
    assert village_aliases("康宁社区居民委员会") == {"康宁社区居民委员会", "康宁社区", "康宁"}
    assert town_aliases("淑阳镇") == {"淑阳镇", "淑阳"}
    assert town_aliases("河北香河经济开发区") == {"河北香河经济开发区", "香河经济开发区", "经济开发区"}


@pytest.mark.parametrize(
    ("official", "code", "kind"),
    [
        ("王刘圈村村民委员会", "131024102201", VillageKind.VILLAGE),
        ("康宁社区居民委员会", "131024100001", VillageKind.COMMUNITY),
        ("河北香河家具城社区", "131024100401", VillageKind.COMMUNITY),
        ("河北香河经济开发区虚拟社区", "131024500498", VillageKind.VIRTUAL),
        ("大王庄村民委员会", "131024100213", VillageKind.VILLAGE),
    ],
)
def test_village_kind(official: str, code: str, kind: VillageKind) -> None:
    assert village_kind(official, code) is kind
