"""Service requests (服务工单) and their append-only history (request_events).

Paging (issue #13). STYLE's rule "list queries take offset/limit plus a matching count" holds in
its keyset form here: ``page()`` takes the key of a row the caller already has (``after``, the
sort columns and the id, RequestListRow.key), a ``limit`` and a small ``skip`` counted from that
row, in either direction; ``count()`` is its matching count. A page then costs the same at row
400 and at row 400,000: SQLite seeks to the key through the sort's index instead of stepping over
every row before it, as OFFSET does. ``list()`` keeps the plain offset/limit form for exports and
short lists. Every sort offers an index whose columns are the sort's (``_SORT_COLUMNS``) with the
id last, so the order, the index and the key are the same three things.
"""

from __future__ import annotations

import builtins
import json
import math
import re
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction, Status, Urgency
from xianghe_desk.domain.models import RequestEvent, ServiceRequest
from xianghe_desk.domain.numbering import DEVICE_ALPHABET, clean_input
from xianghe_desk.domain.queries import RequestFilter, RequestListRow, SearchKind, Sort, read_search
from xianghe_desk.store.base import Row, TableStore, dt, dt_text, prefix_range, scope_clauses
from xianghe_desk.store.db import new_uuid, now_text
from xianghe_desk.store.schema import PHONE_DIGITS

_SELECT = """
    SELECT r.*, t.name AS town_name, v.short_name AS village_name, coalesce(g.name, '') AS grid_name,
           coalesce(m.name, '') AS handler_name, coalesce(m.phone, '') AS handler_phone,
           coalesce(lc.name, r.channel) AS channel_name, coalesce(lk.name, r.category) AS category_name,
           coalesce(lk.group_code, '') AS category_group, coalesce(lm.name, r.method, '') AS method_name
    FROM requests r
    JOIN towns t ON t.id = r.town_id
    JOIN villages v ON v.id = r.village_id
    LEFT JOIN grids g ON g.id = r.grid_id
    LEFT JOIN members m ON m.id = r.handler_id
    LEFT JOIN lookups lc ON lc.kind = 'channel' AND lc.code = r.channel
    LEFT JOIN lookups lk ON lk.kind = 'category' AND lk.code = r.category
    LEFT JOIN lookups lm ON lm.kind = 'method' AND lm.code = r.method
"""

# Sort key → the columns it orders by (then r.id), all in the same direction. Ties of a column
# with few values are broken by the second column of that column's index (a status by due time, a
# village by received time), so that the index gives the whole order and a page is a seek.
_SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("r.number",),
    "received_at": ("r.received_at",),
    "due_at": ("r.due_at",),
    "status": ("r.status", "r.due_at"),
    "urgency": ("r.urgency", "r.received_at"),
    "category": ("r.category", "r.received_at"),
    "channel": ("r.channel", "r.received_at"),
    "town": ("r.town_id", "r.received_at"),
    "village": ("r.village_id", "r.received_at"),
    "grid": ("r.grid_id", "r.received_at"),
    "person_name": ("r.person_initials",),
    "handler": ("r.handler_id", "r.status"),
    "completed_at": ("r.completed_at",),
    "satisfaction": ("r.satisfaction",),
}
# Sort columns that may be NULL (SQLite puts NULL first going up, last going down; a key with
# NULL in it cannot be compared, so those rows are paged as a segment of their own).
_NULLABLE = frozenset({"r.grid_id", "r.handler_id", "r.completed_at", "r.satisfaction"})

