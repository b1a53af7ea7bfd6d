"""The project pages: list, export, entry, edit, detail (timeline, money, reports, files), the life-cycle
transitions, and the base of the forms on a project's page (ProjectStepView)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from kejiju.core.scoping import unit_id_of_user
from kejiju.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
)
from kejiju.core.views.generic import PersonalDataMixin, ServiceFormMixin
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import available_transitions, events_for
from kejiju.core.workflow.views import TransitionView
from kejiju.integrity import selectors as integrity_selectors

from .. import rules, selectors, services
from ..filters import ProjectFilterSet
from ..forms import ProjectForm
from ..models import Attachment, Project
from ..tables import ProjectTable
from ..workflow import PROJECT_FLOW


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
