from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from kejiju.accounts.models import Region
from kejiju.core import uploads
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    ServiceFormMixin,
    service_error_text,
)
from kejiju.core.workflow import workflow_for
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.views import TransitionView

from . import rules, selectors, services
from .figures import monthly_figures, system_value
from .filters import CountyTaskFilterSet, MonthlyFilingFilterSet
from .forms import CountyTaskForm, FilingForm, MonthForm, ReopenForm, ReturnForm
from .jobs import NO_FILINGS
from .models import CountyTask, FilingAttachment, MonthlyFiling, MonthlyReport
from .tables import CountyTaskTable, MonthlyFilingTable, NoticeTable
from .workflow import FILING_WORKFLOW, TASK_WORKFLOW


class PermissionMixin(PermissionRequiredMixin):
    raise_exception = True


# ---------------------------------------------------------------------------------------------- tasks


class CountyTaskListView(ObjectListView):
    model = CountyTask
    table_class = CountyTaskTable
    filterset_class = CountyTaskFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)


class CountyTaskExportView(CountyTaskListView, ObjectExportView):
    export_filename = "年度任务清单"


class CountyTaskDetailView(ObjectDetailView):
    model = CountyTask
    template_name = "reporting/countytask_detail.html"
    detail_fields = (
        "year",
        "region",
        "category",
        "title",
        "partner",
        "target_quantity",
        "unit",
        "deadline",
        "status",
        "approved_by",
        "approved_at",
    )

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_approve"] = (
            user.has_perm("reporting.approve_countytask") and self.object.status == CountyTask.Status.PROPOSED
        )
        context["progress"] = self.object.progress.select_related("filing").order_by("filing__month")
        editable = (
            user.has_perm("reporting.change_approved_countytask")
            or self.object.status == CountyTask.Status.PROPOSED
        )
        context["can_change"] = context["can_change"] and editable
        context["can_delete"] = context["can_delete"] and editable
        context["flow_states"] = flow_states(TASK_WORKFLOW, self.object.status)
        context["events"] = self.object.events.select_related("actor").order_by("recorded_at", "pk")
        return context


class _TaskSaveMixin:
    fields_to_save = ("region", "year", "category", "title", "partner", "target_quantity", "unit", "deadline")


class CountyTaskCreateView(_TaskSaveMixin, ObjectCreateView):
    model = CountyTask
    form_class = CountyTaskForm
    success_message = "任务已保存。"

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def save_form(self, form):
        data = {name: form.cleaned_data[name] for name in self.fields_to_save}
        return services.task_create(actor=self.request.user, **data)


class CountyTaskUpdateView(_TaskSaveMixin, ObjectUpdateView):
    model = CountyTask
    form_class = CountyTaskForm

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)

    def save_form(self, form):
        data = {name: form.cleaned_data[name] for name in self.fields_to_save}
        return services.task_update(
            actor=self.request.user, task=CountyTask.objects.get(pk=self.object.pk), **data
        )


class CountyTaskDeleteView(ObjectDeleteView):
    model = CountyTask

    def get_base_queryset(self):
        return selectors.task_list(user=self.request.user)

    def form_valid(self, form):
        try:
            services.task_delete(actor=self.request.user, task=self.object)
        except ValidationError as error:
            messages.error(self.request, service_error_text(error))
            return redirect(self.object.get_absolute_url())
        messages.success(self.request, f"已删除“{self.object}”。")
        return HttpResponseRedirect(self.get_success_url())


class _ActionView(TransitionView):
    """One action of a flow behind its own URL (a button on the detail page, POST only): the one
    transition view with the action fixed, refused (403) without that action's permission."""

    http_method_names = ["post"]
    fixed_action = ""

    def action_for(self, pk) -> str:
        return self.fixed_action

    def dispatch(self, request, *args, **kwargs):
        action = self.action_for(kwargs["pk"])
        permission = workflow_for(self.model).transitions_for(action)[0].permission
        if not request.user.has_perm(permission):
            raise PermissionDenied
        post = request.POST.copy()
        post["action"] = action
        request.POST = post
        return super().dispatch(request, *args, **kwargs)


class CountyTaskApproveView(_ActionView):
    model = CountyTask
    fixed_action = "approve"


# ---------------------------------------------------------------------------------------------- filings


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


class FilingSubmitView(_ActionView):
    """报送, or 重新报送 of a returned filing."""

    model = MonthlyFiling

    def action_for(self, pk) -> str:
        state = MonthlyFiling.objects.filter(pk=pk).values_list("state", flat=True).first()
        return "resubmit" if state == MonthlyFiling.State.RETURNED else "submit"


