from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.generic import DetailView, FormView, TemplateView, View

from kejiju.core.models import AuditEvent
from kejiju.core.scoping import unit_id_of_user
from kejiju.core.services import audit_event_record
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    ScopedQuerysetMixin,
    StaffOnlyMixin,
)
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin
from kejiju.core.workflow.diagram import flow_states
from kejiju.core.workflow.selectors import available_transitions, events_for
from kejiju.core.workflow.views import TransitionView
from kejiju.core.xlsx import (
    XLSX_CONTENT_TYPE,
    add_sheet,
    new_workbook,
    table_export_rows,
    workbook_bytes,
    xlsx_response,
)

from . import selectors, services
from .filters import BatchFilterSet, EvaluationFilterSet, PlatformFilterSet, PlatformTypeFilterSet
from .forms import (
    ApplicationForm,
    BatchForm,
    EvaluationForm,
    EvaluationPolicyForm,
    PlatformForm,
    PlatformTypeForm,
    ScoreForm,
    UnitApplicationForm,
)
from .models import (
    EvaluationPolicy,
    Platform,
    PlatformApplication,
    PlatformEvaluation,
    PlatformType,
    RecognitionBatch,
)
from .review import batch_panel_url, review_context
from .rules import BATCH_NEXT_ACTION, BatchState, batch_advance_refusal, batch_next_state
from .tables import ApplicationTable, BatchTable, EvaluationTable, PlatformTable, PlatformTypeTable
from .workflow import APPLICATION_WORKFLOW, BATCH_WORKFLOW, PLATFORM_WORKFLOW


def _permission_first(view) -> None:
    """Views that load their object in dispatch check the permission before the lookup, so that a user
    without the permission gets 403 whether or not the object is in their scope."""
    if not view.has_permission():
        view.handle_no_permission()


def _host(form, region):
    data = form.cleaned_data
    return services.organization_for_name(name=data["host_name"], kind=data["host_kind"], region=region)


# ---------------------------------------------------------------------------------------------- platforms


class PlatformListView(ObjectListView):
    model = Platform
    table_class = PlatformTable
    filterset_class = PlatformFilterSet

    def get_base_queryset(self):
        return selectors.platform_list(user=self.request.user)


class PlatformExportView(PlatformListView, ObjectExportView):
    pass


class PlatformDetailView(ObjectDetailView):
    model = Platform
    template_name = "platforms/platform_detail.html"
    detail_fields = (
        "name",
        "platform_type",
        "level",
        "state",
        "host",
        "region",
        "field",
        "certificate_no",
        "recognised_on",
        "staff_count",
        "notes",
    )

    def get_base_queryset(self):
        return selectors.platform_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["events"] = selectors.platform_timeline(platform=self.object)
        context["flow_states"] = flow_states(PLATFORM_WORKFLOW, current=self.object.state)
        # Through visible_to: an application names its own applicant unit, which need not be the host
        # (a unit reads only its own unit's applications).
        evaluations = PlatformEvaluation.objects.visible_to(user).filter(platform=self.object)
        context["evaluations"] = evaluations.order_by("-year")
        context["applications"] = (
            PlatformApplication.objects.visible_to(user)
            .filter(platform=self.object)
            .select_related("batch")
            .order_by("-batch__year")
        )
        context["can_transition"] = user.has_perm("platforms.transition_platform")
        context["can_evaluate"] = user.has_perm("platforms.add_platformevaluation")
        return context


class PlatformCreateView(ObjectCreateView):
    model = Platform
    form_class = PlatformForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.platform_create(
            name=data["name"],
            platform_type=data["platform_type"],
            level=data["level"],
            state=data["state"],
            host=_host(form, data["region"]),
            region=data["region"],
            field=data["field"],
            certificate_no=data["certificate_no"],
            recognised_on=data["recognised_on"],
            staff_count=data["staff_count"],
            notes=data["notes"],
            user=self.request.user,
        )


