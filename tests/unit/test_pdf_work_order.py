"""服务工单 PDFs: what the paper shows, long texts continuing on a second page, batches, A5,
the embedded font, printing recorded in the history, and the ``workorder`` command."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers import pdf_page_size as page_size
from tests.helpers import pdf_pages, pdf_text, run_cli, squash
from xianghe_desk.domain.drafts import RequestDraft, ResidentDraft
from xianghe_desk.domain.enums import CareTag, FeedbackRoute, Satisfaction, Status, Urgency
from xianghe_desk.domain.errors import NotFoundError, ValidationError
from xianghe_desk.domain.queries import PersonFilter, RequestFilter
from xianghe_desk.pdf.flowables import QrCode
from xianghe_desk.services.people import MemberService, ResidentService, mask_id_number
from xianghe_desk.services.printing import PrintService
from xianghe_desk.services.requests import RequestService


def fonts_embedded(path: Path) -> list[tuple[str, str]]:
    """(font name, emb column) for every font pdffonts lists."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type encoding emb sub uni object ID — "Type 1" and "TrueType" differ in word count.
        rows.append((parts[0], parts[-5]))
    return rows


@pytest.fixture
def dispatched(demo_ws, clock):
    """A fresh request for a known resident with care tags, dispatched to an active member."""
    residents = ResidentService(demo_ws)
    resident = next(r for r in residents.list(PersonFilter(), 0, 400) if r.id_number and r.grid_id)
    village = demo_ws.villages.get(resident.village_id)
    tagged = ResidentDraft(
        resident.name,
        resident.village_id,
        id_number=resident.id_number or "",
        phone=resident.phone,
        grid_id=resident.grid_id,
        care_tags=(CareTag.ELDERLY_ALONE, CareTag.DIBAO),
        address="蒋辛屯镇东街12号",
        emergency_name="王强",
        emergency_phone="13912345678",
    )
    residents.update(resident.id, tagged)
    member = MemberService(demo_ws).handlers_for(village.id, resident.grid_id)[0]
    service = RequestService(demo_ws)
    request = service.register(
        RequestDraft(
            "hotline_12345",
            "repairs",
            "家中水管冻裂漏水，需要上门维修。",
            village.id,
            resident_id=resident.id,
        ),
        handler_id=member.id,
    )
    return service.get(request.id), residents.get(resident.id), member


def test_one_work_order_shows_everything_on_one_page(demo_ws, dispatched, tmp_path):
    request, resident, member = dispatched
    out = tmp_path / "one.pdf"
    result = PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False)
    assert (result.orders, result.pages) == (1, 1)
    assert pdf_pages(out) == 1
    text = squash(pdf_text(out))
    for expected in (
        "香河县蒋辛屯镇",
        "服务工单",
        request.number,
        "12345热线",
        "维修帮扶",
        "家中水管冻裂漏水，需要上门维修。",
        resident.name,
        mask_id_number(resident.id_number),
        resident.phone,
        "蒋辛屯镇东街12号",
        "独居老人、低保",
        "王强",
        "13912345678",
        member.name,
        member.phone,
        "办理情况",
        "现场办结",
        "代办代跑",
        "政策解答",
        "承办人签字",
        "群众签字",
        "回访",
        "电话回访",
        "上门回访",
        "基本满意",
        "不满意",
    ):
        assert squash(expected) in text, expected
    # The full ID number never reaches the paper.
    assert resident.id_number not in text
    assert all(emb == "yes" for _name, emb in fonts_embedded(out))
    assert any("WenQuanYi" in name for name, _emb in fonts_embedded(out))


def test_qr_code_encodes_the_number():
    from reportlab.graphics.barcode import qrencoder

    code = QrCode("100-K7M3-2611-0042", 72)
    reference = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    reference.addData("100-K7M3-2611-0042")
    reference.make()
    assert code.modules == reference.modules
    assert code.wrap(500, 500) == (72, 72)


def test_urgent_request_is_clearly_marked(demo_ws, dispatched, tmp_path):
    _request, resident, member = dispatched
    service = RequestService(demo_ws)
    urgent = service.register(
        RequestDraft("phone", "repairs", "燃气泄漏", resident.village_id, urgency=Urgency.URGENT),
        handler_id=member.id,
    )
    out = tmp_path / "urgent.pdf"
    PrintService(demo_ws).write_work_orders([urgent.id], out, mark_printed=False)
    text = squash(pdf_text(out))
    assert "【紧急】" in text
    assert "紧急：2小时内办结" in text
    assert f"{urgent.due_at:%Y-%m-%d%H:%M}" in text


