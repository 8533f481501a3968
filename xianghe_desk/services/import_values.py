"""Pure helpers of reading an import's cells: pinyin of names, phone numbers decided per block,
enum labels and number cells as typed. Each is remembered per distinct value where rows repeat it.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, Final

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.enums import LabelledEnum
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.pinyin import name_initials, name_pinyin


# Pinyin of names repeats across rows (common names); the readings are pure functions of the name.
@lru_cache(maxsize=65536)
def cached_pinyin(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a person's name."""
    return name_initials(name), name_pinyin(name)


# Whether an 11-digit number starting with 1 is a mobile number depends on its first five digits
# only (libphonenumber's CN mobile pattern, e.g. 1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|…)\d{8}),
# so the slow phonenumbers check runs once per five-digit block, not once per row. A test
# compares this with validators.normalize_phone on random numbers.
MOBILE_BLOCK = 5


@lru_cache(maxsize=4096)
def mobile_block_ok(block: str) -> bool:
    try:
        v.normalize_phone(block + "0" * (11 - MOBILE_BLOCK))
    except Exception:  # phonenumbers errors, see _checked_phone
        return False
    return True


PLAIN_MOBILE: Final = re.compile(r"1\d{10}")


def normalize_phone_fast(text: str, column: str) -> str:
    """:func:`validators.normalize_phone`, with the plain 11-digit mobile case decided by its block."""
    if PLAIN_MOBILE.fullmatch(text):
        if mobile_block_ok(text[:MOBILE_BLOCK]):
            return text
        return _checked_phone(text, column)
    return _checked_phone(text, column)


@lru_cache(maxsize=16384)
def _checked_phone(text: str, column: str) -> str:
    try:
        return v.normalize_phone(text, field=column)
    except ValidationError:
        raise
    except Exception:
        # phonenumbers' parse raises its own error for a few inputs (e.g. 11069003765) that
        # validators.normalize_phone lets through; the clerk still needs a plain refusal.
        raise ValidationError(
            f"电话号码“{text}”不是有效的号码，请核对：手机号是 11 位，固定电话写成 0316-5123456。",
            field=column,
        ) from None


@lru_cache(maxsize=64)
def label_map(enum: type[LabelledEnum]) -> dict[str, LabelledEnum]:
    """Label and value → member, as ``LabelledEnum.from_label`` reads them, in one dict lookup."""
    found: dict[str, LabelledEnum] = {}
    for member in enum:
        found.setdefault(member.value, member)
        found.setdefault(member.label, member)
    return found


def number_text(value: Any) -> str:
    """A number cell as the digits a person typed: 12 → "12", 12.0 → "12"."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def shown_number(value: float | int) -> str:
    """A number as Excel shows it in a narrow General cell: 1.31024E+17."""
    return f"{value:.5E}" if isinstance(value, float) else str(value)
