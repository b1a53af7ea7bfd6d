"""Every read of the projects app, scoped by user. The counting functions at the end serve the annual
review (kejiju.reporting reads them; see their docstrings for what each figure means)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Least
from django.utils import timezone

from . import rules
from .models import AnnualReport, Call, CooperationProject, Disbursement, Programme, Project
from .rules import FUNDED_STATES, RUNNING_STATES

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
    """Calls an application may be entered for: staff any call (late entries, corrections), a county
    office only calls open today."""
    queryset = Call.objects.select_related("programme").order_by("-year", "programme__sort_order", "title")
    if getattr(user, "role", "") == rules.BUREAU:
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
    from experts.selectors import review_panel_for

    panel = review_panel_for(subject=project)
    if panel is not None and panel.is_closed and panel.result is not None:
        return ReviewResult(score=panel.result, source="panel", panel=panel)
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


def overdue_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    return {
        "acceptance": overdue_acceptance(user=user, today=today).count(),
        "annual_reports": missing_annual_reports(user=user, today=today).count(),
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


def project_figures_by_state(*, user, year: int | None = None, region=None) -> list[dict]:
    """Projects by state (of calls of `year`, or all; of one county when `region` is given): count,
    committed city money, paid, self-raised. Every state appears, with zeros where there are none."""
    queryset = Project.objects.visible_to(user)
    if year is not None:
        queryset = queryset.filter(call__year=year)
    if region is not None:
        queryset = queryset.filter(region=region)
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
    rows = _money_rows(Project.objects.visible_to(user), ["call__year", "region__sort_order", "region__name"])
    for row in rows:
        row["year"] = row.pop("call__year")
        row["county"] = row.pop("region__name")
        row.pop("region__sort_order")
    return rows


def project_figures_by_programme(*, user, year: int | None = None) -> list[dict]:
    queryset = Project.objects.visible_to(user)
    if year is not None:
        queryset = queryset.filter(call__year=year)
    rows = _money_rows(queryset, ["call__programme__sort_order", "call__programme__name"])
    for row in rows:
        row["programme"] = row.pop("call__programme__name")
        row.pop("call__programme__sort_order")
    return rows


def project_figures_by_year(*, user) -> list[dict]:
    rows = _money_rows(Project.objects.visible_to(user), ["call__year"])
    for row in rows:
        row["year"] = row.pop("call__year")
    return rows


def project_figures_by_county(*, user, year: int | None = None) -> list[dict]:
    queryset = Project.objects.visible_to(user)
    if year is not None:
        queryset = queryset.filter(call__year=year)
    rows = _money_rows(queryset, ["region__sort_order", "region__name"])
    for row in rows:
        row["county"] = row.pop("region__name")
        row.pop("region__sort_order")
    return rows


def project_years(*, user) -> list[int]:
    return list(
        Project.objects.visible_to(user)
        .order_by("-call__year")
        .values_list("call__year", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------------------------------- 省校合作


def cooperation_project_list(*, user) -> QuerySet[CooperationProject]:
    return CooperationProject.objects.visible_to(user).select_related("region", "university", "local_unit")


def cooperation_figures(*, user, year: int, region=None) -> dict[str, int]:
    """省校合作 figures of `year` as the annual review states them: 高校科技成果转化基地 projects landed in
    the year (落地日期 in the year) and 产业园 tasks finished in the year (完成日期 in the year); plus the
    year's task count and how many were stopped."""
    queryset = CooperationProject.objects.visible_to(user)
    if region is not None:
        queryset = queryset.filter(region=region)
    kinds = CooperationProject.Kind
    return queryset.aggregate(
        transfer_bases_landed=Count("pk", filter=Q(kind=kinds.TRANSFER_BASE, landed_on__year=year)),
        industrial_parks_finished=Count("pk", filter=Q(kind=kinds.INDUSTRIAL_PARK, finished_on__year=year)),
        landed=Count("pk", filter=Q(landed_on__year=year)),
        finished=Count("pk", filter=Q(finished_on__year=year)),
        tasks=Count("pk", filter=Q(task_year=year)),
        stopped=Count("pk", filter=Q(task_year=year, state=CooperationProject.State.STOPPED)),
    )


def cooperation_figures_by_county(*, user, year: int) -> list[dict]:
    """Per county: tasks of the year, 成果转化基地 landed and 产业园 finished in the year."""
    kinds = CooperationProject.Kind
    return list(
        CooperationProject.objects.visible_to(user)
        .filter(Q(task_year=year) | Q(landed_on__year=year) | Q(finished_on__year=year))
        .values("region__sort_order", "region__name")
        .annotate(
            tasks=Count("pk", filter=Q(task_year=year)),
            transfer_bases_landed=Count("pk", filter=Q(kind=kinds.TRANSFER_BASE, landed_on__year=year)),
            industrial_parks_finished=Count(
                "pk", filter=Q(kind=kinds.INDUSTRIAL_PARK, finished_on__year=year)
            ),
        )
        .order_by("region__sort_order", "region__name")
    )
