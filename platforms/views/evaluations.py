"""绩效评价: platform evaluations (list, export, record, edit) and the evaluation rule (评价规则)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from kejiju.core.views import ActionPermissionMixin, ObjectExportView, ObjectListView, ObjectUpdateView
from kejiju.core.views.generic import BreadcrumbMixin, ServiceFormMixin

from .. import selectors, services
from ..filters import EvaluationFilterSet
from ..forms import EvaluationForm, EvaluationPolicyForm
from ..models import EvaluationPolicy, PlatformEvaluation
from ..tables import EvaluationTable
from .common import permission_first


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
        permission_first(self)
        self.platform = get_object_or_404(selectors.platform_list(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"year": timezone.localdate().year - 1}

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
