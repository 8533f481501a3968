"""The demo county's requests and their histories (services/demo.py builds the rest).

A mixin of ``DemoBuilder``: the requests draw from the builder's generator, in the same order as
before, so that a seed gives the same demo. Their histories follow the state machine the services
enforce, and ``check`` verifies the result.
"""

from __future__ import annotations

import json
import random
from array import array
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

from xianghe_desk.domain import duetime
from xianghe_desk.domain.enums import Action, Satisfaction, Sex, Status, Urgency, VillageKind
from xianghe_desk.domain.lifecycle import next_status, row_effect
from xianghe_desk.domain.models import Village
from xianghe_desk.domain.numbering import format_number
from xianghe_desk.domain.pinyin import name_initials as _name_initials
from xianghe_desk.domain.pinyin import name_pinyin as _name_pinyin
from xianghe_desk.services import demo_data as words
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.base import reverse_digits
from xianghe_desk.store.bulk import BulkStore

T = TypeVar("T")

# Requests (and their events) written per statement: enough to keep SQLite busy, few enough that
# the rows waiting in memory stay a few megabytes on the large scale.
REQUEST_BATCH = 5000
# From this many requests on, their indexes are made after the load (but _ORDERED_INDEXES).
DROP_INDEXES_FROM = 50_000


# Demo names repeat a lot; pypinyin is the slowest step of a large build without a cache. The
# caches are emptied when the requests are made.
name_initials = lru_cache(maxsize=65536)(_name_initials)
name_pinyin = lru_cache(maxsize=65536)(_name_pinyin)


@dataclass(slots=True)
class Person:
    id: int
    name: str
    phone: str
    id_number: str | None
    village_id: int
    grid_id: int | None
    initials: str
    phone_rev: str


def fmt_time(value: datetime) -> str:
    return value.isoformat(sep=" ", timespec="seconds")


class _Weighted(Generic[T]):
    """``rng.choices(population, weights)[0]`` with the cumulative weights added up once.

    The same single ``random()`` draw and the same pick as ``choices`` makes, so a seed gives the
    same demo as before; ``choices`` adds the weights up again on every call (330 villages).
    """

    __slots__ = ("cum", "hi", "population", "total")

    def __init__(self, population: Sequence[T], weights: Sequence[float]) -> None:
        self.population = list(population)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] + 0.0
        self.hi = len(self.population) - 1

    def pick(self, rng: random.Random) -> T:
        return self.population[bisect(self.cum, rng.random() * self.total, 0, self.hi)]


_HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 3, 9, 10, 9, 7, 3, 5, 8, 9, 8, 6, 3, 2, 1, 1, 0, 0]
_HOURS = _Weighted(range(24), _HOUR_WEIGHTS)
_GROUPS = _Weighted(("agent", "home", "governance"), (45, 35, 20))
_METHODS = {group: _Weighted([o for o, _ in options], [w for _, w in options])
            for group, options in words.METHODS_BY_GROUP.items()}  # fmt: skip
_CHANNELS = _Weighted([c for c, _ in words.CHANNEL_WEIGHTS], [w for _, w in words.CHANNEL_WEIGHTS])

_MICROSECOND = timedelta(microseconds=1)
_CLERK = "演示文员"
# Actions the clerk records; the handler records starting, completing and returning.
_CLERK_ACTIONS = frozenset(
    a._value_
    for a in (
        Action.RECEIVE, Action.DISPATCH, Action.FOLLOW_UP, Action.CANCEL, Action.ESCALATE, Action.PRINT,
        Action.REOPEN,
    )
)  # fmt: skip


# Request indexes whose keys arrive in order during the load: they grow at their end, cheaper
# kept than made again afterwards.
_ORDERED_INDEXES = ("idx_requests_received", "idx_events_request")


