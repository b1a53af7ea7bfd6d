"""seed_demo of county reporting: the 2023 review's figures, late and returned filings, idempotence."""

import io
from datetime import date

import pytest
from django.apps import apps
from django.db.models import Sum

from kejiju.core.models import WorkflowEvent
from kejiju.reporting.annual import CITY
from kejiju.reporting.models import CountyTask, FigureEntry, MonthlyFiling, MonthlyReport
from kejiju.reporting.selectors import (
    filing_timeliness_totals,
    monthly_report_data,
    task_completion_totals,
    yearly_figures,
)
from platforms.selectors import recognised_platforms_count
from projects.selectors import approved_projects

pytestmark = pytest.mark.django_db


def test_seed_demo_matches_the_2023_review():
    out = io.StringIO()
    apps.get_app_config("accounts").seed_demo(stdout=out)
    # The 科技型中小企业, 培育库 and 新认定平台 figures come from the domain apps' own records.
    apps.get_app_config("enterprises").seed_demo(stdout=out)
    apps.get_app_config("platforms").seed_demo(stdout=out)
    apps.get_app_config("projects").seed_demo(stdout=out)
    apps.get_app_config("reporting").seed_demo(stdout=out)
    assert MonthlyFiling.objects.filter(year=2023).count() == 16 * 12
    targets = dict(
        CountyTask.objects.filter(year=2023).values_list("category").annotate(total=Sum("target_quantity"))
    )
    assert (targets["conversion_base"], targets["industrial_park"], targets["gaoqi"]) == (22, 4, 25)
    december = monthly_report_data(year=2023, month=12)
    categories = {c["category"]: (c["target"], c["done"]) for c in december.task_categories}
    assert categories["高校科技成果转化基地"] == (22, 22) and categories["产业园"] == (4, 4)
    sums = dict(FigureEntry.objects.filter(filing__year=2023).values_list("key").annotate(total=Sum("value")))
    assert (sums["smes_new"], sums["pool_new"]) == (174, 25)
    # The county filings report what the platforms' records say: the review's 新认定 of the year, the
    # seed's 20 city-level platforms and the 2 provincial ones recognised in 2023.
    year = {"start": date(2023, 1, 1), "end": date(2023, 12, 31)}
    assert sums["platforms_new"] == recognised_platforms_count(**year) == 22
    assert sums["projects_new"] == approved_projects(**year).count() == 20
    completion = task_completion_totals(year=2023)
    assert completion["conversion_base"]["done"] == 22 and completion["industrial_park"]["done"] == 4
    assert completion["gaoqi"]["done"] == 25
    yearly = yearly_figures(year=2023)
    assert sum(county.get("smes_new", 0) for county in yearly.values()) == 174
    totals = filing_timeliness_totals(year=2023, user=CITY)
    # The one returned filing was resent within its month's cutoff: filed, and not 退回 at the cutoff.
    assert totals["expected"] == totals["filed"] == 192 and totals["returned"] == 0
    assert 0 < totals["late"] < 30 and totals["late"] == MonthlyFiling.objects.filter(is_late=True).count()
    months = [monthly_report_data(year=2023, month=month) for month in range(1, 13)]
    for key in ("expected", "filed", "on_time", "late", "missing"):
        assert totals[key] == sum(getattr(report, key) for report in months), key
    assert WorkflowEvent.objects.filter(workflow="reporting.monthlyfiling", action="return").count() == 1
    assert MonthlyReport.objects.get(year=2023, month=12).job.file
    apps.get_app_config("reporting").seed_demo(stdout=out)
    assert MonthlyFiling.objects.count() == 192 and CountyTask.objects.filter(year=2023).count() == 55
