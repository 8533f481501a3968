"""Child process of bench.py: one start of the desk (or of a bare Qt window), and the watchdog tour.

    python tests/perf/bench_desk.py bare
    python tests/perf/bench_desk.py start DB
    python tests/perf/bench_desk.py tour DB
    python tests/perf/bench_desk.py bare-tour

``start`` runs the real entry point (``xianghe_desk.cli.main(["--db", DB])``, signed in from
XIANGHE_USER/XIANGHE_PASSWORD) and reports, counted from the moment the QApplication is made:
the main window's first paint and the moment the dashboard's tiles show this month's figures (the
"dashboard" read job; the 12-month chart and the visit tiles follow in "dashboard-series"). ``bare`` does
the same for a QApplication + QMainWindow + QTableView. ``tour`` starts the desk with a watchdog
and then switches every page, filters the request list and types searches; it reports every
stall of the UI thread over 50 ms with where the UI thread was (sampled from another thread).

The hooks are read-only wrappers installed from outside (no program code changes):
``ui.application.make_app`` (the QApplication moment), an application event filter (first paint
of the MainWindow) and ``DeskContext.read`` (the dashboard's job for this month's figures, named
"dashboard", delivering its result to the tiles). XIANGHE_BENCH_PROFILE=FILE writes a cProfile of the UI thread from the
QApplication to the figures; XIANGHE_BENCH_T0 (time.time() of the launch) adds process-start times.
"""

from __future__ import annotations

import cProfile
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import emit, proc_status_mb

STALL_MS = 50.0
TICK_MS = 5
SETTLE_MS = 400
START_TIMEOUT_S = float(os.environ.get("XIANGHE_BENCH_START_TIMEOUT", "120"))
TOUR_DEADLINE_S = float(os.environ.get("XIANGHE_BENCH_TOUR_DEADLINE", "900"))
STEP_WAIT_S = 60.0  # at most, for a step's jobs to finish

marks: dict[str, float] = {}
launched = float(os.environ.get("XIANGHE_BENCH_T0", "0") or 0)
profile_path = os.environ.get("XIANGHE_BENCH_PROFILE", "")
profiler: cProfile.Profile | None = None


def mark(name: str) -> None:
    if name not in marks:
        marks[name] = time.perf_counter()
        marks[name + "@wall"] = time.time()


def report_and_exit(extra: dict[str, Any] | None = None, code: int = 0) -> None:
    """Print the result and leave at once: a normal close would run the closing backup."""
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile_path)
    qapp = marks.get("qapp")
    result: dict[str, Any] = {"rss_mb": proc_status_mb("VmRSS"), "hwm_mb": proc_status_mb("VmHWM")}
    for name in ("shown", "figures"):
        if qapp is not None and name in marks:
            result[name + "_s"] = marks[name] - qapp
            if launched:
                result[name + "_from_launch_s"] = marks[name + "@wall"] - launched
    result.update(extra or {})
    emit(result)
    sys.stderr.flush()
    os._exit(code)


# ------------------------------------------------------------------ the watchdog


class Watchdog:
    """Finds UI-thread stalls: a 5 ms QTimer on the UI thread stamps ``last_tick``; a plain thread
    notices when the stamp gets old and samples the UI thread's Python stack meanwhile."""

    def __init__(self) -> None:
        from PySide6.QtCore import QObject, Qt, QTimer

        self.owner = QObject()
        self.timer = QTimer(self.owner)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.label = "start: after the window is shown"
        self.last_tick = 0.0
        self.stalls: list[dict[str, Any]] = []
        self._samples: list[tuple[str, ...]] = []
        self._lock = threading.Lock()
        self._main_id = threading.main_thread().ident
        self._running = False

    def start(self) -> None:
        self.last_tick = time.perf_counter()
        self._first = True
        self.timer.start()
        self._running = True
        threading.Thread(target=self._sampler, name="bench-watchdog", daemon=True).start()

    def stop(self) -> None:
        self._running = False
        self.timer.stop()

    def _on_tick(self) -> None:
        now = time.perf_counter()
        gap_ms = (now - self.last_tick) * 1000 - TICK_MS
        with self._lock:
            samples, self._samples = self._samples, []
            self.last_tick = now
        if self._first:
            # The first tick comes when the event loop starts: before it the window was being
            # built, which the start figures measure; stalls are counted from here on.
            self._first = False
            return
        if gap_ms > STALL_MS:
            self.stalls.append({"ms": round(gap_ms, 1), "during": self.label, "where": summarise(samples)})

    def _sampler(self) -> None:
        frames = sys._current_frames
        while self._running:
            time.sleep(0.005)
            lag = time.perf_counter() - self.last_tick
            if lag * 1000 < STALL_MS * 0.6:
                continue
            frame = frames().get(self._main_id)  # type: ignore[arg-type]
            if frame is None:
                continue
            stack = tuple(_stack(frame))
            with self._lock:
                self._samples.append(stack)

    def longest(self) -> float:
        return max((s["ms"] for s in self.stalls), default=0.0)


