"""Reads of county reporting, scoped by user where they serve a page; the report and annual-review counts
are whole-city figures behind a permission."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, DateField, Max, OuterRef, Prefetch, QuerySet, Sum, Value, When
from django.utils import timezone

from enterprises import selectors as enterprises
from enterprises.rules import doubling_percent
from kejiju.accounts.models import Region
from kejiju.core.models import WorkflowEvent
from kejiju.core.scoping import scope_region_ids
from kejiju.core.workflow.selectors import first_reached, with_state_on
from platforms import selectors as platforms

from . import rules
from .figures import monthly_figures
from .models import (
    CountyTask,
    FigureEntry,
    FilingException,
    MonthlyFiling,
    MonthlyReport,
    Notice,
    ResearcherTarget,
    TaskProgress,
)


def task_list(*, user) -> QuerySet[CountyTask]:
    return CountyTask.objects.visible_to(user).select_related("region", "approved_by")


def filing_list(*, user) -> QuerySet[MonthlyFiling]:
    return MonthlyFiling.objects.visible_to(user).select_related("region", "reviewed_by", "created_by")


def filing_detail_queryset(*, user) -> QuerySet[MonthlyFiling]:
    return filing_list(user=user).prefetch_related(
        Prefetch("progress", queryset=TaskProgress.objects.select_related("task")),
        "figures",
        "attachments",
        Prefetch(
            "events", queryset=WorkflowEvent.objects.select_related("actor").order_by("recorded_at", "pk")
        ),
    )


def approved_tasks(*, region: Region, year: int) -> QuerySet[CountyTask]:
    return CountyTask.objects.filter(region=region, year=year, status=CountyTask.Status.APPROVED).order_by(
        "category", "pk"
    )


def previous_progress(*, region: Region, year: int, month: int) -> dict[int, TaskProgress]:
    """The latest progress on each task reported in an earlier month of the year (prefills a new form)."""
    rows = TaskProgress.objects.filter(
        filing__region=region, filing__year=year, filing__month__lt=month
    ).order_by("task_id", "-filing__month")
    return _first_per_task(rows)


def _first_per_task(rows) -> dict[int, TaskProgress]:
    """The first row of each task in an ordered queryset (DISTINCT ON without PostgreSQL, so the embedded
    SQLite demo works too); at most twelve rows a task."""
    latest: dict[int, TaskProgress] = {}
    for row in rows:
        latest.setdefault(row.task_id, row)
    return latest


def notices_for(*, user) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user)


def active_exception(*, region: Region, year: int, month: int, now: dt.datetime | None = None):
    return (
        FilingException.objects.filter(
            region=region, year=year, month=month, expires_at__gt=now or timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


# ---------------------------------------------------------------------------------------------- board


@dataclass
class BoardRow:
    region: Region
    filing: MonthlyFiling | None
    state: rules.BoardState
    exception: FilingException | None = None
    researchers: dict[str, Any] | None = None  # the 科研人员倍增计划 progress, when the county has a target

    @property
    def colour(self) -> str:
        return rules.BOARD_COLOURS[self.state]


def month_board(*, user, year: int, month: int, now: dt.datetime | None = None) -> list[BoardRow]:
    """Each county's state for the month, in region order (three queries)."""
    now = now or timezone.now()
    past = rules.is_past_deadline(year, month, now)
    regions = Region.objects.county_level()
    filings = {
        f.region_id: f
        for f in MonthlyFiling.objects.visible_to(user)
        .filter(year=year, month=month)
        .select_related("region")
    }
    exceptions = {}
    for exc in FilingException.objects.filter(year=year, month=month, expires_at__gt=now).order_by(
        "expires_at"
    ):
        exceptions[exc.region_id] = exc
    rows = []
    for region in regions:
        filing = filings.get(region.pk)
        state = rules.board_state(filing.state if filing else None, past_deadline=past)
        rows.append(BoardRow(region=region, filing=filing, state=state, exception=exceptions.get(region.pk)))
    return rows


def board_counts(rows: list[BoardRow]) -> list[tuple[rules.BoardState, int]]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return [(state, counts[state]) for state in rules.BoardState]


# ---------------------------------------------------------------------------------------------- filings as of

TIMELINESS_NOTE = (
    "月度工作动态按各月报送截止日所在月末（12月为次年1月末）的状态统计：已报送或已确认为已报，"
    "首次报送在截止日前为按时、否则为逾期，退回未重新报送计入未报；全年数为1至12月各月之和。"
)

