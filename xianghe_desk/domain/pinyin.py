"""Pinyin of people's names, with surname readings, for search and sort keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Final

# pypinyin (~0.3 s to import: its phrase table) is imported on the first name read, so a command
# that reads no names (report monthly, stats) does not pay for it.
from xianghe_desk.domain.validators import normalize_text

# How a character reads when it is a surname, one syllable per character. pypinyin reads a lone
# character by its commonest word reading, which for these surnames is wrong (单 dan, 曾 ceng,
# 仇 chou …); the entries pypinyin already gets right are kept so the list stays the one reference.
# Sources: 《现代汉语词典》第 7 版 surname readings; 尉 alone is Wèi (尉缭), only 尉迟 is Yùchí.
SURNAME_READINGS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "单": ("shan",),
        "曾": ("zeng",),
        "仇": ("qiu",),
        "朴": ("piao",),
        "查": ("zha",),
        "解": ("xie",),
        "区": ("ou",),
        "盖": ("ge",),
        "乐": ("yue",),
        "缪": ("miao",),
        "秘": ("bi",),
        "种": ("chong",),
        "褚": ("chu",),
        "员": ("yun",),
        "覃": ("qin",),
        "尉": ("wei",),
        "繁": ("po",),
        "翟": ("zhai",),
        "隗": ("wei",),
        "阚": ("kan",),
        "冼": ("xian",),
        "洗": ("xian",),
        "折": ("she",),
        "那": ("na",),
        "过": ("guo",),
        "柏": ("bai",),
        "召": ("shao",),
        "薄": ("bo",),
        "乜": ("nie",),
        "眭": ("sui",),
        "黑": ("he",),
        "重": ("chong",),
        "祭": ("zhai",),
        "句": ("gou",),
        "都": ("du",),
        "长": ("chang",),
        "卜": ("bu",),
        "粘": ("nian",),
        "能": ("nai",),
        "颉": ("xie",),
        # Compound surnames: a name starting with one of these has a two-character surname.
        "欧阳": ("ou", "yang"),
        "司马": ("si", "ma"),
        "诸葛": ("zhu", "ge"),
        "上官": ("shang", "guan"),
        "东方": ("dong", "fang"),
        "皇甫": ("huang", "fu"),
        "尉迟": ("yu", "chi"),
        "长孙": ("zhang", "sun"),
        "令狐": ("ling", "hu"),
        "万俟": ("mo", "qi"),
        "澹台": ("tan", "tai"),
        "公孙": ("gong", "sun"),
        "慕容": ("mu", "rong"),
        "宇文": ("yu", "wen"),
        "夏侯": ("xia", "hou"),
        "轩辕": ("xuan", "yuan"),
        "西门": ("xi", "men"),
        "司徒": ("si", "tu"),
        "端木": ("duan", "mu"),
    }
)

_LATIN_WORD_RE: Final = re.compile(r"[a-z]+")


def _non_han(chunk: str) -> str:
    # pypinyin hands over every run it has no reading for: Latin words are kept (space-separated,
    # split again below), the rest (digits, punctuation, the · of minority names, rare characters
    # without data) is dropped.
    return " ".join(_LATIN_WORD_RE.findall(chunk.lower()))


# A name's reading is a pure function of it, and pypinyin's segmentation costs ~0.1 ms a call: an
# import of 50,000 residents asks for the same name's initials, full pinyin and (for the duplicate
# check) pinyin again, and common names repeat across rows. Each distinct name is read once.
@lru_cache(maxsize=131072)
def _syllables(name: str) -> tuple[str, ...]:
    """Toneless lower-case syllables of a name (Latin words count as one syllable each)."""
    text = normalize_text(name)
    surname: tuple[str, ...] = ()
    # Minority names written with · (阿依古丽·买买提) have no Han surname in front.
    if "·" not in text:
        if len(text) >= 3 and text[:2] in SURNAME_READINGS:
            surname, text = SURNAME_READINGS[text[:2]], text[2:]
        elif text[:1] in SURNAME_READINGS:
            surname, text = SURNAME_READINGS[text[:1]], text[1:]
    return (*surname, *_reading(text))


# What follows the surname repeats far more than whole names do (a 50,000-row import has ~23,000
# distinct names but a few thousand given names): pypinyin reads each distinct one once.
@lru_cache(maxsize=131072)
def _reading(text: str) -> tuple[str, ...]:
    from pypinyin.constants import PINYIN_DICT, RE_HANS

    if RE_HANS.fullmatch(text) and all(ord(char) in PINYIN_DICT for char in text) and not _has_phrase(text):
        # No part of it is a pypinyin phrase: pypinyin reads it character by character
        # (_single_pinyin each), which is what each character read alone gives; distinct
        # characters are far fewer than distinct names (tests/unit/test_pinyin_fast.py).
        return tuple(word for char in text for word in _read(char))
    return _read(text)


@lru_cache(maxsize=16384)
def _read(text: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin

    # ü is written v (吕 → lv), as pinyin input methods expect it.
    rest = lazy_pinyin(text, style=Style.NORMAL, errors=_non_han)
    return tuple(word for syllable in rest for word in syllable.split())


def _has_phrase(text: str) -> bool:
    """Whether any run of ``text``'s characters (one or more) is in pypinyin's phrase table."""
    from pypinyin.constants import PHRASES_DICT

    size = len(text)
    return any(text[start:end] in PHRASES_DICT for start in range(size) for end in range(start + 1, size + 1))


def name_initials(name: str) -> str:
    """Lower-case first letters of a name's syllables: 张三 → ``zs``, 单雄信 → ``sxx``."""
    return "".join(syllable[0] for syllable in _syllables(name))


def name_pinyin(name: str) -> str:
    """Lower-case toneless pinyin without spaces: 张三 → ``zhangsan``, 曾国藩 → ``zengguofan``."""
    return "".join(_syllables(name))
