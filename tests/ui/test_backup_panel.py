"""设置 → 备份与恢复 (issue #10): the list with counts, 立即备份, the second folder, restoring with
both sides shown (twice asked for a large drop), who may restore, and the automatic backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from xianghe_desk.domain.access import Permission
from xianghe_desk.services import backups
from xianghe_desk.services.backups import BackupService, RestorePlan
from xianghe_desk.store.integrity import inspect_database
from xianghe_desk.ui.auto_backup import AutoBackup
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.pages import backup_panel
from xianghe_desk.ui.pages.backup_panel import BackupPanel


@pytest.fixture
def panel(qtbot, ctx: DeskContext) -> BackupPanel:  # type: ignore[no-untyped-def]
    widget = BackupPanel(ctx)
    qtbot.add_widget(widget)
    return widget


def _cells(panel: BackupPanel, row: int) -> list[str]:
    return [panel.table.item(row, c).text() for c in range(panel.table.columnCount())]


def test_back_up_now_lists_the_verified_copy_with_its_counts(panel: BackupPanel, ctx: DeskContext) -> None:
    assert panel.table.rowCount() == 0 and not panel.empty_label.isHidden()
    panel.backup_button.click()
    assert panel.table.rowCount() == 1
    _when, kind, _size, towns, residents, requests, check, folder = _cells(panel, 0)
    live = inspect_database(ctx.db_path, check="none")
    assert (towns, residents, requests) == (f"{live.towns:,}", f"{live.residents:,}", f"{live.requests:,}")
    assert kind == "手动备份" and check == "已验证" and folder == str(BackupService(ctx.ws).default_folder())
    assert "已读回检查" in panel.message.text()


def test_the_second_folder_is_chosen_and_its_state_shown(
    panel: BackupPanel, ctx: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "usb"
    monkeypatch.setattr(backup_panel, "choose_folder", lambda _parent, _current: stick)
    panel.folder_button.click()
    assert "找不到" in panel.extra_label.text()  # not plugged in yet: said, not refused
    stick.mkdir()
    panel.refresh()
    assert "可以写入" in panel.extra_label.text()
    panel.backup_button.click()
    assert {Path(panel.table.item(r, 7).text()) for r in range(panel.table.rowCount())} == {
        BackupService(ctx.ws).default_folder(),
        stick,
    }
    panel.clear_folder_button.click()
    assert "未设置" in panel.extra_label.text()


def test_a_clerk_who_may_not_restore_sees_why(qtbot, ctx: DeskContext) -> None:  # type: ignore[no-untyped-def]
    ctx.sign_in("zhen", "xianghe-demo")
    assert not ctx.who.may(Permission.RESTORE)
    widget = BackupPanel(ctx)
    qtbot.add_widget(widget)
    widget.backup_button.click()
    widget.table.selectRow(0)
    assert not widget.restore_button.isEnabled() and not widget.restore_file_button.isEnabled()
    assert "镇级文员不能恢复备份" in widget.restore_button.toolTip()
    assert not widget.folder_button.isEnabled() and "不能修改设置" in widget.folder_button.toolTip()
    assert widget.backup_button.isEnabled()


def _asked(monkeypatch: pytest.MonkeyPatch, first: bool, second: bool) -> dict[str, list[object]]:
    calls: dict[str, list[object]] = {"first": [], "second": [], "restart": []}

    def confirm(_parent: object, plan: RestorePlan) -> bool:
        calls["first"].append(plan)
        return first

    def confirm_drop(_parent: object, plan: RestorePlan) -> bool:
        calls["second"].append(plan)
        return second

    monkeypatch.setattr(backup_panel, "confirm_restore", confirm)
    monkeypatch.setattr(backup_panel, "confirm_large_drop", confirm_drop)
    monkeypatch.setattr(
        backup_panel, "announce_restart", lambda _parent, result: calls["restart"].append(result)
    )
    monkeypatch.setattr(backup_panel, "restart_desk", lambda _widget: calls["restart"].append("restart"))
    return calls


def test_restore_shows_both_sides_asks_and_restarts_the_desk(
    panel: BackupPanel, ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.backup_button.click()
    calls = _asked(monkeypatch, first=True, second=True)
    panel.table.selectRow(0)
    panel.restore_button.click()
    (plan,) = calls["first"]
    assert isinstance(plan, RestorePlan) and not plan.large_drop and calls["second"] == []
    assert "现在的数据库" in backup_panel.comparison_html(plan)
    assert calls["restart"][-1] == "restart"
    result = calls["restart"][0]
    assert result.safety is not None and result.safety.exists()  # type: ignore[union-attr]


def test_a_large_drop_asks_twice_and_no_keeps_everything(
    panel: BackupPanel, ctx: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.backup_button.click()
    (backup,) = [e.path for e in panel.entries]
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE requests SET deleted_at = '2026-01-01' WHERE id % 2 = 0")
    conn.commit()
    conn.close()
    before = inspect_database(ctx.db_path, check="none").requests
    calls = _asked(monkeypatch, first=True, second=False)
    panel.table.selectRow(0)
    panel.restore_button.click()
    assert len(calls["first"]) == 1 and len(calls["second"]) == 1 and calls["restart"] == []
    assert inspect_database(ctx.db_path, check="none").requests == before
    assert "没有恢复" in panel.message.text()

    calls = _asked(monkeypatch, first=True, second=True)
    panel.restore_button.click()
    assert calls["restart"][-1] == "restart"
    assert inspect_database(ctx.db_path, check="none").requests < before


def test_a_broken_file_is_refused_with_its_reason(
    panel: BackupPanel, ctx: DeskContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    half = tmp_path / "half.db"
    half.write_bytes(ctx.db_path.read_bytes()[:50_000])
    calls = _asked(monkeypatch, first=True, second=True)
    monkeypatch.setattr(backup_panel, "choose_backup_file", lambda _parent: half)
    panel.restore_file_button.click()
    assert calls["first"] == [] and "不能用来恢复" in panel.message.text()


def test_automatic_backups_daily_and_on_closing(qtbot, ctx: DeskContext, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    auto = AutoBackup(ctx, start=False)
    auto.status_message.connect(messages.append)
    auto.check()
    assert len(messages) == 1 and "已备份数据库" in messages[0]
    auto.check()  # the same day: not again
    assert len(messages) == 1
    service = BackupService(ctx.ws)
    service.set_extra_folder(tmp_path / "usb-not-plugged-in")
    auto.on_close()
    assert "正在自动备份" in messages[1] and "U盘" in messages[2]
    autos = [p for p in service.default_folder().iterdir() if backups.KIND_AUTO in p.name]
    assert len(autos) == 1  # the rotation keeps the newest of the day


def test_closing_the_desk_backs_up_and_the_settings_page_has_the_panel(qtbot, ctx: DeskContext) -> None:  # type: ignore[no-untyped-def]
    from xianghe_desk.ui.main_window import MainWindow

    window = MainWindow(ctx.db_path, ctx=ctx)
    qtbot.add_widget(window)
    window.auto_backup = AutoBackup(ctx, window, start=False)  # type: ignore[attr-defined]
    page = window.show_page("settings", section="backup")
    assert page is not None and page.backup_panel is not None  # type: ignore[attr-defined]
    assert page.tabs.tabText(page.tabs.currentIndex()) == "备份与恢复"  # type: ignore[attr-defined]
    assert page.backup_panel is page.tab("backup")  # type: ignore[attr-defined]
    window.close()
    folder = BackupService(ctx.ws).default_folder()
    assert [p.name for p in folder.iterdir() if backups.KIND_AUTO in p.name]
