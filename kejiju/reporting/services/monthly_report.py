"""The monthly progress report: requesting its job, adopting the built file, and the beat that builds it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.accounts.models import User
from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_request

from .. import rules
from ..models import MonthlyReport
from .common import current_time

MONTHLY_REPORT_KIND = "monthly_report"


def monthly_report_request(
    *, year: int, month: int, user: User | None, now: dt.datetime | None = None
) -> ReportJob:
    if not 1 <= month <= 12:
        raise ValidationError({"month": "月份应在 1 到 12 之间。"})
    if rules.is_future_month(year, month, current_time(now)):
        raise ValidationError({"month": f"{year}年{month}月尚未开始，不能生成报告。"})
    return report_job_request(kind=MONTHLY_REPORT_KIND, parameters={"year": year, "month": month}, user=user)


@transaction.atomic
def monthly_report_adopt(*, job: ReportJob) -> MonthlyReport:
    """Make `job` the month's current report and drop the previous job and its file (one file a month)."""
    year, month = int(job.parameters["year"]), int(job.parameters["month"])
    report, _ = MonthlyReport.objects.select_for_update().get_or_create(year=year, month=month)
    previous = report.job
    report.job = job
    report.save()
    if previous is not None and previous.pk != job.pk:
        if previous.file:
            previous.file.delete(save=False)
        previous.delete()
    return report


def build_due_monthly_report(*, now: dt.datetime | None = None) -> ReportJob | None:
    """Beat: once the previous month's deadline has passed, build its report once (a report already built
    after the deadline is kept; requesting one on demand stays possible)."""
    now = current_time(now)
    for year, month in (
        rules.previous_month(*rules.local_month(now)),
        rules.previous_month(*rules.previous_month(*rules.local_month(now))),
    ):
        deadline = rules.filing_deadline(year, month)
        if now < deadline:
            continue
        built = ReportJob.objects.filter(
            kind=MONTHLY_REPORT_KIND,
            parameters__year=year,
            parameters__month=month,
            created_at__gte=deadline,
        ).exclude(state=ReportJob.State.FAILED)
        if built.exists():
            continue
        return monthly_report_request(year=year, month=month, user=None, now=now)
    return None
