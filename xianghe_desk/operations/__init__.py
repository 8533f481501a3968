"""Named operations: every change of data goes through one of these (see base.py)."""

from xianghe_desk.operations.base import REGISTRY, Changes, Op, OperationSpec, OpResult, Progress, operation

__all__ = ["REGISTRY", "Changes", "Op", "OpResult", "OperationSpec", "Progress", "operation"]
