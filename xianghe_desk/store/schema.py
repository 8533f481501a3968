"""The schema as SQL statements, one list per migration (never edited once shipped).

Rows that travel between machines (exchange packages) carry ``uuid``, ``created_at``,
``updated_at``, ``device_id`` (the copy that last changed the row) and ``deleted_at``
(a tombstone: deletions travel too).
"""

from __future__ import annotations

_SYNC = """
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    device_id TEXT NOT NULL,
    deleted_at TEXT
"""
SYNC_COLUMNS = _SYNC  # for the tables of later migrations (store/schema_visits.py)

INITIAL: list[str] = [
    f"""CREATE TABLE towns (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE CHECK (length(code) = 9),
        name TEXT NOT NULL UNIQUE,
        sort_order INTEGER NOT NULL DEFAULT 0,
        {_SYNC}
    )""",
    f"""CREATE TABLE villages (
        id INTEGER PRIMARY KEY,
        town_id INTEGER NOT NULL REFERENCES towns(id),
        code TEXT UNIQUE CHECK (code IS NULL OR length(code) = 12),
        name TEXT NOT NULL,
        short_name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'village' CHECK (kind IN ('village', 'community', 'virtual')),
        district TEXT NOT NULL DEFAULT '',
        {_SYNC},
        UNIQUE (town_id, name)
    )""",
    "CREATE INDEX idx_villages_town ON villages(town_id)",
    "CREATE INDEX idx_villages_short ON villages(short_name)",
    f"""CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_initials TEXT NOT NULL DEFAULT '',
        name_pinyin TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL,
        town_id INTEGER NOT NULL REFERENCES towns(id),
        village_id INTEGER REFERENCES villages(id),
        kind TEXT NOT NULL DEFAULT 'part_time' CHECK (kind IN ('full_time', 'part_time')),
        role TEXT NOT NULL DEFAULT 'member'
            CHECK (role IN ('grid_head', 'member', 'village_cadre', 'town_cadre', 'helper')),
        is_party INTEGER NOT NULL DEFAULT 0,
        id_number TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        {_SYNC}
    )""",
    "CREATE INDEX idx_members_town ON members(town_id, active)",
    "CREATE INDEX idx_members_village ON members(village_id)",
    "CREATE INDEX idx_members_name ON members(name)",
    "CREATE INDEX idx_members_initials ON members(name_initials)",
    "CREATE INDEX idx_members_pinyin ON members(name_pinyin)",
    "CREATE INDEX idx_members_phone ON members(phone)",
    "CREATE UNIQUE INDEX idx_members_phone_town ON members(town_id, phone) WHERE deleted_at IS NULL",
    f"""CREATE TABLE grids (
        id INTEGER PRIMARY KEY,
        village_id INTEGER NOT NULL REFERENCES villages(id),
        name TEXT NOT NULL,
        number TEXT NOT NULL DEFAULT '',
        head_name TEXT NOT NULL DEFAULT '',
        households INTEGER,
        population INTEGER,
        party_group TEXT NOT NULL DEFAULT '',
        default_member_id INTEGER REFERENCES members(id),
        {_SYNC},
        UNIQUE (village_id, name)
    )""",
    "CREATE INDEX idx_grids_village ON grids(village_id)",
    "CREATE INDEX idx_grids_member ON grids(default_member_id)",
    """CREATE TABLE member_grids (
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        grid_id INTEGER NOT NULL REFERENCES grids(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        PRIMARY KEY (member_id, grid_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX idx_member_grids_grid ON member_grids(grid_id)",
    f"""CREATE TABLE residents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_initials TEXT NOT NULL DEFAULT '',
        name_pinyin TEXT NOT NULL DEFAULT '',
        id_number TEXT UNIQUE,
        sex TEXT CHECK (sex IS NULL OR sex IN ('male', 'female')),
        birth_date TEXT,
        phone TEXT NOT NULL DEFAULT '',
        phone_rev TEXT NOT NULL DEFAULT '',
        town_id INTEGER NOT NULL REFERENCES towns(id),
        village_id INTEGER NOT NULL REFERENCES villages(id),
        grid_id INTEGER REFERENCES grids(id),
        care_tags TEXT NOT NULL DEFAULT '',
        living TEXT,
        address TEXT NOT NULL DEFAULT '',
        emergency_name TEXT NOT NULL DEFAULT '',
        emergency_phone TEXT NOT NULL DEFAULT '',
        linked_member_id INTEGER REFERENCES members(id),
        note TEXT NOT NULL DEFAULT '',
        {_SYNC}
    )""",
    "CREATE INDEX idx_residents_village ON residents(village_id, name_pinyin)",
    "CREATE INDEX idx_residents_town ON residents(town_id, name_pinyin)",
    "CREATE INDEX idx_residents_grid ON residents(grid_id)",
    "CREATE INDEX idx_residents_name ON residents(name)",
    "CREATE INDEX idx_residents_initials ON residents(name_initials)",
    "CREATE INDEX idx_residents_pinyin ON residents(name_pinyin)",
    "CREATE INDEX idx_residents_phone ON residents(phone)",
    "CREATE INDEX idx_residents_phone_rev ON residents(phone_rev)",
    "CREATE INDEX idx_residents_linked ON residents(linked_member_id)",
    f"""CREATE TABLE lookups (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('channel', 'category', 'method')),
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        group_code TEXT NOT NULL DEFAULT '',
        sort_order INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        {_SYNC},
        UNIQUE (kind, code),
        UNIQUE (kind, name)
    )""",
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        device_id TEXT NOT NULL
    )""",
    """CREATE TABLE devices (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        tag TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'township' CHECK (role IN ('township', 'village', 'county')),
        town_id INTEGER REFERENCES towns(id),
        is_self INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX idx_devices_self ON devices(is_self) WHERE is_self = 1",
    """CREATE TABLE number_sequences (
        device_tag TEXT NOT NULL,
        period TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (device_tag, period)
    ) WITHOUT ROWID""",
    f"""CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        external_number TEXT,
        received_at TEXT NOT NULL,
        channel TEXT NOT NULL,
        category TEXT NOT NULL,
        urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('urgent', 'normal')),
        content TEXT NOT NULL,
        town_id INTEGER NOT NULL REFERENCES towns(id),
        village_id INTEGER NOT NULL REFERENCES villages(id),
        grid_id INTEGER REFERENCES grids(id),
        resident_id INTEGER REFERENCES residents(id),
        person_name TEXT NOT NULL DEFAULT '',
        person_initials TEXT NOT NULL DEFAULT '',
        person_phone TEXT NOT NULL DEFAULT '',
        person_phone_rev TEXT NOT NULL DEFAULT '',
        person_id_number TEXT,
        handler_id INTEGER REFERENCES members(id),
        status TEXT NOT NULL DEFAULT 'received'
            CHECK (status IN ('received', 'dispatched', 'in_progress', 'completed', 'closed', 'cancelled')),
        due_at TEXT NOT NULL,
        dispatched_at TEXT,
        started_at TEXT,
        completed_at TEXT,
        method TEXT,
        result TEXT NOT NULL DEFAULT '',
        feedback_at TEXT,
        feedback_route TEXT CHECK (feedback_route IS NULL OR feedback_route IN ('phone', 'in_person')),
        satisfaction TEXT
            CHECK (satisfaction IS NULL OR satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
        feedback_by TEXT NOT NULL DEFAULT '',
        cancelled_at TEXT,
        escalations INTEGER NOT NULL DEFAULT 0,
        printed_at TEXT,
        created_by TEXT NOT NULL DEFAULT '',
        {_SYNC},
        CHECK (status NOT IN ('completed', 'closed') OR (completed_at IS NOT NULL AND method IS NOT NULL)),
        CHECK (status <> 'closed' OR (satisfaction IS NOT NULL AND feedback_route IS NOT NULL))
    )""",
    "CREATE INDEX idx_requests_received ON requests(received_at)",
    "CREATE INDEX idx_requests_town ON requests(town_id, received_at)",
    "CREATE INDEX idx_requests_village ON requests(village_id, received_at)",
    "CREATE INDEX idx_requests_grid ON requests(grid_id, received_at)",
    "CREATE INDEX idx_requests_handler ON requests(handler_id, status)",
    "CREATE INDEX idx_requests_resident ON requests(resident_id)",
    "CREATE INDEX idx_requests_status ON requests(status, due_at)",
    "CREATE INDEX idx_requests_category ON requests(category, received_at)",
    "CREATE INDEX idx_requests_channel ON requests(channel, received_at)",
    "CREATE INDEX idx_requests_urgency ON requests(urgency, received_at)",
    "CREATE INDEX idx_requests_due ON requests(due_at)",
    "CREATE INDEX idx_requests_completed ON requests(completed_at)",
    "CREATE INDEX idx_requests_external ON requests(external_number) WHERE external_number IS NOT NULL",
    "CREATE INDEX idx_requests_person_name ON requests(person_name)",
    "CREATE INDEX idx_requests_person_initials ON requests(person_initials)",
    "CREATE INDEX idx_requests_person_phone ON requests(person_phone)",
    "CREATE INDEX idx_requests_person_phone_rev ON requests(person_phone_rev)",
    "CREATE INDEX idx_requests_printed ON requests(status, printed_at)",
    """CREATE TABLE request_events (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        request_id INTEGER NOT NULL REFERENCES requests(id),
        action TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL DEFAULT '{}',
        device_id TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX idx_events_request ON request_events(request_id, at)",
    "CREATE INDEX idx_events_at ON request_events(at)",
    # The history is append-only: an event row can be added, never changed or removed.
    """CREATE TRIGGER request_events_no_update BEFORE UPDATE ON request_events
       BEGIN SELECT RAISE(ABORT, 'request_events is append-only'); END""",
    """CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events
       BEGIN SELECT RAISE(ABORT, 'request_events is append-only'); END""",
]