FIGURE_NOTES: dict[str, str] = {
    "timeliness": TIMELINESS_NOTE,
    "researchers": (
        "科研人员：企业当年度报表中的科技人员，加上12月31日处于已认定状态的创新平台的人员"
        "（平台人员数为其当前登记数，系统不保留历年人数）；基数为上一年度的科研人员，"
        "完成度＝（实有－基数）÷（目标－基数），未增长为0%。"
    ),
}


@dataclass(frozen=True)
class FilingStatus:
    """One filing of (year, month) as it stood at the end of `as_of` = min(now, the month's cutoff)."""

    filing: MonthlyFiling
    state: str | None  # the state at the end of as_of (None: not yet in the records then)
    submitted_on: dt.date | None  # the day the first 报送 took effect (None: never submitted)
    as_of: dt.date

    @property
    def filed(self) -> bool:
        return self.state in rules.FILED_STATES

    @property
    def on_time(self) -> bool:
        """Filed, and first submitted before the deadline (a late resend after a timely first 报送 is on
        time; a late first 报送 stays late)."""
        return (
            self.filed
            and self.submitted_on is not None
            and not rules.is_late_day(self.filing.year, self.filing.month, self.submitted_on)
        )

    @property
    def late(self) -> bool:
        return self.filed and not self.on_time

    @property
    def returned(self) -> bool:
        """退回 and not resent by as_of (counted in missing)."""
        return self.state == rules.FilingState.RETURNED

    @property
    def confirmed(self) -> bool:
        return self.state == rules.FilingState.CONFIRMED


def filing_status(
    *, year: int, months: Iterable[int], user=None, now: dt.datetime | None = None
) -> dict[int, dict[int, FilingStatus]]:
    """The one definition of a month's filing figures, shared by the monthly report and the annual review:
    month → region id → FilingStatus, for every filing of `year` in `months` (in the user's scope; all with
    user=None). Each month is read from the workflow events as of the end of
    rules.filing_as_of(year, month, now), so a step taken after the month's cutoff changes nothing.
    A county without a filing has no entry (it is missing). One query whatever the number of months."""
    now = now or timezone.now()
    months = sorted(set(months))
    result: dict[int, dict[int, FilingStatus]] = {month: {} for month in months}
    if not months:
        return result
    as_of = {month: rules.filing_as_of(year, month, now) for month in months}
    filings = MonthlyFiling.objects.visible_to(user) if user is not None else MonthlyFiling.objects.all()
    filings = filings.filter(year=year, month__in=months).annotate(
        as_of=Case(*(When(month=m, then=Value(day)) for m, day in as_of.items()), output_field=DateField())
    )
    # with_state_on takes the day as an expression too: each row is read at its own month's as_of.
    filings = with_state_on(filings, OuterRef("as_of"), name="state_as_of")
    filings = first_reached(filings, action="submit", name="first_submit_on")
    for filing in filings.select_related("region").order_by("month", "region_id"):
        result[filing.month][filing.region_id] = FilingStatus(
            filing=filing,
            state=filing.state_as_of,
            submitted_on=filing.first_submit_on,
            as_of=as_of[filing.month],
        )
    return result


# ---------------------------------------------------------------------------------------------- report