def _stack(frame: Any) -> Iterator[str]:
    """The UI thread's stack, innermost first, as 'module.py:line function'."""
    while frame is not None:
        code = frame.f_code
        path = code.co_filename.replace("\\", "/")
        short = path.split("/xianghe_desk/", 1)[-1] if "/xianghe_desk/" in path else path.rsplit("/", 1)[-1]
        own = "/xianghe_desk/" in path
        yield f"{'' if own else '~'}{short}:{frame.f_lineno} {code.co_name}"
        frame = frame.f_back


def summarise(samples: list[tuple[str, ...]]) -> dict[str, Any]:
    """Where a stall was spent: the program's innermost frames most often seen, with one full stack."""
    if not samples:
        return {
            "samples": 0,
            "note": "no Python frame sampled (time spent in Qt or SQLite with the GIL held)",
        }
    own_tops: Counter[str] = Counter()
    for stack in samples:
        own = [f for f in stack if not f.startswith("~")]
        own_tops[" < ".join(own[:3]) if own else stack[0]] += 1
    typical = max(samples, key=len)
    return {
        "samples": len(samples),
        "program_frames": [f"{count}× {where}" for where, count in own_tops.most_common(4)],
        "innermost": list(samples[-1][:4]),
        "stack": [f for f in typical if not f.startswith("~")][:14],
    }


# ------------------------------------------------------------------ hooks


def install_hooks(on_figures: Callable[[], None]) -> None:
    """Wrap make_app (the QApplication moment and the paint filter) and DeskContext.read (the
    dashboard's tiles getting this month's figures). Importing these two modules here moves no cost out of the
    measured span: ui.application.run imports them before it makes the QApplication."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    import xianghe_desk.ui.application as application
    from xianghe_desk.ui.context import DeskContext

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if (
                "shown" not in marks
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and type(watched.window()).__name__ == "MainWindow"
            ):
                mark("shown")
                # Off once it has seen the paint: a Python filter on every event of the application
                # would add its own cost to every page switch the tour measures.
                app = QApplication.instance()
                if app is not None:
                    app.removeEventFilter(self)
                if tour_mode:
                    global watchdog
                    watchdog = Watchdog()
                    watchdog.start()
            return False

    original_make_app = application.make_app
    paint_filter = FirstPaint()

    def make_app(argv: list[str] | None = None) -> Any:
        global profiler
        mark("qapp")
        if profile_path:
            profiler = cProfile.Profile()
            profiler.enable()
        app = original_make_app(argv)
        app.installEventFilter(paint_filter)
        paint_filter.setParent(app)
        return app

    application.make_app = make_app
    original_read = DeskContext.read

    def read(self: Any, work: Any, on_finished: Any = None, on_failed: Any = None, name: str = "") -> Any:
        if name == "dashboard" and on_finished is not None:
            inner = on_finished

            def finished(result: Any) -> None:
                inner(result)
                if "figures" not in marks:
                    mark("figures")
                    on_figures()

            on_finished = finished
        return original_read(self, work, on_finished, on_failed, name)

    DeskContext.read = read  # type: ignore[method-assign]


watchdog: Watchdog | None = None
tour_mode = False


# ------------------------------------------------------------------ the tour


def main_window() -> Any:
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ == "MainWindow":
            return widget
    return None


def tour_steps(window: Any) -> Iterator[tuple[str, Callable[[], None], int]]:
    """(label, action, ms to wait at least) for each step; the tour waits for the job pools too."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for key in list(window.pages):
        yield f"switch to page {key}", (lambda k=key: window.show_page(k)), SETTLE_MS
    for key in list(window.pages):
        yield f"switch again to page {key}", (lambda k=key: window.show_page(k)), SETTLE_MS

    page = window.show_page("requests")
    bar = getattr(page, "filter_bar", None)
    if bar is not None:
        for attr, label, action in (
            ("status_combo", "filter: status", lambda w: w.setCurrentIndex(min(1, w.count() - 1))),
            ("town_combo", "filter: town", lambda w: w.setCurrentIndex(min(1, w.count() - 1))),
            ("village_combo", "filter: village", lambda w: w.setCurrentIndex(min(1, w.count() - 1))),
            ("overdue_check", "filter: overdue only", lambda w: w.setChecked(True)),
            ("clear_button", "filter: clear", lambda w: w.click()),
            ("category_combo", "filter: category", lambda w: w.setCurrentIndex(min(1, w.count() - 1))),
            ("clear_button", "filter: clear again", lambda w: w.click()),
        ):
            widget = getattr(bar, attr, None)
            if widget is not None:
                yield label, (lambda w=widget, a=action: a(w)), SETTLE_MS
    search = getattr(page, "search", None)
    if search is None:
        return

    def commit(text: str) -> None:
        # A clerk's input method commits Chinese text (STYLE §7: not keyClicks).
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(search, event)

    def clear() -> None:
        search.clear()
        flush = getattr(search, "flush", None)
        if callable(flush):
            flush()

    yield "search: focus", lambda: (search.setFocus(), search.selectAll()), 100
    # Typed without a pause (one search for 「王秀」), then with one (「王」 is searched alone).
    for typed in ("王", "秀"):
        yield f"search: type 「{typed}」", (lambda t=typed: commit(t)), 150
    yield "search: results for 「王秀」", lambda: None, SETTLE_MS
    yield "search: clear", clear, SETTLE_MS
    yield "search: type 「王」 and pause", lambda: commit("王"), SETTLE_MS
    yield "search: type 「秀」 after the pause", lambda: commit("秀"), SETTLE_MS
    yield "search: clear again", clear, SETTLE_MS
    for keys, what in (("wxl", "pinyin initials"), ("1381", "phone digits"), ("0401", "number tail")):
        for char in keys:
            yield f"search: type {what} 「{char}」", (lambda c=char: QTest.keyClick(search, c)), 120
        yield f"search: results for {what} 「{keys}」", lambda: None, SETTLE_MS
        yield f"search: clear {what}", clear, SETTLE_MS
    yield "search: Enter", lambda: QTest.keyClick(search, Qt.Key.Key_Return), SETTLE_MS