# What a list row holds (RequestListRow, in this order, without ``key``).
_ROW_SELECT = """
    SELECT r.id, r.number, r.received_at, r.status, r.urgency, r.person_name, t.name,
           v.short_name, coalesce(g.name, ''), coalesce(lk.name, r.category), substr(r.content, 1, 200),
           coalesce(lc.name, r.channel), coalesce(m.name, ''), coalesce(m.phone, ''), r.due_at,
           r.completed_at, r.town_id, r.village_id, r.grid_id, r.handler_id, r.resident_id
    FROM requests r
    JOIN towns t ON t.id = r.town_id
    JOIN villages v ON v.id = r.village_id
    LEFT JOIN grids g ON g.id = r.grid_id
    LEFT JOIN members m ON m.id = r.handler_id
    LEFT JOIN lookups lc ON lc.kind = 'channel' AND lc.code = r.channel
    LEFT JOIN lookups lk ON lk.kind = 'category' AND lk.code = r.category
"""
_ROW_WIDTH = 21
_STATUSES = {s.value: s for s in Status}
_URGENCIES = {u.value: u for u in Urgency}

# A search matching at least WALK_AT requests is read by walking the sort's index and testing each
# row; fewer matches are found through the search's own indexes and sorted (RequestStore._walks).
# Measured at 1M requests: the walk tests ~1.4 µs a row and reads 200·N/m rows for m matches; the
# indexes cost ~10 µs a match. They break even near m = sqrt(28·N) (~5,300 at 1M, ~800 at 24k).
WALK_FACTOR = 28
WALK_AT_LEAST = 500
# Filter (as SQL and values) → whether its search is walked (see RequestStore._walks), shared by
# every connection of the process: the list's first block is read by a job, its later blocks on
# the UI thread, and only the first should pay the capped count. A plan choice only, so a stale
# answer (or one from another file) costs time, never a wrong row; dict operations are atomic.
_WALK_CHOICES: dict[tuple[Any, ...], bool] = {}

OPEN_SQL = "r.status IN ('received', 'dispatched', 'in_progress')"

# Partial work-order numbers (issue #8). A number is 「TTT-DDDD-YYMM-NNNN」 (domain/numbering.py):
# the first 14 characters, 「TTT-DDDD-YYMM-」, are its head, shared by every number one copy of the
# desk hands out in one month, so a county holds a few thousand heads at most. A tail such as 「0401」
# is looked up as head + 「0401」 for every head, all through the UNIQUE index on number: no new
# column, no migration, and a million rows cost a few thousand index seeks.
HEAD_LENGTH = 14
SEQUENCE_SIZES = (4, 5, 6)
# The heads, one index seek each: jump past every number of the head just found ('~' sorts after
# digits and capitals).
_HEADS_SQL = f"""
    WITH RECURSIVE heads(head) AS (
        SELECT (SELECT substr(number, 1, {HEAD_LENGTH}) FROM requests ORDER BY number LIMIT 1)
        UNION ALL
        SELECT (SELECT substr(number, 1, {HEAD_LENGTH}) FROM requests WHERE number > heads.head || '~'
                ORDER BY number LIMIT 1)
        FROM heads WHERE heads.head IS NOT NULL
    )
    SELECT head FROM heads WHERE head IS NOT NULL
"""
_TAG = f"[{DEVICE_ALPHABET}]"
# What is left of a number once its dashes are gone. A tail ends in at least four digits (the
# sequence) and may start inside the device tag: 0401, 26110401, K7M326110401. A beginning holds
# the town's three digits and a letter of the tag at least (digits alone are a phone or an ID
# number): 100K7M3, 100K7M32611.
_TAIL_RE = re.compile(rf"(?:\d{{0,3}}{_TAG}{{1,4}})?\d{{4,14}}")
_HEAD_RE = re.compile(rf"(?=.*[A-Z])\d{{3}}{_TAG}{{1,4}}(?:(?<={_TAG}{{4}})\d{{1,9}})?")


def compact_number(text: str) -> str:
    """A typed (part of a) number without dashes or spaces, in capitals: 「k7m3-2611-0401」 → K7M326110401."""
    return clean_input(text).replace("-", "")


