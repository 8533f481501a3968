"""How fast printing is (issue #4): one work order well under 100 ms, 1,000 work orders in one PDF
under 30 s, the county's monthly summary on the ``large`` demo database under 5 s.

Run on demand: ``XIANGHE_LARGE_DB=/tmp/large.db python -m pytest -m perf tests/perf/test_pdf_perf.py -s``.
"""

from __future__ import annotations

import io
import shutil
import statistics
import time
from pathlib import Path

from xianghe_desk.domain.figures import month_of, previous_month
from xianghe_desk.domain.queries import RequestFilter
from xianghe_desk.pdf.work_order import build_work_orders
from xianghe_desk.services.printing import PrintService
from xianghe_desk.services.reports import ReportService
from xianghe_desk.services.workspace import Workspace


def _demo_copy(small_demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(small_demo, path)
    return path


def test_one_work_order_well_under_100_ms(small_demo, tmp_path):
    with Workspace.open(_demo_copy(small_demo, tmp_path)) as ws:
        service = PrintService(ws)
        request_id = service.requests.ids(RequestFilter())[0]
        sheet = next(service.sheets(ws.requests.get_many([request_id])))
        build_work_orders([sheet], io.BytesIO(), 1)  # font loaded once per process
        layout = []
        for _ in range(20):
            started = time.perf_counter()
            build_work_orders([sheet], io.BytesIO(), 1)
            layout.append(time.perf_counter() - started)
        whole = []
        for _ in range(10):
            started = time.perf_counter()
            service.write_work_orders([request_id], tmp_path / "one.pdf", mark_printed=False)
            whole.append(time.perf_counter() - started)
    print(
        f"one work order: layout median {statistics.median(layout) * 1000:.1f} ms, "
        f"with database reads and file {statistics.median(whole) * 1000:.1f} ms"
    )
    assert statistics.median(layout) < 0.1
    assert statistics.median(whole) < 0.1


def test_1000_work_orders_in_one_pdf_under_30_s(small_demo, tmp_path):
    with Workspace.open(_demo_copy(small_demo, tmp_path)) as ws:
        service = PrintService(ws)
        ids = service.requests.ids(RequestFilter())[:1000]
        assert len(ids) == 1000
        out = tmp_path / "batch.pdf"
        started = time.perf_counter()
        result = service.write_work_orders(ids, out, mark_printed=True)
        elapsed = time.perf_counter() - started
    print(f"1,000 work orders: {elapsed:.1f} s, {result.pages} pages, {out.stat().st_size / 1e6:.1f} MB")
    assert result.pages >= 1000
    assert elapsed < 30


def test_county_monthly_summary_on_the_large_database_under_5_s(large_db, tmp_path):
    with Workspace.open(large_db) as ws:
        service = ReportService(ws)
        scope = service.stats.scope()
        # The last complete month: a whole month of the large demo's requests (about 80,000).
        month = previous_month(month_of(ws.now().date()))
        started = time.perf_counter()
        report = service.write_monthly(month, scope, tmp_path / "county.pdf", xlsx=tmp_path / "county.xlsx")
        elapsed = time.perf_counter() - started
    print(
        f"county summary {month}: {elapsed:.2f} s, {report.pages} pages, "
        f"{report.figures['received']} requests received"
    )
    assert report.figures["received"] > 10_000
    assert elapsed < 5
