"""The change log behind exchange packages: the clock, what changed since, peers and scope (SQL side).

The triggers of migration 0002 (store/schema.py) write every change of a travelling row into
``sync_log``; this module reads it for export, keeps the peers and their keys, and works out which
rows a village laptop is to hold. Applying a received package is store/sync_apply.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from xianghe_desk.store import schema
from xianghe_desk.store.base import TableStore
from xianghe_desk.store.db import now_text

SYNC_DATALESS: tuple[str, ...] = schema.SYNC_DATALESS
# In the data of a new row: the sender's derived columns (pinyin, reversed phone), so that the
# receiver of 100,000 new residents need not compute them again.
DERIVED_KEY = "~"
_DERIVED_COLUMNS = {
    "residents": ("name_initials", "name_pinyin", "phone_rev"),
    "requests": ("person_initials", "person_phone_rev"),
}
# Travelling tables in the order a package lists them.
SYNC_TABLES: tuple[str, ...] = tuple(schema.SYNC_UNITS)
# A member's grids travel as one unit of the member (member_grids rows have no uuid).
MEMBER_GRIDS_UNIT = "grid_ids"
_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"


# The scope of a village laptop (SyncStore.scope): temp tables of row ids, the rows of its villages,
# and the references that pull further rows in until nothing more is added.
_SCOPE_TABLES = (
    "scope_villages", "scope_grids", "scope_members", "scope_residents", "scope_requests", "scope_visits",
    "scope_visit_plans",
)  # fmt: skip
_IN_VILLAGES = "village_id IN (SELECT id FROM temp.scope_villages)"
_SCOPE_SEED = (
    f"INSERT OR IGNORE INTO temp.scope_requests (id) SELECT id FROM requests WHERE {_IN_VILLAGES}",
    f"INSERT OR IGNORE INTO temp.scope_residents (id) SELECT id FROM residents WHERE {_IN_VILLAGES}",
    f"INSERT OR IGNORE INTO temp.scope_grids (id) SELECT id FROM grids WHERE {_IN_VILLAGES}",
    f"""INSERT OR IGNORE INTO temp.scope_members (id) SELECT id FROM members
        WHERE {_IN_VILLAGES} OR (village_id IS NULL AND town_id = :town)""",
    # Who serves the laptop's grids (the other way round from a reference, so only for its own grids).
    """INSERT OR IGNORE INTO temp.scope_members (id)
        SELECT member_id FROM member_grids WHERE grid_id IN (SELECT id FROM temp.scope_grids)""",
    # The visits and plans of its villages' residents (issue #11).
    f"""INSERT OR IGNORE INTO temp.scope_visits (id) SELECT id FROM visits
        WHERE resident_id IN (SELECT id FROM residents WHERE {_IN_VILLAGES})""",
    f"""INSERT OR IGNORE INTO temp.scope_visit_plans (id) SELECT id FROM visit_plans
        WHERE resident_id IN (SELECT id FROM residents WHERE {_IN_VILLAGES})""",
)
_SCOPE_CLOSURE = (
    """INSERT OR IGNORE INTO temp.scope_residents (id) SELECT resident_id FROM requests
        WHERE id IN (SELECT id FROM temp.scope_requests) AND resident_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_members (id) SELECT handler_id FROM requests
        WHERE id IN (SELECT id FROM temp.scope_requests) AND handler_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_grids (id) SELECT grid_id FROM requests
        WHERE id IN (SELECT id FROM temp.scope_requests) AND grid_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_grids (id) SELECT grid_id FROM residents
        WHERE id IN (SELECT id FROM temp.scope_residents) AND grid_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_members (id) SELECT linked_member_id FROM residents
        WHERE id IN (SELECT id FROM temp.scope_residents) AND linked_member_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_members (id) SELECT default_member_id FROM grids
        WHERE id IN (SELECT id FROM temp.scope_grids) AND default_member_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_grids (id)
        SELECT grid_id FROM member_grids WHERE member_id IN (SELECT id FROM temp.scope_members)""",
    """INSERT OR IGNORE INTO temp.scope_members (id) SELECT member_id FROM visits
        WHERE id IN (SELECT id FROM temp.scope_visits) AND member_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_requests (id) SELECT request_id FROM visits
        WHERE id IN (SELECT id FROM temp.scope_visits) AND request_id IS NOT NULL""",
    """INSERT OR IGNORE INTO temp.scope_members (id) SELECT member_id FROM visit_plans
        WHERE id IN (SELECT id FROM temp.scope_visit_plans) AND member_id IS NOT NULL""",
)


@dataclass(frozen=True)
class Column:
    name: str
    target: str | None  # referenced table: the value travels as that row's uuid


@dataclass(frozen=True)
class Unit:
    """A piece of a row that merges on its own: one column, or a group that moves as one value."""

    name: str
    columns: tuple[Column, ...]
    group: bool


def _parse_units() -> dict[str, dict[str, Unit]]:
    def column(spec: object) -> Column:
        name, _, target = str(spec).partition(">")
        return Column(name, target or None)

    parsed: dict[str, dict[str, Unit]] = {}
    for table, specs in schema.SYNC_UNITS.items():
        units: dict[str, Unit] = {}
        for spec in specs:
            if isinstance(spec, tuple):
                units[spec[0]] = Unit(spec[0], tuple(column(c) for c in spec[1]), True)
            else:
                col = column(spec)
                units[col.name] = Unit(col.name, (col,), False)
        if table == "members":
            units[MEMBER_GRIDS_UNIT] = Unit(MEMBER_GRIDS_UNIT, (), False)
        parsed[table] = units
    return parsed


UNITS: dict[str, dict[str, Unit]] = _parse_units()


def stamp_t(stamp: str) -> int:
    return int(stamp[:15])


def stamp_device(stamp: str) -> str:
    return stamp[16:]


def make_stamp(t: int, tag: str) -> str:
    return f"{t:015d}-{tag}"


def unit_stamp(stamps: dict[str, Any] | None, unit: str) -> str | None:
    """The stamp of a unit in a row's stamps (units never written since the insert have its stamp)."""
    if not stamps:
        return None
    found = stamps.get(unit) or stamps.get("")
    return str(found) if found else None


