"""The monthly summary's figures with nothing behind them, overdue times, and the workbook's
numbers (issue #8): a town with no request prints 「—」, not 「办结率 0.0%」, and takes no place
in the 擂台比武; a request a few minutes late is 「超期 5分钟」, not 「超0.0小时」; the .xlsx stores
rates, hours and times as numbers (with the year), and keeps the towns' rows out of the
villages' sheet."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import partial

import pytest
from openpyxl import load_workbook

from tests import helpers
from xianghe_desk.domain.drafts import MemberDraft, RequestDraft
from xianghe_desk.domain.enums import FeedbackRoute, Satisfaction
from xianghe_desk.domain.figures import duration
from xianghe_desk.services.people import MemberService
from xianghe_desk.services.places import PlaceService
from xianghe_desk.services.reports import ReportService
from xianghe_desk.services.requests import RequestService

pdf_text = partial(helpers.pdf_text, layout=True)
AS_OF = datetime(2026, 11, 20, 23, 59)


@pytest.fixture
def october(ws, tmp_path):
    """One village's October: on time, 5 minutes late, 20 seconds late, and still open; every
    other town received nothing. Returns the summary's PDF and workbook paths."""
    places = PlaceService(ws)
    village = places.resolve_village("王刘圈村")
    grid = places.add_grid(village.id, "第一网格")
    member = MemberService(ws).add(
        MemberDraft("李建国", "13812345678", village.town_id, village.id, grid_ids=(grid,))
    )
    service = RequestService(ws)
    start = datetime(2026, 10, 5, 8, 0)
    late = {1: timedelta(minutes=5), 2: timedelta(seconds=20)}
    for i in range(4):
        at = start + timedelta(days=i)
        request = service.register(
            RequestDraft("phone", "repairs", f"第{i + 1}件：修水管", village.id, received_at=at)
        )
        service.dispatch(request.id, member.id, at=at + timedelta(minutes=10))
        if i == 3:
            continue  # open past its due time
        done = request.due_at + late[i] if i in late else at + timedelta(hours=3)
        service.complete(request.id, "on_the_spot", "已修好", at=done)
        if i == 0:
            service.follow_up(
                request.id, FeedbackRoute.PHONE, Satisfaction.SATISFIED, at=done + timedelta(hours=1)
            )
    report_service = ReportService(ws)
    out, xlsx = tmp_path / "october.pdf", tmp_path / "october.xlsx"
    report = report_service.write_monthly("2026-10", report_service.stats.scope(), out, AS_OF, xlsx)
    assert report.figures["received"] == 4
    return out, xlsx, village


def section(text: str, start: str, stop: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(stop, begin + len(start))]


def test_a_town_without_requests_prints_dashes_and_is_not_ranked(october):
    out, _xlsx, village = october
    text = pdf_text(out)
    towns = section(text, "分镇统计", "合计")
    assert re.search(rf"^\s*{village.town_name}\s+4\s+3\s+75\.0%\s+100\.0%\s", towns, re.M)
    quiet = [line for line in towns.splitlines() if re.match(r"^\s*\S+镇\s+0\s", line)]
    assert quiet, "the county has towns without requests"
    for line in quiet:
        assert re.match(r"^\s*\S+\s+0\s+0\s+—\s+—\s+0\s+—\s*$", line), line
    # Anywhere in the summary: a row that received nothing has no 办结率 (占受理比例 0.0% is true).
    empty_rows = re.findall(r"^\s*[\u4e00-\u9fff【]\S*\s+0\s+0\s+(\S+)", text, re.M)
    assert len(empty_rows) > 10 and set(empty_rows) == {"—"}
    ranking = section(text, "各镇擂台比武", "村街擂台比武")
    ranked = re.findall(r"^\s*\d+\s+(\S+)\s+\d+\s", ranking, re.M)
    assert ranked == [village.town_name]


