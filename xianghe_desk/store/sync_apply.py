"""Applying received writes to this copy: field-level merge, conflicts, tombstones, same-entity rows.

The rules are explained in services/exchange.py; in short, per unit of a row: a write that builds
on what this copy holds replaces it; a write this copy has already moved past is ignored; two
writes made without knowing each other are concurrent: the later stamp stays in the row (so every
copy ends the same) and, when the values differ, both are recorded as a conflict for the clerk.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from xianghe_desk.domain.pinyin import name_initials, name_pinyin
from xianghe_desk.store.base import reverse_digits
from xianghe_desk.store.db import INTEGRITY_ERRORS, now_text
from xianghe_desk.store.exchange import (
    DERIVED_KEY,
    MEMBER_GRIDS_UNIT,
    SYNC_DATALESS,
    UNITS,
    Entry,
    SyncStore,
    Unit,
    stamp_device,
    stamp_t,
    unit_stamp,
)

_MAX_WALK = 100_000
_BATCH = 5000
_BIG_CACHE_KIB = 262_144
# New rows of these tables are written in batches.
_BUFFERED = frozenset({"residents", "requests", "visits"})

# Columns computed from others (they do not travel).
_DERIVED: dict[str, dict[str, tuple[str, Any]]] = {
    "residents": {
        "name_initials": ("name", name_initials),
        "name_pinyin": ("name", name_pinyin),
        "phone_rev": ("phone", reverse_digits),
    },
    "members": {"name_initials": ("name", name_initials), "name_pinyin": ("name", name_pinyin)},
    "requests": {
        "person_initials": ("person_name", lambda v: name_initials(v) if v else ""),
        "person_phone_rev": ("person_phone", reverse_digits),
    },
}

# How a row is recognised as the same place or person when two copies created it separately.
_NATURAL_KEYS: dict[str, list[tuple[str, ...]]] = {
    "towns": [("code",), ("name",)],
    "villages": [("code",), ("town_id", "name")],
    "lookups": [("kind", "code"), ("kind", "name")],
    "grids": [("village_id", "name")],
    "members": [("town_id", "phone")],
    "residents": [("id_number",)],
    "requests": [("number",)],
    # One plan per resident, one calendar per year (issue #11): made on two copies, they are one.
    "visit_plans": [("resident_id",)],
    "official_calendars": [("year",)],
}

# The only table names that may stand in this module's SQL text (checked_table).
KNOWN_TABLES: frozenset[str] = frozenset(UNITS) | {"request_events"}

_DISPLAY_COLUMN = {
    "towns": "name",
    "villages": "short_name",
    "grids": "name",
    "members": "name",
    "residents": "name",
    "lookups": "name",
    "requests": "number",
    "request_events": "action",
    "settings": "key",
    "visits": "visited_on",
    "visit_plans": "resident_id",
    "official_calendars": "year",
}


class UnknownTableError(ValueError):
    """A table name from a package that is not one of ours: it never reaches SQL (issue #10)."""


def checked_table(tbl: str) -> str:
    """``tbl`` when it is a table that travels in packages; identifiers in this module's SQL come
    from package data, so every one is checked against the known tables first (issue #10)."""
    if tbl not in KNOWN_TABLES:
        raise UnknownTableError(f"unknown table in a package: {tbl[:40]!r}")
    return tbl


def checked_unit(tbl: str, unit: str) -> str:
    """``unit`` when it is one of ``tbl``'s units ("*" is a deletion)."""
    if unit != "*" and unit not in UNITS.get(checked_table(tbl), {}):
        raise UnknownTableError(f"unknown unit in a package: {tbl[:40]!r}.{unit[:40]!r}")
    return unit


class UnresolvedError(Exception):
    """A write refers to a row this copy does not have (yet)."""

    def __init__(self, tbl: str, uuid: str) -> None:
        super().__init__(f"{tbl}:{uuid}")
        self.tbl = tbl
        self.uuid = uuid


@dataclass
class ApplyReport:
    received: int = 0
    applied: int = 0
    known: int = 0
    inserted: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    merged: list[tuple[str, str, str]] = field(default_factory=list)  # (table, kept uuid, alias)
    conflicts: list[str] = field(default_factory=list)  # conflict uuids noticed now
    pending: int = 0
    fill: list[str] = field(default_factory=list)  # conflicts where one side is blank


def conflict_uuid(tbl: str, row_uuid: str, unit: str, stamp_a: str, stamp_b: str) -> str:
    """The same two writes give the same conflict on every copy that notices them."""
    low, high = sorted((stamp_a, stamp_b))
    return hashlib.sha1(f"{tbl}|{row_uuid}|{unit}|{low}|{high}".encode()).hexdigest()[:32]


def _heads(stamps: dict[str, Any] | None, unit: str) -> list[str]:
    """The unit's stamp and the stamps of equal values written concurrently with it."""
    current = unit_stamp(stamps, unit)
    return ([current] if current else []) + list((stamps or {}).get(unit + "+") or [])


def _replace(stamps: dict[str, Any], unit: str, stamp: str) -> None:
    stamps[unit] = stamp
    stamps.pop(unit + "+", None)


def _equal(stamps: dict[str, Any], unit: str, stamp: str) -> None:
    heads = set(_heads(stamps, unit)) | {stamp}
    stamps[unit] = max(heads)
    stamps[unit + "+"] = sorted(heads - {stamps[unit]})


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return bool(a == b)
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(
        b, sort_keys=True, ensure_ascii=False
    )


class SyncApplier:
    """Applies entries inside the caller's transaction, with the change triggers switched off."""

    def __init__(self, db: sqlite_utils.Database, log: SyncStore, self_tag: str) -> None:
        self.db = db
        self.log = log
        self.self_tag = self_tag
        self.report = ApplyReport()
        self._aliases = log.aliases()
        self._ids: dict[str, dict[str, int]] = {}
        self._uuids: dict[str, dict[int, str]] = {}
        self._now = now_text()
        self._max_t = 0
        self._known: set[str] = set()
        self._preloaded = False
        self._log_buffer: dict[str, Entry] = {}
        self._rows: list[tuple[Any, ...]] = []
        self._rows_table = ""
        self._rows_columns: tuple[str, ...] = ()
        self._rows_keys: set[tuple[Any, ...]] = set()
        self._ids_next: dict[str, int] = {}
        self._stamps_buffer: dict[tuple[str, str], dict[str, Any]] = {}

    # ---------------------------------------------------------------- the log, buffered
    # Received entries and row stamps are written in batches (executemany) when a package holds
    # many rows; reads look in the buffers first.
    def preload(self, entries: list[Entry]) -> None:
        """Learn in a few queries which of the entries this copy has already."""
        if len(entries) > _BATCH:
            # Many new rows land at random places in the uuid and name indexes: a page cache of
            # 2 MB (SQLite's default) would read the same pages from disk again and again.
            self.db.execute(f"PRAGMA cache_size = -{_BIG_CACHE_KIB}")
        stamps = [e.stamp for e in entries]
        for start in range(0, len(stamps), 500):
            chunk = stamps[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            self._known.update(
                r[0] for r in self.db.execute(f"SELECT stamp FROM sync_log WHERE stamp IN ({marks})", chunk)
            )
        self._preloaded = True

    def _knows(self, stamp: str) -> bool:
        if stamp in self._known or stamp in self._log_buffer:
            return True
        return not self._preloaded and self.log.knows(stamp)

    def _entry(self, stamp: str) -> Entry | None:
        return self._log_buffer.get(stamp) or self.log.entry(stamp)

    def _add_entry(self, entry: Entry) -> None:
        self._log_buffer[entry.stamp] = entry
        if len(self._log_buffer) >= _BATCH:
            self.flush()

    def _row_stamps(self, tbl: str, uuid: str) -> dict[str, Any]:
        found = self._stamps_buffer.get((tbl, uuid))
        return dict(found) if found is not None else self.log.row_stamps(tbl, uuid)

    def _save_row_stamps(self, tbl: str, uuid: str, stamps: dict[str, Any]) -> None:
        self._stamps_buffer[(tbl, uuid)] = dict(stamps)

    def _next_id(self, tbl: str) -> int:
        checked_table(tbl)
        if tbl not in self._ids_next:
            self._ids_next[tbl] = (
                int(self.db.execute(f"SELECT coalesce(max(id), 0) FROM {tbl}").fetchone()[0]) + 1
            )
        row_id = self._ids_next[tbl]
        self._ids_next[tbl] = row_id + 1
        return row_id

    def _buffer_key(self, tbl: str, entry: Entry) -> tuple[Any, ...] | None:
        """The natural key of a new row (so that the same person twice in one batch is noticed)."""
        keys = _NATURAL_KEYS.get(tbl, [])
        if not keys or entry.data is None:
            return None
        values = tuple(entry.data.get(c) for c in keys[0])
        return None if any(v is None or v == "" for v in values) else values

    def _flush_rows(self) -> None:
        if self._rows:
            names = self._rows_columns
            self.db.conn.executemany(
                f"INSERT INTO {self._rows_table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                self._rows,
            )
            self._rows = []
        self._rows_keys = set()

    def flush(self) -> None:
        """Write the buffered rows, entries and row stamps."""
        self._flush_rows()
        if self._log_buffer:
            self.log.add_entries(list(self._log_buffer.values()))
            self._known.update(self._log_buffer)
            self._log_buffer.clear()
        if self._stamps_buffer:
            self.log.save_many_row_stamps(self._stamps_buffer)
            self._stamps_buffer.clear()

    # ---------------------------------------------------------------- ids and uuids
    def _id_map(self, tbl: str) -> dict[str, int]:
        if tbl not in self._ids:
            checked_table(tbl)  # a conflict record in a package names its own table
            key = "key" if tbl == "settings" else "uuid"
            rowid = "rowid" if tbl == "settings" else "id"
            pairs = self.db.execute(f"SELECT {key}, {rowid} FROM {tbl}").fetchall()
            self._ids[tbl] = {str(u): int(i) for u, i in pairs}
            self._uuids[tbl] = {int(i): str(u) for u, i in pairs}
        return self._ids[tbl]

    def canonical(self, tbl: str, uuid: str) -> str:
        return self._aliases.get((tbl, uuid), uuid)

    def row_id(self, tbl: str, uuid: str) -> int | None:
        return self._id_map(tbl).get(self.canonical(tbl, uuid))

    def uuid_of(self, tbl: str, row_id: int | None) -> str | None:
        if row_id is None:
            return None
        self._id_map(tbl)
        return self._uuids[tbl].get(int(row_id))

    def _remember(self, tbl: str, uuid: str, row_id: int) -> None:
        self._id_map(tbl)[uuid] = row_id
        self._uuids[tbl][row_id] = uuid

    def _ref(self, target: str, uuid: Any) -> int | None:
        if uuid is None:
            return None
        found = self.row_id(target, str(uuid))
        if found is None:
            raise UnresolvedError(target, self.canonical(target, str(uuid)))
        return found

    # ---------------------------------------------------------------- values
    def columns_for(self, tbl: str, unit: Unit, value: Any) -> dict[str, Any]:
        """The table columns a unit's travelling value sets (references resolved to local ids)."""
        if unit.name == MEMBER_GRIDS_UNIT:
            return {}
        if unit.group:
            raw = dict(value or {})
            return {
                c.name: self._ref(c.target, raw.get(c.name)) if c.target else raw.get(c.name)
                for c in unit.columns
            }
        column = unit.columns[0]
        return {column.name: self._ref(column.target, value) if column.target else value}

    def canonical_value(self, unit: Unit, value: Any) -> Any:
        """A travelling value with every reference under the uuid this copy keeps for it."""
        if unit.name == MEMBER_GRIDS_UNIT:
            return sorted(self.canonical("grids", str(g)) for g in value or [])
        if unit.group:
            raw = dict(value or {})
            return {
                c.name: self.canonical(c.target, str(raw[c.name]))
                if c.target and raw.get(c.name)
                else raw.get(c.name)
                for c in unit.columns
            }
        target = unit.columns[0].target
        return self.canonical(target, str(value)) if target and value is not None else value

    def unit_value(self, tbl: str, unit: Unit, row: dict[str, Any]) -> Any:
        if unit.name == MEMBER_GRIDS_UNIT:
            return sorted(
                r[0]
                for r in self.db.execute(
                    "SELECT g.uuid FROM member_grids mg JOIN grids g ON g.id = mg.grid_id WHERE mg.member_id = ?",
                    [row["id"]],
                )
            )

        def one(c: Any) -> Any:
            return self.uuid_of(c.target, row[c.name]) if c.target else row[c.name]

        if unit.group:
            return {c.name: one(c) for c in unit.columns}
        return one(unit.columns[0])

    def fetch_row(self, tbl: str, row_id: int) -> dict[str, Any]:
        checked_table(tbl)
        rowid = "rowid AS id, *" if tbl == "settings" else "*"
        cursor = self.db.execute(
            f"SELECT {rowid} FROM {tbl} WHERE {'rowid' if tbl == 'settings' else 'id'} = ?", [row_id]
        )
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))

    # ---------------------------------------------------------------- history
    def _parent(self, stamp: str, unit: str) -> str | None:
        entry = self._entry(stamp)
        if entry is None or entry.parents is None:
            return None
        return unit_stamp(entry.parents, unit)

    def _known_by(self, heads: list[str], parents: dict[str, Any] | None, unit: str) -> bool:
        """Whether the writer knew what this copy holds: one of its parents is one of our heads or
        came after it."""
        if not unit_stamp(parents, unit):
            return False
        known = _heads(parents, unit)
        return any(p in heads for p in known) or any(
            self.is_ancestor(head, p, unit) for head in heads for p in known
        )

    def _in_history(self, heads: list[str], name: str, unit: Unit, value: Any) -> bool:
        """Whether an earlier value of the unit here (before one of the heads) equals ``value``."""
        wanted = self.canonical_value(unit, value)
        for head in heads:
            stamp = self._parent(head, name)
            steps = 0
            while stamp is not None and steps < _MAX_WALK:
                entry = self._entry(stamp)
                if entry is None:
                    break
                if (
                    entry.data
                    and name in entry.data
                    and _same(self.canonical_value(unit, entry.data[name]), wanted)
                ):
                    return True
                stamp = unit_stamp(entry.parents, name)
                steps += 1
        return False

    def is_ancestor(self, ancestor: str | None, stamp: str | None, unit: str) -> bool:
        """Whether ``ancestor`` is ``stamp`` or an earlier value of the unit that ``stamp`` built on."""
        if ancestor is None:
            return False
        steps = 0
        while stamp is not None and steps < _MAX_WALK:
            if stamp == ancestor:
                return True
            stamp = self._parent(stamp, unit)
            steps += 1
        return False

    # ---------------------------------------------------------------- entry point
    def apply(self, entry: Entry, *, retry: bool = False) -> None:
        """Apply one received write (known writes are skipped: applying twice changes nothing)."""
        if not retry:
            self.report.received += 1
            if self._knows(entry.stamp):
                self.report.known += 1
                return
            self._max_t = max(self._max_t, stamp_t(entry.stamp))
        # A new row of a big table is logged without its data, as the triggers log it here; a
        # write that has to wait keeps its data until it can apply.
        stripped = entry.parents is None and entry.tbl in SYNC_DATALESS
        try:
            self._apply(entry)
        except UnresolvedError as missing:
            if not retry:
                self._add_entry(entry)
            self.db.execute(
                "INSERT OR REPLACE INTO sync_pending (stamp, tbl, uuid) VALUES (?, ?, ?)",
                [entry.stamp, missing.tbl, missing.uuid],
            )
            return
        if retry:
            self.db.execute("DELETE FROM sync_pending WHERE stamp = ?", [entry.stamp])
            if stripped:
                self.db.execute("UPDATE sync_log SET data = NULL WHERE stamp = ?", [entry.stamp])
        else:
            self._add_entry(Entry(entry.stamp, entry.tbl, entry.uuid, None, None) if stripped else entry)
        self.report.applied += 1

    def retry_pending(self) -> None:
        """Apply waiting writes whose rows have arrived, until nothing more can be applied."""
        self.flush()
        while True:
            stamps = [r[0] for r in self.db.execute("SELECT stamp FROM sync_pending ORDER BY stamp")]
            before = len(stamps)
            for stamp in stamps:
                entry = self._entry(stamp)
                if entry is None:
                    self.db.execute("DELETE FROM sync_pending WHERE stamp = ?", [stamp])
                    continue
                self.apply(entry, retry=True)
            self.flush()
            after = self.log.pending_count()
            if after == 0 or after >= before:
                self.report.pending = after
                return

    def apply_event(self, event: dict[str, Any]) -> bool:
        """Add one history row of a request (append-only: a known one is skipped). Returns whether
        it was added; an event whose request is not here yet comes again with the request."""
        self._flush_rows()
        uuid = str(event.get("uuid") or "")
        if not uuid or uuid in self._id_map("request_events"):
            return False
        request_id = self.row_id("requests", str(event.get("request_id")))
        if request_id is None:
            return False
        units = UNITS["request_events"]
        columns = {"uuid": uuid, "request_id": request_id}
        for name in units:
            if name != "request_id":
                columns[name] = event.get(name)
        names = list(columns)
        cursor = self.db.execute(
            f"INSERT INTO request_events ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [columns[n] for n in names],
        )
        self._remember("request_events", uuid, int(cursor.lastrowid or 0))
        self.report.inserted["request_events"] += 1
        return True

    def max_t(self) -> int:
        return self._max_t

    # ---------------------------------------------------------------- the merge
    def _apply(self, entry: Entry) -> None:
        assert entry.data is not None  # received entries and waiting ones always carry their data
        tbl = entry.tbl
        if tbl not in UNITS:
            return
        units = UNITS[tbl]
        uuid = self.canonical(tbl, entry.uuid)
        row_id = self._id_map(tbl).get(uuid)
        if row_id is None and entry.parents is None and tbl in _BUFFERED:
            key = self._buffer_key(tbl, entry)
            if tbl != self._rows_table or key in self._rows_keys:
                self._flush_rows()
            if self._natural_match(tbl, entry) is None:
                self._insert(tbl, uuid, entry)
                if key is not None:
                    self._rows_keys.add(key)
                return
        self._flush_rows()
        if row_id is None:
            if entry.parents is not None:
                raise UnresolvedError(tbl, uuid)
            match = self._natural_match(tbl, entry)
            if match is None:
                self._insert(tbl, uuid, entry)
                return
            row_id, uuid = self._same_entity(tbl, match, uuid)
        elif tbl == "request_events":
            return  # the same event again under its own uuid: nothing to change
        stamps = self._row_stamps(tbl, uuid)
        before = dict(stamps)
        row = self.fetch_row(tbl, row_id)
        # Resolve references first: a write waiting for a row changes nothing until it can apply whole.
        resolved = {
            name: self.columns_for(tbl, units[name], value)
            for name, value in entry.data.items()
            if name in units
        }
        if MEMBER_GRIDS_UNIT in entry.data and tbl == "members":
            for grid_uuid in entry.data[MEMBER_GRIDS_UNIT] or []:
                self._ref("grids", grid_uuid)
        changes: dict[str, Any] = {}
        parents = entry.parents
        for name, value in entry.data.items():
            if name not in units:
                continue
            current = unit_stamp(stamps, name)
            heads = _heads(stamps, name)
            if current is None or self._known_by(heads, parents, name):
                changes[name] = value
                _replace(stamps, name, entry.stamp)
            elif any(self.is_ancestor(entry.stamp, head, name) for head in heads):
                continue
            elif name == "created_at":
                # When a thing was first entered: the earliest of the two, on every copy alike.
                if value is not None and (row["created_at"] is None or str(value) < str(row["created_at"])):
                    changes[name] = value
                _equal(stamps, name, entry.stamp)
            else:
                local = self.unit_value(tbl, units[name], row)
                if _same(local, self.canonical_value(units[name], value)):
                    # Two writes of the same value: no conflict, and a later write that built on
                    # either of them builds on what this copy holds.
                    _equal(stamps, name, entry.stamp)
                    continue
                if self._in_history(heads, name, units[name], value):
                    # The same value this copy had before it moved on (both copies started from
                    # the same seeded value): nothing new.
                    continue
                self._conflict("field", tbl, uuid, name, (current, local), (entry.stamp, value), row)
                if parents is None and _empty(local) != _empty(value):
                    # The same person entered twice, one side left this blank: fill it in afterwards.
                    self.report.fill.append(conflict_uuid(tbl, uuid, name, current, entry.stamp))
                if entry.stamp > current:
                    changes[name] = value
                    _replace(stamps, name, entry.stamp)
        self._check_delete(tbl, uuid, entry, before, row)
        if changes:
            self._write(tbl, row_id, uuid, units, changes, resolved, entry, stamps)
        self._save_row_stamps(tbl, uuid, stamps)

    def _check_delete(
        self, tbl: str, uuid: str, entry: Entry, before: dict[str, Any], row: dict[str, Any]
    ) -> None:
        """A row deleted on one copy and edited on another without knowing: a conflict, not a loss."""
        assert entry.data is not None
        if "deleted_at" not in UNITS[tbl] or entry.parents is None:
            return
        if entry.data.get("deleted_at") is not None:
            unknown = {
                stamp
                for unit in UNITS[tbl]
                if (stamp := unit_stamp(before, unit)) is not None
                and unit != "deleted_at"
                and unit not in entry.data
                and not self._known_by(_heads(before, unit), entry.parents, unit)
            }
            for stamp in sorted(unknown):
                edit = self._entry(stamp)
                edited = {k: v for k, v in ((edit.data or {}) if edit else {}).items() if k != "deleted_at"}
                if edited:
                    deletion = (entry.stamp, entry.data["deleted_at"])
                    self._conflict("delete", tbl, uuid, "*", deletion, (stamp, edited), row)
        elif row.get("deleted_at") is not None and "deleted_at" not in entry.data:
            deleted = before.get("deleted_at")
            if deleted is not None and not self._known_by(
                _heads(before, "deleted_at"), entry.parents, "deleted_at"
            ):
                deletion = (deleted, row["deleted_at"])
                self._conflict("delete", tbl, uuid, "*", deletion, (entry.stamp, entry.data), row)

    def _conflict(
        self,
        kind: str,
        tbl: str,
        uuid: str,
        unit: str,
        first: tuple[str, Any],
        second: tuple[str, Any],
        row: dict[str, Any],
    ) -> None:
        if kind == "delete":
            a, b = first, second  # a: the deletion, b: the edit
        else:
            a, b = sorted((first, second), key=lambda side: side[0])
        key = conflict_uuid(tbl, uuid, unit, a[0], b[0])
        label = str(row.get(_DISPLAY_COLUMN.get(tbl, "id"), "") or "")
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO sync_conflicts (uuid, kind, tbl, row_uuid, unit, stamp_a, device_a, value_a,"
            " stamp_b, device_b, value_b, label, detected_at, detected_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                key,
                kind,
                tbl,
                uuid,
                unit,
                a[0],
                stamp_device(a[0]),
                json.dumps(a[1], ensure_ascii=False),
                b[0],
                stamp_device(b[0]),
                json.dumps(b[1], ensure_ascii=False),
                label,
                self._now,
                self.self_tag,
            ],
        )
        if cursor.rowcount:
            self.report.conflicts.append(key)

    # ---------------------------------------------------------------- writing rows
    def with_derived(
        self, tbl: str, columns: dict[str, Any], given: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Add the derived columns (pinyin, reversed phone); ``given`` are the sender's, computed
        by the same code from the same values."""
        for derived, (source, compute) in _DERIVED.get(tbl, {}).items():
            if source in columns:
                if given and derived in given:
                    columns[derived] = given[derived]
                else:
                    columns[derived] = compute(columns[source] or "")
        return columns

    def _insert(self, tbl: str, uuid: str, entry: Entry) -> None:
        assert entry.data is not None
        units = UNITS[tbl]
        columns: dict[str, Any] = {}
        for name, value in entry.data.items():
            unit = units.get(name)
            if unit is None:
                continue
            if not unit.group and unit.columns:
                column = unit.columns[0]
                columns[column.name] = self._ref(column.target, value) if column.target else value
            else:
                columns.update(self.columns_for(tbl, unit, value))
        grid_uuids = entry.data.get(MEMBER_GRIDS_UNIT) if tbl == "members" else None
        grid_ids = [self._ref("grids", g) for g in grid_uuids or []]
        columns = self.with_derived(tbl, columns, entry.data.get(DERIVED_KEY))
        device = stamp_device(entry.stamp)
        if tbl == "settings":
            columns.update(key=uuid, updated_at=self._now, device_id=device)
        elif tbl == "request_events":
            columns["uuid"] = uuid
        else:
            columns.update(uuid=uuid, updated_at=self._now, device_id=device)
            columns.setdefault("created_at", self._now)
        if tbl in _BUFFERED:
            # New rows of the big tables go in by the thousand (executemany) under ids given here.
            row_id = self._next_id(tbl)
            columns["id"] = row_id
            names = tuple(columns)
            if self._rows_table != tbl or self._rows_columns != names:
                self._flush_rows()
                self._rows_table, self._rows_columns = tbl, names
            self._rows.append(tuple(columns[n] for n in names))
            if len(self._rows) >= _BATCH:
                self._flush_rows()
        else:
            names = tuple(columns)
            cursor = self.db.execute(
                f"INSERT INTO {tbl} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                [columns[n] for n in names],
            )
            row_id = int(cursor.lastrowid or 0)
        self._remember(tbl, uuid, row_id)
        if grid_ids:
            self.set_member_grids(row_id, [g for g in grid_ids if g is not None], device)
        if tbl != "request_events":
            self._save_row_stamps(tbl, uuid, {"": entry.stamp})
        self.report.inserted[tbl] += 1

    def _write(
        self,
        tbl: str,
        row_id: int,
        uuid: str,
        units: dict[str, Unit],
        changes: dict[str, Any],
        resolved: dict[str, dict[str, Any]],
        entry: Entry,
        stamps: dict[str, Any],
    ) -> None:
        device = stamp_device(entry.stamp)
        if MEMBER_GRIDS_UNIT in changes:
            grid_ids = [self._ref("grids", g) for g in changes.pop(MEMBER_GRIDS_UNIT) or []]
            self.set_member_grids(row_id, [g for g in grid_ids if g is not None], device)
        columns: dict[str, Any] = {}
        for name in changes:
            columns.update(resolved[name])
        if columns:
            key = "rowid" if tbl == "settings" else "id"
            extra = {"updated_at": self._now, "device_id": device}
            try:
                self._update(tbl, key, row_id, {**self.with_derived(tbl, dict(columns)), **extra})
            except INTEGRITY_ERRORS:
                # One of the values clashes with another row (a name or number taken): apply the
                # units one by one and keep each one that cannot go in as a conflict for the clerk.
                row = self.fetch_row(tbl, row_id)
                for name in changes:
                    try:
                        self._update(
                            tbl, key, row_id, {**self.with_derived(tbl, dict(resolved[name])), **extra}
                        )
                    except INTEGRITY_ERRORS:
                        local = self.unit_value(tbl, units[name], row)
                        self._conflict(
                            "unique",
                            tbl,
                            uuid,
                            name,
                            (unit_stamp(stamps, name) or entry.stamp, local),
                            (entry.stamp, changes[name]),
                            row,
                        )
                        saved = self._row_stamps(tbl, uuid)
                        for key in (name, name + "+"):
                            if key in saved:
                                stamps[key] = saved[key]
                            else:
                                stamps.pop(key, None)
        self.report.updated[tbl] += 1

    def _update(self, tbl: str, key: str, row_id: int, columns: dict[str, Any]) -> None:
        checked_table(tbl)
        sets = ", ".join(f"{c} = ?" for c in columns)
        self.db.execute(f"UPDATE {tbl} SET {sets} WHERE {key} = ?", [*columns.values(), row_id])

    def set_member_grids(self, member_id: int, grid_ids: list[int], device: str) -> None:
        self.db.execute("DELETE FROM member_grids WHERE member_id = ?", [member_id])
        for grid_id in dict.fromkeys(grid_ids):
            self.db.execute(
                "INSERT INTO member_grids (member_id, grid_id, created_at, device_id) VALUES (?, ?, ?, ?)",
                [member_id, grid_id, self._now, device],
            )

    # ---------------------------------------------------------------- the same place or person twice
    def _natural_match(self, tbl: str, entry: Entry) -> int | None:
        assert entry.data is not None
        if tbl == "settings":
            return self._id_map(tbl).get(entry.uuid)
        units = UNITS[tbl]
        for key in _NATURAL_KEYS.get(tbl, []):
            values: list[Any] = []
            for column in key:
                unit = units[column]
                try:
                    value = self.columns_for(tbl, unit, entry.data.get(column))[column]
                except UnresolvedError:
                    value = None
                values.append(value)
            if any(v is None or v == "" for v in values):
                continue
            where = " AND ".join(f"{c} = ?" for c in key)
            if tbl == "members":
                where += " AND deleted_at IS NULL"
            found = self.db.execute(f"SELECT id FROM {tbl} WHERE {where}", values).fetchone()
            if found is not None:
                return int(found[0])
        return None

    def _same_entity(self, tbl: str, row_id: int, incoming: str) -> tuple[int, str]:
        """Two uuids for one thing: every copy keeps the smaller one; the other becomes an alias."""
        self.flush()
        local = self.uuid_of(tbl, row_id)
        assert local is not None
        keep, alias = sorted((local, incoming))
        if keep != local:
            self.db.execute(f"UPDATE {tbl} SET uuid = ? WHERE id = ?", [keep, row_id])
            self.db.execute("UPDATE sync_rows SET uuid = ? WHERE tbl = ? AND uuid = ?", [keep, tbl, local])
            self.db.execute("UPDATE sync_aliases SET uuid = ? WHERE tbl = ? AND uuid = ?", [keep, tbl, local])
            self.db.execute(
                "UPDATE sync_conflicts SET row_uuid = ? WHERE tbl = ? AND row_uuid = ?", [keep, tbl, local]
            )
            del self._ids[tbl][local]
            self._remember(tbl, keep, row_id)
            for key, value in list(self._aliases.items()):
                if key[0] == tbl and value == local:
                    self._aliases[key] = keep
        self.db.execute(
            "INSERT OR REPLACE INTO sync_aliases (tbl, alias, uuid) VALUES (?, ?, ?)", [tbl, alias, keep]
        )
        self._aliases[(tbl, alias)] = keep
        self.report.merged.append((tbl, keep, alias))
        return row_id, keep
