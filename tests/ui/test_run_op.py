"""run_op: the desk runs operations as the signed-in clerk and tells the views what changed (issue #9)."""

from __future__ import annotations

from xianghe_desk.domain.access import Permission
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.operations.base import Op, operation
from xianghe_desk.operations.people import add_resident
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.ui import operations as ui_operations
from xianghe_desk.ui.operations import run_op


def _village_of(ctx, user: str) -> int:
    return next(iter(ctx.ws.users.by_name(user).village_ids))


def test_a_finished_operation_emits_its_changes(qtbot, ctx) -> None:
    done: list[object] = []
    with qtbot.wait_signal(ctx.events.residents_changed, timeout=2000):
        run_op(ctx, None, add_resident, ResidentDraft("冯玉兰", _village_of(ctx, "cun")), on_done=done.append)
    assert done and ctx.residents.get(done[0].id).name == "冯玉兰"


def test_a_refusal_is_shown_and_nothing_changes(qtbot, ctx, monkeypatch) -> None:
    ctx.sign_in("lingdao", DEMO_PASSWORD)
    shown: list[tuple[str, bool]] = []
    monkeypatch.setattr(ui_operations, "show_job_failure", lambda parent, message, is_bug: shown.append((message, is_bug)))
    before = ctx.residents.count()
    run_op(ctx, None, add_resident, ResidentDraft("冯玉兰", _village_of(ctx, "cun")))
    assert shown and "领导查看" in shown[0][0] and shown[0][1] is False
    assert ctx.residents.count() == before


def test_jobs_act_as_the_signed_in_clerk(qtbot, ctx) -> None:
    ctx.sign_in("cun", DEMO_PASSWORD)
    seen: list[str] = []

    @operation("test.whoami", "测试", Permission.READ)
    def whoami(op: Op) -> str:
        return op.who.name

    run_op(ctx, None, whoami, on_done=seen.append)
    assert seen == ["cun"]


def test_progress_and_cancel(qtbot, ctx) -> None:
    from xianghe_desk.jobs.runner import JobCancelledError

    reports: list[tuple[int, int]] = []

    @operation("test.long", "测试长操作", Permission.READ)
    def long_op(op: Op, progress) -> None:  # type: ignore[no-untyped-def]
        progress.report(1, 2)
        reports.append((1, 2))
        raise JobCancelledError

    job = run_op(ctx, None, long_op, progress="正在测试……")
    assert reports == [(1, 2)] and job.cancel_event is not None
