"""The forms on a project's page for what a running project records: 拨付, budget lines, annual reports,
中期检查, 变更 requests and their decision."""

from __future__ import annotations

from django.utils import timezone

from kejiju.core.workflow.views import TransitionView

from .. import services
from ..forms import (
    AnnualReportForm,
    BudgetLineForm,
    ChangeRequestForm,
    DisbursementForm,
    MidtermCheckForm,
    UnitAnnualReportForm,
)
from ..models import ChangeRequest
from .projects import ProjectStepView


class DisbursementCreateView(ProjectStepView):
    permission_required = "projects.add_disbursement"
    form_class = DisbursementForm
    title = "登记经费拨付"
    success_message = "拨付已登记。"

    def call_service(self, form):
        services.disbursement_create(project=self.project, user=self.request.user, **form.cleaned_data)


class BudgetLineCreateView(ProjectStepView):
    permission_required = "projects.add_budgetline"
    form_class = BudgetLineForm
    title = "添加预算明细"

    def call_service(self, form):
        services.budget_line_create(project=self.project, user=self.request.user, **form.cleaned_data)


class AnnualReportCreateView(ProjectStepView):
    permission_required = "projects.add_annualreport"
    form_class = AnnualReportForm
    title = "登记年度执行报告"

    def get_form_class(self):
        return UnitAnnualReportForm if self.by_unit else AnnualReportForm

    def get_initial(self):
        return {"year": timezone.localdate().year - 1, "filed_on": timezone.localdate()}

    def call_service(self, form):
        data = {"filed_on": timezone.localdate(), **form.cleaned_data}
        services.annual_report_create(project=self.project, user=self.request.user, **data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.by_unit:
            context["title"] = f"报送年度执行报告：{self.project.title}"
        return context


class MidtermCheckCreateView(ProjectStepView):
    permission_required = "projects.add_midtermcheck"
    form_class = MidtermCheckForm
    title = "登记中期检查"

    def call_service(self, form):
        services.midterm_check_create(project=self.project, user=self.request.user, **form.cleaned_data)


class ChangeRequestCreateView(ProjectStepView):
    permission_required = "projects.add_changerequest"
    form_class = ChangeRequestForm
    title = "登记变更申请"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.by_unit:
            context["title"] = f"提交变更申请：{self.project.title}"
        return context

    def call_service(self, form):
        data = dict(form.cleaned_data)
        data["new_pi_name"] = data.get("new_pi_name") or ""
        data["new_pi_mobile"] = data.get("new_pi_mobile") or ""
        services.change_request_create(project=self.project, user=self.request.user, **data)


class ChangeRequestDecideView(TransitionView):
    """Approve or refuse a 变更 request (the change-request flow of projects.workflow)."""

    model = ChangeRequest
    template_name = "projects/changerequest_decide.html"

    def get_queryset(self):
        return super().get_queryset().select_related("project")

    def get_success_url(self):
        return self.object.project.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["change_request"] = self.object
        context["title"] = f"审批变更申请：{self.object.project.title}"
        return context