class FilingConfirmView(_ActionView):
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


# ---------------------------------------------------------------------------------------------- board


def _month_from_request(request) -> tuple[int, int]:
    text = request.GET.get("month")
    if text:
        try:
            return rules.parse_month(text)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
    return rules.due_month(timezone.now())


class BoardView(PermissionMixin, TemplateView):
    """The bureau's board: every county's state for one month at a glance."""

    permission_required = "reporting.view_monthlyfiling"
    template_name = "reporting/board.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("accounts.view_all_regions"):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = _month_from_request(self.request)
        now = timezone.now()
        rows = selectors.month_board(user=self.request.user, year=year, month=month, now=now)
        researchers = {
            r["region"].pk: r
            for r in selectors.researcher_figures_by_county(year=year, user=self.request.user)
        }
        for row in rows:
            row.researchers = researchers.get(row.region.pk)
        py, pm = rules.previous_month(year, month)
        ny, nm = rules.next_month(year, month)
        context.update(
            title=f"{year}年{month}月报送看板",
            year=year,
            month=month,
            rows=rows,
            counts=selectors.board_counts(rows),
            last_filing_day=rules.last_filing_day(year, month),
            past_deadline=rules.is_past_deadline(year, month, now),
            previous=f"{py}-{pm:02d}",
            next=f"{ny}-{nm:02d}" if not rules.is_future_month(ny, nm, now) else None,
            month_value=f"{year}-{month:02d}",
            can_reopen=self.request.user.has_perm("reporting.add_filingexception"),
            breadcrumbs=[("报送看板", None)],
        )
        return context


class ReopenView(PermissionMixin, ServiceFormMixin, FormView):
    permission_required = "reporting.add_filingexception"
    form_class = ReopenForm
    template_name = "reporting/reopen_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.region = get_object_or_404(Region.objects.county_level(), pk=kwargs["region"])
        self.year, self.month = int(kwargs["year"]), int(kwargs["month"])
        if not 1 <= self.month <= 12:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        expires = timezone.localtime() + timezone.timedelta(days=3)
        return {"expires_at": expires.replace(second=0, microsecond=0, tzinfo=None)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"解锁补报：{self.region} {self.year}年{self.month}月",
            region=self.region,
            year=self.year,
            month=self.month,
            board_url=f"{reverse('reporting:board')}?month={self.year}-{self.month:02d}",
        )
        return context

    def perform(self, form):
        services.filing_reopen(
            actor=self.request.user,
            region=self.region,
            year=self.year,
            month=self.month,
            reason=form.cleaned_data["reason"],
            expires_at=form.cleaned_data["expires_at"],
        )
        messages.success(self.request, f"已为{self.region}解锁{self.year}年{self.month}月的填报。")
        return redirect(f"{reverse('reporting:board')}?month={self.year}-{self.month:02d}")


# ---------------------------------------------------------------------------------------------- reports


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


# ---------------------------------------------------------------------------------------------- notices


class NoticeListView(PermissionMixin, TemplateView):
    permission_required = "reporting.view_notice"
    template_name = "reporting/notice_list.html"

    def get_context_data(self, **kwargs):
        from django_tables2 import RequestConfig

        context = super().get_context_data(**kwargs)
        table = NoticeTable(selectors.notices_for(user=self.request.user))
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        context.update(
            title="我的通知",
            table=table,
            unread=services.notice_unread_count(user=self.request.user),
            breadcrumbs=[("我的通知", None)],
        )
        return context


class NoticeOpenView(PermissionMixin, View):
    """A click on a notice: it is marked read and the user is taken to what it is about (else the list)."""

    permission_required = "reporting.view_notice"

    def get(self, request, pk):
        from .models import Notice

        try:
            notice = services.notice_open(user=request.user, notice_id=pk)
        except Notice.DoesNotExist as error:
            raise Http404 from error
        target = notice.url if notice.url.startswith("/") and not notice.url.startswith("//") else ""
        return HttpResponseRedirect(target or reverse("reporting:notice_list"))


class NoticeMarkAllReadView(PermissionMixin, View):
    permission_required = "reporting.view_notice"

    def post(self, request):
        marked = services.notices_mark_read(user=request.user)
        messages.success(request, f"已将 {marked} 条通知标为已读。" if marked else "没有未读通知。")
        return redirect("reporting:notice_list")


# ---------------------------------------------------------------------------------------------- transitions


class MonthlyFilingTransitionView(TransitionView):
    """报送 / 重新报送 / 确认 / 退回 through the one transition form."""

    model = MonthlyFiling


class CountyTaskTransitionView(TransitionView):
    """确认 a county's proposed task."""

    model = CountyTask