def test_a_3000_character_text_wraps_and_is_complete_on_two_pages(demo_ws, dispatched, tmp_path):
    _request, resident, member = dispatched
    sentences = [f"第{i:03d}句群众反映村东头排水沟长期堵塞雨天积水影响出行。" for i in range(1, 112)]
    content = "".join(sentences)[:3000]
    assert len(content) == 3000
    request = RequestService(demo_ws).register(
        RequestDraft("phone", "sanitation", content, resident.village_id), handler_id=member.id
    )
    out = tmp_path / "long.pdf"
    result = PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False)
    assert result.pages == pdf_pages(out) == 2
    # The text continues on page 2 (marked 续页). Cut the request text out of both pages —
    # after the 诉求内容 heading, before the footer; after the 续页 header, before 办理情况 —
    # and it must read exactly as registered, not a character lost or cut.
    first, second = squash(pdf_text(out, page=1)), squash(pdf_text(out, page=2))
    start = first.index("诉求内容") + len("诉求内容")
    footer = squash(PrintService(demo_ws).footer())
    part1 = first[start : first.index(footer, start)]
    assert "（续页）" in second
    part2 = second[second.index("（续页）") + len("（续页）") : second.index("■办理情况")]
    assert part1 + part2 == squash(content)
    assert part1 and part2  # it really was split across the pages


def test_a5_work_order(demo_ws, dispatched, tmp_path):
    request, _resident, _member = dispatched
    out = tmp_path / "a5.pdf"
    PrintService(demo_ws).write_work_orders([request.id], out, page="A5", mark_printed=False)
    assert page_size(out) == (148, 210)
    assert pdf_pages(out) == 1
    assert request.number in pdf_text(out)


def test_printing_is_recorded_in_each_history(demo_ws, dispatched, tmp_path, clock):
    request, _resident, _member = dispatched
    clock.advance(minutes=5)
    PrintService(demo_ws).write_work_orders([request.id], tmp_path / "p.pdf")
    events = RequestService(demo_ws).events(request.id)
    assert events[-1].action == "printed"
    assert events[-1].at == clock.current
    after = RequestService(demo_ws).get(request.id)
    assert after.printed_at == clock.current
    assert after.status is Status.DISPATCHED
    # Printed requests leave the 「not printed」 batch.
    assert request.id not in PrintService(demo_ws).unprinted_ids()


def test_cancelling_a_batch_records_nothing(demo_ws, dispatched, tmp_path):
    request, _resident, _member = dispatched
    service = RequestService(demo_ws)
    ids = [request.id, *[i for i in service.ids(RequestFilter()) if i != request.id][:5]]
    before = {i: len(service.events(i)) for i in ids}

    class StopError(Exception):
        pass

    seen = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 2:
            raise StopError

    with pytest.raises(StopError):
        PrintService(demo_ws).write_work_orders(ids, tmp_path / "c.pdf", progress=progress)
    assert seen == [(1, 6), (2, 6)]
    assert {i: len(service.events(i)) for i in ids} == before
    assert service.get(request.id).printed_at is None


def test_unknown_and_malformed_numbers_are_refused_by_name(demo_ws):
    service = PrintService(demo_ws)
    with pytest.raises(NotFoundError) as info:
        service.ids_for_numbers(["100-ABCD-2611-0001", "hello"])
    assert "100-ABCD-2611-0001" in info.value.message
    assert "hello" in info.value.message
    with pytest.raises(ValidationError):
        service.write_work_orders([], Path("never.pdf"))


def test_batch_of_1000_gives_1000_pages(demo_ws, tmp_path):
    """1,000 requests copied in bulk from one real request, then printed as one PDF."""
    template = RequestService(demo_ws).ids(RequestFilter(statuses=(Status.DISPATCHED,)))[0]
    conn = sqlite3.connect(demo_ws.path)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(requests)")]
    copied = [c for c in columns if c not in ("id", "number", "uuid", "external_number")]
    with conn:
        for n in range(1000):
            conn.execute(
                f"INSERT INTO requests (number, uuid, {', '.join(copied)}) "
                f"SELECT ?, ?, {', '.join(copied)} FROM requests WHERE id = ?",
                (f"101-TEST-2611-{n:04d}", f"test-uuid-{n}", template),
            )
    conn.close()
    ids = RequestService(demo_ws).ids(RequestFilter(text=""))
    batch = [i for i in ids if demo_ws.requests.get(i).number.startswith("101-TEST-")]  # type: ignore[union-attr]
    assert len(batch) == 1000
    progress: list[int] = []
    out = tmp_path / "batch.pdf"
    result = PrintService(demo_ws).write_work_orders(
        batch, out, progress=lambda done, total: progress.append(done), mark_printed=False
    )
    assert result.pages == pdf_pages(out) == 1000
    # 0 while the batch is being prepared (so 「取消」 works early), then every order in turn.
    assert [done for done in progress if done] == list(range(1, 1001))
    assert progress[: progress.index(1)] == [0] * progress.index(1)
    first, last = pdf_text(out, page=1), pdf_text(out, page=1000)
    assert demo_ws.requests.get(batch[0]).number in first  # type: ignore[union-attr]
    assert demo_ws.requests.get(batch[-1]).number in last  # type: ignore[union-attr]


