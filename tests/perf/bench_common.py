"""Shared parts of tests/perf/bench.py (issue #13): figures, paired timing, child processes, memory.

Nothing here imports Qt or xianghe_desk, so the child scripts can import it before they decide
what to load (import time is part of what some of them measure).
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RESULT_MARK = "BENCH-RESULT "
DEMO_USER = "admin"
DEMO_PASSWORD = "xianghe-demo"  # services/accounts.DEMO_PASSWORD, printed in the README


@dataclass
class Figure:
    """One line of the table and one record of the JSON.

    ``target_max`` applies to ``value`` or, with ``target_on="ratio"``, to value ÷ baseline.
    Without a target the figure is information only (``pass`` is None). ``value`` None means it
    could not be measured; ``note`` says why, and the figure never passes.
    """

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    target_max: float | None = None
    target_on: str = "value"  # value | ratio
    baseline_label: str = ""
    note: str = ""
    failed: bool = False  # e.g. the baseline does not give the same answer
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    detail: Any = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def target(self) -> str:
        if self.target_max is None:
            return ""
        if self.target_on == "ratio":
            return f"≤ {self.target_max:g}×"
        return f"≤ {self.target_max:g} {self.unit}"

    @property
    def passed(self) -> bool | None:
        if self.target_max is None:
            return False if (self.failed or self.value is None) and self.note else None
        if self.failed or self.value is None:
            return False
        measured = self.ratio if self.target_on == "ratio" else self.value
        return measured is not None and measured <= self.target_max

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "name": self.name,
            "value": _round(self.value),
            "unit": self.unit,
            "baseline": _round(self.baseline),
            "ratio": _round(self.ratio),
            "target": self.target or None,
            "pass": self.passed,
        }
        if self.target_max is not None:
            record["target_max"] = self.target_max
            record["target_on"] = self.target_on
        if self.baseline_label:
            record["baseline_is"] = self.baseline_label
        if self.note:
            record["note"] = self.note
        if self.samples:
            record["samples"] = [_round(s) for s in self.samples]
        if self.baseline_samples:
            record["baseline_samples"] = [_round(s) for s in self.baseline_samples]
        if self.detail is not None:
            record["detail"] = self.detail
        return record


def missing(
    name: str, unit: str, note: str, target_max: float | None = None, target_on: str = "value"
) -> Figure:
    """A figure that could not be measured: no number, never a pass."""
    return Figure(name, None, unit, target_max=target_max, target_on=target_on, note=note, failed=True)


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    if value == 0 or abs(value) >= 100:
        return round(value, 1)
    return float(f"{value:.3g}")


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


# ------------------------------------------------------------------ timing


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call takes (after a collection, so that an earlier run's garbage is not billed)."""
    gc.collect()
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def alternate(
    program: Callable[[], T],
    baseline: Callable[[], T] | None,
    repeat: int,
    warmup: bool = True,
    settle: Callable[[], None] | None = None,
) -> tuple[list[T], list[T]]:
    """Run program and baseline in turn ``repeat`` times each, swapping which goes first every round,
    so that caches and a busy neighbour cost both the same. Each callable returns its own measurement;
    ``settle`` runs (untimed) before each, e.g. to wait for the jobs a program call started."""
    settle = settle or (lambda: None)
    if warmup:
        settle()
        program()
        if baseline is not None:
            settle()
            baseline()
    ours: list[T] = []
    theirs: list[T] = []
    for round_number in range(repeat):
        pairs: list[tuple[Callable[[], T], list[T]]] = [(program, ours)]
        if baseline is not None:
            pairs.append((baseline, theirs))
        if round_number % 2:
            pairs.reverse()
        for func, into in pairs:
            settle()
            into.append(func())
    settle()
    return ours, theirs


def timing_figure(
    name: str,
    unit: str,
    program: Callable[[], Any],
    baseline: Callable[[], Any] | None,
    repeat: int,
    settle: Callable[[], None] | None = None,
    **kwargs: Any,
) -> Figure:
    """Median wall time of ``program`` next to ``baseline``, both in-process, alternated."""
    scale = {"s": 1.0, "ms": 1000.0}[unit]
    ours, theirs = alternate(
        lambda: timed(program)[0] * scale,
        (lambda: timed(baseline)[0] * scale) if baseline is not None else None,
        repeat,
        settle=settle,
    )
    return Figure(
        name,
        median(ours),
        unit,
        median(theirs),
        samples=ours,
        baseline_samples=theirs,
        **kwargs,
    )


# ------------------------------------------------------------------ memory


def proc_status_mb(key: str = "VmRSS") -> float | None:
    """VmRSS (now) or VmHWM (peak) of this process in MB, from /proc (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ------------------------------------------------------------------ child processes


@dataclass
class ChildRun:
    returncode: int
    stdout: str
    stderr: str
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    max_rss_mb: float
    timed_out: bool = False

    def result(self) -> dict[str, Any]:
        """The JSON line the child printed after RESULT_MARK (empty if none)."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith(RESULT_MARK):
                return dict(json.loads(line[len(RESULT_MARK) :]))
        return {}

    def why(self) -> str:
        """A short reason for a failed run, for a figure's note."""
        if self.timed_out:
            return "timed out"
        tail = (self.stderr.strip().splitlines() or ["no output"])[-1]
        return f"exit {self.returncode}: {tail[:200]}"


