"""Every read of the projects app, scoped by user. The counting functions at the end serve the annual
review (kejiju.reporting reads them; see their docstrings for what each figure means)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, ExtractYear, Least
from django.utils import timezone

from kejiju.core.models import WorkflowEvent
from kejiju.core.scoping import scope_region_ids, scoped_queryset
from kejiju.core.workflow.selectors import STEP_ORDER, with_state_on

from . import rules
from .models import (
    Achievement,
    AchievementTransfer,
    AnnualReport,
    Attachment,
    Call,
    CooperationProject,
    Disbursement,
    MidtermCheck,
    OwnershipGrant,
    OwnershipPilot,
    Programme,
    Project,
)
from .rules import FUNDED_STATES, PROJECT_WORKFLOW, RUNNING_STATES

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _paid_subquery():
    return Coalesce(
        Subquery(
            Disbursement.objects.filter(project=OuterRef("pk"))
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
        ZERO,
    )


def overdue_condition(today: dt.date) -> Q:
    """Running and past the end date without an acceptance conclusion."""
    return Q(state__in=RUNNING_STATES, end_date__lt=today)


def project_list(*, user) -> QuerySet[Project]:
    """The projects the user may see, with what the list shows (programme, county, paid money)."""
    return (
        Project.objects.visible_to(user)
        .select_related("call__programme", "applicant", "region")
        .annotate(paid=_paid_subquery())
    )


def project_for_detail(*, user, pk: int) -> Project:
    return (
        Project.objects.visible_to(user)
        .select_related("call__programme", "applicant", "region", "created_by")
        .get(pk=pk)
    )


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.annotate(
        call_count=Count("calls", distinct=True), project_count=Count("calls__projects", distinct=True)
    )


def call_list() -> QuerySet[Call]:
    return Call.objects.select_related("programme").annotate(project_count=Count("projects"))


def calls_for_entry(*, user, today: dt.date | None = None) -> QuerySet[Call]:
    """Calls an application may be entered for: any call with projects.enter_late_application (late
    entries, corrections), otherwise only calls open today."""
    queryset = Call.objects.select_related("programme").order_by("-year", "programme__sort_order", "title")
    if user.has_perm("projects.enter_late_application"):
        return queryset
    today = today or timezone.localdate()
    return queryset.filter(opens_on__lte=today, closes_on__gte=today)


@dataclass(frozen=True)
class ReviewResult:
    """The score a 立项 decision rests on, and where it came from."""

    score: Decimal | None
    source: str  # "panel" (a closed expert panel of the expert library) or "" (none yet)
    panel: object | None = None  # the latest panel, closed or not


def project_review_result(*, project: Project) -> ReviewResult:
    """The latest expert panel of the project (experts app) and its score once the panel is closed."""
    from experts.selectors import review_subject_for

    reviewed = review_subject_for(subject=project)
    panel = reviewed.panel if reviewed is not None else None
    if panel is not None and panel.is_closed and reviewed.result is not None:
        return ReviewResult(score=reviewed.result, source="panel", panel=panel)
    return ReviewResult(score=None, source="", panel=panel)


# -------------------------------------------------------------------------------------------- overdue


def overdue_acceptance(*, user, today: dt.date | None = None) -> QuerySet[Project]:
    """Projects past their end date that have not reached an acceptance conclusion (验收 overdue)."""
    today = today or timezone.localdate()
    return project_list(user=user).filter(overdue_condition(today)).order_by("end_date", "number")


def missing_annual_reports(*, user, today: dt.date | None = None) -> QuerySet[Project]:
    """Running projects with fewer annual reports filed than years due (a report for year Y is due by
    31 March of Y+1, for each year of the term). Annotated with `reports_due` and `reports_filed`."""
    today = today or timezone.localdate()
    last_due = rules.last_report_year_due(today)
    filed = Subquery(
        AnnualReport.objects.filter(
            project=OuterRef("pk"), year__gte=ExtractYear(OuterRef("start_date")), year__lte=last_due
        )
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    return (
        project_list(user=user)
        .filter(state__in=RUNNING_STATES - {rules.State.APPROVED}, start_date__year__lte=last_due)
        .annotate(
            reports_due=Least(ExtractYear("end_date"), Value(last_due)) - ExtractYear("start_date") + 1,
            reports_filed=Coalesce(filed, Value(0)),
        )
        .filter(reports_filed__lt=F("reports_due"))
        .order_by("start_date", "number")
    )


def missing_midterm_material(*, user, today: dt.date | None = None) -> QuerySet[Project]:
    """Projects in execution of two years or more, past half their term and before its end, with neither
    中期 material uploaded nor a 中期检查 recorded (rules.midterm_due)."""
    today = today or timezone.localdate()
    candidates = (
        Project.objects.visible_to(user)
        .filter(
            state__in=[rules.State.EXECUTING, rules.State.SUSPENDED],
            end_date__gte=today,
            start_date__lte=today - dt.timedelta(days=rules.MIDTERM_MIN_TERM_DAYS // 2),
        )
        .exclude(pk__in=MidtermCheck.objects.values("project"))
        .exclude(pk__in=Attachment.objects.filter(kind=Attachment.Kind.MIDTERM).values("project"))
        .values_list("pk", "start_date", "end_date")
    )
    # Half of each project's own term: compared here, portable across PostgreSQL and SQLite.
    due = [pk for pk, start, end in candidates if rules.midterm_due(start=start, end=end, today=today)]
    return project_list(user=user).filter(pk__in=due).order_by("start_date", "number")


def unit_owing_counts(*, user, today: dt.date) -> dict[str, int]:
    """How many of the unit's projects owe a 年度报告, 中期 material or the 验收申请 (its to-do list)."""
    return {
        "annual_reports": missing_annual_reports(user=user, today=today).count(),
        "midterm": missing_midterm_material(user=user, today=today).count(),
        "acceptance": overdue_acceptance(user=user, today=today)
        .filter(state__in=[rules.State.EXECUTING, rules.State.SUSPENDED])
        .count(),
    }


