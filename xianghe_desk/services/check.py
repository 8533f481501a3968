"""``check``: is the database sound? Every check says what it looked at and what it found."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import ric

from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import migrations
from xianghe_desk.store.integrity import REQUIRED_TABLES, DatabaseFacts, IntegrityStore


@dataclass(frozen=True)
class CheckResult:
    label: str
    ok: bool
    detail: str


def _examples(items: list[str]) -> str:
    return "、".join(items[:5]) + ("……" if len(items) > 5 else "")


def file_checks(facts: DatabaseFacts) -> list[CheckResult]:
    """What a read-only look at the file shows (store.integrity.inspect_database): is it whole, of
    this program, of this version. When one fails, the deeper checks (run_checks) are not run:
    they would only repeat it in other words."""
    results = []
    if facts.integrity == ("ok",):
        results.append(CheckResult("数据库文件", True, "SQLite 完整性检查通过"))
    else:
        shown = "；".join(facts.integrity[:3])
        results.append(CheckResult("数据库文件", False, f"SQLite 完整性检查发现损坏：{shown}"))
    if not facts.schema_version and len(facts.missing_tables) == len(REQUIRED_TABLES):
        results.append(
            CheckResult("表结构", False, "文件里没有本程序的数据表：它是空文件、没有写完的文件，或不是本程序的数据库")
        )
        return results
    if facts.missing_tables:
        results.append(CheckResult("表结构", False, f"缺少数据表：{'、'.join(facts.missing_tables)}"))
    else:
        results.append(CheckResult("表结构", True, "本程序的数据表都在"))
    if facts.schema_version > facts.newest_version:
        results.append(
            CheckResult(
                "数据版本",
                False,
                f"版本 {facts.schema_version}，由更新版本的程序创建（本程序只认识到 {facts.newest_version}）",
            )
        )
    elif facts.schema_version < facts.newest_version:
        results.append(
            CheckResult(
                "数据版本",
                False,
                f"版本 {facts.schema_version}，是旧版本程序的数据；用本程序打开时会先备份、再升级到 {facts.newest_version}",
            )
        )
    else:
        results.append(CheckResult("数据版本", True, f"版本 {facts.schema_version}，是本程序的最新版本"))
    return results


def run_checks(ws: Workspace, *, file_checked: bool = False) -> list[CheckResult]:
    """Every check of an opened database. ``file_checked``: file_checks already ran (``check``),
    so SQLite's integrity check and the version are not repeated."""
    store = IntegrityStore(ws.db)
    results: list[CheckResult] = []

    def add(label: str, problems: list[str] | int, fine: str, bad: str) -> None:
        count = problems if isinstance(problems, int) else len(problems)
        if count == 0:
            results.append(CheckResult(label, True, fine))
        else:
            sample = "" if isinstance(problems, int) else f"：{_examples(problems)}"
            results.append(CheckResult(label, False, bad.format(n=count) + sample))

    if not file_checked:
        integrity = store.sqlite_integrity()
        add("数据库文件", [] if integrity == ["ok"] else integrity, "SQLite 完整性检查通过", "发现 {n} 处损坏")
        version = migrations.schema_version(ws.db)
        add(
            "数据版本",
            [] if version == migrations.SCHEMA_VERSION and not migrations.pending(ws.db) else [str(version)],
            f"版本 {version}，是本程序的最新版本",
            "版本不符",
        )
    add("关联关系", store.foreign_key_problems(), "所有外键引用都存在", "{n} 处引用了不存在的记录")
    towns, villages = store.count("towns"), store.count("villages")
    results.append(CheckResult("镇村区划", towns > 0 and villages > 0, f"{towns} 个镇，{villages} 个村街"))
    results.append(
        CheckResult(
            "数据量",
            True,
            f"{store.count('grids')} 个网格，{store.count('members')} 名网格员，"
            f"{store.count('residents')} 名服务对象，{store.count('requests')} 张工单，"
            f"{store.count('request_events')} 条办理记录，{store.count('visits')} 条走访记录",
        )
    )
    add("受理记录", store.requests_without_intake_event(), "每张工单都有受理记录", "{n} 张工单缺少受理记录")
    add(
        "状态与办理记录",
        store.status_not_matching_history(),
        "每张工单的状态都与其办理记录一致",
        "{n} 张工单的状态与办理记录不一致",
    )
    add("办理时限", store.due_before_received(), "办理时限都不早于受理时间", "{n} 张工单的时限早于受理时间")
    add(
        "办结时间",
        store.completed_before_received(),
        "办结时间都不早于受理时间",
        "{n} 张工单的办结时间早于受理时间",
    )
    bad_numbers = [n for n in store.numbers() if parse_number(n) is None or str(parse_number(n)) != n]
    add("工单编号", bad_numbers, "所有工单编号格式正确且唯一", "{n} 个工单编号格式不对")
    bad_ids = [f"{name}" for name, number in store.id_numbers() if not _id_ok(number)]
    add("身份证号", bad_ids, "所有服务对象的身份证号校验位正确", "{n} 个身份证号校验不通过")
    add(
        "网格归属",
        store.grids_in_other_town(),
        "服务对象的网格都属于其所在村街",
        "{n} 名服务对象的网格不属于其村街",
    )
    add("工单归属", store.requests_town_mismatch(), "工单的村街都属于其所在镇", "{n} 张工单的村街与镇不符")
    add(
        "走访日期",
        store.visits_after(ws.now().date().isoformat()),
        "没有日期晚于今天的走访记录",
        "{n} 条走访记录的日期晚于今天",
    )
    add(
        "走访与迁出去世",
        store.visits_after_leaving(),
        "没有迁出或去世以后的走访记录",
        "{n} 条走访记录晚于服务对象迁出或去世的日期",
    )
    audit = AuditService(ws)
    add(
        "操作日志",
        audit.verify(),
        f"{audit.store.count()} 条操作日志前后相连，没有被改动或删除",
        "操作日志有 {n} 处被改动或删除",
    )
    return results


def _id_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        ric.get_birth_date(number)
    except Exception:
        return False
    return ric.calc_check_digit(number) == number[-1]
