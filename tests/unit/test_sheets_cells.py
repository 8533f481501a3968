"""The import's fast paths agree with the domain's validators they stand in for."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

from hypothesis import HealthCheck, given, settings
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
from xianghe_desk.services.import_rows import RowAction, label_map, normalize_phone_fast
from xianghe_desk.services.imports import ImportService
from xianghe_desk.sheets.columns import KINDS, spec_for
from xianghe_desk.sheets.reader import SheetData, SheetRow, _text
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


_ODD_CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "渠口镇",
            "王刘圈村",
            "第一网格",
            "是",
            "已回访",
            "满意",
            "电话",
            "2026-11-03",
            "1.31024E+17",
            "１３８１２３４５６７８",
        ]
    ),
    st.integers(min_value=-(10**19), max_value=10**19),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2200, 1, 1)),
    st.dates(),
    st.times(),
)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_any_cell_values_are_refused_or_planned_never_a_crash(ws, kind, data):
    spec = spec_for(kind)
    rows = [SheetRow(number, tuple(data.draw(_ODD_CELLS) for _ in spec.columns)) for number in range(2, 5)]
    sheet = SheetData(spec, "fuzz.xlsx", "Sheet1", 1, frozenset(spec.names), rows)
    plan = ImportService(ws).plan(sheet)
    assert len(plan.rows) == 3
    for row in plan.rows:
        assert (row.action is RowAction.REFUSE) == bool(row.refusals)
        assert all(r.message for r in row.refusals)