# ---------------------------------------------------------------- migration 0002: exchange packages
# What travels between copies (services/exchange.py explains the design). Each travelling table is a
# list of *units*, the pieces that merge on their own: a column; "col>table", a reference carried as
# the referenced row's uuid (local ids differ between copies); or (name, (columns …)), a group that
# merges as one value (a request's status with its times, method and rating must come from one write,
# or the merged row could break the table's CHECK rules). Derived columns (pinyin, reversed phone)
# do not travel: the receiver computes them. A later migration that adds a travelling column must
# recreate that table's triggers and extend SYNC_UNITS; migration 0002 itself keeps building its
# triggers from UNITS_0002, exactly as shipped.
UNITS_0002: dict[str, tuple[object, ...]] = {
    "towns": ("code", "name", "sort_order", "created_at", "deleted_at"),
    "villages": (
        "town_id>towns", "code", "name", "short_name", "kind", "district", "created_at", "deleted_at",
    ),
    "members": (
        "name", "phone", "town_id>towns", "village_id>villages", "kind", "role", "is_party", "id_number",
        "active", "created_at", "deleted_at",
    ),
    "grids": (
        "village_id>villages", "name", "number", "head_name", "households", "population", "party_group",
        "default_member_id>members", "created_at", "deleted_at",
    ),
    "residents": (
        "name", "id_number", "sex", "birth_date", "phone", "town_id>towns", "village_id>villages",
        "grid_id>grids", "care_tags", "living", "address", "emergency_name", "emergency_phone",
        "linked_member_id>members", "note", "created_at", "deleted_at",
    ),
    "lookups": ("kind", "code", "name", "group_code", "sort_order", "active", "created_at", "deleted_at"),
    "settings": ("value",),
    "requests": (
        "number", "external_number", "received_at", "channel", "category", "urgency", "content",
        "town_id>towns", "village_id>villages", "grid_id>grids", "resident_id>residents", "person_name",
        "person_phone", "person_id_number", "due_at",
        (
            "lifecycle",
            (
                "status", "handler_id>members", "dispatched_at", "started_at", "completed_at", "method",
                "result", "feedback_at", "feedback_route", "satisfaction", "feedback_by", "cancelled_at",
            ),
        ),
        "escalations", "printed_at", "created_by", "created_at", "deleted_at",
    ),
    # Append-only history: rows are only ever inserted.
    "request_events": (
        "request_id>requests", "action", "from_status", "to_status", "at", "actor", "note", "data",
        "device_id", "created_at",
    ),
}  # fmt: skip

