"""Shortcuts issue #13 took in reading, checking and writing a sheet's rows give what the long way gives."""

from __future__ import annotations

import random
import sqlite3
import uuid
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from xianghe_desk.domain.access import is_masked
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.domain.validators import parse_id_number
from xianghe_desk.services.import_rows import Cells
from xianghe_desk.services.import_values import number_text
from xianghe_desk.services.places import PlaceService
from xianghe_desk.sheets.columns import RESIDENTS
from xianghe_desk.sheets.reader import FORMULA_MESSAGE, SheetData, SheetRow, _scan_markup
from xianghe_desk.store import imports as import_store
from xianghe_desk.store.base import reverse_digits
from xianghe_desk.store.imports import ImportStore, phone_digits_reversed, time_ordered_uuids

TODAY = date(2026, 11, 3)


def test_time_ordered_uuids_are_written_as_uuid_writes_them():
    for text in time_ordered_uuids(500):
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)


@given(st.text(alphabet=st.sampled_from("0123456789-+ ()０²")))
def test_reversed_phone_digits_are_reverse_digits(phone):
    assert phone_digits_reversed(phone) == reverse_digits(phone)


def _outcome(text: str) -> Any:
    try:
        return parse_id_number(text, today=TODAY)
    except ValidationError as exc:
        return exc.message


def test_well_formed_id_numbers_are_read_as_the_long_way_reads_them():
    rng = random.Random(13)
    for _ in range(3000):
        body = f"{rng.choice(['131024', '132823', '110101', '139999'])}{rng.randrange(1890, 2030)}"
        body += f"{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}{rng.randrange(1000):03d}"
        check = ric.calc_check_digit(body + "0") if rng.random() < 0.8 else rng.choice("0123456789X")
        number = body + check
        # A space in front is cleaned away, so the same number takes the long way.
        assert _outcome(number) == _outcome(f" {number}")


# ---- cells: the shortcuts against the long way (raw() first), as the methods read before #13


def _text_long_way(cells: Cells, name: str, required: bool) -> str:
    value = cells.raw(name)
    if value is None:
        if required and not cells.sheet.holds_formula(cells.row, name):
            cells.refuse(name, f"必填，不能空着。请填写{name}。")
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


def _masked_long_way(cells: Cells, name: str) -> str:
    value = cells.raw(name)
    if not isinstance(value, str) or not is_masked(value):
        return ""
    return value.strip().replace(" ", "")


_CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(" \t\u3000*1张X"), max_size=6),
    st.sampled_from(["131024********1234", "138****8000", "13812345678", "王秀兰", " ", "*"]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
)


def _cells(value: Any, formula: bool) -> Cells:
    position = RESIDENTS.position("姓名")
    values = [None] * len(RESIDENTS.columns)
    values[position] = value
    row = SheetRow(2, tuple(values))
    sheet = SheetData(RESIDENTS, "t.xlsx", "Sheet1", 1, frozenset(RESIDENTS.names), [row])
    if formula:
        sheet.formula_cells.add((2, position))
    return Cells(sheet, row)


@given(value=_CELLS, formula=st.booleans(), required=st.booleans())
def test_text_and_masked_cells_read_as_the_long_way_reads_them(value, formula, required):
    fast, slow = _cells(value, formula), _cells(value, formula)
    assert fast.text("姓名", required) == _text_long_way(slow, "姓名", required)
    assert fast.masked("姓名") == _masked_long_way(slow, "姓名")
    assert fast.problems == slow.problems
    assert fast.problems.count(("姓名", FORMULA_MESSAGE)) <= 1


@given(value=_CELLS, formula=st.booleans())
def test_id_and_phone_cells_of_plain_text_are_read_as_other_text(value, formula):
    cells = _cells(value, formula)
    if isinstance(value, str) and value.strip():
        assert cells.id_text("姓名") == value
    if isinstance(value, str) and len(value) == 11 and value.isdigit() and value.startswith("1"):
        phone = cells.phone("姓名")
        assert phone in (value, "")
        assert (phone == value) == (not cells.problems)


# ---- the change log of many new residents, written in one pass