def project_owes(*, project: Project, today: dt.date) -> list[str]:
    """What the project's unit still owes the bureau (rules.project_owes), read from its records."""
    return rules.project_owes(
        state=project.state,
        start=project.start_date,
        end=project.end_date,
        today=today,
        filed_years=set(project.annual_reports.values_list("year", flat=True)),
        has_midterm=project.midterm_checks.exists()
        or project.attachments.filter(kind=Attachment.Kind.MIDTERM).exists(),
    )


def overdue_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    return {
        "acceptance": overdue_acceptance(user=user, today=today).count(),
        "annual_reports": missing_annual_reports(user=user, today=today).count(),
        "midterm": missing_midterm_material(user=user, today=today).count(),
    }


# ------------------------------------------------------------------------------- figures (annual review)


def _money_rows(queryset: QuerySet[Project], keys: list[str]) -> list[dict]:
    """Count, city money committed (批准市级资金 of projects from 立项 on), paid, and self-raised money."""
    paid_by_key = {
        tuple(row[f"project__{k}"] for k in keys): row["paid"]
        for row in Disbursement.objects.filter(project__in=queryset.values("pk"))
        .values(*[f"project__{k}" for k in keys])
        .annotate(paid=Sum("amount"))
    }
    rows = []
    aggregated = (
        queryset.values(*keys)
        .annotate(
            count=Count("pk"),
            funded=Count("pk", filter=Q(state__in=FUNDED_STATES)),
            committed=Coalesce(Sum("city_grant", filter=Q(state__in=FUNDED_STATES)), ZERO),
            self_raised_total=Coalesce(Sum("self_raised", filter=Q(state__in=FUNDED_STATES)), ZERO),
        )
        .order_by(*keys)
    )
    for row in aggregated:
        row["paid"] = paid_by_key.get(tuple(row[k] for k in keys), Decimal("0"))
        rows.append(row)
    return rows


