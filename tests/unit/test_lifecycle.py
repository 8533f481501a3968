"""The request lifecycle: the state machine table, and a stateful property test that drives the
real RequestService on a temp database with random actions and clock moves."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.enums import Action, FeedbackRoute, Satisfaction, Status, Urgency
from xianghe_desk.domain.errors import TransitionError, ValidationError
from xianghe_desk.domain.lifecycle import allowed_actions, next_status
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.requests import RequestService
from xianghe_desk.services.stats import StatsService
from xianghe_desk.services.workspace import Workspace

R, D, P, C, X, N = (
    Status.RECEIVED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.CLOSED,
    Status.CANCELLED,
)

# The glossary's life of a request, written out independently of lifecycle.RULES:
# (action, from) → to. A pair that is not listed must be refused.
EXPECTED: dict[tuple[Action, Status], Status] = {
    (Action.DISPATCH, R): D,
    (Action.DISPATCH, D): D,  # 转派: hand it to another member
    (Action.START, D): P,
    (Action.COMPLETE, D): C,  # settled on the spot
    (Action.COMPLETE, P): C,
    (Action.FOLLOW_UP, C): X,
    (Action.RETURN, D): R,
    (Action.RETURN, P): R,
    (Action.CANCEL, R): N,
    (Action.CANCEL, D): N,
    (Action.CANCEL, P): N,
    (Action.REOPEN, C): P,
    (Action.REOPEN, X): P,  # only after 不满意, see below
    (Action.ESCALATE, R): R,
    (Action.ESCALATE, D): D,
    (Action.ESCALATE, P): P,
    **{(Action.EDIT, s): s for s in Status if s is not N},
    **{(Action.PRINT, s): s for s in Status},
}

WORKFLOW = [a for a in Action if a not in (Action.RECEIVE, Action.EDIT, Action.PRINT)]
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.RECEIVE])
@pytest.mark.parametrize("status", list(Status))
def test_every_action_status_pair(action: Action, status: Status) -> None:
    rating = Satisfaction.UNSATISFIED if status is X else None
    expected = EXPECTED.get((action, status))
    if expected is None:
        with pytest.raises(TransitionError) as info:
            next_status(action, status, rating)
        assert _HAN.search(info.value.message), info.value.message
        assert info.value.message.endswith(("。", "！"))
    else:
        assert next_status(action, status, rating) is expected


def test_receive_is_not_a_transition() -> None:
    """受理 creates the request; it is never applied to an existing one."""
    for status in Status:
        with pytest.raises(TransitionError, match="操作"):
            next_status(Action.RECEIVE, status)


@pytest.mark.parametrize("rating", [None, Satisfaction.SATISFIED, Satisfaction.BASICALLY])
def test_closed_request_reopens_only_after_unsatisfied(rating: Satisfaction | None) -> None:
    with pytest.raises(TransitionError, match="重新受理"):
        next_status(Action.REOPEN, X, rating)
    assert next_status(Action.REOPEN, X, Satisfaction.UNSATISFIED) is P


def test_cancelled_is_terminal_and_names_the_action() -> None:
    for action in WORKFLOW:
        with pytest.raises(TransitionError, match=f"已撤销.*{action.label}"):
            next_status(action, N)
    assert allowed_actions(N) == []


@pytest.mark.parametrize("rating", [None, *Satisfaction])
@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_match_next_status(status: Status, rating: Satisfaction | None) -> None:
    offered = allowed_actions(status, rating)
    expected = []
    for action in WORKFLOW:
        try:
            next_status(action, status, rating)
        except TransitionError:
            continue
        expected.append(action)
    assert offered == expected
    assert Action.EDIT not in offered and Action.PRINT not in offered


def test_allowed_actions_per_status_read_like_the_glossary() -> None:
    assert allowed_actions(R) == [Action.DISPATCH, Action.CANCEL, Action.ESCALATE]
    assert allowed_actions(D) == [
        Action.DISPATCH,
        Action.START,
        Action.COMPLETE,
        Action.RETURN,
        Action.CANCEL,
        Action.ESCALATE,
    ]
    assert allowed_actions(C) == [Action.FOLLOW_UP, Action.REOPEN]
    assert allowed_actions(X, Satisfaction.SATISFIED) == []
    assert allowed_actions(X, Satisfaction.UNSATISFIED) == [Action.REOPEN]


def test_back_dated_step_before_the_previous_one_is_refused(ws, clock) -> None:
    """办结 entered for 08:45 when the request was dispatched at 09:00: refused, nothing written."""
    village = PlaceService(ws).resolve_village("王刘圈村")
    member = MemberService(ws).add(MemberDraft("李建国", "13812345678", village.town_id, village.id)).id
    service = RequestService(ws)
    received = clock.current
    request = service.register(RequestDraft("phone", "repairs", "修水管", village.id))
    clock.advance(minutes=30)
    service.dispatch(request.id, member)
    clock.advance(hours=2)
    before = service.events(request.id)
    with pytest.raises(ValidationError, match="早于上一步「派单」") as info:
        service.complete(request.id, "on_the_spot", "修好了", at=received + timedelta(minutes=15))
    assert info.value.field == "at"
    assert service.events(request.id) == before
    assert service.get(request.id).status is D
    # The same step at or after the dispatch time is fine.
    done = service.complete(request.id, "on_the_spot", "修好了", at=received + timedelta(minutes=30))
    assert done.status is C and done.completed_at == received + timedelta(minutes=30)


# --- the stateful property test -------------------------------------------------------------------

START = datetime(2026, 11, 2, 8, 30)
MONTH = "2026-11"
_TEMPLATE: dict[str, Path] = {}


def _template_db() -> Path:
    """One seeded database per session, copied for every example (seeding takes ~0.2 s)."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="xh-lifecycle-"))
        path = folder / "template.db"
        with Workspace.open(path, clock=lambda: START):
            pass
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


