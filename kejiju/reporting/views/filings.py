"""Monthly filings (月度工作动态): the list, a filing's page, the county's form for a month, its
submission and review, and the filing's attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, View
from django.views.generic.detail import SingleObjectMixin

from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ServiceFormMixin,
    service_error_text,
)
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.views import TransitionView

from .. import rules, selectors, services
from ..figures import monthly_figures, system_value
from ..filters import MonthlyFilingFilterSet
from ..forms import FilingForm, ReturnForm
from ..models import FilingAttachment, MonthlyFiling
from ..tables import MonthlyFilingTable
from ..workflow import FILING_WORKFLOW
from .mixins import ActionView, PermissionMixin


class MonthlyFilingListView(ObjectListView):
    model = MonthlyFiling
    table_class = MonthlyFilingTable
    filterset_class = MonthlyFilingFilterSet
    actions = ("export",)
    template_name = "reporting/monthlyfiling_list.html"

    def get_base_queryset(self):
        return selectors.filing_list(user=self.request.user)


class MonthlyFilingExportView(MonthlyFilingListView, ObjectExportView):
    export_filename = "月度工作动态"


class MonthlyFilingDetailView(ObjectDetailView):
    model = MonthlyFiling
    template_name = "reporting/monthlyfiling_detail.html"

    def get_base_queryset(self):
        return selectors.filing_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, filing = self.request.user, self.object
        own = user.has_perm("reporting.submit_monthlyfiling") and user.region_id == filing.region_id
        context["can_edit"] = (
            own and user.has_perm("reporting.change_monthlyfiling") and filing.is_editable_state
        )
        context["flow_states"] = flow_states(FILING_WORKFLOW, filing.state)
        context["events"] = filing.events.all()
        context["can_review"] = (
            user.has_perm("reporting.review_monthlyfiling") and filing.state == MonthlyFiling.State.SUBMITTED
        )
        context["can_reopen"] = (
            user.has_perm("reporting.add_filingexception")
            and filing.state == MonthlyFiling.State.DRAFT
            and rules.is_past_deadline(filing.year, filing.month, timezone.now())
        )
        context["last_filing_day"] = rules.last_filing_day(filing.year, filing.month)
        context["exception"] = selectors.active_exception(
            region=filing.region, year=filing.year, month=filing.month
        )
        return context


class FilingCurrentView(PermissionMixin, View):
    """本月动态: the county's form for the month due now."""

    permission_required = "reporting.add_monthlyfiling"

    def get(self, request):
        year, month = rules.due_month(timezone.now())
        return redirect("reporting:filing_form", year=year, month=month)


