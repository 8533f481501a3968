"""Hostile and broken files (issue #10): formula injection, formulas without values, size limits,
zip bombs in packages, and table names from a package that must never reach SQL."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.unit.sheet_files import write_csv, write_xlsx
from xianghe_desk.domain.drafts import ResidentDraft, clean_resident
from xianghe_desk.domain.errors import ValidationError
from xianghe_desk.services import exchange_files
from xianghe_desk.services.exports import ExportService
from xianghe_desk.services.imports import ImportService, RowAction
from xianghe_desk.services.people import ResidentService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.sheets import reader
from xianghe_desk.sheets.safe import csv_text
from xianghe_desk.store.conflicts import ConflictStore
from xianghe_desk.store.exchange import SyncStore
from xianghe_desk.store.sync_apply import SyncApplier, UnknownTableError

HYPERLINK = '=HYPERLINK("http://evil.example/x","点这里")'
HEADER = ["姓名", "所属镇", "所属村街", "居住地址", "备注"]


@pytest.fixture
def village(ws: Workspace):
    return PlaceService(ws).resolve_village("王刘圈村", "渠口镇")


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        return "".join(archive.read(n).decode("utf-8") for n in names)


def test_an_imported_formula_is_exported_as_text(ws: Workspace, village, tmp_path: Path) -> None:
    rows = [
        ["张三丰", "渠口镇", "王刘圈村", HYPERLINK, "+1+2"],
        ["李四光", "渠口镇", "王刘圈村", "@SUM(A1)", "-3"],
    ]
    sheet = write_csv(tmp_path / "in.csv", HEADER, [[c.replace(",", "，") for c in r] for r in rows])
    report = ImportService(ws).import_file("residents", sheet)
    assert report.added == 2, report.refusals
    out = tmp_path / "out.xlsx"
    ExportService(ws).export("residents", out)
    assert "<f>" not in _sheet_xml(out)  # no cell of the export is a formula
    book = load_workbook(out)
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= {HYPERLINK.replace(",", "，"), "+1+2", "@SUM(A1)", "-3"}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)


def test_the_refusal_report_writes_the_refused_cells_as_text(ws: Workspace, village, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "bad.xlsx", HEADER, [["=1+1", "渠口镇", "没有这个村", "=2+2", ""]])
    report = ImportService(ws).import_file("residents", sheet)
    assert report.refused == 1
    saved = report.save_xlsx(tmp_path / "report.xlsx")
    assert "<f>" not in _sheet_xml(saved)


def test_csv_values_get_an_apostrophe() -> None:
    assert [csv_text(v) for v in ("=1+1", "+86", "-", "@x", "\tx", "普通", None)] == [
        "'=1+1",
        "'+86",
        "'-",
        "'@x",
        "'\tx",
        "普通",
        "",
    ]


def _with_cached_value(path: Path, cell: str, formula: str, value: str | None) -> Path:
    """Put a formula (with or without Excel's saved value) into ``cell`` of a written .xlsx."""
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode("utf-8")
    saved = f"<v>{value}</v>" if value is not None else ""
    kind = ' t="str"' if value is not None else ""
    xml, count = re.subn(
        rf'<c r="{cell}"[^>]*>.*?</c>', f'<c r="{cell}"{kind}><f>{formula}</f>{saved}</c>', xml
    )
    assert count == 1
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return path


def test_a_formula_without_a_saved_value_says_so(ws: Workspace, village, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", HEADER, [["占位名字", "渠口镇", "王刘圈村", "地址", ""]])
    _with_cached_value(path, "A2", 'CONCATENATE("张","三")', None)
    report = ImportService(ws).import_file("residents", path)
    messages = [r.message for r in report.refusals]
    assert report.refused == 1 and messages == [reader.FORMULA_MESSAGE], messages
    assert not any("必填" in m for m in messages)


def test_a_formula_with_a_saved_value_imports_the_value(ws: Workspace, village, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", HEADER, [["占位名字", "渠口镇", "王刘圈村", "地址", ""]])
    _with_cached_value(path, "A2", 'CONCATENATE("张","三")', "张三")
    report = ImportService(ws).import_file("residents", path)
    assert report.added == 1, report.refusals
    assert ws.db.execute("SELECT name FROM residents").fetchone()[0] == "张三"


def test_too_many_rows_are_refused_early(ws: Workspace, village, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    rows = [[f"王{'一二三四五六七八'[i]}", "渠口镇", "王刘圈村", "", ""] for i in range(8)]
    for path in (
        write_xlsx(tmp_path / "big.xlsx", HEADER, rows),
        write_csv(tmp_path / "big.csv", HEADER, rows),
    ):
        with pytest.raises(ValidationError, match="一次最多导入 5 行"):
            ImportService(ws).read("residents", path)
    ok = write_xlsx(tmp_path / "ok.xlsx", HEADER, rows[:5])
    assert len(ImportService(ws).read("residents", ok).rows) == 5


def test_a_sheet_without_a_dimension_is_counted_while_reading(
    ws: Workspace, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    rows = [[f"王{'一二三四五六'[i]}", "渠口镇", "王刘圈村", "", ""] for i in range(6)]
    path = write_xlsx(tmp_path / "nodim.xlsx", HEADER, rows)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb"<dimension[^>]*/>", b"", parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    with pytest.raises(ValidationError, match="超过 3"):
        ImportService(ws).read("residents", path)


def test_oversized_files_are_refused_before_reading(ws: Workspace, tmp_path: Path, monkeypatch) -> None:
    rows = [["王五", "渠口镇", "王刘圈村", "地址" * 50, ""]] * 20
    monkeypatch.setattr(reader, "MAX_XLSX_UNPACKED", 4096)
    with pytest.raises(ValidationError, match="解压后"):
        ImportService(ws).read("residents", write_xlsx(tmp_path / "a.xlsx", HEADER, rows))
    monkeypatch.setattr(reader, "MAX_CSV_BYTES", 1024)
    with pytest.raises(ValidationError, match="MB"):
        ImportService(ws).read("residents", write_csv(tmp_path / "a.csv", HEADER, rows))


def test_a_ten_thousand_character_address_is_refused(ws: Workspace, village, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="居住地址太长（10000 字），最多 200 字"):
        clean_resident(
            ResidentDraft(name="张三", village_id=village.id, address="长" * 10000), ws.now().date()
        )
    with pytest.raises(ValidationError, match="备注太长"):
        ResidentService(ws).add(ResidentDraft(name="张三", village_id=village.id, note="长" * 2001))
    sheet = write_xlsx(tmp_path / "long.xlsx", HEADER, [["张三", "渠口镇", "王刘圈村", "长" * 10000, ""]])
    plan = ImportService(ws).plan(ImportService(ws).read("residents", sheet))
    assert plan.rows[0].action is RowAction.REFUSE
    assert "最多 200 字" in plan.refusals[0].message


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_package_that_inflates_too_far_is_refused_while_inflating(monkeypatch) -> None:
    monkeypatch.setattr(exchange_files, "MAX_UNPACKED_BYTES", 1 << 20)
    bomb = b"{}\n" * (2 << 20)  # 6 MB of rows that deflate to a few KB
    manifest = b'{"files": {"residents.jsonl": {"sha256": "x"}}}'
    plain = _zip({"manifest.json": manifest, "residents.jsonl": bomb})
    assert len(plain) < 100_000
    with pytest.raises(ValidationError, match="超出本程序一次能导入的大小"):
        exchange_files.unzip_package(plain, "bomb.xhpkg")
    # A part whose header lies about its size cannot get past the limit either: zipfile stops
    # inflating at the stated size, and the stated sizes are counted.
    budget = exchange_files._Budget("x.xhpkg", limit=1000)
    with zipfile.ZipFile(io.BytesIO(plain)) as archive, pytest.raises(ValidationError):
        budget.read(archive, "residents.jsonl")


def test_a_package_file_too_large_is_refused_before_reading(
    ws: Workspace, tmp_path: Path, monkeypatch
) -> None:
    from xianghe_desk.services import exchange
    from xianghe_desk.services.exchange import ExchangeService

    monkeypatch.setattr(exchange, "MAX_PACKAGE_BYTES", 10)
    big = tmp_path / "big.xhpkg"
    big.write_bytes(b"XHDX1\n" + b"0" * 100)
    with pytest.raises(ValidationError, match="超出本程序一次能导入的大小"):
        ExchangeService(ws).read_package(big)


def test_a_table_name_from_a_package_never_reaches_sql(ws: Workspace) -> None:
    applier = SyncApplier(ws.db, SyncStore(ws.db), ws.device.tag)
    hostile = "residents; DROP TABLE residents; --"
    for call in (lambda: applier.row_id(hostile, "x"), lambda: applier.fetch_row(hostile, 1)):
        with pytest.raises(UnknownTableError):
            call()
    record = {
        "uuid": "c1",
        "kind": "field",
        "tbl": hostile,
        "row_uuid": "r",
        "unit": "name",
        "stamp_a": "a",
        "device_a": "A",
        "value_a": "1",
        "stamp_b": "b",
        "device_b": "B",
        "value_b": "2",
    }
    store = ConflictStore(ws.db, ws.device.tag)
    for bad in (
        {"tbl": hostile},
        {"tbl": "residents", "unit": "name = 1; --"},
        {"tbl": "residents", "kind": "x"},
    ):
        with pytest.raises(ValidationError, match="数据包不可信"):
            store.merge({**record, **bad})
    assert ws.db.execute("SELECT count(*) FROM sync_conflicts").fetchone()[0] == 0
    assert "residents" in ws.db.table_names()