def project_figures_by_state(*, user, year: int | None = None) -> list[dict]:
    """Projects the user may see by state (of calls of `year`, or all): count, committed city money, paid,
    self-raised. Every state appears, with zeros where there are none."""
    queryset = scoped_queryset(Project, user)
    if year is not None:
        queryset = queryset.filter(year=year)
    found = {row["state"]: row for row in _money_rows(queryset, ["state"])}
    rows = []
    for state in rules.State:
        row = found.get(state.value) or {
            "state": state.value,
            "count": 0,
            "funded": 0,
            "committed": Decimal("0"),
            "paid": Decimal("0"),
            "self_raised_total": Decimal("0"),
        }
        row["label"] = state.label
        rows.append(row)
    return rows


def project_figures_by_year_and_county(*, user) -> list[dict]:
    """Per call year and county: projects, funded projects, committed and paid city money, self-raised."""
    rows = _money_rows(Project.objects.visible_to(user), ["year", "region__sort_order", "region__name"])
    for row in rows:
        row["county"] = row.pop("region__name")
        row.pop("region__sort_order")
    return rows


def project_figures_by_programme(*, user, year: int | None = None) -> list[dict]:
    queryset = Project.objects.visible_to(user)
    if year is not None:
        queryset = queryset.filter(year=year)
    rows = _money_rows(queryset, ["call__programme__sort_order", "call__programme__name"])
    for row in rows:
        row["programme"] = row.pop("call__programme__name")
        row.pop("call__programme__sort_order")
    return rows


def project_figures_by_year(*, user) -> list[dict]:
    return _money_rows(Project.objects.visible_to(user), ["year"])


def project_figures_by_county(*, user, year: int | None = None) -> list[dict]:
    queryset = Project.objects.visible_to(user)
    if year is not None:
        queryset = queryset.filter(year=year)
    rows = _money_rows(queryset, ["region__sort_order", "region__name"])
    for row in rows:
        row["county"] = row.pop("region__name")
        row.pop("region__sort_order")
    return rows


def project_years(*, user) -> list[int]:
    return list(Project.objects.visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


# --------------------------------------------------------- figures as of 31 December (issue 18 definitions)
# Every figure of year Y is read from dated records as they stood on D = 31 December Y: the project's
# workflow events (effective_on) and Disbursement.paid_on. Events dated after D never change it. Today's
# Project.state and Project.city_grant (overwritten by later steps) are not read for history.

FIGURE_NOTES: dict[str, str] = {
    "projects_applied": "申报项目：当年度申报批次中于年末前已申报的项目，含其后撤回、不予受理、未立项的。",
    "projects": "立项项目：当年立项生效的市级科技计划项目，每个项目计一次（不论申报年度）。",
    "committed": "承诺市级资金：当年立项项目立项时批准的市级资金，按年末前批准的经费预算变更调整后的金额。",
    "paid": "当年拨付：拨付日期在当年的全部市级资金拨付，不论项目年度。",
    "paid_cumulative": "累计拨付：当年立项项目截至年末累计拨付的市级资金。",
    "transfer_bases": (
        "成果转化基地落地：落地日期在当年、状态为已落地或已完成的省校合作成果转化基地项目（已终止、签约、建设中的不计）；"
        "县区按项目所在县区。"
    ),
    "ownership": "赋权：赋权日期在当年的职务科技成果赋权（成果计一次）；转化：转化日期在当年的转让和许可。",
    "parks": (
        "产业园建成：完成日期在当年、状态为已完成的省校合作产业园项目（已终止等其他状态的不计）；"
        "县区按项目所在县区。"
    ),
    # The table under the figures (not a headline key).
    "projects_by_state": "按状态：当年度申报批次中年末前已申报的项目按其12月31日所处状态计，金额截至当日。",
}

PROJECT_FIGURE_KEYS = ("projects_applied", "projects", "committed", "paid", "paid_cumulative")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def year_end(year: int) -> dt.date:
    """D: the day a year's figures are read as of."""
    return dt.date(year, 12, 31)


def _project_events():
    return WorkflowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Project), workflow=PROJECT_WORKFLOW
    )


