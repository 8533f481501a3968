"""What the signed-in role may do, shown on the desk's buttons: disabled, with a tooltip saying why.

This is a courtesy, not the guard: every operation checks the permission again and refuses with
the same words (domain/access.py), whatever the desk offers (issue #9 §3).
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from xianghe_desk.domain.access import PERMISSION_LABELS, Actor, Permission

# The tooltip a control had before it was refused, to put back when the role may use it again.
_OWN_TIP = "xianghe_own_tooltip"


def refusal(who: Actor, permission: Permission) -> str:
    """「领导查看不能登记或修改服务对象、工单和走访。如需这样做，请找管理员。」, or "" when allowed."""
    if who.may(permission):
        return ""
    if who.signed_out:
        return "请先登录。"
    return f"{who.role.label}不能{PERMISSION_LABELS[permission]}。如需这样做，请找管理员。"


def allow(control: QWidget | QAction, who: Actor, *permissions: Permission, enabled: bool = True) -> bool:
    """Enable ``control`` when ``who`` holds every permission (and ``enabled``); otherwise disable
    it with a tooltip that says why. Returns whether the role allows it."""
    why = next((text for text in (refusal(who, p) for p in permissions) if text), "")
    own = control.property(_OWN_TIP)
    if own is None:
        own = control.toolTip()
        control.setProperty(_OWN_TIP, own)
    control.setEnabled(enabled and not why)
    control.setToolTip(why or str(own))
    return not why
