"""Migration 0006 (issue #13): what county scale needs from the schema — indexes and kept-up-to-date
columns for the month's figures, the dashboard and the request list.

Never edited once shipped: a later change is a new migration. Each list belongs to one part of the
program; the migration runs them in this order.
"""

from __future__ import annotations

# The month's figures (store/stats.py, store/visits.py).
FIGURES: list[str] = []

# The dashboard (store/dashboard.py).
DASHBOARD: list[str] = []

# The request list, its paging and its search (store/requests.py).
LIST: list[str] = []

# Whatever else is read on opening a database (the first list page of an encrypted file).
OPENING: list[str] = []


def statements() -> list[str]:
    return [*FIGURES, *DASHBOARD, *LIST, *OPENING]