def _projects(user, region) -> QuerySet[Project]:
    queryset = Project.objects.all() if user is None else scoped_queryset(Project, user)
    return queryset if region is None else queryset.filter(region=region)


def _approved_between(start: dt.date, end: dt.date) -> Exists:
    """Whether the project has an `approve` (立项) event effective in [start, end]."""
    return Exists(
        _project_events().filter(
            object_id=OuterRef("pk"), action=rules.Action.APPROVE, effective_on__range=(start, end)
        )
    )


def _with_applied(queryset: QuerySet[Project], year: int) -> QuerySet[Project]:
    """Annotate `state_at_end` (the state on 31 December of `year`) and `applied` (申报: of call year `year`
    and submitted by then: the project's first event, 录入申报 in state 申报, took effect on or before it)."""
    queryset = with_state_on(queryset, year_end(year), name="state_at_end")
    return queryset.alias(
        applied=ExpressionWrapper(Q(year=year, state_at_end__isnull=False), output_field=BooleanField())
    )


def applied_projects(*, user=None, year: int, region=None) -> QuerySet[Project]:
    """申报: projects of call year `year` submitted on or before 31 December, whatever came after (撤回,
    不予受理, 未立项 included). Annotated with `state_at_end`, their state on that day."""
    return _with_applied(_projects(user, region), year).filter(applied=True)


def approved_projects(*, start: dt.date, end: dt.date, region=None, user=None) -> QuerySet[Project]:
    """立项: projects with an `approve` event effective in [start, end], each once (whatever their call year
    and whatever happened after). The monthly report uses it with a month, the annual review with a year."""
    return _projects(user, region).filter(_approved_between(start, end))


def projects_approved_in_month(region, year: int, month: int) -> int:
    """The county filing's monthly figure `projects_new`: the annual 立项 of one county, for one month."""
    last = calendar.monthrange(year, month)[1]
    return approved_projects(
        start=dt.date(year, month, 1), end=dt.date(year, month, last), region=region
    ).count()


def _approved_in(year: int, *, user=None, region=None) -> QuerySet[Project]:
    return approved_projects(start=dt.date(year, 1, 1), end=year_end(year), region=region, user=user)


def _grant_on(key: str, action: str, on: dt.date) -> Subquery:
    """The amount `key` of the project's latest `action` event effective on or before `on`."""
    latest = (
        _project_events()
        .filter(object_id=OuterRef("pk"), action=action, effective_on__lte=on, data__has_key=key)
        .order_by(*(f"-{name}" for name in STEP_ORDER))
        .annotate(amount=Cast(KeyTextTransform(key, "data"), MONEY))
        .values("amount")[:1]
    )
    return Subquery(latest, output_field=MONEY)


def with_commitment_on(queryset: QuerySet[Project], on: dt.date, *, name: str = "committed") -> QuerySet:
    """Annotate the city grant committed as of `on`: the amount approved at 立项 (the approve event's
    `granted`), replaced by the latest approved budget change decided on or before `on` (the
    change_decision step's `city_grant`). Zero for a project not approved by then."""
    return queryset.annotate(
        **{
            name: Coalesce(
                _grant_on("city_grant", "change_decision", on),
                _grant_on("granted", rules.Action.APPROVE, on),
                ZERO,
            )
        }
    )


def _disbursements(user, region) -> QuerySet[Disbursement]:
    queryset = Disbursement.objects.all() if user is None else scoped_queryset(Disbursement, user)
    return queryset if region is None else queryset.filter(project__region=region)