def run_tour(dog: Watchdog) -> None:
    from PySide6.QtCore import QTimer

    window = main_window()
    if window is None:
        report_and_exit({"error": "no MainWindow found"}, 1)
    pools = [getattr(window.ctx.runner, "reader", None), getattr(window.ctx.runner, "writer", None)]
    steps = tour_steps(window)
    state: dict[str, Any] = {"since": 0.0, "min_ms": 0, "done": [], "began": time.perf_counter()}

    def idle() -> bool:
        return all(p is None or p.activeThreadCount() == 0 for p in pools)

    def finish(cut_short: bool) -> None:
        dog.stop()
        result = {
            "longest_stall_ms": dog.longest(),
            "stalls": sorted(dog.stalls, key=lambda s: -s["ms"]),
            "steps": state["done"],
        }
        if cut_short:
            result["cut_short"] = f"the tour stopped after {TOUR_DEADLINE_S:.0f} s"
        report_and_exit(result)

    def next_step() -> None:
        elapsed = (time.perf_counter() - state["since"]) * 1000
        if elapsed < state["min_ms"] or not idle():
            if elapsed < STEP_WAIT_S * 1000:
                QTimer.singleShot(20, next_step)
                return
            state["done"].append(f"{dog.label}: jobs still running after {STEP_WAIT_S:.0f} s")
        if time.perf_counter() - state["began"] > TOUR_DEADLINE_S:
            finish(cut_short=True)
            return
        try:
            label, action, wait_ms = next(steps)
        except StopIteration:
            finish(cut_short=False)
            return
        dog.label = label
        state["done"].append(label)
        try:
            action()
        except Exception as exc:  # a page that changed: say so, keep touring
            state["done"].append(f"{label} failed: {type(exc).__name__}: {exc}")
        state["since"] = time.perf_counter()
        state["min_ms"] = wait_ms
        QTimer.singleShot(20, next_step)

    dog.label = "after the figures"
    state["since"] = time.perf_counter()
    state["min_ms"] = SETTLE_MS
    QTimer.singleShot(20, next_step)


# ------------------------------------------------------------------ modes


