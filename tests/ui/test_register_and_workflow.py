"""受理登记 and the request detail through the real widgets: picking a resident by initials, the
due time shown before saving, messages next to fields, inline new residents, Esc, and the whole
workflow 派单 → 开始办理 → 办结 → 回访 (→ 重新办理) with only the allowed buttons on offer."""

from __future__ import annotations

from datetime import datetime

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from tests.ui.helpers import type_text
from xianghe_desk.domain import lifecycle
from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.enums import Action, FeedbackRoute, Satisfaction, Status
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.services.lookups import LookupService
from xianghe_desk.ui import printing
from xianghe_desk.ui.dialogs import request_detail
from xianghe_desk.ui.dialogs.complete_dialog import CompleteDialog, CompleteValues
from xianghe_desk.ui.dialogs.dispatch_dialog import DispatchChoice, DispatchDialog
from xianghe_desk.ui.dialogs.follow_up_dialog import FollowUpDialog, FollowUpValues
from xianghe_desk.ui.dialogs.reason_dialog import ReasonDialog
from xianghe_desk.ui.dialogs.register_request import RegisterRequestDialog
from xianghe_desk.ui.dialogs.request_detail import RequestDetailDialog
from xianghe_desk.ui.widgets.combos import set_combo_value


@pytest.fixture
def printed(monkeypatch) -> list[list[int]]:
    """The calls of ui.printing.print_work_orders(parent, ctx, ids) (no PDF is built)."""
    calls: list[list[int]] = []
    monkeypatch.setattr(printing, "print_work_orders", lambda parent, ctx, ids: calls.append(list(ids)))
    return calls


@pytest.fixture
def no_printing(monkeypatch) -> None:
    """Saving alone must not print: a call of print_work_orders fails the test."""

    def unexpected(*_args: object) -> None:
        raise AssertionError("printed although only 保存 was asked for")

    monkeypatch.setattr(printing, "print_work_orders", unexpected)


