"""The leadership dashboard (年度统计看板) and the annual review (年度工作综述) editions.

Access is `reporting.view_annualreview` (bureau staff and leadership). County offices get none (403): the
review is the city's, and a county's own records are on the domain apps' list pages (scoped to it).

An edition is one ReportJob of kind `annual_review`: its parameters (year, region, the narrative typed by
leadership), the statistics it was built from (`result`) and the PDF. The edition page renders the stored
statistics with the dashboard's template, so the page and the PDF state the same numbers however the
records change afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.generic import DetailView, TemplateView, View

from kejiju.accounts.models import Region
from kejiju.core.models import ReportJob
from kejiju.core.selectors import report_jobs_visible_to
from kejiju.core.services import report_job_request
from kejiju.core.views import ObjectListView
from kejiju.core.views.pages import ReportJobDownloadView

from ..annual import annual_statistics, headline_figures, valid_on
from ..annual_pdf import KIND, PERMISSION
from ..definitions import county_table, edition_definitions
from ..editions import edition_name, edition_number_text, edition_numbers, edition_scope
from ..filters import AnnualEditionFilterSet
from ..rules import clean_narrative
from ..tables import AnnualEditionTable

FIRST_YEAR = 2015
NARRATIVE_MAX_LENGTH = 5000


def year_choices() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


class AnnualForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())
    region = forms.ModelChoiceField(
        label="县区", queryset=Region.objects.none(), required=False, empty_label="全市"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in year_choices()]
        self.fields["region"].queryset = Region.objects.county_level()
        for field in (self.fields["year"], self.fields["region"]):
            # Shown without a visible label beside the button: the label is their accessible name.
            field.widget.attrs.update(
                {"class": "form-select form-select-sm w-auto", "aria-label": field.label}
            )


class AnnualBuildForm(AnnualForm):
    narrative = forms.CharField(
        label="补充说明（可选）",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "class": "form-control form-control-sm",
                "placeholder": "领导补充的文字，原样印在综述“总体情况”之后",
            }
        ),
        help_text="按原文印出，不解释任何 HTML 或 Word 格式。",
    )

    def clean_narrative(self) -> str:
        return clean_narrative(self.cleaned_data["narrative"])


# Figures that carry over from earlier years (valid 高企, money paid so far): not a sign of the year's data.
CARRIED_OVER = {"gaoqi_valid", "paid_cumulative"}


def default_year(*, today: dt.date | None = None) -> int:
    """The year the dashboard opens on: the latest one, from this year back, with any figure of its own
    (in January this year has none yet: last year's figures, not a page of zeros); last year when no
    year has any."""
    this_year = (today or timezone.localdate()).year
    for year in range(this_year, max(FIRST_YEAR, this_year - 10) - 1, -1):
        figures = headline_figures(year=year)
        if any(
            Decimal(str(value)) != 0
            for key, value in figures.items()
            if not key.startswith("_") and key not in CARRIED_OVER
        ):
            return year
    return this_year - 1


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def figure_links(year: int, region: Region | None) -> dict[str, str]:
    """The filtered list page behind each headline figure (the domain apps' filter parameters)."""
    r = region.pk if region else None
    cooperation = "projects:cooperationproject_list"
    return {
        "platforms": _url("platforms:platform_list", recognised_year=year, region=r),
        "platforms_upgraded": _url("platforms:platform_list", upgraded_year=year, region=r),
        # 科小 and 培育库: by their 入库 steps in the year (the figures' own filters); 有效高企: the
        # enterprises (each once), not their certificates.
        "smes": _url("enterprises:smesevaluation_list", admitted_in=year, region=r),
        "pool": _url("enterprises:poolentry_list", entered_in=year, region=r),
        "gaoqi_valid": _url(
            "enterprises:enterprise_list", gaoqi_valid_on=valid_on(year).isoformat(), region=r
        ),
        "commissioner_teams": _url("experts:commissionerteam_list", year=year, county=r),
        "commissioners": _url("experts:commissioner_list", year=year, county=r),
        "transfer_bases": _url(cooperation, kind="transfer_base", landed_year=year, region=r),
        "parks": _url(cooperation, kind="industrial_park", finished_year=year, region=r),
        "vp_candidates": _url("experts:vicepresidentplacement_list", year=year, county=r),
        # The universities (units list), not the placements: the list counts what the figure counts.
        "vp_universities": _url("core:organization_list", vp_year=year, vp_county=r),
        "experts": _url("experts:expert_list", admitted_year=year, county=r),
        # Projects: the projects each figure counts or sums (projects.selectors, the same queries).
        "projects_applied": _url("projects:project_list", applied_year=year, region=r),
        "projects": _url("projects:project_list", approved_year=year, region=r),
        "committed": _url("projects:project_list", approved_year=year, region=r),
        "paid": _url("projects:project_list", paid_year=year, region=r),
        "paid_cumulative": _url("projects:project_list", approved_year=year, region=r),
    }


def chart_data(stats: dict) -> dict:
    """What the dashboard's ECharts read (a json_script block; no inline script)."""
    return {
        "counties": {
            "regions": [row["region"] for row in stats["counties"]],
            "series": [
                {"name": "科技型中小企业", "data": [row["smes"] for row in stats["counties"]]},
                {"name": "培育库新入库", "data": [row["pool"] for row in stats["counties"]]},
                {"name": "新认定平台", "data": [row["platforms"] for row in stats["counties"]]},
                {"name": "科技特派员", "data": [row["commissioners"] for row in stats["counties"]]},
            ],
        },
        "trend": {
            "years": [str(y) for y in stats["trend"]["years"]],
            "series": [
                {"name": "科技型中小企业", "data": stats["trend"]["series"]["smes"]},
                {"name": "培育库新入库", "data": stats["trend"]["series"]["pool"]},
                {"name": "新认定平台", "data": stats["trend"]["series"]["platforms"]},
                {"name": "立项项目", "data": stats["trend"]["series"]["projects"]},
            ],
        },
    }


def editions_visible_to(user):
    return report_jobs_visible_to(user=user).filter(kind=KIND)


def editions(*, user, year: int):
    """The year's annual review jobs the user may see, newest first."""
    return editions_visible_to(user).filter(parameters__year=year).order_by("-created_at")


def _numbered(jobs) -> list[ReportJob]:
    """The editions, each with its name (year, scope, 第 n 版) as `edition_name`."""
    jobs = list(jobs)
    numbers = edition_numbers(jobs)
    for job in jobs:
        job.edition_name = edition_name(job, numbers.get(job.pk))
    return jobs


class AnnualPermissionMixin(PermissionRequiredMixin):
    permission_required = PERMISSION
    raise_exception = True


class AnnualDashboardView(AnnualPermissionMixin, TemplateView):
    template_name = "reporting/annual/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AnnualForm(self.request.GET or None)
        if form.is_bound and form.is_valid():
            year, region = form.cleaned_data["year"], form.cleaned_data["region"]
        else:  # the latest year with figures, looked for only when no year was chosen
            year, region = default_year(), None
            form = AnnualForm(initial={"year": year})
        stats = annual_statistics(year=year, region=region, appendix=False)
        links = figure_links(year, region)
        for figure in stats["figures"]:
            figure["url"] = links[figure["key"]]
        for row in stats["projects_by_state"]:
            row["url"] = _url(
                "projects:project_list",
                applied_year=year,
                year_end_state=row["state"],
                region=region.pk if region else None,
            )
        context.update(
            form=form,
            year=year,
            region=region,
            stats=stats,
            charts=chart_data(stats),
            county_table=county_table(stats),
            editions=_numbered(editions(user=self.request.user, year=year)[:20]),
            # Beside the page's own year and county: ids of their own.
            build_form=AnnualBuildForm(initial={"year": year, "region": region}, auto_id="build_%s"),
        )
        return context


class AnnualReviewBuildView(AnnualPermissionMixin, View):
    def post(self, request):
        form = AnnualBuildForm(request.POST)
        if not form.is_valid():
            problems = [
                f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors
            ]
            messages.error(request, "；".join(problems))
            return redirect("reporting:annual_dashboard")
        year, region = form.cleaned_data["year"], form.cleaned_data["region"]
        job = report_job_request(
            kind=KIND,
            parameters={
                "year": year,
                "region": region.pk if region else None,
                "region_name": region.name if region else "",
                "narrative": form.cleaned_data["narrative"],
            },
            user=request.user,
        )
        messages.success(request, f"已提交{year}年度工作综述的生成任务。")
        return redirect("reporting:annual_edition_detail", pk=job.pk)


class AnnualEditionListView(ObjectListView):
    """Every edition built, newest first, each with its generation time and file."""

    model = ReportJob
    permission_required = PERMISSION
    table_class = AnnualEditionTable
    filterset_class = AnnualEditionFilterSet
    actions = ()

    def get_base_queryset(self):
        return editions_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_breadcrumbs(self):
        return [("年度统计看板", reverse("reporting:annual_dashboard")), ("年度工作综述版本", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "年度工作综述版本"
        return context


class AnnualEditionDetailView(AnnualPermissionMixin, DetailView):
    """One edition: its state (polled while it runs; the reason when it failed) and, once built, the
    statistics it was built from, on the dashboard's template."""

    template_name = "reporting/annual/dashboard.html"
    context_object_name = "edition"

    def get_queryset(self):
        return editions_visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if request.headers.get("HX-Request"):
            if self.object.state in (ReportJob.State.PENDING, ReportJob.State.RUNNING):
                status = {"job": self.object, "poll_url": request.path}
                return self.render_to_response(status, template_name="core/_reportjob_status.html")
            # Finished: the whole page again, now with the statistics (or the reason it failed).
            return HttpResponse(headers={"HX-Refresh": "true"})
        return self.render_to_response(self.get_context_data(object=self.object))

    def render_to_response(self, context, template_name=None, **kwargs):
        if template_name:
            return self.response_class(request=self.request, template=[template_name], context=context)
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        stats = job.result if job.state == ReportJob.State.SUCCEEDED and job.result else None
        number = edition_numbers([job]).get(job.pk)
        name = edition_name(job, number)
        context.update(
            job=job,
            edition_name=name,
            edition_number=edition_number_text(number),
            poll_url=self.request.path,
            year=job.parameters.get("year"),
            scope=edition_scope(job),
            narrative=job.parameters.get("narrative", ""),
            stats=stats,
            charts=chart_data(stats) if stats else None,
            county_table=county_table(stats) if stats else None,
            definitions=edition_definitions(stats),
            computed_at=parse_datetime(stats["computed_at"]) if stats else None,
            breadcrumbs=[
                ("年度统计看板", reverse("reporting:annual_dashboard")),
                ("年度工作综述版本", reverse("reporting:annual_edition_list")),
                (name, None),
            ],
        )
        return context


class AnnualEditionDownloadView(AnnualPermissionMixin, ReportJobDownloadView):
    """An edition's PDF: refused (403) without the annual review permission, 404 for a job that is not a
    built edition the user may see."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=KIND)
