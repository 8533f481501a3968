"""The 设置 screen: the editable lists (add, rename, reorder, deactivate, refuse to delete what is in
use), the due-time rules and this copy's town, device name and operator."""

from __future__ import annotations

import pytest

from tests.ui.helpers import type_text
from xianghe_desk.domain.enums import LookupKind
from xianghe_desk.domain.models import DueRules
from xianghe_desk.services.settings import SettingsService
from xianghe_desk.ui.dialogs.lookup_dialog import LookupDialog, LookupEntry
from xianghe_desk.ui.models.lookups import LookupTableModel
from xianghe_desk.ui.pages.settings import COUNTY_WIDE, SettingsPage


@pytest.fixture
def page(qtbot, ctx):
    widget = SettingsPage(ctx)
    qtbot.addWidget(widget)
    return widget


def opened(page, section: str):
    """Tabs are built on first show: open one before reaching into it."""
    page.open_tab(section)
    return page


def names(tab) -> list[str]:
    return [item.name for item in tab.model.items]


def choose(tab, name: str) -> None:
    tab.table.selectRow(names(tab).index(name))


def test_lookup_model_passes_the_model_tester(qtmodeltester, ctx):
    model = LookupTableModel(LookupKind.CATEGORY)
    model.set_items(SettingsService(ctx.ws).lookups("category"))
    model.set_usage({"repairs": 3})
    qtmodeltester.check(model)


def test_lists_show_their_entries_with_usage(page, ctx):
    categories = opened(page, "category").lists[LookupKind.CATEGORY]
    assert names(categories)[:2] == ["社保医保代办", "证照代办"]
    group_column = categories.model.column_index("group")
    assert categories.model.index(0, group_column).data() == "代办服务"
    usage = categories.model.column_index("usage")
    used = int(categories.model.index(names(categories).index("维修帮扶"), usage).data())
    assert used == SettingsService(ctx.ws).usage_counts("category")["repairs"] > 0


def test_add_rename_and_reorder_through_the_dialog(qtbot, monkeypatch, page, ctx):
    tab = opened(page, "channel").lists[LookupKind.CHANNEL]
    answers = []

    def fake_ask(cls, parent, kind, item=None, taken=None):
        dialog = cls(parent, kind, item, taken)
        qtbot.addWidget(dialog)
        dialog.name.clear()
        type_text(dialog.name, answers.pop(0))
        dialog.accept()
        return dialog.result_entry

    monkeypatch.setattr(LookupDialog, "ask", classmethod(fake_ask))
    answers.append("抖音留言")
    with qtbot.waitSignal(ctx.events.settings_changed, timeout=3000):
        tab.add_button.click()
    assert names(tab)[-1] == "抖音留言"
    assert tab.current().name == "抖音留言"
    assert "已新增" in tab.message.text()

    answers.append("短视频留言")
    tab.rename_button.click()
    assert names(tab)[-1] == "短视频留言"

    tab.up_button.click()
    tab.up_button.click()
    assert names(tab)[-3] == "短视频留言" and tab.current().name == "短视频留言"
    assert [i.name for i in SettingsService(ctx.ws).lookups("channel")][-3] == "短视频留言"

    # A taken name is refused inside the dialog, next to the field.
    dialog = LookupDialog(None, LookupKind.CHANNEL, None, set(names(tab)))
    qtbot.addWidget(dialog)
    type_text(dialog.name, "微信群")
    assert dialog.messages["name"].is_error() and "已有「微信群」" in dialog.messages["name"].text()
    dialog.accept()
    assert dialog.result_entry is None


def test_a_category_in_use_is_deactivated_but_not_deleted(qtbot, page, ctx):
    tab = opened(page, "category").lists[LookupKind.CATEGORY]
    choose(tab, "维修帮扶")
    assert tab.active_button.text() == "停用"
    tab.delete_button.click()
    message = tab.message.text()
    assert tab.message.is_error()
    assert "不能删除" in message and "停用" in message and "张工单使用" in message
    assert "维修帮扶" in names(tab)

    tab.active_button.click()
    assert not tab.current().active and tab.current().name == "维修帮扶"
    assert tab.active_button.text() == "启用"
    state = tab.model.column_index("active")
    assert tab.model.index(tab.table.currentIndex().row(), state).data() == "已停用"
    active = [i.name for i in SettingsService(ctx.ws).lookups("category", include_inactive=False)]
    assert "维修帮扶" not in active
    tab.active_button.click()
    assert tab.current().active


