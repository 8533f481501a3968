"""The figures bench.py measures inside its own process: each program call next to its raw baseline.

The program side goes through the desk's own objects (a signed-in DeskContext, its services, the
dashboard page and the request list model); the baseline side is plain sqlite3 on a read-only
connection of its own, or a minimal Qt model. Where the baseline repeats "the same SQL", that SQL
is captured from the program's own call (a recording wrapper around ``ws.db.execute``), so the
baseline follows the program when the program's queries change.
"""

from __future__ import annotations

import cProfile
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_common import DEMO_PASSWORD, DEMO_USER, Figure, missing, profile_text, timing_figure

SEARCH_MS = 100.0
UI_CALL_MS = 50.0


@dataclass
class InProcess:
    """What the in-process figures share: the app, a signed-in desk context, a raw connection."""

    db: Path
    repeat: int
    profile_dir: Path | None
    ctx: Any = None
    raw: sqlite3.Connection | None = None
    profiles: dict[str, str] = field(default_factory=dict)

    def open(self) -> None:
        from xianghe_desk.ui.application import make_app
        from xianghe_desk.ui.context import DeskContext

        make_app()
        self.ctx = DeskContext(self.db)
        self.ctx.sign_in(DEMO_USER, DEMO_PASSWORD)
        self.raw = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)

    def close(self) -> None:
        if self.ctx is not None:
            self.ctx.runner.wait_for_done()
            self.ctx.close()
        if self.raw is not None:
            self.raw.close()

    def settle(self) -> None:
        """Wait for the jobs a program call started (counts) and deliver their results."""
        from PySide6.QtWidgets import QApplication

        self.ctx.runner.wait_for_done()
        QApplication.processEvents()

    def replay(self, statements: list[tuple[str, Any]]) -> list[Any]:
        """The captured statements again, in plain sqlite3, every row fetched."""
        assert self.raw is not None
        rows: list[Any] = []
        for sql, params in statements:
            rows = self.raw.execute(sql, params if params is not None else ()).fetchall()
        return rows

    def profile(self, name: str, func: Callable[[], Any]) -> None:
        """With --profile: one more call of a failing figure's program side under cProfile."""
        if self.profile_dir is None:
            return
        profiler = cProfile.Profile()
        with captured(self.ctx.ws.db) as statements:
            profiler.runcall(func)
        self.settle()
        text = profile_text(profiler) + self.query_plans(statements)
        self.profiles[name] = text
        (self.profile_dir / f"{slug(name)}.txt").write_text(f"{name}\n\n{text}")

    def query_plans(self, statements: list[tuple[str, Any]], limit: int = 6, least_ms: float = 5.0) -> str:
        """The slowest statements of a call again in raw sqlite3, each with its EXPLAIN QUERY PLAN:
        a profile says only 'execute' where SQLite spends the time."""
        assert self.raw is not None
        found = []
        for sql, params in statements:
            args = params if params is not None else ()
            try:
                started = time.perf_counter()
                rows = self.raw.execute(sql, args).fetchall()
                ms = (time.perf_counter() - started) * 1000
                plan = self.raw.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()
            except sqlite3.Error as exc:
                found.append((0.0, f"-- could not replay: {exc}\n{sql.strip()[:300]}"))
                continue
            if ms < least_ms:
                continue
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in plan:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * (depth[node] + 1) + str(detail))
            text = " ".join(sql.split())
            found.append(
                (ms, f"-- {ms:.1f} ms in raw sqlite3, {len(rows)} rows\n{text[:1500]}\n" + "\n".join(lines))
            )
        if not found:
            return ""
        found.sort(key=lambda item: -item[0])
        return "\n\n==== slowest statements, with their query plans ====\n" + "\n\n".join(
            t for _ms, t in found[:limit]
        )


def slug(name: str) -> str:
    """A file name for a figure: 'list: model first paint' → 'list-model-first-paint'."""
    kept = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower())
    return "-".join(part for part in kept.split("-") if part)[:80]