# ---------------------------------------------------------------- the command line
def test_workorder_command_writes_pdf_and_records(demo_ws, dispatched, tmp_path):
    request, _resident, _member = dispatched
    out = tmp_path / "cli.pdf"
    typed = request.number.replace("-", "").lower()  # as read aloud or scanned
    result = run_cli("workorder", "--db", demo_ws.path, typed, "-o", out)
    assert result.returncode == 0, result.stderr
    assert pdf_pages(out) == 1
    assert request.number in pdf_text(out)
    assert "1 张工单" in result.stdout
    assert "printed" in [e.action for e in RequestService(demo_ws).events(request.id)]


def test_workorder_all_unprinted_and_refusals(demo_ws, dispatched, tmp_path):
    request, _resident, _member = dispatched
    unprinted = PrintService(demo_ws).unprinted_ids()
    assert request.id in unprinted
    out = tmp_path / "all.pdf"
    result = run_cli("workorder", "--db", demo_ws.path, "--all-unprinted", "--a5", "-o", out)
    assert result.returncode == 0, result.stderr
    assert pdf_pages(out) == len(unprinted)
    assert page_size(out) == (148, 210)
    assert PrintService(demo_ws).unprinted_ids() == []
    # Nothing left to print: refused, no file.
    again = tmp_path / "again.pdf"
    result = run_cli("workorder", "--db", demo_ws.path, "--all-unprinted", "-o", again)
    assert result.returncode == 1
    assert not again.exists()
    assert "没有需要打印的工单" in result.stderr
    # Unknown number: refused by name, nothing written, nothing left behind in the folder.
    bad = tmp_path / "bad.pdf"
    result = run_cli("workorder", "--db", demo_ws.path, "100-ABCD-2611-0001", "-o", bad)
    assert result.returncode == 1
    assert "100-ABCD-2611-0001" in result.stderr
    assert not bad.exists()
    assert not list(tmp_path.glob(".xianghe-*"))
    # No number and no --all-unprinted: usage error.
    result = run_cli("workorder", "--db", demo_ws.path, "-o", bad)
    assert result.returncode == 2
    assert "--all-unprinted" in result.stderr


def test_reprint_of_a_finished_request_ticks_what_was_recorded(demo_ws, dispatched, tmp_path, clock):
    request, _resident, _member = dispatched
    service = RequestService(demo_ws)
    clock.advance(hours=1)
    service.complete(request.id, "agent_run", "已联系物业修好水管")
    out = tmp_path / "done.pdf"
    PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False)
    text = squash(pdf_text(out))
    assert "已办结：已联系物业修好水管" in text
    assert f"{clock.current:%Y-%m-%d%H:%M}" in text


# ---------------------------------------------------------------- what the clerk typed (issue #8)
RESULT_139 = (
    "已联系物业公司维修人员上门，更换了厨房和卫生间的冻裂水管共三处（含阀门两个），"
    "并对楼道内裸露管道加装保温棉，费用由物业维修基金承担；群众对维修结果表示认可，"
    "已嘱咐其在寒潮期间夜间保持水龙头微量滴水，防止再次冻裂。24小时内电话回访并确认无渗漏，"
    "网格员已另行登记入户巡查台账备查。"
)


def pdf_words(path: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, y0, x1, y1) of every word pdftotext finds on ``page`` (a CJK line is one word)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(m[4], float(m[0]), float(m[1]), float(m[2]), float(m[3])) for m in re.findall(pattern, out)]


def overlaps(a: tuple[str, float, float, float, float], b: tuple[str, float, float, float, float]) -> bool:
    return a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]