CATEGORIES = ("repairs", "social_insurance", "sanitation", "daily_care")
METHODS = ("on_the_spot", "agent_run", "referred", "explained")


class RequestLifecycle(RuleBasedStateMachine):
    """Random sequences of lifecycle actions never reach an inconsistent state."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="xh-sm-"))
        path = self.folder / "sm.db"
        shutil.copy(_template_db(), path)
        self.clock = Clock()
        self.ws = Workspace.open(path, clock=self.clock, actor="测试文员")
        self.service = RequestService(self.ws)
        self.stats = StatsService(self.ws)
        places = PlaceService(self.ws)
        self.village = places.resolve_village("王刘圈村")
        members = MemberService(self.ws)
        self.members = [
            members.add(MemberDraft(name, phone, self.village.town_id, self.village.id, active=active)).id
            for name, phone, active in (
                ("李建国", "13812345678", True),
                ("王秀英", "13912345678", True),
                ("赵离岗", "13712345678", False),  # not on duty: dispatching to her is refused
            )
        ]
        self.ids: list[int] = []
        self.model: dict[int, Status] = {}  # what each request's status must be
        self.ever_cancelled: set[int] = set()

    def teardown(self) -> None:
        self.ws.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- helpers ----
    def _snapshot(self, request_id: int) -> tuple[tuple[object, ...], int]:
        row = self.ws.db.execute("SELECT * FROM requests WHERE id = ?", [request_id]).fetchone()
        events = self.ws.db.execute("SELECT count(*) FROM request_events").fetchone()[0]
        return tuple(row), events

    def _do(self, index: int, action: Action, call, *, refused_anyway: bool = False) -> None:
        """Run one service call; compare the outcome with the independent table EXPECTED."""
        request_id = self.ids[index % len(self.ids)]
        status = self.model[request_id]
        rating = self.service.get(request_id).satisfaction
        expected = EXPECTED.get((action, status))
        if action is Action.REOPEN and status is X and rating is not Satisfaction.UNSATISFIED:
            expected = None
        before = self._snapshot(request_id)
        try:
            after = call(request_id)
        except ValidationError as exc:
            assert exc.message and _HAN.search(exc.message)
            if expected is None:
                assert isinstance(exc, TransitionError), exc.message
            else:
                # Refused for another reason (missing note, member off duty …): must be one we expect.
                assert refused_anyway, f"{action} from {status} refused: {exc.message}"
            assert self._snapshot(request_id) == before, "a refused action wrote something"
            return
        assert expected is not None, f"{action} from {status} was accepted"
        assert not refused_anyway, f"{action} should have been refused"
        assert after.status is expected
        event(f"accepted: {action.value} from {status.value}")
        self.model[request_id] = expected
        if expected is N:
            self.ever_cancelled.add(request_id)
        events = self.service.events(request_id)
        assert len(events) == len(self.service.events(request_id))
        assert self._snapshot(request_id)[1] == before[1] + 1, "one action, one event"
        assert events[-1].action == action.value
        assert (events[-1].from_status, events[-1].to_status) == (status, expected)
        assert events[-1].at == self.clock.now

    # ---- rules ----
    @precondition(lambda self: len(self.ids) < 3)  # few requests, so actions reach deep states
    @rule(
        urgent=st.booleans(),
        category=st.sampled_from(CATEGORIES),
        handler=st.one_of(st.none(), st.integers(0, 1)),
    )
    def register(self, urgent: bool, category: str, handler: int | None) -> None:
        draft = RequestDraft(
            "phone",
            category,
            "群众反映的问题",
            self.village.id,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            person_name="张三",
        )
        request = self.service.register(
            draft, handler_id=self.members[handler] if handler is not None else None
        )
        assert request.status is (D if handler is not None else R)
        self.ids.append(request.id)
        self.model[request.id] = request.status
        events = self.service.events(request.id)
        assert [e.action for e in events] == ["received"] + (["dispatched"] if handler is not None else [])

    @rule(minutes=st.integers(0, 3 * 24 * 60))
    def advance_clock(self, minutes: int) -> None:
        self.clock.now += timedelta(minutes=minutes)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), member=st.integers(0, 2))
    def dispatch(self, index: int, member: int) -> None:
        request_id = self.ids[index % len(self.ids)]
        current = self.service.get(request_id)
        member_id = self.members[member]
        off_duty = member == 2
        same = current.status is D and current.handler_id == member_id
        self._do(
            index,
            Action.DISPATCH,
            lambda rid: self.service.dispatch(rid, member_id),
            refused_anyway=off_duty or same,
        )

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50))
    def start(self, index: int) -> None:
        self._do(index, Action.START, lambda rid: self.service.start(rid))

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), method=st.sampled_from(METHODS), result=st.sampled_from(["已办好", " "]))
    def complete(self, index: int, method: str, result: str) -> None:
        self._do(
            index,
            Action.COMPLETE,
            lambda rid: self.service.complete(rid, method, result),
            refused_anyway=not result.strip(),
        )

    @precondition(lambda self: self.ids)
    @rule(
        index=st.integers(0, 50), route=st.sampled_from(FeedbackRoute), rating=st.sampled_from(Satisfaction)
    )
    def follow_up(self, index: int, route: FeedbackRoute, rating: Satisfaction) -> None:
        self._do(index, Action.FOLLOW_UP, lambda rid: self.service.follow_up(rid, route, rating))

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), note=st.sampled_from(["派错了人", ""]))
    def return_(self, index: int, note: str) -> None:
        self._do(index, Action.RETURN, lambda rid: self.service.return_(rid, note), refused_anyway=not note)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), note=st.sampled_from(["重复登记", ""]))
    def cancel(self, index: int, note: str) -> None:
        self._do(index, Action.CANCEL, lambda rid: self.service.cancel(rid, note), refused_anyway=not note)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), note=st.sampled_from(["群众不满意", ""]))
    def reopen(self, index: int, note: str) -> None:
        self._do(index, Action.REOPEN, lambda rid: self.service.reopen(rid, note), refused_anyway=not note)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50))
    def escalate(self, index: int) -> None:
        self._do(index, Action.ESCALATE, lambda rid: self.service.escalate(rid, "请尽快办理"))

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), member=st.integers(0, 1), rating=st.sampled_from(Satisfaction))
    def next_step(self, index: int, member: int, rating: Satisfaction) -> None:
        """The usual next step for the request, so that random runs reach 回访 and 重新办理 too."""
        request_id = self.ids[index % len(self.ids)]
        status = self.model[request_id]
        if status is R:
            self._do(index, Action.DISPATCH, lambda rid: self.service.dispatch(rid, self.members[member]))
        elif status is D:
            self._do(index, Action.START, lambda rid: self.service.start(rid))
        elif status is P:
            self._do(index, Action.COMPLETE, lambda rid: self.service.complete(rid, "agent_run", "已代办"))
        elif status is C:
            self._do(
                index,
                Action.FOLLOW_UP,
                lambda rid: self.service.follow_up(rid, FeedbackRoute.IN_PERSON, rating),
            )
        else:
            self._do(index, Action.REOPEN, lambda rid: self.service.reopen(rid, "群众不满意，重新办理"))

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50))
    def print_work_order(self, index: int) -> None:
        request_id = self.ids[index % len(self.ids)]
        before = len(self.service.events(request_id))
        self.service.mark_printed([request_id])
        after = self.service.get(request_id)
        assert after.printed_at == self.clock.now
        assert after.status is self.model[request_id]
        assert len(self.service.events(request_id)) == before + 1

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 50), back=st.integers(1, 600))
    def back_dated_action(self, index: int, back: int) -> None:
        """A clerk enters an earlier time (办结 done yesterday …): never before the previous step."""
        request_id = self.ids[index % len(self.ids)]
        request = self.service.get(request_id)
        last = self.service.events(request_id)[-1].at
        at = self.clock.now - timedelta(minutes=back)
        before = self._snapshot(request_id)
        try:
            if request.status is D:
                self.service.start(request_id, at=at)
            elif request.status is P:
                self.service.complete(request_id, "on_the_spot", "已办好", at=at)
            elif request.status is C:
                self.service.follow_up(request_id, FeedbackRoute.PHONE, Satisfaction.SATISFIED, at=at)
            else:
                self.service.escalate(request_id, at=at)
        except ValidationError:
            assert self._snapshot(request_id) == before, "a refused action wrote something"
            return
        assert at >= last, "an action was recorded before the step it follows"
        self.model[request_id] = self.service.get(request_id).status

    # ---- invariants ----
    @invariant()
    def rows_agree_with_their_history(self) -> None:
        for request_id in self.ids:
            request = self.service.get(request_id)
            events = self.service.events(request_id)
            assert request.status is self.model[request_id]
            assert events[0].action == "received" and events[0].from_status is None
            assert events[-1].to_status is request.status, "row status is not the last event's"
            times = [e.at for e in sorted(events, key=lambda e: e.id)]
            assert times == sorted(times), "event times go backwards"
            for earlier, later in pairwise(events):
                assert later.from_status is earlier.to_status, "the history skips a step"
            status = request.status
            if status is X:
                assert request.satisfaction is not None and request.feedback_route is not None
                assert request.completed_at is not None and request.feedback_at is not None
            if status is C:
                assert request.completed_at is not None and request.method is not None
                assert request.satisfaction is None
            if status in (R, D, P):
                assert request.completed_at is None and request.satisfaction is None
            if status is R:
                assert request.handler_id is None
            if status in (D, P):
                assert request.handler_id is not None
            if request_id in self.ever_cancelled:
                assert status is N, "a cancelled request came back"
                assert request.cancelled_at is not None

    @invariant()
    def month_figures_are_consistent(self) -> None:
        figures = self.stats.figures(MONTH, self.stats.scope(), as_of=self.clock.now)
        in_month = [rid for rid in self.ids if self.service.get(rid).received_at.strftime("%Y-%m") == MONTH]
        counted = [rid for rid in in_month if self.model[rid] is not N]
        done = [rid for rid in counted if self.model[rid] in (C, X)]
        closed = [rid for rid in counted if self.model[rid] is X]
        assert figures["received"] == len(counted)
        assert figures["completed"] == len(done)
        assert figures["rated"] == len(closed)
        assert figures["completed"] <= figures["received"]
        assert figures["rated"] <= figures["completed"]
        assert (
            figures["satisfied"] + figures["basically_satisfied"] + figures["unsatisfied"] == figures["rated"]
        )
        for key in ("completion_rate", "satisfaction_rate", "visit_coverage_rate"):
            assert 0 <= figures[key] <= 100
        overdue = [rid for rid in counted if self.service.get(rid).is_overdue(self.clock.now)]
        assert figures["overdue"] == len(overdue)
        assert figures["avg_hours_to_complete"] >= 0


RequestLifecycle.TestCase.settings = settings(
    max_examples=max(10, settings.default.max_examples // 2),
    stateful_step_count=40,
    deadline=None,
)
TestRequestLifecycle = RequestLifecycle.TestCase


def test_one_rule_says_what_each_action_sets_and_clears_on_the_row() -> None:
    """domain.lifecycle.row_effect is what the service, the import and the demo apply (issue #9)."""
    from xianghe_desk.domain.enums import Action
    from xianghe_desk.domain.lifecycle import row_effect

    at = "2026-11-26 10:00:00"
    assert row_effect(Action.DISPATCH, at, handler_id=7) == {"handler_id": 7, "dispatched_at": at, "printed_at": None}
    assert row_effect(Action.RETURN, at) == {
        "handler_id": None, "dispatched_at": None, "started_at": None, "printed_at": None,
    }
    reopened = row_effect(Action.REOPEN, at)
    assert reopened["completed_at"] is None and reopened["satisfaction"] is None and reopened["result"] == ""
    completed = row_effect(Action.COMPLETE, at, method="agent_run", result="已办")
    assert set(reopened) >= set(completed)  # a reopen clears everything a completion set
    assert row_effect(Action.ESCALATE, at) == {}
