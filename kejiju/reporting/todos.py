"""Home-page to-do items of county reporting."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kejiju.core.registry import TodoItem

from . import rules
from .models import CountyTask, MonthlyFiling, Notice


def reporting_todos(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    if not user.is_authenticated:
        return items
    if user.has_perm("reporting.add_monthlyfiling") and user.region_id:
        now = timezone.now()
        year, month = rules.due_month(now)
        filing = MonthlyFiling.objects.filter(region_id=user.region_id, year=year, month=month).first()
        if filing is None or filing.state == MonthlyFiling.State.DRAFT:
            last_day = rules.last_filing_day(year, month)
            items.append(
                TodoItem(
                    title=f"报送{year}年{month}月工作动态（{last_day:%m月%d日}截止）",
                    url=reverse("reporting:filing_form", kwargs={"year": year, "month": month}),
                    level="warning",
                )
            )
        returned = MonthlyFiling.objects.filter(region_id=user.region_id, state=MonthlyFiling.State.RETURNED)
        count = returned.count()
        if count:
            items.append(
                TodoItem(
                    title="被退回待修改的月度动态",
                    url=f"{reverse('reporting:monthlyfiling_list')}?state=returned",
                    count=count,
                    level="danger",
                )
            )
    if user.has_perm("reporting.review_monthlyfiling"):
        count = MonthlyFiling.objects.filter(state=MonthlyFiling.State.SUBMITTED).count()
        if count:
            items.append(
                TodoItem(
                    title="待审核的月度工作动态",
                    url=f"{reverse('reporting:monthlyfiling_list')}?state=submitted",
                    count=count,
                )
            )
    if user.has_perm("reporting.approve_countytask"):
        count = CountyTask.objects.filter(status=CountyTask.Status.PROPOSED).count()
        if count:
            items.append(
                TodoItem(
                    title="待审核的县区年度任务",
                    url=f"{reverse('reporting:countytask_list')}?status=proposed",
                    count=count,
                )
            )
    if user.has_perm("reporting.view_notice"):
        count = Notice.objects.filter(recipient=user, read_at__isnull=True).count()
        if count:
            items.append(
                TodoItem(title="未读通知", url=reverse("reporting:notice_list"), count=count, level="info")
            )
    return items


def annual_review_todos(user) -> list[TodoItem]:
    """Leadership lands on the year's figures: a prominent card on the home page."""
    if not user.is_authenticated or not user.has_perm("reporting.view_annualreview"):
        return []
    return [
        TodoItem(title="年度统计看板与年度工作综述", url=reverse("reporting:annual_dashboard"), level="info")
    ]
