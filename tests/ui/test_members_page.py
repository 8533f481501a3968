"""The 网格与网格员 screen: the lazy tree, a grid's people, the member list, the member and grid forms."""

from __future__ import annotations

import pytest

from PySide6.QtWidgets import QDialogButtonBox

from tests.ui.helpers import type_text
from xianghe_desk.domain.enums import MemberKind, MemberRole
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.ui.dialogs.grid_dialog import GridDialog
from xianghe_desk.ui.dialogs.member_dialog import MemberDialog
from xianghe_desk.ui.models.members import MemberTableModel
from xianghe_desk.ui.pages.members import MembersPage

DEMO_TOWN = "蒋辛屯镇"


@pytest.fixture
def page(qtbot, ctx):
    widget = MembersPage(ctx)
    qtbot.addWidget(widget)
    return widget


def rows(model) -> list:
    while model.canFetchMore():
        model.fetchMore()
    return [model.row_object(row) for row in range(model.rowCount())]


def top_item(tree, text):
    return next(
        tree.topLevelItem(i) for i in range(tree.topLevelItemCount()) if tree.topLevelItem(i).text(0) == text
    )


def child(item, text):
    return next(item.child(i) for i in range(item.childCount()) if item.child(i).text(0) == text)


def test_member_model_passes_the_model_tester(qtmodeltester, ctx):
    model = MemberTableModel(ctx)
    model.set_filter(PersonFilter(active_only=True))
    qtmodeltester.check(model)


def test_the_tree_loads_lazily_and_shows_a_grids_members(qtbot, page, ctx):
    tree = page.tree
    assert tree.topLevelItemCount() == len(ctx.places.towns()) == 11
    # This copy belongs to the demo town: it is open and chosen; the others load when opened.
    town = top_item(tree, DEMO_TOWN)
    assert town.isExpanded() and tree.currentItem() is town
    other = top_item(tree, "淑阳镇")
    assert other.childCount() == 0
    other.setExpanded(True)
    assert other.childCount() == len(
        ctx.places.villages(ctx.places.resolve_town("淑阳镇").id, include_virtual=True)
    )
    village = ctx.places.resolve_village("王店子村")
    assert town.childCount() == len(ctx.places.villages(village.town_id, include_virtual=True))
    village_item = child(town, "王店子村")
    assert village_item.childCount() == 0
    village_item.setExpanded(True)
    grids = ctx.places.grids(village.id)
    assert [village_item.child(i).text(0) for i in range(village_item.childCount())] == [
        g.name for g in grids
    ]

    grid = grids[0]
    tree.setCurrentItem(child(village_item, grid.name))
    expected = {m.id for m in ctx.members.of_grid(grid.id)}
    assert expected
    assert {m.id for m in rows(page.place_members)} == expected
    shown = page.place_members
    role_column = shown.column_index("role")
    assert shown.index(0, role_column).data() in MemberRole.labels()
    residents = rows(page.place_residents)
    assert residents and {r.grid_id for r in residents} == {grid.id}
    assert grid.name in page.place_title.text()
    assert "户数" in page.place_info.text()
    assert page.edit_grid_button.isEnabled()

    # Choosing the village shows all of its people.
    tree.setCurrentItem(village_item)
    assert {m.village_id for m in rows(page.place_members)} == {village.id}
    assert not page.edit_grid_button.isEnabled()


def test_the_member_list_filters_and_searches(qtbot, page, ctx):
    # Read when its tab is first shown, not with the page (issue #13).
    assert page.model.rowCount() == 0 and page.model.total() == -1
    page.tabs.setCurrentIndex(1)
    everyone = ctx.members.count(PersonFilter(active_only=True))
    assert page.model.total() == everyone
    sample = page.model.row_object(0)
    page.places.set_place(sample.town_id, sample.village_id)
    in_village = rows(page.model)
    assert 0 < len(in_village) < everyone
    assert {m.village_id for m in in_village} == {sample.village_id}
    page.places.set_place(None)
    type_text(page.search, sample.name)
    qtbot.waitUntil(lambda: page.model.flt.text == sample.name, timeout=3000)
    assert sample.id in {m.id for m in rows(page.model)}
    assert all(sample.name in m.name for m in rows(page.model))
    page.search.setText(sample.phone)
    page.search.flush()
    assert [m.id for m in rows(page.model)] == [sample.id]


