"""高企培育库 pages: the list, export, 县区推荐, an enterprise's own application, the 企业创新能力评价,
the detail with its 高企 checklist and the steps."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView

from kejiju.core.views import ActionPermissionMixin, ObjectDetailView, ObjectExportView, ObjectListView
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin
from kejiju.core.workflow.selectors import workflow_context
from kejiju.core.workflow.views import TransitionView as WorkflowTransitionView

from .. import forms, rules, selectors, services
from ..filters import PoolEntryFilterSet
from ..models import Enterprise, EnterpriseYear, PoolEntry
from ..tables import PoolEntryTable
from .enterprises import EnterpriseFormView


class PoolEntryListView(ObjectListView):
    model = PoolEntry
    table_class = PoolEntryTable
    filterset_class = PoolEntryFilterSet
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.pool_list(user=self.request.user)


class PoolEntryExportView(PoolEntryListView, ObjectExportView):
    pass


class PoolRecommendView(EnterpriseFormView):
    model = PoolEntry
    permission_required = "enterprises.recommend_poolentry"
    title = "推荐进入高企培育库"
    form_class = forms.PoolRecommendForm

    def perform(self, form):
        entry = services.pool_recommend(
            enterprise=self.enterprise,
            actor=self.request.user,
            recommendation=form.cleaned_data["recommendation"],
            request=self.request,
        )
        messages.success(self.request, "已推荐，待市局审核入库。")
        return redirect(entry)


class PoolRequestView(EnterpriseFormView):
    """企业申请: the enterprise's administrator applies for the 培育库 (its county office recommends)."""

    model = PoolEntry
    permission_required = "enterprises.request_poolentry"
    title = "申请进入高企培育库"
    form_class = forms.PoolRequestForm

    def perform(self, form):
        entry = services.pool_request(
            enterprise=self.enterprise,
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            request=self.request,
        )
        messages.success(self.request, "已提交申请，待县区科技局推荐。")
        return redirect(entry)


class PoolAssessView(ServiceFormMixin, ActionPermissionMixin, BreadcrumbMixin, FormView):
    """录入企业创新能力评价 for an enterprise in the 培育库 (the bureau, who tracks the pool)."""

    model = PoolEntry
    permission_required = "enterprises.admit_poolentry"
    title = "录入企业创新能力评价"
    template_name = "generic/object_form.html"
    form_class = forms.InnovationAssessmentForm

    @cached_property
    def entry(self) -> PoolEntry:
        queryset = PoolEntry.objects.visible_to(self.request.user).select_related("enterprise")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_breadcrumbs(self):
        return [
            ("高企培育库", reverse("enterprises:poolentry_list")),
            (str(self.entry), self.entry.get_absolute_url()),
            (self.title, None),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.entry.enterprise}：{self.title}"
        context["cancel_url"] = self.entry.get_absolute_url()
        return context

    def perform(self, form):
        assessment = services.pool_innovation_assess(
            entry=self.entry,
            actor=self.request.user,
            assessed_on=form.cleaned_data["assessed_on"],
            scores=form.scores(),
            note=form.cleaned_data["note"],
            request=self.request,
        )
        messages.success(self.request, f"已录入企业创新能力评价：{assessment.total}分。")
        return redirect(self.entry)


def gaoqi_checklist_for(
    enterprise: Enterprise, *, innovation_score: int | None = None
) -> tuple[EnterpriseYear | None, list[rules.ChecklistLine]]:
    """The 高企 checklist against the latest year's figures and the three latest years' totals, the
    latest 企业创新能力评价 when there is one, and the clean record (the 科研诚信 record when the unit is
    under 惩戒 today, else the enterprise's checkbox)."""
    rows = list(EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-year")[:3])
    latest = rows[0] if rows else None
    totals = EnterpriseYear.objects.filter(pk__in=[row.pk for row in rows]).aggregate(
        rd=Sum("rd_expense"), revenue=Sum("revenue"), in_china=Sum("rd_expense_in_china")
    )
    lines = rules.gaoqi_checklist(
        services.to_rule_figures(latest),
        rd_expense_3y=totals["rd"],
        revenue_3y=totals["revenue"],
        rd_in_china_3y=totals["in_china"],
        innovation_score=innovation_score,
        clean_record=enterprise.clean_record,
        integrity=selectors.integrity_finding(enterprise),
    )
    return latest, lines


class PoolEntryDetailView(ObjectDetailView):
    model = PoolEntry
    template_name = "enterprises/poolentry_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry, user = self.object, self.request.user
        assessments = list(entry.assessments.select_related("recorded_by"))
        score = assessments[0].total if assessments else None
        latest, lines = gaoqi_checklist_for(entry.enterprise, innovation_score=score)
        context["assessments"] = assessments
        context["can_assess"] = (
            user.has_perm("enterprises.admit_poolentry") and entry.state in entry.OPEN_STATES
        )
        context["latest"] = latest
        context["checklist"] = lines
        context.update(workflow_context(entry, user, transition_url="enterprises:poolentry_transition"))
        context["this_year"] = timezone.localdate().year
        context["can_change"] = False
        return context


class PoolTransitionView(WorkflowTransitionView):
    model = PoolEntry