@dataclass(frozen=True)
class Entry:
    """One write of one row: the units it set and the stamps they had before (None: it created the row)."""

    stamp: str
    tbl: str
    uuid: str
    data: dict[str, Any] | None  # None: a new row of a SYNC_DATALESS table, read from the row
    parents: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {"s": self.stamp, "u": self.uuid, "d": self.data, "p": self.parents}

    @classmethod
    def from_json(cls, tbl: str, raw: dict[str, Any]) -> Entry:
        return cls(str(raw["s"]), tbl, str(raw["u"]), dict(raw["d"]), raw.get("p"))


@dataclass(frozen=True)
class Peer:
    device_uuid: str
    tag: str
    name: str
    role: str
    secret: str
    town_code: str | None
    village_uuids: tuple[str, ...]
    seen: dict[str, int]
    needs: list[tuple[str, str]]
    registered_at: str
    last_export_at: str | None
    last_import_at: str | None


def _peer(row: dict[str, Any]) -> Peer:
    return Peer(
        device_uuid=row["device_uuid"],
        tag=row["tag"],
        name=row["name"],
        role=row["role"],
        secret=row["secret"],
        town_code=row["town_code"],
        village_uuids=tuple(json.loads(row["village_codes"])),
        seen={str(k): int(v) for k, v in json.loads(row["seen"]).items()},
        needs=[(str(a), str(b)) for a, b in json.loads(row["needs"])],
        registered_at=row["registered_at"],
        last_export_at=row["last_export_at"],
        last_import_at=row["last_import_at"],
    )


