"""The 超期提醒 page (overdue 验收, missing annual reports and 中期 material) and its export."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View
from django_tables2 import RequestConfig

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import StaffOnlyMixin
from kejiju.core.xlsx import add_sheet, new_workbook, table_export_rows, workbook_response

from .. import rules, selectors
from ..tables import MissingMidtermTable, MissingReportTable, OverdueAcceptanceTable


class OverdueView(StaffOnlyMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "projects.view_project"
    raise_exception = True
    template_name = "projects/overdue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        acceptance = OverdueAcceptanceTable(
            selectors.overdue_acceptance(user=user, today=today), prefix="a-", request=self.request
        )
        reports = MissingReportTable(
            selectors.missing_annual_reports(user=user, today=today), prefix="r-", request=self.request
        )
        midterm = MissingMidtermTable(
            selectors.missing_midterm_material(user=user, today=today), prefix="m-", request=self.request
        )
        config = RequestConfig(self.request, paginate={"per_page": 50})
        config.configure(acceptance)
        config.configure(reports)
        config.configure(midterm)
        context.update(
            {
                "title": "超期提醒",
                "acceptance_table": acceptance,
                "reports_table": reports,
                "midterm_table": midterm,
                "last_report_year": rules.last_report_year_due(today),
                "report_due": rules.annual_report_due_date(rules.last_report_year_due(today)),
                "breadcrumbs": [("科技计划项目", reverse("projects:project_list")), ("超期提醒", None)],
            }
        )
        return context


class OverdueExportView(StaffOnlyMixin, PermissionRequiredMixin, View):
    """The overdue page's tables in one workbook (what the page shows, every row)."""

    permission_required = "projects.view_project"
    raise_exception = True

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        workbook = new_workbook(viewer=request.user)
        midterm = selectors.missing_midterm_material(user=user, today=today)
        for title, table in (
            ("超期未验收", OverdueAcceptanceTable(selectors.overdue_acceptance(user=user, today=today))),
            ("年度报告未报送", MissingReportTable(selectors.missing_annual_reports(user=user, today=today))),
            ("中期材料未报送", MissingMidtermTable(midterm)),
        ):
            headers, rows = table_export_rows(table)
            add_sheet(workbook, title=title, headers=headers, rows=rows)
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr="项目超期提醒")
        return workbook_response(workbook, filename=f"项目超期提醒{today:%Y%m%d}.xlsx")
