"""``check``: is the database sound? Every check says what it looked at and what it found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.cn import ric

from xianghe_desk.domain.numbering import parse_number
from xianghe_desk.services.audit import AuditService
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store import migrations
from xianghe_desk.store.integrity import REQUIRED_TABLES, DatabaseFacts, Found, IntegrityStore


@dataclass(frozen=True)
class CheckResult:
    label: str
    ok: bool
    detail: str


def _examples(items: list[str]) -> str:
    return "、".join(items[:5]) + ("……" if len(items) > 5 else "")


# What fixes request_facts: nothing in it is entered by anyone, every row is derived from the
# history (store/schema_speed.py), so rebuilding it loses nothing. check itself only reads (issue
# #10); ``check --repair`` (operations/maintenance.py) backs the file up and rebuilds it.
KEPT_FACTS_LABEL = "统计汇总"
KEPT_FACTS_FIX = (
    "办理记录本身没有受损，只是月度统计（stats、月报）读的这份汇总与办理记录对不上，统计数字可能不准。"
    "修复办法：运行「{command}」重建统计汇总：程序先备份数据库，再从办理记录重新计算这份汇总"
    "（不改动任何工单和办理记录），然后再检查一遍"
)
# Findings that are only a kept copy of the history, so --repair may rebuild them from it. Every
# other finding (a damaged file, history or audit trail) needs a person and a backup.
REBUILDABLE = frozenset({KEPT_FACTS_LABEL})
_NEEDS_QUOTES = re.compile(r"[\s\"'&|<>^;()$`]")


def shown_path(db: str) -> str:
    """``db`` as it can be pasted into a command (in double quotes when it holds spaces and the like)."""
    return f'"{db}"' if _NEEDS_QUOTES.search(db) else db


def repair_command(db: str | None) -> str:
    """The command that repairs the database named ``db`` as the clerk gave it (None: the default one)."""
    if db is None:
        return "xianghe-desk check --repair"
    return f"xianghe-desk check --db {shown_path(db)} --repair"


def rebuildable(results: list[CheckResult]) -> bool:
    """Whether something failed and everything that failed can be rebuilt from the history."""
    failed = [r for r in results if not r.ok]
    return bool(failed) and all(r.label in REBUILDABLE for r in failed)


def _found_text(found: Found) -> str:
    return "、".join(found.examples) + ("……" if found.count > len(found.examples) else "")


def kept_facts_check(store: IntegrityStore, repair: str | None = None) -> CheckResult:
    """request_facts, the month's figures' kept copy of each request's history, against that history:
    rows that differ, requests without a row, rows of no request. ``repair``: the command that fixes
    it, as the clerk would type it (repair_command; None: the default database's)."""
    problems = []
    differs = store.kept_facts_not_matching_history()
    if differs.count:
        problems.append(f"{differs.count} 张工单的统计汇总与其办理记录不一致：{_found_text(differs)}")
    missing = store.requests_without_kept_facts()
    if missing.count:
        problems.append(f"{missing.count} 张工单有办理记录却没有统计汇总：{_found_text(missing)}")
    orphans = store.kept_facts_without_request()
    if orphans.count:
        problems.append(f"{orphans.count} 条统计汇总找不到对应的工单（工单 id：{_found_text(orphans)}）")
    if not problems:
        return CheckResult(KEPT_FACTS_LABEL, True, "每张工单的统计汇总都与其办理记录一致")
    return CheckResult(
        KEPT_FACTS_LABEL,
        False,
        "；".join(problems) + "。" + KEPT_FACTS_FIX.format(command=repair or repair_command(None)),
    )


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
            CheckResult(
                "表结构", False, "文件里没有本程序的数据表：它是空文件、没有写完的文件，或不是本程序的数据库"
            )
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


def run_checks(ws: Workspace, *, file_checked: bool = False, db: str | None = None) -> list[CheckResult]:
    """Every check of an opened database. ``file_checked``: file_checks already ran (``check``),
    so SQLite's integrity check and the version are not repeated. ``db``: the database as the clerk
    named it (``--db``), for the repair command a finding shows; None: the opened file's path."""
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
        add(
            "数据库文件", [] if integrity == ["ok"] else integrity, "SQLite 完整性检查通过", "发现 {n} 处损坏"
        )
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
    results.append(kept_facts_check(store, repair_command(str(ws.path) if db is None else db)))
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
