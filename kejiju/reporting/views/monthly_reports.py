"""Monthly progress reports (月度进展报告): the list, one month's report and building it on demand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from kejiju.core.views import (
    service_error_text,
)

from .. import rules, selectors, services
from ..forms import MonthForm
from ..jobs import NO_FILINGS
from ..models import MonthlyReport
from .mixins import PermissionMixin


class MonthlyReportListView(PermissionMixin, TemplateView):
    permission_required = "reporting.view_monthlyreport"
    template_name = "reporting/monthlyreport_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = rules.due_month(timezone.now())
        context.update(
            title="月度进展报告",
            reports=selectors.monthly_reports(user=self.request.user)[:120],
            form=MonthForm(initial={"month": f"{year}-{month:02d}"}),
            can_build=self.request.user.has_perm("reporting.add_monthlyreport"),
            breadcrumbs=[("月度进展报告", None)],
        )
        return context


class MonthlyReportDetailView(PermissionMixin, TemplateView):
    permission_required = "reporting.view_monthlyreport"
    template_name = "reporting/monthlyreport_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = int(self.kwargs["year"]), int(self.kwargs["month"])
        if not 1 <= month <= 12 or rules.is_future_month(year, month, timezone.now()):
            raise Http404
        data = selectors.monthly_report_data(year=year, month=month)
        report = MonthlyReport.objects.filter(year=year, month=month).select_related("job").first()
        context.update(
            title=f"{year}年{month}月进展报告",
            data=data,
            report=report,
            no_filings=NO_FILINGS,
            completeness=rules.format_percent(data.completeness),
            timeliness=rules.format_percent(data.timeliness),
            last_filing_day=rules.last_filing_day(year, month),
            can_build=self.request.user.has_perm("reporting.add_monthlyreport"),
            month_value=f"{year}-{month:02d}",
            breadcrumbs=[
                ("月度进展报告", reverse("reporting:monthlyreport_list")),
                (f"{year}年{month}月", None),
            ],
        )
        return context


class MonthlyReportBuildView(PermissionMixin, View):
    permission_required = "reporting.add_monthlyreport"

    def post(self, request):
        form = MonthForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return redirect("reporting:monthlyreport_list")
        year, month = form.cleaned_data["month"]
        if request.POST.get("view"):  # 查看报告 beside 生成报告, on the one month picker
            return redirect("reporting:monthlyreport_detail", year=year, month=month)
        try:
            job = services.monthly_report_request(year=year, month=month, user=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
            return redirect("reporting:monthlyreport_list")
        messages.success(request, f"已提交{year}年{month}月进展报告的生成任务。")
        return redirect("core:reportjob_detail", pk=job.pk)