def test_inactive_members_are_listed_only_when_asked(qtbot, page, ctx):
    page.tabs.setCurrentIndex(1)
    member = page.model.row_object(0)
    from xianghe_desk.domain.drafts import MemberDraft
    from xianghe_desk.services.people import MemberService

    draft = MemberDraft(
        member.name, member.phone, member.town_id, member.village_id, member.kind, member.role,
        member.is_party, member.id_number or "", False, member.grid_ids,
    )  # fmt: skip
    page._save_member(draft, member.id)
    assert member.id not in {m.id for m in rows(page.model)}
    page.active.setCurrentIndex(0)  # 全部（含不在岗）
    listed = {m.id: m for m in rows(page.model)}
    assert member.id in listed
    column = page.model.column_index("active")
    row = page.model.row_of_id(member.id)
    assert page.model.index(row, column).data() == "不在岗"
    assert MemberService(ctx.ws).get(member.id).active is False


def test_member_form_checks_the_phone(qtbot, ctx):
    dialog = MemberDialog(None, ctx)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    type_text(dialog.name, "田晓燕")
    dialog.accept()
    assert dialog.result_draft is None
    assert "手机号" in dialog.messages["phone"].text()
    dialog.phone.setText("12345678901")
    assert dialog.messages["phone"].is_error() and not save.isEnabled()
    assert dialog.messages["phone"].parentWidget() is dialog.phone.parentWidget()
    dialog.phone.setText("13812345670")
    assert not dialog.messages["phone"].is_error() and save.isEnabled()
    dialog.id_number.setText("131024194503120011")
    assert dialog.messages["id_number"].is_error() and not save.isEnabled()
    dialog.id_number.setText("")
    assert save.isEnabled()


def test_adding_a_member_through_the_form(qtbot, monkeypatch, page, ctx):
    village = ctx.places.resolve_village("王店子村")
    grid = ctx.places.grids(village.id)[1]
    page.tree.select("grid", grid.id)

    def fake_edit(cls, parent, context, member=None, village_id=None, grid_id=None):
        dialog = cls(parent, context, member, village_id, grid_id)
        qtbot.addWidget(dialog)
        # Opened from the chosen grid: village and grid come filled in.
        assert dialog.places.village_id() == village.id
        assert dialog.checked_grids() == (grid.id,)
        type_text(dialog.name, "田晓燕")
        dialog.phone.setText("138 1234 5670")
        dialog.kind.setCurrentIndex(dialog.kind.findData(MemberKind.FULL_TIME.value))
        dialog.role.setCurrentIndex(dialog.role.findData(MemberRole.HELPER.value))
        dialog.is_party.setChecked(True)
        dialog.accept()
        return dialog.result_draft

    monkeypatch.setattr(MemberDialog, "edit", classmethod(fake_edit))
    with qtbot.waitSignal(ctx.events.members_changed, timeout=3000):
        page.add_member_button.click()
    added = [m for m in rows(page.place_members) if m.name == "田晓燕"]
    assert len(added) == 1
    member = added[0]
    assert (member.phone, member.kind, member.role, member.is_party) == (
        "13812345670",
        MemberKind.FULL_TIME,
        MemberRole.HELPER,
        True,
    )
    assert member.grid_ids == (grid.id,)


def test_editing_and_adding_a_grid(qtbot, monkeypatch, page, ctx):
    village = ctx.places.resolve_village("王店子村")
    grid = ctx.places.grids(village.id)[0]
    page.tree.select("grid", grid.id)
    member = ctx.members.of_grid(grid.id)[-1]

    def fake_edit(cls, parent, context, village_id, existing=None):
        dialog = cls(parent, context, context.places.village(village_id), existing)
        qtbot.addWidget(dialog)
        if existing is None:
            dialog.name.setText(existing_name)
            assert dialog.messages["name"].is_error()  # the name is taken
            dialog.name.setText("新建网格")
        dialog.households.setValue(321)
        dialog.population.setValue(987)
        dialog.default_member.setCurrentIndex(dialog.default_member.findData(member.id))
        dialog.accept()
        return dialog.result_fields

    existing_name = grid.name
    monkeypatch.setattr(GridDialog, "edit", classmethod(fake_edit))
    with qtbot.waitSignal(ctx.events.places_changed, timeout=3000):
        page.edit_grid_button.click()
    changed = ctx.places.grid(grid.id)
    assert (changed.households, changed.population, changed.default_member_id) == (321, 987, member.id)
    assert "户数：321" in page.place_info.text()

    with qtbot.waitSignal(ctx.events.places_changed, timeout=3000):
        page.add_grid_button.click()
    names = [g.name for g in ctx.places.grids(village.id)]
    assert "新建网格" in names
    assert page.tree.currentItem().text(0) == "新建网格"


def test_a_grids_requests_open_with_its_town_and_village(qtbot, page, ctx):
    village = ctx.places.resolve_village("王店子村")
    grid = ctx.places.grids(village.id)[0]
    page.activate(grid_id=grid.id)
    with qtbot.waitSignal(page.navigate, timeout=1000) as signal:
        page.place_requests_button.click()
    assert signal.args == [
        "requests",
        {"town_id": village.town_id, "village_id": village.id, "grid_id": grid.id},
    ]