def test_an_unused_entry_is_deleted(qtbot, monkeypatch, page, ctx):
    tab = opened(page, "method").lists[LookupKind.METHOD]
    monkeypatch.setattr(LookupDialog, "ask", classmethod(lambda cls, *a, **k: LookupEntry("上门指导")))
    tab.add_button.click()
    choose(tab, "上门指导")
    tab.delete_button.click()
    assert "上门指导" not in names(tab)
    assert "已删除" in tab.message.text()


def test_due_rules_are_checked_and_saved(qtbot, page, ctx):
    boxes = opened(page, "due").due_boxes
    assert {k: b.value() for k, b in boxes.items()} == {
        "urgent_hours": 2,
        "normal_hours": 24,
        "agent_workdays": 3,
    }
    boxes["urgent_hours"].setValue(30)
    assert page.due_messages["urgent_hours"].is_error()
    assert "应比一般工单" in page.due_messages["urgent_hours"].text()
    assert not page.due_save.isEnabled()
    boxes["urgent_hours"].setValue(4)
    boxes["agent_workdays"].setValue(45)
    assert "1–30" in page.due_messages["agent_workdays"].text()
    boxes["agent_workdays"].setValue(5)
    assert page.due_save.isEnabled()
    with qtbot.waitSignal(ctx.events.settings_changed, timeout=3000):
        page.due_save.click()
    assert ctx.ws.due_rules() == DueRules(4, 24, 5)
    assert "已保存" in page.due_status.text()


def test_this_copys_town_device_name_and_operator(qtbot, page, ctx):
    opened(page, "device")
    assert page.device_tag.text() == ctx.ws.device.tag
    assert ctx.ws.device.tag in page.tag_help.text()
    assert page.town.currentText() == "蒋辛屯镇"
    page.town.setCurrentIndex(page.town.findText(COUNTY_WIDE))
    page.device_name.clear()
    page.operator.clear()
    page.identity_save.click()
    assert page.identity_messages["device_name"].is_error()
    assert page.identity_messages["operator"].is_error()

    type_text(page.device_name, "县民政局汇总电脑")
    type_text(page.operator, "刘文员")
    with qtbot.waitSignal(ctx.events.settings_changed, timeout=3000):
        page.identity_save.click()
    assert ctx.ws.home_town_id() is None and ctx.ws.title() == "香河县"
    identity = SettingsService(ctx.ws).identity()
    assert (identity.device.name, identity.operator) == ("县民政局汇总电脑", "刘文员")
    # A signed-in account stays the one acting (the operator names this copy's clerk on paper).
    assert ctx.ws.actor == "admin" and ctx.runner.actor == "admin"
    assert not page.identity_messages["device_name"].is_error()


def test_activate_opens_a_section(page):
    page.activate(section="due")
    assert page.tabs.tabText(page.tabs.currentIndex()) == "办理时限"
    page.activate(section="category")
    assert page.tabs.tabText(page.tabs.currentIndex()) == "问题类别"


def test_without_accounts_the_operator_is_who_acts(qtbot, qapp, tmp_path, clock):
    from xianghe_desk.jobs.runner import InlineRunner
    from xianghe_desk.services.workspace import Workspace
    from xianghe_desk.ui.context import DeskContext

    path = tmp_path / "plain.db"
    Workspace.open(path, clock=clock, actor="张文员").close()  # a database without accounts
    context = DeskContext(path, runner=InlineRunner(), clock=clock)
    try:
        page = SettingsPage(context)
        qtbot.addWidget(page)
        opened(page, "device").device_name.setText("县民政局汇总电脑")
        page.operator.clear()
        type_text(page.operator, "刘文员")
        with qtbot.waitSignal(context.events.settings_changed, timeout=3000):
            page.identity_save.click()
        assert context.ws.actor == "刘文员" and context.runner.actor == "刘文员"
        assert context.who.name == "刘文员" and not context.who.has_account
    finally:
        context.close()