@contextmanager
def captured(db: Any) -> Iterator[list[tuple[str, Any]]]:
    """Record every statement a program call runs through the sqlite-utils Database ``db``."""
    statements: list[tuple[str, Any]] = []
    original = db.execute

    def execute(sql: str, parameters: Any = None) -> Any:
        statements.append((sql, parameters))
        return original(sql, parameters) if parameters is not None else original(sql)

    db.execute = execute
    try:
        yield statements
    finally:
        del db.execute


def _checked(bench: InProcess, figure: Figure, func: Callable[[], Any]) -> Figure:
    if figure.passed is False and not figure.failed:
        bench.profile(figure.name, func)
    return figure


# ------------------------------------------------------------------ dashboard


OVERDUE_RAW = """
    SELECT id FROM requests INDEXED BY idx_requests_status
    WHERE status IN ('received', 'dispatched', 'in_progress') AND due_at < ? AND deleted_at IS NULL
    ORDER BY due_at, id LIMIT ?
"""


def dashboard(bench: InProcess) -> list[Figure]:
    """The overdue list as the dashboard loads it on the UI thread, next to the same ids in raw SQL."""
    from xianghe_desk.store.base import dt_text
    from xianghe_desk.ui.pages.dashboard import DashboardPage

    page = DashboardPage(bench.ctx)
    bench.settle()
    model = getattr(page, "overdue_model", None)
    if model is None:
        return [missing("dashboard: overdue list (UI thread)", "ms", "DashboardPage has no overdue_model")]
    limit = getattr(model, "row_limit", None) or 50
    raw = bench.raw
    assert raw is not None

    def baseline() -> list[int]:
        now = dt_text(bench.ctx.now())
        return [r[0] for r in raw.execute(OVERDUE_RAW, [now, limit]).fetchall()]

    figure = timing_figure(
        "dashboard: overdue list (UI thread)",
        "ms",
        model.reload,
        baseline,
        bench.repeat,
        settle=bench.settle,
        target_max=UI_CALL_MS,
        baseline_label="same ids, INDEXED BY idx_requests_status, raw sqlite3",
    )
    model.reload()
    ours = [model.id_of_row(i) for i in range(model.rowCount())]
    theirs = baseline()
    if ours != theirs:
        figure.failed = True
        figure.note = f"baseline ids differ from the list's ({len(ours)} vs {len(theirs)} rows)"
    figures = [_checked(bench, figure, model.reload)]

    refresh = timing_figure(
        "dashboard: refresh() on the UI thread (tile counts + overdue list)",
        "ms",
        page.refresh,
        None,
        bench.repeat,
        settle=bench.settle,
        note="information: the whole synchronous part of the dashboard's refresh",
    )
    figures.append(refresh)
    page.deleteLater()
    bench.settle()
    figures.append(dashboard_job(bench))
    return figures