def tail_candidates(heads: Iterable[str], tail: str) -> builtins.list[str]:
    """The numbers that would end in ``tail`` (compact, at least four digits) under each head.

    The sequence is the last 4, 5 or 6 digits; what comes before it must end the head.
    """
    found = []
    for head in heads:
        compact_head = head.replace("-", "")
        for size in SEQUENCE_SIZES:
            if len(tail) < size:
                break
            sequence, before = tail[-size:], tail[:-size]
            if sequence.isdigit() and compact_head.endswith(before):
                found.append(head + sequence)
    return found


def head_prefix(compact: str) -> str:
    """A compact beginning of a number with its dashes put back: 101FCF226 → 101-FCF2-26."""
    parts = [compact[:3], compact[3:7], compact[7:11], compact[11:]]
    return "-".join(p for p in parts if p)


def _request(row: Row) -> ServiceRequest:
    return ServiceRequest(
        id=row["id"],
        number=row["number"],
        received_at=dt(row["received_at"]),  # type: ignore[arg-type]
        channel=row["channel"],
        category=row["category"],
        content=row["content"],
        town_id=row["town_id"],
        village_id=row["village_id"],
        status=Status(row["status"]),
        urgency=Urgency(row["urgency"]),
        due_at=dt(row["due_at"]),  # type: ignore[arg-type]
        external_number=row["external_number"] or "",
        grid_id=row["grid_id"],
        resident_id=row["resident_id"],
        person_name=row["person_name"],
        person_phone=row["person_phone"],
        person_id_number=row["person_id_number"],
        handler_id=row["handler_id"],
        dispatched_at=dt(row["dispatched_at"]),
        started_at=dt(row["started_at"]),
        completed_at=dt(row["completed_at"]),
        method=row["method"],
        result=row["result"],
        feedback_at=dt(row["feedback_at"]),
        feedback_route=FeedbackRoute(row["feedback_route"]) if row["feedback_route"] else None,
        satisfaction=Satisfaction(row["satisfaction"]) if row["satisfaction"] else None,
        feedback_by=row["feedback_by"],
        cancelled_at=dt(row["cancelled_at"]),
        escalations=row["escalations"],
        printed_at=dt(row["printed_at"]),
        created_by=row["created_by"],
        town_name=row.get("town_name", ""),
        village_name=row.get("village_name", ""),
        grid_name=row.get("grid_name", ""),
        handler_name=row.get("handler_name", ""),
        handler_phone=row.get("handler_phone", ""),
        channel_name=row.get("channel_name", ""),
        category_name=row.get("category_name", ""),
        category_group=row.get("category_group", ""),
        method_name=row.get("method_name", ""),
        uuid=row["uuid"],
        updated_at=dt(row["updated_at"]),
    )


def _event(row: Row) -> RequestEvent:
    return RequestEvent(
        id=row["id"],
        request_id=row["request_id"],
        action=row["action"],
        at=dt(row["at"]),  # type: ignore[arg-type]
        actor=row["actor"],
        from_status=Status(row["from_status"]) if row["from_status"] else None,
        to_status=Status(row["to_status"]) if row["to_status"] else None,
        note=row["note"],
        data=json.loads(row["data"] or "{}"),
        device_id=row["device_id"],
        uuid=row["uuid"],
    )