# Migration 0005 (issue #11, store/schema_visits.py): a resident's status travels as one unit (status
# and its dates come from one write); visit plans, visits and the entered holiday calendars travel
# like every other row.
UNITS_0005: dict[str, tuple[object, ...]] = {
    "residents": (
        *UNITS_0002["residents"],
        ("status", ("status", "status_since", "status_until")),
    ),
    "visit_plans": (
        "resident_id>residents", "interval_days", "member_id>members", "starts_on", "note", "created_at",
        "deleted_at",
    ),
    "visits": (
        "resident_id>residents", "member_id>members", "visited_on", "method", "checks", "note", "needs",
        "request_id>requests", "recorded_by", "created_at", "deleted_at",
    ),
    "official_calendars": ("year", "holidays", "workdays", "source", "created_at", "deleted_at"),
}  # fmt: skip
SYNC_UNITS: dict[str, tuple[object, ...]] = {**UNITS_0002, **UNITS_0005}

# Big tables whose insert entries leave the data out: the row holds it until a unit changes, and an
# export reads it from there (store/exchange.py). Keeps the log small on a county's database.
SYNC_DATALESS = ("residents", "requests", "visits")
# Append-only history: not logged at all; a request's events travel with the request's changes.
SYNC_UNLOGGED = ("request_events",)

