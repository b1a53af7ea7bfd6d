from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View
from django_tables2 import RequestConfig

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.scoping import unit_id_of_user
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    StaffOnlyMixin,
)
from kejiju.core.views.generic import PersonalDataMixin, ServiceFormMixin, service_error_text
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import available_transitions, events_for
from kejiju.core.workflow.views import TransitionView
from kejiju.core.xlsx import add_sheet, new_workbook, table_export_rows, workbook_response
from kejiju.integrity import selectors as integrity_selectors

from . import rules, selectors, services
from .filters import (
    CallFilterSet,
    CooperationProjectFilterSet,
    LumpSumPilotFilterSet,
    ProgrammeFilterSet,
    ProjectFilterSet,
)
from .forms import (
    AnnualReportForm,
    AttachmentForm,
    BudgetLineForm,
    CallForm,
    ChangeRequestForm,
    CooperationProjectForm,
    DisbursementForm,
    LumpSumPilotForm,
    MidtermCheckForm,
    ProgrammeForm,
    ProjectForm,
    UnitAnnualReportForm,
)
from .models import Attachment, Call, ChangeRequest, CooperationProject, LumpSumPilot, Programme, Project
from .tables import (
    CallTable,
    CooperationProjectTable,
    LumpSumPilotTable,
    MissingMidtermTable,
    MissingReportTable,
    OverdueAcceptanceTable,
    ProgrammeTable,
    ProjectTable,
)
from .workflow import PROJECT_FLOW

# ------------------------------------------------------------------------------- programmes and calls


class ProgrammeListView(ObjectListView):
    model = Programme
    table_class = ProgrammeTable
    filterset_class = ProgrammeFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.programme_list()


class ProgrammeDetailView(ObjectDetailView):
    model = Programme
    template_name = "projects/programme_detail.html"
    detail_fields = ("name", "code", "description", "sort_order", "is_active")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calls"] = selectors.call_list().filter(programme=self.object)
        return context


class ProgrammeCreateView(ObjectCreateView):
    model = Programme
    form_class = ProgrammeForm

    def save_form(self, form):
        return services.programme_save(programme=form.instance, user=self.request.user)


class ProgrammeUpdateView(ObjectUpdateView):
    model = Programme
    form_class = ProgrammeForm

    def save_form(self, form):
        return services.programme_save(programme=form.instance, user=self.request.user)


class CallListView(ObjectListView):
    model = Call
    table_class = CallTable
    filterset_class = CallFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.call_list()


