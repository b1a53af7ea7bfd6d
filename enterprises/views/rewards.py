"""高企倍增计划 targets and 高企 rewards pages: the targets, the reward tiers, the rewards, their
computation and their 审核/发放."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View

from kejiju.core.views import (
    ActionPermissionMixin,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectExportView,
    ObjectListView,
    ObjectUpdateView,
    service_error_text,
)

from .. import forms, selectors, services
from ..filters import DoublingTargetFilterSet, RewardFilterSet, RewardTierFilterSet
from ..models import DoublingTarget, Reward, RewardTier
from ..tables import DoublingTargetTable, RewardTable, RewardTierTable


class DoublingTargetListView(ObjectListView):
    model = DoublingTarget
    table_class = DoublingTargetTable
    filterset_class = DoublingTargetFilterSet
    template_name = "enterprises/doublingtarget_list.html"
    actions = ("add", "export")

    def get_base_queryset(self):
        return DoublingTarget.objects.visible_to(self.request.user).select_related("region")

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.change_doublingtarget"):
            return {"exclude": ("edit",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() else timezone.localdate().year
        context["progress_year"] = year
        context["progress"] = selectors.doubling_progress(user=self.request.user, year=year)
        return context


class DoublingTargetExportView(DoublingTargetListView, ObjectExportView):
    pass


class DoublingTargetSaveMixin:
    """One save for adding and editing a target: the service is told the record (None when adding)."""

    model = DoublingTarget
    form_class = forms.DoublingTargetForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.doubling_target_save(
            region=data["region"],
            year=data["year"],
            target=data["target"],
            actor=self.request.user,
            instance=self.object,
        )


class DoublingTargetCreateView(DoublingTargetSaveMixin, ObjectCreateView):
    pass


class DoublingTargetUpdateView(DoublingTargetSaveMixin, ObjectUpdateView):
    pass


class DoublingTargetDeleteView(ObjectDeleteView):
    model = DoublingTarget


# ------------------------------------------------------------------------------------------ rewards


class RewardTierListView(ObjectListView):
    model = RewardTier
    table_class = RewardTierTable
    filterset_class = RewardTierFilterSet
    actions = ("add", "export")

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.change_rewardtier"):
            return {"exclude": ("edit",)}
        return {}


class RewardTierExportView(RewardTierListView, ObjectExportView):
    pass


class RewardTierSaveMixin:
    """One save for adding and editing a tier: the service is told the record (None when adding)."""

    model = RewardTier
    form_class = forms.RewardTierForm

    def save_form(self, form):
        data = form.cleaned_data
        return services.reward_tier_save(
            year=data["year"],
            min_rd=data["min_rd"],
            max_rd=data["max_rd"],
            amount=data["amount"],
            actor=self.request.user,
            instance=self.object,
        )


class RewardTierCreateView(RewardTierSaveMixin, ObjectCreateView):
    pass


class RewardTierUpdateView(RewardTierSaveMixin, ObjectUpdateView):
    pass


class RewardTierDeleteView(ObjectDeleteView):
    model = RewardTier


class RewardListView(ObjectListView):
    model = Reward
    table_class = RewardTable
    filterset_class = RewardFilterSet
    template_name = "enterprises/reward_list.html"
    actions = ("export",)

    def get_base_queryset(self):
        return selectors.reward_list(user=self.request.user)

    def get_table_kwargs(self):
        if not self.request.user.has_perm("enterprises.change_reward"):
            return {"exclude": ("selection",)}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.request.user.has_perm("enterprises.change_reward")
        context["compute_form"] = forms.RewardComputeForm(user=self.request.user)
        context["action_form"] = forms.RewardActionForm(user=self.request.user)
        filterset = context["filter"]
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        context["total_amount"] = queryset.aggregate(total=Sum("amount"))["total"]
        return context


class RewardExportView(RewardListView, ObjectExportView):
    def get_table_kwargs(self):
        return {"exclude": ("selection",)}


class RewardComputeView(ActionPermissionMixin, View):
    model = Reward
    permission_required = "enterprises.add_reward"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.RewardComputeForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, "请选择年度。")
            return redirect("enterprises:reward_list")
        year = form.cleaned_data["year"]
        try:
            count = services.rewards_compute(year=year, actor=request.user)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已计算{year}年奖励 {count} 条（已审核、已发放的不变）。")
        return HttpResponseRedirect(reverse("enterprises:reward_list") + f"?year={year}")


class RewardTransitionView(ActionPermissionMixin, View):
    """POST: 审核 (approve) or 发放 (pay) the ticked rewards on the date entered (default today), 发放 with
    its 文号 or voucher number; all or nothing."""

    model = Reward
    permission_required = "enterprises.change_reward"
    http_method_names = ["post"]

    def post(self, request):
        form = forms.RewardActionForm(request.POST, user=request.user)
        ids = [int(value) for value in request.POST.getlist("selection") if value.isdigit()]
        back = reverse("enterprises:reward_list") + "?" + request.POST.get("query", "")
        if "action" in form.errors or not ids:
            messages.error(request, "请勾选奖励并选择操作。")
            return HttpResponseRedirect(back)
        if not form.is_valid():
            messages.error(
                request, "未执行：" + "；".join(e for errors in form.errors.values() for e in errors)
            )
            return HttpResponseRedirect(back)
        action = form.cleaned_data["action"]
        rewards = selectors.reward_list(user=request.user).filter(pk__in=ids)
        reward = None
        try:
            with transaction.atomic():
                for reward in rewards:
                    services.reward_transition(
                        reward=reward,
                        action=action,
                        actor=request.user,
                        on=form.cleaned_data["effective_on"],
                        voucher_no=form.cleaned_data["voucher_no"],
                    )
        except ValidationError as error:
            messages.error(request, f"未执行（全部回退）：{reward.enterprise}：{service_error_text(error)}")
        else:
            messages.success(request, f"已{'审核' if action == 'approve' else '发放'} {len(ids)} 条奖励。")
        return HttpResponseRedirect(back)
