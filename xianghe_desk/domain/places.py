"""Names of towns and villages as people write them: official, everyday and shortened forms."""

from __future__ import annotations

import unicodedata

from xianghe_desk.domain.enums import VillageKind

_OFFICIAL_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "").strip()


def short_village_name(official: str) -> str:
    """王刘圈村村民委员会 → 王刘圈村; 康宁社区居民委员会 → 康宁社区; others unchanged."""
    name = _fold(official)
    for suffix in _OFFICIAL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("村") and not stem.endswith(("村", "社区")):
                stem += "村"
            return stem
    return name


def village_kind(official: str, code: str | None = None) -> VillageKind:
    name = _fold(official)
    if "虚拟" in name:
        return VillageKind.VIRTUAL
    if name.endswith("居民委员会") or name.endswith("社区"):
        return VillageKind.COMMUNITY
    if code and len(code) == 12 and code[9] in "01234" and "村" not in name:
        return VillageKind.COMMUNITY
    return VillageKind.VILLAGE


def village_aliases(official: str) -> set[str]:
    """Every form that names this village: 王刘圈村村民委员会, 王刘圈村, 王刘圈."""
    name = _fold(official)
    short = short_village_name(name)
    aliases = {name, short}
    for tail in ("村", "社区"):
        if short.endswith(tail) and len(short) - len(tail) >= 2:
            aliases.add(short[: -len(tail)])
    return aliases


def town_aliases(name: str) -> set[str]:
    """淑阳镇 → {淑阳镇, 淑阳}; 河北香河经济开发区 → also 香河经济开发区, 经济开发区."""
    name = _fold(name)
    aliases = {name}
    if name.endswith(("镇", "乡")) and len(name) > 2:
        aliases.add(name[:-1])
    if name.startswith("河北"):
        aliases.add(name[2:])
    if name.startswith("河北香河") or name.startswith("香河"):
        aliases.add(name.removeprefix("河北").removeprefix("香河"))
    return aliases


def fold_place(text: str) -> str:
    """The form a typed place name is compared in."""
    return _fold(text)