def dashboard_job(bench: InProcess) -> Figure:
    """What the desk waits for between the window and the figures: the dashboard's read job
    (this month's figures and the twelve-month series), run here on this thread."""
    from xianghe_desk.ui.pages import dashboard as page_module

    make = getattr(page_module, "month_figures_work", None)
    name = "dashboard: month figures job (reader thread: this month's tiles)"
    if make is None:
        return missing(name, "s", "ui/pages/dashboard.py has no month_figures_work")
    work = make(bench.ctx.ws.home_town_id())

    def program() -> Any:
        return work(bench.ctx.ws, None)

    figure = timing_figure(
        name,
        "s",
        program,
        None,
        max(1, bench.repeat // 2),
        note="information: the desk's figures arrive this long after the window at least",
    )
    bench.profile(name, program)
    return figure


# ------------------------------------------------------------------ month's figures


FIGURES_RAW = """
    SELECT town_id,
        sum(status != 'cancelled') AS received,
        sum(status IN ('completed', 'closed')) AS completed,
        sum(status = 'closed' AND coalesce(satisfaction, '') != '') AS rated,
        sum(status = 'closed' AND satisfaction = 'satisfied') AS satisfied,
        sum(status != 'cancelled' AND CASE WHEN status IN ('completed', 'closed')
            THEN completed_at > due_at ELSE :as_of > due_at END) AS overdue
    FROM requests
    WHERE received_at >= :start AND received_at < :end AND received_at <= :as_of AND deleted_at IS NULL
    GROUP BY town_id
"""


def figures_month(ws: Any) -> str:
    """The last complete month (the dashboard shows this month; a whole month is the heavier case)."""
    from xianghe_desk.domain.figures import month_of, previous_month

    return str(previous_month(month_of(ws.now().date())))


# The care-visit counts of contract §3 by hand: the planned residents with their last visit before
# the month and their visits within it, and the month's 上门 visits, in raw SQL; the visits due and
# done are then counted with the domain's own rule (domain.visits.occasions), the part no GROUP BY
# can say (a late visit restarts the chain, a hospital stay pauses it).
VISIT_PLANS_RAW = """
    SELECT r.id, r.care_tags, r.status, r.status_since, r.status_until, p.interval_days,
           coalesce(p.starts_on, substr(r.created_at, 1, 10)),
           (SELECT max(x.visited_on) FROM visits x
             WHERE x.resident_id = r.id AND x.deleted_at IS NULL AND x.visited_on < :first)
    FROM residents r LEFT JOIN visit_plans p ON p.resident_id = r.id AND p.deleted_at IS NULL
    WHERE r.deleted_at IS NULL AND (r.care_tags <> '' OR p.interval_days IS NOT NULL)
"""
VISIT_DAYS_RAW = """
    SELECT resident_id, visited_on FROM visits
    WHERE deleted_at IS NULL AND visited_on >= :first AND visited_on <= :last
"""
HOME_VISITS_RAW = """
    SELECT count(*) FROM visits
    WHERE deleted_at IS NULL AND method = 'home' AND visited_on >= :first AND visited_on <= :last
"""


def visit_counts_raw(
    raw: sqlite3.Connection, month: str, as_of: datetime, intervals: dict[str, int]
) -> tuple[int, int, int]:
    """(visits due, done on time, 上门 visits) of the county's month, by hand."""
    from datetime import date, timedelta

    from xianghe_desk.domain.figures import month_bounds
    from xianghe_desk.domain.visits import PlanFact, ResidentStatus, StatusInfo, occasions

    start, end = month_bounds(month)
    first, last, today = start.date(), (end - timedelta(days=1)).date(), as_of.date()
    if today < first:
        return 0, 0, 0
    days = {"first": first.isoformat(), "last": last.isoformat()}
    within: dict[int, list[date]] = {}
    for resident, day in raw.execute(VISIT_DAYS_RAW, days):
        within.setdefault(resident, []).append(date.fromisoformat(day))
    due = done = 0
    for rid, tags, status, since, until, own, starts, before in raw.execute(VISIT_PLANS_RAW, days):
        interval = own or min((intervals[t] for t in tags.split(",") if t in intervals), default=None)
        if interval is None:
            continue
        fact = PlanFact(
            rid, 0, 0, None, interval, date.fromisoformat(starts),
            StatusInfo(ResidentStatus(status), since and date.fromisoformat(since), until and date.fromisoformat(until)),
            before and date.fromisoformat(before), tuple(sorted(within.get(rid, ()))),
        )  # fmt: skip
        found = occasions(fact, first, last, today)
        due += len(found)
        done += sum(1 for o in found if o.done)
    home = int(raw.execute(HOME_VISITS_RAW, days).fetchone()[0])
    return due, done, home


def month_figures(bench: InProcess) -> list[Figure]:
    from xianghe_desk.domain.figures import month_bounds
    from xianghe_desk.services.stats import StatsService
    from xianghe_desk.services.visits import VisitService
    from xianghe_desk.store.base import dt_text

    ws = bench.ctx.ws
    stats = StatsService(ws)
    scope = stats.scope()
    month = figures_month(ws)
    as_of = ws.now()
    start, end = month_bounds(month)
    params = {"start": dt_text(start), "end": dt_text(end), "as_of": dt_text(as_of)}
    intervals = {tag.value: days for tag, days in VisitService(ws).intervals().items()}
    raw = bench.raw
    assert raw is not None

    def program() -> dict[str, Any]:
        return dict(stats.figures(month, scope, as_of))

    def baseline() -> tuple[list[Any], tuple[int, int, int]]:
        return raw.execute(FIGURES_RAW, params).fetchall(), visit_counts_raw(raw, month, as_of, intervals)

    figure = timing_figure(
        f"month's figures, county, {month} (StatsService.figures)",
        "s",
        program,
        baseline,
        bench.repeat,
        target_max=3.0,
        target_on="ratio",
        baseline_label=(
            "one GROUP BY town_id over requests + the care-visit counts by hand"
            " (plans and visits in raw SQL, domain.visits.occasions), raw sqlite3"
        ),
    )
    # The baseline must give the program's counts, or it is not the same work.
    ours = program()
    names = {t.id: t.name for t in ws.towns.all()}
    rows, visits = baseline()
    theirs = {names.get(r[0], str(r[0])): r for r in rows}
    differences = []
    for name, group in ours.get("by_town", {}).items():
        row = theirs.get(name)
        pair = (row[1], row[2]) if row else (0, 0)
        if (group["received"], group["completed"]) != pair:
            differences.append(f"{name}: {group['received']}/{group['completed']} vs {pair[0]}/{pair[1]}")
    for key, column in (("received", 1), ("completed", 2), ("rated", 3), ("satisfied", 4), ("overdue", 5)):
        total = sum(r[column] or 0 for r in theirs.values())
        if ours.get(key) != total:
            differences.append(f"{key}: {ours.get(key)} vs {total}")
    home_done = ours["home_visits"] - visits[2]
    if (ours["visits_due"], ours["visits_done"]) != visits[:2] or home_done < 0:
        differences.append(f"visits due/done/上门: {ours['visits_due']}/{ours['visits_done']} vs {visits}")
    if differences:
        figure.failed = True
        figure.note = "the GROUP BY gives other counts, baseline wrong: " + "; ".join(differences[:4])
    else:
        figure.note = (
            f"counts equal: received {ours['received']}, completed {ours['completed']}, per town too;"
            f" visits due {visits[0]}, done {visits[1]}, 上门 {visits[2]}"
        )
    return [_checked(bench, figure, program)]


# ------------------------------------------------------------------ the list


def list_figures(bench: InProcess) -> list[Figure]:
    from PySide6.QtCore import QAbstractTableModel, QEventLoop, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QTableView

    from xianghe_desk.domain.queries import RequestFilter, Sort
    from xianghe_desk.ui.models.requests import RequestTableModel

    ws = bench.ctx.ws
    store = ws.requests

    def page() -> list[Any]:
        # What the list model reads: one keyset page of list rows (store/requests.py).
        return list(store.page(RequestFilter(), Sort(), ws.now(), 200))

    with captured(ws.db) as statements:
        page()
    first_page = timing_figure(
        "list: first page through the store",
        "ms",
        page,
        lambda: bench.replay(statements),
        bench.repeat,
        target_max=1.5,
        target_on="ratio",
        baseline_label="the same SQL in raw sqlite3",
    )
    figures = [_checked(bench, first_page, page)]

    columns = 12

    class MinimalModel(QAbstractTableModel):
        def __init__(self, rows: list[Any]) -> None:
            super().__init__()
            self.rows = rows

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
            return 0 if parent.isValid() else len(self.rows)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
            return 0 if parent.isValid() else columns

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self.rows[index.row()][index.column() + 1])
            return None

    views: list[tuple[QTableView, Any]] = []

    def painted(model: Any, load: Callable[[], None]) -> None:
        view = QTableView()
        view.resize(1300, 800)
        view.setModel(model)
        load()
        view.show()
        view.doItemsLayout()
        view.viewport().grab()
        views.append((view, model))

    def program() -> None:
        model = RequestTableModel(bench.ctx)

        def load() -> None:
            # The first block is read by a job (the UI thread does not wait on the database):
            # what the clerk sees is painted once it has arrived.
            model.set_filter(RequestFilter())
            while model.loading():
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

        painted(model, load)

    def baseline() -> None:
        model = MinimalModel(bench.replay(statements))
        painted(model, lambda: None)

    def settle() -> None:
        bench.settle()
        while views:
            view, _model = views.pop()
            view.hide()
            view.deleteLater()

    paint = timing_figure(
        "list: model first paint",
        "ms",
        program,
        baseline,
        bench.repeat,
        settle=settle,
        target_max=2.0,
        target_on="ratio",
        baseline_label="raw rows of the same SQL in a minimal QAbstractTableModel",
    )
    figures.append(_checked(bench, paint, program))
    settle()
    return figures