# A small process between the bench and each child. ru_maxrss keeps the peak of the memory a process
# had before exec too, and a child forked (or vforked) straight from the bench, which holds Qt and
# a database, would report the bench's own peak: forked from this launcher, a child starts small.
_LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"wall": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss_kb": usage.ru_maxrss, "status": status}, f)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def run_child(
    args: Sequence[str], env: dict[str, str] | None = None, timeout: float = 600, cwd: Path | None = None
) -> ChildRun:
    """Run a child to its end and read its own wall time, CPU time and peak memory (os.wait4 on
    that child alone, where RUSAGE_CHILDREN would mix in every earlier one)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory() as folder,
    ):
        usage_file = Path(folder) / "usage.json"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(usage_file), *args]
        started = time.perf_counter()
        process = subprocess.Popen(launcher, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        usage = json.loads(usage_file.read_text()) if usage_file.exists() else {}
        out.seek(0)
        err.seek(0)
        return ChildRun(
            returncode=process.returncode,
            stdout=out.read(),
            stderr=err.read(),
            wall=usage.get("wall", wall),
            cpu=usage.get("cpu", 0.0),
            max_rss_mb=usage.get("maxrss_kb", 0) / 1024,  # KB on Linux
            timed_out=expired.is_set(),
        )


def child_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every child: offscreen Qt, signed in as the demo administrator, and
    settings, logs and data folders of its own (a clerk's saved window or filters must not change
    what is measured, and the bench must not touch a real user's files)."""
    env = dict(os.environ)
    # With it every start compiles the package again (desk imports 3.9 s instead of 1.0–1.6 s);
    # an installed or frozen desk has its bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XIANGHE_USER"] = DEMO_USER
    env["XIANGHE_PASSWORD"] = DEMO_PASSWORD
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def isolate_this_process(home: Path) -> None:
    """The bench process itself: the same private folders and offscreen Qt (call before Qt loads)."""
    os.environ.update({k: v for k, v in child_env(home).items() if k.startswith(("XDG_", "QT_QPA"))})


def emit(result: dict[str, Any]) -> None:
    """A child's answer to bench.py: one JSON line after RESULT_MARK."""
    sys.stdout.write(RESULT_MARK + json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ profiles


def profile_text(profiler: cProfile.Profile | str, limit: int = 40) -> str:
    """The top of a cProfile run (or of a saved one) by cumulative and by own time, for the report."""
    lines = []
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats(order).print_stats(limit)
        lines.append(f"==== by {order} ====\n" + _trim_pstats(buffer.getvalue()))
    return "\n".join(lines)


def maybe_profile() -> cProfile.Profile | None:
    """A running profiler when the parent asked for one (XIANGHE_BENCH_PROFILE=FILE), else None."""
    if not os.environ.get("XIANGHE_BENCH_PROFILE"):
        return None
    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def dump_profile(profiler: cProfile.Profile | None) -> None:
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["XIANGHE_BENCH_PROFILE"])


def profile_file_text(path: Path, limit: int = 40) -> str:
    return profile_text(str(path), limit)


def _trim_pstats(text: str) -> str:
    """The table only, with paths short: xianghe_desk/… for ours, ~/package/… for libraries."""
    keep = []
    started = False
    stdlib = sysconfig.get_paths()["stdlib"] + os.sep
    prefixes = sorted(
        {str(REPO) + os.sep, stdlib, *(p + os.sep for p in sys.path if "-packages" in p)}, key=len
    )
    for line in text.splitlines():
        if line.strip().startswith("ncalls"):
            started = True
        if not started:
            continue
        for prefix in reversed(prefixes):
            line = line.replace(prefix, "~/" if "-packages" in prefix else "")
        keep.append(line.rstrip())
    return "\n".join(keep)


# ------------------------------------------------------------------ output


def print_table(figures: list[Figure], meta: dict[str, Any]) -> None:
    m = meta["machine"]
    print()
    print(f"xianghe-desk benchmark (issue #13) — scale {meta['scale']}: {meta['counts']}")
    print(
        f"machine: {m['nproc']} × {m['cpu']}; Python {m['python']}, PySide6 {m['pyside6']}, SQLite {m['sqlite']}"
    )
    print(f"load average before: {m['load_before']}; database: {meta['db']}")
    header = f"{'figure':<72} {'value':>11} {'baseline':>11} {'ratio':>8} {'target':>10} {'pass':>5}"
    print(header)
    print("-" * len(header))
    for f in figures:
        value = (
            "—"
            if f.value is None
            else f"{f.value:,.3g} {f.unit}"
            if f.value < 1000
            else f"{f.value:,.0f} {f.unit}"
        )
        base = (
            ""
            if f.baseline is None
            else f"{f.baseline:,.3g} {f.unit}"
            if f.baseline < 1000
            else f"{f.baseline:,.0f} {f.unit}"
        )
        ratio = "" if f.ratio is None else f"{f.ratio:,.1f}×"
        verdict = {True: "yes", False: "NO", None: ""}[f.passed]
        print(f"{f.name[:72]:<72} {value:>11} {base:>11} {ratio:>8} {f.target:>10} {verdict:>5}")
        if f.note:
            print(f"{'':4}{f.note}")
    print()


def print_stalls(figures: list[Figure]) -> None:
    for f in figures:
        if not f.name.startswith("desk: longest UI-thread stall") or not f.detail:
            continue
        print("UI-thread stalls over 50 ms (longest first), with where the UI thread was:")
        for stall in f.detail:
            where = stall.get("where", {})
            frames = where.get("program_frames") or [where.get("note", "")]
            print(f"  {stall['ms']:>7.0f} ms  {stall['during']}")
            for frame in frames[:2]:
                print(f"{'':14}{frame}")
        print()
