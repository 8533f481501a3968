"""数据交换 → 表格导入导出: template, check with a preview, the clerk's choice, save refusals, export."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.unit.sheet_files import write_xlsx
from xianghe_desk.services.imports import RowAction
from xianghe_desk.ui.models.base import Role
from xianghe_desk.ui.pages.spreadsheets import SpreadsheetPanel

RES = ["姓名", "所属镇", "所属村街", "身份证号"]


@pytest.fixture
def panel(qtbot, ctx, monkeypatch):
    widget = SpreadsheetPanel(ctx)
    qtbot.addWidget(widget)
    widget.messages = []
    monkeypatch.setattr(widget, "inform", lambda title, text: widget.messages.append((title, text)))
    widget.resize(1366, 768)
    return widget


@pytest.fixture
def place(ctx):
    village = ctx.ws.villages.in_town(ctx.ws.home_town_id(), include_virtual=False)[0]
    return ctx.ws.towns.get(village.town_id).name, village.short_name


def _choose(combo, kind):
    combo.setCurrentIndex(combo.findData(kind))


def _preview(panel):
    model = panel.model
    return [
        (model.index(r, 0).data(Role.IdRole), model.index(r, 1).data(), model.index(r, 3).data())
        for r in range(model.rowCount())
    ]


def test_template_is_saved_where_the_clerk_chooses(panel, tmp_path, monkeypatch):
    target = tmp_path / "网格员模板.xlsx"
    monkeypatch.setattr(panel, "ask_save_path", lambda title, suggested: target)
    _choose(panel.kind, "members")
    panel.template_button.click()
    assert [c.value for c in load_workbook(target)["网格员"][1]][:2] == ["姓名", "手机号"]
    assert panel.messages and str(target) in panel.messages[-1][1]


def test_refused_rows_are_previewed_and_nothing_is_written_until_the_clerk_chooses(
    panel, ctx, place, tmp_path, monkeypatch, qtbot
):
    town, village = place
    rows = [
        ["新居民甲", town, village, None],
        ["新居民乙", town, "没有这个村", None],
        ["新居民丙", town, village, None],
    ]
    sheet = write_xlsx(tmp_path / "new.xlsx", RES, rows)
    before = ctx.residents.count()
    monkeypatch.setattr(panel, "ask_open_path", lambda: sheet)
    _choose(panel.kind, "residents")
    panel.open_button.click()
    # Refusals first: the filter switches to them, the reason names the column.
    ((number, action, reason),) = _preview(panel)
    assert (number, action) == (3, "拒绝") and reason.startswith("所属村街：")
    assert "将新增 2 行" in panel.summary.text() and "1 行不能导入" in panel.summary.text()
    assert ctx.residents.count() == before
    assert panel.valid_only_button.isEnabled() and not panel.import_all_button.isEnabled()
    panel.filter.setCurrentIndex(panel.filter.findData(None))
    assert [a for _n, a, _r in _preview(panel)] == ["新增", "拒绝", "新增"]
    # Save the refusals, then import only the valid rows.
    report_path = tmp_path / "拒绝原因.xlsx"
    monkeypatch.setattr(panel, "ask_save_path", lambda title, suggested: report_path)
    panel.save_refusals_button.click()
    values = list(load_workbook(report_path)["拒绝原因"].iter_rows(values_only=True))
    assert values[1][:2] == (3, "所属村街")
    with qtbot.waitSignal(ctx.events.residents_changed, timeout=5000):
        panel.valid_only_button.click()
    assert ctx.residents.count() == before + 2
    assert "已新增 2 行" in panel.summary.text() and panel.model.rowCount() == 0
    assert not panel.valid_only_button.isEnabled()


def test_discard_leaves_the_database_alone(panel, ctx, place, tmp_path, monkeypatch):
    town, village = place
    sheet = write_xlsx(
        tmp_path / "bad.xlsx", RES, [["甲乙", town, "没有这个村", None], ["丙丁", town, village, None]]
    )
    before = ctx.residents.count()
    _choose(panel.kind, "residents")
    panel.check_file(sheet)
    assert panel.discard_button.isEnabled()
    panel.discard_button.click()
    assert "没有导入" in panel.summary.text() and panel.model.rowCount() == 0
    assert ctx.residents.count() == before
    assert not panel.valid_only_button.isEnabled()


def test_a_clean_sheet_is_imported_whole_and_a_second_time_changes_nothing(
    panel, ctx, place, tmp_path, qtbot
):
    town, village = place
    sheet = write_xlsx(tmp_path / "ok.xlsx", RES, [["新居民甲", town, village, None]])
    _choose(panel.kind, "residents")
    panel.check_file(sheet)
    assert panel.import_all_button.isEnabled() and not panel.valid_only_button.isEnabled()
    with qtbot.waitSignal(ctx.events.residents_changed, timeout=5000):
        panel.import_all_button.click()
    panel.check_file(sheet)
    assert [a for _n, a, _r in _preview(panel)] == [RowAction.SAME.label]
    assert "没有需要导入的改动" in panel.summary.text()
    assert not panel.import_all_button.isEnabled()


def test_a_file_that_cannot_be_read_shows_a_plain_warning(panel, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(
        "xianghe_desk.ui.pages.spreadsheets.show_job_failure",
        lambda parent, message, bug: warnings.append((message, bug)),
    )
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    panel.check_file(old)
    assert warnings and "另存为" in warnings[0][0] and warnings[0][1] is False
    assert panel.open_button.isEnabled()


def test_export_requests_of_one_month(panel, tmp_path, monkeypatch):
    target = tmp_path / "工单.xlsx"
    monkeypatch.setattr(panel, "ask_save_path", lambda title, suggested: target)
    _choose(panel.export_kind, "members")
    assert not panel.month_check.isEnabled()
    _choose(panel.export_kind, "requests")
    panel.month_check.setChecked(True)
    assert panel.month.isEnabled() and panel.export_month() == "2026-11"
    panel.export_button.click()
    workbook = load_workbook(target, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()  # read-only workbooks keep the file open until closed (ResourceWarning)
    assert rows[0][0] == "受理时间" and len(rows) > 1
    assert all(r[0].month == 11 for r in rows[1:])
    assert "已导出服务工单" in panel.messages[-1][1]


def test_panel_renders_at_desk_size(panel, ctx, place, tmp_path):
    town, village = place
    sheet = write_xlsx(
        tmp_path / "look.xlsx",
        RES,
        [["新居民甲", town, village, "131024195103151230"], ["新居民乙", town, "某村", None]],
    )
    _choose(panel.kind, "residents")
    panel.check_file(sheet)
    panel.filter.setCurrentIndex(0)
    image = panel.grab()
    image.save(str(tmp_path / "panel.png"))
    assert image.width() == 1366 and not image.isNull()
