"""Shortcuts in domain/validators.py give the results the full checks give (issue #13)."""

from __future__ import annotations

import random
from datetime import date

import pytest

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.errors import ValidationError

ALPHABET = "王小明 \t\n\u3000\u00a0\u200b\ufeffＡＢ１２，（）abc·-'X0123456789\u2007\u202f\x1c\x85"


def _slow_normalize(s: str) -> str:
    return " ".join(s.translate(v._FOLD).split())


def test_normalize_text_is_the_full_fold() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 8)))
        assert v.normalize_text(text) == _slow_normalize(text), repr(text)
    for code in [*v._FOLD, 0x20, 0x85, 0x2028, 0x1680]:
        text = f"a{chr(code)}b"
        assert v.normalize_text(text) == _slow_normalize(text)


def test_validate_name_remembers_only_valid_names() -> None:
    assert v.validate_name(" 王 小明 ") == "王小明"
    assert v.validate_name(" 王 小明 ") == "王小明"  # from the remembered names
    for _ in range(2):
        with pytest.raises(ValidationError) as caught:
            v.validate_name("王2", field="姓名")
        assert caught.value.field == "姓名"
    with pytest.raises(ValidationError):
        v.validate_name("")


def test_id_number_checks_unchanged() -> None:
    today = date(2026, 12, 7)
    for text, fragment in (
        ("1310241944012711511", "18 位"),
        ("1310241944X1271151", "只有最后一位"),
        ("13102419440127115a", "不该出现的字符"),
        ("1.31024E+17", "科学计数法"),
    ):
        with pytest.raises(ValidationError) as caught:
            v.parse_id_number(text, today=today)
        assert fragment in caught.value.message
    assert v.parse_id_number("131024194401271151", today=today).number == "131024194401271151"