class DemoRequests:
    """The requests part of ``DemoBuilder`` (services/demo.py), which sets these up."""

    ws: Workspace
    rng: random.Random
    now: datetime
    tag: str
    bulk: BulkStore
    uuids: words.OrderedUuids
    progress: Callable[[str, int, int], None]
    requested: set[int]
    used_phones: set[str]
    member_names: dict[int, str]
    _data_json: dict[tuple[tuple[str, Any], ...], str]
    _transitions: dict[tuple[str, str, str | None], Status]
    _name: Callable[[Sex], str]
    _phone: Callable[[], str]
    request_count: int
    months: int

    def _requests(
        self,
        villages: list[Village],
        grids: dict[int, list[int]],
        members: list[int],
        residents: list[Person],
    ) -> dict[str, int]:
        """The requests and their histories, in batches; ``residents`` is emptied when they are made."""
        ws = self.ws
        rng = self.rng
        rules = ws.due_rules()
        categories = {i.code: i.group_code for i in ws.lookups.all("category")}
        by_group: dict[str, list[str]] = {}
        for code, group in categories.items():
            by_group.setdefault(group, []).append(code)
        town_codes = {t.id: t.code for t in ws.towns.all()}
        default_member = {g.id: g.default_member_id for v in villages for g in ws.grids.in_village(v.id)}
        member_rows = self.bulk.member_activity()
        self.member_names = self.bulk.member_names()
        active_by_town: dict[int, list[int]] = {}
        active = set()
        for member_id, is_active, town_id in member_rows:
            if is_active:
                active.add(member_id)
                active_by_town.setdefault(town_id, []).append(member_id)
        residents_by_village: dict[int, list[Person]] = {}
        for resident in residents:
            residents_by_village.setdefault(resident.village_id, []).append(resident)
        village_pick = _Weighted(villages, [3 if v.kind is VillageKind.COMMUNITY else 1 for v in villages])
        start = (self.now - timedelta(days=30 * self.months)).replace(hour=0, minute=0, second=0)
        # Received times in order, so that sequences follow the calendar like a real desk's.
        offsets = self._received_offsets(start)
        sequences: dict[str, int] = {}
        request_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        next_id = 1
        counts = {s.value: 0 for s in Status}
        indexes = self._drop_indexes()
        with ws.atomic():
            # request_facts is made in one pass after the load (a tenth of its trigger's cost).
            ws.stats.stop_keeping_facts()
        try:
            for offset in offsets:
                received = start + timedelta(microseconds=offset)
                village = village_pick.pick(rng)
                group = _GROUPS.pick(rng)
                category = rng.choice(by_group[group])
                urgency = Urgency.URGENT if rng.random() < 0.07 else Urgency.NORMAL
                people = residents_by_village.get(village.id) or []
                person: Person | None = (
                    rng.choice(people) if people and (group != "governance" or rng.random() < 0.3) else None
                )
                grid_id = person.grid_id if person and person.grid_id else rng.choice(grids[village.id])
                handler = default_member.get(grid_id)
                if handler not in active:
                    handler = rng.choice(active_by_town[village.town_id])
                due = duetime.due_at(received, urgency, group, rules)
                period = f"{received.year % 100:02d}{received.month:02d}"
                sequences[period] = sequences.get(period, 0) + 1
                number = format_number(town_codes[village.town_id], self.tag, received, sequences[period])
                if person is not None:
                    pname, pphone, pid = person.name, person.phone, person.id_number
                    pinitials, pphone_rev = person.initials, person.phone_rev
                else:
                    pname, pphone, pid = (
                        self._name(Sex.MALE if rng.random() < 0.5 else Sex.FEMALE),
                        self._phone(),
                        None,
                    )
                    pinitials, pphone_rev = name_initials(pname), reverse_digits(pphone)
                text = rng.choice(words.REQUEST_TEXTS[category]).format(
                    name=pname, village=village.short_name
                )
                row, events = self._history(
                    next_id, received, due, urgency, group, handler, active_by_town[village.town_id]
                )
                counts[row["status"]] += 1
                received_text = fmt_time(received)
                if person is not None:
                    self.requested.add(person.id)
                request_rows.append(
                    (
                        next_id,
                        number,
                        None,
                        received_text,
                        _CHANNELS.pick(rng),
                        category,
                        urgency._value_,
                        text,
                        village.town_id,
                        village.id,
                        grid_id,
                        person.id if person else None,
                        pname,
                        pinitials,
                        pphone,
                        pphone_rev,
                        pid,
                        row["handler_id"],
                        row["status"],
                        fmt_time(due),
                        row["dispatched_at"],
                        row["started_at"],
                        row["completed_at"],
                        row["method"],
                        row["result"],
                        row["feedback_at"],
                        row["feedback_route"],
                        row["satisfaction"],
                        row["feedback_by"],
                        row["cancelled_at"],
                        row["escalations"],
                        row["printed_at"],
                        _CLERK,
                        self.uuids.make(rng),
                        received_text,
                        row["updated_at"],
                        self.tag,
                    )
                )
                event_rows.extend(events)
                next_id += 1
                if len(request_rows) >= REQUEST_BATCH:
                    self._flush_requests(request_rows, event_rows)
                if (next_id - 1) % 500 == 0:
                    # Often enough for a moving progress bar and a prompt 「取消」 in the desk.
                    self.progress("requests", next_id - 1, self.request_count)
            self._flush_requests(request_rows, event_rows)
            with ws.atomic():
                for period, last in sequences.items():
                    self.bulk.raise_sequence(self.tag, period, last)
            # The people are not needed any more (the visits read the residents back): their memory
            # goes to the sorting below and the page cache after it.
            residents.clear()
            residents_by_village.clear()
            self.used_phones.clear()
            name_initials.cache_clear()
            name_pinyin.cache_clear()
        finally:
            self.progress("indexes", 0, 1)
            self.bulk.sorting(True)
            self._restore_indexes(indexes)
            self.progress("facts", 0, 1)
            with ws.atomic():
                ws.stats.rebuild_kept_facts()
        self.bulk.analyze()
        self.bulk.sorting(False)
        return {"requests": next_id - 1, **{f"status_{k}": v for k, v in counts.items()}}

    def _received_offsets(self, start: datetime) -> array[int]:
        """When each request was received, in microseconds after ``start``, in order.

        Kept as 8-byte numbers (a million datetimes would take 50 MB) and drawn exactly as
        ``_received_time`` draws them one by one.
        """
        span = (self.now - start).total_seconds()
        offsets = sorted(
            (self._received_time(start, span) - start) // _MICROSECOND for _ in range(self.request_count)
        )
        return array("q", offsets)

    def _received_time(self, start: datetime, span: float) -> datetime:
        """Mostly office hours on working days; fewer at weekends and holidays."""
        rng = self.rng
        latest = self.now - timedelta(minutes=5)
        while True:
            moment = start + timedelta(seconds=rng.random() * span)
            workday = duetime.is_workday(moment.date())
            if not workday and rng.random() < 0.7:
                continue
            hour = _HOURS.pick(rng)
            moment = moment.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
            if moment < latest:
                return moment

    def _data(self, *pairs: tuple[str, Any]) -> str:
        """An event's data as the services write it (sorted keys, Chinese as is), made once per value."""
        text = self._data_json.get(pairs)
        if text is None:
            text = self._data_json[pairs] = json.dumps(dict(pairs), ensure_ascii=False, sort_keys=True)
        return text

    def _next_status(self, action: Action, status: Status, satisfaction: str | None) -> Status:
        """``lifecycle.next_status``, remembered per (action, status, rating): a build asks millions of times."""
        key = (action._value_, status._value_, satisfaction)
        target = self._transitions.get(key)
        if target is None:
            target = self._transitions[key] = next_status(
                action, status, None if satisfaction is None else Satisfaction(satisfaction)
            )
        return target

    def _history(
        self,
        request_id: int,
        received: datetime,
        due: datetime,
        urgency: Urgency,
        group: str,
        handler: int,
        town_members: list[int],
    ) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
        """A plausible life for one request, cut off at now, through the real state machine."""
        rng = self.rng
        now = self.now
        tag = self.tag
        member_names = self.member_names
        make_uuid = self.uuids.make
        events: list[tuple[Any, ...]] = []
        received_text = fmt_time(received)
        row: dict[str, Any] = {
            "status": Status.RECEIVED._value_,
            "handler_id": None,
            "dispatched_at": None,
            "started_at": None,
            "completed_at": None,
            "method": None,
            "result": "",
            "feedback_at": None,
            "feedback_route": None,
            "satisfaction": None,
            "feedback_by": "",
            "cancelled_at": None,
            "escalations": 0,
            "printed_at": None,
            "updated_at": received_text,
        }
        status = Status.RECEIVED
        satisfaction: str | None = None

        def emit(action: Action, at: datetime, note: str = "", data: str = "{}") -> str | None:
            """Record ``action`` at ``at`` unless that is after now; returns its stored time text."""
            nonlocal status
            if at > now:
                return None
            receive = action is Action.RECEIVE
            target = Status.RECEIVED if receive else self._next_status(action, status, satisfaction)
            at_text = received_text if receive else fmt_time(at)
            code = action._value_
            events.append(
                (
                    make_uuid(rng),
                    request_id,
                    code,
                    None if receive else status._value_,
                    target._value_,
                    at_text,
                    _CLERK if code in _CLERK_ACTIONS else member_names.get(row["handler_id"] or 0, "网格员"),
                    note,
                    data,
                    tag,
                    at_text,
                )
            )
            status = target
            row["status"] = target._value_
            row["updated_at"] = at_text
            return at_text

        emit(Action.RECEIVE, received)
        allowed = due - received
        # Some requests stall: the newest wait in the queue, a few older ones are stuck (overdue).
        age_days = (now - received).total_seconds() / 86400
        stall_p = 0.45 if age_days < 2 else 0.03 if age_days < 40 else 0.0
        stall = rng.choice(("received", "dispatched", "in_progress")) if rng.random() < stall_p else None
        t = received + timedelta(
            minutes=rng.randint(5, 30) if urgency is Urgency.URGENT else rng.randint(10, 240)
        )
        if rng.random() < 0.015:
            at_text = emit(Action.CANCEL, t, rng.choice(words.CANCEL_REASONS))
            row["cancelled_at"] = at_text if status is Status.CANCELLED else None
            return row, events
        if stall == "received":
            return row, events
        at_text = emit(Action.DISPATCH, t, data=self._data(("handler_id", handler)))
        if at_text is None:
            return row, events
        row.update(row_effect(Action.DISPATCH, at_text, handler_id=handler))
        if rng.random() < 0.8:
            t2 = t + timedelta(minutes=rng.randint(5, 90))
            at_text = emit(Action.PRINT, t2)
            if at_text is not None:
                row.update(row_effect(Action.PRINT, at_text))
                t = t2
        if rng.random() < 0.03:
            t += timedelta(hours=rng.uniform(0.5, 4))
            at_text = emit(Action.RETURN, t, rng.choice(words.RETURN_REASONS))
            if at_text is None:
                return row, events
            row.update(row_effect(Action.RETURN, at_text))
            other = rng.choice(town_members)
            t += timedelta(minutes=rng.randint(10, 120))
            at_text = emit(
                Action.DISPATCH, t, data=self._data(("handler_id", other), ("previous_handler_id", handler))
            )
            if at_text is None:
                return row, events
            row.update(row_effect(Action.DISPATCH, at_text, handler_id=other))
        late = rng.random() < 0.05
        fraction = rng.uniform(1.05, 2.5) if late else rng.uniform(0.1, 0.9)
        done_at = received + allowed * fraction
        if done_at <= t:
            done_at = t + timedelta(minutes=rng.randint(10, 60))
        start_at = t + (done_at - t) * rng.uniform(0.05, 0.4)
        if stall == "dispatched":
            return row, events
        at_text = emit(Action.START, start_at)
        if at_text is None:
            return row, events
        row.update(row_effect(Action.START, at_text))
        if late and due < now and rng.random() < 0.6:
            esc = due + timedelta(hours=rng.uniform(0.5, 6))
            if esc < done_at and emit(Action.ESCALATE, esc, rng.choice(words.ESCALATE_NOTES)):
                row["escalations"] += 1
        if stall == "in_progress":
            return row, events
        for attempt in range(2):
            method = _METHODS[group].pick(rng)
            result = rng.choice(words.RESULT_TEXTS[method])
            at_text = emit(Action.COMPLETE, done_at, data=self._data(("method", method), ("result", result)))
            if at_text is None:
                return row, events
            row.update(row_effect(Action.COMPLETE, at_text, method=method, result=result))
            feedback_at = done_at + timedelta(hours=rng.uniform(2, 72))
            roll = rng.random()
            rating = "satisfied" if roll < 0.92 else "basically_satisfied" if roll < 0.975 else "unsatisfied"
            route = "phone" if rng.random() < 0.75 else "in_person"
            at_text = emit(
                Action.FOLLOW_UP,
                feedback_at,
                data=self._data(("route", route), ("satisfaction", rating), ("by", _CLERK)),
            )
            if at_text is None:
                return row, events
            satisfaction = rating
            row.update(row_effect(Action.FOLLOW_UP, at_text, route=route, satisfaction=rating, by=_CLERK))
            if rating != "unsatisfied" or attempt == 1 or rng.random() < 0.4:
                return row, events
            reopen_at = feedback_at + timedelta(hours=rng.uniform(1, 24))
            at_text = emit(
                Action.REOPEN,
                reopen_at,
                rng.choice(words.REOPEN_REASONS),
                self._data(("previous_satisfaction", rating)),
            )
            if at_text is None:
                return row, events
            satisfaction = None
            row.update(row_effect(Action.REOPEN, at_text))
            done_at = reopen_at + timedelta(hours=rng.uniform(2, 48))
        return row, events

    def _flush_requests(self, request_rows: list[tuple[Any, ...]], event_rows: list[tuple[Any, ...]]) -> None:
        if not request_rows:
            return
        with self.ws.atomic():
            self.bulk.insert_requests(request_rows)
            self.bulk.insert_events(event_rows)
        request_rows.clear()
        event_rows.clear()

    def _drop_indexes(self) -> list[str]:
        """Bulk loads are several times faster with the request indexes built afterwards; the
        change-log insert trigger of requests is paused anyway (``pause_change_log``), yet asks
        whether it is on every row."""
        with self.ws.atomic():
            dropped = self.bulk.drop_insert_trigger("requests")
            if self.request_count >= DROP_INDEXES_FROM:
                dropped += self.bulk.drop_request_indexes(keep=_ORDERED_INDEXES)
            return dropped

    def _restore_indexes(self, statements: list[str]) -> None:
        if statements:
            with self.ws.atomic():
                self.bulk.create_indexes(statements)