def with_check_digit(first17: str) -> str:
    """An ID number with its GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def open_register(qtbot, ctx, resident_id=None) -> RegisterRequestDialog:
    dialog = RegisterRequestDialog(ctx, None, resident_id)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.discard())
    dialog.show()
    # Shortcuts (Ctrl+S, Ctrl+Enter) go to the active window.
    dialog.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def category_index(dialog: RegisterRequestDialog, code: str) -> int:
    return dialog.category_combo.findData(code)


# ---------------------------------------------------------------------- 受理登记


def test_register_picks_resident_by_initials_and_dispatches_to_the_grid_default(qtbot, ctx, no_printing):
    resident = ctx.residents.list(PersonFilter(text="sxl"), 0, 1)[0]
    dialog = open_register(qtbot, ctx)
    qtbot.keyClicks(dialog.name_edit, "sxl")
    names = [
        dialog.completer_model.item(r).data(Qt.ItemDataRole.UserRole + 2)
        for r in range(dialog.completer_model.rowCount())
    ]
    assert resident.name in names
    row = names.index(resident.name)
    popup = dialog.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    popup.setCurrentIndex(dialog.completer.completionModel().index(row, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.resident is not None and dialog.resident.id == resident.id
    assert dialog.name_edit.text() == resident.name
    assert dialog.village_combo.currentData() == resident.village_id
    assert dialog.grid_combo.currentData() == resident.grid_id
    default = ctx.members.default_handler(resident.grid_id)
    assert default is not None and dialog.handler_combo.currentData() == default.id
    assert "*" in dialog.id_edit.text() and dialog.id_edit.isReadOnly()

    assert dialog.due_label.text() == "选择问题类别后显示"
    dialog.category_combo.setCurrentIndex(category_index(dialog, "social_insurance"))
    # 代办服务: three working days (2026-11-26 is a Thursday → Tuesday 2026-12-01).
    assert "2026-12-01 10:00" in dialog.due_label.text() and "3个工作日" in dialog.due_label.text()
    dialog.urgent_radio.setChecked(True)
    assert "2026-11-26 12:00" in dialog.due_label.text()
    type_text(dialog.content_edit, "帮忙代缴医保")

    with qtbot.waitSignal(ctx.events.requests_changed, timeout=2000) as changed:
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = dialog.saved
    assert changed.args == [[saved.id]]
    request = ctx.requests.get(saved.id)
    assert (request.resident_id, request.status, request.handler_id) == (
        resident.id,
        Status.DISPATCHED,
        default.id,
    )
    assert request.due_at == datetime(2026, 11, 26, 12, 0)
    assert request.content == "帮忙代缴医保"
    assert request.person_id_number == resident.id_number


def test_messages_sit_next_to_their_fields_and_nothing_is_saved(qtbot, ctx, no_printing):
    before = ctx.requests.count(RequestFilter())
    dialog = open_register(qtbot, ctx)
    dialog.phone_edit.setText("12345")
    dialog.save_button.click()
    assert dialog.isVisible() and dialog.saved is None
    assert "诉求内容" in dialog.errors.message_for("content")
    assert "问题类别" in dialog.errors.message_for("category")
    assert "村街" in dialog.errors.message_for("village")
    assert dialog.errors.message_for("person_phone")
    assert dialog.errors.fields["content"].isVisibleTo(dialog)
    assert dialog.errors.fields["content"].text().startswith("⚠ ")
    assert ctx.requests.count(RequestFilter()) == before

    # Leaving a field checks it at once; fixing it clears the message on the next check.
    dialog.phone_edit.setText("1381234567")
    dialog.phone_edit.editingFinished.emit()
    assert dialog.errors.message_for("person_phone")
    dialog.phone_edit.setText("13812345678")
    dialog.phone_edit.editingFinished.emit()
    assert dialog.errors.message_for("person_phone") == ""


def test_unknown_resident_is_added_inline_in_the_same_save(qtbot, ctx, no_printing):
    residents_before = ctx.residents.count()
    dialog = open_register(qtbot, ctx)
    type_text(dialog.name_edit, "欧阳小明")
    assert dialog.completer_model.rowCount() == 0
    assert "没有「欧阳小明」" in dialog.resident_label.text()
    assert dialog.new_resident_check.isEnabled()
    dialog.new_resident_check.setChecked(True)
    village = ctx.places.villages(ctx.ws.home_town_id())[1]
    set_combo_value(dialog.village_combo, village.id)
    dialog.phone_edit.setText("13912340000")
    dialog.id_edit.setText("131024194503120010")  # wrong check digit
    dialog.category_combo.setCurrentIndex(category_index(dialog, "repairs"))
    type_text(dialog.content_edit, "门锁坏了")
    assert dialog.save() is False
    assert dialog.errors.message_for("person_id_number")
    dialog.id_edit.setText(with_check_digit("13102419450312001"))
    with qtbot.waitSignal(ctx.events.residents_changed, timeout=2000):
        assert dialog.save() is True
    assert ctx.residents.count() == residents_before + 1
    request = ctx.requests.get(dialog.saved.id)
    resident = ctx.residents.get(request.resident_id)
    assert (resident.name, resident.village_id, resident.phone) == ("欧阳小明", village.id, "13912340000")
    assert request.status is Status.RECEIVED  # the village has no grid chosen: nobody to dispatch to yet


def test_the_services_refusal_lands_next_to_its_field(qtbot, ctx, no_printing):
    village = ctx.places.villages(ctx.ws.home_town_id())[0]
    ctx.requests.register(
        RequestDraft("hotline_12345", "repairs", "已登记", village.id, external_number="GD2611001")
    )
    dialog = open_register(qtbot, ctx)
    set_combo_value(dialog.village_combo, village.id)
    dialog.external_edit.setText("GD2611001")
    dialog.category_combo.setCurrentIndex(category_index(dialog, "repairs"))
    type_text(dialog.content_edit, "重复来电")
    dialog.save()
    assert dialog.saved is None and dialog.isVisible()
    assert "已经登记过了" in dialog.errors.message_for("external_number")
    assert dialog.save_button.isEnabled()


def test_esc_asks_before_discarding_typed_text(qtbot, ctx, monkeypatch, no_printing):
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(parent, title, text, buttons, default):
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    empty = open_register(qtbot, ctx)
    qtbot.keyClick(empty, Qt.Key.Key_Escape)
    assert not empty.isVisible() and asked == []

    dialog = open_register(qtbot, ctx)
    type_text(dialog.content_edit, "群众来电")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and asked == ["放弃登记？"]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_unknown_holiday_calendar_is_warned_about(qtbot, ctx, clock, no_printing):
    clock.current = datetime(2027, 3, 1, 9, 0)
    dialog = open_register(qtbot, ctx)
    dialog.category_combo.setCurrentIndex(category_index(dialog, "certificates"))
    assert dialog.calendar_warning.isVisibleTo(dialog)
    assert "2027 年的法定节假日" in dialog.calendar_warning.text()
    dialog.category_combo.setCurrentIndex(category_index(dialog, "repairs"))
    assert not dialog.calendar_warning.isVisibleTo(dialog)


def test_ctrl_enter_saves_and_prints_when_printing_exists(qtbot, ctx, printed, monkeypatch):
    resident = ctx.residents.list(PersonFilter(text="yys"), 0, 1)[0]

    def run(self):
        qtbot.addWidget(self, before_close_func=lambda d: d.discard())
        self.show()
        self.windowHandle().requestActivate()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self, timeout=2000)
        self.category_combo.setCurrentIndex(category_index(self, "repairs"))
        type_text(self.content_edit, "修水管")
        qtbot.keyClick(self, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return self.result()

    monkeypatch.setattr(RegisterRequestDialog, "exec", run)
    saved = RegisterRequestDialog.register(None, ctx, resident.id)
    assert saved is not None and saved.resident_id == resident.id
    assert printed == [[saved.id]]


def test_print_actions_are_always_offered_and_a_viewer_may_only_print(qtbot, ctx, no_printing):
    # Printing is part of the desk (issue #9 removed the optional modules): always on offer.
    dialog = open_register(qtbot, ctx)
    assert dialog.save_print_button.isVisibleTo(dialog)
    assert "Ctrl+Enter" in dialog.shortcut_hint.text()
    request_id = ctx.requests.ids(RequestFilter(statuses=(Status.RECEIVED,)))[0]
    ctx.sign_in("lingdao", DEMO_PASSWORD)  # 领导查看: reads and reports, no changes
    detail = RequestDetailDialog(ctx, request_id)
    qtbot.addWidget(detail)
    assert detail.print_button.isVisibleTo(detail) and detail.print_button.isEnabled()
    dispatch = detail.action_buttons[Action.DISPATCH]
    assert dispatch.isVisibleTo(detail) and not dispatch.isEnabled()
    assert "领导查看不能" in dispatch.toolTip()
    assert not detail.reveal_button.isEnabled() or not detail.reveal_button.isVisibleTo(detail)


# ---------------------------------------------------------------------- the detail and its actions


@pytest.fixture
def fresh_request(ctx):
    village = ctx.places.villages(ctx.ws.home_town_id())[0]
    grid = ctx.places.grids(village.id)[0]
    return ctx.requests.register(
        RequestDraft("phone", "repairs", "水管漏水", village.id, grid_id=grid.id, person_name="王五")
    )


@pytest.fixture
def answers(monkeypatch):
    """The values each small action dialog will hand back (their entry points are patched)."""
    values: dict[str, object] = {}
    asked: list[str] = []

    def patch(cls, method: str, key: str) -> None:
        def entry(_cls, *args, **kwargs):
            asked.append(key)
            return values.get(key)

        monkeypatch.setattr(cls, method, classmethod(entry))

    patch(request_detail.DispatchDialog, "choose", "dispatch")
    patch(request_detail.CompleteDialog, "ask", "complete")
    patch(request_detail.FollowUpDialog, "ask", "follow_up")
    patch(request_detail.ReasonDialog, "ask", "reason")
    values["asked"] = asked
    return values


def offered(detail: RequestDetailDialog) -> set[Action]:
    return {action for action, button in detail.action_buttons.items() if button.isVisibleTo(detail)}


def timeline(detail: RequestDetailDialog) -> list[list[str]]:
    table = detail.timeline
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_detail_walks_the_whole_workflow_with_only_allowed_buttons(qtbot, ctx, fresh_request, answers, clock):
    detail = RequestDetailDialog(ctx, fresh_request.id)
    qtbot.addWidget(detail)
    detail.show()
    assert offered(detail) == set(lifecycle.allowed_actions(Status.RECEIVED))
    assert offered(detail) == {Action.DISPATCH, Action.CANCEL, Action.ESCALATE}
    assert detail.info_labels["content"].text() == "水管漏水"

    member = ctx.members.handlers_for(fresh_request.village_id, fresh_request.grid_id)[0]
    answers["dispatch"] = DispatchChoice(member.id, "请今天上门")
    clock.advance(minutes=10)
    with qtbot.waitSignal(ctx.events.requests_changed, timeout=2000) as changed:
        detail.action_buttons[Action.DISPATCH].click()
    assert changed.args == [[fresh_request.id]]
    assert detail.request.status is Status.DISPATCHED
    assert offered(detail) == set(lifecycle.allowed_actions(Status.DISPATCHED))
    assert detail.action_buttons[Action.DISPATCH].text() == "改派"

    clock.advance(minutes=30)
    detail.action_buttons[Action.START].click()
    assert detail.request.status is Status.IN_PROGRESS
    assert Action.START not in offered(detail)

    answers["complete"] = CompleteValues("on_the_spot", "已更换水管", "")
    clock.advance(hours=1)
    detail.action_buttons[Action.COMPLETE].click()
    assert detail.request.status is Status.COMPLETED
    assert offered(detail) == {Action.FOLLOW_UP, Action.REOPEN}

    answers["follow_up"] = FollowUpValues(
        FeedbackRoute.PHONE, Satisfaction.UNSATISFIED, "还在滴水", "测试文员"
    )
    clock.advance(hours=3)
    detail.action_buttons[Action.FOLLOW_UP].click()
    assert detail.request.status is Status.CLOSED
    assert offered(detail) == {Action.REOPEN}  # 不满意: may be handled again

    answers["reason"] = "回访不满意，重新上门"
    clock.advance(minutes=5)
    detail.action_buttons[Action.REOPEN].click()
    assert detail.request.status is Status.IN_PROGRESS
    assert answers["asked"] == ["dispatch", "complete", "follow_up", "reason"]

    rows = timeline(detail)
    assert [r[1] for r in rows] == ["受理", "派单", "开始办理", "办结", "回访", "重新办理"]
    assert rows[0][3] == "→ 待派单"
    assert rows[1][3] == "待派单 → 已派单"
    assert rows[1][4] == f"派给 {member.name}；派单说明：请今天上门"
    assert rows[3][4] == "办理方式：现场办结；办理结果：已更换水管"
    assert rows[4][4] == "电话回访；满意度：不满意；回访人：测试文员；群众意见：还在滴水"
    assert rows[5][4] == "原满意度：不满意；原因：回访不满意，重新上门"
    assert {r[2] for r in rows} == {ctx.ws.actor}


def test_satisfied_follow_up_ends_the_workflow(qtbot, ctx, fresh_request, answers, clock):
    member = ctx.members.handlers_for(fresh_request.village_id, fresh_request.grid_id)[0]
    ctx.requests.dispatch(fresh_request.id, member.id)
    ctx.requests.complete(fresh_request.id, "agent_run", "办好了")
    detail = RequestDetailDialog(ctx, fresh_request.id)
    qtbot.addWidget(detail)
    answers["follow_up"] = FollowUpValues(FeedbackRoute.IN_PERSON, Satisfaction.SATISFIED, "", "")
    detail.action_buttons[Action.FOLLOW_UP].click()
    assert detail.request.satisfaction is Satisfaction.SATISFIED
    assert offered(detail) == set()
    assert "流程结束" in detail.hint_label.text()


def test_cancel_needs_a_reason_and_leaves_no_actions(qtbot, ctx, fresh_request, answers):
    detail = RequestDetailDialog(ctx, fresh_request.id)
    qtbot.addWidget(detail)
    answers["reason"] = None  # the clerk pressed 取消 in the reason dialog
    detail.action_buttons[Action.CANCEL].click()
    assert ctx.requests.get(fresh_request.id).status is Status.RECEIVED
    answers["reason"] = "重复登记"
    detail.action_buttons[Action.CANCEL].click()
    assert detail.request.status is Status.CANCELLED
    assert offered(detail) == set()
    assert timeline(detail)[-1][1:] == ["撤销", ctx.ws.actor, "待派单 → 已撤销", "原因：重复登记"]


def test_a_refused_action_is_explained_and_changes_nothing(qtbot, ctx, fresh_request, answers, monkeypatch):
    village = ctx.places.village(fresh_request.village_id)
    saved = ctx.members.add(MemberDraft("离岗员", "13700001111", village.town_id, village.id, active=False))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    detail = RequestDetailDialog(ctx, fresh_request.id)
    qtbot.addWidget(detail)
    answers["dispatch"] = DispatchChoice(saved.id, "")
    detail.action_buttons[Action.DISPATCH].click()
    assert warnings == ["离岗员已不在岗，请改派其他网格员。"]
    assert ctx.requests.get(fresh_request.id).status is Status.RECEIVED
    assert all(button.isEnabled() for button in detail.action_buttons.values())


def test_detail_print_button_prints_this_work_order(qtbot, ctx, fresh_request, printed):
    detail = RequestDetailDialog(ctx, fresh_request.id)
    qtbot.addWidget(detail)
    assert detail.print_button.isVisibleTo(detail)
    detail.print_button.click()
    assert printed == [[fresh_request.id]]


# ---------------------------------------------------------------------- the small action dialogs


def test_action_dialogs_keep_open_and_say_what_is_missing(qtbot, ctx, fresh_request):
    complete = CompleteDialog(LookupService(ctx.ws).methods())
    qtbot.addWidget(complete)
    complete.accept()
    assert complete.result() != QDialog.DialogCode.Accepted
    assert "办理方式" in complete.errors.message_for("method")
    assert "办理结果" in complete.errors.message_for("result")
    set_combo_value(complete.method_combo, "joint")
    complete.result_edit.setPlainText("联合水务站已修复")
    complete.accept()
    assert complete.result() == QDialog.DialogCode.Accepted
    assert complete.values() == CompleteValues("joint", "联合水务站已修复", "")

    follow = FollowUpDialog("测试文员")
    qtbot.addWidget(follow)
    follow.accept()
    assert follow.errors.message_for("route") and follow.errors.message_for("satisfaction")
    follow.set_choice(FeedbackRoute.PHONE, Satisfaction.BASICALLY)
    follow.accept()
    assert follow.values().satisfaction is Satisfaction.BASICALLY

    reason = ReasonDialog("退回", "说明", "退回原因", True)
    qtbot.addWidget(reason)
    reason.accept()
    assert "请填写退回原因" in reason.errors.message_for("note")
    optional_note = ReasonDialog("督办", "说明", "督办意见", False)
    qtbot.addWidget(optional_note)
    optional_note.accept()
    assert optional_note.result() == QDialog.DialogCode.Accepted and optional_note.text() == ""

    members = ctx.members.handlers_for(fresh_request.village_id, fresh_request.grid_id)
    dispatch = DispatchDialog(members, None, members[0].id, 1, (fresh_request.grid_id,))
    qtbot.addWidget(dispatch)
    dispatch.accept()
    assert "请选择承办人" in dispatch.errors.message_for("handler")
    set_combo_value(dispatch.member_combo, members[0].id)
    dispatch.accept()
    assert "已经派给这位承办人" in dispatch.errors.message_for("handler")
    set_combo_value(dispatch.member_combo, members[1].id)
    dispatch.accept()
    assert dispatch.choice() == DispatchChoice(members[1].id, "")
    # The grid's own members are listed first and marked with a star (not colour).
    assert dispatch.member_combo.itemText(1).startswith("★ ")
