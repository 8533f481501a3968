"""Child process of bench.py: importing 50,000 residents, and openpyxl reading the same file.

    python tests/perf/bench_import.py sheet OUT.xlsx
    python tests/perf/bench_import.py sheet-shared SHEET.xlsx OUT.xlsx
    python tests/perf/bench_import.py program SHEET.xlsx WORKDIR
    python tests/perf/bench_import.py openpyxl SHEET.xlsx

``sheet`` writes the 50,000 realistic rows of tests/perf/test_import_perf.py (one generator for
both), its strings inline in the sheet as openpyxl's write-only mode saves them. ``sheet-shared``
writes the same rows again the way Excel and WPS save a workbook: every text in
xl/sharedStrings.xml and a <dimension> tag, which openpyxl reads much faster (so the ratio to
openpyxl's read of it is the harder one). ``program`` imports them into a fresh database in WORKDIR through the same operation the
desk and ``xianghe-desk import`` use; ``openpyxl`` iterates the file read-only, as the baseline.
Each runs in a process of its own, so that bench.py reads its peak memory (ru_maxrss).
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import dump_profile, emit, maybe_profile, proc_status_mb


def _prepare_db(path: Path) -> None:
    """A fresh database with the grids the sheet names (as test_import_perf's fixture makes it)."""
    from test_import_perf import TOWN

    from xianghe_desk.services.places import PlaceService
    from xianghe_desk.services.workspace import Workspace

    with Workspace.open(path) as ws:
        places = PlaceService(ws)
        town = places.resolve_town(TOWN)
        for village in places.villages(town.id):
            places.add_grid(village.id, "第一网格")
            places.add_grid(village.id, "第二网格")


def sheet(out: Path) -> None:
    import tempfile

    from test_import_perf import TOWN, _sheet

    from xianghe_desk.services.places import PlaceService
    from xianghe_desk.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as folder:
        with Workspace.open(Path(folder) / "names.db") as ws:
            places = PlaceService(ws)
            names = [v.short_name for v in places.villages(places.resolve_town(TOWN).id)]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part.xlsx")
    _sheet(partial, names, random.Random(5))
    partial.replace(out)
    emit({"rows": 50_000, "path": str(out)})


_INLINE_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?) t="inlineStr"><is>(<t[^>]*>.*?</t>)</is></c>', re.S)
_EMPTY_INLINE = re.compile(r'<c r="[A-Z]+\d+"[^>]*? t="inlineStr" ?/>')  # "" written; Excel leaves it out
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def sheet_shared(source: Path, out: Path) -> None:
    """``source`` saved again as Excel saves it: its texts in xl/sharedStrings.xml, a <dimension>.

    openpyxl (3.1, without lxml) writes inline strings whatever the mode, so the file is rewritten
    part by part: every inline-string cell becomes an index into the shared strings, in order of
    first use as Excel numbers them, and an empty string (read as empty anyway) is left out as
    Excel leaves out an empty cell; the values read stay the same.
    """
    import zipfile

    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import column_index_from_string

    strings: dict[str, int] = {}
    widest = [0, 0, 0]  # column, row, cells

    def shared(match: re.Match[str]) -> str:
        letters, row, rest, text = match.groups()
        widest[0] = max(widest[0], column_index_from_string(letters))
        widest[1] = max(widest[1], int(row))
        widest[2] += 1
        index = strings.setdefault(text, len(strings))
        return f'<c r="{letters}{row}"{rest} t="s"><v>{index}</v></c>'

    partial = out.with_name(out.name + ".part.xlsx")
    with zipfile.ZipFile(source) as reader, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as writer:
        for info in reader.infolist():
            text = reader.read(info).decode("utf-8")
            if info.filename == "xl/worksheets/sheet1.xml":
                text = _INLINE_CELL.sub(shared, _EMPTY_INLINE.sub("", text))
                dimension = f'<dimension ref="A1:{get_column_letter(widest[0])}{widest[1]}" />'
                text = re.sub(r"<dimension [^>]*/>", "", text).replace(
                    "<sheetViews>", dimension + "<sheetViews>", 1
                )
            elif info.filename == "[Content_Types].xml":
                part = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}" />'
                text = text.replace("</Types>", part + "</Types>")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdShared" Type="{_SST_REL}" Target="sharedStrings.xml" />'
                text = text.replace("</Relationships>", rel + "</Relationships>")
            writer.writestr(info.filename, text)
        items = "".join(f"<si>{text}</si>" for text in strings)
        writer.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{widest[2]}" uniqueCount="{len(strings)}">{items}</sst>',
        )
    with zipfile.ZipFile(partial) as archive:
        head = archive.open("xl/worksheets/sheet1.xml").read()
    if not strings or b"<dimension" not in head[:2000] or b"inlineStr" in head:
        raise SystemExit("the sheet was not rewritten with shared strings and a dimension tag")
    partial.replace(out)
    emit({"rows": widest[1] - 1, "strings": len(strings), "path": str(out)})


def program(path: Path, workdir: Path) -> None:
    from xianghe_desk.operations.imports import import_file
    from xianghe_desk.services.workspace import Workspace

    db = workdir / "import.db"
    _prepare_db(db)
    with Workspace.open(db) as ws:
        before = proc_status_mb("VmRSS")
        profiler = maybe_profile()
        started = time.perf_counter()
        report = import_file(ws, "residents", path).value
        elapsed = time.perf_counter() - started
        dump_profile(profiler)
        stored = ws.residents.count()
    emit(
        {
            "seconds": elapsed,
            "added": report.added,
            "refused": report.refused,
            "stored": stored,
            "rss_before_mb": before,
            "hwm_mb": proc_status_mb("VmHWM"),
        }
    )


def openpyxl_read(path: Path) -> None:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    emit({"seconds": time.perf_counter() - started, "rows": rows, "hwm_mb": proc_status_mb("VmHWM")})


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "sheet":
        sheet(Path(sys.argv[2]))
    elif mode == "sheet-shared":
        sheet_shared(Path(sys.argv[2]), Path(sys.argv[3]))
    elif mode == "program":
        program(Path(sys.argv[2]), Path(sys.argv[3]))
    elif mode == "openpyxl":
        openpyxl_read(Path(sys.argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.flush()
    os._exit(0)
