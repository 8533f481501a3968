"""The desk's half of issue #9 (Trust I): the 操作日志 page, 账号管理, 回收站, 「锁定」, and the
rule that the UI is given services, never the store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from tests.ui.helpers import show_window, type_text
from xianghe_desk.domain.access import Role as AccountRole
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.operations.accounts import add_user
from xianghe_desk.operations.people import add_resident, update_resident
from xianghe_desk.operations.recycle import delete_to_bin
from xianghe_desk.services.accounts import DEMO_PASSWORD
from xianghe_desk.ui import main_window
from xianghe_desk.ui import operations as ui_operations
from xianghe_desk.ui.dialogs.account_dialog import AccountDialog, AccountFields, ResetPasswordDialog
from xianghe_desk.ui.operations import run_op
from xianghe_desk.ui.pages.accounts import AccountsPanel
from xianghe_desk.ui.pages.audit import AuditPage
from xianghe_desk.ui.pages.recycle import RecycleBinPage
from xianghe_desk.ui.pages.residents import ResidentsPage
from xianghe_desk.ui.pages.settings import SettingsPage

UI = Path(main_window.__file__).parent
# Everything a Workspace holds that is a store (or the raw database): the UI reads through services.
STORE_ATTRIBUTES = (
    "db", "towns", "villages", "grids", "members", "residents", "requests", "lookups", "settings", "devices",
    "stats", "users", "audit_log", "visits", "plans", "calendars", "device",
)  # fmt: skip
STORE_ACCESS = re.compile(r"\bws\.(" + "|".join(STORE_ATTRIBUTES) + r")\b")


def test_the_ui_never_reaches_into_the_store():
    found = []
    for path in sorted(UI.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if STORE_ACCESS.search(line):
                found.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert found == [], "ui/ reads a store through ctx.ws; add a service read method instead"


def test_no_transaction_is_assembled_in_the_ui():
    found = []
    for path in sorted(UI.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if ".atomic()" in text:
            found.append(str(path.relative_to(UI)))
    assert found == []


# ---------------------------------------------------------------------- 操作日志


def _resident(ctx) -> object:
    return ctx.residents.list(PersonFilter(), 0, 1)[0]


@pytest.fixture
def audit_page(qtbot, ctx):
    resident = _resident(ctx)
    draft = ResidentDraft(resident.name, resident.village_id, phone="13803168000")
    run_op(ctx, None, update_resident, resident.id, draft)
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    return page


def test_audit_page_is_newest_first_paged_and_records_the_visit(qtbot, ctx, audit_page):
    page = audit_page
    total = ctx.audit.count(page.model.flt)
    assert page.model.total() == total and f"共 {total:,} 条" == page.count_label.text()
    assert page.model.rowCount() <= 200  # paged: the first page only
    first = page.model.row_object(0)
    assert first.summary.startswith("修改服务对象")
    page.activate()
    assert page.model.row_object(0).action == "audit.view"  # looking is recorded too
    assert page.model.row_object(0).user_name == "admin"


def test_audit_page_filters_by_user_kind_date_and_resident(qtbot, ctx, audit_page, clock):
    page = audit_page
    page.user.setCurrentIndex(page.user.findData("admin"))
    assert {page.model.row_object(r).user_name for r in range(page.model.rowCount())} == {"admin"}
    page.kind.setCurrentIndex(page.kind.findData("update"))
    rows = [page.model.row_object(r) for r in range(page.model.rowCount())]
    assert rows and {r.kind for r in rows} == {"update"}
    today = clock().date()
    page.from_edit.setDate(QDate(today.year, today.month, today.day))
    page.to_edit.setDate(QDate(today.year, today.month, today.day))
    assert page.model.total() >= 1
    page.from_edit.setDate(QDate(today.year + 1, 1, 1))
    assert page.model.total() == 0
    page.clear_filters()
    resident = _resident(ctx)
    type_text(page.search, resident.name)
    page.search.flush()
    rows = [page.model.row_object(r) for r in range(page.model.rowCount())]
    assert rows and all(r.resident_uuid for r in rows)
    assert any(r.resident_uuid == resident.uuid for r in rows)
    type_text(page.search, "没有这个人")
    page.search.flush()
    assert page.model.total() == 0


def test_audit_export_writes_what_the_filters_show(qtbot, ctx, audit_page, tmp_path, monkeypatch):
    page = audit_page
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    page.kind.setCurrentIndex(page.kind.findData("update"))
    expected = page.model.total()
    target = tmp_path / "操作日志.xlsx"
    monkeypatch.setattr(page, "ask_save_path", lambda: target)
    page.export()
    book = load_workbook(target)
    sheet = book["操作日志"]
    header = [c.value for c in sheet[1]]
    assert header == ["时间", "账号", "角色", "类别", "操作", "说明", "电脑"]
    assert sheet.max_row - 1 == expected
    assert {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"修改"}
    assert "类别：修改" in [r[0] for r in book["说明"].iter_rows(values_only=True)]
    newest = ctx.audit.entries(newest_first=True, limit=1)[0]
    assert newest.action == "audit.export" and "导出操作日志" in newest.summary


def test_only_roles_with_audit_see_the_page(qtbot, ctx):
    window = show_window(qtbot, ctx)
    assert "audit" in window.pages and "操作日志" in [
        window.nav.item(i).text() for i in range(window.nav.count())
    ]
    ctx.sign_in("zhen", DEMO_PASSWORD)
    clerk = show_window(qtbot, ctx)
    assert "audit" not in clerk.pages
    assert "recycle" in clerk.pages  # everyone sees their scope's bin


# ---------------------------------------------------------------------- 账号管理


@pytest.fixture
def accounts(qtbot, ctx):
    panel = AccountsPanel(ctx)
    qtbot.addWidget(panel)
    return panel


def test_administrator_lists_adds_and_changes_accounts(qtbot, ctx, accounts, monkeypatch):
    names = [accounts.table.item(r, 0).text() for r in range(accounts.table.rowCount())]
    assert {"admin", "zhen", "cun", "lingdao"} <= set(names)
    row = names.index("cun")
    assert accounts.table.item(row, 2).text() == "村级录入员"
    village = next(iter(ctx.accounts.get("cun").village_ids))
    monkeypatch.setattr(
        AccountDialog,
        "add",
        classmethod(
            lambda cls, parent, c: AccountFields(
                "wang", "王文员", AccountRole.VILLAGE_CLERK, (), (village,), "wang-pass-123"
            )
        ),
    )
    accounts.add_button.click()
    added = ctx.accounts.get("wang")
    assert added.role is AccountRole.VILLAGE_CLERK and added.village_ids == {village} and added.must_change
    assert "已添加" in accounts.message.text()
    accounts.select("wang")
    town = next(iter(ctx.accounts.get("zhen").town_ids))
    monkeypatch.setattr(
        AccountDialog,
        "change_role",
        classmethod(
            lambda cls, parent, c, user: AccountFields(user.name, "", AccountRole.TOWN_CLERK, (town,), ())
        ),
    )
    accounts.role_button.click()
    assert ctx.accounts.get("wang").role is AccountRole.TOWN_CLERK
    monkeypatch.setattr(ResetPasswordDialog, "ask", classmethod(lambda cls, parent, name: "new-pass-456"))
    accounts.select("wang")
    accounts.password_button.click()
    assert "已重设" in accounts.message.text()
    assert ctx.accounts.current_user().name == "admin"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    accounts.select("wang")
    assert accounts.lock_button.text() == "停用"
    accounts.lock_button.click()
    assert ctx.accounts.get("wang").disabled
    accounts.select("wang")
    assert accounts.lock_button.text() == "启用"
    accounts.lock_button.click()
    assert not ctx.accounts.get("wang").disabled
    kinds = [e.action for e in ctx.audit.entries(newest_first=True, limit=5)]
    assert kinds[:5] == [
        "account.unlock",
        "account.lock",
        "account.reset_password",
        "account.set_role",
        "account.add",
    ]


def test_account_dialog_checks_before_it_accepts(qtbot, ctx):
    dialog = AccountDialog(ctx)
    qtbot.addWidget(dialog)
    type_text(dialog.name_edit, "li")
    dialog.password_edit.setText("short")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(AccountRole.VILLAGE_CLERK.value))
    dialog.accept()
    assert dialog.fields is None and "村级录入员要勾选负责的村街" in dialog.message.text()
    assert "至少" in dialog.message.text()


def test_account_management_is_refused_to_others(qtbot, ctx, monkeypatch):
    ctx.sign_in("zhen", DEMO_PASSWORD)
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    assert page.accounts_panel is None
    assert "账号管理" not in [page.tabs.tabText(i) for i in range(page.tabs.count())]
    panel = AccountsPanel(ctx)  # even if shown, nothing is allowed, and the operation refuses
    qtbot.addWidget(panel)
    assert not panel.add_button.isEnabled() and "镇级文员不能管理账号" in panel.add_button.toolTip()
    shown: list[str] = []
    monkeypatch.setattr(ui_operations, "show_job_failure", lambda parent, message, bug: shown.append(message))
    run_op(ctx, panel, add_user, "hacker", AccountRole.ADMIN, "hacker-pass-1")
    assert shown and "不能管理账号" in shown[0]
    assert ctx.accounts.has_accounts() and "hacker" not in [u.name for u in ctx.accounts.users()]


def test_status_bar_names_who_is_signed_in_and_ctrl_l_locks(qtbot, ctx):
    window = show_window(qtbot, ctx)
    assert window.user_label.text() == "登录：admin（管理员）"
    locked: list[bool] = []

    class FakeLock:
        def lock_now(self) -> None:
            locked.append(True)

    window.idle_lock = FakeLock()  # type: ignore[attr-defined]
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    window.lock_action.trigger()
    assert locked == [True]
    assert window.password_action.isEnabled()


# ---------------------------------------------------------------------- 回收站


def _bin_row(page: RecycleBinPage, label: str) -> int:
    for row in range(page.table.rowCount()):
        if label in page.table.item(row, 1).text():
            return row
    raise AssertionError(f"{label} is not in the bin")


def test_delete_from_the_list_then_restore_and_purge(qtbot, ctx, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Yes)
    residents = ResidentsPage(ctx)
    qtbot.addWidget(residents)
    victim = residents.model.row_object(0)
    before = ctx.residents.count()
    residents.table.selectRow(0)
    assert residents.delete_button.isEnabled()
    residents.delete_button.click()
    assert ctx.residents.count() == before - 1
    page = RecycleBinPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    row = _bin_row(page, victim.name)
    assert page.table.item(row, 0).text() == "服务对象" and page.table.item(row, 3).text() == "admin"
    page.table.selectRow(row)
    page.restore_button.click()
    assert ctx.residents.count() == before
    assert ctx.residents.get(victim.id).name == victim.name
    # Deleted again, and purged for good: out of the bin, the personal data gone.
    run_op(ctx, None, delete_to_bin, "resident", victim.id)
    page.refresh()
    page.table.selectRow(_bin_row(page, victim.name))
    page.purge_button.click()
    page.refresh()
    assert all(victim.name not in page.table.item(r, 1).text() for r in range(page.table.rowCount()))


def test_a_clerk_sees_the_bin_but_may_not_restore(qtbot, ctx):
    ctx.sign_in("cun", DEMO_PASSWORD)
    page = RecycleBinPage(ctx)
    qtbot.addWidget(page)
    page.activate()
    assert not page.restore_button.isEnabled()
    assert "村级录入员不能恢复" in page.restore_button.toolTip()


# ---------------------------------------------------------------------- run_op keeps a form's problems


def test_run_op_hands_a_refusal_to_the_form(qtbot, ctx):
    problems: list[list[tuple[str | None, str]]] = []
    village = ctx.places.villages(ctx.home_town_id())[0]
    run_op(ctx, None, add_resident, ResidentDraft("", village.id), on_problems=problems.append)
    # No warning box (it would block the test): the problems went to the form, by field.
    assert problems and problems[0][0][0] == "name"
