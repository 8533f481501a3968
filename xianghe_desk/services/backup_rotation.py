"""Which automatic backups to keep: the newest of each of the last 7 days, 4 weeks and 12 months.

Pure functions over (item, time) pairs, so the rules are tested with made-up dates. The
buckets follow restic's ``forget --keep-daily/--keep-weekly/--keep-monthly``: going from the
newest backup back, each policy keeps the newest backup of every day (ISO week, month) that
has one, until it has kept its number; a backup any policy keeps is kept. A day without a
backup (the desk was not opened) costs nothing: the older days move up.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timedelta
from typing import Final, TypeVar

T = TypeVar("T")

KEEP_DAILY: Final = 7
KEEP_WEEKLY: Final = 4
KEEP_MONTHLY: Final = 12
# "At most once a day while the desk runs": the next automatic backup is due this long after the last.
AUTO_INTERVAL: Final = timedelta(hours=24)


def _day(at: datetime) -> Hashable:
    return at.date()


def _week(at: datetime) -> Hashable:
    year, week, _weekday = at.isocalendar()
    return (year, week)


def _month(at: datetime) -> Hashable:
    return (at.year, at.month)


def _kept_positions(ordered: Sequence[tuple[T, datetime]], daily: int, weekly: int, monthly: int) -> set[int]:
    """Positions in ``ordered`` (newest first) that some policy keeps."""
    keep: set[int] = {0} if ordered else set()
    policies: list[tuple[int, Callable[[datetime], Hashable]]] = [
        (daily, _day),
        (weekly, _week),
        (monthly, _month),
    ]
    for count, bucket in policies:
        seen: set[Hashable] = set()
        for index, (_item, at) in enumerate(ordered):
            if len(seen) >= count:
                break
            key = bucket(at)
            if key not in seen:
                seen.add(key)
                keep.add(index)
    return keep


def backups_to_keep(
    backups: Sequence[tuple[T, datetime]],
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    monthly: int = KEEP_MONTHLY,
) -> list[T]:
    """The items to keep, newest first (the newest backup is always kept)."""
    ordered = sorted(backups, key=lambda pair: pair[1], reverse=True)
    kept = _kept_positions(ordered, daily, weekly, monthly)
    return [item for index, (item, _at) in enumerate(ordered) if index in kept]


def backups_to_remove(
    backups: Sequence[tuple[T, datetime]],
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    monthly: int = KEEP_MONTHLY,
) -> list[T]:
    """The items the rotation deletes, oldest first."""
    ordered = sorted(backups, key=lambda pair: pair[1], reverse=True)
    kept = _kept_positions(ordered, daily, weekly, monthly)
    return [item for index, (item, _at) in reversed(list(enumerate(ordered))) if index not in kept]


def auto_backup_due(last: datetime | None, now: datetime) -> bool:
    """Whether the desk should make its daily automatic backup now."""
    return last is None or now - last >= AUTO_INTERVAL or last > now
