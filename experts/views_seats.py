"""The expert's own pages (我的评审) and the bureau's opening of an expert's account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from kejiju.core.views.generic import ServiceFormMixin, service_error_text

from . import rules, seats, selectors
from .forms import DeclarationForm, ExpertAccountForm, SeatDeclineForm, SeatScoresForm
from .models import Expert, ReviewMember, ReviewPanel


class MySeatsView(PermissionRequiredMixin, TemplateView):
    permission_required = "experts.review_as_expert"
    raise_exception = True
    template_name = "experts/my_seats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="我的评审",
            seats=selectors.my_seats(user=self.request.user),
            expert=Expert.objects.filter(user=self.request.user).first(),
        )
        return context


class _OwnSeatMixin(PermissionRequiredMixin):
    permission_required = "experts.review_as_expert"
    raise_exception = True

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.member = get_object_or_404(selectors.my_seats(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class SeatAcceptView(_OwnSeatMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            seats.seat_accept(user=request.user, member=self.member)
        except ValidationError as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(request, f"已接受“{self.member.panel.title}”的评审邀请。")
        return redirect("experts:my_seats")


class SeatDeclineView(_OwnSeatMixin, ServiceFormMixin, FormView):
    form_class = SeatDeclineForm
    template_name = "generic/object_form.html"
    success_message = "已说明不能参加的原因，将由备选专家递补。"

    def perform(self, form):
        seats.seat_decline(user=self.request.user, member=self.member, reason=form.cleaned_data["reason"])
        return redirect("experts:my_seats")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"不能参加评审：{self.member.panel.title}",
            cancel_url=reverse("experts:my_seats"),
            breadcrumbs=[("我的评审", reverse("experts:my_seats")), ("不能参加", None)],
        )
        return context


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class ExpertAccountOpenView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    permission_required = "experts.open_expert_account"
    raise_exception = True
    form_class = ExpertAccountForm
    template_name = "generic/object_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.expert = get_object_or_404(Expert, pk=kwargs["pk"])  # the library is city-wide
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        user = seats.expert_account_open(actor=self.request.user, expert=self.expert, **form.cleaned_data)
        self.success_message = (
            f"已为专家{self.expert.name}开通评审账户“{user.username}”，首次登录须修改初始密码。"
        )
        return redirect(self.expert.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"开通评审账户：{self.expert.name}",
            cancel_url=self.expert.get_absolute_url(),
            breadcrumbs=[
                ("专家", reverse("experts:expert_list")),
                (self.expert.name, self.expert.get_absolute_url()),
                ("开通评审账户", None),
            ],
        )
        return context


class SeatReviewView(PermissionRequiredMixin, ServiceFormMixin, FormView):
    """网评 of one seat: the 回避及保密声明 first; then the subject and the expert's own scores (saved and
    changed until submitted). Only the expert's own scores are ever shown here."""

    permission_required = "experts.review_as_expert"
    raise_exception = True
    template_name = "experts/seat_review.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.member = get_object_or_404(
            selectors.my_seats(user=request.user).filter(
                role=ReviewMember.Role.REGULAR, status=ReviewMember.Status.CONFIRMED
            ),
            pk=kwargs["pk"],
        )
        self.criteria = rules.parse_criteria(self.member.panel.criteria)
        return super().dispatch(request, *args, **kwargs)

    @property
    def declared(self) -> bool:
        return self.member.declared_at is not None

    def get_form_class(self):
        return SeatScoresForm if self.declared else DeclarationForm

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if self.declared:
            saved = {score.criterion: score.score for score in self.member.scores.all()}
            kwargs["criteria"] = self.criteria
            kwargs["initial"] = {f"c_{key}": value for key, value in saved.items()} | {
                "comment": self.member.comment
            }
        return kwargs

    def perform(self, form):
        if not self.declared:
            seats.seat_declare(user=self.request.user, member=self.member, **form.cleaned_data)
            if form.cleaned_data["conflict"]:
                self.success_message = "已申明回避，将由备选专家递补。"
                return redirect("experts:my_seats")
            self.success_message = "已签署回避及保密声明。"
            return redirect("experts:my_seat_review", pk=self.member.pk)
        submit = "submit" in self.request.POST
        seats.seat_scores_save(
            user=self.request.user,
            member=self.member,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            submit=submit,
        )
        self.success_message = "评分已提交。" if submit else "评分已保存，提交前可修改。"
        return redirect("experts:my_seat_review", pk=self.member.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        panel = self.member.panel
        form = context["form"]
        closed = panel.state == ReviewPanel.State.CLOSED
        problem = seats.review_problem(self.member) if self.declared else None
        context.update(
            title=f"网评：{panel.title}",
            member=self.member,
            panel=panel,
            subject_summary=getattr(panel.subject, "summary", ""),
            # Once the panel is closed its frozen result is shown; the other experts' scores never are.
            frozen_result=panel.result if closed else None,
            problem="评审已完成，评审得分已冻结，评分不能再修改。" if closed and problem else problem,
            breadcrumbs=[("我的评审", reverse("experts:my_seats")), (panel.title, None)],
            declaration_form=None if self.declared else form,
            scores_form=form if self.declared else None,
        )
        return context