def test_overdue_times_read_sensibly(october):
    out, _xlsx, _village = october
    overdue = section(pdf_text(out), "超期工单清单", "不满意工单清单")
    assert re.search(r"已办结\s+5分钟\s*$", overdue, re.M)
    assert re.search(r"已办结\s+不足1分钟\s*$", overdue, re.M)
    assert re.search(r"已派单\s+\d+\.\d天\s*$", overdue, re.M)
    assert "0.0小时" not in overdue


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(20, "不足1分钟"), (60, "1分钟"), (59 * 60 + 59, "59分钟"), (3600, "1.0小时"), (47 * 3600, "47.0小时"),
     (48 * 3600, "2.0天"), (10 * 86400 + 3 * 3600, "10.1天")],
)  # fmt: skip
def test_duration_text(seconds, text):
    shown = duration(seconds)
    assert shown.text == text
    assert shown.value == pytest.approx(seconds / 86400)


def test_workbook_stores_numbers_dates_and_marks_totals(october):
    _out, xlsx, village = october
    book = load_workbook(xlsx)

    def rows(sheet: str) -> list[list]:
        return [list(r) for r in book[sheet].iter_rows(min_row=3) if r[0].value is not None]

    headline = {r[0].value: r for r in rows("主要指标")}
    received, completion = headline["受理数"][1], headline["办结率"][1]
    assert (received.value, received.data_type) == (4, "n")
    assert (completion.value, completion.data_type, completion.number_format) == (0.75, "n", "0.0%")
    hours = headline["平均办结时长"][1]
    assert hours.data_type == "n" and hours.number_format == "0.0"
    # Last month had nothing: its rates are 「—」 and so is the change.
    assert headline["办结率"][2].value == "—" and headline["办结率"][3].value == "—"
    change = headline["受理数"][3]
    assert (change.value, change.data_type) == (4, "n") and change.number_format.startswith("+0")

    towns = {r[0].value: r for r in rows("分镇统计")}
    town = towns[village.town_name]
    assert [c.value for c in town[1:3]] == [4, 3]
    assert town[3].value == 0.75 and town[3].number_format == "0.0%"
    quiet = next(r for name, r in towns.items() if name != village.town_name and name != "合计")
    assert [c.value for c in quiet[1:]] == [0, 0, "—", "—", 0, "—"]
    assert towns["合计"][0].font.bold

    # Villages: one row each with its town, no town rows mixed in; the total is bold.
    sheet = book["分村街统计"]
    assert [c.value for c in sheet[2]][:3] == ["镇", "村街", "受理数"]
    villages = rows("分村街统计")
    villages = villages[: [r[0].value for r in villages].index("合计") + 1]  # the note follows
    assert not any(str(r[0].value).startswith("【") or str(r[1].value).startswith("【") for r in villages)
    body, total = villages[:-1], villages[-1]
    assert [(r[0].value, r[1].value) for r in body] == [(village.town_name, village.short_name)]
    assert total[0].value == "合计" and total[0].font.bold
    assert sum(r[2].value for r in body) == total[2].value == 4

    # Category subtotals are labelled 小计 and bold.
    subtotals = [r for r in rows("分类统计") if "小计" in str(r[0].value)]
    assert subtotals and all(r[0].font.bold for r in subtotals)

    # Rankings: a rate and its rank in two numeric columns.
    ranking = book["各镇擂台比武"]
    headers = [c.value for c in ranking[2]]
    assert headers[3:5] == ["办结率", "办结率名次"]
    first = rows("各镇擂台比武")[0]
    assert first[1].value == village.town_name
    assert (first[3].value, first[3].number_format, first[4].value) == (0.75, "0.0%", 1)
    assert len([r for r in rows("各镇擂台比武") if isinstance(r[0].value, int)]) == 1

    # Lists: the full date and time; how late as a duration.
    overdue = book["超期工单清单"]
    headers = [c.value for c in overdue[2]]
    when, late = headers.index("受理时间"), headers.index("超期时长（时:分）")
    listed = rows("超期工单清单")[:3]
    for row in listed:
        assert row[when].is_date and row[when].value.year == 2026
        assert row[when].number_format == "yyyy-mm-dd hh:mm"
        assert row[late].number_format == "[h]:mm"
    lateness = sorted(row[late].value.total_seconds() for row in listed)
    assert lateness[:2] == [pytest.approx(20, abs=1), pytest.approx(300, abs=1)]
    book.close()
