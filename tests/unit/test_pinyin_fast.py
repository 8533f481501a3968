"""A name's pinyin read character by character (when no part of it is a pypinyin phrase) is the
one pypinyin gives for the whole name (issue #13: pinyin per distinct character, not per name)."""

from __future__ import annotations

import random

from pypinyin import Style, lazy_pinyin

from xianghe_desk.domain import pinyin
from xianghe_desk.domain.pinyin import SURNAME_READINGS, name_initials, name_pinyin

COMMON = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "秀兰桂英玉珍凤芝淑华建国志强明德文海春生秋菊金花振福宝山永红丽娟树林长青俊杰"
    "单解朴仇区查乐重长行传调朝都和还会率曲省数说天地人中大小东西南北银行长城重庆乐山"
)


def _whole(text: str) -> tuple[str, ...]:
    rest = lazy_pinyin(text, style=Style.NORMAL, errors=pinyin._non_han)
    return tuple(word for syllable in rest for word in syllable.split())


def test_reading_is_pypinyins_for_random_names() -> None:
    rng = random.Random(13)
    chars = COMMON + "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(400))
    names = {"".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 3, 4)))) for _ in range(20_000)}
    names |= {"长城", "重庆", "银行", "乐山", "单雄信", "曾国藩", "朴正", "阿依古丽", "〇一"}
    for text in names:
        assert pinyin._reading(text) == _whole(text), text


def test_names_read_as_before() -> None:
    assert name_initials("张三") == "zs"
    assert name_pinyin("曾国藩") == "zengguofan"
    assert name_initials("单雄信") == "sxx"
    assert name_pinyin("吕秀兰") == "lvxiulan"
    assert name_pinyin("阿依古丽·买买提") == "ayiguli" + "maimaiti"
    assert "单" in SURNAME_READINGS


def test_phrase_names_go_through_pypinyin() -> None:
    assert pinyin._has_phrase("重庆")
    assert pinyin._reading("重庆") == _whole("重庆")
