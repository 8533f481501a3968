"""The request lifecycle as an explicit state machine (glossary: 受理 → 派单 → 办理中 → 办结 → 回访).

Every action either returns the status it leads to or raises TransitionError with a reason a
clerk can act on. The services write one event row per accepted action.
"""

from __future__ import annotations

from dataclasses import dataclass

from xianghe_desk.domain.enums import Action, Satisfaction, Status
from xianghe_desk.domain.errors import TransitionError

OPEN = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change
    needs: tuple[str, ...] = ()  # fields the action must carry


RULES: dict[Action, Rule] = {
    # Dispatching an already dispatched request hands it to another member (转派).
    Action.DISPATCH: Rule(frozenset({Status.RECEIVED, Status.DISPATCHED}), Status.DISPATCHED, ("handler",)),
    Action.START: Rule(frozenset({Status.DISPATCHED}), Status.IN_PROGRESS),
    # A grid member may settle a matter on the spot without "starting" it first.
    Action.COMPLETE: Rule(
        frozenset({Status.DISPATCHED, Status.IN_PROGRESS}), Status.COMPLETED, ("method", "result")
    ),
    Action.FOLLOW_UP: Rule(frozenset({Status.COMPLETED}), Status.CLOSED, ("route", "satisfaction")),
    Action.RETURN: Rule(frozenset({Status.DISPATCHED, Status.IN_PROGRESS}), Status.RECEIVED, ("note",)),
    Action.CANCEL: Rule(OPEN, Status.CANCELLED, ("note",)),
    Action.REOPEN: Rule(frozenset({Status.COMPLETED, Status.CLOSED}), Status.IN_PROGRESS, ("note",)),
    Action.ESCALATE: Rule(OPEN, None),
    Action.EDIT: Rule(frozenset(Status) - {Status.CANCELLED}, None),
    Action.PRINT: Rule(frozenset(Status), None),
}

# Why an action is refused, per current status; the fallback names the status.
_REFUSALS: dict[tuple[Action, Status], str] = {
    (Action.DISPATCH, Status.IN_PROGRESS): "工单已在办理中，不能重新派单；如派错了人，请承办人先「退回」。",
    (Action.DISPATCH, Status.COMPLETED): "工单已办结，不能再派单；如需再次处理，请用「重新办理」。",
    (Action.DISPATCH, Status.CLOSED): "工单已回访结束，不能再派单；如群众不满意，请用「重新办理」。",
    (Action.START, Status.RECEIVED): "工单还没有派单，请先「派单」给网格员。",
    (Action.COMPLETE, Status.RECEIVED): "工单还没有派单，不能办结；请先「派单」。",
    (Action.FOLLOW_UP, Status.RECEIVED): "工单还没有办结，不能回访。",
    (Action.FOLLOW_UP, Status.DISPATCHED): "工单还没有办结，不能回访。",
    (Action.FOLLOW_UP, Status.IN_PROGRESS): "工单还没有办结，不能回访。",
    (Action.FOLLOW_UP, Status.CLOSED): "工单已经回访过了。",
    (Action.RETURN, Status.RECEIVED): "工单还没有派单，无需退回。",
    (Action.REOPEN, Status.RECEIVED): "工单尚未办结，无需重新办理。",
    (Action.REOPEN, Status.DISPATCHED): "工单尚未办结，无需重新办理。",
    (Action.REOPEN, Status.IN_PROGRESS): "工单正在办理中，无需重新办理。",
    (Action.ESCALATE, Status.COMPLETED): "工单已办结，无需督办。",
    (Action.ESCALATE, Status.CLOSED): "工单已办结，无需督办。",
}


def next_status(action: Action, status: Status, satisfaction: Satisfaction | None = None) -> Status:
    """The status ``action`` leads to from ``status``; raises TransitionError when not allowed.

    Args:
        satisfaction: the request's current rating; a closed request may only be reopened when
            the resident was not satisfied (a satisfied resident with a new matter is a new request).
    """
    rule = RULES.get(action)
    if rule is None:
        raise TransitionError(f"不认识的操作：{action}")
    if status is Status.CANCELLED and action is not Action.PRINT:
        raise TransitionError(f"工单已撤销，不能再「{action.label}」。")
    if status not in rule.sources:
        reason = _REFUSALS.get((action, status))
        raise TransitionError(reason or f"工单当前状态为「{status.label}」，不能「{action.label}」。")
    if action is Action.REOPEN and status is Status.CLOSED and satisfaction is not Satisfaction.UNSATISFIED:
        raise TransitionError(
            "群众对办理结果满意或基本满意，工单不能重新办理；如有新的诉求，请重新受理登记。"
        )
    return rule.target if rule.target is not None else status


def allowed_actions(status: Status, satisfaction: Satisfaction | None = None) -> list[Action]:
    """The workflow actions the desk should offer now (editing and printing are always separate)."""
    offered = []
    for action in (
        Action.DISPATCH,
        Action.START,
        Action.COMPLETE,
        Action.FOLLOW_UP,
        Action.RETURN,
        Action.CANCEL,
        Action.REOPEN,
        Action.ESCALATE,
    ):
        try:
            next_status(action, status, satisfaction)
        except TransitionError:
            continue
        offered.append(action)
    return offered


def required_fields(action: Action) -> tuple[str, ...]:
    rule = RULES.get(action)
    return rule.needs if rule else ()


def row_effect(
    action: Action,
    at: str,
    *,
    handler_id: int | None = None,
    method: str | None = None,
    result: str = "",
    route: str | None = None,
    satisfaction: str | None = None,
    by: str = "",
) -> dict[str, object]:
    """What ``action`` at ``at`` (stored time text) sets and clears on the request row, besides its status.

    The one place that says it (issue #9): the request service, the spreadsheet import and the
    demo builder all apply these columns, so a request looks the same however it got there.
    A return clears the handler and everything that followed the dispatch; a reopen clears the
    completion and the rating (the history keeps both, where the month's figures read them).
    """
    if action is Action.DISPATCH:
        return {"handler_id": handler_id, "dispatched_at": at, "printed_at": None}
    if action is Action.START:
        return {"started_at": at}
    if action is Action.COMPLETE:
        return {"completed_at": at, "method": method, "result": result}
    if action is Action.FOLLOW_UP:
        return {"feedback_at": at, "feedback_route": route, "satisfaction": satisfaction, "feedback_by": by}
    if action is Action.RETURN:
        return {"handler_id": None, "dispatched_at": None, "started_at": None, "printed_at": None}
    if action is Action.CANCEL:
        return {"cancelled_at": at}
    if action is Action.REOPEN:
        return {
            "completed_at": None,
            "method": None,
            "result": "",
            "feedback_at": None,
            "feedback_route": None,
            "satisfaction": None,
            "feedback_by": "",
        }
    if action is Action.PRINT:
        return {"printed_at": at}
    return {}