def _applied_in(year: int, *, user=None, region=None) -> QuerySet[Project]:
    """申报 as a filter that an index serves: the call year's projects with a state-changing step effective
    on or before 31 December (a project has a state on that day: the same as `applied`)."""
    stepped = (
        _project_events()
        .filter(object_id=OuterRef("pk"), effective_on__lte=year_end(year))
        .exclude(to_state="")
        .exclude(from_state=F("to_state"))
    )
    return _projects(user, region).filter(year=year).filter(Exists(stepped))


def _approved_ids(start: dt.date, end: dt.date) -> QuerySet:
    """The ids of the projects approved in [start, end], read from the events' (workflow, action, date)
    index rather than probed once per project."""
    return (
        _project_events()
        .filter(action=rules.Action.APPROVE, effective_on__range=(start, end))
        .values("object_id")
    )


def project_year_figures_by_region(*, user=None, year: int, region=None) -> dict[str, dict]:
    """The five project figures of `year` by county, {key: {region_id | None: value}} (None: no county),
    as they stood on 31 December (FIGURE_NOTES). Three grouped queries whatever the number of projects:

    - projects_applied: applied_projects (call year, submitted by 31 December);
    - projects: approved_projects in the year (an `approve` event effective in it);
    - committed: for those, with_commitment_on 31 December (never today's Project.city_grant);
    - paid: Disbursement.amount paid in the year, whatever the project's year;
    - paid_cumulative: the disbursements of the year's 立项 projects paid on or before 31 December."""
    start, end = dt.date(year, 1, 1), year_end(year)
    approved = _projects(user, region).filter(pk__in=_approved_ids(start, end))
    applied_rows = (
        _applied_in(year, user=user, region=region).values("region").annotate(n=Count("pk")).order_by()
    )
    approved_rows = (
        with_commitment_on(approved, end)
        .values("region")
        .annotate(projects=Count("pk"), committed_total=Sum("committed"))
        .order_by()
    )
    in_year = Q(paid_on__range=(start, end))
    cumulative = Q(project__in=_approved_ids(start, end), paid_on__lte=end)
    money_rows = (
        _disbursements(user, region)
        .filter(in_year | cumulative)
        .values(region=F("project__region"))
        .annotate(paid=Sum("amount", filter=in_year), paid_cumulative=Sum("amount", filter=cumulative))
        .order_by()
    )
    figures: dict[str, dict] = {key: {} for key in PROJECT_FIGURE_KEYS}
    for row in applied_rows:
        figures["projects_applied"][row["region"]] = row["n"]
    for row in approved_rows:
        figures["projects"][row["region"]] = row["projects"]
        figures["committed"][row["region"]] = row["committed_total"] or Decimal("0")
    for row in money_rows:
        figures["paid"][row["region"]] = row["paid"] or Decimal("0")
        figures["paid_cumulative"][row["region"]] = row["paid_cumulative"] or Decimal("0")
    return figures


def project_year_figures(*, user=None, year: int, region=None) -> dict[str, int | Decimal]:
    """The five project figures of the year (city-wide, or of one county): the sums of their county rows."""
    by_region = project_year_figures_by_region(user=user, year=year, region=region)
    return {
        key: sum(values.values(), 0 if key in ("projects_applied", "projects") else Decimal("0"))
        for key, values in by_region.items()
    }


def projects_by_state_on(*, user=None, year: int, region=None) -> list[dict]:
    """The year's applied projects (申报) by their state on 31 December: count, the city grant committed
    as of that day and what they were paid up to it. Every state appears, zeros included; the counts add
    up to `projects_applied`."""
    end = year_end(year)
    paid = Coalesce(
        Subquery(
            Disbursement.objects.filter(project=OuterRef("pk"), paid_on__lte=end)
            .order_by()
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=MONEY,
        ),
        ZERO,
    )
    queryset = with_commitment_on(applied_projects(user=user, year=year, region=region), end)
    found: dict[str, dict] = {}
    for state, committed, paid_amount in queryset.annotate(paid_by_end=paid).values_list(
        "state_at_end", "committed", "paid_by_end"
    ):
        row = found.setdefault(state, {"count": 0, "committed": Decimal("0"), "paid": Decimal("0")})
        row["count"] += 1
        row["committed"] += committed
        row["paid"] += paid_amount
    return [
        {
            "state": state.value,
            "label": state.label,
            **found.get(state.value, {"count": 0, "committed": Decimal("0"), "paid": Decimal("0")}),
        }
        for state in rules.State
    ]