class CallDetailView(ObjectDetailView):
    model = Call
    template_name = "projects/call_detail.html"
    detail_fields = (
        "programme",
        "year",
        "title",
        "opens_on",
        "closes_on",
        "review_by",
        "max_per_leader",
        "max_open_per_leader",
        "max_per_unit",
        "block_overdue_leader",
        "note",
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = (
            Project.objects.visible_to(self.request.user)
            .filter(call=self.object)
            .values("state")
            .annotate(n=Count("pk"))
            .order_by("state")
        )
        context["state_rows"] = [(rules.state_label(row["state"]), row["n"]) for row in counts]
        context["project_list_url"] = f"{reverse('projects:project_list')}?call={self.object.pk}"
        return context


class CallCreateView(ObjectCreateView):
    model = Call
    form_class = CallForm

    def save_form(self, form):
        return services.call_save(call=form.instance, user=self.request.user)


class CallUpdateView(ObjectUpdateView):
    model = Call
    form_class = CallForm

    def save_form(self, form):
        return services.call_save(call=form.instance, user=self.request.user)


class LumpSumPilotListView(ObjectListView):
    filterset_class = LumpSumPilotFilterSet
    model = LumpSumPilot
    table_class = LumpSumPilotTable
    actions = ("add",)

    def get_base_queryset(self):
        return LumpSumPilot.objects.select_related("organization")


class LumpSumPilotCreateView(ObjectCreateView):
    model = LumpSumPilot
    form_class = LumpSumPilotForm

    def save_form(self, form):
        return services.lump_sum_pilot_save(pilot=form.instance, user=self.request.user)


class LumpSumPilotUpdateView(ObjectUpdateView):
    model = LumpSumPilot
    form_class = LumpSumPilotForm

    def save_form(self, form):
        return services.lump_sum_pilot_save(pilot=form.instance, user=self.request.user)


# -------------------------------------------------------------------------------------------- projects


class ProjectListView(ObjectListView):
    model = Project
    table_class = ProjectTable
    filterset_class = ProjectFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.project_list(user=self.request.user)


class ProjectExportView(ProjectListView, ObjectExportView):
    export_filename = "科技计划项目"


class ProjectCreateView(ObjectCreateView):
    model = Project
    form_class = ProjectForm
    success_message = "申报已录入。"

    def save_form(self, form):
        data = dict(form.cleaned_data)
        override = data.pop("override_reason", "")
        return services.project_create(user=self.request.user, override_reason=override, **data)


class ProjectUpdateView(PersonalDataMixin, ObjectUpdateView):
    model = Project
    form_class = ProjectForm

    def get_object(self, queryset=None):
        project = super().get_object(queryset)
        if not services.may_edit(project=project, user=self.request.user):
            raise PermissionDenied("当前状态下不能修改该项目。")
        return project

    def save_form(self, form):
        data = dict(form.cleaned_data)
        override = data.pop("override_reason", "")
        return services.project_update(
            project=self.object, user=self.request.user, override_reason=override, **data
        )


class ProjectDetailView(PersonalDataMixin, ObjectDetailView):
    model = Project
    template_name = "projects/project_detail.html"
    detail_fields = (
        "number",
        "call",
        "title",
        "applicant",
        "region",
        "pi_name",
        "pi_id_number_masked",
        "start_date",
        "end_date",
        "summary",
        "rule_override_reason",
    )

    def get_base_queryset(self):
        return Project.objects.visible_to(self.request.user).select_related(
            "call__programme", "applicant", "region", "created_by"
        )

    def get_detail_rows(self):
        rows = super().get_detail_rows()
        if not self.object.rule_override_reason:
            rows = rows[:-1]  # the override row only when the 限项 rules were overridden
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        user = self.request.user
        context["can_change"] = services.may_edit(project=project, user=user)
        context["can_delete"] = False
        context["actions"] = [
            {
                "code": transition.action,
                "label": transition.label,
                "target": rules.state_label(transition.target),
                "comment_required": transition.comment_required,
                "danger": transition.danger,
                "asks_amount": transition.fields is not None,
            }
            for transition in available_transitions(project, user)
        ]
        context["flow_states"] = flow_states(PROJECT_FLOW, project.state)
        by_unit = unit_id_of_user(user) is not None
        context["by_unit"] = by_unit
        filer = services.is_project_filer(project=project, user=user) if by_unit else True
        context["can_file"] = filer and (not by_unit or project.state in rules.UNIT_FILING_STATES)
        context["owes"] = selectors.project_owes(project=project, today=timezone.localdate())
        review = selectors.project_review_result(project=project)
        panel_add_url = None
        if (
            project.state == rules.State.REVIEW
            and user.has_perm("projects.manage_project")
            and user.has_perm("experts.add_reviewpanel")
            and (review.panel is None or (review.panel.is_closed and review.score is None))
        ):
            from experts.selectors import panel_add_url as experts_panel_add_url

            panel_add_url = experts_panel_add_url(project)
        disbursements = list(project.disbursements.select_related("recorded_by"))
        paid = sum((d.amount for d in disbursements), start=Decimal("0"))
        context.update(
            {
                "events": events_for(project).select_related("actor").order_by("-recorded_at", "-pk"),
                "disbursements": disbursements,
                "paid": paid,
                "paid_ratio": rules.paid_ratio(granted=project.city_grant, paid=paid),
                "remaining": (project.city_grant - paid) if project.city_grant is not None else None,
                "budget_lines": project.budget_lines.all(),
                "attachments": project.attachments.select_related("uploaded_by"),
                "annual_reports": project.annual_reports.all(),
                "midterm_checks": project.midterm_checks.all(),
                "change_requests": project.change_requests.select_related("decided_by"),
                "review": review,
                "panel_add_url": panel_add_url,
                "may_upload": any(
                    services.may_upload(project=project, user=user, kind=kind)
                    for kind in Attachment.Kind.values
                )
                and user.has_perm("projects.add_attachment"),
                "overdue": project.state in rules.RUNNING_STATES and project.end_date < timezone.localdate(),
                # 查重 of the online application it came from (kejiju.integrity), decided before 受理.
                "duplicates": integrity_selectors.project_duplicates(project=project, user=user),
            }
        )
        return context


class ProjectTransitionView(TransitionView):
    """Every step of the project's life cycle (projects.workflow), through the one transition view."""

    model = Project


class ProjectStepView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    """A form on a project's page that calls one service (disbursement, 年报, 变更 …)."""

    raise_exception = True
    template_name = "generic/object_form.html"
    title = ""
    success_message = "已保存。"

    def dispatch(self, request, *args, **kwargs):
        # Permission first (403), then the project within the user's scope (404 for another county's).
        if not self.has_permission():
            return self.handle_no_permission()
        self.project = self.get_project(**kwargs)
        self.check_project()
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)

    def get_project(self, **kwargs) -> Project:
        visible = Project.objects.visible_to(self.request.user)
        visible = visible.select_related("call__programme", "applicant", "region")
        return get_object_or_404(visible, pk=kwargs["pk"])

    def check_project(self) -> None:
        """Raise PermissionDenied when the step is not open to this user for this project (a unit account
        files only for its own running projects)."""
        services.require_project_filer(project=self.project, user=self.request.user)

    @property
    def by_unit(self) -> bool:
        return unit_id_of_user(self.request.user) is not None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def call_service(self, form):
        raise NotImplementedError

    def perform(self, form):
        self.call_service(form)

    def get_success_url(self):
        return self.project.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.title}：{self.project.title}"
        context["cancel_url"] = self.project.get_absolute_url()
        context["breadcrumbs"] = [
            ("科技计划项目", reverse("projects:project_list")),
            (str(self.project), self.project.get_absolute_url()),
            (self.title, None),
        ]
        return context


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


