"""The import's fast paths agree with the domain's validators they stand in for."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from xianghe_desk.domain import validators as v
from xianghe_desk.domain.enums import (
    CareTag,
    FeedbackRoute,
    Living,
    MemberKind,
    MemberRole,
    Satisfaction,
    Sex,
    Status,
)
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services.import_rows import label_map, normalize_phone_fast
from xianghe_desk.sheets.reader import _text
from xianghe_desk.store.imports import time_ordered_uuids


def _slow(text: str) -> str | None:
    try:
        return v.normalize_phone(text)
    except ValidationError:
        return None
    except Exception:  # phonenumbers' own parse errors for a few numbers: refused as well
        return None


def _fast(text: str) -> str | None:
    try:
        return normalize_phone_fast(text, "联系电话")
    except ValidationError:
        return None


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_mobile_numbers_cached_by_block_agree_with_the_validator(number):
    assert _fast(number) == _slow(number)


@given(
    st.sampled_from(["0316-5123456", "5123456", "+86 138 1234 5678", "010-12345678", "12345", "1381234567"])
)
def test_other_phone_forms_go_through_the_validator(text):
    assert _fast(text) == _slow(text)


def test_label_map_reads_labels_and_values_like_from_label():
    for enum in (CareTag, FeedbackRoute, Living, MemberKind, MemberRole, Satisfaction, Sex, Status):
        mapping = label_map(enum)
        for member in enum:
            assert mapping[member.label] is member is enum.from_label(member.label)
            assert mapping[member.value] is member


def test_time_ordered_uuids_sort_in_the_order_they_were_made():
    first = time_ordered_uuids(2000)
    later = time_ordered_uuids(10)
    assert first == sorted(first) and len(set(first)) == 2000
    assert not set(first) & set(later)
    assert {uuid.UUID(u).version for u in first} == {7}


@given(st.text(alphabet=st.sampled_from("a1 张\u3000１Ａ，\u200b\t\n\xa0\u202f\x1c-·（")))
def test_the_readers_fast_path_normalises_exactly_like_normalize_text(text):
    assert _text(text, long_text=False) == (v.normalize_text(text) or None)