# ---------------------------------------------------------------------------------------- 省校合作


def cooperation_project_list(*, user) -> QuerySet[CooperationProject]:
    return CooperationProject.objects.visible_to(user).select_related("region", "university", "local_unit")


def cooperation_landed_in(year: int) -> Q:
    """落地 in `year`: a 落地日期 in the year and a state that has reached 落地 (已落地, 已完成); a 已终止,
    签约 or 建设中 record with a 落地日期 is not counted (rules.COOPERATION_REACHED). The list filter
    landed_year reads the same condition."""
    return Q(landed_on__year=year, state__in=rules.COOPERATION_REACHED["landed"])


def cooperation_finished_in(year: int) -> Q:
    """完成 in `year`: a 完成日期 in the year and the state 已完成 (the list filter finished_year too)."""
    return Q(finished_on__year=year, state__in=rules.COOPERATION_REACHED["finished"])


def cooperation_figures(*, user, year: int) -> dict[str, int]:
    """省校合作 figures of `year` (of the projects the user may see) as the annual review states them:
    高校科技成果转化基地 projects landed in the year (cooperation_landed_in) and 产业园 tasks finished in the
    year (cooperation_finished_in); plus the year's task count and how many were stopped."""
    queryset = scoped_queryset(CooperationProject, user)
    kinds = CooperationProject.Kind
    landed, finished = cooperation_landed_in(year), cooperation_finished_in(year)
    return queryset.aggregate(
        transfer_bases_landed=Count("pk", filter=Q(kind=kinds.TRANSFER_BASE) & landed),
        industrial_parks_finished=Count("pk", filter=Q(kind=kinds.INDUSTRIAL_PARK) & finished),
        landed=Count("pk", filter=landed),
        finished=Count("pk", filter=finished),
        tasks=Count("pk", filter=Q(task_year=year)),
        stopped=Count("pk", filter=Q(task_year=year, state=CooperationProject.State.STOPPED)),
    )


def cooperation_figures_by_county(*, user, year: int) -> dict[int | None, dict]:
    """Per county, keyed by region id (None: no county), in county order: tasks of the year, 成果转化基地
    landed and 产业园 finished in the year (each row also names its county, `region__name`)."""
    kinds = CooperationProject.Kind
    landed, finished = cooperation_landed_in(year), cooperation_finished_in(year)
    rows = (
        CooperationProject.objects.visible_to(user)
        .filter(Q(task_year=year) | landed | finished)
        .values("region", "region__sort_order", "region__name")
        .annotate(
            tasks=Count("pk", filter=Q(task_year=year)),
            transfer_bases_landed=Count("pk", filter=Q(kind=kinds.TRANSFER_BASE) & landed),
            industrial_parks_finished=Count("pk", filter=Q(kind=kinds.INDUSTRIAL_PARK) & finished),
        )
        .order_by("region__sort_order", "region__name")
    )
    return {row["region"]: row for row in rows}


# ------------------------------------------------------------------------ 职务科技成果赋权 pilot
# The pilot is the bureau's own (no county scoping): readers hold projects.view_ownershippilot.


def _transfer_total_subquery(outer: str):
    total = (
        AchievementTransfer.objects.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total), ZERO)