# ------------------------------------------------------------------ search


def search_terms(bench: InProcess) -> list[tuple[str, str]]:
    """Names fixed by the issue; pinyin initials, a phone tail and a number tail from a real row."""
    assert bench.raw is not None
    total = bench.raw.execute("SELECT count(*) FROM requests").fetchone()[0]
    row = bench.raw.execute(
        "SELECT number, person_phone, person_initials FROM requests"
        " WHERE deleted_at IS NULL AND length(person_phone) >= 7 AND length(person_initials) >= 2"
        " ORDER BY id LIMIT 1 OFFSET ?",
        [total // 2],
    ).fetchone()
    number, phone, initials = row if row else ("", "", "")
    digits = "".join(c for c in phone or "" if c.isdigit())
    terms = [("1-character name", "王"), ("2-character name", "王秀")]
    terms.append(("pinyin initials", (initials or "wxl")[:3]))
    terms.append(("phone tail", digits[-4:] or "5678"))
    terms.append(("work-order number tail", (number or "")[-4:] or "0401"))
    return terms


def search(bench: InProcess) -> list[Figure]:
    from xianghe_desk.domain.queries import RequestFilter, Sort

    service = bench.ctx.requests
    figures = []
    for what, text in search_terms(bench):
        flt = RequestFilter(text=text)

        def program(flt: RequestFilter = flt) -> list[Any]:
            # A new search each time: the store's choice of plan (a capped count) is not kept.
            getattr(bench.ctx.ws.requests, "_walk_cache", {}).clear()
            return list(service.page(flt, Sort(), 200))

        with captured(bench.ctx.ws.db) as statements:
            found = program()
        figure = timing_figure(
            f"search {what} 「{text}」: first page",
            "ms",
            program,
            lambda statements=statements: bench.replay(statements),
            bench.repeat,
            target_max=SEARCH_MS,
            baseline_label="the same SQL in raw sqlite3",
            note=f"{len(found)} rows on the first page",
        )
        figures.append(_checked(bench, figure, program))
    return figures


def page_sql(bench: InProcess, out: Path) -> Path:
    """The list's first-page statement, for the raw scroll baseline (bench_list.py raw)."""
    from xianghe_desk.domain.queries import RequestFilter, Sort

    ws = bench.ctx.ws
    with captured(ws.db) as statements:
        ws.requests.list(RequestFilter(), Sort(), ws.now(), 0, 200)
    sql, params = statements[-1]
    out.write_text(json.dumps({"sql": sql, "params": list(params or [])}, ensure_ascii=False))
    return out


def counts(bench: InProcess) -> dict[str, int]:
    assert bench.raw is not None
    return {
        table: int(bench.raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        for table in ("requests", "residents", "request_events")
    }


def now_text() -> str:
    return datetime.now().isoformat(sep=" ", timespec="seconds")
