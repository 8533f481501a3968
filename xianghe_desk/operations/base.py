"""Named operations: one use case, one transaction, the permission check and the audit row inside it.

Anki's ``qt/aqt/operations`` is the model. An operation is a function ``fn(op, *args)`` declared
with ``@operation(name, label, permission)``; calling it as ``fn(ws, *args)`` checks that the one
acting (``ws.who``) holds the permission, runs the body in one transaction, writes the audit row(s)
in that same transaction and returns an ``OpResult`` with the value and what changed, so the desk
refreshes exactly the screens that show it. The desk (``ui/operations.py``'s ``run_op``) and the
command line (``commands/``) call the same operations; neither assembles a transaction itself.

A refusal (PermissionDeniedError) changes nothing and is itself written to the audit trail.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from xianghe_desk.domain.access import Permission, PermissionDeniedError
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Changes:
    """What an operation changed, by kind of data; the desk turns this into its change signals.

    ``requests`` holds the ids of changed requests (empty set and ``all_requests`` False: none).
    """

    requests: set[int] = field(default_factory=set)
    all_requests: bool = False
    residents: bool = False
    members: bool = False
    places: bool = False
    settings: bool = False
    lookups: bool = False
    users: bool = False
    visits: bool = False
    exchange: bool = False

    def any(self) -> bool:
        return bool(
            self.requests
            or self.all_requests
            or self.residents
            or self.members
            or self.places
            or self.settings
            or self.lookups
            or self.users
            or self.visits
            or self.exchange
        )


@dataclass(frozen=True)
class OpResult(Generic[T]):
    value: T
    changes: Changes


class Progress(Protocol):
    """What a long operation is handed as ``progress=`` (ui/operations.Progress, jobs.Job fit)."""

    def report(self, done: int, total: int) -> None: ...

    def check_cancelled(self) -> None: ...


@dataclass(frozen=True)
class OperationSpec:
    name: str  # e.g. "request.register": the audit row's action
    label: str  # 受理登记: what the clerk sees in the audit trail and in a refusal
    permission: Permission
    kind: str  # the audit kind written when the body records nothing itself
    # A read (figures, a preview): no audit row unless the body writes one; refusals still are.
    quiet: bool = False


class Op:
    """The running operation, handed to its body: the workspace, who acts, changes, audit rows."""

    def __init__(self, ws: Workspace, spec: OperationSpec) -> None:
        self.ws = ws
        self.spec = spec
        self.changes = Changes()
        self.audited = 0
        self._audit = AuditService(ws)

    @property
    def who(self):  # type: ignore[no-untyped-def]  # domain.access.Actor
        return self.ws.who

    def require(self, permission: Permission) -> None:
        self.ws.who.require(permission)

    def require_covers(self, town_id: int | None, village_id: int | None, what: str = "这条记录") -> None:
        self.ws.who.require_covers(town_id, village_id, what)

    def audit(
        self,
        summary: str,
        *,
        kind: str | None = None,
        entity: str = "",
        entity_uuid: str = "",
        resident_uuid: str = "",
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **detail: Any,
    ) -> None:
        """One audit row for what this operation did (several for a batch are fine)."""
        data = dict(detail)
        if before is not None or after is not None:
            changed = _changed_fields(before or {}, after or {})
            if before is not None:
                data["before"] = {k: before.get(k) for k in changed} if after is not None else before
            if after is not None:
                data["after"] = {k: after.get(k) for k in changed} if before is not None else after
        self._audit.record(
            self.spec.name,
            kind or self.spec.kind,
            summary,
            entity=entity,
            entity_uuid=entity_uuid,
            resident_uuid=resident_uuid,
            detail=data,
        )
        self.audited += 1


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = list(dict.fromkeys([*before, *after]))
    if not before or not after:
        return keys
    return [k for k in keys if before.get(k) != after.get(k)]


REGISTRY: dict[str, OperationSpec] = {}


def operation(
    name: str, label: str, permission: Permission, kind: str = "update", quiet: bool = False
) -> Callable[[Callable[Concatenate[Op, P], T]], Callable[Concatenate[Workspace, P], OpResult[T]]]:
    """Declare a named operation (see the module docstring).

    ``quiet``: the body decides whether to write an audit row (a read such as ``stats``, or a dry
    run); otherwise a body that records nothing gets one row with the operation's label.
    """
    spec = OperationSpec(name, label, permission, kind, quiet)
    if name in REGISTRY:
        raise ValueError(f"operation {name} declared twice")
    REGISTRY[name] = spec

    def wrap(body: Callable[Concatenate[Op, P], T]) -> Callable[Concatenate[Workspace, P], OpResult[T]]:
        @functools.wraps(body)
        def run(ws: Workspace, *args: P.args, **kwargs: P.kwargs) -> OpResult[T]:
            op = Op(ws, spec)
            try:
                op.require(permission)
                with ws.atomic():
                    value = body(op, *args, **kwargs)
                    if not op.audited and not quiet:
                        op.audit(label)
            except PermissionDeniedError as exc:
                _record_refusal(ws, spec, exc.message)
                raise
            return OpResult(value, op.changes)

        run.spec = spec  # type: ignore[attr-defined]
        return run

    return wrap


def _record_refusal(ws: Workspace, spec: OperationSpec, message: str) -> None:
    """A refused attempt is worth knowing about; the refusal itself must never fail the caller."""
    try:
        with ws.atomic():
            AuditService(ws).record(spec.name, "refused", f"{spec.label}：{message}")
    except Exception:
        log.exception("could not record the refusal of %s", spec.name)