def _resident(village: Any, name: str, id_number: str | None) -> tuple[Any, ...]:
    # store/imports.RESIDENT_INSERT's order
    return (name, "", "", id_number, None, None, "13812345678", village.town_id, village.id, None, "",
            None, "", "", "", None, "")  # fmt: skip


def _log(ws: Any, ids: list[int]) -> list[tuple[Any, ...]]:
    return ws.db.execute(
        "SELECT r.id, l.stamp, l.t, l.device, l.tbl, l.data, l.parents, s.stamps"
        " FROM residents r JOIN sync_log l ON l.uuid = r.uuid AND l.tbl = 'residents'"
        " JOIN sync_rows s ON s.uuid = r.uuid AND s.tbl = 'residents'"
        f" WHERE r.id IN ({', '.join('?' for _ in ids)}) ORDER BY r.id",
        ids,
    ).fetchall()


def test_many_new_residents_are_logged_as_the_insert_trigger_logs_each(ws, monkeypatch):
    village = PlaceService(ws).resolve_village("王刘圈村", "渠口镇")
    store = ImportStore(ws.db, ws.device.tag)
    with ws.atomic():
        monkeypatch.setattr(import_store, "BULK_LOG_ROWS", 10**9)  # the trigger, row by row
        store.insert_residents([_resident(village, f"甲{i:03d}", None) for i in range(30)])
        monkeypatch.setattr(import_store, "BULK_LOG_ROWS", 1)  # one pass after the insert
        store.insert_residents([_resident(village, f"乙{i:03d}", None) for i in range(30)])
    ids = [row[0] for row in ws.db.execute("SELECT id FROM residents ORDER BY id")]
    assert len(ids) == 60
    log = _log(ws, ids)
    assert [row[0] for row in log] == ids  # one entry per row, in rowid order
    by_trigger, in_one_pass = log[:30], log[30:]
    for entries in (by_trigger, in_one_pass):
        assert {row[3:7] for row in entries} == {(ws.device.tag, "residents", None, None)}
        for _id, stamp, t, device, *_rest, stamps in entries:
            assert stamp == f"{t:015d}-{device}" and stamps == f'{{"":"{stamp}"}}'
    stamps = [row[2] for row in log]
    assert stamps == sorted(stamps) and len(set(stamps)) == 60  # the clock only goes forward
    applying, clock = ws.db.execute("SELECT applying, t FROM sync_state").fetchone()
    assert applying == 0 and clock == max(row[0] for row in ws.db.execute("SELECT t FROM sync_log"))


def test_a_failed_insert_leaves_the_change_log_on(ws, monkeypatch):
    village = PlaceService(ws).resolve_village("王刘圈村", "渠口镇")
    store = ImportStore(ws.db, ws.device.tag)
    monkeypatch.setattr(import_store, "BULK_LOG_ROWS", 1)
    number = "131024195103151230"
    with ws.atomic():
        with pytest.raises(sqlite3.IntegrityError):
            store.insert_residents([_resident(village, "甲", number), _resident(village, "乙", number)])
        assert ws.db.execute("SELECT applying FROM sync_state").fetchone()[0] == 0


# ---- the sheet's XML scanned once for formula tags and plain markup


def _sheet_zip(tmp_path: Any, xml: bytes) -> Any:
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    return path


_ROOT = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (_ROOT + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>', (False, True)),
        (_ROOT + b'<row r="1"><c r="A1"><f>B1</f></c></row></sheetData></worksheet>', (True, True)),
        (
            b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>" + _ROOT + b"</sheetData></worksheet>",
            (False, True),
        ),
        (
            b'<?xml version="1.0" encoding="GBK"?>' + _ROOT + b"<row><c><x:f/></c></row></sheetData>",
            (True, False),
        ),
        (_ROOT + b"<!-- </row> --></sheetData></worksheet>", (False, False)),
        (_ROOT + b"<?pi?>" + b" " * (1 << 20) + b"<c><f>1</f></c></sheetData>", (True, False)),
    ],
)
def test_one_scan_finds_formula_tags_and_plain_markup(tmp_path, xml, expected):
    assert _scan_markup(_sheet_zip(tmp_path, xml), "/xl/worksheets/sheet1.xml") == expected
