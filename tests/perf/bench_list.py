"""Child process of bench.py: the request list scrolled far, or jumped to its last row, each in a
process of its own so that its memory can be read.

    python tests/perf/bench_list.py scroll DB TARGET_ROWS BUDGET_S
    python tests/perf/bench_list.py jump DB BUDGET_S
    python tests/perf/bench_list.py raw DB SQL_JSON TARGET_ROWS

``scroll`` drives the list the way the view does when a clerk drags the scroll bar down: the
model's ``fetchMore`` until TARGET_ROWS rows are there, the view painted every 25 pages; each
``fetchMore`` is timed, so the cost of a page near row 0 and near row N come from the same run.
A model with random access (``rowCount`` already the whole list) is scrolled with ``scrollTo``
instead. ``jump`` opens the list, then presses Ctrl+End until the current row is the last one
(a paged model needs a ``fetchMore`` for every page on the way). ``raw`` is the baseline: the
list's own SQL for TARGET_ROWS rows as one statement in plain sqlite3, all rows kept.
Each prints one result line (bench_common.RESULT_MARK) with times and VmRSS/VmHWM.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import DEMO_PASSWORD, DEMO_USER, dump_profile, emit, maybe_profile, proc_status_mb

PAINT_EVERY = 25


def _open_list(db: str) -> tuple[Any, Any, Any]:
    from PySide6.QtWidgets import QApplication

    from xianghe_desk.domain.queries import RequestFilter
    from xianghe_desk.ui.application import make_app
    from xianghe_desk.ui.context import DeskContext
    from xianghe_desk.ui.models.requests import RequestTableModel
    from xianghe_desk.ui.widgets.table import DeskTableView

    make_app()
    ctx = DeskContext(Path(db))
    ctx.sign_in(DEMO_USER, DEMO_PASSWORD)
    model = RequestTableModel(ctx)
    view = DeskTableView()
    view.resize(1300, 800)
    view.setModel(model)
    view.show()
    model.set_filter(RequestFilter())
    QApplication.processEvents()
    # The count (共 N 张) arrives from its read job about a second after the list shows; a clerk
    # scrolls or presses Ctrl+End once the list is there, so wait for it the way the desk would.
    ctx.runner.wait_for_done()
    QApplication.processEvents()
    return ctx, model, view


def _paint(view: Any) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # the view's delayed layout; the bench may, the program may not
    view.viewport().grab()


def scroll(db: str, target: int, budget: float) -> None:
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QAbstractItemView

    ctx, model, view = _open_list(db)
    rss_first = proc_status_mb("VmRSS")
    profiler = maybe_profile()
    started = time.perf_counter()
    pages: list[tuple[int, float]] = []  # (first row of the page, seconds)
    random_access = model.rowCount() >= target or (
        not model.canFetchMore(QModelIndex()) and model.rowCount() > 1000
    )
    if random_access:
        # Rows are fetched on demand in data(): a "page" is scrolling there and painting it.
        step = max(1, target // 200)
        last = min(target, model.rowCount()) - 1
        rows = [*range(0, last, step), last]  # ending on row TARGET itself
        for row in rows:
            t = time.perf_counter()
            view.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
            _paint(view)
            pages.append((row, time.perf_counter() - t))
            if time.perf_counter() - started > budget:
                break
        reached = row + 1
    else:
        while model.rowCount() < target and model.canFetchMore(QModelIndex()):
            first = model.rowCount()
            t = time.perf_counter()
            model.fetchMore(QModelIndex())
            pages.append((first, time.perf_counter() - t))
            if len(pages) % PAINT_EVERY == 0:
                view.scrollToBottom()
                _paint(view)
            if time.perf_counter() - started > budget:
                break
        view.scrollToBottom()
        _paint(view)
        reached = model.rowCount()
    elapsed = time.perf_counter() - started
    dump_profile(profiler)
    early = [s for _row, s in pages[1:6]]
    late = [s for _row, s in pages[-5:]]
    emit(
        {
            "seconds": elapsed,
            "reached": reached,
            "target": target,
            "random_access": random_access,
            "pages": len(pages),
            "page_early_ms": statistics.median(early) * 1000 if early else None,
            "page_early_row": pages[1][0] if len(pages) > 1 else None,
            "page_late_ms": statistics.median(late) * 1000 if late else None,
            "page_late_row": pages[-1][0] if pages else None,
            "rss_first_page_mb": rss_first,
            # A windowed model says how many rows it holds now (None: it holds every row read).
            "kept_rows": model.kept_rows() if hasattr(model, "kept_rows") else None,
            "rss_mb": proc_status_mb("VmRSS"),
            "hwm_mb": proc_status_mb("VmHWM"),
        }
    )
    ctx.runner.wait_for_done()


def jump(db: str, budget: float) -> None:
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtTest import QTest

    from xianghe_desk.domain.queries import RequestFilter

    ctx, model, view = _open_list(db)
    total = ctx.requests.count(RequestFilter())
    view.setFocus()
    _paint(view)
    profiler = maybe_profile()
    started = time.perf_counter()
    presses = 0
    while True:
        QTest.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        presses += 1
        if view.currentIndex().row() >= total - 1:
            break
        if time.perf_counter() - started > budget:
            break
        # What the view does when its scroll bar reaches the end of a paged model.
        if model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        elif view.currentIndex().row() >= model.rowCount() - 1:
            break
    _paint(view)
    elapsed = time.perf_counter() - started
    dump_profile(profiler)
    emit(
        {
            "seconds": elapsed,
            "reached": view.currentIndex().row() + 1,
            "total": total,
            "presses": presses,
            "rss_mb": proc_status_mb("VmRSS"),
            "hwm_mb": proc_status_mb("VmHWM"),
        }
    )
    ctx.runner.wait_for_done()


def raw(db: str, sql_json: str, target: int) -> None:
    spec = json.loads(Path(sql_json).read_text())
    params = list(spec["params"])
    # The list's page query ends in LIMIT ? OFFSET ?: the same statement for all TARGET rows.
    params[-2], params[-1] = target, 0
    started = time.perf_counter()
    connection = sqlite3.connect(db)
    rows = connection.execute(spec["sql"], params).fetchall()
    elapsed = time.perf_counter() - started
    emit(
        {
            "seconds": elapsed,
            "reached": len(rows),
            "rss_mb": proc_status_mb("VmRSS"),
            "hwm_mb": proc_status_mb("VmHWM"),
        }
    )
    connection.close()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "scroll":
        scroll(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "jump":
        jump(sys.argv[2], float(sys.argv[3]))
    elif mode == "raw":
        raw(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.flush()
    os._exit(0)  # no Qt teardown: the answer is out
