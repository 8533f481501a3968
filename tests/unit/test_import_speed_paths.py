"""Shortcuts issue #13 took on the import's path give what the long way gives."""

from __future__ import annotations

import random
from datetime import date

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from xianghe_desk.domain import pinyin
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.validators import parse_id_number

TODAY = date(2026, 11, 3)


def test_id_numbers_are_read_as_stdnum_reads_them() -> None:
    rng = random.Random(13)
    for _ in range(3000):
        # valid and impossible dates alike (month 00–13, day 00–32), a check digit that fits
        body = f"131024{rng.randrange(1910, 2026)}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}"
        body += f"{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        try:
            expected = ric.get_birth_date(ric.compact(number))
        except StdnumError:
            with pytest.raises(ValidationError, match="出生日期"):
                parse_id_number(number, today=TODAY)
            continue
        if expected > TODAY or expected.year < 1907:  # refused for other reasons (future, over 120)
            continue
        info = parse_id_number(number.lower(), today=TODAY)
        assert (info.number, info.birth_date) == (ric.compact(number), expected)


@pytest.mark.parametrize(
    "name", ["张三", "单雄信", "曾国藩", "欧阳娜娜", "阿依古丽·买买提", "Tom 王", "吕 秀兰", "尉迟恭"]
)
def test_a_names_reading_is_the_same_from_the_cache(name: str) -> None:
    uncached = pinyin._syllables.__wrapped__(name)  # type: ignore[attr-defined]
    assert pinyin.name_pinyin(name) == "".join(uncached)
    assert pinyin.name_initials(name) == "".join(s[0] for s in uncached)
    assert pinyin.name_pinyin(name) == pinyin.name_pinyin(name)  # asked twice, once read
