"""科技型中小企业评价 pages: the list, export, 企业填报, detail, the steps (one and in bulk) and the
入库 statistics."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from kejiju.core.scoping import unit_id_of_user
from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectDetailView,
    ObjectExportView,
    ObjectListView,
    service_error_text,
)
from kejiju.core.views.generic import StaffOnlyMixin
from kejiju.core.workflow.selectors import workflow_context
from kejiju.core.workflow.views import TransitionView as WorkflowTransitionView

from .. import forms, selectors, workflow
from ..filters import SmesEvaluationFilterSet
from ..models import SmesEvaluation

# From their module, not the package's re-export: tests/test_workdays_sweep.py follows a call to where the
# function is defined (smes_bulk_transition reaches the working-day calendar).
from ..services.evaluation import smes_bulk_transition, smes_evaluate, smes_evaluation_create
from ..tables import SmesEvaluationTable
from .enterprises import EnterpriseFormView


class SmesEvaluationListView(ObjectListView):
    model = SmesEvaluation
    table_class = SmesEvaluationTable
    filterset_class = SmesEvaluationFilterSet
    template_name = "enterprises/smesevaluation_list.html"
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.smes_evaluation_list(user=self.request.user)

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.admit_smesevaluation"):
            return {"exclude": ("selection",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = forms.BulkTransitionForm(user=self.request.user)
        context["can_bulk"] = self.request.user.has_perm("enterprises.admit_smesevaluation")
        return context


class SmesEvaluationExportView(SmesEvaluationListView, ObjectExportView):
    def get_table_kwargs(self):
        return {"exclude": ("selection",)}


class SmesEvaluationCreateView(EnterpriseFormView):
    model = SmesEvaluation
    action = "add"
    title = "科技型中小企业评价"
    form_class = forms.SmesEvaluationCreateForm

    def get_form_class(self):
        if unit_id_of_user(self.request.user) is not None:
            return forms.UnitSmesEvaluationForm
        return forms.SmesEvaluationCreateForm

    def perform(self, form):
        evaluation = smes_evaluation_create(
            enterprise=self.enterprise,
            year=form.cleaned_data["year"],
            submitted_on=form.cleaned_data.get("submitted_on"),
            actor=self.request.user,
            request=self.request,
        )
        messages.success(self.request, f"已登记评价，综合得分{evaluation.total_score}分。")
        return redirect(evaluation)


class SmesEvaluationDetailView(ObjectDetailView):
    model = SmesEvaluation
    template_name = "enterprises/smesevaluation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation, user = self.object, self.request.user
        result, row = smes_evaluate(evaluation.enterprise, year=evaluation.year, on=evaluation.submitted_on)
        context["result"] = result
        context["figures"] = row
        context.update(
            workflow_context(evaluation, user, transition_url="enterprises:smesevaluation_transition")
        )
        context["today"] = timezone.localdate()
        context["registration"] = None
        if evaluation.registration_number:
            from kejiju.core.identifiers import parse_smes_registration_number

            context["registration"] = parse_smes_registration_number(evaluation.registration_number)
        context["can_change"] = False
        return context


class SmesTransitionView(WorkflowTransitionView):
    model = SmesEvaluation


class SmesBulkTransitionView(ActionPermissionMixin, View):
    """POST: 开始公示 or 入库 for the evaluations ticked on the list page, all or nothing."""

    model = SmesEvaluation
    permission_required = "enterprises.admit_smesevaluation"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.BulkTransitionForm(request.POST, user=request.user)
        back = reverse("enterprises:smesevaluation_list") + "?" + request.POST.get("query", "")
        ids = [int(value) for value in request.POST.getlist("selection") if value.isdigit()]
        if not form.is_valid() or not ids:
            messages.error(request, "请勾选评价记录并选择操作。")
            return HttpResponseRedirect(back)
        evaluations = list(
            selectors.smes_evaluation_list(user=request.user).filter(pk__in=ids).order_by("pk")
        )
        try:
            count = smes_bulk_transition(
                evaluations=evaluations,
                action=form.cleaned_data["action"],
                actor=request.user,
                on=form.cleaned_data["on"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, f"未执行（全部回退）：{service_error_text(error)}")
        else:
            label = workflow.SMES_WORKFLOW.action_label(form.cleaned_data["action"])
            messages.success(request, f"已对 {count} 条评价执行“{label}”。")
        return HttpResponseRedirect(back)


class SmesStatsView(StaffOnlyMixin, ActionPermissionMixin, TemplateView):
    """科小 入库 counts by county and year."""

    model = SmesEvaluation
    permission_required = "enterprises.view_smesevaluation"
    template_name = "enterprises/smes_stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        this_year = timezone.localdate().year
        years = list(range(this_year - 5, this_year + 1))
        regions, cells, totals = selectors.smes_counts_by_region(user=self.request.user, years=years)
        context["years"] = years
        context["rows"] = [
            (region, [cells.get((region.pk, year), 0) for year in years]) for region in regions
        ]
        context["totals"] = [totals[year] for year in years]
        context["headlines"] = [(year, totals[year]) for year in years if totals[year]]
        pool_cells, pool_totals = selectors.pool_counts_by_region(user=self.request.user, years=years)
        context["pool_rows"] = [
            (region, [pool_cells.get((region.pk, year), 0) for year in years]) for region in regions
        ]
        context["pool_totals"] = [pool_totals[year] for year in years]
        context["pool_headlines"] = [(year, pool_totals[year]) for year in years if pool_totals[year]]
        context["title"] = "科技型中小企业及高企培育库入库统计"
        context["breadcrumbs"] = [
            ("科技型中小企业评价", reverse("enterprises:smesevaluation_list")),
            ("入库统计", None),
        ]
        return context
