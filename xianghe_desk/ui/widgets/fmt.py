"""How the desk writes dates, durations and statuses (yyyy-MM-dd, 24-hour clock, Chinese words)."""

from __future__ import annotations

from datetime import datetime

from xianghe_desk.domain.enums import Status
from xianghe_desk.domain.models import ServiceRequest

WARNING_SIGN = "⚠"  # in the shipped WenQuanYi Micro Hei, so it shows on every machine


def fmt_dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def fmt_duration(hours: float) -> str:
    """3天5小时, 5小时, 40分钟, 不足1分钟: how late or how long, as a clerk would say it.

    Whole minutes only, counted down: 「超期 0.0小时」 or 「超期 1分钟」 half a minute after the due
    time says nothing true (issue #8).
    """
    minutes = int(hours * 60)
    if minutes < 1:
        return "不足1分钟"
    if minutes < 60:
        return f"{minutes}分钟"
    days, rest = divmod(minutes // 60, 24)
    if days and rest:
        return f"{days}天{rest}小时"
    if days:
        return f"{days}天"
    return f"{rest}小时"


def overdue_text(request: ServiceRequest, now: datetime) -> str:
    """「超期 2天3小时」 for an open request past its due time, 「超期办结」 for a late completion."""
    if not request.is_overdue(now):
        return ""
    if request.status.is_done:
        return "超期办结"
    return f"超期 {fmt_duration((now - request.due_at).total_seconds() / 3600)}"


def due_text(request: ServiceRequest, now: datetime) -> str:
    """The due time, with 「今天」 for today's: the column a clerk scans for what is urgent now."""
    if request.due_at.date() == now.date():
        return "今天 " + request.due_at.strftime("%H:%M")
    return fmt_dt(request.due_at)


def status_text(status: Status) -> str:
    return status.label