def bare() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView, QWidget

    mark("qapp")
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QTableView(window))
    window.resize(1400, 860)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and watched.window() is window
            ):
                if "shown" not in marks:
                    mark("shown")
                    QTimer.singleShot(0, lambda: report_and_exit())
            return False

    watcher = FirstPaint(app)
    app.installEventFilter(watcher)
    window.show()
    app.exec()


def bare_tour() -> None:
    """The tour's baseline: what bare Qt costs for the same kinds of step, watched by the same
    watchdog: a page of widgets (a filter bar of combo boxes, a search box, a table) built and
    shown, and a list of 12 columns reset to its first 200 rows and then, 30 ms later, grown to a
    million (the count arriving), as the request list does at every filter."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
    from PySide6.QtWidgets import (
        QApplication,
        QComboBox,
        QHBoxLayout,
        QLabel,
        QLineEdit,
        QMainWindow,
        QStackedWidget,
        QTableView,
        QVBoxLayout,
        QWidget,
    )

    app = QApplication(sys.argv[:1])

    class Rows(QAbstractTableModel):
        def __init__(self) -> None:
            super().__init__()
            self.count = 200
            self.shift = 0

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
            return 0 if parent.isValid() else self.count

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
            return 0 if parent.isValid() else 12

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"工单{index.row() + self.shift:07d}·{index.column()}"
            return None

        def reset_to(self, count: int) -> None:
            self.beginResetModel()
            self.count, self.shift = count, self.shift + 7
            self.endResetModel()

        def grow(self, count: int) -> None:
            self.beginInsertRows(QModelIndex(), self.count, count - 1)
            self.count = count
            self.endInsertRows()

    window = QMainWindow()
    stack = QStackedWidget()
    window.setCentralWidget(stack)
    window.resize(1366, 768)
    models: list[Rows] = []

    def new_page() -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        bar = QHBoxLayout()
        for n in range(6):
            bar.addWidget(QLabel(f"条件{n}"))
            combo = QComboBox()
            combo.addItems([f"选项{i}" for i in range(30)])
            bar.addWidget(combo)
        bar.addWidget(QLineEdit())
        column.addLayout(bar)
        model = Rows()
        models.append(model)
        table = QTableView()
        table.setModel(model)
        column.addWidget(table, 1)
        column.addWidget(QLabel("共 1,000,000 张"))
        stack.addWidget(page)
        stack.setCurrentWidget(page)

    def filtered() -> None:
        models[-1].reset_to(200)
        QTimer.singleShot(30, lambda: models[-1].grow(1_000_000))

    steps = iter(
        [("bare: switch to a new page", new_page)] * 8 + [("bare: filter the list", filtered)] * 12
    )
    dog = Watchdog()

    def next_step() -> None:
        try:
            label, action = next(steps)
        except StopIteration:
            dog.stop()
            report_and_exit({"longest_stall_ms": dog.longest(), "stalls": sorted(dog.stalls, key=lambda s: -s["ms"])})
            return
        dog.label = label
        action()
        QTimer.singleShot(SETTLE_MS, next_step)

    window.show()
    dog.start()
    QTimer.singleShot(SETTLE_MS, next_step)
    app.exec()


def desk(db: str, tour: bool) -> None:
    from PySide6.QtCore import QTimer

    global tour_mode
    tour_mode = tour

    def on_figures() -> None:
        # The figures may arrive before the first paint has been delivered: wait for both.
        if "shown" not in marks:
            QTimer.singleShot(5, on_figures)
            return
        if not tour:
            QTimer.singleShot(0, lambda: report_and_exit())
            return
        assert watchdog is not None
        QTimer.singleShot(0, lambda: run_tour(watchdog))

    install_hooks(on_figures)

    def give_up() -> None:
        time.sleep(START_TIMEOUT_S)
        if "figures" not in marks:
            extra: dict[str, Any] = {"error": f"no dashboard figures within {START_TIMEOUT_S:.0f} s"}
            if watchdog is not None:
                extra["stalls"] = watchdog.stalls
            report_and_exit(extra, 3)

    threading.Thread(target=give_up, daemon=True).start()
    from xianghe_desk.cli import main

    code = main(["--db", db])
    report_and_exit({"error": f"the desk closed by itself (exit {code})"}, 2)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        bare()
    elif mode == "bare-tour":
        bare_tour()
    elif mode in ("start", "tour"):
        desk(sys.argv[2], tour=mode == "tour")
    else:
        raise SystemExit(f"unknown mode {mode}")
