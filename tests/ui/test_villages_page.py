"""The 村街 screen: towns and villages with their counts, the virtual community, 片区 and new villages."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt

from tests.ui.helpers import type_text
from xianghe_desk.domain.enums import VillageKind
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.overview import OverviewService
from xianghe_desk.ui.dialogs.village_dialog import VillageDialog
from xianghe_desk.ui.models.villages import COLUMNS, VillageTreeModel
from xianghe_desk.ui.pages.villages import VillagesPage


@pytest.fixture
def page(qtbot, ctx):
    widget = VillagesPage(ctx)
    qtbot.addWidget(widget)
    return widget


def column(key: str) -> int:
    return [c[0] for c in COLUMNS].index(key)


def village_rows(page) -> dict[str, list[str]]:
    """Visible village rows by short name: every column's text."""
    found = {}
    proxy = page.proxy
    for town_row in range(proxy.rowCount()):
        town = proxy.index(town_row, 0)
        for row in range(proxy.rowCount(town)):
            texts = [proxy.index(row, c, town).data() for c in range(len(COLUMNS))]
            found[texts[0]] = texts
    return found


def test_tree_model_passes_the_model_tester(qtmodeltester, ctx):
    model = VillageTreeModel()
    model.set_towns(OverviewService(ctx.ws).county(include_virtual=True))
    qtmodeltester.check(model)


def test_counts_per_village_and_town(page, ctx):
    # The demo copy belongs to 蒋辛屯镇, so the screen opens on it.
    assert page.proxy.rowCount() == 1
    rows = village_rows(page)
    village = ctx.places.resolve_village("王店子村")
    row = rows["王店子村"]
    assert row[column("official")] == village.name and row[column("code")] == village.code
    assert int(row[column("grids")]) == len(ctx.places.grids(village.id))
    assert int(row[column("residents")]) == ctx.residents.count(PersonFilter(village_id=village.id))
    members = ctx.members.count(PersonFilter(village_id=village.id, active_only=True))
    assert int(row[column("members")]) == members
    town = page.proxy.index(0, 0)
    total_residents = int(page.proxy.index(0, column("residents")).data())
    assert total_residents == ctx.residents.count(PersonFilter(town_id=village.town_id))
    assert "蒋辛屯镇" in town.data()
    open_total = sum(int(r[column("open_requests")]) for r in rows.values())
    assert int(page.proxy.index(0, column("open_requests")).data()) == open_total > 0


def test_all_towns_and_the_hidden_virtual_community(page, ctx):
    page.town.setCurrentIndex(0)  # 全部镇
    assert page.proxy.rowCount() == 11
    visible = sum(len(t.villages) for t in page.model.towns)
    assert all(v.village.kind is not VillageKind.VIRTUAL for t in page.model.towns for v in t.villages)
    page.show_virtual.setChecked(True)
    assert sum(len(t.villages) for t in page.model.towns) == visible + 1
    assert "虚拟社区 1 个" in page.summary.text()


def test_search_narrows_the_tree(qtbot, page):
    page.town.setCurrentIndex(0)
    type_text(page.search, "王店子")
    qtbot.waitUntil(lambda: list(village_rows(page)) == ["王店子村"], timeout=3000)
    assert page.proxy.rowCount() == 1


def test_setting_a_district_through_the_dialog(qtbot, monkeypatch, page, ctx):
    village = ctx.places.resolve_village("王店子村")
    page.select_village(village.id)

    def fake_edit(cls, parent, context, chosen):
        dialog = cls(parent, context, chosen)
        qtbot.addWidget(dialog)
        assert dialog.name.isReadOnly() and not dialog.town.isEnabled()
        type_text(dialog.district.lineEdit(), "北片区")
        dialog.accept()
        return dialog.result_district

    monkeypatch.setattr(VillageDialog, "edit_district", classmethod(fake_edit))
    with qtbot.waitSignal(ctx.events.places_changed, timeout=3000):
        page.district_button.click()
    assert ctx.places.village(village.id).district == "北片区"
    assert village_rows(page)["王店子村"][column("district")] == "北片区"
    assert page.selected_village().village.id == village.id