def test_the_whole_result_is_printed_below_its_heading(demo_ws, dispatched, tmp_path, clock):
    """A 139-character 办理结果 was cut to one line with 「…」, drawn over 「■ 办理情况」."""
    assert len(RESULT_139) == 139
    request, _resident, _member = dispatched
    clock.advance(hours=1)
    RequestService(demo_ws).complete(request.id, "agent_run", RESULT_139)
    out = tmp_path / "result.pdf"
    PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False)
    assert pdf_pages(out) == 1
    text = squash(pdf_text(out))
    assert "已办结：" + RESULT_139 in text
    assert "…" not in text
    words = pdf_words(out)
    heading = next(w for w in words if "办理情况" in w[0])
    below = next(w for w in words if w[0].startswith("办理方式"))
    lines = [w for w in words if heading[2] < w[2] < below[2]]
    # Wrapped onto lines of its own under the heading, none beside it or over it.
    assert len(lines) >= 3
    assert "".join(w[0] for w in lines) == "已办结：" + RESULT_139
    assert all(w[2] >= heading[4] - 0.5 and not overlaps(w, heading) for w in lines)


def flowing_text(path: Path, start: str, stop: str | None, footer: str) -> str:
    """The text from ``start`` to ``stop`` (or the end) across pages, as one string without the
    page furniture (footer, 「工单 … 第 N 页」, 「工单 …（续页）」)."""
    whole = ""
    for page in range(1, pdf_pages(path) + 1):
        text = squash(pdf_text(path, layout=True, page=page)).replace(footer, "")
        whole += re.sub(r"工单[0-9A-Z-]+(第\d+页|（续页）)", "", text)
    begin = whole.index(start) + len(start)
    return whole[begin : whole.index(stop, begin) if stop else len(whole)]


def test_a_very_long_result_continues_on_the_next_page(demo_ws, dispatched, tmp_path, clock):
    request, _resident, _member = dispatched
    result = "".join(f"第{i:03d}次：已联系物业上门查看，更换阀门并做保温处理。" for i in range(1, 120))[:2500]
    clock.advance(hours=1)
    RequestService(demo_ws).complete(request.id, "on_the_spot", result)
    out = tmp_path / "long-result.pdf"
    pages = PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False).pages
    assert pages == pdf_pages(out) >= 2
    assert "（续页）" in pdf_text(out, page=2)
    footer = squash(PrintService(demo_ws).footer())
    assert flowing_text(out, "已办结：", "办理方式", footer) == squash(result)
    # It really was split: the first page holds a part of it, not all.
    first = squash(pdf_text(out, page=1))
    assert "已办结：" in first and squash(result)[-40:] not in first


def test_the_residents_words_at_the_follow_up_are_printed(demo_ws, dispatched, tmp_path, clock):
    request, _resident, _member = dispatched
    service = RequestService(demo_ws)
    out = tmp_path / "opinion.pdf"

    def opinion() -> str:
        """What the 群众意见 box holds (the text after it, less the page footer)."""
        PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False)
        return flowing_text(out, "群众意见", None, squash(PrintService(demo_ws).footer()))

    clock.advance(hours=1)
    service.complete(request.id, "agent_run", "已联系物业修好水管")
    assert opinion() == ""  # not followed up yet: the box stays blank to write in
    clock.advance(hours=1)
    words = "水管还在滴水，等了一天才来，希望尽快再修一次。"
    service.follow_up(request.id, FeedbackRoute.PHONE, Satisfaction.UNSATISFIED, note=words, by="王芳")
    assert opinion() == words
    # 不满意 → 重新办理 → a second follow-up without words: the first words no longer apply.
    clock.advance(hours=1)
    service.reopen(request.id, "群众反映仍有渗漏")
    clock.advance(hours=1)
    service.complete(request.id, "on_the_spot", "再次上门更换阀门")
    clock.advance(hours=1)
    service.follow_up(request.id, FeedbackRoute.IN_PERSON, Satisfaction.SATISFIED)
    assert opinion() == ""


def test_long_words_at_the_follow_up_are_printed_in_full(demo_ws, dispatched, tmp_path, clock):
    """Words too long for the table's box follow the table, whole (a table row cannot go on
    to the next page)."""
    request, _resident, _member = dispatched
    service = RequestService(demo_ws)
    clock.advance(hours=1)
    service.complete(request.id, "agent_run", "已联系物业修好水管")
    clock.advance(hours=1)
    words = "".join(f"第{i}点意见：希望网格员每周来看看独居老人，冬天注意取暖安全。" for i in range(1, 41))
    service.follow_up(request.id, FeedbackRoute.PHONE, Satisfaction.SATISFIED, note=words)
    out = tmp_path / "long-opinion.pdf"
    PrintService(demo_ws).write_work_orders([request.id], out, mark_printed=False)
    footer = squash(PrintService(demo_ws).footer())
    assert flowing_text(out, "群众意见（群众意见较长，全文见下）", None, footer) == squash(words)
