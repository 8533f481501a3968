"""Tests for domain.pinyin: initials and full pinyin of names, with surname readings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypinyin import lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from xianghe_desk.domain.pinyin import SURNAME_READINGS, name_initials, name_pinyin


@pytest.mark.parametrize(
    ("name", "initials", "full"),
    [
        ("张三", "zs", "zhangsan"),
        ("单雄信", "sxx", "shanxiongxin"),
        ("曾国藩", "zgf", "zengguofan"),
        ("仇", "q", "qiu"),
        ("朴", "p", "piao"),
        ("查", "z", "zha"),
        ("解", "x", "xie"),
        ("查良镛", "zly", "zhaliangyong"),
        ("解缙", "xj", "xiejin"),
        ("乐毅", "yy", "yueyi"),
        ("翟小明", "zxm", "zhaixiaoming"),
        ("欧阳修", "oyx", "ouyangxiu"),
        ("诸葛亮", "zgl", "zhugeliang"),
        ("尉迟恭", "ycg", "yuchigong"),
        ("尉缭", "wl", "weiliao"),
        ("长孙无忌", "zswj", "zhangsunwuji"),
        ("万俟卨", "mqx", "moqixie"),
        ("澹台灭明", "ttmm", "tantaimieming"),
        ("吕布", "lb", "lvbu"),
        ("阿依古丽·买买提", "ayglmmt", "ayigulimaimaiti"),
        ("John Smith", "js", "johnsmith"),
        ("张 三", "zs", "zhangsan"),
        ("张三3号", "zsh", "zhangsanhao"),
        ("", "", ""),
    ],
)
def test_initials_and_pinyin(name: str, initials: str, full: str) -> None:
    assert name_initials(name) == initials
    assert name_pinyin(name) == full


def test_surname_only_applies_to_the_first_character() -> None:
    # 单 in a given name keeps its ordinary reading.
    assert name_pinyin("王单") == "wangdan"
    assert name_pinyin("张曾") == "zhangceng"


@pytest.mark.parametrize("surname", sorted(SURNAME_READINGS))
def test_every_surname_reading_is_used(surname: str) -> None:
    readings = SURNAME_READINGS[surname]
    assert len(readings) == len(surname)
    name = surname + "小明"
    assert name_pinyin(name) == "".join(readings) + "xiaoming"
    assert name_initials(name) == "".join(r[0] for r in readings) + "xm"


def test_overrides_differ_from_plain_pypinyin_where_it_matters() -> None:
    wrong = {char: lazy_pinyin(char)[0] for char in "单曾仇朴查解区盖乐缪秘种员覃繁翟隗阚折召薄乜黑重祭句"}
    for char, plain in wrong.items():
        assert SURNAME_READINGS[char] != (plain,), char


_KNOWN_HAN = [chr(code) for code in range(0x4E00, 0x9FA6) if code in pinyin_dict]


@given(st.text(alphabet=st.sampled_from(_KNOWN_HAN), min_size=1, max_size=8))
def test_initials_are_one_lower_case_letter_per_chinese_character(name: str) -> None:
    initials = name_initials(name)
    assert len(initials) == len(name)
    assert initials.isascii() and initials.isalpha() and initials.islower()
    full = name_pinyin(name)
    assert full.isascii() and full.isalpha() and full.islower()


@given(st.text())
def test_any_text_gives_lower_case_ascii_letters(text: str) -> None:
    for result in (name_initials(text), name_pinyin(text)):
        assert result == "" or (result.isascii() and result.isalpha() and result.islower())
