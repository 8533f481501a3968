"""An import straight from a file (the command line's ``import``, issue #13) plans each row as it
is read and keeps none of the sheet: the same records, refusals and report as an import of a
sheet read whole, the rows parsed no further ahead than the one being planned, and the
all-or-nothing rule unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.sheet_files import bad_checksum, make_id, write_csv, write_xlsx
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.operations.imports import import_file
from xianghe_desk.services.import_people import ResidentPlanner
from xianghe_desk.services.imports import ImportService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets import reader

HEADER = ["姓名", "所属镇", "所属村街", "身份证号", "联系电话", "服务类别", "居住地址"]
GIVEN = "秀兰桂英玉珍凤芝淑华建国志强明德文海春生秋菊金花振福宝山永红丽娟树林长青俊杰"


def _rows(count: int, bad: tuple[int, ...] = ()) -> list[list[str]]:
    rows = []
    for i in range(count):
        number = make_id(f"131024{1930 + i % 60}0{1 + i % 9}1{i % 10}{i % 1000:03d}"[:17])
        rows.append(
            [
                f"王{GIVEN[i % len(GIVEN)]}{GIVEN[(i // len(GIVEN)) % len(GIVEN)]}",
                "渠口镇",
                "王刘圈村",
                bad_checksum(number) if i in bad else number,
                f"1381234{i:04d}",
                "独居老人" if i % 2 else "",
                f"东街{i}号",
            ]
        )
    return rows


@pytest.fixture
def village(ws: Workspace):
    return PlaceService(ws).resolve_village("王刘圈村", "渠口镇")


def _summary(report) -> tuple:  # type: ignore[no-untyped-def]
    return (
        report.total,
        report.added,
        report.updated,
        report.unchanged,
        report.refused,
        [str(r) for r in report.refusals],
        report.refused_rows,
        report.changes,
        [str(w) for w in report.row_warnings],
        report.warnings,
        report.summary(),
    )


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_file_import_reports_what_an_import_of_the_sheet_read_whole_reports(
    ws: Workspace, village, tmp_path: Path, suffix: str
) -> None:
    rows = _rows(120, bad=(7, 64))
    rows[30][0] = ""  # 必填
    path = (write_xlsx if suffix == "xlsx" else write_csv)(tmp_path / f"people.{suffix}", HEADER, rows)
    service = ImportService(ws)
    whole = service.import_sheet(service.read("residents", path), dry_run=True)
    streamed = service.import_file("residents", path, dry_run=True)
    assert _summary(streamed) == _summary(whole)
    assert whole.refused == 3 and set(whole.refused_rows) == {9, 32, 66}
    # All or nothing: refused rows mean nothing is written, read whole or streamed.
    assert not service.import_file("residents", path).written
    assert ws.residents.count() == 0
    report = service.import_file("residents", path, valid_only=True)
    assert report.written and report.added == 117 and ws.residents.count() == 117
    again = import_file(ws, "residents", path, valid_only=True).value
    assert (again.added, again.unchanged, again.refused) == (0, 117, 3)


def test_rows_are_read_as_they_are_planned_and_none_is_kept(
    ws: Workspace, village, tmp_path: Path, monkeypatch
) -> None:
    path = write_xlsx(tmp_path / "people.xlsx", HEADER, _rows(300))
    parsed: list[int] = []
    laid_out = reader._laid_out

    def counting(cells, max_col):  # type: ignore[no-untyped-def]
        parsed.append(1)
        return laid_out(cells, max_col)

    monkeypatch.setattr(reader, "_laid_out", counting)
    ahead: list[int] = []
    kept: list[int] = []
    plan_row = ResidentPlanner.plan_row

    def planning(self, cells):  # type: ignore[no-untyped-def]
        # rows parsed beyond the header rows the reader looks at first, minus rows planned so far
        ahead.append(len(parsed) - (cells.number - cells.sheet.header_row - 1))
        kept.append(len(cells.sheet.rows))
        return plan_row(self, cells)

    monkeypatch.setattr(ResidentPlanner, "plan_row", planning)
    report = import_file(ws, "residents", path).value
    assert report.added == 300 and ws.residents.count() == 300
    assert len(ahead) == 300
    assert max(ahead) <= 1  # never more than the row being planned is parsed ahead
    assert set(kept) == {0}  # the sheet keeps no rows


def test_a_streamed_sheet_is_read_again_when_another_program_wrote_meanwhile(
    ws: Workspace, village, tmp_path: Path, monkeypatch
) -> None:
    path = write_xlsx(tmp_path / "people.xlsx", HEADER, _rows(50))
    service = ImportService(ws)
    prepared = service.prepare(service.open("residents", path))
    assert prepared.sheet.streamed and not prepared.sheet.rows
    with pytest.raises(RuntimeError):
        prepared.sheet.take_rows()  # its rows were planned once and are gone
    prepared.version -= 1  # as if another program had committed since
    report = service.import_file("residents", path, prepared=prepared)
    assert report.written and report.added == 50 and ws.residents.count() == 50


def test_a_streamed_file_with_too_many_rows_is_still_refused(
    ws: Workspace, village, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    path = write_csv(tmp_path / "big.csv", HEADER, _rows(8))
    with pytest.raises(ValidationError, match="一次最多导入 5 行"):
        ImportService(ws).import_file("residents", path)
    assert ws.residents.count() == 0


def _resident_indexes(ws: Workspace) -> set[tuple[str, str]]:
    rows = ws.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents' AND sql IS NOT NULL"
    ).fetchall()
    return {(name, sql) for name, sql in rows}


def test_a_large_first_import_builds_the_residents_indexes_once_and_keeps_them(
    ws: Workspace, village, tmp_path: Path, monkeypatch
) -> None:
    from xianghe_desk.store import imports as store_imports

    monkeypatch.setattr(store_imports, "BULK_ROWS", 10)
    before = _resident_indexes(ws)
    assert len(before) >= 5
    dropped: list[str] = []
    execute = ws.db.execute

    def watching(sql, *args, **kwargs):  # type: ignore[no-untyped-def]
        if sql.startswith("DROP INDEX"):
            dropped.append(sql)
        return execute(sql, *args, **kwargs)

    monkeypatch.setattr(ws.db, "execute", watching)
    path = write_xlsx(tmp_path / "people.xlsx", HEADER, _rows(40))
    assert import_file(ws, "residents", path).value.added == 40
    assert len(dropped) == len(before)  # the bulk path was taken
    assert _resident_indexes(ws) == before
    assert ws.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The indexes answer as before: a search by name pinyin finds the imported rows.
    pinyin = ws.db.execute("SELECT name_pinyin FROM residents LIMIT 1").fetchone()[0]
    plan = " ".join(
        str(r[-1])
        for r in ws.db.execute("EXPLAIN QUERY PLAN SELECT id FROM residents WHERE name_pinyin = ?", [pinyin])
    )
    assert "USING" in plan and "INDEX" in plan
    # A second import of as many rows no longer doubles the table: indexes filled row by row.
    dropped.clear()
    more = [[f"李{row[0][1:]}", *row[1:3], "", row[4], row[5], row[6]] for row in _rows(30)]
    path = write_xlsx(tmp_path / "more.xlsx", HEADER, more)
    assert import_file(ws, "residents", path).value.added == 30
    assert dropped == [] and _resident_indexes(ws) == before


def test_an_import_that_fails_after_setting_the_indexes_aside_leaves_them_and_no_rows(
    ws: Workspace, village, tmp_path: Path, monkeypatch
) -> None:
    from xianghe_desk.store import imports as store_imports

    monkeypatch.setattr(store_imports, "BULK_ROWS", 10)
    before = _resident_indexes(ws)
    real = store_imports.ImportStore._set_indexes_aside

    def failing_later(self, adding):  # type: ignore[no-untyped-def]
        real(self, adding)
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(store_imports.ImportStore, "_set_indexes_aside", failing_later)
    path = write_xlsx(tmp_path / "people.xlsx", HEADER, _rows(40))
    with pytest.raises(Exception, match="disk is gone"):
        ImportService(ws).import_file("residents", path)
    assert ws.residents.count() == 0
    assert _resident_indexes(ws) == before