# Settings that belong to one copy (who sits at it, which town it serves), never sent.
LOCAL_SETTINGS_SQL = "(NEW.key NOT IN ('operator', 'town_code') AND NEW.key NOT LIKE 'local.%')"


def sync_key_column(table: str) -> str:
    return "key" if table == "settings" else "uuid"


def _column_expr(spec: str, alias: str) -> str:
    column, _, target = spec.partition(">")
    if target:
        return f"(SELECT uuid FROM {target} WHERE id = {alias}.{column})"
    return f"{alias}.{column}"


def _unit_name(unit: object) -> str:
    return unit[0] if isinstance(unit, tuple) else str(unit).partition(">")[0]


def _unit_columns(unit: object) -> list[str]:
    specs = unit[1] if isinstance(unit, tuple) else (unit,)
    return [str(s).partition(">")[0] for s in specs]


def _unit_value(unit: object, alias: str) -> str:
    """The unit's value as SQL: a column, a referenced uuid, or a JSON object for a group."""
    if isinstance(unit, tuple):
        parts = ", ".join(f"'{_unit_name(s)}', {_column_expr(s, alias)}" for s in unit[1])
        return f"json_object({parts})"
    return _column_expr(str(unit), alias)


def _unit_json(unit: object, alias: str) -> str:
    return _unit_value(unit, alias) if isinstance(unit, tuple) else f"json_quote({_unit_value(unit, alias)})"


def _unit_changed(unit: object) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _unit_columns(unit)) + ")"


def sync_row_object(table: str, alias: str, units: tuple[object, ...] | None = None) -> str:
    return (
        "json_object("
        + ", ".join(f"'{_unit_name(u)}', {_unit_value(u, alias)}" for u in units or SYNC_UNITS[table])
        + ")"
    )


_STAMP = "printf('%015d-%s', t, tag)"
_TICK = "UPDATE sync_state SET t = max(t + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));"
_LIVE = "(SELECT applying FROM sync_state) = 0"


