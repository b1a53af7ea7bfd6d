"""Demo data of county reporting (`manage.py seed_demo`): each county's 2023 task list and twelve months of
2023 filings, built through the services with the clock set to each filing's day.

The city-wide totals are the 2023 review's: 22 高校科技成果转化基地 projects landed and
4 产业园 finished (the task targets, all reached by December); in the month's figures
174 科技型中小企业 入库, 25 新 培育库 entries and 20 new city platforms
(4 重点实验室 + 1 中试基地 + 8 技术创新中心 + 4 众创空间 + 3 新型研发机构).
Some filings are late (after a reopening), one is returned and resent.
A fixed random seed makes it reproducible; a second run changes nothing. The names, targets, totals and
texts are in data/demo.json.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from kejiju.accounts.models import Region, User
from kejiju.accounts.roles import Role
from kejiju.core import demodata
from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run

from . import rules, services
from .figures import monthly_figures, system_value
from .models import CountyTask, MonthlyFiling, MonthlyReport, Notice, TaskCategory, TaskProgress

YEAR = 2023
SEED = 20230


def _sh(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=rules.SHANGHAI)


def _spread(total: int, keys: list, weights: list[float], rng: random.Random) -> dict:
    counts: dict = defaultdict(int)
    for key in rng.choices(keys, weights=weights, k=total):
        counts[key] += 1
    return counts


def seed_reporting_demo(*, stdout=None) -> None:
    data = demodata.read("reporting")
    rng = random.Random(SEED)
    bureau = User.objects.filter(role=Role.BUREAU, is_active=True).order_by("pk").first()
    regions = list(Region.objects.county_level())
    if bureau is None or not regions:
        return
    county_users = {}
    for region in regions:
        user = User.objects.filter(role=Role.COUNTY, region=region, is_active=True).order_by("pk").first()
        if user is not None:
            county_users[region.pk] = user
    tasks = _seed_tasks(data, regions, bureau, rng)
    _seed_researcher_targets(regions, bureau)
    if MonthlyFiling.objects.filter(year=YEAR).exists():
        if stdout is not None:
            stdout.write("县区报送：2023 年演示数据已存在，跳过。")
        return
    _seed_filings(data, regions, county_users, bureau, tasks, rng)
    Notice.objects.filter(created_at__year=YEAR).update(read_at=_sh(YEAR + 1, 1, 10))
    # Every app's demo steps notified their counties (on commit, so after each app's seeding): that is the
    # demo's history, read long ago. The last callback marks them read once all have been sent.
    transaction.on_commit(_history_read)
    _build_report(YEAR, 12)
    if stdout is not None:
        count = MonthlyFiling.objects.filter(year=YEAR).count()
        stdout.write(
            f"县区报送：{len(tasks)} 项 2023 年度任务，{count} 份月度工作动态，2023 年 12 月进展报告。"
        )


def _history_read() -> None:
    for recipient in User.objects.filter(notices__read_at__isnull=True).distinct():
        services.notices_mark_read(user=recipient)


def _seed_tasks(data: dict, regions, bureau, rng: random.Random) -> list[CountyTask]:
    tasks = []
    approved_at = _sh(YEAR, 1, 20, 10)
    by_code = {region.code: region for region in regions}

    def task(region, category, title, target, partner="", deadline=dt.date(YEAR, 12, 31), unit="项"):
        obj, _ = CountyTask.objects.get_or_create(
            region=region,
            year=YEAR,
            title=title,
            defaults={
                "category": category,
                "partner": partner,
                "target_quantity": target,
                "unit": unit,
                "deadline": deadline,
                "status": CountyTask.Status.APPROVED,
                "approved_by": bureau,
                "approved_at": approved_at,
            },
        )
        tasks.append(obj)

    universities, fields = data["universities"], data["base_fields"]
    for code, target in data["conversion_bases"].items():
        region = by_code.get(code)
        if region is None:
            continue
        partner = universities[sum(map(ord, code)) % len(universities)]
        field = fields[sum(map(ord, code)) % len(fields)]
        task(region, TaskCategory.CONVERSION_BASE, f"{partner}{field}成果转化基地建设", target, partner)
    for code, title in data["industrial_parks"].items():
        if code in by_code:
            task(
                by_code[code],
                TaskCategory.INDUSTRIAL_PARK,
                f"{title}建设",
                1,
                data["industrial_park_partner"],
                dt.date(YEAR, 11, 30),
                unit="个",
            )
    for index, region in enumerate(regions):
        task(
            region,
            TaskCategory.TECH_VP,
            "科技副总选聘",
            2 + index % 3,
            universities[index % len(universities)],
            unit="人",
        )
        # 25 培育库 entries city-wide, as the review says.
        task(region, TaskCategory.GAOQI, "高新技术企业培育入库", 2 if index < 9 else 1, unit="家")
        if index % 3 == 0:
            task(region, TaskCategory.PLATFORM, "市级科技创新平台培育", 1, unit="家")
    return tasks


def _landing_months(task: CountyTask, rng: random.Random) -> list[int]:
    """The months in which each unit of the task was done (bases and parks: all within the year)."""
    complete = task.category in (
        TaskCategory.CONVERSION_BASE,
        TaskCategory.INDUSTRIAL_PARK,
        TaskCategory.GAOQI,
    )
    units = task.target_quantity if complete else rng.randint(task.target_quantity - 1, task.target_quantity)
    last = task.deadline.month
    return sorted(rng.randint(3, last) for _ in range(units))


def _seed_filings(data: dict, regions, county_users, bureau, tasks, rng: random.Random) -> None:
    landing = {task.pk: _landing_months(task, rng) for task in tasks}
    tasks_by_region = defaultdict(list)
    for task in tasks:
        tasks_by_region[task.region_id].append(task)
    # The month's figures: the review's yearly totals spread over counties and months.
    weights = [3.0 if r.code in ("140902", "140981") else 1.0 for r in regions]
    figures = {}
    totals = data["totals"]
    month_weights = {key: [float(w) for w in weights] for key, weights in data["month_weights"].items()}
    for key, total in totals.items():
        cells = [(r.pk, m) for r in regions for m in range(1, 13)]
        mw = month_weights.get(key, [1] * 12)
        cell_weights = [weights[i] * mw[m - 1] for i, _ in enumerate(regions) for m in range(1, 13)]
        figures[key] = _spread(total, cells, cell_weights, rng)
    known = {figure.key: figure for figure in monthly_figures() if figure.provider and figure.key in totals}
    # Late filings (reopened by the bureau), and the one returned filing.
    late = {(r.pk, m) for r in regions for m in range(1, 13) if rng.random() < 0.06}
    returned_region = next((r for r in regions if r.code == "140929"), regions[-1])
    returned = (returned_region.pk, 6)
    late.discard(returned)

    for month in range(1, 13):
        deadline = rules.filing_deadline(YEAR, month)
        for region in regions:
            user = county_users.get(region.pk)
            if user is None:
                continue
            key = (region.pk, month)
            if key in late:
                services.filing_reopen(
                    actor=bureau,
                    region=region,
                    year=YEAR,
                    month=month,
                    reason=data["reopen_reason"],
                    expires_at=deadline + dt.timedelta(days=7),
                    now=deadline + dt.timedelta(days=1, hours=9),
                )
                when = deadline + dt.timedelta(days=rng.randint(2, 5), hours=rng.randint(9, 16))
            else:
                when = deadline - dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 14))
            progress = []
            for task in tasks_by_region[region.pk]:
                done = sum(1 for m in landing[task.pk] if m <= month)
                if done >= task.target_quantity:
                    status = TaskProgress.Status.DONE
                elif done or month >= 3:
                    status = TaskProgress.Status.IN_PROGRESS
                else:
                    status = TaskProgress.Status.NOT_STARTED
                if status != TaskProgress.Status.DONE and month >= task.deadline.month - 1 and done == 0:
                    status = TaskProgress.Status.BEHIND
                # 完成进度 is derived: the service computes it from done and the target.
                percent = None
                note = "本月落地" if landing[task.pk].count(month) else ""
                progress.append(
                    services.ProgressInput(
                        task_id=task.pk, done_quantity=done, percent=percent, status=status, note=note
                    )
                )
            for fig, figure in known.items():
                # The records say it (the domain apps' own demo data): report what they say.
                figures[fig][key] = system_value(figure, region, YEAR, month) or 0
            values = [services.FigureInput(key=fig, value=figures[fig].get(key, 0)) for fig in totals]
            landed = [t.title for t in tasks_by_region[region.pk] if month in landing[t.pk]]
            text = f"{region.name}{month}月：" + (
                "；".join(f"{title}取得进展" for title in landed[:3]) if landed else "各项任务按计划推进"
            )
            smes = figures["smes_new"].get(key, 0)
            if smes:
                text += f"；{smes}家企业通过科技型中小企业评价入库"
            filing = services.filing_save(
                actor=user,
                year=YEAR,
                month=month,
                key_progress=text + "。",
                problems=rng.choice(data["problems"]),
                next_plan=rng.choice(data["plans"]),
                progress=progress,
                figures=values,
                now=when - dt.timedelta(hours=2),
            )
            filing = services.filing_submit(actor=user, filing=filing, now=when)
            if key == returned:
                services.filing_return(
                    actor=bureau,
                    filing=filing,
                    reason=data["return_reason"],
                    now=when + dt.timedelta(days=1),
                )
                services.filing_save(
                    actor=user,
                    year=YEAR,
                    month=month,
                    key_progress=filing.key_progress + "（已核对入库数据）",
                    problems=filing.problems,
                    next_plan=filing.next_plan,
                    progress=progress,
                    figures=values,
                    now=when + dt.timedelta(days=2),
                )
                filing = services.filing_submit(
                    actor=user, filing=filing, now=when + dt.timedelta(days=2, hours=1)
                )
                when += dt.timedelta(days=2)
            services.filing_confirm(actor=bureau, filing=filing, now=when + dt.timedelta(days=2))


def _build_report(year: int, month: int) -> None:
    if MonthlyReport.objects.filter(year=year, month=month).exclude(Q(job=None)).exists():
        return
    job = ReportJob.objects.create(
        kind=services.MONTHLY_REPORT_KIND, parameters={"year": year, "month": month}
    )
    report_job_run(job_id=job.pk)


def _seed_researcher_targets(regions, bureau) -> None:
    """科研人员倍增计划: each county's 2023 and 2024 research-staff targets, each set on its own base (the
    research staff of the year before: the enterprises' 科技人员 plus the platforms' staff): +10% for 2023,
    +12% for 2024, rounded up to tens and at least 10 above the base; some counties reach theirs, some do
    not. Idempotent: an existing target is left as it is."""
    from .models import ResearcherTarget
    from .selectors import researcher_staff_by_region

    for year, rate in ((YEAR, Decimal("1.10")), (YEAR + 1, Decimal("1.12"))):
        bases = researcher_staff_by_region(year=year - 1)
        for region in regions:
            if ResearcherTarget.objects.filter(region=region, year=year).exists():
                continue
            base = bases.get(region.pk, 0)
            target = int((base * rate / 10).to_integral_value(rounding="ROUND_CEILING")) * 10
            services.researcher_target_save(
                target=ResearcherTarget(
                    region=region, year=year, target=max(target, base + 10), note="科研人员倍增计划年度目标"
                ),
                actor=bureau,
            )
