"""Python's cycle collector, told what lasts (issue #13).

A full pass of the collector walks every object it tracks while it holds Python's lock. The desk at
county scale tracks a few million (the modules, Qt's wrappers of the window and its pages), and a
pass took 43–102 ms. A pass runs on whichever thread happens to allocate when one is due, often a
reader thread importing the pages' modules or turning rows into objects, and the window stood
still for as long: these were the longest stalls of the benchmark's tour. ``report monthly`` spent
0.1 s in passes and another 0.05 s in the last one while the process ended.

What exists once a process has started (the modules, the window, a page once built) lives as long as
the process. ``settle`` moves it out of the collector's way (``gc.freeze``): later passes walk only
what came after. Objects are still freed by their reference counts as before; only a reference
cycle that was alive when settled and is dropped later stays in memory until the process ends (a
page or a dialog alive at that moment: a few per start, not a growing amount).

Only the program's own processes opt in (``enable``): the desk's start (ui.application.run) and the
command line run as a process (cli.main without arguments). A test process builds and drops
hundreds of windows, and settling there would keep each dropped window's cycles forever.
"""

from __future__ import annotations

import gc

_enabled = False


def enable() -> None:
    """This process settles what it has made at the points the program chooses, starting now."""
    global _enabled
    _enabled = True
    settle()


def enabled() -> bool:
    return _enabled


def settle() -> None:
    """Everything alive now lasts: the collector's passes stop walking it (only once enabled).
    Costs next to nothing (the collector's lists are moved, not walked)."""
    if _enabled:
        gc.freeze()
