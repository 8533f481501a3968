"""Planning an import runs the garbage collector less often, and puts its thresholds back."""

from __future__ import annotations

import gc

from xianghe_desk.services.imports import _fewer_collections


def test_thresholds_raised_while_planning_and_put_back() -> None:
    before = gc.get_threshold()
    with _fewer_collections():
        raised = gc.get_threshold()
        assert raised[0] >= 10_000
        with _fewer_collections():  # two imports at once
            assert gc.get_threshold() == raised
        assert gc.get_threshold() == raised
    assert gc.get_threshold() == before


def test_thresholds_put_back_after_an_error() -> None:
    before = gc.get_threshold()
    try:
        with _fewer_collections():
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