class FilingFormView(PermissionMixin, ServiceFormMixin, FormView):
    """The county office's one-page form for one month: 保存草稿 or 报送."""

    permission_required = ("reporting.add_monthlyfiling", "reporting.change_monthlyfiling")
    template_name = "reporting/filing_form.html"
    form_class = FilingForm

    def setup_month(self):
        self.year, self.month = int(self.kwargs["year"]), int(self.kwargs["month"])
        if not 1 <= self.month <= 12 or self.request.user.region_id is None:
            raise Http404
        self.region = self.request.user.region
        self.filing = (
            MonthlyFiling.objects.visible_to(self.request.user)
            .filter(region=self.region, year=self.year, month=self.month)
            .prefetch_related("progress", "figures", "attachments", "events")
            .first()
        )
        self.now = timezone.now()

    def get(self, request, *args, **kwargs):
        self.setup_month()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_month()
        return super().post(request, *args, **kwargs)

    def closed_reason(self) -> str | None:
        if self.filing is not None and not self.filing.is_editable_state:
            return f"本月动态当前状态为“{self.filing.get_state_display()}”，不能再修改。"
        if self.filing is not None and self.filing.state == MonthlyFiling.State.RETURNED:
            return None
        try:
            rules.check_month_open(
                year=self.year,
                month=self.month,
                now=self.now,
                has_exception=services.has_active_exception(
                    region=self.region, year=self.year, month=self.month, now=self.now
                ),
            )
        except ValidationError as error:
            return service_error_text(error)
        return None

    def get_initial(self):
        # A fresh dict per request: `self.initial` is FormMixin's class attribute, shared by every request.
        initial = super().get_initial()
        if self.filing is not None:
            initial.update(
                key_progress=self.filing.key_progress,
                problems=self.filing.problems,
                next_plan=self.filing.next_plan,
            )
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        figures = monthly_figures()
        if self.filing is not None:
            initial_progress = {row.task_id: row for row in self.filing.progress.all()}
            initial_figures = {row.key: row for row in self.filing.figures.all()}
        else:
            initial_progress = selectors.previous_progress(
                region=self.region, year=self.year, month=self.month
            )
            initial_figures = {}
        kwargs.update(
            user=self.request.user,
            tasks=selectors.approved_tasks(region=self.region, year=self.year),
            figures=figures,
            system_values={f.key: system_value(f, self.region, self.year, self.month) for f in figures},
            initial_progress=initial_progress,
            initial_figures=initial_figures,
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"{self.region}{self.year}年{self.month}月工作动态",
            year=self.year,
            month=self.month,
            filing=self.filing,
            closed_reason=self.closed_reason(),
            researchers=selectors.researcher_progress_for(user=self.request.user, year=self.year),
            last_filing_day=rules.last_filing_day(self.year, self.month),
            exception=selectors.active_exception(region=self.region, year=self.year, month=self.month),
            breadcrumbs=[
                ("月度工作动态", reverse("reporting:monthlyfiling_list")),
                (f"{self.year}年{self.month}月", None),
            ],
        )
        return context

    def perform(self, form):
        data = form.cleaned_data
        submit = self.request.POST.get("action") == "submit"
        filing = services.filing_save(
            actor=self.request.user,
            year=self.year,
            month=self.month,
            key_progress=data["key_progress"],
            problems=data["problems"],
            next_plan=data["next_plan"],
            progress=form.progress_inputs(),
            figures=form.figure_inputs(),
            attachments=data["attachments"],
            now=self.now,
        )
        if submit:
            filing = services.filing_submit(actor=self.request.user, filing=filing, now=self.now)
        if submit:
            messages.success(
                self.request, "已报送，等待市局审核。" + ("（逾期报送）" if filing.is_late else "")
            )
            return redirect(filing.get_absolute_url())
        messages.success(self.request, "草稿已保存。")
        return redirect("reporting:filing_form", year=self.year, month=self.month)


class FilingSubmitView(ActionView):
    """报送, or 重新报送 of a returned filing."""

    model = MonthlyFiling

    def action_for(self, pk) -> str:
        state = MonthlyFiling.objects.filter(pk=pk).values_list("state", flat=True).first()
        return "resubmit" if state == MonthlyFiling.State.RETURNED else "submit"


class FilingConfirmView(ActionView):
    model = MonthlyFiling
    fixed_action = "confirm"


class FilingReturnView(PermissionMixin, ServiceFormMixin, SingleObjectMixin, FormView):
    permission_required = "reporting.review_monthlyfiling"
    model = MonthlyFiling
    form_class = ReturnForm
    template_name = "reporting/filing_return.html"

    def get_queryset(self):
        return selectors.filing_list(user=self.request.user)

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filing"] = self.object
        context["title"] = f"退回：{self.object}"
        return context

    def perform(self, form):
        services.filing_return(
            actor=self.request.user, filing=self.object, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, "已退回，县区将收到通知。")
        return redirect(self.object.get_absolute_url())


class AttachmentDownloadView(PermissionMixin, View):
    permission_required = "reporting.view_monthlyfiling"

    def get(self, request, pk):
        attachment = get_object_or_404(
            FilingAttachment.objects.filter(filing__in=MonthlyFiling.objects.visible_to(request.user)), pk=pk
        )
        response = uploads.download_response(attachment.file, filename=attachment.original_name)
        audit_event_record(
            event_type=AuditEvent.Type.DOWNLOAD, request=request, object_repr=attachment.original_name[:255]
        )
        return response


class AttachmentDeleteView(PermissionMixin, View):
    permission_required = "reporting.change_monthlyfiling"

    def post(self, request, pk):
        attachment = get_object_or_404(
            FilingAttachment.objects.filter(
                filing__in=MonthlyFiling.objects.visible_to(request.user)
            ).select_related("filing"),
            pk=pk,
        )
        filing = attachment.filing
        try:
            services.attachment_delete(actor=request.user, attachment=attachment)
            messages.success(request, "附件已删除。")
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        return redirect("reporting:filing_form", year=filing.year, month=filing.month)


class MonthlyFilingTransitionView(TransitionView):
    """报送 / 重新报送 / 确认 / 退回 through the one transition form."""

    model = MonthlyFiling
