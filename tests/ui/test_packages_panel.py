"""数据交换 → 数据交换包: register, join, make and read packages, conflicts, likely duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from PySide6.QtWidgets import QLabel, QMessageBox

from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.jobs.runner import InlineRunner
from xianghe_desk.services.conflicts import ConflictService
from xianghe_desk.services.people import ResidentService
from xianghe_desk.ui.context import DeskContext
from xianghe_desk.ui.dialogs.conflict_dialog import ConflictDialog
from xianghe_desk.ui.dialogs.duplicate_dialog import MERGE, DuplicateDecision, DuplicateDialog
from xianghe_desk.ui.dialogs.register_device_dialog import DeviceRequest, RegisterDeviceDialog
from xianghe_desk.ui.pages import packages
from xianghe_desk.ui.pages.packages import PackagePanel


@pytest.fixture
def town(ctx):
    """The town hall's copy: the small demo."""
    return ctx


@pytest.fixture
def laptop(qapp, tmp_path, clock):
    context = DeskContext(tmp_path / "laptop.db", runner=InlineRunner(), clock=clock)
    yield context
    context.close()


@pytest.fixture
def failures(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(packages, "show_job_failure", lambda _parent, message, _bug: seen.append(message))
    return seen


def _panel(qtbot, ctx):
    widget = PackagePanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    return widget


def _village(ctx):
    return ctx.ws.villages.in_town(ctx.ws.home_town_id(), include_virtual=False)[0]


def _register_and_join(qtbot, town, laptop, tmp_path, monkeypatch):
    village = _village(town)
    key = tmp_path / "laptop.json"
    monkeypatch.setattr(RegisterDeviceDialog, "ask", classmethod(lambda cls, parent, ctx: DeviceRequest(
        "村电脑", village.short_name, village.town_name)))  # fmt: skip
    monkeypatch.setattr(packages, "choose_save_path", lambda *_a: key)
    town_panel = _panel(qtbot, town)
    town_panel.register_button.click()
    assert key.exists()
    assert "已登记「村电脑」" in town_panel.result_label.text()
    assert town_panel.devices_table.rowCount() == 1 and town_panel.peer_combo.count() == 1

    laptop_panel = _panel(qtbot, laptop)
    monkeypatch.setattr(packages, "choose_open_path", lambda *_a: key)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    laptop_panel.join_button.click()
    assert "本机已加入" in laptop_panel.result_label.text()
    assert laptop_panel.peer_combo.count() == 1
    assert not laptop_panel.join_button.isEnabled() and not laptop_panel.register_button.isEnabled()
    return town_panel, laptop_panel


def _send(from_panel, to_panel, path, monkeypatch):
    monkeypatch.setattr(packages, "choose_save_path", lambda *_a: path)
    from_panel.export_button.click()
    assert "已为" in from_panel.result_label.text()
    monkeypatch.setattr(packages, "choose_open_path", lambda *_a: path)
    to_panel.import_button.click()


def test_register_join_and_exchange_from_the_desk(qtbot, town, laptop, tmp_path, monkeypatch, failures):
    town_panel, laptop_panel = _register_and_join(qtbot, town, laptop, tmp_path, monkeypatch)
    with qtbot.wait_signal(laptop.events.residents_changed, timeout=5000):
        _send(town_panel, laptop_panel, tmp_path / "down.xhpkg", monkeypatch)
    assert "已导入" in laptop_panel.result_label.text()
    village = _village(town)
    assert ResidentService(laptop.ws).count() == ResidentService(town.ws).count(_filter(village))
    assert laptop_panel.devices_table.item(0, 4).text() != "从未"
    assert failures == []


def _filter(village):
    from xianghe_desk.domain.queries import PersonFilter

    return PersonFilter(village_id=village.id)


def test_tampered_package_is_refused_with_a_message(qtbot, town, laptop, tmp_path, monkeypatch, failures):
    town_panel, laptop_panel = _register_and_join(qtbot, town, laptop, tmp_path, monkeypatch)
    path = tmp_path / "down.xhpkg"
    monkeypatch.setattr(packages, "choose_save_path", lambda *_a: path)
    town_panel.export_button.click()
    path.write_bytes(path.read_bytes()[:-100])
    monkeypatch.setattr(packages, "choose_open_path", lambda *_a: path)
    laptop_panel.import_button.click()
    assert len(failures) == 1 and "没有导入任何数据" in failures[0]
    assert ResidentService(laptop.ws).count() == 0


def test_conflicts_listed_side_by_side_and_resolved(qtbot, town, laptop, tmp_path, monkeypatch, failures):
    town_panel, laptop_panel = _register_and_join(qtbot, town, laptop, tmp_path, monkeypatch)
    _send(town_panel, laptop_panel, tmp_path / "p1.xhpkg", monkeypatch)
    town.ws.settings.set("hotlines", ["12345", "镇上的号码"])
    laptop.ws.settings.set("hotlines", ["12345", "村里的号码"])
    _send(laptop_panel, town_panel, tmp_path / "p2.xhpkg", monkeypatch)
    assert "需要您决定" in town_panel.result_label.text()
    table = town_panel.conflicts_table
    assert table.rowCount() == 1
    assert "镇上的号码" in table.item(0, 2).text() and "村里的号码" in table.item(0, 3).text()
    assert "（1 处）" in town_panel.conflicts_box.title()

    shown = []
    monkeypatch.setattr(
        ConflictDialog, "decide", classmethod(lambda cls, parent, view: shown.append(view) or "theirs")
    )
    table.selectRow(0)
    town_panel.compare_button.click()
    assert shown and shown[0].mine_from == "本机"
    assert town.ws.settings.get("hotlines") == ["12345", "村里的号码"]
    assert ConflictService(town.ws).count_open() == 0 and table.rowCount() == 0
    assert failures == []


def test_likely_duplicates_found_and_merged(qtbot, town, monkeypatch, failures):
    village = _village(town)
    residents = ResidentService(town.ws)
    keep = residents.add(
        ResidentDraft("测试甲乙", village.id, birth_date=date(1950, 5, 6), phone="13900000011")
    ).id
    drop = residents.add(
        ResidentDraft("测试甲乙", village.id, birth_date=date(1950, 5, 6), address="北街9号")
    ).id
    panel = _panel(qtbot, town)
    panel.find_duplicates_button.click()
    qtbot.wait_until(lambda: panel.duplicates_table.rowCount() > 0, timeout=5000)
    row = next(
        r
        for r in range(panel.duplicates_table.rowCount())
        if "测试甲乙" in panel.duplicates_table.item(r, 0).text()
    )
    panel.duplicates_table.selectRow(row)
    monkeypatch.setattr(
        DuplicateDialog, "decide", classmethod(lambda cls, parent, pair: DuplicateDecision(MERGE, keep, drop))
    )
    panel.merge_button.click()
    merged = residents.get(keep)
    assert merged.address == "北街9号"
    assert (
        town.ws.db.execute("SELECT deleted_at FROM residents WHERE id = ?", [drop]).fetchone()[0] is not None
    )
    assert failures == []


def test_dialogs_show_both_sides(qtbot, town):
    from xianghe_desk.services.conflicts import ConflictView
    from xianghe_desk.services.duplicates import DuplicatePair

    view = ConflictView(1, "field", "服务对象「张三」", "联系电话", "13900000001", "13900000002", "本机", "村电脑（ABCD）",
                        True, "2026-11-26 10:00", False, "")  # fmt: skip
    dialog = ConflictDialog(view)
    qtbot.addWidget(dialog)
    dialog.theirs_button.click()
    assert dialog.choice == "theirs"
    labels = {w.objectName(): w.text() for w in dialog.findChildren(QLabel)}
    assert labels["side_0"] == "13900000001" and labels["side_1"] == "13900000002"
    village = _village(town)
    residents = ResidentService(town.ws)
    a = residents.get(residents.add(ResidentDraft("李四", village.id, phone="13900000003")).id)
    b = residents.get(residents.add(ResidentDraft("李四", village.id, address="东街")).id)
    duplicate = DuplicateDialog(DuplicatePair(a, b, "同村同名"))
    qtbot.addWidget(duplicate)
    shown = {w.text() for w in duplicate.findChildren(QLabel)}
    assert {"13900000003", "东街"} <= shown
    duplicate.keep_right.click()
    assert duplicate.decision == DuplicateDecision(MERGE, b.id, a.id)