class PlatformUpdateView(ObjectUpdateView):
    model = Platform
    form_class = PlatformForm

    def get_base_queryset(self):
        return selectors.platform_list(user=self.request.user)

    def save_form(self, form):
        data = form.cleaned_data
        platform = Platform.objects.get(pk=self.object.pk)
        return services.platform_update(
            platform=platform,
            user=self.request.user,
            name=data["name"],
            platform_type=data["platform_type"],
            host=_host(form, data["region"]),
            region=data["region"],
            field=data["field"],
            staff_count=data["staff_count"],
            notes=data["notes"],
        )


class PlatformTransitionView(TransitionView):
    """筹建 / 认定 / 升级认定 / 撤销 / 恢复: the one transition view of the platform workflow."""

    model = Platform


def _stats_params(request) -> tuple[int, str | None]:
    try:
        year = int(request.GET.get("year") or dt.date.today().year)
    except ValueError:
        year = dt.date.today().year
    return min(max(year, 2000), 2100), request.GET.get("region")


class PlatformStatsView(StaffOnlyMixin, ActionPermissionMixin, TemplateView):
    """Counts for the annual review: newly recognised by type and level, by county; 筹建 admissions;
    platforms in force; evaluation grades. A county account sees its own county only."""

    model = Platform
    permission_required = "platforms.view_platform"
    template_name = "platforms/platform_stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, region_id = _stats_params(self.request)
        stats = selectors.platform_stats(user=self.request.user, year=year, region_id=region_id)
        query = urlencode({"year": year, "region": stats["region"].pk if stats["region"] else ""})
        context.update(
            stats,
            title="平台统计",
            breadcrumbs=[("创新平台", reverse("platforms:platform_list")), ("平台统计", None)],
            export_url=f"{reverse('platforms:platform_stats_export')}?{query}",
        )
        return context


class PlatformStatsExportView(StaffOnlyMixin, ActionPermissionMixin, View):
    """The statistics page as an xlsx workbook (one sheet per table)."""

    model = Platform
    permission_required = "platforms.view_platform"

    def get(self, request):
        year, region_id = _stats_params(request)
        stats = selectors.platform_stats(user=request.user, year=year, region_id=region_id)
        scope = stats["region"].name if stats["region"] else "全市"
        workbook = new_workbook(viewer=request.user)
        type_rows = ("平台类型", "级别", "数量")

        def typed(rows):
            return [(row["platform_type"], row["level_label"], row["count"]) for row in rows]

        add_sheet(workbook, title=f"{year}年新认定", headers=type_rows, rows=typed(stats["recognised"]))
        add_sheet(workbook, title=f"{year}年纳入筹建", headers=type_rows, rows=typed(stats["preparing"]))
        if not stats["region_locked"]:
            add_sheet(
                workbook,
                title=f"{year}年新认定按县区",
                headers=("县区", "数量"),
                rows=[(row["region"], row["count"]) for row in stats["by_region"]],
            )
        add_sheet(
            workbook, title=f"{year}年绩效评价", headers=("等次", "数量"), rows=list(stats["grades"].items())
        )
        add_sheet(workbook, title="当前有效平台", headers=type_rows, rows=typed(stats["in_force"]))
        name = f"平台统计_{year}_{scope}"
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr=name)
        return HttpResponse(
            workbook_bytes(workbook),
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, f"{name}.xlsx")},
        )


# ------------------------------------------------------------------------------------------ platform types


class PlatformTypeListView(ObjectListView):
    model = PlatformType
    table_class = PlatformTypeTable
    filterset_class = PlatformTypeFilterSet
    actions = ("add",)

    def get_base_queryset(self):
        return selectors.platform_type_list()


class PlatformTypeCreateView(ObjectCreateView):
    model = PlatformType
    form_class = PlatformTypeForm

    def save_form(self, form):
        return services.platform_type_save(instance=form.instance)

    def get_success_url(self):
        return reverse("platforms:platformtype_list")


class PlatformTypeUpdateView(ObjectUpdateView):
    model = PlatformType
    form_class = PlatformTypeForm

    def save_form(self, form):
        return services.platform_type_save(instance=form.instance)

    def get_success_url(self):
        return reverse("platforms:platformtype_list")


# ------------------------------------------------------------------------------------------------ batches