def sync_triggers(table: str, units: tuple[object, ...] | None = None) -> list[str]:
    """The change-log triggers of a travelling table (``units``: as of a migration; default now)."""
    key = sync_key_column(table)
    units = units or SYNC_UNITS[table]
    if table in SYNC_UNLOGGED:
        return []
    when = _LIVE + (f" AND {LOCAL_SETTINGS_SQL}" if table == "settings" else "")
    data = "NULL" if table in SYNC_DATALESS else sync_row_object(table, "NEW", units)
    statements = [
        f"""CREATE TRIGGER sync_{table}_insert AFTER INSERT ON {table} WHEN {when}
        BEGIN
            {_TICK}
            INSERT INTO sync_log (stamp, t, device, tbl, uuid, data, parents)
                SELECT {_STAMP}, t, tag, '{table}', NEW.{key}, {data}, NULL FROM sync_state;
            DELETE FROM sync_rows WHERE tbl = '{table}' AND uuid = NEW.{key};
            INSERT INTO sync_rows (tbl, uuid, stamps) SELECT '{table}', NEW.{key}, json_object('', {_STAMP})
                FROM sync_state;
        END"""
    ]
    changed_any = " OR ".join(_unit_changed(u) for u in units)
    values = " UNION ALL ".join(
        f"SELECT '{_unit_name(u)}' AS k, {_unit_json(u, 'NEW')} AS v WHERE {_unit_changed(u)}" for u in units
    )
    # A changed unit gets the new stamp and loses its list of equal concurrent stamps ("<unit>+",
    # store/sync_apply.py): json_patch removes a key patched with null.
    names = " UNION ALL ".join(
        f"SELECT '{_unit_name(u)}' AS k, s.stamp AS v FROM s WHERE {_unit_changed(u)}"
        f" UNION ALL SELECT '{_unit_name(u)}+', NULL FROM s WHERE {_unit_changed(u)}"
        for u in units
    )
    statements.append(
        f"""CREATE TRIGGER sync_{table}_update AFTER UPDATE ON {table} WHEN {when} AND ({changed_any})
        BEGIN
            {_TICK}
            INSERT INTO sync_log (stamp, t, device, tbl, uuid, data, parents)
                SELECT {_STAMP}, t, tag, '{table}', NEW.{key},
                    (SELECT json_group_object(k, json(v)) FROM ({values})),
                    coalesce((SELECT stamps FROM sync_rows WHERE tbl = '{table}' AND uuid = NEW.{key}), '{{}}')
                FROM sync_state;
            INSERT INTO sync_rows (tbl, uuid, stamps) SELECT '{table}', NEW.{key}, '{{}}'
                WHERE NOT EXISTS (SELECT 1 FROM sync_rows WHERE tbl = '{table}' AND uuid = NEW.{key});
            UPDATE sync_rows SET stamps = json_patch(stamps,
                    (WITH s AS (SELECT {_STAMP} AS stamp FROM sync_state)
                     SELECT json_group_object(c.k, c.v) FROM ({names}) c))
                WHERE tbl = '{table}' AND uuid = NEW.{key};
        END"""
    )
    return statements


def backfill(table: str, units: tuple[object, ...] | None = None) -> list[str]:
    """Log every row that is not logged yet as if it had just been added on this copy."""
    if table in SYNC_UNLOGGED:
        return []
    key = sync_key_column(table)
    local = " AND " + LOCAL_SETTINGS_SQL.replace("NEW.", "X.") if table == "settings" else ""
    data = "NULL" if table in SYNC_DATALESS else sync_row_object(table, "X", units)
    return [
        "UPDATE sync_state SET t = max(t, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
        f"""INSERT INTO sync_log (stamp, t, device, tbl, uuid, data, parents)
            SELECT printf('%015d-%s', s.t + x.n, s.tag), s.t + x.n, s.tag, '{table}', x.uuid, x.data, NULL
            FROM sync_state s, (SELECT X.{key} AS uuid, {data} AS data,
                                       row_number() OVER (ORDER BY X.rowid) AS n
                                FROM {table} X
                                WHERE NOT EXISTS (SELECT 1 FROM sync_rows r
                                                  WHERE r.tbl = '{table}' AND r.uuid = X.{key}){local}) x""",
        f"""INSERT OR IGNORE INTO sync_rows (tbl, uuid, stamps)
            SELECT l.tbl, l.uuid, json_object('', l.stamp)
            FROM sync_log l WHERE l.tbl = '{table}' AND l.parents IS NULL
            AND l.t > (SELECT t FROM sync_state)""",
        "UPDATE sync_state SET t = max(t, coalesce((SELECT max(t) FROM sync_log), 0))",
    ]