class SyncStore(TableStore):
    """The change log, this copy's clock and version vector, peers and the package record."""

    # ---------------------------------------------------------------- clock and version vector
    def clock(self) -> tuple[int, str]:
        row = self.db.execute("SELECT t, tag FROM sync_state WHERE id = 1").fetchone()
        return int(row[0]), str(row[1])

    def tick(self) -> str:
        """A new stamp for a write this copy makes outside the triggers."""
        self.db.execute(f"UPDATE sync_state SET t = max(t + 1, {_NOW_MS}) WHERE id = 1")
        t, tag = self.clock()
        return make_stamp(t, tag)

    def seen(self) -> dict[str, int]:
        """The newest change of every device this copy has (its own included)."""
        vector = {str(d): int(t) for d, t in self.db.execute("SELECT device, t FROM sync_seen")}
        for device, t in self.db.execute("SELECT device, max(t) FROM sync_log GROUP BY device"):
            vector[str(device)] = max(vector.get(str(device), 0), int(t))
        t, tag = self.clock()
        if tag:
            vector[tag] = max(vector.get(tag, 0), t)
        return vector

    def merge_seen(self, vector: dict[str, int]) -> None:
        for device, t in vector.items():
            self.db.execute(
                "INSERT INTO sync_seen (device, t) VALUES (?, ?)"
                " ON CONFLICT (device) DO UPDATE SET t = max(t, excluded.t)",
                [device, int(t)],
            )

    def advance_clock(self, t: int) -> None:
        self.db.execute("UPDATE sync_state SET t = max(t, ?) WHERE id = 1", [int(t)])

    def set_applying(self, on: bool) -> None:
        self.db.execute("UPDATE sync_state SET applying = ? WHERE id = 1", [int(on)])

    # ---------------------------------------------------------------- member grids
    def flush_member_grids(self) -> int:
        """Log the grid sets of members whose member_grids rows changed; returns how many changed."""
        dirty = [r[0] for r in self.db.execute("SELECT member_id FROM sync_dirty_members")]
        logged = 0
        for member_id in dirty:
            member_uuid = self._scalar("SELECT uuid FROM members WHERE id = ?", [member_id])
            if member_uuid is None:
                continue
            grid_uuids = sorted(
                r[0]
                for r in self.db.execute(
                    "SELECT g.uuid FROM member_grids mg JOIN grids g ON g.id = mg.grid_id WHERE mg.member_id = ?",
                    [member_id],
                )
            )
            stamps = self.row_stamps("members", member_uuid)
            previous = unit_stamp(stamps, MEMBER_GRIDS_UNIT)
            old_value: list[str] = []
            if previous is not None:
                entry = self.entry(previous)
                if entry is not None and entry.data:
                    old_value = list(entry.data.get(MEMBER_GRIDS_UNIT) or [])
            if previous is not None and old_value == grid_uuids:
                continue
            if previous is None and not grid_uuids:
                continue
            stamp = self.tick()
            self.add_entry(Entry(stamp, "members", member_uuid, {MEMBER_GRIDS_UNIT: grid_uuids}, stamps))
            stamps = {**stamps, MEMBER_GRIDS_UNIT: stamp}
            stamps.pop(MEMBER_GRIDS_UNIT + "+", None)
            self.save_row_stamps("members", member_uuid, stamps)
            logged += 1
        self.db.execute("DELETE FROM sync_dirty_members")
        return logged

    # ---------------------------------------------------------------- log
    def add_entry(self, entry: Entry) -> None:
        self.db.execute(
            "INSERT INTO sync_log (stamp, t, device, tbl, uuid, data, parents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                entry.stamp,
                stamp_t(entry.stamp),
                stamp_device(entry.stamp),
                entry.tbl,
                entry.uuid,
                None
                if entry.data is None
                else json.dumps(entry.data, ensure_ascii=False, separators=(",", ":")),
                None
                if entry.parents is None
                else json.dumps(entry.parents, ensure_ascii=False, separators=(",", ":")),
            ],
        )

    def add_entries(self, entries: list[Entry]) -> None:
        def dump(value: Any) -> str | None:
            return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

        self.db.conn.executemany(
            "INSERT INTO sync_log (stamp, t, device, tbl, uuid, data, parents) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.stamp,
                    stamp_t(e.stamp),
                    stamp_device(e.stamp),
                    e.tbl,
                    e.uuid,
                    dump(e.data),
                    dump(e.parents),
                )
                for e in entries
            ],
        )

    def save_many_row_stamps(self, stamps: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.db.conn.executemany(
            "INSERT INTO sync_rows (tbl, uuid, stamps) VALUES (?, ?, ?)"
            " ON CONFLICT (tbl, uuid) DO UPDATE SET stamps = excluded.stamps",
            [(t, u, json.dumps(v, separators=(",", ":"))) for (t, u), v in stamps.items()],
        )

    def entry(self, stamp: str) -> Entry | None:
        row = self.db.execute(
            "SELECT stamp, tbl, uuid, data, parents FROM sync_log WHERE stamp = ?", [stamp]
        ).fetchone()
        return _entry(row) if row else None

    def knows(self, stamp: str) -> bool:
        return self.db.execute("SELECT 1 FROM sync_log WHERE stamp = ?", [stamp]).fetchone() is not None

    def row_stamps(self, tbl: str, uuid: str) -> dict[str, Any]:
        value = self._scalar("SELECT stamps FROM sync_rows WHERE tbl = ? AND uuid = ?", [tbl, uuid])
        return dict(json.loads(value)) if value else {}

    def save_row_stamps(self, tbl: str, uuid: str, stamps: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO sync_rows (tbl, uuid, stamps) VALUES (?, ?, ?)"
            " ON CONFLICT (tbl, uuid) DO UPDATE SET stamps = excluded.stamps",
            [tbl, uuid, json.dumps(stamps, separators=(",", ":"))],
        )

    def entries_since(self, seen: dict[str, int]) -> Iterator[Entry]:
        """Every logged write the holder of version vector ``seen`` does not have, oldest first."""
        devices = [r[0] for r in self.db.execute("SELECT DISTINCT device FROM sync_log")]
        rows: list[tuple[Any, ...]] = []
        for device in devices:
            rows += self.db.execute(
                "SELECT stamp, tbl, uuid, data, parents FROM sync_log WHERE device = ? AND t > ?",
                [device, int(seen.get(device, 0))],
            ).fetchall()
        rows.sort(key=lambda r: r[0])
        return (_entry(r) for r in rows)

    def entries_of_rows(self, rows: Iterable[tuple[str, str]]) -> list[Entry]:
        """The whole history of the given rows (under their uuid and every alias of it)."""
        found: dict[str, Entry] = {}
        for tbl, uuid in rows:
            canonical = self.canonical(tbl, uuid)
            names = [canonical] + [
                r[0]
                for r in self.db.execute(
                    "SELECT alias FROM sync_aliases WHERE tbl = ? AND uuid = ?", [tbl, canonical]
                )
            ]
            for name in names:
                for row in self.db.execute(
                    "SELECT stamp, tbl, uuid, data, parents FROM sync_log WHERE tbl = ? AND uuid = ?",
                    [tbl, name],
                ):
                    found[row[0]] = _entry(row)
        return [found[s] for s in sorted(found)]

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every travelling row as it would travel (references as uuids), by table and uuid: two
        copies that have exchanged everything hold equal snapshots."""
        result: dict[str, dict[str, dict[str, Any]]] = {}
        for table in SYNC_TABLES:
            key = schema.sync_key_column(table)
            where = " WHERE " + schema.LOCAL_SETTINGS_SQL.replace("NEW.", "X.") if table == "settings" else ""
            rows = self.db.execute(
                f"SELECT X.{key}, {schema.sync_row_object(table, 'X')} FROM {table} X{where}"
            )
            result[table] = {str(k): json.loads(v) for k, v in rows}
        for member_uuid, grid_uuid in self.db.execute(
            "SELECT m.uuid, g.uuid FROM member_grids mg JOIN members m ON m.id = mg.member_id"
            " JOIN grids g ON g.id = mg.grid_id"
        ):
            result["members"][member_uuid].setdefault(MEMBER_GRIDS_UNIT, []).append(grid_uuid)
        for row in result["members"].values():
            row[MEMBER_GRIDS_UNIT] = sorted(row.get(MEMBER_GRIDS_UNIT, []))
        return result

    def with_data(self, entries: list[Entry]) -> list[Entry]:
        """Entries ready to travel: a new row logged without its data takes it from the row now
        (later changes of its units travel as their own entries and simply apply again)."""
        missing: dict[str, dict[str, list[int]]] = {}
        for index, entry in enumerate(entries):
            if entry.data is None:
                missing.setdefault(entry.tbl, {}).setdefault(
                    self.canonical(entry.tbl, entry.uuid), []
                ).append(index)
        result: list[Entry | None] = list(entries)
        for table, wanted in missing.items():
            uuids = list(wanted)
            for start in range(0, len(uuids), 500):
                chunk = uuids[start : start + 500]
                marks = ",".join("?" for _ in chunk)
                derived = _DERIVED_COLUMNS.get(table, ())
                extra = "".join(f", X.{c}" for c in derived)
                rows = self.db.execute(
                    f"SELECT X.uuid, {schema.sync_row_object(table, 'X')}{extra} FROM {table} X"
                    f" WHERE X.uuid IN ({marks})",
                    chunk,
                )
                found = {}
                for row in rows:
                    data = json.loads(row[1])
                    if derived:
                        data[DERIVED_KEY] = dict(zip(derived, row[2:], strict=True))
                    found[str(row[0])] = data
                for uuid in chunk:
                    for index in wanted[uuid]:
                        entry = entries[index]
                        data = found.get(uuid)
                        result[index] = (
                            None if data is None else Entry(entry.stamp, entry.tbl, entry.uuid, data, None)
                        )
        return [e for e in result if e is not None]

    def events_of(self, request_uuids: Iterable[str]) -> list[dict[str, Any]]:
        """The history rows of these requests, as they travel (append-only: the receiver skips known ones)."""
        self.db.execute("DROP TABLE IF EXISTS temp.wanted_requests")
        self.db.execute("CREATE TEMP TABLE wanted_requests (uuid TEXT PRIMARY KEY)")
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO temp.wanted_requests (uuid) VALUES (?)", [(u,) for u in request_uuids]
        )
        rows = self.db.execute(
            f"SELECT X.uuid, {schema.sync_row_object('request_events', 'X')} FROM request_events X"
            " JOIN requests r ON r.id = X.request_id WHERE r.uuid IN (SELECT uuid FROM temp.wanted_requests)"
            " ORDER BY X.id"
        ).fetchall()
        self.db.execute("DROP TABLE temp.wanted_requests")
        return [{"uuid": u, **json.loads(d)} for u, d in rows]

    def count_entries(self) -> int:
        return int(self._scalar("SELECT count(*) FROM sync_log"))

    # ---------------------------------------------------------------- aliases and pending
    def canonical(self, tbl: str, uuid: str) -> str:
        found = self._scalar("SELECT uuid FROM sync_aliases WHERE tbl = ? AND alias = ?", [tbl, uuid])
        return str(found) if found else uuid

    def aliases(self) -> dict[tuple[str, str], str]:
        return {
            (str(t), str(a)): str(u)
            for t, a, u in self.db.execute("SELECT tbl, alias, uuid FROM sync_aliases")
        }

    def pending_rows(self) -> list[tuple[str, str]]:
        """Rows that received changes wait for (asked for in the next package)."""
        return [(str(t), str(u)) for t, u in self.db.execute("SELECT DISTINCT tbl, uuid FROM sync_pending")]

    def pending_count(self) -> int:
        return int(self._scalar("SELECT count(*) FROM sync_pending"))

    # ---------------------------------------------------------------- scope of a village laptop
    def village_ids(self, village_uuids: Iterable[str]) -> list[int]:
        """This copy's ids of villages known by uuid (an alias resolves to the village kept)."""
        village_ids = []
        for uuid in village_uuids:
            found = self._scalar("SELECT id FROM villages WHERE uuid = ?", [self.canonical("villages", uuid)])
            if found is not None:
                village_ids.append(int(found))
        return village_ids

    def scope(self, village_uuids: Iterable[str], town_code: str | None) -> dict[str, set[str]]:
        """The rows a laptop for these villages holds, by table (towns, villages, lookups, settings
        and the entered holiday calendars travel whole and are not listed).

        The rows of its villages (with the members serving their grids and the town's members
        without a village), then, until nothing more is added, every row one of them refers to:
        a request's grid, resident and handler, a resident's grid and linked member, a grid's
        default member, a member's grids, a visit's member and request, a plan's member (the
        visits and plans come with their residents' villages). Only the referenced rows come along, not their villages,
        so whatever the laptop holds refers only to rows it holds and nothing waits after the
        first package.
        """
        village_ids = self.village_ids(village_uuids)
        town_id = self._scalar("SELECT id FROM towns WHERE code = ?", [town_code]) if town_code else None
        for name in _SCOPE_TABLES:
            self.db.execute(f"DROP TABLE IF EXISTS temp.{name}")  # names are constants
            self.db.execute(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY)")
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO temp.scope_villages (id) VALUES (?)", [(i,) for i in village_ids]
        )
        for statement in _SCOPE_SEED:
            self.db.execute(statement, {"town": town_id} if ":town" in statement else {})
        while sum(self.db.execute(statement).rowcount for statement in _SCOPE_CLOSURE):
            pass
        result: dict[str, set[str]] = {}
        for table in ("grids", "members", "residents", "requests", "visits", "visit_plans"):
            result[table] = {
                r[0]
                for r in self.db.execute(
                    f"SELECT uuid FROM {table} WHERE id IN (SELECT id FROM temp.scope_{table})"
                )
            }
        result["request_events"] = {
            r[0]
            for r in self.db.execute(
                "SELECT uuid FROM request_events WHERE request_id IN (SELECT id FROM temp.scope_requests)"
            )
        }
        for name in _SCOPE_TABLES:
            self.db.execute(f"DROP TABLE temp.{name}")
        return result

    # ---------------------------------------------------------------- rebuilding (join)
    def rebuild(self) -> None:
        """Forget the change log and log every row afresh under this copy's (new) device tag.

        Used when a laptop that never exchanged joins a township and takes the tag it was given.
        """
        for table in ("sync_log", "sync_rows", "sync_seen", "sync_aliases", "sync_pending", "sync_conflicts"):
            self.db.execute(f"DELETE FROM {table}")  # table names are constants
        self.db.execute(
            "INSERT OR IGNORE INTO sync_dirty_members (member_id) SELECT DISTINCT member_id FROM member_grids"
        )
        for statement in schema.EXCHANGE_BACKFILL:
            self.db.execute(statement)

    def has_exchanged(self) -> bool:
        return bool(self._scalar("SELECT count(*) FROM exchange_packages"))

    # ---------------------------------------------------------------- peers
    def add_peer(
        self,
        device_uuid: str,
        tag: str,
        name: str,
        role: str,
        secret: str,
        town_code: str | None,
        village_uuids: Iterable[str],
    ) -> None:
        self.db.execute(
            "INSERT INTO exchange_peers (device_uuid, tag, name, role, secret, town_code, village_codes,"
            " registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [device_uuid, tag, name, role, secret, town_code, json.dumps(list(village_uuids)), now_text()],
        )

    def update_peer(self, device_uuid: str, **changes: Any) -> None:
        allowed = {
            "name",
            "secret",
            "town_code",
            "village_codes",
            "seen",
            "needs",
            "last_export_at",
            "last_import_at",
        }
        values = {}
        for key, value in changes.items():
            if key not in allowed:
                raise KeyError(key)
            values[key] = json.dumps(value) if isinstance(value, (dict, list, tuple)) else value
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(
            f"UPDATE exchange_peers SET {sets} WHERE device_uuid = ?", [*values.values(), device_uuid]
        )

    def peer_by_tag(self, tag: str) -> Peer | None:
        row = self._one("SELECT * FROM exchange_peers WHERE tag = ?", [tag])
        return _peer(row) if row else None

    def peer(self, device_uuid: str) -> Peer | None:
        row = self._one("SELECT * FROM exchange_peers WHERE device_uuid = ?", [device_uuid])
        return _peer(row) if row else None

    def peers(self) -> list[Peer]:
        return [_peer(r) for r in self._fetch("SELECT * FROM exchange_peers ORDER BY role, name")]

    # ---------------------------------------------------------------- packages
    def package_known(self, package_id: str, direction: str) -> bool:
        return (
            self._scalar(
                "SELECT 1 FROM exchange_packages WHERE package_id = ? AND direction = ?",
                [package_id, direction],
            )
            is not None
        )

    def record_package(
        self, package_id: str, direction: str, peer_tag: str, changes: int, summary: dict[str, Any]
    ) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO exchange_packages (package_id, direction, peer_tag, at, changes, summary)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [package_id, direction, peer_tag, now_text(), changes, json.dumps(summary, ensure_ascii=False)],
        )


def _entry(row: tuple[Any, ...]) -> Entry:
    stamp, tbl, uuid, data, parents = row
    return Entry(
        str(stamp),
        str(tbl),
        str(uuid),
        json.loads(data) if data is not None else None,
        json.loads(parents) if parents else None,
    )