class BatchListView(ObjectListView):
    model = RecognitionBatch
    table_class = BatchTable
    filterset_class = BatchFilterSet
    actions = ("add", "export")

    def get_base_queryset(self):
        return selectors.batch_list(user=self.request.user)

    def get_table_kwargs(self):
        # The 申报 button of a batch taking applications, for those who enter or file them.
        if self.request.user.has_perm("platforms.add_platformapplication"):
            return {}
        return {"exclude": ("actions",)}


class BatchDetailView(ObjectDetailView):
    model = RecognitionBatch
    template_name = "platforms/batch_detail.html"
    detail_fields = (
        "title",
        "year",
        "platform_type",
        "level",
        "state",
        "deadline",
        "pass_score",
        "quota",
        "review_fields",
        "panel_size",
        "publicity_start",
        "publicity_end",
        "recognised_on",
        "notes",
    )

    def get_base_queryset(self):
        return selectors.batches_for(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        batch = self.object
        applications = list(selectors.application_list(user=user, batch=batch).order_by("rank", "pk"))
        context["applications"] = applications
        context["steps"] = [(value, label) for value, label in BatchState.choices]
        context["step_index"] = [value for value, _ in BatchState.choices].index(batch.state)
        context["can_add_application"] = batch.state == BatchState.OPEN and user.has_perm(
            "platforms.add_platformapplication"
        )
        context["unit_filing"] = unit_id_of_user(user) is not None
        context["can_review"] = user.has_perm("platforms.review_platformapplication")
        next_action = BATCH_NEXT_ACTION.get(BatchState(batch.state))
        can_advance = user.has_perm("platforms.advance_recognitionbatch") and next_action is not None
        context["can_advance"] = can_advance
        if can_advance:
            context["advance_refusal"] = batch_advance_refusal(
                state=batch.state, applications=selectors.batch_snapshots(batch=batch)
            )
            context["next_state_label"] = BatchState(batch_next_state(batch.state)).label
            context["next_action"] = next_action
        context["events"] = events_for(batch)
        context["flow_states"] = flow_states(BATCH_WORKFLOW, current=batch.state)
        context["export_url"] = reverse("platforms:recognitionbatch_results", kwargs={"pk": batch.pk})
        reviews = review_context(applications, batch=batch, user=user)
        context["rows"] = [(app, reviews[app.pk]) for app in applications]
        context["batch_panel_url"] = batch_panel_url(applications, reviews)
        return context


class BatchExportView(BatchListView, ObjectExportView):
    pass


class BatchResultsExportView(ActionPermissionMixin, ScopedQuerysetMixin, DetailView):
    """One batch's applications (those the user may see) with their review result, rank and certificate
    number, as xlsx: the batch's result list."""

    model = RecognitionBatch

    def get_base_queryset(self):
        return selectors.batches_for(user=self.request.user)

    def get(self, request, *args, **kwargs):
        batch = self.get_object()
        table = ApplicationTable(
            selectors.application_list(user=request.user, batch=batch).order_by("rank", "pk")
        )
        headers, rows = table_export_rows(table)
        audit_event_record(event_type=AuditEvent.Type.EXPORT, request=request, object_repr=str(batch))
        return xlsx_response(
            filename=f"{batch.title}.xlsx",
            title="申报与认定结果",
            headers=headers,
            rows=rows,
            viewer=request.user,
        )


class BatchCreateView(ObjectCreateView):
    model = RecognitionBatch
    form_class = BatchForm

    def save_form(self, form):
        return services.batch_save(
            instance=form.instance, review_fields=form.cleaned_data["review_fields"], user=self.request.user
        )


class BatchUpdateView(ObjectUpdateView):
    model = RecognitionBatch
    form_class = BatchForm

    def save_form(self, form):
        return services.batch_save(
            instance=form.instance, review_fields=form.cleaned_data["review_fields"], user=self.request.user
        )


class BatchTransitionView(TransitionView):
    """截止申报 / 进入专家评审 / 排名并公示 / 认定: the one transition view of the batch workflow."""

    model = RecognitionBatch


# ------------------------------------------------------------------------------------------- applications


class ApplicationScopeMixin:
    def get_base_queryset(self):
        return selectors.application_list(user=self.request.user)


class UnitFilingFormMixin:
    """A unit's administrator files for its own unit: its form shows the unit and its region and offers the
    platforms it hosts; staff name the applicant unit and choose the county (ApplicationForm)."""

    def unit(self):
        if unit_id_of_user(self.request.user) is None:
            return None
        return self.request.user.organization

    def get_form_class(self):
        return UnitApplicationForm if self.unit() is not None else ApplicationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        unit = self.unit()
        if unit is not None:
            kwargs["unit"] = unit
        return kwargs

    def fill_applicant(self, form) -> PlatformApplication:
        instance = form.instance
        unit = self.unit()
        if unit is not None:
            instance.applicant = unit
            instance.region_id = unit.region_id
        else:
            instance.applicant = _host(form, form.cleaned_data["region"])
        return instance


class ApplicationDetailView(ApplicationScopeMixin, ObjectDetailView):
    model = PlatformApplication
    template_name = "platforms/application_detail.html"
    detail_fields = (
        "batch",
        "platform_name",
        "applicant",
        "region",
        "field",
        "staff_count",
        "platform",
        "summary",
        "state",
        "formal_comment",
        "review_score",
        "review_note",
        "rank",
        "objection",
        "certificate_no",
        "submitted_by",
    )

    def get_breadcrumbs(self):
        batch = self.object.batch
        return [
            ("认定批次", reverse("platforms:recognitionbatch_list")),
            (str(batch), batch.get_absolute_url()),
            (str(self.object), None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app = self.object
        user = self.request.user
        batch_state = app.batch.state
        refusal = services.application_change_refusal(application=app, user=user)
        context["can_change"] = context["can_change"] and batch_state == BatchState.OPEN and not refusal
        context["can_delete"] = context["can_delete"] and batch_state == BatchState.OPEN and not refusal
        review = review_context([app], batch=app.batch, user=user)[app.pk]
        context["review"] = review
        context["can_score"] = review.may_record
        # The review steps the batch's progress allows now (a rule that refuses hides the button).
        context["actions"] = [
            t for t in available_transitions(app, user) if not t.rule or not t.rule(app, {})
        ]
        context["events"] = events_for(app)
        context["flow_states"] = flow_states(APPLICATION_WORKFLOW, current=app.state)
        return context


class BatchChildMixin:
    def dispatch(self, request, *args, **kwargs):
        _permission_first(self)
        self.batch = get_object_or_404(selectors.batches_for(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class ApplicationCreateView(BatchChildMixin, UnitFilingFormMixin, ObjectCreateView):
    model = PlatformApplication

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["batch"] = self.batch
        return kwargs

    def get(self, request, *args, **kwargs):
        if self.batch.state != BatchState.OPEN:
            messages.error(request, f"批次“{self.batch}”已截止申报。")
            return redirect(self.batch)
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [
            ("认定批次", reverse("platforms:recognitionbatch_list")),
            (str(self.batch), self.batch.get_absolute_url()),
            ("新增申报", None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{'申报' if self.unit() is not None else '新增申报'}：{self.batch}"
        context["cancel_url"] = self.batch.get_absolute_url()
        return context

    def save_form(self, form):
        instance = self.fill_applicant(form)
        instance.batch = self.batch
        return services.application_save(instance=instance, user=self.request.user)


class ApplicationUpdateView(ApplicationScopeMixin, UnitFilingFormMixin, ObjectUpdateView):
    model = PlatformApplication

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        refusal = services.application_change_refusal(application=self.object, user=request.user)
        if refusal:
            messages.error(request, "；".join(refusal.values()))
            return redirect(self.object)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["batch"] = self.object.batch
        return kwargs

    def save_form(self, form):
        instance = self.fill_applicant(form)
        return services.application_save(instance=instance, user=self.request.user)


class ApplicationDeleteView(ApplicationScopeMixin, ObjectDeleteView):
    model = PlatformApplication

    def get_success_url(self):
        return self.object.batch.get_absolute_url()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, "；".join(error.messages))
            return redirect(self.object)

    def delete_object(self):
        services.application_delete(application=self.object, user=self.request.user)


class ApplicationTransitionView(TransitionView):
    """形式审查通过 / 不通过 / 公示异议成立: the one transition view of the application workflow (the batch's
    steps take the others)."""

    model = PlatformApplication


class ApplicationScoreView(ServiceFormMixin, ActionPermissionMixin, BreadcrumbMixin, FormView):
    """The score of a review held outside the portal (a step on the application's timeline)."""

    model = PlatformApplication
    permission_required = "platforms.review_platformapplication"
    template_name = "generic/object_form.html"
    form_class = ScoreForm
    step_title = "专家评审得分"

    def dispatch(self, request, *args, **kwargs):
        _permission_first(self)
        self.object = get_object_or_404(selectors.application_list(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        batch = self.object.batch
        return [
            ("认定批次", reverse("platforms:recognitionbatch_list")),
            (str(batch), batch.get_absolute_url()),
            (str(self.object), self.object.get_absolute_url()),
            (self.step_title, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.step_title}：{self.object}"
        context["cancel_url"] = self.object.get_absolute_url()
        return context

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"score": self.object.review_score, "note": self.object.review_note}

    def perform(self, form):
        data = form.cleaned_data
        services.application_record_score(
            application=self.object, score=data["score"], note=data["note"], user=self.request.user
        )
        messages.success(self.request, f"{self.step_title}已保存。")
        return redirect(self.object.batch)


# -------------------------------------------------------------------------------------------- evaluations


class EvaluationListView(ObjectListView):
    model = PlatformEvaluation
    table_class = EvaluationTable
    filterset_class = EvaluationFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.evaluation_list(user=self.request.user)

    def get_table_kwargs(self):
        if self.request.user.has_perm("platforms.change_platformevaluation"):
            return {}
        return {"exclude": ("actions",)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("platforms.change_evaluationpolicy"):
            context["list_buttons"].insert(
                0, ("rule", "评价规则", reverse("platforms:evaluationpolicy_edit"))
            )
        return context


class EvaluationExportView(EvaluationListView, ObjectExportView):
    pass


class EvaluationCreateView(ServiceFormMixin, ActionPermissionMixin, BreadcrumbMixin, FormView):
    model = PlatformEvaluation
    action = "add"
    template_name = "generic/object_form.html"
    form_class = EvaluationForm

    def dispatch(self, request, *args, **kwargs):
        _permission_first(self)
        self.platform = get_object_or_404(selectors.platform_list(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"year": dt.date.today().year - 1}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"绩效评价：{self.platform}"
        context["cancel_url"] = self.platform.get_absolute_url()
        return context

    def perform(self, form):
        data = form.cleaned_data
        evaluation = services.evaluation_record(
            platform=self.platform,
            year=data["year"],
            score=data["score"],
            comment=data["comment"],
            user=self.request.user,
        )
        text = f"已录入 {evaluation.year} 年绩效评价：{evaluation.get_grade_display()}。"
        if evaluation.revocation_proposed:
            messages.warning(self.request, text + "该平台连续不合格，已提出撤销建议。")
        else:
            messages.success(self.request, text)
        return redirect(self.platform)


class EvaluationUpdateView(ObjectUpdateView):
    model = PlatformEvaluation
    form_class = EvaluationForm

    def get_base_queryset(self):
        return selectors.evaluation_list(user=self.request.user)

    def save_form(self, form):
        data = form.cleaned_data
        stored = PlatformEvaluation.objects.get(pk=self.object.pk)
        return services.evaluation_record(
            platform=stored.platform,
            year=data["year"],
            score=data["score"],
            comment=data["comment"],
            user=self.request.user,
            instance=stored,
        )


class EvaluationPolicyUpdateView(ObjectUpdateView):
    model = EvaluationPolicy
    form_class = EvaluationPolicyForm

    def get_object(self, queryset=None):
        return EvaluationPolicy.current()

    def get_breadcrumbs(self):
        return [("绩效评价", reverse("platforms:platformevaluation_list")), ("绩效评价规则", None)]

    def save_form(self, form):
        return services.evaluation_policy_save(instance=form.instance)

    def get_success_url(self):
        return reverse("platforms:platformevaluation_list")
