"""Issue #5 at the desk: a sheet row alike an existing resident is marked 「请核对」 in the preview,
still imports; a hand-added homophone is offered as 「可能是同一个人」 before it is saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from PySide6.QtCore import Qt

from tests.unit.sheet_files import write_xlsx
from xianghe_desk.domain.drafts import ResidentDraft
from xianghe_desk.domain.queries import PersonFilter
from xianghe_desk.services.people import ResidentService
from xianghe_desk.ui.dialogs.duplicate_resident import ADD_NEW, DuplicateResidentDialog
from xianghe_desk.ui.dialogs.resident_dialog import ResidentDialog
from xianghe_desk.ui.pages.residents import ResidentsPage
from xianghe_desk.ui.pages.spreadsheets import WARNED, SpreadsheetPanel

RES = ["姓名", "所属镇", "所属村街", "身份证号", "出生日期"]


@pytest.fixture
def existing(ctx):
    """A resident of a real village, born 1948-03-05, added for the test."""
    village = ctx.ws.villages.in_town(ctx.ws.home_town_id(), include_virtual=False)[0]
    saved = ResidentService(ctx.ws).add(ResidentDraft("章莉", village.id, birth_date=date(1948, 3, 5)))
    return ctx.ws.residents.get(saved.id), village


def test_a_likely_duplicate_row_is_marked_in_the_preview_and_still_imports(
    qtbot, ctx, existing, tmp_path, monkeypatch
):
    _resident, village = existing
    town = ctx.ws.towns.get(village.town_id).name
    sheet = write_xlsx(
        tmp_path / "s.xlsx",
        RES,
        [
            ["张丽", town, village.short_name, None, "1948-03-05"],
            ["新居民丙", town, village.short_name, None, None],
        ],
    )
    panel = SpreadsheetPanel(ctx)
    qtbot.addWidget(panel)
    messages = []
    monkeypatch.setattr(panel, "inform", lambda title, text: messages.append(text))
    panel.resize(1366, 768)
    panel.kind.setCurrentIndex(panel.kind.findData("residents"))
    panel.check_file(sheet)
    model = panel.model
    assert model.headerData(4, Qt.Orientation.Horizontal) == "请核对"
    marks = [model.index(r, 4).data() for r in range(model.rowCount())]
    expected = f"⚠ 可能与已有的服务对象「章莉」（{village.short_name}，1948-03-05）是同一人，请核对"
    assert marks == [expected, ""]
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["新增", "新增"]
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "1 行可能与已有的服务对象是同一人" in panel.summary.text()
    panel.filter.setCurrentIndex(panel.filter.findData(WARNED))
    assert model.rowCount() == 1 and model.index(0, 2).data() == "张丽"
    # Still importable: 「全部导入」 writes both rows.
    before = ctx.residents.count(PersonFilter())
    assert panel.import_all_button.isEnabled()
    with qtbot.waitSignal(ctx.events.residents_changed, timeout=5000):
        panel.import_all_button.click()
    assert ctx.residents.count(PersonFilter()) == before + 2


def test_a_hand_added_homophone_is_offered_before_saving(qtbot, ctx, existing, monkeypatch):
    resident, village = existing
    page = ResidentsPage(ctx)
    qtbot.addWidget(page)
    draft = ResidentDraft("张丽", village.id, birth_date=resident.birth_date, phone="13912345678")
    monkeypatch.setattr(ResidentDialog, "edit", classmethod(lambda cls, *a, **k: draft))
    offered = []

    def choose(parent, new, candidates, village_name=""):
        offered.append([c.id for c in candidates])
        return ADD_NEW

    monkeypatch.setattr(DuplicateResidentDialog, "choose", staticmethod(choose))
    before = ctx.residents.count(PersonFilter())
    page.add_resident()
    assert offered == [[resident.id]]
    assert ctx.residents.count(PersonFilter()) == before + 1
    # The same sound with another birth date is someone else: saved without asking.
    other = replace(draft, name="章莉", birth_date=date(1948, 3, 6), phone="13912345679")
    monkeypatch.setattr(ResidentDialog, "edit", classmethod(lambda cls, *a, **k: other))
    page.add_resident()
    assert len(offered) == 1
    assert ctx.residents.count(PersonFilter()) == before + 2
