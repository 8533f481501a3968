"""Parts of the desk that land in their own issues: use them when their module exists."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

PRINTING_MODULE = "xianghe_desk.ui.printing"


def optional_module(name: str) -> ModuleType | None:
    """The module, or None when it does not exist (an import error inside it is a bug and raises)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def optional_attr(spec: str) -> Any | None:
    """``"package.module:Name"`` → the object, or None when the module or the name is missing."""
    module_name, _, attr = spec.partition(":")
    module = optional_module(module_name)
    if module is None:
        return None
    found = getattr(module, attr, None)
    if found is None:
        log.warning("%s has no %s", module_name, attr)
    return found


def work_order_printer() -> Callable[..., Any] | None:
    """``print_work_orders(parent, ctx, request_ids)`` from the printing issue, when it has landed."""
    return optional_attr(PRINTING_MODULE + ":print_work_orders")