def ownership_pilot_list() -> QuerySet[OwnershipPilot]:
    achievements = (
        Achievement.objects.filter(pilot=OuterRef("pk")).order_by().values("pilot").annotate(n=Count("pk"))
    )
    grants = (
        OwnershipGrant.objects.filter(achievement__pilot=OuterRef("pk"))
        .order_by()
        .values("achievement__pilot")
        .annotate(n=Count("pk"))
    )
    return OwnershipPilot.objects.select_related("organization").annotate(
        achievement_count=Coalesce(Subquery(achievements.values("n"), output_field=IntegerField()), 0),
        grant_count=Coalesce(Subquery(grants.values("n"), output_field=IntegerField()), 0),
        transfer_total=_transfer_total_subquery("grant__achievement__pilot"),
    )


def achievement_list() -> QuerySet[Achievement]:
    return Achievement.objects.select_related("pilot__organization", "source_project").annotate(
        grant_count=Count("grants", distinct=True),
        transfer_total=_transfer_total_subquery("grant__achievement"),
    )


def achievement_grants(*, achievement: Achievement) -> list[OwnershipGrant]:
    grants = list(achievement.grants.order_by("granted_on", "pk"))
    transfers = AchievementTransfer.objects.filter(grant__in=grants).select_related("enterprise")
    by_grant: dict[int, list[AchievementTransfer]] = {}
    for transfer in transfers.order_by("transferred_on", "pk"):
        by_grant.setdefault(transfer.grant_id, []).append(transfer)
    for grant in grants:
        grant.transfer_rows = by_grant.get(grant.pk, [])
    return grants


def transfer_list() -> QuerySet[AchievementTransfer]:
    return AchievementTransfer.objects.select_related("grant__achievement__pilot__organization", "enterprise")


def ownership_figures(*, user, year: int) -> dict:
    """The year's pilot figures: achievements granted (赋权成果, distinct), grants, transfers and their
    amount (万元), in total and by unit (rows in unit order). The pilot's records are the bureau's (no
    county of their own): a reader bound to a county counts the units of that county. Three queries."""
    grants = scoped_queryset(OwnershipGrant, user).filter(granted_on__year=year)
    transfers = scoped_queryset(AchievementTransfer, user).filter(transferred_on__year=year)
    regions = scope_region_ids(user)
    if regions is not None:
        grants = grants.filter(achievement__pilot__organization__region__in=regions)
        transfers = transfers.filter(grant__achievement__pilot__organization__region__in=regions)
    units: dict[int, dict] = {}

    def unit(pk: int, name: str) -> dict:
        return units.setdefault(
            pk, {"unit": name, "achievements": 0, "grants": 0, "transfers": 0, "amount": Decimal("0")}
        )

    for row in grants.values("achievement__pilot", "achievement__pilot__organization__name").annotate(
        achievements=Count("achievement", distinct=True), grants=Count("pk")
    ):
        entry = unit(row["achievement__pilot"], row["achievement__pilot__organization__name"])
        entry.update(achievements=row["achievements"], grants=row["grants"])
    for row in transfers.values(
        "grant__achievement__pilot", "grant__achievement__pilot__organization__name"
    ).annotate(n=Count("pk"), amount=Sum("amount")):
        entry = unit(row["grant__achievement__pilot"], row["grant__achievement__pilot__organization__name"])
        entry.update(transfers=row["n"], amount=row["amount"] or Decimal("0"))
    distinct = grants.aggregate(n=Count("achievement", distinct=True))["n"]
    rows = sorted(units.values(), key=lambda r: r["unit"])
    return {
        "achievements": distinct,
        "grants": sum(r["grants"] for r in rows),
        "transfers": sum(r["transfers"] for r in rows),
        "amount": sum((r["amount"] for r in rows), Decimal("0")),
        "by_unit": rows,
    }


def ownership_figures_by_year(*, user) -> list[dict]:
    """Every year with a grant or a transfer: the year's totals by unit (for the pilot's figures page)."""
    years = {
        *OwnershipGrant.objects.annotate(y=ExtractYear("granted_on")).values_list("y", flat=True),
        *AchievementTransfer.objects.annotate(y=ExtractYear("transferred_on")).values_list("y", flat=True),
    }
    return [{"year": year, **ownership_figures(user=user, year=year)} for year in sorted(years, reverse=True)]