EXCHANGE: list[str] = [
    # The change clock of this copy: a hybrid logical clock in milliseconds (never behind the wall
    # clock, always ahead of every change seen), this copy's device tag, and whether an incoming
    # package is being applied (then the triggers stay quiet: applied changes keep their stamps).
    """CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        t INTEGER NOT NULL,
        tag TEXT NOT NULL DEFAULT '',
        applying INTEGER NOT NULL DEFAULT 0
    )""",
    """INSERT INTO sync_state (id, t, tag)
       VALUES (1, 0, coalesce((SELECT tag FROM devices WHERE is_self = 1), ''))""",
    """CREATE TRIGGER sync_self_device_insert AFTER INSERT ON devices WHEN NEW.is_self = 1
       BEGIN UPDATE sync_state SET tag = NEW.tag; END""",
    """CREATE TRIGGER sync_self_device_update AFTER UPDATE OF tag, is_self ON devices WHEN NEW.is_self = 1
       BEGIN UPDATE sync_state SET tag = NEW.tag; END""",
    # One row per write of one row: the units it changed (data; NULL for a new row of a table in
    # SYNC_DATALESS) and the stamps those units had before (parents; NULL for the write that created
    # the row). stamp = '<t, 15 digits>-<tag>'.
    """CREATE TABLE sync_log (
        stamp TEXT PRIMARY KEY,
        t INTEGER NOT NULL,
        device TEXT NOT NULL,
        tbl TEXT NOT NULL,
        uuid TEXT NOT NULL,
        data TEXT,
        parents TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX idx_sync_log_device ON sync_log(device, t)",
    "CREATE INDEX idx_sync_log_row ON sync_log(tbl, uuid)",
    # The stamp of the last write of each unit of each row: {"": stamp of the insert, unit: stamp of
    # a later write, "unit+": [stamps of equal values written concurrently]}.
    """CREATE TABLE sync_rows (
        tbl TEXT NOT NULL,
        uuid TEXT NOT NULL,
        stamps TEXT NOT NULL,
        PRIMARY KEY (tbl, uuid)
    ) WITHOUT ROWID""",
    # The newest change of each device this copy has (version vector).
    "CREATE TABLE sync_seen (device TEXT PRIMARY KEY, t INTEGER NOT NULL) WITHOUT ROWID",
    # The same place or person created on two copies (towns and villages seeded everywhere, the same
    # ID number …): the larger uuid is an alias of the smaller one, which every copy keeps.
    """CREATE TABLE sync_aliases (
        tbl TEXT NOT NULL,
        alias TEXT NOT NULL,
        uuid TEXT NOT NULL,
        PRIMARY KEY (tbl, alias)
    ) WITHOUT ROWID""",
    # Received changes to rows this copy does not have yet (they are asked for in the next package).
    """CREATE TABLE sync_pending (
        stamp TEXT PRIMARY KEY,
        tbl TEXT NOT NULL,
        uuid TEXT NOT NULL
    ) WITHOUT ROWID""",
    # Trigger bodies avoid OR IGNORE / OR REPLACE: an outer statement's own conflict clause (the
    # settings upsert) would override theirs.
    # Members whose grids changed (member_grids has no uuid: the set travels as a unit of the member).
    "CREATE TABLE sync_dirty_members (member_id INTEGER PRIMARY KEY)",
    f"""CREATE TRIGGER sync_member_grids_insert AFTER INSERT ON member_grids WHEN {_LIVE}
        BEGIN INSERT INTO sync_dirty_members (member_id) SELECT NEW.member_id
              WHERE NOT EXISTS (SELECT 1 FROM sync_dirty_members WHERE member_id = NEW.member_id); END""",
    f"""CREATE TRIGGER sync_member_grids_delete AFTER DELETE ON member_grids WHEN {_LIVE}
        BEGIN INSERT INTO sync_dirty_members (member_id) SELECT OLD.member_id
              WHERE NOT EXISTS (SELECT 1 FROM sync_dirty_members WHERE member_id = OLD.member_id); END""",
    "INSERT OR IGNORE INTO sync_dirty_members (member_id) SELECT DISTINCT member_id FROM member_grids",
    # Conflicts for the clerk: both values, which one the database holds now, and the decision.
    # uuid is derived from the two writes, so a conflict noticed on two copies is one record.
    """CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('field', 'delete', 'unique')),
        tbl TEXT NOT NULL,
        row_uuid TEXT NOT NULL,
        unit TEXT NOT NULL,
        stamp_a TEXT NOT NULL,
        device_a TEXT NOT NULL,
        value_a TEXT NOT NULL,
        stamp_b TEXT NOT NULL,
        device_b TEXT NOT NULL,
        value_b TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        detected_at TEXT NOT NULL,
        detected_by TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT NOT NULL DEFAULT '',
        resolved_on TEXT NOT NULL DEFAULT '',
        resolution TEXT,
        resolution_stamp TEXT
    )""",
    "CREATE INDEX idx_sync_conflicts_open ON sync_conflicts(resolved_at, detected_at)",
    "CREATE INDEX idx_sync_conflicts_row ON sync_conflicts(tbl, row_uuid)",
    # The other copies this one exchanges packages with, the key shared at registration, what they
    # are to hold (scope) and what they are known to have (seen, a version vector).
    """CREATE TABLE exchange_peers (
        device_uuid TEXT PRIMARY KEY,
        tag TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('township', 'village', 'county')),
        secret TEXT NOT NULL,
        town_code TEXT,
        village_codes TEXT NOT NULL DEFAULT '[]',
        seen TEXT NOT NULL DEFAULT '{}',
        needs TEXT NOT NULL DEFAULT '[]',
        registered_at TEXT NOT NULL,
        last_export_at TEXT,
        last_import_at TEXT
    )""",
    """CREATE TABLE exchange_packages (
        package_id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
        peer_tag TEXT NOT NULL,
        at TEXT NOT NULL,
        changes INTEGER NOT NULL,
        summary TEXT NOT NULL DEFAULT '{}'
    )""",
    # Pairs of residents the clerk said are two different people (likely-duplicate search skips them).
    """CREATE TABLE duplicate_dismissals (
        uuid_a TEXT NOT NULL,
        uuid_b TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (uuid_a, uuid_b)
    ) WITHOUT ROWID""",
]
for _table, _units in UNITS_0002.items():
    EXCHANGE += sync_triggers(_table, _units)

# Run by migration 0002, as shipped.
EXCHANGE_BACKFILL_0002: list[str] = [sql for _table, _units in UNITS_0002.items() for sql in backfill(_table, _units)]
# Run when a laptop joins a township and after a bulk load (store/exchange.py, store/bulk.py): every
# travelling table as the schema is now.
EXCHANGE_BACKFILL: list[str] = [sql for _table in SYNC_UNITS for sql in backfill(_table)]

# Migration 0003: search indexes. Phone numbers are matched by their digits (landlines are stored
# as 0316-5123456 but typed as 03165123456), through expression indexes that the search SQL in
# store/requests.py and store/people.py repeats character for character; ID-number prefixes of
# the person on a request get an index too.
PHONE_DIGITS = "replace({}, '-', '')"

SEARCH_INDEXES: list[str] = [
    "CREATE INDEX idx_requests_person_id_number ON requests(person_id_number)",
    f"CREATE INDEX idx_requests_person_phone_digits ON requests({PHONE_DIGITS.format('person_phone')})",
    f"CREATE INDEX idx_residents_phone_digits ON residents({PHONE_DIGITS.format('phone')})",
    f"CREATE INDEX idx_members_phone_digits ON members({PHONE_DIGITS.format('phone')})",
]

# Migration 0004: accounts and the audit trail (issue #9). Accounts belong to one copy (they do not
# travel); the audit trail is append-only: triggers refuse UPDATE and DELETE, and every row carries
# the hash of the previous row of the same copy, so `check` finds a row altered or removed even by
# someone who dropped the triggers with another tool.
ACCOUNTS: list[str] = [
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('admin', 'town_clerk', 'village_clerk', 'viewer')),
        town_ids TEXT NOT NULL DEFAULT '[]',
        village_ids TEXT NOT NULL DEFAULT '[]',
        password_hash TEXT NOT NULL,
        must_change INTEGER NOT NULL DEFAULT 0,
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        last_sign_in_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL DEFAULT '',
        entity_uuid TEXT NOT NULL DEFAULT '',
        resident_uuid TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (device, seq)
    )""",
    "CREATE INDEX idx_audit_at ON audit_log(at)",
    "CREATE INDEX idx_audit_user ON audit_log(user_name, at)",
    "CREATE INDEX idx_audit_entity ON audit_log(entity_uuid)",
    "CREATE INDEX idx_audit_resident ON audit_log(resident_uuid)",
    "CREATE INDEX idx_audit_kind ON audit_log(kind, at)",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]