def test_adding_a_village_through_the_dialog(qtbot, monkeypatch, page, ctx):
    def fake_add(cls, parent, context, town_id=None):
        dialog = cls(parent, context, None, town_id)
        qtbot.addWidget(dialog)
        type_text(dialog.name, "王店子村")
        dialog.accept()
        assert dialog.result_fields is None
        assert "已有村街「王店子村」" in dialog.messages["name"].text()
        dialog.name.clear()
        type_text(dialog.name, "幸福里社区居民委员会")
        assert dialog.derived.text() == "简称：幸福里社区　类型：社区"
        dialog.accept()
        return dialog.result_fields

    monkeypatch.setattr(VillageDialog, "add", classmethod(fake_add))
    with qtbot.waitSignal(ctx.events.places_changed, timeout=3000):
        page.add_button.click()
    added = ctx.places.resolve_village("幸福里社区", "蒋辛屯镇")
    assert added.kind is VillageKind.COMMUNITY
    assert "幸福里社区" in village_rows(page)
    assert page.selected_village().village.id == added.id


def test_a_refused_village_is_explained(qtbot, monkeypatch, page, ctx):
    from xianghe_desk.ui import operations
    from xianghe_desk.ui.dialogs.village_dialog import VillageFields

    shown = []
    # The refusal comes back through run_op, which shows it (ui/operations.py).
    monkeypatch.setattr(operations, "show_job_failure", lambda parent, message, bug: shown.append(message))
    town = ctx.places.resolve_town("蒋辛屯镇")
    page.add_village(VillageFields(town.id, "新村", code="131024999999"))
    assert shown and f"以 {town.code} 开头" in shown[0]


def test_goto_buttons_open_other_pages_for_the_chosen_village(qtbot, page, ctx):
    village = ctx.places.resolve_village("王店子村")
    page.select_village(village.id)
    with qtbot.waitSignal(page.navigate, timeout=1000) as signal:
        page.goto_buttons["requests"].click()
    assert signal.args == ["requests", {"town_id": village.town_id, "village_id": village.id}]
    with qtbot.waitSignal(page.navigate, timeout=1000) as signal:
        page.goto_buttons["members"].click()
    assert signal.args == ["members", {"village_id": village.id}]


def test_the_tree_keeps_its_cells_marks_and_bold_towns_at_every_text_size(page, ctx):
    """The tree's cells are Qt's own items, made once per reading (issue #13: a model in Python
    cost 30 ms of every paint): overdue counts in red, the virtual community greyed with its
    explanation, towns in bold at the current text size, the chosen row's village or town."""
    from PySide6.QtWidgets import QApplication

    from xianghe_desk.ui.main_window import apply_text_percent
    from xianghe_desk.ui.models.villages import _OVERDUE, _VIRTUAL

    model = VillageTreeModel()
    model.set_towns(OverviewService(ctx.ws).county(include_virtual=True))
    town = model.index(0, 0)
    assert model.town_at(town) is model.towns[0] and model.village_at(town) is None
    assert model.data(town, Qt.ItemDataRole.FontRole).bold()
    village = model.index(0, column("overdue"), town)
    assert model.village_at(village) is model.towns[0].villages[0] and model.town_at(village) is None
    overdue = [
        model.index(r, column("overdue"), model.index(t, 0))
        for t in range(model.rowCount())
        for r in range(model.rowCount(model.index(t, 0)))
    ]
    marked = [i for i in overdue if model.data(i) != "0"]
    assert marked and all(model.data(i, Qt.ItemDataRole.ForegroundRole).color() == _OVERDUE for i in marked)
    virtual = [
        model.index(r, column("name"), model.index(t, 0))
        for t, row in enumerate(model.towns)
        for r, v in enumerate(row.villages)
        if v.village.kind is VillageKind.VIRTUAL
    ]
    assert virtual and model.data(virtual[0], Qt.ItemDataRole.ForegroundRole).color() == _VIRTUAL
    assert "虚拟社区" in model.data(virtual[0], Qt.ItemDataRole.ToolTipRole)
    found = model.find_village(model.towns[0].villages[-1].village.id)
    assert model.village_at(found) is model.towns[0].villages[-1]
    before = model.data(town, Qt.ItemDataRole.FontRole).pointSizeF()
    page.model.set_towns(model.towns)
    apply_text_percent(150)
    try:
        model.restyle()
        larger = model.data(town, Qt.ItemDataRole.FontRole)
        assert larger.bold() and larger.pointSizeF() == pytest.approx(QApplication.font().pointSizeF())
        assert larger.pointSizeF() > before
        # The page restyles its own tree when the text size changes (Qt posts the change).
        QApplication.processEvents()
        restyled = page.model.data(page.model.index(0, 0), Qt.ItemDataRole.FontRole)
        assert restyled.pointSizeF() == larger.pointSizeF()
    finally:
        apply_text_percent(100)
