"""Importing villages and grids: official and short names, codes, repeats across towns."""

from __future__ import annotations

from tests.unit.sheet_files import write_xlsx
from xianghe_desk.services.imports import ImportService, RowAction
from xianghe_desk.services.places import PlaceService

VIL = ["所属镇", "村街名称", "统计代码", "片区"]
GRID = ["所属镇", "所属村街", "网格名称", "网格编号", "网格长", "户数", "人口数", "网格党小组"]


def _import(ws, kind, path, **options):
    return ImportService(ws).import_file(kind, path, **options)


def test_villages_official_short_and_new(ws, tmp_path):
    rows = [
        ["渠口镇", "王刘圈村村民委员会", None, None],  # already there (official name)
        ["淑阳镇", "康宁社区", None, "城东片区"],  # already there (short name): district added
        ["刘宋镇", "刘庄村", "131024105217", None],  # a name that repeats across towns
        ["淑阳镇", "新建村村民委员会", "131024100299", "城西片区"],  # new
        ["河北省廊坊市香河县钱旺镇", "新建村", None, None],  # another town: another village
    ]
    path = write_xlsx(tmp_path / "v.xlsx", VIL, rows)
    plan = ImportService(ws).plan(ImportService(ws).read("villages", path))
    assert [r.action for r in plan.rows] == [
        RowAction.SAME,
        RowAction.UPDATE,
        RowAction.SAME,
        RowAction.ADD,
        RowAction.ADD,
    ]
    assert plan.rows[1].changes == ("片区",)
    report = _import(ws, "villages", path)
    assert (report.added, report.updated) == (2, 1)
    places = PlaceService(ws)
    new = places.resolve_village("新建村", "淑阳镇")
    assert (new.name, new.short_name, new.code, new.district) == (
        "新建村村民委员会",
        "新建村",
        "131024100299",
        "城西片区",
    )
    assert places.resolve_village("新建村", "钱旺镇").id != new.id
    assert places.resolve_village("康宁社区居民委员会", "淑阳镇").district == "城东片区"
    assert _import(ws, "villages", path).unchanged == 5


def test_village_refusals(ws, tmp_path):
    rows = [
        ["淑阳镇", "某村", "131024105999", None],  # code of another town
        ["淑阳镇", "某村二", "12345", None],  # not 12 digits
        ["无此镇", "某村三", None, None],
        ["渠口镇", "王刘圈村", "131024102299", None],  # code differs from the village's own
        ["淑阳镇", "甲村", None, None],
        ["淑阳镇", "甲村村民委员会", None, None],  # the same village twice
    ]
    report = _import(ws, "villages", write_xlsx(tmp_path / "v.xlsx", VIL, rows))
    got = [(r.row, r.column) for r in report.refusals]
    assert got == [(2, "统计代码"), (3, "统计代码"), (4, "所属镇"), (7, "村街名称")]
    # 王刘圈村 found by name gets the code written in: a fix, not a refusal.
    assert report.updated == 1 and not report.written


def test_grids_added_then_recognised_by_name_or_number(ws, tmp_path):
    rows = [
        ["渠口镇", "王刘圈村", "第一网格", "WLQ-01", "李建国", 120, "350人", "第一网格党小组"],
        ["渠口镇", "王刘圈村", "第二网格", "WLQ-02", None, None, None, None],
    ]
    path = write_xlsx(tmp_path / "g.xlsx", GRID, rows)
    assert _import(ws, "grids", path).added == 2
    village = PlaceService(ws).resolve_village("王刘圈村", "渠口镇")
    first = PlaceService(ws).resolve_grid(village, "WLQ-01")
    assert (first.name, first.head_name, first.households, first.population) == (
        "第一网格",
        "李建国",
        120,
        350,
    )
    assert _import(ws, "grids", path).unchanged == 2
    renamed = write_xlsx(
        tmp_path / "g2.xlsx", GRID, [["渠口镇", "王刘圈村", "前街网格", "WLQ-02", None, 99, None, None]]
    )
    report = _import(ws, "grids", renamed)
    assert report.updated == 1
    assert PlaceService(ws).resolve_grid(village, "WLQ-02").name == "前街网格"
    bad = write_xlsx(
        tmp_path / "g3.xlsx",
        GRID,
        [
            ["渠口镇", "王刘圈村", "第一网格", "WLQ-02", None, "很多", -1, None],
            ["渠口镇", "王刘圈村", None, None, None, None, None, None],
        ],
    )
    got = {(r.row, r.column) for r in _import(ws, "grids", bad).refusals}
    assert got == {(2, "网格编号"), (2, "户数"), (2, "人口数"), (3, "网格名称")}
