"""Pages of online 申报: the guides, the applicant's application (fields, budget, team, attachments, the
承诺书), the lists the unit, the county and the bureau work from, and the one transition view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.debug import sensitive_variables
from django.views.generic import FormView

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.scoping import scoped_queryset
from kejiju.core.services import audit_event_record
from kejiju.core.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    PersonalDataMixin,
    ServiceFormMixin,
    service_error_text,
)
from kejiju.core.workflow.selectors import workflow_context
from kejiju.core.workflow.views import TransitionView
from kejiju.integrity import selectors as integrity_selectors
from projects.models import Call

from . import rules, selectors, services
from .filters import ApplicationFilterSet, CallGuideFilterSet
from .forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    CallGuideForm,
    GuideAttachmentForm,
    PledgeForm,
    TeamMemberForm,
    budget_initial,
)
from .models import (
    Application,
    ApplicationAttachment,
    CallGuide,
    CallQuota,
    GuideAttachment,
    TeamMember,
)
from .tables import ApplicationTable, CallGuideTable

# ------------------------------------------------------------------------------------------ the guides


class CallGuideListView(ObjectListView):
    model = CallGuide
    table_class = CallGuideTable
    filterset_class = CallGuideFilterSet
    actions = ()

    def get_base_queryset(self):
        return selectors.guide_list(user=self.request.user)

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self.request.user.has_perm("applications.add_application"):
            kwargs["exclude"] = ("mine",)
        return kwargs


class CallGuideDetailView(ObjectDetailView):
    model = CallGuide
    template_name = "applications/callguide_detail.html"

    def get_base_queryset(self):
        return selectors.guide_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        call = self.object.call
        context.update(
            call=call,
            attachments=self.object.attachments.all(),
            closed_reason=services.open_problem(call=call),
            can_apply=user.has_perm("applications.add_application"),
            can_edit_guide=user.has_perm("applications.change_callguide"),
            quotas=self.object.quotas.select_related("region") if user.unit_id is None else (),
            mine=selectors.application_list(user=user).filter(call=call, leader=user.pk),
        )
        return context


class CallGuideEditView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """The bureau writes (from the call's page) or changes the 申报指南 of a call, opens it online and sets
    each county's quota."""

    permission_required = "applications.change_callguide"
    raise_exception = True
    template_name = "generic/object_form.html"
    form_class = CallGuideForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.guide = get_object_or_404(CallGuide, pk=kwargs["pk"])
            self.call = self.guide.call
        else:  # a call's guide is written once: its address then is the guide's own
            self.call = get_object_or_404(Call, pk=kwargs["call_pk"])
            self.guide = CallGuide.objects.filter(call=self.call).first()
            if self.guide is not None:
                return redirect("applications:callguide_edit", pk=self.guide.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        quotas = {}
        if self.guide is not None:
            quotas = dict(CallQuota.objects.filter(guide=self.guide).values_list("region_id", "quota"))
        return {**super().get_form_kwargs(), "instance": self.guide, "quotas": quotas}

    def perform(self, form):
        guide = services.call_guide_save(
            user=self.request.user,
            call=self.call,
            text=form.cleaned_data["text"],
            online=form.cleaned_data["online"],
            quotas=form.quotas(),
        )
        self.success_message = "已保存申报指南。"
        return redirect(guide.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        back = (
            self.guide.get_absolute_url()
            if self.guide
            else reverse("projects:call_detail", args=[self.call.pk])
        )
        context.update(
            title=f"申报指南：{self.call}",
            cancel_url=back,
            breadcrumbs=[("申报指南", reverse("applications:callguide_list")), (str(self.call), None)],
        )
        return context


class GuideAttachmentCreateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "applications.change_callguide"
    raise_exception = True
    template_name = "generic/object_form.html"
    form_class = GuideAttachmentForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.guide = get_object_or_404(CallGuide, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        services.guide_attachment_create(
            user=self.request.user, guide=self.guide, upload=form.cleaned_data["file"]
        )
        self.success_message = "已上传指南附件。"
        return redirect(self.guide.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="上传指南附件",
            multipart=True,
            cancel_url=self.guide.get_absolute_url(),
            breadcrumbs=[("申报指南", reverse("applications:callguide_list")), (str(self.guide), None)],
        )
        return context


class GuideAttachmentDownloadView(PermissionRequiredMixin, View):
    permission_required = "applications.view_callguide"
    raise_exception = True

    def get(self, request, pk):
        guides = selectors.guide_list(user=request.user)
        attachment = get_object_or_404(GuideAttachment.objects.filter(guide__in=guides), pk=pk)
        return uploads.download_response(attachment.file, filename=attachment.original_name)


class GuideAttachmentDeleteView(ObjectDeleteView):
    model = GuideAttachment
    permission_required = "applications.change_callguide"

    def get_success_url(self):
        return self.object.guide.get_absolute_url()

    def delete_object(self) -> None:
        services.guide_attachment_delete(user=self.request.user, attachment=self.object)


# ------------------------------------------------------------------------------------ the applications


class ApplicationListView(ObjectListView):
    model = Application
    table_class = ApplicationTable
    filterset_class = ApplicationFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.application_list(user=self.request.user)


class ApplicationExportView(ObjectExportView):
    model = Application
    table_class = ApplicationTable
    filterset_class = ApplicationFilterSet

    def get_base_queryset(self):
        return selectors.application_list(user=self.request.user)


class ApplicationDetailView(PersonalDataMixin, ObjectDetailView):
    model = Application
    template_name = "applications/application_detail.html"
    detail_fields = (
        "call",
        "unit",
        "region",
        "leader_name",
        "leader_id_number_masked",
        "start_date",
        "end_date",
        "state",
        "submitted_at",
        "rank",
    )

    def get_base_queryset(self):
        return selectors.application_list(user=self.request.user)

    def get_detail_rows(self):
        rows = super().get_detail_rows()
        return [
            (label, "市直单位（由市局推荐）" if label == "所属县区" and value is None else value)
            for label, value in rows
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application, user = self.object, self.request.user
        own = application.leader_id == user.pk and application.editable
        context.update(
            workflow_context(application, user, transition_url="applications:application_transition"),
            budget=application.budget_lines.all(),
            totals=services.budget_totals(application),
            team=application.team.all(),
            attachments=application.attachments.select_related("uploaded_by"),
            can_edit=own and user.has_perm("applications.change_application"),
            can_delete=own and application.submitted_at is None and application.state == "draft",
            can_see_pii=user.has_perm("applications.view_team_pii"),
            problems=services.submit_problems(application) if own else [],
            closed_reason=services.open_problem(call=application.call),
            pledge_text=rules.PLEDGE_TEXT,
            # 查重 (kejiju.integrity): found now while the 项目负责人 may still submit, else as kept at 提交.
            duplicates=integrity_selectors.application_duplicates(
                application=application, user=user, live=own
            ),
            duplicates_live=own,
        )
        context["can_change"] = False  # the applicant's edit pages are linked from the sections
        return context


class _LeaderFormView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """A page of the 项目负责人's own application (the service refuses anyone else and any state but
    草稿/已退回)."""

    permission_required = "applications.change_application"
    raise_exception = True
    template_name = "generic/object_form.html"
    page_title = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.application = get_object_or_404(selectors.application_list(user=request.user), pk=kwargs["pk"])
        if not self.application.editable:  # the services refuse it too; the page should not offer it
            messages.warning(request, f"申报书{self.application.get_state_display()}，不能修改。")
            return redirect(self.application.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.application.get_absolute_url()
        context.update(
            title=f"{self.page_title}：{self.application}",
            cancel_url=url,
            breadcrumbs=[
                ("网上申报书", reverse("applications:application_list")),
                (str(self.application), url),
                (self.page_title, None),
            ],
            return_reason=self.application.return_reason,
        )
        return context

    def done(self, message: str):
        self.success_message = message
        return redirect(self.application.get_absolute_url())


class ApplicationCreateView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "applications.add_application"
    raise_exception = True
    template_name = "generic/object_form.html"
    form_class = ApplicationForm

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.guide = get_object_or_404(selectors.guide_list(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        problem = services.open_problem(call=self.guide.call)
        if problem:
            messages.warning(request, problem)
            return redirect(self.guide.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def perform(self, form):
        application = services.application_create(
            user=self.request.user, call=self.guide.call, **form.cleaned_data
        )
        self.success_message = "已创建申报书草稿：请填写预算、团队成员，上传附件，确认承诺书后提交。"
        return redirect(application.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"填写申报书：{self.guide.call}",
            cancel_url=self.guide.get_absolute_url(),
            breadcrumbs=[("申报指南", reverse("applications:callguide_list")), (str(self.guide), None)],
        )
        return context


class ApplicationUpdateView(PersonalDataMixin, _LeaderFormView):
    form_class = ApplicationForm
    page_title = "修改申报书"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Application.objects.get(pk=self.application.pk)}

    def perform(self, form):
        changes = {name: form.cleaned_data[name] for name in services.APPLICANT_FIELDS}
        services.application_update(
            user=self.request.user,
            application=self.application,
            leader_id_number=form.cleaned_data["leader_id_number"],
            **changes,
        )
        return self.done("已保存申报书。")


class BudgetView(_LeaderFormView):
    page_title = "填写预算"
    template_name = "applications/budget_form.html"

    def get_form_class(self):
        return BudgetFormSet

    @cached_property
    def lump_sum(self) -> bool:
        return services.is_lump_sum_application(self.application)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["prefix"] = "budget"
        return kwargs

    def get_initial(self):
        return budget_initial(self.application, lump_sum=self.lump_sum)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lump_sum"] = self.lump_sum
        return context

    def perform(self, form):
        services.budget_save(
            user=self.request.user,
            application=self.application,
            lines=[row for row in form.cleaned_data if row],
        )
        return self.done("已保存预算。")


class TeamMemberCreateView(_LeaderFormView):
    form_class = TeamMemberForm
    page_title = "添加团队成员"

    @method_decorator(sensitive_variables("form"))
    def perform(self, form):
        services.team_member_add(user=self.request.user, application=self.application, **form.cleaned_data)
        return self.done("已添加团队成员。")


class AttachmentCreateView(_LeaderFormView):
    form_class = AttachmentForm
    page_title = "上传附件"

    def perform(self, form):
        services.attachment_create(
            user=self.request.user,
            application=self.application,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
        return self.done("已上传附件。")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "multipart": True}


class PledgeView(_LeaderFormView):
    form_class = PledgeForm
    page_title = "科研诚信承诺书"
    template_name = "applications/pledge_form.html"

    def perform(self, form):
        services.pledge_accept(user=self.request.user, application=self.application)
        return self.done("已确认科研诚信承诺书。")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "pledge_text": rules.PLEDGE_TEXT}


class _LeaderPostView(PermissionRequiredMixin, View):
    """POST only (confirmed on the page): removes one part of the leader's own application."""

    permission_required = "applications.change_application"
    raise_exception = True
    model = None

    def post(self, request, pk):
        record = get_object_or_404(scoped_queryset(self.model, request.user), pk=pk)
        application = record.application
        try:
            self.remove(record)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已删除“{record}”。")
        return redirect(application.get_absolute_url())


class TeamMemberDeleteView(_LeaderPostView):
    model = TeamMember

    def remove(self, record):
        services.team_member_delete(user=self.request.user, member=record)


class AttachmentDeleteView(_LeaderPostView):
    model = ApplicationAttachment

    def remove(self, record):
        services.attachment_delete(user=self.request.user, attachment=record)


class AttachmentDownloadView(PermissionRequiredMixin, View):
    permission_required = "applications.view_application"
    raise_exception = True

    def get(self, request, pk):
        attachment = get_object_or_404(scoped_queryset(ApplicationAttachment, request.user), pk=pk)
        return uploads.download_response(attachment.file, filename=attachment.original_name)


class TeamMemberPIIView(PersonalDataMixin, PermissionRequiredMixin, View):
    """The full 身份证号 of one team member, for holders of applications.view_team_pii; each view is an
    UNMASK audit event; never cached."""

    permission_required = "applications.view_team_pii"
    raise_exception = True

    @method_decorator(sensitive_variables("number"))
    def get(self, request, pk):
        from django.template.response import TemplateResponse

        member = get_object_or_404(scoped_queryset(TeamMember, request.user), pk=pk)
        number = member.reveal_id_number()
        audit_event_record(
            event_type=AuditEvent.Type.UNMASK,
            request=request,
            object_repr=f"申报团队成员 {member.name}（#{member.pk}）",
            detail=f"查看完整身份证号（申报书“{member.application}”）",
        )
        response = TemplateResponse(
            request, "applications/teammember_pii.html", {"member": member, "id_number": number, "view": self}
        )
        response["Cache-Control"] = "no-store"
        return response


class ApplicationDeleteView(ObjectDeleteView):
    model = Application

    def get_base_queryset(self):
        return selectors.application_list(user=self.request.user)

    def get_success_url(self):
        return reverse("applications:application_list")

    def delete_object(self) -> None:
        services.application_delete(user=self.request.user, application=self.object)


class ApplicationTransitionView(TransitionView):
    model = Application

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context
