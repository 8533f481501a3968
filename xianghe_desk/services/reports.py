"""The monthly summary (月度汇总): the month's figures, breakdowns, rankings and lists, ready to print.

Every figure the summary prints comes from StatsService.figures — the same numbers as
``stats --json`` for the same scope, month and as-of moment. What the JSON does not carry
(satisfaction and timeliness per town or village, the grid members' counts, the lists of
overdue and unsatisfied requests) is computed here with the same domain rules
(services.report_figures) from the same facts, so a town's row in the county's summary
equals the town's own summary; care-visit coverage by town, village and grid comes from
services.visit_report on the same terms.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from xianghe_desk.domain.enums import CategoryGroup, Status
from xianghe_desk.domain.figures import (
    EMPTY,
    MonthCounts,
    Names,
    RequestFact,
    add_rows,
    decimal,
    duration,
    is_overdue,
    moment,
    month_bounds,
    percent,
    previous_month,
    rate_or_none,
)
from xianghe_desk.pdf.monthly_report import (
    ChartData,
    MonthlyReport,
    ReportSection,
    ReportTable,
    build_monthly_report,
)
from xianghe_desk.services.report_figures import (
    EMPTY_ROW,
    HEADLINE,
    GroupFigures,
    SummaryWorkspace,
    breakdown_row,
    change,
    group_from_row,
    headline_figure,
    month_label,
    ranks,
    received_pie,
)
from xianghe_desk.services.stats import Scope, StatsService
from xianghe_desk.services.visit_figures import remember_months
from xianghe_desk.services.visit_report import visit_section
from xianghe_desk.services.workspace import Workspace
from xianghe_desk.store.reports import ReportStore

_STATUS_LABELS = {s.value: s.label for s in Status}
LIST_LIMIT = 200  # requests listed in the overdue and unsatisfied lists (the count is always shown)
TOP_MEMBERS = 10
VILLAGE_RANK_SHOWN = 10  # county scope: the first and last ten villages


class ReportService:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._shared = SummaryWorkspace(ws)
        self.stats = StatsService(cast(Workspace, self._shared))
        self.store = ReportStore(ws.db, ws.device.tag)

    def monthly(
        self, month: str, scope: Scope, as_of: datetime | None = None, read_aside: bool = False
    ) -> MonthlyReport:
        """Gather the monthly summary of ``scope`` for ``month`` as it stood at ``as_of`` (default now).

        ``read_aside``: count the requests on a second connection while this one reads the care
        visits (_FactsOnce.reading_aside), for a caller whose connection holds no uncommitted change.
        """
        try:
            return self._monthly(month, scope, as_of or self.ws.now(), read_aside)
        finally:
            self._shared.forget()  # a county month of facts is tens of megabytes

    def _monthly(self, month: str, scope: Scope, as_of: datetime, read_aside: bool) -> MonthlyReport:
        town_id = scope.town.id if scope.town is not None and scope.level == "town" else None
        village_id = scope.village.id if scope.village is not None else None
        self._shared.stats.members_months.add(month_bounds(month))
        with self._shared.requests_aside(month, scope, as_of) if read_aside else nullcontext():
            # The care-visit figures of both months from one read (the figures then find them).
            remember_months(
                cast(Workspace, self._shared), [previous_month(month), month], as_of, town_id, village_id
            )
        figures = self.stats.figures(month, scope, as_of)
        # The cover compares the headline figures with last month's: no breakdown of last month.
        previous = self.stats.headline(previous_month(month), scope, as_of)
        county = str(self.ws.settings.get("county_name", "香河县"))
        title = county if scope.level == "county" else f"{county}{scope.town.name if scope.town else ''}"
        if scope.level == "village":
            title += scope.name
        report = MonthlyReport(
            title=title,
            scope_level=scope.level,
            scope_name=scope.name,
            month=month,
            month_label=month_label(month),
            as_of=as_of,
            produced_at=self.ws.now(),
            produced_by=self.ws.actor,
            figures=figures,
            previous=previous,
            summary=self._summary_text(figures, previous),
            headline=self._headline_table(figures, previous),
        )
        if figures["received"]:
            counts, names = self._counts(month, scope, as_of)
            report.sections.extend(self._sections(figures, scope, counts, names, month, as_of))
        if figures["visits_due"]:
            visits = visit_section(cast(Workspace, self._shared), month, scope, as_of)
            if visits is not None:
                report.sections.append(visits)
        return report

    # ------------------------------------------------------------ cover
    def _summary_text(self, f: dict[str, Any], prev: dict[str, Any]) -> str:
        visits = ""
        if f["visits_due"]:
            visits = (
                f"定期走访应走访 {f['visits_due']} 人次，按时走访 {f['visits_done']} 人次，"
                f"走访覆盖率 {f['visit_coverage_rate']:.1f}%。"
            )
        if f["received"] == 0:
            return "本月没有受理服务工单。" + visits
        text = f"本月共受理服务工单 {f['received']} 件，办结 {f['completed']} 件，办结率 {f['completion_rate']:.1f}%；"
        # A rate or an average of nothing is not stated (issue #8): 「满意率 0.0%」 read as a failure.
        if f["rated"]:
            text += (
                f"回访评价 {f['rated']} 件，其中满意 {f['satisfied']} 件、基本满意 {f['basically_satisfied']} 件、"
                f"不满意 {f['unsatisfied']} 件，满意率 {f['satisfaction_rate']:.1f}%；"
            )
        else:
            text += "本月受理的工单尚无回访评价；"
        text += f"超期 {f['overdue']} 件；"
        if f["completed"]:
            text += f"平均办结时长 {f['avg_hours_to_complete']:.1f} 小时；"
        text += f"上门服务 {f['home_visits']} 次。"
        delta = f["received"] - prev["received"]
        if prev["received"]:
            trend = f"增加 {delta} 件" if delta > 0 else f"减少 {-delta} 件" if delta < 0 else "持平"
            text += f"受理数比上月{trend}。"
        return text + visits

    def _headline_table(self, f: dict[str, Any], prev: dict[str, Any]) -> ReportTable:
        rows = [
            (
                label,
                headline_figure(f, key, unit),
                headline_figure(prev, key, unit),
                change(key, unit, f, prev),
            )
            for key, label, unit in HEADLINE
        ]
        return ReportTable(
            key="headline",
            title="主要指标",
            headers=("指标", "本月", f"上月（{month_label(prev['month'])}）", "与上月相比"),
            rows=rows,
            widths=(3, 2, 2.4, 2.6),
        )

    # ------------------------------------------------------------ facts and groups
    def _counts(self, month: str, scope: Scope, as_of: datetime) -> tuple[MonthCounts, Names]:
        """The month's counts for the ranking scope: the scope itself, or a village's whole town
        (the same read as the figures' own: SummaryWorkspace remembers it)."""
        start, end = month_bounds(month)
        town_id = scope.town.id if scope.town is not None else None
        counts = self._shared.stats.month_counts(start, end, as_of, town_id=town_id)
        rank_scope = scope if scope.level != "village" else self.stats.scope(town=scope.town.code)  # type: ignore[union-attr]
        return counts, self.stats.names(rank_scope)

    @staticmethod
    def _grouped(rows: dict[Any, list[int]], labels: dict[Any, str]) -> list[GroupFigures]:
        return [group_from_row(labels[k], rows.get(k, EMPTY_ROW)) for k in labels]

    # ------------------------------------------------------------ sections
    def _sections(
        self, f: dict[str, Any], scope: Scope, counts: MonthCounts, names: Names, month: str, as_of: datetime
    ) -> list[ReportSection]:
        start, end = month_bounds(month)
        town_id = scope.town.id if scope.town is not None and scope.level == "town" else None
        village_id = scope.village.id if scope.village is not None else None
        # The members and the lists are the scope's own (a village's, within its town's ranking).
        scoped = counts
        if village_id is not None:
            scoped = self._shared.stats.month_counts(start, end, as_of, village_id=village_id)
        listed = self._shared.stats.listed_facts(start, end, as_of, town_id=town_id, village_id=village_id)
        sections = []
        by_town: dict[Any, list[int]] = {}
        by_village: dict[Any, list[int]] = {}
        for (town, village), row in counts.places.items():
            by_town[town] = add_rows((by_town.get(town, EMPTY_ROW), row))
            by_village[village] = add_rows((by_village.get(village, EMPTY_ROW), row))
        towns = self._grouped(by_town, names.towns)
        villages = self._grouped(by_village, names.villages)
        if scope.level == "county":
            sections.append(self._region_section("分镇统计", "镇", f["by_town"], towns, f, chart=True))
            town_by_id = {t.name: t for t in towns}
            place_town = {v.id: v.town_name for v in self.stats.places.villages(None, include_virtual=True)}
            town_of = {
                names.villages[i]: town_by_id[place_town[i]]
                for i in names.villages
                if place_town.get(i) in town_by_id
            }
            sections.append(
                self._region_section(
                    "分村街统计", "村街", f["by_village"], villages, f, chart=False, town_of=town_of
                )
            )
        elif scope.level == "town":
            sections.append(
                self._region_section("分村街统计", "村街", f["by_village"], villages, f, chart=True)
            )
        sections.append(self._category_section(f))
        sections.append(self._channel_method_section(f))
        sections.append(self._ranking_section(scope, towns, villages))
        sections.append(self._members_section(scoped))
        sections.append(self._lists_section(listed, as_of))
        return sections

    def _region_section(
        self,
        title: str,
        noun: str,
        by: dict[str, dict[str, Any]],
        groups: list[GroupFigures],
        f: dict[str, Any],
        chart: bool,
        town_of: dict[str, GroupFigures] | None = None,
    ) -> ReportSection:
        """A table by town or by village; ``town_of`` (county scope) heads each town's villages
        with the town's own row, so 300-odd villages read town by town.

        The workbook gets the villages without those town rows (they are the 分镇统计 sheet) and
        with a 镇 column instead, so a column can be summed and filtered (issue #8).
        """
        rows: list[tuple[Any, ...]] = []
        export: list[tuple[Any, ...]] = []
        quiet = 0
        current_town: GroupFigures | None = None
        town_stats = f["by_town"]

        def figures(stat: dict[str, Any], g: GroupFigures) -> tuple[Any, ...]:
            return (
                stat["received"],
                stat["completed"],
                percent(stat["completion_rate"] if stat["received"] else None),
                percent(g.satisfaction_rate if g.rated else None),
                g.overdue,
                decimal(g.avg_hours if g.completed else None),
            )

        for g in groups:
            stat = by.get(g.name, {"received": 0, "completed": 0, "completion_rate": 0.0})
            if not stat["received"]:
                quiet += 1
                if len(groups) > 40:
                    continue  # the county's 300-odd villages: list those with requests
            town = town_of.get(g.name) if town_of else None
            if town is not None and town is not current_town:
                current_town = town
                rows.append((f"【{town.name}】小计", *figures(town_stats.get(town.name, stat), town)))
            rows.append((f"　{g.name}" if town_of else g.name, *figures(stat, g)))
            export.append((town.name if town is not None else "", g.name, *figures(stat, g)))
        total = (
            f["received"],
            f["completed"],
            percent(f["completion_rate"] if f["received"] else None),
            percent(f["satisfaction_rate"] if f["rated"] else None),
            f["overdue"],
            decimal(f["avg_hours_to_complete"] if f["completed"] else None),
        )
        rows.append(("合计", *total))
        export.append(("合计", "", *total))
        note = f"本月没有工单的{noun}（{quiet} 个）未列出。" if quiet and len(groups) > 40 else ""
        headers = (noun, "受理数", "办结数", "办结率", "满意率", "超期数", "平均办结时长（小时）")
        table = ReportTable(
            key="by_town" if noun == "镇" else "by_village",
            title=title,
            headers=headers,
            rows=rows,
            widths=(3.2, 1.3, 1.3, 1.3, 1.3, 1.2, 2.0),
            note=note,
            total_row=True,
            subtotal_prefix="【" if town_of else "",
            export_rows=export if town_of else None,
            export_headers=("镇", *headers) if town_of else None,
            export_note=note,
        )
        blocks: list[Any] = [table]
        if chart:
            shown = [g for g in groups if by.get(g.name, {}).get("received")]
            blocks.insert(
                0,
                ChartData(
                    kind="bar",
                    title=f"各{noun}受理与办结",
                    labels=[g.name for g in shown],
                    series=[
                        ("受理数", [float(by[g.name]["received"]) for g in shown]),
                        ("办结数", [float(by[g.name]["completed"]) for g in shown]),
                    ],
                ),
            )
        return ReportSection(title, blocks)

    def _category_section(self, f: dict[str, Any]) -> ReportSection:
        categories = self.ws.lookups.all("category", include_inactive=True)
        rows: list[tuple[Any, ...]] = []
        for group in (CategoryGroup.AGENT, CategoryGroup.HOME, CategoryGroup.GOVERNANCE):
            stat = f["by_category_group"].get(
                group.label, {"received": 0, "completed": 0, "completion_rate": 0.0}
            )
            rows.append(breakdown_row(f"【{group.label}】小计", stat, f["received"]))
            for item in categories:
                if item.group_code != group.value:
                    continue
                s = f["by_category"].get(item.name, {"received": 0, "completed": 0, "completion_rate": 0.0})
                if not s["received"] and not item.active:
                    continue
                rows.append(breakdown_row(f"　{item.name}", s, f["received"]))
        known = {c.name for c in categories if c.group_code in {g.value for g in CategoryGroup}}
        for name, s in f["by_category"].items():
            if name not in known and s["received"]:
                rows.append(breakdown_row(name, s, f["received"]))
        table = ReportTable(
            key="by_category",
            title="分类统计",
            headers=("问题类别", "受理数", "办结数", "办结率", "占受理比例"),
            rows=rows,
            widths=(4, 1.5, 1.5, 1.5, 1.7),
            note="治理诉求含县里考核的七类：安全隐患、环境卫生、私搭乱建、矛盾纠纷、民生诉求、乱堆乱放、治安稳定。",
            subtotal_prefix="【",
        )
        chart = received_pie("各类服务所占比例", f["by_category_group"])
        return ReportSection("分类统计", [chart, table])

    def _channel_method_section(self, f: dict[str, Any]) -> ReportSection:
        channel_rows = [breakdown_row(name, s, f["received"]) for name, s in f["by_channel"].items()]
        channels = ReportTable(
            key="by_channel",
            title="来源渠道",
            headers=("来源渠道", "受理数", "办结数", "办结率", "占受理比例"),
            rows=channel_rows,
            widths=(4, 1.5, 1.5, 1.5, 1.7),
        )
        method_rows = [
            (name, s["received"], percent(rate_or_none(s["received"], f["completed"])))
            for name, s in f["by_method"].items()
        ]
        methods = ReportTable(
            key="by_method",
            title="办理方式",
            headers=("办理方式", "办结件数", "占办结比例"),
            rows=method_rows,
            widths=(4, 2, 2),
            note="按已办结工单的办理方式统计。",
        )
        chart = received_pie("来源渠道所占比例", f["by_channel"])
        method_chart = ChartData(
            kind="bar",
            title="各办理方式办结件数",
            labels=[r[0] for r in method_rows],
            series=[("办结件数", [float(r[1]) for r in method_rows])],
        )
        return ReportSection("来源渠道与办理方式", [chart, channels, method_chart, methods])

    def _ranking_rows(self, groups: list[GroupFigures]) -> list[tuple[GroupFigures, tuple[Any, ...]]]:
        ranked = [g for g in groups if g.received]
        ranked.sort(
            key=lambda g: (-g.score, -g.completion_rate, -g.satisfaction_rate, -g.timely_rate, g.name)
        )
        completion = ranks([g.completion_rate for g in ranked])
        satisfaction = ranks([g.satisfaction_rate if g.rated else -1.0 for g in ranked])
        timely = ranks([g.timely_rate for g in ranked])
        overall = ranks([g.score for g in ranked])
        rows = []
        for i, g in enumerate(ranked):
            rows.append(
                (
                    g,
                    (
                        overall[i],
                        g.name,
                        g.received,
                        percent(g.completion_rate, completion[i]),
                        percent(g.satisfaction_rate, satisfaction[i]) if g.rated else EMPTY,
                        percent(g.timely_rate, timely[i]),
                        decimal(g.score),
                    ),
                )
            )
        return rows

    def _ranking_table(
        self, key: str, title: str, noun: str, rows: list[tuple[Any, ...]], **extra: Any
    ) -> ReportTable:
        return ReportTable(
            key=key,
            title=title,
            headers=(
                "名次",
                noun,
                "受理数",
                "办结率（名次）",
                "满意率（名次）",
                "及时率（名次）",
                "综合得分",
            ),
            rows=rows,
            widths=(1, 3, 1.2, 2, 2, 2, 1.3),
            **extra,
        )

    def _ranking_section(
        self, scope: Scope, towns: list[GroupFigures], villages: list[GroupFigures]
    ) -> ReportSection:
        note = (
            "综合得分为办结率、满意率、及时率（未超期的比例）的平均数，本月没有回访评价的不计满意率；"
            "括号内为单项名次；本月没有工单的不参加排名。"
        )
        blocks: list[Any] = []
        village_rows = self._ranking_rows(villages)
        if scope.level == "county":
            blocks.append(
                self._ranking_table(
                    "ranking_towns",
                    "各镇擂台比武",
                    "镇",
                    [r for _g, r in self._ranking_rows(towns)],
                    note=note,
                )
            )
            shown = village_rows
            village_note = ""
            if len(village_rows) > 2 * VILLAGE_RANK_SHOWN:
                shown = village_rows[:VILLAGE_RANK_SHOWN] + village_rows[-VILLAGE_RANK_SHOWN:]
                village_note = (
                    f"共 {len(village_rows)} 个村街参加排名，此处列出前 {VILLAGE_RANK_SHOWN} 名和后 "
                    f"{VILLAGE_RANK_SHOWN} 名；完整名次见 Excel 汇总表。"
                )
            blocks.append(
                self._ranking_table(
                    "ranking_villages",
                    "村街擂台比武",
                    "村街",
                    [r for _g, r in shown],
                    note=village_note,
                    export_rows=[r for _g, r in village_rows] if shown is not village_rows else None,
                )
            )
        else:
            highlight = None
            if scope.level == "village":
                for i, (g, _r) in enumerate(village_rows):
                    if g.name == scope.name or g.name.endswith(scope.name):
                        highlight = i
            blocks.append(
                self._ranking_table(
                    "ranking_villages",
                    f"{scope.town.name if scope.town else ''}各村街擂台比武",
                    "村街",
                    [r for _g, r in village_rows],
                    note=note,
                    highlight=highlight,
                )
            )
        return ReportSection("擂台比武", blocks)

    def _members_section(self, counts: MonthCounts) -> ReportSection:
        members = self.store.members_by_ids(list(counts.handlers))
        groups = []
        for member_id, row in counts.handlers.items():
            member = members.get(member_id)
            if member is None:
                continue
            g = group_from_row(member.name, row)
            if g.completed:
                groups.append((member, g))
        groups.sort(key=lambda mg: (-mg[1].completed, -mg[1].satisfaction_rate, mg[1].avg_hours, mg[0].name))
        completed_ranks = ranks([float(g.completed) for _m, g in groups])
        rows = [
            (
                completed_ranks[i],
                m.name,
                f"{m.town_name}{m.village_name}" if m.village_name else m.town_name,
                m.role.label,
                g.completed,
                percent(g.satisfaction_rate if g.rated else None),
                decimal(g.avg_hours),
            )
            for i, (m, g) in enumerate(groups[:TOP_MEMBERS])
        ]
        table = ReportTable(
            key="top_members",
            title="网格员办结排行",
            headers=("名次", "姓名", "所在村街", "身份", "办结件数", "满意率", "平均办结时长（小时）"),
            rows=rows,
            widths=(1, 1.6, 3.2, 1.6, 1.3, 1.3, 2),
            note=f"按本月受理、已办结的工单计，列出前 {TOP_MEMBERS} 名。"
            if rows
            else "本月没有网格员办结的工单。",
        )
        return ReportSection("网格员办结排行", [table])

    def _lists_section(self, facts: list[RequestFact], as_of: datetime) -> ReportSection:
        def lateness(fact: RequestFact) -> float:
            end = fact.completed_at if fact.completed_at is not None else as_of
            return (end - fact.due_at).total_seconds()

        # ``facts``: those overdue or rated 不满意 only (StatsStore.listed_facts).
        overdue = sorted((f for f in facts if is_overdue(f, as_of)), key=lateness, reverse=True)
        unsatisfied = sorted(
            (f for f in facts if f.satisfaction == "unsatisfied"), key=lambda f: f.received_at
        )
        wanted = [f.id for f in overdue[:LIST_LIMIT]] + [f.id for f in unsatisfied[:LIST_LIMIT]]
        details = {r.id: r for r in self.ws.requests.get_many(list(dict.fromkeys(wanted)))}

        def line(fact: RequestFact, *last: Any) -> tuple[Any, ...]:
            request = details.get(fact.id)
            if request is None:
                return ("", "", "", "", "", "", *last)
            summary = request.content.replace("\n", " ")
            summary = summary if len(summary) <= 40 else summary[:39] + "…"
            return (
                request.number,
                moment(request.received_at),
                request.village_name,
                request.category_name,
                summary,
                request.handler_name or "—",
                *last,
            )

        overdue_rows = []
        for fact in overdue[:LIST_LIMIT]:
            state = _STATUS_LABELS.get(fact.status, fact.status)
            overdue_rows.append(line(fact, state, duration(lateness(fact))))
        unsatisfied_rows = []
        for fact in unsatisfied[:LIST_LIMIT]:
            request = details.get(fact.id)
            unsatisfied_rows.append(line(fact, f"现{request.status.label}" if request else ""))
        headers = ("工单编号", "受理时间", "村街", "问题类别", "诉求摘要", "承办人")

        def listed(count: int) -> str:
            if count > LIST_LIMIT:
                return f"共 {count} 件，此处列出 {LIST_LIMIT} 件。"
            return f"共 {count} 件。" if count else "本月没有。"

        return ReportSection(
            "超期与不满意工单",
            [
                ReportTable(
                    key="overdue",
                    title="超期工单清单",
                    headers=(*headers, "目前状态", "超期时长"),
                    rows=overdue_rows,
                    widths=(3.5, 1.9, 2, 2.1, 3.1, 1.5, 1.9, 2.0),
                    export_headers=(*headers, "目前状态", "超期时长（时:分）"),
                    note=listed(len(overdue)) + ("按超期时长从长到短排列。" if len(overdue) > 1 else ""),
                    small=True,
                ),
                ReportTable(
                    key="unsatisfied",
                    title="不满意工单清单",
                    headers=(*headers, "目前状态"),
                    rows=unsatisfied_rows,
                    widths=(3.5, 1.9, 2, 2.1, 4.5, 1.5, 1.8),
                    note=listed(len(unsatisfied))
                    + ("群众不满意的工单应「重新办理」。" if unsatisfied else ""),
                    small=True,
                ),
            ],
        )

    # ------------------------------------------------------------ output
    def write_monthly(
        self,
        month: str,
        scope: Scope,
        target: Path | IO[bytes],
        as_of: datetime | None = None,
        xlsx: Path | None = None,
    ) -> MonthlyReport:
        """Write the summary PDF (and the same tables as .xlsx when ``xlsx`` is given)."""
        report = self.monthly(month, scope, as_of)
        report.pages = build_monthly_report(report, target)
        if xlsx is not None:
            from xianghe_desk.sheets.summary_xlsx import write_summary

            write_summary(
                report.title + report.month_label + "「这就办」服务月度汇总", report.all_tables(), xlsx
            )
        return report