@dataclass
class MonthlyReportData:
    year: int
    month: int
    deadline: dt.datetime
    expected: int
    filed: int
    on_time: int
    late: int
    completeness: Any
    timeliness: Any
    returned: int = 0
    as_of: dt.date | None = None
    counties: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    task_categories: list[dict[str, Any]] = field(default_factory=list)
    figure_labels: list[tuple[str, str]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    figure_totals: dict[str, int] = field(default_factory=dict)
    highlights: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_filings(self) -> bool:
        return self.filed > 0

    @property
    def missing(self) -> int:
        """Expected and not filed (no filing, a draft, or 退回 and not resent)."""
        return self.expected - self.filed

    def as_json(self) -> dict[str, Any]:
        """The job's stored result: the headline numbers (exact ratios as strings)."""
        return {
            "year": self.year,
            "month": self.month,
            "expected": self.expected,
            "filed": self.filed,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "returned": self.returned,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "completeness": str(rules.ratio_decimal(self.completeness)),
            "timeliness": str(rules.ratio_decimal(self.timeliness)),
            "figure_totals": self.figure_totals,
        }


def monthly_report_data(*, year: int, month: int, now: dt.datetime | None = None) -> MonthlyReportData:
    """Everything the monthly progress report shows, city-wide (a constant number of queries).

    - the filings as filing_status reads them: as of min(now, the month's cutoff). expected: active
      county-level units; filed: 已报送 or 已确认 then (a 退回 filing counts once resent); on time: filed
      and first submitted before the deadline; late: filed and not on time, in the county rows as in the
      totals. completeness = filed / expected and timeliness = on time / expected (DHIS2's "reporting rate"
      and "reporting rate on time").
    - task progress: each approved task of the year, with the quantity done as of the month (the month's
      filing, else the latest filed month before it).
    - figures: the month's figures of the filed filings, by county, with city totals.
    """
    now = now or timezone.now()
    regions = list(Region.objects.county_level())
    statuses = filing_status(year=year, months=[month], now=now)[month]
    filings = {region_id: status.filing for region_id, status in statuses.items()}
    filed_ids = {status.filing.pk for status in statuses.values() if status.filed}
    filed = [status for status in statuses.values() if status.filed]
    on_time = [status for status in filed if status.on_time]
    past = rules.is_past_deadline(year, month, now)
    filed_states = rules.FILED_STATES
    counties = []
    for region in regions:
        status = statuses.get(region.pk)
        f = status.filing if status else None
        submitted = bool(status and status.submitted_on and status.submitted_on <= status.as_of)
        counties.append(
            {
                "region": region.name,
                "state": rules.board_state(status.state if status else None, past_deadline=past).label,
                "submitted_at": timezone.localtime(f.first_submitted_at)
                if submitted and f.first_submitted_at
                else None,
                "filed": bool(status and status.filed),
                "on_time": bool(status and status.on_time),
                "late": bool(status and status.late),
            }
        )

    # Task progress as of the month: the latest filed month ≤ month for each task.
    tasks = list(
        CountyTask.objects.filter(year=year, status=CountyTask.Status.APPROVED, region__in=regions)
        .select_related("region")
        .order_by("region__sort_order", "region__code", "category", "pk")
    )
    latest = _first_per_task(
        TaskProgress.objects.filter(
            task__year=year, filing__year=year, filing__month__lte=month, filing__state__in=filed_states
        ).order_by("task_id", "-filing__month")
    )
    task_rows = []
    categories: dict[str, dict[str, Any]] = {}
    for task in tasks:
        row = latest.get(task.pk)
        done = row.done_quantity if row else 0
        task_rows.append(
            {
                "region": task.region.name,
                "category": task.get_category_display(),
                "title": task.title,
                "partner": task.partner,
                "target": task.target_quantity,
                "done": done,
                "percent": row.percent if row else None,
                "status": row.get_status_display() if row else "未报送",
                "deadline": task.deadline,
            }
        )
        cat = categories.setdefault(
            task.category, {"category": task.get_category_display(), "tasks": 0, "target": 0, "done": 0}
        )
        cat["tasks"] += 1
        cat["target"] += task.target_quantity
        cat["done"] += min(done, task.target_quantity)
    for cat in categories.values():
        cat["rate"] = rules.ratio(cat["done"], cat["target"])
        cat["rate_text"] = rules.format_percent(cat["rate"])
    task_categories = sorted(categories.values(), key=lambda c: c["category"])

    # Figures of filed filings.
    specs = [(figure.key, figure.label) for figure in monthly_figures()]
    entries = defaultdict(dict)
    labels = dict(specs)
    for entry in FigureEntry.objects.filter(filing_id__in=filed_ids):
        entries[entry.filing_id][entry.key] = entry.value
        labels.setdefault(entry.key, entry.label)
    keys = [key for key, _ in specs] + sorted(k for k in labels if k not in dict(specs))
    figure_rows = []
    totals = dict.fromkeys(keys, 0)
    for region in regions:
        f = filings.get(region.pk)
        if f is None or f.pk not in filed_ids:
            continue
        values = entries.get(f.pk, {})
        row = {"region": region.name, "values": [values.get(key, 0) for key in keys]}
        for key in keys:
            totals[key] += values.get(key, 0)
        figure_rows.append(row)
    highlights = [
        {
            "region": filings[region.pk].region.name,
            "key_progress": filings[region.pk].key_progress,
            "problems": filings[region.pk].problems,
            "next_plan": filings[region.pk].next_plan,
        }
        for region in regions
        if region.pk in filings and filings[region.pk].pk in filed_ids
    ]
    expected = len(regions)
    return MonthlyReportData(
        year=year,
        month=month,
        deadline=rules.filing_deadline(year, month),
        expected=expected,
        filed=len(filed),
        on_time=len(on_time),
        late=len(filed) - len(on_time),
        completeness=rules.ratio(len(filed), expected),
        timeliness=rules.ratio(len(on_time), expected),
        returned=sum(1 for status in statuses.values() if status.returned),
        as_of=rules.filing_as_of(year, month, now),
        counties=counties,
        tasks=task_rows,
        task_categories=task_categories,
        figure_labels=[(key, labels[key]) for key in keys],
        figures=figure_rows,
        figure_totals=totals,
        highlights=highlights,
    )


def monthly_reports(*, user) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.select_related("job", "job__requested_by")


# ---------------------------------------------------------------------------------------------- annual review


def filing_timeliness(*, year: int, user, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Filing timeliness by county for one year (for the annual review), for the counties in the user's
    scope (a county office: its own): the sum over the months of the year whose filing deadline has
    passed at `now` (12 for a past year) of filing_status, the monthly report's own figures, so that the
    year's table equals the sum of its monthly reports (December is read at its own cutoff, in January).
    Per county-level unit:

    expected — those months; filed / on_time / late / returned / confirmed — as filing_status reads each
    month at its cutoff; missing = expected − filed (退回 and not resent is missing);
    on_time_rate = on_time / expected (exact Fraction, None when nothing is expected).
    One query for the filings."""
    now = now or timezone.now()
    expected_months = [m for m in range(1, 13) if rules.is_past_deadline(year, m, now)]
    regions = Region.objects.county_level()
    allowed = scope_region_ids(user)
    if allowed is not None:
        regions = regions.filter(pk__in=allowed)
    keys = ("filed", "on_time", "late", "returned", "confirmed")
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    for by_region in filing_status(year=year, months=expected_months, user=user, now=now).values():
        for region_id, status in by_region.items():
            row = counts[region_id]
            for key in keys:
                row[key] += getattr(status, key)
    result = []
    for reg in regions:
        row = counts.get(reg.pk) or dict.fromkeys(keys, 0)
        expected = len(expected_months)
        result.append(
            {
                "region": reg,
                "expected": expected,
                "filed": row["filed"],
                "on_time": row["on_time"],
                "late": row["late"],
                "missing": expected - row["filed"],
                "returned": row["returned"],
                "confirmed": row["confirmed"],
                "on_time_rate": rules.ratio(row["on_time"], expected),
            }
        )
    return result


def filing_timeliness_totals(*, year: int, user, now: dt.datetime | None = None) -> dict[str, Any]:
    """Totals of filing_timeliness over the user's counties for one year (the annual review's headline)."""
    rows = filing_timeliness(year=year, user=user, now=now)
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("expected", "filed", "on_time", "late", "missing", "returned", "confirmed")
    }
    totals["on_time_rate"] = rules.ratio(totals["on_time"], totals["expected"])
    return totals


def task_completion(*, year: int, month: int = 12) -> list[dict[str, Any]]:
    """Task-list completion for the annual review, by county and category, as of `month` (December for the
    year): per (county, category) the number of approved tasks, the target quantity and the quantity done
    (from the latest filed month ≤ `month`, capped at each task's target). The city-wide sums give the
    review's "成果转化基地 landed" and "产业园 finished". Three queries."""
    tasks = CountyTask.objects.filter(year=year, status=CountyTask.Status.APPROVED).select_related("region")
    latest = _first_per_task(
        TaskProgress.objects.filter(
            task__year=year, filing__year=year, filing__month__lte=month, filing__state__in=rules.FILED_STATES
        ).order_by("task_id", "-filing__month")
    )
    cells: dict[tuple[int, str], dict[str, Any]] = {}
    for task in tasks.order_by("region__sort_order", "region__code", "category"):
        cell = cells.setdefault(
            (task.region_id, task.category),
            {"region": task.region, "category": task.category, "label": task.get_category_display(),
             "tasks": 0, "target": 0, "done": 0},
        )  # fmt: skip
        row = latest.get(task.pk)
        cell["tasks"] += 1
        cell["target"] += task.target_quantity
        cell["done"] += min(row.done_quantity, task.target_quantity) if row else 0
    return list(cells.values())


def task_completion_totals(*, year: int, month: int = 12) -> dict[str, dict[str, int]]:
    """City totals of task_completion by category key: {"conversion_base": {"tasks", "target", "done"}}."""
    totals: dict[str, dict[str, int]] = {}
    for cell in task_completion(year=year, month=month):
        total = totals.setdefault(cell["category"], {"tasks": 0, "target": 0, "done": 0})
        for key in ("tasks", "target", "done"):
            total[key] += cell[key]
    return totals


def yearly_figures(*, year: int, now: dt.datetime | None = None) -> dict[int, dict[str, int]]:
    """The year's sums of the month's figures by county (region id → {figure key → sum}), from the filings
    filing_status counts as filed (each month as of its cutoff, as its monthly report). Two queries."""
    statuses = filing_status(year=year, months=range(1, 13), now=now)
    filed = [status.filing.pk for month in statuses.values() for status in month.values() if status.filed]
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        FigureEntry.objects.filter(filing_id__in=filed)
        .values("filing__region_id", "key")
        .annotate(total=Sum("value"))
        .order_by()
    )
    for row in rows:
        sums[row["filing__region_id"]][row["key"]] = row["total"]
    return dict(sums)


# ------------------------------------------------------------------------------ 科研人员倍增计划


def researcher_target_list(*, user) -> QuerySet[ResearcherTarget]:
    return ResearcherTarget.objects.visible_to(user).select_related("region")


def researcher_staff_by_region(*, year: int, region_ids: list[int] | None = None) -> dict[int, int]:
    """Each county's research staff of `year`: the enterprises' 科技人员 plus the staff of its recognised
    platforms (two grouped queries)."""
    companies = enterprises.tech_staff_by_region(year=year, region_ids=region_ids)
    platform_staff = platforms.platform_staff_by_region(year=year, region_ids=region_ids)
    return {
        region_id: companies.get(region_id, 0) + platform_staff.get(region_id, 0)
        for region_id in set(companies) | set(platform_staff)
    }


def researcher_base(*, region_id: int, year: int) -> int:
    """The base a target of `year` is set on: the county's research staff of the year before."""
    return researcher_staff_by_region(year=year - 1, region_ids=[region_id]).get(region_id, 0)


def researcher_progress(*, year: int, targets: list[ResearcherTarget]) -> list[dict[str, Any]]:
    """Each target against the county's research staff of `year` (the enterprises' 科技人员 plus the staff
    of its recognised platforms) and its base, the staff of the year before; 完成度 is the growth over the
    base ÷ (target − base), as for the 高企倍增计划 (enterprises.rules.doubling_percent). Grouped queries,
    whatever the number of targets."""
    region_ids = [t.region_id for t in targets]
    companies = enterprises.tech_staff_by_region(year=year, region_ids=region_ids)
    platform_staff = platforms.platform_staff_by_region(year=year, region_ids=region_ids)
    bases = researcher_staff_by_region(year=year - 1, region_ids=region_ids)
    rows = []
    for target in targets:
        actual = companies.get(target.region_id, 0) + platform_staff.get(target.region_id, 0)
        base = bases.get(target.region_id, 0)
        rows.append(
            {
                "target": target,
                "region": target.region,
                "enterprise_staff": companies.get(target.region_id, 0),
                "platform_staff": platform_staff.get(target.region_id, 0),
                "actual": actual,
                "base": base,
                "growth": actual - base,
                "percent": doubling_percent(actual=actual, base=base, target=target.target),
                "met": actual >= target.target,
            }
        )
    return rows


def researcher_latest_year(*, user) -> int | None:
    """The latest year up to this one for which the user sees a target (None without any)."""
    years = researcher_target_list(user=user).filter(year__lte=timezone.localdate().year)
    return years.aggregate(latest=Max("year"))["latest"]


def researcher_progress_for(*, user, year: int) -> list[dict[str, Any]]:
    return researcher_progress(year=year, targets=list(researcher_target_list(user=user).filter(year=year)))


def researcher_figures_by_county(*, year: int, user) -> list[dict[str, Any]]:
    """The annual review's rows: every county in the user's scope with a target for `year`."""
    targets = researcher_target_list(user=user).filter(year=year)
    return researcher_progress(year=year, targets=list(targets))