class RequestStore(TableStore):
    def __init__(self, db: Any, device_id: str = "") -> None:
        super().__init__(db, device_id)
        self._walk_cache = _WALK_CHOICES
        self._memo: dict[str, str] | None = None  # _residents_named within one page() call

    # ---- writes (callers hold the transaction) ----
    def add(self, row: Row) -> int:
        return self._insert("requests", {**row, **self._new_sync()})

    def update(self, request_id: int, changes: Row) -> None:
        self._update("requests", request_id, changes)

    def add_event(
        self,
        request_id: int,
        action: str,
        at: datetime,
        actor: str,
        from_status: Status | None,
        to_status: Status | None,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> int:
        return self._insert(
            "request_events",
            {
                "uuid": new_uuid(),
                "request_id": request_id,
                "action": action,
                "from_status": from_status.value if from_status else None,
                "to_status": to_status.value if to_status else None,
                "at": dt_text(at),
                "actor": actor,
                "note": note,
                "data": json.dumps(data or {}, ensure_ascii=False, sort_keys=True),
                "device_id": self.device_id,
                "created_at": now_text(),
            },
        )

    def next_sequence(self, device_tag: str, period: str) -> int:
        """The next work-order sequence for this device and month; never hands out a number twice."""
        self.db.execute(
            "INSERT INTO number_sequences (device_tag, period, last) VALUES (?, ?, 1)"
            " ON CONFLICT (device_tag, period) DO UPDATE SET last = last + 1",
            [device_tag, period],
        )
        return int(
            self._scalar(
                "SELECT last FROM number_sequences WHERE device_tag = ? AND period = ?", [device_tag, period]
            )
        )

    # ---- reads ----
    def get(self, request_id: int) -> ServiceRequest | None:
        row = self._one(_SELECT + " WHERE r.id = ?", [request_id])
        return _request(row) if row else None

    def get_many(self, ids: builtins.list[int]) -> builtins.list[ServiceRequest]:
        """Rows for ``ids`` in the order given (missing ids are skipped)."""
        if not ids:
            return []
        found: dict[int, ServiceRequest] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            for row in self._fetch(_SELECT + f" WHERE r.id IN ({marks})", chunk):
                found[row["id"]] = _request(row)
        return [found[i] for i in ids if i in found]

    def by_number(self, number: str) -> ServiceRequest | None:
        row = self._one(_SELECT + " WHERE r.number = ?", [number])
        return _request(row) if row else None

    def id_by_external(self, external_number: str) -> int | None:
        value = self._scalar("SELECT id FROM requests WHERE external_number = ?", [external_number])
        return int(value) if value is not None else None

    def events(self, request_id: int) -> builtins.list[RequestEvent]:
        rows = self._fetch("SELECT * FROM request_events WHERE request_id = ? ORDER BY at, id", [request_id])
        return [_event(r) for r in rows]

    def _where(self, flt: RequestFilter, now: datetime, walk: bool = False) -> tuple[str, list[Any]]:
        """The WHERE of a list query; with ``walk`` the search's terms use no index (see _walks)."""
        clauses = ["r.deleted_at IS NULL"]
        params: builtins.list[Any] = []
        for column, value in (
            ("r.town_id", flt.town_id),
            ("r.village_id", flt.village_id),
            ("r.grid_id", flt.grid_id),
            ("r.handler_id", flt.handler_id),
            ("r.resident_id", flt.resident_id),
            ("r.category", flt.category),
            ("r.channel", flt.channel),
            ("r.urgency", flt.urgency.value if flt.urgency else None),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if flt.category_group:
            clauses.append(
                "r.category IN (SELECT code FROM lookups WHERE kind = 'category' AND group_code = ?)"
            )
            params.append(flt.category_group)
        if flt.statuses:
            clauses.append(f"r.status IN ({','.join('?' for _ in flt.statuses)})")
            params += [s.value for s in flt.statuses]
        if flt.received_from:
            clauses.append("r.received_at >= ?")
            params.append(flt.received_from.isoformat())
        if flt.received_to:
            clauses.append("r.received_at < ?")
            params.append((flt.received_to + timedelta(days=1)).isoformat())
        if flt.completed_from:
            clauses.append("r.completed_at >= ?")
            params.append(flt.completed_from.isoformat())
        if flt.completed_to:
            clauses.append("r.completed_at < ?")
            params.append((flt.completed_to + timedelta(days=1)).isoformat())
        if flt.overdue_only:
            clauses.append(f"{OPEN_SQL} AND r.due_at < ?")
            params.append(dt_text(now))
        if flt.due_today:
            end_of_day = datetime.combine(now.date(), time.max)
            clauses.append(f"{OPEN_SQL} AND r.due_at >= ? AND r.due_at <= ?")
            params += [dt_text(now), dt_text(end_of_day)]
        if flt.not_printed:
            clauses.append("r.printed_at IS NULL AND r.status = 'dispatched'")
        clauses, params = scope_clauses("r", flt.scope_towns, flt.scope_villages, clauses, params)
        search_sql, search_params = self._search(flt.text, walk)
        if search_sql:
            clauses.append(search_sql)
            params += search_params
        return " AND ".join(clauses), params

    def heads(self) -> builtins.list[str]:
        """Every number head 「TTT-DDDD-YYMM-」 in use (see HEAD_LENGTH)."""
        return [row[0] for row in self.db.execute(_HEADS_SQL).fetchall()]

    def _number_search(self, compact: str, off: str = "") -> tuple[str, builtins.list[Any]]:
        """A part of a work-order number: its tail (「0401」, 「2611-0401」) or its beginning
        (「101-FCF2」); empty when ``compact`` cannot be either."""
        if _HEAD_RE.fullmatch(compact):
            prefix = head_prefix(compact)
            return prefix_range(f"{off}r.number"), [prefix, prefix]
        if _TAIL_RE.fullmatch(compact):
            candidates = tail_candidates(self.heads(), compact)
            if candidates:
                return f"{off}r.number IN (SELECT value FROM json_each(?))", [json.dumps(candidates)]
        return "", []

    def _search(self, text: str, walk: bool = False) -> tuple[str, builtins.list[Any]]:
        """Name, pinyin initials, work-order number (whole or part) or phone, each through an index.

        With ``walk`` every term's column carries a unary ``+``: the same test, but no index for
        it, so that SQLite walks the sort order's index instead and stops at the page's end. The
        residents subquery stays indexed and is computed once (a list, not a join).
        """
        search = read_search(text)
        q = search.text
        off = "+" if walk else ""
        if search.kind is SearchKind.EMPTY:
            return "", []
        if search.kind is SearchKind.NUMBER:
            return "r.number = ?", [q]
        if search.kind is SearchKind.DIGITS:
            phone_digits = off + PHONE_DIGITS.format("r.person_phone")
            sql = (
                f"{prefix_range(phone_digits)} OR {prefix_range(off + 'r.person_phone_rev')}"
                f" OR {prefix_range(off + 'r.person_id_number')}"
            )
            params: builtins.list[Any] = [q, q, q[::-1], q[::-1], q, q]
            number_sql, number_params = self._number_search(q, off)
            if number_sql:
                sql, params = f"{sql} OR {number_sql}", params + number_params
            return f"({sql})", params
        if search.kind is SearchKind.LATIN:
            return (
                f"({prefix_range(off + 'r.person_initials')} OR {off}r.resident_id IN (SELECT id FROM"
                f" residents WHERE {prefix_range('name_pinyin')}))",
                [q, q, q, q],
            )
        if q.isascii():
            # Letters and digits together are no name: 「K7M3-2611-0401」, 「101-FCF2」.
            number_sql, number_params = self._number_search(compact_number(q), off)
            if number_sql:
                return number_sql, number_params
        return (
            f"({prefix_range(off + 'r.person_name')} OR {off}r.resident_id IN"
            " (SELECT value FROM json_each(?)))",
            [q, q, self._residents_named(q)],
        )

    def _residents_named(self, text: str) -> str:
        """The ids of the residents whose name holds ``text``, as a JSON list. No index finds a
        name by its middle, so this reads every name once; one page() call (its capped count and
        its page) shares the answer."""
        memo = self._memo
        if memo is not None and text in memo:
            return memo[text]
        ids = [row[0] for row in self.db.execute("SELECT id FROM residents WHERE instr(name, ?) > 0", [text])]
        found = json.dumps(ids)
        if memo is not None:
            memo[text] = found
        return found

    def _walks(self, flt: RequestFilter, now: datetime) -> bool:
        """Whether a search matches so many requests that walking the sort's index finds a page
        sooner than the search's own indexes (which find every match, to be sorted).

        「王」 matches one request in sixteen: sorted by received time, the first page is among the
        newest ~3,000 rows, while the name index gives ~64,000 rows to sort. A phone tail matches
        a few dozen, which the walk would look for through the whole table. One capped count
        through the search's indexes tells the two apart; the answer is kept per filter."""
        if read_search(flt.text).kind in (SearchKind.EMPTY, SearchKind.NUMBER):
            return False
        where, params = self._where(flt, now)
        cache_key = (where, tuple(params))
        found = self._walk_cache.get(cache_key)
        if found is None:
            # The largest id stands for the table's size: one seek, not a count.
            size = int(self._scalar("SELECT max(id) FROM requests") or 0)
            walk_at = max(WALK_AT_LEAST, int(math.sqrt(WALK_FACTOR * size)))
            hits = self._scalar(
                f"SELECT count(*) FROM (SELECT 1 FROM requests r WHERE {where} LIMIT ?)", [*params, walk_at]
            )
            found = int(hits) >= walk_at
            if len(self._walk_cache) > 64:
                self._walk_cache.clear()
            self._walk_cache[cache_key] = found
        return found

    @staticmethod
    def _columns(sort: Sort) -> tuple[str, ...]:
        return _SORT_COLUMNS.get(sort.key, _SORT_COLUMNS["received_at"])

    def _order(self, sort: Sort, reverse: bool = False) -> str:
        direction = "DESC" if sort.descending != reverse else "ASC"
        return "ORDER BY " + ", ".join(f"{c} {direction}" for c in (*self._columns(sort), "r.id"))

    def _segments(
        self, sort: Sort, after: tuple[Any, ...] | None, reverse: bool
    ) -> builtins.list[tuple[str, builtins.list[Any]]]:
        """The keyset conditions for the rows after ``after`` in the walking order, one per segment:
        a nullable first column pages its NULL rows apart (first going up, last going down)."""
        columns = (*self._columns(sort), "r.id")
        down = sort.descending != reverse
        op = "<" if down else ">"

        def beyond(cols: tuple[str, ...], key: tuple[Any, ...]) -> tuple[str, builtins.list[Any]]:
            if len(cols) == 1:
                return f"{cols[0]} {op} ?", [key[0]]
            marks = ", ".join("?" for _ in cols)
            return f"({', '.join(cols)}) {op} ({marks})", list(key)

        if columns[0] not in _NULLABLE:
            return [beyond(columns, after) if after is not None else ("1", [])]
        first = columns[0]
        null_part: tuple[str, builtins.list[Any]] | None = (f"{first} IS NULL", [])
        value_part: tuple[str, builtins.list[Any]] | None = (f"{first} IS NOT NULL", [])
        if after is not None:
            if after[0] is None:
                sql, params = beyond(columns[1:], after[1:])
                null_part = (f"{first} IS NULL AND {sql}", params)
                # Going down the NULL rows come last: nothing with a value is left after them.
                value_part = None if down else value_part
            else:
                sql, params = beyond(columns, after)
                value_part = (f"{first} IS NOT NULL AND {sql}", params)
                null_part = null_part if down else None
        ordered = [value_part, null_part] if down else [null_part, value_part]
        return [part for part in ordered if part is not None]

    def page(
        self,
        flt: RequestFilter,
        sort: Sort,
        now: datetime,
        limit: int = 200,
        after: tuple[Any, ...] | None = None,
        skip: int = 0,
        reverse: bool = False,
    ) -> builtins.list[RequestListRow]:
        """``limit`` list rows following the row whose key is ``after`` (None: from the start),
        ``skip`` rows further on; ``reverse`` walks the order backwards (None: from the end) and
        returns the rows in walking order. Cost: a seek plus ``skip + limit`` rows, wherever the
        key lies."""
        self._memo = {}
        try:
            walk = self._walks(flt, now)
            where, params = self._where(flt, now, walk)
        finally:
            self._memo = None
        columns = self._columns(sort)
        order = self._order(sort, reverse)
        order_direction = "DESC" if sort.descending != reverse else "ASC"
        found: builtins.list[RequestListRow] = []
        for condition, key_params in self._segments(sort, after, reverse):
            wanted = limit - len(found)
            if wanted <= 0:
                break
            # Page over the bare table first, then join names for the page's rows only.
            keys = ", ".join(f"k{n}" for n in range(len(columns)))
            inner = ", ".join(f"{c} AS k{n}" for n, c in enumerate(columns))
            outer = ", ".join(f"p.k{n} {order_direction}" for n in range(len(columns)))
            rows = self.db.execute(
                f"WITH page AS (SELECT r.id, {inner} FROM requests r"
                f" WHERE {where} AND {condition} {order} LIMIT ? OFFSET ?)"
                + _ROW_SELECT.replace(
                    "FROM requests r", f", {keys} FROM page p JOIN requests r ON r.id = p.id", 1
                )
                + f" ORDER BY {outer}, p.id {order_direction}",
                [*params, *key_params, wanted, skip],
            ).fetchall()
            found += [self._list_row(row, len(columns)) for row in rows]
            if skip and not rows:
                # The whole segment lay within the skip: take its size off and go on.
                skip -= int(
                    self._scalar(
                        f"SELECT count(*) FROM requests r WHERE {where} AND {condition}",
                        [*params, *key_params],
                    )
                )
                skip = max(skip, 0)
            else:
                skip = 0
        return found

    def list_rows(self, ids: builtins.list[int], sort: Sort) -> builtins.list[RequestListRow]:
        """List rows for ``ids`` (keyed for ``sort``), in the order given; missing ids are skipped."""
        columns = self._columns(sort)
        found: dict[int, RequestListRow] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" for _ in chunk)
            sql = _ROW_SELECT.replace("FROM requests r", f", {', '.join(columns)} FROM requests r", 1)
            for row in self.db.execute(f"{sql} WHERE r.id IN ({marks})", chunk).fetchall():
                found[row[0]] = self._list_row(row, len(columns))
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _list_row(row: tuple[Any, ...], width: int) -> RequestListRow:
        return RequestListRow(
            row[0],
            row[1],
            row[2],
            _STATUSES[row[3]],
            _URGENCIES[row[4]],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
            row[12],
            row[13],
            row[14],
            row[15],
            row[16],
            row[17],
            row[18],
            row[19],
            row[20],
            (*row[_ROW_WIDTH : _ROW_WIDTH + width], row[0]),
        )

    def list(
        self, flt: RequestFilter, sort: Sort, now: datetime, offset: int = 0, limit: int = 200
    ) -> builtins.list[ServiceRequest]:
        where, params = self._where(flt, now, self._walks(flt, now))
        # Page over the bare table first, then join names for the page's rows only.
        rows = self._fetch(
            f"WITH page AS (SELECT r.id FROM requests r WHERE {where} {self._order(sort)} LIMIT ? OFFSET ?) "
            + _SELECT
            + f" JOIN page p ON p.id = r.id {self._order(sort)}",
            [*params, limit, offset],
        )
        return [_request(r) for r in rows]

    def ids(self, flt: RequestFilter, sort: Sort, now: datetime) -> builtins.list[int]:
        """All matching ids in order: the ids-first shape for random access (select all, batch print)."""
        where, params = self._where(flt, now)
        cursor = self.db.execute(f"SELECT r.id FROM requests r WHERE {where} {self._order(sort)}", params)
        return [row[0] for row in cursor.fetchall()]

    def count(self, flt: RequestFilter, now: datetime) -> int:
        where, params = self._where(flt, now)
        return int(self._scalar(f"SELECT count(*) FROM requests r WHERE {where}", params))

    def count_all(self) -> int:
        return int(self._scalar("SELECT count(*) FROM requests"))