class AttachmentCreateView(ProjectStepView):
    permission_required = "projects.add_attachment"
    form_class = AttachmentForm
    title = "上传附件"
    success_message = "附件已上传。"

    def allowed_kinds(self):
        return [
            kind
            for kind in Attachment.Kind.values
            if services.may_upload(project=self.project, user=self.request.user, kind=kind)
        ]

    def check_project(self) -> None:
        if not self.allowed_kinds():
            raise PermissionDenied("当前状态下无权上传附件。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["allowed_kinds"] = self.allowed_kinds()
        return kwargs

    def call_service(self, form):
        services.attachment_create(
            project=self.project,
            user=self.request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        limit = services.attachment_max_bytes() // (1024 * 1024)
        context["form"].fields["file"].help_text += f"，不超过 {limit} MB"
        return context


class AttachmentDownloadView(PermissionRequiredMixin, View):
    permission_required = "projects.view_attachment"
    raise_exception = True

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.visible_to(request.user).select_related("project"), pk=pk
        )
        response = uploads.download_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD,
            request=request,
            object_repr=f"{attachment.project.number} {attachment.original_name}"[:255],
        )
        return response


class AttachmentDeleteView(ObjectDeleteView):
    model = Attachment

    def get_success_url(self):
        return self.object.project.get_absolute_url()

    def delete_object(self):
        services.attachment_delete(attachment=self.object, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, service_error_text(error))
            return HttpResponseRedirect(self.get_success_url())


# --------------------------------------------------------------------------------- overdue and figures


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


class FiguresView(StaffOnlyMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "projects.view_project"
    raise_exception = True
    template_name = "projects/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        years = selectors.project_years(user=user)
        try:
            year = int(self.request.GET.get("year") or (years[0] if years else timezone.localdate().year))
        except ValueError:
            year = timezone.localdate().year
        context.update(
            {
                "title": "项目与经费统计",
                "year": year,
                "years": years,
                "by_state": selectors.project_figures_by_state(user=user, year=year),
                "by_programme": selectors.project_figures_by_programme(user=user, year=year),
                "by_county": selectors.project_figures_by_county(user=user, year=year),
                "by_year": selectors.project_figures_by_year(user=user),
                "cooperation": selectors.cooperation_figures(user=user, year=year),
                "cooperation_by_county": list(
                    selectors.cooperation_figures_by_county(user=user, year=year).values()
                ),
                "breadcrumbs": [("科技计划项目", reverse("projects:project_list")), ("项目与经费统计", None)],
            }
        )
        return context


# ------------------------------------------------------------------------------------------- 省校合作


class CooperationProjectListView(ObjectListView):
    model = CooperationProject
    table_class = CooperationProjectTable
    filterset_class = CooperationProjectFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.cooperation_project_list(user=self.request.user)


class CooperationProjectExportView(CooperationProjectListView, ObjectExportView):
    export_filename = "省校合作项目"


class CooperationProjectDetailView(ObjectDetailView):
    model = CooperationProject
    detail_fields = (
        "title",
        "region",
        "university",
        "local_unit",
        "kind",
        "state",
        "task_year",
        "signed_on",
        "landed_on",
        "finished_on",
        "investment",
        "note",
    )


class CooperationProjectCreateView(ObjectCreateView):
    model = CooperationProject
    form_class = CooperationProjectForm

    def save_form(self, form):
        return services.cooperation_project_save(project=form.instance, user=self.request.user)


class CooperationProjectUpdateView(ObjectUpdateView):
    model = CooperationProject
    form_class = CooperationProjectForm

    def save_form(self, form):
        return services.cooperation_project_save(project=form.instance, user=self.request.user)
